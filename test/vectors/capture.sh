#!/usr/bin/env bash
#
# Capture real BFD control packets from Debian's BIRD 2 and FRR bfdd talking
# to each other (and BIRD to BIRD with authentication) in private network
# namespaces, and write them as test vectors (see README.md here).
#
# Usage (root): test/vectors/capture.sh [OUTDIR]   (default: test/vectors)
# Env: BFDKV_KEEP=1 keeps the temp dir (pcaps, configs, daemon logs).
# Everything it creates (namespaces bfdkv-*, veths, daemons, tshark) is
# removed on exit, also on failure or Ctrl-C (trap in test/interop/lib.sh).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE}
# shellcheck source=../interop/lib.sh
. "$HERE/../interop/lib.sh"
bfdkv_require bird frr tshark
bfdkv_init

AUTH_KEY=bfdkit-test
AUTH_KEY_ID=42
DATE=$(date -u +%Y-%m-%d)
BIRD_VER="BIRD $(bird --version 2>&1 | awk '{print $3}') (Debian bird2 $(dpkg-query -W -f='${Version}' bird2 2>/dev/null))"
FRR_VER="FRR bfdd $("$BFDKV_BFDD" --version 2>&1 | awk '/version/ {print $NF; exit}') (Debian frr $(dpkg-query -W -f='${Version}' frr 2>/dev/null))"
W=$BFDKV_TMP
NOTES=$W/notes.txt
: >"$NOTES"
note() { bfdkv_log "$*"; echo "$*" >>"$NOTES"; }

# run_single ORDER: BIRD (ns A, 10.99.1.1, fd99:1::1) <-> FRR (ns B,
# 10.99.1.2, fd99:1::2), IPv4 + IPv6 single-hop, capture on A's veth.
# ORDER frr-first / bird-first decides who starts 1.5 s earlier (the
# vectors use frr-first; bird-first only brings the sessions up). Then: FRR changes intervals live (FRR Poll, BIRD
# Final), BIRD reconfigures (BIRD Poll, FRR Final), FRR shuts the peers down
# (AdminDown) and back up, BIRD is killed -9 (FRR detects, diag 1).
run_single() {
  local order=$1 pcap=$W/single-$1.pcap p
  bfdkv_topo_direct
  bfdkv_capture_start "$BFDKV_NS_A" "$BFDKV_IF_A" "$pcap"
  local fopts=(peer=10.99.1.1,fd99:1::1 local=10.99.1.2,fd99:1::2 tx=300 rx=300)
  local bopts=(peer=10.99.1.2,fd99:1::2 tx=300 rx=300)
  if [ "$order" = frr-first ]; then
    bfdkv_frr_start f1 "$BFDKV_NS_B" "${fopts[@]}"; sleep 1.5
    bfdkv_bird_start b1 "$BFDKV_NS_A" "${bopts[@]}"
  else
    bfdkv_bird_start b1 "$BFDKV_NS_A" "${bopts[@]}"; sleep 1.5
    bfdkv_frr_start f1 "$BFDKV_NS_B" "${fopts[@]}"
  fi
  for p in 10.99.1.2 fd99:1::2; do bfdkv_wait_state b1 $p up 6 || bfdkv_die "bird not up"; done
  for p in 10.99.1.1 fd99:1::1; do bfdkv_wait_state f1 $p up 6 || bfdkv_die "frr not up"; done
  note "single $order: FRR remote discr for 10.99.1.1 = $(bfdkv_remote_discr f1 10.99.1.1)"
  sleep 1
  [ "$order" = frr-first ] || { bfdkv_capture_stop "$pcap"; bfdkv_reset; return; }
  for p in 10.99.1.1 fd99:1::1; do bfdkv_set_intervals f1 $p 200 200; done
  sleep 1.5
  bfdkv_set_intervals b1 - 250 250
  sleep 1.5
  for p in 10.99.1.1 fd99:1::1; do bfdkv_admin_down f1 $p 1; done
  sleep 1.5
  note "single: after FRR shutdown BIRD shows $(bfdkv_state b1 10.99.1.2), FRR $(bfdkv_state f1 10.99.1.1)"
  for p in 10.99.1.1 fd99:1::1; do bfdkv_admin_down f1 $p 0; done
  for p in 10.99.1.2 fd99:1::2; do bfdkv_wait_state b1 $p up 6 || bfdkv_die "bird not up again"; done
  sleep 1
  bfdkv_admin_down b1 - 1   # BIRD: disable protocol (does it send AdminDown?)
  sleep 1.5
  note "single: after 'birdc disable' FRR shows $(bfdkv_state f1 10.99.1.1)"
  bfdkv_admin_down b1 - 0
  for p in 10.99.1.2 fd99:1::2; do bfdkv_wait_state b1 $p up 6 || bfdkv_die "bird not up again"; done
  sleep 1
  bfdkv_kill9 b1
  sleep 2
  note "single: after kill -9 of BIRD FRR shows $(bfdkv_state f1 10.99.1.1)"
  bfdkv_capture_stop "$pcap"
  bfdkv_reset
}

