/* The table's overload governor (bfd_table_set_governor): its settings
 * contract, the policy (bfd_gov.c: raise on an overloaded window, step down
 * after a hold of headroom, dampening), and a table of Up sessions whose
 * host serves its deadlines late: every session slows through ordinary Poll
 * Sequences (RFC 5880 §6.8.3) and none goes Down, then the rates come back
 * step by step. */
#include "bfd_gov.h"
#include "bfd_harness.h"

#include <string.h>

#define MS  BFD_MILLISECONDS
#define SEC BFD_SECONDS
#define T0  BT_T0

/* ------------------------------------------------------------------------ */
/* Settings                                                                 */
/* ------------------------------------------------------------------------ */

static void test_settings_init(void) {
  bfd_governor_settings gs;
  memset(&gs, 0xab, sizeof(gs));
  CU_ASSERT_EQUAL(bfd_governor_settings_init(BFD_GOVERNOR_SETTINGS_VERSION, &gs), 0);
  CU_ASSERT_EQUAL(gs.struct_version, BFD_GOVERNOR_SETTINGS_VERSION);
  CU_ASSERT_EQUAL(gs.max_scale_permille, 8000);
  CU_ASSERT_EQUAL(gs.late_us, 5000);
  CU_ASSERT_EQUAL(gs.late_permille, 50);
  CU_ASSERT_EQUAL(gs.window_ms, 500);
  CU_ASSERT_EQUAL(gs.restore_hold_ms, 10000);
  CU_ASSERT_EQUAL(gs.raise_permille, 1500);
  CU_ASSERT_EQUAL(gs.lower_permille, 200);
  CU_ASSERT_EQUAL(bfd_governor_settings_init(BFD_GOVERNOR_SETTINGS_VERSION, NULL),
                  BFD_ERR_INVALID_ARGUMENT);
  memset(&gs, 0xab, sizeof(gs));
  CU_ASSERT_EQUAL(bfd_governor_settings_init(0, &gs), BFD_ERR_VERSION);
  CU_ASSERT_EQUAL(bfd_governor_settings_init(BFD_GOVERNOR_SETTINGS_VERSION + 1, &gs),
                  BFD_ERR_VERSION);
  CU_ASSERT_EQUAL(gs.max_scale_permille, 0xabababab); /* nothing written */
}

/* Every field's range, one bound past each end: BFD_ERR_CFG_GOVERNOR, and
 * the table keeps the governor it had. */
