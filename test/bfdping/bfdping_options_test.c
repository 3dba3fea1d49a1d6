/* bfdping's command line (examples/bfdping/options.c): defaults, the key
 * ring's Key IDs, -q over --json, and every rejected combination. */
#include "bfd_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

/* Parse a NULL-terminated list of arguments after "bfdping" (getopt wants
 * writable strings: each is copied). */
static int parse(bp_options *o, const char *const *args) {
  static char store[32][128];
  char *argv[33];
  int argc = 0;
  snprintf(store[0], sizeof(store[0]), "bfdping");
  argv[argc] = store[argc];
  argc++;
  for (; *args && argc < 32; args++, argc++) {
    snprintf(store[argc], sizeof(store[argc]), "%s", *args);
    argv[argc] = store[argc];
  }
  argv[argc] = NULL;
  return bp_options_parse(o, argc, argv);
}

static char key_a[64], key_b[64];

/* Before the suite runs: no CUnit assertions yet. */
static void make_key(char *path, const char *secret) {
  FILE *f;
  int fd;
  strcpy(path, "/tmp/bfdping_keyXXXXXX");
  if ((fd = mkstemp(path)) < 0 || !(f = fdopen(fd, "w"))) {
    perror("bfdping_options_test: key file");
    exit(1);
  }
  fprintf(f, "%s\n", secret);
  fclose(f);
}

static void test_defaults(void) {
  bp_options o;
  const char *args[] = {"192.0.2.1", NULL};
  CU_ASSERT_EQUAL(parse(&o, args), BP_OPT_OK);
  CU_ASSERT_STRING_EQUAL(o.peer, "192.0.2.1");
  CU_ASSERT_EQUAL(o.tx_ms, 300);
  CU_ASSERT_EQUAL(o.rx_ms, 300);
  CU_ASSERT_EQUAL(o.mult, 3);
  CU_ASSERT_EQUAL(o.nkeys, 0);
  CU_ASSERT_EQUAL(o.auth_type, BFD_AUTH_NONE);
  CU_ASSERT_EQUAL(bp_options_mode(&o), BFD_MODE_SINGLE_HOP);
  CU_ASSERT(!o.json && !o.quiet && !o.self_test && !o.listen_addr);
}

static void test_values(void) {
  bp_options o;
  const char *args[] = {"--multihop", "--min-ttl", "250", "-i",     "50",           "-r",  "70",
                        "-m",         "5",         "-c",  "4",      "-w",           "2.5", "--port",
                        "3785",       "--passive", "-v",  "--json", "198.51.100.7", NULL};
  CU_ASSERT_EQUAL(parse(&o, args), BP_OPT_OK);
  CU_ASSERT_EQUAL(bp_options_mode(&o), BFD_MODE_MULTIHOP);
  CU_ASSERT_EQUAL(o.min_ttl, 250);
  CU_ASSERT_EQUAL(o.tx_ms, 50);
  CU_ASSERT_EQUAL(o.rx_ms, 70);
  CU_ASSERT_EQUAL(o.mult, 5);
  CU_ASSERT_EQUAL(o.count, 4);
  CU_ASSERT_DOUBLE_EQUAL(o.deadline_s, 2.5, 1e-9);
  CU_ASSERT_EQUAL(o.port, 3785);
  CU_ASSERT(o.passive && o.verbose && o.json);
}

/* -q: only the exit code, whatever else was asked for. */
static void test_quiet_over_json(void) {
  bp_options o;
  const char *args[] = {"--json", "-q", "--self-test", NULL};
  CU_ASSERT_EQUAL(parse(&o, args), BP_OPT_OK);
  CU_ASSERT(o.quiet && !o.json && o.self_test);
}

