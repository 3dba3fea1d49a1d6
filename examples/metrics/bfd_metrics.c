/* Prometheus text exposition of a table's sessions (see bfd_metrics.h).
 * The format: https://prometheus.io/docs/instrumenting/exposition_formats/
 * ("# HELP", "# TYPE" once per family, then its samples, every family's
 * samples together; label values escape \, " and newline). */
#include "bfd_metrics.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void bfdm_out_init(bfdm_out *o, char *buf, size_t cap) {
  o->buf = buf;
  o->cap = cap;
  o->len = 0;
  o->truncated = 0;
  if (cap)
    buf[0] = '\0';
}

void bfdm_printf(bfdm_out *o, const char *fmt, ...) {
  va_list ap;
  int n;
  if (o->truncated)
    return;
  va_start(ap, fmt);
  n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= o->cap - o->len) {
    /* Back to the end of the last whole line: a scraper never sees half
     * a sample. */
    o->truncated = 1;
    while (o->len > 0 && o->buf[o->len - 1] != '\n')
      o->len--;
    o->buf[o->len] = '\0';
    return;
  }
  o->len += (size_t)n;
}

/* A label value: \ " and newline escaped. */
static void put_escaped(bfdm_out *o, const char *v) {
  for (; *v; v++) {
    if (*v == '\\')
      bfdm_printf(o, "\\\\");
    else if (*v == '"')
      bfdm_printf(o, "\\\"");
    else if (*v == '\n')
      bfdm_printf(o, "\\n");
    else
      bfdm_printf(o, "%c", *v);
  }
}

static const struct {
  int code;
  const char *name;
} k_drops[] = {
    {BFD_ERR_PKT_TRUNCATED, "truncated"},
    {BFD_ERR_PKT_VERSION, "version"},
    {BFD_ERR_PKT_LENGTH_SHORT, "length_short"},
    {BFD_ERR_PKT_LENGTH_LONG, "length_long"},
    {BFD_ERR_PKT_DETECT_MULT, "detect_mult"},
    {BFD_ERR_PKT_MULTIPOINT, "multipoint"},
    {BFD_ERR_PKT_MY_DISCR, "my_discr"},
    {BFD_ERR_PKT_POLL_FINAL, "poll_final"},
    {BFD_ERR_PKT_AUTH_TYPE, "auth_type"},
    {BFD_ERR_PKT_AUTH_LEN, "auth_len"},
    {BFD_ERR_PKT_NO_SESSION, "no_session"},
    {BFD_ERR_PKT_YOUR_DISCR, "your_discr"},
    {BFD_ERR_PKT_AUTH_MISMATCH, "auth_mismatch"},
    {BFD_ERR_PKT_AUTH_FAILED, "auth_failed"},
    {BFD_ERR_PKT_TTL, "ttl"},
    {BFD_ERR_PKT_MODE, "mode"},
    {BFD_ERR_PKT_ADMIN_DOWN, "admin_down"},
    {BFD_ERR_PKT_LOOPED, "looped"},
};

const char *bfdm_drop_reason(int error_code) {
  size_t i;
  for (i = 0; i < sizeof(k_drops) / sizeof(k_drops[0]); i++)
    if (k_drops[i].code == error_code)
      return k_drops[i].name;
  return NULL;
}

static const char *const k_auth[BFD_AUTH_FAIL_COUNT] = {"type",   "key_id", "password",
                                                        "digest", "seq",    "mismatch"};
static const char *const k_state[4] = {"admin_down", "down", "init", "up"};

/* The session's labels, without the braces: peer, local, interface, mode,
 * family. */
static void put_labels(bfdm_out *o, const bfd_session *s) {
  bfd_session_key k;
  uint8_t peer[16];
  char a[INET6_ADDRSTRLEN], ifname[IF_NAMESIZE + 1];
  int af;
  memset(&k, 0, sizeof(k));
  (void)bfd_session_get_key(s, &k);
  af = k.family == BFD_AF_INET6 ? AF_INET6 : AF_INET;
  if (bfd_session_get_peer(s, peer) != 0)
    memcpy(peer, k.peer, sizeof(peer));
  if (!inet_ntop(af, peer, a, sizeof(a)))
    a[0] = '\0';
  bfdm_printf(o, "peer=\"");
  put_escaped(o, a);
  if (!inet_ntop(af, k.local, a, sizeof(a)))
    a[0] = '\0';
  bfdm_printf(o, "\",local=\"");
  put_escaped(o, a);
  ifname[0] = '\0';
  if (k.ifindex && !if_indextoname(k.ifindex, ifname))
    snprintf(ifname, sizeof(ifname), "%u", (unsigned)k.ifindex);
  bfdm_printf(o, "\",interface=\"");
  put_escaped(o, ifname);
  bfdm_printf(o, "\",mode=\"%s\",family=\"%s\"", k.mode == BFD_MODE_MULTIHOP ? "multi_hop" : "single_hop",
      k.family == BFD_AF_INET6 ? "ipv6" : "ipv4");
}

