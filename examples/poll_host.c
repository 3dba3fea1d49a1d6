/*
 * poll_host: the smallest real host for bfdkit, without libuv. One
 * single-hop IPv4 session (RFC 5881) to the peer given on the command line,
 * driven by plain poll() and two UDP sockets. Read this next to
 * docs/guide.md: the loop in main() is the whole integration.
 *
 *   poll_host -l LOCAL -p PEER [--port N] [-w SEC] [-u SEC] [-i MS]
 *
 * Exit codes: 0 = reached Up (and, with -u, held it for SEC seconds without
 * a detection timeout), 1 = not Up by the -w deadline or a timeout while
 * held, 2 = usage or socket error.
 *
 * Copyright (c) 2026 the bfdkit developers. MIT licensed, see LICENSE.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bfd/bfd.h>

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * BFD_SECONDS + (uint64_t)ts.tv_nsec;
}

typedef struct host {
  uint64_t t0, up_at;
  int timeouts; /* Up/Init -> Down by Detection Time expiry */
} host;

static int on_state(bfd_session *s, const bfd_state_event *ev, void *ud) {
  host *h = ud;
  (void)s;
  printf("%8.3f  %s -> %s (diag: %s)\n", (double)(ev->ts - h->t0) / 1e9,
         bfd_state_name(ev->old_state), bfd_state_name(ev->new_state),
         bfd_diag_name(ev->local_diag));
  if (ev->new_state == BFD_STATE_UP && h->up_at == 0)
    h->up_at = ev->ts;
  if (ev->local_diag == BFD_DIAG_DETECT_EXPIRED)
    h->timeouts++;
  fflush(stdout);
  return 0; /* nonzero would make the library call fail (fatal) */
}

static int on_nexthop(bfd_session *s, const bfd_nexthop_event *ev, void *ud) {
  host *h = ud;
  (void)s;
  printf("%8.3f  nexthop %s\n", (double)(ev->ts - h->t0) / 1e9,
         ev->action == BFD_NEXTHOP_UP ? "usable" : "NOT usable");
  return 0;
}

/* RX socket on LOCAL:port; IP_RECVTTL hands us each datagram's TTL. */
static int open_rx(struct in_addr local, uint16_t port) {
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr = local};
  int on = 1, fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof on) != 0 ||
      bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
    perror("poll_host: rx socket");
    return -1;
  }
  return fd;
}

/* TX socket: TTL 255 (RFC 5881 §5), source port in 49152-65535 (§4). */
static int open_tx(struct in_addr local) {
  int ttl = BFD_TTL_MAX, fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  unsigned start = BFD_SRC_PORT_MIN + (unsigned)getpid() % 16384u;
  if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl) != 0) {
    perror("poll_host: tx socket");
    return -1;
  }
  for (unsigned i = 0; i < 16384u; i++) {
    unsigned port = BFD_SRC_PORT_MIN + (start - BFD_SRC_PORT_MIN + i) % 16384u;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr = local};
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
      return fd;
    if (errno != EADDRINUSE)
      break;
  }
  perror("poll_host: bind tx source port");
  close(fd);
  return -1;
}

/* Read every queued datagram and feed the ones from our peer. */
static void receive(int fd, bfd_session *s, struct in_addr peer) {
  for (;;) {
    uint8_t buf[128];
    union { char b[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } ctl;
    struct sockaddr_in from;
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
    struct msghdr mh = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov,
                        .msg_iovlen = 1, .msg_control = ctl.b, .msg_controllen = sizeof ctl.b};
    ssize_t n = recvmsg(fd, &mh, 0);
    bfd_rx_info ri;
    if (n < 0)
      return; /* EAGAIN: drained */
    /* A standalone session does no demultiplexing: the host filters. A
     * bfd_table would demultiplex by Your Discriminator / address instead. */
    if (from.sin_addr.s_addr != peer.s_addr)
      continue;
    memset(&ri, 0, sizeof ri);
    ri.mode = BFD_MODE_SINGLE_HOP;
    ri.family = BFD_AF_INET;
    ri.flags = BFD_RX_PEER;
    memcpy(ri.peer, &from.sin_addr, 4);
    ri.peer_port = ntohs(from.sin_port);
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
        int ttl;
        memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
        ri.ttl = (uint8_t)ttl;
        ri.flags |= BFD_RX_TTL; /* without it the core's GTSM check drops it */
      }
    int rv = bfd_session_feed_packet(s, buf, (size_t)n, &ri, now_ns());
    if (rv < 0 && bfd_err_is_fatal(rv)) {
      fprintf(stderr, "poll_host: %s\n", bfd_strerror(rv));
      exit(2);
    }
  }
}

/* Send everything due now. */
static void transmit(int fd, bfd_session *s, const struct sockaddr_in *to) {
  uint8_t buf[BFD_CTRL_LEN_MAX];
  ptrdiff_t n;
  while ((n = bfd_session_poll_packet(s, buf, sizeof buf, now_ns())) > 0)
    if (sendto(fd, buf, (size_t)n, 0, (const struct sockaddr *)to, sizeof *to) < 0)
      perror("poll_host: sendto"); /* lost like on the wire; BFD copes */
  if (n < 0) {
    fprintf(stderr, "poll_host: %s\n", bfd_strerror((int)n));
    exit(2);
  }
}