static void test_settings_ranges(void) {
  static const struct {
    size_t off;
    uint32_t bad, good;
  } t[] = {
      {offsetof(bfd_governor_settings, max_scale_permille), 999, 1000},
      {offsetof(bfd_governor_settings, max_scale_permille), 64001, 64000},
      {offsetof(bfd_governor_settings, late_us), 0, 1},
      {offsetof(bfd_governor_settings, late_permille), 0, 1},
      {offsetof(bfd_governor_settings, late_permille), 1001, 1000},
      {offsetof(bfd_governor_settings, window_ms), 9, 10},
      {offsetof(bfd_governor_settings, window_ms), 60001, 60000},
      {offsetof(bfd_governor_settings, restore_hold_ms), 99, 100},
      {offsetof(bfd_governor_settings, restore_hold_ms), 3600001, 3600000},
      {offsetof(bfd_governor_settings, raise_permille), 1000, 1001},
      {offsetof(bfd_governor_settings, raise_permille), 4001, 4000},
      {offsetof(bfd_governor_settings, lower_permille), 0, 1},
      {offsetof(bfd_governor_settings, lower_permille), 901, 900},
  };
  bfd_table *tb;
  bfd_table_stats st;
  size_t i;
  CU_ASSERT_EQUAL_FATAL(bfd_table_new(&tb, NULL, NULL, NULL), 0);
  for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    bfd_governor_settings gs;
    CU_ASSERT_EQUAL(bfd_governor_settings_init(BFD_GOVERNOR_SETTINGS_VERSION, &gs), 0);
    gs.restore_hold_ms = 1234;
    memcpy((uint8_t *)&gs + t[i].off, &t[i].bad, 4);
    CU_ASSERT_EQUAL(bfd_table_set_governor(tb, &gs, T0), BFD_ERR_CFG_GOVERNOR);
    memset(&st, 0, sizeof(st));
    st.struct_version = BFD_TABLE_STATS_VERSION;
    CU_ASSERT_EQUAL(bfd_table_get_stats(tb, &st), 0);
    CU_ASSERT_EQUAL(st.governor_hold_ms, 10000); /* unchanged: the default */
    memcpy((uint8_t *)&gs + t[i].off, &t[i].good, 4);
    CU_ASSERT_EQUAL(bfd_table_set_governor(tb, &gs, T0), 0);
    CU_ASSERT_EQUAL(bfd_table_get_stats(tb, &st), 0);
    CU_ASSERT_EQUAL(st.governor_hold_ms, gs.restore_hold_ms);
    CU_ASSERT_EQUAL(bfd_table_set_governor(tb, NULL, T0), 0);
  }
  {
    bfd_governor_settings gs;
    CU_ASSERT_EQUAL(bfd_governor_settings_init(BFD_GOVERNOR_SETTINGS_VERSION, &gs), 0);
    CU_ASSERT_EQUAL(bfd_table_set_governor(NULL, &gs, T0), BFD_ERR_INVALID_ARGUMENT);
    gs.struct_version = 0;
    CU_ASSERT_EQUAL(bfd_table_set_governor(tb, &gs, T0), BFD_ERR_VERSION);
    gs.struct_version = BFD_GOVERNOR_SETTINGS_VERSION + 1;
    CU_ASSERT_EQUAL(bfd_table_set_governor(tb, &gs, T0), BFD_ERR_VERSION);
    gs.struct_version = BFD_GOVERNOR_SETTINGS_VERSION;
    CU_ASSERT_EQUAL(bfd_table_feed_time(tb, T0 + SEC), 0);
    CU_ASSERT_EQUAL(bfd_table_set_governor(tb, &gs, T0), BFD_ERR_CLOCK_BACKWARDS);
  }
  CU_ASSERT_EQUAL(bfd_table_note_load(NULL, BFD_LOAD_RX_DROPS, 1), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_table_note_load(tb, 0, 1), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_table_note_load(tb, 3, 1), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_table_note_load(tb, BFD_LOAD_RX_DROPS, 7), 0);
  CU_ASSERT_EQUAL(bfd_table_note_load(tb, BFD_LOAD_TX_BLOCKED, 3), 0);
  CU_ASSERT_EQUAL(bfd_table_get_stats(tb, &st), 0);
  CU_ASSERT_EQUAL(st.load_rx_drops, 7); /* counted without a governor too */
  CU_ASSERT_EQUAL(st.load_tx_blocked, 3);
  CU_ASSERT_EQUAL(st.governor_scale_permille, 1000);
  bfd_table_del(tb);
}

/* A version-1 caller of bfd_table_get_stats gets exactly version 1's
 * bytes: nothing past rx_drops is written. */
static void test_stats_v1(void) {
  bfd_table *tb;
  union {
    bfd_table_stats st;
    uint8_t raw[sizeof(bfd_table_stats)];
  } u;
  size_t i, v1 = offsetof(bfd_table_stats, services);
  CU_ASSERT_EQUAL_FATAL(bfd_table_new(&tb, NULL, NULL, NULL), 0);
  memset(&u, 0x5a, sizeof(u));
  u.st.struct_version = 1;
  CU_ASSERT_EQUAL(bfd_table_get_stats(tb, &u.st), 0);
  CU_ASSERT_EQUAL(u.st.struct_version, 1);
  CU_ASSERT_EQUAL(u.st.sessions, 0);
  for (i = v1; i < sizeof(u.raw); i++)
    CU_ASSERT_EQUAL(u.raw[i], 0x5a);
  u.st.struct_version = BFD_TABLE_STATS_VERSION + 1;
  CU_ASSERT_EQUAL(bfd_table_get_stats(tb, &u.st), BFD_ERR_VERSION);
  bfd_table_del(tb);
}

