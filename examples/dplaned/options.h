/*
 * bfdkit-dplaned: command-line options.
 *
 * Copyright (c) 2026 the bfdkit developers. MIT licensed, see LICENSE.
 */
#ifndef DPLANED_OPTIONS_H
#define DPLANED_OPTIONS_H

#include <stdint.h>
#include <stdio.h>

/* Where bfdd listens (its --dplaneaddr). */
enum { DP_ADDR_UNIX = 1, DP_ADDR_IPV4 = 4, DP_ADDR_IPV6 = 6 };

typedef struct dp_options {
  int addr_kind;        /* DP_ADDR_* */
  char path[108];       /* unix: the socket path */
  char host[64];        /* ipv4/ipv6: the numeric address */
  uint16_t port;        /* ipv4/ipv6: default 50700 */
  uint32_t backoff_min_ms; /* first reconnect delay (default 100) */
  uint32_t backoff_max_ms; /* the delay doubles up to this (default 5000) */
  uint32_t sweep_ms;    /* after connecting, drop sessions bfdd did not re-send (3000) */
  uint32_t keepalive_s; /* ECHO_REQUEST every N s; 3 unanswered = bfdd is gone (10; 0 off) */
  uint8_t version;      /* bfddp version: 0 = bfdd's (learned), 1 or 2 */
  uint16_t port_single_hop, port_multihop; /* 0 = 3784 / 4784 (testing) */
  int use_syslog;
  int verbose;          /* 0 state changes and connection events, 1 + every message */
} dp_options;

/* 0: parsed; 1: --help/--version printed (exit 0); -1: error printed to
 * `err` (exit 2). */
int dp_options_parse(dp_options *o, int argc, char **argv, FILE *err);
void dp_options_usage(FILE *f);
/* Parse a --dplaneaddr value into o (0 or -1). */
int dp_options_parse_addr(dp_options *o, const char *text);

#endif
