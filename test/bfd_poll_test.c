/* Poll Sequences against a path whose round trip changes (RFC 5880 §6.5,
 * §6.8.3): a scripted peer answers every P with an F after a round trip the
 * test sets per P, so Finals can be late, and a Final that ends a sequence
 * may answer a P of an older one. */
#include "bfd_harness.h"

#include <string.h>

#define MS  BFD_MILLISECONDS
#define SEC BFD_SECONDS

#define QMAX 64

typedef struct drv {
  bt_fx f;
  uint64_t rtt;     /* round trip given to the next P */
  uint64_t keep_iv; /* the peer's keepalives */
  uint64_t next_keep;
  uint64_t fq[QMAX]; /* arrival times of the peer's Finals, in order */
  unsigned nfq, ifq;
  uint64_t p_at[QMAX]; /* every P the session sent */
  unsigned np;
} drv;

static void drv_init(drv *d) {
  memset(d, 0, sizeof(*d));
  bt_fx_init(&d->f);
  d->f.lib_rand = 0;
  d->keep_iv = 100 * MS;
}

/* Runs the session and the peer to `until`; Finals whose arrival time is
 * due are fed in order, keepalives every keep_iv. */
static void drv_run(drv *d, uint64_t until) {
  unsigned guard = 0;
  for (;;) {
    uint64_t t = bfd_session_next_deadline(d->f.s);
    bfd_ctrl_pkt p;
    if (d->next_keep < t)
      t = d->next_keep;
    if (d->ifq < d->nfq && d->fq[d->ifq] < t)
      t = d->fq[d->ifq];
    if (t > until)
      break;
    CU_ASSERT_FATAL(++guard < 100000);
    if (t > d->f.now)
      d->f.now = t;
    while (d->ifq < d->nfq && d->fq[d->ifq] <= d->f.now) {
      CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&d->f, BFD_STATE_UP, BFD_FLAG_F), 0);
      d->ifq++;
    }
    if (d->f.now >= d->next_keep) {
      CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&d->f, BFD_STATE_UP, 0), 0);
      d->next_keep = d->f.now + d->keep_iv;
    }
    CU_ASSERT_EQUAL_FATAL(bfd_session_feed_time(d->f.s, d->f.now), 0);
    while (bt_fx_tx(&d->f, &p) > 0) {
      if (!(p.flags & BFD_FLAG_P))
        continue;
      CU_ASSERT_FATAL(d->np < QMAX && d->nfq < QMAX);
      d->p_at[d->np++] = d->f.now;
      d->fq[d->nfq++] = d->f.now + d->rtt;
    }
  }
  d->f.now = until;
}

static void drv_set_rx(drv *d, uint32_t rx_us) {
  d->f.st.required_min_rx_us = rx_us;
  CU_ASSERT_EQUAL_FATAL(bfd_session_update(d->f.s, &d->f.st, d->f.now), 0);
}

/* Up at TX 20 ms both ways, our Required Min RX 1 s, settled and run a
 * second with the peer's keepalives. */
static void drv_up_fast(drv *d) {
  drv_init(d);
  d->f.st.desired_min_tx_us = 20000;
  d->f.st.required_min_rx_us = 1000000;
  d->f.peer.tx_us = 20000;
  d->f.peer.rx_us = 20000;
  bt_fx_start(&d->f);
  bt_fx_up_settled(&d->f);
  d->next_keep = d->f.now + d->keep_iv;
  drv_run(d, d->f.now + SEC);
}

/* The Finals to the later P's of a sequence ended by its first Final
 * arrive within its window (last P + the round trip) and end nothing; the
 * next change that needs a Final goes out with the first packet after the
 * window, and its own Final puts it in force (§6.8.3 choice 2). */
