/* Control packet codec (RFC 5880 §4.1-4.4): wire layout constants and the
 * internal helpers the session and authentication code share. The public
 * entry points bfd_ctrl_pkt_decode()/bfd_ctrl_pkt_encode() are in bfd.h. */
#ifndef BFD_CODEC_H
#define BFD_CODEC_H

#include <bfd/bfd.h>

/* Byte offsets in a control packet (RFC 5880 §4.1). */
#define BFD_CODEC_OFF_VERS_DIAG   0
#define BFD_CODEC_OFF_STA_FLAGS   1
#define BFD_CODEC_OFF_DETECT_MULT 2
#define BFD_CODEC_OFF_LENGTH      3
#define BFD_CODEC_OFF_MY_DISCR    4
#define BFD_CODEC_OFF_YOUR_DISCR  8
#define BFD_CODEC_OFF_MIN_TX      12
#define BFD_CODEC_OFF_MIN_RX      16
#define BFD_CODEC_OFF_MIN_ECHO_RX 20

/* The authentication section starts right after the mandatory part. */
#define BFD_CODEC_OFF_AUTH_TYPE     24
#define BFD_CODEC_OFF_AUTH_LEN      25
#define BFD_CODEC_OFF_AUTH_KEY_ID   26
#define BFD_CODEC_OFF_AUTH_PASSWORD 27 /* Simple Password (§4.2) */
#define BFD_CODEC_OFF_AUTH_RESERVED 27 /* MD5/SHA1 (§4.3, §4.4) */
#define BFD_CODEC_OFF_AUTH_SEQ      28 /* MD5/SHA1 */
#define BFD_CODEC_OFF_AUTH_DIGEST   32 /* MD5/SHA1 Auth Key/Digest field */

/* Smallest Length with the A bit: Auth Type + Auth Len (§6.8.6). */
#define BFD_CODEC_LEN_MIN_AUTH 26

#define BFD_CODEC_SIMPLE_PW_MIN   1  /* §4.2 */
#define BFD_CODEC_SIMPLE_PW_MAX   16 /* §4.2 */
#define BFD_CODEC_MD5_DIGEST_LEN  16
#define BFD_CODEC_SHA1_DIGEST_LEN 20
#define BFD_CODEC_AUTH_LEN_MD5    24 /* §4.3 */
#define BFD_CODEC_AUTH_LEN_SHA1   28 /* §4.4 */

/* Big-endian field access. The caller guarantees 4 readable/writable bytes. */
static inline uint32_t bfd_codec_get_u32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline void bfd_codec_put_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

/* Digest length of an auth type: 16 for (Meticulous) Keyed MD5, 20 for
 * (Meticulous) Keyed SHA1, 0 for Simple Password and reserved types. For a
 * packet that decoded with one of these types, the digest occupies
 * buf[BFD_CODEC_OFF_AUTH_DIGEST .. + len) and the packet is Length bytes
 * long; verification (§6.7.3, §6.7.4) copies the packet, stores the key
 * zero-padded to this length at that offset, hashes Length bytes and compares
 * with the received digest. */
size_t bfd_codec_auth_digest_len(uint8_t auth_type);

/* 1 for the meticulous types (3, 5), else 0: their sequence number must
 * increase with every packet (§6.7.3, §6.7.4). */
int bfd_codec_auth_is_meticulous(uint8_t auth_type);

/* The Auth Len the RFC demands for `auth_type` carrying `data_len` bytes of
 * password/digest: 3 + data_len for Simple Password (data_len 1..16), 24 for
 * MD5 (data_len 16), 28 for SHA1 (data_len 20). Returns BFD_ERR_PKT_AUTH_TYPE
 * for type 0 or 6..255, BFD_ERR_PKT_AUTH_LEN if data_len does not fit. */
int bfd_codec_auth_len(uint8_t auth_type, uint8_t data_len);

/* Read Your Discriminator (and, if `state` is not NULL, the State field) for
 * demultiplexing without a full decode. Only checks len >= 24: the packet must
 * still be decoded before anything in it is trusted.
 * Returns 0, BFD_ERR_INVALID_ARGUMENT or BFD_ERR_PKT_TRUNCATED. */
int bfd_codec_peek_your_discr(const uint8_t *buf, size_t len, uint32_t *your_discr, uint8_t *state);

#endif
