/* RFC 5880 §6 conformance of the core (session, auth, table): each test
 * states the rule it checks. The first four hold rules an independent
 * reading of §6 once found broken: no clock wrap near UINT64_MAX, TX slowed
 * by a larger remote Required Min RX, a Poll for changes under Demand
 * mode. */
#include "bfd_auth.h"
#include "bfd_crypto.h"
#include "bfd_session.h"
#include "bfd_harness.h"
#include "bfd_table.h"

#include <string.h>

#define MS     BFD_MILLISECONDS
#define SEC    BFD_SECONDS
#define T0     BT_T0
#define LDISCR BT_LDISCR
#define RDISCR BT_RDISCR

/* The fixture is bt_fx (test/harness/bt_fx.h): one standalone session and
 * a scripted peer (300 ms / 300 ms x 3) that signs with peer.ring when set. */

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

static int use_sha1(bt_fx *f, uint8_t type) {
  bfd_auth_key k;
  if (!bfd_crypto_built() || bfd_crypto_available(BFD_CRYPTO_SHA1) != 0)
    return 0;
  k = bt_key(type, 7, "0123456789abcdefghij", 20);
  CU_ASSERT_EQUAL_FATAL(bfd_session_auth_add_key(f->s, &k), 0);
  f->peer.ring = bt_ring(&k, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f->peer.ring);
  return 1;
}

/* A session signing with a SHA1 key of `type` (use_sha1), or 0 with the
 * fixture gone where this build has no SHA1. */
static int sha1_fx(bt_fx *f, uint8_t type) {
  bt_fx_new(f);
  if (use_sha1(f, type))
    return 1;
  bt_fx_del(f);
  return 0;
}

/* Up with 10 ms / 10 ms at both ends. */
static void up_10ms(bt_fx *f) {
  bt_fx_init_timers(f, 10000, 10000, 10000, 10000);
  bt_fx_start(f);
  bt_fx_bring_up(f, NULL);
}

/* ------------------------------------------------------------------------ */
/* Clock wrap, a larger remote Required Min RX, Demand-mode changes         */
/* ------------------------------------------------------------------------ */

/* `now` near UINT64_MAX: "time is monotonic ns from any origin" (bfd.h).
 * After sending, the next transmission must lie after `now`; a wrapped
 * next packet time (now + the jittered interval) would make next_deadline()
 * lie in the past forever and the host send on every call. */
static void test_huge_now_tx_deadline(void) {
  bt_fx f;
  bt_fx_init(&f);
  f.now = UINT64_MAX - 500 * MS; /* less than one 1 s slow-start interval left */
  bt_fx_start(&f);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, NULL), 24);
  CU_ASSERT(bfd_session_next_deadline(f.s) > f.now);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, NULL), 0); /* nothing is due again at once */
  bt_fx_del(&f);
}

/* `now` near UINT64_MAX: an Up session that heard its peer 1 ms ago must
 * not be declared down (§6.8.4), though now + the Detection Time overflows
 * 64 bits. */
static void test_huge_now_detect_wrap(void) {
  bt_fx f;
  bt_fx_init(&f);
  f.now = UINT64_MAX - 500 * MS; /* Detection Time here is 3 x 300 ms */
  bt_fx_start(&f);
  f.peer.your = 0;
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_DOWN, 0), 0);
  f.peer.your = LDISCR;
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_INIT, 0), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_state(f.s), BFD_STATE_UP);
  CU_ASSERT(bfd_session_next_deadline(f.s) >= f.now);
  f.now += MS;
  CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, f.now), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(f.s), BFD_STATE_UP);
  bt_fx_del(&f);
}

/* §6.8.7: "MUST NOT transmit BFD Control packets at an interval less than
 * the larger of bfd.DesiredMinTxInterval and bfd.RemoteMinRxInterval, less
 * applied jitter" and "The transmit interval MUST be recalculated whenever
 * ... bfd.RemoteMinRxInterval changes". When the peer raises Required Min RX
 * from 10 ms to 1 s, the next periodic packet must wait >= 750 ms after the
 * previous one (a scheduler that only ever moves the next packet earlier
 * sends one more at the old 10 ms rate). */
