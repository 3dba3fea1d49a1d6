/* Control packet codec: RFC 5880 §4.1-4.4 layout, §6.8.6 check order, §6.5. */
#include "bfd_codec.h"
#include "bfd_harness.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A valid 24-byte packet: version 1, diag 0, Up, no flags, Detect Mult 3,
 * Length 24, My Discr 1, Your Discr 2, 1 s / 1 s / 0. */
static const uint8_t base_pkt[24] = {0x20, 0xc0, 0x03, 0x18, 0x00, 0x00, 0x00, 0x01,
                                     0x00, 0x00, 0x00, 0x02, 0x00, 0x0f, 0x42, 0x40,
                                     0x00, 0x0f, 0x42, 0x40, 0x00, 0x00, 0x00, 0x00};

/* The same with the A bit and a Keyed SHA1 section (Length 52). */
static void mk_sha1(uint8_t out[52]) {
  memcpy(out, base_pkt, 24);
  out[1] |= BFD_FLAG_A;
  out[3] = 52;
  memset(out + 24, 0, 28);
  out[24] = BFD_AUTH_KEYED_SHA1;
  out[25] = 28;
}

/* The numeric header fields (§4.1). */
static void set_nums(bfd_ctrl_pkt *p, uint8_t mult, uint32_t my, uint32_t your, uint32_t tx_us,
                     uint32_t rx_us, uint32_t echo_us) {
  p->detect_mult = mult;
  p->my_discr = my;
  p->your_discr = your;
  p->desired_min_tx_us = tx_us;
  p->required_min_rx_us = rx_us;
  p->required_min_echo_rx_us = echo_us;
}

/* base_pkt as a struct: the scripted peer's packet (bt_peer_fill) with its
 * Length. */
static void base_struct(bfd_ctrl_pkt *p) {
  bt_peer peer = bt_peer_make(BFD_STATE_UP, 1, 2, 1000000);
  bt_peer_fill(&peer, p);
  p->length = 24;
}

/* Fill p->auth with a valid section of `type` (data_len for Simple). */
static void set_auth(bfd_ctrl_pkt *p, uint8_t type, uint8_t data_len) {
  uint8_t i;
  p->flags |= BFD_FLAG_A;
  memset(&p->auth, 0, sizeof(p->auth));
  p->auth.type = type;
  p->auth.key_id = (uint8_t)(0x40 + type);
  if (type == BFD_AUTH_SIMPLE) {
    p->auth.data_len = data_len;
  } else {
    p->auth.data_len = (uint8_t)bfd_codec_auth_digest_len(type);
    p->auth.seq = 0x80000000u + type;
  }
  p->auth.len = (uint8_t)bfd_codec_auth_len(type, p->auth.data_len);
  for (i = 0; i < p->auth.data_len; i++)
    p->auth.data[i] = (uint8_t)(0xa0 + i);
  p->length = (uint8_t)(24 + p->auth.len);
}

/* encode -> decode must give back the struct exactly (pads zero), and the
 * re-encode the same bytes. Returns the encoded length. */
static ptrdiff_t roundtrip(const bfd_ctrl_pkt *in) {
  uint8_t buf[64], buf2[64];
  bfd_ctrl_pkt out;
  ptrdiff_t n = bfd_ctrl_pkt_encode(buf, sizeof(buf), in);
  CU_ASSERT_EQUAL_FATAL(n, 24 + ((in->flags & BFD_FLAG_A) ? in->auth.len : 0));
  CU_ASSERT_EQUAL(buf[3], (uint8_t)n);
  CU_ASSERT_EQUAL_FATAL(bfd_ctrl_pkt_decode(&out, buf, (size_t)n), 0);
  CU_ASSERT_EQUAL(out.length, (uint8_t)n);
  CU_ASSERT(memcmp(&out, in, sizeof(out)) == 0);
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_encode(buf2, sizeof(buf2), &out), n);
  CU_ASSERT(memcmp(buf, buf2, (size_t)n) == 0);
  return n;
}

static void test_roundtrip_limits(void) {
  bfd_ctrl_pkt p;
  base_struct(&p);
  set_nums(&p, 1, 1, 0, 0, 0, 0);
  roundtrip(&p);
  set_nums(&p, 255, UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX);
  roundtrip(&p);
  /* distinct values catch swapped fields */
  set_nums(&p, 255, 0x01020304, 0x05060708, 0x090a0b0c, 0x0d0e0f10, 0x11121314);
  roundtrip(&p);
}

static void test_roundtrip_diag_state(void) {
  bfd_ctrl_pkt p;
  uint8_t d, s;
  for (d = 0; d < 32; d++) {
    for (s = 0; s < 4; s++) {
      base_struct(&p);
      p.diag = d;
      p.state = s;
      roundtrip(&p);
    }
  }
}

