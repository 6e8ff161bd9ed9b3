//! The event loop from Rust, through the C ABI functions: event order, many
//! connections, wakeups, and accept back-off when out of descriptors.
use mongoose::abi::*;
use mongoose::ffi::net::*;
use std::ffi::{c_int, c_void, CString};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::ptr;
use std::time::{Duration, Instant};

struct Log(Vec<String>);

unsafe extern "C" fn logger(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    // SAFETY: fn_data is a live `Log` owned by the test.
    let log = unsafe { &mut *((*c).fn_data as *mut Log) };
    // SAFETY: ev_data has the documented type for each event.
    let entry = unsafe {
        match ev {
            MG_EV_POLL => return,
            MG_EV_OPEN => "OPEN".to_string(),
            MG_EV_ACCEPT => "ACCEPT".to_string(),
            MG_EV_READ => {
                // Echo, as the Mongoose reference trace does.
                mg_send(c, (*c).recv.buf as *const c_void, (*c).recv.len);
                (*c).recv.len = 0;
                format!("READ {}", *(ev_data as *const i64))
            }
            MG_EV_WRITE => format!("WRITE {}", *(ev_data as *const i64)),
            MG_EV_CLOSE => "CLOSE".to_string(),
            other => format!("EV{other}"),
        }
    };
    log.0.push(format!("{}:{entry}", if (*c).flag(FLAG_IS_LISTENING) { "L" } else { "C" }));
}

fn port_of(c: *mut mg_connection) -> u16 {
    // SAFETY: a live listener.
    u16::from_be(unsafe { (*c).loc.port })
}

fn poll_until(mgr: &mut mg_mgr, ms: u64, mut done: impl FnMut(&mut mg_mgr) -> bool) {
    let end = Instant::now() + Duration::from_millis(ms);
    while !done(mgr) && Instant::now() < end {
        // SAFETY: an initialised manager.
        unsafe { mg_mgr_poll(mgr, 5) };
    }
}

fn new_mgr() -> Box<mg_mgr> {
    // SAFETY: zeroed memory is what mg_mgr_init expects to overwrite.
    let mut mgr: Box<mg_mgr> = Box::new(unsafe { std::mem::zeroed() });
    // SAFETY: valid manager memory.
    unsafe { mg_mgr_init(&mut *mgr) };
    mgr
}

#[test]
fn echo_server_event_order_matches_reference_trace() {
    let mut mgr = new_mgr();
    let mut log = Log(Vec::new());
    let url = CString::new("tcp://127.0.0.1:0").unwrap();
    // SAFETY: live manager, handler and log outlive the loop.
    let lsn =
        unsafe { mg_listen(&mut *mgr, url.as_ptr(), Some(logger), &mut log as *mut Log as *mut c_void) };
    assert!(!lsn.is_null());
    let mut s = TcpStream::connect(("127.0.0.1", port_of(lsn))).unwrap();
    s.write_all(b"ping").unwrap();
    let mut buf = [0u8; 4];
    s.set_nonblocking(true).unwrap();
    poll_until(&mut mgr, 3000, |_| s.read_exact(&mut buf).is_ok());
    assert_eq!(&buf, b"ping");
    drop(s);
    poll_until(&mut mgr, 3000, |_| log.0.last().is_some_and(|e| e == "C:CLOSE"));
    assert_eq!(log.0, ["L:OPEN", "C:OPEN", "C:ACCEPT", "C:READ 4", "C:WRITE 4", "C:CLOSE"]);
    // SAFETY: the manager is not used afterwards.
    unsafe { mg_mgr_free(&mut *mgr) };
    assert_eq!(log.0.last().unwrap(), "L:CLOSE");
}

unsafe extern "C" fn echo(c: *mut mg_connection, ev: c_int, _ev_data: *mut c_void) {
    if ev == MG_EV_READ {
        // SAFETY: a live connection inside its handler.
        unsafe {
            mg_send(c, (*c).recv.buf as *const c_void, (*c).recv.len);
            (*c).recv.len = 0;
        }
    }
}

fn raise_nofile(n: u64) -> bool {
    let mut rl = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: valid out-parameter.
    unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut rl) };
    if rl.rlim_cur >= n {
        return true;
    }
    rl.rlim_cur = n.min(rl.rlim_max);
    // SAFETY: valid in-parameter.
    unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur >= n }
}

fn hard_nofile() -> u64 {
    let mut rl = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: valid out-parameter.
    unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut rl) };
    rl.rlim_max
}

