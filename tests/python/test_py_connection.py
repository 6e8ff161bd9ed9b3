"""mongoose_rs.Connection: properties, raw TCP/UDP, HTTP replies (exact
bytes), static files, chunked/SSE streaming, basic auth, error/drain/close,
behaviour after MG_EV_CLOSE, protocols the library does not have yet."""
import http.client
import socket
import time
import urllib.error
import urllib.request

import pytest

from conftest import Bg, poll_until, port_of, read_response, recv_until_closed, serve_while

import mongoose_rs
from mongoose_rs import (
    MG_EV_ACCEPT,
    MG_EV_CLOSE,
    MG_EV_CONNECT,
    MG_EV_ERROR,
    MG_EV_HTTP_MSG,
    MG_EV_OPEN,
    MG_EV_POLL,
    MG_EV_READ,
    MG_EV_WRITE,
    Manager,
)
from mongoose_rs import _lib as L


def http_server(mgr, handler):
    lsn = mgr.listen("http://127.0.0.1:0", handler, http=True)
    return port_of(lsn)


def raw_exchange(mgr, port, request, until_close=True):
    """Send raw bytes, return everything received until EOF (or one response)."""

    def client():
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(request)
        if until_close:
            data = recv_until_closed(s)
        else:
            data = read_response(s)[3]
        s.close()
        return data

    return serve_while(mgr, client)


# -- properties -------------------------------------------------------------------


def test_properties_of_an_accepted_http_connection(mgr):
    seen = {}

    def h(c, ev, data):
        if ev == MG_EV_ACCEPT:
            seen["accept"] = (c.id, c.is_listening, c.is_client, c.is_accepted, c.is_udp, c.is_tls,
                              c.is_websocket, c.local_addr, c.remote_addr)
            c.userdata = {"n": 0}
        elif ev == MG_EV_READ:
            seen["readable"] = c.is_readable
        elif ev == MG_EV_HTTP_MSG:
            c.userdata["n"] += 1
            seen["msg"] = (c.recv_len, c.send_len, c.recv_size, c.send_size, c.is_resp, c.is_full,
                           c.is_draining, c.is_closing, c.handler is h, repr(c))
            c.reply(200, b"ok")
            seen["after_reply"] = (c.send_len, c.is_resp, c.send_data())
        elif ev == MG_EV_WRITE:
            seen["writable"] = c.is_writable
        elif ev == MG_EV_CLOSE:
            seen["close"] = c.userdata

    port = http_server(mgr, h)

    def client():
        s = socket.create_connection(("127.0.0.1", port))
        me = s.getsockname()
        s.sendall(b"GET /a HTTP/1.1\r\n\r\n")
        read_response(s)
        s.close()
        return me

    me = serve_while(mgr, client)
    poll_until(mgr, lambda: "close" in seen)
    cid, listening, client_, accepted, udp, tls, ws, loc, rem = seen["accept"]
    assert cid > 1 and not listening and not client_ and accepted and not udp and not tls and not ws
    assert loc == ("127.0.0.1", port, False)
    assert rem == (me[0], me[1], False)
    recv_len, send_len, recv_size, send_size, is_resp, full, draining, closing, own, r = seen["msg"]
    assert recv_len == 19 and send_len == 0 and recv_size >= 19 and is_resp
    assert not full and not draining and not closing and own
    assert r == f"<Connection id={cid} readable=True writable=False>"
    assert seen["after_reply"][0] > 0 and seen["after_reply"][1] is False
    assert seen["after_reply"][2].startswith(b"HTTP/1.1 200 OK\r\n")
    assert seen["readable"] is True and seen["writable"] is True
    assert seen["close"] == {"n": 1}


def test_keep_alive_reuses_one_accepted_connection(mgr):
    accepts = []

    def h(c, ev, data):
        if ev == MG_EV_ACCEPT:
            accepts.append(c.id)
        elif ev == MG_EV_HTTP_MSG:
            c.reply(200, data.uri)

    port = http_server(mgr, h)

    def client():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        out = []
        for i in range(10):
            c.request("GET", f"/r{i}")
            out.append(c.getresponse().read())
        c.close()
        return out

    assert serve_while(mgr, client) == [f"/r{i}".encode() for i in range(10)]
    assert len(accepts) == 1


