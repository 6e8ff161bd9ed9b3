"""Memory stays flat across 100k requests served in-process through the
binding: connection wrappers, handler references and timer callbacks are
released (MG_EV_CLOSE / timer end), nothing accumulates per request."""
import gc
import os
import socket
import time

from conftest import port_of

from mongoose_rs import MG_EV_CLOSE, MG_EV_HTTP_MSG, Manager

PAGE = os.sysconf("SC_PAGE_SIZE")
BATCH = 50  # pipelined requests per write
PER_CONN = 100  # requests per connection, then a new connection
CLIENTS = 4
REQUEST = b"GET /mem?x=1 HTTP/1.1\r\nHost: t\r\n\r\n"


def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


class Client:
    def __init__(self, port, want_len):
        self.port, self.want_len = port, want_len
        self.sock = None
        self.done = 0

    def open(self):
        self.sock = socket.create_connection(("127.0.0.1", self.port))
        self.sock.setblocking(False)
        self.on_conn = 0
        self.buf = 0
        self.outstanding = 0

    def step(self, budget):
        """Send a batch if idle; consume responses. Returns requests done."""
        if self.sock is None:
            self.open()
        if self.outstanding == 0 and budget > 0:
            n = min(BATCH, budget, PER_CONN - self.on_conn)
            self.sock.sendall(REQUEST * n)
            self.outstanding = n
            self.expect = n * self.want_len
        try:
            while self.buf < self.expect:
                chunk = self.sock.recv(1 << 20)
                if not chunk:
                    raise ConnectionError("server closed the connection")
                self.buf += len(chunk)
        except BlockingIOError:
            return 0
        n, self.outstanding, self.buf = self.outstanding, 0, 0
        self.on_conn += n
        if self.on_conn >= PER_CONN:
            self.sock.close()
            self.sock = None
        return n


def test_memory_is_flat_across_100k_requests():
    counters = {"msgs": 0, "closes": 0, "timers": 0}

    def handler(conn, ev, data):
        if ev == MG_EV_HTTP_MSG:
            counters["msgs"] += 1
            conn.userdata = data.uri  # per-connection Python state
            conn.reply(200, b"ok", headers={"X-Q": data.query_var("x") or ""})
            if counters["msgs"] % 100 == 0:  # a one-shot timer every 100 requests
                m.timer_add(1, lambda: counters.__setitem__("timers", counters["timers"] + 1))
        elif ev == MG_EV_CLOSE:
            counters["closes"] += 1

    m = Manager()
    try:
        lsn = m.listen("http://127.0.0.1:0", handler, http=True)
        port = port_of(lsn)
        want_len = len(b"HTTP/1.1 200 OK\r\nX-Q: 1\r\nContent-Length: 2          \r\n\r\nok")

        def serve(total):
            clients = [Client(port, want_len) for _ in range(CLIENTS)]
            done = 0
            deadline = time.monotonic() + 60
            while done < total:
                assert time.monotonic() < deadline, f"only {done}/{total} requests served"
                m.poll(1)
                for c in clients:
                    done += c.step(total - done)
            for c in clients:
                if c.sock is not None:
                    c.sock.close()
            end = time.monotonic() + 5
            while len(m._conns) > 1 and time.monotonic() < end:
                m.poll(1)
            return done

        serve(20000)  # warm up: allocator pools, caches
        gc.collect()
        before = rss()
        t0 = time.monotonic()
        served = serve(100000)
        elapsed = time.monotonic() - t0
        gc.collect()
        after = rss()

        assert served == 100000
        assert counters["msgs"] == 120000
        # every per-connection object was released at MG_EV_CLOSE
        assert len(m._conns) == 1 and len(m._owners) == 1 and len(m._owner_tokens) == 1
        assert counters["closes"] == 120000 // PER_CONN
        m.poll(5)
        assert m._timers == {} and counters["timers"] == 1200
        growth = after - before
        print(f"100k requests in {elapsed:.1f}s, RSS {before >> 10} KiB -> {after >> 10} KiB ({growth >> 10:+d} KiB)")
        assert growth < 2 * 1024 * 1024, f"RSS grew by {growth >> 10} KiB over 100k requests"
    finally:
        m.close()
