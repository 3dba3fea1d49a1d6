/* Time conversions. The wire carries microseconds, the API nanoseconds. */
#ifndef BFD_TIME_H
#define BFD_TIME_H

#include <bfd/bfd.h>

#endif
