//! Firmware update (`mg_ota_*`). As in Mongoose's Linux build, the update
//! functions succeed and discard the image unless mongoose-rs's opt-in file
//! backend is enabled (`mg_ota_set_file` or `MG_OTA_FILE`; see `core::ota`).
use super::guard::{guard, guard_unit};
use crate::abi::*;
use crate::core::ota;
use crate::net;
use core::ffi::{c_char, c_void};
use std::os::unix::ffi::OsStrExt;

/// Start a firmware update of `new_firmware_size` bytes. True on Linux
/// (no-op); with the file backend, false when the part file cannot be
/// created. Starting again abandons an unfinished update.
#[no_mangle]
pub extern "C" fn mg_ota_begin(new_firmware_size: usize) -> bool {
    guard(false, || ota::begin(new_firmware_size))
}

/// Append `len` bytes of the image. True on Linux (no-op); with the file
/// backend, false (and the update abandoned) on a write error, on more
/// bytes than announced, or with no update begun. NULL `buf` with `len > 0`
/// is false.
#[no_mangle]
pub unsafe extern "C" fn mg_ota_write(buf: *const c_void, len: usize) -> bool {
    if buf.is_null() && len > 0 {
        return false;
    }
    // SAFETY: `buf` is readable for `len` bytes (checked non-NULL above).
    let data = unsafe { super::raw::bytes(buf, len) };
    guard(false, || ota::write(data))
}

/// Finish the update. True on Linux (no-op); with the file backend, true
/// only when the announced size (and CRC, if set) matched and the image
/// replaced the target file atomically.
#[no_mangle]
pub extern "C" fn mg_ota_end() -> bool {
    guard(false, ota::end)
}

/// mongoose-rs extension: write firmware updates to `path` (NULL: back to
/// Mongoose's no-op). The image goes to `<path>.part` and is renamed over
/// `path` by a successful `mg_ota_end`. Without a call, the `MG_OTA_FILE`
/// environment variable names the target. Abandons an unfinished update.
#[no_mangle]
pub unsafe extern "C" fn mg_ota_set_file(path: *const c_char) {
    // SAFETY: NULL or NUL-terminated.
    let p = if path.is_null() { None } else { Some(unsafe { net::cstr(path) }) };
    guard_unit(|| ota::set_file(p.map(|b| std::path::PathBuf::from(std::ffi::OsStr::from_bytes(b)))))
}

/// mongoose-rs extension: the next update (file backend) must have this
/// CRC-32 (`mg_crc32(0, image, size)`) or `mg_ota_end` fails.
#[no_mangle]
pub extern "C" fn mg_ota_set_crc32(crc32: u32) {
    guard_unit(|| ota::set_crc32(Some(crc32)))
}

/// The device id used in OTA requests: "0" on Linux, written like
/// `mg_snprintf` (truncated, NUL-terminated; nothing when `len` is 0).
#[no_mangle]
pub unsafe extern "C" fn mg_ota_device_id(buf: *mut c_char, len: usize) {
    if buf.is_null() || len == 0 {
        return;
    }
    // SAFETY: `buf` writable for `len >= 1` bytes.
    unsafe {
        if len > 1 {
            *buf = b'0' as c_char;
            *buf.add(1) = 0;
        } else {
            *buf = 0;
        }
    }
}

/// Periodic OTA check: a no-op on Linux (Mongoose's `MG_OTA_URL` is NULL).
#[no_mangle]
pub extern "C" fn mg_ota_poll(mgr: *mut mg_mgr) {
    let _ = mgr;
}

/// Check `metadata_url` for a firmware update and install it: GET the URL
/// with `?arch=1&version=1.0.0&id=0&interval=60&boot=0`; the JSON reply's
/// `version`, `url` and `size` name the image; a different version is
/// downloaded (status 200 and exactly `size` bytes required) and written
/// with `mg_ota_begin/write/end`. `fn` (may be NULL) runs once: NULL on
/// success, else "Same version", "Bad metadata: <body>", "Bad HTTP
/// response: ...", "Failed to connect" or a connection error. https URLs
/// fail with "MG_OTA_TLS_CA is not configured", as in Mongoose's default build.
#[no_mangle]
pub unsafe extern "C" fn mg_ota_url_check(
    mgr: *mut mg_mgr,
    metadata_url: *const c_char,
    fn_: net::ota_check::StatusFn,
) {
    if mgr.is_null() {
        return;
    }
    // SAFETY: initialised manager; URL NULL or NUL-terminated.
    guard_unit(|| unsafe { net::ota_check::url_check(mgr, metadata_url, fn_) })
}
