/* Authentication (RFC 5880 §6.7): known answers from an independent Python
 * hashlib generator (test/vectors/gen_auth_vectors.py -> auth-kat.txt), real
 * BIRD 2.0.12 packets with a known key, the sequence-number windows, the
 * A-bit rules, configuration errors, and pairs of sessions on bfd_sim's
 * virtual clock (every type reaches Up, a wrong key never does, key rotation does
 * not flap). */
#define _POSIX_C_SOURCE 200809L
#include "bfd_auth.h"
#include "bfd_codec.h"
#include "bfd_crypto.h"
#include "bfd_harness.h"
#include "bfd_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS  BFD_MILLISECONDS
#define SEC BFD_SECONDS
#define T0  (1000 * SEC)

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

static int keyed(uint8_t type) { return type != BFD_AUTH_SIMPLE; }

/* A type is testable end to end if this build can hash it. */
static int have(uint8_t type) { return !keyed(type) || bfd_crypto_built(); }

/* A ring of k's type holding k, bfd.XmitAuthSeq xmit (bfd_auth_ring_new
 * and _put, the calls under test here). */
static bfd_auth_ring *ring_of(const bfd_auth_key *k, uint32_t xmit) {
  bfd_auth_ring *r = bfd_auth_ring_new(NULL, k->type, xmit);
  CU_ASSERT_FATAL(r != NULL);
  CU_ASSERT_EQUAL(bfd_auth_ring_put(r, k), 0);
  return r;
}

static bfd_auth_ring *mkring(uint8_t type, uint8_t id, const char *secret, uint32_t xmit) {
  bfd_auth_key k = bt_key_str(type, id, secret);
  return ring_of(&k, xmit);
}

static uint64_t total_failures(const bfd_auth_ring *r) {
  uint64_t t = 0;
  int i;
  for (i = 0; i < BFD_AUTH_FAIL_COUNT; i++)
    t += r->failures[i];
  return t;
}

/* A signed packet from `r` with sequence number `seq` (keyed types). */
static size_t sign_seq(bfd_auth_ring *r, uint32_t seq, uint8_t mult, uint8_t *buf,
                       bfd_ctrl_pkt *out) {
  bt_peer p = bt_peer_make(BFD_STATE_UP, 0x01020304, 0x05060708, 300000);
  size_t n;
  p.mult = mult;
  p.ring = r;
  n = bt_peer_encode_seq(&p, seq, buf);
  CU_ASSERT_EQUAL_FATAL(bfd_ctrl_pkt_decode(out, buf, n), 0);
  return n;
}

/* ------------------------------------------------------------------------ */
/* Known answers from the Python generator                                  */
/* ------------------------------------------------------------------------ */

typedef struct kat {
  uint8_t type, key_id, key_len;
  uint8_t key[BFD_AUTH_SECRET_MAX];
  uint32_t seq;
  uint8_t pkt[BFD_CTRL_LEN_MAX];
  size_t len;
} kat;

static kat kats[32];
static size_t nkats;

static void load_kats(void) {
  char line[512], keyhex[64], pkthex[160];
  FILE *f;
  unsigned t, id;
  unsigned long seq;
  if (nkats)
    return;
  f = bt_vector_open("auth-kat.txt");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  while (fgets(line, sizeof line, f)) {
    kat *k;
    int n;
    if (line[0] == '#' || line[0] == '\n')
      continue;
    CU_ASSERT_EQUAL_FATAL(sscanf(line, "kat %u %u %63s %lu %159s", &t, &id, keyhex, &seq, pkthex),
                          5);
    CU_ASSERT_FATAL(nkats < sizeof(kats) / sizeof(kats[0]));
    k = &kats[nkats++];
    k->type = (uint8_t)t;
    k->key_id = (uint8_t)id;
    k->seq = (uint32_t)seq;
    n = bt_unhex(keyhex, k->key, sizeof(k->key));
    CU_ASSERT_FATAL(n > 0);
    k->key_len = (uint8_t)n;
    n = bt_unhex(pkthex, k->pkt, sizeof(k->pkt));
    CU_ASSERT_FATAL(n >= 24);
    k->len = (size_t)n;
  }
  fclose(f);
}

static void test_kat_verify(void) {
  size_t i;
  unsigned types = 0, checked = 0;
  load_kats();
  CU_ASSERT(nkats >= 10);
  for (i = 0; i < nkats; i++) {
    const kat *k = &kats[i];
    bfd_ctrl_pkt pkt;
    bfd_auth_ring *r;
    bfd_auth_key key = bt_key(k->type, k->key_id, k->key, k->key_len);
    uint8_t bad[BFD_CTRL_LEN_MAX];
    types |= 1u << k->type;
    CU_ASSERT_EQUAL_FATAL(bfd_ctrl_pkt_decode(&pkt, k->pkt, k->len), 0);
    CU_ASSERT(pkt.flags & BFD_FLAG_A);
    CU_ASSERT_EQUAL(pkt.auth.type, k->type);
    CU_ASSERT_EQUAL(pkt.auth.seq, keyed(k->type) ? k->seq : 0);
    if (!have(k->type)) {
      CU_ASSERT_EQUAL(bfd_auth_key_check(&key), BFD_ERR_NOT_BUILT);
      continue;
    }
    CU_ASSERT_EQUAL(bfd_auth_key_check(&key), 0);
    r = ring_of(&key, 0);
    CU_ASSERT_EQUAL(bfd_auth_verify(r, &pkt, k->pkt, 3, 300000, T0), 0);
    CU_ASSERT_EQUAL(total_failures(r), 0);
    if (keyed(k->type)) {
      CU_ASSERT_EQUAL(r->seq_known, 1);
      CU_ASSERT_EQUAL(r->rcv_seq, k->seq);
    }
    /* Any flipped bit anywhere in the packet (digest covers all of it) or
     * in the password must fail, and change nothing else. */
    {
      size_t pos = keyed(k->type) ? 5 : k->len - 1;
      bfd_ctrl_pkt p2;
      bfd_auth_ring *r2 = ring_of(&key, 0);
      memcpy(bad, k->pkt, k->len);
      bad[pos] ^= 0x01;
      CU_ASSERT_EQUAL_FATAL(bfd_ctrl_pkt_decode(&p2, bad, k->len), 0);
      CU_ASSERT_EQUAL(bfd_auth_verify(r2, &p2, bad, 3, 300000, T0), BFD_ERR_PKT_AUTH_FAILED);
      CU_ASSERT_EQUAL(r2->failures[keyed(k->type) ? BFD_AUTH_FAIL_DIGEST : BFD_AUTH_FAIL_PASSWORD],
                      1);
      CU_ASSERT_EQUAL(r2->seq_known, 0);
      bfd_auth_ring_free(NULL, r2);
    }
    bfd_auth_ring_free(NULL, r);
    checked++;
  }
  CU_ASSERT_EQUAL(types, 0x3eu); /* all five types present */
  printf("\n    %u of %zu vectors verified (crypto %s)\n", checked, nkats,
         bfd_crypto_built() ? "built" : "not built");
}

