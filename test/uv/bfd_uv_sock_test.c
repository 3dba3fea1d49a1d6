/* Socket layer of bfdkit-uv: address text, control-message parsing, TX
 * socket options and source port allocation (RFC 5881 §4, §5). */
#include "bfd_uv_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bfd_test_util.h"

static int n_reports, last_code, last_err;
static char last_report[256];
static void rep_fn(void *ctx, int code, int err, const char *msg) {
  (void)ctx;
  n_reports++;
  last_code = code;
  last_err = err;
  strncpy(last_report, msg, sizeof(last_report) - 1);
}
static const bfd_uv__sock_reporter rep = {rep_fn, NULL};

static void test_addr_text(void) {
  bfd_uv_addr a;
  char buf[64];
  CU_ASSERT_EQUAL(bfd_uv_addr_parse(&a, "192.0.2.1"), 0);
  CU_ASSERT_EQUAL(a.family, BFD_AF_INET);
  CU_ASSERT_EQUAL(a.addr[0], 192);
  CU_ASSERT_EQUAL(a.addr[3], 1);
  CU_ASSERT_EQUAL(bfd_uv_addr_format(buf, sizeof(buf), &a), 9);
  CU_ASSERT_STRING_EQUAL(buf, "192.0.2.1");
  CU_ASSERT_EQUAL(bfd_uv_addr_parse(&a, "2001:db8::1"), 0);
  CU_ASSERT_EQUAL(a.family, BFD_AF_INET6);
  CU_ASSERT_EQUAL(a.ifindex, 0);
  CU_ASSERT_EQUAL(bfd_uv_addr_parse(&a, "fe80::1%lo"), 0);
  CU_ASSERT_EQUAL(a.ifindex, 1);
  CU_ASSERT_EQUAL(bfd_uv_addr_parse(&a, "fe80::1%7"), 0);
  CU_ASSERT_EQUAL(a.ifindex, 7);
  bfd_uv_addr_format(buf, sizeof(buf), &a);
  CU_ASSERT_STRING_EQUAL(buf, "fe80::1%7");
  CU_ASSERT_EQUAL(bfd_uv_addr_format(buf, 4, &a), BFD_ERR_NOBUF);
  CU_ASSERT_EQUAL(bfd_uv_addr_parse(&a, "fe80::1%nosuchif0"), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_uv_addr_parse(&a, "10.0.0"), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_uv_addr_parse(&a, NULL), BFD_ERR_INVALID_ARGUMENT);
}

static void test_cmsg_v4(void) {
  union {
    char buf[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct in_pktinfo))];
    struct cmsghdr align;
  } u;
  struct msghdr mh;
  struct cmsghdr *c;
  struct in_pktinfo pi;
  bfd_rx_info rx;
  int ttl = 254;
  memset(&u, 0, sizeof(u));
  memset(&mh, 0, sizeof(mh));
  mh.msg_control = u.buf;
  mh.msg_controllen = sizeof(u.buf);
  c = CMSG_FIRSTHDR(&mh);
  c->cmsg_level = IPPROTO_IP;
  c->cmsg_type = IP_TTL;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &ttl, sizeof(ttl));
  c = CMSG_NXTHDR(&mh, c);
  c->cmsg_level = IPPROTO_IP;
  c->cmsg_type = IP_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof(pi));
  memset(&pi, 0, sizeof(pi));
  pi.ipi_ifindex = 42;
  inet_pton(AF_INET, "10.1.2.3", &pi.ipi_addr);
  inet_pton(AF_INET, "10.9.9.9", &pi.ipi_spec_dst);
  memcpy(CMSG_DATA(c), &pi, sizeof(pi));
  memset(&rx, 0, sizeof(rx));
  bfd_uv__sock_parse_cmsg(&mh, &rx);
  CU_ASSERT_EQUAL(rx.flags, BFD_RX_TTL | BFD_RX_LOCAL);
  CU_ASSERT_EQUAL(rx.ttl, 254);
  CU_ASSERT_EQUAL(rx.ifindex, 42);
  /* the header's destination, not the route's spec_dst */
  CU_ASSERT_EQUAL(rx.local[0], 10);
  CU_ASSERT_EQUAL(rx.local[1], 1);
  CU_ASSERT_EQUAL(rx.local[3], 3);
}

