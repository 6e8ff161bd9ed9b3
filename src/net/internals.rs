//! Socket-layer internals Mongoose exports and some programs call:
//! `mg_open_listener` (bind a listening socket for a connection the caller
//! allocated) and `mg_getlocaddr` (which local address routes to a peer).
use super::{cstr, error, io, literal_addr, log_error, mgr};
use crate::abi::*;
use core::ffi::c_char;

/// `mg_open_listener`: parse `url`'s literal address, bind (and for TCP,
/// listen), store the socket in `c->fd` (registered with the poller) and the
/// bound address in `c->loc`. Like Mongoose it neither links `c` nor sets
/// `is_listening`/`is_udp`: the caller does (as `mg_listen` does).
///
/// # Safety
/// `c` live (from `mg_alloc_conn`); `url` NUL-terminated.
pub unsafe fn open_listener(c: *mut mg_connection, url: *const c_char) -> bool {
    // SAFETY: per the contract.
    let u = unsafe { cstr(url) };
    let Some(addr) = literal_addr(u) else {
        log_error(format_args!("invalid listening URL: {}", String::from_utf8_lossy(u)));
        return false;
    };
    // SAFETY: `c` live.
    unsafe { (*c).loc = addr };
    let fd = match io::listen(&addr, u.starts_with(b"udp:")) {
        Ok(fd) => fd,
        Err(e) => {
            log_error(format_args!("bind: {}", e.raw_os_error().unwrap_or(0)));
            return false;
        }
    };
    // SAFETY: `c` live and owned by its manager.
    unsafe {
        (*c).loc = io::local_addr(fd);
        if (*c).mgr.is_null() || !mgr::register((*c).mgr, c, fd) {
            (*c).fd = fd as isize as *mut core::ffi::c_void;
        }
    }
    true
}

/// `mg_getlocaddr`: the local address the system would use to reach
/// `remote`, found by connecting a throwaway UDP socket (no packet is
/// sent). Writes the address bytes (4 for IPv4, 16 for IPv6), the port of
/// that socket and `is_ip6` into `local`, leaving other fields alone, as
/// Mongoose does. On failure fires `MG_EV_ERROR` "socket: <errno>" or
/// "connect: <errno>" on `c` (which may be NULL: then only logged).
///
/// # Safety
/// `c` live or NULL; `remote`, `local` valid.
pub unsafe fn getlocaddr(c: *mut mg_connection, remote: &mg_addr, local: &mut mg_addr) {
    let fd = match io::socket(remote, true) {
        Ok(fd) => fd,
        Err(e) => {
            // SAFETY: `c` live or NULL.
            unsafe { error(c, &format!("socket: {}", e.raw_os_error().unwrap_or(0))) };
            return;
        }
    };
    match io::connect(fd, remote) {
        Ok(_) => {
            let a = io::local_addr(fd);
            let n = if a.is_ip6 { 16 } else { 4 };
            let mut ip = local.ip();
            ip[..n].copy_from_slice(&a.ip()[..n]);
            local.addr = mg_addr_ip { ip };
            local.port = a.port;
            local.is_ip6 = a.is_ip6;
        }
        // SAFETY: `c` live or NULL.
        Err(e) => unsafe { error(c, &format!("connect: {}", e.raw_os_error().unwrap_or(0))) },
    }
    io::close(fd);
}
