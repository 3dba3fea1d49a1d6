/* libuv adapter: a bfd_table on real UDP sockets. See include/bfd/bfd_uv.h.
 * Linux only; _GNU_SOURCE comes from CMake (recvmmsg).
 *
 * Protocol behaviour is the core's: responder mode is the table's
 * (bfd_table_set_responder), removal is bfd_session_goodbye(). The adapter
 * keeps one bfd_uv_peer (TX socket, counters) per session, created with
 * the session (bfd_uv_peer_add, or the core's CREATED event for responder
 * sessions) and freed with it (the core's REMOVED event, or a silent
 * delete). */
#include <bfd/bfd_uv.h>

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bfd_uv_sock.h"

#define RX_BATCH_MAX 64
#define RX_BUF       256 /* BFD packets are <= 52 bytes; padding allowed */
#define RX_CTRL      128
#define RX_ROUNDS    8 /* recvmmsg batches per wake-up before yielding */

typedef struct bfd_uv_listener {
  uv_poll_t poll;
  bfd_uv *a;
  int fd;
  uint8_t mode;
  uint16_t port;
  bfd_uv_addr addr;
  struct bfd_uv_listener *next;
} bfd_uv_listener;

typedef struct bfd_uv_peer {
  bfd_uv *a;
  bfd_session *s;
  void *user_data;
  struct bfd_uv_peer *prev, *next;
  int fd;
  uint16_t src_port;
  uint16_t peer_port;
  uint8_t auto_created;
  uint8_t mode;
  uint8_t tx_failing; /* report the first failure of a run only */
  uint8_t goodbye;    /* removed: the core says goodbye; freed on REMOVED */
  uint32_t ifindex;
  char ifname[IF_NAMESIZE];
  bfd_uv_addr peer, local;
  struct sockaddr_storage dst;
  socklen_t dstlen;
  uint64_t tx_packets, tx_errors;
} bfd_uv_peer;

struct bfd_uv {
  uv_loop_t *loop;
  const bfd_mem *mem;
  void *user_data;
  bfd_uv_settings settings;
  bfd_callbacks host_cbs;
  bfd_uv_callbacks uv_cbs;
  bfd_table *table;
  uv_timer_t timer;
  uint64_t armed_ms; /* UINT64_MAX: not armed */
  uint64_t armed_deadline;
  bfd_uv_listener *listeners;
  bfd_uv_peer *peers;
  uint32_t n_goodbye; /* peers saying goodbye (removed, or shutdown) */
  uint16_t port_cursor;
  int busy;          /* inside a core call: reject re-entry */
  int closing;       /* bfd_uv_del() / _shutdown(): goodbyes may still run */
  int finished;      /* the table is gone, the handles are closing */
  int del_requested; /* asked from a callback: do_del() when it ends */
  int del_graceful;  /* ...as bfd_uv_shutdown() */
  unsigned pending_close;
  bfd_uv_closed_cb closed_cb;
  bfd_uv_stats stats;
  struct mmsghdr msgs[RX_BATCH_MAX];
  struct iovec iov[RX_BATCH_MAX];
  struct sockaddr_storage names[RX_BATCH_MAX];
  uint8_t bufs[RX_BATCH_MAX][RX_BUF];
  uint8_t ctrl[RX_BATCH_MAX][RX_CTRL] __attribute__((aligned(8)));
};

/* ---- memory ------------------------------------------------------------ */

static void *mem_calloc(const bfd_uv *a, size_t n) {
  return a->mem->calloc(1, n, a->mem->user_data);
}
static void mem_free(const bfd_uv *a, void *p) { a->mem->free(p, a->mem->user_data); }

/* ---- error reporting --------------------------------------------------- */

static void report(bfd_uv *a, int code, int sys_errno, const char *msg) {
  if (a->uv_cbs.error)
    a->uv_cbs.error(a, code, sys_errno, msg, a->user_data);
}

static void sock_report(void *ctx, int sys_errno, const char *msg) {
  report((bfd_uv *)ctx, BFD_ERR_IO, sys_errno, msg);
}

static void report_core(bfd_uv *a, const char *op, int rc) {
  char msg[160];
  snprintf(msg, sizeof(msg), "%s: %s", op, bfd_strerror(rc));
  report(a, rc, 0, msg);
}

/* ---- public init functions -------------------------------------------- */

int bfd_uv_settings_init(uint32_t version, bfd_uv_settings *s) {
  if (!s)
    return BFD_ERR_INVALID_ARGUMENT;
  if (version != BFD_UV_SETTINGS_VERSION)
    return BFD_ERR_VERSION;
  memset(s, 0, sizeof(*s));
  s->struct_version = version;
  s->auto_desired_min_tx_us = 300000;
  s->auto_required_min_rx_us = 300000;
  s->auto_detect_mult = 3;
  s->auto_listen = 1;
  s->rx_batch = 32;
  return 0;
}

int bfd_uv_callbacks_init(uint32_t version, bfd_uv_callbacks *cb) {
  if (!cb)
    return BFD_ERR_INVALID_ARGUMENT;
  if (version != BFD_UV_CALLBACKS_VERSION)
    return BFD_ERR_VERSION;
  memset(cb, 0, sizeof(*cb));
  cb->struct_version = version;
  return 0;
}

