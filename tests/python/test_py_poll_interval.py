"""Manager.set_poll_interval (issue 19): with an interval, an idle
connection gets MG_EV_POLL at most once per interval, one with I/O in the
poll that serves it; 0 restores MG_EV_POLL on every poll."""
import socket
import time

from mongoose_rs import MG_EV_ACCEPT, MG_EV_HTTP_MSG, MG_EV_POLL, Manager


def test_poll_interval_idle_and_busy_connections():
    polls = {}  # connection id -> list of (iteration, monotonic ms)
    served = []  # (connection id, iteration)
    accepted = []
    it = [0]

    def handler(c, ev, data):
        if c.is_listening:
            return
        if ev == MG_EV_ACCEPT:
            accepted.append(c.id)
        elif ev == MG_EV_POLL:
            polls.setdefault(c.id, []).append((it[0], time.monotonic() * 1000))
        elif ev == MG_EV_HTTP_MSG:
            served.append((c.id, it[0]))
            c.reply(200, b"hi\n")

    m = Manager(handler)
    try:
        lsn = m.listen("http://127.0.0.1:0", http=True)
        port = lsn.local_addr[1]
        idle = socket.create_connection(("127.0.0.1", port))
        busy = socket.create_connection(("127.0.0.1", port))
        deadline = time.monotonic() + 3
        while len(accepted) < 2 and time.monotonic() < deadline:
            it[0] += 1
            m.poll(10)
        assert len(accepted) == 2
        idle_id, busy_id = accepted

        # Default: every poll reaches every connection.
        before = len(polls.get(idle_id, []))
        for _ in range(4):
            it[0] += 1
            m.poll(0)
        assert len(polls[idle_id]) == before + 4

        ms = 150
        m.set_poll_interval(ms)
        it[0] += 1
        m.poll(0)  # the first poll after switching visits everyone
        polls.clear()
        t0 = time.monotonic()
        sent = False
        while time.monotonic() - t0 < 1.0:
            it[0] += 1
            m.poll(10)
            if not sent and time.monotonic() - t0 > 0.3:
                busy.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                sent = True
        iters = it[0]
        assert len(served) == 1 and served[0][0] == busy_id
        # The connection with I/O got MG_EV_POLL in the poll that served it.
        assert served[0][1] in [i for i, _ in polls[busy_id]]
        times = [t for _, t in polls[idle_id]]
        gaps = [b - a for a, b in zip(times, times[1:])]
        assert 2 <= len(times) <= 1000 // ms + 1
        assert min(gaps) >= ms - 1  # Python's clock vs the library's ms clock
        assert max(gaps) <= ms + 10 + 250
        assert len(times) * 3 < iters
        busy.settimeout(2)
        assert busy.recv(100).startswith(b"HTTP/1.1 200 OK\r\n")

        m.set_poll_interval(0)
        before = len(polls[idle_id])
        for _ in range(4):
            m.poll(0)
        assert len(polls[idle_id]) == before + 4
        idle.close()
        busy.close()
    finally:
        m.close()
