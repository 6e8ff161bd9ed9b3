"""mongoose-rs's built-in graceful shutdown from Python: SIGINT/SIGTERM start
``mg_mgr_shutdown`` (listener closed, requests in flight answered with
``Connection: close``, later requests get 503, idle connections closed), and
the loop runs until everything is closed.

    PYTHONPATH=python python3 python/examples/graceful_builtin.py [URL] [GRACE_MS]

GET /slow?ms=N answers after N ms (default 1000), to watch a request in
flight finish during shutdown; anything else gets "ok". A second Ctrl+C ends
the grace period at once.
"""
import os
import sys

try:
    from mongoose_rs import MG_EV_HTTP_MSG, Manager
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from mongoose_rs import MG_EV_HTTP_MSG, Manager

URL = sys.argv[1] if len(sys.argv) > 1 else "http://0.0.0.0:8000"
GRACE_MS = int(sys.argv[2]) if len(sys.argv) > 2 else 3000
served = 0


def handler(conn, ev, data):
    global served
    if ev == MG_EV_HTTP_MSG:
        if data.uri == "/slow":
            ms = int(data.query_var("ms") or 1000)

            def later():
                global served
                try:
                    conn.reply(200, b"slow ok\n")
                    served += 1
                except RuntimeError:
                    pass  # closed meanwhile (grace period over)

            manager.timer_add(ms, later)
            return
        served += 1
        conn.reply(200, b"ok\n")


manager = Manager(handler)


def main():
    host, port, _ = manager.listen(URL, http=True).local_addr
    manager.shutdown_on_signals(GRACE_MS)
    print(f"Server running on http://{host}:{port}", flush=True)
    while not manager.is_done:
        manager.poll(1000)
    manager.close()
    print(f"served {served} requests, bye", flush=True)


if __name__ == "__main__":
    main()
