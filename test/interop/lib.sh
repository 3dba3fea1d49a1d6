# shellcheck shell=bash disable=SC2034  # BFDKV_* variables are for the caller
#
# bfdkit interop harness: network namespaces, veth links and private BIRD 2 /
# FRR bfdd instances, for capture scripts and interop tests.
#
# Usage (as root):
#   . test/interop/lib.sh
#   bfdkv_init                       # temp dir + trap-based cleanup
#   bfdkv_topo_direct                # ns A <-> ns B on one veth
#   bfdkv_bird_start b1 "$BFDKV_NS_A" peer=10.99.1.2 tx=300 rx=300
#   bfdkv_frr_start  f1 "$BFDKV_NS_B" peer=10.99.1.1 local=10.99.1.2
#   bfdkv_wait_state f1 10.99.1.1 up 5
#
# Everything this library creates (namespaces, links, processes, files) is
# recorded and removed by bfdkv_cleanup, which bfdkv_init installs as an
# EXIT/INT/TERM trap. It only ever signals PIDs it started itself.
#
# Names: namespaces and links are "$BFDKV_PREFIX-<x>" (default prefix
# "bfdkv"); set BFDKV_PREFIX before bfdkv_init to run several harnesses side
# by side. Interface names must stay within 15 characters.
#
# Daemons are run in the foreground (bird -f, bfdd without -d) as background
# jobs of this shell, so $! is the daemon's own PID (ip netns exec execs it).
#
# Addresses (fixed, documentation of the topologies):
#   direct: A 10.99.1.1/24 fd99:1::1/64  <->  B 10.99.1.2/24 fd99:1::2/64
#   routed: A 10.99.1.1/24 fd99:1::1/64  <->  R 10.99.1.254 fd99:1::fe
#           R 10.99.2.254/24 fd99:2::fe/64  <->  B 10.99.2.2/24 fd99:2::2/64

BFDKV_PREFIX=${BFDKV_PREFIX:-bfdkv}
BFDKV_BIRD=${BFDKV_BIRD:-bird}
BFDKV_BIRDC=${BFDKV_BIRDC:-birdc}
BFDKV_BFDD=${BFDKV_BFDD:-/usr/lib/frr/bfdd}
BFDKV_VTYSH=${BFDKV_VTYSH:-vtysh}

declare -ga BFDKV_NETNS_LIST=()      # namespaces we created
declare -ga BFDKV_PID_LIST=()        # every PID we started (daemons, captures)
declare -gA BFDKV_KIND=()            # instance -> bird | frr
declare -gA BFDKV_INS_NS=()          # instance -> namespace
declare -gA BFDKV_INS_DIR=()         # instance -> private directory
declare -gA BFDKV_INS_PID=()         # instance -> daemon PID
declare -gA BFDKV_INS_OPTS=()        # instance -> last option list (for reconfigure)
declare -gA BFDKV_CAP_PID=()         # pcap file -> tshark PID
BFDKV_TMP=${BFDKV_TMP:-}
BFDKV_KILL_NS=0                      # set by bfdkv_kill9: just before the kill
BFDKV_KILLED_NS=0                    # set by bfdkv_kill9: just after it

# bfdkv_log MSG...: progress message on stderr.
bfdkv_log() { printf '[bfdkv %s] %s\n' "$(date +%H:%M:%S.%3N)" "$*" >&2; }

# bfdkv_die MSG...: message on stderr, exit 1 (the trap cleans up).
bfdkv_die() { bfdkv_log "ERROR: $*"; exit 1; }

# bfdkv_require [bird] [frr] [tshark]: exit 77 (ctest SKIP) unless we are root
# with working network namespaces and the named tools are installed.
bfdkv_require() {
  if [ "$(id -u)" != 0 ]; then echo "SKIP: needs root" >&2; exit 77; fi
  command -v ip >/dev/null || { echo "SKIP: no iproute2" >&2; exit 77; }
  local t
  for t in "$@"; do
    case $t in
      bird) if ! command -v "$BFDKV_BIRD" >/dev/null || ! command -v "$BFDKV_BIRDC" >/dev/null; then
              echo "SKIP: BIRD 2 not installed" >&2; exit 77
            fi ;;
      frr) if [ ! -x "$BFDKV_BFDD" ] || ! command -v "$BFDKV_VTYSH" >/dev/null; then
             echo "SKIP: FRR bfdd not installed" >&2; exit 77
           fi ;;
      tshark) command -v tshark >/dev/null || { echo "SKIP: no tshark" >&2; exit 77; } ;;
      *) bfdkv_die "bfdkv_require: unknown tool $t" ;;
    esac
  done
  local probe="$BFDKV_PREFIX-probe$$"
  ip netns add "$probe" 2>/dev/null || { echo "SKIP: cannot create netns" >&2; exit 77; }
  ip netns del "$probe"
}

