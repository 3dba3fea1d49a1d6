/* Two hosts that cannot keep up, on a virtual clock: each is one thread
 * that spends `cost` of virtual time on every datagram it sends or
 * receives, so when the offered load exceeds 1 / cost its deadlines are
 * served late and its receive queue grows (and overflows: kernel drops).
 * N session pairs at 100 ms x 3 offer twice what the hosts can carry.
 * Without the governor the sessions collapse (flaps); with it on both
 * tables, every session comes Up and none goes Down once the scale has
 * settled, at a rate the hosts carry (issue 14's goal, in a model). */
#include "bfd_harness.h"

#include <stdio.h>
#include <string.h>

#define MS  BFD_MILLISECONDS
#define US  BFD_MICROSECONDS
#define SEC BFD_SECONDS
#define T0  BT_T0

#define NPAIR 1000
#define QCAP  4096 /* receive queue (the socket buffer), in datagrams */
#define BATCH 8    /* datagrams read or sent per turn */

typedef struct dgram {
  uint64_t at;
  uint16_t idx; /* the pair */
  uint8_t len;
  uint8_t buf[BFD_CTRL_LEN_MAX];
} dgram;

typedef struct side {
  bfd_table *t;
  bt_rec rec;
  bfd_session *s[NPAIR];
  bfd_session_key k[NPAIR];
  uint64_t busy_until;
  dgram q[QCAP]; /* arriving datagrams, FIFO ring */
  unsigned head, len;
  uint64_t drops, downs, rx, tx;
  uint64_t rng; /* the table's rand: every run is the same */
} side;

typedef struct world {
  side h[2];
  uint64_t cost;  /* virtual ns per datagram handled */
  uint64_t delay; /* one-way */
  uint64_t now;
} world;

/* Pair i's sessions have discriminators 0x1000 + i (A) and 0x2000 + i (B). */
static unsigned sess_index(const bfd_session *s) { return bfd_session_get_local_discr(s) & 0xfffu; }

static int on_state(bfd_session *s, const bfd_state_event *ev, void *ud) {
  side *sd = ud;
  (void)s;
  if (ev->old_state == BFD_STATE_UP && ev->new_state != BFD_STATE_UP)
    sd->downs++;
  return 0;
}

static void on_rand(uint8_t *dest, size_t len, void *ud) {
  bt_rng_fill(&((side *)ud)->rng, dest, len);
}

static void world_init(world *w, uint64_t cost, int governor) {
  int i, j;
  memset(w, 0, sizeof(*w));
  w->cost = cost;
  w->delay = 1 * MS;
  w->now = T0;
  for (j = 0; j < 2; j++) {
    side *sd = &w->h[j];
    bfd_callbacks cb;
    CU_ASSERT_EQUAL_FATAL(bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb), 0);
    cb.state_change = on_state;
    cb.rand = on_rand;
    sd->rng = 0x5eed0000u + (uint64_t)j;
    CU_ASSERT_EQUAL_FATAL(bfd_table_new(&sd->t, &cb, NULL, sd), 0);
    if (governor) {
      bfd_governor_settings gs;
      CU_ASSERT_EQUAL_FATAL(bfd_governor_settings_init(BFD_GOVERNOR_SETTINGS_VERSION, &gs), 0);
      CU_ASSERT_EQUAL_FATAL(bfd_table_set_governor(sd->t, &gs, w->now), 0);
    }
    for (i = 0; i < NPAIR; i++) {
      bfd_session_settings st = bt_settings(100000, 100000, 3);
      uint32_t a = 0x0a000000u + (uint32_t)i, b = 0x0a010000u + (uint32_t)i;
      st.local_discr = (j == 0 ? 0x1000u : 0x2000u) + (uint32_t)i;
      sd->k[i] =
          j == 0 ? bt_key4(BFD_MODE_SINGLE_HOP, a, b, 0) : bt_key4(BFD_MODE_SINGLE_HOP, b, a, 0);
      CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(sd->t, &sd->s[i], &st, &sd->k[i], NULL, w->now),
                            0);
    }
  }
}

