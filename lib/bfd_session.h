/* One BFD session: the RFC 5880 §6.8 state variables, state machine, timers
 * and Poll Sequence. Owned either standalone or by a bfd_table. */
#ifndef BFD_SESSION_H
#define BFD_SESSION_H

#include <bfd/bfd.h>

#include "bfd_err.h"
#include "bfd_rand.h"

/* Drop reasons counted per session: the BFD_ERR_PKT_* codes. */
#define BFD_SESSION_DROP_SLOTS 20

/* Microseconds: the slow-start floor for Desired Min TX while not Up (§6.8.3). */
#define BFD_SLOW_TX_US 1000000u

/* Nanoseconds: a P is owed a Final for one to two buckets; a Final
 * arriving later than that after its P is not waited for. A bucket is
 * twice the largest recent round trip within these bounds, the largest
 * before any round trip is known. */
#define BFD_OWED_BUCKET_NS (30ull * 1000000000ull)
#define BFD_OWED_BUCKET_MIN_NS (1ull * 1000000000ull)

struct bfd_session {
  /* The owning table (never dereferenced here), or NULL: standalone. */
  bfd_table *table;

  const bfd_callbacks *cb;
  void *cb_user_data;
  const bfd_mem *mem;
  bfd_rand *rand;
  void *user_data;

  /* Timers (absolute ns, BFD_TSTAMP_NONE = not armed) */
  uint64_t last_now;        /* a standalone session's clock */
  uint64_t *clock;          /* &last_now, or the owning table's clock */
  uint64_t next_tx;         /* next periodic (or immediate) transmission */
  uint64_t detect_deadline; /* §6.8.4 */
  uint64_t final_at;        /* when the pending Final became due */
  uint64_t last_rx, last_tx, last_change;
  uint64_t last_ptx;        /* last periodic transmission (Finals excluded) */
  uint64_t poll_first_p, poll_last_p; /* this sequence's first / last P sent */
  /* §6.8.3 choice 2: no Poll Sequence starts while Up before window_end,
   * when every Final to an older P has arrived.
   * rtt_bound: the last sequence's first-P-to-Final time. */
  uint64_t window_end, rtt_bound;
  uint64_t owed_bucket_end; /* when finals_owed[1] becomes the older bucket */
  uint64_t goodbye_until;   /* the goodbye's Detection Time ends */
  /* Events: the negotiated values last reported (params), and the auth
   * failure rate limit. */
  uint64_t rep_tx_ns, rep_det_ns;
  uint32_t rep_rmtx_us, rep_rmrx_us, rep_tx_us, rep_rx_us;
  uint8_t rep_rmult;
  uint64_t auth_ev_next, auth_suppressed;

  /* §6.8.1 state variables */
  uint32_t local_discr;
  uint32_t remote_discr;
  uint32_t remote_min_rx_us;  /* bfd.RemoteMinRxInterval */
  uint32_t remote_min_tx_us;  /* last received Desired Min TX */
  uint32_t remote_echo_rx_us;
  /* Configuration */
  uint32_t cfg_tx_us, cfg_rx_us, cfg_echo_rx_us;
  /* Advertised (bfd.DesiredMinTxInterval / RequiredMinRxInterval as sent) */
  uint32_t adv_tx_us, adv_rx_us;
  /* In force for our TX interval / detection time; lag adv_* during a Poll
   * Sequence where §6.8.3 says so. */
  uint32_t eff_tx_us, eff_rx_us;
  uint32_t change_seq;

  uint8_t state, local_diag;
  uint8_t remote_state, remote_diag, remote_demand, remote_mult;
  uint8_t detect_mult, mode, passive, admin_down, nh_policy, min_rx_ttl, cpi;
  uint8_t poll_active;    /* a Poll Sequence is being transmitted */
  uint8_t repoll;         /* a change that must wait for window_end */
  uint8_t poll_owed;      /* a Poll is owed for values already in force */
  uint8_t final_pending;  /* one flag, never a queue */
  uint8_t nh_down;        /* last nexthop event delivered was DOWN */
  uint8_t ever_up;
  uint8_t poll_sent;      /* a P of the current sequence went out */
  uint8_t tx_asap;        /* an immediate packet is owed: keep next_tx */
  uint8_t peer_locked;    /* BFD_KEY_ANY_PEER: peer_addr is the first source heard */
  uint8_t goodbye;        /* bfd_session_goodbye(): AdminDown until gone */
  uint8_t goodbye_sent;   /* ...and an AdminDown packet went out */
  uint8_t gone;           /* goodbye finished: the owner may free it */
  uint8_t goodbye_last;   /* ...with the next packet (nobody Up to wait for) */
  uint8_t gone_by_tx;     /* gone since the packet just written: free later */
  uint16_t jitter_r;      /* jitter fraction of the current TX interval */
  uint16_t scale_pm;      /* governor: intervals x scale_pm / 1000 (bfd_gov.h) */
  /* Finals owed to the P's sent in the last two buckets (older P's are
   * answered or lost; owed_bucket_ns() in bfd_session.c), oldest [0]. */
  uint16_t finals_owed[2];
  /* The largest recent first-P-to-Final time, us (0: none yet): it sizes
   * the buckets, decaying by 1/8 a sequence so one short sample (a Final
   * to a P given up) cannot shrink them at once. */
  uint32_t owed_rtt_us;
  uint16_t finals_skip;   /* Finals owed to P's older than the sequence's first */
  uint8_t skip_ages;      /* bucket rotations until finals_skip is given up */
  uint16_t rep_scale;     /* scale_pm last reported (params event) */
  uint32_t poll_np;       /* P packets of this sequence sent since contact */
  uint32_t poll_max_rx;   /* largest Required Min RX sent since its first P */
  uint32_t poll_min_tx;   /* smallest Desired Min TX sent since its first P */
  uint8_t peer_addr[16];  /* BFD_KEY_ANY_PEER with a zero key peer: where to send */

