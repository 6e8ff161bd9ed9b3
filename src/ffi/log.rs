//! Logging (`mongoose.h`: logging): `mg_log`, `mg_log_set_fn`,
//! `mg_log_prefix`, `mg_hexdump`. The level variable, the sink and the
//! line format live in `net::log`.
use super::fmt::vxprintf_to;
use super::guard::guard_unit;
use crate::abi::{mg_pfn_t, va_list};
// Re-exported so Rust users (tests, fuzz targets) keep their paths.
pub use crate::net::log::{debug, error, info, level, mg_log_level, verbose};
use crate::net::log::{emit, hexdump, prefix, set_sink};
use core::ffi::{c_char, c_int, c_void};

/// `mg_log_set_fn`: replace the log sink (NULL restores stdout).
#[no_mangle]
pub extern "C" fn mg_log_set_fn(fn_: mg_pfn_t, param: *mut c_void) {
    guard_unit(|| set_sink(fn_, param));
}

/// `mg_log_prefix`: the 40-character line prefix (level not checked).
///
/// # Safety
/// `file` and `fname` are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mg_log_prefix(ll: c_int, file: *const c_char, line: c_int, fname: *const c_char) {
    // SAFETY: per the contract.
    let (file, fname) = unsafe { (crate::net::cstr(file), crate::net::cstr(fname)) };
    guard_unit(|| emit(&prefix(ll, file, line, fname)));
}

/// `mg_hexdump`: dump `len` bytes at `buf` (NULL dumps nothing).
///
/// # Safety
/// `buf` is NULL or valid for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn mg_hexdump(buf: *const c_void, len: usize) {
    if buf.is_null() || len == 0 {
        return;
    }
    // SAFETY: per the contract.
    let data = unsafe { core::slice::from_raw_parts(buf as *const u8, len) };
    guard_unit(|| hexdump(data));
}

/// Body of the variadic `mg_log` (in variadic.c): format, then CRLF.
///
/// # Safety
/// `fmt` NULL or NUL-terminated; `ap` matches it.
/// cbindgen:ignore
#[no_mangle]
pub unsafe extern "C" fn mg_rs_vlog(fmt: *const c_char, ap: *mut va_list) {
    let mut line = Vec::new();
    // SAFETY: per the contract.
    unsafe { vxprintf_to(&mut |b| line.push(b), fmt, ap) };
    line.extend_from_slice(b"\r\n");
    guard_unit(|| emit(&line));
}
