/* Versioned public structs (bfd_session_settings, bfd_callbacks,
 * bfd_session_status): fields are only ever appended, and `struct_version`
 * says how many the caller knows. The library accepts every version from 1
 * to the current one, reads and writes only the bytes of the caller's
 * version, and works internally on a current-version copy whose newer
 * fields hold their defaults. */
#ifndef BFD_STRUCT_H
#define BFD_STRUCT_H

#include <bfd/bfd.h>

/* Bytes of each struct in `version`; 0 for an unknown version. */
size_t bfd_struct_settings_size(uint32_t version);
size_t bfd_struct_callbacks_size(uint32_t version);
size_t bfd_struct_status_size(uint32_t version);
size_t bfd_struct_table_stats_size(uint32_t version);

/* The documented defaults (bfd_session_settings_init()), current version. */
void bfd_struct_settings_defaults(bfd_session_settings *d);
/* Current-version copy of the caller's struct: 0, BFD_ERR_INVALID_ARGUMENT
 * (NULL `in`) or BFD_ERR_VERSION. */
int bfd_struct_settings_import(const bfd_session_settings *in, bfd_session_settings *out);
/* NULL `in` is allowed: no callbacks. */
int bfd_struct_callbacks_import(const bfd_callbacks *in, bfd_callbacks *out);

#endif
