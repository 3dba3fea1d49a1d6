/* Uses the installed libuv adapter: exits nonzero on any mismatch. */
/* uv.h needs POSIX types (pthread_rwlock_t) that strict -std=c11 hides. */
#define _POSIX_C_SOURCE 200809L
#include <bfd/bfd_uv.h>

#include <stdio.h>
#include <string.h>

int main(void) {
  bfd_uv_addr a;
  char text[64];
  ptrdiff_t n;
  if (bfd_uv_addr_parse(&a, "2001:db8::1") != 0 || a.family != BFD_AF_INET6) {
    fprintf(stderr, "bfd_uv_addr_parse failed\n");
    return 1;
  }
  n = bfd_uv_addr_format(text, sizeof(text), &a);
  if (n != 11 || strcmp(text, "2001:db8::1") != 0) {
    fprintf(stderr, "bfd_uv_addr_format: %td \"%s\"\n", n, n >= 0 ? text : "");
    return 1;
  }
  printf("consumer_uv OK: bfdkit %s, %s\n", bfd_version_string(), text);
  return 0;
}
