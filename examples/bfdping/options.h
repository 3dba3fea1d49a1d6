/*
 * bfdping: command-line options.
 *
 * Copyright (c) 2026 the bfdkit developers. MIT licensed, see LICENSE.
 */
#ifndef BFDPING_OPTIONS_H
#define BFDPING_OPTIONS_H

#include <stdint.h>
#include <stdio.h>

#include <bfd/bfd.h>

/* What the command line asked for; read-only once parsed. */
typedef struct bp_options {
  const char *peer, *local, *ifname, *listen_addr; /* argv strings */
  const char *metrics; /* --metrics ADDR:PORT (checked when it is opened) */
  int multihop, passive, json, quiet, self_test, verbose, rt;
  unsigned min_ttl; /* 0 = the core's default */
  unsigned mult;
  uint32_t tx_ms, rx_ms;
  long count;        /* state changes to wait for; 0 = unlimited */
  double deadline_s; /* 0 = none */
  unsigned port;     /* 0 = the RFC's ports */
  uint8_t auth_type; /* BFD_AUTH_NONE = no authentication */
  /* The key ring: every key is accepted, keys[0] is sent first. */
  bfd_auth_key keys[BFD_AUTH_KEYS_MAX];
  uint8_t nkeys;
} bp_options;

enum { BP_OPT_OK = 0, BP_OPT_HELP = 1, BP_OPT_ERROR = -1 };

/* Parse argv into `o` (zeroed first). Returns BP_OPT_OK, BP_OPT_HELP
 * (usage printed on stdout: exit 0) or BP_OPT_ERROR (a message naming the
 * fix printed on stderr: exit 2). */
int bp_options_parse(bp_options *o, int argc, char **argv);

/* The --help text. */
void bp_options_usage(FILE *f);

/* The mode's mode constant (BFD_MODE_SINGLE_HOP / BFD_MODE_MULTIHOP). */
uint8_t bp_options_mode(const bp_options *o);

/* Forget the secrets. */
void bp_options_wipe(bp_options *o);

#endif
