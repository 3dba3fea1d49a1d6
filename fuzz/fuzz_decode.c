/* libFuzzer target for the control packet decoder.
 *
 * For every input that decodes: encoding succeeds and reproduces the input's
 * first Length bytes exactly (the codec is lossless); decoding that again
 * gives the same struct, and encoding that the same bytes. The one
 * non-canonical form is an A-clear packet with Length > 24 (accepted, tail
 * ignored, see lib/bfd_codec.c): it re-encodes to 24 bytes and differs from
 * the input only in the Length octet. Any mismatch abort()s. */
#include "bfd_codec.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond))                                                                                   \
      abort();                                                                                     \
  } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bfd_ctrl_pkt a, b;
  uint8_t e1[BFD_CTRL_LEN_MAX], e2[BFD_CTRL_LEN_MAX];
  ptrdiff_t n1, n2;
  size_t canon;
  uint32_t yd;
  int rv = bfd_ctrl_pkt_decode(&a, data, size);

  CHECK(bfd_codec_peek_your_discr(data, size, &yd, NULL) ==
        (size < BFD_CTRL_LEN ? BFD_ERR_PKT_TRUNCATED : 0));
  if (rv != 0) {
    CHECK(rv <= BFD_ERR_PKT_TRUNCATED && rv >= BFD_ERR_PKT_AUTH_LEN);
    return 0;
  }
  CHECK(yd == a.your_discr);
  CHECK(a.version == 1 && a.length >= BFD_CTRL_LEN && a.length <= size);

  n1 = bfd_ctrl_pkt_encode(e1, sizeof(e1), &a);
  CHECK(n1 >= BFD_CTRL_LEN && n1 <= BFD_CTRL_LEN_MAX);
  canon = (size_t)n1;
  if (a.flags & BFD_FLAG_A) {
    CHECK(canon == a.length);
    CHECK(memcmp(e1, data, canon) == 0);
  } else {
    CHECK(canon == BFD_CTRL_LEN);
    CHECK(memcmp(e1, data, 3) == 0 && e1[3] == BFD_CTRL_LEN);
    CHECK(memcmp(e1 + 4, data + 4, BFD_CTRL_LEN - 4) == 0);
  }
  /* every shorter buffer is refused */
  CHECK(bfd_ctrl_pkt_encode(e2, canon - 1, &a) == BFD_ERR_NOBUF);

  CHECK(bfd_ctrl_pkt_decode(&b, e1, canon) == 0);
  a.length = (uint8_t)canon; /* the only field allowed to change */
  CHECK(memcmp(&a, &b, sizeof(a)) == 0);
  n2 = bfd_ctrl_pkt_encode(e2, sizeof(e2), &b);
  CHECK(n2 == n1 && memcmp(e1, e2, canon) == 0);
  return 0;
}
