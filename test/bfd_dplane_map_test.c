/* bfddp mapper (lib/bfd_dplane_map.c): bfdd's messages applied to a table,
 * the table's changes reported back. The "bfdd" side of each test is a
 * second bfd_dplane_conn that parses what the mapper queued. */
#include <bfd/bfd_dplane.h>

#include <string.h>

#include "bfd_harness.h"
#include "bt_peer.h"

#define MS BFD_MILLISECONDS
#define LID 0x11223344u
#define PEER_DISCR 0x7777u
#define LOCAL4 0x0a000001u /* 10.0.0.1 */
#define PEER4 0x0a000002u  /* 10.0.0.2 */

typedef struct fx {
  bfd_table *table;
  bfd_dplane_map *map;
  bfd_dplane_conn *conn;  /* ours */
  bfd_dplane_conn *bfdd;  /* parses what we send */
  bfd_dplane_msg out[64]; /* messages bfdd received */
  size_t nout;
  int cb_err;
} fx;

static fx F;

/* The table's state and params events both tell the mapper, as a host does. */
static int changed(bfd_session *s, fx *f) {
  int rv = bfd_dplane_map_session_changed(f->map, s);
  if (rv < 0)
    f->cb_err = rv;
  return 0;
}
static int on_state(bfd_session *s, const bfd_state_event *ev, void *ud) {
  (void)ev;
  return changed(s, ud);
}
static int on_params(bfd_session *s, const bfd_params_event *ev, void *ud) {
  (void)ev;
  return changed(s, ud);
}

static void fx_init(fx *f) {
  memset(f, 0, sizeof(*f));
  bfd_callbacks cb;
  bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb);
  cb.state_change = on_state;
  cb.params = on_params;
  CU_ASSERT_EQUAL_FATAL(bfd_table_new(&f->table, &cb, NULL, f), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_dplane_map_new(&f->map, f->table, NULL, NULL, f), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_dplane_conn_new(&f->conn, NULL, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_dplane_conn_new(&f->bfdd, NULL, NULL), 0);
  CU_ASSERT_EQUAL(bfd_dplane_map_attach(f->map, f->conn), 0);
}

static void fx_fini(fx *f) {
  CU_ASSERT_EQUAL(f->cb_err, 0);
  bfd_dplane_map_attach(f->map, NULL);
  bfd_dplane_map_del(f->map);
  bfd_table_del(f->table);
  bfd_dplane_conn_del(f->conn);
  bfd_dplane_conn_del(f->bfdd);
}

/* Move what we queued to bfdd's side; returns how many messages came. */
static size_t fx_flush(fx *f) {
  uint8_t buf[4096];
  ptrdiff_t n;
  f->nout = 0;
  while ((n = bfd_dplane_conn_poll(f->conn, buf, sizeof(buf))) > 0)
    CU_ASSERT_EQUAL(bfd_dplane_conn_feed(f->bfdd, buf, (size_t)n), 0);
  while (f->nout < 64 && bfd_dplane_conn_next_msg(f->bfdd, &f->out[f->nout]) == 1)
    f->nout++;
  return f->nout;
}

static bfd_dplane_msg add_msg(uint32_t lid, uint32_t flags) {
  bfd_dplane_msg m;
  bfd_dplane_msg_init(&m, 1, BFD_DPLANE_ADD_SESSION, 0);
  m.session.flags = flags;
  bt_put4(m.session.src, LOCAL4);
  bt_put4(m.session.dst, PEER4);
  m.session.lid = lid;
  m.session.min_tx_us = 100000;
  m.session.min_rx_us = 100000;
  m.session.min_echo_tx_us = 50000;
  m.session.min_echo_rx_us = 50000;
  m.session.ttl = (flags & BFD_DPLANE_F_MULTIHOP) ? 254 : 255;
  m.session.detect_mult = 3;
  m.session.ifindex = 7;
  memcpy(m.session.ifname, "veth-a", 6);
  return m;
}

/* The peer's packet into the table. */
static void peer_says(fx *f, uint8_t state, uint32_t your, uint64_t now) {
  bt_peer p = bt_peer_make(state, PEER_DISCR, your, 100000);
  uint8_t buf[BFD_CTRL_LEN_MAX];
  size_t len = bt_peer_encode(&p, buf);
  bfd_rx_info ri = bt_ri4(BFD_MODE_SINGLE_HOP, LOCAL4, PEER4, 7);
  CU_ASSERT(bfd_table_feed_packet(f->table, buf, len, &ri, now, NULL) >= 0);
}

