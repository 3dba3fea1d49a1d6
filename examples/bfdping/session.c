/*
 * bfdping: the adapters, their sessions and the events about them.
 *
 * Copyright (c) 2026 the bfdkit developers. MIT licensed, see LICENSE.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <net/if.h>
#include <string.h>

#include "bfdping.h"

/* ------------------------------------------------------------------------ */
/* Tracking                                                                 */
/* ------------------------------------------------------------------------ */

bp_session *bp_session_find(bp_sessions *ss, const bfd_session *s) {
  size_t i;
  for (i = 0; i < ss->n; i++)
    if (ss->sess[i].s == s && !ss->sess[i].removed)
      return &ss->sess[i];
  return NULL;
}

bp_session *bp_session_first(bp_sessions *ss) {
  size_t i;
  for (i = 0; i < ss->n; i++)
    if (!ss->sess[i].removed)
      return &ss->sess[i];
  return NULL;
}

void bp_session_forget(bp_sessions *ss, const bp_end *end) {
  size_t i;
  for (i = 0; i < ss->n; i++)
    if (!end || ss->sess[i].end == end)
      ss->sess[i].removed = 1;
}

/* The record of `s`, created on first sight; NULL when full. */
static bp_session *track(bp_sessions *ss, bfd_session *s, const bp_end *end) {
  size_t i;
  bfd_session_key key;
  bfd_uv_addr addr;
  bfd_session_status st;
  bp_session *t = bp_session_find(ss, s);
  if (t)
    return t;
  if (ss->n == BP_MAX_SESSIONS) { /* responder churn: reuse a closed slot */
    for (i = 0; i < ss->n && !t; i++)
      if (ss->sess[i].removed)
        t = &ss->sess[i];
    if (!t)
      return NULL;
  } else {
    t = &ss->sess[ss->n++];
  }
  memset(t, 0, sizeof(*t));
  t->s = s;
  t->end = end;
  t->first_up = UINT64_MAX;
  t->last_state = BFD_STATE_DOWN;
  (void)bfd_session_get_key(s, &key);
  memset(&addr, 0, sizeof(addr));
  addr.family = key.family;
  addr.ifindex = key.ifindex;
  memcpy(addr.addr, key.peer, sizeof(addr.addr));
  if (bfd_uv_addr_format(t->name, sizeof(t->name), &addr) < 0)
    snprintf(t->name, sizeof(t->name), "?");
  addr.ifindex = 0;
  memcpy(addr.addr, key.local, sizeof(addr.addr));
  if (bfd_uv_addr_format(t->local, sizeof(t->local), &addr) < 0)
    t->local[0] = '\0';
  if (key.ifindex == 0 || !if_indextoname(key.ifindex, t->ifname))
    t->ifname[0] = '\0';
  st.struct_version = BFD_SESSION_STATUS_VERSION;
  t->created = t->last_up = t->last_down = BFD_TSTAMP_NONE;
  if (bfd_session_get_status(s, &st) == 0 && st.change_seq == 0)
    t->created = st.last_change; /* no change yet: its creation time */
  return t;
}

/* ------------------------------------------------------------------------ */
/* Core and adapter callbacks (getters only: no re-entering the library)    */
/* ------------------------------------------------------------------------ */

/* The values in force, reported when the session is Up and they differ
 * from the last report (the remote's, ours negotiated). */
static void report_params(bp_ctx *ctx, bp_session *t, uint64_t ts) {
  const bfd_params_event *a = &t->now, *b = &t->shown;
  if (t->last_state != BFD_STATE_UP)
    return;
  if (a->tx_interval_ns == b->tx_interval_ns && a->detect_time_ns == b->detect_time_ns &&
      a->remote_desired_min_tx_us == b->remote_desired_min_tx_us &&
      a->remote_required_min_rx_us == b->remote_required_min_rx_us &&
      a->remote_detect_mult == b->remote_detect_mult)
    return;
  t->shown = t->now;
  BP_OUT(&ctx->out, params, bp_since_start(ctx, ts), t->name, &t->now);
}

