#!/usr/bin/env python3
"""Minimize a fuzz_pair reproducer while it keeps failing the same way.

libFuzzer's -minimize_crash accepts any crash, so a long input drifts to
whichever invariant is easiest to break. This keeps the first failure line's
invariant number and message up to the first digit (or a regex given with
-m), and removes whole operations (2-byte units after the 8-byte header),
then shortens ADVANCE-like arguments.

usage: fuzz/pair_minimize.py FUZZ_PAIR_BINARY INPUT OUTPUT [-m REGEX]
"""
import re
import subprocess
import sys


def failure(binary, data):
    with open("/tmp/.pair_min_candidate", "wb") as f:
        f.write(data)
    p = subprocess.run([binary, "/tmp/.pair_min_candidate"], capture_output=True, timeout=120)
    for line in p.stderr.decode(errors="replace").splitlines():
        if "fuzz_pair: invariant" in line:
            return line
    return None


def signature(line):
    m = re.search(r"invariant (\d+) violated at t=[0-9.]+ s: ([^0-9]*)", line)
    return m.group(1), m.group(2)


def main():
    args = sys.argv[1:]
    pattern = None
    if "-m" in args:
        i = args.index("-m")
        pattern = re.compile(args[i + 1])
        del args[i:i + 2]
    binary, src, dst = args
    data = open(src, "rb").read()
    first = failure(binary, data)
    if not first:
        sys.exit("the input does not fail")
    sig = signature(first)
    print("keeping:", first[:200])

    def same(cand):
        line = failure(binary, cand)
        if not line:
            return False
        if pattern:
            return bool(pattern.search(line))
        return signature(line) == sig

    hdr, ops = data[:8], [data[i:i + 2] for i in range(8, len(data) - 1, 2)]
    chunk = max(1, len(ops) // 2)
    while chunk >= 1:
        i, changed = 0, False
        while i < len(ops):
            cand = ops[:i] + ops[i + chunk:]
            if same(hdr + b"".join(cand)):
                ops, changed = cand, True
            else:
                i += chunk
        if not changed:
            chunk //= 2
    # Smaller arguments for each op (shorter waits, lower indices).
    for i in range(len(ops)):
        for arg in range(0, ops[i][1]):
            cand = ops[:i] + [bytes([ops[i][0], arg])] + ops[i + 1:]
            if same(hdr + b"".join(cand)):
                ops = cand
                break
    out = hdr + b"".join(ops)
    open(dst, "wb").write(out)
    print("%d -> %d bytes:" % (len(data), len(out)), failure(binary, out)[:200])


if __name__ == "__main__":
    main()
