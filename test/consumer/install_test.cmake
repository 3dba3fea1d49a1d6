# Run by ctest `install` (see test/install.cmake) with cmake -P.
cmake_minimum_required(VERSION 3.25)

set(prefix ${WORK_DIR}/prefix)
set(sanflags "")
if(SANITIZE)
  # The installed library is instrumented; the consumer must carry the runtime.
  set(sanflags "-fsanitize=address,undefined")
endif()

macro(fail msg)
  file(REMOVE_RECURSE ${WORK_DIR})
  message(FATAL_ERROR "install test: ${msg}")
endmacro()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  string(JOIN " " cmd ${ARGN})
  message("$ ${cmd}\n${out}")
  if(NOT rc EQUAL 0)
    fail("command failed (${rc}): ${ARGN}")
  endif()
endfunction()

# `readelf -d` NEEDED entries must (not) name libbfdkit.
function(check_needed exe want)
  find_program(READELF readelf)
  if(NOT READELF)
    message("readelf not found: not checking how ${exe} links bfdkit")
    return()
  endif()
  execute_process(COMMAND ${READELF} -d ${exe} OUTPUT_VARIABLE dyn RESULT_VARIABLE rc)
  if(dyn MATCHES "NEEDED[^\n]*libbfdkit\\.so")
    set(needed TRUE)
  else()
    set(needed FALSE)
  endif()
  if(want AND NOT needed)
    fail("${exe} does not link libbfdkit.so dynamically")
  elseif(NOT want AND needed)
    fail("${exe} links libbfdkit.so although it asked for the static library")
  endif()
endfunction()

function(consumer_cmake name static)
  set(bdir ${WORK_DIR}/${name})
  # The adapter's header is installed only when bfdkit-uv was built.
  if(EXISTS ${prefix}/include/bfd/bfd_uv.h)
    set(uv ON)
  else()
    set(uv OFF)
  endif()
  run(${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${bdir} -G ${GENERATOR}
    -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_PREFIX_PATH=${prefix}
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF
    "-DCMAKE_C_FLAGS=${sanflags}" "-DCMAKE_EXE_LINKER_FLAGS=${sanflags}"
    -DCONSUMER_STATIC=${static} -DCONSUMER_UV=${uv})
  run(${CMAKE_COMMAND} --build ${bdir})
  # The package must be the one just installed, not one from elsewhere.
  file(STRINGS ${bdir}/CMakeCache.txt dir REGEX "^bfdkit_DIR:")
  if(NOT dir MATCHES "${prefix}/")
    fail("find_package(bfdkit) found ${dir}, not ${prefix}")
  endif()
  set(exes ${bdir}/consumer)
  if(uv)
    list(APPEND exes ${bdir}/consumer_uv)
  endif()
  foreach(exe ${exes})
    run(${exe})
    if(static)
      check_needed(${exe} FALSE)
    else()
      check_needed(${exe} ${HAVE_SHARED})
    endif()
  endforeach()
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(f include/bfd/bfd.h include/bfd/version.h ${LIBDIR}/pkgconfig/bfdkit.pc
    ${LIBDIR}/cmake/bfdkit/bfdkitConfig.cmake ${LIBDIR}/cmake/bfdkit/bfdkitConfigVersion.cmake)
  if(NOT EXISTS ${prefix}/${f})
    fail("${f} was not installed")
  endif()
endforeach()

# 1. find_package(bfdkit) -> bfdkit::bfdkit (shared unless only static was built)
consumer_cmake(cmake-default OFF)
# 2. find_package(bfdkit) -> bfdkit::bfdkit_static
if(HAVE_STATIC)
  consumer_cmake(cmake-static ON)
endif()

# 3. pkg-config bfdkit, with the compiler directly as a Makefile would.
if(NOT PKG_CONFIG)
  fail("pkg-config not found")
endif()
set(ENV{PKG_CONFIG_PATH} ${prefix}/${LIBDIR}/pkgconfig)
execute_process(COMMAND ${PKG_CONFIG} --cflags --libs bfdkit RESULT_VARIABLE rc
  OUTPUT_VARIABLE pcflags OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0)
  fail("pkg-config --cflags --libs bfdkit failed")
endif()
execute_process(COMMAND ${PKG_CONFIG} --modversion bfdkit OUTPUT_VARIABLE pcver
  OUTPUT_STRIP_TRAILING_WHITESPACE)
message("pkg-config bfdkit: version ${pcver}, flags ${pcflags}")
separate_arguments(pcflags UNIX_COMMAND "${pcflags}")
separate_arguments(sanlist UNIX_COMMAND "${sanflags}")
file(MAKE_DIRECTORY ${WORK_DIR}/pkgconfig)
set(exe ${WORK_DIR}/pkgconfig/consumer)
run(${C_COMPILER} -std=c11 -Wall -Wextra -Werror ${sanlist} -o ${exe}
  ${CONSUMER_DIR}/consumer.c ${pcflags})
set(ENV{LD_LIBRARY_PATH} ${prefix}/${LIBDIR})
run(${exe})
check_needed(${exe} ${HAVE_SHARED})
if(EXISTS ${prefix}/include/bfd/bfd_uv.h)
  execute_process(COMMAND ${PKG_CONFIG} --cflags --libs bfdkit-uv RESULT_VARIABLE rc
    OUTPUT_VARIABLE pcflags OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0)
    fail("pkg-config --cflags --libs bfdkit-uv failed")
  endif()
  separate_arguments(pcflags UNIX_COMMAND "${pcflags}")
  set(exe ${WORK_DIR}/pkgconfig/consumer_uv)
  run(${C_COMPILER} -std=c11 -Wall -Wextra -Werror ${sanlist} -o ${exe}
    ${CONSUMER_DIR}/consumer_uv.c ${pcflags})
  run(${exe})
  check_needed(${exe} ${HAVE_SHARED})
endif()

file(REMOVE_RECURSE ${WORK_DIR})
message("install test: all consumers built and ran")
