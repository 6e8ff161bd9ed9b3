"""WebSocket over TLS (issue 15): the ``websockets`` package over ``wss://``
as a client of our server and as a server for our client (1,000 mixed-size
messages each way, none lost, none altered, the CLOSE handshake over TLS),
and the built-in graceful shutdown on a wss connection in both roles: the
CLOSE 1001 goes out encrypted, and once the peer has answered it the TLS
session ends with a close_notify (Python's ``ssl`` with
``suppress_ragged_eofs=False`` raises on an end of stream without one).
Certificates are made with the openssl CLI in a temporary directory."""
import base64
import hashlib
import shutil
import socket
import ssl
import subprocess
import threading

import pytest

from conftest import Bg, poll_until, port_of, serve_while
from test_py_ws import N, OurClient, messages

import mongoose_rs
from mongoose_rs import (
    MG_EV_ACCEPT,
    MG_EV_CONNECT,
    MG_EV_ERROR,
    MG_EV_HTTP_MSG,
    MG_EV_TLS_HS,
    MG_EV_WS_MSG,
    MG_EV_WS_OPEN,
    WEBSOCKET_OP_BINARY,
    WEBSOCKET_OP_CLOSE,
    WEBSOCKET_OP_TEXT,
    Manager,
)

websockets_client = pytest.importorskip("websockets.sync.client")
websockets_server = pytest.importorskip("websockets.sync.server")
pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")

CLOSE_1001 = b"\x88\x02\x03\xe9"  # unmasked server frame: CLOSE, code 1001


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("wss-pki")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem"), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-addext", "basicConstraints=critical,CA:FALSE"],
        check=True, capture_output=True,
    )
    return {"dir": d, "cert": (d / "cert.pem").read_bytes(), "key": (d / "key.pem").read_bytes()}


def client_ctx(pki):
    return ssl.create_default_context(cafile=str(pki["dir"] / "cert.pem"))


def server_ctx(pki):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(pki["dir"] / "cert.pem"), str(pki["dir"] / "key.pem"))
    return ctx


def wss_echo_server(mgr, pki, log):
    """Our https listener with TLS on accept and a WebSocket echo; returns
    its port. ``log`` records the TLS and WebSocket events in order."""

    def handler(c, ev, data):
        if ev == MG_EV_ACCEPT:
            c.tls_init(mongoose_rs.TlsOpts(cert=pki["cert"], key=pki["key"]))
        elif ev == MG_EV_TLS_HS:
            log.append("hs")
        elif ev == MG_EV_HTTP_MSG:
            c.ws_upgrade(data)
        elif ev == MG_EV_WS_OPEN:
            log.append(("open", c.is_tls, c.is_websocket))
        elif ev == MG_EV_WS_MSG:
            c.ws_send(data.data, data.flags & 0x0F)
        elif ev == MG_EV_ERROR:
            log.append(("error", data))

    return port_of(mgr.listen("https://127.0.0.1:0", handler, http=True))


def test_websockets_client_against_our_wss_server(mgr, pki):
    log = []
    port = wss_echo_server(mgr, pki, log)
    msgs = messages(11)

    def client():
        got = []
        url = f"wss://localhost:{port}/ws"
        with websockets_client.connect(url, ssl=client_ctx(pki), compression=None) as ws:
            version = ws.socket.version()
            for m in msgs:
                ws.send(m)
                got.append(ws.recv())
        return got, ws.close_code, version

    got, code, version = serve_while(mgr, client, timeout=180)
    assert version == "TLSv1.3"
    assert len(got) == N and got == msgs
    assert code == 1000  # our echo of its CLOSE, encrypted
    assert log == ["hs", ("open", True, True)]


def test_websockets_client_pipelined_over_wss(mgr, pki):
    """All 1,000 messages sent without waiting for echoes (a sender thread):
    the echoes pile up behind TLS back-pressure and all come back in order."""
    log = []
    port = wss_echo_server(mgr, pki, log)
    msgs = messages(13)

    def client():
        url = f"wss://127.0.0.1:{port}/ws"
        # An IP address: no SNI; the certificate names 127.0.0.1 too.
        with websockets_client.connect(url, ssl=client_ctx(pki), compression=None, max_size=None) as ws:
            sender = Bg(lambda: [ws.send(m) for m in msgs] and None)
            got = [ws.recv() for _ in msgs]
            sender.result()
        return got

    got = serve_while(mgr, client, timeout=180)
    assert len(got) == N and got == msgs
    assert log == ["hs", ("open", True, True)]


