# ctest `cxx`: the public headers compile as C++ with -Wall -Wextra -Werror
# (plus -Wpedantic) and their functions link and run from a C++ program.
# Only when a C++ compiler exists; CI has g++.
include(CheckLanguage)
# Match the C compiler's family so sanitizer runtimes agree (clang ASan
# objects linked by g++ would pull in gcc's libasan).
if(NOT CMAKE_CXX_COMPILER AND NOT DEFINED ENV{CXX} AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  get_filename_component(_bfd_cc_dir ${CMAKE_C_COMPILER} DIRECTORY)
  find_program(_bfd_clangxx NAMES clang++ HINTS ${_bfd_cc_dir} NO_CACHE)
  if(_bfd_clangxx)
    set(CMAKE_CXX_COMPILER ${_bfd_clangxx} CACHE FILEPATH "C++ compiler")
  endif()
endif()
check_language(CXX)
if(NOT CMAKE_CXX_COMPILER)
  message(STATUS "bfdkit: no C++ compiler, ctest cxx not registered")
  return()
endif()
enable_language(CXX)

add_executable(bfd_cxx_test ${CMAKE_CURRENT_SOURCE_DIR}/cxx/cxx_headers.cpp)
set_target_properties(bfd_cxx_test PROPERTIES CXX_STANDARD 11 CXX_STANDARD_REQUIRED ON
  CXX_EXTENSIONS OFF)
target_compile_options(bfd_cxx_test PRIVATE -Wall -Wextra -Wpedantic -Werror)
if(TARGET bfdkit_uv_static)
  target_compile_definitions(bfd_cxx_test PRIVATE BFD_CXX_WITH_UV)
  target_link_libraries(bfd_cxx_test PRIVATE bfdkit_uv_static)
else()
  target_link_libraries(bfd_cxx_test PRIVATE bfdkit_static)
endif()
add_test(NAME cxx COMMAND bfd_cxx_test)
set_tests_properties(cxx PROPERTIES LABELS "abi" TIMEOUT 60)

# ctest `coexist_cxx`: coexist.cmake's test as C++ (binutils-dev needed).
find_path(BFD_BINUTILS_INCLUDE bfd.h NO_CACHE)
find_library(BFD_BINUTILS_LIB bfd NO_CACHE)
if(BFD_BINUTILS_INCLUDE AND BFD_BINUTILS_LIB)
  add_executable(bfd_coexist_cxx ${CMAKE_CURRENT_SOURCE_DIR}/coexist/coexist.cpp)
  target_compile_options(bfd_coexist_cxx PRIVATE -Wall -Wextra -Werror)
  if(TARGET bfdkit_uv_static)
    target_compile_definitions(bfd_coexist_cxx PRIVATE BFD_COEXIST_UV)
    target_link_libraries(bfd_coexist_cxx PRIVATE bfdkit_uv_static ${BFD_BINUTILS_LIB})
  else()
    target_link_libraries(bfd_coexist_cxx PRIVATE bfdkit_static ${BFD_BINUTILS_LIB})
  endif()
  add_test(NAME coexist_cxx COMMAND bfd_coexist_cxx)
  set_tests_properties(coexist_cxx PROPERTIES LABELS "abi" TIMEOUT 60)
endif()
