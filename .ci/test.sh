#!/usr/bin/env bash
# The full test suite: the README's "Test it" command and CI (.ci/run) run
# this. Run from anywhere; builds go to $BFD_CI_DIR (default <repo>/build-ci).
#   1. normal build, gcc, -DBFD_ENABLE_WERROR=ON, ctest (with every core
#      CUnit suite again under valgrind memcheck, BFD_ENABLE_VALGRIND)
#   2. ASan+UBSan build, clang, -Werror, ctest (halt on the first error)
#   3. fuzz build, clang, every fuzz/fuzz_* target for a bounded smoke
# A skipped test fails the run: a skip is not a pass.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${BFD_CI_DIR:-$ROOT/build-ci}
JOBS=${BFD_CI_JOBS:-$(nproc)}
# The fuzz smoke is deterministic: a fixed seed and a number of runs (not a
# time budget, which depends on the machine's speed), so a landing that
# passed here passes in CI; long runs are for a developer (fuzz/README.md).
FUZZ_RUNS=${BFD_FUZZ_RUNS:-1000000}
# fuzz_pair: 9000 runs take what 3000 took before its harness got ~3x faster
# under ASan (about 30 s of CPU); long runs use fuzz/long_run.sh.
FUZZ_PAIR_RUNS=${BFD_FUZZ_PAIR_RUNS:-9000}
FUZZ_TIME=${BFD_FUZZ_TIME:-600}
FUZZ_SEED=${BFD_FUZZ_SEED:-1}
CC_NORMAL=${BFD_CI_CC:-gcc}

summary=()
failed=()
stage=setup
t0=$(date +%s)
mkdir -p "$OUT"

finish() {
  local rc=$?
  local secs=$(($(date +%s) - t0))
  echo
  if [ "$rc" -eq 0 ]; then
    echo "== bfdkit CI: PASS in ${secs}s: ${summary[*]}"
    return
  fi
  # A stage that did not finish (build error, fuzz crash) plus failed tests.
  [ "$stage" = done ] || failed+=("$stage(aborted:exit-$rc)")
  echo "== bfdkit CI: FAIL in ${secs}s: ${failed[*]}; passed: ${summary[*]:-nothing}"
}
trap finish EXIT

banner() { echo; echo "== $*"; }

# Sanitized binaries (ASan build, fuzzers) stop at the first error.
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

# run_ctest NAME BUILD_DIR [CTEST_ARGS...]: ctest; a failed or skipped test
# marks the stage failed and the run goes on to the next stage, so one CI run
# reports every broken build flavour. Build failures stop the run.
run_ctest() {
  local name=$1 dir=$2
  shift 2
  local log=$OUT/$name-ctest.log rc=0
  (cd "$dir" && ctest --output-on-failure --timeout 900 \
    --output-junit "$OUT/$name-junit.xml" "$@") 2>&1 | tee "$log" || rc=$?
  if [ "$rc" -ne 0 ]; then
    local why
    why=$(sed -n '/The following tests FAILED/,/^$/p' "$log" | sed -n 's/^[[:space:]]*[0-9]* - \([^ ]*\).*/\1/p' | paste -sd, -)
    echo "FAIL: $name: ctest exit $rc (failed: ${why:-?})"
    failed+=("$name(failed:${why:-ctest-exit-$rc})")
    return 0
  fi
  # ctest exits 0 when tests are skipped (SKIP_RETURN_CODE) or disabled.
  if grep -q 'The following tests did not run' "$log"; then
    local why
    why=$(sed -n '/The following tests did not run/,/^$/p' "$log" | sed -n 's/^[[:space:]]*[0-9]* - \([^ ]*\).*/\1/p' | paste -sd, -)
    echo "FAIL: $name: tests were skipped (a skip is not a pass): $why"
    failed+=("$name(skipped:$why)")
    return 0
  fi
  local total
  total=$(sed -n 's/.*tests passed, 0 tests failed out of \([0-9]*\).*/\1/p' "$log")
  if [ -z "$total" ] || [ "$total" -eq 0 ]; then
    echo "FAIL: $name: ctest ran no tests"
    failed+=("$name(no-tests)")
    return 0
  fi
  summary+=("$name:${total}tests")
}

