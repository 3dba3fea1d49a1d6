/*
 * bfdping: JSON output, one object per line (docs/bfdping.md; the interop
 * tests read these keys).
 *
 * Copyright (c) 2026 the bfdkit developers. MIT licensed, see LICENSE.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "output.h"

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

/* {"event":NAME,"time":T, */
static void begin(const char *event, uint64_t t) {
  printf("{\"event\":\"%s\",\"time\":%.6f,", event, bp_secs(t));
}

static void end(void) {
  printf("}\n");
  fflush(stdout);
}

/* RFC 9314 names (ietf-bfd-types, iana-bfd-types of RFC 9127): the
 * enumerations' names as RFC 7951 JSON writes them. */
static const char *yang_state(uint8_t st) {
  static const char *const k[4] = {"adminDown", "down", "init", "up"};
  return st < 4 ? k[st] : "down";
}

/* NULL for a code the enumeration lacks (10..31 on the wire): left out. */
static const char *yang_diag(uint8_t d) {
  static const char *const k[10] = {"none",
                                    "control-expiry",
                                    "echo-failed",
                                    "neighbor-down",
                                    "forwarding-reset",
                                    "path-down",
                                    "concatenated-path-down",
                                    "admin-down",
                                    "reverse-concatenated-path-down",
                                    "mis-connectivity-defect"};
  return d < 10 ? k[d] : NULL;
}

static const char *yang_path(uint8_t mode) {
  return mode == BFD_MODE_MULTIHOP ? "ietf-bfd-types:path-ip-mh" : "ietf-bfd-types:path-ip-sh";
}

/* ,"key":"value" for a value the model has (an enumeration's name, an
 * address, a time); nothing for NULL or "": the leaf is left out. */
static void json_enum(const char *k, const char *v) {
  if (v && v[0])
    printf(",\"%s\":\"%s\"", k, v);
}

static void json_state(bp_output *o, const bp_state_out *e) {
  const bfd_state_event *ev = e->ev;
  (void)o;
  begin("state", e->t);
  json_str("peer", e->peer, 1);
  json_str("old", bfd_state_name(ev->old_state), 1);
  json_str("new", bfd_state_name(ev->new_state), 1);
  printf("\"diag\":%u,", ev->local_diag);
  json_str("diag_text", bfd_diag_name(ev->local_diag), 1);
  json_str("remote_state", bfd_state_name(ev->remote_state), 1);
  printf("\"remote_diag\":%u,\"local_discr\":%" PRIu32 ",\"remote_discr\":%" PRIu32
         ",\"gap_ms\":%.3f,\"change_seq\":%" PRIu32,
         ev->remote_diag, e->local_discr, e->remote_discr, bp_ms(e->gap_ns), ev->change_seq);
  /* RFC 9314 notification-parms (and singlehop-notification's interface,
   * echo-enabled): what a host that notifies with the model sends. */
  printf(",\"local-discr\":%" PRIu32, e->local_discr);
  if (e->remote_discr)
    printf(",\"remote-discr\":%" PRIu32, e->remote_discr);
  json_enum("new-state", yang_state(ev->new_state));
  json_enum("state-change-reason", yang_diag(ev->local_diag));
  json_enum("time-of-last-state-change", e->when);
  json_enum("dest-addr", e->peer);
  json_enum("source-addr", e->local);
  printf(",\"session-index\":%" PRIu32, e->local_discr);
  json_enum("path-type", yang_path(e->mode));
  if (e->mode != BFD_MODE_MULTIHOP) {
    json_enum("interface", e->ifname);
    printf(",\"echo-enabled\":false");
  }
  end();
}

static void json_nexthop(bp_output *o, uint64_t t, const char *peer, const bfd_nexthop_event *ev) {
  (void)o;
  begin("nexthop", t);
  json_str("peer", peer, 1);
  json_str("action", ev->action == BFD_NEXTHOP_UP ? "up" : "down", 1);
  json_str("cause", bp_nexthop_cause(ev->cause), 1);
  printf("\"diag\":%u", ev->diag);
  end();
}

static void json_params(bp_output *o, uint64_t t, const char *peer, const bfd_params_event *ev) {
  (void)o;
  begin("parameters", t);
  json_str("peer", peer, 1);
  printf("\"tx_interval_ms\":%.3f,\"detect_time_ms\":%.3f,\"remote_desired_min_tx_ms\":%.3f,"
         "\"remote_required_min_rx_ms\":%.3f,\"remote_detect_mult\":%u",
         bp_ms(ev->tx_interval_ns), bp_ms(ev->detect_time_ns), ev->remote_desired_min_tx_us / 1e3,
         ev->remote_required_min_rx_us / 1e3, ev->remote_detect_mult);
  end();
}

static void json_auth_failure(bp_output *o, const bp_auth_out *e) {
  (void)o;
  begin("auth_failure", e->t);
  json_str("peer", e->peer, 1);
  json_str("reason", e->reason, 1);
  printf("\"new\":%" PRIu64 ",\"total\":%" PRIu64, e->added, e->total);
  end();
}

static void json_auth_key(bp_output *o, uint64_t t, int rotated, uint8_t key_id) {
  (void)o;
  if (!rotated)
    return;
  begin("auth_key", t);
  printf("\"tx_key_id\":%u", key_id);
  end();
}

