"""HTTP over real sockets with stdlib clients (issue 4, item 8), against
both the C example server (c-examples/http-server, built with make) and the
same server written with the ctypes binding (python/examples/http_server.py):
exact reply bytes, keep-alive reuse, pipelining, chunked request bodies,
400 on malformed requests, HTTP/1.0, Connection: close, large bodies,
graceful SIGTERM."""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from conftest import EXAMPLES, REPO, ServerProcess, library_path, read_response, recv_until_closed

C_EXAMPLE = REPO / "c-examples" / "http-server"


@pytest.fixture(scope="module")
def c_binary():
    if shutil.which("make") is None or shutil.which("cc") is None:
        pytest.skip("make and cc are needed to build the C example")
    libdir = os.path.dirname(library_path())
    r = subprocess.run(["make", "-s", "-C", str(C_EXAMPLE), f"LIBDIR={libdir}", "-B", "example"],
                       capture_output=True, text=True)
    assert r.returncode == 0, f"building c-examples/http-server failed:\n{r.stdout}{r.stderr}"
    return C_EXAMPLE / "example"


@pytest.fixture(params=["c-example", "ctypes"])
def server(request):
    if request.param == "c-example":
        binary = request.getfixturevalue("c_binary")
        srv = ServerProcess("c-examples/http-server", cmd=[str(binary), "http://127.0.0.1:0"])
    else:
        srv = ServerProcess("http_server.py")
    with srv:
        yield srv


def exchange(port, data, until_close=False):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(data)
    out = recv_until_closed(s) if until_close else read_response(s)[3]
    s.close()
    return out


def hello_bytes():
    body = b"Hello from mongoose-rs!\n"
    return (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 24         \r\n\r\n" + body)


def test_exact_reply_bytes(server):
    assert exchange(server.port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n") == hello_bytes()
    assert exchange(server.port, b"GET /nope HTTP/1.1\r\n\r\n") == (
        b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 10         \r\n\r\nNot found\n")
    assert exchange(server.port, b"POST /api/echo HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc") == (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 3          \r\n\r\nabc")


def test_urllib_json_and_404(server):
    with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/api/hello", timeout=10) as r:
        assert r.status == 200 and r.headers["Content-Type"] == "application/json"
        doc = json.loads(r.read())
    assert doc["hello"] == "world" and doc["uri"] == "/api/hello" and doc["n"] >= 1
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(f"http://127.0.0.1:{server.port}/missing", timeout=10)
    assert e.value.code == 404 and e.value.read() == b"Not found\n"


def test_keep_alive_reuse(server):
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    c.request("GET", "/")
    c.getresponse().read()
    sock, local = c.sock, c.sock.getsockname()
    ns = []
    for _ in range(20):
        c.request("GET", "/api/hello")
        r = c.getresponse()
        ns.append(json.loads(r.read())["n"])
        assert c.sock is sock and c.sock.getsockname() == local  # same connection
    assert ns == list(range(ns[0], ns[0] + 20))
    c.close()


def test_pipelining_100_requests_in_one_write(server):
    reqs = b"".join(b"POST /api/echo HTTP/1.1\r\nContent-Length: %d\r\n\r\nreq-%d" % (len(b"req-%d" % i), i)
                    for i in range(100))
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    s.sendall(reqs)
    buf = b""
    for i in range(100):
        status, _, body, _, buf = read_response(s, buf)
        assert (status, body) == (200, b"req-%d" % i)
    assert buf == b""
    s.close()


def test_chunked_request_bodies(server):
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    parts = [b"alpha-", b"", b"beta-" * 1000, b"gamma"]
    c.request("POST", "/api/echo", body=iter(parts), encode_chunked=True)
    r = c.getresponse()
    assert (r.status, r.read()) == (200, b"".join(parts))
    c.close()
    # split byte by byte across writes
    raw = b"POST /api/echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\na\r\n0123456789\r\n0\r\n\r\n"
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for b in raw:
        s.sendall(bytes([b]))
    status, _, body, _, _ = read_response(s)
    assert (status, body) == (200, b"abc0123456789")
    s.close()


@pytest.mark.parametrize("bad", [
    b"GET / FOO\r\n\r\n",
    b"GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
    b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
    b"POST /api/echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
    b"POST /api/echo HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
], ids=["request-line", "bad-length", "two-lengths", "bad-chunk", "bad-transfer-encoding"])
def test_400_on_malformed_request_then_close(server, bad):
    got = exchange(server.port, bad, until_close=True)
    assert got == b"HTTP/1.1 400 Bad Request\r\nContent-Length: 12         \r\n\r\nBad Request\n"
    # the server keeps serving others
    assert exchange(server.port, b"GET / HTTP/1.1\r\n\r\n") == hello_bytes()


def test_http_1_0_keeps_the_connection(server):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    status, headers, _, raw, buf = read_response(s)
    assert raw.startswith(b"HTTP/1.1 200 OK\r\n") and "connection" not in headers
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    assert read_response(s, buf)[3] == hello_bytes()
    s.close()


def test_connection_close_is_honoured(server):
    got = exchange(server.port, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", until_close=True)
    assert got == hello_bytes()


def test_one_megabyte_body(server):
    body = bytes(range(256)) * 4096
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    c.request("POST", "/api/echo", body=body)
    r = c.getresponse()
    assert r.status == 200 and r.read() == body
    c.close()


def test_sigterm_stops_gracefully(server):
    assert exchange(server.port, b"GET / HTTP/1.1\r\n\r\n") == hello_bytes()
    server.signal(signal.SIGTERM)
    assert server.wait(timeout=10) == 0
    out = server.rest_of_stdout()
    assert out[-1].startswith("served ") and out[-1].endswith(" requests, bye")


_ = (sys, EXAMPLES)
