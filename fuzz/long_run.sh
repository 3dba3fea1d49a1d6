#!/usr/bin/env bash
# A long fuzz_pair run in the throughput build (-DBFD_FUZZ_SANITIZE=OFF:
# libFuzzer's coverage, no ASan/UBSan; the harness's invariants are its own
# checks and abort() on a violation all the same).
#
# usage: fuzz/long_run.sh [-n EXECUTIONS] [-s SEED] [-j WORKERS] [-B BUILD_DIR] [-k]
#   -n  total executions (default 10000000), split evenly over the workers
#   -s  seed of worker 0; worker i fuzzes with seed SEED + i (default 1)
#   -j  worker processes, one per core (default 2)
#   -B  build and work directory (default <repo>/build-fuzz-long)
#   -k  keep the other workers going after one finds a failure (default: stop them)
#
# Each worker is one plain libFuzzer process (no -jobs/-fork: those share or
# merge corpora on a timer, so a run would not repeat): its own seed, its own
# corpus directory (a copy of fuzz/corpus/pair, which is never written), its
# own log, all under nice -n 19. With the same binary, seed, worker count and
# N, a run repeats exactly. The summary goes to BUILD_DIR/long_run.log and to
# stdout: the total executions, the rate, and whether any worker found a
# crash or an invariant failure. Exit status: 0 clean, 1 a failure was found
# (its reproducer is named in the summary), 2 bad usage or build failure.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=10000000
SEED=1
WORKERS=2
BUILD=$ROOT/build-fuzz-long

KEEP=0

usage() { sed -n '6,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }
while getopts "n:s:j:B:kh" opt; do
  case $opt in
  n) N=$OPTARG ;;
  s) SEED=$OPTARG ;;
  j) WORKERS=$OPTARG ;;
  B) BUILD=$OPTARG ;;
  k) KEEP=1 ;;
  *) usage ;;
  esac
done
[[ $N =~ ^[0-9]+$ && $SEED =~ ^[0-9]+$ && $WORKERS =~ ^[1-9][0-9]*$ ]] || usage
[ "$N" -ge "$WORKERS" ] || { echo "long_run: fewer executions than workers" >&2; exit 2; }

WORK=$BUILD/long_run
LOG=$BUILD/long_run.log
mkdir -p "$BUILD"

say() { echo "$*" | tee -a "$LOG"; }
: > "$LOG"
say "long_run: $(date -u '+%Y-%m-%d %H:%M:%S') UTC, $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet HEAD -- lib fuzz 2>/dev/null || echo ' (lib/ or fuzz/ modified)'), $N executions, $WORKERS workers, seeds $SEED..$((SEED + WORKERS - 1))"

# Build: only fuzz_pair, without sanitizers.
if ! { CC=${CC:-clang} nice -n 19 cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBFD_ENABLE_FUZZ=ON -DBFD_FUZZ_SANITIZE=OFF -DBFD_ENABLE_ASAN=OFF -DBFD_ENABLE_TESTS=OFF \
  -DBFD_ENABLE_EXAMPLES=OFF -DBFD_ENABLE_BENCH=OFF -DBFD_ENABLE_UV=OFF -DBFD_ENABLE_CRYPTO=OFF &&
  nice -n 19 cmake --build "$BUILD" --target fuzz_pair -j "$WORKERS"; } >> "$LOG" 2>&1; then
  say "long_run: build failed (see $LOG)"
  exit 2
fi
EXE=$BUILD/fuzz/fuzz_pair

rm -rf "$WORK"
declare -A worker_of # pid -> worker index
alive=()
t0=$(date +%s)
for ((i = 0; i < WORKERS; i++)); do
  w=$WORK/w$i
  mkdir -p "$w/corpus"
  cp "$ROOT"/fuzz/corpus/pair/* "$w/corpus/"
  runs=$((N / WORKERS + (i == 0 ? N % WORKERS : 0)))
  (cd "$w" && exec nice -n 19 "$EXE" -seed=$((SEED + i)) -runs=$runs -print_final_stats=1 \
    -artifact_prefix="$w/" corpus > "$w/log" 2>&1) &
  worker_of[$!]=$i
  alive+=($!)
  say "long_run: worker $i: seed $((SEED + i)), $runs runs, log $w/log"
done

# A worker that fails ends the run: the others are stopped (SIGTERM: libFuzzer
# prints its final stats and exits), unless -k.
stop=0
while [ "${#alive[@]}" -gt 0 ]; do
  rc=0
  wait -n -p fin "${alive[@]}" || rc=$?
  i=${worker_of[$fin]}
  echo "$rc" > "$WORK/w$i/rc"
  rest=()
  for p in "${alive[@]}"; do [ "$p" = "$fin" ] || rest+=("$p"); done
  alive=("${rest[@]}")
  if [ "$rc" -ne 0 ] && [ "$stop" -eq 0 ] && [ "$KEEP" -eq 0 ] && [ "${#alive[@]}" -gt 0 ]; then
    stop=1
    say "long_run: worker $i exited $rc: stopping the others"
    for p in "${alive[@]}"; do
      touch "$WORK/w${worker_of[$p]}/stopped"
      kill -TERM "$p" 2> /dev/null || true
    done
  fi
done
fail=0
secs=$(($(date +%s) - t0))
[ "$secs" -gt 0 ] || secs=1

total=0
for ((i = 0; i < WORKERS; i++)); do
  w=$WORK/w$i
  n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$w/log" | tail -n 1)
  if [ -z "$n" ]; then # stopped before its final stats: the last progress line
    n=$(sed -n 's/^#\([0-9]*\)[[:space:]].*/\1/p' "$w/log" | tail -n 1)
  fi
  total=$((total + ${n:-0}))
  what=$(grep -m 1 -E 'fuzz_pair: invariant [0-9]|ERROR: (libFuzzer|AddressSanitizer)|runtime error' "$w/log" || true)
  crash=
  for f in "$w"/crash-* "$w"/leak-* "$w"/timeout-* "$w"/oom-*; do
    [ -e "$f" ] && { crash=${f##*/}; break; }
  done
  if [ -e "$w/stopped" ] && [ -z "$what$crash" ]; then
    say "long_run: worker $i: ${n:-0} executions, clean until stopped"
  elif [ "$(cat "$w/rc")" -ne 0 ] || [ -n "$what$crash" ]; then
    fail=1
    say "long_run: worker $i FAILED (exit $(cat "$w/rc")): ${what:-see $w/log}"
    [ -n "$crash" ] && say "long_run:   reproducer $w/$crash"
  else
    say "long_run: worker $i: ${n:-0} executions, clean"
  fi
done

say "long_run: total $total executions in ${secs} s ($((total / secs)) exec/s, $WORKERS workers)"
if [ "$fail" -ne 0 ]; then
  say "long_run: FAIL: a crash or an invariant failure was found"
  exit 1
fi
say "long_run: PASS: no crash, no invariant failure"
