/* libuv adapter: the receive path. Listening sockets (one per family,
 * mode and bound address, found in O(1) by a hash) read through uv_poll_t
 * in recvmmsg() batches;
 * each datagram becomes a bfd_rx_info (TTL, destination, interface from
 * the control messages) for bfd_table_feed_packet(). */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "bfd_uv_int.h"

uint16_t bfd_uv__listen_port(const bfd_uv *a, uint8_t mode) {
  if (mode == BFD_MODE_MULTIHOP)
    return a->settings.port_multihop ? a->settings.port_multihop : BFD_PORT_MULTIHOP;
  return a->settings.port_single_hop ? a->settings.port_single_hop : BFD_PORT_SINGLE_HOP;
}

/* ---- listeners --------------------------------------------------------- */

static void poll_cb(uv_poll_t *h, int status, int events);

/* FNV-1a over what tells two listeners apart. */
static uint32_t lhash_of(uint8_t family, uint8_t mode, const bfd_uv_addr *addr) {
  uint32_t h = 2166136261u, i;
  uint8_t k[22];
  k[0] = family;
  k[1] = mode;
  memcpy(k + 2, addr->addr, 16);
  memcpy(k + 18, &addr->ifindex, 4);
  for (i = 0; i < sizeof(k); i++)
    h = (h ^ k[i]) * 16777619u;
  return h;
}

/* Room for one more listener: grow to twice the listeners (load <= 1). */
static int lhash_grow(bfd_uv *a) {
  bfd_uv__listener **nb, *l;
  uint32_t n = a->lhash_size ? a->lhash_size * 2 : 16;
  if (a->stats.listeners < a->lhash_size)
    return 0;
  if (!(nb = bfd_uv__calloc(a, n * sizeof(*nb))))
    return BFD_ERR_NOMEM;
  for (l = a->listeners; l; l = l->next) {
    uint32_t b = lhash_of(l->addr.family, l->mode, &l->addr) & (n - 1);
    l->hnext = nb[b];
    nb[b] = l;
  }
  if (a->lhash)
    bfd_uv__free(a, a->lhash);
  a->lhash = nb;
  a->lhash_size = n;
  return 0;
}

bfd_uv__listener *bfd_uv__find_listener(const bfd_uv *a, uint8_t family, uint8_t mode,
                                        const bfd_uv_addr *addr) {
  bfd_uv__listener *l;
  if (!addr)
    return a->first_of[family == BFD_AF_INET6][mode == BFD_MODE_MULTIHOP];
  if (!a->lhash_size)
    return NULL;
  for (l = a->lhash[lhash_of(family, mode, addr) & (a->lhash_size - 1)]; l; l = l->hnext)
    if (l->addr.family == family && l->mode == mode && memcmp(l->addr.addr, addr->addr, 16) == 0 &&
        l->addr.ifindex == addr->ifindex)
      return l;
  return NULL;
}

void bfd_uv__listeners_free(bfd_uv *a) {
  if (a->catch_epfd >= 0)
    close(a->catch_epfd);
  a->catch_epfd = -1;
  if (a->lhash)
    bfd_uv__free(a, a->lhash);
  a->lhash = NULL;
  a->lhash_size = 0;
  memset(a->first_of, 0, sizeof(a->first_of));
}

/* ---- the receive buffer (rx_rcvbuf 0: auto) ------------------------------ */

/* The buffer, as the kernel counts it (truesize), that holds
 * BFD_UV__RCVBUF_HOLD_MS of `mpps` milli-datagrams/s, capped. */
static uint32_t rcvbuf_target(uint64_t mpps) {
  const uint64_t per = (uint64_t)BFD_UV__RCVBUF_HOLD_MS * BFD_UV__RCVBUF_TRUESIZE;
  uint64_t bytes;
  if (mpps >= UINT64_MAX / per)
    return BFD_UV__RCVBUF_AUTO_MAX;
  bytes = mpps * per / 1000000; /* (mpps / 1000) per s x (ms / 1000) s */
  return bytes < BFD_UV__RCVBUF_AUTO_MAX ? (uint32_t)bytes : BFD_UV__RCVBUF_AUTO_MAX;
}

void bfd_uv__rcvbuf_grow(bfd_uv *a) {
  bfd_uv__listener *l;
  uint32_t want, have;
  if (a->settings.rx_rcvbuf || !a->rcvbuf_dflt)
    return; /* a fixed size, or no listener yet (its open calls this) */
  want = rcvbuf_target(a->rx_mpps);
  /* What the listeners have: the kernel's default until we asked more
   * (asked only above it), then twice what we asked. */
  have = a->rcvbuf_ask ? 2 * a->rcvbuf_ask : a->rcvbuf_dflt;
  if (want <= have ||
      (want - have < have / BFD_UV__RCVBUF_STEP_DIV && want < BFD_UV__RCVBUF_AUTO_MAX))
    return;
  a->rcvbuf_ask = want / 2 + want % 2; /* the kernel doubles it */
  a->stats.rx_rcvbuf_applied = a->rcvbuf_ask;
  /* A failure is the host's loss of headroom, not an error: SO_RCVBUF
   * caps at rmem_max without CAP_NET_ADMIN and fails for nothing else. */
  for (l = a->listeners; l; l = l->next)
    (void)bfd_uv__sock_set_rcvbuf(l->fd, a->rcvbuf_ask);
}

