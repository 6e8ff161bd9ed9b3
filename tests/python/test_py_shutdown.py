"""mongoose-rs's graceful shutdown through the binding: Manager.shutdown(),
Manager.is_done, Manager.shutdown_on_signals() (subprocess), and the guide's
"test shutdown under load": >= 20 concurrent keep-alive clients, SIGTERM,
every request sent on an open connection answered, none reset, new
connections refused."""
import selectors
import subprocess
import signal
import socket
import time

import pytest

from conftest import ServerProcess, poll_until, port_of

from mongoose_rs import MG_EV_CLOSE, MG_EV_HTTP_MSG, Manager


def parse_responses(buf):
    """Split complete Content-Length framed responses off ``buf``.
    Returns ([(status, headers, body)], rest)."""
    out = []
    while True:
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            return out, buf
        lines = buf[:end].split(b"\r\n")
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(b":")
            headers[k.strip().lower().decode()] = v.strip().decode()
        n = int(headers.get("content-length", "0"))
        if len(buf) < end + 4 + n:
            return out, buf
        out.append((int(lines[0].split(b" ")[1]), headers, buf[end + 4:end + 4 + n]))
        buf = buf[end + 4 + n:]


class Peer:
    """A raw keep-alive client socket read while the manager polls."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.setblocking(False)
        self.buf = b""
        self.eof = False

    def send(self, data):
        self.sock.sendall(data)

    def pump(self):
        while not self.eof:
            try:
                chunk = self.sock.recv(65536)
            except BlockingIOError:
                return
            if not chunk:
                self.eof = True
                return
            self.buf += chunk

    def response(self, mgr, timeout=5.0):
        got = []

        def ready():
            self.pump()
            rs, self.buf = parse_responses(self.buf)
            got.extend(rs)
            return bool(got) or self.eof

        poll_until(mgr, ready, timeout=timeout)
        assert got, "connection closed without a response"
        return got[0]

    def wait_eof(self, mgr, timeout=5.0):
        poll_until(mgr, lambda: self.pump() or self.eof, timeout=timeout)
        return self.buf


def slow_server(mgr, delay_ms=100):
    """/slow is answered ``delay_ms`` later by a timer; anything else at once."""
    state = {"msgs": []}

    def h(c, ev, data):
        if ev == MG_EV_HTTP_MSG:
            state["msgs"].append(data.uri)
            if data.uri == "/slow":
                def later():
                    try:
                        c.reply(200, b"slow\n", {})
                    except RuntimeError:
                        state["too_late"] = True
                mgr.timer_add(delay_ms, later)
            else:
                c.reply(200, b"fast\n", {})

    lsn = mgr.listen("http://127.0.0.1:0", h, http=True)
    return port_of(lsn), state


def test_shutdown_serves_in_flight_503s_later_requests_and_refuses_new(mgr):
    port, state = slow_server(mgr)
    busy, idle = Peer(port), Peer(port)
    idle.send(b"GET /fast HTTP/1.1\r\n\r\n")
    status, headers, body = idle.response(mgr)
    assert (status, body, "connection" in headers) == (200, b"fast\n", False)
    busy.send(b"GET /slow HTTP/1.1\r\n\r\n")
    poll_until(mgr, lambda: "/slow" in state["msgs"])

    mgr.shutdown(3000)
    assert not mgr.is_done
    idle.send(b"GET /later HTTP/1.1\r\n\r\n")
    status, headers, body = idle.response(mgr)
    assert (status, headers.get("connection"), body) == (503, "close", b"Server shutting down\n")
    assert idle.wait_eof(mgr) == b""

    status, headers, body = busy.response(mgr)
    assert (status, headers.get("connection"), body) == (200, "close", b"slow\n")
    assert busy.wait_eof(mgr) == b""

    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5)
    poll_until(mgr, lambda: mgr.is_done)
    assert "/later" not in state["msgs"]  # the library answered it, not the handler


def test_idle_connections_close_after_a_quiet_window(mgr):
    port, _ = slow_server(mgr)
    p = Peer(port)
    p.send(b"GET /fast HTTP/1.1\r\n\r\n")
    p.response(mgr)
    t0 = time.monotonic()
    mgr.shutdown(5000)
    assert p.wait_eof(mgr) == b""
    elapsed = time.monotonic() - t0
    assert 0.2 <= elapsed < 2.0
    poll_until(mgr, lambda: mgr.is_done)


def test_grace_period_end_closes_what_is_left(mgr):
    port, state = slow_server(mgr, delay_ms=60000)
    closed = []
    p = Peer(port)
    p.send(b"GET /slow HTTP/1.1\r\n\r\n")
    poll_until(mgr, lambda: "/slow" in state["msgs"])
    t0 = time.monotonic()
    mgr.shutdown(300)
    mgr._handler = lambda c, ev, d: ev == MG_EV_CLOSE and closed.append(c)
    assert p.wait_eof(mgr) == b""
    assert 0.25 <= time.monotonic() - t0 < 3.0
    poll_until(mgr, lambda: mgr.is_done)


def test_shutdown_can_only_shorten_the_grace_period(mgr):
    port, state = slow_server(mgr, delay_ms=60000)
    p = Peer(port)
    p.send(b"GET /slow HTTP/1.1\r\n\r\n")
    poll_until(mgr, lambda: "/slow" in state["msgs"])
    t0 = time.monotonic()
    mgr.shutdown(60000)
    mgr.shutdown(200)
    mgr.shutdown(60000)
    poll_until(mgr, lambda: mgr.is_done)
    assert time.monotonic() - t0 < 3.0


def test_is_done_after_close():
    m = Manager()
    assert not m.is_done
    m.close()
    assert m.is_done
    with pytest.raises(RuntimeError):
        m.shutdown(10)
    with pytest.raises(RuntimeError):
        m.shutdown_on_signals(10)


# -- shutdown_on_signals in a subprocess --------------------------------------------


def blocking_response(sock):
    buf = b""
    while True:
        rs, rest = parse_responses(buf)
        if rs:
            return rs[0]
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("EOF before a response")
        buf += chunk


def in_flight(port, path):
    """Send ``path`` on a new connection and make sure the server has read it:
    a probe request sent afterwards on another connection is answered (both
    sockets are readable in the same loop iteration)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(f"GET {path} HTTP/1.1\r\n\r\n".encode())
    probe = socket.create_connection(("127.0.0.1", port), timeout=10)
    probe.sendall(b"GET /probe HTTP/1.1\r\n\r\n")
    assert blocking_response(probe)[0] == 200
    probe.close()
    return s


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_shutdown_on_signals_finishes_in_flight_requests(sig):
    with ServerProcess("graceful_builtin.py") as srv:
        s = in_flight(srv.port, "/slow?ms=300")
        # SIGINT must not become a KeyboardInterrupt in Python: the C handler
        # owns SIGINT/SIGTERM after shutdown_on_signals().
        srv.signal(sig)
        buf = b""
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            buf += chunk
        rs, rest = parse_responses(buf)
        assert rest == b""
        assert [(st, h.get("connection"), b) for st, h, b in rs] == [(200, "close", b"slow ok\n")]
        assert srv.wait() == 0
        out = srv.rest_of_stdout()
        assert out[-1] == "served 2 requests, bye"
        assert "KeyboardInterrupt" not in srv.stderr()
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", srv.port), timeout=5)