int bfd_uv_peer_config_init(uint32_t version, bfd_uv_peer_config *cfg) {
  if (!cfg)
    return BFD_ERR_INVALID_ARGUMENT;
  if (version != BFD_UV_PEER_CONFIG_VERSION)
    return BFD_ERR_VERSION;
  memset(cfg, 0, sizeof(*cfg));
  cfg->struct_version = version;
  cfg->desired_min_tx_us = 300000;
  cfg->required_min_rx_us = 300000;
  cfg->detect_mult = 3;
  cfg->mode = BFD_MODE_SINGLE_HOP;
  cfg->nexthop_policy = BFD_NHS_DOWN_UNTIL_UP;
  return 0;
}

/* ---- timer ------------------------------------------------------------- */

static void timer_cb(uv_timer_t *t);

/* Arm the one timer for the table's next deadline. The deadline is rounded
 * UP to the loop's millisecond clock, which is the same CLOCK_MONOTONIC base
 * as uv_hrtime() but never ahead of it, so the timer never fires early. */
static void rearm(bfd_uv *a) {
  uint64_t d, due_ms, now_ms;
  if (a->finished)
    return;
  d = bfd_table_next_deadline(a->table);
  if (d == BFD_TSTAMP_NONE) {
    uv_timer_stop(&a->timer);
    a->armed_ms = UINT64_MAX;
    return;
  }
  due_ms = d / BFD_MILLISECONDS + (d % BFD_MILLISECONDS ? 1 : 0);
  a->armed_deadline = d;
  if (due_ms == a->armed_ms && uv_is_active((uv_handle_t *)&a->timer))
    return;
  now_ms = uv_now(a->loop);
  uv_timer_start(&a->timer, timer_cb, due_ms > now_ms ? due_ms - now_ms : 0, 0);
  a->armed_ms = due_ms;
}

/* ---- TX ---------------------------------------------------------------- */

static void send_peer(bfd_uv_peer *p, const uint8_t *buf, size_t len) {
  bfd_uv *a = p->a;
  ssize_t r = sendto(p->fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&p->dst, p->dstlen);
  if (r < 0) {
    /* Counted and dropped: the next packet is the retry. Never queued. */
    int err = errno;
    p->tx_errors++;
    a->stats.tx_errors++;
    if (!p->tx_failing) {
      char addr[64], msg[200];
      bfd_uv_addr_format(addr, sizeof(addr), &p->peer);
      snprintf(msg, sizeof(msg), "sendto %s port %u from port %u: %s", addr, (unsigned)p->peer_port,
               (unsigned)p->src_port, strerror(err));
      p->tx_failing = 1;
      report(a, BFD_ERR_IO, err, msg);
    }
    return;
  }
  p->tx_failing = 0;
  p->tx_packets++;
  a->stats.tx_packets++;
}

static void drain(bfd_uv *a, uint64_t now) {
  uint8_t buf[BFD_CTRL_LEN_MAX];
  bfd_session *s;
  ptrdiff_t n;
  while ((n = bfd_table_poll_packet(a->table, &s, buf, sizeof(buf), now)) > 0) {
    bfd_uv_peer *p = bfd_session_get_user_data(s);
    if (p)
      send_peer(p, buf, (size_t)n);
  }
  if (n < 0)
    report_core(a, "bfd_table_poll_packet", (int)n);
}

/* ---- peers: bookkeeping ------------------------------------------------ */

static uint16_t listen_port(const bfd_uv *a, uint8_t mode) {
  if (mode == BFD_MODE_MULTIHOP)
    return a->settings.port_multihop ? a->settings.port_multihop : BFD_PORT_MULTIHOP;
  return a->settings.port_single_hop ? a->settings.port_single_hop : BFD_PORT_SINGLE_HOP;
}

static int is_link_local6(const bfd_uv_addr *x) {
  return x->family == BFD_AF_INET6 && x->addr[0] == 0xfe && (x->addr[1] & 0xc0) == 0x80;
}

/* Fill the transport half of a peer and open its TX socket: `local` (the
 * wildcard or an address, link-local scope set), `ifname` for
 * SO_BINDTODEVICE ("" = none). Returns 0, BFD_ERR_CFG_KEY or BFD_ERR_IO
 * (reported through the error callback). */
static int peer_open(bfd_uv *a, bfd_uv_peer *p, const bfd_uv_addr *peer, const bfd_uv_addr *local,
                     const char *ifname, uint32_t ifindex, uint8_t mode, uint16_t peer_port) {
  bfd_uv_sock_reporter rep;
  p->a = a;
  p->fd = -1;
  p->mode = mode;
  p->ifindex = ifindex;
  {
    size_t n = strnlen(ifname, sizeof(p->ifname) - 1);
    memcpy(p->ifname, ifname, n);
    p->ifname[n] = '\0';
  }
  p->peer = *peer;
  p->peer.ifindex = is_link_local6(peer) ? ifindex : 0;
  p->local = *local;
  p->peer_port = peer_port;
  if (bfd_uv_sock_to_sockaddr(&p->peer, p->peer_port, &p->dst, &p->dstlen) < 0)
    return BFD_ERR_CFG_KEY;
  rep.fn = sock_report;
  rep.ctx = a;
  p->fd = bfd_uv_sock_open_tx(local, p->ifname, &a->port_cursor, &p->src_port, &rep);
  return p->fd < 0 ? BFD_ERR_IO : 0;
}

