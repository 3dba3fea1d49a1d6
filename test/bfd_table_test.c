/* Session table: demultiplexing (§6.8.6 Your Discriminator, then the key with
 * wildcards), discriminators (§6.8.1), the lazy deadline heaps, due packets,
 * drop counters, clearing nexthop events (RFC 5882 §3) and allocation
 * failure at every allocation point. */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include "bfd_codec.h"
#include "bfd_crypto.h"
#include "bfd_harness.h"
#include "bfd_table.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS BFD_MILLISECONDS
#define T0 (1000 * BFD_SECONDS)

/* ------------------------------------------------------------------------ */
/* Harness: bfd_testlib (bt_rec records every event; bt_peer packets)       */
/* ------------------------------------------------------------------------ */

#define CB_TABLE (BT_CB_STATE | BT_CB_NH | BT_CB_RAND)

static bfd_table *mk_table(bt_rec *c, const bfd_mem *mem) {
  return bt_table_new(c, mem, BFD_CALLBACKS_VERSION, CB_TABLE);
}

static bfd_session_settings mk_settings(uint8_t mode, uint32_t tx_us, uint32_t rx_us) {
  bfd_session_settings st = bt_settings(tx_us, rx_us, 0);
  st.mode = mode;
  return st;
}

/* What most tests start from: a table recording into c, single-hop
 * settings of 100 ms / 100 ms. */
typedef struct tfx {
  bfd_table *t;
  bfd_session_settings st;
  bt_rec c;
} tfx;

static void tfx_open(tfx *x) {
  x->t = mk_table(&x->c, NULL);
  x->st = mk_settings(BFD_MODE_SINGLE_HOP, 100000, 100000);
}

/* A peer's packet: 100 ms / 100 ms, Detect Mult 3. */
static size_t mk_pkt(uint8_t *buf, uint8_t state, uint8_t flags, uint32_t my, uint32_t your) {
  bt_peer p = bt_peer_make(state, my, your, 100000);
  p.flags = flags;
  return bt_peer_encode(&p, buf);
}

static int feed(bfd_table *t, const bfd_session_key *k, uint8_t state, uint32_t my, uint32_t your,
                uint64_t now, bfd_session **ps) {
  bt_peer p = bt_peer_make(state, my, your, 100000);
  bfd_rx_info ri = bt_ri_key(k);
  return bt_table_feed(t, &ri, &p, now, ps);
}

static uint64_t min_deadline(bfd_session **ss, size_t n) {
  uint64_t m = BFD_TSTAMP_NONE;
  size_t i;
  for (i = 0; i < n; i++)
    if (ss[i]) {
      uint64_t d = bfd_session_next_deadline(ss[i]);
      if (d < m)
        m = d;
    }
  return m;
}

/* Brings a table session Up from a peer with discriminator `peer_discr`. */
static void bring_up(bfd_table *t, bfd_session *s, uint32_t peer_discr, uint64_t now) {
  bt_peer p = bt_peer_make(BFD_STATE_DOWN, peer_discr, 0, 100000);
  bt_table_bring_up(t, s, &p, now);
}

/* n sessions (fx->st) for peers 10.0.1.0 + i, any local address, any
 * interface, added at `now`; each brought Up by a peer with discriminator
 * up_base + i unless up_base is 0. */
static void tfx_add_n(tfx *fx, bfd_session **s, unsigned n, uint64_t now, uint32_t up_base) {
  unsigned i;
  for (i = 0; i < n; i++) {
    bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000100u + i, 0);
    CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx->t, &s[i], &fx->st, &k, NULL, now), 0);
    if (up_base)
      bring_up(fx->t, s[i], up_base + i, now);
  }
}

/* ------------------------------------------------------------------------ */
/* Demultiplexing                                                           */
/* ------------------------------------------------------------------------ */

static void test_bfd_table_demux_discr(void) {
  tfx fx;
  bfd_session *s[3], *got;
  bfd_session_key k[3], other;
  int i;
  tfx_open(&fx);
  for (i = 0; i < 3; i++) {
    k[i] = bt_key4(BFD_MODE_SINGLE_HOP, 0x0a000001, 0x0a000002u + (uint32_t)i, 1);
    CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &s[i], &fx.st, &k[i], NULL, T0), 0);
  }
  CU_ASSERT_EQUAL(bfd_table_size(fx.t), 3);
  /* Your Discriminator wins over the addresses: the datagram claims to come
   * from s[0]'s peer but names s[2] (§6.8.6: "selected by Your Discr"). */
  other = k[0];
  got = NULL;
  CU_ASSERT_EQUAL(
      feed(fx.t, &other, BFD_STATE_DOWN, 77, bfd_session_get_local_discr(s[2]), T0, &got), 0);
  CU_ASSERT_PTR_EQUAL(got, s[2]);
  CU_ASSERT_EQUAL(bt_status(s[2]).rx_packets, 1);
  CU_ASSERT_EQUAL(bt_status(s[0]).rx_packets, 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(s[2]), BFD_STATE_INIT);
  CU_ASSERT_EQUAL(bfd_session_get_state(s[0]), BFD_STATE_DOWN);
  /* An unknown nonzero Your Discr finds nothing, even from a known key. */
  got = s[0];
  CU_ASSERT_EQUAL(feed(fx.t, &k[1], BFD_STATE_DOWN, 78, 0xdeadbeef, T0, &got),
                  BFD_ERR_PKT_NO_SESSION);
  CU_ASSERT_PTR_NULL(got);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(fx.t, BFD_ERR_PKT_NO_SESSION), 1);
  CU_ASSERT_EQUAL(bfd_session_get_state(s[1]), BFD_STATE_DOWN);
  bfd_table_del(fx.t);
}

/* §6.8.6 with Your Discr 0: exact > any-local > any-ifindex > both. */
static void test_bfd_table_demux_wildcard_order(void) {
  tfx fx;
  const uint32_t L = 0x0a000001, L2 = 0x0a0000fe, P = 0x0a000002;
  bfd_session_key kexact = bt_key4(BFD_MODE_SINGLE_HOP, L, P, 5);
  bfd_session_key kanyl = bt_key4(BFD_MODE_SINGLE_HOP, 0, P, 5);
  bfd_session_key kanyi = bt_key4(BFD_MODE_SINGLE_HOP, L, P, 0);
  bfd_session_key kboth = bt_key4(BFD_MODE_SINGLE_HOP, 0, P, 0);
  bfd_session *exact, *anyl, *anyi, *both, *got;
  bfd_rx_info ri;
  uint8_t buf[BFD_CTRL_LEN_MAX];
  size_t n = mk_pkt(buf, BFD_STATE_DOWN, 0, 99, 0);
  uint32_t my = 100;
  tfx_open(&fx);

  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &both, &fx.st, &kboth, NULL, T0), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &anyi, &fx.st, &kanyi, NULL, T0), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &anyl, &fx.st, &kanyl, NULL, T0), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &exact, &fx.st, &kexact, NULL, T0), 0);

#define EXPECT_RX(loc, ifx, has_local, want)                                                       \
  do {                                                                                             \
    bfd_session_key kk = bt_key4(BFD_MODE_SINGLE_HOP, (loc), P, (ifx));                            \
    ri = bt_ri_key(&kk);                                                                           \
    if (!(has_local))                                                                              \
      ri.flags = (uint8_t)(ri.flags & ~BFD_RX_LOCAL);                                              \
    n = mk_pkt(buf, BFD_STATE_DOWN, 0, my++, 0);                                                   \
    got = NULL;                                                                                    \
    CU_ASSERT_EQUAL(bfd_table_feed_packet(fx.t, buf, n, &ri, T0, &got), 0);                        \
    CU_ASSERT_PTR_EQUAL(got, (want));                                                              \
  } while (0)

  EXPECT_RX(L, 5, 1, exact);
  EXPECT_RX(L2, 5, 1, anyl); /* other local address, same interface */
  EXPECT_RX(L, 5, 0, anyl);  /* host could not tell the local address */
  EXPECT_RX(L, 7, 1, anyi);  /* other interface, same local address */
  EXPECT_RX(L2, 7, 1, both);
  EXPECT_RX(L, 0, 1, anyi); /* interface unknown */
  EXPECT_RX(L2, 0, 1, both);
  EXPECT_RX(L, 0, 0, both);

  /* Removing the most specific session exposes the next one. */
  bfd_session_del(exact);
  EXPECT_RX(L, 5, 1, anyl);
  bfd_session_del(anyl);
  EXPECT_RX(L, 5, 1, anyi);
  bfd_session_del(anyi);
  EXPECT_RX(L, 5, 1, both);
  bfd_session_del(both);
  CU_ASSERT_EQUAL(bfd_table_size(fx.t), 0);
  ri = bt_ri_key(&kexact);
  n = mk_pkt(buf, BFD_STATE_DOWN, 0, my, 0);
  CU_ASSERT_EQUAL(bfd_table_feed_packet(fx.t, buf, n, &ri, T0, NULL), BFD_ERR_PKT_NO_SESSION);
  /* Another peer or the other mode never matches. */
#undef EXPECT_RX
  bfd_table_del(fx.t);
}

static void test_bfd_table_demux_mode_peer(void) {
  tfx fx;
  bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000002, 0), k2;
  bfd_session *s;
  tfx_open(&fx);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &s, &fx.st, &k, NULL, T0), 0);
  k2 = bt_key4(BFD_MODE_MULTIHOP, 0, 0x0a000002, 0);
  CU_ASSERT_EQUAL(feed(fx.t, &k2, BFD_STATE_DOWN, 5, 0, T0, NULL), BFD_ERR_PKT_NO_SESSION);
  k2 = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000003, 0);
  CU_ASSERT_EQUAL(feed(fx.t, &k2, BFD_STATE_DOWN, 5, 0, T0, NULL), BFD_ERR_PKT_NO_SESSION);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(fx.t, BFD_ERR_PKT_NO_SESSION), 2);
  CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_DOWN);
  /* By Your Discr the packet reaches the session, which rejects the mode. */
  k2 = bt_key4(BFD_MODE_MULTIHOP, 0, 0x0a000002, 0);
  CU_ASSERT_EQUAL(feed(fx.t, &k2, BFD_STATE_DOWN, 5, bfd_session_get_local_discr(s), T0, NULL),
                  BFD_ERR_PKT_MODE);
  CU_ASSERT_EQUAL(bfd_session_get_rx_drops(s, BFD_ERR_PKT_MODE), 1);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(fx.t, BFD_ERR_PKT_MODE), 0);
  bfd_table_del(fx.t);
}

/* A link-local address is unique on its link only (RFC 4291 §2.5.6): the
 * same fe80:: peer on two interfaces is two sessions, not one. */
static void test_bfd_table_v6_link_local_per_ifindex(void) {
  tfx fx;
  bfd_session_key k2, k3, k4;
  bfd_session *s2, *s3, *got;
  tfx_open(&fx);
  memset(&k2, 0, sizeof(k2));
  k2.mode = BFD_MODE_SINGLE_HOP;
  k2.family = BFD_AF_INET6;
  bt_addr6(k2.peer, 1, 1);
  k2.ifindex = 2;
  k3 = k2;
  k3.ifindex = 3;
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &s2, &fx.st, &k2, NULL, T0), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &s3, &fx.st, &k3, NULL, T0), 0);
  CU_ASSERT_PTR_NOT_EQUAL(s2, s3);
  CU_ASSERT_EQUAL(bfd_table_size(fx.t), 2);
  CU_ASSERT_PTR_EQUAL(bfd_table_find_key(fx.t, &k2), s2);
  CU_ASSERT_PTR_EQUAL(bfd_table_find_key(fx.t, &k3), s3);
  /* A Down from the peer on ifindex 3 (local address learned or not) only
   * touches the session on ifindex 3. */
  bt_addr6(k3.local, 1, 9);
  got = NULL;
  CU_ASSERT_EQUAL(feed(fx.t, &k3, BFD_STATE_DOWN, 500, 0, T0, &got), 0);
  CU_ASSERT_PTR_EQUAL(got, s3);
  CU_ASSERT_EQUAL(bfd_session_get_state(s3), BFD_STATE_INIT);
  CU_ASSERT_EQUAL(bfd_session_get_state(s2), BFD_STATE_DOWN);
  k2.ifindex = 2;
  bt_addr6(k2.local, 1, 8);
  CU_ASSERT_EQUAL(feed(fx.t, &k2, BFD_STATE_DOWN, 600, 0, T0, &got), 0);
  CU_ASSERT_PTR_EQUAL(got, s2);
  CU_ASSERT_EQUAL(bfd_session_get_state(s2), BFD_STATE_INIT);
  /* Each learned its own peer's discriminator. */
  {
    bfd_session_status a, b;
    a.struct_version = b.struct_version = BFD_SESSION_STATUS_VERSION;
    CU_ASSERT_EQUAL(bfd_session_get_status(s2, &a), 0);
    CU_ASSERT_EQUAL(bfd_session_get_status(s3, &b), 0);
    CU_ASSERT_EQUAL(a.remote_discr, 600);
    CU_ASSERT_EQUAL(b.remote_discr, 500);
  }
  /* A third interface has no session. */
  k4 = k2;
  k4.ifindex = 4;
  CU_ASSERT_EQUAL(feed(fx.t, &k4, BFD_STATE_DOWN, 700, 0, T0, NULL), BFD_ERR_PKT_NO_SESSION);
  bfd_table_del(fx.t);
}

