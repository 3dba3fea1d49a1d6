/* Session core: RFC 5880 §6.2/§6.8 state machine, timer negotiation, jitter,
 * Poll/Final, detection, AdminDown, RFC 5882 nexthop events and the error
 * contract, all driven through the public API on a virtual clock. */
#include "bfd_session.h"
#include "bfd_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define US BFD_MICROSECONDS
#define MS BFD_MILLISECONDS
#define SEC BFD_SECONDS
#define T0 (1000 * SEC) /* clock origin: anything but 0 */
#define LDISCR 0x11111111u
#define RDISCR 0x22222222u

/* ------------------------------------------------------------------------ */
/* Fixture                                                                  */
/* ------------------------------------------------------------------------ */

enum { EV_STATE = 1, EV_NH = 2 };
enum { RAND_DEFAULT = 0, RAND_CONST, RAND_LCG, RAND_SCRIPT };

typedef struct ev_rec {
  int kind;
  bfd_state_event st;
  bfd_nexthop_event nh;
} ev_rec;

/* What the simulated peer puts into its packets. */
typedef struct peer_tpl {
  uint8_t diag, mult;
  uint32_t my, your, tx_us, rx_us, echo_us;
} peer_tpl;

typedef struct fx {
  bfd_session *s;
  bfd_session_settings st;
  bfd_callbacks cb;
  bfd_rx_info ri;
  peer_tpl peer;
  uint64_t now;
  ev_rec ev[128];
  unsigned nev;     /* recorded (capped) */
  unsigned nev_all; /* delivered */
  int fail_state, fail_nh;
  int rand_mode;
  uint32_t rand_const;
  uint64_t lcg;
  uint32_t script[8];
  unsigned nscript, iscript;
  unsigned rand_calls;
} fx;

static void rec(fx *f, const ev_rec *e) {
  if (f->nev < sizeof(f->ev) / sizeof(f->ev[0]))
    f->ev[f->nev++] = *e;
  f->nev_all++;
}

static int on_state(bfd_session *s, const bfd_state_event *ev, void *ud) {
  fx *f = ud;
  ev_rec e;
  (void)s;
  memset(&e, 0, sizeof(e));
  e.kind = EV_STATE;
  e.st = *ev;
  rec(f, &e);
  return f->fail_state;
}

static int on_nh(bfd_session *s, const bfd_nexthop_event *ev, void *ud) {
  fx *f = ud;
  ev_rec e;
  (void)s;
  memset(&e, 0, sizeof(e));
  e.kind = EV_NH;
  e.nh = *ev;
  rec(f, &e);
  return f->fail_nh;
}

static void on_rand(uint8_t *dest, size_t len, void *ud) {
  fx *f = ud;
  size_t i;
  f->rand_calls++;
  for (i = 0; i < len; i += 4) {
    uint32_t v;
    size_t n = len - i < 4 ? len - i : 4;
    switch (f->rand_mode) {
    case RAND_CONST: v = f->rand_const; break;
    case RAND_SCRIPT:
      v = f->iscript < f->nscript ? f->script[f->iscript++] : f->rand_const;
      break;
    default: /* 64-bit LCG (Knuth MMIX), top bits */
      f->lcg = f->lcg * 6364136223846793005ULL + 1442695040888963407ULL;
      v = (uint32_t)(f->lcg >> 32);
      break;
    }
    memcpy(dest + i, &v, n);
  }
}

/* Defaults: 300 ms / 300 ms x 3, fixed discriminators, single-hop GTSM rx
 * info, a peer advertising 300 ms / 300 ms x 3. */
