/* Two-peer simulation (suite "sim"): two bfdkit sessions joined by a virtual
 * link (test/harness/bfd_sim.c) on a virtual clock that jumps from event to event,
 * so every bound below is asserted exactly, derived from RFC 5880.
 *
 * Notation: d = one-way delay (dmin..dmax with jitter), I = the sender's
 * negotiated TX interval (§6.8.7, jittered down to 75-100 % of I, or 75-90 %
 * with Detect Mult 1), D = the receiver's Detection Time (§6.8.4: remote
 * Detect Mult x max(local Required Min RX, remote Desired Min TX)).
 * BFD_SIM_VERBOSE=1 prints every state change. */
#include <stdio.h>
#include <string.h>

#include "bfd_harness.h"

#define MS  BFD_MILLISECONDS
#define SEC BFD_SECONDS
#define A   0
#define B   1

static double secs(uint64_t ns) { return ns == BFD_TSTAMP_NONE ? -1.0 : (double)ns / 1e9; }

/* Square root without libm (Newton; x >= 0). */
static double sqrt_approx(double x) {
  double r = x > 1 ? x : 1;
  int i;
  for (i = 0; i < 60; i++)
    r = 0.5 * (r + x / r);
  return r;
}

/* Every transition out of Up in the trace, checked against §6.8.4/§6.8.6:
 * diag 1 only exactly one Detection Time after the last accepted packet.
 * Returns the number of such transitions of `peer`. */
static uint64_t check_downs(const bfd_sim *sim, int peer, uint64_t *ndetect) {
  size_t i;
  uint64_t n = 0, det = 0;
  for (i = 0; i < sim->ntrace; i++) {
    const bfd_sim_event *e = &sim->trace[i];
    if (e->peer != peer || e->kind != BFD_SIM_EV_STATE)
      continue;
    if (e->local_diag == BFD_DIAG_DETECT_EXPIRED && e->new_state == BFD_STATE_DOWN) {
      det++;
      CU_ASSERT_EQUAL(e->since_rx_ns, e->armed_detect_ns);
      CU_ASSERT(e->armed_detect_ns > 0);
    }
    if (e->old_state == BFD_STATE_UP) {
      n++;
      CU_ASSERT(e->local_diag == BFD_DIAG_DETECT_EXPIRED ||
                e->local_diag == BFD_DIAG_NEIGHBOR_DOWN);
    }
  }
  if (ndetect)
    *ndetect = det;
  return n;
}

/* What §6.8.7 and §6.8.4 give each side while both are Up with settings
 * st[0], st[1]: tx_interval_ns = max(own Desired Min TX, remote Required Min
 * RX), detect_time_ns = remote Detect Mult x max(own Required Min RX, remote
 * Desired Min TX). */
typedef struct negotiated {
  uint64_t iv[2], det[2];
} negotiated;

static negotiated negotiate(const bfd_session_settings *st) {
  negotiated n;
  int y;
  for (y = 0; y < 2; y++) {
    const bfd_session_settings *me = &st[y], *peer = &st[1 - y];
    n.iv[y] =
        bfd_us_to_ns(me->desired_min_tx_us > peer->required_min_rx_us ? me->desired_min_tx_us
                                                                      : peer->required_min_rx_us);
    n.det[y] = peer->detect_mult * bfd_us_to_ns(me->required_min_rx_us > peer->desired_min_tx_us
                                                    ? me->required_min_rx_us
                                                    : peer->desired_min_tx_us);
  }
  return n;
}

/* Watches for the first instant t[x] at which side x runs at its configured
 * rate as its peer y sees it: x Up with tx_interval_ns = iv[x], and y has
 * received x's configured Desired Min TX (no longer the 1 s slow-start
 * floor, §6.8.3) with detect_time_ns = det[y]. */
typedef struct rate_watch {
  bfd_session_settings st[2];
  negotiated n;
  uint64_t t[2];
} rate_watch;

static void rate_watch_init(rate_watch *w, const bfd_session_settings *a,
                            const bfd_session_settings *b) {
  w->st[0] = *a;
  w->st[1] = *b;
  w->n = negotiate(w->st);
  w->t[0] = w->t[1] = BFD_TSTAMP_NONE;
}

static int rate_reached(bfd_sim *sim, void *ctx) {
  rate_watch *w = ctx;
  int x;
  for (x = 0; x < 2; x++) {
    bfd_session_status sx = bfd_sim_status(sim, x), sy = bfd_sim_status(sim, 1 - x);
    if (w->t[x] == BFD_TSTAMP_NONE && sx.state == BFD_STATE_UP && sx.tx_interval_ns == w->n.iv[x] &&
        sy.remote_desired_min_tx_us == w->st[x].desired_min_tx_us &&
        sy.detect_time_ns == w->n.det[1 - x])
      w->t[x] = sim->now;
  }
  return w->t[0] != BFD_TSTAMP_NONE && w->t[1] != BFD_TSTAMP_NONE;
}

/* Both Up, no Poll running, and every timer value exactly what the
 * settings negotiate (§6.8.4, §6.8.7), including what each side last
 * received from the other. */
static void assert_negotiated(const bfd_sim *sim, const bfd_session_settings *st) {
  negotiated n = negotiate(st);
  int y;
  for (y = 0; y < 2; y++) {
    bfd_session_status ss = bfd_sim_status(sim, y);
    const bfd_session_settings *peer = &st[1 - y];
    CU_ASSERT_EQUAL(ss.state, BFD_STATE_UP);
    CU_ASSERT_EQUAL(ss.poll_active, 0);
    CU_ASSERT_EQUAL(ss.tx_interval_ns, n.iv[y]);
    CU_ASSERT_EQUAL(ss.detect_time_ns, n.det[y]);
    CU_ASSERT_EQUAL(ss.remote_desired_min_tx_us, peer->desired_min_tx_us);
    CU_ASSERT_EQUAL(ss.remote_required_min_rx_us, peer->required_min_rx_us);
    CU_ASSERT_EQUAL(ss.remote_detect_mult, peer->detect_mult);
  }
}

/* ------------------------------------------------------------------------ */
/* 1. Convergence                                                           */
/* ------------------------------------------------------------------------ */

/* Both peers 100 ms x 3, constant delay d, B created `offset` after A.
 * Derivation (no loss, FIFO link): the later peer L sends Down at creation
 * (first packet at `now`), E receives it at o+d and goes Init (packet sent at
 * once, §6.8.7), L receives Init at o+2d and goes Up, E receives Up at o+3d.
 * With o = 0 both send Down at 0 and both go Init at d and Up at 2d. Then the
 * slow-start change (1 s -> 100 ms, §6.8.3) is a Poll each way: P at Up, the
 * Final comes back 2d later. */
static void converge_exact(uint64_t offset, uint64_t d) {
  bfd_sim sim;
  bfd_session_settings st = bfd_sim_settings(100000, 3);
  bfd_session_status sa, sb;
  const bfd_sim_event *pa, *pb;
  uint64_t up_a, up_b;

  bfd_sim_init(&sim, 1);
  bfd_sim_set_link(&sim, d, 0, 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, A, &st), 0);
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, offset), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, B, &st), 0);
  CU_ASSERT_FATAL(bfd_sim_run_until_up(&sim, offset + 10 * SEC));
  up_a = sim.peer[A].first_up;
  up_b = sim.peer[B].first_up;
  if (offset == 0) {
    CU_ASSERT_EQUAL(up_a, 2 * d);
    CU_ASSERT_EQUAL(up_b, 2 * d);
  } else {
    CU_ASSERT_EQUAL(up_a, offset + 3 * d);
    CU_ASSERT_EQUAL(up_b, offset + 2 * d);
  }
  /* The looser bound of a slow-start exchange: <= 2 s + 2d after both exist. */
  CU_ASSERT(up_a <= offset + 2 * SEC + 2 * d);
  CU_ASSERT(up_b <= offset + 2 * SEC + 2 * d);

  CU_ASSERT_EQUAL(bfd_sim_run(&sim, offset + 5 * SEC), 0);
  pa = bfd_sim_find(&sim, 0, A, BFD_SIM_EV_POLL_END, BFD_STATE_UP);
  pb = bfd_sim_find(&sim, 0, B, BFD_SIM_EV_POLL_END, BFD_STATE_UP);
  CU_ASSERT_PTR_NOT_NULL_FATAL(pa);
  CU_ASSERT_PTR_NOT_NULL_FATAL(pb);
  /* Each Final answers the P sent on coming Up, one round trip later. */
  CU_ASSERT_EQUAL(pa->t, up_a + 2 * d);
  CU_ASSERT_EQUAL(pb->t, up_b + 2 * d);
  CU_ASSERT_EQUAL(pa->tx_interval_ns, 100 * MS);
  CU_ASSERT_EQUAL(pb->tx_interval_ns, 100 * MS);
  CU_ASSERT_EQUAL(pa->detect_time_ns, 300 * MS);
  CU_ASSERT_EQUAL(pb->detect_time_ns, 300 * MS);
  sa = bfd_sim_status(&sim, A);
  sb = bfd_sim_status(&sim, B);
  CU_ASSERT_EQUAL(sa.state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(sb.state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(sa.remote_discr, sb.local_discr);
  CU_ASSERT_EQUAL(sb.remote_discr, sa.local_discr);
  CU_ASSERT_EQUAL(sa.tx_interval_ns, 100 * MS);
  CU_ASSERT_EQUAL(sb.tx_interval_ns, 100 * MS);
  CU_ASSERT_EQUAL(sa.detect_time_ns, 300 * MS);
  CU_ASSERT_EQUAL(sb.detect_time_ns, 300 * MS);
  CU_ASSERT_EQUAL(sa.poll_active, 0);
  CU_ASSERT_EQUAL(sb.poll_active, 0);
  /* One Poll each (the slow-start change), no extra one (FRR #22890). */
  CU_ASSERT_EQUAL(sa.polls_sent, 1);
  CU_ASSERT_EQUAL(sb.polls_sent, 1);
  CU_ASSERT_EQUAL(sim.peer[A].flaps + sim.peer[B].flaps, 0);
  printf("\n  sim converge offset %.3f s d %.3f ms: Up A %.6f s B %.6f s, Final A %.6f B %.6f, "
         "flaps 0\n",
         secs(offset), (double)d / 1e6, secs(up_a), secs(up_b), secs(pa->t), secs(pb->t));
  bfd_sim_fini(&sim);
}

static void test_converge_simultaneous(void) { converge_exact(0, 5 * MS); }

static void test_converge_offset(void) {
  converge_exact(350 * MS, 5 * MS);
  converge_exact(2345 * MS, 17 * MS);
}

/* Random offsets and delay jitter (1..20 ms), no loss: the same derivation
 * with d <= dmax bounds both Up instants by o + 3 dmax (FIFO link: a stale
 * Down from the earlier peer always arrives before its Init). */
static void test_converge_jitter(void) {
  const uint64_t dmin = 1 * MS, dmax = 20 * MS;
  uint64_t seed, worst = 0;
  for (seed = 1; seed <= 200; seed++) {
    bfd_sim sim;
    bfd_session_settings st = bfd_sim_settings(100000, 3);
    uint64_t o, upl;
    bfd_sim_init(&sim, seed);
    bfd_sim_set_link(&sim, dmin, dmax - dmin, 0);
    o = bfd_sim_rand(&sim) % (3 * SEC);
    CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, A, &st), 0);
    CU_ASSERT_EQUAL(bfd_sim_run(&sim, o), 0);
    CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, B, &st), 0);
    CU_ASSERT_FATAL(bfd_sim_run_until_up(&sim, o + 10 * SEC));
    upl = sim.peer[A].first_up > sim.peer[B].first_up ? sim.peer[A].first_up : sim.peer[B].first_up;
    CU_ASSERT(upl <= o + 3 * dmax);
    if (upl - o > worst)
      worst = upl - o;
    CU_ASSERT_EQUAL(bfd_sim_run(&sim, o + 5 * SEC), 0);
    CU_ASSERT_EQUAL(bfd_sim_status(&sim, A).tx_interval_ns, 100 * MS);
    CU_ASSERT_EQUAL(bfd_sim_status(&sim, B).tx_interval_ns, 100 * MS);
    CU_ASSERT_EQUAL(bfd_sim_status(&sim, A).poll_active, 0);
    CU_ASSERT_EQUAL(sim.peer[A].flaps + sim.peer[B].flaps, 0);
    bfd_sim_fini(&sim);
  }
  printf("\n  sim converge jitter: 200 runs, worst Up %.3f ms after the later start "
         "(bound 3 dmax = %.0f ms)\n",
         (double)worst / 1e6, (double)(3 * dmax) / 1e6);
}

