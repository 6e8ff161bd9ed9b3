//! SNTP: against chrony serving its local clock on a loopback port (Debian
//! package `chrony`, run with its own config and `-x`, so it never touches
//! the system clock), and against a scripted NTPv4 server thread for exact
//! values and event order.

use mongoose::abi::*;
use mongoose::ffi::net::*;
use mongoose::ffi::sntp::*;
use mongoose::ffi::timer::{mg_millis, mg_now};
use mongoose::net::timer::mg_boot_timestamp_ms;
use std::ffi::{c_int, c_void, CString};
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(Default)]
struct Seen {
    time: Option<i64>,
    events: Vec<c_int>,
}

unsafe extern "C" fn on_event(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    // SAFETY: fn_data is a live `Seen`; SNTP_TIME carries an int64_t *.
    unsafe {
        let seen = &mut *((*c).fn_data as *mut Seen);
        if ev == MG_EV_SNTP_TIME {
            seen.time = Some(*(ev_data as *const i64));
        }
        if ev != MG_EV_POLL {
            seen.events.push(ev);
        }
    }
}

fn new_mgr() -> Box<mg_mgr> {
    // SAFETY: zeroed memory is what mg_mgr_init expects to overwrite.
    let mut mgr: Box<mg_mgr> = Box::new(unsafe { std::mem::zeroed() });
    // SAFETY: valid manager memory.
    unsafe { mg_mgr_init(&mut *mgr) };
    mgr
}

fn run(port: u16, ms: u64) -> Seen {
    let mut mgr = new_mgr();
    let mut seen = Seen::default();
    let url = CString::new(format!("udp://127.0.0.1:{port}")).unwrap();
    // SAFETY: live manager; `seen` outlives the connection.
    let c = unsafe {
        mg_sntp_connect(&mut *mgr, url.as_ptr(), Some(on_event), &mut seen as *mut Seen as *mut c_void)
    };
    assert!(!c.is_null());
    let end = Instant::now() + Duration::from_millis(ms);
    while !seen.events.contains(&MG_EV_CLOSE) && Instant::now() < end {
        // SAFETY: initialised manager.
        unsafe { mg_mgr_poll(&mut *mgr, 10) };
    }
    // SAFETY: initialised manager.
    unsafe { mg_mgr_free(&mut *mgr) };
    seen
}

fn wall_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

#[test]
fn chrony_on_loopback_sets_the_clock() {
    let dir = std::env::temp_dir().join(format!("mg-chrony-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let port = UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let conf = dir.join("chrony.conf");
    std::fs::write(
        &conf,
        format!(
            "port {port}\nbindaddress 127.0.0.1\nlocal stratum 10\nallow 127.0.0.1\ncmdport 0\n\
             pidfile {0}/chronyd.pid\ndriftfile {0}/drift\n",
            dir.display()
        ),
    )
    .unwrap();
    let mut chrony = Command::new("chronyd")
        .args(["-d", "-x", "-f"])
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chronyd not installed (apt-get install chrony)");
    // Wait until it answers a request of our own.
    let probe = UdpSocket::bind("127.0.0.1:0").unwrap();
    probe.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    let end = Instant::now() + Duration::from_secs(10);
    let mut up = false;
    while !up && Instant::now() < end {
        let mut req = [0u8; 48];
        req[0] = 0x23;
        probe.send_to(&req, ("127.0.0.1", port)).unwrap();
        let mut buf = [0u8; 100];
        up = probe.recv_from(&mut buf).is_ok();
    }
    let seen = if up { Some(run(port, 5000)) } else { None };
    let _ = chrony.kill();
    let _ = chrony.wait();
    let _ = std::fs::remove_dir_all(&dir);
    let seen = seen.expect("chronyd did not answer");
    let t = seen.time.expect("no MG_EV_SNTP_TIME");
    assert!((t - wall_ms()).abs() < 1000, "chrony time {t} vs wall {}", wall_ms());
    // mg_now() now follows the wall clock.
    assert!((mg_now() as i64 - wall_ms()).abs() < 1000);
    // SAFETY: a plain read of the exported variable.
    let boot = unsafe { std::ptr::read_volatile(std::ptr::addr_of!(mg_boot_timestamp_ms)) };
    assert!((boot as i64 + mg_millis() as i64 - wall_ms()).abs() < 1000);
}

/// A scripted server: checks the request bytes, answers `reply(request)`.
fn scripted(reply: fn(&[u8]) -> Option<Vec<u8>>) -> (u16, std::thread::JoinHandle<Vec<u8>>) {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = s.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        let mut buf = [0u8; 512];
        let (n, from) = s.recv_from(&mut buf).unwrap();
        if let Some(r) = reply(&buf[..n]) {
            s.send_to(&r, from).unwrap();
        }
        buf[..n].to_vec()
    });
    (port, t)
}