static void peer_link(bfd_uv *a, bfd_uv_peer *p) {
  p->prev = NULL;
  p->next = a->peers;
  if (a->peers)
    a->peers->prev = p;
  a->peers = p;
  a->stats.sessions++;
}

/* The session is gone (or going): unlink, close the socket, free. */
static void peer_free(bfd_uv_peer *p) {
  bfd_uv *a = p->a;
  if (p->prev)
    p->prev->next = p->next;
  else
    a->peers = p->next;
  if (p->next)
    p->next->prev = p->prev;
  if (p->fd >= 0)
    close(p->fd);
  if (p->goodbye)
    a->n_goodbye--;
  a->stats.sessions--;
  mem_free(a, p);
}

/* Delete a session at once, without a word to the peer (its clearing
 * nexthop event, if due, is delivered), and its peer. */
static void peer_del_silent(bfd_uv_peer *p) {
  bfd_session_del(p->s);
  peer_free(p);
}

/* Removal through the core's goodbye (RFC 5880 §6.8.16, RFC 5882 §3.2:
 * AdminDown with diag 7 is not a path failure), as any host has it: the
 * core sends the AdminDown packets (signed, at the allowed rate, none from
 * a passive session that never heard its peer, §6.8.7) and REMOVED then
 * frees the peer. Marked first: the host's pointer is dropped, nothing of
 * this session reaches the host any more. */
static void peer_mark_goodbye(bfd_uv_peer *p) {
  if (p->goodbye)
    return;
  p->goodbye = 1;
  p->user_data = NULL;
  p->a->n_goodbye++;
}

static void peer_goodbye(bfd_uv_peer *p, uint64_t now) {
  bfd_uv *a = p->a;
  int rc;
  peer_mark_goodbye(p);
  if ((rc = bfd_session_goodbye(p->s, now)) < 0) /* may free p */
    report_core(a, "bfd_session_goodbye", rc);
}

/* ---- core callback trampolines ---------------------------------------- */

static int tramp_state(bfd_session *s, const bfd_state_event *ev, void *ud) {
  bfd_uv *a = ud;
  return a->host_cbs.state_change ? a->host_cbs.state_change(s, ev, a->user_data) : 0;
}

static int tramp_nexthop(bfd_session *s, const bfd_nexthop_event *ev, void *ud) {
  bfd_uv *a = ud;
  return a->host_cbs.nexthop ? a->host_cbs.nexthop(s, ev, a->user_data) : 0;
}

static void tramp_rand(uint8_t *dest, size_t len, void *ud) {
  bfd_uv *a = ud;
  a->host_cbs.rand(dest, len, a->user_data);
}

/* Responder mode: the core found a packet that may start a session; the
 * host's new_peer has the last word. Nothing new once closing. */
static int tramp_accept(bfd_table *t, const bfd_rx_info *rx, void *ud) {
  bfd_uv *a = ud;
  (void)t;
  if (a->closing)
    return 1;
  return a->uv_cbs.new_peer ? a->uv_cbs.new_peer(a, rx, a->user_data) : 0;
}

/* The core created a responder session: give it a peer and a TX socket
 * (bound to the address the packet came to, replying to our own listening
 * port for the mode). Nonzero refuses it. */
static int responder_created(bfd_uv *a, bfd_session *s) {
  bfd_session_key key;
  bfd_uv_addr peer, local;
  bfd_uv_peer *p;
  size_t alen;
  int rc;
  if (bfd_session_get_key(s, &key) != 0 || !(p = mem_calloc(a, sizeof(*p))))
    return 1;
  alen = key.family == BFD_AF_INET ? 4 : 16;
  memset(&peer, 0, sizeof(peer));
  memset(&local, 0, sizeof(local));
  peer.family = local.family = key.family;
  memcpy(peer.addr, key.peer, alen);
  memcpy(local.addr, key.local, alen);
  if (is_link_local6(&local))
    local.ifindex = key.ifindex;
  rc = peer_open(a, p, &peer, &local, "", key.ifindex, key.mode, listen_port(a, key.mode));
  if (rc < 0) {
    if (p->fd >= 0)
      close(p->fd);
    mem_free(a, p);
    return 1;
  }
  p->s = s;
  p->auto_created = 1;
  bfd_session_set_user_data(s, p);
  peer_link(a, p);
  a->stats.auto_sessions++;
  if (a->uv_cbs.peer_created)
    a->uv_cbs.peer_created(a, s, a->user_data);
  return 0;
}

/* Lifecycle: CREATED (responder mode) and REMOVED (reaped, or a goodbye
 * done): the last moment `s` is valid. */
