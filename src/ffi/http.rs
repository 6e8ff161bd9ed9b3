//! HTTP parsing helpers (`mongoose.h`: HTTP). The connection-level entry
//! points (listen, connect, reply, chunks, static files) live elsewhere and
//! share `core::http` with these.
use crate::abi::*;
use crate::core::http::{self as h, HeadError, Span};
use crate::ffi::guard::{guard, guard_unit};
use crate::ffi::raw::{bytes, bytes_mut};
use crate::net;
use crate::net::http::{fill_message, view};
use core::ffi::{c_char, c_int, c_uchar, c_void, CStr};
use core::ptr;

/// The bytes of a NUL-terminated string, `None` for NULL.
///
/// # Safety
/// A non-NULL `s` must be NUL-terminated and outlive `'a`.
unsafe fn c_bytes<'a>(s: *const c_char) -> Option<&'a [u8]> {
    // SAFETY: guaranteed by the caller.
    (!s.is_null()).then(|| unsafe { CStr::from_ptr(s) }.to_bytes())
}

/// Lengths reported through `int` (heads never come near 2 GiB).
fn to_int(n: usize) -> c_int {
    c_int::try_from(n).unwrap_or(c_int::MAX)
}

/// Find a header in a (possibly user-built) message: case-insensitive exact
/// name, scanning until the first empty slot.
///
/// # Safety
/// `hm` must point at a valid message whose views are readable.
unsafe fn find_header(hm: *mut mg_http_message, name: &[u8]) -> Option<*mut mg_str> {
    for i in 0..MG_MAX_HTTP_HEADERS {
        // SAFETY: `i` is in bounds of the caller's valid message.
        let hdr = unsafe { ptr::addr_of_mut!((*hm).headers[i]) };
        // SAFETY: as above; the name view is readable by contract.
        let n = unsafe { (*hdr).name };
        if n.len == 0 {
            break;
        }
        // SAFETY: the name view is readable by contract.
        if unsafe { n.as_bytes() }.eq_ignore_ascii_case(name) {
            // SAFETY: a field of the same live header slot.
            return Some(unsafe { ptr::addr_of_mut!((*hdr).value) });
        }
    }
    None
}

/// Parse a request or response head (the body need not be present). Zeroes
/// `*hm`, then fills it. Returns the head length, 0 if incomplete, -1 if
/// malformed.
#[no_mangle]
pub unsafe extern "C" fn mg_http_parse(s: *const c_char, len: usize, hm: *mut mg_http_message) -> c_int {
    guard(-1, || {
        if !hm.is_null() {
            // SAFETY: caller-owned message memory.
            unsafe { *hm = mg_http_message::zeroed() };
        }
        // SAFETY: `s` has `len` readable bytes (empty when NULL).
        let buf = unsafe { bytes(s, len) };
        match h::parse(buf) {
            Ok(head) => {
                if !hm.is_null() {
                    // SAFETY: `buf` starts at `s`; caller-owned message memory.
                    unsafe { fill_message(s as *const u8, &head, &mut *hm) };
                }
                to_int(head.head_len)
            }
            Err(HeadError::Incomplete) => 0,
            Err(HeadError::Malformed) => -1,
        }
    })
}

/// Length of the head (through the blank line), 0 if incomplete, -1 if a
/// control byte other than TAB/CR/LF comes first.
#[no_mangle]
pub unsafe extern "C" fn mg_http_get_request_len(buf: *const c_uchar, buf_len: usize) -> c_int {
    guard(-1, || {
        // SAFETY: `buf` has `buf_len` readable bytes (empty when NULL).
        match h::request_len(unsafe { bytes(buf as *const c_char, buf_len) }) {
            Ok(n) => to_int(n),
            Err(HeadError::Incomplete) => 0,
            Err(HeadError::Malformed) => -1,
        }
    })
}

