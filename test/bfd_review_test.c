/* Independent RFC 5880 §6 conformance review of the core (session, auth,
 * table). Each test states the rule it checks. The defect_* tests proved
 * defects the review found (clock wrap near UINT64_MAX, TX not slowed by a
 * larger remote Required Min RX, no Poll for changes under Demand mode);
 * they are the regression tests for the fixes. */
#include "bfd_auth.h"
#include "bfd_crypto.h"
#include "bfd_session.h"
#include "bfd_table.h"
#include "bfd_test_util.h"

#include <string.h>

#define MS     BFD_MILLISECONDS
#define SEC    BFD_SECONDS
#define T0     (1000 * SEC)
#define LDISCR 0x11111111u
#define RDISCR 0x22222222u

/* ------------------------------------------------------------------------ */
/* Fixture: one standalone session and a scripted peer                     */
/* ------------------------------------------------------------------------ */

typedef struct rv_fx {
  bfd_session *s;
  bfd_session_settings st;
  bfd_rx_info ri;
  uint64_t now;
  /* peer template */
  uint8_t pdiag, pmult;
  uint32_t pmy, pyour, ptx, prx;
  /* optional signing ring for the peer's packets */
  bfd_auth_ring *ring;
} rv_fx;

static void fx_init(rv_fx *f) {
  memset(f, 0, sizeof(*f));
  CU_ASSERT_EQUAL_FATAL(bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &f->st), 0);
  f->st.local_discr = LDISCR;
  f->ri.mode = BFD_MODE_SINGLE_HOP;
  f->ri.family = BFD_AF_INET;
  f->ri.ttl = 255;
  f->ri.flags = BFD_RX_TTL;
  f->now = T0;
  f->pmult = 3;
  f->pmy = RDISCR;
  f->pyour = LDISCR;
  f->ptx = 300000;
  f->prx = 300000;
}

static void fx_start(rv_fx *f) {
  CU_ASSERT_EQUAL_FATAL(bfd_session_new(&f->s, &f->st, NULL, NULL, NULL, f->now), 0);
}

static void fx_end(rv_fx *f) {
  bfd_session_del(f->s);
  bfd_auth_ring_free(bfd_mem_default(), f->ring);
  f->s = NULL;
  f->ring = NULL;
}

static bfd_session_status st_of(const bfd_session *s) {
  bfd_session_status o;
  memset(&o, 0, sizeof(o));
  o.struct_version = BFD_SESSION_STATUS_VERSION;
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_status(s, &o), 0);
  return o;
}

/* Encode a peer packet; signed with f->ring (seq `seq`) when it is set. */
static size_t build(rv_fx *f, uint8_t state, uint8_t flags, uint32_t seq, uint8_t *buf) {
  bfd_ctrl_pkt p;
  ptrdiff_t n;
  memset(&p, 0, sizeof(p));
  p.version = 1;
  p.diag = f->pdiag;
  p.state = state;
  p.flags = flags;
  p.detect_mult = f->pmult;
  p.my_discr = f->pmy;
  p.your_discr = f->pyour;
  p.desired_min_tx_us = f->ptx;
  p.required_min_rx_us = f->prx;
  if (f->ring) {
    f->ring->xmit_seq = seq;
    n = bfd_auth_encode(f->ring, buf, 64, &p);
  } else {
    n = bfd_ctrl_pkt_encode(buf, 64, &p);
  }
  CU_ASSERT_FATAL(n >= 24);
  return (size_t)n;
}

static int rx_seq(rv_fx *f, uint8_t state, uint8_t flags, uint32_t seq) {
  uint8_t buf[64];
  size_t n = build(f, state, flags, seq, buf);
  return bfd_session_feed_packet(f->s, buf, n, &f->ri, f->now);
}

static int rx(rv_fx *f, uint8_t state, uint8_t flags) { return rx_seq(f, state, flags, 0); }

/* One packet at f->now (0 if none is due). */
static ptrdiff_t tx(rv_fx *f, bfd_ctrl_pkt *out) {
  uint8_t buf[64];
  bfd_ctrl_pkt tmp;
  ptrdiff_t n = bfd_session_poll_packet(f->s, buf, sizeof(buf), f->now);
  if (!out)
    out = &tmp;
  memset(out, 0, sizeof(*out));
  CU_ASSERT_FATAL(n >= 0);
  if (n > 0)
    CU_ASSERT_EQUAL_FATAL(bfd_ctrl_pkt_decode(out, buf, (size_t)n), 0);
  return n;
}

static unsigned drain(rv_fx *f, uint8_t *flags) {
  bfd_ctrl_pkt p;
  unsigned n = 0;
  if (flags)
    *flags = 0;
  while (tx(f, &p) > 0) {
    CU_ASSERT_FATAL(++n < 10);
    if (flags)
      *flags |= p.flags;
  }
  return n;
}

