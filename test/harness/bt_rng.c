#include "bt_rng.h"

#include <string.h>

uint64_t bt_rng_next(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint32_t bt_rng_below(uint64_t *state, uint32_t n) { return (uint32_t)(bt_rng_next(state) % n); }

void bt_rng_fill(uint64_t *state, uint8_t *dest, size_t len) {
  while (len > 0) {
    uint64_t v = bt_rng_next(state);
    size_t n = len < sizeof(v) ? len : sizeof(v);
    memcpy(dest, &v, n);
    dest += n;
    len -= n;
  }
}

void bt_rng_bytes(uint64_t *state, uint8_t *dest, size_t len) {
  size_t i;
  for (i = 0; i < len; i++)
    dest[i] = (uint8_t)bt_rng_next(state);
}
