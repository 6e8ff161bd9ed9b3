"""Graceful Shutdown Guide, "Close Active Connections": on shutdown every
client still connected gets ``503 Server shutting down`` and is drained; the
loop keeps polling (up to 1 s) until they are gone.

    PYTHONPATH=python python3 python/examples/close_active.py [URL]
"""
import os
import signal
import sys

try:
    from mongoose_rs import MG_EV_ACCEPT, MG_EV_CLOSE, MG_EV_HTTP_MSG, Manager
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from mongoose_rs import MG_EV_ACCEPT, MG_EV_CLOSE, MG_EV_HTTP_MSG, Manager

URL = sys.argv[1] if len(sys.argv) > 1 else "http://0.0.0.0:8000"
shutdown_requested = False
clients = []


def handler(conn, ev, data):
    if ev == MG_EV_ACCEPT:
        clients.append(conn)

    elif ev == MG_EV_HTTP_MSG:
        conn.reply(200, b"OK\n")  # keep-alive: the client stays connected

    elif ev == MG_EV_CLOSE:
        if conn in clients:
            clients.remove(conn)


def signal_handler(sig, frame):
    global shutdown_requested
    shutdown_requested = True


def main():
    signal.signal(signal.SIGINT, signal_handler)
    signal.signal(signal.SIGTERM, signal_handler)
    manager = Manager(handler)
    host, port, _ = manager.listen(URL, http=True).local_addr
    print(f"Server running on http://{host}:{port}", flush=True)

    try:
        while not shutdown_requested:
            manager.poll(100)

        # Close all active connections
        print(f"Closing {len(clients)} active connections...", flush=True)
        for client in clients[:]:
            try:
                client.reply(503, b"Server shutting down")
                client.drain()
            except RuntimeError:
                pass  # Already closed

        # Give time for draining
        for _ in range(10):  # Up to 1 second
            manager.poll(100)
            if not clients:
                break
        print(f"{len(clients)} connections left", flush=True)

    finally:
        manager.close()
        print("Server stopped cleanly", flush=True)


if __name__ == "__main__":
    main()