static int tramp_session(bfd_session *s, const bfd_session_event *ev, void *ud) {
  bfd_uv *a = ud;
  bfd_uv_peer *p = bfd_session_get_user_data(s);
  if (ev->kind == BFD_SESSION_EV_CREATED)
    return responder_created(a, s);
  if (ev->kind != BFD_SESSION_EV_REMOVED || !p)
    return 0;
  if (ev->reason == BFD_SESSION_REMOVED_REAPED && a->uv_cbs.peer_deleted)
    a->uv_cbs.peer_deleted(a, s, a->user_data);
  peer_free(p);
  return 0;
}

/* ---- the dispatch ------------------------------------------------------ */

static void do_del(bfd_uv *a, int graceful);
static void finish(bfd_uv *a);

/* After every RX batch, timer fire and API change: expire, send what is
 * due, re-arm; then a deferred bfd_uv_del(), or the end of the last
 * goodbye after one. */
static void service(bfd_uv *a, uint64_t now) {
  int rc;
  if (a->finished)
    return;
  a->busy++;
  rc = bfd_table_feed_time(a->table, now);
  if (rc < 0)
    report_core(a, "bfd_table_feed_time", rc);
  drain(a, now);
  a->busy--;
  rearm(a);
  if (a->busy)
    return;
  if (a->del_requested)
    do_del(a, a->del_graceful);
  else if (a->closing && a->n_goodbye == 0)
    finish(a);
}

static void timer_cb(uv_timer_t *t) {
  bfd_uv *a = t->data;
  uint64_t now = uv_hrtime();
  a->stats.timer_fires++;
  if (now > a->armed_deadline + 2 * BFD_MILLISECONDS)
    a->stats.timer_late++;
  a->armed_ms = UINT64_MAX;
  service(a, now);
}

/* ---- listeners --------------------------------------------------------- */

static void poll_cb(uv_poll_t *h, int status, int events);

static bfd_uv_listener *find_listener(const bfd_uv *a, uint8_t family, uint8_t mode,
                                      const bfd_uv_addr *addr) {
  bfd_uv_listener *l;
  for (l = a->listeners; l; l = l->next)
    if (l->addr.family == family && l->mode == mode &&
        (!addr || (memcmp(l->addr.addr, addr->addr, 16) == 0 && l->addr.ifindex == addr->ifindex)))
      return l;
  return NULL;
}

int bfd_uv_listen(bfd_uv *a, uint8_t mode, const bfd_uv_addr *local) {
  bfd_uv_sock_reporter rep;
  bfd_uv_listener *l;
  bfd_uv_addr addr;
  int fd, rc;
  if (!a || !local || a->closing || mode > BFD_MODE_MULTIHOP ||
      (local->family != BFD_AF_INET && local->family != BFD_AF_INET6))
    return BFD_ERR_INVALID_ARGUMENT;
  addr = *local;
  if (addr.family == BFD_AF_INET)
    memset(addr.addr + 4, 0, 12);
  if (find_listener(a, addr.family, mode, &addr))
    return 0;
  l = mem_calloc(a, sizeof(*l));
  if (!l)
    return BFD_ERR_NOMEM;
  rep.fn = sock_report;
  rep.ctx = a;
  l->port = listen_port(a, mode);
  fd = bfd_uv_sock_open_listener(&addr, l->port, &rep);
  if (fd < 0) {
    mem_free(a, l);
    return fd == BFD_ERR_CFG_KEY ? BFD_ERR_INVALID_ARGUMENT : BFD_ERR_IO;
  }
  rc = uv_poll_init(a->loop, &l->poll, fd);
  if (rc == 0)
    rc = uv_poll_start(&l->poll, UV_READABLE, poll_cb);
  if (rc != 0) {
    char msg[160];
    snprintf(msg, sizeof(msg), "uv_poll on listener: %s", uv_strerror(rc));
    report(a, BFD_ERR_IO, -rc, msg);
    close(fd);
    mem_free(a, l);
    return BFD_ERR_IO;
  }
  l->poll.data = l;
  l->a = a;
  l->fd = fd;
  l->mode = mode;
  l->addr = addr;
  l->next = a->listeners;
  a->listeners = l;
  a->stats.listeners++;
  return 0;
}

/* ---- peers: the API ---------------------------------------------------- */

static int check_flags(const bfd_uv_peer_config *c) {
  return c->passive <= 1 && c->admin_down <= 1;
}

static void cfg_to_settings(const bfd_uv_peer_config *c, bfd_session_settings *s) {
  s->local_discr = c->local_discr;
  s->desired_min_tx_us = c->desired_min_tx_us;
  s->required_min_rx_us = c->required_min_rx_us;
  s->detect_mult = c->detect_mult;
  s->mode = c->mode;
  s->passive = c->passive;
  s->admin_down = c->admin_down;
  s->nexthop_policy = c->nexthop_policy;
  s->min_rx_ttl = c->min_rx_ttl;
}

/* A removed peer (saying goodbye) holding `s`'s key or discriminator. */
static bfd_uv_peer *saying_goodbye(bfd_session *s) {
  bfd_uv_peer *p = s ? bfd_session_get_user_data(s) : NULL;
  return p && p->goodbye ? p : NULL;
}

