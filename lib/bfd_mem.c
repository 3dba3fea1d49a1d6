#include "bfd_mem.h"

#include <stdlib.h>

static void *default_malloc(size_t size, void *user_data) {
  (void)user_data;
  return malloc(size);
}
static void default_free(void *ptr, void *user_data) {
  (void)user_data;
  free(ptr);
}
static void *default_calloc(size_t nmemb, size_t size, void *user_data) {
  (void)user_data;
  return calloc(nmemb, size);
}
static void *default_realloc(void *ptr, size_t size, void *user_data) {
  (void)user_data;
  return realloc(ptr, size);
}

/* Immutable, so not global mutable state. */
static const bfd_mem mem_default = {NULL, default_malloc, default_free, default_calloc,
                                    default_realloc};

const bfd_mem *bfd_mem_default(void) { return &mem_default; }

/* NULL means libc everywhere a bfd_mem is taken, internal wrappers included. */
static const bfd_mem *mem_or_default(const bfd_mem *mem) { return mem ? mem : &mem_default; }

void *bfd_mem_malloc(const bfd_mem *mem, size_t size) {
  mem = mem_or_default(mem);
  return mem->malloc(size, mem->user_data);
}
void *bfd_mem_calloc(const bfd_mem *mem, size_t nmemb, size_t size) {
  mem = mem_or_default(mem);
  return mem->calloc(nmemb, size, mem->user_data);
}
void *bfd_mem_realloc(const bfd_mem *mem, void *ptr, size_t size) {
  mem = mem_or_default(mem);
  return mem->realloc(ptr, size, mem->user_data);
}
void bfd_mem_free(const bfd_mem *mem, void *ptr) {
  mem = mem_or_default(mem);
  if (ptr)
    mem->free(ptr, mem->user_data);
}