static void test_bfd_table_multihop_per_local(void) {
  tfx fx;
  bfd_session_key ka = bt_key4(BFD_MODE_MULTIHOP, 0xc0000201, 0xc6336401, 0);
  bfd_session_key kb = bt_key4(BFD_MODE_MULTIHOP, 0xc0000202, 0xc6336401, 0);
  bfd_session_key kc = bt_key4(BFD_MODE_MULTIHOP, 0xc0000203, 0xc6336401, 0);
  bfd_session *a, *b, *got;
  tfx_open(&fx);
  fx.st = mk_settings(BFD_MODE_MULTIHOP, 100000, 100000);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &a, &fx.st, &ka, NULL, T0), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &b, &fx.st, &kb, NULL, T0), 0);
  CU_ASSERT_EQUAL(feed(fx.t, &kb, BFD_STATE_DOWN, 11, 0, T0, &got), 0);
  CU_ASSERT_PTR_EQUAL(got, b);
  CU_ASSERT_EQUAL(feed(fx.t, &ka, BFD_STATE_DOWN, 12, 0, T0, &got), 0);
  CU_ASSERT_PTR_EQUAL(got, a);
  CU_ASSERT_EQUAL(bt_status(a).rx_packets, 1);
  CU_ASSERT_EQUAL(bt_status(b).rx_packets, 1);
  /* Another local address: neither session. */
  CU_ASSERT_EQUAL(feed(fx.t, &kc, BFD_STATE_DOWN, 13, 0, T0, &got), BFD_ERR_PKT_NO_SESSION);
  CU_ASSERT_PTR_NULL(got);
  bfd_table_del(fx.t);
}

/* IPv4 addresses sit in the first 4 bytes; the rest of rx_info's buffers
 * is whatever the host left there. Keys must have it zero. */
static void test_bfd_table_ipv4_normalisation(void) {
  tfx fx;
  bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, 0x0a000001, 0x0a000002, 3), bad;
  bfd_session *s, *got = NULL, *x = NULL;
  bfd_rx_info ri;
  uint8_t buf[BFD_CTRL_LEN_MAX];
  size_t n;
  tfx_open(&fx);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &s, &fx.st, &k, NULL, T0), 0);
  ri = bt_ri_key(&k);
  memset(ri.local + 4, 0xaa, 12);
  memset(ri.peer + 4, 0x55, 12);
  n = mk_pkt(buf, BFD_STATE_DOWN, 0, 9, 0);
  CU_ASSERT_EQUAL(bfd_table_feed_packet(fx.t, buf, n, &ri, T0, &got), 0);
  CU_ASSERT_PTR_EQUAL(got, s);
  /* The same garbage in a key is rejected, not silently matched. */
  bad = k;
  bad.peer[4] = 1;
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &x, &fx.st, &bad, NULL, T0), BFD_ERR_CFG_KEY);
  CU_ASSERT_PTR_NULL(x);
  bad = k;
  bad.local[15] = 1;
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &x, &fx.st, &bad, NULL, T0), BFD_ERR_CFG_KEY);
  CU_ASSERT_EQUAL(bfd_table_size(fx.t), 1);
  bfd_table_del(fx.t);
}

static void test_bfd_table_invalid_keys(void) {
  tfx fx;
  tfx_open(&fx);
  bfd_session_settings mh = mk_settings(BFD_MODE_MULTIHOP, 100000, 100000);
  bfd_session_key good = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000002, 0), k;
  bfd_session *s = (bfd_session *)&k;
  k = good;
  k.family = 0;
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &s, &fx.st, &k, NULL, T0), BFD_ERR_CFG_KEY);
  CU_ASSERT_PTR_NULL(s); /* cleared on failure */
  k.family = 2;          /* AF_INET's OS value is not a BFD_AF_* */
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &s, &fx.st, &k, NULL, T0), BFD_ERR_CFG_KEY);
  k.family = 10;
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &s, &fx.st, &k, NULL, T0), BFD_ERR_CFG_KEY);
  k = good;
  k.mode = 2;
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &s, &fx.st, &k, NULL, T0), BFD_ERR_CFG_KEY);
  k = good;
  k.pad = 1;
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &s, &fx.st, &k, NULL, T0), BFD_ERR_CFG_KEY);
  k = good;
  k.flags = 0x02; /* not a BFD_KEY_* flag */
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &s, &fx.st, &k, NULL, T0), BFD_ERR_CFG_KEY);
  k = good;
  memset(k.peer, 0, 16); /* no peer address */
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &s, &fx.st, &k, NULL, T0), BFD_ERR_CFG_KEY);
  k.family = BFD_AF_INET6;
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &s, &fx.st, &k, NULL, T0), BFD_ERR_CFG_KEY);
  /* key.mode must agree with settings.mode */
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &s, &mh, &good, NULL, T0), BFD_ERR_CFG_KEY);
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &s, &fx.st, NULL, NULL, T0),
                  BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_table_add_session(NULL, &s, &fx.st, &good, NULL, T0),
                  BFD_ERR_INVALID_ARGUMENT);
  /* Settings errors take their own code. */
  fx.st.detect_mult = 0;
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &s, &fx.st, &good, NULL, T0),
                  BFD_ERR_CFG_DETECT_MULT);
  CU_ASSERT_EQUAL(bfd_table_size(fx.t), 0);
  CU_ASSERT_EQUAL(fx.c.nk[BT_EV_NH], 0); /* nothing was created, nothing announced */
  bfd_table_del(fx.t);
}

static void test_bfd_table_exists(void) {
  tfx fx;
  bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000002, 0);
  bfd_session_key k2 = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000003, 0);
  bfd_session *s, *x;
  tfx_open(&fx);
  fx.st.local_discr = 1234;
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &s, &fx.st, &k, NULL, T0), 0);
  CU_ASSERT_EQUAL(bfd_session_get_local_discr(s), 1234);
  /* same key, another discriminator */
  fx.st.local_discr = 0;
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &x, &fx.st, &k, NULL, T0), BFD_ERR_EXISTS);
  /* another key, the same fixed discriminator */
  fx.st.local_discr = 1234;
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &x, &fx.st, &k2, NULL, T0), BFD_ERR_EXISTS);
  CU_ASSERT_EQUAL(bfd_table_size(fx.t), 1);
  CU_ASSERT_EQUAL(fx.c.nk[BT_EV_NH], 1); /* only the first session's CREATED event */
  /* After deleting, both are free again. */
  bfd_session_del(s);
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &x, &fx.st, &k, NULL, T0), 0);
  CU_ASSERT_PTR_EQUAL(bfd_table_find_discr(fx.t, 1234), x);
  bfd_table_del(fx.t);
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

/* §6.8.1: "MUST be unique across all BFD sessions on this system, and
 * nonzero. It SHOULD be set to a random (but still unique) value". */
static void test_bfd_table_random_discr_100k(void) {
  enum { N = 100000 };
  bfd_table *t = NULL;
  bfd_session_settings st = mk_settings(BFD_MODE_MULTIHOP, 100000, 100000);
  uint32_t *d = malloc(N * sizeof(*d));
  size_t i, dups = 0, zeros = 0, found = 0;
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  st.nexthop_policy = BFD_NHS_AFTER_UP;
  /* The default generator (no rand callback). */
  CU_ASSERT_EQUAL_FATAL(bfd_table_new(&t, NULL, NULL, NULL), 0);
  for (i = 0; i < N; i++) {
    bfd_session_key k = bt_key4(BFD_MODE_MULTIHOP, 0x0a000001, 0x0b000000u + (uint32_t)i, 0);
    bfd_session *s = NULL;
    CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(t, &s, &st, &k, NULL, T0), 0);
    d[i] = bfd_session_get_local_discr(s);
    zeros += d[i] == 0;
    found += bfd_table_find_discr(t, d[i]) == s && bfd_table_find_key(t, &k) == s;
  }
  CU_ASSERT_EQUAL(bfd_table_size(t), N);
  CU_ASSERT_EQUAL(zeros, 0);
  CU_ASSERT_EQUAL(found, N);
  qsort(d, N, sizeof(*d), cmp_u32);
  for (i = 1; i < N; i++)
    dups += d[i] == d[i - 1];
  CU_ASSERT_EQUAL(dups, 0);
  /* Not sequential: a random draw spreads over the 32-bit space. */
  CU_ASSERT(d[0] < 0x01000000u);
  CU_ASSERT(d[N - 1] > 0xff000000u);
  bfd_table_del(t);
  free(d);
}

/* A generator stuck on one value, or on 0: unique or BFD_ERR_FULL, never 0
 * and never a duplicate. */
static void const_rand(uint8_t *dest, size_t len, void *user_data) {
  memset(dest, *(const uint8_t *)user_data, len);
}

static void test_bfd_table_discr_bad_generator(void) {
  bfd_callbacks cb;
  bfd_table *t = NULL;
  bfd_session_settings st = mk_settings(BFD_MODE_SINGLE_HOP, 100000, 100000);
  bfd_session_key k1 = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000002, 0);
  bfd_session_key k2 = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000003, 0);
  bfd_session *s = NULL, *x = NULL;
  uint8_t byte = 0x5a;
  (void)bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb);
  cb.rand = const_rand;
  CU_ASSERT_EQUAL_FATAL(bfd_table_new(&t, &cb, NULL, &byte), 0);
  CU_ASSERT_EQUAL(bfd_table_add_session(t, &s, &st, &k1, NULL, T0), 0);
  CU_ASSERT_EQUAL(bfd_session_get_local_discr(s), 0x5a5a5a5au);
  CU_ASSERT_EQUAL(bfd_table_add_session(t, &x, &st, &k2, NULL, T0), BFD_ERR_FULL);
  CU_ASSERT_PTR_NULL(x);
  CU_ASSERT_EQUAL(bfd_table_size(t), 1);
  /* A fixed discriminator still works. */
  st.local_discr = 7;
  CU_ASSERT_EQUAL(bfd_table_add_session(t, &x, &st, &k2, NULL, T0), 0);
  bfd_table_del(t);

  byte = 0;
  st.local_discr = 0;
  CU_ASSERT_EQUAL_FATAL(bfd_table_new(&t, &cb, NULL, &byte), 0);
  CU_ASSERT_EQUAL(bfd_table_add_session(t, &s, &st, &k1, NULL, T0), BFD_ERR_FULL);
  CU_ASSERT_EQUAL(bfd_table_size(t), 0);
  bfd_table_del(t);
}

static void test_bfd_table_find(void) {
  tfx fx;
  bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, 0x0a000001, 0x0a000002, 4), k2;
  bfd_session *s;
  int tag;
  tfx_open(&fx);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &s, &fx.st, &k, &tag, T0), 0);
  CU_ASSERT_PTR_EQUAL(bfd_session_get_user_data(s), &tag);
  CU_ASSERT_EQUAL(bfd_session_get_key(s, &k2), 0);
  CU_ASSERT_EQUAL(memcmp(&k, &k2, sizeof(k)), 0);
  CU_ASSERT_PTR_EQUAL(bfd_table_find_discr(fx.t, bfd_session_get_local_discr(s)), s);
  CU_ASSERT_PTR_NULL(bfd_table_find_discr(fx.t, 0));
  CU_ASSERT_PTR_NULL(bfd_table_find_discr(fx.t, bfd_session_get_local_discr(s) + 1));
  CU_ASSERT_PTR_EQUAL(bfd_table_find_key(fx.t, &k), s);
  /* find_key is exact: no wildcard fallback. */
  k2 = k;
  k2.ifindex = 0;
  CU_ASSERT_PTR_NULL(bfd_table_find_key(fx.t, &k2));
  k2 = k;
  memset(k2.local, 0, 16);
  CU_ASSERT_PTR_NULL(bfd_table_find_key(fx.t, &k2));
  CU_ASSERT_PTR_NULL(bfd_table_find_key(fx.t, NULL));
  CU_ASSERT_PTR_NULL(bfd_table_find_key(NULL, &k));
  CU_ASSERT_PTR_NULL(bfd_table_find_discr(NULL, 1));
  CU_ASSERT_EQUAL(bfd_table_size(NULL), 0);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(NULL), BFD_TSTAMP_NONE);
  {
    uint32_t d = bfd_session_get_local_discr(s);
    bfd_session_del(s);
    CU_ASSERT_PTR_NULL(bfd_table_find_discr(fx.t, d));
    CU_ASSERT_PTR_NULL(bfd_table_find_key(fx.t, &k));
  }
  bfd_table_del(NULL);
  bfd_table_del(fx.t);
}

/* ------------------------------------------------------------------------ */
/* Drop counters                                                            */
/* ------------------------------------------------------------------------ */

