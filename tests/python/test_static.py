"""Static files over real HTTP: c-examples/file-server (built with make
against the library cargo built) serving a temporary folder, downloaded with
urllib and http.client."""
import ctypes
import hashlib
import http.client
import os
import pathlib
import shutil
import subprocess
import urllib.error
import urllib.request

import pytest

from conftest import REPO, library_path


@pytest.fixture(scope="module")
def example():
    if shutil.which("make") is None or shutil.which("cc") is None:
        pytest.skip("make and cc are needed to build the C example")
    libdir = os.path.dirname(library_path())
    subprocess.run(
        ["make", "-s", "-C", str(REPO / "c-examples/file-server"), f"LIBDIR={libdir}", "-B", "example"],
        check=True,
    )
    return REPO / "c-examples/file-server/example"


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    base = tmp_path_factory.mktemp("static")
    www = base / "www"
    (www / "sub").mkdir(parents=True)
    (www / "index.html").write_bytes(b"<h1>home</h1>")
    (www / "data.json").write_bytes(b'{"a":1}')
    (www / "sub" / "notes.txt").write_bytes(b"0123456789")
    (www / "sub" / "notes.txt.gz").write_bytes(b"GZ")
    (www / "sub" / "f <1>.txt").write_bytes(b"abcd")
    blob = bytes((i * 131 + (i >> 9)) & 0xFF for i in range(3 * 1024 * 1024 + 17))
    (www / "blob.bin").write_bytes(blob)
    (base / "secret.txt").write_bytes(b"TOPSECRET")
    os.symlink(base / "secret.txt", www / "escape.txt")
    return www


@pytest.fixture(scope="module")
def server(example, tree):
    proc = subprocess.Popen([str(example), str(tree), "http://127.0.0.1:0"], stdout=subprocess.PIPE)
    line = proc.stdout.readline().decode()
    assert line.startswith("listening on http://"), line
    port = int(line.strip().rsplit(":", 1)[1])
    yield port
    proc.terminate()
    proc.wait(timeout=10)


def url(port, path):
    return f"http://127.0.0.1:{port}{path}"


