/* Two-peer BFD simulator on a virtual clock; see bfd_sim.h. */
#include "bfd_sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bt_rng.h"

uint64_t bfd_sim_rand(bfd_sim *sim) { return bt_rng_next(&sim->rng); }

static void sim_fail(bfd_sim *sim, int code, const char *what) {
  if (sim->error)
    return;
  sim->error = code ? code : -1;
  snprintf(sim->errmsg, sizeof(sim->errmsg), "t=%llu ns: %s (%d %s)", (unsigned long long)sim->now,
           what, code, bfd_strerror(code));
  fprintf(stderr, "bfd_sim: %s\n", sim->errmsg);
}

static void sim_record(bfd_sim *sim, const bfd_sim_event *ev) {
  if (sim->ntrace == sim->trace_cap) {
    size_t cap = sim->trace_cap ? sim->trace_cap * 2 : 64;
    bfd_sim_event *t = realloc(sim->trace, cap * sizeof(*t));
    if (!t) {
      sim_fail(sim, BFD_ERR_NOMEM, "trace");
      return;
    }
    sim->trace = t;
    sim->trace_cap = cap;
  }
  sim->trace[sim->ntrace++] = *ev;
}

/* The sessions' randomness (discriminators, jitter): seeded per peer so a
 * run is reproducible. */
static void sim_rand_cb(uint8_t *dest, size_t len, void *user_data) {
  bfd_sim_peer *p = user_data;
  bt_rng_fill(&p->rng, dest, len);
}

/* A trace event of peer p at ts, every other field zero. */
static bfd_sim_event sim_event(const bfd_sim_peer *p, uint64_t ts, uint8_t kind) {
  bfd_sim_event e;
  memset(&e, 0, sizeof(e));
  e.t = ts;
  e.peer = (uint8_t)p->idx;
  e.kind = kind;
  return e;
}

static int sim_state_cb(bfd_session *s, const bfd_state_event *ev, void *user_data) {
  bfd_sim_peer *p = user_data;
  bfd_sim *sim = p->sim;
  bfd_sim_event e = sim_event(p, ev->ts, BFD_SIM_EV_STATE);
  e.old_state = ev->old_state;
  e.new_state = ev->new_state;
  e.local_diag = ev->local_diag;
  e.remote_state = ev->remote_state;
  e.since_rx_ns = p->last_accept == BFD_TSTAMP_NONE ? BFD_TSTAMP_NONE : ev->ts - p->last_accept;
  e.armed_detect_ns = p->armed_detect_ns;
  if (ev->new_state == BFD_STATE_UP) {
    if (p->first_up == BFD_TSTAMP_NONE)
      p->first_up = ev->ts;
    p->last_up = ev->ts;
  } else if (ev->old_state == BFD_STATE_UP) {
    p->flaps++;
    p->last_down = ev->ts;
  }
  if (sim->verbose)
    printf("    %12.6f %c %s -> %s diag %u (%s)\n", (double)ev->ts / 1e9, 'A' + p->idx,
           bfd_state_name(ev->old_state), bfd_state_name(ev->new_state), ev->local_diag,
           bfd_diag_name(ev->local_diag));
  sim_record(sim, &e);
  return p->rec ? bt_rec_on_state(s, ev, p->rec) : 0;
}

static int sim_nexthop_cb(bfd_session *s, const bfd_nexthop_event *ev, void *user_data) {
  bfd_sim_peer *p = user_data;
  bfd_sim_event e = sim_event(p, ev->ts, BFD_SIM_EV_NEXTHOP);
  e.nh_action = ev->action;
  e.nh_cause = ev->cause;
  e.local_diag = ev->diag;
  if (ev->action == BFD_NEXTHOP_DOWN)
    p->nh_down_events++;
  if (p->sim->verbose)
    printf("    %12.6f %c nexthop %s cause %u\n", (double)ev->ts / 1e9, 'A' + p->idx,
           ev->action == BFD_NEXTHOP_UP ? "UP" : "DOWN", ev->cause);
  sim_record(p->sim, &e);
  return p->rec ? bt_rec_on_nh(s, ev, p->rec) : 0;
}

