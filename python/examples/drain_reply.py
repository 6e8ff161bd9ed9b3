"""Graceful Shutdown Guide, "Connection Draining": answer, then
``conn.drain()`` (flush the response, then close) instead of ``conn.close()``.

    PYTHONPATH=python python3 python/examples/drain_reply.py [URL]

Every request gets ``Goodbye!`` and the server closes the connection once the
response has been sent.
"""
import os
import signal
import sys

try:
    from mongoose_rs import MG_EV_HTTP_MSG, Manager
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from mongoose_rs import MG_EV_HTTP_MSG, Manager

URL = sys.argv[1] if len(sys.argv) > 1 else "http://0.0.0.0:8000"
shutdown_requested = False


def handler(conn, ev, data):
    if ev == MG_EV_HTTP_MSG:
        conn.reply(200, b"Goodbye!")

        # Good: Graceful close
        conn.drain()  # Flushes send buffer before closing

        # Bad: Immediate close (may lose data)
        # conn.close()  # DON'T use this


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
    finally:
        manager.close()
        print("Server stopped cleanly", flush=True)


if __name__ == "__main__":
    main()
