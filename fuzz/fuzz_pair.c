/* libFuzzer target: two real standalone sessions (A and B) over a simulated
 * point-to-point link on a virtual clock, driven only through the public API
 * (bfd_session_new / feed_packet / feed_time / poll_packet / next_deadline /
 * update / set_admin_down / get_status / del).
 *
 * INPUT FORMAT (missing header bytes read as 0)
 *   header, 8 bytes:
 *     [0..3] seed (LE u32): the rand callbacks, loss, jitter and the
 *            discriminators all come from it, so a run is deterministic
 *     [4]    A: Desired Min TX = IV[low nibble], Required Min RX = IV[high]
 *     [5]    B: the same
 *     [6]    Detect Mult: A = 1 + low % 5, B = 1 + high % 5; both nibbles
 *            >= 10: a long run (STEP_BUDGET_LONG steps, not STEP_BUDGET)
 *     [7]    one-way delay: A->B = DELAY[low nibble], B->A = DELAY[high]
 *   then up to MAX_OPS operations of 2 bytes, `code arg`:
 *     op = (code & 0x1f) % OP_COUNT, sel = code >> 5.
 *     Side ops act on A (sel bit 0 clear) or B, on both when sel & 6 == 6.
 *     Link ops act on A->B (sel bit 0 clear) or B->A, on both when sel & 2.
 *      0 ADVANCE    run the loop for DUR[arg] (100 us .. ~1 h, geometric)
 *      1 ADVANCE_MS run the loop for arg + 1 ms
 *      2 UNTIL      run until condition COND[arg & 15] of the side holds,
 *                   at most DUR[(arg & 0xf0) | 0x0f] (see cond_met())
 *      3 SET_TX     Desired Min TX = IV[arg & 15]    (bfd_session_update)
 *      4 SET_RX     Required Min RX = IV[arg & 15]
 *      5 SET_MULT   Detect Mult = 1 + arg % 5
 *      6 SET_TXRX   TX = IV[arg & 15], RX = IV[arg >> 4], one update
 *      7 DELAY      one-way delay = DELAY[arg & 15]
 *      8 LOSS       arg & 7: 0 off, 1 random LOSS_P[arg >> 3 & 7], 2 every
 *                   (2 + arg >> 3)th packet, 3 packets with P, 4 with F,
 *                   5 the next 1 + 3 * (arg >> 3) packets, 6 P or F, 7 half
 *                   of the P or F packets
 *      9 PARTITION  arg != 0: drop everything sent; 0: heal
 *     10 DUP        arg == 0 off; else duplicate with probability
 *                   ((arg & 15) + 1) / 16, the copy DELAY[arg >> 4] (<= 1 s)
 *                   later
 *     11 JITTER     extra uniform delay [0, DELAY[arg & 15]] (<= 1 s), 0 off;
 *                   arg & 0x10: packets may overtake each other
 *     12 ADMIN      AdminDown on (arg & 1) / off
 *     13 RESTART    bfd_session_del + bfd_session_new (new discriminator),
 *                   arg == 0 at once, else after DUR[arg] (<= 10 min) absent
 *     14 STALL      clock step: the host runs no code for DUR[arg] (<= 1 h),
 *                   packets for it wait in its socket
 *     15 HEAL       every impairment off (delays stay)
 *     16 SETTLE     run until the convergence bound + (arg & 3) intervals
 *   After the last op: HEAL, AdminDown off, SETTLE(2), delete both sessions.
 *   Bounds per input: MAX_OPS ops, STEP_BUDGET(_LONG) loop steps, TIME_CAP virtual
 *   time; an input over budget stops quietly. When the final SETTLE could
 *   not finish within the steps left, only 2 RTT + 2 intervals are run.
 *
 * EVENT LOOP: jump the clock to the earliest of both sessions' deadlines,
 * packet arrivals, stall/restart ends and check points; at that instant
 * deliver every packet due, then for each session whose deadline is due
 * feed_time (every other time; poll_packet runs the expiries too) and
 * poll_packet until it returns 0, and put what it sent on the link. Packets
 * with zero delay are handled in the same instant. Every 16th time a session
 * is not due it is polled anyway.
 *
 * INVARIANTS (abort() with "invariant N" on violation)
 *  1. No packet either side sends has both P and F (§6.5); each decodes.
 *  2. After an instant is handled (arrivals, feed_time, poll until 0), every
 *     running session's next deadline is > now; one instant is handled at
 *     most SPIN_MAX times (hot loop); poll_packet returns 0 after a few
 *     packets, and when nothing is due it sends nothing and changes no
 *     state; outside AdminDown the deadline is at most one TX interval away
 *     (the session keeps sending, §6.8.7); no packet storm (more than QLEN
 *     packets in flight in one direction) unless duplication or reordering
 *     is on: then immediate packets on every state change and one Final per
 *     Poll can feed back without bound (fuzz/README.md), and the excess is
 *     lost. Packets sent while it is on, and those sent at the instant a
 *     side reads one of them, are tainted (qpkt.taint): after a heal a full
 *     queue at least half tainted is that storm still in flight, and its
 *     excess is lost too (a loss: the clean phases start again).
 *  3. No false failure. "Clean" = no loss, partition, duplication or jitter
 *     in either direction, both sessions running (no stall, no restart
 *     pending) and neither AdminDown. clean3_start is the latest of: the
 *     moment the system last became clean, any later link change (delay),
 *     the arrival of the last packet in flight at a link change, a stall end,
 *     a restart, an AdminDown change, a parameter change made while the
 *     changing side was not Up, and a side leaving Up while its Required Min
 *     RX is below the value its peer last received (a decrease waiting for
 *     its Final is then in force at once, and stays so if it comes Up again
 *     before the peer knows it), and a Final that ends a side's sequence
 *     but answers a P of an older sequence of the same Up period with a
 *     round trip longer than the side's last own Final (the round trip grew: §6.5 gives a Final no
 * way to name its Poll, final_attribution()), or any older P when the side read a duplicated
 * Final within the last minute (its count of Finals owed is short). Assert: an Init/Up -> Down transition with diag 1
 * (Detection Time Expired) never happens while clean, if the side's last received packet arrived at
 * r >= clean3_start + K, with K = 2 s (the largest interval in IV, >= the 1 s floor) + both delays.
 *     Why this is implied by the RFC: a packet received at r >= clean3_start
 *     + K was sent after every excuse above (delay <= K), so it and its
 *     successor cross a FIFO lossless link with the same delay and arrive
 *     exactly as far apart as they were sent. A sender keeps consecutive
 *     periodic packets at most its interval max(bfd.DesiredMinTxInterval in
 *     force, RemoteMinRxInterval) apart (<= 90 % of it for Detect Mult 1,
 *     §6.8.7); Finals and immediate packets only add packets. The receiver's
 *     Detection Time is Detect Mult x max(its Required Min RX in force, the
 *     last Desired Min TX received) (§6.8.4), which is larger: the in-force
 *     TX interval never exceeds the advertised one (an increase waits for the
 *     Final, §6.8.3), and the receiver's Required Min RX in force never drops
 *     below a value its peer has not acknowledged with a Final to a Poll
 *     carrying it (§6.8.3, §6.5: a Final answers a Poll of the same
 *     sequence). The only RFC-allowed exception is a change in force while
 *     not Up ("MUST be effected immediately", §6.8.3), which the peer learns
 *     within one interval plus a delay: covered by K. Live changes (while Up)
 *     are allowed and must never flap, however long the delay.
 *  4. Convergence. conv_start = clean3_start, or any later parameter change or
 *     Init/Up -> Down transition (a stale Down packet from before the peer
 *     came Up restarts the handshake, §6.8.6: with a delay above the slow
 *     interval this can go on for long; it is RFC behaviour). While clean:
 *     from conv_at = conv_start + Dmax + 5 Imax + 8 RTT + 10 ms (Dmax: the
 *     longest Detection Time either side reported since the last
 *     convergence, Imax: max(1 s, every interval configured since then), RTT:
 *     both delays), both Up, each knows the other's discriminator and Detect
 *     Mult, tx_interval_ns = max(own Desired Min TX, peer's Required Min RX),
 *     detect_time_ns = peer's Detect Mult x max(own Required Min RX, peer's
 *     Desired Min TX). The budget: stale deadlines expire by clean3_start + K
 *     + Dmax (invariant 3), a fresh three-way handshake takes one slow
 *     interval + 2.5 RTT, and at most two Poll Sequences per side (one
 *     running, one waiting a round trip) take 4 RTT + 3 Imax. Only a change
 *     that needs a Final (a larger TX or a smaller RX interval while Up,
 *     §6.8.3) may still be missing then, told apart by the status' remote
 *     values against the peer's configuration; every other change, leaving
 *     the slow start included, must be in force. From conv_at +
 *     poll_allow() on, everything is exact and no Poll Sequence runs:
 *     issue 11 lets a change that needs a Final out one round-trip bound
 *     (termination - first P since contact) after the previous sequence's
 *     last P, and a sequence that ran through loss or a peer's AdminDown
 *     inflates that bound (poll_allow() follows the P's on the wire).
 *     Tighter, the bound: when a partition heals with both sides
 *     Down, the remote forgotten (remote_discr 0), nothing in flight and the
 *     system clean, both run at the negotiated rates (Up, tx_interval_ns,
 *     detect_time_ns as above) within 2 RTT + 2 I + 1 ms, I = max(1 s, the
 *     four configured intervals): the first packet leaves within one slow
 *     interval, the handshake and the first Up packets take 2 RTT, and
 *     leaving the slow start floor needs no Final (§6.8.3: a smaller TX
 *     interval is effected immediately). Once converged, the gap between
 *     consecutive packets without P/F that a side sends is within [0.75,
 *     1.0] x tx_interval (0.9 for Detect Mult 1, §6.8.7), +-1 us, and
 *     neither side goes Down until the next event.
 *  5. Self-consistency: state 0..3; Up implies remote_discr != 0 and remote
 *     state Init/Up; configured fields, discriminator and counters as set /
 *     monotonic; tx_packets +1 per packet, finals_sent +1 per F; a packet
 *     without F has P iff poll_active (§6.5); F only after an accepted P, and
 *     an accepted P (not AdminDown) is answered in the same instant (§6.8.7);
 *     sent packets carry the session's state, diag, Detect Mult,
 *     discriminators and no A/D/M/C bit; not Up implies Desired Min TX >= 1 s
 *     in packets and tx_interval_ns >= 1 s (§6.8.3); tx_interval_ns >=
 *     remote Required Min RX (§6.8.7); detect_time_ns consistent with the
 *     remote values (§6.8.4); expiry exactly Detection Time after the last
 *     reception (never early, never late, §6.8.4); every state change is
 *     legal (§6.2, §6.8.16) and reported once with change_seq + 1;
 *     up_count/down_count follow the events; a peer's packet is accepted
 *     unless its Your Discriminator says otherwise (§6.8.6), and a rejected
 *     one changes nothing; nexthop events alternate; the library allocates
 *     only inside bfd_session_new/del and frees everything.
 *
 * FUZZ_PAIR_TRACE=1 in the environment prints every event as it happens,
 * FUZZ_PAIR_SUMMARY=1 only the steps and virtual time each input used. */
#include <bfd/bfd.h>

#include "bt_rng.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define NONE  BFD_TSTAMP_NONE
#define US    BFD_MICROSECONDS
#define MS    BFD_MILLISECONDS
#define SEC   BFD_SECONDS
#define PRING 4096u /* P send times kept per side */

