/* Session core: RFC 5880 §6.2/§6.8 state machine, timer negotiation, jitter,
 * Poll/Final, detection, AdminDown, RFC 5882 nexthop events and the error
 * contract, all driven through the public API on a virtual clock. */
#include "bfd_harness.h"
#include "bfd_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define US     BFD_MICROSECONDS
#define MS     BFD_MILLISECONDS
#define SEC    BFD_SECONDS
#define T0     BT_T0
#define LDISCR BT_LDISCR
#define RDISCR BT_RDISCR

/* The fixture is bt_fx (test/harness/bt_fx.h): one session, a scripted
 * peer advertising 300 ms / 300 ms x 3, single-hop rx info, `now`. */

/* ------------------------------------------------------------------------ */
/* 1. Transition table (§6.2, §6.8.6)                                       */
/* ------------------------------------------------------------------------ */

/* The diag the peer sends with each state (checked as remote_diag). */
static uint8_t peer_diag_for(uint8_t st) {
  static const uint8_t d[4] = {BFD_DIAG_ADMIN_DOWN, BFD_DIAG_DETECT_EXPIRED, BFD_DIAG_NONE,
                               BFD_DIAG_NONE};
  return d[st];
}

static void test_fsm_table(void) {
  static const struct {
    uint8_t local, rcvd, state, diag;
  } t[] = {
      /* §6.8.6: AdminDown discards every packet. */
      {BFD_STATE_ADMIN_DOWN, BFD_STATE_ADMIN_DOWN, BFD_STATE_ADMIN_DOWN, BFD_DIAG_ADMIN_DOWN},
      {BFD_STATE_ADMIN_DOWN, BFD_STATE_DOWN, BFD_STATE_ADMIN_DOWN, BFD_DIAG_ADMIN_DOWN},
      {BFD_STATE_ADMIN_DOWN, BFD_STATE_INIT, BFD_STATE_ADMIN_DOWN, BFD_DIAG_ADMIN_DOWN},
      {BFD_STATE_ADMIN_DOWN, BFD_STATE_UP, BFD_STATE_ADMIN_DOWN, BFD_DIAG_ADMIN_DOWN},
      /* Down: AdminDown/Up ignored, Down -> Init, Init -> Up. */
      {BFD_STATE_DOWN, BFD_STATE_ADMIN_DOWN, BFD_STATE_DOWN, BFD_DIAG_NONE},
      {BFD_STATE_DOWN, BFD_STATE_DOWN, BFD_STATE_INIT, BFD_DIAG_NONE},
      {BFD_STATE_DOWN, BFD_STATE_INIT, BFD_STATE_UP, BFD_DIAG_NONE},
      {BFD_STATE_DOWN, BFD_STATE_UP, BFD_STATE_DOWN, BFD_DIAG_NONE},
      /* Init: AdminDown -> Down diag 3, Down ignored, Init/Up -> Up. */
      {BFD_STATE_INIT, BFD_STATE_ADMIN_DOWN, BFD_STATE_DOWN, BFD_DIAG_NEIGHBOR_DOWN},
      {BFD_STATE_INIT, BFD_STATE_DOWN, BFD_STATE_INIT, BFD_DIAG_NONE},
      {BFD_STATE_INIT, BFD_STATE_INIT, BFD_STATE_UP, BFD_DIAG_NONE},
      {BFD_STATE_INIT, BFD_STATE_UP, BFD_STATE_UP, BFD_DIAG_NONE},
      /* Up: AdminDown/Down -> Down diag 3, Init/Up stay. */
      {BFD_STATE_UP, BFD_STATE_ADMIN_DOWN, BFD_STATE_DOWN, BFD_DIAG_NEIGHBOR_DOWN},
      {BFD_STATE_UP, BFD_STATE_DOWN, BFD_STATE_DOWN, BFD_DIAG_NEIGHBOR_DOWN},
      {BFD_STATE_UP, BFD_STATE_INIT, BFD_STATE_UP, BFD_DIAG_NONE},
      {BFD_STATE_UP, BFD_STATE_UP, BFD_STATE_UP, BFD_DIAG_NONE},
  };
  size_t i;
  for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    bt_fx f;
    bfd_session_status a, b;
    int rv, changed;
    bt_fx_new(&f);
    bt_fx_reach(&f, t[i].local);
    f.now += 10 * MS;
    bt_rec_clear(&f.rec);
    a = bt_fx_status(&f);
    f.peer.diag = peer_diag_for(t[i].rcvd);
    rv = bt_fx_rx(&f, t[i].rcvd, 0);
    b = bt_fx_status(&f);
    /* §6.8.6: a packet received while AdminDown updated the remote
     * variables and was then discarded: BFD_FEED_ADMIN_DOWN, counted as
     * received, not as a drop. */
    CU_ASSERT_EQUAL(rv, t[i].local == BFD_STATE_ADMIN_DOWN ? BFD_FEED_ADMIN_DOWN : 0);
    CU_ASSERT_EQUAL(b.rx_packets, a.rx_packets + 1);
    CU_ASSERT_EQUAL(b.rx_dropped, a.rx_dropped);
    CU_ASSERT_EQUAL(bfd_session_get_rx_drops(f.s, BFD_ERR_PKT_ADMIN_DOWN), 0);
    if (b.state != t[i].state || b.local_diag != t[i].diag)
      fprintf(stderr, "\nFSM row %zu: local %u rcvd %u -> %u diag %u, expected %u diag %u\n", i,
              t[i].local, t[i].rcvd, b.state, b.local_diag, t[i].state, t[i].diag);
    CU_ASSERT_EQUAL(b.state, t[i].state);
    CU_ASSERT_EQUAL(b.local_diag, t[i].diag);
    /* The remote's variables are taken from any packet that passed
     * §6.8.6 up to the AdminDown discard. */
    CU_ASSERT_EQUAL(b.remote_state, t[i].rcvd);
    CU_ASSERT_EQUAL(b.remote_diag, peer_diag_for(t[i].rcvd));
    CU_ASSERT_EQUAL(b.remote_discr, RDISCR);
    changed = t[i].state != t[i].local;
    CU_ASSERT_EQUAL(bt_rec_count(&f.rec, 0, BT_EV_STATE), changed ? 1u : 0u);
    if (changed) {
      CU_ASSERT_EQUAL(b.change_seq, a.change_seq + 1);
      CU_ASSERT_EQUAL(b.last_change, f.now);
      CU_ASSERT_EQUAL(f.rec.ev[0].kind, BT_EV_STATE);
      CU_ASSERT_EQUAL(f.rec.ev[0].st.old_state, t[i].local);
      CU_ASSERT_EQUAL(f.rec.ev[0].st.new_state, t[i].state);
      CU_ASSERT_EQUAL(f.rec.ev[0].st.local_diag, t[i].diag);
      CU_ASSERT_EQUAL(f.rec.ev[0].st.remote_state, t[i].rcvd);
      CU_ASSERT_EQUAL(f.rec.ev[0].st.remote_diag, peer_diag_for(t[i].rcvd));
      CU_ASSERT_EQUAL(f.rec.ev[0].st.change_seq, b.change_seq);
      CU_ASSERT_EQUAL(f.rec.ev[0].st.ts, f.now);
    } else {
      CU_ASSERT_EQUAL(b.change_seq, a.change_seq);
      CU_ASSERT_EQUAL(b.last_change, a.last_change);
    }
    bt_fx_del(&f);
  }
}

/* A Down session keeps its old diag when a peer AdminDown arrives (§6.8.6:
 * only "if bfd.SessionState is not Down"), and emits nothing. */
static void test_fsm_down_keeps_diag(void) {
  bt_fx f;
  bt_fx_new(&f);
  bt_fx_up_settled(&f);
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_DOWN, 0), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(bt_fx_status(&f).local_diag, BFD_DIAG_NEIGHBOR_DOWN);
  bt_rec_clear(&f.rec);
  f.now += MS;
  f.peer.diag = BFD_DIAG_ADMIN_DOWN;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_ADMIN_DOWN, 0), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(bt_fx_status(&f).local_diag, BFD_DIAG_NEIGHBOR_DOWN);
  CU_ASSERT_EQUAL(f.rec.n_all, 0);
  bt_fx_del(&f);
}

/* Local AdminDown never leaves by packet, whatever arrives, however often;
 * a Poll received while AdminDown gets no Final (§6.8.6: discarded before
 * the P bit is looked at). */
static void test_fsm_admin_down_sticky(void) {
  bt_fx f;
  unsigned i;
  uint32_t seq;
  uint8_t fl, all = 0;
  bfd_session_status a;
  bt_fx_new(&f);
  bt_fx_up_settled(&f);
  bt_fx_reach(&f, BFD_STATE_ADMIN_DOWN);
  a = bt_fx_status(&f);
  seq = a.change_seq;
  bt_rec_clear(&f.rec);
  for (i = 0; i < 400; i++) {
    f.now += MS;
    f.peer.your = (i & 4) ? LDISCR : 0;
    CU_ASSERT_EQUAL(
        bt_fx_rx(&f, (uint8_t)((i & 4) ? i & 3 : i & 1), (uint8_t)((i & 8) ? BFD_FLAG_P : 0)),
        BFD_FEED_ADMIN_DOWN);
    bt_fx_drain(&f, &fl, NULL);
    all |= fl;
    CU_ASSERT_EQUAL(bfd_session_get_state(f.s), BFD_STATE_ADMIN_DOWN);
  }
  CU_ASSERT_EQUAL(bt_fx_status(&f).change_seq, seq);
  CU_ASSERT_EQUAL(bt_fx_status(&f).rx_packets, a.rx_packets + 400);
  CU_ASSERT_EQUAL(bt_fx_status(&f).rx_dropped, a.rx_dropped);
  CU_ASSERT_EQUAL(bt_fx_status(&f).finals_sent, a.finals_sent);
  CU_ASSERT_EQUAL(all & BFD_FLAG_F, 0);
  CU_ASSERT_EQUAL(bfd_session_get_rx_drops(f.s, BFD_ERR_PKT_ADMIN_DOWN), 0);
  CU_ASSERT_EQUAL(f.rec.n_all, 0);
  bt_fx_del(&f);
}

/* ------------------------------------------------------------------------ */
/* 2. Rejections: a packet that fails changes nothing (§6.8.6)              */
/* ------------------------------------------------------------------------ */

/* Sets the A bit of the 24-byte packet in buf and appends a Simple Password
 * section (§4.2: Key ID 1, the one-byte password pw): 28 bytes. */
static size_t add_simple_auth(uint8_t *buf, char pw) {
  buf[1] |= BFD_FLAG_A;
  buf[3] = 28;
  buf[24] = BFD_AUTH_SIMPLE;
  buf[25] = 4;
  buf[26] = 1;
  buf[27] = (uint8_t)pw;
  return 28;
}

/* Feed buf and require: return `err`; status identical except rx_dropped
 * +1; that reason's counter +1 and no other; deadline unchanged; no event. */
static void expect_reject(bt_fx *f, const uint8_t *buf, size_t len, const bfd_rx_info *ri, int err,
                          const char *what) {
  bfd_session_status a, b;
  int reasons[BT_DROP_MAX];
  uint64_t drops[BT_DROP_MAX], admin_down;
  uint64_t dl = bfd_session_next_deadline(f->s);
  size_t i, nr = bt_drop_reasons(reasons);
  int rv;
  a = bt_fx_status(f);
  for (i = 0; i < nr; i++)
    drops[i] = bfd_session_get_rx_drops(f->s, reasons[i]);
  admin_down = bfd_session_get_rx_drops(f->s, BFD_ERR_PKT_ADMIN_DOWN);
  bt_rec_clear(&f->rec);
  f->now += 1 * MS; /* stays well before any deadline */
  rv = bfd_session_feed_packet(f->s, buf, len, ri, f->now);
  if (rv != err)
    fprintf(stderr, "\nreject %s: got %d expected %d\n", what, rv, err);
  CU_ASSERT_EQUAL(rv, err);
  b = bt_fx_status(f);
  CU_ASSERT_EQUAL(b.rx_dropped, a.rx_dropped + 1);
  b.rx_dropped = a.rx_dropped;
  CU_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f->s), dl);
  CU_ASSERT_EQUAL(f->rec.n_all, 0);
  /* That reason's counter +1 and no other (bfd_pkt_error_at() lists them;
   * BFD_ERR_PKT_ADMIN_DOWN still has a slot but is no longer a drop). */
  for (i = 0; i < nr; i++)
    CU_ASSERT_EQUAL(bfd_session_get_rx_drops(f->s, reasons[i]),
                    drops[i] + (reasons[i] == err ? 1 : 0));
  CU_ASSERT_EQUAL(bfd_session_get_rx_drops(f->s, BFD_ERR_PKT_ADMIN_DOWN), admin_down);
}

/* Every rejection class against a session in `state` (AdminDown entered
 * from Up, so the remote variables, detection timer and a Poll are live). */
static void rejections_in(uint8_t state) {
  bt_fx f;
  uint8_t buf[64], good[64];
  bfd_rx_info ri;
  size_t n;
  uint8_t rs;
  bt_fx_new(&f);
  if (state == BFD_STATE_UP || state == BFD_STATE_ADMIN_DOWN)
    bt_fx_up_settled(&f);
  if (state != BFD_STATE_UP)
    bt_fx_reach(&f, state);
  n = bt_fx_build(&f, BFD_STATE_UP, 0, 0, good);
  CU_ASSERT_EQUAL_FATAL(n, 24);

  /* Codec classes (§6.8.6 first paragraph), via bfd_session_feed_packet. */
  memcpy(buf, good, n);
  expect_reject(&f, buf, 23, &f.ri, BFD_ERR_PKT_TRUNCATED, "truncated");
  memcpy(buf, good, n);
  buf[0] = (uint8_t)((2u << 5) | (buf[0] & 0x1f));
  expect_reject(&f, buf, n, &f.ri, BFD_ERR_PKT_VERSION, "version");
  memcpy(buf, good, n);
  buf[3] = 23;
  expect_reject(&f, buf, n, &f.ri, BFD_ERR_PKT_LENGTH_SHORT, "length short");
  memcpy(buf, good, n);
  buf[3] = 25;
  expect_reject(&f, buf, n, &f.ri, BFD_ERR_PKT_LENGTH_LONG, "length long");
  memcpy(buf, good, n);
  buf[2] = 0;
  expect_reject(&f, buf, n, &f.ri, BFD_ERR_PKT_DETECT_MULT, "detect mult");
  memcpy(buf, good, n);
  buf[1] |= BFD_FLAG_M;
  expect_reject(&f, buf, n, &f.ri, BFD_ERR_PKT_MULTIPOINT, "multipoint");
  memcpy(buf, good, n);
  memset(buf + 4, 0, 4);
  expect_reject(&f, buf, n, &f.ri, BFD_ERR_PKT_MY_DISCR, "my discr");
  memcpy(buf, good, n);
  buf[1] |= BFD_FLAG_P | BFD_FLAG_F;
  expect_reject(&f, buf, n, &f.ri, BFD_ERR_PKT_POLL_FINAL, "P+F");
  memcpy(buf, good, n); /* A bit, Auth Type 0 (reserved) */
  buf[1] |= BFD_FLAG_A;
  buf[3] = 27;
  buf[24] = 0;
  buf[25] = 3;
  buf[26] = 1;
  expect_reject(&f, buf, 27, &f.ri, BFD_ERR_PKT_AUTH_TYPE, "auth type");
  memcpy(buf, good, n); /* Keyed SHA1 with Auth Len 24 */
  buf[1] |= BFD_FLAG_A;
  buf[3] = 48;
  memset(buf + 24, 0, 24);
  buf[24] = BFD_AUTH_KEYED_SHA1;
  buf[25] = 24;
  expect_reject(&f, buf, 48, &f.ri, BFD_ERR_PKT_AUTH_LEN, "auth len");

  /* Session context (§6.8.6 second part, RFC 5881 §5). */
  f.peer.your = LDISCR ^ 1;
  n = bt_fx_build(&f, BFD_STATE_UP, 0, 0, buf);
  expect_reject(&f, buf, n, &f.ri, BFD_ERR_PKT_NO_SESSION, "wrong your discr");
  f.peer.your = 0;
  for (rs = BFD_STATE_INIT; rs <= BFD_STATE_UP; rs++) {
    n = bt_fx_build(&f, rs, 0, 0, buf);
    expect_reject(&f, buf, n, &f.ri, BFD_ERR_PKT_YOUR_DISCR, "your discr 0 init/up");
  }
  f.peer.your = LDISCR;
  memcpy(buf, good, 24);
  n = add_simple_auth(buf, 'x');
  expect_reject(&f, buf, n, &f.ri, BFD_ERR_PKT_AUTH_MISMATCH, "A bit without auth");
  ri = f.ri;
  ri.ttl = 254;
  expect_reject(&f, good, 24, &ri, BFD_ERR_PKT_TTL, "ttl 254");
  ri = f.ri;
  ri.flags = 0; /* TTL unknown: fails the GTSM floor */
  expect_reject(&f, good, 24, &ri, BFD_ERR_PKT_TTL, "no ttl info");
  ri = f.ri;
  ri.mode = BFD_MODE_MULTIHOP;
  expect_reject(&f, good, 24, &ri, BFD_ERR_PKT_MODE, "mode");
  /* Our own packet looped back: My Discr is ours AND the host says the
   * packet is ours (BFD_RX_SELF: sent by our own socket), or its source is
   * its destination address. Accepting it would bring the session Up with
   * itself. A peer that merely picked our discriminator is not a loop
   * (§6.8.1 asks uniqueness on this system only): see
   * test_same_discr_peer_comes_up. */
  {
    uint32_t my = f.peer.my, your = f.peer.your;
    bfd_rx_info self = f.ri, same = f.ri;
    self.flags |= BFD_RX_SELF;
    same.flags |= BFD_RX_PEER | BFD_RX_LOCAL;
    bt_put4(same.local, 0x7f000001u);
    bt_put4(same.peer, 0x7f000001u);
    f.peer.my = LDISCR;
    f.peer.your = 0;
    n = bt_fx_build(&f, BFD_STATE_DOWN, 0, 0, buf);
    expect_reject(&f, buf, n, &self, BFD_ERR_PKT_LOOPED, "looped (RX_SELF), your discr 0");
    expect_reject(&f, buf, n, &same, BFD_ERR_PKT_LOOPED, "looped (peer == local), your discr 0");
    f.peer.your = LDISCR;
    n = bt_fx_build(&f, BFD_STATE_UP, 0, 0, buf);
    expect_reject(&f, buf, n, &self, BFD_ERR_PKT_LOOPED, "looped (RX_SELF), your discr ours");
    expect_reject(&f, buf, n, &same, BFD_ERR_PKT_LOOPED, "looped (peer == local), your discr ours");
    f.peer.my = my;
    f.peer.your = your;
  }
  /* Each class once more from a different "attacker" state: a forged Down
   * with the wrong discriminator must not take a session Down. */
  f.peer.your = 0xdeadbeef;
  n = bt_fx_build(&f, BFD_STATE_DOWN, BFD_FLAG_P, 0, buf);
  expect_reject(&f, buf, n, &f.ri, BFD_ERR_PKT_NO_SESSION, "forged down");
  bt_fx_del(&f);
}

