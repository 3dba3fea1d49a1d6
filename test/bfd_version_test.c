/* Runtime version query (lib/bfd_version.c) against the generated header. */
#include "bfd_harness.h"

#include <bfd/bfd.h>

#include <stdio.h>
#include <string.h>

static void test_number(void) {
  uint32_t v = bfd_version_number();
  CU_ASSERT_EQUAL(v, (uint32_t)BFDKIT_VERSION_NUM);
  CU_ASSERT_EQUAL(v >> 16, (uint32_t)BFDKIT_VERSION_MAJOR);
  CU_ASSERT_EQUAL((v >> 8) & 0xffu, (uint32_t)BFDKIT_VERSION_MINOR);
  CU_ASSERT_EQUAL(v & 0xffu, (uint32_t)BFDKIT_VERSION_PATCH);
  /* Each component must fit its byte, or 0xMMmmpp would be ambiguous. */
  CU_ASSERT(BFDKIT_VERSION_MINOR <= 255 && BFDKIT_VERSION_PATCH <= 255);
}

static void test_string(void) {
  char want[32];
  uint32_t v = bfd_version_number();
  const char *s = bfd_version_string();
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_STRING_EQUAL(s, BFDKIT_VERSION);
  snprintf(want, sizeof(want), "%u.%u.%u", (unsigned)(v >> 16), (unsigned)((v >> 8) & 0xffu),
           (unsigned)(v & 0xffu));
  CU_ASSERT_STRING_EQUAL(s, want);
  /* A static string: same pointer every call. */
  CU_ASSERT_PTR_EQUAL(bfd_version_string(), s);
}

int main(void) {
  CU_TestInfo tests[] = {{"number", test_number}, {"string", test_string}, CU_TEST_INFO_NULL};
  return bfd_test_run_suite("version", tests);
}
