"""Streaming uploads and OTA from Python's http.client: mg_http_start_upload
writes a large body to a file, mg_http_start_ota with the opt-in file backend
(MG_OTA_FILE-style target set with mg_ota_set_file) replaces the image
atomically, and a truncated upload reports "connection closed"."""
import ctypes as C
import http.client
import os
import socket
import threading
import time

import pytest

CB = C.CFUNCTYPE(None, C.c_void_p, C.c_int, C.c_void_p)
DONE = C.CFUNCTYPE(None, C.c_void_p, C.c_char_p)
MG_EV_HTTP_HDRS = 10


class Str(C.Structure):
    _fields_ = [("buf", C.c_char_p), ("len", C.c_size_t)]


@pytest.fixture
def server(lib, tmp_path):
    mgr = C.create_string_buffer(1024)
    lib.mg_mgr_init(mgr)
    state = {"mode": "upload", "done": []}
    done = DONE(lambda c, err: state["done"].append(err))
    d = str(tmp_path).encode()

    def handle(c, ev, evd):
        if ev != MG_EV_HTTP_HDRS:
            return
        if state["mode"] == "upload":
            lib.mg_http_start_upload(C.c_void_p(c), C.c_void_p(evd), Str(b"big.bin", 7),
                                     Str(d, len(d)), None, state.get("cb"))
        else:
            lib.mg_http_start_ota(C.c_void_p(c), C.c_void_p(evd), state.get("cb"))

    cb = CB(handle)
    state["done_cb"] = done
    lib.mg_http_listen.restype = C.c_void_p
    lsn = lib.mg_http_listen(mgr, b"http://127.0.0.1:0", cb, None)
    port = socket.ntohs(C.c_uint16.from_address(lsn + 32).value)
    yield lib, mgr, port, state, tmp_path
    lib.mg_ota_set_file(None)
    lib.mg_mgr_free(mgr)
    del cb, done


def run(lib, mgr, fn, timeout=20.0):
    out = {}

    def body():
        try:
            out["r"] = fn()
        except BaseException as e:
            out["e"] = e

    t = threading.Thread(target=body)
    t.start()
    deadline = time.monotonic() + timeout
    while t.is_alive() and time.monotonic() < deadline:
        lib.mg_mgr_poll(mgr, 5)
    for _ in range(10):
        lib.mg_mgr_poll(mgr, 1)
    t.join(1)
    assert not t.is_alive()
    if "e" in out:
        raise out["e"]
    return out.get("r")


def post(port, body):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("POST", "/up", body=body)
    r = conn.getresponse()
    res = (r.status, r.read())
    conn.close()
    return res


def test_upload_large_body(server):
    lib, mgr, port, state, tmp = server
    data = os.urandom(300_000)
    assert run(lib, mgr, lambda: post(port, data)) == (200, b"ok\n")
    assert (tmp / "big.bin").read_bytes() == data


def test_ota_file_backend(server):
    lib, mgr, port, state, tmp = server
    state["mode"] = "ota"
    fw = tmp / "firmware.bin"
    fw.write_bytes(b"old image")
    lib.mg_ota_set_file(str(fw).encode())
    data = bytes(range(256)) * 1000
    assert run(lib, mgr, lambda: post(port, data)) == (200, b"ok\n")
    assert fw.read_bytes() == data
    assert not (tmp / "firmware.bin.part").exists()


def test_truncated_upload_reports_closed(server):
    lib, mgr, port, state, tmp = server
    state["cb"] = state["done_cb"]

    def client():
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"POST /up HTTP/1.1\r\nContent-Length: 5000\r\n\r\n" + b"x" * 1500)
        s.close()

    run(lib, mgr, client)
    deadline = time.monotonic() + 5
    while not state["done"] and time.monotonic() < deadline:
        lib.mg_mgr_poll(mgr, 5)
    assert state["done"] == [b"connection closed"]
    assert (tmp / "big.bin").read_bytes() == b"x" * 1024
