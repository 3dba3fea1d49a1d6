/* One side of a bfdkit-uv network scenario, run inside a namespace by
 * test/uv/netns_test.sh.
 *
 *   bfd_uv_nettest [options] --peer SPEC [--peer SPEC ...]
 *   SPEC = PEER[,local=ADDR][,if=IFNAME][,multi][,passive][,minttl=N]
 *   --many PEER LOCAL N   N peers; the address ending in '+' counts up
 *                         (last octet / last 16 bits)
 *   --tx-us N --mult N    timers for every peer (default 100000, 3)
 *   --listen ADDR         listener on ADDR (single-hop and multihop);
 *                         default: wildcard listeners opened on demand
 *   --expect-up N         succeed once N sessions are Up (prints UP line)
 *   --expect-no-up        succeed if nothing came Up by --run-ms
 *   --run-ms MS           total run time limit (default 10000)
 *   --hold-ms MS          after expect-up, keep running MS and require no
 *                         session to fail (prints CPU used while holding);
 *                         at the end every peer is removed (AdminDown)
 *   --check-ports         TX source ports in 49152-65535 and distinct
 *                         (with --tx-shared: as many distinct ports as the
 *                         pool may have, min(N, sessions of one family))
 *   --tx-shared N         BFD_UV_TX_SHARED with tx_ports N (default: one
 *                         TX socket per session)
 *
 * Output lines the script checks: READY (listeners open: packets sent from
 * now on are received), UP, HOLD, PORTS, STATS, EVENT. */
#include <bfd/bfd_uv.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#define MAX_PEERS 4096

static uv_loop_t loop;
static uv_timer_t deadline_timer, hold_timer;
static bfd_uv *adapter;
static bfd_session *sessions[MAX_PEERS];
static int n_peers, n_up, expect_up = -1, expect_no_up, check_ports;
static int went_down_after_up, failed, quiet, tx_shared;
static uint64_t t_start, run_ms = 10000, hold_ms;
static uint32_t tx_us = 100000;
static uint8_t mult = 3;

static double ms_since(uint64_t t) { return (double)(uv_hrtime() - t) / 1e6; }

static double cpu_ms(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec * 1e3 + (double)ru.ru_utime.tv_usec / 1e3 +
         (double)ru.ru_stime.tv_sec * 1e3 + (double)ru.ru_stime.tv_usec / 1e3;
}
static double cpu_at_hold;
static uint64_t t_hold;

static void finish(void) {
  bfd_uv_stats st;
  int i;
  st.struct_version = BFD_UV_STATS_VERSION;
  bfd_uv_get_stats(adapter, &st);
  printf("STATS sessions=%llu up=%d rx=%llu accepted=%llu ttl_dropped=%llu "
         "dropped=%llu rx_errors=%llu tx=%llu tx_errors=%llu timer_fires=%llu "
         "timer_late=%llu auto=%llu kernel_drops=%llu tx_blocked=%llu tx_sockets=%llu\n",
         (unsigned long long)st.sessions, n_up, (unsigned long long)st.rx_packets,
         (unsigned long long)st.rx_accepted, (unsigned long long)st.rx_ttl_dropped,
         (unsigned long long)st.rx_dropped, (unsigned long long)st.rx_errors,
         (unsigned long long)st.tx_packets, (unsigned long long)st.tx_errors,
         (unsigned long long)st.timer_fires, (unsigned long long)st.timer_late,
         (unsigned long long)st.auto_sessions, (unsigned long long)st.rx_kernel_drops,
         (unsigned long long)st.tx_blocked, (unsigned long long)st.tx_sockets);
  /* Leave politely: AdminDown to every peer, so the other side's hold
   * period sees a removal, not a failure. */
  for (i = 0; i < n_peers; i++)
    if (sessions[i] && bfd_uv_peer_remove(adapter, sessions[i]) != 0)
      failed = 1;
  fflush(stdout);
  uv_stop(&loop);
}

static void hold_cb(uv_timer_t *t) {
  double wall = ms_since(t_hold), cpu = cpu_ms() - cpu_at_hold;
  (void)t;
  printf("HOLD ms=%.0f up=%d flaps=%d cpu_ms=%.1f cpu_pct=%.2f\n", wall, n_up, went_down_after_up,
         cpu, 100.0 * cpu / wall);
  if (went_down_after_up)
    failed = 1;
  finish();
}

static void deadline_cb(uv_timer_t *t) {
  (void)t;
  if (expect_no_up) {
    if (n_up)
      failed = 1;
  } else {
    printf("TIMEOUT up=%d of %d after %.0f ms\n", n_up, expect_up, ms_since(t_start));
    failed = 1;
  }
  finish();
}

