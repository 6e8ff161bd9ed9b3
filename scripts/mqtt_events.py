#!/usr/bin/env python3
"""Compare what an MQTT client connection does on the wire and which events
it fires, Mongoose 7.23 vs ours (development tool; needs cymongoose).

    cargo build && python3 scripts/mqtt_events.py [--print]

A raw socket plays the broker: it reads the CONNECT, then sends scripted
packets (CONNACK, PUBLISH QoS 0/1/2, PUBREC, PUBREL, garbage...). We record
the events (with their MQTT fields) and every byte the library answers.
"""
import os
import select
import socket
import sys
import time
from ctypes import CFUNCTYPE, POINTER, c_char_p, c_int, c_long, c_uint8, c_void_p, cast, create_string_buffer, string_at

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mqtt_diff as D  # noqa: E402

HANDLER = CFUNCTYPE(None, c_void_p, c_int, c_void_p)


def run(lib, version, script, connect_opts=None):
    L = lib.L
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    mgr = create_string_buffer(4096)
    L.mg_mgr_init(mgr)
    events = []

    def fn(c, ev, data):
        if ev in (2, 8):  # POLL, WRITE
            return
        if ev == 7:
            events.append(("READ", cast(data, POINTER(c_long))[0]))
        elif ev in (15, 16):
            m = cast(data, POINTER(D.Msg))[0]
            events.append((ev, m.cmd, m.qos, m.id, m.ack, string_at(m.topic.buf, m.topic.len) if m.topic.buf else None,
                           string_at(m.data.buf, m.data.len) if m.data.buf else None, m.dgram.len))
        elif ev == 17:
            events.append((ev, cast(data, POINTER(c_uint8))[0]))
        elif ev == 0:
            events.append((ev, cast(data, c_char_p).value))
        else:
            events.append((ev,))
    cb = HANDLER(fn)
    o = connect_opts or D.mkopts(client_id="x", version=version)
    L.mg_mqtt_connect(mgr, f"mqtt://127.0.0.1:{port}".encode(), o, cb, None)
    cli, _ = srv.accept()
    cli.setblocking(False)
    got = []

    def pump(n=8):
        data = b""
        idle = 0
        while idle < n:
            L.mg_mgr_poll(mgr, 5)
            r, _, _ = select.select([cli], [], [], 0.005)
            if r:
                try:
                    chunk = cli.recv(1 << 20)
                except ConnectionResetError:
                    chunk = b""
                if not chunk:
                    return data + b"<EOF>"
                data += chunk
                idle = 0
            else:
                idle += 1
        return data
    got.append(pump())
    for pkt in script:
        try:
            cli.sendall(pkt)
        except OSError:
            got.append(b"<send failed>")
            break
        got.append(pump())
        events.append("--")
    L.mg_mgr_free(mgr)
    cli.close()
    srv.close()
    return [g.hex() if isinstance(g, bytes) else g for g in got], events


SCRIPTS = [
    ("accepted v4", 4, [b"\x20\x02\x00\x00", b"\x30\x05\x00\x01ahi", b"\x32\x07\x00\x01a\x00\x05hi",
                        b"\x34\x07\x00\x01a\x00\x06hi", b"\x50\x02\x00\x07", b"\x62\x02\x00\x08", b"\x40\x02\x00\x09",
                        b"\x70\x02\x00\x0a", b"\x90\x03\x00\x01\x01", b"\xb0\x02\x00\x02", b"\xd0\x00", b"\xc0\x00",
                        b"\xe0\x00"]),
    ("accepted v5", 5, [b"\x20\x03\x00\x00\x00", b"\x30\x06\x00\x01a\x00hi", b"\x32\x08\x00\x01a\x00\x05\x00hi",
                        b"\x34\x08\x00\x01a\x00\x06\x00hi", b"\x50\x02\x00\x07", b"\x62\x02\x00\x08",
                        b"\x50\x04\x00\x07\x10\x00"]),
    ("refused", 4, [b"\x20\x02\x00\x05", b"\x30\x05\x00\x01ahi"]),
    ("refused v5", 5, [b"\x20\x03\x00\x87\x00"]),
    ("two in one read", 4, [b"\x20\x02\x00\x00\x30\x05\x00\x01ahi\x30\x05\x00\x01bho"]),
    ("split packet", 4, [b"\x20\x02\x00\x00\x30\x05\x00", b"\x01ahi"]),
    ("malformed length", 4, [b"\x20\x02\x00\x00", b"\x30\xff\xff\xff\xff\x01"]),
    ("malformed publish", 4, [b"\x20\x02\x00\x00", b"\x30\x02\x00\x05"]),
    ("malformed connack", 4, [b"\x20\x01\x00"]),
    ("publish before connack", 4, [b"\x30\x05\x00\x01ahi"]),
    ("incomplete huge", 4, [b"\x20\x02\x00\x00", b"\x30\xff\xff\xff\x7f" + b"x" * 100]),
]


# Where we fire MG_EV_ERROR before closing (Mongoose closes silently) and
# refuse a packet that can never fit in recv as soon as its header arrives.
DEPARTURES = {"malformed length", "malformed publish", "malformed connack", "incomplete huge"}


def main():
    show = "--print" in sys.argv
    theirs = D.Lib(D.ORACLE)
    try:
        ours = D.Lib(D.OURS)
    except (OSError, AttributeError):
        ours = theirs
    bad = 0
    for name, v, script in SCRIPTS:
        a = run(theirs, v, script)
        b = run(ours, v, script)
        if show:
            print(name, "\n  wire", a[0], "\n  events", a[1])
        if a != b and name in DEPARTURES:
            print("departure (expected):", name)
        elif a != b:
            bad += 1
            print("DIFF", name, "\n  mongoose", a, "\n  ours    ", b)
    print(f"{bad} differences")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
