//! Manager and connection entry points (`mongoose.h`: event manager,
//! connections, wakeup) plus mongoose-rs's graceful-shutdown extension.
use crate::abi::*;
use crate::ffi::guard::{guard, guard_unit};
use crate::net::{self, conn, mgr, shutdown};
use core::ffi::{c_char, c_int, c_long, c_ulong, c_void};
use core::ptr;

/// Initialise an event manager (the struct belongs to the caller).
#[no_mangle]
pub unsafe extern "C" fn mg_mgr_init(mgr: *mut mg_mgr) {
    if mgr.is_null() {
        return;
    }
    // SAFETY: non-NULL manager memory supplied by the caller.
    guard_unit(|| unsafe { mgr::init(mgr) })
}

/// Run one iteration of the event loop, waiting at most `ms` milliseconds
/// (negative: no limit) for I/O, timers, wakeups or a signal.
#[no_mangle]
pub unsafe extern "C" fn mg_mgr_poll(mgr: *mut mg_mgr, ms: c_int) {
    if mgr.is_null() {
        return;
    }
    // SAFETY: an initialised manager.
    guard_unit(|| unsafe { mgr::poll(mgr, ms) })
}

/// Opt out of MG_EV_POLL to every connection on every poll (an addition to
/// Mongoose's API). `ms` = 0 (the default): Mongoose's behaviour. `ms` > 0:
/// a connection gets MG_EV_POLL in a poll where it had I/O or events (or
/// had work left: unsent data, a response in progress, closing), otherwise
/// at most once every `ms` milliseconds, so the cost of a poll grows with
/// the busy connections, not with all of them. Timers, wakeups, shutdown
/// and every other event are unchanged. Changes a program makes to a
/// connection's struct outside that connection's own events (setting
/// `c->is_closing` from a timer, `mg_iobuf_add(&c->send, ...)`) are seen at
/// its next turn (its next event, at most `ms` later); `mg_send`,
/// `mg_printf`, `mg_ws_send`, `mg_http_reply` and friends are seen at once.
#[no_mangle]
pub unsafe extern "C" fn mg_mgr_set_poll_interval(mgr: *mut mg_mgr, ms: core::ffi::c_ulong) {
    if mgr.is_null() {
        return;
    }
    // SAFETY: an initialised (or zeroed) manager.
    guard_unit(|| unsafe { mgr::set_poll_interval(mgr, ms as _) })
}

/// Close every connection (each gets MG_EV_POLL then MG_EV_CLOSE), free all
/// timers and the manager's resources.
#[no_mangle]
pub unsafe extern "C" fn mg_mgr_free(mgr: *mut mg_mgr) {
    if mgr.is_null() {
        return;
    }
    // SAFETY: an initialised manager.
    guard_unit(|| unsafe { mgr::free(mgr) })
}

/// Listen on `tcp://` (default) or `udp://` `host:port`; NULL on failure.
#[no_mangle]
pub unsafe extern "C" fn mg_listen(
    mgr: *mut mg_mgr,
    url: *const c_char,
    fn_: mg_event_handler_t,
    fn_data: *mut c_void,
) -> *mut mg_connection {
    if mgr.is_null() || url.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: initialised manager, NUL-terminated URL.
    guard(ptr::null_mut(), || unsafe { net::listen(mgr, url, fn_, fn_data, None) })
}

/// Open an outbound connection; events report its progress.
#[no_mangle]
pub unsafe extern "C" fn mg_connect(
    mgr: *mut mg_mgr,
    url: *const c_char,
    fn_: mg_event_handler_t,
    fn_data: *mut c_void,
) -> *mut mg_connection {
    // SAFETY: forwarded with the same contract.
    unsafe { mg_connect_svc(mgr, url, fn_, fn_data, None, ptr::null_mut()) }
}

