/* libuv adapter: lifecycle (new, del, shutdown), the deadline timer and the
 * dispatch after every wake-up. See include/bfd/bfd_uv.h; the files of the
 * adapter are listed in bfd_uv_int.h.
 *
 * Protocol behaviour is the core's: responder mode is the table's
 * (bfd_table_set_responder), removal and shutdown are its goodbye
 * (bfd_session_goodbye, bfd_table_goodbye_all). The adapter keeps one
 * bfd_uv__peer (TX socket, counters) per session, created with the session
 * and freed with it (bfd_uv_peer.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bfd_uv_int.h"

/* ---- error reporting --------------------------------------------------- */

void bfd_uv__report(bfd_uv *a, int code, int sys_errno, const char *msg) {
  if (a->uv_cbs.error)
    a->uv_cbs.error(a, code, sys_errno, msg, a->user_data);
}

void bfd_uv__sock_report(void *ctx, int code, int sys_errno, const char *msg) {
  bfd_uv *a = ctx;
  a->last_errno = sys_errno;
  bfd_uv__report(a, code, sys_errno, msg);
}

void bfd_uv__report_core(bfd_uv *a, const char *op, int rc) {
  char msg[160];
  snprintf(msg, sizeof(msg), "%s: %s", op, bfd_strerror(rc));
  bfd_uv__report(a, rc, 0, msg);
}

/* ---- public init functions -------------------------------------------- */

/* Bytes of a caller's bfd_uv_settings of `version`, 0 if unknown: fields
 * are only appended. */
static size_t settings_size(uint32_t version) {
  if (version == 1)
    return offsetof(bfd_uv_settings, tx_sockets);
  return version == BFD_UV_SETTINGS_VERSION ? sizeof(bfd_uv_settings) : 0;
}

static void settings_defaults(bfd_uv_settings *s) {
  bfd_responder_settings rs;
  memset(s, 0, sizeof(*s));
  s->struct_version = BFD_UV_SETTINGS_VERSION;
  /* auto_* is a shorthand for bfd_uv_set_responder(): the core's template
   * defaults, no second copy of them. */
  (void)bfd_responder_settings_init(BFD_RESPONDER_SETTINGS_VERSION, &rs);
  s->auto_desired_min_tx_us = rs.session.desired_min_tx_us;
  s->auto_required_min_rx_us = rs.session.required_min_rx_us;
  s->auto_detect_mult = rs.session.detect_mult;
  s->auto_listen = 1;
  s->rx_batch = 32;
  s->tx_ports = 256;
}

int bfd_uv_settings_init(uint32_t version, bfd_uv_settings *s) {
  bfd_uv_settings d;
  if (!s)
    return BFD_ERR_INVALID_ARGUMENT;
  if (settings_size(version) == 0)
    return BFD_ERR_VERSION;
  settings_defaults(&d);
  d.struct_version = version;
  memcpy(s, &d, settings_size(version));
  return 0;
}

int bfd_uv_callbacks_init(uint32_t version, bfd_uv_callbacks *cb) {
  if (!cb)
    return BFD_ERR_INVALID_ARGUMENT;
  if (version != BFD_UV_CALLBACKS_VERSION)
    return BFD_ERR_VERSION;
  memset(cb, 0, sizeof(*cb));
  cb->struct_version = version;
  return 0;
}

/* ---- timer ------------------------------------------------------------- */

static void timer_cb(uv_timer_t *t);

/* Arm the one timer for the table's next deadline. The deadline is rounded
 * UP to the loop's millisecond clock, which is the same CLOCK_MONOTONIC base
 * as uv_hrtime() but never ahead of it, so the timer never fires early. */
