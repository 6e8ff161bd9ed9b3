#!/usr/bin/env python3
"""Differential test of the JSON API (mg_json_*) against Mongoose 7.23.

A development tool, not part of the test suite: it needs the cymongoose
wheel (whose extension module exports Mongoose's functions) and our
libmongoose.so. Usage:

    cargo build && python3 scripts/json_diff.py [ITERATIONS] [SEED]
    python3 scripts/json_diff.py --corpus DIR   # fuzz corpus files: path NUL json

It feeds hand-made and random (generated, then mutated) documents and
paths to both libraries and compares every observable result: offsets and
token lengths, typed getters, heap strings, unescaping into buffers of every
small size (bytes written included), and mg_json_next iteration. Numbers
are compared exactly; where they differ in rounding only (Mongoose's decimal
reader is not correctly rounded, ours is) the case is listed separately.
Exit status 1 on any other difference.
"""
import ctypes
import math
import os
import random
import struct
import sys
from ctypes import (CDLL, POINTER, Structure, byref, c_bool, c_char_p, c_double,
                    c_int, c_long, c_size_t, c_void_p, create_string_buffer, string_at)

HERE = os.path.dirname(os.path.abspath(__file__))
OURS = os.path.join(HERE, "..", "target", "debug", "libmongoose.so")
ORACLE = None
try:
    import cymongoose  # noqa: F401  (only to find the extension module)
    d = os.path.dirname(cymongoose.__file__)
    ORACLE = next(os.path.join(d, f) for f in os.listdir(d) if f.startswith("_mongoose") and f.endswith(".so"))
except Exception:  # pragma: no cover
    pass


class MgStr(Structure):
    _fields_ = [("buf", c_void_p), ("len", c_size_t)]


class Lib:
    """ctypes view of one library's mg_json_* functions."""

    def __init__(self, path):
        L = self.L = CDLL(path)
        L.mg_json_get.restype = c_int
        L.mg_json_get.argtypes = [MgStr, c_char_p, POINTER(c_int)]
        L.mg_json_get_tok.restype = MgStr
        L.mg_json_get_tok.argtypes = [MgStr, c_char_p]
        L.mg_json_get_num.restype = c_bool
        L.mg_json_get_num.argtypes = [MgStr, c_char_p, POINTER(c_double)]
        L.mg_json_get_bool.restype = c_bool
        L.mg_json_get_bool.argtypes = [MgStr, c_char_p, POINTER(c_bool)]
        L.mg_json_get_long.restype = c_long
        L.mg_json_get_long.argtypes = [MgStr, c_char_p, c_long]
        L.mg_json_get_str.restype = c_void_p
        L.mg_json_get_str.argtypes = [MgStr, c_char_p]
        for f in (L.mg_json_get_hex, L.mg_json_get_b64):
            f.restype = c_void_p
            f.argtypes = [MgStr, c_char_p, POINTER(c_int)]
        L.mg_json_unescape.restype = c_size_t
        L.mg_json_unescape.argtypes = [MgStr, c_char_p, c_void_p, c_size_t]
        L.mg_json_next.restype = c_size_t
        L.mg_json_next.argtypes = [MgStr, c_size_t, POINTER(MgStr), POINTER(MgStr)]
        L.mg_free.argtypes = [c_void_p]

    def _s(self, j):
        self._keep = create_string_buffer(j, len(j) + 1)
        base = ctypes.cast(self._keep, c_void_p).value
        return MgStr(base, len(j)), base

    def get(self, j, p):
        s, _ = self._s(j)
        n = c_int(-99)
        return self.L.mg_json_get(s, p, byref(n)), n.value

    def tok(self, j, p):
        s, base = self._s(j)
        r = self.L.mg_json_get_tok(s, p)
        return None if not r.buf else (r.buf - base, r.len)

    def num(self, j, p):
        s, _ = self._s(j)
        v = c_double(12345.5)
        return bool(self.L.mg_json_get_num(s, p, byref(v))), v.value

    def boolean(self, j, p):
        s, _ = self._s(j)
        v = c_bool(False)
        return bool(self.L.mg_json_get_bool(s, p, byref(v))), v.value

    def long(self, j, p):
        s, _ = self._s(j)
        return self.L.mg_json_get_long(s, p, -7)

    def str(self, j, p):
        s, _ = self._s(j)
        r = self.L.mg_json_get_str(s, p)
        if not r:
            return None
        v = string_at(r)
        self.L.mg_free(r)
        return v

    def _hb(self, f, j, p):
        s, _ = self._s(j)
        n = c_int(-99)
        r = f(s, p, byref(n))
        if not r:
            return None, n.value
        v = string_at(r, max(n.value, 0) + 1)
        self.L.mg_free(r)
        return v, n.value

    def hex(self, j, p):
        return self._hb(self.L.mg_json_get_hex, j, p)

    def b64(self, j, p):
        return self._hb(self.L.mg_json_get_b64, j, p)

    def unescape(self, j, p, n):
        s, _ = self._s(j)
        buf = create_string_buffer(b"\xaa" * (n + 8), n + 8)
        r = self.L.mg_json_unescape(s, p, buf, n)
        return r, buf.raw

    def next(self, j, ofs=0, limit=200):
        s, base = self._s(j)
        out = []
        while True:
            k, v = MgStr(7, 7), MgStr(7, 7)
            r = self.L.mg_json_next(s, ofs, byref(k), byref(v))

            def view(m):
                if m.buf == 7:
                    return "untouched"
                return None if not m.buf else (m.buf - base, m.len)

            out.append((r, view(k), view(v)))
            if r == 0 or len(out) > limit:
                return out
            ofs = r