#define T0               (1000 * SEC)     /* virtual clock origin */
#define TIME_CAP         (6 * 3600 * SEC) /* virtual time per input */
#define STEP_BUDGET      2500u            /* loop steps per input... */
#define STEP_BUDGET_LONG 25000u           /* ...or with the long flag (header) */
#define MAX_OPS          512
#define QLEN             16384u     /* in flight per direction (power of 2) */
#define SPIN_MAX         1000       /* one instant handled more often: hot loop */
#define DRAIN_MAX        16         /* packets from one poll loop at one instant */
#define MAXEV            8          /* state changes in one call */
#define SLOW_NS          (1 * SEC)  /* §6.8.3 slow-start floor */
#define IV_MAX_NS        (2 * SEC)  /* largest entry of k_iv_us */
#define OWED_HORIZON_NS  (60 * SEC) /* the core forgets a P's Final within 60 s */
#define OWED_MIN_NS      (1 * SEC)  /* ...and never before 1 s (BFD_OWED_BUCKET_MIN_NS) */
#define TRACE_LEN        256u
#define TRACE_SHOW       80u

enum { SA = 0, SB = 1 };
enum { CALL_RX, CALL_TIME, CALL_UPDATE };

static const uint32_t k_iv_us[16] = {3300,   5000,    10000,   20000,  25000,  50000,
                                     100000, 150000,  250000,  300000, 500000, 750000,
                                     900000, 1000000, 1500000, 2000000};
static const uint64_t k_delay[16] = {0,       100 * US,  1 * MS,   5 * MS,   10 * MS,  25 * MS,
                                     50 * MS, 100 * MS,  200 * MS, 300 * MS, 500 * MS, 750 * MS,
                                     1 * SEC, 1500 * MS, 2 * SEC,  3 * SEC};
static const uint32_t k_loss_p16[8] = {655, 1311, 3277, 6554, 16384, 32768, 49152, 65536};
static uint64_t k_dur[256]; /* 100 us x 1.0707^i: 100 us .. ~1 h */

enum {
  OP_ADVANCE,
  OP_ADVANCE_MS,
  OP_UNTIL,
  OP_SET_TX,
  OP_SET_RX,
  OP_SET_MULT,
  OP_SET_TXRX,
  OP_DELAY,
  OP_LOSS,
  OP_PARTITION,
  OP_DUP,
  OP_JITTER,
  OP_ADMIN,
  OP_RESTART,
  OP_STALL,
  OP_HEAL,
  OP_SETTLE,
  OP_COUNT
};
static const char *const k_op_names[OP_COUNT] = {
    "ADVANCE",  "ADVANCE_MS", "UNTIL", "SET_TX",    "SET_RX", "SET_MULT",
    "SET_TXRX", "DELAY",      "LOSS",  "PARTITION", "DUP",    "JITTER",
    "ADMIN",    "RESTART",    "STALL", "HEAL",      "SETTLE"};

enum { LOSS_OFF, LOSS_RANDOM, LOSS_NTH, LOSS_P, LOSS_F, LOSS_BURST, LOSS_PF, LOSS_PF_HALF };

/* ------------------------------------------------------------------------ */
/* State                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct qpkt {
  uint64_t at;      /* arrival time */
  uint64_t sent;    /* send time */
  uint64_t answers; /* a Final: send time of the P its sender last took; NONE */
  uint32_t seq;     /* send order on its direction: ties arrive in this order */
  uint32_t your_discr, tx_us, rx_us;
  uint8_t len, flags, state;
  uint8_t taint; /* sent while the link amplified, or in answer to such a packet */
  uint8_t dup;   /* the link's second copy of a packet */
  uint8_t buf[BFD_CTRL_LEN_MAX];
} qpkt;

/* One direction's packets in flight, delivered by (arrival, send order):
 * the in-order ones in a FIFO ring, those that overtook the ring's last one
 * (reordering) in a binary heap; the next packet is the smaller head. Both
 * hold slots of Q[d]. */
typedef struct flight {
  uint32_t count; /* ring + heap */
  uint32_t rhead, rn, hn, nfree, fresh, seq;
  uint32_t tainted; /* packets in flight with qpkt.taint */
  uint64_t max_at;  /* latest arrival queued (0 when empty) */
  uint16_t ring[QLEN], heap[QLEN], freel[QLEN];
} flight;

/* One direction of the link; W.ln[SA] carries A -> B. */
typedef struct wire {
  uint64_t delay, jitter, dup_extra, last_at, rng;
  uint32_t loss_p16, nth, nth_ctr, burst, dup_p16;
  uint8_t loss_kind, partition, reorder, pad;
} wire;

typedef struct side {
  int idx;
  bfd_session *s;           /* NULL while absent (restarting) */
  bfd_session_settings cfg; /* what the harness configured: the ground truth */
  bfd_session_status *st;   /* after the last call into the session */
  bfd_session_status *prev; /* before it (swapped, not copied) */
  bfd_session_status sb[2];
  uint64_t rng;         /* the rand callback */
  uint64_t stall_end;   /* 0, or no calls before this */
  uint64_t absent_end;  /* 0, or a new session at this time */
  uint64_t last_accept; /* last packet the session accepted, NONE */
  uint64_t gap_prev;    /* last plain packet sent while converged, NONE */
  /* The running Poll Sequence as seen on the wire: first P (since contact),
   * last P, number of P's; and when the issue 11 rule lets the next one
   * start (last P + termination - first P). */
  uint64_t seq_first_p, seq_last_p, win_end;
  uint32_t seq_np;
  /* Ground truth of Final attribution (invariant 3): the send time of the
   * last P this side took, and the true round trip of the last Final that
   * ended a sequence of its own (NONE before one). */
  uint64_t p_taken_sent, good_rtt;
  /* The largest first-P-to-end time of its sequences (0: none): at least
   * the core's decaying one, which sizes its buckets of Finals owed. */
  uint64_t seq_rtt_max;
  uint64_t up_at;    /* the last transition to Up (0: none) */
  uint64_t taint_at; /* the instant it last read a qpkt.taint packet (NONE) */
  uint64_t dupf_at;  /* when it last read a duplicated Final (NONE) */
  /* The send times of the side's last PRING P's, and how many went out in
   * the minute before it last came Up: at most the Finals it then skips
   * (the core owes a P's Final for at most 60 s), poll_allow(). */
  uint64_t pring[PRING];
  /* The Required Min RX values of the side's packets, one entry per run
   * of one value (the last PRING runs), and when the last packet of each
   * run went out (the leave-Up excuse of invariant 3). */
  uint64_t rxring_at[PRING];
  uint32_t rxring[PRING], rxring_n;
  uint32_t pring_n, skip_at_up;
  uint32_t pring_old; /* the oldest of them within the last minute (recent_ps) */
  uint64_t dl;        /* bfd_session_next_deadline() since the last call, if dl_ok */
  uint32_t discr_prev;
  unsigned nev, nev_lost;
  bfd_state_event ev[MAXEV];
  uint8_t nh_down, owe_f, idle, wakes, dl_ok;
  uint8_t rx_f, rx_p, rx_any, tx_p, tx_f; /* this step, for UNTIL */
} side;

typedef struct world {
  uint64_t now, time_end;
  uint64_t clean3_start; /* invariant 3 counts from here */
  uint64_t conv_start;   /* invariant 4 counts from here */
  uint64_t dirty_at;     /* the last link or side event (NONE: none): P's
                          * and Finals lost by then may still be owed */
  uint64_t dmax;         /* longest Detection Time reported since convergence */
  uint64_t imax;         /* largest interval configured since convergence */
  uint64_t tight_at;     /* heal-from-partition check, NONE */
  uint64_t tight_from;
  uint64_t rng;
  unsigned steps_left, budget, spins;
  uint8_t stop, converged;
  wire ln[2];
  side sd[2];
} world;

static world W;
static qpkt Q[2][QLEN];
static flight F[2];

static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static uint32_t max32(uint32_t a, uint32_t b) { return a > b ? a : b; }
static uint64_t us_ns(uint32_t us) { return (uint64_t)us * US; } /* bfd_us_to_ns, inlined */
static int g_verbose, g_summary;

/* ------------------------------------------------------------------------ */
/* Trace and failure reports                                                */
/* ------------------------------------------------------------------------ */

enum { TR_OP, TR_TX, TR_RX, TR_LOST, TR_STATE, TR_NOTE };
typedef struct tr {
  uint64_t t;
  uint8_t kind, side, a, b;
  uint32_t c, d, e;
} tr;
static tr TR[TRACE_LEN];
static unsigned TRn;

static double secs(uint64_t t) {
  if (t == NONE)
    return -1.0;
  return t >= T0 ? (double)(t - T0) / 1e9 : -(double)(T0 - t) / 1e9;
}
static double msec(uint64_t ns) { return ns == NONE ? -1.0 : (double)ns / 1e6; }
static char side_name(int i) { return i ? 'B' : 'A'; }

static void flags_str(char *b, uint8_t f) {
  b[0] = f & BFD_FLAG_P ? 'P' : '-';
  b[1] = f & BFD_FLAG_F ? 'F' : '-';
  b[2] = 0;
}

static void trace_print(const tr *e) {
  char f[3];
  fprintf(stderr, "  %12.6f %c ", secs(e->t), side_name(e->side));
  switch (e->kind) {
  case TR_OP:
    fprintf(stderr, "op %s sel %u arg %u\n", e->a < OP_COUNT ? k_op_names[e->a] : "?",
            (unsigned)e->c, (unsigned)e->b);
    break;
  case TR_TX:
    flags_str(f, e->a);
    fprintf(stderr, "tx %s %-9s tx %u rx %u arrives %+.3f ms\n", f, bfd_state_name(e->b),
            (unsigned)e->c, (unsigned)e->d, (double)e->e / 1e3);
    break;
  case TR_LOST:
    flags_str(f, e->a);
    fprintf(stderr, "tx %s %-9s tx %u rx %u LOST on the link\n", f, bfd_state_name(e->b),
            (unsigned)e->c, (unsigned)e->d);
    break;
  case TR_RX:
    flags_str(f, e->a);
    fprintf(stderr, "rx %s %-9s tx %u rx %u -> %d\n", f, bfd_state_name(e->b), (unsigned)e->c,
            (unsigned)e->d, (int)e->e);
    break;
  case TR_STATE:
    fprintf(stderr, "state %s -> %s diag %u (%s)\n", bfd_state_name(e->a), bfd_state_name(e->b),
            (unsigned)e->c, bfd_diag_name((uint8_t)e->c));
    break;
  case TR_NOTE:
    fprintf(stderr, "Final to an older P (round trip %.3f ms, last own %.3f ms): clean again\n",
            (double)e->c / 1e3, (double)e->d / 1e3);
    break;
  default: fprintf(stderr, "note %u %u\n", (unsigned)e->a, (unsigned)e->c); break;
  }
}

static void trace(uint8_t kind, int s, unsigned a, unsigned b, uint32_t c, uint32_t d, uint32_t e) {
  tr *x = &TR[TRn++ % TRACE_LEN];
  x->t = W.now;
  x->kind = kind;
  x->side = (uint8_t)s;
  x->a = (uint8_t)a;
  x->b = (uint8_t)b;
  x->c = c;
  x->d = d;
  x->e = e;
  if (g_verbose)
    trace_print(x);
}

static uint64_t rtt(void) { return W.ln[SA].delay + W.ln[SB].delay; }
static uint64_t k3(void) { return IV_MAX_NS + rtt() + 1 * MS; }
/* Issue 11: a change that waits for a Final goes on the wire one round-trip
 * bound (termination - first P of the previous sequence) after that
 * sequence's last P, so a sequence that ran through loss before conv_start
 * may hold the next one back that long: allowed on top of the budget. */
