/* Responder mode and goodbye (bfd_table_set_responder(), bfd_session_goodbye(),
 * bfd_table_goodbye_all()): passive sessions for unknown peers (RFC 5880
 * §6.1, §6.8.6), reaping (§6.8.1, §6.8.18), AdminDown before removal
 * (§6.8.16) and the lifecycle events of version 2 callbacks. */
#include "bfd_auth.h"
#include "bfd_crypto.h"
#include "bfd_harness.h"
#include "bfd_table.h"

#include <stdlib.h>
#include <string.h>

#define MS  BFD_MILLISECONDS
#define SEC BFD_SECONDS
#define T0  (1000 * BFD_SECONDS)
#define SH  BFD_MODE_SINGLE_HOP
#define MH  BFD_MODE_MULTIHOP

#define L4  0x0a000001u /* our address */
#define P4  0x0a000002u /* first peer; peer i is P4 + i */
#define IFX 3u

/* ------------------------------------------------------------------------ */
/* Harness: bfd_testlib; one ordered log of every callback (bt_rec: state,  */
/* nexthop, session; params and auth failures in its side log)              */
/* ------------------------------------------------------------------------ */

static bfd_table *mk_table_v(bt_rec *c, const bfd_mem *mem, uint32_t cb_version) {
  bfd_table *t = bt_table_new(c, mem, cb_version, BT_CB_ALL);
  c->strict = 1;
  c->side_kinds = 1u << BT_EV_PARAMS | 1u << BT_EV_AUTH;
  c->probe = t;
  return t;
}

static bfd_table *mk_table(bt_rec *c, const bfd_mem *mem) {
  return mk_table_v(c, mem, BFD_CALLBACKS_VERSION);
}

/* A scripted peer's packet: 100 ms / 100 ms x 3. */
static bt_peer pk(uint8_t state, uint32_t my, uint32_t your) {
  return bt_peer_make(state, my, your, 100000);
}

/* A spoofed source: asks for the largest intervals the wire allows. */
static bt_peer spoof(uint32_t my) {
  bt_peer p = pk(BFD_STATE_DOWN, my, 0);
  p.mult = 255;
  p.tx_us = 0xffffffffu;
  p.rx_us = 0xffffffffu;
  return p;
}

/* Encodes, signed with `ring` (a peer's) when given. */
static size_t enc(uint8_t *buf, const bt_peer *p, bfd_auth_ring *ring) {
  bt_peer q = *p;
  q.ring = ring;
  return bt_peer_encode(&q, buf);
}

static int feedp(bfd_table *t, const bfd_rx_info *ri, const bt_peer *p, bfd_auth_ring *ring,
                 uint64_t now, bfd_session **ps) {
  bt_peer q = *p;
  q.ring = ring;
  return bt_table_feed(t, ri, &q, now, ps);
}

static bfd_responder_settings rs_make(uint32_t max, uint32_t hold_ms) {
  bfd_responder_settings rs;
  CU_ASSERT_EQUAL(bfd_responder_settings_init(BFD_RESPONDER_SETTINGS_VERSION, &rs), 0);
  rs.max_sessions = max;
  rs.hold_ms = hold_ms;
  return rs;
}

/* Every session's events lie between its CREATED (responder sessions) and
 * its REMOVED: nothing names a pointer the host has not been given, or one
 * that is gone. */
static void check_lifecycle(const bt_rec *c) {
  unsigned i, j;
  for (i = 0; i < c->n; i++) {
    const bt_ev *e = &c->ev[i];
    if (e->kind != BT_EV_SESS)
      continue;
    for (j = 0; j < c->n; j++) {
      if (c->ev[j].discr != e->discr)
        continue;
      CU_ASSERT(e->se.kind == BFD_SESSION_EV_CREATED ? j >= i : j <= i);
    }
    for (j = 0; j < c->nside; j++) {
      if (c->side[j].kind != BT_EV_PARAMS || c->side[j].discr != e->discr)
        continue;
      CU_ASSERT(e->se.kind == BFD_SESSION_EV_CREATED ? c->side[j].pos > i : c->side[j].pos <= i);
    }
  }
}

/* An active table session brought Up by a scripted peer (Down, then Up). */
static bfd_session *up_session(bfd_table *t, const bfd_session_settings *st,
                               const bfd_session_key *k, const bt_peer *peer, bfd_auth_ring *ring,
                               uint64_t now) {
  bfd_session *s = NULL;
  bt_peer p = *peer;
  p.ring = ring;
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(t, &s, st, k, NULL, now), 0);
  bt_table_bring_up(t, s, &p, now);
  return s;
}

/* The strongest type this build has (Meticulous Keyed SHA1 needs libcrypto). */
static uint8_t auth_type(void) {
  return bfd_crypto_built() ? BFD_AUTH_METICULOUS_KEYED_SHA1 : BFD_AUTH_SIMPLE;
}

/* Does `raw` verify under `k` (a fresh receiver: any sequence number)? */
static int verifies(const bfd_auth_key *k, const uint8_t *raw, const bfd_ctrl_pkt *p) {
  bfd_auth_ring *r = bt_ring(k, 0);
  int rv = bfd_auth_verify(r, p, raw, 3, 100000, T0);
  bt_ring_free(r);
  return rv == 0;
}

/* The end of a test: the lifecycle held, the table goes and, with the
 * counting allocator m, leaves nothing behind. */
static void done(bfd_table *t, const bt_rec *c, const bt_mem *m) {
  check_lifecycle(c);
  bfd_table_del(t);
  if (m)
    CU_ASSERT_EQUAL(m->live_blocks, 0);
}

/* No session, no responder session, nothing due. */
static void expect_empty(const bfd_table *t) {
  CU_ASSERT_EQUAL(bfd_table_size(t), 0);
  CU_ASSERT_EQUAL(bfd_table_responder_count(t), 0);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(t), BFD_TSTAMP_NONE);
}

/* A refusal left no trace: expect_empty, no event, no allocation call
 * since `calls`. */
static void expect_no_trace(const bfd_table *t, const bt_rec *c, const bt_mem *m, long calls) {
  expect_empty(t);
  CU_ASSERT_EQUAL(c->n, 0);
  CU_ASSERT_EQUAL(m->calls, calls);
}

/* The table holds n sessions after a feed_time at end - 1, none after one
 * at end. */
static void gone_at(bfd_table *t, uint64_t end, size_t n) {
  CU_ASSERT_EQUAL(bfd_table_feed_time(t, end - 1), 0);
  CU_ASSERT_EQUAL(bfd_table_size(t), n);
  CU_ASSERT_EQUAL(bfd_table_feed_time(t, end), 0);
  CU_ASSERT_EQUAL(bfd_table_size(t), 0);
}

/* Log entry i: a state change old -> new with local diag `diag` at ts. */
static void ev_state(const bt_rec *c, unsigned i, uint8_t old_state, uint8_t new_state,
                     uint8_t diag, uint64_t ts) {
  const bt_ev *e = &c->ev[i];
  CU_ASSERT_EQUAL(e->kind, BT_EV_STATE);
  CU_ASSERT_EQUAL(e->st.old_state, old_state);
  CU_ASSERT_EQUAL(e->st.new_state, new_state);
  CU_ASSERT_EQUAL(e->st.local_diag, diag);
  CU_ASSERT_EQUAL(e->st.ts, ts);
}

/* Log entry i: a nexthop event. */
static void ev_nh(const bt_rec *c, unsigned i, uint8_t action, uint8_t cause, uint64_t ts) {
  const bt_ev *e = &c->ev[i];
  CU_ASSERT_EQUAL(e->kind, BT_EV_NH);
  CU_ASSERT_EQUAL(e->nh.action, action);
  CU_ASSERT_EQUAL(e->nh.cause, cause);
  CU_ASSERT_EQUAL(e->nh.ts, ts);
}

/* Log entry i: REMOVED of discriminator d. */
static void ev_removed(const bt_rec *c, unsigned i, uint32_t d, uint8_t reason, uint64_t ts) {
  const bt_ev *e = &c->ev[i];
  CU_ASSERT_EQUAL(e->kind, BT_EV_SESS);
  CU_ASSERT_EQUAL(e->discr, d);
  CU_ASSERT_EQUAL(e->se.kind, BFD_SESSION_EV_REMOVED);
  CU_ASSERT_EQUAL(e->se.reason, reason);
  CU_ASSERT_EQUAL(e->se.ts, ts);
}

/* Discriminator d was REMOVED exactly once, for `reason` at ts. */
static void removed_once(const bt_rec *c, uint32_t d, uint8_t reason, uint64_t ts) {
  const bt_ev *e = bt_rec_find_sess(c, BFD_SESSION_EV_REMOVED, d);
  CU_ASSERT_EQUAL(bt_rec_count_sess(c, 0, BFD_SESSION_EV_REMOVED, d), 1);
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  CU_ASSERT_EQUAL(e->se.reason, reason);
  CU_ASSERT_EQUAL(e->se.ts, ts);
}

/* The table's next packet at `now`: 24 bytes from s (its discriminator),
 * with these fields. */
static void next_pkt(bfd_table *t, uint64_t now, bfd_session *s, bfd_ctrl_pkt *out, uint8_t state,
                     uint8_t diag, uint8_t flags, uint32_t your, uint32_t tx_us, uint32_t rx_us) {
  bfd_session *ps = NULL;
  CU_ASSERT_EQUAL_FATAL(bt_table_poll(t, now, &ps, out, NULL), BFD_CTRL_LEN);
  CU_ASSERT_PTR_EQUAL(ps, s);
  CU_ASSERT_EQUAL(out->state, state);
  CU_ASSERT_EQUAL(out->diag, diag);
  CU_ASSERT_EQUAL(out->flags, flags);
  CU_ASSERT_EQUAL(out->my_discr, bfd_session_get_local_discr(s));
  CU_ASSERT_EQUAL(out->your_discr, your);
  CU_ASSERT_EQUAL(out->desired_min_tx_us, tx_us);
  CU_ASSERT_EQUAL(out->required_min_rx_us, rx_us);
}

/* The counting allocator m and a table on it in responder mode rs; *calls
 * (when given): the allocation calls made so far. */
static bfd_table *mem_table(bt_mem *m, bt_rec *c, const bfd_responder_settings *rs, long *calls) {
  bfd_table *t;
  bt_mem_init(m);
  t = mk_table(c, &m->mem);
  CU_ASSERT_EQUAL_FATAL(bfd_table_set_responder(t, rs), 0);
  if (calls)
    *calls = m->calls;
  return t;
}

/* A refusal fixture: the counting allocator, a table on it in responder
 * mode (4 sessions, the default hold), a datagram from P4, the allocation
 * calls once set up. */
typedef struct refx {
  bt_mem m;
  bfd_table *t;
  bfd_rx_info ri;
  long calls;
  bfd_session *ps; /* what the last refx_feed() named */
  bt_rec c;
} refx;

static void refx_open(refx *x) {
  bfd_responder_settings rs = rs_make(4, 0);
  x->t = mem_table(&x->m, &x->c, &rs, &x->calls);
  x->ri = bt_ri4(SH, L4, P4, IFX);
}

/* Feeds p's packet at `now`; x->ps is not NULL before, so a refusal that
 * names no session shows. */
static int refx_feed(refx *x, const bt_peer *p, uint64_t now) {
  x->ps = (bfd_session *)&x->c;
  return feedp(x->t, &x->ri, p, NULL, now, &x->ps);
}

/* Responder mode with rs; p's packet through ri at T0 creates a session. */
static bfd_session *responder_first(bfd_table *t, const bfd_responder_settings *rs,
                                    const bfd_rx_info *ri, const bt_peer *p) {
  bfd_session *s = NULL;
  CU_ASSERT_EQUAL_FATAL(bfd_table_set_responder(t, rs), 0);
  CU_ASSERT_EQUAL(feedp(t, ri, p, NULL, T0, &s), 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  return s;
}

/* The peer (discriminator my) heard s's Init: its Init naming s at `now`
 * brings s Up. */
static void responder_up(bfd_table *t, const bfd_rx_info *ri, bfd_session *s, uint32_t my,
                         uint64_t now) {
  bt_peer p = pk(BFD_STATE_INIT, my, bfd_session_get_local_discr(s));
  bfd_session *ps = NULL;
  CU_ASSERT_EQUAL(feedp(t, ri, &p, NULL, now, &ps), 0);
  CU_ASSERT_PTR_EQUAL(ps, s);
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_state(s), BFD_STATE_UP);
}

/* One session for P4 in a table: a responder session (one_open) or an
 * active one brought Up (up_open). */
typedef struct one_fx {
  bfd_table *t;
  bfd_session *s;
  bfd_rx_info ri; /* from P4 */
  uint32_t d;     /* s's discriminator */
  bt_peer peer;   /* up_open: the peer that brought s Up */
  bt_rec c;
} one_fx;

/* Responder mode for one session (hold hold_ms); the session P4's Down
 * from discriminator `my` created at T0. */
static void one_open(one_fx *x, uint32_t hold_ms, uint32_t my) {
  bfd_responder_settings rs = rs_make(1, hold_ms);
  bt_peer p = pk(BFD_STATE_DOWN, my, 0);
  x->t = mk_table(&x->c, NULL);
  x->ri = bt_ri4(SH, L4, P4, IFX);
  x->s = responder_first(x->t, &rs, &x->ri, &p);
  x->d = bfd_session_get_local_discr(x->s);
}

/* An active session for P4, 100 ms / 100 ms x 3, brought Up at T0 by
 * x->peer (Up, discriminator my, 100 ms). */
static void up_open(one_fx *x, uint32_t my) {
  bfd_session_settings st = bt_settings(100000, 100000, 3);
  bfd_session_key k = bt_key4(SH, L4, P4, IFX);
  x->t = mk_table(&x->c, NULL);
  x->ri = bt_ri_key(&k);
  x->peer = pk(BFD_STATE_UP, my, 0);
  x->s = up_session(x->t, &st, &k, &x->peer, NULL, T0);
  x->d = bfd_session_get_local_discr(x->s);
}

/* ------------------------------------------------------------------------ */
/* Responder mode: creation                                                 */
/* ------------------------------------------------------------------------ */

static void test_bfd_responder_off_by_default(void) {
  bt_rec c;
  bfd_table *t = mk_table(&c, NULL);
  bfd_responder_settings rs;
  bfd_rx_info ri = bt_ri4(SH, L4, P4, IFX);
  bt_peer p = pk(BFD_STATE_DOWN, 0x100, 0);
  bfd_session *s = (bfd_session *)&c;
  /* The defaults: off, passive, BFD_NHS_AFTER_UP, no keys. */
  CU_ASSERT_EQUAL(bfd_responder_settings_init(BFD_RESPONDER_SETTINGS_VERSION, &rs), 0);
  CU_ASSERT_EQUAL(rs.struct_version, BFD_RESPONDER_SETTINGS_VERSION);
  CU_ASSERT_EQUAL(rs.max_sessions, 0);
  CU_ASSERT_EQUAL(rs.hold_ms, 0);
  CU_ASSERT_EQUAL(rs.nkeys, 0);
  CU_ASSERT_EQUAL(rs.session.struct_version, BFD_SESSION_SETTINGS_VERSION);
  CU_ASSERT_EQUAL(rs.session.passive, 1);
  CU_ASSERT_EQUAL(rs.session.nexthop_policy, BFD_NHS_AFTER_UP);
  CU_ASSERT_EQUAL(rs.session.desired_min_tx_us, 300000);
  CU_ASSERT_EQUAL(rs.session.required_min_rx_us, 300000);
  CU_ASSERT_EQUAL(rs.session.detect_mult, 3);
  CU_ASSERT_EQUAL(rs.session.admin_down, 0);
  CU_ASSERT_EQUAL(bfd_session_settings_check(&rs.session), 0);
  CU_ASSERT_EQUAL(bfd_responder_settings_init(BFD_RESPONDER_SETTINGS_VERSION, NULL),
                  BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_responder_settings_init(0, &rs), BFD_ERR_VERSION);
  CU_ASSERT_EQUAL(bfd_responder_settings_init(BFD_RESPONDER_SETTINGS_VERSION + 1, &rs),
                  BFD_ERR_VERSION);
  CU_ASSERT_EQUAL(bfd_table_responder_count(NULL), 0);

  /* A new table: no session for an unknown peer. */
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &s), BFD_ERR_PKT_NO_SESSION);
  CU_ASSERT_PTR_NULL(s);
  CU_ASSERT_EQUAL(bfd_table_size(t), 0);
  CU_ASSERT_EQUAL(bfd_table_responder_count(t), 0);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(t, BFD_ERR_PKT_NO_SESSION), 1);
  /* The defaults as given (max_sessions 0) keep it off. */
  (void)bfd_responder_settings_init(BFD_RESPONDER_SETTINGS_VERSION, &rs);
  CU_ASSERT_EQUAL(bfd_table_set_responder(t, &rs), 0);
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &s), BFD_ERR_PKT_NO_SESSION);
  CU_ASSERT_EQUAL(bfd_table_size(t), 0);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(t, BFD_ERR_PKT_NO_SESSION), 2);
  CU_ASSERT_EQUAL(c.n, 0);
  CU_ASSERT_EQUAL(c.naccept, 0);
  done(t, &c, NULL);
}

