//! JSON exports (API.md §14): lookups by path, typed getters, unescaping and
//! iteration. The scanner is `core::json`; these shims convert views and
//! hand out `calloc` buffers. A NULL path is `MG_JSON_INVALID` (like any
//! path not starting with `$`); a NULL or empty document is not found.
use super::guard::guard;
use crate::abi::mg_str;
use crate::core::json;
use crate::net::cstr;
use core::ffi::{c_char, c_int, c_long};
use core::ptr;

/// A `calloc` copy of `data` in a block of at least `size` zeroed bytes
/// (NULL on out-of-memory). Free with `mg_free`.
fn heap_block(data: &[u8], size: usize) -> *mut c_char {
    let size = size.max(data.len()).max(1);
    // SAFETY: plain allocation, checked for NULL.
    let p = unsafe { libc::calloc(1, size) } as *mut u8;
    if !p.is_null() {
        // SAFETY: `p` has `size >= data.len()` bytes.
        unsafe { ptr::copy_nonoverlapping(data.as_ptr(), p, data.len()) };
    }
    p as *mut c_char
}

/// `mg_json_get`: offset of the value at `path` in `json.buf` (its token
/// length in `*toklen`, which may be NULL and is 0 on error), or
/// `MG_JSON_TOO_DEEP` (-1), `MG_JSON_INVALID` (-2), `MG_JSON_NOT_FOUND` (-3).
///
/// # Safety
/// `json` a valid view; `path` NULL or NUL-terminated; `toklen` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mg_json_get(json: mg_str, path: *const c_char, toklen: *mut c_int) -> c_int {
    // SAFETY: per the contract.
    let (s, p) = unsafe { (json.as_bytes(), cstr(path)) };
    let r = guard(Err(json::INVALID), || json::get(s, p));
    let (ret, len) = match r {
        // Offsets fit: the scan looks at most at i32::MAX bytes.
        Ok((o, n)) => (o as c_int, n as c_int),
        Err(e) => (e, 0),
    };
    if !toklen.is_null() {
        // SAFETY: per the contract.
        unsafe { *toklen = len };
    }
    ret
}

/// `mg_json_get_tok`: the token at `path` as a view into `json` (strings
/// keep quotes and escapes), or `{NULL, 0}`.
///
/// # Safety
/// As `mg_json_get`.
#[no_mangle]
pub unsafe extern "C" fn mg_json_get_tok(json: mg_str, path: *const c_char) -> mg_str {
    // SAFETY: per the contract.
    let (s, p) = unsafe { (json.as_bytes(), cstr(path)) };
    match guard(Err(json::INVALID), || json::get(s, p)) {
        // SAFETY: `o + n <= json.len`, so the view stays inside `json`.
        Ok((o, n)) => mg_str { buf: unsafe { json.buf.add(o) }, len: n },
        Err(_) => mg_str::NULL,
    }
}

/// `mg_json_get_num`: true if the value at `path` is a number (its token
/// starts with `-` or a digit); stores it in `*v` (`v` may be NULL).
///
/// # Safety
/// As `mg_json_get`; `v` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mg_json_get_num(json: mg_str, path: *const c_char, v: *mut f64) -> bool {
    // SAFETY: per the contract.
    let (s, p) = unsafe { (json.as_bytes(), cstr(path)) };
    match guard(None, || json::get_num(s, p)) {
        Some(d) => {
            if !v.is_null() {
                // SAFETY: per the contract.
                unsafe { *v = d };
            }
            true
        }
        None => false,
    }
}

/// `mg_json_get_bool`: true if the value at `path` starts with `t` or `f`;
/// `*v` is whether it starts with `t` (`v` may be NULL).
///
/// # Safety
/// As `mg_json_get`; `v` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mg_json_get_bool(json: mg_str, path: *const c_char, v: *mut bool) -> bool {
    // SAFETY: per the contract.
    let (s, p) = unsafe { (json.as_bytes(), cstr(path)) };
    match guard(None, || json::get_bool(s, p)) {
        Some(b) => {
            if !v.is_null() {
                // SAFETY: per the contract.
                unsafe { *v = b };
            }
            true
        }
        None => false,
    }
}

/// `mg_json_get_long`: the number at `path` converted with C's `(long)`
/// (out of range gives `LONG_MIN`, as on x86_64), or `dflt`.
///
/// # Safety
/// As `mg_json_get`.
#[no_mangle]
pub unsafe extern "C" fn mg_json_get_long(json: mg_str, path: *const c_char, dflt: c_long) -> c_long {
    // SAFETY: per the contract.
    let (s, p) = unsafe { (json.as_bytes(), cstr(path)) };
    #[allow(clippy::unnecessary_cast)] // c_long is i32 on some targets
    guard(dflt, || json::get_long(s, p, dflt as i64) as c_long)
}