static void test_reject_up(void) { rejections_in(BFD_STATE_UP); }
static void test_reject_init(void) { rejections_in(BFD_STATE_INIT); }
static void test_reject_down(void) { rejections_in(BFD_STATE_DOWN); }
static void test_reject_admin_down(void) { rejections_in(BFD_STATE_ADMIN_DOWN); }

/* RFC 5883: multihop with a configured floor of 10: ttl 9 fails, 10 passes;
 * a single-hop packet on the multihop session is a mode mismatch. */
static void test_reject_multihop_ttl(void) {
  bt_fx f;
  uint8_t buf[64];
  size_t n;
  bfd_rx_info ri;
  bt_fx_init(&f);
  f.st.mode = BFD_MODE_MULTIHOP;
  f.st.min_rx_ttl = 10;
  f.ri.mode = BFD_MODE_MULTIHOP;
  f.ri.ttl = 9;
  bt_fx_start(&f);
  n = bt_fx_build(&f, BFD_STATE_DOWN, 0, 0, buf);
  expect_reject(&f, buf, n, &f.ri, BFD_ERR_PKT_TTL, "multihop ttl 9");
  ri = f.ri;
  ri.flags = 0;
  ri.ttl = 200;
  expect_reject(&f, buf, n, &ri, BFD_ERR_PKT_TTL, "multihop no ttl info");
  ri = f.ri;
  ri.mode = BFD_MODE_SINGLE_HOP;
  ri.ttl = 255;
  expect_reject(&f, buf, n, &ri, BFD_ERR_PKT_MODE, "single-hop on multihop");
  f.ri.ttl = 10;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_DOWN, 0), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_INIT);
  bt_fx_del(&f);

  /* Default multihop floor is 1: any TTL, even without TTL info. */
  bt_fx_init(&f);
  f.st.mode = BFD_MODE_MULTIHOP;
  f.ri.mode = BFD_MODE_MULTIHOP;
  f.ri.ttl = 1;
  bt_fx_start(&f);
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_DOWN, 0), 0);
  f.ri.flags = 0;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_INIT, 0), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_UP);
  bt_fx_del(&f);
}

/* ------------------------------------------------------------------------ */
/* 3. Timer negotiation (§6.8.3, §6.8.4, §6.8.7)                            */
/* ------------------------------------------------------------------------ */

static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* After sending at `now`, the next TX must come within [75 %, 100 %] of
 * `iv` (no detection deadline earlier: callers make it long). */
static void check_next_gap(bt_fx *f, uint64_t iv) {
  uint64_t dl = bfd_session_next_deadline(f->s);
  CU_ASSERT(dl >= f->now + iv - iv / 4);
  CU_ASSERT(dl <= f->now + iv);
}

/* A TX interval case: our Desired Min TX, the remote's Required Min RX, the
 * interval that must result. */
typedef struct tx_case {
  uint32_t cfg_tx_us, remote_rx_us;
  uint64_t iv;
} tx_case;

/* Runs `check` on a session for each case (the remote's TX 10 s: a 30 s
 * Detection Time keeps detection out of the way), then deletes it. */
static void each_tx_case(const tx_case *t, size_t n, void (*check)(bt_fx *, const tx_case *)) {
  size_t i;
  for (i = 0; i < n; i++) {
    bt_fx f;
    bt_fx_init_timers(&f, t[i].cfg_tx_us, 0, 10000000, t[i].remote_rx_us);
    bt_fx_start(&f);
    check(&f, &t[i]);
    bt_fx_del(&f);
  }
}

static void tx_not_up(bt_fx *f, const tx_case *c) {
  bfd_ctrl_pkt p;
  /* Before the remote is known: remote RequiredMinRx is 1 µs (§6.8.1). */
  CU_ASSERT_EQUAL(bt_fx_status(f).tx_interval_ns, max64(c->cfg_tx_us * US, SEC));
  CU_ASSERT_EQUAL(bt_fx_status(f).detect_time_ns, 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f->s), T0); /* first packet at creation */
  CU_ASSERT_EQUAL(bt_fx_tx(f, &p), 24);
  CU_ASSERT_EQUAL(p.desired_min_tx_us, c->cfg_tx_us > 1000000 ? c->cfg_tx_us : 1000000);
  CU_ASSERT_EQUAL(p.required_min_rx_us, 300000);
  CU_ASSERT_EQUAL(p.your_discr, 0);
  f->now += 1 * MS;
  bt_fx_reach(f, BFD_STATE_INIT);
  CU_ASSERT_EQUAL(bt_fx_status(f).tx_interval_ns, c->iv);
  CU_ASSERT_EQUAL(bt_fx_status(f).last_tx, f->now); /* the state-change packet */
  check_next_gap(f, c->iv);
}

static void test_timers_tx_not_up(void) {
  /* tx_interval = max(DesiredMinTx floored at 1 s, remote RequiredMinRx). */
  static const tx_case t[] = {
      {50000, 10000, 1 * SEC},     {50000, 1500000, 1500 * MS}, {2000000, 10000, 2 * SEC},
      {2000000, 3000000, 3 * SEC}, {1000000, 1000000, 1 * SEC}, {1, 1, 1 * SEC},
  };
  each_tx_case(t, sizeof(t) / sizeof(t[0]), tx_not_up);
}

static void tx_up(bt_fx *f, const tx_case *c) {
  bfd_ctrl_pkt p;
  bt_fx_drain(f, NULL, NULL);
  f->now += 1 * MS;
  CU_ASSERT_EQUAL(bt_fx_rx(f, BFD_STATE_INIT, 0), 0);
  CU_ASSERT_EQUAL(bt_fx_status(f).state, BFD_STATE_UP);
  /* A smaller TX interval applies at once (§6.8.3 only delays larger). */
  CU_ASSERT_EQUAL(bt_fx_status(f).tx_interval_ns, c->iv);
  CU_ASSERT_EQUAL(bt_fx_tx(f, &p), 24);
  CU_ASSERT_EQUAL(p.state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(p.desired_min_tx_us, c->cfg_tx_us);
  CU_ASSERT_EQUAL(bt_fx_tx(f, NULL), 0);
  check_next_gap(f, c->iv);
}

static void test_timers_tx_up(void) {
  /* Up: tx_interval = max(DesiredMinTx, remote RequiredMinRx), no floor. */
  static const tx_case t[] = {
      {50000, 10000, 50 * MS},   {50000, 300000, 300 * MS}, {300000, 50000, 300 * MS},
      {2000000, 10000, 2 * SEC}, {10000, 10000, 10 * MS},   {3300, 1, 3300 * US},
  };
  each_tx_case(t, sizeof(t) / sizeof(t[0]), tx_up);
}

static void test_timers_detect(void) {
  /* detect = remote mult x max(local RequiredMinRx, remote DesiredMinTx);
   * the local multiplier plays no part (§6.8.4). */
  static const struct {
    uint8_t lmult;
    uint32_t lrx_us;
    uint8_t rmult;
    uint32_t rtx_us;
    uint64_t dt;
  } t[] = {
      {3, 50000, 5, 300000, 1500 * MS}, {5, 300000, 3, 50000, 900 * MS},
      {3, 300000, 5, 50000, 1500 * MS}, {1, 10000, 1, 10000, 10 * MS},
      {255, 1000, 2, 3000000, 6 * SEC}, {3, 1000000, 255, 1, 255 * SEC},
  };
  size_t i;
  for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    bt_fx f;
    bt_fx_init(&f);
    f.st.detect_mult = t[i].lmult;
    f.st.required_min_rx_us = t[i].lrx_us;
    f.peer.mult = t[i].rmult;
    f.peer.tx_us = t[i].rtx_us;
    bt_fx_start(&f);
    bt_fx_drain(&f, NULL, NULL);
    f.now += 7 * MS;
    CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_INIT, 0), 0); /* Down -> Up */
    CU_ASSERT_EQUAL(bt_fx_status(&f).detect_time_ns, t[i].dt);
    CU_ASSERT_EQUAL(bt_fx_status(&f).remote_detect_mult, t[i].rmult);
    CU_ASSERT_EQUAL(bt_fx_status(&f).last_rx, f.now);
    /* The deadline is the detection time once TX is quiet. */
    f.peer.rx_us = 0;
    CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, 0), 0);
    bt_fx_drain(&f, NULL, NULL);
    CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), f.now + t[i].dt);
    bt_fx_del(&f);
  }
}

/* §6.8.7: remote Required Min RX 0 -> no periodic TX at all; the only
 * deadline is detection, and nothing is sent before it. */
static void test_timers_remote_rx_zero(void) {
  bt_fx f;
  uint64_t dl;
  bt_fx_new(&f);
  bt_fx_up_settled(&f);
  f.now += 10 * MS;
  f.peer.rx_us = 0;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, 0), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).tx_interval_ns, 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).remote_required_min_rx_us, 0);
  dl = bfd_session_next_deadline(f.s);
  CU_ASSERT_EQUAL(dl, f.now + 900 * MS);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, NULL), 0);
  f.now = dl - 1;
  CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, f.now), 0);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, NULL), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_UP);
  /* A Poll is still answered (§6.5: the Final is not periodic). */
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_P), 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), f.now);
  {
    bfd_ctrl_pkt p;
    CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 24);
    CU_ASSERT_EQUAL(p.flags & (BFD_FLAG_F | BFD_FLAG_P), BFD_FLAG_F);
  }
  CU_ASSERT_EQUAL(bt_fx_tx(&f, NULL), 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), f.now + 900 * MS);
  bt_fx_del(&f);

  /* Same from Down: the Down -> Init change sends nothing either. */
  bt_fx_new(&f);
  bt_fx_drain(&f, NULL, NULL);
  f.now += MS;
  f.peer.rx_us = 0;
  f.peer.your = 0;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_DOWN, 0), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_INIT);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, NULL), 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), f.now + 900 * MS);
  bt_fx_del(&f);
}

/* §6.8.7 / §6.1: a passive session sends nothing until the remote
 * discriminator is known, then answers at once. */
static void test_timers_passive(void) {
  bt_fx f;
  bfd_ctrl_pkt p;
  int i;
  bt_fx_init(&f);
  f.st.passive = 1;
  bt_fx_start(&f);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), BFD_TSTAMP_NONE);
  for (i = 0; i < 100; i++) {
    CU_ASSERT_EQUAL(bt_fx_tx(&f, NULL), 0);
    f.now += 100 * MS;
  }
  CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, f.now), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).tx_packets, 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).last_tx, BFD_TSTAMP_NONE);
  f.peer.your = 0;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_DOWN, 0), 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), f.now);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.state, BFD_STATE_INIT);
  CU_ASSERT_EQUAL(p.your_discr, RDISCR);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, NULL), 0);
  check_next_gap(&f, SEC);
  bt_fx_del(&f);
}

/* ------------------------------------------------------------------------ */
/* 4. Jitter (§6.8.7)                                                       */
/* ------------------------------------------------------------------------ */

typedef struct gaps {
  unsigned n;
  uint64_t min, max;
  double mean_reduction; /* mean of (iv - gap) / iv */
} gaps;

/* Collect `want` gaps between our packets of an Up session whose interval
 * is `iv`, polling every 1 µs. The peer sends its own packets every
 * `peer_every` µs (0: answers each of ours at once), always Up, and answers
 * a P with F. */
static gaps collect_gaps(bt_fx *f, uint64_t iv, unsigned want, uint64_t peer_every) {
  gaps g;
  uint64_t last = BFD_TSTAMP_NONE, next_peer = f->now + peer_every * US;
  double sum = 0;
  uint8_t pend_f = 0;
  memset(&g, 0, sizeof(g));
  g.min = UINT64_MAX;
  while (g.n < want) {
    bfd_ctrl_pkt p;
    f->now += US;
    if (peer_every && f->now >= next_peer) {
      CU_ASSERT_EQUAL_FATAL(bt_fx_rx(f, BFD_STATE_UP, pend_f), 0);
      pend_f = 0;
      next_peer += peer_every * US;
    }
    if (bt_fx_tx(f, &p) <= 0)
      continue;
    CU_ASSERT_EQUAL_FATAL(bt_fx_tx(f, NULL), 0); /* one packet per instant */
    if (p.flags & BFD_FLAG_P)
      pend_f = BFD_FLAG_F;
    if (!peer_every) {
      CU_ASSERT_EQUAL_FATAL(bt_fx_rx(f, BFD_STATE_UP, pend_f), 0);
      pend_f = 0;
    }
    if (last != BFD_TSTAMP_NONE) {
      uint64_t gap = f->now - last;
      g.n++;
      if (gap < g.min)
        g.min = gap;
      if (gap > g.max)
        g.max = gap;
      sum += (double)(iv - (gap < iv ? gap : iv)) / (double)iv;
    }
    last = f->now;
  }
  CU_ASSERT_EQUAL(bt_fx_status(f).state, BFD_STATE_UP);
  g.mean_reduction = sum / g.n;
  return g;
}

enum { RAND_LIB = 0, RAND_RNG = 2 }; /* the library's generator, bt_rng */

static void jitter_case(int rand_mode, uint8_t mult, uint64_t peer_every, double lo, double hi,
                        double mlo, double mhi) {
  bt_fx f;
  gaps g;
  uint64_t iv = 1000 * US;
  bt_fx_init_timers(&f, 1000, 1000, 1000, 1000);
  f.lib_rand = rand_mode == RAND_LIB;
  f.st.detect_mult = mult;
  bt_fx_start(&f);
  bt_fx_up_settled(&f);
  CU_ASSERT_EQUAL_FATAL(bt_fx_status(&f).tx_interval_ns, iv);
  g = collect_gaps(&f, iv, 2000, peer_every);
  fprintf(stderr,
          "\n    jitter rand %d mult %u peer %llu: %u gaps in [%llu, %llu] ns, mean %.2f %% below",
          rand_mode, mult, (unsigned long long)peer_every, g.n, (unsigned long long)g.min,
          (unsigned long long)g.max, 100 * g.mean_reduction);
  CU_ASSERT_EQUAL(g.n, 2000);
  CU_ASSERT(g.min >= (uint64_t)((double)iv * lo));
  CU_ASSERT(g.max <= (uint64_t)((double)iv * hi));
  CU_ASSERT(g.mean_reduction >= mlo && g.mean_reduction <= mhi);
  bt_fx_del(&f);
}

/* §6.8.7: each interval reduced by 0-25 %, uniformly: gaps in [75 %, 100 %],
 * mean 12.5 % below (10.5-14.5 % with 2000 samples). */
static void test_jitter_uniform(void) {
  jitter_case(RAND_LIB, 3, 0, 0.75, 1.0, 0.105, 0.145);
  jitter_case(RAND_RNG, 3, 0, 0.75, 1.0, 0.105, 0.145);
}

/* The same when the peer's packets arrive on their own schedule. */
static void test_jitter_uniform_peer_async(void) {
  jitter_case(RAND_LIB, 3, 1000, 0.75, 1.0, 0.105, 0.145);
  jitter_case(RAND_RNG, 3, 777, 0.75, 1.0, 0.105, 0.145);
}

/* Detect Mult 1: 10-25 %, gaps in [75 %, 90 %], mean 17.5 % below. */
static void test_jitter_mult1(void) {
  jitter_case(RAND_LIB, 1, 0, 0.75, 0.90, 0.155, 0.195);
  jitter_case(RAND_RNG, 1, 0, 0.75, 0.90, 0.155, 0.195);
  jitter_case(RAND_RNG, 1, 1000, 0.75, 0.90, 0.155, 0.195);
}

/* Deterministic extremes: a generator stuck at 0 gives exactly the
 * interval; one stuck at all-ones gives the largest reduction, never more
 * than 25 % (10-25 % with Detect Mult 1). */