static void test_finals_in_window_hold_nothing(void) {
  drv d;
  uint64_t last_a, np_a, t2;
  bfd_session_status st;
  drv_up_fast(&d);
  d.rtt = 50 * MS;
  drv_set_rx(&d, 900000);
  drv_run(&d, d.f.now + 300 * MS);
  np_a = d.np;
  CU_ASSERT_FATAL(np_a >= 2);
  last_a = d.p_at[np_a - 1];
  CU_ASSERT_EQUAL_FATAL(d.ifq, d.nfq); /* every Final of A is in */
  /* A's window (last P + 50 ms) is over: the next decrease goes out with
   * the next packet, within one 20 ms interval. */
  CU_ASSERT_FATAL(d.f.now > last_a + 50 * MS);
  t2 = d.f.now;
  drv_set_rx(&d, 800000);
  drv_run(&d, d.f.now + 300 * MS);
  CU_ASSERT_FATAL(d.np > np_a);
  CU_ASSERT(d.p_at[np_a] <= t2 + 20 * MS);
  st = bt_fx_status(&d.f);
  CU_ASSERT_EQUAL(st.poll_active, 0);
  CU_ASSERT_EQUAL(st.detect_time_ns, 2400 * MS);
  bt_fx_del(&d.f);
}

/* While Up, a Final from a peer in Init answers a P we sent before we were
 * Up: a peer that takes one of our Up packets goes Up (§6.8.6), so its
 * answer to a P of a sequence begun while Up says Up. With a round trip
 * longer than the handshake, that old Final arrives after the first Up P
 * and must not end the sequence: a smaller Required Min RX would be in
 * force before the peer has it. */
static void test_final_from_init_peer_is_old(void) {
  bt_fx f;
  bfd_ctrl_pkt p;
  bfd_session_status st;
  bt_fx_init(&f);
  f.st.required_min_rx_us = 1000000;
  bt_fx_start(&f);
  bt_fx_up_settled(&f);
  f.now += SEC;
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_UP, 0), 0);
  bt_fx_drain(&f, NULL, NULL);
  CU_ASSERT_EQUAL_FATAL(bt_fx_status(&f).detect_time_ns, 3 * SEC);
  f.st.required_min_rx_us = 300000; /* lagged: waits for a Final */
  CU_ASSERT_EQUAL_FATAL(bfd_session_update(f.s, &f.st, f.now), 0);
  f.now += 400 * MS;
  CU_ASSERT_EQUAL_FATAL(bfd_session_feed_time(f.s, f.now), 0);
  CU_ASSERT_FATAL(bt_fx_tx(&f, &p) > 0);
  CU_ASSERT_EQUAL_FATAL(p.flags & BFD_FLAG_P, BFD_FLAG_P);
  CU_ASSERT_EQUAL_FATAL(p.required_min_rx_us, 300000);
  f.now += 10 * MS;
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_INIT, BFD_FLAG_F), 0);
  st = bt_fx_status(&f);
  CU_ASSERT_EQUAL(st.state, BFD_STATE_UP);
  CU_ASSERT_EQUAL(st.poll_active, 1);
  CU_ASSERT_EQUAL(st.detect_time_ns, 3 * SEC); /* 1 s still in force */
  f.now += 10 * MS;
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_F), 0);
  st = bt_fx_status(&f);
  CU_ASSERT_EQUAL(st.poll_active, 0);
  CU_ASSERT_EQUAL(st.detect_time_ns, 900 * MS);
  bt_fx_del(&f);
}

/* Sends what is due at f->now; returns how many carried P. */
static unsigned drain_p(bt_fx *f) {
  bfd_ctrl_pkt p;
  unsigned np = 0;
  while (bt_fx_tx(f, &p) > 0)
    np += (p.flags & BFD_FLAG_P) != 0;
  return np;
}

/* Runs the session to `until` with a keepalive from the peer every 100 ms
 * (state `st`, no flags); returns the P's it sent. */
static unsigned keep(bt_fx *f, uint64_t until, uint8_t st) {
  unsigned np = 0;
  while (f->now + 100 * MS <= until) {
    f->now += 100 * MS;
    CU_ASSERT_EQUAL_FATAL(bt_fx_rx(f, st, 0), 0);
    CU_ASSERT_EQUAL_FATAL(bfd_session_feed_time(f->s, f->now), 0);
    np += drain_p(f);
  }
  return np;
}

/* A session Up at Required Min RX 1 s (settled, a second of keepalives),
 * then a decrease to 300 ms: lagged, it waits for a Final (§6.8.3). */
static void up_then_decrease(bt_fx *f) {
  bt_fx_init(f);
  f->st.required_min_rx_us = 1000000;
  bt_fx_start(f);
  bt_fx_up_settled(f);
  keep(f, f->now + SEC, BFD_STATE_UP);
  f->st.required_min_rx_us = 300000;
  CU_ASSERT_EQUAL_FATAL(bfd_session_update(f->s, &f->st, f->now), 0);
}