/* A new listener in auto mode: the kernel's default from the first one,
 * what the others have from this one; then the rate so far. */
static void rcvbuf_open(bfd_uv *a, bfd_uv__listener *l) {
  uint32_t have = bfd_uv__sock_get_rcvbuf(l->fd);
  if (!a->rcvbuf_dflt)
    a->rcvbuf_dflt = have;
  if (a->rcvbuf_ask && have < 2 * a->rcvbuf_ask)
    (void)bfd_uv__sock_set_rcvbuf(l->fd, a->rcvbuf_ask);
  bfd_uv__rcvbuf_grow(a);
}

int bfd_uv_listen(bfd_uv *a, uint8_t mode, const bfd_uv_addr *local) {
  bfd_uv__sock_reporter rep;
  bfd_uv__listener *l;
  bfd_uv_addr addr;
  int fd, rc;
  if (!a || !local || a->closing || mode > BFD_MODE_MULTIHOP)
    return BFD_ERR_INVALID_ARGUMENT;
  a->last_errno = 0;
  if (local->family != BFD_AF_INET && local->family != BFD_AF_INET6)
    return BFD_ERR_CFG_KEY; /* as everywhere an address has an unknown family */
  addr = *local;
  if (addr.family == BFD_AF_INET)
    memset(addr.addr + 4, 0, 12);
  if (bfd_uv__find_listener(a, addr.family, mode, &addr))
    return 0;
  if (lhash_grow(a) != 0 || !(l = bfd_uv__calloc(a, sizeof(*l))))
    return BFD_ERR_NOMEM;
  rep.fn = bfd_uv__sock_report;
  rep.ctx = a;
  l->port = bfd_uv__listen_port(a, mode);
  fd = bfd_uv__sock_open_listener(&addr, l->port, a->settings.rx_rcvbuf, &rep);
  if (fd < 0) {
    bfd_uv__free(a, l);
    return fd;
  }
  rc = uv_poll_init(a->loop, &l->poll, fd);
  if (rc == 0)
    rc = uv_poll_start(&l->poll, UV_READABLE, poll_cb);
  if (rc != 0) {
    char msg[160];
    snprintf(msg, sizeof(msg), "uv_poll on listener: %s", uv_strerror(rc));
    a->last_errno = -rc;
    bfd_uv__report(a, BFD_ERR_IO, -rc, msg);
    close(fd);
    bfd_uv__free(a, l);
    return BFD_ERR_IO;
  }
  l->poll.data = l;
  l->a = a;
  l->fd = fd;
  /* The catch-up's set of listeners; without it, it reads every one. */
  if (a->catch_epfd == -2)
    a->catch_epfd = epoll_create1(EPOLL_CLOEXEC);
  if (a->catch_epfd >= 0) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.ptr = l;
    if (epoll_ctl(a->catch_epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
      close(a->catch_epfd); /* a listener it would miss: walk them all */
      a->catch_epfd = -1;
    }
  }
  l->mode = mode;
  l->addr = addr;
  l->next = a->listeners;
  a->listeners = l;
  {
    uint32_t b = lhash_of(addr.family, mode, &addr) & (a->lhash_size - 1);
    l->hnext = a->lhash[b];
    a->lhash[b] = l;
  }
  if (!a->first_of[addr.family == BFD_AF_INET6][mode == BFD_MODE_MULTIHOP])
    a->first_of[addr.family == BFD_AF_INET6][mode == BFD_MODE_MULTIHOP] = l;
  a->stats.listeners++;
  if (a->settings.rx_rcvbuf)
    a->stats.rx_rcvbuf_applied = a->settings.rx_rcvbuf; /* at open, as asked */
  else
    rcvbuf_open(a, l);
  return 0;
}

/* ---- RX ---------------------------------------------------------------- */

