"""mongoose_rs.Manager: construction, poll (GIL released, signals), listen /
connect, close (idempotent, runs MG_EV_CLOSE handlers, detaches wrappers),
wakeup, timers (incl. Timer.cancel), handler errors."""
import gc
import http.client
import os
import signal
import socket
import threading
import time
import urllib.request

import pytest

from conftest import Bg, poll_until, port_of, serve_while

import mongoose_rs
from mongoose_rs import (
    MG_EV_ACCEPT,
    MG_EV_CLOSE,
    MG_EV_CONNECT,
    MG_EV_ERROR,
    MG_EV_HTTP_MSG,
    MG_EV_OPEN,
    MG_EV_POLL,
    MG_EV_RESOLVE,
    MG_EV_WAKEUP,
    Manager,
)


def get(port, path="/", timeout=5):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
        return r.status, r.read()


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# -- construction, listen, connect ---------------------------------------------


def test_default_handler_sees_every_connection():
    events = []
    m = Manager(lambda c, ev, data: events.append((c, ev, data)))
    try:
        lsn = m.listen("http://127.0.0.1:0", http=True)
        assert isinstance(lsn, mongoose_rs.Connection)
        assert m.handler is not None
        assert (lsn, MG_EV_OPEN, None) in events  # OPEN fired inside listen()
        assert lsn.is_listening and not lsn.is_client and not lsn.is_udp
        host, port, v6 = lsn.local_addr
        assert host == "127.0.0.1" and port > 0 and v6 is False
        assert lsn.id >= 1
        assert lsn.handler is None  # none of its own: the default applies
    finally:
        m.close()
    assert (lsn, MG_EV_CLOSE, None) in events


def test_listen_errors_are_runtime_errors(mgr):
    with pytest.raises(RuntimeError, match=r"^Failed to listen on 'tcp://999\.1\.1\.1:0'$"):
        mgr.listen("tcp://999.1.1.1:0")
    lsn = mgr.listen("tcp://127.0.0.1:0")
    url = f"http://127.0.0.1:{port_of(lsn)}"
    with pytest.raises(RuntimeError, match="Failed to listen on"):
        mgr.listen(url, http=True)  # port in use
    with pytest.raises(RuntimeError):
        mgr.connect("")


def test_connect_refused_reports_error_string_then_close(mgr):
    events = []

    def h(c, ev, data):
        if ev != MG_EV_POLL:
            events.append((ev, data))

    c = mgr.connect(f"tcp://127.0.0.1:{closed_port()}", h)
    assert c.is_client
    assert events[0] == (MG_EV_OPEN, None)
    poll_until(mgr, lambda: any(ev == MG_EV_CLOSE for ev, _ in events))
    errors = [d for ev, d in events if ev == MG_EV_ERROR]
    assert len(errors) == 1 and isinstance(errors[0], str) and errors[0]
    assert events[-1] == (MG_EV_CLOSE, None)
    assert c.id == 0 and c.is_closing  # detached


def test_client_connection_events(mgr):
    got = []
    server_data = []
    lsn = mgr.listen("tcp://127.0.0.1:0", lambda c, ev, d: ev == mongoose_rs.MG_EV_READ and server_data.append(c.recv_data()))

    def h(c, ev, data):
        if ev != MG_EV_POLL:
            got.append(ev)
        if ev == MG_EV_CONNECT:
            c.send(b"hello")

    c = mgr.connect(f"tcp://127.0.0.1:{port_of(lsn)}", h)
    assert got[:2] == [MG_EV_OPEN, MG_EV_RESOLVE]
    poll_until(mgr, lambda: server_data == [b"hello"])
    assert MG_EV_CONNECT in got
    assert c.remote_addr == ("127.0.0.1", port_of(lsn), False)
    assert c.local_addr[0] == "127.0.0.1" and c.local_addr[1] > 0


