"""Python WebSocket echo server for bench/ws_bench.py: the same code on two
bindings.

    python3 py_ws_echo.py mongoose_rs|cymongoose URL

/websocket upgrades; every message is sent back with its opcode. Prints
"listening on http://IP:PORT"; SIGTERM/SIGINT stop it.
"""
import signal
import sys

impl = sys.argv[1]
url = sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:8000"
if impl == "mongoose_rs":
    from mongoose_rs import MG_EV_HTTP_MSG, MG_EV_WS_MSG, Manager
elif impl == "cymongoose":
    from cymongoose import MG_EV_HTTP_MSG, MG_EV_WS_MSG, Manager
else:
    sys.exit(f"unknown binding {impl!r}")


def handler(conn, ev, data):
    if ev == MG_EV_WS_MSG:
        conn.ws_send(data.data, data.flags & 0x0F)
    elif ev == MG_EV_HTTP_MSG:
        conn.ws_upgrade(data)


stop = False


def on_signal(signum, frame):
    global stop
    stop = True


def main():
    manager = Manager(handler)
    listener = manager.listen(url, http=True)
    host, port = listener.local_addr[:2]
    print(f"listening on http://{host}:{port}", flush=True)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    while not stop:
        manager.poll(100)
    manager.close()


if __name__ == "__main__":
    main()
