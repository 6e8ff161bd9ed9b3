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
            mg_timer_init(
                ptr::addr_of_mut!((*mgr).timers),
                t,
                milliseconds,
                flags | MG_TIMER_AUTODELETE,
                fn_,
                arg,
            );
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

/// `mg_millis`: monotonic milliseconds (CLOCK_MONOTONIC_RAW).
#[no_mangle]
pub extern "C" fn mg_millis() -> u64 {
    crate::net::millis()
}

/// `mg_now`: `mg_millis() + mg_boot_timestamp_ms`.
#[no_mangle]
pub extern "C" fn mg_now() -> u64 {
    crate::net::millis().wrapping_add(crate::net::timer::boot_timestamp())
}

/// `mg_delayms`: wait until `ms + 1` milliseconds have passed (Mongoose
/// busy-waits; sleeping gives the same observable result without the CPU).
#[no_mangle]
pub extern "C" fn mg_delayms(ms: c_uint) {
    let until = crate::net::millis() + u64::from(ms) + 1;
    loop {
        let now = crate::net::millis();
        if now > until {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(until + 1 - now));
    }
}

/// `mg_timegm`: seconds since the epoch for a UTC calendar time (month
/// 1-12); 0 before 1970.
#[no_mangle]
pub extern "C" fn mg_timegm(
    year: c_uint,
    month: c_uint,
    day: c_uint,
    hour: c_uint,
    min: c_uint,
    sec: c_uint,
) -> u64 {
    if year < 1970 {
        return 0;
    }
    // Days from civil date (proleptic Gregorian), shifted so March is month 0.
    let (y, m) = if month <= 2 {
        (i64::from(year) - 1, i64::from(month) + 9)
    } else {
        (i64::from(year), i64::from(month) - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * m + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    (days * 86_400 + i64::from(hour) * 3600 + i64::from(min) * 60 + i64::from(sec)).max(0) as u64
}

#[cfg(test)]
mod time_tests {
    #[test]
    fn timegm_reference() {
        assert_eq!(super::mg_timegm(2024, 1, 2, 3, 4, 5), 1_704_164_645);
        assert_eq!(super::mg_timegm(1970, 1, 1, 0, 0, 0), 0);
        assert_eq!(super::mg_timegm(1969, 12, 31, 0, 0, 0), 0);
        assert_eq!(super::mg_timegm(2000, 3, 1, 0, 0, 0), 951_868_800);
    }
}