static void world_del(world *w) {
  bfd_table_del(w->h[0].t);
  bfd_table_del(w->h[1].t);
}

/* The next instant side j does anything: its next arrival or deadline, but
 * not before it is free. */
static uint64_t next_work(const world *w, int j) {
  const side *sd = &w->h[j];
  uint64_t d = bfd_table_next_deadline(sd->t);
  if (sd->len > 0 && sd->q[sd->head].at < d)
    d = sd->q[sd->head].at;
  if (d == BFD_TSTAMP_NONE)
    return d;
  return d > sd->busy_until ? d : sd->busy_until;
}

static void deliver(world *w, int to, unsigned idx, const uint8_t *buf, size_t len, uint64_t sent) {
  side *sd = &w->h[to];
  dgram *g;
  if (sd->len == QCAP) {
    sd->drops++; /* the socket buffer is full */
    return;
  }
  g = &sd->q[(sd->head + sd->len++) % QCAP];
  g->at = sent + w->delay;
  g->idx = (uint16_t)idx;
  g->len = (uint8_t)len;
  memcpy(g->buf, buf, len);
}

/* Side j's turn from w->now: read what has arrived (a batch of at most
 * BATCH, as recvmmsg), report the drops, expire, send what is due (at most
 * BATCH: a host that sends until nothing is due would never read again
 * at capacity), then the next turn. Every datagram takes `cost` of the
 * host's time, so each call sees the clock as it is then: what waits
 * behind a batch is served late. */
static void work(world *w, int j) {
  side *sd = &w->h[j];
  uint64_t t = w->now, drops0 = sd->drops;
  bfd_session *s;
  uint8_t buf[BFD_CTRL_LEN_MAX];
  ptrdiff_t len = 0;
  unsigned n = 0;
  while (sd->len > 0 && sd->q[sd->head].at <= t && n++ < BATCH) {
    dgram *g = &sd->q[sd->head];
    bfd_rx_info ri = bt_ri_key(&sd->k[g->idx]);
    (void)bfd_table_feed_packet(sd->t, g->buf, g->len, &ri, t, NULL);
    sd->head = (sd->head + 1) % QCAP;
    sd->len--;
    sd->rx++;
    t += w->cost;
  }
  if (sd->drops > drops0)
    (void)bfd_table_note_load(sd->t, BFD_LOAD_RX_DROPS, sd->drops - drops0);
  CU_ASSERT_EQUAL_FATAL(bfd_table_feed_time(sd->t, t), 0);
  for (n = 0; n < BATCH && (len = bfd_table_poll_packet(sd->t, &s, buf, sizeof(buf), t)) > 0; n++) {
    deliver(w, !j, sess_index(s), buf, (size_t)len, t);
    sd->tx++;
    t += w->cost;
  }
  CU_ASSERT_FATAL(len >= 0);
  sd->busy_until = t > w->now ? t : w->now + 1;
}

static void world_run(world *w, uint64_t until) {
  for (;;) {
    uint64_t a = next_work(w, 0), b = next_work(w, 1);
    int j = a <= b ? 0 : 1;
    uint64_t t = j == 0 ? a : b;
    if (t > until)
      break;
    if (t > w->now)
      w->now = t;
    work(w, j);
  }
  w->now = until;
}

static bfd_table_stats stats_of(const world *w, int j) {
  bfd_table_stats st;
  memset(&st, 0, sizeof(st));
  st.struct_version = BFD_TABLE_STATS_VERSION;
  CU_ASSERT_EQUAL(bfd_table_get_stats(w->h[j].t, &st), 0);
  return st;
}

static uint64_t up_count(const world *w, int j) { return stats_of(w, j).by_state[BFD_STATE_UP]; }

/* The offered load at 100 ms: 1,000 pairs x 10 packets/s sent + 10
 * received = 20,000 datagrams/s per host; a host handles 10,000 (100 us
 * each). */
#define COST (150 * US)

/* Within capacity (20 us: 40 % busy) nothing slows and nothing
 * flaps, with or without the governor. */
