//! The event loop on `mio`: manager, connections, I/O, timers, wakeup,
//! name resolution, signals and graceful shutdown.
//!
//! Functions here take raw `mg_mgr`/`mg_connection` pointers because C owns
//! those structs and handlers re-enter the library; each one documents what
//! it requires, and the FFI layer checks pointers for NULL before calling.
use crate::abi::*;
use core::ffi::{c_char, c_void};
use core::ptr;

pub mod conn;
pub mod dash;
pub mod dns;
pub mod fs;
pub mod guard;
pub mod http;
pub mod internals;
pub mod io;
pub mod log;
pub mod mdns;
pub mod mgr;
pub mod modbus;
pub mod mqtt;
pub mod ota_check;
pub mod shutdown;
pub mod sntp;
pub mod ssi;
pub mod timer;
pub mod tls;
pub mod upload;
pub mod wakeup;
pub mod ws;

pub use http::HttpConnState;

/// Monotonic milliseconds (`mg_millis`): CLOCK_MONOTONIC_RAW.
/// Fill `out` from the kernel's random generator (`getrandom`); false if it
/// failed, leaving `out` partly filled.
pub fn random_fill(out: &mut [u8]) -> bool {
    let mut done = 0;
    while done < out.len() {
        let rest = &mut out[done..];
        // SAFETY: `rest` is a writable slice of `rest.len()` bytes.
        let n = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if n > 0 {
            done += n as usize;
        } else if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        } else {
            return false;
        }
    }
    true
}

/// Random bytes for protocol use (WebSocket masks, MQTT client ids): the
/// kernel's generator, `rand()` if that fails, as `mg_random` does.
pub fn random_bytes(out: &mut [u8]) {
    if !random_fill(out) {
        for b in out.iter_mut() {
            // SAFETY: plain libc call.
            *b = unsafe { libc::rand() } as u8;
        }
    }
}

pub fn millis() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid out-parameter.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC_RAW, &mut ts) };
    ts.tv_sec as u64 * 1000 + ts.tv_nsec as u64 / 1_000_000
}

#[track_caller]
pub(crate) fn log_error(args: std::fmt::Arguments) {
    crate::net::log::error(args);
}

/// Fire an event: the protocol handler first, then the user handler (both
/// re-read from memory, since the first may change the second).
///
/// # Safety
/// `c` live.
pub unsafe fn call(c: *mut mg_connection, ev: libc::c_int, ev_data: *mut c_void) {
    // SAFETY: `c` is live; handlers are C-ABI functions set by the program
    // or by our protocol layers.
    unsafe {
        if let Some(pfn) = (*c).pfn {
            pfn(c, ev, ev_data);
        }
        if let Some(f) = (*c).fn_ {
            f(c, ev, ev_data);
        }
    }
}

/// `mg_error` with an already formatted message: truncate to 63 bytes, log,
/// mark closing (before the event, so the handler may revive it), fire
/// MG_EV_ERROR.
///
/// # Safety
/// `c` live or NULL.
#[track_caller]
pub unsafe fn error(c: *mut mg_connection, msg: &str) {
    let mut buf = [0u8; 64];
    let n = msg.len().min(63);
    buf[..n].copy_from_slice(&msg.as_bytes()[..n]);
    if c.is_null() {
        log_error(format_args!("{}", &msg[..n.min(msg.len())]));
        return;
    }
    // SAFETY: `c` live.
    unsafe {
        log_error(format_args!("{} {} {}", (*c).id, (*c).sock(), String::from_utf8_lossy(&buf[..n])));
        (*c).set_flag(FLAG_IS_CLOSING, true);
        call(c, MG_EV_ERROR, buf.as_mut_ptr() as *mut c_void);
    }
}

/// Hexdump of traffic for `c->is_hexdumping`.
///
/// # Safety
/// `c` live.
pub unsafe fn hexdump_io(c: *mut mg_connection, dir: &str, data: &[u8]) {
    // SAFETY: `c` live.
    let (id, loc, rem) = unsafe { ((*c).id, (*c).loc, (*c).rem) };
    crate::net::log::info(format_args!("{id} {} {dir} {} {}", fmt_addr(&loc), fmt_addr(&rem), data.len()));
    crate::net::log::hexdump(data);
}

/// `ip:port` text of an address, for logs.
pub fn fmt_addr(a: &mg_addr) -> String {
    let ip = a.ip();
    let port = u16::from_be(a.port);
    if a.is_ip6 {
        let g: Vec<String> =
            ip.chunks(2).map(|p| format!("{:x}", u16::from_be_bytes([p[0], p[1]]))).collect();
        format!("[{}]:{port}", g.join(":"))
    } else {
        format!("{}.{}.{}.{}:{port}", ip[0], ip[1], ip[2], ip[3])
    }
}

