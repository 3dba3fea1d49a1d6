/* Uses only the installed headers and library; exits nonzero on any mismatch. */
#include <bfd/bfd.h>

#include <stdio.h>
#include <string.h>

int main(void) {
  bfd_ctrl_pkt pkt, back;
  uint8_t buf[BFD_CTRL_LEN_MAX];
  ptrdiff_t n;
  int rc;

  /* The header and the library it was linked against agree. */
  if (strcmp(bfd_version_string(), BFDKIT_VERSION) != 0 ||
      bfd_version_number() != BFDKIT_VERSION_NUM) {
    fprintf(stderr, "version mismatch: lib %s, header %s\n", bfd_version_string(), BFDKIT_VERSION);
    return 1;
  }
  if (strcmp(bfd_strerror(BFD_ERR_PKT_MY_DISCR), "(unknown)") == 0) {
    fprintf(stderr, "bfd_strerror does not know BFD_ERR_PKT_MY_DISCR\n");
    return 1;
  }

  memset(&pkt, 0, sizeof(pkt));
  pkt.state = BFD_STATE_DOWN;
  pkt.detect_mult = 3;
  pkt.my_discr = 0xdeadbeefu;
  pkt.desired_min_tx_us = 1000000;
  pkt.required_min_rx_us = 1000000;
  n = bfd_ctrl_pkt_encode(buf, sizeof(buf), &pkt);
  if (n != BFD_CTRL_LEN) {
    fprintf(stderr, "encode: %td (%s)\n", n, bfd_strerror((int)n));
    return 1;
  }
  rc = bfd_ctrl_pkt_decode(&back, buf, (size_t)n);
  if (rc != 0 || back.my_discr != pkt.my_discr || back.state != BFD_STATE_DOWN ||
      back.detect_mult != 3 || back.length != BFD_CTRL_LEN) {
    fprintf(stderr, "decode: %d (%s)\n", rc, bfd_strerror(rc));
    return 1;
  }
  printf("consumer OK: bfdkit %s, %s, %td-byte packet round-tripped\n", bfd_version_string(),
         bfd_state_name(back.state), n);
  return 0;
}
