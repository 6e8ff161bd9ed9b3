#!/usr/bin/env python3
"""Differential test of JSON-RPC (mg_rpc_*) against Mongoose 7.23.

A development tool like json_diff.py (needs cymongoose and our
libmongoose.so): registers the same handlers in both libraries, feeds both
the same frames (hand-made, then random) and compares the bytes each sends
through the request's pfn, plus the handler lists after add/del.

    cargo build && python3 scripts/rpc_diff.py [ITERATIONS] [SEED]
"""
import os
import random
import sys
from ctypes import (CFUNCTYPE, POINTER, Structure, byref, c_char, c_int, c_void_p, cast,
                    create_string_buffer, pointer, string_at)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from json_diff import ORACLE, OURS, Lib, MgStr  # noqa: E402

PFN = CFUNCTYPE(None, c_char, c_void_p)
HFN = CFUNCTYPE(None, c_void_p)


class Rpc(Structure):
    pass


Rpc._fields_ = [("next", POINTER(Rpc)), ("method", MgStr), ("fn", c_void_p), ("fn_data", c_void_p)]


class Req(Structure):
    _fields_ = [("head", POINTER(POINTER(Rpc))), ("rpc", POINTER(Rpc)), ("pfn", PFN),
                ("pfn_data", c_void_p), ("req_data", c_void_p), ("frame", MgStr)]


class Side:
    """One library with a handler list and a byte-collecting pfn."""

    def __init__(self, path):
        self.L = L = Lib(path).L
        L.mg_rpc_add.argtypes = [POINTER(POINTER(Rpc)), MgStr, c_void_p, c_void_p]
        L.mg_rpc_del.argtypes = [POINTER(POINTER(Rpc)), c_void_p]
        L.mg_rpc_process.argtypes = [POINTER(Req)]
        L.mg_rpc_list.argtypes = [c_void_p]
        self.esc = c_void_p(cast(L.mg_print_esc, c_void_p).value)
        self.head = POINTER(Rpc)()
        self.out = bytearray()
        self.pfn = PFN(lambda ch, arg: self.out.extend(ch))
        self.keep = []
        vp = c_void_p
        self.handlers = {
            "sum": HFN(lambda r: L.mg_rpc_ok(vp(r), b"%d", c_int(3))),
            "err": HFN(lambda r: L.mg_rpc_err(vp(r), c_int(-1), b"%m", self.esc, c_int(0), b'bad "x"\n')),
            "esc": HFN(lambda r: L.mg_rpc_ok(vp(r), b"{%m:%M}", self.esc, c_int(0), b"k",
                                              self.esc, c_int(3), b'a"bcd')),
            "list": HFN(lambda r: L.mg_rpc_list(vp(r))),
            "quiet": HFN(lambda r: None),
            "null": HFN(lambda r: (L.mg_rpc_ok(vp(r), None), L.mg_rpc_err(vp(r), c_int(9), None))),
            "rpc": HFN(lambda r: L.mg_rpc_ok(vp(r), b"%.*s", c_int(cast(r, POINTER(Req)).contents.rpc.contents.method.len),
                                             c_void_p(cast(r, POINTER(Req)).contents.rpc.contents.method.buf))),
        }

    def add(self, pattern, name):
        b = create_string_buffer(pattern, len(pattern) + 1)
        self.keep.append(b)
        self.L.mg_rpc_add(byref(self.head), MgStr(cast(b, c_void_p).value, len(pattern)),
                          cast(self.handlers[name], c_void_p) if name else None, None)

    def delete(self, name):
        self.L.mg_rpc_del(byref(self.head), cast(self.handlers[name], c_void_p) if name else None)

    def methods(self):
        out, p = [], self.head
        while p:
            m = p.contents.method
            out.append(string_at(m.buf, m.len) if m.buf else None)
            p = p.contents.next
        return out

    def process(self, frame):
        self.out = bytearray()
        fb = create_string_buffer(frame, len(frame) + 1)
        self.keep.append(fb)
        r = Req(pointer(self.head), None, self.pfn, None, None, MgStr(cast(fb, c_void_p).value, len(frame)))
        self.L.mg_rpc_process(byref(r))
        return bytes(self.out)


PATTERNS = [(b"sum", "sum"), (b"err*", "err"), (b"esc", "esc"), (b"rpc.list", "list"), (b"q#", "quiet"),
            (b"n?ll", "null"), (b"x.*", "rpc"), (b"", "rpc"), (b'a"b\\c', "sum")]
IDS = [b"1", b'"abc"', b"null", b'{"a":1}', b"[1,2]", b"1.5e3", b"true", b'""', b'"a\\"b"', b"-0"]
METHODS = [b"sum", b"err", b"errx", b"esc", b"rpc.list", b"q", b"q/a/b", b"nall", b"null", b"x.y", b"x.y/z",
           b"nope", b"", b"s\\\"um", b"su\\u006d", b"SUM"]


def frame(r):
    parts = []
    if r.random() < 0.7:
        parts.append(b'"id":' + r.choice(IDS))
    roll = r.random()
    if roll < 0.75:
        parts.append(b'"method":"' + r.choice(METHODS) + b'"')
    elif roll < 0.8:
        parts.append(b'"method":' + r.choice([b"1", b"null", b"[]"]))
    elif roll < 0.9:
        parts.append(r.choice([b'"result":5', b'"error":{"code":1}', b'"result":']))
    if r.random() < 0.4:
        parts.append(b'"params":[1,2]')
    r.shuffle(parts)
    f = b"{" + b",".join(parts) + b"}"
    if r.random() < 0.1:
        f = f[: r.randint(0, len(f))]
    if r.random() < 0.05:
        f = r.choice([b"not json", b"[1,2]", b"1", b"", b'"x"'])
    return f


def main():
    iters = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    if ORACLE is None:
        sys.exit("cymongoose is not installed: no oracle to compare with")
    a, b = Side(OURS), Side(ORACLE)
    fails = 0

    def cmp(what, x, y):
        nonlocal fails
        if x != y:
            fails += 1
            if fails < 30:
                print(f"DIFF {what}\n  ours={x!r}\n  mg  ={y!r}")

    cmp("empty list process", a.process(b'{"id":1,"method":"sum"}'), b.process(b'{"id":1,"method":"sum"}'))
    for pat, name in PATTERNS:
        a.add(pat, name)
        b.add(pat, name)
    cmp("methods", a.methods(), b.methods())
    r = random.Random(seed)
    n = 0
    for _ in range(iters):
        f = frame(r)
        n += 1
        cmp(f"process {f!r}", a.process(f), b.process(f))
    for name in ("sum", "rpc", None):
        a.delete(name)
        b.delete(name)
        cmp(f"methods after del {name}", a.methods(), b.methods())
    print(f"{n} frames, {fails} differences")
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