/* A flap is a failure: leaving Up because either side went AdminDown is
 * not one (RFC 5882 §3.2). */
static int is_flap(const bfd_state_event *ev) {
  return ev->old_state == BFD_STATE_UP && ev->new_state != BFD_STATE_ADMIN_DOWN &&
         !(ev->remote_state == BFD_STATE_ADMIN_DOWN && ev->local_diag == BFD_DIAG_NEIGHBOR_DOWN);
}

static void record_detection(bp_sessions *ss, const char *name, uint64_t rel, uint64_t gap,
                             uint8_t diag) {
  bp_detection *d;
  if (ss->ndet == BP_MAX_DETECTIONS)
    return; /* the summary lists the first ones */
  d = &ss->det[ss->ndet++];
  d->at = rel;
  d->gap = gap;
  d->diag = diag;
  snprintf(d->name, sizeof(d->name), "%s", name);
}

/* The record of an event's session, the context in *pctx; NULL once
 * bfdping stops (the summary is the last word; our own AdminDown follows
 * it) or when no slot is free. */
static bp_session *event_session(void *user_data, bfd_session *s, bp_ctx **pctx) {
  bp_end *end = user_data;
  *pctx = end->ctx;
  return end->ctx->stopping ? NULL : track(&end->ctx->sessions, s, end);
}

static int on_state(bfd_session *s, const bfd_state_event *ev, void *user_data) {
  bp_ctx *ctx;
  bp_session *t = event_session(user_data, s, &ctx);
  bp_sessions *ss = &ctx->sessions;
  bfd_session_status st;
  bp_state_out o;
  uint64_t gap = 0;
  if (ctx->stopping)
    return 0;
  /* -c N reached: a change the same dispatch brought after the N-th (two
   * packets read in one batch: Init, then Up) is not reported, and the
   * summary says the state as of the N-th. */
  if (ctx->opt.count > 0 && ss->changes >= ctx->opt.count)
    return 0;
  st.struct_version = BFD_SESSION_STATUS_VERSION;
  (void)bfd_session_get_status(s, &st);
  if (st.last_rx != BFD_TSTAMP_NONE && ev->ts >= st.last_rx)
    gap = ev->ts - st.last_rx;
  ss->changes++;
  if (t) {
    if (st.remote_discr != 0)
      t->remote_discr = st.remote_discr;
    if (ev->new_state == BFD_STATE_DOWN) {
      t->to_down++;
      t->last_down = ev->ts;
    } else if (ev->new_state == BFD_STATE_ADMIN_DOWN) {
      t->to_admin_down++;
    } else if (ev->new_state == BFD_STATE_UP) {
      t->last_up = ev->ts;
    }
    t->last_state = ev->new_state;
    if (ev->new_state == BFD_STATE_UP && t->first_up == UINT64_MAX)
      t->first_up = bp_since_start(ctx, ev->ts);
    if (is_flap(ev))
      t->flaps++;
  }
  if (ev->new_state == BFD_STATE_DOWN && ev->local_diag == BFD_DIAG_DETECT_EXPIRED)
    record_detection(ss, t ? t->name : "?", bp_since_start(ctx, ev->ts), gap, ev->local_diag);

  o.t = bp_since_start(ctx, ev->ts);
  o.peer = t ? t->name : "?";
  o.ev = ev;
  o.local_discr = st.local_discr;
  o.remote_discr = st.remote_discr ? st.remote_discr : (t ? t->remote_discr : 0);
  o.gap_ns = gap;
  o.local = t ? t->local : "";
  o.ifname = t ? t->ifname : "";
  o.mode = st.mode;
  bp_wall_time(ctx, ev->ts, o.when);
  BP_OUT(&ctx->out, state, &o);

  if (t && ev->new_state == BFD_STATE_UP) {
    /* The values the session came Up with, if no params event told them
     * since the last report. */
    t->now.tx_interval_ns = st.tx_interval_ns;
    t->now.detect_time_ns = st.detect_time_ns;
    t->now.remote_desired_min_tx_us = st.remote_desired_min_tx_us;
    t->now.remote_required_min_rx_us = st.remote_required_min_rx_us;
    t->now.remote_detect_mult = st.remote_detect_mult;
    report_params(ctx, t, ev->ts);
  }
  if (t && ctx->opt.self_test)
    bp_selftest_on_state(ctx, t, ev, gap);
  if (ctx->opt.count > 0 && ss->changes >= ctx->opt.count)
    bp_stop_soon(ctx, "count reached");
  return 0;
}