static void fx_init(fx *f) {
  memset(f, 0, sizeof(*f));
  CU_ASSERT_EQUAL_FATAL(bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &f->st), 0);
  f->st.local_discr = LDISCR;
  CU_ASSERT_EQUAL_FATAL(bfd_callbacks_init(BFD_CALLBACKS_VERSION, &f->cb), 0);
  f->cb.state_change = on_state;
  f->cb.nexthop = on_nh;
  f->ri.mode = BFD_MODE_SINGLE_HOP;
  f->ri.family = BFD_AF_INET;
  f->ri.ttl = 255;
  f->ri.flags = BFD_RX_TTL;
  f->peer.mult = 3;
  f->peer.my = RDISCR;
  f->peer.your = LDISCR;
  f->peer.tx_us = 300000;
  f->peer.rx_us = 300000;
  f->now = T0;
  f->lcg = 0x5eed;
}

static void fx_start(fx *f) {
  if (f->rand_mode != RAND_DEFAULT)
    f->cb.rand = on_rand;
  CU_ASSERT_EQUAL_FATAL(bfd_session_new(&f->s, &f->st, &f->cb, NULL, f, f->now), 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f->s);
}

static void fx_new(fx *f) {
  fx_init(f);
  fx_start(f);
}

static void fx_del(fx *f) {
  bfd_session_del(f->s);
  f->s = NULL;
}

static void clear_ev(fx *f) { f->nev = f->nev_all = 0; }

static unsigned count_kind(const fx *f, int kind) {
  unsigned i, n = 0;
  for (i = 0; i < f->nev; i++)
    n += f->ev[i].kind == kind;
  return n;
}

static bfd_session_status status(const fx *f) {
  bfd_session_status o;
  memset(&o, 0xa5, sizeof(o));
  o.struct_version = BFD_SESSION_STATUS_VERSION;
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_status(f->s, &o), 0);
  return o;
}

static size_t build(const fx *f, uint8_t state, uint8_t flags, uint8_t *buf) {
  bfd_ctrl_pkt p;
  ptrdiff_t n;
  memset(&p, 0, sizeof(p));
  p.version = 1;
  p.diag = f->peer.diag;
  p.state = state;
  p.flags = flags;
  p.detect_mult = f->peer.mult;
  p.my_discr = f->peer.my;
  p.your_discr = f->peer.your;
  p.desired_min_tx_us = f->peer.tx_us;
  p.required_min_rx_us = f->peer.rx_us;
  p.required_min_echo_rx_us = f->peer.echo_us;
  n = bfd_ctrl_pkt_encode(buf, 64, &p);
  CU_ASSERT_EQUAL_FATAL(n, 24);
  return (size_t)n;
}

/* Feed a packet from the peer (template + state/flags) at f->now. */
static int rx(fx *f, uint8_t state, uint8_t flags) {
  uint8_t buf[64];
  size_t n = build(f, state, flags, buf);
  return bfd_session_feed_packet(f->s, buf, n, &f->ri, f->now);
}

/* Poll one packet at f->now. Every packet the session emits must decode and
 * must never carry P and F together (§6.5). */
static ptrdiff_t tx(fx *f, bfd_ctrl_pkt *out) {
  uint8_t buf[64];
  bfd_ctrl_pkt tmp;
  ptrdiff_t n = bfd_session_poll_packet(f->s, buf, sizeof(buf), f->now);
  if (!out)
    out = &tmp;
  memset(out, 0, sizeof(*out));
  CU_ASSERT_FATAL(n >= 0);
  if (n > 0) {
    CU_ASSERT_EQUAL_FATAL(n, 24);
    CU_ASSERT_FATAL((buf[1] & (BFD_FLAG_P | BFD_FLAG_F)) != (BFD_FLAG_P | BFD_FLAG_F));
    CU_ASSERT_EQUAL_FATAL(bfd_ctrl_pkt_decode(out, buf, (size_t)n), 0);
    CU_ASSERT_EQUAL(out->my_discr, bfd_session_get_local_discr(f->s));
  }
  return n;
}

