/* bfdkit-uv responder mode and peer removal over loopback, unprivileged
 * (the fixture, bfd_uv_fx.h: adapters on 127.0.0.1 / 127.0.0.2, scripted
 * peers, spoofed sources and a lossy relay on 127.0.0.3 and up).
 *
 * What a host on the adapter gets from the core's responder mode and
 * goodbye, each a way a host-side implementation went wrong:
 * 1. A packet with State AdminDown must not hold a responder slot
 *    (admin_down_slots), and neither may a spoofed Down packet asking for a
 *    huge Detection Time (spoofed_down_slots): "spoofed packets cannot hold
 *    the slots" (bfd_uv.h).
 * 2. bfd_uv_peer_remove() sends only what the core builds: nothing from a
 *    passive session that never heard its peer (RFC 5880 §6.8.7), and
 *    signed AdminDown packets with Desired Min TX >= 1 s while not Up
 *    (§6.8.3) when authentication is configured (remove_passive_silent,
 *    remove_signed), and exactly the one AdminDown packet of the core's
 *    goodbye from a session whose peer is not Up (remove_not_up_once).
 * 3. The goodbye repeats AdminDown (§6.8.16: for at least a Detection
 *    Time): with the first one lost, the peer still goes Down with diag 3,
 *    never diag 1 (remove_lost_admin_down).
 *
 * Then the lifecycle: bfd_uv_del() lets goodbyes finish (a second call
 * ends them), bfd_uv_shutdown() says goodbye to every peer, a removed peer
 * added again takes over at once, bfd_uv_set_responder() (multihop, a key
 * ring), the auto_* shorthand on multihop, bfd_uv_new()'s checks of the
 * core callbacks, and the core's params and auth_failure events through
 * the adapter. */
#include <stdio.h>
#include <string.h>

#include "bfd_uv_fx.h"

/* A genuine active peer at 127.0.0.1 comes Up with the responder `y`. */
static void genuine_peer_comes_up(side *y) {
  side x;
  bfd_uv_peer_config c;
  side_open(&x, "genuine", "127.0.0.1", 0, 0);
  peer_cfg(&c, "127.0.0.1", "127.0.0.2", base_port);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_add(x.a, &x.s, &c, NULL), 0);
  CU_ASSERT(up_within(&x, y, 5000));
  printf("  genuine peer: %s, responder: %s\n", bfd_state_name(x.state), bfd_state_name(y->state));
  side_close(&x);
}

/* ---- responder slots ---------------------------------------------------- */

/* Two packets with State AdminDown from spoofed sources take both slots of
 * max_auto_sessions = 2; a peer in AdminDown asks for no session
 * (§6.8.16). Had they created sessions, both would be held for good
 * (Down, remote discr 0 once their Detection Time of 3 s passed) and the
 * genuine peer refused. */
static void test_admin_down_slots(void) {
  side y;
  wire s1, s2;
  bfd_ctrl_pkt p;
  side_open(&y, "responder", "127.0.0.2", 2, 0);
  wire_open(&s1, "spoof1", "127.0.0.3", (uint16_t)(base_port + 1));
  wire_open(&s2, "spoof2", "127.0.0.4", (uint16_t)(base_port + 1));
  p = ctrl(BFD_STATE_ADMIN_DOWN, 0x5eed0001u, 3, 1000000, 1000000);
  wire_send(&s1, "127.0.0.2", base_port, &p);
  p.my_discr = 0x5eed0002u;
  wire_send(&s2, "127.0.0.2", base_port, &p);
  run_for(100);
  printf("  after two AdminDown packets: %zu session(s)\n", table_size(&y));
  /* Longer than any Detection Time those packets imply (3 x 1 s). */
  run_for(3500);
  printf("  3.6 s later: %zu session(s)\n", table_size(&y));
  CU_ASSERT_EQUAL(table_size(&y), 0);
  CU_ASSERT_EQUAL(y.n_created, 0);
  genuine_peer_comes_up(&y);
  CU_ASSERT_EQUAL(y.n_created, 1);
  wire_close(&s1);
  wire_close(&s2);
  side_close(&y);
}

/* Spoofed Down packets that never complete the handshake, asking for a
 * Detection Time of 255 x 60 s: the slots come free after the responder's
 * hold (a Detection Time of its own template with the 1 s floor), not
 * after theirs, and peer_deleted reports each. */
