/* bfd_uv_peer_config over loopback, unprivileged (bfd_uv_fx.h): version 2
 * embeds a bfd_session_settings and a key ring; version 1 (0.1.0) is still
 * accepted and only its bytes are read; every error path of the ring and
 * the versions creates nothing; bfd_uv_peer_update() takes the settings
 * and ignores the ring. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bfd_uv_fx.h"
#include "bfd_uv_int.h" /* bfd_uv__peer_config_v1: the 0.1.0 layout */

static bfd_session_settings settings_of(const bfd_session *s) {
  bfd_session_settings ss;
  memset(&ss, 0, sizeof(ss));
  CU_ASSERT_EQUAL(bfd_session_get_settings(s, &ss), 0);
  return ss;
}

/* Defaults come from bfd_session_settings_init(), for both versions; each
 * init writes its version's bytes only. */
static void test_init(void) {
  bfd_session_settings ss;
  bfd_uv_peer_config c;
  bfd_uv__peer_config_v1 v1;
  unsigned char buf[sizeof(bfd_uv_peer_config)];
  size_t i, untouched = 0;
  bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &ss);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_config_init(BFD_UV_PEER_CONFIG_VERSION, &c), 0);
  CU_ASSERT_EQUAL(c.struct_version, 2);
  CU_ASSERT_EQUAL(memcmp(&c.session, &ss, sizeof(ss)), 0);
  CU_ASSERT_EQUAL(c.nkeys, 0);
  CU_ASSERT_EQUAL(c.peer_port, 0);
  memset(buf, 0xa5, sizeof(buf));
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_config_init(1, (bfd_uv_peer_config *)(void *)buf), 0);
  for (i = sizeof(v1); i < sizeof(buf); i++)
    untouched += buf[i] == 0xa5;
  CU_ASSERT_EQUAL(untouched, sizeof(buf) - sizeof(v1));
  memcpy(&v1, buf, sizeof(v1));
  CU_ASSERT_EQUAL(v1.struct_version, 1);
  CU_ASSERT_EQUAL(v1.desired_min_tx_us, ss.desired_min_tx_us);
  CU_ASSERT_EQUAL(v1.required_min_rx_us, ss.required_min_rx_us);
  CU_ASSERT_EQUAL(v1.detect_mult, ss.detect_mult);
  CU_ASSERT_EQUAL(v1.mode, ss.mode);
  CU_ASSERT_EQUAL(v1.nexthop_policy, ss.nexthop_policy);
  CU_ASSERT_EQUAL(v1.auth_key.type, BFD_AUTH_NONE);
  memset(buf, 0xa5, sizeof(buf));
  CU_ASSERT_EQUAL(bfd_uv_peer_config_init(0, (bfd_uv_peer_config *)(void *)buf), BFD_ERR_VERSION);
  CU_ASSERT_EQUAL(bfd_uv_peer_config_init(3, (bfd_uv_peer_config *)(void *)buf), BFD_ERR_VERSION);
  CU_ASSERT_EQUAL(buf[0], 0xa5); /* nothing written */
  CU_ASSERT_EQUAL(bfd_uv_peer_config_init(BFD_UV_PEER_CONFIG_VERSION, NULL),
                  BFD_ERR_INVALID_ARGUMENT);
}

/* bfd_uv_settings.auto_* defaults are the responder template's: one set
 * of defaults, bfd_responder_settings_init()'s. */
static void test_settings_init(void) {
  bfd_responder_settings rs;
  bfd_uv_settings us;
  CU_ASSERT_EQUAL_FATAL(bfd_responder_settings_init(BFD_RESPONDER_SETTINGS_VERSION, &rs), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_settings_init(BFD_UV_SETTINGS_VERSION, &us), 0);
  CU_ASSERT_EQUAL(us.max_auto_sessions, rs.max_sessions);
  CU_ASSERT_EQUAL(us.auto_desired_min_tx_us, rs.session.desired_min_tx_us);
  CU_ASSERT_EQUAL(us.auto_required_min_rx_us, rs.session.required_min_rx_us);
  CU_ASSERT_EQUAL(us.auto_detect_mult, rs.session.detect_mult);
  CU_ASSERT_EQUAL(us.auto_auth_key.type, BFD_AUTH_NONE);
}