static int sim_params_cb(bfd_session *s, const bfd_params_event *ev, void *user_data) {
  bfd_sim_peer *p = user_data;
  return p->rec ? bt_rec_on_params(s, ev, p->rec) : 0;
}

static int sim_auth_cb(bfd_session *s, const bfd_auth_failure_event *ev, void *user_data) {
  bfd_sim_peer *p = user_data;
  return p->rec ? bt_rec_on_auth(s, ev, p->rec) : 0;
}

void bfd_sim_init(bfd_sim *sim, uint64_t seed) {
  int i;
  memset(sim, 0, sizeof(*sim));
  sim->rng = seed;
  sim->last_t = BFD_TSTAMP_NONE;
  (void)bfd_callbacks_init(BFD_CALLBACKS_VERSION, &sim->cb);
  sim->cb.state_change = sim_state_cb;
  sim->cb.nexthop = sim_nexthop_cb;
  sim->cb.rand = sim_rand_cb;
  sim->cb.params = sim_params_cb;
  sim->cb.auth_failure = sim_auth_cb;
  /* Single-hop, as a host reading IP_RECVTTL would report it (GTSM). */
  sim->ri.mode = BFD_MODE_SINGLE_HOP;
  sim->ri.family = BFD_AF_INET;
  sim->ri.ttl = BFD_TTL_MAX;
  sim->ri.flags = BFD_RX_TTL;
  for (i = 0; i < 2; i++) {
    bfd_sim_peer *p = &sim->peer[i];
    p->sim = sim;
    p->idx = i;
    p->rng = seed ^ (0x5851f42d4c957f2dULL * (i == 0 ? 1u : 2u));
    p->first_up = p->last_up = p->last_down = BFD_TSTAMP_NONE;
    p->last_accept = BFD_TSTAMP_NONE;
    p->min_poll_detect_ns = BFD_TSTAMP_NONE;
  }
  sim->verbose = getenv("BFD_SIM_VERBOSE") ? atoi(getenv("BFD_SIM_VERBOSE")) : 0;
}

void bfd_sim_fini(bfd_sim *sim) {
  bfd_sim_stop(sim, 0);
  bfd_sim_stop(sim, 1);
  free(sim->trace);
  sim->trace = NULL;
  sim->ntrace = sim->trace_cap = 0;
}

bfd_session_settings bfd_sim_settings(uint32_t interval_us, uint8_t mult) {
  bfd_session_settings st;
  (void)bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &st);
  st.desired_min_tx_us = interval_us;
  st.required_min_rx_us = interval_us;
  st.detect_mult = mult;
  return st;
}

int bfd_sim_start(bfd_sim *sim, int idx, const bfd_session_settings *st) {
  bfd_sim_peer *p = &sim->peer[idx];
  int rv;
  if (p->s)
    return BFD_ERR_EXISTS;
  p->st = *st;
  p->was_polling = 0;
  p->last_accept = BFD_TSTAMP_NONE;
  p->armed_detect_ns = 0;
  rv = bfd_session_new(&p->s, st, &sim->cb, NULL, p, sim->now);
  if (rv != 0)
    sim_fail(sim, rv, "bfd_session_new");
  return rv;
}

void bfd_sim_stop(bfd_sim *sim, int idx) {
  bfd_sim_peer *p = &sim->peer[idx];
  if (!p->s)
    return;
  bfd_session_del(p->s);
  p->s = NULL;
  (void)sim;
}

void bfd_sim_set_link(bfd_sim *sim, uint64_t delay_ns, uint64_t jitter_ns, uint32_t loss_ppm) {
  int d;
  for (d = 0; d < 2; d++) {
    sim->link[d].delay_ns = delay_ns;
    sim->link[d].jitter_ns = jitter_ns;
    sim->link[d].loss_ppm = loss_ppm;
  }
}

void bfd_sim_set_dir(bfd_sim *sim, int dir, uint64_t delay_ns, uint64_t jitter_ns,
                     uint32_t loss_ppm) {
  sim->link[dir].delay_ns = delay_ns;
  sim->link[dir].jitter_ns = jitter_ns;
  sim->link[dir].loss_ppm = loss_ppm;
}