/* 20 % loss each way, random start offsets: no exact bound, but bring-up
 * must never stall (FRR #18416: stuck Down while the peer sends Down). Each
 * side sends at least once per second in slow start, so each of the three
 * steps of the exchange succeeds with p >= 0.8 per second; 30 s without Up
 * would have probability far below 1e-9. Also: once both are Up, both report
 * the negotiated 100 ms. */
static void test_converge_loss(void) {
  uint64_t seed, worst = 0, sum = 0;
  for (seed = 1; seed <= 100; seed++) {
    bfd_sim sim;
    bfd_session_settings st = bfd_sim_settings(100000, 3);
    uint64_t o, upl;
    bfd_sim_init(&sim, 1000 + seed);
    bfd_sim_set_link(&sim, 1 * MS, 19 * MS, 200000);
    o = bfd_sim_rand(&sim) % (3 * SEC);
    CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, A, &st), 0);
    CU_ASSERT_EQUAL(bfd_sim_run(&sim, o), 0);
    CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, B, &st), 0);
    CU_ASSERT_FATAL(bfd_sim_run_until_up(&sim, o + 30 * SEC));
    upl = sim.now - o;
    sum += upl;
    if (upl > worst)
      worst = upl;
    bfd_sim_fini(&sim);
  }
  printf("\n  sim converge 20%% loss: 100 runs, both Up after %.3f s avg, %.3f s worst\n",
         (double)sum / 100 / 1e9, (double)worst / 1e9);
}

/* ------------------------------------------------------------------------ */
/* 2. Loss runs shorter than Detect Mult never flap                         */
/* ------------------------------------------------------------------------ */

/* Drops `drop` packets, passes `pass`, repeatedly, from the moment it is
 * armed (per direction). */
typedef struct pattern {
  int armed[2];
  uint64_t start[2];
  unsigned drop, pass;
} pattern;

static int pattern_filter(bfd_sim *sim, int dir, uint64_t seq, const uint8_t *pkt, size_t len,
                          void *ctx) {
  pattern *p = ctx;
  (void)sim;
  (void)pkt;
  (void)len;
  if (!p->armed[dir])
    return 0;
  return (seq - p->start[dir]) % (p->drop + p->pass) < p->drop;
}

static void pattern_arm(bfd_sim *sim, pattern *p) {
  int d;
  for (d = 0; d < 2; d++) {
    p->armed[d] = 1;
    p->start[d] = sim->stat[d].offered;
    sim->link[d].filter = pattern_filter;
    sim->link[d].filter_ctx = p;
  }
}

/* Both directions lose `drop` packets out of every drop+1 for 10 minutes.
 * With constant delay, the receiver's gap between accepted packets is
 * (drop+1) sender intervals, each <= I (jitter only shortens, §6.8.7), and
 * D = mult x I here: drop = mult-1 gives gap <= D (equal only if all jitter
 * draws are exactly 0), so no flap; drop = mult gives gap >= (mult+1) x 0.75 I
 * > D for mult >= 3, so every cycle is a detection (the control). */
static void loss_pattern(uint32_t iv_us, uint8_t mult, unsigned drop, uint64_t *flaps,
                         uint64_t *detects) {
  bfd_sim sim;
  bfd_session_settings st = bfd_sim_settings(iv_us, mult);
  pattern pat;
  uint64_t t0, fa, fb, da, db;
  memset(&pat, 0, sizeof(pat));
  pat.drop = drop;
  pat.pass = 1;
  bfd_sim_init(&sim, 7 + drop);
  bfd_sim_set_link(&sim, 5 * MS, 0, 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, A, &st), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, B, &st), 0);
  CU_ASSERT_FATAL(bfd_sim_run_until_up(&sim, 10 * SEC));
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, sim.now + 1 * SEC), 0); /* the Polls end */
  CU_ASSERT_EQUAL(bfd_sim_status(&sim, A).detect_time_ns, (uint64_t)mult * iv_us * 1000u);
  t0 = sim.now;
  pattern_arm(&sim, &pat);
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, t0 + 600 * SEC), 0);
  fa = check_downs(&sim, A, &da);
  fb = check_downs(&sim, B, &db);
  CU_ASSERT_EQUAL(fa, sim.peer[A].flaps);
  CU_ASSERT_EQUAL(fb, sim.peer[B].flaps);
  /* The pattern did what it says: runs of exactly `drop`, no longer. */
  if (drop > 0)
    CU_ASSERT(bfd_sim_runs_ge(&sim, BFD_SIM_AB, drop) > 0);
  if (fa + fb == 0) {
    CU_ASSERT_EQUAL(bfd_sim_runs_ge(&sim, BFD_SIM_AB, drop + 1), 0);
    CU_ASSERT_EQUAL(bfd_sim_runs_ge(&sim, BFD_SIM_BA, drop + 1), 0);
  }
  printf("\n  sim loss pattern %u ms x %u drop %u of %u: %llu/%llu A->B lost, flaps A %llu B %llu, "
         "detections A %llu B %llu\n",
         iv_us / 1000, mult, drop, drop + 1, (unsigned long long)sim.stat[0].filtered,
         (unsigned long long)sim.stat[0].offered, (unsigned long long)fa, (unsigned long long)fb,
         (unsigned long long)da, (unsigned long long)db);
  *flaps = fa + fb;
  *detects = da + db;
  bfd_sim_fini(&sim);
}

static void test_loss_runs_pattern(void) {
  uint64_t flaps, det;
  loss_pattern(100000, 3, 2, &flaps, &det);
  CU_ASSERT_EQUAL(flaps, 0);
  CU_ASSERT_EQUAL(det, 0);
  loss_pattern(300000, 5, 4, &flaps, &det);
  CU_ASSERT_EQUAL(flaps, 0);
  CU_ASSERT_EQUAL(det, 0);
  loss_pattern(50000, 1, 0, &flaps, &det); /* mult 1, nothing dropped */
  CU_ASSERT_EQUAL(flaps, 0);
  /* Control: a run of exactly Detect Mult packets must be detected, so the
   * zero above is not an artefact of the simulator. */
  loss_pattern(100000, 3, 3, &flaps, &det);
  CU_ASSERT(flaps > 0);
  CU_ASSERT(det > 0);
}

/* Walks the trace and counts "session flaps": moments when both peers were
 * Up and one left Up. While both are Up nobody sends Down, so the first to
 * leave must do so by detection (diag 1). */
static uint64_t pair_flaps(const bfd_sim *sim) {
  uint8_t st[2] = {BFD_STATE_DOWN, BFD_STATE_DOWN};
  uint64_t n = 0;
  size_t i;
  for (i = 0; i < sim->ntrace; i++) {
    const bfd_sim_event *e = &sim->trace[i];
    if (e->kind != BFD_SIM_EV_STATE)
      continue;
    if (st[0] == BFD_STATE_UP && st[1] == BFD_STATE_UP && e->new_state != BFD_STATE_UP) {
      n++;
      CU_ASSERT_EQUAL(e->local_diag, BFD_DIAG_DETECT_EXPIRED);
    }
    st[e->peer] = e->new_state;
  }
  return n;
}

/* 5 % random loss for one hour at 300 ms x 3, constant delay 5 ms. While both
 * are Up the sender's gaps are 225..300 ms and D = 900 ms, so a detection
 * needs >= 3 consecutive losses (4 intervals > 900 ms always, 3 <= 900 ms).
 * Flaps <= runs of >= 3 losses in either direction; expected runs
 * lambda ~= N p^3 (1-p) with N packets sent; assert flaps <= lambda +
 * 6 sqrt(lambda) + 6 (a Poisson tail below 1e-6). */
static void test_loss_random(void) {
  bfd_sim sim;
  bfd_session_settings st = bfd_sim_settings(300000, 3);
  const double p = 0.05;
  uint64_t flaps, runs, da, db, t0;
  double lambda, bound;
  bfd_sim_init(&sim, 20260101);
  bfd_sim_set_link(&sim, 5 * MS, 0, 50000);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, A, &st), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, B, &st), 0);
  CU_ASSERT_FATAL(bfd_sim_run_until_up(&sim, 60 * SEC));
  t0 = sim.now;
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, t0 + 3600 * SEC), 0);
  flaps = pair_flaps(&sim);
  (void)check_downs(&sim, A, &da);
  (void)check_downs(&sim, B, &db);
  runs = bfd_sim_runs_ge(&sim, BFD_SIM_AB, 3) + bfd_sim_runs_ge(&sim, BFD_SIM_BA, 3);
  lambda = (double)(sim.stat[0].offered + sim.stat[1].offered) * p * p * p * (1 - p);
  bound = lambda + 6 * sqrt_approx(lambda) + 6;
  CU_ASSERT(flaps <= runs);
  CU_ASSERT((double)flaps <= bound);
  /* Both Up at the end unless a flap is in progress. */
  CU_ASSERT(sim.peer[A].flaps >= flaps);
  printf("\n  sim loss 5%% 1 h 300 ms x 3: %llu+%llu packets, runs>=3 %llu (expected %.2f), "
         "session flaps %llu (bound %.1f), detections A %llu B %llu, flaps A %llu B %llu\n",
         (unsigned long long)sim.stat[0].offered, (unsigned long long)sim.stat[1].offered,
         (unsigned long long)runs, lambda, (unsigned long long)flaps, bound, (unsigned long long)da,
         (unsigned long long)db, (unsigned long long)sim.peer[A].flaps,
         (unsigned long long)sim.peer[B].flaps);
  bfd_sim_fini(&sim);
}

