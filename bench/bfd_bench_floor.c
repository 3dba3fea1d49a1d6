/* bench_floor: the kernel's own cost for the traffic of bench_scale. No
 * BFD: one UDP socket per side, bound to the wildcard address and the
 * single-hop port, sends 24-byte datagrams over the same N address pairs at
 * the same packet rate with sendmmsg() (the source address of each packet
 * set through IP_PKTINFO ipi_spec_dst in msg_control, so the kernel looks
 * the route up per packet, as for an unconnected socket), and reads what
 * the peer sends with recvmmsg() in batches with IP_PKTINFO and IP_RECVTTL,
 * as the adapter's listener does. Woken at least every millisecond (the
 * adapter's timer granularity), it sends the packets that are due in
 * batches, at most 8 batches between two reads of at most 8 batches.
 *
 * Rate: N / (interval x jitter) packets per second each way, jitter 0.875
 * by default (RFC 5880 §6.8.7: each interval is 75-100 % of the nominal
 * one with Detect Mult > 1, mean 87.5 %); pair k sends once per round.
 *
 *   side A: bench_floor -n N -l 10.10.0.0 -p 10.20.0.0
 *   side B: bench_floor -n N -l 10.20.0.0 -p 10.10.0.0
 *
 * Prints a status line per second on stderr (tx, rx per second, send
 * failures, kernel receive-buffer drops of the namespace, CPU %) and, after
 * -d seconds, one JSON line on stdout (or -o FILE); then keeps going until
 * SIGINT/SIGTERM, or exits at once with -x.
 *
 * Usage: bench_floor -n N -l LOCAL_BASE -p PEER_BASE [-i interval_us]
 *        [-j jitter_permille] [-b batch] [-d seconds] [-P port] [-R rcvbuf]
 *        [-o file] [-q] [-x]
 *        (default -n 1000 -i 100000 -j 875 -b 32 -d 30 -P 3784; -R: the
 *        socket's SO_RCVBUFFORCE, default the kernel's rmem_default) */
#ifndef _GNU_SOURCE
#  define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "scale_util.h"

#define FLOOR_BATCH_MAX 64
#define FLOOR_PKT_LEN   24

static volatile sig_atomic_t stop_now;

static void on_signal(int s) {
  (void)s;
  stop_now = 1;
}

static const char usage_text[] =
    "bench_floor -n N -l LOCAL_BASE -p PEER_BASE [-i interval_us] "
    "[-j jitter_permille] [-b batch] [-d seconds] [-P port] [-R rcvbuf] [-o file] "
    "[-q] [-x]";

static int set_int(int fd, int level, int name, int v) {
  return setsockopt(fd, level, name, &v, sizeof(v));
}

/* One datagram's header: its address, its one buffer, its control space. */
static void set_msg(struct msghdr *h, struct sockaddr_in *name, struct iovec *iov, void *ctl,
                    size_t ctllen) {
  h->msg_name = name;
  h->msg_namelen = sizeof(*name);
  h->msg_iov = iov;
  h->msg_iovlen = 1;
  h->msg_control = ctl;
  h->msg_controllen = ctllen;
  h->msg_flags = 0;
}

typedef struct counters {
  uint64_t tx, rx, tx_fail, rx_batches, wakeups;
} counters;

