"""Timer firing order from Python: the timer walk with a fake clock through
mg_timer_init / mg_timer_poll (exact sequence, removal inside a callback),
and Manager.timer_add timers firing newest first within one poll.

Callbacks only record; every assertion is in the test body."""
import ctypes
from ctypes import POINTER, byref, c_uint, c_uint64, c_void_p

from mongoose_rs import _lib as L

MG_TIMER_ONCE, MG_TIMER_REPEAT, MG_TIMER_RUN_NOW = 0, 1, 2

init = L.lib["mg_timer_init"]  # own function objects: _lib keeps its argtypes
init.restype = None
init.argtypes = [POINTER(c_void_p), POINTER(L.MgTimer), c_uint64, c_uint, L.TIMER_FN, c_void_p]
tpoll = L.lib["mg_timer_poll"]
tpoll.restype = None
tpoll.argtypes = [POINTER(c_void_p), c_uint64]
tfree = L.lib["mg_timer_free"]
tfree.restype = None
tfree.argtypes = [POINTER(c_void_p), POINTER(L.MgTimer)]


class Walk:
    """A timer list with caller-owned timers named by one letter."""

    def __init__(self):
        self.head = c_void_p()
        self.log = []
        self.actions = {}
        self.timers = {}
        self.cb = L.TIMER_FN(self._fire)

    def _fire(self, arg):
        name = chr(arg)
        self.log.append(name)
        if name in self.actions:
            self.actions[name]()

    def add(self, name, ms, flags):
        t = L.MgTimer()
        self.timers[name] = t
        init(byref(self.head), byref(t), ms, flags, self.cb, ord(name))

    def free(self, name):
        tfree(byref(self.head), byref(self.timers[name]))

    def order(self):
        by_addr = {ctypes.addressof(t): n for n, t in self.timers.items()}
        out, p = [], self.head.value
        while p:
            out.append(by_addr[p])
            p = L.MgTimer.from_address(p).next
        return "".join(out)

    def polls(self, *times):
        out = []
        for now in times:
            tpoll(byref(self.head), now)
            out.append("".join(self.log))
            self.log.clear()
        return out


def test_fake_clock_sequence_newest_first():
    w = Walk()
    w.add("a", 2, MG_TIMER_REPEAT)
    w.add("b", 3, MG_TIMER_REPEAT)
    w.add("o", 10, MG_TIMER_ONCE | MG_TIMER_RUN_NOW)
    assert w.order() == "oba"
    assert w.polls(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10) == ["o", "", "a", "b", "a", "", "ba", "", "a", "b", "a"]
    assert w.polls(100, 101, 102) == ["ba", "", "a"]  # a stall: once each, no burst
    assert w.order() == "oba"  # a spent ONCE timer without AUTODELETE stays linked


def test_fake_clock_removal_and_addition_inside_callbacks():
    w = Walk()
    for name in "wzyx":
        w.add(name, 1, MG_TIMER_REPEAT)
    assert w.order() == "xyzw"
    w.actions["x"] = lambda: w.free("y")  # not reached yet by this walk
    w.actions["z"] = lambda: (w.free("z"), "n" in w.timers or w.add("n", 1, MG_TIMER_REPEAT | MG_TIMER_RUN_NOW))
    assert w.polls(0, 1, 2, 3) == ["", "xzw", "nxw", "nxw"]  # z runs, then frees itself
    assert w.order() == "nxw"


def test_manager_timers_fire_newest_first(mgr):
    calls = []
    for name in "abc":
        mgr.timer_add(60000, lambda name=name: calls.append(name), run_now=True)
    late = []
    mgr.timer_add(60000, lambda: calls.append("d") or late.append(mgr.timer_add(0, lambda: calls.append("late"), run_now=True)), run_now=True)
    mgr.poll(0)
    assert calls == ["d", "c", "b", "a"]  # the timer added by "d" waits for the next poll
    mgr.poll(0)
    assert calls == ["d", "c", "b", "a", "late"]
    assert len(late) == 1 and not late[0].active