/* §6.1 / §6.8.6: a Down packet from an unknown source creates one passive
 * session; a scripted peer brings it Up. */
static void test_bfd_responder_create(void) {
  bt_rec c;
  bfd_table *t = mk_table(&c, NULL);
  bfd_responder_settings rs = rs_make(4, 0);
  bfd_rx_info ri = bt_ri4(SH, L4, P4, IFX);
  bfd_session_key k, want = bt_key4(SH, L4, P4, IFX);
  bfd_session_settings got;
  bfd_session_status stat;
  bfd_ctrl_pkt out;
  bt_peer p = pk(BFD_STATE_DOWN, 0x7001, 0);
  bfd_session *s = NULL, *ps = NULL;
  int marker;
  uint32_t d;

  rs.session.desired_min_tx_us = 200000;
  rs.session.required_min_rx_us = 250000;
  rs.session.required_min_echo_rx_us = 50000;
  rs.session.detect_mult = 4;
  rs.session.cpi = 1;
  rs.session.passive = 0;        /* forced to 1 */
  rs.session.local_discr = 1234; /* forced to a drawn one */
  CU_ASSERT_EQUAL_FATAL(bfd_table_set_responder(t, &rs), 0);
  /* IPv4 lives in the first 4 bytes; the rest is whatever the host left. */
  memset(ri.local + 4, 0xaa, 12);
  memset(ri.peer + 4, 0x55, 12);
  /* §6.8.1: nonzero and unique: a 0 draw is drawn again. */
  /* A configured session holds 0x5eed0001 (passive, BFD_NHS_AFTER_UP: no
   * events of its own). */
  {
    bfd_session_settings cst = bt_settings(300000, 300000, 3);
    bfd_session_key ck = bt_key4(SH, L4, 0x0a0000fe, IFX);
    bfd_session *cs = NULL;
    cst.passive = 1;
    cst.nexthop_policy = BFD_NHS_AFTER_UP;
    cst.local_discr = 0x5eed0001u;
    CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(t, &cs, &cst, &ck, NULL, T0), 0);
  }
  c.script[0] = 0;
  c.script[1] = 0x5eed0001u;
  c.script[2] = 0x5eed0002u;
  c.nscript = 3;
  c.created_ud = &marker;

  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &s), 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  d = bfd_session_get_local_discr(s);
  CU_ASSERT_EQUAL(d, 0x5eed0002u); /* not 0, not taken (§6.8.1) */
  CU_ASSERT_EQUAL(bfd_table_size(t), 2);
  CU_ASSERT_EQUAL(bfd_table_responder_count(t), 1);
  CU_ASSERT_PTR_EQUAL(bfd_table_find_discr(t, d), s);
  CU_ASSERT_PTR_EQUAL(bfd_table_find_key(t, &want), s);
  CU_ASSERT_EQUAL(c.naccept, 1);
  CU_ASSERT_PTR_EQUAL(c.accept_t, t);
  CU_ASSERT_EQUAL(memcmp(&c.accept_ri, &ri, sizeof(ri)), 0);
  /* CREATED first (findable, still Down), then Down -> Init. */
  CU_ASSERT_EQUAL_FATAL(c.n, 2);
  CU_ASSERT_EQUAL(c.ev[0].kind, BT_EV_SESS);
  CU_ASSERT_PTR_EQUAL(c.ev[0].s, s);
  CU_ASSERT_EQUAL(c.ev[0].se.kind, BFD_SESSION_EV_CREATED);
  CU_ASSERT_EQUAL(c.ev[0].se.reason, 0);
  CU_ASSERT_EQUAL(c.ev[0].se.ts, T0);
  CU_ASSERT_EQUAL(c.ev[0].findable, 1);
  CU_ASSERT_EQUAL(c.ev[0].state, BFD_STATE_DOWN);
  CU_ASSERT_PTR_NULL(c.ev[0].ud);
  CU_ASSERT_EQUAL(c.ev[1].kind, BT_EV_STATE);
  CU_ASSERT_EQUAL(c.ev[1].st.old_state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(c.ev[1].st.new_state, BFD_STATE_INIT);
  CU_ASSERT_EQUAL(c.ev[1].st.ts, T0);
  CU_ASSERT_EQUAL(c.ev[1].st.change_seq, 1);
  CU_ASSERT_PTR_EQUAL(c.ev[1].ud, &marker);
  CU_ASSERT_PTR_EQUAL(bfd_session_get_user_data(s), &marker);
  /* The key is the packet's: mode, family, ifindex, local, peer. */
  CU_ASSERT_EQUAL(bfd_session_get_key(s, &k), 0);
  CU_ASSERT_EQUAL(memcmp(&k, &want, sizeof(k)), 0);
  /* Template values; passive forced, discriminator drawn. */
  CU_ASSERT_EQUAL(bfd_session_get_settings(s, &got), 0);
  CU_ASSERT_EQUAL(got.passive, 1);
  CU_ASSERT_EQUAL(got.local_discr, d);
  CU_ASSERT_EQUAL(got.desired_min_tx_us, 200000);
  CU_ASSERT_EQUAL(got.required_min_rx_us, 250000);
  CU_ASSERT_EQUAL(got.required_min_echo_rx_us, 50000);
  CU_ASSERT_EQUAL(got.detect_mult, 4);
  CU_ASSERT_EQUAL(got.mode, SH);
  CU_ASSERT_EQUAL(got.cpi, 1);
  CU_ASSERT_EQUAL(got.admin_down, 0);
  CU_ASSERT_EQUAL(got.nexthop_policy, BFD_NHS_AFTER_UP);
  CU_ASSERT_EQUAL(got.min_rx_ttl, 0);
  stat = bt_status(s);
  CU_ASSERT_EQUAL(stat.state, BFD_STATE_INIT);
  CU_ASSERT_EQUAL(stat.remote_discr, 0x7001);
  CU_ASSERT_EQUAL(stat.rx_packets, 1);
  CU_ASSERT_EQUAL(stat.rx_dropped, 0);
  CU_ASSERT_EQUAL(bfd_session_auth_get_type(s), BFD_AUTH_NONE);

  /* It answers at once (§6.8.7: it has the remote's discriminator now),
   * at the one-second floor while not Up (§6.8.3). */
  CU_ASSERT_EQUAL(bfd_table_next_deadline(t), T0);
  next_pkt(t, T0, s, &out, BFD_STATE_INIT, BFD_DIAG_NONE, BFD_FLAG_C, 0x7001, 1000000, 250000);
  CU_ASSERT_EQUAL(out.my_discr, d);
  CU_ASSERT_EQUAL(out.detect_mult, 4);
  CU_ASSERT_EQUAL(out.required_min_echo_rx_us, 50000);
  CU_ASSERT_EQUAL(bt_table_poll(t, T0, &ps, &out, NULL), 0);

  /* The same source again (it has not heard us yet): the same session. */
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0 + 10 * MS, &ps), 0);
  CU_ASSERT_PTR_EQUAL(ps, s);
  CU_ASSERT_EQUAL(bfd_table_size(t), 2);
  CU_ASSERT_EQUAL(bfd_table_responder_count(t), 1);
  CU_ASSERT_EQUAL(bt_rec_count_sess(&c, 0, BFD_SESSION_EV_CREATED, d), 1);
  CU_ASSERT_EQUAL(c.naccept, 1);
  CU_ASSERT_EQUAL(c.n, 2);
  CU_ASSERT_EQUAL(bt_status(s).rx_packets, 2);

  /* The peer heard our Init: Up (§6.8.6). */
  p = pk(BFD_STATE_INIT, 0x7001, d);
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0 + 20 * MS, &ps), 0);
  CU_ASSERT_PTR_EQUAL(ps, s);
  CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_UP);
  CU_ASSERT_EQUAL_FATAL(c.n, 3);
  CU_ASSERT_EQUAL(c.ev[2].kind, BT_EV_STATE);
  CU_ASSERT_EQUAL(c.ev[2].st.old_state, BFD_STATE_INIT);
  CU_ASSERT_EQUAL(c.ev[2].st.new_state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(c.ev[2].st.ts, T0 + 20 * MS);
  CU_ASSERT_EQUAL(bt_table_poll(t, T0 + 20 * MS, &ps, &out, NULL), BFD_CTRL_LEN);
  CU_ASSERT_PTR_EQUAL(ps, s);
  CU_ASSERT_EQUAL(out.state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(out.your_discr, 0x7001);
  p = pk(BFD_STATE_UP, 0x7001, d);
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0 + 30 * MS, &ps), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_UP);
  CU_ASSERT_EQUAL(bt_rec_count_discr(&c, 0, BT_EV_NH, d), 0); /* BFD_NHS_AFTER_UP, never failed */
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(t, BFD_ERR_PKT_NO_SESSION), 0);
  done(t, &c, NULL);
}

/* The key for multihop (no interface: the path may change) and IPv6;
 * without BFD_RX_LOCAL the key's local address is "any". */
static void test_bfd_responder_key_multihop_v6(void) {
  bt_rec c;
  bfd_table *t = mk_table(&c, NULL);
  bfd_responder_settings rs = rs_make(4, 0);
  bfd_rx_info ri;
  bfd_session_key k;
  bfd_session *s1 = NULL, *s2 = NULL, *ps = NULL;
  bt_peer p = pk(BFD_STATE_DOWN, 0x200, 0);
  rs.session.mode = MH;
  CU_ASSERT_EQUAL_FATAL(bfd_table_set_responder(t, &rs), 0);
  memset(&ri, 0, sizeof(ri));
  ri.mode = MH;
  ri.family = BFD_AF_INET6;
  ri.ttl = 250; /* RFC 5883: no fixed floor */
  ri.flags = BFD_RX_TTL | BFD_RX_LOCAL | BFD_RX_PEER;
  ri.ifindex = 7;
  ri.local[0] = 0x20, ri.local[1] = 0x01, ri.local[2] = 0x0d, ri.local[3] = 0xb8;
  memcpy(ri.peer, ri.local, 16);
  ri.local[15] = 1;
  ri.peer[15] = 2;
  ri.peer[8] = 0x77;
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &s1), 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s1);
  CU_ASSERT_EQUAL(bfd_session_get_key(s1, &k), 0);
  CU_ASSERT_EQUAL(k.mode, MH);
  CU_ASSERT_EQUAL(k.family, BFD_AF_INET6);
  CU_ASSERT_EQUAL(k.flags, 0);
  CU_ASSERT_EQUAL(k.pad, 0);
  CU_ASSERT_EQUAL(k.ifindex, 0);
  CU_ASSERT_EQUAL(memcmp(k.local, ri.local, 16), 0);
  CU_ASSERT_EQUAL(memcmp(k.peer, ri.peer, 16), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(s1), BFD_STATE_INIT);
  /* The same peer on another interface: the same multihop session. */
  ri.ifindex = 8;
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &ps), 0);
  CU_ASSERT_PTR_EQUAL(ps, s1);

  /* Another peer, local address unknown. */
  ri.flags = BFD_RX_TTL | BFD_RX_PEER;
  ri.peer[15] = 3;
  p.my = 0x201;
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &s2), 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
  CU_ASSERT_PTR_NOT_EQUAL(s1, s2);
  CU_ASSERT_EQUAL(bfd_session_get_key(s2, &k), 0);
  {
    static const uint8_t zero[16] = {0};
    CU_ASSERT_EQUAL(memcmp(k.local, zero, 16), 0);
  }
  CU_ASSERT_EQUAL(memcmp(k.peer, ri.peer, 16), 0);
  /* Later packets from it with the local address known still find it. */
  ri.flags = BFD_RX_TTL | BFD_RX_LOCAL | BFD_RX_PEER;
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &ps), 0);
  CU_ASSERT_PTR_EQUAL(ps, s2);
  CU_ASSERT_EQUAL(bfd_table_size(t), 2);

  /* One template answers both ports: a single-hop packet gets a
   * single-hop session (its key with the ifindex, GTSM's TTL 255: a TTL of
   * 254 creates nothing, RFC 5881 §5); without a source there is no key. */
  ri.mode = SH;
  ri.ttl = 254;
  ri.peer[15] = 4;
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &ps), BFD_ERR_PKT_TTL);
  CU_ASSERT_PTR_NULL(ps);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(t, BFD_ERR_PKT_TTL), 1);
  ri.ttl = 255;
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &ps), 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ps);
  CU_ASSERT_EQUAL(bt_status(ps).mode, SH);
  CU_ASSERT_EQUAL(bfd_table_size(t), 3);
  ri.mode = MH;
  ri.flags = BFD_RX_TTL | BFD_RX_LOCAL;
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &ps), BFD_ERR_PKT_NO_SESSION);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(t, BFD_ERR_PKT_NO_SESSION), 1);
  CU_ASSERT_EQUAL(bfd_table_size(t), 3);
  CU_ASSERT_EQUAL(bfd_table_responder_count(t), 3);
  CU_ASSERT_EQUAL(c.naccept, 3);
  done(t, &c, NULL);
}

/* §6.8.16: a peer in AdminDown asks for no session. */
static void test_bfd_responder_admin_down_never_creates(void) {
  refx x;
  bt_peer p = pk(BFD_STATE_ADMIN_DOWN, 0x300, 0);
  refx_open(&x);
  p.diag = BFD_DIAG_ADMIN_DOWN;
  CU_ASSERT_EQUAL(refx_feed(&x, &p, T0), BFD_ERR_PKT_NO_SESSION);
  CU_ASSERT_PTR_NULL(x.ps);
  CU_ASSERT_EQUAL(refx_feed(&x, &p, T0 + SEC), BFD_ERR_PKT_NO_SESSION);
  expect_no_trace(x.t, &x.c, &x.m, x.calls);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(x.t, BFD_ERR_PKT_NO_SESSION), 2);
  CU_ASSERT_EQUAL(x.c.naccept, 0);
  /* A nonzero Your Discriminator names a session we do not have. */
  p = pk(BFD_STATE_DOWN, 0x300, 0x12345678);
  CU_ASSERT_EQUAL(refx_feed(&x, &p, T0 + SEC), BFD_ERR_PKT_NO_SESSION);
  CU_ASSERT_EQUAL(bfd_table_size(x.t), 0);
  CU_ASSERT_EQUAL(x.c.naccept, 0);
  /* The same source in Down: created. */
  p = pk(BFD_STATE_DOWN, 0x300, 0);
  CU_ASSERT_EQUAL(refx_feed(&x, &p, T0 + SEC), 0);
  CU_ASSERT_PTR_NOT_NULL(x.ps);
  CU_ASSERT_EQUAL(bfd_table_size(x.t), 1);
  done(x.t, &x.c, &x.m);
}

