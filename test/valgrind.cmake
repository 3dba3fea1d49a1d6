# BFD_ENABLE_VALGRIND: every core CUnit suite (test/bfd_*_test.c) runs a
# second time under valgrind memcheck as ctest `valgrind_<module>`: any
# memory error or definitely/indirectly lost block fails it. Not with
# BFD_ENABLE_ASAN (the sanitizer's runtime and valgrind exclude each other).
if(NOT BFD_ENABLE_VALGRIND)
  return()
endif()
if(BFD_ENABLE_ASAN)
  message(FATAL_ERROR "bfdkit: BFD_ENABLE_VALGRIND and BFD_ENABLE_ASAN cannot be combined")
endif()
find_program(BFD_VALGRIND valgrind REQUIRED)
foreach(src ${BFD_UNIT_TESTS})
  get_filename_component(name ${src} NAME_WE)
  string(REGEX REPLACE "^bfd_(.*)_test$" "\\1" module ${name})
  add_test(NAME valgrind_${module}
    COMMAND ${BFD_VALGRIND} -q --error-exitcode=99 --leak-check=full
      --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
      $<TARGET_FILE:${name}>)
  set_tests_properties(valgrind_${module} PROPERTIES LABELS valgrind
    SKIP_RETURN_CODE ${BFD_TEST_SKIP_CODE}
    ENVIRONMENT "BFD_TEST_VECTORS=${CMAKE_CURRENT_SOURCE_DIR}/vectors")
endforeach()
