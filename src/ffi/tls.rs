//! TLS entry points (`mongoose.h`: TLS) over rustls (`net::tls`).
//!
//! Call `mg_tls_init` on MG_EV_ACCEPT (server) or MG_EV_CONNECT (client);
//! the loop then runs the handshake (MG_EV_TLS_HS when it completes) and
//! moves plaintext between `c->recv`/`c->send` and the encrypted socket.
//! The other functions are Mongoose's internal hooks, exported because its
//! header declares them; the loop does not need programs to call them.
use crate::abi::*;
use crate::ffi::guard::{guard, guard_unit};
use crate::net;
use core::ffi::{c_long, c_void};

/// Start TLS on `c` with `opts` (PEM or DER certificates and keys; see the
/// README's TLS section for the verification rules). Sets `is_tls` and
/// `is_tls_hs`; MG_EV_TLS_HS fires when the handshake completes. Bad
/// options fire MG_EV_ERROR at once and the connection closes; nothing is
/// ever sent in clear on it. `opts == NULL` is taken as all-empty options.
#[no_mangle]
pub unsafe extern "C" fn mg_tls_init(c: *mut mg_connection, opts: *const mg_tls_opts) {
    if c.is_null() {
        return;
    }
    // SAFETY: live connection; the option strings are readable for the call.
    guard_unit(|| unsafe {
        let o = if opts.is_null() {
            net::tls::Opts { ca: &[], cert: &[], key: &[], name: &[], skip_verification: false }
        } else {
            net::tls::Opts {
                ca: (*opts).ca.as_bytes(),
                cert: (*opts).cert.as_bytes(),
                key: (*opts).key.as_bytes(),
                name: (*opts).name.as_bytes(),
                skip_verification: (*opts).skip_verification,
            }
        };
        net::tls::init(c, &o)
    })
}

/// Drop `c`'s TLS session (the connection goes on in plaintext). NULL-safe.
#[no_mangle]
pub unsafe extern "C" fn mg_tls_free(c: *mut mg_connection) {
    if !c.is_null() {
        // SAFETY: live connection.
        guard_unit(|| unsafe { net::tls::free(c) })
    }
}

/// Encrypt `len` bytes and write what the socket takes: returns the
/// plaintext bytes taken, `MG_IO_WAIT` (handshake not done, buffers full)
/// or `MG_IO_ERR` (no TLS session, socket error); 0 for nothing to send.
#[no_mangle]
pub unsafe extern "C" fn mg_tls_send(c: *mut mg_connection, buf: *const c_void, len: usize) -> c_long {
    if c.is_null() || buf.is_null() || len == 0 {
        return 0;
    }
    // SAFETY: live connection; `buf` readable for `len` bytes.
    guard(MG_IO_ERR as c_long, || unsafe {
        net::tls::send(c, core::slice::from_raw_parts(buf as *const u8, len))
    })
}

/// Decrypted bytes into `buf` (reads the socket once if none are
/// buffered): the count, `MG_IO_WAIT`, or `MG_IO_ERR` (no session, error,
/// end of stream); 0 when there is no room.
#[no_mangle]
pub unsafe extern "C" fn mg_tls_recv(c: *mut mg_connection, buf: *mut c_void, len: usize) -> c_long {
    if c.is_null() || buf.is_null() || len == 0 {
        return 0;
    }
    // SAFETY: live connection; `buf` writable for `len` bytes.
    guard(MG_IO_ERR as c_long, || unsafe {
        net::tls::recv(c, core::slice::from_raw_parts_mut(buf as *mut u8, len))
    })
}

/// Decrypted bytes waiting inside the TLS layer (not yet in `c->recv`).
#[no_mangle]
pub unsafe extern "C" fn mg_tls_pending(c: *mut mg_connection) -> usize {
    if c.is_null() {
        return 0;
    }
    // SAFETY: live connection.
    guard(0, || unsafe { net::tls::plain_pending(c) })
}

/// Write queued TLS records (handshake messages, alerts, data) to the socket.
#[no_mangle]
pub unsafe extern "C" fn mg_tls_flush(c: *mut mg_connection) {
    if !c.is_null() {
        // SAFETY: live connection.
        guard_unit(|| unsafe { net::tls::flush(c) })
    }
}

/// Advance the handshake by one step (the loop does this by itself).
#[no_mangle]
pub unsafe extern "C" fn mg_tls_handshake(c: *mut mg_connection) {
    if !c.is_null() {
        // SAFETY: live connection.
        guard_unit(|| unsafe { net::tls::handshake(c) })
    }
}

/// Create the manager's TLS context (`mgr->tls_ctx`): a cache of parsed
/// configurations, so connections with the same options share one.
/// `mg_mgr_init` calls it; calling it again keeps the existing context.
#[no_mangle]
pub unsafe extern "C" fn mg_tls_ctx_init(mgr: *mut mg_mgr) {
    if !mgr.is_null() {
        // SAFETY: live manager.
        guard_unit(|| unsafe { net::tls::ctx_init(mgr) })
    }
}

/// Free the manager's TLS context (`mg_mgr_free` calls it). Live sessions
/// keep their configuration.
#[no_mangle]
pub unsafe extern "C" fn mg_tls_ctx_free(mgr: *mut mg_mgr) {
    if !mgr.is_null() {
        // SAFETY: live manager.
        guard_unit(|| unsafe { net::tls::ctx_free(mgr) })
    }
}
