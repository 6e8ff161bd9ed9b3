//! Streaming a request body to a file (`mg_http_start_upload`) or to the
//! firmware updater (`mg_http_start_ota`), as Mongoose 7.23 does (observed):
//! called from `MG_EV_HTTP_HDRS`, the connection is taken over (`c->fn`
//! becomes `handler`, `c->pfn` is cleared, the head leaves `c->recv`, a
//! pointer to the state goes in `c->data`; `c->fn_data` is kept for the
//! program's callback). Body bytes are written as they arrive, in multiples
//! of 512 until the piece that completes the body; bytes past the body, and
//! later requests on the connection, are discarded. Completion is noticed
//! when body bytes arrive, so an empty body completes only at close (as in
//! Mongoose). The callback gets NULL on success or an error text; without a
//! callback the reply is `200 ok\n`, or `500 <error>\n` and the connection
//! drains.
use super::fs::Fs;
use super::http::reply_bytes;
use crate::abi::*;
use crate::core::{fs as cfs, ota};
use core::ffi::{c_char, c_int, c_void};
use std::ffi::CString;

/// The program's completion callback.
pub type DoneFn = Option<unsafe extern "C" fn(*mut mg_connection, *const c_char)>;

enum Sink {
    File { fs: Fs, fd: *mut c_void },
    Ota,
}

struct Upload {
    sink: Sink,
    expected: usize,
    written: usize,
    done: bool,
    cb: DoneFn,
}

/// Write granularity before the last piece.
const PIECE: usize = 512;

/// # Safety
/// `c` live; `err` is the outcome to report.
unsafe fn report(c: *mut mg_connection, cb: DoneFn, err: Option<&str>) {
    // SAFETY: `c` live; the callback is the program's C function.
    unsafe {
        match (cb, err) {
            (Some(f), None) => f(c, core::ptr::null()),
            (Some(f), Some(e)) => {
                let msg = CString::new(e).unwrap_or_default();
                f(c, msg.as_ptr());
            }
            (None, None) => reply_bytes(c, 200, b"", b"ok\n"),
            (None, Some(e)) => {
                reply_bytes(c, 500, b"", format!("{e}\n").as_bytes());
                (*c).set_flag(FLAG_IS_DRAINING, true);
            }
        }
    }
}

/// # Safety
/// `c` live and taken over (its `data` holds our state).
unsafe fn state<'a>(c: *mut mg_connection) -> Option<&'a mut Upload> {
    // SAFETY: `handler` is only installed together with the pointer.
    unsafe {
        let p = ((*c).data.as_ptr() as *const *mut Upload).read_unaligned();
        p.as_mut()
    }
}

/// Close the sink and report.
///
/// # Safety
/// `c` live, taken over.
unsafe fn finish(c: *mut mg_connection, err: Option<&str>) {
    // SAFETY: `c` live; the state is ours.
    unsafe {
        let Some(u) = state(c) else { return };
        if u.done {
            return;
        }
        u.done = true;
        let mut err = err.map(str::to_owned);
        match &u.sink {
            Sink::File { fs, fd } => fs.close(*fd),
            Sink::Ota => {
                if !ota::end() && err.is_none() {
                    err = Some("ota end failed".into());
                }
            }
        }
        report(c, u.cb, err.as_deref());
    }
}

/// The connection's `fn` after the takeover.
///
/// # Safety
/// Called by the loop with a live connection.
pub unsafe extern "C" fn handler(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    // SAFETY: `c` live; `ev_data` is the ERROR text for MG_EV_ERROR.
    unsafe {
        let Some(u) = state(c) else { return };
        match ev {
            MG_EV_READ if u.done => (*c).recv.len = 0,
            MG_EV_READ if (*c).recv.len > 0 => {
                let left = u.expected - u.written;
                let have = (*c).recv.len;
                let n = if have >= left { left } else { have / PIECE * PIECE };
                if n > 0 {
                    let data = &(*c).recv.data()[..n];
                    let ok = match &u.sink {
                        Sink::File { fs, fd } => fs.write(*fd, data) == n,
                        Sink::Ota => ota::write(data),
                    };
                    (*c).recv.del(0, n);
                    u.written += n;
                    if !ok {
                        return finish(c, Some("write error"));
                    }
                }
                if u.written >= u.expected {
                    (*c).recv.len = 0;
                    finish(c, None);
                }
            }
            MG_EV_ERROR => {
                let msg = if ev_data.is_null() {
                    String::new()
                } else {
                    String::from_utf8_lossy(crate::net::cstr(ev_data as *const c_char)).into_owned()
                };
                finish(c, Some(&msg));
            }
            MG_EV_CLOSE => {
                finish(c, Some("connection closed"));
                let p = ((*c).data.as_ptr() as *const *mut Upload).read_unaligned();
                ((*c).data.as_mut_ptr() as *mut *mut Upload).write_unaligned(core::ptr::null_mut());
                drop(Box::from_raw(p));
            }
            _ => {}
        }
    }
}

/// Take the connection over with `sink`.
///
/// # Safety
/// `c` live, inside its `MG_EV_HTTP_HDRS`; `hm` its message (views into
/// `c->recv`).
unsafe fn take_over(c: *mut mg_connection, hm: &mg_http_message, sink: Sink, cb: DoneFn) {
    // SAFETY: per the contract; `hm.head` lies inside `c->recv`.
    unsafe {
        // Drop the head (and anything before it) when it lies in `recv`, as
        // it does in MG_EV_HTTP_HDRS; called later, nothing is removed.
        let (h, b) = (hm.head.buf as usize, (*c).recv.buf as usize);
        if h >= b && h + hm.head.len <= b + (*c).recv.len {
            (*c).recv.del(0, h - b + hm.head.len);
        }
        let u = Box::new(Upload { sink, expected: hm.body.len, written: 0, done: false, cb });
        ((*c).data.as_mut_ptr() as *mut *mut Upload).write_unaligned(Box::into_raw(u));
        (*c).fn_ = Some(handler);
        (*c).pfn = None;
    }
}

/// `mg_http_start_upload`: stream the body to `dir/name` on `fs`.
///
/// # Safety
/// As `take_over`; `fs` NULL (POSIX) or a valid `struct mg_fs`.
pub unsafe fn start_upload(
    c: *mut mg_connection,
    hm: &mg_http_message,
    name: &[u8],
    dir: &[u8],
    fs: *const mg_fs,
    cb: DoneFn,
) {
    // SAFETY: per the contract.
    unsafe {
        if !cfs::path_is_sane(name) {
            return report(c, cb, Some("bad name"));
        }
        let mut path = dir.to_vec();
        path.push(b'/');
        path.extend_from_slice(name);
        path.truncate(MG_PATH_MAX - 1);
        let fs = Fs::new(fs);
        let Some(fd) = fs.open(&path, MG_FS_WRITE) else {
            return report(c, cb, Some("open failed"));
        };
        take_over(c, hm, Sink::File { fs, fd }, cb);
    }
}

/// `mg_http_start_ota`: stream the body to `mg_ota_begin/write/end`.
///
/// # Safety
/// As `take_over`.
pub unsafe fn start_ota(c: *mut mg_connection, hm: &mg_http_message, cb: DoneFn) {
    // SAFETY: per the contract.
    unsafe {
        if !ota::begin(hm.body.len) {
            return report(c, cb, Some("ota begin failed"));
        }
        take_over(c, hm, Sink::Ota, cb);
    }
}
