/* libuv adapter: peers and transmit. bfd_uv_peer_* and the peer config,
 * the TX sockets (one per session, or the BFD_UV_TX_SHARED pools), the core's lifecycle events
 * (CREATED for a responder session, REMOVED for a reaped one or a goodbye done) and responder mode
 * (bfd_uv_set_responder, bfd_uv_settings.auto_*). */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bfd_uv_int.h"

/* ---- the peer config --------------------------------------------------- */

/* Published layouts never change. The ring follows `session`: when
 * bfd_session_settings grows, bfd_uv_peer_config needs a version 3. */
_Static_assert(sizeof(bfd_uv__peer_config_v1) == 112, "bfd_uv_peer_config v1 is frozen");
_Static_assert(sizeof(bfd_session_settings) == 28 && offsetof(bfd_uv_peer_config, session) == 80 &&
                   sizeof(bfd_uv_peer_config) == 300,
               "bfd_uv_peer_config v2 is frozen: append fields in a new version");

/* Version 1's session fields and their places in bfd_session_settings: the
 * one translation between the two layouts, used both ways. */
#define V1_FIELD(f)                                                                                \
  {                                                                                                \
    offsetof(bfd_uv__peer_config_v1, f), offsetof(bfd_session_settings, f),                        \
        sizeof(((bfd_session_settings *)0)->f)                                                     \
  }
static const struct {
  uint8_t v1, ss, len;
} v1_fields[] = {V1_FIELD(local_discr),
                 V1_FIELD(desired_min_tx_us),
                 V1_FIELD(required_min_rx_us),
                 V1_FIELD(detect_mult),
                 V1_FIELD(mode),
                 V1_FIELD(passive),
                 V1_FIELD(admin_down),
                 V1_FIELD(nexthop_policy),
                 V1_FIELD(min_rx_ttl)};

static void v1_copy(void *dst, const void *src, int dst_is_v1) {
  size_t i;
  for (i = 0; i < sizeof(v1_fields) / sizeof(v1_fields[0]); i++)
    memcpy((uint8_t *)dst + (dst_is_v1 ? v1_fields[i].v1 : v1_fields[i].ss),
           (const uint8_t *)src + (dst_is_v1 ? v1_fields[i].ss : v1_fields[i].v1),
           v1_fields[i].len);
}

int bfd_uv_peer_config_init(uint32_t version, bfd_uv_peer_config *cfg) {
  bfd_session_settings ss;
  if (!cfg)
    return BFD_ERR_INVALID_ARGUMENT;
  if (version == 0 || version > BFD_UV_PEER_CONFIG_VERSION)
    return BFD_ERR_VERSION;
  (void)bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &ss); /* the defaults */
  if (version == 1) {
    memset(cfg, 0, sizeof(bfd_uv__peer_config_v1));
    v1_copy(cfg, &ss, 1);
  } else {
    memset(cfg, 0, sizeof(*cfg));
    cfg->session = ss;
  }
  cfg->struct_version = version;
  return 0;
}

/* The caller's config as the current version: version 2 as it is, version
 * 1 translated onto `base` (the defaults for an add, the session's own
 * settings for an update). Only the bytes of the caller's version are
 * read. */
static int cfg_import(const bfd_uv_peer_config *in, const bfd_session_settings *base,
                      bfd_uv_peer_config *out) {
  const bfd_uv__peer_config_v1 *v1 = (const void *)in;
  if (in->struct_version == 0 || in->struct_version > BFD_UV_PEER_CONFIG_VERSION)
    return BFD_ERR_VERSION;
  if (in->struct_version == BFD_UV_PEER_CONFIG_VERSION) {
    *out = *in;
    return 0;
  }
  memset(out, 0, sizeof(*out));
  out->struct_version = BFD_UV_PEER_CONFIG_VERSION;
  out->peer = v1->peer;
  out->local = v1->local;
  memcpy(out->ifname, v1->ifname, sizeof(out->ifname));
  out->peer_port = v1->peer_port;
  out->session = *base;
  v1_copy(&out->session, v1, 0);
  if (v1->auth_key.type != BFD_AUTH_NONE) { /* set and invalid: ring_check says so */
    out->nkeys = 1;
    out->tx_key_id = v1->auth_key.key_id;
    out->keys[0] = v1->auth_key;
  }
  return 0;
}

