"""TLS from Python: Connection.tls_init with TlsOpts on MG_EV_ACCEPT (server,
checked with Python's ssl client) and MG_EV_CONNECT (client, against our own
server), MG_EV_TLS_HS, verification failures as MG_EV_ERROR, tls_free.
Certificates are made with the openssl CLI in a temporary directory."""
import http.client
import shutil
import ssl
import subprocess

import pytest

from conftest import poll_until, port_of, serve_while

import mongoose_rs
from mongoose_rs import MG_EV_ACCEPT, MG_EV_CONNECT, MG_EV_ERROR, MG_EV_HTTP_MSG, MG_EV_TLS_HS

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    d = tmp_path_factory.mktemp("pki")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
         "-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem"), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-addext", "basicConstraints=critical,CA:FALSE"],
        check=True, capture_output=True,
    )
    return {"dir": d, "cert": (d / "cert.pem").read_bytes(), "key": (d / "key.pem").read_bytes()}


def https_server(mgr, pki, log):
    def handler(c, ev, data):
        if ev == MG_EV_ACCEPT:
            c.tls_init(mongoose_rs.TlsOpts(cert=pki["cert"], key=pki["key"]))
            log.append(("accept", c.is_tls))
        elif ev == MG_EV_TLS_HS:
            log.append(("hs", data))
        elif ev == MG_EV_HTTP_MSG:
            c.reply(200, b"secret " + data.uri.encode())
        elif ev == MG_EV_ERROR:
            log.append(("error", data))

    return port_of(mgr.listen("https://127.0.0.1:0", handler, http=True))


def test_python_ssl_client_against_tls_init_server(mgr, pki):
    log = []
    port = https_server(mgr, pki, log)

    def client():
        ctx = ssl.create_default_context(cafile=str(pki["dir"] / "cert.pem"))
        conn = http.client.HTTPSConnection("localhost", port, context=ctx, timeout=5)
        conn.request("GET", "/x")
        r = conn.getresponse()
        out = (r.status, r.read(), conn.sock.version())
        conn.close()
        return out

    assert serve_while(mgr, client) == (200, b"secret /x", "TLSv1.3")
    assert log == [("accept", True), ("hs", None)]


def test_our_client_verifies_and_fails_as_error_events(mgr, pki):
    log = []
    port = https_server(mgr, pki, log)

    def run(opts):
        got = {}

        def cli(c, ev, data):
            if ev == MG_EV_CONNECT:
                c.tls_init(opts)
                got["hs_flag"] = c.is_tls
                c.send(b"GET /y HTTP/1.1\r\nHost: localhost\r\n\r\n")
            elif ev == MG_EV_TLS_HS:
                got["hs"] = True
            elif ev == MG_EV_HTTP_MSG:
                got["body"] = data.body_bytes
                c.drain()
            elif ev == MG_EV_ERROR:
                got["error"] = data

        mgr.connect("https://localhost:%d" % port, cli, http=True)
        poll_until(mgr, lambda: "body" in got or "error" in got)
        return got

    ok = run(mongoose_rs.TlsOpts(ca=pki["cert"], name="localhost"))
    assert ok == {"hs_flag": True, "hs": True, "body": b"secret /y"}
    bad = run(mongoose_rs.TlsOpts(ca=pki["cert"], name="example.org"))
    assert bad["error"].startswith("TLS: invalid peer certificate: certificate not valid for name")
    skip = run(mongoose_rs.TlsOpts(ca=pki["cert"], name="example.org", skip_verification=True))
    assert skip["body"] == b"secret /y"
    # The server hears about the client's refusal as an alert.
    poll_until(mgr, lambda: any(e[0] == "error" for e in log))
    assert [e[1] for e in log if e[0] == "error"][0].startswith("TLS: received fatal alert")


def test_tls_init_bad_pem_and_tls_free(mgr):
    errors = []

    def handler(c, ev, data):
        if ev == MG_EV_ACCEPT:
            c.tls_init(mongoose_rs.TlsOpts(cert="not a pem", key="nor this"))
        elif ev == MG_EV_ERROR:
            errors.append(data)

    port = port_of(mgr.listen("tcp://127.0.0.1:0", handler))

    def client():
        import socket

        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        data = s.recv(100)
        s.close()
        return data

    assert serve_while(mgr, client) == b""
    assert errors == ["TLS: no certificate in cert"]

    # tls_free on a connection: it goes on in plaintext.
    seen = []

    def plain(c, ev, data):
        if ev == MG_EV_ACCEPT:
            c.tls_init(mongoose_rs.TlsOpts(cert=b"x"))
            c.tls_free()
            seen.append((c.is_tls, c.is_closing))

    lsn = mgr.listen("tcp://127.0.0.1:0", plain)
    serve_while(mgr, lambda: __import__("socket").create_connection(("127.0.0.1", port_of(lsn))).close())
    # The client may finish before the server's next poll accepts it.
    poll_until(mgr, lambda: seen)
    # The bad options closed it before tls_free ran.
    assert seen == [(False, True)]