def ulps(a, b):
    ia = struct.unpack("<q", struct.pack("<d", a))[0]
    ib = struct.unpack("<q", struct.pack("<d", b))[0]
    return abs(ia - ib)


def close(a, b):
    """Same number up to rounding: Mongoose divides by 10 once per exponent
    step, so tiny values drift by tens of ULPs (1e-32 is 35 ULPs off)."""
    if math.isinf(a) or math.isinf(b) or math.isnan(a) or math.isnan(b):
        return False
    return abs(a - b) <= 1e-12 * max(abs(a), abs(b))


HAND = [
    (b'{"a":1,"b":[1,2,{"c":true}]}', [b"$", b"$.a", b"$.b", b"$.b[2].c", b"$.b[5]", b"$.b[2]", b"$.c"]),
    (b'{"a.b":1}', [b"$.a.b", b"$.a"]),
    (b'[[1,2],[3,[4,5]]]', [b"$[1][1][0]", b"$[0][1]", b"$[1]", b"$[", b"$[1", b"$[-1]", b"$[99999999999]"]),
    (b' 12.5e3 ', [b"$"]),
    (b'{"a":1', [b"$.a", b"$"]),
    (b'', [b"$", b""]),
    (b'"\\u00e9\\u0041\\n\\/"', [b"$"]),
    (b'{"":1,"a":{"":2}}', [b"$.", b"$..", b"$.a.", b"$..a"]),
    (b'[01,+1,.5,1.,-,1e,1e+,1e-+5,1e400,1e4000,-0,0.1,123456789012345678901234567890]',
     [b"$[%d]" % i for i in range(14)]),
    (b"[" * 31 + b"]" * 31, [b"$", b"$[0]"]),
    (b"[" * 30 + b"]" * 30, [b"$", b"$[0]"]),
    (b'{"k":"aGVsbG8=","h":"0aFF","n":null,"t":true,"f":false}',
     [b"$.k", b"$.h", b"$.n", b"$.t", b"$.f", b"$.x"]),
    (b'{"a":1}x', [b"$", b"$.a", b"$.b"]),
    (b'[1,]', [b"$", b"$[1]"]),
    (b'{"a":1,}', [b"$", b"$.a"]),
]

ATOMS = [b"0", b"1", b"-1", b"12.5", b"1e3", b"-0.25E-2", b"01", b"1.", b"-", b"9007199254740993",
         b"123456789012345678901234567890", b"1e308", b"1e-320", b"0.1", b"3.14159265358979323846",
         b"true", b"false", b"null", b'""', b'"a"', b'"ab\\"c"', b'"\\u0041"', b'"\\u00ff"',
         b'"\\u0100"', b'"\\n\\t\\\\"', b'"\\/"', b'"00ff"', b'"0aF"', b'"aGVsbG8="', b'"YQ==YQ=="',
         b'"a=bc"', b'"\xe9"', b'"\\u00zz"', b'"a.b"']
KEYS = [b"a", b"b", b"", b"a.b", b"ab", b"x[0]", b"k\\\"", b"\\u0061", b"id", b"$"]
SP = [b"", b"", b"", b" ", b"\n", b"\t ", b"\r\n"]


def gen(r, depth=0):
    sp = lambda: r.choice(SP)  # noqa: E731
    roll = r.random()
    if depth > 4 or roll < 0.45:
        return r.choice(ATOMS)
    if roll < 0.7:
        items = [gen(r, depth + 1) for _ in range(r.randint(0, 4))]
        return b"[" + sp() + (sp() + b"," + sp()).join(items) + sp() + b"]"
    members = [b'"' + r.choice(KEYS) + b'"' + sp() + b":" + sp() + gen(r, depth + 1)
               for _ in range(r.randint(0, 4))]
    return b"{" + sp() + (sp() + b"," + sp()).join(members) + sp() + b"}"


def mutate(r, j):
    j = bytearray(j)
    for _ in range(r.randint(1, 3)):
        op = r.randint(0, 4)
        k = r.randint(0, len(j))
        if op == 0 and j:
            del j[min(k, len(j) - 1)]
        elif op == 1:
            j.insert(k, r.choice(b'{}[]",:\\ 0-e.tnu\x00\x0bx'))
        elif op == 2:
            j = j[:k]
        elif op == 3 and j:
            j[min(k, len(j) - 1)] = r.randrange(256)
        else:
            j += r.choice([b"x", b"]", b"}", b",1", b" "])
    return bytes(j)


