"""The Graceful Shutdown Guide's patterns, run as written (python/examples/)
in subprocesses and driven with stdlib HTTP clients."""
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from conftest import EXAMPLES, ServerProcess, example_env, read_response, recv_until_closed


def get(port, path="/", timeout=5):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
        return r.status, r.read()


@pytest.mark.parametrize("poll_ms", [100, 5000])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_handlers_stop_the_server_within_100ms(sig, poll_ms):
    with ServerProcess("basic_server.py", poll_ms) as srv:
        assert srv.readline() == "Press Ctrl+C to stop"
        assert get(srv.port) == (200, b"Hello from mongoose_rs!\n")
        t0 = time.monotonic()
        srv.signal(sig)
        srv.wait_for_line("^Server stopped cleanly$", timeout=10)
        elapsed = time.monotonic() - t0
        assert srv.wait() == 0
        assert srv.lines[-2:] == ["Shutting down...", "Server stopped cleanly"]
        assert elapsed < 0.1, f"stopped {elapsed * 1000:.0f} ms after the signal (poll({poll_ms}))"


def test_examples_run_without_pythonpath(tmp_path):
    env = example_env()
    env.pop("PYTHONPATH")
    proc = subprocess.Popen(
        [sys.executable, str(EXAMPLES / "basic_server.py"), "http://127.0.0.1:0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path, text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("Server running on http://127.0.0.1:"), proc.stderr.read() if not line else line
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_reply_then_drain():
    with ServerProcess("drain_reply.py") as srv:
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        s.sendall(b"GET / HTTP/1.1\r\n\r\n")
        data = recv_until_closed(s)  # the whole response, then the server closes
        s.close()
        assert data == b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 8          \r\n\r\nGoodbye!"
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
        c.request("GET", "/again")
        r = c.getresponse()
        assert (r.status, r.read()) == (200, b"Goodbye!")
        srv.signal(signal.SIGTERM)
        assert srv.wait() == 0


def test_503_to_active_connections_on_shutdown():
    with ServerProcess("close_active.py") as srv:
        socks = []
        for i in range(3):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
            s.sendall(b"GET /x HTTP/1.1\r\n\r\n")
            status, _, body, _, rest = read_response(s)
            assert (status, body, rest) == (200, b"OK\n", b"")
            socks.append(s)
        idle = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        socks.append(idle)
        # The server has accepted all four once it answers a fifth request.
        probe = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
        probe.request("GET", "/probe")
        assert probe.getresponse().read() == b"OK\n"
        t0 = time.monotonic()
        srv.signal(signal.SIGTERM)
        for s in socks:
            data = recv_until_closed(s)
            assert data == (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                            b"Content-Length: 20         \r\n\r\nServer shutting down")
            s.close()
        assert srv.wait() == 0
        assert time.monotonic() - t0 < 1.0
        out = srv.rest_of_stdout()
        assert "Closing 5 active connections..." in out
        assert out[-2:] == ["0 connections left", "Server stopped cleanly"]
        probe.close()


def test_worker_threads_with_poison_pills_and_wakeup():
    with ServerProcess("workers.py") as srv:
        results = []

        def client(k):
            c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
            for i in range(10):
                c.request("GET", f"/job/{k}/{i}")
                r = c.getresponse()
                results.append((r.status, r.read().decode(), f"/JOB/{k}/{i}"))
            c.close()

        threads = [threading.Thread(target=client, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(results) == 40
        for status, body, want in results:
            assert status == 200 and body.startswith("worker-") and body.endswith(": " + want)
        t0 = time.monotonic()
        srv.signal(signal.SIGTERM)
        assert srv.wait() == 0
        assert time.monotonic() - t0 < 1.0
        out = srv.rest_of_stdout()
        assert out[-3:] == ["Waiting for workers...", "Workers stopped: 4/4", "Server stopped cleanly"]


def test_repeat_timers_and_cancel_and_close():
    with ServerProcess("timers.py", 30) as srv:
        srv.wait_for_line("^tick 3$")
        if "once" not in srv.lines:
            srv.wait_for_line("^once$")
        status, body = get(srv.port, "/ticks")
        assert status == 200 and int(body) >= 3
        assert get(srv.port, "/stop") == (200, b"cancelled=True\n")
        assert get(srv.port, "/stop") == (200, b"cancelled=False\n")
        n = int(get(srv.port, "/ticks")[1])
        srv.signal(signal.SIGINT)
        assert srv.wait() == 0
        out = srv.rest_of_stdout()
        ticks = [int(x.split()[1]) for x in out if x.startswith("tick ")]
        assert ticks == list(range(1, n + 1))  # nothing after the cancel
        assert out.count("once") == 1
        assert out[-1] == "Server stopped cleanly, timer active=False"


def test_repeat_timers_freed_by_close_on_shutdown():
    with ServerProcess("timers.py", 20) as srv:
        srv.wait_for_line("^tick 2$")
        srv.signal(signal.SIGTERM)
        assert srv.wait() == 0
        assert srv.rest_of_stdout()[-1] == "Server stopped cleanly, timer active=False"


def test_request_timeout_timer_sends_408():
    with ServerProcess("request_timeout.py", 0.3, 50) as srv:
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
        c.request("GET", "/fast")
        r = c.getresponse()
        assert (r.status, r.read()) == (200, b"fast\n")
        t0 = time.monotonic()
        c.request("GET", "/slow")  # same keep-alive connection
        r = c.getresponse()
        elapsed = time.monotonic() - t0
        assert (r.status, r.read()) == (408, b"Request Timeout")
        assert 0.3 <= elapsed < 3.0
        # drained: the server closed the connection after the 408
        assert c.sock is None or c.sock.recv(1) == b""
        c.close()
        assert get(srv.port, "/fast") == (200, b"fast\n")
        srv.signal(signal.SIGTERM)
        assert srv.wait() == 0


_ = os
