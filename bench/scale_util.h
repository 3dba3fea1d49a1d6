/* Shared helpers of the scale benchmark (bench_scale) and its kernel floor
 * (bench_floor): the addressing scheme, the fd limit, clocks, and the
 * namespace's UDP counters. Not part of the library. */
#ifndef BFD_BENCH_SCALE_UTIL_H
#define BFD_BENCH_SCALE_UTIL_H

#include <stdint.h>
#include <stdio.h>

/* Session k (0-based) of a side whose base is the IPv4 address `base`
 * (host order, e.g. 10.10.0.0): base + (k / 250) * 256 + k % 250 + 1, so
 * every /24 holds hosts .1-.250 (no .0, no .255) and 20,000 sessions fit
 * in base.0.1 - base.79.250. Returns the address in host order. */
uint32_t scale_addr(uint32_t base, uint32_t k);

/* Parse a dotted IPv4 address into host order; 0 on success. */
int scale_parse_v4(const char *text, uint32_t *out);

/* Parse a decimal number in lo..hi into *out; 0 on success, -1 if `text`
 * is not one (nothing written). */
int scale_num(const char *text, uint32_t lo, uint32_t hi, uint32_t *out);

/* Print "usage: <text>" on stderr and exit(1). */
void scale_usage(const char *text);

/* A command-line number in lo..hi, or scale_usage(usage). */
uint32_t scale_arg(const char *text, uint32_t lo, uint32_t hi, const char *usage);

/* A command-line IPv4 address (host order), or scale_usage(usage). */
uint32_t scale_arg_v4(const char *text, const char *usage);

/* Format a host-order IPv4 address into buf (>= 16 bytes). */
void scale_format_v4(char *buf, uint32_t a);

/* Raise the soft RLIMIT_NOFILE to the hard limit (or to `want` if nonzero
 * and not above the hard limit). Returns the soft limit now in force. */
uint64_t scale_raise_nofile(uint64_t want, uint64_t *hard);

/* CLOCK_MONOTONIC in ns. */
uint64_t scale_now_ns(void);

/* This process's user + system CPU time in ns (getrusage). */
uint64_t scale_cpu_ns(void);

/* Peak resident set size in KiB (getrusage ru_maxrss). */
uint64_t scale_maxrss_kib(void);

/* The network namespace's UDP counters (/proc/self/net/snmp, "Udp:"):
 * what the kernel did for every UDP socket of the namespace. */
typedef struct scale_udp {
  uint64_t in, no_ports, in_errors, out, rcvbuf_errors, sndbuf_errors;
} scale_udp;

/* Fill `u`; 0 on success, -1 if the file cannot be read (`u` untouched).
 * The file stays open from the first call on. */
int scale_read_udp(scale_udp *u);

/* The summary's stream: stdout for NULL, else `path` opened for writing
 * (exits on failure). Open it at start: at the fd limit fopen() fails. */
FILE *scale_open_out(const char *path);

#endif
