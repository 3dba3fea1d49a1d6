/* Property tests: random sequences of received packets (valid and invalid),
 * clock steps, parameter changes, admin down/up and polls on a few sessions
 * in a table, with invariants checked after every step; and two real
 * sessions over the simulated link (test/bfd_sim.c) with random delays and
 * live timer changes for hours of virtual time.
 *
 * The seed is printed; BFD_PROP_SEED=<n> replays a run. BFD_PROP_SECONDS
 * bounds the runtime of the first test (default 8 s, never more than 20 s).
 * BFD_PROP_PAIR_SEED=<n> replays one run of the second. */
#define _POSIX_C_SOURCE 200809L
#include "bfd_codec.h"
#include "bfd_session.h"
#include "bfd_table.h"
#include "bfd_harness.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MS BFD_MILLISECONDS
#define NS 4 /* sessions per table */

typedef struct sess_model {
  bfd_session *s;
  bfd_session_key key;
  uint32_t peer_discr;
  uint32_t state_events; /* state_change callbacks seen */
  uint8_t last_state;
  int nh_events;
  uint8_t nh_last; /* last nexthop action */
  uint64_t fed;    /* datagrams that reached this session */
  uint64_t polls_accepted;
  uint64_t finals_seen;
} sess_model;

typedef struct prop {
  uint64_t seed, rng;
  unsigned run, step;
  int failed;
  int in_admin_call;
  uint64_t now;
  bfd_table *t;
  sess_model m[NS];
  char op[64];
} prop;

static uint64_t rnd(prop *p) { return bt_rng_next(&p->rng); }
static uint32_t below(prop *p, uint32_t n) { return bt_rng_below(&p->rng, n); }

