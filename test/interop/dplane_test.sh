#!/usr/bin/env bash
#
# FRR distributed BFD interop (issue 13): Debian's bfdd 8.4.4 started with
# --dplaneaddr unix:..., with zebra, and bfdkit-dplaned in namespace bfdkd-a
# (10.99.1.1, fd99:1::1); a private BIRD 2 in namespace bfdkd-b (10.99.1.2,
# fd99:1::2), 100 ms x 3 on both ends. Peers are configured in bfdd with
# vtysh; bfdkit-dplaned runs them.
#
# Usage (root): test/interop/dplane_test.sh DPLANED [CASE...]
#   CASE (default all, in this order):
#   v4       IPv4 single-hop peer (interface-bound) comes Up: `show bfd peers`
#            Up, its Remote ID is BIRD's discriminator (read from a capture);
#            `show bfd peers counters` shows bfdkit's counters (nonzero,
#            growing); SIGKILL of BIRD -> Down with "control detection time
#            expired" in bfdd (from bfdkit's STATE_CHANGE) within the
#            Detection Time (300 ms) + one interval (100 ms), measured from
#            the kill to bfdkit-dplaned's log line and, as an upper bound
#            with vtysh's own latency, to bfdd's CLI.
#   v6       IPv6 single-hop peer comes Up.
#   shutdown `shutdown` on the peer in vtysh -> BIRD sees AdminDown (its
#            CLI), `no shutdown` -> Up again.
#   nopeer   `no peer` -> BIRD sees AdminDown (the goodbye), not a failure.
#   restart  bfdd restarted: bfdkit-dplaned reconnects, the session is
#            re-learned and shown Up by the new bfdd, BIRD never leaves Up.
#   silent   bfdd stopped (SIGSTOP: the stream stays open, nothing is
#            answered): dplaned's keepalive (1 s here) gives up after 3 s and
#            reconnects, BIRD stays Up; SIGCONT -> bfdd shows it Up again.
#   dplaned  bfdkit-dplaned restarted (SIGTERM: AdminDown to BIRD) -> the
#            session comes back Up.
#   multihop a new topology (A - router - B), bfdd on TCP
#            (--dplaneaddr ipv4:127.0.0.1:50700), an IPv4 multihop peer:
#            BIRD sends with TTL 64 (63 on arrival), so bfdd's default
#            minimum-ttl 254 keeps it Down (as bfdd's own BFD would);
#            minimum-ttl 63 -> Up; minimum-ttl 64 -> Down.
#   scale    SCALE_N (default 50, below bfdd 8.4.4's registration burst
#            limit) IPv4 single-hop peers on one link (A 10.98.1.i/16, B
#            10.98.2.i/16) through one bfdd, all Up; then bfdkit-dplaned is
#            restarted, so bfdd re-registers all of them in one burst on
#            connect: all Up again. Prints how many came back
#            (MEASURE what=scale_after_burst).
#   bgp      end to end with FRR's own BGP: bgpd in A (neighbor 10.99.1.2
#            bfd, profile 100 ms x 3, BGP hold time 180 s) peers with BIRD's
#            BGP (bfd on) in B, which announces 10.77.0.0/24; the route is
#            in A's kernel table (through zebra). A and B are joined through
#            a bridge in a third namespace; the cut takes A's port out of
#            the bridge, so everything between them is dropped while A's
#            link stays up (zebra sees no interface change and nexthop
#            tracking no route change): the route must be withdrawn
#            within the Detection Time + 100 ms (400 ms; the median of
#            three cuts, healed in between). Run twice in the
#            same run: through bfdkit-dplaned, and with bfdd's own BFD (no
#            --dplaneaddr), for comparison (MEASURE what=bgp_failover
#            mode=dplane|bfdd).
#
# Prints "MEASURE test=dplane what=... value_ms=V" lines.
# Exit 0 = pass, 1 = fail, 77 = cannot run here (not root, no namespaces,
# no BIRD / FRR / tshark).
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DPLANED=${1:-}
shift 1 2>/dev/null || true
CASES=${*:-v4 v6 shutdown nopeer restart silent dplaned multihop scale bgp}
SCALE_N=${SCALE_N:-50}
if [ ! -x "$DPLANED" ]; then echo "usage: $0 DPLANED [case...]" >&2; exit 2; fi
DPLANED=$(cd "$(dirname "$DPLANED")" && pwd)/$(basename "$DPLANED")

BFDKV_PREFIX=bfdkd # namespaces bfdkd-a/-b, veths bfdkd-a0/-b0 (lib.sh)
# shellcheck source=test/interop/lib.sh
. "$HERE/lib.sh"
bfdkv_require bird frr tshark
# One interop run at a time on this host (the lock of the other interop
# tests): concurrent runs disturb each other's timing.
exec 9>>"${BFDKI_LOCK:-/tmp/bfdkit-interop.lock}"
flock -w 120 9 || bfdkv_die "another interop run held the interop lock for 120 s"
bfdkv_init

