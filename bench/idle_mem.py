"""Idle-connection memory and burst RSS, mongoose-rs beside real Mongoose.

    python3 bench/idle_mem.py [--idle 10000] [--burst 3000]

Servers: bench/servers/hello_idle.c built against target/release
(mongoose-rs; default mode and with mg_mgr_set_poll_interval(1000)) and
against cymongoose's extension module (Mongoose 7.23 inside, linked as a
plain shared library). For each, on a fresh server:
  * RSS per idle connection: VmRSS before / after --idle connections that
    send nothing (bench/idle_conns.py), divided by their number;
  * burst: VmRSS after one request, then --burst connections opened at
    once, each sending a request and reading its response, all closed;
    VmRSS once the server has closed them (issue 17 item 8).
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ORACLE = ("/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/cymongoose/"
          "_mongoose.cpython-311-x86_64-linux-gnu.so")


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def nconns(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def settle(pid, want_fds=None, timeout=60):
    """Wait until the server's fd count reaches want_fds (if given) and its
    RSS stays put for 1.5 s."""
    end = time.monotonic() + timeout
    if want_fds is not None:
        while nconns(pid) != want_fds and time.monotonic() < end:
            time.sleep(0.05)
    last = rss_kb(pid)
    while time.monotonic() < end:
        time.sleep(1.5)  # > the library's 1 s trim period
        cur = rss_kb(pid)
        if cur == last:
            return cur
        last = cur
    return last


def build(tmp):
    inc = os.path.join(ROOT, "include")
    src = os.path.join(HERE, "servers", "hello_idle.c")
    rel = os.path.join(ROOT, "target", "release")
    ours = os.path.join(tmp, "hello_ours")
    subprocess.check_call(["gcc", "-O2", "-DHAVE_POLL_INTERVAL", "-I", inc, src, "-o", ours,
                           "-L", rel, "-lmongoose", f"-Wl,-rpath,{rel}"])
    out = {"mongoose-rs": [ours], "mongoose-rs, poll interval 1000 ms": [ours, None, "1000"]}
    if os.path.exists(ORACLE):
        shutil.copy(ORACLE, os.path.join(tmp, "libmgoracle.so"))
        orc = os.path.join(tmp, "hello_oracle")
        # The module refers to libpython's data symbols: link it too (it
        # adds to the baseline only; nothing of it runs).
        import sysconfig
        libdir = sysconfig.get_config_var("LIBDIR")
        pylib = sysconfig.get_config_var("LDLIBRARY")[3:].rsplit(".so", 1)[0]
        subprocess.check_call(["gcc", "-O2", "-I", inc, src, "-o", orc, "-L", tmp, "-lmgoracle",
                               "-L", libdir, f"-l{pylib}",
                               "-Wl,--allow-shlib-undefined", f"-Wl,-rpath,{tmp}:{libdir}"])
        out["Mongoose 7.23 (cymongoose .so)"] = [orc]
    return out


def start(cmd, port):
    argv = [cmd[0], f"http://127.0.0.1:{port}"] + [a for a in cmd[2:]]
    p = subprocess.Popen(["taskset", "-c", "0"] + argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    # (Mongoose may log to stdout first.)
    for _ in range(100):
        line = p.stdout.readline()
        if not line or line.startswith(b"listening"):
            break
    assert line.startswith(b"listening"), (argv, line)
    # Keep draining its stdout (logs), or it would block on a full pipe.
    threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()
    return p


def one_request(port):
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        s.recv(1000)


def burst(port, n):
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        socks.append(s)
    for s in socks:
        s.settimeout(10)
        assert s.recv(1000).startswith(b"HTTP/1.1 200")
    for s in socks:
        s.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idle", type=int, default=10000)
    ap.add_argument("--burst", type=int, default=3000)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp()
    servers = build(tmp)
    rows = []
    port = 18700
    for name, cmd in servers.items():
        port += 1
        p = start(cmd, port)
        one_request(port)
        fds0 = nconns(p.pid)
        r0 = settle(p.pid)
        idle = subprocess.Popen(["taskset", "-c", "1", sys.executable, os.path.join(HERE, "idle_conns.py"),
                                 "127.0.0.1", str(port), str(a.idle)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert idle.stdout.readline().startswith(b"ready")
        r1 = settle(p.pid, fds0 + a.idle)
        idle.stdin.close()
        idle.wait()
        p.stdin.close()
        p.wait()
        # Burst, on a fresh server.
        port += 1
        p = start(cmd, port)
        one_request(port)
        fds0 = nconns(p.pid)
        b0 = settle(p.pid)
        burst(port, a.burst)
        b1 = settle(p.pid, fds0)
        p.stdin.close()
        p.wait()
        rows.append((name, r0, r1, (r1 - r0) * 1024 / a.idle, b0, b1))
    print(f"| server | VmRSS 0 idle | VmRSS {a.idle} idle | RSS per idle conn | "
          f"VmRSS before burst | after {a.burst}-conn burst | burst Δ |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, r0, r1, per, b0, b1 in rows:
        print(f"| {name} | {r0:,} kB | {r1:,} kB | {per:.0f} B | {b0:,} kB | {b1:,} kB | {b1 - b0:+,} kB |")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
