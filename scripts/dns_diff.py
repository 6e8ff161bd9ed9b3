#!/usr/bin/env python3
"""Differential test of mg_dns_parse / mg_dns_parse_rr against Mongoose 7.23
(development tool; needs cymongoose). Usage:

    cargo build && python3 scripts/dns_diff.py [--print] [ITERATIONS]

Feeds hand-made DNS answers (A, AAAA, CNAME chains, compression pointers,
loops, truncation) and random mutations of them to both libraries and
compares every result field. Exit status 1 on a difference.
"""
import os
import random
import struct
import sys
from ctypes import (CDLL, POINTER, Structure, byref, c_bool, c_char, c_size_t, c_uint8, c_uint16,
                    create_string_buffer, memset, sizeof)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mqtt_diff as D  # noqa: E402  (library paths)


class Addr(Structure):
    _fields_ = [("ip", c_uint8 * 16), ("port", c_uint16), ("scope_id", c_uint8), ("is_ip6", c_bool)]


class Msg(Structure):
    _fields_ = [("txnid", c_uint16), ("resolved", c_bool), ("_pad", c_uint8 * 5), ("addr", Addr),
                ("_pad2", c_uint8 * 4), ("name", c_char * 256)]  # addr@8, name@32 (mg_addr is 8-aligned)


class RR(Structure):
    _fields_ = [("nlen", c_uint16), ("atype", c_uint16), ("aclass", c_uint16), ("alen", c_uint16)]


class Lib:
    def __init__(self, path):
        L = self.L = CDLL(path)
        L.mg_dns_parse.argtypes = [D.c_void_p, c_size_t, POINTER(Msg)]
        L.mg_dns_parse.restype = c_bool
        L.mg_dns_parse_rr.argtypes = [D.c_void_p, c_size_t, c_size_t, c_bool, POINTER(RR)]
        L.mg_dns_parse_rr.restype = c_size_t
        D.c_int.in_dll(L, "mg_log_level").value = 0

    def run(self, pkt):
        buf = create_string_buffer(pkt, len(pkt) + 1)
        m = Msg()
        memset(byref(m), 0xA5, sizeof(m))
        ok = self.L.mg_dns_parse(buf, len(pkt), byref(m))
        res = [ok, m.txnid, m.resolved, bytes(m.addr.ip), m.addr.port, m.addr.scope_id, m.addr.is_ip6,
               bytes(m.name)]
        for ofs in range(0, min(len(pkt), 80)):
            for q in (True, False):
                rr = RR()
                memset(byref(rr), 0x5A, sizeof(rr))
                n = self.L.mg_dns_parse_rr(buf, len(pkt), ofs, q, byref(rr))
                res.append((ofs, q, n, rr.nlen, rr.atype, rr.aclass, rr.alen) if n else (ofs, q, 0))
        return res


def name(n):
    out = b""
    for part in n.split("."):
        if part:
            out += bytes([len(part)]) + part.encode()
    return out + b"\0"


def hdr(txn, flags, q, a, ns=0, ar=0):
    return struct.pack(">HHHHHH", txn, flags, q, a, ns, ar)


def rr(nm, typ, data, cls=1, ttl=300):
    return nm + struct.pack(">HHIH", typ, cls, ttl, len(data)) + data


