/* bfdkit-uv for large hosts, over loopback, unprivileged: shared TX
 * sockets (BFD_UV_TX_SHARED) pick each session's source address per
 * packet and keep the fds flat past RLIMIT_NOFILE; the limits a host hits
 * have their own codes (BFD_UV_ERR_*) and the errno in the return path;
 * kernel receive drops are counted (SO_RXQ_OVFL) and reach the governor;
 * the listeners' receive buffer follows the sessions' receive rate
 * (rx_rcvbuf 0), in steps, up to its cap, and an explicit one stays;
 * after a long wake-up the listeners are read before timeouts act (and the
 * timer's lateness is counted by wake-up); the host
 * turns the table's governor on through the adapter. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "bfd_uv_fx.h"
#include "bfd_uv_int.h" /* the listeners' fds, the adapter's rate */

/* ---- helpers ------------------------------------------------------------- */

static unsigned open_fds(void) {
  unsigned n = 0;
  DIR *d = opendir("/proc/self/fd");
  struct dirent *e;
  if (!d)
    return 0;
  while ((e = readdir(d)) != NULL)
    n += e->d_name[0] != '.';
  closedir(d);
  return n;
}

typedef struct n_up {
  const side *x;
  uint64_t n;
} n_up;

static bfd_table_stats tstats_of(const side *x) {
  bfd_table_stats ts;
  memset(&ts, 0, sizeof(ts));
  ts.struct_version = BFD_TABLE_STATS_VERSION;
  CU_ASSERT_EQUAL(bfd_table_get_stats(bfd_uv_get_table(x->a), &ts), 0);
  return ts;
}

static uint64_t count_up(const side *x) { return tstats_of(x).by_state[BFD_STATE_UP]; }

static int all_up(void *ctx) {
  n_up *c = ctx;
  return count_up(c->x) >= c->n;
}

static bfd_uv_settings shared_settings(uint16_t ports) {
  bfd_uv_settings st = side_settings(0, 0);
  st.tx_sockets = BFD_UV_TX_SHARED;
  st.tx_ports = ports;
  return st;
}

static bfd_uv_peer_info info_of(bfd_session *s) {
  bfd_uv_peer_info i;
  memset(&i, 0, sizeof(i));
  i.struct_version = BFD_UV_PEER_INFO_VERSION;
  CU_ASSERT_EQUAL(bfd_uv_peer_get_info(s, &i), 0);
  return i;
}

static bfd_uv_stats stats_of(const side *x) {
  bfd_uv_stats st;
  memset(&st, 0, sizeof(st));
  st.struct_version = BFD_UV_STATS_VERSION;
  CU_ASSERT_EQUAL(bfd_uv_get_stats(x->a, &st), 0);
  return st;
}

/* ---- shared TX sockets --------------------------------------------------- */

/* X sends from three local addresses through a pool of two sockets; Y, on
 * one socket per session, keys its sessions by X's source address: all
 * three come Up only if every packet left from its session's address.
 * The first two sessions have ports of their own, the third shares one
 * (the least used). */
static void test_shared_tx(void) {
  static const char *xl[3] = {"127.0.0.1", "127.0.0.6", "127.0.0.7"};
  side x, y;
  bfd_session *xs[3], *ys[3];
  bfd_uv_peer_info xi[3], yi[3];
  bfd_uv_settings st = shared_settings(2);
  n_up cx, cy;
  unsigned fds0;
  int i;
  side_new(&x, "X", &st);
  side_open(&y, "Y", "127.0.0.2", 0, 0);
  fds0 = open_fds();
  for (i = 0; i < 3; i++) {
    bfd_uv_peer_config c;
    side_listen(&x, BFD_MODE_SINGLE_HOP, xl[i]);
    peer_cfg(&c, xl[i], "127.0.0.2", base_port);
    CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_add(x.a, &xs[i], &c, &x), 0);
    peer_cfg(&c, "127.0.0.2", xl[i], base_port);
    CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_add(y.a, &ys[i], &c, &y), 0);
  }
  /* 3 listeners and the catch-up's epoll set, 2 pool sockets, 3 of Y's own */
  CU_ASSERT_EQUAL(open_fds(), fds0 + 3 + 1 + 2 + 3);
  cx.x = &x;
  cy.x = &y;
  cx.n = cy.n = 3;
  CU_ASSERT(run_until(all_up, &cx, 5000) && run_until(all_up, &cy, 2000));
  for (i = 0; i < 3; i++) {
    xi[i] = info_of(xs[i]);
    yi[i] = info_of(ys[i]);
    CU_ASSERT(xi[i].src_port >= BFD_SRC_PORT_MIN);
    CU_ASSERT(xi[i].tx_packets > 0);
    CU_ASSERT_EQUAL(xi[i].tx_errors, 0);
  }
  CU_ASSERT_NOT_EQUAL(xi[0].src_port, xi[1].src_port);
  CU_ASSERT_NOT_EQUAL(xi[0].tx_fd, xi[1].tx_fd);
  CU_ASSERT(xi[2].src_port == xi[0].src_port || xi[2].src_port == xi[1].src_port);
  CU_ASSERT(xi[2].tx_fd == xi[0].tx_fd || xi[2].tx_fd == xi[1].tx_fd);
  CU_ASSERT(yi[0].tx_fd != yi[1].tx_fd && yi[1].tx_fd != yi[2].tx_fd && yi[0].tx_fd != yi[2].tx_fd);
  /* a removed session gives its socket back: the next one takes it */
  CU_ASSERT_EQUAL(bfd_uv_peer_remove(x.a, xs[1]), 0);
  CU_ASSERT_EQUAL(x.errors + y.errors, 0);
  side_close(&x);
  side_close(&y);
}

