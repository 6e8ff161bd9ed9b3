//! TLS entry points (`mongoose.h`: TLS), as Mongoose built without TLS
//! (`MG_TLS == MG_TLS_NONE`) behaves: programs that call `mg_tls_init` for
//! `https://` URLs link and run; such connections fail at once with
//! "TLS is not enabled", and `http://` ones never reach the call.
//!
//! No connection ever has a TLS session here, so the per-connection
//! functions have nothing to act on: they are harmless no-ops, and
//! `mg_tls_send`/`mg_tls_recv` report an I/O error (`MG_IO_ERR`) rather than
//! moving plaintext, so bytes meant to be encrypted never reach the wire.
use crate::abi::*;
use crate::ffi::guard::guard_unit;
use crate::net;
use core::ffi::{c_long, c_void};

/// Start TLS on `c`. This build has no TLS: fires `MG_EV_ERROR` with
/// "TLS is not enabled" at once (inside the caller's handler) and marks the
/// connection closing; `is_tls`/`is_tls_hs` are not set, `MG_EV_CLOSE`
/// follows and the peer sees a plain close.
#[no_mangle]
pub unsafe extern "C" fn mg_tls_init(c: *mut mg_connection, opts: *const mg_tls_opts) {
    let _ = opts;
    if c.is_null() {
        return;
    }
    // SAFETY: live connection; `net::error` fires the event as mg_error does.
    guard_unit(|| unsafe { net::error(c, "TLS is not enabled") })
}

/// Release `c`'s TLS session: there is none in this build (no-op).
#[no_mangle]
pub unsafe extern "C" fn mg_tls_free(c: *mut mg_connection) {
    let _ = c;
}

/// Encrypt and send: no TLS session exists in this build, so this returns
/// `MG_IO_ERR` (0 when there is nothing to send).
#[no_mangle]
pub unsafe extern "C" fn mg_tls_send(c: *mut mg_connection, buf: *const c_void, len: usize) -> c_long {
    if c.is_null() || buf.is_null() || len == 0 {
        0
    } else {
        MG_IO_ERR as c_long
    }
}

/// Receive and decrypt: no TLS session exists in this build, so this returns
/// `MG_IO_ERR` (0 when there is no room to receive into).
#[no_mangle]
pub unsafe extern "C" fn mg_tls_recv(c: *mut mg_connection, buf: *mut c_void, len: usize) -> c_long {
    if c.is_null() || buf.is_null() || len == 0 {
        0
    } else {
        MG_IO_ERR as c_long
    }
}

/// Decrypted bytes waiting inside the TLS layer: always 0 in this build.
#[no_mangle]
pub unsafe extern "C" fn mg_tls_pending(c: *mut mg_connection) -> usize {
    let _ = c;
    0
}

/// Push out buffered TLS records: nothing is ever buffered here (no-op).
#[no_mangle]
pub unsafe extern "C" fn mg_tls_flush(c: *mut mg_connection) {
    let _ = c;
}

/// Advance the TLS handshake: there is none in this build (no-op).
#[no_mangle]
pub unsafe extern "C" fn mg_tls_handshake(c: *mut mg_connection) {
    let _ = c;
}

/// Create the manager-wide TLS context: none in this build (no-op).
#[no_mangle]
pub unsafe extern "C" fn mg_tls_ctx_init(mgr: *mut mg_mgr) {
    let _ = mgr;
}

/// Free the manager-wide TLS context: none in this build (no-op).
#[no_mangle]
pub unsafe extern "C" fn mg_tls_ctx_free(mgr: *mut mg_mgr) {
    let _ = mgr;
}
