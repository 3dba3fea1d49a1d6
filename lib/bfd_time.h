/* Time conversions. The wire carries microseconds, the API nanoseconds. */
#ifndef BFD_TIME_H
#define BFD_TIME_H

#include <bfd/bfd.h>

/* a + b for deadlines: saturates below BFD_TSTAMP_NONE, so a host clock near
 * UINT64_MAX never wraps a deadline into the past (or into "none"). */
static inline uint64_t bfd_time_add(uint64_t a, uint64_t b) {
  return b >= BFD_TSTAMP_NONE - 1 - a ? BFD_TSTAMP_NONE - 1 : a + b;
}

#endif
