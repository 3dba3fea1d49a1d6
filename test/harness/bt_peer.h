/* A scripted BFD peer: the values it puts into its Control packets (RFC 5880
 * §4.1), encoded and, with a key ring, signed (§6.7) through the library's
 * own codec; and what a host reports with each datagram (bfd_rx_info,
 * session keys, addresses). */
#ifndef BT_PEER_H
#define BT_PEER_H

#include <bfd/bfd.h>
#include <stddef.h>
#include <stdint.h>

#include "bfd_auth.h"

/* What the scripted peer sends. */
typedef struct bt_peer {
  uint8_t state, flags, diag, mult;
  uint32_t my, your;     /* My / Your Discriminator */
  uint32_t tx_us, rx_us; /* Desired Min TX, Required Min RX */
  uint32_t echo_us;      /* Required Min Echo RX */
  bfd_auth_ring *ring;   /* set: the packets are signed with it (§6.7) */
} bt_peer;

/* A peer in `state` with discriminators my/your, Detect Mult 3 and
 * tx = rx = interval_us; no flags, diag 0, unsigned. */
bt_peer bt_peer_make(uint8_t state, uint32_t my, uint32_t your, uint32_t interval_us);
/* The packet the peer sends (version 1). */
void bt_peer_fill(const bt_peer *p, bfd_ctrl_pkt *out);
/* Encodes (and signs, with p->ring) into buf[BFD_CTRL_LEN_MAX]: a fatal
 * assertion that it worked (exactly 24 bytes unsigned, more signed). */
size_t bt_peer_encode(const bt_peer *p, uint8_t *buf);
/* The same, with bfd.XmitAuthSeq set to `seq` first (keyed types). */
size_t bt_peer_encode_seq(const bt_peer *p, uint32_t seq, uint8_t *buf);

/* An IPv4 address into the first 4 bytes of a 16-byte field, rest zero. */
void bt_put4(uint8_t a[16], uint32_t v);
/* fe80::<lo> (link_local) or 2001:db8::<lo>. */
void bt_addr6(uint8_t a[16], int link_local, uint8_t lo);
bfd_session_key bt_key4(uint8_t mode, uint32_t local, uint32_t peer, uint32_t ifindex);
/* A single-hop datagram with TTL 255 (RFC 5881 §5), no addresses. */
bfd_rx_info bt_ri_single_hop(void);
/* A datagram from `peer` to `local`, as a host would report it: TTL 255,
 * both addresses, the interface and ports. */
bfd_rx_info bt_ri4(uint8_t mode, uint32_t local, uint32_t peer, uint32_t ifindex);
/* The datagram that matches key `k` exactly. */
bfd_rx_info bt_ri_key(const bfd_session_key *k);

/* A key: type, id, secret (truncated to the field). */
bfd_auth_key bt_key(uint8_t type, uint8_t id, const void *secret, size_t len);
/* bt_key with a string secret. */
bfd_auth_key bt_key_str(uint8_t type, uint8_t id, const char *secret);
/* A peer's ring holding `k`, bfd.XmitAuthSeq `seq` (fatal assertion). */
bfd_auth_ring *bt_ring(const bfd_auth_key *k, uint32_t seq);
void bt_ring_free(bfd_auth_ring *r);

/* A status snapshot (fatal assertion that it worked), filled with 0xa5
 * first so that a field the library leaves unwritten shows. */
bfd_session_status bt_status(const bfd_session *s);

#endif
