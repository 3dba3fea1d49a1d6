# ctest `ffi`: test/ffi/test_ffi.py loads the shared libbfdkit through Python
# ctypes, runs two sessions against each other on a virtual clock, and
# compares its struct declarations with the C layout printed by abi_dump.
# Needs the shared library; skips (77) when python3 is missing.
if(NOT TARGET bfdkit)
  return()
endif()
get_target_property(_bfd_ffi_type bfdkit TYPE)
if(NOT _bfd_ffi_type STREQUAL "SHARED_LIBRARY")
  return()
endif()

add_executable(bfd_ffi_abi_dump ${CMAKE_CURRENT_SOURCE_DIR}/ffi/abi_dump.c)
target_link_libraries(bfd_ffi_abi_dump PRIVATE bfdkit)

find_program(BFD_PYTHON3 NAMES python3)
if(BFD_PYTHON3)
  set(_bfd_ffi_cmd ${BFD_PYTHON3} ${CMAKE_CURRENT_SOURCE_DIR}/ffi/test_ffi.py
    --lib $<TARGET_FILE:bfdkit> --abi-dump $<TARGET_FILE:bfd_ffi_abi_dump>)
else()
  set(_bfd_ffi_cmd ${CMAKE_COMMAND} -E echo "SKIP: python3 not found")
  set(_bfd_ffi_skip_always ON)
endif()

set(_bfd_ffi_env "")
if(BFD_ENABLE_ASAN)
  # The interpreter is not instrumented: preload the sanitizer runtime the
  # library was built against, and don't report the interpreter's leaks.
  if(CMAKE_C_COMPILER_ID MATCHES "Clang")
    set(_bfd_asan_rt libclang_rt.asan-${CMAKE_SYSTEM_PROCESSOR}.so)
  else()
    set(_bfd_asan_rt libasan.so)
  endif()
  execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=${_bfd_asan_rt}
    OUTPUT_VARIABLE _bfd_asan_path OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT IS_ABSOLUTE "${_bfd_asan_path}" OR NOT EXISTS "${_bfd_asan_path}")
    message(STATUS "bfdkit: ffi test: no ${_bfd_asan_rt} to preload, test not registered")
    return()
  endif()
  set(_bfd_ffi_env "LD_PRELOAD=${_bfd_asan_path}"
    "ASAN_OPTIONS=detect_leaks=0:halt_on_error=1")
endif()

add_test(NAME ffi COMMAND ${_bfd_ffi_cmd})
set_tests_properties(ffi PROPERTIES LABELS "abi" SKIP_RETURN_CODE ${BFD_TEST_SKIP_CODE}
  TIMEOUT 120)
if(_bfd_ffi_skip_always)
  # `cmake -E echo` exits 0: make the missing interpreter a visible skip.
  set_tests_properties(ffi PROPERTIES SKIP_REGULAR_EXPRESSION "SKIP: python3 not found")
endif()
if(_bfd_ffi_env)
  set_tests_properties(ffi PROPERTIES ENVIRONMENT "${_bfd_ffi_env}")
endif()
