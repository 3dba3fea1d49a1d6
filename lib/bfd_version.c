#include <bfd/bfd.h>

uint32_t bfd_version_number(void) { return (uint32_t)BFDKIT_VERSION_NUM; }

const char *bfd_version_string(void) { return BFDKIT_VERSION; }
