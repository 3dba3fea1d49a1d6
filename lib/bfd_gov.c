#include "bfd_gov.h"

#include "bfd_time.h"

#include <string.h>

#define HOLD_MAX_FACTOR 16u /* dampening: the hold grows to 16x at most */
#define MIN_SERVICES    8u  /* fewer services say nothing about the host */
#define SETTLE_WINDOWS  2u  /* windows after a step down that cannot relapse */

static void defaults(bfd_governor_settings *d) {
  memset(d, 0, sizeof(*d));
  d->struct_version = BFD_GOVERNOR_SETTINGS_VERSION;
  d->max_scale_permille = 8000;
  d->late_us = 5000;
  d->late_permille = 50;
  d->window_ms = 500;
  d->restore_hold_ms = 10000;
  d->raise_permille = 1500;
  d->lower_permille = 200;
}

int bfd_governor_settings_init(uint32_t version, bfd_governor_settings *gs) {
  bfd_governor_settings d;
  if (!gs)
    return BFD_ERR_INVALID_ARGUMENT;
  if (version == 0 || version > BFD_GOVERNOR_SETTINGS_VERSION)
    return BFD_ERR_VERSION;
  defaults(&d);
  d.struct_version = version;
  memcpy(gs, &d, sizeof(d)); /* one version so far: the whole struct */
  return 0;
}

static int in(uint32_t v, uint32_t lo, uint32_t hi) { return v >= lo && v <= hi; }

int bfd_gov_import(const bfd_governor_settings *src, bfd_governor_settings *out) {
  if (src->struct_version == 0 || src->struct_version > BFD_GOVERNOR_SETTINGS_VERSION)
    return BFD_ERR_VERSION;
  defaults(out);
  memcpy(out, src, sizeof(*out));
  out->struct_version = BFD_GOVERNOR_SETTINGS_VERSION;
  if (!in(out->max_scale_permille, BFD_GOV_SCALE_ONE, 64000) || out->late_us == 0 ||
      !in(out->late_permille, 1, 1000) || !in(out->window_ms, 10, 60000) ||
      !in(out->restore_hold_ms, 100, 3600000) || !in(out->raise_permille, 1001, 4000) ||
      !in(out->lower_permille, 1, 900))
    return BFD_ERR_CFG_GOVERNOR;
  return 0;
}

void bfd_gov_init(bfd_gov *g) {
  memset(g, 0, sizeof(*g));
  defaults(&g->cfg);
  g->cfg.max_scale_permille = BFD_GOV_SCALE_ONE;
  g->scale = BFD_GOV_SCALE_ONE;
  g->hold_ms = g->cfg.restore_hold_ms;
  g->win_start = BFD_TSTAMP_NONE;
  g->last_lower = BFD_TSTAMP_NONE;
}

int bfd_gov_configure(bfd_gov *g, const bfd_governor_settings *st, uint64_t now) {
  uint32_t old = g->scale;
  g->cfg = *st;
  g->on = st->max_scale_permille > BFD_GOV_SCALE_ONE;
  g->hold_ms = st->restore_hold_ms;
  if (!g->on)
    g->scale = BFD_GOV_SCALE_ONE;
  else if (g->scale > st->max_scale_permille)
    g->scale = st->max_scale_permille;
  g->win_start = now;
  g->win_services = g->win_late = 0;
  g->win_load = 0;
  g->calm_since = now;
  return g->scale != old;
}

void bfd_gov_service(bfd_gov *g, uint64_t due, uint64_t now) {
  uint64_t late = now > due ? now - due : 0, ms = late / BFD_MILLISECONDS;
  unsigned b = 0;
  while (ms > 0 && b < BFD_LATE_BUCKETS - 1) {
    ms >>= 1;
    b++;
  }
  g->services++;
  g->late_hist[b]++;
  if (late > g->late_max_ns)
    g->late_max_ns = late;
  g->win_services++;
  g->win_late_sum += late;
  if (late > (uint64_t)g->cfg.late_us * BFD_MICROSECONDS)
    g->win_late++;
}