# -- raw TCP and UDP ----------------------------------------------------------------


def test_raw_tcp_echo_pattern(mgr):
    state = {}

    def h(c, ev, data):
        if ev == MG_EV_READ:
            state["first3"] = c.recv_data(3)
            state["all"] = c.recv_data()
            state["len"] = c.recv_len
            c.send(c.recv_data())
            state["queued"] = c.send_data()
            state["queued2"] = c.send_data(2)

    lsn = mgr.listen("tcp://127.0.0.1:0", h)

    def client():
        s = socket.create_connection(("127.0.0.1", port_of(lsn)), timeout=5)
        s.sendall(b"hello")
        data = b""
        while len(data) < 5:
            data += s.recv(100)
        s.close()
        return data

    assert serve_while(mgr, client) == b"hello"
    assert state == {"first3": b"hel", "all": b"hello", "len": 5, "queued": b"hello", "queued2": b"he"}


def test_send_accepts_str_and_bytes_like(mgr):
    def h(c, ev, data):
        if ev == MG_EV_ACCEPT:
            c.send("é-")
            c.send(bytearray(b"ba-"))
            c.send(memoryview(b"mv"))
            c.send(b"")
            c.drain()

    lsn = mgr.listen("tcp://127.0.0.1:0", h)

    def client():
        return recv_until_closed(socket.create_connection(("127.0.0.1", port_of(lsn))))

    assert serve_while(mgr, client) == "é-".encode() + b"ba-mv"


def test_udp_reply_goes_to_the_last_sender(mgr):
    def h(c, ev, data):
        if ev == MG_EV_READ:
            assert c.is_udp
            c.send(b"pong:" + c.recv_data())

    lsn = mgr.listen("udp://127.0.0.1:0", h)
    assert lsn.is_udp and lsn.is_listening

    def client():
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(5)
        s.sendto(b"ping", ("127.0.0.1", port_of(lsn)))
        data = s.recvfrom(100)[0]
        s.close()
        return data

    assert serve_while(mgr, client) == b"pong:ping"


def test_resolve_and_resolve_cancel_on_a_udp_client(mgr):
    a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for s in (a, b):
        s.bind(("127.0.0.1", 0))
        s.settimeout(5)
    events = []
    c = mgr.connect(f"udp://127.0.0.1:{a.getsockname()[1]}", lambda c, ev, d: ev != MG_EV_POLL and events.append(ev))
    assert c.is_udp and c.is_client and MG_EV_CONNECT in events
    c.send(b"to-a")
    assert a.recvfrom(100)[0] == b"to-a"
    c.resolve_cancel()  # nothing pending: no effect
    c.resolve(f"udp://127.0.0.1:{b.getsockname()[1]}")
    poll_until(mgr, lambda: c.remote_addr[1] == b.getsockname()[1])
    c.send(b"to-b")
    assert b.recvfrom(100)[0] == b"to-b"
    a.close()
    b.close()


# -- HTTP replies -------------------------------------------------------------------


def test_reply_exact_bytes(mgr):
    def h(c, ev, data):
        if ev == MG_EV_HTTP_MSG:
            u = data.uri
            if u == "/default":
                c.reply(200, "hi\n")
            elif u == "/dict":
                c.reply(201, b"{}", headers={"Content-Type": "application/json", "X-A": 1})
            elif u == "/none":
                c.reply(404, headers={})
            elif u == "/binary":
                c.reply(200, b"a\x00b\xffc", headers={})
            elif u == "/unknown":
                c.reply(299, b"x", {})
            elif u == "/big":
                c.reply(200, b"z" * 19999, {})

    port = http_server(mgr, h)
    cl = "Content-Length: "
    cases = {
        "/default": f"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n{cl}3          \r\n\r\nhi\n".encode(),
        "/dict": f"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-A: 1\r\n{cl}2          \r\n\r\n{{}}".encode(),
        "/none": f"HTTP/1.1 404 Not Found\r\n{cl}0          \r\n\r\n".encode(),
        "/binary": f"HTTP/1.1 200 OK\r\n{cl}5          \r\n\r\n".encode() + b"a\x00b\xffc",
        "/unknown": f"HTTP/1.1 299 \r\n{cl}1          \r\n\r\nx".encode(),
        "/big": f"HTTP/1.1 200 OK\r\n{cl}19999      \r\n\r\n".encode() + b"z" * 19999,
    }
    for path, want in cases.items():
        got = raw_exchange(mgr, port, f"GET {path} HTTP/1.1\r\n\r\n".encode(), until_close=False)
        assert got == want, path


