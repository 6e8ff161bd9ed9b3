"""Scenario (d) in both poll modes, beside real Mongoose (issue 19 item 4).

    python3 bench/idle_cpu.py [--idle 10000] [--duration 5]

Same servers as idle_mem.py. Per server, on a fresh process: wrk -c50 with
no idle connections, then with --idle idle connections held open, then wrk
-c1 with them; server CPU µs per request from /proc (utime+stime) over the
wrk run. Server on CPU 0, wrk and the idle holder on CPU 1.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import shutil

import idle_mem as im

TICK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return int(parts[11]) + int(parts[12])


def wrk(port, conns, secs, pid):
    t0 = cpu_ticks(pid)
    out = subprocess.run(["taskset", "-c", "1", "wrk", "-t1", f"-c{conns}", f"-d{secs}",
                          f"http://127.0.0.1:{port}/"], capture_output=True, text=True).stdout
    t1 = cpu_ticks(pid)
    reqs = int(re.search(r"(\d+) requests in", out).group(1))
    return (t1 - t0) * 1e6 / TICK / max(reqs, 1), reqs / secs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--idle", type=int, default=10000)
    ap.add_argument("--duration", type=int, default=5)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp()
    servers = im.build(tmp)
    port = 18800
    print("| server | c=50, 0 idle | c=50, %d idle | ratio | c=1, %d idle | c=1 Δ vs 0 idle |" % (a.idle, a.idle))
    print("|---|---:|---:|---:|---:|---:|")
    for name, cmd in servers.items():
        port += 1
        p = im.start(cmd, port)
        im.one_request(port)
        base, _ = wrk(port, 50, a.duration, p.pid)
        base1, _ = wrk(port, 1, a.duration, p.pid)
        idle = subprocess.Popen(["taskset", "-c", "1", sys.executable, os.path.join(im.HERE, "idle_conns.py"),
                                 "127.0.0.1", str(port), str(a.idle)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert idle.stdout.readline().startswith(b"ready")
        with_idle, _ = wrk(port, 50, a.duration, p.pid)
        with_idle1, _ = wrk(port, 1, a.duration, p.pid)
        idle.stdin.close()
        idle.wait()
        p.stdin.close()
        p.wait()
        print(f"| {name} | {base:.2f} µs | {with_idle:.2f} µs | {with_idle / base:.2f}x | "
              f"{with_idle1:.1f} µs (0 idle: {base1:.1f}) | {with_idle1 - base1:+.1f} µs |", flush=True)
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