/* ------------------------------------------------------------------------ */
/* Policy                                                                   */
/* ------------------------------------------------------------------------ */

static void gov_on(bfd_gov *g, uint32_t max, uint32_t hold_ms, uint64_t now) {
  bfd_governor_settings gs, st;
  CU_ASSERT_EQUAL_FATAL(bfd_governor_settings_init(BFD_GOVERNOR_SETTINGS_VERSION, &gs), 0);
  gs.max_scale_permille = max;
  gs.restore_hold_ms = hold_ms;
  CU_ASSERT_EQUAL_FATAL(bfd_gov_import(&gs, &st), 0);
  bfd_gov_init(g);
  CU_ASSERT_EQUAL(bfd_gov_configure(g, &st, now), 0);
}

/* One 500 ms window ending at `end` with n services, `late` of them 6 ms
 * late (above the 5 ms threshold), the rest on time. */
static int window(bfd_gov *g, uint64_t end, unsigned n, unsigned late) {
  unsigned i;
  for (i = 0; i < n; i++)
    bfd_gov_service(g, end - 100 * MS, end - 100 * MS + (i < late ? 6 * MS : 0));
  return bfd_gov_tick(g, end);
}

static void test_policy_raise_and_ceiling(void) {
  bfd_gov g;
  uint64_t t = T0;
  static const uint32_t want[] = {1500, 2250, 3375, 5062, 7593, 8000, 8000};
  size_t i;
  gov_on(&g, 8000, 10000, t);
  CU_ASSERT_EQUAL(bfd_gov_tick(&g, t + 499 * MS), 0); /* window not over */
  for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
    t += 500 * MS;
    CU_ASSERT_EQUAL(window(&g, t, 20, 1), i < 6); /* 1 of 20 = 50 permille */
    CU_ASSERT_EQUAL(g.scale, want[i]);
  }
  CU_ASSERT_EQUAL(g.raises, 6); /* the ceiling stops counting */
  /* 1 late in 21 is below 50 permille; 7 services say nothing. */
  t += 500 * MS;
  CU_ASSERT_EQUAL(window(&g, t, 21, 1), 0);
  t += 500 * MS;
  CU_ASSERT_EQUAL(window(&g, t, 7, 7), 0);
  CU_ASSERT_EQUAL(g.scale, 8000);
  CU_ASSERT_EQUAL(g.late_max_ns, 6 * MS);
  CU_ASSERT_EQUAL(g.late_hist[0], 19 * 7 + 20); /* on time */
  CU_ASSERT_EQUAL(g.late_hist[3], 7 + 1 + 7);   /* 6 ms: 4..8 ms */
}

/* An overloaded window whose lateness fell by more than a quarter since
 * the last one is a backlog draining: no raise; one that did not fall is. */
static void test_policy_draining_backlog(void) {
  bfd_gov g;
  uint64_t t = T0;
  unsigned i;
  gov_on(&g, 8000, 10000, t);
  t += 500 * MS;
  for (i = 0; i < 20; i++)
    bfd_gov_service(&g, t - 100 * MS, t - 100 * MS + 40 * MS);
  CU_ASSERT_EQUAL(bfd_gov_tick(&g, t), 1); /* mean 40 ms */
  CU_ASSERT_EQUAL(g.scale, 1500);
  t += 500 * MS;
  for (i = 0; i < 20; i++)
    bfd_gov_service(&g, t - 100 * MS, t - 100 * MS + 29 * MS);
  CU_ASSERT_EQUAL(bfd_gov_tick(&g, t), 0); /* 29 < 30: draining */
  CU_ASSERT_EQUAL(g.scale, 1500);
  t += 500 * MS;
  for (i = 0; i < 20; i++)
    bfd_gov_service(&g, t - 100 * MS, t - 100 * MS + 22 * MS);
  CU_ASSERT_EQUAL(bfd_gov_tick(&g, t), 1); /* 22 >= 21.75: not enough */
  CU_ASSERT_EQUAL(g.scale, 2250);
}

