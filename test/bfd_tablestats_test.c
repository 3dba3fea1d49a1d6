/* What a big host needs from a table without scanning it:
 * iteration, per-state counts, drops per reason counted once, the failure
 * counter that excludes the peer's AdminDown (RFC 5882 §3.2) and the state
 * event flags. */
#include <bfd/bfd.h>
#include <string.h>

#include "bfd_harness.h"

#define T0 ((uint64_t)1000000000)
#define MS ((uint64_t)1000000)

/* Peer 10.0.0.<last>, any local address. */
static bfd_session_key key4(uint8_t last) {
  return bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000000u | last, 0);
}

/* A datagram from 10.0.0.<last>, its local address unknown. */
static bfd_rx_info rx4(uint8_t last) {
  bfd_rx_info ri = bt_ri4(BFD_MODE_SINGLE_HOP, 0, 0x0a000000u | last, 0);
  ri.flags = BFD_RX_TTL | BFD_RX_PEER;
  return ri;
}

/* The scripted peer's packet: 100 ms / 100 ms x 3. */
static size_t pkt(uint8_t *buf, uint8_t state, uint8_t diag, uint32_t my, uint32_t your) {
  bt_peer p = bt_peer_make(state, my, your, 100000);
  p.diag = diag;
  return bt_peer_encode(&p, buf);
}

/* The flags of the last state event. */
static uint8_t last_flags(const bt_rec *r) {
  const bt_ev *e = bt_rec_last(r, BT_EV_STATE);
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  return e->st.flags;
}

static bfd_table_stats stats(const bfd_table *t) {
  bfd_table_stats st;
  memset(&st, 0xa5, sizeof(st));
  st.struct_version = BFD_TABLE_STATS_VERSION;
  CU_ASSERT_EQUAL(bfd_table_get_stats(t, &st), 0);
  return st;
}

static size_t reason_index(int code) {
  size_t i;
  for (i = 0; bfd_pkt_error_at(i) != 0; i++)
    if (bfd_pkt_error_at(i) == code)
      return i;
  return BFD_TABLE_DROP_REASONS;
}

static void test_iterate_and_count(void) {
  bfd_table *t;
  bfd_callbacks cb;
  bfd_session_settings st;
  bfd_session *s[40], *x;
  bfd_session_key k;
  bfd_table_stats ts;
  uint8_t seen[40];
  size_t i, n;
  (void)bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb);
  CU_ASSERT_EQUAL_FATAL(bfd_table_new(&t, &cb, NULL, NULL), 0);
  CU_ASSERT_PTR_NULL(bfd_table_next_session(t, NULL)); /* empty */
  CU_ASSERT_PTR_NULL(bfd_table_next_session(NULL, NULL));
  (void)bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &st);
  for (i = 0; i < 40; i++) { /* past the first bucket growth (64 -> more) too */
    k = key4((uint8_t)(i + 1));
    st.admin_down = (uint8_t)(i % 4 == 0);
    CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(t, &s[i], &st, &k, NULL, T0), 0);
  }
  /* Every session exactly once. */
  memset(seen, 0, sizeof(seen));
  for (n = 0, x = bfd_table_next_session(t, NULL); x; x = bfd_table_next_session(t, x), n++)
    for (i = 0; i < 40; i++)
      if (x == s[i])
        seen[i]++;
  CU_ASSERT_EQUAL(n, 40);
  for (i = 0; i < 40; i++)
    CU_ASSERT_EQUAL(seen[i], 1);
  ts = stats(t);
  CU_ASSERT_EQUAL(ts.struct_version, BFD_TABLE_STATS_VERSION);
  CU_ASSERT_EQUAL(ts.sessions, 40);
  CU_ASSERT_EQUAL(ts.by_state[BFD_STATE_ADMIN_DOWN], 10);
  CU_ASSERT_EQUAL(ts.by_state[BFD_STATE_DOWN], 30);
  CU_ASSERT_EQUAL(ts.by_state[BFD_STATE_INIT] + ts.by_state[BFD_STATE_UP], 0);
  CU_ASSERT_EQUAL(ts.responder_sessions, 0);
  /* Delete while iterating: take the successor first. */
  for (x = bfd_table_next_session(t, NULL); x;) {
    bfd_session *next = bfd_table_next_session(t, x);
    if (bfd_session_get_state(x) == BFD_STATE_ADMIN_DOWN)
      bfd_session_del(x);
    x = next;
  }
  ts = stats(t);
  CU_ASSERT_EQUAL(ts.sessions, 30);
  CU_ASSERT_EQUAL(ts.by_state[BFD_STATE_ADMIN_DOWN], 0);
  CU_ASSERT_EQUAL(ts.by_state[BFD_STATE_DOWN], 30);
  /* Errors. */
  ts.struct_version = 0;
  CU_ASSERT_EQUAL(bfd_table_get_stats(t, &ts), BFD_ERR_VERSION);
  ts.struct_version = BFD_TABLE_STATS_VERSION + 1;
  CU_ASSERT_EQUAL(bfd_table_get_stats(t, &ts), BFD_ERR_VERSION);
  CU_ASSERT_EQUAL(bfd_table_get_stats(NULL, &ts), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_table_get_stats(t, NULL), BFD_ERR_INVALID_ARGUMENT);
  bfd_table_del(t);
}

/* Up, then the peer's AdminDown (not a failure), Up again, then a timeout
 * (a failure): counts by state follow, failure_count counts one, and the
 * state events carry the flags. Drops are counted once per reason whether
 * the table or the session discarded the packet. */