fn count_conns(mgr: &mg_mgr) -> usize {
    let mut n = 0;
    let mut c = mgr.conns;
    while !c.is_null() {
        n += 1;
        // SAFETY: walking the live list.
        c = unsafe { (*c).next };
    }
    n
}

#[test]
fn ten_thousand_concurrent_connections() {
    // Both ends live in this process, so each connection costs two
    // descriptors; a hard limit of 20000 (common in containers) allows
    // slightly fewer than 10k.
    let n_max = (hard_nofile() as usize).saturating_sub(200) / 2;
    let n: usize = 10_000.min(n_max);
    assert!(n >= 5_000, "RLIMIT_NOFILE hard limit too low: {}", hard_nofile());
    assert!(raise_nofile(2 * n as u64 + 200), "cannot raise RLIMIT_NOFILE");
    let mut mgr = new_mgr();
    let url = CString::new("tcp://127.0.0.1:0").unwrap();
    // SAFETY: live manager; the handler needs no data.
    let lsn = unsafe { mg_listen(&mut *mgr, url.as_ptr(), Some(echo), ptr::null_mut()) };
    let port = port_of(lsn);
    let mut clients = Vec::with_capacity(n);
    while clients.len() < n {
        // Connect in batches small enough for the listen backlog.
        for _ in 0..100.min(n - clients.len()) {
            clients.push(TcpStream::connect(("127.0.0.1", port)).unwrap());
        }
        let want = clients.len() + 1;
        poll_until(&mut mgr, 5000, |m| count_conns(m) >= want);
    }
    assert_eq!(count_conns(&mgr), n + 1);
    // Every connection still works: a byte each way on a sample spread over
    // the whole set.
    for s in clients.iter_mut().step_by(97) {
        s.write_all(b"x").unwrap();
    }
    let mut got = 0;
    for s in clients.iter_mut().step_by(97) {
        s.set_nonblocking(true).unwrap();
        let mut b = [0u8; 1];
        poll_until(&mut mgr, 3000, |_| s.read_exact(&mut b).is_ok());
        got += (b[0] == b'x') as usize;
    }
    assert_eq!(got, n.div_ceil(97));
    drop(clients);
    poll_until(&mut mgr, 10000, |m| count_conns(m) == 1);
    assert_eq!(count_conns(&mgr), 1);
    // SAFETY: not used afterwards.
    unsafe { mg_mgr_free(&mut *mgr) };
}

#[test]
fn close_conn_from_a_handler_is_safe() {
    // pymongoose's Connection.close() calls mg_close_conn inside handlers.
    unsafe extern "C" fn closer(c: *mut mg_connection, ev: c_int, _d: *mut c_void) {
        // SAFETY: fn_data is a live counter.
        let closes = unsafe { &mut *((*c).fn_data as *mut u32) };
        if ev == MG_EV_READ {
            // SAFETY: live connection; closing it (and the listener) here.
            unsafe {
                let lsn = (*(*c).mgr).conns;
                mg_close_conn(c);
                let mut l = lsn;
                while !l.is_null() {
                    if (*l).flag(FLAG_IS_LISTENING) {
                        mg_close_conn(l);
                        break;
                    }
                    l = (*l).next;
                }
            }
        }
        if ev == MG_EV_CLOSE {
            *closes += 1;
        }
    }
    let mut mgr = new_mgr();
    let mut closes = 0u32;
    let url = CString::new("tcp://127.0.0.1:0").unwrap();
    // SAFETY: live manager and counter.
    let lsn =
        unsafe { mg_listen(&mut *mgr, url.as_ptr(), Some(closer), &mut closes as *mut u32 as *mut c_void) };
    let mut s = TcpStream::connect(("127.0.0.1", port_of(lsn))).unwrap();
    s.write_all(b"bye").unwrap();
    poll_until(&mut mgr, 3000, |m| m.conns.is_null());
    assert!(mgr.conns.is_null());
    assert_eq!(closes, 2, "each connection got exactly one MG_EV_CLOSE");
    // SAFETY: not used afterwards.
    unsafe { mg_mgr_free(&mut *mgr) };
    assert_eq!(closes, 2);
}

/// The list `mgr->conns`, newest first, as connection ids.
fn list_ids(mgr: &mg_mgr) -> Vec<u64> {
    let mut out = Vec::new();
    let mut c = mgr.conns;
    while !c.is_null() {
        // SAFETY: walking the live list.
        unsafe {
            out.push((*c).id);
            c = (*c).next;
        }
    }
    out
}

