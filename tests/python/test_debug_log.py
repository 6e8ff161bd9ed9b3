"""At MG_LL_VERBOSE the library tells a connection's story the way Mongoose
7.23 does at that level (observed with its build): manager init, listen,
accept, the raw read and write with their sizes, the connection's read and
write lines, close, manager free. Lines are `<hex ms> <level>
<file>:<line>:<step> <message>`; the file is our source path (net/mgr.rs),
the step Mongoose's function name. Timestamps, ports and line numbers are
not compared."""
import ctypes
import re
import socket
import time

from conftest import library_path

PFN = ctypes.CFUNCTYPE(None, ctypes.c_char, ctypes.c_void_p)
HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)
MG_EV_HTTP_MSG = 11
LINE = re.compile(r"^([0-9a-f]+) +([0-4]) (\S+?):(\d+):(\S*) +(.*)$")


def test_verbose_story_of_one_request():
    lib = ctypes.CDLL(library_path())
    level = ctypes.c_int.in_dll(lib, "mg_log_level")
    saved = level.value
    chars = []
    sink = PFN(lambda ch, _p: chars.append(ch))
    replied = []

    def on_event(c, ev, _data):
        if ev == MG_EV_HTTP_MSG:
            lib.mg_http_reply(ctypes.c_void_p(c), 200, b"", b"hi\n")
            replied.append(c)

    handler = HANDLER(on_event)
    lib.mg_http_listen.restype = ctypes.c_void_p
    mgr = ctypes.create_string_buffer(4096)
    try:
        level.value = 4
        lib.mg_log_set_fn(sink, None)
        lib.mg_mgr_init(mgr)
        lsn = lib.mg_http_listen(mgr, b"http://127.0.0.1:0", handler, None)
        assert lsn
        # c->loc.port (big-endian) sits after next, mgr and the ip union.
        port = socket.ntohs(ctypes.c_uint16.from_address(lsn + 16 + 16).value)
        cli = socket.create_connection(("127.0.0.1", port))
        request = b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n"
        cli.sendall(request)
        cli.setblocking(False)
        reply = b""
        deadline = time.time() + 5
        while b"hi\n" not in reply and time.time() < deadline:
            lib.mg_mgr_poll(mgr, 10)
            try:
                reply += cli.recv(4096)
            except BlockingIOError:
                pass
        assert reply.endswith(b"\r\n\r\nhi\n"), reply
        cli.close()
        text = lambda: b"".join(chars).decode()  # noqa: E731
        while "mg_close_conn" not in text() and time.time() < deadline:
            lib.mg_mgr_poll(mgr, 10)
        lib.mg_mgr_free(mgr)
    finally:
        lib.mg_log_set_fn(None, None)
        level.value = saved

    lines = [ln for ln in b"".join(chars).decode().split("\r\n") if ln]
    parsed = [LINE.match(ln) for ln in lines]
    assert all(parsed), [ln for ln, m in zip(lines, parsed) if not m]
    # Library lines name a source file of ours, never a generic helper.
    assert {m.group(3) for m in parsed} <= {"net/mgr.rs", "net/mod.rs"}, lines
    story = [(int(m.group(2)), m.group(5), m.group(6)) for m in parsed if m.group(5) != "mg_mgr_poll"]
    n = len(reply)
    want = [
        (3, "mg_mgr_init", r"MG_IO_SIZE: 16384, TLS: \S+"),
        (3, "mg_listen", r"1 \d+ http://127\.0\.0\.1:0"),
        (3, "accept_conn", rf"2 \d+ accepted 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:{port}"),
        (4, "recv_raw", rf"2 {len(request)} 0"),
        (3, "read_conn", rf"2 \d+ 0:0:0 {len(request)} err 0"),
        (4, "mg_io_send", rf"2 {n} 0"),
        (3, "write_conn", rf"2 \d+ snd {n}/16384 rcv 0/16384 n={n} err=0"),
        (4, "recv_raw", r"2 0 0"),
        (3, "read_conn", r"2 \d+ 0:0:0 -1 err \d+"),
        (3, "mg_close_conn", r"2 \d+ closed"),
        (3, "mg_close_conn", r"1 \d+ closed"),
        (3, "mg_mgr_free", "All connections closed"),
    ]
    # Reads that find nothing yet (-1, EAGAIN) may come between the steps.
    story = [s for s in story if not (s[1] in ("recv_raw", "read_conn") and re.search(r"-1 (err )?11$", s[2]))]
    assert len(story) == len(want), "\n".join(lines)
    for got, (lvl, step, msg) in zip(story, want):
        assert got[0] == lvl and got[1] == step and re.fullmatch(msg, got[2]), (got, step, msg)
    # The verbose per-connection poll line: id, r/w, five state letters, two counters.
    polls = [m.group(6) for m in parsed if m.group(5) == "mg_mgr_poll"]
    assert polls and all(re.fullmatch(r"\d+ [r-][w-] [tT][cC][hH][rR][cC] \d+ \d+", p) for p in polls), polls
    assert any(p.startswith("2 r- tchrc") for p in polls), polls


