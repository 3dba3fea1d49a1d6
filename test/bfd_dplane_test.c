/* bfddp codec and connection (lib/bfd_dplane.c). The vectors are laid out
 * by hand, field by field, from FRR's bfdd/bfddp_packet.h (struct
 * bfddp_message_header, bfddp_session, bfddp_state_change,
 * bfddp_session_counters, bfddp_echo, bfddp_request_counters), not by the
 * codec under test. */
#include <bfd/bfd_dplane.h>

#include <stdlib.h>
#include <string.h>

#include "bfd_harness.h"
#include "bt_mem.h"

/* ---- vectors ---- */

/* DP_ADD_SESSION v1 as bfdd 8.4.4 sends it for `peer 10.0.0.2 local-address
 * 10.0.0.1 interface veth-a` (single-hop, IPv4, echo-mode): 8 + 132 bytes. */
static const uint8_t add_v1[140] = {
    /* header: version 1, zero, type 2, id 0, length 140 */
    0x01, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x8c,
    /* flags: ECHO (8) | CBIT (4) */
    0x00, 0x00, 0x00, 0x0c,
    /* src 10.0.0.1 in the first 4 bytes of 16 */
    10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* dst 10.0.0.2 */
    10, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* lid 0x11223344 */
    0x11, 0x22, 0x33, 0x44,
    /* min_tx 300000 = 0x000493e0, min_rx 200000 = 0x00030d40 */
    0x00, 0x04, 0x93, 0xe0, 0x00, 0x03, 0x0d, 0x40,
    /* min_echo_tx 50000 = 0xc350, min_echo_rx 60000 = 0xea60 */
    0x00, 0x00, 0xc3, 0x50, 0x00, 0x00, 0xea, 0x60,
    /* hold_time 0 */
    0x00, 0x00, 0x00, 0x00,
    /* ttl 255, detect_mult 3, zero */
    0xff, 0x03, 0x00, 0x00,
    /* ifindex 7 */
    0x00, 0x00, 0x00, 0x07,
    /* ifname "veth-a", 64 bytes */
    'v', 'e', 't', 'h', '-', 'a'};

/* BFD_STATE_CHANGE (4): lid 0x11223344, rid 0xdeadbeef, remote flags DEMAND,
 * desired_tx 1000000, required_rx 300000, echo_rx 0, state Up, diag 0,
 * detect mult 5, pad: 8 + 28 bytes. */
static const uint8_t state_up[36] = {
    0x01, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x24,
    0x11, 0x22, 0x33, 0x44, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x00, 0x02,
    0x00, 0x0f, 0x42, 0x40, 0x00, 0x04, 0x93, 0xe0, 0x00, 0x00, 0x00, 0x00,
    0x03, 0x00, 0x05, 0x00};

/* DP_REQUEST_SESSION_COUNTERS (5), id 0x0102, lid 0x11223344: 8 + 4. */
static const uint8_t counters_req[12] = {0x01, 0x00, 0x00, 0x05, 0x01, 0x02, 0x00, 0x0c,
                                         0x11, 0x22, 0x33, 0x44};

/* ECHO_REQUEST (0), id 0, dp_time 0x0102030405060708, bfdd_time 0. */
static const uint8_t echo_req[24] = {0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x18,
                                     1,    2,    3,    4,    5,    6,    7,    8};

/* A message of a type this library does not know (99), 20 bytes. */
static const uint8_t unknown_99[20] = {0x01, 0x00, 0x00, 0x63, 0x00, 0x00, 0x00, 0x14,
                                       0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa};