static void test_jitter_extremes(void) {
  static const struct {
    uint32_t r;
    uint8_t mult;
    uint64_t gap; /* at 1 µs resolution */
  } t[] = {
      {0, 3, 1000 * US},
      {0xffffffffu, 3, 751 * US}, /* 1 ms - 250 µs x 65535/65536, rounded up to 1 µs */
      {0, 1, 900 * US},
      {0xffffffffu, 1, 751 * US},
  };
  size_t i;
  for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    bt_fx f;
    gaps g;
    bt_fx_init_timers(&f, 1000, 1000, 1000, 1000);
    f.lib_rand = 0;
    f.rec.rand_mode = BT_RAND_CONST;
    f.rec.rand_const = t[i].r;
    f.st.detect_mult = t[i].mult;
    bt_fx_start(&f);
    bt_fx_up_settled(&f);
    g = collect_gaps(&f, 1000 * US, 50, 0);
    CU_ASSERT_EQUAL(g.min, t[i].gap);
    CU_ASSERT_EQUAL(g.max, t[i].gap);
    bt_fx_del(&f);
  }
}

/* ------------------------------------------------------------------------ */
/* Event-driven runner                                                      */
/* ------------------------------------------------------------------------ */

enum { PEER_SILENT = 0, PEER_ANSWER, PEER_ANSWER_FINAL };

typedef struct run_stats {
  unsigned pkts, with_p, with_f;
  uint64_t min_gap, max_gap, last;
  bfd_ctrl_pkt lastp;
} run_stats;

static void rs_init(run_stats *rs) {
  memset(rs, 0, sizeof(*rs));
  rs->min_gap = UINT64_MAX;
  rs->last = BFD_TSTAMP_NONE;
}

/* Jump from deadline to deadline up to `until` (inclusive). Each of our
 * packets is recorded; the peer answers it with an Up packet per `mode`. */
static void run(bt_fx *f, uint64_t until, int mode, run_stats *rs) {
  unsigned guard = 0;
  for (;;) {
    bfd_ctrl_pkt p;
    uint64_t dl = bfd_session_next_deadline(f->s);
    if (dl > until)
      break;
    CU_ASSERT_FATAL(++guard < 1000000);
    if (dl > f->now)
      f->now = dl;
    CU_ASSERT_EQUAL_FATAL(bfd_session_feed_time(f->s, f->now), 0);
    while (bt_fx_tx(f, &p) > 0) {
      if (rs) {
        rs->pkts++;
        rs->with_p += (p.flags & BFD_FLAG_P) != 0;
        rs->with_f += (p.flags & BFD_FLAG_F) != 0;
        if (rs->last != BFD_TSTAMP_NONE) {
          uint64_t gap = f->now - rs->last;
          rs->min_gap = gap < rs->min_gap ? gap : rs->min_gap;
          rs->max_gap = gap > rs->max_gap ? gap : rs->max_gap;
        }
        rs->last = f->now;
        rs->lastp = p;
      }
      if (mode != PEER_SILENT)
        CU_ASSERT_EQUAL_FATAL(
            bt_fx_rx(
                f, BFD_STATE_UP,
                (uint8_t)((mode == PEER_ANSWER_FINAL && (p.flags & BFD_FLAG_P)) ? BFD_FLAG_F : 0)),
            0);
    }
  }
  if (f->now < until)
    f->now = until;
}

/* ------------------------------------------------------------------------ */
/* 5. Poll Sequence (§6.5, §6.8.3)                                          */
/* ------------------------------------------------------------------------ */

/* Up at 100 ms TX, 300 ms RX, the peer wanting 10 ms / sending 100 ms:
 * the Polls sent so far. */
static uint64_t poll_fx(bt_fx *f) {
  bt_fx_init_timers(f, 100000, 300000, 100000, 10000);
  bt_fx_start(f);
  bt_fx_up_settled(f);
  CU_ASSERT_EQUAL_FATAL(bt_fx_status(f).tx_interval_ns, 100 * MS);
  CU_ASSERT_EQUAL_FATAL(bt_fx_status(f).detect_time_ns, 900 * MS);
  return bt_fx_status(f).polls_sent;
}

static void test_poll_tx_increase_waits_for_final(void) {
  bt_fx f;
  run_stats rs;
  uint64_t polls;
  polls = poll_fx(&f);
  f.now += 5 * MS;
  f.st.desired_min_tx_us = 500000;
  CU_ASSERT_EQUAL(bfd_session_update(f.s, &f.st, f.now), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).poll_active, 1);
  CU_ASSERT_EQUAL(bt_fx_status(&f).polls_sent, polls + 1);
  CU_ASSERT_EQUAL(bt_fx_status(&f).desired_min_tx_us, 500000);
  CU_ASSERT_EQUAL(bt_fx_status(&f).tx_interval_ns, 100 * MS); /* old value in force */
  /* No Final for 3 s: every packet polls, at the old rate. */
  rs_init(&rs);
  run(&f, f.now + 3 * SEC, PEER_ANSWER, &rs);
  CU_ASSERT(rs.pkts >= 30 && rs.pkts <= 41);
  CU_ASSERT_EQUAL(rs.with_p, rs.pkts);
  CU_ASSERT_EQUAL(rs.with_f, 0);
  CU_ASSERT(rs.max_gap <= 100 * MS);
  CU_ASSERT_EQUAL(rs.lastp.desired_min_tx_us, 500000);
  CU_ASSERT_EQUAL(bt_fx_status(&f).tx_interval_ns, 100 * MS);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_UP);
  /* The Final switches to the new interval. */
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_F), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).poll_active, 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).tx_interval_ns, 500 * MS);
  /* Skip the packet already scheduled on the old rate, then measure. */
  run(&f, bfd_session_next_deadline(f.s), PEER_ANSWER, NULL);
  rs_init(&rs);
  rs.last = bt_fx_status(&f).last_tx;
  run(&f, f.now + 10 * SEC, PEER_ANSWER, &rs);
  CU_ASSERT_EQUAL(rs.with_p, 0);
  CU_ASSERT(rs.min_gap >= 375 * MS && rs.max_gap <= 500 * MS);
  CU_ASSERT(rs.pkts >= 20 && rs.pkts <= 27);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_UP);
  bt_fx_del(&f);
}

static void test_poll_rx_decrease_waits_for_final(void) {
  bt_fx f;
  uint64_t t;
  (void)poll_fx(&f);
  f.now += 5 * MS;
  f.st.required_min_rx_us = 50000;
  CU_ASSERT_EQUAL(bfd_session_update(f.s, &f.st, f.now), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).poll_active, 1);
  CU_ASSERT_EQUAL(bt_fx_status(&f).detect_time_ns, 900 * MS); /* old RX in force */
  {
    bfd_ctrl_pkt p;
    f.now = bfd_session_next_deadline(f.s); /* the P rides the next packet */
    CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 24);
    CU_ASSERT_EQUAL(p.flags & BFD_FLAG_P, BFD_FLAG_P);
    CU_ASSERT_EQUAL(p.required_min_rx_us, 50000); /* advertised at once */
  }
  /* A packet without F: detection still uses 300 ms x 3. */
  f.now += 1 * MS;
  t = f.now;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, 0), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).detect_time_ns, 900 * MS);
  CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, t + 900 * MS - 1), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_UP);
  f.now = t + 900 * MS - 1;
  /* The Final: now 3 x max(50 ms, 100 ms) = 300 ms. */
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_F), 0);
  t = f.now;
  CU_ASSERT_EQUAL(bt_fx_status(&f).poll_active, 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).detect_time_ns, 300 * MS);
  CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, t + 300 * MS - 1), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, t + 300 * MS), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(bt_fx_status(&f).local_diag, BFD_DIAG_DETECT_EXPIRED);
  bt_fx_del(&f);
}

/* The safe directions apply at once (§6.8.3): a smaller TX interval, a
 * larger RX interval. Both still poll. */
static void test_poll_safe_changes_immediate(void) {
  bt_fx f;
  (void)poll_fx(&f);
  f.st.desired_min_tx_us = 50000;
  f.st.required_min_rx_us = 600000;
  CU_ASSERT_EQUAL(bfd_session_update(f.s, &f.st, f.now), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).poll_active, 1);
  CU_ASSERT_EQUAL(bt_fx_status(&f).tx_interval_ns, 50 * MS);
  CU_ASSERT_EQUAL(bt_fx_status(&f).detect_time_ns, 1800 * MS);
  /* The next packet comes within the new, shorter interval. */
  CU_ASSERT(bfd_session_next_deadline(f.s) <= f.now + 50 * MS);
  bt_fx_del(&f);
}

/* Detect Mult needs no Poll (§6.8.12): next packet carries it, no P. */
static void test_poll_detect_mult_no_poll(void) {
  bt_fx f;
  bfd_ctrl_pkt p;
  uint64_t polls;
  polls = poll_fx(&f);
  f.st.detect_mult = 7;
  CU_ASSERT_EQUAL(bfd_session_update(f.s, &f.st, f.now), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).poll_active, 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).polls_sent, polls);
  f.now = bfd_session_next_deadline(f.s);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.detect_mult, 7);
  CU_ASSERT_EQUAL(p.flags & BFD_FLAG_P, 0);
  bt_fx_del(&f);
}

/* A received P gets one Final, built after the state update. */
static void final_reflects(uint8_t local, uint8_t rcvd, uint8_t exp_state, uint8_t exp_diag) {
  bt_fx f;
  bfd_ctrl_pkt p;
  run_stats rs;
  bt_fx_new(&f);
  if (local == BFD_STATE_UP)
    bt_fx_up_settled(&f);
  else
    bt_fx_reach(&f, local);
  f.now += 3 * MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, rcvd, BFD_FLAG_P), 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), f.now);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.flags & (BFD_FLAG_P | BFD_FLAG_F), BFD_FLAG_F);
  CU_ASSERT_EQUAL(p.state, exp_state);
  CU_ASSERT_EQUAL(p.diag, exp_diag);
  CU_ASSERT_EQUAL(p.your_discr, RDISCR);
  CU_ASSERT_EQUAL(bt_fx_status(&f).finals_sent, 1);
  /* Never a second Final for it. */
  rs_init(&rs);
  run(&f, f.now + 5 * SEC, PEER_ANSWER_FINAL, &rs);
  CU_ASSERT_EQUAL(rs.with_f, 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).finals_sent, 1);
  bt_fx_del(&f);
}

static void test_pitfall_final_stale_state(void) {
  final_reflects(BFD_STATE_DOWN, BFD_STATE_DOWN, BFD_STATE_INIT, BFD_DIAG_NONE);
  final_reflects(BFD_STATE_DOWN, BFD_STATE_INIT, BFD_STATE_UP, BFD_DIAG_NONE);
  final_reflects(BFD_STATE_INIT, BFD_STATE_UP, BFD_STATE_UP, BFD_DIAG_NONE);
  final_reflects(BFD_STATE_UP, BFD_STATE_DOWN, BFD_STATE_DOWN, BFD_DIAG_NEIGHBOR_DOWN);
  final_reflects(BFD_STATE_UP, BFD_STATE_ADMIN_DOWN, BFD_STATE_DOWN, BFD_DIAG_NEIGHBOR_DOWN);
  final_reflects(BFD_STATE_UP, BFD_STATE_UP, BFD_STATE_UP, BFD_DIAG_NONE);
}

/* Coming Up while the peer polls: the Final (state Up) goes first, our own
 * slow-start Poll right after it, never in one packet (§6.5). */
static void test_poll_final_then_own_poll(void) {
  bt_fx f;
  bfd_ctrl_pkt p;
  bt_fx_new(&f);
  bt_fx_drain(&f, NULL, NULL);
  f.now += MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_INIT, BFD_FLAG_P), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(bt_fx_status(&f).poll_active, 1);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.flags & (BFD_FLAG_P | BFD_FLAG_F), BFD_FLAG_F);
  CU_ASSERT_EQUAL(p.state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.flags & (BFD_FLAG_P | BFD_FLAG_F), BFD_FLAG_P);
  CU_ASSERT_EQUAL(p.state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(p.desired_min_tx_us, 300000);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, NULL), 0);
  bt_fx_del(&f);
}

/* 1000 Polls before we poll: exactly one Final (one flag, no queue). */
static void test_pitfall_unbounded_poll_queue(void) {
  bt_fx f;
  run_stats rs;
  unsigned i;
  uint8_t fl;
  bt_fx_new(&f);
  bt_fx_up_settled(&f);
  CU_ASSERT_EQUAL(bt_fx_status(&f).finals_sent, 0);
  for (i = 0; i < 1000; i++) {
    f.now += US;
    CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_P), 0);
  }
  CU_ASSERT_EQUAL(bt_fx_drain(&f, &fl, NULL), 1);
  CU_ASSERT_EQUAL(fl & (BFD_FLAG_P | BFD_FLAG_F), BFD_FLAG_F);
  CU_ASSERT_EQUAL(bt_fx_status(&f).finals_sent, 1);
  rs_init(&rs);
  run(&f, f.now + 3 * SEC, PEER_ANSWER, &rs);
  CU_ASSERT_EQUAL(rs.with_f, 0);
  CU_ASSERT(rs.pkts >= 10 && rs.pkts <= 14);
  CU_ASSERT_EQUAL(bt_fx_status(&f).finals_sent, 1);
  bt_fx_del(&f);
}

/* Applies f->st a millisecond on and polls at the next deadline: a P. */
static void update_and_poll(bt_fx *f, bfd_ctrl_pkt *p) {
  f->now += MS;
  CU_ASSERT_EQUAL(bfd_session_update(f->s, &f->st, f->now), 0);
  f->now = bfd_session_next_deadline(f->s);
  CU_ASSERT_EQUAL(bt_fx_tx(f, p), 24);
  CU_ASSERT_EQUAL(p->flags & BFD_FLAG_P, BFD_FLAG_P);
}

/* Two lagged changes (TX up, then RX down while the first Poll runs): the
 * second is not spread over the running Poll (§6.8.3, "the semantics of
 * the returning Final are unclear"). After the Final it waits one
 * round-trip bound after the last P (bound = Final time - first P of the
 * sequence: §6.8.3 choice 2, docs/guide.md "Parameter changes and Poll
 * Sequences"); a packet with F
 * clear alone is not enough (choice 3 is unsafe when a late Final can
 * follow it). Then it gets its own Poll. */
static void test_poll_two_changes(void) {
  bt_fx f;
  bfd_ctrl_pkt p;
  uint64_t polls, t_first, t_last, bound;
  unsigned guard = 0;
  polls = poll_fx(&f);
  f.st.desired_min_tx_us = 200000;
  update_and_poll(&f, &p);
  CU_ASSERT_EQUAL(p.desired_min_tx_us, 200000);
  CU_ASSERT_EQUAL(p.required_min_rx_us, 300000);
  t_first = f.now;
  f.now += MS;
  f.st.required_min_rx_us = 250000;
  CU_ASSERT_EQUAL(bfd_session_update(f.s, &f.st, f.now), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).polls_sent, polls + 1);
  CU_ASSERT_EQUAL(bt_fx_status(&f).detect_time_ns, 900 * MS); /* old RX in force */
  f.now = bfd_session_next_deadline(f.s);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.flags & BFD_FLAG_P, BFD_FLAG_P);
  CU_ASSERT_EQUAL(p.required_min_rx_us, 300000); /* not spread over this Poll */
  t_last = f.now;
  /* Final 10 ms after the last P: poll 1 ends; the RX change still waits. */
  f.now += 10 * MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_F), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).poll_active, 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).tx_interval_ns, 200 * MS);
  CU_ASSERT_EQUAL(bt_fx_status(&f).detect_time_ns, 900 * MS);
  bound = f.now - t_first;
  /* A packet with F clear within the bound does not start poll 2, nor does
   * a second F. */
  f.now += MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, 0), 0);
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_F), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).poll_active, 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).polls_sent, polls + 1);
  /* Our packets until poll 2's first P (the peer answers each, F clear):
   * none with P before t_last + bound, and the first one at or after it
   * carries P with the new RX. */
  for (;;) {
    CU_ASSERT_FATAL(++guard < 20);
    f.now = bfd_session_next_deadline(f.s);
    CU_ASSERT_EQUAL_FATAL(bt_fx_tx(&f, &p), 24);
    if (p.flags & BFD_FLAG_P)
      break;
    CU_ASSERT(f.now < t_last + bound);
    CU_ASSERT_EQUAL(p.required_min_rx_us, 300000);
    CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, 0), 0);
  }
  CU_ASSERT(f.now >= t_last + bound);
  CU_ASSERT(f.now <= t_last + 200 * MS); /* no later than the next periodic */
  CU_ASSERT_EQUAL(p.desired_min_tx_us, 200000);
  CU_ASSERT_EQUAL(p.required_min_rx_us, 250000);
  CU_ASSERT_EQUAL(bt_fx_status(&f).polls_sent, polls + 2);
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_F), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).poll_active, 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).detect_time_ns, 750 * MS);
  CU_ASSERT_EQUAL(bt_fx_status(&f).change_seq, 1); /* never flapped */
  bt_fx_del(&f);
}

/* A change with no lagged part (RX up: 300 -> 400 ms) made while a Poll
 * runs applies at once and rides that Poll: §6.8.3 "in any case other than
 * those explicitly called out above, timing parameter changes MUST be
 * effected immediately". */