/// `mg_connect` with a protocol handler installed before MG_EV_OPEN.
#[no_mangle]
pub unsafe extern "C" fn mg_connect_svc(
    mgr: *mut mg_mgr,
    url: *const c_char,
    fn_: mg_event_handler_t,
    fn_data: *mut c_void,
    pfn: mg_event_handler_t,
    pfn_data: *mut c_void,
) -> *mut mg_connection {
    if mgr.is_null() || url.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: initialised manager, NUL-terminated URL.
    guard(ptr::null_mut(), || unsafe { net::connect(mgr, url, fn_, fn_data, pfn, pfn_data) })
}

/// Wrap an existing socket descriptor as a connection.
#[no_mangle]
pub unsafe extern "C" fn mg_wrapfd(
    mgr: *mut mg_mgr,
    fd: c_int,
    fn_: mg_event_handler_t,
    fn_data: *mut c_void,
) -> *mut mg_connection {
    if mgr.is_null() || fd < 0 {
        return ptr::null_mut();
    }
    // SAFETY: initialised manager.
    guard(ptr::null_mut(), || unsafe { net::wrapfd(mgr, fd, fn_, fn_data) })
}

/// Queue `len` bytes for sending (UDP: send one datagram now).
#[no_mangle]
pub unsafe extern "C" fn mg_send(c: *mut mg_connection, buf: *const c_void, len: usize) -> bool {
    if c.is_null() || (buf.is_null() && len > 0) {
        return false;
    }
    if len == 0 {
        return true;
    }
    // SAFETY: live connection; `buf` readable for `len` bytes.
    guard(false, || unsafe { net::send(c, core::slice::from_raw_parts(buf as *const u8, len)) })
}

/// Format into the connection's send buffer; returns bytes appended.
#[no_mangle]
pub unsafe extern "C" fn mg_vprintf(c: *mut mg_connection, fmt: *const c_char, ap: *mut va_list) -> usize {
    if c.is_null() || fmt.is_null() {
        return 0;
    }
    // SAFETY: live connection, C format string and va_list from the caller.
    guard(0, || unsafe {
        net::mgr::touch(c);
        match crate::ffi::fmt::vprintf_into_iobuf(&mut (*c).send, fmt, ap) {
            Some(n) => n,
            None => {
                net::error(c, "OOM");
                0
            }
        }
    })
}

/// Body of the variadic `mg_error` (see variadic.c).
/// cbindgen:ignore
#[no_mangle]
pub unsafe extern "C" fn mg_rs_verror(c: *mut mg_connection, fmt: *const c_char, ap: *mut va_list) {
    if fmt.is_null() {
        return;
    }
    // SAFETY: C format string and va_list from the caller; `c` live or NULL.
    guard_unit(|| unsafe {
        let msg = crate::ffi::fmt::format_va(fmt, ap);
        net::error(c, &String::from_utf8_lossy(&msg));
    })
}

/// Fire an event: `c->pfn` then `c->fn`.
#[no_mangle]
pub unsafe extern "C" fn mg_call(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    if c.is_null() {
        return;
    }
    // SAFETY: live connection.
    unsafe { net::call(c, ev, ev_data) }
}

/// Close a connection immediately: MG_EV_CLOSE fires before this returns.
/// Safe to call from a handler (the memory is released after the poll).
#[no_mangle]
pub unsafe extern "C" fn mg_close_conn(c: *mut mg_connection) {
    if c.is_null() {
        return;
    }
    // SAFETY: live connection of a live manager.
    guard_unit(|| unsafe { mgr::close_conn((*c).mgr, c) })
}

/// Allocate a connection (not linked, no socket).
#[no_mangle]
pub unsafe extern "C" fn mg_alloc_conn(mgr: *mut mg_mgr) -> *mut mg_connection {
    if mgr.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: initialised manager.
    guard(ptr::null_mut(), || unsafe { conn::alloc(mgr) })
}