struct Walk {
    polls: Vec<u64>,
    closed: Vec<u64>,
    /// When the connection with id `.0` gets its POLL, close `.1`.
    close_on_poll: Option<(u64, u64)>,
}

unsafe extern "C" fn walker(c: *mut mg_connection, ev: c_int, _d: *mut c_void) {
    // SAFETY: fn_data is a live `Walk` owned by the test; `c` is live.
    unsafe {
        let w = &mut *((*c).fn_data as *mut Walk);
        let id = (*c).id;
        match ev {
            MG_EV_POLL => {
                w.polls.push(id);
                if let Some((on, victim)) = w.close_on_poll {
                    if on == id {
                        w.close_on_poll = None;
                        let mut v = (*(*c).mgr).conns;
                        while !v.is_null() && (*v).id != victim {
                            v = (*v).next;
                        }
                        assert!(!v.is_null(), "victim {victim} not on the list");
                        mg_close_conn(v);
                    }
                }
            }
            MG_EV_CLOSE => w.closed.push(id),
            _ => {}
        }
    }
}

#[test]
fn poll_order_follows_the_list_through_closes_and_compaction() {
    // The loop walks its own array of connections; this checks it stays the
    // list's exact mirror (newest first) while connections close from
    // outside a poll, by flag, and from another connection's handler.
    let mut mgr = new_mgr();
    // Owned through a raw pointer only: the handler writes to it during polls.
    let wraw = Box::into_raw(Box::new(Walk { polls: Vec::new(), closed: Vec::new(), close_on_poll: None }));
    let wp = wraw as *mut c_void;
    // SAFETY: `wraw` stays allocated until the end of the test; each use
    // below is a short borrow that never spans a poll.
    let w = || unsafe { &mut *wraw };
    let url = CString::new("tcp://127.0.0.1:0").unwrap();
    // SAFETY: live manager; `w` outlives it.
    let lsn = unsafe { mg_listen(&mut *mgr, url.as_ptr(), Some(walker), wp) };
    let port = port_of(lsn);
    let clients: Vec<TcpStream> = (0..40).map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap()).collect();
    poll_until(&mut mgr, 3000, |m| count_conns(m) == 41);
    assert_eq!(count_conns(&mgr), 41);

    let check_one_poll = |mgr: &mut mg_mgr| {
        let before = list_ids(mgr);
        w().polls.clear();
        // SAFETY: an initialised manager.
        unsafe { mg_mgr_poll(mgr, 0) };
        before
    };
    let before = check_one_poll(&mut mgr);
    assert_eq!(w().polls, before, "POLL order is list order");

    let mut rounds = 0;
    while count_conns(&mgr) > 5 {
        rounds += 1;
        let ids = list_ids(&mgr);
        // Close one from outside a poll (freed at once), one by flag (closed
        // at its turn), and one from the handler of a connection visited
        // before it in the walk.
        // SAFETY: live connections of this manager.
        unsafe {
            let mut c = mgr.conns;
            while !c.is_null() {
                let next = (*c).next;
                let id = (*c).id;
                if id == ids[ids.len() / 2] && !(*c).flag(FLAG_IS_LISTENING) {
                    mg_close_conn(c);
                } else if id == ids[1] && !(*c).flag(FLAG_IS_LISTENING) {
                    (*c).set_flag(FLAG_IS_CLOSING, true);
                }
                c = next;
            }
        }
        let ids = list_ids(&mgr);
        let victim = ids[ids.len() - 2];
        // SAFETY: the listener is never closed in this loop.
        let lsn_id = unsafe { (*lsn).id };
        if victim != lsn_id {
            w().close_on_poll = Some((ids[0], victim));
        }
        let before = check_one_poll(&mut mgr);
        let expected: Vec<u64> =
            before.iter().copied().filter(|&id| id != victim || victim == lsn_id).collect();
        assert_eq!(w().polls, expected, "round {rounds}: POLL order skips only the closed victim");
        let after = list_ids(&mgr);
        assert!(!after.contains(&victim) || victim == lsn_id, "round {rounds}: victim still linked");
        assert_eq!(after.len(), count_conns(&mgr));
        let before = check_one_poll(&mut mgr);
        assert_eq!(w().polls, before, "round {rounds}: POLL order is list order after closes");
    }
    assert!(rounds >= 5, "enough rounds to compact the array");
    // New connections still go to the head and are walked first.
    let more: Vec<TcpStream> = (0..3).map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap()).collect();
    let n = count_conns(&mgr);
    poll_until(&mut mgr, 3000, |m| count_conns(m) == n + 3);
    let before = check_one_poll(&mut mgr);
    assert_eq!(w().polls, before);
    drop(more);
    drop(clients);
    // SAFETY: not used afterwards.
    unsafe { mg_mgr_free(&mut *mgr) };
    // SAFETY: the manager is gone; nothing else points at the box.
    let w = unsafe { Box::from_raw(wraw) };
    let mut closed = w.closed.clone();
    closed.sort_unstable();
    closed.dedup();
    assert_eq!(closed.len(), w.closed.len(), "one MG_EV_CLOSE per connection");
    assert_eq!(closed.len(), 44, "every connection closed once");
}