void bfd_sim_partition(bfd_sim *sim, int on) {
  sim->link[0].partitioned = sim->link[1].partitioned = (uint8_t)(on != 0);
}

int bfd_sim_update(bfd_sim *sim, int idx, const bfd_session_settings *st) {
  bfd_sim_peer *p = &sim->peer[idx];
  int rv;
  if (!p->s)
    return BFD_ERR_NOT_FOUND;
  p->st = *st;
  rv = bfd_session_update(p->s, st, sim->now);
  if (rv != 0)
    sim_fail(sim, rv, "bfd_session_update");
  return rv;
}

bfd_session_status bfd_sim_status(const bfd_sim *sim, int idx) {
  bfd_session_status st;
  memset(&st, 0, sizeof(st));
  st.struct_version = BFD_SESSION_STATUS_VERSION;
  if (sim->peer[idx].s)
    (void)bfd_session_get_status(sim->peer[idx].s, &st);
  return st;
}

uint8_t bfd_sim_state(const bfd_sim *sim, int idx) {
  return sim->peer[idx].s ? bfd_session_get_state(sim->peer[idx].s) : BFD_STATE_DOWN;
}

const bfd_sim_event *bfd_sim_find(const bfd_sim *sim, size_t from_idx, int peer, int kind,
                                  uint8_t new_state) {
  size_t i;
  for (i = from_idx; i < sim->ntrace; i++) {
    const bfd_sim_event *e = &sim->trace[i];
    if (e->peer == peer && e->kind == kind && (new_state == 0xff || e->new_state == new_state))
      return e;
  }
  return NULL;
}

uint64_t bfd_sim_runs_ge(const bfd_sim *sim, int dir, unsigned k) {
  uint64_t n = 0;
  unsigned i;
  for (i = k < 1 ? 1 : k; i < BFD_SIM_RUNHIST; i++)
    n += sim->stat[dir].runs[i];
  if (sim->stat[dir].cur_run >= k && sim->stat[dir].cur_run > 0)
    n++;
  return n;
}

/* ------------------------------------------------------------------------ */
/* The link                                                                 */
/* ------------------------------------------------------------------------ */

static void sim_loss_run_end(bfd_sim_dirstat *ds) {
  if (ds->cur_run > 0)
    ds->runs[ds->cur_run < BFD_SIM_RUNHIST ? ds->cur_run : BFD_SIM_RUNHIST - 1]++;
  ds->cur_run = 0;
}

/* BFD_SIM_VERBOSE=2: one line per packet sent (what the sender put on the
 * wire and what the link did with it). */
static void sim_trace_pkt(const bfd_sim *sim, int dir, const uint8_t *buf, size_t len,
                          const char *fate) {
  bfd_ctrl_pkt p;
  if (sim->verbose < 2 || bfd_ctrl_pkt_decode(&p, buf, len) != 0)
    return;
  printf("    %12.6f %c>%c %-8s %-9s diag %u %c%c tx %u rx %u mult %u my %08x your %08x\n",
         (double)sim->now / 1e9, dir == BFD_SIM_AB ? 'A' : 'B', dir == BFD_SIM_AB ? 'B' : 'A', fate,
         bfd_state_name(p.state), p.diag, p.flags & BFD_FLAG_P ? 'P' : '-',
         p.flags & BFD_FLAG_F ? 'F' : '-', p.desired_min_tx_us, p.required_min_rx_us, p.detect_mult,
         p.my_discr, p.your_discr);
}

/* What the sender put on the wire, for the Final audit. */
static void sim_log_tx(bfd_sim *sim, int dir, const uint8_t *buf, size_t len) {
  bfd_ctrl_pkt p;
  if (bfd_ctrl_pkt_decode(&p, buf, len) != 0)
    return;
  sim->last_tx_us[dir] = p.desired_min_tx_us;
  sim->last_rx_us[dir] = p.required_min_rx_us;
  if (p.flags & BFD_FLAG_P) {
    bfd_sim_plog *e = &sim->plog[dir][sim->nplog[dir]++ % BFD_SIM_PLOG];
    e->sent = sim->now;
    e->tx_us = p.desired_min_tx_us;
    e->rx_us = p.required_min_rx_us;
  }
}