static void test_remote_rx_increase_delays_tx(void) {
  bt_fx f;
  uint64_t last_periodic;
  uint8_t fl;
  up_10ms(&f);
  /* Let one periodic packet go out, remember when. */
  f.now = bfd_session_next_deadline(f.s);
  CU_ASSERT_EQUAL_FATAL(bt_fx_drain(&f, NULL, NULL), 1);
  last_periodic = f.now;
  /* 1 ms later the peer polls with Required Min RX 1 s; we answer F. */
  f.now += MS;
  f.peer.rx_us = 1000000;
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_P), 0);
  CU_ASSERT_EQUAL_FATAL(bt_fx_drain(&f, &fl, NULL), 1);
  CU_ASSERT_EQUAL(fl & (BFD_FLAG_F | BFD_FLAG_P), BFD_FLAG_F);
  CU_ASSERT_EQUAL(bt_status(f.s).tx_interval_ns, 1 * SEC);
  /* The next periodic packet (not the detection deadline, which the peer's
   * 10 ms x 3 keeps near) waits at least 750 ms after the previous one. */
  CU_ASSERT(bfd_session_tx_deadline(f.s) >= last_periodic + 750 * MS);
  CU_ASSERT(bfd_session_tx_deadline(f.s) <= last_periodic + 1000 * MS);
  bt_fx_del(&f);
}

/* §6.6: "If Demand mode is active on either or both systems, a Poll Sequence
 * MUST be initiated whenever the contents of the next BFD Control packet to
 * be sent would be different than the contents of the previous packet";
 * §6.8.12 (Detect Mult change) refers to §6.6 for exactly this. With the
 * peer in Demand mode (both Up, we send nothing periodic), changing Detect
 * Mult must produce a Poll carrying the new value, not change it silently
 * (then nothing at all would be sent). */
static void test_demand_detect_mult_change_polls(void) {
  bt_fx f;
  bfd_session_settings st;
  bfd_ctrl_pkt p;
  int i, got = 0;
  bt_fx_new(&f);
  bt_fx_bring_up(&f, NULL);
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_D), 0);
  CU_ASSERT_EQUAL_FATAL(bt_status(f.s).tx_interval_ns, 0); /* remote Demand active */
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_settings(f.s, &st), 0);
  st.detect_mult = 5;
  CU_ASSERT_EQUAL_FATAL(bfd_session_update(f.s, &st, f.now), 0);
  /* The peer keeps talking (Up, D) every 100 ms; within one 300 ms TX
   * interval a Poll with Detect Mult 5 must have gone out. */
  for (i = 0; i < 3 && !got; i++) {
    while (bt_fx_tx(&f, &p) > 0)
      got |= (p.flags & BFD_FLAG_P) && p.detect_mult == 5;
    f.now += 100 * MS;
    CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_D), 0);
  }
  CU_ASSERT_EQUAL(bfd_session_get_state(f.s), BFD_STATE_UP);
  CU_ASSERT(got);
  bt_fx_del(&f);
}

/* ------------------------------------------------------------------------ */
/* Verified behaviour                                                       */
/* ------------------------------------------------------------------------ */

/* §6.8.6 / §6.7: a packet failing authentication changes nothing: no state,
 * no remote variables, no timers, no Final owed, no RcvAuthSeq. */
