/*
 * bfdping: the output interface. One function per kind of event; the text
 * (out_text.c), JSON (out_json.c) and quiet implementations fill it in.
 * Every call comes from a core or adapter event, a signal, a timer of the
 * run (deadline, self-test) or the summary: an output never asks the
 * library anything itself.
 *
 * Copyright (c) 2026 the bfdkit developers. MIT licensed, see LICENSE.
 */
#ifndef BFDPING_OUTPUT_H
#define BFDPING_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include <bfd/bfd.h>
#include <bfd/bfd_uv.h>

#include "options.h"

/* A yang:date-and-time string ("2026-12-02T13:17:25.123456789Z") and its
 * NUL: bp_wall_time(). */
#define BP_WALL_LEN 40

/* A state change (RFC 5880 §6.8.6). */
typedef struct bp_state_out {
  uint64_t t; /* ns since bfdping started */
  const char *peer;
  const bfd_state_event *ev;
  uint32_t local_discr, remote_discr;
  uint64_t gap_ns; /* since the last packet received (0 if none) */
  /* RFC 9314 notification-parms: source-addr, interface ("" for none),
   * path-type (BFD_MODE_*), time-of-last-state-change (yang:date-and-time) */
  const char *local, *ifname;
  uint8_t mode;
  char when[BP_WALL_LEN];
} bp_state_out;

/* An authentication failure reason whose count grew. */
typedef struct bp_auth_out {
  uint64_t t;
  const char *peer;
  const char *reason;
  uint64_t added; /* since the previous report of this reason */
  uint64_t total;
} bp_auth_out;

/* A Detection Time expiry, kept for the summary. */
typedef struct bp_detection {
  uint64_t at;  /* ns since start */
  uint64_t gap; /* ns since the last packet received */
  uint8_t diag;
  char name[80];
} bp_detection;

/* One live session's last line in the summary. */
typedef struct bp_summary_session {
  const char *name;
  bfd_session_status st;
  /* RFC 9314 session-statistics the status lacks (bfdping counts them from
   * the events) and the adapter's peer info (ports, sends). */
  const char *local, *ifname;
  uint64_t to_down, to_admin_down;
  char created[BP_WALL_LEN], last_up[BP_WALL_LEN], last_down[BP_WALL_LEN]; /* "": never */
  bfd_uv_peer_info info;
  uint16_t dest_port;
} bp_summary_session;

/* Drops by reason: a BFD_ERR_PKT_* code and its count. */
typedef struct bp_summary_drop {
  int code;
  uint64_t n;
} bp_summary_drop;

/* The final word. */
typedef struct bp_summary {
  int any_up;
  uint64_t first_up; /* ns since start, UINT64_MAX = never */
  uint64_t flaps;
  size_t nsessions; /* sessions seen */
  bfd_uv_stats us;  /* the (first) adapter's counters */
  const bp_detection *det;
  size_t ndet;
  const bp_summary_drop *drops;
  size_t ndrops;
  const bp_summary_session *live; /* sessions still open */
  size_t nlive;
} bp_summary;

/* The terminal's status line. */
typedef struct bp_status_out {
  const char *peer;
  const bfd_session_status *st;
  uint64_t dropped; /* the session's plus the adapter's GTSM drops */
  size_t nsessions;
} bp_status_out;

/* The self-test's verdict on the detection. */
typedef struct bp_selftest_out {
  uint64_t t;
  int passed;
  uint64_t gap_ns, limit_ns, slack_ns;
} bp_selftest_out;

/* Shared by the implementations. */
static inline double bp_secs(uint64_t ns) { return (double)ns / 1e9; }
static inline double bp_ms(uint64_t ns) { return (double)ns / 1e6; }
/* A BFD_NH_CAUSE_* as text ("path failure"). */
const char *bp_nexthop_cause(uint8_t cause);

/* Every entry may be NULL: that implementation does not report this kind
 * of event. Call through BP_OUT(). */
typedef struct bp_output bp_output;
struct bp_output {
  /* The first line: what bfdping is about to do. */
  void (*banner)(bp_output *o, const bp_options *opt);
  void (*state)(bp_output *o, const bp_state_out *e);
  /* Nexthop-shutdown events (RFC 5882 §3). */
  void (*nexthop)(bp_output *o, uint64_t t, const char *peer, const bfd_nexthop_event *ev);
  /* The negotiated values of a session that is Up changed. */
  void (*params)(bp_output *o, uint64_t t, const char *peer, const bfd_params_event *ev);
  void (*auth_failure)(bp_output *o, const bp_auth_out *e);
  /* SIGUSR1: now sending with `key_id`; `rotated` 0: no other key. */
  void (*auth_key)(bp_output *o, uint64_t t, int rotated, uint8_t key_id);
  /* Responder mode: a session for a new peer was created / closed. */
  void (*peer_created)(bp_output *o, uint64_t t, const char *peer);
  void (*peer_closed)(bp_output *o, uint64_t t, const char *peer);
  /* An adapter error (socket trouble and the like). */
  void (*error)(bp_output *o, int code, const char *msg);
  /* A line of the self-test's progress (text only). */
  void (*progress)(bp_output *o, uint64_t t, const char *msg);
  void (*selftest)(bp_output *o, const bp_selftest_out *e);
  /* Why bfdping stops (-v). */
  void (*stopping)(bp_output *o, const char *why);
  void (*summary)(bp_output *o, const bp_summary *s);
  /* The status line, redrawn on a terminal; NULL: none. */
  void (*status)(bp_output *o, const bp_status_out *e);
  /* The implementation's own state. */
  int verbose;
  int status_shown; /* text: a status line is on screen */
};

/* Report `fn` through `o`, if its implementation reports that kind. */
#define BP_OUT(o, fn, ...)                                                                         \
  do {                                                                                             \
    if ((o)->fn)                                                                                   \
      (o)->fn((o), __VA_ARGS__);                                                                   \
  } while (0)

/* Text for a terminal or a log (-v: nexthop events and the stop reason
 * too; `tty`: the status line). */
void bp_out_text_init(bp_output *o, int verbose, int tty);
/* One JSON object per line (docs/bfdping.md lists the keys). */
void bp_out_json_init(bp_output *o);
/* -q: nothing at all (errors still go to stderr). */
void bp_out_quiet_init(bp_output *o);

#endif
