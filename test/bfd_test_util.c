#include "bfd_test_util.h"

#include <CUnit/Basic.h>
#include <stdio.h>

int bfd_test_run_suite(const char *suite_name, CU_TestInfo *tests) {
  CU_SuiteInfo suites[] = {{suite_name, NULL, NULL, NULL, NULL, tests},
                           CU_SUITE_INFO_NULL};
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
  CU_basic_run_tests();
  failures = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  if (CU_get_number_of_tests_run() == 0)
    failures = 1; /* a suite that ran nothing has not passed */
  CU_cleanup_registry();
  return failures ? 1 : 0;
}