/* Poll everything due now; returns the count and ORs the flags seen. */
static unsigned drain(fx *f, uint8_t *flags, bfd_ctrl_pkt *last) {
  bfd_ctrl_pkt p;
  unsigned n = 0;
  if (flags)
    *flags = 0;
  while (tx(f, &p) > 0) {
    n++;
    CU_ASSERT_FATAL(n < 10);
    if (flags)
      *flags |= p.flags;
    if (last)
      *last = p;
  }
  return n;
}

/* Send our due packets; if one carried P, the peer answers with a Final. */
static __attribute__((unused)) void settle(fx *f) {
  uint8_t fl;
  drain(f, &fl, NULL);
  if (fl & BFD_FLAG_P) {
    CU_ASSERT_EQUAL_FATAL(rx(f, BFD_STATE_UP, BFD_FLAG_F), 0);
    drain(f, NULL, NULL);
  }
  CU_ASSERT_EQUAL(status(f).poll_active, 0);
}

/* Reach a local state through real packets / admin calls. */
static void reach(fx *f, uint8_t state) {
  uint32_t your = f->peer.your;
  switch (state) {
  case BFD_STATE_DOWN: break;
  case BFD_STATE_INIT:
    f->peer.your = 0; /* the peer does not know us yet */
    CU_ASSERT_EQUAL_FATAL(rx(f, BFD_STATE_DOWN, 0), 0);
    f->peer.your = your;
    break;
  case BFD_STATE_UP:
    CU_ASSERT_EQUAL_FATAL(rx(f, BFD_STATE_INIT, 0), 0);
    break;
  case BFD_STATE_ADMIN_DOWN:
    CU_ASSERT_EQUAL_FATAL(bfd_session_set_admin_down(f->s, 1, f->now), 0);
    break;
  }
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_state(f->s), state);
  drain(f, NULL, NULL);
}

/* An Up session with its slow-start Poll completed. */
static void up_settled(fx *f) {
  reach(f, BFD_STATE_UP);
  if (status(f).poll_active) {
    CU_ASSERT_EQUAL_FATAL(rx(f, BFD_STATE_UP, BFD_FLAG_F), 0);
    drain(f, NULL, NULL);
  }
  CU_ASSERT_EQUAL_FATAL(status(f).poll_active, 0);
  CU_ASSERT_EQUAL_FATAL(status(f).state, BFD_STATE_UP);
}

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
    fx f;
    bfd_session_status a, b;
    int rv, changed;
    fx_new(&f);
    reach(&f, t[i].local);
    f.now += 10 * MS;
    clear_ev(&f);
    a = status(&f);
    f.peer.diag = peer_diag_for(t[i].rcvd);
    rv = rx(&f, t[i].rcvd, 0);
    b = status(&f);
    if (t[i].local == BFD_STATE_ADMIN_DOWN) {
      CU_ASSERT_EQUAL(rv, BFD_ERR_PKT_ADMIN_DOWN);
      CU_ASSERT_EQUAL(b.rx_dropped, a.rx_dropped + 1);
      CU_ASSERT_EQUAL(b.rx_packets, a.rx_packets);
      CU_ASSERT_EQUAL(bfd_session_get_rx_drops(f.s, BFD_ERR_PKT_ADMIN_DOWN), 1);
    } else {
      CU_ASSERT_EQUAL(rv, 0);
      CU_ASSERT_EQUAL(b.rx_packets, a.rx_packets + 1);
      CU_ASSERT_EQUAL(b.rx_dropped, a.rx_dropped);
    }
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
    CU_ASSERT_EQUAL(count_kind(&f, EV_STATE), changed ? 1u : 0u);
    if (changed) {
      CU_ASSERT_EQUAL(b.change_seq, a.change_seq + 1);
      CU_ASSERT_EQUAL(b.last_change, f.now);
      CU_ASSERT_EQUAL(f.ev[0].kind, EV_STATE);
      CU_ASSERT_EQUAL(f.ev[0].st.old_state, t[i].local);
      CU_ASSERT_EQUAL(f.ev[0].st.new_state, t[i].state);
      CU_ASSERT_EQUAL(f.ev[0].st.local_diag, t[i].diag);
      CU_ASSERT_EQUAL(f.ev[0].st.remote_state, t[i].rcvd);
      CU_ASSERT_EQUAL(f.ev[0].st.remote_diag, peer_diag_for(t[i].rcvd));
      CU_ASSERT_EQUAL(f.ev[0].st.change_seq, b.change_seq);
      CU_ASSERT_EQUAL(f.ev[0].st.ts, f.now);
    } else {
      CU_ASSERT_EQUAL(b.change_seq, a.change_seq);
      CU_ASSERT_EQUAL(b.last_change, a.last_change);
    }
    fx_del(&f);
  }
}