static void test_cmsg_v6(void) {
  union {
    char buf[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct in6_pktinfo))];
    struct cmsghdr align;
  } u;
  struct msghdr mh;
  struct cmsghdr *c;
  struct in6_pktinfo pi;
  bfd_rx_info rx;
  int hl = 255;
  memset(&u, 0, sizeof(u));
  memset(&mh, 0, sizeof(mh));
  mh.msg_control = u.buf;
  mh.msg_controllen = sizeof(u.buf);
  c = CMSG_FIRSTHDR(&mh);
  c->cmsg_level = IPPROTO_IPV6;
  c->cmsg_type = IPV6_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof(pi));
  memset(&pi, 0, sizeof(pi));
  pi.ipi6_ifindex = 7;
  inet_pton(AF_INET6, "fe80::2", &pi.ipi6_addr);
  memcpy(CMSG_DATA(c), &pi, sizeof(pi));
  c = CMSG_NXTHDR(&mh, c);
  c->cmsg_level = IPPROTO_IPV6;
  c->cmsg_type = IPV6_HOPLIMIT;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &hl, sizeof(hl));
  memset(&rx, 0, sizeof(rx));
  bfd_uv__sock_parse_cmsg(&mh, &rx);
  CU_ASSERT_EQUAL(rx.flags, BFD_RX_TTL | BFD_RX_LOCAL);
  CU_ASSERT_EQUAL(rx.ttl, 255);
  CU_ASSERT_EQUAL(rx.ifindex, 7);
  CU_ASSERT_EQUAL(rx.local[0], 0xfe);
  CU_ASSERT_EQUAL(rx.local[15], 2);
  /* no control data: nothing claimed */
  mh.msg_controllen = 0;
  memset(&rx, 0, sizeof(rx));
  bfd_uv__sock_parse_cmsg(&mh, &rx);
  CU_ASSERT_EQUAL(rx.flags, 0);
}

static int getint(int fd, int level, int name) {
  int v = -1;
  socklen_t l = sizeof(v);
  CU_ASSERT_EQUAL(getsockopt(fd, level, name, &v, &l), 0);
  return v;
}

static uint16_t local_port(int fd) {
  struct sockaddr_storage ss;
  socklen_t l = sizeof(ss);
  bfd_uv_addr a;
  uint16_t p = 0;
  CU_ASSERT_EQUAL(getsockname(fd, (struct sockaddr *)&ss, &l), 0);
  bfd_uv__sock_from_sockaddr((struct sockaddr *)&ss, &a, &p);
  return p;
}

/* TTL 255 (RFC 5881 §5), CS6, port in 49152-65535 (§4). */
static void test_tx_socket(void) {
  bfd_uv_addr lo4, lo6;
  uint16_t cursor = 65535, port = 0;
  int fd;
  bfd_uv_addr_parse(&lo4, "127.0.0.1");
  bfd_uv_addr_parse(&lo6, "::1");
  fd = bfd_uv__sock_open_tx(&lo4, NULL, &cursor, &port, &rep);
  CU_ASSERT_FATAL(fd >= 0);
  CU_ASSERT_EQUAL(getint(fd, IPPROTO_IP, IP_TTL), 255);
  CU_ASSERT_EQUAL(getint(fd, IPPROTO_IP, IP_TOS), 0xc0);
  CU_ASSERT_EQUAL(local_port(fd), port);
  CU_ASSERT(port >= 49152);
  /* 65535 wraps to 49152 (unless 65535 was taken already) */
  CU_ASSERT(cursor == 49152 || cursor == port + 1);
  close(fd);
  fd = bfd_uv__sock_open_tx(&lo6, NULL, &cursor, &port, &rep);
  CU_ASSERT_FATAL(fd >= 0);
  CU_ASSERT_EQUAL(getint(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS), 255);
  CU_ASSERT_EQUAL(getint(fd, IPPROTO_IPV6, IPV6_TCLASS), 0xc0);
  CU_ASSERT_EQUAL(local_port(fd), port);
  close(fd);
}

