#!/usr/bin/env python3
"""A strict check of the Prometheus text exposition format (0.0.4) as
examples/metrics writes it: every line is a HELP, a TYPE or a sample; each
family has one HELP and one TYPE before its samples, and all its samples
come together; names and label names are valid; label values are quoted
with only the three escapes; no series appears twice; values parse as
floats; counters are not negative; the text ends with a newline. A
histogram's samples are NAME_bucket (label le, increasing bounds ending in
+Inf, cumulative counts that never decrease), NAME_sum and NAME_count
(equal to the +Inf bucket). Then the issue-18 promise: every family has
the same sessions (label sets without the family's own labels) as
bfd_session_up.

usage: check_exposition.py FILE  (exit 0: valid; 1: the first error)"""
import re
import sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*$")
LNAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*$")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def fail(n, msg):
    print(f"line {n}: {msg}", file=sys.stderr)
    sys.exit(1)


def labels(n, s):
    """Parses {a="x",b="y"} (s without the braces) into a tuple of pairs."""
    out, i = [], 0
    while i < len(s):
        m = re.match(r"([a-zA-Z_][a-zA-Z0-9_]*)=\"", s[i:])
        if not m:
            fail(n, f"bad label at {s[i:]!r}")
        name, i, v = m.group(1), i + m.end(), []
        while True:
            if i >= len(s):
                fail(n, "unterminated label value")
            c = s[i]
            if c == "\\":
                if i + 1 >= len(s) or s[i + 1] not in '\\"n':
                    fail(n, "bad escape in a label value")
                v.append({"\\": "\\", '"': '"', "n": "\n"}[s[i + 1]])
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == "\n":
                fail(n, "newline in a label value")
            else:
                v.append(c)
                i += 1
        if any(k == name for k, _ in out):
            fail(n, f"label {name} twice")
        out.append((name, "".join(v)))
        if i < len(s):
            if s[i] != ",":
                fail(n, f"expected ',' at {s[i:]!r}")
            i += 1
    return tuple(out)


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    if not text.endswith("\n"):
        fail(0, "no final newline")
    help_, type_, done, cur, hist = {}, {}, set(), None, {}
    series, sessions = set(), {}
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("# HELP "):
            name = line.split(" ", 3)[2]
            if not NAME.match(name) or name in help_:
                fail(n, f"bad or repeated HELP for {name}")
            help_[name] = True
            continue
        if line.startswith("# TYPE "):
            parts = line.split(" ")
            if len(parts) != 4 or parts[3] not in TYPES or parts[2] in type_:
                fail(n, "bad or repeated TYPE")
            type_[parts[2]] = parts[3]
            continue
        if line.startswith("#") or not line:
            fail(n, "stray comment or empty line")
        m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$", line)
        if not m:
            fail(n, f"not a sample: {line!r}")
        sname, lab, value = m.group(1), labels(n, m.group(3) or ""), m.group(4)
        name = sname
        for suf in ("_bucket", "_sum", "_count"):
            base = sname[: -len(suf)]
            if sname.endswith(suf) and type_.get(base) == "histogram":
                name = base
        if name not in type_ or name not in help_:
            fail(n, f"sample of {name} before its HELP and TYPE")
        if type_[name] == "histogram" and name == sname:
            fail(n, f"histogram {name} sample without _bucket, _sum or _count")
        if name != cur:
            if name in done:
                fail(n, f"samples of {name} are not together")
            if cur:
                done.add(cur)
            cur = name
        try:
            v = float(value)
        except ValueError:
            fail(n, f"bad value {value!r}")
        if type_[name] == "counter" and v < 0:
            fail(n, "negative counter")
        if type_[name] == "histogram":
            h = hist.setdefault(name, {"le": [], "n": [], "sum": None, "count": None})
            if sname.endswith("_bucket"):
                le = dict(lab).get("le")
                if le is None or (h["sum"] is not None or h["count"] is not None):
                    fail(n, "bucket without le, or after _sum/_count")
                b = float("inf") if le == "+Inf" else float(le)
                if h["le"] and (b <= h["le"][-1] or v < h["n"][-1]):
                    fail(n, "bucket bounds not increasing or counts decreasing")
                h["le"].append(b)
                h["n"].append(v)
            else:
                h[sname[len(name) + 1:]] = v
        key = (sname, tuple(sorted(lab)))
        if key in series:
            fail(n, "series twice")
        series.add(key)
        sess = tuple(sorted((k, x) for k, x in lab if k not in ("state", "reason", "from", "to", "le")))
        sessions.setdefault(name, set()).add(sess)
    for name, h in hist.items():
        if not h["le"] or h["le"][-1] != float("inf") or h["sum"] is None or h["count"] is None:
            fail(0, f"histogram {name}: no +Inf bucket, _sum or _count")
        if h["count"] != h["n"][-1]:
            fail(0, f"histogram {name}: _count {h['count']} != +Inf bucket {h['n'][-1]}")
    if "bfd_session_up" not in sessions:
        fail(0, "no bfd_session_up")
    for name, s in sessions.items():
        if s == {()}:
            continue  # a table-wide family: no session labels
        if s != sessions["bfd_session_up"]:
            fail(0, f"{name} does not cover the same sessions as bfd_session_up")
    print(f"ok: {len(type_)} families, {len(series)} series, {len(sessions['bfd_session_up'])} sessions")


main()