/* Our signer, fed the generator's fields, writes the generator's bytes. */
static void test_kat_sign(void) {
  size_t i;
  load_kats();
  for (i = 0; i < nkats; i++) {
    const kat *k = &kats[i];
    bfd_ctrl_pkt pkt;
    bfd_auth_ring *r;
    bfd_auth_key key = bt_key(k->type, k->key_id, k->key, k->key_len);
    uint8_t out[BFD_CTRL_LEN_MAX];
    ptrdiff_t n;
    CU_ASSERT_EQUAL_FATAL(bfd_ctrl_pkt_decode(&pkt, k->pkt, k->len), 0);
    /* Start from a packet without any auth section. */
    pkt.flags &= (uint8_t)~BFD_FLAG_A;
    memset(&pkt.auth, 0xa5, sizeof(pkt.auth));
    r = ring_of(&key, k->seq);
    n = bfd_auth_encode(r, out, sizeof out, &pkt);
    if (!have(k->type)) {
      CU_ASSERT_EQUAL(n, BFD_ERR_NOT_BUILT);
      CU_ASSERT_EQUAL(r->xmit_seq, k->seq);
    } else {
      CU_ASSERT_EQUAL(n, (ptrdiff_t)k->len);
      CU_ASSERT(n > 0 && memcmp(out, k->pkt, k->len) == 0);
      /* bfd.XmitAuthSeq advances per packet for keyed types. */
      CU_ASSERT_EQUAL(r->xmit_seq, keyed(k->type) ? k->seq + 1 : k->seq);
    }
    /* Too small a buffer: the encoder says so before anything is hashed
     * (keyed packets are 48/52 bytes, passwords at most 43). */
    CU_ASSERT_EQUAL(bfd_auth_encode(r, out, 47, &pkt),
                    k->len > 47 ? BFD_ERR_NOBUF : (ptrdiff_t)k->len);
    bfd_auth_ring_free(NULL, r);
  }
}

/* ------------------------------------------------------------------------ */
/* BIRD 2.0.12's own packets (test/vectors/bird-ipv4-single-auth-*.hex)     */
/* ------------------------------------------------------------------------ */

static void bird_file(const char *name, uint8_t type) {
  char line[512];
  FILE *f;
  bfd_auth_ring *ring[2] = {NULL, NULL}, *wrong[2] = {NULL, NULL}, *replay = NULL;
  uint32_t sender[2] = {0, 0};
  uint64_t now = T0;
  unsigned npkts = 0, replays_rejected = 0, replays_tested = 0;
  int i;

  f = bt_vector_open(name);
  if (!f) {
    printf("\n    %s missing: skipped\n", name);
    return;
  }
  while (fgets(line, sizeof line, f)) {
    uint8_t buf[64];
    bfd_ctrl_pkt pkt;
    int n, who;
    if (line[0] == '#' || line[0] == '\n')
      continue;
    n = bt_unhex(line, buf, sizeof buf);
    CU_ASSERT_FATAL(n >= 24);
    CU_ASSERT_EQUAL_FATAL(bfd_ctrl_pkt_decode(&pkt, buf, (size_t)n), 0);
    CU_ASSERT_EQUAL(pkt.auth.type, type);
    CU_ASSERT_EQUAL(pkt.auth.key_id, 42);
    /* One receiver per sender: sequence numbers are per sender. */
    who = pkt.my_discr == sender[0] ? 0 : pkt.my_discr == sender[1] ? 1 : -1;
    if (who < 0) {
      who = sender[0] == 0 ? 0 : 1;
      CU_ASSERT_FATAL(sender[who] == 0);
      sender[who] = pkt.my_discr;
      ring[who] = mkring(type, 42, "bfdkit-test", 0);
      wrong[who] = mkring(type, 42, "bfdkit-tesT", 0);
    }
    now += 100 * MS;
    CU_ASSERT_EQUAL(bfd_auth_verify(ring[who], &pkt, buf, 5, 300000, now), 0);
    CU_ASSERT_EQUAL(bfd_auth_verify(wrong[who], &pkt, buf, 5, 300000, now),
                    BFD_ERR_PKT_AUTH_FAILED);
    /* Replay: the same packet again, right after. */
    if (keyed(type)) {
      replay = ring[who];
      replays_tested++;
      if (bfd_auth_verify(replay, &pkt, buf, 5, 300000, now) != 0)
        replays_rejected++;
    }
    npkts++;
  }
  fclose(f);
  CU_ASSERT(npkts >= 8);
  CU_ASSERT(sender[0] != 0 && sender[1] != 0);
  for (i = 0; i < 2; i++) {
    if (!ring[i])
      continue;
    CU_ASSERT_EQUAL(total_failures(ring[i]),
                    replays_rejected ? ring[i]->failures[BFD_AUTH_FAIL_SEQ] : 0);
    CU_ASSERT_EQUAL(wrong[i]->failures[keyed(type) ? BFD_AUTH_FAIL_DIGEST : BFD_AUTH_FAIL_PASSWORD],
                    total_failures(wrong[i]));
    CU_ASSERT(total_failures(wrong[i]) >= 1);
    bfd_auth_ring_free(NULL, ring[i]);
    bfd_auth_ring_free(NULL, wrong[i]);
  }
  /* §6.7.3/§6.7.4: a replay is rejected by the meticulous types only. */
  if (bfd_codec_auth_is_meticulous(type))
    CU_ASSERT_EQUAL(replays_rejected, replays_tested);
  if (keyed(type) && !bfd_codec_auth_is_meticulous(type))
    CU_ASSERT_EQUAL(replays_rejected, 0);
  printf("\n    %s: %u BIRD packets verified, %u/%u replays rejected", name, npkts,
         replays_rejected, replays_tested);
}

