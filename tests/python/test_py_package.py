"""The mongoose_rs package itself: ctypes struct mirrors match the ABI table,
constants match the C library, the library lookup order, pip-installability,
the names pymongoose exports."""
import ctypes
import os
import shutil
import subprocess
import sys

import pytest

from conftest import PYDIR, REPO, example_env, library_path

import mongoose_rs
from mongoose_rs import _lib as L

# The checkout's copy of the spec's table (tests/abi.rs checks the Rust side
# against the same file); a missing table is a failure, not a skip.
TSV = REPO / "tests" / "data" / "abi-x86_64.tsv"


def tsv_rows():
    rows = []
    for line in TSV.read_text().splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) == 6:
            rows.append(parts)
    assert len(rows) > 500, f"{TSV}: only {len(rows)} rows"
    return rows


def test_struct_mirrors_match_the_abi_table():
    rows = tsv_rows()
    checked = 0
    for kind, struct, name, off, size, align in rows:
        cls = L.STRUCTS.get(struct)
        if cls is None:
            continue
        if kind == "struct":
            assert ctypes.sizeof(cls) == int(size), struct
            assert ctypes.alignment(cls) == int(align), struct
            checked += 1
        elif kind == "field" and "." not in name:
            fld = getattr(cls, name, None)
            assert fld is not None, f"{struct}.{name} missing in the ctypes mirror"
            assert (fld.offset, fld.size) == (int(off), int(size)), f"{struct}.{name}"
            checked += 1
    assert checked > 80


def test_connection_flag_bits_match_the_abi_table():
    bits = {}
    for kind, struct, name, off, size, bit in tsv_rows():
        if kind == "bitfield" and struct == "mg_connection" and name != "dscp":
            bits[name] = (int(off) - L.FLAGS_OFFSET) * 8 + int(bit)
    assert bits == L.FLAG_BITS
    assert L.MgConnection.flags.offset == L.FLAGS_OFFSET


def test_constants_match_the_c_library():
    consts = {name: val for kind, _, name, val, _, _ in tsv_rows() if kind == "const"}
    names = [n for n in dir(mongoose_rs) if n.startswith(("MG_EV_", "WEBSOCKET_OP_"))]
    assert len(names) >= 30
    for n in names:
        assert getattr(mongoose_rs, n) == int(consts[n]), n
    assert mongoose_rs.MG_EV_USER == 23  # 7.22 numbering (pymongoose has 20)


def test_public_names_of_pymongoose():
    for n in [
        "Manager", "Connection", "HttpMessage", "WsMessage", "MqttMessage", "TlsOpts", "Timer",
        "json_get", "json_get_num", "json_get_bool", "json_get_long", "json_get_str",
        "url_encode", "http_parse_multipart",
        "MG_EV_ERROR", "MG_EV_OPEN", "MG_EV_POLL", "MG_EV_RESOLVE", "MG_EV_CONNECT", "MG_EV_ACCEPT",
        "MG_EV_TLS_HS", "MG_EV_READ", "MG_EV_WRITE", "MG_EV_CLOSE", "MG_EV_HTTP_HDRS", "MG_EV_HTTP_MSG",
        "MG_EV_WS_OPEN", "MG_EV_WS_MSG", "MG_EV_WS_CTL", "MG_EV_MQTT_CMD", "MG_EV_MQTT_MSG",
        "MG_EV_MQTT_OPEN", "MG_EV_SNTP_TIME", "MG_EV_WAKEUP", "MG_EV_USER",
        "WEBSOCKET_OP_TEXT", "WEBSOCKET_OP_BINARY", "WEBSOCKET_OP_PING", "WEBSOCKET_OP_PONG",
    ]:
        assert n in mongoose_rs.__all__, n
        assert hasattr(mongoose_rs, n), n


def test_the_package_loads_the_library_under_test():
    assert os.path.samefile(mongoose_rs.LIBRARY_PATH, library_path())


def _lookup(env_extra, cwd):
    env = example_env(env_extra)
    for k in ("MONGOOSE_LIB", "CARGO_TARGET_DIR"):
        if k not in env_extra:
            env.pop(k, None)
    code = "from mongoose_rs import _lib; print(list(map(str, _lib.candidate_paths())))"
    r = subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True)
    return r