static uint64_t poll_allow(void) {
  uint64_t a = 0;
  int i;
  for (i = 0; i < 2; i++) {
    const side *x = &W.sd[i];
    if (x->win_end > W.conv_start)
      a = max64(a, x->win_end - W.conv_start);
    if (x->s && x->st->poll_active && x->seq_first_p < W.conv_start)
      a = max64(a, W.conv_start - x->seq_first_p);
    /* Coming Up, a side skips the Finals it still owes (P's of the last
     * 30 to 60 s): a lost one never comes, so a change that waits for a
     * Final may wait until the skips are given up, a minute at most. */
    if (x->skip_at_up > 0 && x->up_at + 60 * SEC > W.conv_start)
      a = max64(a, x->up_at + 60 * SEC - W.conv_start);
    /* Every sequence skips the Finals still owed: one lost before the
     * link was clean again is given up after two of the core's buckets
     * (twice its largest recent round trip, 1 s to 30 s), and the skips of
     * a sequence begun by then two buckets later. */
    if (W.dirty_at != NONE && x->pring_n > 0) {
      uint64_t b = x->seq_rtt_max == 0 ? 30 * SEC
                                       : min64(max64(2 * x->seq_rtt_max, OWED_MIN_NS), 30 * SEC);
      if (W.dirty_at + 4 * b > W.conv_start)
        a = max64(a, W.dirty_at + 4 * b - W.conv_start);
    }
  }
  return a;
}
static uint64_t conv_at0(void) { return W.conv_start + W.dmax + 5 * W.imax + 8 * rtt() + 10 * MS; }
static uint64_t conv_at(void) { return conv_at0() + poll_allow(); }

static void dump_side(const side *x) {
  const bfd_session_status *s = x->st;
  fprintf(stderr,
          "  %c: %s cfg tx %u rx %u mult %u%s discr %08x | %s diag %u remote %s discr %08x "
          "tx %u rx %u mult %u | tx_interval %.3f ms detect %.3f ms poll %u (P %.6f..%.6f "
          "x%u, window %.6f) | last_rx %.6f last_tx %.6f accept %.6f | rx %llu drop %llu tx %llu "
          "up %llu down %llu polls %llu finals %llu%s%s\n",
          side_name(x->idx), x->s ? "running" : "ABSENT", (unsigned)x->cfg.desired_min_tx_us,
          (unsigned)x->cfg.required_min_rx_us, (unsigned)x->cfg.detect_mult,
          x->cfg.admin_down ? " admin" : "", (unsigned)x->cfg.local_discr, bfd_state_name(s->state),
          (unsigned)s->local_diag, bfd_state_name(s->remote_state), (unsigned)s->remote_discr,
          (unsigned)s->remote_desired_min_tx_us, (unsigned)s->remote_required_min_rx_us,
          (unsigned)s->remote_detect_mult, msec(s->tx_interval_ns), msec(s->detect_time_ns),
          (unsigned)s->poll_active, secs(x->seq_first_p), secs(x->seq_last_p), (unsigned)x->seq_np,
          secs(x->win_end), secs(s->last_rx), secs(s->last_tx), secs(x->last_accept),
          (unsigned long long)s->rx_packets, (unsigned long long)s->rx_dropped,
          (unsigned long long)s->tx_packets, (unsigned long long)s->up_count,
          (unsigned long long)s->down_count, (unsigned long long)s->polls_sent,
          (unsigned long long)s->finals_sent, x->stall_end ? " STALLED" : "",
          x->absent_end ? " (restarting)" : "");
}

static void dump_wire(int d) {
  const wire *l = &W.ln[d];
  fprintf(stderr,
          "  %c->%c: delay %.3f ms jitter %.3f ms%s loss %u/%u partition %u dup %u in flight "
          "%u\n",
          side_name(d), side_name(1 - d), msec(l->delay), msec(l->jitter),
          l->reorder ? " reorder" : "", (unsigned)l->loss_kind, (unsigned)l->loss_p16,
          (unsigned)l->partition, (unsigned)l->dup_p16, (unsigned)F[d].count);
}

static void fail(int inv, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
static void fail(int inv, const char *fmt, ...) {
  va_list ap;
  unsigned i, n = TRn < TRACE_SHOW ? TRn : TRACE_SHOW;
  fprintf(stderr, "\nfuzz_pair: invariant %d violated at t=%.6f s: ", inv, secs(W.now));
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr,
          "\n  clean3_start %.6f (+K %.3f ms) conv_start %.6f conv_at %.6f dmax %.3f ms imax "
          "%.3f ms rtt %.3f ms poll_allow %.3f ms\n",
          secs(W.clean3_start), msec(k3()), secs(W.conv_start), secs(conv_at()), msec(W.dmax),
          msec(W.imax), msec(rtt()), msec(poll_allow()));
  dump_side(&W.sd[SA]);
  dump_side(&W.sd[SB]);
  dump_wire(SA);
  dump_wire(SB);
  fprintf(stderr, "  last %u events:\n", n);
  for (i = TRn - n; i != TRn; i++)
    trace_print(&TR[i % TRACE_LEN]);
  abort();
}

/* ------------------------------------------------------------------------ */
/* Allocator, randomness, callbacks                                         */
/* ------------------------------------------------------------------------ */

static struct {
  long live;
  int open; /* inside bfd_session_new / bfd_session_del */
} M;

static void mem_check(const char *what, size_t n) {
  if (!M.open)
    fail(5, "the library called %s(%zu) outside bfd_session_new/del (run phase)", what, n);
}
static void *m_malloc(size_t n, void *u) {
  (void)u;
  mem_check("malloc", n);
  M.live++;
  return malloc(n);
}
static void m_free(void *p, void *u) {
  (void)u;
  mem_check("free", 0);
  M.live--;
  free(p);
}
static void *m_calloc(size_t a, size_t b, void *u) {
  (void)u;
  mem_check("calloc", a * b);
  M.live++;
  return calloc(a, b);
}
static void *m_realloc(void *p, size_t n, void *u) {
  (void)u;
  mem_check("realloc", n);
  if (!p)
    M.live++;
  return realloc(p, n);
}
static const bfd_mem k_mem = {NULL, m_malloc, m_free, m_calloc, m_realloc};

/* The suites' splitmix64 (test/harness/bt_rng.c); every draw is as it was
 * when fuzz_pair had its own copy, so a seed still means the same run. */
static uint64_t sm64(uint64_t *x) { return bt_rng_next(x); }
static uint32_t rnd16(uint64_t *x) { return (uint32_t)(sm64(x) >> 48); }

static void cb_rand(uint8_t *dest, size_t len, void *ud) {
  side *x = ud;
  bt_rng_fill(&x->rng, dest, len);
}

static int cb_state(bfd_session *s, const bfd_state_event *ev, void *ud) {
  side *x = ud;
  (void)s;
  if (x->nev < MAXEV)
    x->ev[x->nev++] = *ev;
  else
    x->nev_lost++;
  return 0;
}