/* The v2 session: the v1 body then 216 bytes of SBFD/SRv6 fields. */
static void make_add_v2(uint8_t out[356]) {
  memset(out, 0, 356);
  memcpy(out, add_v1, sizeof(add_v1));
  out[0] = 2;    /* version */
  out[6] = 0x01; /* length 356 = 0x0164 */
  out[7] = 0x64;
  uint8_t *t = out + 140;
  t[0] = 2;                         /* bfd_mode: SBFD initiator */
  t[1] = 1;                         /* encap_type: SRv6 */
  t[2] = 2;                         /* seg_num */
  t[4] = 0xca, t[5] = 0xfe, t[6] = 0xf0, t[7] = 0x0d; /* remote_discr */
  t[8] = 0x20, t[9] = 0x01;         /* srv6_source 2001:: */
  t[24] = 0xfc, t[24 + 15] = 1;     /* seg_list[0] fc00::1 */
  t[40] = 0xfc, t[40 + 15] = 2;     /* seg_list[1] fc00::2 */
  memcpy(t + 152, "sbfd-1", 6);     /* bfd_name */
}

/* ---- codec ---- */

/* `m` encodes to exactly `want`, and `want` decodes back to `m`. */
static void check_vector(const bfd_dplane_msg *m, const uint8_t *want, size_t len) {
  uint8_t out[BFD_DPLANE_MSG_MAX];
  CU_ASSERT_EQUAL_FATAL(bfd_dplane_msg_encode(out, sizeof(out), m), (ptrdiff_t)len);
  CU_ASSERT(memcmp(out, want, len) == 0);
  bfd_dplane_msg back;
  CU_ASSERT_EQUAL(bfd_dplane_msg_decode(&back, want, len), (ptrdiff_t)len);
  CU_ASSERT(memcmp(&back, m, sizeof(back)) == 0);
}

static void test_body_len(void) {
  static const struct {
    uint16_t type;
    ptrdiff_t v1, v2;
  } t[] = {{BFD_DPLANE_ECHO_REQUEST, 16, 16},    {BFD_DPLANE_ECHO_REPLY, 16, 16},
           {BFD_DPLANE_ADD_SESSION, 132, 348},   {BFD_DPLANE_DELETE_SESSION, 132, 348},
           {BFD_DPLANE_STATE_CHANGE, 28, 28},    {BFD_DPLANE_REQUEST_COUNTERS, 4, 4},
           {BFD_DPLANE_SESSION_COUNTERS, 72, 72}};
  for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    CU_ASSERT_EQUAL(bfd_dplane_body_len(1, t[i].type), t[i].v1);
    CU_ASSERT_EQUAL(bfd_dplane_body_len(2, t[i].type), t[i].v2);
  }
  CU_ASSERT_EQUAL(bfd_dplane_body_len(1, 7), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_dplane_body_len(0, 2), BFD_ERR_DPLANE_VERSION);
  CU_ASSERT_EQUAL(bfd_dplane_body_len(3, 2), BFD_ERR_DPLANE_VERSION);
  CU_ASSERT_EQUAL(BFD_DPLANE_MSG_MAX, 356);
  CU_ASSERT_STRING_EQUAL(bfd_dplane_type_name(BFD_DPLANE_ADD_SESSION), "ADD_SESSION");
  CU_ASSERT_STRING_EQUAL(bfd_dplane_type_name(99), "(unknown)");
}