def test_reply_header_dict_reused_and_mutated(mgr):
    # The rendered header block is memoised by content: a dict mutated
    # between calls, keys that compare equal but print differently (1, True)
    # and unhashable values must still render exactly what they hold now.
    shared = {"X-A": "1"}

    def h(c, ev, data):
        if ev == MG_EV_HTTP_MSG:
            u = data.uri
            if u == "/mutate":
                shared["X-A"] = "2"
                shared["X-B"] = "3"
                c.reply(200, b"", shared)
            elif u == "/int":
                c.reply(200, b"", {1: "a"})
            elif u == "/bool":
                c.reply(200, b"", {True: "a"})
            elif u == "/list":
                c.reply(200, b"", {"X-L": [1, 2]})
            else:
                c.reply(200, b"", shared)

    port = http_server(mgr, h)
    cl = "Content-Length: 0          \r\n\r\n"
    cases = [
        ("/first", "X-A: 1\r\n"),
        ("/mutate", "X-A: 2\r\nX-B: 3\r\n"),
        ("/again", "X-A: 2\r\nX-B: 3\r\n"),
        ("/int", "1: a\r\n"),
        ("/bool", "True: a\r\n"),
        ("/int", "1: a\r\n"),
        ("/list", "X-L: [1, 2]\r\n"),
    ]
    for path, hdrs in cases:
        got = raw_exchange(mgr, port, f"GET {path} HTTP/1.1\r\n\r\n".encode(), until_close=False)
        assert got == f"HTTP/1.1 200 OK\r\n{hdrs}{cl}".encode(), path


def test_chunked_streaming_and_sse(mgr):
    def h(c, ev, data):
        if ev == MG_EV_HTTP_MSG:
            if data.uri == "/sse":
                c.reply(200, "", headers={"Content-Type": "text/event-stream", "Transfer-Encoding": "chunked"})
                c.http_sse("tick", "1")
                c.http_sse("tick", b"2")
                c.http_chunk("")
            else:
                c.reply(200, "", headers={"Transfer-Encoding": "chunked"})
                c.http_chunk("hello ")
                c.http_chunk(b"world")
                c.http_chunk(b"")
                c.drain()

    port = http_server(mgr, h)
    raw = raw_exchange(mgr, port, b"GET /c HTTP/1.1\r\n\r\n")
    assert raw == (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 0          \r\n\r\n"
                   b"6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n")

    def client():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", "/sse")
        r = c.getresponse()
        body = r.read()
        c.close()
        return r.getheader("Content-Type"), body

    ctype, body = serve_while(mgr, client)
    assert ctype == "text/event-stream"
    assert body == b"event: tick\ndata: 1\n\nevent: tick\ndata: 2\n\n"


def test_serve_dir_and_serve_file(mgr, tmp_path):
    www = tmp_path / "www"
    (www / "static").mkdir(parents=True)
    (www / "static" / "a.txt").write_bytes(b"AAA")
    (www / "static" / "d.json").write_bytes(b"{}")
    (tmp_path / "404.html").write_bytes(b"custom 404")
    (tmp_path / "file.bin").write_bytes(b"\x00\x01")
    errors = []

    def h(c, ev, data):
        if ev == MG_EV_HTTP_MSG:
            if data.uri.startswith("/static/"):
                c.serve_dir(data, str(www), extra_headers="X-Extra: 1\r\n", mime_types="json=text/x-custom",
                            page404=str(tmp_path / "404.html"))
            elif data.uri == "/file":
                c.serve_file(data, str(tmp_path / "file.bin"), extra_headers="X-F: 2\r\n")
            elif data.uri == "/missing":
                c.serve_file(data, str(tmp_path / "nope"))
            elif data.uri == "/bad":
                for bad in (None, "not a message", mongoose_rs.HttpMessage()):
                    try:
                        c.serve_dir(bad, str(www))
                    except ValueError as e:
                        errors.append(str(e))
                c.reply(200, b"checked")

    port = http_server(mgr, h)

    def client():
        out = {}
        for path in ["/static/a.txt", "/static/d.json", "/static/zzz", "/file", "/missing", "/bad"]:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", path)
            r = c.getresponse()
            out[path] = (r.status, dict(r.getheaders()), r.read())
            c.close()
        return out

    out = serve_while(mgr, client)
    st, hd, body = out["/static/a.txt"]
    assert (st, body, hd["X-Extra"], hd["Content-Type"]) == (200, b"AAA", "1", "text/plain; charset=utf-8")
    assert out["/static/d.json"][1]["Content-Type"] == "text/x-custom"
    assert out["/static/zzz"][0] == 200 and out["/static/zzz"][2] == b"custom 404"
    st, hd, body = out["/file"]
    assert (st, body, hd["X-F"]) == (200, b"\x00\x01", "2")
    assert out["/missing"][0] == 404 and out["/missing"][2] == b"Not found\n"
    assert out["/bad"][:1] == (200,) and len(errors) == 3