static void test_auth_reject_changes_nothing(void) {
  bt_fx f;
  bfd_session_status a, b;
  uint32_t seq = 1000;
  uint64_t dl;
  uint8_t buf[64];
  size_t n;
  if (!sha1_fx(&f, BFD_AUTH_METICULOUS_KEYED_SHA1))
    return;
  bt_fx_bring_up(&f, &seq);
  f.now += 10 * MS;
  a = bt_status(f.s);
  dl = bfd_session_next_deadline(f.s);
  /* Forged: bad digest, state Down, P set, new discriminator and timers. */
  f.peer.my = 0x33333333u;
  f.peer.rx_us = 1;
  n = bt_fx_build(&f, BFD_STATE_DOWN, BFD_FLAG_P, seq + 1, buf);
  buf[n - 1] ^= 1;
  CU_ASSERT_EQUAL(bfd_session_feed_packet(f.s, buf, n, &f.ri, f.now), BFD_ERR_PKT_AUTH_FAILED);
  /* Authentic but replayed (seq already seen: meticulous needs > last). */
  CU_ASSERT_EQUAL(bt_fx_rx_seq(&f, BFD_STATE_DOWN, BFD_FLAG_P, seq - 1), BFD_ERR_PKT_AUTH_FAILED);
  /* No A bit at all. */
  {
    bfd_auth_ring *r = f.peer.ring;
    f.peer.ring = NULL;
    CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_DOWN, BFD_FLAG_P), BFD_ERR_PKT_AUTH_MISMATCH);
    f.peer.ring = r;
  }
  b = bt_status(f.s);
  CU_ASSERT(same_state(&a, &b));
  CU_ASSERT_EQUAL(b.rx_dropped, a.rx_dropped + 3);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), dl); /* no Final owed */
  CU_ASSERT_EQUAL(bfd_session_get_auth_failures(f.s, BFD_AUTH_FAIL_DIGEST), 1);
  CU_ASSERT_EQUAL(bfd_session_get_auth_failures(f.s, BFD_AUTH_FAIL_SEQ), 1);
  CU_ASSERT_EQUAL(bfd_session_get_rx_drops(f.s, BFD_ERR_PKT_AUTH_FAILED), 2);
  /* RcvAuthSeq did not move: seq (the next one) is still accepted. */
  f.peer.my = RDISCR;
  f.peer.rx_us = 300000;
  CU_ASSERT_EQUAL(bt_fx_rx_seq(&f, BFD_STATE_UP, 0, seq), 0);
  bt_fx_del(&f);
}

/* §6.7.4 windows in 32-bit circular space, across the wrap:
 * keyed [R, R+3M], meticulous [R+1, R+3M]; M = 3 on both sides. */
static void auth_window(uint8_t type) {
  bt_fx f;
  uint32_t seq = 0xfffffff6u; /* bring-up uses 2 or 3 numbers */
  int met = type == BFD_AUTH_METICULOUS_KEYED_SHA1;
  if (!sha1_fx(&f, type))
    return;
  bt_fx_bring_up(&f, &seq);
  seq = 0xfffffffcu; /* R := 0xfffffffc */
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx_seq(&f, BFD_STATE_UP, 0, seq), 0);
  /* Equal: keyed only. */
  CU_ASSERT_EQUAL(bt_fx_rx_seq(&f, BFD_STATE_UP, 0, seq), met ? BFD_ERR_PKT_AUTH_FAILED : 0);
  /* R - 1: never. */
  CU_ASSERT_EQUAL(bt_fx_rx_seq(&f, BFD_STATE_UP, 0, seq - 1), BFD_ERR_PKT_AUTH_FAILED);
  /* R + 10 (wraps to 6): outside 3 x 3. */
  CU_ASSERT_EQUAL(bt_fx_rx_seq(&f, BFD_STATE_UP, 0, seq + 10), BFD_ERR_PKT_AUTH_FAILED);
  /* R + 9 wraps to 5: inside. Then R := 5. */
  CU_ASSERT_EQUAL(bt_fx_rx_seq(&f, BFD_STATE_UP, 0, seq + 9), 0);
  CU_ASSERT_EQUAL(bt_fx_rx_seq(&f, BFD_STATE_UP, 0, 4), BFD_ERR_PKT_AUTH_FAILED);
  CU_ASSERT_EQUAL(bt_fx_rx_seq(&f, BFD_STATE_UP, 0, 6), 0);
  CU_ASSERT_EQUAL(bfd_session_get_auth_failures(f.s, BFD_AUTH_FAIL_SEQ), met ? 4u : 3u);
  CU_ASSERT_EQUAL(bfd_session_get_auth_failures(f.s, BFD_AUTH_FAIL_DIGEST), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(f.s), BFD_STATE_UP);
  bt_fx_del(&f);
}
static void test_auth_window_keyed(void) { auth_window(BFD_AUTH_KEYED_SHA1); }
static void test_auth_window_meticulous(void) { auth_window(BFD_AUTH_METICULOUS_KEYED_SHA1); }