# run_multi: BIRD (ns A 10.99.1.1/fd99:1::1) <-> router R <-> FRR (ns B
# 10.99.2.2/fd99:2::2), multihop (port 4784), captures on both end hosts so
# each sender's TTL is seen as sent. FRR's default minimum TTL (254) is tried
# first; BIRD sends multihop with the OS default TTL, so FRR may need
# minimum-ttl lowered.
run_multi() {
  local pa=$W/multi-a.pcap pb=$W/multi-b.pcap p
  bfdkv_topo_routed
  bfdkv_capture_start "$BFDKV_NS_A" "$BFDKV_IF_A" "$pa"
  bfdkv_capture_start "$BFDKV_NS_B" "$BFDKV_IF_B" "$pb"
  bfdkv_frr_start f1 "$BFDKV_NS_B" multihop=1 peer=10.99.1.1,fd99:1::1 local=10.99.2.2,fd99:2::2 tx=300 rx=300
  bfdkv_bird_start b1 "$BFDKV_NS_A" multihop=1 peer=10.99.2.2,fd99:2::2 local=10.99.1.1,fd99:1::1 tx=300 rx=300
  if bfdkv_wait_state f1 10.99.1.1 up 5; then
    note "multi: FRR came Up with its default minimum-ttl"
  else
    note "multi: FRR NOT Up with default minimum-ttl (BIRD state $(bfdkv_state b1 10.99.2.2)); setting minimum-ttl 1"
    for p in 10.99.1.1 fd99:1::1; do bfdkv_frr_peer_cmd f1 $p "minimum-ttl 1"; done
  fi
  for p in 10.99.1.1 fd99:1::1; do bfdkv_wait_state f1 $p up 6 || bfdkv_die "frr multihop not up"; done
  for p in 10.99.2.2 fd99:2::2; do bfdkv_wait_state b1 $p up 6 || bfdkv_die "bird multihop not up"; done
  sleep 1.5
  bfdkv_capture_stop "$pa"; bfdkv_capture_stop "$pb"
  bfdkv_reset
}

# run_bird_pair: BIRD (ns A) <-> BIRD (ns B), IPv4 + IPv6 single-hop, no
# authentication; b1 starts 1.2 s first so it hears b2's Down and passes
# through Init. Then b2 is killed -9 (b1 detects, diag 1).
run_bird_pair() {
  local pcap=$W/bird-pair.pcap
  bfdkv_topo_direct
  bfdkv_capture_start "$BFDKV_NS_A" "$BFDKV_IF_A" "$pcap"
  bfdkv_bird_start b1 "$BFDKV_NS_A" peer=10.99.1.2,fd99:1::2 tx=300 rx=300
  sleep 1.2
  bfdkv_bird_start b2 "$BFDKV_NS_B" peer=10.99.1.1,fd99:1::1 tx=300 rx=300
  bfdkv_wait_state b1 10.99.1.2 up 6 || bfdkv_die "bird pair not up"
  bfdkv_wait_state b1 fd99:1::2 up 6 || bfdkv_die "bird pair not up"
  sleep 1
  bfdkv_kill9 b2
  sleep 2.5
  bfdkv_capture_stop "$pcap"
  bfdkv_reset
}

AUTH_TYPES="simple keyed_md5 meticulous_keyed_md5 keyed_sha1 meticulous_keyed_sha1"

# run_auth: BIRD <-> BIRD, IPv4 single-hop, each of the five authentication
# types in turn with key "$AUTH_KEY", key ID $AUTH_KEY_ID.
run_auth() {
  local t pcap
  bfdkv_topo_direct
  for t in $AUTH_TYPES; do
    pcap=$W/auth-$t.pcap
    bfdkv_capture_start "$BFDKV_NS_A" "$BFDKV_IF_A" "$pcap"
    local o=(tx=300 rx=300 auth="$t" key="$AUTH_KEY" key_id="$AUTH_KEY_ID")
    bfdkv_bird_start b1 "$BFDKV_NS_A" peer=10.99.1.2 local=10.99.1.1 "${o[@]}"
    sleep 1.2
    bfdkv_bird_start b2 "$BFDKV_NS_B" peer=10.99.1.1 local=10.99.1.2 "${o[@]}"
    bfdkv_wait_state b1 10.99.1.2 up 6 || bfdkv_die "bird auth $t not up"
    bfdkv_wait_state b2 10.99.1.1 up 6 || bfdkv_die "bird auth $t not up"
    sleep 1.5
    bfdkv_capture_stop "$pcap"
    bfdkv_stop b1; bfdkv_stop b2
    cp "$BFDKV_TMP/b1/bird.conf" "$W/auth-$t.bird.conf"
  done
  bfdkv_reset
}