static void test_bird_vectors(void) {
  static const struct {
    const char *file;
    uint8_t type;
  } files[] = {
      {"bird-ipv4-single-auth-simple.hex", BFD_AUTH_SIMPLE},
      {"bird-ipv4-single-auth-keyed-md5.hex", BFD_AUTH_KEYED_MD5},
      {"bird-ipv4-single-auth-meticulous-keyed-md5.hex", BFD_AUTH_METICULOUS_KEYED_MD5},
      {"bird-ipv4-single-auth-keyed-sha1.hex", BFD_AUTH_KEYED_SHA1},
      {"bird-ipv4-single-auth-meticulous-keyed-sha1.hex", BFD_AUTH_METICULOUS_KEYED_SHA1},
  };
  size_t i;
  for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
    if (have(files[i].type))
      bird_file(files[i].file, files[i].type);
  printf("\n");
}

/* ------------------------------------------------------------------------ */
/* Sequence numbers (§6.7.3, §6.7.4, §6.8.1)                                */
/* ------------------------------------------------------------------------ */

/* Verifies seq `seq` (from a packet with Detect Mult `pmult`) on `rx`. */
static int rx_seq(bfd_auth_ring *tx, bfd_auth_ring *rx, uint32_t seq, uint8_t pmult,
                  uint8_t local_mult, uint64_t now) {
  uint8_t buf[BFD_CTRL_LEN_MAX];
  bfd_ctrl_pkt p;
  (void)sign_seq(tx, seq, pmult, buf, &p);
  return bfd_auth_verify(rx, &p, buf, local_mult, 300000, now);
}

static void window_case(uint8_t type) {
  bfd_auth_ring *tx = mkring(type, 1, "k", 0), *rx = mkring(type, 1, "k", 0);
  int met = bfd_codec_auth_is_meticulous(type);
  uint64_t now = T0;
  CU_ASSERT_EQUAL(rx_seq(tx, rx, 1000, 3, 3, now), 0);
  /* Replay of the last one: only the meticulous types reject it. */
  CU_ASSERT_EQUAL(rx_seq(tx, rx, 1000, 3, 3, now), met ? BFD_ERR_PKT_AUTH_FAILED : 0);
  /* Behind: always rejected. */
  CU_ASSERT_EQUAL(rx_seq(tx, rx, 999, 3, 3, now), BFD_ERR_PKT_AUTH_FAILED);
  /* Window 3 x 3 = 9: 1009 is the last accepted, 1010 just outside. */
  CU_ASSERT_EQUAL(rx_seq(tx, rx, 1010, 3, 3, now), BFD_ERR_PKT_AUTH_FAILED);
  CU_ASSERT_EQUAL(rx_seq(tx, rx, 1009, 3, 3, now), 0);
  CU_ASSERT_EQUAL(rx->rcv_seq, 1009);
  CU_ASSERT_EQUAL(rx->failures[BFD_AUTH_FAIL_SEQ], met ? 3u : 2u);
  CU_ASSERT_EQUAL(total_failures(rx), rx->failures[BFD_AUTH_FAIL_SEQ]);
  /* The larger of local and received Detect Mult: local 1, packet 5 -> 15. */
  CU_ASSERT_EQUAL(rx_seq(tx, rx, 1009 + 16, 5, 1, now), BFD_ERR_PKT_AUTH_FAILED);
  CU_ASSERT_EQUAL(rx_seq(tx, rx, 1009 + 15, 5, 1, now), 0);
  /* local 4, packet 1 -> 12. */
  CU_ASSERT_EQUAL(rx_seq(tx, rx, 1024 + 13, 1, 4, now), BFD_ERR_PKT_AUTH_FAILED);
  CU_ASSERT_EQUAL(rx_seq(tx, rx, 1024 + 12, 1, 4, now), 0);
  /* Wrap-around: 2^32 - 2 -> 1 is 3 ahead. */
  rx->rcv_seq = 0xfffffffeu;
  CU_ASSERT_EQUAL(rx_seq(tx, rx, 1, 3, 3, now), 0);
  CU_ASSERT_EQUAL(rx->rcv_seq, 1);
  CU_ASSERT_EQUAL(rx_seq(tx, rx, 0xffffffffu, 3, 3, now), BFD_ERR_PKT_AUTH_FAILED);
  CU_ASSERT_EQUAL(rx_seq(tx, rx, 0x80000001u, 3, 3, now), BFD_ERR_PKT_AUTH_FAILED);
  CU_ASSERT_EQUAL(rx_seq(tx, rx, 10, 3, 3, now), 0);
  CU_ASSERT_EQUAL(rx->rcv_seq, 10);
  bfd_auth_ring_free(NULL, tx);
  bfd_auth_ring_free(NULL, rx);
}

static void test_seq_window(void) {
  uint8_t t;
  for (t = BFD_AUTH_KEYED_MD5; t <= BFD_AUTH_METICULOUS_KEYED_SHA1; t++)
    if (have(t))
      window_case(t);
}

/* §6.8.1: AuthSeqKnown is cleared after no packets for 2 x Detection Time;
 * before that a far-off sequence number stays rejected. */