static int cb_nexthop(bfd_session *s, const bfd_nexthop_event *ev, void *ud) {
  side *x = ud;
  (void)s;
  if ((ev->action == BFD_NEXTHOP_DOWN) == (x->nh_down != 0))
    fail(5, "%c: nexthop event %s (cause %u) twice in a row", side_name(x->idx),
         ev->action == BFD_NEXTHOP_DOWN ? "DOWN" : "UP", (unsigned)ev->cause);
  x->nh_down = ev->action == BFD_NEXTHOP_DOWN;
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Clean-phase bookkeeping (invariants 3 and 4)                             */
/* ------------------------------------------------------------------------ */

static int wire_dirty(const wire *l) {
  return l->loss_kind || l->partition || l->dup_p16 || l->jitter;
}

static int sys_clean(void) {
  int i;
  for (i = 0; i < 2; i++) {
    const side *x = &W.sd[i];
    if (wire_dirty(&W.ln[i]) || !x->s || x->stall_end || x->cfg.admin_down)
      return 0;
  }
  return 1;
}

static uint64_t imax_cfg(void) {
  uint32_t m = 0;
  int i;
  for (i = 0; i < 2; i++)
    m = max32(m, max32(W.sd[i].cfg.desired_min_tx_us, W.sd[i].cfg.required_min_rx_us));
  return max64(us_ns(m), SLOW_NS);
}

static void ev_reset(void) {
  W.tight_at = NONE;
  W.converged = 0;
  W.sd[SA].gap_prev = W.sd[SB].gap_prev = NONE;
}

/* The largest Required Min RX side x sent since `since` (a run counts if
 * its last packet did). */
static uint32_t sent_rx_max(const side *x, uint64_t since) {
  uint32_t m = 0, i, have = x->rxring_n < PRING ? x->rxring_n : PRING;
  for (i = 0; i < have; i++) {
    uint32_t k = (x->rxring_n - 1 - i) % PRING;
    if (x->rxring_at[k] < since)
      break;
    m = max32(m, x->rxring[k]);
  }
  return m;
}

/* The largest Required Min RX among the packets in flight from side d. */
static uint32_t inflight_rx_max(int d) {
  const flight *f = &F[d];
  uint32_t m = 0, i;
  for (i = 0; i < f->rn; i++)
    m = max32(m, Q[d][f->ring[(f->rhead + i) & (QLEN - 1)]].rx_us);
  for (i = 0; i < f->hn; i++)
    m = max32(m, Q[d][f->heap[i]].rx_us);
  return m;
}

static uint64_t inflight_max(void) {
  uint64_t m = 0;
  int d;
  for (d = 0; d < 2; d++)
    if (F[d].count)
      m = max64(m, F[d].max_at);
  return m;
}

/* The link changed: clean again only once everything sent before arrived. */
static void ev_link(void) {
  uint64_t t = max64(W.now, inflight_max());
  W.dirty_at = t;
  W.clean3_start = max64(W.clean3_start, t);
  W.conv_start = max64(W.conv_start, t);
  ev_reset();
}

/* AdminDown, restart, stall: one side changed. */
static void ev_side(void) {
  W.dirty_at = W.now;
  W.clean3_start = max64(W.clean3_start, W.now);
  W.conv_start = max64(W.conv_start, W.now);
  ev_reset();
}

/* A parameter change: live (Up) changes keep the clean phase (§6.8.3 must
 * make them safe); a change while not Up is effected at once and excused. */
static void ev_param(int was_up) {
  W.conv_start = max64(W.conv_start, W.now);
  if (!was_up)
    W.clean3_start = max64(W.clean3_start, W.now);
  ev_reset();
}

/* P's the side sent in the last minute (PRING at most). The ring is in
 * time order and time only moves on: pring_old follows the minute's start
 * (amortized O(1); a storm comes Up thousands of times). */
static uint32_t recent_ps(side *x) {
  if (x->pring_n - x->pring_old > PRING)
    x->pring_old = x->pring_n - PRING;
  while (x->pring_old != x->pring_n && x->pring[x->pring_old % PRING] + 60 * SEC < W.now)
    x->pring_old++;
  return x->pring_n - x->pring_old;
}

/* Leaving Up: the peer "knows" a Required Min RX larger than ours (see
 * process_events). The cheap tests first: the scans walk rings of up to
 * 4096 packets, and a storm leaves Up thousands of times. */
static int leave_up_known(const side *x) {
  uint32_t rx = x->cfg.required_min_rx_us;
  return rx < W.sd[1 - x->idx].st->remote_required_min_rx_us ||
         rx < sent_rx_max(x, W.now > rtt() + IV_MAX_NS ? W.now - rtt() - IV_MAX_NS : 0) ||
         rx < inflight_rx_max(x->idx);
}

static uint64_t exp_tx(const side *x, const side *y) {
  return us_ns(max32(x->cfg.desired_min_tx_us, y->cfg.required_min_rx_us));
}
static uint64_t exp_dt(const side *x, const side *y) {
  return (uint64_t)y->cfg.detect_mult *
         us_ns(max32(x->cfg.required_min_rx_us, y->cfg.desired_min_tx_us));
}

/* ------------------------------------------------------------------------ */
/* Status checks (invariant 5)                                              */
/* ------------------------------------------------------------------------ */

#define MONO(f)                                                                                    \
  do {                                                                                             \
    if (n->f < o->f)                                                                               \
      fail(5, "%c: status " #f " went backwards: %llu -> %llu", c, (unsigned long long)o->f,       \
           (unsigned long long)n->f);                                                              \
  } while (0)

static void check_status(const side *x, const bfd_session_status *o, const bfd_session_status *n,
                         int first) {
  char c = side_name(x->idx);
  if (n->state > BFD_STATE_UP)
    fail(5, "%c: state %u out of range", c, (unsigned)n->state);
  if (n->local_discr != x->cfg.local_discr)
    fail(5, "%c: local_discr %08x, configured %08x", c, (unsigned)n->local_discr,
         (unsigned)x->cfg.local_discr);
  if (n->desired_min_tx_us != x->cfg.desired_min_tx_us ||
      n->required_min_rx_us != x->cfg.required_min_rx_us || n->detect_mult != x->cfg.detect_mult)
    fail(5, "%c: status shows tx %u rx %u mult %u, configured %u %u %u", c,
         (unsigned)n->desired_min_tx_us, (unsigned)n->required_min_rx_us, (unsigned)n->detect_mult,
         (unsigned)x->cfg.desired_min_tx_us, (unsigned)x->cfg.required_min_rx_us,
         (unsigned)x->cfg.detect_mult);
  if (n->state == BFD_STATE_UP && (n->remote_discr == 0 || (n->remote_state != BFD_STATE_INIT &&
                                                            n->remote_state != BFD_STATE_UP)))
    fail(5, "%c: Up with remote_discr %08x remote state %s", c, (unsigned)n->remote_discr,
         bfd_state_name(n->remote_state));
  if (n->tx_interval_ns && n->tx_interval_ns < us_ns(n->remote_required_min_rx_us))
    fail(5, "%c: tx_interval %.3f ms below the remote's Required Min RX %u us (§6.8.7)", c,
         msec(n->tx_interval_ns), (unsigned)n->remote_required_min_rx_us);
  if (n->state != BFD_STATE_UP && n->tx_interval_ns && n->tx_interval_ns < SLOW_NS)
    fail(5, "%c: %s with tx_interval %.3f ms, below the 1 s slow-start floor (§6.8.3)", c,
         bfd_state_name(n->state), msec(n->tx_interval_ns));
  if ((n->detect_time_ns == 0) != (n->remote_detect_mult == 0))
    fail(5, "%c: detect_time %.3f ms with remote Detect Mult %u", c, msec(n->detect_time_ns),
         (unsigned)n->remote_detect_mult);
  if (n->detect_time_ns &&
      n->detect_time_ns < n->remote_detect_mult * us_ns(n->remote_desired_min_tx_us))
    fail(5, "%c: detect_time %.3f ms below remote mult %u x remote Desired Min TX %u us (§6.8.4)",
         c, msec(n->detect_time_ns), (unsigned)n->remote_detect_mult,
         (unsigned)n->remote_desired_min_tx_us);
  if (n->nexthop_down != x->nh_down)
    fail(5, "%c: status nexthop_down %u, last event delivered %s", c, (unsigned)n->nexthop_down,
         x->nh_down ? "DOWN" : "UP");
  if (first)
    return;
  MONO(change_seq);
  MONO(rx_packets);
  MONO(rx_dropped);
  MONO(tx_packets);
  MONO(up_count);
  MONO(down_count);
  MONO(polls_sent);
  MONO(finals_sent);
}

/* After every call: x->prev is the status before it, x->st after. */
static void refresh(side *x, int first) {
  bfd_session_status *t = x->prev;
  x->dl_ok = 0; /* the deadline is a function of the session's state */
  x->prev = x->st;
  x->st = t;
  x->st->struct_version = BFD_SESSION_STATUS_VERSION;
  if (bfd_session_get_status(x->s, x->st) != 0)
    fail(5, "%c: bfd_session_get_status failed", side_name(x->idx));
  check_status(x, x->prev, x->st, first);
  if (x->st->detect_time_ns > W.dmax)
    W.dmax = x->st->detect_time_ns;
  if (x->seq_first_p == NONE)
    return;
  if (x->prev->remote_discr == 0 && x->st->remote_discr != 0)
    x->seq_first_p = x->seq_last_p; /* contact: P's before it do not count */
  /* Ended (or ended and followed at once by the change that waited for
   * its Final: a new sequence, its own first P). */
  if (!x->st->poll_active || x->st->polls_sent != x->prev->polls_sent) {
    uint64_t w = x->seq_np <= 1 ? W.now : x->seq_last_p + (W.now - x->seq_first_p);
    x->win_end = max64(x->win_end, w);
    x->seq_rtt_max = max64(x->seq_rtt_max, W.now - x->seq_first_p);
    x->seq_first_p = x->seq_last_p = NONE;
    x->seq_np = 0;
  }
}

static int legal(uint8_t from, uint8_t to, uint8_t diag, int call) {
  if (to == BFD_STATE_ADMIN_DOWN)
    return call == CALL_UPDATE && from != to && diag == BFD_DIAG_ADMIN_DOWN;
  if (from == BFD_STATE_ADMIN_DOWN)
    return call == CALL_UPDATE && to == BFD_STATE_DOWN;
  if (call == CALL_UPDATE)
    return 0;
  switch (from) {
  case BFD_STATE_DOWN: /* §6.8.6: Down + Down -> Init, Down + Init -> Up */
    return call == CALL_RX && (to == BFD_STATE_INIT || to == BFD_STATE_UP);
  case BFD_STATE_INIT:
    if (to == BFD_STATE_UP)
      return call == CALL_RX;
    /* fallthrough */
  case BFD_STATE_UP:
    if (to != BFD_STATE_DOWN)
      return 0;
    if (diag == BFD_DIAG_DETECT_EXPIRED)
      return 1; /* §6.8.4; feed_packet may run expiries first */
    return diag == BFD_DIAG_NEIGHBOR_DOWN && call == CALL_RX;
  default: return 0;
  }
}

/* An Init/Up -> Down for Detection Time Expired. */
static void on_timeout(const side *x, const bfd_session_status *o, const bfd_state_event *ev) {
  char c = side_name(x->idx);
  /* §6.8.4: a Detection Time without a packet, not less. */
  if (o->last_rx == NONE || o->detect_time_ns == 0 || ev->ts < o->last_rx + o->detect_time_ns)
    fail(5, "%c: detection expired early: last rx %.6f + detect %.3f ms > %.6f", c,
         secs(o->last_rx), msec(o->detect_time_ns), secs(ev->ts));
  if (sys_clean() && x->last_accept != NONE && x->last_accept >= W.clean3_start + k3())
    fail(3,
         "FALSE FAILURE: %c %s -> Down (Detection Time Expired) on a clean link: last packet "
         "received %.6f s, %.3f ms after the clean phase began at %.6f s (K = %.3f ms); the "
         "peer's packets did not arrive within the Detection Time %.3f ms (RFC 5880 §6.8.3, "
         "§6.8.4)",
         c, bfd_state_name(ev->old_state), secs(x->last_accept),
         msec(x->last_accept - W.clean3_start), secs(W.clean3_start), msec(k3()),
         msec(o->detect_time_ns));
}

static void process_events(side *x, const bfd_session_status *o, int call) {
  const bfd_session_status *n = x->st;
  uint8_t state = o->state;
  uint32_t seq = o->change_seq;
  uint64_t ups = 0, downs = 0;
  unsigned i;
  char c = side_name(x->idx);
  if (x->nev_lost)
    fail(5, "%c: more than %d state changes in one call", c, MAXEV);
  for (i = 0; i < x->nev; i++) {
    const bfd_state_event *ev = &x->ev[i];
    trace(TR_STATE, x->idx, ev->old_state, ev->new_state, ev->local_diag, 0, 0);
    if (ev->old_state != state || ev->change_seq != seq + 1 || ev->ts != W.now)
      fail(5, "%c: state event %s -> %s seq %u ts %.6f, but the session was %s seq %u", c,
           bfd_state_name(ev->old_state), bfd_state_name(ev->new_state), (unsigned)ev->change_seq,
           secs(ev->ts), bfd_state_name(state), (unsigned)seq);
    if (!legal(ev->old_state, ev->new_state, ev->local_diag, call))
      fail(5, "%c: illegal transition %s -> %s diag %u (call kind %d)", c,
           bfd_state_name(ev->old_state), bfd_state_name(ev->new_state), (unsigned)ev->local_diag,
           call);
    if (ev->new_state == BFD_STATE_UP) {
      ups++;
      x->up_at = W.now;
      x->skip_at_up = recent_ps(x);
    }
    if (ev->old_state == BFD_STATE_UP && ev->new_state == BFD_STATE_DOWN)
      downs++;
    if (ev->new_state == BFD_STATE_DOWN && ev->local_diag == BFD_DIAG_DETECT_EXPIRED)
      on_timeout(x, o, ev);
    /* Leaving Up, a Required Min RX decrease still waiting for its Final is
     * in force at once (§6.8.3 only lags it while Up) and stays so when the
     * session comes Up again before the peer knows it: as a change made
     * while not Up, the peer learns it within K. "Knows": what it took, a
     * larger value still on its way to it, or one it took within a round
     * trip and the largest interval (its packets sent at that rate are
     * still arriving). */
    if (ev->old_state == BFD_STATE_UP && W.sd[1 - x->idx].s && W.clean3_start < W.now &&
        leave_up_known(x))
      W.clean3_start = W.now;
    if (ev->new_state == BFD_STATE_DOWN && call != CALL_UPDATE) {
      /* Converged, nothing in flight is stale: no reason to go Down. */
      if (W.converged)
        fail(4, "%c: %s -> Down (diag %u) after the pair had converged, with no event since", c,
             bfd_state_name(ev->old_state), (unsigned)ev->local_diag);
      /* A Down packet sent before the peer came Up knocks it Down again
       * (§6.8.6); with a delay beyond the slow interval such stale Downs can
       * keep a handshake bouncing for long. The bound restarts. */
      W.conv_start = max64(W.conv_start, W.now);
    }
    state = ev->new_state;
    seq = ev->change_seq;
  }
  x->nev = 0;
  if (n->state != state || n->change_seq != seq)
    fail(5, "%c: status %s seq %u, events say %s seq %u", c, bfd_state_name(n->state),
         (unsigned)n->change_seq, bfd_state_name(state), (unsigned)seq);
  if (n->up_count != o->up_count + ups || n->down_count != o->down_count + downs)
    fail(5, "%c: up/down counts %llu/%llu -> %llu/%llu with %llu Up and %llu Up->Down events", c,
         (unsigned long long)o->up_count, (unsigned long long)o->down_count,
         (unsigned long long)n->up_count, (unsigned long long)n->down_count,
         (unsigned long long)ups, (unsigned long long)downs);
}

/* ------------------------------------------------------------------------ */
/* Sessions                                                                 */
/* ------------------------------------------------------------------------ */

static uint32_t new_discr(const side *x) {
  uint32_t v;
  do
    v = (uint32_t)sm64(&W.rng);
  while (v == 0 || v == W.sd[SA].cfg.local_discr || v == W.sd[SB].cfg.local_discr ||
         v == x->discr_prev);
  return v;
}

static void create(side *x) {
  bfd_callbacks cb;
  int rv;
  (void)bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb);
  cb.state_change = cb_state;
  cb.nexthop = cb_nexthop;
  cb.rand = cb_rand;
  x->discr_prev = x->cfg.local_discr;
  x->cfg.local_discr = new_discr(x);
  x->nh_down = x->owe_f = 0;
  x->nev = x->nev_lost = 0;
  x->last_accept = x->gap_prev = x->seq_first_p = x->seq_last_p = NONE;
  x->p_taken_sent = x->good_rtt = NONE;
  x->seq_rtt_max = 0;
  x->up_at = 0;
  x->pring_n = x->pring_old = x->skip_at_up = x->rxring_n = 0;
  x->win_end = 0;
  x->seq_np = 0;
  M.open = 1;
  rv = bfd_session_new(&x->s, &x->cfg, &cb, &k_mem, x, W.now);
  M.open = 0;
  if (rv != 0 || !x->s)
    fail(5, "%c: bfd_session_new: %s", side_name(x->idx), bfd_strerror(rv));
  if (x->nev)
    fail(5, "%c: state change during bfd_session_new", side_name(x->idx));
  memset(x->sb, 0, sizeof(x->sb));
  refresh(x, 1);
  if (x->st->state != (x->cfg.admin_down ? BFD_STATE_ADMIN_DOWN : BFD_STATE_DOWN))
    fail(5, "%c: new session in state %s", side_name(x->idx), bfd_state_name(x->st->state));
}

