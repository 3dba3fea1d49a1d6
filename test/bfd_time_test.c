/* Time conversions (lib/bfd_time.c): exact values, saturation, rounding up. */
#include "bfd_harness.h"
#include "bfd_time.h"

static void test_units(void) {
  CU_ASSERT_EQUAL(BFD_NANOSECONDS, 1u);
  CU_ASSERT_EQUAL(BFD_MICROSECONDS, 1000u);
  CU_ASSERT_EQUAL(BFD_MILLISECONDS, 1000000u);
  CU_ASSERT_EQUAL(BFD_SECONDS, 1000000000u);
  CU_ASSERT_EQUAL(BFD_TSTAMP_NONE, UINT64_MAX);
}

static void test_us_to_ns(void) {
  CU_ASSERT_EQUAL(bfd_us_to_ns(0), 0u);
  CU_ASSERT_EQUAL(bfd_us_to_ns(1), 1000u);
  CU_ASSERT_EQUAL(bfd_us_to_ns(300000), 300000000u);
  /* The wire's largest interval fits: no saturation needed. */
  CU_ASSERT_EQUAL(bfd_us_to_ns(UINT32_MAX), 4294967295000ull);
}

static void test_ms_to_ns(void) {
  const uint64_t max_exact = UINT64_MAX / 1000000u; /* 18446744073709 */
  CU_ASSERT_EQUAL(bfd_ms_to_ns(0), 0u);
  CU_ASSERT_EQUAL(bfd_ms_to_ns(1), 1000000u);
  CU_ASSERT_EQUAL(max_exact, 18446744073709ull);
  CU_ASSERT_EQUAL(bfd_ms_to_ns(max_exact), 18446744073709000000ull);
  CU_ASSERT_EQUAL(bfd_ms_to_ns(max_exact + 1), UINT64_MAX);
  CU_ASSERT_EQUAL(bfd_ms_to_ns(UINT64_MAX), UINT64_MAX);
}

static void test_s_to_ns(void) {
  CU_ASSERT_EQUAL(bfd_s_to_ns(0), 0u);
  CU_ASSERT_EQUAL(bfd_s_to_ns(1), 1000000000u);
  CU_ASSERT_EQUAL(bfd_s_to_ns(18446744073ull), 18446744073000000000ull);
  CU_ASSERT_EQUAL(bfd_s_to_ns(18446744074ull), UINT64_MAX);
  CU_ASSERT_EQUAL(bfd_s_to_ns(UINT64_MAX), UINT64_MAX);
}

static void test_ns_to_us(void) {
  const uint64_t top = (uint64_t)UINT32_MAX * 1000u;
  CU_ASSERT_EQUAL(bfd_ns_to_us(0), 0u);
  /* Rounded up: a timer must never be shorter than asked. */
  CU_ASSERT_EQUAL(bfd_ns_to_us(1), 1u);
  CU_ASSERT_EQUAL(bfd_ns_to_us(999), 1u);
  CU_ASSERT_EQUAL(bfd_ns_to_us(1000), 1u);
  CU_ASSERT_EQUAL(bfd_ns_to_us(1001), 2u);
  CU_ASSERT_EQUAL(bfd_ns_to_us(top - 1000), UINT32_MAX - 1u);
  CU_ASSERT_EQUAL(bfd_ns_to_us(top - 999), UINT32_MAX);
  CU_ASSERT_EQUAL(bfd_ns_to_us(top), UINT32_MAX);
  /* Saturation above the 32-bit wire field. */
  CU_ASSERT_EQUAL(bfd_ns_to_us(top + 1), UINT32_MAX);
  CU_ASSERT_EQUAL(bfd_ns_to_us(UINT64_MAX), UINT32_MAX);
}

static void test_ns_to_ms_ceil(void) {
  CU_ASSERT_EQUAL(bfd_ns_to_ms_ceil(0), 0u);
  CU_ASSERT_EQUAL(bfd_ns_to_ms_ceil(1), 1u);
  CU_ASSERT_EQUAL(bfd_ns_to_ms_ceil(999999), 1u);
  CU_ASSERT_EQUAL(bfd_ns_to_ms_ceil(1000000), 1u);
  CU_ASSERT_EQUAL(bfd_ns_to_ms_ceil(1000001), 2u);
  CU_ASSERT_EQUAL(bfd_ns_to_ms_ceil(2500000000ull), 2500u);
  /* UINT64_MAX = 18446744073709 ms + 551615 ns: no overflow in the +1. */
  CU_ASSERT_EQUAL(bfd_ns_to_ms_ceil(UINT64_MAX), 18446744073710ull);
}

static void test_roundtrip(void) {
  static const uint32_t us[] = {0, 1, 999, 1000, 3300, 1000000, 0x7fffffffu, UINT32_MAX};
  for (size_t i = 0; i < sizeof(us) / sizeof(us[0]); i++)
    CU_ASSERT_EQUAL(bfd_ns_to_us(bfd_us_to_ns(us[i])), us[i]);
  for (uint64_t ms = 0; ms < 5000; ms += 7)
    CU_ASSERT_EQUAL(bfd_ns_to_ms_ceil(bfd_ms_to_ns(ms)), ms);
  CU_ASSERT_EQUAL(bfd_ns_to_ms_ceil(bfd_s_to_ns(3)), 3000u);
}

int main(void) {
  CU_TestInfo tests[] = {{"units", test_units},         {"us_to_ns", test_us_to_ns},
                         {"ms_to_ns", test_ms_to_ns},   {"s_to_ns", test_s_to_ns},
                         {"ns_to_us", test_ns_to_us},   {"ns_to_ms_ceil", test_ns_to_ms_ceil},
                         {"roundtrip", test_roundtrip}, CU_TEST_INFO_NULL};
  return bfd_test_run_suite("time", tests);
}