/* Down -> Init -> Up through real packets, then finish the slow-start Poll. */
static void bring_up(rv_fx *f) {
  uint32_t your = f->pyour;
  f->pyour = 0;
  CU_ASSERT_EQUAL_FATAL(rx(f, BFD_STATE_DOWN, 0), 0);
  f->pyour = your;
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_state(f->s), BFD_STATE_INIT);
  CU_ASSERT_EQUAL_FATAL(rx(f, BFD_STATE_UP, 0), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_state(f->s), BFD_STATE_UP);
  drain(f, NULL);
  if (st_of(f->s).poll_active) {
    CU_ASSERT_EQUAL_FATAL(rx(f, BFD_STATE_UP, BFD_FLAG_F), 0);
    drain(f, NULL);
  }
  CU_ASSERT_EQUAL_FATAL(st_of(f->s).poll_active, 0);
}

/* Same as bring_up for a session with authentication (seq from `*seq`). */
static void bring_up_auth(rv_fx *f, uint32_t *seq) {
  uint32_t your = f->pyour;
  f->pyour = 0;
  CU_ASSERT_EQUAL_FATAL(rx_seq(f, BFD_STATE_DOWN, 0, (*seq)++), 0);
  f->pyour = your;
  CU_ASSERT_EQUAL_FATAL(rx_seq(f, BFD_STATE_UP, 0, (*seq)++), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_state(f->s), BFD_STATE_UP);
  drain(f, NULL);
  if (st_of(f->s).poll_active) {
    CU_ASSERT_EQUAL_FATAL(rx_seq(f, BFD_STATE_UP, BFD_FLAG_F, (*seq)++), 0);
    drain(f, NULL);
  }
}

/* Compare the session-visible parts of two snapshots, ignoring the drop
 * counter (which a rejected packet must move) and last_tx. */
static int same_state(const bfd_session_status *a, const bfd_session_status *b) {
  return a->change_seq == b->change_seq && a->state == b->state && a->local_diag == b->local_diag &&
         a->remote_state == b->remote_state && a->remote_diag == b->remote_diag &&
         a->poll_active == b->poll_active && a->remote_demand == b->remote_demand &&
         a->remote_detect_mult == b->remote_detect_mult && a->remote_discr == b->remote_discr &&
         a->remote_desired_min_tx_us == b->remote_desired_min_tx_us &&
         a->remote_required_min_rx_us == b->remote_required_min_rx_us &&
         a->tx_interval_ns == b->tx_interval_ns && a->detect_time_ns == b->detect_time_ns &&
         a->last_rx == b->last_rx && a->rx_packets == b->rx_packets &&
         a->tx_packets == b->tx_packets;
}

static int use_sha1(rv_fx *f, uint8_t type) {
  bfd_auth_key k;
  if (!bfd_crypto_built() || bfd_crypto_available(BFD_CRYPTO_SHA1) != 0)
    return 0;
  memset(&k, 0, sizeof(k));
  k.type = type;
  k.key_id = 7;
  k.len = 20;
  memcpy(k.secret, "0123456789abcdefghij", 20);
  CU_ASSERT_EQUAL_FATAL(bfd_session_auth_add_key(f->s, &k), 0);
  f->ring = bfd_auth_ring_new(bfd_mem_default(), type, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f->ring);
  CU_ASSERT_EQUAL_FATAL(bfd_auth_ring_put(f->ring, &k), 0);
  return 1;
}

/* ------------------------------------------------------------------------ */
/* Regressions for the defects the review proved                            */
/* ------------------------------------------------------------------------ */

/* `now` near UINT64_MAX: "time is monotonic ns from any origin" (bfd.h).
 * After sending, the next transmission must lie after `now`; a wrapped
 * next_tx makes next_deadline() lie in the past forever and the host sends
 * on every call (bfd_session.c:461 now + jittered() wraps). */
static void defect_huge_now_tx_deadline(void) {
  rv_fx f;
  fx_init(&f);
  f.now = UINT64_MAX - 500 * MS; /* less than one 1 s slow-start interval left */
  fx_start(&f);
  CU_ASSERT_EQUAL(tx(&f, NULL), 24);
  CU_ASSERT(bfd_session_next_deadline(f.s) > f.now);
  CU_ASSERT_EQUAL(tx(&f, NULL), 0); /* nothing is due again at once */
  fx_end(&f);
}

/* `now` near UINT64_MAX: an Up session that heard its peer 1 ms ago must
 * not be declared down (§6.8.4). bfd_session.c:377 now + dt wraps. */
static void defect_huge_now_detect_wrap(void) {
  rv_fx f;
  fx_init(&f);
  f.now = UINT64_MAX - 500 * MS; /* Detection Time here is 3 x 300 ms */
  fx_start(&f);
  f.pyour = 0;
  CU_ASSERT_EQUAL_FATAL(rx(&f, BFD_STATE_DOWN, 0), 0);
  f.pyour = LDISCR;
  CU_ASSERT_EQUAL_FATAL(rx(&f, BFD_STATE_INIT, 0), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_state(f.s), BFD_STATE_UP);
  CU_ASSERT(bfd_session_next_deadline(f.s) >= f.now);
  f.now += MS;
  CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, f.now), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(f.s), BFD_STATE_UP);
  fx_end(&f);
}

