//! `mg_str` exports: views, comparisons, `mg_match`, `mg_span`, numbers.
use super::guard::guard;
use crate::abi::mg_str;
use crate::core::str as core_str;
use crate::net::cstr;
use core::ffi::{c_char, c_int, c_void};

/// `mg_str_s` (the `mg_str()` macro): a view of a C string; NULL gives `{NULL, 0}`.
///
/// # Safety
/// `s` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mg_str_s(s: *const c_char) -> mg_str {
    // SAFETY: per the contract.
    mg_str { buf: s as *mut c_char, len: unsafe { cstr(s) }.len() }
}

/// `mg_str_n`: `{s, n}` as given.
#[no_mangle]
pub extern "C" fn mg_str_n(s: *const c_char, n: usize) -> mg_str {
    mg_str { buf: s as *mut c_char, len: n }
}

/// `mg_casecmp`: ASCII case-insensitive `strcmp` (NULL reads as "").
///
/// # Safety
/// Both NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mg_casecmp(s1: *const c_char, s2: *const c_char) -> c_int {
    // SAFETY: per the contract.
    let (a, b) = unsafe { (cstr(s1), cstr(s2)) };
    guard(0, || core_str::casecmp(a, b, usize::MAX))
}

/// `mg_ncasecmp` (extension, from older Mongoose): case-insensitive `strncmp`.
///
/// # Safety
/// Both NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mg_ncasecmp(s1: *const c_char, s2: *const c_char, len: usize) -> c_int {
    // SAFETY: per the contract.
    let (a, b) = unsafe { (cstr(s1), cstr(s2)) };
    guard(0, || core_str::casecmp(a, b, len))
}

/// `mg_strcmp`: -1, 0 or 1, bytes as signed chars.
///
/// # Safety
/// Both views valid.
#[no_mangle]
pub unsafe extern "C" fn mg_strcmp(str1: mg_str, str2: mg_str) -> c_int {
    // SAFETY: per the contract.
    let (a, b) = unsafe { (str1.as_bytes(), str2.as_bytes()) };
    guard(0, || core_str::strcmp(a, b, false))
}

/// `mg_strcasecmp`: `mg_strcmp` after ASCII lower-casing.
///
/// # Safety
/// Both views valid.
#[no_mangle]
pub unsafe extern "C" fn mg_strcasecmp(str1: mg_str, str2: mg_str) -> c_int {
    // SAFETY: per the contract.
    let (a, b) = unsafe { (str1.as_bytes(), str2.as_bytes()) };
    guard(0, || core_str::strcmp(a, b, true))
}

/// A NUL-terminated `mg_calloc` copy of `data`, as a view (`{NULL, 0}` on
/// empty input or allocation failure). Freed with `mg_free`.
pub fn heap_copy(data: &[u8]) -> mg_str {
    if data.is_empty() {
        return mg_str::NULL;
    }
    // SAFETY: plain allocation; checked for NULL below.
    let p = unsafe { libc::calloc(1, data.len() + 1) } as *mut u8;
    if p.is_null() {
        return mg_str::NULL;
    }
    // SAFETY: `p` has room for `data.len() + 1` bytes (zeroed, so NUL-ended).
    unsafe { core::ptr::copy_nonoverlapping(data.as_ptr(), p, data.len()) };
    mg_str { buf: p as *mut c_char, len: data.len() }
}

/// `mg_strdup`: heap copy with a NUL; free `result.buf` with `mg_free`.
///
/// # Safety
/// `s` valid.
#[no_mangle]
pub unsafe extern "C" fn mg_strdup(s: mg_str) -> mg_str {
    // SAFETY: per the contract.
    let data = unsafe { s.as_bytes() };
    guard(mg_str::NULL, || heap_copy(data))
}

/// `mg_match`: glob match with optional captures (`caps` must have one more
/// element than the pattern has wildcards).
///
/// # Safety
/// Views valid; `caps` NULL or large enough.
#[no_mangle]
pub unsafe extern "C" fn mg_match(str: mg_str, pattern: mg_str, caps: *mut mg_str) -> bool {
    // SAFETY: per the contract.
    let (s, p) = unsafe { (str.as_bytes(), pattern.as_bytes()) };
    let base = if s.is_empty() { str.buf } else { s.as_ptr() as *mut c_char };
    let mut set = |k: usize, r: Option<(usize, usize)>| {
        if caps.is_null() {
            return;
        }
        let v = match r {
            // SAFETY: `a <= b <= s.len()`, so the pointer stays inside `str`.
            Some((a, b)) => mg_str { buf: unsafe { base.add(a) }, len: b - a },
            None => mg_str::NULL,
        };
        // SAFETY: the caller sized `caps` for the pattern's wildcards + 1.
        unsafe { *caps.add(k) = v };
    };
    guard(false, || core_str::glob_caps(s, p, &mut set))
}

/// `mg_span`: split `s` at the first `sep` into `*a` and `*b`.
///
/// # Safety
/// `s` valid; `a`, `b` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mg_span(s: mg_str, a: *mut mg_str, b: *mut mg_str, sep: c_char) -> bool {
    if s.buf.is_null() {
        return false;
    }
    // SAFETY: per the contract.
    let bytes = unsafe { s.as_bytes() };
    let Some((x, y)) = guard(None, || core_str::span(bytes, sep as u8)) else { return false };
    // SAFETY: `a`/`b` NULL or writable per the contract.
    unsafe {
        if !a.is_null() {
            *a = mg_str::from_slice(x);
        }
        if !b.is_null() {
            *b = mg_str::from_slice(y);
        }
    }
    true
}

/// `mg_str_to_num`: parse an unsigned number into `val_len` bytes at `val`.
///
/// # Safety
/// `str` valid; `val` NULL or writable for `val_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn mg_str_to_num(str: mg_str, base: c_int, val: *mut c_void, val_len: usize) -> bool {
    if val.is_null() || base < 0 {
        return false;
    }
    // SAFETY: per the contract.
    let s = unsafe { str.as_bytes() };
    let Some(v) = guard(None, || core_str::to_num(s, base as u32, val_len)) else { return false };
    // SAFETY: `val` holds `val_len` bytes, and `to_num` only accepts 1/2/4/8
    // with `v` fitting that width.
    unsafe {
        match val_len {
            1 => (val as *mut u8).write_unaligned(v as u8),
            2 => (val as *mut u16).write_unaligned(v as u16),
            4 => (val as *mut u32).write_unaligned(v as u32),
            _ => (val as *mut u64).write_unaligned(v),
        }
    }
    true
}

/// `mg_to_size_t` (exported, declared only as an extension): decimal with
/// surrounding blanks.
///
/// # Safety
/// `str` valid; `val` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mg_to_size_t(str: mg_str, val: *mut usize) -> bool {
    // SAFETY: per the contract.
    let s = unsafe { str.as_bytes() };
    match guard(None, || core_str::to_size_t(s)) {
        Some(v) if !val.is_null() => {
            // SAFETY: `val` writable per the contract.
            unsafe { *val = v };
            true
        }
        _ => false,
    }
}
