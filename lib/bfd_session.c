#include "bfd_session.h"

#include <string.h>

#include "bfd_auth.h"
#include "bfd_codec.h"
#include "bfd_mem.h"
#include "bfd_struct.h"
#include "bfd_time.h"

/* ------------------------------------------------------------------------ */
/* Settings                                                                 */
/* ------------------------------------------------------------------------ */

int bfd_session_settings_init(uint32_t version, bfd_session_settings *settings) {
  bfd_session_settings d;
  size_t n;
  if (!settings)
    return BFD_ERR_INVALID_ARGUMENT;
  if ((n = bfd_struct_settings_size(version)) == 0)
    return BFD_ERR_VERSION;
  bfd_struct_settings_defaults(&d);
  d.struct_version = version;
  memcpy(settings, &d, n); /* only the caller's version's bytes */
  return 0;
}

int bfd_session_check_settings(const bfd_session_settings *st) {
  if (st->detect_mult == 0)
    return BFD_ERR_CFG_DETECT_MULT;
  if (st->desired_min_tx_us == 0) /* §4.1: "The value zero is reserved" */
    return BFD_ERR_CFG_MIN_TX;
  /* A local Required Min RX of 0 would make the detection time 0: reject
   * rather than spin in a hot loop (§6.8.4). */
  if (st->required_min_rx_us == 0)
    return BFD_ERR_CFG_MIN_RX;
  if (st->mode > BFD_MODE_MULTIHOP)
    return BFD_ERR_CFG_MODE;
  if (st->nexthop_policy > BFD_NHS_AFTER_UP)
    return BFD_ERR_CFG_POLICY;
  if (st->passive > 1 || st->admin_down > 1 || st->cpi > 1)
    return BFD_ERR_CFG_FLAG;
  /* RFC 5881 §5: single-hop GTSM is not negotiable. */
  if (st->mode == BFD_MODE_SINGLE_HOP && st->min_rx_ttl != 0 && st->min_rx_ttl != BFD_TTL_MAX)
    return BFD_ERR_CFG_TTL;
  return 0;
}

int bfd_session_settings_import_check(const bfd_session_settings *in, bfd_session_settings *out) {
  int rv = bfd_struct_settings_import(in, out);
  return rv ? rv : bfd_session_check_settings(out);
}

int bfd_session_settings_check(const bfd_session_settings *st) {
  bfd_session_settings tmp;
  return bfd_session_settings_import_check(st, &tmp);
}