static void do_check_ports(void) {
  int i, j, bad = 0, dups = 0;
  unsigned lo = 65535, hi = 0;
  static uint16_t ports[MAX_PEERS];
  for (i = 0; i < n_peers; i++) {
    bfd_uv_peer_info info;
    struct sockaddr_storage ss;
    socklen_t l = sizeof(ss);
    unsigned p;
    info.struct_version = BFD_UV_PEER_INFO_VERSION;
    bfd_uv_peer_get_info(sessions[i], &info);
    /* ask the kernel, not the adapter */
    if (getsockname(info.tx_fd, (struct sockaddr *)&ss, &l) != 0) {
      bad++;
      continue;
    }
    p = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                      : ((struct sockaddr_in6 *)&ss)->sin6_port);
    if (p < BFD_SRC_PORT_MIN || p > BFD_SRC_PORT_MAX || p != info.src_port)
      bad++;
    for (j = 0; j < i; j++)
      if (ports[j] == p)
        break;
    if (j < i)
      dups++;
    ports[i] = (uint16_t)p;
    if (p < lo)
      lo = p;
    if (p > hi)
      hi = p;
  }
  /* Unique ports; in a shared pool, unique while it had room (one family) */
  if (!tx_shared)
    bad += dups;
  else if (n_peers - dups != (n_peers < tx_shared ? n_peers : tx_shared))
    bad++;
  printf("PORTS n=%d min=%u max=%u distinct=%d bad=%d\n", n_peers, lo, hi, n_peers - dups, bad);
  if (bad)
    failed = 1;
}

static int on_state(bfd_session *s, const bfd_state_event *ev, void *ud) {
  (void)ud;
  if (!quiet)
    printf("EVENT discr=%u %s -> %s diag=%s remote=%s/%s\n", bfd_session_get_local_discr(s),
           bfd_state_name(ev->old_state), bfd_state_name(ev->new_state),
           bfd_diag_name(ev->local_diag), bfd_state_name(ev->remote_state),
           bfd_diag_name(ev->remote_diag));
  if (ev->new_state == BFD_STATE_UP)
    n_up++;
  else if (ev->old_state == BFD_STATE_UP) {
    n_up--;
    /* The other side leaving with AdminDown at its end of the run is not a
     * flap (RFC 5882 §3.2); anything else is. */
    if (t_hold && ev->remote_state != BFD_STATE_ADMIN_DOWN)
      went_down_after_up++;
  }
  if (expect_up > 0 && n_up == expect_up && !t_hold) {
    printf("UP n=%d ms=%.1f\n", n_up, ms_since(t_start));
    if (check_ports)
      do_check_ports();
    fflush(stdout);
    t_hold = uv_hrtime();
    cpu_at_hold = cpu_ms();
    uv_timer_stop(&deadline_timer);
    uv_timer_start(&hold_timer, hold_cb, hold_ms, 0);
  }
  return 0;
}

static void on_error(bfd_uv *a, int code, int err, const char *msg, void *ud) {
  (void)a;
  (void)code;
  (void)err;
  (void)ud;
  printf("ERROR %s\n", msg);
}

static void die(const char *msg) {
  fprintf(stderr, "bfd_uv_nettest: %s\n", msg);
  exit(2);
}

static void add(bfd_uv_peer_config *c) {
  int rc;
  if (n_peers >= MAX_PEERS)
    die("too many peers");
  c->session.desired_min_tx_us = tx_us;
  c->session.required_min_rx_us = tx_us;
  c->session.detect_mult = mult;
  rc = bfd_uv_peer_add(adapter, &sessions[n_peers], c, NULL);
  if (rc < 0) {
    fprintf(stderr, "peer_add: %s\n", bfd_strerror(rc));
    exit(1);
  }
  n_peers++;
}

static void parse_addr(bfd_uv_addr *a, const char *s) {
  if (bfd_uv_addr_parse(a, s) != 0) {
    fprintf(stderr, "bad address %s\n", s);
    exit(2);
  }
}

static void add_spec(char *spec) {
  bfd_uv_peer_config c;
  char *tok, *save = NULL;
  bfd_uv_peer_config_init(BFD_UV_PEER_CONFIG_VERSION, &c);
  tok = strtok_r(spec, ",", &save);
  parse_addr(&c.peer, tok);
  while ((tok = strtok_r(NULL, ",", &save))) {
    if (!strncmp(tok, "local=", 6))
      parse_addr(&c.local, tok + 6);
    else if (!strncmp(tok, "if=", 3))
      snprintf(c.ifname, sizeof(c.ifname), "%s", tok + 3);
    else if (!strcmp(tok, "multi"))
      c.session.mode = BFD_MODE_MULTIHOP;
    else if (!strcmp(tok, "passive"))
      c.session.passive = 1;
    else if (!strncmp(tok, "minttl=", 7))
      c.session.min_rx_ttl = (uint8_t)atoi(tok + 7);
    else
      die("bad peer option");
  }
  add(&c);
}

