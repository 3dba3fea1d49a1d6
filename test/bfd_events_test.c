/* Events a host gets instead of polling the status (bfd_callbacks v2):
 * params (negotiated values changed) and auth_failure (rate limited). Two
 * standalone sessions joined back to back on a virtual clock. */
#include <stdio.h>
#include <string.h>

#include <bfd/bfd.h>

#include "bfd_test_util.h"

#define MS ((uint64_t)1000000)
#define SEC ((uint64_t)1000000000)

typedef struct ev_log {
  bfd_params_event p[64];
  size_t np;
  bfd_auth_failure_event a[64];
  size_t na;
  int fail;
} ev_log;

static int on_params(bfd_session *s, const bfd_params_event *ev, void *ud) {
  ev_log *l = ud;
  (void)s;
  if (l->np < 64)
    l->p[l->np] = *ev;
  l->np++;
  return l->fail;
}

static int on_auth(bfd_session *s, const bfd_auth_failure_event *ev, void *ud) {
  ev_log *l = ud;
  (void)s;
  if (l->na < 64)
    l->a[l->na] = *ev;
  l->na++;
  return l->fail;
}

static bfd_rx_info rxi(void) {
  bfd_rx_info ri;
  memset(&ri, 0, sizeof(ri));
  ri.mode = BFD_MODE_SINGLE_HOP;
  ri.family = BFD_AF_INET;
  ri.ttl = 255;
  ri.flags = BFD_RX_TTL;
  return ri;
}

typedef struct pair {
  bfd_session *s[2];
  ev_log log[2];
  uint64_t now;
} pair;

static void pair_new(pair *p, const bfd_session_settings *a, const bfd_session_settings *b) {
  bfd_callbacks cb;
  int i;
  memset(p, 0, sizeof(*p));
  p->now = SEC;
  CU_ASSERT_EQUAL_FATAL(bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb), 0);
  cb.params = on_params;
  cb.auth_failure = on_auth;
  for (i = 0; i < 2; i++)
    CU_ASSERT_EQUAL_FATAL(bfd_session_new(&p->s[i], i ? b : a, &cb, NULL, &p->log[i], p->now), 0);
}

/* Runs both sessions until `until`, every packet delivered at once. */
static void pair_run(pair *p, uint64_t until) {
  bfd_rx_info ri = rxi();
  uint8_t buf[BFD_CTRL_LEN_MAX];
  for (;;) {
    uint64_t d0 = bfd_session_next_deadline(p->s[0]), d1 = bfd_session_next_deadline(p->s[1]);
    uint64_t d = d0 < d1 ? d0 : d1;
    int i, busy = 1;
    if (d > until)
      break;
    if (d > p->now)
      p->now = d;
    while (busy) {
      busy = 0;
      for (i = 0; i < 2; i++) {
        ptrdiff_t n = bfd_session_poll_packet(p->s[i], buf, sizeof(buf), p->now);
        CU_ASSERT_FATAL(n >= 0);
        if (n > 0) {
          (void)bfd_session_feed_packet(p->s[1 - i], buf, (size_t)n, &ri, p->now);
          busy = 1;
        }
      }
    }
  }
  p->now = until;
}

static void pair_del(pair *p) {
  bfd_session_del(p->s[0]);
  bfd_session_del(p->s[1]);
}

static bfd_session_status st_of(const bfd_session *s) {
  bfd_session_status st;
  st.struct_version = BFD_SESSION_STATUS_VERSION;
  (void)bfd_session_get_status(s, &st);
  return st;
}

/* The last params event equals the status, and consecutive events differ
 * (one per change, never a repeat). */
