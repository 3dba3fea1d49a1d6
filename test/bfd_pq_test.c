/* The intrusive deadline heap (lib/bfd_pq.c): heap order and node indexes
 * after every operation, against a reference model, and allocation
 * failure in reserve. */
#include "bfd_pq.h"
#include "bfd_harness.h"

#include <stdlib.h>
#include <string.h>

#define N 300

typedef struct item {
  bfd_pq_node node;
  uint64_t key; /* reference: the key it should have, if queued */
  int queued;
} item;

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next_rand(void) { return bt_rng_next(&rng); }

/* Every entry's node points back at its slot, keys match the model, every
 * parent <= child, and the top is the model's minimum. */
static int consistent(const bfd_pq *q, item *it) {
  size_t i, n = 0;
  uint64_t min = UINT64_MAX;
  for (i = 0; i < q->len; i++) {
    item *x = (item *)(void *)q->v[i].node;
    if (x->node.idx != i || !x->queued || x->key != q->v[i].key)
      return 0;
    if (i > 0 && q->v[(i - 1) / 2].key > q->v[i].key)
      return 0;
  }
  for (i = 0; i < N; i++)
    if (it[i].queued) {
      n++;
      if (it[i].key < min)
        min = it[i].key;
    } else if (bfd_pq_queued(&it[i].node)) {
      return 0;
    }
  return n == q->len && (n == 0 || q->v[0].key == min);
}

static void test_random_ops(void) {
  bfd_pq q;
  item *it = calloc(N, sizeof(*it));
  size_t i, step;
  CU_ASSERT_PTR_NOT_NULL_FATAL(it);
  bfd_pq_init(&q, bfd_mem_default());
  CU_ASSERT_EQUAL_FATAL(bfd_pq_reserve(&q, N), 0);
  CU_ASSERT(q.cap >= N);
  for (i = 0; i < N; i++)
    bfd_pq_node_init(&it[i].node);
  for (step = 0; step < 200000; step++) {
    item *x = &it[next_rand() % N];
    /* Small key range: many ties. */
    uint64_t key = next_rand() % 64;
    if (!x->queued) {
      bfd_pq_push(&q, &x->node, key);
      x->key = key;
      x->queued = 1;
    } else if (next_rand() % 3 == 0) {
      bfd_pq_remove(&q, &x->node);
      x->queued = 0;
    } else {
      bfd_pq_update(&q, &x->node, key);
      x->key = key;
    }
    if (!consistent(&q, it)) {
      CU_FAIL("heap inconsistent");
      break;
    }
  }
  /* Drain in order. */
  {
    uint64_t last = 0;
    while (q.len > 0) {
      item *top = (item *)(void *)q.v[0].node;
      CU_ASSERT(q.v[0].key >= last);
      last = q.v[0].key;
      bfd_pq_remove(&q, &top->node);
      top->queued = 0;
      CU_ASSERT_FALSE(bfd_pq_queued(&top->node));
    }
  }
  bfd_pq_free(&q);
  CU_ASSERT_PTR_NULL(q.v);
  free(it);
}

static void test_edges(void) {
  bfd_pq q;
  item a, b;
  bfd_pq_init(&q, bfd_mem_default());
  CU_ASSERT_EQUAL(bfd_pq_reserve(&q, 0), 0);
  CU_ASSERT_EQUAL_FATAL(bfd_pq_reserve(&q, 2), 0);
  CU_ASSERT_EQUAL(q.cap, 64); /* at least 64, doubling */
  CU_ASSERT_EQUAL(bfd_pq_reserve(&q, 65), 0);
  CU_ASSERT_EQUAL(q.cap, 128);
  bfd_pq_node_init(&a.node);
  bfd_pq_node_init(&b.node);
  bfd_pq_push(&q, &a.node, 5);
  bfd_pq_push(&q, &b.node, 3);
  CU_ASSERT_PTR_EQUAL(q.v[0].node, &b.node);
  CU_ASSERT_EQUAL(bfd_pq_key(&q, &a.node), 5);
  bfd_pq_update(&q, &a.node, 1); /* up */
  CU_ASSERT_PTR_EQUAL(q.v[0].node, &a.node);
  bfd_pq_update(&q, &a.node, UINT64_MAX); /* down, to the largest key */
  CU_ASSERT_PTR_EQUAL(q.v[0].node, &b.node);
  bfd_pq_remove(&q, &a.node); /* the last slot */
  CU_ASSERT_EQUAL(q.len, 1);
  CU_ASSERT_EQUAL(a.node.idx, BFD_PQ_NONE);
  bfd_pq_remove(&q, &b.node);
  CU_ASSERT_EQUAL(q.len, 0);
  bfd_pq_free(&q);
}

static void test_reserve_nomem(void) {
  bt_mem m;
  bfd_pq q;
  bt_mem_init(&m);
  m.fail = BT_MEM_REALLOC;
  bfd_pq_init(&q, &m.mem);
  CU_ASSERT_EQUAL(bfd_pq_reserve(&q, 1), BFD_ERR_NOMEM);
  CU_ASSERT_PTR_NULL(q.v);
  CU_ASSERT_EQUAL(q.cap, 0);
  CU_ASSERT_EQUAL(bfd_pq_reserve(&q, (size_t)UINT32_MAX), BFD_ERR_NOMEM); /* indexes are 32-bit */
  bfd_pq_free(&q);
}

int main(void) {
  CU_TestInfo tests[] = {{"random_ops", test_random_ops},
                         {"edges", test_edges},
                         {"reserve_nomem", test_reserve_nomem},
                         CU_TEST_INFO_NULL};
  return bfd_test_run_suite("pq", tests);
}
