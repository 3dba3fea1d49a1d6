/* GNU binutils' <bfd.h> and bfdkit's <bfd/bfd.h> in one translation unit,
 * both libraries in one process: daemons that link libbfd for backtraces
 * must be able to use bfdkit too. */
#ifndef _GNU_SOURCE /* uv.h needs POSIX types under -std=c11 (g++ defines it) */
#  define _GNU_SOURCE
#endif
#define PACKAGE "bfdkit-coexist" /* binutils' bfd.h insists on config.h */
#define PACKAGE_VERSION "0"
#include <bfd.h>

#include <bfd/bfd.h>
#ifdef BFD_COEXIST_UV
#  include <bfd/bfd_uv.h>
#endif

#include <stdio.h>
#include <string.h>

int main(void) {
  bfd_error_code e = BFD_ERR_INVALID_ARGUMENT; /* ours */
  bfd_error_type be = bfd_error_no_error;      /* binutils' */
  if (bfd_init() != BFD_INIT_MAGIC)
    return 1;
  if (strcmp(bfd_strerror(e), "invalid argument") != 0 || be != bfd_error_no_error)
    return 1;
  printf("bfdkit %s and libbfd in one program\n", bfd_version_string());
  return 0;
}
