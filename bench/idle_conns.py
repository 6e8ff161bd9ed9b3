"""Open N idle TCP connections to HOST:PORT and hold them.

    python3 idle_conns.py HOST PORT N

Connects N sockets (nothing is ever sent on them), prints "ready N" on
stdout, then holds them until stdin reaches EOF or SIGTERM/SIGINT arrives.
The caller must have raised `ulimit -n` above N.
"""
import os
import selectors
import signal
import socket
import sys
import time

BATCH = 64


def main():
    host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    socks = []
    pending = {}  # fd -> socket, non-blocking connects in flight
    sel = selectors.DefaultSelector()
    deadline = time.monotonic() + 120
    # At most BATCH connects in flight: stays below the server's listen
    # backlog (128 for Mongoose), so no SYN is dropped and retried.
    while len(socks) < n:
        if time.monotonic() > deadline:
            sys.exit(f"idle_conns: only {len(socks)}/{n} connected in 120 s")
        while len(pending) < BATCH and len(socks) + len(pending) < n:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.connect_ex((host, port))
            pending[s.fileno()] = s
            sel.register(s, selectors.EVENT_WRITE)
        for key, _ in sel.select(timeout=1.0):
            s = pending.pop(key.fd)
            sel.unregister(s)
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                print(f"idle_conns: connect: {os.strerror(err)}", file=sys.stderr)
                s.close()
                time.sleep(0.05)
            else:
                socks.append(s)
    print(f"ready {len(socks)}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        sys.stdin.read()  # held until the caller closes our stdin
    except KeyboardInterrupt:
        pass
    # Count how many the server closed meanwhile (recv returns b"" at EOF).
    closed = 0
    for s in socks:
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
    print(f"closed-by-server {closed}", flush=True)


if __name__ == "__main__":
    main()