static void rearm(bfd_uv *a) {
  uint64_t d, due_ms, now_ms;
  if (a->finished)
    return;
  d = bfd_table_next_deadline(a->table);
  if (d == BFD_TSTAMP_NONE) {
    uv_timer_stop(&a->timer);
    a->armed_ms = UINT64_MAX;
    a->armed_deadline = BFD_TSTAMP_NONE;
    return;
  }
  due_ms = d / BFD_MILLISECONDS + (d % BFD_MILLISECONDS ? 1 : 0);
  a->armed_deadline = d;
  if (due_ms == a->armed_ms && uv_is_active((uv_handle_t *)&a->timer))
    return;
  now_ms = uv_now(a->loop);
  uv_timer_start(&a->timer, timer_cb, due_ms > now_ms ? due_ms - now_ms : 0, 0);
  a->armed_ms = due_ms;
}

/* ---- core callback trampolines ---------------------------------------- */

static int tramp_state(bfd_session *s, const bfd_state_event *ev, void *ud) {
  bfd_uv *a = ud;
  return a->host_cbs.state_change ? a->host_cbs.state_change(s, ev, a->user_data) : 0;
}

static int tramp_nexthop(bfd_session *s, const bfd_nexthop_event *ev, void *ud) {
  bfd_uv *a = ud;
  return a->host_cbs.nexthop ? a->host_cbs.nexthop(s, ev, a->user_data) : 0;
}

static int tramp_params(bfd_session *s, const bfd_params_event *ev, void *ud) {
  bfd_uv *a = ud;
  return a->host_cbs.params(s, ev, a->user_data);
}

static int tramp_auth_failure(bfd_session *s, const bfd_auth_failure_event *ev, void *ud) {
  bfd_uv *a = ud;
  return a->host_cbs.auth_failure(s, ev, a->user_data);
}

static void tramp_rand(uint8_t *dest, size_t len, void *ud) {
  bfd_uv *a = ud;
  a->host_cbs.rand(dest, len, a->user_data);
}

/* ---- the dispatch ------------------------------------------------------ */

static void finish(bfd_uv *a);

/* After every wake-up and API change (bfd_uv_int.h). */
void bfd_uv__service(bfd_uv *a, uint64_t now) {
  int rc;
  if (a->finished)
    return;
  /* Woken long after a deadline (the loop was blocked, or the host is
   * overloaded): packets waiting in the kernel go first, or their sessions
   * would expire with the proof of life unread. */
  if (a->armed_deadline != BFD_TSTAMP_NONE && now > a->armed_deadline &&
      now - a->armed_deadline > BFD_UV__LATE_NS && !a->busy)
    bfd_uv__rx_catch_up(a, now);
  a->busy++;
  /* Load only the host sees, for the governor (counted without one too). */
  if (a->rx_drops_new)
    (void)bfd_table_note_load(a->table, BFD_LOAD_RX_DROPS, a->rx_drops_new);
  a->rx_drops_new = 0;
  rc = bfd_table_feed_time(a->table, now);
  if (rc < 0)
    bfd_uv__report_core(a, "bfd_table_feed_time", rc);
  bfd_uv__drain(a, now);
  if (a->tx_blocked_new)
    (void)bfd_table_note_load(a->table, BFD_LOAD_TX_BLOCKED, a->tx_blocked_new);
  a->tx_blocked_new = 0;
  a->busy--;
  rearm(a);
  if (a->busy)
    return;
  if (a->del_requested)
    bfd_uv__do_del(a, a->del_graceful);
  else if (a->closing && a->n_goodbye == 0)
    finish(a);
}

/* The table's count of deadlines served (0 without a table). */
static uint64_t services(const bfd_uv *a) {
  bfd_table_stats ts;
  memset(&ts, 0, sizeof(ts));
  ts.struct_version = BFD_TABLE_STATS_VERSION;
  return a->table && bfd_table_get_stats(a->table, &ts) == 0 ? ts.services : 0;
}

