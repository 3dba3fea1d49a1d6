/* bench_scale: N single-hop IPv4 sessions on one libuv adapter, driven
 * through the public API only (bfd_uv_new, bfd_uv_listen, bfd_uv_peer_add
 * with a version-2 bfd_uv_peer_config), one local address per session and
 * one wildcard listener. bench/scale.sh runs two of them in two network
 * namespaces joined by a veth; run by hand the same way:
 *
 *   side A: bench_scale -n N -l 10.10.0.0 -p 10.20.0.0
 *   side B: bench_scale -n N -l 10.20.0.0 -p 10.10.0.0
 *
 * Session k runs from local base + k' to peer base + k', k' = (k / 250) *
 * 256 + k % 250 + 1 (hosts .1-.250 of each /24; 20,000 sessions fit in a
 * /16). The addresses, routes and neighbour entries are the caller's.
 *
 * Nothing scans the sessions: Up/Down counts come from the core's state
 * events (bfd_callbacks.state_change through bfd_uv_new's core_cbs) and the
 * table's O(1) bfd_table_get_stats(); packets and late timer fires from
 * bfd_uv_get_stats() (also the listeners' kernel drops, SO_RXQ_OVFL);
 * the namespace's UDP counters (/proc/self/net/snmp RcvbufErrors, every
 * UDP socket of the namespace) as a cross-check.
 *
 * Prints a status line per second on stderr:
 *   t, Up (table stats) / added, Init, Up->Down total (+ this second),
 *   tx and rx packets per second, late timer fires per second, the
 *   longest stall of the loop in that second (a 10 ms timer's lateness),
 *   adapter rx drops, kernel receive-buffer drops per second, CPU % of this
 *   process
 * and, after -d seconds, one JSON line on stdout (or -o FILE): all-Up time
 * since the last add and since the first packet heard, Up->Down
 * transitions (failures; the peer's AdminDown counted apart), pps, late
 * fires, drops, CPU %, peak RSS, and "error" when the set-up failed (for
 * example the fd limit: one TX socket per session). Then it keeps running
 * (the peer may still measure) until SIGINT/SIGTERM, or exits with -x.
 *
 * Exit status: 0, 1 usage or set-up, 3 a bfd_uv_peer_add() failed (the
 * summary says which and why), 2 not all Up or an Up->Down at the end.
 *
 * Usage: bench_scale -n N -l LOCAL_BASE -p PEER_BASE [-i tx_us] [-r rx_us]
 *        [-m mult] [-d seconds] [-B adds_per_ms] [-N nofile] [-R rcvbuf]
 *        [-S] [-G] [-o file] [-P port] [-q] [-x]
 *        (default -n 1000 -i 100000 -r tx -m 3 -d 30 -B 0: all adds before
 *        the loop runs; -N 0: the hard limit; -R: bfd_uv_settings.rx_rcvbuf
 *        in bytes; -S: shared TX sockets, BFD_UV_TX_SHARED; -G: the
 *        table's overload governor with its defaults, bfd_uv_set_governor) */
#include <bfd/bfd_uv.h>

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scale_util.h"

typedef struct opts {
  uint32_t n, tx_us, rx_us, duration_s, batch;
  uint8_t mult;
  uint16_t port;
  uint32_t local_base, peer_base;
  uint64_t nofile;
  uint32_t rcvbuf;
  int shared, governor;
  const char *out;
  int quiet, exit_after;
} opts;

typedef struct ctx {
  opts o;
  uv_loop_t loop;
  bfd_uv *a;
  uv_timer_t tick, adder, stop, lag;
  uv_signal_t sigint, sigterm;
  uint64_t nofile, nofile_hard;
  FILE *out; /* the summary's stream, opened at start */
  uint32_t added;
  uint64_t t_start, t_added;    /* uv_hrtime(): start, last add returned */
  uint64_t t_first_rx, t_allup; /* 0 = not yet */
  uint64_t cpu_start;
  uint64_t lag_prev, lag_max_s, lag_max;       /* the loop's stalls (the -lag timer) */
  uint32_t up;                                 /* from the events */
  uint64_t up_down, up_down_after, admin_down; /* Up -> Down */
  uint64_t last_akdrop;
  uint64_t last_up_down, last_tx, last_rx, last_late, last_kdrop, last_cpu, last_t;
  scale_udp udp0;
  int last_errno, summarised, closing, closed, rc;
  char last_msg[256];
  char error[512];
} ctx;