static void test_decode_add_v1(void) {
  bfd_dplane_msg m;
  CU_ASSERT_EQUAL_FATAL(bfd_dplane_msg_decode(&m, add_v1, sizeof(add_v1)), 140);
  CU_ASSERT_EQUAL(m.version, 1);
  CU_ASSERT_EQUAL(m.type, BFD_DPLANE_ADD_SESSION);
  CU_ASSERT_EQUAL(m.id, 0);
  CU_ASSERT_EQUAL(m.length, 140);
  const bfd_dplane_session *s = &m.session;
  CU_ASSERT_EQUAL(s->flags, BFD_DPLANE_F_ECHO | BFD_DPLANE_F_CBIT);
  static const uint8_t src[16] = {10, 0, 0, 1}, dst[16] = {10, 0, 0, 2};
  CU_ASSERT(memcmp(s->src, src, 16) == 0);
  CU_ASSERT(memcmp(s->dst, dst, 16) == 0);
  CU_ASSERT_EQUAL(s->lid, 0x11223344u);
  CU_ASSERT_EQUAL(s->min_tx_us, 300000);
  CU_ASSERT_EQUAL(s->min_rx_us, 200000);
  CU_ASSERT_EQUAL(s->min_echo_tx_us, 50000);
  CU_ASSERT_EQUAL(s->min_echo_rx_us, 60000);
  CU_ASSERT_EQUAL(s->hold_time_ms, 0);
  CU_ASSERT_EQUAL(s->ttl, 255);
  CU_ASSERT_EQUAL(s->detect_mult, 3);
  CU_ASSERT_EQUAL(s->ifindex, 7);
  CU_ASSERT_STRING_EQUAL(s->ifname, "veth-a");
  CU_ASSERT_EQUAL(s->bfd_mode, 0); /* v2 fields untouched by a v1 body */
  /* Re-encoding gives the same bytes. */
  check_vector(&m, add_v1, sizeof(add_v1));
  uint8_t out[BFD_DPLANE_MSG_MAX];
  CU_ASSERT_EQUAL(bfd_dplane_msg_encode(out, 139, &m), BFD_ERR_NOBUF);
  /* DELETE has the same body. */
  uint8_t del[140];
  memcpy(del, add_v1, 140);
  del[3] = BFD_DPLANE_DELETE_SESSION;
  CU_ASSERT_EQUAL(bfd_dplane_msg_decode(&m, del, 140), 140);
  CU_ASSERT_EQUAL(m.type, BFD_DPLANE_DELETE_SESSION);
  CU_ASSERT_EQUAL(m.session.lid, 0x11223344u);
}

static void test_decode_add_v2(void) {
  uint8_t v2[356];
  make_add_v2(v2);
  bfd_dplane_msg m;
  CU_ASSERT_EQUAL_FATAL(bfd_dplane_msg_decode(&m, v2, sizeof(v2)), 356);
  CU_ASSERT_EQUAL(m.version, 2);
  CU_ASSERT_EQUAL(m.session.lid, 0x11223344u); /* the v1 offsets hold */
  CU_ASSERT_STRING_EQUAL(m.session.ifname, "veth-a");
  CU_ASSERT_EQUAL(m.session.bfd_mode, 2);
  CU_ASSERT_EQUAL(m.session.encap_type, 1);
  CU_ASSERT_EQUAL(m.session.seg_num, 2);
  CU_ASSERT_EQUAL(m.session.remote_discr, 0xcafef00du);
  CU_ASSERT_EQUAL(m.session.srv6_source[0], 0x20);
  CU_ASSERT_EQUAL(m.session.seg_list[1][15], 2);
  CU_ASSERT_STRING_EQUAL(m.session.bfd_name, "sbfd-1");
  check_vector(&m, v2, sizeof(v2));
}

static void test_encode_state_change(void) {
  bfd_dplane_msg m;
  CU_ASSERT_EQUAL(bfd_dplane_msg_init(&m, 1, BFD_DPLANE_STATE_CHANGE, 0), 0);
  CU_ASSERT_EQUAL(m.length, 36);
  m.state.lid = 0x11223344u;
  m.state.rid = 0xdeadbeefu;
  m.state.remote_flags = BFD_DPLANE_RF_DEMAND;
  m.state.desired_tx_us = 1000000;
  m.state.required_rx_us = 300000;
  m.state.state = BFD_STATE_UP;
  m.state.detect_mult = 5;
  check_vector(&m, state_up, sizeof(state_up));
}

