//! SNTP (`mongoose.h`: SNTP): a one-shot time query over UDP.
use crate::abi::*;
use crate::ffi::guard::{guard, guard_unit};
use crate::net::sntp as n;
use core::ffi::{c_char, c_uchar, c_void};
use core::ptr;

/// Ask an SNTP server for the time (`url` NULL: `udp://time.google.com:123`).
/// The request goes out on connect; a valid reply sets
/// `mg_boot_timestamp_ms` and fires `MG_EV_SNTP_TIME` (ev_data: `int64_t *`
/// epoch milliseconds); the connection closes after the first reply or 3 s.
#[no_mangle]
pub unsafe extern "C" fn mg_sntp_connect(
    mgr: *mut mg_mgr,
    url: *const c_char,
    fn_: mg_event_handler_t,
    fn_data: *mut c_void,
) -> *mut mg_connection {
    if mgr.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: initialised manager; URL NUL-terminated or NULL.
    guard(ptr::null_mut(), || unsafe { n::connect(mgr, url, fn_, fn_data) })
}

/// Send an SNTP request on `c` now (not while its host is resolving).
#[no_mangle]
pub unsafe extern "C" fn mg_sntp_request(c: *mut mg_connection) {
    if c.is_null() {
        return;
    }
    // SAFETY: live connection.
    guard_unit(|| unsafe { n::request(c) })
}

/// Epoch milliseconds from an SNTP reply (corrected by half the round
/// trip), or -1 if it is not a valid server reply. A valid one also sets
/// `mg_boot_timestamp_ms`.
#[no_mangle]
pub unsafe extern "C" fn mg_sntp_parse(buf: *const c_uchar, len: usize) -> i64 {
    if buf.is_null() {
        return -1;
    }
    // SAFETY: `buf` readable for `len` bytes.
    guard(-1, || unsafe { n::parse(core::slice::from_raw_parts(buf, len)) })
}
