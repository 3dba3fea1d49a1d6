/*
 * poll_host: the smallest real host for bfdkit, without libuv. A bfd_table
 * with one single-hop IPv4 session (RFC 5881) to the peer given on the
 * command line, or in responder mode none: sessions for whoever asks
 * (passive, RFC 5880 §6.1). Driven by plain poll() and two UDP sockets.
 * Read this next to docs/guide.md: the loop in main() is the whole
 * integration; the protocol (responder sessions, reaping, goodbye) is the
 * core's, so this host gets the same behaviour as the libuv adapter.
 *
 *   poll_host -l LOCAL (-p PEER | --responder) [--port N] [-w SEC] [-u SEC]
 *             [-i MS] [--until-removed]
 *
 * On exit it says goodbye (bfd_table_goodbye_all: AdminDown until the peers
 * know, RFC 5880 §6.8.16) and waits for the table to drain.
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
  int removed;  /* sessions the table freed (reaped, goodbye done) */
} host;

static const char *peer_str(const bfd_session *s, char *buf, size_t len) {
  uint8_t a[16];
  if (bfd_session_get_peer(s, a) != 0 || !inet_ntop(AF_INET, a, buf, (socklen_t)len))
    snprintf(buf, len, "?");
  return buf;
}

/* Responder sessions appear and go by themselves: the core tells us. */
static int on_session(bfd_session *s, const bfd_session_event *ev, void *ud) {
  host *h = ud;
  char p[INET_ADDRSTRLEN];
  if (ev->kind == BFD_SESSION_EV_CREATED) {
    printf("%8.3f  responder session created for %s\n", (double)(ev->ts - h->t0) / 1e9,
           peer_str(s, p, sizeof p));
  } else {
    h->removed++;
    printf("%8.3f  session with %s removed (%s)\n", (double)(ev->ts - h->t0) / 1e9,
           peer_str(s, p, sizeof p),
           ev->reason == BFD_SESSION_REMOVED_REAPED ? "reaped" : "goodbye done");
  }
  fflush(stdout);
  return 0;
}

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

/* Read every queued datagram and feed it: the table demultiplexes. */
static void receive(int fd, bfd_table *t, struct in_addr local) {
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
    memset(&ri, 0, sizeof ri);
    ri.mode = BFD_MODE_SINGLE_HOP;
    ri.family = BFD_AF_INET;
    ri.flags = BFD_RX_PEER | BFD_RX_LOCAL; /* the RX socket is bound to LOCAL */
    memcpy(ri.peer, &from.sin_addr, 4);
    memcpy(ri.local, &local, 4);
    ri.peer_port = ntohs(from.sin_port);
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
        int ttl;
        memcpy(&ttl, CMSG_DATA(c), sizeof ttl);
        ri.ttl = (uint8_t)ttl;
        ri.flags |= BFD_RX_TTL; /* without it the core's GTSM check drops it */
      }
    int rv = bfd_table_feed_packet(t, buf, (size_t)n, &ri, now_ns(), NULL);
    if (rv < 0 && bfd_err_is_fatal(rv)) {
      fprintf(stderr, "poll_host: %s\n", bfd_strerror(rv));
      exit(2);
    }
  }
}

/* Send everything due now, each packet to its session's peer. */
static void transmit(int fd, bfd_table *t, uint16_t port) {
  uint8_t buf[BFD_CTRL_LEN_MAX];
  bfd_session *s;
  ptrdiff_t n;
  while ((n = bfd_table_poll_packet(t, &s, buf, sizeof buf, now_ns())) > 0) {
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
    uint8_t a[16];
    if (bfd_session_get_peer(s, a) != 0)
      continue;
    memcpy(&to.sin_addr, a, 4);
    if (sendto(fd, buf, (size_t)n, 0, (const struct sockaddr *)&to, sizeof to) < 0)
      perror("poll_host: sendto"); /* lost like on the wire; BFD copes */
  }
  if (n < 0) {
    fprintf(stderr, "poll_host: %s\n", bfd_strerror((int)n));
    exit(2);
  }
}

