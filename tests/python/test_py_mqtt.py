"""MQTT and SNTP from Python (EVENT-LOOP.md §11): Manager.mqtt_connect against
a Mosquitto broker with a paho-mqtt peer, a broker written with
Manager.mqtt_listen serving paho-mqtt clients, and sntp_connect against a
scripted NTP server. Needs mosquitto and paho-mqtt (.ci/run installs them)."""
import shutil
import socket
import struct
import subprocess
import threading
import time

import pytest

import mongoose_rs as M

paho = pytest.importorskip("paho.mqtt.client", reason="pip install paho-mqtt")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


@pytest.fixture
def mosquitto(tmp_path):
    assert shutil.which("mosquitto") or shutil.os.path.exists("/usr/sbin/mosquitto"), "apt-get install mosquitto"
    exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    for _ in range(5):
        port = free_port()
        conf = tmp_path / "mosquitto.conf"
        conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\n")
        p = subprocess.Popen([exe, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 5
        while time.time() < deadline and p.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                yield port
                p.kill()
                p.wait()
                return
            except OSError:
                time.sleep(0.02)
        p.kill()
        p.wait()
    pytest.fail("mosquitto did not start")


def poll_until(mgr, cond, timeout=5.0):
    deadline = time.time() + timeout
    while not cond():
        if time.time() > deadline:
            return False
        mgr.poll(10)
    return True


def paho_client(port, on_message=None):
    c = paho.Client(paho.CallbackAPIVersion.VERSION2)
    connected = threading.Event()
    c.on_connect = lambda *a: connected.set()
    if on_message:
        c.on_message = on_message
    c.connect("127.0.0.1", port)
    c.loop_start()
    assert connected.wait(5), "paho did not connect"
    return c


def test_our_client_with_mosquitto_and_paho(mgr, mosquitto):
    seen = {"open": None, "msgs": [], "cmds": []}

    def handler(conn, ev, data):
        if ev == M.MG_EV_MQTT_OPEN:
            seen["open"] = data
        elif ev == M.MG_EV_MQTT_CMD:
            seen["cmds"].append(data.cmd)
        elif ev == M.MG_EV_MQTT_MSG:
            assert isinstance(data, M.MqttMessage)
            seen["msgs"].append((data.topic, data.data, data.text, data.qos, data.cmd))

    conn = mgr.mqtt_connect(f"mqtt://127.0.0.1:{mosquitto}", handler, client_id="py-ours", keepalive=30)
    assert poll_until(mgr, lambda: seen["open"] is not None)
    assert seen["open"] == 0
    conn.mqtt_sub("py/#", qos=1)
    assert poll_until(mgr, lambda: 9 in seen["cmds"])  # SUBACK

    got = []
    sub_ready = threading.Event()
    peer = paho_client(mosquitto, lambda c, u, m: got.append((m.topic, m.payload, m.qos)))
    peer.on_subscribe = lambda *a: sub_ready.set()
    peer.subscribe("from-ours", qos=1)
    assert sub_ready.wait(5)
    try:
        peer.publish("py/a", b"from paho", qos=1).wait_for_publish(5)
        assert poll_until(mgr, lambda: len(seen["msgs"]) == 1)
        assert seen["msgs"][0] == ("py/a", b"from paho", "from paho", 1, 3)
        pid = conn.mqtt_pub("from-ours", "hello paho", qos=1)
        assert pid > 0
        assert poll_until(mgr, lambda: 4 in seen["cmds"] and got)  # PUBACK, and delivered
        assert got == [("from-ours", b"hello paho", 1)]
        conn.mqtt_ping()
        assert poll_until(mgr, lambda: 13 in seen["cmds"])  # PINGRESP
        conn.mqtt_disconnect()
    finally:
        peer.loop_stop()
        peer.disconnect()


def test_python_broker_serves_paho_clients_in_order(mgr):
    subs = []  # (connection, filter)

    def broker(conn, ev, data):
        if ev == M.MG_EV_MQTT_CMD:
            if data.cmd == 1:  # CONNECT -> CONNACK accepted
                conn.send(b"\x20\x02\x00\x00")
            elif data.cmd == 8:  # SUBSCRIBE (one topic) -> SUBACK QoS 0
                subs.append(conn)
                conn.send(b"\x90\x03" + struct.pack(">H", data.id) + b"\x00")
            elif data.cmd == 3:
                for s in subs:
                    s.mqtt_pub(data.topic, data.data)
            elif data.cmd == 12:
                conn.mqtt_pong()
        elif ev == M.MG_EV_CLOSE and conn in subs:
            subs.remove(conn)

    lsn = mgr.mqtt_listen("mqtt://127.0.0.1:0", broker)
    port = lsn.local_addr[1]
    stop = threading.Event()
    results = [[], []]
    ready = [threading.Event(), threading.Event()]

    def run_clients():
        clients = []
        for i in range(2):
            c = paho.Client(paho.CallbackAPIVersion.VERSION2)
            c.on_message = lambda cl, u, m, i=i: results[i].append(m.payload)
            c.on_subscribe = lambda *a, i=i: ready[i].set()
            c.connect("127.0.0.1", port)
            c.loop_start()
            c.subscribe("ordered", qos=0)
            clients.append(c)
        for r in ready:
            r.wait(5)
        pub = paho.Client(paho.CallbackAPIVersion.VERSION2)
        pub.connect("127.0.0.1", port)
        pub.loop_start()
        for n in range(100):
            pub.publish("ordered", f"m{n}".encode(), qos=1)
        deadline = time.time() + 10
        while time.time() < deadline and not all(len(r) == 100 for r in results):
            time.sleep(0.01)
        for c in clients + [pub]:
            c.loop_stop()
            c.disconnect()
        stop.set()

    t = threading.Thread(target=run_clients)
    t.start()
    while not stop.is_set():
        mgr.poll(5)
    t.join()
    want = [f"m{n}".encode() for n in range(100)]
    assert results == [want, want]


def test_sntp_connect_reports_epoch_ms(mgr):
    srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    srv.bind(("127.0.0.1", 0))
    port = srv.getsockname()[1]

    requests = []

    def answer():
        req, addr = srv.recvfrom(100)
        requests.append(req)
        req2, _ = srv.recvfrom(100)  # the one sntp_request() sends
        requests.append(req2)
        secs = 1_893_456_000 + 2_208_988_800  # 2030-01-01
        r = bytes([0x24, 2]) + bytes(22) + req[40:48] + struct.pack(">IIII", secs, 0, secs, 0)
        srv.sendto(r, addr)

    t = threading.Thread(target=answer)
    t.start()
    got = []
    conn = mgr.sntp_connect(f"udp://127.0.0.1:{port}", lambda c, ev, data: got.append(data) if ev == M.MG_EV_SNTP_TIME else None)
    conn.sntp_request()  # a second request, sent at once (UDP)
    assert poll_until(mgr, lambda: got)
    t.join()
    srv.close()
    assert [len(r) for r in requests] == [48, 48] and requests[0][0] == 0x23
    assert isinstance(got[0], int)
    assert 1_893_456_000_000 <= got[0] < 1_893_456_000_100