/* A port in use is skipped (EADDRINUSE -> next port). */
static void test_port_in_use(void) {
  bfd_uv_addr lo4;
  uint16_t cursor, port = 0, taken;
  int blocker, fd, i;
  bfd_uv_addr_parse(&lo4, "127.0.0.1");
  /* Find a free port and occupy it with a plain socket. */
  cursor = 50000;
  blocker = bfd_uv__sock_open_tx(&lo4, NULL, &cursor, &taken, &rep);
  CU_ASSERT_FATAL(blocker >= 0);
  for (i = 0; i < 3; i++) {
    cursor = taken;
    fd = bfd_uv__sock_open_tx(&lo4, NULL, &cursor, &port, &rep);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT(port > taken);
    CU_ASSERT_NOT_EQUAL(port, taken);
    close(fd);
  }
  close(blocker);
  CU_ASSERT_EQUAL(n_reports, 0);
}

/* Listener options and a reported bind failure. */
static void test_listener(void) {
  bfd_uv_addr lo6, bad;
  int fd, fd2;
  bfd_uv_addr_parse(&lo6, "::1");
  fd = bfd_uv__sock_open_listener(&lo6, 0, 4096, &rep);
  CU_ASSERT_FATAL(fd >= 0);
  CU_ASSERT_EQUAL(getint(fd, SOL_SOCKET, SO_RXQ_OVFL), 1);
  CU_ASSERT_EQUAL(getint(fd, SOL_SOCKET, SO_RCVBUF), 2 * 4096); /* the kernel doubles it */
  /* the auto size's calls: set (below rmem_max: no capability needed), read back */
  CU_ASSERT_EQUAL(bfd_uv__sock_get_rcvbuf(fd), 2 * 4096);
  CU_ASSERT_EQUAL(bfd_uv__sock_set_rcvbuf(fd, 8192), 0);
  CU_ASSERT_EQUAL(bfd_uv__sock_get_rcvbuf(fd), 2 * 8192);
  CU_ASSERT_EQUAL(bfd_uv__sock_get_rcvbuf(-1), 0);
  CU_ASSERT_EQUAL(getint(fd, IPPROTO_IPV6, IPV6_V6ONLY), 1);
  CU_ASSERT_EQUAL(getint(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT), 1);
  CU_ASSERT_EQUAL(getint(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO), 1);
  /* same address and port again: EADDRINUSE, reported with the address */
  n_reports = 0;
  fd2 = bfd_uv__sock_open_listener(&lo6, local_port(fd), 0, &rep);
  CU_ASSERT_EQUAL(fd2, BFD_UV_ERR_ADDR_IN_USE);
  CU_ASSERT_EQUAL(n_reports, 1);
  CU_ASSERT_EQUAL(last_code, BFD_UV_ERR_ADDR_IN_USE);
  CU_ASSERT_EQUAL(last_err, EADDRINUSE);
  CU_ASSERT_PTR_NOT_NULL(strstr(last_report, "bind [::1]:"));
  CU_ASSERT_PTR_NOT_NULL(strstr(last_report, strerror(EADDRINUSE)));
  close(fd);
  /* an address not on this host */
  bfd_uv_addr_parse(&bad, "192.0.2.77");
  n_reports = 0;
  CU_ASSERT_EQUAL(bfd_uv__sock_open_listener(&bad, 0, 0, &rep), BFD_UV_ERR_ADDR_NOT_AVAIL);
  CU_ASSERT_PTR_NOT_NULL(strstr(last_report, "192.0.2.77"));
  CU_ASSERT_EQUAL(n_reports, 1);
  CU_ASSERT_EQUAL(last_err, EADDRNOTAVAIL);
  CU_ASSERT_EQUAL(bfd_uv__sock_probe_local(&bad, &rep), BFD_UV_ERR_ADDR_NOT_AVAIL);
  n_reports = 0;
}

/* errno -> code; every adapter code has its own text, the rest are the
 * core's. */