static int peer_add(bfd_uv *a, bfd_session **psession, const bfd_uv_peer_config *cfg,
                    void *peer_user_data, uint64_t now) {
  bfd_session_settings ss;
  bfd_session_key key;
  bfd_uv_addr local;
  bfd_uv_peer *p, *old;
  bfd_session *dup;
  uint32_t ifindex = 0;
  int rc;
  uint8_t fam = cfg->peer.family;

  if (fam != BFD_AF_INET && fam != BFD_AF_INET6)
    return BFD_ERR_CFG_KEY;
  if (cfg->mode > BFD_MODE_MULTIHOP)
    return BFD_ERR_CFG_MODE;
  if (!check_flags(cfg))
    return BFD_ERR_CFG_FLAG;
  if (memchr(cfg->ifname, '\0', sizeof(cfg->ifname)) == NULL)
    return BFD_ERR_CFG_KEY;
  /* A bad key is a configuration error, never "no authentication". */
  if (cfg->auth_key.type != BFD_AUTH_NONE && (rc = bfd_auth_key_check(&cfg->auth_key)) != 0)
    return rc;
  local = cfg->local;
  if (local.family == 0) {
    memset(&local, 0, sizeof(local));
    local.family = fam;
  } else if (local.family != fam) {
    return BFD_ERR_CFG_KEY;
  }
  if (cfg->ifname[0]) {
    ifindex = if_nametoindex(cfg->ifname);
    if (!ifindex) {
      char msg[80];
      int err = errno;
      snprintf(msg, sizeof(msg), "interface %.16s: %s", cfg->ifname, strerror(err));
      report(a, BFD_ERR_CFG_KEY, err, msg);
      return BFD_ERR_CFG_KEY;
    }
  } else if (cfg->peer.ifindex) {
    ifindex = cfg->peer.ifindex;
  }
  /* A link-local peer is only meaningful with its interface. */
  if (is_link_local6(&cfg->peer) && !ifindex)
    return BFD_ERR_CFG_KEY;
  if (is_link_local6(&local))
    local.ifindex = ifindex;
  else
    local.ifindex = 0;

  rc = bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &ss);
  if (rc < 0)
    return rc;
  cfg_to_settings(cfg, &ss);
  rc = bfd_session_settings_check(&ss);
  if (rc < 0)
    return rc;

  memset(&key, 0, sizeof(key));
  key.mode = cfg->mode;
  key.family = fam;
  /* Interface-bound and link-local sessions are keyed by interface so that
   * the same link-local address on two links stays two sessions. */
  key.ifindex = ifindex;
  memcpy(key.local, local.addr, fam == BFD_AF_INET ? 4 : 16);
  memcpy(key.peer, cfg->peer.addr, fam == BFD_AF_INET ? 4 : 16);
  dup = bfd_table_find_key(a->table, &key);
  if (dup && !saying_goodbye(dup))
    return BFD_ERR_EXISTS;

  if (a->settings.auto_listen && !find_listener(a, fam, cfg->mode, NULL)) {
    bfd_uv_addr any;
    memset(&any, 0, sizeof(any));
    any.family = fam;
    rc = bfd_uv_listen(a, cfg->mode, &any);
    if (rc < 0)
      return rc;
  }

  p = mem_calloc(a, sizeof(*p));
  if (!p)
    return BFD_ERR_NOMEM;
  p->user_data = peer_user_data;
  rc = peer_open(a, p, &cfg->peer, &local, cfg->ifname, ifindex, cfg->mode,
                 cfg->peer_port ? cfg->peer_port
                 : cfg->mode == BFD_MODE_MULTIHOP ? BFD_PORT_MULTIHOP : BFD_PORT_SINGLE_HOP);
  if (rc < 0) {
    if (p->fd >= 0)
      close(p->fd);
    mem_free(a, p);
    return rc;
  }
  a->busy++;
  /* A removed peer configured again: the new session takes over at once,
   * its goodbye ends (the peer has had our first AdminDown). */
  if ((old = saying_goodbye(bfd_table_find_key(a->table, &key))) != NULL)
    peer_del_silent(old);
  if (ss.local_discr && (old = saying_goodbye(bfd_table_find_discr(a->table, ss.local_discr))))
    peer_del_silent(old);
  rc = bfd_table_add_session(a->table, &p->s, &ss, &key, p, now);
  /* Before anything is polled: the first packet is already authenticated. */
  if (rc == 0 && cfg->auth_key.type != BFD_AUTH_NONE &&
      (rc = bfd_session_auth_add_key(p->s, &cfg->auth_key)) != 0)
    bfd_session_del(p->s);
  a->busy--;
  if (rc < 0) {
    close(p->fd);
    mem_free(a, p);
    return rc;
  }
  peer_link(a, p);
  if (psession)
    *psession = p->s;
  return 0;
}

int bfd_uv_peer_add(bfd_uv *a, bfd_session **psession, const bfd_uv_peer_config *cfg,
                    void *peer_user_data) {
  uint64_t now;
  int rc;
  if (!a || !cfg || a->busy || a->closing)
    return BFD_ERR_INVALID_ARGUMENT;
  if (cfg->struct_version != BFD_UV_PEER_CONFIG_VERSION)
    return BFD_ERR_VERSION;
  now = uv_hrtime();
  rc = peer_add(a, psession, cfg, peer_user_data, now);
  if (rc == 0)
    service(a, now);
  else if (a->del_requested && !a->busy)
    do_del(a, a->del_graceful); /* a callback asked for it while the add failed */
  return rc;
}