/* §6.8.7: "MUST NOT transmit BFD Control packets at an interval less than
 * the larger of bfd.DesiredMinTxInterval and bfd.RemoteMinRxInterval, less
 * applied jitter" and "The transmit interval MUST be recalculated whenever
 * ... bfd.RemoteMinRxInterval changes". When the peer raises Required Min RX
 * from 10 ms to 1 s, the next periodic packet must wait >= 750 ms after the
 * previous one; reschedule_tx() (bfd_session.c:136-138) only ever moves
 * next_tx earlier, so one more packet goes out at the old 10 ms rate. */
static void defect_remote_rx_increase_delays_tx(void) {
  rv_fx f;
  uint64_t last_periodic;
  uint8_t fl;
  fx_init(&f);
  f.st.desired_min_tx_us = 10000;
  f.st.required_min_rx_us = 10000;
  f.ptx = f.prx = 10000;
  fx_start(&f);
  bring_up(&f);
  /* Let one periodic packet go out, remember when. */
  f.now = bfd_session_next_deadline(f.s);
  CU_ASSERT_EQUAL_FATAL(drain(&f, NULL), 1);
  last_periodic = f.now;
  /* 1 ms later the peer polls with Required Min RX 1 s; we answer F. */
  f.now += MS;
  f.prx = 1000000;
  CU_ASSERT_EQUAL_FATAL(rx(&f, BFD_STATE_UP, BFD_FLAG_P), 0);
  CU_ASSERT_EQUAL_FATAL(drain(&f, &fl), 1);
  CU_ASSERT_EQUAL(fl & (BFD_FLAG_F | BFD_FLAG_P), BFD_FLAG_F);
  CU_ASSERT_EQUAL(st_of(f.s).tx_interval_ns, 1 * SEC);
  /* The next periodic packet (not the detection deadline, which the peer's
   * 10 ms x 3 keeps near) waits at least 750 ms after the previous one. */
  CU_ASSERT(bfd_session_tx_deadline(f.s) >= last_periodic + 750 * MS);
  CU_ASSERT(bfd_session_tx_deadline(f.s) <= last_periodic + 1000 * MS);
  fx_end(&f);
}

/* §6.6: "If Demand mode is active on either or both systems, a Poll Sequence
 * MUST be initiated whenever the contents of the next BFD Control packet to
 * be sent would be different than the contents of the previous packet";
 * §6.8.12 (Detect Mult change) refers to §6.6 for exactly this. With the
 * peer in Demand mode (both Up, we send nothing periodic), changing Detect
 * Mult must produce a Poll carrying the new value. bfd_session_update()
 * (bfd_session.c:654-656) changes it silently: nothing is ever sent. */
static void defect_demand_detect_mult_change_polls(void) {
  rv_fx f;
  bfd_session_settings st;
  bfd_ctrl_pkt p;
  int i, got = 0;
  fx_init(&f);
  fx_start(&f);
  bring_up(&f);
  CU_ASSERT_EQUAL_FATAL(rx(&f, BFD_STATE_UP, BFD_FLAG_D), 0);
  CU_ASSERT_EQUAL_FATAL(st_of(f.s).tx_interval_ns, 0); /* remote Demand active */
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_settings(f.s, &st), 0);
  st.detect_mult = 5;
  CU_ASSERT_EQUAL_FATAL(bfd_session_update(f.s, &st, f.now), 0);
  /* The peer keeps talking (Up, D) every 100 ms; within one 300 ms TX
   * interval a Poll with Detect Mult 5 must have gone out. */
  for (i = 0; i < 3 && !got; i++) {
    while (tx(&f, &p) > 0)
      got |= (p.flags & BFD_FLAG_P) && p.detect_mult == 5;
    f.now += 100 * MS;
    CU_ASSERT_EQUAL_FATAL(rx(&f, BFD_STATE_UP, BFD_FLAG_D), 0);
  }
  CU_ASSERT_EQUAL(bfd_session_get_state(f.s), BFD_STATE_UP);
  CU_ASSERT(got);
  fx_end(&f);
}

/* ------------------------------------------------------------------------ */
/* Verified behaviour                                                       */
/* ------------------------------------------------------------------------ */

/* §6.8.6 / §6.7: a packet failing authentication changes nothing: no state,
 * no remote variables, no timers, no Final owed, no RcvAuthSeq. */