static void test_policy_load_and_restore(void) {
  bfd_gov g;
  uint64_t t = T0, raised;
  gov_on(&g, 4000, 2000, t);
  CU_ASSERT_EQUAL(bfd_gov_note(&g, BFD_LOAD_RX_DROPS, 1), 0);
  t += 500 * MS;
  CU_ASSERT_EQUAL(window(&g, t, 0, 0), 1); /* reported load alone */
  CU_ASSERT_EQUAL(g.scale, 1500);
  raised = t;
  /* Headroom: x0.8 every 2 s from the overloaded window's end (1500,
   * 1200, then 960: the configured rate). */
  while (g.scale > 1000) {
    uint32_t before = g.scale;
    t += 500 * MS;
    if (window(&g, t, 20, 0)) {
      CU_ASSERT_EQUAL(g.scale, before == 1500 ? 1200u : 1000u);
      CU_ASSERT_EQUAL(t - raised, 2 * SEC);
      raised = t;
    }
    CU_ASSERT_FATAL(t < T0 + 60 * SEC);
  }
  CU_ASSERT_EQUAL(g.lowers, 2);
  CU_ASSERT_EQUAL(g.hold_ms, 2000);
  /* At the configured rate nothing happens any more. */
  t += 500 * MS;
  CU_ASSERT_EQUAL(window(&g, t, 20, 0), 0);
  CU_ASSERT_EQUAL(g.scale, 1000);
}

/* The two windows after a step down are its own transient, not a
 * relapse; an overload after them but within the hold is one: back to the
 * scale the step left, and the hold doubles, up to 16x. Four holds of calm
 * at the configured rate forget it. */
static void test_policy_dampening(void) {
  bfd_gov g;
  uint64_t t = T0;
  unsigned k;
  gov_on(&g, 64000, 2000, t);
  for (k = 0; k < 5; k++) {
    uint32_t hold = g.hold_ms;
    uint64_t calm_end = t + (uint64_t)hold * MS + 500 * MS;
    uint64_t l0 = g.lowers;
    /* calm a hold at the configured rate (less than the 4 holds that
     * forget the relapses), then overload: 1500 */
    while (t < calm_end) {
      t += 500 * MS;
      (void)window(&g, t, 20, 0);
    }
    CU_ASSERT_EQUAL(g.hold_ms, hold);
    t += 500 * MS;
    CU_ASSERT_EQUAL(window(&g, t, 20, 20), 1);
    CU_ASSERT_EQUAL(g.scale, 1500);
    CU_ASSERT_EQUAL(g.hold_ms, hold);
    /* calm for the hold, then the step down to 1200 */
    while (g.lowers == l0) {
      t += 500 * MS;
      (void)window(&g, t, 20, 0);
      CU_ASSERT_FATAL(t < T0 + 3600 * SEC);
    }
    CU_ASSERT_EQUAL(g.scale, 1200);
    /* two overloaded windows: the step's transient */
    t += 500 * MS;
    CU_ASSERT_EQUAL(window(&g, t, 20, 20), 0);
    t += 500 * MS;
    CU_ASSERT_EQUAL(window(&g, t, 20, 20), 0);
    CU_ASSERT_EQUAL(g.scale, 1200);
    /* a third, within the hold: relapse */
    t += 500 * MS;
    CU_ASSERT_EQUAL(window(&g, t, 20, 20), 1);
    CU_ASSERT_EQUAL(g.scale, 1500);
    CU_ASSERT_EQUAL(g.hold_ms, hold < 32000 ? 2 * hold : 32000);
    /* back to the configured rate */
    while (g.scale > 1000) {
      t += 500 * MS;
      (void)window(&g, t, 20, 0);
      CU_ASSERT_FATAL(t < T0 + 7200 * SEC);
    }
  }
  CU_ASSERT_EQUAL(g.hold_ms, 32000);
  t += 4 * 32 * SEC;
  (void)window(&g, t, 20, 0);
  CU_ASSERT_EQUAL(g.hold_ms, 2000);
}