# 1. Normal build.
stage=normal
banner "normal build ($CC_NORMAL, -Werror)"
CC=$CC_NORMAL cmake -S "$ROOT" -B "$OUT/normal" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBFD_ENABLE_WERROR=ON -DBFD_ENABLE_ASAN=OFF -DBFD_ENABLE_FUZZ=OFF -DBFD_ENABLE_VALGRIND=ON
cmake --build "$OUT/normal" -j "$JOBS"
run_ctest normal "$OUT/normal"

# 2. AddressSanitizer + UndefinedBehaviorSanitizer.
stage=asan
banner "ASan+UBSan build (clang, -Werror)"
CC=clang cmake -S "$ROOT" -B "$OUT/asan" -DCMAKE_BUILD_TYPE=Debug \
  -DBFD_ENABLE_WERROR=ON -DBFD_ENABLE_ASAN=ON -DBFD_ENABLE_FUZZ=OFF
cmake --build "$OUT/asan" -j "$JOBS"
run_ctest asan "$OUT/asan"

# 3. Fuzz smoke: every fuzz_* executable fuzz/CMakeLists.txt builds.
stage=fuzz
if [ -f "$ROOT/fuzz/CMakeLists.txt" ]; then
  banner "fuzz build (clang, libFuzzer): seed ${FUZZ_SEED}, ${FUZZ_RUNS} runs (fuzz_pair ${FUZZ_PAIR_RUNS}), at most ${FUZZ_TIME}s per target"
  CC=clang cmake -S "$ROOT" -B "$OUT/fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DBFD_ENABLE_FUZZ=ON -DBFD_FUZZ_SANITIZE=ON -DBFD_ENABLE_ASAN=OFF
  cmake --build "$OUT/fuzz" -j "$JOBS"
  mapfile -t fuzzers < <(find "$OUT/fuzz" -path '*/CMakeFiles' -prune -o \
    -type f -executable -name 'fuzz_*' -print | sort)
  if [ "${#fuzzers[@]}" -eq 0 ]; then
    echo "FAIL: fuzz/CMakeLists.txt exists but built no fuzz_* executable"
    exit 1
  fi
  # The fuzz-labelled ctests (seed corpora replay) first.
  if (cd "$OUT/fuzz" && ctest -N -L fuzz | grep -q 'Total Tests: [1-9]'); then
    run_ctest fuzz-corpus "$OUT/fuzz" -L fuzz
  fi
  for exe in "${fuzzers[@]}"; do
    name=$(basename "$exe")
    work=$OUT/fuzz-work/$name
    rm -rf "$work" && mkdir -p "$work/corpus"
    # Seeds in fuzz/corpus/<target without fuzz_>/ are read, never written:
    # libFuzzer adds new inputs to the first directory only.
    seeds=()
    for d in "$ROOT/fuzz/corpus/${name#fuzz_}" "$ROOT/fuzz/corpus/$name"; do
      [ -d "$d" ] && seeds+=("$d")
    done
    echo "-- $name (seeds: ${seeds[*]:-none})"
    runs=$FUZZ_RUNS
    [ "$name" = fuzz_pair ] && runs=$FUZZ_PAIR_RUNS # a whole two-session run per input
    (cd "$work" && "$exe" -seed="$FUZZ_SEED" -runs="$runs" -max_total_time="$FUZZ_TIME" \
      -print_final_stats=1 corpus "${seeds[@]}") > "$work/log" 2>&1 || {
      tail -n 60 "$work/log"
      echo "FAIL: $name found a crash (log and reproducer in $work)"
      exit 1
    }
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
    secs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -n 1)
    echo "   $name: ${execs:-?} execs, ${secs:-?} exec/s"
    summary+=("$name:${execs:-?}execs")
  done
else
  echo "note: no fuzz/CMakeLists.txt, no fuzz targets to run"
  summary+=("fuzz:none")
fi
stage=done
if [ "${#failed[@]}" -gt 0 ]; then
  exit 1
fi