def test_http_flag_is_inferred_from_the_scheme_as_in_cymongoose(mgr):
    """listen/connect without ``http=`` parse HTTP for http/https/ws/wss URLs
    only; an explicit flag wins either way."""
    seen = {}

    def handler(name):
        def h(c, ev, data):
            if ev == MG_EV_HTTP_MSG:
                seen.setdefault(name, []).append("msg")
                c.reply(200, b"ok")
            elif ev == mongoose_rs.MG_EV_READ and c.recv_data():
                # an HTTP connection's request is consumed by the parser first
                seen.setdefault(name, []).append(bytes(c.recv_data()))

        return h

    inferred = mgr.listen("http://127.0.0.1:0", handler("inferred"))
    raw = mgr.listen("http://127.0.0.1:0", handler("raw"), http=False)
    tcp = mgr.listen("tcp://127.0.0.1:0", handler("tcp"))
    forced = mgr.listen("tcp://127.0.0.1:0", handler("forced"), http=True)
    assert serve_while(mgr, get, port_of(inferred)) == (200, b"ok")
    assert serve_while(mgr, get, port_of(forced)) == (200, b"ok")
    for lsn in (raw, tcp):
        s = socket.create_connection(("127.0.0.1", port_of(lsn)))
        s.sendall(b"GET / HTTP/1.1\r\n\r\n")
        poll_until(mgr, lambda: len(seen) in (3, 4) and (seen.get("raw") if lsn is raw else seen.get("tcp")))
        s.close()
    assert seen["inferred"] == ["msg"] and seen["forced"] == ["msg"]
    assert seen["raw"] == [b"GET / HTTP/1.1\r\n\r\n"]
    assert seen["tcp"] == [b"GET / HTTP/1.1\r\n\r\n"]
    # connect infers too: a ws:// client gets an HTTP-parsed response
    got = []
    cli = mgr.connect(
        f"ws://127.0.0.1:{port_of(inferred)}",
        lambda c, ev, d: (ev == mongoose_rs.MG_EV_CONNECT and c.send(b"GET / HTTP/1.0\r\n\r\n"))
        or (ev == MG_EV_HTTP_MSG and got.append(d.status())),
    )
    poll_until(mgr, lambda: got)
    assert got == [200] and cli is not None


# -- poll -----------------------------------------------------------------------


def test_poll_releases_the_gil(mgr):
    count = 0
    stop = threading.Event()

    def spin():
        nonlocal count
        while not stop.is_set():
            count += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        start = count
        t0 = time.monotonic()
        mgr.poll(300)  # nothing to do: a 300 ms wait inside C
        elapsed = time.monotonic() - t0
        during = count - start
    finally:
        stop.set()
        t.join()
    assert elapsed >= 0.2
    assert during > 10000, f"the other thread barely ran ({during}) while poll() waited"


def _signal_until(stop, sig):
    while not stop.is_set():
        os.kill(os.getpid(), sig)
        stop.wait(0.02)


def test_poll_returns_promptly_and_runs_python_signal_handlers(mgr):
    seen = []
    old = signal.signal(signal.SIGUSR1, lambda s, f: seen.append(s))
    stop = threading.Event()
    t = threading.Thread(target=_signal_until, args=(stop, signal.SIGUSR1))
    try:
        t.start()
        t0 = time.monotonic()
        mgr.poll(5000)
        elapsed = time.monotonic() - t0
    finally:
        stop.set()
        t.join()
        signal.signal(signal.SIGUSR1, old)
    assert seen, "the Python signal handler did not run"
    assert elapsed < 1.0, f"poll(5000) took {elapsed:.3f}s despite a signal"


def test_ctrl_c_raises_keyboard_interrupt_out_of_poll(mgr):
    old = signal.signal(signal.SIGINT, signal.default_int_handler)
    stop = threading.Event()
    t = threading.Thread(target=_signal_until, args=(stop, signal.SIGINT))
    try:
        t0 = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            t.start()
            for _ in range(3):
                mgr.poll(5000)
        assert time.monotonic() - t0 < 1.0
    finally:
        signal.signal(signal.SIGINT, lambda s, f: None)  # stray signals from the sender
        stop.set()
        t.join()
        signal.signal(signal.SIGINT, old)
    mgr.poll(0)  # the manager is still usable


# -- close ---------------------------------------------------------------------