FAILS=0
fail() { bfdkv_log "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { bfdkv_log "ok: $*"; }
now_ms() { local t=$EPOCHREALTIME; echo $(( ${t//[!0-9]/} / 1000 )); }

DETECT_MS=300   # 3 x 100 ms
INTERVAL_MS=100
FI=f1           # the FRR instance (bfdd + zebra)
BI=b1           # the BIRD instance
DP=dp           # bfdkit-dplaned's instance name (for the PID bookkeeping)
US4=10.99.1.1 PEER4=10.99.1.2 US6=fd99:1::1 PEER6=fd99:1::2
DPADDR= # bfdd's --dplaneaddr; set by frr_start (unix: unless DPTCP=1)
DPTCP=0

# frr_start: zebra + bfdd --dplaneaddr in A, with an empty bfd node (peers
# come from vtysh). Mirrors bfdkv_frr_start (lib.sh), which has no way to
# pass --dplaneaddr.
frr_start() {
  local dir="$BFDKV_TMP/$FI" i
  mkdir -p "$dir"
  BFDKV_KIND[$FI]=frr; BFDKV_INS_NS[$FI]=$BFDKV_NS_A; BFDKV_INS_DIR[$FI]=$dir
  BFDKV_INS_OPTS[$FI]="peer=$PEER4 local=$US4,$US6 ifname=$BFDKV_IF_A"
  printf 'hostname %s\nlog file %s/bfdd.log informational\nbfd\nexit\n' "$FI" "$dir" >"$dir/bfdd.conf"
  chmod 644 "$dir/bfdd.conf"
  chown frr:frr "$dir" 2>/dev/null || chmod 777 "$dir"
  # zebra is instance "$FI-zb", not "$FI-zebra": bfdkv_stop "$FI" (the
  # restart case) then stops bfdd alone.
  [ -n "${BFDKV_INS_PID[$FI-zb]:-}" ] || bfdkv_zebra_start "$FI-zb" "$BFDKV_NS_A" "$dir"
  rm -f "$dir/bfdd.vty"
  DPADDR="unix:$dir/dplane.sock"
  [ "$DPTCP" = 1 ] && DPADDR=ipv4:127.0.0.1:50700
  local dp=(--dplaneaddr "$DPADDR")
  [ "${NATIVE:-0}" = 1 ] && dp=() # bfdd's own BFD
  [ -n "${BFDD_CONF:-}" ] && printf '%s\n' "$BFDD_CONF" >>"$dir/bfdd.conf"
  bfdkv_spawn "$FI" "$BFDKV_NS_A" "$dir/stdout.log" \
    "$BFDKV_BFDD" -f "$dir/bfdd.conf" --vty_socket "$dir" -i "$dir/bfdd.pid" \
    --bfdctl "$dir/bfdd.sock" -z "$dir/zserv.api" -P 0 --log "file:$dir/bfdd.stdlog" "${dp[@]}"
  for i in $(seq 50); do
    if [ -S "$dir/bfdd.vty" ]; then
      if [ "${NATIVE:-0}" = 1 ]; then
        return 0
      elif [ "$DPTCP" = 1 ]; then
        ip netns exec "$BFDKV_NS_A" ss -Hltn 'sport = :50700' | grep -q . && return 0
      else
        [ -S "$dir/dplane.sock" ] && return 0
      fi
    fi
    sleep 0.1
  done
  cat "$dir/stdout.log" >&2
  bfdkv_die "bfdd did not start"
}

dplaned_start() {
  local dir="$BFDKV_TMP/$DP"
  mkdir -p "$dir"
  BFDKV_INS_NS[$DP]=$BFDKV_NS_A; BFDKV_INS_DIR[$DP]=$dir
  # Unprivileged: user frr (bfdd's socket is its), with CAP_NET_RAW alone
  # (SO_BINDTODEVICE for the interface-bound sessions). setpriv execs, so
  # $! stays the daemon's PID. Appends: a restart keeps the earlier log.
  local run=()
  if [ "${DPLANED_ROOT:-0}" != 1 ] && command -v setpriv >/dev/null && id frr >/dev/null 2>&1; then
    run=(setpriv --reuid=frr --regid=frr --init-groups --inh-caps=-all,+net_raw
         --ambient-caps=+net_raw --bounding-set=-all,+net_raw)
  fi
  chmod 755 "$dir"; touch "$dir/dplaned.log"; chmod 666 "$dir/dplaned.log"
  ip netns exec "$BFDKV_NS_A" "${run[@]}" "$DPLANED" -v --backoff-max 1000 --keepalive 1 \
    --dplaneaddr "$DPADDR" >>"$dir/dplaned.log" 2>&1 </dev/null &
  BFDKV_PID_LIST+=("$!"); BFDKV_INS_PID[$DP]=$!
}

dplaned_stop() { # SIGTERM: every peer is told AdminDown, then exit 0
  local pid=${BFDKV_INS_PID[$DP]:-} i rc
  [ -n "$pid" ] || return 0
  kill -TERM "$pid"
  for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid"; rc=$?
  bfdkv_forget "$pid"
  unset "BFDKV_INS_PID[$DP]"
  return $rc
}

peer_hdr() { # the bfd peer node of PEER
  case $1 in
    *:*) echo "peer $1 local-address $US6 interface $BFDKV_IF_A" ;;
    *) echo "peer $1 local-address $US4 interface $BFDKV_IF_A" ;;
  esac
}

peer_add() {
  bfdkv_vtysh "$FI" "configure terminal" "bfd" "$(peer_hdr "$1")" "receive-interval 100" \
    "transmit-interval 100" "detect-multiplier 3" >/dev/null
}

peer_cmd() { local p=$1; shift; bfdkv_vtysh "$FI" "configure terminal" "bfd" "$(peer_hdr "$p")" "$@" >/dev/null; }

# The peer's block of `show bfd peers`.
peer_show() {
  bfdkv_vtysh "$FI" "show bfd peers" 2>/dev/null |
    awk -v p="$1" '$1 == "peer" { cur = ($2 == p) } cur { print }'
}

bird_state() { bfdkv_state "$BI" "$1"; }

# our_states PCAP SRC: the state/diag pairs of SRC's packets, in decimal,
# consecutive repeats folded ("3/0 0/7").
our_states() {
  local st dg out="" last=""
  while IFS=$'\t' read -r st dg; do
    [ -n "$st" ] || continue
    st=$(printf '%d/%d' "$((st))" "$((dg))")
    [ "$st" != "$last" ] && out+="$st "
    last=$st
  done < <(bfdkv_pcap_fields "$1" | awk -F'\t' -v s="$2" 'BEGIN { OFS = "\t" } $2 == s { print $8, $9 }')
  printf '%s' "${out% }"
}

wait_bird() { # PEER STATE TIMEOUT_S
  local i
  for i in $(seq $(( $3 * 10 ))); do [ "$(bird_state "$1")" = "$2" ] && return 0; sleep 0.1; done
  return 1
}

# BIRD's My Discriminator toward PEER_OF_BIRD (us), from a short capture.
bird_discr() {
  local pcap="$BFDKV_TMP/discr.pcap"
  bfdkv_capture_start "$BFDKV_NS_A" "$BFDKV_IF_A" "$pcap"
  sleep 0.5
  bfdkv_capture_stop "$pcap"
  bfdkv_pcap_fields "$pcap" | awk -F'\t' -v s="$1" '$2 == s { print $12; exit }'
}

# ---------------------------------------------------------------- cases

case_v4() {
  local t0 t_up discr rid cnt1 cnt2 t_kill t_log t_cli
  t0=$(now_ms)
  peer_add $PEER4
  if ! bfdkv_wait_state "$FI" $PEER4 up 5; then fail "v4: not Up in bfdd within 5 s"; return; fi
  t_up=$(( $(now_ms) - t0 ))
  echo "MEASURE test=dplane what=v4_up value_ms=$t_up"
  ok "v4: Up in bfdd ${t_up} ms after the vtysh command"
  local who caps
  who=$(ps -o user= -p "${BFDKV_INS_PID[$DP]}" | tr -d ' ')
  caps=$(awk '$1 == "CapEff:" { print $2 }' "/proc/${BFDKV_INS_PID[$DP]}/status")
  bfdkv_log "bfdkit-dplaned runs as '$who', effective capabilities $caps"
  [ "${DPLANED_ROOT:-0}" = 1 ] || [ "$who" = frr ] && ok "v4: dplaned unprivileged (user $who, CapEff $caps)" ||
    fail "v4: dplaned runs as '$who'"
  wait_bird $US4 up 2 || fail "v4: BIRD does not show Up"
  discr=$(bird_discr $PEER4)
  [ -n "$discr" ] && discr=$((discr)) # tshark prints it in hex
  rid=$(bfdkv_remote_discr "$FI" $PEER4)
  if [ -n "$discr" ] && [ "$discr" = "$rid" ]; then ok "v4: bfdd's Remote ID $rid is BIRD's discriminator"
  else fail "v4: bfdd's Remote ID '$rid', BIRD's discriminator '$discr'"; fi
  peer_show $PEER4 | sed 's/^/    /' >&2
  # The remote's timers as bfdd shows them come from our STATE_CHANGE.
  if peer_show $PEER4 | awk '/Remote timers:/ { r = 1 } r && /Receive interval: 100ms/ { a = 1 }
       r && /Transmission interval: 100ms/ { b = 1 } END { exit !(a && b) }'; then
    ok "v4: bfdd shows BIRD's negotiated timers (100 ms / 100 ms) from bfdkit's STATE_CHANGE"
  else fail "v4: bfdd does not show BIRD's 100 ms timers"; fi
  grep -q "bfdd answered the keepalive" "$BFDKV_TMP/$DP/dplaned.log" &&
    ok "v4: bfdd answers dplaned's keepalive (ECHO_REQUEST -> ECHO_REPLY)" ||
    fail "v4: no ECHO_REPLY from bfdd to the keepalive"
  cnt1=$(bfdkv_vtysh "$FI" "show bfd peers counters" | awk -v p=$PEER4 '$1 == "peer" { cur = ($2 == p) }
    cur && $1 == "Control" && $3 == "input:" { print $4; exit }')
  sleep 1
  cnt2=$(bfdkv_vtysh "$FI" "show bfd peers counters" | awk -v p=$PEER4 '$1 == "peer" { cur = ($2 == p) }
    cur && $1 == "Control" && $3 == "input:" { print $4; exit }')
  if [ -n "$cnt1" ] && [ -n "$cnt2" ] && [ "$cnt2" -gt "$cnt1" ] && [ "$cnt1" -gt 0 ]; then
    ok "v4: show bfd peers counters: input packets $cnt1 -> $cnt2 in 1 s"
  else fail "v4: counters not growing ('$cnt1' -> '$cnt2')"; bfdkv_vtysh "$FI" "show bfd peers counters" >&2; fi

  # SIGKILL of BIRD: Down with diag 1 within detection time + one interval.
  local logf="$BFDKV_TMP/$DP/dplaned.log" lines
  lines=$(wc -l <"$logf")
  bfdkv_kill9 "$BI"
  t_kill=$(( BFDKV_KILL_NS / 1000000 ))
  t_cli=""
  local i
  for i in $(seq 100); do
    if peer_show $PEER4 | grep -q "Status: down"; then t_cli=$(now_ms); break; fi
    sleep 0.02
  done
  # dplaned's log line: "2026-...T03:30:01.123Z bfdkit-dplaned: session 10.99.1.2 ...: Up -> Down"
  t_log=$(tail -n +"$((lines + 1))" "$logf" | grep -m1 "10.99.1.2 .*Up -> Down (Control Detection Time Expired)" |
    awk '{ print $1 }')
  if [ -n "$t_log" ]; then
    t_log=$(date -d "${t_log%Z}Z" +%s%3N 2>/dev/null || echo "")
  fi
  if [ -z "$t_cli" ]; then fail "v4: bfdd does not show Down 2 s after BIRD was killed"; return; fi
  local d_cli=$(( t_cli - t_kill )) d_log
  echo "MEASURE test=dplane what=v4_kill_to_bfdd_cli value_ms=$d_cli"
  if [ -n "$t_log" ]; then
    d_log=$(( t_log - t_kill ))
    echo "MEASURE test=dplane what=v4_kill_to_down value_ms=$d_log"
    if [ "$d_log" -le $((DETECT_MS + INTERVAL_MS)) ]; then
      ok "v4: Down ${d_log} ms after the kill (limit $((DETECT_MS + INTERVAL_MS)) ms); bfdd's CLI showed it at ${d_cli} ms"
    else fail "v4: Down only ${d_log} ms after the kill (limit $((DETECT_MS + INTERVAL_MS)) ms)"; fi
  else fail "v4: no Up -> Down (Control Detection Time Expired) in dplaned's log"; fi
  if peer_show $PEER4 | grep -q "Remote diagnostics: control detection time expired"; then
    ok "v4: bfdd shows the diagnostic: control detection time expired (diag 1)"
  else fail "v4: bfdd does not show diag 1"; peer_show $PEER4 >&2; fi
  # BIRD back for the next cases.
  bfdkv_bird_run "$BI" "$BFDKV_NS_B"
  bfdkv_wait_state "$FI" $PEER4 up 5 || fail "v4: not Up again after BIRD's restart"
}

case_v6() {
  peer_add $PEER6
  if bfdkv_wait_state "$FI" $PEER6 up 5; then ok "v6: IPv6 single-hop Up in bfdd"
  else fail "v6: not Up"; fi
  wait_bird $US6 up 2 && ok "v6: BIRD shows Up" || fail "v6: BIRD does not show Up"
}

case_shutdown() {
  peer_cmd $PEER4 shutdown
  if wait_bird $US4 down 3; then ok "shutdown: BIRD went Down"
  else fail "shutdown: BIRD still $(bird_state $US4)"; fi
  # BIRD shows a peer's AdminDown as Down; the packets say AdminDown.
  local pcap="$BFDKV_TMP/shut.pcap" st
  bfdkv_capture_start "$BFDKV_NS_A" "$BFDKV_IF_A" "$pcap"
  sleep 1.5
  bfdkv_capture_stop "$pcap"
  st=$(our_states "$pcap" $US4)
  if [ "$st" = "0/7" ]; then ok "shutdown: we send AdminDown, diag 7 (capture: $st)"
  else fail "shutdown: capture shows state/diag '$st', want 0/7"; fi
  peer_show $PEER4 | grep -q "Status: shutdown" && ok "shutdown: bfdd shows shutdown" ||
    { fail "shutdown: bfdd does not show shutdown"; peer_show $PEER4 >&2; }
  peer_cmd $PEER4 "no shutdown"
  bfdkv_wait_state "$FI" $PEER4 up 5 && ok "shutdown: no shutdown -> Up" || fail "shutdown: not Up after no shutdown"
}

case_nopeer() {
  local pcap="$BFDKV_TMP/nopeer.pcap" st
  bfdkv_wait_state "$FI" $PEER6 up 5 || { fail "nopeer: $PEER6 not Up to begin with"; return; }
  bfdkv_capture_start "$BFDKV_NS_A" "$BFDKV_IF_A" "$pcap"
  bfdkv_vtysh "$FI" "configure terminal" "bfd" "no $(peer_hdr $PEER6)" >/dev/null
  sleep 1.5
  bfdkv_capture_stop "$pcap"
  st=$(our_states "$pcap" $US6)
  case $st in
    "3/0 0/7") ok "nopeer: goodbye: AdminDown diag 7 sent (capture: $st)" ;;
    *) fail "nopeer: no AdminDown in the capture ('$st')" ;;
  esac
  [ -z "$(peer_show $PEER6)" ] && ok "nopeer: gone from bfdd" || fail "nopeer: still in show bfd peers"
  grep -q "$PEER6.*removed" "$BFDKV_TMP/$DP/dplaned.log" && ok "nopeer: dplaned removed it" ||
    fail "nopeer: dplaned did not log the removal"
}

case_restart() {
  local pcap="$BFDKV_TMP/restart.pcap" st
  bfdkv_capture_start "$BFDKV_NS_A" "$BFDKV_IF_A" "$pcap"
  bfdkv_stop "$FI"
  sleep 1
  [ "$(bird_state $US4)" = up ] && ok "restart: BIRD still Up with bfdd gone" || fail "restart: BIRD $(bird_state $US4) with bfdd gone"
  frr_start
  peer_add $PEER4
  if bfdkv_wait_state "$FI" $PEER4 up 5; then ok "restart: the new bfdd shows the session Up"
  else fail "restart: not Up in the new bfdd"; fi
  sleep 0.5
  bfdkv_capture_stop "$pcap"
  st=$(our_states "$pcap" $US4)
  [ "$st" = "3/0" ] && ok "restart: no flap toward BIRD (every packet Up)" || fail "restart: states on the wire: '$st'"
  grep -qE "connected to bfdd \([1-9][0-9]* session" "$BFDKV_TMP/$DP/dplaned.log" && ok "restart: dplaned reconnected with its session running" ||
    fail "restart: no reconnect with a running session in dplaned's log"
}

case_silent() {
  local pid=${BFDKV_INS_PID[$FI]} lines
  lines=$(wc -l <"$BFDKV_TMP/$DP/dplaned.log")
  kill -STOP "$pid"
  sleep 4.5
  tail -n +"$((lines + 1))" "$BFDKV_TMP/$DP/dplaned.log" | grep -q "no answer to 3 keepalives" &&
    ok "silent: a stopped bfdd is noticed by the keepalive" || fail "silent: no keepalive timeout logged"
  [ "$(bird_state $US4)" = up ] && ok "silent: BIRD still Up" || fail "silent: BIRD $(bird_state $US4)"
  lines=$(wc -l <"$BFDKV_TMP/$DP/dplaned.log") # nothing comes from a stopped bfdd
  kill -CONT "$pid"
  local i
  # dplaned reconnected meanwhile (the listen backlog takes it); bfdd, once
  # running, re-registers the session on that connection.
  for i in $(seq 80); do
    tail -n +"$((lines + 1))" "$BFDKV_TMP/$DP/dplaned.log" | grep -q "ADD_SESSION" && break
    sleep 0.1
  done
  if tail -n +"$((lines + 1))" "$BFDKV_TMP/$DP/dplaned.log" | grep -q "ADD_SESSION" &&
     bfdkv_wait_state "$FI" $PEER4 up 5; then ok "silent: bfdd back, the session re-registered and Up in it"
  else fail "silent: no reconnect / not Up in bfdd after SIGCONT"; peer_show $PEER4 >&2; fi
}

case_dplaned() {
  local rc
  dplaned_stop; rc=$?
  [ $rc = 0 ] && ok "dplaned: SIGTERM -> exit 0" || fail "dplaned: exit $rc on SIGTERM"
  grep -q "every peer told AdminDown" "$BFDKV_TMP/$DP/dplaned.log" && ok "dplaned: told every peer AdminDown" ||
    fail "dplaned: no AdminDown on shutdown in its log"
  wait_bird $US4 down 2 && ok "dplaned: BIRD saw the session go Down" || fail "dplaned: BIRD still $(bird_state $US4)"
  local st; st=$(bfdkv_state "$FI" $PEER4)
  [ "$st" != up ] && ok "dplaned: bfdd shows '$st' with its data plane gone" ||
    fail "dplaned: bfdd still shows Up with its data plane gone"
  dplaned_start
  if bfdkv_wait_state "$FI" $PEER4 up 8 && wait_bird $US4 up 2; then
    ok "dplaned: restarted, the session is back Up (bfdd and BIRD)"
  else fail "dplaned: not Up after the restart (bfdd $(bfdkv_state "$FI" $PEER4), BIRD $(bird_state $US4))"; fi
}

case_multihop() {
  local mh="peer 10.99.2.2 multihop local-address $US4" i st
  dplaned_stop >/dev/null
  bfdkv_reset
  bfdkv_topo_routed
  bfdkv_bird_start "$BI" "$BFDKV_NS_B" peer=$US4 local=10.99.2.2 multihop=1 tx=100 rx=100 mult=3 \
    idle_tx=100
  DPTCP=1 frr_start
  dplaned_start
  # BIRD sends multihop packets with the OS default TTL (64: 63 here, after
  # the router), so bfdd's default minimum-ttl 254 drops them, as bfdd's
  # own BFD would: the session must stay Down.
  bfdkv_vtysh "$FI" "configure terminal" "bfd" "$mh" "receive-interval 100" \
    "transmit-interval 100" "detect-multiplier 3" >/dev/null
  sleep 2
  st=$(bfdkv_state "$FI" 10.99.2.2)
  [ "$st" = down ] && ok "multihop: minimum-ttl 254 (bfdd's default) drops BIRD's TTL-63 packets: Down" ||
    fail "multihop: '$st' with minimum-ttl 254 and BIRD's TTL 63"
  grep -q "flags 0x1 .* ttl 254" "$BFDKV_TMP/$DP/dplaned.log" && ok "multihop: bfdd sent minimum TTL 254" ||
    fail "multihop: no ADD with the multihop flag and ttl 254 in the log"
  bfdkv_vtysh "$FI" "configure terminal" "bfd" "$mh" "minimum-ttl 63" >/dev/null
  if bfdkv_wait_state "$FI" 10.99.2.2 up 5; then ok "multihop: minimum-ttl 63 -> IPv4 multihop Up, over TCP (ipv4:127.0.0.1:50700)"
  else
    fail "multihop: not Up with minimum-ttl 63"
    local pcap="$BFDKV_TMP/mh.pcap"
    bfdkv_capture_start "$BFDKV_NS_A" "$BFDKV_IF_A" "$pcap"; sleep 1; bfdkv_capture_stop "$pcap"
    bfdkv_pcap_fields "$pcap" | head -6 >&2
    return
  fi
  bfdkv_vtysh "$FI" "configure terminal" "bfd" "$mh" "minimum-ttl 64" >/dev/null
  if bfdkv_wait_state "$FI" 10.99.2.2 down 3; then ok "multihop: minimum-ttl 64 -> Down (detection timeout)"
  else fail "multihop: still $(bfdkv_state "$FI" 10.99.2.2) with minimum-ttl 64"; fi
}

count_up() { bfdkv_vtysh "$FI" "show bfd peers brief" 2>/dev/null | grep -c " up "; }

wait_count_up() { # N TIMEOUT_S
  local i n=0
  for i in $(seq $(( $2 * 2 ))); do n=$(count_up); [ "$n" -ge "$1" ] && break; sleep 0.5; done
  echo "$n"
}

case_scale() {
  local n=$SCALE_N i cmds=() dir="$BFDKV_TMP/$BI-scale" t0 got
  dplaned_stop >/dev/null
  bfdkv_reset
  bfdkv_topo_direct
  for i in $(seq "$n"); do
    ip -n "$BFDKV_NS_A" addr add "10.98.1.$i/16" dev "$BFDKV_IF_A"
    ip -n "$BFDKV_NS_B" addr add "10.98.2.$i/16" dev "$BFDKV_IF_B"
  done
  mkdir -p "$dir"
  BFDKV_KIND[$BI]=bird; BFDKV_INS_NS[$BI]=$BFDKV_NS_B; BFDKV_INS_DIR[$BI]=$dir
  {
    echo "router id 10.98.2.1;"
    echo "log \"$dir/bird.log\" all;"
    echo "protocol device { scan time 10; }"
    echo "protocol bfd bfd1 {"
    echo "  interface \"*\" { min tx interval 300 ms; min rx interval 300 ms; multiplier 3; };"
    for i in $(seq "$n"); do echo "  neighbor 10.98.1.$i local 10.98.2.$i;"; done
    echo "}"
  } >"$dir/bird.conf"
  bfdkv_bird_run "$BI" "$BFDKV_NS_B"
  frr_start
  dplaned_start
  cmds=("configure terminal" "bfd")
  for i in $(seq "$n"); do
    cmds+=("peer 10.98.2.$i local-address 10.98.1.$i interface $BFDKV_IF_A" "exit")
  done
  t0=$(now_ms)
  bfdkv_vtysh "$FI" "${cmds[@]}" >/dev/null
  got=$(wait_count_up "$n" 20)
  echo "MEASURE test=dplane what=scale_up sessions=$got of=$n value_ms=$(( $(now_ms) - t0 ))"
  [ "$got" = "$n" ] && ok "scale: all $n sessions Up through one bfdd" || fail "scale: $got of $n Up"
  # The registration burst: bfdd sends all of them at once on connect.
  dplaned_stop >/dev/null
  t0=$(now_ms)
  dplaned_start
  sleep 1
  got=$(wait_count_up "$n" 20)
  echo "MEASURE test=dplane what=scale_after_burst sessions=$got of=$n value_ms=$(( $(now_ms) - t0 ))"
  [ "$got" = "$n" ] && ok "scale: all $n Up again after dplaned's reconnect (one registration burst)" ||
    fail "scale: $got of $n Up after the registration burst"
  grep -c "session .* added" "$BFDKV_TMP/$DP/dplaned.log" | sed 's/^/    sessions added by dplaned (both runs): /' >&2
}

# A - bridge (namespace M) - B, the addresses of the direct topology.
topo_bridged() {
  local m="$BFDKV_PREFIX-m"
  bfdkv_ns_add "$BFDKV_NS_A"; bfdkv_ns_add "$BFDKV_NS_B"; bfdkv_ns_add "$m"
  ip -n "$m" link add "$BFDKV_PREFIX-br" type bridge || bfdkv_die "bridge"
  ip -n "$m" link set "$BFDKV_PREFIX-br" up
  bfdkv_veth "$BFDKV_NS_A" "$BFDKV_IF_A" "$m" "$BFDKV_PREFIX-ma"
  bfdkv_veth "$BFDKV_NS_B" "$BFDKV_IF_B" "$m" "$BFDKV_PREFIX-mb"
  ip -n "$m" link set "$BFDKV_PREFIX-ma" master "$BFDKV_PREFIX-br"
  ip -n "$m" link set "$BFDKV_PREFIX-mb" master "$BFDKV_PREFIX-br"
  bfdkv_addr "$BFDKV_NS_A" "$BFDKV_IF_A" 10.99.1.1/24 fd99:1::1/64
  bfdkv_addr "$BFDKV_NS_B" "$BFDKV_IF_B" 10.99.1.2/24 fd99:1::2/64
}

# bgp_run MODE (dplane | bfdd): one failover measurement (BGP_MS).
bgp_run() {
  local mode=$1 dir bdir="$BFDKV_TMP/$BI-bgp-$1" i t_cut t_gone
  dplaned_stop >/dev/null
  bfdkv_reset
  topo_bridged
  mkdir -p "$bdir"
  BFDKV_KIND[$BI]=bird; BFDKV_INS_NS[$BI]=$BFDKV_NS_B; BFDKV_INS_DIR[$BI]=$bdir
  cat >"$bdir/bird.conf" <<EOC
router id $PEER4;
log "$bdir/bird.log" all;
protocol device { scan time 10; }
protocol bfd bfd1 { interface "*" { min tx interval 100 ms; min rx interval 100 ms; multiplier 3; }; }
protocol static { ipv4; route 10.77.0.0/24 blackhole; }
protocol bgp a {
  local $PEER4 as 65002;
  neighbor $US4 as 65001;
  connect delay time 1;
  connect retry time 2;
  error wait time 1, 4;
  bfd on;
  ipv4 { import all; export where net = 10.77.0.0/24; };
}
EOC
  bfdkv_bird_run "$BI" "$BFDKV_NS_B"
  local prof
  prof=$(printf 'bfd\n profile fast\n  transmit-interval 100\n  receive-interval 100\n  detect-multiplier 3\n exit\nexit')
  if [ "$mode" = bfdd ]; then NATIVE=1 BFDD_CONF=$prof frr_start; else BFDD_CONF=$prof frr_start; dplaned_start; fi
  dir=${BFDKV_INS_DIR[$FI]}
  cat >"$dir/bgpd.conf" <<EOC
frr defaults traditional
hostname $FI-bgpd
log file $dir/bgpd.log informational
router bgp 65001
 bgp router-id $US4
 no bgp ebgp-requires-policy
 neighbor $PEER4 remote-as 65002
 neighbor $PEER4 timers connect 1
 neighbor $PEER4 bfd
 neighbor $PEER4 bfd profile fast
exit
EOC
  chmod 644 "$dir/bgpd.conf"
  bfdkv_spawn "$FI-bgpd" "$BFDKV_NS_A" "$dir/bgpd.stdout.log" \
    "${BFDKV_BFDD%/*}/bgpd" -f "$dir/bgpd.conf" --vty_socket "$dir" -i "$dir/bgpd.pid" \
    -z "$dir/zserv.api" -P 0 --log "file:$dir/bgpd.stdlog"
  local k vals=() t_down
  for k in 1 2 3; do
    for i in $(seq 600); do
      ip -n "$BFDKV_NS_A" route show 10.77.0.0/24 | grep -q "proto bgp" && break
      sleep 0.1
    done
    if ! ip -n "$BFDKV_NS_A" route show 10.77.0.0/24 | grep -q "proto bgp"; then
      fail "bgp/$mode: 10.77.0.0/24 not in A's kernel table after 60 s"
      bfdkv_vtysh "$FI" "show bgp summary" "show bfd peers brief" >&2
      return 1
    fi
    bfdkv_wait_state "$FI" $PEER4 up 20 || { fail "bgp/$mode: BFD not Up"; return 1; }
    [ $k = 1 ] && ok "bgp/$mode: BGP Established, 10.77.0.0/24 from BIRD installed by zebra, BFD Up ($(ip -n "$BFDKV_NS_A" route show 10.77.0.0/24))"
    sleep 1
    # Cut: A's port leaves the bridge; A's link stays up.
    t_cut=$(now_ms)
    ip -n "$BFDKV_PREFIX-m" link set "$BFDKV_PREFIX-ma" nomaster || bfdkv_die "cut"
    t_gone=""
    for i in $(seq 3000); do
      if ! ip -n "$BFDKV_NS_A" route show 10.77.0.0/24 | grep -q .; then t_gone=$(now_ms); break; fi
      sleep 0.002
    done
    if [ -z "$t_gone" ]; then fail "bgp/$mode: route still there after the cut"; return 1; fi
    vals+=($(( t_gone - t_cut )))
    echo "MEASURE test=dplane what=bgp_failover mode=$mode run=$k value_ms=${vals[-1]}"
    if [ "$mode" = dplane ]; then # where the time went: the Down in dplaned's log
      t_down=$(grep "10.99.1.2 .*Up -> Down" "$BFDKV_TMP/$DP/dplaned.log" | tail -1 | awk '{ print $1 }')
      [ -n "$t_down" ] && t_down=$(date -d "${t_down%Z}Z" +%s%3N) &&
        echo "MEASURE test=dplane what=bgp_cut_to_bfd_down mode=dplane run=$k value_ms=$(( t_down - t_cut ))"
    fi
    ip -n "$BFDKV_PREFIX-m" link set "$BFDKV_PREFIX-ma" master "$BFDKV_PREFIX-br" # heal
  done
  # The median of three: one run on a loaded host may see a late timer.
  BGP_MS=$(printf '%s\n' "${vals[@]}" | sort -n | sed -n 2p)
  if [ "$BGP_MS" -le $((DETECT_MS + 100)) ]; then
    ok "bgp/$mode: route withdrawn ${BGP_MS} ms after the cut, median of ${vals[*]} (limit $((DETECT_MS + 100)) ms; BGP hold time 180 s)"
  else fail "bgp/$mode: route withdrawn ${BGP_MS} ms after the cut, median of ${vals[*]} (limit $((DETECT_MS + 100)) ms)"; fi
  bfdkv_stop "$FI-bgpd"
}

case_bgp() {
  local dp="" own=""
  BGP_MS=""; bgp_run dplane && dp=$BGP_MS
  BGP_MS=""; bgp_run bfdd && own=$BGP_MS
  bfdkv_log "bgp: failover through bfdkit-dplaned ${dp:-?} ms, with bfdd's own BFD ${own:-?} ms (100 ms x 3)"
}

# ---------------------------------------------------------------- run

bfdkv_topo_direct
bfdkv_bird_start "$BI" "$BFDKV_NS_B" peer=$US4,$US6 local=$PEER4,$PEER6 tx=100 rx=100 mult=3 idle_tx=100
frr_start
dplaned_start
for c in $CASES; do
  bfdkv_log "=== case $c"
  "case_$c"
done
dplaned_stop >/dev/null
if [ "$FAILS" -gt 0 ]; then
  bfdkv_log "dplaned log:"; tail -40 "$BFDKV_TMP/$DP/dplaned.log" >&2
  bfdkv_log "$FAILS failure(s)"; exit 1
fi
bfdkv_log "all passed"
exit 0
