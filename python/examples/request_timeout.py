"""Graceful Shutdown Guide, "Request Timeout": requests that are not answered
within a deadline get ``408 Request Timeout`` from a repeating timer.

    PYTHONPATH=python python3 python/examples/request_timeout.py [URL] [TIMEOUT_S] [CHECK_MS]

TIMEOUT_S defaults to 30 (as in the guide), CHECK_MS to 1000. GET /slow is
"processed" forever (never answered by the handler); anything else is
answered at once.
"""
import os
import signal
import sys
import time

try:
    from mongoose_rs import MG_EV_ACCEPT, MG_EV_CLOSE, MG_EV_HTTP_MSG, Manager
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from mongoose_rs import MG_EV_ACCEPT, MG_EV_CLOSE, MG_EV_HTTP_MSG, Manager

URL = sys.argv[1] if len(sys.argv) > 1 else "http://0.0.0.0:8000"
TIMEOUT_S = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
CHECK_MS = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
shutdown_requested = False

connections_with_timeout = {}  # {conn_id: start_time}
connections = {}  # {conn_id: Connection}, kept by the handler


def process_request(conn, data):
    if data.uri == "/slow":
        return  # the answer never comes: the timeout will
    conn.reply(200, b"fast\n")
    del connections_with_timeout[conn.id]


def handler(conn, ev, data):
    if ev == MG_EV_ACCEPT:
        connections[conn.id] = conn

    elif ev == MG_EV_HTTP_MSG:
        connections_with_timeout[conn.id] = time.time()

        # Start processing
        process_request(conn, data)

    elif ev == MG_EV_CLOSE:
        if conn.id in connections_with_timeout:
            del connections_with_timeout[conn.id]
        connections.pop(conn.id, None)


# Check for timeouts periodically
def check_timeouts():
    now = time.time()
    for conn_id, start_time in list(connections_with_timeout.items()):
        if now - start_time > TIMEOUT_S:  # 30 second timeout in the guide
            conn = connections.get(conn_id)
            if conn:
                conn.reply(408, b"Request Timeout")
                conn.drain()
            del connections_with_timeout[conn_id]


def signal_handler(sig, frame):
    global shutdown_requested
    shutdown_requested = True


def main():
    signal.signal(signal.SIGINT, signal_handler)
    signal.signal(signal.SIGTERM, signal_handler)
    manager = Manager(handler)
    host, port, _ = manager.listen(URL, http=True).local_addr
    manager.timer_add(CHECK_MS, check_timeouts, repeat=True)
    print(f"Server running on http://{host}:{port}", flush=True)
    try:
        while not shutdown_requested:
            manager.poll(100)
    finally:
        manager.close()
        print("Server stopped cleanly", flush=True)


if __name__ == "__main__":
    main()
