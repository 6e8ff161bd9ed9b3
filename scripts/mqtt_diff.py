#!/usr/bin/env python3
"""Differential test of the MQTT builders and parser against Mongoose 7.23.

A development tool, not part of the test suite (it needs the cymongoose
wheel, whose extension module exports Mongoose's functions). Usage:

    cargo build && python3 scripts/mqtt_diff.py [--print] [ITERATIONS]

For each scenario it opens a connection with mg_mqtt_connect from each
library to a raw socket of ours, issues the same mg_mqtt_* calls, and
compares the bytes that arrive. Then it feeds hand-made and randomly
mutated packets to mg_mqtt_parse / mg_mqtt_next_prop of both and compares
every field. --print dumps the oracle's bytes (used to derive the expected
values hard-coded in tests/c/test_mqtt.c). Exit status 1 on a difference.
"""
import os
import random
import select
import socket
import sys
import time
from ctypes import (CDLL, POINTER, Structure, byref, c_bool, c_char_p, c_int, c_size_t, c_uint8,
                    c_uint16, c_uint32, c_void_p, cast, create_string_buffer, memset, sizeof, string_at)

HERE = os.path.dirname(os.path.abspath(__file__))
OURS = os.path.join(HERE, "..", "target", "debug", "libmongoose.so")
import cymongoose  # noqa: E402

_d = os.path.dirname(cymongoose.__file__)
ORACLE = next(os.path.join(_d, f) for f in os.listdir(_d) if f.startswith("_mongoose") and f.endswith(".so"))


class MgStr(Structure):
    _fields_ = [("buf", c_void_p), ("len", c_size_t)]


class Prop(Structure):
    _fields_ = [("id", c_uint8), ("iv", c_uint32), ("key", MgStr), ("val", MgStr)]


class Opts(Structure):
    _fields_ = [("user", MgStr), ("pass_", MgStr), ("client_id", MgStr), ("topic", MgStr),
                ("message", MgStr), ("qos", c_uint8), ("version", c_uint8), ("keepalive", c_uint16),
                ("retransmit_id", c_uint16), ("retain", c_bool), ("clean", c_bool),
                ("props", POINTER(Prop)), ("num_props", c_size_t), ("will_props", POINTER(Prop)),
                ("num_will_props", c_size_t)]


class Msg(Structure):
    _fields_ = [("topic", MgStr), ("data", MgStr), ("dgram", MgStr), ("id", c_uint16), ("cmd", c_uint8),
                ("qos", c_uint8), ("ack", c_uint8), ("props_start", c_size_t), ("props_size", c_size_t)]


KEEP = []


def s(b):
    if isinstance(b, str):
        b = b.encode()
    buf = create_string_buffer(b, len(b) + 1)
    KEEP.append(buf)
    return MgStr(cast(buf, c_void_p), len(b))


def props(lst):
    arr = (Prop * max(1, len(lst)))()
    for i, (pid, iv, k, v) in enumerate(lst):
        arr[i].id, arr[i].iv, arr[i].key, arr[i].val = pid, iv, s(k), s(v)
    KEEP.append(arr)
    return arr, len(lst)


def mkopts(**kw):
    o = Opts()
    for k, v in kw.items():
        if k in ("user", "pass_", "client_id", "topic", "message"):
            setattr(o, k, s(v))
        elif k in ("props", "will_props"):
            arr, n = props(v)
            setattr(o, k, cast(arr, POINTER(Prop)))
            setattr(o, "num_" + k, n)
        else:
            setattr(o, k, v)
    return o