/* bfd_uv_settings and bfd_uv_stats of version 1 (0.1.0), in buffers of
 * exactly their size (ASan catches an access past them; the fields are
 * copied out to read them): init writes only those bytes, bfd_uv_new()
 * reads only those and gives the later fields their defaults (one TX
 * socket per session), get_stats fills only version 1's fields. */
#define SETTINGS_V1_SIZE 52 /* sizeof in 0.1.0; its last field ends at 50 */
#define STATS_V1_SIZE    104
static void test_settings_stats_v1(void) {
  uint8_t *st = malloc(SETTINGS_V1_SIZE), *ss = malloc(STATS_V1_SIZE);
  bfd_uv_settings cur, got;
  bfd_uv_stats stats;
  bfd_uv_peer_config c;
  uint32_t v;
  bfd_uv *a;
  CU_ASSERT_FATAL(st && ss);
  CU_ASSERT(offsetof(bfd_uv_settings, tx_sockets) == 50); /* v1's bytes */
  CU_ASSERT(offsetof(bfd_uv_stats, rx_kernel_drops) == STATS_V1_SIZE);
  memset(st, 0xee, SETTINGS_V1_SIZE);
  CU_ASSERT_EQUAL(bfd_uv_settings_init(1, (bfd_uv_settings *)(void *)st), 0);
  CU_ASSERT_EQUAL(bfd_uv_settings_init(BFD_UV_SETTINGS_VERSION, &cur), 0);
  memset(&got, 0, sizeof(got));
  memcpy(&got, st, 50);
  CU_ASSERT_EQUAL(got.struct_version, 1);
  CU_ASSERT_EQUAL(memcmp((uint8_t *)&got + 4, (uint8_t *)&cur + 4, 50 - 4), 0);
  CU_ASSERT_EQUAL(st[50], 0xee); /* the padding is not ours to write */
  CU_ASSERT_EQUAL(bfd_uv_settings_init(0, &got), BFD_ERR_VERSION);
  CU_ASSERT_EQUAL(bfd_uv_settings_init(BFD_UV_SETTINGS_VERSION + 1, &got), BFD_ERR_VERSION);
  got.auto_listen = 0;
  memcpy(st, &got, 50); /* st[50..51], where tx_sockets is now, stay 0xee */
  CU_ASSERT_EQUAL_FATAL(bfd_uv_new(&a, &loop, (bfd_uv_settings *)(void *)st, NULL, NULL, NULL, NULL),
                        0);
  peer_cfg(&c, "127.0.0.1", "127.0.0.2", base_port);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_add(a, NULL, &c, NULL), 0);
  v = 1;
  memcpy(ss, &v, sizeof(v));
  CU_ASSERT_EQUAL(bfd_uv_get_stats(a, (bfd_uv_stats *)(void *)ss), 0);
  memset(&stats, 0, sizeof(stats));
  memcpy(&stats, ss, STATS_V1_SIZE);
  CU_ASSERT_EQUAL(stats.struct_version, 1);
  CU_ASSERT_EQUAL(stats.sessions, 1);
  CU_ASSERT_EQUAL(stats.tx_packets, 1);
  stats.struct_version = BFD_UV_STATS_VERSION + 1;
  CU_ASSERT_EQUAL(bfd_uv_get_stats(a, &stats), BFD_ERR_VERSION);
  stats.struct_version = BFD_UV_STATS_VERSION;
  CU_ASSERT_EQUAL(bfd_uv_get_stats(a, &stats), 0);
  CU_ASSERT_EQUAL(stats.tx_sockets, 1); /* per session: the default */
  bfd_uv_del(a, NULL);
  run_for(20);
  free(st);
  free(ss);
}

/* bfd_uv_stats of version 2 (before rx_rcvbuf_applied), in a buffer of
 * exactly its size: get_stats fills version 2's fields only; version 3
 * adds the receive buffer asked of setsockopt (here the explicit one),
 * version 4 the sum of the timer fires' lateness. */
