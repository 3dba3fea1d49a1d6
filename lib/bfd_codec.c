/* Control packet codec: RFC 5880 §4.1-4.4 layout, §6.8.6 session-free
 * receive checks, §6.5 P+F rule. No allocation, no state.
 *
 * A-clear packets whose Length exceeds 24: §6.8.6 only demands 24 <= Length
 * <= payload, so they are accepted and the bytes in 24..Length are ignored
 * (pkt->length reports the received Length). The encoder always writes 24 for
 * them, so such a packet re-encodes to its 24-byte canonical form. With the A
 * bit the auth section must end exactly at Length (§4.1: Auth Len covers the
 * whole section, and Length covers the whole packet). */
#include "bfd_codec.h"

#include <string.h>

#define FLAGS_MASK 0x3fu
#define DIAG_MAX   31u
#define STATE_MAX  3u

size_t bfd_codec_auth_digest_len(uint8_t auth_type) {
  switch (auth_type) {
  case BFD_AUTH_KEYED_MD5:
  case BFD_AUTH_METICULOUS_KEYED_MD5: return BFD_CODEC_MD5_DIGEST_LEN;
  case BFD_AUTH_KEYED_SHA1:
  case BFD_AUTH_METICULOUS_KEYED_SHA1: return BFD_CODEC_SHA1_DIGEST_LEN;
  default: return 0;
  }
}

int bfd_codec_auth_is_meticulous(uint8_t auth_type) {
  return auth_type == BFD_AUTH_METICULOUS_KEYED_MD5 || auth_type == BFD_AUTH_METICULOUS_KEYED_SHA1;
}

int bfd_codec_auth_len(uint8_t auth_type, uint8_t data_len) {
  switch (auth_type) {
  case BFD_AUTH_SIMPLE: /* §4.2: password 1..16 bytes, Auth Len = 3 + it */
    if (data_len < BFD_CODEC_SIMPLE_PW_MIN || data_len > BFD_CODEC_SIMPLE_PW_MAX)
      return BFD_ERR_PKT_AUTH_LEN;
    return 3 + data_len;
  case BFD_AUTH_KEYED_MD5:
  case BFD_AUTH_METICULOUS_KEYED_MD5: /* §4.3 */
    return data_len == BFD_CODEC_MD5_DIGEST_LEN ? BFD_CODEC_AUTH_LEN_MD5 : BFD_ERR_PKT_AUTH_LEN;
  case BFD_AUTH_KEYED_SHA1:
  case BFD_AUTH_METICULOUS_KEYED_SHA1: /* §4.4 */
    return data_len == BFD_CODEC_SHA1_DIGEST_LEN ? BFD_CODEC_AUTH_LEN_SHA1 : BFD_ERR_PKT_AUTH_LEN;
  default: /* §4.1: 0 and 6..255 are reserved */ return BFD_ERR_PKT_AUTH_TYPE;
  }
}

int bfd_codec_peek_your_discr(const uint8_t *buf, size_t len, uint32_t *your_discr,
                              uint8_t *state) {
  if (buf == NULL || your_discr == NULL)
    return BFD_ERR_INVALID_ARGUMENT;
  if (len < BFD_CTRL_LEN)
    return BFD_ERR_PKT_TRUNCATED;
  *your_discr = bfd_codec_get_u32(buf + BFD_CODEC_OFF_YOUR_DISCR);
  if (state != NULL)
    *state = (uint8_t)(buf[BFD_CODEC_OFF_STA_FLAGS] >> 6);
  return 0;
}