static void test_poll_safe_change_rides_poll(void) {
  bt_fx f;
  bfd_ctrl_pkt p;
  uint64_t polls;
  polls = poll_fx(&f);
  f.st.desired_min_tx_us = 200000;
  update_and_poll(&f, &p);
  f.now += MS;
  f.st.required_min_rx_us = 400000;
  CU_ASSERT_EQUAL(bfd_session_update(f.s, &f.st, f.now), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).detect_time_ns, 1200 * MS); /* at once: 3 x 400 ms */
  CU_ASSERT_EQUAL(bt_fx_status(&f).tx_interval_ns, 100 * MS);  /* the TX increase still waits */
  CU_ASSERT_EQUAL(bt_fx_status(&f).polls_sent, polls + 1);
  f.now = bfd_session_next_deadline(f.s);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.flags & BFD_FLAG_P, BFD_FLAG_P);
  CU_ASSERT_EQUAL(p.desired_min_tx_us, 200000);
  CU_ASSERT_EQUAL(p.required_min_rx_us, 400000);
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_F), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).poll_active, 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).tx_interval_ns, 200 * MS);
  CU_ASSERT_EQUAL(bt_fx_status(&f).detect_time_ns, 1200 * MS);
  CU_ASSERT_EQUAL(bt_fx_status(&f).polls_sent, polls + 1);
  bt_fx_del(&f);
}

/* ------------------------------------------------------------------------ */
/* 6. Detection (§6.8.4, §6.8.1)                                            */
/* ------------------------------------------------------------------------ */

static void test_detect_expiry_exact(void) {
  bt_fx f;
  bfd_ctrl_pkt p;
  bfd_session_status b;
  uint64_t t;
  uint32_t seq;
  bt_fx_new(&f);
  bt_fx_up_settled(&f);
  f.now += 10 * MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, 0), 0);
  t = f.now;
  seq = bt_fx_status(&f).change_seq;
  /* Our own packets keep going; the peer is silent. */
  run(&f, t + 900 * MS - 1, PEER_SILENT, NULL);
  CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, f.now), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(bt_fx_status(&f).remote_discr, RDISCR);
  CU_ASSERT(bfd_session_next_deadline(f.s) <= t + 900 * MS);
  bt_rec_clear(&f.rec);
  f.now = t + 900 * MS;
  CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, f.now), 0);
  b = bt_fx_status(&f);
  CU_ASSERT_EQUAL(b.state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(b.local_diag, BFD_DIAG_DETECT_EXPIRED);
  CU_ASSERT_EQUAL(b.change_seq, seq + 1);
  CU_ASSERT_EQUAL(b.down_count, 1);
  CU_ASSERT_EQUAL(b.remote_discr, 0);
  CU_ASSERT_EQUAL(b.remote_required_min_rx_us, 1);
  CU_ASSERT_EQUAL(b.remote_desired_min_tx_us, 0);
  CU_ASSERT_EQUAL(b.remote_detect_mult, 0);
  CU_ASSERT_EQUAL(b.detect_time_ns, 0);
  CU_ASSERT_EQUAL(b.forwarding, 0);
  CU_ASSERT_EQUAL(bt_rec_count(&f.rec, 0, BT_EV_STATE), 1);
  CU_ASSERT_EQUAL(f.rec.ev[0].st.old_state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(f.rec.ev[0].st.new_state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(f.rec.ev[0].st.local_diag, BFD_DIAG_DETECT_EXPIRED);
  CU_ASSERT_EQUAL(f.rec.ev[0].st.ts, t + 900 * MS);
  /* The next packet, at once: Down, diag 1, Your Discr 0. */
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), f.now);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(p.diag, BFD_DIAG_DETECT_EXPIRED);
  CU_ASSERT_EQUAL(p.your_discr, 0);
  bt_fx_del(&f);
}

/* poll_packet runs the expiry first: the packet it returns at the deadline
 * is already the Down one. Init expires the same way. */
static void test_detect_expiry_via_poll(void) {
  bt_fx f;
  bfd_ctrl_pkt p;
  uint64_t t;
  bt_fx_new(&f);
  bt_fx_reach(&f, BFD_STATE_INIT);
  t = f.now;
  CU_ASSERT_EQUAL(bt_fx_status(&f).detect_time_ns, 900 * MS);
  f.now = t + 900 * MS;
  CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(p.diag, BFD_DIAG_DETECT_EXPIRED);
  CU_ASSERT_EQUAL(p.your_discr, 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).down_count, 0); /* Init -> Down is not an Up loss */
  bt_fx_del(&f);
}

/* In Down, expiry only forgets the remote: no state change, no callback. */
static void test_detect_expiry_in_down(void) {
  static const uint8_t rcvd[] = {BFD_STATE_ADMIN_DOWN, BFD_STATE_UP};
  size_t i;
  for (i = 0; i < 2; i++) {
    bt_fx f;
    bfd_session_status a, b;
    uint64_t t;
    bt_fx_new(&f);
    bt_fx_drain(&f, NULL, NULL);
    f.now += MS;
    CU_ASSERT_EQUAL(bt_fx_rx(&f, rcvd[i], 0), 0);
    CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_DOWN);
    t = f.now;
    run(&f, t + 900 * MS - 1, PEER_SILENT, NULL);
    CU_ASSERT_EQUAL(bt_fx_status(&f).remote_discr, RDISCR);
    bt_rec_clear(&f.rec);
    a = bt_fx_status(&f);
    f.now = t + 900 * MS;
    CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, f.now), 0);
    b = bt_fx_status(&f);
    CU_ASSERT_EQUAL(b.state, BFD_STATE_DOWN);
    CU_ASSERT_EQUAL(b.local_diag, a.local_diag);
    CU_ASSERT_EQUAL(b.change_seq, a.change_seq);
    CU_ASSERT_EQUAL(b.remote_discr, 0);
    CU_ASSERT_EQUAL(b.remote_state, BFD_STATE_DOWN);
    CU_ASSERT_EQUAL(b.detect_time_ns, 0);
    CU_ASSERT_EQUAL(f.rec.n_all, 0);
    /* Nothing left to expire: the only deadline is the periodic TX. */
    CU_ASSERT(bfd_session_next_deadline(f.s) <= f.now + SEC);
    bt_fx_del(&f);
  }
}

/* ------------------------------------------------------------------------ */
/* 7. Administrative control (§6.8.16)                                      */
/* ------------------------------------------------------------------------ */

static void test_admin_down_up(void) {
  bt_fx f;
  bfd_ctrl_pkt p;
  run_stats rs;
  bt_fx_new(&f);
  bt_fx_up_settled(&f);
  f.now += 20 * MS;
  bt_rec_clear(&f.rec);
  CU_ASSERT_EQUAL(bfd_session_set_admin_down(f.s, 1, f.now), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_ADMIN_DOWN);
  CU_ASSERT_EQUAL(bt_fx_status(&f).local_diag, BFD_DIAG_ADMIN_DOWN);
  CU_ASSERT_EQUAL(bt_fx_status(&f).down_count, 0); /* Up -> AdminDown is not Up -> Down */
  CU_ASSERT_EQUAL(bt_rec_count(&f.rec, 0, BT_EV_STATE), 1);
  CU_ASSERT_EQUAL(f.rec.ev[0].st.old_state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(f.rec.ev[0].st.new_state, BFD_STATE_ADMIN_DOWN);
  CU_ASSERT_EQUAL(f.rec.ev[0].st.local_diag, BFD_DIAG_ADMIN_DOWN);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), f.now);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.state, BFD_STATE_ADMIN_DOWN);
  CU_ASSERT_EQUAL(p.diag, BFD_DIAG_ADMIN_DOWN);
  CU_ASSERT_EQUAL(p.your_discr, RDISCR);
  CU_ASSERT_EQUAL(p.desired_min_tx_us, 1000000); /* slow rate, §6.8.3 */
  CU_ASSERT_EQUAL(bt_fx_tx(&f, NULL), 0);
  /* It keeps telling the peer, at >= 1 s. */
  rs_init(&rs);
  rs.last = f.now;
  run(&f, f.now + 10 * SEC, PEER_SILENT, &rs);
  CU_ASSERT(rs.min_gap >= 750 * MS && rs.max_gap <= 1 * SEC);
  CU_ASSERT_EQUAL(rs.lastp.state, BFD_STATE_ADMIN_DOWN);
  CU_ASSERT_EQUAL(rs.lastp.diag, BFD_DIAG_ADMIN_DOWN);
  /* Same value again: no event. */
  bt_rec_clear(&f.rec);
  CU_ASSERT_EQUAL(bfd_session_set_admin_down(f.s, 1, f.now), 0);
  CU_ASSERT_EQUAL(f.rec.n_all, 0);
  CU_ASSERT_EQUAL(bfd_session_set_admin_down(f.s, 0, f.now), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(bt_fx_status(&f).local_diag, BFD_DIAG_NONE);
  CU_ASSERT_EQUAL(bt_rec_count(&f.rec, 0, BT_EV_STATE), 1);
  CU_ASSERT_EQUAL(f.rec.ev[0].st.old_state, BFD_STATE_ADMIN_DOWN);
  CU_ASSERT_EQUAL(f.rec.ev[0].st.new_state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(p.diag, BFD_DIAG_NONE);
  /* And it comes back Up through the normal handshake. */
  f.now += MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_INIT, 0), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_UP);
  bt_fx_del(&f);
}

static void test_admin_down_at_creation(void) {
  bt_fx f;
  bfd_ctrl_pkt p;
  bt_fx_init(&f);
  f.st.admin_down = 1;
  bt_fx_start(&f);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_ADMIN_DOWN);
  CU_ASSERT_EQUAL(bt_fx_status(&f).local_diag, BFD_DIAG_ADMIN_DOWN);
  CU_ASSERT_EQUAL(bt_fx_status(&f).change_seq, 0);
  CU_ASSERT_EQUAL(f.rec.n_all, 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), T0);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.state, BFD_STATE_ADMIN_DOWN);
  CU_ASSERT_EQUAL(p.diag, BFD_DIAG_ADMIN_DOWN);
  bt_fx_del(&f);
}

/* ------------------------------------------------------------------------ */
/* 8. Nexthop shutdown (RFC 5882 §3)                                        */
/* ------------------------------------------------------------------------ */

/* Expected event: state (old, new, diag) or nexthop (action, cause, diag). */
typedef struct xev {
  int kind;
  uint8_t a, b, c;
} xev;

#define XS(o, n, d)                                                                                \
  { BT_EV_STATE, BFD_STATE_##o, BFD_STATE_##n, d }
#define XN(act, cause, d)                                                                          \
  { BT_EV_NH, BFD_NEXTHOP_##act, BFD_NH_CAUSE_##cause, d }

/* The events since clear_ev(), in order, exactly. */
static void expect_ev(bt_fx *f, const xev *x, unsigned n, const char *what) {
  unsigned i;
  int ok = f->rec.n_all == n;
  for (i = 0; ok && i < n; i++) {
    const bt_ev *e = &f->rec.ev[i];
    if (e->kind != x[i].kind)
      ok = 0;
    else if (e->kind == BT_EV_STATE)
      ok = e->st.old_state == x[i].a && e->st.new_state == x[i].b && e->st.local_diag == x[i].c &&
           e->st.ts == f->now;
    else
      ok = e->nh.action == x[i].a && e->nh.cause == x[i].b && e->nh.diag == x[i].c &&
           e->nh.ts == f->now;
  }
  if (!ok) {
    fprintf(stderr, "\nevents at '%s': got %u, expected %u:", what, f->rec.n_all, n);
    for (i = 0; i < f->rec.n; i++) {
      const bt_ev *e = &f->rec.ev[i];
      if (e->kind == BT_EV_STATE)
        fprintf(stderr, " [state %u->%u d%u]", e->st.old_state, e->st.new_state, e->st.local_diag);
      else
        fprintf(stderr, " [nh %s cause %u d%u]", e->nh.action ? "UP" : "DOWN", e->nh.cause,
                e->nh.diag);
    }
  }
  CU_ASSERT(ok);
  bt_rec_clear(&f->rec);
}

/* Expire detection from Up/Init: the peer goes silent. */
static void expire(bt_fx *f) {
  uint64_t dl = f->now + bt_fx_status(f).detect_time_ns;
  run(f, dl - 1, PEER_SILENT, NULL);
  f->now = dl;
  bt_rec_clear(&f->rec);
  CU_ASSERT_EQUAL(bfd_session_feed_time(f->s, f->now), 0);
}

static void test_nexthop_down_until_up(void) {
  bt_fx f;
  bt_fx_init(&f);
  bt_fx_start(&f);
  {
    const xev x[] = {XN(DOWN, CREATED, 0)};
    expect_ev(&f, x, 1, "created");
  }
  CU_ASSERT_EQUAL(bt_fx_status(&f).nexthop_down, 1);
  /* Init -> Down before ever Up: already down, no duplicate. */
  bt_fx_reach(&f, BFD_STATE_INIT);
  bt_rec_clear(&f.rec);
  expire(&f);
  {
    const xev x[] = {XS(INIT, DOWN, 1)};
    expect_ev(&f, x, 1, "init expired");
  }
  f.now += MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_INIT, 0), 0);
  {
    const xev x[] = {XS(DOWN, UP, 0), XN(UP, UP, 0)};
    expect_ev(&f, x, 2, "up");
  }
  CU_ASSERT_EQUAL(bt_fx_status(&f).nexthop_down, 0);
  expire(&f);
  {
    const xev x[] = {XS(UP, DOWN, 1), XN(DOWN, FAILURE, 1)};
    expect_ev(&f, x, 2, "detect expired");
  }
  CU_ASSERT_EQUAL(bt_fx_status(&f).nexthop_down, 1);
  f.now += MS;
  f.peer.your = 0;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_DOWN, 0), 0);
  f.peer.your = LDISCR;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, 0), 0);
  {
    const xev x[] = {XS(DOWN, INIT, 0), XS(INIT, UP, 0), XN(UP, UP, 0)};
    expect_ev(&f, x, 3, "up again");
  }
  /* Remote AdminDown is not a path failure (§3.2). */
  f.now += MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_ADMIN_DOWN, 0), 0);
  {
    const xev x[] = {XS(UP, DOWN, 3)};
    expect_ev(&f, x, 1, "remote admin down");
  }
  CU_ASSERT_EQUAL(bt_fx_status(&f).nexthop_down, 0);
  f.now += MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_DOWN, 0), 0);
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, 0), 0);
  {
    const xev x[] = {XS(DOWN, INIT, 0), XS(INIT, UP, 0)};
    expect_ev(&f, x, 2, "up after remote admin down");
  }
  /* The peer signalling Down (not AdminDown) is a failure. */
  f.now += MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_DOWN, 0), 0);
  {
    const xev x[] = {XS(UP, DOWN, 3), XN(DOWN, FAILURE, 3)};
    expect_ev(&f, x, 2, "neighbor down");
  }
  /* Local AdminDown: BFD stops vouching, the nexthop is released. */
  f.now += MS;
  CU_ASSERT_EQUAL(bfd_session_set_admin_down(f.s, 1, f.now), 0);
  {
    const xev x[] = {XS(DOWN, ADMIN_DOWN, 7), XN(UP, ADMIN, 7)};
    expect_ev(&f, x, 2, "local admin down");
  }
  f.now += MS;
  CU_ASSERT_EQUAL(bfd_session_set_admin_down(f.s, 0, f.now), 0);
  {
    const xev x[] = {XS(ADMIN_DOWN, DOWN, 0), XN(DOWN, CREATED, 0)};
    expect_ev(&f, x, 2, "admin up");
  }
  /* Delete while down: the clearing UP, and nothing else. */
  f.now += MS;
  CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, f.now), 0);
  bfd_session_del(f.s);
  {
    const xev x[] = {XN(UP, DELETED, 0)};
    expect_ev(&f, x, 1, "deleted");
  }
}