/* N spoofed sources create N sessions, the next is refused; reaping frees
 * the slots. */
static void test_bfd_responder_max_sessions(void) {
  enum { N = 3 };
  bt_rec c;
  bfd_table *t = mk_table(&c, NULL);
  bfd_responder_settings rs = rs_make(N, 1000);
  bfd_session *s[N], *ps = NULL;
  bfd_rx_info ri;
  bt_peer p;
  uint32_t d[N];
  unsigned i;
  CU_ASSERT_EQUAL_FATAL(bfd_table_set_responder(t, &rs), 0);
  for (i = 0; i < N; i++) {
    ri = bt_ri4(SH, L4, P4 + i, IFX);
    p = spoof(0x400 + i);
    s[i] = NULL;
    CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &s[i]), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s[i]);
    d[i] = bfd_session_get_local_discr(s[i]);
    CU_ASSERT_EQUAL(bfd_table_responder_count(t), i + 1);
  }
  CU_ASSERT(d[0] != d[1] && d[1] != d[2] && d[0] != d[2]);
  /* Full: the next source is refused before any callback. */
  ri = bt_ri4(SH, L4, P4 + N, IFX);
  p = spoof(0x4ff);
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &ps), BFD_ERR_PKT_NO_SESSION);
  CU_ASSERT_PTR_NULL(ps);
  CU_ASSERT_EQUAL(bfd_table_size(t), N);
  CU_ASSERT_EQUAL(bfd_table_responder_count(t), N);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(t, BFD_ERR_PKT_NO_SESSION), 1);
  CU_ASSERT_EQUAL(c.naccept, N);
  for (i = 0; i < N; i++)
    CU_ASSERT_EQUAL(bt_rec_count_sess(&c, 0, BFD_SESSION_EV_CREATED, d[i]), 1);
  /* A known source still reaches its session. */
  ri = bt_ri4(SH, L4, P4, IFX);
  p = spoof(0x400);
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &ps), 0);
  CU_ASSERT_PTR_EQUAL(ps, s[0]);
  CU_ASSERT_EQUAL(bt_table_drain(t, T0), N);
  /* Reaped together at T0 + hold. */
  CU_ASSERT_EQUAL(bfd_table_next_deadline(t), T0 + 1000 * MS);
  gone_at(t, T0 + 1000 * MS, N);
  CU_ASSERT_EQUAL(bfd_table_responder_count(t), 0);
  for (i = 0; i < N; i++)
    removed_once(&c, d[i], BFD_SESSION_REMOVED_REAPED, T0 + 1000 * MS);
  /* The slots are free again. */
  ri = bt_ri4(SH, L4, P4 + N, IFX);
  p = spoof(0x4ff);
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0 + 1000 * MS, &ps), 0);
  CU_ASSERT_PTR_NOT_NULL(ps);
  CU_ASSERT_EQUAL(bfd_table_responder_count(t), 1);
  done(t, &c, NULL);
}

/* ------------------------------------------------------------------------ */
/* Responder mode: reaping (§6.8.1, §6.8.18)                                */
/* ------------------------------------------------------------------------ */

/* A never-Up session goes at exactly last_rx + hold, whatever Detection
 * Time the spoofed packet asked for (Detect Mult 255 x 0xffffffff us). */
static void test_bfd_responder_reap_hold_ms(void) {
  bt_rec c;
  bfd_table *t = mk_table(&c, NULL);
  bfd_responder_settings rs = rs_make(2, 2500);
  bfd_rx_info ri = bt_ri4(SH, L4, P4, IFX);
  bt_peer p = spoof(0x500);
  bfd_session *s = NULL, *ps = NULL;
  bfd_ctrl_pkt out;
  const uint64_t t1 = T0 + SEC, end = t1 + 2500 * MS;
  unsigned mark;
  uint32_t d;
  s = responder_first(t, &rs, &ri, &p);
  d = bfd_session_get_local_discr(s);
  CU_ASSERT(bt_status(s).detect_time_ns > 1000000 * SEC);
  CU_ASSERT_EQUAL(bt_table_poll(t, T0, &ps, &out, NULL), BFD_CTRL_LEN); /* the Init answer */
  CU_ASSERT_EQUAL(out.state, BFD_STATE_INIT);
  CU_ASSERT_EQUAL(bt_table_poll(t, T0, &ps, &out, NULL), 0);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(t), T0 + 2500 * MS);
  /* Another packet from the source: measured from it. */
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, t1, &ps), 0);
  CU_ASSERT_PTR_EQUAL(ps, s);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(t), end);
  CU_ASSERT_EQUAL(bfd_table_feed_time(t, end - 1), 0);
  CU_ASSERT_EQUAL(bt_table_poll(t, end - 1, &ps, &out, NULL), 0);
  CU_ASSERT_EQUAL(bfd_table_size(t), 1);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(t), end);
  mark = c.n;
  CU_ASSERT_EQUAL(bfd_table_feed_time(t, end), 0);
  expect_empty(t);
  /* Only REMOVED: a session that never came Up has no state to report. */
  CU_ASSERT_EQUAL_FATAL(c.n, mark + 1);
  ev_removed(&c, mark, d, BFD_SESSION_REMOVED_REAPED, end);
  CU_ASSERT_EQUAL(c.ev[mark].state, BFD_STATE_INIT);
  done(t, &c, NULL);
}

/* hold_ms 0: the template's Detect Mult x max(Required Min RX, 1 s). */
static void test_bfd_responder_reap_default_hold(void) {
  static const struct {
    uint8_t mult;
    uint32_t rx_us;
    uint64_t hold;
  } cases[] = {
      {3, 300000, 3 * SEC},  /* the defaults: 3 x 1 s */
      {4, 2000000, 8 * SEC}, /* RX above the floor */
      {2, 1000000, 2 * SEC}, /* exactly the floor */
      {1, 999999, 1 * SEC},
  };
  size_t i;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    bt_rec c;
    bfd_table *t = mk_table(&c, NULL);
    bfd_responder_settings rs = rs_make(1, 0);
    bfd_rx_info ri = bt_ri4(SH, L4, P4, IFX);
    bt_peer p = spoof(0x600);
    rs.session.detect_mult = cases[i].mult;
    rs.session.required_min_rx_us = cases[i].rx_us;
    (void)responder_first(t, &rs, &ri, &p);
    CU_ASSERT_EQUAL(bt_table_drain(t, T0), 1);
    CU_ASSERT_EQUAL(bfd_table_next_deadline(t), T0 + cases[i].hold);
    gone_at(t, T0 + cases[i].hold, 1);
    CU_ASSERT_EQUAL(bfd_table_responder_count(t), 0);
    removed_once(&c, c.ev[0].discr, BFD_SESSION_REMOVED_REAPED, T0 + cases[i].hold);
    done(t, &c, NULL);
  }
}

/* An honest peer that falls silent before the handshake: its Detection
 * Time (3 x max(300 ms, 100 ms)) comes before the 3 s hold; Init -> Down
 * (diag 1, §6.8.4), forgotten (§6.8.1), reaped in the same call. The host
 * here only polls. */
static void test_bfd_responder_reap_never_up_detect(void) {
  one_fx x;
  bfd_session *ps;
  bfd_ctrl_pkt out;
  const uint64_t at = T0 + 900 * MS;
  unsigned mark;
  one_open(&x, 0, 0x700);
  CU_ASSERT_EQUAL(bt_status(x.s).detect_time_ns, 900 * MS);
  (void)bt_table_drain(x.t, T0);
  (void)bt_table_drain(x.t, at - 1);
  CU_ASSERT_EQUAL(bfd_table_size(x.t), 1);
  mark = x.c.n;
  while (bt_table_poll(x.t, at, &ps, &out, NULL) > 0)
    ;
  CU_ASSERT_EQUAL(bfd_table_size(x.t), 0);
  CU_ASSERT_EQUAL(bfd_table_responder_count(x.t), 0);
  CU_ASSERT_EQUAL_FATAL(x.c.n, mark + 2);
  ev_state(&x.c, mark, BFD_STATE_INIT, BFD_STATE_DOWN, BFD_DIAG_DETECT_EXPIRED, at);
  ev_removed(&x.c, mark + 1, x.d, BFD_SESSION_REMOVED_REAPED, at);
  done(x.t, &x.c, NULL);
}

/* An Up responder session whose peer goes silent: at the detection time,
 * Up -> Down (diag 1), its nexthop events (RFC 5882 §3: DOWN, then the
 * clearing UP), REMOVED, all in that one feed_time call. */
static void test_bfd_responder_reap_up_silent(void) {
  one_fx x;
  const uint64_t t1 = T0 + 10 * MS, at = t1 + 900 * MS;
  unsigned mark;
  one_open(&x, 0, 0x800);
  (void)bt_table_drain(x.t, T0);
  responder_up(x.t, &x.ri, x.s, 0x800, t1);
  (void)bt_table_drain(x.t, t1);
  /* §6.8.4: the peer's Detect Mult x max(our 300 ms, its 100 ms). */
  CU_ASSERT_EQUAL(bt_status(x.s).detect_time_ns, 900 * MS);
  CU_ASSERT_EQUAL(bfd_table_feed_time(x.t, at - 1), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(x.s), BFD_STATE_UP);
  CU_ASSERT_EQUAL(bfd_table_size(x.t), 1);
  mark = x.c.n;
  CU_ASSERT_EQUAL(bfd_table_feed_time(x.t, at), 0);
  expect_empty(x.t);
  CU_ASSERT_EQUAL_FATAL(x.c.n, mark + 4);
  ev_state(&x.c, mark, BFD_STATE_UP, BFD_STATE_DOWN, BFD_DIAG_DETECT_EXPIRED, at);
  ev_nh(&x.c, mark + 1, BFD_NEXTHOP_DOWN, BFD_NH_CAUSE_FAILURE, at);
  ev_nh(&x.c, mark + 2, BFD_NEXTHOP_UP, BFD_NH_CAUSE_DELETED, at);
  ev_removed(&x.c, mark + 3, x.d, BFD_SESSION_REMOVED_REAPED, at);
  done(x.t, &x.c, NULL);
}

/* Reaping also happens in a bfd_session_* call on the session (here
 * bfd_session_feed_time()): REMOVED inside it, the table empty after. */
static void test_bfd_responder_reap_by_session_call(void) {
  one_fx x;
  const uint64_t at = T0 + 10 * MS + 900 * MS;
  one_open(&x, 0, 0x860);
  responder_up(x.t, &x.ri, x.s, 0x860, T0 + 10 * MS);
  CU_ASSERT_EQUAL(bfd_session_feed_time(x.s, at - 1), 0);
  CU_ASSERT_EQUAL(bfd_table_size(x.t), 1);
  CU_ASSERT_EQUAL(bfd_session_feed_time(x.s, at), 0);
  expect_empty(x.t);
  removed_once(&x.c, x.d, BFD_SESSION_REMOVED_REAPED, at);
  done(x.t, &x.c, NULL);
}

/* The peer says goodbye (§6.8.16): Up -> Down, diag 3, no nexthop event
 * (RFC 5882 §3.2: AdminDown is not a failure); reaped once its AdminDown
 * packets stop for a Detection Time (3 x its 1 s, = the 3 s hold). */
static void test_bfd_responder_reap_after_peer_goodbye(void) {
  one_fx x;
  bt_peer p;
  bfd_session *ps;
  const uint64_t t2 = T0 + 100 * MS, t3 = T0 + 600 * MS, end = t3 + 3 * SEC;
  unsigned mark;
  one_open(&x, 0, 0x850);
  responder_up(x.t, &x.ri, x.s, 0x850, T0 + 10 * MS);
  (void)bt_table_drain(x.t, T0 + 10 * MS);
  mark = x.c.n;
  p = pk(BFD_STATE_ADMIN_DOWN, 0x850, x.d);
  p.diag = BFD_DIAG_ADMIN_DOWN;
  p.tx_us = 1000000;
  CU_ASSERT_EQUAL(feedp(x.t, &x.ri, &p, NULL, t2, &ps), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(x.s), BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(bt_status(x.s).local_diag, BFD_DIAG_NEIGHBOR_DOWN);
  (void)bt_table_drain(x.t, t2);
  CU_ASSERT_EQUAL(feedp(x.t, &x.ri, &p, NULL, t3, &ps), 0);
  CU_ASSERT_PTR_EQUAL(ps, x.s);
  (void)bt_table_drain(x.t, t3);
  CU_ASSERT_EQUAL(bfd_table_feed_time(x.t, end - 1), 0);
  (void)bt_table_drain(x.t, end - 1);
  CU_ASSERT_EQUAL(bfd_table_size(x.t), 1);
  CU_ASSERT_EQUAL(bfd_table_feed_time(x.t, end), 0);
  CU_ASSERT_EQUAL(bfd_table_size(x.t), 0);
  CU_ASSERT_EQUAL(bfd_table_responder_count(x.t), 0);
  CU_ASSERT_EQUAL_FATAL(x.c.n, mark + 2);
  ev_state(&x.c, mark, BFD_STATE_UP, BFD_STATE_DOWN, BFD_DIAG_NEIGHBOR_DOWN, t2);
  CU_ASSERT_EQUAL(x.c.ev[mark].st.remote_state, BFD_STATE_ADMIN_DOWN);
  ev_removed(&x.c, mark + 1, x.d, BFD_SESSION_REMOVED_REAPED, end);
  CU_ASSERT_EQUAL(bt_rec_count_discr(&x.c, 0, BT_EV_NH, x.d), 0);
  done(x.t, &x.c, NULL);
}

/* Packets for configured sessions (an exact key, a RFC 5881 §6
 * BFD_KEY_ANY_PEER key) never start responder sessions: only "a peer no
 * session knows" does. */
static void test_bfd_responder_known_peers_first(void) {
  bt_rec c;
  bfd_table *t = mk_table(&c, NULL);
  bfd_responder_settings rs = rs_make(4, 0);
  bfd_session_settings st = bt_settings(300000, 300000, 3);
  bfd_session_key kc = bt_key4(SH, 0, P4, 0), ka = bt_key4(SH, 0, 0, 5);
  bfd_session *cs = NULL, *as = NULL, *ps;
  bfd_rx_info ri;
  bt_peer p = pk(BFD_STATE_DOWN, 0x870, 0);
  ka.flags = BFD_KEY_ANY_PEER;
  CU_ASSERT_EQUAL_FATAL(bfd_table_set_responder(t, &rs), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(t, &cs, &st, &kc, NULL, T0), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(t, &as, &st, &ka, NULL, T0), 0);
  ri = bt_ri4(SH, L4, P4, IFX);
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &ps), 0);
  CU_ASSERT_PTR_EQUAL(ps, cs);
  ri = bt_ri4(SH, L4, P4 + 7, 5);
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &ps), 0);
  CU_ASSERT_PTR_EQUAL(ps, as);
  CU_ASSERT_EQUAL(bfd_table_responder_count(t), 0);
  CU_ASSERT_EQUAL(c.naccept, 0);
  ri = bt_ri4(SH, L4, P4 + 8, IFX);
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &ps), 0);
  CU_ASSERT_PTR_NOT_NULL(ps);
  CU_ASSERT(ps != cs && ps != as);
  CU_ASSERT_EQUAL(bfd_table_responder_count(t), 1);
  CU_ASSERT_EQUAL(bfd_table_size(t), 3);
  done(t, &c, NULL);
}

/* BFD_ERR_NOMEM at each allocation of a creation: nothing created, no
 * callback, no leak; the next packet creates it. */
