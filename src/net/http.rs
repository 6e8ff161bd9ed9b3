//! The HTTP protocol handler: the `pfn` that `mg_http_listen` and
//! `mg_http_connect` install. It turns bytes in `c->recv` into
//! `MG_EV_HTTP_HDRS` / `MG_EV_HTTP_MSG` (EVENT-LOOP.md §9), writes replies
//! and chunks, and answers for the built-in graceful shutdown.
use super::conn::state;
use super::{call, error, shutdown};
use crate::abi::*;
use crate::core::http::{self as h, Chunked, Framing, Head, HeadError};
use crate::ffi::http::fill_message;
use core::ffi::{c_char, c_int, c_void};

/// Per-connection HTTP state kept beside the C struct.
#[derive(Default)]
pub struct HttpConnState {
    /// A request was served during shutdown: close once its response ends.
    pub close_after_resp: bool,
}

/// Body of the 503 sent to requests that arrive after shutdown began.
const SHUTDOWN_BODY: &[u8] = b"Server shutting down\n";
/// Body of the 400 sent before closing on a malformed request (departure).
const BAD_REQUEST_BODY: &[u8] = b"Bad Request\n";
const CONNECTION_CLOSE: &[u8] = b"Connection: close\r\n";

/// The protocol handler (`c->pfn`).
///
/// # Safety
/// Called by the loop with a live connection.
pub unsafe extern "C" fn handler(c: *mut mg_connection, ev: c_int, _ev_data: *mut c_void) {
    // SAFETY: `c` is live for the whole call; flags are re-read after every
    // callback made by `parse`.
    unsafe {
        match ev {
            MG_EV_READ | MG_EV_CLOSE => parse(c, ev == MG_EV_CLOSE),
            MG_EV_POLL => {
                let f = (*c).flags;
                if f & FLAG_IS_ACCEPTED != 0 {
                    if state(c).http.close_after_resp && f & FLAG_IS_RESP == 0 {
                        (*c).set_flag(FLAG_IS_DRAINING, true);
                    }
                    if !(*c).flag(FLAG_IS_DRAINING) && (*c).recv.len > 0 {
                        parse(c, false);
                    }
                }
            }
            _ => {}
        }
    }
}

/// The buffered bytes from `ofs` on. Re-taken after every callback, since a
/// handler may grow (move) or shrink `recv`.
///
/// # Safety
/// `c` live, `ofs <= recv.len`.
unsafe fn rest<'a>(c: *mut mg_connection, ofs: usize) -> &'a mut [u8] {
    // SAFETY: `recv.buf` holds `recv.len` initialised bytes.
    unsafe {
        let io = &mut (*c).recv;
        if io.buf.is_null() {
            return &mut [];
        }
        core::slice::from_raw_parts_mut(io.buf.add(ofs), io.len - ofs)
    }
}

/// The parse loop (EVENT-LOOP.md §9.3).
///
/// # Safety
/// `c` live.
unsafe fn parse(c: *mut mg_connection, closing: bool) {
    let mut ofs = 0usize;
    // SAFETY: `c` live; no slice of `recv` is held across a callback.
    unsafe {
        let accepted = (*c).flag(FLAG_IS_ACCEPTED);
        while !(*c).flag(FLAG_IS_RESP) && ofs < (*c).recv.len {
            let head = match h::parse(rest(c, ofs)) {
                Ok(head) => head,
                Err(HeadError::Incomplete) => break,
                Err(HeadError::Malformed) => {
                    malformed(c, ofs);
                    return;
                }
            };
            if accepted && shutdown::active_for(c) && !state(c).shutdown.in_flight {
                // Arrived after shutdown began: refuse politely and close.
                reply_bytes(c, 503, b"", SHUTDOWN_BODY);
                (*c).set_flag(FLAG_IS_DRAINING, true);
                (*c).recv.len = 0;
                return;
            }
            let wants_close = accepted && head.wants_close(rest(c, ofs));
            let mut hm = mg_http_message::zeroed();
            fill_message((*c).recv.buf.add(ofs), &head, &mut hm);
            let len_before = (*c).recv.len;
            call(c, MG_EV_HTTP_HDRS, &mut hm as *mut _ as *mut c_void);
            if (*c).recv.len != len_before {
                (*c).pfn = None; // the program took over the byte stream
                return;
            }
            let Some(consumed) = frame(c, ofs, head, closing, &mut hm) else {
                return;
            };
            if consumed == 0 {
                break; // body not complete yet
            }
            if accepted {
                (*c).set_flag(FLAG_IS_RESP, true);
                if shutdown::active_for(c) {
                    // The request in flight when shutdown began: served,
                    // then the connection closes.
                    state(c).shutdown.in_flight = false;
                    state(c).http.close_after_resp = true;
                }
            }
            call(c, MG_EV_HTTP_MSG, &mut hm as *mut _ as *mut c_void);
            ofs += consumed;
            if ofs > (*c).recv.len {
                ofs = (*c).recv.len; // the handler shrank recv
            }
            if accepted && !(*c).flag(FLAG_IS_RESP) && (wants_close || state(c).http.close_after_resp) {
                (*c).set_flag(FLAG_IS_DRAINING, true);
                break;
            }
            if (*c).flag(FLAG_IS_DRAINING) || (*c).flag(FLAG_IS_CLOSING) {
                break;
            }
        }
        if ofs > 0 {
            (*c).recv.del(0, ofs);
        }
    }
}

