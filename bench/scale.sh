#!/usr/bin/env bash
# bench/scale.sh: N single-hop IPv4 BFD sessions between two network
# namespaces, bfdkit <-> bfdkit (bench_scale), BIRD <-> BIRD, FRR bfdd <->
# FRR bfdd, and the kernel floor (bench_floor: the same packet rate over the
# same address pairs through one batched socket per side), one table.
#
# Usage (root): bench/scale.sh [-q] [-d SECONDS] [-s SETTLE] [-r ROWS] [-a]
#                              [-o FILE] BUILD_DIR
#   BUILD_DIR  a build with bench/bench_scale and bench/bench_floor (this
#              script builds nothing)
#   -q         quick mode: floor and bfdkit at N=500, 100 ms x 3, 10 s
#   -d S       measurement window per row (default 30; quick 10)
#   -s S       settle time before the window (default 5; quick 3)
#   -r ROWS    space-separated rows KIND:N:INTERVAL_MS[:MULT], KIND one of
#              floor bfdkit bird frr; bfdkit and floor take flags:
#              KIND+FLAG[+FLAG]: +rcvbuf (the listener's receive buffer
#              SCALE_RCVBUF, default 4194304: bfd_uv_settings.rx_rcvbuf,
#              the floor's SO_RCVBUFFORCE), bfdkit only: +shared (shared TX
#              sockets, BFD_UV_TX_SHARED), +gov (the overload governor with
#              its defaults), +nofile (a hard RLIMIT_NOFILE of SCALE_NOFILE,
#              default 65536, set by prlimit: needs CAP_SYS_RESOURCE)
#   -a         assert: exit 1 unless every bfdkit row ended with all
#              sessions Up and 0 Up->Down (the CI smoke)
#   -o FILE    also write the table to FILE
# Environment: SCALE_DAEMON_START (default 300): seconds BIRD or FRR may
# take to read its configuration (until its control socket answers) before
# the settle time starts; SCALE_RCVBUF, SCALE_NOFILE, SCALE_PREFIX as above
# and below; BFDKV_KEEP=1 keeps the logs (test/interop/lib.sh).
# Exit 77 (ctest SKIP) without root or network namespaces; BIRD and FRR rows
# are reported as skipped when the daemon is not installed.
#
# Topology (rebuilt when N changes; the benchmarks reuse a larger one):
# namespaces bs<PID>-a and bs<PID>-b (SCALE_PREFIX overrides bs<PID>), one
# veth (-a0 / -b0). Pair k: A has 10.10.x.y peer 10.20.x.y, B
# the reverse (point-to-point /32 addresses: a connected route per pair,
# so BIRD and FRR see each peer as directly connected), x.y = k / 250, k %
# 250 + 1; permanent neighbour entries on both sides (the kernel's
# neighbour table is shared by every namespace: no ARP, no gc_thresh).
#
# Per row: both sides start at once; after SETTLE seconds the window opens:
# CPU % per side is utime+stime of the process from /proc/PID/stat over the
# window, packets per second and kernel receive drops come from each
# namespace's /proc/net/snmp (Udp OutDatagrams, InDatagrams, InErrors).
# Up->Down transitions are counted over the whole run: bench_scale from the
# core's state events, BIRD from its log (debug events), FRR from its
# session-down counters. All Up: bfdkit from the later side's last
# bfd_uv_peer_add() to the later side's all-Up event; BIRD and FRR from both
# daemons started to all sessions Up on both (polled every 0.5 s during the
# settle time only). Ratio: mean CPU of the two sides over the floor's at
# the same interval, N (rounded to hundreds) and receive buffer (floor rows
# run first; a bfdkit row without +rcvbuf sizes its own buffer and compares
# with floor+rcvbuf when the run has it, else with floor). A side that cannot start
# is reported in the table; the run goes on.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
# Our own names (namespaces PREFIX-a, PREFIX-b, veth PREFIX-a0 / -b0):
# unique per run, so two runs never delete each other's namespaces.
BFDKV_PREFIX=${SCALE_PREFIX:-bs$$}
# shellcheck source=../test/interop/lib.sh
. "$HERE/../test/interop/lib.sh"

