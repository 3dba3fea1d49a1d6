#!/usr/bin/env bash
#
# Authentication interop test (issue 7): bfdping (namespace bfdka-a,
# 10.99.1.1) against a private BIRD 2 (namespace bfdka-b, 10.99.1.2), IPv4
# single-hop, 100 ms x 3 on both ends, for the five RFC 5880 6.7 types.
#
# Usage (root): test/interop/auth_test.sh BFDPING [CASE...]
#   CASE: good, wrong, rotate (default all three).
#
# good: for each type, the same key on both ends (Key ID 42, a secret of the
#   type's maximum length: 16 bytes for Simple Password and MD5, 20 for
#   SHA1, so no zero padding is involved):
#   - bfdping's JSON state event Up within 3 s of its start, and BIRD's CLI
#     shows the session Up within 3 s of bfdping's start;
#   - bfdping reports no auth_failure event and no flap;
#   - in a tshark capture, every packet of both ends has the A bit, the
#     type's Auth Type and Auth Len, Key ID 42, and its password / digest
#     verifies with the key under the RFC 5880 6.7.2-6.7.4 construction
#     (recomputed here with Python's hashlib, independently of bfdkit);
#     for the meticulous types our sequence numbers strictly increase.
# wrong: for each type, bfdping's secret differs from BIRD's in its last
#   byte: bfdping never leaves Down within 3 s (no state event), its
#   auth_failure events all carry the right reason ("wrong password" for
#   Simple Password, "digest does not verify" otherwise) with a rising
#   total, and neither end ever sends anything but Down (BIRD rejects ours).
# rotate: for keyed SHA1 and meticulous keyed MD5, both ends know keys 1
#   and 2 and send key 1; BIRD is switched to send key 2 (birdc configure:
#   key 2 gets a "generate from" in the past), then bfdping (SIGUSR1), then
#   BIRD drops key 1: the session stays Up throughout (no state event after
#   the first Up, no flap, no auth failure, BIRD's "Since" unchanged and no
#   Up->Down in its log), and the capture shows each end switch from key 1
#   to key 2 once, after its switch command, every packet verifying with the
#   key its Key ID names, and both ends sending key 2 at the end.
#
# Prints "MEASURE peer=bird test=auth type=T value_ms=V" (bfdping's time to
# Up; bird_up_ms= is when BIRD's CLI showed Up, since bfdping's start).
# Exit 0 = pass, 1 = fail, 77 = cannot run here (not root, no namespaces, no
# BIRD, no tshark/python3).
# shellcheck disable=SC2317  # case_* functions are called indirectly
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BFDPING=${1:-}
shift 1 2>/dev/null || true
CASES=${*:-good wrong rotate}
if [ ! -x "$BFDPING" ]; then echo "usage: $0 BFDPING [good] [wrong] [rotate]" >&2; exit 2; fi
BFDPING=$(cd "$(dirname "$BFDPING")" && pwd)/$(basename "$BFDPING")

BFDKV_PREFIX=bfdka # namespaces bfdka-a/-b, veths bfdka-a0/-b0 (lib.sh)
# shellcheck source=test/interop/lib.sh
. "$HERE/lib.sh"
bfdkv_require bird tshark
command -v python3 >/dev/null || { echo "SKIP: no python3" >&2; exit 77; }
JQ="python3 $HERE/bfdping_json.py"
# One interop run at a time on this host (same lock as interop_test.sh):
# concurrent runs would disturb each other's timing.
exec 9>>"${BFDKI_LOCK:-/tmp/bfdkit-interop.lock}"
flock -w 120 9 || bfdkv_die "another interop run held ${BFDKI_LOCK:-/tmp/bfdkit-interop.lock} for 120 s"
bfdkv_init

UP_LIMIT_MS=3000 # fixed by the task: both ends Up within 3 s
WRONG_WAIT_S=3   # how long a wrong key must stay Down
US=10.99.1.1
PEER=10.99.1.2
PI=p1 # the BIRD instance of the current case (one per case: own log)
TYPES="simple md5 meticulous-md5 sha1 meticulous-sha1"
# bfdping type -> BIRD's name, RFC 5880 Auth Type, secret length, Auth Len.
declare -gA BIRD_T=([simple]=simple [md5]=keyed_md5 [meticulous-md5]=meticulous_keyed_md5
  [sha1]=keyed_sha1 [meticulous-sha1]=meticulous_keyed_sha1)