def test_http_client_connection_with_basic_auth(mgr):
    seen = {}

    def server(c, ev, data):
        if ev == MG_EV_HTTP_MSG:
            seen["auth"] = data.header("Authorization")
            c.reply(200, b"secret", headers={"X-Who": "me"})

    port = http_server(mgr, server)

    def client(c, ev, data):
        if ev == MG_EV_CONNECT:
            c.send(f"GET /private HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n")
            c.http_basic_auth("user", "pass")
            seen["queued"] = c.send_data()
            c.send("\r\n")
        elif ev == MG_EV_HTTP_MSG:
            seen["resp"] = (data.status(), data.body_bytes, data.header("x-who"), data.proto)
            c.drain()
        elif ev == MG_EV_CLOSE:
            seen["closed"] = True

    c = mgr.connect(f"http://127.0.0.1:{port}", client, http=True)
    assert c.is_client
    poll_until(mgr, lambda: seen.get("closed"))
    assert seen["auth"] == "Basic dXNlcjpwYXNz"
    assert seen["queued"].endswith(b"Authorization: Basic dXNlcjpwYXNz\r\n")
    # a response line parses as method/uri/proto = "HTTP/1.1"/"200"/"OK" (Mongoose)
    assert seen["resp"] == (200, b"secret", "me", "OK")


# -- error, drain, close --------------------------------------------------------------


def test_error_fires_error_event_with_the_message_then_closes(mgr):
    events = []

    def h(c, ev, data):
        if ev in (MG_EV_ERROR, MG_EV_CLOSE):
            events.append((ev, data))
        if ev == MG_EV_HTTP_MSG:
            c.error("bad %s request 100%")  # never a format string

    port = http_server(mgr, h)
    assert raw_exchange(mgr, port, b"GET / HTTP/1.1\r\n\r\n") == b""
    poll_until(mgr, lambda: (MG_EV_CLOSE, None) in events)
    assert events == [(MG_EV_ERROR, "bad %s request 100%"), (MG_EV_CLOSE, None)]


