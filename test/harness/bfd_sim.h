/* Two-peer BFD simulator on a virtual clock.
 *
 * Two standalone bfd_session peers joined by a virtual point-to-point link
 * with per-direction one-way delay, delay jitter, random loss (seeded PRNG),
 * a per-packet drop filter and a partition switch. The event loop jumps the
 * clock straight to the next event, min(session deadlines, packet arrivals),
 * so every timestamp in the trace is exact (no fixed time step). Tests can
 * step until a condition holds (bfd_sim_run_until), act at the instant a
 * packet is accepted (on_rx, e.g. right after a Final) and read the Final
 * audit (bfd_sim_peer.stale_finals). A peer's events can also go to a
 * bt_rec (bfd_sim_peer.rec), and every packet sent to a tap (on_tx).
 *
 * Part of bfd_testlib (test/harness/). */
#ifndef BFD_SIM_H
#define BFD_SIM_H

#include <bfd/bfd.h>
#include <stddef.h>
#include <stdint.h>

#include "bt_rec.h"

/* Directions: 0 is A -> B, 1 is B -> A. Peers: 0 is A, 1 is B. */
enum { BFD_SIM_AB = 0, BFD_SIM_BA = 1 };

#define BFD_SIM_QLEN    256 /* in-flight packets per direction */
#define BFD_SIM_RUNHIST 16  /* loss-run histogram buckets (last = ">= 15") */

typedef struct bfd_sim bfd_sim;

/* Called after every datagram delivered to a running peer, with the peer
 * that received it, the decoded packet (NULL if it does not decode) and
 * bfd_session_feed_packet()'s result. It may change the receiver
 * (bfd_sim_update) at that instant, before the receiver's due packets go
 * out: "right after a Final arrives". */
typedef void (*bfd_sim_rx_fn)(bfd_sim *sim, int peer, const bfd_ctrl_pkt *pkt, int rv, void *ctx);

/* Called with every datagram a running peer sends (`peer`, its direction's
 * sender), before the link sees it, decoded (NULL if it does not decode). */
typedef void (*bfd_sim_tx_fn)(bfd_sim *sim, int peer, const uint8_t *buf, size_t len,
                              const bfd_ctrl_pkt *pkt, void *ctx);

/* A condition for bfd_sim_run_until(), checked after every instant. */
typedef int (*bfd_sim_pred_fn)(bfd_sim *sim, void *ctx);

/* Returns 1 to drop the packet. `seq` counts packets offered to this
 * direction since the simulator started (0-based). */
typedef int (*bfd_sim_filter_fn)(bfd_sim *sim, int dir, uint64_t seq, const uint8_t *pkt,
                                 size_t len, void *ctx);

typedef struct bfd_sim_link {
  uint64_t delay_ns;   /* fixed one-way delay */
  uint64_t jitter_ns;  /* extra uniform delay in [0, jitter_ns] */
  uint32_t loss_ppm;   /* random loss, parts per million */
  uint8_t partitioned; /* drop everything sent while set */
  uint8_t reorder;     /* 0: FIFO (a later packet never overtakes) */
  uint8_t pad[2];
  bfd_sim_filter_fn filter;
  void *filter_ctx;
} bfd_sim_link;

typedef struct bfd_sim_pkt {
  uint64_t at; /* arrival time */
  uint64_t sent;
  uint64_t seq;
  uint8_t len;
  uint8_t buf[BFD_CTRL_LEN_MAX];
} bfd_sim_pkt;

typedef struct bfd_sim_event {
  uint64_t t;
  uint8_t peer;
  uint8_t kind;                                           /* BFD_SIM_EV_* */
  uint8_t old_state, new_state, local_diag, remote_state; /* state changes */
  uint8_t nh_action, nh_cause;                            /* nexthop events */
  uint64_t tx_interval_ns, detect_time_ns;                /* poll ends */
  /* State changes: time since the last accepted packet, and the detection
   * time that packet armed (exact check of §6.8.4 expiry). */
  uint64_t since_rx_ns, armed_detect_ns;
} bfd_sim_event;

enum { BFD_SIM_EV_STATE = 0, BFD_SIM_EV_NEXTHOP = 1, BFD_SIM_EV_POLL_END = 2 };

typedef struct bfd_sim_peer {
  bfd_sim *sim;
  bfd_session *s; /* NULL while "not running" */
  bfd_session_settings st;
  uint64_t rng; /* the session's rand callback state */
  int idx;
  uint8_t was_polling;
  uint8_t pad[3];
  /* Set: the session's events (state, nexthop, params, auth failure) also
   * go to this recorder, and its return values are the callbacks'. */
  bt_rec *rec;
  /* Derived from the trace. */
  uint64_t flaps;    /* Up -> anything else */
  uint64_t first_up; /* BFD_TSTAMP_NONE until Up */
  uint64_t last_up;
  uint64_t last_down; /* last transition out of Up */
  uint64_t nh_down_events;
  uint64_t max_poll_tx_ns;     /* max tx_interval_ns seen while polling (Up) */
  uint64_t min_poll_detect_ns; /* min detect_time_ns seen while polling (Up) */
  uint64_t max_gap_ns;         /* longest time between accepted packets while Up */
  uint64_t last_accept;        /* last packet the session accepted */
  uint64_t armed_detect_ns;    /* detect_time_ns right after accepting it */
  uint64_t accepted, rejected;
  uint64_t polls_rx, finals_rx; /* accepted packets with P / with F */
  /* Final audit (§6.5, §6.8.3). With constant delays (no jitter, FIFO) the
   * Final that ends a Poll answers the P this peer sent exactly one round
   * trip earlier; that P must carry every value that waited for a Final:
   * no larger Desired Min TX and no smaller Required Min RX than the peer
   * now advertises, or a Final to an older Poll confirmed a newer change. */
  uint64_t polls_ended;      /* Poll Sequences ended by a Final */
  uint64_t stale_finals;     /* ... by a Final to a P that lacked a waiting value */
  uint64_t unmatched_finals; /* ... not audited: no P one round trip earlier,
                              * or the link has jitter or reordering */
} bfd_sim_peer;