static void rx_one(bfd_uv *a, bfd_uv__listener *l, struct mmsghdr *m, const uint8_t *buf,
                   uint64_t now) {
  bfd_rx_info rx;
  bfd_uv_addr peer;
  uint16_t port;
  uint32_t ovfl;
  int rc;
  a->stats.rx_packets++;
  /* Kernel drops before this datagram was queued (a running count). */
  if (bfd_uv__sock_rxq_ovfl(&m->msg_hdr, &ovfl) && ovfl != l->ovfl) {
    uint32_t d = ovfl - l->ovfl; /* wraps */
    l->ovfl = ovfl;
    a->stats.rx_kernel_drops += d;
    a->rx_drops_new += d;
  }
  if (m->msg_hdr.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
    a->stats.rx_errors++;
    return;
  }
  memset(&rx, 0, sizeof(rx));
  rx.mode = l->mode;
  rx.family = l->addr.family;
  rx.local_port = l->port;
  if (bfd_uv__sock_from_sockaddr(m->msg_hdr.msg_name, &peer, &port) == 0 &&
      peer.family == rx.family) {
    memcpy(rx.peer, peer.addr, 16);
    rx.peer_port = port;
    rx.flags |= BFD_RX_PEER;
  }
  bfd_uv__sock_parse_cmsg(&m->msg_hdr, &rx);
  /* RFC 5881 §5 (GTSM): single-hop packets must arrive with TTL 255.
   * Checked here as well as in the core so that nothing below 255 can
   * reach responder mode or cost a table lookup. */
  if (rx.mode == BFD_MODE_SINGLE_HOP && (!(rx.flags & BFD_RX_TTL) || rx.ttl != BFD_TTL_MAX)) {
    a->stats.rx_ttl_dropped++;
    return;
  }
  /* Responder mode happens in here (the CREATED and REMOVED events). */
  rc = bfd_table_feed_packet(a->table, buf, m->msg_len, &rx, now, NULL);
  if (rc >= 0) /* 0, or BFD_FEED_ADMIN_DOWN: valid, read while AdminDown */
    a->stats.rx_accepted++;
  else if (rc == BFD_ERR_PKT_TTL)
    a->stats.rx_ttl_dropped++;
  else {
    a->stats.rx_dropped++;
    if (bfd_err_is_fatal(rc))
      bfd_uv__report_core(a, "bfd_table_feed_packet", rc);
  }
}

/* Up to `rounds` recvmmsg batches from `l`, each datagram fed at `now`.
 * Returns the datagrams read. Inside busy. */
static uint64_t read_listener(bfd_uv *a, bfd_uv__listener *l, uint64_t now, unsigned rounds) {
  unsigned batch = a->settings.rx_batch, i, round;
  uint64_t total = 0;
  int n;
  for (round = 0; round < rounds; round++) {
    for (i = 0; i < batch; i++) {
      struct msghdr *mh = &a->msgs[i].msg_hdr;
      a->iov[i].iov_base = a->bufs[i];
      a->iov[i].iov_len = BFD_UV__RX_BUF;
      mh->msg_name = &a->names[i];
      mh->msg_namelen = sizeof(a->names[i]);
      mh->msg_iov = &a->iov[i];
      mh->msg_iovlen = 1;
      mh->msg_control = a->ctrl[i];
      mh->msg_controllen = BFD_UV__RX_CTRL;
      mh->msg_flags = 0;
    }
    n = recvmmsg(l->fd, a->msgs, batch, MSG_DONTWAIT, NULL);
    if (n < 0) {
      int err = errno;
      if (err == EINTR)
        continue;
      if (err != EAGAIN && err != EWOULDBLOCK) {
        char addr[64], msg[160];
        a->stats.rx_errors++;
        bfd_uv_addr_format(addr, sizeof(addr), &l->addr);
        snprintf(msg, sizeof(msg), "recvmmsg on %s port %u: %s", addr, (unsigned)l->port,
                 strerror(err));
        bfd_uv__report(a, BFD_ERR_IO, err, msg);
      }
      break;
    }
    a->stats.rx_batches++;
    total += (unsigned)n;
    for (i = 0; i < (unsigned)n; i++)
      rx_one(a, l, &a->msgs[i], a->bufs[i], now);
    if ((unsigned)n < batch)
      break;
  }
  return total;
}

/* A deadline is overdue (a long wake-up): what waits in the kernel is
 * read before the table acts on timeouts, so a packet that arrived in
 * time cannot let its session expire. Every listener with data, until
 * empty (at most BFD_UV__CATCH_UP_ROUNDS batches each). */
void bfd_uv__rx_catch_up(bfd_uv *a, uint64_t now) {
  bfd_uv__listener *l;
  a->busy++;
  a->stats.catch_ups++;
  if (a->catch_epfd >= 0) {
    /* Only the listeners with something to read: O(ready), not one
     * recvmmsg per listener (a host may have thousands). Level-triggered,
     * so libuv's own epoll set still sees what is left. */
    struct epoll_event ev[64];
    int n, i, pass;
    for (pass = 0; pass < BFD_UV__CATCH_UP_ROUNDS; pass++) {
      n = epoll_wait(a->catch_epfd, ev, 64, 0);
      for (i = 0; i < n; i++)
        a->stats.rx_catch_up += read_listener(a, ev[i].data.ptr, now, BFD_UV__CATCH_UP_ROUNDS);
      if (n < 64)
        break;
    }
  } else {
    for (l = a->listeners; l; l = l->next)
      a->stats.rx_catch_up += read_listener(a, l, now, BFD_UV__CATCH_UP_ROUNDS);
  }
  a->busy--;
}

static void poll_cb(uv_poll_t *h, int status, int events) {
  bfd_uv__listener *l = h->data;
  bfd_uv *a = l->a;
  uint64_t now;
  (void)events;
  if (status < 0) {
    char msg[120];
    snprintf(msg, sizeof(msg), "poll on listener: %s", uv_strerror(status));
    bfd_uv__report(a, BFD_ERR_IO, -status, msg);
    return;
  }
  now = uv_hrtime();
  a->busy++;
  (void)read_listener(a, l, now, BFD_UV__RX_ROUNDS);
  a->busy--;
  bfd_uv__service(a, now);
}