/* ------------------------------------------------------------------------ */
/* 3. Partition                                                             */
/* ------------------------------------------------------------------------ */

/* Cut at c. Receiver Y's last packet from X left at t_s in [c - I_X, c)
 * (X's gaps never exceed I_X) and arrived at t_s + d, d in [dmin, dmax], so Y
 * detects (diag 1) at exactly last_rx + D_Y, which lies in
 * [c - I_X + dmin + D_Y, c + dmax + D_Y). After healing at h, the first
 * packet of either side leaves by h + 1 s (slow-start rate, §6.8.3) and the
 * three-way exchange takes 3 dmax: both Up by h + 1 s + 3 dmax, and back at
 * the intervals of before the cut soon after (below). */
static void partition(const bfd_session_settings *sa, const bfd_session_settings *sb, uint64_t dmin,
                      uint64_t dmax, uint64_t seed, int print) {
  bfd_sim sim;
  bfd_session_status s[2];
  rate_watch w;
  uint64_t c, h, iv[2], det[2], worst = 0;
  size_t mark;
  int y;
  bfd_sim_init(&sim, seed);
  bfd_sim_set_link(&sim, dmin, dmax - dmin, 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, A, sa), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, B, sb), 0);
  CU_ASSERT_FATAL(bfd_sim_run_until_up(&sim, 10 * SEC));
  c = sim.now + 10 * SEC + bfd_sim_rand(&sim) % SEC;
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, c), 0);
  s[A] = bfd_sim_status(&sim, A);
  s[B] = bfd_sim_status(&sim, B);
  for (y = 0; y < 2; y++) {
    iv[y] = s[y].tx_interval_ns;
    det[y] = s[y].detect_time_ns;
    CU_ASSERT_EQUAL(s[y].state, BFD_STATE_UP);
  }
  mark = sim.ntrace;
  bfd_sim_partition(&sim, 1);
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, c + 20 * SEC), 0);
  for (y = 0; y < 2; y++) {
    const bfd_sim_event *e = bfd_sim_find(&sim, mark, y, BFD_SIM_EV_STATE, 0xff);
    uint64_t ix = iv[1 - y];
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->new_state, BFD_STATE_DOWN);
    CU_ASSERT_EQUAL(e->local_diag, BFD_DIAG_DETECT_EXPIRED);
    CU_ASSERT_EQUAL(e->since_rx_ns, det[y]);
    CU_ASSERT(e->t >= c - ix + dmin + det[y]);
    CU_ASSERT(e->t < c + dmax + det[y]);
    /* §6.8.1: the remote is forgotten on expiry. */
    CU_ASSERT_EQUAL(bfd_sim_status(&sim, y).remote_discr, 0);
    if (print)
      printf("\n  sim partition %c: I_remote %.0f ms D %.0f ms, detected %.3f ms after the cut "
             "(window [%.3f, %.3f))",
             'A' + y, (double)ix / 1e6, (double)det[y] / 1e6, (double)(e->t - c) / 1e6,
             (double)(det[y] + dmin - ix) / 1e6, (double)(det[y] + dmax) / 1e6);
  }
  CU_ASSERT_EQUAL(bfd_sim_state(&sim, A), BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(bfd_sim_state(&sim, B), BFD_STATE_DOWN);
  h = sim.now;
  bfd_sim_partition(&sim, 0);
  CU_ASSERT_FATAL(bfd_sim_run_until_up(&sim, h + 10 * SEC));
  CU_ASSERT(sim.peer[A].last_up <= h + 1 * SEC + 3 * dmax);
  CU_ASSERT(sim.peer[B].last_up <= h + 1 * SEC + 3 * dmax);
  /* And at the rate they ran at before the cut: coming Up lifts the 1 s
   * floor at once (§6.8.3, a smaller Desired Min TX is "effected
   * immediately"), so X's next packet, due within I_X, tells Y: within one
   * round trip plus one interval of X coming Up. */
  rate_watch_init(&w, sa, sb);
  CU_ASSERT(bfd_sim_run_until(&sim, h + 20 * SEC, rate_reached, &w));
  for (y = 0; y < 2; y++) {
    CU_ASSERT(w.t[y] <= sim.peer[y].last_up + iv[y] + 2 * dmax);
    if (w.t[y] - sim.peer[y].last_up > worst)
      worst = w.t[y] - sim.peer[y].last_up;
  }
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, sim.now + 10 * SEC), 0);
  assert_negotiated(&sim, w.st);
  for (y = 0; y < 2; y++) {
    s[y] = bfd_sim_status(&sim, y);
    CU_ASSERT_EQUAL(s[y].tx_interval_ns, iv[y]);
    CU_ASSERT_EQUAL(s[y].detect_time_ns, det[y]);
  }
  if (print)
    printf("\n  sim partition healed: both Up %.3f ms later (bound %.0f ms), at the old rate "
           "%.3f ms after Up at worst\n",
           (double)((sim.peer[A].last_up > sim.peer[B].last_up ? sim.peer[A].last_up
                                                               : sim.peer[B].last_up) -
                    h) /
               1e6,
           (double)(1 * SEC + 3 * dmax) / 1e6, (double)worst / 1e6);
  CU_ASSERT_EQUAL(sim.peer[A].flaps, 1);
  CU_ASSERT_EQUAL(sim.peer[B].flaps, 1);
  bfd_sim_fini(&sim);
}

static void test_partition(void) {
  bfd_session_settings s100 = bfd_sim_settings(100000, 3);
  bfd_session_settings s50 = bfd_sim_settings(50000, 3);
  bfd_session_settings s300 = bfd_sim_settings(300000, 5);
  uint64_t seed;
  partition(&s100, &s100, 5 * MS, 5 * MS, 1, 1);
  partition(&s50, &s300, 1 * MS, 20 * MS, 2, 1);
  partition(&s300, &s50, 1 * MS, 20 * MS, 3, 1);
  for (seed = 10; seed < 110; seed++)
    partition(&s100, &s100, 1 * MS, 20 * MS, seed, 0);
  printf("  sim partition: 100 more seeded cuts at 100 ms x 3, delay 1-20 ms, all in window\n");
}

/* Packets leave at least 0.75 I apart, so a cut shorter than 2 x 0.75 I =
 * 150 ms at 100 ms x 3 drops at most 2 = mult - 1 in a row: gap <= 3 I = D,
 * never a flap. (A cut of 150 ms or more can drop 3 and may flap.) */
static void test_partition_short(void) {
  bfd_sim sim;
  bfd_session_settings st = bfd_sim_settings(100000, 3);
  uint64_t t;
  int i;
  bfd_sim_init(&sim, 5);
  bfd_sim_set_link(&sim, 5 * MS, 0, 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, A, &st), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, B, &st), 0);
  CU_ASSERT_FATAL(bfd_sim_run_until_up(&sim, 10 * SEC));
  t = sim.now;
  for (i = 0; i < 100; i++) {
    t += SEC + bfd_sim_rand(&sim) % SEC;
    CU_ASSERT_EQUAL(bfd_sim_run(&sim, t), 0);
    bfd_sim_partition(&sim, 1);
    t += 149 * MS;
    CU_ASSERT_EQUAL(bfd_sim_run(&sim, t), 0);
    bfd_sim_partition(&sim, 0);
  }
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, t + SEC), 0);
  CU_ASSERT_EQUAL(sim.peer[A].flaps + sim.peer[B].flaps, 0);
  printf("\n  sim partition 149 ms x 100 at 100 ms x 3: flaps %llu\n",
         (unsigned long long)(sim.peer[A].flaps + sim.peer[B].flaps));
  bfd_sim_fini(&sim);
}

/* ------------------------------------------------------------------------ */
/* 4. Live interval changes never flap                                      */
/* ------------------------------------------------------------------------ */

/* Runs until peer `idx` ends a Poll Sequence started at or after trace index
 * `mark`, at most `limit` ns; returns the POLL_END event or NULL. */
static const bfd_sim_event *run_until_poll_end(bfd_sim *sim, size_t mark, int idx, uint64_t limit) {
  uint64_t end = sim->now + limit;
  const bfd_sim_event *e = NULL;
  while (!sim->error && sim->now < end &&
         !(e = bfd_sim_find(sim, mark, idx, BFD_SIM_EV_POLL_END, 0xff)))
    (void)bfd_sim_run(sim, sim->now + 10 * MS);
  return e ? e : bfd_sim_find(sim, mark, idx, BFD_SIM_EV_POLL_END, 0xff);
}

typedef struct live_step {
  const char *what;
  uint32_t a_tx_us, a_rx_us;
  uint64_t a_iv, a_det, b_iv, b_det; /* expected after the Final, ns */
} live_step;

/* A changes its timers while Up, 10 % loss each way, Detect Mult 7 both.
 * §6.8.3: a larger TX interval / smaller RX interval waits for the Final, so
 * before it A keeps sending at the old rate and keeps the old detection time
 * (checked by sampling after every event); after it the status reports the
 * new negotiated values. With mult 7 a correct session flaps from loss alone
 * with probability p^7 = 1e-7 per packet, while each wrong order (TX 1 s
 * applied early against B's 700 ms detection, or A's 70 ms detection applied
 * while B still sends every 100 ms) would flap at once. */
