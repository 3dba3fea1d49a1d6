/* Allocator plumbing (lib/bfd_mem.c): libc default and host allocators. */
#include "bfd_mem.h"
#include "bfd_harness.h"

#include <stdlib.h>
#include <string.h>

/* The host allocator is bt_mem (test/harness/bt_rec.h): it counts every
 * call and can be told to fail. */

static void test_default(void) {
  const bfd_mem *m = bfd_mem_default();
  CU_ASSERT_PTR_NOT_NULL_FATAL(m);
  CU_ASSERT_PTR_EQUAL(bfd_mem_default(), m);
  CU_ASSERT_PTR_NULL(m->user_data);
  CU_ASSERT_PTR_NOT_NULL(m->malloc);
  CU_ASSERT_PTR_NOT_NULL(m->free);
  CU_ASSERT_PTR_NOT_NULL(m->calloc);
  CU_ASSERT_PTR_NOT_NULL(m->realloc);
}

static void exercise(const bfd_mem *m) {
  unsigned char *p = bfd_mem_malloc(m, 16);
  unsigned char *z;
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  memset(p, 0xab, 16);
  p = bfd_mem_realloc(m, p, 4096);
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  CU_ASSERT_EQUAL(p[0], 0xab);
  CU_ASSERT_EQUAL(p[15], 0xab);
  bfd_mem_free(m, p);
  z = bfd_mem_calloc(m, 8, 32);
  CU_ASSERT_PTR_NOT_NULL_FATAL(z);
  for (size_t i = 0; i < 256; i++)
    CU_ASSERT_EQUAL_FATAL(z[i], 0);
  bfd_mem_free(m, z);
}

static void test_default_works(void) {
  exercise(bfd_mem_default());
  /* NULL means libc (bfd.h), also in the internal wrappers. */
  exercise(NULL);
  bfd_mem_free(NULL, NULL);
}

static void test_host_allocator(void) {
  bt_mem c;
  bt_mem_init(&c);
  exercise(&c.mem);
  CU_ASSERT_EQUAL(c.mallocs, 1);
  CU_ASSERT_EQUAL(c.reallocs, 1);
  CU_ASSERT_EQUAL(c.callocs, 1);
  CU_ASSERT_EQUAL(c.frees, 2);
  CU_ASSERT_PTR_EQUAL(c.last_user_data, &c);
  CU_ASSERT_EQUAL(c.live_blocks, 0);
  /* Freeing NULL never reaches the host. */
  bfd_mem_free(&c.mem, NULL);
  CU_ASSERT_EQUAL(c.frees, 2);
}

static void test_host_failure(void) {
  bt_mem c;
  bt_mem_init(&c);
  c.fail = BT_MEM_ALL;
  CU_ASSERT_PTR_NULL(bfd_mem_malloc(&c.mem, 8));
  CU_ASSERT_PTR_NULL(bfd_mem_calloc(&c.mem, 1, 8));
  CU_ASSERT_PTR_NULL(bfd_mem_realloc(&c.mem, NULL, 8));
  CU_ASSERT_EQUAL(c.mallocs, 1);
  CU_ASSERT_EQUAL(c.callocs, 1);
  CU_ASSERT_EQUAL(c.reallocs, 1);
  CU_ASSERT_EQUAL(c.frees, 0);
  CU_ASSERT_EQUAL(c.failed, 3);
}

int main(void) {
  CU_TestInfo tests[] = {{"default", test_default},
                         {"default_works", test_default_works},
                         {"host_allocator", test_host_allocator},
                         {"host_failure", test_host_failure},
                         CU_TEST_INFO_NULL};
  return bfd_test_run_suite("mem", tests);
}