class TlsClient(OurClient):
    """OurClient with mg_tls_init on MG_EV_CONNECT (verifying the server
    with the test's certificate as CA)."""

    def __init__(self, mgr, url, msgs, pki):
        self.pki, self.hs = pki, 0
        super().__init__(mgr, url, msgs)

    def handler(self, conn, ev, data):
        if ev == MG_EV_CONNECT:
            assert conn.is_tls  # the wss:// scheme
            conn.tls_init(mongoose_rs.TlsOpts(ca=self.pki["cert"], name="localhost"))
        elif ev == MG_EV_TLS_HS:
            self.hs += 1
        else:
            super().handler(conn, ev, data)


def test_our_wss_client_against_websockets_tls_server(mgr, pki):
    seen = []

    def handler(ws):
        seen.append(ws.socket.version())
        for m in ws:
            ws.send(m)

    server = websockets_server.serve(handler, "127.0.0.1", 0, ssl=server_ctx(pki), compression=None)
    port = server.socket.getsockname()[1]
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        msgs = messages(12)
        cl = TlsClient(mgr, f"wss://localhost:{port}/echo", msgs, pki)
        poll_until(mgr, lambda: cl.closed, timeout=180, step_ms=1)
    finally:
        server.shutdown()
        t.join(timeout=10)
    assert seen == ["TLSv1.3"]
    assert (cl.status, cl.hs) == (101, 1)
    assert len(cl.got) == N and cl.got == msgs
    assert cl.events == [("ctl", None)]  # the server's answer to our CLOSE


class BurstClient(TlsClient):
    """Queues every message on MG_EV_WS_OPEN (about 5.7 MB in c->send,
    drained through TLS as the socket allows), then the CLOSE once all
    echoes are in."""

    def handler(self, conn, ev, data):
        if ev == MG_EV_WS_OPEN:
            self.status = data.status()
            for m in self.msgs:
                conn.ws_send(m, WEBSOCKET_OP_TEXT if isinstance(m, str) else WEBSOCKET_OP_BINARY)
        elif ev == MG_EV_WS_MSG:
            op = data.flags & 0x0F
            self.got.append(data.text if op == WEBSOCKET_OP_TEXT else data.data)
            if len(self.got) == len(self.msgs):
                conn.ws_send(b"\x03\xe8", WEBSOCKET_OP_CLOSE)
        else:
            super().handler(conn, ev, data)


def test_our_wss_client_burst_against_websockets_tls_server(mgr, pki):
    def handler(ws):
        for m in ws:
            ws.send(m)

    server = websockets_server.serve(handler, "127.0.0.1", 0, ssl=server_ctx(pki), compression=None, max_size=None)
    port = server.socket.getsockname()[1]
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        cl = BurstClient(mgr, f"wss://localhost:{port}/echo", messages(14), pki)
        poll_until(mgr, lambda: cl.closed, timeout=180, step_ms=1)
    finally:
        server.shutdown()
        t.join(timeout=10)
    assert (cl.status, cl.hs) == (101, 1)
    assert len(cl.got) == N and cl.got == cl.msgs
    assert cl.events == [("ctl", None)]


def test_our_wss_client_fails_on_wrong_name(mgr, pki):
    log = []
    port = wss_echo_server(mgr, pki, log)
    events = []

    def handler(conn, ev, data):
        if ev == MG_EV_CONNECT:
            conn.tls_init(mongoose_rs.TlsOpts(ca=pki["cert"], name="example.org"))
        elif ev in (MG_EV_WS_OPEN, MG_EV_ERROR):
            events.append((ev, data if ev == MG_EV_ERROR else None))

    mgr.ws_connect(f"wss://localhost:{port}/ws", handler)
    poll_until(mgr, lambda: events and any(e[0] == "error" for e in log))
    assert len(events) == 1 and events[0][0] == MG_EV_ERROR
    assert events[0][1].startswith("TLS: invalid peer certificate: certificate not valid for name")
    assert log[0][1].startswith("TLS: received fatal alert")  # no upgrade, no "open"


def read_until(sock, buf, pred):
    while not pred(buf):
        chunk = sock.recv(65536)
        assert chunk, f"EOF; got {buf!r}"
        buf += chunk
    return buf