/* A Down session keeps its old diag when a peer AdminDown arrives (§6.8.6:
 * only "if bfd.SessionState is not Down"), and emits nothing. */
static void test_fsm_down_keeps_diag(void) {
  fx f;
  fx_new(&f);
  up_settled(&f);
  CU_ASSERT_EQUAL(rx(&f, BFD_STATE_DOWN, 0), 0);
  CU_ASSERT_EQUAL(status(&f).state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(status(&f).local_diag, BFD_DIAG_NEIGHBOR_DOWN);
  clear_ev(&f);
  f.now += MS;
  f.peer.diag = BFD_DIAG_ADMIN_DOWN;
  CU_ASSERT_EQUAL(rx(&f, BFD_STATE_ADMIN_DOWN, 0), 0);
  CU_ASSERT_EQUAL(status(&f).state, BFD_STATE_DOWN);
  CU_ASSERT_EQUAL(status(&f).local_diag, BFD_DIAG_NEIGHBOR_DOWN);
  CU_ASSERT_EQUAL(f.nev_all, 0);
  fx_del(&f);
}

/* Local AdminDown never leaves by packet, whatever arrives, however often. */
static void test_fsm_admin_down_sticky(void) {
  fx f;
  unsigned i;
  uint32_t seq;
  fx_new(&f);
  up_settled(&f);
  reach(&f, BFD_STATE_ADMIN_DOWN);
  seq = status(&f).change_seq;
  clear_ev(&f);
  for (i = 0; i < 400; i++) {
    f.now += MS;
    f.peer.your = (i & 4) ? LDISCR : 0;
    CU_ASSERT_EQUAL(rx(&f, (uint8_t)((i & 4) ? i & 3 : i & 1), (uint8_t)((i & 8) ? BFD_FLAG_P : 0)),
                    BFD_ERR_PKT_ADMIN_DOWN);
    drain(&f, NULL, NULL);
    CU_ASSERT_EQUAL(bfd_session_get_state(f.s), BFD_STATE_ADMIN_DOWN);
  }
  CU_ASSERT_EQUAL(status(&f).change_seq, seq);
  CU_ASSERT_EQUAL(bfd_session_get_rx_drops(f.s, BFD_ERR_PKT_ADMIN_DOWN), 400);
  CU_ASSERT_EQUAL(f.nev_all, 0);
  fx_del(&f);
}

/* ------------------------------------------------------------------------ */
/* 2. Rejections: a packet that fails changes nothing (§6.8.6)              */
/* ------------------------------------------------------------------------ */

static const int all_pkt_errs[] = {
    BFD_ERR_PKT_TRUNCATED,   BFD_ERR_PKT_VERSION,       BFD_ERR_PKT_LENGTH_SHORT,
    BFD_ERR_PKT_LENGTH_LONG, BFD_ERR_PKT_DETECT_MULT,   BFD_ERR_PKT_MULTIPOINT,
    BFD_ERR_PKT_MY_DISCR,    BFD_ERR_PKT_POLL_FINAL,    BFD_ERR_PKT_AUTH_TYPE,
    BFD_ERR_PKT_AUTH_LEN,    BFD_ERR_PKT_NO_SESSION,    BFD_ERR_PKT_YOUR_DISCR,
    BFD_ERR_PKT_AUTH_MISMATCH, BFD_ERR_PKT_AUTH_FAILED, BFD_ERR_PKT_TTL,
    BFD_ERR_PKT_MODE,        BFD_ERR_PKT_ADMIN_DOWN};
#define N_PKT_ERRS (sizeof(all_pkt_errs) / sizeof(all_pkt_errs[0]))

/* Feed buf and require: return `err`; status identical except rx_dropped
 * +1; that reason's counter +1 and no other; deadline unchanged; no event. */
static void expect_reject(fx *f, const uint8_t *buf, size_t len, const bfd_rx_info *ri, int err,
                          const char *what) {
  bfd_session_status a, b;
  uint64_t drops[N_PKT_ERRS];
  uint64_t dl = bfd_session_next_deadline(f->s);
  size_t i;
  int rv;
  a = status(f);
  for (i = 0; i < N_PKT_ERRS; i++)
    drops[i] = bfd_session_get_rx_drops(f->s, all_pkt_errs[i]);
  clear_ev(f);
  f->now += 1 * MS; /* stays well before any deadline */
  rv = bfd_session_feed_packet(f->s, buf, len, ri, f->now);
  if (rv != err)
    fprintf(stderr, "\nreject %s: got %d expected %d\n", what, rv, err);
  CU_ASSERT_EQUAL(rv, err);
  b = status(f);
  CU_ASSERT_EQUAL(b.rx_dropped, a.rx_dropped + 1);
  b.rx_dropped = a.rx_dropped;
  CU_ASSERT(memcmp(&a, &b, sizeof(a)) == 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f->s), dl);
  CU_ASSERT_EQUAL(f->nev_all, 0);
  for (i = 0; i < N_PKT_ERRS; i++)
    CU_ASSERT_EQUAL(bfd_session_get_rx_drops(f->s, all_pkt_errs[i]),
                    drops[i] + (all_pkt_errs[i] == err ? 1 : 0));
}