#define STATS_V2_SIZE 264
static void test_stats_v2(void) {
  uint8_t *ss = malloc(STATS_V2_SIZE);
  bfd_uv_settings st;
  bfd_uv_stats stats;
  bfd_uv_peer_config c;
  bfd_uv_addr la;
  uint32_t v = 2;
  bfd_uv *a;
  CU_ASSERT_FATAL(ss != NULL);
  CU_ASSERT(offsetof(bfd_uv_stats, rx_rcvbuf_applied) == STATS_V2_SIZE);
  CU_ASSERT_EQUAL(bfd_uv_settings_init(BFD_UV_SETTINGS_VERSION, &st), 0);
  st.auto_listen = 0;
  st.port_single_hop = base_port;
  st.rx_rcvbuf = 100000;
  CU_ASSERT_EQUAL_FATAL(bfd_uv_new(&a, &loop, &st, NULL, NULL, NULL, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_addr_parse(&la, "127.0.0.1"), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_listen(a, BFD_MODE_SINGLE_HOP, &la), 0);
  peer_cfg(&c, "127.0.0.1", "127.0.0.2", base_port);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_add(a, NULL, &c, NULL), 0);
  memcpy(ss, &v, sizeof(v));
  CU_ASSERT_EQUAL(bfd_uv_get_stats(a, (bfd_uv_stats *)(void *)ss), 0);
  memset(&stats, 0xee, sizeof(stats));
  memcpy(&stats, ss, STATS_V2_SIZE);
  CU_ASSERT_EQUAL(stats.struct_version, 2);
  CU_ASSERT_EQUAL(stats.listeners, 1);
  CU_ASSERT_EQUAL(stats.sessions, 1);
  CU_ASSERT_EQUAL(stats.tx_sockets, 1);
  memset(&stats, 0xee, sizeof(stats));
  stats.struct_version = 3;
  CU_ASSERT_EQUAL(bfd_uv_get_stats(a, &stats), 0);
  CU_ASSERT_EQUAL(stats.listeners, 1);
  CU_ASSERT_EQUAL(stats.rx_rcvbuf_applied, 100000);
  CU_ASSERT_EQUAL(stats.timer_late_sum_ns, 0xeeeeeeeeeeeeeeeeull); /* version 4's */
  /* Version 4: the lateness sum, within what the histogram allows (the
   * slow-start packet is due within a second, by the timer). */
  run_for(1100);
  memset(&stats, 0, sizeof(stats));
  stats.struct_version = 4;
  CU_ASSERT_EQUAL(bfd_uv_get_stats(a, &stats), 0);
  CU_ASSERT(stats.timer_fires > 0);
  CU_ASSERT(stats.timer_late_sum_ns <= stats.timer_fires * stats.timer_late_max_ns);
  CU_ASSERT(stats.timer_late_sum_ns >= stats.timer_late_max_ns);
  bfd_uv_del(a, NULL);
  run_for(20);
  free(ss);
}

/* A caller built against 0.1.0: a version-1 config in a buffer of exactly
 * its size (ASan catches a read past it) comes Up, authenticated, with a
 * version-2 peer; its update changes the fields it has, keeps the
 * session's others and ignores its auth_key. */
