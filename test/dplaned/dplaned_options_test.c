/* bfdkit-dplaned's command line (examples/dplaned/options.c). */
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "bfd_harness.h"
#include "options.h"

/* Parse a NULL-terminated argument list (after the program name); errors
 * go to a scratch file whose text is returned in `msg`. */
static int parse(dp_options *o, char *msg, size_t msglen, ...) {
  static char prog[] = "bfdkit-dplaned";
  char *argv[32] = {prog};
  int argc = 1;
  va_list ap;
  va_start(ap, msglen);
  const char *a;
  /* getopt_long() permutes the pointers, never the strings. */
  while ((a = va_arg(ap, const char *)) != NULL && argc < 31)
    argv[argc++] = (char *)(uintptr_t)a;
  va_end(ap);
  FILE *err = tmpfile();
  CU_ASSERT_PTR_NOT_NULL_FATAL(err);
  int rv = dp_options_parse(o, argc, argv, err);
  rewind(err);
  size_t n = fread(msg, 1, msglen - 1, err);
  msg[n] = '\0';
  fclose(err);
  return rv;
}

static void test_defaults(void) {
  dp_options o;
  char msg[512];
  CU_ASSERT_EQUAL(parse(&o, msg, sizeof(msg), "--dplaneaddr", "unix:/x", NULL), 0);
  CU_ASSERT_EQUAL(o.backoff_min_ms, 100);
  CU_ASSERT_EQUAL(o.backoff_max_ms, 5000);
  CU_ASSERT_EQUAL(o.sweep_ms, 3000);
  CU_ASSERT_EQUAL(o.keepalive_s, 10);
  CU_ASSERT_EQUAL(o.version, 0);
  CU_ASSERT_EQUAL(o.use_syslog, 0);
  CU_ASSERT_EQUAL(o.verbose, 0);
  CU_ASSERT_STRING_EQUAL(msg, "");
}

/* bfdd's --dplaneaddr syntax, one row per form. */
static void test_addresses(void) {
  static const struct {
    const char *text;
    int kind;
    const char *where; /* path or host */
    uint16_t port;
  } t[] = {{"unix:/run/frr/dp.sock", DP_ADDR_UNIX, "/run/frr/dp.sock", 0},
           {"ipv4:127.0.0.1", DP_ADDR_IPV4, "127.0.0.1", 50700},
           {"ipv4:10.0.0.1:6000", DP_ADDR_IPV4, "10.0.0.1", 6000},
           {"ipv6:[::1]:50701", DP_ADDR_IPV6, "::1", 50701},
           {"ipv6:[2001:db8::1]", DP_ADDR_IPV6, "2001:db8::1", 50700}};
  for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    dp_options o;
    char msg[512];
    CU_ASSERT_EQUAL(parse(&o, msg, sizeof(msg), "-a", t[i].text, NULL), 0);
    CU_ASSERT_EQUAL(o.addr_kind, t[i].kind);
    CU_ASSERT_STRING_EQUAL(t[i].kind == DP_ADDR_UNIX ? o.path : o.host, t[i].where);
    CU_ASSERT_EQUAL(o.port, t[i].port);
  }
}

static void test_values(void) {
  dp_options o;
  char msg[512];
  CU_ASSERT_EQUAL(parse(&o, msg, sizeof(msg), "-a", "unix:/x", "--backoff-min", "50",
                        "--backoff-max", "20", "--sweep", "900", "--protocol", "2",
                        "--port-single-hop", "13784", "--port-multihop", "14784", "--syslog",
                        "-v", "--keepalive", "0", NULL),
                  0);
  CU_ASSERT_EQUAL(o.backoff_min_ms, 50);
  CU_ASSERT_EQUAL(o.backoff_max_ms, 50); /* raised to the minimum */
  CU_ASSERT_EQUAL(o.sweep_ms, 900);
  CU_ASSERT_EQUAL(o.version, 2);
  CU_ASSERT_EQUAL(o.port_single_hop, 13784);
  CU_ASSERT_EQUAL(o.port_multihop, 14784);
  CU_ASSERT_EQUAL(o.use_syslog, 1);
  CU_ASSERT_EQUAL(o.verbose, 1);
  CU_ASSERT_EQUAL(o.keepalive_s, 0);
}

/* Every rejected command line says why (and returns -1). */
static void test_rejected(void) {
  static const char *const bad[][4] = {
      {NULL},                                  /* no --dplaneaddr */
      {"-a", "tcp:1.2.3.4", NULL},             /* unknown scheme */
      {"-a", "unix:", NULL},                   /* empty path */
      {"-a", "ipv4:", NULL},                   /* no address */
      {"-a", "ipv4:1.2.3.4:0", NULL},          /* port 0 */
      {"-a", "ipv4:1.2.3.4:70000", NULL},      /* port too large */
      {"-a", "ipv6:::1", NULL},                /* IPv6 without brackets */
      {"-a", "ipv6:[::1]x", NULL},             /* junk after the bracket */
      {"-a", "unix:/x", "--protocol", NULL},   /* missing value */
      {"-a", "unix:/x", "--protocol", "3"},    /* version 3 */
      {"-a", "unix:/x", "--sweep", "0"},       /* 0 ms */
      {"-a", "unix:/x", "--keepalive", "3601"},
      {"-a", "unix:/x", "--backoff-min", "-1"},
      {"-a", "unix:/x", "--bogus", NULL},
      {"-a", "unix:/x", "extra", NULL},
  };
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    dp_options o;
    char msg[512];
    int rv = parse(&o, msg, sizeof(msg), bad[i][0], bad[i][1], bad[i][2], bad[i][3], NULL);
    CU_ASSERT_EQUAL(rv, -1);
    CU_ASSERT(strncmp(msg, "bfdkit-dplaned: ", 16) == 0);
  }
}

static void test_help_version(void) {
  dp_options o;
  char msg[512];
  FILE *saved = stdout;
  stdout = tmpfile(); /* --help prints to stdout */
  CU_ASSERT_EQUAL(parse(&o, msg, sizeof(msg), "--help", NULL), 1);
  CU_ASSERT_EQUAL(parse(&o, msg, sizeof(msg), "-V", NULL), 1);
  fclose(stdout);
  stdout = saved;
}

int main(void) {
  CU_TestInfo tests[] = {{"defaults", test_defaults},
                         {"addresses", test_addresses},
                         {"values", test_values},
                         {"rejected", test_rejected},
                         {"help_version", test_help_version},
                         CU_TEST_INFO_NULL};
  return bfd_test_run_suite("dplaned_options", tests);
}
