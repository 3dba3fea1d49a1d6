#include "bt_mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HDR 16 /* a block's size, in front of it */

static int mem_fail(bt_mem *m, unsigned kind, void *ud) {
  m->last_user_data = ud;
  m->calls++;
  if ((m->fail & kind) || (m->fail_at && m->calls == m->fail_at)) {
    m->failed++;
    return 1;
  }
  return 0;
}

static void *mem_wrap(bt_mem *m, uint8_t *raw, size_t size) {
  if (!raw)
    return NULL;
  memcpy(raw, &size, sizeof(size));
  m->live += size;
  m->live_blocks++;
  return raw + HDR;
}

static void *mem_malloc(size_t size, void *ud) {
  bt_mem *m = ud;
  m->mallocs++;
  return mem_fail(m, BT_MEM_MALLOC, ud) ? NULL : mem_wrap(m, malloc(size + HDR), size);
}

static void *mem_calloc(size_t nmemb, size_t size, void *ud) {
  bt_mem *m = ud;
  m->callocs++;
  if (mem_fail(m, BT_MEM_CALLOC, ud))
    return NULL;
  if (size && nmemb > ((size_t)-1 - HDR) / size)
    return NULL;
  return mem_wrap(m, calloc(1, nmemb * size + HDR), nmemb * size);
}

static void *mem_realloc(void *ptr, size_t size, void *ud) {
  bt_mem *m = ud;
  uint8_t *raw = ptr ? (uint8_t *)ptr - HDR : NULL, *n;
  size_t old = 0;
  m->reallocs++;
  if (mem_fail(m, BT_MEM_REALLOC, ud))
    return NULL;
  if (raw)
    memcpy(&old, raw, sizeof(old));
  n = realloc(raw, size + HDR);
  if (!n)
    return NULL;
  memcpy(n, &size, sizeof(size));
  m->live = m->live - old + size;
  if (!raw)
    m->live_blocks++;
  return n + HDR;
}

static void mem_free(void *ptr, void *ud) {
  bt_mem *m = ud;
  uint8_t *raw;
  size_t size;
  m->last_user_data = ud;
  m->frees++;
  if (!ptr)
    return;
  raw = (uint8_t *)ptr - HDR;
  memcpy(&size, raw, sizeof(size));
  m->live -= size;
  m->live_blocks--;
  free(raw);
}

void bt_mem_init(bt_mem *m) {
  memset(m, 0, sizeof(*m));
  m->mem.user_data = m;
  m->mem.malloc = mem_malloc;
  m->mem.free = mem_free;
  m->mem.calloc = mem_calloc;
  m->mem.realloc = mem_realloc;
}