static void test_roundtrip_flags(void) {
  bfd_ctrl_pkt p;
  uint8_t buf[64];
  unsigned f, ok = 0;
  for (f = 0; f < 64; f++) {
    base_struct(&p);
    p.flags = (uint8_t)f;
    if (f & BFD_FLAG_A)
      set_auth(&p, BFD_AUTH_METICULOUS_KEYED_SHA1, 0);
    if (f & BFD_FLAG_M) {
      CU_ASSERT_EQUAL(bfd_ctrl_pkt_encode(buf, sizeof(buf), &p), BFD_ERR_PKT_MULTIPOINT);
    } else if ((f & (BFD_FLAG_P | BFD_FLAG_F)) == (BFD_FLAG_P | BFD_FLAG_F)) {
      CU_ASSERT_EQUAL(bfd_ctrl_pkt_encode(buf, sizeof(buf), &p), BFD_ERR_PKT_POLL_FINAL);
    } else {
      roundtrip(&p);
      ok++;
    }
  }
  CU_ASSERT_EQUAL(ok, 24); /* 64 / 2 (M) * 3/4 (not P+F) */
}

static void test_roundtrip_auth(void) {
  bfd_ctrl_pkt p;
  uint8_t t, l;
  for (l = 1; l <= 16; l++) {
    base_struct(&p);
    set_auth(&p, BFD_AUTH_SIMPLE, l);
    CU_ASSERT_EQUAL(p.auth.len, 3 + l);
    CU_ASSERT_EQUAL(roundtrip(&p), 27 + l);
  }
  for (t = BFD_AUTH_KEYED_MD5; t <= BFD_AUTH_METICULOUS_KEYED_SHA1; t++) {
    base_struct(&p);
    set_auth(&p, t, 0);
    CU_ASSERT_EQUAL(roundtrip(&p), t <= BFD_AUTH_METICULOUS_KEYED_MD5 ? 48 : 52);
    /* field limits */
    p.auth.key_id = 0;
    p.auth.seq = 0;
    roundtrip(&p);
    p.auth.key_id = 255;
    p.auth.seq = UINT32_MAX;
    p.auth.reserved = 0xff; /* kept for byte-exact round trips */
    memset(p.auth.data, 0xff, p.auth.data_len);
    roundtrip(&p);
  }
}