/* The ring, checked as bfd_table_set_responder() checks one, before
 * anything is created: a bad key is a configuration error, never "no
 * authentication". */
static int ring_check(const bfd_uv_peer_config *c) {
  int i, rc, has_tx = 0;
  if (c->nkeys > BFD_AUTH_KEYS_MAX)
    return BFD_ERR_CFG_AUTH;
  for (i = 0; i < c->nkeys; i++) {
    if ((rc = bfd_auth_key_check(&c->keys[i])) != 0)
      return rc;
    if (c->keys[i].type != c->keys[0].type)
      return BFD_ERR_CFG_AUTH; /* one bfd.AuthType per session (§6.8.1) */
    has_tx |= c->keys[i].key_id == c->tx_key_id;
  }
  return c->nkeys && !has_tx ? BFD_ERR_CFG_AUTH : 0;
}

/* The whole ring, before the session's first packet is built. Checked
 * already: only BFD_ERR_NOMEM is left. */
static int ring_install(bfd_session *s, const bfd_uv_peer_config *c) {
  int i, rc = 0;
  for (i = 0; i < c->nkeys && rc == 0; i++)
    rc = bfd_session_auth_add_key(s, &c->keys[i]);
  if (rc == 0 && c->nkeys)
    rc = bfd_session_auth_set_tx_key(s, c->tx_key_id);
  return rc;
}

/* ---- TX ---------------------------------------------------------------- */

static void send_peer(bfd_uv__peer *p, const uint8_t *buf, size_t len) {
  bfd_uv *a = p->a;
  ssize_t r;
  if (p->ctllen) { /* a shared socket: the source address and interface */
    struct iovec iov;
    struct msghdr mh;
    memcpy(&iov.iov_base, &buf, sizeof(buf)); /* sendmsg does not write it */
    iov.iov_len = len;
    memset(&mh, 0, sizeof(mh));
    mh.msg_name = &p->dst;
    mh.msg_namelen = p->dstlen;
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    mh.msg_control = p->ctl;
    mh.msg_controllen = p->ctllen;
    r = sendmsg(p->fd, &mh, MSG_DONTWAIT);
  } else {
    r = sendto(p->fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&p->dst, p->dstlen);
  }
  if (r < 0) {
    /* Counted and dropped: the next packet is the retry. Never queued. */
    int err = errno;
    p->tx_errors++;
    a->stats.tx_errors++;
    if (bfd_uv__sock_tx_blocked(err)) {
      a->stats.tx_blocked++;
      a->tx_blocked_new++;
    }
    if (!p->tx_failing) {
      char addr[64], msg[200];
      bfd_uv_addr_format(addr, sizeof(addr), &p->peer);
      snprintf(msg, sizeof(msg), "sendto %s port %u from port %u: %s", addr, (unsigned)p->peer_port,
               (unsigned)p->src_port, strerror(err));
      p->tx_failing = 1;
      bfd_uv__report(a, BFD_ERR_IO, err, msg);
    }
    return;
  }
  p->tx_failing = 0;
  p->tx_packets++;
  a->stats.tx_packets++;
}

void bfd_uv__drain(bfd_uv *a, uint64_t now) {
  uint8_t buf[BFD_CTRL_LEN_MAX];
  bfd_session *s;
  ptrdiff_t n;
  while ((n = bfd_table_poll_packet(a->table, &s, buf, sizeof(buf), now)) > 0) {
    bfd_uv__peer *p = bfd_session_get_user_data(s);
    if (p)
      send_peer(p, buf, (size_t)n);
  }
  if (n < 0)
    bfd_uv__report_core(a, "bfd_table_poll_packet", (int)n);
}