/* §6.8.1: bfd.AuthSeqKnown MUST be zeroed after no packets for at least
 * twice the Detection Time (here 3 x 300 ms = 900 ms), not before. */
static void test_auth_seq_known_reset(void) {
  bt_fx f;
  uint32_t seq = 500;
  uint64_t t;
  if (!sha1_fx(&f, BFD_AUTH_METICULOUS_KEYED_SHA1))
    return;
  bt_fx_bring_up(&f, &seq);
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx_seq(&f, BFD_STATE_UP, 0, seq), 0);
  t = f.now;
  f.now = t + 1800 * MS - 1;
  CU_ASSERT_EQUAL(bt_fx_rx_seq(&f, BFD_STATE_DOWN, 0, seq + 1000), BFD_ERR_PKT_AUTH_FAILED);
  f.now = t + 1800 * MS;
  CU_ASSERT_EQUAL(bt_fx_rx_seq(&f, BFD_STATE_DOWN, 0, seq + 1000), 0);
  /* Known again from here: the old number is now a replay. */
  CU_ASSERT_EQUAL(bt_fx_rx_seq(&f, BFD_STATE_DOWN, 0, seq + 1), BFD_ERR_PKT_AUTH_FAILED);
  bt_fx_del(&f);
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
    CU_ASSERT_EQUAL(bt_status(s).remote_discr, 0);
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
  CU_ASSERT_EQUAL(bt_status(s).remote_discr, RDISCR);
  bfd_table_del(t);
}

/* §6.5: a Final answers only a Poll that went out. An unsolicited Final,
 * or one arriving before our first P of a new sequence, terminates nothing
 * and (while Up) a larger TX interval stays deferred (§6.8.3). */
static void test_final_without_poll(void) {
  bt_fx f;
  bfd_session_settings st;
  bfd_ctrl_pkt p;
  bt_fx_new(&f);
  bt_fx_bring_up(&f, NULL);
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_F), 0);
  CU_ASSERT_EQUAL(bt_status(f.s).poll_active, 0);
  CU_ASSERT_EQUAL(bt_status(f.s).tx_interval_ns, 300 * MS);
  /* Raise TX to 2 s: Poll starts, 300 ms stays in force. */
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_settings(f.s, &st), 0);
  st.desired_min_tx_us = 2000000;
  CU_ASSERT_EQUAL_FATAL(bfd_session_update(f.s, &st, f.now), 0);
  CU_ASSERT_EQUAL(bt_status(f.s).poll_active, 1);
  /* A Final before any P went out (a late answer to an older Poll). */
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_F), 0);
  CU_ASSERT_EQUAL(bt_status(f.s).poll_active, 1);
  CU_ASSERT_EQUAL(bt_status(f.s).tx_interval_ns, 300 * MS);
  f.now = bfd_session_next_deadline(f.s);
  CU_ASSERT_EQUAL_FATAL(bt_fx_tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.flags & (BFD_FLAG_P | BFD_FLAG_F), BFD_FLAG_P);
  CU_ASSERT_EQUAL(p.desired_min_tx_us, 2000000);
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_F), 0);
  CU_ASSERT_EQUAL(bt_status(f.s).poll_active, 0);
  CU_ASSERT_EQUAL(bt_status(f.s).tx_interval_ns, 2 * SEC);
  bt_fx_del(&f);
}

/* Largest intervals and multiplier: exact arithmetic, no overflow. */
static void test_max_intervals(void) {
  bt_fx f;
  const uint64_t iv = (uint64_t)UINT32_MAX * 1000u;
  uint64_t d;
  bt_fx_init(&f);
  f.st.desired_min_tx_us = f.st.required_min_rx_us = UINT32_MAX;
  f.st.detect_mult = 255;
  f.peer.tx_us = f.peer.rx_us = UINT32_MAX;
  f.peer.mult = 255;
  bt_fx_start(&f);
  bt_fx_bring_up(&f, NULL);
  CU_ASSERT_EQUAL(bt_status(f.s).detect_time_ns, 255u * iv);
  CU_ASSERT_EQUAL(bt_status(f.s).tx_interval_ns, iv);
  f.now += 1;
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_UP, 0), 0);
  d = bfd_session_next_deadline(f.s);
  CU_ASSERT(d >= bt_status(f.s).last_tx + iv - iv / 4 && d <= bt_status(f.s).last_tx + iv);
  /* Detection: still Up one ns before 255 x iv, Down at it (diag 1). */
  f.now += 255u * iv - 1;
  CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, f.now), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(f.s), BFD_STATE_UP);
  f.now += 1;
  CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, f.now), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(f.s), BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(bt_status(f.s).local_diag, BFD_DIAG_DETECT_EXPIRED);
  bt_fx_del(&f);
}