QUICK=0 DUR="" SETTLE="" ROWS="" ASSERT=0 OUT=""
while getopts "qd:s:r:ao:" o; do
  case $o in
    q) QUICK=1 ;;
    d) DUR=$OPTARG ;;
    s) SETTLE=$OPTARG ;;
    r) ROWS=$OPTARG ;;
    a) ASSERT=1 ;;
    o) OUT=$OPTARG ;;
    *) sed -n '2,30p' "$0" >&2; exit 1 ;;
  esac
done
shift $((OPTIND - 1))
[ $# = 1 ] || { sed -n '2,30p' "$0" >&2; exit 1; }
BUILD=$(cd "$1" && pwd) || exit 1
SCALE=$BUILD/bench/bench_scale FLOOR=$BUILD/bench/bench_floor
[ -x "$SCALE" ] && [ -x "$FLOOR" ] || { echo "no bench_scale/bench_floor in $BUILD/bench" >&2; exit 1; }
command -v jq >/dev/null || { echo "SKIP: needs jq" >&2; exit 77; }
bfdkv_require
if [ $QUICK = 1 ]; then
  DUR=${DUR:-10} SETTLE=${SETTLE:-3}
  ROWS=${ROWS:-"floor:500:100 bfdkit:500:100"}
else
  DUR=${DUR:-30} SETTLE=${SETTLE:-5}
  ROWS=${ROWS:-"floor:1000:100 floor+rcvbuf:1000:100 bfdkit:1000:100 bird:1000:100 frr:1000:100
floor:5000:100 floor+rcvbuf:5000:100 bfdkit:5000:100 bird:5000:100 frr:5000:100
floor+rcvbuf:10000:100 bfdkit:10000:100 bfdkit+gov:10000:100
floor+rcvbuf:20000:100 bfdkit+shared:20000:100 bfdkit+shared+gov:20000:100
floor+rcvbuf:20000:300 bfdkit:20000:300 bfdkit+shared:20000:300 bfdkit+shared+gov:20000:300"}
fi
SCALE_NOFILE=${SCALE_NOFILE:-65536}
SCALE_RCVBUF=${SCALE_RCVBUF:-4194304}
SCALE_DAEMON_START=${SCALE_DAEMON_START:-300}
HZ=$(getconf CLK_TCK)
BASE_A=10.10.0.0 BASE_B=10.20.0.0
bfdkv_init
NS_A=$BFDKV_NS_A NS_B=$BFDKV_NS_B IF_A=$BFDKV_IF_A IF_B=$BFDKV_IF_B
TOPO_N=0

log() { bfdkv_log "$*"; }

# topo N: (re)build the two namespaces with N address pairs.
topo() {
  local n=$1 mac_a mac_b t0=$SECONDS
  # Daemons see every address of the interface: give them exactly N.
  if [ "$n" = "$TOPO_N" ] || { [ "$2" = bench ] && [ "$n" -le "$TOPO_N" ]; }; then return 0; fi
  bfdkv_reset
  bfdkv_ns_add $NS_A; bfdkv_ns_add $NS_B
  bfdkv_veth $NS_A $IF_A $NS_B $IF_B
  for ns in $NS_A $NS_B; do
    ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  mac_a=$(ip -n $NS_A -br link show $IF_A | awk '{print $3}')
  mac_b=$(ip -n $NS_B -br link show $IF_B | awk '{print $3}')
  awk -v n="$n" -v dev=$IF_A -v mac="$mac_b" -v l=10.10 -v p=10.20 -f /dev/stdin \
    >"$BFDKV_TMP/topo-a" <<'EOF'
BEGIN { for (k = 0; k < n; k++) { h = int(k / 250) "." (k % 250 + 1)
  printf "addr add %s.%s peer %s.%s dev %s\n", l, h, p, h, dev
  printf "neigh replace %s.%s lladdr %s dev %s nud permanent\n", p, h, mac, dev } }
EOF
  sed -e "s/ 10\.10\./ 10.XX./g; s/ 10\.20\./ 10.10./g; s/ 10\.XX\./ 10.20./g" \
      -e "s/dev $IF_A/dev $IF_B/; s/lladdr $mac_b/lladdr $mac_a/" "$BFDKV_TMP/topo-a" >"$BFDKV_TMP/topo-b"
  ip -n $NS_A -batch "$BFDKV_TMP/topo-a" || bfdkv_die "addresses in $NS_A"
  ip -n $NS_B -batch "$BFDKV_TMP/topo-b" || bfdkv_die "addresses in $NS_B"
  TOPO_N=$n
  log "topology: $n address pairs in $((SECONDS - t0)) s"
}

# cpu PID: utime+stime in clock ticks, or "" if the process is gone.
cpu() {
  local s
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  s=${s##*) }
  # shellcheck disable=SC2086
  set -- $s
  echo $((${12} + ${13}))
}

# udp NS: "InDatagrams InErrors OutDatagrams" of the namespace.
udp() { ip netns exec "$1" awk '/^Udp:/ { if (++n == 2) print $2, $4, $5 }' /proc/net/snmp; }

# addr_of BASE K: the address of pair K (as bench/scale_util.c).
addr_of() { local b=${1%.0.0}; echo "$b.$(($2 / 250)).$(($2 % 250 + 1))"; }

bird_conf() { # FILE LOCALBASE PEERBASE N MS MULT LOG
  local f=$1 lb=${2%.0.0} pb=${3%.0.0}
  {
    echo "router id $lb.0.1;"
    echo "log \"$7\" all;"
    echo "protocol device { scan time 60; }"
    echo "protocol bfd bfd1 {"
    echo "  debug { events };"
    echo "  interface \"*\" { min tx interval $5 ms; min rx interval $5 ms; multiplier $6; };"
    awk -v n="$4" -v l="$lb" -v p="$pb" 'BEGIN { for (k = 0; k < n; k++) {
      h = int(k / 250) "." (k % 250 + 1); printf "  neighbor %s.%s local %s.%s;\n", p, h, l, h } }'
    echo "}"
  } >"$f"
}

frr_conf() { # FILE LOCALBASE PEERBASE N MS MULT LOG
  local f=$1 lb=${2%.0.0} pb=${3%.0.0}
  {
    echo "hostname bfdsc"
    echo "log file $7 informational"
    echo "bfd"
    awk -v n="$4" -v l="$lb" -v p="$pb" -v ms="$5" -v m="$6" 'BEGIN { for (k = 0; k < n; k++) {
      h = int(k / 250) "." (k % 250 + 1)
      printf " peer %s.%s local-address %s.%s\n  detect-multiplier %d\n", p, h, l, h, m
      printf "  receive-interval %d\n  transmit-interval %d\n  no shutdown\n exit\n", ms, ms } }'
    echo "exit"
  } >"$f"
  chmod 644 "$f"
}