/* ---- peers: bookkeeping ------------------------------------------------ */

static int is_link_local6(const bfd_uv_addr *x) {
  return x->family == BFD_AF_INET6 && x->addr[0] == 0xfe && (x->addr[1] & 0xc0) == 0x80;
}

/* ---- the BFD_UV_TX_SHARED pools ----------------------------------------- */

/* A socket of the family's pool for one more session: an idle one, else a
 * new one while the pool has room (a port of its own), else the least
 * used. NULL with *rc set when none can be opened. */
static bfd_uv__txsock *pool_take(bfd_uv *a, uint8_t family, const bfd_uv__sock_reporter *rep,
                                 int *rc) {
  bfd_uv__txpool *pool = &a->txpool[family == BFD_AF_INET ? 0 : 1];
  bfd_uv__txsock *t = NULL;
  uint32_t i;
  if (!pool->socks &&
      !(pool->socks = bfd_uv__calloc(a, a->settings.tx_ports * sizeof(*pool->socks)))) {
    *rc = BFD_ERR_NOMEM;
    return NULL;
  }
  if (pool->idle || pool->n == a->settings.tx_ports) {
    for (i = 0; i < pool->n; i++)
      if (!t || pool->socks[i].users < t->users)
        t = &pool->socks[i];
    if (t->users == 0)
      pool->idle--;
  } else {
    bfd_uv_addr any;
    int fd;
    memset(&any, 0, sizeof(any));
    any.family = family;
    t = &pool->socks[pool->n];
    fd = bfd_uv__sock_open_tx(&any, "", &a->port_cursor, &t->port, rep);
    if (fd < 0) {
      *rc = fd;
      return NULL;
    }
    t->fd = fd;
    t->users = 0;
    pool->n++;
    a->stats.tx_sockets++;
  }
  t->users++;
  return t;
}

static void pool_release(bfd_uv *a, uint8_t family, bfd_uv__txsock *t) {
  if (--t->users == 0)
    a->txpool[family == BFD_AF_INET ? 0 : 1].idle++;
}

void bfd_uv__tx_pool_free(bfd_uv *a) {
  int f;
  uint32_t i;
  for (f = 0; f < 2; f++) {
    bfd_uv__txpool *pool = &a->txpool[f];
    for (i = 0; i < pool->n; i++)
      close(pool->socks[i].fd);
    a->stats.tx_sockets -= pool->n;
    if (pool->socks)
      bfd_uv__free(a, pool->socks);
    memset(pool, 0, sizeof(*pool));
  }
}

/* Fill the transport half of a peer and open its TX socket: `local` (the
 * wildcard or an address, link-local scope set), `ifname` for
 * SO_BINDTODEVICE ("" = none). Returns 0, BFD_ERR_CFG_KEY, BFD_ERR_NOMEM
 * or the socket call's code (reported through the error callback). */
static int peer_open(bfd_uv *a, bfd_uv__peer *p, const bfd_uv_addr *peer, const bfd_uv_addr *local,
                     const char *ifname, uint32_t ifindex, uint8_t mode, uint16_t peer_port) {
  bfd_uv__sock_reporter rep;
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
  if (bfd_uv__sock_to_sockaddr(&p->peer, p->peer_port, &p->dst, &p->dstlen) < 0)
    return BFD_ERR_CFG_KEY;
  rep.fn = bfd_uv__sock_report;
  rep.ctx = a;
  if (a->settings.tx_sockets == BFD_UV_TX_SHARED) {
    int rc = 0;
    /* The address is named per packet: check now that it is ours, so a
     * typo fails the add rather than every send. */
    if (!bfd_uv__addr_is_any(local) && (rc = bfd_uv__sock_probe_local(local, &rep)) < 0)
      return rc;
    if (!(p->tx = pool_take(a, peer->family, &rep, &rc)))
      return rc;
    p->fd = p->tx->fd;
    p->src_port = p->tx->port;
    p->ctllen = bfd_uv__sock_pktinfo(p->ctl, local, ifindex);
    return 0;
  }
  p->fd = bfd_uv__sock_open_tx(local, p->ifname, &a->port_cursor, &p->src_port, &rep);
  if (p->fd < 0) {
    int rc = p->fd;
    p->fd = -1;
    return rc;
  }
  a->stats.tx_sockets++;
  return 0;
}