static void test_live_change(void) {
  static const live_step steps[] = {
      /* B: tx 10 ms, rx 100 ms, mult 7 throughout. */
      {"A tx 100ms->1s", 1000000, 100000, 1000 * MS, 700 * MS, 100 * MS, 7000 * MS},
      {"A tx 1s->100ms", 100000, 100000, 100 * MS, 700 * MS, 100 * MS, 700 * MS},
      {"A rx 100ms->10ms", 100000, 10000, 100 * MS, 70 * MS, 10 * MS, 700 * MS},
      {"A rx 10ms->100ms", 100000, 100000, 100 * MS, 700 * MS, 100 * MS, 700 * MS},
      {"A tx+rx ->300ms", 300000, 300000, 300 * MS, 2100 * MS, 300 * MS, 2100 * MS},
      {"A tx+rx ->100ms", 100000, 100000, 100 * MS, 700 * MS, 100 * MS, 700 * MS},
  };
  bfd_sim sim;
  bfd_session_settings sa = bfd_sim_settings(100000, 7);
  bfd_session_settings sb = bfd_sim_settings(100000, 7);
  uint64_t total_final = 0, nfinal = 0, worst_final = 0;
  unsigned round, i;
  sb.desired_min_tx_us = 10000;
  bfd_sim_init(&sim, 4242);
  bfd_sim_set_link(&sim, 5 * MS, 0, 100000);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, A, &sa), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, B, &sb), 0);
  CU_ASSERT_FATAL(bfd_sim_run_until_up(&sim, 60 * SEC));
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, sim.now + 10 * SEC), 0);
  CU_ASSERT_EQUAL(bfd_sim_status(&sim, A).detect_time_ns, 700 * MS);
  CU_ASSERT_EQUAL(bfd_sim_status(&sim, B).tx_interval_ns, 100 * MS);
  CU_ASSERT_EQUAL_FATAL(sim.peer[A].flaps + sim.peer[B].flaps, 0);

  for (round = 0; round < 5; round++) {
    for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
      const live_step *ls = &steps[i];
      bfd_session_status before = bfd_sim_status(&sim, A), sta, stb;
      const bfd_sim_event *fin;
      size_t mark = sim.ntrace;
      uint64_t t0;
      /* Changes land at arbitrary instants, not on a packet boundary. */
      CU_ASSERT_EQUAL(bfd_sim_run(&sim, sim.now + bfd_sim_rand(&sim) % SEC), 0);
      t0 = sim.now;
      sim.peer[A].max_poll_tx_ns = 0;
      sim.peer[A].min_poll_detect_ns = BFD_TSTAMP_NONE;
      sa.desired_min_tx_us = ls->a_tx_us;
      sa.required_min_rx_us = ls->a_rx_us;
      CU_ASSERT_EQUAL_FATAL(bfd_sim_update(&sim, A, &sa), 0);
      CU_ASSERT_EQUAL(bfd_sim_status(&sim, A).poll_active, 1);
      fin = run_until_poll_end(&sim, mark, A, 60 * SEC);
      CU_ASSERT_PTR_NOT_NULL_FATAL(fin);
      /* The Final's snapshot: new values reported exactly then. */
      CU_ASSERT_EQUAL(fin->tx_interval_ns, ls->a_iv);
      CU_ASSERT_EQUAL(fin->detect_time_ns, ls->a_det);
      /* Before the Final: never a longer TX interval, never a shorter
       * detection time than both old and new allow. */
      if (sim.peer[A].max_poll_tx_ns != 0)
        CU_ASSERT(sim.peer[A].max_poll_tx_ns <=
                  (before.tx_interval_ns < ls->a_iv ? before.tx_interval_ns : ls->a_iv));
      if (sim.peer[A].min_poll_detect_ns != BFD_TSTAMP_NONE)
        CU_ASSERT(sim.peer[A].min_poll_detect_ns >=
                  (before.detect_time_ns > ls->a_det ? before.detect_time_ns : ls->a_det));
      total_final += fin->t - t0;
      nfinal++;
      if (fin->t - t0 > worst_final)
        worst_final = fin->t - t0;
      CU_ASSERT_EQUAL(bfd_sim_run(&sim, sim.now + 20 * SEC), 0);
      sta = bfd_sim_status(&sim, A);
      stb = bfd_sim_status(&sim, B);
      CU_ASSERT_EQUAL(sta.state, BFD_STATE_UP);
      CU_ASSERT_EQUAL(sta.tx_interval_ns, ls->a_iv);
      CU_ASSERT_EQUAL(sta.detect_time_ns, ls->a_det);
      CU_ASSERT_EQUAL(stb.tx_interval_ns, ls->b_iv);
      CU_ASSERT_EQUAL(stb.detect_time_ns, ls->b_det);
      if (round == 0)
        printf("\n  sim live %-18s Final after %8.3f ms: A iv %4.0f ms det %5.0f ms, "
               "B iv %4.0f ms det %5.0f ms",
               ls->what, (double)(fin->t - t0) / 1e6, (double)sta.tx_interval_ns / 1e6,
               (double)sta.detect_time_ns / 1e6, (double)stb.tx_interval_ns / 1e6,
               (double)stb.detect_time_ns / 1e6);
    }
  }
  CU_ASSERT_EQUAL(sim.peer[A].flaps, 0);
  CU_ASSERT_EQUAL(sim.peer[B].flaps, 0);
  printf("\n  sim live change 10%% loss: %llu changes, flaps A %llu B %llu, Final after "
         "%.1f ms avg %.1f ms worst, %llu+%llu packets lost\n",
         (unsigned long long)nfinal, (unsigned long long)sim.peer[A].flaps,
         (unsigned long long)sim.peer[B].flaps, (double)total_final / (double)nfinal / 1e6,
         (double)worst_final / 1e6, (unsigned long long)sim.stat[0].lost,
         (unsigned long long)sim.stat[1].lost);
  bfd_sim_fini(&sim);
}

/* Both peers change Desired Min TX / Required Min RX at random instants,
 * often while a Poll Sequence is still running, and half the time at the
 * instant the Final of a change just made arrives (from the receive hook),
 * with 10 % loss and Detect Mult 7.
 * The one-way delays (25 ms A->B, 12 ms B->A, constant) exceed the 10 ms
 * interval, so a Poll at 10 ms sends ~4 P's per round trip and late Finals
 * are always in flight when a change follows a Final. Every ordering §6.8.3
 * allows is flap-free (a larger TX or smaller RX waits for a Final that
 * cannot be an older Poll's, everything else only lengthens the peer's
 * detection time first), so: zero flaps; every Poll is ended by the Final to
 * a P that carried what waited for it (the simulator's Final audit: with
 * Detect Mult 7 a stale Final rarely flaps, so it is checked directly); and
 * once the changes stop, no Poll left running and both report exactly the
 * §6.8.7 / §6.8.4 values of the last configuration. */
typedef struct storm_ctx {
  int armed[2]; /* change side y at the next Final y accepts */
  bfd_session_settings st[2];
  unsigned after_final;
} storm_ctx;

static void storm_on_rx(bfd_sim *sim, int peer, const bfd_ctrl_pkt *pkt, int rv, void *vctx) {
  storm_ctx *c = vctx;
  if (rv != 0 || !pkt || !(pkt->flags & BFD_FLAG_F) || !c->armed[peer])
    return;
  c->armed[peer] = 0;
  c->after_final++;
  (void)bfd_sim_update(sim, peer, &c->st[peer]);
}

static int storm_fired(bfd_sim *sim, void *vctx) {
  storm_ctx *c = vctx;
  (void)sim;
  return !c->armed[0] && !c->armed[1];
}

static void test_live_change_storm(void) {
  static const uint32_t vals[] = {10000, 50000, 100000, 300000, 1000000};
  const size_t nv = sizeof(vals) / sizeof(vals[0]);
  bfd_sim sim;
  storm_ctx c;
  uint64_t polls[2];
  unsigned i;
  int y;
  memset(&c, 0, sizeof(c));
  c.st[A] = bfd_sim_settings(100000, 7);
  c.st[B] = bfd_sim_settings(100000, 7);
  bfd_sim_init(&sim, 5880);
  bfd_sim_set_dir(&sim, BFD_SIM_AB, 25 * MS, 0, 100000);
  bfd_sim_set_dir(&sim, BFD_SIM_BA, 12 * MS, 0, 100000);
  sim.on_rx = storm_on_rx;
  sim.on_rx_ctx = &c;
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, A, &c.st[A]), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, B, &c.st[B]), 0);
  CU_ASSERT_FATAL(bfd_sim_run_until_up(&sim, 60 * SEC));
  for (i = 0; i < 400; i++) {
    int after = (int)(bfd_sim_rand(&sim) % 2);
    y = (int)(bfd_sim_rand(&sim) % 2);
    if (after) {
      /* A change that (mostly) starts a Poll now; the next one follows its
       * first Final. */
      uint32_t tx = c.st[y].desired_min_tx_us;
      while (c.st[y].desired_min_tx_us == tx)
        c.st[y].desired_min_tx_us = vals[bfd_sim_rand(&sim) % nv];
      CU_ASSERT_EQUAL_FATAL(bfd_sim_update(&sim, y, &c.st[y]), 0);
    }
    if (bfd_sim_rand(&sim) % 2)
      c.st[y].desired_min_tx_us = vals[bfd_sim_rand(&sim) % nv];
    else
      c.st[y].required_min_rx_us = vals[bfd_sim_rand(&sim) % nv];
    if (after) {
      c.armed[y] = 1;
      /* No Final if the first change only cancelled one still waiting. */
      (void)bfd_sim_run_until(&sim, sim.now + 30 * SEC, storm_fired, &c);
      if (c.armed[y]) {
        c.armed[y] = 0;
        CU_ASSERT_EQUAL_FATAL(bfd_sim_update(&sim, y, &c.st[y]), 0);
      }
    } else {
      CU_ASSERT_EQUAL_FATAL(bfd_sim_update(&sim, y, &c.st[y]), 0);
    }
    /* 0-1.5 s apart: many changes land inside a running Poll Sequence. */
    CU_ASSERT_EQUAL(bfd_sim_run(&sim, sim.now + bfd_sim_rand(&sim) % (1500 * MS)), 0);
    CU_ASSERT_EQUAL_FATAL(sim.peer[A].flaps + sim.peer[B].flaps, 0);
  }
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, sim.now + 60 * SEC), 0);
  assert_negotiated(&sim, c.st);
  for (y = 0; y < 2; y++)
    polls[y] = bfd_sim_status(&sim, y).polls_sent;
  CU_ASSERT(c.after_final >= 150);
  for (y = 0; y < 2; y++) {
    CU_ASSERT(sim.peer[y].polls_ended >= 150);
    CU_ASSERT_EQUAL(sim.peer[y].stale_finals, 0);
    CU_ASSERT_EQUAL(sim.peer[y].unmatched_finals, 0);
  }
  CU_ASSERT_EQUAL(sim.peer[A].flaps + sim.peer[B].flaps, 0);
  printf("\n  sim live change storm: 400 random changes (%u right after a Final) in %.0f s, "
         "delay 25/12 ms, 10%% loss, polls A %llu B %llu, %llu ended by a stale Final "
         "(of %llu), flaps %llu\n",
         c.after_final, secs(sim.now), (unsigned long long)polls[A], (unsigned long long)polls[B],
         (unsigned long long)(sim.peer[A].stale_finals + sim.peer[B].stale_finals),
         (unsigned long long)(sim.peer[A].polls_ended + sim.peer[B].polls_ended),
         (unsigned long long)(sim.peer[A].flaps + sim.peer[B].flaps));
  bfd_sim_fini(&sim);
}

/* A second change while a Poll Sequence runs (§6.8.3): a Final can only
 * confirm values that went out in a Poll, so the next Poll must not start
 * while Finals answering the old one may still arrive (B answers every P;
 * with a 100 ms round trip and 20 ms packets several are in flight, and B
 * interleaves its periodic packets with them, so "one packet without F" alone
 * does not prove the stale Finals are gone).
 * Both 20 ms x 5. A raises TX to 30 ms, then 5 ms later to 1 s. The link
 * drops every A->B packet advertising 1 s sent before A's first Poll ended,
 * and the first 3 after. Correct: A keeps polling at its old 30 ms rate until
 * a genuine Final, so B's silence is at most 4 x 30 ms < D = 5 x 30 ms and B
 * learns 1 s before A slows down: no flap. Taking a stale Final as the answer
 * switches A to 1 s while B still detects after 150 ms: a flap. The same
 * holds when the second change comes right after the first Final (the
 * stale Finals are then still on their way). */