#[test]
fn scripted_server_exact_request_and_answer() {
    // The transmit time (2030-01-01T00:00:00.500Z) comes back after the
    // round-trip correction: a server that took no time and a loopback
    // round trip of ~0 ms give the transmit time plus at most a few ms.
    let (port, t) = scripted(|req| {
        let mut r = vec![0u8; 48];
        r[0] = 0x24; // version 4, server
        r[1] = 2;
        r[24..32].copy_from_slice(&req[40..48]); // origin = our transmit time
        let secs = (1_893_456_000u64 + 2_208_988_800) as u32;
        for at in [32, 40] {
            r[at..at + 4].copy_from_slice(&secs.to_be_bytes());
            r[at + 4..at + 8].copy_from_slice(&0x8000_0000u32.to_be_bytes());
        }
        Some(r)
    });
    let seen = run(port, 5000);
    let req = t.join().unwrap();
    assert_eq!(req.len(), 48);
    assert_eq!(req[0], 0x23);
    assert!(req[1..40].iter().all(|&b| b == 0));
    let t = seen.time.expect("no time");
    assert!((1_893_456_000_500..1_893_456_000_600).contains(&t), "{t}");
    // OPEN RESOLVE WRITE(request) CONNECT SNTP_TIME READ CLOSE, as Mongoose 7.23.
    assert_eq!(
        seen.events,
        vec![MG_EV_OPEN, MG_EV_RESOLVE, MG_EV_WRITE, MG_EV_CONNECT, MG_EV_SNTP_TIME, MG_EV_READ, MG_EV_CLOSE]
    );
}

#[test]
fn bad_reply_closes_without_time_and_silence_times_out() {
    let (port, t) = scripted(|req| {
        let mut r = req.to_vec(); // a client-mode packet is not an answer
        r[1] = 1;
        Some(r)
    });
    let seen = run(port, 5000);
    t.join().unwrap();
    assert_eq!(seen.time, None);
    assert_eq!(
        seen.events,
        vec![MG_EV_OPEN, MG_EV_RESOLVE, MG_EV_WRITE, MG_EV_CONNECT, MG_EV_READ, MG_EV_CLOSE]
    );

    let (port, t) = scripted(|_| None);
    let start = Instant::now();
    let seen = run(port, 6000);
    t.join().unwrap();
    let took = start.elapsed().as_millis();
    assert!((2900..4500).contains(&took), "{took} ms");
    assert_eq!(seen.events.last(), Some(&MG_EV_CLOSE));
    assert_eq!(seen.time, None);
}

#[test]
fn parse_rejects_what_mongoose_rejects() {
    let mut r = [0u8; 48];
    r[0] = 0x24;
    r[1] = 1;
    // SAFETY: a readable 48-byte buffer (and NULL).
    unsafe {
        assert_eq!(mg_sntp_parse(r.as_ptr(), 47), -1);
        assert_eq!(mg_sntp_parse(std::ptr::null(), 48), -1);
        r[0] = 0x14; // version 2
        assert_eq!(mg_sntp_parse(r.as_ptr(), 48), -1);
        r[0] = 0x24;
        r[1] = 0; // kiss of death
        assert_eq!(mg_sntp_parse(r.as_ptr(), 48), -1);
    }
}