def test_debug_story_of_a_client():
    """A client connection at MG_LL_DEBUG: created (no socket yet), then its
    socket connecting, then its write and read (Mongoose 7.23's order)."""
    lib = ctypes.CDLL(library_path())
    level = ctypes.c_int.in_dll(lib, "mg_log_level")
    saved = level.value
    chars = []
    sink = PFN(lambda ch, _p: chars.append(ch))
    got = []

    def on_server(c, ev, _data):
        if ev == MG_EV_HTTP_MSG:
            lib.mg_http_reply(ctypes.c_void_p(c), 200, b"", b"hi\n")

    def on_client(c, ev, _data):
        if ev == 4:  # MG_EV_CONNECT
            lib.mg_send(ctypes.c_void_p(c), b"GET / HTTP/1.1\r\n\r\n", ctypes.c_size_t(18))
        if ev == MG_EV_HTTP_MSG:
            got.append(c)

    h1, h2 = HANDLER(on_server), HANDLER(on_client)
    lib.mg_http_listen.restype = ctypes.c_void_p
    lib.mg_http_connect.restype = ctypes.c_void_p
    mgr = ctypes.create_string_buffer(4096)
    try:
        level.value = 3
        lib.mg_log_set_fn(sink, None)
        lib.mg_mgr_init(mgr)
        lsn = lib.mg_http_listen(mgr, b"http://127.0.0.1:0", h1, None)
        port = socket.ntohs(ctypes.c_uint16.from_address(lsn + 16 + 16).value)
        url = f"http://127.0.0.1:{port}".encode()
        assert lib.mg_http_connect(mgr, url, h2, None)
        deadline = time.time() + 5
        while not got and time.time() < deadline:
            lib.mg_mgr_poll(mgr, 10)
        assert got
        lib.mg_mgr_free(mgr)
    finally:
        lib.mg_log_set_fn(None, None)
        level.value = saved
    lines = [ln for ln in b"".join(chars).decode().split("\r\n") if ln]
    steps = [(m.group(5), m.group(6)) for m in map(LINE.match, lines)]
    client = [(step, msg) for step, msg in steps if msg.startswith("2 ")]
    assert client[0] == ("mg_connect_svc", f"2 -1 {url.decode()}"), lines
    assert client[1][0].startswith("mg_connect_re"), lines  # cut by the 40-column prefix
    assert re.fullmatch(rf"2 \d+ -> 127\.0\.0\.1:{port} (pend|ok)", client[1][1]), lines
    assert [s for s, _ in client[2:]] == ["write_conn", "read_conn", "mg_close_conn"], lines
    assert re.fullmatch(r"2 \d+ snd 18/16384 rcv 0/0 n=18 err=0", client[2][1]), lines