def test_close_is_idempotent_and_poll_then_raises():
    m = Manager()
    m.listen("tcp://127.0.0.1:0")
    m.close()
    m.close()
    with pytest.raises(RuntimeError, match="^Manager has been freed$"):
        m.poll(0)
    with pytest.raises(RuntimeError, match="Manager has been freed"):
        m.listen("tcp://127.0.0.1:0")
    with pytest.raises(RuntimeError, match="Manager has been freed"):
        m.timer_add(10, lambda: None)
    assert m.is_done


def test_close_fires_close_for_every_connection_and_detaches_wrappers():
    closed = []
    m = Manager(lambda c, ev, d: ev == MG_EV_CLOSE and closed.append(c))
    lsn = m.listen("http://127.0.0.1:0", http=True)
    socks = [socket.create_connection(("127.0.0.1", port_of(lsn))) for _ in range(3)]
    accepted = []
    m._handler = lambda c, ev, d: (ev == MG_EV_ACCEPT and accepted.append(c)) or (ev == MG_EV_CLOSE and closed.append(c))
    poll_until(m, lambda: len(accepted) == 3)
    m.close()
    assert set(map(id, closed)) == set(map(id, accepted + [lsn]))
    for c in accepted + [lsn]:
        assert c.id == 0 and c.is_closing and repr(c) == "<Connection closed>"
        with pytest.raises(RuntimeError, match="^Connection has been closed$"):
            c.send(b"x")
    for s in socks:
        assert s.recv(10) == b""  # the server side is gone
        s.close()


def test_close_inside_a_handler_is_deferred_until_poll_returns():
    m = Manager()
    lsn = m.listen("http://127.0.0.1:0", http=True)
    calls = []

    def h(c, ev, data):
        if ev == MG_EV_HTTP_MSG:
            c.reply(200, b"bye")
            m.close()
            calls.append("after close")

    lsn.set_handler(h)

    def client():
        try:
            return get(port_of(lsn))
        except Exception as e:  # the manager closes right after replying
            return e

    t = Bg(client)
    deadline = time.monotonic() + 5
    while m._mgr is not None and time.monotonic() < deadline:
        m.poll(5)
    t.result()
    assert calls == ["after close"]
    assert m.is_done
    with pytest.raises(RuntimeError):
        m.poll(0)


def test_garbage_collection_closes_the_manager():
    closed = []
    m = Manager(lambda c, ev, d: ev == MG_EV_CLOSE and closed.append(ev))
    m.listen("tcp://127.0.0.1:0")
    del m
    gc.collect()
    assert closed == [MG_EV_CLOSE]


def test_context_manager():
    with Manager() as m:
        lsn = m.listen("tcp://127.0.0.1:0")
    assert m.is_done and lsn.id == 0


# -- handler errors --------------------------------------------------------------


def test_exception_in_handler_is_printed_and_swallowed(mgr, capfd):
    mongoose_rs.set_callback_exception_hook(None)  # the default (conftest installs a recorder)

    def h(c, ev, data):
        if ev == MG_EV_HTTP_MSG:
            if data.uri == "/boom":
                raise ValueError("boom in handler")
            c.reply(200, b"fine")

    lsn = mgr.listen("http://127.0.0.1:0", h, http=True)
    port = port_of(lsn)

    def client():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", "/boom")  # never answered
        s = socket.create_connection(("127.0.0.1", port))
        s.close()
        return get(port, "/ok")

    assert serve_while(mgr, client) == (200, b"fine")
    err = capfd.readouterr().err
    assert "Traceback" in err and "ValueError: boom in handler" in err


@pytest.mark.callback_exceptions
def test_callback_exceptions_go_to_the_hook(mgr, callback_errors):
    def h(c, ev, data):
        if ev == MG_EV_ACCEPT:
            raise ValueError("in handler")

    lsn = mgr.listen("tcp://127.0.0.1:0", h)
    s = socket.create_connection(("127.0.0.1", port_of(lsn)))
    poll_until(mgr, lambda: callback_errors)
    s.close()

    def bad():
        raise RuntimeError("in timer")

    mgr.timer_add(1, bad)
    poll_until(mgr, lambda: len(callback_errors) >= 2)
    got = [(w, type(e).__name__, str(e)) for w, e, _ in callback_errors]
    assert got == [(f"handler for event {MG_EV_ACCEPT}", "ValueError", "in handler"),
                   ("timer callback", "RuntimeError", "in timer")]
    seen = []
    prev = mongoose_rs.set_callback_exception_hook(lambda w, e: seen.append(w))
    assert prev is not None  # conftest's recorder
    mongoose_rs.set_callback_exception_hook(prev)


