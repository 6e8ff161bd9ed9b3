//! The WebSocket protocol handler (EVENT-LOOP.md §10, API.md §13): the
//! `pfn` that `mg_ws_upgrade` and `mg_ws_connect` install. Frames are
//! parsed and unmasked in place in `c->recv`, fragmented messages are
//! reassembled at the front of `c->recv` the way Mongoose does it (the first
//! fragment's header byte, then the payloads so far), and the library's
//! part of the protocol (PONG, CLOSE echo, CLOSE 1001 on shutdown) is sent
//! from here.
use super::conn::{state, try_state};
use super::http::fill_message;
use super::{call, error, shutdown};
use crate::abi::*;
use crate::core::http::{self as h, HeadError};
use crate::core::ws::{self as w, FrameHead};
use core::ffi::{c_char, c_int, c_void};

/// Per-connection WebSocket state kept beside the C struct.
#[derive(Default, Clone, Copy)]
pub struct WsState {
    /// Bytes at the front of `recv` holding the message being reassembled:
    /// the first fragment's header byte, then the payloads so far (0 = no
    /// fragmented message in progress).
    pub frag: usize,
    /// The library sent a CLOSE of its own (shutdown or protocol error):
    /// the peer's CLOSE then ends the connection without an echo.
    pub close_sent: bool,
    /// The library ended the connection for a protocol error: whatever the
    /// peer sends next is discarded.
    pub rejected: bool,
}

impl WsState {
    /// Nothing stored (the connection's state may be dropped).
    pub fn is_default(&self) -> bool {
        self.frag == 0 && !self.close_sent && !self.rejected
    }
}

/// The used bytes of a buffer, writable.
fn data_mut(io: &mut mg_iobuf) -> &mut [u8] {
    if io.buf.is_null() || io.len == 0 {
        &mut []
    } else {
        // SAFETY: `buf` holds `size >= len` initialised bytes, borrowed
        // mutably through `io` for the slice's lifetime.
        unsafe { core::slice::from_raw_parts_mut(io.buf, io.len) }
    }
}

/// The masking key for a frame `c` sends: random on client connections
/// (RFC 6455 §5.3), none on the server side.
///
/// # Safety
/// `c` live.
unsafe fn mask_for(c: *mut mg_connection) -> Option<[u8; 4]> {
    // SAFETY: `c` live.
    if unsafe { (*c).flag(FLAG_IS_CLIENT) } {
        let mut m = [0u8; 4];
        super::random_bytes(&mut m);
        Some(m)
    } else {
        None
    }
}

/// `mg_ws_send`: one frame with FIN set and first byte `op | 0x80`, masked
/// on client connections. Returns header + payload length; the header
/// length alone if the payload could not be queued; 0 if nothing could.
///
/// # Safety
/// `c` live.
pub unsafe fn send(c: *mut mg_connection, data: &[u8], op: c_int) -> usize {
    // SAFETY: `c` live.
    unsafe {
        super::mgr::touch(c);
        if try_state(c).is_some_and(|s| s.ws.close_sent) {
            // The library closed this WebSocket (shutdown, protocol error):
            // RFC 6455 allows nothing after a CLOSE frame.
            return 0;
        }
        let mask = mask_for(c);
        let mut hdr = [0u8; w::MAX_HEADER];
        let n = w::encode_header((op as u8) | w::FIN, data.len(), mask, &mut hdr);
        if !(*c).send.append(&hdr[..n]) {
            return 0;
        }
        if data.is_empty() {
            return n;
        }
        let start = (*c).send.len;
        if !(*c).send.append(data) {
            return n;
        }
        if let Some(m) = mask {
            w::apply_mask(&mut data_mut(&mut (*c).send)[start..], m, 0);
        }
        n + data.len()
    }
}

/// `mg_ws_wrap`: make the last `len` bytes of `c->send` one frame by
/// inserting a header before them (and masking them on a client). Returns
/// the new `send.len`. A `len` beyond `send.len` is clamped (Mongoose
/// reads outside the buffer then).
///
/// # Safety
/// `c` live.
pub unsafe fn wrap(c: *mut mg_connection, len: usize, op: c_int) -> usize {
    // SAFETY: `c` live.
    unsafe {
        super::mgr::touch(c);
        let io = &mut (*c).send;
        let len = len.min(io.len);
        let start = io.len - len;
        if try_state(c).is_some_and(|s| s.ws.close_sent) {
            // Nothing may follow our CLOSE (see `send`): drop the payload.
            io.del(start, len);
            return io.len;
        }
        let mask = mask_for(c);
        let mut hdr = [0u8; w::MAX_HEADER];
        let n = w::encode_header((op as u8) | w::FIN, len, mask, &mut hdr);
        if io.add_raw(start, hdr.as_ptr(), n) != n {
            return io.len;
        }
        if let Some(m) = mask {
            w::apply_mask(&mut data_mut(io)[start + n..], m, 0);
        }
        io.len
    }
}