/* Expected bytes written out by hand from the §4.1 layout. */
static void test_encode_bytes_plain(void) {
  static const uint8_t want[24] = {
      0x27,                   /* vers 1 (001), diag 7 Admin Down (00111) */
      0xe2,                   /* Up (11), P (1), F 0, C 0, A 0, D (1), M 0 */
      0x05, 0x18,             /* Detect Mult 5, Length 24 */
      0x01, 0x02, 0x03, 0x04, /* My Discriminator */
      0xa1, 0xb2, 0xc3, 0xd4, /* Your Discriminator */
      0x00, 0x0f, 0x42, 0x40, /* Desired Min TX 1000000 */
      0x00, 0x04, 0x93, 0xe0, /* Required Min RX 300000 */
      0x00, 0x00, 0xc3, 0x50  /* Required Min Echo RX 50000 */
  };
  bfd_ctrl_pkt p, d;
  uint8_t buf[64];
  memset(&p, 0, sizeof(p));
  p.version = 0; /* ignored: the encoder writes 1 */
  p.length = 99; /* ignored: computed */
  p.diag = BFD_DIAG_ADMIN_DOWN;
  p.state = BFD_STATE_UP;
  p.flags = BFD_FLAG_P | BFD_FLAG_D;
  set_nums(&p, 5, 0x01020304, 0xa1b2c3d4, 1000000, 300000, 50000);
  memset(buf, 0xee, sizeof(buf));
  CU_ASSERT_EQUAL_FATAL(bfd_ctrl_pkt_encode(buf, sizeof(buf), &p), 24);
  CU_ASSERT(memcmp(buf, want, 24) == 0);
  CU_ASSERT_EQUAL(buf[24], 0xee); /* nothing past Length */

  CU_ASSERT_EQUAL_FATAL(bfd_ctrl_pkt_decode(&d, want, sizeof(want)), 0);
  CU_ASSERT_EQUAL(d.version, 1);
  CU_ASSERT_EQUAL(d.diag, 7);
  CU_ASSERT_EQUAL(d.state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(d.flags, BFD_FLAG_P | BFD_FLAG_D);
  CU_ASSERT_EQUAL(d.detect_mult, 5);
  CU_ASSERT_EQUAL(d.length, 24);
  CU_ASSERT_EQUAL(d.my_discr, 0x01020304u);
  CU_ASSERT_EQUAL(d.your_discr, 0xa1b2c3d4u);
  CU_ASSERT_EQUAL(d.desired_min_tx_us, 1000000u);
  CU_ASSERT_EQUAL(d.required_min_rx_us, 300000u);
  CU_ASSERT_EQUAL(d.required_min_echo_rx_us, 50000u);
}

static void test_encode_bytes_simple(void) {
  static const uint8_t want[33] = {
      0x20, 0x44, 0x03, 0x21, /* v1 diag 0; Down (01) A (1); mult 3; Length 33 */
      0x00, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x00, /* My 42, Your 0 */
      0x00, 0x0f, 0x42, 0x40, 0x00, 0x0f, 0x42, 0x40,
      0x00, 0x00, 0x00, 0x00, 0x01, 0x09, 0x07, /* Simple, Auth Len 3+6, Key ID 7 */
      's',  'e',  'c',  'r',  'e',  't'};       /* §4.2 password */
  bfd_ctrl_pkt p, d;
  uint8_t buf[64];
  memset(&p, 0, sizeof(p));
  p.state = BFD_STATE_DOWN;
  p.flags = BFD_FLAG_A;
  set_nums(&p, 3, 42, 0, 1000000, 1000000, 0);
  p.auth.type = BFD_AUTH_SIMPLE;
  p.auth.len = 9;
  p.auth.key_id = 7;
  p.auth.data_len = 6;
  memcpy(p.auth.data, "secret", 6);
  CU_ASSERT_EQUAL_FATAL(bfd_ctrl_pkt_encode(buf, sizeof(buf), &p), 33);
  CU_ASSERT(memcmp(buf, want, 33) == 0);
  CU_ASSERT_EQUAL_FATAL(bfd_ctrl_pkt_decode(&d, want, sizeof(want)), 0);
  CU_ASSERT_EQUAL(d.auth.type, BFD_AUTH_SIMPLE);
  CU_ASSERT_EQUAL(d.auth.len, 9);
  CU_ASSERT_EQUAL(d.auth.key_id, 7);
  CU_ASSERT_EQUAL(d.auth.data_len, 6);
  CU_ASSERT(memcmp(d.auth.data, "secret", 6) == 0);
  CU_ASSERT_EQUAL(d.auth.seq, 0);
}

static void test_encode_bytes_md5_sha1(void) {
  static const uint8_t want_md5[48] = {
      0x20, 0x84, 0x03, 0x30,                         /* Init (10) A; Length 48 */
      0x00, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x63, /* My 42, Your 99 */
      0x00, 0x0f, 0x42, 0x40, 0x00, 0x0f, 0x42, 0x40,
      0x00, 0x00, 0x00, 0x00, 0x03, 0x18, 0x02, 0x00, /* Met. MD5, Auth Len 24, Key 2, rsvd */
      0xde, 0xad, 0xbe, 0xef,                         /* Sequence Number */
      0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, /* digest[16] */
      0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
  static const uint8_t want_sha1[52] = {0x20, 0x84, 0x03, 0x34, /* Init A; Length 52 */
                                        0x00, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x63, 0x00, 0x0f,
                                        0x42, 0x40, 0x00, 0x0f, 0x42, 0x40, 0x00, 0x00, 0x00, 0x00,
                                        0x04, 0x1c, 0x02, 0x00, /* Keyed SHA1, Auth Len 28 */
                                        0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05,
                                        0x06, 0x07, 0x08, 0x09, /* hash[20] */
                                        0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13};
  bfd_ctrl_pkt p, d;
  uint8_t buf[64];
  uint8_t i;
  memset(&p, 0, sizeof(p));
  p.state = BFD_STATE_INIT;
  p.flags = BFD_FLAG_A;
  set_nums(&p, 3, 42, 99, 1000000, 1000000, 0);
  p.auth.type = BFD_AUTH_METICULOUS_KEYED_MD5;
  p.auth.len = 24;
  p.auth.key_id = 2;
  p.auth.seq = 0xdeadbeef;
  p.auth.data_len = 16;
  for (i = 0; i < 20; i++)
    p.auth.data[i] = i;
  CU_ASSERT_EQUAL_FATAL(bfd_ctrl_pkt_encode(buf, sizeof(buf), &p), 48);
  CU_ASSERT(memcmp(buf, want_md5, 48) == 0);
  CU_ASSERT_EQUAL_FATAL(bfd_ctrl_pkt_decode(&d, want_md5, 48), 0);
  CU_ASSERT_EQUAL(d.auth.seq, 0xdeadbeefu);
  CU_ASSERT_EQUAL(d.auth.data_len, 16);
  CU_ASSERT_EQUAL(d.auth.data[15], 15);
  CU_ASSERT_EQUAL(d.auth.data[16], 0); /* unused bytes zeroed */

  p.auth.type = BFD_AUTH_KEYED_SHA1;
  p.auth.len = 28;
  p.auth.data_len = 20;
  CU_ASSERT_EQUAL_FATAL(bfd_ctrl_pkt_encode(buf, sizeof(buf), &p), 52);
  CU_ASSERT(memcmp(buf, want_sha1, 52) == 0);
  CU_ASSERT_EQUAL_FATAL(bfd_ctrl_pkt_decode(&d, want_sha1, 52), 0);
  CU_ASSERT_EQUAL(d.auth.type, BFD_AUTH_KEYED_SHA1);
  CU_ASSERT_EQUAL(d.auth.len, 28);
  CU_ASSERT_EQUAL(d.auth.key_id, 2);
  CU_ASSERT_EQUAL(d.auth.data_len, 20);
  CU_ASSERT(memcmp(d.auth.data, want_sha1 + 32, 20) == 0);
  /* The digest helpers point at exactly those bytes. */
  CU_ASSERT(memcmp(want_sha1 + BFD_CODEC_OFF_AUTH_DIGEST, d.auth.data,
                   bfd_codec_auth_digest_len(d.auth.type)) == 0);
  CU_ASSERT_EQUAL(bfd_codec_get_u32(want_sha1 + BFD_CODEC_OFF_AUTH_SEQ), 0xdeadbeefu);
}

/* ---- Rejections: one test per class, exact codes ---- */

static void test_reject_null(void) {
  bfd_ctrl_pkt p;
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(NULL, base_pkt, 24), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, NULL, 24), BFD_ERR_INVALID_ARGUMENT);
}