def test_second_signal_ends_the_grace_period():
    with ServerProcess("graceful_builtin.py", 60000) as srv:
        s = in_flight(srv.port, "/slow?ms=60000")
        srv.signal(signal.SIGTERM)
        with pytest.raises(subprocess.TimeoutExpired):
            srv.wait(timeout=0.5)  # a 60 s grace period keeps it running
        t0 = time.monotonic()
        srv.signal(signal.SIGTERM)
        assert srv.wait(timeout=5) == 0
        assert time.monotonic() - t0 < 1.0
        assert s.recv(100) == b""  # closed without an answer
        s.close()


# -- the guide's "test shutdown under load" ------------------------------------------


class LoadClient:
    REQ = b"GET /load HTTP/1.1\r\nHost: x\r\n\r\n"

    def __init__(self, port, sel, stats):
        self.port, self.sel, self.stats = port, sel, stats
        self.sock = None
        self.buf = b""
        self.pending = 0
        self.done = False
        self.connect()

    def connect(self):
        t = time.monotonic()
        try:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        except (ConnectionRefusedError, ConnectionResetError):
            # ECONNRESET from connect(): the SYN met a listener being closed;
            # the connection never opened, i.e. refused.
            self.stats["refused"].append(t)
            self.done = True
            return
        try:
            s.sendall(self.REQ)
        except OSError:
            # The kernel completed the handshake in the instant between the
            # server's last accept and the listener's close, then reset it:
            # nothing was sent on it, so this is a refusal too.
            s.close()
            self.stats["refused"].append(t)
            self.done = True
            return
        self.stats["connected"].append(t)
        self.conn_no = getattr(self, "conn_no", -1) + 1
        s.setblocking(False)
        self.sock, self.buf = s, b""
        self.sel.register(s, selectors.EVENT_READ, self)
        self.pending += 1
        self.stats["sent"] += 1

    def send(self):
        try:
            self.sock.sendall(self.REQ)
        except OSError as e:  # broken before we could send: not "sent"
            self.stats["send_errors"].append(repr(e))
            self.close()
            return
        self.pending += 1
        self.stats["sent"] += 1

    def close(self):
        self.sel.unregister(self.sock)
        self.sock.close()
        self.sock = None

    def on_readable(self, now, signaled_at):
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            self.stats["resets"] += 1
            self.stats["reset_info"].append(("reset", self.conn_no, self.pending))
            self.stats["lost"] += self.pending
            self.close()
            self.done = True
            return
        if not chunk:
            if self.pending:
                self.stats["reset_info"].append(("eof", self.conn_no, self.pending))
            self.stats["lost"] += self.pending  # closed with a request outstanding
            self.stats["eofs"] += 1
            self.close()
            self.connect()
            return
        self.buf += chunk
        rs, self.buf = parse_responses(self.buf)
        for status, headers, body in rs:
            self.pending -= 1
            self.stats["answered"] += 1
            after = signaled_at is not None
            self.stats["statuses"].append((status, after))
            if status == 200:
                assert body == b"ok\n"
            if headers.get("connection") == "close":
                self.stats["close_headers"] += 1
                self.close()
                self.connect()  # refused once shutdown has begun
                return
            self.send()


