/*
 * toy_rib: a toy routing table whose nexthops are guarded by BFD
 * (RFC 5882 §3, "nexthop shutdown"). Router R1 has routes via two
 * neighbors, N2 (10.0.0.2) and N3 (10.0.0.3). R1's sessions live in one
 * bfd_table, the neighbors' in another; the "wire" between them is a
 * function call, and time is a virtual clock, so the run is deterministic
 * and takes no real time.
 *
 * Script: the sessions come Up (nexthops usable); the link to N3 is cut
 * (Detection Time expires, N3's routes lose that nexthop); it is restored;
 * N2 is taken down administratively (AdminDown is not a failure, §3.2: the
 * nexthop stays usable); finally R1's table is deleted (the clearing events).
 * The RIB is printed after every nexthop event and checked at each step;
 * the exit code is 0 only if every check passed.
 *
 * Copyright (c) 2026 the bfdkit developers. MIT licensed, see LICENSE.
 */
#include <stdio.h>
#include <string.h>

#include <bfd/bfd.h>

#define NNH 2

typedef struct nexthop {
  const char *addr;
  int usable;
  bfd_session *r1_side, *nb_side;
} nexthop;

typedef struct route {
  const char *prefix;
  int nh[NNH]; /* 1 if the route uses nexthop i */
} route;

static nexthop nhs[NNH] = {{"10.0.0.2", 1, NULL, NULL}, {"10.0.0.3", 1, NULL, NULL}};
static const route rib[] = {
    {"192.0.2.0/24", {1, 1}},    /* ECMP via N2 and N3 */
    {"198.51.100.0/24", {0, 1}}, /* via N3 only */
    {"203.0.113.0/24", {1, 0}},  /* via N2 only */
};
#define NROUTES (sizeof rib / sizeof rib[0])

static uint64_t t0;
static int failures;
static int link_up[NNH] = {1, 1};

static void print_rib(void) {
  for (size_t r = 0; r < NROUTES; r++) {
    char via[64] = "";
    for (int i = 0; i < NNH; i++)
      if (rib[r].nh[i] && nhs[i].usable) {
        strcat(via, via[0] ? ", " : " via ");
        strcat(via, nhs[i].addr);
      }
    printf("    %-16s %s\n", rib[r].prefix, via[0] ? via : " unreachable");
  }
}

/* The RIB's side of the seam: mark the nexthop, print the table. */
static int on_nexthop(bfd_session *s, const bfd_nexthop_event *ev, void *ud) {
  static const char *causes[] = {"created", "up", "failure", "deleted", "admin"};
  nexthop *nh = bfd_session_get_user_data(s);
  (void)ud;
  nh->usable = ev->action == BFD_NEXTHOP_UP;
  printf("t=%6.3f  nexthop %s %s (cause %s, diag %s)\n", (double)(ev->ts - t0) / 1e9,
         nh->addr, nh->usable ? "UP" : "DOWN", causes[ev->cause < 5 ? ev->cause : 0],
         bfd_diag_name(ev->diag));
  print_rib();
  return 0;
}

static int on_state(bfd_session *s, const bfd_state_event *ev, void *ud) {
  nexthop *nh = bfd_session_get_user_data(s);
  (void)ud;
  printf("t=%6.3f  session to %s: %s -> %s (diag %s)\n", (double)(ev->ts - t0) / 1e9, nh->addr,
         bfd_state_name(ev->old_state), bfd_state_name(ev->new_state),
         bfd_diag_name(ev->local_diag));
  return 0;
}

/* Deterministic randomness: the same run every time. */
static void toy_rand(uint8_t *dest, size_t len, void *ud) {
  static uint32_t x = 2463534242u;
  (void)ud;
  for (size_t i = 0; i < len; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    dest[i] = (uint8_t)x;
  }
}

static void addr4(uint8_t out[16], const char *dotted) {
  unsigned a, b, c, d;
  memset(out, 0, 16);
  if (sscanf(dotted, "%u.%u.%u.%u", &a, &b, &c, &d) == 4) {
    out[0] = (uint8_t)a, out[1] = (uint8_t)b, out[2] = (uint8_t)c, out[3] = (uint8_t)d;
  }
}

/* Move every due packet from `from` to `to`, as the wire would (TTL 255,
 * addresses swapped so `to` can demultiplex by key). */
static void wire(bfd_table *from, bfd_table *to, int from_r1, uint64_t now) {
  uint8_t buf[BFD_CTRL_LEN_MAX];
  bfd_session *s;
  ptrdiff_t n;
  while ((n = bfd_table_poll_packet(from, &s, buf, sizeof buf, now)) > 0) {
    nexthop *nh = bfd_session_get_user_data(s);
    bfd_rx_info ri;
    if (!link_up[nh - nhs])
      continue; /* cut: the packet is lost */
    memset(&ri, 0, sizeof ri);
    ri.mode = BFD_MODE_SINGLE_HOP;
    ri.family = BFD_AF_INET;
    ri.ttl = BFD_TTL_MAX;
    ri.flags = BFD_RX_TTL | BFD_RX_PEER | BFD_RX_LOCAL;
    addr4(ri.peer, from_r1 ? "10.0.0.1" : nh->addr);
    addr4(ri.local, from_r1 ? nh->addr : "10.0.0.1");
    (void)bfd_table_feed_packet(to, buf, (size_t)n, &ri, now, NULL);
  }
}