#[test]
fn accepted_and_client_sockets_have_tcp_nodelay() {
    // Mongoose sets TCP_NODELAY on its TCP sockets; accepted ones get it by
    // inheritance from the listener on Linux (no setsockopt per accept).
    fn nodelay(c: *mut mg_connection) -> c_int {
        let mut v: c_int = -1;
        let mut len = std::mem::size_of::<c_int>() as libc::socklen_t;
        // SAFETY: a live connection's socket; `v`/`len` describe an int.
        unsafe {
            let fd = (*c).fd as isize as c_int;
            libc::getsockopt(
                fd,
                libc::IPPROTO_TCP,
                libc::TCP_NODELAY,
                &mut v as *mut c_int as *mut c_void,
                &mut len,
            );
        }
        v
    }
    let mut mgr = new_mgr();
    let url = CString::new("tcp://127.0.0.1:0").unwrap();
    // SAFETY: live manager; no handler.
    let lsn = unsafe { mg_listen(&mut *mgr, url.as_ptr(), None, ptr::null_mut()) };
    let curl = CString::new(format!("tcp://127.0.0.1:{}", port_of(lsn))).unwrap();
    // SAFETY: live manager; no handler.
    let cl = unsafe { mg_connect(&mut *mgr, curl.as_ptr(), None, ptr::null_mut()) };
    assert!(!cl.is_null());
    poll_until(&mut mgr, 3000, |m| count_conns(m) == 3);
    assert_eq!(count_conns(&mgr), 3);
    let mut c = mgr.conns;
    let mut seen = 0;
    while !c.is_null() {
        // SAFETY: walking the live list.
        unsafe {
            if !(*c).flag(FLAG_IS_LISTENING) {
                assert_ne!(nodelay(c), 0, "TCP_NODELAY on connection {}", (*c).id);
                seen += 1;
            }
            c = (*c).next;
        }
    }
    assert_eq!(seen, 2);
    // SAFETY: not used afterwards.
    unsafe { mg_mgr_free(&mut *mgr) };
}

/// What `idle_turn_*` handlers do on the third MG_EV_POLL of a connection
/// that has been silent since it was accepted (the loop's quiet-connection
/// path): queue data, drain, or hand over to another handler.
#[derive(Default)]
struct IdleScript {
    accepted: u8,
    switched_polls: u32,
    pfn_polls: u32,
    fn_polls: u32,
    /// The POLL count of role 1 at its MG_EV_WRITE, of role 2 at MG_EV_CLOSE:
    /// 3 when the turn that fired the POLL also wrote or closed.
    write_at_poll: u8,
    close_at_poll: u8,
}

unsafe extern "C" fn idle_actor(c: *mut mg_connection, ev: c_int, _ev_data: *mut c_void) {
    // SAFETY: fn_data is the test's live `IdleScript`; `c` is live.
    unsafe {
        let s = &mut *((*c).fn_data as *mut IdleScript);
        if (*c).flag(FLAG_IS_LISTENING) {
            return;
        }
        match ev {
            MG_EV_ACCEPT => {
                s.accepted += 1;
                (*c).data[0] = s.accepted as _; // role
            }
            MG_EV_POLL => {
                s.fn_polls += 1;
                (*c).data[1] += 1;
                if (*c).data[1] != 3 {
                    return;
                }
                match (*c).data[0] {
                    1 => {
                        mg_send(c, b"late\n".as_ptr() as *const c_void, 5);
                    }
                    2 => (*c).set_flag(FLAG_IS_DRAINING, true),
                    3 => (*c).fn_ = Some(idle_switched),
                    _ => {}
                }
            }
            MG_EV_WRITE if (*c).data[0] == 1 => s.write_at_poll = (*c).data[1] as u8,
            MG_EV_CLOSE if (*c).data[0] == 2 => s.close_at_poll = (*c).data[1] as u8,
            _ => {}
        }
    }
}

