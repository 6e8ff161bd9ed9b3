//! Device-dashboard helpers (`mg_dash_*`): thin shims over `net::dash`,
//! which rebuilds Mongoose 7.23's Linux behaviour (REST API over the
//! program's field sets, login sessions, WebSocket change notifications,
//! files of a set's directory).
use super::guard::{guard, guard_unit};
use crate::abi::*;
use crate::net;
use core::ffi::{c_int, c_void};

/// HTTP handler for `mg_http_listen(mgr, url, mg_dash_ev_handler, &dash)`:
/// serves the dashboard's REST API (`/api/login`, `/api/logout`, `/api/hi`,
/// `/api/get`, `/api/set`, `/api/add/<set>`, `/api/del/<set>/<i>`,
/// `/api/websocket`, `/api/ota`) and `/fs/<set>/<file>`, then the custom
/// handlers for other URIs. Sessions: one per user, at most 10, sliding
/// expiry; freed by `mg_mgr_free`, so `dash` must outlive the manager.
#[no_mangle]
pub unsafe extern "C" fn mg_dash_ev_handler(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    if c.is_null() {
        return;
    }
    // SAFETY: a live connection with its event's data; fn_data is the dash.
    guard_unit(|| unsafe { net::dash::handler(c, ev, ev_data) })
}

/// Notify the dashboard WebSockets of `mgr` that `set` changed: each whose
/// user may read it gets `{"method":"change","params":{"<set>":{...}}}`
/// (`"<set>/<index>"` for an indexed set). NULL arguments do nothing.
#[no_mangle]
pub unsafe extern "C" fn mg_dash_send_change(mgr: *mut mg_mgr, set: *mut mg_field_set) {
    // SAFETY: NULL or valid manager and set.
    guard_unit(|| unsafe { net::dash::send_change(mgr, set) })
}

/// Fill the set's `name`/`size` fields from entry `*set->index` of the
/// directory `set->get_dir(u, ...)` names (`*index == -1`: store the entry
/// count). False without `get_dir`, an index or a `name` field. Lists
/// through `u->dash->upload_fs` (POSIX when `u` or it is NULL).
#[no_mangle]
pub unsafe extern "C" fn mg_dash_dir_read(set: *mut mg_field_set, u: *mut mg_dash_user) -> bool {
    // SAFETY: NULL or valid set and user.
    guard(false, || unsafe { net::dash::dir_read(set, u) })
}