# start_side KIND SIDE N MS MULT DIR: start one side; sets PID_<SIDE>.
start_side() {
  local kind=$1 side=$2 n=$3 ms=$4 mult=$5 dir=$6 ns lb pb d
  if [ "$side" = a ]; then ns=$NS_A lb=$BASE_A pb=$BASE_B; else ns=$NS_B lb=$BASE_B pb=$BASE_A; fi
  d=$((SETTLE + DUR + 2))
  # KIND is BASE[+FLAG...]: +rcvbuf (-R SCALE_RCVBUF, bfd_uv_settings.rx_rcvbuf
  # or the floor's SO_RCVBUFFORCE), +shared (-S: BFD_UV_TX_SHARED), +gov (-G:
  # the governor), +nofile (a hard RLIMIT_NOFILE of SCALE_NOFILE by prlimit,
  # which execs the benchmark: the PID stays its own).
  local flags="" args=() pre=()
  case $kind in *+*) flags="+${kind#*+}" ;; esac
  case $flags in *+rcvbuf*) args+=(-R "$SCALE_RCVBUF") ;; esac
  case $flags in *+shared*) args+=(-S) ;; esac
  case $flags in *+gov*) args+=(-G) ;; esac
  case $flags in *+nofile*) pre=(prlimit --nofile="$SCALE_NOFILE:$SCALE_NOFILE") ;; esac
  case ${kind%%+*} in
    bfdkit)
      bfdkv_spawn "$side" $ns "$dir/$side.log" "${pre[@]}" "$SCALE" -n "$n" -i $((ms * 1000)) \
        -m "$mult" -l $lb -p $pb -d $d "${args[@]}" -o "$dir/$side.json" ;;
    floor)
      bfdkv_spawn "$side" $ns "$dir/$side.log" "$FLOOR" -n "$n" -i $((ms * 1000)) \
        -l $lb -p $pb -d $d "${args[@]}" -o "$dir/$side.json" ;;
    bird)
      mkdir -p "$dir/$side"
      bird_conf "$dir/$side/bird.conf" $lb $pb "$n" "$ms" "$mult" "$dir/$side/bird.log"
      bfdkv_spawn "$side" $ns "$dir/$side.log" "$BFDKV_BIRD" -f -c "$dir/$side/bird.conf" \
        -s "$dir/$side/bird.ctl" -P "$dir/$side/bird.pid" ;;
    frr)
      mkdir -p "$dir/$side"; chmod 755 "$dir"
      chown frr:frr "$dir/$side" 2>/dev/null || chmod 777 "$dir/$side"
      frr_conf "$dir/$side/bfdd.conf" $lb $pb "$n" "$ms" "$mult" "$dir/$side/bfdd.log"
      bfdkv_spawn "$side" $ns "$dir/$side.log" "$BFDKV_BFDD" -f "$dir/$side/bfdd.conf" \
        --vty_socket "$dir/$side" -i "$dir/$side/bfdd.pid" --bfdctl "$dir/$side/bfdd.sock" \
        -z "$dir/$side/zserv.api" -P 0 --log "file:$dir/$side/bfdd.stdlog" ;;
  esac
}

