#!/usr/bin/env python3
"""TLS measurements (issue 15): mongoose-rs (bench/servers/hello.c with a
certificate, rustls inside the library) against nginx with TLS (one
worker, the same certificate and key, session cache and tickets off), in
the same run, with bench.py's method: server pinned on CPU 0, load
generator on CPU 1, server CPU from /proc/<pid>/stat, the servers
interleaved round by round, medians reported with ours/nginx ratios.

Scenarios:
  hs    full handshakes per second: `openssl s_time -new` (a new session
        per connection, no resumption; TLS 1.3, ECDHE + ECDSA P-256), with
        server CPU per handshake;
  ka    https keep-alive: wrk -c50 over https, requests/s and server CPU
        per request;
  idle  RSS per idle TLS connection: N connections complete the handshake
        and then send nothing; VmRSS of the server (nginx: its worker)
        before and after, divided by N.

    bench/tls_bench.py [--rounds 3] [--duration 5] [--idle 1000]

Needs: wrk, nginx (with the ssl module: nginx-light has it), openssl,
taskset; builds the release library into $CARGO_TARGET_DIR (default
target/). Not part of the test suite.
"""
import argparse
import datetime
import os
import re
import selectors
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import bench  # noqa: E402  (helpers: cpu_ticks, vm_rss_kb, parse_wrk, Server, ...)
from bench import CLIENT_CPU, CLK_TCK, SERVER_CPU, Server, cpu_ticks, loadavg, log, parse_wrk, vm_rss_kb  # noqa: E402


class OursTls(Server):
    name = "mongoose-rs"

    def argv(self):
        w = self.workdir
        return [os.path.join(w, "hello"), f"https://127.0.0.1:{self.port}", w, w + "/cert.pem", w + "/key.pem"]


class NginxTls(bench.Nginx):
    name = "nginx"

    def argv(self):
        prefix = os.path.join(self.workdir, f"nginx-{self.port}")
        for d in ("tmp", "logs"):
            os.makedirs(os.path.join(prefix, d), exist_ok=True)
        with open(os.path.join(HERE, "servers", "nginx-tls.conf.in")) as f:
            conf = (f.read().replace("@PORT@", str(self.port)).replace("@CERT@", self.workdir + "/cert.pem")
                    .replace("@KEY@", self.workdir + "/key.pem"))
        with open(os.path.join(prefix, "nginx.conf"), "w") as f:
            f.write(conf)
        return [shutil.which("nginx") or "/usr/sbin/nginx", "-p", prefix, "-c", prefix + "/nginx.conf", "-e", "stderr"]


def s_time(srv, seconds):
    """Full handshakes (each on a new TCP connection, no resumption) for
    `seconds`; returns (handshakes/s, server CPU us per handshake)."""
    cmd = ["taskset", "-c", CLIENT_CPU, "openssl", "s_time", "-connect", f"127.0.0.1:{srv.port}", "-new",
           "-time", str(seconds)]
    pids = srv.cpu_pids()
    t0 = cpu_ticks(pids)
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    t1 = cpu_ticks(pids)
    m = re.search(r"(\d+) connections in ([\d.]+)s; ([\d.]+) connections/user sec", out)
    if not m:
        raise RuntimeError("cannot parse s_time output:\n" + out)
    n, real = int(m.group(1)), float(m.group(2))
    # s_time's rate is per second of its own user time; ours is per wall second.
    return {"rate": n / real if real else 0.0, "cpu_us": (t1 - t0) * 1e6 / CLK_TCK / max(n, 1), "n": n}


def wrk(srv, conns, seconds):
    cmd = ["taskset", "-c", CLIENT_CPU, "wrk", "-t1", f"-c{conns}", f"-d{seconds}s", "--latency", "--timeout", "5s",
           f"https://127.0.0.1:{srv.port}/"]
    pids = srv.cpu_pids()
    t0 = cpu_ticks(pids)
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    t1 = cpu_ticks(pids)
    r = parse_wrk(out)
    r["cpu_us"] = (t1 - t0) * 1e6 / CLK_TCK / max(r["requests"], 1)
    r["rate"] = r["rps"]
    return r


