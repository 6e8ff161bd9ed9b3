//! The HTTP protocol handler: the `pfn` that `mg_http_listen` and
//! `mg_http_connect` install. It turns bytes in `c->recv` into
//! `MG_EV_HTTP_HDRS` / `MG_EV_HTTP_MSG` (EVENT-LOOP.md §9), writes replies
//! and chunks, and answers for the built-in graceful shutdown.
use super::conn::{state, try_state};
use super::{call, error, shutdown};
use crate::abi::*;
use crate::core::http::{self as h, Chunked, Framing, Head, HeadError, Span};
use core::ffi::{c_char, c_int, c_long, c_void};

/// Per-connection HTTP state kept beside the C struct (see
/// `conn::ConnState`). What the POLL handler looks at on every turn are the
/// `RS_HTTP_*` bits of `mg_connection.rs` instead.
#[derive(Default)]
pub struct HttpConnState {
    /// What the last parse left waiting at the front of `recv`.
    pub pending: Option<Pending>,
    /// When the first byte of the request head that is still incomplete
    /// arrived (ms); `None` while no partial head is buffered. Only read by
    /// the opt-in header timeout. Set and cleared with `RS_HTTP_HEAD_PENDING`
    /// (see `set_head_started`).
    head_started: Option<u64>,
}

impl HttpConnState {
    /// Nothing stored (the connection's state may be dropped).
    pub fn is_default(&self) -> bool {
        self.pending.is_none() && self.head_started.is_none()
    }
}

/// Set or clear when the pending request head began, with its `RS_` bit.
///
/// # Safety
/// `c` live.
unsafe fn set_head_started(c: *mut mg_connection, at: Option<u64>) {
    // SAFETY: `c` live.
    unsafe {
        // Clearing allocates no state for a connection that has none.
        if at.is_some() {
            state(c).http.head_started = at;
        } else if let Some(st) = try_state(c) {
            st.http.head_started = None;
        }
        (*c).set_rs(RS_HTTP_HEAD_PENDING, at.is_some());
    }
}

/// A message the parse loop is waiting on, remembered so the next parse
/// does not redo work on bytes that have not changed: a head trickling in
/// up to 3 MiB costs linear rather than quadratic time, and a connection
/// that sends nothing costs nothing per POLL (Mongoose rescans everything
/// on every READ and POLL).
#[derive(Clone)]
pub enum Pending {
    /// An incomplete head filling all `len` bytes of `recv`. `scanned`:
    /// those bytes hold no head end and no forbidden byte (false when the
    /// head end is there but the request line has a stray CR).
    Head { len: usize, scanned: bool },
    /// A complete head whose body was incomplete when `recv` held `len`
    /// bytes. (Boxed: this sits in every connection's state and is looked
    /// at on every POLL, so it should be small to move.)
    Body { len: usize, head: Box<Head> },
}

impl Pending {
    fn len(&self) -> usize {
        match self {
            Pending::Head { len, .. } | Pending::Body { len, .. } => *len,
        }
    }

    fn set_len(&mut self, n: usize) {
        match self {
            Pending::Head { len, .. } | Pending::Body { len, .. } => *len = n,
        }
    }
}

/// Body of the 503 sent to requests that arrive after shutdown began.
const SHUTDOWN_BODY: &[u8] = b"Server shutting down\n";
/// Body of the 400 sent before closing on a malformed request (departure).
const BAD_REQUEST_BODY: &[u8] = b"Bad Request\n";
/// Body of the 408 sent when a request head is too slow (opt-in).
const TIMEOUT_BODY: &[u8] = b"Request Timeout\n";
const CONNECTION_CLOSE: &[u8] = b"Connection: close\r\n";