/* Give back the peer's TX socket (its own is closed). */
static void peer_close_tx(bfd_uv__peer *p) {
  if (p->tx) {
    pool_release(p->a, p->peer.family, p->tx);
  } else if (p->fd >= 0) {
    close(p->fd);
    p->a->stats.tx_sockets--;
  }
  p->tx = NULL;
  p->fd = -1;
}

/* The session's share of the rate the listeners expect (auto rx_rcvbuf
 * sizes them by it): `mpps` from its Required Min RX, the fastest its
 * peer may send (RFC 5880 §6.8.7). Grow the buffers separately. */
static void peer_rx_rate(bfd_uv__peer *p, uint32_t mpps) {
  p->a->rx_mpps = p->a->rx_mpps - p->rx_mpps + mpps;
  p->rx_mpps = mpps;
}

static void peer_link(bfd_uv *a, bfd_uv__peer *p) {
  p->prev = NULL;
  p->next = a->peers;
  if (a->peers)
    a->peers->prev = p;
  a->peers = p;
  a->stats.sessions++;
}

/* The session is gone (or going): unlink, close the socket, free. */
static void peer_free(bfd_uv__peer *p) {
  bfd_uv *a = p->a;
  if (p->prev)
    p->prev->next = p->next;
  else
    a->peers = p->next;
  if (p->next)
    p->next->prev = p->prev;
  peer_close_tx(p);
  peer_rx_rate(p, 0);
  if (p->goodbye)
    a->n_goodbye--;
  a->stats.sessions--;
  bfd_uv__free(a, p);
}

/* Delete a session at once, without a word to the peer (its clearing
 * nexthop event, if due, is delivered), and its peer. */
void bfd_uv__peer_del_silent(bfd_uv__peer *p) {
  bfd_session_del(p->s);
  peer_free(p);
}

/* Removal through the core's goodbye (RFC 5880 §6.8.16, RFC 5882 §3.2:
 * AdminDown with diag 7 is not a path failure), as any host has it: the
 * core sends the AdminDown packets (signed, at the allowed rate, none from
 * a passive session that never heard its peer, §6.8.7) and REMOVED then
 * frees the peer. Marked first: the host's pointer is dropped, nothing of
 * this session reaches the host any more. */
void bfd_uv__peer_mark_goodbye(bfd_uv__peer *p) {
  if (p->goodbye)
    return;
  p->goodbye = 1;
  p->user_data = NULL;
  p->a->n_goodbye++;
}

static void peer_goodbye(bfd_uv__peer *p, uint64_t now) {
  bfd_uv *a = p->a;
  int rc;
  bfd_uv__peer_mark_goodbye(p);
  if ((rc = bfd_session_goodbye(p->s, now)) < 0) /* may free p */
    bfd_uv__report_core(a, "bfd_session_goodbye", rc);
}

/* Responder mode: the core found a packet that may start a session; the
 * host's new_peer has the last word. Nothing new once closing. */