declare -gA CODE=([simple]=1 [md5]=2 [meticulous-md5]=3 [sha1]=4 [meticulous-sha1]=5)
declare -gA KLEN=([simple]=16 [md5]=16 [meticulous-md5]=16 [sha1]=20 [meticulous-sha1]=20)

FAILS=0
declare -gA BP_PID=() BP_STAMP=() BP_T0=()

fail() { bfdkv_log "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { bfdkv_log "ok: $*"; }
now_ns() { date +%s%N; }

# shellcheck disable=SC2317  # invoked by the EXIT trap
on_exit() {
  local rc=$? f
  if [ "$rc" != 0 ] && [ "$rc" != 77 ] && [ -n "$BFDKV_TMP" ] && [ -d "$BFDKV_TMP" ]; then
    for f in "$BFDKV_TMP"/*.log "$BFDKV_TMP"/*.err "$BFDKV_TMP"/bird-*/*.log; do
      [ -s "$f" ] || continue
      echo "----- $f (last 30 lines)" >&2
      tail -n 30 "$f" >&2
    done
  fi
  bfdkv_cleanup
  exit "$rc"
}
trap on_exit EXIT

# secret TYPE KEYNO: a printable secret of TYPE's maximum length, distinct
# per type and key number (no character BIRD's config quoting would alter).
secret() {
  local s="bfdkit${2}+${1}+0123456789abcdefghij"
  printf '%s' "${s:0:${KLEN[$1]}}"
}

# keyfile NAME SECRET: write SECRET (no newline) to a mode 600 file; prints
# its path.
keyfile() {
  local f=$BFDKV_TMP/$1.key
  (umask 077 && printf '%s' "$2" >"$f")
  printf '%s' "$f"
}

# bp_start NAME ARGS...: bfdping in namespace A with --json, its output
# timestamped on arrival into $BFDKV_TMP/NAME.log (stderr: NAME.err).
bp_start() {
  local name=$1; shift
  local fifo=$BFDKV_TMP/$name.fifo
  mkfifo "$fifo" || bfdkv_die "mkfifo"
  $JQ stamp <"$fifo" >"$BFDKV_TMP/$name.log" &
  BP_STAMP[$name]=$!; BFDKV_PID_LIST+=("$!")
  BP_T0[$name]=$(now_ns)
  ip netns exec "$BFDKV_NS_A" "$BFDPING" --json -w 60 -i 100 -r 100 -m 3 -l "$US" "$@" "$PEER" \
    >"$fifo" 2>"$BFDKV_TMP/$name.err" </dev/null &
  BP_PID[$name]=$!; BFDKV_PID_LIST+=("$!")
  bfdkv_log "bfdping $name (pid ${BP_PID[$name]}): $*"
}

# bp_stop NAME: SIGINT, wait; BP_RC = exit status. Fails on a sanitizer
# report or a missing summary.
bp_stop() {
  local name=$1 pid=${BP_PID[$1]:-}
  [ -n "$pid" ] || return 0
  kill -INT "$pid" 2>/dev/null
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && { fail "bfdping $name ignored SIGINT"; kill -KILL "$pid"; }
  wait "$pid"; BP_RC=$?
  bfdkv_forget "$pid"; unset "BP_PID[$name]"
  wait "${BP_STAMP[$name]}" 2>/dev/null
  bfdkv_forget "${BP_STAMP[$name]}"; unset "BP_STAMP[$name]"
  if grep -Eq 'Sanitizer|runtime error' "$BFDKV_TMP/$name.err"; then
    fail "bfdping $name: sanitizer report"; cat "$BFDKV_TMP/$name.err" >&2
  fi
  $JQ get "$BFDKV_TMP/$name.log" event=summary -f flaps >/dev/null ||
    fail "bfdping $name: no summary event after SIGINT"
}

# bird_wait_up T0_NS: poll BIRD's CLI until the session is Up, at most
# 4 s; prints the ms since T0_NS, or nothing.
bird_wait_up() {
  local t0=$1 end=$(($(now_ns) + 4000000000))
  while [ "$(now_ns)" -lt "$end" ]; do
    if [ "$(bfdkv_state "$PI" "$US")" = up ]; then
      awk -v a="$(now_ns)" -v b="$t0" 'BEGIN { printf "%.1f", (a - b) / 1e6 }'
      return 0
    fi
    sleep 0.05
  done
  return 1
}

# since_close A B: two BIRD "Since" times (HH:MM:SS.mmm) within 5 ms.
since_close() {
  awk -v a="$1" -v b="$2" 'function ms(t, f) { split(t, f, ":"); return ((f[1] * 60 + f[2]) * 60 + f[3]) * 1000 }
    BEGIN { d = ms(a) - ms(b); if (a == "" || b == "" || d > 5 || d < -5) exit 1 }'
}

# bird_since: the "Since" column of BIRD's CLI for our session.
bird_since() {
  bfdkv_birdc "$PI" show bfd sessions 2>/dev/null | awk -v p="$US" '$1 == p { print $4; exit }'
}

# bird_configure RING: apply a new key ring to BIRD, check it took it.
bird_configure() {
  local out
  # shellcheck disable=SC2086  # the stored option list, one word each
  bfdkv_bird_ring_conf "$PI" "$1" ${BFDKV_INS_OPTS[$PI]}
  out=$(bfdkv_birdc "$PI" configure 2>&1)
  case $out in *Reconfigured*) ;; *) fail "birdc configure: $out" ;; esac
}

