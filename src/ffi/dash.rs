//! Device-dashboard helpers (`mg_dash_*`). Mongoose's dashboard (login and
//! session cookies, a JSON REST API over registered field sets, change
//! notifications over WebSocket) is out of scope (API.md §22); these exports
//! let programs that reference them link and run: the event handler answers
//! every request with a 404 as Mongoose's does for a path it does not
//! serve, reading a field set's directory fails, and change notifications
//! go nowhere.
use super::guard::guard_unit;
use crate::abi::*;
use crate::net::http::reply_bytes;
use core::ffi::{c_int, c_void};

/// HTTP handler for `mg_http_listen(mgr, url, mg_dash_ev_handler, &dash)`.
/// mongoose-rs answers every request with `404` (JSON "Not Found" under
/// `/api/`, "Not found\n" elsewhere): the dashboard itself is not
/// implemented.
#[no_mangle]
pub unsafe extern "C" fn mg_dash_ev_handler(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    if c.is_null() || ev != MG_EV_HTTP_MSG || ev_data.is_null() {
        return;
    }
    // SAFETY: a live connection in its HTTP_MSG event, `ev_data` the message.
    guard_unit(|| unsafe {
        let hm = &*(ev_data as *const mg_http_message);
        if hm.uri.as_bytes().starts_with(b"/api/") {
            let hdrs = b"Content-Type: application/json\r\nCache-Control: no-cache\r\n";
            reply_bytes(c, 404, hdrs, b"Not Found");
        } else {
            reply_bytes(c, 404, b"", b"Not found\n");
        }
    })
}

/// Notify dashboard clients that `set` changed: a no-op (no dashboard
/// clients exist in mongoose-rs).
#[no_mangle]
pub extern "C" fn mg_dash_send_change(mgr: *mut mg_mgr, set: *mut mg_field_set) {
    let _ = (mgr, set);
}

/// Read a field set's directory listing for user `u`: false (not
/// implemented in mongoose-rs).
#[no_mangle]
pub extern "C" fn mg_dash_dir_read(set: *mut mg_field_set, u: *mut mg_dash_user) -> bool {
    let _ = (set, u);
    false
}
