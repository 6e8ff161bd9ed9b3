//! The timer walk (`net::timer`) through the exported C functions, with a
//! fake clock: firing order, timers added or removed by a callback, auto-
//! deleting timers and MG_TIMER_RUN_NOW.
//!
//! Each callback appends its timer's letter to a log and may run an action
//! (add or free timers) registered for that letter.

use mongoose::abi::*;
use mongoose::ffi::net::{mg_mgr_free, mg_mgr_init};
use mongoose::ffi::timer::{mg_timer_add, mg_timer_free, mg_timer_init, mg_timer_poll};
use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::c_void;
use std::ptr;

type Action = Box<dyn FnMut()>;

thread_local! {
    static LOG: RefCell<String> = const { RefCell::new(String::new()) };
    static ACTIONS: RefCell<HashMap<u8, Action>> = RefCell::new(HashMap::new());
}

unsafe extern "C" fn fire(arg: *mut c_void) {
    let id = arg as usize as u8;
    LOG.with(|l| l.borrow_mut().push(id as char));
    // Taken out while it runs: it may add or free timers, which is the point.
    if let Some(mut act) = ACTIONS.with(|a| a.borrow_mut().remove(&id)) {
        act();
        ACTIONS.with(|a| a.borrow_mut().insert(id, act));
    }
}

fn on_fire(id: u8, act: impl FnMut() + 'static) {
    ACTIONS.with(|a| a.borrow_mut().insert(id, Box::new(act)));
}

fn arg(id: u8) -> *mut c_void {
    usize::from(id) as *mut c_void
}

/// A caller-owned timer at a stable address.
fn timer() -> *mut mg_timer {
    // SAFETY: mg_timer is plain data; all-zero is a valid unlinked timer.
    Box::into_raw(Box::new(unsafe { std::mem::zeroed::<mg_timer>() }))
}

fn init(head: *mut *mut mg_timer, t: *mut mg_timer, ms: u64, flags: u32, id: u8) {
    // SAFETY: `head` is a live list and `t` a live timer not on it.
    unsafe { mg_timer_init(head, t, ms, flags, Some(fire), arg(id)) };
}

/// Polls at each time of `times` and returns what fired at each.
fn polls(head: *mut *mut mg_timer, times: &[u64]) -> Vec<String> {
    times
        .iter()
        .map(|&now| {
            // SAFETY: `head` is a live list of live timers.
            unsafe { mg_timer_poll(head, now) };
            LOG.with(|l| std::mem::take(&mut *l.borrow_mut()))
        })
        .collect()
}

fn list(head: *mut *mut mg_timer) -> Vec<*mut mg_timer> {
    let mut v = Vec::new();
    // SAFETY: walking a live list.
    unsafe {
        let mut t = *head;
        while !t.is_null() {
            v.push(t);
            t = (*t).next;
        }
    }
    v
}

#[test]
fn fires_due_timers_in_list_order_newest_first() {
    let mut head: *mut mg_timer = ptr::null_mut();
    let (a, b) = (timer(), timer());
    init(&mut head, a, 2, MG_TIMER_REPEAT, b'a');
    init(&mut head, b, 3, MG_TIMER_REPEAT, b'b');
    assert_eq!(list(&mut head), vec![b, a]);
    // The first walk arms both; each then fires every period, in list order.
    assert_eq!(polls(&mut head, &[0, 1, 2, 3, 4, 5, 6, 7, 8]), ["", "", "a", "b", "a", "", "ba", "", "a"]);
    // A stall fires each timer once, not once per missed period.
    assert_eq!(polls(&mut head, &[100, 101, 102]), ["ba", "", "a"]);
}

