# ctests for the core-only examples (examples/poll_host.c, examples/toy_rib.c).
# The targets are defined later (examples/ is added after test/);
# $<TARGET_FILE:...> resolves at generate time.
if(NOT BFD_ENABLE_EXAMPLES OR NOT EXISTS ${PROJECT_SOURCE_DIR}/examples/toy_rib.c)
  return()
endif()
add_test(NAME example_toy_rib COMMAND ${CMAKE_COMMAND} -DEXE=$<TARGET_FILE:toy_rib>
  -P ${CMAKE_CURRENT_SOURCE_DIR}/examples/check_toy_rib.cmake)
set_tests_properties(example_toy_rib PROPERTIES LABELS "examples" TIMEOUT 60)

# Real sockets on 127.0.0.1 <-> 127.0.0.2, unprivileged port.
add_test(NAME example_poll_host COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/examples/poll_host_pair.sh
  $<TARGET_FILE:poll_host> 37841)
set_tests_properties(example_poll_host PROPERTIES LABELS "examples" TIMEOUT 60
  RESOURCE_LOCK bfdkit_port_37841)