/* §6.8.1/§6.8.18: after a Detection Time without packets, RemoteDiscr is 0
 * and RemoteMinRxInterval back to 1, so a peer that asked for silence
 * (Required Min RX 0) no longer silences us. */
static void test_expiry_resets_remote(void) {
  bt_fx f;
  bfd_session_status s;
  bfd_ctrl_pkt p;
  bt_fx_new(&f);
  bt_fx_bring_up(&f, NULL);
  f.peer.rx_us = 0; /* the peer wants no periodic packets */
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_D), 0);
  CU_ASSERT_EQUAL(bt_status(f.s).tx_interval_ns, 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), f.now + 900 * MS);
  f.now += 900 * MS;
  CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, f.now), 0);
  s = bt_status(f.s);
  CU_ASSERT_EQUAL(s.state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(s.local_diag, BFD_DIAG_DETECT_EXPIRED);
  CU_ASSERT_EQUAL(s.remote_discr, 0);
  CU_ASSERT_EQUAL(s.remote_required_min_rx_us, 1);
  CU_ASSERT_EQUAL(s.remote_demand, 0);
  CU_ASSERT_EQUAL(s.tx_interval_ns, 1 * SEC);
  CU_ASSERT_EQUAL_FATAL(bt_fx_tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(p.diag, BFD_DIAG_DETECT_EXPIRED);
  CU_ASSERT_EQUAL(p.your_discr, 0);
  CU_ASSERT_EQUAL(p.desired_min_tx_us, 1000000);
  bt_fx_del(&f);
}

/* §6.8.6 / §6.8.7: the peer's D bit stops periodic TX only while both are
 * Up; in Down/Init it is ignored (else bring-up deadlocks). */
static void test_demand_only_when_both_up(void) {
  bt_fx f;
  bt_fx_init(&f);
  bt_fx_start(&f);
  bt_fx_drain(&f, NULL, NULL);
  f.peer.your = 0;
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_DOWN, BFD_FLAG_D), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(f.s), BFD_STATE_INIT);
  CU_ASSERT_EQUAL(bt_status(f.s).tx_interval_ns, 1 * SEC);
  CU_ASSERT_EQUAL(bt_fx_drain(&f, NULL, NULL), 1); /* the Init announcement */
  f.peer.your = LDISCR;
  /* Remote says Init + D: we go Up, remote not Up: keep sending. */
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_INIT, BFD_FLAG_D), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(f.s), BFD_STATE_UP);
  CU_ASSERT(bt_status(f.s).tx_interval_ns != 0);
  bt_fx_drain(&f, NULL, NULL);
  /* Remote Up + D, our slow-start Poll answered: silence. */
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_D | BFD_FLAG_F), 0);
  CU_ASSERT_EQUAL(bt_status(f.s).tx_interval_ns, 0);
  CU_ASSERT_EQUAL(bt_fx_drain(&f, NULL, NULL), 0);
  /* A Poll is still answered (§6.8.7: regardless of Demand mode). */
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_D | BFD_FLAG_P), 0);
  {
    uint8_t fl;
    CU_ASSERT_EQUAL(bt_fx_drain(&f, &fl, NULL), 1);
    CU_ASSERT_EQUAL(fl & (BFD_FLAG_P | BFD_FLAG_F), BFD_FLAG_F);
  }
  /* D cleared: periodic TX resumes at once. */
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_UP, 0), 0);
  CU_ASSERT_EQUAL(bt_status(f.s).tx_interval_ns, 300 * MS);
  CU_ASSERT_EQUAL(bt_fx_drain(&f, NULL, NULL), 1);
  bt_fx_del(&f);
}

