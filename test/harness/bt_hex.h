/* Hex as the vector files write it (test/vectors): lowercase digits, two a
 * byte. */
#ifndef BT_HEX_H
#define BT_HEX_H

#include <stddef.h>
#include <stdint.h>

/* The value of a lowercase hex digit, or -1. */
int bt_hex_digit(int c);
/* Decodes digit pairs from s into out[max] up to the first NUL, space, CR or
 * LF: the byte count, or -1 (a non-digit or a lone digit where a pair
 * belongs, more than max bytes). */
int bt_unhex(const char *s, uint8_t *out, size_t max);

#endif