static void test_reject_truncated(void) {
  bfd_ctrl_pkt p;
  size_t n;
  for (n = 0; n < 24; n++)
    CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, base_pkt, n), BFD_ERR_PKT_TRUNCATED);
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, base_pkt, 24), 0);
}

static void test_reject_version(void) {
  bfd_ctrl_pkt p;
  uint8_t b[24];
  unsigned v;
  for (v = 0; v < 8; v++) {
    memcpy(b, base_pkt, 24);
    b[0] = (uint8_t)(v << 5 | 0x1f); /* any diag */
    CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 24), v == 1 ? 0 : BFD_ERR_PKT_VERSION);
  }
}

static void test_reject_length_short(void) {
  bfd_ctrl_pkt p;
  uint8_t b[52];
  unsigned l;
  memcpy(b, base_pkt, 24);
  for (l = 0; l < 24; l++) {
    b[3] = (uint8_t)l;
    CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 24), BFD_ERR_PKT_LENGTH_SHORT);
  }
  /* A bit: at least 26 (Auth Type + Auth Len) */
  mk_sha1(b);
  for (l = 0; l < 26; l++) {
    b[3] = (uint8_t)l;
    CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 52), BFD_ERR_PKT_LENGTH_SHORT);
  }
  b[3] = 26; /* passes the Length check, fails the auth layout */
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 52), BFD_ERR_PKT_AUTH_LEN);
}

static void test_reject_length_long(void) {
  bfd_ctrl_pkt p;
  uint8_t b[60];
  size_t n;
  memcpy(b, base_pkt, 24);
  b[3] = 25;
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 24), BFD_ERR_PKT_LENGTH_LONG);
  b[3] = 255;
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 24), BFD_ERR_PKT_LENGTH_LONG);
  mk_sha1(b);
  for (n = 24; n < 52; n++)
    CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, n), BFD_ERR_PKT_LENGTH_LONG);
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 52), 0);
}

static void test_reject_detect_mult(void) {
  bfd_ctrl_pkt p;
  uint8_t b[24];
  memcpy(b, base_pkt, 24);
  b[2] = 0;
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 24), BFD_ERR_PKT_DETECT_MULT);
  b[2] = 1;
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 24), 0);
}

static void test_reject_multipoint(void) {
  bfd_ctrl_pkt p;
  uint8_t b[24];
  memcpy(b, base_pkt, 24);
  b[1] |= BFD_FLAG_M;
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 24), BFD_ERR_PKT_MULTIPOINT);
}

static void test_reject_my_discr(void) {
  bfd_ctrl_pkt p;
  uint8_t b[24];
  memcpy(b, base_pkt, 24);
  memset(b + 4, 0, 4);
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 24), BFD_ERR_PKT_MY_DISCR);
  b[4] = 0x80; /* any nonzero byte counts */
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 24), 0);
  CU_ASSERT_EQUAL(p.my_discr, 0x80000000u);
}

static void test_reject_poll_final(void) {
  bfd_ctrl_pkt p;
  uint8_t b[24];
  memcpy(b, base_pkt, 24);
  b[1] |= BFD_FLAG_P | BFD_FLAG_F;
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 24), BFD_ERR_PKT_POLL_FINAL);
  b[1] &= (uint8_t)~BFD_FLAG_F;
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 24), 0);
}

static void test_reject_auth_type(void) {
  bfd_ctrl_pkt p;
  uint8_t b[52];
  unsigned t;
  for (t = 0; t < 256; t++) {
    mk_sha1(b);
    b[24] = (uint8_t)t;
    if (t == 0 || t > 5)
      CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 52), BFD_ERR_PKT_AUTH_TYPE);
  }
  /* Auth Type 0 with the smallest A-bit Length */
  mk_sha1(b);
  b[3] = 26;
  b[24] = 0;
  b[25] = 2;
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 26), BFD_ERR_PKT_AUTH_TYPE);
}

/* Auth Len that does not fit its type; Length kept consistent (24 + Auth Len)
 * so only the per-type rule fires. */
static void test_reject_auth_len_type(void) {
  static const struct {
    uint8_t type, alen;
  } bad[] = {
      {BFD_AUTH_SIMPLE, 0},
      {BFD_AUTH_SIMPLE, 2},
      {BFD_AUTH_SIMPLE, 3},
      {BFD_AUTH_SIMPLE, 20},
      {BFD_AUTH_SIMPLE, 28},
      {BFD_AUTH_KEYED_MD5, 23},
      {BFD_AUTH_KEYED_MD5, 25},
      {BFD_AUTH_KEYED_MD5, 28},
      {BFD_AUTH_METICULOUS_KEYED_MD5, 4},
      {BFD_AUTH_METICULOUS_KEYED_MD5, 28},
      {BFD_AUTH_KEYED_SHA1, 24},
      {BFD_AUTH_KEYED_SHA1, 27},
      {BFD_AUTH_KEYED_SHA1, 29},
      {BFD_AUTH_METICULOUS_KEYED_SHA1, 24},
      {BFD_AUTH_METICULOUS_KEYED_SHA1, 19},
  };
  bfd_ctrl_pkt p;
  uint8_t b[80];
  size_t i, n;
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    memset(b, 0, sizeof(b));
    mk_sha1(b);
    n = 24 + (bad[i].alen < 2 ? 2 : bad[i].alen); /* Length >= 26 with A */
    b[3] = (uint8_t)n;
    b[24] = bad[i].type;
    b[25] = bad[i].alen;
    CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, n), BFD_ERR_PKT_AUTH_LEN);
  }
  /* the boundaries that are right */
  for (n = 4; n <= 19; n++) {
    mk_sha1(b);
    b[3] = (uint8_t)(24 + n);
    b[24] = BFD_AUTH_SIMPLE;
    b[25] = (uint8_t)n;
    CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 24 + n), 0);
    CU_ASSERT_EQUAL(p.auth.data_len, n - 3);
  }
}