int bfd_uv__on_accept(bfd_table *t, const bfd_rx_info *rx, void *ud) {
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
  bfd_session_settings ss;
  bfd_session_key key;
  bfd_uv_addr peer, local;
  bfd_uv__peer *p;
  size_t alen;
  int rc;
  if (bfd_session_get_key(s, &key) != 0 || !(p = bfd_uv__calloc(a, sizeof(*p))))
    return 1;
  alen = key.family == BFD_AF_INET ? 4 : 16;
  memset(&peer, 0, sizeof(peer));
  memset(&local, 0, sizeof(local));
  peer.family = local.family = key.family;
  memcpy(peer.addr, key.peer, alen);
  memcpy(local.addr, key.local, alen);
  if (is_link_local6(&local))
    local.ifindex = key.ifindex;
  rc = peer_open(a, p, &peer, &local, "", key.ifindex, key.mode, bfd_uv__listen_port(a, key.mode));
  if (rc < 0) {
    peer_close_tx(p);
    bfd_uv__free(a, p);
    return 1;
  }
  p->s = s;
  p->auto_created = 1;
  bfd_session_set_user_data(s, p);
  peer_link(a, p);
  if (bfd_session_get_settings(s, &ss) == 0) {
    peer_rx_rate(p, bfd_uv__rx_mpps(ss.required_min_rx_us));
    bfd_uv__rcvbuf_grow(a);
  }
  a->stats.auto_sessions++;
  if (a->uv_cbs.peer_created)
    a->uv_cbs.peer_created(a, s, a->user_data);
  return 0;
}

/* Lifecycle: CREATED (responder mode) and REMOVED (reaped, or a goodbye
 * done): the last moment `s` is valid. */
int bfd_uv__on_session(bfd_session *s, const bfd_session_event *ev, void *ud) {
  bfd_uv *a = ud;
  bfd_uv__peer *p = bfd_session_get_user_data(s);
  if (ev->kind == BFD_SESSION_EV_CREATED)
    return responder_created(a, s);
  if (ev->kind != BFD_SESSION_EV_REMOVED || !p)
    return 0;
  if (ev->reason == BFD_SESSION_REMOVED_REAPED && a->uv_cbs.peer_deleted)
    a->uv_cbs.peer_deleted(a, s, a->user_data);
  peer_free(p);
  return 0;
}

/* ---- peers: the API ---------------------------------------------------- */

/* A removed peer (saying goodbye) holding `s`'s key or discriminator. */
static bfd_uv__peer *saying_goodbye(bfd_session *s) {
  bfd_uv__peer *p = s ? bfd_session_get_user_data(s) : NULL;
  return p && p->goodbye ? p : NULL;
}

