/* Events a host gets instead of polling the status (bfd_callbacks v2):
 * params (negotiated values changed) and auth_failure (rate limited). Two
 * standalone sessions joined back to back on a virtual clock (bfd_sim). */
#include <stdio.h>
#include <string.h>

#include <bfd/bfd.h>

#include "bfd_harness.h"

#define MS  ((uint64_t)1000000)
#define SEC ((uint64_t)1000000000)

/* Two sessions back to back: bfd_sim with a link of no delay, each peer's
 * events in its own recorder. */
typedef struct pair {
  bfd_sim sim;
  bfd_session *s[2];
  bt_rec log[2];
} pair;

/* Every packet either session sends decodes, fills the datagram, carries
 * its sender's discriminator and never P and F together (RFC 5880 §6.5). */
static void pair_tx(bfd_sim *sim, int peer, const uint8_t *buf, size_t len, const bfd_ctrl_pkt *pkt,
                    void *ctx) {
  (void)ctx;
  CU_ASSERT_FATAL(len >= BFD_CTRL_LEN && pkt != NULL);
  CU_ASSERT_EQUAL(buf[3], len);
  CU_ASSERT_EQUAL(pkt->my_discr, bfd_session_get_local_discr(sim->peer[peer].s));
  CU_ASSERT((buf[1] & (BFD_FLAG_P | BFD_FLAG_F)) != (BFD_FLAG_P | BFD_FLAG_F));
}

static void pair_new(pair *p, const bfd_session_settings *a, const bfd_session_settings *b) {
  int i;
  bfd_sim_init(&p->sim, 1);
  p->sim.on_tx = pair_tx;
  p->sim.now = SEC;
  for (i = 0; i < 2; i++) {
    bt_rec_init(&p->log[i]);
    p->sim.peer[i].rec = &p->log[i];
    CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&p->sim, i, i ? b : a), 0);
    p->s[i] = p->sim.peer[i].s;
    CU_ASSERT_PTR_NOT_NULL_FATAL(p->s[i]);
  }
}

/* Runs both sessions until `until`, every packet delivered at once. */
static void pair_run(pair *p, uint64_t until) { CU_ASSERT_EQUAL(bfd_sim_run(&p->sim, until), 0); }

static void pair_del(pair *p) { bfd_sim_fini(&p->sim); }

/* The last params event. */
static const bfd_params_event *last_params(const bt_rec *l) {
  const bt_ev *e = bt_rec_last(l, BT_EV_PARAMS);
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  return &e->pe;
}

/* The last params event equals the status, and consecutive events differ
 * (one per change, never a repeat). */
static void check_log(const bt_rec *l, const bfd_session *s) {
  bfd_session_status st = bt_status(s);
  const bfd_params_event *last;
  unsigned i, np = bt_rec_count(l, 0, BT_EV_PARAMS);
  CU_ASSERT_FATAL(np > 0 && np == l->nk[BT_EV_PARAMS]);
  last = last_params(l);
  CU_ASSERT_EQUAL(last->tx_interval_ns, st.tx_interval_ns);
  CU_ASSERT_EQUAL(last->detect_time_ns, st.detect_time_ns);
  CU_ASSERT_EQUAL(last->remote_desired_min_tx_us, st.remote_desired_min_tx_us);
  CU_ASSERT_EQUAL(last->remote_required_min_rx_us, st.remote_required_min_rx_us);
  CU_ASSERT_EQUAL(last->remote_detect_mult, st.remote_detect_mult);
  for (i = 1; i < np; i++)
    CU_ASSERT(memcmp(&bt_rec_nth(l, BT_EV_PARAMS, i)->pe.tx_interval_ns,
                     &bt_rec_nth(l, BT_EV_PARAMS, i - 1)->pe.tx_interval_ns,
                     sizeof(bfd_params_event) - sizeof(uint64_t)) != 0);
}