static void test_codes(void) {
  static const int codes[] = {BFD_UV_ERR_ADDR_NOT_AVAIL, BFD_UV_ERR_ADDR_IN_USE,
                              BFD_UV_ERR_FD_LIMIT, BFD_UV_ERR_NO_PORT};
  size_t i, j;
  CU_ASSERT_EQUAL(bfd_uv__sock_err(EADDRNOTAVAIL), BFD_UV_ERR_ADDR_NOT_AVAIL);
  CU_ASSERT_EQUAL(bfd_uv__sock_err(EADDRINUSE), BFD_UV_ERR_ADDR_IN_USE);
  CU_ASSERT_EQUAL(bfd_uv__sock_err(EMFILE), BFD_UV_ERR_FD_LIMIT);
  CU_ASSERT_EQUAL(bfd_uv__sock_err(ENFILE), BFD_UV_ERR_FD_LIMIT);
  CU_ASSERT_EQUAL(bfd_uv__sock_err(EPERM), BFD_ERR_IO);
  CU_ASSERT(bfd_uv__sock_tx_blocked(EAGAIN) && bfd_uv__sock_tx_blocked(EWOULDBLOCK) &&
            bfd_uv__sock_tx_blocked(ENOBUFS));
  CU_ASSERT(!bfd_uv__sock_tx_blocked(ECONNREFUSED) && !bfd_uv__sock_tx_blocked(ENETUNREACH));
  for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
    CU_ASSERT(codes[i] <= -290 && codes[i] >= -299);
    CU_ASSERT_STRING_NOT_EQUAL(bfd_uv_strerror(codes[i]), "(unknown)");
    CU_ASSERT_STRING_EQUAL(bfd_strerror(codes[i]), "(unknown)"); /* not the core's */
    for (j = 0; j < i; j++)
      CU_ASSERT_STRING_NOT_EQUAL(bfd_uv_strerror(codes[i]), bfd_uv_strerror(codes[j]));
  }
  CU_ASSERT_STRING_EQUAL(bfd_uv_strerror(BFD_ERR_IO), bfd_strerror(BFD_ERR_IO));
  CU_ASSERT_STRING_EQUAL(bfd_uv_strerror(-299), "(unknown)");
  CU_ASSERT_STRING_EQUAL(bfd_uv_strerror(0), "success");
}

/* Every source port of 49152-65535 taken on an address: BFD_UV_ERR_NO_PORT,
 * errno EADDRINUSE. Needs 16384 + a few fds. */
static void test_no_free_port(void) {
  enum { N = BFD_SRC_PORT_MAX - BFD_SRC_PORT_MIN + 1 };
  struct rlimit old, lim;
  bfd_uv_addr a;
  uint16_t cursor = BFD_SRC_PORT_MIN, port;
  int *fds, i, n = 0;
  CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_NOFILE, &old), 0);
  lim = old;
  if (lim.rlim_cur < N + 64) {
    lim.rlim_cur = lim.rlim_max < N + 64 ? lim.rlim_max : N + 64;
    (void)setrlimit(RLIMIT_NOFILE, &lim);
    (void)getrlimit(RLIMIT_NOFILE, &lim);
  }
  if (lim.rlim_cur < N + 64) {
    printf("(skipped: RLIMIT_NOFILE %llu) ", (unsigned long long)lim.rlim_cur);
    return;
  }
  fds = calloc(N, sizeof(*fds));
  CU_ASSERT_PTR_NOT_NULL_FATAL(fds);
  bfd_uv_addr_parse(&a, "127.0.0.5");
  for (i = 0; i < N; i++) { /* each port, unless another socket holds it already */
    struct sockaddr_storage ss;
    socklen_t sslen;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    bfd_uv__sock_to_sockaddr(&a, (uint16_t)(BFD_SRC_PORT_MIN + i), &ss, &sslen);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&ss, sslen) == 0)
      fds[n++] = fd;
    else if (fd >= 0)
      close(fd);
  }
  n_reports = 0;
  CU_ASSERT_EQUAL(bfd_uv__sock_open_tx(&a, NULL, &cursor, &port, &rep), BFD_UV_ERR_NO_PORT);
  CU_ASSERT_EQUAL(n_reports, 1);
  CU_ASSERT_EQUAL(last_code, BFD_UV_ERR_NO_PORT);
  CU_ASSERT_EQUAL(last_err, EADDRINUSE);
  CU_ASSERT_PTR_NOT_NULL(strstr(last_report, "no free source port"));
  for (i = 0; i < n; i++)
    close(fds[i]);
  free(fds);
  (void)setrlimit(RLIMIT_NOFILE, &old);
  n_reports = 0;
}

int main(void) {
  CU_TestInfo tests[] = {{"addr_text", test_addr_text},
                         {"cmsg_v4", test_cmsg_v4},
                         {"cmsg_v6", test_cmsg_v6},
                         {"tx_socket", test_tx_socket},
                         {"port_in_use", test_port_in_use},
                         {"listener", test_listener},
                         {"codes", test_codes},
                         {"no_free_port", test_no_free_port},
                         CU_TEST_INFO_NULL};
  return bfd_test_run_suite("uv_sock", tests);
}
