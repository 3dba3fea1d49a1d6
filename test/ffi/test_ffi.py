#!/usr/bin/env python3
"""FFI test: drive libbfdkit through Python ctypes, without a C compiler.

Two standalone sessions talk to each other through bfd_session_feed_packet /
bfd_session_feed_time / bfd_session_poll_packet on a virtual clock. The test
checks the exact states, the nexthop-shutdown events (RFC 5882 §3), the
detection time (RFC 5880 §6.8.4) and the callback/error contract, and
compares every ctypes struct layout and constant with what a C compiler sees
(the abi_dump helper), so a header change that breaks bindings fails here.

Usage: test_ffi.py [--lib PATH] [--abi-dump PATH]
  --lib       libbfdkit.so to load (default: $BFDKIT_LIB, else the installed
              one found by ctypes.util.find_library("bfdkit")).
  --abi-dump  the abi_dump helper built from test/ffi/abi_dump.c; without
              it the layout comparison is skipped (reported, not failed).
Exit status: 0 pass, 1 fail, 77 skip (no library found).
"""
import argparse
import ctypes
import ctypes.util
import os
import subprocess
import sys
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_int,
                    c_size_t, c_ssize_t, c_uint8, c_uint16, c_uint32,
                    c_uint64, c_void_p)

SKIP = 77
FAILS = []


def check(cond, what):
    if cond:
        print("ok   " + what)
    else:
        print("FAIL " + what)
        FAILS.append(what)


def eq(actual, expected, what):
    check(actual == expected, "%s: %r (expected %r)" % (what, actual, expected))


# --------------------------------------------------------------------------
# Declarations, mirroring include/bfd/bfd.h
# --------------------------------------------------------------------------

BFD_SESSION_SETTINGS_VERSION = 1
BFD_CALLBACKS_VERSION = 2
BFD_SESSION_STATUS_VERSION = 2
BFD_STATE_ADMIN_DOWN, BFD_STATE_DOWN, BFD_STATE_INIT, BFD_STATE_UP = 0, 1, 2, 3
BFD_DIAG_NONE = 0
BFD_DIAG_DETECT_EXPIRED = 1
BFD_DIAG_NEIGHBOR_DOWN = 3
BFD_DIAG_ADMIN_DOWN = 7
BFD_MODE_SINGLE_HOP, BFD_MODE_MULTIHOP = 0, 1
BFD_AF_INET, BFD_AF_INET6 = 4, 6
BFD_RX_TTL, BFD_RX_LOCAL, BFD_RX_PEER = 0x01, 0x02, 0x04
BFD_NHS_DOWN_UNTIL_UP, BFD_NHS_AFTER_UP = 0, 1
BFD_NEXTHOP_DOWN, BFD_NEXTHOP_UP = 0, 1
(BFD_NH_CAUSE_CREATED, BFD_NH_CAUSE_UP, BFD_NH_CAUSE_FAILURE,
 BFD_NH_CAUSE_DELETED, BFD_NH_CAUSE_ADMIN) = 0, 1, 2, 3, 4
BFD_FLAG_P, BFD_FLAG_F = 0x20, 0x10
BFD_CTRL_LEN, BFD_CTRL_LEN_MAX = 24, 52
BFD_TTL_MAX = 255
BFD_ERR_INVALID_ARGUMENT = -201
BFD_ERR_VERSION = -206
BFD_ERR_CLOCK_BACKWARDS = -204
BFD_ERR_CALLBACK_FAILURE = -205
BFD_ERR_PKT_TTL = -244
BFD_ERR_PKT_TRUNCATED = -220
BFD_ERR_CFG_MIN_RX = -262
BFD_TSTAMP_NONE = 2**64 - 1
MS = 1000000
SEC = 1000000000

malloc_cb = CFUNCTYPE(c_void_p, c_size_t, c_void_p)
free_cb = CFUNCTYPE(None, c_void_p, c_void_p)
calloc_cb = CFUNCTYPE(c_void_p, c_size_t, c_size_t, c_void_p)
realloc_cb = CFUNCTYPE(c_void_p, c_void_p, c_size_t, c_void_p)


class bfd_mem(Structure):
    _fields_ = [("user_data", c_void_p), ("malloc", malloc_cb),
                ("free", free_cb), ("calloc", calloc_cb),
                ("realloc", realloc_cb)]