/// The bytes of a C string (empty for NULL).
///
/// # Safety
/// `p` NULL or NUL-terminated.
pub unsafe fn cstr<'a>(p: *const c_char) -> &'a [u8] {
    if p.is_null() {
        &[]
    } else {
        // SAFETY: per the contract.
        unsafe { std::ffi::CStr::from_ptr(p).to_bytes() }
    }
}

/// Parse the address part of a listen URL: a literal host (empty = 0.0.0.0,
/// `localhost`), and the port.
fn literal_addr(url: &[u8]) -> Option<mg_addr> {
    let host = crate::core::url::host(url);
    let mut a = crate::core::url::aton(host)?;
    a.port = crate::core::url::socket_port(url)?.to_be();
    Some(a)
}

/// `mg_listen`.
///
/// # Safety
/// `mgr` initialised; `url` NUL-terminated.
pub unsafe fn listen(
    mgr: *mut mg_mgr,
    url: *const c_char,
    fn_: mg_event_handler_t,
    fn_data: *mut c_void,
    pfn: mg_event_handler_t,
) -> *mut mg_connection {
    // SAFETY: per the contract.
    let u = unsafe { cstr(url) };
    let udp = u.starts_with(b"udp:");
    let Some(addr) = literal_addr(u) else {
        log_error(format_args!("invalid listening URL: {}", String::from_utf8_lossy(u)));
        return ptr::null_mut();
    };
    let fd = match io::listen(&addr, udp) {
        Ok(fd) => fd,
        Err(e) => {
            log_error(format_args!("listen {}: {e}", String::from_utf8_lossy(u)));
            return ptr::null_mut();
        }
    };
    // SAFETY: `mgr` initialised; the new connection is set up before OPEN.
    unsafe {
        let c = mgr::new_conn(mgr);
        if c.is_null() {
            io::close(fd);
            return ptr::null_mut();
        }
        (*c).loc = io::local_addr(fd);
        mgr::register(mgr, c, fd);
        (*c).flags |= FLAG_IS_LISTENING;
        if udp {
            (*c).flags |= FLAG_IS_UDP;
        }
        if crate::core::url::is_ssl(u) {
            (*c).flags |= FLAG_IS_TLS;
        }
        (*c).fn_ = fn_;
        (*c).fn_data = fn_data;
        (*c).pfn = pfn;
        conn::link(mgr, c);
        log::mg_debug!("mg_listen", "{} {fd} {}", (*c).id, String::from_utf8_lossy(u));
        call(c, MG_EV_OPEN, ptr::null_mut());
        c
    }
}

/// `mg_connect_svc`: allocate, link, fire OPEN(url), start resolution.
///
/// # Safety
/// `mgr` initialised; `url` NUL-terminated or NULL.
pub unsafe fn connect(
    mgr: *mut mg_mgr,
    url: *const c_char,
    fn_: mg_event_handler_t,
    fn_data: *mut c_void,
    pfn: mg_event_handler_t,
    pfn_data: *mut c_void,
) -> *mut mg_connection {
    // SAFETY: per the contract.
    let u = unsafe { cstr(url) };
    if u.is_empty() {
        return ptr::null_mut();
    }
    // SAFETY: `mgr` initialised.
    unsafe {
        let c = mgr::new_conn(mgr);
        if c.is_null() {
            return ptr::null_mut();
        }
        conn::link(mgr, c);
        conn::state(c).tls_host = String::from_utf8_lossy(crate::core::url::host(u)).into_owned();
        (*c).flags |= FLAG_IS_CLIENT;
        if u.starts_with(b"udp:") {
            (*c).flags |= FLAG_IS_UDP;
        }
        if crate::core::url::is_ssl(u) {
            (*c).flags |= FLAG_IS_TLS;
        }
        (*c).fn_ = fn_;
        (*c).fn_data = fn_data;
        (*c).pfn = pfn;
        (*c).pfn_data = pfn_data;
        log::mg_debug!("mg_connect_svc", "{} -1 {}", (*c).id, String::from_utf8_lossy(u));
        call(c, MG_EV_OPEN, url as *mut c_void);
        resolve(c, u);
        c
    }
}