/* One of this adapter's live peers (not one saying goodbye). */
static bfd_uv_peer *own_peer(const bfd_uv *a, const bfd_session *s) {
  bfd_uv_peer *p;
  if (!a || !s)
    return NULL;
  p = bfd_session_get_user_data(s);
  return p && p->a == a && p->s == s && !p->goodbye ? p : NULL;
}

int bfd_uv_peer_update(bfd_uv *a, bfd_session *s, const bfd_uv_peer_config *cfg) {
  bfd_session_settings ss;
  bfd_uv_peer *p = own_peer(a, s);
  uint64_t now;
  int rc;
  if (!p || !cfg || a->busy || a->closing)
    return BFD_ERR_INVALID_ARGUMENT;
  if (cfg->struct_version != BFD_UV_PEER_CONFIG_VERSION)
    return BFD_ERR_VERSION;
  if (cfg->mode != p->mode || cfg->peer.family != p->peer.family ||
      memcmp(cfg->peer.addr, p->peer.addr, 16) != 0 ||
      (cfg->local.family && memcmp(cfg->local.addr, p->local.addr, 16) != 0) ||
      strncmp(cfg->ifname, p->ifname, sizeof(cfg->ifname)) != 0 ||
      (cfg->peer_port && cfg->peer_port != p->peer_port))
    return BFD_ERR_CFG_IMMUTABLE;
  if (!check_flags(cfg))
    return BFD_ERR_CFG_FLAG;
  rc = bfd_session_get_settings(s, &ss);
  if (rc < 0)
    return rc;
  cfg_to_settings(cfg, &ss);
  if (cfg->local_discr == 0)
    ss.local_discr = bfd_session_get_local_discr(s);
  now = uv_hrtime();
  a->busy++;
  rc = bfd_session_update(s, &ss, now); /* a reaped responder session is freed here */
  a->busy--;
  service(a, now);
  return rc;
}

int bfd_uv_peer_remove(bfd_uv *a, bfd_session *s) {
  bfd_uv_peer *p = own_peer(a, s);
  uint64_t now;
  if (!p || a->busy || a->closing)
    return BFD_ERR_INVALID_ARGUMENT;
  now = uv_hrtime();
  a->busy++;
  peer_goodbye(p, now);
  a->busy--;
  service(a, now); /* sends the first AdminDown of the goodbye */
  return 0;
}

void *bfd_uv_peer_get_user_data(const bfd_session *s) {
  bfd_uv_peer *p = s ? bfd_session_get_user_data(s) : NULL;
  return p ? p->user_data : NULL;
}

int bfd_uv_peer_get_info(const bfd_session *s, bfd_uv_peer_info *info) {
  bfd_uv_peer *p;
  if (!s || !info || !(p = bfd_session_get_user_data(s)))
    return BFD_ERR_INVALID_ARGUMENT;
  if (info->struct_version != BFD_UV_PEER_INFO_VERSION)
    return BFD_ERR_VERSION;
  memset(info, 0, sizeof(*info));
  info->struct_version = BFD_UV_PEER_INFO_VERSION;
  info->tx_fd = p->fd;
  info->src_port = p->src_port;
  info->auto_created = p->auto_created;
  info->ifindex = p->ifindex;
  info->tx_packets = p->tx_packets;
  info->tx_errors = p->tx_errors;
  return 0;
}

/* ---- responder mode ---------------------------------------------------- */

int bfd_uv_set_responder(bfd_uv *a, const bfd_responder_settings *rs) {
  if (!a || !rs || a->busy || a->closing)
    return BFD_ERR_INVALID_ARGUMENT;
  return bfd_table_set_responder(a->table, rs);
}

/* bfd_uv_settings.auto_* as the table's responder mode: single-hop (the
 * core's template has one mode), the core's defaults otherwise. */
static int auto_responder(bfd_uv *a) {
  const bfd_uv_settings *us = &a->settings;
  bfd_responder_settings rs;
  int rc = bfd_responder_settings_init(BFD_RESPONDER_SETTINGS_VERSION, &rs);
  if (rc < 0)
    return rc;
  rs.max_sessions = us->max_auto_sessions;
  rs.session.desired_min_tx_us = us->auto_desired_min_tx_us;
  rs.session.required_min_rx_us = us->auto_required_min_rx_us;
  rs.session.detect_mult = us->auto_detect_mult;
  rs.session.mode = BFD_MODE_SINGLE_HOP;
  if (us->auto_auth_key.type != BFD_AUTH_NONE) {
    rs.nkeys = 1;
    rs.keys[0] = us->auto_auth_key;
    rs.tx_key_id = us->auto_auth_key.key_id;
  }
  rc = bfd_table_set_responder(a->table, &rs);
  memset(&rs, 0, sizeof(rs)); /* the secret */
  return rc;
}

/* ---- RX ---------------------------------------------------------------- */

