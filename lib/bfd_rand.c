#define _GNU_SOURCE
#include "bfd_rand.h"

#include <string.h>
#if defined(__linux__)
#  include <sys/random.h>
#endif

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void bfd_rand_init(bfd_rand *r, bfd_rand_cb cb, void *cb_user_data, uint64_t salt) {
  uint64_t seed = 0;
  r->cb = cb;
  r->cb_user_data = cb_user_data;
#if defined(__linux__)
  /* Non-blocking: a seed is only needed when the host gave no generator. */
  if (!cb && getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != (ssize_t)sizeof(seed))
    seed = 0;
#endif
  seed ^= salt ^ (uint64_t)(uintptr_t)r;
  r->state = seed;
}

uint32_t bfd_rand_u32(bfd_rand *r) {
  if (r->cb) {
    uint8_t b[4];
    uint32_t v;
    r->cb(b, sizeof(b), r->cb_user_data);
    memcpy(&v, b, sizeof(v));
    return v;
  }
  return (uint32_t)(splitmix64(&r->state) >> 32);
}
