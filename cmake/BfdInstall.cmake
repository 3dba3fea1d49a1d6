# Install helpers shared by the core library and the adapters (lib/uv).
#
#   bfdkit_install_headers(FILES <h>...)
#       Installs public headers into <prefix>/include/bfd.
#
#   bfdkit_install_targets(EXPORT <set> TARGETS <t>...)
#       Installs libraries and writes <set>.cmake with the bfdkit:: namespace
#       next to bfdkitConfig.cmake. bfdkitConfig.cmake includes
#       bfdkitTargets.cmake always and bfdkitUvTargets.cmake when it exists;
#       set EXPORT_NAME on a target to control its imported name, e.g.
#         set_target_properties(bfdkit_uv PROPERTIES EXPORT_NAME uv)
#         bfdkit_install_targets(EXPORT bfdkitUvTargets TARGETS bfdkit_uv)
#       gives bfdkit::uv. An export set that needs find_package()/
#       pkg_check_modules() in the consumer installs the calls as
#       <set-without-"Targets">Dependencies.cmake (bfdkitUvDependencies.cmake),
#       which the config file includes first.
#
#   bfdkit_install_pkgconfig(NAME <n> DESCRIPTION <d> LIBS <flags>
#                            [REQUIRES <pc>...] [REQUIRES_PRIVATE <pc>...]
#                            [LIBS_PRIVATE <flags>])
#       Writes and installs <n>.pc into <libdir>/pkgconfig.
include_guard(GLOBAL)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(BFDKIT_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/bfdkit CACHE STRING
  "Where bfdkitConfig.cmake is installed, relative to the prefix")

function(bfdkit_install_headers)
  cmake_parse_arguments(A "" "" "FILES" ${ARGN})
  install(FILES ${A_FILES} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/bfd COMPONENT Development)
endfunction()

function(bfdkit_install_targets)
  cmake_parse_arguments(A "" "EXPORT" "TARGETS" ${ARGN})
  install(TARGETS ${A_TARGETS} EXPORT ${A_EXPORT}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT Runtime
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT Runtime
      NAMELINK_COMPONENT Development
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT Development
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT ${A_EXPORT} NAMESPACE bfdkit:: FILE ${A_EXPORT}.cmake
    DESTINATION ${BFDKIT_INSTALL_CMAKEDIR} COMPONENT Development)
endfunction()

function(bfdkit_install_pkgconfig)
  cmake_parse_arguments(A "" "NAME;DESCRIPTION" "LIBS;LIBS_PRIVATE;REQUIRES;REQUIRES_PRIVATE" ${ARGN})
  # Paths relative to ${prefix} keep the installed tree relocatable.
  foreach(d LIBDIR INCLUDEDIR)
    if(IS_ABSOLUTE "${CMAKE_INSTALL_${d}}")
      set(PC_${d} "${CMAKE_INSTALL_${d}}")
    else()
      set(PC_${d} "\${prefix}/${CMAKE_INSTALL_${d}}")
    endif()
  endforeach()
  # ${pcfiledir} is <libdir>/pkgconfig: walk back up to the prefix.
  set(PC_PREFIX "\${pcfiledir}")
  if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
    set(PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  else()
    string(REPLACE "/" ";" parts "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
    foreach(p ${parts})
      string(APPEND PC_PREFIX "/..")
    endforeach()
  endif()
  list(JOIN A_LIBS " " PC_LIBS)
  list(JOIN A_LIBS_PRIVATE " " PC_LIBS_PRIVATE)
  list(JOIN A_REQUIRES " " PC_REQUIRES)
  list(JOIN A_REQUIRES_PRIVATE " " PC_REQUIRES_PRIVATE)
  set(PC_NAME ${A_NAME})
  set(PC_DESCRIPTION ${A_DESCRIPTION})
  configure_file(${PROJECT_SOURCE_DIR}/cmake/bfdkit.pc.in
    ${PROJECT_BINARY_DIR}/pkgconfig/${A_NAME}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/${A_NAME}.pc
    DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT Development)
endfunction()