# ---------------------------------------------------------------- writing
# emit FILE SETUP WHAT PCAP SENDERS COND [MAX]: write the distinct packets of
# PCAP sent by an address in SENDERS (space separated) that satisfy COND (a
# bash arithmetic expression over sta diag fl your tx rx at, fl = flag bits
# without the state) into OUT/FILE, at most MAX (default 1).
emit() {
  local file=$1 setup=$2 what=$3 pcap=$4 senders=$5 cond=$6 max=${7:-1}
  local daemon=$BIRD_VER
  case $file in frr-*) daemon=$FRR_VER ;; esac
  local n=0 seen=" " tmp=$W/emit.tmp
  : >"$tmp"
  local t src dst ttl sp dp pl sta diag flb mult my your tx rx echo at al kid seq
  while IFS=$'\t' read -r t src dst ttl sp dp pl sta diag flb mult my your tx rx echo at al kid seq; do
    [[ " $senders " == *" $src "* ]] || continue
    [[ $seen == *" $pl "* ]] && continue
    local fl=$(( flb & 0x3f )) at=$(( ${at:-0} ))
    sta=$((sta)); diag=$((diag)); your=$((your)); tx=$((tx)); rx=$((rx))
    (( cond )) || continue
    seen+="$pl "
    n=$((n + 1))
    {
      printf '# packet %d: %s:%s -> %s:%s ttl/hop-limit %s (as captured on the sender side)\n' \
        "$n" "$src" "$sp" "$dst" "$dp" "$ttl"
      printf '# expect state=%d diag=%d flags=0x%02x mult=%d my=%u your=%u tx=%u rx=%u echo=%u' \
        "$sta" "$diag" "$fl" "$((mult))" "$((my))" "$your" "$tx" "$rx" "$((echo))"
      if (( fl & 0x04 )); then
        printf ' auth_type=%d auth_len=%d key_id=%d' "$at" "$((al))" "$((kid))"
        [ -n "$seq" ] && printf ' seq=%u' "$((seq))"
      fi
      printf '\n%s\n' "$pl"
    } >>"$tmp"
    [ $n -ge "$max" ] && break
  done < <(bfdkv_pcap_fields "$pcap")
  if [ $n = 0 ]; then note "no packet for $file ($what)"; return; fi
  {
    echo "# $file: $what"
    echo "# sender: $daemon"
    echo "# setup: $setup"
    echo "# captured $DATE by test/vectors/capture.sh (tshark, UDP payloads; see README.md)"
    echo "# 'expect' lines are Wireshark's decoding of the packet below them (decimal)."
    cat "$tmp"
  } >"$OUT/$file"
  bfdkv_log "wrote $file ($n packets)"
}

S_SINGLE="BIRD in ns A (10.99.1.1, fd99:1::1) <-> FRR bfdd in ns B (10.99.1.2, fd99:1::2) on one veth; both 'min tx/rx interval 300 ms' / 'transmit-/receive-interval 300', other settings default (BIRD multiplier 5, FRR detect-multiplier 3)"
S_BPAIR="BIRD in ns A (10.99.1.1, fd99:1::1) <-> BIRD in ns B (10.99.1.2, fd99:1::2) on one veth; both 'min tx/rx interval 300 ms', multiplier default 5; A started 1.2 s before B"
S_MULTI="BIRD in ns A (10.99.1.1, fd99:1::1) <-> router ns R <-> FRR bfdd in ns B (10.99.2.2, fd99:2::2); BIRD 'multihop { min tx/rx interval 300 ms }' + 'neighbor X local Y multihop yes', FRR 'peer X multihop local-address Y' with 300 ms intervals"