def test_shutdown_sends_close_1001_then_close_notify_server(pki):
    """Server role: shutdown sends CLOSE 1001 over TLS; the
    client answers it; the server then ends TLS with close_notify (a clean
    EOF) and the manager is done long before the grace period ends."""
    mgr = Manager()
    log = []
    try:
        port = wss_echo_server(mgr, pki, log)
        ready = threading.Event()
        go = threading.Event()

        def client():
            raw = socket.create_connection(("127.0.0.1", port), timeout=10)
            s = client_ctx(pki).wrap_socket(raw, server_hostname="localhost", suppress_ragged_eofs=False)
            s.sendall(b"GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
            head = read_until(s, b"", lambda b: b"\r\n\r\n" in b)
            assert head.startswith(b"HTTP/1.1 101 ")
            assert b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" in head
            # One message echoed over TLS before the shutdown (a message the
            # server reads after its CLOSE 1001 gets no echo: nothing may
            # follow a CLOSE).
            s.sendall(b"\x81\x83\x00\x00\x00\x00abc")
            echo = read_until(s, head.split(b"\r\n\r\n", 1)[1], lambda b: len(b) >= 5)
            ready.set()
            go.wait(10)
            rest = read_until(s, echo, lambda b: len(b) >= 9)
            s.sendall(b"\x88\x82\x00\x00\x00\x00\x03\xe9")  # our CLOSE 1001 (zero mask)
            tail = b""
            while True:
                chunk = s.recv(65536)  # SSLEOFError here = no close_notify
                if not chunk:
                    break
                tail += chunk
            s.close()
            return rest, tail

        bg = Bg(client)
        poll_until(mgr, lambda: ready.is_set() and log == ["hs", ("open", True, True)], timeout=10)
        mgr.shutdown(20000)
        go.set()
        poll_until(mgr, lambda: mgr.is_done, timeout=10, step_ms=1)
        rest, tail = bg.result()
        # Echo first, then CLOSE 1001; nothing after it, then close_notify.
        assert rest == b"\x81\x03abc" + CLOSE_1001
        assert tail == b""
    finally:
        mgr.close()


def test_shutdown_sends_close_1001_then_close_notify_client(pki):
    """Client role: a Python ssl server (suppress_ragged_eofs=False) speaks
    the upgrade by hand; our manager's shutdown sends a masked CLOSE 1001
    over TLS, we take its answer, and our close_notify ends the stream."""
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    port = lsock.getsockname()[1]
    opened = threading.Event()

    def server():
        raw, _ = lsock.accept()
        raw.settimeout(10)
        s = server_ctx(pki).wrap_socket(raw, server_side=True, suppress_ragged_eofs=False)
        req = read_until(s, b"", lambda b: b"\r\n\r\n" in b)
        key = [ln.split(b":", 1)[1].strip() for ln in req.split(b"\r\n") if ln.lower().startswith(b"sec-websocket-key:")][0]
        acc = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
        s.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  b"Sec-WebSocket-Accept: " + acc + b"\r\n\r\n")
        opened.set()
        frame = read_until(s, b"", lambda b: len(b) >= 8)
        s.sendall(b"\x88\x02\x03\xe9")  # answer the CLOSE
        tail = b""
        while True:
            chunk = s.recv(65536)  # SSLEOFError here = no close_notify
            if not chunk:
                break
            tail += chunk
        s.close()
        return frame, tail

    bg = Bg(server)
    mgr = Manager()
    events = []
    try:

        def handler(conn, ev, data):
            if ev == MG_EV_CONNECT:
                conn.tls_init(mongoose_rs.TlsOpts(ca=pki["cert"], name="localhost"))
            elif ev in (MG_EV_WS_OPEN, MG_EV_ERROR):
                events.append((ev, data if ev == MG_EV_ERROR else None))

        mgr.ws_connect(f"wss://localhost:{port}/", handler)
        poll_until(mgr, lambda: events, timeout=10)
        assert events == [(MG_EV_WS_OPEN, None)]
        mgr.shutdown(20000)
        poll_until(mgr, lambda: mgr.is_done, timeout=10, step_ms=1)
        frame, tail = bg.result()
    finally:
        mgr.close()
        lsock.close()
    assert opened.is_set()
    # Masked CLOSE (FIN, op 8, mask bit, length 2) carrying 1001.
    assert frame[:2] == b"\x88\x82" and len(frame) == 8
    mask = frame[2:6]
    assert bytes(b ^ mask[i % 4] for i, b in enumerate(frame[6:8])) == b"\x03\xe9"
    assert tail == b""
    assert events == [(MG_EV_WS_OPEN, None)]  # no error along the way
