# Responder mode and peer removal of the libuv adapter over loopback
# (issue 12 regressions, test/uv/bfd_uv_responder_test.c). Unprivileged.
if(NOT TARGET bfdkit_uv_static OR NOT EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/uv/bfd_uv_responder_test.c)
  return()
endif()
add_executable(bfd_uv_responder_test ${CMAKE_CURRENT_SOURCE_DIR}/uv/bfd_uv_responder_test.c)
target_compile_definitions(bfd_uv_responder_test PRIVATE _GNU_SOURCE)
target_link_libraries(bfd_uv_responder_test PRIVATE bfdkit_uv_static bfd_test_util)
add_test(NAME uv_responder COMMAND bfd_uv_responder_test)
# Timing (Detection Times of real sockets on one loop): keep it away from
# CPU-heavy neighbours, as uv_loop.
set_tests_properties(uv_responder PROPERTIES LABELS "uv" SKIP_RETURN_CODE ${BFD_TEST_SKIP_CODE}
  TIMEOUT 120 RUN_SERIAL ON)