/// The value of the first header called `name` (case-insensitive), or NULL.
#[no_mangle]
pub unsafe extern "C" fn mg_http_get_header(hm: *mut mg_http_message, name: *const c_char) -> *mut mg_str {
    if hm.is_null() || name.is_null() {
        return ptr::null_mut();
    }
    guard(ptr::null_mut(), || {
        // SAFETY: NUL-terminated name; a valid message.
        unsafe { c_bytes(name).and_then(|n| find_header(hm, n)) }.unwrap_or(ptr::null_mut())
    })
}

/// The value of `v=` inside a header value (quotes stripped), or `{NULL, 0}`.
#[no_mangle]
pub unsafe extern "C" fn mg_http_get_header_var(s: mg_str, v: mg_str) -> mg_str {
    guard(mg_str::NULL, || {
        // SAFETY: both views are readable by contract.
        let (hay, name) = unsafe { (s.as_bytes(), v.as_bytes()) };
        h::header_var(hay, name).map_or(mg_str::NULL, |x| view(s.buf as *const u8, x))
    })
}

/// The raw value of `name` in `k=v&k=v` text, or `{NULL, 0}`.
#[no_mangle]
pub unsafe extern "C" fn mg_http_var(buf: mg_str, name: mg_str) -> mg_str {
    guard(mg_str::NULL, || {
        // SAFETY: both views are readable by contract.
        let (text, key) = unsafe { (buf.as_bytes(), name.as_bytes()) };
        h::http_var(text, key).map_or(mg_str::NULL, |x| view(buf.buf as *const u8, x))
    })
}

/// Decode variable `name` of `*buf` into `dst`. Returns the length, -1 bad
/// source, -2 bad destination, -3 decoding failed, -4 not found.
#[no_mangle]
pub unsafe extern "C" fn mg_http_get_var(
    buf: *const mg_str,
    name: *const c_char,
    dst: *mut c_char,
    dst_len: usize,
) -> c_int {
    guard(-1, || {
        // SAFETY: `dst` has `dst_len` writable bytes (empty when NULL).
        let out = unsafe { bytes_mut(dst, dst_len) };
        if out.is_empty() {
            return -2;
        }
        out[0] = 0;
        // SAFETY: a readable view and a NUL-terminated name, when non-NULL.
        match unsafe { (buf.as_ref(), c_bytes(name)) } {
            // SAFETY: the view is readable by contract.
            (Some(b), Some(n)) => h::get_var(unsafe { b.as_bytes() }, n, out),
            _ => -1,
        }
    })
}

/// URL-decode `n` bytes of `s` into `to` (NUL-terminated); `form` also maps
/// `+` to space. Returns the length, or -1 on a bad escape or lack of room.
#[no_mangle]
pub unsafe extern "C" fn mg_url_decode(
    s: *const c_char,
    n: usize,
    to: *mut c_char,
    to_len: usize,
    form: c_int,
) -> c_int {
    guard(-1, || {
        // SAFETY: readable source and writable destination of the given sizes.
        let (src, dst) = unsafe { (bytes(s, n), bytes_mut(to, to_len)) };
        h::url_decode(src, dst, form != 0).map_or(-1, to_int)
    })
}

/// Percent-encode `n` bytes of `s` into `buf`. Returns the output length,
/// or 0 when `buf` is too small (it needs 4 spare bytes).
#[no_mangle]
pub unsafe extern "C" fn mg_url_encode(s: *const c_char, n: usize, buf: *mut c_char, len: usize) -> usize {
    guard(0, || {
        // SAFETY: readable source and writable destination of the given sizes.
        let (src, dst) = unsafe { (bytes(s, n), bytes_mut(buf, len)) };
        h::url_encode(src, dst)
    })
}

/// The numeric status code of a parsed response (0 for requests).
#[no_mangle]
pub unsafe extern "C" fn mg_http_status(hm: *const mg_http_message) -> c_int {
    guard(0, || {
        // SAFETY: a valid message with a readable `uri` view, when non-NULL.
        unsafe { hm.as_ref().map_or(0, |m| h::atoi(m.uri.as_bytes())) }
    })
}

