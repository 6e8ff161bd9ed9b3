"""A client that half-closes (shutdown(SHUT_WR)) right after its request
still gets the whole response before the server closes: a small reply and
a multi-megabyte static file sent with sendfile (a departure from Mongoose,
which sends only the first part of a file body)."""
from conftest import port_of, serve_while
from test_py_connection import slow_reader

from mongoose_rs import MG_EV_HTTP_MSG


def test_half_close_gets_a_small_reply(mgr):
    def h(c, ev, data):
        if ev == MG_EV_HTTP_MSG:
            c.reply(200, b"hello", headers={})

    port = port_of(mgr.listen("http://127.0.0.1:0", h, http=True))
    got = serve_while(mgr, slow_reader, port, b"GET / HTTP/1.1\r\n\r\n", half_close=True)
    # mg_http_reply pads Content-Length to a fixed width, as Mongoose does.
    assert got == b"HTTP/1.1 200 OK\r\nContent-Length: 5          \r\n\r\nhello"


def test_half_close_gets_a_whole_multi_megabyte_file(mgr, tmp_path):
    body = bytes((i * 13 ^ (i >> 10)) & 0xFF for i in range(5 * 1024 * 1024 + 11))
    (tmp_path / "f.bin").write_bytes(body)

    def h(c, ev, data):
        if ev == MG_EV_HTTP_MSG:
            c.serve_dir(data, str(tmp_path))

    port = port_of(mgr.listen("http://127.0.0.1:0", h, http=True))
    got = serve_while(mgr, slow_reader, port, b"GET /f.bin HTTP/1.1\r\n\r\n", half_close=True, timeout=60)
    head, _, rest = got.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nContent-Length: %d\r\n" % len(body) in head + b"\r\n"
    assert len(rest) == len(body)
    assert rest == body