static void test_auth_reject_changes_nothing(void) {
  rv_fx f;
  bfd_session_status a, b;
  uint32_t seq = 1000;
  uint64_t dl;
  uint8_t buf[64];
  size_t n;
  fx_init(&f);
  fx_start(&f);
  if (!use_sha1(&f, BFD_AUTH_METICULOUS_KEYED_SHA1)) {
    fx_end(&f);
    return;
  }
  bring_up_auth(&f, &seq);
  f.now += 10 * MS;
  a = st_of(f.s);
  dl = bfd_session_next_deadline(f.s);
  /* Forged: bad digest, state Down, P set, new discriminator and timers. */
  f.pmy = 0x33333333u;
  f.prx = 1;
  n = build(&f, BFD_STATE_DOWN, BFD_FLAG_P, seq + 1, buf);
  buf[n - 1] ^= 1;
  CU_ASSERT_EQUAL(bfd_session_feed_packet(f.s, buf, n, &f.ri, f.now), BFD_ERR_PKT_AUTH_FAILED);
  /* Authentic but replayed (seq already seen: meticulous needs > last). */
  CU_ASSERT_EQUAL(rx_seq(&f, BFD_STATE_DOWN, BFD_FLAG_P, seq - 1), BFD_ERR_PKT_AUTH_FAILED);
  /* No A bit at all. */
  {
    bfd_auth_ring *r = f.ring;
    f.ring = NULL;
    CU_ASSERT_EQUAL(rx(&f, BFD_STATE_DOWN, BFD_FLAG_P), BFD_ERR_PKT_AUTH_MISMATCH);
    f.ring = r;
  }
  b = st_of(f.s);
  CU_ASSERT(same_state(&a, &b));
  CU_ASSERT_EQUAL(b.rx_dropped, a.rx_dropped + 3);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), dl); /* no Final owed */
  CU_ASSERT_EQUAL(bfd_session_get_auth_failures(f.s, BFD_AUTH_FAIL_DIGEST), 1);
  CU_ASSERT_EQUAL(bfd_session_get_auth_failures(f.s, BFD_AUTH_FAIL_SEQ), 1);
  CU_ASSERT_EQUAL(bfd_session_get_rx_drops(f.s, BFD_ERR_PKT_AUTH_FAILED), 2);
  /* RcvAuthSeq did not move: seq (the next one) is still accepted. */
  f.pmy = RDISCR;
  f.prx = 300000;
  CU_ASSERT_EQUAL(rx_seq(&f, BFD_STATE_UP, 0, seq), 0);
  fx_end(&f);
}

/* §6.7.4 windows in 32-bit circular space, across the wrap:
 * keyed [R, R+3M], meticulous [R+1, R+3M]; M = 3 on both sides. */
static void auth_window(uint8_t type) {
  rv_fx f;
  uint32_t seq = 0xfffffff6u; /* bring-up uses 2 or 3 numbers */
  int met = type == BFD_AUTH_METICULOUS_KEYED_SHA1;
  fx_init(&f);
  fx_start(&f);
  if (!use_sha1(&f, type)) {
    fx_end(&f);
    return;
  }
  bring_up_auth(&f, &seq);
  seq = 0xfffffffcu; /* R := 0xfffffffc */
  CU_ASSERT_EQUAL_FATAL(rx_seq(&f, BFD_STATE_UP, 0, seq), 0);
  /* Equal: keyed only. */
  CU_ASSERT_EQUAL(rx_seq(&f, BFD_STATE_UP, 0, seq), met ? BFD_ERR_PKT_AUTH_FAILED : 0);
  /* R - 1: never. */
  CU_ASSERT_EQUAL(rx_seq(&f, BFD_STATE_UP, 0, seq - 1), BFD_ERR_PKT_AUTH_FAILED);
  /* R + 10 (wraps to 6): outside 3 x 3. */
  CU_ASSERT_EQUAL(rx_seq(&f, BFD_STATE_UP, 0, seq + 10), BFD_ERR_PKT_AUTH_FAILED);
  /* R + 9 wraps to 5: inside. Then R := 5. */
  CU_ASSERT_EQUAL(rx_seq(&f, BFD_STATE_UP, 0, seq + 9), 0);
  CU_ASSERT_EQUAL(rx_seq(&f, BFD_STATE_UP, 0, 4), BFD_ERR_PKT_AUTH_FAILED);
  CU_ASSERT_EQUAL(rx_seq(&f, BFD_STATE_UP, 0, 6), 0);
  CU_ASSERT_EQUAL(bfd_session_get_auth_failures(f.s, BFD_AUTH_FAIL_SEQ), met ? 4u : 3u);
  CU_ASSERT_EQUAL(bfd_session_get_auth_failures(f.s, BFD_AUTH_FAIL_DIGEST), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(f.s), BFD_STATE_UP);
  fx_end(&f);
}
static void test_auth_window_keyed(void) { auth_window(BFD_AUTH_KEYED_SHA1); }
static void test_auth_window_meticulous(void) { auth_window(BFD_AUTH_METICULOUS_KEYED_SHA1); }

/* §6.8.1: bfd.AuthSeqKnown MUST be zeroed after no packets for at least
 * twice the Detection Time (here 3 x 300 ms = 900 ms), not before. */