static void rx_one(bfd_uv *a, const bfd_uv_listener *l, struct mmsghdr *m, const uint8_t *buf,
                   uint64_t now) {
  bfd_rx_info rx;
  bfd_uv_addr peer;
  uint16_t port;
  int rc;
  a->stats.rx_packets++;
  if (m->msg_hdr.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
    a->stats.rx_errors++;
    return;
  }
  memset(&rx, 0, sizeof(rx));
  rx.mode = l->mode;
  rx.family = l->addr.family;
  rx.local_port = l->port;
  if (bfd_uv_sock_from_sockaddr(m->msg_hdr.msg_name, &peer, &port) == 0 &&
      peer.family == rx.family) {
    memcpy(rx.peer, peer.addr, 16);
    rx.peer_port = port;
    rx.flags |= BFD_RX_PEER;
  }
  bfd_uv_sock_parse_cmsg(&m->msg_hdr, &rx);
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
      report_core(a, "bfd_table_feed_packet", rc);
  }
}

static void poll_cb(uv_poll_t *h, int status, int events) {
  bfd_uv_listener *l = h->data;
  bfd_uv *a = l->a;
  unsigned batch = a->settings.rx_batch, i, round;
  uint64_t now;
  int n = 0;
  (void)events;
  if (status < 0) {
    char msg[120];
    snprintf(msg, sizeof(msg), "poll on listener: %s", uv_strerror(status));
    report(a, BFD_ERR_IO, -status, msg);
    return;
  }
  now = uv_hrtime();
  a->busy++;
  for (round = 0; round < RX_ROUNDS; round++) {
    for (i = 0; i < batch; i++) {
      struct msghdr *mh = &a->msgs[i].msg_hdr;
      a->iov[i].iov_base = a->bufs[i];
      a->iov[i].iov_len = RX_BUF;
      mh->msg_name = &a->names[i];
      mh->msg_namelen = sizeof(a->names[i]);
      mh->msg_iov = &a->iov[i];
      mh->msg_iovlen = 1;
      mh->msg_control = a->ctrl[i];
      mh->msg_controllen = RX_CTRL;
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
        report(a, BFD_ERR_IO, err, msg);
      }
      break;
    }
    a->stats.rx_batches++;
    for (i = 0; i < (unsigned)n; i++)
      rx_one(a, l, &a->msgs[i], a->bufs[i], now);
    if ((unsigned)n < batch)
      break;
  }
  a->busy--;
  service(a, now);
}

/* ---- lifecycle --------------------------------------------------------- */

/* Bytes of a caller's bfd_callbacks of `version` (1..current), 0 if
 * unknown: fields are only appended (bfd.h, versioned structs). */
static size_t core_cbs_size(uint32_t version) {
  if (version == 1)
    return offsetof(bfd_callbacks, session);
  if (version == 2)
    return offsetof(bfd_callbacks, responder_accept) + sizeof(bfd_responder_accept_cb);
  return version == BFD_CALLBACKS_VERSION ? sizeof(bfd_callbacks) : 0;
}

int bfd_uv_new(bfd_uv **pa, uv_loop_t *loop, const bfd_uv_settings *settings,
               const bfd_callbacks *core_cbs, const bfd_uv_callbacks *uv_cbs, const bfd_mem *mem,
               void *user_data) {
  bfd_callbacks cbs, host;
  bfd_uv *a;
  uint16_t r16 = 0;
  int rc;
  if (!pa || !loop)
    return BFD_ERR_INVALID_ARGUMENT;
  if ((settings && settings->struct_version != BFD_UV_SETTINGS_VERSION) ||
      (core_cbs && core_cbs_size(core_cbs->struct_version) == 0) ||
      (uv_cbs && uv_cbs->struct_version != BFD_UV_CALLBACKS_VERSION))
    return BFD_ERR_VERSION;
  memset(&host, 0, sizeof(host));
  if (core_cbs)
    memcpy(&host, core_cbs, core_cbs_size(core_cbs->struct_version));
  /* Lifecycle and the veto are the adapter's own (peer_created,
   * peer_deleted, new_peer): refuse rather than ignore them. */
  if (host.session || host.responder_accept)
    return BFD_ERR_INVALID_ARGUMENT;
  if (settings && settings->auto_auth_key.type != BFD_AUTH_NONE &&
      (rc = bfd_auth_key_check(&settings->auto_auth_key)) != 0)
    return rc;
  if (settings &&
      (settings->rx_batch < 1 || settings->rx_batch > RX_BATCH_MAX || settings->auto_listen > 1))
    return BFD_ERR_INVALID_ARGUMENT;
  if (!mem)
    mem = bfd_mem_default();
  a = mem->calloc(1, sizeof(*a), mem->user_data);
  if (!a)
    return BFD_ERR_NOMEM;
  a->mem = mem;
  a->loop = loop;
  a->user_data = user_data;
  if (settings)
    a->settings = *settings;
  else
    bfd_uv_settings_init(BFD_UV_SETTINGS_VERSION, &a->settings);
  a->host_cbs = host;
  a->host_cbs.struct_version = BFD_CALLBACKS_VERSION;
  if (uv_cbs)
    a->uv_cbs = *uv_cbs;
  a->armed_ms = UINT64_MAX;
  a->stats.struct_version = BFD_UV_STATS_VERSION;

  bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cbs);
  cbs.state_change = tramp_state;
  cbs.nexthop = tramp_nexthop;
  cbs.rand = a->host_cbs.rand ? tramp_rand : NULL;
  cbs.session = tramp_session;
  cbs.responder_accept = tramp_accept;
  rc = bfd_table_new(&a->table, &cbs, mem, a);
  if (rc == 0 && a->settings.max_auto_sessions > 0 && (rc = auto_responder(a)) != 0)
    bfd_table_del(a->table);
  memset(&a->settings.auto_auth_key, 0, sizeof(a->settings.auto_auth_key)); /* the table's now */
  if (rc < 0) {
    mem_free(a, a);
    return rc;
  }
  /* A random first source port spreads restarts over the range; a fresh
   * process does not reuse the ports of the one that just died (the peer
   * may still hold state keyed on them). */
  if (uv_random(NULL, NULL, &r16, sizeof(r16), 0, NULL) != 0)
    r16 = (uint16_t)(uv_hrtime() ^ (uint64_t)getpid());
  a->port_cursor = (uint16_t)(BFD_SRC_PORT_MIN + r16 % (BFD_SRC_PORT_MAX - BFD_SRC_PORT_MIN + 1));
  uv_timer_init(loop, &a->timer);
  a->timer.data = a;
  *pa = a;
  return 0;
}