static void test_params_bring_up_and_change(void) {
  bfd_session_settings a, b;
  pair p;
  size_t n;
  (void)bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &a);
  a.desired_min_tx_us = a.required_min_rx_us = 100000;
  b = a;
  pair_new(&p, &a, &b);
  pair_run(&p, p.sim.now + 5 * SEC);
  CU_ASSERT_EQUAL(bfd_session_get_state(p.s[0]), BFD_STATE_UP);
  check_log(&p.log[0], p.s[0]);
  check_log(&p.log[1], p.s[1]);
  CU_ASSERT_EQUAL(last_params(&p.log[0])->tx_interval_ns, 100 * MS);
  CU_ASSERT_EQUAL(last_params(&p.log[0])->detect_time_ns, 300 * MS);
  /* Steady state: nothing changes, nothing is reported. */
  n = p.log[0].nk[BT_EV_PARAMS];
  pair_run(&p, p.sim.now + 10 * SEC);
  CU_ASSERT_EQUAL(p.log[0].nk[BT_EV_PARAMS], n);
  /* B slows down (a TX increase: in force at its Final, §6.8.3): A learns
   * the new remote Desired Min TX and Detection Time, B its interval. */
  b.desired_min_tx_us = 500000;
  CU_ASSERT_EQUAL(bfd_session_update(p.s[1], &b, p.sim.now), 0);
  pair_run(&p, p.sim.now + 5 * SEC);
  check_log(&p.log[0], p.s[0]);
  check_log(&p.log[1], p.s[1]);
  CU_ASSERT_EQUAL(last_params(&p.log[0])->remote_desired_min_tx_us, 500000);
  CU_ASSERT_EQUAL(last_params(&p.log[0])->detect_time_ns, 1500 * MS);
  CU_ASSERT_EQUAL(last_params(&p.log[1])->tx_interval_ns, 500 * MS);
  CU_ASSERT_EQUAL(last_params(&p.log[1])->desired_min_tx_us, 500000);
  pair_del(&p);
}

static void test_params_callback_failure(void) {
  bfd_session_settings a;
  pair p;
  bfd_rx_info ri = bt_ri_single_hop();
  uint8_t buf[BFD_CTRL_LEN_MAX];
  ptrdiff_t n;
  (void)bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &a);
  pair_new(&p, &a, &a);
  p.log[1].params_rv = p.log[1].auth_rv = 1;
  n = bfd_session_poll_packet(p.s[0], buf, sizeof(buf), p.sim.now);
  CU_ASSERT_FATAL(n > 0);
  /* B learns A's values: a params event, which fails. */
  CU_ASSERT_EQUAL(bfd_session_feed_packet(p.s[1], buf, (size_t)n, &ri, p.sim.now),
                  BFD_ERR_CALLBACK_FAILURE);
  CU_ASSERT_EQUAL(p.log[1].nk[BT_EV_PARAMS], 1);
  pair_del(&p);
}

/* The one auth_failure event in log r so far, with these fields. */
static const bt_ev *one_auth_ev(const bt_rec *r, int reason, int key_id, int auth_type) {
  const bt_ev *e;
  CU_ASSERT_EQUAL(r->nk[BT_EV_AUTH], 1);
  e = bt_rec_nth(r, BT_EV_AUTH, 0);
  CU_ASSERT_EQUAL(e->af.reason, reason);
  CU_ASSERT_EQUAL(e->af.key_id, key_id);
  CU_ASSERT_EQUAL(e->af.auth_type, auth_type);
  return e;
}

static bfd_auth_key sha1(uint8_t id, uint8_t fill) {
  uint8_t secret[20];
  memset(secret, fill, sizeof(secret));
  return bt_key(BFD_AUTH_KEYED_SHA1, id, secret, sizeof(secret));
}

static void test_auth_failure_rate_limited(void) {
  bfd_session_settings a;
  bfd_auth_key ka = sha1(1, 0xaa), kb = sha1(1, 0xbb);
  pair p;
  bfd_rx_info ri = bt_ri_single_hop();
  uint8_t buf[BFD_CTRL_LEN_MAX];
  ptrdiff_t n;
  const bt_ev *e;
  int i;
  (void)bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &a);
  pair_new(&p, &a, &a);
  if (bfd_auth_key_check(&ka) == BFD_ERR_NOT_BUILT) { /* a build without libcrypto */
    pair_del(&p);
    return;
  }
  CU_ASSERT_EQUAL_FATAL(bfd_session_auth_add_key(p.s[0], &ka), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_session_auth_add_key(p.s[1], &kb), 0);
  n = bfd_session_poll_packet(p.s[1], buf, sizeof(buf), p.sim.now);
  CU_ASSERT_FATAL(n > 0);
  /* A flood of 100 forgeries in one instant: one event. */
  for (i = 0; i < 100; i++)
    CU_ASSERT_EQUAL(bfd_session_feed_packet(p.s[0], buf, (size_t)n, &ri, p.sim.now),
                    BFD_ERR_PKT_AUTH_FAILED);
  e = one_auth_ev(&p.log[0], BFD_AUTH_FAIL_DIGEST, 1, BFD_AUTH_KEYED_SHA1);
  CU_ASSERT_EQUAL(e->af.suppressed, 0);
  CU_ASSERT_EQUAL(e->af.ts, p.sim.now);
  /* 999 ms later: still quiet; at 1 s: one event with the 99+1 suppressed
   * ones counted, every failure in the counter. */
  CU_ASSERT_EQUAL(bfd_session_feed_packet(p.s[0], buf, (size_t)n, &ri, p.sim.now + 999 * MS),
                  BFD_ERR_PKT_AUTH_FAILED);
  CU_ASSERT_EQUAL(p.log[0].nk[BT_EV_AUTH], 1);
  CU_ASSERT_EQUAL(bfd_session_feed_packet(p.s[0], buf, (size_t)n, &ri, p.sim.now + SEC),
                  BFD_ERR_PKT_AUTH_FAILED);
  CU_ASSERT_EQUAL(p.log[0].nk[BT_EV_AUTH], 2);
  CU_ASSERT_EQUAL(bt_rec_nth(&p.log[0], BT_EV_AUTH, 1)->af.suppressed, 100);
  CU_ASSERT_EQUAL(bfd_session_get_auth_failures(p.s[0], BFD_AUTH_FAIL_DIGEST), 102);
  pair_del(&p);
}

