# ctest `symbols`: every symbol the shared libraries export starts with bfd_
# and none collides with GNU binutils' libbfd (a process may load both). The
# static archives' global symbols (internals included) obey the same rule.
set(BFD_SYMBOL_LIBS $<TARGET_FILE:bfdkit_static>)
if(BFD_ENABLE_SHARED)
  list(APPEND BFD_SYMBOL_LIBS $<TARGET_FILE:bfdkit>)
endif()
# The libuv adapter, under whichever target names lib/uv/CMakeLists.txt uses.
foreach(t bfdkit_uv bfdkit-uv bfdkit_uv_static bfdkit-uv_static)
  if(TARGET ${t})
    get_target_property(type ${t} TYPE)
    if(type MATCHES "^(SHARED|STATIC)_LIBRARY$")
      list(APPEND BFD_SYMBOL_LIBS $<TARGET_FILE:${t}>)
    endif()
  endif()
endforeach()
add_test(NAME symbols COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/symbols.sh ${BFD_SYMBOL_LIBS})
set_tests_properties(symbols PROPERTIES LABELS "abi" SKIP_RETURN_CODE 77)