/* Every rejection class against a session in `state`. */
static void rejections_in(uint8_t state) {
  fx f;
  uint8_t buf[64], good[64];
  bfd_rx_info ri;
  size_t n;
  uint8_t rs;
  fx_new(&f);
  if (state == BFD_STATE_UP)
    up_settled(&f);
  else
    reach(&f, state);
  n = build(&f, BFD_STATE_UP, 0, good);
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
  n = build(&f, BFD_STATE_UP, 0, buf);
  expect_reject(&f, buf, n, &f.ri, BFD_ERR_PKT_NO_SESSION, "wrong your discr");
  f.peer.your = 0;
  for (rs = BFD_STATE_INIT; rs <= BFD_STATE_UP; rs++) {
    n = build(&f, rs, 0, buf);
    expect_reject(&f, buf, n, &f.ri, BFD_ERR_PKT_YOUR_DISCR, "your discr 0 init/up");
  }
  f.peer.your = LDISCR;
  memcpy(buf, good, 24); /* a well-formed Simple Password section */
  buf[1] |= BFD_FLAG_A;
  buf[3] = 28;
  buf[24] = BFD_AUTH_SIMPLE;
  buf[25] = 4;
  buf[26] = 1;
  buf[27] = 'x';
  expect_reject(&f, buf, 28, &f.ri, BFD_ERR_PKT_AUTH_MISMATCH, "A bit without auth");
  ri = f.ri;
  ri.ttl = 254;
  expect_reject(&f, good, 24, &ri, BFD_ERR_PKT_TTL, "ttl 254");
  ri = f.ri;
  ri.flags = 0; /* TTL unknown: fails the GTSM floor */
  expect_reject(&f, good, 24, &ri, BFD_ERR_PKT_TTL, "no ttl info");
  ri = f.ri;
  ri.mode = BFD_MODE_MULTIHOP;
  expect_reject(&f, good, 24, &ri, BFD_ERR_PKT_MODE, "mode");
  /* Each class once more from a different "attacker" state: a forged Down
   * with the wrong discriminator must not take a session Down. */
  f.peer.your = 0xdeadbeef;
  n = build(&f, BFD_STATE_DOWN, BFD_FLAG_P, buf);
  expect_reject(&f, buf, n, &f.ri, BFD_ERR_PKT_NO_SESSION, "forged down");
  fx_del(&f);
}