static void test_v1_still_works(void) {
  side x, y;
  bfd_uv_peer_config c;
  bfd_uv__peer_config_v1 *v1 = malloc(sizeof(*v1));
  bfd_session_settings ss;
  CU_ASSERT_PTR_NOT_NULL_FATAL(v1);
  side_open(&x, "X", "127.0.0.1", 0, 0);
  side_open(&y, "Y", "127.0.0.2", 0, 0);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_config_init(1, (bfd_uv_peer_config *)(void *)v1), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_addr_parse(&v1->peer, "127.0.0.2"), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_addr_parse(&v1->local, "127.0.0.1"), 0);
  v1->peer_port = base_port;
  v1->desired_min_tx_us = v1->required_min_rx_us = 100000;
  v1->detect_mult = 4;
  v1->nexthop_policy = BFD_NHS_AFTER_UP;
  v1->auth_key = auth_key;
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_add(x.a, &x.s, (bfd_uv_peer_config *)(void *)v1, NULL), 0);
  peer_cfg(&c, "127.0.0.2", "127.0.0.1", base_port);
  set_key(&c, &auth_key);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_add(y.a, &y.s, &c, NULL), 0);
  CU_ASSERT_FATAL(up_within(&x, &y, 5000));
  ss = settings_of(x.s);
  CU_ASSERT_EQUAL(ss.desired_min_tx_us, 100000);
  CU_ASSERT_EQUAL(ss.detect_mult, 4);
  CU_ASSERT_EQUAL(ss.nexthop_policy, BFD_NHS_AFTER_UP);
  CU_ASSERT_EQUAL(bfd_session_auth_get_type(x.s), auth_key.type);
  CU_ASSERT_EQUAL(bfd_session_auth_get_tx_key(x.s), auth_key.key_id);
  /* A field version 1 does not have stays as the session has it. */
  ss.cpi = 1;
  CU_ASSERT_EQUAL_FATAL(bfd_session_update(x.s, &ss, uv_hrtime()), 0);
  v1->detect_mult = 5;
  memset(&v1->auth_key, 0, sizeof(v1->auth_key)); /* ignored by an update */
  CU_ASSERT_EQUAL(bfd_uv_peer_update(x.a, x.s, (bfd_uv_peer_config *)(void *)v1), 0);
  ss = settings_of(x.s);
  CU_ASSERT_EQUAL(ss.detect_mult, 5);
  CU_ASSERT_EQUAL(ss.cpi, 1);
  CU_ASSERT_EQUAL(ss.desired_min_tx_us, 100000);
  CU_ASSERT_EQUAL(bfd_session_auth_get_type(x.s), auth_key.type);
  run_for(500);
  CU_ASSERT_EQUAL(x.state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(y.state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(x.errors + y.errors, 0);
  free(v1);
  side_close(&x);
  side_close(&y);
}

/* A ring of two keys signing with the second: installed before the first
 * packet, so every packet on the wire is signed with Key ID 8. */
static void test_ring_first_packet(void) {
  side x;
  wire w;
  bfd_uv_peer_config c;
  unsigned i;
  side_to_wire(&x, "X", &w, &c);
  c.nkeys = 2;
  c.keys[0] = auth_key;
  c.keys[1] = auth_key;
  c.keys[1].key_id = 8;
  c.keys[1].secret[0] ^= 1;
  c.tx_key_id = 8;
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_add(x.a, &x.s, &c, NULL), 0);
  CU_ASSERT_EQUAL(bfd_session_auth_get_tx_key(x.s), 8);
  CU_ASSERT_EQUAL(bfd_session_auth_remove_key(x.s, 7), 0); /* key 7 was in the ring */
  run_for(300);
  CU_ASSERT(w.n >= 1);
  for (i = 0; i < w.n && i < WIRE_LOG; i++) {
    CU_ASSERT(w.log[i].pkt.flags & BFD_FLAG_A);
    CU_ASSERT_EQUAL(w.log[i].pkt.auth.key_id, 8);
  }
  wire_close(&w);
  side_close(&x);
}

/* Every error of the ring and of the versions, before anything is
 * created: no session, no event. */
static void test_errors(void) {
  side x;
  bfd_uv_peer_config c, good;
  bfd_uv__peer_config_v1 v1;
  bfd_auth_key simple;
  memset(&simple, 0, sizeof(simple));
  simple.type = BFD_AUTH_SIMPLE;
  simple.key_id = 2;
  simple.len = 2;
  memcpy(simple.secret, "pw", 2);
  side_open(&x, "X", "127.0.0.1", 0, 0);
  peer_cfg(&good, "127.0.0.1", "127.0.0.3", (uint16_t)(base_port + 1));
  set_key(&good, &auth_key);
#define EXPECT(rc)                                                                                 \
  do {                                                                                             \
    CU_ASSERT_EQUAL(bfd_uv_peer_add(x.a, NULL, &c, NULL), (rc));                                   \
    c = good;                                                                                      \
  } while (0)
  c = good;
  c.nkeys = BFD_AUTH_KEYS_MAX + 1;
  EXPECT(BFD_ERR_CFG_AUTH);
  c.tx_key_id = 9; /* not in the ring */
  EXPECT(BFD_ERR_CFG_AUTH);
  c.keys[0].len = 0; /* invalid key */
  EXPECT(BFD_ERR_CFG_AUTH);
  c.keys[0].type = BFD_AUTH_NONE; /* "no authentication" is not a key */
  EXPECT(BFD_ERR_CFG_AUTH);
  if (auth_key.type != BFD_AUTH_SIMPLE) { /* a build with crypto */
    c.nkeys = 2;
    c.keys[1] = simple;
    EXPECT(BFD_ERR_CFG_AUTH); /* two types: one bfd.AuthType per session (§6.8.1) */
  }
  c.struct_version = 0;
  EXPECT(BFD_ERR_VERSION);
  c.struct_version = BFD_UV_PEER_CONFIG_VERSION + 1;
  EXPECT(BFD_ERR_VERSION);
  c.session.struct_version = 0;
  EXPECT(BFD_ERR_VERSION);
  c.session.detect_mult = 0;
  EXPECT(BFD_ERR_CFG_DETECT_MULT);
  c.session.cpi = 2;
  EXPECT(BFD_ERR_CFG_FLAG);
  c.session.mode = 7;
  EXPECT(BFD_ERR_CFG_MODE);
#undef EXPECT
  /* Version 1: an auth_key that is set and invalid. */
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_config_init(1, (bfd_uv_peer_config *)(void *)&v1), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_addr_parse(&v1.peer, "127.0.0.3"), 0);
  v1.auth_key = auth_key;
  v1.auth_key.len = 0;
  CU_ASSERT_EQUAL(bfd_uv_peer_add(x.a, NULL, (bfd_uv_peer_config *)(void *)&v1, NULL),
                  BFD_ERR_CFG_AUTH);
  CU_ASSERT_EQUAL(table_size(&x), 0);
  CU_ASSERT_EQUAL(x.nh_events, 0); /* not even the creation event */
  side_close(&x);
}