class bfd_auth_section(Structure):
    _fields_ = [("type", c_uint8), ("len", c_uint8), ("key_id", c_uint8),
                ("reserved", c_uint8), ("seq", c_uint32),
                ("data_len", c_uint8), ("data", c_uint8 * 20),
                ("pad", c_uint8 * 3)]


class bfd_ctrl_pkt(Structure):
    _fields_ = [("version", c_uint8), ("diag", c_uint8), ("state", c_uint8),
                ("flags", c_uint8), ("detect_mult", c_uint8),
                ("length", c_uint8), ("pad", c_uint8 * 2),
                ("my_discr", c_uint32), ("your_discr", c_uint32),
                ("desired_min_tx_us", c_uint32),
                ("required_min_rx_us", c_uint32),
                ("required_min_echo_rx_us", c_uint32),
                ("auth", bfd_auth_section)]


class bfd_session_settings(Structure):
    _fields_ = [("struct_version", c_uint32), ("local_discr", c_uint32),
                ("desired_min_tx_us", c_uint32),
                ("required_min_rx_us", c_uint32),
                ("required_min_echo_rx_us", c_uint32),
                ("detect_mult", c_uint8), ("mode", c_uint8),
                ("passive", c_uint8), ("admin_down", c_uint8),
                ("nexthop_policy", c_uint8), ("min_rx_ttl", c_uint8),
                ("cpi", c_uint8), ("reserved0", c_uint8)]


class bfd_state_event(Structure):
    _fields_ = [("ts", c_uint64), ("change_seq", c_uint32),
                ("old_state", c_uint8), ("new_state", c_uint8),
                ("local_diag", c_uint8), ("remote_state", c_uint8),
                ("remote_diag", c_uint8), ("flags", c_uint8), ("pad", c_uint8 * 6)]


class bfd_nexthop_event(Structure):
    _fields_ = [("ts", c_uint64), ("action", c_uint8), ("cause", c_uint8),
                ("diag", c_uint8), ("pad", c_uint8 * 5)]


state_change_cb = CFUNCTYPE(c_int, c_void_p, POINTER(bfd_state_event),
                            c_void_p)
nexthop_cb = CFUNCTYPE(c_int, c_void_p, POINTER(bfd_nexthop_event), c_void_p)
rand_cb = CFUNCTYPE(None, POINTER(c_uint8), c_size_t, c_void_p)


class bfd_session_event(Structure):
    _fields_ = [("ts", c_uint64), ("kind", c_uint8), ("reason", c_uint8),
                ("pad", c_uint8 * 6)]


session_event_cb = CFUNCTYPE(c_int, c_void_p, POINTER(bfd_session_event), c_void_p)
responder_accept_cb = CFUNCTYPE(c_int, c_void_p, c_void_p, c_void_p)
params_cb = CFUNCTYPE(c_int, c_void_p, c_void_p, c_void_p)
auth_failure_cb = CFUNCTYPE(c_int, c_void_p, c_void_p, c_void_p)


class bfd_callbacks(Structure):
    _fields_ = [("struct_version", c_uint32), ("reserved0", c_uint32),
                ("state_change", state_change_cb), ("nexthop", nexthop_cb),
                ("rand", rand_cb), ("session", session_event_cb),
                ("responder_accept", responder_accept_cb), ("params", params_cb),
                ("auth_failure", auth_failure_cb)]


class bfd_rx_info(Structure):
    _fields_ = [("mode", c_uint8), ("family", c_uint8), ("ttl", c_uint8),
                ("flags", c_uint8), ("ifindex", c_uint32),
                ("local", c_uint8 * 16), ("peer", c_uint8 * 16),
                ("peer_port", c_uint16), ("local_port", c_uint16)]


class bfd_session_key(Structure):
    _fields_ = [("mode", c_uint8), ("family", c_uint8), ("flags", c_uint8),
                ("pad", c_uint8), ("ifindex", c_uint32), ("local", c_uint8 * 16),
                ("peer", c_uint8 * 16)]


