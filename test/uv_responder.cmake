# The libuv adapter over loopback, unprivileged: two adapters Up, removal
# and detection on the real clock (test/uv/bfd_uv_loop_test.c), responder
# mode and peer removal (bfd_uv_responder_test.c),
# the peer config versions and key ring (bfd_uv_config_test.c), large hosts
# (shared TX sockets: bfd_uv_scale_test.c).
if(NOT TARGET bfdkit_uv_static OR NOT EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/uv/bfd_uv_responder_test.c)
  return()
endif()
# The loopback fixture (wires, sides) is shared by the suites below.
foreach(t loop responder config scale)
  add_executable(bfd_uv_${t}_test ${CMAKE_CURRENT_SOURCE_DIR}/uv/bfd_uv_${t}_test.c
    ${CMAKE_CURRENT_SOURCE_DIR}/uv/bfd_uv_fx.c)
  target_compile_definitions(bfd_uv_${t}_test PRIVATE _GNU_SOURCE)
  target_link_libraries(bfd_uv_${t}_test PRIVATE bfdkit_uv_static bfd_test_util)
  add_test(NAME uv_${t} COMMAND bfd_uv_${t}_test)
  # Timing (Detection Times of real sockets on one loop), and the fixture's
  # ports: keep them away from CPU-heavy neighbours and from each other.
  set_tests_properties(uv_${t} PROPERTIES LABELS "uv" SKIP_RETURN_CODE ${BFD_TEST_SKIP_CODE}
    TIMEOUT 120 RUN_SERIAL ON)
endforeach()