static ctx C;

static int on_state(bfd_session *s, const bfd_state_event *ev, void *ud) {
  ctx *c = ud;
  (void)s;
  if (ev->old_state == BFD_STATE_DOWN && c->t_first_rx == 0)
    c->t_first_rx = ev->ts;
  if (ev->new_state == BFD_STATE_UP) {
    if (++c->up == c->o.n && c->t_allup == 0)
      c->t_allup = ev->ts;
  }
  if (ev->old_state == BFD_STATE_UP) {
    c->up--;
    if (ev->flags & BFD_STATE_EV_REMOTE_ADMIN_DOWN) {
      c->admin_down++;
    } else {
      c->up_down++;
      if (c->t_allup)
        c->up_down_after++;
    }
  }
  return 0;
}

static void on_error(bfd_uv *a, int code, int err, const char *msg, void *ud) {
  ctx *c = ud;
  static unsigned shown;
  (void)a;
  c->last_errno = err;
  snprintf(c->last_msg, sizeof(c->last_msg), "%s (%s)", msg, bfd_uv_strerror(code));
  if (shown++ < 5)
    fprintf(stderr, "bench_scale: adapter: %s\n", c->last_msg);
}

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\')
      fputc('\\', f);
    fputc((unsigned char)*s < 0x20 ? ' ' : *s, f);
  }
  fputc('"', f);
}

static void json_secs(FILE *f, const char *key, uint64_t from, uint64_t to) {
  if (from && to && to >= from)
    fprintf(f, ",\"%s\":%.3f", key, (double)(to - from) / 1e9);
  else
    fprintf(f, ",\"%s\":null", key);
}