/// Extract credentials: Basic auth, Bearer token, `access_token` cookie or
/// query variable, in that order. Both outputs are set to `""` first.
#[no_mangle]
pub unsafe extern "C" fn mg_http_creds(
    hm: *mut mg_http_message,
    user: *mut c_char,
    userlen: usize,
    pass: *mut c_char,
    passlen: usize,
) {
    guard_unit(|| {
        // SAFETY: writable outputs of the given sizes (empty when NULL).
        let (u, p) = unsafe { (bytes_mut(user, userlen), bytes_mut(pass, passlen)) };
        if hm.is_null() {
            h::write_truncated(u, b"");
            h::write_truncated(p, b"");
            return;
        }
        // SAFETY: a valid message whose views are readable.
        unsafe {
            let auth = find_header(hm, b"Authorization").map(|v| (*v).as_bytes());
            let cookie = find_header(hm, b"Cookie").map(|v| (*v).as_bytes());
            h::creds(auth, cookie, (*hm).query.as_bytes(), u, p);
        }
    })
}

/// Iterate over a multipart body: returns the offset of the next part (feed
/// it back in), 0 when done. `part` (may be NULL) receives views into `body`.
#[no_mangle]
pub unsafe extern "C" fn mg_http_next_multipart(body: mg_str, ofs: usize, part: *mut mg_http_part) -> usize {
    guard(0, || {
        // SAFETY: caller-owned part, when non-NULL.
        let mut part = unsafe { part.as_mut() };
        if let Some(p) = part.as_deref_mut() {
            *p = mg_http_part { name: mg_str::NULL, filename: mg_str::NULL, body: mg_str::NULL };
        }
        // SAFETY: the body view is readable by contract.
        let Some((next, found)) = h::next_multipart(unsafe { body.as_bytes() }, ofs) else {
            return 0;
        };
        if let Some(p) = part {
            let base = body.buf as *const u8;
            let opt = |s: Option<Span>| s.map_or(mg_str::NULL, |s| view(base, s));
            *p = mg_http_part {
                name: opt(found.name),
                filename: opt(found.filename),
                body: view(base, found.body),
            };
        }
        next
    })
}

/// Write the static-file Etag `"<mtime>.<size>"` into `buf` (truncated,
/// NUL-terminated) and return `buf`. Not declared by Mongoose's header.
#[no_mangle]
pub unsafe extern "C" fn mg_http_etag(
    buf: *mut c_char,
    len: usize,
    size: usize,
    mtime: libc::time_t,
) -> *mut c_char {
    guard(buf, || {
        // SAFETY: `buf` has `len` writable bytes (empty when NULL).
        h::write_truncated(unsafe { bytes_mut(buf, len) }, h::etag(size, mtime).as_bytes());
        buf
    })
}

/// Listen for HTTP: `mg_listen` with the HTTP protocol handler installed.
#[no_mangle]
pub unsafe extern "C" fn mg_http_listen(
    mgr: *mut mg_mgr,
    url: *const c_char,
    fn_: mg_event_handler_t,
    fn_data: *mut c_void,
) -> *mut mg_connection {
    if mgr.is_null() || url.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: initialised manager, NUL-terminated URL.
    guard(ptr::null_mut(), || unsafe { net::http::listen(mgr, url, fn_, fn_data) })
}

/// Connect to an HTTP server; the program writes the request on
/// `MG_EV_CONNECT`, responses arrive as `MG_EV_HTTP_MSG`.
#[no_mangle]
pub unsafe extern "C" fn mg_http_connect(
    mgr: *mut mg_mgr,
    url: *const c_char,
    fn_: mg_event_handler_t,
    fn_data: *mut c_void,
) -> *mut mg_connection {
    if mgr.is_null() || url.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: initialised manager, NUL-terminated URL.
    guard(ptr::null_mut(), || unsafe { net::http::connect(mgr, url, fn_, fn_data) })
}

