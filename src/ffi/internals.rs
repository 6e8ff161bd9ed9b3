//! Internals of Mongoose's socket layer and DNS client that it exports and
//! some programs call. `mg_getlocaddr` and `mg_dnsc_init` are not declared
//! in Mongoose's header; they are declared here so C programs can link and
//! compile against either library.
use super::guard::{guard, guard_unit};
use crate::abi::*;
use crate::net;
use core::ffi::c_char;

/// Bind `url` (a literal address, "localhost" included) for a connection
/// the caller allocated with `mg_alloc_conn`: TCP listens, UDP binds. Sets
/// `c->fd` and `c->loc` (the bound address, port filled in). Does not link
/// `c` or set `is_listening`/`is_udp`: the caller does (prefer
/// `mg_listen`, which does all of it). Returns false on a bad URL or a
/// bind/listen failure (logged); NULL arguments return false.
#[no_mangle]
pub unsafe extern "C" fn mg_open_listener(c: *mut mg_connection, url: *const c_char) -> bool {
    if c.is_null() || url.is_null() {
        return false;
    }
    // SAFETY: live connection, NUL-terminated URL.
    guard(false, || unsafe { net::internals::open_listener(c, url) })
}

/// Find the local address that routes to `remote` (a UDP socket is
/// connected, then closed; no packet is sent) and store its address bytes,
/// port and `is_ip6` in `local`. On failure fires `MG_EV_ERROR` on `c`
/// ("socket: <errno>" / "connect: <errno>"; `c` may be NULL). Not declared
/// in Mongoose's header; exported there for its mDNS code.
#[no_mangle]
pub unsafe extern "C" fn mg_getlocaddr(c: *mut mg_connection, remote: *const mg_addr, local: *mut mg_addr) {
    if remote.is_null() || local.is_null() {
        return;
    }
    // SAFETY: valid addresses; `c` live or NULL.
    guard_unit(|| unsafe { net::internals::getlocaddr(c, &*remote, &mut *local) })
}

/// Mongoose's DNS client setup (open `dnsc->url`'s UDP connection into
/// `dnsc->c`). mongoose-rs resolves names through the system resolver
/// (getaddrinfo on a helper thread), so there is no DNS connection: this is
/// a no-op that leaves `dnsc` unchanged. Not declared in Mongoose's header.
#[no_mangle]
pub extern "C" fn mg_dnsc_init(mgr: *mut mg_mgr, dnsc: *mut mg_dns) {
    let _ = (mgr, dnsc);
}
