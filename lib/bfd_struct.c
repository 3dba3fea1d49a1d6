#include "bfd_struct.h"

#include <stddef.h>
#include <string.h>

/* Version 1 ends where the first field of version 2 would start; the
 * test-only BFD_TEST_STRUCT_V2 build appends one to prove it. */
#ifdef BFD_TEST_STRUCT_V2
#  define SETTINGS_V1_SIZE offsetof(bfd_session_settings, test_v2)
#  define CALLBACKS_V1_SIZE offsetof(bfd_callbacks, test_v2)
#  define STATUS_V1_SIZE offsetof(bfd_session_status, test_v2)
#else
#  define SETTINGS_V1_SIZE sizeof(bfd_session_settings)
#  define CALLBACKS_V1_SIZE sizeof(bfd_callbacks)
#  define STATUS_V1_SIZE sizeof(bfd_session_status)
#endif

static size_t pick(uint32_t version, uint32_t current, size_t v1, size_t cur) {
  if (version == 0 || version > current)
    return 0;
  return version == 1 ? v1 : cur;
}

size_t bfd_struct_settings_size(uint32_t version) {
  return pick(version, BFD_SESSION_SETTINGS_VERSION, SETTINGS_V1_SIZE,
              sizeof(bfd_session_settings));
}

size_t bfd_struct_callbacks_size(uint32_t version) {
  return pick(version, BFD_CALLBACKS_VERSION, CALLBACKS_V1_SIZE, sizeof(bfd_callbacks));
}

size_t bfd_struct_status_size(uint32_t version) {
  return pick(version, BFD_SESSION_STATUS_VERSION, STATUS_V1_SIZE, sizeof(bfd_session_status));
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