def test_shutdown_under_load_loses_nothing():
    n_clients = 24
    with ServerProcess("graceful_builtin.py", 5000) as srv:
        sel = selectors.DefaultSelector()
        stats = {"sent": 0, "answered": 0, "lost": 0, "resets": 0, "eofs": 0, "close_headers": 0,
                 "statuses": [], "refused": [], "connected": [], "send_errors": [], "reset_info": []}
        clients = [LoadClient(srv.port, sel, stats) for _ in range(n_clients)]
        assert len(stats["connected"]) == n_clients
        signaled_at = None
        sent_before_signal = None
        deadline = time.monotonic() + 30
        while not all(c.done for c in clients) and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=1.0):
                key.data.on_readable(time.monotonic(), signaled_at)
            if signaled_at is None and stats["answered"] >= 1500:
                sent_before_signal = stats["sent"]
                signaled_at = time.monotonic()
                srv.signal(signal.SIGTERM)
        assert all(c.done for c in clients), ("clients still running at the deadline", stats["sent"],
                                              stats["answered"], signaled_at is not None)
        assert srv.wait(timeout=10) == 0
        out = srv.rest_of_stdout()

    statuses = stats["statuses"]
    print(f"load: sent={stats['sent']} before_signal={sent_before_signal} answered={stats['answered']} "
          f"503s={sum(1 for st, _ in statuses if st == 503)} close_headers={stats['close_headers']} "
          f"refused={len(stats['refused'])} eofs={stats['eofs']} resets={stats['reset_info']} send_errors={stats['send_errors']}")
    assert sent_before_signal >= 1500 + n_clients - 1
    # Zero lost: every request sent on an open connection was answered.
    # (reset_info: (kind, n-th connection of that client, requests pending);
    # n >= 1 means a reconnect that the kernel completed just before the
    # listener closed, then reset.)
    assert stats["lost"] == 0 and stats["resets"] == 0 and not stats["send_errors"], stats["reset_info"]
    assert stats["answered"] == stats["sent"]
    assert all(st == 200 or (st == 503 and after) for st, after in statuses), set(statuses)
    # Every connection that opened was told to close (a reconnect that the
    # kernel completed before the listener closed is answered 503 + close),
    # each client ended on a refused connect, and nothing was accepted after
    # the first refusal.
    assert stats["close_headers"] == len(stats["connected"])
    assert len(stats["refused"]) == n_clients
    first_refusal = min(stats["refused"])
    assert not [t for t in stats["connected"] if t > first_refusal], "accepted after a refusal"
    served_200 = sum(1 for st, _ in statuses if st == 200)
    assert out[-1] == f"served {served_200} requests, bye"
