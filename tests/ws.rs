//! WebSocket on the wire (issue 14), from raw sockets: the exact 101 and
//! 426 bytes, frames at every length boundary, frames split into 1-byte
//! writes, several frames in one read, a disconnect mid-frame, RSV bits,
//! unknown opcodes, the two hazards mongoose-rs closes (oversized length:
//! CLOSE 1009; continuation without a message: CLOSE 1002), the client's
//! request head and masking, and the CLOSE 1001 handshake on shutdown.
//!
//! Expected bytes were observed from Mongoose 7.23 with the same inputs
//! (except the two hazards, which are departures). Everything runs in the
//! test thread: the manager is polled between non-blocking socket calls.
use mongoose::abi::*;
use mongoose::ffi::http::*;
use mongoose::ffi::net::*;
use mongoose::ffi::ws::*;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::{Duration, Instant};

extern "C" {
    fn mg_ws_upgrade(c: *mut mg_connection, hm: *mut mg_http_message, fmt: *const c_char, ...);
    fn mg_ws_connect(
        mgr: *mut mg_mgr,
        url: *const c_char,
        fn_: mg_event_handler_t,
        fn_data: *mut c_void,
        fmt: *const c_char,
        ...
    ) -> *mut mg_connection;
}

const KEY_REQ: &[u8] = b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
const RESP_101: &[u8] = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

/// What the program saw.
#[derive(Default)]
struct Events(Vec<String>);

unsafe extern "C" fn handler(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    // SAFETY: fn_data is the test's live `Events`; ev_data has the type the
    // event documents. No panics: this is an extern "C" callback.
    unsafe {
        if (*c).flag(FLAG_IS_LISTENING) {
            return;
        }
        let log = &mut *((*c).fn_data as *mut Events);
        match ev {
            MG_EV_HTTP_MSG => {
                let hm = ev_data as *mut mg_http_message;
                if (*hm).uri.as_bytes() == b"/proto" {
                    mg_ws_upgrade(c, hm, c"X-A: %d\r\n".as_ptr(), 5 as c_int);
                } else {
                    mg_ws_upgrade(c, hm, core::ptr::null());
                }
            }
            MG_EV_WS_OPEN => log.0.push(format!("OPEN ws={}", (*c).flag(FLAG_IS_WEBSOCKET) as u8)),
            MG_EV_WS_MSG | MG_EV_WS_CTL => {
                let wm = &*(ev_data as *const mg_ws_message);
                let d = wm.data.as_bytes();
                let what = if ev == MG_EV_WS_MSG { "MSG" } else { "CTL" };
                let shown = if d.len() > 16 { format!("#{}", d.len()) } else { d.escape_ascii().to_string() };
                log.0.push(format!("{what} {:02x} {shown}", wm.flags));
                if ev == MG_EV_WS_MSG {
                    mg_ws_send(c, d.as_ptr() as *const c_void, d.len(), (wm.flags & 0x0f) as c_int);
                }
            }
            MG_EV_ERROR => {
                log.0.push(format!("ERROR {}", CStr::from_ptr(ev_data as *const c_char).to_string_lossy()))
            }
            MG_EV_CLOSE => log.0.push("CLOSE".into()),
            _ => {}
        }
    }
}

struct Fixture {
    mgr: Box<mg_mgr>,
    ev: Box<Events>,
    port: u16,
}

impl Fixture {
    fn new() -> Fixture {
        // SAFETY: the exported level is a plain int; every test sets the
        // same value.
        unsafe { mongoose::ffi::log::mg_log_level = MG_LL_NONE };
        // SAFETY: zeroed memory is what mg_mgr_init expects to overwrite.
        let mut mgr: Box<mg_mgr> = Box::new(unsafe { std::mem::zeroed() });
        // SAFETY: valid manager memory.
        unsafe { mg_mgr_init(&mut *mgr) };
        let mut ev = Box::<Events>::default();
        let data = &mut *ev as *mut Events as *mut c_void;
        // SAFETY: live manager; the Events box outlives the manager's use.
        let lsn = unsafe { mg_http_listen(&mut *mgr, c"http://127.0.0.1:0".as_ptr(), Some(handler), data) };
        assert!(!lsn.is_null());
        // SAFETY: a live listener.
        let port = u16::from_be(unsafe { (*lsn).loc.port });
        Fixture { mgr, ev, port }
    }

