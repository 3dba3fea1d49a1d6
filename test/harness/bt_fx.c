#include "bt_fx.h"

#include <CUnit/CUnit.h>
#include <stddef.h>
#include <string.h>

#include "bfd_codec.h"

void bt_fx_init(bt_fx *f) {
  memset(f, 0, offsetof(bt_fx, rec));
  bt_rec_init(&f->rec);
  f->rec.rng = 0x5eed;
  CU_ASSERT_EQUAL_FATAL(bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &f->st), 0);
  f->st.local_discr = BT_LDISCR;
  CU_ASSERT_EQUAL_FATAL(
      bt_rec_callbacks(&f->rec, &f->cb, BFD_CALLBACKS_VERSION, BT_CB_STATE | BT_CB_NH), 0);
  f->ri = bt_ri_single_hop();
  f->peer = bt_peer_make(BFD_STATE_DOWN, BT_RDISCR, BT_LDISCR, 300000);
  f->now = BT_T0;
  f->lib_rand = 1;
}

void bt_fx_init_timers(bt_fx *f, uint32_t tx_us, uint32_t rx_us, uint32_t peer_tx_us,
                       uint32_t peer_rx_us) {
  bt_fx_init(f);
  if (tx_us)
    f->st.desired_min_tx_us = tx_us;
  if (rx_us)
    f->st.required_min_rx_us = rx_us;
  if (peer_tx_us)
    f->peer.tx_us = peer_tx_us;
  if (peer_rx_us)
    f->peer.rx_us = peer_rx_us;
}

void bt_fx_start(bt_fx *f) {
  if (!f->lib_rand)
    f->cb.rand = bt_rec_on_rand;
  CU_ASSERT_EQUAL_FATAL(bfd_session_new(&f->s, &f->st, &f->cb, NULL, &f->rec, f->now), 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f->s);
}

void bt_fx_new(bt_fx *f) {
  bt_fx_init(f);
  bt_fx_start(f);
}

void bt_fx_del(bt_fx *f) {
  bfd_session_del(f->s);
  bt_ring_free(f->peer.ring);
  f->s = NULL;
  f->peer.ring = NULL;
}

bfd_session_status bt_fx_status(const bt_fx *f) { return bt_status(f->s); }

size_t bt_fx_build(const bt_fx *f, uint8_t state, uint8_t flags, uint32_t seq, uint8_t *buf) {
  bt_peer p = f->peer;
  p.state = state;
  p.flags = flags;
  return bt_peer_encode_seq(&p, seq, buf);
}

int bt_fx_rx_seq(bt_fx *f, uint8_t state, uint8_t flags, uint32_t seq) {
  uint8_t buf[BFD_CTRL_LEN_MAX];
  size_t n = bt_fx_build(f, state, flags, seq, buf);
  return bfd_session_feed_packet(f->s, buf, n, &f->ri, f->now);
}

int bt_fx_rx(bt_fx *f, uint8_t state, uint8_t flags) { return bt_fx_rx_seq(f, state, flags, 0); }

ptrdiff_t bt_fx_tx(bt_fx *f, bfd_ctrl_pkt *out) {
  uint8_t buf[BFD_CTRL_LEN_MAX];
  bfd_ctrl_pkt tmp;
  ptrdiff_t n = bfd_session_poll_packet(f->s, buf, sizeof(buf), f->now);
  if (!out)
    out = &tmp;
  memset(out, 0, sizeof(*out));
  CU_ASSERT_FATAL(n >= 0);
  if (n > 0) {
    CU_ASSERT_FATAL(f->peer.ring ? n > BFD_CTRL_LEN : n == BFD_CTRL_LEN);
    CU_ASSERT_FATAL((buf[1] & (BFD_FLAG_P | BFD_FLAG_F)) != (BFD_FLAG_P | BFD_FLAG_F));
    CU_ASSERT_EQUAL_FATAL(bfd_ctrl_pkt_decode(out, buf, (size_t)n), 0);
    CU_ASSERT_EQUAL(out->my_discr, bfd_session_get_local_discr(f->s));
  }
  return n;
}

unsigned bt_fx_drain(bt_fx *f, uint8_t *flags, bfd_ctrl_pkt *last) {
  bfd_ctrl_pkt p;
  unsigned n = 0;
  if (flags)
    *flags = 0;
  while (bt_fx_tx(f, &p) > 0) {
    n++;
    CU_ASSERT_FATAL(n < 10);
    if (flags)
      *flags |= p.flags;
    if (last)
      *last = p;
  }
  return n;
}

void bt_fx_reach(bt_fx *f, uint8_t state) {
  uint32_t your = f->peer.your;
  switch (state) {
  case BFD_STATE_DOWN: break;
  case BFD_STATE_INIT:
    f->peer.your = 0; /* the peer does not know us yet */
    CU_ASSERT_EQUAL_FATAL(bt_fx_rx(f, BFD_STATE_DOWN, 0), 0);
    f->peer.your = your;
    break;
  case BFD_STATE_UP: CU_ASSERT_EQUAL_FATAL(bt_fx_rx(f, BFD_STATE_INIT, 0), 0); break;
  case BFD_STATE_ADMIN_DOWN:
    CU_ASSERT_EQUAL_FATAL(bfd_session_set_admin_down(f->s, 1, f->now), 0);
    break;
  }
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_state(f->s), state);
  bt_fx_drain(f, NULL, NULL);
}

