/*
 * bfdping: bring up a BFD session with any peer, watch it, measure it.
 *
 *   bfdping [options] PEER          active session with PEER
 *   bfdping --listen ADDR           responder: answer any peer that talks to us
 *   bfdping --self-test             both ends on loopback, then a forced failure
 *
 * Exit codes: 0 = a session is Up at the end (self-test: every check passed),
 * 1 = never came Up or ended Down, 2 = usage or setup error.
 *
 * Copyright (c) 2026 the bfdkit developers. MIT licensed, see LICENSE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <sys/mman.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bfd/bfd.h>
#include <bfd/bfd_uv.h>

#define MAX_DETECTIONS 64
#define MAX_TRACKED 1024

/* Per-session bookkeeping for events and the summary. */
typedef struct tracked {
  bfd_session *s;
  char name[80];
  uint8_t last_state;
  uint64_t first_up;   /* ns since start, UINT64_MAX if never */
  uint64_t flaps;      /* Up -> not Up */
  uint64_t last_tx_iv, last_detect, last_rtx, last_rrx;
  uint64_t auth_fail[BFD_AUTH_FAIL_COUNT + 1]; /* + A-bit mismatches */
  uint8_t last_rmult;
  int removed;
} tracked;

typedef struct detection {
  uint64_t at;  /* ns since start */
  uint64_t gap; /* ns since the last packet received */
  uint8_t diag;
  char name[80];
} detection;

typedef struct app {
  uv_loop_t *loop;
  bfd_uv *a, *b; /* b: the self-test's second end */
  uv_signal_t sigint, sigterm, sigusr1;
  uv_timer_t tick, deadline;
  uint64_t t0;

  /* options */
  const char *peer, *local, *ifname, *listen_addr;
  int multihop, passive, json, quiet, self_test, verbose, rt;
  unsigned min_ttl, mult;
  uint32_t tx_ms, rx_ms;
  long count;    /* state changes to wait for; 0 = unlimited */
  bfd_auth_key key; /* the first key (type BFD_AUTH_NONE = no authentication) */
  bfd_auth_key keys[BFD_AUTH_KEYS_MAX]; /* the ring: all accepted, keys[tx_key] sent */
  size_t nkeys, tx_key;
  long key_id; /* for the next --key-file; -1 = previous + 1 */
  double deadline_s;
  unsigned port;

  int tty;
  int status_shown;
  long changes;
  int exit_code;
  int stopping;
  tracked sess[MAX_TRACKED];
  size_t nsess;
  detection det[MAX_DETECTIONS];
  size_t ndet;
  size_t ndet_total;
  /* self-test */
  int st_phase;
  uint64_t st_kill_at;
} app;

static app g; /* one per process; callbacks reach it through user_data */

static double secs(uint64_t ns) { return (double)ns / 1e9; }
static double ms(uint64_t ns) { return (double)ns / 1e6; }

static uint64_t since_start(const app *ap, uint64_t ts) { return ts >= ap->t0 ? ts - ap->t0 : 0; }

static void clear_status(app *ap) {
  if (ap->status_shown) {
    fputs("\r\033[K", stdout);
    ap->status_shown = 0;
  }
}

