/*
 * bfdping --self-test.
 *
 * Copyright (c) 2026 the bfdkit developers. MIT licensed, see LICENSE.
 */
#include <stdio.h>

#include "bfdping.h"

enum {
  BP_ST_WAIT_UP = 0, /* until Up at the asked-for TX interval (slow start, §6.8.3) */
  BP_ST_HOLD = 1,    /* Up and negotiated: a second, then silence the far end */
  BP_ST_DETECT = 2,  /* the near end must detect the silence */
  BP_ST_DONE = 3
};

#define BP_ST_UP_WITHIN_MS     10000u
#define BP_ST_HOLD_MS          1000u
#define BP_ST_DETECT_WITHIN_MS 5000u

static bp_ctx *ctx_of(uv_timer_t *h) { return h->data; }

static void fail(bp_ctx *ctx, const char *msg) {
  BP_OUT(&ctx->out, progress, bp_since_start(ctx, uv_hrtime()), msg);
  ctx->exit_code = 1;
  ctx->selftest.phase = BP_ST_DONE;
  bp_stop(ctx, "self-test failed");
}

static void on_detect_timeout(uv_timer_t *h) {
  fail(ctx_of(h), "self-test: FAILED: no detection within 5 s");
}

static void on_hold_done(uv_timer_t *h) {
  bp_ctx *ctx = ctx_of(h);
  BP_OUT(&ctx->out, progress, bp_since_start(ctx, uv_hrtime()),
         "self-test: silencing the peer (no AdminDown) to force a detection");
  /* The far end's sessions die with it: stop looking at them. */
  bp_session_forget(&ctx->sessions, &ctx->end[1]);
  bfd_uv_del(ctx->end[1].uv, NULL);
  ctx->end[1].uv = NULL;
  ctx->selftest.phase = BP_ST_DETECT;
  uv_timer_start(&ctx->selftest.timer, on_detect_timeout, BP_ST_DETECT_WITHIN_MS, 0);
}

static void on_verdict(uv_timer_t *h) {
  bp_ctx *ctx = ctx_of(h);
  bp_selftest_out *o = &ctx->selftest.verdict;
  o->t = bp_since_start(ctx, uv_hrtime());
  BP_OUT(&ctx->out, selftest, o);
  ctx->exit_code = o->passed ? 0 : 1;
  bp_stop(ctx, "self-test done");
}

static void on_up_timeout(uv_timer_t *h) {
  fail(ctx_of(h), "self-test: FAILED: session did not come Up within 10 s");
}

int bp_selftest_start(bp_ctx *ctx) {
  bp_selftest *st = &ctx->selftest;
  if (bp_end_open(ctx, &ctx->end[0], 0) || bp_end_open(ctx, &ctx->end[1], 0) ||
      bp_end_listen(&ctx->end[0], "127.0.0.1") || bp_end_listen(&ctx->end[1], "127.0.0.2") ||
      bp_end_add_peer(&ctx->end[0], "127.0.0.2", "127.0.0.1", &st->near) ||
      bp_end_add_peer(&ctx->end[1], "127.0.0.1", "127.0.0.2", NULL))
    return -1;
  st->phase = BP_ST_WAIT_UP;
  uv_timer_init(ctx->loop, &st->timer);
  st->timer.data = ctx;
  uv_timer_start(&st->timer, on_up_timeout, BP_ST_UP_WITHIN_MS, 0);
  return 0;
}

/* Up at the asked-for interval: hold, then silence the far end. */
static void check_negotiated(bp_ctx *ctx, const bp_session *t) {
  bp_selftest *st = &ctx->selftest;
  if (st->phase != BP_ST_WAIT_UP || t->s != st->near || t->last_state != BFD_STATE_UP ||
      t->now.tx_interval_ns != bfd_ms_to_ns(ctx->opt.tx_ms))
    return;
  st->phase = BP_ST_HOLD;
  uv_timer_start(&st->timer, on_hold_done, BP_ST_HOLD_MS, 0);
}

void bp_selftest_on_params(bp_ctx *ctx, bp_session *t) { check_negotiated(ctx, t); }

void bp_selftest_on_state(bp_ctx *ctx, bp_session *t, const bfd_state_event *ev, uint64_t gap_ns) {
  bp_selftest *st = &ctx->selftest;
  bp_selftest_out *o = &st->verdict;
  if (t->s != st->near)
    return;
  if (st->phase != BP_ST_DETECT) {
    check_negotiated(ctx, t);
    return;
  }
  if (ev->new_state != BFD_STATE_DOWN)
    return;
  /* The Detection Time in force until the failure (the remote's values
   * are forgotten with it), else what ours alone give. */
  o->limit_ns =
      t->now.detect_time_ns ? t->now.detect_time_ns : ctx->opt.mult * bfd_ms_to_ns(ctx->opt.rx_ms);
  /* On the real clock only what holds on a busy machine: never early (the
   * core's exact rule), late by less than half an interval (a scheduling
   * delay, not a protocol error; bench_timer measures the precision). */
  o->slack_ns = bfd_ms_to_ns(ctx->opt.rx_ms) / 2;
  o->gap_ns = gap_ns;
  o->passed = ev->local_diag == BFD_DIAG_DETECT_EXPIRED && gap_ns >= o->limit_ns &&
              gap_ns <= o->limit_ns + o->slack_ns;
  st->phase = BP_ST_DONE;
  uv_timer_start(&st->timer, on_verdict, 0, 0); /* after this event's nexthop event */
}

void bp_selftest_close(bp_ctx *ctx) {
  if (!uv_is_closing((uv_handle_t *)&ctx->selftest.timer))
    uv_close((uv_handle_t *)&ctx->selftest.timer, NULL);
}