static void test_spoofed_down_slots(void) {
  side y;
  wire s1, s2;
  bfd_ctrl_pkt p;
  side_open(&y, "responder", "127.0.0.2", 2, 0);
  wire_open(&s1, "spoof1", "127.0.0.5", (uint16_t)(base_port + 1));
  wire_open(&s2, "spoof2", "127.0.0.6", (uint16_t)(base_port + 1));
  p = ctrl(BFD_STATE_DOWN, 0x5eed0003u, 255, 60000000, 60000000);
  wire_send(&s1, "127.0.0.2", base_port, &p);
  p.my_discr = 0x5eed0004u;
  wire_send(&s2, "127.0.0.2", base_port, &p);
  run_for(100);
  printf("  after two spoofed Down packets: %zu session(s)\n", table_size(&y));
  CU_ASSERT_EQUAL(y.n_created, 2);
  /* Template 100 ms x 3: hold 3 x max(100 ms, 1 s) = 3 s. */
  CU_ASSERT(run_until(table_empty, &y, 5000));
  printf("  %zu session(s) left, %u peer_deleted\n", table_size(&y), y.n_deleted);
  CU_ASSERT_EQUAL(y.n_deleted, 2);
  genuine_peer_comes_up(&y);
  wire_close(&s1);
  wire_close(&s2);
  side_close(&y);
}

/* The veto: nothing is created, the packet is dropped. */
static void test_veto(void) {
  side y;
  wire s1;
  bfd_ctrl_pkt p;
  bfd_uv_stats st;
  side_open(&y, "responder", "127.0.0.2", 2, 0);
  y.veto = 1;
  wire_open(&s1, "peer", "127.0.0.3", (uint16_t)(base_port + 1));
  p = ctrl(BFD_STATE_DOWN, 0x5eed0005u, 3, 1000000, 1000000);
  wire_send(&s1, "127.0.0.2", base_port, &p);
  run_for(100);
  CU_ASSERT_EQUAL(y.n_vetoed, 1);
  CU_ASSERT_EQUAL(y.n_created, 0);
  CU_ASSERT_EQUAL(table_size(&y), 0);
  st.struct_version = BFD_UV_STATS_VERSION;
  CU_ASSERT_EQUAL(bfd_uv_get_stats(y.a, &st), 0);
  CU_ASSERT_EQUAL(st.rx_dropped, 1);
  CU_ASSERT_EQUAL(st.auto_sessions, 0);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(bfd_uv_get_table(y.a), BFD_ERR_PKT_NO_SESSION), 1);
  y.veto = 0;
  wire_close(&s1);
  side_close(&y);
}

/* ---- what bfd_uv_peer_remove() sends ------------------------------------ */

/* A passive session that never heard its peer removed: it MUST NOT
 * transmit (§6.8.7), not even AdminDown. */
static void test_remove_passive_silent(void) {
  side x;
  wire w;
  bfd_uv_peer_config c;
  side_to_wire(&x, "passive", &w, &c);
  c.session.passive = 1;
  c.session.desired_min_tx_us = 300000;
  set_key(&c, &auth_key);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_add(x.a, &x.s, &c, NULL), 0);
  run_for(300);
  CU_ASSERT_EQUAL(w.n, 0);
  CU_ASSERT_EQUAL(bfd_uv_peer_remove(x.a, x.s), 0);
  CU_ASSERT_EQUAL(table_size(&x), 0); /* nothing to send: deleted at once */
  run_for(500);
  if (w.n)
    printf("  received %u packet(s): state %s, flags 0x%02x, Desired Min TX %u us\n", w.n,
           bfd_state_name(w.log[0].pkt.state), w.log[0].pkt.flags,
           (unsigned)w.log[0].pkt.desired_min_tx_us);
  CU_ASSERT_EQUAL(w.n, 0);
  wire_close(&w);
  side_close(&x);
}

/* An authenticated session already AdminDown, never Up, removed: every
 * packet it sends is signed (§6.7) and advertises Desired Min TX >= 1 s
 * (§6.8.3, not Up): a packet without the A bit, or with 300 ms, would be
 * discarded by an authenticated peer. */