typedef struct repoll_ctx {
  size_t mark;
  int after;                     /* packets advertising 1 s dropped after the first Poll ended */
  int armed;                     /* after_final mode: change 2 waits for the first Final */
  uint64_t t_p1_last, t_p2_pass; /* last P of the 30 ms Poll, first 1 s P delivered */
  bfd_session_settings st;
} repoll_ctx;

static int repoll_filter(bfd_sim *sim, int dir, uint64_t seq, const uint8_t *pkt, size_t len,
                         void *ctx) {
  repoll_ctx *c = ctx;
  bfd_ctrl_pkt p;
  int drop;
  (void)seq;
  if (dir != BFD_SIM_AB || bfd_ctrl_pkt_decode(&p, pkt, len) != 0)
    return 0;
  if (p.desired_min_tx_us == 30000 && (p.flags & BFD_FLAG_P))
    c->t_p1_last = sim->now;
  if (p.desired_min_tx_us != 1000000)
    return 0;
  drop = !bfd_sim_find(sim, c->mark, A, BFD_SIM_EV_POLL_END, 0xff) || c->after++ < 3;
  if (!drop && (p.flags & BFD_FLAG_P) && c->t_p2_pass == BFD_TSTAMP_NONE)
    c->t_p2_pass = sim->now;
  return drop;
}

/* after_final mode: the 1 s change at the instant the 30 ms Poll's first
 * Final is accepted, before A sends anything more. */
static void repoll_on_rx(bfd_sim *sim, int peer, const bfd_ctrl_pkt *pkt, int rv, void *vctx) {
  repoll_ctx *c = vctx;
  if (!c->armed || peer != A || rv != 0 || !pkt || !(pkt->flags & BFD_FLAG_F) ||
      bfd_sim_status(sim, A).poll_active)
    return;
  c->armed = 0;
  c->st.desired_min_tx_us = 1000000;
  (void)bfd_sim_update(sim, A, &c->st);
}

/* The second change either 5 ms into the 30 ms Poll, or right after its
 * first Final: with 20 ms packets and a 100 ms round trip, B answers ~5 P's
 * of that Poll, so 4 more Finals arrive in the next ~80 ms. Either way the
 * 1 s Poll starts at least a round trip after the 30 ms Poll's last P
 * (§6.8.3 choice 2), and ends exactly one round trip (2 x 50 ms) after its
 * first P that got through. */
static void repoll(int after_final) {
  const uint64_t d = 50 * MS;
  bfd_sim sim;
  bfd_session_settings st = bfd_sim_settings(20000, 5);
  repoll_ctx ctx;
  const bfd_sim_event *e1, *e2;
  bfd_session_status sa, sb;
  uint64_t t0;
  int k;
  for (k = 0; k < 20; k++) {
    bfd_sim_init(&sim, 300 + (uint64_t)k);
    bfd_sim_set_link(&sim, d, 0, 0);
    st.desired_min_tx_us = 20000;
    CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, A, &st), 0);
    CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, B, &st), 0);
    CU_ASSERT_FATAL(bfd_sim_run_until_up(&sim, 10 * SEC));
    CU_ASSERT_EQUAL(bfd_sim_run(&sim, sim.now + 2 * SEC + bfd_sim_rand(&sim) % (20 * MS)), 0);
    memset(&ctx, 0, sizeof(ctx));
    ctx.mark = sim.ntrace;
    ctx.t_p1_last = ctx.t_p2_pass = BFD_TSTAMP_NONE;
    sim.link[BFD_SIM_AB].filter = repoll_filter;
    sim.link[BFD_SIM_AB].filter_ctx = &ctx;
    st.desired_min_tx_us = 30000;
    t0 = sim.now;
    CU_ASSERT_EQUAL_FATAL(bfd_sim_update(&sim, A, &st), 0);
    if (after_final) {
      ctx.armed = 1;
      ctx.st = st;
      sim.on_rx = repoll_on_rx;
      sim.on_rx_ctx = &ctx;
    } else {
      CU_ASSERT_EQUAL(bfd_sim_run(&sim, sim.now + 5 * MS), 0);
      st.desired_min_tx_us = 1000000;
      CU_ASSERT_EQUAL_FATAL(bfd_sim_update(&sim, A, &st), 0);
    }
    CU_ASSERT_EQUAL(bfd_sim_run(&sim, sim.now + 10 * SEC), 0);
    CU_ASSERT_EQUAL(ctx.armed, 0);
    e1 = bfd_sim_find(&sim, ctx.mark, A, BFD_SIM_EV_POLL_END, 0xff);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e1);
    e2 = bfd_sim_find(&sim, (size_t)(e1 - sim.trace) + 1, A, BFD_SIM_EV_POLL_END, 0xff);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e2);
    /* First Final: 30 ms confirmed (A's TX = max(30, B's RX 20)). */
    CU_ASSERT_EQUAL(e1->tx_interval_ns, 30 * MS);
    CU_ASSERT_EQUAL(e2->tx_interval_ns, 1000 * MS);
    /* The 30 ms Poll had P's less than a round trip before its first Final
     * (late Finals existed), the 1 s Poll waited a round trip after its
     * last P and was ended by the Final to its own P. */
    CU_ASSERT(ctx.t_p1_last + 2 * d > e1->t);
    CU_ASSERT(ctx.t_p2_pass != BFD_TSTAMP_NONE);
    CU_ASSERT(ctx.t_p2_pass >= ctx.t_p1_last + 2 * d);
    CU_ASSERT_EQUAL(e2->t, ctx.t_p2_pass + 2 * d);
    CU_ASSERT(ctx.after >= 4); /* 3 dropped after the first Final, then one passed */
    sa = bfd_sim_status(&sim, A);
    sb = bfd_sim_status(&sim, B);
    CU_ASSERT_EQUAL(sa.tx_interval_ns, 1000 * MS);
    CU_ASSERT_EQUAL(sb.detect_time_ns, 5000 * MS);
    CU_ASSERT_EQUAL(sa.polls_sent, 3); /* slow start, 30 ms, 1 s */
    CU_ASSERT_EQUAL(sim.peer[A].stale_finals, 0);
    CU_ASSERT_EQUAL(sim.peer[A].flaps + sim.peer[B].flaps, 0);
    if (k == 0)
      printf("\n  sim change %s: 30 ms confirmed +%.3f ms, 1 s confirmed +%.3f ms, "
             "flaps %llu (20 runs)",
             after_final ? "right after the Final" : "during the Poll", (double)(e1->t - t0) / 1e6,
             (double)(e2->t - t0) / 1e6,
             (unsigned long long)(sim.peer[A].flaps + sim.peer[B].flaps));
    bfd_sim_fini(&sim);
  }
}

static void test_live_change_during_poll(void) {
  repoll(0);
  repoll(1);
  printf("\n");
}

/* ------------------------------------------------------------------------ */
/* 5. Asymmetric timers for hours (maghemite #798)                          */
/* ------------------------------------------------------------------------ */

/* A: x_iv x x_mult, B: y_iv x y_mult, delay 1..20 ms. §6.8.7: each sends at
 * max(own Desired Min TX, remote Required Min RX); §6.8.4: each detects after
 * remote mult x max(own Required Min RX, remote Desired Min TX). Checked
 * every simulated hour for 6 hours; zero flaps; the longest silence seen
 * while Up is at most I + (dmax - dmin). */
static void asym(uint32_t x_us, uint8_t x_mult, uint32_t y_us, uint8_t y_mult, uint64_t seed) {
  const uint64_t dmin = 1 * MS, dmax = 20 * MS;
  bfd_sim sim;
  bfd_session_settings sa = bfd_sim_settings(x_us, x_mult);
  bfd_session_settings sb = bfd_sim_settings(y_us, y_mult);
  uint64_t xn = (uint64_t)x_us * 1000u, yn = (uint64_t)y_us * 1000u;
  uint64_t iv = xn > yn ? xn : yn; /* both directions: max(tx, remote rx) */
  uint64_t det_a = (uint64_t)y_mult * iv, det_b = (uint64_t)x_mult * iv;
  unsigned hour;
  bfd_sim_init(&sim, seed);
  bfd_sim_set_link(&sim, dmin, dmax - dmin, 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, A, &sa), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, B, &sb), 0);
  CU_ASSERT_FATAL(bfd_sim_run_until_up(&sim, 10 * SEC));
  for (hour = 1; hour <= 6; hour++) {
    bfd_session_status a, b;
    CU_ASSERT_EQUAL(bfd_sim_run(&sim, hour * 3600 * SEC), 0);
    a = bfd_sim_status(&sim, A);
    b = bfd_sim_status(&sim, B);
    CU_ASSERT_EQUAL(a.state, BFD_STATE_UP);
    CU_ASSERT_EQUAL(b.state, BFD_STATE_UP);
    CU_ASSERT_EQUAL(a.tx_interval_ns, iv);
    CU_ASSERT_EQUAL(b.tx_interval_ns, iv);
    CU_ASSERT_EQUAL(a.detect_time_ns, det_a);
    CU_ASSERT_EQUAL(b.detect_time_ns, det_b);
    CU_ASSERT_EQUAL(a.remote_detect_mult, y_mult);
    CU_ASSERT_EQUAL(b.remote_detect_mult, x_mult);
  }
  CU_ASSERT_EQUAL(sim.peer[A].flaps, 0);
  CU_ASSERT_EQUAL(sim.peer[B].flaps, 0);
  CU_ASSERT(sim.peer[A].max_gap_ns <= iv + dmax - dmin);
  CU_ASSERT(sim.peer[B].max_gap_ns <= iv + dmax - dmin);
  printf("\n  sim asym A %u ms x %u / B %u ms x %u, 6 h: flaps %llu, det A %.0f ms B %.0f ms, "
         "longest silence A %.3f ms B %.3f ms, %llu steps",
         x_us / 1000, x_mult, y_us / 1000, y_mult,
         (unsigned long long)(sim.peer[A].flaps + sim.peer[B].flaps), (double)det_a / 1e6,
         (double)det_b / 1e6, (double)sim.peer[A].max_gap_ns / 1e6,
         (double)sim.peer[B].max_gap_ns / 1e6, (unsigned long long)sim.steps);
  bfd_sim_fini(&sim);
}

static void test_asymmetric(void) {
  asym(50000, 3, 300000, 5, 798);
  asym(300000, 5, 50000, 3, 799);
  asym(50000, 5, 300000, 3, 800);
  printf("\n");
}

/* ------------------------------------------------------------------------ */
/* 6. Remote AdminDown                                                      */
/* ------------------------------------------------------------------------ */

/* B enters AdminDown at t1: its AdminDown packet (diag 7, sent at once)
 * reaches A at t1 + d: A goes Down with diag 3 and remote state AdminDown,
 * and RFC 5882 §3.2: that is not a path failure, so no nexthop DOWN. B
 * leaves AdminDown at t2: Down, sent at once; A Init at t2+d, B Up at t2+2d,
 * A Up at t2+3d. */