  bfd_session_key key;

  /* Counters */
  uint64_t rx_packets, rx_dropped, tx_packets, up_count, down_count;
  uint64_t polls_sent, finals_sent, tx_failed, failure_count;
  uint32_t drops[BFD_SESSION_DROP_SLOTS];

  /* §6.7: key ring, bfd.AuthType and the sequence variables; NULL when no
   * authentication is configured (bfd.AuthType 0). */
  struct bfd_auth_ring *auth;
};

/* Settings checks on a current-version struct. */
int bfd_session_check_settings(const bfd_session_settings *st);
/* The session's settings as a current-version struct. */
void bfd_session_export_settings(const bfd_session *s, bfd_session_settings *st);
/* bfd_session_update() after its checks: apply complete, checked settings
 * (same mode and discriminator). */
int bfd_session_apply(bfd_session *s, const bfd_session_settings *st, uint64_t now);
/* bfd_session_settings_check() on a current-version copy `out` of `in`. */
int bfd_session_settings_import_check(const bfd_session_settings *in, bfd_session_settings *out);

/* Internal entry points used by bfd_table. All assume valid arguments and a
 * clock already checked against *s->clock. */
/* Sets up the session without any callback; `clock` is the clock it
 * shares (NULL: its own). */
void bfd_session_init(bfd_session *s, const bfd_session_settings *settings,
                      const bfd_callbacks *cb, void *cb_user_data, const bfd_mem *mem,
                      bfd_rand *rand, uint64_t *clock, uint64_t now);
/* Delivers the creation event (BFD_NHS_DOWN_UNTIL_UP); once the session is
 * findable by its owner. On failure the owner calls bfd_session_fini(). */
int bfd_session_start(bfd_session *s, uint64_t now);
/* Delivers the clearing nexthop event; frees only the auth ring. */
void bfd_session_fini(bfd_session *s, uint64_t now);
/* A decoded packet that arrived for this session: every check of §6.8.6
 * (rx_check: an error code, nothing changed but an authentic packet's
 * sequence number in the ring), then its effects (rx_apply). bfd_session_rx
 * is both, counting a drop on failure. */
int bfd_session_rx(bfd_session *s, const bfd_ctrl_pkt *pkt, const uint8_t *buf,
                   const bfd_rx_info *ri, uint64_t now);
int bfd_session_rx_check(bfd_session *s, const bfd_ctrl_pkt *pkt, const uint8_t *buf,
                         const bfd_rx_info *ri, uint64_t now);
int bfd_session_rx_apply(bfd_session *s, const bfd_ctrl_pkt *pkt, const bfd_rx_info *ri,
                         uint64_t now);
/* Delivers a params event when the negotiated values differ from the last
 * ones reported. Called by the owner after every operation. */
int bfd_session_notify(bfd_session *s, uint64_t now);
/* Starts the goodbye (RFC 5880 §6.8.16): AdminDown, diag 7, sending for a
 * Detection Time or until the peer is not Up; s->gone when finished. */
int bfd_session_goodbye_start(bfd_session *s, uint64_t now);
/* The table's governor: advertise the configured intervals x scale_pm /
 * 1000 (>= 1000), through the ordinary §6.8.3 rules. */
void bfd_session_set_scale(bfd_session *s, uint32_t scale_pm, uint64_t now);
/* The table's start pacing: a session that has never sent nor heard its
 * peer waits until `at` for its first packet. */
int bfd_session_start_pending(const bfd_session *s);
void bfd_session_defer_start(bfd_session *s, uint64_t at);
int bfd_session_expire(bfd_session *s, uint64_t now);
/* Builds the next due packet (after bfd_session_expire). */
ptrdiff_t bfd_session_write(bfd_session *s, uint8_t *buf, size_t buflen, uint64_t now);
uint64_t bfd_session_deadline(const bfd_session *s);
/* The two halves of bfd_session_deadline(): what poll has to send (periodic
 * or Final) and when detection expires. */
uint64_t bfd_session_tx_deadline(const bfd_session *s);
uint64_t bfd_session_detect_deadline(const bfd_session *s);
void bfd_session_count_drop(bfd_session *s, int error_code);
int bfd_session_check_clock(bfd_session *s, uint64_t now);

/* Negotiated periodic TX interval in ns, 0 when periodic TX is off. */
uint64_t bfd_session_tx_interval(const bfd_session *s);
/* Detection time in ns (§6.8.4), 0 before the remote's values are known. */
uint64_t bfd_session_detect_time(const bfd_session *s);

#endif