static int on_params(bfd_session *s, const bfd_params_event *ev, void *user_data) {
  bp_ctx *ctx;
  bp_session *t = event_session(user_data, s, &ctx);
  if (!t)
    return 0;
  t->now = *ev;
  report_params(ctx, t, ev->ts);
  if (ctx->opt.self_test)
    bp_selftest_on_params(ctx, t);
  return 0;
}

static const char *const auth_reasons[BFD_AUTH_FAIL_COUNT] = {
    "wrong Auth Type",
    "unknown Key ID",
    "wrong password",
    "digest does not verify",
    "sequence number out of window",
    "A bit does not match our configuration"};

/* Every reason whose count grew since its last report: the core counts
 * each failure (A-bit mismatches too), its event is rate limited. */
static void report_auth(bp_ctx *ctx, bp_session *t, uint64_t ts) {
  unsigned r;
  bp_auth_out o;
  for (r = 0; r < BFD_AUTH_FAIL_COUNT; r++) {
    uint64_t n = bfd_session_get_auth_failures(t->s, (int)r);
    if (n == t->auth_fail[r])
      continue;
    o.t = bp_since_start(ctx, ts);
    o.peer = t->name;
    o.reason = auth_reasons[r];
    o.added = n - t->auth_fail[r];
    o.total = n;
    BP_OUT(&ctx->out, auth_failure, &o);
    t->auth_fail[r] = n;
  }
}

static int on_auth_failure(bfd_session *s, const bfd_auth_failure_event *ev, void *user_data) {
  bp_ctx *ctx;
  bp_session *t = event_session(user_data, s, &ctx);
  if (t)
    report_auth(ctx, t, ev->ts);
  return 0;
}

void bp_sessions_flush_auth(bp_ctx *ctx, uint64_t now) {
  size_t i;
  for (i = 0; i < ctx->sessions.n; i++)
    if (!ctx->sessions.sess[i].removed)
      report_auth(ctx, &ctx->sessions.sess[i], now);
}

static int on_nexthop(bfd_session *s, const bfd_nexthop_event *ev, void *user_data) {
  bp_end *end = user_data;
  bp_ctx *ctx = end->ctx;
  /* Never track() here: the clearing event of a session bfdping stopped
   * tracking (its summary is out) must not resurrect it. */
  bp_session *t = bp_session_find(&ctx->sessions, s);
  if (ctx->stopping)
    return 0;
  BP_OUT(&ctx->out, nexthop, bp_since_start(ctx, ev->ts), t ? t->name : "?", ev);
  return 0;
}

static void on_uv_error(bfd_uv *adapter, int code, int sys_errno, const char *msg,
                        void *user_data) {
  bp_end *end = user_data;
  (void)adapter;
  (void)sys_errno;
  BP_OUT(&end->ctx->out, error, code, msg);
}

static void on_peer_created(bfd_uv *adapter, bfd_session *s, void *user_data) {
  bp_ctx *ctx;
  bp_session *t = event_session(user_data, s, &ctx);
  (void)adapter;
  if (t)
    BP_OUT(&ctx->out, peer_created, bp_since_start(ctx, uv_hrtime()), t->name);
}

static void on_peer_deleted(bfd_uv *adapter, bfd_session *s, void *user_data) {
  bp_end *end = user_data;
  bp_ctx *ctx = end->ctx;
  bp_session *t;
  (void)adapter;
  while ((t = bp_session_find(&ctx->sessions, s))) {
    t->removed = 1;
    BP_OUT(&ctx->out, peer_closed, bp_since_start(ctx, uv_hrtime()), t->name);
  }
}