static void destroy(side *x) {
  if (!x->s)
    return;
  M.open = 1;
  bfd_session_del(x->s);
  M.open = 0;
  x->s = NULL;
  x->dl_ok = 0;
  x->owe_f = 0;
  if (x->nh_down)
    fail(5, "%c: deleted with the nexthop left DOWN", side_name(x->idx));
}

static int running(const side *x) { return x->s && !x->stall_end; }

/* bfd_session_next_deadline() reads only the session's state, which only a
 * call changes (each is followed by refresh()): asked once per call. */
static uint64_t deadline(side *x) {
  if (!x->dl_ok) {
    x->dl = bfd_session_next_deadline(x->s);
    x->dl_ok = 1;
  }
  return x->dl;
}

/* ------------------------------------------------------------------------ */
/* Link                                                                     */
/* ------------------------------------------------------------------------ */

/* Duplication or reordering in either direction: stale and repeated
 * packets flip the peer's state, each change sends at once (§6.8.7 SHOULD)
 * and each Poll gets a Final (rate limit only a MAY), so the feedback can
 * reach 1 and the rate is no longer bounded by the intervals. */
static int wire_amplifies(void) {
  int d;
  for (d = 0; d < 2; d++)
    if (W.ln[d].dup_p16 || (W.ln[d].jitter && W.ln[d].reorder))
      return 1;
  return 0;
}

/* QLEN is >= 3000 packets/s per direction for the longest flight (3 s delay
 * + 1 s jitter + 1 s duplicate offset): several times the fastest periodic
 * rate with one Final per Poll and every packet duplicated. A full queue is
 * a storm (invariant 2), unless the receiving host is stalled or down (its
 * socket buffer is full) or the link amplifies (see wire_amplifies; a
 * robustness limit reported, not an RFC violation): then the packet is lost,
 * in a phase that is not clean anyway. */