def test_library_lookup_order(tmp_path):
    # MONGOOSE_LIB wins and is the only candidate.
    r = _lookup({"MONGOOSE_LIB": library_path()}, tmp_path)
    assert r.returncode == 0, r.stderr
    assert eval(r.stdout) == [library_path()]
    # A directory in MONGOOSE_LIB means "libmongoose.so in there".
    r = _lookup({"MONGOOSE_LIB": os.path.dirname(library_path())}, tmp_path)
    assert eval(r.stdout) == [os.path.join(os.path.dirname(library_path()), "libmongoose.so")]
    # Then next to the package, then the cargo tree (release before debug).
    r = _lookup({"CARGO_TARGET_DIR": os.path.dirname(os.path.dirname(library_path()))}, tmp_path)
    if r.returncode == 0:
        paths = eval(r.stdout)
        assert paths[0] == str(PYDIR / "mongoose_rs" / "libmongoose.so")
        assert paths[-2:] == [str(REPO / "target/release/libmongoose.so"), str(REPO / "target/debug/libmongoose.so")]


def test_missing_library_is_a_clear_error(tmp_path):
    r = _lookup({"MONGOOSE_LIB": str(tmp_path / "nope.so")}, tmp_path)
    assert r.returncode != 0
    assert "libmongoose.so" in r.stderr or "nope.so" in r.stderr


def test_library_next_to_the_package_is_found(tmp_path):
    pkg = tmp_path / "mongoose_rs"
    shutil.copytree(PYDIR / "mongoose_rs", pkg, ignore=shutil.ignore_patterns("__pycache__", "*.so"))
    shutil.copy(library_path(), pkg / "libmongoose.so")
    env = example_env()
    env.pop("MONGOOSE_LIB", None)
    env["PYTHONPATH"] = str(tmp_path)
    code = "import mongoose_rs; print(mongoose_rs.LIBRARY_PATH)"
    r = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(pkg / "libmongoose.so")


ROUND_TRIP = r"""
import sys, threading, time, urllib.request
import mongoose_rs
from mongoose_rs import MG_EV_HTTP_MSG, Manager

def handler(conn, ev, data):
    if ev == MG_EV_HTTP_MSG:
        conn.reply(200, b"hello " + bytes(data.uri, "ascii") + b"\n")

got = {}
m = Manager(handler)
port = m.listen("http://127.0.0.1:0", http=True).local_addr[1]

def client():
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/round-trip", timeout=5) as r:
        got["body"] = r.read()

t = threading.Thread(target=client)
t.start()
deadline = time.monotonic() + 10
while t.is_alive() and time.monotonic() < deadline:
    m.poll(10)
t.join()
m.close()
print(mongoose_rs.LIBRARY_PATH)
print(got.get("body"))
"""


