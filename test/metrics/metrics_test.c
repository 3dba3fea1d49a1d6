/* examples/metrics: the Prometheus exposition of a table whose sessions
 * are AdminDown, Down, Init and Up (an IPv4 one each) and one IPv6 session
 * on an interface; every series of every session in every state, the
 * values of the status, truncation at a whole line. With --print FILE the
 * exposition goes to FILE (ctest metrics_format checks its syntax). */
#include "bfd_harness.h"
#include "bfd_metrics.h"

#include <net/if.h>
#include <stdio.h>
#include <string.h>

#define MS BFD_MILLISECONDS
#define T0 (1000 * BFD_SECONDS)

#define L4(ip)                                                                                     \
  "peer=\"" ip "\",local=\"0.0.0.0\",interface=\"\",mode=\"single_hop\",family=\"ipv4\""

typedef struct mfx {
  bfd_table *t;
  bt_rec rec;
  bfd_session *s[5];
  uint64_t now;
} mfx;

static void mfx_open(mfx *m) {
  bfd_session_settings st = bt_settings(100000, 100000, 3);
  bfd_session_key k;
  bt_peer p;
  unsigned i;
  bt_rec_init(&m->rec);
  m->t = bt_table_new(&m->rec, NULL, BFD_CALLBACKS_VERSION, BT_CB_STATE | BT_CB_RAND);
  CU_ASSERT_PTR_NOT_NULL_FATAL(m->t);
  m->now = T0;
  for (i = 0; i < 4; i++) { /* 10.0.1.1 AdminDown, .2 Down, .3 Init, .4 Up */
    bfd_session_settings s = st;
    s.admin_down = i == 0;
    k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000101u + i, 0);
    CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(m->t, &m->s[i], &s, &k, NULL, m->now), 0);
  }
  k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000103u, 0);
  p = bt_peer_make(BFD_STATE_DOWN, 0x5003u, 0, 100000);
  {
    bfd_rx_info ri = bt_ri_key(&k);
    CU_ASSERT_EQUAL_FATAL(bt_table_feed(m->t, &ri, &p, m->now, NULL), 0);
  }
  p = bt_peer_make(BFD_STATE_DOWN, 0x5004u, 0, 100000);
  bt_table_bring_up(m->t, m->s[3], &p, m->now);
  /* IPv6 on the loopback interface, multihop. */
  memset(&k, 0, sizeof(k));
  k.mode = BFD_MODE_MULTIHOP;
  k.family = BFD_AF_INET6;
  bt_addr6(k.local, 0, 1);
  bt_addr6(k.peer, 0, 2);
  k.ifindex = if_nametoindex("lo");
  st.mode = BFD_MODE_MULTIHOP;
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(m->t, &m->s[4], &st, &k, NULL, m->now), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_state(m->s[0]), BFD_STATE_ADMIN_DOWN);
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_state(m->s[1]), BFD_STATE_DOWN);
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_state(m->s[2]), BFD_STATE_INIT);
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_state(m->s[3]), BFD_STATE_UP);
  bt_table_drain(m->t, m->now);
}

static char g_text[1 << 17];

static const char *render(mfx *m, uint64_t now) {
  bfdm_out o;
  bfdm_out_init(&o, g_text, sizeof(g_text));
  CU_ASSERT_EQUAL_FATAL(bfdm_render_table(&o, m->t, now), 0);
  CU_ASSERT_EQUAL(o.truncated, 0);
  CU_ASSERT_EQUAL(o.len, strlen(g_text));
  return g_text;
}

/* Whole lines of `text` that start with `prefix`. */
static unsigned count_lines(const char *text, const char *prefix) {
  unsigned n = 0;
  size_t pl = strlen(prefix);
  const char *l;
  for (l = text; *l; l = strchr(l, '\n') + 1) {
    if (strncmp(l, prefix, pl) == 0)
      n++;
    if (!strchr(l, '\n'))
      break;
  }
  return n;
}

static int has_line(const char *text, const char *line) {
  size_t n = strlen(line);
  const char *p;
  for (p = strstr(text, line); p; p = strstr(p + 1, line))
    if ((p == text || p[-1] == '\n') && p[n] == '\n')
      return 1;
  return 0;
}

