/* Two-peer simulation (suite "sim"): two bfdkit sessions joined by a virtual
 * link (test/bfd_sim.c) on a virtual clock that jumps from event to event,
 * so every bound below is asserted exactly, derived from RFC 5880.
 *
 * Notation: d = one-way delay (dmin..dmax with jitter), I = the sender's
 * negotiated TX interval (§6.8.7, jittered down to 75-100 % of I, or 75-90 %
 * with Detect Mult 1), D = the receiver's Detection Time (§6.8.4: remote
 * Detect Mult x max(local Required Min RX, remote Desired Min TX)).
 * BFD_SIM_VERBOSE=1 prints every state change. */
#include <stdio.h>
#include <string.h>

#include "bfd_sim.c"
#include "bfd_test_util.h"

#define MS BFD_MILLISECONDS
#define SEC BFD_SECONDS
#define A 0
#define B 1

static double secs(uint64_t ns) {
  return ns == BFD_TSTAMP_NONE ? -1.0 : (double)ns / 1e9;
}

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
    upl = sim.peer[A].first_up > sim.peer[B].first_up ? sim.peer[A].first_up
                                                       : sim.peer[B].first_up;
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
         (unsigned long long)sim.stat[0].offered, (unsigned long long)fa,
         (unsigned long long)fb, (unsigned long long)da, (unsigned long long)db);
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
         (unsigned long long)runs, lambda, (unsigned long long)flaps, bound,
         (unsigned long long)da, (unsigned long long)db, (unsigned long long)sim.peer[A].flaps,
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
 * three-way exchange takes 3 dmax: both Up by h + 1 s + 3 dmax. */
static void partition(const bfd_session_settings *sa, const bfd_session_settings *sb,
                      uint64_t dmin, uint64_t dmax, uint64_t seed, int print) {
  bfd_sim sim;
  bfd_session_status s[2];
  uint64_t c, h, iv[2], det[2];
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
  if (print)
    printf("\n  sim partition healed: both Up %.3f ms later (bound %.0f ms)\n",
         (double)((sim.peer[A].last_up > sim.peer[B].last_up ? sim.peer[A].last_up
                                                             : sim.peer[B].last_up) -
                  h) / 1e6,
         (double)(1 * SEC + 3 * dmax) / 1e6);
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

int main(void) {
  CU_TestInfo tests[] = {
      {"converge_simultaneous", test_converge_simultaneous},
      {"converge_offset", test_converge_offset},
      {"converge_jitter", test_converge_jitter},
      {"loss_runs_pattern", test_loss_runs_pattern},
      {"loss_random", test_loss_random},
      {"partition", test_partition},
      {"partition_short", test_partition_short},
      CU_TEST_INFO_NULL,
  };
  return bfd_test_run_suite("sim", tests);
}