class Lib:
    def __init__(self, path):
        L = self.L = CDLL(path)
        c_int.in_dll(L, "mg_log_level").value = 0
        L.mg_mgr_poll.argtypes = [c_void_p, c_int]
        L.mg_mgr_init.argtypes = [c_void_p]
        L.mg_mgr_free.argtypes = [c_void_p]
        L.mg_mqtt_connect.restype = c_void_p
        L.mg_mqtt_connect.argtypes = [c_void_p, c_char_p, POINTER(Opts), c_void_p, c_void_p]
        for n in ("mg_mqtt_login", "mg_mqtt_sub", "mg_mqtt_unsub", "mg_mqtt_disconnect"):
            getattr(L, n).argtypes = [c_void_p, POINTER(Opts)]
        L.mg_mqtt_pub.argtypes = [c_void_p, POINTER(Opts)]
        L.mg_mqtt_pub.restype = c_uint16
        L.mg_mqtt_ping.argtypes = [c_void_p]
        L.mg_mqtt_pong.argtypes = [c_void_p]
        L.mg_mqtt_send_header.argtypes = [c_void_p, c_uint8, c_uint8, c_uint32]
        L.mg_mqtt_parse.argtypes = [c_void_p, c_size_t, c_uint8, POINTER(Msg)]
        L.mg_mqtt_parse.restype = c_int
        L.mg_mqtt_next_prop.argtypes = [POINTER(Msg), POINTER(Prop), c_size_t]
        L.mg_mqtt_next_prop.restype = c_size_t

    def session(self, login, calls):
        """Connect with `login` opts, run `calls` [(name, opts)], return (bytes, pub ids)."""
        L = self.L
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        port = srv.getsockname()[1]
        mgr = create_string_buffer(4096)
        L.mg_mgr_init(mgr)
        c = L.mg_mqtt_connect(mgr, f"mqtt://127.0.0.1:{port}".encode(), login, None, None)
        ids = []
        for name, o in calls:
            fn = getattr(L, name)
            if name in ("mg_mqtt_ping", "mg_mqtt_pong"):
                fn(c)
            elif name == "mg_mqtt_send_header":
                fn(c, *o)
            else:
                r = fn(c, o)
                if name == "mg_mqtt_pub":
                    ids.append(r)
        cli, _ = srv.accept()
        cli.setblocking(False)
        data = b""
        deadline = time.time() + 2
        idle = 0
        while time.time() < deadline and idle < 5:
            L.mg_mgr_poll(mgr, 10)
            r, _, _ = select.select([cli], [], [], 0.01)
            if r:
                chunk = cli.recv(1 << 20)
                if not chunk:
                    break
                data += chunk
                idle = 0
            elif data:
                idle += 1
        L.mg_mgr_free(mgr)
        cli.close()
        srv.close()
        return data, ids

    def parse(self, pkt, version):
        m = Msg()
        memset(byref(m), 0xA5, sizeof(m))  # do fields the parser leaves alone keep their value?
        buf = create_string_buffer(pkt, len(pkt) + 1)
        rc = self.L.mg_mqtt_parse(buf, len(pkt), version, byref(m))
        base = cast(buf, c_void_p).value

        def off(x):
            return None if not x.buf else (x.buf - base, x.len)
        res = [rc, m.cmd, m.qos, m.ack, m.id, off(m.topic), off(m.data), off(m.dgram), m.props_start,
               m.props_size]
        if rc == 0 and version == 5:
            ofs, out = 0, []
            for _ in range(64):
                p = Prop()
                memset(byref(p), 0x5A, sizeof(p))
                ofs = self.L.mg_mqtt_next_prop(byref(m), byref(p), ofs)
                if ofs == 0:
                    break
                out.append((ofs, p.id, p.iv, off(p.key), off(p.val)))
            res.append(out)
        return res