/* Only a Final ends a Poll Sequence (§6.5): recorded where it is accepted,
 * so a Poll that starts in the same instant does not hide the end. */
static void sim_poll_end(bfd_sim *sim, int idx, const bfd_session_status *st) {
  bfd_sim_event e = sim_event(&sim->peer[idx], sim->now, BFD_SIM_EV_POLL_END);
  e.new_state = st->state;
  e.tx_interval_ns = st->tx_interval_ns;
  e.detect_time_ns = st->detect_time_ns;
  sim_record(sim, &e);
}

/* Peer `idx` accepted a Final that ended its Poll (see bfd_sim_peer). */
static void sim_audit_final(bfd_sim *sim, int idx) {
  int out = idx == 0 ? BFD_SIM_AB : BFD_SIM_BA;
  const bfd_sim_link *lo = &sim->link[out], *li = &sim->link[1 - out];
  bfd_sim_peer *p = &sim->peer[idx];
  uint64_t rtt = lo->delay_ns + li->delay_ns, k;
  p->polls_ended++;
  if (lo->jitter_ns || li->jitter_ns || lo->reorder || li->reorder || sim->now < rtt) {
    p->unmatched_finals++;
    return;
  }
  for (k = 0; k < BFD_SIM_PLOG && k < sim->nplog[out]; k++) {
    const bfd_sim_plog *e = &sim->plog[out][(sim->nplog[out] - 1 - k) % BFD_SIM_PLOG];
    if (e->sent == sim->now - rtt) {
      if (sim->last_tx_us[out] > e->tx_us || sim->last_rx_us[out] < e->rx_us) {
        p->stale_finals++;
        if (sim->verbose)
          printf("    %12.6f %c Poll ended by the Final to the P of %.6f (tx %u rx %u), "
                 "advertising tx %u rx %u\n",
                 (double)sim->now / 1e9, 'A' + idx, (double)e->sent / 1e9, e->tx_us, e->rx_us,
                 sim->last_tx_us[out], sim->last_rx_us[out]);
      }
      return;
    }
  }
  p->unmatched_finals++;
}

static void sim_send(bfd_sim *sim, int dir, const uint8_t *buf, size_t len) {
  bfd_sim_link *l = &sim->link[dir];
  bfd_sim_dirstat *ds = &sim->stat[dir];
  uint64_t seq = ds->offered++, at;
  bfd_sim_pkt *q = sim->q[dir];
  size_t i;

  sim_log_tx(sim, dir, buf, len);
  if (l->partitioned) {
    ds->partitioned++;
    sim_trace_pkt(sim, dir, buf, len, "cut");
    return;
  }
  if (l->filter && l->filter(sim, dir, seq, buf, len, l->filter_ctx)) {
    ds->filtered++;
    ds->cur_run++;
    sim_trace_pkt(sim, dir, buf, len, "filtered");
    return;
  }
  if (l->loss_ppm && bfd_sim_rand(sim) % 1000000u < l->loss_ppm) {
    ds->lost++;
    ds->cur_run++;
    sim_trace_pkt(sim, dir, buf, len, "lost");
    return;
  }
  sim_loss_run_end(ds);
  sim_trace_pkt(sim, dir, buf, len, "sent");
  if (sim->qlen[dir] == BFD_SIM_QLEN) {
    ds->overflow++;
    sim_fail(sim, 0, "link queue overflow (a packet storm?)");
    return;
  }
  at = sim->now + l->delay_ns + (l->jitter_ns ? bfd_sim_rand(sim) % (l->jitter_ns + 1) : 0);
  /* FIFO link: a packet never overtakes the previous one. */
  if (!l->reorder && sim->qlen[dir] > 0 && at < q[sim->qlen[dir] - 1].at)
    at = q[sim->qlen[dir] - 1].at;
  /* Keep the queue sorted by arrival (ties in send order). */
  i = sim->qlen[dir];
  while (i > 0 && q[i - 1].at > at) {
    q[i] = q[i - 1];
    i--;
  }
  q[i].at = at;
  q[i].sent = sim->now;
  q[i].seq = seq;
  q[i].len = (uint8_t)len;
  memcpy(q[i].buf, buf, len);
  sim->qlen[dir]++;
  ds->delivered++;
}