static void test_reject_up(void) { rejections_in(BFD_STATE_UP); }
static void test_reject_init(void) { rejections_in(BFD_STATE_INIT); }
static void test_reject_down(void) { rejections_in(BFD_STATE_DOWN); }

/* RFC 5883: multihop with a configured floor of 10: ttl 9 fails, 10 passes;
 * a single-hop packet on the multihop session is a mode mismatch. */
static void test_reject_multihop_ttl(void) {
  fx f;
  uint8_t buf[64];
  size_t n;
  bfd_rx_info ri;
  fx_init(&f);
  f.st.mode = BFD_MODE_MULTIHOP;
  f.st.min_rx_ttl = 10;
  f.ri.mode = BFD_MODE_MULTIHOP;
  f.ri.ttl = 9;
  fx_start(&f);
  n = build(&f, BFD_STATE_DOWN, 0, buf);
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
  CU_ASSERT_EQUAL(rx(&f, BFD_STATE_DOWN, 0), 0);
  CU_ASSERT_EQUAL(status(&f).state, BFD_STATE_INIT);
  fx_del(&f);

  /* Default multihop floor is 1: any TTL, even without TTL info. */
  fx_init(&f);
  f.st.mode = BFD_MODE_MULTIHOP;
  f.ri.mode = BFD_MODE_MULTIHOP;
  f.ri.ttl = 1;
  fx_start(&f);
  CU_ASSERT_EQUAL(rx(&f, BFD_STATE_DOWN, 0), 0);
  f.ri.flags = 0;
  CU_ASSERT_EQUAL(rx(&f, BFD_STATE_INIT, 0), 0);
  CU_ASSERT_EQUAL(status(&f).state, BFD_STATE_UP);
  fx_del(&f);
}

/* ------------------------------------------------------------------------ */
/* 3. Timer negotiation (§6.8.3, §6.8.4, §6.8.7)                            */
/* ------------------------------------------------------------------------ */

static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* After sending at `now`, the next TX must come within [75 %, 100 %] of
 * `iv` (no detection deadline earlier: callers make it long). */
static void check_next_gap(fx *f, uint64_t iv) {
  uint64_t dl = bfd_session_next_deadline(f->s);
  CU_ASSERT(dl >= f->now + iv - iv / 4);
  CU_ASSERT(dl <= f->now + iv);
}

static void test_timers_tx_not_up(void) {
  /* tx_interval = max(DesiredMinTx floored at 1 s, remote RequiredMinRx). */
  static const struct {
    uint32_t cfg_tx_us, remote_rx_us;
    uint64_t iv;
  } t[] = {
      {50000, 10000, 1 * SEC},   {50000, 1500000, 1500 * MS}, {2000000, 10000, 2 * SEC},
      {2000000, 3000000, 3 * SEC}, {1000000, 1000000, 1 * SEC}, {1, 1, 1 * SEC},
  };
  size_t i;
  for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    fx f;
    bfd_ctrl_pkt p;
    fx_init(&f);
    f.st.desired_min_tx_us = t[i].cfg_tx_us;
    f.peer.rx_us = t[i].remote_rx_us;
    f.peer.tx_us = 10000000; /* long detection: 30 s */
    fx_start(&f);
    /* Before the remote is known: remote RequiredMinRx is 1 µs (§6.8.1). */
    CU_ASSERT_EQUAL(status(&f).tx_interval_ns, max64(t[i].cfg_tx_us * US, SEC));
    CU_ASSERT_EQUAL(status(&f).detect_time_ns, 0);
    CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), T0); /* first packet at creation */
    CU_ASSERT_EQUAL(tx(&f, &p), 24);
    CU_ASSERT_EQUAL(p.desired_min_tx_us, t[i].cfg_tx_us > 1000000 ? t[i].cfg_tx_us : 1000000);
    CU_ASSERT_EQUAL(p.required_min_rx_us, 300000);
    CU_ASSERT_EQUAL(p.your_discr, 0);
    f.now += 1 * MS;
    reach(&f, BFD_STATE_INIT);
    CU_ASSERT_EQUAL(status(&f).tx_interval_ns, t[i].iv);
    CU_ASSERT_EQUAL(status(&f).last_tx, f.now); /* the state-change packet */
    check_next_gap(&f, t[i].iv);
    fx_del(&f);
  }
}