/* `p` is the auth section, `avail` = Length - 24 (>= 2, within the buffer). */
static int decode_auth(bfd_auth_section *a, const uint8_t *p, size_t avail) {
  uint8_t type = p[0];
  uint8_t alen = p[1];
  switch (type) {
  case BFD_AUTH_SIMPLE:
    if (alen < 3 + BFD_CODEC_SIMPLE_PW_MIN || alen > 3 + BFD_CODEC_SIMPLE_PW_MAX)
      return BFD_ERR_PKT_AUTH_LEN;
    break;
  case BFD_AUTH_KEYED_MD5:
  case BFD_AUTH_METICULOUS_KEYED_MD5:
    if (alen != BFD_CODEC_AUTH_LEN_MD5)
      return BFD_ERR_PKT_AUTH_LEN;
    break;
  case BFD_AUTH_KEYED_SHA1:
  case BFD_AUTH_METICULOUS_KEYED_SHA1:
    if (alen != BFD_CODEC_AUTH_LEN_SHA1)
      return BFD_ERR_PKT_AUTH_LEN;
    break;
  default: return BFD_ERR_PKT_AUTH_TYPE;
  }
  /* The section must fill the packet exactly: Length = 24 + Auth Len. */
  if (alen != avail)
    return BFD_ERR_PKT_AUTH_LEN;

  a->type = type;
  a->len = alen;
  a->key_id = p[2];
  if (type == BFD_AUTH_SIMPLE) {
    a->data_len = (uint8_t)(alen - 3);
    memcpy(a->data, p + 3, a->data_len);
  } else {
    a->reserved = p[3];
    a->seq = bfd_codec_get_u32(p + 4);
    a->data_len = (uint8_t)(alen - 8);
    memcpy(a->data, p + 8, a->data_len);
  }
  return 0;
}

int bfd_ctrl_pkt_decode(bfd_ctrl_pkt *pkt, const uint8_t *buf, size_t len) {
  uint8_t flags, length;
  if (pkt == NULL || buf == NULL)
    return BFD_ERR_INVALID_ARGUMENT;
  if (len < BFD_CTRL_LEN)
    return BFD_ERR_PKT_TRUNCATED;
  /* Zero everything (pads, unused auth bytes) so decoded structs compare
   * with memcmp. */
  memset(pkt, 0, sizeof(*pkt));

  /* §6.8.6, in the order specified there. */
  if ((buf[BFD_CODEC_OFF_VERS_DIAG] >> 5) != BFD_VERSION_1)
    return BFD_ERR_PKT_VERSION;
  flags = (uint8_t)(buf[BFD_CODEC_OFF_STA_FLAGS] & FLAGS_MASK);
  length = buf[BFD_CODEC_OFF_LENGTH];
  if (length < ((flags & BFD_FLAG_A) ? BFD_CODEC_LEN_MIN_AUTH : BFD_CTRL_LEN))
    return BFD_ERR_PKT_LENGTH_SHORT;
  if (length > len)
    return BFD_ERR_PKT_LENGTH_LONG;
  if (buf[BFD_CODEC_OFF_DETECT_MULT] == 0)
    return BFD_ERR_PKT_DETECT_MULT;
  if (flags & BFD_FLAG_M)
    return BFD_ERR_PKT_MULTIPOINT;
  pkt->my_discr = bfd_codec_get_u32(buf + BFD_CODEC_OFF_MY_DISCR);
  if (pkt->my_discr == 0)
    return BFD_ERR_PKT_MY_DISCR;
  /* §6.5: a packet MUST NOT have both Poll and Final set. */
  if ((flags & (BFD_FLAG_P | BFD_FLAG_F)) == (BFD_FLAG_P | BFD_FLAG_F))
    return BFD_ERR_PKT_POLL_FINAL;
  if (flags & BFD_FLAG_A) {
    int rv = decode_auth(&pkt->auth, buf + BFD_CODEC_OFF_AUTH_TYPE, (size_t)length - BFD_CTRL_LEN);
    if (rv != 0)
      return rv;
  }

  pkt->version = BFD_VERSION_1;
  pkt->diag = (uint8_t)(buf[BFD_CODEC_OFF_VERS_DIAG] & DIAG_MAX);
  pkt->state = (uint8_t)(buf[BFD_CODEC_OFF_STA_FLAGS] >> 6);
  pkt->flags = flags;
  pkt->detect_mult = buf[BFD_CODEC_OFF_DETECT_MULT];
  pkt->length = length;
  pkt->your_discr = bfd_codec_get_u32(buf + BFD_CODEC_OFF_YOUR_DISCR);
  pkt->desired_min_tx_us = bfd_codec_get_u32(buf + BFD_CODEC_OFF_MIN_TX);
  pkt->required_min_rx_us = bfd_codec_get_u32(buf + BFD_CODEC_OFF_MIN_RX);
  pkt->required_min_echo_rx_us = bfd_codec_get_u32(buf + BFD_CODEC_OFF_MIN_ECHO_RX);
  return 0;
}