int main(int argc, char **argv) {
  uint32_t n = 1000, interval_us = 100000, jitter = 875, batch = 32, duration = 30;
  uint32_t local_base = 0, peer_base = 0, rcvbuf = 0;
  int rcvbuf_got = 0;
  socklen_t rcvbuf_len = sizeof(rcvbuf_got);
  uint16_t port = 3784;
  const char *out = NULL;
  int quiet = 0, exit_after = 0, have_l = 0, have_p = 0, opt, fd, summarised = 0, last_errno = 0;
  FILE *f;
  uint64_t nofile, hard = 0, t0, t_end, cpu0, last_t, last_cpu, sent = 0;
  double rate;
  counters k, last;
  scale_udp udp0, udp_last;
  struct sockaddr_in bind_addr;
  static struct mmsghdr tx[FLOOR_BATCH_MAX], rx[FLOOR_BATCH_MAX];
  static struct iovec tx_iov[FLOOR_BATCH_MAX], rx_iov[FLOOR_BATCH_MAX];
  static struct sockaddr_in tx_dst[FLOOR_BATCH_MAX], rx_src[FLOOR_BATCH_MAX];
  static union {
    char buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
    struct cmsghdr align;
  } tx_cm[FLOOR_BATCH_MAX];
  static union {
    char buf[CMSG_SPACE(sizeof(struct in_pktinfo)) + CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } rx_cm[FLOOR_BATCH_MAX];
  static uint8_t tx_buf[FLOOR_PKT_LEN], rx_buf[FLOOR_BATCH_MAX][64];
  static struct in_pktinfo *tx_pi[FLOOR_BATCH_MAX];
  uint32_t i;

  while ((opt = getopt(argc, argv, "n:i:j:b:l:p:d:P:R:o:qx")) != -1) {
    switch (opt) {
    case 'n': n = scale_arg(optarg, 1, 1000000, usage_text); break;
    case 'i': interval_us = scale_arg(optarg, 1, 0xffffffffu, usage_text); break;
    case 'j': jitter = scale_arg(optarg, 1, 1000, usage_text); break;
    case 'b': batch = scale_arg(optarg, 1, FLOOR_BATCH_MAX, usage_text); break;
    case 'l':
      local_base = scale_arg_v4(optarg, usage_text);
      have_l = 1;
      break;
    case 'p':
      peer_base = scale_arg_v4(optarg, usage_text);
      have_p = 1;
      break;
    case 'd': duration = scale_arg(optarg, 1, 86400, usage_text); break;
    case 'P': port = (uint16_t)scale_arg(optarg, 1, 65535, usage_text); break;
    case 'R': rcvbuf = scale_arg(optarg, 1, 0x7fffffff, usage_text); break;
    case 'o': out = optarg; break;
    case 'q': quiet = 1; break;
    case 'x': exit_after = 1; break;
    default: scale_usage(usage_text);
    }
  }
  if (!have_l || !have_p || optind != argc)
    scale_usage(usage_text);
  nofile = scale_raise_nofile(0, &hard);
  f = scale_open_out(out);
  rate = (double)n * 1e6 / ((double)interval_us * (double)jitter / 1000.0);
  fprintf(stderr,
          "bench_floor: RLIMIT_NOFILE %" PRIu64 " (hard %" PRIu64 "), %" PRIu32
          " pairs, %.0f packets/s each way\n",
          nofile, hard, n, rate);
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  signal(SIGPIPE, SIG_IGN);

  fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0 || set_int(fd, IPPROTO_IP, IP_PKTINFO, 1) || set_int(fd, IPPROTO_IP, IP_RECVTTL, 1) ||
      set_int(fd, IPPROTO_IP, IP_TTL, 255) || set_int(fd, IPPROTO_IP, IP_TOS, 0xc0)) {
    perror("bench_floor: socket");
    return 1;
  }
  if (rcvbuf && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) != 0)
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  (void)getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf_got, &rcvbuf_len);
  memset(&bind_addr, 0, sizeof(bind_addr));
  bind_addr.sin_family = AF_INET;
  bind_addr.sin_port = htons(port);
  if (bind(fd, (struct sockaddr *)&bind_addr, sizeof(bind_addr)) != 0) {
    perror("bench_floor: bind");
    return 1;
  }
  /* A BFD Control packet's shape: version 1, state Down, mult 3, length 24. */
  tx_buf[0] = 0x20;
  tx_buf[1] = 0x40;
  tx_buf[2] = 3;
  tx_buf[3] = FLOOR_PKT_LEN;
  for (i = 0; i < FLOOR_BATCH_MAX; i++) {
    struct cmsghdr *cm;
    tx_iov[i].iov_base = tx_buf;
    tx_iov[i].iov_len = FLOOR_PKT_LEN;
    set_msg(&tx[i].msg_hdr, &tx_dst[i], &tx_iov[i], tx_cm[i].buf, sizeof(tx_cm[i].buf));
    cm = CMSG_FIRSTHDR(&tx[i].msg_hdr);
    cm->cmsg_level = IPPROTO_IP;
    cm->cmsg_type = IP_PKTINFO;
    cm->cmsg_len = CMSG_LEN(sizeof(struct in_pktinfo));
    tx_pi[i] = (struct in_pktinfo *)(void *)CMSG_DATA(cm);
    tx_pi[i]->ipi_ifindex = 0;
    tx_pi[i]->ipi_addr.s_addr = 0;
    tx_dst[i].sin_family = AF_INET;
    tx_dst[i].sin_port = htons(port);
    rx_iov[i].iov_base = rx_buf[i];
    rx_iov[i].iov_len = sizeof(rx_buf[i]);
  }

  memset(&k, 0, sizeof(k));
  last = k;
  memset(&udp0, 0, sizeof(udp0));
  scale_read_udp(&udp0);
  udp_last = udp0;
  t0 = last_t = scale_now_ns();
  t_end = t0 + (uint64_t)duration * 1000000000u;
  cpu0 = last_cpu = scale_cpu_ns();
  while (!stop_now) {
    uint64_t now = scale_now_ns();
    uint64_t due = (uint64_t)(rate * (double)(now - t0) / 1e9);
    struct pollfd pfd;
    int nb;
    /* Send what is due, pair by pair, in batches, but at most 8 batches
     * before reading again (as many as a read may take): a host that
     * falls behind must not starve its receive side. */
    for (nb = 0; sent < due && nb < 8; nb++) {
      uint32_t m = due - sent < batch ? (uint32_t)(due - sent) : batch;
      int r;
      for (i = 0; i < m; i++) {
        uint32_t pair = (uint32_t)((sent + i) % n);
        tx_pi[i]->ipi_spec_dst.s_addr = htonl(scale_addr(local_base, pair));
        tx_dst[i].sin_addr.s_addr = htonl(scale_addr(peer_base, pair));
      }
      r = sendmmsg(fd, tx, m, MSG_DONTWAIT);
      if (r <= 0) {
        /* Counted and dropped, like the adapter's failed sends. */
        last_errno = errno;
        k.tx_fail++;
        sent++;
        continue;
      }
      k.tx += (uint64_t)r;
      sent += (uint64_t)r;
    }
    pfd.fd = fd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    k.wakeups++;
    /* Behind schedule: only look at the socket; else wait up to 1 ms. */
    if (poll(&pfd, 1, sent < due ? 0 : 1) > 0 && (pfd.revents & POLLIN)) {
      for (nb = 0; nb < 8; nb++) { /* the adapter's 8 batches per wake-up */
        int r;
        for (i = 0; i < batch; i++) /* recvmmsg() overwrote the lengths */
          set_msg(&rx[i].msg_hdr, &rx_src[i], &rx_iov[i], rx_cm[i].buf, sizeof(rx_cm[i].buf));
        r = recvmmsg(fd, rx, batch, MSG_DONTWAIT, NULL);
        if (r <= 0)
          break;
        k.rx_batches++;
        for (i = 0; i < (uint32_t)r; i++) {
          struct cmsghdr *cm;
          int ttl = -1;
          uint32_t dst = 0;
          for (cm = CMSG_FIRSTHDR(&rx[i].msg_hdr); cm; cm = CMSG_NXTHDR(&rx[i].msg_hdr, cm)) {
            if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_TTL)
              memcpy(&ttl, CMSG_DATA(cm), sizeof(ttl));
            else if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO)
              dst = ((struct in_pktinfo *)CMSG_DATA(cm))->ipi_addr.s_addr;
          }
          if (ttl == 255 && dst != 0 && rx[i].msg_len == FLOOR_PKT_LEN)
            k.rx++;
        }
        if ((uint32_t)r < batch)
          break;
      }
    }
    now = scale_now_ns();
    if (now - last_t >= 1000000000u) {
      double dt = (double)(now - last_t) / 1e9;
      uint64_t cpu = scale_cpu_ns();
      scale_udp u = udp_last;
      scale_read_udp(&u);
      if (!quiet)
        fprintf(stderr, "t=%4.0fs tx=%.0f/s rx=%.0f/s txfail=%" PRIu64 " kdrop=%.0f/s cpu=%.1f%%\n",
                (double)(now - t0) / 1e9, (double)(k.tx - last.tx) / dt,
                (double)(k.rx - last.rx) / dt, k.tx_fail,
                (double)(u.rcvbuf_errors - udp_last.rcvbuf_errors) / dt,
                100.0 * (double)(cpu - last_cpu) / (dt * 1e9));
      last = k;
      last_t = now;
      last_cpu = cpu;
      udp_last = u;
    }
    if (!summarised && (now >= t_end || stop_now)) {
      double secs = (double)(now - t0) / 1e9;
      scale_udp u;
      summarised = 1;
      u = udp0;
      scale_read_udp(&u);
      fprintf(f,
              "{\"prog\":\"bench_floor\",\"n\":%" PRIu32 ",\"interval_us\":%" PRIu32
              ",\"jitter_permille\":%" PRIu32 ",\"rate_pps\":%.0f,\"seconds\":%.3f",
              n, interval_us, jitter, rate, secs);
      fprintf(f,
              ",\"tx_pps\":%.0f,\"rx_pps\":%.0f,\"tx_packets\":%" PRIu64 ",\"rx_packets\":%" PRIu64
              ",\"tx_fail\":%" PRIu64 ",\"tx_errno\":%d,\"rx_batches\":%" PRIu64
              ",\"wakeups\":%" PRIu64,
              (double)k.tx / secs, (double)k.rx / secs, k.tx, k.rx, k.tx_fail, last_errno,
              k.rx_batches, k.wakeups);
      fprintf(f,
              ",\"kernel_rcvbuf_errors\":%" PRIu64 ",\"cpu_pct\":%.1f,\"maxrss_kib\":%" PRIu64
              ",\"nofile\":%" PRIu64 ",\"rcvbuf\":%d,\"error\":null}\n",
              u.rcvbuf_errors - udp0.rcvbuf_errors,
              100.0 * (double)(scale_cpu_ns() - cpu0) / (double)(now - t0), scale_maxrss_kib(),
              nofile, rcvbuf_got);
      fflush(f);
      if (exit_after)
        break;
    }
  }
  close(fd);
  if (f != stdout)
    fclose(f);
  return 0;
}
