/* A table of sessions: O(1) demultiplexing by discriminator or key, and one
 * deadline over all sessions.
 *
 * Deadlines live in one binary min-heap keyed on each session's earliest
 * deadline (next transmission, pending Final, or detection), with a lazy
 * invariant: an entry's key is <= its session's real deadline. While a
 * session is Up its next transmission always comes before its detection
 * deadline, so a received packet, which only pushes detection later, leaves
 * the key exact and costs no heap work at all. Deadlines that move earlier
 * (a Poll to answer, a state change to announce) sift up at once; stale
 * entries are corrected when they reach the top. After every call the top
 * is exact, so the table's next deadline is exact and O(1).
 * feed_time walks the overdue part of the heap, which is a subtree at the
 * root (O(overdue)), for expired detection timers; poll_packet takes what is
 * due from the top. */
#ifndef BFD_TABLE_H
#define BFD_TABLE_H

#include <bfd/bfd.h>

#include "bfd_err.h"
#include "bfd_gov.h"
#include "bfd_pq.h"
#include "bfd_rand.h"
#include "bfd_session.h"

/* A table's session: the state machine's bfd_session first (the table
 * casts between the two), then the table's own linkage, which the state
 * machine never sees. */
typedef struct bfd_tsess {
  bfd_session s;
  struct bfd_tsess *discr_next; /* hash chain by local discriminator */
  struct bfd_tsess *key_next;   /* hash chain by key */
  bfd_pq_node pq;               /* in the deadline heap */
  uint8_t responder;            /* created by responder mode (reaped) */
  uint8_t counted_state;        /* the state by_state counts it in */
  struct bfd_tsess *doomed_next; /* on the table's doomed list */
} bfd_tsess;

struct bfd_table {
  bfd_callbacks cb;
  void *user_data;
  const bfd_mem *mem;
  bfd_rand rand;
  uint64_t last_now;

  bfd_tsess **discr_buckets;
  bfd_tsess **key_buckets;
  size_t nbuckets; /* power of two, shared by both hashes */
  size_t count;

  bfd_pq pq; /* capacity reserved: one entry per session */

  /* Responder mode (bfd_table_set_responder); off while resp_max is 0. */
  uint32_t resp_max;
  uint8_t closing; /* bfd_table_goodbye_all() was called */
  /* Goodbyes finished by the packet just handed to the host: freed at the
   * start of the next table call (the host still routes that packet). */
  bfd_tsess *doomed;
  size_t nresp;
  uint64_t resp_hold_ns;
  bfd_session_settings resp_st;   /* template, current version */
  struct bfd_auth_ring *resp_ring; /* template ring, or NULL */
  struct bfd_auth_ring *resp_scratch_ring;
  bfd_tsess *resp_scratch;        /* checks a candidate packet, no allocation */

  bfd_gov gov; /* overload governor (bfd_table_set_governor) */
  /* Start pacing (bfd_table_set_start_pacing): the gap between two first
   * packets (0: off), the next free slot, and the earliest time the next
   * first packet may go out (the last one + the gap). */
  uint64_t pace_gap;
  uint64_t pace_next;
  uint64_t pace_emit;

  uint64_t drops[BFD_DROP_SLOTS];      /* before a session was found */
  uint64_t sess_drops[BFD_DROP_SLOTS]; /* by its sessions */
  uint64_t by_state[4];
};

/* Called by bfd_session.c after any public operation on a table session. */
void bfd_table_session_changed(bfd_table *t, bfd_session *s);
/* bfd_session_del() on a table session. */
void bfd_table_remove_session(bfd_table *t, bfd_session *s);
/* After any operation on a table session that returned `rv`: requeue it,
 * and free it if its goodbye finished or responder mode reaps it. Returns
 * rv, or BFD_ERR_CALLBACK_FAILURE from the removal events. */
int bfd_table_session_done(bfd_table *t, bfd_session *s, int rv, uint64_t now);
/* A table session discarded a packet fed through bfd_session_feed_packet. */
void bfd_table_count_session_drop(bfd_table *t, int error_code);

#endif