static void test_seq_known_reset(void) {
  uint8_t t = BFD_AUTH_METICULOUS_KEYED_SHA1;
  bfd_auth_ring *tx, *rx;
  if (!have(t))
    return;
  tx = mkring(t, 1, "k", 0);
  rx = mkring(t, 1, "k", 0);
  /* Detection Time = 3 x max(300 ms local rx, 300 ms remote tx) = 900 ms. */
  CU_ASSERT_EQUAL(rx_seq(tx, rx, 100, 3, 3, T0), 0);
  CU_ASSERT_EQUAL(rx->seq_forget_at, T0 + 1800 * MS);
  CU_ASSERT_EQUAL(rx_seq(tx, rx, 50000, 3, 3, T0 + 1800 * MS - 1), BFD_ERR_PKT_AUTH_FAILED);
  CU_ASSERT_EQUAL(rx->rcv_seq, 100); /* a failure changes nothing */
  CU_ASSERT_EQUAL(rx->seq_forget_at, T0 + 1800 * MS);
  /* Failed packets do not keep the sequence "known". */
  CU_ASSERT_EQUAL(rx_seq(tx, rx, 50000, 3, 3, T0 + 1800 * MS), 0);
  CU_ASSERT_EQUAL(rx->rcv_seq, 50000);
  CU_ASSERT_EQUAL(rx_seq(tx, rx, 50000, 3, 3, T0 + 1800 * MS), BFD_ERR_PKT_AUTH_FAILED);
  bfd_auth_ring_free(NULL, tx);
  bfd_auth_ring_free(NULL, rx);
}

/* ------------------------------------------------------------------------ */
/* Receive failures: key id, type, password length, truncation              */
/* ------------------------------------------------------------------------ */

static void test_rx_failures(void) {
  uint8_t buf[BFD_CTRL_LEN_MAX];
  bfd_ctrl_pkt p;
  bfd_auth_ring *tx, *rx;
  size_t n;
  uint8_t t = have(BFD_AUTH_KEYED_SHA1) ? BFD_AUTH_KEYED_SHA1 : BFD_AUTH_SIMPLE;

  /* Wrong Key ID: nothing checked beyond it. */
  tx = mkring(t, 7, "key", 0);
  rx = mkring(t, 8, "key", 0);
  n = sign_seq(tx, 1, 3, buf, &p);
  CU_ASSERT_EQUAL(bfd_auth_verify(rx, &p, buf, 3, 300000, T0), BFD_ERR_PKT_AUTH_FAILED);
  CU_ASSERT_EQUAL(rx->failures[BFD_AUTH_FAIL_KEY_ID], 1);
  CU_ASSERT_EQUAL(total_failures(rx), 1);
  CU_ASSERT_EQUAL(rx->seq_known, 0);
  /* Truncated auth section: the decoder refuses it before any session. */
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, buf, n - 1), BFD_ERR_PKT_LENGTH_LONG);
  buf[BFD_CODEC_OFF_LENGTH] = (uint8_t)(n - 1);
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, buf, n - 1), BFD_ERR_PKT_AUTH_LEN);
  buf[BFD_CODEC_OFF_LENGTH] = (uint8_t)n;
  buf[BFD_CODEC_OFF_AUTH_LEN] = (uint8_t)(buf[BFD_CODEC_OFF_AUTH_LEN] - 1);
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, buf, n), BFD_ERR_PKT_AUTH_LEN);
  bfd_auth_ring_free(NULL, tx);
  bfd_auth_ring_free(NULL, rx);

  /* Type differs from bfd.AuthType (SHA1 vs Meticulous SHA1, same key). */
  if (have(BFD_AUTH_KEYED_SHA1)) {
    tx = mkring(BFD_AUTH_KEYED_SHA1, 1, "key", 0);
    rx = mkring(BFD_AUTH_METICULOUS_KEYED_SHA1, 1, "key", 0);
    (void)sign_seq(tx, 1, 3, buf, &p);
    CU_ASSERT_EQUAL(bfd_auth_verify(rx, &p, buf, 3, 300000, T0), BFD_ERR_PKT_AUTH_FAILED);
    CU_ASSERT_EQUAL(rx->failures[BFD_AUTH_FAIL_TYPE], 1);
    bfd_auth_ring_free(NULL, tx);
    bfd_auth_ring_free(NULL, rx);
  }

  /* §6.7.2: a password that is a prefix of ours fails on its length. */
  tx = mkring(BFD_AUTH_SIMPLE, 1, "secre", 0);
  rx = mkring(BFD_AUTH_SIMPLE, 1, "secret", 0);
  (void)sign_seq(tx, 0, 3, buf, &p);
  CU_ASSERT_EQUAL(p.auth.len, 3 + 5);
  CU_ASSERT_EQUAL(bfd_auth_verify(rx, &p, buf, 3, 300000, T0), BFD_ERR_PKT_AUTH_FAILED);
  CU_ASSERT_EQUAL(rx->failures[BFD_AUTH_FAIL_PASSWORD], 1);
  bfd_auth_ring_free(NULL, tx);
  bfd_auth_ring_free(NULL, rx);
}

/* ------------------------------------------------------------------------ */
/* Configuration                                                            */
/* ------------------------------------------------------------------------ */

static bfd_session *new_session(uint32_t discr, uint64_t now) {
  bfd_session *s = NULL;
  bfd_session_settings st;
  CU_ASSERT_EQUAL_FATAL(bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &st), 0);
  st.desired_min_tx_us = 100000;
  st.required_min_rx_us = 100000;
  st.local_discr = discr;
  CU_ASSERT_EQUAL_FATAL(bfd_session_new(&s, &st, NULL, NULL, NULL, now), 0);
  return s;
}

