# bench_smoke: bench/scale.sh in quick mode, bfdkit <-> bfdkit only, 500
# single-hop sessions at 100 ms x 3 between two network namespaces for 10 s;
# fails unless every session ends Up with 0 Up->Down transitions. Needs
# root, network namespaces and jq, else SKIP (77). Only with the benchmarks
# built (BFD_ENABLE_BENCH and the adapter).
# bench/ is added after test/: test for what builds bench_scale, not the
# target (scale.sh finds the programs in the build tree itself).
if(NOT BFD_ENABLE_BENCH OR NOT TARGET bfdkit_uv_static OR NOT CMAKE_SYSTEM_NAME STREQUAL "Linux")
  return()
endif()
add_test(NAME bench_smoke
  COMMAND bash ${PROJECT_SOURCE_DIR}/bench/scale.sh -q -a -r bfdkit:500:100 ${PROJECT_BINARY_DIR})
set_tests_properties(bench_smoke PROPERTIES LABELS "bench" SKIP_RETURN_CODE ${BFD_TEST_SKIP_CODE}
  TIMEOUT 120 RUN_SERIAL TRUE RESOURCE_LOCK bfdkit_netns)
