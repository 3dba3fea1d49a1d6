# ctest `layers`: no include cycle in lib/, the core includes no adapter or
# I/O header (test/layers.py, docs/design.md).
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME layers COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/layers.py
    ${PROJECT_SOURCE_DIR})
else()
  add_test(NAME layers COMMAND sh -c "echo 'python3 not found'; exit 77")
endif()
set_tests_properties(layers PROPERTIES LABELS "abi" SKIP_RETURN_CODE 77 TIMEOUT 60)
