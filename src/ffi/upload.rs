//! Streaming uploads: `mg_http_start_upload` and `mg_http_start_ota`.
use super::guard::guard_unit;
use crate::abi::*;
use crate::net;
use crate::net::upload::DoneFn;

/// Call from `MG_EV_HTTP_HDRS` to stream the request body into `dir/name`
/// on `fs` (NULL: the POSIX filesystem) without buffering it. The
/// connection is taken over (its `fn`, `pfn` and `data` change; `fn_data`
/// stays). `fn(c, NULL)` runs once the whole body is written, or
/// `fn(c, "error")` on "bad name" (`name` fails `mg_path_is_sane`),
/// "open failed", "write error", "connection closed" or an `MG_EV_ERROR`
/// text. With `fn` NULL the reply is `200` "ok\n" or `500` "<error>\n".
/// On "bad name"/"open failed" the connection is not taken over.
#[no_mangle]
pub unsafe extern "C" fn mg_http_start_upload(
    c: *mut mg_connection,
    hm: *mut mg_http_message,
    name: mg_str,
    dir: mg_str,
    fs: *mut mg_fs,
    fn_: DoneFn,
) {
    if c.is_null() || hm.is_null() {
        return;
    }
    // SAFETY: live connection in its HDRS event; `hm` and the strings are
    // readable views.
    guard_unit(|| unsafe { net::upload::start_upload(c, &*hm, name.as_bytes(), dir.as_bytes(), fs, fn_) })
}

/// Like `mg_http_start_upload`, but the body goes to `mg_ota_begin(body
/// length)` / `mg_ota_write` / `mg_ota_end` (a no-op on Linux unless the
/// file backend is enabled, see `mg_ota_set_file`). Extra errors: "ota
/// begin failed", "ota end failed".
#[no_mangle]
pub unsafe extern "C" fn mg_http_start_ota(c: *mut mg_connection, hm: *mut mg_http_message, fn_: DoneFn) {
    if c.is_null() || hm.is_null() {
        return;
    }
    // SAFETY: live connection in its HDRS event; `hm` readable.
    guard_unit(|| unsafe { net::upload::start_ota(c, &*hm, fn_) })
}