static void test_remove_signed(void) {
  side x;
  wire w;
  bfd_uv_peer_config c;
  unsigned i;
  side_to_wire(&x, "admin-down", &w, &c);
  c.session.admin_down = 1;
  c.session.desired_min_tx_us = 300000;
  set_key(&c, &auth_key);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_add(x.a, &x.s, &c, NULL), 0);
  run_for(300);
  CU_ASSERT(w.n >= 1); /* active: AdminDown at the slow rate */
  CU_ASSERT_EQUAL(bfd_uv_peer_remove(x.a, x.s), 0);
  run_for(500);
  CU_ASSERT(w.n >= 1);
  for (i = 0; i < w.n && i < WIRE_LOG; i++) {
    const bfd_ctrl_pkt *p = &w.log[i].pkt;
    int rv = verify(&w.log[i]);
    printf("  packet %u: %s diag %u, flags 0x%02x, auth type %u, Desired Min TX %u us, "
           "verifies: %s\n",
           i, bfd_state_name(p->state), p->diag, p->flags,
           (p->flags & BFD_FLAG_A) ? p->auth.type : 0, (unsigned)p->desired_min_tx_us,
           rv >= 0 ? "yes" : bfd_strerror(rv));
    CU_ASSERT_EQUAL(p->state, BFD_STATE_ADMIN_DOWN);
    CU_ASSERT_EQUAL(p->diag, BFD_DIAG_ADMIN_DOWN);
    CU_ASSERT(p->flags & BFD_FLAG_A);
    CU_ASSERT(p->desired_min_tx_us >= 1000000);
    CU_ASSERT(rv >= 0);
  }
  wire_close(&w);
  side_close(&x);
}

/* An active session whose peer never answered, removed: the peer cannot
 * take silence for a failure, so exactly one AdminDown packet (diag 7,
 * signed) goes out, the core's goodbye packet (§6.8.16, §6.8.7: at once),
 * and the session leaves the table at the next wake-up. The adapter sends
 * nothing of its own (a second AdminDown would show here). */
static void test_remove_not_up_once(void) {
  side x;
  wire w;
  bfd_uv_peer_config c;
  unsigned before, i;
  side_to_wire(&x, "not-up", &w, &c);
  set_key(&c, &auth_key);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_add(x.a, &x.s, &c, NULL), 0);
  run_for(300);
  CU_ASSERT(w.n >= 1); /* Down at the slow rate */
  CU_ASSERT_EQUAL(w.n_admin_down, 0);
  before = w.n;
  CU_ASSERT_EQUAL(bfd_uv_peer_remove(x.a, x.s), 0);
  CU_ASSERT(run_until(table_empty, &x, 200));
  run_for(1500); /* longer than an AdminDown interval: a repeat would show */
  printf("  %u packet(s) after the removal, %u AdminDown\n", w.n - before, w.n_admin_down);
  CU_ASSERT_EQUAL(w.n - before, 1);
  CU_ASSERT_EQUAL(w.n_admin_down, 1);
  for (i = before; i < w.n && i < WIRE_LOG; i++) {
    CU_ASSERT_EQUAL(w.log[i].pkt.state, BFD_STATE_ADMIN_DOWN);
    CU_ASSERT_EQUAL(w.log[i].pkt.diag, BFD_DIAG_ADMIN_DOWN);
    CU_ASSERT(verify(&w.log[i]) >= 0);
  }
  CU_ASSERT_EQUAL(x.errors, 0);
  wire_close(&w);
  side_close(&x);
}

/* ---- the goodbye repeats (§6.8.16) ------------------------------------- */

/* X (127.0.0.1) and Y (127.0.0.2), both authenticated, talk through a
 * relay (X's peer is 127.0.0.3, Y's 127.0.0.4) that drops X's first
 * AdminDown. Y's Detection Time of X is 5 x 500 ms, longer than X's
 * AdminDown interval (1 s, jittered down to 0.75 s), so the repeat
 * arrives in time: Y goes Down with diag 3 (Neighbor Signaled Session
 * Down), no nexthop failure; with one AdminDown only, and that one lost,
 * Y would report diag 1 (Control Detection Time Expired) at
 * deconfiguration (RFC 5882 §8). Then Y's
 * Down answer ends X's goodbye: X's session leaves the table. */