static void test_key_ids(void) {
  bp_options o;
  const char *plain[] = {"--auth",     "sha1", "--key-file", key_a,
                         "--key-file", key_b,  "192.0.2.1",  NULL};
  const char *given[] = {"--key-id", "7",      "--key-file", key_a,       "--key-file",
                         key_b,      "--auth", "md5",        "192.0.2.1", NULL};
  CU_ASSERT_EQUAL_FATAL(parse(&o, plain), BP_OPT_OK);
  CU_ASSERT_EQUAL(o.nkeys, 2);
  CU_ASSERT_EQUAL(o.keys[0].key_id, 1); /* the first: 1 */
  CU_ASSERT_EQUAL(o.keys[1].key_id, 2); /* then the previous + 1 */
  CU_ASSERT_EQUAL(o.keys[0].type, BFD_AUTH_KEYED_SHA1);
  CU_ASSERT_EQUAL(o.keys[0].len, 6); /* "sesame", the newline dropped */
  CU_ASSERT_EQUAL(memcmp(o.keys[0].secret, "sesame", 6), 0);
  bp_options_wipe(&o);
  CU_ASSERT_EQUAL(o.keys[0].secret[0], 0);
  /* --auth after the files still types them all. */
  CU_ASSERT_EQUAL_FATAL(parse(&o, given), BP_OPT_OK);
  CU_ASSERT_EQUAL(o.keys[0].key_id, 7);
  CU_ASSERT_EQUAL(o.keys[1].key_id, 8);
  CU_ASSERT_EQUAL(o.keys[1].type, BFD_AUTH_KEYED_MD5);
  bp_options_wipe(&o);
}

static void test_help(void) {
  bp_options o;
  const char *args[] = {"--help", NULL};
  FILE *keep = stdout;
  stdout = fopen("/dev/null", "w");
  CU_ASSERT_EQUAL(parse(&o, args), BP_OPT_HELP);
  fclose(stdout);
  stdout = keep;
}

static void test_rejected(void) {
  static const char *const cases[][8] = {
      {NULL},                                  /* no mode */
      {"--self-test", "192.0.2.1", NULL},      /* two modes */
      {"--listen", "::", "--self-test", NULL}, /* two modes */
      {"192.0.2.1", "192.0.2.2", NULL},        /* two peers */
      {"-m", "0", "192.0.2.1", NULL},          /* ranges */
      {"-m", "256", "192.0.2.1", NULL},
      {"-i", "0", "192.0.2.1", NULL},
      {"-r", "4294968", "192.0.2.1", NULL}, /* microseconds overflow 32 bits */
      {"-i", "12x", "192.0.2.1", NULL},
      {"-c", "-1", "192.0.2.1", NULL},
      {"-w", "0", "192.0.2.1", NULL},
      {"--port", "0", "192.0.2.1", NULL},
      {"--port", "65536", "192.0.2.1", NULL},
      {"--key-id", "256", "192.0.2.1", NULL},
      {"--min-ttl", "0", "--multihop", "192.0.2.1", NULL},
      {"--min-ttl", "250", "192.0.2.1", NULL}, /* single-hop is always 255 */
      {"--auth", "hmac", "192.0.2.1", NULL},
      {"--auth", "md5", "192.0.2.1", NULL},     /* no secret */
      {"--key-file", key_a, "192.0.2.1", NULL}, /* no type */
      {"--key-file", "/nonexistent/key", "--auth", "md5", "192.0.2.1", NULL},
      {"--self-test", "-l", "127.0.0.1", NULL}, /* the self-test picks its addresses */
      {"--self-test", "--multihop", NULL},
  };
  static const char *const twice[] = {"--auth",   "md5", "--key-id",   "3",   "--key-file", key_a,
                                      "--key-id", "3",   "--key-file", key_b, "192.0.2.1",  NULL};
  bp_options o;
  size_t i;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    int rv = parse(&o, cases[i]);
    if (rv != BP_OPT_ERROR)
      fprintf(stderr, "case %zu (%s ...) accepted\n", i, cases[i][0] ? cases[i][0] : "");
    CU_ASSERT_EQUAL(rv, BP_OPT_ERROR);
  }
  CU_ASSERT_EQUAL(parse(&o, twice), BP_OPT_ERROR); /* one Key ID for two keys */
  bp_options_wipe(&o);
}

int main(void) {
  CU_TestInfo tests[] = {{"defaults", test_defaults},
                         {"values", test_values},
                         {"quiet_over_json", test_quiet_over_json},
                         {"key_ids", test_key_ids},
                         {"help", test_help},
                         {"rejected", test_rejected},
                         CU_TEST_INFO_NULL};
  int rv;
  make_key(key_a, "sesame");
  make_key(key_b, "open");
  rv = bfd_test_run_suite("bfdping_options", tests);
  unlink(key_a);
  unlink(key_b);
  return rv;
}
