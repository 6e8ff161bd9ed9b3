//! `mg_ota_url_check`: fetch update metadata, then the firmware, as
//! Mongoose 7.23 does (observed): `GET <uri>?arch=1&version=1.0.0&id=0&
//! interval=60&boot=0` with `Host: <host>` and `Connection: close`; the
//! JSON answer's `$.version`, `$.url` and `$.size` pick the image; the same
//! version as ours ("1.0.0") ends the check; otherwise the image is fetched
//! and streamed through `mg_http_start_ota`, which must see status 200 and
//! exactly `size` body bytes. The callback runs once: NULL on success, or
//! the error text.
use super::upload;
use super::{error, http};
use crate::abi::*;
use crate::core::{json, url};
use core::ffi::{c_char, c_int, c_void};
use std::ffi::CString;

/// Callback type of `mg_ota_url_check`.
pub type StatusFn = Option<unsafe extern "C" fn(*const c_char)>;

/// Mongoose's default `MG_OTA_FIRMWARE_VERSION`.
const VERSION: &str = "1.0.0";

struct Check {
    cb: StatusFn,
    url: Vec<u8>,
    size: usize,
    reported: bool,
}

fn say(cb: StatusFn, msg: Option<&str>) {
    if let Some(f) = cb {
        let m = msg.map(|s| CString::new(s.replace('\0', "")).unwrap_or_default());
        // SAFETY: the program's callback, given NULL or a NUL-terminated text.
        unsafe { f(m.as_ref().map_or(core::ptr::null(), |m| m.as_ptr())) }
    }
}

/// # Safety
/// `c` live, `fn_data` our `Check`.
unsafe fn check<'a>(c: *mut mg_connection) -> Option<&'a mut Check> {
    // SAFETY: per the contract.
    unsafe { ((*c).fn_data as *mut Check).as_mut() }
}

/// # Safety
/// `c` live.
unsafe fn send_get(c: *mut mg_connection, u: &[u8], query: &str) {
    let path = match url::uri(u) {
        Some(i) => &u[i..],
        None => b"/".as_slice(),
    };
    let mut req = b"GET ".to_vec();
    req.extend_from_slice(path);
    if !query.is_empty() {
        req.push(if path.contains(&b'?') { b'&' } else { b'?' });
        req.extend_from_slice(query.as_bytes());
    }
    req.extend_from_slice(b" HTTP/1.1\r\nHost: ");
    req.extend_from_slice(url::host(u));
    req.extend_from_slice(b"\r\nConnection: close\r\n\r\n");
    // SAFETY: `c` live.
    unsafe { super::send(c, &req) };
}

/// # Safety
/// `c` live; `ev_data` an NUL-terminated text.
unsafe fn report_error(c: *mut mg_connection, ev_data: *mut c_void) {
    // SAFETY: per the contract.
    unsafe {
        if let Some(k) = check(c) {
            if !k.reported {
                k.reported = true;
                let msg = String::from_utf8_lossy(super::cstr(ev_data as *const c_char)).into_owned();
                say(k.cb, Some(&msg));
            }
        }
    }
}

/// # Safety
/// `c` live; frees our state.
unsafe fn release(c: *mut mg_connection) {
    // SAFETY: `fn_data` came from `Box::into_raw` and is released once.
    unsafe {
        let p = (*c).fn_data as *mut Check;
        (*c).fn_data = core::ptr::null_mut();
        if !p.is_null() {
            let k = Box::from_raw(p);
            if !k.reported {
                say(k.cb, Some("connection closed"));
            }
        }
    }
}