static void test_counters(void) {
  bfd_dplane_msg m;
  CU_ASSERT_EQUAL_FATAL(bfd_dplane_msg_decode(&m, counters_req, 12), 12);
  CU_ASSERT_EQUAL(m.type, BFD_DPLANE_REQUEST_COUNTERS);
  CU_ASSERT_EQUAL(m.id, 0x0102);
  CU_ASSERT_EQUAL(m.counters_lid, 0x11223344u);
  /* The reply: lid, 4 bytes of padding, eight u64. */
  bfd_dplane_msg r;
  CU_ASSERT_EQUAL(bfd_dplane_msg_init(&r, 1, BFD_DPLANE_SESSION_COUNTERS, 0x0102), 0);
  r.counters.lid = 0x11223344u;
  r.counters.ctrl_in_bytes = 0x0102030405060708ull;
  r.counters.ctrl_in_pkts = 2;
  r.counters.ctrl_out_bytes = 3;
  r.counters.ctrl_out_pkts = 4;
  r.counters.echo_out_pkts = 0xffffffffffffffffull;
  uint8_t want[80] = {0x01, 0x00, 0x00, 0x06, 0x01, 0x02, 0x00, 0x50,
                                0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0,
                                1, 2, 3, 4, 5, 6, 7, 8};
  want[16 + 8 + 7] = 2;
  want[16 + 16 + 7] = 3;
  want[16 + 24 + 7] = 4;
  memset(want + 16 + 56, 0xff, 8);
  check_vector(&r, want, sizeof(want));
}

static void test_echo(void) {
  bfd_dplane_msg m;
  CU_ASSERT_EQUAL_FATAL(bfd_dplane_msg_decode(&m, echo_req, 24), 24);
  CU_ASSERT_EQUAL(m.type, BFD_DPLANE_ECHO_REQUEST);
  CU_ASSERT_EQUAL(m.echo.dp_time, 0x0102030405060708ull);
  CU_ASSERT_EQUAL(m.echo.bfdd_time, 0);
  check_vector(&m, echo_req, sizeof(echo_req));
}

/* Every strict prefix is "not yet" (0), and nothing past `len` is read: the
 * prefix is copied into a buffer of exactly its size (ASan checks it). */
static void test_decode_prefixes(void) {
  bfd_dplane_msg m;
  for (size_t n = 0; n < sizeof(add_v1); n++) {
    uint8_t *p = n ? malloc(n) : NULL;
    if (n)
      memcpy(p, add_v1, n);
    CU_ASSERT_EQUAL(bfd_dplane_msg_decode(&m, p, n), 0);
    free(p);
  }
  /* Extra bytes after the message are not part of it. */
  uint8_t two[152];
  memcpy(two, add_v1, 140);
  memcpy(two + 140, counters_req, 12);
  CU_ASSERT_EQUAL(bfd_dplane_msg_decode(&m, two, sizeof(two)), 140);
  CU_ASSERT_EQUAL(bfd_dplane_msg_decode(&m, two + 140, 12), 12);
}

static void test_decode_errors(void) {
  bfd_dplane_msg m;
  uint8_t b[400];
  memcpy(b, add_v1, 140);
  CU_ASSERT_EQUAL(bfd_dplane_msg_decode(NULL, b, 140), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_dplane_msg_decode(&m, NULL, 1), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_dplane_msg_decode(&m, NULL, 0), 0);
  /* Versions 0 and 3: known as soon as the header is there. */
  b[0] = 0;
  CU_ASSERT_EQUAL(bfd_dplane_msg_decode(&m, b, 8), BFD_ERR_DPLANE_VERSION);
  b[0] = 3;
  CU_ASSERT_EQUAL(bfd_dplane_msg_decode(&m, b, 140), BFD_ERR_DPLANE_VERSION);
  b[0] = 1;
  /* Length below the header, for a known and an unknown type. */
  for (uint16_t len = 0; len < 8; len++) {
    b[6] = 0, b[7] = (uint8_t)len;
    CU_ASSERT_EQUAL(bfd_dplane_msg_decode(&m, b, 140), BFD_ERR_DPLANE_LENGTH);
    b[3] = 99;
    CU_ASSERT_EQUAL(bfd_dplane_msg_decode(&m, b, 140), BFD_ERR_DPLANE_LENGTH);
    b[3] = 2;
  }
  /* A v1 session body of the v2 length, and the reverse; a short and a long
   * state change: refused from the header alone. */
  b[6] = 0x01, b[7] = 0x64;
  CU_ASSERT_EQUAL(bfd_dplane_msg_decode(&m, b, 8), BFD_ERR_DPLANE_LENGTH);
  b[0] = 2, b[6] = 0, b[7] = 140;
  CU_ASSERT_EQUAL(bfd_dplane_msg_decode(&m, b, 8), BFD_ERR_DPLANE_LENGTH);
  uint8_t st[36];
  memcpy(st, state_up, 36);
  st[7] = 35; /* 27: the fields without the padding */
  CU_ASSERT_EQUAL(bfd_dplane_msg_decode(&m, st, 36), BFD_ERR_DPLANE_LENGTH);
  st[7] = 37;
  CU_ASSERT_EQUAL(bfd_dplane_msg_decode(&m, st, 36), BFD_ERR_DPLANE_LENGTH);
  /* Unknown types: any length from 8 is fine (even 8, no body). */
  uint8_t u[8] = {1, 0, 0x12, 0x34, 0, 9, 0, 8};
  CU_ASSERT_EQUAL(bfd_dplane_msg_decode(&m, u, 8), 8);
  CU_ASSERT_EQUAL(m.type, 0x1234);
  CU_ASSERT_EQUAL(m.id, 9);
  CU_ASSERT_EQUAL(bfd_dplane_msg_decode(&m, unknown_99, sizeof(unknown_99)), 20);
}

