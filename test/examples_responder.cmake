# ctest `example_poll_host_responder`: responder mode, goodbye and reaping
# from the core-only host (examples/poll_host.c), on loopback.
if(NOT BFD_ENABLE_EXAMPLES OR NOT EXISTS ${PROJECT_SOURCE_DIR}/examples/poll_host.c)
  return()
endif()
add_test(NAME example_poll_host_responder COMMAND bash
  ${CMAKE_CURRENT_SOURCE_DIR}/examples/poll_host_responder.sh $<TARGET_FILE:poll_host> 37842)
set_tests_properties(example_poll_host_responder PROPERTIES LABELS "examples" TIMEOUT 60
  RESOURCE_LOCK bfdkit_port_37842)
