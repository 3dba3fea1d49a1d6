#include "bfd_test_util.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>

/* BFD_TEST_ASSERTS=1: one line per test with the assertions it made (for
 * comparing a suite's strength before and after a change). */
static void run_one_by_one(const char *suite_name) {
  CU_pSuite suite = CU_get_suite(suite_name);
  CU_pTest t;
  for (t = suite ? suite->pTest : NULL; t; t = t->pNext) {
    CU_basic_run_test(suite, t);
    fprintf(stderr, "\nasserts %s/%s %u\n", suite_name, t->pName, CU_get_number_of_asserts());
  }
}

int bfd_test_run_suite(const char *suite_name, CU_TestInfo *tests) {
  CU_SuiteInfo suites[] = {{suite_name, NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
  unsigned failures;
  if (CU_initialize_registry() != CUE_SUCCESS) {
    fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
    return 1;
  }
  if (CU_register_suites(suites) != CUE_SUCCESS) {
    fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
    CU_cleanup_registry();
    return 1;
  }
  CU_basic_set_mode(CU_BRM_VERBOSE);
  if (getenv("BFD_TEST_ASSERTS"))
    run_one_by_one(suite_name);
  else
    CU_basic_run_tests();
  failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  if (CU_get_number_of_tests_run() == 0)
    failures = 1; /* a suite that ran nothing has not passed */
  CU_cleanup_registry();
  return failures ? 1 : 0;
}