#define HAS(text, line)                                                                            \
  do {                                                                                             \
    if (!has_line(text, line))                                                                     \
      fprintf(stderr, "\n    missing: %s\n", line);                                                \
    CU_ASSERT(has_line(text, line));                                                               \
  } while (0)

static void test_every_state(void) {
  mfx m;
  const char *t;
  bfd_session_status st = {.struct_version = BFD_SESSION_STATUS_VERSION};
  char line[512];
  mfx_open(&m);
  t = render(&m, m.now + 2500 * MS);
  HAS(t, "# TYPE bfd_session_up gauge");
  HAS(t, "bfd_session_up{" L4("10.0.1.4") "} 1");
  HAS(t, "bfd_session_up{" L4("10.0.1.1") "} 0");
  HAS(t, "bfd_session_up{" L4("10.0.1.2") "} 0");
  HAS(t, "bfd_session_up{" L4("10.0.1.3") "} 0");
  HAS(t, "bfd_session_state{" L4("10.0.1.1") ",state=\"admin_down\"} 1");
  HAS(t, "bfd_session_state{" L4("10.0.1.1") ",state=\"up\"} 0");
  HAS(t, "bfd_session_state{" L4("10.0.1.2") ",state=\"down\"} 1");
  HAS(t, "bfd_session_state{" L4("10.0.1.3") ",state=\"init\"} 1");
  HAS(t, "bfd_session_state{" L4("10.0.1.4") ",state=\"up\"} 1");
  HAS(t, "bfd_session_state{" L4("10.0.1.4") ",state=\"down\"} 0");
  HAS(t, "bfd_session_uptime_seconds{" L4("10.0.1.4") "} 2.5");
  HAS(t, "bfd_session_uptime_seconds{" L4("10.0.1.3") "} 0");
  HAS(t, "bfd_state_transitions_total{" L4("10.0.1.4") ",from=\"any\",to=\"up\"} 1");
  HAS(t, "bfd_state_transitions_total{" L4("10.0.1.4") ",from=\"up\",to=\"down\"} 0");
  HAS(t, "bfd_packets_dropped_total{" L4("10.0.1.2") ",reason=\"ttl\"} 0");
  HAS(t, "bfd_auth_failures_total{" L4("10.0.1.2") ",reason=\"mismatch\"} 0");
  HAS(t, "bfd_session_up{peer=\"2001:db8::2\",local=\"2001:db8::1\",interface=\"lo\","
         "mode=\"multi_hop\",family=\"ipv6\"} 0");
  /* Values from the status. */
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_status(m.s[3], &st), 0);
  snprintf(line, sizeof(line), "bfd_packets_sent_total{" L4("10.0.1.4") "} %llu",
           (unsigned long long)st.tx_packets);
  HAS(t, line);
  snprintf(line, sizeof(line), "bfd_packets_received_total{" L4("10.0.1.4") "} %llu",
           (unsigned long long)st.rx_packets);
  HAS(t, line);
  CU_ASSERT(st.rx_packets >= 2);
  snprintf(line, sizeof(line), "bfd_detection_time_seconds{" L4("10.0.1.4") "} %.9g",
           (double)st.detect_time_ns / 1e9);
  HAS(t, line);
  CU_ASSERT(st.detect_time_ns > 0);
  snprintf(line, sizeof(line), "bfd_negotiated_tx_interval_seconds{" L4("10.0.1.4") "} %.9g",
           (double)st.tx_interval_ns / 1e9);
  HAS(t, line);
  /* Every series of every session: 5 sessions. */
  CU_ASSERT_EQUAL(count_lines(t, "bfd_session_up{"), 5);
  CU_ASSERT_EQUAL(count_lines(t, "bfd_session_state{"), 5 * 4);
  CU_ASSERT_EQUAL(count_lines(t, "bfd_session_uptime_seconds{"), 5);
  CU_ASSERT_EQUAL(count_lines(t, "bfd_state_transitions_total{"), 5 * 2);
  CU_ASSERT_EQUAL(count_lines(t, "bfd_packets_dropped_total{"), 5 * 18);
  CU_ASSERT_EQUAL(count_lines(t, "bfd_auth_failures_total{"), 5 * BFD_AUTH_FAIL_COUNT);
  /* The table's own series. */
  HAS(t, "bfd_sessions{state=\"admin_down\"} 1");
  HAS(t, "bfd_sessions{state=\"down\"} 2");
  HAS(t, "bfd_sessions{state=\"init\"} 1");
  HAS(t, "bfd_sessions{state=\"up\"} 1");
  HAS(t, "bfd_table_packets_dropped_total{reason=\"no_session\"} 0");
  HAS(t, "bfd_governor_scale_ratio 1");
  CU_ASSERT_EQUAL(count_lines(t, "bfd_table_packets_dropped_total{"), 18);
  CU_ASSERT_EQUAL(count_lines(t, "# TYPE "), 14);
  CU_ASSERT_EQUAL(count_lines(t, "# HELP "), 14);
  bfd_table_del(m.t);
}

