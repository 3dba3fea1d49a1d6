#!/usr/bin/env python3
"""ctest bfdping_metrics: bfdping --metrics scraped over HTTP (urllib) while
its session goes Up, Down by detection (the peer frozen with SIGSTOP) and
Down by the peer's AdminDown (the peer exits: RFC 5880 §6.8.16); every
scrape passes the strict format check (check_exposition.py) and carries
every series of the session, with the values of that state.

usage: scrape_test.py BFDPING PORT METRICS_PORT CHECKER"""
import os
import signal
import subprocess
import sys
import time
import urllib.request

exe, port, mport, checker = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
URL = f"http://127.0.0.1:{mport}/metrics"
LAB = 'peer="127.0.0.2",local="127.0.0.1",interface="",mode="single_hop",family="ipv4"'
procs = []


def start(*args):
    p = subprocess.Popen([exe, "-q", "-i", "200", "-r", "200", "-m", "3", "--port", port, *args])
    procs.append(p)
    return p


def scrape():
    with urllib.request.urlopen(URL, timeout=2) as r:
        assert r.status == 200, r.status
        assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4"), r.headers
        text = r.read().decode()
    path = f"/tmp/bfdping_metrics_{os.getpid()}.txt"
    with open(path, "w") as f:
        f.write(text)
    rc = subprocess.run([sys.executable, checker, path], capture_output=True, text=True)
    os.unlink(path)
    assert rc.returncode == 0, rc.stderr
    values = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            values[k] = float(v)
    return values


def v(vals, name, extra=""):
    key = f"{name}{{{LAB}{',' + extra if extra else ''}}}"
    assert key in vals, f"missing series {key}"
    return vals[key]


def wait_for(pred, what, limit=10.0):
    t = time.monotonic() + limit
    while True:
        try:
            vals = scrape()
            if pred(vals):
                return vals
        except (OSError, AssertionError) as e:
            last = e
        if time.monotonic() > t:
            raise SystemExit(f"FAIL: not {what} within {limit} s")
        time.sleep(0.1)


def state(vals):
    return [s for s in ("admin_down", "down", "init", "up") if v(vals, "bfd_session_state", f'state="{s}"') == 1]


def main():
    a = start("-l", "127.0.0.1", "--metrics", f"127.0.0.1:{mport}", "127.0.0.2")
    b = start("-l", "127.0.0.2", "127.0.0.1")
    # Up.
    # Up, and the slow-start Poll done (until its Final the 1 s rate and a
    # 3 s Detection Time are in force, RFC 5880 §6.8.3: a scrape at the
    # instant of Up may see them).
    vals = wait_for(lambda x: v(x, "bfd_session_up") == 1
                    and v(x, "bfd_negotiated_tx_interval_seconds") == 0.2
                    and v(x, "bfd_detection_time_seconds") == 0.6, "Up at 200 ms x 3")
    assert state(vals) == ["up"], state(vals)
    assert v(vals, "bfd_packets_received_total") > 0 and v(vals, "bfd_packets_sent_total") > 0
    assert v(vals, "bfd_detection_time_seconds") == 0.6, v(vals, "bfd_detection_time_seconds")
    assert v(vals, "bfd_negotiated_tx_interval_seconds") == 0.2
    assert v(vals, "bfd_state_transitions_total", 'from="any",to="up"') == 1
    time.sleep(0.5)
    up_later = scrape()
    assert v(up_later, "bfd_session_uptime_seconds") >= 0.4
    # The adapter's own series (table-wide): its timer has fired, every
    # fire is in the lateness histogram, the packets counted.
    fires = up_later["bfd_adapter_timer_lateness_seconds_count"]
    assert fires > 0 and up_later['bfd_adapter_timer_lateness_seconds_bucket{le="+Inf"}'] == fires
    assert up_later["bfd_adapter_timer_lateness_seconds_sum"] <= fires * up_later["bfd_adapter_timer_lateness_max_seconds"] + 1e-9
    assert up_later["bfd_adapter_tx_packets_total"] >= v(up_later, "bfd_packets_sent_total") > 0
    assert up_later["bfd_adapter_rx_packets_total"] >= v(up_later, "bfd_packets_received_total") > 0
    # Down by detection: the peer is frozen.
    os.kill(b.pid, signal.SIGSTOP)
    vals = wait_for(lambda x: v(x, "bfd_session_up") == 0, "Down after the peer froze")
    assert state(vals) == ["down"], state(vals)
    assert v(vals, "bfd_session_failures_total") == 1
    assert v(vals, "bfd_state_transitions_total", 'from="up",to="down"') == 1
    assert v(vals, "bfd_session_uptime_seconds") == 0
    assert v(vals, "bfd_detection_time_seconds") >= 0  # every series still there
    os.kill(b.pid, signal.SIGCONT)
    wait_for(lambda x: v(x, "bfd_session_up") == 1, "Up again")
    # Down by the peer's AdminDown: not a failure (RFC 5882 §3.2).
    b.send_signal(signal.SIGTERM)
    b.wait(timeout=10)
    vals = wait_for(lambda x: v(x, "bfd_session_up") == 0, "Down after the peer's AdminDown")
    assert v(vals, "bfd_session_failures_total") == 1, v(vals, "bfd_session_failures_total")
    assert v(vals, "bfd_state_transitions_total", 'from="up",to="down"') == 2
    a.send_signal(signal.SIGTERM)
    a.wait(timeout=10)
    print("bfdping_metrics: ok (Up, detection Down, AdminDown Down; every series in every state)")


try:
    main()
finally:
    for p in procs:
        if p.poll() is None:
            try:
                os.kill(p.pid, signal.SIGCONT)
            except OSError:
                pass
            p.kill()
            p.wait()