def cases():
    q = name("example.com") + struct.pack(">HH", 1, 1)
    yield hdr(0x1234, 0x8180, 1, 1) + q + rr(b"\xc0\x0c", 1, bytes([93, 184, 216, 34]))
    yield hdr(7, 0x8180, 1, 1) + name("v6.test") + struct.pack(">HH", 28, 1) + rr(b"\xc0\x0c", 28, bytes(range(16)))
    yield hdr(9, 0x8180, 1, 2) + q + rr(b"\xc0\x0c", 5, name("alias.example.net")) + rr(name("alias.example.net"), 1, b"\x0a\0\0\x01")
    yield hdr(9, 0x8180, 1, 2) + q + rr(b"\xc0\x0c", 1, b"\x01\x02\x03") + rr(b"\xc0\x0c", 1, b"\x01\x02\x03\x04")
    yield hdr(9, 0x8180, 1, 1) + q + rr(b"\xc0\x0c", 1, b"\x01\x02\x03\x04", cls=3)
    yield hdr(9, 0x8180, 0, 1) + rr(name("x.y"), 1, b"\x7f\0\0\x01")
    yield hdr(9, 0x8180, 2, 0) + q + q
    yield hdr(9, 0x8183, 1, 0) + q
    yield hdr(9, 0x8180, 1, 11) + q + rr(b"\xc0\x0c", 16, b"\x03abc") * 10 + rr(b"\xc0\x0c", 1, b"\1\2\3\4")
    yield hdr(9, 0x8180, 1, 1) + q + rr(b"\xc0\x0c", 1, b"\1\2\3\4") + b"\0" * 500
    yield hdr(9, 0x8180, 1, 1) + q + rr(b"\xc0\x0c", 1, b"\1\2\3\4")[:-2]
    yield hdr(9, 0x8180, 1, 1) + b"\xc0\x0c" + struct.pack(">HH", 1, 1) + rr(b"\xc0\x0c", 1, b"\1\2\3\4")
    yield hdr(9, 0x8180, 1, 1) + b"\x03abc\xc0\x0c" + struct.pack(">HH", 1, 1) + rr(b"\xc0\x0c", 1, b"\1\2\3\4")
    yield hdr(9, 0x8180, 1, 1) + name("a" * 63 + "." + "b" * 63 + "." + "c" * 63 + "." + "d" * 61) + struct.pack(">HH", 1, 1) + rr(b"\xc0\x0c", 1, b"\1\2\3\4")
    yield hdr(9, 0x8180, 1, 1) + b"\x05ab" + struct.pack(">HH", 1, 1)
    yield hdr(9, 0x8180, 1, 1) + b"\x40abc\x00" + struct.pack(">HH", 1, 1) + rr(b"\xc0\x0c", 1, b"\1\2\3\4")
    yield hdr(9, 0x8180, 1, 1)
    yield hdr(9, 0x8180, 1, 1)[:11]
    yield b""
    yield hdr(0xffff, 0x8180, 1, 1) + name("_http._tcp.local") + struct.pack(">HH", 12, 1) + rr(b"\xc0\x0c", 12, b"\x03svc\xc0\x0c")
    yield hdr(9, 0x8180, 1, 1) + q + rr(b"\xc0\x0c", 28, bytes(range(16)))
    yield hdr(9, 0x8180, 1, 1) + q + rr(b"\xc0\x0c", 28, bytes(range(15)))


def mutate(rnd, p):
    b = bytearray(p)
    for _ in range(rnd.randint(1, 4)):
        op = rnd.randint(0, 3)
        if op == 0 and b:
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        elif op == 1 and b:
            del b[rnd.randrange(len(b)):]
        elif op == 2:
            b.insert(rnd.randrange(len(b) + 1), rnd.choice([0, 0xc0, 0x0c, 1, 63, 64, rnd.randrange(256)]))
        elif op == 3 and len(b) > 12:
            i = rnd.randrange(12, len(b))
            b[i] = 0xc0
    return bytes(b)


def main():
    show = "--print" in sys.argv
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    iters = int(args[0]) if args else 20000
    theirs = Lib(D.ORACLE)
    try:
        ours = Lib(D.OURS)
    except (OSError, AttributeError):
        ours = theirs
    bad = 0
    cs = list(cases())
    for p in cs:
        a, b = theirs.run(p), ours.run(p)
        if show:
            print(p.hex(), a[:8])
        if a != b:
            bad += 1
            print("DIFF", p.hex(), "\n  mongoose", a[:8], [x for x in a[8:] if x[2]], "\n  ours    ", b[:8], [x for x in b[8:] if x[2]])
    rnd = random.Random(2)
    for _ in range(iters):
        p = mutate(rnd, rnd.choice(cs))
        a, b = theirs.run(p), ours.run(p)
        if a != b:
            bad += 1
            if bad < 20:
                diff = [(x, y) for x, y in zip(a, b) if x != y]
                print("DIFF fuzz", p.hex(), "\n ", diff[:4])
    print(f"{bad} differences")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
