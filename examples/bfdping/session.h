/*
 * bfdping: the adapters, their sessions, and what bfdping remembers about
 * each session for its events and the summary. Every update comes from a
 * core or adapter callback; nothing here polls.
 *
 * Copyright (c) 2026 the bfdkit developers. MIT licensed, see LICENSE.
 */
#ifndef BFDPING_SESSION_H
#define BFDPING_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include <bfd/bfd.h>
#include <bfd/bfd_uv.h>

#include "output.h"

#define BP_MAX_DETECTIONS 64
#define BP_MAX_SESSIONS   1024 /* also the responder's maximum */

struct bp_ctx;

/* One adapter: the run's own, and the self-test's far end. Its
 * bfd_uv_new() user_data, so every callback knows its end. */
typedef struct bp_end {
  struct bp_ctx *ctx;
  bfd_uv *uv;
} bp_end;

/* Per-session bookkeeping. */
typedef struct bp_session {
  bfd_session *s;
  const bp_end *end;
  char name[80];
  uint8_t last_state;
  uint64_t first_up;                           /* ns since start, UINT64_MAX if never */
  uint64_t flaps;                              /* Up -> not Up, except by an AdminDown */
  bfd_params_event now;                        /* the values in force (params events) */
  bfd_params_event shown;                      /* the values last reported */
  uint64_t auth_fail[BFD_AUTH_FAIL_COUNT]; /* reported, by BFD_AUTH_FAIL_* */
  int removed;
  /* RFC 9314 (--json): the key's local address and interface, the last
   * remote discriminator known (the core forgets it with a detection
   * timeout, before the event), transitions into Down and AdminDown, and
   * when it was created (BFD_TSTAMP_NONE: seen first after a change), last
   * Up and last Down. */
  char local[64], ifname[20];
  uint32_t remote_discr;
  uint64_t to_down, to_admin_down;
  uint64_t created, last_up, last_down;
} bp_session;

typedef struct bp_sessions {
  bp_session sess[BP_MAX_SESSIONS];
  size_t n;
  long changes; /* state changes seen (-c) */
  bp_detection det[BP_MAX_DETECTIONS];
  size_t ndet;
} bp_sessions;

/* The tracked session for `s`, or NULL. */
bp_session *bp_session_find(bp_sessions *ss, const bfd_session *s);
/* The first session still open, or NULL. */
bp_session *bp_session_first(bp_sessions *ss);
/* Forget the sessions of `end` (NULL: all): they are about to go. */
void bp_session_forget(bp_sessions *ss, const bp_end *end);

/* Setup; each prints what went wrong, naming the fix, and returns -1. */
int bp_end_open(struct bp_ctx *ctx, bp_end *end, int auto_listen);
int bp_end_listen(bp_end *end, const char *addr_text);
int bp_end_add_peer(bp_end *end, const char *peer, const char *local, bfd_session **ps);
/* --listen: responder mode with the run's template and key ring. */
int bp_end_set_responder(bp_end *end);

/* SIGUSR1: every open session (and the responder) sends with the key
 * the context's tx_key now names. */
void bp_sessions_set_tx_key(struct bp_ctx *ctx);
/* Report authentication failures not reported yet (at the end: the core
 * reports them rate limited). */
void bp_sessions_flush_auth(struct bp_ctx *ctx, uint64_t now);
/* Report the summary (sessions and the main adapter's counters); returns
 * 1 if a session is Up. */
int bp_sessions_summary(struct bp_ctx *ctx);
/* The terminal status line for the first open session. */
void bp_sessions_status(struct bp_ctx *ctx);

#endif
