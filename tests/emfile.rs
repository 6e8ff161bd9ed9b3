//! Out of descriptors on accept: the loop backs off instead of spinning, and
//! accepts again once descriptors are available. (Own test binary: it changes
//! the process's RLIMIT_NOFILE.)
use mongoose::abi::*;
use mongoose::ffi::net::*;
use std::ffi::CString;
use std::net::TcpStream;
use std::ptr;
use std::time::{Duration, Instant};

fn cpu_ms() -> u64 {
    let mut ru: libc::rusage = unsafe_zeroed();
    // SAFETY: valid out-parameter.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let t = |tv: libc::timeval| tv.tv_sec as u64 * 1000 + tv.tv_usec as u64 / 1000;
    t(ru.ru_utime) + t(ru.ru_stime)
}

fn unsafe_zeroed<T>() -> T {
    // SAFETY: only used for plain C structs where zero is valid.
    unsafe { std::mem::zeroed() }
}

fn count(mgr: &mg_mgr) -> usize {
    let (mut n, mut c) = (0, mgr.conns);
    while !c.is_null() {
        n += 1;
        // SAFETY: live list.
        c = unsafe { (*c).next };
    }
    n
}

#[test]
fn emfile_on_accept_does_not_spin() {
    let mut mgr: mg_mgr = unsafe_zeroed();
    // SAFETY: valid manager memory.
    unsafe { mg_mgr_init(&mut mgr) };
    // SAFETY: single-threaded test binary writing the exported level.
    unsafe { mongoose::ffi::log::mg_log_level = MG_LL_NONE };
    let url = CString::new("tcp://127.0.0.1:0").unwrap();
    // SAFETY: live manager.
    let lsn = unsafe { mg_listen(&mut mgr, url.as_ptr(), None, ptr::null_mut()) };
    // SAFETY: live listener.
    let port = u16::from_be(unsafe { (*lsn).loc.port });
    let clients: Vec<TcpStream> = (0..20).map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap()).collect();

    // Lower the limit to just above the highest descriptor in use.
    let mut old = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: valid out-parameter.
    unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut old) };
    // SAFETY: dup/close probe the lowest free descriptor number.
    let probe = unsafe { libc::dup(0) };
    unsafe { libc::close(probe) };
    let low = libc::rlimit { rlim_cur: probe as u64, rlim_max: old.rlim_max };
    // SAFETY: valid in-parameter.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &low) }, 0);

    let cpu0 = cpu_ms();
    let start = Instant::now();
    let mut polls = 0;
    while start.elapsed() < Duration::from_millis(500) {
        // SAFETY: live manager.
        unsafe { mg_mgr_poll(&mut mgr, 50) };
        polls += 1;
    }
    let cpu = cpu_ms() - cpu0;
    assert_eq!(count(&mgr), 1, "nothing could be accepted");
    assert!(polls < 40, "the loop spun: {polls} polls in 500 ms");
    assert!(cpu < 200, "the loop burnt {cpu} ms of CPU in 500 ms");

    // SAFETY: restore the original limit.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &old) }, 0);
    let end = Instant::now() + Duration::from_secs(3);
    while count(&mgr) < 21 && Instant::now() < end {
        // SAFETY: live manager.
        unsafe { mg_mgr_poll(&mut mgr, 20) };
    }
    assert_eq!(count(&mgr), 21, "accepting resumed after the back-off");
    drop(clients);
    // SAFETY: not used afterwards.
    unsafe { mg_mgr_free(&mut mgr) };
}
