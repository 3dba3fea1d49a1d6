# ctest `install`: install this build tree into a temporary prefix and build
# test/consumer against it with find_package(bfdkit) and with pkg-config.
find_program(BFD_PKG_CONFIG NAMES pkg-config pkgconf)
add_test(NAME install COMMAND ${CMAKE_COMMAND}
  -DBUILD_DIR=${PROJECT_BINARY_DIR}
  -DWORK_DIR=${CMAKE_CURRENT_BINARY_DIR}/install-test
  -DCONSUMER_DIR=${CMAKE_CURRENT_SOURCE_DIR}/consumer
  -DC_COMPILER=${CMAKE_C_COMPILER}
  -DGENERATOR=${CMAKE_GENERATOR}
  -DPKG_CONFIG=${BFD_PKG_CONFIG}
  -DLIBDIR=${CMAKE_INSTALL_LIBDIR}
  -DHAVE_SHARED=${BFD_ENABLE_SHARED}
  -DHAVE_STATIC=${BFD_ENABLE_STATIC}
  -DSANITIZE=${BFD_ENABLE_ASAN}
  -P ${CMAKE_CURRENT_SOURCE_DIR}/consumer/install_test.cmake)
# Installs everything the build produced: make sure it is built first, and
# don't run it in parallel with itself in another config.
set_tests_properties(install PROPERTIES LABELS "install" RESOURCE_LOCK bfdkit_install
  TIMEOUT 300)
