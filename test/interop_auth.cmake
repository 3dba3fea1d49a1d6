# Authentication interop test (issue 7): bfdping against a private BIRD 2
# with each RFC 5880 authentication type: same key, wrong key, key rotation
# without a flap (test/interop/auth_test.sh; root, bird2, tshark, python3,
# else SKIP). Shares the BFD port, the lock and the timing-sensitive
# windows with the other interop tests, hence RUN_SERIAL. About a minute;
# the timeout leaves room for the host-wide lock (flock -w 120).
if(NOT BFD_ENABLE_EXAMPLES OR NOT EXISTS ${PROJECT_SOURCE_DIR}/examples/bfdping/main.c
   OR NOT (TARGET bfdkit_uv_static OR TARGET bfdkit_uv))
  return()
endif()
add_test(NAME interop_bird_auth
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/interop/auth_test.sh $<TARGET_FILE:bfdping>)
set_tests_properties(interop_bird_auth PROPERTIES LABELS "interop" SKIP_RETURN_CODE
  ${BFD_TEST_SKIP_CODE} TIMEOUT 240 RUN_SERIAL TRUE RESOURCE_LOCK bfdkit_netns)
