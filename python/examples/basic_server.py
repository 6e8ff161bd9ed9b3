"""Graceful Shutdown Guide, "Basic Pattern": signal handlers set a flag, the
loop polls with a short timeout, ``manager.close()`` runs in ``finally``.

    PYTHONPATH=python python3 python/examples/basic_server.py [URL] [POLL_MS]

URL defaults to http://0.0.0.0:8000 (use http://127.0.0.1:0 for an ephemeral
port; the real address is printed). Ctrl+C or SIGTERM stops it promptly,
whatever POLL_MS is (try 5000).
"""
import os
import signal
import sys

try:
    from mongoose_rs import MG_EV_HTTP_MSG, Manager
except ImportError:  # running from a checkout without PYTHONPATH
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from mongoose_rs import MG_EV_HTTP_MSG, Manager

URL = sys.argv[1] if len(sys.argv) > 1 else "http://0.0.0.0:8000"
POLL_MS = int(sys.argv[2]) if len(sys.argv) > 2 else 100

shutdown_requested = False


def handler(conn, ev, data):
    if ev == MG_EV_HTTP_MSG:
        conn.reply(200, b"Hello from mongoose_rs!\n")


def signal_handler(sig, frame):
    """Handle shutdown signals."""
    global shutdown_requested
    shutdown_requested = True


def main():
    global shutdown_requested

    # Register signal handlers
    signal.signal(signal.SIGINT, signal_handler)  # Ctrl+C
    signal.signal(signal.SIGTERM, signal_handler)  # kill command

    # Create manager and listen
    manager = Manager(handler)
    listener = manager.listen(URL, http=True)
    host, port, _ = listener.local_addr

    print(f"Server running on http://{host}:{port}", flush=True)
    print("Press Ctrl+C to stop", flush=True)

    try:
        while not shutdown_requested:
            manager.poll(POLL_MS)
        print("Shutting down...", flush=True)
    finally:
        manager.close()
        print("Server stopped cleanly", flush=True)


if __name__ == "__main__":
    main()