static void summary(ctx *c) {
  bfd_uv_stats st;
  bfd_table_stats ts;
  scale_udp u;
  uint64_t now = uv_hrtime();
  double secs = (double)(now - c->t_start) / 1e9;
  FILE *f = c->out;
  if (c->summarised)
    return;
  c->summarised = 1;
  memset(&st, 0, sizeof(st));
  st.struct_version = BFD_UV_STATS_VERSION;
  memset(&ts, 0, sizeof(ts));
  ts.struct_version = BFD_TABLE_STATS_VERSION;
  if (c->a) {
    (void)bfd_uv_get_stats(c->a, &st);
    if (bfd_uv_get_table(c->a))
      (void)bfd_table_get_stats(bfd_uv_get_table(c->a), &ts);
  }
  u = c->udp0;
  scale_read_udp(&u);
  fprintf(f, "{\"prog\":\"bench_scale\",\"n\":%" PRIu32 ",\"added\":%" PRIu32, c->o.n, c->added);
  fprintf(f, ",\"tx_us\":%" PRIu32 ",\"rx_us\":%" PRIu32 ",\"mult\":%u", c->o.tx_us, c->o.rx_us,
          (unsigned)c->o.mult);
  fprintf(f, ",\"nofile\":%" PRIu64 ",\"nofile_hard\":%" PRIu64 ",\"rcvbuf\":%" PRIu32, c->nofile,
          c->nofile_hard, c->o.rcvbuf);
  fprintf(f, ",\"tx_shared\":%d,\"governor\":%d", c->o.shared, c->o.governor);
  fprintf(f, ",\"seconds\":%.3f", secs);
  json_secs(f, "add_s", c->t_start, c->t_added);
  json_secs(f, "all_up_s", c->t_added, c->t_allup);
  json_secs(f, "all_up_after_first_rx_s", c->t_first_rx, c->t_allup);
  /* uv_hrtime() is CLOCK_MONOTONIC: comparable between the two sides. */
  fprintf(f, ",\"t_added_ns\":%" PRIu64 ",\"t_allup_ns\":%" PRIu64, c->t_added, c->t_allup);
  fprintf(f, ",\"up_end\":%" PRIu64 ",\"up_down\":%" PRIu64 ",\"up_down_after_all_up\":%" PRIu64,
          ts.by_state[BFD_STATE_UP], c->up_down, c->up_down_after);
  fprintf(f, ",\"remote_admin_down\":%" PRIu64, c->admin_down);
  fprintf(f, ",\"tx_pps\":%.0f,\"rx_pps\":%.0f", (double)st.tx_packets / secs,
          (double)st.rx_packets / secs);
  fprintf(f, ",\"tx_packets\":%" PRIu64 ",\"rx_packets\":%" PRIu64 ",\"tx_errors\":%" PRIu64,
          st.tx_packets, st.rx_packets, st.tx_errors);
  fprintf(f, ",\"rx_dropped\":%" PRIu64 ",\"rx_errors\":%" PRIu64, st.rx_dropped, st.rx_errors);
  fprintf(f, ",\"timer_fires\":%" PRIu64 ",\"timer_late\":%" PRIu64, st.timer_fires, st.timer_late);
  fprintf(f, ",\"max_stall_ms\":%.1f", (double)c->lag_max / 1e6);
  fprintf(f, ",\"timer_late_max_ms\":%.1f,\"late_served_max\":%" PRIu64,
          (double)st.timer_late_max_ns / 1e6, st.late_served_max);
  fprintf(f, ",\"catch_ups\":%" PRIu64 ",\"rx_catch_up\":%" PRIu64, st.catch_ups, st.rx_catch_up);
  fprintf(f, ",\"rx_kernel_drops\":%" PRIu64 ",\"tx_blocked\":%" PRIu64 ",\"tx_sockets\":%" PRIu64,
          st.rx_kernel_drops, st.tx_blocked, st.tx_sockets);
  fprintf(f, ",\"rx_rcvbuf_applied\":%" PRIu64, (uint64_t)st.rx_rcvbuf_applied);
  fprintf(f,
          ",\"governor_scale_permille\":%" PRIu32 ",\"governor_raises\":%" PRIu64
          ",\"governor_lowers\":%" PRIu64,
          ts.governor_scale_permille, ts.governor_raises, ts.governor_lowers);
  fprintf(f, ",\"kernel_rcvbuf_errors\":%" PRIu64, u.rcvbuf_errors - c->udp0.rcvbuf_errors);
  fprintf(f, ",\"cpu_pct\":%.1f,\"maxrss_kib\":%" PRIu64,
          100.0 * (double)(scale_cpu_ns() - c->cpu_start) / (double)(now - c->t_start),
          scale_maxrss_kib());
  fputs(",\"error\":", f);
  if (c->error[0])
    json_str(f, c->error);
  else
    fputs("null", f);
  fputs("}\n", f);
  fflush(f);
  if (!c->error[0] && (ts.by_state[BFD_STATE_UP] != c->o.n || c->up_down))
    c->rc = 2;
}

static void on_closed(bfd_uv *a, void *ud) {
  ctx *c = ud;
  (void)a;
  c->closed = 1;
  c->a = NULL;
}

static void close_cb(uv_handle_t *h) { (void)h; }

static void finish(ctx *c) {
  if (c->closing)
    return;
  c->closing = 1;
  uv_timer_stop(&c->tick);
  uv_timer_stop(&c->adder);
  uv_timer_stop(&c->stop);
  uv_timer_stop(&c->lag);
  uv_close((uv_handle_t *)&c->lag, close_cb);
  uv_close((uv_handle_t *)&c->tick, close_cb);
  uv_close((uv_handle_t *)&c->adder, close_cb);
  uv_close((uv_handle_t *)&c->stop, close_cb);
  uv_close((uv_handle_t *)&c->sigint, close_cb);
  uv_close((uv_handle_t *)&c->sigterm, close_cb);
  bfd_uv_del(c->a, on_closed);
}

/* A 10 ms timer: how long the loop went without running it, beyond its
 * period (the adapter counts late fires, not how late they were). */