static void test_bfd_table_drop_counters(void) {
  tfx fx;
  bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000002, 0);
  bfd_rx_info ri = bt_ri_key(&k);
  bfd_session *s, *got;
  uint8_t buf[64];
  size_t n;
  int i;
  tfx_open(&fx);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &s, &fx.st, &k, NULL, T0), 0);
  n = mk_pkt(buf, BFD_STATE_DOWN, 0, 9, 0);
  /* Decode errors: counted by the table, no session attributed. */
  got = s;
  CU_ASSERT_EQUAL(bfd_table_feed_packet(fx.t, buf, 23, &ri, T0, &got), BFD_ERR_PKT_TRUNCATED);
  CU_ASSERT_PTR_NULL(got);
  buf[0] = 0x40; /* version 2 */
  for (i = 0; i < 3; i++)
    CU_ASSERT_EQUAL(bfd_table_feed_packet(fx.t, buf, n, &ri, T0, NULL), BFD_ERR_PKT_VERSION);
  buf[0] = 0x20;
  buf[1] |= BFD_FLAG_P | BFD_FLAG_F;
  CU_ASSERT_EQUAL(bfd_table_feed_packet(fx.t, buf, n, &ri, T0, NULL), BFD_ERR_PKT_POLL_FINAL);
  buf[1] &= (uint8_t) ~(BFD_FLAG_P | BFD_FLAG_F);
  buf[2] = 0; /* Detect Mult */
  CU_ASSERT_EQUAL(bfd_table_feed_packet(fx.t, buf, n, &ri, T0, NULL), BFD_ERR_PKT_DETECT_MULT);
  n = mk_pkt(buf, BFD_STATE_DOWN, 0, 9, 0x12345678);
  CU_ASSERT_EQUAL(bfd_table_feed_packet(fx.t, buf, n, &ri, T0, NULL), BFD_ERR_PKT_NO_SESSION);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(fx.t, BFD_ERR_PKT_TRUNCATED), 1);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(fx.t, BFD_ERR_PKT_VERSION), 3);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(fx.t, BFD_ERR_PKT_POLL_FINAL), 1);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(fx.t, BFD_ERR_PKT_DETECT_MULT), 1);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(fx.t, BFD_ERR_PKT_NO_SESSION), 1);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(fx.t, BFD_ERR_PKT_TTL), 0);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(fx.t, 0), 0);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(fx.t, BFD_ERR_NOMEM), 0);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(NULL, BFD_ERR_PKT_VERSION), 0);
  /* None of it reached the session. */
  {
    bfd_session_status ss;
    ss.struct_version = BFD_SESSION_STATUS_VERSION;
    CU_ASSERT_EQUAL(bfd_session_get_status(s, &ss), 0);
    CU_ASSERT_EQUAL(ss.rx_packets, 0);
    CU_ASSERT_EQUAL(ss.rx_dropped, 0);
  }
  /* Session-level drops are the session's, not the table's (GTSM). */
  n = mk_pkt(buf, BFD_STATE_DOWN, 0, 9, 0);
  ri.ttl = 254;
  CU_ASSERT_EQUAL(bfd_table_feed_packet(fx.t, buf, n, &ri, T0, &got), BFD_ERR_PKT_TTL);
  CU_ASSERT_PTR_EQUAL(got, s);
  CU_ASSERT_EQUAL(bfd_session_get_rx_drops(s, BFD_ERR_PKT_TTL), 1);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(fx.t, BFD_ERR_PKT_TTL), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_DOWN);
  /* Arguments and clock. */
  CU_ASSERT_EQUAL(bfd_table_feed_packet(fx.t, NULL, n, &ri, T0, NULL), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_table_feed_packet(fx.t, buf, n, NULL, T0, NULL), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_table_feed_packet(NULL, buf, n, &ri, T0, NULL), BFD_ERR_INVALID_ARGUMENT);
  ri.ttl = 255;
  CU_ASSERT_EQUAL(bfd_table_feed_packet(fx.t, buf, n, &ri, T0 - 1, NULL), BFD_ERR_CLOCK_BACKWARDS);
  CU_ASSERT_EQUAL(bfd_table_feed_time(fx.t, T0 - 1), BFD_ERR_CLOCK_BACKWARDS);
  CU_ASSERT_EQUAL(bfd_table_poll_packet(fx.t, NULL, buf, sizeof(buf), T0 - 1),
                  BFD_ERR_CLOCK_BACKWARDS);
  CU_ASSERT_EQUAL(bfd_table_poll_packet(fx.t, NULL, buf, BFD_CTRL_LEN_MAX - 1, T0), BFD_ERR_NOBUF);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(fx.t, BFD_ERR_PKT_VERSION), 3);
  bfd_table_del(fx.t);
}

/* ------------------------------------------------------------------------ */
/* Deadlines, feed_time, poll_packet                                        */
/* ------------------------------------------------------------------------ */

static void test_bfd_table_poll_drains_exactly(void) {
  enum { N = 50 };
  tfx fx;
  bfd_session *s[N];
  uint8_t buf[BFD_CTRL_LEN_MAX];
  uint64_t now = T0, d;
  unsigned i, due;
  tfx_open(&fx);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), BFD_TSTAMP_NONE);
  /* Created at staggered times: each's first packet is due at creation. */
  for (i = 0; i < N; i++) {
    bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000100u + i, 0);
    CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &s[i], &fx.st, &k, NULL, T0 + i * MS), 0);
    CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), T0);
  }
  now = T0 + (N - 1) * MS;
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), min_deadline(s, N));
  /* Everything is due; exactly one packet per session, then 0, twice. */
  CU_ASSERT_EQUAL(bt_table_drain(fx.t, now), N);
  CU_ASSERT_EQUAL(bfd_table_poll_packet(fx.t, NULL, buf, sizeof(buf), now), 0);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), min_deadline(s, N));
  /* Slow start: the next ones come 0.75..1 s later (§6.8.3, §6.8.7). */
  d = bfd_table_next_deadline(fx.t);
  CU_ASSERT(d >= now + 750 * MS - (N - 1) * MS && d <= now + BFD_SECONDS);
  /* Step through: each step drains exactly the sessions due. */
  for (i = 0; i < 200; i++) {
    unsigned j;
    now = bfd_table_next_deadline(fx.t);
    due = 0;
    for (j = 0; j < N; j++)
      due += bfd_session_next_deadline(s[j]) <= now;
    CU_ASSERT(due >= 1);
    if (i % 2) /* with or without feed_time first */
      CU_ASSERT_EQUAL(bfd_table_feed_time(fx.t, now), 0);
    CU_ASSERT_EQUAL(bt_table_drain(fx.t, now), due);
    CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), min_deadline(s, N));
    CU_ASSERT(bfd_table_next_deadline(fx.t) > now);
  }
  /* Nobody ever answered: all still Down, 200 packets + N first ones. */
  {
    uint64_t tx = 0;
    for (i = 0; i < N; i++) {
      bfd_session_status ss;
      ss.struct_version = BFD_SESSION_STATUS_VERSION;
      (void)bfd_session_get_status(s[i], &ss);
      tx += ss.tx_packets;
      CU_ASSERT_EQUAL(ss.state, BFD_STATE_DOWN);
    }
    CU_ASSERT(tx >= 200 + N);
  }
  CU_ASSERT_EQUAL(fx.c.nk[BT_EV_STATE], 0);
  bfd_table_del(fx.t);
}

/* Detection time expiry found by feed_time; the Down packets follow. */
static void test_bfd_table_feed_time_then_poll(void) {
  enum { N = 8 };
  tfx fx;
  bfd_session *s[N];
  uint64_t now = T0, exp;
  unsigned i, base;
  tfx_open(&fx);
  tfx_add_n(&fx, s, N, now, 1000);
  CU_ASSERT_EQUAL(fx.c.nk[BT_EV_STATE], 2 * N);
  /* Half the sessions keep hearing from their peer. */
  (void)bt_table_drain(fx.t, now);
  exp = now + 300 * MS; /* 3 x max(100 ms, 100 ms) */
  for (now = T0 + 50 * MS; now < exp; now += 50 * MS) {
    CU_ASSERT_EQUAL(bfd_table_feed_time(fx.t, now), 0);
    for (i = 0; i < N; i += 2) {
      bfd_session_key k;
      (void)bfd_session_get_key(s[i], &k);
      CU_ASSERT_EQUAL(
          feed(fx.t, &k, BFD_STATE_UP, 1000 + i, bfd_session_get_local_discr(s[i]), now, NULL), 0);
    }
    (void)bt_table_drain(fx.t, now);
  }
  CU_ASSERT_EQUAL(fx.c.nk[BT_EV_STATE], 2 * N);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), min_deadline(s, N));
  base = fx.c.nk[BT_EV_STATE];
  CU_ASSERT_EQUAL(bfd_table_feed_time(fx.t, exp), 0);
  CU_ASSERT_EQUAL(fx.c.nk[BT_EV_STATE], base + N / 2);
  for (i = base; i < fx.c.nk[BT_EV_STATE]; i++) {
    CU_ASSERT_EQUAL(bt_rec_nth(&fx.c, BT_EV_STATE, i)->st.old_state, BFD_STATE_UP);
    CU_ASSERT_EQUAL(bt_rec_nth(&fx.c, BT_EV_STATE, i)->st.new_state, BFD_STATE_DOWN);
    CU_ASSERT_EQUAL(bt_rec_nth(&fx.c, BT_EV_STATE, i)->st.local_diag, BFD_DIAG_DETECT_EXPIRED);
    CU_ASSERT_EQUAL(bt_rec_nth(&fx.c, BT_EV_STATE, i)->st.ts, exp);
    /* The last state the peer sent, not the forgotten one (§6.8.1
     * bfd.RemoteSessionState: "last reported"). */
    CU_ASSERT_EQUAL(bt_rec_nth(&fx.c, BT_EV_STATE, i)->st.remote_state, BFD_STATE_UP);
    CU_ASSERT_EQUAL(bt_rec_nth(&fx.c, BT_EV_STATE, i)->st.remote_diag, BFD_DIAG_NONE);
  }
  for (i = 0; i < N; i++)
    CU_ASSERT_EQUAL(bfd_session_get_state(s[i]), i % 2 ? BFD_STATE_DOWN : BFD_STATE_UP);
  /* The expired sessions' Down packets are due now (§6.8.7 SHOULD send at
   * once); the others may or may not have a periodic due. */
  CU_ASSERT(bfd_table_next_deadline(fx.t) <= exp);
  {
    uint8_t buf[BFD_CTRL_LEN_MAX];
    unsigned downs = 0, n = 0;
    bfd_session *ps;
    ptrdiff_t len;
    while ((len = bfd_table_poll_packet(fx.t, &ps, buf, sizeof(buf), exp)) > 0) {
      bfd_ctrl_pkt p;
      CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, buf, (size_t)len), 0);
      if (p.state == BFD_STATE_DOWN) {
        downs++;
        CU_ASSERT_EQUAL(p.diag, BFD_DIAG_DETECT_EXPIRED);
        CU_ASSERT_EQUAL(p.your_discr, 0); /* §6.8.1 reset */
      }
      CU_ASSERT_FATAL(++n <= N);
    }
    CU_ASSERT_EQUAL(downs, N / 2);
  }
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), min_deadline(s, N));
  CU_ASSERT(bfd_table_next_deadline(fx.t) > exp);
  bfd_table_del(fx.t);
}

/* A session deleted while its packet is due and not yet polled. */
static void test_bfd_table_del_while_due(void) {
  enum { N = 10 };
  tfx fx;
  bfd_session *s[N];
  uint64_t now = T0;
  unsigned i, k;
  uint8_t buf[BFD_CTRL_LEN_MAX];
  bfd_session *first = NULL;
  tfx_open(&fx);
  tfx_add_n(&fx, s, N, now, 0);
  /* All due now (feed_time first, as a host does). */
  CU_ASSERT_EQUAL(bfd_table_feed_time(fx.t, now), 0);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), now);
  /* Take one packet, then delete a middle, the current head and the tail. */
  {
    CU_ASSERT(bfd_table_poll_packet(fx.t, &first, buf, sizeof(buf), now) > 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(first);
    CU_ASSERT_EQUAL(min_deadline(s, N), now);
    CU_ASSERT(bfd_session_next_deadline(first) > now);
  }
  k = 0;
  for (i = 0; i < N && k < 3; i++) {
    if (s[i] == first)
      continue;
    if (k == 0 || i == 5 || i == N - 1) {
      bfd_session_del(s[i]);
      s[i] = NULL;
      k++;
    }
  }
  CU_ASSERT_EQUAL(k, 3);
  CU_ASSERT_EQUAL(bfd_table_size(fx.t), N - 3);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), now);
  /* The rest (N - 1 - 3) drain, nothing from a deleted session. */
  {
    bfd_session *ps;
    unsigned got = 0;
    ptrdiff_t n;
    while ((n = bfd_table_poll_packet(fx.t, &ps, buf, sizeof(buf), now)) > 0) {
      int known = 0;
      for (i = 0; i < N; i++)
        known |= s[i] == ps;
      CU_ASSERT(known);
      CU_ASSERT_PTR_NOT_EQUAL(ps, first);
      CU_ASSERT_FATAL(++got <= N);
    }
    CU_ASSERT_EQUAL(n, 0);
    CU_ASSERT_EQUAL(got, N - 1 - 3);
  }
  /* Delete every remaining session, one of them while due again. */
  now += 2 * BFD_SECONDS;
  CU_ASSERT_EQUAL(bfd_table_feed_time(fx.t, now), 0);
  for (i = 0; i < N; i++)
    if (s[i]) {
      bfd_session_del(s[i]);
      s[i] = NULL;
      CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t),
                      bfd_table_size(fx.t) ? bfd_table_next_deadline(fx.t) : BFD_TSTAMP_NONE);
    }
  CU_ASSERT_EQUAL(bfd_table_size(fx.t), 0);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), BFD_TSTAMP_NONE);
  CU_ASSERT_EQUAL(bfd_table_poll_packet(fx.t, NULL, buf, sizeof(buf), now), 0);
  bfd_table_del(fx.t);
}

/* bfd_session_* on a table session must keep the heap right, in particular
 * when the deadline moves earlier. */