/* ------------------------------------------------------------------------ */
/* Setup                                                                    */
/* ------------------------------------------------------------------------ */

int bp_end_open(bp_ctx *ctx, bp_end *end, int auto_listen) {
  bfd_uv_settings us;
  bfd_callbacks cb;
  bfd_uv_callbacks ucb;
  int rv;
  end->ctx = ctx;
  (void)bfd_uv_settings_init(BFD_UV_SETTINGS_VERSION, &us);
  us.auto_listen = (uint8_t)auto_listen;
  if (ctx->opt.port) {
    us.port_single_hop = (uint16_t)ctx->opt.port;
    us.port_multihop = (uint16_t)ctx->opt.port;
  }
  (void)bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb);
  cb.state_change = on_state;
  cb.nexthop = on_nexthop;
  cb.params = on_params;
  cb.auth_failure = on_auth_failure;
  (void)bfd_uv_callbacks_init(BFD_UV_CALLBACKS_VERSION, &ucb);
  ucb.error = on_uv_error;
  ucb.peer_created = on_peer_created;
  ucb.peer_deleted = on_peer_deleted;
  rv = bfd_uv_new(&end->uv, ctx->loop, &us, &cb, &ucb, NULL, end);
  if (rv != 0) {
    fprintf(stderr, "bfdping: cannot create the adapter: %s\n", bfd_strerror(rv));
    return -1;
  }
  return 0;
}

int bp_end_listen(bp_end *end, const char *addr_text) {
  bfd_uv_addr addr;
  int rv;
  if (bfd_uv_addr_parse(&addr, addr_text) != 0) {
    fprintf(stderr, "bfdping: '%s' is not an IPv4/IPv6 address\n", addr_text);
    return -1;
  }
  rv = bfd_uv_listen(end->uv, bp_options_mode(&end->ctx->opt), &addr);
  if (rv != 0) {
    fprintf(stderr, "bfdping: cannot listen on %s: %s%s\n", addr_text, bfd_uv_strerror(rv),
            rv == BFD_UV_ERR_ADDR_IN_USE ? " (another process, a BFD daemon?, holds the port there: stop "
                               "it, or use another address or --port)"
                             : "");
    return -1;
  }
  return 0;
}

/* Our timers, mode and TTL floor: for our peer and the responder's
 * template alike. */
static void fill_session(const bp_options *o, bfd_session_settings *ss) {
  ss->desired_min_tx_us = o->tx_ms * 1000u;
  ss->required_min_rx_us = o->rx_ms * 1000u;
  ss->detect_mult = (uint8_t)o->mult;
  ss->mode = bp_options_mode(o);
  ss->min_rx_ttl = (uint8_t)o->min_ttl;
}

/* The whole key ring, the current transmit key first in use. */
static void fill_ring(const bp_ctx *ctx, uint8_t *nkeys, uint8_t *tx_key_id, bfd_auth_key *keys) {
  *nkeys = ctx->opt.nkeys;
  memcpy(keys, ctx->opt.keys, sizeof(ctx->opt.keys));
  if (ctx->opt.nkeys)
    *tx_key_id = ctx->opt.keys[ctx->tx_key].key_id;
}

/* --listen: the table's responder mode (passive sessions for any peer that
 * talks to us), our timers, mode and whole key ring as its template. */
int bp_end_set_responder(bp_end *end) {
  bfd_responder_settings rs;
  int rv;
  (void)bfd_responder_settings_init(BFD_RESPONDER_SETTINGS_VERSION, &rs);
  rs.max_sessions = BP_MAX_SESSIONS;
  fill_session(&end->ctx->opt, &rs.session);
  fill_ring(end->ctx, &rs.nkeys, &rs.tx_key_id, rs.keys);
  rv = bfd_uv_set_responder(end->uv, &rs);
  memset(&rs, 0, sizeof(rs)); /* the secrets */
  if (rv != 0)
    fprintf(stderr, "bfdping: cannot set up responder mode: %s\n", bfd_strerror(rv));
  return rv ? -1 : 0;
}

