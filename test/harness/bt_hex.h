/* The vector files (test/vectors) and their hex: lowercase digits, two a
 * byte. */
#ifndef BT_HEX_H
#define BT_HEX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The value of a lowercase hex digit, or -1. */
int bt_hex_digit(int c);
/* Decodes digit pairs from s into out[max] up to the first NUL, space, CR or
 * LF: the byte count, or -1 (a non-digit or a lone digit where a pair
 * belongs, more than max bytes). */
int bt_unhex(const char *s, uint8_t *out, size_t max);
/* Opens vector file `name` for reading in $BFD_TEST_VECTORS (ctest sets
 * it), else in test/vectors: NULL if it cannot. */
FILE *bt_vector_open(const char *name);

#endif