#define BFD_SIM_PLOG 64 /* P packets remembered per direction for the audit */

typedef struct bfd_sim_plog {
  uint64_t sent;
  uint32_t tx_us, rx_us;
} bfd_sim_plog;

typedef struct bfd_sim_dirstat {
  uint64_t offered, delivered, lost, filtered, partitioned, overflow;
  uint64_t cur_run; /* consecutive losses in progress */
  uint64_t runs[BFD_SIM_RUNHIST];
} bfd_sim_dirstat;

struct bfd_sim {
  uint64_t now;
  uint64_t rng; /* link PRNG */
  bfd_sim_link link[2];
  bfd_sim_dirstat stat[2];
  /* Per direction: the last packet offered and the recent P packets. */
  uint32_t last_tx_us[2], last_rx_us[2];
  bfd_sim_plog plog[2][BFD_SIM_PLOG];
  uint64_t nplog[2];
  bfd_sim_pkt q[2][BFD_SIM_QLEN];
  size_t qlen[2];
  bfd_sim_peer peer[2];
  bfd_callbacks cb;
  bfd_rx_info ri;
  bfd_sim_rx_fn on_rx;
  void *on_rx_ctx;
  bfd_sim_tx_fn on_tx;
  void *on_tx_ctx;
  bfd_sim_event *trace;
  size_t ntrace, trace_cap;
  uint64_t steps;
  uint64_t last_t; /* hot-loop guard: last instant handled... */
  unsigned same;   /* ...and how many times in a row */
  int error;       /* first failure: API error, hot loop, queue overflow */
  int verbose;
  char errmsg[160];
};

/* Seeds everything; both peers start absent. */
void bfd_sim_init(bfd_sim *sim, uint64_t seed);
void bfd_sim_fini(bfd_sim *sim);
/* Creates peer `idx` at sim->now with `st`. Returns the bfd_session_new code. */
int bfd_sim_start(bfd_sim *sim, int idx, const bfd_session_settings *st);
/* Deletes peer `idx` (packets in flight stay in flight). */
void bfd_sim_stop(bfd_sim *sim, int idx);
/* Settings with tx = rx = `interval_us`, Detect Mult `mult`. */
bfd_session_settings bfd_sim_settings(uint32_t interval_us, uint8_t mult);
/* Same link parameters in both directions. */
void bfd_sim_set_link(bfd_sim *sim, uint64_t delay_ns, uint64_t jitter_ns, uint32_t loss_ppm);
/* Link parameters of one direction (BFD_SIM_AB / BFD_SIM_BA). */
void bfd_sim_set_dir(bfd_sim *sim, int dir, uint64_t delay_ns, uint64_t jitter_ns,
                     uint32_t loss_ppm);
void bfd_sim_partition(bfd_sim *sim, int on);
/* Runs every event with time <= until, then sets now = until. Returns
 * sim->error (0 on success). */
int bfd_sim_run(bfd_sim *sim, uint64_t until);
/* Runs instant by instant until `pred` holds (checked first, then after
 * every instant) or `until`; returns 1 when it holds, with sim->now the
 * first instant at which it did, else 0 with sim->now = until. */
int bfd_sim_run_until(bfd_sim *sim, uint64_t until, bfd_sim_pred_fn pred, void *ctx);
/* Runs until both peers are Up or `until`; returns 1 when both are Up. */
int bfd_sim_run_until_up(bfd_sim *sim, uint64_t until);
/* Live change of peer `idx` through bfd_session_update at sim->now. */
int bfd_sim_update(bfd_sim *sim, int idx, const bfd_session_settings *st);
bfd_session_status bfd_sim_status(const bfd_sim *sim, int idx);
uint8_t bfd_sim_state(const bfd_sim *sim, int idx);
/* The first trace event of `kind` for `peer` at or after `from` matching
 * new_state (state events, or 0xff for any), or NULL. */
const bfd_sim_event *bfd_sim_find(const bfd_sim *sim, size_t from_idx, int peer, int kind,
                                  uint8_t new_state);
/* Loss runs of length >= k completed or in progress in `dir`. */
uint64_t bfd_sim_runs_ge(const bfd_sim *sim, int dir, unsigned k);
/* Uniform 64-bit value from the link PRNG. */
uint64_t bfd_sim_rand(bfd_sim *sim);

#endif