static void handle_closed(uv_handle_t *h) {
  bfd_uv *a;
  if (h->type == UV_POLL) {
    bfd_uv_listener *l = h->data;
    a = l->a;
    close(l->fd);
    mem_free(a, l);
  } else {
    a = h->data;
  }
  if (--a->pending_close == 0) {
    if (a->closed_cb)
      a->closed_cb(a, a->user_data);
    mem_free(a, a);
  }
}

/* The last goodbye is done (or none was running): table, sockets, handles. */
static void finish(bfd_uv *a) {
  bfd_uv_listener *l, *ln;
  bfd_uv_peer *p, *pn;
  if (a->finished)
    return;
  a->finished = 1;
  a->busy++;
  /* Sessions first: their clearing nexthop events may look up the peer. */
  bfd_table_del(a->table);
  a->table = NULL;
  for (p = a->peers; p; p = pn) {
    pn = p->next;
    close(p->fd);
    mem_free(a, p);
  }
  a->peers = NULL;
  a->busy--;
  for (l = a->listeners; l; l = ln) {
    ln = l->next;
    a->pending_close++;
    uv_close((uv_handle_t *)&l->poll, handle_closed);
  }
  a->listeners = NULL;
  a->pending_close++;
  uv_close((uv_handle_t *)&a->timer, handle_closed);
}

/* bfd_uv_del() (graceful 0: sessions not saying goodbye are deleted
 * silently) or bfd_uv_shutdown() (graceful 1: every session says goodbye).
 * Goodbyes in progress run to their end, the loop keeps serving them; a
 * second call ends them at once. */
static void do_del(bfd_uv *a, int graceful) {
  bfd_uv_peer *p, *pn;
  uint64_t now;
  int again = a->closing, rc;
  a->del_requested = 0;
  if (a->finished)
    return;
  a->closing = 1;
  now = uv_hrtime();
  a->busy++;
  if (graceful && !again) {
    /* The core's graceful shutdown, as poll_host.c has it. */
    for (p = a->peers; p; p = p->next)
      peer_mark_goodbye(p);
    if ((rc = bfd_table_goodbye_all(a->table, now)) < 0) /* frees the done ones */
      report_core(a, "bfd_table_goodbye_all", rc);
  } else {
    for (p = a->peers; p; p = pn) {
      pn = p->next;
      if (again || !p->goodbye)
        peer_del_silent(p);
    }
  }
  a->busy--;
  if (a->n_goodbye == 0)
    finish(a);
  else
    service(a, now);
}

static void del_or_defer(bfd_uv *a, bfd_uv_closed_cb closed_cb, int graceful) {
  if (!a || a->finished)
    return;
  if (!a->closing && !a->del_requested)
    a->closed_cb = closed_cb;
  if (a->busy) {
    /* Called from a callback: finish the dispatch first. */
    if (!a->del_requested)
      a->del_graceful = graceful;
    a->del_requested = 1;
    return;
  }
  do_del(a, graceful);
}

void bfd_uv_del(bfd_uv *a, bfd_uv_closed_cb closed_cb) { del_or_defer(a, closed_cb, 0); }

void bfd_uv_shutdown(bfd_uv *a, bfd_uv_closed_cb closed_cb) { del_or_defer(a, closed_cb, 1); }

int bfd_uv_get_stats(const bfd_uv *a, bfd_uv_stats *stats) {
  if (!a || !stats)
    return BFD_ERR_INVALID_ARGUMENT;
  if (stats->struct_version != BFD_UV_STATS_VERSION)
    return BFD_ERR_VERSION;
  *stats = a->stats;
  return 0;
}

bfd_table *bfd_uv_get_table(const bfd_uv *a) { return a && !a->closing ? a->table : NULL; }

uv_loop_t *bfd_uv_get_loop(const bfd_uv *a) { return a ? a->loop : NULL; }
