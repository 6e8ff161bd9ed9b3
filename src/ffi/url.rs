//! URL helpers (`mg_url_*`) and `mg_aton`.
use super::guard::guard;
use crate::abi::{mg_addr, mg_str};
use crate::core::url;
use crate::net::cstr;
use core::ffi::{c_char, c_ushort};

/// `mg_url_port`: the explicit port or the scheme's default (host order).
///
/// # Safety
/// `url` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mg_url_port(url: *const c_char) -> c_ushort {
    // SAFETY: per the contract.
    let u = unsafe { cstr(url) };
    guard(0, || url::port(u))
}

/// `mg_url_is_ssl`: a TLS scheme (`https:`, `wss:`, `mqtts:`, `ssl:`, `tls:`, `tcps:`).
///
/// # Safety
/// `url` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mg_url_is_ssl(url: *const c_char) -> bool {
    // SAFETY: per the contract.
    let u = unsafe { cstr(url) };
    guard(false, || url::is_ssl(u))
}

/// A view of the part of `url` that `pick` selects. A NULL URL gives
/// `{NULL, 0}` (an empty slice of nothing would otherwise leak Rust's
/// dangling non-NULL pointer to C).
///
/// # Safety
/// `url` NULL or NUL-terminated.
unsafe fn url_view(url: *const c_char, pick: impl FnOnce(&[u8]) -> &[u8]) -> mg_str {
    if url.is_null() {
        return mg_str::NULL;
    }
    // SAFETY: per the contract, and not NULL.
    let u = unsafe { cstr(url) };
    guard(mg_str::NULL, || mg_str::from_slice(pick(u)))
}

/// `mg_url_host`: the host, brackets included for IPv6.
///
/// # Safety
/// `url` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mg_url_host(url: *const c_char) -> mg_str {
    // SAFETY: per the contract.
    unsafe { url_view(url, url::host) }
}

/// `mg_url_user`: the user name, empty when absent.
///
/// # Safety
/// `url` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mg_url_user(url: *const c_char) -> mg_str {
    // SAFETY: per the contract.
    unsafe { url_view(url, |u| url::user_pass(u).0) }
}

/// `mg_url_pass`: the password, empty when absent.
///
/// # Safety
/// `url` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mg_url_pass(url: *const c_char) -> mg_str {
    // SAFETY: per the contract.
    unsafe { url_view(url, |u| url::user_pass(u).1) }
}

/// `mg_url_uri`: a pointer at the path in `url`, or a static `"/"`.
///
/// # Safety
/// `url` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn mg_url_uri(url: *const c_char) -> *const c_char {
    // SAFETY: per the contract.
    let u = unsafe { cstr(url) };
    match guard(None, || url::uri(u)) {
        // SAFETY: the offset lies inside the string.
        Some(k) => unsafe { url.add(k) },
        None => c"/".as_ptr(),
    }
}

/// `mg_aton`: parse a literal address into `addr` (port untouched).
///
/// # Safety
/// `str` valid; `addr` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn mg_aton(str: mg_str, addr: *mut mg_addr) -> bool {
    if addr.is_null() {
        return false;
    }
    // SAFETY: per the contract.
    let s = unsafe { str.as_bytes() };
    match guard(None, || url::aton(s)) {
        Some(a) => {
            // SAFETY: `addr` writable; only the documented fields change.
            unsafe {
                (*addr).addr = a.addr;
                (*addr).is_ip6 = a.is_ip6;
                if a.is_ip6 {
                    (*addr).scope_id = a.scope_id;
                }
            }
            true
        }
        None => false,
    }
}