ptrdiff_t bfd_ctrl_pkt_encode(uint8_t *buf, size_t buflen, const bfd_ctrl_pkt *pkt) {
  size_t length = BFD_CTRL_LEN;
  const bfd_auth_section *a;
  uint8_t *p;
  if (buf == NULL || pkt == NULL)
    return BFD_ERR_INVALID_ARGUMENT;
  if (pkt->diag > DIAG_MAX || pkt->state > STATE_MAX || (pkt->flags & ~FLAGS_MASK))
    return BFD_ERR_INVALID_ARGUMENT;
  /* The decoder's rules, so that whatever encodes also decodes. */
  if (pkt->detect_mult == 0)
    return BFD_ERR_PKT_DETECT_MULT;
  if (pkt->flags & BFD_FLAG_M)
    return BFD_ERR_PKT_MULTIPOINT;
  if (pkt->my_discr == 0)
    return BFD_ERR_PKT_MY_DISCR;
  if ((pkt->flags & (BFD_FLAG_P | BFD_FLAG_F)) == (BFD_FLAG_P | BFD_FLAG_F))
    return BFD_ERR_PKT_POLL_FINAL;
  a = &pkt->auth;
  if (pkt->flags & BFD_FLAG_A) {
    int alen = bfd_codec_auth_len(a->type, a->data_len);
    if (alen < 0)
      return alen;
    if (a->len != alen)
      return BFD_ERR_PKT_AUTH_LEN;
    length += (size_t)alen;
  }
  if (buflen < length)
    return BFD_ERR_NOBUF;

  buf[BFD_CODEC_OFF_VERS_DIAG] = (uint8_t)(BFD_VERSION_1 << 5 | pkt->diag);
  buf[BFD_CODEC_OFF_STA_FLAGS] = (uint8_t)(pkt->state << 6 | pkt->flags);
  buf[BFD_CODEC_OFF_DETECT_MULT] = pkt->detect_mult;
  buf[BFD_CODEC_OFF_LENGTH] = (uint8_t)length;
  bfd_codec_put_u32(buf + BFD_CODEC_OFF_MY_DISCR, pkt->my_discr);
  bfd_codec_put_u32(buf + BFD_CODEC_OFF_YOUR_DISCR, pkt->your_discr);
  bfd_codec_put_u32(buf + BFD_CODEC_OFF_MIN_TX, pkt->desired_min_tx_us);
  bfd_codec_put_u32(buf + BFD_CODEC_OFF_MIN_RX, pkt->required_min_rx_us);
  bfd_codec_put_u32(buf + BFD_CODEC_OFF_MIN_ECHO_RX, pkt->required_min_echo_rx_us);
  if (pkt->flags & BFD_FLAG_A) {
    p = buf + BFD_CODEC_OFF_AUTH_TYPE;
    p[0] = a->type;
    p[1] = a->len;
    p[2] = a->key_id;
    if (a->type == BFD_AUTH_SIMPLE) {
      memcpy(p + 3, a->data, a->data_len);
    } else {
      /* §4.3/§4.4 say transmit 0; kept as given so a received packet
       * re-encodes byte-exactly (callers building packets leave it 0). */
      p[3] = a->reserved;
      bfd_codec_put_u32(p + 4, a->seq);
      memcpy(p + 8, a->data, a->data_len);
    }
  }
  return (ptrdiff_t)length;
}