    fn poll(&mut self) {
        // SAFETY: an initialised manager.
        unsafe { mg_mgr_poll(&mut *self.mgr, 1) };
    }

    fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_nonblocking(true).unwrap();
        s.set_nodelay(true).unwrap();
        s
    }

    /// Poll and read `s` until `done(bytes, eof)` or 5 s; returns what was
    /// read and whether the server closed.
    fn pump(&mut self, s: &mut TcpStream, done: impl Fn(&[u8], bool) -> bool) -> (Vec<u8>, bool) {
        let mut got = Vec::new();
        let mut eof = false;
        let end = Instant::now() + Duration::from_secs(5);
        while !done(&got, eof) && Instant::now() < end {
            self.poll();
            eof |= drain(s, &mut got);
        }
        (got, eof)
    }

    /// Upgrade a new raw connection and consume the 101.
    fn upgraded(&mut self) -> TcpStream {
        let mut s = self.connect();
        s.write_all(KEY_REQ).unwrap();
        let (got, _) = self.pump(&mut s, |g, _| g.len() >= RESP_101.len());
        assert_eq!(got, RESP_101);
        s
    }

    fn events(&mut self) -> Vec<String> {
        std::mem::take(&mut self.ev.0)
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        // SAFETY: not used afterwards; the Events box is still alive.
        unsafe { mg_mgr_free(&mut *self.mgr) };
    }
}

fn drain(s: &mut TcpStream, got: &mut Vec<u8>) -> bool {
    let mut buf = [0u8; 65536];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock => return false,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return true,
        }
    }
}

/// Blocking-enough write on a non-blocking socket.
fn write_all(f: &mut Fixture, s: &mut TcpStream, mut data: &[u8]) {
    while !data.is_empty() {
        match s.write(data) {
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == ErrorKind::WouldBlock => f.poll(),
            Err(e) => panic!("write: {e}"),
        }
    }
}