static void test_failures_flags_drops(void) {
  bfd_table *t;
  bfd_callbacks cb;
  bfd_session_settings st;
  bfd_session *s, *got;
  bfd_session_key k = key4(2);
  bfd_rx_info ri = rx4(2), other = rx4(3);
  bfd_table_stats ts;
  bfd_session_status ss;
  bt_rec rec;
  uint8_t buf[BFD_CTRL_LEN_MAX];
  uint32_t ld;
  uint64_t now = T0;
  bt_rec_init(&rec);
  (void)bt_rec_callbacks(&rec, &cb, BFD_CALLBACKS_VERSION, BT_CB_STATE);
  CU_ASSERT_EQUAL_FATAL(bfd_table_new(&t, &cb, NULL, &rec), 0);
  (void)bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &st);
  st.desired_min_tx_us = st.required_min_rx_us = 100000;
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(t, &s, &st, &k, NULL, now), 0);
  ld = bfd_session_get_local_discr(s);
  CU_ASSERT_EQUAL(
      bfd_table_feed_packet(t, buf, pkt(buf, BFD_STATE_INIT, 0, 77, ld), &ri, now, &got), 0);
  CU_ASSERT_EQUAL(stats(t).by_state[BFD_STATE_UP], 1);
  CU_ASSERT_EQUAL(stats(t).by_state[BFD_STATE_DOWN], 0);
  /* The peer goes AdminDown: Down, diag 3, flag REMOTE_ADMIN_DOWN. */
  now += MS;
  CU_ASSERT_EQUAL(
      bfd_table_feed_packet(t, buf, pkt(buf, BFD_STATE_ADMIN_DOWN, 7, 77, ld), &ri, now, &got), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(last_flags(&rec), BFD_STATE_EV_REMOTE_ADMIN_DOWN);
  /* Back Up, then silence: Down by timeout, flag FAILURE. */
  now += MS;
  CU_ASSERT_EQUAL(bfd_table_feed_packet(t, buf, pkt(buf, BFD_STATE_DOWN, 0, 77, 0), &ri, now, &got),
                  0);
  CU_ASSERT_EQUAL(bfd_table_feed_packet(t, buf, pkt(buf, BFD_STATE_UP, 0, 77, ld), &ri, now, &got),
                  0);
  CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_UP);
  CU_ASSERT_EQUAL(last_flags(&rec), 0);
  now += 300 * MS; /* 3 x 100 ms */
  CU_ASSERT_EQUAL(bfd_table_feed_time(t, now), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(last_flags(&rec), BFD_STATE_EV_FAILURE);
  ss = bt_status(s);
  CU_ASSERT_EQUAL(ss.down_count, 2);
  CU_ASSERT_EQUAL(ss.failure_count, 1); /* the AdminDown one is not a failure */
  CU_ASSERT_EQUAL(ss.goodbye, 0);
  ts = stats(t);
  CU_ASSERT_EQUAL(ts.by_state[BFD_STATE_DOWN], 1);
  CU_ASSERT_EQUAL(ts.by_state[BFD_STATE_UP], 0);
  /* Drops: no session (table), TTL (session, via the table and via
   * bfd_session_feed_packet), a truncated datagram (table): each once. */
  CU_ASSERT_EQUAL(
      bfd_table_feed_packet(t, buf, pkt(buf, BFD_STATE_DOWN, 0, 78, 0), &other, now, &got),
      BFD_ERR_PKT_NO_SESSION);
  ri.ttl = 254;
  CU_ASSERT_EQUAL(bfd_table_feed_packet(t, buf, pkt(buf, BFD_STATE_DOWN, 0, 77, 0), &ri, now, &got),
                  BFD_ERR_PKT_TTL);
  CU_ASSERT_EQUAL(bfd_session_feed_packet(s, buf, pkt(buf, BFD_STATE_DOWN, 0, 77, 0), &ri, now),
                  BFD_ERR_PKT_TTL);
  CU_ASSERT_EQUAL(bfd_table_feed_packet(t, buf, 10, &ri, now, &got), BFD_ERR_PKT_TRUNCATED);
  ts = stats(t);
  CU_ASSERT_EQUAL(ts.rx_drops[reason_index(BFD_ERR_PKT_NO_SESSION)], 1);
  CU_ASSERT_EQUAL(ts.rx_drops[reason_index(BFD_ERR_PKT_TTL)], 2);
  CU_ASSERT_EQUAL(ts.rx_drops[reason_index(BFD_ERR_PKT_TRUNCATED)], 1);
  CU_ASSERT_EQUAL(ts.rx_drops[reason_index(BFD_ERR_PKT_AUTH_FAILED)], 0);
  /* Version 1 status callers still get the v1 layout only. */
  {
    struct {
      bfd_session_status v;
    } g;
    memset(&g, 0xa5, sizeof(g));
    g.v.struct_version = 1;
    CU_ASSERT_EQUAL(bfd_session_get_status(s, &g.v), 0);
    CU_ASSERT_EQUAL(((uint8_t *)&g.v.failure_count)[0], 0xa5);
  }
  bfd_table_del(t);
}

int main(void) {
  CU_TestInfo tests[] = {{"iterate_and_count", test_iterate_and_count},
                         {"failures_flags_drops", test_failures_flags_drops},
                         CU_TEST_INFO_NULL};
  return bfd_test_run_suite("tablestats", tests);
}