# bfdkv_init: create the private temp dir ($BFDKV_TMP, world-traversable so
# FRR's unprivileged bfdd can reach its files) and install the cleanup trap.
bfdkv_init() {
  if [ -z "$BFDKV_TMP" ]; then
    BFDKV_TMP=$(mktemp -d "/tmp/$BFDKV_PREFIX.XXXXXX") || bfdkv_die "mktemp"
  fi
  chmod 755 "$BFDKV_TMP"
  BFDKV_NS_A="$BFDKV_PREFIX-a"; BFDKV_NS_B="$BFDKV_PREFIX-b"; BFDKV_NS_R="$BFDKV_PREFIX-r"
  BFDKV_IF_A="$BFDKV_PREFIX-a0"; BFDKV_IF_B="$BFDKV_PREFIX-b0"
  BFDKV_IF_RA="$BFDKV_PREFIX-ra"; BFDKV_IF_RB="$BFDKV_PREFIX-rb"
  trap 'bfdkv_cleanup' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

# bfdkv_forget PID: drop PID from the list of processes we own (after we
# reaped it, so a recycled PID number is never signalled).
bfdkv_forget() {
  local pid=$1 i
  for i in "${!BFDKV_PID_LIST[@]}"; do
    [ "${BFDKV_PID_LIST[$i]}" = "$pid" ] && unset "BFDKV_PID_LIST[$i]"
  done
  BFDKV_PID_LIST=("${BFDKV_PID_LIST[@]}")
}

# bfdkv_reset: stop every process we started (TERM, then KILL after 2 s)
# and delete every namespace we created (which deletes their veths). Keeps
# $BFDKV_TMP and the trap, so a script can build the next topology.
bfdkv_reset() {
  local pid ns i alive
  for pid in "${BFDKV_PID_LIST[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for i in $(seq 20); do
    alive=0
    for pid in "${BFDKV_PID_LIST[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for pid in "${BFDKV_PID_LIST[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  for pid in "${BFDKV_PID_LIST[@]}"; do wait "$pid" 2>/dev/null; done
  BFDKV_PID_LIST=(); BFDKV_INS_PID=(); BFDKV_CAP_PID=()
  for ns in "${BFDKV_NETNS_LIST[@]}"; do ip netns del "$ns" 2>/dev/null; done
  BFDKV_NETNS_LIST=()
}

# bfdkv_cleanup: the EXIT trap. bfdkv_reset, then remove $BFDKV_TMP unless
# BFDKV_KEEP=1. Keeps the script's exit status. Safe to call twice.
bfdkv_cleanup() {
  local rc=$?
  bfdkv_reset
  if [ -n "$BFDKV_TMP" ] && [ -d "$BFDKV_TMP" ] && [ "${BFDKV_KEEP:-0}" != 1 ]; then
    rm -rf "$BFDKV_TMP"
  fi
  return $rc
}

# bfdkv_ns_add NAME: create namespace NAME (deleting a stale one of the same
# name first: names carry our prefix, so a stale one is ours) with lo up.
bfdkv_ns_add() {
  local ns=$1
  ip netns del "$ns" 2>/dev/null
  ip netns add "$ns" || bfdkv_die "netns add $ns"
  BFDKV_NETNS_LIST+=("$ns")
  ip -n "$ns" link set lo up
}

# bfdkv_veth NS1 IF1 NS2 IF2: a veth pair, IF1 in NS1 and IF2 in NS2, both up.
bfdkv_veth() {
  local ns1=$1 if1=$2 ns2=$3 if2=$4
  ip link add "$if1" type veth peer name "$if2" || bfdkv_die "veth $if1"
  ip link set "$if1" netns "$ns1" || bfdkv_die "veth move $if1"
  ip link set "$if2" netns "$ns2" || bfdkv_die "veth move $if2"
  ip -n "$ns1" link set "$if1" up && ip -n "$ns2" link set "$if2" up
}

# bfdkv_addr NS IF ADDR/LEN...: add addresses (IPv6 without DAD, so they are
# usable at once).
bfdkv_addr() {
  local ns=$1 ifn=$2 a; shift 2
  for a in "$@"; do
    case $a in
      *:*) ip -n "$ns" addr add "$a" dev "$ifn" nodad || bfdkv_die "addr $a" ;;
      *) ip -n "$ns" addr add "$a" dev "$ifn" || bfdkv_die "addr $a" ;;
    esac
  done
}

# bfdkv_topo_direct: namespaces A and B joined by one veth (single-hop).
bfdkv_topo_direct() {
  bfdkv_ns_add "$BFDKV_NS_A"; bfdkv_ns_add "$BFDKV_NS_B"
  bfdkv_veth "$BFDKV_NS_A" "$BFDKV_IF_A" "$BFDKV_NS_B" "$BFDKV_IF_B"
  bfdkv_addr "$BFDKV_NS_A" "$BFDKV_IF_A" 10.99.1.1/24 fd99:1::1/64
  bfdkv_addr "$BFDKV_NS_B" "$BFDKV_IF_B" 10.99.1.2/24 fd99:1::2/64
}

# bfdkv_topo_routed: A <-> R <-> B, R forwards IPv4 and IPv6, A and B route
# the other side's subnet through R (one routed hop, for multihop BFD).
bfdkv_topo_routed() {
  bfdkv_ns_add "$BFDKV_NS_A"; bfdkv_ns_add "$BFDKV_NS_B"; bfdkv_ns_add "$BFDKV_NS_R"
  bfdkv_veth "$BFDKV_NS_A" "$BFDKV_IF_A" "$BFDKV_NS_R" "$BFDKV_IF_RA"
  bfdkv_veth "$BFDKV_NS_B" "$BFDKV_IF_B" "$BFDKV_NS_R" "$BFDKV_IF_RB"
  bfdkv_addr "$BFDKV_NS_A" "$BFDKV_IF_A" 10.99.1.1/24 fd99:1::1/64
  bfdkv_addr "$BFDKV_NS_R" "$BFDKV_IF_RA" 10.99.1.254/24 fd99:1::fe/64
  bfdkv_addr "$BFDKV_NS_R" "$BFDKV_IF_RB" 10.99.2.254/24 fd99:2::fe/64
  bfdkv_addr "$BFDKV_NS_B" "$BFDKV_IF_B" 10.99.2.2/24 fd99:2::2/64
  ip netns exec "$BFDKV_NS_R" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  ip -n "$BFDKV_NS_A" route add 10.99.2.0/24 via 10.99.1.254
  ip -n "$BFDKV_NS_A" -6 route add fd99:2::/64 via fd99:1::fe
  ip -n "$BFDKV_NS_B" route add 10.99.1.0/24 via 10.99.2.254
  ip -n "$BFDKV_NS_B" -6 route add fd99:1::/64 via fd99:2::fe
}

# bfdkv_opt KEY DEFAULT OPTS...: the last KEY=value in OPTS, or DEFAULT.
bfdkv_opt() {
  local key=$1 val=$2 o; shift 2
  for o in "$@"; do
    case $o in "$key"=*) val=${o#*=} ;; esac
  done
  printf '%s' "$val"
}

# bfdkv_local_for PEER LOCALS: the address in the comma list LOCALS of the
# same family as PEER (IPv6 if it has a colon), or "".
bfdkv_local_for() {
  local peer=$1 l
  for l in ${2//,/ }; do
    if [[ $peer == *:* ]]; then
      [[ $l == *:* ]] && { printf '%s' "$l"; return; }
    else
      [[ $l != *:* ]] && { printf '%s' "$l"; return; }
    fi
  done
}

# bfdkv_spawn INSTANCE NS LOGFILE CMD...: start CMD in NS as a background job,
# record its PID. Output goes to LOGFILE.
bfdkv_spawn() {
  local ins=$1 ns=$2 log=$3; shift 3
  ip netns exec "$ns" "$@" >"$log" 2>&1 </dev/null &
  local pid=$!
  BFDKV_PID_LIST+=("$pid")
  BFDKV_INS_PID[$ins]=$pid
}

# Options understood by bfdkv_bird_start/bfdkv_frr_start (intervals in ms):
#   peer=ADDR[,ADDR...]   neighbours (required)
#   local=ADDR[,ADDR]     local address(es), one per family, matched to each
#                         peer by family (required for multihop and for FRR)
#   multihop=0|1          RFC 5883 session (port 4784); default 0
#   tx=MS rx=MS mult=N    Desired Min TX, Required Min RX, Detect Mult
#                         (defaults: the daemon's own, BIRD 100/10/5, FRR 300/300/3)
#   passive=0|1           wait for the peer's packets before sending
#   idle_tx=MS            BIRD only: TX interval while not Up (default 1000)
#   auth=TYPE             BIRD only: none simple keyed_md5 meticulous_keyed_md5
#                         keyed_sha1 meticulous_keyed_sha1
#   key=SECRET key_id=N   BIRD only: the password and its ID (default id 1)
#   min_ttl=N             FRR multihop only: minimum received TTL (FRR default 254)
#   shutdown=0|1          FRR only: start the peer administratively down
#   ifname=IF             FRR only: bind the single-hop peer to IF (starts zebra)
#   zebra=0|1             FRR only: also start a private zebra in the namespace
#                         (default: only when ifname= is given)

# bfdkv_bird_conf INSTANCE OPTS...: write INSTANCE's bird.conf.
bfdkv_bird_conf() {
  local ins=$1; shift
  local dir=${BFDKV_INS_DIR[$ins]}
  local peers loc mh tx rx mult passive idle auth key kid rid p l
  peers=$(bfdkv_opt peer "" "$@"); loc=$(bfdkv_opt local "" "$@")
  mh=$(bfdkv_opt multihop 0 "$@"); tx=$(bfdkv_opt tx "" "$@"); rx=$(bfdkv_opt rx "" "$@")
  mult=$(bfdkv_opt mult "" "$@"); passive=$(bfdkv_opt passive 0 "$@")
  idle=$(bfdkv_opt idle_tx "" "$@"); auth=$(bfdkv_opt auth none "$@")
  key=$(bfdkv_opt key "" "$@"); kid=$(bfdkv_opt key_id 1 "$@")
  [ -n "$peers" ] || bfdkv_die "bird $ins: peer= is required"
  rid=$(bfdkv_local_for 10.0.0.0 "$loc")
  [ -n "$rid" ] || rid=10.99.255.$(( ${#BFDKV_KIND[@]} % 250 + 1 ))
  local opts=""
  [ -n "$tx" ] && opts+="    min tx interval $tx ms;"$'\n'
  [ -n "$rx" ] && opts+="    min rx interval $rx ms;"$'\n'
  [ -n "$mult" ] && opts+="    multiplier $mult;"$'\n'
  [ -n "$idle" ] && opts+="    idle tx interval $idle ms;"$'\n'
  [ "$passive" = 1 ] && opts+="    passive yes;"$'\n'
  if [ "$auth" != none ]; then
    opts+="    authentication ${auth//_/ };"$'\n'
    opts+="    password \"$key\" { id $kid; };"$'\n'
  fi
  {
    echo "# generated by bfdkit test/interop/lib.sh"
    echo "router id $rid;"
    echo "log \"$dir/bird.log\" all;"
    echo "debug protocols { states, events };"
    echo "protocol device { scan time 10; }"
    echo "protocol bfd bfd1 {"
    if [ "$mh" = 1 ]; then
      printf '  multihop {\n%s  };\n' "$opts"
    else
      printf '  interface "*" {\n%s  };\n' "$opts"
    fi
    for p in ${peers//,/ }; do
      l=$(bfdkv_local_for "$p" "$loc")
      if [ "$mh" = 1 ]; then
        echo "  neighbor $p local $l multihop yes;"
      elif [ -n "$l" ]; then
        echo "  neighbor $p local $l;"
      else
        echo "  neighbor $p;"
      fi
    done
    echo "}"
  } >"$dir/bird.conf"
}

# bfdkv_bird_start INSTANCE NS OPTS...: start a private BIRD in NS with a
# generated config (see the option list above); control socket, pid file,
# config and log live in $BFDKV_TMP/INSTANCE. Waits for the control socket.
bfdkv_bird_start() {
  local ins=$1 ns=$2; shift 2
  local dir="$BFDKV_TMP/$ins"
  mkdir -p "$dir"
  BFDKV_KIND[$ins]=bird; BFDKV_INS_NS[$ins]=$ns; BFDKV_INS_DIR[$ins]=$dir
  BFDKV_INS_OPTS[$ins]="$*"
  bfdkv_bird_conf "$ins" "$@"
  "$BFDKV_BIRD" -p -c "$dir/bird.conf" || bfdkv_die "bird $ins: bad config $dir/bird.conf"
  bfdkv_spawn "$ins" "$ns" "$dir/stdout.log" \
    "$BFDKV_BIRD" -f -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid"
  local i
  for i in $(seq 50); do
    [ -S "$dir/bird.ctl" ] && return 0
    kill -0 "${BFDKV_INS_PID[$ins]}" 2>/dev/null || break
    sleep 0.1
  done
  cat "$dir/stdout.log" >&2
  bfdkv_die "bird $ins did not start"
}

# bfdkv_birdc INSTANCE CMD...: run one birdc command against INSTANCE.
bfdkv_birdc() {
  local ins=$1; shift
  "$BFDKV_BIRDC" -s "${BFDKV_INS_DIR[$ins]}/bird.ctl" "$@"
}

# bfdkv_bird_reconfigure INSTANCE OPTS...: rewrite the config with the
# previous options overridden by OPTS and apply it live (birdc configure);
# BIRD then starts a Poll sequence for changed intervals.
bfdkv_bird_reconfigure() {
  local ins=$1; shift
  # shellcheck disable=SC2086
  set -- ${BFDKV_INS_OPTS[$ins]} "$@"
  BFDKV_INS_OPTS[$ins]="$*"
  bfdkv_bird_conf "$ins" "$@"
  bfdkv_birdc "$ins" configure >/dev/null || bfdkv_die "bird $ins: configure failed"
}

# bfdkv_frr_conf INSTANCE OPTS...: write INSTANCE's bfdd.conf.
bfdkv_frr_conf() {
  local ins=$1; shift
  local dir=${BFDKV_INS_DIR[$ins]}
  local peers loc mh tx rx mult passive minttl shut ifname p hdr
  peers=$(bfdkv_opt peer "" "$@"); loc=$(bfdkv_opt local "" "$@")
  mh=$(bfdkv_opt multihop 0 "$@"); tx=$(bfdkv_opt tx "" "$@"); rx=$(bfdkv_opt rx "" "$@")
  mult=$(bfdkv_opt mult "" "$@"); passive=$(bfdkv_opt passive 0 "$@")
  minttl=$(bfdkv_opt min_ttl "" "$@"); shut=$(bfdkv_opt shutdown 0 "$@")
  ifname=$(bfdkv_opt ifname "" "$@")
  if [ -z "$peers" ] || [ -z "$loc" ]; then bfdkv_die "frr $ins: peer= and local= are required"; fi
  {
    echo "! generated by bfdkit test/interop/lib.sh"
    echo "hostname $ins"
    echo "log file $dir/bfdd.log informational"
    echo "bfd"
    for p in ${peers//,/ }; do
      hdr=" peer $p"
      [ "$mh" = 1 ] && hdr+=" multihop"
      hdr+=" local-address $(bfdkv_local_for "$p" "$loc")"
      [ -n "$ifname" ] && [ "$mh" != 1 ] && hdr+=" interface $ifname"
      echo "$hdr"
      [ -n "$mult" ] && echo "  detect-multiplier $mult"
      [ -n "$rx" ] && echo "  receive-interval $rx"
      [ -n "$tx" ] && echo "  transmit-interval $tx"
      [ "$passive" = 1 ] && echo "  passive-mode"
      [ -n "$minttl" ] && echo "  minimum-ttl $minttl"
      [ "$shut" = 1 ] && echo "  shutdown" || echo "  no shutdown"
      echo " exit"
    done
    echo "exit"
  } >"$dir/bfdd.conf"
  chmod 644 "$dir/bfdd.conf"
}

# bfdkv_zebra_start INSTANCE NS DIR: a private zebra in NS serving
# DIR/zserv.api (the -z socket of the FRR daemons started with DIR), vty
# socket in DIR, no TCP vty; waits for the socket. bfdkv_frr_start names it
# "<bfdd instance>-zebra", which bfdkv_stop of the bfdd instance also stops.
bfdkv_zebra_start() {
  local ins=$1 ns=$2 dir=$3 i
  printf 'hostname %s\n' "$ins" >"$dir/zebra.conf"
  chmod 644 "$dir/zebra.conf"
  bfdkv_spawn "$ins" "$ns" "$dir/zebra.stdout.log" \
    "${BFDKV_BFDD%/*}/zebra" -f "$dir/zebra.conf" --vty_socket "$dir" -i "$dir/zebra.pid" \
    -z "$dir/zserv.api" -P 0 --log "file:$dir/zebra.stdlog"
  for i in $(seq 50); do [ -S "$dir/zserv.api" ] && break; sleep 0.1; done
  [ -S "$dir/zserv.api" ] || { cat "$dir/zebra.stdout.log" >&2; bfdkv_die "zebra $ins did not start"; }
}

# bfdkv_frr_start INSTANCE NS OPTS...: start a private FRR bfdd in NS, not
# daemonised, by default without zebra (-z points at a socket nobody serves:
# bfdd keeps retrying and runs sessions not bound to an interface; with
# ifname=/zebra=1 a private zebra serves that socket), no TCP vty (-P 0),
# vty/control sockets, pid file and logs in $BFDKV_TMP/INSTANCE (owned by the
# frr user, which bfdd drops to). Waits for the vty socket.
bfdkv_frr_start() {
  local ins=$1 ns=$2; shift 2
  local dir="$BFDKV_TMP/$ins"
  mkdir -p "$dir"
  BFDKV_KIND[$ins]=frr; BFDKV_INS_NS[$ins]=$ns; BFDKV_INS_DIR[$ins]=$dir
  BFDKV_INS_OPTS[$ins]="$*"
  bfdkv_frr_conf "$ins" "$@"
  chown frr:frr "$dir" 2>/dev/null || chmod 777 "$dir"
  local i zebra
  zebra=$(bfdkv_opt zebra "" "$@")
  [ -z "$zebra" ] && [ -n "$(bfdkv_opt ifname "" "$@")" ] && zebra=1
  if [ "$zebra" = 1 ]; then
    # bfdd learns interfaces (ifindex) only from zebra: needed for peers
    # bound to an interface.
    bfdkv_zebra_start "$ins-zebra" "$ns" "$dir"
  fi
  bfdkv_spawn "$ins" "$ns" "$dir/stdout.log" \
    "$BFDKV_BFDD" -f "$dir/bfdd.conf" --vty_socket "$dir" -i "$dir/bfdd.pid" \
    --bfdctl "$dir/bfdd.sock" -z "$dir/zserv.api" -P 0 --log "file:$dir/bfdd.stdlog"
  for i in $(seq 50); do
    [ -S "$dir/bfdd.vty" ] && return 0
    kill -0 "${BFDKV_INS_PID[$ins]}" 2>/dev/null || break
    sleep 0.1
  done
  cat "$dir/stdout.log" >&2
  bfdkv_die "bfdd $ins did not start"
}

# bfdkv_vtysh INSTANCE CMD...: run vtysh commands (each a separate -c)
# against INSTANCE's bfdd.
bfdkv_vtysh() {
  local ins=$1 c; shift
  local args=()
  for c in "$@"; do args+=(-c "$c"); done
  "$BFDKV_VTYSH" --vty_socket "${BFDKV_INS_DIR[$ins]}" "${args[@]}"
}

# bfdkv_frr_peer_cmd INSTANCE PEER CMD...: run configuration commands inside
# FRR's "bfd / peer PEER ..." node, using the instance's local/multihop opts.
bfdkv_frr_peer_cmd() {
  local ins=$1 peer=$2; shift 2
  # shellcheck disable=SC2086
  set -- ${BFDKV_INS_OPTS[$ins]} -- "$@"
  local o opts=() cmds=() seen=0
  for o in "$@"; do
    if [ $seen = 1 ]; then cmds+=("$o"); elif [ "$o" = -- ]; then seen=1; else opts+=("$o"); fi
  done
  local hdr="peer $peer"
  [ "$(bfdkv_opt multihop 0 "${opts[@]}")" = 1 ] && hdr+=" multihop"
  hdr+=" local-address $(bfdkv_local_for "$peer" "$(bfdkv_opt local "" "${opts[@]}")")"
  local ifname; ifname=$(bfdkv_opt ifname "" "${opts[@]}")
  [ -n "$ifname" ] && [ "$(bfdkv_opt multihop 0 "${opts[@]}")" != 1 ] && hdr+=" interface $ifname"
  bfdkv_vtysh "$ins" "configure terminal" "bfd" "$hdr" "${cmds[@]}"
}

# bfdkv_set_intervals INSTANCE PEER TX_MS RX_MS [MULT]: change a live
# session's timers (FRR: vtysh; BIRD: reconfigure, which applies to all its
# sessions). Both daemons then run a Poll sequence.
bfdkv_set_intervals() {
  local ins=$1 peer=$2 tx=$3 rx=$4 mult=${5:-}
  case ${BFDKV_KIND[$ins]} in
    frr)
      local c=("transmit-interval $tx" "receive-interval $rx")
      [ -n "$mult" ] && c+=("detect-multiplier $mult")
      bfdkv_frr_peer_cmd "$ins" "$peer" "${c[@]}" ;;
    bird)
      if [ -n "$mult" ]; then bfdkv_bird_reconfigure "$ins" tx="$tx" rx="$rx" mult="$mult"
      else bfdkv_bird_reconfigure "$ins" tx="$tx" rx="$rx"; fi ;;
  esac
}

# bfdkv_admin_down INSTANCE PEER [1|0]: shut the session down
# administratively (1, default) or bring it back (0). FRR: "shutdown" under
# the peer (sends AdminDown). BIRD has no per-session shutdown: this disables
# / enables the whole bfd protocol (birdc disable bfd1).
bfdkv_admin_down() {
  local ins=$1 peer=$2 on=${3:-1}
  case ${BFDKV_KIND[$ins]} in
    frr) if [ "$on" = 1 ]; then bfdkv_frr_peer_cmd "$ins" "$peer" shutdown
         else bfdkv_frr_peer_cmd "$ins" "$peer" "no shutdown"; fi ;;
    bird) if [ "$on" = 1 ]; then bfdkv_birdc "$ins" disable bfd1 >/dev/null
          else bfdkv_birdc "$ins" enable bfd1 >/dev/null; fi ;;
  esac
}

# bfdkv_state INSTANCE PEER: print the session state as the daemon's CLI
# shows it, normalised to admindown | down | init | up ("" if unknown).
bfdkv_state() {
  local ins=$1 peer=$2
  case ${BFDKV_KIND[$ins]} in
    bird)
      bfdkv_birdc "$ins" show bfd sessions 2>/dev/null |
        awk -v p="$peer" '$1 == p { for (i = 2; i <= NF; i++)
          if ($i ~ /^(AdminDown|Down|Init|Up)$/) { print tolower($i); exit } }' ;;
    frr)
      bfdkv_vtysh "$ins" "show bfd peers" 2>/dev/null |
        awk -v p="$peer" '$1 == "peer" { cur = ($2 == p) }
          cur && $1 == "Status:" { s = $2; if (s == "shutdown") s = "admindown"; print s; exit }' ;;
  esac
}

