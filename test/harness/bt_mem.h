/* A counting, failing allocator for bfd_mem: calls, live blocks and bytes
 * counted, failures where it is told. No CUnit: the benchmarks link it too
 * (bench/CMakeLists.txt). */
#ifndef BT_MEM_H
#define BT_MEM_H

#include <bfd/bfd.h>
#include <stddef.h>

enum { BT_MEM_MALLOC = 1u, BT_MEM_CALLOC = 2u, BT_MEM_REALLOC = 4u, BT_MEM_ALL = 7u };

typedef struct bt_mem {
  bfd_mem mem;
  long calls; /* allocation calls (malloc, calloc, realloc), numbered from 1 */
  long mallocs, callocs, reallocs, frees;
  long fail_at;  /* fail allocation call number fail_at; 0: never */
  unsigned fail; /* BT_MEM_* bits: fail every such call while set */
  long failed;   /* calls failed */
  size_t live;   /* live bytes */
  long live_blocks;
  void *last_user_data; /* the user data of the last call */
} bt_mem;

/* Zero counts, never failing; hand &m->mem to the library. */
void bt_mem_init(bt_mem *m);

#endif