def raw(port, path, headers=None, method="GET"):
    """One request with http.client (no path normalisation)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, headers=headers or {})
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, r.getheaders(), body


def test_index_and_files_download_intact(server, tree):
    with urllib.request.urlopen(url(server, "/"), timeout=10) as r:
        assert r.status == 200
        assert r.headers["Content-Type"] == "text/html; charset=utf-8"
        assert r.read() == b"<h1>home</h1>"
    with urllib.request.urlopen(url(server, "/data.json"), timeout=10) as r:
        assert r.headers["Content-Type"] == "application/json"
        assert r.read() == b'{"a":1}'
    with urllib.request.urlopen(url(server, "/blob.bin"), timeout=30) as r:
        data = r.read()
    want = (tree / "blob.bin").read_bytes()
    assert len(data) == len(want)
    assert hashlib.sha256(data).digest() == hashlib.sha256(want).digest()
    with urllib.request.urlopen(url(server, "/sub/f%20%3C1%3E.txt"), timeout=10) as r:
        assert r.read() == b"abcd"


def test_exact_head_and_etag_revalidation(server, tree):
    st = os.stat(tree / "sub" / "notes.txt")
    etag = f'"{int(st.st_mtime)}.{st.st_size}"'
    status, headers, body = raw(server, "/sub/notes.txt")
    assert status == 200
    assert headers == [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Etag", etag),
        ("Content-Length", "10"),
    ]
    assert body == b"0123456789"
    status, headers, body = raw(server, "/sub/notes.txt", {"If-None-Match": etag})
    assert (status, body) == (304, b"")
    assert headers == [("Content-Length", "0          ")]  # mg_http_reply's padding
    status, headers, body = raw(server, "/sub/notes.txt", method="HEAD")
    assert status == 200 and body == b"" and ("Content-Length", "10") in headers


def test_ranges(server):
    req = urllib.request.Request(url(server, "/sub/notes.txt"), headers={"Range": "bytes=2-4"})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 206
        assert r.headers["Content-Range"] == "bytes 2-4/10"
        assert r.read() == b"234"
    req = urllib.request.Request(url(server, "/blob.bin"), headers={"Range": "bytes=3000000-"})
    with urllib.request.urlopen(req, timeout=10) as r:
        tail = r.read()
    assert len(tail) == 3 * 1024 * 1024 + 17 - 3000000
    status, headers, body = raw(server, "/sub/notes.txt", {"Range": "bytes=20-30"})
    assert status == 416 and body == b""
    assert ("Content-Range", "bytes */10") in headers


def test_unparsable_range_ignored_and_empty_suffix_unsatisfiable(server):
    # RFC 9110 §14.2: a Range that does not parse is ignored (plain 200).
    for bad in ("bytes=abc", "bytes=", "bytes=x-3", "bytes=3x"):
        status, headers, body = raw(server, "/sub/notes.txt", {"Range": bad})
        assert (status, body) == (200, b"0123456789"), bad
        assert not any(k == "Content-Range" for k, _ in headers), bad
    # A zero-length suffix can never be satisfied.
    status, headers, body = raw(server, "/sub/notes.txt", {"Range": "bytes=-0"})
    assert (status, body) == (416, b"")
    assert ("Content-Range", "bytes */10") in headers
    # Valid single ranges are unchanged.
    status, headers, body = raw(server, "/sub/notes.txt", {"Range": "bytes=7-"})
    assert (status, body) == (206, b"789")
    assert ("Content-Range", "bytes 7-9/10") in headers


def test_gzip_variant(server):
    status, headers, body = raw(server, "/sub/notes.txt", {"Accept-Encoding": "gzip, deflate"})
    assert status == 200 and body == b"GZ"
    assert ("Content-Encoding", "gzip") in headers
    assert ("Content-Type", "text/plain; charset=utf-8") in headers


def test_listing_and_redirect(server):
    with urllib.request.urlopen(url(server, "/sub/"), timeout=10) as r:
        page = r.read().decode()
    assert "<title>Index of /sub/</title>" in page
    assert '<a href="f%20%3c1%3e.txt">f &lt;1&gt;.txt</a>' in page
    assert '<a href="notes.txt">notes.txt</a>' in page
    status, headers, _ = raw(server, "/sub?x=1")
    assert status == 301 and ("Location", "/sub/") in headers
    # urllib follows the redirect to the listing.
    with urllib.request.urlopen(url(server, "/sub"), timeout=10) as r:
        assert r.geturl().endswith("/sub/")


def test_not_found_and_traversal(server):
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(url(server, "/missing.txt"), timeout=10)
    assert e.value.code == 404 and e.value.read() == b"Not found\n"
    for path in ["/../secret.txt", "/%2e%2e/secret.txt", "/sub/..%2f..%2fsecret.txt", "/..%5csecret.txt",
                 "/sub/%2E%2E/%2E%2E/secret.txt", "/escape.txt", "/a%00b"]:
        status, _, body = raw(server, path)
        assert (status, body) == (400, b"Invalid path"), path


def test_mg_fs_posix_is_a_real_data_object():
    lib = ctypes.CDLL(library_path())
    fs = ctypes.c_void_p.in_dll(lib, "mg_fs_posix")  # first member: st
    assert fs.value is not None
    lib.mg_path_is_sane.restype = ctypes.c_bool

    class MgStr(ctypes.Structure):
        _fields_ = [("buf", ctypes.c_char_p), ("len", ctypes.c_size_t)]

    assert lib.mg_path_is_sane(MgStr(b"a/b", 3))
    assert not lib.mg_path_is_sane(MgStr(b"a/../b", 6))