/* The peer's Init takes the session Up (from Down or Init); then what
 * is due goes out and 300 ms of keepalives pass: the sequence of the new
 * Up period has sent its P. */
static void up_again(bt_fx *f) {
  f->now += MS;
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(f, BFD_STATE_INIT, 0), 0);
  CU_ASSERT_EQUAL_FATAL(bt_fx_status(f).state, BFD_STATE_UP);
  drain_p(f);
  keep(f, f->now + 300 * MS, BFD_STATE_UP);
  CU_ASSERT_EQUAL_FATAL(bt_fx_status(f).poll_active, 1);
}

/* n Finals (State Up) 1 ms apart, each skipped (the sequence runs on),
 * then one more: the sequence's own, which ends it. */
static void finals_skipped_then_own(bt_fx *f, unsigned n) {
  unsigned i;
  for (i = 0; i < n; i++) {
    f->now += MS;
    CU_ASSERT_EQUAL_FATAL(bt_fx_rx(f, BFD_STATE_UP, BFD_FLAG_F), 0);
    CU_ASSERT_EQUAL(bt_fx_status(f).poll_active, 1);
  }
  f->now += MS;
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(f, BFD_STATE_UP, BFD_FLAG_F), 0);
  CU_ASSERT_EQUAL(bt_fx_status(f).poll_active, 0);
  CU_ASSERT_EQUAL(bt_fx_status(f).state, BFD_STATE_UP);
}

/* Coming Up, the Finals still owed to P's sent before (here: a sequence
 * run in Init, §6.8.3 lets nothing wait there) may arrive after the first
 * P of a sequence begun while Up, and their State says Up (a peer that
 * takes our Init goes Up, §6.8.6): they must not end it. The session
 * skips as many Finals as it still owes, then its own ends the sequence. */
static void test_up_skips_finals_owed_from_before(void) {
  bt_fx f;
  unsigned np_init;
  bt_fx_init(&f);
  f.st.required_min_rx_us = 1000000;
  bt_fx_start(&f);
  bt_fx_reach(&f, BFD_STATE_INIT);
  f.st.required_min_rx_us = 300000; /* a Poll in Init: in force at once */
  CU_ASSERT_EQUAL_FATAL(bfd_session_update(f.s, &f.st, f.now), 0);
  np_init = keep(&f, f.now + 2500 * MS, BFD_STATE_DOWN); /* Init + Down: Init */
  CU_ASSERT_FATAL(np_init >= 2);                         /* the 1 s slow rate: a P each */
  CU_ASSERT_EQUAL_FATAL(bt_fx_status(&f).state, BFD_STATE_INIT);
  /* Up: the floor lift goes out in a sequence of the new epoch; the Init
   * P's Finals (State Up) arrive after its P: each is skipped. */
  up_again(&f);
  finals_skipped_then_own(&f, np_init);
  bt_fx_del(&f);
}

/* The same across a Down signalled by the peer (the remote stays known):
 * a Final to a P sent before the Down must not end the first sequence
 * after the session is Up again, or a smaller Required Min RX would be in
 * force before the peer has it. */
static void test_redown_skips_finals_owed(void) {
  bt_fx f;
  unsigned np_before;
  bt_fx_init(&f);
  f.st.required_min_rx_us = 1000000;
  bt_fx_start(&f);
  bt_fx_up_settled(&f);
  keep(&f, f.now + SEC, BFD_STATE_UP);
  f.st.required_min_rx_us = 300000; /* lagged: waits for a Final */
  CU_ASSERT_EQUAL_FATAL(bfd_session_update(f.s, &f.st, f.now), 0);
  np_before = keep(&f, f.now + 700 * MS, BFD_STATE_UP);
  CU_ASSERT_FATAL(np_before >= 1);
  CU_ASSERT_EQUAL(bt_fx_status(&f).detect_time_ns, 3 * SEC);
  /* The peer restarts its session: Down, then Init -> we are Up again;
   * the old Finals are skipped, the new sequence's own ends it. */
  f.now += MS;
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_DOWN, 0), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).state, BFD_STATE_DOWN);
  up_again(&f);
  finals_skipped_then_own(&f, np_before);
  CU_ASSERT_EQUAL(bt_fx_status(&f).detect_time_ns, 900 * MS);
  bt_fx_del(&f);
}