static void json_error(bp_output *o, int code, const char *msg) {
  (void)o;
  printf("{\"event\":\"error\",\"code\":%d,", code);
  json_str("message", msg, 0);
  end();
}

static void json_selftest(bp_output *o, const bp_selftest_out *e) {
  (void)o;
  printf("{\"event\":\"self_test\",\"result\":\"%s\",\"gap_ms\":%.3f,\"limit_ms\":%.3f",
         e->passed ? "passed" : "failed", bp_ms(e->gap_ns), bp_ms(e->limit_ns));
  end();
}

/* One session as RFC 9314's all-session: its leaves, session-running and
 * session-statistics (docs/rfc9314.md derives each); a leaf with nothing
 * to say (unknown remote, never Up) is left out, as the model wants. */
static void json_session_stats(const bp_summary_session *l, int comma) {
  const bfd_session_status *st = &l->st;
  printf("%s{", comma ? "," : "");
  json_str("dest-addr", l->name, 0);
  json_enum("source-addr", l->local);
  if (st->mode != BFD_MODE_MULTIHOP)
    json_enum("interface", l->ifname);
  json_enum("path-type", yang_path(st->mode));
  printf(",\"ip-encapsulation\":true,\"local-discriminator\":%" PRIu32, st->local_discr);
  if (st->remote_discr)
    printf(",\"remote-discriminator\":%" PRIu32, st->remote_discr);
  if (st->remote_detect_mult)
    printf(",\"remote-multiplier\":%u", st->remote_detect_mult);
  if (l->info.src_port)
    printf(",\"source-port\":%u", l->info.src_port);
  printf(",\"dest-port\":%u", l->dest_port);
  printf(",\"session-running\":{\"session-index\":%" PRIu32, st->local_discr);
  json_enum("local-state", yang_state(st->state));
  json_enum("remote-state", yang_state(st->remote_state));
  json_enum("local-diagnostic", yang_diag(st->local_diag));
  json_enum("remote-diagnostic", yang_diag(st->remote_diag));
  printf(",\"detection-mode\":\"async-without-echo\",\"negotiated-tx-interval\":%" PRIu32,
         bfd_ns_to_us(st->tx_interval_ns));
  if (st->detect_time_ns && st->remote_detect_mult)
    printf(",\"negotiated-rx-interval\":%" PRIu32 ",\"detection-time\":%" PRIu32,
           bfd_ns_to_us(st->detect_time_ns / st->remote_detect_mult),
           bfd_ns_to_us(st->detect_time_ns));
  printf("},\"session-statistics\":{");
  printf("\"down-count\":%" PRIu64 ",\"admin-down-count\":%" PRIu64, l->to_down,
         l->to_admin_down);
  json_enum("create-time", l->created);
  json_enum("last-up-time", l->last_up);
  json_enum("last-down-time", l->last_down);
  printf(",\"receive-packet-count\":%" PRIu64 ",\"send-packet-count\":%" PRIu64
         ",\"receive-invalid-packet-count\":%" PRIu64 ",\"send-failed-packet-count\":%" PRIu64
         "}}",
         st->rx_packets + st->rx_dropped, l->info.tx_packets ? l->info.tx_packets : st->tx_packets,
         st->rx_dropped, st->tx_failed + l->info.tx_errors);
}

static void json_summary(bp_output *o, const bp_summary *s) {
  size_t i;
  (void)o;
  printf("{\"event\":\"summary\",\"up_at_end\":%s,\"time_to_up_ms\":",
         s->any_up ? "true" : "false");
  if (s->first_up == UINT64_MAX)
    printf("null");
  else
    printf("%.3f", bp_ms(s->first_up));
  printf(",\"flaps\":%" PRIu64 ",\"sessions\":%zu,\"packets_in\":%" PRIu64
         ",\"packets_out\":%" PRIu64 ",\"send_errors\":%" PRIu64 ",\"dropped\":%" PRIu64
         ",\"ttl_dropped\":%" PRIu64 ",\"timer_fires\":%" PRIu64 ",\"timer_late\":%" PRIu64
         ",\"drops\":{",
         s->flaps, s->nsessions, s->us.rx_accepted, s->us.tx_packets, s->us.tx_errors,
         s->us.rx_dropped + s->us.rx_ttl_dropped, s->us.rx_ttl_dropped, s->us.timer_fires,
         s->us.timer_late);
  for (i = 0; i < s->ndrops; i++)
    printf("%s\"%s\":%" PRIu64, i ? "," : "", bfd_strerror(s->drops[i].code), s->drops[i].n);
  printf("},\"sessions_stats\":[");
  for (i = 0; i < s->nlive; i++)
    json_session_stats(&s->live[i], i > 0);
  printf("]");
  end();
}

/* No banner, progress lines, responder notes or stop reason: a JSON
 * reader gets the events and the summary. */
static const bp_output json_output = {.state = json_state,
                                      .nexthop = json_nexthop,
                                      .params = json_params,
                                      .auth_failure = json_auth_failure,
                                      .auth_key = json_auth_key,
                                      .error = json_error,
                                      .selftest = json_selftest,
                                      .summary = json_summary};

void bp_out_json_init(bp_output *o) { *o = json_output; }
