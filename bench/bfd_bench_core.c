/* bench_core: N session pairs in two tables (A and B) at 100 ms x 3 on a
 * virtual clock. Brings everything Up, then runs T virtual seconds twice:
 * each step advances the clock to the earliest deadline, runs feed_time,
 * drains poll_packet on each table and feeds every packet to the other.
 *
 * Reported (not a ctest; the targets in brackets):
 * - ns/rx [<= 50]: wall time (CLOCK_MONOTONIC) inside the
 *   bfd_table_feed_packet loops per packet (first pass);
 * - ns/tx [<= 30]: the same for the bfd_table_poll_packet loops per built
 *   packet (first pass);
 * - cpu/pkt, wall/pkt: process CPU time and wall time of the whole host loop
 *   (feed_time, poll, feed, next_deadline, building rx_info) per received
 *   packet, second pass, no clock reads inside;
 * - B/sess [<= 512]: live bytes of table A (sessions, hash arrays, heaps)
 *   over N, from a counting bfd_mem;
 * - flaps [0]: transitions out of Up during both passes (exit status 2).
 *
 * Per-call timing would be dominated by the clock (a CLOCK_MONOTONIC read
 * costs ~20-30 ns, a process CPU clock read is a system call), so the host
 * wakes on a timer granularity (-g, default 1000 us as a libuv host does)
 * and each wake-up's poll loop and feed loop are timed as a whole, minus
 * the calibrated cost of one clock read. -g 0 steps to exact deadlines.
 *
 * Usage: bench_core [-t seconds] [-g granularity_us] [N ...]
 *        (default: -t 10 -g 1000 1000 10000 100000) */
#define _POSIX_C_SOURCE 200809L
#include <bfd/bfd.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bt_mem.h" /* the tests' counting allocator (test/harness) */

/* ------------------------------------------------------------------------ */
/* The two sides                                                            */
/* ------------------------------------------------------------------------ */

typedef struct side {
  const char *name;
  bfd_table *t;
  bt_mem cm; /* counts live bytes */
  uint64_t flaps, ups, downs;
  int measuring;
} side;

typedef struct slot {
  bfd_session *s;
  size_t len;
  uint8_t buf[BFD_CTRL_LEN_MAX];
} slot;

typedef struct stats {
  uint64_t rx, tx;
  uint64_t rx_ns, tx_ns;
  uint64_t rx_err;
  int timed; /* time the poll and feed loops (CLOCK_MONOTONIC) */
} stats;

/* Cost of one CLOCK_MONOTONIC read, subtracted from each timed region. */
static uint64_t clock_overhead;

static uint64_t clk(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int on_state(bfd_session *s, const bfd_state_event *ev, void *ud) {
  side *sd = ud;
  (void)s;
  if (ev->new_state == BFD_STATE_UP)
    sd->ups++;
  if (ev->old_state == BFD_STATE_UP) {
    sd->downs++;
    if (sd->measuring)
      sd->flaps++;
  }
  return 0;
}

/* Session i of A talks to session i of B: A's peer address is 11.x.y.z, B's
 * is 12.x.y.z, with x.y.z = i + 1 (N <= 2^24 - 2). */
static void addr(uint8_t a[16], uint8_t net, uint32_t i) {
  memset(a, 0, 16);
  a[0] = net;
  a[1] = (uint8_t)((i + 1) >> 16);
  a[2] = (uint8_t)((i + 1) >> 8);
  a[3] = (uint8_t)(i + 1);
}

static int setup(side *sd, const char *name, uint8_t my_net, uint8_t peer_net, uint32_t n,
                 uint64_t now) {
  bfd_callbacks cb;
  bfd_session_settings st;
  uint32_t i;
  int rv;
  memset(sd, 0, sizeof(*sd));
  sd->name = name;
  bt_mem_init(&sd->cm);
  (void)bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb);
  cb.state_change = on_state;
  if ((rv = bfd_table_new(&sd->t, &cb, &sd->cm.mem, sd)) != 0)
    return rv;
  (void)bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &st);
  st.desired_min_tx_us = 100000;
  st.required_min_rx_us = 100000;
  st.detect_mult = 3;
  for (i = 0; i < n; i++) {
    bfd_session_key k;
    bfd_session *s;
    memset(&k, 0, sizeof(k));
    k.mode = BFD_MODE_SINGLE_HOP;
    k.family = BFD_AF_INET;
    addr(k.local, my_net, i);
    addr(k.peer, peer_net, i);
    if ((rv = bfd_table_add_session(sd->t, &s, &st, &k, NULL, now)) != 0)
      return rv;
  }
  return 0;
}