static void lag_cb(uv_timer_t *t) {
  ctx *c = t->data;
  uint64_t now = uv_hrtime(), gap = now - c->lag_prev;
  gap = gap > 10000000u ? gap - 10000000u : 0;
  if (gap > c->lag_max_s)
    c->lag_max_s = gap;
  if (gap > c->lag_max)
    c->lag_max = gap;
  c->lag_prev = now;
}

static void tick_cb(uv_timer_t *t) {
  ctx *c = t->data;
  bfd_uv_stats st;
  bfd_table_stats ts;
  scale_udp u;
  uint64_t now = uv_hrtime(), cpu = scale_cpu_ns(), kd;
  double dt = (double)(now - c->last_t) / 1e9;
  memset(&st, 0, sizeof(st));
  st.struct_version = BFD_UV_STATS_VERSION;
  memset(&ts, 0, sizeof(ts));
  ts.struct_version = BFD_TABLE_STATS_VERSION;
  (void)bfd_uv_get_stats(c->a, &st);
  (void)bfd_table_get_stats(bfd_uv_get_table(c->a), &ts);
  u = c->udp0;
  scale_read_udp(&u);
  kd = u.rcvbuf_errors - c->udp0.rcvbuf_errors;
  if (!c->o.quiet && dt > 0)
    fprintf(stderr,
            "t=%4.0fs up=%" PRIu64 "/%" PRIu32 " init=%" PRIu64 " updown=%" PRIu64 "(+%" PRIu64
            ") tx=%.0f/s rx=%.0f/s late=%.0f/s stall=%.0fms rxdrop=%" PRIu64
            " kdrop=%.0f/s (adapter %.0f/s) scale=%" PRIu32 " cpu=%.1f%%\n",
            (double)(now - c->t_start) / 1e9, ts.by_state[BFD_STATE_UP], c->added,
            ts.by_state[BFD_STATE_INIT], c->up_down, c->up_down - c->last_up_down,
            (double)(st.tx_packets - c->last_tx) / dt, (double)(st.rx_packets - c->last_rx) / dt,
            (double)(st.timer_late - c->last_late) / dt, (double)c->lag_max_s / 1e6, st.rx_dropped,
            (double)(kd - c->last_kdrop) / dt, (double)(st.rx_kernel_drops - c->last_akdrop) / dt,
            ts.governor_scale_permille, 100.0 * (double)(cpu - c->last_cpu) / (dt * 1e9));
  c->last_up_down = c->up_down;
  c->last_tx = st.tx_packets;
  c->last_rx = st.rx_packets;
  c->last_late = st.timer_late;
  c->last_kdrop = kd;
  c->last_akdrop = st.rx_kernel_drops;
  c->last_cpu = cpu;
  c->last_t = now;
  c->lag_max_s = 0;
}

static void stop_cb(uv_timer_t *t) {
  ctx *c = t->data;
  summary(c);
  if (c->o.exit_after)
    finish(c);
}

static void signal_cb(uv_signal_t *s, int signum) {
  ctx *c = s->data;
  (void)signum;
  summary(c);
  finish(c);
}

/* Add up to `count` sessions; 0 on success (or nothing left), else the
 * failing call's code (c->error says why). */