static void timer_cb(uv_timer_t *t) {
  bfd_uv *a = t->data;
  uint64_t now = uv_hrtime(), late = 0, ms, served = 0;
  unsigned b = 0;
  int was_late;
  a->stats.timer_fires++;
  if (a->armed_deadline != BFD_TSTAMP_NONE && now > a->armed_deadline)
    late = now - a->armed_deadline;
  for (ms = late / BFD_MILLISECONDS; ms > 0 && b < BFD_UV_LATE_BUCKETS - 1; ms >>= 1)
    b++;
  a->stats.timer_late_hist[b]++;
  a->stats.timer_late_sum_ns += late;
  if (late > a->stats.timer_late_max_ns)
    a->stats.timer_late_max_ns = late;
  was_late = late > BFD_UV__LATE_NS;
  if (was_late) {
    a->stats.timer_late++;
    served = services(a);
  }
  a->armed_ms = UINT64_MAX;
  bfd_uv__service(a, now);
  if (was_late && a->table) { /* how much the late wake-up found to do */
    served = services(a) - served;
    a->stats.late_served += served;
    if (served > a->stats.late_served_max)
      a->stats.late_served_max = served;
  }
}

/* ---- lifecycle --------------------------------------------------------- */

/* Bytes of a caller's bfd_callbacks of `version` (1..current), 0 if
 * unknown: fields are only appended (bfd.h, versioned structs). */
static size_t core_cbs_size(uint32_t version) {
  if (version == 1)
    return offsetof(bfd_callbacks, session);
  return version == BFD_CALLBACKS_VERSION ? sizeof(bfd_callbacks) : 0;
}

int bfd_uv_new(bfd_uv **pa, uv_loop_t *loop, const bfd_uv_settings *settings,
               const bfd_callbacks *core_cbs, const bfd_uv_callbacks *uv_cbs, const bfd_mem *mem,
               void *user_data) {
  bfd_callbacks cbs, host;
  bfd_uv_settings st;
  bfd_uv *a;
  uint16_t r16 = 0;
  int rc;
  if (!pa || !loop)
    return BFD_ERR_INVALID_ARGUMENT;
  if ((settings && settings_size(settings->struct_version) == 0) ||
      (core_cbs && core_cbs_size(core_cbs->struct_version) == 0) ||
      (uv_cbs && uv_cbs->struct_version != BFD_UV_CALLBACKS_VERSION))
    return BFD_ERR_VERSION;
  memset(&host, 0, sizeof(host));
  if (core_cbs)
    memcpy(&host, core_cbs, core_cbs_size(core_cbs->struct_version));
  /* Lifecycle and the veto are the adapter's own (peer_created,
   * peer_deleted, new_peer): refuse rather than ignore them. */
  if (host.session || host.responder_accept)
    return BFD_ERR_INVALID_ARGUMENT;
  if (settings && settings->auto_auth_key.type != BFD_AUTH_NONE &&
      (rc = bfd_auth_key_check(&settings->auto_auth_key)) != 0)
    return rc;
  settings_defaults(&st);
  if (settings) /* only the caller's version's bytes; the rest defaults */
    memcpy(&st, settings, settings_size(settings->struct_version));
  st.struct_version = BFD_UV_SETTINGS_VERSION;
  if (st.rx_batch < 1 || st.rx_batch > BFD_UV__RX_BATCH_MAX || st.auto_listen > 1 ||
      st.tx_sockets > BFD_UV_TX_SHARED || st.rx_rcvbuf > INT32_MAX ||
      (st.tx_sockets == BFD_UV_TX_SHARED &&
       (st.tx_ports < 1 || st.tx_ports > BFD_UV__TX_PORTS_MAX))) {
    memset(&st, 0, sizeof(st)); /* the secret */
    return BFD_ERR_INVALID_ARGUMENT;
  }
  if (!mem)
    mem = bfd_mem_default();
  a = mem->calloc(1, sizeof(*a), mem->user_data);
  if (!a) {
    memset(&st, 0, sizeof(st));
    return BFD_ERR_NOMEM;
  }
  a->mem = mem;
  a->loop = loop;
  a->user_data = user_data;
  a->settings = st;
  memset(&st, 0, sizeof(st));
  a->host_cbs = host;
  a->host_cbs.struct_version = BFD_CALLBACKS_VERSION;
  if (uv_cbs)
    a->uv_cbs = *uv_cbs;
  a->armed_ms = UINT64_MAX;
  a->armed_deadline = BFD_TSTAMP_NONE;
  a->catch_epfd = -2;
  a->stats.struct_version = BFD_UV_STATS_VERSION;

  bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cbs);
  cbs.state_change = tramp_state;
  cbs.nexthop = tramp_nexthop;
  cbs.rand = a->host_cbs.rand ? tramp_rand : NULL;
  /* Only when the host listens: the core skips the work otherwise. */
  cbs.params = a->host_cbs.params ? tramp_params : NULL;
  cbs.auth_failure = a->host_cbs.auth_failure ? tramp_auth_failure : NULL;
  cbs.session = bfd_uv__on_session;
  cbs.responder_accept = bfd_uv__on_accept;
  rc = bfd_table_new(&a->table, &cbs, mem, a);
  if (rc == 0)
    (void)bfd_table_set_start_pacing(a->table, BFD_UV_START_PACING); /* in range */
  if (rc == 0 && a->settings.max_auto_sessions > 0 && (rc = bfd_uv__auto_responder(a)) != 0)
    bfd_table_del(a->table);
  memset(&a->settings.auto_auth_key, 0, sizeof(a->settings.auto_auth_key)); /* the table's now */
  if (rc < 0) {
    bfd_uv__free(a, a);
    return rc;
  }
  /* A random first source port spreads restarts over the range; a fresh
   * process does not reuse the ports of the one that just died (the peer
   * may still hold state keyed on them). */
  if (uv_random(NULL, NULL, &r16, sizeof(r16), 0, NULL) != 0)
    r16 = (uint16_t)(uv_hrtime() ^ (uint64_t)getpid());
  a->port_cursor = (uint16_t)(BFD_SRC_PORT_MIN + r16 % (BFD_SRC_PORT_MAX - BFD_SRC_PORT_MIN + 1));
  uv_timer_init(loop, &a->timer);
  a->timer.data = a;
  *pa = a;
  return 0;
}