int bfd_callbacks_init(uint32_t version, bfd_callbacks *cb) {
  size_t n;
  if (!cb)
    return BFD_ERR_INVALID_ARGUMENT;
  if ((n = bfd_struct_callbacks_size(version)) == 0)
    return BFD_ERR_VERSION;
  memset(cb, 0, n);
  cb->struct_version = version;
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Timer arithmetic                                                         */
/* ------------------------------------------------------------------------ */

static uint32_t max_u32(uint32_t a, uint32_t b) { return a > b ? a : b; }
static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* §6.8.7: MUST NOT transmit when passive and RemoteDiscr is 0; MUST NOT
 * transmit periodically when RemoteMinRxInterval is 0, or when the remote is
 * in Demand mode (both Up) and no Poll Sequence is being sent. */
static int periodic_allowed(const bfd_session *s) {
  if (s->passive && s->remote_discr == 0)
    return 0;
  if (s->remote_min_rx_us == 0)
    return 0;
  if (s->remote_demand && s->state == BFD_STATE_UP && s->remote_state == BFD_STATE_UP &&
      !s->poll_active)
    return 0;
  return 1;
}

uint64_t bfd_session_tx_interval(const bfd_session *s) {
  if (!periodic_allowed(s))
    return 0;
  /* §6.8.7: the larger of bfd.DesiredMinTxInterval and RemoteMinRxInterval. */
  return bfd_us_to_ns(max_u32(s->eff_tx_us, s->remote_min_rx_us));
}

uint64_t bfd_session_detect_time(const bfd_session *s) {
  if (s->remote_mult == 0)
    return 0;
  /* §6.8.4 (asynchronous): remote Detect Mult x max(RequiredMinRx, last
   * received Desired Min TX). The remote multiplier, not ours. */
  return (uint64_t)s->remote_mult * bfd_us_to_ns(max_u32(s->eff_rx_us, s->remote_min_tx_us));
}

/* §6.8.7 jitter: reduce by 0-25 %, or by 10-25 % when bfd.DetectMult is 1.
 * `r` is a 16-bit fraction drawn once per transmission (s->jitter_r), so
 * recomputing the schedule never redraws it: redrawing on every received
 * packet and keeping the earliest result would bias intervals short. */
static uint64_t jittered(const bfd_session *s, uint64_t interval) {
  uint64_t r = s->jitter_r; /* interval < 2^43, so no overflow */
  if (s->detect_mult == 1)
    return interval - interval / 10 - ((interval * 3 / 20) * r >> 16);
  return interval - ((interval / 4) * r >> 16);
}

static void draw_jitter(bfd_session *s) { s->jitter_r = (uint16_t)(bfd_rand_u32(s->rand) >> 16); }

/* §6.8.3: outside the Poll rules, a change of the Detection Time takes
 * effect at once, measured from the last reception. */
static void refresh_detect(bfd_session *s) {
  uint64_t dt = bfd_session_detect_time(s);
  if (s->detect_deadline != BFD_TSTAMP_NONE && s->last_rx != BFD_TSTAMP_NONE && dt != 0)
    s->detect_deadline = bfd_time_add(s->last_rx, dt);
}

/* Re-derive the periodic schedule after anything that changes the TX
 * interval or whether periodic TX is allowed. */
static void reschedule_tx(bfd_session *s, uint64_t now) {
  uint64_t iv = bfd_session_tx_interval(s);
  uint64_t due;
  if (iv == 0) {
    s->next_tx = BFD_TSTAMP_NONE;
    s->tx_asap = 0;
    return;
  }
  if (s->tx_asap)
    return; /* an immediate packet is owed; it re-arms the schedule */
  if (s->next_tx == BFD_TSTAMP_NONE || s->last_ptx == BFD_TSTAMP_NONE) {
    s->next_tx = now; /* TX (re)starts: send as soon as practicable */
    s->tx_asap = 1;
    return;
  }
  /* §6.8.7: never faster than the negotiated interval, so a larger remote
   * Required Min RX pushes the next packet later; §6.8.3: a shorter one is
   * honored at once (at most the new interval since the last periodic
   * packet, or now if that has passed). Finals are outside the schedule. */
  due = bfd_time_add(s->last_ptx, jittered(s, iv));
  s->next_tx = due > now ? due : now;
}

/* ------------------------------------------------------------------------ */
/* Callbacks                                                                */
/* ------------------------------------------------------------------------ */

static int deliver_nexthop(bfd_session *s, uint8_t action, uint8_t cause, uint64_t now) {
  bfd_nexthop_event ev;
  s->nh_down = action == BFD_NEXTHOP_DOWN;
  if (!s->cb->nexthop)
    return 0;
  memset(&ev, 0, sizeof(ev));
  ev.ts = now;
  ev.action = action;
  ev.cause = cause;
  ev.diag = s->local_diag;
  return s->cb->nexthop(s, &ev, s->cb_user_data) ? BFD_ERR_CALLBACK_FAILURE : 0;
}

/* ------------------------------------------------------------------------ */
/* Poll Sequence and parameters (§6.5, §6.8.3)                              */
/* ------------------------------------------------------------------------ */

static void start_poll(bfd_session *s) {
  if (s->poll_active) {
    /* A running sequence carries a change only if none of its P's has gone
     * out yet: a Final to an earlier P says nothing about it, so it needs
     * a sequence of its own afterwards (§6.8.3: a change "MUST" start one). */
    if (!s->poll_sent)
      s->poll_owed = 0;
    return;
  }
  s->poll_owed = 0;
  s->poll_active = 1;
  s->poll_sent = 0;
  s->poll_np = 0;
  s->polls_sent++;
}

/* §6.6: Demand mode is active on the remote: it sets D and both are Up. */
static int remote_demand_active(const bfd_session *s) {
  return s->remote_demand && s->state == BFD_STATE_UP && s->remote_state == BFD_STATE_UP;
}

/* A configured interval under the table governor's scale. */
static uint32_t scaled_us(const bfd_session *s, uint32_t us) {
  uint64_t v = (uint64_t)us * s->scale_pm / 1000u;
  return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

static uint32_t wanted_tx_us(const bfd_session *s) {
  uint32_t tx = scaled_us(s, s->cfg_tx_us);
  /* §6.8.3: not less than one second while not Up. */
  return s->state == BFD_STATE_UP ? tx : max_u32(tx, BFD_SLOW_TX_US);
}

/* §6.8.3: a change that waits for a Final neither joins a running
 * sequence (its Final may answer a P without the change) nor starts one
 * while a Final to an older P may still arrive (choice 2). */
static int poll_blocked(const bfd_session *s, uint64_t now) {
  return s->poll_active || now < s->window_end;
}

/* Brings the advertised values to what configuration and state want
 * (§6.8.3). While Up, a larger TX interval or a smaller RX interval must
 * wait for a Final, so such a change goes on the wire only when its Final
 * cannot be confused with one to an older Poll; every other change is
 * "effected immediately", during a Poll too (whose later P packets carry
 * it). Not Up, nothing waits for a Final: the one-second floor is a MUST. */
static void apply_params(bfd_session *s, uint64_t now) {
  uint32_t tx = wanted_tx_us(s), rx = scaled_us(s, s->cfg_rx_us);
  int up = s->state == BFD_STATE_UP, blocked = poll_blocked(s, now);
  /* Per value: one already on the wire (adv) is not new; a new one lags if
   * it must wait for a Final. A lagging value waits for the window, the
   * other value is applied now. */
  /* A larger TX no larger than every one sent since the running
   * sequence's first P joins it: whichever P a Final answers, the peer
   * then expects us no more often than this (its Detection Time holds). */
  int tx_join = up && tx != s->adv_tx_us && tx > s->eff_tx_us && s->poll_active &&
                s->poll_sent && tx <= s->poll_min_tx;
  int tx_wait = up && tx != s->adv_tx_us && tx > s->eff_tx_us && blocked && !tx_join;
  /* A smaller RX that is still no smaller than every one sent since the
   * running sequence's first P (in its P's or any other packet) joins it:
   * whichever P a Final answers, the peer then knows a value no larger
   * than this one, so it sends at least this often. */
  int rx_join = up && rx != s->adv_rx_us && rx < s->eff_rx_us && s->poll_active &&
                s->poll_sent && rx >= s->poll_max_rx;
  int rx_wait = up && rx != s->adv_rx_us && rx < s->eff_rx_us && blocked && !rx_join;
  int changed = 0;
  if (tx != s->adv_tx_us && !tx_wait) {
    s->adv_tx_us = tx;
    if (!up || tx <= s->eff_tx_us)
      s->eff_tx_us = tx;
    if (!tx_join)
      changed = 1; /* a joined value needs no sequence of its own */
  }
  if (rx != s->adv_rx_us && !rx_wait) {
    s->adv_rx_us = rx;
    if (!up || rx >= s->eff_rx_us)
      s->eff_rx_us = rx;
    if (!rx_join)
      changed = 1; /* a joined value needs no sequence of its own */
  }
  /* Not Up, nothing lags: what is advertised is in force (a TX increase
   * that was waiting for a Final when the session fell is simply in force). */
  if (!up && (s->eff_tx_us != s->adv_tx_us || s->eff_rx_us != s->adv_rx_us)) {
    s->eff_tx_us = s->adv_tx_us;
    s->eff_rx_us = s->adv_rx_us;
    changed = 1;
  }
  s->repoll = (uint8_t)(tx_wait || rx_wait);
  if (changed) {
    s->poll_owed = 1;
    refresh_detect(s);
  }
  /* A running sequence may take the change (start_poll decides); a new one
   * waits for the window in every state, so each sequence's Final is its
   * own and its round trip a true bound. And none starts while the remote
   * is unknown: nobody could answer (the values go out in every packet
   * anyway), and a P sent into the void can be answered late, after
   * contact, making the next Final ambiguous (§6.8.3). It starts with
   * contact. */
  if (s->poll_owed && s->remote_discr != 0 && (s->poll_active || now >= s->window_end))
    start_poll(s);
  reschedule_tx(s, now);
}

/* Something waits for the §6.8.3 window or a Poll. */
static int params_pending(const bfd_session *s) { return s->repoll || s->poll_owed; }

/* A Final to a P of this sequence (sent since contact). The caller
 * re-derives the TX schedule right after. */
static void poll_terminated(bfd_session *s, uint64_t now) {
  uint64_t we;
  s->poll_active = 0;
  /* The Final answers a P sent at or after poll_first_p, so now -
   * poll_first_p bounds the round trip; Finals to the later P's of this
   * sequence arrive within that bound of the last one. A sequence of one P
   * has no other Final to come. */
  /* The latest sample, not the largest ever: one slowed by losses (P's
   * resent) must not hold every later change back for the session's life.
   * With a steady delay any sample bounds the round trip. */
  s->rtt_bound = now - s->poll_first_p;
  {
    uint64_t us = s->rtt_bound / 1000u + 1u, decayed = s->owed_rtt_us - s->owed_rtt_us / 8u;
    s->owed_rtt_us = (uint32_t)min_u64(us > decayed ? us : decayed, UINT32_MAX);
  }
  /* +1: a Final arriving exactly at the bound is still an old one. */
  we = s->poll_np <= 1 ? now : bfd_time_add(bfd_time_add(s->poll_last_p, s->rtt_bound), 1);
  if (we > s->window_end)
    s->window_end = we;
  s->eff_tx_us = s->adv_tx_us;
  s->eff_rx_us = s->adv_rx_us;
  refresh_detect(s);
}

/* A bucket of the count of Finals owed: twice the largest recent round
 * trip (a Final later than that answers a P no longer counted), so lost
 * Finals are given up soon and cannot pile up skips on a lossy path; the
 * most (30 s) before any round trip is known. */
static uint64_t owed_bucket_ns(const bfd_session *s) {
  uint64_t w;
  if (s->owed_rtt_us == 0)
    return BFD_OWED_BUCKET_NS;
  w = 2ull * s->owed_rtt_us * 1000u;
  return w < BFD_OWED_BUCKET_MIN_NS ? BFD_OWED_BUCKET_MIN_NS
                                    : (w > BFD_OWED_BUCKET_NS ? BFD_OWED_BUCKET_NS : w);
}

/* Ages the count of Finals owed. A P sent before contact was lost can
 * still be answered after it (it was on its way: lost and late look the
 * same without the round trip), so neither contact nor the round-trip
 * bound decides when a Final is no longer owed; time does: after one to
 * two buckets a P's Final is given up (lost). Until then each lost one
 * costs one more P after coming Up, never a false end. */
static void owed_age(bfd_session *s, uint64_t now) {
  uint64_t w = owed_bucket_ns(s);
  if (s->owed_bucket_end > bfd_time_add(now, w)) /* the buckets shrank */
    s->owed_bucket_end = bfd_time_add(now, w);
  if (now < s->owed_bucket_end)
    return;
  if (now - s->owed_bucket_end >= w) {
    s->finals_owed[0] = s->finals_owed[1] = 0;
    s->finals_skip = 0;
    s->owed_bucket_end = bfd_time_add(now, w);
    return;
  }
  s->finals_owed[0] = s->finals_owed[1];
  s->finals_owed[1] = 0;
  s->owed_bucket_end = bfd_time_add(s->owed_bucket_end, w);
  /* The Finals skipped after coming Up answer P's of those buckets: given
   * up with them. */
  if (s->skip_ages > 0 && --s->skip_ages == 0)
    s->finals_skip = 0;
}

/* Coming Up starts a new epoch for Poll Sequences: only from now on does
 * a change wait for a Final (§6.8.3). The Finals still owed to P's sent
 * before (in Init, into a path that then failed) can arrive after a
 * sequence begun while Up has sent its P; its first P skips them, as every
 * sequence's does (bfd_session_write). A running sequence ends without its
 * Final (not Up, its values were in force) and the values go out again in
 * a sequence of the new epoch. */
static void up_epoch(bfd_session *s, uint64_t now) {
  owed_age(s, now);
  if (s->poll_active && s->poll_sent) {
    s->poll_active = 0;
    s->poll_owed = 1;
  }
}

/* A received Final (F bit, §6.5). */
static void final_received(bfd_session *s, uint8_t rstate, uint64_t now) {
  owed_age(s, now);
  if (s->finals_owed[0] > 0) /* Finals come in the order of their P's */
    s->finals_owed[0]--;
  else if (s->finals_owed[1] > 0)
    s->finals_owed[1]--;
  if (s->finals_skip > 0) {
    s->finals_skip--; /* answers an older sequence's P, or one from before Up */
    return;
  }
  /* While Up, one from a peer that is not Up answers a P sent before we
   * were: a peer that takes one of our Up packets is Up itself (§6.8.6),
   * and one that is Down takes us Down below. */
  if (s->state == BFD_STATE_UP && rstate != BFD_STATE_UP && s->poll_first_p >= s->last_change)
    return;
  /* A Final can only answer a Poll that went out since contact. */
  if (s->poll_active && s->poll_sent)
    poll_terminated(s, now);
}

/* ------------------------------------------------------------------------ */
/* State machine                                                            */
/* ------------------------------------------------------------------------ */

/* `rstate`/`rdiag`: what the event reports as the remote's last values
 * (the current ones, except after a detection timeout has forgotten them). */
static int set_state_ev(bfd_session *s, uint8_t state, uint8_t diag, uint8_t rstate,
                        uint8_t rdiag, uint64_t now) {
  uint8_t old = s->state;
  int rv = 0, rv2;
  bfd_state_event ev;

  s->state = state;
  s->local_diag = diag;
  s->change_seq++;
  s->last_change = now;
  if (state == BFD_STATE_UP) {
    s->up_count++;
    s->ever_up = 1;
    up_epoch(s, now);
  } else if (old == BFD_STATE_UP && state == BFD_STATE_DOWN) {
    s->down_count++; /* Up -> AdminDown (local) is not a loss of the session */
    if (!(diag == BFD_DIAG_NEIGHBOR_DOWN && rstate == BFD_STATE_ADMIN_DOWN))
      s->failure_count++; /* RFC 5882 §3.2: the peer's AdminDown is not one */
  }
  apply_params(s, now);
  /* §6.8.7 SHOULD: tell the peer at once. The immediate packet replaces the
   * next periodic one rather than adding to it (FRR #22890). */
  if (bfd_session_tx_interval(s) != 0) {
    s->next_tx = now;
    s->tx_asap = 1;
  }

  if (s->cb->state_change) {
    memset(&ev, 0, sizeof(ev));
    ev.ts = now;
    ev.change_seq = s->change_seq;
    ev.old_state = old;
    ev.new_state = state;
    ev.local_diag = diag;
    ev.remote_state = rstate;
    ev.remote_diag = rdiag;
    if (state == BFD_STATE_DOWN && diag == BFD_DIAG_NEIGHBOR_DOWN &&
        rstate == BFD_STATE_ADMIN_DOWN)
      ev.flags |= BFD_STATE_EV_REMOTE_ADMIN_DOWN;
    if (state == BFD_STATE_DOWN && diag == BFD_DIAG_DETECT_EXPIRED)
      ev.flags |= BFD_STATE_EV_FAILURE;
    if (s->cb->state_change(s, &ev, s->cb_user_data))
      rv = BFD_ERR_CALLBACK_FAILURE;
  }

  /* RFC 5882 §3: nexthop shutdown. A remote AdminDown is not a failure
   * (§3.2); local AdminDown means BFD no longer vouches either way. */
  rv2 = 0;
  if (state == BFD_STATE_UP) {
    if (s->nh_down)
      rv2 = deliver_nexthop(s, BFD_NEXTHOP_UP, BFD_NH_CAUSE_UP, now);
  } else if (state == BFD_STATE_ADMIN_DOWN) {
    if (s->nh_down)
      rv2 = deliver_nexthop(s, BFD_NEXTHOP_UP, BFD_NH_CAUSE_ADMIN, now);
  } else if (state == BFD_STATE_DOWN && old == BFD_STATE_ADMIN_DOWN) {
    if (s->nh_policy == BFD_NHS_DOWN_UNTIL_UP && !s->nh_down)
      rv2 = deliver_nexthop(s, BFD_NEXTHOP_DOWN, BFD_NH_CAUSE_CREATED, now);
  } else if (state == BFD_STATE_DOWN && (old == BFD_STATE_UP || old == BFD_STATE_INIT)) {
    int remote_admin = s->remote_state == BFD_STATE_ADMIN_DOWN && diag == BFD_DIAG_NEIGHBOR_DOWN;
    if (!remote_admin && !s->nh_down &&
        (s->nh_policy == BFD_NHS_DOWN_UNTIL_UP || s->ever_up))
      rv2 = deliver_nexthop(s, BFD_NEXTHOP_DOWN, BFD_NH_CAUSE_FAILURE, now);
  }
  return rv ? rv : rv2;
}

static int set_state(bfd_session *s, uint8_t state, uint8_t diag, uint64_t now) {
  return set_state_ev(s, state, diag, s->remote_state, s->remote_diag, now);
}

/* §6.8.1 / §6.8.18: after a Detection Time without packets the remote's
 * state is forgotten. */
static void forget_remote(bfd_session *s, uint64_t now) {
  s->remote_discr = 0;
  s->remote_state = BFD_STATE_DOWN;
  s->remote_diag = BFD_DIAG_NONE;
  s->remote_echo_rx_us = 0;
  s->peer_locked = 0; /* RFC 5881 §6: the next first packet may come from anywhere */
  s->remote_demand = 0;
  s->remote_min_rx_us = 1; /* initial value, §6.8.1 */
  s->remote_min_tx_us = 0;
  s->remote_mult = 0;
  s->detect_deadline = BFD_TSTAMP_NONE;
  /* A Poll nobody can answer any more (a Detection Time without a packet)
   * ends without a Final; its values are in force (the session is not Up)
   * and a new sequence carries them once the remote is back, so an outage
   * of any length never inflates the round trip. */
  if (s->poll_active) {
    s->poll_active = 0;
    s->poll_owed = 1;
  }
  reschedule_tx(s, now);
}

int bfd_session_expire(bfd_session *s, uint64_t now) {
  int rv = 0;
  uint8_t rstate = s->remote_state, rdiag = s->remote_diag;
  if (s->goodbye && now >= s->goodbye_until)
    s->gone = 1;
  if (s->detect_deadline == BFD_TSTAMP_NONE || now < s->detect_deadline)
    return 0;
  /* §6.8.4: Init or Up -> Down, diag 1. Down/AdminDown only forget. The
   * event still tells what the peer said last. */
  forget_remote(s, now);
  if (s->state == BFD_STATE_INIT || s->state == BFD_STATE_UP)
    rv = set_state_ev(s, BFD_STATE_DOWN, BFD_DIAG_DETECT_EXPIRED, rstate, rdiag, now);
  return rv;
}

int bfd_session_check_clock(bfd_session *s, uint64_t now) {
  if (now < *s->clock)
    return BFD_ERR_CLOCK_BACKWARDS;
  *s->clock = now;
  return 0;
}

void bfd_session_count_drop(bfd_session *s, int error_code) {
  int slot = bfd_err_drop_slot(error_code);
  s->rx_dropped++;
  if (slot >= 0 && slot < BFD_SESSION_DROP_SLOTS)
    s->drops[slot]++;
}

static int drop(bfd_session *s, int error_code) {
  bfd_session_count_drop(s, error_code);
  return error_code;
}

static int same_addr(const bfd_session *s, const uint8_t a[16], const uint8_t b[16]) {
  return memcmp(a, b, s->key.family == BFD_AF_INET6 ? 16 : 4) == 0;
}

static int is_zero(const uint8_t a[16]) {
  static const uint8_t zero[16] = {0};
  return memcmp(a, zero, 16) == 0;
}

/* The packet was sent by this host: the host says so, or its source is its
 * destination, or the session's own local address. */
static int from_self(const bfd_session *s, const bfd_rx_info *ri) {
  if (ri->flags & BFD_RX_SELF)
    return 1;
  if (!(ri->flags & BFD_RX_PEER))
    return 0;
  if ((ri->flags & BFD_RX_LOCAL) &&
      memcmp(ri->peer, ri->local, ri->family == BFD_AF_INET6 ? 16 : 4) == 0)
    return 1;
  return !is_zero(s->key.local) && same_addr(s, ri->peer, s->key.local);
}

int bfd_session_rx_check(bfd_session *s, const bfd_ctrl_pkt *pkt, const uint8_t *buf,
                         const bfd_rx_info *ri, uint64_t now) {
  uint8_t min_ttl;
  uint8_t rstate = pkt->state;
  int rv;

  /* Transport checks first: a packet failing them never reaches §6.8.6. */
  if (ri->mode != s->mode)
    return BFD_ERR_PKT_MODE;
  min_ttl = s->min_rx_ttl ? s->min_rx_ttl
                          : (s->mode == BFD_MODE_SINGLE_HOP ? BFD_TTL_MAX : (uint8_t)1);
  /* RFC 5881 §5 (GTSM) / RFC 5883 local policy. Unknown TTL fails any floor. */
  if (min_ttl > 1 && (!(ri->flags & BFD_RX_TTL) || ri->ttl < min_ttl))
    return BFD_ERR_PKT_TTL;

  /* §6.8.6, the rules that need the session. */
  if (pkt->your_discr != 0 && pkt->your_discr != s->local_discr)
    return BFD_ERR_PKT_NO_SESSION;
  if (pkt->your_discr == 0 && rstate != BFD_STATE_DOWN && rstate != BFD_STATE_ADMIN_DOWN)
    return BFD_ERR_PKT_YOUR_DISCR;
  /* Our own packet, looped back, would bring the session Up with itself.
   * §6.8.1 makes discriminators unique only on one system, so a peer may
   * well have picked ours: the discriminator alone proves nothing; what
   * proves the loop is that the packet also comes from us. */
  if (pkt->my_discr == s->local_discr && from_self(s, ri))
    return BFD_ERR_PKT_LOOPED;
  /* §6.8.6: the A bit must match bfd.AuthType, and the packet must pass
   * §6.7 before any session field is touched. */
  if (!(pkt->flags & BFD_FLAG_A) != !s->auth)
    return BFD_ERR_PKT_AUTH_MISMATCH;
  if (s->auth &&
      (rv = bfd_auth_verify(s->auth, pkt, buf, s->detect_mult, s->eff_rx_us, now)) != 0)
    return rv;
  return 0;
}

int bfd_session_rx_apply(bfd_session *s, const bfd_ctrl_pkt *pkt, const bfd_rx_info *ri,
                         uint64_t now) {
  uint8_t rstate = pkt->state;
  int rv = 0;
  uint64_t dt;


  /* Accepted: from here on the packet updates the session. */
  /* RFC 5881 §6: on a point-to-point link the source never identifies the
   * session and may change; the destination stays the address configured
   * at creation, or (unnumbered) the first source heard, until the remote
   * is forgotten. */
  if ((s->key.flags & BFD_KEY_ANY_PEER) && !s->peer_locked && (ri->flags & BFD_RX_PEER)) {
    memcpy(s->peer_addr, ri->peer, 16);
    if (s->key.family == BFD_AF_INET)
      memset(s->peer_addr + 4, 0, 12);
    s->peer_locked = 1;
  }
  s->remote_discr = pkt->my_discr;
  s->remote_state = rstate;
  s->remote_diag = pkt->diag;
  s->remote_demand = (pkt->flags & BFD_FLAG_D) != 0;
  s->remote_min_rx_us = pkt->required_min_rx_us;
  s->remote_min_tx_us = pkt->desired_min_tx_us;
  s->remote_echo_rx_us = pkt->required_min_echo_rx_us;
  s->remote_mult = pkt->detect_mult;

  if (pkt->flags & BFD_FLAG_F)
    final_received(s, rstate, now);
  if (params_pending(s))
    apply_params(s, now);
  reschedule_tx(s, now);

  dt = bfd_session_detect_time(s);
  s->detect_deadline = bfd_time_add(now, dt);
  s->last_rx = now;

  s->rx_packets++;
  /* Goodbye: a peer that is not Up after our AdminDown went out cannot
   * raise a false failure any more (RFC 5880 §6.8.16). */
  if (s->goodbye && s->goodbye_sent && rstate != BFD_STATE_UP)
    s->gone = 1;
  if (s->state == BFD_STATE_ADMIN_DOWN) /* §6.8.6: discard (after the above) */
    return BFD_FEED_ADMIN_DOWN;

  if (rstate == BFD_STATE_ADMIN_DOWN) {
    if (s->state != BFD_STATE_DOWN)
      rv = set_state(s, BFD_STATE_DOWN, BFD_DIAG_NEIGHBOR_DOWN, now);
  } else if (s->state == BFD_STATE_DOWN) {
    if (rstate == BFD_STATE_DOWN)
      rv = set_state(s, BFD_STATE_INIT, BFD_DIAG_NONE, now);
    else if (rstate == BFD_STATE_INIT)
      rv = set_state(s, BFD_STATE_UP, BFD_DIAG_NONE, now);
  } else if (s->state == BFD_STATE_INIT) {
    if (rstate == BFD_STATE_INIT || rstate == BFD_STATE_UP)
      rv = set_state(s, BFD_STATE_UP, BFD_DIAG_NONE, now);
  } else if (rstate == BFD_STATE_DOWN) { /* Up */
    rv = set_state(s, BFD_STATE_DOWN, BFD_DIAG_NEIGHBOR_DOWN, now);
  }

  /* §6.8.7: answer a Poll with one Final, built when it is sent, i.e. after
   * this state update. One flag: a Poll flood cannot grow a queue. */
  if (pkt->flags & BFD_FLAG_P) {
    if (!s->final_pending)
      s->final_at = now;
    s->final_pending = 1;
  }
  return rv;
}

/* Rate-limited: the first, then at most one a second (a forgery flood must
 * not become a callback flood). */
static int auth_failed(bfd_session *s, const bfd_ctrl_pkt *pkt, uint8_t reason, uint64_t now) {
  bfd_auth_failure_event ev;
  if (!s->cb->auth_failure)
    return 0;
  if (now < s->auth_ev_next) {
    s->auth_suppressed++;
    return 0;
  }
  memset(&ev, 0, sizeof(ev));
  ev.ts = now;
  ev.suppressed = s->auth_suppressed;
  ev.reason = reason;
  if (pkt->flags & BFD_FLAG_A) {
    ev.key_id = pkt->auth.key_id;
    ev.auth_type = pkt->auth.type;
  }
  s->auth_suppressed = 0;
  s->auth_ev_next = bfd_time_add(now, BFD_SECONDS);
  return s->cb->auth_failure(s, &ev, s->cb_user_data) ? BFD_ERR_CALLBACK_FAILURE : 0;
}

int bfd_session_rx(bfd_session *s, const bfd_ctrl_pkt *pkt, const uint8_t *buf,
                   const bfd_rx_info *ri, uint64_t now) {
  int rv = bfd_session_rx_check(s, pkt, buf, ri, now);
  if (rv == 0)
    return bfd_session_rx_apply(s, pkt, ri, now);
  (void)drop(s, rv);
  if (rv == BFD_ERR_PKT_AUTH_FAILED &&
      auth_failed(s, pkt, s->auth ? s->auth->last_reason : (uint8_t)BFD_AUTH_FAIL_TYPE, now) != 0)
    return BFD_ERR_CALLBACK_FAILURE;
  if (rv == BFD_ERR_PKT_AUTH_MISMATCH && auth_failed(s, pkt, BFD_AUTH_FAIL_MISMATCH, now) != 0)
    return BFD_ERR_CALLBACK_FAILURE;
  return rv;
}

static int params_changed(const bfd_session *s, uint64_t tx, uint64_t det) {
  return tx != s->rep_tx_ns || det != s->rep_det_ns || s->remote_min_tx_us != s->rep_rmtx_us ||
         s->remote_min_rx_us != s->rep_rmrx_us || s->adv_tx_us != s->rep_tx_us ||
         s->adv_rx_us != s->rep_rx_us || s->remote_mult != s->rep_rmult ||
         s->scale_pm != s->rep_scale;
}

static void params_snapshot(bfd_session *s, uint64_t tx, uint64_t det) {
  s->rep_tx_ns = tx;
  s->rep_det_ns = det;
  s->rep_rmtx_us = s->remote_min_tx_us;
  s->rep_rmrx_us = s->remote_min_rx_us;
  s->rep_tx_us = s->adv_tx_us;
  s->rep_rx_us = s->adv_rx_us;
  s->rep_rmult = s->remote_mult;
  s->rep_scale = s->scale_pm;
}

int bfd_session_notify(bfd_session *s, uint64_t now) {
  bfd_params_event ev;
  uint64_t tx, det;
  if (!s->cb->params)
    return 0; /* nobody listens: no per-packet cost */
  tx = bfd_session_tx_interval(s);
  det = bfd_session_detect_time(s);
  if (!params_changed(s, tx, det))
    return 0;
  params_snapshot(s, tx, det);
  memset(&ev, 0, sizeof(ev));
  ev.ts = now;
  ev.tx_interval_ns = tx;
  ev.detect_time_ns = det;
  ev.remote_desired_min_tx_us = s->remote_min_tx_us;
  ev.remote_required_min_rx_us = s->remote_min_rx_us;
  ev.desired_min_tx_us = s->adv_tx_us;
  ev.required_min_rx_us = s->adv_rx_us;
  ev.remote_detect_mult = s->remote_mult;
  if (s->scale_pm > 1000u)
    ev.flags |= BFD_PARAMS_EV_GOVERNED;
  return s->cb->params(s, &ev, s->cb_user_data) ? BFD_ERR_CALLBACK_FAILURE : 0;
}

ptrdiff_t bfd_session_write(bfd_session *s, uint8_t *buf, size_t buflen, uint64_t now) {
  bfd_ctrl_pkt pkt;
  ptrdiff_t n;
  int final, periodic;

  /* A change waiting for the §6.8.3 window goes out with this packet. */
  if (params_pending(s) && !poll_blocked(s, now))
    apply_params(s, now);
  final = s->final_pending;
  periodic = periodic_allowed(s) && s->next_tx <= now;

  /* Passive with no remote: nothing at all (§6.8.7); a finished goodbye
   * neither. */
  if ((s->passive && s->remote_discr == 0) || s->gone)
    return 0;
  if (!final && !periodic)
    return 0;
  if (buflen < BFD_CTRL_LEN_MAX)
    return BFD_ERR_NOBUF;

  memset(&pkt, 0, sizeof(pkt));
  pkt.version = BFD_VERSION_1;
  pkt.diag = s->local_diag;
  pkt.state = s->state;
  /* The peer learns our values from every packet (a Final too): what the
   * running sequence's P's and everything after them carried. */
  if (s->poll_active && s->poll_sent) {
    if (s->adv_rx_us > s->poll_max_rx)
      s->poll_max_rx = s->adv_rx_us;
    if (s->adv_tx_us < s->poll_min_tx)
      s->poll_min_tx = s->adv_tx_us;
  }
  if (final)
    pkt.flags |= BFD_FLAG_F; /* §6.5: never together with P */
  else if (s->poll_active) {
    pkt.flags |= BFD_FLAG_P;
    owed_age(s, now);
    if (!s->poll_sent) {
      /* §6.5 gives a Final no way to name its P, and §6.8.3 choice 2's
       * window is only as good as the round trip it assumes: one that grew
       * since (a slower path) lets Finals to older P's arrive after this
       * one, and each would end the sequence, put its change in force
       * before the peer has it, and shorten the next window in turn. So
       * the sequence's own Final is the first after as many as are still
       * owed (P's sent less Finals received): a lost one costs one more P,
       * never a false end. The skips are given up with their buckets. */
      s->finals_skip =
          (uint16_t)min_u64((uint32_t)s->finals_owed[0] + s->finals_owed[1], UINT16_MAX);
      s->skip_ages = 2;
      s->poll_max_rx = s->adv_rx_us;
      s->poll_min_tx = s->adv_tx_us;
      s->poll_first_p = now;
    }
    if (s->finals_owed[1] < UINT16_MAX)
      s->finals_owed[1]++;
    s->poll_last_p = now;
    s->poll_sent = 1;
    s->poll_np++;
  }
  if (s->cpi)
    pkt.flags |= BFD_FLAG_C;
  pkt.detect_mult = s->detect_mult;
  pkt.my_discr = s->local_discr;
  pkt.your_discr = s->remote_discr;
  pkt.desired_min_tx_us = s->adv_tx_us;
  pkt.required_min_rx_us = s->adv_rx_us;
  pkt.required_min_echo_rx_us = s->cfg_echo_rx_us;
  /* §6.8.7: with authentication the section is added and signed. */
  n = s->auth ? bfd_auth_encode(s->auth, buf, buflen, &pkt)
              : bfd_ctrl_pkt_encode(buf, buflen, &pkt);
  /* The buffer is large enough, so a failure (a digest the crypto library
   * refused) is this packet's alone: it is lost as if on the wire, and the
   * schedule below moves on, so it cannot block whoever polls next. */
  if (n < 0)
    s->tx_failed++;

  if (final) {
    s->final_pending = 0;
    s->finals_sent++;
    /* Without a Poll of our own, the Final also serves as the periodic;
     * with one, the P packet is still due (P and F never share a packet). */
    periodic = periodic && !s->poll_active;
  }
  if (periodic) {
    uint64_t iv = bfd_session_tx_interval(s);
    draw_jitter(s);
    s->next_tx = iv ? bfd_time_add(now, jittered(s, iv)) : BFD_TSTAMP_NONE;
    s->last_ptx = now;
    s->tx_asap = 0;
  }
  if (n < 0)
    return n;
  s->tx_packets++;
  s->last_tx = now;
  if (s->goodbye && s->state == BFD_STATE_ADMIN_DOWN) {
    s->goodbye_sent = 1;
    if (s->goodbye_last) {
      s->gone = 1;
      s->gone_by_tx = 1; /* the caller still holds this packet and session */
    }
  }
  return n;
}

uint64_t bfd_session_tx_deadline(const bfd_session *s) {
  uint64_t d = periodic_allowed(s) ? s->next_tx : BFD_TSTAMP_NONE;
  if (s->final_pending && !(s->passive && s->remote_discr == 0))
    d = min_u64(d, s->final_at);
  /* Under the remote's Demand mode nothing periodic carries a waiting
   * change: wake when its window opens, the Poll then starts TX (§6.6). */
  if (params_pending(s) && !s->poll_active && !periodic_allowed(s) &&
      !(s->passive && s->remote_discr == 0))
    d = min_u64(d, s->window_end);
  return d;
}

uint64_t bfd_session_detect_deadline(const bfd_session *s) { return s->detect_deadline; }

uint64_t bfd_session_deadline(const bfd_session *s) {
  uint64_t d = min_u64(bfd_session_tx_deadline(s), s->detect_deadline);
  if (s->goodbye && !s->gone)
    d = min_u64(d, s->goodbye_until);
  return s->gone ? BFD_TSTAMP_NONE : d;
}

int bfd_session_goodbye_start(bfd_session *s, uint64_t now) {
  int rv = 0;
  uint64_t hold;
  if (s->goodbye)
    return 0;
  s->goodbye = 1;
  /* RFC 5880 §6.8.16: AdminDown, then "SHOULD" keep sending for at least a
   * Detection Time so the peer learns it is not a failure. The peer's for
   * us is our Detect Mult x max(its Required Min RX, our Desired Min TX)
   * (§6.8.4), and AdminDown advertises at least one second (§6.8.3). */
  hold = (uint64_t)s->detect_mult *
         bfd_us_to_ns(max_u32(s->remote_min_rx_us,
                              max_u32(scaled_us(s, s->cfg_tx_us), BFD_SLOW_TX_US)));
  s->goodbye_until = bfd_time_add(now, hold);
  if (s->state != BFD_STATE_ADMIN_DOWN) {
    s->admin_down = 1;
    rv = set_state(s, BFD_STATE_ADMIN_DOWN, BFD_DIAG_ADMIN_DOWN, now);
  }
  /* A passive session that never heard its peer must not transmit (§6.8.7):
   * done. A remote that is unknown or not Up cannot mistake our silence for
   * a failure: one AdminDown packet still tells it, then done. */
  if (s->passive && s->remote_discr == 0)
    s->gone = 1;
  else if (s->remote_discr == 0 || s->remote_mult == 0 || s->remote_state != BFD_STATE_UP)
    s->goodbye_last = 1;
  return rv;
}

/* ------------------------------------------------------------------------ */
/* Lifecycle                                                                */
/* ------------------------------------------------------------------------ */

static void load_settings(bfd_session *s, const bfd_session_settings *st) {
  s->cfg_tx_us = st->desired_min_tx_us;
  s->cfg_rx_us = st->required_min_rx_us;
  s->cfg_echo_rx_us = st->required_min_echo_rx_us;
  s->detect_mult = st->detect_mult;
  s->passive = st->passive;
  s->nh_policy = st->nexthop_policy;
  s->min_rx_ttl = st->min_rx_ttl;
  s->cpi = st->cpi;
}

void bfd_session_init(bfd_session *s, const bfd_session_settings *st, const bfd_callbacks *cb,
                      void *cb_user_data, const bfd_mem *mem, bfd_rand *rand, uint64_t *clock,
                      uint64_t now) {
  s->clock = clock ? clock : &s->last_now;
  s->cb = cb;
  s->cb_user_data = cb_user_data;
  s->mem = mem;
  s->rand = rand;
  draw_jitter(s);
  s->last_now = now;
  s->last_rx = s->last_tx = s->last_ptx = BFD_TSTAMP_NONE;
  s->last_change = now;
  s->detect_deadline = BFD_TSTAMP_NONE;
  s->next_tx = BFD_TSTAMP_NONE;
  s->mode = st->mode;
  s->local_discr = st->local_discr;
  load_settings(s, st);
  s->scale_pm = s->rep_scale = 1000u;
  s->state = BFD_STATE_DOWN;
  s->remote_state = BFD_STATE_DOWN;
  s->remote_min_rx_us = 1; /* §6.8.1 */
  s->adv_tx_us = s->eff_tx_us = wanted_tx_us(s);
  s->adv_rx_us = s->eff_rx_us = s->cfg_rx_us;
  if (st->admin_down) {
    s->admin_down = 1;
    s->state = BFD_STATE_ADMIN_DOWN;
    s->local_diag = BFD_DIAG_ADMIN_DOWN;
  }
  reschedule_tx(s, now);
  params_snapshot(s, bfd_session_tx_interval(s), bfd_session_detect_time(s));
}

void bfd_session_set_scale(bfd_session *s, uint32_t scale_pm, uint64_t now) {
  if (scale_pm < 1000u)
    scale_pm = 1000u;
  if (scale_pm > UINT16_MAX)
    scale_pm = UINT16_MAX;
  if (scale_pm == s->scale_pm)
    return;
  s->scale_pm = (uint16_t)scale_pm;
  apply_params(s, now);
}

/* RFC 5880 says how often a session may send (§6.8.7), not when it starts.
 * An immediate packet owed since (the peer spoke: a state change) set
 * next_tx to its own instant and is not touched. */
int bfd_session_start_pending(const bfd_session *s) {
  return s->tx_asap && s->last_ptx == BFD_TSTAMP_NONE && s->last_rx == BFD_TSTAMP_NONE &&
         s->next_tx != BFD_TSTAMP_NONE && !s->final_pending;
}

void bfd_session_defer_start(bfd_session *s, uint64_t at) {
  if (bfd_session_start_pending(s) && s->next_tx < at)
    s->next_tx = at;
}

int bfd_session_start(bfd_session *s, uint64_t now) {
  if (!s->admin_down && s->nh_policy == BFD_NHS_DOWN_UNTIL_UP)
    return deliver_nexthop(s, BFD_NEXTHOP_DOWN, BFD_NH_CAUSE_CREATED, now);
  return 0;
}

void bfd_session_fini(bfd_session *s, uint64_t now) {
  if (s->nh_down)
    (void)deliver_nexthop(s, BFD_NEXTHOP_UP, BFD_NH_CAUSE_DELETED, now);
  bfd_auth_ring_free(s->mem, s->auth); /* wipes the keys */
  s->auth = NULL;
}

/* RFC 5882 §3: what the policy says of a session that was never Up. Once
 * Up, both policies report the same events. */
static int policy_wants_down(const bfd_session *s) {
  return !s->ever_up && s->nh_policy == BFD_NHS_DOWN_UNTIL_UP &&
         s->state != BFD_STATE_ADMIN_DOWN && s->state != BFD_STATE_UP;
}

int bfd_session_apply(bfd_session *s, const bfd_session_settings *st, uint64_t now) {
  int rv = 0, policy_changed;
  {
    uint8_t mult = s->detect_mult, cpi = s->cpi;
    uint32_t echo = s->cfg_echo_rx_us;
    policy_changed = st->nexthop_policy != s->nh_policy;
    load_settings(s, st); /* Detect Mult needs no Poll (§6.8.12)... */
    /* ...unless the remote is in Demand mode: then any change of our
     * packet's contents must be polled for, or it is never sent (§6.6). */
    if (remote_demand_active(s) &&
        (mult != s->detect_mult || cpi != s->cpi || echo != s->cfg_echo_rx_us))
      start_poll(s);
  }
  apply_params(s, now);
  reschedule_tx(s, now);
  if (st->admin_down && !s->admin_down) {
    /* §6.8.16: AdminDown with a diag; keep sending so the peer learns. */
    s->admin_down = 1;
    rv = set_state(s, BFD_STATE_ADMIN_DOWN, BFD_DIAG_ADMIN_DOWN, now);
  } else if (!st->admin_down && s->admin_down) {
    s->admin_down = 0;
    rv = set_state(s, BFD_STATE_DOWN, BFD_DIAG_NONE, now);
  }
  /* A policy change applies at once, with its event (the nexthop must not
   * stay in the state the old policy chose). */
  if (rv == 0 && policy_changed && !s->ever_up && policy_wants_down(s) != s->nh_down)
    rv = deliver_nexthop(s, s->nh_down ? BFD_NEXTHOP_UP : BFD_NEXTHOP_DOWN, BFD_NH_CAUSE_POLICY,
                         now);
  return rv;
}

uint64_t bfd_session_next_deadline(const bfd_session *s) {
  return s ? bfd_session_deadline(s) : BFD_TSTAMP_NONE;
}

int bfd_session_get_settings_versioned(const bfd_session *s, uint32_t version,
                                       bfd_session_settings *st) {
  bfd_session_settings cur;
  size_t n;
  if (!s || !st)
    return BFD_ERR_INVALID_ARGUMENT;
  if ((n = bfd_struct_settings_size(version)) == 0)
    return BFD_ERR_VERSION;
  bfd_session_export_settings(s, &cur);
  cur.struct_version = version;
  memcpy(st, &cur, n);
  return 0;
}

/* The exported symbol (FFI): version 1, its layout since 0.1.0. */
#undef bfd_session_get_settings
int bfd_session_get_settings(const bfd_session *s, bfd_session_settings *st) {
  return bfd_session_get_settings_versioned(s, 1, st);
}

void bfd_session_export_settings(const bfd_session *s, bfd_session_settings *st) {
  bfd_struct_settings_defaults(st);
  st->local_discr = s->local_discr;
  st->desired_min_tx_us = s->cfg_tx_us;
  st->required_min_rx_us = s->cfg_rx_us;
  st->required_min_echo_rx_us = s->cfg_echo_rx_us;
  st->detect_mult = s->detect_mult;
  st->mode = s->mode;
  st->passive = s->passive;
  st->admin_down = s->admin_down;
  st->nexthop_policy = s->nh_policy;
  st->min_rx_ttl = s->min_rx_ttl;
  st->cpi = s->cpi;
}

static void fill_status(const bfd_session *s, bfd_session_status *o);

int bfd_session_get_status(const bfd_session *s, bfd_session_status *out) {
  bfd_session_status o;
  size_t n;
  if (!s || !out)
    return BFD_ERR_INVALID_ARGUMENT;
  if ((n = bfd_struct_status_size(out->struct_version)) == 0)
    return BFD_ERR_VERSION;
  fill_status(s, &o);
  o.struct_version = out->struct_version;
  memcpy(out, &o, n); /* only the caller's version's bytes */
  return 0;
}

static void fill_status(const bfd_session *s, bfd_session_status *o) {
  memset(o, 0, sizeof(*o));
  o->struct_version = BFD_SESSION_STATUS_VERSION;
  o->change_seq = s->change_seq;
  o->state = s->state;
  o->local_diag = s->local_diag;
  o->remote_state = s->remote_state;
  o->remote_diag = s->remote_diag;
  o->forwarding = s->state == BFD_STATE_UP && s->remote_diag != BFD_DIAG_PATH_DOWN &&
                  s->remote_diag != BFD_DIAG_CONCAT_PATH_DOWN &&
                  s->remote_diag != BFD_DIAG_REV_CONCAT_PATH_DOWN;
  o->poll_active = s->poll_active;
  o->remote_demand = s->remote_demand;
  o->remote_detect_mult = s->remote_mult;
  o->detect_mult = s->detect_mult;
  o->mode = s->mode;
  o->nexthop_down = s->nh_down;
  o->local_discr = s->local_discr;
  o->remote_discr = s->remote_discr;
  o->desired_min_tx_us = s->cfg_tx_us;
  o->required_min_rx_us = s->cfg_rx_us;
  o->remote_desired_min_tx_us = s->remote_min_tx_us;
  o->remote_required_min_rx_us = s->remote_min_rx_us;
  o->remote_required_min_echo_rx_us = s->remote_echo_rx_us;
  o->tx_interval_ns = bfd_session_tx_interval(s);
  o->detect_time_ns = bfd_session_detect_time(s);
  o->last_rx = s->last_rx;
  o->last_tx = s->last_tx;
  o->last_change = s->last_change;
  o->rx_packets = s->rx_packets;
  o->rx_dropped = s->rx_dropped;
  o->tx_packets = s->tx_packets;
  o->up_count = s->up_count;
  o->down_count = s->down_count;
  o->polls_sent = s->polls_sent;
  o->finals_sent = s->finals_sent;
  o->failure_count = s->failure_count;
  o->tx_failed = s->tx_failed;
  if (s->auth) {
    int i;
    for (i = 0; i < BFD_AUTH_FAIL_MISMATCH; i++)
      o->auth_failures += s->auth->failures[i];
  }
  o->goodbye = s->gone ? 2 : s->goodbye;
  o->scale_permille = s->scale_pm;
}

uint64_t bfd_session_get_rx_drops(const bfd_session *s, int error_code) {
  int slot = bfd_err_drop_slot(error_code);
  if (!s || slot < 0 || slot >= BFD_SESSION_DROP_SLOTS)
    return 0;
  return s->drops[slot];
}

uint8_t bfd_session_get_state(const bfd_session *s) { return s ? s->state : BFD_STATE_DOWN; }

uint32_t bfd_session_get_local_discr(const bfd_session *s) { return s ? s->local_discr : 0; }

int bfd_session_get_key(const bfd_session *s, bfd_session_key *key) {
  if (!s || !key)
    return BFD_ERR_INVALID_ARGUMENT;
  *key = s->key;
  return 0;
}

int bfd_session_get_peer(const bfd_session *s, uint8_t peer[16]) {
  if (!s || !peer)
    return BFD_ERR_INVALID_ARGUMENT;
  /* RFC 5881 §6: "continue to use the address configured at session
   * creation", whatever source the peer uses. */
  if (!is_zero(s->key.peer)) {
    memcpy(peer, s->key.peer, 16);
    return 0;
  }
  if (!s->peer_locked)
    return BFD_ERR_NOT_FOUND;
  memcpy(peer, s->peer_addr, 16);
  return 0;
}

void *bfd_session_get_user_data(const bfd_session *s) { return s ? s->user_data : NULL; }

void bfd_session_set_user_data(bfd_session *s, void *user_data) {
  if (s)
    s->user_data = user_data;
}