static const bfd_dplane_state *last_state(const fx *f) {
  for (size_t i = f->nout; i > 0; i--)
    if (f->out[i - 1].type == BFD_DPLANE_STATE_CHANGE)
      return &f->out[i - 1].state;
  return NULL;
}

/* fx_init, then bfdd adds lid LID with `flags` at 1 ms; returns the ADD. */
static bfd_dplane_msg fx_add(fx *f, uint32_t flags) {
  fx_init(f);
  bfd_dplane_msg m = add_msg(LID, flags);
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, &m, 1 * MS), 0);
  return m;
}

/* fx_init, then bfdd adds `m` and the peer brings it Up (Down, then Up at
 * 10 and 20 ms); what was sent to bfdd so far is flushed. */
static void fx_up(fx *f, const bfd_dplane_msg *m) {
  fx_init(f);
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, m, 1 * MS), 0);
  peer_says(f, BFD_STATE_DOWN, 0, 10 * MS);
  peer_says(f, BFD_STATE_UP, m->session.lid, 20 * MS);
  fx_flush(f);
}

/* bfdd went away and a new connection came: fresh streams, attached. */
static void fx_reconnect(fx *f) {
  bfd_dplane_conn_del(f->conn);
  bfd_dplane_conn_del(f->bfdd);
  CU_ASSERT_EQUAL_FATAL(bfd_dplane_conn_new(&f->conn, NULL, NULL), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_dplane_conn_new(&f->bfdd, NULL, NULL), 0);
  CU_ASSERT_EQUAL(bfd_dplane_map_attach(f->map, f->conn), 0);
}

static void test_translate(void) {
  bfd_dplane_msg m = add_msg(LID, BFD_DPLANE_F_PASSIVE | BFD_DPLANE_F_CBIT | BFD_DPLANE_F_ECHO);
  bfd_session_settings st;
  bfd_session_key key;
  CU_ASSERT_EQUAL_FATAL(bfd_dplane_session_to_core(&m.session, &st, &key), 0);
  CU_ASSERT_EQUAL(st.local_discr, LID);
  CU_ASSERT_EQUAL(st.desired_min_tx_us, 100000);
  CU_ASSERT_EQUAL(st.required_min_rx_us, 100000);
  CU_ASSERT_EQUAL(st.required_min_echo_rx_us, 0); /* no echo function */
  CU_ASSERT_EQUAL(st.detect_mult, 3);
  CU_ASSERT_EQUAL(st.mode, BFD_MODE_SINGLE_HOP);
  CU_ASSERT_EQUAL(st.min_rx_ttl, 0); /* the core's 255 */
  CU_ASSERT_EQUAL(st.passive, 1);
  CU_ASSERT_EQUAL(st.admin_down, 0);
  CU_ASSERT_EQUAL(st.cpi, 1);
  bfd_session_key want = bt_key4(BFD_MODE_SINGLE_HOP, LOCAL4, PEER4, 7);
  CU_ASSERT(memcmp(&key, &want, sizeof(key)) == 0);
  /* Multihop: bfdd's minimum TTL, any interface; IPv6 addresses. */
  m = add_msg(LID, BFD_DPLANE_F_MULTIHOP | BFD_DPLANE_F_SHUTDOWN | BFD_DPLANE_F_IPV6);
  bt_addr6(m.session.src, 0, 1);
  bt_addr6(m.session.dst, 0, 2);
  CU_ASSERT_EQUAL_FATAL(bfd_dplane_session_to_core(&m.session, &st, &key), 0);
  CU_ASSERT_EQUAL(st.mode, BFD_MODE_MULTIHOP);
  CU_ASSERT_EQUAL(st.min_rx_ttl, 254);
  CU_ASSERT_EQUAL(st.admin_down, 1);
  CU_ASSERT_EQUAL(key.mode, BFD_MODE_MULTIHOP);
  CU_ASSERT_EQUAL(key.family, BFD_AF_INET6);
  CU_ASSERT_EQUAL(key.ifindex, 0);
  CU_ASSERT(memcmp(key.peer, m.session.dst, 16) == 0);
  CU_ASSERT(memcmp(key.local, m.session.src, 16) == 0);
  CU_ASSERT_EQUAL(bfd_session_settings_check(&st), 0);
  m.session.lid = 0;
  CU_ASSERT_EQUAL(bfd_dplane_session_to_core(&m.session, &st, &key), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_dplane_session_to_core(NULL, &st, &key), BFD_ERR_INVALID_ARGUMENT);
}