/* A local address that is not ours fails the add in shared mode as it
 * does per session (at bind), not every send. */
static void test_shared_bad_local(void) {
  side x;
  bfd_uv_settings st = shared_settings(4);
  bfd_uv_peer_config c;
  side_new(&x, "X", &st);
  peer_cfg(&c, "192.0.2.1", "127.0.0.2", base_port);
  CU_ASSERT_EQUAL(bfd_uv_peer_add(x.a, NULL, &c, NULL), BFD_UV_ERR_ADDR_NOT_AVAIL);
  CU_ASSERT_EQUAL(bfd_uv_last_errno(x.a), EADDRNOTAVAIL);
  CU_ASSERT_EQUAL(x.errors, 1);
  CU_ASSERT_EQUAL(table_size(&x), 0);
  side_close(&x);
  /* per session: the same code, from the TX socket's bind */
  st = side_settings(0, 0);
  side_new(&x, "X", &st);
  CU_ASSERT_EQUAL(bfd_uv_peer_add(x.a, NULL, &c, NULL), BFD_UV_ERR_ADDR_NOT_AVAIL);
  CU_ASSERT_EQUAL(bfd_uv_last_errno(x.a), EADDRNOTAVAIL);
  /* a later success clears it */
  peer_cfg(&c, "127.0.0.1", "127.0.0.2", base_port);
  CU_ASSERT_EQUAL(bfd_uv_peer_add(x.a, NULL, &c, NULL), 0);
  CU_ASSERT_EQUAL(bfd_uv_last_errno(x.a), 0);
  side_close(&x);
}

/* An unknown family is BFD_ERR_CFG_KEY from every function that takes an
 * address. */
static void test_bad_family(void) {
  side x;
  bfd_uv_settings st = side_settings(0, 0);
  bfd_uv_peer_config c;
  bfd_uv_addr bad;
  bfd_session *s;
  char buf[64];
  side_new(&x, "X", &st);
  memset(&bad, 0, sizeof(bad));
  bad.family = 7;
  CU_ASSERT_EQUAL(bfd_uv_listen(x.a, BFD_MODE_SINGLE_HOP, &bad), BFD_ERR_CFG_KEY);
  CU_ASSERT_EQUAL(bfd_uv_addr_format(buf, sizeof(buf), &bad), BFD_ERR_CFG_KEY);
  peer_cfg(&c, "127.0.0.1", "127.0.0.2", base_port);
  c.peer = bad;
  CU_ASSERT_EQUAL(bfd_uv_peer_add(x.a, NULL, &c, NULL), BFD_ERR_CFG_KEY);
  peer_cfg(&c, "127.0.0.1", "127.0.0.2", base_port);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_add(x.a, &s, &c, NULL), 0);
  c.peer = bad;
  CU_ASSERT_EQUAL(bfd_uv_peer_update(x.a, s, &c), BFD_ERR_CFG_KEY);
  side_close(&x);
}

/* ---- past the fd limit --------------------------------------------------- */

/* With RLIMIT_NOFILE a few fds above what is open, a shared pool of 2
 * carries 200 sessions; one socket per session stops at the limit. */
static void add_many(side *x, int n, int *rc, int *added) {
  int i;
  *rc = 0;
  *added = 0;
  for (i = 0; i < n && *rc == 0; i++) {
    bfd_uv_peer_config c;
    char peer[32];
    snprintf(peer, sizeof(peer), "127.0.%d.%d", 10 + i / 200, 1 + i % 200);
    peer_cfg(&c, "127.0.0.1", peer, base_port);
    *rc = bfd_uv_peer_add(x->a, NULL, &c, NULL);
    *added += *rc == 0;
  }
}

