#include "bfd_struct.h"

#include <stddef.h>
#include <string.h>

/* Where each version of a struct ends. The test-only BFD_TEST_STRUCT_V2
 * build appends `test_next` to every struct, as a future version would. */
#ifdef BFD_TEST_STRUCT_V2
#  define SETTINGS_CUR_END offsetof(bfd_session_settings, test_next)
#  define CALLBACKS_CUR_END offsetof(bfd_callbacks, test_next)
#  define STATUS_CUR_END offsetof(bfd_session_status, test_next)
#  define STATS_CUR_END offsetof(bfd_table_stats, test_next)
#else
#  define SETTINGS_CUR_END sizeof(bfd_session_settings)
#  define CALLBACKS_CUR_END sizeof(bfd_callbacks)
#  define STATUS_CUR_END sizeof(bfd_session_status)
#  define STATS_CUR_END sizeof(bfd_table_stats)
#endif

/* sizes[v - 1] for versions 1..n; a version past n is the test build's
 * future one, the whole struct. */
static size_t pick(uint32_t version, uint32_t current, const size_t *sizes, size_t n,
                   size_t whole) {
  if (version == 0 || version > current)
    return 0;
  return version <= n ? sizes[version - 1] : whole;
}

#define PICK(v, cur, arr, whole) pick((v), (cur), (arr), sizeof(arr) / sizeof((arr)[0]), (whole))

size_t bfd_struct_settings_size(uint32_t version) {
  static const size_t sizes[] = {SETTINGS_CUR_END};
  return PICK(version, BFD_SESSION_SETTINGS_VERSION, sizes, sizeof(bfd_session_settings));
}

size_t bfd_struct_callbacks_size(uint32_t version) {
  /* 1: up to `rand`; 2 (0.2.0): `session`, `responder_accept`. */
  static const size_t sizes[] = {offsetof(bfd_callbacks, session), CALLBACKS_CUR_END};
  return PICK(version, BFD_CALLBACKS_VERSION, sizes, sizeof(bfd_callbacks));
}

size_t bfd_struct_status_size(uint32_t version) {
  /* 1: up to finals_sent; 2 (0.2.0): failure_count .. goodbye. */
  static const size_t sizes[] = {offsetof(bfd_session_status, failure_count), STATUS_CUR_END};
  return PICK(version, BFD_SESSION_STATUS_VERSION, sizes, sizeof(bfd_session_status));
}

size_t bfd_struct_table_stats_size(uint32_t version) {
  /* 1: up to rx_drops; 2 (0.2.0): lateness and the governor. */
  static const size_t sizes[] = {offsetof(bfd_table_stats, services), STATS_CUR_END};
  return PICK(version, BFD_TABLE_STATS_VERSION, sizes, sizeof(bfd_table_stats));
}

void bfd_struct_settings_defaults(bfd_session_settings *d) {
  memset(d, 0, sizeof(*d));
  d->struct_version = BFD_SESSION_SETTINGS_VERSION;
  d->desired_min_tx_us = 300000;
  d->required_min_rx_us = 300000;
  d->detect_mult = 3;
  d->mode = BFD_MODE_SINGLE_HOP;
  d->nexthop_policy = BFD_NHS_DOWN_UNTIL_UP;
}

int bfd_struct_settings_import(const bfd_session_settings *in, bfd_session_settings *out) {
  size_t n;
  if (!in)
    return BFD_ERR_INVALID_ARGUMENT;
  if ((n = bfd_struct_settings_size(in->struct_version)) == 0)
    return BFD_ERR_VERSION;
  bfd_struct_settings_defaults(out);
  memcpy(out, in, n);
  out->struct_version = BFD_SESSION_SETTINGS_VERSION;
  return 0;
}

int bfd_struct_callbacks_import(const bfd_callbacks *in, bfd_callbacks *out) {
  size_t n;
  memset(out, 0, sizeof(*out));
  out->struct_version = BFD_CALLBACKS_VERSION;
  if (!in)
    return 0;
  if ((n = bfd_struct_callbacks_size(in->struct_version)) == 0)
    return BFD_ERR_VERSION;
  memcpy(out, in, n);
  out->struct_version = BFD_CALLBACKS_VERSION;
  return 0;
}