# check_up NAME TYPE: bfdping and BIRD Up within 3 s of bfdping's start;
# prints the MEASURE line. Sets UP_WALL to the arrival time of the Up event.
check_up() {
  local name=$1 t=$2 line tm wall b_ms
  UP_WALL=0
  if ! line=$($JQ wait "$BFDKV_TMP/$name.log" 4 event=state new=Up -f time -f wall); then
    fail "$t: bfdping never came Up (auth failures: $($JQ get "$BFDKV_TMP/$name.log" \
      event=auth_failure -f reason -f total))"
    return 1
  fi
  read -r tm wall <<<"$line"
  UP_WALL=$wall
  local t_ms; t_ms=$(awk -v t="$tm" 'BEGIN { printf "%.1f", t * 1000 }')
  b_ms=$(bird_wait_up "${BP_T0[$name]}") || b_ms=""
  echo "MEASURE peer=bird test=auth type=$t value_ms=$t_ms bird_up_ms=${b_ms:-none}"
  if awk -v t="$t_ms" -v l="$UP_LIMIT_MS" 'BEGIN { exit !(t <= l) }'; then
    ok "$t: bfdping Up after $t_ms ms"
  else
    fail "$t: bfdping Up only after $t_ms ms (limit $UP_LIMIT_MS)"
  fi
  if [ -z "$b_ms" ]; then fail "$t: BIRD's CLI never shows $US Up"
  elif awk -v t="$b_ms" -v l="$UP_LIMIT_MS" 'BEGIN { exit !(t <= l) }'; then
    ok "$t: BIRD's CLI shows Up $b_ms ms after bfdping's start"
  else
    fail "$t: BIRD's CLI shows Up only $b_ms ms after bfdping's start (limit $UP_LIMIT_MS)"
  fi
}

# check_no_auth_failure NAME TYPE
check_no_auth_failure() {
  local n; n=$($JQ count "$BFDKV_TMP/$1.log" event=auth_failure)
  if [ "$n" = 0 ]; then ok "$2: bfdping reports no authentication failure"
  else fail "$2: $n auth_failure event(s): $($JQ get "$BFDKV_TMP/$1.log" event=auth_failure \
    -f reason -f total)"; fi
}