/// Resolve the URL's host for `c` and connect to it.
#[no_mangle]
pub unsafe extern "C" fn mg_resolve(c: *mut mg_connection, url: *const c_char) {
    if c.is_null() || url.is_null() {
        return;
    }
    // SAFETY: live connection, NUL-terminated URL.
    guard_unit(|| unsafe { net::resolve(c, net::cstr(url)) })
}

/// Forget a pending lookup of `c` (no events).
#[no_mangle]
pub unsafe extern "C" fn mg_resolve_cancel(c: *mut mg_connection) {
    if c.is_null() {
        return;
    }
    // SAFETY: live connection of a live manager.
    guard_unit(|| unsafe {
        let mp = mgr::manager((*c).mgr);
        if !mp.is_null() {
            let id = (*c).id;
            (*mp).dns_pending.retain(|p| p.0 != id);
        }
        crate::net::mdns::cancel(c);
        (*c).set_flag(FLAG_IS_RESOLVING, false);
    })
}

/// Create the socket for `c->rem` and start connecting.
#[no_mangle]
pub unsafe extern "C" fn mg_connect_resolved(c: *mut mg_connection) {
    if c.is_null() {
        return;
    }
    // SAFETY: live connection.
    guard_unit(|| unsafe { net::connect_resolved(c) })
}

/// Set the DSCP (IP_TOS = dscp << 2) of a connection's socket.
#[no_mangle]
pub unsafe extern "C" fn mg_dscp(c: *mut mg_connection, dscp: u8) -> bool {
    if c.is_null() {
        return false;
    }
    // SAFETY: live connection; setsockopt on its own socket.
    guard(false, || unsafe {
        (*c).flags = ((*c).flags & !FLAG_DSCP_MASK) | (dscp as u32 & FLAG_DSCP_MASK);
        let tos: c_int = ((dscp & 63) as c_int) << 2;
        let fd = (*c).sock();
        let (level, opt) = if (*c).rem.is_ip6 {
            (libc::IPPROTO_IPV6, libc::IPV6_TCLASS)
        } else {
            (libc::IPPROTO_IP, libc::IP_TOS)
        };
        libc::setsockopt(fd, level, opt, &tos as *const c_int as *const c_void, 4) == 0
    })
}

/// Copy an address into `c->rem`.
#[no_mangle]
pub unsafe extern "C" fn mg_multicast_restore(c: *mut mg_connection, from: *mut u8) {
    if c.is_null() || from.is_null() {
        return;
    }
    // SAFETY: `from` holds an mg_addr per the API.
    unsafe { ptr::copy_nonoverlapping(from, ptr::addr_of_mut!((*c).rem) as *mut u8, size_of::<mg_addr>()) }
}

/// Raw socket write: bytes, MG_IO_WAIT or MG_IO_ERR.
#[no_mangle]
pub unsafe extern "C" fn mg_io_send(c: *mut mg_connection, buf: *const c_void, len: usize) -> c_long {
    if c.is_null() || buf.is_null() {
        return MG_IO_ERR as c_long;
    }
    // SAFETY: live connection; `buf` readable for `len` bytes.
    guard(MG_IO_ERR as c_long, || unsafe {
        let udp = (*c).flag(FLAG_IS_UDP);
        let rem = (*c).rem;
        let data = core::slice::from_raw_parts(buf as *const u8, len);
        match net::io::send((*c).sock(), data, if udp { Some(&rem) } else { None }) {
            net::io::Io::Done(n) => n as c_long,
            net::io::Io::WouldBlock => MG_IO_WAIT as c_long,
            net::io::Io::Closed => MG_IO_ERR as c_long,
        }
    })
}