unsafe extern "C" fn meta_fn(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    // SAFETY: the loop calls with a live connection whose fn_data is ours.
    unsafe {
        let Some(k) = check(c) else { return };
        match ev {
            MG_EV_CONNECT => {
                let q = format!("arch=1&version={VERSION}&id=0&interval=60&boot=0");
                send_get(c, &k.url.clone(), &q);
            }
            MG_EV_ERROR => report_error(c, ev_data),
            MG_EV_HTTP_MSG => {
                let hm = &*(ev_data as *const mg_http_message);
                let body = hm.body.as_bytes();
                k.reported = true;
                (*c).set_flag(FLAG_IS_CLOSING, true);
                // The C-style buffer ends at its first NUL.
                let cut = |v: Vec<u8>| v.split(|&b| b == 0).next().unwrap_or_default().to_vec();
                let ver = json::get_str(body, b"$.version").map(cut);
                let fw = json::get_str(body, b"$.url").map(cut);
                let size = json::get_num(body, b"$.size");
                let (Some(ver), Some(fw), Some(size)) = (ver, fw, size) else {
                    let msg = format!("Bad metadata: {}", String::from_utf8_lossy(body));
                    return say(k.cb, Some(&msg));
                };
                if ver == VERSION.as_bytes() {
                    return say(k.cb, Some("Same version"));
                }
                crate::net::log::info(format_args!(
                    "Firmware version: {}, url: {}, size: {}",
                    String::from_utf8_lossy(&ver),
                    String::from_utf8_lossy(&fw),
                    size as i64
                ));
                start(k.cb, (*c).mgr, fw, (size.max(0.0) as usize).min(usize::MAX - 1));
            }
            MG_EV_CLOSE => release(c),
            _ => {}
        }
    }
}

unsafe extern "C" fn ota_done(c: *mut mg_connection, err: *const c_char) {
    // SAFETY: called by the upload handler with the live connection whose
    // fn_data is still ours; `err` NULL or NUL-terminated.
    unsafe {
        if let Some(k) = check(c) {
            k.reported = true;
            let msg = (!err.is_null()).then(|| String::from_utf8_lossy(super::cstr(err)).into_owned());
            say(k.cb, msg.as_deref());
        }
        release(c);
        (*c).set_flag(FLAG_IS_DRAINING, true);
    }
}

unsafe extern "C" fn fw_fn(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    // SAFETY: the loop calls with a live connection whose fn_data is ours.
    unsafe {
        let Some(k) = check(c) else { return };
        match ev {
            MG_EV_CONNECT => send_get(c, &k.url.clone(), ""),
            MG_EV_ERROR => report_error(c, ev_data),
            MG_EV_HTTP_HDRS => {
                let hm = &mut *(ev_data as *mut mg_http_message);
                let status = crate::core::http::atoi(hm.uri.as_bytes());
                if status != 200 || hm.body.len != k.size {
                    let msg =
                        format!("Bad HTTP response: status {status}, size {} vs {}", hm.body.len, k.size);
                    return error(c, &msg);
                }
                crate::net::log::info(format_args!("Beginning OTA ({} bytes)", k.size));
                upload::start_ota(c, hm, Some(ota_done));
            }
            MG_EV_CLOSE => release(c),
            _ => {}
        }
    }
}

/// Open a connection to `url` with `f` and a fresh state.
///
/// # Safety
/// `mgr` initialised.
unsafe fn start(cb: StatusFn, mgr: *mut mg_mgr, u: Vec<u8>, size: usize) {
    if url::is_ssl(&u) {
        return say(cb, Some("MG_OTA_TLS_CA is not configured"));
    }
    let Ok(cu) = CString::new(u.clone()) else { return say(cb, Some("Failed to connect")) };
    let f: unsafe extern "C" fn(*mut mg_connection, c_int, *mut c_void) =
        if size == usize::MAX { meta_fn } else { fw_fn };
    let k = Box::into_raw(Box::new(Check { cb, url: u, size, reported: false }));
    // SAFETY: `mgr` initialised; on failure the state is reclaimed here.
    unsafe {
        let c = http::connect(mgr, cu.as_ptr(), Some(f), k as *mut c_void);
        if c.is_null() {
            drop(Box::from_raw(k));
            say(cb, Some("Failed to connect"));
        }
    }
}

/// `mg_ota_url_check`.
///
/// # Safety
/// `mgr` initialised; `url` NULL or NUL-terminated.
pub unsafe fn url_check(mgr: *mut mg_mgr, metadata_url: *const c_char, cb: StatusFn) {
    // SAFETY: per the contract.
    let u = if metadata_url.is_null() { Vec::new() } else { unsafe { super::cstr(metadata_url) }.to_vec() };
    crate::net::log::info(format_args!("Connecting to {}", String::from_utf8_lossy(&u)));
    if u.is_empty() {
        return say(cb, Some("Failed to connect"));
    }
    // SAFETY: `mgr` initialised.
    unsafe { start(cb, mgr, u, usize::MAX) };
}