/* P's sent into a path that then failed (the Detection Time expired)
 * are owed like any other: lost and late look alike without the round
 * trip. But a P's Final is waited for only one to two buckets of twice the
 * largest recent round trip (at least 1 s): here the round trip is known
 * to be short (the slow-start Final came at once), so after a 10 s outage
 * the P's sent into it are given up, and after the heal only the one P of
 * the Init phase is owed: one Final skipped, then the sequence's own. */
static void test_partition_polls_given_up(void) {
  bt_fx f;
  unsigned np;
  uint64_t t;
  up_then_decrease(&f);
  /* Silence: P's go out until the Detection Time (3 s) expires. */
  np = 0;
  for (t = f.now + 100 * MS; bt_fx_status(&f).state == BFD_STATE_UP; t += 100 * MS) {
    f.now = t;
    CU_ASSERT_EQUAL_FATAL(bfd_session_feed_time(f.s, f.now), 0);
    np += drain_p(&f);
    CU_ASSERT_FATAL(t < BT_T0 + 3600 * SEC);
  }
  CU_ASSERT_FATAL(np >= 2);
  CU_ASSERT_EQUAL(bt_fx_status(&f).remote_discr, 0);
  /* Healed: the handshake again (the change goes out in Init, one P
   * there), Up. */
  f.now += 10 * SEC;
  bt_fx_reach(&f, BFD_STATE_INIT);
  up_again(&f);
  finals_skipped_then_own(&f, 1);
  CU_ASSERT_EQUAL(bt_fx_status(&f).detect_time_ns, 900 * MS);
  bt_fx_del(&f);
}

/* A minute without P's forgets the Finals still owed: a session Up for
 * long after a partition pays nothing for it at its next Up. */
static void test_owed_finals_forgotten_after_a_minute(void) {
  bt_fx f;
  unsigned np = 0;
  bt_fx_init(&f);
  f.st.required_min_rx_us = 1000000;
  bt_fx_start(&f);
  bt_fx_up_settled(&f);
  f.st.required_min_rx_us = 300000;
  CU_ASSERT_EQUAL_FATAL(bfd_session_update(f.s, &f.st, f.now), 0);
  np = keep(&f, f.now + 500 * MS, BFD_STATE_UP); /* P's, never answered */
  CU_ASSERT_FATAL(np >= 1);
  f.now += MS;
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_F), 0); /* ends it */
  CU_ASSERT_EQUAL_FATAL(bt_fx_status(&f).poll_active, 0);
  keep(&f, f.now + 61 * SEC, BFD_STATE_UP);
  /* The peer restarts: Down, Init -> Up; the new sequence's first Final is
   * its own. */
  f.now += MS;
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_DOWN, 0), 0);
  up_again(&f);
  finals_skipped_then_own(&f, 0);
  bt_fx_del(&f);
}

/* §6.8.3: while a sequence for a smaller Required Min RX runs, a change to
 * a value between every one its P's carried and the one in force joins it
 * (on the wire at once, in force with the Final: whichever P the Final
 * answers, the peer knows a value no larger); a value below one the P's
 * carried waits for a sequence of its own (the Final may answer the P
 * with the larger one). */