static void test_bfd_table_direct_session_calls(void) {
  enum { N = 6 };
  tfx fx;
  bfd_session *s[N];
  uint64_t now = T0;
  uint8_t buf[BFD_CTRL_LEN_MAX];
  bfd_rx_info ri;
  bfd_session_key k;
  size_t n;
  unsigned i;
  tfx_open(&fx);
  fx.st = mk_settings(BFD_MODE_SINGLE_HOP, 1000000, 1000000);
  tfx_add_n(&fx, s, N, now, 2000);
  CU_ASSERT_EQUAL(bt_table_drain(fx.t, now), N);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), min_deadline(s, N));
  now += 10 * MS;
  /* Faster TX on s[3] via update: its deadline moves from ~1 s to the
   * peer's 100 ms (§6.8.3: a shorter interval applies at once), with P. */
  fx.st.desired_min_tx_us = 10000;
  fx.st.required_min_rx_us = 10000;
  CU_ASSERT(bfd_session_next_deadline(s[3]) >= T0 + 750 * MS);
  CU_ASSERT(bfd_table_next_deadline(fx.t) >= T0 + 750 * MS);
  CU_ASSERT_EQUAL(bfd_session_update(s[3], &fx.st, now), 0);
  CU_ASSERT(bfd_session_next_deadline(s[3]) >= T0 + 75 * MS);
  CU_ASSERT(bfd_session_next_deadline(s[3]) <= T0 + 100 * MS);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), bfd_session_next_deadline(s[3]));
  now = bfd_table_next_deadline(fx.t);
  {
    bfd_session *ps = NULL;
    bfd_ctrl_pkt p;
    ptrdiff_t len = bfd_table_poll_packet(fx.t, &ps, buf, sizeof(buf), now);
    CU_ASSERT_FATAL(len > 0);
    CU_ASSERT_PTR_EQUAL(ps, s[3]);
    CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, buf, (size_t)len), 0);
    CU_ASSERT(p.flags & BFD_FLAG_P);
    CU_ASSERT_EQUAL(bfd_table_poll_packet(fx.t, &ps, buf, sizeof(buf), now), 0);
  }
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), min_deadline(s, N));
  /* Admin down on s[1] directly. */
  now += MS;
  CU_ASSERT_EQUAL(bfd_session_set_admin_down(s[1], 1, now), 0);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), now);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), min_deadline(s, N));
  CU_ASSERT_EQUAL(bt_table_drain(fx.t, now), 1);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), min_deadline(s, N));
  /* A packet fed straight to s[4] (Down from the peer): Down packet due. */
  now += MS;
  (void)bfd_session_get_key(s[4], &k);
  ri = bt_ri_key(&k);
  n = mk_pkt(buf, BFD_STATE_DOWN, 0, 2004, bfd_session_get_local_discr(s[4]));
  CU_ASSERT_EQUAL(bfd_session_feed_packet(s[4], buf, n, &ri, now), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(s[4]), BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), now);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), min_deadline(s, N));
  /* Polled through the session, not the table. */
  CU_ASSERT(bfd_session_poll_packet(s[4], buf, sizeof(buf), now) > 0);
  CU_ASSERT_EQUAL(bfd_session_poll_packet(s[4], buf, sizeof(buf), now), 0);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), min_deadline(s, N));
  CU_ASSERT(bfd_table_next_deadline(fx.t) > now);
  CU_ASSERT_EQUAL(bt_table_drain(fx.t, now), 0);
  /* feed_time straight on a session past its detection time. */
  now += 3500 * MS;
  CU_ASSERT_EQUAL(bfd_session_feed_time(s[0], now), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(s[0]), BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), min_deadline(s, N));
  /* Table catches up with the rest. */
  CU_ASSERT_EQUAL(bfd_table_feed_time(fx.t, now), 0);
  (void)bt_table_drain(fx.t, now);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), min_deadline(s, N));
  for (i = 0; i < N; i++)
    CU_ASSERT(bfd_session_get_state(s[i]) != BFD_STATE_UP);
  /* Calls on a session whose packet is due and not yet polled. */
  now += 2 * BFD_SECONDS;
  CU_ASSERT_EQUAL(bfd_table_feed_time(fx.t, now), 0);
  CU_ASSERT_EQUAL(bfd_session_set_admin_down(s[1], 0, now), 0);
  CU_ASSERT(bfd_session_poll_packet(s[2], buf, sizeof(buf), now) >= 0);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t) <= now, min_deadline(s, N) <= now);
  (void)bt_table_drain(fx.t, now);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), min_deadline(s, N));
  CU_ASSERT(bfd_table_next_deadline(fx.t) > now);
  bfd_table_del(fx.t);
}

/* The key invariant of the lazy heap: after every public call, the table's
 * deadline is the minimum of its sessions' deadlines. */
static void test_bfd_table_deadline_invariant_random(void) {
  enum { MAXS = 40, STEPS = 60000 };
  bt_rec c;
  bfd_table *t = mk_table(&c, NULL);
  bfd_session *s[MAXS];
  uint32_t peer_discr[MAXS];
  uint64_t now = T0, rng = 0x5eed;
  unsigned step, bad_exact = 0, bad_due = 0, bad_future = 0, early = 0;
  uint8_t buf[BFD_CTRL_LEN_MAX];
  memset(s, 0, sizeof(s));
  for (step = 0; step < STEPS; step++) {
    uint64_t r = bt_rng_next(&rng);
    unsigned i = (unsigned)(r >> 8) % MAXS;
    unsigned op = (unsigned)r % 16;
    uint64_t m, d;
    if (!s[i]) {
      bfd_session_settings st = mk_settings(BFD_MODE_SINGLE_HOP, 50000, 50000);
      bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000100u + i, 0);
      st.detect_mult = (uint8_t)(1 + (r >> 40) % 4);
      CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(t, &s[i], &st, &k, NULL, now), 0);
      peer_discr[i] = 5000 + step;
    } else if (op < 4) { /* a packet from the peer */
      bfd_session_key k;
      uint8_t pst = (uint8_t)((r >> 20) % 4);
      uint8_t flags = (uint8_t)((r >> 24) & 1 ? BFD_FLAG_P : ((r >> 25) & 1 ? BFD_FLAG_F : 0));
      uint32_t your = (r >> 26) & 1 ? bfd_session_get_local_discr(s[i]) : 0;
      bfd_rx_info ri;
      size_t n;
      (void)bfd_session_get_key(s[i], &k);
      ri = bt_ri_key(&k);
      n = mk_pkt(buf, pst, flags, peer_discr[i], your);
      {
        /* Required Min RX, 0 included: the peer wants no periodic TX. */
        static const uint32_t rx_us[4] = {0, 20000, 100000, 1000000};
        bfd_codec_put_u32(buf + 16, rx_us[(r >> 32) & 3]);
      }
      (void)bfd_table_feed_packet(t, buf, n, &ri, now, NULL);
    } else if (op < 7) { /* time passes, maybe not to a deadline */
      uint64_t nd = bfd_table_next_deadline(t);
      if ((r >> 30) & 1 && nd != BFD_TSTAMP_NONE && nd > now)
        now = nd;
      else
        now += (r >> 33) % (200 * MS);
    } else if (op < 8) {
      CU_ASSERT_EQUAL(bfd_table_feed_time(t, now), 0);
    } else if (op < 10) {
      bfd_session *ps;
      ptrdiff_t n = bfd_table_poll_packet(t, &ps, buf, sizeof(buf), now);
      CU_ASSERT(n >= 0);
    } else if (op < 11) {
      (void)bt_table_drain(t, now);
    } else if (op < 12) {
      bfd_session_settings st;
      (void)bfd_session_get_settings(s[i], &st);
      st.desired_min_tx_us = 10000u * (uint32_t)(1 + (r >> 36) % 20);
      st.required_min_rx_us = 10000u * (uint32_t)(1 + (r >> 44) % 20);
      CU_ASSERT_EQUAL(bfd_session_update(s[i], &st, now), 0);
    } else if (op < 13) {
      CU_ASSERT_EQUAL(bfd_session_set_admin_down(s[i], (uint8_t)((r >> 50) & 1), now), 0);
    } else if (op < 14) {
      if ((r >> 51) & 1) {
        CU_ASSERT(bfd_session_poll_packet(s[i], buf, sizeof(buf), now) >= 0);
      } else {
        CU_ASSERT_EQUAL(bfd_session_feed_time(s[i], now), 0);
      }
    } else if (op < 15) {
      bfd_session_del(s[i]);
      s[i] = NULL;
    } else {
      now += (r >> 33) % (5 * MS);
    }
    m = min_deadline(s, MAXS);
    d = bfd_table_next_deadline(t);
    if (m > now) {
      bad_future += d != m; /* nothing overdue: exact */
    } else {
      bad_due += d > now; /* something overdue: the table must say so */
      bad_exact += d != m;
      early += d < m;
    }
  }
  printf("\n    deadline mismatches: future %u, overdue-not-reported %u, overdue-inexact %u "
         "(table earlier %u)\n",
         bad_future, bad_due, bad_exact, early);
  CU_ASSERT_EQUAL(bad_future, 0);
  CU_ASSERT_EQUAL(bad_due, 0);
  /* Exact whether or not anything is overdue. */
  CU_ASSERT_EQUAL(bad_exact, 0);
  CU_ASSERT_EQUAL(early, 0);
  bfd_table_del(t);
}

/* bfd.h: "Earliest deadline over all sessions", also while packets are
 * overdue (a host that counts late timer fires needs the real time). Regression: a due list
 * reported the time feed_time parked a session instead of its deadline, and kept reporting it after
 * the session had nothing left to send. */
static void test_bfd_table_deadline_exact_when_due(void) {
  tfx fx;
  bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000002, 0);
  bfd_session *s;
  tfx_open(&fx);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &s, &fx.st, &k, NULL, T0), 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(s), T0);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), T0);
  /* The host wakes 5 ms late and runs feed_time before polling. */
  CU_ASSERT_EQUAL(bfd_table_feed_time(fx.t, T0 + 5 * MS), 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(s), T0);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), T0);
  CU_ASSERT_EQUAL(bt_table_drain(fx.t, T0 + 5 * MS), 1);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), bfd_session_next_deadline(s));
  /* Due, then the peer asks for no periodic packets (Required Min RX 0,
   * §6.8.7): nothing is due any more, and the table must not say so. */
  {
    uint8_t buf[BFD_CTRL_LEN_MAX];
    bfd_rx_info ri = bt_ri_key(&k);
    size_t n = mk_pkt(buf, BFD_STATE_DOWN, 0, 9, 0);
    uint64_t now = bfd_session_next_deadline(s);
    CU_ASSERT_EQUAL(bfd_table_feed_time(fx.t, now), 0);
    bfd_codec_put_u32(buf + 16, 0);
    CU_ASSERT_EQUAL(bfd_table_feed_packet(fx.t, buf, n, &ri, now, NULL), 0);
    CU_ASSERT(bfd_session_next_deadline(s) > now); /* detection time only */
    CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), bfd_session_next_deadline(s));
  }
  bfd_table_del(fx.t);
}

/* RFC 5880 §6.8.3: "When bfd.SessionState is not Up, the system MUST set
 * bfd.DesiredMinTxInterval to a value of not less than one second". A
 * session that comes Up starts a Poll for its fast rate; if it goes Down
 * (here: the peer dies) before the Final, it must still fall back to slow
 * start, not keep sending P packets every 10 ms while Down forever. */
static void test_bfd_table_slow_start_after_down_during_poll(void) {
  tfx fx;
  bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000002, 0);
  bfd_session *s;
  uint8_t buf[BFD_CTRL_LEN_MAX];
  uint64_t now = T0, last = 0;
  unsigned sent = 0, fast = 0, low_adv = 0;
  tfx_open(&fx);
  fx.st = mk_settings(BFD_MODE_SINGLE_HOP, 10000, 10000);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &s, &fx.st, &k, NULL, now), 0);
  bring_up(fx.t, s, 77, now); /* Up: the Poll for 10 ms starts, no Final yet */
  {
    bfd_session_status ss;
    ss.struct_version = BFD_SESSION_STATUS_VERSION;
    (void)bfd_session_get_status(s, &ss);
    CU_ASSERT_EQUAL(ss.poll_active, 1);
  }
  /* The peer goes silent; run 10 virtual seconds. */
  while (now < T0 + 10 * BFD_SECONDS) {
    ptrdiff_t n;
    now = bfd_table_next_deadline(fx.t);
    CU_ASSERT_EQUAL(bfd_table_feed_time(fx.t, now), 0);
    while ((n = bfd_table_poll_packet(fx.t, NULL, buf, sizeof(buf), now)) > 0) {
      bfd_ctrl_pkt p;
      CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, buf, (size_t)n), 0);
      if (p.state != BFD_STATE_UP) {
        sent++;
        low_adv += p.desired_min_tx_us < 1000000;
        fast += last && now - last < 750 * MS;
        last = now;
      }
    }
  }
  CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_DOWN);
  printf("\n    Down packets in 10 s: %u (%u advertising < 1 s, %u less than 750 ms apart)\n", sent,
         low_adv, fast);
  CU_ASSERT(sent >= 9 && sent <= 15); /* about one per 0.75..1 s */
  CU_ASSERT_EQUAL(low_adv, 0);
  CU_ASSERT_EQUAL(fast, 0);
  bfd_table_del(fx.t);
}

/* ------------------------------------------------------------------------ */
/* Deletion and nexthop events                                              */
/* ------------------------------------------------------------------------ */

static void test_bfd_table_del_clears_nexthops(void) {
  tfx fx;
  bfd_session *down1, *down2, *up, *after, *admin, *failed;
  bfd_session_key k;
  uint64_t now = T0;
  unsigned i, deleted = 0;
  int seen_d1 = 0, seen_d2 = 0, seen_failed = 0;
  tfx_open(&fx);
  k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000001, 0);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &down1, &fx.st, &k, NULL, now), 0);
  k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000002, 0);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &down2, &fx.st, &k, NULL, now), 0);
  k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000003, 0);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &up, &fx.st, &k, NULL, now), 0);
  bring_up(fx.t, up, 33, now);
  fx.st.nexthop_policy = BFD_NHS_AFTER_UP; /* never Up: never DOWN */
  k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000004, 0);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &after, &fx.st, &k, NULL, now), 0);
  k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000006, 0);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &failed, &fx.st, &k, NULL, now), 0);
  bring_up(fx.t, failed, 66, now);
  fx.st.nexthop_policy = BFD_NHS_DOWN_UNTIL_UP;
  fx.st.admin_down = 1;
  k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000005, 0);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &admin, &fx.st, &k, NULL, now), 0);
  /* "failed" loses its peer: AFTER_UP reports DOWN now. */
  now += 400 * MS;
  k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000003, 0);
  CU_ASSERT_EQUAL(feed(fx.t, &k, BFD_STATE_UP, 33, bfd_session_get_local_discr(up), now, NULL), 0);
  CU_ASSERT_EQUAL(bfd_table_feed_time(fx.t, now), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(failed), BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(bfd_session_get_state(up), BFD_STATE_UP);
  CU_ASSERT_EQUAL(bt_rec_nth(&fx.c, BT_EV_NH, fx.c.nk[BT_EV_NH] - 1)->nh.action, BFD_NEXTHOP_DOWN);
  CU_ASSERT_PTR_EQUAL(bt_rec_nth(&fx.c, BT_EV_NH, fx.c.nk[BT_EV_NH] - 1)->s, failed);
  i = fx.c.nk[BT_EV_NH];
  bfd_table_del(fx.t);
  /* One clearing UP(DELETED) per session whose nexthop was down: down1,
   * down2, failed. Not up, after (never down), admin (AdminDown). */
  for (; i < fx.c.nk[BT_EV_NH]; i++) {
    CU_ASSERT_EQUAL(bt_rec_nth(&fx.c, BT_EV_NH, i)->nh.action, BFD_NEXTHOP_UP);
    CU_ASSERT_EQUAL(bt_rec_nth(&fx.c, BT_EV_NH, i)->nh.cause, BFD_NH_CAUSE_DELETED);
    seen_d1 += bt_rec_nth(&fx.c, BT_EV_NH, i)->s == down1;
    seen_d2 += bt_rec_nth(&fx.c, BT_EV_NH, i)->s == down2;
    seen_failed += bt_rec_nth(&fx.c, BT_EV_NH, i)->s == failed;
    deleted++;
  }
  CU_ASSERT_EQUAL(deleted, 3);
  CU_ASSERT_EQUAL(seen_d1, 1);
  CU_ASSERT_EQUAL(seen_d2, 1);
  CU_ASSERT_EQUAL(seen_failed, 1);
}