void bt_fx_up_settled(bt_fx *f) {
  bt_fx_reach(f, BFD_STATE_UP);
  if (bt_fx_status(f).poll_active) {
    CU_ASSERT_EQUAL_FATAL(bt_fx_rx(f, BFD_STATE_UP, BFD_FLAG_F), 0);
    bt_fx_drain(f, NULL, NULL);
  }
  CU_ASSERT_EQUAL_FATAL(bt_fx_status(f).poll_active, 0);
  CU_ASSERT_EQUAL_FATAL(bt_fx_status(f).state, BFD_STATE_UP);
}

void bt_fx_bring_up(bt_fx *f, uint32_t *seq) {
  uint32_t your = f->peer.your, zero = 0;
  if (!seq)
    seq = &zero;
  f->peer.your = 0;
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx_seq(f, BFD_STATE_DOWN, 0, *seq), 0);
  *seq += seq != &zero;
  f->peer.your = your;
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_state(f->s), BFD_STATE_INIT);
  CU_ASSERT_EQUAL_FATAL(bt_fx_rx_seq(f, BFD_STATE_UP, 0, *seq), 0);
  *seq += seq != &zero;
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_state(f->s), BFD_STATE_UP);
  bt_fx_drain(f, NULL, NULL);
  if (bt_fx_status(f).poll_active) {
    CU_ASSERT_EQUAL_FATAL(bt_fx_rx_seq(f, BFD_STATE_UP, BFD_FLAG_F, *seq), 0);
    *seq += seq != &zero;
    bt_fx_drain(f, NULL, NULL);
  }
  CU_ASSERT_EQUAL_FATAL(bt_fx_status(f).poll_active, 0);
}

int bt_table_feed(bfd_table *t, const bfd_rx_info *ri, const bt_peer *p, uint64_t now,
                  bfd_session **ps) {
  uint8_t buf[BFD_CTRL_LEN_MAX];
  size_t n = bt_peer_encode(p, buf);
  return bfd_table_feed_packet(t, buf, n, ri, now, ps);
}

ptrdiff_t bt_table_poll(bfd_table *t, uint64_t now, bfd_session **ps, bfd_ctrl_pkt *out,
                        uint8_t *raw) {
  uint8_t buf[BFD_CTRL_LEN_MAX];
  uint8_t *b = raw ? raw : buf;
  bfd_session *s = NULL;
  bfd_ctrl_pkt tmp;
  ptrdiff_t n = bfd_table_poll_packet(t, &s, b, BFD_CTRL_LEN_MAX, now);
  if (ps)
    *ps = s;
  if (!out)
    out = &tmp;
  CU_ASSERT(n >= 0);
  if (n > 0) {
    CU_ASSERT_PTR_NOT_NULL(s);
    CU_ASSERT_EQUAL(bfd_ctrl_pkt_decode(out, b, (size_t)n), 0);
    if (s)
      CU_ASSERT_EQUAL(out->my_discr, bfd_session_get_local_discr(s));
  }
  return n;
}

unsigned bt_table_drain(bfd_table *t, uint64_t now) {
  unsigned k = 0;
  while (bt_table_poll(t, now, NULL, NULL, NULL) > 0) {
    k++;
    CU_ASSERT_FATAL(k < 100000); /* a table that never stops sending */
  }
  return k;
}

bfd_table *bt_table_new(bt_rec *r, const bfd_mem *mem, uint32_t cb_version, unsigned which) {
  bfd_callbacks cb;
  bfd_table *t = NULL;
  bt_rec_init(r);
  CU_ASSERT_EQUAL_FATAL(bt_rec_callbacks(r, &cb, cb_version, which), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_table_new(&t, &cb, mem, r), 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(t);
  return t;
}

bfd_session_settings bt_settings(uint32_t tx_us, uint32_t rx_us, uint8_t mult) {
  bfd_session_settings st;
  CU_ASSERT_EQUAL(bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION, &st), 0);
  st.desired_min_tx_us = tx_us;
  st.required_min_rx_us = rx_us;
  if (mult)
    st.detect_mult = mult;
  return st;
}

void bt_table_bring_up(bfd_table *t, bfd_session *s, const bt_peer *peer, uint64_t now) {
  bfd_session_key k;
  bfd_session *got = NULL;
  bfd_rx_info ri;
  bt_peer p = *peer;
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_key(s, &k), 0);
  ri = bt_ri_key(&k);
  p.state = BFD_STATE_DOWN;
  p.your = 0;
  CU_ASSERT_EQUAL(bt_table_feed(t, &ri, &p, now, &got), 0);
  CU_ASSERT_PTR_EQUAL(got, s);
  CU_ASSERT_EQUAL(bfd_session_get_state(s), BFD_STATE_INIT);
  p.state = BFD_STATE_UP;
  p.your = bfd_session_get_local_discr(s);
  CU_ASSERT_EQUAL(bt_table_feed(t, &ri, &p, now, &got), 0);
  CU_ASSERT_PTR_EQUAL(got, s);
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_state(s), BFD_STATE_UP);
}