static void test_past_fd_limit(void) {
  struct rlimit old, lim;
  side x, y;
  int rc, added;
  bfd_uv_settings st = shared_settings(2);
  CU_ASSERT_EQUAL_FATAL(getrlimit(RLIMIT_NOFILE, &old), 0);
  side_new(&y, "shared", &st);
  st = side_settings(0, 0);
  side_new(&x, "per-session", &st);
  lim = old;
  lim.rlim_cur = open_fds() + 8;
  CU_ASSERT_EQUAL_FATAL(setrlimit(RLIMIT_NOFILE, &lim), 0);
  add_many(&y, 200, &rc, &added);
  CU_ASSERT_EQUAL(rc, 0);
  CU_ASSERT_EQUAL(table_size(&y), 200);
  add_many(&x, 200, &rc, &added);
  CU_ASSERT_EQUAL(rc, BFD_UV_ERR_FD_LIMIT);
  CU_ASSERT_EQUAL(bfd_uv_last_errno(x.a), EMFILE);
  CU_ASSERT_EQUAL(x.errors, 1);
  CU_ASSERT(added >= 1 && added <= 8);
  printf("  shared: %zu sessions on 2 sockets; per session: %d at the limit\n", table_size(&y),
         added);
  CU_ASSERT_EQUAL(setrlimit(RLIMIT_NOFILE, &old), 0);
  side_close(&x);
  side_close(&y);
}

/* ---- per-address listeners ---------------------------------------------- */

/* 2000 per-address listeners (found by hash, not a list walk); each again
 * is a no-op; a session on one of them comes Up. */
static void test_many_listeners(void) {
  side x, y;
  bfd_uv_settings st = side_settings(0, 0);
  bfd_uv_stats us;
  uint64_t t0;
  double first_ms = 0, again_ms = 0;
  int pass, i;
  n_up c;
  bfd_uv_peer_config pc;
  side_new(&x, "X", &st);
  for (pass = 0; pass < 2; pass++) {
    t0 = uv_hrtime();
    for (i = 0; i < 2000; i++) {
      bfd_uv_addr la;
      char a[32];
      snprintf(a, sizeof(a), "127.1.%d.%d", i / 250, 1 + i % 250);
      CU_ASSERT_EQUAL_FATAL(bfd_uv_addr_parse(&la, a), 0);
      CU_ASSERT_EQUAL_FATAL(bfd_uv_listen(x.a, BFD_MODE_SINGLE_HOP, &la), 0);
    }
    if (pass == 0)
      first_ms = (double)(uv_hrtime() - t0) / 1e6;
    else
      again_ms = (double)(uv_hrtime() - t0) / 1e6;
  }
  us = stats_of(&x);
  printf("  2000 listeners in %.1f ms, the same 2000 again (no-ops) in %.2f ms\n", first_ms,
         again_ms);
  CU_ASSERT_EQUAL(us.listeners, 2000);
  side_open(&y, "Y", "127.0.0.2", 0, 0);
  peer_cfg(&pc, "127.1.7.250", "127.0.0.2", base_port);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_add(x.a, &x.s, &pc, &x), 0);
  peer_cfg(&pc, "127.0.0.2", "127.1.7.250", base_port);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_add(y.a, &y.s, &pc, &y), 0);
  c.x = &x;
  c.n = 1;
  CU_ASSERT(run_until(all_up, &c, 5000));
  /* a long wake-up asks the catch-up's epoll set which of the 2000 have
   * data (Y shares the blocked loop: none) instead of reading each */
  us = stats_of(&x);
  uv_sleep(150);
  run_for(30);
  CU_ASSERT(stats_of(&x).catch_ups > us.catch_ups);
  CU_ASSERT_EQUAL(x.state, BFD_STATE_UP);
  side_close(&y);
  side_close(&x);
}

/* ---- kernel drops ------------------------------------------------------- */

typedef struct rx_seen {
  const side *x;
  uint64_t n;
} rx_seen;

static int rx_read(void *ctx) {
  rx_seen *r = ctx;
  bfd_uv_stats st = stats_of(r->x);
  return st.rx_packets + st.rx_kernel_drops >= r->n;
}

/* `n` datagrams while the loop does not run, then one more once it has
 * read them (it carries the final drop count): every datagram is read or
 * counted as a kernel drop, and the drops reach the table as
 * BFD_LOAD_RX_DROPS. Returns the drops. */