/* Auth section valid for its type but not ending exactly at Length. */
static void test_reject_auth_len_packet(void) {
  bfd_ctrl_pkt p;
  uint8_t b[80];
  memset(b, 0, sizeof(b));
  mk_sha1(b);
  b[3] = 53; /* one byte after the section */
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 60), BFD_ERR_PKT_AUTH_LEN);
  b[3] = 51; /* section runs past Length */
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 60), BFD_ERR_PKT_AUTH_LEN);
  b[3] = 26;
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 60), BFD_ERR_PKT_AUTH_LEN);
  /* Simple Password of 5 claimed in Auth Len 8, Length says 7 more */
  b[3] = 24 + 7;
  b[24] = BFD_AUTH_SIMPLE;
  b[25] = 8;
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 60), BFD_ERR_PKT_AUTH_LEN);
  b[3] = 24 + 8;
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 60), 0);
}

/* A packet with two faults returns the one §6.8.6 checks first. */
static void test_check_order(void) {
  bfd_ctrl_pkt p;
  uint8_t b[64];

  /* truncated + version 0 */
  memcpy(b, base_pkt, 24);
  b[0] = 0;
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 23), BFD_ERR_PKT_TRUNCATED);
  /* version + Length short */
  b[3] = 10;
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 24), BFD_ERR_PKT_VERSION);
  /* Length short (25 with A) + Length long (25 > 24) */
  memcpy(b, base_pkt, 24);
  b[1] |= BFD_FLAG_A;
  b[3] = 25;
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 24), BFD_ERR_PKT_LENGTH_SHORT);
  /* Length long + Detect Mult 0 */
  memcpy(b, base_pkt, 24);
  b[3] = 30;
  b[2] = 0;
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 24), BFD_ERR_PKT_LENGTH_LONG);
  /* Detect Mult 0 + M */
  memcpy(b, base_pkt, 24);
  b[2] = 0;
  b[1] |= BFD_FLAG_M;
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 24), BFD_ERR_PKT_DETECT_MULT);
  /* M + My Discr 0 */
  memcpy(b, base_pkt, 24);
  b[1] |= BFD_FLAG_M;
  memset(b + 4, 0, 4);
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 24), BFD_ERR_PKT_MULTIPOINT);
  /* My Discr 0 + P&F */
  memcpy(b, base_pkt, 24);
  memset(b + 4, 0, 4);
  b[1] |= BFD_FLAG_P | BFD_FLAG_F;
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 24), BFD_ERR_PKT_MY_DISCR);
  /* P&F + reserved Auth Type */
  mk_sha1(b);
  b[1] |= BFD_FLAG_P | BFD_FLAG_F;
  b[24] = 9;
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 52), BFD_ERR_PKT_POLL_FINAL);
  /* reserved Auth Type + bad Auth Len */
  mk_sha1(b);
  b[24] = 0;
  b[25] = 200;
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 52), BFD_ERR_PKT_AUTH_TYPE);
  /* every fault at once: the first one wins */
  memset(b, 0, 24);
  b[1] = 0x3f;
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 24), BFD_ERR_PKT_VERSION);
}

/* Bytes after Length (UDP padding) are ignored, §6.8.6. */
static void test_trailing_bytes(void) {
  bfd_ctrl_pkt p, q;
  uint8_t b[64];
  memset(b, 0x5a, sizeof(b));
  memcpy(b, base_pkt, 24);
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 64), 0);
  CU_ASSERT_EQUAL(p.length, 24);
  CU_ASSERT_EQUAL(p.auth.type, 0);
  mk_sha1(b);
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 64), 0);
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&q, b, 52), 0);
  CU_ASSERT(memcmp(&p, &q, sizeof(p)) == 0);
}

/* A clear with Length > 24: accepted (§6.8.6 needs only 24 <= Length <=
 * payload); the tail is ignored and re-encoding gives the 24-byte form. */
static void test_no_auth_long_length(void) {
  bfd_ctrl_pkt p, q;
  uint8_t b[64], out[64];
  memset(b, 0x77, sizeof(b));
  memcpy(b, base_pkt, 24);
  b[3] = 40;
  CU_ASSERT_EQUAL_FATAL(bfd_ctrl_pkt_decode(&p, b, 40), 0);
  CU_ASSERT_EQUAL(p.length, 40);
  CU_ASSERT_EQUAL(p.auth.type, 0);
  CU_ASSERT_EQUAL(p.auth.data[0], 0);
  CU_ASSERT_EQUAL_FATAL(bfd_ctrl_pkt_encode(out, sizeof(out), &p), 24);
  CU_ASSERT(memcmp(out, base_pkt, 24) == 0);
  CU_ASSERT_EQUAL_FATAL(bfd_ctrl_pkt_decode(&q, out, 24), 0);
  p.length = 24;
  CU_ASSERT(memcmp(&p, &q, sizeof(p)) == 0);
}

