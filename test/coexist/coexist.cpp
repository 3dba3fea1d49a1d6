// The coexist test as C++: binutils' <bfd.h> and <bfd/bfd.h> in one TU.
#include "coexist.c"