/* `cfg` is current-version (cfg_import()). */
static int peer_add(bfd_uv *a, bfd_session **psession, const bfd_uv_peer_config *cfg,
                    void *peer_user_data, uint64_t now) {
  const bfd_session_settings *ss = &cfg->session;
  bfd_session_key key;
  bfd_uv_addr local;
  bfd_uv__peer *p, *old;
  bfd_session *dup;
  uint32_t ifindex = 0;
  int rc;
  uint8_t fam = cfg->peer.family;

  if (fam != BFD_AF_INET && fam != BFD_AF_INET6)
    return BFD_ERR_CFG_KEY;
  if ((rc = bfd_session_settings_check(ss)) != 0)
    return rc;
  if (memchr(cfg->ifname, '\0', sizeof(cfg->ifname)) == NULL)
    return BFD_ERR_CFG_KEY;
  if ((rc = ring_check(cfg)) != 0)
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
      a->last_errno = err;
      snprintf(msg, sizeof(msg), "interface %.16s: %s", cfg->ifname, strerror(err));
      bfd_uv__report(a, BFD_ERR_CFG_KEY, err, msg);
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

  memset(&key, 0, sizeof(key));
  key.mode = ss->mode;
  key.family = fam;
  /* Interface-bound and link-local sessions are keyed by interface so that
   * the same link-local address on two links stays two sessions. */
  key.ifindex = ifindex;
  memcpy(key.local, local.addr, fam == BFD_AF_INET ? 4 : 16);
  memcpy(key.peer, cfg->peer.addr, fam == BFD_AF_INET ? 4 : 16);
  dup = bfd_table_find_key(a->table, &key);
  if (dup && !saying_goodbye(dup))
    return BFD_ERR_EXISTS;

  if (a->settings.auto_listen && !bfd_uv__find_listener(a, fam, ss->mode, NULL)) {
    bfd_uv_addr any;
    memset(&any, 0, sizeof(any));
    any.family = fam;
    rc = bfd_uv_listen(a, ss->mode, &any);
    if (rc < 0)
      return rc;
  }

  p = bfd_uv__calloc(a, sizeof(*p));
  if (!p)
    return BFD_ERR_NOMEM;
  p->user_data = peer_user_data;
  rc = peer_open(a, p, &cfg->peer, &local, cfg->ifname, ifindex, ss->mode,
                 cfg->peer_port                  ? cfg->peer_port
                 : ss->mode == BFD_MODE_MULTIHOP ? BFD_PORT_MULTIHOP
                                                 : BFD_PORT_SINGLE_HOP);
  if (rc < 0) {
    peer_close_tx(p);
    bfd_uv__free(a, p);
    return rc;
  }
  a->busy++;
  /* A removed peer configured again: the new session takes over at once,
   * its goodbye ends (the peer has had our first AdminDown). */
  if ((old = saying_goodbye(bfd_table_find_key(a->table, &key))) != NULL)
    bfd_uv__peer_del_silent(old);
  if (ss->local_discr && (old = saying_goodbye(bfd_table_find_discr(a->table, ss->local_discr))))
    bfd_uv__peer_del_silent(old);
  rc = bfd_table_add_session(a->table, &p->s, ss, &key, p, now);
  /* Before anything is polled: the first packet is already authenticated. */
  if (rc == 0 && (rc = ring_install(p->s, cfg)) != 0)
    bfd_session_del(p->s);
  a->busy--;
  if (rc < 0) {
    peer_close_tx(p);
    bfd_uv__free(a, p);
    return rc;
  }
  peer_link(a, p);
  peer_rx_rate(p, bfd_uv__rx_mpps(ss->required_min_rx_us));
  bfd_uv__rcvbuf_grow(a);
  if (psession)
    *psession = p->s;
  return 0;
}

int bfd_uv_peer_add(bfd_uv *a, bfd_session **psession, const bfd_uv_peer_config *cfg,
                    void *peer_user_data) {
  bfd_uv_peer_config c;
  bfd_session_settings defaults;
  uint64_t now;
  int rc;
  if (!a || !cfg || a->busy || a->closing)
    return BFD_ERR_INVALID_ARGUMENT;
  a->last_errno = 0;
  (void)bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &defaults);
  if ((rc = cfg_import(cfg, &defaults, &c)) != 0)
    return rc;
  now = uv_hrtime();
  rc = peer_add(a, psession, &c, peer_user_data, now);
  memset(&c, 0, sizeof(c)); /* the secrets */
  if (rc == 0)
    bfd_uv__service(a, now);
  else if (a->del_requested && !a->busy)
    bfd_uv__do_del(a, a->del_graceful); /* a callback asked for it while the add failed */
  return rc;
}

/* One of this adapter's live peers (not one saying goodbye). */
static bfd_uv__peer *own_peer(const bfd_uv *a, const bfd_session *s) {
  bfd_uv__peer *p;
  if (!a || !s)
    return NULL;
  p = bfd_session_get_user_data(s);
  return p && p->a == a && p->s == s && !p->goodbye ? p : NULL;
}

/* The settings change, the key ring is ignored (bfd_uv.h): an update never
 * turns authentication on or off on a live session (§6.7.1). */