static void test_nexthop_after_up(void) {
  bt_fx f;
  bt_fx_init(&f);
  f.st.nexthop_policy = BFD_NHS_AFTER_UP;
  bt_fx_start(&f);
  CU_ASSERT_EQUAL(f.rec.n_all, 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).nexthop_down, 0);
  bt_fx_reach(&f, BFD_STATE_INIT);
  bt_rec_clear(&f.rec);
  expire(&f);
  {
    const xev x[] = {XS(INIT, DOWN, 1)};
    expect_ev(&f, x, 1, "init expired, never up");
  }
  f.now += MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_INIT, 0), 0);
  {
    const xev x[] = {XS(DOWN, UP, 0)};
    expect_ev(&f, x, 1, "first up");
  }
  expire(&f);
  {
    const xev x[] = {XS(UP, DOWN, 1), XN(DOWN, FAILURE, 1)};
    expect_ev(&f, x, 2, "failure after up");
  }
  /* Init -> Down after having been Up is a failure too, but the nexthop is
   * already down: no second DOWN. */
  f.now += MS;
  f.peer.your = 0;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_DOWN, 0), 0);
  f.peer.your = LDISCR;
  expire(&f);
  {
    const xev x[] = {XS(INIT, DOWN, 1)};
    expect_ev(&f, x, 1, "init expired while nexthop down");
  }
  f.now += MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_INIT, 0), 0);
  {
    const xev x[] = {XS(DOWN, UP, 0), XN(UP, UP, 0)};
    expect_ev(&f, x, 2, "up again");
  }
  f.now += MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_ADMIN_DOWN, 0), 0);
  {
    const xev x[] = {XS(UP, DOWN, 3)};
    expect_ev(&f, x, 1, "remote admin down");
  }
  f.now += MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_INIT, 0), 0);
  CU_ASSERT_EQUAL(bfd_session_set_admin_down(f.s, 1, f.now), 0);
  CU_ASSERT_EQUAL(bfd_session_set_admin_down(f.s, 0, f.now), 0);
  {
    const xev x[] = {XS(DOWN, UP, 0), XS(UP, ADMIN_DOWN, 7), XS(ADMIN_DOWN, DOWN, 0)};
    expect_ev(&f, x, 3, "admin cycle");
  }
  f.now += MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_INIT, 0), 0);
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_DOWN, 0), 0);
  {
    const xev x[] = {XS(DOWN, UP, 0), XS(UP, DOWN, 3), XN(DOWN, FAILURE, 3)};
    expect_ev(&f, x, 3, "neighbor down");
  }
  bfd_session_del(f.s);
  {
    const xev x[] = {XN(UP, DELETED, 3)};
    expect_ev(&f, x, 1, "deleted");
  }
  /* Deleting a session whose nexthop is not down says nothing. */
  bt_fx_init(&f);
  bt_fx_start(&f);
  bt_fx_up_settled(&f);
  bt_rec_clear(&f.rec);
  bfd_session_del(f.s);
  CU_ASSERT_EQUAL(f.rec.n_all, 0);
  bt_fx_init(&f);
  f.st.nexthop_policy = BFD_NHS_AFTER_UP;
  bt_fx_start(&f);
  bfd_session_del(f.s);
  CU_ASSERT_EQUAL(f.rec.n_all, 0);
}

/* Created AdminDown: nothing until it leaves AdminDown. */
static void test_nexthop_admin_down_at_creation(void) {
  bt_fx f;
  bt_fx_init(&f);
  f.st.admin_down = 1;
  bt_fx_start(&f);
  CU_ASSERT_EQUAL(f.rec.n_all, 0);
  f.now += MS;
  CU_ASSERT_EQUAL(bfd_session_set_admin_down(f.s, 0, f.now), 0);
  {
    const xev x[] = {XS(ADMIN_DOWN, DOWN, 0), XN(DOWN, CREATED, 0)};
    expect_ev(&f, x, 2, "leave admin down");
  }
  bt_fx_del(&f);
}

/* Delete then re-add the same peer: the old session's clearing UP is
 * delivered inside bfd_session_del, before the new one's DOWN. */
static void test_pitfall_delete_readd_order(void) {
  bt_fx f;
  bfd_session *old;
  bt_fx_init(&f);
  bt_fx_start(&f);
  bt_fx_reach(&f, BFD_STATE_INIT);
  old = f.s;
  bt_rec_clear(&f.rec);
  bfd_session_del(old);
  f.st.local_discr = LDISCR + 1;
  bt_fx_start(&f);
  {
    const xev x[] = {XN(UP, DELETED, 0), XN(DOWN, CREATED, 0)};
    expect_ev(&f, x, 2, "del + re-add");
  }
  bt_fx_del(&f);
}

/* ------------------------------------------------------------------------ */
/* 9. Errors                                                                */
/* ------------------------------------------------------------------------ */

static void test_err_settings_check(void) {
  static const struct {
    const char *what;
    int err;
  } t[] = {
      {"ok", 0},
      {"detect_mult 0", BFD_ERR_CFG_DETECT_MULT},
      {"min tx 0", BFD_ERR_CFG_MIN_TX},
      {"min rx 0", BFD_ERR_CFG_MIN_RX},
      {"mode 2", BFD_ERR_CFG_MODE},
      {"policy 2", BFD_ERR_CFG_POLICY},
      {"passive 2", BFD_ERR_CFG_FLAG},
      {"admin_down 2", BFD_ERR_CFG_FLAG},
      {"cpi 2", BFD_ERR_CFG_FLAG},
      {"single-hop ttl 254", BFD_ERR_CFG_TTL},
      {"single-hop ttl 1", BFD_ERR_CFG_TTL},
      {"single-hop ttl 255", 0},
      {"multihop ttl 10", 0},
      {"multihop ttl 255", 0},
      {"version 2", BFD_ERR_VERSION},
      {"version 0", BFD_ERR_VERSION},
      {"max intervals", 0},
  };
  size_t i;
  for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    bfd_session_settings st;
    bfd_session *s = (bfd_session *)&st;
    CU_ASSERT_EQUAL_FATAL(bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &st), 0);
    switch (i) {
    case 1: st.detect_mult = 0; break;
    case 2: st.desired_min_tx_us = 0; break;
    case 3: st.required_min_rx_us = 0; break;
    case 4: st.mode = 2; break;
    case 5: st.nexthop_policy = 2; break;
    case 6: st.passive = 2; break;
    case 7: st.admin_down = 2; break;
    case 8: st.cpi = 2; break;
    case 9: st.min_rx_ttl = 254; break;
    case 10: st.min_rx_ttl = 1; break;
    case 11: st.min_rx_ttl = 255; break;
    case 12:
      st.mode = BFD_MODE_MULTIHOP;
      st.min_rx_ttl = 10;
      break;
    case 13:
      st.mode = BFD_MODE_MULTIHOP;
      st.min_rx_ttl = 255;
      break;
    case 14: st.struct_version = 2; break;
    case 15: st.struct_version = 0; break;
    case 16:
      st.desired_min_tx_us = UINT32_MAX;
      st.required_min_rx_us = UINT32_MAX;
      st.detect_mult = 255;
      break;
    default: break;
    }
    if (bfd_session_settings_check(&st) != t[i].err)
      fprintf(stderr, "\nsettings '%s': got %d\n", t[i].what, bfd_session_settings_check(&st));
    CU_ASSERT_EQUAL(bfd_session_settings_check(&st), t[i].err);
    /* bfd_session_new returns the same and creates nothing. */
    CU_ASSERT_EQUAL(bfd_session_new(&s, &st, NULL, NULL, NULL, T0), t[i].err);
    if (t[i].err)
      CU_ASSERT_PTR_NULL(s);
    bfd_session_del(s);
  }
  CU_ASSERT_EQUAL(bfd_session_settings_check(NULL), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, NULL),
                  BFD_ERR_INVALID_ARGUMENT);
  {
    bfd_session_settings st;
    memset(&st, 0x5a, sizeof(st));
    CU_ASSERT_EQUAL(bfd_session_settings_init(2, &st), BFD_ERR_VERSION);
    CU_ASSERT_EQUAL(st.struct_version, 0x5a5a5a5au); /* nothing written */
  }
}

/* Huge intervals saturate rather than wrap: 255 x 2^32-1 µs. */
static void test_err_max_intervals(void) {
  bt_fx f;
  bt_fx_init_timers(&f, UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX);
  f.peer.mult = 255;
  bt_fx_start(&f);
  bt_fx_drain(&f, NULL, NULL);
  bt_fx_reach(&f, BFD_STATE_INIT);
  CU_ASSERT_EQUAL(bt_fx_status(&f).tx_interval_ns, (uint64_t)UINT32_MAX * US);
  CU_ASSERT_EQUAL(bt_fx_status(&f).detect_time_ns, 255 * (uint64_t)UINT32_MAX * US);
  CU_ASSERT(bfd_session_next_deadline(f.s) > f.now);
  check_next_gap(&f, (uint64_t)UINT32_MAX * US);
  bt_fx_del(&f);
}

static void test_err_update_immutable(void) {
  bt_fx f;
  bfd_session_settings st;
  bfd_session_status a;
  bt_fx_new(&f);
  bt_fx_up_settled(&f);
  a = bt_fx_status(&f);
  bt_rec_clear(&f.rec);
  st = f.st;
  st.mode = BFD_MODE_MULTIHOP;
  CU_ASSERT_EQUAL(bfd_session_update(f.s, &st, f.now), BFD_ERR_CFG_IMMUTABLE);
  st = f.st;
  st.local_discr = LDISCR + 1;
  st.desired_min_tx_us = 5000000; /* must not half-apply */
  CU_ASSERT_EQUAL(bfd_session_update(f.s, &st, f.now), BFD_ERR_CFG_IMMUTABLE);
  st = f.st;
  st.detect_mult = 0;
  CU_ASSERT_EQUAL(bfd_session_update(f.s, &st, f.now), BFD_ERR_CFG_DETECT_MULT);
  st.detect_mult = 3;
  st.struct_version = 9;
  CU_ASSERT_EQUAL(bfd_session_update(f.s, &st, f.now), BFD_ERR_VERSION);
  {
    bfd_session_status b = bt_fx_status(&f);
    CU_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
  }
  CU_ASSERT_EQUAL(f.rec.n_all, 0);
  /* local_discr 0 or the same value is "unchanged". */
  st = f.st;
  st.local_discr = 0;
  CU_ASSERT_EQUAL(bfd_session_update(f.s, &st, f.now), 0);
  st.local_discr = LDISCR;
  CU_ASSERT_EQUAL(bfd_session_update(f.s, &st, f.now), 0);
  CU_ASSERT_EQUAL(bfd_session_get_local_discr(f.s), LDISCR);
  CU_ASSERT_EQUAL(bt_fx_status(&f).poll_active, 0); /* nothing changed: no Poll */
  {
    bfd_session_settings got;
    CU_ASSERT_EQUAL(bfd_session_get_settings(f.s, &got), 0);
    CU_ASSERT(memcmp(&got, &f.st, sizeof(got)) == 0);
  }
  bt_fx_del(&f);
}

/* Time going backwards fails every entry point and changes nothing. */
static void test_err_clock_backwards(void) {
  bt_fx f;
  bfd_session_status a, b;
  uint8_t buf[64];
  size_t n;
  uint64_t dl, back;
  int k;
  bt_fx_new(&f);
  bt_fx_up_settled(&f);
  f.now += 5 * MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_P), 0); /* a Final pending */
  n = bt_fx_build(&f, BFD_STATE_DOWN, 0, 0, buf);
  a = bt_fx_status(&f);
  dl = bfd_session_next_deadline(f.s);
  back = f.now - 1;
  bt_rec_clear(&f.rec);
  for (k = 0; k < 6; k++) {
    bfd_session_settings st = f.st;
    int rv = 0;
    st.desired_min_tx_us = 10000;
    switch (k) {
    case 0: rv = bfd_session_feed_packet(f.s, buf, n, &f.ri, back); break;
    case 1: rv = bfd_session_feed_time(f.s, back); break;
    case 2: rv = (int)bfd_session_poll_packet(f.s, buf, sizeof(buf), back); break;
    case 3: rv = bfd_session_update(f.s, &st, back); break;
    case 4: rv = bfd_session_set_admin_down(f.s, 1, back); break;
    case 5: rv = (int)bfd_session_poll_packet(f.s, buf, sizeof(buf), 0); break;
    }
    CU_ASSERT_EQUAL(rv, BFD_ERR_CLOCK_BACKWARDS);
    b = bt_fx_status(&f);
    CU_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
    CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), dl);
  }
  CU_ASSERT_EQUAL(f.rec.n_all, 0);
  /* The same instant again is fine. */
  CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, f.now), 0);
  {
    bfd_ctrl_pkt p;
    CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 24);
    CU_ASSERT_EQUAL(p.flags & BFD_FLAG_F, BFD_FLAG_F);
  }
  bt_fx_del(&f);
}

/* A too-small buffer loses nothing: the packet (here a Final) stays due. */
static void test_err_nobuf(void) {
  bt_fx f;
  uint8_t buf[64];
  bfd_session_status a, b;
  bfd_ctrl_pkt p;
  bt_fx_new(&f);
  bt_fx_up_settled(&f);
  f.now += 5 * MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_P), 0);
  a = bt_fx_status(&f);
  CU_ASSERT_EQUAL(bfd_session_poll_packet(f.s, buf, BFD_CTRL_LEN_MAX - 1, f.now), BFD_ERR_NOBUF);
  CU_ASSERT_EQUAL(bfd_session_poll_packet(f.s, buf, 24, f.now), BFD_ERR_NOBUF);
  CU_ASSERT_EQUAL(bfd_session_poll_packet(f.s, buf, 0, f.now), BFD_ERR_NOBUF);
  b = bt_fx_status(&f);
  CU_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), f.now);
  CU_ASSERT_EQUAL(bfd_session_poll_packet(f.s, buf, BFD_CTRL_LEN_MAX, f.now), 24);
  CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(&p, buf, 24), 0);
  CU_ASSERT_EQUAL(p.flags & BFD_FLAG_F, BFD_FLAG_F);
  CU_ASSERT_EQUAL(bt_fx_status(&f).finals_sent, 1);
  /* Nothing due: 0 even with a small buffer. */
  CU_ASSERT_EQUAL(bfd_session_poll_packet(f.s, buf, 1, f.now), 0);
  bt_fx_del(&f);
}

static void test_err_callback_failure(void) {
  bt_fx f;
  bfd_session *s = (bfd_session *)&f;
  /* The DOWN_UNTIL_UP creation event fails: no session, and the host,
   * which did get the DOWN, gets the clearing UP (RFC 5882 §3: no nexthop
   * stays shut down by a session that does not exist). */
  bt_fx_init(&f);
  f.rec.nh_rv = 1;
  CU_ASSERT_EQUAL(bfd_session_new(&s, &f.st, &f.cb, NULL, &f.rec, T0), BFD_ERR_CALLBACK_FAILURE);
  CU_ASSERT_PTR_NULL(s);
  CU_ASSERT_EQUAL(f.rec.n_all, 2);
  CU_ASSERT_EQUAL(f.rec.ev[0].kind, BT_EV_NH);
  CU_ASSERT_EQUAL(f.rec.ev[0].nh.action, BFD_NEXTHOP_DOWN);
  CU_ASSERT_EQUAL(f.rec.ev[0].nh.cause, BFD_NH_CAUSE_CREATED);
  CU_ASSERT_EQUAL(f.rec.ev[1].kind, BT_EV_NH);
  CU_ASSERT_EQUAL(f.rec.ev[1].nh.action, BFD_NEXTHOP_UP);
  CU_ASSERT_EQUAL(f.rec.ev[1].nh.cause, BFD_NH_CAUSE_DELETED);
  CU_ASSERT_EQUAL(f.rec.ev[1].nh.ts, T0);
  /* A failing state callback: the call fails, the change has happened. */
  bt_fx_new(&f);
  bt_fx_drain(&f, NULL, NULL);
  f.rec.state_rv = 1;
  f.now += MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_INIT, 0), BFD_ERR_CALLBACK_FAILURE);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_UP);
  /* ...from feed_time's expiry, poll_packet's expiry, update. */
  f.now += bt_fx_status(&f).detect_time_ns;
  CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, f.now), BFD_ERR_CALLBACK_FAILURE);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_DOWN);
  f.rec.state_rv = 0;
  f.now += MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_INIT, 0), 0);
  f.rec.state_rv = 1;
  f.now += bt_fx_status(&f).detect_time_ns;
  {
    uint8_t buf[64];
    CU_ASSERT_EQUAL(bfd_session_poll_packet(f.s, buf, sizeof(buf), f.now),
                    BFD_ERR_CALLBACK_FAILURE);
  }
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(bfd_session_set_admin_down(f.s, 1, f.now), BFD_ERR_CALLBACK_FAILURE);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_ADMIN_DOWN);
  f.rec.state_rv = 0;
  f.rec.nh_rv = 1; /* leaving AdminDown delivers DOWN(CREATED) */
  CU_ASSERT_EQUAL(bfd_session_set_admin_down(f.s, 0, f.now), BFD_ERR_CALLBACK_FAILURE);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_DOWN);
  f.rec.nh_rv = 0;
  bt_fx_del(&f);
}

static void test_err_nomem(void) {
  bt_mem failing, counting;
  bfd_session_settings st;
  bfd_session *s = (bfd_session *)&st;
  bt_mem_init(&failing);
  failing.fail = BT_MEM_ALL;
  bt_mem_init(&counting);
  counting.fail = BT_MEM_MALLOC | BT_MEM_REALLOC; /* calloc only */
  CU_ASSERT_EQUAL(bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &st), 0);
  CU_ASSERT_EQUAL(bfd_session_new(&s, &st, NULL, &failing.mem, NULL, T0), BFD_ERR_NOMEM);
  CU_ASSERT_PTR_NULL(s);
  CU_ASSERT_EQUAL(failing.frees, 0);
  /* The allocator given is the one used, for allocation and free. */
  CU_ASSERT_EQUAL(bfd_session_new(&s, &st, NULL, &counting.mem, NULL, T0), 0);
  CU_ASSERT_EQUAL(counting.callocs, 1);
  CU_ASSERT_EQUAL(counting.calls, 1);
  CU_ASSERT_EQUAL(counting.frees, 0);
  bfd_session_del(s);
  CU_ASSERT_EQUAL(counting.frees, 1);
  CU_ASSERT_EQUAL(counting.live_blocks, 0);
}