def test_keyboard_interrupt_in_handler_propagates_from_poll(mgr):
    def h(c, ev, data):
        if ev == MG_EV_ACCEPT:
            raise KeyboardInterrupt

    lsn = mgr.listen("tcp://127.0.0.1:0", h)
    s = socket.create_connection(("127.0.0.1", port_of(lsn)))
    with pytest.raises(KeyboardInterrupt):
        for _ in range(200):
            mgr.poll(10)
    s.close()
    mgr.poll(0)


# -- accepted connections inherit the listener's handler ---------------------------


def test_accepted_connections_inherit_the_listener_handler():
    default_events, a_events, b_events = [], [], []
    m = Manager(lambda c, ev, d: default_events.append((c.id, ev)))
    try:
        la = m.listen("http://127.0.0.1:0", lambda c, ev, d: (a_events.append((c, ev)), ev == MG_EV_HTTP_MSG and c.reply(200, b"A")), http=True)
        lb = m.listen("http://127.0.0.1:0", lambda c, ev, d: (b_events.append((c, ev)), ev == MG_EV_HTTP_MSG and c.reply(200, b"B")), http=True)
        lc = m.listen("http://127.0.0.1:0", http=True)  # no handler: default

        def clients():
            return get(port_of(la)), get(port_of(lb))

        assert serve_while(m, clients) == ((200, b"A"), (200, b"B"))
        acc_a = {c for c, ev in a_events if ev == MG_EV_ACCEPT}
        assert len(acc_a) == 1 and acc_a.pop().handler is la.handler
        assert any(ev == MG_EV_HTTP_MSG for c, ev in b_events)
        assert not any(ev == MG_EV_HTTP_MSG for _, ev in default_events)

        # set_handler on the listener: later accepted connections use the new one
        new = []
        la.set_handler(lambda c, ev, d: (new.append(ev), ev == MG_EV_HTTP_MSG and c.reply(200, b"new")))
        assert serve_while(m, get, port_of(la)) == (200, b"new")
        assert MG_EV_ACCEPT in new

        # the default handler serves the listener without a handler
        m._handler = lambda c, ev, d: ev == MG_EV_HTTP_MSG and c.reply(200, b"default")
        assert serve_while(m, get, port_of(lc)) == (200, b"default")
    finally:
        m.close()


# -- wakeup ----------------------------------------------------------------------


def test_wakeup_disabled_returns_false(mgr):
    lsn = mgr.listen("tcp://127.0.0.1:0")
    assert mgr.wakeup(lsn.id, b"x") is False


def test_wakeup_from_threads_in_order():
    got = []
    m = Manager(lambda c, ev, d: ev == MG_EV_WAKEUP and got.append((c.id, d)), enable_wakeup=True)
    try:
        lsn = m.listen("tcp://127.0.0.1:0")
        assert m.wakeup(0, b"nobody") is False
        with pytest.raises(TypeError):
            m.wakeup(lsn.id, "text is not bytes")

        def worker():
            return [m.wakeup(lsn.id, b"msg %d" % i) for i in range(50)] + [m.wakeup(lsn.id)]

        assert serve_while(m, worker) == [True] * 51
        poll_until(m, lambda: len(got) == 51)
        assert got == [(lsn.id, b"msg %d" % i) for i in range(50)] + [(lsn.id, b"")]
        assert m.wakeup(12345, b"unknown id is dropped") is True
        m.poll(10)
        assert len(got) == 51
    finally:
        m.close()
    with pytest.raises(RuntimeError, match="Manager has been freed"):
        m.wakeup(1, b"x")


def test_wakeup_payload_types():
    got = []
    with Manager(lambda c, ev, d: ev == MG_EV_WAKEUP and got.append(d), enable_wakeup=True) as m:
        lsn = m.listen("tcp://127.0.0.1:0")
        assert m.wakeup(lsn.id, bytearray(b"ba")) and m.wakeup(lsn.id, memoryview(b"mv"))
        poll_until(m, lambda: len(got) == 2)
    assert got == [b"ba", b"mv"] and all(type(x) is bytes for x in got)