static void test_encode_errors(void) {
  bfd_dplane_msg m;
  uint8_t out[BFD_DPLANE_MSG_MAX];
  CU_ASSERT_EQUAL(bfd_dplane_msg_init(NULL, 1, 2, 0), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_dplane_msg_init(&m, 1, 7, 0), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_dplane_msg_init(&m, 3, 2, 0), BFD_ERR_DPLANE_VERSION);
  CU_ASSERT_EQUAL(bfd_dplane_msg_init(&m, 2, BFD_DPLANE_ADD_SESSION, 0), 0);
  CU_ASSERT_EQUAL(m.length, 356);
  CU_ASSERT_EQUAL(bfd_dplane_msg_encode(NULL, 10, &m), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_dplane_msg_encode(out, sizeof(out), NULL), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_dplane_msg_encode(out, 355, &m), BFD_ERR_NOBUF);
  CU_ASSERT_EQUAL(bfd_dplane_msg_encode(out, 356, &m), 356);
  m.type = 7;
  CU_ASSERT_EQUAL(bfd_dplane_msg_encode(out, sizeof(out), &m), BFD_ERR_INVALID_ARGUMENT);
  m.type = 2, m.version = 0;
  CU_ASSERT_EQUAL(bfd_dplane_msg_encode(out, sizeof(out), &m), BFD_ERR_DPLANE_VERSION);
}

/* ---- connection ---- */

static bfd_dplane_conn *conn_new(uint8_t version) {
  bfd_dplane_conn_settings s;
  CU_ASSERT_EQUAL(bfd_dplane_conn_settings_init(BFD_DPLANE_CONN_SETTINGS_VERSION, &s), 0);
  s.version = version;
  bfd_dplane_conn *c = NULL;
  CU_ASSERT_EQUAL(bfd_dplane_conn_new(&c, &s, NULL), 0);
  return c;
}

/* add_v1, unknown_99, counters_req, echo_req: one stream. */
static size_t make_stream(uint8_t *out) {
  size_t n = 0;
  memcpy(out + n, add_v1, sizeof(add_v1)), n += sizeof(add_v1);
  memcpy(out + n, unknown_99, sizeof(unknown_99)), n += sizeof(unknown_99);
  memcpy(out + n, counters_req, sizeof(counters_req)), n += sizeof(counters_req);
  memcpy(out + n, echo_req, sizeof(echo_req)), n += sizeof(echo_req);
  return n;
}

/* The stream fed in pieces of every size from 1 to its whole: the same three
 * messages (the unknown one skipped), in order. */
