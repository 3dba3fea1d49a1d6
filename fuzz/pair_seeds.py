#!/usr/bin/env python3
"""Write the handcrafted fuzz_pair seeds to fuzz/corpus/pair/.

The byte format is documented at the top of fuzz/fuzz_pair.c; the tables
below mirror it. Reproducers found by fuzzing are committed as files next to
these (repro_*), not generated here.

usage: fuzz/pair_seeds.py [outdir]
"""
import os
import random
import sys

IV_US = [3300, 5000, 10000, 20000, 25000, 50000, 100000, 150000, 250000, 300000,
         500000, 750000, 900000, 1000000, 1500000, 2000000]
DELAY_MS = [0, 0.1, 1, 5, 10, 25, 50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000]
OPS = {n: i for i, n in enumerate(
    "ADVANCE ADVANCE_MS UNTIL SET_TX SET_RX SET_MULT SET_TXRX DELAY LOSS PARTITION DUP "
    "JITTER ADMIN RESTART STALL HEAL SETTLE".split())}
COND = {"rx_f": 0, "tx_p": 1, "tx_f": 2, "up": 3, "both_up": 4, "no_poll": 5, "rx_p": 6,
        "not_up": 7, "poll": 8, "converged": 9, "down": 10, "rx_any": 11}
A, B, BOTH = 0, 1, 6    # side selectors (code >> 5)
AB, BA, LINK = 0, 1, 2  # link selectors

DUR_NS = []
_d = 100000
for _ in range(256):
    DUR_NS.append(_d)
    _d += _d * 707 // 10000


def dur(seconds):
    """Index of the DUR entry nearest to `seconds`."""
    ns = seconds * 1e9
    return min(range(256), key=lambda i: abs(DUR_NS[i] - ns))


def iv(us):
    return IV_US.index(us)


def header(seed, a, b, mult=(3, 3), delay_ms=(0, 0), long=True):
    """a, b: (Desired Min TX us, Required Min RX us). long: the larger step
    budget (both Detect Mult nibbles + 10, the same multipliers)."""
    k = 10 if long else 0
    return bytes([seed & 255, seed >> 8 & 255, seed >> 16 & 255, seed >> 24 & 255,
                  iv(a[0]) | iv(a[1]) << 4, iv(b[0]) | iv(b[1]) << 4,
                  (mult[0] - 1 + k) | (mult[1] - 1 + k) << 4,
                  DELAY_MS.index(delay_ms[0]) | DELAY_MS.index(delay_ms[1]) << 4])


def op(name, sel=0, arg=0):
    return bytes([sel << 5 | OPS[name], arg])


def advance(seconds):
    return op("ADVANCE", 0, dur(seconds))


def advance_ms(ms):
    return op("ADVANCE_MS", 0, ms - 1)


def until(side, cond, timeout_s):
    hi = min(range(16), key=lambda h: abs(DUR_NS[h << 4 | 15] - timeout_s * 1e9))
    return op("UNTIL", side, COND[cond] | hi << 4)


def set_tx(side, us):
    return op("SET_TX", side, iv(us))


def set_rx(side, us):
    return op("SET_RX", side, iv(us))


