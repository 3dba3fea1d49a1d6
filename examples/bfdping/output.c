/*
 * bfdping: what the output implementations share.
 *
 * Copyright (c) 2026 the bfdkit developers. MIT licensed, see LICENSE.
 */
#include "output.h"

const char *bp_nexthop_cause(uint8_t cause) {
  static const char *const causes[] = {"new session", "session Up", "path failure",
                                       "session deleted", "local AdminDown"};
  return cause < sizeof(causes) / sizeof(causes[0]) ? causes[cause] : "?";
}
