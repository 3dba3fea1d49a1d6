# Interop tests: bfdping against real BIRD 2 and FRR bfdd peers in network
# namespaces (test/interop/interop_test.sh; root, bird2, frr, tshark,
# python3, else SKIP). One ctest per daemon; they share namespace names, the
# BFD ports and timing-sensitive detection windows, hence RUN_SERIAL.
if(NOT BFD_ENABLE_EXAMPLES OR NOT EXISTS ${PROJECT_SOURCE_DIR}/examples/bfdping/main.c
   OR NOT (TARGET bfdkit_uv_static OR TARGET bfdkit_uv))
  return()
endif()
foreach(peer bird frr)
  add_test(NAME interop_${peer}
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/interop/interop_test.sh ${peer} $<TARGET_FILE:bfdping>)
  set_tests_properties(interop_${peer} PROPERTIES LABELS "interop" SKIP_RETURN_CODE
    ${BFD_TEST_SKIP_CODE} TIMEOUT 150 RUN_SERIAL TRUE RESOURCE_LOCK bfdkit_netns)
endforeach()