def clean_env(extra=None):
    """The environment of a user who set nothing: no MONGOOSE_LIB,
    PYTHONPATH, CARGO_TARGET_DIR or LD_LIBRARY_PATH."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MONGOOSE_LIB", "PYTHONPATH", "CARGO_TARGET_DIR", "LD_LIBRARY_PATH", "PYTHONHOME")}
    env.update(extra or {})
    return env


def copy_package(dest):
    """python/ (and the header, for the cffi declarations) as a checkout
    without the Rust sources has them."""
    shutil.copytree(PYDIR, dest / "python",
                    ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info", "*.so", "*.cdef"))
    (dest / "include").mkdir()
    shutil.copy(REPO / "include" / "mongoose.h", dest / "include" / "mongoose.h")
    return dest / "python"


def run_pip(py, args, cwd, env):
    r = subprocess.run([str(py), "-m", "pip", "--disable-pip-version-check", *args],
                       capture_output=True, text=True, cwd=cwd, env=env, timeout=300)
    offline = ("network", "connection", "no matching distribution", "could not find a version", "temporary failure")
    if r.returncode != 0 and any(w in r.stderr.lower() for w in offline):
        pytest.skip("pip cannot reach the package index to fetch setuptools: " + r.stderr[-300:])
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def test_pip_install_into_a_fresh_venv_then_import_from_anywhere(tmp_path):
    """`pip install ./python` in a new venv (the build step ships the library
    built by this test run: MONGOOSE_RS_PREBUILT); then from `/`, with no
    environment variable, the package loads its own copy and serves; the
    wheel carries the library and the cffi declarations."""
    src = copy_package(tmp_path / "src")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    env = clean_env({"MONGOOSE_RS_PREBUILT": library_path()})
    run_pip(py, ["install", "--quiet", "./python"], cwd=src.parent, env=env)

    r = subprocess.run([str(py), "-c", ROUND_TRIP], capture_output=True, text=True, cwd="/", env=clean_env(), timeout=60)
    assert r.returncode == 0, r.stderr
    lib_path, body = r.stdout.splitlines()
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_path('platlib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    assert lib_path == os.path.join(site, "mongoose_rs", "libmongoose.so")
    assert body == "b'hello /round-trip\\n'"
    code = "from mongoose_rs import cdef; print(cdef.CDEF_FILE.exists(), len(cdef.cdef()) > 10000)"
    r = subprocess.run([str(py), "-c", code], capture_output=True, text=True, cwd="/", env=clean_env())
    assert r.stdout.split() == ["True", "True"], r.stderr

    wheels = tmp_path / "wheels"
    run_pip(py, ["wheel", "--quiet", "--no-deps", "-w", str(wheels), "./python"], cwd=src.parent, env=env)
    (whl,) = wheels.glob("*.whl")
    assert whl.name.startswith("mongoose_rs-") and whl.name.endswith("-py3-none-linux_x86_64.whl"), whl.name
    import zipfile

    with zipfile.ZipFile(whl) as z:
        names = set(z.namelist())
        assert {"mongoose_rs/libmongoose.so", "mongoose_rs/mongoose.cdef", "mongoose_rs/__init__.py"} <= names
        assert z.getinfo("mongoose_rs/libmongoose.so").file_size == os.path.getsize(library_path())


def test_a_system_installed_library_is_found(tmp_path):
    """`make install` + a package without its own copy: found through
    ctypes.util.find_library (here via LD_LIBRARY_PATH) by its soname."""
    prefix = tmp_path / "prefix"
    r = subprocess.run(["make", "-s", "-C", str(REPO), "install", f"PREFIX={prefix}",
                        f"BUILD={os.path.dirname(library_path())}", "CARGO=true"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    pkg = copy_package(tmp_path / "src")
    env = clean_env({"PYTHONPATH": str(pkg), "LD_LIBRARY_PATH": str(prefix / "lib")})
    r = subprocess.run([sys.executable, "-c", ROUND_TRIP], capture_output=True, text=True, cwd="/", env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["libmongoose.so.0", "b'hello /round-trip\\n'"]


def test_not_found_lists_only_the_places_looked_at(tmp_path):
    pkg = copy_package(tmp_path / "src")
    env = clean_env({"PYTHONPATH": str(pkg)})
    r = subprocess.run([sys.executable, "-c", "import mongoose_rs"], capture_output=True, text=True, cwd="/", env=env)
    if r.returncode == 0:
        pytest.skip("a libmongoose is installed system-wide")
    err = r.stderr.strip().splitlines()[-1]
    assert err == (
        f"OSError: mongoose_rs: libmongoose.so not found; looked at: {pkg}/mongoose_rs/libmongoose.so; "
        "the system's library path (ctypes.util.find_library('mongoose')). Install the package with pip "
        "(it carries the library), run `make install` in the mongoose-rs repository, or set MONGOOSE_LIB "
        "to the library's path."
    )


def test_every_public_member_has_a_docstring():
    import inspect

    from mongoose_rs import cdef

    missing = []
    for mod, names in ((mongoose_rs, mongoose_rs.__all__), (cdef, cdef.__all__)):
        for n in names:
            o = getattr(mod, n)
            if not (inspect.isclass(o) or inspect.isfunction(o)):
                continue
            if not o.__doc__:
                missing.append(n)
            if inspect.isclass(o):
                for k, v in vars(o).items():
                    if k.startswith("_") and k not in ("__init__", "__enter__", "__exit__", "__repr__"):
                        continue
                    if (isinstance(v, property) or inspect.isfunction(v)) and not v.__doc__:
                        missing.append(f"{n}.{k}")
    assert missing == []