static void sim_deliver(bfd_sim *sim, int dir) {
  bfd_sim_pkt pkt = sim->q[dir][0];
  bfd_sim_peer *p = &sim->peer[dir == BFD_SIM_AB ? 1 : 0];
  bfd_ctrl_pkt dec;
  int rv, was_up, ok, was_polling = 0;
  uint64_t polls = 0;
  memmove(&sim->q[dir][0], &sim->q[dir][1], (sim->qlen[dir] - 1) * sizeof(bfd_sim_pkt));
  sim->qlen[dir]--;
  if (!p->s)
    return; /* nobody listening */
  was_up = bfd_session_get_state(p->s) == BFD_STATE_UP;
  ok = bfd_ctrl_pkt_decode(&dec, pkt.buf, pkt.len) == 0;
  if (ok && (dec.flags & BFD_FLAG_F)) {
    bfd_session_status st = bfd_sim_status(sim, p->idx);
    was_polling = st.poll_active;
    polls = st.polls_sent;
  }
  rv = bfd_session_feed_packet(p->s, pkt.buf, pkt.len, &sim->ri, sim->now);
  if (rv == 0 || rv == BFD_FEED_ADMIN_DOWN) { /* valid; AdminDown only skips the FSM */
    if (was_up && p->last_accept != BFD_TSTAMP_NONE && sim->now - p->last_accept > p->max_gap_ns)
      p->max_gap_ns = sim->now - p->last_accept;
    bfd_session_status st = bfd_sim_status(sim, p->idx);
    p->accepted++;
    p->last_accept = sim->now;
    p->armed_detect_ns = st.detect_time_ns;
    p->polls_rx += ok && (dec.flags & BFD_FLAG_P);
    p->finals_rx += ok && (dec.flags & BFD_FLAG_F);
    if (was_polling) {
      /* Ended, possibly with the next Poll started in the same call. */
      bfd_session_status now = bfd_sim_status(sim, p->idx);
      if (!now.poll_active || now.polls_sent != polls) {
        sim_poll_end(sim, p->idx, &now);
        sim_audit_final(sim, p->idx);
      }
    }
  } else if (rv <= BFD_ERR_PKT_TRUNCATED && rv >= BFD_ERR_PKT_LOOPED) {
    p->rejected++; /* a discard the RFC demands, not a simulator failure */
  } else {
    sim_fail(sim, rv, "bfd_session_feed_packet");
  }
  if (sim->on_rx)
    sim->on_rx(sim, p->idx, ok ? &dec : NULL, rv, sim->on_rx_ctx);
}

/* ------------------------------------------------------------------------ */
/* The event loop                                                           */
/* ------------------------------------------------------------------------ */

static uint64_t sim_next_event(const bfd_sim *sim) {
  uint64_t t = BFD_TSTAMP_NONE, d;
  int i;
  for (i = 0; i < 2; i++) {
    if (sim->peer[i].s && (d = bfd_session_next_deadline(sim->peer[i].s)) < t)
      t = d;
    if (sim->qlen[i] && sim->q[i][0].at < t)
      t = sim->q[i][0].at;
  }
  return t;
}