/* ADD creates a session with bfdd's lid and reports it Down; the same ADD
 * again changes nothing and reports nothing. */
static void test_add(void) {
  fx *f = &F;
  bfd_dplane_msg m = fx_add(f, 0);
  CU_ASSERT_EQUAL(bfd_table_size(f->table), 1);
  CU_ASSERT_EQUAL(bfd_dplane_map_size(f->map), 1);
  bfd_session *s = bfd_dplane_map_find(f->map, LID);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_PTR_EQUAL(bfd_table_find_discr(f->table, LID), s);
  CU_ASSERT_EQUAL(bfd_session_get_local_discr(s), LID);
  CU_ASSERT_EQUAL_FATAL(fx_flush(f), 1);
  CU_ASSERT_EQUAL(f->out[0].type, BFD_DPLANE_STATE_CHANGE);
  CU_ASSERT_EQUAL(f->out[0].id, 0);
  CU_ASSERT_EQUAL(f->out[0].state.lid, LID);
  CU_ASSERT_EQUAL(f->out[0].state.rid, 0);
  CU_ASSERT_EQUAL(f->out[0].state.state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, &m, 2 * MS), 0);
  CU_ASSERT_EQUAL(fx_flush(f), 0);
  CU_ASSERT_EQUAL(bfd_table_size(f->table), 1);
  /* A second lid is a second session; a fixed lid in use by a session of
   * another key is the core's EXISTS. */
  bfd_dplane_msg m2 = add_msg(LID + 1, 0);
  bt_put4(m2.session.dst, PEER4 + 1);
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, &m2, 3 * MS), 0);
  CU_ASSERT_EQUAL(bfd_dplane_map_size(f->map), 2);
  CU_ASSERT_PTR_NULL(bfd_dplane_map_find(f->map, 5));
  /* Errors: a zero lid, a zero Detect Mult; nothing changes. */
  m2 = add_msg(0, 0);
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, &m2, 4 * MS), BFD_ERR_INVALID_ARGUMENT);
  m2 = add_msg(LID + 2, 0);
  m2.session.detect_mult = 0;
  bt_put4(m2.session.dst, PEER4 + 2);
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, &m2, 4 * MS), BFD_ERR_CFG_DETECT_MULT);
  CU_ASSERT_EQUAL(bfd_dplane_map_size(f->map), 2);
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(NULL, &m2, 4 * MS), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, NULL, 4 * MS), BFD_ERR_INVALID_ARGUMENT);
  fx_fini(f);
}

/* Every state change and remote-parameter change reaches bfdd once, with
 * our state and diag, the remote's discriminator and timers. */