static void test_err_null_args(void) {
  bt_fx f;
  bfd_session *s;
  bfd_session_settings st;
  bfd_session_status o;
  bfd_callbacks cb;
  uint8_t buf[64];
  size_t n;
  bt_fx_new(&f);
  n = bt_fx_build(&f, BFD_STATE_DOWN, 0, 0, buf);
  st = f.st;
  CU_ASSERT_EQUAL(bfd_session_new(NULL, &st, NULL, NULL, NULL, T0), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_session_new(&s, NULL, NULL, NULL, NULL, T0), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_PTR_NULL(s);
  CU_ASSERT_EQUAL(bfd_callbacks_init(BFD_CALLBACKS_VERSION, NULL), BFD_ERR_INVALID_ARGUMENT);
  /* Versions 1..current are accepted, a newer one is not. */
  CU_ASSERT_EQUAL(bfd_callbacks_init(BFD_CALLBACKS_VERSION + 1, &cb), BFD_ERR_VERSION);
  CU_ASSERT_EQUAL(bfd_callbacks_init(0, &cb), BFD_ERR_VERSION);
  CU_ASSERT_EQUAL(bfd_callbacks_init(1, &cb), 0);
  CU_ASSERT_EQUAL(bfd_callbacks_init(BFD_CALLBACKS_VERSION, &cb), 0);
  cb.struct_version = BFD_CALLBACKS_VERSION + 1;
  CU_ASSERT_EQUAL(bfd_session_new(&s, &st, &cb, NULL, NULL, T0), BFD_ERR_VERSION);
  CU_ASSERT_PTR_NULL(s);
  CU_ASSERT_EQUAL(bfd_session_feed_packet(NULL, buf, n, &f.ri, T0), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_session_feed_packet(f.s, NULL, n, &f.ri, T0), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_session_feed_packet(f.s, buf, n, NULL, T0), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_session_feed_time(NULL, T0), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_session_poll_packet(NULL, buf, sizeof(buf), T0), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_session_poll_packet(f.s, NULL, sizeof(buf), T0), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_session_update(NULL, &st, T0), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_session_update(f.s, NULL, T0), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_session_set_admin_down(NULL, 1, T0), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_session_set_admin_down(f.s, 2, T0), BFD_ERR_CFG_FLAG);
  CU_ASSERT_EQUAL(bfd_session_get_settings(NULL, &st), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_session_get_settings(f.s, NULL), BFD_ERR_INVALID_ARGUMENT);
  o.struct_version = BFD_SESSION_STATUS_VERSION;
  CU_ASSERT_EQUAL(bfd_session_get_status(NULL, &o), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_session_get_status(f.s, NULL), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_session_get_key(NULL, NULL), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_session_get_key(f.s, NULL), BFD_ERR_INVALID_ARGUMENT);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(NULL), BFD_TSTAMP_NONE);
  CU_ASSERT_EQUAL(bfd_session_get_rx_drops(NULL, BFD_ERR_PKT_TTL), 0);
  CU_ASSERT_EQUAL(bfd_session_get_rx_drops(f.s, BFD_ERR_NOMEM), 0);
  CU_ASSERT_EQUAL(bfd_session_get_rx_drops(f.s, 0), 0);
  CU_ASSERT_EQUAL(bfd_session_get_local_discr(NULL), 0);
  CU_ASSERT_PTR_NULL(bfd_session_get_user_data(NULL));
  bfd_session_set_user_data(NULL, &f); /* no-op */
  bfd_session_del(NULL);               /* no-op */
  /* get_status with a wrong version. */
  o.struct_version = 0;
  CU_ASSERT_EQUAL(bfd_session_get_status(f.s, &o), BFD_ERR_VERSION);
  o.struct_version = BFD_SESSION_STATUS_VERSION + 1;
  CU_ASSERT_EQUAL(bfd_session_get_status(f.s, &o), BFD_ERR_VERSION);
  /* Nothing above touched the session. */
  CU_ASSERT_EQUAL(bt_fx_status(&f).rx_dropped, 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).tx_packets, 0);
  /* Accessors on a live standalone session. */
  {
    bfd_session_key k, zero;
    memset(&zero, 0, sizeof(zero));
    memset(&k, 0xff, sizeof(k));
    CU_ASSERT_EQUAL(bfd_session_get_key(f.s, &k), 0);
    CU_ASSERT(memcmp(&k, &zero, sizeof(k)) == 0);
  }
  /* bfd_session_get_peer: a standalone session has no key, no peer. */
  {
    uint8_t peer[16];
    CU_ASSERT_EQUAL(bfd_session_get_peer(NULL, peer), BFD_ERR_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(bfd_session_get_peer(f.s, NULL), BFD_ERR_INVALID_ARGUMENT);
    CU_ASSERT_EQUAL(bfd_session_get_peer(f.s, peer), BFD_ERR_NOT_FOUND);
  }
  CU_ASSERT_PTR_EQUAL(bfd_session_get_user_data(f.s), &f.rec);
  bfd_session_set_user_data(f.s, buf);
  CU_ASSERT_PTR_EQUAL(bfd_session_get_user_data(f.s), buf);
  bt_fx_del(&f);
}

/* ------------------------------------------------------------------------ */
/* 10. Regressions for known implementation pitfalls (RFC 5880 §6.8)        */
/* ------------------------------------------------------------------------ */

/* Our session against a scripted peer sending Up every `piv` (no jitter);
 * of every `every` peer packets the first `lost` are lost; a P from us is
 * answered with F in the peer's next (delivered) packet. */
static void sim_peer(bt_fx *f, uint64_t until, uint64_t piv, unsigned every, unsigned lost) {
  uint64_t next_peer = f->now + piv;
  unsigned i = 0, guard = 0;
  int want_f = 0;
  for (;;) {
    uint64_t dl = bfd_session_next_deadline(f->s), t = dl < next_peer ? dl : next_peer;
    uint8_t fl;
    if (t > until)
      break;
    CU_ASSERT_FATAL(++guard < 10000000);
    if (t > f->now)
      f->now = t;
    if (f->now >= next_peer) {
      if (!(every && i % every < lost)) {
        CU_ASSERT_EQUAL_FATAL(bt_fx_rx(f, BFD_STATE_UP, (uint8_t)(want_f ? BFD_FLAG_F : 0)), 0);
        want_f = 0;
      }
      i++;
      next_peer += piv;
    }
    CU_ASSERT_EQUAL_FATAL(bfd_session_feed_time(f->s, f->now), 0);
    bt_fx_drain(f, &fl, NULL);
    if (fl & BFD_FLAG_P)
      want_f = 1;
  }
  f->now = until;
}

/* 50 ms x 3 locally against a 300 ms x 5 peer that loses 3 packets in a
 * row (1.2 s gaps): detection is 5 x 300 ms = 1.5 s, so no flap in an hour.
 * The local multiplier (3 x 300 ms = 0.9 s) or ignoring the remote's TX
 * (3 x 50 ms) would flap constantly (maghemite vs Juniper, §6.8.4). */
static void test_pitfall_detect_time_remote_values(void) {
  bt_fx f;
  bt_fx_init_timers(&f, 50000, 50000, 300000, 300000);
  f.peer.mult = 5;
  bt_fx_start(&f);
  bt_fx_up_settled(&f);
  CU_ASSERT_EQUAL(bt_fx_status(&f).detect_time_ns, 1500 * MS);
  CU_ASSERT_EQUAL(bt_fx_status(&f).tx_interval_ns, 300 * MS);
  sim_peer(&f, f.now + 3600 * SEC, 300 * MS, 10, 3);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(bt_fx_status(&f).change_seq, 1);
  CU_ASSERT_EQUAL(bt_fx_status(&f).down_count, 0);
  /* Losing 5 in a row (6 x 300 ms = 1.8 s) is a real failure. */
  sim_peer(&f, f.now + 60 * SEC, 300 * MS, 10, 5);
  CU_ASSERT_EQUAL(bt_fx_status(&f).down_count, 1);
  bt_fx_del(&f);
}

/* Real gaps: >= 1 s (with jitter) while not Up even with a 10 ms config;
 * max(10 ms, remote 40 ms) once Up (§6.8.3, §6.8.7). */
static void test_pitfall_tx_interval_negotiation(void) {
  bt_fx f;
  run_stats rs;
  bt_fx_init_timers(&f, 10000, 0, 40000, 40000);
  bt_fx_start(&f);
  rs_init(&rs);
  run(&f, f.now + 20 * SEC, PEER_SILENT, &rs);
  CU_ASSERT(rs.pkts >= 21 && rs.pkts <= 28);
  CU_ASSERT(rs.min_gap >= 750 * MS && rs.max_gap <= SEC);
  CU_ASSERT_EQUAL(rs.lastp.desired_min_tx_us, 1000000);
  bt_fx_up_settled(&f);
  run(&f, bfd_session_next_deadline(f.s), PEER_ANSWER_FINAL, NULL);
  rs_init(&rs);
  rs.last = bt_fx_status(&f).last_tx;
  run(&f, f.now + 4 * SEC, PEER_ANSWER_FINAL, &rs);
  CU_ASSERT(rs.min_gap >= 30 * MS && rs.max_gap <= 40 * MS);
  CU_ASSERT_EQUAL(rs.lastp.desired_min_tx_us, 10000);
  CU_ASSERT_EQUAL(bt_fx_status(&f).tx_interval_ns, 40 * MS);
  bt_fx_del(&f);
}

/* Local RequiredMinRx 0 is refused; a remote one stops periodic TX without
 * a hot loop: after polling, the deadline is always in the future. */
static void test_pitfall_remote_min_rx_zero(void) {
  bt_fx f;
  bfd_session *s;
  unsigned i;
  bt_fx_init(&f);
  f.st.required_min_rx_us = 0;
  CU_ASSERT_EQUAL(bfd_session_new(&s, &f.st, NULL, NULL, NULL, T0), BFD_ERR_CFG_MIN_RX);
  bt_fx_new(&f);
  bt_fx_up_settled(&f);
  f.peer.rx_us = 0;
  f.now += MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, 0), 0);
  for (i = 0; i < 100; i++) {
    bt_fx_drain(&f, NULL, NULL);
    CU_ASSERT(bfd_session_next_deadline(f.s) > f.now);
    f.now += 5 * MS;
    CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, 0), 0);
  }
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_UP);
  bt_fx_del(&f);
}

static void test_pitfall_timer_change_waits_for_poll(void) {
  test_poll_tx_increase_waits_for_final();
  test_poll_rx_decrease_waits_for_final();
}

/* A live session changes its timers through Poll Sequences, against a
 * peer, without ever leaving Up (maghemite had no update at all). */
static void test_pitfall_live_update_no_flap(void) {
  static const struct {
    uint32_t tx_us, rx_us;
    uint8_t mult;
  } t[] = {{500000, 300000, 3}, {500000, 50000, 3},  {20000, 50000, 3},
           {20000, 1000000, 3}, {100000, 120000, 1}, {100000, 300000, 5}};
  bt_fx f;
  size_t i;
  uint64_t polls;
  bt_fx_init_timers(&f, 100000, 0, 100000, 10000);
  bt_fx_start(&f);
  bt_fx_up_settled(&f);
  polls = bt_fx_status(&f).polls_sent;
  for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    bfd_session_status b;
    f.st.desired_min_tx_us = t[i].tx_us;
    f.st.required_min_rx_us = t[i].rx_us;
    f.st.detect_mult = t[i].mult;
    CU_ASSERT_EQUAL(bfd_session_update(f.s, &f.st, f.now), 0);
    sim_peer(&f, f.now + 10 * SEC, 100 * MS, 0, 0);
    b = bt_fx_status(&f);
    CU_ASSERT_EQUAL(b.state, BFD_STATE_UP);
    CU_ASSERT_EQUAL(b.change_seq, 1);
    CU_ASSERT_EQUAL(b.poll_active, 0);
    CU_ASSERT_EQUAL(b.tx_interval_ns, max64(t[i].tx_us, 10000) * US);
    CU_ASSERT_EQUAL(b.detect_time_ns, 3 * max64(t[i].rx_us, 100000) * US);
  }
  CU_ASSERT_EQUAL(bt_fx_status(&f).polls_sent, polls + 6);
  bt_fx_del(&f);
}

/* Detection expiry forgets the remote (§6.8.1): a new peer incarnation
 * with a new discriminator can bring the session back. */
static void test_pitfall_remote_state_reset(void) {
  bt_fx f;
  bfd_ctrl_pkt p;
  bfd_session_status b;
  bt_fx_new(&f);
  bt_fx_up_settled(&f);
  f.peer.echo_us = 7;
  f.peer.diag = BFD_DIAG_PATH_DOWN;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_D), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).remote_demand, 1);
  expire(&f);
  b = bt_fx_status(&f);
  CU_ASSERT_EQUAL(b.state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(b.remote_discr, 0);
  CU_ASSERT_EQUAL(b.remote_state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(b.remote_demand, 0);
  CU_ASSERT_EQUAL(b.remote_required_min_rx_us, 1);
  CU_ASSERT_EQUAL(b.remote_desired_min_tx_us, 0);
  CU_ASSERT_EQUAL(b.remote_detect_mult, 0);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.your_discr, 0);
  f.now += MS;
  f.peer.my = 0x33333333u;
  f.peer.your = 0;
  f.peer.diag = 0;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_DOWN, 0), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_INIT);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.your_discr, 0x33333333u);
  bt_fx_del(&f);
}

/* §6.6: the D bit stops periodic TX only when both sides are Up, and not
 * while we poll. Before that it must not stall bring-up. */
static void test_pitfall_demand_bit_any_state(void) {
  bt_fx f;
  bfd_ctrl_pkt p;
  bt_fx_new(&f);
  bt_fx_drain(&f, NULL, NULL);
  f.now += MS;
  f.peer.your = 0;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_DOWN, BFD_FLAG_D), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).tx_interval_ns, SEC);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.state, BFD_STATE_INIT);
  f.now += MS;
  f.peer.your = LDISCR;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_INIT, BFD_FLAG_D), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 24); /* remote still Init: periodic */
  CU_ASSERT_EQUAL(p.state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(p.flags & BFD_FLAG_P, BFD_FLAG_P);
  /* Both Up, but our Poll runs: it still goes out. */
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_D), 0);
  CU_ASSERT(bt_fx_status(&f).tx_interval_ns != 0);
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_D | BFD_FLAG_F), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).tx_interval_ns, 0);
  bt_fx_del(&f);
}

/* FRR #18416: the peer keeps sending Down; we must go Init then Up, from a
 * neighbor-signalled Down and from a detection-time Down. */
static void test_pitfall_stays_down_forever(void) {
  int k;
  for (k = 0; k < 2; k++) {
    bt_fx f;
    bt_fx_new(&f);
    bt_fx_up_settled(&f);
    if (k == 0) {
      f.now += MS;
      CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_DOWN, 0), 0);
    } else {
      expire(&f);
      f.peer.your = 0;
    }
    CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_DOWN);
    f.now += MS;
    CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_DOWN, 0), 0);
    CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_INIT);
    f.now += MS;
    f.peer.your = LDISCR;
    CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_DOWN, 0), 0);
    CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_INIT);
    CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_INIT, 0), 0);
    CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_UP);
    CU_ASSERT_EQUAL(bt_fx_status(&f).up_count, 2);
    bt_fx_del(&f);
  }
}

/* FRR #22890: a state change sends exactly one packet at once, which
 * replaces the next periodic one; coming Up polls once, and only when the
 * slow-start TX actually changes. */
static void test_pitfall_extra_poll_on_coming_up(void) {
  static const uint32_t cfg[] = {300000, 1000000, 2000000};
  size_t i;
  for (i = 0; i < 3; i++) {
    bt_fx f;
    bfd_ctrl_pkt p;
    uint8_t fl;
    bt_fx_init_timers(&f, cfg[i], 0, 10000000, 0); /* detection (30 s) out of the way */
    bt_fx_start(&f);
    bt_fx_drain(&f, NULL, NULL);
    f.now += 10 * MS;
    f.peer.your = 0;
    CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_DOWN, 0), 0);
    CU_ASSERT_EQUAL(bt_fx_drain(&f, &fl, &p), 1);
    CU_ASSERT_EQUAL(fl & BFD_FLAG_P, 0);
    CU_ASSERT_EQUAL(p.state, BFD_STATE_INIT);
    CU_ASSERT_EQUAL(bt_fx_status(&f).polls_sent, 0);
    f.now += 10 * MS;
    f.peer.your = LDISCR;
    CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, 0), 0);
    CU_ASSERT_EQUAL(bt_fx_drain(&f, &fl, &p), 1);
    CU_ASSERT_EQUAL(p.state, BFD_STATE_UP);
    CU_ASSERT_EQUAL(fl & BFD_FLAG_P, cfg[i] < 1000000 ? BFD_FLAG_P : 0);
    CU_ASSERT_EQUAL(bt_fx_status(&f).polls_sent, cfg[i] < 1000000 ? 1u : 0u);
    check_next_gap(&f, bt_fx_status(&f).tx_interval_ns);
    bt_fx_del(&f);
  }
}

/* FRR #18593: nothing about the remote is cleared before a full Detection
 * Time has passed, however often the host calls in. */
static void test_pitfall_state_cleared_before_detection(void) {
  bt_fx f;
  uint64_t t, dt;
  bt_fx_new(&f);
  bt_fx_up_settled(&f);
  f.now += MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, 0), 0);
  t = f.now;
  dt = bt_fx_status(&f).detect_time_ns;
  while (f.now + 7 * MS < t + dt) {
    f.now += 7 * MS;
    CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, f.now), 0);
    bt_fx_drain(&f, NULL, NULL);
    CU_ASSERT_EQUAL(bt_fx_status(&f).remote_discr, RDISCR);
    CU_ASSERT_EQUAL(bt_fx_status(&f).remote_state, BFD_STATE_UP);
    CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_UP);
  }
  f.now = t + dt - 1;
  CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, f.now), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).remote_discr, RDISCR);
  CU_ASSERT_EQUAL(bt_fx_status(&f).detect_time_ns, dt);
  bt_fx_del(&f);
}