# up_count KIND SIDE DIR: sessions Up on one daemon side ("" if unknown).
up_count() {
  case $1 in
    bird) timeout 10 "$BFDKV_BIRDC" -s "$3/$2/bird.ctl" show bfd sessions 2>/dev/null | grep -c ' Up ' ;;
    frr) timeout 10 "$BFDKV_VTYSH" --vty_socket "$3/$2" -c "show bfd peers json" 2>/dev/null |
           jq '[.[] | select(.status == "up")] | length' 2>/dev/null ;;
  esac
}

# daemon_ready KIND SIDE DIR: the daemon answers its control socket.
daemon_ready() {
  case $1 in
    bird) timeout 5 "$BFDKV_BIRDC" -s "$3/$2/bird.ctl" show status >/dev/null 2>&1 ;;
    frr) timeout 5 "$BFDKV_VTYSH" --vty_socket "$3/$2" -c "show bfd peers brief" >/dev/null 2>&1 ;;
  esac
}

# flaps KIND SIDE DIR: Up->Down transitions of one daemon side.
flaps() {
  case $1 in
    bird) grep -c 'changed state from Up to Down' "$3/$2/bird.log" 2>/dev/null ;;
    frr) timeout 10 "$BFDKV_VTYSH" --vty_socket "$3/$2" -c "show bfd peers counters json" 2>/dev/null |
           jq '[.[]."session-down"] | add // 0' 2>/dev/null ;;
  esac
}

fmt_pct() { awk -v t="$1" -v hz="$HZ" -v d="$2" 'BEGIN { printf "%.1f", 100 * t / hz / d }'; }

TABLE=()
declare -A FLOOR_CPU=()
declare -A ROW_OK=()
FAILS=0

