/* Allocation through the host's bfd_mem (NULL = libc). */
#ifndef BFD_MEM_H
#define BFD_MEM_H

#include <bfd/bfd.h>

void *bfd_mem_malloc(const bfd_mem *mem, size_t size);
void *bfd_mem_calloc(const bfd_mem *mem, size_t nmemb, size_t size);
void *bfd_mem_realloc(const bfd_mem *mem, void *ptr, size_t size);
void bfd_mem_free(const bfd_mem *mem, void *ptr);

#endif