static void test_remove_lost_admin_down(void) {
  side x, y;
  wire r3, r4;
  bfd_uv_peer_config c;
  side_open(&x, "X", "127.0.0.1", 0, 0);
  side_open(&y, "Y", "127.0.0.2", 0, 0);
  wire_open(&r3, "relay X->Y", "127.0.0.3", (uint16_t)(base_port + 1));
  wire_open(&r4, "relay Y->X", "127.0.0.4", (uint16_t)(base_port + 1));
  r3.fwd = &r4;
  r3.fwd_dst = sin_of("127.0.0.2", base_port);
  r4.fwd = &r3;
  r4.fwd_dst = sin_of("127.0.0.1", base_port);
  peer_cfg(&c, "127.0.0.1", "127.0.0.3", (uint16_t)(base_port + 1));
  c.session.detect_mult = 5;
  set_key(&c, &auth_key);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_add(x.a, &x.s, &c, NULL), 0);
  peer_cfg(&c, "127.0.0.2", "127.0.0.4", (uint16_t)(base_port + 1));
  c.session.required_min_rx_us = 500000;
  set_key(&c, &auth_key);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_add(y.a, &y.s, &c, NULL), 0);
  CU_ASSERT_FATAL(up_within(&x, &y, 5000));
  run_for(1200); /* past the Polls of coming Up: the negotiated rates */
  CU_ASSERT_EQUAL_FATAL(y.state, BFD_STATE_UP);
  r3.drop_admin_down = 1;
  CU_ASSERT_EQUAL(bfd_uv_peer_remove(x.a, x.s), 0);
  CU_ASSERT(run_until(is_down, &y, 4000));
  CU_ASSERT_EQUAL(y.last_ev.new_state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(y.last_ev.local_diag, BFD_DIAG_NEIGHBOR_DOWN);
  CU_ASSERT_EQUAL(y.last_ev.remote_state, BFD_STATE_ADMIN_DOWN);
  CU_ASSERT_EQUAL(y.nh_down_failure, 0);
  printf("  relay saw %u AdminDown packet(s) from X\n", r3.n_admin_down);
  CU_ASSERT(r3.n_admin_down >= 2);
  CU_ASSERT(run_until(table_empty, &x, 3000)); /* the goodbye ended on Y's answer */
  CU_ASSERT_EQUAL(x.errors, 0);
  CU_ASSERT_EQUAL(y.errors, 0);
  side_close(&x);
  side_close(&y);
  wire_close(&r3);
  wire_close(&r4);
}

/* ---- the lifecycle ------------------------------------------------------ */

/* bfd_uv_peer_remove() then bfd_uv_del() at once: the goodbye still runs,
 * Y hears AdminDown (diag 3, no nexthop failure), X closes once Y's answer
 * ended it. The table is no longer the host's meanwhile. */