/* ------------------------------------------------------------------------ */
/* A table on a late host                                                   */
/* ------------------------------------------------------------------------ */

#define NSESS 4

typedef struct host {
  bfd_table *t;
  bt_rec rec;
  bfd_session *s[NSESS];
  bt_peer peer[NSESS];
  int owe_f[NSESS];
  uint64_t now, next_peer;
  uint32_t last_tx_us[NSESS], last_rx_us[NSESS];
} host;

static int index_of(const host *h, const bfd_session *s) {
  int i;
  for (i = 0; i < NSESS; i++)
    if (h->s[i] == s)
      return i;
  return -1;
}

static void host_init(host *h) {
  int i;
  memset(h, 0, sizeof(*h));
  bt_rec_init(&h->rec);
  h->t = bt_table_new(&h->rec, NULL, BFD_CALLBACKS_VERSION, BT_CB_STATE | BT_CB_PARAMS);
  h->now = T0;
  for (i = 0; i < NSESS; i++) {
    bfd_session_settings st = bt_settings(100000, 100000, 3);
    bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, 0x0a000001u, 0x0a000100u + (uint32_t)i, 0);
    CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(h->t, &h->s[i], &st, &k, NULL, h->now), 0);
    h->peer[i] = bt_peer_make(BFD_STATE_UP, 0x100u + (uint32_t)i, 0, 100000);
    bt_table_bring_up(h->t, h->s[i], &h->peer[i], h->now);
    h->peer[i].your = bfd_session_get_local_discr(h->s[i]);
  }
  h->next_peer = h->now + 100 * MS;
}

/* The host wakes `late` after each deadline (the table's, or the peers'
 * next packets every 100 ms), feeds what arrived, expires, sends. Each
 * peer answers a P with an F in its next packet. */
static void host_run(host *h, uint64_t until, uint64_t late) {
  unsigned guard = 0;
  for (;;) {
    uint64_t d = bfd_table_next_deadline(h->t), t;
    bfd_session *s;
    bfd_ctrl_pkt p;
    int i;
    if (d != BFD_TSTAMP_NONE)
      d += late;
    t = d < h->next_peer ? d : h->next_peer;
    if (t > until)
      break;
    CU_ASSERT_FATAL(++guard < 1000000);
    if (t > h->now)
      h->now = t;
    if (h->now >= h->next_peer) {
      for (i = 0; i < NSESS; i++) {
        bfd_session_key k;
        bfd_rx_info ri;
        h->peer[i].flags = h->owe_f[i] ? BFD_FLAG_F : 0;
        h->owe_f[i] = 0;
        CU_ASSERT_EQUAL_FATAL(bfd_session_get_key(h->s[i], &k), 0);
        ri = bt_ri_key(&k);
        CU_ASSERT_EQUAL_FATAL(bt_table_feed(h->t, &ri, &h->peer[i], h->now, NULL), 0);
      }
      h->next_peer += 100 * MS;
    }
    CU_ASSERT_EQUAL_FATAL(bfd_table_feed_time(h->t, h->now), 0);
    while (bt_table_poll(h->t, h->now, &s, &p, NULL) > 0) {
      i = index_of(h, s);
      CU_ASSERT_FATAL(i >= 0);
      if (p.flags & BFD_FLAG_P)
        h->owe_f[i] = 1;
      h->last_tx_us[i] = p.desired_min_tx_us;
      h->last_rx_us[i] = p.required_min_rx_us;
    }
  }
  h->now = until;
}