static void handle_closed(uv_handle_t *h) {
  bfd_uv *a;
  if (h->type == UV_POLL) {
    bfd_uv__listener *l = h->data;
    a = l->a;
    close(l->fd);
    bfd_uv__free(a, l);
  } else {
    a = h->data;
  }
  if (--a->pending_close == 0) {
    if (a->closed_cb)
      a->closed_cb(a, a->user_data);
    bfd_uv__free(a, a);
  }
}

/* The last goodbye is done (or none was running): table, sockets, handles. */
static void finish(bfd_uv *a) {
  bfd_uv__listener *l, *ln;
  bfd_uv__peer *p, *pn;
  if (a->finished)
    return;
  a->finished = 1;
  a->busy++;
  /* Sessions first: their clearing nexthop events may look up the peer. */
  bfd_table_del(a->table);
  a->table = NULL;
  for (p = a->peers; p; p = pn) {
    pn = p->next;
    if (!p->tx)
      close(p->fd);
    bfd_uv__free(a, p);
  }
  a->peers = NULL;
  bfd_uv__tx_pool_free(a);
  a->busy--;
  for (l = a->listeners; l; l = ln) {
    ln = l->next;
    a->pending_close++;
    uv_close((uv_handle_t *)&l->poll, handle_closed);
  }
  a->listeners = NULL;
  bfd_uv__listeners_free(a);
  a->pending_close++;
  uv_close((uv_handle_t *)&a->timer, handle_closed);
}

/* bfd_uv_del() (graceful 0: sessions not saying goodbye are deleted
 * silently) or bfd_uv_shutdown() (graceful 1: every session says goodbye).
 * Goodbyes in progress run to their end, the loop keeps serving them; a
 * second call ends them at once. */