static void check_log(const ev_log *l, const bfd_session *s) {
  bfd_session_status st = st_of(s);
  size_t i;
  CU_ASSERT_FATAL(l->np > 0 && l->np <= 64);
  CU_ASSERT_EQUAL(l->p[l->np - 1].tx_interval_ns, st.tx_interval_ns);
  CU_ASSERT_EQUAL(l->p[l->np - 1].detect_time_ns, st.detect_time_ns);
  CU_ASSERT_EQUAL(l->p[l->np - 1].remote_desired_min_tx_us, st.remote_desired_min_tx_us);
  CU_ASSERT_EQUAL(l->p[l->np - 1].remote_required_min_rx_us, st.remote_required_min_rx_us);
  CU_ASSERT_EQUAL(l->p[l->np - 1].remote_detect_mult, st.remote_detect_mult);
  for (i = 1; i < l->np; i++)
    CU_ASSERT(memcmp(&l->p[i].tx_interval_ns, &l->p[i - 1].tx_interval_ns,
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
  pair_run(&p, p.now + 5 * SEC);
  CU_ASSERT_EQUAL(bfd_session_get_state(p.s[0]), BFD_STATE_UP);
  check_log(&p.log[0], p.s[0]);
  check_log(&p.log[1], p.s[1]);
  CU_ASSERT_EQUAL(p.log[0].p[p.log[0].np - 1].tx_interval_ns, 100 * MS);
  CU_ASSERT_EQUAL(p.log[0].p[p.log[0].np - 1].detect_time_ns, 300 * MS);
  /* Steady state: nothing changes, nothing is reported. */
  n = p.log[0].np;
  pair_run(&p, p.now + 10 * SEC);
  CU_ASSERT_EQUAL(p.log[0].np, n);
  /* B slows down (a TX increase: in force at its Final, §6.8.3): A learns
   * the new remote Desired Min TX and Detection Time, B its interval. */
  b.desired_min_tx_us = 500000;
  CU_ASSERT_EQUAL(bfd_session_update(p.s[1], &b, p.now), 0);
  pair_run(&p, p.now + 5 * SEC);
  check_log(&p.log[0], p.s[0]);
  check_log(&p.log[1], p.s[1]);
  CU_ASSERT_EQUAL(p.log[0].p[p.log[0].np - 1].remote_desired_min_tx_us, 500000);
  CU_ASSERT_EQUAL(p.log[0].p[p.log[0].np - 1].detect_time_ns, 1500 * MS);
  CU_ASSERT_EQUAL(p.log[1].p[p.log[1].np - 1].tx_interval_ns, 500 * MS);
  CU_ASSERT_EQUAL(p.log[1].p[p.log[1].np - 1].desired_min_tx_us, 500000);
  pair_del(&p);
}

static void test_params_callback_failure(void) {
  bfd_session_settings a;
  pair p;
  bfd_rx_info ri = rxi();
  uint8_t buf[BFD_CTRL_LEN_MAX];
  ptrdiff_t n;
  (void)bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &a);
  pair_new(&p, &a, &a);
  p.log[1].fail = 1;
  n = bfd_session_poll_packet(p.s[0], buf, sizeof(buf), p.now);
  CU_ASSERT_FATAL(n > 0);
  /* B learns A's values: a params event, which fails. */
  CU_ASSERT_EQUAL(bfd_session_feed_packet(p.s[1], buf, (size_t)n, &ri, p.now),
                  BFD_ERR_CALLBACK_FAILURE);
  CU_ASSERT_EQUAL(p.log[1].np, 1);
  pair_del(&p);
}

static bfd_auth_key sha1(uint8_t id, uint8_t fill) {
  bfd_auth_key k;
  memset(&k, 0, sizeof(k));
  k.type = BFD_AUTH_KEYED_SHA1;
  k.key_id = id;
  k.len = 20;
  memset(k.secret, fill, 20);
  return k;
}

static void test_auth_failure_rate_limited(void) {
  bfd_session_settings a;
  bfd_auth_key ka = sha1(1, 0xaa), kb = sha1(1, 0xbb);
  pair p;
  bfd_rx_info ri = rxi();
  uint8_t buf[BFD_CTRL_LEN_MAX];
  ptrdiff_t n;
  int i;
  (void)bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &a);
  pair_new(&p, &a, &a);
  if (bfd_auth_key_check(&ka) == BFD_ERR_NOT_BUILT) { /* a build without libcrypto */
    pair_del(&p);
    return;
  }
  CU_ASSERT_EQUAL_FATAL(bfd_session_auth_add_key(p.s[0], &ka), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_session_auth_add_key(p.s[1], &kb), 0);
  n = bfd_session_poll_packet(p.s[1], buf, sizeof(buf), p.now);
  CU_ASSERT_FATAL(n > 0);
  /* A flood of 100 forgeries in one instant: one event. */
  for (i = 0; i < 100; i++)
    CU_ASSERT_EQUAL(bfd_session_feed_packet(p.s[0], buf, (size_t)n, &ri, p.now),
                    BFD_ERR_PKT_AUTH_FAILED);
  CU_ASSERT_EQUAL(p.log[0].na, 1);
  CU_ASSERT_EQUAL(p.log[0].a[0].reason, BFD_AUTH_FAIL_DIGEST);
  CU_ASSERT_EQUAL(p.log[0].a[0].key_id, 1);
  CU_ASSERT_EQUAL(p.log[0].a[0].auth_type, BFD_AUTH_KEYED_SHA1);
  CU_ASSERT_EQUAL(p.log[0].a[0].suppressed, 0);
  CU_ASSERT_EQUAL(p.log[0].a[0].ts, p.now);
  /* 999 ms later: still quiet; at 1 s: one event with the 99+1 suppressed
   * ones counted, every failure in the counter. */
  CU_ASSERT_EQUAL(bfd_session_feed_packet(p.s[0], buf, (size_t)n, &ri, p.now + 999 * MS),
                  BFD_ERR_PKT_AUTH_FAILED);
  CU_ASSERT_EQUAL(p.log[0].na, 1);
  CU_ASSERT_EQUAL(bfd_session_feed_packet(p.s[0], buf, (size_t)n, &ri, p.now + SEC),
                  BFD_ERR_PKT_AUTH_FAILED);
  CU_ASSERT_EQUAL(p.log[0].na, 2);
  CU_ASSERT_EQUAL(p.log[0].a[1].suppressed, 100);
  CU_ASSERT_EQUAL(bfd_session_get_auth_failures(p.s[0], BFD_AUTH_FAIL_DIGEST), 102);
  /* No A bit at all: a mismatch, not an authentication failure event. */
  pair_del(&p);
}

int main(void) {
  CU_TestInfo tests[] = {{"params_bring_up_and_change", test_params_bring_up_and_change},
                         {"params_callback_failure", test_params_callback_failure},
                         {"auth_failure_rate_limited", test_auth_failure_rate_limited},
                         CU_TEST_INFO_NULL};
  return bfd_test_run_suite("events", tests);
}