static bfd_table_stats host_stats(const host *h) {
  bfd_table_stats st;
  memset(&st, 0, sizeof(st));
  st.struct_version = BFD_TABLE_STATS_VERSION;
  CU_ASSERT_EQUAL(bfd_table_get_stats(h->t, &st), 0);
  return st;
}

/* Every session advertises scale x 100 ms, has it in status, and the
 * params event said GOVERNED (or not) last. */
static void expect_scale(host *h, uint32_t scale) {
  int i;
  for (i = 0; i < NSESS; i++) {
    bfd_session_status st;
    const bt_ev *e = NULL;
    unsigned j;
    st = bt_status(h->s[i]);
    CU_ASSERT_EQUAL(st.scale_permille, scale);
    CU_ASSERT_EQUAL(st.state, BFD_STATE_UP);
    CU_ASSERT_EQUAL(st.desired_min_tx_us, 100000); /* configured: unchanged */
    CU_ASSERT_EQUAL(st.required_min_rx_us, 100000);
    CU_ASSERT_EQUAL(h->last_tx_us[i], 100u * scale);
    CU_ASSERT_EQUAL(h->last_rx_us[i], 100u * scale);
    CU_ASSERT_EQUAL(st.detect_time_ns, 3 * 100 * MS * scale / 1000);
    CU_ASSERT_EQUAL(st.tx_interval_ns, 100 * MS * scale / 1000);
    for (j = 0; j < h->rec.n; j++)
      if (h->rec.ev[j].kind == BT_EV_PARAMS && h->rec.ev[j].s == h->s[i])
        e = &h->rec.ev[j];
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->pe.flags, scale > 1000 ? BFD_PARAMS_EV_GOVERNED : 0);
    CU_ASSERT_EQUAL(e->pe.desired_min_tx_us, 100u * scale);
    CU_ASSERT_EQUAL(e->pe.required_min_rx_us, 100u * scale);
  }
}