static void test_timers_tx_up(void) {
  /* Up: tx_interval = max(DesiredMinTx, remote RequiredMinRx), no floor. */
  static const struct {
    uint32_t cfg_tx_us, remote_rx_us;
    uint64_t iv;
  } t[] = {
      {50000, 10000, 50 * MS},    {50000, 300000, 300 * MS}, {300000, 50000, 300 * MS},
      {2000000, 10000, 2 * SEC},  {10000, 10000, 10 * MS},   {3300, 1, 3300 * US},
  };
  size_t i;
  for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
    fx f;
    bfd_ctrl_pkt p;
    fx_init(&f);
    f.st.desired_min_tx_us = t[i].cfg_tx_us;
    f.peer.rx_us = t[i].remote_rx_us;
    f.peer.tx_us = 10000000;
    fx_start(&f);
    drain(&f, NULL, NULL);
    f.now += 1 * MS;
    CU_ASSERT_EQUAL(rx(&f, BFD_STATE_INIT, 0), 0);
    CU_ASSERT_EQUAL(status(&f).state, BFD_STATE_UP);
    /* A smaller TX interval applies at once (§6.8.3 only delays larger). */
    CU_ASSERT_EQUAL(status(&f).tx_interval_ns, t[i].iv);
    CU_ASSERT_EQUAL(tx(&f, &p), 24);
    CU_ASSERT_EQUAL(p.state, BFD_STATE_UP);
    CU_ASSERT_EQUAL(p.desired_min_tx_us, t[i].cfg_tx_us);
    CU_ASSERT_EQUAL(tx(&f, NULL), 0);
    check_next_gap(&f, t[i].iv);
    fx_del(&f);
  }
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
    fx f;
    fx_init(&f);
    f.st.detect_mult = t[i].lmult;
    f.st.required_min_rx_us = t[i].lrx_us;
    f.peer.mult = t[i].rmult;
    f.peer.tx_us = t[i].rtx_us;
    fx_start(&f);
    drain(&f, NULL, NULL);
    f.now += 7 * MS;
    CU_ASSERT_EQUAL(rx(&f, BFD_STATE_INIT, 0), 0); /* Down -> Up */
    CU_ASSERT_EQUAL(status(&f).detect_time_ns, t[i].dt);
    CU_ASSERT_EQUAL(status(&f).remote_detect_mult, t[i].rmult);
    CU_ASSERT_EQUAL(status(&f).last_rx, f.now);
    /* The deadline is the detection time once TX is quiet. */
    f.peer.rx_us = 0;
    CU_ASSERT_EQUAL(rx(&f, BFD_STATE_UP, 0), 0);
    drain(&f, NULL, NULL);
    CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), f.now + t[i].dt);
    fx_del(&f);
  }
}

/* §6.8.7: remote Required Min RX 0 -> no periodic TX at all; the only
 * deadline is detection, and nothing is sent before it. */
