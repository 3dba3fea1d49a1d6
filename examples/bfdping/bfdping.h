/*
 * bfdping: the run's context, one per process, passed to every callback
 * (as the adapters' user_data through bp_end, as the handles' data).
 *
 * Copyright (c) 2026 the bfdkit developers. MIT licensed, see LICENSE.
 */
#ifndef BFDPING_BFDPING_H
#define BFDPING_BFDPING_H

#include <stdint.h>

#include <uv.h>

#include "options.h"
#include "output.h"
#include "selftest.h"
#include "session.h"

typedef struct bp_ctx {
  bp_options opt;
  bp_output out;
  uv_loop_t *loop;
  uint64_t t0;   /* uv_hrtime() at the start: event times count from here */
  /* CLOCK_REALTIME - uv_hrtime(), sampled with t0: yang:date-and-time of a
   * timestamp (RFC 9314 leaves, --json). */
  int64_t wall_off_ns;
  bp_end end[2]; /* [1]: the self-test's far end */
  bp_sessions sessions;
  bp_selftest selftest;
  uv_signal_t sigint, sigterm, sigusr1;
  uv_timer_t ending; /* -w, or 0 ms for bp_stop_soon() */
  const char *ending_why;
  uv_timer_t redraw; /* the terminal's status line */
  struct bfdm_http *metrics; /* --metrics, or NULL */
  uint8_t tx_key;    /* index of the key sent (opt.keys) */
  int exit_code;
  int stopping;
} bp_ctx;

/* Nanoseconds since the start for a uv_hrtime() / event timestamp. */
uint64_t bp_since_start(const bp_ctx *ctx, uint64_t ts);
/* A uv_hrtime() timestamp as RFC 3339 UTC with nanoseconds
 * ("2026-12-02T13:17:25.123456789Z", yang:date-and-time) into buf (at
 * least BP_WALL_LEN bytes, output.h); "" for BFD_TSTAMP_NONE. */
void bp_wall_time(const bp_ctx *ctx, uint64_t ts, char *buf);

/* Stop: the summary, then AdminDown to every peer (RFC 5880 §6.8.16) and
 * the loop ends once they are told. A second call does nothing. */
void bp_stop(bp_ctx *ctx, const char *why);
/* Stop once the dispatch in progress is over (from inside a core or
 * adapter callback: the events of the same packet or timer still get
 * reported). */
void bp_stop_soon(bp_ctx *ctx, const char *why);

#endif