/* Every BFD_ERR_PKT_* reason has a label (bfd_pkt_error_at lists them). */
static void test_drop_reasons(void) {
  size_t i;
  int c;
  for (i = 0; (c = bfd_pkt_error_at(i)) != 0; i++)
    CU_ASSERT_PTR_NOT_NULL(bfdm_drop_reason(c));
  CU_ASSERT_PTR_NOT_NULL(bfdm_drop_reason(BFD_ERR_PKT_ADMIN_DOWN));
  CU_ASSERT_PTR_NULL(bfdm_drop_reason(BFD_ERR_NOMEM));
  CU_ASSERT_STRING_EQUAL(bfdm_drop_reason(BFD_ERR_PKT_TTL), "ttl");
}

/* A packet no session takes is the table's drop (counted once): the
 * table-wide series has it, no session's series does. */
static void test_table_drops(void) {
  mfx m;
  const char *t;
  bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000109u, 0);
  bfd_rx_info ri = bt_ri_key(&k);
  bt_peer p = bt_peer_make(BFD_STATE_UP, 0x5009u, 0xdeadbeefu, 100000);
  mfx_open(&m);
  CU_ASSERT_EQUAL(bt_table_feed(m.t, &ri, &p, m.now, NULL), BFD_ERR_PKT_NO_SESSION);
  t = render(&m, m.now);
  HAS(t, "bfd_table_packets_dropped_total{reason=\"no_session\"} 1");
  HAS(t, "bfd_table_packets_dropped_total{reason=\"ttl\"} 0");
  HAS(t, "bfd_packets_dropped_total{" L4("10.0.1.2") ",reason=\"no_session\"} 0");
  bfd_table_del(m.t);
}

/* A buffer too small: -1, truncated, and the text ends at a whole line. */
static void test_truncated(void) {
  mfx m;
  bfdm_out o;
  char small[300];
  mfx_open(&m);
  bfdm_out_init(&o, small, sizeof(small));
  CU_ASSERT_EQUAL(bfdm_render_table(&o, m.t, m.now), -1);
  CU_ASSERT_EQUAL(o.truncated, 1);
  CU_ASSERT(o.len < sizeof(small));
  CU_ASSERT_EQUAL(o.len, strlen(small));
  CU_ASSERT_FATAL(o.len > 0);
  CU_ASSERT_EQUAL(small[o.len - 1], '\n');
  bfd_table_del(m.t);
}

static const char *g_print_path;

/* --print FILE: the exposition of the fixture into FILE (a CUnit test, so
 * the fixture's checks run as everywhere). */
static void test_print(void) {
  mfx m;
  const char *t;
  FILE *f = fopen(g_print_path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  mfx_open(&m);
  t = render(&m, m.now + 2500 * MS);
  CU_ASSERT_EQUAL(fputs(t, f) >= 0, 1);
  CU_ASSERT_EQUAL(fclose(f), 0);
  bfd_table_del(m.t);
}

int main(int argc, char **argv) {
  CU_TestInfo tests[] = {{"every_state", test_every_state},
                         {"drop_reasons", test_drop_reasons},
                         {"table_drops", test_table_drops},
                         {"truncated", test_truncated},
                         CU_TEST_INFO_NULL};
  CU_TestInfo print[] = {{"print", test_print}, CU_TEST_INFO_NULL};
  if (argc > 2 && strcmp(argv[1], "--print") == 0) {
    g_print_path = argv[2];
    return bfd_test_run_suite("metrics_print", print);
  }
  return bfd_test_run_suite("metrics", tests);
}