static void test_remote_admin_down(void) {
  const uint64_t d = 5 * MS;
  bfd_sim sim;
  bfd_session_settings st = bfd_sim_settings(100000, 3);
  const bfd_sim_event *e;
  bfd_session_status sa;
  uint64_t t1, t2, nh_a;
  size_t mark, i;
  bfd_sim_init(&sim, 6);
  bfd_sim_set_link(&sim, d, 0, 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, A, &st), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, B, &st), 0);
  CU_ASSERT_FATAL(bfd_sim_run_until_up(&sim, 10 * SEC));
  t1 = sim.now + 5 * SEC + 123456789;
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, t1), 0);
  nh_a = sim.peer[A].nh_down_events;
  mark = sim.ntrace;
  CU_ASSERT_EQUAL_FATAL(bfd_session_set_admin_down(sim.peer[B].s, 1, sim.now), 0);
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, t1 + 30 * SEC), 0);

  e = bfd_sim_find(&sim, mark, A, BFD_SIM_EV_STATE, 0xff);
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  CU_ASSERT_EQUAL(e->t, t1 + d);
  CU_ASSERT_EQUAL(e->new_state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(e->local_diag, BFD_DIAG_NEIGHBOR_DOWN);
  CU_ASSERT_EQUAL(e->remote_state, BFD_STATE_ADMIN_DOWN);
  sa = bfd_sim_status(&sim, A);
  CU_ASSERT_EQUAL(sa.state, BFD_STATE_DOWN); /* stays Down: never Init on AdminDown */
  CU_ASSERT_EQUAL(sa.remote_state, BFD_STATE_ADMIN_DOWN);
  CU_ASSERT_EQUAL(sa.remote_diag, BFD_DIAG_ADMIN_DOWN);
  CU_ASSERT_EQUAL(sa.nexthop_down, 0);
  CU_ASSERT_EQUAL(sim.peer[A].nh_down_events, nh_a);
  CU_ASSERT_EQUAL(bfd_sim_state(&sim, B), BFD_STATE_ADMIN_DOWN);
  /* A's only state change in 30 s is the one above. */
  for (i = mark; i < sim.ntrace; i++)
    if (sim.trace[i].peer == A && sim.trace[i].kind == BFD_SIM_EV_STATE)
      CU_ASSERT_PTR_EQUAL(&sim.trace[i], e);
  /* B: already UP for the nexthop, so entering AdminDown delivers nothing. */
  CU_ASSERT_PTR_NULL(bfd_sim_find(&sim, mark, B, BFD_SIM_EV_NEXTHOP, 0xff));

  t2 = sim.now;
  mark = sim.ntrace;
  CU_ASSERT_EQUAL_FATAL(bfd_session_set_admin_down(sim.peer[B].s, 0, sim.now), 0);
  CU_ASSERT_FATAL(bfd_sim_run_until_up(&sim, t2 + 10 * SEC));
  CU_ASSERT_EQUAL(sim.peer[B].last_up, t2 + 2 * d);
  CU_ASSERT_EQUAL(sim.peer[A].last_up, t2 + 3 * d);
  /* B (DOWN_UNTIL_UP): DOWN(CREATED) on leaving AdminDown, UP(UP) on Up. */
  e = bfd_sim_find(&sim, mark, B, BFD_SIM_EV_NEXTHOP, 0xff);
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  CU_ASSERT_EQUAL(e->nh_action, BFD_NEXTHOP_DOWN);
  CU_ASSERT_EQUAL(e->nh_cause, BFD_NH_CAUSE_CREATED);
  CU_ASSERT_EQUAL(sim.peer[A].nh_down_events, nh_a);
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, sim.now + 10 * SEC), 0);
  CU_ASSERT_EQUAL(bfd_sim_status(&sim, A).tx_interval_ns, 100 * MS);
  CU_ASSERT_EQUAL(bfd_sim_status(&sim, B).tx_interval_ns, 100 * MS);
  CU_ASSERT_EQUAL(bfd_sim_status(&sim, B).nexthop_down, 0);
  printf("\n  sim remote AdminDown: A Down diag 3 after %.3f ms, no nexthop DOWN; back Up "
         "A +%.3f ms B +%.3f ms\n",
         (double)d / 1e6, (double)(sim.peer[A].last_up - t2) / 1e6,
         (double)(sim.peer[B].last_up - t2) / 1e6);
  bfd_sim_fini(&sim);
}

/* ------------------------------------------------------------------------ */
/* 7. Detect Mult 1                                                         */
/* ------------------------------------------------------------------------ */

/* §6.8.7: with Detect Mult 1 the interval is jittered to 75-90 %, so with
 * D = 1 x I the receiver's longest silence is 0.9 I + (dmax - dmin) < I
 * whenever the delay varies by less than 0.1 I: no flap, ever. (Jitter of
 * 0-25 % would allow I + 9 ms > D here.) */
static void test_mult1(void) {
  const uint64_t dmin = 10 * MS, dmax = 19 * MS;
  bfd_sim sim;
  bfd_session_settings st = bfd_sim_settings(100000, 1);
  bfd_sim_init(&sim, 11);
  bfd_sim_set_link(&sim, dmin, dmax - dmin, 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, A, &st), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, B, &st), 0);
  CU_ASSERT_FATAL(bfd_sim_run_until_up(&sim, 10 * SEC));
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, sim.now + 3600 * SEC), 0);
  CU_ASSERT_EQUAL(bfd_sim_status(&sim, A).detect_time_ns, 100 * MS);
  CU_ASSERT_EQUAL(bfd_sim_status(&sim, B).detect_time_ns, 100 * MS);
  CU_ASSERT_EQUAL(sim.peer[A].flaps, 0);
  CU_ASSERT_EQUAL(sim.peer[B].flaps, 0);
  CU_ASSERT(sim.peer[A].max_gap_ns <= 90 * MS + dmax - dmin);
  CU_ASSERT(sim.peer[B].max_gap_ns <= 90 * MS + dmax - dmin);
  printf("\n  sim mult 1, 100 ms, delay 10-19 ms, 1 h: flaps %llu, longest silence A %.3f ms "
         "B %.3f ms (D 100 ms), %llu+%llu packets\n",
         (unsigned long long)(sim.peer[A].flaps + sim.peer[B].flaps),
         (double)sim.peer[A].max_gap_ns / 1e6, (double)sim.peer[B].max_gap_ns / 1e6,
         (unsigned long long)sim.stat[0].offered, (unsigned long long)sim.stat[1].offered);
  bfd_sim_fini(&sim);
}

/* ------------------------------------------------------------------------ */
/* 8. Restart of the peer                                                   */
/* ------------------------------------------------------------------------ */

/* B is deleted and recreated `gap` later with a new discriminator.
 * - gap > D: A hears nothing, detects (diag 1) exactly D after the last
 *   packet and forgets B's discriminator (§6.8.1); the new B's Down then
 *   brings both Up within 3d of its creation.
 * - gap 0: the new B's first packet (Down, Your Discr 0) reaches A at +d
 *   while A is Up: §6.8.6 "Up and received Down" -> Down with diag 3, before
 *   any detection time could pass; then Up again with the new discriminator.
 * Either way both end at 100 ms / 300 ms again (assert_negotiated). */
static void restart(uint64_t gap) {
  const uint64_t d = 5 * MS;
  bfd_sim sim;
  bfd_session_settings st = bfd_sim_settings(100000, 3);
  const bfd_sim_event *e;
  rate_watch w;
  uint32_t old_discr, new_discr;
  uint64_t t0, r;
  size_t mark;
  bfd_sim_init(&sim, 8 + gap);
  bfd_sim_set_link(&sim, d, 0, 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, A, &st), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, B, &st), 0);
  CU_ASSERT_FATAL(bfd_sim_run_until_up(&sim, 10 * SEC));
  t0 = sim.now + 3 * SEC + 77777777;
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, t0), 0);
  old_discr = bfd_session_get_local_discr(sim.peer[B].s);
  CU_ASSERT_EQUAL(bfd_sim_status(&sim, A).remote_discr, old_discr);
  mark = sim.ntrace;
  bfd_sim_stop(&sim, B);
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, t0 + gap), 0);
  r = sim.now;
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, B, &st), 0);
  new_discr = bfd_session_get_local_discr(sim.peer[B].s);
  CU_ASSERT(new_discr != old_discr);
  CU_ASSERT(new_discr != 0);
  /* Back at 100 ms within a round trip plus an interval of coming Up: the
   * 1 s floor goes with Up (§6.8.3), nothing waits for a Final. */
  rate_watch_init(&w, &st, &st);
  CU_ASSERT(bfd_sim_run_until(&sim, r + 10 * SEC, rate_reached, &w));
  CU_ASSERT(w.t[A] <= sim.peer[A].last_up + 100 * MS + 2 * d);
  CU_ASSERT(w.t[B] <= sim.peer[B].last_up + 100 * MS + 2 * d);
  CU_ASSERT(sim.peer[A].last_up > r);
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, r + 10 * SEC), 0);
  {
    bfd_session_settings both[2];
    both[A] = both[B] = st;
    assert_negotiated(&sim, both);
  }

  e = bfd_sim_find(&sim, mark, A, BFD_SIM_EV_STATE, 0xff);
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  CU_ASSERT_EQUAL(e->old_state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(e->new_state, BFD_STATE_DOWN);
  if (gap > 300 * MS) {
    CU_ASSERT_EQUAL(e->local_diag, BFD_DIAG_DETECT_EXPIRED);
    CU_ASSERT_EQUAL(e->since_rx_ns, 300 * MS);
    CU_ASSERT(e->t < t0 + d + 300 * MS);
    CU_ASSERT(e->t >= t0 - 100 * MS + d + 300 * MS);
  } else {
    CU_ASSERT_EQUAL(e->local_diag, BFD_DIAG_NEIGHBOR_DOWN);
    CU_ASSERT_EQUAL(e->t, r + d);
  }
  CU_ASSERT_EQUAL(bfd_sim_state(&sim, A), BFD_STATE_UP);
  CU_ASSERT_EQUAL(bfd_sim_state(&sim, B), BFD_STATE_UP);
  CU_ASSERT(sim.peer[A].last_up <= r + 3 * d);
  CU_ASSERT(sim.peer[B].last_up <= r + 4 * d);
  CU_ASSERT_EQUAL(bfd_sim_status(&sim, A).remote_discr, new_discr);
  CU_ASSERT_EQUAL(bfd_sim_status(&sim, B).remote_discr, bfd_session_get_local_discr(sim.peer[A].s));
  CU_ASSERT_EQUAL(sim.peer[A].flaps, 1);
  printf("\n  sim restart gap %.0f ms: A Down diag %u at +%.3f ms, Up again +%.3f ms after the "
         "new B (discr %08x -> %08x), at 100 ms +%.3f / +%.3f ms after Up",
         (double)gap / 1e6, e->local_diag, (double)(e->t - t0) / 1e6,
         (double)(sim.peer[A].last_up - r) / 1e6, old_discr, new_discr,
         (double)(w.t[A] - sim.peer[A].last_up) / 1e6,
         (double)(w.t[B] - sim.peer[B].last_up) / 1e6);
  bfd_sim_fini(&sim);
}

