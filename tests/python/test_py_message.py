"""HttpMessage views and the module-level helpers (json_*, url_encode,
http_parse_multipart)."""
import http.client
import socket

import pytest

from conftest import port_of, read_response, serve_while

import mongoose_rs
from mongoose_rs import MG_EV_HTTP_HDRS, MG_EV_HTTP_MSG


def capture(mgr, request_bytes):
    """Serve one raw request; return what the handler extracted."""
    got = {}

    def h(c, ev, data):
        if ev == MG_EV_HTTP_HDRS:
            got.setdefault("hdrs", (type(data).__name__, data.method, data.uri))
        if ev == MG_EV_HTTP_MSG:
            got["msg"] = {
                "bool": bool(data),
                "method": data.method,
                "uri": data.uri,
                "query": data.query,
                "proto": data.proto,
                "body_bytes": data.body_bytes,
                "body_text": data.body_text,
                "ctype": data.header("content-type"),
                "CTYPE": data.header("CONTENT-TYPE"),
                "missing": data.header("X-Missing"),
                "missing_default": data.header("X-Missing", "dflt"),
                "headers": data.headers(),
                "q_a": data.query_var("a"),
                "q_sp": data.query_var("sp"),
                "q_empty": data.query_var("empty"),
                "q_none": data.query_var("nope"),
                "q_long": data.query_var("long"),
                "q_mid": data.query_var("mid"),
                "status": data.status(),
                "cookie_b": data.header_var("Cookie", "b"),
                "cookie_q": data.header_var("Cookie", "q"),
                "cookie_none": data.header_var("Cookie", "zz"),
                "nohdr": data.header_var("X-Nope", "a"),
                "repr": repr(data),
                "head": data.head_bytes,
            }
            c.reply(200, b"")

    lsn = mgr.listen("http://127.0.0.1:0", h, http=True)

    def client():
        s = socket.create_connection(("127.0.0.1", port_of(lsn)), timeout=5)
        s.sendall(request_bytes)
        read_response(s)
        s.close()

    serve_while(mgr, client)
    return got


def test_http_message_fields(mgr):
    long = "x" * 300
    mid = "y" * 255
    req = (
        f"POST /api/v1?a=1%202&sp=a+b&empty=&long={long}&mid={mid} HTTP/1.1\r\n"
        "Host: example\r\n"
        "Content-Type: application/json\r\n"
        'Cookie: a=1; b="two"; q=3; z=0\r\n'
        "X-Utf8: caf\xc3\xa9\r\n"
        "Content-Length: 12\r\n"
        "\r\n"
        '{"k": "v\xc3\xa9"}'
    ).encode("latin-1")
    got = capture(mgr, req)
    assert got["hdrs"] == ("HttpMessage", "POST", "/api/v1")
    m = got["msg"]
    assert m["bool"] is True
    assert (m["method"], m["uri"], m["proto"]) == ("POST", "/api/v1", "HTTP/1.1")
    assert m["query"].startswith("a=1%202&sp=a+b&empty=&long=")
    assert m["body_bytes"] == '{"k": "vé"}'.encode()
    assert m["body_text"] == '{"k": "vé"}'
    assert m["ctype"] == m["CTYPE"] == "application/json"
    assert m["missing"] is None and m["missing_default"] == "dflt"
    assert m["headers"] == [
        ("Host", "example"),
        ("Content-Type", "application/json"),
        ("Cookie", 'a=1; b="two"; q=3; z=0'),
        ("X-Utf8", "café"),
        ("Content-Length", "12"),
    ]
    assert m["q_a"] == "1 2"
    assert m["q_sp"] == "a b"
    assert m["q_empty"] is None and m["q_none"] is None
    assert m["q_long"] is None  # does not fit pymongoose's 256-byte buffer
    assert m["q_mid"] == mid
    assert m["status"] == 0  # a request
    assert m["cookie_b"] == "two" and m["cookie_q"] == "3"
    assert m["cookie_none"] is None and m["nohdr"] is None
    assert m["repr"] == "<HttpMessage POST /api/v1>"
    assert m["head"].startswith(b"POST /api/v1?") and m["head"].endswith(b"\r\n\r\n")


def test_utf8_and_undecodable_bytes(mgr):
    # The request line must be valid UTF-8 (as in Mongoose); header values
    # may hold any byte: undecodable ones come back surrogate-escaped.
    got = capture(mgr, b"GET /caf\xc3\xa9 HTTP/1.1\r\nX: \xfe\r\n\r\n")
    m = got["msg"]
    assert m["uri"] == "/café"
    assert ("X", "\udcfe") in m["headers"]
    assert "\udcfe".encode("utf-8", "surrogateescape") == b"\xfe"


def test_at_most_30_headers(mgr):
    lines = "".join(f"H{i}: {i}\r\n" for i in range(40))
    got = capture(mgr, f"GET / HTTP/1.1\r\n{lines}\r\n".encode())
    hs = got["msg"]["headers"]
    assert len(hs) == 30 and hs[0] == ("H0", "0") and hs[-1] == ("H29", "29")


