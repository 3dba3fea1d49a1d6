/*
 * bfdping: command-line options.
 *
 * Copyright (c) 2026 the bfdkit developers. MIT licensed, see LICENSE.
 */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

void bp_options_usage(FILE *f) {
  fputs("usage: bfdping [options] PEER\n"
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
        "Metrics:\n"
        "      --metrics ADDR:PORT  serve Prometheus metrics of the sessions on\n"
        "                       http://ADDR:PORT/metrics (e.g. 127.0.0.1:9101, [::1]:9101)\n"
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

uint8_t bp_options_mode(const bp_options *o) {
  return o->multihop ? BFD_MODE_MULTIHOP : BFD_MODE_SINGLE_HOP;
}

void bp_options_wipe(bp_options *o) { memset(o->keys, 0, sizeof(o->keys)); }

/* A decimal number in min..max, else `what` (the option's rule) on
 * stderr. */
static int parse_uint(const char *s, unsigned long min, unsigned long max, const char *what,
                      unsigned long *out) {
  char *end;
  unsigned long v;
  errno = 0;
  v = s && *s && s[0] != '-' ? strtoul(s, &end, 10) : 0;
  if (!s || !*s || s[0] == '-' || *end || errno || v < min || v > max) {
    fprintf(stderr, "bfdping: %s\n", what);
    return -1;
  }
  *out = v;
  return 0;
}

/* --key-file: the file's bytes are the secret, one trailing newline
 * dropped; the key ID is `key_id` (the last --key-id given), else the
 * previous key's + 1 (1 for the first). The type is set once --auth is
 * known. */
static int load_key(bp_options *o, const char *path, long key_id) {
  FILE *f;
  size_t n;
  uint8_t buf[BFD_AUTH_SECRET_MAX + 2];
  bfd_auth_key *k;
  if (o->nkeys == BFD_AUTH_KEYS_MAX) {
    fprintf(stderr, "bfdping: at most %d keys: drop a --key-file\n", BFD_AUTH_KEYS_MAX);
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
  k = &o->keys[o->nkeys];
  memset(k, 0, sizeof(*k));
  if (key_id >= 0)
    k->key_id = (uint8_t)key_id;
  else
    k->key_id = o->nkeys ? (uint8_t)(o->keys[o->nkeys - 1].key_id + 1) : 1;
  k->len = (uint8_t)n;
  memcpy(k->secret, buf, n);
  memset(buf, 0, sizeof(buf));
  o->nkeys++;
  return 0;
}

/* Every key gets the --auth type, then must pass the core's check. */
static int check_keys(bp_options *o) {
  size_t i, j;
  int rv;
  if (o->auth_type != BFD_AUTH_NONE && o->nkeys == 0) {
    fprintf(stderr, "bfdping: --auth needs a secret: add --key-file PATH\n");
    return -1;
  }
  if (o->auth_type == BFD_AUTH_NONE && o->nkeys > 0) {
    fprintf(stderr, "bfdping: --key-file needs --auth TYPE (simple, md5, meticulous-md5, sha1 "
                    "or meticulous-sha1)\n");
    return -1;
  }
  for (i = 0; i < o->nkeys; i++) {
    o->keys[i].type = o->auth_type;
    for (j = 0; j < i; j++)
      if (o->keys[j].key_id == o->keys[i].key_id) {
        fprintf(stderr,
                "bfdping: key ID %u given twice: put a distinct --key-id before each "
                "--key-file\n",
                o->keys[i].key_id);
        return -1;
      }
    if ((rv = bfd_auth_key_check(&o->keys[i])) != 0) {
      fprintf(stderr, "bfdping: %s key ID %u: %s\n", bfd_auth_type_name(o->auth_type),
              o->keys[i].key_id, bfd_strerror(rv));
      return -1;
    }
  }
  return 0;
}

/* Option combinations, once every option is known. */
static int check_combination(const bp_options *o) {
  if (o->min_ttl && !o->multihop) {
    fprintf(stderr, "bfdping: --min-ttl needs --multihop (single-hop always requires TTL 255)\n");
    return -1;
  }
  if (o->self_test && (o->local || o->multihop)) {
    fprintf(stderr, "bfdping: --self-test picks its own addresses (127.0.0.1 and 127.0.0.2, "
                    "single-hop): drop -l and --multihop\n");
    return -1;
  }
  return 0;
}

int bp_options_parse(bp_options *o, int argc, char **argv) {
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
    O_RT,
    O_METRICS
  };
  static const char *const auth_names[] = {NULL,   "simple",         "md5", "meticulous-md5",
                                           "sha1", "meticulous-sha1"};
  static const struct option opts[] = {{"local", required_argument, NULL, 'l'},
                                       {"interface", required_argument, NULL, 'I'},
                                       {"multihop", no_argument, NULL, O_MULTIHOP},
                                       {"min-ttl", required_argument, NULL, O_MIN_TTL},
                                       {"tx", required_argument, NULL, 'i'},
                                       {"rx", required_argument, NULL, 'r'},
                                       {"mult", required_argument, NULL, 'm'},
                                       {"passive", no_argument, NULL, O_PASSIVE},
                                       {"count", required_argument, NULL, 'c'},
                                       {"deadline", required_argument, NULL, 'w'},
                                       {"json", no_argument, NULL, O_JSON},
                                       {"quiet", no_argument, NULL, 'q'},
                                       {"verbose", no_argument, NULL, 'v'},
                                       {"listen", required_argument, NULL, O_LISTEN},
                                       {"self-test", no_argument, NULL, O_SELF_TEST},
                                       {"port", required_argument, NULL, O_PORT},
                                       {"auth", required_argument, NULL, O_AUTH},
                                       {"key-id", required_argument, NULL, O_KEY_ID},
                                       {"key-file", required_argument, NULL, O_KEY_FILE},
                                       {"rt", no_argument, NULL, O_RT},
                                       {"metrics", required_argument, NULL, O_METRICS},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  int c;
  unsigned long v;
  long key_id = -1; /* for the next --key-file; -1 = previous + 1 */
  char *end;
  memset(o, 0, sizeof(*o));
  o->tx_ms = o->rx_ms = 300;
  o->mult = 3;
  optind = 1;
  while ((c = getopt_long(argc, argv, "l:I:i:r:m:c:w:qvh", opts, NULL)) != -1) {
    switch (c) {
    case 'l': o->local = optarg; break;
    case 'I': o->ifname = optarg; break;
    case O_MULTIHOP: o->multihop = 1; break;
    case O_PASSIVE: o->passive = 1; break;
    case O_JSON: o->json = 1; break;
    case 'q': o->quiet = 1; break;
    case 'v': o->verbose = 1; break;
    case O_LISTEN: o->listen_addr = optarg; break;
    case O_SELF_TEST: o->self_test = 1; break;
    case O_RT: o->rt = 1; break;
    case O_METRICS: o->metrics = optarg; break;
    case 'h': bp_options_usage(stdout); return BP_OPT_HELP;
    case O_MIN_TTL:
      if (parse_uint(optarg, 1, 255, "--min-ttl must be 1..255", &v))
        return BP_OPT_ERROR;
      o->min_ttl = (unsigned)v;
      break;
    case 'i':
    case 'r':
      /* The wire carries microseconds in 32 bits. */
      if (parse_uint(optarg, 1, UINT32_MAX / 1000,
                     c == 'i' ? "-i must be 1..4294967 ms" : "-r must be 1..4294967 ms", &v))
        return BP_OPT_ERROR;
      if (c == 'i')
        o->tx_ms = (uint32_t)v;
      else
        o->rx_ms = (uint32_t)v;
      break;
    case 'm':
      if (parse_uint(optarg, 1, 255, "-m must be 1..255", &v))
        return BP_OPT_ERROR;
      o->mult = (unsigned)v;
      break;
    case 'c':
      if (parse_uint(optarg, 1, 1000000000, "-c must be a positive count", &v))
        return BP_OPT_ERROR;
      o->count = (long)v;
      break;
    case 'w':
      o->deadline_s = strtod(optarg, &end);
      if (*end || !(o->deadline_s > 0) || o->deadline_s > 1e9) {
        fprintf(stderr, "bfdping: -w must be a positive number of seconds\n");
        return BP_OPT_ERROR;
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
        return BP_OPT_ERROR;
      }
      o->auth_type = t;
      break;
    }
    case O_KEY_ID:
      if (parse_uint(optarg, 0, 255, "--key-id must be 0..255", &v))
        return BP_OPT_ERROR;
      key_id = (long)v;
      break;
    case O_KEY_FILE:
      if (load_key(o, optarg, key_id) != 0)
        return BP_OPT_ERROR;
      key_id = -1;
      break;
    case O_PORT:
      if (parse_uint(optarg, 1, 65535, "--port must be 1..65535", &v))
        return BP_OPT_ERROR;
      o->port = (unsigned)v;
      break;
    default: fprintf(stderr, "Try 'bfdping --help' for more information.\n"); return BP_OPT_ERROR;
    }
  }
  if (o->quiet)
    o->json = 0; /* -q: only the exit code, whatever else was asked for */
  if (o->self_test + (o->listen_addr != NULL) + (optind < argc) != 1) {
    fprintf(stderr, "bfdping: give exactly one of PEER, --listen ADDR or --self-test\n"
                    "Try 'bfdping --help' for more information.\n");
    return BP_OPT_ERROR;
  }
  if (optind < argc) {
    o->peer = argv[optind++];
    if (optind < argc) {
      fprintf(stderr, "bfdping: unexpected argument '%s': bfdping takes one PEER\n", argv[optind]);
      return BP_OPT_ERROR;
    }
  }
  if (check_keys(o) != 0 || check_combination(o) != 0)
    return BP_OPT_ERROR;
  return BP_OPT_OK;
}
