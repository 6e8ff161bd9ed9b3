"""Shared fixtures: load the library built by cargo with ctypes, and helpers
for the mongoose_rs (python/) tests: a Manager fixture, "serve while a client
runs" drivers, example-server subprocesses."""
import ctypes
import os
import pathlib
import queue
import re
import signal
import subprocess
import sys
import threading
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
PYDIR = REPO / "python"
EXAMPLES = PYDIR / "examples"


def library_path() -> str:
    env = os.environ.get("MONGOOSE_LIB")
    if env:
        return env
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    for profile in ("debug", "release"):
        p = target / profile / "libmongoose.so"
        if p.exists():
            return str(p)
    raise RuntimeError("libmongoose.so not found: run cargo build first")


# The package must load the very library the `lib` fixture loads (the one
# `cargo build` just produced), not another profile's older build.
try:
    os.environ["MONGOOSE_LIB"] = library_path()
except RuntimeError:
    pass
if str(PYDIR) not in sys.path:
    sys.path.insert(0, str(PYDIR))


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "callback_exceptions: the test expects handler/timer callbacks to raise"
    )


@pytest.fixture(autouse=True)
def fail_on_callback_exceptions(request):
    """Assertions inside handlers and timers cannot propagate through C: the
    binding reports them instead. Record every one and fail the test that
    caused it, unless it is marked ``callback_exceptions`` (such a test reads
    the list through the ``callback_errors`` fixture)."""
    try:
        import mongoose_rs
    except Exception:  # the library failed to load: those tests fail anyway
        yield []
        return
    import traceback

    seen = []

    def hook(where, exc):
        seen.append((where, exc, "".join(traceback.format_exception(exc))))

    prev = mongoose_rs.set_callback_exception_hook(hook)
    try:
        yield seen
    finally:
        mongoose_rs.set_callback_exception_hook(prev)
    if seen and request.node.get_closest_marker("callback_exceptions") is None:
        pytest.fail(
            f"{len(seen)} exception(s) raised in callbacks:\n" + "\n".join(f"in {w}:\n{tb}" for w, _, tb in seen),
            pytrace=False,
        )


@pytest.fixture
def callback_errors(fail_on_callback_exceptions):
    """The (where, exception, traceback) list of callback exceptions seen so
    far in a test marked ``callback_exceptions``."""
    return fail_on_callback_exceptions


@pytest.fixture(scope="session")
def lib():
    return ctypes.CDLL(library_path())


# ---------------------------------------------------------------------------
# mongoose_rs helpers
# ---------------------------------------------------------------------------


@pytest.fixture
def mgr():
    """A Manager closed after the test."""
    import mongoose_rs

    m = mongoose_rs.Manager()
    yield m
    m.close()


def poll_until(manager, cond, timeout=5.0, step_ms=5):
    """Poll ``manager`` until ``cond()`` is true; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached before the deadline")
        manager.poll(step_ms)


class Bg(threading.Thread):
    """Run ``fn`` in a thread; ``result()`` returns its value or re-raises."""

    def __init__(self, fn, *args, **kw):
        super().__init__(daemon=True)
        self._call = (fn, args, kw)
        self._value = None
        self._exc = None
        self.start()

    def run(self):
        fn, args, kw = self._call
        try:
            self._value = fn(*args, **kw)
        except BaseException as e:  # noqa: BLE001 - re-raised in result()
            self._exc = e

    def result(self):
        self.join()
        if self._exc is not None:
            raise self._exc
        return self._value


def serve_while(manager, fn, *args, timeout=20.0, step_ms=5, **kw):
    """Run the client ``fn`` in a thread while polling ``manager``; return
    the client's result."""
    t = Bg(fn, *args, **kw)
    poll_until(manager, lambda: not t.is_alive(), timeout=timeout, step_ms=step_ms)
    return t.result()


def port_of(conn):
    return conn.local_addr[1]


def recv_until_closed(sock, timeout=5.0):
    """Read until EOF; returns the bytes."""
    sock.settimeout(timeout)
    out = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return out
        out += chunk


