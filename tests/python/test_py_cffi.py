"""cffi works too: ABI mode (no compiler) with a cdef cut out of
include/mongoose.h, serving one HTTP request."""
import re
import threading
import time
import urllib.request

import pytest

from conftest import REPO, library_path

cffi = pytest.importorskip("cffi", reason="cffi is not installed (.ci/run installs it with pip)")

HEADER = REPO / "include" / "mongoose.h"
TYPES = [
    ("struct", "mg_str"),
    ("union", "mg_addr_ip"),
    ("struct", "mg_addr"),
    ("struct", "mg_iobuf"),
    ("struct", "mg_dns"),
    ("struct", "mg_timer"),
    ("union", "mg_pipe"),
    ("struct", "mg_mgr"),
    ("struct", "mg_connection"),
    ("struct", "mg_http_header"),
    ("struct", "mg_http_message"),
]
FUNCTIONS = ["mg_mgr_init", "mg_mgr_poll", "mg_mgr_free", "mg_http_listen", "mg_http_reply", "mg_http_get_header"]


def cdef_from_header():
    """The subset of mongoose.h cffi needs, taken verbatim from the header
    (comments stripped, the two layout macros replaced by their values)."""
    text = HEADER.read_text()
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    consts = {name: int(re.search(rf"#define {name} (\d+)", text).group(1)) for name in ("MG_DATA_SIZE", "MG_MAX_HTTP_HEADERS")}
    parts = []
    for kind, name in TYPES:
        m = re.search(rf"^{kind} {name} \{{.*?^\}};", text, flags=re.S | re.M)
        assert m, f"{kind} {name} not found in {HEADER}"
        parts.append(m.group(0))
    m = re.search(r"^typedef void \(\*mg_event_handler_t\)\([^;]*\);", text, flags=re.M)
    assert m, "mg_event_handler_t not found"
    parts.insert(0, m.group(0))
    for fn in FUNCTIONS:
        m = re.search(rf"^[A-Za-z_][^;{{}}#]*?\b{fn}\([^;]*\);", text, flags=re.M | re.S)
        assert m, f"prototype of {fn} not found"
        parts.append(" ".join(m.group(0).split()))
    cdef = "\n".join(parts)
    for k, v in consts.items():
        cdef = cdef.replace(k, str(v))
    # mg_event_handler_t uses struct mg_connection before its definition:
    return "struct mg_connection;\nstruct mg_mgr;\n" + cdef


def test_cffi_abi_mode_serves_one_request():
    ffi = cffi.FFI()
    ffi.cdef(cdef_from_header())
    lib = ffi.dlopen(library_path())

    # the header's layouts as cffi computes them = the ABI table
    assert ffi.sizeof("struct mg_connection") == 288
    assert ffi.offsetof("struct mg_connection", "fn") == 208
    assert ffi.offsetof("struct mg_connection", "tls") == 272
    assert ffi.sizeof("struct mg_mgr") == 144
    assert ffi.offsetof("struct mg_mgr", "timers") == 104
    assert ffi.sizeof("struct mg_http_message") == 1072
    assert ffi.offsetof("struct mg_http_message", "body") == 1024

    seen = {}

    @ffi.callback("void(struct mg_connection *, int, void *)")
    def handler(c, ev, ev_data):
        if ev == 11:  # MG_EV_HTTP_MSG
            hm = ffi.cast("struct mg_http_message *", ev_data)
            seen["uri"] = ffi.unpack(hm.uri.buf, hm.uri.len)
            seen["accepted"] = c.is_accepted
            h = lib.mg_http_get_header(hm, b"X-Test")
            seen["x-test"] = ffi.unpack(h.buf, h.len) if h != ffi.NULL else None
            body = b"cffi says hi\n"
            lib.mg_http_reply(c, 200, b"Content-Type: text/plain\r\n", b"%.*s",
                              ffi.cast("int", len(body)), ffi.new("char[]", body))
            c.is_draining = 1  # bitfield write through the header's layout

    mgr = ffi.new("struct mg_mgr *")
    lib.mg_mgr_init(mgr)
    try:
        lsn = lib.mg_http_listen(mgr, b"http://127.0.0.1:0", handler, ffi.NULL)
        assert lsn != ffi.NULL and lsn.is_listening == 1
        port = (lsn.loc.port >> 8) | ((lsn.loc.port & 0xFF) << 8)
        result = {}

        def client():
            req = urllib.request.Request(f"http://127.0.0.1:{port}/cffi", headers={"X-Test": "yes"})
            with urllib.request.urlopen(req, timeout=5) as r:
                result["r"] = (r.status, r.headers["Content-Type"], r.read())

        t = threading.Thread(target=client)
        t.start()
        deadline = time.monotonic() + 10
        while t.is_alive() and time.monotonic() < deadline:
            lib.mg_mgr_poll(mgr, 10)
        t.join()
    finally:
        lib.mg_mgr_free(mgr)
    assert result["r"] == (200, "text/plain", b"cffi says hi\n")
    assert seen == {"uri": b"/cffi", "accepted": 1, "x-test": b"yes"}


# ---------------------------------------------------------------------------
# The recipe the package documents: mongoose_rs.cdef
# ---------------------------------------------------------------------------


def test_the_shipped_cdef_declares_the_whole_header_without_warnings():
    import warnings

    from mongoose_rs import cdef as C

    text = C.header_to_cdef(HEADER.read_text())
    ffi = cffi.FFI()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ffi.cdef(text)
    lib = ffi.dlopen(library_path())
    # layouts = the ABI table; constants; a global; every exported prototype
    assert (ffi.sizeof("struct mg_connection"), ffi.sizeof("struct mg_mgr")) == (288, 144)
    assert ffi.offsetof("struct mg_http_message", "body") == 1024
    assert (lib.MG_EV_HTTP_MSG, lib.MG_EV_USER, lib.MG_IO_WAIT) == (11, 23, -2)
    protos = set(re.findall(r"\b(mg_\w+)\(", text))
    assert {"mg_mgr_init", "mg_http_reply", "mg_vxprintf", "mg_mgr_shutdown_on_signals"} <= protos
    for name in protos:
        assert getattr(lib, name) is not None, name
    lib.mg_log_level = 0
    assert lib.mg_log_level == 0
    # In a checkout cdef() makes the same text from the header.
    assert C.cdef() == text or C.CDEF_FILE.exists()


def test_cdef_load_round_trip():
    from mongoose_rs.cdef import load

    ffi, lib = load()
    buf = ffi.new("char[32]")
    n = lib.mg_snprintf(buf, 32, b"%d-%s", ffi.cast("int", 42), ffi.new("char[]", b"x"))
    assert (n, ffi.string(buf)) == (4, b"42-x")
    s = lib.mg_str_n(b"abc", 3)
    assert lib.mg_strcmp(s, lib.mg_str_n(b"abc", 3)) == 0


def test_cffi_example_serves_and_stops_on_sigterm():
    import signal

    from conftest import ServerProcess

    with ServerProcess("cffi_server.py") as srv:
        req = urllib.request.Request(f"http://127.0.0.1:{srv.port}/hello", headers={"X-Name": "cffi"})
        with urllib.request.urlopen(req, timeout=5) as r:
            assert (r.status, r.read()) == (200, b"hello cffi from /hello\n")
        with urllib.request.urlopen(f"http://127.0.0.1:{srv.port}/", timeout=5) as r:
            assert r.read() == b"hello world from /\n"
        srv.signal(signal.SIGTERM)
        assert srv.wait(timeout=10) == 0
        assert srv.rest_of_stdout()[-1] == "Server stopped cleanly"