static uint64_t burst(uint32_t rcvbuf, unsigned n) {
  side x;
  wire w;
  rx_seen r;
  bfd_uv_stats st;
  bfd_uv_settings set = side_settings(0, 0);
  bfd_ctrl_pkt pkt = ctrl(BFD_STATE_DOWN, 0x5eed, 3, 1000000, 1000000);
  unsigned i;
  set.rx_rcvbuf = rcvbuf;
  side_new(&x, "X", &set);
  side_listen(&x, BFD_MODE_SINGLE_HOP, "127.0.0.1");
  wire_open(&w, "W", "127.0.0.3", (uint16_t)(base_port + 1));
  for (i = 0; i < n; i++)
    wire_send(&w, "127.0.0.1", base_port, &pkt);
  run_for(50);
  wire_send(&w, "127.0.0.1", base_port, &pkt);
  r.x = &x;
  r.n = n + 1;
  CU_ASSERT(run_until(rx_read, &r, 2000));
  st = stats_of(&x);
  CU_ASSERT_EQUAL(st.rx_packets + st.rx_kernel_drops, n + 1);
  CU_ASSERT_EQUAL(tstats_of(&x).load_rx_drops, st.rx_kernel_drops);
  printf("  rx_rcvbuf %u: %u sent, %llu read, %llu dropped by the kernel\n", (unsigned)rcvbuf,
         n + 1, (unsigned long long)st.rx_packets, (unsigned long long)st.rx_kernel_drops);
  wire_close(&w);
  side_close(&x);
  return st.rx_kernel_drops;
}

/* A small rx_rcvbuf drops most of a burst the default buffer holds. */
static void test_kernel_drops(void) {
  CU_ASSERT_EQUAL(burst(0, 60), 0);
  CU_ASSERT(burst(2048, 60) >= 30);
}

/* ---- the receive buffer -------------------------------------------------- */

static uint32_t rcvbuf_of(int fd) {
  int v = -1;
  socklen_t len = sizeof(v);
  CU_ASSERT_EQUAL(getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len), 0);
  return (uint32_t)v;
}

/* The newest listener's fd (the adapter's list starts with it). */
static int newest_fd(const side *x) { return x->a->listeners->fd; }

static uint64_t rcvbuf_applied(const side *x) { return stats_of(x).rx_rcvbuf_applied; }

/* A value set on `fd` behind the adapter's back: still there later, the
 * adapter made no setsockopt call on it in between. */
#define MARK 4096
static void mark(int fd) {
  int v = MARK;
  CU_ASSERT_EQUAL(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)), 0);
}
static int marked(int fd) { return rcvbuf_of(fd) == 2 * MARK; }

/* What the kernel has for `ask`: twice it, with CAP_NET_ADMIN
 * (SO_RCVBUFFORCE); without, capped at net.core.rmem_max first. */
static void check_kernel(int fd, uint64_t ask) {
  unsigned long mx = 0;
  uint64_t rb = rcvbuf_of(fd);
  FILE *f = fopen("/proc/sys/net/core/rmem_max", "r");
  if (f) {
    if (fscanf(f, "%lu", &mx) != 1)
      mx = 0;
    fclose(f);
  }
  if (rb != 2 * ask)
    printf("  asked %llu, the kernel has %llu (rmem_max %lu)\n", (unsigned long long)ask,
           (unsigned long long)rb, mx);
  CU_ASSERT(rb == 2 * ask || (mx < ask && rb == 2 * mx));
}

/* The rule bfd_uv.h states, for the expected values: the buffer (as the
 * kernel counts it) for 250 ms of `mpps` at 1024 bytes a datagram, capped
 * at 64 MiB, replaces what the listeners have (the kernel's default `dflt`
 * until asked, then twice `*ask`) when it is 25 % above it, or the cap.
 * 1 if it grows. */
static int rule(uint64_t *ask, uint32_t dflt, uint64_t mpps) {
  const uint64_t cap = 64u << 20;
  uint64_t want = mpps * 250 * 1024 / 1000000, have = *ask ? 2 * *ask : dflt;
  if (want > cap)
    want = cap;
  if (want <= have || (want - have < have / 4 && want < cap))
    return 0;
  *ask = (want + 1) / 2;
  return 1;
}

/* A peer on 127.0.x.y that never answers, with Required Min RX `rx_us`
 * (shared TX sockets: no fd each). */
static bfd_session *add_rx(side *x, int i, uint32_t rx_us) {
  bfd_uv_peer_config c;
  bfd_session *s = NULL;
  char peer[32];
  snprintf(peer, sizeof(peer), "127.0.%d.%d", 20 + i / 200, 1 + i % 200);
  peer_cfg(&c, "127.0.0.1", peer, base_port);
  c.session.required_min_rx_us = rx_us;
  CU_ASSERT_EQUAL(bfd_uv_peer_add(x->a, &s, &c, NULL), 0);
  return s;
}