static void run_until(bfd_table *r1, bfd_table *nb, uint64_t *now, uint64_t until) {
  for (;;) {
    wire(r1, nb, 1, *now);
    wire(nb, r1, 0, *now);
    uint64_t a = bfd_table_next_deadline(r1), b = bfd_table_next_deadline(nb);
    uint64_t next = a < b ? a : b;
    if (next > until)
      break;
    *now = next > *now ? next : *now;
    bfd_table_feed_time(r1, *now);
    bfd_table_feed_time(nb, *now);
  }
  *now = until;
  bfd_table_feed_time(r1, until);
  bfd_table_feed_time(nb, until);
}

static void expect(const char *what, int u2, int u3) {
  int ok = nhs[0].usable == u2 && nhs[1].usable == u3;
  printf("check: %-44s %s\n", what, ok ? "ok" : "FAILED");
  failures += !ok;
}

int main(void) {
  bfd_callbacks cb;
  bfd_table *r1, *nb;
  bfd_session_settings st;
  uint64_t now = t0 = 1000 * BFD_SECONDS; /* any monotonic origin */

  bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb);
  cb.rand = toy_rand;
  cb.nexthop = on_nexthop; /* R1 is the router whose RIB we print */
  cb.state_change = on_state;
  if (bfd_table_new(&r1, &cb, NULL, NULL) != 0)
    return 2;
  cb.nexthop = NULL;
  cb.state_change = NULL;
  if (bfd_table_new(&nb, &cb, NULL, NULL) != 0)
    return 2;

  bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &st);
  st.desired_min_tx_us = st.required_min_rx_us = 100000; /* 3 x 100 ms */
  printf("initial RIB (nexthops assumed usable):\n");
  print_rib();
  for (int i = 0; i < NNH; i++) {
    bfd_session_key k;
    memset(&k, 0, sizeof k);
    k.mode = BFD_MODE_SINGLE_HOP;
    k.family = BFD_AF_INET;
    addr4(k.local, "10.0.0.1");
    addr4(k.peer, nhs[i].addr);
    /* Default policy BFD_NHS_DOWN_UNTIL_UP: DOWN(created) right here. */
    if (bfd_table_add_session(r1, &nhs[i].r1_side, &st, &k, &nhs[i], now) != 0)
      return 2;
    addr4(k.local, nhs[i].addr);
    addr4(k.peer, "10.0.0.1");
    if (bfd_table_add_session(nb, &nhs[i].nb_side, &st, &k, &nhs[i], now) != 0)
      return 2;
  }
  expect("new sessions: nexthops not trusted yet", 0, 0);

  run_until(r1, nb, &now, t0 + 2 * BFD_SECONDS);
  expect("both sessions Up", 1, 1);

  printf("t=%6.3f  -- link to 10.0.0.3 cut --\n", (double)(now - t0) / 1e9);
  link_up[1] = 0;
  run_until(r1, nb, &now, t0 + 4 * BFD_SECONDS);
  expect("N3 failed (detection time)", 1, 0);

  printf("t=%6.3f  -- link to 10.0.0.3 restored --\n", (double)(now - t0) / 1e9);
  link_up[1] = 1;
  run_until(r1, nb, &now, t0 + 8 * BFD_SECONDS);
  expect("N3 back Up", 1, 1);

  printf("t=%6.3f  -- 10.0.0.2 set AdminDown by its operator --\n", (double)(now - t0) / 1e9);
  bfd_session_set_admin_down(nhs[0].nb_side, 1, now);
  run_until(r1, nb, &now, t0 + 10 * BFD_SECONDS);
  expect("remote AdminDown is not a failure", 1, 1);
  if (bfd_session_get_state(nhs[0].r1_side) != BFD_STATE_DOWN) {
    printf("check: R1's session to 10.0.0.2 is Down          FAILED\n");
    failures++;
  }

  printf("t=%6.3f  -- link to 10.0.0.3 cut again, then R1 deletes everything --\n",
         (double)(now - t0) / 1e9);
  link_up[1] = 0;
  run_until(r1, nb, &now, t0 + 12 * BFD_SECONDS);
  expect("N3 failed again", 1, 0);
  bfd_table_del(r1); /* N3's DOWN is cleared: UP(deleted) */
  expect("deleting sessions clears nexthop shutdown", 1, 1);
  bfd_table_del(nb);

  printf("toy_rib: %s\n", failures ? "FAILED" : "all checks passed");
  return failures ? 1 : 0;
}