static void test_del_finishes_goodbye(void) {
  side x, y;
  up_pair(&x, &y, NULL);
  CU_ASSERT_EQUAL(bfd_uv_peer_remove(x.a, x.s), 0);
  CU_ASSERT_EQUAL(bfd_uv_peer_remove(x.a, x.s), BFD_ERR_INVALID_ARGUMENT); /* removed already */
  CU_ASSERT_EQUAL(table_size(&x), 1);                                      /* saying goodbye */
  bfd_uv_del(x.a, on_closed);
  CU_ASSERT_PTR_NULL(bfd_uv_get_table(x.a));
  CU_ASSERT(run_until(is_closed, &x, 3000));
  CU_ASSERT_EQUAL(y.state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(y.last_ev.local_diag, BFD_DIAG_NEIGHBOR_DOWN);
  CU_ASSERT_EQUAL(y.last_ev.remote_diag, BFD_DIAG_ADMIN_DOWN);
  CU_ASSERT_EQUAL(y.nh_down_failure, 0);
  x.a = NULL;
  side_close(&y);
}

/* bfd_uv_shutdown(): every peer says goodbye, then the adapter closes. */
static void test_shutdown(void) {
  side x, y;
  up_pair(&x, &y, NULL);
  bfd_uv_shutdown(x.a, on_closed);
  CU_ASSERT(run_until(is_closed, &x, 3000));
  CU_ASSERT_EQUAL(y.state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(y.last_ev.local_diag, BFD_DIAG_NEIGHBOR_DOWN);
  CU_ASSERT_EQUAL(y.nh_down_failure, 0);
  x.a = NULL;
  side_close(&y);
}

/* A second bfd_uv_del() ends goodbyes at once: Y is gone without a word,
 * so X's goodbye would run its whole Detection Time (3 x 1 s). */
static void test_second_del(void) {
  side x, y;
  up_pair(&x, &y, NULL);
  side_close(&y);
  CU_ASSERT_EQUAL(bfd_uv_peer_remove(x.a, x.s), 0);
  bfd_uv_del(x.a, on_closed);
  run_for(300);
  CU_ASSERT_FALSE(x.closed);
  bfd_uv_del(x.a, NULL);
  CU_ASSERT(run_until(is_closed, &x, 500));
  x.a = NULL;
}

/* Removed and configured again before the goodbye ended: the new session
 * takes the key at once (no BFD_ERR_EXISTS) and comes Up. */
static void test_readd_during_goodbye(void) {
  side x, y;
  bfd_uv_peer_config c;
  up_pair(&x, &y, NULL);
  CU_ASSERT_EQUAL(bfd_uv_peer_remove(x.a, x.s), 0);
  CU_ASSERT_EQUAL(table_size(&x), 1);
  peer_cfg(&c, "127.0.0.1", "127.0.0.2", base_port);
  CU_ASSERT_EQUAL(bfd_uv_peer_add(x.a, &x.s, &c, NULL), 0);
  CU_ASSERT_EQUAL(table_size(&x), 1);
  x.state = BFD_STATE_DOWN;
  CU_ASSERT(up_within(&x, &y, 5000));
  side_close(&x);
  side_close(&y);
}

/* bfd_uv_set_responder(): a multihop responder with a key ring, signing
 * with the second key; an active multihop peer using that key comes Up. */
static void test_set_responder(void) {
  side x, y;
  bfd_responder_settings rs;
  bfd_uv_peer_config c;
  bfd_uv_peer_info info;
  side_open(&y, "Y", "127.0.0.2", 0, 0);
  side_listen(&y, BFD_MODE_MULTIHOP, "127.0.0.2");
  bfd_responder_settings_init(BFD_RESPONDER_SETTINGS_VERSION, &rs);
  CU_ASSERT_EQUAL(bfd_uv_set_responder(NULL, &rs), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_uv_set_responder(y.a, NULL), BFD_ERR_INVALID_ARGUMENT);
  rs.struct_version = 99;
  CU_ASSERT_EQUAL(bfd_uv_set_responder(y.a, &rs), BFD_ERR_VERSION);
  bfd_responder_settings_init(BFD_RESPONDER_SETTINGS_VERSION, &rs);
  rs.max_sessions = 1;
  rs.session.mode = BFD_MODE_MULTIHOP;
  rs.session.desired_min_tx_us = 100000;
  rs.session.required_min_rx_us = 100000;
  rs.nkeys = 2;
  rs.keys[0] = auth_key;
  rs.keys[1] = auth_key;
  rs.keys[1].key_id = 8;
  rs.keys[1].secret[0] ^= 1;
  rs.tx_key_id = 9; /* no such key */
  CU_ASSERT_EQUAL(bfd_uv_set_responder(y.a, &rs), BFD_ERR_CFG_AUTH);
  rs.tx_key_id = 8;
  CU_ASSERT_EQUAL_FATAL(bfd_uv_set_responder(y.a, &rs), 0);
  side_open(&x, "X", "127.0.0.1", 0, 0);
  side_listen(&x, BFD_MODE_MULTIHOP, "127.0.0.1");
  peer_cfg(&c, "127.0.0.1", "127.0.0.2", (uint16_t)(base_port + 2));
  c.session.mode = BFD_MODE_MULTIHOP;
  set_key(&c, &rs.keys[1]);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_add(x.a, &x.s, &c, NULL), 0);
  CU_ASSERT(up_within(&x, &y, 5000));
  CU_ASSERT_EQUAL(y.n_created, 1);
  info.struct_version = BFD_UV_PEER_INFO_VERSION;
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_get_info(y.s, &info), 0);
  CU_ASSERT_EQUAL(info.auto_created, 1);
  CU_ASSERT_EQUAL(bfd_session_auth_get_tx_key(y.s), 8);
  CU_ASSERT_EQUAL(bfd_table_responder_count(bfd_uv_get_table(y.a)), 1);
  side_close(&x);
  side_close(&y);
}

/* The auto_* shorthand answers multihop too (one template for both modes,
 * the session takes the packet's): an active multihop peer comes Up with
 * a responder that only set max_auto_sessions and opened a multihop
 * listener. */