/* §6.8.7 passive: silent while RemoteDiscr is 0, again after it expires. */
static void test_passive_role(void) {
  bt_fx f;
  bt_fx_init(&f);
  f.st.passive = 1;
  bt_fx_start(&f);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), BFD_TSTAMP_NONE);
  CU_ASSERT_EQUAL(bt_fx_drain(&f, NULL, NULL), 0);
  f.peer.your = 0;
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_DOWN, 0), 0);
  CU_ASSERT_EQUAL(bt_fx_drain(&f, NULL, NULL), 1);
  f.now += 3 * SEC; /* 3 x 1 s */
  CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, f.now), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(f.s), BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(bt_status(f.s).remote_discr, 0);
  CU_ASSERT_EQUAL(bt_fx_drain(&f, NULL, NULL), 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), BFD_TSTAMP_NONE);
  bt_fx_del(&f);
}

/* §6.8.16: AdminDown goes out at once with diag 7 and then periodically at
 * the >= 1 s rate; received packets never move the state (§6.8.6). They
 * are not drops either: §6.8.6 takes the remote variables (and the F that
 * ends our Poll) before the AdminDown discard, so the feed reports
 * BFD_FEED_ADMIN_DOWN and counts the packet as received (bfd.h). */
static void test_admin_down_tx(void) {
  bt_fx f;
  bfd_ctrl_pkt p;
  uint64_t t;
  up_10ms(&f);
  CU_ASSERT_EQUAL_FATAL(bfd_session_set_admin_down(f.s, 1, f.now), 0);
  CU_ASSERT_EQUAL_FATAL(bt_fx_tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.state, BFD_STATE_ADMIN_DOWN);
  CU_ASSERT_EQUAL(p.diag, BFD_DIAG_ADMIN_DOWN);
  CU_ASSERT_EQUAL(p.your_discr, RDISCR);
  CU_ASSERT_EQUAL(p.desired_min_tx_us, 1000000);
  t = f.now;
  /* Nothing before 750 ms (the peer's Detection Time of 30 ms passes on
   * the way: remote state forgotten, §6.8.1), one packet by 1 s. */
  f.now = t + 750 * MS - 1;
  CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 0);
  CU_ASSERT_EQUAL(bt_status(f.s).remote_discr, 0);
  f.now = t + SEC;
  CU_ASSERT_EQUAL_FATAL(bt_fx_tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.state, BFD_STATE_ADMIN_DOWN);
  CU_ASSERT_EQUAL(p.your_discr, 0);
  {
    bfd_session_status a = bt_status(f.s), b;
    /* The Poll for the 1 s AdminDown rate ended without a Final when the
     * remote was forgotten; it starts again with contact (nobody could
     * answer it meanwhile, §6.8.3). */
    CU_ASSERT_EQUAL(a.poll_active, 0);
    f.peer.tx_us = f.peer.rx_us = 1000000; /* the peer now at 1 s: Detection Time 3 s */
    CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_INIT, 0), BFD_FEED_ADMIN_DOWN);
    CU_ASSERT_EQUAL(bt_status(f.s).remote_discr, RDISCR); /* learned again */
    CU_ASSERT_EQUAL(bt_status(f.s).poll_active, 1);       /* no F: still polling */
    /* A P sent since contact (the earlier ones went to nobody), then its F. */
    f.now = bfd_session_next_deadline(f.s);
    CU_ASSERT_EQUAL_FATAL(bt_fx_tx(&f, &p), 24);
    CU_ASSERT_EQUAL(p.flags & BFD_FLAG_P, BFD_FLAG_P);
    CU_ASSERT_EQUAL(p.your_discr, RDISCR);
    /* The first Final may answer the P sent before the remote was
     * forgotten (still owed, §6.5: a Final does not name its P): skipped;
     * the next ends our Poll, as documented. */
    CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_DOWN, BFD_FLAG_F), BFD_FEED_ADMIN_DOWN);
    CU_ASSERT_EQUAL(bt_status(f.s).poll_active, 1);
    CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_DOWN, BFD_FLAG_F), BFD_FEED_ADMIN_DOWN);
    b = bt_status(f.s);
    CU_ASSERT_EQUAL(b.state, BFD_STATE_ADMIN_DOWN);
    CU_ASSERT_EQUAL(b.change_seq, a.change_seq);
    CU_ASSERT_EQUAL(b.poll_active, 0);
    CU_ASSERT_EQUAL(b.remote_state, BFD_STATE_DOWN);
    CU_ASSERT_EQUAL(b.rx_packets, a.rx_packets + 3);
    CU_ASSERT_EQUAL(b.rx_dropped, a.rx_dropped);
    CU_ASSERT_EQUAL(bfd_session_get_rx_drops(f.s, BFD_ERR_PKT_ADMIN_DOWN), 0);
    CU_ASSERT_EQUAL(b.finals_sent, a.finals_sent);
  }
  bt_fx_del(&f);
}