static void test_auth_seq_known_reset(void) {
  rv_fx f;
  uint32_t seq = 500;
  uint64_t t;
  fx_init(&f);
  fx_start(&f);
  if (!use_sha1(&f, BFD_AUTH_METICULOUS_KEYED_SHA1)) {
    fx_end(&f);
    return;
  }
  bring_up_auth(&f, &seq);
  CU_ASSERT_EQUAL_FATAL(rx_seq(&f, BFD_STATE_UP, 0, seq), 0);
  t = f.now;
  f.now = t + 1800 * MS - 1;
  CU_ASSERT_EQUAL(rx_seq(&f, BFD_STATE_DOWN, 0, seq + 1000), BFD_ERR_PKT_AUTH_FAILED);
  f.now = t + 1800 * MS;
  CU_ASSERT_EQUAL(rx_seq(&f, BFD_STATE_DOWN, 0, seq + 1000), 0);
  /* Known again from here: the old number is now a replay. */
  CU_ASSERT_EQUAL(rx_seq(&f, BFD_STATE_DOWN, 0, seq + 1), BFD_ERR_PKT_AUTH_FAILED);
  fx_end(&f);
}

/* §6.8.6 in a table: Your Discriminator 0 is accepted only with State Down
 * or AdminDown; otherwise the session is untouched. Unknown Your Discr and
 * unknown peer are NO_SESSION at the table. */
static void test_table_your_discr_zero(void) {
  bfd_table *t;
  bfd_session *s, *got;
  bfd_session_settings st;
  bfd_session_key k;
  bfd_rx_info ri;
  bfd_ctrl_pkt p;
  uint8_t buf[64];
  ptrdiff_t n;
  static const uint8_t bad[] = {BFD_STATE_INIT, BFD_STATE_UP};
  size_t i;

  CU_ASSERT_EQUAL_FATAL(bfd_table_new(&t, NULL, NULL, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &st), 0);
  memset(&k, 0, sizeof(k));
  k.mode = BFD_MODE_SINGLE_HOP;
  k.family = BFD_AF_INET;
  k.peer[0] = 192, k.peer[1] = 0, k.peer[2] = 2, k.peer[3] = 1;
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(t, &s, &st, &k, NULL, T0), 0);
  memset(&ri, 0, sizeof(ri));
  ri.mode = BFD_MODE_SINGLE_HOP;
  ri.family = BFD_AF_INET;
  ri.ttl = 255;
  ri.flags = BFD_RX_TTL | BFD_RX_PEER;
  memcpy(ri.peer, k.peer, 16);

  memset(&p, 0, sizeof(p));
  p.detect_mult = 3;
  p.my_discr = RDISCR;
  p.desired_min_tx_us = p.required_min_rx_us = 1000000;
  for (i = 0; i < sizeof(bad); i++) {
    p.state = bad[i];
    n = bfd_ctrl_pkt_encode(buf, sizeof(buf), &p);
    CU_ASSERT_EQUAL(bfd_table_feed_packet(t, buf, (size_t)n, &ri, T0, &got),
                    BFD_ERR_PKT_YOUR_DISCR);
    CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_DOWN);
    CU_ASSERT_EQUAL(st_of(s).remote_discr, 0);
  }
  CU_ASSERT_EQUAL(bfd_session_get_rx_drops(s, BFD_ERR_PKT_YOUR_DISCR), 2);
  /* Unknown Your Discriminator. */
  p.state = BFD_STATE_UP;
  p.your_discr = bfd_session_get_local_discr(s) + 1;
  n = bfd_ctrl_pkt_encode(buf, sizeof(buf), &p);
  CU_ASSERT_EQUAL(bfd_table_feed_packet(t, buf, (size_t)n, &ri, T0, &got), BFD_ERR_PKT_NO_SESSION);
  CU_ASSERT_PTR_NULL(got);
  /* Unknown peer with Your Discriminator 0. */
  p.state = BFD_STATE_DOWN;
  p.your_discr = 0;
  n = bfd_ctrl_pkt_encode(buf, sizeof(buf), &p);
  ri.peer[3] = 2;
  CU_ASSERT_EQUAL(bfd_table_feed_packet(t, buf, (size_t)n, &ri, T0, &got), BFD_ERR_PKT_NO_SESSION);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(t, BFD_ERR_PKT_NO_SESSION), 2);
  /* Down with Your Discriminator 0 from the configured peer: Init. */
  ri.peer[3] = 1;
  CU_ASSERT_EQUAL(bfd_table_feed_packet(t, buf, (size_t)n, &ri, T0, &got), 0);
  CU_ASSERT_PTR_EQUAL(got, s);
  CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_INIT);
  CU_ASSERT_EQUAL(st_of(s).remote_discr, RDISCR);
  bfd_table_del(t);
}

/* §6.5: a Final answers only a Poll that went out. An unsolicited Final,
 * or one arriving before our first P of a new sequence, terminates nothing
 * and (while Up) a larger TX interval stays deferred (§6.8.3). */
