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