/* Counters: every datagram fed to a standalone session is either accepted
 * (rx_packets) or dropped (rx_dropped), and the per-reason drops add up. */
static void test_counter_consistency(void) {
  bt_fx f;
  uint8_t buf[64];
  size_t n, i;
  unsigned fed = 0;
  uint64_t sum = 0;
  bfd_session_status s;
  bt_fx_new(&f);
  bt_fx_bring_up(&f, NULL);
  fed = 3; /* bring_up: Down, Up, Final */
  n = bt_fx_build(&f, BFD_STATE_UP, 0, 0, buf);
  CU_ASSERT(bfd_session_feed_packet(f.s, buf, n - 1, &f.ri, f.now) < 0);
  fed++;
  buf[0] = 0x40; /* version 2 */
  CU_ASSERT(bfd_session_feed_packet(f.s, buf, n, &f.ri, f.now) < 0);
  fed++;
  f.ri.ttl = 254;
  CU_ASSERT(bt_fx_rx(&f, BFD_STATE_UP, 0) < 0);
  fed++;
  f.ri.ttl = 255;
  f.peer.your = 5;
  CU_ASSERT(bt_fx_rx(&f, BFD_STATE_UP, 0) < 0);
  fed++;
  f.peer.your = LDISCR;
  f.peer.my = LDISCR; /* our own packet, looped back */
  f.ri.flags |= BFD_RX_SELF;
  CU_ASSERT(bt_fx_rx(&f, BFD_STATE_UP, 0) == BFD_ERR_PKT_LOOPED);
  fed++;
  f.ri.flags &= (uint8_t)~BFD_RX_SELF;
  f.peer.my = RDISCR;
  CU_ASSERT(bt_fx_rx(&f, BFD_STATE_UP, 0) == 0);
  fed++;
  CU_ASSERT_EQUAL_FATAL(bfd_session_set_admin_down(f.s, 1, f.now), 0);
  CU_ASSERT(bt_fx_rx(&f, BFD_STATE_UP, 0) == BFD_FEED_ADMIN_DOWN); /* received, not dropped */
  fed++;
  s = bt_status(f.s);
  CU_ASSERT_EQUAL(s.rx_packets + s.rx_dropped, fed);
  for (i = 0; bfd_pkt_error_at(i) != 0; i++)
    sum += bfd_session_get_rx_drops(f.s, bfd_pkt_error_at(i));
  CU_ASSERT_EQUAL(sum, s.rx_dropped);
  CU_ASSERT_EQUAL(s.rx_dropped, 5);
  CU_ASSERT_EQUAL(s.rx_packets, 5); /* bring_up's 3, the Up, the AdminDown one */
  bt_fx_del(&f);
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
      {"huge_now_tx_deadline", test_huge_now_tx_deadline},
      {"huge_now_detect_wrap", test_huge_now_detect_wrap},
      {"remote_rx_increase_delays_tx", test_remote_rx_increase_delays_tx},
      {"demand_detect_mult_change_polls", test_demand_detect_mult_change_polls},
      CU_TEST_INFO_NULL,
  };
  return bfd_test_run_suite("conformance", tests);
}