static void test_config(void) {
  bfd_session *s = new_session(1, T0);
  bfd_auth_key k;
  uint8_t t;
  static const uint8_t max_len[6] = {0, 16, 16, 16, 20, 20};

  CU_ASSERT_EQUAL(bfd_auth_key_check(NULL), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_session_auth_add_key(NULL, &k), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_session_auth_add_key(s, NULL), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_session_auth_remove_key(NULL, 1), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_session_auth_set_tx_key(NULL, 1), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_session_auth_clear(NULL), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_session_auth_get_tx_key(NULL), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_session_auth_get_type(NULL), BFD_AUTH_NONE);
  CU_ASSERT_EQUAL(bfd_session_get_auth_failures(NULL, 0), 0);

  /* Types 0 and 6..255 */
  k = bt_key(BFD_AUTH_NONE, 1, "abc", 3);
  CU_ASSERT_EQUAL(bfd_auth_key_check(&k), BFD_ERR_CFG_AUTH);
  k.type = 6;
  CU_ASSERT_EQUAL(bfd_session_auth_add_key(s, &k), BFD_ERR_CFG_AUTH);
  k.type = 255;
  CU_ASSERT_EQUAL(bfd_auth_key_check(&k), BFD_ERR_CFG_AUTH);
  /* Lengths per type: 0 and max + 1 rejected, 1 and max accepted. */
  for (t = BFD_AUTH_SIMPLE; t <= BFD_AUTH_METICULOUS_KEYED_SHA1; t++) {
    int ok = have(t) ? 0 : BFD_ERR_NOT_BUILT;
    k = bt_key(t, 1, "01234567890123456789", 20);
    k.len = 0;
    CU_ASSERT_EQUAL(bfd_auth_key_check(&k), BFD_ERR_CFG_AUTH);
    k.len = 1;
    CU_ASSERT_EQUAL(bfd_auth_key_check(&k), ok);
    k.len = max_len[t];
    CU_ASSERT_EQUAL(bfd_auth_key_check(&k), ok);
    k.len = (uint8_t)(max_len[t] + 1);
    CU_ASSERT_EQUAL(bfd_auth_key_check(&k), BFD_ERR_CFG_AUTH);
    k.len = 255;
    CU_ASSERT_EQUAL(bfd_auth_key_check(&k), BFD_ERR_CFG_AUTH);
    CU_ASSERT_EQUAL(bfd_session_auth_add_key(s, &k), BFD_ERR_CFG_AUTH);
  }
  /* Nothing configured so far: still no authentication. */
  CU_ASSERT_EQUAL(bfd_session_auth_get_type(s), BFD_AUTH_NONE);
  CU_ASSERT_PTR_NULL(s->auth);
  CU_ASSERT_EQUAL(bfd_session_auth_get_tx_key(s), BFD_ERR_NOT_FOUND);
  CU_ASSERT_EQUAL(bfd_session_auth_set_tx_key(s, 1), BFD_ERR_CFG_AUTH);
  CU_ASSERT_EQUAL(bfd_session_auth_remove_key(s, 1), BFD_ERR_CFG_AUTH);
  CU_ASSERT_EQUAL(bfd_session_auth_clear(s), 0);

  /* The first key turns it on and is the transmit key. */
  t = have(BFD_AUTH_KEYED_MD5) ? BFD_AUTH_KEYED_MD5 : BFD_AUTH_SIMPLE;
  k = bt_key(t, 5, "five", 4);
  CU_ASSERT_EQUAL(bfd_session_auth_add_key(s, &k), 0);
  CU_ASSERT_EQUAL(bfd_session_auth_get_type(s), t);
  CU_ASSERT_EQUAL(bfd_session_auth_get_tx_key(s), 5);
  /* Another type: mismatch with the ring. */
  k = bt_key(t == BFD_AUTH_SIMPLE ? BFD_AUTH_SIMPLE + 0 : BFD_AUTH_METICULOUS_KEYED_MD5, 6, "six",
             3);
  if (t != BFD_AUTH_SIMPLE)
    CU_ASSERT_EQUAL(bfd_session_auth_add_key(s, &k), BFD_ERR_CFG_AUTH);
  /* Replace by Key ID; add more up to the maximum. */
  k = bt_key(t, 5, "FIVE", 4);
  CU_ASSERT_EQUAL(bfd_session_auth_add_key(s, &k), 0);
  CU_ASSERT_EQUAL(s->auth->nkeys, 1);
  CU_ASSERT(memcmp(s->auth->keys[0].secret, "FIVE", 4) == 0);
  for (k.key_id = 100; k.key_id < 100 + BFD_AUTH_KEYS_MAX - 1; k.key_id++)
    CU_ASSERT_EQUAL(bfd_session_auth_add_key(s, &k), 0);
  CU_ASSERT_EQUAL(s->auth->nkeys, BFD_AUTH_KEYS_MAX);
  CU_ASSERT_EQUAL(bfd_session_auth_add_key(s, &k), BFD_ERR_CFG_AUTH); /* full */
  k.key_id = 100;
  CU_ASSERT_EQUAL(bfd_session_auth_add_key(s, &k), 0); /* replacing still works */
  /* Unknown key id; the transmit key cannot be removed. */
  CU_ASSERT_EQUAL(bfd_session_auth_set_tx_key(s, 99), BFD_ERR_CFG_AUTH);
  CU_ASSERT_EQUAL(bfd_session_auth_remove_key(s, 99), BFD_ERR_CFG_AUTH);
  CU_ASSERT_EQUAL(bfd_session_auth_remove_key(s, 5), BFD_ERR_CFG_AUTH);
  CU_ASSERT_EQUAL(bfd_session_auth_set_tx_key(s, 106), 0);
  CU_ASSERT_EQUAL(bfd_session_auth_remove_key(s, 5), 0);
  /* 106 was last: removing 5 moved it into slot 0; it is still the tx key. */
  CU_ASSERT_EQUAL(bfd_session_auth_get_tx_key(s), 106);
  CU_ASSERT_EQUAL(bfd_session_auth_remove_key(s, 5), BFD_ERR_CFG_AUTH);
  CU_ASSERT_EQUAL(s->auth->nkeys, BFD_AUTH_KEYS_MAX - 1);
  CU_ASSERT_EQUAL(bfd_session_auth_clear(s), 0);
  CU_ASSERT_EQUAL(bfd_session_auth_get_type(s), BFD_AUTH_NONE);
  CU_ASSERT_PTR_NULL(s->auth);
  /* After clear any type may start a new ring. */
  k = bt_key(BFD_AUTH_SIMPLE, 1, "pw", 2);
  CU_ASSERT_EQUAL(bfd_session_auth_add_key(s, &k), 0);
  CU_ASSERT_EQUAL(bfd_session_auth_get_type(s), BFD_AUTH_SIMPLE);
  bfd_session_del(s); /* frees the ring (ASan checks) */
}

/* The build without libcrypto: MD5/SHA1 are BFD_ERR_NOT_BUILT, never "no
 * authentication"; with it they are available. */
