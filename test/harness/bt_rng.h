/* The one random generator of the test suites: splitmix64 (Steele, Lea and
 * Flood, "Fast splittable pseudorandom number generators", 2014). Seeded,
 * so every run is reproducible from its seed. */
#ifndef BT_RNG_H
#define BT_RNG_H

#include <stddef.h>
#include <stdint.h>

/* The next 64-bit value of the generator whose state is *state. */
uint64_t bt_rng_next(uint64_t *state);
/* Uniform in [0, n) (n > 0; modulo bias is irrelevant for tests). */
uint32_t bt_rng_below(uint64_t *state, uint32_t n);
/* Fills dest from the generator, 8 bytes a draw (a bfd_rand_cb body). */
void bt_rng_fill(uint64_t *state, uint8_t *dest, size_t len);
/* Fills dest one draw per byte (the low byte of each): the stream the table
 * and responder suites' sessions have always drawn from. */
void bt_rng_bytes(uint64_t *state, uint8_t *dest, size_t len);

#endif
