/* A table of sessions: O(1) demultiplexing by discriminator or key, and one
 * deadline over all sessions.
 *
 * Deadlines live in two binary min-heaps, one for transmission (periodic
 * packets and Finals) and one for detection, with a lazy invariant: every
 * entry's key is <= its session's real deadline of that kind. A received
 * packet only ever pushes the detection deadline later, so it leaves the
 * heaps alone (no per-packet heap churn); a stale entry is corrected when it
 * reaches the top. Deadlines that move earlier (a Poll to answer, a state
 * change to announce) sift up at once. After every call the tops are exact,
 * so the table's next deadline is exact and O(1). feed_time walks only the
 * detection heap and poll_packet only the TX heap, so neither blocks the
 * other. */
#ifndef BFD_TABLE_H
#define BFD_TABLE_H

#include <bfd/bfd.h>

#include "bfd_rand.h"
#include "bfd_session.h"

typedef struct bfd_heap_ent {
  uint64_t key;
  bfd_session *s;
} bfd_heap_ent;

enum { BFD_HEAP_TX = 0, BFD_HEAP_DETECT = 1 };

typedef struct bfd_heap {
  bfd_heap_ent *v;
  size_t len;
  int which; /* index into bfd_session.heap_idx */
} bfd_heap;

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

  bfd_heap heap[2]; /* BFD_HEAP_TX, BFD_HEAP_DETECT */
  size_t heap_cap;  /* entries reserved in each */

  uint64_t drops[BFD_DROP_SLOTS];
};

/* Called by bfd_session.c after any public operation on a table session. */
void bfd_table_session_changed(bfd_table *t, bfd_session *s);
/* bfd_session_del() on a table session. */
void bfd_table_remove_session(bfd_table *t, bfd_session *s);

#endif
