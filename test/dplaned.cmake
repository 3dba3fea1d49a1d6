# ctest `dplaned_options`: bfdkit-dplaned's command line (examples/dplaned/
# options.c, which needs only the core), a CUnit suite; and `dplaned_cli`:
# the binary's --help / usage exit codes.
if(NOT BFD_ENABLE_EXAMPLES OR NOT EXISTS ${PROJECT_SOURCE_DIR}/examples/dplaned/main.c)
  return()
endif()
add_executable(dplaned_options_test dplaned/dplaned_options_test.c
  ${PROJECT_SOURCE_DIR}/examples/dplaned/options.c)
target_include_directories(dplaned_options_test PRIVATE ${PROJECT_SOURCE_DIR}/examples/dplaned)
target_compile_definitions(dplaned_options_test PRIVATE _GNU_SOURCE)
target_link_libraries(dplaned_options_test PRIVATE bfd_testlib)
add_test(NAME dplaned_options COMMAND dplaned_options_test)
set_tests_properties(dplaned_options PROPERTIES LABELS "examples")
