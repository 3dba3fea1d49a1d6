# ctest `bfdping_options`: bfdping's command line (examples/bfdping/
# options.c, which needs only the core), a CUnit suite.
if(NOT BFD_ENABLE_EXAMPLES OR NOT EXISTS ${PROJECT_SOURCE_DIR}/examples/bfdping/main.c)
  return()
endif()
add_executable(bfdping_options_test bfdping/bfdping_options_test.c
  ${PROJECT_SOURCE_DIR}/examples/bfdping/options.c)
target_include_directories(bfdping_options_test PRIVATE ${PROJECT_SOURCE_DIR}/examples/bfdping)
target_compile_definitions(bfdping_options_test PRIVATE _GNU_SOURCE)
target_link_libraries(bfdping_options_test PRIVATE bfd_testlib)
add_test(NAME bfdping_options COMMAND bfdping_options_test)
set_tests_properties(bfdping_options PROPERTIES LABELS "examples" SKIP_RETURN_CODE
  ${BFD_TEST_SKIP_CODE})

# ctest `bfdping`: the tool's contract on loopback, unprivileged
# (test/bfdping/bfdping_test.py: exit codes, -q, the JSON keys, the
# self-test, auth failures, -c, key rotation, errors that name the fix, no
# polling tick). Skips (77) without python3.
if(NOT (TARGET bfdkit_uv_static OR TARGET bfdkit_uv))
  return()
endif()
find_program(BFD_PYTHON3 NAMES python3)
if(BFD_PYTHON3)
  add_test(NAME bfdping COMMAND ${BFD_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/bfdping/bfdping_test.py
    $<TARGET_FILE:bfdping> 37851)
else()
  add_test(NAME bfdping COMMAND sh -c "echo 'python3 not found'; exit 77")
endif()
set_tests_properties(bfdping PROPERTIES LABELS "examples" SKIP_RETURN_CODE ${BFD_TEST_SKIP_CODE}
  TIMEOUT 120 RESOURCE_LOCK bfdkit_port_37851)