static int add_some(ctx *c, uint32_t count) {
  bfd_uv_peer_config cfg;
  bfd_uv_peer_config_init(BFD_UV_PEER_CONFIG_VERSION, &cfg);
  cfg.session.desired_min_tx_us = c->o.tx_us;
  cfg.session.required_min_rx_us = c->o.rx_us;
  cfg.session.detect_mult = c->o.mult;
  cfg.peer.family = cfg.local.family = BFD_AF_INET;
  while (count-- && c->added < c->o.n) {
    uint32_t l = scale_addr(c->o.local_base, c->added), p = scale_addr(c->o.peer_base, c->added);
    int rc;
    cfg.local.addr[0] = (uint8_t)(l >> 24);
    cfg.local.addr[1] = (uint8_t)(l >> 16);
    cfg.local.addr[2] = (uint8_t)(l >> 8);
    cfg.local.addr[3] = (uint8_t)l;
    cfg.peer.addr[0] = (uint8_t)(p >> 24);
    cfg.peer.addr[1] = (uint8_t)(p >> 16);
    cfg.peer.addr[2] = (uint8_t)(p >> 8);
    cfg.peer.addr[3] = (uint8_t)p;
    c->last_errno = 0;
    c->last_msg[0] = 0;
    rc = bfd_uv_peer_add(c->a, NULL, &cfg, (void *)(uintptr_t)(c->added + 1));
    if (rc != 0) {
      char la[16];
      scale_format_v4(la, l);
      snprintf(c->error, sizeof(c->error),
               "bfd_uv_peer_add #%" PRIu32 " (local %s): %s; errno %d (%s); %s; nofile %" PRIu64,
               c->added + 1, la, bfd_uv_strerror(rc), c->last_errno,
               c->last_errno ? strerror(c->last_errno) : "-", c->last_msg[0] ? c->last_msg : "-",
               c->nofile);
      return rc;
    }
    c->added++;
  }
  if (c->added == c->o.n && c->t_added == 0)
    c->t_added = uv_hrtime();
  return 0;
}

static void adder_cb(uv_timer_t *t) {
  ctx *c = t->data;
  if (add_some(c, c->o.batch) != 0) {
    fprintf(stderr, "bench_scale: %s\n", c->error);
    c->rc = 3;
    summary(c);
    finish(c);
    return;
  }
  if (c->added == c->o.n)
    uv_timer_stop(&c->adder);
}

static const char usage_text[] =
    "bench_scale -n N -l LOCAL_BASE -p PEER_BASE [-i tx_us] [-r rx_us] "
    "[-m mult] [-d seconds] [-B adds_per_ms] [-N nofile] [-R rcvbuf] [-S] [-G] "
    "[-o file] [-P port] [-q] [-x]";