static void test_restart(void) {
  restart(2 * SEC);
  restart(0);
  printf("\n");
}

/* ------------------------------------------------------------------------ */
/* 9. The rate after an outage, a late Final after a quick change          */
/* ------------------------------------------------------------------------ */

/* Both 300 ms x 3, delay 1..20 ms (FIFO), a partition of `len`, then the
 * heal at h. While Down each side advertises the 1 s slow-start floor and
 * polls for it into the void (§6.8.3).
 * - Both Up by h + 1 s + 3 dmax (as in `partition`).
 * - Coming Up lifts the floor at once (a smaller Desired Min TX is
 *   "effected immediately", §6.8.3): each side X runs at 300 ms and its peer
 *   has received Desired Min TX 300000 with detect_time_ns 900 ms within one
 *   round trip plus one interval of X coming Up, whatever `len` is (not
 *   held at the floor for the age of the unanswered Poll, ~len).
 * - Right then A changes RX 300 -> 200 ms (waits for a Final) and B TX
 *   300 -> 200 ms (at once). Both take effect within 1 s + 3 RTT + I: a
 *   Poll may still run (its Final is due within a round trip of contact),
 *   and its last P before contact may be up to 1 s old, so the round-trip
 *   bound measured from there is < 1 s + RTT; after that window A's P goes
 *   out with the next packet (<= I) and its Final is back one RTT later
 *   (B's TX change is on the wire at once, its Poll waits for the same
 *   window). Then A: 300 ms / detect 3 x 200 = 600 ms, B: 200 ms / 900 ms.
 * - 2 s later (any Poll done), over 10 s the gaps are 75-100 % of the
 *   interval (§6.8.7), so A->B carries 33..45 packets (10 s / 300 ms = 33.3,
 *   10 s / 225 ms + 1) and B->A 50..67 (200 ms), and no Poll or Final. */
typedef struct effect_watch {
  bfd_session_settings st[2];
} effect_watch;

/* In effect: no Poll running and every value as the new settings negotiate
 * (A's detect_time_ns of 600 ms needs the Final to A's Poll). */
static int effect_reached(bfd_sim *sim, void *ctx) {
  effect_watch *w = ctx;
  negotiated n = negotiate(w->st);
  int y;
  for (y = 0; y < 2; y++) {
    bfd_session_status ss = bfd_sim_status(sim, y);
    if (ss.state != BFD_STATE_UP || ss.poll_active || ss.tx_interval_ns != n.iv[y] ||
        ss.detect_time_ns != n.det[y] ||
        ss.remote_required_min_rx_us != w->st[1 - y].required_min_rx_us ||
        ss.remote_desired_min_tx_us != w->st[1 - y].desired_min_tx_us)
      return 0;
  }
  return 1;
}

static void outage(uint64_t len, uint64_t seed, uint64_t *worst_rate, uint64_t *worst_effect) {
  const uint64_t dmin = 1 * MS, dmax = 20 * MS, iv = 300 * MS, rtt = 2 * dmax;
  bfd_sim sim;
  bfd_session_settings st = bfd_sim_settings(300000, 3);
  rate_watch w;
  effect_watch ew;
  uint64_t c, h, tc, t0, n[2], polls[2], finals[2];
  int y;
  bfd_sim_init(&sim, seed);
  bfd_sim_set_link(&sim, dmin, dmax - dmin, 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, A, &st), 0);
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, bfd_sim_rand(&sim) % (2 * SEC)), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, B, &st), 0);
  CU_ASSERT_FATAL(bfd_sim_run_until_up(&sim, 10 * SEC));
  c = sim.now + 10 * SEC + bfd_sim_rand(&sim) % SEC;
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, c), 0);
  rate_watch_init(&w, &st, &st);
  assert_negotiated(&sim, w.st);
  bfd_sim_partition(&sim, 1);
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, c + len), 0);
  CU_ASSERT_EQUAL(bfd_sim_state(&sim, A), BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(bfd_sim_state(&sim, B), BFD_STATE_DOWN);
  h = sim.now;
  bfd_sim_partition(&sim, 0);
  CU_ASSERT_FATAL(bfd_sim_run_until_up(&sim, h + 10 * SEC));
  for (y = 0; y < 2; y++)
    CU_ASSERT(sim.peer[y].last_up <= h + 1 * SEC + 3 * dmax);

  /* Run long enough to see a lag of ~len in full, were there one. */
  CU_ASSERT(bfd_sim_run_until(&sim, h + len + 20 * SEC, rate_reached, &w));
  for (y = 0; y < 2; y++) {
    uint64_t lag = w.t[y] - sim.peer[y].last_up;
    CU_ASSERT(w.t[y] <= sim.peer[y].last_up + rtt + iv);
    if (w.t[y] > sim.peer[y].last_up + rtt + iv)
      printf("\n    outage %.0f s seed %llu: %c advertised the 1 s floor for %.3f s after Up "
             "(bound %.0f ms)",
             secs(len), (unsigned long long)seed, 'A' + y, secs(lag), (double)(rtt + iv) / 1e6);
    if (lag > *worst_rate)
      *worst_rate = lag;
  }

  tc = sim.now;
  ew.st[A] = ew.st[B] = st;
  ew.st[A].required_min_rx_us = 200000;
  ew.st[B].desired_min_tx_us = 200000;
  CU_ASSERT_EQUAL_FATAL(bfd_sim_update(&sim, A, &ew.st[A]), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_update(&sim, B, &ew.st[B]), 0);
  CU_ASSERT(bfd_sim_run_until(&sim, tc + len + 20 * SEC, effect_reached, &ew));
  CU_ASSERT(sim.now <= tc + 1 * SEC + 3 * rtt + iv);
  if (sim.now > tc + 1 * SEC + 3 * rtt + iv)
    printf("\n    outage %.0f s seed %llu: the change took %.3f s (bound %.0f ms)", secs(len),
           (unsigned long long)seed, secs(sim.now - tc), (double)(1 * SEC + 3 * rtt + iv) / 1e6);
  if (sim.now - tc > *worst_effect)
    *worst_effect = sim.now - tc;
  CU_ASSERT_EQUAL(bfd_sim_status(&sim, A).detect_time_ns, 600 * MS);
  CU_ASSERT_EQUAL(bfd_sim_status(&sim, B).tx_interval_ns, 200 * MS);

  /* The packet rate: count what each side offers the link for 10 s, once
   * B's Poll for its change (due after the same window) is over too. */
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, sim.now + 2 * SEC), 0);
  t0 = sim.now;
  for (y = 0; y < 2; y++) {
    bfd_session_status ss = bfd_sim_status(&sim, y);
    n[y] = sim.stat[y].offered;
    polls[y] = ss.polls_sent;
    finals[y] = ss.finals_sent;
  }
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, t0 + 10 * SEC), 0);
  for (y = 0; y < 2; y++) {
    bfd_session_status ss = bfd_sim_status(&sim, y);
    n[y] = sim.stat[y].offered - n[y];
    CU_ASSERT_EQUAL(ss.polls_sent, polls[y]);
    CU_ASSERT_EQUAL(ss.finals_sent, finals[y]);
  }
  CU_ASSERT(n[BFD_SIM_AB] >= 33 && n[BFD_SIM_AB] <= 45);
  CU_ASSERT(n[BFD_SIM_BA] >= 50 && n[BFD_SIM_BA] <= 67);
  assert_negotiated(&sim, ew.st);
  CU_ASSERT_EQUAL(sim.peer[A].flaps, 1);
  CU_ASSERT_EQUAL(sim.peer[B].flaps, 1);
  if (seed == 1)
    printf("\n  sim outage %6.0f s: Up +%.3f/+%.3f s after the heal, 10 s after the change "
           "A->B %llu B->A %llu packets",
           secs(len), secs(sim.peer[A].last_up - h), secs(sim.peer[B].last_up - h),
           (unsigned long long)n[BFD_SIM_AB], (unsigned long long)n[BFD_SIM_BA]);
  bfd_sim_fini(&sim);
}

static void test_outage_rate(void) {
  static const uint64_t lens[] = {1 * SEC, 60 * SEC, 600 * SEC, 3600 * SEC};
  unsigned i;
  for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
    uint64_t seed, worst_rate = 0, worst_effect = 0;
    for (seed = 1; seed <= 16; seed++)
      outage(lens[i], seed, &worst_rate, &worst_effect);
    printf("\n  sim outage %6.0f s, 16 seeds: at 300 ms <= %.3f ms after Up (bound %.0f), "
           "change in effect <= %.3f ms (bound %.0f)",
           secs(lens[i]), (double)worst_rate / 1e6, (double)(40 * MS + 300 * MS) / 1e6,
           (double)worst_effect / 1e6, (double)(1 * SEC + 3 * 40 * MS + 300 * MS) / 1e6);
  }
  printf("\n");
}

/* A late Final must not end a newer Poll (§6.8.3 choice 2). A: TX 20 ms,
 * RX 1 s; B: TX 5 ms, RX 20 ms; both x 3; constant one-way delay d >= the
 * 20 ms A sends at, no loss. Negotiated: A sends every 20 ms, B every 1 s.
 * Change 1: A's RX 1 s -> 900 ms (smaller: waits for a Final). A sends a P
 * every <= 20 ms for a round trip 2d >= 40 ms, and B answers each (§6.5), so
 * Finals keep arriving for (last P - first P) after the first one.
 * Change 2, right after the first Final (from the receive hook, before A
 * sends anything more): RX 900 -> 5 ms. Its Poll may start only a round trip
 * after Poll 1's last P (choice 2; choice 3, one packet without F, is no
 * proof when packets outnumber one per round trip). So: A's first P carrying
 * 5 ms leaves >= last P of Poll 1 + 2d; A's Detection Time stays 3 x 900 ms
 * until exactly 2d after it (B answers at once, the delay is constant) and
 * then becomes 3 x max(5 ms, B's 5 ms) = 15 ms. What must not happen: a
 * Final to an old P ends Poll 2, A detects after 15 ms while B still sends
 * every 900 ms: A Down (diag 1), B Down (diag 3), without a packet lost.
 * Then zero flaps for 3 minutes, and the values of A 20 ms x 15 ms, B 5 ms
 * x 60 ms. */
typedef struct late_ctx {
  uint64_t d;
  int armed; /* change 2 not made yet */
  uint64_t t_final1, t_p1_last, t_p2_first;
  bfd_session_settings st;
} late_ctx;

static void late_on_rx(bfd_sim *sim, int peer, const bfd_ctrl_pkt *pkt, int rv, void *vctx) {
  late_ctx *c = vctx;
  if (!c->armed || peer != A || rv != 0 || !pkt || !(pkt->flags & BFD_FLAG_F) ||
      bfd_sim_status(sim, A).poll_active)
    return;
  c->armed = 0;
  c->t_final1 = sim->now;
  c->st.required_min_rx_us = 5000;
  (void)bfd_sim_update(sim, A, &c->st);
}

