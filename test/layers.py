#!/usr/bin/env python3
"""ctest `layers`: the include graph of lib/ (docs/design.md).

A module is a .c/.h pair of the same name. Checks:
  1. no cycle between modules of the core (lib/*.c, lib/*.h), counting
     #include "..." edges;
  2. the core includes no adapter header (uv.h, bfd_uv*.h, lib/uv/*) and no
     socket or clock header: it is sans-io;
  3. adapters (lib/uv/) may include the core, never the other way round;
  4. the adapter is a host like any other: its files include the public
     headers (<bfd/...>) and its one private header (bfd_uv_int.h), never
     a core-private header of lib/, and every adapter .c includes
     bfd_uv_int.h (one internal header, one naming convention).
Prints the module graph in layers and exits 1 on any violation.
"""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
LIB = os.path.join(ROOT, "lib")
INC = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
# Headers the sans-io core must never need.
UV_INT = "bfd_uv_int.h"  # the adapter's one private header
FORBIDDEN_SYS = {"uv.h", "sys/socket.h", "netinet/in.h", "arpa/inet.h", "pthread.h",
                 "sys/time.h", "poll.h", "sys/epoll.h", "unistd.h"}


def includes(path):
    with open(path, encoding="utf-8") as f:
        return INC.findall(f.read())


def main():
    errors = []
    core = [f for f in os.listdir(LIB) if f.endswith((".c", ".h"))]
    mods = {os.path.splitext(f)[0] for f in core}
    graph = {m: set() for m in mods}
    for f in sorted(core):
        m = os.path.splitext(f)[0]
        for kind, name in includes(os.path.join(LIB, f)):
            base = os.path.basename(name)
            if kind == "<" and (name in FORBIDDEN_SYS or "uv" in name.split("/")[-1]):
                if not (m == "bfd_rand" and name == "unistd.h"):
                    errors.append(f"lib/{f}: the core includes <{name}>")
            if kind == '"':
                if name.startswith("uv/") or base.startswith("bfd_uv"):
                    errors.append(f"lib/{f}: the core includes the adapter header {name}")
                dep = os.path.splitext(base)[0]
                if dep in mods and dep != m:
                    graph[m].add(dep)
    # Cycles: DFS with colours.
    colour = {m: 0 for m in mods}
    stack = []

    def visit(m):
        colour[m] = 1
        stack.append(m)
        for d in sorted(graph[m]):
            if colour[d] == 1:
                cyc = stack[stack.index(d):] + [d]
                errors.append("include cycle: " + " -> ".join(cyc))
            elif colour[d] == 0:
                visit(d)
        stack.pop()
        colour[m] = 2

    for m in sorted(mods):
        if colour[m] == 0:
            visit(m)
    # Layers (longest path to a leaf), for the log.
    depth = {}

    def level(m, seen=()):
        if m in depth:
            return depth[m]
        if m in seen:
            return 0
        depth[m] = 1 + max((level(d, seen + (m,)) for d in graph[m]), default=-1)
        return depth[m]

    for m in mods:
        level(m)
    for lv in sorted(set(depth.values()), reverse=True):
        row = sorted(m for m in mods if depth[m] == lv)
        print(f"layer {lv}: " + ", ".join(f"{m} -> {{{', '.join(sorted(graph[m]))}}}" for m in row))
    # The adapter: never included by the core (above); reaches the core only
    # through the public API, and shares one private header.
    uvdir = os.path.join(LIB, "uv")
    if os.path.isdir(uvdir):
        uvfiles = sorted(f for f in os.listdir(uvdir) if f.endswith((".c", ".h")))
        for f in uvfiles:
            quoted = [name for kind, name in includes(os.path.join(uvdir, f)) if kind == '"']
            for name in quoted:
                base = os.path.basename(name)
                if os.path.splitext(base)[0] in mods:
                    errors.append(f"lib/uv/{f}: the adapter includes the core-private {name}"
                                  " (use the public <bfd/bfd.h>)")
                elif base != UV_INT:
                    errors.append(f"lib/uv/{f}: includes \"{name}\"; the adapter's one private"
                                  f" header is {UV_INT}")
            if f.endswith(".c") and UV_INT not in (os.path.basename(n) for n in quoted):
                errors.append(f"lib/uv/{f}: does not include {UV_INT}")
        print("adapter: " + ", ".join(uvfiles))
    for e in errors:
        print("FAIL: " + e)
    if not errors:
        print(f"layers: ok ({len(mods)} core modules, no cycle, sans-io)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