def read_response(sock, buf=b""):
    """Read one HTTP response (Content-Length framed) from a blocking socket.
    Returns (status, headers dict lower-cased, body, raw bytes, leftover)."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("EOF before a complete head: %r" % buf)
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ")[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        headers[k.strip().lower().decode()] = v.strip().decode()
    n = int(headers.get("content-length", "0"))
    while len(rest) < n:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("EOF inside the body")
        rest += chunk
    raw = head + b"\r\n\r\n" + rest[:n]
    return status, headers, rest[:n], raw, rest[n:]


# ---------------------------------------------------------------------------
# Subprocess servers (python/examples/*.py)
# ---------------------------------------------------------------------------


def example_env(extra=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PYDIR) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONUNBUFFERED"] = "1"
    if extra:
        env.update(extra)
    return env


# Library log lines (Mongoose format: "<hex ms> <level> <file>:<line>:<func> ...")
# and hexdumps may share stdout with the example's own output.
LOG_LINE = re.compile(r"^[0-9a-f]+ +[0-4] \S+:\d+:|^\s+[0-9a-f]{4}\s")


class ServerProcess:
    """A server subprocess started with ``http://127.0.0.1:0``; parses the
    port from its ``... on http://127.0.0.1:PORT`` line. stdout and stderr
    are drained by threads (a chatty server never blocks on a full pipe);
    ``lines`` holds the server's own stdout lines (library log lines are
    filtered out)."""

    LISTEN_RE = re.compile(r"https?://[0-9.]+:(\d+)")

    def __init__(self, script, *args, env=None, ready_timeout=15.0, cmd=None):
        """Run python/examples/<script> (or ``cmd``, a full command line)."""
        self.script = str(script)
        if cmd is None:
            cmd = [sys.executable, str(EXAMPLES / script), "http://127.0.0.1:0", *map(str, args)]
        self.proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=example_env(env),
            cwd=str(REPO),
        )
        self.lines = []
        self._queue = queue.Queue()
        self._err = []
        self._threads = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for t in self._threads:
            t.start()
        line = None
        deadline = time.monotonic() + ready_timeout
        while True:
            line = self.readline(max(0.0, deadline - time.monotonic()))
            if line is None or self.LISTEN_RE.search(line):
                break
        m = self.LISTEN_RE.search(line or "")
        if not m:
            self.kill()
            raise AssertionError(f"{script}: no listening line, got {self.lines}; stderr: {self.stderr()}")
        self.port = int(m.group(1))

    def _read_stdout(self):
        for raw in iter(self.proc.stdout.readline, b""):
            s = raw.decode(errors="replace").rstrip("\n")
            if not LOG_LINE.match(s):
                self._queue.put(s)
        self._queue.put(None)

    def _read_stderr(self):
        for raw in iter(self.proc.stderr.readline, b""):
            self._err.append(raw.decode(errors="replace"))

    def readline(self, timeout=5.0):
        """Next stdout line of the server (str, no newline) or None on
        EOF/timeout."""
        try:
            s = self._queue.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None
        if s is None:
            self._queue.put(None)  # stay at EOF
            return None
        self.lines.append(s)
        return s

    def wait_for_line(self, pattern, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            line = self.readline(max(0.0, deadline - time.monotonic()))
            if line is None:
                raise AssertionError(f"no line matching {pattern!r}; got {self.lines}; stderr: {self.stderr()}")
            if re.search(pattern, line):
                return line

    def signal(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)

    def wait(self, timeout=10.0):
        return self.proc.wait(timeout=timeout)

    def rest_of_stdout(self, timeout=10.0):
        while self.readline(timeout) is not None:
            pass
        return self.lines

    def stderr(self):
        if self.proc.poll() is None:
            return "<running>"
        self._threads[1].join(timeout=5)
        return "".join(self._err)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.kill()
        for t in self._threads:
            t.join(timeout=5)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return False
