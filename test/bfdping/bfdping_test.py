#!/usr/bin/env python3
"""ctest bfdping: the tool's contract on loopback, unprivileged.

  bfdping_test.py BFDPING PORT

Runs bfdping on 127.0.0.1 <-> 127.0.0.2 (the port is the test's lock) and
checks what docs/bfdping.md promises: exit codes, -q's silence, the JSON
events and their keys (the interop tests read them), the self-test with
other timers, authentication failures counted to the last packet, -c,
SIGUSR1 key rotation without a flap, errors that name the fix, and an idle
session that wakes for its packets only (no status-polling tick).
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

EXE, PORT = sys.argv[1], int(sys.argv[2])
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(args, timeout=30):
    p = subprocess.run([EXE] + args, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def start(args):
    return subprocess.Popen([EXE] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def events(text):
    out = []
    for line in text.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            check(False, "JSON line parses: %r" % line)
    return out


def of(evs, kind):
    return [e for e in evs if e.get("event") == kind]


PAIR = ["--port", str(PORT)]
A = ["-l", "127.0.0.1"] + PAIR
B = ["-l", "127.0.0.2"] + PAIR

# --- the README's command, and --help / usage ---------------------------
rc, out, err = run(["--self-test", "-i", "100", "-r", "100"] + PAIR)
check(rc == 0, "--self-test -i 100 -r 100 exits 0 (got %d)" % rc)
check("self-test: PASSED" in out, "--self-test says PASSED")
rc, out, _ = run(["--help"])
check(rc == 0 and out.startswith("usage: bfdping"), "--help: usage, exit 0")
rc, out, err = run([])
check(rc == 2 and "give exactly one of PEER" in err, "no PEER: exit 2 with what to give")

# --- errors name the fix (exit 2) -----------------------------------------
for args, fix in [(["fe80::1"], "needs -I IFACE"),
                  (["--min-ttl", "3", "192.0.2.1"], "--min-ttl needs --multihop"),
                  (["--auth", "md5", "192.0.2.1"], "add --key-file PATH"),
                  (["--self-test", "-l", "127.0.0.1"], "drop -l and --multihop"),
                  (["-l", "::1", "192.0.2.1"], "give -l an IPv4 address")]:
    rc, out, err = run(args + ["-w", "1"])
    check(rc == 2 and fix in err, "%s: exit 2, says %r (got %d: %s)" % (" ".join(args), fix, rc,
                                                                        err.strip()))

# --- -q: only the exit code -----------------------------------------------
rc, out, err = run(["--self-test", "-q", "--json", "-v"] + PAIR)
check(rc == 0 and out == "" and err == "", "--self-test -q --json -v: exit 0, no output at all")

# --- JSON self-test, Detect Mult 5 (the limit follows the negotiation) ---
rc, out, err = run(["--self-test", "--json", "-i", "100", "-r", "100", "-m", "5"] + PAIR)
evs = events(out)
st = of(evs, "self_test")
check(rc == 0 and st and st[0]["result"] == "passed" and abs(st[0]["limit_ms"] - 500) < 1e-6,
      "--self-test -m 5 --json: passed with limit 500 ms (got %d, %s)" % (rc, st))
# RFC 9314 notification-parms and singlehop-notification leaves; remote-discr
# and interface only when known / bound.
RFC9314_STATE = ["local-discr", "new-state", "state-change-reason", "time-of-last-state-change",
                 "dest-addr", "source-addr", "session-index", "path-type", "echo-enabled"]
keys = {"state": ["time", "peer", "old", "new", "diag", "diag_text", "remote_state",
                  "remote_diag", "local_discr", "remote_discr", "gap_ms", "change_seq"]
        + RFC9314_STATE,
        "parameters": ["time", "peer", "tx_interval_ms", "detect_time_ms",
                       "remote_desired_min_tx_ms", "remote_required_min_rx_ms",
                       "remote_detect_mult"],
        "nexthop": ["time", "peer", "action", "cause", "diag"],
        "self_test": ["result", "gap_ms", "limit_ms"],
        "summary": ["up_at_end", "time_to_up_ms", "flaps", "sessions", "packets_in",
                    "packets_out", "send_errors", "dropped", "ttl_dropped", "timer_fires",
                    "timer_late", "drops", "sessions_stats"]}
optional = {"state": ["remote-discr", "interface"]}
for kind, want in keys.items():
    got = of(evs, kind)
    check(got and all(sorted(k for k in e if k not in optional.get(kind, []))
                      == sorted(["event"] + want) for e in got),
          "self-test JSON: %s events with exactly the documented keys" % kind)
# RFC 9314 names and values (docs/bfdping.md): the detection's event still
# names the remote discriminator (the core forgot it before the event).
sts = of(evs, "state")
near = [e for e in sts if e["peer"] == "127.0.0.2"]
far_discr = [e["local-discr"] for e in sts if e["peer"] == "127.0.0.1"]
det = [e for e in near if e["new"] == "Down" and e["diag"] == 1]
check(all(e["new-state"] == e["new"].lower().replace("admindown", "adminDown") for e in sts),
      "self-test JSON: new-state is the model's name of new")
check(far_discr and det and det[0]["state-change-reason"] == "control-expiry"
      and det[0]["remote_discr"] == far_discr[0] and det[0].get("remote-discr") == far_discr[0],
      "self-test JSON: the detection Down says control-expiry and the remote-discr last known "
      "(%s)" % det)
check(all(e["path-type"] == "ietf-bfd-types:path-ip-sh" and e["source-addr"] in
          ("127.0.0.1", "127.0.0.2") and e["echo-enabled"] is False for e in sts),
      "self-test JSON: path-type, source-addr, echo-enabled")
wall = [time.mktime(time.strptime(e["time-of-last-state-change"][:19], "%Y-%m-%dT%H:%M:%S"))
        - time.timezone for e in sts]
check(all(abs(w - time.time()) < 60 for w in wall) and all(
      e["time-of-last-state-change"].endswith("Z") for e in sts),
      "self-test JSON: time-of-last-state-change is RFC 3339 UTC, now")
summ = of(evs, "summary")[-1]
ss = summ["sessions_stats"]
check(len(ss) == 1 and ss[0]["dest-addr"] == "127.0.0.2"
      and ss[0]["local-discriminator"] == near[0]["local-discr"]
      and ss[0]["session-statistics"]["down-count"] == 1
      and ss[0]["session-statistics"]["admin-down-count"] == 0
      and ss[0]["session-statistics"]["receive-packet-count"] == summ["packets_in"]
      and ss[0]["session-statistics"]["send-packet-count"] == summ["packets_out"]
      and ss[0]["session-statistics"]["last-up-time"] < ss[0]["session-statistics"]["last-down-time"]
      and ss[0]["session-running"]["local-state"] == "down"
      and ss[0]["session-running"]["local-diagnostic"] == "control-expiry"
      and ss[0]["dest-port"] == PORT,
      "self-test JSON: sessions_stats in RFC 9314 names (%s)" % ss)
check(evs and evs[-1]["event"] == "summary", "self-test JSON: the summary is the last line")
par = [e for e in of(evs, "parameters") if e["peer"] == "127.0.0.2"]
check(par and par[-1]["tx_interval_ms"] == 100 and par[-1]["detect_time_ms"] == 500,
      "self-test JSON: parameters event with the negotiated values (tx 100, detect 500 ms)")
nh = of(evs, "nexthop")
check(nh and nh[0]["action"] == "down" and nh[0]["cause"] == "path failure",
      "self-test JSON: the detection's nexthop event comes before the verdict")

# --- -c: stop after N state changes ---------------------------------------
peer = start(B + ["-w", "8", "-q", "127.0.0.1"])
rc, out, err = run(A + ["-c", "1", "-w", "6", "--json", "127.0.0.2"])
evs = events(out)
st = of(evs, "state")
# The first change is Init or Up (Up when the peer's Init came first).
check(len(st) == 1 and evs[-1]["event"] == "summary" and
      rc == (0 if st[0]["new"] == "Up" else 1) == (0 if evs[-1]["up_at_end"] else 1),
      "-c 1: one state change, then the summary; exit 0 only if Up (got %d, %s)" %
      (rc, [e["new"] for e in st]))
peer.send_signal(signal.SIGINT)
peer.wait(10)

# --- a wrong key: every failure reported, totals match the drops ---------
tmp = tempfile.mkdtemp()


def keyfile(name, secret):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(secret + "\n")
    return path


good, bad, new = keyfile("good", "sesame"), keyfile("bad", "sesamf"), keyfile("new", "open")
peer = start(B + ["--auth", "sha1", "--key-file", good, "-w", "6", "-q", "127.0.0.1"])
rc, out, err = run(A + ["--auth", "sha1", "--key-file", bad, "-w", "3.5", "--json", "127.0.0.2"])
evs = events(out)
af = of(evs, "auth_failure")
summ = of(evs, "summary")
check(rc == 1 and not of(evs, "state"), "wrong key: no state change, exit 1 (got %d)" % rc)
check(len(af) >= 2 and all(e["reason"] == "digest does not verify" for e in af),
      "wrong key: auth_failure events, all 'digest does not verify' (%d)" % len(af))
check(af and summ and af[-1]["total"] == summ[0]["dropped"] and
      sum(e["new"] for e in af) == af[-1]["total"],
      "wrong key: the last total is every dropped packet (%s vs %s)" %
      (af[-1]["total"] if af else None, summ[0]["dropped"] if summ else None))
peer.send_signal(signal.SIGINT)
peer.wait(10)

# --- SIGUSR1: the next key of the ring, without a flap --------------------
ring = ["--auth", "meticulous-sha1", "--key-id", "1", "--key-file", good, "--key-id", "2",
        "--key-file", new]
peer = start(B + ["-i", "100", "-r", "100"] + ring + ["-w", "8", "-q", "127.0.0.1"])
me = start(A + ["-i", "100", "-r", "100"] + ring + ["-w", "4", "--json", "127.0.0.2"])
time.sleep(2)
me.send_signal(signal.SIGUSR1)
out, err = me.communicate(timeout=15)
evs = events(out)
ak = of(evs, "auth_key")
states = [e["new"] for e in of(evs, "state")]
check(me.returncode == 0 and ak and ak[0]["tx_key_id"] == 2 and states[-1] == "Up" and
      "Down" not in states[1:] and not of(evs, "auth_failure"),
      "SIGUSR1: auth_key tx_key_id 2, still Up, no failure (rc %d, states %s)" %
      (me.returncode, states))
peer.send_signal(signal.SIGINT)
peer.wait(10)

# --- idle: wake-ups come from packets and timers, not a tick --------------
peer = start(B + ["-i", "1000", "-r", "1000", "-w", "12", "-q", "127.0.0.1"])
me = start(A + ["-i", "1000", "-r", "1000", "-w", "8", "-q", "127.0.0.2"])


def switches(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("voluntary_ctxt_switches"):
                return int(line.split()[1])
    return 0


time.sleep(3)  # Up, slow start over
n0 = switches(me.pid)
time.sleep(4)
n = switches(me.pid) - n0
me.wait(10)
# One packet out and one in a second, and their timers: a 50 ms tick alone
# would add 80.
check(n < 40, "idle session at 1 s: %d wake-ups in 4 s (a 50 ms tick would be 80+)" % n)
check(me.returncode == 0, "idle session: Up at the end (exit %d)" % me.returncode)
peer.send_signal(signal.SIGINT)
peer.wait(10)

print("%d check(s) failed" % len(failures) if failures else "bfdping: all checks passed")
sys.exit(1 if failures else 0)