/// Raw socket read: bytes, MG_IO_WAIT or MG_IO_ERR.
#[no_mangle]
pub unsafe extern "C" fn mg_io_recv(c: *mut mg_connection, buf: *mut c_void, len: usize) -> c_long {
    if c.is_null() || buf.is_null() {
        return MG_IO_ERR as c_long;
    }
    // SAFETY: live connection; `buf` writable for `len` bytes.
    guard(MG_IO_ERR as c_long, || unsafe {
        let data = core::slice::from_raw_parts_mut(buf as *mut u8, len);
        let udp = (*c).flag(FLAG_IS_UDP);
        let mut from = mg_addr::default();
        match net::io::recv((*c).sock(), data, if udp { Some(&mut from) } else { None }) {
            net::io::Io::Done(n) => {
                if udp {
                    (*c).rem = from;
                }
                n as c_long
            }
            net::io::Io::WouldBlock => MG_IO_WAIT as c_long,
            net::io::Io::Closed => MG_IO_ERR as c_long,
        }
    })
}

/// Enable `mg_wakeup` for this manager. False if already enabled.
#[no_mangle]
pub unsafe extern "C" fn mg_wakeup_init(mgr: *mut mg_mgr) -> bool {
    if mgr.is_null() {
        return false;
    }
    // SAFETY: initialised manager.
    guard(false, || unsafe {
        let mp = mgr::manager(mgr);
        if mp.is_null() {
            return false;
        }
        let shared = &(*mp).shared;
        if shared.wakeup_enabled.swap(true, std::sync::atomic::Ordering::AcqRel) {
            return false;
        }
        // Mongoose's wakeup socket is a connection and takes an id.
        (*mgr).nextid += 1;
        (*mgr).pipe.fd = shared.efd;
        true
    })
}

/// Thread-safe: deliver MG_EV_WAKEUP with a copy of `buf` to connection `id`.
#[no_mangle]
pub unsafe extern "C" fn mg_wakeup(mgr: *mut mg_mgr, id: c_ulong, buf: *const c_void, len: usize) -> bool {
    if mgr.is_null() || (buf.is_null() && len > 0) {
        return false;
    }
    // SAFETY: initialised manager (its shared part is thread-safe); `buf`
    // readable for `len` bytes.
    guard(false, || unsafe {
        let mp = mgr::manager(mgr);
        if mp.is_null() {
            return false;
        }
        let data = if len == 0 { &[][..] } else { core::slice::from_raw_parts(buf as *const u8, len) };
        (*mp).shared.wakeup(id, data)
    })
}

/// mongoose-rs extension: begin a graceful shutdown. Listeners close at once;
/// requests in flight finish and get `Connection: close`; idle keep-alive
/// connections close once silent; whatever is left closes after `grace_ms`.
/// Calling it again can only shorten the grace period.
#[no_mangle]
pub unsafe extern "C" fn mg_mgr_shutdown(mgr: *mut mg_mgr, grace_ms: libc::c_ulong) {
    if mgr.is_null() {
        return;
    }
    // SAFETY: initialised manager.
    guard_unit(|| unsafe { shutdown::begin(mgr, grace_ms) })
}

/// mongoose-rs extension: true once shutdown has begun and every connection
/// is closed, i.e. the program may call `mg_mgr_free` and exit.
#[no_mangle]
pub unsafe extern "C" fn mg_mgr_is_done(mgr: *mut mg_mgr) -> bool {
    if mgr.is_null() {
        return true;
    }
    // SAFETY: initialised manager.
    guard(true, || unsafe { shutdown::is_done(mgr) })
}

/// mongoose-rs extension: SIGINT and SIGTERM start `mg_mgr_shutdown(mgr,
/// grace_ms)` and wake the loop; a second signal ends the grace period.
#[no_mangle]
pub unsafe extern "C" fn mg_mgr_shutdown_on_signals(mgr: *mut mg_mgr, grace_ms: libc::c_ulong) {
    if mgr.is_null() {
        return;
    }
    // SAFETY: initialised manager.
    guard_unit(|| unsafe {
        shutdown::on_signals(mgr, grace_ms);
    })
}