static int update_rx(side *x, bfd_session *s, uint32_t rx_us) {
  bfd_uv_peer_config c;
  bfd_session_key k;
  char peer[64];
  bfd_uv_addr pa;
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_key(s, &k), 0);
  memset(&pa, 0, sizeof(pa));
  pa.family = BFD_AF_INET;
  memcpy(pa.addr, k.peer, 4);
  bfd_uv_addr_format(peer, sizeof(peer), &pa);
  peer_cfg(&c, "127.0.0.1", peer, base_port);
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_settings(s, &c.session), 0);
  c.session.required_min_rx_us = rx_us;
  return bfd_uv_peer_update(x->a, s, &c);
}

/* rx_rcvbuf 0 (auto): the listeners' buffer follows the sessions'
 * receive rate by the rule above, exactly, on every listener (one opened
 * later too), in steps (no setsockopt for an add below one), up to the
 * cap; an update changes a session's share (a refused one does not);
 * removals never shrink it. */
static void test_rcvbuf_auto(void) {
  side x;
  bfd_uv_settings st = shared_settings(4);
  bfd_session *s[600];
  uint64_t ask = 0, mpps = 0;
  uint32_t dflt;
  int fd, n = 0, grows = 0, i;
  side_new(&x, "X", &st);
  side_listen(&x, BFD_MODE_SINGLE_HOP, "127.0.0.1");
  fd = newest_fd(&x);
  dflt = rcvbuf_of(fd);
  CU_ASSERT_EQUAL(rcvbuf_applied(&x), 0); /* the kernel's default, untouched */
  CU_ASSERT_EQUAL(dflt, x.a->rcvbuf_dflt);
  mark(fd);
  /* 10 ms sessions, 100 datagrams/s each: 25,600 bytes of buffer; until
   * the second step (at the default 212,992: 11 and 14 sessions) */
  while (grows < 2 && n < 600) {
    s[n] = add_rx(&x, n, 10000);
    n++;
    mpps += 100000;
    CU_ASSERT_EQUAL(x.a->rx_mpps, mpps);
    if (rule(&ask, dflt, mpps)) {
      grows++;
      CU_ASSERT_EQUAL(ask, (uint64_t)n * 12800); /* the kernel has n x 25,600 */
      check_kernel(fd, ask);
      printf("  %d sessions at 10 ms: asked %llu\n", n, (unsigned long long)ask);
      mark(fd);
    } else {
      CU_ASSERT(marked(fd)); /* below a step: no setsockopt */
    }
    CU_ASSERT_EQUAL(rcvbuf_applied(&x), ask);
  }
  CU_ASSERT_EQUAL_FATAL(grows, 2);
  /* one session at 5 us (200,000 datagrams/s: the 51.2 MB of 2000
   * sessions at 10 ms); a refused update changes nothing */
  CU_ASSERT_EQUAL(update_rx(&x, s[0], 0), BFD_ERR_CFG_MIN_RX);
  CU_ASSERT_EQUAL(x.a->rx_mpps, mpps);
  CU_ASSERT_EQUAL(update_rx(&x, s[0], 5), 0);
  mpps += 200000000 - 100000;
  CU_ASSERT_EQUAL(x.a->rx_mpps, mpps);
  CU_ASSERT_EQUAL(rule(&ask, dflt, mpps), 1);
  CU_ASSERT_EQUAL(ask, ((uint64_t)(n - 1) * 25600 + 51200000) / 2);
  CU_ASSERT_EQUAL(rcvbuf_applied(&x), ask);
  check_kernel(fd, ask);
  /* a listener opened now gets it at once */
  side_listen(&x, BFD_MODE_SINGLE_HOP, "127.0.0.6");
  check_kernel(newest_fd(&x), ask);
  CU_ASSERT_EQUAL(rcvbuf_applied(&x), ask);
  /* one at 1 us: past the cap, 64 MiB (32 MiB asked) on both */
  CU_ASSERT_EQUAL(update_rx(&x, s[1], 1), 0);
  mpps += 1000000000 - 100000;
  CU_ASSERT_EQUAL(rule(&ask, dflt, mpps), 1);
  CU_ASSERT_EQUAL(ask, 32u << 20);
  CU_ASSERT_EQUAL(rcvbuf_applied(&x), 32u << 20);
  check_kernel(fd, ask);
  check_kernel(newest_fd(&x), ask);
  mark(fd);
  CU_ASSERT_EQUAL(update_rx(&x, s[2], 1), 0); /* at the cap: nothing more */
  mpps += 1000000000 - 100000;
  CU_ASSERT(marked(fd));
  /* removals: the rate goes down (once the goodbye is over: at once, the
   * peers never answered), the buffer stays */
  for (i = 0; i < 3; i++)
    CU_ASSERT_EQUAL(bfd_uv_peer_remove(x.a, s[i]), 0);
  run_for(50);
  CU_ASSERT_EQUAL(table_size(&x), (size_t)n - 3);
  CU_ASSERT_EQUAL(x.a->rx_mpps, (uint64_t)(n - 3) * 100000);
  CU_ASSERT_EQUAL(rcvbuf_applied(&x), 32u << 20);
  CU_ASSERT(marked(fd));
  CU_ASSERT_EQUAL(x.errors, 0);
  side_close(&x);
}

