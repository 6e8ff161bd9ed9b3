//! Timers (`mongoose.h`: timers).
use crate::abi::*;
use crate::ffi::guard::{guard, guard_unit};
use crate::net::timer;
use core::ffi::{c_uint, c_void};
use core::ptr;

/// Initialise a caller-owned timer and prepend it to `*head`.
#[no_mangle]
pub unsafe extern "C" fn mg_timer_init(
    head: *mut *mut mg_timer,
    t: *mut mg_timer,
    milliseconds: u64,
    flags: c_uint,
    fn_: Option<unsafe extern "C" fn(*mut c_void)>,
    arg: *mut c_void,
) {
    if head.is_null() || t.is_null() {
        return;
    }
    // SAFETY: caller-owned timer memory and a valid list head.
    guard_unit(|| unsafe {
        (*t).period_ms = milliseconds;
        (*t).expire = 0;
        (*t).flags = flags;
        (*t).fn_ = fn_;
        (*t).arg = arg;
        timer::link(head, t);
    })
}

/// Unlink a timer (does not free it).
#[no_mangle]
pub unsafe extern "C" fn mg_timer_free(head: *mut *mut mg_timer, t: *mut mg_timer) {
    if head.is_null() || t.is_null() {
        return;
    }
    // SAFETY: a valid list of live timers.
    guard_unit(|| unsafe { timer::unlink(head, t) })
}

/// Fire the due timers of a list at time `new_ms`.
#[no_mangle]
pub unsafe extern "C" fn mg_timer_poll(head: *mut *mut mg_timer, new_ms: u64) {
    if head.is_null() {
        return;
    }
    // SAFETY: a valid list of live timers.
    guard_unit(|| unsafe { timer::poll(head, new_ms) })
}

/// Allocate an auto-deleting timer on the manager's list.
#[no_mangle]
pub unsafe extern "C" fn mg_timer_add(
    mgr: *mut mg_mgr,
    milliseconds: u64,
    flags: c_uint,
    fn_: Option<unsafe extern "C" fn(*mut c_void)>,
    arg: *mut c_void,
) -> *mut mg_timer {
    if mgr.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: C allocation checked for NULL; the manager's list is valid.
    guard(ptr::null_mut(), || unsafe {
        let t = libc::calloc(1, size_of::<mg_timer>()) as *mut mg_timer;
        if !t.is_null() {
            mg_timer_init(ptr::addr_of_mut!((*mgr).timers), t, milliseconds, flags | MG_TIMER_AUTODELETE, fn_, arg);
        }
        t
    })
}

/// Expiry helper for do-it-yourself timers (arms, reports, reschedules).
#[no_mangle]
pub unsafe extern "C" fn mg_timer_expired(expiration: *mut u64, period: u64, now: u64) -> bool {
    if expiration.is_null() {
        return false;
    }
    // SAFETY: a valid u64 out-parameter.
    guard(false, || unsafe { crate::core::timer::expired(&mut *expiration, period, now) })
}