/// A client frame: first byte `b0`, masked with a fixed key.
fn frame(b0: u8, payload: &[u8]) -> Vec<u8> {
    let mask = [0x11u8, 0x22, 0x33, 0x44];
    let n = payload.len();
    let mut v = vec![b0];
    if n < 126 {
        v.push(0x80 | n as u8);
    } else if n < 65536 {
        v.push(0x80 | 126);
        v.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        v.push(0x80 | 127);
        v.extend_from_slice(&(n as u64).to_be_bytes());
    }
    v.extend_from_slice(&mask);
    v.extend(payload.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    v
}

/// A server frame (unmasked), as the echo must come back.
fn server_frame(b0: u8, payload: &[u8]) -> Vec<u8> {
    let n = payload.len();
    let mut v = vec![b0];
    if n < 126 {
        v.push(n as u8);
    } else if n < 65536 {
        v.push(126);
        v.extend_from_slice(&(n as u16).to_be_bytes());
    } else {
        v.push(127);
        v.extend_from_slice(&(n as u64).to_be_bytes());
    }
    v.extend_from_slice(payload);
    v
}

#[test]
fn handshake_bytes_101_and_426() {
    let mut f = Fixture::new();
    let _ = f.upgraded();
    assert_eq!(f.events(), ["OPEN ws=1"]);
    // Extra headers from the format, then the requested protocol list echoed.
    let mut s = f.connect();
    let req = String::from_utf8_lossy(KEY_REQ)
        .replace("GET /ws", "GET /proto")
        .replace("\r\n\r\n", "\r\nSec-WebSocket-Protocol: chat, superchat\r\n\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let want = String::from_utf8_lossy(RESP_101)
        .replace("\r\n\r\n", "\r\nX-A: 5\r\nSec-WebSocket-Protocol: chat, superchat\r\n\r\n");
    let (got, _) = f.pump(&mut s, |g, _| g.len() >= want.len());
    assert_eq!(String::from_utf8_lossy(&got), want);
    // No key: 426 and the connection ends; no WS_OPEN.
    f.events();
    let mut s = f.connect();
    s.write_all(b"GET /ws HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let (got, eof) = f.pump(&mut s, |_, eof| eof);
    assert_eq!(
        String::from_utf8_lossy(&got),
        "HTTP/1.1 426 Upgrade Required\r\nContent-Length: 20         \r\n\r\nWS upgrade expected\n"
    );
    assert!(eof);
    assert_eq!(f.events(), ["CLOSE"]);
}

#[test]
fn every_length_boundary_echoes() {
    let mut f = Fixture::new();
    let mut s = f.upgraded();
    for n in [0usize, 1, 125, 126, 127, 65535, 65536, 65537, 1 << 20] {
        let payload: Vec<u8> = (0..n).map(|i| (i * 31 + n) as u8).collect();
        write_all(&mut f, &mut s, &frame(0x82, &payload));
        let want = server_frame(0x82, &payload);
        let (got, eof) = f.pump(&mut s, |g, eof| g.len() >= want.len() || eof);
        assert!(!eof, "size {n}");
        assert_eq!(got.len(), want.len(), "size {n}");
        assert!(got == want, "size {n}: header {:02x?}", &got[..10.min(got.len())]);
    }
    let ev = f.events();
    assert_eq!(&ev[..4], ["OPEN ws=1", "MSG 82 ", "MSG 82 \\x01", "MSG 82 #125"]);
    assert_eq!(ev.last().unwrap(), "MSG 82 #1048576");
}

#[test]
fn one_byte_writes_and_several_frames_per_read() {
    let mut f = Fixture::new();
    let mut s = f.upgraded();
    let payload = vec![b'q'; 300];
    for b in frame(0x81, &payload) {
        s.write_all(&[b]).unwrap();
        f.poll();
    }
    let want = server_frame(0x81, &payload);
    let (got, _) = f.pump(&mut s, |g, _| g.len() >= want.len());
    assert_eq!(got, want);
    // Four frames in one write: each processed in order, PONG included.
    let mut batch = frame(0x81, b"one");
    batch.extend(frame(0x89, b"ping"));
    batch.extend(frame(0x82, b"two"));
    batch.extend(frame(0x8a, b"pong"));
    s.write_all(&batch).unwrap();
    let mut want = server_frame(0x81, b"one");
    want.extend(server_frame(0x8a, b"ping"));
    want.extend(server_frame(0x82, b"two"));
    let (got, _) = f.pump(&mut s, |g, _| g.len() >= want.len());
    assert_eq!(got, want);
    assert_eq!(
        f.events(),
        ["OPEN ws=1", "MSG 81 #300", "MSG 81 one", "CTL 89 ping", "MSG 82 two", "CTL 8a pong"]
    );
}

#[test]
fn frames_in_the_upgrade_segment_are_not_lost() {
    // Mongoose feeds them to the HTTP parser; we hand them to the WebSocket
    // handler (a departure no working program can notice).
    let mut f = Fixture::new();
    let mut s = f.connect();
    let mut req = KEY_REQ.to_vec();
    req.extend(frame(0x81, b"early"));
    s.write_all(&req).unwrap();
    let mut want = RESP_101.to_vec();
    want.extend(server_frame(0x81, b"early"));
    let (got, _) = f.pump(&mut s, |g, _| g.len() >= want.len());
    assert_eq!(got, want);
    assert_eq!(f.events(), ["OPEN ws=1", "MSG 81 early"]);
}

#[test]
fn fragments_rsv_bits_and_close_echo() {
    let mut f = Fixture::new();
    let mut s = f.upgraded();
    let mut batch = frame(0x01, b"ab");
    batch.extend(frame(0x89, b"P"));
    batch.extend(frame(0x00, b"cd"));
    batch.extend(frame(0x80, b"ef"));
    batch.extend(frame(0xc1, b"rsv1")); // RSV1 set: passed through as Mongoose does
    batch.extend(frame(0x88, b"\x03\xe8bye"));
    s.write_all(&batch).unwrap();
    let mut want = server_frame(0x8a, b"P");
    want.extend(server_frame(0x81, b"abcdef"));
    want.extend(server_frame(0x81, b"rsv1"));
    want.extend(server_frame(0x88, b"\x03\xe8bye"));
    let (got, eof) = f.pump(&mut s, |_, eof| eof);
    assert_eq!(got, want);
    assert!(eof);
    assert_eq!(
        f.events(),
        [
            "OPEN ws=1",
            "CTL 89 P",
            "CTL 00 cd",
            "CTL 80 ef",
            "MSG 01 abcdef",
            "MSG c1 rsv1",
            "CTL 88 \\x03\\xe8bye",
            "CLOSE"
        ]
    );
}

#[test]
fn unknown_opcode_is_an_error() {
    let mut f = Fixture::new();
    let mut s = f.upgraded();
    s.write_all(&frame(0x83, b"x")).unwrap();
    let (got, eof) = f.pump(&mut s, |_, eof| eof);
    assert!(got.is_empty());
    assert!(eof);
    assert_eq!(f.events(), ["OPEN ws=1", "ERROR unknown WS op 3", "CLOSE"]);
}

#[test]
fn disconnect_mid_frame() {
    let mut f = Fixture::new();
    let mut s = f.upgraded();
    let fr = frame(0x82, &[7u8; 1000]);
    s.write_all(&fr[..500]).unwrap();
    for _ in 0..20 {
        f.poll();
    }
    s.shutdown(Shutdown::Both).unwrap();
    let end = Instant::now() + Duration::from_secs(5);
    while !f.ev.0.iter().any(|e| e == "CLOSE") && Instant::now() < end {
        f.poll();
    }
    assert_eq!(f.events(), ["OPEN ws=1", "CLOSE"]);
}

#[test]
fn oversized_length_gets_close_1009() {
    // Departure: Mongoose waits for the 4 MiB (or 2^63-byte) frame forever.
    for claim in [4u64 << 20, u64::MAX >> 1] {
        let mut f = Fixture::new();
        let mut s = f.upgraded();
        let mut hdr = vec![0x82, 0x80 | 127];
        hdr.extend_from_slice(&claim.to_be_bytes());
        hdr.extend_from_slice(&[1, 2, 3, 4, 5, 6]);
        s.write_all(&hdr).unwrap();
        let (got, eof) = f.pump(&mut s, |_, eof| eof);
        assert_eq!(got, [0x88, 0x02, 0x03, 0xf1]);
        assert!(eof);
        assert_eq!(f.events(), ["OPEN ws=1", "ERROR WS frame too large", "CLOSE"]);
    }
}

#[test]
fn reassembly_beyond_the_receive_limit_gets_close_1009() {
    // Fragments of 1 MiB each: the message being reassembled plus the next
    // fragment would exceed MG_MAX_RECV_SIZE (3 MiB) at the third one.
    let mut f = Fixture::new();
    let mut s = f.upgraded();
    let part = vec![b'z'; 1 << 20];
    let mut stream = frame(0x02, &part);
    stream.extend(frame(0x00, &part));
    stream.extend(frame(0x00, &part));
    stream.extend(frame(0x80, &part));
    let mut rest = &stream[..];
    let mut got = Vec::new();
    let end = Instant::now() + Duration::from_secs(10);
    let mut eof = false;
    while !eof && Instant::now() < end {
        if !rest.is_empty() {
            match s.write(&rest[..rest.len().min(65536)]) {
                Ok(n) => rest = &rest[n..],
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => rest = &[], // the server closed
            }
        }
        f.poll();
        eof = drain(&mut s, &mut got);
    }
    assert!(eof);
    assert_eq!(got, [0x88, 0x02, 0x03, 0xf1]);
    assert_eq!(f.events(), ["OPEN ws=1", "CTL 00 #1048576", "ERROR WS frame too large", "CLOSE"]);
}

#[test]
fn continuation_without_message_gets_close_1002() {
    // Departure: Mongoose takes the payload's first byte as a header byte
    // and echoes the rest as a message.
    for b0 in [0x80u8, 0x00] {
        let mut f = Fixture::new();
        let mut s = f.upgraded();
        s.write_all(&frame(b0, b"abc")).unwrap();
        let (got, eof) = f.pump(&mut s, |_, eof| eof);
        assert_eq!(got, [0x88, 0x02, 0x03, 0xea]);
        assert!(eof);
        assert_eq!(f.events(), ["OPEN ws=1", "ERROR WS continuation without a message", "CLOSE"]);
    }
}

#[test]
fn shutdown_sends_1001_and_waits_for_the_peer() {
    let mut f = Fixture::new();
    let mut s = f.upgraded();
    let mut plain = f.connect(); // an idle HTTP keep-alive connection
    for _ in 0..5 {
        f.poll();
    }
    let t0 = Instant::now();
    // SAFETY: live manager.
    unsafe { mg_mgr_shutdown(&mut *f.mgr, 3000) };
    let (got, eof) = f.pump(&mut s, |g, _| g.len() >= 4);
    assert_eq!(got, [0x88, 0x02, 0x03, 0xe9]);
    assert!(!eof);
    // The idle HTTP connection goes after its 300 ms window; the WebSocket
    // stays open, waiting for the peer's CLOSE.
    let (_, plain_eof) = f.pump(&mut plain, |_, eof| eof);
    assert!(plain_eof);
    while t0.elapsed() < Duration::from_millis(700) {
        f.poll();
    }
    let mut more = Vec::new();
    assert!(!drain(&mut s, &mut more), "closed while waiting for the CLOSE");
    assert!(more.is_empty());
    // A message that crossed our CLOSE still reaches the program, but its
    // echo is not sent: nothing may follow a CLOSE (RFC 6455 §5.5.1).
    s.write_all(&frame(0x81, b"late")).unwrap();
    let end = Instant::now() + Duration::from_secs(2);
    while !f.ev.0.iter().any(|e| e == "MSG 81 late") && Instant::now() < end {
        f.poll();
    }
    // (The CLOSE is the idle HTTP connection's.)
    assert_eq!(f.events(), ["OPEN ws=1", "CLOSE", "MSG 81 late"]);
    s.write_all(&frame(0x88, b"\x03\xe9")).unwrap();
    let (got, eof) = f.pump(&mut s, |_, eof| eof);
    assert!(got.is_empty(), "no echo of the peer's CLOSE after ours: {got:02x?}");
    assert!(eof);
    let end = Instant::now() + Duration::from_secs(2);
    // SAFETY: live manager.
    while !unsafe { mg_mgr_is_done(&mut *f.mgr) } && Instant::now() < end {
        f.poll();
    }
    // SAFETY: live manager.
    assert!(unsafe { mg_mgr_is_done(&mut *f.mgr) });
    assert!(t0.elapsed() < Duration::from_millis(2500));
}

#[test]
fn shutdown_grace_period_ends_a_silent_peer() {
    let mut f = Fixture::new();
    let mut s = f.upgraded();
    let t0 = Instant::now();
    // SAFETY: live manager.
    unsafe { mg_mgr_shutdown(&mut *f.mgr, 400) };
    let (got, eof) = f.pump(&mut s, |_, eof| eof);
    assert_eq!(got, [0x88, 0x02, 0x03, 0xe9]);
    assert!(eof);
    assert!(t0.elapsed() >= Duration::from_millis(390));
}

/// Client-side events.
unsafe extern "C" fn client(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    // SAFETY: as `handler`.
    unsafe {
        let log = &mut *((*c).fn_data as *mut Events);
        match ev {
            MG_EV_WS_OPEN => {
                let hm = &*(ev_data as *const mg_http_message);
                log.0.push(format!("OPEN {}", mg_http_status(hm as *const _ as *mut _)));
                mg_ws_send(c, b"hello".as_ptr() as *const c_void, 5, WEBSOCKET_OP_TEXT);
            }
            MG_EV_WS_MSG | MG_EV_WS_CTL => {
                let wm = &*(ev_data as *const mg_ws_message);
                let what = if ev == MG_EV_WS_MSG { "MSG" } else { "CTL" };
                log.0.push(format!("{what} {:02x} {}", wm.flags, wm.data.as_bytes().escape_ascii()));
            }
            MG_EV_ERROR => {
                log.0.push(format!("ERROR {}", CStr::from_ptr(ev_data as *const c_char).to_string_lossy()))
            }
            MG_EV_CLOSE => log.0.push("CLOSE".into()),
            _ => {}
        }
    }
}

/// Run our client against a raw listener: returns (request head, what the
/// client sent after it, events) after `answer` was written to it.
fn run_client(answer: &[u8]) -> (String, Vec<u8>, Vec<String>) {
    // SAFETY: the exported level is a plain int.
    unsafe { mongoose::ffi::log::mg_log_level = MG_LL_NONE };
    // SAFETY: zeroed memory is what mg_mgr_init expects to overwrite.
    let mut mgr: Box<mg_mgr> = Box::new(unsafe { std::mem::zeroed() });
    // SAFETY: valid manager memory.
    unsafe { mg_mgr_init(&mut *mgr) };
    let lst = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = lst.local_addr().unwrap().port();
    let url = CString::new(format!("ws://127.0.0.1:{port}/chat?x=1")).unwrap();
    let mut ev = Box::<Events>::default();
    let data = &mut *ev as *mut Events as *mut c_void;
    // SAFETY: live manager, C strings; `ev` outlives the connection.
    let c = unsafe {
        mg_ws_connect(&mut *mgr, url.as_ptr(), Some(client), data, c"X-T: %s\r\n".as_ptr(), c"v".as_ptr())
    };
    assert!(!c.is_null());
    lst.set_nonblocking(true).unwrap();
    let end = Instant::now() + Duration::from_secs(5);
    let mut peer = loop {
        // SAFETY: live manager.
        unsafe { mg_mgr_poll(&mut *mgr, 1) };
        if let Ok((p, _)) = lst.accept() {
            break p;
        }
        assert!(Instant::now() < end);
    };
    peer.set_nonblocking(true).unwrap();
    let mut got = Vec::new();
    while !got.windows(4).any(|w| w == b"\r\n\r\n") && Instant::now() < end {
        // SAFETY: live manager.
        unsafe { mg_mgr_poll(&mut *mgr, 1) };
        drain(&mut peer, &mut got);
    }
    let head_len = got.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let head = String::from_utf8_lossy(&got[..head_len]).into_owned();
    got.drain(..head_len);
    peer.write_all(answer).unwrap();
    let end = Instant::now() + Duration::from_millis(300);
    while Instant::now() < end {
        // SAFETY: live manager.
        unsafe { mg_mgr_poll(&mut *mgr, 1) };
        drain(&mut peer, &mut got);
    }
    drop(peer);
    let end = Instant::now() + Duration::from_secs(2);
    while !ev.0.iter().any(|e| e == "CLOSE") && Instant::now() < end {
        // SAFETY: live manager.
        unsafe { mg_mgr_poll(&mut *mgr, 1) };
    }
    // SAFETY: done with the manager.
    unsafe { mg_mgr_free(&mut *mgr) };
    (head, got, ev.0)
}

/// Unmask one client frame: (first byte, payload, mask).
fn unmask(fr: &[u8]) -> (u8, Vec<u8>, [u8; 4]) {
    assert_eq!(fr[1] & 0x80, 0x80, "client frames are masked");
    let n = (fr[1] & 0x7f) as usize;
    let mask: [u8; 4] = fr[2..6].try_into().unwrap();
    let p = fr[6..6 + n].iter().enumerate().map(|(i, b)| b ^ mask[i % 4]).collect();
    (fr[0], p, mask)
}

#[test]
fn client_request_head_masking_and_frames() {
    let mut answer =
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n".to_vec();
    answer.extend(server_frame(0x81, b"hi")); // in the same segment as the 101
    answer.extend(server_frame(0x89, b"pi"));
    let (head, sent, events) = run_client(&answer);
    let key_at = head.find("Sec-WebSocket-Key: ").unwrap() + 19;
    let key = &head[key_at..key_at + 24];
    assert!(key.ends_with("=="));
    assert_eq!(
        head.replace(key, "KEY"),
        "GET /chat?x=1 HTTP/1.1\r\nUpgrade: websocket\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n\
Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: KEY\r\nX-T: v\r\n\r\n"
    );
    // "hello" sent in WS_OPEN, then the automatic PONG, both masked.
    let (b0, p, m1) = unmask(&sent[..11]);
    assert_eq!((b0, p.as_slice()), (0x81, &b"hello"[..]));
    let (b0, p, m2) = unmask(&sent[11..]);
    assert_eq!((b0, p.as_slice()), (0x8a, &b"pi"[..]));
    assert_eq!(sent.len(), 11 + 8);
    assert_ne!(m1, m2, "a fresh random mask per frame");
    assert_eq!(events, ["OPEN 101", "MSG 81 hi", "CTL 89 pi", "CLOSE"]);
}

#[test]
fn client_handshake_failures() {
    let (_, sent, events) = run_client(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    assert!(sent.is_empty());
    assert_eq!(events, ["ERROR ws handshake error", "CLOSE"]);
    let (_, _, events) = run_client(b"\x00\x01garbage\r\n\r\n");
    assert_eq!(events, ["ERROR not http", "CLOSE"]);
}