def test_chunked_request_body_is_dechunked(mgr):
    got = capture(mgr, b"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
    assert got["msg"]["body_bytes"] == b"abcde"


def test_response_status_through_a_client(mgr):
    seen = {}

    def server(c, ev, data):
        if ev == MG_EV_HTTP_MSG:
            c.reply(418, b"teapot")

    lsn = mgr.listen("http://127.0.0.1:0", server, http=True)

    def client(c, ev, data):
        if ev == mongoose_rs.MG_EV_CONNECT:
            c.send(b"GET / HTTP/1.1\r\n\r\n")
        elif ev == MG_EV_HTTP_MSG:
            seen["r"] = (data.status(), data.body_text, data.method, data.uri)
            c.drain()

    mgr.connect(f"http://127.0.0.1:{port_of(lsn)}", client, http=True)
    from conftest import poll_until

    poll_until(mgr, lambda: "r" in seen)
    assert seen["r"] == (418, "teapot", "HTTP/1.1", "418")


# -- module helpers -----------------------------------------------------------------


def test_url_encode():
    assert mongoose_rs.url_encode("a b&c=d/e.f-g_h~") == "a%20b%26c%3dd%2fe.f-g_h~"
    assert mongoose_rs.url_encode("") == ""
    assert mongoose_rs.url_encode("é") == "%c3%a9"
    # Every byte needs escaping: pymongoose's 3*n+1 buffer returns "" here.
    for n in range(1, 20):
        s = "\x01" * n
        assert mongoose_rs.url_encode(s) == "%01" * n


def test_http_parse_multipart():
    body = (
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="field"\r\n\r\n'
        b"value 1\r\n"
        b"--XyZ\r\n"
        b'Content-Disposition: form-data; name="upload"; filename="a.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n"
        b"\x00\x01\x02\r\n"
        b"--XyZ--\r\n"
    )
    parts = []
    ofs = 0
    while True:
        ofs, part = mongoose_rs.http_parse_multipart(body, ofs)
        if part is None:
            break
        parts.append(part)
    assert ofs == 0
    assert parts == [
        {"name": "field", "filename": "", "body": b"value 1"},
        {"name": "upload", "filename": "a.bin", "body": b"\x00\x01\x02"},
    ]
    assert mongoose_rs.http_parse_multipart(b"garbage") == (0, None)
    assert mongoose_rs.http_parse_multipart(body.decode("latin-1"))[1]["name"] == "field"


JSON = '{"a":1,"b":[1,2,{"c":true}],"s":"x\\ty","f":2.5,"n":null,"big":12345678901}'


def test_json_get():
    assert mongoose_rs.json_get(JSON, "$.b") == '[1,2,{"c":true}]'
    assert mongoose_rs.json_get(JSON, "$.b[2].c") == "true"
    assert mongoose_rs.json_get(JSON, "$.s") == '"x\\ty"'
    assert mongoose_rs.json_get(JSON, "$.zz") is None
    assert mongoose_rs.json_get(b'{"a":1}', "$.a") == "1"


def test_json_typed_getters():
    assert mongoose_rs.json_get_num(JSON, "$.f") == 2.5
    assert mongoose_rs.json_get_num(JSON, "$.a") == 1.0
    assert mongoose_rs.json_get_num(JSON, "$.s") is None
    assert mongoose_rs.json_get_num(JSON, "$.zz", 7) == 7
    assert mongoose_rs.json_get_bool(JSON, "$.b[2].c") is True
    assert mongoose_rs.json_get_bool(JSON, "$.a") is None
    assert mongoose_rs.json_get_bool(JSON, "$.a", False) is False
    assert mongoose_rs.json_get_long(JSON, "$.big") == 12345678901
    assert mongoose_rs.json_get_long(JSON, "$.zz") == 0
    assert mongoose_rs.json_get_long(JSON, "$.zz", -5) == -5
    assert mongoose_rs.json_get_str(JSON, "$.s") == "x\ty"
    assert mongoose_rs.json_get_str(JSON, "$.a") is None
    assert mongoose_rs.json_get_str('{"e":""}', "$.e") == ""


def test_http_client_request_helper_roundtrip(mgr):
    """http.client POST with a body and custom headers, read back by a handler."""
    seen = {}

    def h(c, ev, data):
        if ev == MG_EV_HTTP_MSG:
            seen["m"] = (data.method, data.uri, data.query, data.body_bytes, data.header("X-Test"))
            c.reply(200, data.body_bytes, headers={"Content-Type": "application/octet-stream"})

    lsn = mgr.listen("http://127.0.0.1:0", h, http=True)

    def client():
        c = http.client.HTTPConnection("127.0.0.1", port_of(lsn), timeout=5)
        c.request("PUT", "/p?x=1", body=b"\x00payload", headers={"X-Test": "yes"})
        r = c.getresponse()
        return r.status, r.read()

    assert serve_while(mgr, client) == (200, b"\x00payload")
    assert seen["m"] == ("PUT", "/p", "x=1", b"\x00payload", "yes")


@pytest.mark.parametrize("make", [lambda: mongoose_rs.HttpMessage.__new__(mongoose_rs.HttpMessage),
                                  lambda: mongoose_rs.HttpMessage()])
def test_http_message_made_without_a_message_is_empty(make):
    # As pymongoose: no exception, status() is None, every view is empty.
    hm = make()
    assert not hm
    assert hm.status() is None
    assert (hm.method, hm.uri, hm.query, hm.proto, hm.body_bytes, hm.body_text) == ("", "", "", "", b"", "")
    assert (hm.head_bytes, hm.message_bytes, hm.headers()) == (b"", b"", [])
    assert (hm.header("Host"), hm.header("Host", "d"), hm.query_var("a"), hm.header_var("a", "b")) == (None, "d", None, None)
    assert repr(hm) == "<HttpMessage invalid>"