/* Deleting one session: its clearing event, and nobody else's. */
static void test_bfd_table_session_del_event(void) {
  tfx fx;
  bfd_session_key k1 = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000001, 0);
  bfd_session_key k2 = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000002, 0);
  bfd_session *a, *b;
  tfx_open(&fx);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &a, &fx.st, &k1, NULL, T0), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &b, &fx.st, &k2, NULL, T0), 0);
  CU_ASSERT_EQUAL(fx.c.nk[BT_EV_NH], 2);
  CU_ASSERT_EQUAL(bt_rec_nth(&fx.c, BT_EV_NH, 0)->nh.action, BFD_NEXTHOP_DOWN);
  CU_ASSERT_EQUAL(bt_rec_nth(&fx.c, BT_EV_NH, 0)->nh.cause, BFD_NH_CAUSE_CREATED);
  bfd_session_del(a);
  CU_ASSERT_EQUAL(fx.c.nk[BT_EV_NH], 3);
  CU_ASSERT_PTR_EQUAL(bt_rec_nth(&fx.c, BT_EV_NH, 2)->s, a);
  CU_ASSERT_EQUAL(bt_rec_nth(&fx.c, BT_EV_NH, 2)->nh.action, BFD_NEXTHOP_UP);
  CU_ASSERT_EQUAL(bt_rec_nth(&fx.c, BT_EV_NH, 2)->nh.cause, BFD_NH_CAUSE_DELETED);
  /* The key is free again at once: delete then re-add never races. */
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &a, &fx.st, &k1, NULL, T0), 0);
  CU_ASSERT_EQUAL(fx.c.nk[BT_EV_NH], 4);
  CU_ASSERT_EQUAL(bt_rec_nth(&fx.c, BT_EV_NH, 3)->nh.action, BFD_NEXTHOP_DOWN);
  bfd_table_del(fx.t);
  CU_ASSERT_EQUAL(fx.c.nk[BT_EV_NH], 6);
}

/* ------------------------------------------------------------------------ */
/* Allocation failure (nghttp2's failmalloc idea)                           */
/* ------------------------------------------------------------------------ */

/* One scenario touching every allocation point: table_new (3 blocks), adds
 * that grow the heap and both hash arrays, packets, deletes. Returns the
 * number of NOMEM results seen; checks the table stays consistent. */
static int nomem_scenario(const bfd_mem *mem, bt_rec *c) {
  enum { N = 150 };
  bfd_callbacks cb;
  bfd_table *t = NULL;
  bfd_session *s[N];
  bfd_session_settings st = mk_settings(BFD_MODE_SINGLE_HOP, 100000, 100000);
  int rv, nomem = 0;
  unsigned i, added = 0;
  uint64_t now = T0;
  bt_rec_init(c);
  c->rng = 7;
  (void)bt_rec_callbacks(c, &cb, BFD_CALLBACKS_VERSION, BT_CB_NH | BT_CB_RAND);
  rv = bfd_table_new(&t, &cb, mem, c);
  if (rv == BFD_ERR_NOMEM) {
    CU_ASSERT_PTR_NULL(t);
    return 1;
  }
  CU_ASSERT_EQUAL_FATAL(rv, 0);
  for (i = 0; i < N; i++) {
    bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000100u + i, 0);
    unsigned nh_before = c->nk[BT_EV_NH];
    s[i] = (bfd_session *)c;
    rv = bfd_table_add_session(t, &s[i], &st, &k, NULL, now);
    if (rv == BFD_ERR_NOMEM) {
      nomem++;
      CU_ASSERT_PTR_NULL(s[i]);
      CU_ASSERT_PTR_NULL(bfd_table_find_key(t, &k));
      CU_ASSERT_EQUAL(bfd_table_size(t), added);
      CU_ASSERT_EQUAL(c->nk[BT_EV_NH], nh_before); /* no event for a session that never was */
      s[i] = NULL;
      /* The host retries; the allocator works again. */
      rv = bfd_table_add_session(t, &s[i], &st, &k, NULL, now);
    }
    CU_ASSERT_EQUAL_FATAL(rv, 0);
    added++;
    CU_ASSERT_EQUAL(bfd_table_size(t), added);
  }
  for (i = 0; i < N; i++)
    CU_ASSERT_PTR_EQUAL(bfd_table_find_discr(t, bfd_session_get_local_discr(s[i])), s[i]);
  CU_ASSERT_EQUAL(bt_table_drain(t, now), N);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(t), min_deadline(s, N));
  for (i = 0; i < N; i += 3) {
    bfd_session_del(s[i]);
    s[i] = NULL;
  }
  CU_ASSERT_EQUAL(bfd_table_next_deadline(t), min_deadline(s, N));
  bfd_table_del(t);
  return nomem;
}

static void test_bfd_table_nomem_every_allocation(void) {
  bt_mem f;
  bt_rec c;
  long total, n, nomems = 0;
  bt_mem_init(&f);
  CU_ASSERT_EQUAL(nomem_scenario(&f.mem, &c), 0);
  CU_ASSERT_EQUAL(f.live, 0);
  CU_ASSERT_EQUAL(f.live_blocks, 0);
  total = f.calls;
  /* 3 for table_new, 150 sessions, heap 64->128->256, buckets 64->128->256 x2 */
  CU_ASSERT(total >= 3 + 150 + 2 + 4);
  for (n = 1; n <= total; n++) {
    bt_mem_init(&f);
    f.fail_at = n;
    nomems += nomem_scenario(&f.mem, &c) > 0;
    CU_ASSERT_EQUAL(f.failed, 1);
    CU_ASSERT_EQUAL(f.live, 0);
    CU_ASSERT_EQUAL(f.live_blocks, 0);
  }
  /* Every injected failure surfaced as BFD_ERR_NOMEM somewhere. */
  CU_ASSERT_EQUAL(nomems, total);
  printf("\n    %ld allocation points failed one by one\n", total);
}

/* No allocation at all on the packet path: a table allocates when sessions
 * are added, never per packet. */
static void test_bfd_table_no_alloc_per_packet(void) {
  bt_mem f;
  bt_rec c;
  bfd_table *t;
  bfd_session *s[100];
  bfd_session_settings st = mk_settings(BFD_MODE_SINGLE_HOP, 100000, 100000);
  uint64_t now = T0;
  long before;
  unsigned i, step;
  bt_mem_init(&f);
  t = mk_table(&c, &f.mem);
  for (i = 0; i < 100; i++) {
    bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000100u + i, 0);
    CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(t, &s[i], &st, &k, NULL, now), 0);
    bring_up(t, s[i], 100 + i, now);
  }
  before = f.calls;
  for (step = 0; step < 2000; step++) {
    now = bfd_table_next_deadline(t);
    CU_ASSERT_EQUAL(bfd_table_feed_time(t, now), 0);
    (void)bt_table_drain(t, now);
    for (i = 0; i < 100; i++) {
      bfd_session_key k;
      (void)bfd_session_get_key(s[i], &k);
      (void)feed(t, &k, BFD_STATE_UP, 100 + i, bfd_session_get_local_discr(s[i]), now, NULL);
    }
  }
  CU_ASSERT_EQUAL(f.calls, before);
  for (i = 0; i < 100; i++)
    CU_ASSERT_EQUAL(bfd_session_get_state(s[i]), BFD_STATE_UP);
  bfd_table_del(t);
  CU_ASSERT_EQUAL(f.live, 0);
}

/* ------------------------------------------------------------------------ */
/* Discriminators, unnumbered and secondary peers, the table's contract     */
/* ------------------------------------------------------------------------ */

/* A single-hop IPv4 datagram from `peer` to `local` on `ifindex`, TTL 255,
 * all three known. */
static bfd_rx_info rx4(uint32_t local, uint32_t peer, uint32_t ifindex) {
  bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, local, peer, ifindex);
  return bt_ri_key(&k);
}

static int feed_ri(bfd_table *t, const bfd_rx_info *ri, uint8_t state, uint32_t my, uint32_t your,
                   uint64_t now, bfd_session **ps) {
  uint8_t buf[BFD_CTRL_LEN_MAX];
  size_t n = mk_pkt(buf, state, 0, my, your);
  if (ps)
    *ps = NULL;
  return bfd_table_feed_packet(t, buf, n, ri, now, ps);
}

static bfd_session_key key_any(uint32_t local, uint32_t peer, uint32_t ifindex) {
  bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, local, peer, ifindex);
  k.flags = BFD_KEY_ANY_PEER;
  return k;
}

/* bfd_session_get_peer() gives the IPv4 address `v`. */
static int peer_is(const bfd_session *s, uint32_t v) {
  uint8_t got[16], want[16];
  bt_put4(want, v);
  memset(got, 0xee, sizeof(got));
  return bfd_session_get_peer(s, got) == 0 && memcmp(got, want, 16) == 0;
}

/* §6.8.1 LocalDiscr is unique on this system only: a peer that
 * picked ours comes Up through the table. Only our own packets are loops:
 * BFD_RX_SELF, source == destination, or source == the key's local
 * address. */
static void test_bfd_table_same_discr_and_loops(void) {
  tfx fx;
  const uint32_t L = 0x0a000001, P = 0x0a000002, D = 0x1234, D2 = 0x5678;
  bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, L, P, 3);
  bfd_session_key klo = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x7f000001, 0);
  bfd_session *s, *lo, *got;
  bfd_rx_info ri = bt_ri_key(&k), mine;
  tfx_open(&fx);
  fx.st.local_discr = D;
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &s, &fx.st, &k, NULL, T0), 0);
  CU_ASSERT_EQUAL(feed_ri(fx.t, &ri, BFD_STATE_DOWN, D, 0, T0, &got), 0);
  CU_ASSERT_PTR_EQUAL(got, s);
  CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_INIT);
  CU_ASSERT_EQUAL(feed_ri(fx.t, &ri, BFD_STATE_UP, D, D, T0, &got), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_UP);
  CU_ASSERT_EQUAL(bt_status(s).remote_discr, D);
  CU_ASSERT_EQUAL(bfd_session_get_rx_drops(s, BFD_ERR_PKT_LOOPED), 0);
  /* Our own packet: its source is the key's local address (the host did
   * not report the destination). */
  mine = ri;
  mine.flags = BFD_RX_TTL | BFD_RX_PEER;
  memset(mine.local, 0, 16);
  bt_put4(mine.peer, L);
  CU_ASSERT_EQUAL(feed_ri(fx.t, &mine, BFD_STATE_UP, D, D, T0, &got), BFD_ERR_PKT_LOOPED);
  CU_ASSERT_PTR_EQUAL(got, s);
  /* The host knows it is ours (BFD_RX_SELF). */
  mine = ri;
  mine.flags |= BFD_RX_SELF;
  CU_ASSERT_EQUAL(feed_ri(fx.t, &mine, BFD_STATE_UP, D, D, T0, &got), BFD_ERR_PKT_LOOPED);
  CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_UP);
  CU_ASSERT_EQUAL(bfd_session_get_rx_drops(s, BFD_ERR_PKT_LOOPED), 2);
  /* A session to 127.0.0.1 (bfdping's case): source == destination. */
  fx.st.local_discr = D2;
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &lo, &fx.st, &klo, NULL, T0), 0);
  ri = bt_ri_key(&klo);
  bt_put4(ri.local, 0x7f000001);
  CU_ASSERT_EQUAL(feed_ri(fx.t, &ri, BFD_STATE_DOWN, D2, 0, T0, &got), BFD_ERR_PKT_LOOPED);
  CU_ASSERT_PTR_EQUAL(got, lo);
  CU_ASSERT_EQUAL(bfd_session_get_state(lo), BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(bfd_session_get_rx_drops(lo, BFD_ERR_PKT_LOOPED), 1);
  /* ...while another process on this host (another discriminator) is a
   * real peer. */
  CU_ASSERT_EQUAL(feed_ri(fx.t, &ri, BFD_STATE_DOWN, 0x9999, 0, T0, &got), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(lo), BFD_STATE_INIT);
  bfd_table_del(fx.t);
}

/* RFC 5881 §6: on a point-to-point link "the initial BFD packet
 * MUST be accepted with any source address" and later ones "MUST be
 * demultiplexed solely by the Your Discriminator field" ("This allows the
 * source address to change"). An unnumbered session (zero peer,
 * BFD_KEY_ANY_PEER) on ifindex 7 takes the first packet from any source
 * there and sends to that first source until the remote is forgotten
 * (§6.8.1: a Detection Time without packets), whatever source the peer
 * uses meanwhile. */
