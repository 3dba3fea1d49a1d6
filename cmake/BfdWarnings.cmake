# Warning and sanitizer flags applied to every bfdkit target.
set(BFD_WARNING_FLAGS
  -Wall -Wextra -Wconversion -Wsign-conversion -Wshadow
  -Wmissing-prototypes -Wstrict-prototypes -Wpointer-arith -Wformat=2
  -Wundef -Wcast-qual -Wwrite-strings -Wvla)
if(BFD_ENABLE_WERROR)
  list(APPEND BFD_WARNING_FLAGS -Werror)
endif()
add_compile_options("$<$<COMPILE_LANGUAGE:C>:${BFD_WARNING_FLAGS}>")
if(BFD_ENABLE_ASAN)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
endif()