static void test_conn_partial_coalesced(void) {
  uint8_t stream[256];
  size_t len = make_stream(stream);
  for (size_t chunk = 1; chunk <= len; chunk++) {
    bfd_dplane_conn *c = conn_new(0);
    uint16_t types[8];
    size_t ntypes = 0;
    for (size_t off = 0; off < len; off += chunk) {
      size_t n = len - off < chunk ? len - off : chunk;
      CU_ASSERT_EQUAL(bfd_dplane_conn_feed(c, stream + off, n), 0);
      bfd_dplane_msg m;
      int rv;
      while ((rv = bfd_dplane_conn_next_msg(c, &m)) == 1 && ntypes < 8)
        types[ntypes++] = m.type;
      CU_ASSERT_EQUAL(rv, 0);
    }
    CU_ASSERT_EQUAL_FATAL(ntypes, 3);
    CU_ASSERT_EQUAL(types[0], BFD_DPLANE_ADD_SESSION);
    CU_ASSERT_EQUAL(types[1], BFD_DPLANE_REQUEST_COUNTERS);
    CU_ASSERT_EQUAL(types[2], BFD_DPLANE_ECHO_REQUEST);
    bfd_dplane_conn_stats st;
    CU_ASSERT_EQUAL(bfd_dplane_conn_get_stats(c, &st), 0);
    CU_ASSERT_EQUAL(st.bytes_in, len);
    CU_ASSERT_EQUAL(st.msgs_in, 3);
    CU_ASSERT_EQUAL(st.skipped, 1);
    CU_ASSERT_EQUAL(bfd_dplane_conn_error(c), 0);
    CU_ASSERT_EQUAL(bfd_dplane_conn_version(c), 1);
    bfd_dplane_conn_del(c);
  }
}

/* A bad message after good ones: the good ones are delivered, the error is
 * returned once, nothing of the bad message is delivered, every later call
 * says CLOSED. */
static void test_conn_bad_drops(void) {
  static const struct {
    size_t off;
    uint8_t val;
    int err;
  } bad[] = {{0, 3, BFD_ERR_DPLANE_VERSION},  /* version 3 */
             {0, 2, BFD_ERR_DPLANE_VERSION},  /* v2 on a v1 connection */
             {7, 4, BFD_ERR_DPLANE_LENGTH},   /* length 4 */
             {7, 141, BFD_ERR_DPLANE_LENGTH}}; /* a session body of 133 */
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    bfd_dplane_conn *c = conn_new(0);
    uint8_t b[300];
    memcpy(b, counters_req, 12);
    memcpy(b + 12, add_v1, 140);
    b[12 + bad[i].off] = bad[i].val;
    memcpy(b + 152, echo_req, 24);
    CU_ASSERT_EQUAL(bfd_dplane_conn_feed(c, b, 176), 0);
    bfd_dplane_msg m;
    CU_ASSERT_EQUAL(bfd_dplane_conn_next_msg(c, &m), 1);
    CU_ASSERT_EQUAL(m.type, BFD_DPLANE_REQUEST_COUNTERS);
    memset(&m, 0x5a, sizeof(m));
    CU_ASSERT_EQUAL(bfd_dplane_conn_next_msg(c, &m), bad[i].err);
    CU_ASSERT_EQUAL(m.version, 0x5a); /* untouched */
    CU_ASSERT_EQUAL(bfd_dplane_conn_error(c), bad[i].err);
    CU_ASSERT_EQUAL(bfd_dplane_conn_next_msg(c, &m), BFD_ERR_DPLANE_CLOSED);
    CU_ASSERT_EQUAL(bfd_dplane_conn_feed(c, b, 1), BFD_ERR_DPLANE_CLOSED);
    bfd_dplane_msg r;
    bfd_dplane_msg_init(&r, 1, BFD_DPLANE_STATE_CHANGE, 0);
    CU_ASSERT_EQUAL(bfd_dplane_conn_send(c, &r), BFD_ERR_DPLANE_CLOSED);
    bfd_dplane_conn_stats st;
    bfd_dplane_conn_get_stats(c, &st);
    CU_ASSERT_EQUAL(st.msgs_in, 1);
    bfd_dplane_conn_del(c);
  }
}

