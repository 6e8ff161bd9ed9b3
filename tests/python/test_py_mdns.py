"""mDNS from Python: our responder (mg_mdns_listen through ctypes) answers
queries that Python builds by hand on raw UDP sockets, with the bytes
Mongoose 7.23 sends. Multicast must never leave the machine, so the check
runs as a script inside a private network namespace (`unshare -n`, only
`lo`); without namespaces the test skips loudly, or fails when CI is set."""
import ctypes
import os
import select
import socket
import struct
import subprocess
import sys
import time

import pytest

# respname "devname", 10.1.2.3, DNS-SD ("_http._tcp", "\x05a=b=c\x03k=v", 8080)
ANS_A = "000084000000000100000000076465766e616d65056c6f63616c00000100010000007800040a010203"
ANS_PTR = ("000084000000000100000003055f68747470045f746370056c6f63616c00000c000100000078000a"
           "076465766e616d65c00cc02800210001000000780010000000001f90076465766e616d65c017c028"
           "0010000100000078000a05613d623d63036b3d76c044000100010000007800040a010203")


def _permitted():
    try:
        return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0
    except OSError:
        return False


def test_responder_answers_python_queries():
    if not _permitted():
        msg = "SKIPPED: mDNS needs `unshare -n` (private network namespace), not permitted here"
        if os.environ.get("CI"):
            pytest.fail(msg)
        print("\n!!!!!!!!!! " + msg + " !!!!!!!!!!")
        pytest.skip(msg)
    from conftest import library_path
    script = ("ip link set lo up && ip link set lo multicast on && "
              "ip route add 224.0.0.0/4 dev lo && exec \"$0\" \"$1\" inner")
    env = dict(os.environ, MONGOOSE_LIB=library_path())
    r = subprocess.run(["unshare", "-n", "sh", "-c", script, sys.executable, __file__],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0 and "MDNS-OK" in r.stdout, r.stdout + r.stderr


class Str(ctypes.Structure):
    _fields_ = [("buf", ctypes.c_void_p), ("len", ctypes.c_size_t)]


class Addr(ctypes.Structure):
    _fields_ = [("ip", ctypes.c_ubyte * 16), ("port", ctypes.c_uint16),
                ("scope_id", ctypes.c_uint8), ("is_ip6", ctypes.c_bool), ("pad", ctypes.c_ubyte * 4)]


class Rr(ctypes.Structure):
    _fields_ = [(n, ctypes.c_uint16) for n in ("nlen", "atype", "aclass", "alen")]


class Sd(ctypes.Structure):
    _fields_ = [("srvcproto", Str), ("txt", Str), ("port", ctypes.c_uint16)]


class Req(ctypes.Structure):
    _fields_ = [("rr", ctypes.POINTER(Rr)), ("r", ctypes.POINTER(Sd)), ("reqname", Str),
                ("respname", Str), ("addr", ctypes.POINTER(Addr)), ("is_listing", ctypes.c_bool),
                ("is_resp", ctypes.c_bool), ("is_unicast", ctypes.c_bool)]


def _qname(n):
    return b"".join(bytes([len(p)]) + p for p in n.encode().split(b".")) + b"\0"


def _query(name, rtype):
    return struct.pack(">HHHHHH", 0x1234, 0, 1, 0, 0, 0) + _qname(name) + struct.pack(">HH", rtype, 1)


def _inner():
    lib = ctypes.CDLL(os.environ["MONGOOSE_LIB"])
    cb_t = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)
    lib.mg_mdns_listen.restype = ctypes.c_void_p
    lib.mg_mdns_listen.argtypes = [ctypes.c_void_p, cb_t, ctypes.c_void_p]
    lib.mg_mgr_poll.argtypes = [ctypes.c_void_p, ctypes.c_int]
    keep = [ctypes.create_string_buffer(b"devname"), ctypes.create_string_buffer(b"_http._tcp"),
            ctypes.create_string_buffer(b"\x05a=b=c\x03k=v")]
    addr = Addr()
    addr.ip[:4] = [10, 1, 2, 3]
    sd = Sd(Str(ctypes.addressof(keep[1]), 10), Str(ctypes.addressof(keep[2]), 10), 8080)
    names = []

    def on_event(c, ev, ev_data):
        if ev == 20:  # MG_EV_MDNS_REQ
            req = ctypes.cast(ev_data, ctypes.POINTER(Req)).contents
            names.append(ctypes.string_at(req.reqname.buf, req.reqname.len))
            req.is_resp = True
            req.respname = Str(ctypes.addressof(keep[0]), 7)
            req.addr = ctypes.pointer(addr)
            req.r = ctypes.pointer(sd)

    cb = cb_t(on_event)
    mgr = ctypes.create_string_buffer(1024)
    lib.mg_mgr_init(mgr)
    member = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    member.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    member.bind(("0.0.0.0", 5353))
    member.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                      socket.inet_aton("224.0.0.251") + socket.inet_aton("0.0.0.0"))
    assert lib.mg_mdns_listen(mgr, cb, None)
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.bind(("127.0.0.1", 0))
    for name, rtype, want in (("devname.local", 1, ANS_A), ("_http._tcp.local", 12, ANS_PTR)):
        q = _query(name, rtype)
        client.sendto(q, ("224.0.0.251", 5353))
        got, deadline = None, time.time() + 3
        while got is None and time.time() < deadline:
            lib.mg_mgr_poll(mgr, 10)
            while select.select([member], [], [], 0)[0]:
                data, _ = member.recvfrom(2000)
                if data != q:
                    got = data
        assert got is not None, "no answer to " + name
        assert got.hex() == want, (name, got.hex())
    assert names == [b"devname", b"_http._tcp"], names
    lib.mg_mgr_free(mgr)
    print("MDNS-OK")


if __name__ == "__main__" and sys.argv[1:] == ["inner"]:
    _inner()