/// Delimit the body of the message at `ofs` (§9.3 steps 5-7) and finish
/// `hm`. Returns the bytes the message occupies in `recv` (0 = wait for
/// more), or `None` when the connection failed.
///
/// # Safety
/// `c` live; `hm` points into `recv` at `ofs`.
unsafe fn frame(
    c: *mut mg_connection,
    ofs: usize,
    mut head: Head,
    closing: bool,
    hm: &mut mg_http_message,
) -> Option<usize> {
    // SAFETY: `c` live; slices of `recv` end before any callback.
    unsafe {
        let base = (*c).recv.buf.add(ofs);
        let avail = (*c).recv.len - ofs;
        let framing = head.framing(rest(c, ofs));
        match framing {
            Framing::BadTransferEncoding => {
                fail(c, "Invalid Transfer-Encoding");
                None
            }
            Framing::Chunked => match h::dechunk(&mut rest(c, ofs)[head.head_len..]) {
                Chunked::Incomplete => Some(0),
                Chunked::Invalid => {
                    fail(c, "Invalid chunk");
                    None
                }
                Chunked::Complete { consumed, body_len } => {
                    head.body_len = body_len;
                    fill_message(base, &head, hm);
                    Some(head.head_len + consumed)
                }
            },
            _ if closing => {
                // EOF ends the message: everything buffered belongs to it.
                head.body_len = avail - head.head_len;
                fill_message(base, &head, hm);
                Some(avail)
            }
            Framing::UntilClose => {
                if head.is_response {
                    crate::ffi::log::debug(format_args!(
                        "{} no Content-Length, reading until close",
                        (*c).id
                    ));
                }
                Some(0)
            }
            Framing::Length(n) => {
                let total = head.head_len.saturating_add(n);
                Some(if total <= avail { total } else { 0 })
            }
        }
    }
}

/// A head that cannot be HTTP: log it with a hexdump of its start, answer
/// 400 on a server connection (Mongoose sends nothing), and drain.
///
/// # Safety
/// `c` live, `ofs <= recv.len`.
unsafe fn malformed(c: *mut mg_connection, ofs: usize) {
    // SAFETY: `c` live.
    unsafe {
        let bytes = rest(c, ofs);
        crate::ffi::log::error(format_args!("HTTP parse, {} bytes", bytes.len()));
        crate::ffi::log::hexdump(&bytes[..bytes.len().min(16)]);
        if (*c).flag(FLAG_IS_ACCEPTED) {
            reply_bytes(c, 400, b"", BAD_REQUEST_BODY);
        }
        (*c).set_flag(FLAG_IS_DRAINING, true);
        (*c).recv.len = 0;
    }
}

/// A framing error: MG_EV_ERROR as Mongoose fires it. A server connection
/// first queues a 400 and then drains rather than closing at once, so the
/// client learns why (a departure no working program depends on).
///
/// # Safety
/// `c` live.
unsafe fn fail(c: *mut mg_connection, msg: &str) {
    // SAFETY: `c` live.
    unsafe {
        if !(*c).flag(FLAG_IS_ACCEPTED) {
            error(c, msg);
            return;
        }
        reply_bytes(c, 400, b"", BAD_REQUEST_BODY);
        error(c, msg);
        (*c).recv.len = 0;
        if (*c).send.len > 0 {
            (*c).set_flag(FLAG_IS_CLOSING, false);
            (*c).set_flag(FLAG_IS_DRAINING, true);
        }
    }
}

