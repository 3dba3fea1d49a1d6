#include "bfd_time.h"

uint64_t bfd_us_to_ns(uint32_t us) { return (uint64_t)us * BFD_MICROSECONDS; }

static uint64_t mul_sat(uint64_t v, uint64_t m) { return v > UINT64_MAX / m ? UINT64_MAX : v * m; }

uint64_t bfd_ms_to_ns(uint64_t ms) { return mul_sat(ms, BFD_MILLISECONDS); }

uint64_t bfd_s_to_ns(uint64_t s) { return mul_sat(s, BFD_SECONDS); }

uint32_t bfd_ns_to_us(uint64_t ns) {
  uint64_t us = ns / BFD_MICROSECONDS + (ns % BFD_MICROSECONDS != 0);
  return us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

uint64_t bfd_ns_to_ms_ceil(uint64_t ns) {
  return ns / BFD_MILLISECONDS + (ns % BFD_MILLISECONDS != 0);
}