static void test_state_changes(void) {
  fx *f = &F;
  fx_add(f, 0);
  fx_flush(f);
  peer_says(f, BFD_STATE_DOWN, 0, 10 * MS);
  CU_ASSERT(fx_flush(f) >= 1);
  const bfd_dplane_state *st = last_state(f);
  CU_ASSERT_PTR_NOT_NULL_FATAL(st);
  CU_ASSERT_EQUAL(st->state, BFD_STATE_INIT);
  CU_ASSERT_EQUAL(st->rid, PEER_DISCR);
  CU_ASSERT_EQUAL(st->desired_tx_us, 100000);
  CU_ASSERT_EQUAL(st->required_rx_us, 100000);
  CU_ASSERT_EQUAL(st->detect_mult, 3);
  peer_says(f, BFD_STATE_UP, LID, 20 * MS);
  CU_ASSERT_EQUAL(fx_flush(f), 1);
  st = last_state(f);
  CU_ASSERT_PTR_NOT_NULL_FATAL(st);
  CU_ASSERT_EQUAL(st->state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(st->diag, 0);
  /* The same packet again: nothing new. */
  peer_says(f, BFD_STATE_UP, LID, 30 * MS);
  CU_ASSERT_EQUAL(fx_flush(f), 0);
  /* The peer slows down: a parameter change, same state. */
  bt_peer p = bt_peer_make(BFD_STATE_UP, PEER_DISCR, LID, 200000);
  uint8_t buf[BFD_CTRL_LEN_MAX];
  size_t len = bt_peer_encode(&p, buf);
  bfd_rx_info ri = bt_ri4(BFD_MODE_SINGLE_HOP, LOCAL4, PEER4, 7);
  CU_ASSERT(bfd_table_feed_packet(f->table, buf, len, &ri, 40 * MS, NULL) >= 0);
  CU_ASSERT_EQUAL(fx_flush(f), 1);
  st = last_state(f);
  CU_ASSERT_PTR_NOT_NULL_FATAL(st);
  CU_ASSERT_EQUAL(st->state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(st->desired_tx_us, 200000);
  /* Silence: Down with diag 1 after the Detection Time. */
  CU_ASSERT_EQUAL(bfd_table_feed_time(f->table, 40 * MS + 3 * 200 * MS + 1), 0);
  fx_flush(f);
  st = last_state(f);
  CU_ASSERT_PTR_NOT_NULL_FATAL(st);
  CU_ASSERT_EQUAL(st->state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(st->diag, BFD_DIAG_DETECT_EXPIRED);
  fx_fini(f);
}

/* SHUTDOWN: AdminDown with diag 7 (the peer is told), and back to Down. */
static void test_shutdown(void) {
  fx *f = &F;
  bfd_dplane_msg m = add_msg(LID, 0);
  fx_up(f, &m);
  m.session.flags |= BFD_DPLANE_F_SHUTDOWN;
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, &m, 30 * MS), 0);
  CU_ASSERT_EQUAL(fx_flush(f), 1);
  CU_ASSERT_EQUAL(f->out[0].state.state, BFD_STATE_ADMIN_DOWN);
  CU_ASSERT_EQUAL(f->out[0].state.diag, BFD_DIAG_ADMIN_DOWN);
  bfd_session *s = NULL;
  uint8_t buf[BFD_CTRL_LEN_MAX];
  bfd_ctrl_pkt pkt;
  ptrdiff_t n = bfd_table_poll_packet(f->table, &s, buf, sizeof(buf), 30 * MS);
  CU_ASSERT_FATAL(n > 0);
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&pkt, buf, (size_t)n), 0);
  CU_ASSERT_EQUAL(pkt.state, BFD_STATE_ADMIN_DOWN);
  CU_ASSERT_EQUAL(pkt.diag, BFD_DIAG_ADMIN_DOWN);
  m.session.flags &= ~(uint32_t)BFD_DPLANE_F_SHUTDOWN;
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, &m, 40 * MS), 0);
  CU_ASSERT_EQUAL(fx_flush(f), 1);
  CU_ASSERT_EQUAL(f->out[0].state.state, BFD_STATE_DOWN);
  fx_fini(f);
}

/* PASSIVE: no packet until the peer speaks (RFC 5880 §6.1). */
static void test_passive(void) {
  fx *f = &F;
  fx_add(f, BFD_DPLANE_F_PASSIVE);
  uint8_t buf[BFD_CTRL_LEN_MAX];
  for (uint64_t t = 1; t < 3000; t += 100)
    CU_ASSERT_EQUAL(bfd_table_poll_packet(f->table, NULL, buf, sizeof(buf), t * MS), 0);
  peer_says(f, BFD_STATE_DOWN, 0, 3000 * MS);
  CU_ASSERT(bfd_table_poll_packet(f->table, NULL, buf, sizeof(buf), 3000 * MS) > 0);
  fx_fini(f);
}

/* Counters are answered at once, with the request's id; an unknown lid with
 * zeros (bfdd blocks for the reply). */