static int is_link_local(const bfd_uv_addr *a) {
  return a->family == BFD_AF_INET6 && a->addr[0] == 0xfe && (a->addr[1] & 0xc0) == 0x80;
}

int bp_end_add_peer(bp_end *end, const char *peer, const char *local, bfd_session **ps) {
  const bp_options *o = &end->ctx->opt;
  bfd_uv_peer_config pc;
  bfd_session *s = NULL;
  int rv;
  (void)bfd_uv_peer_config_init(BFD_UV_PEER_CONFIG_VERSION, &pc);
  if (bfd_uv_addr_parse(&pc.peer, peer) != 0) {
    fprintf(stderr, "bfdping: '%s' is not an IPv4/IPv6 address\n", peer);
    return -1;
  }
  /* A link-local peer only means something on one interface: say so,
   * rather than the core's "invalid session key". */
  if (is_link_local(&pc.peer) && pc.peer.ifindex == 0 && !o->ifname) {
    fprintf(stderr, "bfdping: %s is an IPv6 link-local address: it needs -I IFACE (or %s%%IFACE)\n",
            peer, peer);
    return -1;
  }
  if (local && bfd_uv_addr_parse(&pc.local, local) != 0) {
    fprintf(stderr, "bfdping: '%s' is not an IPv4/IPv6 address\n", local);
    return -1;
  }
  if (local && pc.local.family != pc.peer.family) {
    fprintf(stderr,
            "bfdping: local %s and peer %s are of different families: give -l an %s "
            "address\n",
            local, peer, pc.peer.family == BFD_AF_INET ? "IPv4" : "IPv6");
    return -1;
  }
  if (o->ifname) {
    if (strlen(o->ifname) >= sizeof(pc.ifname)) {
      fprintf(stderr, "bfdping: interface name '%s' is too long (at most %zu characters)\n",
              o->ifname, sizeof(pc.ifname) - 1);
      return -1;
    }
    strcpy(pc.ifname, o->ifname);
  }
  fill_session(o, &pc.session);
  pc.session.passive = (uint8_t)o->passive;
  pc.session.nexthop_policy = BFD_NHS_AFTER_UP;
  if (o->port)
    pc.peer_port = (uint16_t)o->port;
  /* The ring goes in before the first packet is built. */
  fill_ring(end->ctx, &pc.nkeys, &pc.tx_key_id, pc.keys);
  rv = bfd_uv_peer_add(end->uv, &s, &pc, NULL);
  memset(pc.keys, 0, sizeof(pc.keys)); /* the secrets */
  if (rv != 0) {
    fprintf(stderr, "bfdping: cannot add peer %s: %s%s\n", peer, bfd_uv_strerror(rv),
            rv == BFD_UV_ERR_ADDR_IN_USE && !local ? " (a BFD daemon on this host holds the port? give "
                                         "bfdping its own address with -l ADDR, or use --port)"
                                       : "");
    return -1;
  }
  (void)track(&end->ctx->sessions, s, end);
  if (ps)
    *ps = s;
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Key rotation, summary, status line                                       */
/* ------------------------------------------------------------------------ */

void bp_sessions_set_tx_key(bp_ctx *ctx) {
  uint8_t id = ctx->opt.keys[ctx->tx_key].key_id;
  size_t i;
  for (i = 0; i < ctx->sessions.n; i++)
    if (!ctx->sessions.sess[i].removed)
      (void)bfd_session_auth_set_tx_key(ctx->sessions.sess[i].s, id);
  if (ctx->opt.listen_addr)
    (void)bp_end_set_responder(&ctx->end[0]); /* sessions created from now on */
}

int bp_sessions_summary(bp_ctx *ctx) {
  bp_sessions *ss = &ctx->sessions;
  bfd_table *tbl = bfd_uv_get_table(ctx->end[0].uv);
  bp_summary sum;
  bp_summary_drop drops[32];
  bp_summary_session *live;
  size_t i, j;
  int code;

  memset(&sum, 0, sizeof(sum));
  sum.first_up = UINT64_MAX;
  sum.us.struct_version = BFD_UV_STATS_VERSION;
  (void)bfd_uv_get_stats(ctx->end[0].uv, &sum.us);
  for (i = 0; i < ss->n; i++) {
    const bp_session *t = &ss->sess[i];
    if (ctx->opt.self_test && t->removed)
      continue; /* the self-test's far end */
    sum.nsessions++;
    sum.flaps += t->flaps;
    if (t->first_up < sum.first_up)
      sum.first_up = t->first_up;
    if (t->last_state == BFD_STATE_UP)
      sum.any_up = 1;
  }
  sum.det = ss->det;
  sum.ndet = ss->ndet;
  /* Drops by reason: the table's (before a session is found) plus every
   * session's, plus GTSM drops the adapter made itself. */
  for (j = 0; (code = bfd_pkt_error_at(j)) != 0 && sum.ndrops < 32; j++) {
    uint64_t n = bfd_table_get_rx_drops(tbl, code);
    for (i = 0; i < ss->n; i++)
      if (!ss->sess[i].removed)
        n += bfd_session_get_rx_drops(ss->sess[i].s, code);
    if (code == BFD_ERR_PKT_TTL && n < sum.us.rx_ttl_dropped)
      n = sum.us.rx_ttl_dropped;
    if (n == 0)
      continue;
    drops[sum.ndrops].code = code;
    drops[sum.ndrops++].n = n;
  }
  sum.drops = drops;
  live = calloc(ss->n ? ss->n : 1, sizeof(*live));
  for (i = 0; live && i < ss->n; i++) {
    bp_summary_session *l = &live[sum.nlive];
    l->st.struct_version = BFD_SESSION_STATUS_VERSION;
    if (ss->sess[i].removed || bfd_session_get_status(ss->sess[i].s, &l->st) != 0)
      continue;
    l->name = ss->sess[i].name;
    l->local = ss->sess[i].local;
    l->ifname = ss->sess[i].ifname;
    l->to_down = ss->sess[i].to_down;
    l->to_admin_down = ss->sess[i].to_admin_down;
    bp_wall_time(ctx, ss->sess[i].created, l->created);
    bp_wall_time(ctx, ss->sess[i].last_up, l->last_up);
    bp_wall_time(ctx, ss->sess[i].last_down, l->last_down);
    l->info.struct_version = BFD_UV_PEER_INFO_VERSION;
    if (bfd_uv_peer_get_info(ss->sess[i].s, &l->info) != 0)
      memset(&l->info, 0, sizeof(l->info));
    l->dest_port = ctx->opt.port ? (uint16_t)ctx->opt.port
                                 : (l->st.mode == BFD_MODE_MULTIHOP ? BFD_PORT_MULTIHOP
                                                                    : BFD_PORT_SINGLE_HOP);
    sum.nlive++;
  }
  sum.live = live;
  BP_OUT(&ctx->out, summary, &sum);
  free(live);
  return sum.any_up;
}

void bp_sessions_status(bp_ctx *ctx) {
  bp_session *t = bp_session_first(&ctx->sessions);
  bfd_session_status st;
  bfd_uv_stats us;
  bp_status_out o;
  if (!t || !ctx->out.status)
    return;
  st.struct_version = BFD_SESSION_STATUS_VERSION;
  us.struct_version = BFD_UV_STATS_VERSION;
  if (bfd_session_get_status(t->s, &st) != 0 || bfd_uv_get_stats(ctx->end[0].uv, &us) != 0)
    return;
  o.peer = t->name;
  o.st = &st;
  o.dropped = st.rx_dropped + us.rx_ttl_dropped;
  o.nsessions = ctx->sessions.n;
  BP_OUT(&ctx->out, status, &o);
}
