# ctest interop_dplane: FRR bfdd 8.4.4 (--dplaneaddr, with zebra) driving
# bfdkit-dplaned in one namespace, BIRD 2 in another (test/interop/
# dplane_test.sh; root, frr, bird2, tshark, else SKIP 77). Shares the
# namespace lock and the BFD ports with the other interop tests.
# (examples/ is configured after test/: check what makes the target exist.)
if(NOT BFD_ENABLE_EXAMPLES OR NOT EXISTS ${PROJECT_SOURCE_DIR}/examples/dplaned/main.c
   OR NOT (TARGET bfdkit_uv_static OR TARGET bfdkit_uv))
  return()
endif()
add_test(NAME interop_dplane
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/interop/dplane_test.sh $<TARGET_FILE:bfdkit-dplaned>)
set_tests_properties(interop_dplane PROPERTIES LABELS "interop" SKIP_RETURN_CODE
  ${BFD_TEST_SKIP_CODE} TIMEOUT 360 RUN_SERIAL TRUE RESOURCE_LOCK bfdkit_netns)