# bfdkv_remote_discr INSTANCE PEER: print the remote discriminator the
# daemon has learnt (decimal). FRR only: BIRD 2.0.12's CLI does not show
# discriminators, so this prints nothing for BIRD (read it from a capture).
bfdkv_remote_discr() {
  local ins=$1 peer=$2
  case ${BFDKV_KIND[$ins]} in
    frr)
      bfdkv_vtysh "$ins" "show bfd peers" 2>/dev/null |
        awk -v p="$peer" '$1 == "peer" { cur = ($2 == p) }
          cur && $1 == "Remote" && $2 == "ID:" { print $3; exit }' ;;
    *) : ;;
  esac
}

# bfdkv_local_discr INSTANCE PEER: FRR's own discriminator for PEER.
bfdkv_local_discr() {
  local ins=$1 peer=$2
  [ "${BFDKV_KIND[$ins]}" = frr ] || return 0
  bfdkv_vtysh "$ins" "show bfd peers" 2>/dev/null |
    awk -v p="$peer" '$1 == "peer" { cur = ($2 == p) } cur && $1 == "ID:" { print $2; exit }'
}

# bfdkv_wait_state INSTANCE PEER STATE TIMEOUT_S: poll every 100 ms until
# the session is in STATE; return 1 on timeout.
bfdkv_wait_state() {
  local ins=$1 peer=$2 want=$3 t=$4 i
  for i in $(seq $(( t * 10 ))); do
    [ "$(bfdkv_state "$ins" "$peer")" = "$want" ] && return 0
    sleep 0.1
  done
  bfdkv_log "$ins: $peer not $want after ${t}s (is: $(bfdkv_state "$ins" "$peer"))"
  return 1
}

