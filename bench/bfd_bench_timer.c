/* bench_timer: how precisely the libuv adapter's detection timer fires on the
 * real clock (the measurement the uv_loop test no longer asserts).
 *
 * Runs the uv_loop `silence` scenario N times: two adapters on one loop over
 * loopback (127.0.0.1 <-> 127.0.0.2, or ::1 <-> ::1 on two ports with -6)
 * come Up at -i us x -m, exchange packets for 5 intervals, then B's adapter
 * is destroyed without a word. A must declare Control Detection Time Expired
 * a Detection Time after its last received packet; the lateness of one run
 * is (uv_hrtime() when the state event arrives - status last_rx) -
 * Detection Time, as the uv_loop test measures it.
 *
 * Prints the lateness distribution (min, median, p90, p99, max in us), how
 * many runs were late by more than 1 ms and 4 ms, and the adapter's
 * timer_late counter (fires > 2 ms after their deadline). An early detection
 * is a bug, not noise: it is counted and makes the exit status 2. A run in
 * which a session left Up before B fell silent (the shared thread stalled
 * for about a Detection Time) is no timer sample: counted and repeated.
 * Not a ctest: run it idle and under load, e.g. next to `yes > /dev/null`.
 *
 * Usage: bench_timer [-n runs] [-i tx_us] [-m mult] [-6] [-v]
 *        (default: -n 200 -i 10000 -m 3, the uv_loop test's old setting) */
#include <bfd/bfd_uv.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct side {
  bfd_uv *a;
  bfd_session *s;
  uint8_t state;
  bfd_state_event last_ev;
  uint64_t last_ev_at; /* uv_hrtime() when last_ev was delivered */
  int errors, closed;
} side;

static uv_loop_t loop;
static uv_timer_t guard;
static int guard_fired;

static int on_state(bfd_session *s, const bfd_state_event *ev, void *ud) {
  side *x = ud;
  (void)s;
  x->state = ev->new_state;
  x->last_ev = *ev;
  x->last_ev_at = uv_hrtime();
  return 0;
}

static void on_error(bfd_uv *a, int code, int err, const char *msg, void *ud) {
  side *x = ud;
  (void)a;
  (void)code;
  (void)err;
  x->errors++;
  fprintf(stderr, "bench_timer: adapter error: %s\n", msg);
}

static void on_closed(bfd_uv *a, void *ud) {
  side *x = ud;
  (void)a;
  x->closed = 1;
}

static void guard_cb(uv_timer_t *t) {
  (void)t;
  guard_fired = 1;
  uv_stop(&loop);
}

/* Run the loop until *flag becomes nonzero or `ms` passes; 1 if it did.
 * The guard timer also keeps uv_run() from blocking forever. */
static int run_until(const int *flag, uint64_t ms) {
  guard_fired = 0;
  uv_timer_start(&guard, guard_cb, ms, 0);
  while (!*flag && !guard_fired)
    uv_run(&loop, UV_RUN_ONCE);
  uv_timer_stop(&guard);
  return *flag;
}

static void die(const char *what) {
  fprintf(stderr, "bench_timer: %s\n", what);
  exit(1);
}

static void make_side(side *x, uint16_t port, const char *addr) {
  bfd_uv_settings st;
  bfd_callbacks cb;
  bfd_uv_callbacks ucb;
  bfd_uv_addr la;
  memset(x, 0, sizeof(*x));
  x->state = BFD_STATE_DOWN;
  bfd_uv_settings_init(BFD_UV_SETTINGS_VERSION, &st);
  st.port_single_hop = port;
  st.auto_listen = 0;
  bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb);
  cb.state_change = on_state;
  bfd_uv_callbacks_init(BFD_UV_CALLBACKS_VERSION, &ucb);
  ucb.error = on_error;
  if (bfd_uv_new(&x->a, &loop, &st, &cb, &ucb, NULL, x) != 0 || bfd_uv_addr_parse(&la, addr) != 0 ||
      bfd_uv_listen(x->a, BFD_MODE_SINGLE_HOP, &la) != 0)
    die("adapter set-up failed");
}

static void add_peer(side *x, const char *local, const char *peer, uint16_t port, uint32_t tx_us,
                     uint8_t mult) {
  bfd_uv_peer_config c;
  bfd_uv_peer_config_init(BFD_UV_PEER_CONFIG_VERSION, &c);
  if (bfd_uv_addr_parse(&c.peer, peer) != 0 || bfd_uv_addr_parse(&c.local, local) != 0)
    die("bad address");
  c.peer_port = port;
  c.session.desired_min_tx_us = c.session.required_min_rx_us = tx_us;
  c.session.detect_mult = mult;
  if (bfd_uv_peer_add(x->a, &x->s, &c, x) != 0)
    die("bfd_uv_peer_add failed");
}

static void close_side(side *x) {
  bfd_uv_del(x->a, on_closed);
  if (!run_until(&x->closed, 2000))
    die("adapter did not close");
}

/* One silence run: the lateness in ns (negative = early), or INT64_MIN if
 * a stall disturbed it (A or B left Up before the silence, or A went Down
 * for another reason); adds the adapter's late fires. */
