/*
 * bfdkit-dplaned: command-line options.
 *
 * Copyright (c) 2026 the bfdkit developers. MIT licensed, see LICENSE.
 */
#include "options.h"

#include <bfd/bfd.h>
#include <bfd/bfd_dplane.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

void dp_options_usage(FILE *f) {
  fputs("usage: bfdkit-dplaned [options] --dplaneaddr ADDR\n"
        "\n"
        "Run the BFD sessions of FRR's bfdd (started with --dplaneaddr) on bfdkit:\n"
        "connect to bfdd, take the sessions it sends, run them, report their state.\n"
        "\n"
        "  -a, --dplaneaddr ADDR  where bfdd listens, as given to bfdd's --dplaneaddr:\n"
        "                         unix:PATH, ipv4:ADDR[:PORT], ipv6:[ADDR]:PORT\n"
        "                         (default port 50700)\n"
        "      --backoff-min MS   first reconnect delay after bfdd went away (100)\n"
        "      --backoff-max MS   the delay doubles up to this (5000)\n"
        "      --sweep MS         after (re)connecting, sessions bfdd has not re-sent\n"
        "                         within MS are removed (3000)\n"
        "      --keepalive SEC    send bfdd an ECHO_REQUEST every SEC seconds; nothing\n"
        "                         heard for 3 x SEC = bfdd is gone: reconnect (10; 0 off)\n"
        "      --protocol N       bfddp version 1 or 2 (default: bfdd's, learned)\n"
        "      --port-single-hop N, --port-multihop N\n"
        "                         BFD ports instead of 3784 / 4784 (testing)\n"
        "      --syslog           log to syslog (daemon facility) instead of stderr\n"
        "  -v, --verbose          also log every bfddp message\n"
        "  -h, --help             this text\n"
        "  -V, --version          the version\n"
        "\n"
        "SIGINT/SIGTERM: every session sends AdminDown to its peer, then exit 0.\n"
        "See docs/dplaned.md.\n",
        f);
}

static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || end == s || *end || v < min || v > max || s[0] == '-')
    return -1;
  *out = (uint32_t)v;
  return 0;
}

int dp_options_parse_addr(dp_options *o, const char *t) {
  uint32_t port = BFD_DPLANE_PORT;
  if (strncmp(t, "unix:", 5) == 0) {
    if (strlen(t + 5) == 0 || strlen(t + 5) >= sizeof(o->path))
      return -1;
    o->addr_kind = DP_ADDR_UNIX;
    strcpy(o->path, t + 5);
    return 0;
  }
  if (strncmp(t, "ipv4:", 5) == 0) {
    const char *h = t + 5, *colon = strchr(h, ':');
    size_t hl = colon ? (size_t)(colon - h) : strlen(h);
    if (hl == 0 || hl >= sizeof(o->host))
      return -1;
    if (colon && parse_u32(colon + 1, 1, 65535, &port) < 0)
      return -1;
    memcpy(o->host, h, hl);
    o->host[hl] = '\0';
    o->addr_kind = DP_ADDR_IPV4;
    o->port = (uint16_t)port;
    return 0;
  }
  if (strncmp(t, "ipv6:[", 6) == 0) {
    const char *h = t + 6, *close = strchr(h, ']');
    if (close == NULL || close == h || (size_t)(close - h) >= sizeof(o->host))
      return -1;
    if (close[1] == ':') {
      if (parse_u32(close + 2, 1, 65535, &port) < 0)
        return -1;
    } else if (close[1] != '\0') {
      return -1;
    }
    memcpy(o->host, h, (size_t)(close - h));
    o->host[close - h] = '\0';
    o->addr_kind = DP_ADDR_IPV6;
    o->port = (uint16_t)port;
    return 0;
  }
  return -1;
}