static void test_not_built(void) {
  bfd_session *s = new_session(1, T0);
  bfd_auth_key k;
  uint8_t t;
  int want = bfd_crypto_built() ? 0 : BFD_ERR_NOT_BUILT;
  for (t = BFD_AUTH_KEYED_MD5; t <= BFD_AUTH_METICULOUS_KEYED_SHA1; t++) {
    k = bt_key(t, 1, "key", 3);
    CU_ASSERT_EQUAL(bfd_auth_key_check(&k), want);
    CU_ASSERT_EQUAL(bfd_session_auth_add_key(s, &k), want);
    CU_ASSERT_EQUAL(bfd_session_auth_get_type(s), want ? BFD_AUTH_NONE : t);
    CU_ASSERT_EQUAL(bfd_session_auth_clear(s), 0);
  }
  CU_ASSERT_EQUAL(bfd_crypto_available(BFD_CRYPTO_MD5), want);
  CU_ASSERT_EQUAL(bfd_crypto_available(BFD_CRYPTO_SHA1), want);
  CU_ASSERT_EQUAL(bfd_crypto_available(99), BFD_ERR_NOT_BUILT);
  k = bt_key(BFD_AUTH_SIMPLE, 1, "key", 3);
  CU_ASSERT_EQUAL(bfd_session_auth_add_key(s, &k), 0);
  printf("\n    crypto %s\n", bfd_crypto_built() ? "built" : "NOT built");
  bfd_session_del(s);
}

/* Allocation failure of the ring is BFD_ERR_NOMEM and leaves no auth. */
static void test_nomem(void) {
  bt_mem mem;
  bfd_session_settings st;
  bfd_session *s = NULL;
  bfd_auth_key k = bt_key(BFD_AUTH_SIMPLE, 1, "pw", 2);
  (void)bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &st);
  bt_mem_init(&mem);
  CU_ASSERT_EQUAL_FATAL(bfd_session_new(&s, &st, NULL, &mem.mem, NULL, T0), 0);
  mem.fail = BT_MEM_ALL;
  CU_ASSERT_EQUAL(bfd_session_auth_add_key(s, &k), BFD_ERR_NOMEM);
  CU_ASSERT_EQUAL(bfd_session_auth_get_type(s), BFD_AUTH_NONE);
  mem.fail = 0;
  CU_ASSERT_EQUAL(bfd_session_auth_add_key(s, &k), 0);
  bfd_session_del(s);
  CU_ASSERT_EQUAL(mem.live_blocks, 0);
}

/* ------------------------------------------------------------------------ */
/* Sessions                                                                 */
/* ------------------------------------------------------------------------ */

/* A bit without authentication configured, no A bit with it, a failing
 * packet: each is dropped and changes nothing but the drop counters. */
static void test_session_abit(void) {
  bfd_session *s = new_session(0x55667788, T0);
  bfd_session_status a, b;
  bfd_rx_info ri = bt_ri_single_hop();
  const kat *k = NULL;
  bfd_auth_key key;
  uint8_t plain[24], bad[BFD_CTRL_LEN_MAX];
  size_t i;

  load_kats();
  for (i = 0; i < nkats; i++) /* a KAT addressed to discriminator 0x55667788 */
    if (have(kats[i].type) && kats[i].pkt[BFD_CODEC_OFF_YOUR_DISCR] == 0x55 &&
        kats[i].type >= BFD_AUTH_KEYED_SHA1)
      k = &kats[i];
  if (!k)
    k = &kats[0];
  key = bt_key(k->type, k->key_id, k->key, k->key_len);
  /* The same packet without the auth section. */
  memcpy(plain, k->pkt, 24);
  plain[BFD_CODEC_OFF_STA_FLAGS] &= (uint8_t)~BFD_FLAG_A;
  plain[BFD_CODEC_OFF_LENGTH] = 24;
  plain[BFD_CODEC_OFF_STA_FLAGS] = (uint8_t)(BFD_STATE_DOWN << 6);
  /* A forgery: state changed after signing, and the password or digest's
   * last byte altered (Simple Password covers nothing else). */
  memcpy(bad, k->pkt, k->len);
  bad[BFD_CODEC_OFF_STA_FLAGS] = (uint8_t)(BFD_STATE_DOWN << 6 | BFD_FLAG_A);
  bad[k->len - 1] ^= 0x80;

  /* No authentication: A bit -> mismatch. */
  a = bt_status(s);
  CU_ASSERT_EQUAL(bfd_session_feed_packet(s, bad, k->len, &ri, T0), BFD_ERR_PKT_AUTH_MISMATCH);
  b = bt_status(s);
  CU_ASSERT_EQUAL(b.rx_dropped, a.rx_dropped + 1);
  b.rx_dropped = a.rx_dropped;
  CU_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
  CU_ASSERT_EQUAL(bfd_session_get_rx_drops(s, BFD_ERR_PKT_AUTH_MISMATCH), 1);

  /* Authentication on: no A bit -> mismatch. */
  CU_ASSERT_EQUAL_FATAL(bfd_session_auth_add_key(s, &key), 0);
  a = bt_status(s);
  CU_ASSERT_EQUAL(bfd_session_feed_packet(s, plain, 24, &ri, T0), BFD_ERR_PKT_AUTH_MISMATCH);
  CU_ASSERT_EQUAL(bfd_session_get_rx_drops(s, BFD_ERR_PKT_AUTH_MISMATCH), 2);
  /* A packet that fails authentication (state byte changed after signing). */
  CU_ASSERT_EQUAL(bfd_session_feed_packet(s, bad, k->len, &ri, T0), BFD_ERR_PKT_AUTH_FAILED);
  CU_ASSERT_EQUAL(bfd_session_get_rx_drops(s, BFD_ERR_PKT_AUTH_FAILED), 1);
  CU_ASSERT_EQUAL(bfd_session_get_auth_failures(s, k->type == BFD_AUTH_SIMPLE
                                                       ? BFD_AUTH_FAIL_PASSWORD
                                                       : BFD_AUTH_FAIL_DIGEST),
                  1);
  b = bt_status(s);
  CU_ASSERT_EQUAL(b.rx_dropped, a.rx_dropped + 2);
  CU_ASSERT_EQUAL(b.auth_failures, a.auth_failures + 1); /* a drop counter too */
  b.rx_dropped = a.rx_dropped;
  b.auth_failures = a.auth_failures;
  CU_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
  CU_ASSERT_EQUAL(b.remote_discr, 0);
  /* The genuine packet is accepted and updates the session. */
  CU_ASSERT_EQUAL(bfd_session_feed_packet(s, k->pkt, k->len, &ri, T0), 0);
  b = bt_status(s);
  CU_ASSERT_EQUAL(b.remote_discr, 0x11223344u);
  CU_ASSERT_EQUAL(b.rx_packets, a.rx_packets + 1);
  CU_ASSERT_EQUAL(bfd_session_get_auth_failures(s, -1), 0);
  CU_ASSERT_EQUAL(bfd_session_get_auth_failures(s, BFD_AUTH_FAIL_COUNT), 0);
  bfd_session_del(s);
}