void bfd_uv__do_del(bfd_uv *a, int graceful) {
  bfd_uv__peer *p, *pn;
  uint64_t now;
  int again = a->closing, rc;
  a->del_requested = 0;
  if (a->finished)
    return;
  a->closing = 1;
  now = uv_hrtime();
  a->busy++;
  if (graceful && !again) {
    /* The core's graceful shutdown, as poll_host.c has it. */
    for (p = a->peers; p; p = p->next)
      bfd_uv__peer_mark_goodbye(p);
    if ((rc = bfd_table_goodbye_all(a->table, now)) < 0) /* frees the done ones */
      bfd_uv__report_core(a, "bfd_table_goodbye_all", rc);
  } else {
    for (p = a->peers; p; p = pn) {
      pn = p->next;
      if (again || !p->goodbye)
        bfd_uv__peer_del_silent(p);
    }
  }
  a->busy--;
  if (a->n_goodbye == 0)
    finish(a);
  else
    bfd_uv__service(a, now);
}

static void del_or_defer(bfd_uv *a, bfd_uv_closed_cb closed_cb, int graceful) {
  if (!a || a->finished)
    return;
  if (!a->closing && !a->del_requested)
    a->closed_cb = closed_cb;
  if (a->busy) {
    /* Called from a callback: finish the dispatch first. */
    if (!a->del_requested)
      a->del_graceful = graceful;
    a->del_requested = 1;
    return;
  }
  bfd_uv__do_del(a, graceful);
}

void bfd_uv_del(bfd_uv *a, bfd_uv_closed_cb closed_cb) { del_or_defer(a, closed_cb, 0); }

void bfd_uv_shutdown(bfd_uv *a, bfd_uv_closed_cb closed_cb) { del_or_defer(a, closed_cb, 1); }

/* Bytes of a caller's bfd_uv_stats of `version`, 0 if unknown. */
static size_t stats_size(uint32_t version) {
  if (version == 1)
    return offsetof(bfd_uv_stats, rx_kernel_drops);
  if (version == 2)
    return offsetof(bfd_uv_stats, rx_rcvbuf_applied);
  if (version == 3)
    return offsetof(bfd_uv_stats, timer_late_sum_ns);
  return version == BFD_UV_STATS_VERSION ? sizeof(bfd_uv_stats) : 0;
}

int bfd_uv_get_stats(const bfd_uv *a, bfd_uv_stats *stats) {
  size_t n;
  if (!a || !stats)
    return BFD_ERR_INVALID_ARGUMENT;
  if ((n = stats_size(stats->struct_version)) == 0)
    return BFD_ERR_VERSION;
  memcpy((uint8_t *)stats + sizeof(stats->struct_version),
         (const uint8_t *)&a->stats + sizeof(stats->struct_version),
         n - sizeof(stats->struct_version));
  return 0;
}

int bfd_uv_set_governor(bfd_uv *a, const bfd_governor_settings *gs) {
  uint64_t now;
  int rc;
  if (!a || a->busy || a->closing)
    return BFD_ERR_INVALID_ARGUMENT;
  now = uv_hrtime();
  rc = bfd_table_set_governor(a->table, gs, now);
  if (rc == 0)
    bfd_uv__service(a, now); /* a scale set at once: re-arm, send */
  return rc;
}

bfd_table *bfd_uv_get_table(const bfd_uv *a) { return a && !a->closing ? a->table : NULL; }

uv_loop_t *bfd_uv_get_loop(const bfd_uv *a) { return a ? a->loop : NULL; }

int bfd_uv_last_errno(const bfd_uv *a) { return a ? a->last_errno : 0; }

const char *bfd_uv_strerror(int code) {
  switch (code) {
  case BFD_UV_ERR_ADDR_NOT_AVAIL: return "address not available on this host";
  case BFD_UV_ERR_ADDR_IN_USE: return "address and port in use by another socket";
  case BFD_UV_ERR_FD_LIMIT: return "too many open files";
  case BFD_UV_ERR_NO_PORT: return "no free source port in 49152-65535";
  default: return bfd_strerror(code);
  }
}
