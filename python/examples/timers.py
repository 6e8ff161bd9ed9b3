"""Graceful Shutdown Guide, "Timers": repeating timers need no manual
cleanup, ``manager.close()`` frees them all (MG_TIMER_AUTODELETE).

    PYTHONPATH=python python3 python/examples/timers.py [URL] [PERIOD_MS]

Prints ``tick N`` every PERIOD_MS (default 1000) and ``once`` after 2.5
periods; GET /ticks returns the tick count. ``Timer.cancel()`` (a mongoose_rs
addition) stops a timer early: /stop cancels the ticker.
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
PERIOD_MS = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
shutdown_requested = False
ticks = 0


def callback():
    global ticks
    ticks += 1
    print(f"tick {ticks}", flush=True)


def once():
    print("once", flush=True)


def signal_handler(sig, frame):
    global shutdown_requested
    shutdown_requested = True


def main():
    signal.signal(signal.SIGINT, signal_handler)
    signal.signal(signal.SIGTERM, signal_handler)

    timer = None

    def handler(conn, ev, data):
        if ev == MG_EV_HTTP_MSG:
            if data.uri == "/stop":
                conn.reply(200, f"cancelled={timer.cancel()}\n")
            else:
                conn.reply(200, f"{ticks}\n")

    manager = Manager(handler)
    host, port, _ = manager.listen(URL, http=True).local_addr

    # Timers auto-cleanup on manager.close()
    timer = manager.timer_add(PERIOD_MS, callback, repeat=True)
    manager.timer_add(PERIOD_MS * 5 // 2, once)
    print(f"Server running on http://{host}:{port}", flush=True)

    try:
        while not shutdown_requested:
            manager.poll(100)
    finally:
        # No manual cleanup needed
        manager.close()  # Frees all timers
        print(f"Server stopped cleanly, timer active={timer.active}", flush=True)


if __name__ == "__main__":
    main()