/// Body of the variadic `mg_http_reply` (see variadic.c).
/// cbindgen:ignore
#[no_mangle]
pub unsafe extern "C" fn mg_rs_http_vreply(
    c: *mut mg_connection,
    code: c_int,
    headers: *const c_char,
    fmt: *const c_char,
    ap: *mut va_list,
) {
    if c.is_null() {
        return;
    }
    // SAFETY: live connection; C strings or NULL; the caller's va_list.
    guard_unit(|| unsafe {
        let body = if fmt.is_null() { Vec::new() } else { crate::ffi::fmt::format_va(fmt, ap) };
        net::http::reply_bytes(c, code, c_bytes(headers).unwrap_or(b""), &body);
    })
}

/// Body of the variadic `mg_http_printf_chunk` (see variadic.c).
/// cbindgen:ignore
#[no_mangle]
pub unsafe extern "C" fn mg_rs_http_vprintf_chunk(
    c: *mut mg_connection,
    fmt: *const c_char,
    ap: *mut va_list,
) {
    if c.is_null() {
        return;
    }
    // SAFETY: live connection; C format string or NULL; the caller's va_list.
    guard_unit(|| unsafe {
        let data = if fmt.is_null() { Vec::new() } else { crate::ffi::fmt::format_va(fmt, ap) };
        net::http::chunk(c, &data, true);
    })
}

/// Send one chunk (`<hex>\r\n<data>\r\n`); `len == 0` ends the response.
#[no_mangle]
pub unsafe extern "C" fn mg_http_write_chunk(c: *mut mg_connection, buf: *const c_char, len: usize) {
    if c.is_null() {
        return;
    }
    // SAFETY: live connection; `buf` readable for `len` bytes (or empty).
    guard_unit(|| unsafe { net::http::chunk(c, bytes(buf, len), false) })
}

/// Append an `Authorization: Basic` header line for `user`/`pass`.
#[no_mangle]
pub unsafe extern "C" fn mg_http_bauth(c: *mut mg_connection, user: *const c_char, pass: *const c_char) {
    if c.is_null() {
        return;
    }
    // SAFETY: live connection; C strings or NULL.
    guard_unit(|| unsafe { net::http::bauth(c, c_bytes(user).unwrap_or(b""), c_bytes(pass).unwrap_or(b"")) })
}

/// mongoose-rs extension (Mongoose has no such limit): a timeout for
/// receiving a request head, against slowloris clients. `ms == 0` (the
/// default) turns it off, which is Mongoose's behaviour.
///
/// With `ms > 0`, a server connection of `mgr` that has buffered the start
/// of a request head but not the blank line that ends it, `ms` milliseconds
/// after the first byte of that head arrived, is answered
/// `HTTP/1.1 408 Request Timeout` (body `Request Timeout\n`, in
/// `mg_http_reply`'s format), then drains and closes; bytes arriving after
/// that are discarded, and the program sees no event but `MG_EV_CLOSE`.
/// The clock starts at the first byte of each request head (the first one
/// and every later one on a keep-alive connection) and stops when the head
/// is complete. It does not run while nothing is buffered (an idle
/// keep-alive connection is never closed by it), nor while a request body
/// arrives or a response is being produced. The check runs at every
/// `MG_EV_POLL`, so the 408 leaves at the first poll after the deadline.
/// Applies at once to every connection of `mgr`, including open ones.
#[no_mangle]
pub unsafe extern "C" fn mg_http_set_header_timeout(mgr: *mut mg_mgr, ms: libc::c_ulong) {
    if mgr.is_null() {
        return;
    }
    // SAFETY: an initialised manager.
    guard_unit(|| unsafe { net::http::set_header_timeout(mgr, ms) })
}
