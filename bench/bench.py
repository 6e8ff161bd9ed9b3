#!/usr/bin/env python3
"""mongoose-rs benchmark driver (run it through bench/run.sh).

Every server runs pinned to CPU 0, wrk (and the idle-connection helper) to
CPU 1. Each scenario: a warmup, then ROUNDS rounds of DURATION seconds per
server, the servers of a scenario interleaved round by round so that a
change of background load hits all of them alike. Per round: requests/s,
p50/p99 latency (wrk --latency), server CPU microseconds per request
(utime+stime from /proc/<pid>/stat before/after the round), and how many
of wrk's connections made progress during one second in mid-round ("live",
from `ss -ti` bytes_received; it exposes servers that starve connections).
Reported: the median of the rounds, and ours-vs-peer ratios of the medians.
"""
import argparse
import datetime
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CLK_TCK = os.sysconf("SC_CLK_TCK")
SERVER_CPU = "0"
CLIENT_CPU = "1"
OURS = "mongoose-rs"

# ----------------------------------------------------------------- helpers


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def cpu_ticks(pids):
    total = 0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total


def vm_rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def wait_port(port, proc, timeout=10.0):
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before listening on {port}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port} after {timeout}s")


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def parse_latency_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    return float(m.group(1)) * UNITS[m.group(2)]