/* Stops the run at the first broken invariant with enough to replay it. */
#define CHECK(p, cond)                                                                             \
  do {                                                                                             \
    if (!(p)->failed && !(cond)) {                                                                 \
      (p)->failed = 1;                                                                             \
      printf("\n    FAILED: %s (line %d) seed %" PRIu64 " run %u step %u op %s now %" PRIu64 "\n", \
             #cond, __LINE__, (p)->seed, (p)->run, (p)->step, (p)->op, (p)->now);                  \
      CU_FAIL(#cond);                                                                              \
    }                                                                                              \
  } while (0)

/* Each session's user_data is its model (set before any callback runs). */
static sess_model *model_of(prop *p, const bfd_session *s) {
  sess_model *m = s ? bfd_session_get_user_data(s) : NULL;
  return m >= p->m && m < p->m + NS ? m : NULL;
}

static void rand_cb(uint8_t *dest, size_t len, void *user_data) {
  prop *p = user_data;
  bt_rng_fill(&p->rng, dest, len);
}

static int state_cb(bfd_session *s, const bfd_state_event *ev, void *user_data) {
  prop *p = user_data;
  sess_model *m = model_of(p, s);
  CHECK(p, m != NULL);
  if (!m)
    return 0;
  m->state_events++;
  CHECK(p, ev->old_state == m->last_state);
  CHECK(p, ev->change_seq == m->state_events);
  /* §6.8.6: there is no Up -> Init transition. */
  CHECK(p, !(ev->old_state == BFD_STATE_UP && ev->new_state == BFD_STATE_INIT));
  /* §6.8.16: AdminDown is entered and left only by the host. */
  if (ev->old_state == BFD_STATE_ADMIN_DOWN || ev->new_state == BFD_STATE_ADMIN_DOWN)
    CHECK(p, p->in_admin_call);
  CHECK(p, ev->new_state != ev->old_state);
  /* Every transition is one of §6.8.6's (or §6.8.4 expiry, §6.8.16 admin). */
  switch (ev->new_state) {
  case BFD_STATE_INIT:
    CHECK(p, ev->old_state == BFD_STATE_DOWN && ev->remote_state == BFD_STATE_DOWN);
    break;
  case BFD_STATE_UP:
    CHECK(p, (ev->old_state == BFD_STATE_DOWN && ev->remote_state == BFD_STATE_INIT) ||
                 (ev->old_state == BFD_STATE_INIT &&
                  (ev->remote_state == BFD_STATE_INIT || ev->remote_state == BFD_STATE_UP)));
    CHECK(p, ev->local_diag == BFD_DIAG_NONE);
    break;
  case BFD_STATE_DOWN:
    if (ev->old_state == BFD_STATE_ADMIN_DOWN)
      CHECK(p, ev->local_diag == BFD_DIAG_NONE);
    else
      CHECK(p,
            ev->local_diag == BFD_DIAG_DETECT_EXPIRED ||
                (ev->local_diag == BFD_DIAG_NEIGHBOR_DOWN &&
                 (ev->remote_state == BFD_STATE_DOWN || ev->remote_state == BFD_STATE_ADMIN_DOWN)));
    break;
  default: /* AdminDown */ CHECK(p, ev->local_diag == BFD_DIAG_ADMIN_DOWN); break;
  }
  CHECK(p, ev->ts == p->now);
  m->last_state = ev->new_state;
  return 0;
}

static int nh_cb(bfd_session *s, const bfd_nexthop_event *ev, void *user_data) {
  prop *p = user_data;
  sess_model *m = model_of(p, s);
  CHECK(p, m != NULL);
  if (!m)
    return 0;
  /* RFC 5882: events alternate, starting with DOWN (nothing to clear). */
  if (m->nh_events == 0)
    CHECK(p, ev->action == BFD_NEXTHOP_DOWN);
  else
    CHECK(p, ev->action != m->nh_last);
  if (ev->action == BFD_NEXTHOP_DOWN)
    CHECK(p, ev->cause == BFD_NH_CAUSE_CREATED || ev->cause == BFD_NH_CAUSE_FAILURE);
  m->nh_last = ev->action;
  m->nh_events++;
  return 0;
}

static bfd_session_settings rand_settings(prop *p) {
  static const uint32_t iv[] = {10000, 20000, 50000, 100000, 300000, 1000000, 2000000};
  bfd_session_settings st;
  (void)bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &st);
  st.desired_min_tx_us = iv[below(p, 7)];
  st.required_min_rx_us = iv[below(p, 7)];
  st.detect_mult = (uint8_t)(1 + below(p, 5));
  return st;
}

static void add_session(prop *p, int i) {
  sess_model *m = &p->m[i];
  bfd_session_settings st = rand_settings(p);
  int rv;
  memset(m, 0, sizeof(*m));
  m->key.mode = BFD_MODE_SINGLE_HOP;
  m->key.family = BFD_AF_INET;
  m->key.peer[0] = 10;
  m->key.peer[3] = (uint8_t)(1 + i);
  m->key.ifindex = (uint32_t)(1 + below(p, 2));
  m->peer_discr = 1000u + (uint32_t)i;
  m->last_state = BFD_STATE_DOWN;
  st.nexthop_policy = (uint8_t)below(p, 2);
  st.passive = below(p, 8) == 0;
  if (below(p, 8) == 0) {
    st.admin_down = 1;
    m->last_state = BFD_STATE_ADMIN_DOWN;
  }
  rv = bfd_table_add_session(p->t, &m->s, &st, &m->key, m, p->now);
  CHECK(p, rv == 0);
}

static void del_session(prop *p, int i) {
  sess_model *m = &p->m[i];
  int before = m->nh_events;
  int was_down = before > 0 && m->nh_last == BFD_NEXTHOP_DOWN;
  bfd_session_del(m->s);
  /* The clearing event, exactly when the nexthop was down. */
  CHECK(p, m->nh_events == before + was_down);
  m->s = NULL;
}

/* A datagram with random fields: valid ones from the peer (often with the
 * right Your Discriminator, so sessions do come Up), and invalid ones. */
static size_t rand_packet(prop *p, sess_model *m, uint8_t *buf, bfd_rx_info *ri) {
  bfd_ctrl_pkt pk;
  ptrdiff_t n;
  uint32_t kind = below(p, 16);
  static const uint32_t iv[] = {0, 1, 10000, 50000, 100000, 300000, 1000000, 0xffffffffu};
  memset(&pk, 0, sizeof(pk));
  /* A plausible peer: answers Down with Init, Init/Up with Up. */
  if (kind < 10) {
    uint8_t st = bfd_session_get_state(m->s);
    pk.state = st == BFD_STATE_DOWN ? BFD_STATE_INIT : BFD_STATE_UP;
    if (below(p, 6) == 0)
      pk.state = (uint8_t)below(p, 4);
  } else {
    pk.state = (uint8_t)below(p, 4);
  }
  pk.diag = (uint8_t)below(p, 9);
  switch (below(p, 6)) {
  case 0: pk.flags = BFD_FLAG_P; break;
  case 1: pk.flags = BFD_FLAG_F; break;
  case 2: pk.flags = below(p, 2) ? BFD_FLAG_D : BFD_FLAG_C; break;
  default: break;
  }
  pk.detect_mult = (uint8_t)(1 + below(p, 5));
  pk.my_discr = kind == 15 ? (uint32_t)rnd(p) | 1 : m->peer_discr;
  if (kind < 12)
    pk.your_discr = below(p, 4) ? bfd_session_get_local_discr(m->s) : 0;
  else
    pk.your_discr = below(p, 2) ? 0 : (uint32_t)rnd(p);
  pk.desired_min_tx_us = kind < 12 ? iv[2 + below(p, 5)] : iv[below(p, 8)];
  pk.required_min_rx_us = kind < 12 ? iv[2 + below(p, 5)] : iv[below(p, 8)];
  pk.required_min_echo_rx_us = iv[below(p, 8)];
  n = bfd_ctrl_pkt_encode(buf, BFD_CTRL_LEN_MAX, &pk);
  CHECK(p, n == BFD_CTRL_LEN);
  if (n <= 0)
    n = BFD_CTRL_LEN;
  /* Invalid on the wire (§6.8.6 rejects before any session sees it). */
  if (below(p, 8) == 0) {
    switch (below(p, 7)) {
    case 0:
      buf[0] = (uint8_t)((buf[0] & 0x1f) | (below(p, 7) + 2) << 5); /* version */
      break;
    case 1: buf[1] |= BFD_FLAG_P | BFD_FLAG_F; break;
    case 2: buf[1] |= BFD_FLAG_M; break;
    case 3:
      buf[2] = 0; /* Detect Mult */
      break;
    case 4:
      memset(buf + 4, 0, 4); /* My Discr */
      break;
    case 5:
      buf[3] = (uint8_t)below(p, 24); /* Length too short */
      break;
    default:
      n = (ptrdiff_t)below(p, 24); /* truncated */
      break;
    }
  } else if (below(p, 16) == 0) {
    buf[1] |= BFD_FLAG_A; /* no auth configured: mismatch, or bad layout */
  }
  memset(ri, 0, sizeof(*ri));
  ri->mode = below(p, 20) ? m->key.mode : BFD_MODE_MULTIHOP;
  ri->family = m->key.family;
  ri->flags = BFD_RX_TTL | BFD_RX_PEER;
  ri->ttl = below(p, 20) ? 255 : (uint8_t)below(p, 255);
  if (below(p, 30) == 0)
    ri->flags = BFD_RX_PEER;
  ri->ifindex = m->key.ifindex;
  memcpy(ri->peer, m->key.peer, 16);
  return (size_t)n;
}

static void feed_one(prop *p, sess_model *m, const uint8_t *buf, size_t n, const bfd_rx_info *ri) {
  bfd_session *got = NULL;
  bfd_ctrl_pkt pk;
  int dec = bfd_ctrl_pkt_decode(&pk, buf, n);
  int rv = bfd_table_feed_packet(p->t, buf, n, ri, p->now, &got);
  sess_model *gm = got ? model_of(p, got) : NULL;
  CHECK(p, rv != BFD_ERR_CALLBACK_FAILURE && rv != BFD_ERR_CLOCK_BACKWARDS);
  if (dec != 0) {
    CHECK(p, rv == dec);
    CHECK(p, got == NULL);
    return;
  }
  (void)m;
  if (!got) {
    /* §6.8.6: Your Discr 0 outside Down/AdminDown is discarded before a
     * session is selected. */
    CHECK(p, rv == (pk.your_discr == 0 && (pk.state == BFD_STATE_INIT || pk.state == BFD_STATE_UP)
                        ? BFD_ERR_PKT_YOUR_DISCR
                        : BFD_ERR_PKT_NO_SESSION));
    return;
  }
  CHECK(p, gm != NULL);
  if (!gm)
    return;
  gm->fed++;
  if (rv == 0 && (pk.flags & BFD_FLAG_P))
    gm->polls_accepted++;
}

/* Packets the table has due now. Every one decodes, never has P and F
 * together, and belongs to a live session. */
static void drain(prop *p) {
  uint8_t buf[BFD_CTRL_LEN_MAX];
  unsigned per[NS] = {0}, replies[NS] = {0}, total = 0, nreplies = 0;
  for (;;) {
    bfd_session *s = NULL;
    bfd_ctrl_pkt pk;
    sess_model *m;
    ptrdiff_t n = bfd_table_poll_packet(p->t, &s, buf, sizeof(buf), p->now);
    CHECK(p, n >= 0);
    if (n <= 0)
      break;
    m = model_of(p, s);
    CHECK(p, m != NULL);
    CHECK(p, bfd_ctrl_pkt_decode(&pk, buf, (size_t)n) == 0);
    CHECK(p, (pk.flags & (BFD_FLAG_P | BFD_FLAG_F)) != (BFD_FLAG_P | BFD_FLAG_F));
    if (!m)
      break;
    CHECK(p, pk.my_discr == bfd_session_get_local_discr(s));
    CHECK(p, pk.state == bfd_session_get_state(s));
    {
      bfd_session_status ss;
      ss.struct_version = BFD_SESSION_STATUS_VERSION;
      (void)bfd_session_get_status(s, &ss);
      CHECK(p, pk.your_discr == ss.remote_discr); /* §6.8.7 */
      CHECK(p, pk.diag == ss.local_diag);
      CHECK(p, !(pk.flags & BFD_FLAG_P) || ss.poll_active);
      /* §6.8.3 slow start: at least 1 s advertised while not Up. */
      if (pk.state != BFD_STATE_UP)
        CHECK(p, pk.desired_min_tx_us >= 1000000);
      if (p->failed && getenv("BFD_PROP_DEBUG"))
        printf("    pkt st %u flags %#x tx %u rx %u | adv %u/%u eff %u/%u cfg %u/%u poll %u "
               "repoll %u/%u changes %u\n",
               pk.state, pk.flags, pk.desired_min_tx_us, pk.required_min_rx_us, s->adv_tx_us,
               s->adv_rx_us, s->eff_tx_us, s->eff_rx_us, s->cfg_tx_us, s->cfg_rx_us, s->poll_active,
               s->repoll, s->poll_owed, ss.change_seq);
    }
    if (pk.flags & BFD_FLAG_F)
      m->finals_seen++;
    /* At most one Final per accepted Poll (RFC 5880 §6.5: a Final answers
     * a Poll; none is queued for later). */
    CHECK(p, m->finals_seen <= m->polls_accepted);
    /* Bounded: a Final and one P/periodic packet per session per instant,
     * plus one per reply fed back in between (a state change sends at once). */
    per[m - p->m]++;
    CHECK(p, per[m - p->m] <= 2 + replies[m - p->m]);
    CHECK(p, ++total <= 2 * NS + 3 * nreplies);
    if (p->failed)
      break;
    /* Sometimes the peer answers what it got, F for P (terminates Polls). */
    if (below(p, 3) == 0) {
      bfd_ctrl_pkt r;
      bfd_rx_info ri;
      uint8_t rb[BFD_CTRL_LEN_MAX];
      ptrdiff_t rn;
      memset(&r, 0, sizeof(r));
      r.state = pk.state == BFD_STATE_DOWN         ? BFD_STATE_INIT
                : pk.state == BFD_STATE_ADMIN_DOWN ? BFD_STATE_DOWN
                                                   : BFD_STATE_UP;
      r.flags = (pk.flags & BFD_FLAG_P) ? BFD_FLAG_F : 0;
      r.detect_mult = 3;
      r.my_discr = m->peer_discr;
      r.your_discr = pk.my_discr;
      r.desired_min_tx_us = pk.required_min_rx_us;
      r.required_min_rx_us = pk.desired_min_tx_us;
      rn = bfd_ctrl_pkt_encode(rb, sizeof(rb), &r);
      CHECK(p, rn == BFD_CTRL_LEN);
      memset(&ri, 0, sizeof(ri));
      ri.mode = m->key.mode;
      ri.family = m->key.family;
      ri.ttl = 255;
      ri.flags = BFD_RX_TTL | BFD_RX_PEER;
      ri.ifindex = m->key.ifindex;
      memcpy(ri.peer, m->key.peer, 16);
      if (rn > 0)
        feed_one(p, m, rb, (size_t)rn, &ri);
      replies[m - p->m]++;
      nreplies++;
    }
  }
}

static void check_invariants(prop *p) {
  uint64_t mn = BFD_TSTAMP_NONE, td = bfd_table_next_deadline(p->t);
  int i;
  for (i = 0; i < NS && !p->failed; i++) {
    sess_model *m = &p->m[i];
    bfd_session_status st;
    uint64_t d;
    if (!m->s)
      continue;
    d = bfd_session_next_deadline(m->s);
    if (d < mn)
      mn = d;
    st.struct_version = BFD_SESSION_STATUS_VERSION;
    CHECK(p, bfd_session_get_status(m->s, &st) == 0);
    CHECK(p, st.change_seq == m->state_events);
    CHECK(p, st.state == m->last_state);
    CHECK(p, st.rx_packets + st.rx_dropped == m->fed);
    CHECK(p, st.finals_sent == m->finals_seen);
    CHECK(p, st.nexthop_down == (m->nh_events > 0 && m->nh_last == BFD_NEXTHOP_DOWN));
    /* §6.8.4: the detection timer runs from the last reception for the
     * Detection Time now in force; a change of the Detection Time re-arms it
     * from the last reception (§6.8.3). */
    if (m->s->detect_deadline != BFD_TSTAMP_NONE) {
      CHECK(p, st.last_rx != BFD_TSTAMP_NONE);
      CHECK(p, st.detect_time_ns > 0);
      CHECK(p, m->s->detect_deadline == st.last_rx + st.detect_time_ns);
    }
    /* Up needs a known remote (§6.8.6 only goes Up on a received packet). */
    if (st.state == BFD_STATE_UP || st.state == BFD_STATE_INIT)
      CHECK(p, st.remote_discr != 0 && st.detect_time_ns > 0);
    CHECK(p, st.forwarding == 0 || st.state == BFD_STATE_UP);
    /* A pending Final is due (unless passive without a remote, §6.8.7). */
    if (m->s->final_pending && !(m->s->passive && st.remote_discr == 0))
      CHECK(p, d <= m->s->final_at);
  }
  /* The lazy heaps keep their tops exact: the table's deadline is always the
   * minimum over its sessions. */
  CHECK(p, td == mn);
  if (td != mn && getenv("BFD_PROP_DEBUG")) {
    printf("    td %" PRIu64 " mn %" PRIu64 " now %" PRIu64 "\n", td, mn, p->now);
    for (i = 0; i < NS; i++)
      if (p->m[i].s) {
        bfd_session *x = p->m[i].s;
        printf("    [%d] st %u dl %" PRIu64 " next_tx %" PRIu64 " det %" PRIu64 " fin %u@%" PRIu64
               " pq_idx %u passive %u rd %u\n",
               i, x->state, bfd_session_deadline(x), x->next_tx, x->detect_deadline,
               x->final_pending, x->final_at, ((bfd_tsess *)(void *)x)->pq.idx, x->passive,
               x->remote_discr);
      }
  }
}

static void set_op(prop *p, const char *name, int i) {
  if (getenv("BFD_PROP_TRACE"))
    printf("    step %u %s[%d] now %" PRIu64 "\n", p->step, name, i, p->now);
  snprintf(p->op, sizeof(p->op), "%s[%d]", name, i);
}

static void one_step(prop *p) {
  int i = (int)below(p, NS);
  sess_model *m = &p->m[i];
  uint32_t op = below(p, 100);
  if (!m->s) {
    set_op(p, "add", i);
    add_session(p, i);
  } else if (op < 35) {
    uint8_t buf[BFD_CTRL_LEN_MAX];
    bfd_rx_info ri;
    size_t n;
    set_op(p, "rx", i);
    n = rand_packet(p, m, buf, &ri);
    feed_one(p, m, buf, n, &ri);
  } else if (op < 55) {
    uint64_t nd = bfd_table_next_deadline(p->t);
    set_op(p, "clock", i);
    if (below(p, 2) && nd != BFD_TSTAMP_NONE && nd > p->now)
      p->now = nd;
    else if (below(p, 10) == 0)
      p->now += below(p, 5000) * MS;
    else
      p->now += below(p, 200000) * BFD_MICROSECONDS;
  } else if (op < 62) {
    set_op(p, "feed_time", i);
    CHECK(p, bfd_table_feed_time(p->t, p->now) == 0);
  } else if (op < 80) {
    set_op(p, "drain", i);
    drain(p);
  } else if (op < 86) {
    bfd_session_settings st = rand_settings(p);
    bfd_session_settings cur;
    set_op(p, "update", i);
    (void)bfd_session_get_settings(m->s, &cur);
    st.nexthop_policy = cur.nexthop_policy;
    st.passive = cur.passive;
    st.admin_down = cur.admin_down;
    CHECK(p, bfd_session_update(m->s, &st, p->now) == 0);
  } else if (op < 92) {
    uint8_t down = (uint8_t)below(p, 2);
    set_op(p, down ? "admin_down" : "admin_up", i);
    p->in_admin_call = 1;
    CHECK(p, bfd_session_set_admin_down(m->s, down, p->now) == 0);
    p->in_admin_call = 0;
    CHECK(p, (bfd_session_get_state(m->s) == BFD_STATE_ADMIN_DOWN) == down);
  } else if (op < 94) {
    uint8_t buf[BFD_CTRL_LEN_MAX];
    ptrdiff_t n;
    set_op(p, "session_poll", i);
    n = bfd_session_poll_packet(m->s, buf, sizeof(buf), p->now);
    CHECK(p, n >= 0);
    /* Polled outside the table: account for its Finals too (buf is only
     * written when a packet was due). */
    if (n > 0 && (buf[1] & BFD_FLAG_F))
      m->finals_seen = m->s->finals_sent;
  } else if (op < 96) {
    set_op(p, "session_feed_time", i);
    CHECK(p, bfd_session_feed_time(m->s, p->now) == 0);
  } else if (op < 97) {
    set_op(p, "del", i);
    del_session(p, i);
  } else {
    /* A Poll flood: many P packets, still at most one Final. */
    uint8_t buf[BFD_CTRL_LEN_MAX];
    bfd_rx_info ri;
    int k;
    set_op(p, "poll_flood", i);
    for (k = 0; k < 20; k++) {
      size_t n = rand_packet(p, m, buf, &ri);
      buf[1] = (uint8_t)((buf[1] & ~BFD_FLAG_F) | BFD_FLAG_P);
      feed_one(p, m, buf, n, &ri);
    }
  }
  check_invariants(p);
}

static double elapsed(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void test_bfd_prop_random_sequences(void) {
  prop *p = calloc(1, sizeof(*p));
  const char *env = getenv("BFD_PROP_SEED");
  const char *secs_env = getenv("BFD_PROP_SECONDS");
  double budget = secs_env ? atof(secs_env) : 8.0;
  struct timespec t0;
  bfd_callbacks cb;
  unsigned runs = 0, steps = 0, ups = 0, i;
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  if (budget <= 0 || budget > 20)
    budget = 8.0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  p->seed = env ? strtoull(env, NULL, 0) : (uint64_t)t0.tv_nsec ^ ((uint64_t)t0.tv_sec << 20);
  printf("\n    seed %" PRIu64 " (replay: BFD_PROP_SEED=%" PRIu64 ")\n", p->seed, p->seed);
  fflush(stdout);
  (void)bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb);
  cb.state_change = state_cb;
  cb.nexthop = nh_cb;
  cb.rand = rand_cb;
  /* A replayed seed runs the same runs; a time budget only cuts it short. */
  for (p->run = 0; p->run < 2000 && !p->failed && elapsed(&t0) < budget; p->run++) {
    p->rng = p->seed ^ ((uint64_t)p->run * 0xd1342543de82ef95ULL);
    p->now = 1000 * BFD_SECONDS + below(p, 1000) * MS;
    memset(p->m, 0, sizeof(p->m));
    CU_ASSERT_EQUAL_FATAL(bfd_table_new(&p->t, &cb, NULL, p), 0);
    for (i = 0; i < NS; i++)
      add_session(p, (int)i);
    for (p->step = 0; p->step < 3000 && !p->failed; p->step++)
      one_step(p);
    for (i = 0; i < NS; i++)
      if (p->m[i].s) {
        bfd_session_status st;
        st.struct_version = BFD_SESSION_STATUS_VERSION;
        (void)bfd_session_get_status(p->m[i].s, &st);
        ups += (unsigned)st.up_count;
      }
    steps += p->step;
    /* table_del: each session whose nexthop is down gets its clearing UP. */
    {
      int before[NS], was_down[NS];
      for (i = 0; i < NS; i++) {
        before[i] = p->m[i].nh_events;
        was_down[i] = p->m[i].s && before[i] > 0 && p->m[i].nh_last == BFD_NEXTHOP_DOWN;
      }
      bfd_table_del(p->t);
      for (i = 0; i < NS; i++)
        CHECK(p, p->m[i].nh_events == before[i] + was_down[i]);
    }
    runs++;
  }
  printf("    %u runs, %u steps, %u transitions to Up, %.1f s\n", runs, steps, ups, elapsed(&t0));
  CU_ASSERT(runs > 0);
  CU_ASSERT(ups > 0); /* the generator does bring sessions Up */
  CU_ASSERT_EQUAL(p->failed, 0);
  free(p);
}

/* ------------------------------------------------------------------------ */
/* Two sessions, random delays and live changes, no loss: never a flap       */
/* ------------------------------------------------------------------------ */

/* One run: a floor b of 10..100 ms, Desired Min TX / Required Min RX drawn
 * from the realistic values >= b up to 1 s, Detect Mult 1..5 per side, and
 * a constant one-way delay per direction drawn from [0, 3 b], so the delay
 * reaches 3 x the TX interval in force whenever the intervals are near b.
 * For 6 virtual hours, changes of one or both values on either side at
 * random moments (bursts 0-100 ms apart, else 0-20 s), half of them as a
 * pair: one now, the next at the instant that side accepts the first Final
 * of the Poll the first one started (late Finals still in flight). With no
 * loss every ordering §6.8.3 allows is flap-free: a larger TX or smaller RX
 * waits for a Final to a P that carried it, everything else applies at once
 * and only lengthens the peer's detection time first. So: never out of Up,
 * no Poll ended by a Final to an older Poll (the simulator's Final audit),
 * and after the last change both run exactly at what the settings
 * negotiate (§6.8.4, §6.8.7) with no Poll left. */
#define PAIR_HOURS 6

typedef struct pair_run {
  uint64_t seed, rng;
  int failed;
  bfd_sim sim;
  bfd_session_settings st[2];
  int armed[2]; /* apply st[y] when y next accepts a Final */
  uint64_t changes, after_final;
} pair_run;

static uint64_t pair_rnd(pair_run *r) { return bt_rng_next(&r->rng); }

#define PCHECK(r, cond)                                                                            \
  do {                                                                                             \
    if (!(r)->failed && !(cond)) {                                                                 \
      (r)->failed = 1;                                                                             \
      printf("\n    FAILED: %s (line %d) pair seed %" PRIu64                                       \
             " (replay: BFD_PROP_PAIR_SEED=%" PRIu64                                               \
             ") at %.6f s, A tx %u rx %u x%u, B tx %u rx %u x%u, delay %.3f/%.3f ms\n",            \
             #cond, __LINE__, (r)->seed, (r)->seed, (double)(r)->sim.now / 1e9,                    \
             (r)->st[0].desired_min_tx_us, (r)->st[0].required_min_rx_us, (r)->st[0].detect_mult,  \
             (r)->st[1].desired_min_tx_us, (r)->st[1].required_min_rx_us, (r)->st[1].detect_mult,  \
             (double)(r)->sim.link[0].delay_ns / 1e6, (double)(r)->sim.link[1].delay_ns / 1e6);    \
      CU_FAIL(#cond);                                                                              \
    }                                                                                              \
  } while (0)

static void pair_on_rx(bfd_sim *sim, int peer, const bfd_ctrl_pkt *pkt, int rv, void *ctx) {
  pair_run *r = ctx;
  if (!r->armed[peer] || rv != 0 || !pkt || !(pkt->flags & BFD_FLAG_F))
    return;
  r->armed[peer] = 0;
  r->after_final++;
  PCHECK(r, bfd_sim_update(sim, peer, &r->st[peer]) == 0);
}

static int pair_fired(bfd_sim *sim, void *ctx) {
  pair_run *r = ctx;
  (void)sim;
  return !r->armed[0] && !r->armed[1];
}

static void pair_one(pair_run *r) {
  static const uint32_t vals[] = {10000,  20000,  30000,  50000,  100000,
                                  200000, 300000, 500000, 1000000};
  static const uint32_t floors[] = {10000, 20000, 50000, 100000};
  const unsigned nvals = sizeof(vals) / sizeof(vals[0]);
  const uint64_t end = PAIR_HOURS * 3600 * BFD_SECONDS;
  bfd_sim *sim = &r->sim;
  unsigned lo = 0, y;
  uint32_t b = floors[pair_rnd(r) % 4];
  while (vals[lo] < b)
    lo++;
  bfd_sim_init(sim, r->seed);
  for (y = 0; y < 2; y++) {
    r->st[y] =
        bfd_sim_settings(vals[lo + pair_rnd(r) % (nvals - lo)], (uint8_t)(1 + pair_rnd(r) % 5));
    r->st[y].required_min_rx_us = vals[lo + pair_rnd(r) % (nvals - lo)];
    bfd_sim_set_dir(sim, (int)y, pair_rnd(r) % (3 * bfd_us_to_ns(b) + 1), 0, 0);
  }
  sim->on_rx = pair_on_rx;
  sim->on_rx_ctx = r;
  PCHECK(r, bfd_sim_start(sim, 0, &r->st[0]) == 0);
  PCHECK(r, bfd_sim_start(sim, 1, &r->st[1]) == 0);
  PCHECK(r, bfd_sim_run_until_up(sim, 30 * BFD_SECONDS));
  while (!r->failed && sim->now < end) {
    uint64_t gap =
        pair_rnd(r) % 4 == 0 ? pair_rnd(r) % (100 * MS) : pair_rnd(r) % (20 * BFD_SECONDS);
    unsigned what = (unsigned)(pair_rnd(r) % 3), after = (unsigned)(pair_rnd(r) % 2);
    y = (unsigned)(pair_rnd(r) % 2);
    if (after) {
      /* A change that (mostly) starts a Poll now; the next one follows its
       * first Final. */
      uint32_t tx = r->st[y].desired_min_tx_us;
      while (r->st[y].desired_min_tx_us == tx)
        r->st[y].desired_min_tx_us = vals[lo + pair_rnd(r) % (nvals - lo)];
      r->changes++;
      PCHECK(r, bfd_sim_update(sim, (int)y, &r->st[y]) == 0);
    }
    if (what != 1)
      r->st[y].desired_min_tx_us = vals[lo + pair_rnd(r) % (nvals - lo)];
    if (what != 0)
      r->st[y].required_min_rx_us = vals[lo + pair_rnd(r) % (nvals - lo)];
    r->changes++;
    if (after) {
      /* At the next Final y accepts; at once if none comes within 5 s. */
      r->armed[y] = 1;
      (void)bfd_sim_run_until(sim, sim->now + 5 * BFD_SECONDS, pair_fired, r);
      if (r->armed[y]) {
        r->armed[y] = 0;
        PCHECK(r, bfd_sim_update(sim, (int)y, &r->st[y]) == 0);
      }
    } else {
      PCHECK(r, bfd_sim_update(sim, (int)y, &r->st[y]) == 0);
    }
    PCHECK(r, bfd_sim_run(sim, sim->now + gap) == 0);
    PCHECK(r, sim->peer[0].flaps == 0 && sim->peer[1].flaps == 0);
    PCHECK(r, sim->peer[0].stale_finals == 0 && sim->peer[1].stale_finals == 0);
  }
  /* Quiet: every Poll and §6.8.3 window is over within a minute. */
  PCHECK(r, bfd_sim_run(sim, sim->now + 60 * BFD_SECONDS) == 0);
  for (y = 0; y < 2 && !r->failed; y++) {
    bfd_session_status ss = bfd_sim_status(sim, (int)y);
    const bfd_session_settings *me = &r->st[y], *peer = &r->st[1 - y];
    uint32_t tx = me->desired_min_tx_us > peer->required_min_rx_us ? me->desired_min_tx_us
                                                                   : peer->required_min_rx_us;
    uint32_t rx = me->required_min_rx_us > peer->desired_min_tx_us ? me->required_min_rx_us
                                                                   : peer->desired_min_tx_us;
    PCHECK(r, ss.state == BFD_STATE_UP);
    PCHECK(r, ss.poll_active == 0);
    PCHECK(r, ss.tx_interval_ns == bfd_us_to_ns(tx));
    PCHECK(r, ss.detect_time_ns == peer->detect_mult * bfd_us_to_ns(rx));
    PCHECK(r, ss.remote_desired_min_tx_us == peer->desired_min_tx_us);
    PCHECK(r, ss.remote_required_min_rx_us == peer->required_min_rx_us);
    PCHECK(r, sim->peer[y].flaps == 0);
    PCHECK(r, sim->peer[y].stale_finals == 0);
    PCHECK(r, sim->peer[y].unmatched_finals == 0);
  }
  PCHECK(r, sim->error == 0);
  bfd_sim_fini(sim);
}

static void test_bfd_prop_pair_live_changes(void) {
  const char *env = getenv("BFD_PROP_PAIR_SEED");
  pair_run *r = calloc(1, sizeof(*r));
  struct timespec t0;
  uint64_t base, polls = 0, changes = 0, after = 0, steps = 0;
  unsigned run, runs = env ? 1 : 4;
  CU_ASSERT_PTR_NOT_NULL_FATAL(r);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  base = env ? strtoull(env, NULL, 0)
             : (getenv("BFD_PROP_SEED") ? strtoull(getenv("BFD_PROP_SEED"), NULL, 0)
                                        : (uint64_t)t0.tv_nsec ^ ((uint64_t)t0.tv_sec << 20));
  printf("\n    pair seeds from %" PRIu64 "\n", base);
  for (run = 0; run < runs && !r->failed; run++) {
    memset(r, 0, sizeof(*r));
    r->seed = env ? base : bt_rng_next(&base);
    r->rng = r->seed;
    pair_one(r);
    polls += r->sim.peer[0].polls_ended + r->sim.peer[1].polls_ended;
    changes += r->changes;
    after += r->after_final;
    steps += r->sim.steps;
  }
  printf("    %u runs x %d h: %" PRIu64 " changes (%" PRIu64 " right after a Final), %" PRIu64
         " Polls ended, %" PRIu64 " instants, %.1f s\n",
         run, PAIR_HOURS, changes, after, polls, steps, elapsed(&t0));
  CU_ASSERT_EQUAL(r->failed, 0);
  free(r);
}

static CU_TestInfo tests[] = {{"random sequences", test_bfd_prop_random_sequences},
                              {"pair live changes", test_bfd_prop_pair_live_changes},
                              CU_TEST_INFO_NULL};

int main(void) { return bfd_test_run_suite("prop", tests); }
