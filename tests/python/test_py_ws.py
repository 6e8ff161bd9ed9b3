"""WebSocket through the binding, against independent implementations
(issue 14): the ``websockets`` and ``wsproto`` packages as clients of our
server and as servers for our client (1,000 messages of mixed sizes each
way, none lost, none altered), and the built-in shutdown under load: 200
WebSocket clients, every one receives everything queued before the
shutdown, then a CLOSE with code 1001 (in-process ``Manager.shutdown`` and
SIGTERM to a server process)."""
import random
import selectors
import socket
import threading

import pytest

from conftest import Bg, ServerProcess, poll_until, port_of, serve_while

websockets_client = pytest.importorskip("websockets.sync.client")
websockets_server = pytest.importorskip("websockets.sync.server")
wsproto = pytest.importorskip("wsproto")
from wsproto import ConnectionType, WSConnection  # noqa: E402
from wsproto.events import (  # noqa: E402
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Message,
    Ping,
    Request,
    TextMessage,
)

from mongoose_rs import (  # noqa: E402
    MG_EV_CLOSE,
    MG_EV_ERROR,
    MG_EV_HTTP_MSG,
    MG_EV_WS_CTL,
    MG_EV_WS_MSG,
    MG_EV_WS_OPEN,
    WEBSOCKET_OP_BINARY,
    WEBSOCKET_OP_CLOSE,
    WEBSOCKET_OP_TEXT,
    Manager,
)

N = 1000
BOUNDARIES = [0, 1, 125, 126, 127, 65535, 65536, 65537, 200_000]