#[test]
fn run_now_fires_on_the_first_walk() {
    let mut head: *mut mg_timer = ptr::null_mut();
    let (once, rep, plain) = (timer(), timer(), timer());
    init(&mut head, plain, 10, MG_TIMER_REPEAT, b'p');
    init(&mut head, rep, 10, MG_TIMER_REPEAT | MG_TIMER_RUN_NOW, b'r');
    init(&mut head, once, 10, MG_TIMER_ONCE | MG_TIMER_RUN_NOW, b'o');
    assert_eq!(polls(&mut head, &[0, 5, 10, 20, 30]), ["or", "", "rp", "rp", "rp"]);
    // SAFETY: reading a live timer.
    let flags = unsafe { (*once).flags };
    assert_ne!(flags & MG_TIMER_CALLED, 0);
    // A ONCE timer without AUTODELETE stays on the list, spent.
    assert_eq!(list(&mut head), vec![once, rep, plain]);
}

#[test]
fn timer_added_by_a_callback_waits_for_the_next_walk() {
    let mut head: *mut mg_timer = ptr::null_mut();
    let hp: *mut *mut mg_timer = &mut head;
    let (a, n) = (timer(), timer());
    init(hp, a, 1, MG_TIMER_REPEAT, b'a');
    let mut added = false;
    on_fire(b'a', move || {
        if !added {
            added = true;
            // Due at once (RUN_NOW), yet not visited by the walk that added it.
            init(hp, n, 1, MG_TIMER_REPEAT | MG_TIMER_RUN_NOW, b'n');
        }
    });
    assert_eq!(polls(hp, &[0, 1, 2, 3]), ["", "a", "na", "na"]);
    assert_eq!(list(hp), vec![n, a]);
}

#[test]
fn timers_removed_by_a_callback_do_not_fire() {
    let mut head: *mut mg_timer = ptr::null_mut();
    let hp: *mut *mut mg_timer = &mut head;
    let (x, y, z, w) = (timer(), timer(), timer(), timer());
    init(hp, w, 1, MG_TIMER_REPEAT, b'w');
    init(hp, z, 1, MG_TIMER_REPEAT, b'z');
    init(hp, y, 1, MG_TIMER_REPEAT, b'y');
    init(hp, x, 1, MG_TIMER_REPEAT, b'x');
    assert_eq!(list(hp), vec![x, y, z, w]);
    // x frees y, which the same walk has not reached yet; z frees itself and
    // the already-fired x, on its second run.
    let mut runs = 0;
    // SAFETY (both closures): freeing timers of the live list `hp`.
    on_fire(b'x', move || unsafe { mg_timer_free(hp, y) });
    on_fire(b'z', move || unsafe {
        runs += 1;
        if runs == 2 {
            mg_timer_free(hp, z);
            mg_timer_free(hp, x);
        }
    });
    assert_eq!(polls(hp, &[0, 1, 2, 3, 4]), ["", "xzw", "xzw", "w", "w"]);
    assert_eq!(list(hp), vec![w]);
}

#[test]
fn add_makes_autodelete_timers_freed_after_their_only_run() {
    // SAFETY: a manager initialised, used on this thread and freed.
    unsafe {
        let mut mgr: mg_mgr = std::mem::zeroed();
        mg_mgr_init(&mut mgr);
        let hp: *mut *mut mg_timer = &mut mgr.timers;
        let rep = mg_timer_add(&mut mgr, 2, MG_TIMER_REPEAT, Some(fire), arg(b'r'));
        let once = mg_timer_add(&mut mgr, 3, MG_TIMER_ONCE, Some(fire), arg(b'o'));
        assert!(!rep.is_null() && !once.is_null());
        assert_ne!((*once).flags & MG_TIMER_AUTODELETE, 0);
        assert_ne!((*rep).flags & MG_TIMER_AUTODELETE, 0);
        assert_eq!(list(hp), vec![once, rep]);
        assert_eq!(polls(hp, &[0, 2, 3]), ["", "r", "o"]);
        // The ONCE timer is unlinked (and freed); the REPEAT one keeps going.
        assert_eq!(list(hp), vec![rep]);
        assert_eq!(polls(hp, &[4, 6, 9]), ["r", "r", "r"]);
        mg_mgr_free(&mut mgr);
    }
}