/* Two sessions wired together: bfd_sim with a link of no delay. Every
 * packet of A is checked (A bit and Auth Type exactly when A signs, its
 * transmit key, sequence numbers one apart); B's are counted. */
typedef struct pair {
  bfd_sim sim;
  bfd_session *a, *b;
  unsigned a_tx, b_tx;
  uint32_t a_seq_last, a_seq_first;
  unsigned a_seq_steps_bad;
  uint8_t a_last_key;
} pair;

static void pair_tx(bfd_sim *sim, int peer, const uint8_t *buf, size_t n, const bfd_ctrl_pkt *d,
                    void *ctx) {
  pair *p = ctx;
  (void)sim;
  (void)buf;
  if (peer == 1) {
    p->b_tx++;
    return;
  }
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  if (p->a->auth) {
    CU_ASSERT(d->flags & BFD_FLAG_A);
    CU_ASSERT_EQUAL(d->auth.type, p->a->auth->type);
    CU_ASSERT_EQUAL(d->auth.key_id, bfd_session_auth_get_tx_key(p->a));
    if (keyed(d->auth.type)) {
      if (p->a_tx && d->auth.seq != p->a_seq_last + 1)
        p->a_seq_steps_bad++;
      if (!p->a_tx)
        p->a_seq_first = d->auth.seq;
      p->a_seq_last = d->auth.seq;
    }
    p->a_last_key = d->auth.key_id;
  } else {
    CU_ASSERT_FALSE(d->flags & BFD_FLAG_A);
    CU_ASSERT_EQUAL(n, 24);
  }
  p->a_tx++;
}

static void pair_new(pair *p) {
  bfd_session_settings st = bfd_sim_settings(100000, 3);
  memset(p, 0, sizeof(*p));
  bfd_sim_init(&p->sim, 0x5eed);
  p->sim.now = T0;
  p->sim.on_tx = pair_tx;
  p->sim.on_tx_ctx = p;
  st.local_discr = 0xaaaa0001;
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&p->sim, 0, &st), 0);
  st.local_discr = 0xbbbb0002;
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&p->sim, 1, &st), 0);
  p->a = p->sim.peer[0].s;
  p->b = p->sim.peer[1].s;
}

static void pair_del(pair *p) { bfd_sim_fini(&p->sim); }

/* Every event in the next `dur`: the sessions' calls all succeed. */
static void pair_run(pair *p, uint64_t dur) {
  CU_ASSERT_EQUAL(bfd_sim_run(&p->sim, p->sim.now + dur), 0);
}

static void add(bfd_session *s, uint8_t type, uint8_t id, const char *secret) {
  bfd_auth_key k = bt_key_str(type, id, secret);
  CU_ASSERT_EQUAL_FATAL(bfd_session_auth_add_key(s, &k), 0);
}

/* A pair (pair_new) signing with type t, Key ID 1: A with secret sa, B with sb. */
static void pair_signed(pair *p, uint8_t t, const char *sa, const char *sb) {
  pair_new(p);
  add(p->a, t, 1, sa);
  add(p->b, t, 1, sb);
}

/* Runs fn on a pair signing with each type this build has (pair_signed:
 * A's secret sa, B's sb), deleted after. */
static void each_type(const char *sa, const char *sb, void (*fn)(pair *p, uint8_t t)) {
  uint8_t t;
  for (t = BFD_AUTH_SIMPLE; t <= BFD_AUTH_METICULOUS_KEYED_SHA1; t++) {
    pair p;
    if (!have(t))
      continue;
    pair_signed(&p, t, sa, sb);
    fn(&p, t);
    pair_del(&p);
  }
}