static void test_bfd_table_any_peer_unnumbered(void) {
  tfx fx;
  const uint32_t L = 0x0a000001, A = 0x0a000009, B = 0x0a00000a;
  bfd_session_key k = key_any(0, 0, 7);
  bfd_session *s, *got;
  bfd_rx_info ra = rx4(L, A, 7), rb = rx4(L, B, 7), bad = rx4(L, 0x0a000008, 7);
  bfd_session_status a, b;
  uint8_t peer[16];
  uint32_t ld;
  tfx_open(&fx);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &s, &fx.st, &k, NULL, T0), 0);
  ld = bfd_session_get_local_discr(s);
  CU_ASSERT_PTR_EQUAL(bfd_table_find_key(fx.t, &k), s);
  CU_ASSERT_EQUAL(bfd_session_get_peer(s, peer), BFD_ERR_NOT_FOUND); /* nowhere to send yet */
  /* A first packet that fails GTSM (RFC 5881 §5) locks nothing. */
  bad.ttl = 254;
  CU_ASSERT_EQUAL(feed_ri(fx.t, &bad, BFD_STATE_DOWN, 800, 0, T0, &got), BFD_ERR_PKT_TTL);
  CU_ASSERT_PTR_EQUAL(got, s);
  CU_ASSERT_EQUAL(bfd_session_get_peer(s, peer), BFD_ERR_NOT_FOUND);
  /* The first accepted one, from 10.0.0.9: Init, locked to 10.0.0.9. */
  CU_ASSERT_EQUAL(feed_ri(fx.t, &ra, BFD_STATE_DOWN, 900, 0, T0, &got), 0);
  CU_ASSERT_PTR_EQUAL(got, s);
  CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_INIT);
  CU_ASSERT(peer_is(s, A));
  CU_ASSERT_EQUAL(feed_ri(fx.t, &ra, BFD_STATE_UP, 900, ld, T0, &got), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_UP);
  /* The source changes: found by Your Discriminator alone and accepted,
   * but the destination stays the first source (RFC 5881 §6: "MUST NOT use
   * that address as the destination"). */
  a = bt_status(s);
  CU_ASSERT_EQUAL(feed_ri(fx.t, &rb, BFD_STATE_UP, 900, ld, T0, &got), 0);
  CU_ASSERT_PTR_EQUAL(got, s);
  b = bt_status(s);
  CU_ASSERT_EQUAL(b.rx_packets, a.rx_packets + 1);
  CU_ASSERT_EQUAL(b.rx_dropped, a.rx_dropped);
  CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_UP);
  CU_ASSERT(peer_is(s, A));
  /* A Your-Discr-0 packet from a third source on the link is demultiplexed
   * to this session too (the source never identifies it); this one fails
   * GTSM there and changes nothing. */
  CU_ASSERT_EQUAL(feed_ri(fx.t, &bad, BFD_STATE_DOWN, 903, 0, T0, &got), BFD_ERR_PKT_TTL);
  CU_ASSERT_PTR_EQUAL(got, s);
  CU_ASSERT(peer_is(s, A));
  /* Another interface: not this session. */
  ra.ifindex = 8;
  CU_ASSERT_EQUAL(feed_ri(fx.t, &ra, BFD_STATE_DOWN, 900, 0, T0, &got), BFD_ERR_PKT_NO_SESSION);
  ra.ifindex = 7;
  /* Detection Time (3 x 100 ms) without packets: Down, remote forgotten,
   * lock released; 10.0.0.10 may now bring it up. */
  CU_ASSERT_EQUAL(bfd_table_feed_time(fx.t, T0 + 300 * MS), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(bt_status(s).remote_discr, 0);
  CU_ASSERT_EQUAL(bfd_session_get_peer(s, peer), BFD_ERR_NOT_FOUND);
  CU_ASSERT_EQUAL(feed_ri(fx.t, &rb, BFD_STATE_DOWN, 901, 0, T0 + 300 * MS, &got), 0);
  CU_ASSERT_PTR_EQUAL(got, s);
  CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_INIT);
  CU_ASSERT(peer_is(s, B));
  /* IPv6 unnumbered: a link-local source. */
  {
    bfd_session_key k6;
    bfd_session *s6;
    bfd_rx_info r6;
    uint8_t want[16];
    memset(&k6, 0, sizeof(k6));
    k6.mode = BFD_MODE_SINGLE_HOP;
    k6.family = BFD_AF_INET6;
    k6.flags = BFD_KEY_ANY_PEER;
    k6.ifindex = 7;
    CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &s6, &fx.st, &k6, NULL, T0 + 300 * MS), 0);
    r6 = bt_ri_key(&k6);
    bt_addr6(r6.peer, 1, 9);
    bt_addr6(r6.local, 1, 1);
    CU_ASSERT_EQUAL(feed_ri(fx.t, &r6, BFD_STATE_DOWN, 902, 0, T0 + 300 * MS, &got), 0);
    CU_ASSERT_PTR_EQUAL(got, s6);
    bt_addr6(want, 1, 9);
    CU_ASSERT_EQUAL(bfd_session_get_peer(s6, peer), 0);
    CU_ASSERT(memcmp(peer, want, 16) == 0);
    CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_INIT); /* the v4 one untouched */
  }
  bfd_table_del(fx.t);
}

/* RFC 5881 §6, secondary addresses: keyed to 10.0.0.2 on ifindex 5 (where it
 * sends first), the peer answers from 10.0.0.9. Exact keys are matched
 * before the ANY_PEER session. */
static void test_bfd_table_any_peer_secondary(void) {
  tfx fx;
  const uint32_t L = 0x0a000001, CFG = 0x0a000002, SEC2 = 0x0a000009, OTHER = 0x0a000003;
  bfd_session_key k = key_any(0, CFG, 5), ke = bt_key4(BFD_MODE_SINGLE_HOP, 0, OTHER, 5);
  bfd_session *s, *e, *got;
  bfd_rx_info rs = rx4(L, SEC2, 5), rc = rx4(L, CFG, 5), ro = rx4(L, OTHER, 5);
  uint32_t ld;
  tfx_open(&fx);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &s, &fx.st, &k, NULL, T0), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &e, &fx.st, &ke, NULL, T0), 0);
  ld = bfd_session_get_local_discr(s);
  CU_ASSERT(peer_is(s, CFG)); /* the initial destination */
  CU_ASSERT(peer_is(e, OTHER));
  CU_ASSERT_EQUAL(feed_ri(fx.t, &ro, BFD_STATE_DOWN, 300, 0, T0, &got), 0);
  CU_ASSERT_PTR_EQUAL(got, e);
  CU_ASSERT_EQUAL(feed_ri(fx.t, &rs, BFD_STATE_DOWN, 900, 0, T0, &got), 0);
  CU_ASSERT_PTR_EQUAL(got, s);
  CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_INIT);
  CU_ASSERT(peer_is(s, CFG)); /* "the address configured at session creation" */
  CU_ASSERT_EQUAL(feed_ri(fx.t, &rs, BFD_STATE_UP, 900, ld, T0, &got), 0);
  CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_UP);
  /* The configured address is a source like any other, by discriminator;
   * the destination is the configured address throughout (RFC 5881 §6). */
  CU_ASSERT_EQUAL(feed_ri(fx.t, &rc, BFD_STATE_UP, 900, ld, T0, &got), 0);
  CU_ASSERT_PTR_EQUAL(got, s);
  CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_UP);
  CU_ASSERT(peer_is(s, CFG));
  CU_ASSERT_EQUAL(bt_status(e).rx_packets, 1);
  CU_ASSERT_EQUAL(bfd_session_get_state(e), BFD_STATE_INIT);
  bfd_table_del(fx.t);
}

/* What an ANY_PEER key (RFC 5881 §6) may be. */
static void test_bfd_table_any_peer_keys(void) {
  tfx fx;
  tfx_open(&fx);
  bfd_session_settings mh = mk_settings(BFD_MODE_MULTIHOP, 100000, 100000);
  bfd_session_key k;
  bfd_session *s = NULL, *x = (bfd_session *)&k;
  unsigned added = 0;
  /* Invalid: multihop, no interface, garbage past an IPv4 address, an
   * unknown flag, padding. */
  k = key_any(0, 0, 7);
  k.mode = BFD_MODE_MULTIHOP;
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &x, &mh, &k, NULL, T0), BFD_ERR_CFG_KEY);
  CU_ASSERT_PTR_NULL(x);
  k = key_any(0, 0, 0);
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &x, &fx.st, &k, NULL, T0), BFD_ERR_CFG_KEY);
  k = key_any(0, 0x0a000002, 0);
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &x, &fx.st, &k, NULL, T0), BFD_ERR_CFG_KEY);
  k = key_any(0, 0, 7);
  k.peer[4] = 1;
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &x, &fx.st, &k, NULL, T0), BFD_ERR_CFG_KEY);
  k = key_any(0, 0, 7);
  k.flags |= 0x80;
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &x, &fx.st, &k, NULL, T0), BFD_ERR_CFG_KEY);
  k = key_any(0, 0, 7);
  k.pad = 1;
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &x, &fx.st, &k, NULL, T0), BFD_ERR_CFG_KEY);
  CU_ASSERT_EQUAL(bfd_table_size(fx.t), 0);
  CU_ASSERT_EQUAL(fx.c.nk[BT_EV_NH], 0);
  /* One ANY_PEER session per (mode, family, ifindex, local). */
  k = key_any(0, 0, 7);
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &s, &fx.st, &k, NULL, T0), 0);
  added++;
  k = key_any(0, 0x0a000002, 7);
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &x, &fx.st, &k, NULL, T0), BFD_ERR_EXISTS);
  CU_ASSERT_PTR_NULL(x);
  k = key_any(0, 0, 7);
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &x, &fx.st, &k, NULL, T0), BFD_ERR_EXISTS);
  /* Other interface, other local address, other family: fine. */
  k = key_any(0, 0x0a000002, 8);
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &x, &fx.st, &k, NULL, T0), 0);
  added++;
  k = key_any(0x0a000001, 0, 7);
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &x, &fx.st, &k, NULL, T0), 0);
  added++;
  memset(&k, 0, sizeof(k));
  k.mode = BFD_MODE_SINGLE_HOP;
  k.family = BFD_AF_INET6;
  k.flags = BFD_KEY_ANY_PEER;
  k.ifindex = 7;
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &x, &fx.st, &k, NULL, T0), 0);
  added++;
  /* An exact key on the same interface is another key. */
  k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000002, 7);
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &x, &fx.st, &k, NULL, T0), 0);
  added++;
  CU_ASSERT_EQUAL(bfd_table_size(fx.t), added);
  CU_ASSERT_EQUAL(fx.c.nk[BT_EV_NH], added); /* one CREATED each, none for the refused */
  /* After deleting it, the interface takes an ANY_PEER session again. */
  bfd_session_del(s);
  k = key_any(0, 0x0a000002, 7);
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &x, &fx.st, &k, NULL, T0), 0);
  bfd_table_del(fx.t);
}

/* Without BFD_RX_PEER the datagram's source is unknown, so a
 * Your-Discr-0 packet can match only an ANY_PEER session, never an exact
 * key through stale bytes in rx_info.peer. */
static void test_bfd_table_no_rx_peer(void) {
  tfx fx;
  bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000002, 0);
  bfd_session_key k4 = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000003, 4), ka = key_any(0, 0, 4);
  bfd_session *s, *s4, *any, *got;
  bfd_rx_info ri = bt_ri_key(&k), ri4 = bt_ri_key(&k4);
  bfd_session_status a;
  tfx_open(&fx);
  ri.flags = (uint8_t)(ri.flags & ~BFD_RX_PEER); /* ri.peer still holds 10.0.0.2 */
  ri4.flags = (uint8_t)(ri4.flags & ~BFD_RX_PEER);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &s, &fx.st, &k, NULL, T0), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &s4, &fx.st, &k4, NULL, T0), 0);
  CU_ASSERT_EQUAL(feed_ri(fx.t, &ri, BFD_STATE_DOWN, 9, 0, T0, &got), BFD_ERR_PKT_NO_SESSION);
  CU_ASSERT_PTR_NULL(got);
  CU_ASSERT_EQUAL(feed_ri(fx.t, &ri4, BFD_STATE_DOWN, 9, 0, T0, &got), BFD_ERR_PKT_NO_SESSION);
  CU_ASSERT_PTR_NULL(got);
  a = bt_status(s);
  CU_ASSERT_EQUAL(a.state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(a.remote_discr, 0);
  CU_ASSERT_EQUAL(a.rx_packets + a.rx_dropped, 0);
  a = bt_status(s4);
  CU_ASSERT_EQUAL(a.state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(a.rx_packets + a.rx_dropped, 0);
  CU_ASSERT_EQUAL(bfd_table_get_rx_drops(fx.t, BFD_ERR_PKT_NO_SESSION), 2);
  /* With an ANY_PEER session on ifindex 4 the same datagram goes there. */
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &any, &fx.st, &ka, NULL, T0), 0);
  CU_ASSERT_EQUAL(feed_ri(fx.t, &ri4, BFD_STATE_DOWN, 9, 0, T0, &got), 0);
  CU_ASSERT_PTR_EQUAL(got, any);
  CU_ASSERT_EQUAL(bfd_session_get_state(any), BFD_STATE_INIT);
  CU_ASSERT_EQUAL(bfd_session_get_state(s4), BFD_STATE_DOWN);
  bfd_table_del(fx.t);
}

/* AdminDown through the table: a packet for an AdminDown session returns
 * BFD_FEED_ADMIN_DOWN (not a drop, §6.8.6) and names the session. */
static void test_bfd_table_admin_down_feed(void) {
  tfx fx;
  bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000002, 0);
  bfd_session *s, *got;
  bfd_session_status a, b;
  size_t i;
  uint64_t tdrops = 0;
  tfx_open(&fx);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &s, &fx.st, &k, NULL, T0), 0);
  bring_up(fx.t, s, 77, T0);
  CU_ASSERT_EQUAL(bfd_session_set_admin_down(s, 1, T0), 0);
  (void)bt_table_drain(fx.t, T0);
  a = bt_status(s);
  CU_ASSERT_EQUAL(feed(fx.t, &k, BFD_STATE_UP, 77, bfd_session_get_local_discr(s), T0 + MS, &got),
                  BFD_FEED_ADMIN_DOWN);
  CU_ASSERT_PTR_EQUAL(got, s);
  CU_ASSERT_EQUAL(feed(fx.t, &k, BFD_STATE_DOWN, 77, 0, T0 + MS, &got), BFD_FEED_ADMIN_DOWN);
  CU_ASSERT_PTR_EQUAL(got, s);
  b = bt_status(s);
  CU_ASSERT_EQUAL(b.state, BFD_STATE_ADMIN_DOWN);
  CU_ASSERT_EQUAL(b.rx_packets, a.rx_packets + 2);
  CU_ASSERT_EQUAL(b.rx_dropped, a.rx_dropped);
  for (i = 0; bfd_pkt_error_at(i) != 0; i++)
    tdrops += bfd_table_get_rx_drops(fx.t, bfd_pkt_error_at(i));
  CU_ASSERT_EQUAL(tdrops, 0);
  bfd_table_del(fx.t);
}