static void test_conn_versions(void) {
  uint8_t v2[356], out[1024];
  make_add_v2(v2);
  /* Learned: v2 first, replies in v2, a v1 message after it is an error. */
  bfd_dplane_conn *c = conn_new(0);
  CU_ASSERT_EQUAL(bfd_dplane_conn_version(c), 1);
  CU_ASSERT_EQUAL(bfd_dplane_conn_feed(c, v2, sizeof(v2)), 0);
  bfd_dplane_msg m;
  CU_ASSERT_EQUAL(bfd_dplane_conn_next_msg(c, &m), 1);
  CU_ASSERT_EQUAL(bfd_dplane_conn_version(c), 2);
  bfd_dplane_msg r;
  bfd_dplane_msg_init(&r, 1, BFD_DPLANE_STATE_CHANGE, 0);
  CU_ASSERT_EQUAL(bfd_dplane_conn_send(c, &r), 0);
  CU_ASSERT_EQUAL(bfd_dplane_conn_poll(c, out, sizeof(out)), 36);
  CU_ASSERT_EQUAL(out[0], 2);
  CU_ASSERT_EQUAL(bfd_dplane_conn_feed(c, add_v1, sizeof(add_v1)), 0);
  CU_ASSERT_EQUAL(bfd_dplane_conn_next_msg(c, &m), BFD_ERR_DPLANE_VERSION);
  bfd_dplane_conn_del(c);
  /* Fixed to 1: v2 refused; fixed to 2: replies in 2 before anything came. */
  c = conn_new(1);
  CU_ASSERT_EQUAL(bfd_dplane_conn_feed(c, v2, sizeof(v2)), 0);
  CU_ASSERT_EQUAL(bfd_dplane_conn_next_msg(c, &m), BFD_ERR_DPLANE_VERSION);
  bfd_dplane_conn_del(c);
  c = conn_new(2);
  CU_ASSERT_EQUAL(bfd_dplane_conn_version(c), 2);
  bfd_dplane_conn_del(c);
  /* Settings errors. */
  bfd_dplane_conn_settings s;
  CU_ASSERT_EQUAL(bfd_dplane_conn_settings_init(2, &s), BFD_ERR_VERSION);
  CU_ASSERT_EQUAL(bfd_dplane_conn_settings_init(1, NULL), BFD_ERR_INVALID_ARGUMENT);
  bfd_dplane_conn_settings_init(1, &s);
  s.version = 3;
  CU_ASSERT_EQUAL(bfd_dplane_conn_new(&c, &s, NULL), BFD_ERR_INVALID_ARGUMENT);
  s.version = 0, s.struct_version = 9;
  CU_ASSERT_EQUAL(bfd_dplane_conn_new(&c, &s, NULL), BFD_ERR_VERSION);
  CU_ASSERT_EQUAL(bfd_dplane_conn_new(NULL, NULL, NULL), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_dplane_conn_version(NULL), 0);
  CU_ASSERT_EQUAL(bfd_dplane_conn_error(NULL), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_dplane_conn_pending(NULL), 0);
}

/* Queued messages come out in order, in pieces of any size; max_out bounds
 * the queue. */