static void test_table_late_host(void) {
  host h;
  bfd_governor_settings gs;
  bfd_table_stats st;
  uint64_t t_raise, t;
  uint32_t scale;
  host_init(&h);
  host_run(&h, h.now + SEC, 0);
  st = host_stats(&h);
  CU_ASSERT_EQUAL(st.by_state[BFD_STATE_UP], NSESS);
  CU_ASSERT_EQUAL(st.governor_scale_permille, 1000);
  CU_ASSERT_EQUAL(st.late_max_ns, 0);

  CU_ASSERT_EQUAL(bfd_governor_settings_init(BFD_GOVERNOR_SETTINGS_VERSION, &gs), 0);
  gs.max_scale_permille = 2000;
  gs.restore_hold_ms = 2000;
  CU_ASSERT_EQUAL(bfd_table_set_governor(h.t, &gs, h.now), 0);
  /* 20 ms late: two windows raise the scale to the ceiling, 2x. */
  host_run(&h, h.now + 3 * SEC, 20 * MS);
  st = host_stats(&h);
  CU_ASSERT_EQUAL(st.governor_scale_permille, 2000);
  CU_ASSERT_EQUAL(st.governor_raises, 2);
  CU_ASSERT_EQUAL(st.late_max_ns, 20 * MS);
  CU_ASSERT(st.late_hist[5] > 0); /* 16..32 ms */
  CU_ASSERT_EQUAL(st.by_state[BFD_STATE_UP], NSESS);
  expect_scale(&h, 2000);
  /* Nobody flapped: the only state events are the bring-up ones. */
  CU_ASSERT_EQUAL(bt_rec_count(&h.rec, 0, BT_EV_STATE), 2 * NSESS);

  /* On time again: x0.8 every 2 s of headroom (1600, 1280, 1024, 1000). */
  t_raise = h.now;
  scale = 2000;
  for (t = h.now; scale > 1000 && t < h.now + 30 * SEC;) {
    t += 50 * MS;
    host_run(&h, t, 0);
    st = host_stats(&h);
    if (st.governor_scale_permille != scale) {
      CU_ASSERT_EQUAL(st.governor_scale_permille, scale * 4 / 5 > 1010 ? scale * 4 / 5 : 1000u);
      CU_ASSERT(t - t_raise >= 2 * SEC);
      CU_ASSERT(t - t_raise <= 2 * SEC + 700 * MS); /* a window + a call */
      scale = st.governor_scale_permille;
      t_raise = t;
    }
  }
  CU_ASSERT_EQUAL(scale, 1000);
  CU_ASSERT_EQUAL(st.governor_lowers, 4);
  host_run(&h, h.now + SEC, 0); /* the last Finals */
  expect_scale(&h, 1000);
  CU_ASSERT_EQUAL(bt_rec_count(&h.rec, 0, BT_EV_STATE), 2 * NSESS);

  /* Late again, then off: the configured rate at once. Late 1 s after the
   * last step down is a relapse (back to the scale it left, the hold
   * doubled), and the step's settle windows may still run: up to five
   * 500 ms windows to the ceiling, wherever the windows fall (the jitter
   * moves them): 4 s, not 2 s (1 run in 30 failed with 2 s). */
  host_run(&h, h.now + 4 * SEC, 20 * MS);
  CU_ASSERT_EQUAL(host_stats(&h).governor_scale_permille, 2000);
  CU_ASSERT_EQUAL(bfd_table_set_governor(h.t, NULL, h.now), 0);
  CU_ASSERT_EQUAL(host_stats(&h).governor_scale_permille, 1000);
  host_run(&h, h.now + SEC, 20 * MS);
  expect_scale(&h, 1000);
  CU_ASSERT_EQUAL(host_stats(&h).governor_scale_permille, 1000);
  CU_ASSERT_EQUAL(bt_rec_count(&h.rec, 0, BT_EV_STATE), 2 * NSESS);
  bfd_table_del(h.t);
}

/* A session added while the governor slows the table starts at its scale. */
static void test_table_new_session_scaled(void) {
  host h;
  bfd_governor_settings gs;
  bfd_session *s;
  bfd_session_status st;
  bfd_session_settings ss = bt_settings(100000, 100000, 3);
  bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, 0x0a000001u, 0x0a000200u, 0);
  host_init(&h);
  CU_ASSERT_EQUAL(bfd_governor_settings_init(BFD_GOVERNOR_SETTINGS_VERSION, &gs), 0);
  gs.max_scale_permille = 1500;
  CU_ASSERT_EQUAL(bfd_table_set_governor(h.t, &gs, h.now), 0);
  host_run(&h, h.now + 2 * SEC, 20 * MS);
  CU_ASSERT_EQUAL(host_stats(&h).governor_scale_permille, 1500);
  CU_ASSERT_EQUAL(bfd_table_add_session(h.t, &s, &ss, &k, NULL, h.now), 0);
  st = bt_status(s);
  CU_ASSERT_EQUAL(st.scale_permille, 1500);
  bfd_table_del(h.t);
}

int main(void) {
  CU_TestInfo tests[] = {{"settings_init", test_settings_init},
                         {"settings_ranges", test_settings_ranges},
                         {"stats_v1", test_stats_v1},
                         {"policy_raise_and_ceiling", test_policy_raise_and_ceiling},
                         {"policy_draining_backlog", test_policy_draining_backlog},
                         {"policy_load_and_restore", test_policy_load_and_restore},
                         {"policy_dampening", test_policy_dampening},
                         {"table_late_host", test_table_late_host},
                         {"table_new_session_scaled", test_table_new_session_scaled},
                         CU_TEST_INFO_NULL};
  return bfd_test_run_suite("gov", tests);
}