/// The protocol handler (`c->pfn`).
///
/// # Safety
/// Called by the loop with a live connection.
pub unsafe extern "C" fn handler(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    // SAFETY: `c` is live for the whole call; flags are re-read after every
    // callback made by `parse`. Non-NULL `ev_data` is what the loop passes:
    // `&n` (a `long`) for READ, `&now` (a `uint64_t`) for POLL.
    unsafe {
        if (*c).rs(RS_HTTP_REJECTED) {
            // Already answered 400/408 and draining: whatever the peer sends
            // now is discarded unparsed, so no reply can follow the
            // rejection (Mongoose closes in the same turn, never parsing it).
            (*c).recv.len = 0;
            return;
        }
        match ev {
            MG_EV_READ => {
                let n =
                    if ev_data.is_null() { None } else { usize::try_from(*(ev_data as *const c_long)).ok() };
                parse(c, false, n);
            }
            MG_EV_CLOSE => parse(c, true, Some(0)),
            MG_EV_POLL => {
                let f = (*c).flags;
                if f & FLAG_IS_ACCEPTED != 0 {
                    if (*c).rs(RS_HTTP_CLOSE_AFTER_RESP) && f & FLAG_IS_RESP == 0 {
                        (*c).set_flag(FLAG_IS_DRAINING, true);
                    }
                    let now = if ev_data.is_null() { super::millis() } else { *(ev_data as *const u64) };
                    if head_timed_out(c, now) {
                        reject(c, 408, TIMEOUT_BODY);
                        return;
                    }
                    if !(*c).flag(FLAG_IS_DRAINING) && (*c).recv.len > 0 {
                        parse(c, false, Some(0));
                    }
                }
            }
            _ => {}
        }
    }
}

/// `mg_http_set_header_timeout`: 0 turns the check off. `ms` is generic
/// because C's `unsigned long` is 32 or 64 bits depending on the target.
///
/// # Safety
/// `mgr` initialised (or zeroed: then nothing happens).
pub unsafe fn set_header_timeout(mgr: *mut mg_mgr, ms: impl Into<u64>) {
    // SAFETY: the caller passes a live manager (per this function's contract).
    let mp = unsafe { super::mgr::manager(mgr) };
    if !mp.is_null() {
        // SAFETY: a live manager; a plain field store.
        unsafe { (*mp).http_header_timeout = ms.into() };
    }
}

/// Whether the partial request head buffered on `c` has been arriving for
/// longer than the manager's header timeout. Called on every POLL of every
/// server connection, so the common cases (feature off, no partial head)
/// return after one or two loads.
///
/// # Safety
/// `c` live.
unsafe fn head_timed_out(c: *mut mg_connection, now: u64) -> bool {
    // SAFETY: `c` live; its manager outlives it.
    unsafe {
        if !(*c).rs(RS_HTTP_HEAD_PENDING) {
            return false;
        }
        let Some(since) = try_state(c).and_then(|s| s.http.head_started) else { return false };
        let mp = super::mgr::manager((*c).mgr);
        let limit = if mp.is_null() { 0 } else { (*mp).http_header_timeout };
        if limit == 0 {
            return false;
        }
        if (*c).recv.len == 0 || (*c).flags & (FLAG_IS_RESP | FLAG_IS_DRAINING | FLAG_IS_CLOSING) != 0 {
            // The program consumed the bytes, or the connection is busy
            // answering or on its way out: nothing is being waited for.
            set_head_started(c, None);
            return false;
        }
        now.saturating_sub(since) >= limit
    }
}

