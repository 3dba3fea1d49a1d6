#!/usr/bin/env bash
# Two poll_host instances on loopback (127.0.0.1 <-> 127.0.0.2), unprivileged
# port: both must reach Up, hold it 2 s without a detection timeout, and
# exit 0 (see examples/poll_host.c). Usage: poll_host_pair.sh POLL_HOST PORT
set -u
exe=$1 port=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
run_pair() {
  "$exe" -l 127.0.0.1 -p 127.0.0.2 --port "$port" -i 100 -w 10 -u 2 >"$dir/a" 2>&1 &
  pa=$!
  "$exe" -l 127.0.0.2 -p 127.0.0.1 --port "$port" -i 100 -w 10 -u 2 >"$dir/b" 2>&1 &
  pb=$!
  wait "$pa"; ra=$?
  wait "$pb"; rb=$?
}
# The RESOURCE_LOCK guards the port within one ctest run only: another build
# tree's ctest on this host may hold it. Then try another port.
for _ in 1 2 3 4 5; do
  run_pair
  grep -q 'Address already in use' "$dir/a" "$dir/b" || break
  echo "port $port in use, retrying on another"
  port=$((40000 + RANDOM % 9000))
done
for s in a b; do echo "--- poll_host $s"; cat "$dir/$s"; done
fail=0
[ "$ra" -eq 0 ] && [ "$rb" -eq 0 ] || { echo "FAIL: exit codes $ra $rb"; fail=1; }
for s in a b; do
  grep -q -- '-> Up (diag: No Diagnostic)' "$dir/$s" || { echo "FAIL: $s never Up"; fail=1; }
  grep -q 'nexthop usable' "$dir/$s" || { echo "FAIL: $s: no nexthop UP event"; fail=1; }
  if grep -q 'Control Detection Time Expired' "$dir/$s"; then
    echo "FAIL: $s: detection timeout while both ran"; fail=1
  fi
  # Each side ends with its own AdminDown (diag 7).
  grep -q -- '-> AdminDown (diag: Administratively Down)' "$dir/$s" || {
    echo "FAIL: $s: no AdminDown at exit"; fail=1; }
done
[ "$fail" -eq 0 ] && echo "poll_host pair: both Up"
exit "$fail"
