"""Modbus-TCP interop: pymodbus (a complete, independent Modbus client) reads
and writes coils and registers served by mg_modbus_listen through ctypes,
sees the exceptions the handler sets, and a non-Modbus frame is closed."""
import ctypes as C
import socket
import struct
import threading
import time

import pytest

pymodbus = pytest.importorskip("pymodbus")
from pymodbus.client import ModbusTcpClient  # noqa: E402

MG_EV_MODBUS_REQ = 22
CB = C.CFUNCTYPE(None, C.c_void_p, C.c_int, C.c_void_p)


class Req(C.Structure):
    _fields_ = [("func", C.c_uint8), ("error", C.c_uint8), ("addr", C.c_uint16),
                ("u", C.c_void_p), ("len", C.c_uint16)]


class Device:
    """100 coils and 100 holding registers; address 50 answers 'illegal
    address' as the handler decides."""

    def __init__(self):
        self.coils = [False] * 100
        self.regs = list(range(1000, 1100))
        self.events = []

    def handle(self, c, ev, evd):
        if ev != MG_EV_MODBUS_REQ:
            return
        r = Req.from_address(evd)
        self.events.append((r.func, r.addr, r.len))
        if r.addr + r.len > 100 or r.addr <= 50 < r.addr + r.len:
            r.error = 2
            return
        if r.func in (1, 2, 5, 15):
            bits = (C.c_bool * r.len).from_address(r.u)
            for i in range(r.len):
                if r.func in (1, 2):
                    bits[i] = self.coils[r.addr + i]
                else:
                    self.coils[r.addr + i] = bits[i]
        else:
            regs = (C.c_uint16 * r.len).from_address(r.u)
            for i in range(r.len):
                if r.func in (3, 4):
                    regs[i] = self.regs[r.addr + i]
                else:
                    self.regs[r.addr + i] = regs[i]


@pytest.fixture
def server(lib):
    mgr = C.create_string_buffer(1024)
    lib.mg_mgr_init(mgr)
    dev = Device()
    cb = CB(dev.handle)
    lib.mg_modbus_listen.restype = C.c_void_p
    lsn = lib.mg_modbus_listen(mgr, b"tcp://127.0.0.1:0", cb, None)
    assert lsn
    # struct mg_connection: loc (struct mg_addr) at offset 16; port at +16.
    port = socket.ntohs(C.c_uint16.from_address(lsn + 16 + 16).value)
    yield lib, mgr, dev, port
    lib.mg_mgr_free(mgr)
    del cb


def run(server, client_fn, timeout=20.0):
    """Poll the manager while client_fn runs in a thread; return its result."""
    lib, mgr, _, port = server
    out = {}

    def body():
        try:
            out["r"] = client_fn(port)
        except BaseException as e:  # surfaced below
            out["e"] = e

    t = threading.Thread(target=body)
    t.start()
    deadline = time.monotonic() + timeout
    while t.is_alive() and time.monotonic() < deadline:
        lib.mg_mgr_poll(mgr, 5)
    t.join(1)
    assert not t.is_alive(), "client did not finish"
    if "e" in out:
        raise out["e"]
    return out["r"]


def test_pymodbus_reads_and_writes(server):
    _, _, dev, _ = server
    dev.coils[3] = dev.coils[9] = True

    def client(port):
        cl = ModbusTcpClient("127.0.0.1", port=port, timeout=5, retries=0)
        assert cl.connect()
        res = {}
        res["coils"] = cl.read_coils(0, count=12).bits[:12]
        res["di"] = cl.read_discrete_inputs(8, count=3).bits[:3]
        res["hr"] = cl.read_holding_registers(5, count=4).registers
        res["ir"] = cl.read_input_registers(90, count=10).registers
        assert not cl.write_coil(4, True).isError()
        assert not cl.write_coils(20, [True, False, True, True] * 3).isError()
        assert not cl.write_register(7, 0xBEEF).isError()
        assert not cl.write_registers(60, [1, 2, 3, 65535]).isError()
        res["after"] = cl.read_holding_registers(60, count=4).registers
        res["coils2"] = cl.read_coils(18, count=16).bits[:16]
        cl.close()
        return res

    res = run(server, client)
    assert res["coils"] == [False] * 3 + [True] + [False] * 5 + [True] + [False] * 2
    assert res["di"] == [False, True, False]
    assert res["hr"] == [1005, 1006, 1007, 1008]
    assert res["ir"] == list(range(1090, 1100))
    assert dev.coils[4] and dev.regs[7] == 0xBEEF
    assert res["after"] == [1, 2, 3, 65535]
    assert res["coils2"] == [False, False] + [True, False, True, True] * 3 + [False, False]
    assert (15, 20, 12) in dev.events and (16, 60, 4) in dev.events


def test_pymodbus_sees_exceptions(server):
    _, _, dev, _ = server

    def client(port):
        cl = ModbusTcpClient("127.0.0.1", port=port, timeout=5, retries=0)
        assert cl.connect()
        a = cl.read_holding_registers(48, count=5)  # handler: illegal address
        # Function 23 (read/write registers) is not served: illegal function.
        b = cl.readwrite_registers(read_address=0, read_count=2, write_address=0, values=[1])
        c = cl.read_holding_registers(0, count=2)  # connection still usable
        cl.close()
        return a, b, c

    a, b, c = run(server, client)
    assert a.isError() and a.exception_code == 2 and a.function_code == 0x83
    assert b.isError() and b.exception_code == 1 and b.function_code == 0x97
    assert c.registers == [1000, 1001]
    assert [e[0] for e in dev.events] == [3, 3]


def test_bad_frame_is_closed(server):
    def client(port):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        # Protocol id 1: not Modbus-TCP.
        s.sendall(struct.pack(">HHHB", 1, 1, 6, 1) + bytes([3, 0, 0, 0, 1]))
        got = s.recv(100)
        s.close()
        return got

    assert run(server, client) == b""
