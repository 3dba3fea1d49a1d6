/* Per-object randomness: the host's rand callback, or a small generator
 * seeded once from getrandom(2). No global state. */
#ifndef BFD_RAND_H
#define BFD_RAND_H

#include <bfd/bfd.h>

typedef struct bfd_rand {
  bfd_rand_cb cb; /* host's generator, or NULL */
  void *cb_user_data;
  uint64_t state; /* splitmix64 state when cb is NULL */
} bfd_rand;

/* `salt` separates objects seeded in the same instant if getrandom fails. */
void bfd_rand_init(bfd_rand *r, bfd_rand_cb cb, void *cb_user_data, uint64_t salt);
uint32_t bfd_rand_u32(bfd_rand *r);

#endif
