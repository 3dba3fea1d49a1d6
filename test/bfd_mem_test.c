/* Allocator plumbing (lib/bfd_mem.c): libc default and host allocators. */
#include "bfd_mem.h"
#include "bfd_test_util.h"

#include <stdlib.h>
#include <string.h>

/* A counting allocator that can be told to fail. */
typedef struct counter {
  int mallocs, callocs, reallocs, frees;
  int fail;
  void *last_user_data;
} counter;

static void *c_malloc(size_t size, void *ud) {
  counter *c = ud;
  c->last_user_data = ud;
  c->mallocs++;
  return c->fail ? NULL : malloc(size);
}
static void c_free(void *ptr, void *ud) {
  counter *c = ud;
  c->last_user_data = ud;
  c->frees++;
  free(ptr);
}
static void *c_calloc(size_t nmemb, size_t size, void *ud) {
  counter *c = ud;
  c->last_user_data = ud;
  c->callocs++;
  return c->fail ? NULL : calloc(nmemb, size);
}
static void *c_realloc(void *ptr, size_t size, void *ud) {
  counter *c = ud;
  c->last_user_data = ud;
  c->reallocs++;
  return c->fail ? NULL : realloc(ptr, size);
}

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
  counter c = {0};
  bfd_mem m = {&c, c_malloc, c_free, c_calloc, c_realloc};
  exercise(&m);
  CU_ASSERT_EQUAL(c.mallocs, 1);
  CU_ASSERT_EQUAL(c.reallocs, 1);
  CU_ASSERT_EQUAL(c.callocs, 1);
  CU_ASSERT_EQUAL(c.frees, 2);
  CU_ASSERT_PTR_EQUAL(c.last_user_data, &c);
  /* Freeing NULL never reaches the host. */
  bfd_mem_free(&m, NULL);
  CU_ASSERT_EQUAL(c.frees, 2);
}

static void test_host_failure(void) {
  counter c = {0};
  bfd_mem m = {&c, c_malloc, c_free, c_calloc, c_realloc};
  c.fail = 1;
  CU_ASSERT_PTR_NULL(bfd_mem_malloc(&m, 8));
  CU_ASSERT_PTR_NULL(bfd_mem_calloc(&m, 1, 8));
  CU_ASSERT_PTR_NULL(bfd_mem_realloc(&m, NULL, 8));
  CU_ASSERT_EQUAL(c.mallocs, 1);
  CU_ASSERT_EQUAL(c.callocs, 1);
  CU_ASSERT_EQUAL(c.reallocs, 1);
  CU_ASSERT_EQUAL(c.frees, 0);
}

int main(void) {
  CU_TestInfo tests[] = {{"default", test_default},
                         {"default_works", test_default_works},
                         {"host_allocator", test_host_allocator},
                         {"host_failure", test_host_failure},
                         CU_TEST_INFO_NULL};
  return bfd_test_run_suite("mem", tests);
}