static void test_rx_between_joins_running_poll(void) {
  bt_fx f;
  bfd_ctrl_pkt p;
  bfd_session_status st;
  uint64_t polls;
  unsigned np;
  up_then_decrease(&f);
  np = keep(&f, f.now + 400 * MS, BFD_STATE_UP);
  CU_ASSERT_FATAL(np >= 1);
  polls = bt_fx_status(&f).polls_sent;
  /* 600 ms: between 300 (on the wire) and 1 s (in force). */
  f.st.required_min_rx_us = 600000;
  CU_ASSERT_EQUAL_FATAL(bfd_session_update(f.s, &f.st, f.now), 0);
  st = bt_fx_status(&f);
  CU_ASSERT_EQUAL(st.detect_time_ns, 3 * SEC); /* 1 s still in force */
  CU_ASSERT_EQUAL(st.poll_active, 1);
  f.now += 300 * MS;
  CU_ASSERT_EQUAL_FATAL(bfd_session_feed_time(f.s, f.now), 0);
  CU_ASSERT_FATAL(bt_fx_tx(&f, &p) > 0);
  CU_ASSERT_EQUAL(p.flags & BFD_FLAG_P, BFD_FLAG_P);
  CU_ASSERT_EQUAL(p.required_min_rx_us, 600000); /* at once, in the P */
  /* The Final ends the sequence and puts 600 ms in force: no other Poll. */
  f.now += MS;
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_F), 0);
  st = bt_fx_status(&f);
  CU_ASSERT_EQUAL(st.poll_active, 0);
  CU_ASSERT_EQUAL(st.detect_time_ns, 1800 * MS);
  /* The peer answers the sequence's other P's too (none stays owed). */
  while (np-- > 0) {
    f.now += MS;
    CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_F), 0);
  }
  keep(&f, f.now + 3 * SEC, BFD_STATE_UP);
  CU_ASSERT_EQUAL(bt_fx_status(&f).polls_sent, polls);
  /* 300 ms again, then 200 ms during its sequence: below the P's 300,
   * so it waits (the P's keep 300) and gets a sequence of its own. */
  f.st.required_min_rx_us = 300000;
  CU_ASSERT_EQUAL_FATAL(bfd_session_update(f.s, &f.st, f.now), 0);
  np = keep(&f, f.now + 400 * MS, BFD_STATE_UP);
  CU_ASSERT_FATAL(np >= 1);
  f.st.required_min_rx_us = 200000;
  CU_ASSERT_EQUAL_FATAL(bfd_session_update(f.s, &f.st, f.now), 0);
  f.now += 300 * MS;
  CU_ASSERT_EQUAL_FATAL(bfd_session_feed_time(f.s, f.now), 0);
  CU_ASSERT_FATAL(bt_fx_tx(&f, &p) > 0);
  CU_ASSERT_EQUAL(p.required_min_rx_us, 300000);
  np++;
  f.now += MS;
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_F), 0);
  st = bt_fx_status(&f);
  CU_ASSERT_EQUAL(st.detect_time_ns, 900 * MS); /* 300 in force, 200 waits */
  CU_ASSERT_EQUAL(st.polls_sent, polls + 1);
  /* The peer answers its other P's too (none is owed any more). */
  while (--np > 0) {
    f.now += MS;
    CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_F), 0);
  }
  /* After the window, 200's own sequence; its Final puts it in force. */
  CU_ASSERT_FATAL(keep(&f, f.now + SEC, BFD_STATE_UP) >= 1);
  CU_ASSERT_EQUAL(bt_fx_status(&f).polls_sent, polls + 2);
  f.now += MS;
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_F), 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).poll_active, 0);
  CU_ASSERT_EQUAL(bt_fx_status(&f).detect_time_ns, 900 * MS); /* the peer's 300 ms TX */
  bt_fx_del(&f);
}

/* The same for Desired Min TX: while a sequence for a larger TX runs, a
 * change to a value between the one in force and every one sent since its
 * first P joins it (whichever P the Final answers, the peer expects us no
 * more often than that); the slower rate starts with the Final. */
static void test_tx_between_joins_running_poll(void) {
  bt_fx f;
  bfd_ctrl_pkt p;
  bfd_session_status st;
  uint64_t polls;
  bt_fx_init(&f);
  f.st.desired_min_tx_us = 100000;
  f.peer.rx_us = 10000; /* our interval is our own TX */
  bt_fx_start(&f);
  bt_fx_up_settled(&f);
  keep(&f, f.now + SEC, BFD_STATE_UP);
  CU_ASSERT_EQUAL_FATAL(bt_fx_status(&f).tx_interval_ns, 100 * MS);
  f.st.desired_min_tx_us = 2000000; /* larger: waits for a Final */
  CU_ASSERT_EQUAL_FATAL(bfd_session_update(f.s, &f.st, f.now), 0);
  CU_ASSERT_FATAL(keep(&f, f.now + 300 * MS, BFD_STATE_UP) >= 1);
  polls = bt_fx_status(&f).polls_sent;
  f.st.desired_min_tx_us = 1000000; /* between 100 ms (in force) and 2 s */
  CU_ASSERT_EQUAL_FATAL(bfd_session_update(f.s, &f.st, f.now), 0);
  st = bt_fx_status(&f);
  CU_ASSERT_EQUAL(st.tx_interval_ns, 100 * MS); /* still the old rate */
  f.now += 100 * MS;
  CU_ASSERT_EQUAL_FATAL(bfd_session_feed_time(f.s, f.now), 0);
  CU_ASSERT_FATAL(bt_fx_tx(&f, &p) > 0);
  CU_ASSERT_EQUAL(p.flags & BFD_FLAG_P, BFD_FLAG_P);
  CU_ASSERT_EQUAL(p.desired_min_tx_us, 1000000);
  f.now += MS;
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx(&f, BFD_STATE_UP, BFD_FLAG_F), 0);
  st = bt_fx_status(&f);
  CU_ASSERT_EQUAL(st.poll_active, 0);
  CU_ASSERT_EQUAL(st.tx_interval_ns, SEC);
  keep(&f, f.now + 3 * SEC, BFD_STATE_UP);
  CU_ASSERT_EQUAL(bt_fx_status(&f).polls_sent, polls); /* no sequence of its own */
  bt_fx_del(&f);
}

