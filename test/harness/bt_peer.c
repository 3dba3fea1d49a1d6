#include "bt_peer.h"

#include <CUnit/CUnit.h>
#include <string.h>

#include "bfd_codec.h"

bt_peer bt_peer_make(uint8_t state, uint32_t my, uint32_t your, uint32_t interval_us) {
  bt_peer p;
  memset(&p, 0, sizeof(p));
  p.state = state;
  p.mult = 3;
  p.my = my;
  p.your = your;
  p.tx_us = interval_us;
  p.rx_us = interval_us;
  return p;
}

void bt_peer_fill(const bt_peer *p, bfd_ctrl_pkt *out) {
  memset(out, 0, sizeof(*out));
  out->version = 1;
  out->diag = p->diag;
  out->state = p->state;
  out->flags = p->flags;
  out->detect_mult = p->mult;
  out->my_discr = p->my;
  out->your_discr = p->your;
  out->desired_min_tx_us = p->tx_us;
  out->required_min_rx_us = p->rx_us;
  out->required_min_echo_rx_us = p->echo_us;
}

size_t bt_peer_encode(const bt_peer *p, uint8_t *buf) {
  bfd_ctrl_pkt c;
  ptrdiff_t n;
  bt_peer_fill(p, &c);
  n = p->ring ? bfd_auth_encode(p->ring, buf, BFD_CTRL_LEN_MAX, &c)
              : bfd_ctrl_pkt_encode(buf, BFD_CTRL_LEN_MAX, &c);
  CU_ASSERT_FATAL(p->ring ? n > BFD_CTRL_LEN : n == BFD_CTRL_LEN);
  return (size_t)n;
}

size_t bt_peer_encode_seq(const bt_peer *p, uint32_t seq, uint8_t *buf) {
  if (p->ring)
    p->ring->xmit_seq = seq;
  return bt_peer_encode(p, buf);
}

void bt_put4(uint8_t a[16], uint32_t v) {
  memset(a, 0, 16);
  a[0] = (uint8_t)(v >> 24);
  a[1] = (uint8_t)(v >> 16);
  a[2] = (uint8_t)(v >> 8);
  a[3] = (uint8_t)v;
}

void bt_addr6(uint8_t a[16], int link_local, uint8_t lo) {
  memset(a, 0, 16);
  if (link_local) {
    a[0] = 0xfe;
    a[1] = 0x80;
  } else {
    a[0] = 0x20;
    a[1] = 0x01;
    a[2] = 0x0d;
    a[3] = 0xb8;
  }
  a[15] = lo;
}

bfd_session_key bt_key4(uint8_t mode, uint32_t local, uint32_t peer, uint32_t ifindex) {
  bfd_session_key k;
  memset(&k, 0, sizeof(k));
  k.mode = mode;
  k.family = BFD_AF_INET;
  k.ifindex = ifindex;
  bt_put4(k.local, local);
  bt_put4(k.peer, peer);
  return k;
}

bfd_rx_info bt_ri_single_hop(void) {
  bfd_rx_info ri;
  memset(&ri, 0, sizeof(ri));
  ri.mode = BFD_MODE_SINGLE_HOP;
  ri.family = BFD_AF_INET;
  ri.ttl = BFD_TTL_MAX;
  ri.flags = BFD_RX_TTL;
  return ri;
}

bfd_rx_info bt_ri_key(const bfd_session_key *k) {
  bfd_rx_info ri;
  memset(&ri, 0, sizeof(ri));
  ri.mode = k->mode;
  ri.family = k->family;
  ri.ttl = BFD_TTL_MAX;
  ri.flags = BFD_RX_TTL | BFD_RX_LOCAL | BFD_RX_PEER;
  ri.ifindex = k->ifindex;
  memcpy(ri.local, k->local, 16);
  memcpy(ri.peer, k->peer, 16);
  ri.peer_port = 49152;
  ri.local_port = k->mode == BFD_MODE_SINGLE_HOP ? BFD_PORT_SINGLE_HOP : BFD_PORT_MULTIHOP;
  return ri;
}

bfd_rx_info bt_ri4(uint8_t mode, uint32_t local, uint32_t peer, uint32_t ifindex) {
  bfd_session_key k = bt_key4(mode, local, peer, ifindex);
  return bt_ri_key(&k);
}

bfd_auth_key bt_key(uint8_t type, uint8_t id, const void *secret, size_t len) {
  bfd_auth_key k;
  memset(&k, 0, sizeof(k));
  k.type = type;
  k.key_id = id;
  k.len = (uint8_t)len;
  memcpy(k.secret, secret, len > sizeof(k.secret) ? sizeof(k.secret) : len);
  return k;
}

bfd_auth_key bt_key_str(uint8_t type, uint8_t id, const char *secret) {
  return bt_key(type, id, secret, strlen(secret));
}

bfd_auth_ring *bt_ring(const bfd_auth_key *k, uint32_t seq) {
  bfd_auth_ring *r = NULL;
  CU_ASSERT_EQUAL_FATAL(bfd_auth_add_key(&r, bfd_mem_default(), seq, k), 0);
  return r;
}

void bt_ring_free(bfd_auth_ring *r) { bfd_auth_ring_free(bfd_mem_default(), r); }

bfd_session_status bt_status(const bfd_session *s) {
  bfd_session_status o;
  memset(&o, 0xa5, sizeof(o)); /* a field the library does not write shows */
  o.struct_version = BFD_SESSION_STATUS_VERSION;
  CU_ASSERT_EQUAL_FATAL(bfd_session_get_status(s, &o), 0);
  return o;
}