int bfd_uv_peer_update(bfd_uv *a, bfd_session *s, const bfd_uv_peer_config *cfg) {
  bfd_uv_peer_config c;
  bfd_session_settings cur;
  bfd_session_settings *ss = &c.session;
  bfd_uv__peer *p = own_peer(a, s);
  uint64_t now;
  uint32_t old_mpps;
  int rc;
  if (!p || !cfg || a->busy || a->closing)
    return BFD_ERR_INVALID_ARGUMENT;
  if ((rc = bfd_session_get_settings(s, &cur)) < 0)
    return rc;
  rc = cfg_import(cfg, &cur, &c);
  memset(c.keys, 0, sizeof(c.keys)); /* ignored; and the secrets */
  if (rc != 0)
    return rc;
  if (bfd_session_settings_check(ss) == BFD_ERR_VERSION)
    return BFD_ERR_VERSION;
  if (c.peer.family != BFD_AF_INET && c.peer.family != BFD_AF_INET6)
    return BFD_ERR_CFG_KEY; /* as everywhere an address has an unknown family */
  if (ss->mode != p->mode || c.peer.family != p->peer.family ||
      memcmp(c.peer.addr, p->peer.addr, 16) != 0 ||
      (c.local.family && memcmp(c.local.addr, p->local.addr, 16) != 0) ||
      strncmp(c.ifname, p->ifname, sizeof(c.ifname)) != 0 ||
      (c.peer_port && c.peer_port != p->peer_port))
    return BFD_ERR_CFG_IMMUTABLE;
  if (ss->local_discr == 0)
    ss->local_discr = bfd_session_get_local_discr(s);
  now = uv_hrtime();
  /* The new rate first: a reaped session's peer_free() takes it back. */
  old_mpps = p->rx_mpps;
  peer_rx_rate(p, bfd_uv__rx_mpps(ss->required_min_rx_us));
  a->busy++;
  rc = bfd_session_update(s, ss, now); /* a reaped responder session is freed here */
  a->busy--;
  if (rc < 0 && rc != BFD_ERR_CALLBACK_FAILURE)
    peer_rx_rate(p, old_mpps); /* refused before any change: `p` lives */
  else
    bfd_uv__rcvbuf_grow(a);
  bfd_uv__service(a, now);
  return rc;
}

int bfd_uv_peer_remove(bfd_uv *a, bfd_session *s) {
  bfd_uv__peer *p = own_peer(a, s);
  uint64_t now;
  if (!p || a->busy || a->closing)
    return BFD_ERR_INVALID_ARGUMENT;
  now = uv_hrtime();
  a->busy++;
  peer_goodbye(p, now);
  a->busy--;
  bfd_uv__service(a, now); /* sends the first AdminDown of the goodbye */
  return 0;
}

void *bfd_uv_peer_get_user_data(const bfd_session *s) {
  bfd_uv__peer *p = s ? bfd_session_get_user_data(s) : NULL;
  return p ? p->user_data : NULL;
}

int bfd_uv_peer_get_info(const bfd_session *s, bfd_uv_peer_info *info) {
  bfd_uv__peer *p;
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

/* bfd_uv_settings.auto_* as bfd_uv_set_responder() with
 * bfd_responder_settings_init()'s defaults for everything else (one
 * template answers both modes: the session takes the packet's). */
int bfd_uv__auto_responder(bfd_uv *a) {
  const bfd_uv_settings *us = &a->settings;
  bfd_responder_settings rs;
  int rc = bfd_responder_settings_init(BFD_RESPONDER_SETTINGS_VERSION, &rs);
  if (rc < 0)
    return rc;
  rs.max_sessions = us->max_auto_sessions;
  rs.session.desired_min_tx_us = us->auto_desired_min_tx_us;
  rs.session.required_min_rx_us = us->auto_required_min_rx_us;
  rs.session.detect_mult = us->auto_detect_mult;
  if (us->auto_auth_key.type != BFD_AUTH_NONE) {
    rs.nkeys = 1;
    rs.keys[0] = us->auto_auth_key;
    rs.tx_key_id = us->auto_auth_key.key_id;
  }
  rc = bfd_table_set_responder(a->table, &rs);
  memset(&rs, 0, sizeof(rs)); /* the secret */
  return rc;
}