/* Diagnostics (§4.1) and the forwarding verdict. */
static void test_pitfall_diag_codes(void) {
  static const struct {
    uint8_t rdiag, fwd;
  } v[] = {{0, 1}, {1, 1}, {3, 1}, {4, 1}, {5, 0}, {6, 0}, {7, 1}, {8, 0}};
  bt_fx f;
  size_t i;
  bt_fx_new(&f);
  CU_ASSERT_EQUAL(bt_fx_status(&f).forwarding, 0);
  bt_fx_up_settled(&f);
  for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
    f.peer.diag = v[i].rdiag;
    f.now += MS;
    CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, 0), 0);
    CU_ASSERT_EQUAL(bt_fx_status(&f).remote_diag, v[i].rdiag);
    CU_ASSERT_EQUAL(bt_fx_status(&f).forwarding, v[i].fwd);
    CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_UP);
  }
  f.peer.diag = 0;
  expire(&f);
  CU_ASSERT_EQUAL(bt_fx_status(&f).local_diag, BFD_DIAG_DETECT_EXPIRED);
  bt_fx_reach(&f, BFD_STATE_INIT);
  CU_ASSERT_EQUAL(bt_fx_status(&f).local_diag, BFD_DIAG_NONE);
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_ADMIN_DOWN, 0), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).local_diag, BFD_DIAG_NEIGHBOR_DOWN);
  bt_fx_reach(&f, BFD_STATE_ADMIN_DOWN);
  CU_ASSERT_EQUAL(bt_fx_status(&f).local_diag, BFD_DIAG_ADMIN_DOWN);
  bt_fx_del(&f);
}

/* A rejected packet changes nothing but its drop counter, whatever the
 * state (§6.8.6: "processing of the packet MUST cease"), AdminDown
 * included: expect_reject compares the whole status snapshot. */
static void test_pitfall_failed_packet_changes_nothing(void) {
  static const uint8_t states[] = {BFD_STATE_ADMIN_DOWN, BFD_STATE_DOWN, BFD_STATE_INIT,
                                   BFD_STATE_UP};
  size_t i;
  for (i = 0; i < sizeof(states); i++)
    rejections_in(states[i]);
}

/* The A bit is checked before any session field is updated (FRR updated
 * the remote discriminator first). */
static void test_pitfall_auth_before_update(void) {
  bt_fx f;
  uint8_t buf[64];
  size_t n;
  bt_fx_new(&f);
  bt_fx_up_settled(&f);
  f.peer.my = 0x99999999u;
  (void)bt_fx_build(&f, BFD_STATE_DOWN, 0, 0, buf);
  n = add_simple_auth(buf, 'k');
  expect_reject(&f, buf, n, &f.ri, BFD_ERR_PKT_AUTH_MISMATCH, "auth before update");
  CU_ASSERT_EQUAL(bt_fx_status(&f).remote_discr, RDISCR);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_UP);
  bt_fx_del(&f);
}

/* RFC 5881 §5: single-hop accepts only TTL 255, known; and the floor is not
 * configurable lower. */
static void test_pitfall_gtsm_single_hop(void) {
  bt_fx f;
  bfd_session *s;
  unsigned ttl;
  bt_fx_init(&f);
  f.st.min_rx_ttl = 254;
  CU_ASSERT_EQUAL(bfd_session_new(&s, &f.st, NULL, NULL, NULL, T0), BFD_ERR_CFG_TTL);
  bt_fx_new(&f);
  for (ttl = 0; ttl < 255; ttl++) {
    f.ri.ttl = (uint8_t)ttl;
    CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_DOWN, 0), BFD_ERR_PKT_TTL);
  }
  CU_ASSERT_EQUAL(bfd_session_get_rx_drops(f.s, BFD_ERR_PKT_TTL), 255);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_DOWN);
  f.ri.ttl = 255;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_DOWN, 0), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_INIT);
  bt_fx_del(&f);
}

/* Random local discriminators are never 0 (§6.8.1). */
static void test_pitfall_discriminator_nonzero(void) {
  bt_fx f;
  bt_fx_init(&f);
  f.st.local_discr = 0;
  f.lib_rand = 0;
  f.rec.rand_mode = BT_RAND_CONST;
  f.rec.script[0] = f.rec.script[1] = f.rec.script[2] = 0;
  f.rec.script[3] = 0xcafebabeu;
  f.rec.nscript = 4;
  bt_fx_start(&f);
  CU_ASSERT_EQUAL(bfd_session_get_local_discr(f.s), 0xcafebabeu);
  CU_ASSERT_EQUAL(bt_fx_status(&f).local_discr, 0xcafebabeu);
  {
    bfd_ctrl_pkt p;
    CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 24);
    CU_ASSERT_EQUAL(p.my_discr, 0xcafebabeu);
  }
  /* A configured discriminator is used as is. */
  bt_fx_del(&f);
  bt_fx_init(&f);
  f.lib_rand = 0;
  f.rec.rand_mode = BT_RAND_CONST;
  bt_fx_start(&f);
  CU_ASSERT_EQUAL(bfd_session_get_local_discr(f.s), LDISCR);
  bt_fx_del(&f);
}

/* Up (the slow-start Poll done) with nexthop policy `pol`. */
static void up_with_policy(bt_fx *f, uint8_t pol) {
  bt_fx_init(f);
  f->st.nexthop_policy = pol;
  bt_fx_start(f);
  bt_fx_up_settled(f);
}

static void test_pitfall_remote_admin_down_not_failure(void) {
  uint8_t pol;
  for (pol = 0; pol < 2; pol++) {
    bt_fx f;
    up_with_policy(&f, pol);
    bt_rec_clear(&f.rec);
    f.peer.diag = BFD_DIAG_ADMIN_DOWN;
    CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_ADMIN_DOWN, 0), 0);
    {
      const xev x[] = {XS(UP, DOWN, 3)};
      expect_ev(&f, x, 1, "remote admin down");
    }
    CU_ASSERT_EQUAL(bt_fx_status(&f).nexthop_down, 0);
    /* ...and its silence afterwards is not a failure either. */
    expire(&f);
    CU_ASSERT_EQUAL(f.rec.n_all, 0);
    CU_ASSERT_EQUAL(bt_fx_status(&f).nexthop_down, 0);
    bt_fx_del(&f);
  }
}

static void test_pitfall_nexthop_cleared_on_delete(void) {
  uint8_t pol;
  for (pol = 0; pol < 2; pol++) {
    bt_fx f;
    up_with_policy(&f, pol);
    expire(&f);
    CU_ASSERT_EQUAL(bt_fx_status(&f).nexthop_down, 1);
    bt_rec_clear(&f.rec);
    bfd_session_del(f.s);
    {
      const xev x[] = {XN(UP, DELETED, 1)};
      expect_ev(&f, x, 1, "deleted");
    }
  }
}

/* ------------------------------------------------------------------------ */
/* 11. Discriminators, AdminDown, policies, detection, a late Final         */
/* ------------------------------------------------------------------------ */

/* §6.8.1: bfd.LocalDiscr "MUST be unique across all BFD sessions
 * on this system"; a peer may pick the same value, and nothing in §6.8.6
 * discards a packet whose My Discriminator equals ours. Such a peer comes
 * Up, whatever the host knows about the addresses, as long as the packet
 * is not our own (BFD_RX_SELF, or source == destination; see
 * rejections_in). */
static void test_same_discr_peer_comes_up(void) {
  int k;
  for (k = 0; k < 3; k++) {
    bt_fx f;
    bfd_ctrl_pkt p;
    bfd_session_status b;
    bt_fx_init(&f);
    f.peer.my = LDISCR;
    if (k == 1) { /* both addresses known, and different */
      f.ri.flags |= BFD_RX_PEER | BFD_RX_LOCAL;
      bt_put4(f.ri.local, 0x0a000001u);
      bt_put4(f.ri.peer, 0x0a000002u);
    } else if (k == 2) { /* only the source known; `local` holds stale bytes equal to it */
      f.ri.flags |= BFD_RX_PEER;
      bt_put4(f.ri.local, 0x0a000002u);
      bt_put4(f.ri.peer, 0x0a000002u);
    }
    bt_fx_start(&f);
    bt_fx_drain(&f, NULL, NULL);
    f.now += MS;
    f.peer.your = 0;
    CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_DOWN, 0), 0);
    CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_INIT);
    CU_ASSERT_EQUAL(bt_fx_status(&f).remote_discr, LDISCR);
    CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 24);
    CU_ASSERT_EQUAL(p.state, BFD_STATE_INIT);
    CU_ASSERT_EQUAL(p.my_discr, LDISCR);
    CU_ASSERT_EQUAL(p.your_discr, LDISCR);
    f.now += MS;
    f.peer.your = LDISCR;
    CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, 0), 0);
    CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_UP);
    /* It stays Up for 10 s of a peer answering every packet (and Poll). */
    run(&f, f.now + 10 * SEC, PEER_ANSWER_FINAL, NULL);
    b = bt_fx_status(&f);
    CU_ASSERT_EQUAL(b.state, BFD_STATE_UP);
    CU_ASSERT_EQUAL(b.change_seq, 2);
    CU_ASSERT_EQUAL(b.poll_active, 0);
    CU_ASSERT_EQUAL(b.tx_interval_ns, 300 * MS);
    CU_ASSERT_EQUAL(b.remote_discr, LDISCR);
    CU_ASSERT_EQUAL(b.rx_dropped, 0);
    CU_ASSERT_EQUAL(bfd_session_get_rx_drops(f.s, BFD_ERR_PKT_LOOPED), 0);
    bt_fx_del(&f);
  }
  /* BFD_RX_SELF with another discriminator: two sessions of this host
   * talking to each other, not a loop. */
  {
    bt_fx f;
    bt_fx_init(&f);
    f.ri.flags |= BFD_RX_SELF;
    bt_fx_start(&f);
    f.peer.your = 0;
    CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_DOWN, 0), 0);
    CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_INIT);
    bt_fx_del(&f);
  }
}

/* §6.8.6: while AdminDown a packet that passed the checks
 * updates the remote variables (RemoteDiscr, RemoteState, RemoteDemandMode,
 * RemoteMinRxInterval, ...), may end a Poll (F), updates the transmit
 * interval and the Detection Time, and is then discarded: no state change,
 * no Final. The feed returns BFD_FEED_ADMIN_DOWN; the packet is counted as
 * received, not dropped. Nothing else in the snapshot moves. */
static void test_admin_down_feed_changes_exactly(void) {
  bt_fx f;
  bfd_session_status a, b;
  bfd_ctrl_pkt p;
  uint64_t t_ad;
  bt_fx_new(&f);
  bt_fx_up_settled(&f);
  f.now += 10 * MS;
  CU_ASSERT_EQUAL_FATAL(bfd_session_set_admin_down(f.s, 1, f.now), 0);
  /* The AdminDown announcement polls for the 1 s floor (§6.8.3). */
  CU_ASSERT_EQUAL_FATAL(bt_fx_status(&f).poll_active, 1);
  CU_ASSERT_EQUAL_FATAL(bt_fx_tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.flags & BFD_FLAG_P, BFD_FLAG_P);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, NULL), 0);
  t_ad = f.now;
  f.now += 5 * MS;
  bt_rec_clear(&f.rec);
  a = bt_fx_status(&f);
  CU_ASSERT_EQUAL(a.tx_interval_ns, 1 * SEC);
  CU_ASSERT_EQUAL(a.detect_time_ns, 900 * MS);
  /* A new peer incarnation, with new everything, answering our Poll. */
  f.peer.my = 0xbeefu;
  f.peer.diag = BFD_DIAG_PATH_DOWN;
  f.peer.mult = 7;
  f.peer.tx_us = 5000000;
  f.peer.rx_us = 5000000;
  f.peer.echo_us = 1000;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_F | BFD_FLAG_D), BFD_FEED_ADMIN_DOWN);
  b = bt_fx_status(&f);
  CU_ASSERT_EQUAL(b.state, BFD_STATE_ADMIN_DOWN);
  CU_ASSERT_EQUAL(b.local_diag, BFD_DIAG_ADMIN_DOWN);
  CU_ASSERT_EQUAL(b.remote_discr, 0xbeefu);
  CU_ASSERT_EQUAL(b.remote_state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(b.remote_diag, BFD_DIAG_PATH_DOWN);
  CU_ASSERT_EQUAL(b.remote_demand, 1);
  CU_ASSERT_EQUAL(b.remote_detect_mult, 7);
  CU_ASSERT_EQUAL(b.remote_desired_min_tx_us, 5000000);
  CU_ASSERT_EQUAL(b.remote_required_min_rx_us, 5000000);
  CU_ASSERT_EQUAL(b.remote_required_min_echo_rx_us, 1000);
  CU_ASSERT_EQUAL(b.poll_active, 0);              /* F ended the Poll */
  CU_ASSERT_EQUAL(b.tx_interval_ns, 5 * SEC);     /* max(1 s, 5 s), §6.8.7 */
  CU_ASSERT_EQUAL(b.detect_time_ns, 7 * 5 * SEC); /* 7 x max(300 ms, 5 s), §6.8.4 */
  CU_ASSERT_EQUAL(b.last_rx, f.now);
  CU_ASSERT_EQUAL(b.rx_packets, a.rx_packets + 1);
  CU_ASSERT_EQUAL(b.rx_dropped, a.rx_dropped);
  /* ...and nothing else. */
  a.remote_discr = 0xbeefu;
  a.remote_state = BFD_STATE_UP;
  a.remote_diag = BFD_DIAG_PATH_DOWN;
  a.remote_demand = 1;
  a.remote_detect_mult = 7;
  a.remote_desired_min_tx_us = 5000000;
  a.remote_required_min_rx_us = 5000000;
  a.remote_required_min_echo_rx_us = 1000;
  a.poll_active = 0;
  a.tx_interval_ns = 5 * SEC;
  a.detect_time_ns = 35 * SEC;
  a.last_rx = f.now;
  a.rx_packets++;
  CU_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
  CU_ASSERT_EQUAL(f.rec.n_all, 0);
  CU_ASSERT_EQUAL(bfd_session_get_rx_drops(f.s, BFD_ERR_PKT_ADMIN_DOWN), 0);
  /* A Poll while AdminDown gets no Final: nothing is due now. */
  f.now += MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_P), BFD_FEED_ADMIN_DOWN);
  CU_ASSERT(bfd_session_next_deadline(f.s) > f.now);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, NULL), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).finals_sent, a.finals_sent);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_ADMIN_DOWN);
  /* The TX schedule followed: the next AdminDown packet comes 3.75..5 s
   * after the last one, to the new discriminator. */
  CU_ASSERT(bfd_session_next_deadline(f.s) >= t_ad + 3750 * MS);
  CU_ASSERT(bfd_session_next_deadline(f.s) <= t_ad + 5 * SEC);
  f.now = bfd_session_next_deadline(f.s);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.state, BFD_STATE_ADMIN_DOWN);
  CU_ASSERT_EQUAL(p.diag, BFD_DIAG_ADMIN_DOWN);
  CU_ASSERT_EQUAL(p.your_discr, 0xbeefu);
  CU_ASSERT_EQUAL(p.flags & (BFD_FLAG_P | BFD_FLAG_F), 0);
  CU_ASSERT_EQUAL(f.rec.n_all, 0);
  bt_fx_del(&f);
}

/* RFC 5882 §3 policies: DOWN_UNTIL_UP reports a never-Up
 * session's nexthop DOWN, AFTER_UP never does. A live policy change is
 * applied at once with a BFD_NH_CAUSE_POLICY event, in both directions, and
 * only where the two policies disagree (never Up, not AdminDown). */
static void set_policy(bt_fx *f, uint8_t pol) {
  bfd_session_settings st;
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_settings(f->s, &st), 0);
  st.nexthop_policy = pol;
  CU_ASSERT_EQUAL(bfd_session_update(f->s, &st, f->now), 0);
}

