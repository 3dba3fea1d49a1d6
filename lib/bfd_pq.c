#include "bfd_pq.h"

#include "bfd_mem.h"

void bfd_pq_init(bfd_pq *q, const bfd_mem *mem) {
  q->v = NULL;
  q->len = q->cap = 0;
  q->mem = mem;
}

void bfd_pq_free(bfd_pq *q) {
  bfd_mem_free(q->mem, q->v);
  q->v = NULL;
  q->len = q->cap = 0;
}

int bfd_pq_reserve(bfd_pq *q, size_t n) {
  size_t cap = q->cap ? q->cap : 64;
  bfd_pq_ent *v;
  if (n <= q->cap)
    return 0;
  if (n > UINT32_MAX - 1) /* indexes are 32-bit, BFD_PQ_NONE excluded */
    return BFD_ERR_NOMEM;
  while (cap < n)
    cap *= 2;
  v = bfd_mem_realloc(q->mem, q->v, cap * sizeof(*v));
  if (!v)
    return BFD_ERR_NOMEM;
  q->v = v;
  q->cap = cap;
  return 0;
}

void bfd_pq_node_init(bfd_pq_node *n) { n->idx = BFD_PQ_NONE; }

static void put(bfd_pq *q, size_t i, bfd_pq_ent e) {
  q->v[i] = e;
  e.node->idx = (uint32_t)i;
}

static void sift_up(bfd_pq *q, size_t i) {
  bfd_pq_ent e = q->v[i];
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (q->v[p].key <= e.key)
      break;
    put(q, i, q->v[p]);
    i = p;
  }
  put(q, i, e);
}

static void sift_down(bfd_pq *q, size_t i) {
  bfd_pq_ent e = q->v[i];
  size_t n = q->len;
  for (;;) {
    size_t c = 2 * i + 1;
    if (c >= n)
      break;
    if (c + 1 < n && q->v[c + 1].key < q->v[c].key)
      c++;
    if (e.key <= q->v[c].key)
      break;
    put(q, i, q->v[c]);
    i = c;
  }
  put(q, i, e);
}

static void fix(bfd_pq *q, size_t i) {
  if (i > 0 && q->v[(i - 1) / 2].key > q->v[i].key)
    sift_up(q, i);
  else
    sift_down(q, i);
}

void bfd_pq_push(bfd_pq *q, bfd_pq_node *n, uint64_t key) {
  bfd_pq_ent e;
  e.key = key;
  e.node = n;
  put(q, q->len++, e);
  sift_up(q, n->idx);
}

void bfd_pq_remove(bfd_pq *q, bfd_pq_node *n) {
  size_t i = n->idx;
  n->idx = BFD_PQ_NONE;
  if (--q->len == i)
    return;
  put(q, i, q->v[q->len]);
  fix(q, i);
}

void bfd_pq_update(bfd_pq *q, bfd_pq_node *n, uint64_t key) {
  q->v[n->idx].key = key;
  fix(q, n->idx);
}