def scenarios():
    big = b"x" * 200
    yield "connect default 3.1.1", mkopts(client_id="cid"), []
    yield "connect clean keepalive", mkopts(client_id="abc", clean=True, keepalive=60), []
    yield "connect user pass", mkopts(client_id="c", user="u", pass_="p", keepalive=10), []
    yield "connect user only", mkopts(client_id="c", user="u"), []
    yield "connect pass only", mkopts(client_id="c", pass_="p"), []
    yield "connect will", mkopts(client_id="w", topic="will/t", message="bye", qos=1, retain=True), []
    yield "connect will qos2", mkopts(client_id="w", topic="t", message="", qos=2, clean=True), []
    yield "connect v5", mkopts(client_id="v5", version=5, clean=True, keepalive=30), []
    yield "connect v5 props", mkopts(client_id="v5", version=5, props=[(0x11, 3600, "", ""), (0x21, 20, "", ""),
                                     (0x26, 0, "k", "v"), (0x15, 0, "", "meth"), (0x16, 0, "", "\x00\x01")]), []
    yield "connect v5 will props", mkopts(client_id="v5", version=5, topic="wt", message="wm", qos=1,
                                          will_props=[(0x18, 5, "", ""), (0x01, 1, "", ""), (0x03, 0, "", "text/plain"),
                                                      (0x09, 0, "", "corr"), (0x26, 0, "a", "b"), (0x02, 7, "", "")],
                                          user="usr", pass_="pw"), []
    yield "connect v5 more props", mkopts(client_id="v5", version=5, props=[(0x0B, 300, "", ""), (0x13, 9, "", ""),
                                          (0x23, 2, "", ""), (0x08, 0, "", "resp"), (0x17, 1, "", "")]), []
    yield "connect long id", mkopts(client_id="i" * 300), []
    yield "connect v3 (3.1)", mkopts(client_id="x", version=3), []
    v4 = mkopts(client_id="p")
    v5 = mkopts(client_id="p", version=5)
    yield "pub qos0", v4, [("mg_mqtt_pub", mkopts(topic="a/b", message="hello"))]
    yield "pub qos1 x3", v4, [("mg_mqtt_pub", mkopts(topic="a/b", message="m1", qos=1)),
                              ("mg_mqtt_pub", mkopts(topic="a/b", message="m2", qos=2, retain=True)),
                              ("mg_mqtt_pub", mkopts(topic="a", message="m3", qos=1, retransmit_id=77))]
    yield "pub retransmit qos0", v4, [("mg_mqtt_pub", mkopts(topic="a", message="z", qos=0, retransmit_id=5))]
    yield "pub big", v4, [("mg_mqtt_pub", mkopts(topic="big", message=big * 1000, qos=1))]
    yield "pub medium", v4, [("mg_mqtt_pub", mkopts(topic="t" * 130, message=b"", qos=0))]
    yield "pub qos3", v4, [("mg_mqtt_pub", mkopts(topic="a", message="q", qos=3))]
    yield "pub v5", v5, [("mg_mqtt_pub", mkopts(topic="a/b", message="hi", qos=1)),
                         ("mg_mqtt_pub", mkopts(topic="a/b", message="hi", qos=0, props=[(0x01, 1, "", ""),
                                                (0x23, 3, "", ""), (0x26, 0, "x", "y"), (0x0B, 1000, "", "")]))]
    yield "sub", v4, [("mg_mqtt_sub", mkopts(topic="a/#", qos=1)), ("mg_mqtt_sub", mkopts(topic="b", qos=2))]
    yield "sub v5", v5, [("mg_mqtt_sub", mkopts(topic="a/+", qos=0, props=[(0x0B, 7, "", "")])),
                         ("mg_mqtt_sub", mkopts(topic="x", qos=1, retain=True))]
    yield "unsub", v4, [("mg_mqtt_unsub", mkopts(topic="a/#")), ("mg_mqtt_pub", mkopts(topic="z", message="", qos=1))]
    yield "unsub v5", v5, [("mg_mqtt_unsub", mkopts(topic="q", props=[(0x26, 0, "k", "v")]))]
    yield "retransmit keeps counter", v4, [("mg_mqtt_pub", mkopts(topic="a", message="1", qos=1, retransmit_id=9)),
                                           ("mg_mqtt_pub", mkopts(topic="a", message="2", qos=1))]
    yield "unknown prop id", v5, [("mg_mqtt_pub", mkopts(topic="a", message="u", props=[(0x55, 9, "k", "v"),
                                                                                          (0x01, 1, "", "")]))]
    yield "ping pong", v4, [("mg_mqtt_ping", None), ("mg_mqtt_pong", None)]
    yield "disconnect", v4, [("mg_mqtt_disconnect", mkopts())]
    yield "disconnect v5", v5, [("mg_mqtt_disconnect", mkopts()),
                                ("mg_mqtt_disconnect", mkopts(props=[(0x11, 0, "", ""), (0x1F, 0, "", "why")]))]
    yield "send_header", v4, [("mg_mqtt_send_header", (2, 0, 2)), ("mg_mqtt_send_header", (3, 5, 128)),
                              ("mg_mqtt_send_header", (9, 15, 16384)), ("mg_mqtt_send_header", (1, 0, 2097152)),
                              ("mg_mqtt_send_header", (15, 0, 268435455)), ("mg_mqtt_send_header", (4, 0, 0x7fffffff))]
    yield "login v5 then v4", v5, [("mg_mqtt_login", mkopts(client_id="b", version=4)),
                                   ("mg_mqtt_pub", mkopts(topic="t", message="x"))]
    yield "login twice", v4, [("mg_mqtt_login", mkopts(client_id="again", version=5, clean=True))]