/* Decoding zeroes pads and unused auth bytes so structs compare with memcmp. */
static void test_decode_zeroes(void) {
  bfd_ctrl_pkt p, q;
  uint8_t b[52];
  size_t i;
  const uint8_t *raw = (const uint8_t *)&p;
  memset(&p, 0xaa, sizeof(p));
  memset(&q, 0x55, sizeof(q));
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, base_pkt, 24), 0);
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&q, base_pkt, 24), 0);
  CU_ASSERT(memcmp(&p, &q, sizeof(p)) == 0);
  for (i = offsetof(bfd_ctrl_pkt, auth); i < sizeof(p); i++)
    CU_ASSERT_EQUAL(raw[i], 0);
  CU_ASSERT_EQUAL(p.pad[0] | p.pad[1], 0);

  /* Simple Password: reserved, seq, data beyond the password, pad are 0 */
  mk_sha1(b);
  b[3] = 24 + 4;
  b[24] = BFD_AUTH_SIMPLE;
  b[25] = 4;
  b[26] = 1;
  b[27] = 'x';
  memset(&p, 0xaa, sizeof(p));
  memset(&q, 0x55, sizeof(q));
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, b, 28), 0);
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&q, b, 28), 0);
  CU_ASSERT(memcmp(&p, &q, sizeof(p)) == 0);
  CU_ASSERT_EQUAL(p.auth.data_len, 1);
  CU_ASSERT_EQUAL(p.auth.data[0], 'x');
  CU_ASSERT_EQUAL(p.auth.data[1], 0);
  CU_ASSERT_EQUAL(p.auth.reserved, 0);
  CU_ASSERT_EQUAL(p.auth.seq, 0);
}

static void test_encode_nobuf(void) {
  bfd_ctrl_pkt p;
  uint8_t buf[64];
  uint8_t t;
  size_t n, need;
  for (t = 0; t <= BFD_AUTH_METICULOUS_KEYED_SHA1; t++) {
    base_struct(&p);
    if (t != 0)
      set_auth(&p, t, 16);
    need = 24 + (t ? p.auth.len : 0u);
    for (n = 0; n < need; n++) {
      memset(buf, 0xcc, sizeof(buf));
      CU_ASSERT_EQUAL(bfd_ctrl_pkt_encode(buf, n, &p), BFD_ERR_NOBUF);
      CU_ASSERT_EQUAL(buf[0], 0xcc); /* nothing written */
    }
    memset(buf, 0xcc, sizeof(buf));
    CU_ASSERT_EQUAL(bfd_ctrl_pkt_encode(buf, need, &p), (ptrdiff_t)need);
    CU_ASSERT_EQUAL(buf[need], 0xcc);
  }
  CU_ASSERT_EQUAL(need, BFD_CTRL_LEN_MAX);
}

static void test_encode_reject(void) {
  /* base_struct with one header field out of range */
  static const struct {
    uint8_t diag, state, flags, mult;
    uint32_t my;
    int want;
  } bad[] = {
      {32, BFD_STATE_UP, 0, 3, 1, BFD_ERR_INVALID_ARGUMENT},
      {0, 4, 0, 3, 1, BFD_ERR_INVALID_ARGUMENT},
      {0, BFD_STATE_UP, 0x40, 3, 1, BFD_ERR_INVALID_ARGUMENT}, /* would overwrite the state bits */
      {0, BFD_STATE_UP, 0, 0, 1, BFD_ERR_PKT_DETECT_MULT},
      {0, BFD_STATE_UP, 0, 3, 0, BFD_ERR_PKT_MY_DISCR},
      {0, BFD_STATE_UP, BFD_FLAG_M, 3, 1, BFD_ERR_PKT_MULTIPOINT},
      {0, BFD_STATE_UP, BFD_FLAG_P | BFD_FLAG_F, 3, 1, BFD_ERR_PKT_POLL_FINAL},
  };
  static const struct {
    uint8_t type, simple_len;
    int auth_type, len, data_len;
    ptrdiff_t want;
  } au[] = {
      {BFD_AUTH_KEYED_SHA1, 0, BFD_AUTH_NONE, -1, -1, BFD_ERR_PKT_AUTH_TYPE},
      {BFD_AUTH_KEYED_SHA1, 0, 6, -1, -1, BFD_ERR_PKT_AUTH_TYPE},
      /* Auth Len / data_len mismatches */
      {BFD_AUTH_KEYED_SHA1, 0, -1, 24, -1, BFD_ERR_PKT_AUTH_LEN},
      {BFD_AUTH_KEYED_SHA1, 0, -1, 28, 16, BFD_ERR_PKT_AUTH_LEN},
      {BFD_AUTH_KEYED_MD5, 0, -1, -1, 20, BFD_ERR_PKT_AUTH_LEN},
      {BFD_AUTH_SIMPLE, 8, -1, 3, 0, BFD_ERR_PKT_AUTH_LEN},
      {BFD_AUTH_SIMPLE, 8, -1, 20, 17, BFD_ERR_PKT_AUTH_LEN},
      {BFD_AUTH_SIMPLE, 8, -1, 12, 8, BFD_ERR_PKT_AUTH_LEN},
      {BFD_AUTH_SIMPLE, 8, -1, 11, 8, 35},
  };
  bfd_ctrl_pkt p;
  uint8_t buf[64];
  size_t i;
  base_struct(&p);
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_encode(NULL, 64, &p), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_encode(buf, 64, NULL), BFD_ERR_INVALID_ARGUMENT);
  for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    base_struct(&p);
    p.diag = bad[i].diag;
    p.state = bad[i].state;
    p.flags = bad[i].flags;
    p.detect_mult = bad[i].mult;
    p.my_discr = bad[i].my;
    CU_ASSERT_EQUAL(bfd_ctrl_pkt_encode(buf, 64, &p), bad[i].want);
  }
  /* Auth sections: set_auth(type, data_len), then Auth Type, Auth Len and
   * data_len as given (-1: as set_auth left it). */
  for (i = 0; i < sizeof(au) / sizeof(au[0]); i++) {
    base_struct(&p);
    set_auth(&p, au[i].type, au[i].simple_len);
    if (au[i].auth_type >= 0)
      p.auth.type = (uint8_t)au[i].auth_type;
    if (au[i].len >= 0)
      p.auth.len = (uint8_t)au[i].len;
    if (au[i].data_len >= 0)
      p.auth.data_len = (uint8_t)au[i].data_len;
    CU_ASSERT_EQUAL(bfd_ctrl_pkt_encode(buf, 64, &p), au[i].want);
  }
  /* without the A bit the auth struct is ignored */
  base_struct(&p);
  p.auth.type = 200;
  p.auth.len = 1;
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_encode(buf, 64, &p), 24);
}