# -- timers -----------------------------------------------------------------------


def test_timer_once_fires_once_and_is_released(mgr):
    calls = []
    t = mgr.timer_add(20, lambda: calls.append(time.monotonic()))
    assert isinstance(t, mongoose_rs.Timer) and t.active
    t0 = time.monotonic()
    poll_until(mgr, lambda: calls)
    assert calls[0] - t0 >= 0.015
    assert not t.active and mgr._timers == {}
    end = time.monotonic() + 0.1
    while time.monotonic() < end:
        mgr.poll(5)
    assert len(calls) == 1
    assert t.cancel() is False


def test_timer_repeat_and_run_now(mgr):
    rep, now_once, now_rep = [], [], []
    t1 = mgr.timer_add(10, lambda: rep.append(1), repeat=True)
    t2 = mgr.timer_add(10000, lambda: now_once.append(1), run_now=True)
    t3 = mgr.timer_add(10000, lambda: now_rep.append(1), repeat=True, run_now=True)
    mgr.poll(0)
    assert now_once == [1] and now_rep == [1]  # RUN_NOW: at the first poll
    assert not t2.active and t3.active
    poll_until(mgr, lambda: len(rep) >= 5)
    assert now_once == [1] and now_rep == [1]
    assert t1.active
    assert t1.cancel() is True and not t1.active
    n = len(rep)
    end = time.monotonic() + 0.1
    while time.monotonic() < end:
        mgr.poll(5)
    assert len(rep) == n
    assert t1.cancel() is False
    assert set(mgr._timers) == {t3._token}


def test_timer_cancel_inside_callbacks(mgr):
    calls = []
    holder = {}

    def self_cancel():
        calls.append("self")
        assert holder["a"].cancel() is True

    def cancel_other():
        calls.append("other")
        holder["c"].cancel()

    holder["a"] = mgr.timer_add(5, self_cancel, repeat=True)
    holder["c"] = mgr.timer_add(5, lambda: calls.append("victim"), repeat=True)
    holder["b"] = mgr.timer_add(5, cancel_other, repeat=True)
    once = mgr.timer_add(5, lambda: calls.append(("once", once.cancel())))
    poll_until(mgr, lambda: "self" in calls and "other" in calls and len(calls) >= 4)
    end = time.monotonic() + 0.1
    while time.monotonic() < end:
        mgr.poll(5)
    assert calls.count("self") == 1
    assert ("once", False) in calls  # a finished one-shot timer: nothing to cancel
    assert calls.count("victim") <= 1
    assert not holder["a"].active and not holder["c"].active and holder["b"].active


def test_repeat_timers_are_freed_by_close():
    calls = []
    m = Manager()
    timers = [m.timer_add(5, lambda: calls.append(1), repeat=True) for _ in range(3)]
    poll_until(m, lambda: len(calls) >= 3)
    m.close()  # frees all timers
    assert all(not t.active for t in timers)
    assert m._timers == {}
    assert all(t.cancel() is False for t in timers)
    n = len(calls)
    time.sleep(0.02)
    assert len(calls) == n


def test_timer_exception_is_printed_and_timer_keeps_running(mgr, capfd):
    mongoose_rs.set_callback_exception_hook(None)  # the default (conftest installs a recorder)
    calls = []

    def bad():
        calls.append(1)
        raise RuntimeError("timer went wrong")

    mgr.timer_add(5, bad, repeat=True)
    poll_until(mgr, lambda: len(calls) >= 3)
    err = capfd.readouterr().err
    assert "RuntimeError: timer went wrong" in err and "Traceback" in err


def test_timer_add_validates_callback(mgr):
    with pytest.raises(TypeError):
        mgr.timer_add(10, None)


# -- shutdown API (details in test_py_shutdown.py) --------------------------------


def test_is_done_only_after_shutdown(mgr):
    assert mgr.is_done is False
    mgr.shutdown(100)
    poll_until(mgr, lambda: mgr.is_done)
    assert mgr.is_done is True