/* An update takes `session` and ignores the ring: an empty or even a bad
 * ring leaves authentication as it is, and the session stays Up; the
 * versions and the immutable fields are still checked. */
static void test_update_ignores_keys(void) {
  side x, y;
  bfd_uv_peer_config c;
  bfd_session_settings ss;
  up_pair(&x, &y, &auth_key);
  peer_cfg(&c, "127.0.0.1", "127.0.0.2", base_port);
  c.session.desired_min_tx_us = 150000;
  CU_ASSERT_EQUAL(bfd_uv_peer_update(x.a, x.s, &c), 0); /* no keys */
  c.nkeys = BFD_AUTH_KEYS_MAX + 1;
  c.tx_key_id = 99;
  CU_ASSERT_EQUAL(bfd_uv_peer_update(x.a, x.s, &c), 0); /* not even checked */
  ss = settings_of(x.s);
  CU_ASSERT_EQUAL(ss.desired_min_tx_us, 150000);
  CU_ASSERT_EQUAL(bfd_session_auth_get_type(x.s), auth_key.type);
  CU_ASSERT_EQUAL(bfd_session_auth_get_tx_key(x.s), auth_key.key_id);
  c.struct_version = 0;
  CU_ASSERT_EQUAL(bfd_uv_peer_update(x.a, x.s, &c), BFD_ERR_VERSION);
  c.struct_version = BFD_UV_PEER_CONFIG_VERSION;
  c.session.struct_version = 0;
  CU_ASSERT_EQUAL(bfd_uv_peer_update(x.a, x.s, &c), BFD_ERR_VERSION);
  c.session.struct_version = BFD_SESSION_SETTINGS_VERSION;
  c.session.mode = BFD_MODE_MULTIHOP;
  CU_ASSERT_EQUAL(bfd_uv_peer_update(x.a, x.s, &c), BFD_ERR_CFG_IMMUTABLE);
  c.session.mode = BFD_MODE_SINGLE_HOP;
  c.session.passive = 2;
  CU_ASSERT_EQUAL(bfd_uv_peer_update(x.a, x.s, &c), BFD_ERR_CFG_FLAG);
  run_for(1500); /* past the Poll of the change */
  CU_ASSERT_EQUAL(x.state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(y.state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(bfd_uv_get_table(y.a), BFD_ERR_PKT_AUTH_MISMATCH), 0);
  CU_ASSERT_EQUAL(x.errors + y.errors, 0);
  side_close(&x);
  side_close(&y);
}

int main(void) {
  CU_TestInfo tests[] = {{"init", test_init},
                         {"settings_init", test_settings_init},
                         {"settings_stats_v1", test_settings_stats_v1},
                         {"stats_v2", test_stats_v2},
                         {"v1_still_works", test_v1_still_works},
                         {"ring_first_packet", test_ring_first_packet},
                         {"errors", test_errors},
                         {"update_ignores_keys", test_update_ignores_keys},
                         CU_TEST_INFO_NULL};
  return fx_run_suite("uv_config", tests);
}
