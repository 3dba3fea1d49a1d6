# Tests of the libuv adapter (lib/uv). Only when it is built.
if(NOT TARGET bfdkit_uv_static)
  return()
endif()

# The socket layer alone; the loopback suites (uv_loop, uv_responder,
# uv_config) share a fixture and are in uv_responder.cmake.
add_executable(bfd_uv_sock_test ${CMAKE_CURRENT_SOURCE_DIR}/uv/bfd_uv_sock_test.c)
target_compile_definitions(bfd_uv_sock_test PRIVATE _GNU_SOURCE)
target_link_libraries(bfd_uv_sock_test PRIVATE bfdkit_uv_static bfd_test_util)
add_test(NAME uv_sock COMMAND bfd_uv_sock_test)
set_tests_properties(uv_sock PROPERTIES LABELS "uv" SKIP_RETURN_CODE ${BFD_TEST_SKIP_CODE}
  TIMEOUT 60)

# Root only: network namespaces + veth (created and removed by the script).
if(NOT EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/uv/bfd_uv_nettest.c)
  return()
endif()
add_executable(bfd_uv_nettest ${CMAKE_CURRENT_SOURCE_DIR}/uv/bfd_uv_nettest.c)
target_compile_definitions(bfd_uv_nettest PRIVATE _GNU_SOURCE)
target_link_libraries(bfd_uv_nettest PRIVATE bfdkit_uv_static)
add_test(NAME uv_netns COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/uv/netns_test.sh
  $<TARGET_FILE:bfd_uv_nettest>)
set_tests_properties(uv_netns PROPERTIES LABELS "uv;root" SKIP_RETURN_CODE ${BFD_TEST_SKIP_CODE}
  TIMEOUT 300 RESOURCE_LOCK bfdkit_netns)