/* bfd_table_add_session(): psession may be NULL; a `now` before the table's clock is
 * BFD_ERR_CLOCK_BACKWARDS (documented) and creates nothing. */
static void test_bfd_table_add_contract(void) {
  tfx fx;
  bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000002, 0);
  bfd_session_key k2 = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000003, 0);
  bfd_session *x = (bfd_session *)&k;
  tfx_open(&fx);
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, NULL, &fx.st, &k, NULL, T0), 0);
  CU_ASSERT_EQUAL(bfd_table_size(fx.t), 1);
  CU_ASSERT_PTR_NOT_NULL(bfd_table_find_key(fx.t, &k));
  CU_ASSERT_EQUAL(fx.c.nk[BT_EV_NH], 1);
  CU_ASSERT_EQUAL(bfd_table_feed_time(fx.t, T0 + 5 * BFD_SECONDS), 0);
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &x, &fx.st, &k2, NULL, T0 + 4 * BFD_SECONDS),
                  BFD_ERR_CLOCK_BACKWARDS);
  CU_ASSERT_PTR_NULL(x);
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, NULL, &fx.st, &k2, NULL, T0),
                  BFD_ERR_CLOCK_BACKWARDS);
  CU_ASSERT_EQUAL(bfd_table_size(fx.t), 1);
  CU_ASSERT_PTR_NULL(bfd_table_find_key(fx.t, &k2));
  CU_ASSERT_EQUAL(fx.c.nk[BT_EV_NH], 1);
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &x, &fx.st, &k2, NULL, T0 + 5 * BFD_SECONDS), 0);
  CU_ASSERT_PTR_EQUAL(bfd_table_find_key(fx.t, &k2), x);
  bfd_table_del(fx.t);
}

/* bfd_table_poll_packet(), as bfd_session_poll_packet(): 0 when nothing is due whatever
 * the buffer; BFD_ERR_NOBUF only for a due packet, which stays due. */
static void test_bfd_table_poll_nothing_due(void) {
  tfx fx;
  bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000002, 0);
  static const size_t lens[] = {0, 1, 24, BFD_CTRL_LEN_MAX - 1};
  uint8_t buf[BFD_CTRL_LEN_MAX];
  bfd_session *s, *ps;
  size_t i;
  tfx_open(&fx);
  for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) /* empty table */
    CU_ASSERT_EQUAL(bfd_table_poll_packet(fx.t, &ps, buf, lens[i], T0), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &s, &fx.st, &k, NULL, T0), 0);
  /* Due at creation: NOBUF, and it stays due. */
  for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
    CU_ASSERT_EQUAL(bfd_table_poll_packet(fx.t, &ps, buf, lens[i], T0), BFD_ERR_NOBUF);
  CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), T0);
  CU_ASSERT_EQUAL(bt_status(s).tx_packets, 0);
  ps = NULL;
  CU_ASSERT_EQUAL(bfd_table_poll_packet(fx.t, &ps, buf, sizeof(buf), T0), BFD_CTRL_LEN);
  CU_ASSERT_PTR_EQUAL(ps, s);
  /* Nothing due (next one in 0.75..1 s): 0 for any size. */
  for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
    CU_ASSERT_EQUAL(bfd_table_poll_packet(fx.t, &ps, buf, lens[i], T0 + MS), 0);
  CU_ASSERT_EQUAL(bfd_table_poll_packet(fx.t, &ps, buf, sizeof(buf), T0 + MS), 0);
  CU_ASSERT(bfd_table_next_deadline(fx.t) > T0 + MS);
  bfd_table_del(fx.t);
}

/* Make libcrypto refuse every digest from now on in this
 * thread, as a FIPS-only provider refuses MD5: a fresh default library
 * context holding only the "null" provider (OpenSSL 3, looked up at run
 * time so the suite builds without libcrypto). */
typedef struct digest_off {
  void *bt_rec, *prov, *prev;
  union {
    void *p;
    void *(*fn)(void *);
  } set0;
  union {
    void *p;
    int (*fn)(void *);
  } unload;
  union {
    void *p;
    void (*fn)(void *);
  } free_ctx;
} digest_off;

static int digests_off(digest_off *d) {
  union {
    void *p;
    void *(*fn)(void);
  } ctx_new;
  union {
    void *p;
    void *(*fn)(void *, const char *);
  } load;
  memset(d, 0, sizeof(*d));
  if (!bfd_crypto_built())
    return 0;
  ctx_new.p = dlsym(RTLD_DEFAULT, "OSSL_LIB_CTX_new");
  load.p = dlsym(RTLD_DEFAULT, "OSSL_PROVIDER_load");
  d->set0.p = dlsym(RTLD_DEFAULT, "OSSL_LIB_CTX_set0_default");
  d->unload.p = dlsym(RTLD_DEFAULT, "OSSL_PROVIDER_unload");
  d->free_ctx.p = dlsym(RTLD_DEFAULT, "OSSL_LIB_CTX_free");
  if (!ctx_new.p || !load.p || !d->set0.p || !d->unload.p || !d->free_ctx.p)
    return 0;
  d->bt_rec = ctx_new.fn();
  d->prov = d->bt_rec ? load.fn(d->bt_rec, "null") : NULL;
  if (!d->prov) {
    if (d->bt_rec)
      d->free_ctx.fn(d->bt_rec);
    return 0;
  }
  d->prev = d->set0.fn(d->bt_rec);
  return bfd_crypto_available(BFD_CRYPTO_SHA1) == BFD_ERR_NOT_BUILT;
}

static void digests_on(digest_off *d) {
  if (!d->bt_rec)
    return;
  (void)d->set0.fn(d->prev);
  (void)d->unload.fn(d->prov);
  d->free_ctx.fn(d->bt_rec);
  d->bt_rec = NULL;
}

/* A session whose packet cannot be built (its digest fails
 * at run time) gets its error reported once per due packet, with
 * *psession set, and its packet is skipped; the other due sessions are
 * served by the next calls, never starved. */
static void test_bfd_table_write_error_no_starvation(void) {
  tfx fx;
  bfd_session_key ka = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000002, 0);
  bfd_session_key kb = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000003, 0);
  bfd_session *a, *b, *ps;
  tfx_open(&fx);
  bfd_auth_key key;
  digest_off d;
  uint8_t buf[BFD_CTRL_LEN_MAX];
  unsigned errs = 0, bpk = 0, calls, steps = 0, bad_instants = 0;
  uint64_t now = T0;
  ptrdiff_t n;
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &a, &fx.st, &ka, NULL, T0), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &b, &fx.st, &kb, NULL, T0), 0);
  memset(&d, 0, sizeof(d));
  memset(&key, 0, sizeof(key));
  key.type = BFD_AUTH_KEYED_SHA1;
  key.key_id = 1;
  key.len = 20;
  memcpy(key.secret, "0123456789abcdefghij", 20);
  if (!bfd_crypto_built() || bfd_session_auth_add_key(a, &key) != 0 || !digests_off(&d)) {
    digests_on(&d);
    printf("\n    SKIPPED: cannot make libcrypto fail at run time in this build\n");
    bfd_table_del(fx.t);
    return;
  }
  /* Both due at T0: one error (a's), b's packet, then 0. */
  for (calls = 0; calls < 8; calls++) {
    ps = NULL;
    n = bfd_table_poll_packet(fx.t, &ps, buf, sizeof(buf), now);
    if (n == 0)
      break;
    if (n < 0) {
      CU_ASSERT_EQUAL(n, BFD_ERR_NOT_BUILT);
      CU_ASSERT_PTR_EQUAL(ps, a);
      errs++;
    } else {
      CU_ASSERT_PTR_EQUAL(ps, b);
      bpk++;
    }
  }
  printf("\n    at T0: %u calls, %u errors, %u packets of the healthy session\n", calls, errs, bpk);
  CU_ASSERT_EQUAL(errs, 1);
  CU_ASSERT_EQUAL(bpk, 1);
  CU_ASSERT(calls < 8);                          /* ended with 0 */
  CU_ASSERT(bfd_session_next_deadline(a) > now); /* its packet was skipped */
  CU_ASSERT(bfd_table_next_deadline(fx.t) > now);
  /* 10 s more: at most one error per instant, b's packets all come out. */
  errs = bpk = 0;
  while (now < T0 + 10 * BFD_SECONDS && ++steps < 100) {
    unsigned e = 0;
    now = bfd_table_next_deadline(fx.t);
    CU_ASSERT_EQUAL(bfd_table_feed_time(fx.t, now), 0);
    for (calls = 0; calls < 8; calls++) {
      n = bfd_table_poll_packet(fx.t, &ps, buf, sizeof(buf), now);
      if (n == 0)
        break;
      if (n < 0)
        e++;
      else
        bpk += ps == b;
    }
    bad_instants += e > 1 || calls == 8;
    errs += e;
    CU_ASSERT(bfd_table_next_deadline(fx.t) > now);
  }
  printf("    10 s: %u errors, %u packets of the healthy session, %u bad instants\n", errs, bpk,
         bad_instants);
  CU_ASSERT(steps < 100);
  CU_ASSERT_EQUAL(bad_instants, 0);
  CU_ASSERT(bpk >= 10 && bpk <= 14); /* 0.75..1 s slow start (§6.8.3) */
  CU_ASSERT(errs >= 10 && errs <= 14);
  /* libcrypto works again: a's next packet goes out signed. */
  digests_on(&d);
  now = bfd_session_next_deadline(a);
  for (calls = 0; calls < 4; calls++) {
    n = bfd_table_poll_packet(fx.t, &ps, buf, sizeof(buf), now);
    if (n <= 0 || ps == a)
      break;
  }
  CU_ASSERT_EQUAL(n, BFD_CTRL_LEN + 28);
  CU_ASSERT_PTR_EQUAL(ps, a);
  CU_ASSERT_EQUAL(buf[1] & BFD_FLAG_A, BFD_FLAG_A);
  bfd_table_del(fx.t);
}

/* Sessions in a table share its clock. A session call at a
 * later time moves the table's clock; an earlier `now` afterwards is
 * BFD_ERR_CLOCK_BACKWARDS for every entry point and changes nothing, and
 * feed_time at the current time processes every expired session. */
static void test_bfd_table_shared_clock(void) {
  enum { N = 4 };
  tfx fx;
  bfd_session *s[N];
  bfd_session_key k;
  const uint64_t later = T0 + 10 * BFD_SECONDS, earlier = T0 + 5 * BFD_SECONDS;
  uint8_t buf[BFD_CTRL_LEN_MAX];
  unsigned i, base, ahead;
  tfx_open(&fx);
  tfx_add_n(&fx, s, N, T0, 3000);
  (void)bt_table_drain(fx.t, T0);
  base = fx.c.nk[BT_EV_STATE];
  CU_ASSERT_EQUAL(bfd_session_update(s[N - 1], &fx.st, later), 0);
  ahead = fx.c.nk[BT_EV_STATE];
  CU_ASSERT_EQUAL(bfd_session_feed_time(s[0], earlier), BFD_ERR_CLOCK_BACKWARDS);
  CU_ASSERT_EQUAL(bfd_session_poll_packet(s[1], buf, sizeof(buf), earlier),
                  BFD_ERR_CLOCK_BACKWARDS);
  CU_ASSERT_EQUAL(bfd_table_feed_time(fx.t, earlier), BFD_ERR_CLOCK_BACKWARDS);
  CU_ASSERT_EQUAL(bfd_table_poll_packet(fx.t, NULL, buf, sizeof(buf), earlier),
                  BFD_ERR_CLOCK_BACKWARDS);
  (void)bfd_session_get_key(s[2], &k);
  CU_ASSERT_EQUAL(
      feed(fx.t, &k, BFD_STATE_UP, 3002, bfd_session_get_local_discr(s[2]), earlier, NULL),
      BFD_ERR_CLOCK_BACKWARDS);
  CU_ASSERT_EQUAL(fx.c.nk[BT_EV_STATE], ahead);
  for (i = 0; i < N - 1; i++)
    CU_ASSERT_EQUAL(bfd_session_get_state(s[i]), BFD_STATE_UP);
  /* At the table's time all four expired (3 x 100 ms long ago), each once. */
  CU_ASSERT_EQUAL(bfd_table_feed_time(fx.t, later), 0);
  CU_ASSERT_EQUAL(fx.c.nk[BT_EV_STATE], base + N);
  for (i = base; i < fx.c.nk[BT_EV_STATE] && i < BT_REC_MAX; i++)
    CU_ASSERT_EQUAL(bt_rec_nth(&fx.c, BT_EV_STATE, i)->st.local_diag, BFD_DIAG_DETECT_EXPIRED);
  for (i = 0; i < N; i++)
    CU_ASSERT_EQUAL(bfd_session_get_state(s[i]), BFD_STATE_DOWN);
  bfd_table_del(fx.t);
}

/* A bad session never stalls the others: when a state callback fails
 * during feed_time, the other expired sessions are still handled and the
 * error comes at the end (bfd.h). */