row() { # KIND:N:MS[:MULT]
  local spec=$1 kind n ms mult dir idx=${#TABLE[@]} base fkey falt
  IFS=: read -r kind n ms mult <<<"$spec"
  base=${kind%%+*}
  # The floor a row is compared with: the same receive buffer, interval and
  # N (rounded to hundreds). bfdkit's listener buffer is sized for its
  # sessions unless +rcvbuf fixes it (rx_rcvbuf 0: 250 ms of their rate),
  # so its floor is the one with the large buffer, when the run has one.
  fkey="$(case $kind in *+rcvbuf*) echo rcvbuf ;; esac):$(( (n + 50) / 100 )):$ms"
  falt=""
  [ "$base" = bfdkit ] && case $kind in *+rcvbuf*) ;; *) falt=$fkey fkey="rcvbuf$fkey" ;; esac
  mult=${mult:-3}
  dir="$BFDKV_TMP/row$idx-$kind-$n-$ms"
  mkdir -p "$dir"; chmod 755 "$dir"
  case $kind in
    bird) if ! command -v "$BFDKV_BIRD" >/dev/null; then
            TABLE+=("| BIRD | $n | $ms x $mult | - | - | - | - | - | - | - | - | skipped: BIRD not installed |")
            return; fi ;;
    frr) if [ ! -x "$BFDKV_BFDD" ] || ! command -v "$BFDKV_VTYSH" >/dev/null; then
           TABLE+=("| FRR | $n | $ms x $mult | - | - | - | - | - | - | - | - | skipped: FRR not installed |")
           return; fi ;;
    floor|floor+rcvbuf|bfdkit|bfdkit+*) ;;
    *) bfdkv_die "unknown row kind $kind" ;;
  esac
  case $base in bird|frr) topo "$n" daemon ;; *) topo "$n" bench ;; esac
  log "row $spec: start (settle ${SETTLE} s, window ${DUR} s)"
  local t_start=$EPOCHREALTIME allup="" i c
  start_side "$kind" a "$n" "$ms" "$mult" "$dir"
  start_side "$kind" b "$n" "$ms" "$mult" "$dir"
  local pa=${BFDKV_INS_PID[a]} pb=${BFDKV_INS_PID[b]}
  local ready=""
  if [ "$kind" = bird ] || [ "$kind" = frr ]; then
    # A daemon reads its configuration before it answers its control
    # socket (FRR bfdd: minutes for thousands of peers, the vty blocked
    # meanwhile): wait for an answer, at most SCALE_DAEMON_START seconds,
    # then settle and measure.
    local rend=$((SECONDS + SCALE_DAEMON_START))
    while [ $SECONDS -lt $rend ]; do
      if daemon_ready "$kind" a "$dir" && daemon_ready "$kind" b "$dir"; then
        ready=$(awk -v a="$t_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
        break
      fi
      kill -0 "$pa" 2>/dev/null && kill -0 "$pb" 2>/dev/null || break
      sleep 1
    done
    # Poll Up counts during the settle time only (the poll costs the daemon).
    local end=$((SECONDS + SETTLE)) ua ub
    while [ -n "$ready" ] && [ $SECONDS -lt $end ]; do
      sleep 0.5
      ua=$(up_count "$kind" a "$dir"); ub=$(up_count "$kind" b "$dir")
      if [ "${ua:-0}" -ge "$n" ] && [ "${ub:-0}" -ge "$n" ]; then
        allup=$(awk -v a="$t_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f s", b - a }')
        break
      fi
    done
    if [ -z "$ready" ]; then
      allup="never: not answering in $SCALE_DAEMON_START s"
    elif [ -z "$allup" ]; then
      allup="not in ${SETTLE} s after ready (A ${ua:-?} B ${ub:-?} Up)"
    fi
    while [ $SECONDS -lt $end ]; do sleep 0.2; done
  else
    sleep "$SETTLE"
  fi
  local ca0 cb0 ua0 ub0 ca1 cb1 ua1 ub1
  ca0=$(cpu "$pa"); cb0=$(cpu "$pb"); ua0=$(udp $NS_A); ub0=$(udp $NS_B)
  # Both sides gone (they could not start): no window to wait for.
  if kill -0 "$pa" 2>/dev/null || kill -0 "$pb" 2>/dev/null; then sleep "$DUR"; fi
  ca1=$(cpu "$pa"); cb1=$(cpu "$pb"); ua1=$(udp $NS_A); ub1=$(udp $NS_B)
  # Wait for the summaries (bench_scale / bench_floor), at most 10 s.
  if [ "$base" != bird ] && [ "$base" != frr ]; then
    for i in $(seq 100); do
      [ -s "$dir/a.json" ] && [ -s "$dir/b.json" ] && break
      kill -0 "$pa" 2>/dev/null || kill -0 "$pb" 2>/dev/null || break
      sleep 0.1
    done
  fi
  local fa="" fb="" cpua=- cpub=- txa rxa drops note="" updown=- late=- ratio=- name
  if [ "$kind" = bird ] || [ "$kind" = frr ]; then
    fa=$(flaps "$kind" a "$dir"); fb=$(flaps "$kind" b "$dir")
    if [ -n "$fa" ] && [ -n "$fb" ]; then updown=$((fa + fb)); else updown="? (A ${fa:-?} B ${fb:-?}: no answer in 10 s)"; fi
    ua=$(up_count "$kind" a "$dir"); ub=$(up_count "$kind" b "$dir")
    note="Up at end: A ${ua:-?} B ${ub:-?}; control socket answered after ${ready:-(not in $SCALE_DAEMON_START)} s"
  fi
  [ -n "$ca0" ] && [ -n "$ca1" ] && cpua=$(fmt_pct $((ca1 - ca0)) "$DUR")
  [ -n "$cb0" ] && [ -n "$cb1" ] && cpub=$(fmt_pct $((cb1 - cb0)) "$DUR")
  read -r ia ea oa <<<"$ua0"; read -r ia1 ea1 oa1 <<<"$ua1"
  read -r ib eb ob <<<"$ub0"; read -r ib1 eb1 ob1 <<<"$ub1"
  txa=$(( (oa1 - oa + ob1 - ob) / 2 / DUR )); rxa=$(( (ia1 - ia + ib1 - ib) / 2 / DUR ))
  drops=$(( ea1 - ea + eb1 - eb ))
  case $base in
    floor|bfdkit) name="$base${kind#"$base"}" ;;
    bird) name="BIRD $("$BFDKV_BIRD" --version 2>&1 | awk '{print $NF}')" ;;
    frr) name="FRR bfdd" ;;
  esac
  if [ "$base" = floor ] || [ "$base" = bfdkit ]; then
    local ja jb err
    ja=$(cat "$dir/a.json" 2>/dev/null); jb=$(cat "$dir/b.json" 2>/dev/null)
    err=$(printf '%s\n%s\n' "$ja" "$jb" | jq -rs '[.[] | .error // empty] | first // empty' 2>/dev/null)
    if [ -z "$ja" ] || [ -z "$jb" ]; then
      err="${err:-no summary from $([ -z "$ja" ] && echo A) $([ -z "$jb" ] && echo B): $(tail -n 2 "$dir/a.log" "$dir/b.log" 2>/dev/null | tr '\n' ' ' | cut -c1-200)}"
    fi
    if [ "$base" != floor ] && [ -n "$ja" ] && [ -n "$jb" ]; then
      updown=$(printf '%s\n%s\n' "$ja" "$jb" | jq -s '[.[].up_down] | add')
      late=$(printf '%s\n%s\n' "$ja" "$jb" | jq -s '[.[].timer_late] | add')
      allup=$(printf '%s\n%s\n' "$ja" "$jb" | jq -rs '
        if any(.[]; .t_allup_ns == 0) then "never"
        else "\(([.[].t_allup_ns] | max) - ([.[].t_added_ns] | max))" end')
      [ "$allup" != never ] && allup=$(awk -v ns="$allup" 'BEGIN { printf "%.3f s", ns / 1e9 }')
      local upend
      upend=$(printf '%s\n%s\n' "$ja" "$jb" | jq -s '[.[].up_end] | add')
      note="Up at end $upend/$((2 * n)); add $(echo "$ja" | jq '.add_s') s; longest loop stall $(printf '%s\n%s\n' "$ja" "$jb" | jq -s '[.[].max_stall_ms // empty] | max // "?"') ms; adapter kernel drops $(printf '%s\n%s\n' "$ja" "$jb" | jq -s '[.[].rx_kernel_drops // empty] | add // "?"'); rcvbuf asked $(printf '%s\n%s\n' "$ja" "$jb" | jq -rs '[.[].rx_rcvbuf_applied // "?"] | map(tostring) | join("/")')"
      case $kind in *+gov*) note+="; governor scale at end $(printf '%s\n%s\n' "$ja" "$jb" | jq -rs '[.[].governor_scale_permille] | map(tostring) | join("/")') permille, raises $(printf '%s\n%s\n' "$ja" "$jb" | jq -s '[.[].governor_raises] | add')" ;; esac
      if [ "$upend" = $((2 * n)) ] && [ "$updown" = 0 ] && [ -z "$err" ]; then ROW_OK[$idx]=1; fi
    fi
    if [ "$base" = floor ] && [ -n "$ja" ]; then
      note="$(echo "$ja" | jq -r '"\(.rate_pps) pps/side target, tx fails \(.tx_fail)"')"
    fi
    if [ -n "$err" ]; then
      # The window measured what was left of a failed start: not a result.
      note="FAILED: $err"
      cpua=- cpub=- allup=- updown=- late=- txa=- rxa=- drops=-
    fi
    if [ "$base" != floor ] && [ -z "${ROW_OK[$idx]:-}" ]; then FAILS=$((FAILS + 1)); fi
  fi
  if [ "$base" = floor ] && [ "$cpua" != - ] && [ "$cpub" != - ]; then
    FLOOR_CPU["$fkey"]=$(awk -v a="$cpua" -v b="$cpub" 'BEGIN { printf "%.2f", (a + b) / 2 }')
  fi
  if [ "$base" != floor ] && [ -z "${FLOOR_CPU[$fkey]:-}" ] && [ -n "$falt" ]; then
    fkey=$falt
  fi
  if [ "$base" != floor ] && [ -n "${FLOOR_CPU[$fkey]:-}" ] && [ "$cpua" != - ] && [ "$cpub" != - ]; then
    ratio=$(awk -v a="$cpua" -v b="$cpub" -v f="${FLOOR_CPU[$fkey]}" \
      'BEGIN { if (f > 0) printf "%.2fx", (a + b) / 2 / f; else print "-" }')
  fi
  [ "$base" = floor ] && allup=- && updown=- && ratio=1.00x
  TABLE+=("| $name | $n | $ms x $mult | ${allup:--} | $cpua | $cpub | $txa | $rxa | $updown | $drops | $late | $ratio | $note |")
  log "row $spec: ${TABLE[-1]}"
  bfdkv_stop a; bfdkv_stop b
  if [ "${BFDKV_KEEP:-0}" = 1 ]; then log "logs kept in $dir"; fi
}

LOAD_BEFORE=$(uptime)
log "machine: $(nproc) CPUs, $(uname -r); $LOAD_BEFORE"
for r in $ROWS; do row "$r"; done
LOAD_AFTER=$(uptime)
{
  echo
  echo "bench/scale.sh: window ${DUR} s after ${SETTLE} s settle; $(nproc) CPUs; $(uname -r)"
  echo "load before: $LOAD_BEFORE"
  echo "load after:  $LOAD_AFTER"
  echo
  echo "| impl | N | ms x mult | all Up | CPU A % | CPU B % | tx pps/side | rx pps/side | Up->Down | kernel rx drops | late fires | CPU / floor | note |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${TABLE[@]}"
} | tee ${OUT:+"$OUT"}
if [ $ASSERT = 1 ] && [ $FAILS != 0 ]; then
  echo "bench/scale.sh: $FAILS bfdkit row(s) not all Up or with Up->Down transitions" >&2
  exit 1
fi
exit 0