/* The path slows down while a sequence runs (300 ms -> 600 ms round
 * trip): its first P's Final ends it, and its window (last P + 300 ms) is
 * over before the Finals to its later P's arrive. §6.5 gives a Final no
 * way to name its P: each late one would end the next sequence, put its
 * smaller Required Min RX in force while the peer still sends at the old
 * rate, and leave a window shorter still (fuzz_pair found that chain end
 * in a false Down on a clean link). The next sequence skips as many
 * Finals as are still owed and waits for its own. */
static void test_late_finals_of_grown_rtt_skipped(void) {
  drv d;
  uint64_t t1, s2;
  unsigned np1, owed;
  bfd_session_status st;
  drv_up_fast(&d);
  t1 = d.f.now;
  d.rtt = 300 * MS;
  drv_set_rx(&d, 900000); /* S1 */
  drv_run(&d, t1 + 200 * MS);
  d.rtt = 600 * MS; /* the path slows down */
  drv_run(&d, t1 + 400 * MS);
  st = bt_fx_status(&d.f);
  CU_ASSERT_EQUAL_FATAL(st.poll_active, 0); /* S1's first Final, at t1 + 300 ms */
  CU_ASSERT_EQUAL(st.detect_time_ns, 2700 * MS);
  np1 = d.np;
  owed = d.nfq - d.ifq; /* S1's Finals still on their way */
  CU_ASSERT_FATAL(owed >= 3);
  drv_set_rx(&d, 500000); /* S2: waits for S1's window */
  while (d.np == np1 && d.f.now < t1 + 2 * SEC)
    drv_run(&d, d.f.now + MS);
  CU_ASSERT_FATAL(d.np > np1);
  s2 = d.p_at[np1];
  CU_ASSERT(s2 + 150 * MS < d.fq[np1 - 1]); /* S2 began well before S1's last Finals */
  /* S1's late Finals come and go: S2 runs on, 900 ms stays in force. */
  drv_run(&d, s2 + 600 * MS - 1);
  CU_ASSERT_EQUAL(d.ifq, np1 + 0u); /* every Final of S1 is in, none of S2 */
  st = bt_fx_status(&d.f);
  CU_ASSERT_EQUAL(st.poll_active, 1);
  CU_ASSERT_EQUAL(st.detect_time_ns, 2700 * MS);
  /* S2's own Final, one round trip after its first P, puts 500 ms in force. */
  drv_run(&d, s2 + 600 * MS);
  st = bt_fx_status(&d.f);
  CU_ASSERT_EQUAL(st.poll_active, 0);
  CU_ASSERT_EQUAL(st.detect_time_ns, 1500 * MS);
  bt_fx_del(&d.f);
}

int main(void) {
  CU_TestInfo tests[] = {
      {"finals_in_window_hold_nothing", test_finals_in_window_hold_nothing},
      {"final_from_init_peer_is_old", test_final_from_init_peer_is_old},
      {"up_skips_finals_owed_from_before", test_up_skips_finals_owed_from_before},
      {"redown_skips_finals_owed", test_redown_skips_finals_owed},
      {"partition_polls_given_up", test_partition_polls_given_up},
      {"owed_finals_forgotten_after_a_minute", test_owed_finals_forgotten_after_a_minute},
      {"rx_between_joins_running_poll", test_rx_between_joins_running_poll},
      {"tx_between_joins_running_poll", test_tx_between_joins_running_poll},
      {"late_finals_of_grown_rtt_skipped", test_late_finals_of_grown_rtt_skipped},
      CU_TEST_INFO_NULL};
  return bfd_test_run_suite("poll", tests);
}
