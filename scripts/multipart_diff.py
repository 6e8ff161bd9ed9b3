#!/usr/bin/env python3
"""Differential test of mg_http_next_multipart against Mongoose 7.23.

A development tool, not part of the test suite: it needs the cymongoose
wheel (whose extension module exports Mongoose's functions) and our
libmongoose.so. Usage:

    cargo build && python3 scripts/multipart_diff.py [ITERATIONS] [SEED]

It builds valid multipart bodies (random boundaries, parts, headers, data
that may contain CRLF and boundary look-alikes), then feeds both libraries
every truncation of some and random truncations/offsets/mutations of the
rest, walking the parts as a program would, and compares the returned
offset and the three views (as offsets into the body). Part fields are only
compared when the call succeeds (Mongoose may leave a partly filled part
behind on failure; ours zeroes it). Exit status 1 on any difference.
"""
import ctypes
import os
import random
import sys
from ctypes import CDLL, POINTER, Structure, byref, c_size_t, c_void_p, create_string_buffer

HERE = os.path.dirname(os.path.abspath(__file__))
OURS = os.path.join(HERE, "..", "target", "debug", "libmongoose.so")
try:
    import cymongoose  # noqa: F401  (only to find the extension module)
    d = os.path.dirname(cymongoose.__file__)
    ORACLE = next(os.path.join(d, f) for f in os.listdir(d) if f.startswith("_mongoose") and f.endswith(".so"))
except Exception:  # pragma: no cover
    sys.exit("cymongoose is not installed: no oracle")


class MgStr(Structure):
    _fields_ = [("buf", c_void_p), ("len", c_size_t)]


class Part(Structure):
    _fields_ = [("name", MgStr), ("filename", MgStr), ("body", MgStr)]


def load(path):
    lib = CDLL(path)
    lib.mg_http_next_multipart.restype = c_size_t
    lib.mg_http_next_multipart.argtypes = [MgStr, c_size_t, POINTER(Part)]
    return lib


LIBS = [load(ORACLE), load(OURS)]


def call(lib, body, ofs):
    buf = create_string_buffer(body, len(body) + 1)
    base = ctypes.addressof(buf)
    p = Part()
    r = lib.mg_http_next_multipart(MgStr(base, len(body)), ofs, byref(p))
    if r == 0:
        return (0,)
    view = lambda s: None if not s.buf else (s.buf - base, s.len)  # noqa: E731
    return (r, view(p.name), view(p.filename), view(p.body))


def walk(body, ofs=0):
    """Both libraries' results along the chain of offsets they return."""
    out = []
    for _ in range(20):
        a, b = (call(lib, body, ofs) for lib in LIBS)
        out.append((ofs, a, b))
        if a != b or a[0] == 0 or a[0] <= ofs:
            break
        ofs = a[0]
    return out


def rand_bytes(rng, n):
    alphabet = b"abcXYZ-=\r\n\"; :"
    return bytes(rng.choice(alphabet) for _ in range(n))


def make_body(rng):
    boundary = b"--" + bytes(rng.choice(b"abcdefXYZ0123456789-") for _ in range(rng.randint(0, 12)))
    parts = []
    for _ in range(rng.randint(1, 4)):
        hdrs = b""
        if rng.random() < 0.8:
            cd = rng.choice([b"Content-Disposition", b"content-disposition", b"CONTENT-DISPOSITION"])
            hdrs += cd + b": form-data; name=\"" + rand_bytes(rng, rng.randint(0, 5)).replace(b"\r\n", b"") + b"\""
            if rng.random() < 0.5:
                hdrs += b"; filename=\"f" + bytes([rng.choice(b"abc")]) + b".txt\""
            hdrs += b"\r\n"
        if rng.random() < 0.4:
            hdrs += b"Content-Type: text/plain\r\n"
        data = rand_bytes(rng, rng.randint(0, 40))
        if rng.random() < 0.3:
            data += b"\r\n" + boundary[: rng.randint(0, len(boundary))]
        parts.append(boundary + b"\r\n" + hdrs + b"\r\n" + data + b"\r\n")
    return b"".join(parts) + boundary + b"--\r\n"


def main():
    iters = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rng = random.Random(seed)
    cases = diffs = 0
    samples = []
    for i in range(iters):
        body = make_body(rng)
        if i < iters // 10:
            cuts = range(len(body) + 1)  # every truncation
        else:
            cuts = [rng.randint(0, len(body)) for _ in range(5)] + [len(body)]
        for n in cuts:
            b = body[:n]
            if rng.random() < 0.1 and b:
                k = rng.randrange(len(b))
                b = b[:k] + bytes([rng.randrange(256)]) + b[k + 1:]
            starts = [0] + ([rng.randint(0, len(b) + 2)] if rng.random() < 0.2 else [])
            for ofs in starts:
                for at, a, o in walk(b, ofs):
                    cases += 1
                    if a != o:
                        diffs += 1
                        if len(samples) < 10:
                            samples.append((b, at, a, o))
    print(f"{cases} calls compared, {diffs} differences (seed {seed})")
    for b, at, a, o in samples:
        print(f"  body={b!r} ofs={at}\n    mongoose={a}\n    ours    ={o}")
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