static void test_helpers(void) {
  uint32_t yd = 0;
  uint8_t st = 9;
  uint8_t b[4];
  CU_ASSERT_EQUAL(bfd_codec_peek_your_discr(base_pkt, 23, &yd, &st), BFD_ERR_PKT_TRUNCATED);
  CU_ASSERT_EQUAL(bfd_codec_peek_your_discr(NULL, 24, &yd, &st), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_codec_peek_your_discr(base_pkt, 24, NULL, &st), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_codec_peek_your_discr(base_pkt, 24, &yd, &st), 0);
  CU_ASSERT_EQUAL(yd, 2);
  CU_ASSERT_EQUAL(st, BFD_STATE_UP);
  CU_ASSERT_EQUAL(bfd_codec_peek_your_discr(base_pkt, 24, &yd, NULL), 0);

  CU_ASSERT_EQUAL(bfd_codec_auth_digest_len(BFD_AUTH_NONE), 0);
  CU_ASSERT_EQUAL(bfd_codec_auth_digest_len(BFD_AUTH_SIMPLE), 0);
  CU_ASSERT_EQUAL(bfd_codec_auth_digest_len(BFD_AUTH_KEYED_MD5), 16);
  CU_ASSERT_EQUAL(bfd_codec_auth_digest_len(BFD_AUTH_METICULOUS_KEYED_MD5), 16);
  CU_ASSERT_EQUAL(bfd_codec_auth_digest_len(BFD_AUTH_KEYED_SHA1), 20);
  CU_ASSERT_EQUAL(bfd_codec_auth_digest_len(BFD_AUTH_METICULOUS_KEYED_SHA1), 20);
  CU_ASSERT_EQUAL(bfd_codec_auth_digest_len(6), 0);
  CU_ASSERT_EQUAL(bfd_codec_auth_is_meticulous(BFD_AUTH_KEYED_MD5), 0);
  CU_ASSERT_EQUAL(bfd_codec_auth_is_meticulous(BFD_AUTH_METICULOUS_KEYED_MD5), 1);
  CU_ASSERT_EQUAL(bfd_codec_auth_is_meticulous(BFD_AUTH_KEYED_SHA1), 0);
  CU_ASSERT_EQUAL(bfd_codec_auth_is_meticulous(BFD_AUTH_METICULOUS_KEYED_SHA1), 1);
  CU_ASSERT_EQUAL(bfd_codec_auth_len(BFD_AUTH_SIMPLE, 1), 4);
  CU_ASSERT_EQUAL(bfd_codec_auth_len(BFD_AUTH_SIMPLE, 16), 19);
  CU_ASSERT_EQUAL(bfd_codec_auth_len(BFD_AUTH_SIMPLE, 0), BFD_ERR_PKT_AUTH_LEN);
  CU_ASSERT_EQUAL(bfd_codec_auth_len(BFD_AUTH_SIMPLE, 17), BFD_ERR_PKT_AUTH_LEN);
  CU_ASSERT_EQUAL(bfd_codec_auth_len(BFD_AUTH_KEYED_MD5, 16), 24);
  CU_ASSERT_EQUAL(bfd_codec_auth_len(BFD_AUTH_METICULOUS_KEYED_SHA1, 20), 28);
  CU_ASSERT_EQUAL(bfd_codec_auth_len(BFD_AUTH_KEYED_SHA1, 16), BFD_ERR_PKT_AUTH_LEN);
  CU_ASSERT_EQUAL(bfd_codec_auth_len(0, 16), BFD_ERR_PKT_AUTH_TYPE);
  CU_ASSERT_EQUAL(bfd_codec_auth_len(255, 20), BFD_ERR_PKT_AUTH_TYPE);

  bfd_codec_put_u32(b, 0xfedcba98);
  CU_ASSERT(b[0] == 0xfe && b[1] == 0xdc && b[2] == 0xba && b[3] == 0x98);
  CU_ASSERT_EQUAL(bfd_codec_get_u32(b), 0xfedcba98u);
}