static void say(app *ap, uint64_t ts, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(app *ap, uint64_t ts, const char *fmt, ...) {
  va_list va;
  if (ap->quiet || ap->json)
    return;
  clear_status(ap);
  printf("[%9.3f] ", secs(since_start(ap, ts)));
  va_start(va, fmt);
  vprintf(fmt, va);
  va_end(va);
  putchar('\n');
  fflush(stdout);
}

/* "key":"value" with the value escaped per RFC 8259 (messages carry
 * interface names and strerror text). */
static void json_str(const char *k, const char *v, int comma) {
  const unsigned char *p;
  printf("\"%s\":\"", k);
  for (p = (const unsigned char *)v; *p; p++) {
    if (*p == '"' || *p == '\\')
      printf("\\%c", *p);
    else if (*p < 0x20)
      printf("\\u%04x", *p);
    else
      putchar(*p);
  }
  printf("\"%s", comma ? "," : "");
}

static tracked *find_tracked(app *ap, const bfd_session *s) {
  size_t i;
  for (i = 0; i < ap->nsess; i++)
    if (ap->sess[i].s == s && !ap->sess[i].removed)
      return &ap->sess[i];
  return NULL;
}

static tracked *track(app *ap, bfd_session *s) {
  size_t i;
  bfd_session_key key;
  bfd_uv_addr addr;
  tracked *t = find_tracked(ap, s);
  if (t)
    return t;
  if (ap->nsess == MAX_TRACKED) { /* responder churn: reuse a closed slot */
    for (i = 0; i < ap->nsess && !t; i++)
      if (ap->sess[i].removed)
        t = &ap->sess[i];
    if (!t)
      return NULL;
  } else {
    t = &ap->sess[ap->nsess++];
  }
  memset(t, 0, sizeof(*t));
  t->s = s;
  t->first_up = UINT64_MAX;
  t->last_state = BFD_STATE_DOWN;
  (void)bfd_session_get_key(s, &key);
  memset(&addr, 0, sizeof(addr));
  addr.family = key.family;
  addr.ifindex = key.ifindex;
  memcpy(addr.addr, key.peer, sizeof(addr.addr));
  if (bfd_uv_addr_format(t->name, sizeof(t->name), &addr) < 0)
    snprintf(t->name, sizeof(t->name), "?");
  return t;
}

static bfd_table *table_of(const app *ap, bfd_session *s) {
  bfd_table *t = bfd_uv_get_table(ap->a);
  if (ap->b && bfd_table_find_discr(t, bfd_session_get_local_discr(s)) != s)
    t = bfd_uv_get_table(ap->b);
  return t;
}

/* ------------------------------------------------------------------------ */
/* Core callbacks (getters only: the library must not be re-entered)        */
/* ------------------------------------------------------------------------ */

static int on_state(bfd_session *s, const bfd_state_event *ev, void *user_data) {
  app *ap = user_data;
  tracked *t;
  bfd_session_status st;
  uint64_t rel = since_start(ap, ev->ts);
  uint64_t gap = 0;
  const char *name;
  if (ap->stopping)
    return 0; /* the summary is the last word; our own AdminDown follows it */
  t = track(ap, s);
  name = t ? t->name : "?";

  st.struct_version = BFD_SESSION_STATUS_VERSION;
  (void)bfd_session_get_status(s, &st);
  if (st.last_rx != BFD_TSTAMP_NONE && ev->ts >= st.last_rx)
    gap = ev->ts - st.last_rx;
  ap->changes++;
  if (t) {
    t->last_state = ev->new_state;
    if (ev->new_state == BFD_STATE_UP && t->first_up == UINT64_MAX)
      t->first_up = rel;
    /* A flap is a failure: leaving Up because either side went AdminDown
     * is not one (RFC 5882 §3.2). */
    if (ev->old_state == BFD_STATE_UP && ev->new_state != BFD_STATE_ADMIN_DOWN &&
        !(ev->remote_state == BFD_STATE_ADMIN_DOWN && ev->local_diag == BFD_DIAG_NEIGHBOR_DOWN))
      t->flaps++;
  }
  if (ev->new_state == BFD_STATE_DOWN && ev->local_diag == BFD_DIAG_DETECT_EXPIRED) {
    if (ap->ndet < MAX_DETECTIONS) {
      detection *d = &ap->det[ap->ndet++];
      d->at = rel;
      d->gap = gap;
      d->diag = ev->local_diag;
      snprintf(d->name, sizeof(d->name), "%s", name);
    }
    ap->ndet_total++;
  }

  if (ap->json) {
    printf("{\"event\":\"state\",\"time\":%.6f,", secs(rel));
    json_str("peer", name, 1);
    json_str("old", bfd_state_name(ev->old_state), 1);
    json_str("new", bfd_state_name(ev->new_state), 1);
    printf("\"diag\":%u,", ev->local_diag);
    json_str("diag_text", bfd_diag_name(ev->local_diag), 1);
    json_str("remote_state", bfd_state_name(ev->remote_state), 1);
    printf("\"remote_diag\":%u,\"local_discr\":%" PRIu32 ",\"remote_discr\":%" PRIu32
           ",\"gap_ms\":%.3f,\"change_seq\":%" PRIu32 "}\n",
           ev->remote_diag, st.local_discr, st.remote_discr, ms(gap), ev->change_seq);
    fflush(stdout);
  } else if (ev->new_state == BFD_STATE_UP) {
    say(ap, ev->ts, "%s: %s -> Up (local discr %" PRIu32 ", remote discr %" PRIu32 ")", name,
        bfd_state_name(ev->old_state), st.local_discr, st.remote_discr);
  } else if (ev->new_state == BFD_STATE_DOWN && ev->remote_state == BFD_STATE_ADMIN_DOWN &&
             ev->local_diag == BFD_DIAG_NEIGHBOR_DOWN) {
    say(ap, ev->ts, "%s: %s -> Down: peer is AdminDown (remote diag: %s); not a path failure",
        name, bfd_state_name(ev->old_state), bfd_diag_name(ev->remote_diag));
  } else if (ev->local_diag == BFD_DIAG_DETECT_EXPIRED) {
    say(ap, ev->ts, "%s: %s -> Down: %s, %.1f ms since the last packet", name,
        bfd_state_name(ev->old_state), bfd_diag_name(ev->local_diag), ms(gap));
  } else {
    say(ap, ev->ts, "%s: %s -> %s (diag: %s; remote %s, remote diag: %s)", name,
        bfd_state_name(ev->old_state), bfd_state_name(ev->new_state),
        bfd_diag_name(ev->local_diag), bfd_state_name(ev->remote_state),
        bfd_diag_name(ev->remote_diag));
  }
  return 0;
}

static int on_nexthop(bfd_session *s, const bfd_nexthop_event *ev, void *user_data) {
  app *ap = user_data;
  /* Never track() here: the clearing event of a session bfdping stopped
   * tracking (its summary is out) must not resurrect it. */
  tracked *t = find_tracked(ap, s);
  static const char *const causes[] = {"new session", "session Up", "path failure",
                                       "session deleted", "local AdminDown"};
  const char *cause = ev->cause < 5 ? causes[ev->cause] : "?";
  if (ap->stopping)
    return 0;
  if (ap->json) {
    printf("{\"event\":\"nexthop\",\"time\":%.6f,", secs(since_start(ap, ev->ts)));
    json_str("peer", t ? t->name : "?", 1);
    json_str("action", ev->action == BFD_NEXTHOP_UP ? "up" : "down", 1);
    json_str("cause", cause, 1);
    printf("\"diag\":%u}\n", ev->diag);
    fflush(stdout);
  } else if (ap->verbose || ev->cause == BFD_NH_CAUSE_FAILURE) {
    say(ap, ev->ts, "%s: nexthop %s (%s%s%s)", t ? t->name : "?",
        ev->action == BFD_NEXTHOP_UP ? "usable" : "SHUT DOWN", cause,
        ev->cause == BFD_NH_CAUSE_FAILURE ? ": " : "",
        ev->cause == BFD_NH_CAUSE_FAILURE ? bfd_diag_name(ev->diag) : "");
  }
  return 0;
}

static void on_uv_error(bfd_uv *adapter, int code, int sys_errno, const char *msg,
                        void *user_data) {
  app *ap = user_data;
  (void)adapter;
  (void)sys_errno;
  if (ap->json) {
    printf("{\"event\":\"error\",\"code\":%d,", code);
    json_str("message", msg, 0);
    printf("}\n");
    fflush(stdout);
  } else {
    clear_status(ap);
    fprintf(stderr, "bfdping: %s\n", msg);
  }
}

/* The adapter installs the first key; the rest of the ring (accepted on
 * receive, for rotation) goes on here. Responder sessions get the whole
 * ring from the template (set_responder()). */
static int add_ring(app *ap, bfd_session *s) {
  size_t i;
  int rv;
  for (i = 1; i < ap->nkeys; i++)
    if ((rv = bfd_session_auth_add_key(s, &ap->keys[i])) != 0) {
      fprintf(stderr, "bfdping: key ID %u: %s\n", ap->keys[i].key_id, bfd_strerror(rv));
      return -1;
    }
  if (ap->nkeys && ap->tx_key && (rv = bfd_session_auth_set_tx_key(s, ap->keys[ap->tx_key].key_id)))
    return -1;
  return 0;
}

static void on_peer_created(bfd_uv *adapter, bfd_session *s, void *user_data) {
  app *ap = user_data;
  tracked *t = track(ap, s);
  (void)adapter;
  if (t && !ap->json)
    say(ap, uv_hrtime(), "%s: new peer (responder session)", t->name);
}

static void on_peer_deleted(bfd_uv *adapter, bfd_session *s, void *user_data) {
  app *ap = user_data;
  size_t i;
  (void)adapter;
  for (i = 0; i < ap->nsess; i++)
    if (ap->sess[i].s == s && !ap->sess[i].removed) {
      ap->sess[i].removed = 1;
      if (!ap->json)
        say(ap, uv_hrtime(), "%s: responder session closed", ap->sess[i].name);
    }
}

/* ------------------------------------------------------------------------ */
/* Periodic: parameter changes and the live status line                     */
/* ------------------------------------------------------------------------ */

/* Authentication failures are counted by the core; report growth. */
static void check_auth(app *ap, tracked *t, uint64_t now) {
  static const char *const why[] = {"wrong Auth Type", "unknown Key ID", "wrong password",
                                    "digest does not verify", "sequence number out of window",
                                    "A bit does not match our configuration"};
  unsigned r;
  for (r = 0; r <= BFD_AUTH_FAIL_COUNT; r++) {
    uint64_t n = r < BFD_AUTH_FAIL_COUNT
                     ? bfd_session_get_auth_failures(t->s, (int)r)
                     : bfd_session_get_rx_drops(t->s, BFD_ERR_PKT_AUTH_MISMATCH);
    if (n == t->auth_fail[r])
      continue;
    if (ap->json) {
      printf("{\"event\":\"auth_failure\",\"time\":%.6f,", secs(since_start(ap, now)));
      json_str("peer", t->name, 1);
      json_str("reason", why[r], 1);
      printf("\"new\":%" PRIu64 ",\"total\":%" PRIu64 "}\n", n - t->auth_fail[r], n);
      fflush(stdout);
    } else {
      say(ap, now, "%s: authentication failure: %s (%" PRIu64 " packet(s), %" PRIu64 " in all)",
          t->name, why[r], n - t->auth_fail[r], n);
    }
    t->auth_fail[r] = n;
  }
}

static void check_params(app *ap, tracked *t, uint64_t now) {
  bfd_session_status st;
  st.struct_version = BFD_SESSION_STATUS_VERSION;
  if (bfd_session_get_status(t->s, &st) != 0)
    return;
  if (st.state != BFD_STATE_UP)
    return;
  if (st.tx_interval_ns == t->last_tx_iv && st.detect_time_ns == t->last_detect &&
      st.remote_desired_min_tx_us == t->last_rtx && st.remote_required_min_rx_us == t->last_rrx &&
      st.remote_detect_mult == t->last_rmult)
    return;
  t->last_tx_iv = st.tx_interval_ns;
  t->last_detect = st.detect_time_ns;
  t->last_rtx = st.remote_desired_min_tx_us;
  t->last_rrx = st.remote_required_min_rx_us;
  t->last_rmult = st.remote_detect_mult;
  if (ap->json) {
    printf("{\"event\":\"parameters\",\"time\":%.6f,", secs(since_start(ap, now)));
    json_str("peer", t->name, 1);
    printf("\"tx_interval_ms\":%.3f,\"detect_time_ms\":%.3f,\"remote_desired_min_tx_ms\":%.3f,"
           "\"remote_required_min_rx_ms\":%.3f,\"remote_detect_mult\":%u}\n",
           ms(st.tx_interval_ns), ms(st.detect_time_ns), st.remote_desired_min_tx_us / 1e3,
           st.remote_required_min_rx_us / 1e3, st.remote_detect_mult);
    fflush(stdout);
  } else {
    say(ap, now,
        "%s: parameters: tx %.1f ms, detect %.1f ms (remote: desired tx %.1f ms, required rx "
        "%.1f ms, mult %u)",
        t->name, ms(st.tx_interval_ns), ms(st.detect_time_ns), st.remote_desired_min_tx_us / 1e3,
        st.remote_required_min_rx_us / 1e3, st.remote_detect_mult);
  }
}

static void show_status(app *ap) {
  bfd_session_status st;
  bfd_uv_stats us;
  if (!ap->tty || ap->json || ap->quiet || ap->nsess == 0 || ap->self_test)
    return;
  st.struct_version = BFD_SESSION_STATUS_VERSION;
  us.struct_version = BFD_UV_STATS_VERSION;
  if (bfd_session_get_status(ap->sess[0].s, &st) != 0 || bfd_uv_get_stats(ap->a, &us) != 0)
    return;
  printf("\r\033[K%s %s | tx %.0f ms detect %.0f ms | rx %" PRIu64 " tx %" PRIu64
         " drop %" PRIu64 " | sessions %zu",
         ap->sess[0].name, bfd_state_name(st.state), ms(st.tx_interval_ns), ms(st.detect_time_ns),
         st.rx_packets, st.tx_packets, st.rx_dropped + us.rx_ttl_dropped, ap->nsess);
  fflush(stdout);
  ap->status_shown = 1;
}

static void stop(app *ap, const char *why);
static int set_responder(app *ap);

static void self_test_step(app *ap, uint64_t now);

static void on_tick(uv_timer_t *h) {
  app *ap = h->data;
  uint64_t now = uv_hrtime();
  size_t i;
  for (i = 0; i < ap->nsess; i++)
    if (!ap->sess[i].removed) {
      check_auth(ap, &ap->sess[i], now);
      check_params(ap, &ap->sess[i], now);
    }
  show_status(ap);
  if (ap->self_test)
    self_test_step(ap, now);
  if (ap->count > 0 && ap->changes >= ap->count)
    stop(ap, "count reached");
}

static void on_deadline(uv_timer_t *h) { stop(h->data, "deadline reached"); }

static void on_signal(uv_signal_t *h, int signum) {
  app *ap = h->data;
  size_t i;
  if (signum != SIGUSR1) {
    stop(ap, "interrupted");
    return;
  }
  if (ap->nkeys < 2) {
    say(ap, uv_hrtime(), "SIGUSR1: no other key to rotate to");
    return;
  }
  ap->tx_key = (ap->tx_key + 1) % ap->nkeys;
  for (i = 0; i < ap->nsess; i++)
    if (!ap->sess[i].removed)
      (void)bfd_session_auth_set_tx_key(ap->sess[i].s, ap->keys[ap->tx_key].key_id);
  if (ap->listen_addr)
    (void)set_responder(ap); /* sessions created from now on */
  if (ap->json) {
    printf("{\"event\":\"auth_key\",\"time\":%.6f,\"tx_key_id\":%u}\n",
           secs(since_start(ap, uv_hrtime())), ap->keys[ap->tx_key].key_id);
    fflush(stdout);
  }
  say(ap, uv_hrtime(), "authentication: now sending with key ID %u", ap->keys[ap->tx_key].key_id);
}

/* ------------------------------------------------------------------------ */
/* Summary and shutdown                                                     */
/* ------------------------------------------------------------------------ */


static void summary(app *ap) {
  bfd_uv_stats us;
  bfd_table *tbl = bfd_uv_get_table(ap->a);
  size_t i, j;
  uint64_t rx = 0, tx = 0, dropped = 0, flaps = 0;
  int any_up = 0, first = 1;
  uint64_t first_up = UINT64_MAX;
  size_t nshown = 0;
  int code;

  us.struct_version = BFD_UV_STATS_VERSION;
  (void)bfd_uv_get_stats(ap->a, &us);
  for (i = 0; i < ap->nsess; i++) {
    tracked *t = &ap->sess[i];
    if (ap->self_test && t->removed)
      continue; /* the self-test's far end */
    nshown++;
    flaps += t->flaps;
    if (t->first_up < first_up)
      first_up = t->first_up;
    if (t->last_state == BFD_STATE_UP)
      any_up = 1;
  }
  rx = us.rx_accepted;
  tx = us.tx_packets;
  dropped = us.rx_dropped + us.rx_ttl_dropped;

  if (ap->json) {
    printf("{\"event\":\"summary\",\"up_at_end\":%s,\"time_to_up_ms\":", any_up ? "true" : "false");
    if (first_up == UINT64_MAX)
      printf("null");
    else
      printf("%.3f", ms(first_up));
    printf(",\"flaps\":%" PRIu64 ",\"sessions\":%zu,\"packets_in\":%" PRIu64
           ",\"packets_out\":%" PRIu64 ",\"send_errors\":%" PRIu64 ",\"dropped\":%" PRIu64
           ",\"ttl_dropped\":%" PRIu64 ",\"timer_fires\":%" PRIu64 ",\"timer_late\":%" PRIu64
           ",\"drops\":{",
           flaps, nshown, rx, tx, us.tx_errors, dropped, us.rx_ttl_dropped, us.timer_fires,
           us.timer_late);
  } else if (!ap->quiet) {
    clear_status(ap);
    printf("--- bfdping summary ---\n");
    printf("%s at the end; ", any_up ? "Up" : "not Up");
    if (first_up == UINT64_MAX)
      printf("never came Up; ");
    else
      printf("first Up after %.3f s; ", secs(first_up));
    printf("%" PRIu64 " flap(s); %zu session(s) seen\n", flaps, nshown);
    for (i = 0; i < ap->ndet; i++)
      printf("detection at %.3f s (%s): %s, %.1f ms since the last packet\n", secs(ap->det[i].at),
             ap->det[i].name, bfd_diag_name(ap->det[i].diag), ms(ap->det[i].gap));
    printf("timer: %" PRIu64 " wake-ups, %" PRIu64 " more than 2 ms late%s\n", us.timer_fires,
           us.timer_late, us.timer_late ? " (CPU starved? try --rt)" : "");
    printf("packets: %" PRIu64 " out (%" PRIu64 " send errors), %" PRIu64 " in, %" PRIu64
           " dropped",
           tx, us.tx_errors, rx, dropped);
  }
  /* Drops by reason: the table's (before a session is found) plus every
   * session's, plus GTSM drops the adapter made itself. */
  for (j = 0; (code = bfd_pkt_error_at(j)) != 0; j++) {
    uint64_t n = bfd_table_get_rx_drops(tbl, code);
    for (i = 0; i < ap->nsess; i++)
      if (!ap->sess[i].removed)
        n += bfd_session_get_rx_drops(ap->sess[i].s, code);
    if (code == BFD_ERR_PKT_TTL)
      n = n > us.rx_ttl_dropped ? n : us.rx_ttl_dropped;
    if (n == 0)
      continue;
    if (ap->json)
      printf("%s\"%s\":%" PRIu64, first ? "" : ",", bfd_strerror(code), n);
    else if (!ap->quiet)
      printf("%s%s: %" PRIu64, first ? " (" : "; ", bfd_strerror(code), n);
    first = 0;
  }
  if (ap->json)
    printf("}}\n");
  else if (!ap->quiet)
    printf("%s\n", first ? "" : ")");
  for (i = 0; i < ap->nsess; i++) {
    bfd_session_status st;
    st.struct_version = BFD_SESSION_STATUS_VERSION;
    if (ap->sess[i].removed || bfd_session_get_status(ap->sess[i].s, &st) != 0)
      continue;
    if (!ap->json && !ap->quiet)
      printf("%s: %s, tx %.1f ms, detect %.1f ms, local discr %" PRIu32 ", remote discr %" PRIu32
             "\n",
             ap->sess[i].name, bfd_state_name(st.state), ms(st.tx_interval_ns),
             ms(st.detect_time_ns), st.local_discr, st.remote_discr);
  }
  fflush(stdout);
  if (!ap->self_test)
    ap->exit_code = any_up ? 0 : 1;
}

static void close_cb(uv_handle_t *h) { (void)h; }

static void stop(app *ap, const char *why) {
  size_t i;
  if (ap->stopping)
    return;
  ap->stopping = 1;
  if (!ap->json && !ap->quiet && ap->verbose) {
    clear_status(ap);
    printf("bfdping: %s\n", why);
  }
  summary(ap); /* also sets the exit code (outside the self-test) */
  for (i = 0; i < ap->nsess; i++)
    ap->sess[i].removed = 1;
  uv_close((uv_handle_t *)&ap->tick, close_cb);
  uv_close((uv_handle_t *)&ap->deadline, close_cb);
  uv_close((uv_handle_t *)&ap->sigint, close_cb);
  uv_close((uv_handle_t *)&ap->sigterm, close_cb);
  uv_close((uv_handle_t *)&ap->sigusr1, close_cb);
  /* Tell every peer (RFC 5880 §6.8.16): AdminDown, diag 7, until it has
   * seen it or for its Detection Time of us; the loop runs until then. */
  bfd_uv_shutdown(ap->a, NULL);
  if (ap->b)
    bfd_uv_shutdown(ap->b, NULL);
  ap->a = ap->b = NULL;
}

/* ------------------------------------------------------------------------ */
/* Self-test: two ends on loopback, Up, then a silent peer                  */
/* ------------------------------------------------------------------------ */

static void self_test_step(app *ap, uint64_t now) {
  bfd_session_status st;
  if (ap->nsess == 0 || ap->stopping)
    return;
  st.struct_version = BFD_SESSION_STATUS_VERSION;
  (void)bfd_session_get_status(ap->sess[0].s, &st);
  switch (ap->st_phase) {
  case 0: /* waiting for Up; the slow-start bound is a few seconds */
    if (st.state == BFD_STATE_UP && st.tx_interval_ns == bfd_ms_to_ns(ap->tx_ms)) {
      ap->st_phase = 1;
      ap->st_kill_at = now + BFD_SECONDS;
    } else if (since_start(ap, now) > 10 * BFD_SECONDS) {
      say(ap, now, "self-test: FAILED: session did not come Up within 10 s");
      ap->exit_code = 1;
      stop(ap, "self-test failed");
    }
    break;
  case 1: /* Up and negotiated: hold a second, then silence the peer */
    if (now >= ap->st_kill_at) {
      say(ap, now, "self-test: silencing the peer (no AdminDown) to force a detection");
      {
        size_t i; /* the peer's sessions die with it: stop looking at them */
        for (i = 0; i < ap->nsess; i++)
          if (!ap->sess[i].removed && table_of(ap, ap->sess[i].s) != bfd_uv_get_table(ap->a))
            ap->sess[i].removed = 1;
      }
      bfd_uv_del(ap->b, NULL);
      ap->b = NULL;
      ap->st_phase = 2;
      ap->st_kill_at = now;
    }
    break;
  case 2: /* the detection must come within the detection time + a tick */
    if (ap->ndet_total > 0) {
      uint64_t limit = st.detect_time_ns ? st.detect_time_ns : 3 * bfd_ms_to_ns(ap->rx_ms);
      const detection *d = &ap->det[0];
      /* On the real clock only what holds on a busy machine: never early
       * (the core's exact rule), late by less than half an interval (a
       * scheduling delay, not a protocol error; bench_timer measures the
       * precision). */
      uint64_t slack = bfd_ms_to_ns(ap->rx_ms) / 2;
      int ok = d->diag == BFD_DIAG_DETECT_EXPIRED && d->gap >= limit && d->gap <= limit + slack;
      say(ap, now,
          "self-test: %s: detected after %.1f ms without packets (limit %.1f ms, never early, "
          "late by < %.1f ms)",
          ok ? "PASSED" : "FAILED", ms(d->gap), ms(limit), ms(slack));
      if (ap->json)
        printf("{\"event\":\"self_test\",\"result\":\"%s\",\"gap_ms\":%.3f,\"limit_ms\":%.3f}\n",
               ok ? "passed" : "failed", ms(d->gap), ms(limit));
      ap->exit_code = ok ? 0 : 1;
      ap->st_phase = 3;
      stop(ap, "self-test done");
    } else if (now - ap->st_kill_at > 5 * BFD_SECONDS) {
      say(ap, now, "self-test: FAILED: no detection within 5 s");
      ap->exit_code = 1;
      stop(ap, "self-test failed");
    }
    break;
  default:
    break;
  }
}

/* ------------------------------------------------------------------------ */
/* Setup                                                                    */
/* ------------------------------------------------------------------------ */

static void usage(FILE *f) {
  fputs(
      "usage: bfdping [options] PEER\n"
      "       bfdping [options] --listen ADDR\n"
      "       bfdping [options] --self-test\n"
      "\n"
      "Bring up a BFD session (RFC 5880/5881/5883) with PEER, report every state\n"
      "change, and print a summary on exit (or SIGINT, which first sends AdminDown).\n"
      "\n"
      "Session:\n"
      "  -l, --local ADDR     local address (source of our packets; the listener binds\n"
      "                       to it too, so bfdping can share a host with a BFD daemon)\n"
      "  -I, --interface IF   bind to interface IF (required for IPv6 link-local)\n"
      "      --multihop       multihop session (RFC 5883, port 4784)\n"
      "      --min-ttl N      multihop: drop packets received with TTL below N\n"
      "                       (default 1 = no floor; single-hop always requires 255)\n"
      "  -i, --tx MS          Desired Min TX interval in ms (default 300)\n"
      "  -r, --rx MS          Required Min RX interval in ms (default 300)\n"
      "  -m, --mult N         Detect Mult, 1..255 (default 3)\n"
      "      --passive        wait for the peer to speak first\n"
      "      --port N         peer/listen port instead of 3784/4784 (testing)\n"
      "Authentication (RFC 5880 section 6.7):\n"
      "      --auth TYPE      simple | md5 | meticulous-md5 | sha1 | meticulous-sha1\n"
      "      --key-id N       Key ID (0..255) of the next --key-file (default: 1,\n"
      "                       then the previous key's + 1)\n"
      "      --key-file PATH  a secret: the file's bytes, one trailing newline\n"
      "                       dropped (1..16 bytes; 1..20 for SHA1). Never on the\n"
      "                       command line, where other users could read it.\n"
      "                       Repeat --key-id/--key-file for a key ring (up to 8):\n"
      "                       every key is accepted, the first is sent; SIGUSR1\n"
      "                       sends with the next one (rotation without a flap).\n"
      "Modes:\n"
      "      --listen ADDR    responder: accept sessions from any peer that talks to us\n"
      "                       on ADDR (use 0.0.0.0 or :: for any)\n"
      "      --self-test      run both ends on loopback (127.0.0.1 <-> 127.0.0.2): show\n"
      "                       the session come Up, force a failure, check its detection\n"
      "Scheduling:\n"
      "      --rt             run at real-time priority (SCHED_FIFO 50) with memory\n"
      "                       locked, so timers are not starved under CPU load\n"
      "                       (needs root or CAP_SYS_NICE/CAP_IPC_LOCK)\n"
      "Ending:\n"
      "  -c, --count N        exit after N state changes\n"
      "  -w, --deadline SEC   exit after SEC seconds\n"
      "Output:\n"
      "      --json           one JSON object per event, and a final summary object\n"
      "  -q, --quiet          only the exit code\n"
      "  -v, --verbose        also report nexthop events and why bfdping stopped\n"
      "  -h, --help           this text\n"
      "\n"
      "Exit status: 0 = session Up at the end (self-test: passed), 1 = never came Up\n"
      "or ended Down (self-test: failed), 2 = usage or setup error.\n",
      f);
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out) {
  char *end;
  unsigned long v;
  if (!s || !*s)
    return -1;
  v = strtoul(s, &end, 10);
  if (*end || v > max || s[0] == '-')
    return -1;
  *out = v;
  return 0;
}

/* --key-file: the file's bytes are the secret, one trailing newline
 * dropped; the key ID is the last --key-id given, else the previous key's
 * + 1 (1 for the first). The type is set once --auth is known. */
static int load_key(app *ap, const char *path) {
  FILE *f;
  size_t n;
  uint8_t buf[BFD_AUTH_SECRET_MAX + 2];
  bfd_auth_key *k;
  if (ap->nkeys == BFD_AUTH_KEYS_MAX) {
    fprintf(stderr, "bfdping: at most %d keys\n", BFD_AUTH_KEYS_MAX);
    return -1;
  }
  if (!(f = fopen(path, "rb"))) {
    fprintf(stderr, "bfdping: cannot read key file %s: %s\n", path, strerror(errno));
    return -1;
  }
  n = fread(buf, 1, sizeof(buf), f);
  fclose(f);
  if (n > 0 && buf[n - 1] == '\n')
    n--;
  if (n == 0 || n > BFD_AUTH_SECRET_MAX) {
    fprintf(stderr, "bfdping: key file %s: the secret must be 1..%d bytes\n", path,
            BFD_AUTH_SECRET_MAX);
    memset(buf, 0, sizeof(buf));
    return -1;
  }
  k = &ap->keys[ap->nkeys];
  memset(k, 0, sizeof(*k));
  if (ap->key_id >= 0)
    k->key_id = (uint8_t)ap->key_id;
  else
    k->key_id = ap->nkeys ? (uint8_t)(ap->keys[ap->nkeys - 1].key_id + 1) : 1;
  ap->key_id = -1;
  k->len = (uint8_t)n;
  memcpy(k->secret, buf, n);
  memset(buf, 0, sizeof(buf));
  ap->nkeys++;
  return 0;
}

static int parse_args(app *ap, int argc, char **argv) {
  enum {
    O_MULTIHOP = 256,
    O_MIN_TTL,
    O_PASSIVE,
    O_LISTEN,
    O_SELF_TEST,
    O_JSON,
    O_PORT,
    O_AUTH,
    O_KEY_ID,
    O_KEY_FILE,
    O_RT
  };
  static const char *const auth_names[] = {NULL, "simple", "md5", "meticulous-md5", "sha1",
                                           "meticulous-sha1"};
  static const struct option opts[] = {
      {"local", required_argument, NULL, 'l'},  {"interface", required_argument, NULL, 'I'},
      {"multihop", no_argument, NULL, O_MULTIHOP}, {"min-ttl", required_argument, NULL, O_MIN_TTL},
      {"tx", required_argument, NULL, 'i'},     {"rx", required_argument, NULL, 'r'},
      {"mult", required_argument, NULL, 'm'},   {"passive", no_argument, NULL, O_PASSIVE},
      {"count", required_argument, NULL, 'c'},  {"deadline", required_argument, NULL, 'w'},
      {"json", no_argument, NULL, O_JSON},      {"quiet", no_argument, NULL, 'q'},
      {"verbose", no_argument, NULL, 'v'},      {"listen", required_argument, NULL, O_LISTEN},
      {"self-test", no_argument, NULL, O_SELF_TEST}, {"port", required_argument, NULL, O_PORT},
      {"auth", required_argument, NULL, O_AUTH}, {"key-id", required_argument, NULL, O_KEY_ID},
      {"key-file", required_argument, NULL, O_KEY_FILE},
      {"rt", no_argument, NULL, O_RT},
      {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
  int c;
  unsigned long v;
  char *end;
  ap->tx_ms = ap->rx_ms = 300;
  ap->mult = 3;
  ap->key_id = -1;
  while ((c = getopt_long(argc, argv, "l:I:i:r:m:c:w:qvh", opts, NULL)) != -1) {
    switch (c) {
    case 'l': ap->local = optarg; break;
    case 'I': ap->ifname = optarg; break;
    case O_MULTIHOP: ap->multihop = 1; break;
    case O_PASSIVE: ap->passive = 1; break;
    case O_JSON: ap->json = 1; break;
    case 'q': ap->quiet = 1; break; /* only the exit code: no JSON either */
    case 'v': ap->verbose = 1; break;
    case O_LISTEN: ap->listen_addr = optarg; break;
    case O_SELF_TEST: ap->self_test = 1; break;
    case 'h': usage(stdout); exit(0);
    case O_MIN_TTL:
      if (parse_uint(optarg, 255, &v) || v == 0) {
        fprintf(stderr, "bfdping: --min-ttl must be 1..255\n");
        return -1;
      }
      ap->min_ttl = (unsigned)v;
      break;
    case 'i':
    case 'r':
      /* The wire carries microseconds in 32 bits. */
      if (parse_uint(optarg, UINT32_MAX / 1000, &v) || v == 0) {
        fprintf(stderr, "bfdping: -%c must be 1..%u ms\n", c, UINT32_MAX / 1000);
        return -1;
      }
      if (c == 'i')
        ap->tx_ms = (uint32_t)v;
      else
        ap->rx_ms = (uint32_t)v;
      break;
    case 'm':
      if (parse_uint(optarg, 255, &v) || v == 0) {
        fprintf(stderr, "bfdping: -m must be 1..255\n");
        return -1;
      }
      ap->mult = (unsigned)v;
      break;
    case 'c':
      if (parse_uint(optarg, 1000000000, &v) || v == 0) {
        fprintf(stderr, "bfdping: -c must be a positive count\n");
        return -1;
      }
      ap->count = (long)v;
      break;
    case 'w':
      ap->deadline_s = strtod(optarg, &end);
      if (*end || !(ap->deadline_s > 0) || ap->deadline_s > 1e9) {
        fprintf(stderr, "bfdping: -w must be a positive number of seconds\n");
        return -1;
      }
      break;
    case O_AUTH: {
      uint8_t t;
      for (t = 1; t <= BFD_AUTH_METICULOUS_KEYED_SHA1; t++)
        if (strcmp(optarg, auth_names[t]) == 0)
          break;
      if (t > BFD_AUTH_METICULOUS_KEYED_SHA1) {
        fprintf(stderr, "bfdping: --auth must be one of simple, md5, meticulous-md5, sha1, "
                        "meticulous-sha1\n");
        return -1;
      }
      ap->key.type = t;
      break;
    }
    case O_KEY_ID:
      if (parse_uint(optarg, 255, &v)) {
        fprintf(stderr, "bfdping: --key-id must be 0..255\n");
        return -1;
      }
      ap->key_id = (long)v;
      break;
    case O_RT: ap->rt = 1; break;
    case O_KEY_FILE:
      if (load_key(ap, optarg) != 0)
        return -1;
      break;
    case O_PORT:
      if (parse_uint(optarg, 65535, &v) || v == 0) {
        fprintf(stderr, "bfdping: --port must be 1..65535\n");
        return -1;
      }
      ap->port = (unsigned)v;
      break;
    default:
      fprintf(stderr, "Try 'bfdping --help' for more information.\n");
      return -1;
    }
  }
  if (ap->quiet)
    ap->json = 0; /* -q: only the exit code, whatever else was asked for */
  if (ap->self_test + (ap->listen_addr != NULL) + (optind < argc) != 1) {
    fprintf(stderr, "bfdping: give exactly one of PEER, --listen ADDR or --self-test\n"
                    "Try 'bfdping --help' for more information.\n");
    return -1;
  }
  if (optind < argc) {
    ap->peer = argv[optind++];
    if (optind < argc) {
      fprintf(stderr, "bfdping: unexpected argument '%s'\n", argv[optind]);
      return -1;
    }
  }
  if ((ap->key.type != BFD_AUTH_NONE) != (ap->nkeys > 0)) {
    fprintf(stderr, "bfdping: --auth and --key-file go together\n");
    return -1;
  }
  if (ap->nkeys > 0) {
    size_t i, j;
    int rv;
    for (i = 0; i < ap->nkeys; i++) {
      ap->keys[i].type = ap->key.type;
      for (j = 0; j < i; j++)
        if (ap->keys[j].key_id == ap->keys[i].key_id) {
          fprintf(stderr, "bfdping: key ID %u given twice\n", ap->keys[i].key_id);
          return -1;
        }
      if ((rv = bfd_auth_key_check(&ap->keys[i])) != 0) {
        fprintf(stderr, "bfdping: %s key ID %u: %s\n", bfd_auth_type_name(ap->key.type),
                ap->keys[i].key_id, bfd_strerror(rv));
        return -1;
      }
    }
    ap->key = ap->keys[0];
  }
  if (ap->min_ttl && !ap->multihop) {
    fprintf(stderr, "bfdping: --min-ttl applies to --multihop (single-hop requires TTL 255)\n");
    return -1;
  }
  return 0;
}

static int new_adapter(app *ap, bfd_uv **pa, int auto_listen) {
  bfd_uv_settings us;
  bfd_callbacks cb;
  bfd_uv_callbacks ucb;
  int rv;
  (void)bfd_uv_settings_init(BFD_UV_SETTINGS_VERSION, &us);
  us.auto_listen = (uint8_t)auto_listen;
  if (ap->port) {
    us.port_single_hop = (uint16_t)ap->port;
    us.port_multihop = (uint16_t)ap->port;
  }
  (void)bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb);
  cb.state_change = on_state;
  cb.nexthop = on_nexthop;
  (void)bfd_uv_callbacks_init(BFD_UV_CALLBACKS_VERSION, &ucb);
  ucb.error = on_uv_error;
  ucb.peer_created = on_peer_created;
  ucb.peer_deleted = on_peer_deleted;
  rv = bfd_uv_new(pa, ap->loop, &us, &cb, &ucb, NULL, ap);
  if (rv != 0)
    fprintf(stderr, "bfdping: cannot create the adapter: %s\n", bfd_strerror(rv));
  return rv;
}

/* --listen: the table's responder mode (passive sessions for any peer that
 * talks to us), our timers, mode and whole key ring as its template. */
static int set_responder(app *ap) {
  bfd_responder_settings rs;
  size_t i;
  int rv;
  (void)bfd_responder_settings_init(BFD_RESPONDER_SETTINGS_VERSION, &rs);
  rs.max_sessions = MAX_TRACKED;
  rs.session.desired_min_tx_us = ap->tx_ms * 1000u;
  rs.session.required_min_rx_us = ap->rx_ms * 1000u;
  rs.session.detect_mult = (uint8_t)ap->mult;
  rs.session.mode = ap->multihop ? BFD_MODE_MULTIHOP : BFD_MODE_SINGLE_HOP;
  rs.session.min_rx_ttl = (uint8_t)ap->min_ttl;
  rs.nkeys = (uint8_t)ap->nkeys;
  for (i = 0; i < ap->nkeys; i++)
    rs.keys[i] = ap->keys[i];
  if (ap->nkeys)
    rs.tx_key_id = ap->keys[ap->tx_key].key_id;
  rv = bfd_uv_set_responder(ap->a, &rs);
  memset(&rs, 0, sizeof(rs)); /* the secrets */
  if (rv != 0)
    fprintf(stderr, "bfdping: cannot set up responder mode: %s\n", bfd_strerror(rv));
  return rv;
}

static int add_peer(app *ap, bfd_uv *a, const char *peer, const char *local, bfd_session **ps) {
  bfd_uv_peer_config pc;
  bfd_session *s = NULL;
  int rv;
  (void)bfd_uv_peer_config_init(BFD_UV_PEER_CONFIG_VERSION, &pc);
  if (bfd_uv_addr_parse(&pc.peer, peer) != 0) {
    fprintf(stderr, "bfdping: '%s' is not an IPv4/IPv6 address\n", peer);
    return -1;
  }
  /* A link-local peer only means something on one interface: say so,
   * rather than the core's "invalid session key". */
  if (pc.peer.family == BFD_AF_INET6 && pc.peer.addr[0] == 0xfe && (pc.peer.addr[1] & 0xc0) == 0x80 &&
      pc.peer.ifindex == 0 && !ap->ifname) {
    fprintf(stderr, "bfdping: %s is an IPv6 link-local address: it needs -I IFACE (or %s%%IFACE)\n",
            peer, peer);
    return -1;
  }
  if (local && bfd_uv_addr_parse(&pc.local, local) != 0) {
    fprintf(stderr, "bfdping: '%s' is not an IPv4/IPv6 address\n", local);
    return -1;
  }
  if (local && pc.local.family != pc.peer.family) {
    fprintf(stderr, "bfdping: local %s and peer %s are of different families\n", local, peer);
    return -1;
  }
  if (ap->ifname) {
    if (strlen(ap->ifname) >= sizeof(pc.ifname)) {
      fprintf(stderr, "bfdping: interface name '%s' is too long\n", ap->ifname);
      return -1;
    }
    strcpy(pc.ifname, ap->ifname);
  }
  pc.session.mode = ap->multihop ? BFD_MODE_MULTIHOP : BFD_MODE_SINGLE_HOP;
  pc.session.desired_min_tx_us = ap->tx_ms * 1000u;
  pc.session.required_min_rx_us = ap->rx_ms * 1000u;
  pc.session.detect_mult = (uint8_t)ap->mult;
  pc.session.passive = (uint8_t)ap->passive;
  pc.session.min_rx_ttl = (uint8_t)ap->min_ttl;
  if (ap->port)
    pc.peer_port = (uint16_t)ap->port;
  pc.session.nexthop_policy = BFD_NHS_AFTER_UP;
  pc.nkeys = (uint8_t)ap->nkeys;
  memcpy(pc.keys, ap->keys, sizeof(pc.keys));
  if (ap->nkeys)
    pc.tx_key_id = ap->keys[ap->tx_key].key_id;
  rv = bfd_uv_peer_add(a, &s, &pc, NULL);
  memset(pc.keys, 0, sizeof(pc.keys)); /* the secrets */
  if (rv != 0) {
    fprintf(stderr, "bfdping: cannot add peer %s: %s\n", peer, bfd_strerror(rv));
    return -1;
  }
  if (add_ring(ap, s) != 0)
    return -1;
  if (ps)
    *ps = s;
  return 0;
}

static int listen_on(app *ap, bfd_uv *a, const char *addr_text) {
  bfd_uv_addr addr;
  int rv;
  if (bfd_uv_addr_parse(&addr, addr_text) != 0) {
    fprintf(stderr, "bfdping: '%s' is not an IPv4/IPv6 address\n", addr_text);
    return -1;
  }
  rv = bfd_uv_listen(a, ap->multihop ? BFD_MODE_MULTIHOP : BFD_MODE_SINGLE_HOP, &addr);
  if (rv != 0) {
    fprintf(stderr, "bfdping: cannot listen on %s: %s\n", addr_text, bfd_strerror(rv));
    return -1;
  }
  return 0;
}

int main(int argc, char **argv) {
  app *ap = &g;
  bfd_session *s = NULL;
  memset(ap, 0, sizeof(*ap));
  if (parse_args(ap, argc, argv) != 0)
    return 2;
  if (ap->rt) {
    /* Userspace BFD timers starve under CPU pressure (FRR flapped
     * at 3 x 10 ms under stress); real-time priority is the remedy. */
    struct sched_param sp;
    memset(&sp, 0, sizeof(sp));
    sp.sched_priority = 50;
    if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0 || mlockall(MCL_CURRENT | MCL_FUTURE) != 0) {
      fprintf(stderr, "bfdping: --rt: %s\n", strerror(errno));
      return 2;
    }
  }
  ap->loop = uv_default_loop();
  ap->tty = isatty(STDOUT_FILENO);
  ap->t0 = uv_hrtime();
  ap->exit_code = 1;

  if (ap->self_test) {
    if (ap->local || ap->listen_addr || ap->multihop) {
      fprintf(stderr, "bfdping: --self-test takes only timer, port, auth and output options\n");
      return 2;
    }
    if (!ap->quiet && !ap->json)
      printf("bfdping self-test: 127.0.0.1 <-> 127.0.0.2, %u ms x %u\n", ap->tx_ms, ap->mult);
    if (new_adapter(ap, &ap->a, 0) || new_adapter(ap, &ap->b, 0) ||
        listen_on(ap, ap->a, "127.0.0.1") || listen_on(ap, ap->b, "127.0.0.2") ||
        add_peer(ap, ap->a, "127.0.0.2", "127.0.0.1", &s) ||
        add_peer(ap, ap->b, "127.0.0.1", "127.0.0.2", NULL))
      return 2;
    (void)track(ap, s);
  } else if (ap->listen_addr) {
    if (new_adapter(ap, &ap->a, 0) || set_responder(ap) || listen_on(ap, ap->a, ap->listen_addr))
      return 2;
    if (!ap->quiet && !ap->json)
      printf("bfdping: listening on %s (%s, port %u)\n", ap->listen_addr,
             ap->multihop ? "multihop" : "single-hop",
             ap->port ? ap->port : (ap->multihop ? BFD_PORT_MULTIHOP : BFD_PORT_SINGLE_HOP));
  } else {
    if (new_adapter(ap, &ap->a, ap->local == NULL))
      return 2;
    if (ap->local && listen_on(ap, ap->a, ap->local))
      return 2;
    if (add_peer(ap, ap->a, ap->peer, ap->local, &s))
      return 2;
    (void)track(ap, s);
    if (!ap->quiet && !ap->json)
      printf("bfdping %s: %s, %u ms x %u%s\n", ap->peer, ap->multihop ? "multihop" : "single-hop",
             ap->tx_ms, ap->mult, ap->passive ? ", passive" : "");
  }
  fflush(stdout);

  uv_timer_init(ap->loop, &ap->tick);
  ap->tick.data = ap;
  uv_timer_start(&ap->tick, on_tick, 50, 50);
  uv_timer_init(ap->loop, &ap->deadline);
  ap->deadline.data = ap;
  if (ap->deadline_s > 0)
    uv_timer_start(&ap->deadline, on_deadline, (uint64_t)(ap->deadline_s * 1000.0 + 0.999), 0);
  uv_signal_init(ap->loop, &ap->sigint);
  ap->sigint.data = ap;
  uv_signal_start(&ap->sigint, on_signal, SIGINT);
  uv_signal_init(ap->loop, &ap->sigterm);
  ap->sigterm.data = ap;
  uv_signal_start(&ap->sigterm, on_signal, SIGTERM);
  uv_signal_init(ap->loop, &ap->sigusr1);
  ap->sigusr1.data = ap;
  uv_signal_start(&ap->sigusr1, on_signal, SIGUSR1);

  uv_run(ap->loop, UV_RUN_DEFAULT);
  uv_loop_close(ap->loop);
  return ap->exit_code;
}