/* An explicit rx_rcvbuf is set at open and never changed: not by adds,
 * updates or faster sessions. */
static void test_rcvbuf_fixed(void) {
  side x;
  bfd_uv_settings st = shared_settings(4);
  bfd_session *s = NULL;
  int fd, i;
  st.rx_rcvbuf = 100000;
  side_new(&x, "X", &st);
  CU_ASSERT_EQUAL(rcvbuf_applied(&x), 0); /* no listener: nothing asked yet */
  side_listen(&x, BFD_MODE_SINGLE_HOP, "127.0.0.1");
  fd = newest_fd(&x);
  CU_ASSERT_EQUAL(rcvbuf_of(fd), 200000);
  CU_ASSERT_EQUAL(rcvbuf_applied(&x), 100000);
  mark(fd);
  for (i = 0; i < 50; i++)
    s = add_rx(&x, i, 1000);
  CU_ASSERT_EQUAL(update_rx(&x, s, 1), 0);
  CU_ASSERT(marked(fd));
  side_listen(&x, BFD_MODE_SINGLE_HOP, "127.0.0.6");
  CU_ASSERT_EQUAL(rcvbuf_of(newest_fd(&x)), 200000);
  CU_ASSERT_EQUAL(rcvbuf_applied(&x), 100000);
  CU_ASSERT_EQUAL(x.errors, 0);
  side_close(&x);
}

static int created(void *ctx) { return ((side *)ctx)->n_created > 0; }

/* A responder session counts with its template's Required Min RX, from
 * its creation to its reaping. */
static void test_rcvbuf_responder(void) {
  side y;
  wire w;
  bfd_uv_settings st = side_settings(1, 0);
  bfd_ctrl_pkt p = ctrl(BFD_STATE_DOWN, 0x5eed0010u, 3, 1000000, 1000000);
  uint64_t ask = 0;
  uint32_t dflt;
  st.auto_required_min_rx_us = 5; /* 200,000 datagrams/s: 51.2 MB */
  side_new(&y, "responder", &st);
  side_listen(&y, BFD_MODE_SINGLE_HOP, "127.0.0.2");
  dflt = rcvbuf_of(newest_fd(&y));
  wire_open(&w, "W", "127.0.0.3", (uint16_t)(base_port + 1));
  wire_send(&w, "127.0.0.2", base_port, &p);
  CU_ASSERT_FATAL(run_until(created, &y, 2000));
  CU_ASSERT_EQUAL(y.a->rx_mpps, 200000000);
  CU_ASSERT_EQUAL(rule(&ask, dflt, 200000000), 1);
  CU_ASSERT_EQUAL(ask, 25600000);
  CU_ASSERT_EQUAL(rcvbuf_applied(&y), 25600000);
  check_kernel(newest_fd(&y), ask);
  /* never Up: reaped after the hold, 3 x 1 s */
  CU_ASSERT(run_until(table_empty, &y, 5000));
  CU_ASSERT_EQUAL(y.n_deleted, 1);
  CU_ASSERT_EQUAL(y.a->rx_mpps, 0);
  CU_ASSERT_EQUAL(rcvbuf_applied(&y), 25600000);
  wire_close(&w);
  side_close(&y);
}

/* ---- read before timeouts ----------------------------------------------- */

/* The peer runs on its own loop in a thread, so it keeps sending while
 * the test blocks X's loop. */
typedef struct far_peer {
  uv_loop_t loop;
  uv_async_t stop;
  bfd_uv *a;
  uv_thread_t thread;
} far_peer;

static void far_stop_cb(uv_async_t *h) {
  far_peer *f = h->data;
  bfd_uv_del(f->a, NULL);
  uv_close((uv_handle_t *)&f->stop, NULL);
}