static void test_bfd_responder_create_nomem(void) {
  bfd_responder_settings rs = rs_make(4, 0);
  bfd_rx_info ri = bt_ri4(SH, L4, P4, IFX);
  bfd_auth_key key = bt_key_str(BFD_AUTH_SIMPLE, 1, "pw");
  bfd_auth_ring *pr = bt_ring(&key, 0);
  bt_peer p = pk(BFD_STATE_DOWN, 0x880, 0);
  long need = 0, i;
  rs.nkeys = 1;
  rs.tx_key_id = 1;
  rs.keys[0] = key;
  for (i = 0; i <= need; i++) {
    bt_mem m;
    bt_rec c;
    long before;
    bfd_table *t = mem_table(&m, &c, &rs, &before);
    bfd_session *ps = (bfd_session *)&c;
    if (i == 0) { /* count them */
      CU_ASSERT_EQUAL(feedp(t, &ri, &p, pr, T0, &ps), 0);
      need = m.calls - before;
      CU_ASSERT(need >= 2); /* the session, its key ring */
    } else {
      long live = m.live_blocks;
      m.fail_at = before + i;
      CU_ASSERT_EQUAL(feedp(t, &ri, &p, pr, T0, &ps), BFD_ERR_NOMEM);
      CU_ASSERT_PTR_NULL(ps);
      expect_empty(t);
      CU_ASSERT_EQUAL(c.n, 0);
      CU_ASSERT_EQUAL(c.nk[BT_EV_PARAMS], 0);
      CU_ASSERT(m.live_blocks <= live + 1); /* at most the table's reserved room */
      m.fail_at = 0;
      CU_ASSERT_EQUAL(feedp(t, &ri, &p, pr, T0, &ps), 0);
      CU_ASSERT_PTR_NOT_NULL(ps);
      CU_ASSERT_EQUAL(bfd_session_auth_get_type(ps), BFD_AUTH_SIMPLE);
      CU_ASSERT_EQUAL(
          bt_rec_count_sess(&c, 0, BFD_SESSION_EV_CREATED, bfd_session_get_local_discr(ps)), 1);
    }
    done(t, &c, &m);
  }
  bt_ring_free(pr);
}

/* ------------------------------------------------------------------------ */
/* Responder mode: refusals                                                 */
/* ------------------------------------------------------------------------ */

/* A candidate that fails a check of §6.8.6 / RFC 5881 §5 against the
 * template creates nothing, calls nothing, allocates nothing and is counted
 * in the table under its reason. */
static void test_bfd_responder_reject_candidates(void) {
  bt_mem m;
  bt_rec c;
  bfd_table *t;
  bfd_responder_settings rs = rs_make(4, 0);
  const uint8_t ty = auth_type();
  bfd_auth_key good = bt_key_str(ty, 1, "secret-one"), bad = bt_key_str(ty, 1, "secret-two"),
               other = bt_key_str(ty, 9, "secret-one");
  bfd_auth_ring *rgood = bt_ring(&good, 100), *rbad = bt_ring(&bad, 100),
                *rother = bt_ring(&other, 100);
  bfd_rx_info ri = bt_ri4(SH, L4, P4, IFX);
  bt_peer p = pk(BFD_STATE_DOWN, 0x900, 0);
  bfd_session *ps = (bfd_session *)&c;
  long calls;
  rs.nkeys = 1;
  rs.tx_key_id = 1;
  rs.keys[0] = good;
  t = mem_table(&m, &c, &rs, &calls);
#define REJECT(ring, reason, count)                                                                \
  do {                                                                                             \
    ps = (bfd_session *)&c;                                                                        \
    CU_ASSERT_EQUAL(feedp(t, &ri, &p, (ring), T0, &ps), (reason));                                 \
    CU_ASSERT_PTR_NULL(ps);                                                                        \
    CU_ASSERT_EQUAL(bfd_table_get_rx_drops(t, (reason)), (count));                                 \
  } while (0)
  /* §6.7: wrong secret (digest, or password), an unknown Key ID. */
  REJECT(rbad, BFD_ERR_PKT_AUTH_FAILED, 1);
  REJECT(rother, BFD_ERR_PKT_AUTH_FAILED, 2);
  /* §6.8.6: the A bit must match bfd.AuthType. */
  REJECT(NULL, BFD_ERR_PKT_AUTH_MISMATCH, 1);
  /* RFC 5881 §5: single-hop needs TTL 255; an unknown TTL fails too. */
  ri.ttl = 254;
  REJECT(rgood, BFD_ERR_PKT_TTL, 1);
  ri.flags = BFD_RX_LOCAL | BFD_RX_PEER;
  ri.ttl = 255;
  REJECT(rgood, BFD_ERR_PKT_TTL, 2);
  ri.flags = BFD_RX_TTL | BFD_RX_LOCAL | BFD_RX_PEER;
  /* Undecodable (Length beyond the datagram). */
  {
    uint8_t buf[BFD_CTRL_LEN_MAX];
    size_t n = enc(buf, &p, NULL);
    CU_ASSERT_EQUAL(bfd_table_feed_packet(t, buf, n - 1, &ri, T0, &ps), BFD_ERR_PKT_TRUNCATED);
    CU_ASSERT_EQUAL(bfd_table_get_rx_drops(t, BFD_ERR_PKT_TRUNCATED), 1);
  }
  expect_no_trace(t, &c, &m, calls);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(t, BFD_ERR_PKT_NO_SESSION), 0);
  CU_ASSERT_EQUAL(c.nk[BT_EV_PARAMS], 0);
  CU_ASSERT_EQUAL(c.nk[BT_EV_AUTH], 0);
  CU_ASSERT_EQUAL(c.naccept, 0);
  /* The genuine peer gets its session. */
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, rgood, T0, &ps), 0);
  CU_ASSERT_PTR_NOT_NULL(ps);
  CU_ASSERT_EQUAL(c.naccept, 1);
  CU_ASSERT(m.calls > calls);

  /* Without keys, a signed packet is the mismatch (§6.8.6). */
  rs.nkeys = 0;
  CU_ASSERT_EQUAL_FATAL(bfd_table_set_responder(t, &rs), 0);
  calls = m.calls;
  ri = bt_ri4(SH, L4, P4 + 1, IFX);
  REJECT(rgood, BFD_ERR_PKT_AUTH_MISMATCH, 2);
  CU_ASSERT_EQUAL(m.calls, calls);
  CU_ASSERT_EQUAL(bfd_table_size(t), 1);
  CU_ASSERT_EQUAL(c.naccept, 1);
#undef REJECT
  bt_ring_free(rgood);
  bt_ring_free(rbad);
  bt_ring_free(rother);
  done(t, &c, &m);
}

/* §6.8.6: "If the Your Discriminator field is zero and the State field is
 * not Down or AdminDown, the packet MUST be discarded", a check before any
 * session is selected; counted as that reason, not as "no session". */
static void test_bfd_responder_reject_your_discr_zero(void) {
  refx x;
  bt_peer p = pk(BFD_STATE_INIT, 0xa00, 0);
  refx_open(&x);
  CU_ASSERT_EQUAL(refx_feed(&x, &p, T0), BFD_ERR_PKT_YOUR_DISCR);
  CU_ASSERT_PTR_NULL(x.ps);
  p.state = BFD_STATE_UP;
  CU_ASSERT_EQUAL(refx_feed(&x, &p, T0), BFD_ERR_PKT_YOUR_DISCR);
  CU_ASSERT_PTR_NULL(x.ps);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(x.t, BFD_ERR_PKT_YOUR_DISCR), 2);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(x.t, BFD_ERR_PKT_NO_SESSION), 0);
  expect_no_trace(x.t, &x.c, &x.m, x.calls);
  CU_ASSERT_EQUAL(x.c.naccept, 0);
  done(x.t, &x.c, &x.m);
}

/* responder_accept's veto: nothing created, counted as NO_SESSION. */
static void test_bfd_responder_accept_veto(void) {
  refx x;
  bt_peer p = pk(BFD_STATE_DOWN, 0xb00, 0);
  refx_open(&x);
  x.c.veto = 1;
  CU_ASSERT_EQUAL(refx_feed(&x, &p, T0), BFD_ERR_PKT_NO_SESSION);
  CU_ASSERT_PTR_NULL(x.ps);
  CU_ASSERT_EQUAL(x.c.naccept, 1);
  CU_ASSERT_PTR_EQUAL(x.c.accept_t, x.t);
  CU_ASSERT_EQUAL(memcmp(&x.c.accept_ri, &x.ri, sizeof(x.ri)), 0);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(x.t, BFD_ERR_PKT_NO_SESSION), 1);
  expect_no_trace(x.t, &x.c, &x.m, x.calls);
  x.c.veto = -1; /* any nonzero value */
  CU_ASSERT_EQUAL(refx_feed(&x, &p, T0), BFD_ERR_PKT_NO_SESSION);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(x.t, BFD_ERR_PKT_NO_SESSION), 2);
  CU_ASSERT_EQUAL(x.c.naccept, 2);
  x.c.veto = 0;
  CU_ASSERT_EQUAL(refx_feed(&x, &p, T0), 0);
  CU_ASSERT_PTR_NOT_NULL(x.ps);
  CU_ASSERT_EQUAL(x.c.naccept, 3);
  CU_ASSERT_EQUAL(bfd_table_size(x.t), 1);
  done(x.t, &x.c, &x.m);
}

/* CREATED returning nonzero: the session is gone again at once, without
 * REMOVED, and its slot is free. */
static void test_bfd_responder_created_refused(void) {
  bt_mem m;
  bt_rec c;
  bfd_table *t;
  bfd_responder_settings rs = rs_make(1, 0);
  bfd_rx_info ri = bt_ri4(SH, L4, P4, IFX);
  bt_peer p = pk(BFD_STATE_DOWN, 0xc00, 0);
  bfd_session *ps = (bfd_session *)&c, *s2 = NULL;
  long live;
  uint32_t d;
  rs.nkeys = 0;
  t = mem_table(&m, &c, &rs, NULL);
  c.created_rv = 1;
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &ps), BFD_ERR_PKT_NO_SESSION);
  CU_ASSERT_PTR_NULL(ps);
  expect_empty(t);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(t, BFD_ERR_PKT_NO_SESSION), 1);
  CU_ASSERT_EQUAL_FATAL(c.n, 1);
  CU_ASSERT_EQUAL(c.ev[0].kind, BT_EV_SESS);
  CU_ASSERT_EQUAL(c.ev[0].se.kind, BFD_SESSION_EV_CREATED);
  d = c.ev[0].discr;
  CU_ASSERT_PTR_NULL(bfd_table_find_discr(t, d));
  /* The session's blocks are freed: a second refusal leaves the same
   * (the first one reserved the table's room for a session). */
  live = m.live_blocks;
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &ps), BFD_ERR_PKT_NO_SESSION);
  CU_ASSERT_EQUAL(m.live_blocks, live);
  CU_ASSERT_EQUAL(c.n, 2);
  CU_ASSERT_EQUAL(c.ev[1].se.kind, BFD_SESSION_EV_CREATED);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(t, BFD_ERR_PKT_NO_SESSION), 2);
  /* max_sessions 1: the slot is free for the next source. */
  c.created_rv = 0;
  ri = bt_ri4(SH, L4, P4 + 1, IFX);
  p.my = 0xc01;
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &s2), 0);
  CU_ASSERT_PTR_NOT_NULL(s2);
  CU_ASSERT_EQUAL(bfd_table_responder_count(t), 1);
  CU_ASSERT_EQUAL(bt_rec_count_sess(&c, 0, BFD_SESSION_EV_REMOVED, d), 0);
  CU_ASSERT_EQUAL(bt_rec_count_discr(&c, 0, BT_EV_STATE, d), 0);
  done(t, &c, &m);
}

/* CREATED is the first event the host gets of a responder session, also
 * with a BFD_NHS_DOWN_UNTIL_UP template (its creation nexthop event), so
 * the host knows the pointer (and may have set its own) before any other
 * callback names it. A refused one still gets its clearing event. */
static void test_bfd_responder_created_first(void) {
  bt_rec c;
  bfd_table *t = mk_table(&c, NULL);
  bfd_responder_settings rs = rs_make(2, 0);
  bfd_rx_info ri = bt_ri4(SH, L4, P4, IFX);
  bt_peer p = pk(BFD_STATE_DOWN, 0xd00, 0);
  bfd_session *s = NULL;
  int marker;
  unsigned i;
  rs.session.nexthop_policy = BFD_NHS_DOWN_UNTIL_UP;
  CU_ASSERT_EQUAL_FATAL(bfd_table_set_responder(t, &rs), 0);
  c.created_ud = &marker;
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &s), 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_FATAL(c.n >= 3);
  CU_ASSERT_EQUAL(c.ev[0].kind, BT_EV_SESS);
  CU_ASSERT_EQUAL(c.ev[0].se.kind, BFD_SESSION_EV_CREATED);
  for (i = 1; i < c.n; i++)
    CU_ASSERT_PTR_EQUAL(c.ev[i].ud, &marker);
  CU_ASSERT_EQUAL(bt_rec_count_discr(&c, 0, BT_EV_NH, bfd_session_get_local_discr(s)), 1);
  CU_ASSERT_EQUAL(bt_status(s).nexthop_down, 1);
  /* Refused: every nexthop DOWN it got is cleared; no REMOVED. */
  c.created_rv = 1;
  ri = bt_ri4(SH, L4, P4 + 1, IFX);
  {
    unsigned mark = c.n, downs = 0, ups = 0;
    CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &s), BFD_ERR_PKT_NO_SESSION);
    CU_ASSERT_FATAL(c.n > mark);
    for (i = mark; i < c.n; i++) {
      downs += c.ev[i].kind == BT_EV_NH && c.ev[i].nh.action == BFD_NEXTHOP_DOWN;
      ups += c.ev[i].kind == BT_EV_NH && c.ev[i].nh.action == BFD_NEXTHOP_UP;
      CU_ASSERT(!(c.ev[i].kind == BT_EV_SESS && c.ev[i].se.kind == BFD_SESSION_EV_REMOVED));
    }
    CU_ASSERT_EQUAL(downs, ups);
    CU_ASSERT_EQUAL(c.ev[mark].kind, BT_EV_SESS);
    CU_ASSERT_EQUAL(c.ev[mark].se.kind, BFD_SESSION_EV_CREATED);
  }
  CU_ASSERT_EQUAL(bfd_table_responder_count(t), 1);
  done(t, &c, NULL);
}

/* A BFD_NHS_DOWN_UNTIL_UP template whose creation nexthop event fails:
 * BFD_ERR_CALLBACK_FAILURE, and the host, told of the session by CREATED,
 * also gets its clearing event and its REMOVED, nothing after. */
static void test_bfd_responder_create_nexthop_fails(void) {
  bt_rec c;
  bfd_table *t = mk_table(&c, NULL);
  bfd_responder_settings rs = rs_make(1, 0);
  bfd_rx_info ri = bt_ri4(SH, L4, P4, IFX);
  bt_peer p = pk(BFD_STATE_DOWN, 0xd80, 0);
  bfd_session *ps = (bfd_session *)&c;
  uint32_t d;
  rs.session.nexthop_policy = BFD_NHS_DOWN_UNTIL_UP;
  CU_ASSERT_EQUAL_FATAL(bfd_table_set_responder(t, &rs), 0);
  c.nh_rv = 1;
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &ps), BFD_ERR_CALLBACK_FAILURE);
  CU_ASSERT_PTR_NULL(ps);
  CU_ASSERT_EQUAL(bfd_table_size(t), 0);
  CU_ASSERT_EQUAL(bfd_table_responder_count(t), 0);
  CU_ASSERT_EQUAL_FATAL(c.n, 4);
  d = c.ev[0].discr;
  CU_ASSERT_EQUAL(c.ev[0].kind, BT_EV_SESS);
  CU_ASSERT_EQUAL(c.ev[0].se.kind, BFD_SESSION_EV_CREATED);
  ev_nh(&c, 1, BFD_NEXTHOP_DOWN, BFD_NH_CAUSE_CREATED, T0);
  ev_nh(&c, 2, BFD_NEXTHOP_UP, BFD_NH_CAUSE_DELETED, T0);
  ev_removed(&c, 3, d, BFD_SESSION_REMOVED_REFUSED, T0);
  CU_ASSERT_PTR_NULL(bfd_table_find_discr(t, d));
  /* The slot is free. */
  c.nh_rv = 0;
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &ps), 0);
  CU_ASSERT_PTR_NOT_NULL(ps);
  done(t, &c, NULL);
}