/* The A bit against our configuration (§6.8.6) is an authentication
 * failure too, reason BFD_AUTH_FAIL_MISMATCH, rate limited like the others
 * and counted with or without a key ring: a host learns that its peer
 * signs (or does not) without polling the drop counters. */
static void test_auth_failure_mismatch(void) {
  bfd_session_settings a;
  bfd_auth_key ka = sha1(1, 0xaa);
  pair p;
  bfd_rx_info ri = bt_ri_single_hop();
  uint8_t signed_buf[BFD_CTRL_LEN_MAX], plain[BFD_CTRL_LEN_MAX];
  ptrdiff_t ns, np;
  (void)bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &a);
  pair_new(&p, &a, &a);
  np = bfd_session_poll_packet(p.s[0], plain, sizeof(plain), p.sim.now);
  CU_ASSERT_FATAL(np == BFD_CTRL_LEN);
  if (bfd_auth_key_check(&ka) == BFD_ERR_NOT_BUILT) { /* a build without libcrypto */
    pair_del(&p);
    return;
  }
  CU_ASSERT_EQUAL_FATAL(bfd_session_auth_add_key(p.s[1], &ka), 0);
  ns = bfd_session_poll_packet(p.s[1], signed_buf, sizeof(signed_buf), p.sim.now);
  CU_ASSERT_FATAL(ns > BFD_CTRL_LEN);
  /* Signed packets to a session without authentication. */
  CU_ASSERT_EQUAL(bfd_session_feed_packet(p.s[0], signed_buf, (size_t)ns, &ri, p.sim.now),
                  BFD_ERR_PKT_AUTH_MISMATCH);
  CU_ASSERT_EQUAL(bfd_session_feed_packet(p.s[0], signed_buf, (size_t)ns, &ri, p.sim.now),
                  BFD_ERR_PKT_AUTH_MISMATCH);
  (void)one_auth_ev(&p.log[0], BFD_AUTH_FAIL_MISMATCH, 1, BFD_AUTH_KEYED_SHA1);
  CU_ASSERT_EQUAL(bfd_session_get_auth_failures(p.s[0], BFD_AUTH_FAIL_MISMATCH), 2);
  CU_ASSERT_EQUAL(bfd_session_get_rx_drops(p.s[0], BFD_ERR_PKT_AUTH_MISMATCH), 2);
  CU_ASSERT_EQUAL(bt_status(p.s[0]).auth_failures, 0); /* AUTH_FAILED drops only */
  CU_ASSERT_EQUAL(bfd_session_get_auth_failures(p.s[0], BFD_AUTH_FAIL_DIGEST), 0);
  /* An unsigned packet to a session that signs: the same reason, no key. */
  CU_ASSERT_EQUAL(bfd_session_feed_packet(p.s[1], plain, (size_t)np, &ri, p.sim.now),
                  BFD_ERR_PKT_AUTH_MISMATCH);
  (void)one_auth_ev(&p.log[1], BFD_AUTH_FAIL_MISMATCH, 0, 0);
  CU_ASSERT_EQUAL(bfd_session_get_auth_failures(p.s[1], BFD_AUTH_FAIL_MISMATCH), 1);
  CU_ASSERT_EQUAL(bt_status(p.s[1]).auth_failures, 0);
  CU_ASSERT_EQUAL(bfd_session_get_auth_failures(p.s[1], BFD_AUTH_FAIL_COUNT), 0);
  CU_ASSERT_EQUAL(bfd_session_get_auth_failures(NULL, BFD_AUTH_FAIL_MISMATCH), 0);
  pair_del(&p);
}

int main(void) {
  CU_TestInfo tests[] = {{"params_bring_up_and_change", test_params_bring_up_and_change},
                         {"params_callback_failure", test_params_callback_failure},
                         {"auth_failure_rate_limited", test_auth_failure_rate_limited},
                         {"auth_failure_mismatch", test_auth_failure_mismatch},
                         CU_TEST_INFO_NULL};
  return bfd_test_run_suite("events", tests);
}
