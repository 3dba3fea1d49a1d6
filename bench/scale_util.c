/* Helpers of bench_scale and bench_floor, see scale_util.h. */
#ifndef _GNU_SOURCE
#  define _GNU_SOURCE
#endif
#include "scale_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

uint32_t scale_addr(uint32_t base, uint32_t k) { return base + (k / 250u) * 256u + k % 250u + 1u; }

int scale_parse_v4(const char *text, uint32_t *out) {
  struct in_addr a;
  if (inet_pton(AF_INET, text, &a) != 1)
    return -1;
  *out = ntohl(a.s_addr);
  return 0;
}

int scale_num(const char *text, uint32_t lo, uint32_t hi, uint32_t *out) {
  char *end;
  unsigned long v;
  errno = 0;
  v = strtoul(text, &end, 10);
  if (errno || end == text || *end || v < lo || v > hi)
    return -1;
  *out = (uint32_t)v;
  return 0;
}

void scale_usage(const char *text) {
  fprintf(stderr, "usage: %s\n", text);
  exit(1);
}

uint32_t scale_arg(const char *text, uint32_t lo, uint32_t hi, const char *usage) {
  uint32_t v = 0;
  if (scale_num(text, lo, hi, &v) != 0)
    scale_usage(usage);
  return v;
}

uint32_t scale_arg_v4(const char *text, const char *usage) {
  uint32_t a = 0;
  if (scale_parse_v4(text, &a) != 0)
    scale_usage(usage);
  return a;
}

void scale_format_v4(char *buf, uint32_t a) {
  snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255u, (a >> 8) & 255u, a & 255u);
}

uint64_t scale_raise_nofile(uint64_t want, uint64_t *hard) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
    return 0;
  if (hard)
    *hard = (uint64_t)rl.rlim_max;
  rl.rlim_cur = (want && want < (uint64_t)rl.rlim_max) ? (rlim_t)want : rl.rlim_max;
  (void)setrlimit(RLIMIT_NOFILE, &rl);
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
    return 0;
  return (uint64_t)rl.rlim_cur;
}

uint64_t scale_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t scale_cpu_ns(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0)
    return 0;
  return ((uint64_t)ru.ru_utime.tv_sec + (uint64_t)ru.ru_stime.tv_sec) * 1000000000u +
         ((uint64_t)ru.ru_utime.tv_usec + (uint64_t)ru.ru_stime.tv_usec) * 1000u;
}

uint64_t scale_maxrss_kib(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0)
    return 0;
  return (uint64_t)ru.ru_maxrss;
}

int scale_read_udp(scale_udp *u) {
  /* Opened once and re-read with pread(): a process at its fd limit (the
   * point of some runs) can still read its counters. */
  static int fd = -1;
  char buf[4096], *line, *save = NULL;
  ssize_t len;
  int seen = 0;
  if (fd < 0 && (fd = open("/proc/self/net/snmp", O_RDONLY | O_CLOEXEC)) < 0)
    return -1;
  len = pread(fd, buf, sizeof(buf) - 1, 0);
  if (len <= 0)
    return -1;
  buf[len] = 0;
  /* Two "Udp:" lines: the names, then the values. */
  for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    unsigned long long v[6];
    if (strncmp(line, "Udp:", 4) != 0 || ++seen < 2)
      continue;
    if (sscanf(line + 4, "%llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
               &v[5]) != 6)
      return -1;
    u->in = v[0];
    u->no_ports = v[1];
    u->in_errors = v[2];
    u->out = v[3];
    u->rcvbuf_errors = v[4];
    u->sndbuf_errors = v[5];
    return 0;
  }
  return -1;
}

FILE *scale_open_out(const char *path) {
  FILE *f;
  if (!path)
    return stdout;
  if (!(f = fopen(path, "w"))) {
    perror(path);
    exit(1);
  }
  return f;
}