# bfdkv_stop INSTANCE: stop a daemon gracefully (TERM, KILL after 3 s) and
# reap it (and FRR's private zebra, if it has one).
bfdkv_stop() {
  local ins=$1 pid=${BFDKV_INS_PID[$1]:-} i
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  bfdkv_forget "$pid"
  unset "BFDKV_INS_PID[$ins]"
  [ -n "${BFDKV_INS_PID[$ins-zebra]:-}" ] && bfdkv_stop "$ins-zebra"
  return 0
}

# bfdkv_kill9 INSTANCE: SIGKILL the daemon we started (simulates a crash: no
# AdminDown, no goodbye) and reap it. Sets BFDKV_KILL_NS and BFDKV_KILLED_NS
# to CLOCK_REALTIME ns read just before and just after the kill (bash's
# $EPOCHREALTIME: no fork between the reads and the kill, which a busy
# machine could stretch). Do not call it in $(...): the bookkeeping would be
# lost in the subshell.
bfdkv_kill9() {
  local ins=$1 pid=${BFDKV_INS_PID[$1]:-} t0 t1
  [ -n "$pid" ] || bfdkv_die "kill9 $ins: not running"
  t0=$EPOCHREALTIME
  kill -KILL "$pid"
  t1=$EPOCHREALTIME
  BFDKV_KILL_NS=${t0//[!0-9]/}000 BFDKV_KILLED_NS=${t1//[!0-9]/}000
  wait "$pid" 2>/dev/null
  bfdkv_forget "$pid"
  unset "BFDKV_INS_PID[$ins]"
}

# bfdkv_capture_start NS IF PCAP [FILTER]: start tshark in NS on IF writing
# PCAP (default filter: BFD control ports 3784 and 4784); waits until tshark
# is capturing.
bfdkv_capture_start() {
  local ns=$1 ifn=$2 pcap=$3 filt=${4:-udp port 3784 or udp port 4784} i
  ip netns exec "$ns" tshark -q -i "$ifn" -f "$filt" -w "$pcap" >"$pcap.log" 2>&1 </dev/null &
  local pid=$!
  BFDKV_PID_LIST+=("$pid"); BFDKV_CAP_PID[$pcap]=$pid
  for i in $(seq 50); do
    grep -q 'Capturing on' "$pcap.log" 2>/dev/null && { sleep 0.2; return 0; }
    sleep 0.1
  done
  cat "$pcap.log" >&2
  bfdkv_die "tshark on $ns/$ifn did not start"
}

# bfdkv_capture_stop PCAP: stop that capture (SIGINT, so the file is
# complete) and wait for it.
bfdkv_capture_stop() {
  local pcap=$1 pid=${BFDKV_CAP_PID[$1]:-}
  [ -n "$pid" ] || return 0
  sleep 0.3
  kill -INT "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  bfdkv_forget "$pid"
  unset "BFDKV_CAP_PID[$pcap]"
}

# bfdkv_pcap_fields PCAP: one tab-separated line per BFD control packet:
# time src dst ttl/hlim sport dport payload-hex state diag flags mult my your
# tx rx echo authtype authlen keyid seq (values as tshark's BFD dissector
# decodes them: an independent oracle for our codec).
bfdkv_pcap_fields() {
  tshark -r "$1" -Y 'bfd && !icmp && !icmpv6' -T fields -E separator=/t -E occurrence=f \
    -e frame.time_epoch -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst -e ip.ttl -e ipv6.hlim \
    -e udp.srcport -e udp.dstport -e udp.payload -e bfd.sta -e bfd.diag -e bfd.flags \
    -e bfd.detect_time_multiplier -e bfd.my_discriminator -e bfd.your_discriminator \
    -e bfd.desired_min_tx_interval -e bfd.required_min_rx_interval \
    -e bfd.required_min_echo_interval -e bfd.auth.type -e bfd.auth.len -e bfd.auth.key \
    -e bfd.auth.seq_num 2>/dev/null |
    awk -F'\t' 'BEGIN { OFS = "\t" }
      { print $1, $2 $3, $4 $5, $6 $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
              $17, $18, $19, $20, $21, $22, $23 }'
}

# ------------------------------------------------------------ BIRD key rings
# BIRD sends with the password whose "generate from/to" window contains now
# and, among those, the latest "generate from" (ties: the first listed);
# it accepts every password whose "accept from/to" window contains now, by
# Key ID (nest/password.c: password_find(list, 0), password_find_by_id).
# Defaults: generate and accept always. So a ring "1:K1|2:K2:generate from
# \"2099-01-01 00:00:00\";" sends key 1 and accepts both; giving key 2
# "generate from \"2000-01-01 00:00:00\";" (BIRD's time format is
# "YYYY-MM-DD hh:mm:ss") switches sending to key 2.
BFDKV_RING_MARK=bfdkv-ring-placeholder

# bfdkv_bird_ring_conf INSTANCE RING OPTS...: write INSTANCE's bird.conf as
# bfdkv_bird_conf does for OPTS (which must include auth=TYPE), with the key
# ring RING instead of the single password: entries separated by "|", each
# "ID:SECRET[:EXTRA]", EXTRA being raw BIRD password options (e.g.
# generate to "2000-01-01 00:00:00";). A SECRET must not contain ':', '|',
# '"' or '\'.
bfdkv_bird_ring_conf() {
  local ins=$1 ring=$2; shift 2
  bfdkv_bird_conf "$ins" "$@" key="$BFDKV_RING_MARK" key_id=0
  local conf=${BFDKV_INS_DIR[$ins]}/bird.conf pw="" e id rest sec extra line out="" n=0
  local -a entries
  IFS='|' read -ra entries <<<"$ring"
  for e in "${entries[@]}"; do
    [ -n "${e// /}" ] || continue
    id=${e%%:*}; rest=${e#*:}; sec=${rest%%:*}; extra=""
    [[ $rest == *:* ]] && extra=" ${rest#*:}"
    pw+="    password \"$sec\" { id $id;$extra };"$'\n'
  done
  while IFS= read -r line; do
    if [[ $line == *"password \"$BFDKV_RING_MARK\""* ]]; then out+=$pw; n=$((n + 1))
    else out+=$line$'\n'; fi
  done <"$conf"
  [ "$n" = 1 ] || bfdkv_die "bird $ins: ring: no password line to replace (auth= missing?)"
  printf '%s' "$out" >"$conf"
}

# bfdkv_bird_run INSTANCE NS: start a private BIRD in NS on the config
# already written to $BFDKV_TMP/INSTANCE/bird.conf (as bfdkv_bird_start does
# after writing it); waits for the control socket.
bfdkv_bird_run() {
  local ins=$1 ns=$2 i
  local dir=${BFDKV_INS_DIR[$ins]}
  "$BFDKV_BIRD" -p -c "$dir/bird.conf" || bfdkv_die "bird $ins: bad config $dir/bird.conf"
  bfdkv_spawn "$ins" "$ns" "$dir/stdout.log" \
    "$BFDKV_BIRD" -f -c "$dir/bird.conf" -s "$dir/bird.ctl" -P "$dir/bird.pid"
  for i in $(seq 50); do
    [ -S "$dir/bird.ctl" ] && return 0
    kill -0 "${BFDKV_INS_PID[$ins]}" 2>/dev/null || break
    sleep 0.1
  done
  cat "$dir/stdout.log" >&2
  bfdkv_die "bird $ins did not start"
}

# bfdkv_bird_start_ring INSTANCE NS RING OPTS...: bfdkv_bird_start with a
# key ring (see bfdkv_bird_ring_conf; OPTS must include auth=TYPE).
bfdkv_bird_start_ring() {
  local ins=$1 ns=$2 ring=$3; shift 3
  local dir="$BFDKV_TMP/$ins"
  mkdir -p "$dir"
  BFDKV_KIND[$ins]=bird; BFDKV_INS_NS[$ins]=$ns; BFDKV_INS_DIR[$ins]=$dir
  BFDKV_INS_OPTS[$ins]="$*"
  bfdkv_bird_ring_conf "$ins" "$ring" "$@"
  bfdkv_bird_run "$ins" "$ns"
}

# bfdkv_bird_reconfigure_ring INSTANCE RING: rewrite the config with the
# instance's options and the key ring RING, apply it live (birdc configure).
bfdkv_bird_reconfigure_ring() {
  local ins=$1 ring=$2
  # shellcheck disable=SC2086
  bfdkv_bird_ring_conf "$ins" "$ring" ${BFDKV_INS_OPTS[$ins]}
  bfdkv_birdc "$ins" configure >/dev/null || bfdkv_die "bird $ins: configure failed"
}
