"""WebSocket benchmark (issue 14; not part of the tests).

    python3 bench/ws_bench.py [--conns 100] [--seconds 5] [--rounds 3] [--idle 10000]

Echo of 64-byte binary messages over CONNS connections (bench/ws_load.c keeps
one message in flight per connection) against:
  * c-examples/websocket-server built on mongoose-rs (C),
  * bench/servers/py_ws_echo.py on mongoose_rs (ctypes) and on cymongoose
    (Cython binding with Mongoose 7.23 inside): the same Python program;
messages per second and server CPU (user+system, from /proc) per message,
best of ROUNDS. Then IDLE idle WebSocket connections held open against the
C server: server RSS growth per connection. Server on CPU 0 and the load
generator on CPU 1 when taskset exists. Needs gcc and a release build
(cargo build --release); cymongoose is skipped if not installed.
"""
import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIBDIR = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release")
TICK = os.sysconf("SC_CLK_TCK")


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def pinned(cpu, cmd):
    return (["taskset", "-c", str(cpu)] if shutil.which("taskset") else []) + cmd


def start(cmd, env=None):
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env, preexec_fn=raise_nofile, text=True)
    line = p.stdout.readline()
    if "listening on" not in line:
        p.kill()
        raise RuntimeError(f"{cmd}: {line!r}")
    return p, int(line.strip().rsplit(":", 1)[1])


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def stop(p):
    p.terminate()
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def echo_round(load, port, conns, seconds, pid):
    c0 = cpu_seconds(pid)
    out = subprocess.run(
        pinned(1, [load, str(port), str(conns), str(seconds), "64"]),
        capture_output=True, text=True, preexec_fn=raise_nofile, timeout=seconds + 60,
    )
    cpu = cpu_seconds(pid) - c0
    kv = dict(x.split("=") for x in out.stdout.split())
    msgs, secs = int(kv["messages"]), float(kv["seconds"])
    return msgs / secs, cpu / max(msgs, 1) * 1e6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--conns", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--idle", type=int, default=10000)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="ws-bench.")
    load = os.path.join(work, "ws_load")
    server = os.path.join(work, "websocket-server")
    subprocess.check_call(["gcc", "-O2", "-o", load, os.path.join(ROOT, "bench", "ws_load.c")])
    subprocess.check_call(["gcc", "-std=c99", "-O2", "-D_DEFAULT_SOURCE", "-I", os.path.join(ROOT, "include"),
                           os.path.join(ROOT, "c-examples", "websocket-server", "main.c"), "-o", server,
                           "-L", LIBDIR, f"-Wl,-rpath,{LIBDIR}", "-lmongoose", "-lpthread"])
    py = os.path.join(ROOT, "bench", "servers", "py_ws_echo.py")
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"),
               MONGOOSE_LIB=os.path.join(LIBDIR, "libmongoose.so"))
    servers = [("C, mongoose-rs", pinned(0, [server, "http://127.0.0.1:0", "1000000000"]))]
    servers.append(("Python, mongoose_rs", pinned(0, [sys.executable, py, "mongoose_rs", "http://127.0.0.1:0"])))
    try:
        import cymongoose  # noqa: F401
        servers.append(("Python, cymongoose", pinned(0, [sys.executable, py, "cymongoose", "http://127.0.0.1:0"])))
    except ImportError:
        print("cymongoose not installed: skipped", file=sys.stderr)
    rows = []
    for name, cmd in servers:
        p, port = start(cmd, env)
        try:
            best = max((echo_round(load, port, a.conns, a.seconds, p.pid) for _ in range(a.rounds)),
                       key=lambda r: r[0])
        finally:
            stop(p)
        rows.append((name, *best))
    print(f"| server ({a.conns} connections, 64-byte echo) | messages/s | server CPU µs/message |")
    print("| --- | --- | --- |")
    for name, rate, us in rows:
        print(f"| {name} | {rate:,.0f} | {us:.2f} |")
    if a.idle:
        p, port = start(servers[0][1], env)
        try:
            before = rss_kib(p.pid)
            holder = subprocess.Popen(pinned(1, [load, str(port), str(a.idle), "-1"]), stdout=subprocess.PIPE,
                                      text=True, preexec_fn=raise_nofile)
            ok = holder.stdout.readline().strip() == "open"
            time.sleep(1)
            after = rss_kib(p.pid)
            holder.kill()
            holder.wait()
        finally:
            stop(p)
        if ok:
            print(f"\n{a.idle} idle WebSocket connections (C server): RSS {before} -> {after} KiB, "
                  f"{(after - before) * 1024 / a.idle:,.0f} bytes per connection")
        else:
            print("idle scenario failed (descriptor limit?)", file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