write_vectors() {
  local pf=$W/single-frr-first.pcap
  local fam bs fs m pm
  for fam in ipv4 ipv6; do
    if [ $fam = ipv4 ]; then bs=10.99.1.1; fs=10.99.1.2; else bs=fd99:1::1; fs=fd99:1::2; fi
    emit bird-$fam-single-down.hex "$S_SINGLE; FRR started 1.5 s before BIRD" \
      "BIRD's first packet, Down, Your Discriminator 0 (slow TX 1 s while not Up)" "$pf" "$bs" 'sta == 1 && your == 0'
    emit frr-$fam-single-down.hex "$S_SINGLE; FRR started 1.5 s before BIRD" \
      "FRR's first packet, Down, Your Discriminator 0" "$pf" "$fs" 'sta == 1 && your == 0'
    emit bird-$fam-single-init.hex "$S_BPAIR" \
      "BIRD Init (it heard the other BIRD's Down)" "$W/bird-pair.pcap" "$bs" 'sta == 2'
    emit bird-$fam-single-down-detect-expired.hex "$S_BPAIR; the BIRD in ns B then killed with SIGKILL" \
      "BIRD Down, Diag 1 (Control Detection Time Expired)" "$W/bird-pair.pcap" "$bs" 'sta == 1 && diag == 1' 2
    emit frr-$fam-single-init.hex "$S_SINGLE; FRR started 1.5 s before BIRD" \
      "FRR Init (it heard BIRD's Down)" "$pf" "$fs" 'sta == 2'
    emit bird-$fam-single-up.hex "$S_SINGLE" "BIRD Up, no flags (steady state; later one after an interval change)" \
      "$pf" "$bs" 'sta == 3 && fl == 0' 2
    emit frr-$fam-single-up.hex "$S_SINGLE" "FRR Up, no flags (steady state; later one after an interval change)" \
      "$pf" "$fs" 'sta == 3 && fl == 0' 2
    emit bird-$fam-single-poll.hex "$S_SINGLE; then 'birdc configure' with min tx/rx interval 250 ms" \
      "BIRD Up with Poll: first when coming Up (TX leaves the 1 s idle rate), then after the live interval change" \
      "$pf" "$bs" 'sta == 3 && (fl & 0x20)' 2
    emit frr-$fam-single-poll.hex "$S_SINGLE; then vtysh 'bfd / peer X local-address Y / transmit-interval 200 / receive-interval 200'" \
      "FRR Up with Poll: first when coming Up, then after the live interval change" \
      "$pf" "$fs" 'sta == 3 && (fl & 0x20)' 2
    emit bird-$fam-single-final.hex "$S_SINGLE" "BIRD Up with Final, answering FRR's Polls" \
      "$pf" "$bs" 'sta == 3 && (fl & 0x10)' 2
    emit frr-$fam-single-final.hex "$S_SINGLE" "FRR Up with Final, answering BIRD's Polls" \
      "$pf" "$fs" 'sta == 3 && (fl & 0x10)' 2
    emit frr-$fam-single-admindown.hex "$S_SINGLE; then vtysh 'bfd / peer X local-address Y / shutdown'" \
      "FRR AdminDown (note: Diag 0, not 7), then AdminDown with Final answering BIRD's Poll" \
      "$pf" "$fs" 'sta == 0' 2
    emit bird-$fam-single-down-neighbor-down.hex "$S_SINGLE; FRR peer shut down" \
      "BIRD Down, Diag 3 (Neighbor Signaled Session Down) after FRR's AdminDown, with Poll (TX back to 1 s)" \
      "$pf" "$bs" 'sta == 1 && diag == 3' 2
    emit frr-$fam-single-down-detect-expired.hex "$S_SINGLE; BIRD then disabled ('birdc disable', sends nothing) and later killed with SIGKILL" \
      "FRR Down, Diag 1 (Control Detection Time Expired)" "$pf" "$fs" 'sta == 1 && diag == 1' 2
  done
  for fam in ipv4 ipv6; do
    if [ $fam = ipv4 ]; then bs=10.99.1.1; fs=10.99.2.2; else bs=fd99:1::1; fs=fd99:2::2; fi
    for m in bird frr; do
      if [ $m = bird ]; then pm=$W/multi-a.pcap; s=$bs; else pm=$W/multi-b.pcap; s=$fs; fi
      emit $m-$fam-multi-down.hex "$S_MULTI" "$m multihop (UDP 4784) Down" "$pm" "$s" 'sta == 1' 1
      emit $m-$fam-multi-up.hex "$S_MULTI" "$m multihop (UDP 4784) Up, the first with Poll, then plain" \
        "$pm" "$s" 'sta == 3' 3
    done
  done
  local t
  for t in $AUTH_TYPES; do
    emit bird-ipv4-single-auth-${t//_/-}.hex \
      "BIRD in ns A (10.99.1.1) <-> BIRD in ns B (10.99.1.2), both: interface \"*\" { min tx interval 300 ms; min rx interval 300 ms; authentication ${t//_/ }; password \"$AUTH_KEY\" { id $AUTH_KEY_ID; }; } -- KEY \"$AUTH_KEY\" (${#AUTH_KEY} bytes), KEY ID $AUTH_KEY_ID" \
      "BIRD packets with authentication '${t//_/ }': Down, Init/Up and several Up (sequence numbers advance)" \
      "$W/auth-$t.pcap" "10.99.1.1 10.99.1.2" 'fl & 0x04' 8
  done
}

run_single frr-first

run_bird_pair
run_multi
run_auth
mkdir -p "$OUT"
write_vectors
echo "---- notes"; cat "$NOTES"
