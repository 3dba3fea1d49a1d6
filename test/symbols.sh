#!/bin/sh
# Usage: symbols.sh LIB.so|LIB.a...  (ctest `symbols`, see test/symbols.cmake)
# Fails if a shared library exports (or a static archive defines as global) a
# symbol not starting with bfd_, or one that binutils' libbfd also exports. Exits 77 (SKIP) if libbfd is not installed
# (Debian: apt-get install libbinutils).
set -eu
LIBBFD_GLOB=${BFD_LIBBFD_GLOB:-"/usr/lib/*-linux-gnu/libbfd-*.so /usr/lib/libbfd-*.so /usr/lib64/libbfd-*.so"}

[ $# -gt 0 ] || { echo "usage: $0 LIB.so..." >&2; exit 2; }
command -v nm >/dev/null || { echo "nm not found" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

libbfd=
for f in $LIBBFD_GLOB; do
  [ -e "$f" ] && { libbfd=$f; break; }
done

status=0
for lib in "$@"; do
  # Defined symbols only: undefined ones are imports.
  case $lib in
    *.a) nmflags="-g --defined-only" ;;
    *) nmflags="-D --defined-only" ;;
  esac
  # shellcheck disable=SC2086
  nm $nmflags "$lib" | awk 'NF >= 3 { print $3 }' | sed 's/@.*//' |
    grep -Ev '^(_init|_fini|_edata|_end|__bss_start)$' | sort -u > "$tmp/syms"
  count=$(wc -l < "$tmp/syms")
  if [ "$count" -eq 0 ]; then
    echo "FAIL: $lib exports no symbols"; status=1; continue
  fi
  if grep -v '^bfd_' "$tmp/syms" > "$tmp/bad"; then
    echo "FAIL: $lib exports symbols outside the bfd_ namespace:"; sed 's/^/  /' "$tmp/bad"
    status=1
  fi
  echo "$lib: $count global symbols"
  if [ -n "$libbfd" ]; then
    nm -D --defined-only "$libbfd" | awk 'NF >= 3 { print $3 }' | sed 's/@.*//' | sort -u > "$tmp/libbfd"
    if comm -12 "$tmp/syms" "$tmp/libbfd" > "$tmp/clash" && [ -s "$tmp/clash" ]; then
      echo "FAIL: $lib exports symbols that $libbfd also exports:"; sed 's/^/  /' "$tmp/clash"
      status=1
    fi
  fi
done

if [ "$status" -ne 0 ]; then exit "$status"; fi
if [ -z "$libbfd" ]; then
  echo "SKIP: binutils' libbfd not found ($LIBBFD_GLOB); install libbinutils"
  exit 77
fi
echo "OK: no symbol clashes with $libbfd"