/* §6.7: responder sessions sign with tx_key_id and accept every key of the
 * ring; the ring is copied (bfd.XmitAuthSeq per session, §6.8.1). */
static void test_bfd_responder_auth(void) {
  bt_rec c;
  bfd_table *t = mk_table(&c, NULL);
  bfd_responder_settings rs = rs_make(4, 0);
  const uint8_t ty = auth_type();
  const int keyed = ty != BFD_AUTH_SIMPLE;
  bfd_auth_key k1 = bt_key_str(ty, 1, "alpha-secret"), k2 = bt_key_str(ty, 2, "bravo-secret");
  bfd_auth_ring *ra = bt_ring(&k1, 1000), *rb = bt_ring(&k2, 5000);
  bfd_rx_info ria = bt_ri4(SH, L4, P4, IFX), rib = bt_ri4(SH, L4, P4 + 1, IFX);
  bt_peer p = pk(BFD_STATE_DOWN, 0xe00, 0);
  bfd_session *sa = NULL, *sb = NULL, *ps;
  bfd_ctrl_pkt out;
  uint8_t raw[BFD_CTRL_LEN_MAX], first[BFD_CTRL_LEN_MAX];
  size_t nfirst;
  uint32_t seq = 0;
  uint64_t now;
  unsigned got_a = 0, got_b = 0;
  uint32_t da;
  p.tx_us = 1000000; /* the peer's slow start: our Detection Time 3 s */
  rs.nkeys = 2;
  rs.keys[0] = k1;
  rs.keys[1] = k2;
  rs.tx_key_id = 2;
  CU_ASSERT_EQUAL_FATAL(bfd_table_set_responder(t, &rs), 0);
  memset(rs.keys, 0, sizeof(rs.keys)); /* copied */

  nfirst = enc(first, &p, ra);
  CU_ASSERT_EQUAL(bfd_table_feed_packet(t, first, nfirst, &ria, T0, &sa), 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(sa);
  da = bfd_session_get_local_discr(sa);
  p.my = 0xe01;
  CU_ASSERT_EQUAL(feedp(t, &rib, &p, rb, T0, &sb), 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(sb);
  CU_ASSERT_EQUAL(bfd_session_auth_get_type(sa), ty);
  CU_ASSERT_EQUAL(bfd_session_auth_get_type(sb), ty);
  CU_ASSERT_EQUAL(bfd_session_auth_get_tx_key(sa), 2);
  CU_ASSERT_EQUAL(bfd_session_auth_get_tx_key(sb), 2);
  /* Both answer signed with key 2. */
  while (bt_table_poll(t, T0, &ps, &out, raw) > 0) {
    got_a += ps == sa;
    got_b += ps == sb;
    CU_ASSERT(out.flags & BFD_FLAG_A);
    CU_ASSERT_EQUAL(out.auth.type, ty);
    CU_ASSERT_EQUAL(out.auth.key_id, 2);
    CU_ASSERT(verifies(&k2, raw, &out));
    CU_ASSERT(!verifies(&k1, raw, &out));
    if (ps == sa)
      seq = out.auth.seq;
  }
  CU_ASSERT_EQUAL(got_a, 1);
  CU_ASSERT_EQUAL(got_b, 1);
  /* The sequence number advances by one per packet (§6.7.3, §6.7.4). */
  p.my = 0xe00;
  for (now = T0 + SEC; keyed && now <= T0 + 3 * SEC; now += SEC) {
    ptrdiff_t n;
    while ((n = bt_table_poll(t, now, &ps, &out, raw)) > 0) {
      if (ps != sa)
        continue;
      CU_ASSERT_EQUAL(out.auth.seq, seq + 1);
      CU_ASSERT(verifies(&k2, raw, &out));
      seq = out.auth.seq;
    }
    /* The peer keeps talking (signed, sequence rising) so nothing expires. */
    CU_ASSERT_EQUAL(feedp(t, &ria, &p, ra, now, &ps), 0);
    CU_ASSERT_PTR_EQUAL_FATAL(bfd_table_find_discr(t, da), sa); /* not reaped */
    CU_ASSERT_PTR_EQUAL(ps, sa);
  }
  /* The creating packet's sequence number is known: its replay fails
   * (meticulous: strictly increasing). */
  CU_ASSERT_PTR_EQUAL_FATAL(bfd_table_find_discr(t, da), sa);
  if (keyed) {
    CU_ASSERT_EQUAL(bfd_table_feed_packet(t, first, nfirst, &ria, T0 + 3 * SEC, &ps),
                    BFD_ERR_PKT_AUTH_FAILED);
    CU_ASSERT_PTR_EQUAL(ps, sa);
    CU_ASSERT_EQUAL(bfd_session_get_rx_drops(sa, BFD_ERR_PKT_AUTH_FAILED), 1);
    CU_ASSERT_EQUAL(bfd_session_get_auth_failures(sa, BFD_AUTH_FAIL_SEQ), 1);
  }
  /* Signed Init with our discriminator: Up. */
  p = pk(BFD_STATE_INIT, 0xe00, bfd_session_get_local_discr(sa));
  CU_ASSERT_EQUAL(feedp(t, &ria, &p, ra, T0 + 3 * SEC, &ps), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(sa), BFD_STATE_UP);
  bt_ring_free(ra);
  bt_ring_free(rb);
  done(t, &c, NULL);
}

/* ------------------------------------------------------------------------ */
/* Responder mode: configuration                                            */
/* ------------------------------------------------------------------------ */

/* What the table does now: max 1, hold 700 ms, no keys, template RX 250 ms. */
static void expect_unchanged(bfd_table *t, bt_rec *c, uint64_t now) {
  bfd_rx_info ri = bt_ri4(SH, L4, 0x0a0a0a01, IFX);
  bt_peer p = spoof(0xf00);
  bfd_session *s = NULL, *ps = NULL;
  const bt_ev *e;
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, now, &s), 0); /* no keys */
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_EQUAL(bt_status(s).required_min_rx_us, 250000);
  ri = bt_ri4(SH, L4, 0x0a0a0a02, IFX);
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, now, &ps), BFD_ERR_PKT_NO_SESSION); /* max 1 */
  (void)bt_table_drain(t, now);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(t), now + 700 * MS); /* hold */
  CU_ASSERT_EQUAL(bfd_table_feed_time(t, now + 700 * MS), 0);
  CU_ASSERT_EQUAL(bfd_table_size(t), 0);
  e = &c->ev[c->n - 1];
  CU_ASSERT_EQUAL(e->kind, BT_EV_SESS);
  CU_ASSERT_EQUAL(e->se.reason, BFD_SESSION_REMOVED_REAPED);
}

static void test_bfd_responder_set_errors(void) {
  bt_rec c;
  bfd_table *t = mk_table(&c, NULL);
  bfd_responder_settings ok = rs_make(1, 700), rs;
  bfd_auth_key simple = bt_key_str(BFD_AUTH_SIMPLE, 1, "pw");
  unsigned i;
  ok.session.required_min_rx_us = 250000;
  CU_ASSERT_EQUAL_FATAL(bfd_table_set_responder(t, &ok), 0);

  CU_ASSERT_EQUAL(bfd_table_set_responder(NULL, &ok), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_table_set_responder(t, NULL), BFD_ERR_INVALID_ARGUMENT);
#define FAILS(edit, code)                                                                          \
  do {                                                                                             \
    rs = rs_make(8, 5000);                                                                         \
    edit;                                                                                          \
    CU_ASSERT_EQUAL(bfd_table_set_responder(t, &rs), (code));                                      \
  } while (0)
  FAILS(rs.struct_version = 0, BFD_ERR_VERSION);
  FAILS(rs.struct_version = BFD_RESPONDER_SETTINGS_VERSION + 1, BFD_ERR_VERSION);
  FAILS(rs.session.struct_version = 0, BFD_ERR_VERSION);
  FAILS(rs.session.struct_version = BFD_SESSION_SETTINGS_VERSION + 1, BFD_ERR_VERSION);
  /* The template must pass bfd_session_settings_check(): its error. */
  {
    bfd_session_settings bad[8];
    static const int want[8] = {BFD_ERR_CFG_DETECT_MULT, BFD_ERR_CFG_MIN_TX, BFD_ERR_CFG_MIN_RX,
                                BFD_ERR_CFG_MODE,        BFD_ERR_CFG_POLICY, BFD_ERR_CFG_FLAG,
                                BFD_ERR_CFG_FLAG,        BFD_ERR_CFG_TTL};
    for (i = 0; i < 8; i++)
      bad[i] = rs_make(1, 0).session;
    bad[0].detect_mult = 0;
    bad[1].desired_min_tx_us = 0;
    bad[2].required_min_rx_us = 0;
    bad[3].mode = 2;
    bad[4].nexthop_policy = 2;
    bad[5].passive = 2;
    bad[6].cpi = 2;
    bad[7].min_rx_ttl = 100; /* single-hop: 0 or 255 (RFC 5881 §5) */
    for (i = 0; i < 8; i++) {
      CU_ASSERT_EQUAL(bfd_session_settings_check(&bad[i]), want[i]);
      FAILS(rs.session = bad[i], want[i]);
    }
  }
  /* Keys. */
  FAILS((rs.nkeys = BFD_AUTH_KEYS_MAX + 1, rs.tx_key_id = 1, rs.keys[0] = simple),
        BFD_ERR_CFG_AUTH);
  if (bfd_crypto_built())
    FAILS((rs.nkeys = 2, rs.tx_key_id = 1, rs.keys[0] = simple,
           rs.keys[1] = bt_key_str(BFD_AUTH_KEYED_SHA1, 2, "sha")),
          BFD_ERR_CFG_AUTH); /* mixed types */
  FAILS((rs.nkeys = 2, rs.tx_key_id = 1, rs.keys[0] = simple,
         rs.keys[1] = bt_key_str(BFD_AUTH_SIMPLE, 2, "pw2"), rs.keys[1].type = 9),
        BFD_ERR_CFG_AUTH); /* a reserved type */
  FAILS((rs.nkeys = 1, rs.tx_key_id = 1, rs.keys[0] = simple, rs.keys[0].len = 0),
        BFD_ERR_CFG_AUTH); /* empty secret */
  FAILS((rs.nkeys = 1, rs.tx_key_id = 1, rs.keys[0] = simple, rs.keys[0].len = 17),
        BFD_ERR_CFG_AUTH); /* password above 16 (§6.7.2) */
  FAILS((rs.nkeys = 1, rs.tx_key_id = 7, rs.keys[0] = simple), BFD_ERR_CFG_AUTH);
  if (!bfd_crypto_built())
    FAILS((rs.nkeys = 1, rs.tx_key_id = 1, rs.keys[0] = bt_key_str(BFD_AUTH_KEYED_MD5, 1, "md5")),
          BFD_ERR_NOT_BUILT);
#undef FAILS
  /* None of that changed anything. */
  CU_ASSERT_EQUAL(c.n, 0);
  expect_unchanged(t, &c, T0);
  done(t, &c, NULL);
}

/* BFD_ERR_NOMEM at each allocation of a call: nothing changed, no leak. */
static void test_bfd_responder_set_nomem(void) {
  long need, i;
  bfd_responder_settings ok = rs_make(1, 700), keyed = rs_make(8, 5000);
  ok.session.required_min_rx_us = 250000;
  keyed.nkeys = 2;
  keyed.tx_key_id = 4;
  keyed.keys[0] = bt_key_str(BFD_AUTH_SIMPLE, 3, "pw3");
  keyed.keys[1] = bt_key_str(BFD_AUTH_SIMPLE, 4, "pw4");
  {
    bt_mem m;
    bt_rec c;
    long before;
    bfd_table *t = mem_table(&m, &c, &ok, &before);
    CU_ASSERT_EQUAL_FATAL(bfd_table_set_responder(t, &keyed), 0);
    need = m.calls - before;
    CU_ASSERT(need >= 2); /* the ring and the candidate's scratch space at least */
    done(t, &c, &m);
  }
  for (i = 1; i <= need; i++) {
    bt_mem m;
    bt_rec c;
    bfd_table *t = mem_table(&m, &c, &ok, NULL);
    long live = m.live_blocks;
    m.fail_at = m.calls + i;
    CU_ASSERT_EQUAL(bfd_table_set_responder(t, &keyed), BFD_ERR_NOMEM);
    CU_ASSERT_EQUAL(m.live_blocks, live);
    m.fail_at = 0;
    expect_unchanged(t, &c, T0);
    done(t, &c, &m);
  }
}

/* Lowering max_sessions (or turning it off) keeps the sessions there; new
 * ones wait until the count is below the new maximum. */
/* A goodbye to a remote that is not Up ends with one AdminDown packet
 * (RFC 5880 §6.8.16): poll it (diag 7), then the next table call frees
 * the session. Returns the packets polled. */
static unsigned goodbye_flush(bfd_table *t, uint64_t now) {
  uint8_t b[BFD_CTRL_LEN_MAX];
  bfd_session *ps = NULL;
  unsigned n = 0;
  ptrdiff_t len;
  while ((len = bfd_table_poll_packet(t, &ps, b, sizeof(b), now)) > 0) {
    bfd_ctrl_pkt p;
    CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, (size_t)len), 0);
    n++;
  }
  CU_ASSERT_EQUAL(len, 0);
  CU_ASSERT_EQUAL(bfd_table_feed_time(t, now), 0);
  return n;
}

static void test_bfd_responder_lower_max(void) {
  enum { N = 3 };
  bt_rec c;
  bfd_table *t = mk_table(&c, NULL);
  bfd_responder_settings rs = rs_make(N, 0);
  bfd_session *s[N], *ps = NULL;
  bfd_rx_info ri;
  bt_peer p = pk(BFD_STATE_DOWN, 0x1000, 0);
  unsigned i;
  rs.session.desired_min_tx_us = 200000;
  CU_ASSERT_EQUAL_FATAL(bfd_table_set_responder(t, &rs), 0);
  for (i = 0; i < N; i++) {
    ri = bt_ri4(SH, L4, P4 + i, IFX);
    s[i] = NULL;
    CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &s[i]), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s[i]);
  }
  rs.max_sessions = 1;
  rs.session.desired_min_tx_us = 400000; /* for new sessions only */
  CU_ASSERT_EQUAL(bfd_table_set_responder(t, &rs), 0);
  CU_ASSERT_EQUAL(bfd_table_size(t), N);
  CU_ASSERT_EQUAL(bfd_table_responder_count(t), N);
  for (i = 0; i < N; i++) {
    CU_ASSERT_PTR_EQUAL(bfd_table_find_discr(t, bfd_session_get_local_discr(s[i])), s[i]);
    CU_ASSERT_EQUAL(bt_status(s[i]).desired_min_tx_us, 200000);
  }
  ri = bt_ri4(SH, L4, P4 + 1, IFX);
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &ps), 0); /* known: still served */
  CU_ASSERT_PTR_EQUAL(ps, s[1]);
  ri = bt_ri4(SH, L4, P4 + N, IFX);
  for (i = 0; i < N; i++) {
    CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &ps), BFD_ERR_PKT_NO_SESSION);
    /* In Init with a remote in Down: one AdminDown packet, then gone
     * (§6.8.16). */
    CU_ASSERT_EQUAL(bfd_session_goodbye(s[i], T0), 0);
    CU_ASSERT(goodbye_flush(t, T0) >= 1);
    CU_ASSERT_EQUAL(bfd_table_responder_count(t), N - 1 - i);
  }
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &ps), 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(ps);
  CU_ASSERT_EQUAL(bt_status(ps).desired_min_tx_us, 400000);
  /* Off: the session stays, nothing new. */
  rs.max_sessions = 0;
  CU_ASSERT_EQUAL(bfd_table_set_responder(t, &rs), 0);
  CU_ASSERT_EQUAL(bfd_table_responder_count(t), 1);
  CU_ASSERT_PTR_EQUAL(bfd_table_find_discr(t, bfd_session_get_local_discr(ps)), ps);
  ri = bt_ri4(SH, L4, P4 + N + 1, IFX);
  CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &ps), BFD_ERR_PKT_NO_SESSION);
  CU_ASSERT_EQUAL(bfd_table_responder_count(t), 1);
  done(t, &c, NULL);
}