/// `mg_json_get_str`: a NUL-terminated heap copy of the unescaped string at
/// `path` (free with `mg_free`), or NULL if it is not a string or cannot be
/// unescaped. `""` gives an empty (non-NULL) string.
///
/// # Safety
/// As `mg_json_get`.
#[no_mangle]
pub unsafe extern "C" fn mg_json_get_str(json: mg_str, path: *const c_char) -> *mut c_char {
    // SAFETY: per the contract.
    let (s, p) = unsafe { (json.as_bytes(), cstr(path)) };
    match guard(None, || json::get_str(s, p)) {
        Some(buf) => heap_block(&buf, buf.len()),
        None => ptr::null_mut(),
    }
}

/// Store a decoded buffer as a NUL-terminated heap block and its length.
///
/// # Safety
/// `len` NULL or writable.
unsafe fn give(data: Option<Vec<u8>>, size: usize, len: *mut c_int) -> *mut c_char {
    let Some(data) = data else { return ptr::null_mut() };
    let p = heap_block(&data, size.max(data.len() + 1));
    if !p.is_null() && !len.is_null() {
        // SAFETY: per the contract; the data came from a token shorter than
        // i32::MAX bytes.
        unsafe { *len = data.len() as c_int };
    }
    p
}

/// `mg_json_get_hex`: the string at `path` decoded from hex digit pairs
/// into a NUL-terminated heap buffer (free with `mg_free`), its length in
/// `*len`; NULL (and `*len` untouched) if not a string, of odd length or
/// with a non-hex digit.
///
/// # Safety
/// As `mg_json_get`; `len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mg_json_get_hex(json: mg_str, path: *const c_char, len: *mut c_int) -> *mut c_char {
    // SAFETY: per the contract.
    let (s, p) = unsafe { (json.as_bytes(), cstr(path)) };
    // SAFETY: per the contract.
    guard(ptr::null_mut(), || unsafe { give(json::get_hex(s, p), 0, len) })
}

/// `mg_json_get_b64`: the string at `path` base64-decoded into a
/// NUL-terminated heap buffer (free with `mg_free`), its length in `*len`
/// (0 when the text does not decode; the buffer is still returned). NULL
/// (and `*len` untouched) if the value is not a string.
///
/// # Safety
/// As `mg_json_get`; `len` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mg_json_get_b64(json: mg_str, path: *const c_char, len: *mut c_int) -> *mut c_char {
    // SAFETY: per the contract.
    let (s, p) = unsafe { (json.as_bytes(), cstr(path)) };
    // SAFETY: per the contract.
    guard(ptr::null_mut(), || unsafe { give(json::get_b64(s, p), 0, len) })
}

/// `mg_json_unescape`: unescape the string at `path` into `buf` of `len`
/// bytes, NUL-terminated; returns its length, or 0 when not found, not a
/// string, empty, not fitting with its NUL (a truncated prefix is left), or
/// on an unsupported escape (`\/` included). `\u00XX` gives the byte 0xXX;
/// a larger `\u` escape ends the result there.
///
/// # Safety
/// As `mg_json_get`; `buf` NULL or writable for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn mg_json_unescape(
    json: mg_str,
    path: *const c_char,
    buf: *mut c_char,
    len: usize,
) -> usize {
    if buf.is_null() || len == 0 {
        return 0;
    }
    // SAFETY: per the contract.
    let (s, p, out) =
        unsafe { (json.as_bytes(), cstr(path), core::slice::from_raw_parts_mut(buf as *mut u8, len)) };
    guard(0, || json::unescape(s, p, out))
}

/// `mg_json_next`: iterate the members of the object (or elements of the
/// array) `obj`. Start with `ofs = 0`; returns the offset for the next call,
/// 0 when done or on error. `*key` is the raw key with its quotes
/// (`{NULL, 0}` for arrays), `*val` the raw value; either may be NULL.
///
/// # Safety
/// `obj` a valid view; `key`, `val` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mg_json_next(obj: mg_str, ofs: usize, key: *mut mg_str, val: *mut mg_str) -> usize {
    // SAFETY: per the contract.
    let s = unsafe { obj.as_bytes() };
    let (next, k, v) = guard((0, None, None), || json::next(s, ofs));
    // SAFETY: ranges lie inside `obj`; the out-pointers per the contract.
    unsafe {
        let view = |(o, n): json::Range| mg_str { buf: obj.buf.add(o), len: n };
        if let Some(k) = k {
            if !key.is_null() {
                *key = view(k);
            }
        }
        if let Some(v) = v {
            if !key.is_null() && s.first() == Some(&b'[') {
                *key = mg_str::NULL;
            }
            if !val.is_null() {
                *val = view(v);
            }
        }
    }
    next
}
