/* Authentication (RFC 5880 §6.7): a key ring, receive verification and
 * transmit signing. Knows nothing of sessions: a session without
 * authentication has no ring (NULL) and pays nothing. */
#ifndef BFD_AUTH_H
#define BFD_AUTH_H

#include <bfd/bfd.h>

typedef struct bfd_auth_ring {
  uint8_t type; /* bfd.AuthType, never BFD_AUTH_NONE */
  uint8_t nkeys;
  uint8_t tx_idx;    /* keys[tx_idx] signs outgoing packets */
  uint8_t seq_known; /* bfd.AuthSeqKnown */
  uint32_t rcv_seq;  /* bfd.RcvAuthSeq */
  uint32_t xmit_seq; /* bfd.XmitAuthSeq: the next one sent */
  uint8_t last_reason; /* BFD_AUTH_FAIL_* of the latest failure */
  uint8_t pad[3];
  uint64_t seq_forget_at; /* AuthSeqKnown reads 0 from here on (§6.8.1) */
  uint64_t failures[BFD_AUTH_FAIL_COUNT];
  bfd_auth_key keys[BFD_AUTH_KEYS_MAX];
} bfd_auth_ring;

/* A ring of `type` with no keys yet; xmit_seq is the initial
 * bfd.XmitAuthSeq (random, §6.8.1). NULL on allocation failure. */
bfd_auth_ring *bfd_auth_ring_new(const bfd_mem *mem, uint8_t type, uint32_t xmit_seq);
/* A copy of `r` (keys and sequence state); NULL on allocation failure. */
bfd_auth_ring *bfd_auth_ring_clone(const bfd_mem *mem, const bfd_auth_ring *r);
/* Wipes the keys and frees; NULL is a no-op. */
void bfd_auth_ring_free(const bfd_mem *mem, bfd_auth_ring *r);
/* Add or replace by Key ID (already checked with bfd_auth_key_check and of
 * the ring's type). Returns 0 or BFD_ERR_CFG_AUTH when full. */
int bfd_auth_ring_put(bfd_auth_ring *r, const bfd_auth_key *k);

/* Add (or replace by Key ID) a checked key; the first key creates the ring
 * in *pr with bfd.XmitAuthSeq = xmit_seq. 0, or the bfd_auth_key_check()
 * error, BFD_ERR_CFG_AUTH (another type, or full), BFD_ERR_NOMEM. */
int bfd_auth_add_key(bfd_auth_ring **pr, const bfd_mem *mem, uint32_t xmit_seq,
                     const bfd_auth_key *k);
/* 0, or BFD_ERR_CFG_AUTH: no ring, no such key, or the transmit key. */
int bfd_auth_remove_key(bfd_auth_ring *r, uint8_t key_id);
/* 0, or BFD_ERR_CFG_AUTH: no ring or no such key. */
int bfd_auth_set_tx_key(bfd_auth_ring *r, uint8_t key_id);

/* §6.7.2-§6.7.4 receive rules for a decoded packet with the A bit. `buf`
 * holds the packet (pkt->length bytes). local_mult is bfd.DetectMult and
 * local_rx_us the RequiredMinRxInterval in force (for the Detection Time
 * that bounds bfd.AuthSeqKnown). Returns 0 and updates bfd.RcvAuthSeq, or
 * BFD_ERR_PKT_AUTH_FAILED with only the failure counter changed. */
int bfd_auth_verify(bfd_auth_ring *r, const bfd_ctrl_pkt *pkt, const uint8_t *buf,
                    uint8_t local_mult, uint32_t local_rx_us, uint64_t now);

/* Encodes `pkt` with the A bit and the transmit key's auth section, signs
 * it (§6.7.3/§6.7.4: digest over the packet with the zero-padded key in the
 * digest field) and advances bfd.XmitAuthSeq. Returns the length or the
 * encoder's error, or BFD_ERR_NOT_BUILT (nothing advanced, buf wiped). */
ptrdiff_t bfd_auth_encode(bfd_auth_ring *r, uint8_t *buf, size_t buflen, const bfd_ctrl_pkt *pkt);

#endif