static int64_t one_run(int v6, uint16_t port, uint32_t tx_us, uint8_t mult, uint64_t *late_fires) {
  const char *xa = v6 ? "::1" : "127.0.0.1", *ya = v6 ? "::1" : "127.0.0.2";
  uint16_t yport = (uint16_t)(v6 ? port + 1 : port);
  uint64_t detect = (uint64_t)mult * tx_us * BFD_MICROSECONDS;
  int never = 0;
  side x, y;
  bfd_session_status st;
  bfd_uv_stats stats;
  make_side(&x, port, xa);
  make_side(&y, yport, ya);
  add_peer(&x, xa, ya, yport, tx_us, mult);
  add_peer(&y, ya, xa, port, tx_us, mult);
  guard_fired = 0;
  uv_timer_start(&guard, guard_cb, 5000, 0);
  while (!(x.state == BFD_STATE_UP && y.state == BFD_STATE_UP) && !guard_fired)
    uv_run(&loop, UV_RUN_ONCE);
  uv_timer_stop(&guard);
  if (guard_fired)
    die("not Up within 5 s");
  run_until(&never, 5 * tx_us / 1000); /* a few packets at the negotiated rate */
  if (x.state != BFD_STATE_UP || y.state != BFD_STATE_UP) {
    /* Both adapters share this thread: a stall of about a Detection Time
     * looks like silence. Not a timer sample; counted by the caller. */
    close_side(&y);
    close_side(&x);
    return INT64_MIN;
  }
  close_side(&y);
  guard_fired = 0;
  uv_timer_start(&guard, guard_cb, 5000, 0);
  while (x.state == BFD_STATE_UP && !guard_fired)
    uv_run(&loop, UV_RUN_ONCE);
  uv_timer_stop(&guard);
  if (x.state != BFD_STATE_DOWN)
    die("A did not detect the silence within 5 s");
  if (x.last_ev.local_diag != BFD_DIAG_DETECT_EXPIRED) {
    /* B's adapter timed out in the same stall and told A. */
    close_side(&x);
    return INT64_MIN;
  }
  memset(&st, 0, sizeof(st));
  st.struct_version = BFD_SESSION_STATUS_VERSION;
  if (bfd_session_get_status(x.s, &st) != 0 || st.last_rx == BFD_TSTAMP_NONE)
    die("no status");
  stats.struct_version = BFD_UV_STATS_VERSION;
  if (bfd_uv_get_stats(x.a, &stats) == 0)
    *late_fires += stats.timer_late;
  close_side(&x);
  if (x.errors || y.errors)
    die("adapter reported errors");
  return (int64_t)(x.last_ev_at - st.last_rx) - (int64_t)detect;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted v[0..n-1]. */
static int64_t pct(const int64_t *v, size_t n, unsigned p) {
  size_t k = (n * p + 99) / 100;
  return v[k ? k - 1 : 0];
}

int main(int argc, char **argv) {
  unsigned long n = 200, tx_us = 10000, mult = 3;
  int v6 = 0, verbose = 0, c;
  size_t i, m = 0, early = 0, over1 = 0, over4 = 0, stalls = 0;
  uint64_t late_fires = 0;
  int64_t *lat;
  uint16_t port;
  while ((c = getopt(argc, argv, "n:i:m:6vh")) != -1) {
    switch (c) {
    case 'n': n = strtoul(optarg, NULL, 10); break;
    case 'i': tx_us = strtoul(optarg, NULL, 10); break;
    case 'm': mult = strtoul(optarg, NULL, 10); break;
    case '6': v6 = 1; break;
    case 'v': verbose = 1; break;
    default:
      fprintf(c == 'h' ? stdout : stderr,
              "usage: bench_timer [-n runs] [-i tx_us] [-m mult] [-6] [-v]\n");
      return c == 'h' ? 0 : 1;
    }
  }
  if (n == 0 || n > 1000000 || tx_us < 1000 || tx_us > 1000000 || mult == 0 || mult > 255)
    die("need 0 < runs <= 1e6, 1000 <= tx_us <= 1e6, 0 < mult <= 255");
  lat = calloc(n, sizeof(*lat));
  if (!lat)
    die("out of memory");
  /* A port of our own, as the uv_loop test picks one. */
  port = (uint16_t)(30000 + (getpid() % 10000) * 2);
  uv_loop_init(&loop);
  uv_timer_init(&loop, &guard);
  for (i = 0; m < n && stalls < n; i++) {
    int64_t l = one_run(v6, port, (uint32_t)tx_us, (uint8_t)mult, &late_fires);
    if (l == INT64_MIN) {
      stalls++;
      if (verbose)
        printf("run %zu: disturbed by a loop stall\n", i + 1);
      continue;
    }
    if (verbose)
      printf("run %zu: late by %" PRId64 " us\n", i + 1, l / 1000);
    early += l < 0;
    over1 += l > (int64_t)BFD_MILLISECONDS;
    over4 += l > 4 * (int64_t)BFD_MILLISECONDS;
    lat[m++] = l;
  }
  if (m == 0)
    die("every run went Down before the silence");
  n = m;
  qsort(lat, n, sizeof(*lat), cmp_i64);
  printf("bench_timer: %lu runs, %s, %lu us x %lu (Detection Time %lu us)\n", n,
         v6 ? "::1 <-> ::1" : "127.0.0.1 <-> 127.0.0.2", tx_us, mult, tx_us * mult);
  printf("  detection lateness (us): min %.1f  median %.1f  p90 %.1f  p99 %.1f  max %.1f\n",
         (double)lat[0] / 1e3, (double)pct(lat, n, 50) / 1e3, (double)pct(lat, n, 90) / 1e3,
         (double)pct(lat, n, 99) / 1e3, (double)lat[n - 1] / 1e3);
  printf("  runs late > 1 ms: %zu  > 4 ms: %zu  early: %zu  adapter timer_late: %" PRIu64 "\n",
         over1, over4, early, late_fires);
  if (stalls)
    printf("  runs discarded: %zu (a loop stall took a session Down before the silence)\n", stalls);
  free(lat);
  uv_close((uv_handle_t *)&guard, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  return early ? 2 : 0;
}