int dp_options_parse(dp_options *o, int argc, char **argv, FILE *err) {
  enum { O_BMIN = 256, O_BMAX, O_SWEEP, O_PROTO, O_PSH, O_PMH, O_SYSLOG, O_KA };
  static const struct option longopts[] = {
      {"dplaneaddr", required_argument, NULL, 'a'}, {"backoff-min", required_argument, NULL, O_BMIN},
      {"backoff-max", required_argument, NULL, O_BMAX}, {"sweep", required_argument, NULL, O_SWEEP},
      {"protocol", required_argument, NULL, O_PROTO}, {"keepalive", required_argument, NULL, O_KA},
      {"port-single-hop", required_argument, NULL, O_PSH},
      {"port-multihop", required_argument, NULL, O_PMH}, {"syslog", no_argument, NULL, O_SYSLOG},
      {"verbose", no_argument, NULL, 'v'}, {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, 'V'}, {NULL, 0, NULL, 0}};
  memset(o, 0, sizeof(*o));
  o->backoff_min_ms = 100;
  o->backoff_max_ms = 5000;
  o->sweep_ms = 3000;
  o->keepalive_s = 10;
  optind = 1;
  opterr = 0;
  int c;
  uint32_t v;
  while ((c = getopt_long(argc, argv, ":a:vhV", longopts, NULL)) != -1) {
    switch (c) {
    case 'a':
      if (dp_options_parse_addr(o, optarg) < 0) {
        fprintf(err, "bfdkit-dplaned: bad --dplaneaddr '%s': use unix:PATH, "
                     "ipv4:ADDR[:PORT] or ipv6:[ADDR]:PORT (bfdd's syntax)\n", optarg);
        return -1;
      }
      break;
    case O_BMIN:
    case O_BMAX:
    case O_SWEEP:
      if (parse_u32(optarg, 1, 3600000, &v) < 0) {
        fprintf(err, "bfdkit-dplaned: %s wants milliseconds, 1..3600000\n", argv[optind - 2]);
        return -1;
      }
      *(c == O_BMIN ? &o->backoff_min_ms : c == O_BMAX ? &o->backoff_max_ms : &o->sweep_ms) = v;
      break;
    case O_KA:
      if (parse_u32(optarg, 0, 3600, &v) < 0) {
        fprintf(err, "bfdkit-dplaned: --keepalive wants seconds, 0..3600 (0: off)\n");
        return -1;
      }
      o->keepalive_s = v;
      break;
    case O_PROTO:
      if (parse_u32(optarg, 1, 2, &v) < 0) {
        fprintf(err, "bfdkit-dplaned: --protocol is 1 (FRR <= 10) or 2\n");
        return -1;
      }
      o->version = (uint8_t)v;
      break;
    case O_PSH:
    case O_PMH:
      if (parse_u32(optarg, 1, 65535, &v) < 0) {
        fprintf(err, "bfdkit-dplaned: a port is 1..65535\n");
        return -1;
      }
      *(c == O_PSH ? &o->port_single_hop : &o->port_multihop) = (uint16_t)v;
      break;
    case O_SYSLOG: o->use_syslog = 1; break;
    case 'v': o->verbose = 1; break;
    case 'h': dp_options_usage(stdout); return 1;
    case 'V': printf("bfdkit-dplaned %s\n", bfd_version_string()); return 1;
    case ':':
      fprintf(err, "bfdkit-dplaned: %s needs a value\n", argv[optind - 1]);
      return -1;
    default:
      fprintf(err, "bfdkit-dplaned: unknown option '%s' (see --help)\n", argv[optind - 1]);
      return -1;
    }
  }
  if (optind < argc) {
    fprintf(err, "bfdkit-dplaned: unexpected argument '%s' (see --help)\n", argv[optind]);
    return -1;
  }
  if (o->addr_kind == 0) {
    fprintf(err, "bfdkit-dplaned: --dplaneaddr is required: bfdd's --dplaneaddr value, "
                 "e.g. unix:/var/run/frr/bfdd_dplane.sock\n");
    return -1;
  }
  if (o->backoff_max_ms < o->backoff_min_ms)
    o->backoff_max_ms = o->backoff_min_ms;
  return 0;
}
