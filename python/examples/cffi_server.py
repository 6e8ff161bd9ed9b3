"""The C API through cffi (ABI mode, no compiler): an HTTP server written as
a C program would be, with the declarations ``mongoose_rs.cdef`` ships.

    pip install cffi
    PYTHONPATH=python python3 python/examples/cffi_server.py [URL]

URL defaults to http://0.0.0.0:8000 (http://127.0.0.1:0 picks a free port;
the real address is printed). Try:

    curl -i http://127.0.0.1:8000/hello
    curl -i -H 'X-Name: cffi' http://127.0.0.1:8000/

Ctrl+C or SIGTERM stops it (mg_mgr_shutdown_on_signals, a mongoose-rs
addition, with the usual graceful drain).
"""
import os
import sys

try:
    from mongoose_rs.cdef import load
except ImportError:  # running from a checkout without PYTHONPATH
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from mongoose_rs.cdef import load

ffi, lib = load()
URL = sys.argv[1] if len(sys.argv) > 1 else "http://0.0.0.0:8000"


@ffi.callback("void(struct mg_connection *, int, void *)")
def handler(c, ev, ev_data):
    if ev == lib.MG_EV_HTTP_MSG:
        hm = ffi.cast("struct mg_http_message *", ev_data)
        uri = ffi.unpack(hm.uri.buf, hm.uri.len)
        name = lib.mg_http_get_header(hm, b"X-Name")
        who = ffi.unpack(name.buf, name.len) if name != ffi.NULL else b"world"
        body = b"hello %s from %s\n" % (who, uri)
        # Variadic arguments need explicit C types in cffi.
        lib.mg_http_reply(c, 200, b"Content-Type: text/plain\r\n", b"%.*s",
                          ffi.cast("int", len(body)), ffi.new("char[]", body))


def main():
    mgr = ffi.new("struct mg_mgr *")
    lib.mg_mgr_init(mgr)
    lsn = lib.mg_http_listen(mgr, URL.encode(), handler, ffi.NULL)
    if lsn == ffi.NULL:
        sys.exit(f"cannot listen on {URL}")
    port = lib.mg_ntohs(lsn.loc.port)
    host = URL.split("//", 1)[1].rsplit(":", 1)[0]
    print(f"Server running on http://{host}:{port}", flush=True)
    lib.mg_mgr_shutdown_on_signals(mgr, 3000)
    try:
        while not lib.mg_mgr_is_done(mgr):
            lib.mg_mgr_poll(mgr, 1000)
    finally:
        lib.mg_mgr_free(mgr)
    print("Server stopped cleanly", flush=True)


if __name__ == "__main__":
    main()