int main(int argc, char **argv) {
  static const struct option opts[] = {{"port", required_argument, NULL, 'P'},
                                       {"responder", no_argument, NULL, 'R'},
                                       {"until-removed", no_argument, NULL, 'X'},
                                       {0, 0, 0, 0}};
  struct in_addr local = {0}, peer = {0};
  unsigned long port = BFD_PORT_SINGLE_HOP, tx_ms = 300;
  double wait_s = 0, hold_s = 0;
  int c, have_peer = 0, have_local = 0, responder = 0, until_removed = 0;
  while ((c = getopt_long(argc, argv, "l:p:w:u:i:h", opts, NULL)) != -1) {
    switch (c) {
    case 'l': have_local = inet_pton(AF_INET, optarg, &local) == 1; break;
    case 'p': have_peer = inet_pton(AF_INET, optarg, &peer) == 1; break;
    case 'P': port = strtoul(optarg, NULL, 10); break;
    case 'w': wait_s = atof(optarg); break;
    case 'u': hold_s = atof(optarg); break;
    case 'i': tx_ms = strtoul(optarg, NULL, 10); break;
    case 'R': responder = 1; break;
    case 'X': until_removed = 1; break;
    default:
      fprintf(c == 'h' ? stdout : stderr,
              "usage: poll_host -l LOCAL (-p PEER | --responder) [--port N] [-w SEC] [-u SEC]\n"
              "                 [-i MS] [--until-removed]\n"
              "  -l LOCAL         IPv4 address to listen on and send from\n"
              "  -p PEER          IPv4 address of the peer\n"
              "  --responder      no configured peer: answer whoever asks (passive)\n"
              "  --port N         UDP port of both ends (default 3784)\n"
              "  -w SEC           give up if not Up after SEC seconds (default: never)\n"
              "  -u SEC           once Up, hold SEC seconds, then say goodbye and exit\n"
              "  -i MS            Desired Min TX and Required Min RX in ms (default 300)\n"
              "  --until-removed  exit when the table frees a session (reaped, goodbye)\n");
      return c == 'h' ? 0 : 2;
    }
  }
  if (!have_local || have_peer == responder || port == 0 || port > 65535 || tx_ms == 0 ||
      tx_ms > 4000000) {
    fprintf(stderr, "poll_host: need -l LOCAL and one of -p PEER or --responder (IPv4); "
                    "see -h\n");
    return 2;
  }

  host h = {.t0 = now_ns()};
  int rx = open_rx(local, (uint16_t)port), tx = open_tx(local);
  if (rx < 0 || tx < 0)
    return 2;

  bfd_session_settings st;
  bfd_callbacks cb;
  bfd_table *t;
  bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &st);
  st.desired_min_tx_us = st.required_min_rx_us = (uint32_t)(tx_ms * 1000);
  bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb);
  cb.state_change = on_state;
  cb.nexthop = on_nexthop;
  cb.session = on_session;
  int rv = bfd_table_new(&t, &cb, NULL, &h);
  if (rv == 0 && responder) {
    bfd_responder_settings rs;
    bfd_responder_settings_init(BFD_RESPONDER_SETTINGS_VERSION, &rs);
    rs.max_sessions = 4;
    rs.session.desired_min_tx_us = rs.session.required_min_rx_us = st.desired_min_tx_us;
    rv = bfd_table_set_responder(t, &rs);
  } else if (rv == 0) {
    bfd_session_key key = {.mode = BFD_MODE_SINGLE_HOP, .family = BFD_AF_INET};
    memcpy(key.local, &local, 4);
    memcpy(key.peer, &peer, 4);
    rv = bfd_table_add_session(t, NULL, &st, &key, NULL, h.t0);
  }
  if (rv != 0) {
    fprintf(stderr, "poll_host: %s\n", bfd_strerror(rv));
    return 2;
  }
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);

  /* The sans-io loop: feed time, send what is due, sleep until the next
   * deadline or a datagram, feed it. */
  uint64_t give_up = wait_s > 0 ? h.t0 + (uint64_t)(wait_s * 1e9) : BFD_TSTAMP_NONE;
  int code = 0;
  uint64_t drain_until = BFD_TSTAMP_NONE;
  int leaving = 0;
  for (;;) {
    uint64_t now = now_ns();
    if (bfd_table_feed_time(t, now) == BFD_ERR_CALLBACK_FAILURE)
      return 2;
    transmit(tx, t, (uint16_t)port);
    if (!leaving) {
      int go = stop || (until_removed && h.removed > 0);
      if (!h.up_at && now >= give_up) {
        code = 1;
        go = 1;
      }
      if (h.up_at && hold_s > 0 && now >= h.up_at + (uint64_t)(hold_s * 1e9))
        go = 1;
      if (go) {
        /* Tell the peers we are going (AdminDown, diag 7) instead of
         * letting their Detection Time expire; the table frees each
         * session once its peer knows (at most 10 s here). */
        leaving = 1;
        now = now_ns(); /* the clock never goes back, for the table too */
        drain_until = now + 10 * BFD_SECONDS;
        if ((rv = bfd_table_goodbye_all(t, now)) != 0) {
          fprintf(stderr, "poll_host: goodbye: %s\n", bfd_strerror(rv));
          return 2;
        }
        transmit(tx, t, (uint16_t)port);
      }
    }
    if (leaving && (bfd_table_size(t) == 0 || now >= drain_until))
      break;
    uint64_t next = bfd_table_next_deadline(t);
    if (give_up < next && !h.up_at)
      next = give_up;
    now = now_ns();
    /* poll() takes ms: round up so we never wake before the deadline. */
    uint64_t ms = next <= now ? 0 : bfd_ns_to_ms_ceil(next - now);
    struct pollfd pfd = {.fd = rx, .events = POLLIN};
    if (poll(&pfd, 1, ms > 200 ? 200 : (int)ms) > 0)
      receive(rx, t, local);
  }

  printf("poll_host: %s, goodbye %s, %d session(s) removed\n", h.up_at ? "reached Up" : "never Up",
         bfd_table_size(t) == 0 ? "done" : "cut short", h.removed);
  bfd_table_del(t);
  close(rx);
  close(tx);
  if (h.timeouts && hold_s > 0)
    code = 1;
  return code;
}