# pcap_auth FIELDS SRC TYPE RING: check every packet SRC sent (see the
# Python below); prints "n first last switch_ns switches".
pcap_auth() {
  python3 - "$@" <<'PY'
import hashlib, sys
path, src, typ, ring = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
keys = {int(k): v.encode() for k, v in (e.split("=", 1) for e in ring.split(","))}
alen = {1: None, 2: 24, 3: 24, 4: 28, 5: 28}[typ]
n = bad = 0
kids, seqs, first_t = [], [], {}
def err(t, msg):
    global bad
    bad += 1
    if bad <= 5:
        print("packet from %s at %s: %s" % (src, t, msg), file=sys.stderr)
with open(path) as f:
    for line in f:
        c = line.rstrip("\n").split("\t")
        if len(c) < 20 or c[1] != src:
            continue
        n += 1
        t = c[0]
        b = bytes.fromhex(c[6])
        flags, atype, alen_s, kid = int(c[9], 16), c[16], c[17], c[18]
        # tshark's decoding: A bit, Auth Type, Key ID.
        if not flags & 0x04:
            err(t, "no A bit (flags %#x)" % flags); continue
        if atype != str(typ):
            err(t, "Auth Type %s, want %d" % (atype, typ)); continue
        k = int(kid)
        if k not in keys:
            err(t, "Key ID %d not in %s" % (k, sorted(keys))); continue
        key = keys[k]
        want_len = 3 + len(key) if typ == 1 else alen
        if int(alen_s) != want_len or b[25] != want_len or b[3] != 24 + want_len or len(b) != b[3]:
            err(t, "Auth Len %s / length %d, want %d / %d" % (alen_s, b[3], want_len, 24 + want_len))
            continue
        # The RFC 5880 6.7.2-6.7.4 construction, recomputed here.
        if typ == 1:
            if b[27:] != key:
                err(t, "password %r, want %r" % (b[27:], key)); continue
        else:
            h, klen = (hashlib.md5, 16) if typ in (2, 3) else (hashlib.sha1, 20)
            if h(b[:32] + key.ljust(klen, b"\0")).digest() != b[32:32 + klen]:
                err(t, "digest does not verify with key %d" % k); continue
            seqs.append(int.from_bytes(b[28:32], "big"))
        if not kids or kids[-1] != k:
            first_t.setdefault(k, c[0])
        kids.append(k)
if typ in (3, 5):
    for a, b2 in zip(seqs, seqs[1:]):
        if not b2 > a:
            err("-", "meticulous sequence number %d after %d" % (b2, a))
            break
switches = sum(1 for a, b2 in zip(kids, kids[1:]) if a != b2)
sw = first_t.get(kids[-1], "0") if switches else "0"
sw_ns = int(sw.replace(".", "").ljust(19, "0")[:19]) if sw != "0" else 0
print(n, kids[0] if kids else "-", kids[-1] if kids else "-", sw_ns, switches)
sys.exit(1 if bad or n == 0 else 0)
PY
}

# ------------------------------------------------------------------- good
case_good() {
  local t=$1 name=g-${1} pcap=$BFDKV_TMP/good-$1.pcap sec kf line
  PI=bird-g-$t
  bfdkv_log "=== $t: same key (ID 42, ${KLEN[$t]} bytes) on both ends"
  sec=$(secret "$t" 1)
  [ ${#sec} = "${KLEN[$t]}" ] || bfdkv_die "secret length"
  kf=$(keyfile "$name" "$sec")
  bfdkv_capture_start "$BFDKV_NS_A" "$BFDKV_IF_A" "$pcap"
  bfdkv_bird_start "$PI" "$BFDKV_NS_B" peer="$US" local="$PEER" tx=100 rx=100 mult=3 \
    auth="${BIRD_T[$t]}" key="$sec" key_id=42
  bp_start "$name" --auth "$t" --key-id 42 --key-file "$kf"
  check_up "$name" "$t"
  sleep 1 # about ten authenticated packets each way at 100 ms
  [ "$(bfdkv_state "$PI" "$US")" = up ] || fail "$t: BIRD not Up after 1 s"
  bp_stop "$name"
  [ "$BP_RC" = 0 ] || fail "$t: bfdping exit status $BP_RC (want 0: Up at the end)"
  check_no_auth_failure "$name" "$t"
  local fl; fl=$($JQ get "$BFDKV_TMP/$name.log" event=summary -f flaps)
  [ "$fl" = 0 ] || fail "$t: $fl flap(s)"
  bfdkv_capture_stop "$pcap"
  bfdkv_stop "$PI"
  bfdkv_pcap_fields "$pcap" >"$pcap.fields"
  local who addr n k1 k2 sw nsw
  for who in bfdping BIRD; do
    addr=$US; [ "$who" = BIRD ] && addr=$PEER
    if line=$(pcap_auth "$pcap.fields" "$addr" "${CODE[$t]}" "42=$sec"); then
      read -r n k1 k2 sw nsw <<<"$line"
      ok "$t: all $n $who packets: A bit, Auth Type ${CODE[$t]}, Key ID 42, $([ "$t" = simple ] &&
        echo password matches || echo digest verifies)$(case $t in meticulous*)
        echo ", strictly increasing sequence numbers" ;; esac)"
    else
      fail "$t: $who's packets do not all carry the right authentication ($line)"
    fi
  done
}

