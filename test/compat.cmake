# ctest `struct_compat`: a version-1 caller against a library whose
# versioned structs are version 2 (BFD_TEST_STRUCT_V2 appends a field to
# each): the library accepts every version up to its own and touches only
# the caller's bytes (see lib/bfd_struct.c).
file(GLOB _bfd_v2_sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/lib/bfd_*.c)
add_library(bfdkit_v2_test STATIC ${_bfd_v2_sources})
target_include_directories(bfdkit_v2_test PUBLIC ${PROJECT_SOURCE_DIR}/include
  ${PROJECT_BINARY_DIR}/include PRIVATE ${PROJECT_SOURCE_DIR}/lib)
target_compile_definitions(bfdkit_v2_test PRIVATE BUILDING_BFDKIT BFD_TEST_STRUCT_V2
  PUBLIC BFD_STATICLIB)
if(BFD_ENABLE_CRYPTO)
  target_compile_definitions(bfdkit_v2_test PRIVATE BFD_HAVE_CRYPTO)
  pkg_check_modules(BFD_V2_CRYPTO REQUIRED IMPORTED_TARGET libcrypto)
  target_link_libraries(bfdkit_v2_test PRIVATE PkgConfig::BFD_V2_CRYPTO)
endif()
add_executable(bfd_struct_compat ${CMAKE_CURRENT_SOURCE_DIR}/compat/struct_compat.c)
target_link_libraries(bfd_struct_compat PRIVATE bfdkit_v2_test)
add_test(NAME struct_compat COMMAND bfd_struct_compat)
set_tests_properties(struct_compat PROPERTIES LABELS "abi" TIMEOUT 60)