static void test_counters(void) {
  fx *f = &F;
  fx_add(f, 0);
  uint8_t buf[BFD_CTRL_LEN_MAX];
  unsigned tx = 0;
  while (bfd_table_poll_packet(f->table, NULL, buf, sizeof(buf), 2 * MS) > 0)
    tx++;
  peer_says(f, BFD_STATE_DOWN, 0, 10 * MS);
  peer_says(f, BFD_STATE_UP, LID, 20 * MS);
  fx_flush(f);
  bfd_dplane_msg req;
  bfd_dplane_msg_init(&req, 1, BFD_DPLANE_REQUEST_COUNTERS, 0x0102);
  req.counters_lid = LID;
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, &req, 30 * MS), 0);
  req.id = 0x0103;
  req.counters_lid = 99;
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, &req, 30 * MS), 0);
  CU_ASSERT_EQUAL_FATAL(fx_flush(f), 2);
  const bfd_dplane_msg *r = &f->out[0];
  CU_ASSERT_EQUAL(r->type, BFD_DPLANE_SESSION_COUNTERS);
  CU_ASSERT_EQUAL(r->id, 0x0102);
  CU_ASSERT_EQUAL(r->counters.lid, LID);
  bfd_session_status st = bt_status(bfd_dplane_map_find(f->map, LID));
  CU_ASSERT_EQUAL(r->counters.ctrl_in_pkts, 2);
  CU_ASSERT_EQUAL(r->counters.ctrl_in_pkts, st.rx_packets);
  CU_ASSERT_EQUAL(r->counters.ctrl_in_bytes, 2 * 24);
  CU_ASSERT_EQUAL(r->counters.ctrl_out_pkts, st.tx_packets);
  CU_ASSERT_EQUAL(r->counters.ctrl_out_pkts, tx);
  CU_ASSERT_EQUAL(r->counters.ctrl_out_bytes, 24 * st.tx_packets);
  CU_ASSERT_EQUAL(r->counters.echo_in_pkts, 0);
  r = &f->out[1];
  CU_ASSERT_EQUAL(r->id, 0x0103);
  CU_ASSERT_EQUAL(r->counters.lid, 99);
  CU_ASSERT_EQUAL(r->counters.ctrl_in_pkts, 0);
  /* Echo: dp_time echoed. */
  bfd_dplane_msg e;
  bfd_dplane_msg_init(&e, 1, BFD_DPLANE_ECHO_REQUEST, 9);
  e.echo.dp_time = 0x0102030405060708ull;
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, &e, 5000 * MS), 0);
  CU_ASSERT_EQUAL_FATAL(fx_flush(f), 1);
  CU_ASSERT_EQUAL(f->out[0].type, BFD_DPLANE_ECHO_REPLY);
  CU_ASSERT_EQUAL(f->out[0].id, 9);
  CU_ASSERT_EQUAL(f->out[0].echo.dp_time, 0x0102030405060708ull);
  CU_ASSERT_EQUAL(f->out[0].echo.bfdd_time, 5000000);
  /* What only bfdd receives is ignored. */
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, &f->out[0], 5000 * MS), 0);
  CU_ASSERT_EQUAL(fx_flush(f), 0);
  fx_fini(f);
}

/* DELETE: forgotten at once, AdminDown diag 7 to the peer (goodbye), freed
 * by the table when the goodbye is done. */
static void test_delete(void) {
  fx *f = &F;
  bfd_dplane_msg m = add_msg(LID, 0);
  fx_up(f, &m);
  uint8_t buf[BFD_CTRL_LEN_MAX];
  while (bfd_table_poll_packet(f->table, NULL, buf, sizeof(buf), 20 * MS) > 0)
    ;
  bfd_dplane_msg d = m;
  d.type = BFD_DPLANE_DELETE_SESSION;
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, &d, 30 * MS), 0);
  CU_ASSERT_EQUAL(bfd_dplane_map_size(f->map), 0);
  CU_ASSERT_EQUAL(fx_flush(f), 0); /* bfdd is not told about a deleted session */
  CU_ASSERT_EQUAL(bfd_table_size(f->table), 1); /* saying goodbye */
  bfd_ctrl_pkt pkt;
  ptrdiff_t n = bfd_table_poll_packet(f->table, NULL, buf, sizeof(buf), 30 * MS);
  CU_ASSERT_FATAL(n > 0);
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&pkt, buf, (size_t)n), 0);
  CU_ASSERT_EQUAL(pkt.state, BFD_STATE_ADMIN_DOWN);
  CU_ASSERT_EQUAL(pkt.diag, BFD_DIAG_ADMIN_DOWN);
  /* The peer goes Down: the goodbye is done, the session freed. */
  peer_says(f, BFD_STATE_DOWN, LID, 40 * MS);
  bfd_table_feed_time(f->table, 41 * MS);
  CU_ASSERT_EQUAL(bfd_table_size(f->table), 0);
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, &d, 50 * MS), BFD_ERR_NOT_FOUND);
  /* DELETE then ADD of the same lid while the goodbye runs: a new session. */
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, &m, 60 * MS), 0);
  peer_says(f, BFD_STATE_DOWN, 0, 70 * MS);
  peer_says(f, BFD_STATE_UP, LID, 80 * MS);
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, &d, 90 * MS), 0);
  CU_ASSERT_EQUAL(bfd_table_size(f->table), 1);
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, &m, 100 * MS), 0);
  CU_ASSERT_EQUAL(bfd_table_size(f->table), 1);
  CU_ASSERT_EQUAL(bfd_dplane_map_size(f->map), 1);
  CU_ASSERT_EQUAL(bfd_session_get_state(bfd_dplane_map_find(f->map, LID)), BFD_STATE_DOWN);
  fx_fini(f);
}