static void far_run(void *arg) {
  far_peer *f = arg;
  uv_run(&f->loop, UV_RUN_DEFAULT);
}

/* 127.0.0.2 -> 127.0.0.1, sending every 20 ms, asking X for 2 s: X's
 * Detection Time of it is 60 ms, its Detection Time of X 6 s. */
static void far_start(far_peer *f) {
  bfd_uv_settings st = side_settings(0, 0);
  bfd_uv_peer_config c;
  bfd_uv_addr la;
  CU_ASSERT_EQUAL_FATAL(uv_loop_init(&f->loop), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_uv_new(&f->a, &f->loop, &st, NULL, NULL, NULL, NULL), 0);
  bfd_uv_addr_parse(&la, "127.0.0.2");
  CU_ASSERT_EQUAL_FATAL(bfd_uv_listen(f->a, BFD_MODE_SINGLE_HOP, &la), 0);
  peer_cfg(&c, "127.0.0.2", "127.0.0.1", base_port);
  c.session.desired_min_tx_us = 20000;
  c.session.required_min_rx_us = 2000000;
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_add(f->a, NULL, &c, NULL), 0);
  uv_async_init(&f->loop, &f->stop, far_stop_cb);
  f->stop.data = f;
  CU_ASSERT_EQUAL_FATAL(uv_thread_create(&f->thread, far_run, f), 0);
}

static void far_end(far_peer *f) {
  uv_async_send(&f->stop);
  uv_thread_join(&f->thread);
  CU_ASSERT_EQUAL(uv_loop_close(&f->loop), 0);
}

static int detect_60ms(void *ctx) {
  side *x = ctx;
  bfd_session_status st;
  memset(&st, 0, sizeof(st));
  st.struct_version = BFD_SESSION_STATUS_VERSION;
  return x->state == BFD_STATE_UP && bfd_session_get_status(x->s, &st) == 0 &&
         st.detect_time_ns == 60 * BFD_MILLISECONDS;
}

/* X's loop blocked for 400 ms (more than six Detection Times) while the
 * peer keeps sending: its packets wait in X's listener. libuv runs the
 * late timer before polling; the adapter reads the listener first, so the
 * session stays Up (it went Down with Detection Time Expired before). */
static void test_late_wakeup(void) {
  far_peer f;
  side x;
  bfd_uv_peer_config c;
  bfd_uv_stats st;
  int round;
  side_open(&x, "X", "127.0.0.1", 0, 0);
  peer_cfg(&c, "127.0.0.1", "127.0.0.2", base_port);
  c.session.desired_min_tx_us = 20000;
  c.session.required_min_rx_us = 20000;
  CU_ASSERT_EQUAL_FATAL(bfd_uv_peer_add(x.a, &x.s, &c, &x), 0);
  far_start(&f);
  CU_ASSERT_FATAL(run_until(detect_60ms, &x, 6000));
  for (round = 0; round < 3; round++) {
    uv_sleep(400); /* the loop is blocked: nothing reads, the timer is overdue */
    run_for(100);
    CU_ASSERT_EQUAL(x.state, BFD_STATE_UP);
  }
  st = stats_of(&x);
  printf("  catch-ups %llu, datagrams read by them %llu, timer fires late %llu\n",
         (unsigned long long)st.catch_ups, (unsigned long long)st.rx_catch_up,
         (unsigned long long)st.timer_late);
  CU_ASSERT(st.catch_ups >= 3);
  CU_ASSERT(st.rx_catch_up >= 3 * 10); /* ~20 a block */
  /* lateness by wake-up: 3 fires ~300-400 ms late (bucket 256-512 ms) */
  {
    uint64_t sum = 0;
    unsigned i;
    for (i = 0; i < BFD_UV_LATE_BUCKETS; i++)
      sum += st.timer_late_hist[i];
    printf("  timer fires %llu, 256-512 ms late %llu, max %.1f ms; late fires served %llu "
           "deadlines (at most %llu in one)\n",
           (unsigned long long)st.timer_fires, (unsigned long long)st.timer_late_hist[9],
           (double)st.timer_late_max_ns / 1e6, (unsigned long long)st.late_served,
           (unsigned long long)st.late_served_max);
    CU_ASSERT_EQUAL(sum, st.timer_fires);
    CU_ASSERT(st.timer_late_hist[9] >= 1);
    CU_ASSERT(st.timer_late_max_ns >= 250 * BFD_MILLISECONDS);
    /* the catch-up refreshed the session: those fires found nothing due */
    CU_ASSERT(st.late_served_max <= st.late_served);
  }
  CU_ASSERT_EQUAL(x.nh_down_failure, 0);
  side_close(&x);
  far_end(&f);
}