static int late_filter(bfd_sim *sim, int dir, uint64_t seq, const uint8_t *buf, size_t len,
                       void *vctx) {
  late_ctx *c = vctx;
  bfd_ctrl_pkt p;
  (void)seq;
  if (dir != BFD_SIM_AB || bfd_ctrl_pkt_decode(&p, buf, len) != 0 || !(p.flags & BFD_FLAG_P))
    return 0;
  if (p.required_min_rx_us == 900000)
    c->t_p1_last = sim->now;
  else if (p.required_min_rx_us == 5000 && c->t_p2_first == BFD_TSTAMP_NONE)
    c->t_p2_first = sim->now;
  return 0;
}

static int a_detect_shrinks(bfd_sim *sim, void *ctx) {
  (void)ctx;
  return bfd_sim_status(sim, A).detect_time_ns < 2700 * MS;
}

static void late_final(uint64_t d, uint64_t seed) {
  bfd_sim sim;
  bfd_session_settings st[2];
  late_ctx ctx;
  uint64_t polls0, t_drop;
  st[A] = bfd_sim_settings(20000, 3);
  st[A].required_min_rx_us = 1000000;
  st[B] = bfd_sim_settings(5000, 3);
  st[B].required_min_rx_us = 20000;
  bfd_sim_init(&sim, seed);
  bfd_sim_set_link(&sim, d, 0, 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, A, &st[A]), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, B, &st[B]), 0);
  CU_ASSERT_FATAL(bfd_sim_run_until_up(&sim, 10 * SEC));
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, sim.now + 5 * SEC + bfd_sim_rand(&sim) % SEC), 0);
  assert_negotiated(&sim, st);
  CU_ASSERT_EQUAL(bfd_sim_status(&sim, B).tx_interval_ns, 1000 * MS);
  polls0 = bfd_sim_status(&sim, A).polls_sent;

  memset(&ctx, 0, sizeof(ctx));
  ctx.d = d;
  ctx.armed = 1;
  ctx.t_final1 = ctx.t_p1_last = ctx.t_p2_first = BFD_TSTAMP_NONE;
  sim.on_rx = late_on_rx;
  sim.on_rx_ctx = &ctx;
  sim.link[BFD_SIM_AB].filter = late_filter;
  sim.link[BFD_SIM_AB].filter_ctx = &ctx;
  st[A].required_min_rx_us = 900000;
  ctx.st = st[A];
  CU_ASSERT_EQUAL_FATAL(bfd_sim_update(&sim, A, &st[A]), 0);
  CU_ASSERT_FATAL(bfd_sim_run_until(&sim, sim.now + 10 * SEC, a_detect_shrinks, NULL));
  t_drop = sim.now;
  CU_ASSERT_EQUAL(ctx.armed, 0);
  /* Poll 1 sent more P's than one per round trip: late Finals existed. */
  CU_ASSERT(ctx.t_p1_last > ctx.t_final1 - 2 * d);
  CU_ASSERT(ctx.t_p2_first != BFD_TSTAMP_NONE);
  CU_ASSERT(ctx.t_p2_first >= ctx.t_p1_last + 2 * d);
  CU_ASSERT_EQUAL(sim.now, ctx.t_p2_first + 2 * d);
  CU_ASSERT_EQUAL(bfd_sim_status(&sim, A).detect_time_ns, 15 * MS);
  CU_ASSERT_EQUAL(sim.peer[A].flaps + sim.peer[B].flaps, 0);

  CU_ASSERT_EQUAL(bfd_sim_run(&sim, sim.now + 180 * SEC), 0);
  st[A] = ctx.st;
  assert_negotiated(&sim, st);
  CU_ASSERT_EQUAL(bfd_sim_status(&sim, A).detect_time_ns, 15 * MS);
  CU_ASSERT_EQUAL(bfd_sim_status(&sim, A).tx_interval_ns, 20 * MS);
  CU_ASSERT_EQUAL(bfd_sim_status(&sim, B).tx_interval_ns, 5 * MS);
  CU_ASSERT_EQUAL(bfd_sim_status(&sim, B).detect_time_ns, 60 * MS);
  CU_ASSERT_EQUAL(bfd_sim_status(&sim, A).polls_sent, polls0 + 2);
  CU_ASSERT_EQUAL(sim.peer[A].stale_finals, 0);
  CU_ASSERT_EQUAL(sim.peer[A].unmatched_finals, 0);
  CU_ASSERT_EQUAL(sim.peer[A].flaps, 0);
  CU_ASSERT_EQUAL(sim.peer[B].flaps, 0);
  if (seed == 1 || sim.peer[A].flaps + sim.peer[B].flaps)
    printf("\n  sim late Final d %2.0f ms seed %llu: Poll 1 P's %.3f ms after its first, "
           "Poll 2 P +%.3f ms after Poll 1's first Final, A's detection 15 ms at +%.3f ms, "
           "flaps A %llu B %llu",
           (double)d / 1e6, (unsigned long long)seed,
           (double)(ctx.t_p1_last - (ctx.t_final1 - 2 * d)) / 1e6,
           (double)(ctx.t_p2_first - ctx.t_final1) / 1e6, (double)(t_drop - ctx.t_final1) / 1e6,
           (unsigned long long)sim.peer[A].flaps, (unsigned long long)sim.peer[B].flaps);
  bfd_sim_fini(&sim);
}

static void test_late_final(void) {
  /* 1x, 2x, 3x A's 20 ms interval, and the 25 ms of the report. */
  static const uint64_t ds[] = {20 * MS, 25 * MS, 40 * MS, 60 * MS};
  unsigned i;
  uint64_t seed;
  for (i = 0; i < sizeof(ds) / sizeof(ds[0]); i++)
    for (seed = 1; seed <= 3; seed++)
      late_final(ds[i], seed);
  printf("\n");
}

/* §6.8.3: "If either bfd.DesiredMinTxInterval is changed or
 * bfd.RequiredMinRxInterval is changed, a Poll Sequence MUST be initiated",
 * also for a change that takes effect at once and comes while another
 * Poll runs. Both 300 ms x 3, delay 50 ms. A raises RX to 1 s (at once, a
 * Poll); right after that Poll's P has gone out, A lowers TX to 200 ms (at
 * once). A running sequence may carry it only in a P sent after it; the P
 * already in flight gets a Final that says nothing about 200 ms. So some P
 * carrying tx 200000 must go out and be answered. */
typedef struct joined_ctx {
  int p_rx1s;              /* A sent a P with RX 1 s */
  uint64_t t_p200, n_p200; /* A's P's with TX 200 ms: first, count */
} joined_ctx;

static int joined_filter(bfd_sim *sim, int dir, uint64_t seq, const uint8_t *buf, size_t len,
                         void *vctx) {
  joined_ctx *c = vctx;
  bfd_ctrl_pkt p;
  (void)seq;
  if (dir != BFD_SIM_AB || bfd_ctrl_pkt_decode(&p, buf, len) != 0 || !(p.flags & BFD_FLAG_P))
    return 0;
  if (p.required_min_rx_us == 1000000)
    c->p_rx1s = 1;
  if (p.desired_min_tx_us == 200000 && c->n_p200++ == 0)
    c->t_p200 = sim->now;
  return 0;
}

static int joined_p_sent(bfd_sim *sim, void *vctx) {
  (void)sim;
  return ((joined_ctx *)vctx)->p_rx1s;
}

static void test_change_during_poll_polled(void) {
  const uint64_t d = 50 * MS;
  bfd_sim sim;
  bfd_session_settings st[2];
  joined_ctx ctx;
  const bfd_sim_event *e;
  size_t mark;
  st[A] = st[B] = bfd_sim_settings(300000, 3);
  memset(&ctx, 0, sizeof(ctx));
  bfd_sim_init(&sim, 58803);
  bfd_sim_set_link(&sim, d, 0, 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, A, &st[A]), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_sim_start(&sim, B, &st[B]), 0);
  CU_ASSERT_FATAL(bfd_sim_run_until_up(&sim, 10 * SEC));
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, sim.now + 5 * SEC), 0);
  sim.link[BFD_SIM_AB].filter = joined_filter;
  sim.link[BFD_SIM_AB].filter_ctx = &ctx;
  st[A].required_min_rx_us = 1000000;
  CU_ASSERT_EQUAL_FATAL(bfd_sim_update(&sim, A, &st[A]), 0);
  CU_ASSERT_FATAL(bfd_sim_run_until(&sim, sim.now + 2 * SEC, joined_p_sent, &ctx));
  CU_ASSERT_EQUAL(bfd_sim_status(&sim, A).poll_active, 1);
  mark = sim.ntrace;
  st[A].desired_min_tx_us = 200000;
  CU_ASSERT_EQUAL_FATAL(bfd_sim_update(&sim, A, &st[A]), 0);
  CU_ASSERT_EQUAL(bfd_sim_run(&sim, sim.now + 10 * SEC), 0);
  CU_ASSERT(ctx.n_p200 > 0);
  e = bfd_sim_find(&sim, mark, A, BFD_SIM_EV_POLL_END, 0xff);
  CU_ASSERT_PTR_NOT_NULL(e);
  /* The last Poll ended by the Final to a P with TX 200 ms, or later. */
  while (e && bfd_sim_find(&sim, (size_t)(e - sim.trace) + 1, A, BFD_SIM_EV_POLL_END, 0xff))
    e = bfd_sim_find(&sim, (size_t)(e - sim.trace) + 1, A, BFD_SIM_EV_POLL_END, 0xff);
  if (e && ctx.n_p200 > 0)
    CU_ASSERT(e->t >= ctx.t_p200 + 2 * d);
  assert_negotiated(&sim, st);
  CU_ASSERT_EQUAL(sim.peer[A].flaps + sim.peer[B].flaps, 0);
  printf("\n  sim change during a Poll after its P: %llu P's carried TX 200 ms, last Poll "
         "ended %.3f ms after the first of them",
         (unsigned long long)ctx.n_p200,
         e && ctx.n_p200 ? (double)(e->t - ctx.t_p200) / 1e6 : -1.0);
  printf("\n");
  bfd_sim_fini(&sim);
}

int main(void) {
  CU_TestInfo tests[] = {
      {"converge_simultaneous", test_converge_simultaneous},
      {"converge_offset", test_converge_offset},
      {"converge_jitter", test_converge_jitter},
      {"converge_loss", test_converge_loss},
      {"loss_runs_pattern", test_loss_runs_pattern},
      {"loss_random", test_loss_random},
      {"partition", test_partition},
      {"partition_short", test_partition_short},
      {"live_change", test_live_change},
      {"live_change_storm", test_live_change_storm},
      {"live_change_during_poll", test_live_change_during_poll},
      {"asymmetric", test_asymmetric},
      {"remote_admin_down", test_remote_admin_down},
      {"mult1", test_mult1},
      {"restart", test_restart},
      {"outage_rate", test_outage_rate},
      {"late_final", test_late_final},
      {"change_during_poll_polled", test_change_during_poll_polled},
      CU_TEST_INFO_NULL,
  };
  return bfd_test_run_suite("sim", tests);
}
