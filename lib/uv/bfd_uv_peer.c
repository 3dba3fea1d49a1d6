/* libuv adapter: peers and transmit. bfd_uv_peer_* and the peer config,
 * one TX socket per session, the core's lifecycle events (CREATED for a
 * responder session, REMOVED for a reaped one or a goodbye done) and
 * responder mode (bfd_uv_set_responder, bfd_uv_settings.auto_*). */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bfd_uv_int.h"

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

/* ---- TX ---------------------------------------------------------------- */

static void send_peer(bfd_uv__peer *p, const uint8_t *buf, size_t len) {
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

/* Fill the transport half of a peer and open its TX socket: `local` (the
 * wildcard or an address, link-local scope set), `ifname` for
 * SO_BINDTODEVICE ("" = none). Returns 0, BFD_ERR_CFG_KEY or BFD_ERR_IO
 * (reported through the error callback). */
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
  p->fd = bfd_uv__sock_open_tx(local, p->ifname, &a->port_cursor, &p->src_port, &rep);
  return p->fd < 0 ? BFD_ERR_IO : 0;
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
  if (p->fd >= 0)
    close(p->fd);
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
    if (p->fd >= 0)
      close(p->fd);
    bfd_uv__free(a, p);
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
static bfd_uv__peer *saying_goodbye(bfd_session *s) {
  bfd_uv__peer *p = s ? bfd_session_get_user_data(s) : NULL;
  return p && p->goodbye ? p : NULL;
}

static int peer_add(bfd_uv *a, bfd_session **psession, const bfd_uv_peer_config *cfg,
                    void *peer_user_data, uint64_t now) {
  bfd_session_settings ss;
  bfd_session_key key;
  bfd_uv_addr local;
  bfd_uv__peer *p, *old;
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

  if (a->settings.auto_listen && !bfd_uv__find_listener(a, fam, cfg->mode, NULL)) {
    bfd_uv_addr any;
    memset(&any, 0, sizeof(any));
    any.family = fam;
    rc = bfd_uv_listen(a, cfg->mode, &any);
    if (rc < 0)
      return rc;
  }

  p = bfd_uv__calloc(a, sizeof(*p));
  if (!p)
    return BFD_ERR_NOMEM;
  p->user_data = peer_user_data;
  rc = peer_open(a, p, &cfg->peer, &local, cfg->ifname, ifindex, cfg->mode,
                 cfg->peer_port                   ? cfg->peer_port
                 : cfg->mode == BFD_MODE_MULTIHOP ? BFD_PORT_MULTIHOP
                                                  : BFD_PORT_SINGLE_HOP);
  if (rc < 0) {
    if (p->fd >= 0)
      close(p->fd);
    bfd_uv__free(a, p);
    return rc;
  }
  a->busy++;
  /* A removed peer configured again: the new session takes over at once,
   * its goodbye ends (the peer has had our first AdminDown). */
  if ((old = saying_goodbye(bfd_table_find_key(a->table, &key))) != NULL)
    bfd_uv__peer_del_silent(old);
  if (ss.local_discr && (old = saying_goodbye(bfd_table_find_discr(a->table, ss.local_discr))))
    bfd_uv__peer_del_silent(old);
  rc = bfd_table_add_session(a->table, &p->s, &ss, &key, p, now);
  /* Before anything is polled: the first packet is already authenticated. */
  if (rc == 0 && cfg->auth_key.type != BFD_AUTH_NONE &&
      (rc = bfd_session_auth_add_key(p->s, &cfg->auth_key)) != 0)
    bfd_session_del(p->s);
  a->busy--;
  if (rc < 0) {
    close(p->fd);
    bfd_uv__free(a, p);
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

int bfd_uv_peer_update(bfd_uv *a, bfd_session *s, const bfd_uv_peer_config *cfg) {
  bfd_session_settings ss;
  bfd_uv__peer *p = own_peer(a, s);
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

/* bfd_uv_settings.auto_* as the table's responder mode: single-hop (the
 * core's template has one mode), the core's defaults otherwise. */
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