int main(int argc, char **argv) {
  static const struct option opts[] = {{"port", required_argument, NULL, 'P'}, {0, 0, 0, 0}};
  struct in_addr local = {0}, peer = {0};
  unsigned long port = BFD_PORT_SINGLE_HOP, tx_ms = 300;
  double wait_s = 0, hold_s = 0;
  int c, have_peer = 0, have_local = 0;
  while ((c = getopt_long(argc, argv, "l:p:w:u:i:h", opts, NULL)) != -1) {
    switch (c) {
    case 'l': have_local = inet_pton(AF_INET, optarg, &local) == 1; break;
    case 'p': have_peer = inet_pton(AF_INET, optarg, &peer) == 1; break;
    case 'P': port = strtoul(optarg, NULL, 10); break;
    case 'w': wait_s = atof(optarg); break;
    case 'u': hold_s = atof(optarg); break;
    case 'i': tx_ms = strtoul(optarg, NULL, 10); break;
    default:
      fprintf(c == 'h' ? stdout : stderr,
              "usage: poll_host -l LOCAL -p PEER [--port N] [-w SEC] [-u SEC] [-i MS]\n"
              "  -l LOCAL   IPv4 address to listen on and send from\n"
              "  -p PEER    IPv4 address of the peer\n"
              "  --port N   UDP port of both ends (default 3784)\n"
              "  -w SEC     give up if not Up after SEC seconds (default: never)\n"
              "  -u SEC     once Up, hold SEC seconds, then AdminDown and exit\n"
              "  -i MS      Desired Min TX and Required Min RX in ms (default 300)\n");
      return c == 'h' ? 0 : 2;
    }
  }
  if (!have_local || !have_peer || port == 0 || port > 65535 || tx_ms == 0 ||
      tx_ms > 4000000) {
    fprintf(stderr, "poll_host: need -l LOCAL and -p PEER (IPv4); see -h\n");
    return 2;
  }

  host h = {.t0 = now_ns()};
  int rx = open_rx(local, (uint16_t)port), tx = open_tx(local);
  if (rx < 0 || tx < 0)
    return 2;
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                           .sin_addr = peer};

  bfd_session_settings st;
  bfd_callbacks cb;
  bfd_session *s;
  bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &st);
  st.desired_min_tx_us = st.required_min_rx_us = (uint32_t)(tx_ms * 1000);
  bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb);
  cb.state_change = on_state;
  cb.nexthop = on_nexthop;
  int rv = bfd_session_new(&s, &st, &cb, NULL, &h, h.t0);
  if (rv != 0) {
    fprintf(stderr, "poll_host: bfd_session_new: %s\n", bfd_strerror(rv));
    return 2;
  }
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);

  /* The sans-io loop: feed time, send what is due, sleep until the next
   * deadline or a datagram, feed it. */
  uint64_t give_up = wait_s > 0 ? h.t0 + (uint64_t)(wait_s * 1e9) : BFD_TSTAMP_NONE;
  int code = 0;
  while (!stop) {
    uint64_t now = now_ns();
    if (bfd_session_feed_time(s, now) == BFD_ERR_CALLBACK_FAILURE)
      return 2;
    transmit(tx, s, &to);
    if (!h.up_at && now >= give_up) {
      code = 1;
      break;
    }
    if (h.up_at && hold_s > 0 && now >= h.up_at + (uint64_t)(hold_s * 1e9))
      break;
    uint64_t next = bfd_session_next_deadline(s);
    if (give_up < next && !h.up_at)
      next = give_up;
    now = now_ns();
    /* poll() takes ms: round up so we never wake before the deadline. */
    uint64_t ms = next <= now ? 0 : bfd_ns_to_ms_ceil(next - now);
    struct pollfd pfd = {.fd = rx, .events = POLLIN};
    if (poll(&pfd, 1, ms > 1000 ? 1000 : (int)ms) > 0)
      receive(rx, s, peer);
  }

  /* Tell the peer we are going (AdminDown, diag 7) instead of letting its
   * Detection Time expire; then deleting clears our nexthop state. */
  bfd_session_set_admin_down(s, 1, now_ns());
  transmit(tx, s, &to);
  bfd_session_status stat = {.struct_version = BFD_SESSION_STATUS_VERSION};
  bfd_session_get_status(s, &stat);
  printf("poll_host: %s, up %llu time(s), %llu packets sent, %llu received\n",
         h.up_at ? "reached Up" : "never Up", (unsigned long long)stat.up_count,
         (unsigned long long)stat.tx_packets, (unsigned long long)stat.rx_packets);
  bfd_session_del(s);
  close(rx);
  close(tx);
  if (h.timeouts && hold_s > 0)
    code = 1;
  return code;
}