/// `mg_resolve`: set the port and resolve the URL's host; literals connect
/// synchronously, names go to the system resolver in the background.
///
/// # Safety
/// `c` live.
pub unsafe fn resolve(c: *mut mg_connection, url: &[u8]) {
    let host = crate::core::url::host(url);
    let port = crate::core::url::port(url);
    // SAFETY: `c` live.
    unsafe {
        (*c).rem.port = port.to_be();
        if let Some(mut a) = crate::core::url::aton(host) {
            a.port = (*c).rem.port;
            (*c).rem = a;
            connect_resolved(c);
            return;
        }
        if mdns::resolve(c, host) {
            return;
        }
        let mgr = (*c).mgr;
        let mp = mgr::manager(mgr);
        if mp.is_null() {
            return;
        }
        let name = String::from_utf8_lossy(host).into_owned();
        let name = name.trim_start_matches('[').trim_end_matches(']').to_string();
        (*c).set_flag(FLAG_IS_RESOLVING, true);
        conn::state(c).host = name.clone();
        let timeout = (*mgr).dnstimeout.max(0) as u64;
        (*mp).dns_pending.push(((*c).id, millis() + timeout));
        dns::start((*mp).shared.clone(), (*c).id, name, port, (*mgr).use_dns6);
    }
}

/// `mg_connect_resolved`: create the socket for `c->rem` and start
/// connecting; fires RESOLVE (and CONNECT for UDP or an instant connect).
///
/// # Safety
/// `c` live.
pub unsafe fn connect_resolved(c: *mut mg_connection) {
    // SAFETY: `c` live.
    unsafe {
        let udp = (*c).flag(FLAG_IS_UDP);
        let rem = (*c).rem;
        let fd = match io::socket(&rem, udp) {
            Ok(fd) => fd,
            Err(_) => return error(c, "socket error"),
        };
        mgr::register((*c).mgr, c, fd);
        if udp {
            (*c).loc = io::local_addr(fd);
            call(c, MG_EV_RESOLVE, ptr::null_mut());
            call(c, MG_EV_CONNECT, ptr::null_mut());
            end_tls_hint(c);
            return;
        }
        io::set_client_opts(fd);
        let r = io::connect(fd, &rem);
        let how = match r {
            Ok(true) => "ok",
            Ok(false) => "pend",
            Err(_) => "err",
        };
        log::mg_debug!("mg_connect_resolved", "{} {fd} -> {} {how}", (*c).id, fmt_addr(&rem));
        match r {
            Ok(true) => {
                (*c).loc = io::local_addr(fd);
                call(c, MG_EV_RESOLVE, ptr::null_mut());
                call(c, MG_EV_CONNECT, ptr::null_mut());
                end_tls_hint(c);
            }
            Ok(false) => {
                (*c).set_flag(FLAG_IS_CONNECTING, true);
                call(c, MG_EV_RESOLVE, ptr::null_mut());
            }
            Err(_) => error(c, "socket error"),
        }
    }
}

/// After MG_EV_CONNECT/MG_EV_ACCEPT: the URL scheme's `is_tls` was only a
/// hint; unless the handler called `mg_tls_init`, the connection goes on
/// in plaintext, as Mongoose does.
///
/// # Safety
/// `c` live.
pub unsafe fn end_tls_hint(c: *mut mg_connection) {
    // SAFETY: `c` live.
    unsafe {
        if !(*c).rs(RS_TLS) {
            (*c).set_flag(FLAG_IS_TLS, false);
        }
    }
}

/// `mg_wrapfd`: adopt an existing socket; OPEN fires before it is linked.
///
/// # Safety
/// `mgr` initialised.
pub unsafe fn wrapfd(
    mgr: *mut mg_mgr,
    fd: libc::c_int,
    fn_: mg_event_handler_t,
    fn_data: *mut c_void,
) -> *mut mg_connection {
    // SAFETY: `mgr` initialised.
    unsafe {
        let c = mgr::new_conn(mgr);
        if c.is_null() {
            return ptr::null_mut();
        }
        (*c).fn_ = fn_;
        (*c).fn_data = fn_data;
        mgr::register(mgr, c, fd);
        call(c, MG_EV_OPEN, ptr::null_mut());
        conn::link(mgr, c);
        c
    }
}

/// `mg_send`: queue for TCP; for UDP send one datagram now and fire WRITE.
///
/// # Safety
/// `c` live; `data` readable for `len` bytes (or `len == 0`).
pub unsafe fn send(c: *mut mg_connection, data: &[u8]) -> bool {
    // SAFETY: `c` live.
    unsafe {
        if !(*c).flag(FLAG_IS_UDP) {
            mgr::touch(c);
            return (*c).send.append(data);
        }
        let rem = (*c).rem;
        match io::send((*c).sock(), data, Some(&rem)) {
            io::Io::Done(n) => {
                (*c).loc = io::local_addr((*c).sock());
                let mut v = n as libc::c_long;
                call(c, MG_EV_WRITE, &mut v as *mut libc::c_long as *mut c_void);
                true
            }
            io::Io::WouldBlock => false,
            io::Io::Closed => {
                (*c).set_flag(FLAG_IS_CLOSING, true);
                false
            }
        }
    }
}