/// Whether replies on `c` must announce the close (shutdown under way).
///
/// # Safety
/// `c` live.
unsafe fn closing_reply(c: *mut mg_connection) -> bool {
    // SAFETY: `c` live.
    unsafe { (*c).flag(FLAG_IS_ACCEPTED) && shutdown::active_for(c) }
}

/// `mg_http_reply` with a formatted body: head as Mongoose writes it (plus
/// `Connection: close` while shutting down), body, `is_resp = 0`.
///
/// # Safety
/// `c` live.
pub unsafe fn reply_bytes(c: *mut mg_connection, code: c_int, headers: &[u8], body: &[u8]) {
    // SAFETY: `c` live.
    unsafe {
        let mut out = Vec::with_capacity(96 + headers.len() + body.len());
        if closing_reply(c) && !has_connection_header(headers) {
            let mut hs = headers.to_vec();
            hs.extend_from_slice(CONNECTION_CLOSE);
            h::reply_head_into(&mut out, code, &hs, body.len());
            state(c).http.close_after_resp = true;
        } else {
            h::reply_head_into(&mut out, code, headers, body.len());
        }
        out.extend_from_slice(body);
        if !(*c).send.append(&out) {
            error(c, "OOM");
        }
        (*c).set_flag(FLAG_IS_RESP, false);
    }
}

fn has_connection_header(headers: &[u8]) -> bool {
    headers
        .split(|&b| b == b'\n')
        .any(|line| line.len() >= 11 && line[..11].eq_ignore_ascii_case(b"connection:"))
}

/// One chunk of a chunked response: `padded` for `mg_http_printf_chunk`
/// (8 hex digits), minimal hex for `mg_http_write_chunk`. The empty chunk
/// ends the response.
///
/// # Safety
/// `c` live.
pub unsafe fn chunk(c: *mut mg_connection, data: &[u8], padded: bool) {
    // SAFETY: `c` live.
    unsafe {
        let out = if padded { h::chunk_padded(data) } else { h::chunk_minimal(data) };
        if !(*c).send.append(&out) {
            error(c, "OOM");
        }
        if data.is_empty() {
            (*c).set_flag(FLAG_IS_RESP, false);
        }
    }
}

/// `mg_http_bauth`: the `Authorization: Basic` request header line.
///
/// # Safety
/// `c` live.
pub unsafe fn bauth(c: *mut mg_connection, user: &[u8], pass: &[u8]) {
    use base64::Engine as _;
    let mut creds = user.to_vec();
    if !pass.is_empty() {
        creds.push(b':');
        creds.extend_from_slice(pass);
    }
    let enc = base64::engine::general_purpose::STANDARD.encode(&creds);
    let line = format!("Authorization: Basic {enc}\r\n");
    // SAFETY: `c` live.
    unsafe {
        if !(*c).send.append(line.as_bytes()) {
            error(c, "OOM");
        }
    }
}

/// `mg_http_listen`.
///
/// # Safety
/// `mgr` initialised; `url` NUL-terminated.
pub unsafe fn listen(
    mgr: *mut mg_mgr,
    url: *const c_char,
    fn_: mg_event_handler_t,
    fn_data: *mut c_void,
) -> *mut mg_connection {
    // SAFETY: per the contract.
    unsafe { super::listen(mgr, url, fn_, fn_data, Some(handler)) }
}

/// `mg_http_connect`.
///
/// # Safety
/// `mgr` initialised; `url` NUL-terminated.
pub unsafe fn connect(
    mgr: *mut mg_mgr,
    url: *const c_char,
    fn_: mg_event_handler_t,
    fn_data: *mut c_void,
) -> *mut mg_connection {
    // SAFETY: per the contract.
    unsafe { super::connect(mgr, url, fn_, fn_data, Some(handler), core::ptr::null_mut()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_header_detection() {
        assert!(has_connection_header(b"Connection: keep-alive\r\n"));
        assert!(has_connection_header(b"X-A: 1\r\nconnection: close\r\n"));
        assert!(!has_connection_header(b"X-Connection: 1\r\n"));
        assert!(!has_connection_header(b""));
    }
}
