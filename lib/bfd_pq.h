/* An intrusive binary min-heap of 64-bit keys with reserved capacity: the
 * owner embeds a bfd_pq_node in each element, reserves room for every
 * element up front, and nothing on the packet path allocates. Ties keep no
 * particular order. */
#ifndef BFD_PQ_H
#define BFD_PQ_H

#include <bfd/bfd.h>

#define BFD_PQ_NONE UINT32_MAX

typedef struct bfd_pq_node {
  uint32_t idx; /* position in the heap, or BFD_PQ_NONE */
} bfd_pq_node;

typedef struct bfd_pq_ent {
  uint64_t key;
  bfd_pq_node *node;
} bfd_pq_ent;

typedef struct bfd_pq {
  bfd_pq_ent *v; /* v[0] is the minimum; read-only for the owner */
  size_t len, cap;
  const bfd_mem *mem;
} bfd_pq;

void bfd_pq_init(bfd_pq *q, const bfd_mem *mem);
void bfd_pq_free(bfd_pq *q);
/* Room for `n` entries in all; 0 or BFD_ERR_NOMEM (nothing changed). */
int bfd_pq_reserve(bfd_pq *q, size_t n);
void bfd_pq_node_init(bfd_pq_node *n);
/* `n` must not be queued and capacity must be reserved. */
void bfd_pq_push(bfd_pq *q, bfd_pq_node *n, uint64_t key);
/* `n` must be queued. */
void bfd_pq_remove(bfd_pq *q, bfd_pq_node *n);
/* New key for a queued `n`, either direction. */
void bfd_pq_update(bfd_pq *q, bfd_pq_node *n, uint64_t key);
static inline int bfd_pq_queued(const bfd_pq_node *n) { return n->idx != BFD_PQ_NONE; }
static inline uint64_t bfd_pq_key(const bfd_pq *q, const bfd_pq_node *n) { return q->v[n->idx].key; }

#endif