static void test_timers_remote_rx_zero(void) {
  fx f;
  uint64_t dl;
  fx_new(&f);
  up_settled(&f);
  f.now += 10 * MS;
  f.peer.rx_us = 0;
  CU_ASSERT_EQUAL(rx(&f, BFD_STATE_UP, 0), 0);
  CU_ASSERT_EQUAL(status(&f).tx_interval_ns, 0);
  CU_ASSERT_EQUAL(status(&f).remote_required_min_rx_us, 0);
  dl = bfd_session_next_deadline(f.s);
  CU_ASSERT_EQUAL(dl, f.now + 900 * MS);
  CU_ASSERT_EQUAL(tx(&f, NULL), 0);
  f.now = dl - 1;
  CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, f.now), 0);
  CU_ASSERT_EQUAL(tx(&f, NULL), 0);
  CU_ASSERT_EQUAL(status(&f).state, BFD_STATE_UP);
  /* A Poll is still answered (§6.5: the Final is not periodic). */
  CU_ASSERT_EQUAL(rx(&f, BFD_STATE_UP, BFD_FLAG_P), 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), f.now);
  {
    bfd_ctrl_pkt p;
    CU_ASSERT_EQUAL(tx(&f, &p), 24);
    CU_ASSERT_EQUAL(p.flags & (BFD_FLAG_F | BFD_FLAG_P), BFD_FLAG_F);
  }
  CU_ASSERT_EQUAL(tx(&f, NULL), 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), f.now + 900 * MS);
  fx_del(&f);

  /* Same from Down: the Down -> Init change sends nothing either. */
  fx_new(&f);
  drain(&f, NULL, NULL);
  f.now += MS;
  f.peer.rx_us = 0;
  f.peer.your = 0;
  CU_ASSERT_EQUAL(rx(&f, BFD_STATE_DOWN, 0), 0);
  CU_ASSERT_EQUAL(status(&f).state, BFD_STATE_INIT);
  CU_ASSERT_EQUAL(tx(&f, NULL), 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), f.now + 900 * MS);
  fx_del(&f);
}

/* §6.8.7 / §6.1: a passive session sends nothing until the remote
 * discriminator is known, then answers at once. */
static void test_timers_passive(void) {
  fx f;
  bfd_ctrl_pkt p;
  int i;
  fx_init(&f);
  f.st.passive = 1;
  fx_start(&f);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), BFD_TSTAMP_NONE);
  for (i = 0; i < 100; i++) {
    CU_ASSERT_EQUAL(tx(&f, NULL), 0);
    f.now += 100 * MS;
  }
  CU_ASSERT_EQUAL(bfd_session_feed_time(f.s, f.now), 0);
  CU_ASSERT_EQUAL(status(&f).tx_packets, 0);
  CU_ASSERT_EQUAL(status(&f).last_tx, BFD_TSTAMP_NONE);
  f.peer.your = 0;
  CU_ASSERT_EQUAL(rx(&f, BFD_STATE_DOWN, 0), 0);
  CU_ASSERT_EQUAL(bfd_session_next_deadline(f.s), f.now);
  CU_ASSERT_EQUAL(tx(&f, &p), 24);
  CU_ASSERT_EQUAL(p.state, BFD_STATE_INIT);
  CU_ASSERT_EQUAL(p.your_discr, RDISCR);
  CU_ASSERT_EQUAL(tx(&f, NULL), 0);
  check_next_gap(&f, SEC);
  fx_del(&f);
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
      {"reject_multihop_ttl", test_reject_multihop_ttl},
      {"timers_tx_not_up", test_timers_tx_not_up},
      {"timers_tx_up", test_timers_tx_up},
      {"timers_detect", test_timers_detect},
      {"timers_remote_rx_zero", test_timers_remote_rx_zero},
      {"timers_passive", test_timers_passive},
      CU_TEST_INFO_NULL,
  };
  return bfd_test_run_suite("session", tests);
}