static int q_less(const qpkt *a, const qpkt *b) {
  return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void heap_up(int d, uint32_t i) {
  flight *f = &F[d];
  uint16_t v = f->heap[i];
  while (i > 0) {
    uint32_t up = (i - 1) / 2;
    if (!q_less(&Q[d][v], &Q[d][f->heap[up]]))
      break;
    f->heap[i] = f->heap[up];
    i = up;
  }
  f->heap[i] = v;
}

static void heap_down(int d) {
  flight *f = &F[d];
  uint32_t i = 0, n = f->hn;
  uint16_t v = f->heap[0];
  for (;;) {
    uint32_t c = 2 * i + 1;
    if (c >= n)
      break;
    if (c + 1 < n && q_less(&Q[d][f->heap[c + 1]], &Q[d][f->heap[c]]))
      c++;
    if (!q_less(&Q[d][f->heap[c]], &Q[d][v]))
      break;
    f->heap[i] = f->heap[c];
    i = c;
  }
  f->heap[i] = v;
}

/* The next packet to arrive on direction d, NULL if none. */
static const qpkt *q_top(int d) {
  const flight *f = &F[d];
  if (f->rn && (!f->hn || q_less(&Q[d][f->ring[f->rhead]], &Q[d][f->heap[0]])))
    return &Q[d][f->ring[f->rhead]];
  return f->hn ? &Q[d][f->heap[0]] : NULL;
}

/* Removes q_top(d); its slot stays intact until the next q_push. */
static const qpkt *q_pop(int d) {
  flight *f = &F[d];
  uint16_t slot;
  if (f->rn && (!f->hn || q_less(&Q[d][f->ring[f->rhead]], &Q[d][f->heap[0]]))) {
    slot = f->ring[f->rhead];
    f->rhead = (f->rhead + 1) & (QLEN - 1);
    f->rn--;
  } else {
    slot = f->heap[0];
    if (--f->hn) {
      f->heap[0] = f->heap[f->hn];
      heap_down(d);
    }
  }
  f->freel[f->nfree++] = slot;
  f->tainted -= Q[d][slot].taint;
  if (--f->count == 0)
    f->max_at = 0;
  return &Q[d][slot];
}

/* QLEN is >= 3000 packets/s per direction for the longest flight (3 s delay
 * + 1 s jitter + 1 s duplicate offset): several times the fastest periodic
 * rate with one Final per Poll and every packet duplicated. A full queue is
 * a storm (invariant 2), unless the receiving host is stalled or down (its
 * socket buffer is full) or the link amplifies (see wire_amplifies; a
 * robustness limit reported, not an RFC violation): then the packet is lost,
 * in a phase that is not clean anyway. */
static int q_push(int d, const qpkt *p, uint64_t at) {
  flight *f = &F[d];
  const side *y = &W.sd[1 - d];
  uint16_t slot;
  if (f->count == QLEN) {
    if (!y->s || y->stall_end || wire_amplifies())
      return 0;
    if (2 * f->tainted >= f->count) {
      /* The link was healed in a storm it made: what it sent is still in
       * flight, and answered, so the queue stays full for a while. A drop
       * is a loss on the link all the same. */
      ev_link();
      return 0;
    }
    fail(2,
         "%c->%c: more than %u packets in flight (%u of them from the link's amplification): a "
         "packet storm",
         side_name(d), side_name(1 - d), QLEN, f->tainted);
  }
  slot = f->nfree ? f->freel[--f->nfree] : (uint16_t)f->fresh++;
  Q[d][slot] = *p;
  Q[d][slot].at = at;
  Q[d][slot].seq = f->seq++;
  f->tainted += p->taint;
  if (!f->rn || Q[d][f->ring[(f->rhead + f->rn - 1) & (QLEN - 1)]].at <= at) {
    f->ring[(f->rhead + f->rn) & (QLEN - 1)] = slot;
    f->rn++;
  } else {
    f->heap[f->hn] = slot;
    heap_up(d, f->hn++);
  }
  f->count++;
  f->max_at = max64(f->max_at, at);
  return 1;
}

static uint64_t arrival(wire *l, uint64_t extra) {
  uint64_t at = W.now + l->delay + extra;
  if (l->jitter)
    at += sm64(&l->rng) % (l->jitter + 1);
  if (!l->reorder && at < l->last_at)
    at = l->last_at; /* FIFO */
  l->last_at = max64(l->last_at, at);
  return at;
}

static void wire_send(int d, const qpkt *p, const bfd_ctrl_pkt *pk) {
  wire *l = &W.ln[d];
  int drop = 0, burst_over = 0;
  uint8_t pf = p->flags & (BFD_FLAG_P | BFD_FLAG_F);
  uint64_t at;
  if (l->partition) {
    drop = 1;
  } else {
    switch (l->loss_kind) {
    case LOSS_RANDOM: drop = rnd16(&l->rng) < l->loss_p16; break;
    case LOSS_NTH:
      if (++l->nth_ctr >= l->nth) {
        l->nth_ctr = 0;
        drop = 1;
      }
      break;
    case LOSS_P: drop = (p->flags & BFD_FLAG_P) != 0; break;
    case LOSS_F: drop = (p->flags & BFD_FLAG_F) != 0; break;
    case LOSS_PF: drop = pf != 0; break;
    case LOSS_PF_HALF: drop = pf && (rnd16(&l->rng) & 1); break;
    case LOSS_BURST:
      drop = 1;
      if (--l->burst == 0) {
        l->loss_kind = LOSS_OFF;
        burst_over = 1;
      }
      break;
    default: break;
    }
  }
  if (drop) {
    trace(TR_LOST, d, p->flags, p->state, pk->desired_min_tx_us, pk->required_min_rx_us, 0);
  } else {
    at = arrival(l, 0);
    if (q_push(d, p, at))
      trace(TR_TX, d, p->flags, p->state, pk->desired_min_tx_us, pk->required_min_rx_us,
            (uint32_t)((at - W.now) / US));
    else
      trace(TR_LOST, d, p->flags, p->state, pk->desired_min_tx_us, pk->required_min_rx_us, 0);
    if (l->dup_p16 && rnd16(&l->rng) < l->dup_p16) {
      qpkt c = *p;
      c.dup = 1;
      at = arrival(l, l->dup_extra ? sm64(&l->rng) % (l->dup_extra + 1) : 0);
      (void)q_push(d, &c, at);
    }
  }
  if (burst_over)
    ev_link();
}

/* ------------------------------------------------------------------------ */
/* Calls into the sessions                                                  */
/* ------------------------------------------------------------------------ */

static const bfd_rx_info k_ri = {
    BFD_MODE_SINGLE_HOP, BFD_AF_INET, 255, BFD_RX_TTL, 0, {0}, {0}, 0, 0};

/* A Final ended x's Poll Sequence whose first P went out at first_p.
 * RFC 5880 §6.5 gives a Final no way to name its Poll: every sequence
 * skips the Finals the core still counts as owed to older P's, and it
 * gives a P's Final up after one to two buckets of max(twice its largest
 * recent first-P-to-Final time, 1 s). One that answers an older P ends the
 * sequence all the same only when its round trip is at least 1 s and
 * longer than any the side measured with a Final of its own (the path's
 * round trip grew past what the core could know), and no rule on the
 * receiver's side can tell. Such a Final starts the clean phase again
 * (invariants 3, 4): what it put in force the peer learns within K. It
 * stays a failure otherwise (the count and the window are the core's to
 * keep), before and after coming Up alike. */
static void final_attribution(side *x, const qpkt *p, uint64_t first_p) {
  uint64_t rtt;
  if (p->answers == NONE || first_p == NONE || p->answers > W.now)
    return;
  rtt = W.now - p->answers;
  if (p->answers >= first_p) {
    x->good_rtt = rtt;
    return;
  }
  /* Excused: a P the core may have given up. It keeps a P's Final owed
   * for at least OWED_MIN_NS and twice its largest recent first-P-to-Final
   * time, which is at least the round trip of a Final it took for its own
   * (good_rtt): so a Final later than both, i.e. the round trip grew past
   * any the side has measured (or it has measured none).
   * And a duplicated Final, counted twice by the Finals-owed count (kept
   * up to a minute): after one, fewer Finals are skipped than are still
   * owed, and §6.5 leaves no other way to tell an old one. The clean phase
   * starts again at such a Final. */
  if ((rtt >= OWED_MIN_NS && (x->good_rtt == NONE || rtt > x->good_rtt)) ||
      (x->dupf_at != NONE && W.now - x->dupf_at < OWED_HORIZON_NS)) {
    trace(TR_NOTE, x->idx, 0, 0, (uint32_t)min64(rtt / US, UINT32_MAX),
          x->good_rtt == NONE ? 0 : (uint32_t)min64(x->good_rtt / US, UINT32_MAX), 0);
    W.clean3_start = max64(W.clean3_start, W.now);
    W.conv_start = max64(W.conv_start, W.now);
    ev_reset();
  }
}

static void deliver(side *x, const qpkt *p) {
  const bfd_session_status *n, *o;
  char c = side_name(x->idx);
  int rv, want, accepted;
  uint64_t first_p = x->seq_first_p;
  rv = bfd_session_feed_packet(x->s, p->buf, p->len, &k_ri, W.now);
  trace(TR_RX, x->idx, p->flags, p->state, p->tx_us, p->rx_us, (uint32_t)rv);
  if (p->dup && (p->flags & BFD_FLAG_F))
    x->dupf_at = W.now;
  refresh(x, 0);
  n = x->st;
  o = x->prev;
  process_events(x, o, CALL_RX);
  /* §6.8.6: what a peer's well-formed packet must meet. */
  if (p->your_discr != 0 && p->your_discr != o->local_discr)
    want = BFD_ERR_PKT_NO_SESSION;
  else if (p->your_discr == 0 && p->state != BFD_STATE_DOWN && p->state != BFD_STATE_ADMIN_DOWN)
    want = BFD_ERR_PKT_YOUR_DISCR;
  else if (o->state == BFD_STATE_ADMIN_DOWN)
    want = 1; /* BFD_FEED_ADMIN_DOWN, or BFD_ERR_PKT_ADMIN_DOWN before issue 11 */
  else
    want = 0;
  accepted = rv >= 0 || rv == BFD_ERR_PKT_ADMIN_DOWN;
  if (want == 1 ? !(rv == 1 || rv == BFD_ERR_PKT_ADMIN_DOWN) : rv != want)
    fail(5, "%c: feed_packet returned %d (%s), expected %d (%s) (your discr %08x, ours %08x)", c,
         rv, bfd_strerror(rv), want, bfd_strerror(want), (unsigned)p->your_discr,
         (unsigned)o->local_discr);
  if (accepted) {
    x->last_accept = W.now;
    x->rx_any = 1;
    if (n->last_rx != W.now)
      fail(5, "%c: accepted a packet but last_rx is %.6f", c, secs(n->last_rx));
    if (rv == 0 && n->rx_packets != o->rx_packets + 1)
      fail(5, "%c: accepted a packet, rx_packets %llu -> %llu", c,
           (unsigned long long)o->rx_packets, (unsigned long long)n->rx_packets);
    if (p->flags & BFD_FLAG_F) {
      x->rx_f = 1;
    }
    if (p->flags & BFD_FLAG_P) {
      x->rx_p = 1;
      if (rv == 0) { /* §6.8.6: AdminDown discards before the Final */
        x->owe_f = 1;
        x->p_taken_sent = p->sent;
      }
    }
    /* A Final ended the running sequence (another may have started at
     * once: a change that waited for it). */
    if ((p->flags & BFD_FLAG_F) && o->poll_active &&
        (!n->poll_active || n->polls_sent != o->polls_sent))
      final_attribution(x, p, first_p);
  } else if (n->state != o->state || n->remote_discr != o->remote_discr ||
             n->last_rx != o->last_rx || n->detect_time_ns != o->detect_time_ns ||
             n->tx_interval_ns != o->tx_interval_ns || n->poll_active != o->poll_active ||
             n->rx_packets != o->rx_packets || n->rx_dropped != o->rx_dropped + 1) {
    fail(5,
         "%c: a rejected packet (%s) changed the session: state %s->%s remote %08x->%08x "
         "last_rx %.6f->%.6f detect %.3f->%.3f ms tx_interval %.3f->%.3f ms poll %u->%u rx "
         "%llu->%llu dropped %llu->%llu",
         c, bfd_strerror(rv), bfd_state_name(o->state), bfd_state_name(n->state),
         (unsigned)o->remote_discr, (unsigned)n->remote_discr, secs(o->last_rx), secs(n->last_rx),
         msec(o->detect_time_ns), msec(n->detect_time_ns), msec(o->tx_interval_ns),
         msec(n->tx_interval_ns), (unsigned)o->poll_active, (unsigned)n->poll_active,
         (unsigned long long)o->rx_packets, (unsigned long long)n->rx_packets,
         (unsigned long long)o->rx_dropped, (unsigned long long)n->rx_dropped);
  }
}

static void check_tx(side *x, const bfd_session_status *o, const uint8_t *buf, ptrdiff_t len,
                     bfd_ctrl_pkt *pk) {
  const bfd_session_status *n = x->st;
  char c = side_name(x->idx);
  int rv;
  if (len >= 2 && (buf[1] & (BFD_FLAG_P | BFD_FLAG_F)) == (BFD_FLAG_P | BFD_FLAG_F))
    fail(1, "%c sent a packet with both P and F set (RFC 5880 §6.5)", c);
  rv = bfd_ctrl_pkt_decode(pk, buf, (size_t)len);
  if (rv != 0)
    fail(1, "%c sent a packet that does not decode: %s", c, bfd_strerror(rv));
  if (len != BFD_CTRL_LEN || pk->length != BFD_CTRL_LEN ||
      (pk->flags & (BFD_FLAG_A | BFD_FLAG_D | BFD_FLAG_M | BFD_FLAG_C)))
    fail(5, "%c sent length %d flags %02x (no auth, demand or cpi configured)", c, (int)len,
         (unsigned)pk->flags);
  if (pk->state != n->state || pk->diag != n->local_diag || pk->detect_mult != x->cfg.detect_mult ||
      pk->my_discr != n->local_discr || pk->your_discr != n->remote_discr ||
      pk->required_min_echo_rx_us != 0)
    fail(5,
         "%c sent state %s diag %u mult %u my %08x your %08x, session %s diag %u mult %u my "
         "%08x remote %08x",
         c, bfd_state_name(pk->state), (unsigned)pk->diag, (unsigned)pk->detect_mult,
         (unsigned)pk->my_discr, (unsigned)pk->your_discr, bfd_state_name(n->state),
         (unsigned)n->local_diag, (unsigned)x->cfg.detect_mult, (unsigned)n->local_discr,
         (unsigned)n->remote_discr);
  if (pk->state != BFD_STATE_UP && pk->desired_min_tx_us < 1000000u)
    fail(5, "%c sent %s with Desired Min TX %u us, below 1 s (RFC 5880 §6.8.3)", c,
         bfd_state_name(pk->state), (unsigned)pk->desired_min_tx_us);
  if (pk->flags & BFD_FLAG_F) {
    if (!x->owe_f)
      fail(5, "%c sent a Final without a Poll to answer (§6.5)", c);
    x->owe_f = 0;
  } else if (((pk->flags & BFD_FLAG_P) != 0) != (n->poll_active != 0)) {
    fail(5, "%c sent a packet with P=%d while poll_active=%u (§6.5)", c,
         (pk->flags & BFD_FLAG_P) != 0, (unsigned)n->poll_active);
  }
  if (n->tx_packets != o->tx_packets + 1 || n->last_tx != W.now ||
      n->finals_sent != o->finals_sent + ((pk->flags & BFD_FLAG_F) != 0))
    fail(5, "%c: after sending, tx_packets %llu -> %llu finals %llu -> %llu last_tx %.6f", c,
         (unsigned long long)o->tx_packets, (unsigned long long)n->tx_packets,
         (unsigned long long)o->finals_sent, (unsigned long long)n->finals_sent, secs(n->last_tx));
}

/* Invariant 4: the packet rate once converged (§6.8.7 jitter). */
static void check_gap(side *x, uint8_t flags) {
  const side *y = &W.sd[1 - x->idx];
  if (!W.converged || (flags & (BFD_FLAG_P | BFD_FLAG_F))) {
    x->gap_prev = NONE;
    return;
  }
  if (x->gap_prev != NONE) {
    uint64_t gap = W.now - x->gap_prev, iv = exp_tx(x, y);
    uint64_t lo = iv - iv / 4, hi = x->cfg.detect_mult == 1 ? iv - iv / 10 : iv;
    if (gap + US < lo || gap > hi + US)
      fail(4,
           "%c: converged, but packets %.3f ms apart; negotiated interval %.3f ms, allowed "
           "[%.3f, %.3f] ms (§6.8.7)",
           side_name(x->idx), msec(gap), msec(iv), msec(lo), msec(hi));
  }
  x->gap_prev = W.now;
}

static void drain(side *x) {
  int k;
  for (k = 0;; k++) {
    bfd_ctrl_pkt pk;
    qpkt p; /* written in place: the session's packet goes into p.buf */
    ptrdiff_t n;
    if (k == DRAIN_MAX)
      fail(2, "%c: poll_packet returned %d packets at one instant", side_name(x->idx), k);
    n = bfd_session_poll_packet(x->s, p.buf, sizeof(p.buf), W.now);
    if (n < 0)
      fail(5, "%c: poll_packet: %s", side_name(x->idx), bfd_strerror((int)n));
    refresh(x, 0);
    process_events(x, x->prev, CALL_TIME);
    if (n == 0)
      return;
    check_tx(x, x->prev, p.buf, n, &pk);
    if (pk.flags & BFD_FLAG_P) {
      x->tx_p = 1;
      x->pring[x->pring_n++ % PRING] = W.now;
      if (x->seq_first_p == NONE)
        x->seq_first_p = W.now;
      x->seq_last_p = W.now;
      x->seq_np++;
    }
    if (pk.flags & BFD_FLAG_F)
      x->tx_f = 1;
    check_gap(x, pk.flags);
    p.at = 0; /* q_push sets at and seq */
    p.seq = 0;
    p.sent = W.now;
    p.answers = (pk.flags & BFD_FLAG_F) ? x->p_taken_sent : NONE;
    p.len = (uint8_t)n;
    p.flags = pk.flags;
    p.state = pk.state;
    p.taint = wire_amplifies() || x->taint_at == W.now;
    p.dup = 0;
    p.your_discr = pk.your_discr;
    p.tx_us = pk.desired_min_tx_us;
    p.rx_us = pk.required_min_rx_us;
    if (x->rxring_n && x->rxring[(x->rxring_n - 1) % PRING] == pk.required_min_rx_us) {
      x->rxring_at[(x->rxring_n - 1) % PRING] = W.now; /* the run goes on */
    } else {
      x->rxring_at[x->rxring_n % PRING] = W.now;
      x->rxring[x->rxring_n++ % PRING] = pk.required_min_rx_us;
    }
    wire_send(x->idx, &p, &pk);
  }
}

static void feed_time(side *x) {
  int rv = bfd_session_feed_time(x->s, W.now);
  if (rv != 0)
    fail(5, "%c: feed_time: %s", side_name(x->idx), bfd_strerror(rv));
  refresh(x, 0);
  process_events(x, x->prev, CALL_TIME);
}

/* A host wakes a session when its deadline is due (every other time with
 * feed_time first, else poll_packet alone runs the expiries); now and then it
 * polls anyway, and then nothing may be due (invariant 2). */
static void service(side *x) {
  uint64_t dl = deadline(x);
  if (dl <= W.now) {
    if (++x->wakes & 1)
      feed_time(x);
    drain(x);
    return;
  }
  if (++x->idle % 16 == 0) {
    /* It may do housekeeping (start an owed Poll whose window ended: its P
     * goes out with the next periodic packet anyway), but send nothing and
     * change no state. */
    uint8_t buf[BFD_CTRL_LEN_MAX];
    ptrdiff_t n = bfd_session_poll_packet(x->s, buf, sizeof(buf), W.now);
    int changed = x->nev != 0;
    refresh(x, 0);
    process_events(x, x->prev, CALL_TIME);
    if (n != 0 || changed)
      fail(2, "%c: next deadline %.6f, but poll_packet at %.6f returned %d (state %s -> %s)",
           side_name(x->idx), secs(dl), secs(W.now), (int)n, bfd_state_name(x->prev->state),
           bfd_state_name(x->st->state));
  }
}

/* ------------------------------------------------------------------------ */
/* Convergence (invariant 4)                                                */
/* ------------------------------------------------------------------------ */

/* lagging: only a change that waits for a Final (§6.8.3: a larger TX
 * interval, a smaller RX interval) may still be missing; the status' remote
 * values against the peer's configuration tell which side's change it is.
 * full: also no Poll Sequence running. */
static void check_rates(const char *which, uint64_t since, uint64_t bound, int lagging, int full) {
  int i;
  for (i = 0; i < 2; i++) {
    const side *x = &W.sd[i], *y = &W.sd[1 - i];
    const bfd_session_status *n = x->st;
    char c = side_name(i);
    uint32_t rrx = n->remote_required_min_rx_us, rtx = n->remote_desired_min_tx_us;
    if (n->state != BFD_STATE_UP || n->remote_discr != y->cfg.local_discr ||
        n->remote_detect_mult != y->cfg.detect_mult)
      fail(4,
           "%s: %c is %s (remote discr %08x mult %u, peer's %08x mult %u) %.3f s after %.6f s "
           "(bound %.3f s)",
           which, c, bfd_state_name(n->state), (unsigned)n->remote_discr,
           (unsigned)n->remote_detect_mult, (unsigned)y->cfg.local_discr,
           (unsigned)y->cfg.detect_mult, secs(W.now) - secs(since), secs(since),
           (double)bound / 1e9);
    /* The peer's Required Min RX decrease not yet sent, or our own Desired
     * Min TX increase not yet in force; mirrored for the Detection Time. */
    if (lagging && (rrx > y->cfg.required_min_rx_us ||
                    (rrx == y->cfg.required_min_rx_us && n->tx_interval_ns < exp_tx(x, y))))
      ;
    else if (n->tx_interval_ns != exp_tx(x, y))
      fail(4,
           "%s: %c tx_interval %.3f ms, negotiated max(own Desired Min TX %u, remote Required "
           "Min RX %u) = %.3f ms, %.3f s after %.6f s (bound %.3f s)",
           which, c, msec(n->tx_interval_ns), (unsigned)x->cfg.desired_min_tx_us,
           (unsigned)y->cfg.required_min_rx_us, msec(exp_tx(x, y)), secs(W.now) - secs(since),
           secs(since), (double)bound / 1e9);
    if (lagging && (rtx < y->cfg.desired_min_tx_us ||
                    (rtx == y->cfg.desired_min_tx_us && n->detect_time_ns > exp_dt(x, y))))
      ;
    else if (n->detect_time_ns != exp_dt(x, y))
      fail(4,
           "%s: %c detect_time %.3f ms, negotiated remote mult %u x max(own Required Min RX %u, "
           "remote Desired Min TX %u) = %.3f ms, %.3f s after %.6f s (bound %.3f s)",
           which, c, msec(n->detect_time_ns), (unsigned)y->cfg.detect_mult,
           (unsigned)x->cfg.required_min_rx_us, (unsigned)y->cfg.desired_min_tx_us,
           msec(exp_dt(x, y)), secs(W.now) - secs(since), secs(since), (double)bound / 1e9);
    if (full && n->poll_active)
      fail(4, "%s: %c still runs a Poll Sequence %.3f s after %.6f s (bound %.3f s)", which, c,
           secs(W.now) - secs(since), secs(since), (double)bound / 1e9);
  }
}

static void check_converged(void) {
  uint64_t ca0, ca;
  if (!sys_clean())
    return;
  if (W.tight_at != NONE && W.now >= W.tight_at) {
    check_rates("CONVERGENCE after a partition healed (2 RTT + 2 intervals)", W.tight_from,
                W.tight_at - W.tight_from, 0, 0);
    W.tight_at = NONE;
  }
  ca0 = conv_at0();
  if (W.now < ca0)
    return;
  ca = conv_at();
  if (W.now < ca) {
    check_rates("CONVERGENCE (general bound; a change waiting for a Final excepted)", W.conv_start,
                ca0 - W.conv_start, 1, 0);
    return;
  }
  check_rates("CONVERGENCE (general bound + Poll window)", W.conv_start, ca - W.conv_start, 0, 1);
  if (!W.converged) {
    W.converged = 1;
    W.dmax = max64(W.sd[SA].st->detect_time_ns, W.sd[SB].st->detect_time_ns);
    W.imax = imax_cfg();
  }
}

/* A healed partition with both sides Down and forgotten: the bound. */
static void maybe_tight(void) {
  int i;
  if (!sys_clean() || F[SA].count || F[SB].count)
    return;
  for (i = 0; i < 2; i++)
    if (W.sd[i].st->state != BFD_STATE_DOWN || W.sd[i].st->remote_discr != 0)
      return;
  W.tight_from = W.now;
  W.tight_at = W.now + 2 * rtt() + 2 * imax_cfg() + 1 * MS;
}

/* ------------------------------------------------------------------------ */
/* Event loop                                                               */
/* ------------------------------------------------------------------------ */

static int due_arrivals(void) {
  int d;
  for (d = 0; d < 2; d++) {
    const qpkt *p = q_top(d);
    if (p && p->at <= W.now && !W.sd[1 - d].stall_end)
      return 1;
  }
  return 0;
}

/* Handle everything due at W.now. */
static void step(void) {
  int i, d;
  unsigned spins;
  for (i = 0; i < 2; i++) {
    side *x = &W.sd[i];
    if (!x->s && x->absent_end && W.now >= x->absent_end) {
      x->absent_end = 0;
      create(x);
      ev_side();
    }
    if (x->stall_end && W.now >= x->stall_end) {
      x->stall_end = 0;
      ev_side();
    }
  }
  for (spins = 0;; spins++) {
    if (spins == SPIN_MAX || ++W.spins > 64 * SPIN_MAX)
      fail(2, "hot loop: the instant %.6f s handled %u times", secs(W.now), spins);
    for (d = 0; d < 2; d++) {
      side *y = &W.sd[1 - d];
      const qpkt *p;
      while ((p = q_top(d)) && p->at <= W.now && !y->stall_end) {
        p = q_pop(d); /* nothing is queued while it is read */
        if (p->taint)
          y->taint_at = W.now; /* what it sends at this instant answers it */
        if (y->s)
          deliver(y, p); /* else the host is down: lost */
      }
    }
    for (i = 0; i < 2; i++)
      if (running(&W.sd[i]))
        service(&W.sd[i]);
    if (!due_arrivals())
      break;
  }
  for (i = 0; i < 2; i++) {
    side *x = &W.sd[i];
    const bfd_session_status *n = x->st;
    uint64_t dl;
    char c = side_name(i);
    if (!running(x))
      continue;
    dl = deadline(x);
    if (dl <= W.now)
      fail(2, "%c: next deadline %.6f is not after now with nothing left to do (hot loop)", c,
           secs(dl));
    if (n->state != BFD_STATE_ADMIN_DOWN && n->tx_interval_ns && dl > W.now + n->tx_interval_ns)
      fail(2, "%c: next deadline %.3f ms away, beyond the TX interval %.3f ms (§6.8.7)", c,
           msec(dl - W.now), msec(n->tx_interval_ns));
    if ((n->state == BFD_STATE_UP || n->state == BFD_STATE_INIT) &&
        (n->last_rx == NONE || n->detect_time_ns == 0 || W.now >= n->last_rx + n->detect_time_ns))
      fail(5, "%c: still %s at %.6f, last rx %.6f + detect %.3f ms: detection late (§6.8.4)", c,
           bfd_state_name(n->state), secs(W.now), secs(n->last_rx), msec(n->detect_time_ns));
    if (x->owe_f)
      fail(5, "%c: accepted a Poll but sent no Final in the same instant (§6.8.7)", c);
  }
  check_converged();
}

static uint64_t next_wakeup(uint64_t t_end) {
  uint64_t t = t_end, ca;
  int i, d;
  for (i = 0; i < 2; i++) {
    side *x = &W.sd[i];
    if (running(x))
      t = min64(t, deadline(x));
    if (x->stall_end)
      t = min64(t, x->stall_end);
    if (!x->s && x->absent_end)
      t = min64(t, x->absent_end);
  }
  for (d = 0; d < 2; d++) {
    const qpkt *p = q_top(d);
    if (p && !W.sd[1 - d].stall_end)
      t = min64(t, p->at);
  }
  if (sys_clean()) {
    ca = conv_at0();
    if (ca > W.now)
      t = min64(t, ca);
    ca = conv_at();
    if (ca > W.now)
      t = min64(t, ca);
    if (W.tight_at != NONE && W.tight_at > W.now)
      t = min64(t, W.tight_at);
  }
  return t;
}

static void clear_step_flags(void) {
  int i;
  for (i = 0; i < 2; i++)
    W.sd[i].rx_f = W.sd[i].rx_p = W.sd[i].rx_any = W.sd[i].tx_p = W.sd[i].tx_f = 0;
}

/* UNTIL conditions (arg & 15). */
static int cond_met(int s, int cond) {
  const side *x = &W.sd[s], *y = &W.sd[1 - s];
  uint8_t st = x->s ? x->st->state : 0xff;
  switch (cond) {
  case 0: return x->rx_f;                                                    /* received a Final */
  case 1: return x->tx_p;                                                    /* sent a Poll */
  case 2: return x->tx_f;                                                    /* sent a Final */
  case 3: return st == BFD_STATE_UP;                                         /* Up */
  case 4: return st == BFD_STATE_UP && y->s && y->st->state == BFD_STATE_UP; /* both Up */
  case 5: return x->s && !x->st->poll_active;                                /* no Poll running */
  case 6: return x->rx_p;                                                    /* received a Poll */
  case 7: return st != BFD_STATE_UP;                                         /* not Up */
  case 8: return x->s && x->st->poll_active;                                 /* a Poll running */
  case 9: return W.converged;           /* converged (invariant 4 held) */
  case 10: return st == BFD_STATE_DOWN; /* Down */
  case 11: return x->rx_any;            /* received anything */
  default: return x->rx_f;
  }
}

/* Run the loop to t_end, or until the condition holds (cond >= 0). */
static void run_to(uint64_t t_end, int s, int cond) {
  if (t_end > W.time_end)
    t_end = W.time_end;
  clear_step_flags();
  if (cond >= 0 && cond_met(s, cond))
    return;
  while (!W.stop && W.now < t_end) {
    uint64_t t = next_wakeup(t_end);
    if (t <= W.now)
      fail(2, "hot loop: next wakeup %.6f not after now", secs(t));
    W.now = t;
    W.spins = 0;
    clear_step_flags();
    step();
    if (cond >= 0 && cond_met(s, cond))
      return;
    if (--W.steps_left == 0)
      W.stop = 1;
  }
  if (W.now >= W.time_end)
    W.stop = 1;
}

/* Loop steps the final settle would take at the negotiated rates (each
 * packet is a send and a receive): not worth starting past the budget. */
static int settle_affordable(void) {
  uint64_t target = conv_at() + 2 * W.imax, steps = 0;
  int i;
  if (target <= W.now)
    return 1;
  for (i = 0; i < 2; i++) {
    uint64_t iv = exp_tx(&W.sd[i], &W.sd[1 - i]);
    steps += 2 * ((target - W.now) / (iv - iv / 4) + 1);
  }
  return steps < W.steps_left;
}

static void settle(unsigned margin) {
  uint64_t target;
  if (!sys_clean()) {
    run_to(W.now + (margin + 1) * W.imax, 0, -1);
    return;
  }
  while (!W.stop && W.now < (target = conv_at() + margin * W.imax))
    run_to(target, 0, -1);
}

/* ------------------------------------------------------------------------ */
/* Operations                                                               */
/* ------------------------------------------------------------------------ */

static void set_params(side *x, uint32_t tx, uint32_t rx, uint8_t mult) {
  int changed, was_up, rv;
  if (x->stall_end)
    return; /* a stalled host runs no code */
  changed = tx != x->cfg.desired_min_tx_us || rx != x->cfg.required_min_rx_us ||
            mult != x->cfg.detect_mult;
  x->cfg.desired_min_tx_us = tx;
  x->cfg.required_min_rx_us = rx;
  x->cfg.detect_mult = mult;
  W.imax = max64(W.imax, us_ns(max32(tx, rx)));
  if (!x->s) {
    if (changed)
      ev_param(0);
    return;
  }
  was_up = x->st->state == BFD_STATE_UP;
  rv = bfd_session_update(x->s, &x->cfg, W.now);
  if (rv != 0)
    fail(5, "%c: bfd_session_update: %s", side_name(x->idx), bfd_strerror(rv));
  refresh(x, 0);
  process_events(x, x->prev, CALL_UPDATE);
  if (changed)
    ev_param(was_up);
  step();
}

static void set_admin(side *x, uint8_t on) {
  int rv;
  if (x->stall_end)
    return;
  if (!x->s) {
    if (x->cfg.admin_down != on)
      ev_side();
    x->cfg.admin_down = on;
    return;
  }
  rv = bfd_session_set_admin_down(x->s, on, W.now);
  if (rv != 0)
    fail(5, "%c: bfd_session_set_admin_down: %s", side_name(x->idx), bfd_strerror(rv));
  refresh(x, 0);
  process_events(x, x->prev, CALL_UPDATE);
  if ((x->st->state == BFD_STATE_ADMIN_DOWN) != (on != 0))
    fail(5, "%c: set_admin_down(%u) left the session %s", side_name(x->idx), (unsigned)on,
         bfd_state_name(x->st->state));
  if (x->cfg.admin_down != on) {
    x->cfg.admin_down = on;
    ev_side();
  }
  step();
}

static void restart(side *x, uint8_t arg) {
  destroy(x);
  x->stall_end = 0;
  x->absent_end = 0;
  if (arg == 0)
    create(x);
  else
    x->absent_end = W.now + min64(k_dur[arg], 600 * SEC);
  ev_side();
  step();
}

static void stall(side *x, uint8_t arg) {
  if (!x->s || x->stall_end)
    return;
  x->stall_end = W.now + min64(k_dur[arg], 3600 * SEC);
  ev_side();
}

static int heal(void) {
  int d, changed = 0;
  for (d = 0; d < 2; d++) {
    wire *l = &W.ln[d];
    changed |= wire_dirty(l);
    l->loss_kind = LOSS_OFF;
    l->burst = 0;
    l->partition = 0;
    l->dup_p16 = 0;
    l->jitter = 0;
    l->reorder = 0;
  }
  return changed;
}

static void link_op(unsigned op, unsigned sel, uint8_t arg) {
  int d;
  for (d = 0; d < 2; d++) {
    wire *l = &W.ln[d];
    wire before = *l;
    if (!(sel & 2) && (unsigned)d != (sel & 1))
      continue;
    switch (op) {
    case OP_DELAY: l->delay = k_delay[arg & 15]; break;
    case OP_LOSS:
      l->loss_kind = arg & 7;
      l->loss_p16 = k_loss_p16[(arg >> 3) & 7];
      l->nth = 2u + (arg >> 3);
      l->nth_ctr = 0;
      l->burst = 1u + 3u * (arg >> 3);
      break;
    case OP_PARTITION: l->partition = arg != 0; break;
    case OP_DUP:
      l->dup_p16 = arg ? ((arg & 15u) + 1u) * 4096u : 0;
      l->dup_extra = min64(k_delay[arg >> 4], 1 * SEC);
      break;
    case OP_JITTER:
      l->jitter = min64(k_delay[arg & 15], 1 * SEC);
      l->reorder = (arg >> 4) & 1;
      break;
    default: break;
    }
    if (memcmp(&before, l, sizeof(before)) != 0)
      ev_link();
  }
}

static void do_op(uint8_t code, uint8_t arg) {
  unsigned op = (code & 0x1fu) % OP_COUNT, sel = code >> 5;
  side *sides[2];
  int ns = 0, i;
  if ((sel & 6) == 6) {
    sides[ns++] = &W.sd[SA];
    sides[ns++] = &W.sd[SB];
  } else {
    sides[ns++] = &W.sd[sel & 1];
  }
  trace(TR_OP, (int)(sel & 1), op, arg, sel, 0, 0);
  switch (op) {
  case OP_ADVANCE: run_to(W.now + k_dur[arg], 0, -1); break;
  case OP_ADVANCE_MS: run_to(W.now + (arg + 1u) * MS, 0, -1); break;
  case OP_UNTIL: run_to(W.now + k_dur[(arg & 0xf0) | 0x0f], (int)(sel & 1), arg & 15); break;
  case OP_SET_TX:
  case OP_SET_RX:
  case OP_SET_MULT:
  case OP_SET_TXRX:
    for (i = 0; i < ns; i++) {
      side *x = sides[i];
      uint32_t tx = x->cfg.desired_min_tx_us, rx = x->cfg.required_min_rx_us;
      uint8_t mult = x->cfg.detect_mult;
      if (op == OP_SET_TX)
        tx = k_iv_us[arg & 15];
      else if (op == OP_SET_RX)
        rx = k_iv_us[arg & 15];
      else if (op == OP_SET_MULT)
        mult = (uint8_t)(1 + arg % 5);
      else {
        tx = k_iv_us[arg & 15];
        rx = k_iv_us[arg >> 4];
      }
      set_params(x, tx, rx, mult);
    }
    break;
  case OP_DELAY:
  case OP_LOSS:
  case OP_DUP:
  case OP_JITTER: link_op(op, sel, arg); break;
  case OP_PARTITION:
    link_op(op, sel, arg);
    if (!arg)
      maybe_tight();
    break;
  case OP_ADMIN:
    for (i = 0; i < ns; i++)
      set_admin(sides[i], arg & 1);
    break;
  case OP_RESTART:
    for (i = 0; i < ns; i++)
      restart(sides[i], arg);
    break;
  case OP_STALL:
    for (i = 0; i < ns; i++)
      stall(sides[i], arg);
    break;
  case OP_HEAL:
    if (heal())
      ev_link();
    maybe_tight();
    break;
  case OP_SETTLE: settle(arg & 3u); break;
  default: break;
  }
}

/* ------------------------------------------------------------------------ */
/* Entry points                                                             */
/* ------------------------------------------------------------------------ */

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  uint64_t d = 100 * US;
  int i;
  (void)argc;
  (void)argv;
  for (i = 0; i < 256; i++) {
    k_dur[i] = d;
    d += d * 707 / 10000;
  }
  g_verbose = getenv("FUZZ_PAIR_TRACE") != NULL;
  g_summary = g_verbose || getenv("FUZZ_PAIR_SUMMARY") != NULL;
  return 0;
}