static void sim_poll_peer(bfd_sim *sim, int idx) {
  bfd_sim_peer *p = &sim->peer[idx];
  uint8_t buf[BFD_CTRL_LEN_MAX];
  ptrdiff_t n;
  int rv, guard = 0;
  if (!p->s)
    return;
  if ((rv = bfd_session_feed_time(p->s, sim->now)) != 0)
    sim_fail(sim, rv, "bfd_session_feed_time");
  while ((n = bfd_session_poll_packet(p->s, buf, sizeof(buf), sim->now)) > 0) {
    /* More than a Final and a periodic packet in one instant is a storm. */
    if (++guard > 4) {
      sim_fail(sim, 0, "more than 4 packets due in one instant");
      break;
    }
    if (sim->on_tx) {
      bfd_ctrl_pkt dec;
      int ok = bfd_ctrl_pkt_decode(&dec, buf, (size_t)n) == 0;
      sim->on_tx(sim, idx, buf, (size_t)n, ok ? &dec : NULL, sim->on_tx_ctx);
    }
    sim_send(sim, idx == 0 ? BFD_SIM_AB : BFD_SIM_BA, buf, (size_t)n);
  }
  if (n < 0)
    sim_fail(sim, (int)n, "bfd_session_poll_packet");
}

/* Watches what the callbacks do not report: timer values while polling. */
static void sim_sample(bfd_sim *sim, int idx) {
  bfd_sim_peer *p = &sim->peer[idx];
  bfd_session_status st;
  if (!p->s)
    return;
  st = bfd_sim_status(sim, idx);
  if (st.poll_active && st.state == BFD_STATE_UP && st.tx_interval_ns > p->max_poll_tx_ns)
    p->max_poll_tx_ns = st.tx_interval_ns;
  if (st.poll_active && st.state == BFD_STATE_UP && st.detect_time_ns != 0 &&
      st.detect_time_ns < p->min_poll_detect_ns)
    p->min_poll_detect_ns = st.detect_time_ns;
  p->was_polling = st.poll_active;
}

int bfd_sim_run(bfd_sim *sim, uint64_t until) {
  while (!sim->error) {
    uint64_t t = sim_next_event(sim);
    if (t == BFD_TSTAMP_NONE || t > until)
      break;
    if (t < sim->now)
      t = sim->now; /* overdue (e.g. right after a stop/start): run now */
    /* A deadline that stays at the same instant after it was handled is a
     * hot loop (e.g. a Required Min RX of 0 treated as "send at once"
     * instead of "send nothing", RFC 5880 §6.8.3/§6.8.7). */
    sim->same = t == sim->last_t ? sim->same + 1 : 0;
    if (sim->same > 8) {
      sim_fail(sim, 0, "hot loop: deadline does not advance");
      break;
    }
    sim->last_t = t;
    sim->now = t;
    sim->steps++;
    for (;;) {
      int dir = -1;
      if (sim->qlen[0] && sim->q[0][0].at <= t)
        dir = 0;
      /* Both due: earlier arrival first, then earlier departure. */
      if (sim->qlen[1] && sim->q[1][0].at <= t &&
          (dir < 0 || sim->q[1][0].at < sim->q[0][0].at ||
           (sim->q[1][0].at == sim->q[0][0].at && sim->q[1][0].sent < sim->q[0][0].sent)))
        dir = 1;
      if (dir < 0)
        break;
      sim_deliver(sim, dir);
    }
    sim_poll_peer(sim, 0);
    sim_poll_peer(sim, 1);
    sim_sample(sim, 0);
    sim_sample(sim, 1);
  }
  if (until > sim->now)
    sim->now = until;
  return sim->error;
}

int bfd_sim_run_until(bfd_sim *sim, uint64_t until, bfd_sim_pred_fn pred, void *ctx) {
  while (!sim->error) {
    uint64_t t;
    if (pred(sim, ctx))
      return 1;
    t = sim_next_event(sim);
    if (t == BFD_TSTAMP_NONE || t > until)
      break;
    (void)bfd_sim_run(sim, t < sim->now ? sim->now : t);
  }
  if (!sim->error && until > sim->now)
    sim->now = until;
  return !sim->error && pred(sim, ctx);
}

static int sim_both_up(bfd_sim *sim, void *ctx) {
  (void)ctx;
  return bfd_sim_state(sim, 0) == BFD_STATE_UP && bfd_sim_state(sim, 1) == BFD_STATE_UP;
}

int bfd_sim_run_until_up(bfd_sim *sim, uint64_t until) {
  return bfd_sim_run_until(sim, until, sim_both_up, NULL);
}