class bfd_session_status(Structure):
    _fields_ = [("struct_version", c_uint32), ("change_seq", c_uint32),
                ("state", c_uint8), ("local_diag", c_uint8),
                ("remote_state", c_uint8), ("remote_diag", c_uint8),
                ("forwarding", c_uint8), ("poll_active", c_uint8),
                ("remote_demand", c_uint8), ("remote_detect_mult", c_uint8),
                ("detect_mult", c_uint8), ("mode", c_uint8),
                ("nexthop_down", c_uint8), ("pad", c_uint8),
                ("local_discr", c_uint32), ("remote_discr", c_uint32),
                ("desired_min_tx_us", c_uint32),
                ("required_min_rx_us", c_uint32),
                ("remote_desired_min_tx_us", c_uint32),
                ("remote_required_min_rx_us", c_uint32),
                ("remote_required_min_echo_rx_us", c_uint32),
                ("pad2", c_uint32),
                ("tx_interval_ns", c_uint64), ("detect_time_ns", c_uint64),
                ("last_rx", c_uint64), ("last_tx", c_uint64),
                ("last_change", c_uint64), ("rx_packets", c_uint64),
                ("rx_dropped", c_uint64), ("tx_packets", c_uint64),
                ("up_count", c_uint64), ("down_count", c_uint64),
                ("polls_sent", c_uint64), ("finals_sent", c_uint64),
                ("failure_count", c_uint64), ("tx_failed", c_uint64),
                ("auth_failures", c_uint64), ("goodbye", c_uint8),
                ("pad3", c_uint8 * 3), ("scale_permille", c_uint32)]


STRUCTS = [bfd_mem, bfd_auth_section, bfd_ctrl_pkt, bfd_session_settings,
           bfd_state_event, bfd_nexthop_event, bfd_session_event, bfd_callbacks, bfd_rx_info,
           bfd_session_key, bfd_session_status]

P = c_void_p  # opaque bfd_session * / bfd_table *
PROTOS = {
    "bfd_version_string": (c_char_p, []),
    "bfd_version_number": (c_uint32, []),
    "bfd_strerror": (c_char_p, [c_int]),
    "bfd_err_is_fatal": (c_int, [c_int]),
    "bfd_state_name": (c_char_p, [c_uint8]),
    "bfd_us_to_ns": (c_uint64, [c_uint32]),
    "bfd_ctrl_pkt_decode": (c_int, [POINTER(bfd_ctrl_pkt), POINTER(c_uint8),
                                    c_size_t]),
    "bfd_session_settings_init": (c_int, [c_uint32,
                                          POINTER(bfd_session_settings)]),
    "bfd_session_settings_check": (c_int, [POINTER(bfd_session_settings)]),
    "bfd_callbacks_init": (c_int, [c_uint32, POINTER(bfd_callbacks)]),
    "bfd_session_new": (c_int, [POINTER(P), POINTER(bfd_session_settings),
                                POINTER(bfd_callbacks), c_void_p, c_void_p,
                                c_uint64]),
    "bfd_session_del": (None, [P]),
    "bfd_session_feed_packet": (c_int, [P, POINTER(c_uint8), c_size_t,
                                        POINTER(bfd_rx_info), c_uint64]),
    "bfd_session_feed_time": (c_int, [P, c_uint64]),
    "bfd_session_poll_packet": (c_ssize_t, [P, POINTER(c_uint8), c_size_t,
                                            c_uint64]),
    "bfd_session_next_deadline": (c_uint64, [P]),
    "bfd_session_get_status": (c_int, [P, POINTER(bfd_session_status)]),
    "bfd_session_get_state": (c_uint8, [P]),
    "bfd_session_get_local_discr": (c_uint32, [P]),
    "bfd_session_get_rx_drops": (c_uint64, [P, c_int]),
    "bfd_session_get_user_data": (c_void_p, [P]),
    "bfd_session_set_admin_down": (c_int, [P, c_uint8, c_uint64]),
}


def load(path):
    lib = ctypes.CDLL(path)
    for name, (res, args) in PROTOS.items():
        fn = getattr(lib, name)
        fn.restype = res
        fn.argtypes = args
    return lib


# --------------------------------------------------------------------------
# ABI comparison with the C compiler's view
# --------------------------------------------------------------------------

