//! The timer list walk (`mg_timer_poll`), tolerant of callbacks that add or
//! remove timers, and the "next due" computation that bounds the poll wait.
use crate::abi::*;
use crate::core::timer::expired;
use core::ptr;
use std::cell::Cell;
use std::collections::HashSet;

/// Epoch milliseconds at boot (`mg_now() - mg_millis()`), 0 until SNTP
/// sets it, as in Mongoose. Shared with C, which may read or write it.
#[no_mangle]
pub static mut mg_boot_timestamp_ms: u64 = 0;

/// Set `mg_boot_timestamp_ms` (SNTP does, on a valid reply).
pub fn set_boot_timestamp(v: u64) {
    // SAFETY: a plain integer write; C programs read it between polls.
    unsafe { ptr::write_volatile(ptr::addr_of_mut!(mg_boot_timestamp_ms), v) };
}

/// The current `mg_boot_timestamp_ms`.
pub fn boot_timestamp() -> u64 {
    // SAFETY: a plain integer read.
    unsafe { ptr::read_volatile(ptr::addr_of!(mg_boot_timestamp_ms)) }
}

thread_local! {
    /// Bumped by every library call that changes a timer list, so the walk
    /// knows when to re-check which timers are still linked.
    static MUTATIONS: Cell<u64> = const { Cell::new(0) };
}

pub fn note_mutation() {
    MUTATIONS.with(|m| m.set(m.get().wrapping_add(1)));
}

fn mutations() -> u64 {
    MUTATIONS.with(|m| m.get())
}

/// # Safety
/// `head` points at a list of live timers.
unsafe fn members(head: *mut *mut mg_timer) -> HashSet<usize> {
    let mut set = HashSet::new();
    // SAFETY: walking live timers.
    unsafe {
        let mut t = *head;
        while !t.is_null() {
            set.insert(t as usize);
            t = (*t).next;
        }
    }
    set
}

/// Prepend `t` to the list.
///
/// # Safety
/// `head` valid; `t` live and not on the list.
pub unsafe fn link(head: *mut *mut mg_timer, t: *mut mg_timer) {
    // SAFETY: per the contract.
    unsafe {
        (*t).next = *head;
        *head = t;
    }
    note_mutation();
}

/// Unlink `t` if present.
///
/// # Safety
/// `head` points at a list of live timers.
pub unsafe fn unlink(head: *mut *mut mg_timer, t: *mut mg_timer) {
    // SAFETY: walking live timers.
    unsafe {
        let mut pp = head;
        while !(*pp).is_null() {
            if *pp == t {
                *pp = (*t).next;
                break;
            }
            pp = ptr::addr_of_mut!((**pp).next);
        }
    }
    note_mutation();
}

/// `mg_timer_poll`: fire due timers in list order (newest first).
///
/// # Safety
/// `head` points at a list of live timers.
pub unsafe fn poll(head: *mut *mut mg_timer, now: u64) {
    // Snapshot the order first; a callback may add timers (not visited this
    // time) or remove any timer (skipped if no longer linked).
    let mut order = Vec::new();
    // SAFETY: walking live timers.
    unsafe {
        let mut t = *head;
        while !t.is_null() {
            order.push(t);
            t = (*t).next;
        }
    }
    let mut seen = mutations();
    let mut linked: Option<HashSet<usize>> = None;
    for t in order {
        if mutations() != seen {
            // SAFETY: `head` is still a valid list.
            linked = Some(unsafe { members(head) });
            seen = mutations();
        }
        if linked.as_ref().is_some_and(|l| !l.contains(&(t as usize))) {
            continue; // removed (and maybe freed) by an earlier callback
        }
        // SAFETY: `t` is linked, hence live.
        unsafe {
            let flags = (*t).flags;
            let first_run_now =
                (*t).expire == 0 && flags & MG_TIMER_RUN_NOW != 0 && flags & MG_TIMER_CALLED == 0;
            let exp = expired(&mut (*t).expire, (*t).period_ms, now);
            if !first_run_now && !exp {
                continue;
            }
            if flags & MG_TIMER_REPEAT != 0 || flags & MG_TIMER_CALLED == 0 {
                if let Some(f) = (*t).fn_ {
                    f((*t).arg);
                }
            }
            if mutations() != seen {
                linked = Some(members(head));
                seen = mutations();
                if !linked.as_ref().unwrap().contains(&(t as usize)) {
                    continue; // the callback removed its own timer
                }
            }
            (*t).flags |= MG_TIMER_CALLED;
            if (*t).flags & MG_TIMER_REPEAT == 0 && (*t).flags & MG_TIMER_AUTODELETE != 0 {
                unlink(head, t);
                libc::free(t as *mut libc::c_void);
                seen = mutations();
                if let Some(l) = linked.as_mut() {
                    l.remove(&(t as usize));
                }
            }
        }
    }
}

/// The earliest time any timer needs the loop (0 = now), or u64::MAX.
///
/// # Safety
/// `head` points at a list of live timers.
pub unsafe fn next_due(head: *mut *mut mg_timer, now: u64) -> u64 {
    let mut due = u64::MAX;
    // SAFETY: walking live timers.
    unsafe {
        let mut t = *head;
        while !t.is_null() {
            let f = (*t).flags;
            let finished = f & MG_TIMER_REPEAT == 0 && f & MG_TIMER_CALLED != 0;
            if !finished {
                // An unarmed timer is armed by the next walk: come back now.
                due = due.min(if (*t).expire == 0 { now } else { (*t).expire });
            }
            t = (*t).next;
        }
    }
    due
}
