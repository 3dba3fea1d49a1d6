/*
 * bfdping: text output, and -q's silence.
 *
 * Copyright (c) 2026 the bfdkit developers. MIT licensed, see LICENSE.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "output.h"

static void clear_status(bp_output *o) {
  if (o->status_shown) {
    fputs("\r\033[K", stdout);
    o->status_shown = 0;
  }
}

/* One event line: "[  seconds] text". */
static void say(bp_output *o, uint64_t t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(bp_output *o, uint64_t t, const char *fmt, ...) {
  va_list va;
  clear_status(o);
  printf("[%9.3f] ", bp_secs(t));
  va_start(va, fmt);
  vprintf(fmt, va);
  va_end(va);
  putchar('\n');
  fflush(stdout);
}

static void text_banner(bp_output *o, const bp_options *opt) {
  (void)o;
  if (opt->self_test)
    printf("bfdping self-test: 127.0.0.1 <-> 127.0.0.2, %u ms x %u\n", opt->tx_ms, opt->mult);
  else if (opt->listen_addr)
    printf("bfdping: listening on %s (%s, port %u)\n", opt->listen_addr,
           opt->multihop ? "multihop" : "single-hop",
           opt->port ? opt->port : (opt->multihop ? BFD_PORT_MULTIHOP : BFD_PORT_SINGLE_HOP));
  else
    printf("bfdping %s: %s, %u ms x %u%s\n", opt->peer, opt->multihop ? "multihop" : "single-hop",
           opt->tx_ms, opt->mult, opt->passive ? ", passive" : "");
  fflush(stdout);
}

static void text_state(bp_output *o, const bp_state_out *e) {
  const bfd_state_event *ev = e->ev;
  if (ev->new_state == BFD_STATE_UP)
    say(o, e->t, "%s: %s -> Up (local discr %" PRIu32 ", remote discr %" PRIu32 ")", e->peer,
        bfd_state_name(ev->old_state), e->local_discr, e->remote_discr);
  else if (ev->new_state == BFD_STATE_DOWN && ev->remote_state == BFD_STATE_ADMIN_DOWN &&
           ev->local_diag == BFD_DIAG_NEIGHBOR_DOWN)
    say(o, e->t, "%s: %s -> Down: peer is AdminDown (remote diag: %s); not a path failure", e->peer,
        bfd_state_name(ev->old_state), bfd_diag_name(ev->remote_diag));
  else if (ev->local_diag == BFD_DIAG_DETECT_EXPIRED)
    say(o, e->t, "%s: %s -> Down: %s, %.1f ms since the last packet", e->peer,
        bfd_state_name(ev->old_state), bfd_diag_name(ev->local_diag), bp_ms(e->gap_ns));
  else
    say(o, e->t, "%s: %s -> %s (diag: %s; remote %s, remote diag: %s)", e->peer,
        bfd_state_name(ev->old_state), bfd_state_name(ev->new_state), bfd_diag_name(ev->local_diag),
        bfd_state_name(ev->remote_state), bfd_diag_name(ev->remote_diag));
}

static void text_nexthop(bp_output *o, uint64_t t, const char *peer, const bfd_nexthop_event *ev) {
  int failure = ev->cause == BFD_NH_CAUSE_FAILURE;
  if (!o->verbose && !failure)
    return; /* path failures always; the rest with -v */
  say(o, t, "%s: nexthop %s (%s%s%s)", peer, ev->action == BFD_NEXTHOP_UP ? "usable" : "SHUT DOWN",
      bp_nexthop_cause(ev->cause), failure ? ": " : "", failure ? bfd_diag_name(ev->diag) : "");
}

static void text_params(bp_output *o, uint64_t t, const char *peer, const bfd_params_event *ev) {
  say(o, t,
      "%s: parameters: tx %.1f ms, detect %.1f ms (remote: desired tx %.1f ms, required rx "
      "%.1f ms, mult %u)",
      peer, bp_ms(ev->tx_interval_ns), bp_ms(ev->detect_time_ns),
      ev->remote_desired_min_tx_us / 1e3, ev->remote_required_min_rx_us / 1e3,
      ev->remote_detect_mult);
}

static void text_auth_failure(bp_output *o, const bp_auth_out *e) {
  say(o, e->t, "%s: authentication failure: %s (%" PRIu64 " packet(s), %" PRIu64 " in all)",
      e->peer, e->reason, e->added, e->total);
}

static void text_auth_key(bp_output *o, uint64_t t, int rotated, uint8_t key_id) {
  if (rotated)
    say(o, t, "authentication: now sending with key ID %u", key_id);
  else
    say(o, t, "SIGUSR1: no other key to rotate to (give a second --key-file)");
}

static void text_peer_created(bp_output *o, uint64_t t, const char *peer) {
  say(o, t, "%s: new peer (responder session)", peer);
}

static void text_peer_closed(bp_output *o, uint64_t t, const char *peer) {
  say(o, t, "%s: responder session closed", peer);
}

static void text_error(bp_output *o, int code, const char *msg) {
  (void)code;
  clear_status(o);
  fprintf(stderr, "bfdping: %s\n", msg);
}

static void text_progress(bp_output *o, uint64_t t, const char *msg) { say(o, t, "%s", msg); }

static void text_selftest(bp_output *o, const bp_selftest_out *e) {
  say(o, e->t,
      "self-test: %s: detected after %.1f ms without packets (limit %.1f ms, never early, "
      "late by < %.1f ms)",
      e->passed ? "PASSED" : "FAILED", bp_ms(e->gap_ns), bp_ms(e->limit_ns), bp_ms(e->slack_ns));
}

static void text_stopping(bp_output *o, const char *why) {
  if (!o->verbose)
    return;
  clear_status(o);
  printf("bfdping: %s\n", why);
}

static void text_summary(bp_output *o, const bp_summary *s) {
  size_t i;
  clear_status(o);
  printf("--- bfdping summary ---\n");
  printf("%s at the end; ", s->any_up ? "Up" : "not Up");
  if (s->first_up == UINT64_MAX)
    printf("never came Up; ");
  else
    printf("first Up after %.3f s; ", bp_secs(s->first_up));
  printf("%" PRIu64 " flap(s); %zu session(s) seen\n", s->flaps, s->nsessions);
  for (i = 0; i < s->ndet; i++)
    printf("detection at %.3f s (%s): %s, %.1f ms since the last packet\n", bp_secs(s->det[i].at),
           s->det[i].name, bfd_diag_name(s->det[i].diag), bp_ms(s->det[i].gap));
  printf("timer: %" PRIu64 " wake-ups, %" PRIu64 " more than 2 ms late%s\n", s->us.timer_fires,
         s->us.timer_late, s->us.timer_late ? " (CPU starved? try --rt)" : "");
  printf("packets: %" PRIu64 " out (%" PRIu64 " send errors), %" PRIu64 " in, %" PRIu64 " dropped",
         s->us.tx_packets, s->us.tx_errors, s->us.rx_accepted,
         s->us.rx_dropped + s->us.rx_ttl_dropped);
  for (i = 0; i < s->ndrops; i++)
    printf("%s%s: %" PRIu64, i ? "; " : " (", bfd_strerror(s->drops[i].code), s->drops[i].n);
  printf("%s\n", s->ndrops ? ")" : "");
  for (i = 0; i < s->nlive; i++) {
    const bfd_session_status *st = &s->live[i].st;
    printf("%s: %s, tx %.1f ms, detect %.1f ms, local discr %" PRIu32 ", remote discr %" PRIu32
           "\n",
           s->live[i].name, bfd_state_name(st->state), bp_ms(st->tx_interval_ns),
           bp_ms(st->detect_time_ns), st->local_discr, st->remote_discr);
  }
  fflush(stdout);
}

static void text_status(bp_output *o, const bp_status_out *e) {
  const bfd_session_status *st = e->st;
  printf("\r\033[K%s %s | tx %.0f ms detect %.0f ms | rx %" PRIu64 " tx %" PRIu64 " drop %" PRIu64
         " | sessions %zu",
         e->peer, bfd_state_name(st->state), bp_ms(st->tx_interval_ns), bp_ms(st->detect_time_ns),
         st->rx_packets, st->tx_packets, e->dropped, e->nsessions);
  fflush(stdout);
  o->status_shown = 1;
}

static const bp_output text_output = {.banner = text_banner,
                                      .state = text_state,
                                      .nexthop = text_nexthop,
                                      .params = text_params,
                                      .auth_failure = text_auth_failure,
                                      .auth_key = text_auth_key,
                                      .peer_created = text_peer_created,
                                      .peer_closed = text_peer_closed,
                                      .error = text_error,
                                      .progress = text_progress,
                                      .selftest = text_selftest,
                                      .stopping = text_stopping,
                                      .summary = text_summary};

void bp_out_text_init(bp_output *o, int verbose, int tty) {
  *o = text_output;
  o->status = tty ? text_status : NULL;
  o->verbose = verbose;
}

/* -q: what failed still goes to stderr, nothing else anywhere. */
void bp_out_quiet_init(bp_output *o) {
  memset(o, 0, sizeof(*o));
  o->error = text_error;
}