static void bump(bfd_uv_addr *a, int i) {
  size_t last = a->family == BFD_AF_INET ? 3 : 15;
  unsigned v = (unsigned)a->addr[last] + (unsigned)a->addr[last - 1] * 256u + (unsigned)i;
  a->addr[last] = (uint8_t)(v & 0xff);
  a->addr[last - 1] = (uint8_t)((v >> 8) & 0xff);
}

static void add_many(const char *peer, const char *local, int n) {
  char p[64], l[64];
  int pinc, linc, i;
  bfd_uv_addr pa, la;
  snprintf(p, sizeof(p), "%s", peer);
  snprintf(l, sizeof(l), "%s", local);
  pinc = p[strlen(p) - 1] == '+';
  linc = l[strlen(l) - 1] == '+';
  if (pinc)
    p[strlen(p) - 1] = '\0';
  if (linc)
    l[strlen(l) - 1] = '\0';
  parse_addr(&pa, p);
  parse_addr(&la, l);
  for (i = 0; i < n; i++) {
    bfd_uv_peer_config c;
    bfd_uv_peer_config_init(BFD_UV_PEER_CONFIG_VERSION, &c);
    c.peer = pa;
    c.local = la;
    if (pinc)
      bump(&c.peer, i);
    if (linc)
      bump(&c.local, i);
    add(&c);
  }
}

int main(int argc, char **argv) {
  bfd_callbacks cb;
  bfd_uv_callbacks ucb;
  bfd_uv_settings st;
  int i, rc;
  setvbuf(stdout, NULL, _IOLBF, 0);
  uv_loop_init(&loop);
  bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb);
  cb.state_change = on_state;
  bfd_uv_callbacks_init(BFD_UV_CALLBACKS_VERSION, &ucb);
  ucb.error = on_error;
  bfd_uv_settings_init(BFD_UV_SETTINGS_VERSION, &st);
  /* first pass: adapter-wide options */
  for (i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--tx-us") && i + 1 < argc)
      tx_us = (uint32_t)strtoul(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--mult") && i + 1 < argc)
      mult = (uint8_t)atoi(argv[++i]);
    else if (!strcmp(argv[i], "--expect-up") && i + 1 < argc)
      expect_up = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--expect-no-up"))
      expect_no_up = 1;
    else if (!strcmp(argv[i], "--run-ms") && i + 1 < argc)
      run_ms = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--hold-ms") && i + 1 < argc)
      hold_ms = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--check-ports"))
      check_ports = 1;
    else if (!strcmp(argv[i], "--quiet"))
      quiet = 1;
    else if (!strcmp(argv[i], "--tx-shared") && i + 1 < argc) {
      tx_shared = atoi(argv[++i]);
      st.tx_sockets = BFD_UV_TX_SHARED;
      st.tx_ports = (uint16_t)tx_shared;
    } else if (!strcmp(argv[i], "--listen"))
      st.auto_listen = 0, i++;
    else if (!strcmp(argv[i], "--peer"))
      i++;
    else if (!strcmp(argv[i], "--many"))
      i += 3;
    else
      die("usage: see the comment at the top of bfd_uv_nettest.c");
  }
  rc = bfd_uv_new(&adapter, &loop, &st, &cb, &ucb, NULL, NULL);
  if (rc < 0)
    die(bfd_strerror(rc));
  uv_timer_init(&loop, &deadline_timer);
  uv_timer_init(&loop, &hold_timer);
  t_start = uv_hrtime();
  for (i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--listen")) {
      bfd_uv_addr a;
      parse_addr(&a, argv[++i]);
      if (bfd_uv_listen(adapter, BFD_MODE_SINGLE_HOP, &a) < 0 ||
          bfd_uv_listen(adapter, BFD_MODE_MULTIHOP, &a) < 0)
        exit(1);
    } else if (!strcmp(argv[i], "--peer")) {
      add_spec(argv[++i]);
    } else if (!strcmp(argv[i], "--many")) {
      add_many(argv[i + 1], argv[i + 2], atoi(argv[i + 3]));
      i += 3;
    } else if (!strcmp(argv[i], "--tx-us") || !strcmp(argv[i], "--mult") ||
               !strcmp(argv[i], "--expect-up") || !strcmp(argv[i], "--run-ms") ||
               !strcmp(argv[i], "--hold-ms") || !strcmp(argv[i], "--tx-shared")) {
      i++;
    }
  }
  printf("READY\n");
  fflush(stdout);
  uv_timer_start(&deadline_timer, deadline_cb, run_ms, 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  bfd_uv_del(adapter, NULL);
  uv_close((uv_handle_t *)&deadline_timer, NULL);
  uv_close((uv_handle_t *)&hold_timer, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  if (uv_loop_close(&loop) != 0) {
    printf("LEAK open handles after bfd_uv_del\n");
    failed = 1;
  }
  return failed;
}