/* ---- the governor -------------------------------------------------------- */

static void stall_cb(uv_timer_t *t) {
  (void)t;
  uv_sleep(12); /* every loop iteration: deadlines served ~12 ms late */
}

/* The host turns the governor on through the adapter; a loop that serves
 * deadlines late slows X's session (scale above 1000) without a flap;
 * off sets the scale back at once. */
static void test_governor(void) {
  side x, y;
  bfd_governor_settings gs;
  bfd_table_stats ts;
  uv_timer_t stall;
  int i;
  CU_ASSERT_EQUAL(bfd_uv_set_governor(NULL, NULL), BFD_ERR_INVALID_ARGUMENT);
  up_pair(&x, &y, NULL);
  /* 30 more sessions (peers that never answer, 1 s apart): enough
   * services in a window for the governor to judge the host by */
  for (i = 0; i < 30; i++) {
    bfd_uv_peer_config c;
    char peer[32];
    snprintf(peer, sizeof(peer), "127.0.11.%d", i + 1);
    peer_cfg(&c, "127.0.0.1", peer, base_port);
    CU_ASSERT_EQUAL(bfd_uv_peer_add(x.a, NULL, &c, NULL), 0);
  }
  CU_ASSERT_EQUAL(bfd_governor_settings_init(BFD_GOVERNOR_SETTINGS_VERSION, &gs), 0);
  gs.window_ms = 500;
  gs.late_us = 4000;
  gs.late_permille = 100;
  gs.max_scale_permille = 0; /* out of range */
  CU_ASSERT_EQUAL(bfd_uv_set_governor(x.a, &gs), BFD_ERR_CFG_GOVERNOR);
  gs.struct_version = 99;
  CU_ASSERT_EQUAL(bfd_uv_set_governor(x.a, &gs), BFD_ERR_VERSION);
  gs.struct_version = BFD_GOVERNOR_SETTINGS_VERSION;
  gs.max_scale_permille = 4000;
  CU_ASSERT_EQUAL(bfd_uv_set_governor(x.a, &gs), 0);
  uv_timer_init(&loop, &stall);
  uv_timer_start(&stall, stall_cb, 1, 1);
  run_for(2500);
  uv_timer_stop(&stall);
  uv_close((uv_handle_t *)&stall, NULL);
  ts = tstats_of(&x);
  printf("  governor: %llu raises, scale %u permille, services %llu\n",
         (unsigned long long)ts.governor_raises, (unsigned)ts.governor_scale_permille,
         (unsigned long long)ts.services);
  CU_ASSERT(ts.governor_raises > 0);
  CU_ASSERT(ts.governor_scale_permille > 1000);
  {
    bfd_uv_stats st = stats_of(&x);
    printf(
        "  late fires %llu of %llu served %llu deadlines, at most %llu in one, max %.1f ms late\n",
        (unsigned long long)st.timer_late, (unsigned long long)st.timer_fires,
        (unsigned long long)st.late_served, (unsigned long long)st.late_served_max,
        (double)st.timer_late_max_ns / 1e6);
    CU_ASSERT(st.timer_late > 0);
    CU_ASSERT(st.late_served > 0);
    CU_ASSERT(st.late_served_max >= 1 && st.late_served_max <= st.late_served);
    CU_ASSERT(st.timer_late_max_ns >= 4 * BFD_MILLISECONDS);
  }
  CU_ASSERT_EQUAL(x.state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(x.nh_down_failure + y.nh_down_failure, 0);
  CU_ASSERT_EQUAL(bfd_uv_set_governor(x.a, NULL), 0); /* off */
  CU_ASSERT_EQUAL(tstats_of(&x).governor_scale_permille, 1000);
  run_for(300);
  CU_ASSERT_EQUAL(x.state, BFD_STATE_UP);
  side_close(&x);
  side_close(&y);
}

int main(void) {
  CU_TestInfo tests[] = {{"shared_tx", test_shared_tx},
                         {"shared_bad_local", test_shared_bad_local},
                         {"bad_family", test_bad_family},
                         {"past_fd_limit", test_past_fd_limit},
                         {"many_listeners", test_many_listeners},
                         {"kernel_drops", test_kernel_drops},
                         {"rcvbuf_auto", test_rcvbuf_auto},
                         {"rcvbuf_fixed", test_rcvbuf_fixed},
                         {"rcvbuf_responder", test_rcvbuf_responder},
                         {"late_wakeup", test_late_wakeup},
                         {"governor", test_governor},
                         CU_TEST_INFO_NULL};
  return fx_run_suite("uv_scale", tests);
}
