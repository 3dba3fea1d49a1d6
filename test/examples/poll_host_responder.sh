#!/usr/bin/env bash
# Responder mode and goodbye from a host without libuv (examples/poll_host.c):
# A answers whoever asks (--responder), B is configured with A as its peer.
# Both must reach Up; B says goodbye after 2 s (AdminDown, diag 7) and exits
# once A knows; A must see Neighbor Signaled Session Down (diag 3), never a
# Detection Time expiry, and reap the responder session after B falls silent
# (RFC 5880 §6.8.18). Usage: poll_host_responder.sh POLL_HOST PORT
set -u
exe=$1 port=$2
dir=$(mktemp -d)
pa=
cleanup() { [ -n "$pa" ] && kill "$pa" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
run_pair() {
  "$exe" --responder -l 127.0.0.1 --port "$port" -i 100 -w 15 --until-removed >"$dir/a" 2>&1 &
  pa=$!
  sleep 0.3 # A listens before B's first packet (if not, B's next one, 1 s later)
  if grep -q 'Address already in use' "$dir/a"; then
    wait "$pa"; ra=$? rb=2 pa=
    return
  fi
  "$exe" -l 127.0.0.2 -p 127.0.0.1 --port "$port" -i 100 -w 10 -u 2 >"$dir/b" 2>&1
  rb=$?
  grep -q 'Address already in use' "$dir/b" && kill "$pa" 2>/dev/null
  wait "$pa"; ra=$?
  pa=
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
[ "$ra" -eq 0 ] && [ "$rb" -eq 0 ] || { echo "FAIL: exit codes A $ra B $rb"; fail=1; }
grep -q 'responder session created for 127.0.0.2' "$dir/a" || { echo "FAIL: A created no responder session"; fail=1; }
[ "$(grep -c 'responder session created' "$dir/a")" -eq 1 ] || { echo "FAIL: A created more than one session"; fail=1; }
for s in a b; do
  grep -q -- '-> Up (diag: No Diagnostic)' "$dir/$s" || { echo "FAIL: $s never Up"; fail=1; }
  if grep -q 'Control Detection Time Expired' "$dir/$s"; then
    echo "FAIL: $s: a detection timeout (the goodbye should prevent it)"; fail=1
  fi
done
grep -q -- 'Up -> Down (diag: Neighbor Signaled Session Down)' "$dir/a" || {
  echo "FAIL: A did not learn of B's AdminDown"; fail=1; }
grep -q 'session with 127.0.0.2 removed (reaped)' "$dir/a" || { echo "FAIL: A did not reap"; fail=1; }
grep -q -- 'Up -> AdminDown (diag: Administratively Down)' "$dir/b" || {
  echo "FAIL: B did not go AdminDown"; fail=1; }
grep -q 'removed (goodbye done)' "$dir/b" || { echo "FAIL: B's goodbye did not finish"; fail=1; }
grep -q 'goodbye done, 1 session(s) removed' "$dir/b" || { echo "FAIL: B's table did not drain"; fail=1; }
[ "$fail" -eq 0 ] && echo "poll_host responder: created, Up, goodbye, reaped"
exit "$fail"
