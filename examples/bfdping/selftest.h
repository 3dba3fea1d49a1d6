/*
 * bfdping --self-test: both ends on loopback (127.0.0.1 <-> 127.0.0.2),
 * Up with the asked-for timers, then the far end silenced (no AdminDown):
 * the near end must detect it after the Detection Time, never early and
 * late by less than half an interval. Driven by the near session's events
 * and one timer per phase (hold, give up).
 *
 * Copyright (c) 2026 the bfdkit developers. MIT licensed, see LICENSE.
 */
#ifndef BFDPING_SELFTEST_H
#define BFDPING_SELFTEST_H

#include <stdint.h>

#include <uv.h>

#include <bfd/bfd.h>

#include "output.h"

struct bp_ctx;
struct bp_session;

typedef struct bp_selftest {
  int phase;               /* BP_ST_* */
  uv_timer_t timer;        /* the phase's deadline */
  bfd_session *near;       /* 127.0.0.1's session with 127.0.0.2 */
  bp_selftest_out verdict; /* of the detection, reported after its dispatch */
} bp_selftest;

/* Open both ends and their sessions. Returns -1 on a setup error (said). */
int bp_selftest_start(struct bp_ctx *ctx);
/* A session's state or negotiated values changed (the session's record is
 * up to date). */
void bp_selftest_on_state(struct bp_ctx *ctx, struct bp_session *t, const bfd_state_event *ev,
                          uint64_t gap_ns);
void bp_selftest_on_params(struct bp_ctx *ctx, struct bp_session *t);
/* The run stops: close the timer. */
void bp_selftest_close(struct bp_ctx *ctx);

#endif