/* Both ends Up, having come Up once and never gone Down, nothing dropped. */
static void expect_up_no_flap(const pair *p) {
  bfd_session_status sa = bt_status(p->a), sb = bt_status(p->b);
  CU_ASSERT_EQUAL(sa.state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(sb.state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(sa.up_count, 1);
  CU_ASSERT_EQUAL(sb.up_count, 1);
  CU_ASSERT_EQUAL(sa.down_count, 0);
  CU_ASSERT_EQUAL(sb.down_count, 0);
  CU_ASSERT_EQUAL(sa.rx_dropped, 0);
  CU_ASSERT_EQUAL(sb.rx_dropped, 0);
}

/* Every type: both ends reach Up and stay Up; sequence numbers advance by
 * one per packet from a random start. */
static void pair_up_one(pair *p, uint8_t t) {
  pair_run(p, 5 * SEC);
  expect_up_no_flap(p);
  CU_ASSERT(p->a_tx > 30);
  if (keyed(t)) {
    CU_ASSERT_EQUAL(p->a_seq_steps_bad, 0);
    CU_ASSERT_EQUAL(p->a_seq_last - p->a_seq_first, p->a_tx - 1);
    CU_ASSERT_EQUAL(p->b->auth->rcv_seq, p->a_seq_last);
  }
}

static void test_pair_up(void) { each_type("pair-secret", "pair-secret", pair_up_one); }

/* A wrong key never comes Up and the failure counter rises. */
static void wrong_key_one(pair *p, uint8_t t) {
  int reason = keyed(t) ? BFD_AUTH_FAIL_DIGEST : BFD_AUTH_FAIL_PASSWORD;
  pair_run(p, 5 * SEC);
  CU_ASSERT_EQUAL(bfd_session_get_state(p->a), BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(bfd_session_get_state(p->b), BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(bfd_session_get_auth_failures(p->b, reason), p->a_tx);
  CU_ASSERT_EQUAL(bfd_session_get_auth_failures(p->a, reason), p->b_tx);
  CU_ASSERT_EQUAL(bfd_session_get_rx_drops(p->b, BFD_ERR_PKT_AUTH_FAILED), p->a_tx);
  CU_ASSERT(p->a_tx >= 5);
}

static void test_pair_wrong_key(void) {
  each_type("right", "wrong", wrong_key_one);
  /* Authentication on one end only: A-bit mismatch both ways. */
  {
    pair p;
    pair_new(&p);
    add(p.a, BFD_AUTH_SIMPLE, 1, "pw");
    pair_run(&p, 3 * SEC);
    CU_ASSERT_EQUAL(bfd_session_get_state(p.a), BFD_STATE_DOWN);
    CU_ASSERT_EQUAL(bfd_session_get_rx_drops(p.a, BFD_ERR_PKT_AUTH_MISMATCH), p.b_tx);
    CU_ASSERT_EQUAL(bfd_session_get_rx_drops(p.b, BFD_ERR_PKT_AUTH_MISMATCH), p.a_tx);
    pair_del(&p);
  }
}

/* Rotation: add the new key on both ends, switch the transmit key on one
 * end then the other, remove the old key: no flap at any step, and not a
 * single packet dropped. */
static void rotation_one(pair *p, uint8_t t) {
  pair_run(p, 4 * SEC);
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_state(p->a), BFD_STATE_UP);
  add(p->a, t, 2, "new-key");
  pair_run(p, 1 * SEC);
  add(p->b, t, 2, "new-key");
  pair_run(p, 1 * SEC);
  CU_ASSERT_EQUAL(bfd_session_auth_set_tx_key(p->a, 2), 0);
  pair_run(p, 1 * SEC);
  CU_ASSERT_EQUAL(p->a_last_key, 2);
  CU_ASSERT_EQUAL(bfd_session_auth_set_tx_key(p->b, 2), 0);
  pair_run(p, 1 * SEC);
  CU_ASSERT_EQUAL(bfd_session_auth_remove_key(p->a, 1), 0);
  CU_ASSERT_EQUAL(bfd_session_auth_remove_key(p->b, 1), 0);
  pair_run(p, 2 * SEC);
  expect_up_no_flap(p);
  CU_ASSERT_EQUAL(bfd_session_auth_get_tx_key(p->a), 2);
  /* The negative: an end that drops the key its peer still sends with
   * goes Down on detection time, with the failures counted. */
  add(p->a, t, 3, "third-key");
  CU_ASSERT_EQUAL(bfd_session_auth_set_tx_key(p->a, 3), 0);
  pair_run(p, 2 * SEC);
  CU_ASSERT_EQUAL(bfd_session_get_state(p->b), BFD_STATE_DOWN);
  CU_ASSERT(bfd_session_get_auth_failures(p->b, BFD_AUTH_FAIL_KEY_ID) > 0);
}

static void test_rotation(void) { each_type("old-key", "old-key", rotation_one); }

/* Through a table: demultiplexed packets are verified the same way, and
 * deleting the table frees every ring (ASan/LeakSanitizer check). */
static void test_table(void) {
  bfd_table *t = NULL;
  bfd_session *s = NULL, *got = NULL;
  bfd_session_settings st;
  bfd_session_key key;
  bfd_rx_info ri = bt_ri_single_hop();
  const kat *k;
  bfd_auth_key ak;
  uint8_t bad[BFD_CTRL_LEN_MAX];
  load_kats();
  k = &kats[nkats - 1]; /* Meticulous SHA1, Your Discriminator 0, AdminDown */
  CU_ASSERT_EQUAL_FATAL(k->type, BFD_AUTH_METICULOUS_KEYED_SHA1);
  CU_ASSERT_EQUAL_FATAL(bfd_table_new(&t, NULL, NULL, NULL), 0);
  (void)bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &st);
  memset(&key, 0, sizeof(key));
  key.mode = BFD_MODE_SINGLE_HOP;
  key.family = BFD_AF_INET;
  key.peer[0] = 10;
  ri.peer[0] = 10;
  ri.flags |= BFD_RX_PEER; /* Your Discriminator 0: found by the source */
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(t, &s, &st, &key, NULL, T0), 0);
  ak = bt_key(k->type, k->key_id, k->key, k->key_len);
  if (!have(k->type)) {
    CU_ASSERT_EQUAL(bfd_session_auth_add_key(s, &ak), BFD_ERR_NOT_BUILT);
    bfd_table_del(t);
    return;
  }
  CU_ASSERT_EQUAL_FATAL(bfd_session_auth_add_key(s, &ak), 0);
  memcpy(bad, k->pkt, k->len);
  bad[k->len - 1] ^= 1;
  CU_ASSERT_EQUAL(bfd_table_feed_packet(t, bad, k->len, &ri, T0, &got), BFD_ERR_PKT_AUTH_FAILED);
  CU_ASSERT_PTR_EQUAL(got, s);
  CU_ASSERT_EQUAL(bfd_session_get_auth_failures(s, BFD_AUTH_FAIL_DIGEST), 1);
  CU_ASSERT_EQUAL(bfd_table_feed_packet(t, k->pkt, k->len, &ri, T0, &got), 0);
  CU_ASSERT_EQUAL(s->remote_discr, 0x11223344u);
  /* Replayed: rejected (meticulous), counted as a sequence failure. */
  CU_ASSERT_EQUAL(bfd_table_feed_packet(t, k->pkt, k->len, &ri, T0, &got), BFD_ERR_PKT_AUTH_FAILED);
  CU_ASSERT_EQUAL(bfd_session_get_auth_failures(s, BFD_AUTH_FAIL_SEQ), 1);
  bfd_table_del(t);
}

int main(void) {
  CU_TestInfo tests[] = {{"kat_verify", test_kat_verify},
                         {"kat_sign", test_kat_sign},
                         {"bird_vectors", test_bird_vectors},
                         {"seq_window", test_seq_window},
                         {"seq_known_reset", test_seq_known_reset},
                         {"rx_failures", test_rx_failures},
                         {"config", test_config},
                         {"not_built", test_not_built},
                         {"nomem", test_nomem},
                         {"session_abit", test_session_abit},
                         {"pair_up", test_pair_up},
                         {"pair_wrong_key", test_pair_wrong_key},
                         {"rotation", test_rotation},
                         {"table", test_table},
                         CU_TEST_INFO_NULL};
  return bfd_test_run_suite("auth", tests);
}