/* Drain `from` into `batch` (timed: tx), then feed every packet to `to`
 * (timed: rx). rx_info comes from the sending session's key, as a host
 * would fill it from the socket (untimed). */
static void exchange(side *from, side *to, slot *batch, bfd_rx_info *ri, size_t cap, uint64_t now,
                     stats *stt) {
  size_t n = 0, i;
  uint64_t w0 = 0, w1;
  ptrdiff_t len;
  if (stt->timed)
    w0 = clk(CLOCK_MONOTONIC);
  while (n < cap && (len = bfd_table_poll_packet(from->t, &batch[n].s, batch[n].buf,
                                                 sizeof(batch[n].buf), now)) > 0)
    batch[n++].len = (size_t)len;
  if (stt->timed) {
    w1 = clk(CLOCK_MONOTONIC);
    stt->tx_ns += w1 - w0 > clock_overhead ? w1 - w0 - clock_overhead : 0;
  }
  stt->tx += n;
  for (i = 0; i < n; i++) {
    bfd_session_key k;
    (void)bfd_session_get_key(batch[i].s, &k);
    memset(&ri[i], 0, sizeof(ri[i]));
    ri[i].mode = k.mode;
    ri[i].family = k.family;
    ri[i].ttl = 255;
    ri[i].flags = BFD_RX_TTL | BFD_RX_LOCAL | BFD_RX_PEER;
    memcpy(ri[i].local, k.peer, 16);
    memcpy(ri[i].peer, k.local, 16);
    ri[i].peer_port = 49152;
    ri[i].local_port = BFD_PORT_SINGLE_HOP;
  }
  if (stt->timed)
    w0 = clk(CLOCK_MONOTONIC);
  for (i = 0; i < n; i++)
    stt->rx_err += bfd_table_feed_packet(to->t, batch[i].buf, batch[i].len, &ri[i], now, NULL) != 0;
  if (stt->timed) {
    w1 = clk(CLOCK_MONOTONIC);
    stt->rx_ns += w1 - w0 > clock_overhead ? w1 - w0 - clock_overhead : 0;
  }
  stt->rx += n;
}

static void calibrate(void) {
  uint64_t best = UINT64_MAX;
  int i;
  for (i = 0; i < 100000; i++) {
    uint64_t a = clk(CLOCK_MONOTONIC), b = clk(CLOCK_MONOTONIC);
    if (b - a < best)
      best = b - a;
  }
  clock_overhead = best;
}

static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

static int all_up(side *sd, uint32_t n) { return sd->ups >= n && sd->ups - sd->downs >= n; }

/* The next wake-up: the earliest deadline, rounded up to the host's timer
 * granularity (a libuv host wakes on whole milliseconds). */
static uint64_t next_wake(side *a, side *b, uint64_t gran) {
  uint64_t d = min64(bfd_table_next_deadline(a->t), bfd_table_next_deadline(b->t));
  if (d == BFD_TSTAMP_NONE || gran <= 1)
    return d;
  return (d + gran - 1) / gran * gran;
}

static void step(side *a, side *b, slot *batch, bfd_rx_info *ri, size_t cap, uint64_t now,
                 stats *st) {
  (void)bfd_table_feed_time(a->t, now);
  (void)bfd_table_feed_time(b->t, now);
  exchange(a, b, batch, ri, cap, now, st);
  exchange(b, a, batch, ri, cap, now, st);
}

