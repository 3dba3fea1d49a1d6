/* Two-peer simulation (suite "sim"): two bfdkit sessions joined by a virtual
 * link (test/bfd_sim.c) on a virtual clock that jumps from event to event,
 * so every bound below is asserted exactly, derived from RFC 5880.
 *
 * Notation: d = one-way delay (dmin..dmax with jitter), I = the sender's
 * negotiated TX interval (§6.8.7, jittered down to 75-100 % of I, or 75-90 %
 * with Detect Mult 1), D = the receiver's Detection Time (§6.8.4: remote
 * Detect Mult x max(local Required Min RX, remote Desired Min TX)).
 * BFD_SIM_VERBOSE=1 prints every state change. */
#include <math.h>
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

/* Every transition out of Up in the trace, checked against §6.8.4/§6.8.6:
 * diag 1 only exactly one Detection Time after the last accepted packet.
 * Returns the number of such transitions of `peer`. */
static uint64_t check_downs(const bfd_sim *sim, int peer, uint64_t *ndetect) __attribute__((unused));
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

int main(void) {
  CU_TestInfo tests[] = {
      {"converge_simultaneous", test_converge_simultaneous},
      {"converge_offset", test_converge_offset},
      {"converge_jitter", test_converge_jitter},
      CU_TEST_INFO_NULL,
  };
  return bfd_test_run_suite("sim", tests);
}
