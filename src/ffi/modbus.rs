//! Modbus-TCP server (`mg_modbus_listen`).
use super::guard::guard;
use crate::abi::*;
use crate::net;
use core::ffi::{c_char, c_void};
use core::ptr;

/// Listen for Modbus-TCP clients on `url` (e.g. `MG_MODBUS_ADDR`,
/// "tcp://0.0.0.0:8502"). Each request reaches `fn` as `MG_EV_MODBUS_REQ`
/// with a `struct mg_modbus_req *`: for reads fill `len` entries of
/// `u.bits` (functions 1, 2) or `u.regs` (3, 4); for writes (5, 6, 15, 16)
/// read them; or set `error` to an `MG_MODBUS_ERR_*` code to answer with an
/// exception. Returns the listener, or NULL on a bad URL or bind failure.
#[no_mangle]
pub unsafe extern "C" fn mg_modbus_listen(
    mgr: *mut mg_mgr,
    url: *const c_char,
    fn_: mg_event_handler_t,
    fn_data: *mut c_void,
) -> *mut mg_connection {
    if mgr.is_null() || url.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: initialised manager, NUL-terminated URL.
    guard(ptr::null_mut(), || unsafe { net::modbus::listen(mgr, url, fn_, fn_data) })
}
