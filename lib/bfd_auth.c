#include "bfd_auth.h"
#include "bfd_time.h"

#include <string.h>

#include "bfd_codec.h"
#include "bfd_crypto.h"
#include "bfd_mem.h"

/* ------------------------------------------------------------------------ */
/* Keys and ring                                                            */
/* ------------------------------------------------------------------------ */

static int digest_alg(uint8_t type) {
  switch (type) {
  case BFD_AUTH_KEYED_MD5:
  case BFD_AUTH_METICULOUS_KEYED_MD5: return BFD_CRYPTO_MD5;
  case BFD_AUTH_KEYED_SHA1:
  case BFD_AUTH_METICULOUS_KEYED_SHA1: return BFD_CRYPTO_SHA1;
  default: return 0;
  }
}

int bfd_auth_key_check(const bfd_auth_key *k) {
  size_t max;
  if (!k)
    return BFD_ERR_INVALID_ARGUMENT;
  if (k->type < BFD_AUTH_SIMPLE || k->type > BFD_AUTH_METICULOUS_KEYED_SHA1)
    return BFD_ERR_CFG_AUTH;
  /* §6.7.2: password 1..16; §6.7.3: MD5 key up to 16; §6.7.4: SHA1 up to 20.
   * An empty key is not "no authentication" (FRR #23276). */
  max = k->type == BFD_AUTH_SIMPLE ? BFD_CODEC_SIMPLE_PW_MAX : bfd_codec_auth_digest_len(k->type);
  if (k->len == 0 || k->len > max)
    return BFD_ERR_CFG_AUTH;
  if (k->type != BFD_AUTH_SIMPLE)
    return bfd_crypto_available(digest_alg(k->type));
  return 0;
}

bfd_auth_ring *bfd_auth_ring_new(const bfd_mem *mem, uint8_t type, uint32_t xmit_seq) {
  bfd_auth_ring *r = bfd_mem_calloc(mem, 1, sizeof(*r));
  if (!r)
    return NULL;
  r->type = type;
  r->xmit_seq = xmit_seq;
  return r;
}

bfd_auth_ring *bfd_auth_ring_clone(const bfd_mem *mem, const bfd_auth_ring *r) {
  bfd_auth_ring *c = bfd_mem_malloc(mem, sizeof(*c));
  if (c)
    memcpy(c, r, sizeof(*c));
  return c;
}

void bfd_auth_ring_free(const bfd_mem *mem, bfd_auth_ring *r) {
  if (!r)
    return;
  bfd_crypto_wipe(r->keys, sizeof(r->keys));
  bfd_mem_free(mem, r);
}

static bfd_auth_key *find_key(bfd_auth_ring *r, uint8_t key_id, size_t *idx) {
  size_t i;
  for (i = 0; i < r->nkeys; i++) {
    if (r->keys[i].key_id == key_id) {
      if (idx)
        *idx = i;
      return &r->keys[i];
    }
  }
  return NULL;
}

