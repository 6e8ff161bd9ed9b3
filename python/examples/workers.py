"""Graceful Shutdown Guide, "Stop Worker Threads": requests are handed to
worker threads, which answer through ``manager.wakeup(conn_id, data)`` (the
only Manager method safe to call from another thread); the signal handler
stops the workers with poison pills while the loop is still running.

    PYTHONPATH=python python3 python/examples/workers.py [URL]

GET /anything -> 200 "<WORKER-NAME>: /ANYTHING" (computed by a worker).
"""
import os
import queue
import signal
import sys
import threading

try:
    from mongoose_rs import MG_EV_HTTP_MSG, MG_EV_WAKEUP, Manager
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from mongoose_rs import MG_EV_HTTP_MSG, MG_EV_WAKEUP, Manager

URL = sys.argv[1] if len(sys.argv) > 1 else "http://0.0.0.0:8000"
shutdown_requested = False

work_queue = queue.Queue()
worker_threads = []


def handler(conn, ev, data):
    if ev == MG_EV_HTTP_MSG:
        work_queue.put((conn.id, data.uri))  # never hand Connection objects to threads
    elif ev == MG_EV_WAKEUP:
        conn.reply(200, data)  # the worker's result


manager = Manager(handler, enable_wakeup=True)


def process_work(work):
    conn_id, uri = work
    result = f"{threading.current_thread().name}: {uri.upper()}".encode()
    try:
        manager.wakeup(conn_id, result)
    except RuntimeError:
        pass  # manager already closed


def worker():
    while True:
        work = work_queue.get()
        if work is None:  # Poison pill
            break
        process_work(work)


def signal_handler(sig, frame):
    global shutdown_requested
    shutdown_requested = True

    # Stop workers with poison pills
    for _ in worker_threads:
        work_queue.put(None)


def main():
    signal.signal(signal.SIGINT, signal_handler)
    signal.signal(signal.SIGTERM, signal_handler)

    # Start workers
    for i in range(4):
        t = threading.Thread(target=worker, name=f"worker-{i}", daemon=True)
        t.start()
        worker_threads.append(t)

    host, port, _ = manager.listen(URL, http=True).local_addr
    print(f"Server running on http://{host}:{port}", flush=True)

    try:
        while not shutdown_requested:
            manager.poll(100)

        # Wait for workers to finish
        print("Waiting for workers...", flush=True)
        for thread in worker_threads:
            thread.join(timeout=5.0)
        alive = sum(t.is_alive() for t in worker_threads)
        print(f"Workers stopped: {len(worker_threads) - alive}/{len(worker_threads)}", flush=True)

    finally:
        manager.close()
        print("Server stopped cleanly", flush=True)


if __name__ == "__main__":
    main()
