# ctest `doxygen`: the API reference builds with zero warnings over the
# public headers (every item, parameter and return value documented).
# WARN_AS_ERROR=FAIL_ON_WARNINGS (doxygen >= 1.9.2): like YES, a warning
# fails the run, but every warning is listed first. Skips (77) only when
# doxygen is not installed; .ci/run installs it.
find_program(BFD_DOXYGEN NAMES doxygen)
set(BFD_DOXYGEN_OUT ${CMAKE_CURRENT_BINARY_DIR}/apidoc)
file(GLOB BFD_DOXYGEN_HEADERS ${PROJECT_SOURCE_DIR}/include/bfd/*.h)
# bfd_uv.h is part of the warnings-as-errors run (every parameter, member and
# error code documented). -DBFD_DOXYGEN_WITH_UV=OFF leaves it out, for a
# build that only wants the core reference.
option(BFD_DOXYGEN_WITH_UV "ctest doxygen also checks bfd_uv.h" ON)
if(NOT BFD_DOXYGEN_WITH_UV)
  list(FILTER BFD_DOXYGEN_HEADERS EXCLUDE REGEX "/bfd_uv\\.h$")
endif()
string(REPLACE ";" " " BFD_DOXYGEN_INPUT "${BFD_DOXYGEN_HEADERS} ${PROJECT_SOURCE_DIR}/docs/guide.md ${PROJECT_SOURCE_DIR}/docs/bfdping.md ${PROJECT_SOURCE_DIR}/docs/metrics.md")
set(BFD_DOXYGEN_WARN_AS_ERROR YES)
if(BFD_DOXYGEN)
  execute_process(COMMAND ${BFD_DOXYGEN} --version OUTPUT_VARIABLE _bfd_dox_ver
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(_bfd_dox_ver VERSION_GREATER_EQUAL 1.9.2)
    set(BFD_DOXYGEN_WARN_AS_ERROR FAIL_ON_WARNINGS)
  endif()
endif()
configure_file(${PROJECT_SOURCE_DIR}/docs/Doxyfile.in ${CMAKE_CURRENT_BINARY_DIR}/Doxyfile @ONLY)
if(BFD_DOXYGEN)
  add_test(NAME doxygen COMMAND ${BFD_DOXYGEN} ${CMAKE_CURRENT_BINARY_DIR}/Doxyfile)
else()
  add_test(NAME doxygen COMMAND ${CMAKE_COMMAND} -E echo "SKIP: doxygen not found")
  set_tests_properties(doxygen PROPERTIES SKIP_REGULAR_EXPRESSION "SKIP: doxygen not found")
endif()
set_tests_properties(doxygen PROPERTIES LABELS "docs" SKIP_RETURN_CODE 77 TIMEOUT 120)
