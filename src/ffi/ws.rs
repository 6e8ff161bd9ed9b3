//! WebSocket (`mongoose.h`: WebSocket): upgrade, connect, send, wrap,
//! printf. The variadic entry points are in `variadic.c`.
use crate::abi::*;
use crate::ffi::guard::guard;
use crate::net;
use core::ffi::{c_char, c_int, c_void};

/// The formatted extra header text (empty for a NULL format).
///
/// # Safety
/// `fmt` NULL or NUL-terminated; `ap` the caller's matching va_list.
unsafe fn extra(fmt: *const c_char, ap: *mut va_list) -> Vec<u8> {
    if fmt.is_null() {
        Vec::new()
    } else {
        // SAFETY: per this function's contract.
        unsafe { crate::ffi::fmt::format_va(fmt, ap) }
    }
}

/// Body of the variadic `mg_ws_upgrade` (see variadic.c).
/// cbindgen:ignore
#[no_mangle]
pub unsafe extern "C" fn mg_rs_ws_vupgrade(
    c: *mut mg_connection,
    hm: *mut mg_http_message,
    fmt: *const c_char,
    ap: *mut va_list,
) {
    if c.is_null() || hm.is_null() {
        return;
    }
    // SAFETY: live connection and message; C format string or NULL with
    // the caller's va_list.
    guard((), || unsafe { net::ws::upgrade(c, hm, &extra(fmt, ap)) })
}

/// Body of the variadic `mg_ws_connect` (see variadic.c).
/// cbindgen:ignore
#[no_mangle]
pub unsafe extern "C" fn mg_rs_ws_vconnect(
    mgr: *mut mg_mgr,
    url: *const c_char,
    fn_: mg_event_handler_t,
    fn_data: *mut c_void,
    fmt: *const c_char,
    ap: *mut va_list,
) -> *mut mg_connection {
    if mgr.is_null() || url.is_null() {
        return core::ptr::null_mut();
    }
    // SAFETY: initialised manager, C strings, the caller's va_list.
    guard(core::ptr::null_mut(), || unsafe { net::ws::connect(mgr, url, fn_, fn_data, &extra(fmt, ap)) })
}

/// Send one WebSocket frame (FIN set, opcode `op`; masked on client
/// connections). Returns header + payload length, 0 on failure.
#[no_mangle]
pub unsafe extern "C" fn mg_ws_send(
    c: *mut mg_connection,
    buf: *const c_void,
    len: usize,
    op: c_int,
) -> usize {
    if c.is_null() {
        return 0;
    }
    // SAFETY: the caller's `len` readable bytes (or NULL).
    let data = unsafe { super::raw::bytes(buf, len) };
    // SAFETY: live connection.
    guard(0, || unsafe { net::ws::send(c, data, op) })
}

/// Turn the last `len` bytes of `c->send` into one frame by inserting a
/// header before them. Returns the new `c->send.len`.
#[no_mangle]
pub unsafe extern "C" fn mg_ws_wrap(c: *mut mg_connection, len: usize, op: c_int) -> usize {
    if c.is_null() {
        return 0;
    }
    // SAFETY: live connection.
    guard(0, || unsafe { net::ws::wrap(c, len, op) })
}

/// Format a payload into `c->send` and frame it; returns the payload length.
#[no_mangle]
pub unsafe extern "C" fn mg_ws_vprintf(
    c: *mut mg_connection,
    op: c_int,
    fmt: *const c_char,
    ap: *mut va_list,
) -> usize {
    if c.is_null() {
        return 0;
    }
    // SAFETY: live connection, C format string or NULL, the caller's va_list.
    guard(0, || unsafe {
        let before = (*c).send.len;
        if !fmt.is_null() && crate::ffi::fmt::vprintf_into_iobuf(&mut (*c).send, fmt, ap).is_none() {
            net::error(c, "OOM");
            return 0;
        }
        let n = (*c).send.len.saturating_sub(before);
        net::ws::wrap(c, n, op);
        n
    })
}