static void test_bfd_table_feed_time_callback_failure(void) {
  enum { N = 5 };
  tfx fx;
  bfd_session *s[N];
  unsigned i, base;
  tfx_open(&fx);
  tfx_add_n(&fx, s, N, T0, 4000);
  (void)bt_table_drain(fx.t, T0);
  base = fx.c.nk[BT_EV_STATE];
  fx.c.state_rv = 1;
  CU_ASSERT_EQUAL(bfd_table_feed_time(fx.t, T0 + 300 * MS), BFD_ERR_CALLBACK_FAILURE);
  fx.c.state_rv = 0;
  CU_ASSERT_EQUAL(fx.c.nk[BT_EV_STATE], base + N);
  for (i = 0; i < N; i++)
    CU_ASSERT_EQUAL(bfd_session_get_state(s[i]), BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(bfd_table_feed_time(fx.t, T0 + 300 * MS), 0);
  CU_ASSERT_EQUAL(fx.c.nk[BT_EV_STATE], base + N);
  bfd_table_del(fx.t);
}

/* During the CREATED event the session is already in the
 * table; if that callback fails, the host (which got the DOWN) gets the
 * clearing UP(DELETED) before bfd_table_add_session() fails (RFC 5882 §3:
 * no nexthop stays shut down by a session that does not exist). */
static void test_bfd_table_created_callback(void) {
  tfx fx;
  bfd_session_key k1 = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000001, 0);
  bfd_session_key k2 = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000002, 0);
  bfd_session *s, *x = (bfd_session *)&fx.c;
  tfx_open(&fx);
  fx.c.probe = fx.t;
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &s, &fx.st, &k1, NULL, T0), 0);
  CU_ASSERT_EQUAL_FATAL(fx.c.nk[BT_EV_NH], 1);
  CU_ASSERT_EQUAL(bt_rec_nth(&fx.c, BT_EV_NH, 0)->nh.cause, BFD_NH_CAUSE_CREATED);
  CU_ASSERT(bt_rec_nth(&fx.c, BT_EV_NH, 0)->found_discr);
  CU_ASSERT(bt_rec_nth(&fx.c, BT_EV_NH, 0)->found_key);
  fx.c.nh_rv = 1;
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &x, &fx.st, &k2, NULL, T0 + MS),
                  BFD_ERR_CALLBACK_FAILURE);
  fx.c.nh_rv = 0;
  CU_ASSERT_PTR_NULL(x);
  CU_ASSERT_EQUAL(bfd_table_size(fx.t), 1);
  CU_ASSERT_PTR_NULL(bfd_table_find_key(fx.t, &k2));
  CU_ASSERT_EQUAL_FATAL(fx.c.nk[BT_EV_NH], 3);
  CU_ASSERT_EQUAL(bt_rec_nth(&fx.c, BT_EV_NH, 1)->nh.action, BFD_NEXTHOP_DOWN);
  CU_ASSERT_EQUAL(bt_rec_nth(&fx.c, BT_EV_NH, 1)->nh.cause, BFD_NH_CAUSE_CREATED);
  CU_ASSERT_EQUAL(bt_rec_nth(&fx.c, BT_EV_NH, 2)->nh.action, BFD_NEXTHOP_UP);
  CU_ASSERT_EQUAL(bt_rec_nth(&fx.c, BT_EV_NH, 2)->nh.cause, BFD_NH_CAUSE_DELETED);
  CU_ASSERT_EQUAL(bt_rec_nth(&fx.c, BT_EV_NH, 2)->nh.ts, T0 + MS);
  CU_ASSERT_PTR_EQUAL(bt_rec_nth(&fx.c, BT_EV_NH, 2)->s, bt_rec_nth(&fx.c, BT_EV_NH, 1)->s);
  /* Nothing of it is left: the key is free. */
  CU_ASSERT_EQUAL(bfd_table_add_session(fx.t, &x, &fx.st, &k2, NULL, T0 + MS), 0);
  CU_ASSERT_PTR_EQUAL(bfd_table_find_key(fx.t, &k2), x);
  bfd_table_del(fx.t);
}

/* ------------------------------------------------------------------------ */
/* Start pacing (bfd_table_set_start_pacing)                                */
/* ------------------------------------------------------------------------ */

/* Polls everything due at `now`: which sessions of s[0..n) sent (a bit
 * each), every packet a first one. */
static unsigned paced_sent(bfd_table *t, bfd_session **s, unsigned n, uint64_t now) {
  bfd_session *ps;
  unsigned bits = 0, i;
  while (bt_table_poll(t, now, &ps, NULL, NULL) > 0)
    for (i = 0; i < n; i++)
      if (ps == s[i])
        bits |= 1u << i;
  return bits;
}

/* A table paced at `rate` first packets a second, n sessions added at T0. */
static void paced_open(tfx *fx, uint32_t rate, bfd_session **s, unsigned n) {
  tfx_open(fx);
  CU_ASSERT_EQUAL_FATAL(bfd_table_set_start_pacing(fx->t, rate), 0);
  tfx_add_n(fx, s, n, T0, 0);
}

static void test_bfd_table_start_pacing_contract(void) {
  tfx fx;
  bfd_session *s[2];
  tfx_open(&fx);
  CU_ASSERT_EQUAL(bfd_table_set_start_pacing(NULL, 10), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_table_set_start_pacing(fx.t, 1000), 0);
  CU_ASSERT_EQUAL(bfd_table_set_start_pacing(fx.t, BFD_START_PACING_MAX + 1), BFD_ERR_CFG_PACING);
  CU_ASSERT_STRING_EQUAL(bfd_strerror(BFD_ERR_CFG_PACING), "start pacing rate out of range");
  /* Nothing changed: still 1000 a second, one every millisecond. */
  tfx_add_n(&fx, s, 2, T0, 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(s[0]), T0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(s[1]), T0 + MS);
  CU_ASSERT_EQUAL(bfd_table_set_start_pacing(fx.t, BFD_START_PACING_MAX), 0);
  CU_ASSERT_EQUAL(bfd_table_set_start_pacing(fx.t, 0), 0);
  bfd_table_del(fx.t);
}

/* 1000 a second: five sessions added at one instant send their first
 * packets 1 ms apart, in the order added, and the table's deadline says
 * when; a session added after the queue has drained sends at once. */
static void test_bfd_table_start_pacing_spreads(void) {
  tfx fx;
  bfd_session *s[6];
  unsigned i;
  paced_open(&fx, 1000, s, 5);
  for (i = 0; i < 5; i++) {
    CU_ASSERT_EQUAL(bfd_session_next_deadline(s[i]), T0 + i * MS);
    CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), T0 + i * MS);
    if (i > 0) /* not a moment early */
      CU_ASSERT_EQUAL(paced_sent(fx.t, s, 5, T0 + i * MS - 1), 0);
    CU_ASSERT_EQUAL(paced_sent(fx.t, s, 5, T0 + i * MS), 1u << i);
    CU_ASSERT_EQUAL(bt_status(s[i]).tx_packets, 1);
  }
  /* Each then runs its own slow schedule (§6.8.3: >= 1 s while not Up,
   * 75-100 % jitter): nothing more within 0.75 s of its first. */
  CU_ASSERT_EQUAL(paced_sent(fx.t, s, 5, T0 + 750 * MS - 1), 0);
  {
    bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000200u, 0);
    CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &s[5], &fx.st, &k, NULL, T0 + 750 * MS), 0);
    CU_ASSERT_EQUAL(bfd_session_next_deadline(s[5]), T0 + 750 * MS);
  }
  bfd_table_del(fx.t);
}

/* A waiting session that hears its peer answers at once (§6.8.7) and its
 * slot goes unused; passive sessions take no slot; pacing off: the
 * sessions already waiting keep their slots, new ones send at once. */
static void test_bfd_table_start_pacing_rules(void) {
  tfx fx;
  bfd_session *s[4], *got;
  bfd_session_key kp = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000300u, 0);
  bfd_session_key k3 = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000301u, 0);
  bfd_session_key k1 = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000101u, 0);
  bfd_session_settings passive;
  tfx_open(&fx);
  passive = fx.st;
  passive.passive = 1;
  CU_ASSERT_EQUAL(bfd_table_set_start_pacing(fx.t, 100), 0); /* one every 10 ms */
  tfx_add_n(&fx, s, 2, T0, 0);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &s[2], &passive, &kp, NULL, T0), 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(s[2]), BFD_TSTAMP_NONE);
  CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &s[3], &fx.st, &k3, NULL, T0), 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(s[1]), T0 + 10 * MS);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(s[3]),
                  T0 + 20 * MS); /* not 30: the passive one took none */
  /* s[1]'s peer speaks first: s[1] goes Init and answers now. */
  CU_ASSERT_EQUAL(feed(fx.t, &k1, BFD_STATE_DOWN, 0x5001u, 0, T0 + MS, &got), 0);
  CU_ASSERT_PTR_EQUAL(got, s[1]);
  CU_ASSERT_EQUAL(bt_status(s[1]).state, BFD_STATE_INIT);
  CU_ASSERT_EQUAL(paced_sent(fx.t, s, 4, T0 + MS), 1u << 0 | 1u << 1);
  /* Off: s[3] keeps its slot, a new session goes at once. */
  CU_ASSERT_EQUAL(bfd_table_set_start_pacing(fx.t, 0), 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(s[3]), T0 + 20 * MS);
  {
    bfd_session *n;
    bfd_session_key k = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000302u, 0);
    CU_ASSERT_EQUAL_FATAL(bfd_table_add_session(fx.t, &n, &fx.st, &k, NULL, T0 + 2 * MS), 0);
    CU_ASSERT_EQUAL(bfd_session_next_deadline(n), T0 + 2 * MS);
  }
  CU_ASSERT_EQUAL(paced_sent(fx.t, s, 4, T0 + 20 * MS), 1u << 3);
  bfd_table_del(fx.t);
}

/* The gap is rounded up: 3 a second is 333,333,334 ns apart, never four
 * in one second. */
static void test_bfd_table_start_pacing_rounding(void) {
  tfx fx;
  bfd_session *s[4];
  unsigned i;
  paced_open(&fx, 3, s, 4);
  for (i = 0; i < 4; i++)
    CU_ASSERT_EQUAL(bfd_session_next_deadline(s[i]), T0 + i * 333333334u);
  bfd_table_del(fx.t);
}

/* A host that polls late (a stall of 10 ms) still gets one first packet
 * per slot: the one found due goes out, the others take the next free
 * slots, in order; a session that heard its peer in between answers at
 * once. */
static void test_bfd_table_start_pacing_late_poll(void) {
  tfx fx;
  bfd_session *s[5], *got;
  bfd_session_key k4 = bt_key4(BFD_MODE_SINGLE_HOP, 0, 0x0a000104u, 0);
  unsigned i;
  paced_open(&fx, 1000, s, 5);
  CU_ASSERT_EQUAL(feed(fx.t, &k4, BFD_STATE_DOWN, 0x5004u, 0, T0 + 10 * MS, &got), 0);
  CU_ASSERT_PTR_EQUAL(got, s[4]);
  CU_ASSERT_EQUAL(paced_sent(fx.t, s, 5, T0 + 10 * MS), 1u << 0 | 1u << 4);
  for (i = 1; i < 4; i++) {
    CU_ASSERT_EQUAL(bfd_session_next_deadline(s[i]), T0 + (10 + i) * MS);
    CU_ASSERT_EQUAL(bfd_table_next_deadline(fx.t), T0 + (10 + i) * MS);
    CU_ASSERT_EQUAL(paced_sent(fx.t, s, 5, T0 + (10 + i) * MS), 1u << i);
  }
  bfd_table_del(fx.t);
}

static CU_TestInfo tests[] = {
    {"demux by Your Discriminator", test_bfd_table_demux_discr},
    {"demux wildcard order", test_bfd_table_demux_wildcard_order},
    {"demux mode and peer", test_bfd_table_demux_mode_peer},
    {"IPv6 link-local per ifindex", test_bfd_table_v6_link_local_per_ifindex},
    {"multihop per local address", test_bfd_table_multihop_per_local},
    {"IPv4 normalisation", test_bfd_table_ipv4_normalisation},
    {"invalid keys", test_bfd_table_invalid_keys},
    {"EXISTS", test_bfd_table_exists},
    {"random discriminators 100k", test_bfd_table_random_discr_100k},
    {"discriminators from a bad generator", test_bfd_table_discr_bad_generator},
    {"find_discr/find_key", test_bfd_table_find},
    {"drop counters", test_bfd_table_drop_counters},
    {"poll drains exactly", test_bfd_table_poll_drains_exactly},
    {"feed_time then poll", test_bfd_table_feed_time_then_poll},
    {"delete while due", test_bfd_table_del_while_due},
    {"direct session calls", test_bfd_table_direct_session_calls},
    {"deadline invariant (random)", test_bfd_table_deadline_invariant_random},
    {"deadline exact while due", test_bfd_table_deadline_exact_when_due},
    {"slow start after Down during a Poll", test_bfd_table_slow_start_after_down_during_poll},
    {"table_del clears nexthops", test_bfd_table_del_clears_nexthops},
    {"session_del event", test_bfd_table_session_del_event},
    {"NOMEM at every allocation", test_bfd_table_nomem_every_allocation},
    {"no allocation per packet", test_bfd_table_no_alloc_per_packet},
    {"same discriminator as ours; loops", test_bfd_table_same_discr_and_loops},
    {"ANY_PEER unnumbered", test_bfd_table_any_peer_unnumbered},
    {"ANY_PEER secondary address", test_bfd_table_any_peer_secondary},
    {"ANY_PEER keys", test_bfd_table_any_peer_keys},
    {"Your Discr 0 without BFD_RX_PEER", test_bfd_table_no_rx_peer},
    {"AdminDown feed", test_bfd_table_admin_down_feed},
    {"add_session contract", test_bfd_table_add_contract},
    {"poll with nothing due", test_bfd_table_poll_nothing_due},
    {"write error does not starve", test_bfd_table_write_error_no_starvation},
    {"shared clock", test_bfd_table_shared_clock},
    {"feed_time callback failure", test_bfd_table_feed_time_callback_failure},
    {"CREATED callback", test_bfd_table_created_callback},
    {"start pacing contract", test_bfd_table_start_pacing_contract},
    {"start pacing spreads first packets", test_bfd_table_start_pacing_spreads},
    {"start pacing: peer first, passive, off", test_bfd_table_start_pacing_rules},
    {"start pacing rounds the gap up", test_bfd_table_start_pacing_rounding},
    {"start pacing when the host polls late", test_bfd_table_start_pacing_late_poll},
    CU_TEST_INFO_NULL};

int main(void) { return bfd_test_run_suite("table", tests); }
