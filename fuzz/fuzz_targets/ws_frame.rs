//! WebSocket frames: the header codec (`core::ws`) and the receive path of
//! the protocol handler (`net::ws`: unmasking, fragment reassembly in
//! `c->recv`, automatic PONG/CLOSE, the 1009/1002 departures).
//!
//! Input: byte 0 picks where the stream is split into two reads (so frames
//! arrive partly), the rest is what the peer sends after the handshake. A
//! connection is made on one end of a socketpair, never polled: the handler
//! is called directly as the loop would after each read, and the program's
//! handler checks that every message view lies inside `c->recv`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mongoose::abi::*;
use mongoose::core::ws::{apply_mask, encode_header, parse_header};
use mongoose::ffi::net::{mg_mgr_init, mg_wrapfd};
use std::ffi::{c_int, c_long, c_void};

fn check_header(data: &[u8]) {
    let Some(h) = parse_header(data) else {
        // Incomplete: too short for what byte 1 announces.
        let need = match data.get(1).map(|b| b & 0x7f) {
            None => 2,
            Some(126) => 4,
            Some(127) => 10,
            Some(_) => 2,
        } + if data.get(1).is_some_and(|b| b & 0x80 != 0) { 4 } else { 0 };
        assert!(data.len() < need);
        return;
    };
    assert!([2, 4, 10, 6, 8, 14].contains(&h.header_len));
    assert!(h.header_len <= data.len());
    assert_eq!(h.flags, data[0]);
    assert_eq!(h.mask.is_some(), data[1] & 0x80 != 0);
    // Re-encoding gives the same bytes when the sender used the shortest
    // length form (as every Mongoose frame does).
    let shortest = match h.payload_len {
        n if n < 126 => 2,
        n if n < 65536 => 4,
        _ => 10,
    } + if h.mask.is_some() { 4 } else { 0 };
    if shortest == h.header_len && usize::try_from(h.payload_len).is_ok() {
        let mut out = [0u8; 14];
        let n = encode_header(h.flags, h.payload_len as usize, h.mask, &mut out);
        assert_eq!(&out[..n], &data[..n]);
    }
    // Masking twice is the identity, at any phase.
    let mut body = data[h.header_len..].to_vec();
    let m = h.mask.unwrap_or([0x5a, 1, 2, 3]);
    apply_mask(&mut body, m, 3);
    apply_mask(&mut body, m, 3);
    assert_eq!(body, &data[h.header_len..]);
}

#[derive(Default)]
struct Seen {
    events: usize,
}

unsafe extern "C" fn program(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    // SAFETY: called by the library with a live connection; WS events carry
    // an `mg_ws_message`.
    unsafe {
        if ev == MG_EV_WS_MSG || ev == MG_EV_WS_CTL {
            let wm = &*(ev_data as *const mg_ws_message);
            let (start, end) = ((*c).recv.buf as usize, (*c).recv.buf as usize + (*c).recv.len);
            let p = wm.data.buf as usize;
            assert!(wm.data.len == 0 || (p >= start && p + wm.data.len <= end), "view outside recv");
            let _ = wm.data.as_bytes().iter().fold(0u8, |a, b| a ^ b);
            (*((*c).fn_data as *mut Seen)).events += 1;
        }
    }
}

/// One manager and connection for the whole run (setting them up per input
/// costs more than the input): each input starts from a fresh WebSocket
/// state, empty buffers and the flags `mg_ws_upgrade` leaves.
struct Rig {
    _mgr: Box<mg_mgr>,
    c: *mut mg_connection,
    seen: Box<Seen>,
}

fn rig() -> *mut Rig {
    thread_local! {
        static RIG: *mut Rig = {
            let mut fds = [0 as c_int; 2];
            // SAFETY: plain libc call with a valid out-array.
            assert_eq!(unsafe { libc::socketpair(libc::AF_UNIX, libc::SOCK_STREAM, 0, fds.as_mut_ptr()) }, 0);
            // SAFETY: zeroed memory is what mg_mgr_init overwrites.
            let mut mgr: Box<mg_mgr> = Box::new(unsafe { std::mem::zeroed() });
            let mut seen = Box::<Seen>::default();
            // SAFETY: a live manager and socket (kept for the whole run).
            let c = unsafe {
                mongoose::ffi::log::mg_log_level = 0;
                mg_mgr_init(&mut *mgr);
                mg_wrapfd(&mut *mgr, fds[0], Some(program), &mut *seen as *mut Seen as *mut c_void)
            };
            assert!(!c.is_null());
            Box::into_raw(Box::new(Rig { _mgr: mgr, c, seen }))
        };
    }
    RIG.with(|r| *r)
}

fn run_handler(data: &[u8], split: usize) {
    // SAFETY: the rig's connection is live for the whole run and only used
    // from this thread; it is reset to the state `mg_ws_upgrade` leaves,
    // then fed as the loop feeds reads.
    unsafe {
        let rig = &mut *rig();
        let c = rig.c;
        (*c).recv.len = 0;
        (*c).send.len = 0;
        (*c).flags = FLAG_IS_WEBSOCKET;
        (*c).pfn = Some(mongoose::net::ws::handler);
        mongoose::net::conn::state(c).ws = Default::default();
        for part in [&data[..split], &data[split..]] {
            if (*c).flags & (FLAG_IS_CLOSING | FLAG_IS_DRAINING) != 0 {
                break;
            }
            assert!((*c).recv.append(part));
            let mut n = part.len() as c_long;
            mongoose::net::call(c, MG_EV_READ, &mut n as *mut c_long as *mut c_void);
            assert!((*c).recv.len <= (*c).recv.size);
        }
        let _ = rig.seen.events;
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&k, rest)) = data.split_first() else { return };
    check_header(rest);
    let split = if rest.is_empty() { 0 } else { k as usize % (rest.len() + 1) };
    run_handler(rest, split);
});
