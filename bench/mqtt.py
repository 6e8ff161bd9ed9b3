#!/usr/bin/env python3
"""MQTT publish throughput: our example broker (c-examples/mqtt-server) vs
Mosquitto, with the same raw-socket clients. Not part of the test suite.

    cargo build --release && python3 bench/mqtt.py [MESSAGES] [PAYLOAD_BYTES]

One publisher blasts MESSAGES QoS 0 PUBLISH packets to topic b/x, one
subscriber (b/#) counts what arrives. Prints messages/s (first sent to last
received), how many arrived, and broker CPU microseconds per message
(utime+stime from /proc). Both brokers are pinned to CPU 0 and the clients
to CPU 1 when taskset exists.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIBDIR = os.environ.get("LIBDIR", os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release"))


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def packet(first, body):
    return bytes([first]) + varint(len(body)) + body


def mqtt_str(s):
    return len(s).to_bytes(2, "big") + s


def connect(port, cid):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(packet(0x10, mqtt_str(b"MQTT") + b"\x04\x02\x00\x3c" + mqtt_str(cid)))
    assert s.recv(4)[:1] == b"\x20"
    return s


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return int(parts[11]) + int(parts[12])


def run(port, pid, n, size):
    sub = connect(port, b"bench-sub")
    sub.sendall(packet(0x82, b"\x00\x01" + mqtt_str(b"b/#") + b"\x00"))
    assert sub.recv(5)[:1] == b"\x90"
    got = [0]
    done = threading.Event()

    def reader():
        buf = b""
        while got[0] < n:
            chunk = sub.recv(1 << 20)
            if not chunk:
                break
            buf += chunk
            i = 0
            while True:
                if len(buf) - i < 2:
                    break
                ln, k, shift = 0, i + 1, 0
                while k < len(buf) and buf[k] & 0x80:
                    ln |= (buf[k] & 0x7F) << shift
                    shift += 7
                    k += 1
                if k >= len(buf):
                    break
                ln |= buf[k] << shift
                end = k + 1 + ln
                if end > len(buf):
                    break
                got[0] += 1
                i = end
            buf = buf[i:]
        done.set()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    pub = connect(port, b"bench-pub")
    one = packet(0x30, mqtt_str(b"b/x") + b"p" * size)
    batch = one * 1000
    ticks0 = cpu_ticks(pid)
    start = time.time()
    for _ in range(n // 1000):
        pub.sendall(batch)
    done.wait(60)
    took = time.time() - start
    ticks = cpu_ticks(pid) - ticks0
    pub.close()
    sub.close()
    hz = os.sysconf("SC_CLK_TCK")
    return got[0], took, ticks * 1e6 / hz / max(got[0], 1)


def pin(cmd, cpu):
    return (["taskset", "-c", str(cpu)] + cmd) if shutil.which("taskset") else cmd


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    if shutil.which("taskset"):
        os.sched_setaffinity(0, {1 % os.cpu_count()})
    subprocess.run(["make", "-s", "-C", os.path.join(ROOT, "c-examples/mqtt-server"), f"LIBDIR={LIBDIR}", "-B", "example"],
                   check=True)
    rows = []
    with tempfile.TemporaryDirectory() as d:
        port = free_port()
        conf = os.path.join(d, "m.conf")
        with open(conf, "w") as f:
            f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\n"
                    "max_queued_messages 0\n")
        mosq = subprocess.Popen(pin([shutil.which("mosquitto") or "/usr/sbin/mosquitto", "-c", conf], 0))
        ours_port = free_port()
        ours = subprocess.Popen(pin([os.path.join(ROOT, "c-examples/mqtt-server/example"), f"mqtt://127.0.0.1:{ours_port}"], 0),
                                stdout=subprocess.DEVNULL)
        time.sleep(0.5)
        try:
            for name, p, proc in (("mongoose-rs mqtt-server", ours_port, ours), ("mosquitto", port, mosq)):
                got, took, cpu = run(p, proc.pid, n, size)
                rows.append((name, got, got / took, cpu))
        finally:
            mosq.kill()
            ours.kill()
    print(f"{n} x {size}-byte QoS 0 messages, 1 publisher -> broker -> 1 subscriber")
    print("| broker | delivered | messages/s | broker CPU µs/message |")
    print("|---|---:|---:|---:|")
    for name, got, rate, cpu in rows:
        print(f"| {name} | {got} | {rate:,.0f} | {cpu:.2f} |")


if __name__ == "__main__":
    main()