/* A version 1 bfd_callbacks (0.1.0) still works with a table: the version 2
 * fields are not read (no lifecycle events, no veto), responder mode still
 * creates and reaps sessions, goodbye still frees them. */
static void test_bfd_responder_callbacks_v1(void) {
  bt_rec c;
  bfd_callbacks cb;
  bfd_table *t = NULL;
  bfd_responder_settings rs = rs_make(2, 1000);
  bfd_rx_info ri = bt_ri4(SH, L4, P4, IFX);
  bt_peer p = pk(BFD_STATE_DOWN, 0x1100, 0);
  bfd_session_settings st = bt_settings(300000, 300000, 3);
  bfd_session_key k = bt_key4(SH, L4, 0x0a0000fe, IFX);
  bfd_session *s = NULL, *a = NULL;
  bt_rec_init(&c);
  c.strict = 1;
  c.rng = 42;
  c.veto = 1;
  memset(&cb, 0xff, sizeof(cb)); /* bytes past version 1 are never read */
  CU_ASSERT_EQUAL_FATAL(bfd_callbacks_init(1, &cb), 0);
  CU_ASSERT_EQUAL(cb.struct_version, 1);
  cb.state_change = bt_rec_on_state;
  cb.nexthop = bt_rec_on_nh;
  cb.rand = bt_rec_on_rand;
  CU_ASSERT_EQUAL_FATAL(bfd_table_new(&t, &cb, NULL, &c), 0);
  cb.struct_version = BFD_CALLBACKS_VERSION + 1;
  {
    bfd_table *x = (bfd_table *)&c;
    CU_ASSERT_EQUAL(bfd_table_new(&x, &cb, NULL, &c), BFD_ERR_VERSION);
    CU_ASSERT_PTR_NULL(x);
  }
  s = responder_first(t, &rs, &ri, &p);
  CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_INIT);
  CU_ASSERT_EQUAL_FATAL(c.n, 1);
  CU_ASSERT_EQUAL(c.ev[0].kind, BT_EV_STATE);
  CU_ASSERT_EQUAL(c.naccept, 0);
  (void)bt_table_drain(t, T0);
  CU_ASSERT_EQUAL(bfd_table_feed_time(t, T0 + 1000 * MS), 0);
  CU_ASSERT_EQUAL(bfd_table_size(t), 0);
  CU_ASSERT_EQUAL(bfd_table_responder_count(t), 0);
  /* Goodbye of a session that never heard its peer. */
  st.passive = 1;
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(t, &a, &st, &k, NULL, T0 + SEC), 0);
  CU_ASSERT_EQUAL(bfd_session_goodbye(a, T0 + SEC), 0);
  CU_ASSERT_EQUAL(bfd_table_size(t), 0);
  {
    unsigned i;
    for (i = 0; i < c.n; i++)
      CU_ASSERT(c.ev[i].kind != BT_EV_SESS);
  }
  done(t, &c, NULL);
}

/* ------------------------------------------------------------------------ */
/* Goodbye (RFC 5880 §6.8.16)                                               */
/* ------------------------------------------------------------------------ */

/* An Up table session: AdminDown diag 7 at once, Desired Min TX at least
 * 1 s (§6.8.3), P/F rules kept (§6.5: a pending Final first, never P with
 * F); REMOVED(GOODBYE) inside the feed_packet call in which the peer shows
 * it is not Up after our AdminDown went out. */
static void test_bfd_goodbye_up_peer_answers(void) {
  one_fx x;
  bfd_session *ps;
  bfd_ctrl_pkt out;
  const uint64_t t1 = T0 + 100 * MS;
  unsigned mark;
  up_open(&x, 0x2000);
  (void)bt_table_drain(x.t, T0);
  /* The peer polls; the Final is still owed when the goodbye starts. */
  x.peer.your = x.d;
  x.peer.flags = BFD_FLAG_P;
  CU_ASSERT_EQUAL(feedp(x.t, &x.ri, &x.peer, NULL, t1, &ps), 0);
  mark = x.c.n;
  CU_ASSERT_EQUAL(bfd_session_goodbye(x.s, t1), 0);
  CU_ASSERT_EQUAL(bfd_table_size(x.t), 1);
  CU_ASSERT_EQUAL(bfd_session_goodbye_done(x.s), 0);
  CU_ASSERT_EQUAL_FATAL(x.c.n, mark + 1);
  ev_state(&x.c, mark, BFD_STATE_UP, BFD_STATE_ADMIN_DOWN, BFD_DIAG_ADMIN_DOWN, t1);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(x.t), t1);
  /* The Final, in AdminDown... */
  next_pkt(x.t, t1, x.s, &out, BFD_STATE_ADMIN_DOWN, BFD_DIAG_ADMIN_DOWN, BFD_FLAG_F, 0x2000,
           1000000, 100000);
  CU_ASSERT_EQUAL(out.my_discr, x.d);
  CU_ASSERT_EQUAL(out.detect_mult, 3);
  /* ...then our Poll for the slower Desired Min TX (§6.8.3). */
  next_pkt(x.t, t1, x.s, &out, BFD_STATE_ADMIN_DOWN, BFD_DIAG_ADMIN_DOWN, BFD_FLAG_P, 0x2000,
           1000000, 100000);
  CU_ASSERT_EQUAL(bt_table_poll(x.t, t1, &ps, &out, NULL), 0);
  /* A packet the peer sent before it saw ours: still Up, still here. */
  x.peer.flags = 0;
  CU_ASSERT_EQUAL(feedp(x.t, &x.ri, &x.peer, NULL, t1 + MS, &ps), BFD_FEED_ADMIN_DOWN);
  CU_ASSERT_PTR_EQUAL(ps, x.s);
  CU_ASSERT_EQUAL(bfd_table_size(x.t), 1);
  CU_ASSERT_EQUAL(x.c.n, mark + 1);
  /* The peer went Down (diag 3) and answers our Poll: done, freed. */
  x.peer.state = BFD_STATE_DOWN;
  x.peer.diag = BFD_DIAG_NEIGHBOR_DOWN;
  x.peer.flags = BFD_FLAG_F;
  ps = (bfd_session *)&x.c;
  CU_ASSERT_EQUAL(feedp(x.t, &x.ri, &x.peer, NULL, t1 + 2 * MS, &ps), BFD_FEED_ADMIN_DOWN);
  CU_ASSERT_PTR_NULL(ps);
  expect_empty(x.t);
  CU_ASSERT_PTR_NULL(bfd_table_find_discr(x.t, x.d));
  CU_ASSERT_EQUAL_FATAL(x.c.n, mark + 2);
  ev_removed(&x.c, mark + 1, x.d, BFD_SESSION_REMOVED_GOODBYE, t1 + 2 * MS);
  CU_ASSERT_EQUAL(x.c.ev[mark + 1].state, BFD_STATE_ADMIN_DOWN);
  done(x.t, &x.c, NULL);
}

/* "After our first AdminDown packet went out": a Down that arrives before
 * it does not end the goodbye; the next one after it does. */
static void test_bfd_goodbye_down_before_first_packet(void) {
  one_fx x;
  bfd_session *ps;
  bfd_ctrl_pkt out;
  up_open(&x, 0x2100);
  (void)bt_table_drain(x.t, T0);
  CU_ASSERT_EQUAL(bfd_session_goodbye(x.s, T0 + 10 * MS), 0);
  x.peer.your = x.d;
  x.peer.state = BFD_STATE_DOWN;
  x.peer.diag = BFD_DIAG_DETECT_EXPIRED;
  CU_ASSERT_EQUAL(feedp(x.t, &x.ri, &x.peer, NULL, T0 + 10 * MS, &ps), BFD_FEED_ADMIN_DOWN);
  CU_ASSERT_PTR_EQUAL(ps, x.s);
  CU_ASSERT_EQUAL(bfd_table_size(x.t), 1);
  CU_ASSERT_EQUAL(bfd_session_goodbye_done(x.s), 0);
  CU_ASSERT_EQUAL(bt_table_poll(x.t, T0 + 10 * MS, &ps, &out, NULL), BFD_CTRL_LEN);
  CU_ASSERT_EQUAL(out.state, BFD_STATE_ADMIN_DOWN);
  CU_ASSERT_EQUAL(feedp(x.t, &x.ri, &x.peer, NULL, T0 + 20 * MS, &ps), BFD_FEED_ADMIN_DOWN);
  CU_ASSERT_PTR_NULL(ps);
  CU_ASSERT_EQUAL(bfd_table_size(x.t), 0);
  removed_once(&x.c, x.d, BFD_SESSION_REMOVED_GOODBYE, T0 + 20 * MS);
  done(x.t, &x.c, NULL);
}

/* A silent peer: REMOVED at exactly start + our Detect Mult x max(peer's
 * Required Min RX, max(our Desired Min TX, 1 s)), the peer's Detection Time
 * of our AdminDown packets (§6.8.4, §6.8.3). Every packet until then is
 * AdminDown, diag 7, at least 1 s. */
static void test_bfd_goodbye_silent_peer_exact(void) {
  static const struct {
    uint32_t peer_rx_us, our_tx_us;
    uint8_t mult;
    uint64_t hold;
  } cases[] = {
      {2000000, 100000, 3, 6 * SEC}, /* the peer's RX rules */
      {100000, 300000, 3, 3 * SEC},  /* the 1 s floor rules */
      {100000, 1500000, 2, 3 * SEC}, /* our TX rules */
      {1200000, 1100000, 5, 6 * SEC},
  };
  size_t i;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    bt_rec c;
    bfd_table *t = mk_table(&c, NULL);
    bfd_session_settings st = bt_settings(cases[i].our_tx_us, 100000, cases[i].mult);
    bfd_session_key k = bt_key4(SH, L4, P4, IFX);
    bt_peer peer = pk(BFD_STATE_UP, 0x2200, 0);
    bfd_session *s, *ps;
    bfd_ctrl_pkt out;
    const uint64_t t1 = T0 + 50 * MS, end = t1 + cases[i].hold;
    uint64_t now = t1, last = 0;
    unsigned sent = 0;
    uint32_t d;
    peer.rx_us = cases[i].peer_rx_us;
    s = up_session(t, &st, &k, &peer, NULL, T0);
    d = bfd_session_get_local_discr(s);
    (void)bt_table_drain(t, T0);
    CU_ASSERT_EQUAL(bfd_session_goodbye(s, t1), 0);
    /* The host loop: every deadline up to the end. */
    for (;;) {
      uint64_t dl;
      CU_ASSERT_EQUAL(bfd_table_feed_time(t, now), 0);
      while (bt_table_poll(t, now, &ps, &out, NULL) > 0) {
        sent++;
        CU_ASSERT_EQUAL(out.state, BFD_STATE_ADMIN_DOWN);
        CU_ASSERT_EQUAL(out.diag, BFD_DIAG_ADMIN_DOWN);
        CU_ASSERT(out.desired_min_tx_us >= 1000000);
        CU_ASSERT(!((out.flags & BFD_FLAG_P) && (out.flags & BFD_FLAG_F)));
        /* §6.8.7: never faster than 1 s less 25 % jitter (after t1's). */
        if (now > t1)
          CU_ASSERT(now - last >= 750 * MS);
        last = now;
      }
      CU_ASSERT_EQUAL_FATAL(bfd_table_size(t), 1);
      dl = bfd_table_next_deadline(t);
      CU_ASSERT_FATAL(dl <= end);
      if (dl >= end - 1)
        break;
      now = dl;
    }
    CU_ASSERT(sent >= 1);
    CU_ASSERT_EQUAL(bfd_table_feed_time(t, end - 1), 0);
    CU_ASSERT_EQUAL(bfd_table_size(t), 1);
    CU_ASSERT_EQUAL(bt_rec_count_sess(&c, 0, BFD_SESSION_EV_REMOVED, d), 0);
    CU_ASSERT_EQUAL(bfd_table_feed_time(t, end), 0);
    CU_ASSERT_EQUAL(bfd_table_size(t), 0);
    removed_once(&c, d, BFD_SESSION_REMOVED_GOODBYE, end);
    CU_ASSERT_PTR_EQUAL(bt_rec_find_sess(&c, BFD_SESSION_EV_REMOVED, d), &c.ev[c.n - 1]);
    CU_ASSERT_EQUAL(bfd_table_next_deadline(t), BFD_TSTAMP_NONE);
    done(t, &c, NULL);
  }
}

/* §6.8.7: a passive session that never heard its peer must not transmit,
 * so there is nobody to tell: REMOVED inside bfd_session_goodbye(), after
 * its state event and the nexthop event that clears its creation DOWN. */
static void test_bfd_goodbye_passive_never_heard(void) {
  bt_rec c;
  bfd_table *t = mk_table(&c, NULL);
  bfd_session_settings st = bt_settings(100000, 100000, 3);
  bfd_session_key k = bt_key4(SH, L4, P4, IFX);
  bfd_session *s = NULL;
  const uint64_t t1 = T0 + SEC;
  unsigned mark;
  uint32_t d;
  st.passive = 1;
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(t, &s, &st, &k, NULL, T0), 0);
  d = bfd_session_get_local_discr(s);
  CU_ASSERT_EQUAL(bt_table_drain(t, T0), 0);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(t), BFD_TSTAMP_NONE);
  CU_ASSERT_EQUAL(bfd_table_feed_time(t, t1), 0);
  CU_ASSERT_EQUAL(bt_table_drain(t, t1), 0);
  mark = c.n; /* after the creation nexthop DOWN (BFD_NHS_DOWN_UNTIL_UP) */
  CU_ASSERT_EQUAL(bt_status(s).nexthop_down, 1);
  CU_ASSERT_EQUAL(bfd_session_goodbye(s, t1), 0);
  CU_ASSERT_EQUAL(bfd_table_size(t), 0);
  CU_ASSERT_PTR_NULL(bfd_table_find_discr(t, d));
  CU_ASSERT_EQUAL(bt_table_drain(t, t1), 0);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(t), BFD_TSTAMP_NONE);
  CU_ASSERT_EQUAL_FATAL(c.n, mark + 3);
  ev_state(&c, mark, BFD_STATE_DOWN, BFD_STATE_ADMIN_DOWN, BFD_DIAG_ADMIN_DOWN, t1);
  ev_nh(&c, mark + 1, BFD_NEXTHOP_UP, BFD_NH_CAUSE_ADMIN, t1);
  ev_removed(&c, mark + 2, d, BFD_SESSION_REMOVED_GOODBYE, t1);
  done(t, &c, NULL);
}

/* RFC 5882 §3: a session whose last nexthop event was DOWN (Up, then a
 * detection timeout) gets its clearing UP before REMOVED, exactly once. */
