//! The SNTP client handler behind `mg_sntp_connect`: one request on
//! MG_EV_CONNECT, the first reply ends the connection (firing
//! MG_EV_SNTP_TIME when valid), and 3 s without a reply close it too.
use super::{call, millis, send};
use crate::abi::*;
use crate::core::sntp;
use core::ffi::{c_char, c_int, c_void};

/// How long a connection waits for its reply.
const TIMEOUT_MS: u64 = 3000;

/// `mg_sntp_parse` for the loop's clock; a valid time also sets
/// `mg_boot_timestamp_ms`, as Mongoose does.
pub fn parse(buf: &[u8]) -> i64 {
    let now = millis();
    let t = sntp::parse(buf, now);
    if t > 0 {
        crate::net::timer::set_boot_timestamp((t as u64).wrapping_sub(now));
    }
    t
}

/// The protocol handler.
///
/// # Safety
/// Called by the loop with a live connection.
pub unsafe extern "C" fn handler(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    // SAFETY: `c` is live; `pfn_data` holds the deadline we stored at
    // connect time (an integer, never dereferenced).
    unsafe {
        match ev {
            MG_EV_CONNECT => request(c),
            MG_EV_READ => {
                let mut t = parse((*c).recv.data());
                if t >= 0 {
                    call(c, MG_EV_SNTP_TIME, &mut t as *mut i64 as *mut c_void);
                }
                (*c).recv.len = 0;
                (*c).set_flag(FLAG_IS_CLOSING, true);
            }
            MG_EV_POLL => {
                let now = if ev_data.is_null() { millis() } else { *(ev_data as *const u64) };
                if now > (*c).pfn_data as usize as u64 {
                    (*c).set_flag(FLAG_IS_CLOSING, true);
                }
            }
            _ => {}
        }
    }
}

/// `mg_sntp_request`: send a request now.
///
/// # Safety
/// `c` live.
pub unsafe fn request(c: *mut mg_connection) {
    // SAFETY: `c` live.
    unsafe {
        if (*c).flag(FLAG_IS_RESOLVING) {
            crate::net::log_error(format_args!("{} wait until resolved", (*c).id));
            return;
        }
        send(c, &sntp::request(millis()));
    }
}

/// `mg_sntp_connect` (NULL url: `udp://time.google.com:123`).
///
/// # Safety
/// `mgr` initialised; `url` NUL-terminated or NULL.
pub unsafe fn connect(
    mgr: *mut mg_mgr,
    url: *const c_char,
    fn_: mg_event_handler_t,
    fn_data: *mut c_void,
) -> *mut mg_connection {
    let url = if url.is_null() { c"udp://time.google.com:123".as_ptr() } else { url };
    let deadline = (millis() + TIMEOUT_MS) as usize as *mut c_void;
    // SAFETY: per the contract.
    unsafe { super::connect(mgr, url, fn_, fn_data, Some(handler), deadline) }
}
