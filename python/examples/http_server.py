"""The README demo server (c-examples/http-server) written with mongoose_rs:
same routes, same bytes on the wire.

    PYTHONPATH=python python3 python/examples/http_server.py [URL]

Routes:
  GET /              "Hello from mongoose-rs!\\n"
  GET /api/hello     {"hello":"world","uri":"/api/hello","n":<requests served>}
  POST /api/echo     the request body back, as application/octet-stream
  anything else      404
Ctrl+C or SIGTERM stops it gracefully (built-in shutdown: requests in flight
are answered, later ones get 503, it exits when every connection is closed).
"""
import json
import os
import sys

try:
    from mongoose_rs import MG_EV_HTTP_MSG, Manager
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from mongoose_rs import MG_EV_HTTP_MSG, Manager

served = 0


def handler(conn, ev, hm):
    global served
    if ev != MG_EV_HTTP_MSG:
        return
    served += 1
    if hm.uri == "/":
        conn.reply(200, b"Hello from mongoose-rs!\n", {"Content-Type": "text/plain"})
    elif hm.uri == "/api/hello":
        uri = json.dumps(hm.uri, ensure_ascii=False)
        conn.reply(200, f'{{"hello":"world","uri":{uri},"n":{served}}}\n', {"Content-Type": "application/json"})
    elif hm.uri == "/api/echo" and hm.method == "POST":
        conn.reply(200, hm.body_bytes, {"Content-Type": "application/octet-stream"})
    else:
        conn.reply(404, b"Not found\n", {"Content-Type": "text/plain"})


def main():
    url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    manager = Manager(handler)
    host, port, _ = manager.listen(url, http=True).local_addr
    print(f"listening on http://{host}:{port}", flush=True)  # tests read the port here
    manager.shutdown_on_signals(3000)
    while not manager.is_done:
        manager.poll(1000)
    manager.close()
    print(f"served {served} requests, bye", flush=True)


if __name__ == "__main__":
    main()