int main(int argc, char **argv) {
  ctx *c = &C;
  bfd_uv_settings st;
  bfd_callbacks cb;
  bfd_uv_callbacks ucb;
  bfd_uv_addr any;
  int opt, rc, have_l = 0, have_p = 0;
  c->o.n = 1000;
  c->o.tx_us = 100000;
  c->o.mult = 3;
  c->o.duration_s = 30;
  while ((opt = getopt(argc, argv, "n:i:r:m:l:p:d:B:N:R:SGo:P:qx")) != -1) {
    switch (opt) {
    case 'n': c->o.n = scale_arg(optarg, 1, 1000000, usage_text); break;
    case 'i': c->o.tx_us = scale_arg(optarg, 1, 0xffffffffu, usage_text); break;
    case 'r': c->o.rx_us = scale_arg(optarg, 1, 0xffffffffu, usage_text); break;
    case 'm': c->o.mult = (uint8_t)scale_arg(optarg, 1, 255, usage_text); break;
    case 'l':
      c->o.local_base = scale_arg_v4(optarg, usage_text);
      have_l = 1;
      break;
    case 'p':
      c->o.peer_base = scale_arg_v4(optarg, usage_text);
      have_p = 1;
      break;
    case 'd': c->o.duration_s = scale_arg(optarg, 1, 86400, usage_text); break;
    case 'B': c->o.batch = scale_arg(optarg, 0, 1000000, usage_text); break;
    case 'N': c->o.nofile = scale_arg(optarg, 0, 0xffffffffu, usage_text); break;
    case 'R': c->o.rcvbuf = scale_arg(optarg, 1, 0x7fffffff, usage_text); break;
    case 'S': c->o.shared = 1; break;
    case 'G': c->o.governor = 1; break;
    case 'o': c->o.out = optarg; break;
    case 'P': c->o.port = (uint16_t)scale_arg(optarg, 1, 65535, usage_text); break;
    case 'q': c->o.quiet = 1; break;
    case 'x': c->o.exit_after = 1; break;
    default: scale_usage(usage_text);
    }
  }
  if (!have_l || !have_p || optind != argc)
    scale_usage(usage_text);
  if (!c->o.rx_us)
    c->o.rx_us = c->o.tx_us;
  c->nofile = scale_raise_nofile(c->o.nofile, &c->nofile_hard);
  c->out = scale_open_out(c->o.out);
  fprintf(stderr,
          "bench_scale: RLIMIT_NOFILE %" PRIu64 " (hard %" PRIu64 "), %" PRIu32
          " sessions at %" PRIu32 "/%" PRIu32 " us x %u\n",
          c->nofile, c->nofile_hard, c->o.n, c->o.tx_us, c->o.rx_us, (unsigned)c->o.mult);
  signal(SIGPIPE, SIG_IGN);
  if (uv_loop_init(&c->loop) != 0)
    return 1;
  bfd_uv_settings_init(BFD_UV_SETTINGS_VERSION, &st);
  st.auto_listen = 0;
  st.port_single_hop = c->o.port;
  st.rx_rcvbuf = c->o.rcvbuf;
  if (c->o.shared)
    st.tx_sockets = BFD_UV_TX_SHARED;
  bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb);
  cb.state_change = on_state;
  bfd_uv_callbacks_init(BFD_UV_CALLBACKS_VERSION, &ucb);
  ucb.error = on_error;
  rc = bfd_uv_new(&c->a, &c->loop, &st, &cb, &ucb, NULL, c);
  if (rc != 0) {
    fprintf(stderr, "bench_scale: bfd_uv_new: %s\n", bfd_uv_strerror(rc));
    return 1;
  }
  memset(&any, 0, sizeof(any));
  any.family = BFD_AF_INET;
  rc = bfd_uv_listen(c->a, BFD_MODE_SINGLE_HOP, &any);
  if (rc != 0) {
    fprintf(stderr, "bench_scale: bfd_uv_listen: %s: %s\n", bfd_uv_strerror(rc), c->last_msg);
    return 1;
  }
  if (c->o.governor) {
    bfd_governor_settings gs;
    bfd_governor_settings_init(BFD_GOVERNOR_SETTINGS_VERSION, &gs);
    rc = bfd_uv_set_governor(c->a, &gs);
    if (rc != 0) {
      fprintf(stderr, "bench_scale: bfd_uv_set_governor: %s\n", bfd_uv_strerror(rc));
      return 1;
    }
  }
  uv_timer_init(&c->loop, &c->tick);
  uv_timer_init(&c->loop, &c->adder);
  uv_timer_init(&c->loop, &c->stop);
  uv_timer_init(&c->loop, &c->lag);
  uv_signal_init(&c->loop, &c->sigint);
  uv_signal_init(&c->loop, &c->sigterm);
  c->tick.data = c->adder.data = c->stop.data = c->lag.data = c->sigint.data = c->sigterm.data = c;
  uv_signal_start(&c->sigint, signal_cb, SIGINT);
  uv_signal_start(&c->sigterm, signal_cb, SIGTERM);
  scale_read_udp(&c->udp0);
  c->t_start = c->last_t = uv_hrtime();
  c->cpu_start = c->last_cpu = scale_cpu_ns();
  if (c->o.batch == 0) {
    if (add_some(c, c->o.n) != 0) {
      fprintf(stderr, "bench_scale: %s\n", c->error);
      c->rc = 3;
      summary(c);
      finish(c);
    }
  } else {
    uv_timer_start(&c->adder, adder_cb, 0, 1);
  }
  if (!c->closing) {
    if (c->o.batch == 0)
      fprintf(stderr, "bench_scale: %" PRIu32 " sessions added in %.3f s\n", c->added,
              (double)(uv_hrtime() - c->t_start) / 1e9);
    uv_timer_start(&c->tick, tick_cb, 1000, 1000);
    c->lag_prev = uv_hrtime();
    uv_timer_start(&c->lag, lag_cb, 10, 10);
    uv_timer_start(&c->stop, stop_cb, (uint64_t)c->o.duration_s * 1000, 0);
  }
  uv_run(&c->loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&c->loop) != 0)
    fprintf(stderr, "bench_scale: loop not closed cleanly\n");
  if (c->out != stdout)
    fclose(c->out);
  return c->rc;
}