def compare_abi(dump_exe):
    # The helper is an ordinary executable: not the interpreter's preloads
    # (sanitizer runtime in ASan builds, see test/ffi.cmake).
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    out = subprocess.run([dump_exe], check=True, capture_output=True,
                         text=True, env=env).stdout
    by_name = {s.__name__: s for s in STRUCTS}
    g = globals()
    seen_fields = {s.__name__: set() for s in STRUCTS}
    n = nconst = 0
    for line in out.splitlines():
        kind, *rest = line.split()
        if kind == "size":
            name, size = rest[0], int(rest[1])
            check(name in by_name, "ctypes declares struct %s" % name)
            if name in by_name:
                eq(ctypes.sizeof(by_name[name]), size, "sizeof(%s)" % name)
        elif kind == "field":
            name, field, off, size = rest[0], rest[1], int(rest[2]), int(rest[3])
            desc = getattr(by_name[name], field, None)
            if desc is None:
                check(False, "ctypes %s has field %s" % (name, field))
                continue
            seen_fields[name].add(field)
            # One line per field keeps the log short; print only mismatches.
            if (desc.offset, desc.size) != (off, size):
                check(False, "%s.%s offset/size %d/%d (C: %d/%d)" %
                      (name, field, desc.offset, desc.size, off, size))
            n += 1
        elif kind == "const":
            name, value = rest[0], int(rest[1])
            if g.get(name) != value:
                check(False, "constant %s: %r (C: %d)" % (name, g.get(name), value))
            nconst += 1
    check(n > 100 and nconst > 30,
          "compared %d field offsets and sizes, %d constants" % (n, nconst))
    for s in STRUCTS:
        extra = set(f for f, _ in s._fields_) - seen_fields[s.__name__]
        check(not extra, "every ctypes field of %s is known to C %s" %
              (s.__name__, sorted(extra)))


# --------------------------------------------------------------------------
# Two sessions on a virtual clock
# --------------------------------------------------------------------------

class Host:
    """Callback sink for both sessions; records every event in order."""

    def __init__(self, lib):
        self.lib = lib
        self.states = []    # (name, old, new, diag, ts)
        self.nexthops = []  # (name, action, cause, diag, ts)
        self.names = {}     # session pointer -> name
        self.fail_nexthop = False
        self.seed = 0x12345678
        # Keep the CFUNCTYPE objects alive as long as the library may call them.
        self.c_state = state_change_cb(self.on_state)
        self.c_nexthop = nexthop_cb(self.on_nexthop)
        self.c_rand = rand_cb(self.on_rand)

    def name(self, sess, user_data):
        # During bfd_session_new the pointer is not known yet: user_data is.
        return self.names.get(sess) or {1: "A", 2: "B", 3: "C"}[user_data]

    def on_state(self, sess, ev, user_data):
        e = ev.contents
        self.states.append((self.name(sess, user_data), e.old_state,
                            e.new_state, e.local_diag, e.ts))
        return 0

    def on_nexthop(self, sess, ev, user_data):
        e = ev.contents
        self.nexthops.append((self.name(sess, user_data), e.action, e.cause,
                              e.diag, e.ts))
        return 1 if self.fail_nexthop else 0

    def on_rand(self, dest, length, user_data):
        # Deterministic xorshift32: reproducible discriminators and jitter.
        for i in range(length):
            x = self.seed
            x ^= (x << 13) & 0xFFFFFFFF
            x ^= x >> 17
            x ^= (x << 5) & 0xFFFFFFFF
            self.seed = x
            dest[i] = x & 0xFF

    def callbacks(self):
        cb = bfd_callbacks()
        eq(self.lib.bfd_callbacks_init(BFD_CALLBACKS_VERSION, ctypes.byref(cb)),
           0, "bfd_callbacks_init")
        cb.state_change = self.c_state
        cb.nexthop = self.c_nexthop
        cb.rand = self.c_rand
        return cb


def status(lib, sess):
    st = bfd_session_status()
    st.struct_version = BFD_SESSION_STATUS_VERSION
    eq(lib.bfd_session_get_status(sess, ctypes.byref(st)), 0,
       "bfd_session_get_status")
    return st