static void world_init(const uint8_t *h) {
  uint32_t seed =
      (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
  int i;
  memset(&W, 0, sizeof(W));
  for (i = 0; i < 2; i++) { /* not the slot arrays: 200 kB an input */
    flight *f = &F[i];
    f->count = f->rhead = f->rn = f->hn = f->nfree = f->fresh = f->seq = f->tainted = 0;
    f->max_at = 0;
  }
  TRn = 0;
  W.now = T0;
  W.time_end = T0 + TIME_CAP;
  W.steps_left = (h[6] & 15) >= 10 && h[6] >> 4 >= 10 ? STEP_BUDGET_LONG : STEP_BUDGET;
  W.budget = W.steps_left;
  W.rng = 0x5eed0000ULL ^ ((uint64_t)seed << 20);
  W.tight_at = NONE;
  for (i = 0; i < 2; i++) {
    wire *l = &W.ln[i];
    side *x = &W.sd[i];
    l->delay = k_delay[i ? h[7] >> 4 : h[7] & 15];
    l->rng = sm64(&W.rng);
    x->idx = i;
    x->st = &x->sb[0];
    x->prev = &x->sb[1];
    x->rng = sm64(&W.rng);
    (void)bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &x->cfg);
    x->cfg.desired_min_tx_us = k_iv_us[h[4 + i] & 15];
    x->cfg.required_min_rx_us = k_iv_us[h[4 + i] >> 4];
    x->cfg.detect_mult = (uint8_t)(1 + (i ? h[6] >> 4 : h[6] & 15) % 5);
    x->last_accept = x->gap_prev = x->seq_first_p = x->seq_last_p = NONE;
    x->p_taken_sent = x->good_rtt = x->taint_at = x->dupf_at = NONE;
    x->seq_rtt_max = 0;
    x->up_at = 0;
    x->pring_n = x->pring_old = x->skip_at_up = x->rxring_n = 0;
  }
  W.clean3_start = W.conv_start = T0;
  W.dirty_at = NONE;
  W.imax = imax_cfg();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t hdr[8] = {0};
  size_t i;
  int s, nops = 0;
  memcpy(hdr, data, size < sizeof(hdr) ? size : sizeof(hdr));
  world_init(hdr);
  create(&W.sd[SA]);
  create(&W.sd[SB]);
  step();
  for (i = sizeof(hdr); i + 1 < size && nops < MAX_OPS && !W.stop; i += 2, nops++)
    do_op(data[i], data[i + 1]);
  if (!W.stop) {
    /* Heal everything, and check the pair converges. */
    if (heal())
      ev_link();
    maybe_tight();
    for (s = 0; s < 2 && !W.stop; s++) {
      side *x = &W.sd[s];
      if (x->stall_end || x->absent_end)
        run_to(max64(x->stall_end, x->absent_end), 0, -1);
    }
    for (s = 0; s < 2 && !W.stop; s++)
      set_admin(&W.sd[s], 0);
    /* Convergence out of reach: still let the Finals in flight land. */
    if (!W.stop && settle_affordable())
      settle(2);
    else if (!W.stop)
      run_to(W.now + 2 * rtt() + 2 * W.imax, 0, -1);
  }
  if (g_summary)
    fprintf(stderr,
            "fuzz_pair: %u steps, virtual time %.3f s%s; conv_start %.3f conv_at %.3f (poll "
            "allowance %.3f s) converged %u\n",
            W.budget - W.steps_left, secs(W.now), W.stop ? " (budget exhausted)" : "",
            secs(W.conv_start), secs(conv_at()), (double)poll_allow() / 1e9, (unsigned)W.converged);
  destroy(&W.sd[SA]);
  destroy(&W.sd[SB]);
  if (M.live != 0)
    fail(5, "the library leaked %ld allocations", M.live);
  return 0;
}