def messages(seed):
    """N messages of mixed sizes (every boundary, mostly small), text and
    binary alternating; text is ASCII so it is valid UTF-8."""
    rng = random.Random(seed)
    out = []
    for i in range(N):
        size = BOUNDARIES[(i // 10) % len(BOUNDARIES)] if i % 10 == 0 else rng.randint(0, 3000)
        if i % 2:
            out.append(bytes(rng.getrandbits(8) for _ in range(min(size, 64))) * (size // 64 + 1))
            out[-1] = out[-1][:size]
        else:
            out.append("".join(chr(33 + (i + k) % 90) for k in range(size)))
    return out


def echo_server(mgr, seen=None):
    """Our echo server on /ws; returns its port."""

    def handler(conn, ev, data):
        if ev == MG_EV_HTTP_MSG:
            conn.ws_upgrade(data, {"X-Served-By": "mongoose-rs"})
        elif ev == MG_EV_WS_MSG:
            if seen is not None:
                seen.append(data.data)
            conn.ws_send(data.data, data.flags & 0x0F)

    return port_of(mgr.listen("http://127.0.0.1:0", handler, http=True))


def test_websockets_client_against_our_server(mgr):
    port = echo_server(mgr)
    msgs = messages(1)

    def client():
        got = []
        with websockets_client.connect(f"ws://127.0.0.1:{port}/ws", compression=None) as ws:
            assert ws.response.headers["X-Served-By"] == "mongoose-rs"
            for m in msgs:
                ws.send(m)
                got.append(ws.recv())
        return got, ws.close_code

    got, code = serve_while(mgr, client, timeout=120)
    assert got == msgs
    assert code == 1000  # our echo of its CLOSE


def wsproto_pump(sock, ws, buf_events):
    data = sock.recv(1 << 20)
    ws.receive_data(data or None)
    buf_events.extend(ws.events())
    return bool(data)


def test_wsproto_client_against_our_server(mgr):
    port = echo_server(mgr)
    msgs = messages(2)

    def client():
        sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        ws = WSConnection(ConnectionType.CLIENT)
        sock.sendall(ws.send(Request(host="127.0.0.1", target="/ws")))
        events = []
        while not any(isinstance(e, AcceptConnection) for e in events):
            assert wsproto_pump(sock, ws, events)
        got, partial = [], None
        for m in msgs:
            cls = TextMessage if isinstance(m, str) else BytesMessage
            sock.sendall(ws.send(cls(data=m)))
            while True:
                events = []
                while not events:
                    assert wsproto_pump(sock, ws, events)
                done = False
                for e in events:
                    assert isinstance(e, Message), e
                    partial = e.data if partial is None else partial + e.data
                    if e.message_finished:
                        got.append(partial)
                        partial = None
                        done = True
                if done:
                    break
        sock.sendall(ws.send(CloseConnection(code=1000)))
        events = []
        while wsproto_pump(sock, ws, events):
            pass
        sock.close()
        # The echo of our CLOSE, then wsproto's note of the EOF (1006).
        return got, [e.code for e in events if isinstance(e, CloseConnection)]

    got, codes = serve_while(mgr, client, timeout=120)
    assert got == msgs
    assert codes == [1000, 1006]


class OurClient:
    """Our client (Manager.ws_connect): sends message i+1 when the echo of
    message i arrives, then a CLOSE."""

    def __init__(self, mgr, url, msgs):
        self.msgs, self.got, self.events, self.status = msgs, [], [], None
        self.closed = False
        self.conn = mgr.ws_connect(url, self.handler, extra_headers={"X-Client": "mongoose-rs"})

    def send_next(self, conn):
        i = len(self.got)
        if i < len(self.msgs):
            m = self.msgs[i]
            conn.ws_send(m, WEBSOCKET_OP_TEXT if isinstance(m, str) else WEBSOCKET_OP_BINARY)
        else:
            conn.ws_send(b"\x03\xe8", WEBSOCKET_OP_CLOSE)

    def handler(self, conn, ev, data):
        if ev == MG_EV_WS_OPEN:
            self.status = data.status()
            assert conn.is_websocket
            self.send_next(conn)
        elif ev == MG_EV_WS_MSG:
            op = data.flags & 0x0F
            self.got.append(data.text if op == WEBSOCKET_OP_TEXT else data.data)
            self.send_next(conn)
        elif ev == MG_EV_WS_CTL:
            self.events.append(("ctl", data))  # None, as in pymongoose
        elif ev == MG_EV_ERROR:
            self.events.append(("error", data))
        elif ev == MG_EV_CLOSE:
            self.closed = True


def test_our_client_against_websockets_server(mgr):
    headers = []

    def handler(ws):
        headers.append(ws.request.headers.get("X-Client"))
        for m in ws:
            ws.send(m)

    server = websockets_server.serve(handler, "127.0.0.1", 0, compression=None)
    port = server.socket.getsockname()[1]
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        msgs = messages(3)
        cl = OurClient(mgr, f"ws://127.0.0.1:{port}/echo", msgs)
        poll_until(mgr, lambda: cl.closed, timeout=120, step_ms=1)
    finally:
        server.shutdown()
        t.join(timeout=10)
    assert cl.status == 101
    assert headers == ["mongoose-rs"]
    assert cl.got == msgs
    # The server answered our CLOSE with its own.
    assert cl.events == [("ctl", None)]


def test_our_client_against_wsproto_server(mgr):
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    port = lsock.getsockname()[1]

    def server():
        sock, _ = lsock.accept()
        sock.settimeout(60)
        ws = WSConnection(ConnectionType.SERVER)
        partial, count = None, 0
        while True:
            data = sock.recv(1 << 20)
            if not data:
                break
            ws.receive_data(data)
            out = b""
            for e in ws.events():
                if isinstance(e, Request):
                    out += ws.send(AcceptConnection())
                elif isinstance(e, Message):
                    partial = e.data if partial is None else partial + e.data
                    if e.message_finished:
                        cls = TextMessage if isinstance(partial, str) else BytesMessage
                        out += ws.send(cls(data=partial))
                        partial = None
                        count += 1
                elif isinstance(e, CloseConnection):
                    out += ws.send(e.response())
                elif isinstance(e, Ping):
                    out += ws.send(e.response())
            sock.sendall(out)
            if ws.state.name == "CLOSED":
                break  # the server ends the TCP connection after the close handshake
        sock.close()
        return count

    bg = Bg(server)
    msgs = messages(4)
    cl = OurClient(mgr, f"ws://127.0.0.1:{port}/", msgs)
    poll_until(mgr, lambda: cl.closed, timeout=120, step_ms=1)
    assert bg.result() == N
    lsock.close()
    assert cl.status == 101
    assert cl.got == msgs
    assert cl.events == [("ctl", None)]


def test_upgrade_without_key_is_answered_426(mgr):
    port = echo_server(mgr)

    def client():
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /ws HTTP/1.1\r\nHost: x\r\n\r\n")
        out = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                return out
            out += chunk

    assert serve_while(mgr, client) == (
        b"HTTP/1.1 426 Upgrade Required\r\nContent-Length: 20         \r\n\r\nWS upgrade expected\n"
    )


def test_ws_printf(mgr):
    got = []

    def handler(conn, ev, data):
        if ev == MG_EV_HTTP_MSG:
            conn.ws_upgrade(data)
        elif ev == MG_EV_WS_MSG:
            got.append(conn.ws_printf("%s=%d", data.text, 42))

    port = port_of(mgr.listen("http://127.0.0.1:0", handler, http=True))

    def client():
        with websockets_client.connect(f"ws://127.0.0.1:{port}/ws") as ws:
            ws.send("x")
            return ws.recv()

    assert serve_while(mgr, client) == "x=42"
    assert got == [4]


class LoadClient:
    """A wsproto client on a non-blocking socket, driven by a selector."""

    def __init__(self, port, sel, i):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.setblocking(False)
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.out = self.ws.send(Request(host="127.0.0.1", target="/ws"))
        self.open = False
        self.sent = [f"client {i} message {k} " + "x" * (i * 37 % 500) for k in range(5)]
        self.got, self.partial = [], ""
        self.close_code = None
        self.eof = False
        sel.register(self.sock, selectors.EVENT_READ, self)

    def flush(self):
        while self.out:
            try:
                n = self.sock.send(self.out)
            except BlockingIOError:
                return
            self.out = self.out[n:]

    def on_readable(self):
        try:
            data = self.sock.recv(1 << 16)
        except BlockingIOError:
            return
        except ConnectionError:
            data = b""
        if not data:
            self.eof = True
            self.ws.receive_data(None)
        else:
            self.ws.receive_data(data)
        for e in self.ws.events():
            if isinstance(e, AcceptConnection):
                self.open = True
                for m in self.sent:
                    self.out += self.ws.send(TextMessage(data=m))
            elif isinstance(e, TextMessage):
                self.partial += e.data
                if e.message_finished:
                    self.got.append(self.partial)
                    self.partial = ""
            elif isinstance(e, CloseConnection):
                if self.close_code is None:  # not the 1006 wsproto adds at EOF
                    self.close_code = e.code
                if self.ws.state.name == "REMOTE_CLOSING":
                    self.out += self.ws.send(e.response())
        self.flush()


def drive(clients, sel, until, step=None, timeout=60.0):
    import time

    deadline = time.monotonic() + timeout
    while not until():
        assert time.monotonic() < deadline, "deadline passed"
        if step:
            step()
        for key, _ in sel.select(timeout=0 if step else 0.05):
            key.data.on_readable()
        for c in clients:
            c.flush()


def check_load_clients(clients):
    for c in clients:
        assert c.got == c.sent, f"echoes before the CLOSE: {len(c.got)} of {len(c.sent)}"
        assert c.close_code == 1001
        assert c.eof


def test_shutdown_under_load_in_process():
    """200 WebSocket clients, 5 messages each; the shutdown begins the
    moment the last message is received (its echo just queued): every echo
    arrives, then CLOSE 1001; the manager is done once all clients have
    answered, well before the grace period ends."""
    mgr = Manager()
    received = [0]
    started = []

    def handler(conn, ev, data):
        if ev == MG_EV_HTTP_MSG:
            conn.ws_upgrade(data)
        elif ev == MG_EV_WS_MSG:
            conn.ws_send(data.data, data.flags & 0x0F)
            received[0] += 1
            if received[0] == 200 * 5:
                mgr.shutdown(20000)
                started.append(True)

    port = port_of(mgr.listen("http://127.0.0.1:0", handler, http=True))
    sel = selectors.DefaultSelector()
    clients = []
    try:
        for i in range(200):
            clients.append(LoadClient(port, sel, i))
            mgr.poll(0)
        drive(clients, sel, lambda: mgr.is_done, step=lambda: mgr.poll(1))
        assert started
        drive(clients, sel, lambda: all(c.eof for c in clients))
        check_load_clients(clients)
    finally:
        for c in clients:
            c.sock.close()
        mgr.close()


def test_shutdown_under_load_sigterm():
    """The same through SIGTERM to python/examples/ws_echo.py: the signal
    is sent once the server has received all 1,000 messages."""
    with ServerProcess("ws_echo.py", 20000) as srv:
        sel = selectors.DefaultSelector()
        clients = [LoadClient(srv.port, sel, i) for i in range(200)]
        reader = Bg(srv.wait_for_line, r"received 1000\b", timeout=60)
        drive(clients, sel, lambda: not reader.is_alive())
        reader.result()
        srv.signal()
        drive(clients, sel, lambda: all(c.eof for c in clients))
        check_load_clients(clients)
        assert srv.wait(timeout=15) == 0
        assert "echoed 1000 messages, bye" in srv.rest_of_stdout()
        for c in clients:
            c.sock.close()