static int run(uint32_t n, uint64_t seconds, uint64_t gran) {
  side a, b;
  uint64_t now = 1000 * BFD_SECONDS, end, steps = 0, c0, c1, w0, w1;
  size_t cap = (size_t)n * 4 + 16;
  slot *batch = malloc(cap * sizeof(*batch));
  bfd_rx_info *ri = malloc(cap * sizeof(*ri));
  stats warm, st, untimed;
  double bps;
  int rv;
  if (!batch || !ri) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  if ((rv = setup(&a, "A", 11, 12, n, now)) != 0 || (rv = setup(&b, "B", 12, 11, n, now)) != 0) {
    fprintf(stderr, "setup: %s\n", bfd_strerror(rv));
    return 1;
  }
  /* Bytes per session: everything the table holds (sessions, hash arrays,
   * heap) over N, measured before any traffic (nothing grows after). */
  bps = (double)a.cm.live / n;

  /* Bring-up (slow start, 1 s packets) within a bounded virtual time. */
  memset(&warm, 0, sizeof(warm));
  end = now + 30 * BFD_SECONDS;
  while (!(all_up(&a, n) && all_up(&b, n)) && now < end) {
    now = next_wake(&a, &b, gran);
    step(&a, &b, batch, ri, cap, now, &warm);
  }
  if (!(all_up(&a, n) && all_up(&b, n))) {
    fprintf(stderr, "N=%u: only %" PRIu64 "/%" PRIu64 " Up after 30 s\n", n, a.ups - a.downs,
            b.ups - b.downs);
    return 1;
  }
  /* Let the Poll Sequences of the Up transition (1 s -> 100 ms) finish. */
  end = now + 2 * BFD_SECONDS;
  while (now < end) {
    now = next_wake(&a, &b, gran);
    step(&a, &b, batch, ri, cap, now, &warm);
  }

  /* Phase 1: T virtual seconds with the poll and feed loops timed. */
  memset(&st, 0, sizeof(st));
  st.timed = 1;
  a.measuring = b.measuring = 1;
  end = now + seconds * BFD_SECONDS;
  while (now < end) {
    now = next_wake(&a, &b, gran);
    if (now == BFD_TSTAMP_NONE)
      break;
    step(&a, &b, batch, ri, cap, now, &st);
    steps++;
  }
  /* Phase 2: the same again untimed inside, for the process CPU time of
   * everything the host calls (feed_time, next_deadline, poll, feed). */
  memset(&untimed, 0, sizeof(untimed));
  end = now + seconds * BFD_SECONDS;
  c0 = clk(CLOCK_PROCESS_CPUTIME_ID);
  w0 = clk(CLOCK_MONOTONIC);
  while (now < end) {
    now = next_wake(&a, &b, gran);
    if (now == BFD_TSTAMP_NONE)
      break;
    step(&a, &b, batch, ri, cap, now, &untimed);
  }
  w1 = clk(CLOCK_MONOTONIC);
  c1 = clk(CLOCK_PROCESS_CPUTIME_ID);
  printf("%8u %8.1f %8.1f %10.1f %10.1f %9.1f %6" PRIu64 " %10" PRIu64 " %9.1f %5" PRIu64 "\n", n,
         (double)st.rx_ns / (double)st.rx, (double)st.tx_ns / (double)st.tx,
         (double)(c1 - c0) / (double)untimed.rx, (double)(w1 - w0) / (double)untimed.rx, bps,
         a.flaps + b.flaps, st.rx, (double)st.rx / (double)steps, st.rx_err + untimed.rx_err);
  fflush(stdout);
  bfd_table_del(a.t);
  bfd_table_del(b.t);
  if (a.cm.live || b.cm.live)
    fprintf(stderr, "leak: %zu + %zu bytes\n", a.cm.live, b.cm.live);
  free(batch);
  free(ri);
  return a.flaps + b.flaps ? 2 : 0;
}

int main(int argc, char **argv) {
  static const uint32_t defaults[] = {1000, 10000, 100000};
  uint32_t ns[64];
  uint64_t seconds = 10, gran = BFD_MILLISECONDS;
  int i, count = 0, rc = 0;
  for (i = 1; i < argc; i++) {
    long v;
    if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
      seconds = strtoull(argv[++i], NULL, 10);
      continue;
    }
    if (strcmp(argv[i], "-g") == 0 && i + 1 < argc) {
      gran = strtoull(argv[++i], NULL, 10) * BFD_MICROSECONDS;
      continue;
    }
    v = strtol(argv[i], NULL, 10);
    if (v <= 0 || v > 16000000 || count == 64) {
      fprintf(stderr, "usage: %s [-t seconds] [N ...]\n", argv[0]);
      return 64;
    }
    ns[count++] = (uint32_t)v;
  }
  if (count == 0)
    for (; count < 3; count++)
      ns[count] = defaults[count];
  calibrate();
  printf("bfdkit %s bench_core: N session pairs at 100 ms x 3, %" PRIu64
         " virtual s, wake-up granularity %" PRIu64 " us, clock read %" PRIu64 " ns\n",
         bfd_version_string(), seconds, gran / BFD_MICROSECONDS, clock_overhead);
  printf("ns/rx, ns/tx: wall time inside bfd_table_feed_packet / bfd_table_poll_packet loops per "
         "packet\ncpu/pkt, wall/pkt: whole host loop (feed_time+poll+feed+next_deadline) per "
         "received packet\n");
  printf("%8s %8s %8s %10s %10s %9s %6s %10s %9s %5s\n", "N", "ns/rx", "ns/tx", "cpu/pkt",
         "wall/pkt", "B/sess", "flaps", "rx pkts", "pkts/wake", "rxerr");
  for (i = 0; i < count; i++)
    rc |= run(ns[i], seconds, gran);
  return rc;
}
