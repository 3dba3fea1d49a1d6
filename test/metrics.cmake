# ctest `metrics`: the Prometheus exposition of examples/metrics (issue 18),
# a CUnit suite on a table whose sessions are in every state; and
# `metrics_format`: the same output through a strict parser of the text
# format (test/metrics/check_exposition.py).
if(NOT BFD_ENABLE_EXAMPLES OR NOT EXISTS ${PROJECT_SOURCE_DIR}/examples/metrics/bfd_metrics.c)
  return()
endif()
add_executable(metrics_test metrics/metrics_test.c
  ${PROJECT_SOURCE_DIR}/examples/metrics/bfd_metrics.c)
target_include_directories(metrics_test PRIVATE ${PROJECT_SOURCE_DIR}/examples/metrics)
target_compile_definitions(metrics_test PRIVATE _GNU_SOURCE)
target_link_libraries(metrics_test PRIVATE bfd_testlib)
add_test(NAME metrics COMMAND metrics_test)
set_tests_properties(metrics PROPERTIES LABELS "examples")
find_package(Python3 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND)
  add_test(NAME metrics_format COMMAND sh -c
    "\"$1\" --print \"$2\" > /dev/null && \"$3\" \"$4\" \"$2\""
    sh $<TARGET_FILE:metrics_test> ${CMAKE_CURRENT_BINARY_DIR}/metrics.txt
    ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/metrics/check_exposition.py)
  set_tests_properties(metrics_format PROPERTIES LABELS "examples")
  # The checker can fail: each malformed histogram is rejected.
  foreach(bad hist_count hist_decreasing hist_no_inf)
    add_test(NAME metrics_checker_rejects_${bad} COMMAND ${Python3_EXECUTABLE}
      ${CMAKE_CURRENT_SOURCE_DIR}/metrics/check_exposition.py
      ${CMAKE_CURRENT_SOURCE_DIR}/metrics/bad/${bad}.txt)
    set_tests_properties(metrics_checker_rejects_${bad} PROPERTIES LABELS "examples" WILL_FAIL TRUE)
  endforeach()
endif()

# ctest `bfdping_metrics`: bfdping --metrics scraped over HTTP while its
# session goes Up, Down (detection) and Down (the peer's AdminDown),
# unprivileged on loopback (test/metrics/scrape_test.py).
if(Python3_Interpreter_FOUND AND (TARGET bfdkit_uv_static OR TARGET bfdkit_uv))
  add_test(NAME bfdping_metrics COMMAND ${Python3_EXECUTABLE}
    ${CMAKE_CURRENT_SOURCE_DIR}/metrics/scrape_test.py $<TARGET_FILE:bfdping> 37861 37862
    ${CMAKE_CURRENT_SOURCE_DIR}/metrics/check_exposition.py)
  set_tests_properties(bfdping_metrics PROPERTIES LABELS "examples" TIMEOUT 60
    RESOURCE_LOCK bfdkit_port_37861)
endif()