int bfd_gov_note(bfd_gov *g, uint32_t kind, uint64_t count) {
  if (kind == BFD_LOAD_RX_DROPS)
    g->load_rx_drops += count;
  else if (kind == BFD_LOAD_TX_BLOCKED)
    g->load_tx_blocked += count;
  else
    return BFD_ERR_INVALID_ARGUMENT;
  g->win_load += count;
  return 0;
}

static int overloaded(const bfd_gov *g) {
  if (g->win_load > 0)
    return 1;
  return g->win_services >= MIN_SERVICES &&
         (uint64_t)g->win_late * 1000u >= (uint64_t)g->win_services * g->cfg.late_permille;
}

int bfd_gov_tick(bfd_gov *g, uint64_t now) {
  uint32_t old = g->scale;
  uint64_t next;
  uint64_t mean; /* lateness of this window's services, on average */
  int over, settling;
  if (!g->on)
    return 0;
  if (g->win_start == BFD_TSTAMP_NONE || now < g->win_start)
    g->win_start = now;
  next = bfd_time_add(g->win_start, (uint64_t)g->cfg.window_ms * BFD_MILLISECONDS);
  if (now < next)
    return 0;
  over = overloaded(g);
  mean = g->win_services ? g->win_late_sum / g->win_services : 0;
  settling = g->settle > 0;
  if (settling)
    g->settle--;
  if (over && settling) {
    /* The windows right after a step down: the step's own transient is
     * not a relapse. Every session runs a Poll Sequence and every P is
     * answered by an immediate Final (RFC 5880 §6.5), on both ends: about
     * one extra packet per session and direction within an interval. */
  } else if (over && g->win_load == 0 && mean < g->last_mean / 4u * 3u) {
    /* Late, but clearly less than in the window before (by a quarter): the
     * backlog drains, the
     * last raise is working (the peers follow within an interval and a
     * round trip). No more yet. */
    g->calm_since = now;
  } else if (over) {
    uint64_t s = (uint64_t)g->scale * g->cfg.raise_permille / 1000u;
    /* A relapse within a hold of the last step down: that step went too
     * far. Back to the scale it left (which carried the load), and wait
     * twice as long before the next try (dampening). */
    if (g->last_lower != BFD_TSTAMP_NONE &&
        now - g->last_lower < (uint64_t)g->hold_ms * BFD_MILLISECONDS) {
      if (g->before_lower > g->scale)
        s = g->before_lower;
      if (g->hold_ms < g->cfg.restore_hold_ms * HOLD_MAX_FACTOR)
        g->hold_ms *= 2;
      g->last_lower = BFD_TSTAMP_NONE; /* one relapse per step */
    }
    g->scale = s > g->cfg.max_scale_permille ? g->cfg.max_scale_permille : (uint32_t)s;
    if (g->scale != old)
      g->raises++;
    g->calm_since = now;
  } else if (g->scale > BFD_GOV_SCALE_ONE &&
             now - g->calm_since >= (uint64_t)g->hold_ms * BFD_MILLISECONDS) {
    /* Down by lower_permille of the scale, to the configured rate. */
    uint32_t s = (uint32_t)((uint64_t)g->scale * (1000u - g->cfg.lower_permille) / 1000u);
    g->before_lower = g->scale;
    g->scale = s > BFD_GOV_SCALE_ONE + 10u ? s : BFD_GOV_SCALE_ONE;
    g->settle = SETTLE_WINDOWS;
    g->lowers++;
    g->last_lower = now;
    g->calm_since = now;
  } else if (g->scale == BFD_GOV_SCALE_ONE && g->last_lower != BFD_TSTAMP_NONE &&
             now - g->last_lower >= (uint64_t)g->hold_ms * BFD_MILLISECONDS * 4) {
    /* Calm for long at the configured rate: forget the relapses. */
    g->hold_ms = g->cfg.restore_hold_ms;
    g->last_lower = BFD_TSTAMP_NONE;
  }
  g->last_mean = mean;
  g->win_start = now;
  g->win_late_sum = 0;
  g->win_services = g->win_late = 0;
  g->win_load = 0;
  return g->scale != old;
}