def run_sessions(lib):
    host = Host(lib)
    cb = host.callbacks()

    st = bfd_session_settings()
    eq(lib.bfd_session_settings_init(BFD_SESSION_SETTINGS_VERSION,
                                     ctypes.byref(st)), 0, "settings_init")
    # Defaults documented in bfd.h.
    eq((st.struct_version, st.local_discr, st.desired_min_tx_us,
        st.required_min_rx_us, st.detect_mult, st.mode, st.nexthop_policy,
        st.min_rx_ttl), (1, 0, 300000, 300000, 3, BFD_MODE_SINGLE_HOP,
                         BFD_NHS_DOWN_UNTIL_UP, 0), "settings defaults")
    eq(lib.bfd_session_settings_init(99, ctypes.byref(st)), BFD_ERR_VERSION,
       "settings_init with an unknown version")
    st.required_min_rx_us = 0
    eq(lib.bfd_session_settings_check(ctypes.byref(st)), BFD_ERR_CFG_MIN_RX,
       "Required Min RX 0 rejected")
    st.desired_min_tx_us = 100000
    st.required_min_rx_us = 100000

    t0 = 1000
    a, b = P(), P()
    eq(lib.bfd_session_new(ctypes.byref(a), ctypes.byref(st), ctypes.byref(cb),
                           None, 1, t0), 0, "bfd_session_new A")
    eq(lib.bfd_session_new(ctypes.byref(b), ctypes.byref(st), ctypes.byref(cb),
                           None, 2, t0), 0, "bfd_session_new B")
    host.names = {a.value: "A", b.value: "B"}
    eq(lib.bfd_session_get_user_data(a), 1, "user_data A")
    da, db = lib.bfd_session_get_local_discr(a), lib.bfd_session_get_local_discr(b)
    check(da != 0 and db != 0 and da != db, "random discriminators %#x %#x" %
          (da, db))
    # RFC 5882 §3 via the default policy: nexthops start DOWN.
    eq(host.nexthops, [("A", BFD_NEXTHOP_DOWN, BFD_NH_CAUSE_CREATED, 0, t0),
                       ("B", BFD_NEXTHOP_DOWN, BFD_NH_CAUSE_CREATED, 0, t0)],
       "nexthop DOWN(CREATED) at creation")
    eq(host.states, [], "no state change at creation")
    eq(lib.bfd_session_get_state(a), BFD_STATE_DOWN, "A starts Down")
    eq(lib.bfd_session_next_deadline(a), t0, "first packet due at creation")

    rx = bfd_rx_info()
    rx.mode = BFD_MODE_SINGLE_HOP
    rx.family = BFD_AF_INET
    rx.ttl = BFD_TTL_MAX
    rx.flags = BFD_RX_TTL
    buf = (c_uint8 * 64)()
    sent = {"A": [], "B": []}
    pkt = bfd_ctrl_pkt()

    def step(now, deliver_b_to_a=True):
        # Until neither side has anything due: a state change makes a packet
        # due at once (§6.8.7), possibly after that side was already polled.
        while step1(now, deliver_b_to_a):
            pass

    def step1(now, deliver_b_to_a):
        moved = False
        for name, src, dst in (("A", a, b), ("B", b, a)):
            eq_rv = lib.bfd_session_feed_time(src, now)
            if eq_rv != 0:
                check(False, "feed_time %s at %d: %d" % (name, now, eq_rv))
            while True:
                n = lib.bfd_session_poll_packet(src, buf, len(buf), now)
                if n < 0:
                    check(False, "poll_packet %s: %d" % (name, n))
                    return False
                if n == 0:
                    break
                moved = True
                if lib.bfd_ctrl_pkt_decode(ctypes.byref(pkt), buf, n) != 0:
                    check(False, "own packet decodes")
                sent[name].append((now, pkt.state, pkt.flags))
                if name == "B" and not deliver_b_to_a:
                    continue
                rv = lib.bfd_session_feed_packet(dst, buf, n, ctypes.byref(rx),
                                                 now)
                if rv != 0:
                    check(False, "feed_packet to %s at %d: %d (%s)" % (
                        "B" if name == "A" else "A", now, rv,
                        lib.bfd_strerror(rv).decode()))
        return moved

    def next_time():
        return min(lib.bfd_session_next_deadline(a),
                   lib.bfd_session_next_deadline(b))

    now = t0
    step(now)
    # Both sent at t0; A's Down made B Init, B's Init made A Up, A's Up made
    # B Up, all at the same instant (RFC 5880 §6.8.6 state table).
    eq([s[:4] for s in host.states],
       [("B", BFD_STATE_DOWN, BFD_STATE_INIT, 0),
        ("A", BFD_STATE_DOWN, BFD_STATE_UP, 0),
        ("B", BFD_STATE_INIT, BFD_STATE_UP, 0)], "three-way handshake")
    eq(host.nexthops[2:], [("A", BFD_NEXTHOP_UP, BFD_NH_CAUSE_UP, 0, t0),
                           ("B", BFD_NEXTHOP_UP, BFD_NH_CAUSE_UP, 0, t0)],
       "nexthop UP(UP) on Up, in order")

    # Run 5 s on deadlines only: the slow-start Poll Sequence (§6.8.3)
    # finishes and the negotiated 100 ms interval applies.
    while True:
        now = next_time()
        if now > t0 + 5 * SEC:
            break
        step(now)
    sa, sb = status(lib, a), status(lib, b)
    for name, s, peer in (("A", sa, db), ("B", sb, da)):
        eq((s.state, s.remote_state, s.local_diag, s.remote_discr,
            s.forwarding, s.nexthop_down, s.poll_active),
           (BFD_STATE_UP, BFD_STATE_UP, 0, peer, 1, 0, 0),
           "%s Up, forwarding, poll done" % name)
        eq(s.tx_interval_ns, 100 * MS, "%s TX interval (§6.8.7)" % name)
        eq(s.detect_time_ns, 300 * MS, "%s detection time 3 x 100 ms" % name)
        eq((s.up_count, s.down_count, s.change_seq), (1, 0, 1 if name == "A" else 2),
           "%s counters" % name)
        check(s.polls_sent >= 1 and s.finals_sent >= 1,
              "%s polls %d finals %d" % (name, s.polls_sent, s.finals_sent))
    gaps = [t2 - t1 for (t1, _, f1), (t2, _, f2) in
            zip(sent["A"][-20:], sent["A"][-19:])]
    # §6.8.7 jitter: 75-100 % of the interval (Detect Mult 3).
    check(all(75 * MS <= g <= 100 * MS for g in gaps),
          "A's periodic gaps within 75-100 ms: %s" %
          sorted(set(g // MS for g in gaps)))

    # GTSM (RFC 5881 §5): a single-hop packet with TTL 254 changes nothing.
    bad = bfd_rx_info.from_buffer_copy(rx)
    bad.ttl = 254
    # A well-formed Up packet from B with the right discriminators:
    # version 1 diag 0, state Up no flags, Detect Mult 3, Length 24.
    pb = (c_uint8 * 24)(*([0x20, BFD_STATE_UP << 6, 3, 24] + [0] * 20))
    pb[4:8] = list(db.to_bytes(4, "big"))
    pb[8:12] = list(da.to_bytes(4, "big"))
    pb[12:16] = list((100000).to_bytes(4, "big"))
    pb[16:20] = list((100000).to_bytes(4, "big"))
    eq(lib.bfd_session_feed_packet(a, pb, 24, ctypes.byref(bad), now),
       BFD_ERR_PKT_TTL, "TTL 254 dropped (GTSM)")
    eq(lib.bfd_session_get_rx_drops(a, BFD_ERR_PKT_TTL), 1, "TTL drop counted")
    eq(lib.bfd_session_feed_packet(a, pb, 23, ctypes.byref(rx), now),
       BFD_ERR_PKT_TRUNCATED, "23-byte datagram dropped")
    eq(lib.bfd_session_feed_packet(a, pb, 24, ctypes.byref(rx), now), 0,
       "the same packet with TTL 255 is accepted")
    eq(lib.bfd_session_feed_time(a, now - 1), BFD_ERR_CLOCK_BACKWARDS,
       "clock going backwards")

    # B goes silent towards A: A must fall Down exactly one detection time
    # after its last accepted packet (§6.8.4), diag 1, nexthop DOWN(FAILURE).
    last_rx = status(lib, a).last_rx
    nh_before = len(host.nexthops)
    while lib.bfd_session_get_state(a) == BFD_STATE_UP:
        now = next_time()
        if now > last_rx + 2 * SEC:
            break
        step(now, deliver_b_to_a=False)
    sa = status(lib, a)
    eq((sa.state, sa.local_diag, sa.remote_discr, sa.down_count),
       (BFD_STATE_DOWN, BFD_DIAG_DETECT_EXPIRED, 0, 1),
       "A Down after detection time, remote discr forgotten")
    eq(sa.last_change - last_rx, 300 * MS, "A detected the loss after 300 ms")
    # A's Down packet reaches B in the same step: B Up -> Down, diag 3.
    eq(host.nexthops[nh_before:],
       [("A", BFD_NEXTHOP_DOWN, BFD_NH_CAUSE_FAILURE, BFD_DIAG_DETECT_EXPIRED,
         sa.last_change),
        ("B", BFD_NEXTHOP_DOWN, BFD_NH_CAUSE_FAILURE, BFD_DIAG_NEIGHBOR_DOWN,
         sa.last_change)], "nexthop DOWN(FAILURE): A diag 1, then B diag 3")

    # Deleting a session whose nexthop is DOWN clears it (RFC 5882 §3).
    n_before = len(host.nexthops)
    lib.bfd_session_del(a)
    eq(host.nexthops[n_before:],
       [("A", BFD_NEXTHOP_UP, BFD_NH_CAUSE_DELETED, BFD_DIAG_DETECT_EXPIRED,
         now)], "delete delivers UP(DELETED)")
    lib.bfd_session_del(b)
    eq(host.nexthops[-1][:3], ("B", BFD_NEXTHOP_UP, BFD_NH_CAUSE_DELETED),
       "B cleared on delete")
    lib.bfd_session_del(None)

    # BFD_NHS_AFTER_UP: no DOWN at creation; nothing to clear on delete.
    st.nexthop_policy = BFD_NHS_AFTER_UP
    n_before = len(host.nexthops)
    c = P()
    eq(lib.bfd_session_new(ctypes.byref(c), ctypes.byref(st), ctypes.byref(cb),
                           None, 3, now), 0, "bfd_session_new AFTER_UP")
    lib.bfd_session_del(c)
    eq(host.nexthops[n_before:], [], "AFTER_UP: no nexthop event")
    st.nexthop_policy = BFD_NHS_DOWN_UNTIL_UP

    # A failing callback: bfd_session_new reports BFD_ERR_CALLBACK_FAILURE
    # for the creation event and creates nothing.
    host.fail_nexthop = True
    c = P(12345)
    eq(lib.bfd_session_new(ctypes.byref(c), ctypes.byref(st), ctypes.byref(cb),
                           None, 3, now), BFD_ERR_CALLBACK_FAILURE,
       "failing nexthop callback")
    eq(c.value, None, "no session on failure")
    eq(lib.bfd_err_is_fatal(BFD_ERR_CALLBACK_FAILURE), 1, "callback failure is fatal")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", default=os.environ.get("BFDKIT_LIB"))
    ap.add_argument("--abi-dump")
    args = ap.parse_args()
    path = args.lib or ctypes.util.find_library("bfdkit")
    if not path:
        print("SKIP: no libbfdkit found (pass --lib or set BFDKIT_LIB)")
        return SKIP
    print("library: %s" % path)
    lib = load(path)
    ver = lib.bfd_version_string().decode()
    num = lib.bfd_version_number()
    eq("%d.%d.%d" % (num >> 16, (num >> 8) & 0xff, num & 0xff), ver,
       "version string matches number")
    eq(lib.bfd_strerror(BFD_ERR_NOT_A_CODE), b"(unknown)", "strerror unknown")
    eq(lib.bfd_state_name(BFD_STATE_UP), b"Up", "state name")
    eq(lib.bfd_us_to_ns(300000), 300 * MS, "us_to_ns")

    if args.abi_dump:
        compare_abi(args.abi_dump)
    else:
        print("note: no --abi-dump, struct layouts not compared")

    run_sessions(lib)

    if FAILS:
        print("\n%d check(s) failed" % len(FAILS))
        return 1
    print("\nall checks passed")
    return 0


BFD_ERR_NOT_A_CODE = 12345

if __name__ == "__main__":
    sys.exit(main())