static void test_auto_multihop(void) {
  side x, y;
  bfd_uv_peer_config c;
  bfd_session_settings ss;
  side_open(&y, "Y", "127.0.0.2", 1, 0);
  side_listen(&y, BFD_MODE_MULTIHOP, "127.0.0.2");
  side_open(&x, "X", "127.0.0.1", 0, 0);
  side_listen(&x, BFD_MODE_MULTIHOP, "127.0.0.1");
  peer_cfg(&c, "127.0.0.1", "127.0.0.2", (uint16_t)(base_port + 2));
  c.session.mode = BFD_MODE_MULTIHOP;
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_add(x.a, &x.s, &c, NULL), 0);
  CU_ASSERT(up_within(&x, &y, 5000));
  CU_ASSERT_EQUAL(y.n_created, 1);
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_settings(y.s, &ss), 0);
  CU_ASSERT_EQUAL(ss.mode, BFD_MODE_MULTIHOP);
  CU_ASSERT_EQUAL(ss.desired_min_tx_us, 100000); /* the auto_* template */
  side_close(&x);
  side_close(&y);
}

/* The core's lifecycle and veto callbacks belong to the adapter; version 1
 * core callbacks (before they existed) are accepted. */
static void test_new_core_callbacks(void) {
  bfd_uv *a;
  bfd_callbacks cb;
  side x;
  bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb);
  cb.session = (bfd_session_event_cb)1;
  CU_ASSERT_EQUAL(bfd_uv_new(&a, &loop, NULL, &cb, NULL, NULL, NULL), BFD_ERR_INVALID_ARGUMENT);
  bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb);
  cb.responder_accept = (bfd_responder_accept_cb)1;
  CU_ASSERT_EQUAL(bfd_uv_new(&a, &loop, NULL, &cb, NULL, NULL, NULL), BFD_ERR_INVALID_ARGUMENT);
  bfd_callbacks_init(1, &cb);
  cb.state_change = on_state;
  memset(&x, 0, sizeof(x));
  x.name = "v1";
  CU_ASSERT_EQUAL_FATAL(bfd_uv_new(&x.a, &loop, NULL, &cb, NULL, NULL, &x), 0);
  side_close(&x);
  cb.struct_version = 99;
  CU_ASSERT_EQUAL(bfd_uv_new(&a, &loop, NULL, &cb, NULL, NULL, NULL), BFD_ERR_VERSION);
}

/* The core's params and auth_failure events reach the host's callbacks
 * through the adapter (with its user_data): without them a host has to
 * poll every session's status. */
static void test_core_events(void) {
  side x, y;
  bfd_uv_peer_config c;
  bfd_auth_key wrong = auth_key;
  up_pair(&x, &y, NULL);
  run_for(300);
  printf("  params events: X %u, Y %u\n", x.n_params, y.n_params);
  CU_ASSERT(x.n_params > 0);
  CU_ASSERT(y.n_params > 0);
  CU_ASSERT_EQUAL(bfd_uv_peer_remove(x.a, x.s), 0);
  CU_ASSERT(run_until(table_empty, &x, 3000));
  /* X signs with a wrong secret (or password): Y reports the failures. */
  peer_cfg(&c, "127.0.0.1", "127.0.0.2", base_port);
  wrong.secret[0] ^= 1;
  set_key(&c, &wrong);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_add(x.a, &x.s, &c, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_session_auth_add_key(y.s, &auth_key), 0);
  run_for(2500);
  CU_ASSERT(y.n_auth_failures > 0);
  side_close(&x);
  side_close(&y);
}

int main(void) {
  CU_TestInfo tests[] = {{"admin_down_slots", test_admin_down_slots},
                         {"spoofed_down_slots", test_spoofed_down_slots},
                         {"veto", test_veto},
                         {"remove_passive_silent", test_remove_passive_silent},
                         {"remove_signed", test_remove_signed},
                         {"remove_not_up_once", test_remove_not_up_once},
                         {"remove_lost_admin_down", test_remove_lost_admin_down},
                         {"del_finishes_goodbye", test_del_finishes_goodbye},
                         {"shutdown", test_shutdown},
                         {"second_del", test_second_del},
                         {"readd_during_goodbye", test_readd_during_goodbye},
                         {"set_responder", test_set_responder},
                         {"auto_multihop", test_auto_multihop},
                         {"new_core_callbacks", test_new_core_callbacks},
                         {"core_events", test_core_events},
                         CU_TEST_INFO_NULL};
  return fx_run_suite("uv_responder", tests);
}