def parse_wrk(out):
    res = {"errors": 0, "non2xx": 0, "read_errors": 0}
    for line in out.splitlines():
        line = line.strip()
        m = re.match(r"(50|99)%\s+(\S+)", line)
        if m:
            res["p" + m.group(1)] = parse_latency_ms(m.group(2))
        m = re.match(r"(\d+) requests in ([\d.]+)(\w+)", line)
        if m:
            res["requests"] = int(m.group(1))
        m = re.match(r"Requests/sec:\s+([\d.]+)", line)
        if m:
            res["rps"] = float(m.group(1))
        m = re.match(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", line)
        if m:
            connect, read, write, timeout = (int(x) for x in m.groups())
            res["errors"] = connect + write + timeout
            res["read_errors"] = read
        m = re.match(r"Non-2xx or 3xx responses: (\d+)", line)
        if m:
            res["non2xx"] = int(m.group(1))
    if "rps" not in res or "requests" not in res:
        raise RuntimeError("cannot parse wrk output:\n" + out)
    res.setdefault("p50", float("nan"))
    res.setdefault("p99", float("nan"))
    return res


def ss_bytes_received(port):
    """{peer: bytes_received} of the server side of established connections."""
    out = subprocess.run(
        ["taskset", "-c", CLIENT_CPU, "ss", "-tinH", "state", "established", f"( sport = :{port} )"],
        capture_output=True, text=True,
    ).stdout
    res = {}
    peer = None
    for line in out.splitlines():
        if not line.startswith((" ", "\t")):
            parts = line.split()
            peer = parts[-1] if len(parts) >= 4 else None
        elif peer is not None:
            m = re.search(r"bytes_received:(\d+)", line)
            res[peer] = int(m.group(1)) if m else 0
            peer = None
    return res


# ----------------------------------------------------------------- servers


class Server:
    """A server under test: a process (tree) listening on 127.0.0.1:port."""

    name = "?"

    def __init__(self, port, workdir):
        self.port = port
        self.workdir = workdir
        self.proc = None

    def argv(self):
        raise NotImplementedError

    def env(self):
        return None

    def start(self):
        logf = open(os.path.join(self.workdir, f"{self.name}.{self.port}.log"), "ab")
        self.proc = subprocess.Popen(
            ["taskset", "-c", SERVER_CPU] + self.argv(),
            stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=self.env(), cwd=self.workdir,
        )
        wait_port(self.port, self.proc)
        time.sleep(0.2)

    def cpu_pids(self):
        return [self.proc.pid] + self.children()

    def rss_pid(self):
        return self.proc.pid

    def children(self):
        try:
            with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
                return [int(x) for x in f.read().split()]
        except OSError:
            return []

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                log(f"  {self.name}: no exit 10 s after SIGTERM; killed")
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class MongooseRs(Server):
    name = OURS

    def argv(self):
        return [os.path.join(self.workdir, "hello"), f"http://127.0.0.1:{self.port}", self.workdir + "/root"]


class MongooseRsInterval(MongooseRs):
    """The same server with `mg_mgr_set_poll_interval` (scenario d only)."""

    name = OURS + " (poll interval 1000 ms)"

    def env(self):
        env = dict(os.environ)
        env["MG_POLL_INTERVAL_MS"] = "1000"
        return env


class Civetweb(Server):
    name = "civetweb"

    def argv(self):
        return [os.path.join(self.workdir, "civet"), str(self.port), self.workdir + "/root"]


class Nginx(Server):
    name = "nginx"

    def argv(self):
        prefix = os.path.join(self.workdir, f"nginx-{self.port}")
        os.makedirs(os.path.join(prefix, "tmp"), exist_ok=True)
        os.makedirs(os.path.join(prefix, "logs"), exist_ok=True)
        with open(os.path.join(HERE, "servers", "nginx.conf.in")) as f:
            conf = f.read().replace("@PORT@", str(self.port)).replace("@ROOT@", self.workdir + "/root")
        with open(os.path.join(prefix, "nginx.conf"), "w") as f:
            f.write(conf)
        return [shutil.which("nginx") or "/usr/sbin/nginx", "-p", prefix, "-c", prefix + "/nginx.conf", "-e", "stderr"]

    def rss_pid(self):
        kids = self.children()
        return kids[0] if kids else self.proc.pid  # the worker


class PyServer(Server):
    binding = "?"

    def argv(self):
        return [sys.executable, os.path.join(HERE, "servers", "py_hello.py"), self.binding,
                f"http://127.0.0.1:{self.port}"]

    def env(self):
        env = dict(os.environ)
        env["PYTHONPATH"] = os.path.join(REPO, "python")
        env["MONGOOSE_LIB"] = os.environ.get("MONGOOSE_LIB", "")
        return env


class PyOurs(PyServer):
    name = "py " + OURS
    binding = "mongoose_rs"


class PyCy(PyServer):
    name = "py cymongoose"
    binding = "cymongoose"


# ----------------------------------------------------------------- running


class Runner:
    def __init__(self, args, workdir):
        self.args = args
        self.workdir = workdir
        self.next_port = args.base_port
        self.results = []  # one dict per (scenario, server)

    def port(self):
        self.next_port += 1
        return self.next_port

    def wrk(self, srv, conns, duration, path="/", close=False, sample_live=False):
        cmd = ["taskset", "-c", CLIENT_CPU, "wrk", "-t1", f"-c{conns}", f"-d{duration}s", "--latency",
               "--timeout", "5s"]
        if close:
            cmd += ["-H", "Connection: close"]
        cmd.append(f"http://127.0.0.1:{srv.port}{path}")
        pids = srv.cpu_pids()
        t0 = cpu_ticks(pids)
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        live = None
        if sample_live:
            time.sleep(max(duration / 2 - 0.5, 0.5))
            a = ss_bytes_received(srv.port)
            time.sleep(1.0)
            b = ss_bytes_received(srv.port)
            live = sum(1 for k, v in b.items() if k in a and v > a[k])
        out, _ = p.communicate()
        t1 = cpu_ticks(pids)
        res = parse_wrk(out)
        res["cpu_us"] = (t1 - t0) * 1e6 / CLK_TCK / res["requests"] if res["requests"] else float("inf")
        res["live"] = live
        return res

    def measure(self, scenario, servers, conns, path="/", close=False, label=None, extra=None):
        """Warmup + interleaved rounds over `servers`; appends to results."""
        a = self.args
        sample = not close
        for srv in servers:
            self.wrk(srv, conns, a.warmup, path, close)
        rounds = {srv.name: [] for srv in servers}
        for r in range(a.rounds):
            for srv in servers:
                res = self.wrk(srv, conns, a.duration, path, close, sample_live=sample)
                rounds[srv.name].append(res)
                log(f"  {label or scenario} {srv.name:14s} round {r + 1}: {res['rps']:9.0f} req/s "
                    f"p50 {fmt_ms(res['p50'])} p99 {fmt_ms(res['p99'])} cpu {res['cpu_us']:.2f} us/req"
                    + (f" live {res['live']}/{conns}" if res["live"] is not None else "")
                    + (f" errors {res['errors']}" if res["errors"] else "")
                    + (f" read-errors {res['read_errors']}" if res["read_errors"] else "")
                    + (f" non2xx {res['non2xx']}" if res["non2xx"] else ""))
        out = []
        for srv in servers:
            rs = rounds[srv.name]
            row = {
                "scenario": scenario, "label": label or scenario, "server": srv.name, "conns": conns,
                "rps": statistics.median(x["rps"] for x in rs),
                "p50": statistics.median(x["p50"] for x in rs),
                "p99": statistics.median(x["p99"] for x in rs),
                "cpu_us": statistics.median(x["cpu_us"] for x in rs),
                "cpu_min": min(x["cpu_us"] for x in rs), "cpu_max": max(x["cpu_us"] for x in rs),
                "rps_min": min(x["rps"] for x in rs), "rps_max": max(x["rps"] for x in rs),
                "live": (statistics.median(x["live"] for x in rs) if sample else None),
                "errors": sum(x["errors"] for x in rs), "non2xx": sum(x["non2xx"] for x in rs),
                "read_errors": sum(x["read_errors"] for x in rs),
                "requests": sum(x["requests"] for x in rs),
                "rounds": rs,
            }
            if extra and srv.name in extra:
                row.update(extra[srv.name])
            out.append(row)
        self.results.extend(out)
        return out

    def c_servers(self, kinds):
        return [k(self.port(), self.workdir) for k in kinds]

    def run_group(self, kinds, scenarios):
        servers = self.c_servers(kinds)
        try:
            for s in servers:
                s.start()
            for sc in scenarios:
                log(f"== {sc['label']}")
                self.measure(sc["id"], servers, sc["conns"], sc.get("path", "/"), sc.get("close", False),
                             sc["label"])
        finally:
            for s in servers:
                s.stop()

    def run_idle(self, kinds, conns, idle):
        """Scenario (d): c=conns hello, first with 0 then with `idle` idle connections."""
        for kind in kinds:
            srv = kind(self.port(), self.workdir)
            srv.start()
            helper = None
            try:
                log(f"== (d) {srv.name}: 0 idle")
                base = self.measure("d0", [srv], conns, label=f"(d) hello c={conns}, 0 idle")
                rss0 = vm_rss_kb(srv.rss_pid())
                helper = subprocess.Popen(
                    ["taskset", "-c", CLIENT_CPU, sys.executable, os.path.join(HERE, "idle_conns.py"),
                     "127.0.0.1", str(srv.port), str(idle)],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                line = helper.stdout.readline()
                if not line.startswith("ready"):
                    raise RuntimeError(f"idle helper failed: {line!r}")
                time.sleep(1.0)
                rss1 = vm_rss_kb(srv.rss_pid())
                per_conn = (rss1 - rss0) * 1024 / idle
                log(f"== (d) {srv.name}: {idle} idle (RSS {rss0} -> {rss1} kB, {per_conn:.0f} B/conn)")
                rows = self.measure("d", [srv], conns, label=f"(d) hello c={conns}, {idle} idle",
                                    extra={srv.name: {"rss0_kb": rss0, "rss1_kb": rss1,
                                                      "rss_per_conn": per_conn,
                                                      "cpu_vs_0idle": None}})
                # The same idle crowd under a light load: one request per
                # loop iteration, so the per-iteration walk over every
                # connection (MG_EV_POLL) is most of the cost.
                self.measure("d1", [srv], 1, label=f"(d) hello c=1, {idle} idle")
                helper.stdin.close()
                tail = helper.stdout.read()
                helper.wait(timeout=30)
                helper = None
                m = re.search(r"closed-by-server (\d+)", tail)
                rows[0]["idle_closed"] = int(m.group(1)) if m else None
                rows[0]["cpu_vs_0idle"] = rows[0]["cpu_us"] / base[0]["cpu_us"]
                rows[0]["rps_vs_0idle"] = rows[0]["rps"] / base[0]["rps"]
            finally:
                if helper is not None:
                    helper.kill()
                    helper.wait()
                srv.stop()


# ----------------------------------------------------------------- report


def fmt_ms(ms):
    if ms != ms:
        return "   n/a"
    if ms < 1:
        return f"{ms * 1000:.0f}us"
    if ms < 100:
        return f"{ms:.2f}ms"
    return f"{ms:.0f}ms"


def fmt_ratio(x):
    return "-" if x is None or x != x else f"{x:.2f}"


def report(results, meta):
    lines = []
    p = lines.append
    p(f"date: {meta['date']}   command: {meta['command']}")
    p(f"rounds: {meta['rounds']} x {meta['duration']}s (+{meta['warmup']}s warmup), server on CPU "
      f"{SERVER_CPU}, wrk -t1 on CPU {CLIENT_CPU}, CLK_TCK={CLK_TCK}")
    p(f"load average at start: {meta['load_start']}   at end: {meta['load_end']}")
    p(f"mongoose-rs library: {meta['lib']}")
    p("")
    p("Values are medians of the rounds. Ratio columns = mongoose-rs / that row "
      "(req/s: >1 is better for us; p50, p99, CPU: <1 is better for us).")
    p("live = wrk connections that got at least one response during 1 s in mid-round.")
    p("")
    labels = []
    for r in results:
        if r["label"] not in labels:
            labels.append(r["label"])
    for label in labels:
        rows = [r for r in results if r["label"] == label]
        ours = next((r for r in rows if r["server"] in (OURS, "py " + OURS)), None)
        p(f"### {label}")
        p("")
        p("| server | req/s | p50 | p99 | CPU us/req (min-max) | live | req/s ratio | p50 ratio | p99 ratio | CPU ratio |")
        p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            live = "-" if r["live"] is None else f"{r['live']:.0f}/{r['conns']}"
            if ours is not None:
                rr = [ours["rps"] / r["rps"] if r["rps"] else None,
                      ours["p50"] / r["p50"] if r["p50"] else None,
                      ours["p99"] / r["p99"] if r["p99"] else None,
                      ours["cpu_us"] / r["cpu_us"] if r["cpu_us"] else None]
            else:
                rr = [None] * 4
            note = ""
            if r["errors"] or r["non2xx"]:
                note = f" (errors {r['errors']}, non-2xx {r['non2xx']})"
            if r["read_errors"]:
                if r["scenario"] == "b":
                    # wrk keeps a connection whose response lacks "Connection:
                    # close", sends the next request and finds EOF: one read
                    # "error" per request, benign (see README).
                    note += f" (EOF-closes {r['read_errors'] / max(r['requests'], 1):.2f}/req)"
                else:
                    note += f" (read errors {r['read_errors']})"
            p(f"| {r['server']}{note} | {r['rps']:,.0f} | {fmt_ms(r['p50'])} | {fmt_ms(r['p99'])} | "
              f"{r['cpu_us']:.2f} ({r['cpu_min']:.2f}-{r['cpu_max']:.2f}) | {live} | " + " | ".join(fmt_ratio(x) for x in rr) + " |")
        if any("rss_per_conn" in r for r in rows):
            p("")
            p("| server | VmRSS 0 idle | VmRSS with idle | RSS per idle conn | CPU/req vs 0 idle | req/s vs 0 idle | idle conns closed by server |")
            p("|---|---:|---:|---:|---:|---:|---:|")
            for r in rows:
                p(f"| {r['server']} | {r['rss0_kb']:,} kB | {r['rss1_kb']:,} kB | {r['rss_per_conn']:.0f} B | "
                  f"{fmt_ratio(r['cpu_vs_0idle'])}x | {fmt_ratio(r.get('rps_vs_0idle'))}x | {r.get('idle_closed')} |")
        p("")
    # Targets from issue 7.
    p("### Targets (issue 7)")
    p("")
    p("| target | measured | verdict |")
    p("|---|---|---|")
    for label in labels:
        rows = [r for r in results if r["label"] == label]
        ours = next((r for r in rows if r["server"] == OURS), None)
        peers = [r for r in rows if r["server"] in ("civetweb", "nginx")]
        if ours and peers:
            if any(r["errors"] or r["non2xx"] for r in [ours] + peers):
                p(f"| CPU/req <= best C peer: {label} | errors or non-2xx replies: not comparable | ? |")
                continue
            best = min(peers, key=lambda r: r["cpu_us"])
            ratio = ours["cpu_us"] / best["cpu_us"]
            starving = best["live"] is not None and best["live"] < best["conns"]
            note = f" (but {best['server']} served only {best['live']:.0f}/{best['conns']} connections)" if starving else ""
            p(f"| CPU/req <= best C peer: {label} | {ours['cpu_us']:.2f} vs {best['server']} "
              f"{best['cpu_us']:.2f} us ({ratio:.2f}x){note} | {'met' if ratio <= 1.0 else 'MISSED'} |")
            fair = [r for r in peers if r["live"] is None or r["live"] >= r["conns"]]
            if starving and fair:
                b2 = min(fair, key=lambda r: r["cpu_us"])
                r2 = ours["cpu_us"] / b2["cpu_us"]
                p(f"| ... against the best peer serving all connections | {ours['cpu_us']:.2f} vs {b2['server']} "
                  f"{b2['cpu_us']:.2f} us ({r2:.2f}x) | {'met' if r2 <= 1.0 else 'MISSED'} |")
    for r in results:
        if r["scenario"] == "d" and r["server"] == OURS:
            p(f"| 10k idle: CPU/req <= 1.10x the 0-idle cost | {r['cpu_vs_0idle']:.2f}x | "
              f"{'met' if r['cpu_vs_0idle'] <= 1.10 else 'MISSED'} |")
        if r["scenario"] == "d" and r["server"] == MongooseRsInterval.name:
            p(f"| 10k idle, poll interval: CPU/req <= 1.05x the 0-idle cost (issue 19) | "
              f"{r['cpu_vs_0idle']:.2f}x | {'met' if r['cpu_vs_0idle'] <= 1.05 else 'MISSED'} |")
    for label in labels:
        rows = {r["server"]: r for r in results if r["label"] == label}
        if "py " + OURS in rows and "py cymongoose" in rows:
            ratio = rows["py " + OURS]["rps"] / rows["py cymongoose"]["rps"]
            p(f"| Python binding >= 0.8x cymongoose req/s: {label} | {ratio:.2f}x | "
              f"{'met' if ratio >= 0.8 else 'MISSED'} |")
    p("")
    return "\n".join(lines)


# ----------------------------------------------------------------- main

ALL = ["a", "b", "c", "d", "e"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--duration", type=int, default=5, help="seconds per round")
    ap.add_argument("--warmup", type=int, default=2, help="seconds of warmup per server and scenario")
    ap.add_argument("--idle", type=int, default=10000, help="idle connections in scenario (d)")
    ap.add_argument("--scenarios", default="abcde", help="subset of abcde")
    ap.add_argument("--peers", default="nginx,civetweb", help="C peers (comma-separated)")
    ap.add_argument("--workdir", required=True, help="holds the built servers and root/1mb.bin")
    ap.add_argument("--base-port", type=int, default=18100)
    ap.add_argument("--json", help="write raw results here")
    ap.add_argument("--out", help="write the report (markdown) here too")
    ap.add_argument("--command", default=" ".join(sys.argv))
    args = ap.parse_args()

    peers = {"nginx": Nginx, "civetweb": Civetweb}
    peer_kinds = [peers[p] for p in args.peers.split(",") if p]
    c_kinds = [MongooseRs] + peer_kinds
    meta = {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "command": args.command, "rounds": args.rounds, "duration": args.duration, "warmup": args.warmup,
        "load_start": loadavg(), "lib": os.environ.get("MONGOOSE_LIB", "?"),
    }
    log(f"load average: {meta['load_start']}")
    run = Runner(args, args.workdir)
    sc = args.scenarios
    group = []
    if "a" in sc:
        for c in (1, 50, 1000):
            group.append({"id": f"a{c}", "label": f"(a) hello, keep-alive, c={c}", "conns": c})
    if "b" in sc:
        group.append({"id": "b", "label": "(b) hello, Connection: close, c=50", "conns": 50, "close": True})
    if "c" in sc:
        group.append({"id": "c", "label": "(c) 1 MB static file, keep-alive, c=10", "conns": 10,
                      "path": "/1mb.bin"})
    if group:
        run.run_group(c_kinds, group)
    if "d" in sc:
        # civetweb with num_threads=1 is thread-per-connection: one worker
        # blocks on the first idle connection; it cannot take part.
        # Ours runs twice: Mongoose's default (POLL every iteration) and
        # the opt-in poll interval (issue 19).
        kinds = [k for k in c_kinds if k is not Civetweb]
        kinds.insert(1, MongooseRsInterval)
        run.run_idle(kinds, 50, args.idle)
    if "e" in sc:
        run.run_group([PyOurs, PyCy], [
            {"id": "e1", "label": "(e) Python hello, keep-alive, c=1", "conns": 1},
            {"id": "e50", "label": "(e) Python hello, keep-alive, c=50", "conns": 50},
        ])
    meta["load_end"] = loadavg()
    text = report(run.results, meta)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "results": run.results}, f, indent=1)


if __name__ == "__main__":
    main()