/* A new key under a known lid replaces the session. */
static void test_key_change(void) {
  fx *f = &F;
  bfd_dplane_msg m = fx_add(f, 0);
  bfd_session *old = bfd_dplane_map_find(f->map, LID);
  bt_put4(m.session.dst, PEER4 + 5);
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, &m, 2 * MS), 0);
  bfd_session *s = bfd_dplane_map_find(f->map, LID);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  bfd_session_key key;
  CU_ASSERT_EQUAL(bfd_session_get_key(s, &key), 0);
  bfd_session_key want = bt_key4(BFD_MODE_SINGLE_HOP, LOCAL4, PEER4 + 5, 7);
  CU_ASSERT(memcmp(&key, &want, sizeof(key)) == 0);
  CU_ASSERT_EQUAL(bfd_table_size(f->table), 1); /* the old one (never Up) went at once */
  (void)old;
  /* Multihop on the same lid: mode cannot change either. */
  m = add_msg(LID, BFD_DPLANE_F_MULTIHOP);
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, &m, 3 * MS), 0);
  bfd_session_status st = bt_status(bfd_dplane_map_find(f->map, LID));
  CU_ASSERT_EQUAL(st.mode, BFD_MODE_MULTIHOP);
  fx_fini(f);
}

/* bfdd goes away: sessions keep running, nothing is sent; on reconnect the
 * ADDs bring the current state (Up, no flap) and the sweep removes what
 * bfdd no longer has. */
static void test_reconnect(void) {
  fx *f = &F;
  bfd_dplane_msg a = add_msg(LID, 0), b = add_msg(LID + 1, 0);
  bt_put4(b.session.dst, PEER4 + 1);
  fx_up(f, &a);
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, &b, 21 * MS), 0);
  fx_flush(f);
  CU_ASSERT_EQUAL(bfd_dplane_map_attach(f->map, NULL), 0);
  peer_says(f, BFD_STATE_UP, LID, 30 * MS);
  CU_ASSERT_EQUAL(bfd_dplane_map_sweep(f->map, 30 * MS), 0); /* no connection: nothing */
  fx_reconnect(f);
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, &a, 40 * MS), 0);
  CU_ASSERT_EQUAL_FATAL(fx_flush(f), 1);
  CU_ASSERT_EQUAL(f->out[0].state.lid, LID);
  CU_ASSERT_EQUAL(f->out[0].state.state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(f->out[0].state.rid, PEER_DISCR);
  CU_ASSERT_EQUAL(bfd_dplane_map_sweep(f->map, 50 * MS), 1);
  CU_ASSERT_EQUAL(bfd_dplane_map_size(f->map), 1);
  CU_ASSERT_PTR_NULL(bfd_dplane_map_find(f->map, LID + 1));
  CU_ASSERT_EQUAL(bfd_dplane_map_sweep(f->map, 60 * MS), 0);
  CU_ASSERT_EQUAL(bfd_dplane_map_sweep(NULL, 60 * MS), BFD_ERR_INVALID_ARGUMENT);
  fx_fini(f);
}

/* A restarted bfdd sends the same peer under a new lid: the running session
 * answers to it (same session, its discriminator unchanged on the wire, no
 * flap), its state reported under the new lid, changes too. */
