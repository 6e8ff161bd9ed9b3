"""Python hello server for scenario (e): the same code on two bindings.

    python3 py_hello.py mongoose_rs|cymongoose URL

mongoose_rs: this repository's ctypes binding (PYTHONPATH=python, library
from $MONGOOSE_LIB); cymongoose: the Cython binding from PyPI with the real
Mongoose C library inside. GET / -> 200 "hello\n", like the C servers.
Prints "listening on http://IP:PORT"; SIGTERM/SIGINT stop it.
"""
import signal
import sys

impl = sys.argv[1]
url = sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:8000"
if impl == "mongoose_rs":
    from mongoose_rs import MG_EV_HTTP_MSG, Manager
elif impl == "cymongoose":
    from cymongoose import MG_EV_HTTP_MSG, Manager
else:
    sys.exit(f"unknown binding {impl!r}")

BODY = b"hello\n"
HEADERS = {"Content-Type": "text/plain"}


def handler(conn, ev, hm):
    if ev == MG_EV_HTTP_MSG:
        conn.reply(200, BODY, HEADERS)


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
