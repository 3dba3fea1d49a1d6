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

  uint64_t drops[BFD_DROP_SLOTS];
};

/* Called by bfd_session.c after any public operation on a table session. */
void bfd_table_session_changed(bfd_table *t, bfd_session *s);
/* bfd_session_del() on a table session. */
void bfd_table_remove_session(bfd_table *t, bfd_session *s);

#endif