static void test_bfd_goodbye_nexthop_cleared_first(void) {
  one_fx x;
  const uint64_t t1 = T0 + SEC;
  unsigned mark, i, ups = 0;
  int removed_at = -1, up_at = -1;
  up_open(&x, 0x2300);
  CU_ASSERT_EQUAL(bfd_table_feed_time(x.t, T0 + 300 * MS), 0); /* §6.8.4 */
  CU_ASSERT_EQUAL(bfd_session_get_state(x.s), BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(bt_status(x.s).nexthop_down, 1);
  mark = x.c.n;
  /* The remote is forgotten (§6.8.1): one AdminDown packet still goes to
   * the configured peer, then the session is freed. */
  CU_ASSERT_EQUAL(bfd_session_goodbye(x.s, t1), 0);
  CU_ASSERT_EQUAL(bfd_table_size(x.t), 1);
  CU_ASSERT_EQUAL(goodbye_flush(x.t, t1), 1);
  CU_ASSERT_EQUAL(bfd_table_size(x.t), 0);
  for (i = mark; i < x.c.n; i++) {
    CU_ASSERT_EQUAL(x.c.ev[i].discr, x.d);
    if (x.c.ev[i].kind == BT_EV_NH && x.c.ev[i].nh.action == BFD_NEXTHOP_UP) {
      ups++;
      up_at = (int)i;
    }
    CU_ASSERT(!(x.c.ev[i].kind == BT_EV_NH && x.c.ev[i].nh.action == BFD_NEXTHOP_DOWN));
    if (x.c.ev[i].kind == BT_EV_SESS)
      removed_at = (int)i;
  }
  CU_ASSERT_EQUAL(ups, 1);
  CU_ASSERT(up_at >= 0 && up_at < removed_at);
  CU_ASSERT_EQUAL(removed_at, (int)x.c.n - 1);
  CU_ASSERT_EQUAL(x.c.ev[x.c.n - 1].se.reason, BFD_SESSION_REMOVED_GOODBYE);
  done(x.t, &x.c, NULL);
}

/* §6.8.7 with authentication: the AdminDown packets are signed, with the
 * sequence number advancing (§6.7.3, §6.7.4). */
static void test_bfd_goodbye_auth(void) {
  bt_rec c;
  bfd_table *t = mk_table(&c, NULL);
  bfd_session_settings st = bt_settings(100000, 100000, 3);
  bfd_session_key k = bt_key4(SH, L4, P4, IFX);
  bfd_rx_info ri = bt_ri_key(&k);
  const uint8_t ty = auth_type();
  const int keyed = ty != BFD_AUTH_SIMPLE;
  bfd_auth_key key = bt_key_str(ty, 7, "goodbye-key");
  bfd_auth_ring *peer_r = bt_ring(&key, 77);
  bt_peer peer = pk(BFD_STATE_UP, 0x2400, 0);
  bfd_session *s = NULL, *ps;
  bfd_ctrl_pkt out;
  uint8_t raw[BFD_CTRL_LEN_MAX];
  uint64_t now;
  uint32_t d, seq = 0;
  unsigned sent = 0;
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(t, &s, &st, &k, NULL, T0), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_session_auth_add_key(s, &key), 0);
  d = bfd_session_get_local_discr(s);
  peer.state = BFD_STATE_DOWN;
  CU_ASSERT_EQUAL(feedp(t, &ri, &peer, peer_r, T0, &ps), 0);
  peer.state = BFD_STATE_UP;
  peer.your = d;
  CU_ASSERT_EQUAL(feedp(t, &ri, &peer, peer_r, T0, &ps), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_state(s), BFD_STATE_UP);
  (void)bt_table_drain(t, T0);
  CU_ASSERT_EQUAL(bfd_session_goodbye(s, T0 + 10 * MS), 0);
  for (now = T0 + 10 * MS; now < T0 + 2500 * MS; now += 10 * MS) {
    CU_ASSERT_EQUAL(bfd_table_feed_time(t, now), 0);
    while (bt_table_poll(t, now, &ps, &out, raw) > 0) {
      CU_ASSERT_EQUAL(out.state, BFD_STATE_ADMIN_DOWN);
      CU_ASSERT_EQUAL(out.diag, BFD_DIAG_ADMIN_DOWN);
      CU_ASSERT(out.flags & BFD_FLAG_A);
      CU_ASSERT_EQUAL(out.auth.type, ty);
      CU_ASSERT_EQUAL(out.auth.key_id, 7);
      CU_ASSERT(verifies(&key, raw, &out));
      if (keyed && sent > 0)
        CU_ASSERT_EQUAL(out.auth.seq, seq + 1);
      seq = out.auth.seq;
      sent++;
    }
  }
  CU_ASSERT(sent >= 3); /* at t1, then about once a second */
  CU_ASSERT_EQUAL(bfd_table_size(t), 1);
  /* The peer's signed Down ends it. */
  peer.state = BFD_STATE_DOWN;
  peer.diag = BFD_DIAG_NEIGHBOR_DOWN;
  CU_ASSERT_EQUAL(feedp(t, &ri, &peer, peer_r, now, &ps), BFD_FEED_ADMIN_DOWN);
  CU_ASSERT_PTR_NULL(ps);
  CU_ASSERT_EQUAL(bfd_table_size(t), 0);
  CU_ASSERT_EQUAL(bt_rec_count_sess(&c, 0, BFD_SESSION_EV_REMOVED, d), 1);
  bt_ring_free(peer_r);
  done(t, &c, NULL);
}

/* A second bfd_session_goodbye() changes nothing: no event, the same end. */
static void test_bfd_goodbye_twice(void) {
  one_fx x;
  const uint64_t t1 = T0 + 100 * MS, end = t1 + 3 * SEC;
  uint32_t seq;
  unsigned mark;
  up_open(&x, 0x2500);
  (void)bt_table_drain(x.t, T0);
  CU_ASSERT_EQUAL(bfd_session_goodbye(x.s, t1), 0);
  (void)bt_table_drain(x.t, t1);
  mark = x.c.n;
  seq = bt_status(x.s).change_seq;
  CU_ASSERT_EQUAL(bfd_session_goodbye(x.s, t1 + 500 * MS), 0);
  CU_ASSERT_EQUAL(x.c.n, mark);
  CU_ASSERT_EQUAL(bt_status(x.s).change_seq, seq);
  CU_ASSERT_EQUAL(bfd_session_get_state(x.s), BFD_STATE_ADMIN_DOWN);
  CU_ASSERT_EQUAL(bfd_table_size(x.t), 1);
  /* Clock checks still apply (the table's clock). */
  CU_ASSERT_EQUAL(bfd_session_goodbye(x.s, t1), BFD_ERR_CLOCK_BACKWARDS);
  CU_ASSERT_EQUAL(bfd_session_goodbye(NULL, t1), BFD_ERR_INVALID_ARGUMENT);
  gone_at(x.t, end, 1);
  removed_once(&x.c, x.d, BFD_SESSION_REMOVED_GOODBYE, end);
  done(x.t, &x.c, NULL);
}

/* A responder session in its goodbye is not reaped (AdminDown holds no
 * slot it should lose): REMOVED(GOODBYE) at the goodbye's end, though
 * hold_ms (500 ms) and its Detection Time pass long before. */
static void test_bfd_goodbye_responder_session(void) {
  one_fx x;
  bt_peer p;
  bfd_session *ps;
  const uint64_t t1 = T0 + 20 * MS, end = t1 + 3 * SEC;
  uint64_t now;
  one_open(&x, 500, 0x2800);
  responder_up(x.t, &x.ri, x.s, 0x2800, T0 + 10 * MS);
  p = pk(BFD_STATE_UP, 0x2800, x.d); /* the remote Up too: somebody to tell */
  CU_ASSERT_EQUAL(feedp(x.t, &x.ri, &p, NULL, T0 + 10 * MS, &ps), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_state(x.s), BFD_STATE_UP);
  (void)bt_table_drain(x.t, T0 + 10 * MS);
  CU_ASSERT_EQUAL(bfd_session_goodbye(x.s, t1), 0);
  /* 3 x max(100 ms, max(300 ms, 1 s)) */
  for (now = t1; now < end; now += 100 * MS) {
    CU_ASSERT_EQUAL(bfd_table_feed_time(x.t, now), 0);
    (void)bt_table_drain(x.t, now);
    CU_ASSERT_EQUAL_FATAL(bfd_table_size(x.t), 1);
  }
  gone_at(x.t, end, 1);
  CU_ASSERT_EQUAL(bfd_table_responder_count(x.t), 0);
  removed_once(&x.c, x.d, BFD_SESSION_REMOVED_GOODBYE, end);
  done(x.t, &x.c, NULL);
}

/* A failing callback makes the call return BFD_ERR_CALLBACK_FAILURE, and
 * every session is still handled (bfd_table_goodbye_all()); a failing
 * REMOVED still frees the session. */
static void test_bfd_goodbye_callback_failure(void) {
  enum { N = 3 };
  bt_rec c;
  bfd_table *t = mk_table(&c, NULL);
  bfd_session_settings st = bt_settings(300000, 300000, 3);
  bfd_session *s[N];
  unsigned i;
  st.passive = 1;
  for (i = 0; i < N; i++) {
    bfd_session_key k = bt_key4(SH, L4, P4 + i, IFX);
    CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(t, &s[i], &st, &k, NULL, T0), 0);
  }
  c.state_rv = 1;
  CU_ASSERT_EQUAL(bfd_table_goodbye_all(t, T0), BFD_ERR_CALLBACK_FAILURE);
  CU_ASSERT_EQUAL(bfd_table_size(t), 0);
  for (i = 0; i < c.n; i++)
    if (c.ev[i].kind == BT_EV_STATE)
      CU_ASSERT_EQUAL(c.ev[i].st.new_state, BFD_STATE_ADMIN_DOWN);
  {
    unsigned removed = 0;
    for (i = 0; i < c.n; i++)
      removed += c.ev[i].kind == BT_EV_SESS && c.ev[i].se.kind == BFD_SESSION_EV_REMOVED;
    CU_ASSERT_EQUAL(removed, N);
  }
  c.state_rv = 0;
  c.removed_rv = 1;
  for (i = 0; i < 2; i++) {
    bfd_session_key k = bt_key4(SH, L4, P4 + i, IFX);
    CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(t, &s[i], &st, &k, NULL, T0), 0);
  }
  CU_ASSERT_EQUAL(bfd_session_goodbye(s[0], T0), BFD_ERR_CALLBACK_FAILURE);
  CU_ASSERT_EQUAL(bfd_table_size(t), 1);
  CU_ASSERT_EQUAL(bfd_table_goodbye_all(t, T0), BFD_ERR_CALLBACK_FAILURE);
  CU_ASSERT_EQUAL(bfd_table_size(t), 0);
  done(t, &c, NULL);
}

/* The call that finishes a table session's goodbye delivers REMOVED, also
 * when it is a bfd_session_* call on that session (bfd_session_feed_packet,
 * _feed_time, _poll_packet work on table sessions). Otherwise the session
 * is done but stays in the table, out of the deadline heap, and the host's
 * "feed until bfd_table_size() is 0" never ends. */
static void test_bfd_goodbye_finished_by_session_call(void) {
  int how;
  for (how = 0; how < 3; how++) {
    one_fx x;
    const uint64_t t1 = T0 + 100 * MS, end = t1 + 3 * SEC;
    uint8_t buf[BFD_CTRL_LEN_MAX];
    up_open(&x, 0x2600);
    (void)bt_table_drain(x.t, T0);
    CU_ASSERT_EQUAL(bfd_session_goodbye(x.s, t1), 0);
    CU_ASSERT_EQUAL(bt_table_drain(x.t, t1), 1);
    if (how == 0) {
      size_t n;
      x.peer.your = x.d;
      x.peer.state = BFD_STATE_DOWN;
      x.peer.diag = BFD_DIAG_NEIGHBOR_DOWN;
      n = enc(buf, &x.peer, NULL);
      CU_ASSERT_EQUAL(bfd_session_feed_packet(x.s, buf, n, &x.ri, t1 + MS), BFD_FEED_ADMIN_DOWN);
    } else if (how == 1) {
      CU_ASSERT_EQUAL(bfd_session_feed_time(x.s, end), 0);
    } else {
      CU_ASSERT(bfd_session_poll_packet(x.s, buf, sizeof(buf), end) >= 0);
    }
    CU_ASSERT_EQUAL(bt_rec_count_sess(&x.c, 0, BFD_SESSION_EV_REMOVED, x.d), 1);
    CU_ASSERT_EQUAL(bfd_table_size(x.t), 0);
    if (bfd_table_size(x.t) != 0) {
      /* The host keeps going as bfd_table_goodbye_all() says. */
      uint64_t now = end;
      int i;
      for (i = 0; i < 100 && bfd_table_size(x.t) > 0; i++) {
        uint64_t dl = bfd_table_next_deadline(x.t);
        now = dl == BFD_TSTAMP_NONE ? now + SEC : (dl > now ? dl : now);
        (void)bfd_table_feed_time(x.t, now);
        (void)bt_table_drain(x.t, now);
      }
      CU_ASSERT_EQUAL(bfd_table_size(x.t), 0);
    }
    done(x.t, &x.c, NULL);
  }
}

/* A standalone session is never freed by the goodbye: goodbye_done becomes
 * 1 at the moments a table would free it, then bfd_session_del() is clean. */
static void test_bfd_goodbye_standalone(void) {
  bt_rec c;
  bfd_callbacks cb;
  bfd_session_settings st = bt_settings(100000, 100000, 3);
  bfd_rx_info ri = bt_ri4(SH, L4, P4, IFX);
  uint8_t buf[BFD_CTRL_LEN_MAX];
  bfd_ctrl_pkt out;
  int how;
  bt_rec_init(&c);
  c.strict = 1;
  c.rng = 9;
  CU_ASSERT_EQUAL_FATAL(bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb), 0);
  cb.state_change = bt_rec_on_state;
  cb.nexthop = bt_rec_on_nh;
  cb.session = bt_rec_on_sess;
  cb.rand = bt_rec_on_rand;
  CU_ASSERT_EQUAL(bfd_session_goodbye_done(NULL), 0);
  for (how = 0; how < 3; how++) {
    bfd_session *s = NULL;
    bt_peer peer = pk(BFD_STATE_DOWN, 0x2700, 0);
    const uint64_t t1 = T0 + 100 * MS, end = t1 + 3 * SEC;
    size_t n;
    st.passive = (uint8_t)(how == 2);
    CU_ASSERT_EQUAL_FATAL(bfd_session_new(&s, &st, &cb, NULL, &c, T0), 0);
    if (how < 2) {
      n = enc(buf, &peer, NULL);
      CU_ASSERT_EQUAL(bfd_session_feed_packet(s, buf, n, &ri, T0), 0);
      peer.state = BFD_STATE_UP;
      peer.your = bfd_session_get_local_discr(s);
      n = enc(buf, &peer, NULL);
      CU_ASSERT_EQUAL(bfd_session_feed_packet(s, buf, n, &ri, T0), 0);
      CU_ASSERT_EQUAL_FATAL(bfd_session_get_state(s), BFD_STATE_UP);
      while (bfd_session_poll_packet(s, buf, sizeof(buf), T0) > 0)
        ;
    }
    CU_ASSERT_EQUAL(bfd_session_goodbye_done(s), 0);
    CU_ASSERT_EQUAL(bfd_session_goodbye(s, t1), 0);
    if (how == 2) {
      /* §6.8.7: never heard its peer, never sends: done at once. */
      CU_ASSERT_EQUAL(bfd_session_goodbye_done(s), 1);
      CU_ASSERT_EQUAL(bfd_session_poll_packet(s, buf, sizeof(buf), t1), 0);
      CU_ASSERT_EQUAL(bt_status(s).tx_packets, 0);
    } else {
      ptrdiff_t len;
      CU_ASSERT_EQUAL(bfd_session_goodbye_done(s), 0);
      len = bfd_session_poll_packet(s, buf, sizeof(buf), t1);
      CU_ASSERT_FATAL(len > 0);
      CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&out, buf, (size_t)len), 0);
      CU_ASSERT_EQUAL(out.state, BFD_STATE_ADMIN_DOWN);
      CU_ASSERT_EQUAL(out.diag, BFD_DIAG_ADMIN_DOWN);
      CU_ASSERT(out.desired_min_tx_us >= 1000000);
      if (how == 0) {
        /* Still Up (sent before it saw ours), then Down. */
        n = enc(buf, &peer, NULL);
        CU_ASSERT_EQUAL(bfd_session_feed_packet(s, buf, n, &ri, t1 + MS), BFD_FEED_ADMIN_DOWN);
        CU_ASSERT_EQUAL(bfd_session_goodbye_done(s), 0);
        peer.state = BFD_STATE_DOWN;
        peer.diag = BFD_DIAG_NEIGHBOR_DOWN;
        n = enc(buf, &peer, NULL);
        CU_ASSERT_EQUAL(bfd_session_feed_packet(s, buf, n, &ri, t1 + 2 * MS), BFD_FEED_ADMIN_DOWN);
        CU_ASSERT_EQUAL(bfd_session_goodbye_done(s), 1);
      } else {
        /* Silent: 3 x max(100 ms, max(100 ms, 1 s)). */
        CU_ASSERT_EQUAL(bfd_session_feed_time(s, end - 1), 0);
        CU_ASSERT_EQUAL(bfd_session_goodbye_done(s), 0);
        CU_ASSERT_EQUAL(bfd_session_feed_time(s, end), 0);
        CU_ASSERT_EQUAL(bfd_session_goodbye_done(s), 1);
      }
    }
    /* Done: nothing more to send (§6.8.16: "then go"). */
    CU_ASSERT_EQUAL(bfd_session_next_deadline(s), BFD_TSTAMP_NONE);
    CU_ASSERT_EQUAL(bfd_session_poll_packet(s, buf, sizeof(buf), end + 10 * SEC), 0);
    /* Not freed: still usable until the host deletes it. */
    CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_ADMIN_DOWN);
    CU_ASSERT_EQUAL(bt_status(s).local_diag, BFD_DIAG_ADMIN_DOWN);
    CU_ASSERT_EQUAL(bfd_session_goodbye(s, end + 10 * SEC), 0); /* again: a no-op */
    CU_ASSERT_EQUAL(bfd_session_goodbye_done(s), 1);
    bfd_session_del(s);
  }
  {
    unsigned i;
    for (i = 0; i < c.n; i++)
      CU_ASSERT(c.ev[i].kind != BT_EV_SESS); /* lifecycle events are the table's */
  }
}