/// `mg_ws_upgrade`: answer the upgrade request `hm` with a 101 (plus
/// `extra` header lines and the echoed `Sec-WebSocket-Protocol`), switch
/// `c` to this handler and fire MG_EV_WS_OPEN. Without a
/// `Sec-WebSocket-Key` the client gets `426` and the connection drains.
///
/// # Safety
/// `c` live; `hm` a valid message (its views readable).
pub unsafe fn upgrade(c: *mut mg_connection, hm: *mut mg_http_message, extra: &[u8]) {
    // SAFETY: `c` live, `hm` valid.
    unsafe {
        let header = |name: &[u8]| -> Option<&[u8]> {
            (*hm)
                .headers
                .iter()
                .take_while(|x| x.name.len > 0)
                .find(|x| x.name.as_bytes().eq_ignore_ascii_case(name))
                .map(|x| x.value.as_bytes())
        };
        let Some(key) = header(b"Sec-WebSocket-Key") else {
            super::http::reply_bytes(c, 426, b"", b"WS upgrade expected\n");
            (*c).set_flag(FLAG_IS_DRAINING, true);
            return;
        };
        let mut out = Vec::with_capacity(160 + extra.len());
        out.extend_from_slice(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ",
        );
        out.extend_from_slice(w::accept_key(key).as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(extra);
        if let Some(p) = header(b"Sec-WebSocket-Protocol") {
            out.extend_from_slice(b"Sec-WebSocket-Protocol: ");
            out.extend_from_slice(p);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        if !(*c).send.append(&out) {
            error(c, "OOM");
            return;
        }
        (*c).set_flag(FLAG_IS_WEBSOCKET, true);
        (*c).set_flag(FLAG_IS_RESP, false);
        // The HTTP layer's shutdown bookkeeping no longer applies: a
        // WebSocket is closed with a CLOSE frame instead (see below).
        (*c).set_rs(RS_HTTP_CLOSE_AFTER_RESP, false);
        (*c).pfn = Some(handler);
        if let Some(s) = try_state(c) {
            s.ws = WsState::default();
        }
        call(c, MG_EV_WS_OPEN, hm as *mut c_void);
        if shutdown::active_for(c) {
            going_away(c);
        }
    }
}

/// `mg_ws_connect`: a client connection with the upgrade request queued.
///
/// # Safety
/// `mgr` initialised; `url` NUL-terminated or NULL.
pub unsafe fn connect(
    mgr: *mut mg_mgr,
    url: *const c_char,
    fn_: mg_event_handler_t,
    fn_data: *mut c_void,
    extra: &[u8],
) -> *mut mg_connection {
    // SAFETY: per the contract.
    unsafe {
        let c = super::connect(mgr, url, fn_, fn_data, Some(handler), core::ptr::null_mut());
        if c.is_null() {
            return c;
        }
        let u = super::cstr(url);
        let uri: &[u8] = match crate::core::url::uri(u) {
            Some(k) => &u[k..],
            None => b"/",
        };
        let mut nonce = [0u8; 16];
        super::random_bytes(&mut nonce);
        let mut out = Vec::with_capacity(160 + uri.len() + extra.len());
        out.extend_from_slice(b"GET ");
        out.extend_from_slice(uri);
        out.extend_from_slice(b" HTTP/1.1\r\nUpgrade: websocket\r\nHost: ");
        out.extend_from_slice(crate::core::url::host(u));
        out.extend_from_slice(b"\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ");
        out.extend_from_slice(w::client_key(&nonce).as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(extra);
        out.extend_from_slice(b"\r\n");
        if !(*c).send.append(&out) {
            error(c, "OOM");
        }
        if let Some(s) = try_state(c) {
            s.ws = WsState::default();
        }
        c
    }
}

/// The protocol handler (`c->pfn`).
///
/// # Safety
/// Called by the loop with a live connection.
pub unsafe extern "C" fn handler(c: *mut mg_connection, ev: c_int, _ev_data: *mut c_void) {
    // SAFETY: `c` live for the whole call.
    unsafe {
        if ev != MG_EV_READ {
            return;
        }
        if try_state(c).is_some_and(|s| s.ws.rejected) {
            (*c).recv.len = 0;
            return;
        }
        if !(*c).flag(FLAG_IS_WEBSOCKET) && !handshake(c) {
            return;
        }
        frames(c);
    }
}

/// Client side: wait for the response head; a 101 opens the WebSocket
/// (MG_EV_WS_OPEN with the parsed response), anything else fails. Returns
/// whether frames may follow.
///
/// # Safety
/// `c` live.
unsafe fn handshake(c: *mut mg_connection) -> bool {
    // SAFETY: `c` live; no slice of `recv` is held across the callback.
    unsafe {
        let n = match h::request_len((*c).recv.data()) {
            Err(HeadError::Incomplete) => return false,
            Err(HeadError::Malformed) => {
                not_http(c);
                return false;
            }
            Ok(n) => n,
        };
        let head = match h::parse((*c).recv.data()) {
            Ok(head) => head,
            Err(_) => {
                not_http(c);
                return false;
            }
        };
        if !w::is_switching_protocols((*c).recv.data()) {
            error(c, "ws handshake error");
            (*c).recv.len = 0;
            return false;
        }
        let mut hm = mg_http_message::zeroed();
        fill_message((*c).recv.buf, &head, &mut hm);
        (*c).set_flag(FLAG_IS_WEBSOCKET, true);
        call(c, MG_EV_WS_OPEN, &mut hm as *mut _ as *mut c_void);
        (*c).recv.del(0, n.min((*c).recv.len));
        !(*c).flag(FLAG_IS_CLOSING)
    }
}

/// A handshake answer that is not HTTP at all.
///
/// # Safety
/// `c` live.
unsafe fn not_http(c: *mut mg_connection) {
    // SAFETY: `c` live.
    unsafe {
        error(c, "not http");
        (*c).recv.len = 0;
    }
}

/// Process every complete frame in `recv` (after the message being
/// reassembled), firing MG_EV_WS_MSG / MG_EV_WS_CTL in order.
///
/// # Safety
/// `c` live.
unsafe fn frames(c: *mut mg_connection) {
    // SAFETY: `c` live; slices of `recv` are re-taken after every callback
    // (a handler may grow, move or shrink the buffer).
    unsafe {
        loop {
            if (*c).flag(FLAG_IS_CLOSING) || try_state(c).is_some_and(|s| s.ws.rejected) {
                return;
            }
            let len = (*c).recv.len;
            let ofs = try_state(c).map_or(0, |s| s.ws.frag).min(len);
            let Some(fh) = w::parse_header(&(*c).recv.data()[ofs..]) else { return };
            // Departure: Mongoose waits forever for a frame that cannot fit
            // in the receive limit (and later fails with MG_MAX_RECV_SIZE).
            if fh.total_len().saturating_add(ofs as u64) > MG_MAX_RECV_SIZE as u64 {
                fail(c, w::CLOSE_TOO_BIG, "WS frame too large");
                return;
            }
            let total = fh.total_len() as usize;
            if len - ofs < total {
                return;
            }
            let pstart = ofs + fh.header_len;
            let plen = fh.payload_len as usize;
            if let Some(m) = fh.mask {
                w::apply_mask(&mut data_mut(&mut (*c).recv)[pstart..pstart + plen], m, 0);
            }
            let op = fh.op();
            if op == w::OP_CONTINUE && try_state(c).is_none_or(|s| s.ws.frag == 0) {
                // Departure: Mongoose takes the payload's first byte as the
                // header of a message that never began and echoes the rest.
                fail(c, w::CLOSE_PROTOCOL_ERROR, "WS continuation without a message");
                return;
            }
            let mut wm = mg_ws_message {
                data: mg_str { buf: (*c).recv.buf.add(pstart) as *mut c_char, len: plen },
                flags: fh.flags,
            };
            let wmp = &mut wm as *mut mg_ws_message as *mut c_void;
            match op {
                w::OP_CONTINUE | w::OP_PONG => call(c, MG_EV_WS_CTL, wmp),
                w::OP_PING => {
                    let payload = (*c).recv.data()[pstart..pstart + plen].to_vec();
                    send(c, &payload, w::OP_PONG as c_int);
                    call(c, MG_EV_WS_CTL, wmp);
                }
                w::OP_CLOSE => {
                    call(c, MG_EV_WS_CTL, wmp);
                    if !state(c).ws.close_sent {
                        // Echo: the peer's payload (code and reason) back.
                        let end = (pstart + plen).min((*c).recv.len);
                        let payload = (*c).recv.data()[pstart.min(end)..end].to_vec();
                        send(c, &payload, w::OP_CLOSE as c_int);
                    }
                    (*c).set_flag(FLAG_IS_DRAINING, true);
                }
                w::OP_TEXT | w::OP_BINARY => {
                    if fh.fin() {
                        call(c, MG_EV_WS_MSG, wmp);
                    }
                }
                _ => {
                    (*c).recv.len = 0;
                    if let Some(s) = try_state(c) {
                        s.ws.frag = 0;
                    }
                    error(c, &format!("unknown WS op {op}"));
                    return;
                }
            }
            if (*c).recv.len < ofs + total {
                // The program consumed the bytes itself.
                if let Some(s) = try_state(c) {
                    s.ws.frag = 0;
                }
                return;
            }
            if fh.fin() && op != w::OP_CONTINUE {
                (*c).recv.del(ofs, total);
                continue;
            }
            absorb_fragment(c, ofs, &fh);
        }
    }
}

/// Move a fragment's payload next to the message reassembled so far (the
/// first fragment also stores its header byte) and drop its header; on
/// the final fragment deliver the message, whose `flags` is the first
/// fragment's header byte (FIN clear), and remove it.
///
/// # Safety
/// `c` live; a complete frame with header `fh` lies at `ofs` in `recv`.
unsafe fn absorb_fragment(c: *mut mg_connection, ofs: usize, fh: &FrameHead) {
    // SAFETY: `c` live; indexes stay within `recv.len` (checked by caller).
    unsafe {
        let plen = fh.payload_len as usize;
        let total = fh.header_len + plen;
        let mut dst = ofs;
        let buf = data_mut(&mut (*c).recv);
        if fh.op() != w::OP_CONTINUE {
            buf[dst] = fh.flags;
            dst += 1;
        }
        buf.copy_within(ofs + fh.header_len..ofs + total, dst);
        dst += plen;
        (*c).recv.del(dst, ofs + total - dst);
        // A whole message needs no state (none is allocated for it).
        if !fh.fin() {
            state(c).ws.frag = dst;
        } else if let Some(s) = try_state(c) {
            s.ws.frag = dst;
        }
        if fh.fin() {
            let mut wm = mg_ws_message {
                data: mg_str { buf: (*c).recv.buf.add(1) as *mut c_char, len: dst - 1 },
                flags: *(*c).recv.buf,
            };
            call(c, MG_EV_WS_MSG, &mut wm as *mut mg_ws_message as *mut c_void);
            if let Some(s) = try_state(c) {
                s.ws.frag = 0;
            }
            let n = dst.min((*c).recv.len);
            (*c).recv.del(0, n);
        }
    }
}

/// A protocol violation Mongoose does not catch (departure): queue a CLOSE
/// with `code`, fire MG_EV_ERROR, discard whatever the peer sends, and
/// close once the CLOSE is flushed.
///
/// # Safety
/// `c` live.
unsafe fn fail(c: *mut mg_connection, code: u16, msg: &str) {
    // SAFETY: `c` live.
    unsafe {
        let was_leaving = (*c).flag(FLAG_IS_DRAINING) || (*c).flag(FLAG_IS_CLOSING);
        (*c).recv.len = 0;
        let st = &mut state(c).ws;
        st.frag = 0;
        st.rejected = true;
        if !st.close_sent && !was_leaving {
            send(c, &w::close_payload(code), w::OP_CLOSE as c_int);
            state(c).ws.close_sent = true;
        }
        error(c, msg);
        if !was_leaving && (*c).send.len > 0 {
            (*c).set_flag(FLAG_IS_CLOSING, false);
            (*c).set_flag(FLAG_IS_DRAINING, true);
        }
    }
}

/// Graceful shutdown (beyond Mongoose): queue a CLOSE 1001 after whatever
/// is already queued, once per connection; the peer's CLOSE (or the end
/// of the grace period) then ends the connection.
///
/// # Safety
/// `c` live, a WebSocket.
pub unsafe fn going_away(c: *mut mg_connection) {
    // SAFETY: `c` live.
    unsafe {
        if try_state(c).is_some_and(|s| s.ws.close_sent)
            || (*c).flag(FLAG_IS_CLOSING)
            || (*c).flag(FLAG_IS_DRAINING)
        {
            return;
        }
        send(c, &w::close_payload(w::CLOSE_GOING_AWAY), w::OP_CLOSE as c_int);
        state(c).ws.close_sent = true;
    }
}