void bfdm_family(bfdm_out *o, const char *name, const char *type, const char *help) {
  bfdm_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One sample per session of `t`: name{labels[,extra]} value. */
typedef void (*value_fn)(bfdm_out *o, const bfd_session *s, const bfd_session_status *st,
                         uint64_t now, int arg);

static void samples(bfdm_out *o, const bfd_table *t, uint64_t now, const char *name,
                    const char *extra, int arg, value_fn fn) {
  const bfd_session *s;
  for (s = bfd_table_next_session(t, NULL); s; s = bfd_table_next_session(t, s)) {
    bfd_session_status st;
    memset(&st, 0, sizeof(st));
    st.struct_version = BFD_SESSION_STATUS_VERSION;
    if (bfd_session_get_status(s, &st) != 0)
      continue;
    bfdm_printf(o, "%s{", name);
    put_labels(o, s);
    if (extra)
      bfdm_printf(o, ",%s", extra);
    bfdm_printf(o, "} ");
    fn(o, s, &st, now, arg);
    bfdm_printf(o, "\n");
  }
}

static double secs(uint64_t ns) { return (double)ns / 1e9; }

static void v_up(bfdm_out *o, const bfd_session *s, const bfd_session_status *st, uint64_t now,
                 int arg) {
  (void)s, (void)now, (void)arg;
  bfdm_printf(o, "%d", st->state == BFD_STATE_UP);
}
static void v_state(bfdm_out *o, const bfd_session *s, const bfd_session_status *st, uint64_t now,
                    int arg) {
  (void)s, (void)now;
  bfdm_printf(o, "%d", st->state == arg);
}
static void v_uptime(bfdm_out *o, const bfd_session *s, const bfd_session_status *st, uint64_t now,
                     int arg) {
  (void)s, (void)arg;
  bfdm_printf(o, "%.9g",
      st->state == BFD_STATE_UP && now >= st->last_change ? secs(now - st->last_change) : 0.0);
}
static void v_u64(bfdm_out *o, uint64_t v) { bfdm_printf(o, "%llu", (unsigned long long)v); }
static void v_ups(bfdm_out *o, const bfd_session *s, const bfd_session_status *st, uint64_t now,
                  int arg) {
  (void)s, (void)now, (void)arg;
  v_u64(o, st->up_count);
}
static void v_downs(bfdm_out *o, const bfd_session *s, const bfd_session_status *st, uint64_t now,
                    int arg) {
  (void)s, (void)now, (void)arg;
  v_u64(o, st->down_count);
}
static void v_failures(bfdm_out *o, const bfd_session *s, const bfd_session_status *st,
                       uint64_t now, int arg) {
  (void)s, (void)now, (void)arg;
  v_u64(o, st->failure_count);
}
static void v_tx(bfdm_out *o, const bfd_session *s, const bfd_session_status *st, uint64_t now,
                 int arg) {
  (void)s, (void)now, (void)arg;
  v_u64(o, st->tx_packets);
}
static void v_rx(bfdm_out *o, const bfd_session *s, const bfd_session_status *st, uint64_t now,
                 int arg) {
  (void)s, (void)now, (void)arg;
  v_u64(o, st->rx_packets);
}
static void v_drops(bfdm_out *o, const bfd_session *s, const bfd_session_status *st, uint64_t now,
                    int arg) {
  (void)st, (void)now;
  v_u64(o, bfd_session_get_rx_drops(s, arg));
}
static void v_auth(bfdm_out *o, const bfd_session *s, const bfd_session_status *st, uint64_t now,
                   int arg) {
  (void)st, (void)now;
  v_u64(o, bfd_session_get_auth_failures(s, arg));
}
static void v_detect(bfdm_out *o, const bfd_session *s, const bfd_session_status *st, uint64_t now,
                     int arg) {
  (void)s, (void)now, (void)arg;
  bfdm_printf(o, "%.9g", secs(st->detect_time_ns));
}
static void v_txiv(bfdm_out *o, const bfd_session *s, const bfd_session_status *st, uint64_t now,
                   int arg) {
  (void)s, (void)now, (void)arg;
  bfdm_printf(o, "%.9g", secs(st->tx_interval_ns));
}

/* The table's own series (bfd_table_get_stats, O(1)): no session labels. */
static void table_families(bfdm_out *o, const bfd_table *t) {
  bfd_table_stats ts;
  size_t i;
  int k;
  memset(&ts, 0, sizeof(ts));
  ts.struct_version = BFD_TABLE_STATS_VERSION;
  if (bfd_table_get_stats(t, &ts) != 0)
    return;
  bfdm_family(o, "bfd_sessions", "gauge",
         "Sessions of the table by state (RFC 9314 number-of-sessions-up/-down/-admin-down).");
  for (k = 0; k < 4; k++)
    bfdm_printf(o, "bfd_sessions{state=\"%s\"} %llu\n", k_state[k], (unsigned long long)ts.by_state[k]);
  bfdm_family(o, "bfd_table_packets_dropped_total", "counter",
         "Received packets the table or its sessions discarded, by reason, counted once.");
  for (i = 0; i < sizeof(k_drops) / sizeof(k_drops[0]); i++) {
    uint64_t n = 0;
    size_t j;
    int c;
    for (j = 0; j < BFD_TABLE_DROP_REASONS && (c = bfd_pkt_error_at(j)) != 0; j++)
      if (c == k_drops[i].code)
        n = ts.rx_drops[j];
    bfdm_printf(o, "bfd_table_packets_dropped_total{reason=\"%s\"} %llu\n", k_drops[i].name,
        (unsigned long long)n);
  }
  bfdm_family(o, "bfd_governor_scale_ratio", "gauge",
         "The overload governor's scale: the sessions' intervals over the configured ones (1: as "
         "configured).");
  bfdm_printf(o, "bfd_governor_scale_ratio %.9g\n", (double)ts.governor_scale_permille / 1000.0);
}

int bfdm_render_table(bfdm_out *o, const bfd_table *t, uint64_t now) {
  char extra[64];
  size_t i;
  int k;
  bfdm_family(o, "bfd_session_up", "gauge", "1 if the session is Up, else 0.");
  samples(o, t, now, "bfd_session_up", NULL, 0, v_up);
  bfdm_family(o, "bfd_session_state", "gauge",
         "1 for the session's state (RFC 5880 bfd.SessionState), 0 for the others.");
  for (k = 0; k < 4; k++) {
    snprintf(extra, sizeof(extra), "state=\"%s\"", k_state[k]);
    samples(o, t, now, "bfd_session_state", extra, k, v_state);
  }
  bfdm_family(o, "bfd_session_uptime_seconds", "gauge", "Time since the session came Up; 0 if not Up.");
  samples(o, t, now, "bfd_session_uptime_seconds", NULL, 0, v_uptime);
  bfdm_family(o, "bfd_state_transitions_total", "counter",
         "State transitions into Up and from Up to Down.");
  samples(o, t, now, "bfd_state_transitions_total", "from=\"any\",to=\"up\"", 0, v_ups);
  samples(o, t, now, "bfd_state_transitions_total", "from=\"up\",to=\"down\"", 0, v_downs);
  bfdm_family(o, "bfd_session_failures_total", "counter",
         "Up to Down transitions that were path failures (not the peer's AdminDown, RFC 5882 "
         "section 3.2).");
  samples(o, t, now, "bfd_session_failures_total", NULL, 0, v_failures);
  bfdm_family(o, "bfd_packets_sent_total", "counter", "Control packets sent.");
  samples(o, t, now, "bfd_packets_sent_total", NULL, 0, v_tx);
  bfdm_family(o, "bfd_packets_received_total", "counter", "Control packets accepted.");
  samples(o, t, now, "bfd_packets_received_total", NULL, 0, v_rx);
  bfdm_family(o, "bfd_packets_dropped_total", "counter",
         "Received packets the session discarded, by reason (RFC 5880 section 6.8.6).");
  for (i = 0; i < sizeof(k_drops) / sizeof(k_drops[0]); i++) {
    snprintf(extra, sizeof(extra), "reason=\"%s\"", k_drops[i].name);
    samples(o, t, now, "bfd_packets_dropped_total", extra, k_drops[i].code, v_drops);
  }
  bfdm_family(o, "bfd_auth_failures_total", "counter",
         "Received packets that failed authentication, by reason (RFC 5880 section 6.7).");
  for (k = 0; k < BFD_AUTH_FAIL_COUNT; k++) {
    snprintf(extra, sizeof(extra), "reason=\"%s\"", k_auth[k]);
    samples(o, t, now, "bfd_auth_failures_total", extra, k, v_auth);
  }
  bfdm_family(o, "bfd_detection_time_seconds", "gauge",
         "The Detection Time in force (RFC 5880 section 6.8.4); 0 until the remote is known.");
  samples(o, t, now, "bfd_detection_time_seconds", NULL, 0, v_detect);
  bfdm_family(o, "bfd_negotiated_tx_interval_seconds", "gauge",
         "The periodic transmission interval in force, before jitter (RFC 5880 section 6.8.7).");
  samples(o, t, now, "bfd_negotiated_tx_interval_seconds", NULL, 0, v_txiv);
  table_families(o, t);
  return o->truncated ? -1 : 0;
}
