/* A table of sessions: O(1) demultiplexing by discriminator or key, and one
 * deadline over all sessions.
 *
 * Deadlines live in a binary min-heap with a lazy invariant: every entry's
 * key is <= its session's real deadline. Received packets only ever push a
 * detection deadline later, so they leave the heap alone (no per-packet heap
 * churn); a stale entry is corrected when it reaches the top. After every
 * public call the top entry is exact, so the table's next deadline is exact
 * and O(1). Sessions found due by feed_time but not yet polled wait on an
 * intrusive list. */
#ifndef BFD_TABLE_H
#define BFD_TABLE_H

#include <bfd/bfd.h>

#include "bfd_rand.h"
#include "bfd_session.h"

typedef struct bfd_heap_ent {
  uint64_t key;
  bfd_session *s;
} bfd_heap_ent;

struct bfd_table {
  bfd_callbacks cb;
  void *user_data;
  const bfd_mem *mem;
  bfd_rand rand;
  uint64_t last_now;

  bfd_session **discr_buckets;
  bfd_session **key_buckets;
  size_t nbuckets; /* power of two, shared by both hashes */
  size_t count;

  bfd_heap_ent *heap;
  size_t heap_len, heap_cap;

  bfd_session *due_head, *due_tail;
  uint64_t due_since;

  uint64_t drops[BFD_DROP_SLOTS];
};

/* Called by bfd_session.c after any public operation on a table session. */
void bfd_table_session_changed(bfd_table *t, bfd_session *s);
/* bfd_session_del() on a table session. */
void bfd_table_remove_session(bfd_table *t, bfd_session *s);

#endif