/* bfd_table_goodbye_all() over sessions in every state: a passive one that
 * never heard its peer goes inside the call, those with a remote that is
 * not Up after one AdminDown packet, the others when their peer answers or
 * their time is up; the table drains to 0, one REMOVED each. */
static void test_bfd_goodbye_all_mixed(void) {
  enum { A, B, C, D, E, F, G, H, NS };
  bt_rec c;
  bfd_table *t = mk_table(&c, NULL);
  bfd_responder_settings rs = rs_make(4, 0);
  bfd_session_settings st = bt_settings(100000, 100000, 3), pst = st;
  bfd_session_key k[NS];
  bfd_session *s[NS], *ps;
  bfd_ctrl_pkt out;
  const uint64_t t1 = T0 + 200 * MS;
  uint64_t now;
  uint32_t d[NS];
  unsigned i;
  int rounds;
  CU_ASSERT_EQUAL_FATAL(bfd_table_set_responder(t, &rs), 0);
  for (i = 0; i < NS; i++)
    k[i] = bt_key4(SH, L4, P4 + i, IFX);
  /* A: Up, the peer answers. B: Up, the peer is silent. F: Up, then
   * AdminDown by the host (not sent yet). */
  {
    static const unsigned up[3] = {A, B, F};
    for (i = 0; i < 3; i++) {
      bt_peer peer = pk(BFD_STATE_UP, 0x3000 + up[i], 0);
      s[up[i]] = up_session(t, &st, &k[up[i]], &peer, NULL, T0);
    }
  }
  /* C: active, never heard. D: passive, never heard. */
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(t, &s[C], &st, &k[C], NULL, T0), 0);
  pst.passive = 1;
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(t, &s[D], &pst, &k[D], NULL, T0), 0);
  /* E: a responder session in Init. */
  {
    bfd_rx_info ri = bt_ri_key(&k[E]);
    bt_peer p = pk(BFD_STATE_DOWN, 0x3000 + E, 0);
    s[E] = NULL;
    CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &s[E]), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s[E]);
  }
  /* G: Init (the peer is Down). */
  {
    bfd_rx_info ri = bt_ri_key(&k[G]);
    bt_peer p = pk(BFD_STATE_DOWN, 0x3000 + G, 0);
    CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(t, &s[G], &st, &k[G], NULL, T0), 0);
    CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, T0, &ps), 0);
    CU_ASSERT_EQUAL(bfd_session_get_state(s[G]), BFD_STATE_INIT);
  }
  /* H: configured AdminDown, never heard. */
  {
    bfd_session_settings hst = st;
    hst.admin_down = 1;
    CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(t, &s[H], &hst, &k[H], NULL, T0), 0);
  }
  (void)bt_table_drain(t, T0);
  CU_ASSERT_EQUAL(bfd_session_set_admin_down(s[F], 1, t1 - MS), 0);
  for (i = 0; i < NS; i++)
    d[i] = bfd_session_get_local_discr(s[i]);
  CU_ASSERT_EQUAL(bfd_table_size(t), NS);
  CU_ASSERT_EQUAL(bfd_table_responder_count(t), 1);

  CU_ASSERT_EQUAL(bfd_table_goodbye_all(NULL, t1), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_table_goodbye_all(t, T0 - 1), BFD_ERR_CLOCK_BACKWARDS);
  CU_ASSERT_EQUAL(bfd_table_size(t), NS);
  {
    unsigned mark = c.n;
    CU_ASSERT_EQUAL(bfd_table_goodbye_all(t, t1), 0);
    /* H was AdminDown already: its REMOVED is its only event. */
    for (i = mark; i < c.n; i++)
      if (c.ev[i].discr == d[H])
        CU_ASSERT_EQUAL(c.ev[i].kind, BT_EV_SESS);
    CU_ASSERT_EQUAL(bt_rec_count_discr(&c, mark, BT_EV_STATE, d[F]), 0);
  }
  /* Only the passive session that never heard its peer must not transmit
   * (§6.8.7): gone inside the call. The others whose remote is unknown or
   * not Up (C, E, G, H) send one AdminDown packet first (§6.8.16) and go at
   * the next call. */
  CU_ASSERT_EQUAL(bfd_table_size(t), NS - 1);
  CU_ASSERT_EQUAL(bfd_table_responder_count(t), 1);
  for (i = 0; i < NS; i++) {
    unsigned want = (unsigned)(i == D);
    CU_ASSERT_EQUAL(bt_rec_count_sess(&c, 0, BFD_SESSION_EV_REMOVED, d[i]), want);
    if (want)
      CU_ASSERT_EQUAL(bt_rec_find_sess(&c, BFD_SESSION_EV_REMOVED, d[i])->se.ts, t1);
  }
  /* The host loop; the peers of A and F answer each AdminDown with Down. */
  now = t1;
  for (rounds = 0; rounds < 1000 && bfd_table_size(t) > 0; rounds++) {
    uint64_t dl;
    CU_ASSERT_EQUAL(bfd_table_feed_time(t, now), 0);
    while (bt_table_poll(t, now, &ps, &out, NULL) > 0) {
      bfd_session_key kk;
      CU_ASSERT_EQUAL(out.state, BFD_STATE_ADMIN_DOWN);
      CU_ASSERT_EQUAL(out.diag, BFD_DIAG_ADMIN_DOWN);
      CU_ASSERT_EQUAL(bfd_session_get_key(ps, &kk), 0);
      if (memcmp(&kk, &k[A], sizeof(kk)) == 0 || memcmp(&kk, &k[F], sizeof(kk)) == 0) {
        bfd_rx_info ri = bt_ri_key(&kk);
        bt_peer p = pk(BFD_STATE_DOWN, out.your_discr, out.my_discr);
        p.diag = BFD_DIAG_NEIGHBOR_DOWN;
        CU_ASSERT_EQUAL(feedp(t, &ri, &p, NULL, now, &ps), BFD_FEED_ADMIN_DOWN);
        CU_ASSERT_PTR_NULL(ps);
      }
    }
    dl = bfd_table_next_deadline(t);
    if (dl == BFD_TSTAMP_NONE)
      break;
    now = dl > now ? dl : now;
  }
  CU_ASSERT_EQUAL(bfd_table_size(t), 0);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(t), BFD_TSTAMP_NONE);
  for (i = 0; i < NS; i++) {
    const bt_ev *e = bt_rec_find_sess(&c, BFD_SESSION_EV_REMOVED, d[i]);
    CU_ASSERT_EQUAL(bt_rec_count_sess(&c, 0, BFD_SESSION_EV_REMOVED, d[i]), 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->se.reason, BFD_SESSION_REMOVED_GOODBYE);
  }
  CU_ASSERT_EQUAL(bt_rec_find_sess(&c, BFD_SESSION_EV_REMOVED, d[A])->se.ts, t1);
  CU_ASSERT_EQUAL(bt_rec_find_sess(&c, BFD_SESSION_EV_REMOVED, d[F])->se.ts, t1);
  CU_ASSERT_EQUAL(bt_rec_find_sess(&c, BFD_SESSION_EV_REMOVED, d[B])->se.ts, t1 + 3 * SEC);
  CU_ASSERT_EQUAL(bfd_table_goodbye_all(t, now), 0); /* empty: nothing to do */
  done(t, &c, NULL);
}

/* Graceful shutdown with responder mode on and a real (active) peer: the
 * peer of a session that said goodbye goes Down, forgets us after its
 * Detection Time (§6.8.1) and asks again with Your Discriminator 0. The
 * table must still drain to 0 within the longest goodbye (here B's 6 s):
 * bfd_table_goodbye_all() promises "keep feeding ... until
 * bfd_table_size() is 0". */
static void test_bfd_goodbye_all_peer_asks_again(void) {
  bt_rec c, pc;
  bfd_table *t = mk_table(&c, NULL);
  bfd_responder_settings rs = rs_make(4, 0);
  bfd_session_settings st = bt_settings(100000, 100000, 3);
  bfd_callbacks pcb;
  bfd_session *pa = NULL, *a = NULL, *b, *ps;
  bfd_session_key ka = bt_key4(SH, L4, P4, IFX), kb = bt_key4(SH, L4, P4 + 1, IFX), kk;
  bfd_rx_info at_t = bt_ri4(SH, L4, P4, IFX), at_pa = bt_ri4(SH, P4, L4, IFX);
  bt_peer peer_b = pk(BFD_STATE_UP, 0x4100, 0);
  uint8_t buf[BFD_CTRL_LEN_MAX];
  uint64_t now, t1 = 0;
  unsigned created_after = 0, mark = 0;
  ptrdiff_t n;
  CU_ASSERT_EQUAL_FATAL(bfd_table_set_responder(t, &rs), 0);
  bt_rec_init(&pc);
  pc.strict = 1;
  pc.rng = 99;
  CU_ASSERT_EQUAL_FATAL(bfd_callbacks_init(BFD_CALLBACKS_VERSION, &pcb), 0);
  pcb.rand = bt_rec_on_rand;
  CU_ASSERT_EQUAL_FATAL(bfd_session_new(&pa, &st, &pcb, NULL, &pc, T0), 0);
  for (now = T0; now <= T0 + 20 * SEC; now += 10 * MS) {
    /* The link: the peer's packets to the table, the table's to the peer
     * (B's peer is silent). */
    CU_ASSERT_EQUAL(bfd_session_feed_time(pa, now), 0);
    while ((n = bfd_session_poll_packet(pa, buf, sizeof(buf), now)) > 0)
      (void)bfd_table_feed_packet(t, buf, (size_t)n, &at_t, now, &ps);
    CU_ASSERT_EQUAL(bfd_table_feed_time(t, now), 0);
    while ((n = bfd_table_poll_packet(t, &ps, buf, sizeof(buf), now)) > 0) {
      CU_ASSERT_EQUAL(bfd_session_get_key(ps, &kk), 0);
      if (memcmp(&kk, &ka, sizeof(kk)) == 0)
        (void)bfd_session_feed_packet(pa, buf, (size_t)n, &at_pa, now);
    }
    if (t1 == 0) {
      a = bfd_table_find_key(t, &ka);
      if (a && bfd_session_get_state(a) == BFD_STATE_UP &&
          bfd_session_get_state(pa) == BFD_STATE_UP) {
        peer_b.rx_us = 2000000; /* B's goodbye: 3 x 2 s */
        b = up_session(t, &st, &kb, &peer_b, NULL, now);
        CU_ASSERT_EQUAL(bfd_session_get_state(b), BFD_STATE_UP);
        t1 = now;
        mark = c.n;
        CU_ASSERT_EQUAL(bfd_table_goodbye_all(t, t1), 0);
      }
    } else if (now > t1 + 6 * SEC + SEC) {
      break;
    }
  }
  CU_ASSERT_FATAL(t1 != 0);
  {
    unsigned i;
    for (i = mark; i < c.n; i++)
      created_after += c.ev[i].kind == BT_EV_SESS && c.ev[i].se.kind == BFD_SESSION_EV_CREATED;
  }
  CU_ASSERT_EQUAL(bfd_table_size(t), 0);
  CU_ASSERT_EQUAL(created_after, 0);
  done(t, &c, NULL);
  bfd_session_del(pa);
}

static CU_TestInfo tests[] = {
    {"off by default", test_bfd_responder_off_by_default},
    {"creates one passive session", test_bfd_responder_create},
    {"key: multihop, IPv6, no local", test_bfd_responder_key_multihop_v6},
    {"AdminDown never creates", test_bfd_responder_admin_down_never_creates},
    {"max_sessions", test_bfd_responder_max_sessions},
    {"reap at last_rx + hold_ms", test_bfd_responder_reap_hold_ms},
    {"reap at the default hold", test_bfd_responder_reap_default_hold},
    {"reap never-Up at detection", test_bfd_responder_reap_never_up_detect},
    {"reap Up session gone silent", test_bfd_responder_reap_up_silent},
    {"reap by a session call", test_bfd_responder_reap_by_session_call},
    {"reap after the peer's goodbye", test_bfd_responder_reap_after_peer_goodbye},
    {"configured sessions first", test_bfd_responder_known_peers_first},
    {"NOMEM while creating", test_bfd_responder_create_nomem},
    {"rejected candidates", test_bfd_responder_reject_candidates},
    {"Your Discr 0 in Init/Up", test_bfd_responder_reject_your_discr_zero},
    {"responder_accept veto", test_bfd_responder_accept_veto},
    {"CREATED refused", test_bfd_responder_created_refused},
    {"CREATED is the first event", test_bfd_responder_created_first},
    {"creation nexthop event fails", test_bfd_responder_create_nexthop_fails},
    {"authentication", test_bfd_responder_auth},
    {"set_responder errors change nothing", test_bfd_responder_set_errors},
    {"set_responder NOMEM changes nothing", test_bfd_responder_set_nomem},
    {"lowering max_sessions", test_bfd_responder_lower_max},
    {"version 1 callbacks", test_bfd_responder_callbacks_v1},
    {"goodbye: Up, peer answers", test_bfd_goodbye_up_peer_answers},
    {"goodbye: Down before our first packet", test_bfd_goodbye_down_before_first_packet},
    {"goodbye: silent peer, exact end", test_bfd_goodbye_silent_peer_exact},
    {"goodbye: passive never heard", test_bfd_goodbye_passive_never_heard},
    {"goodbye: nexthop cleared first", test_bfd_goodbye_nexthop_cleared_first},
    {"goodbye: authentication", test_bfd_goodbye_auth},
    {"goodbye twice", test_bfd_goodbye_twice},
    {"goodbye: responder session not reaped", test_bfd_goodbye_responder_session},
    {"goodbye: callback failure", test_bfd_goodbye_callback_failure},
    {"goodbye finished by a session call", test_bfd_goodbye_finished_by_session_call},
    {"goodbye: standalone", test_bfd_goodbye_standalone},
    {"goodbye_all: mixed states", test_bfd_goodbye_all_mixed},
    {"goodbye_all: the peer asks again", test_bfd_goodbye_all_peer_asks_again},
    CU_TEST_INFO_NULL};

int main(void) { return bfd_test_run_suite("responder", tests); }
