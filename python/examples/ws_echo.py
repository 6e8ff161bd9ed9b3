"""A WebSocket echo server with mongoose-rs's graceful shutdown: SIGINT or
SIGTERM sends every open WebSocket a CLOSE frame with code 1001 (after
whatever was already queued), waits for the clients' CLOSE, then exits.

    PYTHONPATH=python python3 python/examples/ws_echo.py [URL] [GRACE_MS]

Open ws://127.0.0.1:8000/ws from a browser or any WebSocket client; every
message comes back with the same opcode. Plain HTTP requests to / get a
short text. Prints "received N" after every 100 messages.
"""
import os
import sys

try:
    from mongoose_rs import MG_EV_HTTP_MSG, MG_EV_WS_MSG, Manager
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from mongoose_rs import MG_EV_HTTP_MSG, MG_EV_WS_MSG, Manager

URL = sys.argv[1] if len(sys.argv) > 1 else "http://0.0.0.0:8000"
GRACE_MS = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
received = 0


def handler(conn, ev, data):
    global received
    if ev == MG_EV_HTTP_MSG:
        if data.uri == "/ws":
            conn.ws_upgrade(data)
        else:
            conn.reply(200, b"WebSocket echo server: connect to /ws\n")
    elif ev == MG_EV_WS_MSG:
        conn.ws_send(data.data, data.flags & 0x0F)
        received += 1
        if received % 100 == 0:
            print(f"received {received}", flush=True)


manager = Manager(handler)


def main():
    host, port, _ = manager.listen(URL, http=True).local_addr
    manager.shutdown_on_signals(GRACE_MS)
    print(f"WebSocket echo server on http://{host}:{port}/ws", flush=True)
    while not manager.is_done:
        manager.poll(1000)
    manager.close()
    print(f"echoed {received} messages, bye", flush=True)


if __name__ == "__main__":
    main()