static void test_within_capacity(void) {
  world w;
  int gov;
  for (gov = 0; gov <= 1; gov++) {
    world_init(&w, 20 * US, gov);
    world_run(&w, T0 + 10 * SEC);
    CU_ASSERT_EQUAL(up_count(&w, 0), NPAIR);
    CU_ASSERT_EQUAL(up_count(&w, 1), NPAIR);
    world_run(&w, T0 + 40 * SEC);
    CU_ASSERT_EQUAL(w.h[0].downs + w.h[1].downs, 0);
    CU_ASSERT_EQUAL(w.h[0].drops + w.h[1].drops, 0);
    CU_ASSERT_EQUAL(stats_of(&w, 0).governor_scale_permille, 1000);
    CU_ASSERT_EQUAL(stats_of(&w, 1).governor_scale_permille, 1000);
    world_del(&w);
  }
}

/* Twice the capacity without the governor: the sessions flap. */
static void test_overload_collapses_without_governor(void) {
  world w;
  world_init(&w, COST, 0);
  world_run(&w, T0 + 60 * SEC);
  fprintf(stderr, "\n    ungoverned: Up %llu/%llu, Up -> Down %llu/%llu, kernel drops %llu/%llu\n",
          (unsigned long long)up_count(&w, 0), (unsigned long long)up_count(&w, 1),
          (unsigned long long)w.h[0].downs, (unsigned long long)w.h[1].downs,
          (unsigned long long)w.h[0].drops, (unsigned long long)w.h[1].drops);
  CU_ASSERT(w.h[0].downs + w.h[1].downs > NPAIR); /* not a few: a collapse */
  world_del(&w);
}

/* Twice the capacity with the governor on both hosts: all Up within 10 s,
 * then no Up -> Down for 60 s, at a scale that fits the hosts. */
static void test_overload_governed(void) {
  world w;
  bfd_table_stats a, b;
  uint64_t downs_settled;
  world_init(&w, COST, 1);
  world_run(&w, T0 + 10 * SEC);
  CU_ASSERT_EQUAL(up_count(&w, 0), NPAIR);
  CU_ASSERT_EQUAL(up_count(&w, 1), NPAIR);
  downs_settled = w.h[0].downs + w.h[1].downs;
  world_run(&w, T0 + 70 * SEC);
  a = stats_of(&w, 0);
  b = stats_of(&w, 1);
  CU_ASSERT_EQUAL(w.h[0].downs + w.h[1].downs, downs_settled);
  CU_ASSERT_EQUAL(downs_settled, 0);
  CU_ASSERT_EQUAL(a.by_state[BFD_STATE_UP], NPAIR);
  CU_ASSERT_EQUAL(b.by_state[BFD_STATE_UP], NPAIR);
  /* The rate they settled at: at least 2x slower (the load fits) and not
   * the ceiling. */
  CU_ASSERT(a.governor_scale_permille >= 2000 || b.governor_scale_permille >= 2000);
  CU_ASSERT(a.governor_scale_permille < 8000 && b.governor_scale_permille < 8000);
  fprintf(stderr,
          "\n    settled: scale A %u B %u, raises %llu/%llu, lowers %llu/%llu, "
          "late max %.1f/%.1f ms, kernel drops %llu/%llu\n",
          a.governor_scale_permille, b.governor_scale_permille,
          (unsigned long long)a.governor_raises, (unsigned long long)b.governor_raises,
          (unsigned long long)a.governor_lowers, (unsigned long long)b.governor_lowers,
          (double)a.late_max_ns / 1e6, (double)b.late_max_ns / 1e6,
          (unsigned long long)w.h[0].drops, (unsigned long long)w.h[1].drops);
  world_del(&w);
}

int main(void) {
  CU_TestInfo tests[] = {
      {"within_capacity", test_within_capacity},
      {"overload_collapses_without_governor", test_overload_collapses_without_governor},
      {"overload_governed", test_overload_governed},
      CU_TEST_INFO_NULL};
  return bfd_test_run_suite("overload", tests);
}