/// Answer a request we refuse to process (400 malformed, 408 too slow) and
/// drain: the reply is flushed, then the connection closes. Nothing is
/// queued on a connection that is already on its way out.
///
/// # Safety
/// `c` live, accepted.
unsafe fn reject(c: *mut mg_connection, code: c_int, body: &[u8]) {
    // SAFETY: `c` live.
    unsafe {
        if !(*c).flag(FLAG_IS_DRAINING) && !(*c).flag(FLAG_IS_CLOSING) {
            reply_bytes(c, code, b"", body);
        }
        (*c).set_rs(RS_HTTP_REJECTED, true);
        set_head_started(c, None);
        (*c).set_flag(FLAG_IS_DRAINING, true);
        (*c).recv.len = 0;
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

/// The parse loop (EVENT-LOOP.md §9.3). `new_bytes`: how many bytes were
/// appended to `recv` since the previous parse (READ's `n`, 0 on POLL and
/// CLOSE), `None` if unknown.
///
/// # Safety
/// `c` live.
unsafe fn parse(c: *mut mg_connection, closing: bool, new_bytes: Option<usize>) {
    let mut ofs = 0usize;
    // SAFETY: `c` live; no slice of `recv` is held across a callback.
    unsafe {
        let accepted = (*c).flag(FLAG_IS_ACCEPTED);
        // What the previous parse left waiting is reusable only if `recv`
        // merely grew by the new bytes since (a program that consumes bytes
        // itself changes the length and so invalidates it).
        let len = (*c).recv.len;
        let unchanged = new_bytes == Some(0);
        if unchanged
            && matches!(try_state(c).and_then(|s| s.http.pending.as_ref()), Some(Pending::Head { len: l, .. }) if *l == len)
        {
            // Same incomplete head as last time: parsing it again (on every
            // POLL) would find nothing new.
            return;
        }
        let mut pending = try_state(c)
            .and_then(|s| s.http.pending.take())
            .filter(|p| new_bytes.is_some_and(|n| len == p.len() + n));
        let mut waiting = None;
        while !(*c).flag(FLAG_IS_RESP) && ofs < (*c).recv.len {
            let cached = if ofs == 0 { pending.take() } else { None };
            let (head, body_known_incomplete) = match cached {
                Some(Pending::Body { head, .. }) => (head, unchanged && !closing),
                other => {
                    // An earlier scan of the first `len` bytes found neither
                    // the blank line nor a forbidden byte, so the search may
                    // restart just before their end: a head end found from
                    // there is at or past `len`, and its look-back (at most
                    // 3 bytes) stays inside the slice.
                    let from = match other {
                        Some(Pending::Head { len, scanned: true }) => len.saturating_sub(4),
                        _ => 0,
                    };
                    match h::request_len(&rest(c, ofs)[from..]) {
                        Err(HeadError::Incomplete) => {
                            waiting = Some(Pending::Head { len: 0, scanned: true });
                            break;
                        }
                        Err(HeadError::Malformed) => {
                            malformed(c, ofs);
                            return;
                        }
                        Ok(_) => {}
                    }
                    match h::parse(rest(c, ofs)) {
                        Ok(head) if accepted && head.te_on_http10(rest(c, ofs)) => {
                            // Faulty framing (RFC 9112 §6.1): serving it would
                            // let its body be read as a smuggled request.
                            malformed(c, ofs);
                            return;
                        }
                        Ok(head) => (Box::new(head), false),
                        Err(HeadError::Incomplete) => {
                            // A stray CR in the request line: "wait" too.
                            waiting = Some(Pending::Head { len: 0, scanned: false });
                            break;
                        }
                        Err(HeadError::Malformed) => {
                            malformed(c, ofs);
                            return;
                        }
                    }
                }
            };
            set_head_started(c, None);
            if accepted && shutdown::active_for(c) && !try_state(c).is_some_and(|s| s.shutdown.in_flight) {
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
            let consumed = if body_known_incomplete {
                0 // nothing arrived since the body was found incomplete
            } else {
                match frame(c, ofs, (*head).clone(), closing, &mut hm) {
                    Some(n) => n,
                    None => return,
                }
            };
            if consumed == 0 {
                waiting = Some(Pending::Body { len: 0, head });
                break; // body not complete yet
            }
            if accepted {
                (*c).set_flag(FLAG_IS_RESP, true);
                if shutdown::active_for(c) {
                    // The request in flight when shutdown began: served,
                    // then the connection closes.
                    state(c).shutdown.in_flight = false;
                    (*c).set_rs(RS_HTTP_CLOSE_AFTER_RESP, true);
                }
            }
            let pfn_before = (*c).pfn.map(|f| f as usize);
            call(c, MG_EV_HTTP_MSG, &mut hm as *mut _ as *mut c_void);
            ofs += consumed;
            if ofs > (*c).recv.len {
                ofs = (*c).recv.len; // the handler shrank recv
            }
            if (*c).pfn.map(|f| f as usize) != pfn_before {
                // The program switched protocols (`mg_ws_upgrade`): the
                // bytes after this message belong to the new handler, which
                // gets them now rather than at the next read (Mongoose feeds
                // them to the HTTP parser).
                (*c).recv.del(0, ofs);
                if let Some(p) = (*c).pfn {
                    if (*c).recv.len > 0 && !(*c).flag(FLAG_IS_CLOSING) {
                        let mut zero: c_long = 0;
                        p(c, MG_EV_READ, &mut zero as *mut c_long as *mut c_void);
                    }
                }
                return;
            }
            if accepted && !(*c).flag(FLAG_IS_RESP) && (wants_close || (*c).rs(RS_HTTP_CLOSE_AFTER_RESP)) {
                (*c).set_flag(FLAG_IS_DRAINING, true);
                break;
            }
            if (*c).flag(FLAG_IS_CLOSING) {
                break;
            }
            // A handler that set `is_draining` still gets the requests
            // already buffered, as in Mongoose: their replies are flushed
            // before the close.
        }
        if ofs > 0 {
            (*c).recv.del(0, ofs);
        }
        if let Some(mut p) = waiting {
            // What waits now starts the buffer; its spans are relative to it.
            p.set_len((*c).recv.len);
            if matches!(p, Pending::Head { .. }) && accepted && !closing {
                // The header timeout counts from the first byte of this head.
                if state(c).http.head_started.is_none() {
                    set_head_started(c, Some(super::millis()));
                }
            }
            state(c).http.pending = Some(p);
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
                    crate::net::log::debug(format_args!(
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
        crate::net::log::error(format_args!("HTTP parse, {} bytes", bytes.len()));
        crate::net::log::hexdump(&bytes[..bytes.len().min(16)]);
        if (*c).flag(FLAG_IS_ACCEPTED) {
            reject(c, 400, BAD_REQUEST_BODY);
        } else {
            (*c).set_flag(FLAG_IS_DRAINING, true);
            (*c).recv.len = 0;
        }
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
        let was_leaving = (*c).flag(FLAG_IS_DRAINING) || (*c).flag(FLAG_IS_CLOSING);
        reject(c, 400, BAD_REQUEST_BODY);
        error(c, msg);
        if (*c).send.len > 0 && !was_leaving {
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
            (*c).set_rs(RS_HTTP_CLOSE_AFTER_RESP, true);
        } else {
            h::reply_head_into(&mut out, code, headers, body.len());
        }
        out.extend_from_slice(body);
        super::mgr::touch(c);
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
        super::mgr::touch(c);
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

/// A view of `span` inside the buffer starting at `base`.
pub fn view(base: *const u8, span: Span) -> mg_str {
    mg_str { buf: base.wrapping_add(span.off) as *mut c_char, len: span.len }
}

/// Fill `hm` with views of a parsed head: every span becomes an `mg_str`
/// into the buffer at `base`; `query` is `{NULL, 0}` without `?`; unused
/// header slots are zero; `body` starts right after the head and has
/// `parsed.body_len` bytes (may be `(size_t) -1`), `message` covers both.
///
/// # Safety
/// `base` must be the start of the buffer `parsed` was produced from (and
/// stay valid while C looks at `hm`).
pub unsafe fn fill_message(base: *const u8, parsed: &Head, hm: &mut mg_http_message) {
    *hm = mg_http_message::zeroed();
    hm.method = view(base, parsed.method);
    hm.uri = view(base, parsed.uri);
    hm.query = parsed.query.map_or(mg_str::NULL, |q| view(base, q));
    hm.proto = view(base, parsed.proto);
    for (slot, x) in hm.headers.iter_mut().zip(parsed.headers()) {
        *slot = mg_http_header { name: view(base, x.name), value: view(base, x.value) };
    }
    hm.body = view(base, parsed.body());
    hm.head = view(base, Span::new(0, parsed.head_len));
    hm.message = view(base, Span::new(0, parsed.message_len()));
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

    #[test]
    fn fill_message_views() {
        let s = b"GET /a?q HTTP/1.1\r\nX: y\r\n\r\n";
        let head = h::parse(s).unwrap();
        let mut hm = mg_http_message::zeroed();
        // SAFETY: `s` is the parsed buffer and outlives `hm`'s use here.
        unsafe { fill_message(s.as_ptr(), &head, &mut hm) };
        // SAFETY: the views point into `s`.
        unsafe {
            assert_eq!(hm.method.as_bytes(), b"GET");
            assert_eq!(hm.uri.as_bytes(), b"/a");
            assert_eq!(hm.query.as_bytes(), b"q");
            assert_eq!(hm.headers[0].value.as_bytes(), b"y");
            assert_eq!(hm.headers[1].name.len, 0);
            assert_eq!(hm.body.buf as *const u8, s.as_ptr().add(s.len()));
            assert_eq!(hm.message.len, s.len());
        }
        let s = b"HTTP/1.1 200 OK\r\n\r\n";
        let head = h::parse(s).unwrap();
        // SAFETY: as above.
        unsafe { fill_message(s.as_ptr(), &head, &mut hm) };
        assert!(hm.query.buf.is_null());
        assert_eq!(hm.body.len, usize::MAX);
        assert_eq!(hm.message.len, usize::MAX);
    }
}