static void test_final_without_poll(void) {
  rv_fx f;
  bfd_session_settings st;
  bfd_ctrl_pkt p;
  fx_init(&f);
  fx_start(&f);
  bring_up(&f);
  CU_ASSERT_EQUAL(rx(&f, BFD_STATE_UP, BFD_FLAG_F), 0);
  CU_ASSERT_EQUAL(st_of(f.s).poll_active, 0);
  CU_ASSERT_EQUAL(st_of(f.s).tx_interval_ns, 300 * MS);
  /* Raise TX to 2 s: Poll starts, 300 ms stays in force. */
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_settings(f.s, &st), 0);
  st.desired_min_tx_us = 2000000;
  CU_ASSERT_EQUAL_FATAL(bfd_session_update(f.s, &st, f.now), 0);
  CU_ASSERT_EQUAL(st_of(f.s).poll_active, 1);
  /* A Final before any P went out (a late answer to an older Poll). */
  CU_ASSERT_EQUAL(rx(&f, BFD_STATE_UP, BFD_FLAG_F), 0);
  CU_ASSERT_EQUAL(st_of(f.s).poll_active, 1);
  CU_ASSERT_EQUAL(st_of(f.s).tx_interval_ns, 300 * MS);
  f.now = bfd_session_next_deadline(f.s);
  CU_ASSERT_EQUAL_FATAL(tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.flags & (BFD_FLAG_P | BFD_FLAG_F), BFD_FLAG_P);
  CU_ASSERT_EQUAL(p.desired_min_tx_us, 2000000);
  CU_ASSERT_EQUAL(rx(&f, BFD_STATE_UP, BFD_FLAG_F), 0);
  CU_ASSERT_EQUAL(st_of(f.s).poll_active, 0);
  CU_ASSERT_EQUAL(st_of(f.s).tx_interval_ns, 2 * SEC);
  fx_end(&f);
}

/* Largest intervals and multiplier: exact arithmetic, no overflow. */
static void test_max_intervals(void) {
  rv_fx f;
  const uint64_t iv = (uint64_t)UINT32_MAX * 1000u;
  uint64_t d;
  fx_init(&f);
  f.st.desired_min_tx_us = f.st.required_min_rx_us = UINT32_MAX;
  f.st.detect_mult = 255;
  f.ptx = f.prx = UINT32_MAX;
  f.pmult = 255;
  fx_start(&f);
  bring_up(&f);
  CU_ASSERT_EQUAL(st_of(f.s).detect_time_ns, 255u * iv);
  CU_ASSERT_EQUAL(st_of(f.s).tx_interval_ns, iv);
  f.now += 1;
  CU_ASSERT_EQUAL_FATAL(rx(&f, BFD_STATE_UP, 0), 0);
  d = bfd_session_next_deadline(f.s);
  CU_ASSERT(d >= st_of(f.s).last_tx + iv - iv / 4 && d <= st_of(f.s).last_tx + iv);
  /* Detection: still Up one ns before 255 x iv, Down at it (diag 1). */
  f.now += 255u * iv - 1;
  CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, f.now), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(f.s), BFD_STATE_UP);
  f.now += 1;
  CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, f.now), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(f.s), BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(st_of(f.s).local_diag, BFD_DIAG_DETECT_EXPIRED);
  fx_end(&f);
}

/* §6.8.1/§6.8.18: after a Detection Time without packets, RemoteDiscr is 0
 * and RemoteMinRxInterval back to 1, so a peer that asked for silence
 * (Required Min RX 0) no longer silences us. */