static void test_nexthop_policy_change_live(void) {
  bt_fx f;
  bt_fx_new(&f); /* DOWN_UNTIL_UP: DOWN(CREATED) */
  bt_rec_clear(&f.rec);
  f.now += MS;
  set_policy(&f, BFD_NHS_AFTER_UP);
  {
    const xev x[] = {XN(UP, POLICY, 0)};
    expect_ev(&f, x, 1, "down_until_up -> after_up, Down, never Up");
  }
  CU_ASSERT_EQUAL(bt_fx_status(&f).nexthop_down, 0);
  set_policy(&f, BFD_NHS_AFTER_UP); /* unchanged: nothing */
  CU_ASSERT_EQUAL(f.rec.n_all, 0);
  f.now += MS;
  set_policy(&f, BFD_NHS_DOWN_UNTIL_UP);
  {
    const xev x[] = {XN(DOWN, POLICY, 0)};
    expect_ev(&f, x, 1, "after_up -> down_until_up, Down, never Up");
  }
  CU_ASSERT_EQUAL(bt_fx_status(&f).nexthop_down, 1);
  /* Init, never Up: the same both ways. */
  bt_fx_reach(&f, BFD_STATE_INIT);
  bt_rec_clear(&f.rec);
  f.now += MS;
  set_policy(&f, BFD_NHS_AFTER_UP);
  {
    const xev x[] = {XN(UP, POLICY, 0)};
    expect_ev(&f, x, 1, "down_until_up -> after_up, Init");
  }
  set_policy(&f, BFD_NHS_DOWN_UNTIL_UP);
  {
    const xev x[] = {XN(DOWN, POLICY, 0)};
    expect_ev(&f, x, 1, "after_up -> down_until_up, Init");
  }
  /* Up: both policies vouch: no event either way. */
  f.now += MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, 0), 0);
  {
    const xev x[] = {XS(INIT, UP, 0), XN(UP, UP, 0)};
    expect_ev(&f, x, 2, "up");
  }
  set_policy(&f, BFD_NHS_AFTER_UP);
  set_policy(&f, BFD_NHS_DOWN_UNTIL_UP);
  CU_ASSERT_EQUAL(f.rec.n_all, 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).nexthop_down, 0);
  /* Failed after being Up: DOWN under both: no event either way. */
  expire(&f);
  {
    const xev x[] = {XS(UP, DOWN, 1), XN(DOWN, FAILURE, 1)};
    expect_ev(&f, x, 2, "failed");
  }
  set_policy(&f, BFD_NHS_AFTER_UP);
  set_policy(&f, BFD_NHS_DOWN_UNTIL_UP);
  CU_ASSERT_EQUAL(f.rec.n_all, 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).nexthop_down, 1);
  /* AdminDown: released under both: no event either way. */
  f.now += MS;
  CU_ASSERT_EQUAL(bfd_session_set_admin_down(f.s, 1, f.now), 0);
  bt_rec_clear(&f.rec);
  set_policy(&f, BFD_NHS_AFTER_UP);
  set_policy(&f, BFD_NHS_DOWN_UNTIL_UP);
  CU_ASSERT_EQUAL(f.rec.n_all, 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).nexthop_down, 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_ADMIN_DOWN);
  bt_fx_del(&f);

  /* Created with AFTER_UP (no event), switched before it was ever Up. */
  bt_fx_init(&f);
  f.st.nexthop_policy = BFD_NHS_AFTER_UP;
  bt_fx_start(&f);
  CU_ASSERT_EQUAL(f.rec.n_all, 0);
  f.now += MS;
  set_policy(&f, BFD_NHS_DOWN_UNTIL_UP);
  {
    const xev x[] = {XN(DOWN, POLICY, 0)};
    expect_ev(&f, x, 1, "after_up -> down_until_up at creation");
  }
  bt_fx_del(&f);
}

/* The state event of a detection timeout reports the last State
 * and Diag the peer sent (§6.8.1 bfd.RemoteSessionState "last reported");
 * afterwards the snapshot shows the remote forgotten consistently (§6.8.1:
 * RemoteDiscr zero after a Detection Time; state Down, diag 0). */
static void test_detect_event_last_remote(void) {
  bt_fx f;
  bfd_session_status b;
  bt_fx_new(&f);
  bt_fx_up_settled(&f);
  f.peer.diag = BFD_DIAG_CONCAT_PATH_DOWN;
  f.now += MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, 0), 0);
  expire(&f);
  CU_ASSERT_EQUAL_FATAL(f.rec.n, 2); /* state, nexthop */
  CU_ASSERT_EQUAL(f.rec.ev[0].kind, BT_EV_STATE);
  CU_ASSERT_EQUAL(f.rec.ev[0].st.old_state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(f.rec.ev[0].st.new_state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(f.rec.ev[0].st.local_diag, BFD_DIAG_DETECT_EXPIRED);
  CU_ASSERT_EQUAL(f.rec.ev[0].st.remote_state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(f.rec.ev[0].st.remote_diag, BFD_DIAG_CONCAT_PATH_DOWN);
  b = bt_fx_status(&f);
  CU_ASSERT_EQUAL(b.state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(b.remote_state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(b.remote_diag, BFD_DIAG_NONE);
  CU_ASSERT_EQUAL(b.remote_discr, 0);
  CU_ASSERT_EQUAL(b.remote_detect_mult, 0);
  bt_fx_del(&f);

  /* From Init: the peer's last packet was Down with diag 1. */
  bt_fx_new(&f);
  f.peer.diag = BFD_DIAG_DETECT_EXPIRED;
  bt_fx_reach(&f, BFD_STATE_INIT);
  expire(&f);
  CU_ASSERT_EQUAL_FATAL(f.rec.n, 1); /* DOWN_UNTIL_UP: the nexthop is already down */
  CU_ASSERT_EQUAL(f.rec.ev[0].st.old_state, BFD_STATE_INIT);
  CU_ASSERT_EQUAL(f.rec.ev[0].st.remote_state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(f.rec.ev[0].st.remote_diag, BFD_DIAG_DETECT_EXPIRED);
  b = bt_fx_status(&f);
  CU_ASSERT_EQUAL(b.remote_state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(b.remote_diag, BFD_DIAG_NONE);
  CU_ASSERT_EQUAL(b.remote_discr, 0);
  bt_fx_del(&f);
}

/* polls_sent / finals_sent are 64-bit in the status, so the session must
 * not wrap them at 2^32 either. */
static void test_counters_64bit(void) {
  bt_fx f;
  bfd_ctrl_pkt p;
  CU_ASSERT_EQUAL(sizeof(((bfd_session_status *)NULL)->polls_sent), 8);
  CU_ASSERT_EQUAL(sizeof(((bfd_session_status *)NULL)->finals_sent), 8);
  bt_fx_new(&f);
  bt_fx_up_settled(&f);
  CU_ASSERT_EQUAL(sizeof(f.s->polls_sent), 8);
  CU_ASSERT_EQUAL(sizeof(f.s->finals_sent), 8);
  f.s->polls_sent = UINT32_MAX;
  f.s->finals_sent = UINT32_MAX;
  f.now += MS;
  CU_ASSERT_EQUAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_P), 0);
  CU_ASSERT_EQUAL(bt_fx_tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.flags & BFD_FLAG_F, BFD_FLAG_F);
  CU_ASSERT_EQUAL(bt_fx_status(&f).finals_sent, (uint64_t)UINT32_MAX + 1);
  f.st.desired_min_tx_us = 200000;
  CU_ASSERT_EQUAL(bfd_session_update(f.s, &f.st, f.now), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).poll_active, 1);
  CU_ASSERT_EQUAL(bt_fx_status(&f).polls_sent, (uint64_t)UINT32_MAX + 1);
  bt_fx_del(&f);
}

/* The case test_poll_two_changes does not reach: a lagged change right
 * after a Final while later Finals of that Poll are still in flight.
 * The peer is 25 ms away (RTT 50 ms) and we send every 20 ms, so Poll 1
 * puts several P on the wire and each gets its F. Change 2 (RX 900 ms ->
 * 5 ms) is made the moment the first F arrives. The late Finals of Poll 1
 * must not end Poll 2 (§6.8.3: "the semantics of the returning Final are
 * unclear"); Poll 2 goes on the wire only a round-trip bound after Poll 1's
 * last P (§6.8.3 choice 2) and ends with an F answering one of its own P. */
typedef struct inflight {
  uint64_t at;         /* arrival of the peer's F */
  uint32_t answers_rx; /* Required Min RX of the P it answers */
} inflight;

static void test_poll_change_after_final_late_final(void) {
  enum { QMAX = 256 };
  const uint64_t rtt = 50 * MS, piv = 20 * MS;
  inflight q[QMAX];
  unsigned nq = 0, iq = 0, late = 0, guard = 0, phase = 1;
  uint64_t next_peer, end, first_p1 = BFD_TSTAMP_NONE, last_p1 = 0, t_final1 = 0;
  uint64_t first_p2 = BFD_TSTAMP_NONE;
  uint32_t ended_by = 0;
  bt_fx f;
  bt_fx_init_timers(&f, 20000, 1000000, 20000, 20000);
  f.lib_rand = 0;
  bt_fx_start(&f);
  bt_fx_up_settled(&f);
  CU_ASSERT_EQUAL_FATAL(bt_fx_status(&f).tx_interval_ns, 20 * MS);
  CU_ASSERT_EQUAL_FATAL(bt_fx_status(&f).detect_time_ns, 3 * SEC);
  sim_peer(&f, f.now + SEC, piv, 0, 0); /* the slow-start Poll is long over */
  CU_ASSERT_EQUAL_FATAL(bt_fx_status(&f).poll_active, 0);
  f.st.required_min_rx_us = 900000; /* change 1: a decrease, lagged */
  CU_ASSERT_EQUAL_FATAL(bfd_session_update(f.s, &f.st, f.now), 0);
  next_peer = f.now + piv;
  end = f.now + 2 * SEC;
  for (;;) {
    uint64_t t = bfd_session_next_deadline(f.s);
    bfd_ctrl_pkt p;
    if (next_peer < t)
      t = next_peer;
    if (iq < nq && q[iq].at < t)
      t = q[iq].at;
    if (t > end)
      break;
    CU_ASSERT_FATAL(++guard < 100000);
    if (t > f.now)
      f.now = t;
    /* Finals due by now, oldest first. */
    while (iq < nq && q[iq].at <= f.now) {
      int was = bt_fx_status(&f).poll_active;
      CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_F), 0);
      if (phase == 2 && q[iq].answers_rx == 900000)
        late++; /* a late Final of Poll 1, after change 2 */
      if (was && !bt_fx_status(&f).poll_active) {
        if (phase == 1) {
          CU_ASSERT_EQUAL(bt_fx_status(&f).detect_time_ns, 2700 * MS);
          t_final1 = f.now;
          phase = 2;
          f.st.required_min_rx_us = 5000; /* change 2, right after the Final */
          CU_ASSERT_EQUAL_FATAL(bfd_session_update(f.s, &f.st, f.now), 0);
        } else if (phase == 2) {
          ended_by = q[iq].answers_rx;
          phase = 3;
        }
      }
      iq++;
    }
    if (f.now >= next_peer) {
      CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_UP, 0), 0);
      next_peer += piv;
    }
    CU_ASSERT_EQUAL_FATAL(bfd_session_feed_time(f.s, f.now), 0);
    while (bt_fx_tx(&f, &p) > 0) {
      if (!(p.flags & BFD_FLAG_P)) {
        /* The new RX goes out in P packets only until its Final. */
        if (phase == 2)
          CU_ASSERT(p.required_min_rx_us != 5000);
        continue;
      }
      CU_ASSERT_FATAL(nq < QMAX);
      q[nq].at = f.now + rtt;
      q[nq].answers_rx = p.required_min_rx_us;
      nq++;
      if (p.required_min_rx_us == 900000) {
        if (first_p1 == BFD_TSTAMP_NONE)
          first_p1 = f.now;
        last_p1 = f.now;
      } else if (p.required_min_rx_us == 5000 && first_p2 == BFD_TSTAMP_NONE) {
        first_p2 = f.now;
      }
    }
    /* Until Poll 2's own Final, detection keeps 3 x 900 ms (§6.8.3). */
    if (phase == 2)
      CU_ASSERT_EQUAL(bt_fx_status(&f).detect_time_ns, 2700 * MS);
    CU_ASSERT_EQUAL_FATAL(bt_fx_status(&f).state, BFD_STATE_UP);
  }
  fprintf(stderr,
          "\n    poll 1: P at +0..+%llu ms, Final at +%llu ms; poll 2: first P at +%llu ms, "
          "ended by a Final to RX %u; %u late Finals of poll 1 after change 2\n",
          (unsigned long long)((last_p1 - first_p1) / MS),
          (unsigned long long)((t_final1 - first_p1) / MS),
          first_p2 == BFD_TSTAMP_NONE ? 0ULL : (unsigned long long)((first_p2 - first_p1) / MS),
          (unsigned)ended_by, late);
  CU_ASSERT_FATAL(first_p1 != BFD_TSTAMP_NONE);
  CU_ASSERT(last_p1 > first_p1); /* Poll 1 sent more than one P... */
  CU_ASSERT(late >= 1);          /* ...whose late Finals arrived after change 2 */
  CU_ASSERT_EQUAL(phase, 3);
  CU_ASSERT_EQUAL(ended_by, 5000); /* Poll 2 ended by its own Final only */
  CU_ASSERT(first_p2 != BFD_TSTAMP_NONE);
  CU_ASSERT(first_p2 >= last_p1 + (t_final1 - first_p1));
  CU_ASSERT(first_p2 <= last_p1 + (t_final1 - first_p1) + 20 * MS);
  CU_ASSERT_EQUAL(bt_fx_status(&f).poll_active, 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).detect_time_ns, 60 * MS); /* 3 x max(5 ms, 20 ms) */
  CU_ASSERT_EQUAL(bt_fx_status(&f).change_seq, 1);
  bt_fx_del(&f);
}

/* ------------------------------------------------------------------------ */

int main(void) {
  CU_TestInfo tests[] = {
      {"fsm_table", test_fsm_table},
      {"fsm_down_keeps_diag", test_fsm_down_keeps_diag},
      {"fsm_admin_down_sticky", test_fsm_admin_down_sticky},
      {"reject_up", test_reject_up},
      {"reject_init", test_reject_init},
      {"reject_down", test_reject_down},
      {"reject_admin_down", test_reject_admin_down},
      {"reject_multihop_ttl", test_reject_multihop_ttl},
      {"timers_tx_not_up", test_timers_tx_not_up},
      {"timers_tx_up", test_timers_tx_up},
      {"timers_detect", test_timers_detect},
      {"timers_remote_rx_zero", test_timers_remote_rx_zero},
      {"timers_passive", test_timers_passive},
      {"jitter_uniform", test_jitter_uniform},
      {"jitter_uniform_peer_async", test_jitter_uniform_peer_async},
      {"jitter_mult1", test_jitter_mult1},
      {"jitter_extremes", test_jitter_extremes},
      {"poll_tx_increase_waits_for_final", test_poll_tx_increase_waits_for_final},
      {"poll_rx_decrease_waits_for_final", test_poll_rx_decrease_waits_for_final},
      {"poll_safe_changes_immediate", test_poll_safe_changes_immediate},
      {"poll_detect_mult_no_poll", test_poll_detect_mult_no_poll},
      {"pitfall_final_stale_state", test_pitfall_final_stale_state},
      {"poll_final_then_own_poll", test_poll_final_then_own_poll},
      {"pitfall_unbounded_poll_queue", test_pitfall_unbounded_poll_queue},
      {"poll_two_changes", test_poll_two_changes},
      {"poll_safe_change_rides_poll", test_poll_safe_change_rides_poll},
      {"detect_expiry_exact", test_detect_expiry_exact},
      {"detect_expiry_via_poll", test_detect_expiry_via_poll},
      {"detect_expiry_in_down", test_detect_expiry_in_down},
      {"admin_down_up", test_admin_down_up},
      {"admin_down_at_creation", test_admin_down_at_creation},
      {"nexthop_down_until_up", test_nexthop_down_until_up},
      {"nexthop_after_up", test_nexthop_after_up},
      {"nexthop_admin_down_at_creation", test_nexthop_admin_down_at_creation},
      {"pitfall_delete_readd_order", test_pitfall_delete_readd_order},
      {"err_settings_check", test_err_settings_check},
      {"err_max_intervals", test_err_max_intervals},
      {"err_update_immutable", test_err_update_immutable},
      {"err_clock_backwards", test_err_clock_backwards},
      {"err_nobuf", test_err_nobuf},
      {"err_callback_failure", test_err_callback_failure},
      {"err_nomem", test_err_nomem},
      {"err_null_args", test_err_null_args},
      {"pitfall_detect_time_remote_values", test_pitfall_detect_time_remote_values},
      {"pitfall_tx_interval_negotiation", test_pitfall_tx_interval_negotiation},
      {"pitfall_remote_min_rx_zero", test_pitfall_remote_min_rx_zero},
      {"pitfall_timer_change_waits_for_poll", test_pitfall_timer_change_waits_for_poll},
      {"pitfall_live_update_no_flap", test_pitfall_live_update_no_flap},
      {"pitfall_remote_state_reset", test_pitfall_remote_state_reset},
      {"pitfall_demand_bit_any_state", test_pitfall_demand_bit_any_state},
      {"pitfall_stays_down_forever", test_pitfall_stays_down_forever},
      {"pitfall_extra_poll_on_coming_up", test_pitfall_extra_poll_on_coming_up},
      {"pitfall_state_cleared_before_detection", test_pitfall_state_cleared_before_detection},
      {"pitfall_diag_codes", test_pitfall_diag_codes},
      {"pitfall_failed_packet_changes_nothing", test_pitfall_failed_packet_changes_nothing},
      {"pitfall_auth_before_update", test_pitfall_auth_before_update},
      {"pitfall_gtsm_single_hop", test_pitfall_gtsm_single_hop},
      {"pitfall_discriminator_nonzero", test_pitfall_discriminator_nonzero},
      {"pitfall_remote_admin_down_not_failure", test_pitfall_remote_admin_down_not_failure},
      {"pitfall_nexthop_cleared_on_delete", test_pitfall_nexthop_cleared_on_delete},
      {"same_discr_peer_comes_up", test_same_discr_peer_comes_up},
      {"admin_down_feed_changes_exactly", test_admin_down_feed_changes_exactly},
      {"nexthop_policy_change_live", test_nexthop_policy_change_live},
      {"detect_event_last_remote", test_detect_event_last_remote},
      {"counters_64bit", test_counters_64bit},
      {"poll_change_after_final_late_final", test_poll_change_after_final_late_final},
      CU_TEST_INFO_NULL,
  };
  return bfd_test_run_suite("session", tests);
}
