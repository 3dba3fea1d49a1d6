/*
 * bfdping: bring up a BFD session with any peer, watch it, measure it.
 *
 *   bfdping [options] PEER          active session with PEER
 *   bfdping --listen ADDR           responder: answer any peer that talks to us
 *   bfdping --self-test             both ends on loopback, then a forced failure
 *
 * Exit codes: 0 = a session is Up at the end (self-test: every check passed),
 * 1 = never came Up or ended Down, 2 = usage or setup error.
 *
 * Every line of output comes from an event of the core (state, nexthop,
 * negotiated parameters, authentication failures) or the adapter (errors,
 * responder sessions), a signal, or a timer of the run (-w, the
 * self-test's phases, the terminal's status line).
 *
 * Copyright (c) 2026 the bfdkit developers. MIT licensed, see LICENSE.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "bfd_metrics_http.h"
#include "bfd_metrics_uv.h"
#include "bfdping.h"

/* The terminal's status line is redrawn this often (its counters have no
 * events: one per packet would cost more than it shows). */
#define BP_REDRAW_MS 1000u

uint64_t bp_since_start(const bp_ctx *ctx, uint64_t ts) { return ts >= ctx->t0 ? ts - ctx->t0 : 0; }

void bp_wall_time(const bp_ctx *ctx, uint64_t ts, char *buf) {
  int64_t w;
  time_t sec;
  struct tm tm;
  size_t n;
  buf[0] = '\0';
  if (ts == BFD_TSTAMP_NONE)
    return;
  w = (int64_t)ts + ctx->wall_off_ns;
  sec = (time_t)(w / 1000000000);
  if (!gmtime_r(&sec, &tm))
    return;
  n = strftime(buf, BP_WALL_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
  if (n == 0 || n + 12 > BP_WALL_LEN) {
    buf[0] = '\0';
    return;
  }
  snprintf(buf + n, BP_WALL_LEN - n, ".%09uZ", (unsigned)(w % 1000000000));
}

void bp_stop(bp_ctx *ctx, const char *why) {
  int any_up;
  if (ctx->stopping)
    return;
  BP_OUT(&ctx->out, stopping, why);
  /* What the core's rate limit held back. */
  bp_sessions_flush_auth(ctx, uv_hrtime());
  ctx->stopping = 1;
  any_up = bp_sessions_summary(ctx);
  if (!ctx->opt.self_test)
    ctx->exit_code = any_up ? 0 : 1;
  bp_session_forget(&ctx->sessions, NULL);
  uv_close((uv_handle_t *)&ctx->ending, NULL);
  uv_close((uv_handle_t *)&ctx->redraw, NULL);
  uv_close((uv_handle_t *)&ctx->sigint, NULL);
  uv_close((uv_handle_t *)&ctx->sigterm, NULL);
  uv_close((uv_handle_t *)&ctx->sigusr1, NULL);
  if (ctx->opt.self_test)
    bp_selftest_close(ctx);
  /* Tell every peer (RFC 5880 §6.8.16): AdminDown, diag 7, until it has
   * seen it or for its Detection Time of us; the loop runs until then. */
  bfd_uv_shutdown(ctx->end[0].uv, NULL);
  bfd_uv_shutdown(ctx->end[1].uv, NULL);
  ctx->end[0].uv = ctx->end[1].uv = NULL;
  bfdm_http_close(ctx->metrics);
  ctx->metrics = NULL;
}

/* --metrics: the sessions of the first end (the self-test's both ends
 * share nothing: its near end). */
static int fill_metrics(void *arg, bfdm_out *o) {
  bp_ctx *ctx = arg;
  bfd_table *t = ctx->end[0].uv ? bfd_uv_get_table(ctx->end[0].uv) : NULL;
  if (!t)
    return 0;
  if (bfdm_render_table(o, t, uv_hrtime()) != 0)
    return -1;
  return bfdm_render_uv(o, ctx->end[0].uv) == -1 ? -1 : 0;
}

static int start_metrics(bp_ctx *ctx) {
  struct sockaddr_storage ss;
  int rc;
  if (!ctx->opt.metrics)
    return 0;
  if (bfdm_http_parse_addr(ctx->opt.metrics, &ss) != 0) {
    fprintf(stderr, "bfdping: --metrics %s: expected ADDR:PORT, e.g. 127.0.0.1:9101 or [::1]:9101\n",
            ctx->opt.metrics);
    return -1;
  }
  if ((rc = bfdm_http_start(&ctx->metrics, ctx->loop, (const struct sockaddr *)&ss, fill_metrics,
                            ctx)) != 0) {
    fprintf(stderr, "bfdping: --metrics %s: %s\n", ctx->opt.metrics, uv_strerror(rc));
    return -1;
  }
  return 0;
}

static void on_ending(uv_timer_t *h) {
  bp_ctx *ctx = h->data;
  bp_stop(ctx, ctx->ending_why);
}

void bp_stop_soon(bp_ctx *ctx, const char *why) {
  if (ctx->stopping)
    return;
  ctx->ending_why = why;
  uv_timer_start(&ctx->ending, on_ending, 0, 0);
}

static void on_redraw(uv_timer_t *h) { bp_sessions_status(h->data); }

/* SIGUSR1: send with the next key of the ring (rotation without a flap). */
static void rotate_key(bp_ctx *ctx) {
  uint64_t t = bp_since_start(ctx, uv_hrtime());
  if (ctx->opt.nkeys < 2) {
    BP_OUT(&ctx->out, auth_key, t, 0, 0);
    return;
  }
  ctx->tx_key = (uint8_t)((ctx->tx_key + 1) % ctx->opt.nkeys);
  bp_sessions_set_tx_key(ctx);
  BP_OUT(&ctx->out, auth_key, t, 1, ctx->opt.keys[ctx->tx_key].key_id);
}

static void on_signal(uv_signal_t *h, int signum) {
  if (signum == SIGUSR1)
    rotate_key(h->data);
  else
    bp_stop(h->data, "interrupted");
}

static void start_signal(bp_ctx *ctx, uv_signal_t *h, int signum) {
  uv_signal_init(ctx->loop, h);
  h->data = ctx;
  uv_signal_start(h, on_signal, signum);
}

/* Userspace BFD timers starve under CPU pressure (FRR flapped at
 * 3 x 10 ms under stress); real-time priority is the remedy. */
static int go_realtime(void) {
  struct sched_param sp;
  memset(&sp, 0, sizeof(sp));
  sp.sched_priority = 50;
  if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0 || mlockall(MCL_CURRENT | MCL_FUTURE) != 0) {
    fprintf(stderr, "bfdping: --rt: %s (run as root, or grant CAP_SYS_NICE and CAP_IPC_LOCK)\n",
            strerror(errno));
    return -1;
  }
  return 0;
}

