#!/usr/bin/env python3
"""Helper for the interop tests: timestamp and query bfdping --json output,
and check BFD packet captures (tshark field dumps of test/interop/lib.sh's
bfdkv_pcap_fields).

  stamp                      copy stdin to stdout, each line prefixed with the
                             wall-clock arrival time in ns (CLOCK_REALTIME)
  get LOG [FILTER...] [-f FIELD]...
                             the first matching event's fields (tab
                             separated); exit 1 if there is none
  wait LOG SECONDS [FILTER...] [-f FIELD]...
                             as get, polling the log until SECONDS passed
  count LOG [FILTER...]      how many events match

LOG lines are "<arrival ns> <json object>" (from stamp). A FILTER is
key=value (numbers compare numerically, e.g. tx_interval_ms=200), or
since=NS / until=NS on the arrival time. Besides the JSON keys, a FIELD can
be "wall" (arrival ns) or "evwall": the event's own "time" (relative to
bfdping's start, monotonic) mapped to the wall clock through the line that
arrived with the least delay, which removes the pipe/scheduling latency.

  pcap-tx FIELDS SRC[,SRC...]
                             every packet from SRC: TTL/hop limit 255, UDP
                             source port 49152..65535 (RFC 5881 4, 5883 2);
                             prints the packet count; exit 1 on a violation
  pcap-your FIELDS SRC DISCR every Up packet SRC sent carries Your
                             Discriminator DISCR (and there is at least one)
  pcap-last FIELDS SRC       state, diag and flags (decimal) of SRC's last packet
  pcap-pollfinal FIELDS PEER US SINCE_NS
                             PEER sent Up+Poll at or after SINCE_NS and US
                             answered with Up+Final after it (RFC 5880 6.5);
                             prints both times
"""
import json
import sys
import time


def load(path):
    events = []
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                head, _, rest = line.partition(" ")
                rest = rest.strip()
                if not rest.startswith("{") or not rest.endswith("}"):
                    continue
                try:
                    ev = json.loads(rest)
                    ev["wall"] = int(head)
                except ValueError:
                    continue
                events.append(ev)
    except FileNotFoundError:
        pass
    # Calibrate bfdping's relative clock against the wall clock: the smallest
    # (arrival - time) is the closest to the true offset.
    offs = [e["wall"] - int(e["time"] * 1e9) for e in events if isinstance(e.get("time"), (int, float))]
    off = min(offs) if offs else None
    for e in events:
        if off is not None and isinstance(e.get("time"), (int, float)):
            e["evwall"] = off + int(e["time"] * 1e9)
    return events


def same(have, want):
    if isinstance(have, bool):
        return str(have).lower() == want.lower()
    if isinstance(have, (int, float)):
        try:
            return abs(float(have) - float(want)) < 1e-6
        except ValueError:
            return False
    return str(have) == want


def parse_query(args):
    filters, fields = [], []
    i = 0
    while i < len(args):
        if args[i] == "-f":
            fields.append(args[i + 1])
            i += 2
            continue
        k, eq, v = args[i].partition("=")
        if not eq:
            sys.exit("bad filter %r" % args[i])
        filters.append((k, v))
        i += 1
    return filters, fields


def matches(e, filters):
    for k, v in filters:
        if k == "since":
            if e["wall"] < int(v):
                return False
        elif k == "until":
            if e["wall"] > int(v):
                return False
        elif k not in e or not same(e[k], v):
            return False
    return True


def show(e, fields):
    out = []
    for f in fields:
        v = e.get(f, "")
        out.append(("%.3f" % v) if isinstance(v, float) else str(v))
    print("\t".join(out))


def cmd_get(log, args, timeout=0.0):
    filters, fields = parse_query(args)
    end = time.monotonic() + timeout
    while True:
        for e in load(log):
            if matches(e, filters):
                show(e, fields)
                return 0
        if time.monotonic() >= end:
            return 1
        time.sleep(0.02)


def cmd_count(log, args):
    filters, _ = parse_query(args)
    print(sum(1 for e in load(log) if matches(e, filters)))
    return 0


def read_fields(path):
    """bfdkv_pcap_fields columns: time src dst ttl sport dport payload sta diag
    flags mult my your tx rx ..."""
    pkts = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            c = line.rstrip("\n").split("\t")
            if len(c) < 15 or not c[0]:
                continue
            pkts.append({
                "t": int(c[0].replace(".", "").ljust(19, "0")[:19]),
                "src": c[1], "dst": c[2], "ttl": int(c[3] or -1),
                "sport": int(c[4] or -1), "sta": int(c[7], 16), "diag": int(c[8], 16),
                "flags": int(c[9], 16), "your": int(c[12], 16),
            })
    return pkts


UP, POLL, FINAL = 3, 0x20, 0x10


def cmd_pcap_tx(path, srcs):
    srcs = set(srcs.split(","))
    n = bad = 0
    for p in read_fields(path):
        if p["src"] not in srcs:
            continue
        n += 1
        if p["ttl"] != 255 or not 49152 <= p["sport"] <= 65535:
            bad += 1
            if bad <= 5:
                print("bad packet from %s at %d: ttl %d sport %d" % (p["src"], p["t"], p["ttl"], p["sport"]),
                      file=sys.stderr)
    print(n)
    return 1 if bad or n == 0 else 0


def cmd_pcap_your(path, src, discr):
    n = bad = 0
    for p in read_fields(path):
        if p["src"] != src or p["sta"] != UP:
            continue
        n += 1
        if p["your"] != int(discr):
            bad += 1
            if bad <= 5:
                print("Up packet from %s at %d: your discr %d, want %s" % (src, p["t"], p["your"], discr),
                      file=sys.stderr)
    print(n)
    return 1 if bad or n == 0 else 0


def cmd_pcap_last(path, src):
    last = None
    for p in read_fields(path):
        if p["src"] == src:
            last = p
    if last is None:
        return 1
    print("%d %d %d" % (last["sta"], last["diag"], last["flags"]))
    return 0


def cmd_pcap_pollfinal(path, peer, us, since):
    poll = None
    for p in read_fields(path):
        if p["t"] < int(since):
            continue
        if poll is None:
            if p["src"] == peer and p["sta"] == UP and p["flags"] & POLL:
                poll = p["t"]
        elif p["src"] == us and p["dst"] == peer and p["sta"] == UP and p["flags"] & FINAL:
            print("%d\t%d" % (poll, p["t"]))
            return 0
    print("no %s Poll answered by a %s Final after %s (first Poll: %s)" % (peer, us, since, poll),
          file=sys.stderr)
    return 1


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "stamp":
        inp = sys.stdin.buffer
        out = sys.stdout.buffer
        while True:
            line = inp.readline()
            if not line:
                return 0
            out.write(b"%d " % time.time_ns() + line)
            out.flush()
    if cmd == "get" and args:
        return cmd_get(args[0], args[1:])
    if cmd == "wait" and len(args) >= 2:
        return cmd_get(args[0], args[2:], float(args[1]))
    if cmd == "count" and args:
        return cmd_count(args[0], args[1:])
    if cmd == "pcap-tx" and len(args) == 2:
        return cmd_pcap_tx(*args)
    if cmd == "pcap-your" and len(args) == 3:
        return cmd_pcap_your(*args)
    if cmd == "pcap-last" and len(args) == 2:
        return cmd_pcap_last(*args)
    if cmd == "pcap-pollfinal" and len(args) == 4:
        return cmd_pcap_pollfinal(*args)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