int bfd_auth_ring_put(bfd_auth_ring *r, const bfd_auth_key *k) {
  bfd_auth_key *slot = find_key(r, k->key_id, NULL);
  if (!slot) {
    if (r->nkeys >= BFD_AUTH_KEYS_MAX)
      return BFD_ERR_CFG_AUTH;
    slot = &r->keys[r->nkeys++];
  }
  bfd_crypto_wipe(slot, sizeof(*slot));
  slot->type = k->type;
  slot->key_id = k->key_id;
  slot->len = k->len;
  memcpy(slot->secret, k->secret, k->len);
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Receive (§6.7.2 - §6.7.4)                                                */
/* ------------------------------------------------------------------------ */

static int fail(bfd_auth_ring *r, int reason) {
  r->failures[reason]++;
  r->last_reason = (uint8_t)reason;
  return BFD_ERR_PKT_AUTH_FAILED;
}

static uint8_t max_u8(uint8_t a, uint8_t b) { return a > b ? a : b; }

int bfd_auth_verify(bfd_auth_ring *r, const bfd_ctrl_pkt *pkt, const uint8_t *buf,
                    uint8_t local_mult, uint32_t local_rx_us, uint64_t now) {
  const bfd_auth_key *k;
  uint8_t tmp[BFD_CTRL_LEN_MAX], md[BFD_CRYPTO_MAX_DIGEST];
  size_t dlen;
  uint32_t seq, d, window;
  uint64_t detect;
  int ok, known;

  if (pkt->auth.type != r->type)
    return fail(r, BFD_AUTH_FAIL_TYPE);
  k = find_key(r, pkt->auth.key_id, NULL);
  if (!k)
    return fail(r, BFD_AUTH_FAIL_KEY_ID);

  if (r->type == BFD_AUTH_SIMPLE) {
    /* §6.7.2: Auth Len must be the selected password's length + 3 (the
     * decoder tied data_len to Auth Len), then the password must match. */
    if (pkt->auth.data_len != k->len || !bfd_crypto_memeq(pkt->auth.data, k->secret, k->len))
      return fail(r, BFD_AUTH_FAIL_PASSWORD);
    return 0;
  }

  /* §6.7.3/§6.7.4: the digest over the packet with the key, zero-padded,
   * in the digest field. The decoder guarantees the auth section (of the
   * type's exact Auth Len) ends at Length, so Length <= BFD_CTRL_LEN_MAX. */
  dlen = bfd_codec_auth_digest_len(r->type);
  memcpy(tmp, buf, pkt->length);
  memset(tmp + BFD_CODEC_OFF_AUTH_DIGEST, 0, dlen);
  memcpy(tmp + BFD_CODEC_OFF_AUTH_DIGEST, k->secret, k->len);
  ok = bfd_crypto_digest(digest_alg(r->type), tmp, pkt->length, md) == 0 &&
       bfd_crypto_memeq(md, buf + BFD_CODEC_OFF_AUTH_DIGEST, dlen);
  bfd_crypto_wipe(tmp, sizeof(tmp));
  /* Digest before sequence number (the RFC lists them the other way; both
   * must pass): a forgery counts as DIGEST, only authentic stale packets as
   * SEQ. */
  if (!ok)
    return fail(r, BFD_AUTH_FAIL_DIGEST);

  /* §6.8.1: AuthSeqKnown drops to 0 after no packet for 2 x Detection Time;
   * evaluated here, lazily, so no timer is needed. */
  known = r->seq_known && now < r->seq_forget_at;
  seq = pkt->auth.seq;
  if (known) {
    /* §6.7.3: "3 * Detect Mult". The window must cover the packets the
     * remote may lose within our Detection Time, which is the remote's
     * multiplier (§6.8.4); bfd.DetectMult is the other reading (and BIRD's).
     * The larger of the two accepts everything either reading does. */
    window = 3u * max_u8(local_mult, pkt->detect_mult);
    d = seq - r->rcv_seq; /* circular: wraps modulo 2^32 */
    if (d > window || (d == 0 && bfd_codec_auth_is_meticulous(r->type)))
      return fail(r, BFD_AUTH_FAIL_SEQ);
  }
  /* Accepted: bfd.RcvAuthSeq follows every authentic packet. */
  r->rcv_seq = seq;
  r->seq_known = 1;
  /* The Detection Time this packet implies (§6.8.4). */
  detect =
      (uint64_t)pkt->detect_mult *
      bfd_us_to_ns(local_rx_us > pkt->desired_min_tx_us ? local_rx_us : pkt->desired_min_tx_us);
  r->seq_forget_at = bfd_time_add(now, 2 * detect);
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Transmit                                                                 */
/* ------------------------------------------------------------------------ */

ptrdiff_t bfd_auth_encode(bfd_auth_ring *r, uint8_t *buf, size_t buflen, const bfd_ctrl_pkt *in) {
  bfd_ctrl_pkt p = *in;
  const bfd_auth_key *k = &r->keys[r->tx_idx];
  uint8_t md[BFD_CRYPTO_MAX_DIGEST];
  size_t dlen = bfd_codec_auth_digest_len(r->type);
  ptrdiff_t n;
  int rv;

  p.flags |= BFD_FLAG_A; /* §6.8.7 */
  memset(&p.auth, 0, sizeof(p.auth));
  p.auth.type = r->type;
  p.auth.key_id = k->key_id;
  if (r->type == BFD_AUTH_SIMPLE) {
    p.auth.data_len = k->len;
    memcpy(p.auth.data, k->secret, k->len);
    p.auth.len = (uint8_t)(3 + k->len); /* §4.2 */
  } else {
    /* §6.7.3/§6.7.4: Sequence Number = bfd.XmitAuthSeq, the key zero-padded
     * in the digest field while hashing. */
    p.auth.seq = r->xmit_seq;
    p.auth.data_len = (uint8_t)dlen;
    memcpy(p.auth.data, k->secret, k->len);
    p.auth.len = (uint8_t)bfd_codec_auth_len(r->type, (uint8_t)dlen);
  }
  n = bfd_ctrl_pkt_encode(buf, buflen, &p);
  bfd_crypto_wipe(&p.auth, sizeof(p.auth));
  if (n < 0 || r->type == BFD_AUTH_SIMPLE)
    return n;
  rv = bfd_crypto_digest(digest_alg(r->type), buf, (size_t)n, md);
  if (rv != 0) {
    bfd_crypto_wipe(buf, (size_t)n); /* the key must never leave */
    return rv;
  }
  memcpy(buf + BFD_CODEC_OFF_AUTH_DIGEST, md, dlen);
  /* Meticulous types MUST increment per packet; for the others the RFC
   * allows it, and per packet is also what keeps replays short. */
  r->xmit_seq++;
  return n;
}

/* ------------------------------------------------------------------------ */
/* Ring edits (the public bfd_session_auth_* live in bfd_api.c)             */
/* ------------------------------------------------------------------------ */

int bfd_auth_add_key(bfd_auth_ring **pr, const bfd_mem *mem, uint32_t xmit_seq,
                     const bfd_auth_key *k) {
  int rv;
  if ((rv = bfd_auth_key_check(k)) != 0)
    return rv;
  if (*pr) {
    if (k->type != (*pr)->type)
      return BFD_ERR_CFG_AUTH;
    return bfd_auth_ring_put(*pr, k);
  }
  /* First key: bfd.AuthType becomes its type; bfd.XmitAuthSeq random. */
  if (!(*pr = bfd_auth_ring_new(mem, k->type, xmit_seq)))
    return BFD_ERR_NOMEM;
  (void)bfd_auth_ring_put(*pr, k);
  (*pr)->tx_idx = 0;
  return 0;
}

int bfd_auth_remove_key(bfd_auth_ring *r, uint8_t key_id) {
  size_t i, last;
  if (!r || !find_key(r, key_id, &i) || i == r->tx_idx)
    return BFD_ERR_CFG_AUTH;
  last = (size_t)r->nkeys - 1;
  if (i != last) {
    r->keys[i] = r->keys[last];
    if (r->tx_idx == last)
      r->tx_idx = (uint8_t)i;
  }
  bfd_crypto_wipe(&r->keys[last], sizeof(r->keys[last]));
  r->nkeys--;
  return 0;
}

int bfd_auth_set_tx_key(bfd_auth_ring *r, uint8_t key_id) {
  size_t i;
  if (!r || !find_key(r, key_id, &i))
    return BFD_ERR_CFG_AUTH;
  r->tx_idx = (uint8_t)i;
  return 0;
}
