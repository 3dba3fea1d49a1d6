#!/usr/bin/env python3
"""Write the fuzz_dplane seeds to fuzz/corpus/dplane/.

Format (fuzz/fuzz_dplane.c): byte 0 the connection's version (% 3: 0 learn,
1, 2), byte 1 a chunking seed, then the bfddp stream. The messages are laid
out from FRR's bfdd/bfddp_packet.h, as in test/bfd_dplane_test.c.

usage: fuzz/dplane_seeds.py [outdir]
"""
import os
import struct
import sys


def hdr(version, mtype, mid, body):
    return struct.pack("!BBHHH", version, 0, mtype, mid, 8 + len(body)) + body


def session(flags, src, dst, lid, tx=300000, rx=300000, ttl=255, mult=3, ifindex=0,
            ifname=b"", v2=False):
    body = struct.pack("!I16s16sIIIIIIBBHI64s", flags, src, dst, lid, tx, rx, 50000, 50000,
                       0, ttl, mult, 0, ifindex, ifname)
    if v2:
        body += struct.pack("!BBBBI16s128s64s", 2, 1, 1, 0, 0xcafef00d, b"\x20\x01",
                            b"\xfc" + b"\x00" * 14 + b"\x01", b"sbfd-1")
    return body


V4A, V4B = bytes([10, 0, 0, 1]) + bytes(12), bytes([10, 0, 0, 2]) + bytes(12)
V6A = bytes.fromhex("20010db8000000000000000000000001")
V6B = bytes.fromhex("20010db8000000000000000000000002")
ADD, DEL, STATE, REQ, CNT, ECHO_REQ, ECHO_REP = 2, 3, 4, 5, 6, 0, 1

add4 = hdr(1, ADD, 0, session(0, V4A, V4B, 0x11223344, ifindex=7, ifname=b"veth-a"))
add6 = hdr(1, ADD, 0, session(0x10, V6A, V6B, 0x55667788))
addmh = hdr(1, ADD, 0, session(0x01, V4A, V4B, 0x99, ttl=254))
shut = hdr(1, ADD, 0, session(0x40 | 0x20, V4A, V4B, 0x11223344))
del4 = hdr(1, DEL, 0, session(0, V4A, V4B, 0x11223344))
req = hdr(1, REQ, 0x0102, struct.pack("!I", 0x11223344))
echo = hdr(1, ECHO_REQ, 0, struct.pack("!QQ", 0x0102030405060708, 0))
state = hdr(1, STATE, 0, struct.pack("!IIIIIIBBBB", 0x11223344, 0xdeadbeef, 2, 1000000,
                                      300000, 0, 3, 0, 5, 0))
counters = hdr(1, CNT, 0x0102, struct.pack("!II8Q", 0x11223344, 0, *range(1, 9)))
unknown = hdr(1, 99, 0, b"\xaa" * 12)
add_v2 = hdr(2, ADD, 0, session(0, V4A, V4B, 0x11223344, v2=True))

SEEDS = {
    "add_v4": (0, add4),
    "add_v6": (0, add6),
    "add_multihop": (1, addmh),
    "add_v2": (0, add_v2),
    "add_v2_fixed": (2, add_v2 + hdr(2, REQ, 3, struct.pack("!I", 0x11223344))),
    "burst": (0, add4 + add6 + addmh + unknown + req + shut + echo + del4),
    "state_counters": (0, state + counters),
    "bad_version": (0, add4 + b"\x03" + add4[1:]),
    "mixed_version": (0, add4 + add_v2),
    "bad_length": (0, req + add4[:6] + b"\x00\x04" + add4[8:]),
    "short_body": (1, req[:7] + b"\x0b" + req[8:11]),
    "partial": (0, add4 + add6[:70]),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__),
                                                             "corpus", "dplane")
    os.makedirs(out, exist_ok=True)
    for i, (name, (version, stream)) in enumerate(sorted(SEEDS.items())):
        with open(os.path.join(out, name), "wb") as f:
            f.write(bytes([version, (i * 37) & 0xff]) + stream)


if __name__ == "__main__":
    main()