def idle_helper(port, n):
    """Child mode: N TLS connections to 127.0.0.1:port, handshakes done
    (non-blocking, 64 in flight), then held until stdin closes."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    sel = selectors.DefaultSelector()
    done, pending = [], {}
    deadline = time.monotonic() + 120
    while len(done) < n:
        if time.monotonic() > deadline:
            sys.exit(f"only {len(done)}/{n} handshakes in 120 s")
        while len(pending) < 64 and len(done) + len(pending) < n:
            raw = socket.create_connection(("127.0.0.1", port))
            raw.setblocking(False)
            s = ctx.wrap_socket(raw, do_handshake_on_connect=False)
            pending[s.fileno()] = s
            sel.register(s, selectors.EVENT_WRITE)
        for key, _ in sel.select(timeout=1.0):
            s = pending[key.fd]
            try:
                s.do_handshake()
            except ssl.SSLWantReadError:
                sel.modify(s, selectors.EVENT_READ)
                continue
            except ssl.SSLWantWriteError:
                sel.modify(s, selectors.EVENT_WRITE)
                continue
            sel.unregister(s)
            del pending[key.fd]
            done.append(s)
    print(f"ready {len(done)}", flush=True)
    sys.stdin.read()


def idle_rss(srv, n):
    rss0 = vm_rss_kb(srv.rss_pid())
    helper = subprocess.Popen(["taskset", "-c", CLIENT_CPU, sys.executable, os.path.abspath(__file__),
                               "--idle-helper", str(srv.port), str(n)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = helper.stdout.readline()
        if not line.startswith("ready"):
            raise RuntimeError(f"idle helper: {line!r}")
        time.sleep(1.0)
        rss1 = vm_rss_kb(srv.rss_pid())
    finally:
        helper.stdin.close()
        helper.wait(timeout=60)
    return {"rss0": rss0, "rss1": rss1, "per_conn": (rss1 - rss0) * 1024 / n}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--idle", type=int, default=1000)
    ap.add_argument("--conns", type=int, default=50)
    ap.add_argument("--base-port", type=int, default=18300)
    ap.add_argument("--out", help="also write the report (markdown) here")
    ap.add_argument("--idle-helper", nargs=2, type=int, metavar=("PORT", "N"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.idle_helper:
        return idle_helper(*a.idle_helper)
    for tool in ("wrk", "nginx", "openssl", "taskset", "gcc"):
        if not shutil.which(tool) and not os.path.exists("/usr/sbin/" + tool):
            sys.exit(f"missing {tool} (apt-get install wrk nginx-light)")
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    libdir = os.path.join(target, "release")
    log(f"building the release library into {libdir}")
    subprocess.run(["cargo", "build", "--release", "-q"], cwd=REPO, check=True)
    work = tempfile.mkdtemp(prefix="mg-tls-bench.")
    os.chmod(work, 0o755)  # nginx workers run as nobody
    subprocess.run(["gcc", "-std=c99", "-O2", "-D_DEFAULT_SOURCE", "-I", os.path.join(REPO, "include"),
                    os.path.join(HERE, "servers", "hello.c"), "-o", os.path.join(work, "hello"), "-L", libdir,
                    f"-Wl,-rpath,{libdir}", "-lmongoose", "-lpthread"], check=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", work + "/key.pem", "-out", work + "/cert.pem", "-days", "2", "-subj", "/CN=localhost"],
                   check=True, capture_output=True)
    for f in ("key.pem", "cert.pem"):
        os.chmod(os.path.join(work, f), 0o644)
    load0 = loadavg()
    servers = [OursTls(a.base_port + 1, work), NginxTls(a.base_port + 2, work)]
    res = {s.name: {"hs": [], "ka": []} for s in servers}
    idle = {}
    try:
        for s in servers:
            s.start()
        for s in servers:  # warmup
            s_time(s, 1)
            wrk(s, a.conns, 1)
        for r in range(a.rounds):
            for s in servers:
                h = s_time(s, a.duration)
                res[s.name]["hs"].append(h)
                log(f"  round {r + 1} {s.name:12s} handshakes {h['rate']:8.0f}/s  cpu {h['cpu_us']:8.1f} us/hs")
            for s in servers:
                k = wrk(s, a.conns, a.duration)
                res[s.name]["ka"].append(k)
                log(f"  round {r + 1} {s.name:12s} keep-alive {k['rate']:8.0f} req/s cpu {k['cpu_us']:6.2f} us/req"
                    + (f" errors {k['errors']}" if k["errors"] or k["non2xx"] else ""))
        for s in servers:
            idle[s.name] = idle_rss(s, a.idle)
            log(f"  {s.name:12s} idle: VmRSS {idle[s.name]['rss0']} -> {idle[s.name]['rss1']} kB, "
                f"{idle[s.name]['per_conn']:.0f} B/conn")
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(work, ignore_errors=True)

    def med(name, sc, key):
        return statistics.median(x[key] for x in res[name][sc])

    ours, peer = servers[0].name, servers[1].name
    lines = [f"date: {datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}   command: "
             f"bench/tls_bench.py {' '.join(sys.argv[1:])}",
             f"{a.rounds} rounds x {a.duration}s, server on CPU {SERVER_CPU}, load on CPU {CLIENT_CPU}; "
             f"load average at start {load0}, at end {loadavg()}",
             "", "| measurement | mongoose-rs | nginx | ratio (ours/nginx) |", "|---|---:|---:|---:|"]
    for sc, key, what, fmt in (("hs", "rate", "full handshakes/s (openssl s_time -new)", "{:,.0f}"),
                               ("hs", "cpu_us", "server CPU per full handshake (us)", "{:,.0f}"),
                               ("ka", "rate", f"https keep-alive req/s (wrk -c{a.conns})", "{:,.0f}"),
                               ("ka", "cpu_us", "server CPU per https request, keep-alive (us)", "{:.2f}")):
        o, p = med(ours, sc, key), med(peer, sc, key)
        lines.append(f"| {what} | {fmt.format(o)} | {fmt.format(p)} | {o / p:.2f} |")
    o, p = idle[ours]["per_conn"], idle[peer]["per_conn"]
    lines.append(f"| RSS per idle TLS connection ({a.idle} conns) | {o:,.0f} B | {p:,.0f} B | {o / p:.2f} |")
    text = "\n".join(lines)
    print(text)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
