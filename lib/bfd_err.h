/* Error strings and protocol names. */
#ifndef BFD_ERR_H
#define BFD_ERR_H

#include <bfd/bfd.h>

/* Drop counters are indexed by packet error code: BFD_ERR_PKT_* map into
 * [0, BFD_DROP_SLOTS). Returns -1 for codes that are not packet drops. */
#define BFD_DROP_SLOTS 32
int bfd_err_drop_slot(int error_code);

#endif