/* The mode's adapters, listeners and sessions. */
static int setup(bp_ctx *ctx) {
  const bp_options *o = &ctx->opt;
  if (o->self_test)
    return bp_selftest_start(ctx);
  if (o->listen_addr)
    return bp_end_open(ctx, &ctx->end[0], 0) || bp_end_set_responder(&ctx->end[0]) ||
                   bp_end_listen(&ctx->end[0], o->listen_addr)
               ? -1
               : 0;
  if (bp_end_open(ctx, &ctx->end[0], o->local == NULL) ||
      (o->local && bp_end_listen(&ctx->end[0], o->local)) ||
      bp_end_add_peer(&ctx->end[0], o->peer, o->local, NULL))
    return -1;
  return 0;
}

static void init_output(bp_ctx *ctx) {
  const bp_options *o = &ctx->opt;
  if (o->quiet)
    bp_out_quiet_init(&ctx->out);
  else if (o->json)
    bp_out_json_init(&ctx->out);
  else
    bp_out_text_init(&ctx->out, o->verbose, isatty(STDOUT_FILENO) && !o->self_test);
}

int main(int argc, char **argv) {
  bp_ctx *ctx = calloc(1, sizeof(*ctx));
  int rv;
  if (!ctx) {
    fprintf(stderr, "bfdping: out of memory\n");
    return 2;
  }
  rv = bp_options_parse(&ctx->opt, argc, argv);
  if (rv != BP_OPT_OK) {
    free(ctx);
    return rv == BP_OPT_HELP ? 0 : 2;
  }
  if (ctx->opt.rt && go_realtime() != 0)
    return 2;
  init_output(ctx);
  ctx->loop = uv_default_loop();
  {
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    ctx->t0 = uv_hrtime();
    ctx->wall_off_ns = (int64_t)rt.tv_sec * 1000000000 + rt.tv_nsec - (int64_t)ctx->t0;
  }
  ctx->exit_code = 1;

  uv_timer_init(ctx->loop, &ctx->ending);
  ctx->ending.data = ctx;
  uv_timer_init(ctx->loop, &ctx->redraw);
  ctx->redraw.data = ctx;

  if (ctx->opt.self_test)
    BP_OUT(&ctx->out, banner, &ctx->opt);
  if (start_metrics(ctx) != 0 || setup(ctx) != 0)
    return 2;
  if (!ctx->opt.self_test)
    BP_OUT(&ctx->out, banner, &ctx->opt);

  ctx->ending_why = "deadline reached";
  if (ctx->opt.deadline_s > 0)
    uv_timer_start(&ctx->ending, on_ending, (uint64_t)(ctx->opt.deadline_s * 1000.0 + 0.999), 0);
  if (ctx->out.status)
    uv_timer_start(&ctx->redraw, on_redraw, BP_REDRAW_MS, BP_REDRAW_MS);
  start_signal(ctx, &ctx->sigint, SIGINT);
  start_signal(ctx, &ctx->sigterm, SIGTERM);
  start_signal(ctx, &ctx->sigusr1, SIGUSR1);

  uv_run(ctx->loop, UV_RUN_DEFAULT);
  uv_loop_close(ctx->loop);
  rv = ctx->exit_code;
  bp_options_wipe(&ctx->opt);
  free(ctx);
  return rv;
}