def paths_for(r, j):
    ps = [b"$"]
    for _ in range(r.randint(1, 6)):
        p = b"$"
        for _ in range(r.randint(0, 4)):
            if r.random() < 0.5:
                p += b"." + r.choice(KEYS)
            else:
                p += b"[" + r.choice([b"0", b"1", b"2", b"3", b"-1", b"x", b"", b"10"]) + b"]"
        if r.random() < 0.1:
            p = p[: r.randint(0, len(p))]
        if r.random() < 0.05:
            p += r.choice([b"[", b".", b"..", b"]", b","])
        ps.append(p)
    return ps


def chaos(r):
    """Short documents and paths over the bytes the scanner cares about."""
    alpha = b'{}[]",:\\ 0123456789-+.eEtrufalsn\x00\t\nuaAfF/\x80\xff'
    j = bytes(r.choice(alpha) for _ in range(r.randint(0, 24)))
    if r.random() < 0.5:
        j = b'"' + bytes(r.choice(b'\\u0aFfgz"/bnx') for _ in range(r.randint(0, 12))) + b'"'
    palpha = b".[]0123a-,\x80/$"
    paths = [b"$" + bytes(r.choice(palpha) for _ in range(r.randint(0, 6))) for _ in range(3)]
    return j, paths + [b"$"]


class Diff:
    def __init__(self, ours, oracle):
        self.a, self.b = ours, oracle
        self.fail = 0
        self.ulp = {}
        self.cases = 0

    def check(self, what, j, p, x, y):
        if x != y:
            self.fail += 1
            if self.fail <= 40:
                print(f"DIFF {what} json={j!r} path={p!r}\n  ours={x!r}\n  mg  ={y!r}")

    def doc(self, j, paths):
        a, b = self.a, self.b
        for p in paths:
            self.cases += 1
            for name in ("get", "tok", "boolean", "str", "hex", "b64"):
                self.check(name, j, p, getattr(a, name)(j, p), getattr(b, name)(j, p))
            (ok1, v1), (ok2, v2) = a.num(j, p), b.num(j, p)
            if ok1 != ok2 or (ok1 and v1 != v2 and not (math.isnan(v1) and math.isnan(v2))):
                if ok1 == ok2 and close(v1, v2):
                    tok = a.tok(j, p)
                    self.ulp[j[tok[0]:tok[0] + tok[1]]] = (v1, v2, ulps(v1, v2))
                else:
                    self.check("num", j, p, (ok1, v1), (ok2, v2))
            l1, l2 = a.long(j, p), b.long(j, p)
            if l1 != l2 and not (ok1 and close(v1, v2)):
                self.check("long", j, p, l1, l2)
            for n in list(range(0, 10)) + [64]:
                self.check(f"unescape n={n}", j, p, a.unescape(j, p, n), b.unescape(j, p, n))
        self.check("next", j, None, a.next(j), b.next(j))
        for ofs in (1, 2, 3, len(j) // 2):
            self.check(f"next ofs={ofs}", j, None, a.next(j, ofs), b.next(j, ofs))


def corpus(d, directory):
    """Replay a fuzz corpus (`path NUL json`, or just json with path `$`)."""
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name), "rb") as f:
            data = f.read()
        path, sep, json = data.partition(b"\0")
        if not sep:
            path, json = b"$", data
        d.doc(json, [path, b"$"])


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--corpus":
        d = Diff(Lib(OURS), Lib(ORACLE))
        corpus(d, sys.argv[2])
        print(f"{d.cases} (document, path) cases, {d.fail} differences")
        sys.exit(1 if d.fail else 0)
    iters = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    if ORACLE is None:
        sys.exit("cymongoose is not installed: no oracle to compare with")
    d = Diff(Lib(OURS), Lib(ORACLE))
    for j, paths in HAND:
        d.doc(j, paths)
    r = random.Random(seed)
    for _ in range(iters):
        if r.random() < 0.3:
            d.doc(*chaos(r))
            continue
        j = gen(r)
        if r.random() < 0.5:
            j = mutate(r, j)
        d.doc(j, paths_for(r, j))
    print(f"{d.cases} (document, path) cases, {d.fail} differences")
    if d.ulp:
        print(f"{len(d.ulp)} numbers differ in rounding only (ours correctly rounded):")
        for t, (x, y, u) in sorted(d.ulp.items(), key=lambda kv: -kv[1][2])[:20]:
            print(f"  {t.decode(errors='replace')}: ours {x!r}, mongoose {y!r} ({u} ULPs)")
    sys.exit(1 if d.fail else 0)


if __name__ == "__main__":
    main()