static void test_expiry_resets_remote(void) {
  rv_fx f;
  bfd_session_status s;
  bfd_ctrl_pkt p;
  fx_init(&f);
  fx_start(&f);
  bring_up(&f);
  f.prx = 0; /* the peer wants no periodic packets */
  CU_ASSERT_EQUAL_FATAL(rx(&f, BFD_STATE_UP, BFD_FLAG_D), 0);
  CU_ASSERT_EQUAL(st_of(f.s).tx_interval_ns, 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), f.now + 900 * MS);
  f.now += 900 * MS;
  CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, f.now), 0);
  s = st_of(f.s);
  CU_ASSERT_EQUAL(s.state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(s.local_diag, BFD_DIAG_DETECT_EXPIRED);
  CU_ASSERT_EQUAL(s.remote_discr, 0);
  CU_ASSERT_EQUAL(s.remote_required_min_rx_us, 1);
  CU_ASSERT_EQUAL(s.remote_demand, 0);
  CU_ASSERT_EQUAL(s.tx_interval_ns, 1 * SEC);
  CU_ASSERT_EQUAL_FATAL(tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(p.diag, BFD_DIAG_DETECT_EXPIRED);
  CU_ASSERT_EQUAL(p.your_discr, 0);
  CU_ASSERT_EQUAL(p.desired_min_tx_us, 1000000);
  fx_end(&f);
}

/* §6.8.6 / §6.8.7: the peer's D bit stops periodic TX only while both are
 * Up; in Down/Init it is ignored (else bring-up deadlocks). */
static void test_demand_only_when_both_up(void) {
  rv_fx f;
  fx_init(&f);
  fx_start(&f);
  drain(&f, NULL);
  f.pyour = 0;
  CU_ASSERT_EQUAL_FATAL(rx(&f, BFD_STATE_DOWN, BFD_FLAG_D), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(f.s), BFD_STATE_INIT);
  CU_ASSERT_EQUAL(st_of(f.s).tx_interval_ns, 1 * SEC);
  CU_ASSERT_EQUAL(drain(&f, NULL), 1); /* the Init announcement */
  f.pyour = LDISCR;
  /* Remote says Init + D: we go Up, remote not Up: keep sending. */
  CU_ASSERT_EQUAL_FATAL(rx(&f, BFD_STATE_INIT, BFD_FLAG_D), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(f.s), BFD_STATE_UP);
  CU_ASSERT(st_of(f.s).tx_interval_ns != 0);
  drain(&f, NULL);
  /* Remote Up + D, our slow-start Poll answered: silence. */
  CU_ASSERT_EQUAL_FATAL(rx(&f, BFD_STATE_UP, BFD_FLAG_D | BFD_FLAG_F), 0);
  CU_ASSERT_EQUAL(st_of(f.s).tx_interval_ns, 0);
  CU_ASSERT_EQUAL(drain(&f, NULL), 0);
  /* A Poll is still answered (§6.8.7: regardless of Demand mode). */
  CU_ASSERT_EQUAL_FATAL(rx(&f, BFD_STATE_UP, BFD_FLAG_D | BFD_FLAG_P), 0);
  {
    uint8_t fl;
    CU_ASSERT_EQUAL(drain(&f, &fl), 1);
    CU_ASSERT_EQUAL(fl & (BFD_FLAG_P | BFD_FLAG_F), BFD_FLAG_F);
  }
  /* D cleared: periodic TX resumes at once. */
  CU_ASSERT_EQUAL_FATAL(rx(&f, BFD_STATE_UP, 0), 0);
  CU_ASSERT_EQUAL(st_of(f.s).tx_interval_ns, 300 * MS);
  CU_ASSERT_EQUAL(drain(&f, NULL), 1);
  fx_end(&f);
}

/* §6.8.7 passive: silent while RemoteDiscr is 0, again after it expires. */
static void test_passive_role(void) {
  rv_fx f;
  fx_init(&f);
  f.st.passive = 1;
  fx_start(&f);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), BFD_TSTAMP_NONE);
  CU_ASSERT_EQUAL(drain(&f, NULL), 0);
  f.pyour = 0;
  CU_ASSERT_EQUAL_FATAL(rx(&f, BFD_STATE_DOWN, 0), 0);
  CU_ASSERT_EQUAL(drain(&f, NULL), 1);
  f.now += 3 * SEC; /* 3 x 1 s */
  CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, f.now), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(f.s), BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(st_of(f.s).remote_discr, 0);
  CU_ASSERT_EQUAL(drain(&f, NULL), 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), BFD_TSTAMP_NONE);
  fx_end(&f);
}

/* §6.8.16: AdminDown goes out at once with diag 7 and then periodically at
 * the >= 1 s rate; received packets never move the state (§6.8.6). They
 * are not drops either: §6.8.6 takes the remote variables (and the F that
 * ends our Poll) before the AdminDown discard, so the feed reports
 * BFD_FEED_ADMIN_DOWN and counts the packet as received (bfd.h). */
static void test_admin_down_tx(void) {
  rv_fx f;
  bfd_ctrl_pkt p;
  uint64_t t;
  fx_init(&f);
  f.st.desired_min_tx_us = 10000;
  f.st.required_min_rx_us = 10000;
  f.ptx = f.prx = 10000;
  fx_start(&f);
  bring_up(&f);
  CU_ASSERT_EQUAL_FATAL(bfd_session_set_admin_down(f.s, 1, f.now), 0);
  CU_ASSERT_EQUAL_FATAL(tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.state, BFD_STATE_ADMIN_DOWN);
  CU_ASSERT_EQUAL(p.diag, BFD_DIAG_ADMIN_DOWN);
  CU_ASSERT_EQUAL(p.your_discr, RDISCR);
  CU_ASSERT_EQUAL(p.desired_min_tx_us, 1000000);
  t = f.now;
  /* Nothing before 750 ms (the peer's Detection Time of 30 ms passes on
   * the way: remote state forgotten, §6.8.1), one packet by 1 s. */
  f.now = t + 750 * MS - 1;
  CU_ASSERT_EQUAL(tx(&f, &p), 0);
  CU_ASSERT_EQUAL(st_of(f.s).remote_discr, 0);
  f.now = t + SEC;
  CU_ASSERT_EQUAL_FATAL(tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.state, BFD_STATE_ADMIN_DOWN);
  CU_ASSERT_EQUAL(p.your_discr, 0);
  {
    bfd_session_status a = st_of(f.s), b;
    CU_ASSERT_EQUAL(a.poll_active, 1); /* the Poll for the 1 s AdminDown rate */
    f.ptx = f.prx = 1000000;           /* the peer now at 1 s: Detection Time 3 s */
    CU_ASSERT_EQUAL(rx(&f, BFD_STATE_INIT, 0), BFD_FEED_ADMIN_DOWN);
    CU_ASSERT_EQUAL(st_of(f.s).remote_discr, RDISCR); /* learned again */
    CU_ASSERT_EQUAL(st_of(f.s).poll_active, 1);       /* no F: still polling */
    /* A P sent since contact (the earlier ones went to nobody), then its F. */
    f.now = bfd_session_next_deadline(f.s);
    CU_ASSERT_EQUAL_FATAL(tx(&f, &p), 24);
    CU_ASSERT_EQUAL(p.flags & BFD_FLAG_P, BFD_FLAG_P);
    CU_ASSERT_EQUAL(p.your_discr, RDISCR);
    CU_ASSERT_EQUAL(rx(&f, BFD_STATE_DOWN, BFD_FLAG_F), BFD_FEED_ADMIN_DOWN);
    b = st_of(f.s);
    CU_ASSERT_EQUAL(b.state, BFD_STATE_ADMIN_DOWN);
    CU_ASSERT_EQUAL(b.change_seq, a.change_seq);
    CU_ASSERT_EQUAL(b.poll_active, 0); /* the Final ended our Poll, as documented */
    CU_ASSERT_EQUAL(b.remote_state, BFD_STATE_DOWN);
    CU_ASSERT_EQUAL(b.rx_packets, a.rx_packets + 2);
    CU_ASSERT_EQUAL(b.rx_dropped, a.rx_dropped);
    CU_ASSERT_EQUAL(bfd_session_get_rx_drops(f.s, BFD_ERR_PKT_ADMIN_DOWN), 0);
    CU_ASSERT_EQUAL(b.finals_sent, a.finals_sent);
  }
  fx_end(&f);
}