def enc_len(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def pkt(first, body):
    return bytes([first]) + enc_len(len(body)) + body


def parse_cases():
    yield pkt(0x20, b"\x00\x00"), 4
    yield pkt(0x20, b"\x01\x05"), 4
    yield pkt(0x20, b"\x00\x87\x00"), 5
    yield pkt(0x20, b""), 4
    yield pkt(0x30, b"\x00\x03a/bhello"), 4
    yield pkt(0x32, b"\x00\x03a/b\x12\x34hello"), 4
    yield pkt(0x34, b"\x00\x01a\x00\x07"), 4
    yield pkt(0x3d, b"\x00\x01a\x00\x07xyz"), 4
    yield pkt(0x36, b"\x00\x01a\x00\x07xyz"), 4
    yield pkt(0x30, b"\x00\x05ab"), 4
    yield pkt(0x30, b"\x00"), 4
    yield pkt(0x32, b"\x00\x01a\x00"), 4
    yield pkt(0x30, b"\x00\x01a\x00payload"), 5
    yield pkt(0x30, b"\x00\x01a\x05\x01\x01\x23\x00\x02payload"), 5
    yield pkt(0x32, b"\x00\x01a\x00\x09\x0c\x26\x00\x01k\x00\x02vv\x0b\x81\x01\x03\x00\x02ctpayload"), 5
    yield pkt(0x32, b"\x00\x01a\x00\x09\x20\x02\x00\x00\x00\x07\x08\x00\x02rt\x09\x00\x01c\x17\x01"
                    b"\x18\x00\x00\x00\x01\x11\x00\x00\x00\x02\x12\x00\x01i\x13\x00\x05\x27\x00\x00\x01\x00P"), 5
    yield pkt(0x30, b"\x00\x01a\x7fzz"), 5
    yield pkt(0x30, b"\x00\x01a\x03\x99\x00\x00zz"), 5
    yield pkt(0x40, b"\x12\x34"), 4
    yield pkt(0x50, b"\x12\x34"), 4
    yield pkt(0x62, b"\x12\x34"), 4
    yield pkt(0x70, b"\x12\x34"), 4
    yield pkt(0x40, b"\x12"), 4
    yield pkt(0x40, b"\x12\x34\x10\x00"), 5
    yield pkt(0x82, b"\x00\x0a\x00\x03a/b\x01"), 4
    yield pkt(0x90, b"\x00\x0a\x01"), 4
    yield pkt(0xa2, b"\x00\x0b\x00\x01a"), 4
    yield pkt(0xb0, b"\x00\x0b"), 4
    yield pkt(0xc0, b""), 4
    yield pkt(0xd0, b""), 4
    yield pkt(0xe0, b""), 4
    yield pkt(0xe0, b"\x00\x00"), 5
    yield pkt(0xf0, b"\x00\x00"), 5
    yield pkt(0x00, b"abc"), 4
    yield pkt(0x10, b"\x00\x04MQTT\x04\x02\x00\x3c\x00\x03cid"), 4
    yield b"\x30\xff\xff\xff\xff\x01", 4
    yield b"\x30\xff\xff\xff\x7f", 4
    yield b"\x30\x80\x80\x80\x80", 4
    yield b"\x30\x80", 4
    yield b"\x30", 4
    yield b"", 4
    yield b"\x30\x80\x01" + b"\x00\x01a" + b"p" * 125, 4
    yield b"\x30\x80\x00", 4
    yield pkt(0x30, b"\x00\x01a") + pkt(0xc0, b""), 4
    yield pkt(0x32, b"\x00\x00\x00\x01p"), 4
    yield pkt(0x31, b"\x00\x01ap"), 4
    yield pkt(0x3b, b"\x00\x01a\x00\x01"), 4


def mutate(rnd, p):
    b = bytearray(p)
    for _ in range(rnd.randint(1, 4)):
        op = rnd.randint(0, 3)
        if op == 0 and b:
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        elif op == 1 and b:
            del b[rnd.randrange(len(b)):]
        elif op == 2:
            b.insert(rnd.randrange(len(b) + 1), rnd.randrange(256))
        elif op == 3 and len(b) > 1:
            i = rnd.randrange(1, len(b))
            b[1] = min(255, i)
    return bytes(b)


def main():
    show = "--print" in sys.argv
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    iters = int(args[0]) if args else 20000
    theirs = Lib(ORACLE)
    try:
        ours = Lib(OURS)
    except (OSError, AttributeError):  # not built yet: just show Mongoose's results
        ours = theirs
    bad = 0
    for name, login, calls in scenarios():
        a = theirs.session(login, calls)
        b = ours.session(login, calls)
        if show:
            print(name, a[1], a[0].hex() if len(a[0]) < 600 else f"{len(a[0])} bytes {a[0][:40].hex()}")
        if a != b:
            bad += 1
            print("DIFF", name, "\n  mongoose", a[1], a[0][:300].hex(), "\n  ours    ", b[1], b[0][:300].hex())
    cases = list(parse_cases())
    for p, v in cases:
        a, b = theirs.parse(p, v), ours.parse(p, v)
        if show:
            print("parse", v, p.hex(), a)
        if a != b:
            bad += 1
            print("DIFF parse", v, p.hex(), "\n  mongoose", a, "\n  ours    ", b)
    rnd = random.Random(1)
    for i in range(iters):
        p, v = rnd.choice(cases)
        p = mutate(rnd, p)
        a, b = theirs.parse(p, v), ours.parse(p, v)
        if a != b:
            bad += 1
            if bad < 30:
                print("DIFF fuzz", v, p.hex(), "\n  mongoose", a, "\n  ours    ", b)
    print(f"{bad} differences")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
