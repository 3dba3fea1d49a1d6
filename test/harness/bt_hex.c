#include "bt_hex.h"

#include <stdlib.h>

int bt_hex_digit(int c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

int bt_unhex(const char *s, uint8_t *out, size_t max) {
  size_t n = 0;
  while (s[0] && s[0] != '\n' && s[0] != '\r' && s[0] != ' ') {
    int hi = bt_hex_digit(s[0]), lo = s[1] ? bt_hex_digit(s[1]) : -1;
    if (hi < 0 || lo < 0 || n >= max)
      return -1;
    out[n++] = (uint8_t)(hi << 4 | lo);
    s += 2;
  }
  return (int)n;
}

FILE *bt_vector_open(const char *name) {
  const char *dir = getenv("BFD_TEST_VECTORS");
  char path[4096];
  if (snprintf(path, sizeof path, "%s/%s", dir ? dir : "test/vectors", name) >= (int)sizeof path)
    return NULL;
  return fopen(path, "r");
}