static void test_conn_send_poll(void) {
  bfd_dplane_conn_settings s;
  bfd_dplane_conn_settings_init(1, &s);
  s.max_out = 36 * 3;
  bfd_dplane_conn *c = NULL;
  CU_ASSERT_EQUAL_FATAL(bfd_dplane_conn_new(&c, &s, NULL), 0);
  bfd_dplane_msg m;
  bfd_dplane_msg_decode(&m, state_up, 36);
  for (int i = 0; i < 3; i++)
    CU_ASSERT_EQUAL(bfd_dplane_conn_send(c, &m), 0);
  CU_ASSERT_EQUAL(bfd_dplane_conn_send(c, &m), BFD_ERR_NOBUF);
  CU_ASSERT_EQUAL(bfd_dplane_conn_pending(c), 108);
  uint8_t out[108];
  size_t got = 0;
  ptrdiff_t n;
  while ((n = bfd_dplane_conn_poll(c, out + got, 5)) > 0)
    got += (size_t)n;
  CU_ASSERT_EQUAL(n, 0);
  CU_ASSERT_EQUAL_FATAL(got, 108);
  for (int i = 0; i < 3; i++)
    CU_ASSERT(memcmp(out + 36 * i, state_up, 36) == 0);
  CU_ASSERT_EQUAL(bfd_dplane_conn_send(c, &m), 0); /* room again */
  m.type = 7;
  CU_ASSERT_EQUAL(bfd_dplane_conn_send(c, &m), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_dplane_conn_send(c, NULL), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_dplane_conn_poll(c, NULL, 1), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_dplane_conn_feed(c, NULL, 1), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_dplane_conn_feed(c, NULL, 0), 0);
  CU_ASSERT_EQUAL(bfd_dplane_conn_next_msg(c, NULL), BFD_ERR_INVALID_ARGUMENT);
  bfd_dplane_conn_stats st;
  CU_ASSERT_EQUAL(bfd_dplane_conn_get_stats(c, NULL), BFD_ERR_INVALID_ARGUMENT);
  bfd_dplane_conn_get_stats(c, &st);
  CU_ASSERT_EQUAL(st.msgs_out, 4);
  CU_ASSERT_EQUAL(st.bytes_out, 108);
  bfd_dplane_conn_del(c);
  bfd_dplane_conn_del(NULL);
}

/* Allocation failures: creation fails cleanly, a feed or send that cannot
 * grow its buffer takes nothing; nothing leaks. */
static void test_conn_nomem(void) {
  bt_mem mm;
  bt_mem_init(&mm);
  bfd_dplane_conn *c = NULL;
  mm.fail = BT_MEM_ALL;
  CU_ASSERT_EQUAL(bfd_dplane_conn_new(&c, NULL, &mm.mem), BFD_ERR_NOMEM);
  CU_ASSERT_PTR_NULL(c);
  mm.fail = 0;
  CU_ASSERT_EQUAL_FATAL(bfd_dplane_conn_new(&c, NULL, &mm.mem), 0);
  mm.fail = BT_MEM_ALL;
  CU_ASSERT_EQUAL(bfd_dplane_conn_feed(c, add_v1, sizeof(add_v1)), BFD_ERR_NOMEM);
  bfd_dplane_msg m;
  bfd_dplane_msg_decode(&m, state_up, 36);
  CU_ASSERT_EQUAL(bfd_dplane_conn_send(c, &m), BFD_ERR_NOMEM);
  CU_ASSERT_EQUAL(bfd_dplane_conn_pending(c), 0);
  CU_ASSERT_EQUAL(bfd_dplane_conn_next_msg(c, &m), 0);
  mm.fail = 0;
  CU_ASSERT_EQUAL(bfd_dplane_conn_feed(c, add_v1, sizeof(add_v1)), 0);
  CU_ASSERT_EQUAL(bfd_dplane_conn_next_msg(c, &m), 1);
  bfd_dplane_conn_del(c);
  CU_ASSERT_EQUAL(mm.live_blocks, 0);
}

int main(void) {
  CU_TestInfo tests[] = {{"body_len", test_body_len},
                         {"decode_add_v1", test_decode_add_v1},
                         {"decode_add_v2", test_decode_add_v2},
                         {"encode_state_change", test_encode_state_change},
                         {"counters", test_counters},
                         {"echo", test_echo},
                         {"decode_prefixes", test_decode_prefixes},
                         {"decode_errors", test_decode_errors},
                         {"encode_errors", test_encode_errors},
                         {"conn_partial_coalesced", test_conn_partial_coalesced},
                         {"conn_bad_drops", test_conn_bad_drops},
                         {"conn_versions", test_conn_versions},
                         {"conn_send_poll", test_conn_send_poll},
                         {"conn_nomem", test_conn_nomem},
                         CU_TEST_INFO_NULL};
  return bfd_test_run_suite("dplane", tests);
}