static void test_relearn_new_lid(void) {
  fx *f = &F;
  bfd_dplane_msg a = add_msg(LID, 0);
  fx_up(f, &a);
  bfd_session *s = bfd_dplane_map_find(f->map, LID);
  fx_reconnect(f);
  a.session.lid = LID + 10;
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, &a, 30 * MS), 0);
  CU_ASSERT_PTR_EQUAL(bfd_dplane_map_find(f->map, LID + 10), s);
  CU_ASSERT_PTR_NULL(bfd_dplane_map_find(f->map, LID));
  CU_ASSERT_EQUAL(bfd_session_get_local_discr(s), LID);
  CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_UP);
  CU_ASSERT_EQUAL_FATAL(fx_flush(f), 1);
  CU_ASSERT_EQUAL(f->out[0].state.lid, LID + 10);
  CU_ASSERT_EQUAL(f->out[0].state.state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(bfd_dplane_map_sweep(f->map, 40 * MS), 0);
  /* A later change is reported under bfdd's lid. */
  CU_ASSERT_EQUAL(bfd_table_feed_time(f->table, 2000 * MS), 0);
  fx_flush(f);
  const bfd_dplane_state *st = last_state(f);
  CU_ASSERT_PTR_NOT_NULL_FATAL(st);
  CU_ASSERT_EQUAL(st->lid, LID + 10);
  CU_ASSERT_EQUAL(st->state, BFD_STATE_DOWN);
  /* Counters and DELETE by the new lid. */
  bfd_dplane_msg req;
  bfd_dplane_msg_init(&req, 1, BFD_DPLANE_REQUEST_COUNTERS, 4);
  req.counters_lid = LID + 10;
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, &req, 2000 * MS), 0);
  CU_ASSERT_EQUAL_FATAL(fx_flush(f), 1);
  CU_ASSERT_EQUAL(f->out[0].counters.ctrl_in_pkts, 2);
  a.type = BFD_DPLANE_DELETE_SESSION;
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(f->map, &a, 2000 * MS), 0);
  CU_ASSERT_EQUAL(bfd_dplane_map_size(f->map), 0);
  fx_fini(f);
}

static void test_api_errors(void) {
  bfd_dplane_map *map = NULL;
  bfd_table *t = NULL;
  CU_ASSERT_EQUAL_FATAL(bfd_table_new(&t, NULL, NULL, NULL), 0);
  CU_ASSERT_EQUAL(bfd_dplane_map_new(NULL, t, NULL, NULL, NULL), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_dplane_map_new(&map, NULL, NULL, NULL, NULL), BFD_ERR_INVALID_ARGUMENT);
  bfd_dplane_ops ops;
  CU_ASSERT_EQUAL(bfd_dplane_ops_init(2, &ops), BFD_ERR_VERSION);
  CU_ASSERT_EQUAL(bfd_dplane_ops_init(1, NULL), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_dplane_ops_init(BFD_DPLANE_OPS_VERSION, &ops), 0);
  ops.struct_version = 7;
  CU_ASSERT_EQUAL(bfd_dplane_map_new(&map, t, &ops, NULL, NULL), BFD_ERR_VERSION);
  CU_ASSERT_PTR_NULL(map);
  ops.struct_version = BFD_DPLANE_OPS_VERSION;
  CU_ASSERT_EQUAL_FATAL(bfd_dplane_map_new(&map, t, &ops, NULL, NULL), 0);
  CU_ASSERT_EQUAL(bfd_dplane_map_attach(NULL, NULL), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_dplane_map_session_changed(map, NULL), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_dplane_map_size(NULL), 0);
  CU_ASSERT_PTR_NULL(bfd_dplane_map_find(NULL, 1));
  bfd_dplane_state st;
  CU_ASSERT_EQUAL(bfd_dplane_state_from_session(NULL, &st), BFD_ERR_INVALID_ARGUMENT);
  /* No connection: the session is made, nothing is sent, no error. */
  bfd_dplane_msg m = add_msg(LID, 0);
  CU_ASSERT_EQUAL(bfd_dplane_map_handle(map, &m, 0), 0);
  CU_ASSERT_EQUAL(bfd_dplane_map_size(map), 1);
  bfd_dplane_map_del(map);
  bfd_dplane_map_del(NULL);
  CU_ASSERT_EQUAL(bfd_table_size(t), 1); /* the table's session stays */
  bfd_table_del(t);
}

int main(void) {
  CU_TestInfo tests[] = {{"translate", test_translate},
                         {"add", test_add},
                         {"state_changes", test_state_changes},
                         {"shutdown", test_shutdown},
                         {"passive", test_passive},
                         {"counters", test_counters},
                         {"delete", test_delete},
                         {"key_change", test_key_change},
                         {"reconnect", test_reconnect},
                         {"relearn_new_lid", test_relearn_new_lid},
                         {"api_errors", test_api_errors},
                         CU_TEST_INFO_NULL};
  return bfd_test_run_suite("dplane_map", tests);
}