/* Counters: every datagram fed to a standalone session is either accepted
 * (rx_packets) or dropped (rx_dropped), and the per-reason drops add up. */
static void test_counter_consistency(void) {
  rv_fx f;
  uint8_t buf[64];
  size_t n, i;
  unsigned fed = 0;
  uint64_t sum = 0;
  bfd_session_status s;
  fx_init(&f);
  fx_start(&f);
  bring_up(&f);
  fed = 3; /* bring_up: Down, Up, Final */
  n = build(&f, BFD_STATE_UP, 0, 0, buf);
  CU_ASSERT(bfd_session_feed_packet(f.s, buf, n - 1, &f.ri, f.now) < 0);
  fed++;
  buf[0] = 0x40; /* version 2 */
  CU_ASSERT(bfd_session_feed_packet(f.s, buf, n, &f.ri, f.now) < 0);
  fed++;
  f.ri.ttl = 254;
  CU_ASSERT(rx(&f, BFD_STATE_UP, 0) < 0);
  fed++;
  f.ri.ttl = 255;
  f.pyour = 5;
  CU_ASSERT(rx(&f, BFD_STATE_UP, 0) < 0);
  fed++;
  f.pyour = LDISCR;
  f.pmy = LDISCR; /* our own packet, looped back */
  f.ri.flags |= BFD_RX_SELF;
  CU_ASSERT(rx(&f, BFD_STATE_UP, 0) == BFD_ERR_PKT_LOOPED);
  fed++;
  f.ri.flags &= (uint8_t)~BFD_RX_SELF;
  f.pmy = RDISCR;
  CU_ASSERT(rx(&f, BFD_STATE_UP, 0) == 0);
  fed++;
  CU_ASSERT_EQUAL_FATAL(bfd_session_set_admin_down(f.s, 1, f.now), 0);
  CU_ASSERT(rx(&f, BFD_STATE_UP, 0) == BFD_FEED_ADMIN_DOWN); /* received, not dropped */
  fed++;
  s = st_of(f.s);
  CU_ASSERT_EQUAL(s.rx_packets + s.rx_dropped, fed);
  for (i = 0; bfd_pkt_error_at(i) != 0; i++)
    sum += bfd_session_get_rx_drops(f.s, bfd_pkt_error_at(i));
  CU_ASSERT_EQUAL(sum, s.rx_dropped);
  CU_ASSERT_EQUAL(s.rx_dropped, 5);
  CU_ASSERT_EQUAL(s.rx_packets, 5); /* bring_up's 3, the Up, the AdminDown one */
  fx_end(&f);
}

int main(void) {
  CU_TestInfo tests[] = {
      {"auth_reject_changes_nothing", test_auth_reject_changes_nothing},
      {"auth_window_keyed", test_auth_window_keyed},
      {"auth_window_meticulous", test_auth_window_meticulous},
      {"auth_seq_known_reset", test_auth_seq_known_reset},
      {"table_your_discr_zero", test_table_your_discr_zero},
      {"final_without_poll", test_final_without_poll},
      {"max_intervals", test_max_intervals},
      {"expiry_resets_remote", test_expiry_resets_remote},
      {"demand_only_when_both_up", test_demand_only_when_both_up},
      {"passive_role", test_passive_role},
      {"admin_down_tx", test_admin_down_tx},
      {"counter_consistency", test_counter_consistency},
      {"huge_now_tx_deadline", defect_huge_now_tx_deadline},
      {"huge_now_detect_wrap", defect_huge_now_detect_wrap},
      {"remote_rx_increase_delays_tx", defect_remote_rx_increase_delays_tx},
      {"demand_detect_mult_change_polls", defect_demand_detect_mult_change_polls},
      CU_TEST_INFO_NULL,
  };
  return bfd_test_run_suite("review", tests);
}