/* ---- Captured vectors (test/vectors, *.hex files), if present ---- */

/* Parse one line of hex (whitespace and ':' allowed between bytes, '#' starts
 * a comment). Returns the byte count, 0 for a blank/comment line, -1 on
 * malformed input. */
static int parse_hex_line(const char *line, uint8_t *out, size_t cap) {
  size_t n = 0;
  int hi = -1;
  for (; *line && *line != '#'; line++) {
    int v;
    if (isspace((unsigned char)*line) || *line == ':')
      continue;
    v = bt_hex_digit(tolower((unsigned char)*line));
    if (v < 0)
      return -1;
    if (hi < 0) {
      hi = v;
    } else {
      if (n == cap)
        return -1;
      out[n++] = (uint8_t)(hi << 4 | v);
      hi = -1;
    }
  }
  return hi < 0 ? (int)n : -1;
}

static int has_suffix(const char *s, const char *suffix) {
  size_t ls = strlen(s), lx = strlen(suffix);
  return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

static void test_vectors(void) {
  const char *dir = getenv("BFD_TEST_VECTORS");
  DIR *d;
  struct dirent *de;
  unsigned files = 0, vectors = 0;
  if (dir == NULL || (d = opendir(dir)) == NULL) {
    fprintf(stderr, "\n  (no vector directory; skipped)");
    return;
  }
  while ((de = readdir(d)) != NULL) {
    char path[4096], line[1024];
    FILE *f;
    unsigned lineno = 0;
    if (!has_suffix(de->d_name, ".hex"))
      continue;
    snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
    f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL(f);
    if (f == NULL)
      continue;
    files++;
    while (fgets(line, sizeof(line), f) != NULL) {
      uint8_t pkt[256], out[64];
      bfd_ctrl_pkt p, q;
      int n, rv;
      ptrdiff_t m;
      lineno++;
      n = parse_hex_line(line, pkt, sizeof(pkt));
      if (n < 0)
        fprintf(stderr, "\n  %s:%u: malformed hex", de->d_name, lineno);
      CU_ASSERT(n >= 0);
      if (n <= 0)
        continue;
      vectors++;
      rv = bfd_ctrl_pkt_decode(&p, pkt, (size_t)n);
      if (rv != 0)
        fprintf(stderr, "\n  %s:%u: decode: %s", de->d_name, lineno, bfd_strerror(rv));
      CU_ASSERT_EQUAL(rv, 0);
      if (rv != 0)
        continue;
      m = bfd_ctrl_pkt_encode(out, sizeof(out), &p);
      if (m != p.length || memcmp(out, pkt, (size_t)m) != 0)
        fprintf(stderr, "\n  %s:%u: re-encoding differs", de->d_name, lineno);
      CU_ASSERT_EQUAL(m, p.length);
      CU_ASSERT(m > 0 && memcmp(out, pkt, (size_t)m) == 0);
      CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&q, out, (size_t)(m > 0 ? m : 0)), 0);
      CU_ASSERT(memcmp(&p, &q, sizeof(p)) == 0);
    }
    fclose(f);
  }
  closedir(d);
  fprintf(stderr, "\n  (%u vectors in %u files)", vectors, files);
  /* A .hex file without a single packet is a broken capture. */
  if (files > 0)
    CU_ASSERT(vectors > 0);
}

int main(void) {
  CU_TestInfo tests[] = {{"roundtrip_limits", test_roundtrip_limits},
                         {"roundtrip_diag_state", test_roundtrip_diag_state},
                         {"roundtrip_flags", test_roundtrip_flags},
                         {"roundtrip_auth", test_roundtrip_auth},
                         {"encode_bytes_plain", test_encode_bytes_plain},
                         {"encode_bytes_simple", test_encode_bytes_simple},
                         {"encode_bytes_md5_sha1", test_encode_bytes_md5_sha1},
                         {"reject_null", test_reject_null},
                         {"reject_truncated", test_reject_truncated},
                         {"reject_version", test_reject_version},
                         {"reject_length_short", test_reject_length_short},
                         {"reject_length_long", test_reject_length_long},
                         {"reject_detect_mult", test_reject_detect_mult},
                         {"reject_multipoint", test_reject_multipoint},
                         {"reject_my_discr", test_reject_my_discr},
                         {"reject_poll_final", test_reject_poll_final},
                         {"reject_auth_type", test_reject_auth_type},
                         {"reject_auth_len_type", test_reject_auth_len_type},
                         {"reject_auth_len_packet", test_reject_auth_len_packet},
                         {"check_order", test_check_order},
                         {"trailing_bytes", test_trailing_bytes},
                         {"no_auth_long_length", test_no_auth_long_length},
                         {"decode_zeroes", test_decode_zeroes},
                         {"encode_nobuf", test_encode_nobuf},
                         {"encode_reject", test_encode_reject},
                         {"helpers", test_helpers},
                         {"vectors", test_vectors},
                         CU_TEST_INFO_NULL};
  return bfd_test_run_suite("codec", tests);
}