unsafe extern "C" fn idle_switched(c: *mut mg_connection, ev: c_int, _ev_data: *mut c_void) {
    // SAFETY: fn_data is the test's live `IdleScript`.
    let s = unsafe { &mut *((*c).fn_data as *mut IdleScript) };
    // SAFETY: `c` live.
    if ev == MG_EV_POLL && unsafe { !(*c).flag(FLAG_IS_LISTENING) } {
        s.switched_polls += 1;
    }
}

unsafe extern "C" fn idle_pfn(c: *mut mg_connection, ev: c_int, _ev_data: *mut c_void) {
    // SAFETY: fn_data is the test's live `IdleScript`.
    let s = unsafe { &mut *((*c).fn_data as *mut IdleScript) };
    // SAFETY: `c` live.
    if ev == MG_EV_POLL && unsafe { !(*c).flag(FLAG_IS_LISTENING) } {
        s.pfn_polls += 1;
    }
}

fn read_all_until_eof_or(stream: &mut TcpStream, mgr: &mut mg_mgr, want: usize) -> Vec<u8> {
    stream.set_nonblocking(true).unwrap();
    let mut got = Vec::new();
    poll_until(mgr, 5000, |_| {
        let mut buf = [0u8; 64];
        match stream.read(&mut buf) {
            Ok(0) => true,
            Ok(n) => {
                got.extend_from_slice(&buf[..n]);
                got.len() >= want
            }
            Err(_) => false,
        }
    });
    got
}

#[test]
fn idle_http_connections_still_act_on_their_poll_events() {
    let mut mgr = new_mgr();
    let mut s = IdleScript::default();
    let sp = &mut s as *mut IdleScript as *mut c_void;
    let url = CString::new("http://127.0.0.1:0").unwrap();
    // SAFETY: live manager; the script outlives the manager's use of it.
    let lsn = unsafe { mongoose::ffi::http::mg_http_listen(&mut *mgr, url.as_ptr(), Some(idle_actor), sp) };
    assert!(!lsn.is_null());
    let port = port_of(lsn);
    let mut clients = Vec::new();
    for n in 1..=3u8 {
        clients.push(TcpStream::connect(("127.0.0.1", port)).unwrap());
        let sp = &s as *const IdleScript;
        // SAFETY: only read between polls.
        poll_until(&mut mgr, 5000, |_| unsafe { (*sp).accepted } == n);
    }
    assert_eq!(s.accepted, 3);
    // Role 1 queued bytes on a POLL: they are written out.
    assert_eq!(read_all_until_eof_or(&mut clients[0], &mut mgr, 5), b"late\n");
    // Role 2 set is_draining on a POLL: nothing to flush, so it closes.
    assert_eq!(read_all_until_eof_or(&mut clients[1], &mut mgr, 1), b"");
    // Both within the turn of that POLL, as Mongoose does.
    assert_eq!((s.write_at_poll, s.close_at_poll), (3, 3));
    // Role 3 swapped its handler on a POLL: the next POLLs reach the new one.
    let sp = &s as *const IdleScript;
    // SAFETY: only read between polls.
    poll_until(&mut mgr, 5000, |_| unsafe { (*sp).switched_polls } >= 3);
    assert!(s.switched_polls >= 3);
    // SAFETY: frees every connection.
    unsafe { mg_mgr_free(&mut *mgr) };
}

#[test]
fn idle_connections_with_a_foreign_protocol_handler_get_poll_there_too() {
    let mut mgr = new_mgr();
    let mut s = IdleScript::default();
    let sp = &mut s as *mut IdleScript as *mut c_void;
    let url = CString::new("tcp://127.0.0.1:0").unwrap();
    // SAFETY: live manager; the script outlives the manager's use of it.
    let lsn = unsafe { mg_listen(&mut *mgr, url.as_ptr(), Some(idle_switched), sp) };
    assert!(!lsn.is_null());
    // SAFETY: a live listener; accepted connections inherit pfn/pfn_data.
    unsafe { (*lsn).pfn = Some(idle_pfn) };
    let _client = TcpStream::connect(("127.0.0.1", port_of(lsn))).unwrap();
    let sp = &s as *const IdleScript;
    // SAFETY: only read between polls.
    poll_until(&mut mgr, 5000, |_| unsafe { (*sp).pfn_polls } >= 5);
    assert!(s.pfn_polls >= 5, "protocol handler saw {} POLLs", s.pfn_polls);
    // Both handlers see every POLL of the accepted connection.
    assert_eq!(s.pfn_polls, s.switched_polls);
    // SAFETY: frees every connection.
    unsafe { mg_mgr_free(&mut *mgr) };
}
