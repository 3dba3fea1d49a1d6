# fuzz_dplane: the bfddp codec and connection (lib/bfd_dplane.c, issue 13),
# see fuzz/fuzz_dplane.c for the invariants. Included by fuzz/CMakeLists.txt
# (it uses bfd_add_fuzzer from there). Seeds: fuzz/dplane_seeds.py.
# The mapper runs a real table: the whole core, as fuzz_pair has it
# (BFD_FUZZ_CORE_SOURCES, no libcrypto).
bfd_add_fuzzer(fuzz_dplane ${BFD_FUZZ_CORE_SOURCES})
file(GLOB BFD_FUZZ_DPLANE_SEEDS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/dplane/*)
add_test(NAME fuzz_dplane COMMAND fuzz_dplane -runs=0 ${BFD_FUZZ_DPLANE_SEEDS})
set_tests_properties(fuzz_dplane PROPERTIES LABELS fuzz)