# ------------------------------------------------------------------ wrong
case_wrong() {
  local t=$1 name=w-${1} pcap=$BFDKV_TMP/wrong-$1.pcap sec bad kf reason
  PI=bird-w-$t
  sec=$(secret "$t" 1)
  # The same secret with its last byte changed.
  bad=${sec:0:$((${#sec} - 1))}; [ "${sec: -1}" = X ] && bad+=Y || bad+=X
  reason="digest does not verify"; [ "$t" = simple ] && reason="wrong password"
  bfdkv_log "=== $t: bfdping's key differs in its last byte"
  kf=$(keyfile "$name" "$bad")
  bfdkv_capture_start "$BFDKV_NS_A" "$BFDKV_IF_A" "$pcap"
  bfdkv_bird_start "$PI" "$BFDKV_NS_B" peer="$US" local="$PEER" tx=100 rx=100 mult=3 \
    auth="${BIRD_T[$t]}" key="$sec" key_id=42
  bp_start "$name" --auth "$t" --key-id 42 --key-file "$kf"
  sleep "$WRONG_WAIT_S"
  local bstate t_end; bstate=$(bfdkv_state "$PI" "$US"); t_end=$(now_ns)
  bp_stop "$name"
  bfdkv_capture_stop "$pcap"
  bfdkv_stop "$PI"
  local log=$BFDKV_TMP/$name.log n
  n=$($JQ count "$log" event=state)
  if [ "$n" = 0 ]; then ok "$t: bfdping stayed Down for ${WRONG_WAIT_S} s (no state event)"
  else fail "$t: bfdping changed state $n time(s) with a wrong key: $($JQ get "$log" event=state -f new)"; fi
  [ "$BP_RC" = 1 ] || fail "$t: bfdping exit status $BP_RC (want 1: never Up)"
  [ "$bstate" = up ] && fail "$t: BIRD's CLI shows Up with a wrong key"
  # auth_failure events: every one has the expected reason, totals rise.
  local summary
  summary=$(python3 - "$log" "$reason" <<'PY'
import json, sys
evs = []
for line in open(sys.argv[1]):
    _, _, j = line.partition(" ")
    try:
        e = json.loads(j)
    except ValueError:
        continue
    if e.get("event") == "auth_failure":
        evs.append(e)
other = sorted({e["reason"] for e in evs if e["reason"] != sys.argv[2]})
tot = [e["total"] for e in evs]
rising = all(b > a for a, b in zip(tot, tot[1:]))
print(len(evs), tot[-1] if tot else 0, int(rising), "|".join(other) or "-")
PY
  )
  local nev total rising other
  read -r nev total rising other <<<"$summary"
  if [ "$nev" -ge 2 ] && [ "$rising" = 1 ] && [ "$other" = - ]; then
    ok "$t: $nev auth_failure events, all \"$reason\", total rising to $total"
  else
    fail "$t: auth_failure events: $nev, last total $total, rising $rising, other reasons '$other' (want >= 2 \"$reason\", rising)"
  fi
  # Every packet bfdping received was dropped as an authentication failure
  # and reported: the core's events are rate limited, and what they held
  # back is reported when bfdping stops, before its summary; the capture
  # shows about as many BIRD packets while it ran.
  local drops; drops=$($JQ get "$log" event=summary -f dropped)
  if [ "$total" = "$drops" ]; then
    ok "$t: failure total $total for $drops dropped packets"
  else
    fail "$t: failure total $total, but bfdping dropped $drops packets"
  fi
  # Both directions fail: while bfdping ran, neither end sent anything but
  # Down (our last packet, after SIGINT, is AdminDown), and BIRD logged
  # rejecting ours.
  bfdkv_pcap_fields "$pcap" >"$pcap.fields"
  local bad nb nu blog want_b
  bad=$(awk -F'\t' -v a="$PEER" '($2 == a && $8 != "0x01") || ($8 != "0x01" && $8 != "0x00")' \
    "$pcap.fields" | wc -l)
  nb=$(awk -F'\t' -v a="$PEER" -v s="${BP_T0[$name]}" -v e="$t_end" '$2 == a && $1 * 1e9 >= s &&
    $1 * 1e9 <= e' "$pcap.fields" | wc -l)
  nu=$(awk -F'\t' -v a="$US" '$2 == a' "$pcap.fields" | wc -l)
  if [ "$bad" = 0 ] && [ "$nb" -gt 0 ] && [ "$nu" -gt 0 ]; then
    ok "$t: capture: $nu bfdping packets Down or AdminDown, $nb BIRD packets Down (neither accepted the other)"
  else
    fail "$t: capture: $bad packet(s) neither Down nor our AdminDown ($nu from bfdping, $nb from BIRD)"
  fi
  if [ "$drops" -gt $((nb + 1)) ] || [ "$drops" -lt $((nb - 1)) ]; then
    fail "$t: bfdping dropped $drops packets, $nb captured from BIRD while it ran"
  fi
  want_b="wrong authentication code"; [ "$t" = simple ] && want_b="wrong password"
  blog=$(grep -c "Authentication failed for $US - $want_b (42)" "$BFDKV_TMP/$PI/bird.log")
  if [ "$blog" -ge 2 ]; then ok "$t: BIRD logged $blog \"$want_b\" failures for our packets"
  else fail "$t: BIRD logged $blog \"$want_b\" failures for our packets (want >= 2)"; fi
}

# ----------------------------------------------------------------- rotate
case_rotate() {
  local t=$1 name=r-${1} pcap=$BFDKV_TMP/rotate-$1.pcap s1 s2 k1 k2 since0 t1 t2 t3
  PI=bird-r-$t
  s1=$(secret "$t" 1); s2=$(secret "$t" 2)
  bfdkv_log "=== $t: key rotation 1 -> 2 on both ends"
  k1=$(keyfile "$name-1" "$s1"); k2=$(keyfile "$name-2" "$s2")
  local gen_later="generate from \"2099-01-01 00:00:00\";" gen_now="generate from \"2000-01-01 00:00:00\";"
  bfdkv_capture_start "$BFDKV_NS_A" "$BFDKV_IF_A" "$pcap"
  # Both keys known, key 1 sent (key 2's generate window not open yet).
  bfdkv_bird_start_ring "$PI" "$BFDKV_NS_B" "1:$s1|2:$s2:$gen_later" peer="$US" local="$PEER" \
    tx=100 rx=100 mult=3 auth="${BIRD_T[$t]}"
  bp_start "$name" --auth "$t" --key-id 1 --key-file "$k1" --key-id 2 --key-file "$k2"
  check_up "$name" "$t-rotation" || { bp_stop "$name"; bfdkv_capture_stop "$pcap"; bfdkv_stop "$PI"; return; }
  sleep 0.5
  since0=$(bird_since)
  t1=$(now_ns)
  bfdkv_log "BIRD: send key 2"
  bird_configure "1:$s1|2:$s2:$gen_now"
  sleep 1
  t2=$(now_ns)
  bfdkv_log "bfdping: SIGUSR1 (send key 2)"
  kill -USR1 "${BP_PID[$name]}"
  $JQ wait "$BFDKV_TMP/$name.log" 2 event=auth_key tx_key_id=2 since="$t2" >/dev/null ||
    fail "$t: no auth_key event tx_key_id 2 after SIGUSR1"
  sleep 1
  t3=$(now_ns)
  bfdkv_log "BIRD: drop key 1"
  bird_configure "2:$s2"
  sleep 1
  local st since1
  st=$(bfdkv_state "$PI" "$US"); since1=$(bird_since)
  # BIRD prints Since from its relative clock: the same moment can read a
  # millisecond apart. A flap moves it by seconds (and shows in BIRD's log,
  # checked below).
  if [ "$st" = up ] && since_close "$since0" "$since1"; then
    ok "$t: BIRD Up throughout (Since $since0 ~ $since1)"
  else
    fail "$t: BIRD state $st, Since $since0 -> $since1"
  fi
  if grep -q "changed state from Up" "$BFDKV_TMP/$PI/bird.log"; then
    fail "$t: BIRD's log shows the session leaving Up: $(grep 'changed state' "$BFDKV_TMP/$PI/bird.log" | tr '\n' ';')"
  else
    ok "$t: BIRD's log: the session never left Up"
  fi
  bp_stop "$name"
  bfdkv_capture_stop "$pcap"
  bfdkv_stop "$PI"
  local log=$BFDKV_TMP/$name.log n
  n=$($JQ count "$log" event=state since=$((UP_WALL + 1)))
  if [ "$n" = 0 ]; then ok "$t: bfdping: no state event after the first Up"
  else fail "$t: bfdping: $n state event(s) after the first Up: $($JQ get "$log" event=state \
    since=$((UP_WALL + 1)) -f new -f diag_text)"; fi
  local fl; fl=$($JQ get "$log" event=summary -f flaps)
  [ "$fl" = 0 ] || fail "$t: $fl flap(s)"
  check_no_auth_failure "$name" "$t"
  bfdkv_pcap_fields "$pcap" >"$pcap.fields"
  local who addr from line np kfirst klast sw nsw
  for who in BIRD bfdping; do
    addr=$PEER from=$t1; [ "$who" = bfdping ] && { addr=$US; from=$t2; }
    if ! line=$(pcap_auth "$pcap.fields" "$addr" "${CODE[$t]}" "1=$s1,2=$s2"); then
      fail "$t: $who's packets do not all verify with the key their Key ID names ($line)"
      continue
    fi
    read -r np kfirst klast sw nsw <<<"$line"
    if [ "$kfirst" = 1 ] && [ "$klast" = 2 ] && [ "$nsw" = 1 ] && [ "$sw" -ge "$from" ]; then
      ok "$t: $who: $np packets verify; key 1, then key 2 from $(( (sw - from) / 1000000 )) ms after its switch command to the end"
    else
      fail "$t: $who: keys $kfirst .. $klast, $nsw switch(es), first key-2 packet at $sw (switch command at $from)"
    fi
  done
  # Key 1 was removed from BIRD at t3: BIRD still sent (and we accepted)
  # packets after it.
  local after; after=$(awk -F'\t' -v a="$PEER" -v t="$t3" '$2 == a && $1 * 1e9 > t' "$pcap.fields" | wc -l)
  [ "$after" -gt 5 ] || fail "$t: only $after BIRD packets after key 1 was removed"
}

for c in $CASES; do
  case $c in
    good | wrong)
      bfdkv_topo_direct
      for ty in $TYPES; do "case_$c" "$ty"; done
      bfdkv_reset ;;
    rotate)
      bfdkv_topo_direct
      for ty in sha1 meticulous-md5; do case_rotate "$ty"; done
      bfdkv_reset ;;
    *) bfdkv_die "unknown case $c" ;;
  esac
done

if [ "$FAILS" -gt 0 ]; then
  bfdkv_log "bird auth interop: $FAILS check(s) FAILED"
  exit 1
fi
bfdkv_log "bird auth interop: all checks passed"
exit 0
