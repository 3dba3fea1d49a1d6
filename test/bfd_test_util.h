/* Shared CUnit harness for bfdkit's test suites. */
#ifndef BFD_TEST_UTIL_H
#define BFD_TEST_UTIL_H

#include <CUnit/CUnit.h>

/* Exit code ctest treats as SKIP (SKIP_RETURN_CODE). */
#define BFD_TEST_SKIP 77

/* Registers one suite with `tests` (NULL-terminated CU_TestInfo array), runs
 * it verbosely and returns the process exit code: 0 if every assertion held. */
int bfd_test_run_suite(const char *suite_name, CU_TestInfo *tests);

#endif