def slow_reader(port, request, half_close=False):
    """A client with an 8 KB receive buffer that reads slowly at first, so
    the server's socket fills and a big response leaves in many writes.
    Returns every byte read before EOF."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    s.settimeout(30)
    s.connect(("127.0.0.1", port))
    s.sendall(request)
    if half_close:
        s.shutdown(socket.SHUT_WR)
    out = bytearray()
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        out += chunk
        if len(out) < 512 * 1024:
            time.sleep(0.001)
    s.close()
    return bytes(out)


def test_drain_flushes_then_closes(mgr):
    # Megabytes to a slow reader: the reply cannot leave in one send, so a
    # drain that closed before the buffer is flushed would cut the body.
    body = bytes(i * 7 % 251 for i in range(4 * 1024 * 1024 + 3))
    flags = []

    def h(c, ev, data):
        if ev == MG_EV_HTTP_MSG:
            c.reply(200, body, headers={})
            c.drain()
            flags.append((c.is_draining, c.is_closing, c.send_len > len(body)))

    port = http_server(mgr, h)
    # No Connection: close: only the drain ends the connection, so the EOF
    # proves the close came after the last byte.
    got = serve_while(mgr, slow_reader, port, b"GET / HTTP/1.1\r\n\r\n", timeout=60)
    head, _, rest = got.partition(b"\r\n\r\n")
    assert head == b"HTTP/1.1 200 OK\r\nContent-Length: %-11d" % len(body)
    assert len(rest) == len(body)
    assert rest == body
    assert flags == [(True, False, True)]


def test_close_is_immediate_and_detaches(mgr):
    order = []
    holder = {}

    def h(c, ev, data):
        if ev == MG_EV_HTTP_MSG:
            holder["c"] = c
            c.reply(200, b"never sent")
            order.append("before close")
            c.close()
            order.append("after close")
        elif ev == MG_EV_CLOSE:
            order.append("CLOSE")

    port = http_server(mgr, h)
    assert raw_exchange(mgr, port, b"GET / HTTP/1.1\r\n\r\n") == b""
    assert order == ["before close", "CLOSE", "after close"]
    c = holder["c"]
    assert c.id == 0 and c.is_closing and not c.is_readable and c.recv_len == 0
    assert c.local_addr is None and c.remote_addr is None
    assert repr(c) == "<Connection closed>"


def test_methods_raise_and_properties_default_after_close(mgr):
    holder = {}

    def h(c, ev, data):
        if ev == MG_EV_ACCEPT:
            holder["c"] = c
            c.drain()

    lsn = mgr.listen("tcp://127.0.0.1:0", h)
    s = socket.create_connection(("127.0.0.1", port_of(lsn)))
    poll_until(mgr, lambda: "c" in holder and holder["c"].id == 0)
    s.close()
    c = holder["c"]
    assert (c.id, c.is_closing, c.is_draining, c.is_listening, c.is_client, c.is_tls, c.is_udp,
            c.is_websocket, c.is_readable, c.is_writable, c.is_full) == (0, True) + (False,) * 9
    assert (c.recv_len, c.send_len, c.recv_size, c.send_size) == (0, 0, 0, 0)
    msg = "^Connection has been closed$"
    calls = [
        lambda: c.send(b"x"), lambda: c.reply(200), lambda: c.recv_data(), lambda: c.send_data(),
        lambda: c.serve_dir(None, "."), lambda: c.serve_file(None, "x"), lambda: c.http_chunk(b"x"),
        lambda: c.http_sse("a", "b"), lambda: c.http_basic_auth("u", "p"), lambda: c.error("e"),
        lambda: c.resolve("tcp://127.0.0.1:1"), lambda: c.resolve_cancel(), lambda: c.drain(), lambda: c.close(),
    ]
    for f in calls:
        with pytest.raises(RuntimeError, match=msg):
            f()
    c.set_handler(None)  # still allowed
    c.userdata = 1
    assert c.userdata == 1


def test_views_are_invalid_after_the_callback(mgr):
    kept = []

    def h(c, ev, data):
        if ev == MG_EV_HTTP_MSG:
            kept.append(data)
            assert data and data.method == "GET"
            c.reply(200, b"")

    port = http_server(mgr, h)
    raw_exchange(mgr, port, b"GET /x?a=1 HTTP/1.1\r\nH: v\r\n\r\n", until_close=False)
    hm = kept[0]
    assert not hm
    assert (hm.method, hm.uri, hm.query, hm.body_bytes, hm.headers(), hm.header("H"), hm.query_var("a"),
            hm.status()) == ("", "", "", b"", [], None, None, None)
    assert repr(hm) == "<HttpMessage invalid>"


# -- a library without a protocol: clear NotImplementedError -------------------------
# This library exports every one of these now (asserted below; the behaviour
# is tested in test_py_mqtt.py and test_py_tls.py). The binding still runs
# against an older or trimmed libmongoose, so its NotImplementedError path is
# checked by hiding the symbol, as if the library did not export it.


@pytest.mark.parametrize(
    "symbol,call",
    [
        ("mg_mqtt_pub", lambda c, hm: c.mqtt_pub("t", "m")),
        ("mg_mqtt_sub", lambda c, hm: c.mqtt_sub("t")),
        ("mg_mqtt_ping", lambda c, hm: c.mqtt_ping()),
        ("mg_mqtt_pong", lambda c, hm: c.mqtt_pong()),
        ("mg_mqtt_disconnect", lambda c, hm: c.mqtt_disconnect()),
        ("mg_sntp_request", lambda c, hm: c.sntp_request()),
        ("mg_tls_init", lambda c, hm: c.tls_init(mongoose_rs.TlsOpts(name="x"))),
        ("mg_tls_free", lambda c, hm: c.tls_free()),
    ],
)
def test_missing_protocols_raise_not_implemented(mgr, monkeypatch, symbol, call):
    assert symbol not in L.MISSING
    monkeypatch.setattr(L, symbol, None)
    errors = []

    def h(c, ev, data):
        if ev == MG_EV_HTTP_MSG:
            try:
                call(c, data)
            except NotImplementedError as e:
                errors.append(str(e))
            c.reply(200, b"")

    port = http_server(mgr, h)
    raw_exchange(mgr, port, b"GET / HTTP/1.1\r\n\r\n", until_close=False)
    assert len(errors) == 1 and symbol in errors[0] and "not available" in errors[0]


@pytest.mark.parametrize(
    "symbol,call",
    [
        ("mg_mqtt_connect", lambda m: m.mqtt_connect("mqtt://127.0.0.1:1883")),
        ("mg_mqtt_listen", lambda m: m.mqtt_listen("mqtt://127.0.0.1:0")),
        ("mg_sntp_connect", lambda m: m.sntp_connect("udp://127.0.0.1:123")),
    ],
)
def test_missing_manager_protocols_raise_not_implemented(mgr, monkeypatch, symbol, call):
    assert symbol not in L.MISSING
    monkeypatch.setattr(L, symbol, None)
    with pytest.raises(NotImplementedError, match=symbol):
        call(mgr)


def test_tls_opts_fields():
    o = mongoose_rs.TlsOpts(ca="CA", cert=b"C", key=None, name="host", skip_verification=1)
    assert (o.ca, o.cert, o.key, o.name, o.skip_verification) == (b"CA", b"C", b"", b"host", True)
    o = mongoose_rs.TlsOpts()
    assert (o.ca, o.cert, o.key, o.name, o.skip_verification) == (b"", b"", b"", b"", False)


def test_message_view_classes_default_state():
    for cls in (mongoose_rs.WsMessage, mongoose_rs.MqttMessage):
        v = cls()
        assert not v and v.data == b"" and v.text == ""
    assert mongoose_rs.WsMessage().flags == 0
    m = mongoose_rs.MqttMessage()
    assert (m.topic, m.id, m.cmd, m.qos, m.ack) == ("", 0, 0, 0, 0)


def test_open_event_data_is_none_and_handler_can_be_swapped(mgr):
    seen = []
    c = mgr.connect("tcp://127.0.0.1:1", lambda c, ev, d: seen.append((ev, d)))
    assert seen[0] == (MG_EV_OPEN, None)
    c.set_handler(lambda conn, ev, d: seen.append(("new", ev)))
    assert c.handler is not None
    poll_until(mgr, lambda: ("new", MG_EV_CLOSE) in seen)


def test_urllib_against_ctypes_server_404(mgr):
    def h(c, ev, data):
        if ev == MG_EV_HTTP_MSG:
            c.reply(404, b"Not found\n")

    port = http_server(mgr, h)

    def client():
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/nope", timeout=5)
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    assert serve_while(mgr, client) == (404, b"Not found\n")


_ = (Bg, time, Manager)


def test_ipv6_addresses_are_eight_hex_groups(mgr):
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        probe = socket.socket(socket.AF_INET6)
        probe.bind(("::1", 0))
        probe.close()
    except OSError:
        pytest.skip("::1 is not available")
    seen = {}
    lsn = mgr.listen("tcp://[::1]:0", lambda c, ev, d: ev == MG_EV_ACCEPT and seen.update(rem=c.remote_addr, loc=c.local_addr))
    host, port, v6 = lsn.local_addr
    assert (host, v6) == ("0000:0000:0000:0000:0000:0000:0000:0001", True) and port > 0

    def client():
        s = socket.create_connection(("::1", port), timeout=5)
        me = s.getsockname()[1]
        return s, me

    s, me = serve_while(mgr, client)
    poll_until(mgr, lambda: "rem" in seen)
    s.close()
    assert seen["rem"] == ("0000:0000:0000:0000:0000:0000:0000:0001", me, True)
    assert seen["loc"][1] == port