def seeds():
    s = {}
    up = until(A, "both_up", 20)

    # Defect 1 (issue 11): 300 ms x 3, a 600 s partition, heal. Both sides
    # time out, forget each other and slow-start; after the heal they must
    # run at 300 ms again within 2 RTT + 2 intervals.
    s["partition600_300ms"] = (header(1, (300000, 300000), (300000, 300000), (3, 3), (10, 10))
                               + up + advance(3) + op("PARTITION", LINK, 1) + advance(600)
                               + op("PARTITION", LINK, 0) + advance(10))
    s["partition600_300ms_nodelay"] = (header(2, (300000, 300000), (300000, 300000))
                                       + up + advance(3) + op("PARTITION", LINK, 1)
                                       + advance(600) + op("HEAL") + advance(10))
    s["partition3600_fast"] = (header(3, (20000, 20000), (50000, 10000), (3, 2), (5, 25))
                               + up + advance(2) + op("PARTITION", LINK, 1) + advance(3600)
                               + op("HEAL") + advance(10))

    # Defect 2 (issue 11): 25 ms one-way delay, A at TX 20 ms, A's Required
    # Min RX 1 s -> 900 ms -> 5 ms right after the Final: the late Finals of
    # the first Poll must not end the second one.
    for name, b, bmult, d in (("latefinal_25ms", (10000, 20000), 3, 25),
                              ("latefinal_25ms_bmult1", (20000, 20000), 1, 25),
                              ("latefinal_50ms", (5000, 20000), 3, 50)):
        s[name] = (header(4, (20000, 1000000), b, (3, bmult), (d, d)) + up + advance(5)
                   + set_rx(A, 900000) + until(A, "rx_f", 3) + set_rx(A, 5000) + advance(5))

    # Found on the fixed lib (384989c): B raises Desired Min TX 5 ms -> 2 s
    # while Up (the larger interval waits for the Final, §6.8.3), the link
    # fails before the Final, B goes Down and keeps sending every 5 ms: the
    # lag only applies while Up and not Up needs >= 1 s (invariant 5).
    s["repro_down_keeps_lagged_tx"] = (header(10, (100000, 10000), (5000, 3300), (1, 1), (10, 10))
                                       + up + advance(1) + set_tx(B, 2000000)
                                       + op("PARTITION", LINK, 1) + advance(5))

    # Random live changes with a one-way delay of 3 x the interval.
    rnd = random.Random(5)
    prog = header(5, (100000, 100000), (100000, 100000), (3, 3), (300, 300)) + up + advance(5)
    for _ in range(40):
        side = rnd.choice((A, B))
        if rnd.random() < 0.5:
            prog += set_tx(side, rnd.choice(IV_US[2:12]))
        else:
            prog += set_rx(side, rnd.choice(IV_US[2:12]))
        prog += advance_ms(rnd.choice((1, 20, 50, 100, 200, 250)))
    s["live_changes_delay3x"] = prog + advance(10)

    rnd = random.Random(6)
    prog = header(6, (50000, 50000), (50000, 50000), (2, 4), (100, 200)) + up + advance(3)
    for _ in range(30):
        side = rnd.choice((A, B))
        prog += op("SET_TXRX", side, rnd.randrange(16) | rnd.randrange(16) << 4)
        if rnd.random() < 0.3:
            prog += until(side, rnd.choice(("rx_f", "tx_p", "no_poll")), 2)
        prog += advance_ms(rnd.randrange(1, 256))
    s["live_txrx_long_delay"] = prog + advance(20)

    # Coverage of the other operations.
    base = header(7, (50000, 50000), (100000, 50000), (3, 3), (5, 5)) + up + advance(2)
    s["loss_random"] = base + op("LOSS", LINK, 1 | 3 << 3) + advance(30) + op("HEAL") + advance(5)
    s["loss_finals"] = (base + op("LOSS", BA, 4) + set_rx(A, 10000) + advance(3)
                        + op("LOSS", AB, 3) + set_tx(B, 300000) + advance(3) + op("HEAL"))
    s["loss_burst"] = base + op("LOSS", AB, 5 | 7 << 3) + advance(5) + op("LOSS", LINK, 2 | 1 << 3)
    s["dup_jitter"] = (base + op("DUP", LINK, 15 | 5 << 4) + op("JITTER", LINK, 6 | 0x10)
                       + set_rx(B, 20000) + advance(10) + op("HEAL") + advance(3))
    s["admin_cycle"] = (base + op("ADMIN", A, 1) + advance(5) + op("ADMIN", A, 0) + advance(5)
                        + op("ADMIN", BOTH, 1) + advance(2) + op("ADMIN", B, 0) + advance(1))
    s["restart"] = (base + op("RESTART", B, 0) + advance(5) + op("RESTART", A, dur(4))
                    + advance(10))
    s["stall"] = (base + op("STALL", A, dur(0.2)) + advance(1) + op("STALL", B, dur(30))
                  + advance(40))
    s["delay_changes"] = (base + op("DELAY", AB, 12) + advance(5) + op("DELAY", BA, 15)
                          + set_tx(A, 20000) + advance(5) + op("DELAY", LINK, 0) + advance(3))
    s["mult_changes"] = (base + op("SET_MULT", A, 0) + advance(2) + op("SET_MULT", B, 4)
                         + set_tx(A, 3300) + advance(2) + op("SET_MULT", BOTH, 1) + advance(3))
    s["fast_3ms"] = (header(8, (3300, 3300), (3300, 3300), (3, 3), (1, 1)) + up + advance(2)
                     + set_rx(B, 1000000) + until(B, "no_poll", 5) + set_rx(B, 3300)
                     + op("SETTLE", 0, 1))
    s["slow_2s_mult1"] = (header(9, (2000000, 2000000), (1000000, 2000000), (1, 1), (500, 3000))
                          + up + advance(20) + set_tx(A, 3300) + advance(10))
    return s


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus", "pair")
    os.makedirs(out, exist_ok=True)
    for name, data in seeds().items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
