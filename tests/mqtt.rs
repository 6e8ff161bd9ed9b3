//! MQTT against real software: our client against a Mosquitto broker
//! started on a loopback port (3.1.1 and 5, QoS 0/1/2 handshakes, 100 KB
//! payloads, 1,000 messages, will message, ping, MQTT 5 properties), our
//! example broker with `mosquitto_pub`/`mosquitto_sub`, and hostile peers.
//! Needs the Debian packages `mosquitto` and `mosquitto-clients` (`.ci/run`
//! installs them).
mod util;

use mongoose::abi::*;
use mongoose::ffi::mqtt::*;
use mongoose::ffi::net::*;
use std::ffi::{c_int, c_void, CString};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A Mosquitto broker on a free loopback port, killed on drop.
struct Broker {
    child: Child,
    port: u16,
    _dir: PathGuard,
}

struct PathGuard(std::path::PathBuf);
impl Drop for PathGuard {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn mosquitto() -> Broker {
    for _ in 0..5 {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("mg-mosq-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let conf = dir.join("mosquitto.conf");
        std::fs::write(
            &conf,
            format!("listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest none\n"),
        )
        .unwrap();
        let child = Command::new("mosquitto")
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("mosquitto not installed (apt-get install mosquitto mosquitto-clients)");
        let mut b = Broker { child, port, _dir: PathGuard(dir) };
        let end = Instant::now() + Duration::from_secs(5);
        while Instant::now() < end {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return b;
            }
            if b.child.try_wait().unwrap().is_some() {
                break; // port taken meanwhile: try another
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    panic!("mosquitto did not start");
}

/// What a test client saw.
#[derive(Default)]
struct Seen {
    open: Option<c_int>,
    cmds: Vec<u8>,
    msgs: Vec<(String, Vec<u8>, u8)>,
    props: Vec<(u8, u32, Vec<u8>, Vec<u8>)>,
    errors: Vec<String>,
    closed: bool,
}

unsafe fn bytes(s: &mg_str) -> Vec<u8> {
    // SAFETY: the library's views are valid during the callback.
    unsafe { s.as_bytes().to_vec() }
}

unsafe extern "C" fn on_event(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    // SAFETY: fn_data is a live `Seen`; ev_data has the documented type.
    unsafe {
        let seen = &mut *((*c).fn_data as *mut Seen);
        match ev {
            MG_EV_MQTT_OPEN => seen.open = Some(*(ev_data as *const c_int)),
            MG_EV_MQTT_CMD => seen.cmds.push((*(ev_data as *const mg_mqtt_message)).cmd),
            MG_EV_MQTT_MSG => {
                let mm = ev_data as *mut mg_mqtt_message;
                let topic = String::from_utf8(bytes(&(*mm).topic)).unwrap();
                seen.msgs.push((topic, bytes(&(*mm).data), (*mm).qos));
                let mut ofs = 0;
                loop {
                    let mut p: mg_mqtt_prop = std::mem::zeroed();
                    ofs = mg_mqtt_next_prop(mm, &mut p, ofs);
                    if ofs == 0 {
                        break;
                    }
                    seen.props.push((p.id, p.iv, bytes(&p.key), bytes(&p.val)));
                }
            }
            MG_EV_ERROR => {
                seen.errors.push(std::ffi::CStr::from_ptr(ev_data as *const _).to_string_lossy().into())
            }
            MG_EV_CLOSE => seen.closed = true,
            _ => {}
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

fn poll_until(mgr: &mut mg_mgr, ms: u64, mut done: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + Duration::from_millis(ms);
    while !done() {
        if Instant::now() > end {
            return false;
        }
        // SAFETY: an initialised manager.
        unsafe { mg_mgr_poll(mgr, 5) };
    }
    true
}

fn s(b: &[u8]) -> mg_str {
    mg_str::from_slice(b)
}

fn opts() -> mg_mqtt_opts {
    // SAFETY: all-zero is the documented "defaults" value.
    unsafe { std::mem::zeroed() }
}

fn connect(mgr: &mut mg_mgr, port: u16, o: &mg_mqtt_opts, seen: &mut Seen) -> *mut mg_connection {
    let url = CString::new(format!("mqtt://127.0.0.1:{port}")).unwrap();
    // SAFETY: live manager, options and state outlive the connection's use.
    let c =
        unsafe { mg_mqtt_connect(mgr, url.as_ptr(), o, Some(on_event), seen as *mut Seen as *mut c_void) };
    assert!(!c.is_null());
    assert!(poll_until(mgr, 5000, || seen.open.is_some()), "no CONNACK");
    assert_eq!(seen.open, Some(0));
    c
}

fn sub(mgr: &mut mg_mgr, c: *mut mg_connection, seen: &mut Seen, topic: &[u8], qos: u8) {
    let mut o = opts();
    o.topic = s(topic);
    o.qos = qos;
    let before = seen.cmds.iter().filter(|&&x| x == 9).count();
    // SAFETY: live connection.
    unsafe { mg_mqtt_sub(c, &o) };
    assert!(poll_until(mgr, 5000, || seen.cmds.iter().filter(|&&x| x == 9).count() > before), "no SUBACK");
}

fn publish(c: *mut mg_connection, topic: &[u8], msg: &[u8], qos: u8) -> u16 {
    let mut o = opts();
    o.topic = s(topic);
    o.message = s(msg);
    o.qos = qos;
    // SAFETY: live connection.
    unsafe { mg_mqtt_pub(c, &o) }
}

#[test]
fn mosquitto_qos_0_1_2_with_mqtt_311_and_5() {
    let b = mosquitto();
    for version in [4u8, 5] {
        let mut mgr = new_mgr();
        let mut seen = Seen::default();
        let mut o = opts();
        o.version = version;
        o.clean = true;
        o.client_id = s(b"mg-qos");
        let c = connect(&mut mgr, b.port, &o, &mut seen);
        // SAFETY: live connection.
        assert_eq!(unsafe { (*c).flag(FLAG_IS_MQTT5) }, version == 5);
        sub(&mut mgr, c, &mut seen, b"q/#", 2);
        assert_eq!(publish(c, b"q/0", b"zero", 0), 0);
        let id1 = publish(c, b"q/1", b"one", 1);
        let id2 = publish(c, b"q/2", b"two", 2);
        assert!(id1 != 0 && id2 == id1.wrapping_add(1));
        assert!(poll_until(&mut mgr, 5000, || seen.msgs.len() == 3
            && seen.cmds.contains(&4) // PUBACK for our QoS 1
            && seen.cmds.iter().filter(|&&x| x == 7).count() == 1 // PUBCOMP for our QoS 2
            && seen.cmds.contains(&6))); // the broker's PUBREL for its QoS 2 delivery
        let got: Vec<_> = seen.msgs.iter().map(|(t, d, q)| (t.as_str(), d.as_slice(), *q)).collect();
        assert_eq!(got, vec![("q/0", &b"zero"[..], 0), ("q/1", b"one", 1), ("q/2", b"two", 2)]);
        // Ping: Mongoose (and we) never ping on our own; the program does.
        // SAFETY: live connection.
        unsafe { mg_mqtt_ping(c) };
        assert!(poll_until(&mut mgr, 5000, || seen.cmds.contains(&13)), "no PINGRESP");
        // SAFETY: live connection, a valid options struct (needed for MQTT 5).
        unsafe { mg_mqtt_disconnect(c, &o) };
        // SAFETY: live connection.
        unsafe { (*c).set_flag(FLAG_IS_DRAINING, true) };
        assert!(poll_until(&mut mgr, 5000, || seen.closed));
        assert!(seen.errors.is_empty(), "{:?}", seen.errors);
        // SAFETY: initialised manager.
        unsafe { mg_mgr_free(&mut *mgr) };
    }
}

#[test]
fn mosquitto_big_payloads_and_a_thousand_messages_none_lost() {
    let b = mosquitto();
    let mut mgr = new_mgr();
    let mut seen = Seen::default();
    let mut o = opts();
    o.clean = true;
    let c = connect(&mut mgr, b.port, &o, &mut seen);
    sub(&mut mgr, c, &mut seen, b"big", 1);
    let big: Vec<u8> = (0..100 * 1024).map(|i| (i * 7 % 251) as u8).collect();
    publish(c, b"big", &big, 1);
    assert!(poll_until(&mut mgr, 10000, || !seen.msgs.is_empty()));
    assert_eq!(seen.msgs[0].1, big);
    seen.msgs.clear();
    sub(&mut mgr, c, &mut seen, b"n/+", 1);
    for i in 0..1000 {
        publish(c, b"n/x", format!("message {i}").as_bytes(), 1);
    }
    assert!(poll_until(&mut mgr, 20000, || seen.msgs.len() >= 1000), "got {}", seen.msgs.len());
    for (i, m) in seen.msgs.iter().enumerate() {
        assert_eq!(m.1, format!("message {i}").as_bytes());
    }
    assert_eq!(seen.cmds.iter().filter(|&&x| x == 4).count(), 1001, "a PUBACK for every QoS 1 publish");
    // SAFETY: initialised manager.
    unsafe { mg_mgr_free(&mut *mgr) };
}

#[test]
fn mosquitto_sends_the_will_when_a_client_vanishes() {
    let b = mosquitto();
    let mut mgr = new_mgr();
    let mut watcher = Seen::default();
    let w = connect(&mut mgr, b.port, &opts(), &mut watcher);
    sub(&mut mgr, w, &mut watcher, b"will/#", 1);
    let mut dying = Seen::default();
    let mut o = opts();
    o.topic = s(b"will/a");
    o.message = s(b"gone");
    o.qos = 1;
    o.keepalive = 30;
    let c = connect(&mut mgr, b.port, &o, &mut dying);
    // Close the socket without DISCONNECT.
    // SAFETY: live connection.
    unsafe { (*c).set_flag(FLAG_IS_CLOSING, true) };
    assert!(poll_until(&mut mgr, 5000, || !watcher.msgs.is_empty()), "no will message");
    assert_eq!(watcher.msgs[0], ("will/a".to_string(), b"gone".to_vec(), 1));
    // SAFETY: initialised manager.
    unsafe { mg_mgr_free(&mut *mgr) };
}

#[test]
fn mosquitto_mqtt5_properties_round_trip() {
    let b = mosquitto();
    let mut mgr = new_mgr();
    let mut seen = Seen::default();
    let mut o = opts();
    o.version = 5;
    let c = connect(&mut mgr, b.port, &o, &mut seen);
    sub(&mut mgr, c, &mut seen, b"p", 0);
    let mut props = [
        mg_mqtt_prop { id: 0x26, iv: 0, key: s(b"k"), val: s(b"value") },
        mg_mqtt_prop { id: 0x03, iv: 0, key: mg_str::NULL, val: s(b"text/plain") },
        mg_mqtt_prop { id: 0x01, iv: 1, key: mg_str::NULL, val: mg_str::NULL },
    ];
    let mut p = opts();
    p.topic = s(b"p");
    p.message = s(b"with props");
    p.props = props.as_mut_ptr();
    p.num_props = props.len();
    // SAFETY: live connection; props outlive the call.
    unsafe { mg_mqtt_pub(c, &p) };
    assert!(poll_until(&mut mgr, 5000, || !seen.msgs.is_empty()));
    assert_eq!(seen.msgs[0].1, b"with props");
    let mut got = seen.props.clone();
    got.sort();
    assert_eq!(
        got,
        vec![
            (0x01, 1, vec![], vec![]),
            (0x03, 0, vec![], b"text/plain".to_vec()),
            (0x26, 0, b"k".to_vec(), b"value".to_vec())
        ]
    );
    // SAFETY: initialised manager.
    unsafe { mg_mgr_free(&mut *mgr) };
}

/// A raw TCP peer playing a broker that answers CONNECT with `reply`.
fn hostile(reply: &'static [u8]) -> Seen {
    let lsn = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = lsn.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        let (mut s, _) = lsn.accept().unwrap();
        let mut buf = [0u8; 64];
        let _ = s.read(&mut buf);
        let _ = s.write_all(reply);
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest); // until we close
    });
    let mut mgr = new_mgr();
    let mut seen = Seen::default();
    let url = CString::new(format!("mqtt://127.0.0.1:{port}")).unwrap();
    // SAFETY: live manager; `seen` outlives the connection.
    let c = unsafe {
        mg_mqtt_connect(
            &mut *mgr,
            url.as_ptr(),
            std::ptr::null(),
            Some(on_event),
            &mut seen as *mut Seen as *mut c_void,
        )
    };
    assert!(!c.is_null());
    assert!(poll_until(&mut mgr, 5000, || seen.closed), "connection not closed");
    // SAFETY: initialised manager.
    unsafe { mg_mgr_free(&mut *mgr) };
    t.join().unwrap();
    seen
}

#[test]
fn bad_packets_close_with_an_error() {
    // Remaining length longer than 4 bytes.
    let s1 = hostile(b"\x20\x02\x00\x00\x30\xff\xff\xff\xff\x01");
    assert_eq!(
        (s1.open, s1.cmds.clone(), s1.errors.clone()),
        (Some(0), vec![2], vec!["MQTT malformed message".to_string()])
    );
    // A PUBLISH whose topic runs past the packet.
    let s2 = hostile(b"\x20\x02\x00\x00\x30\x03\x00\x09a");
    assert_eq!(s2.errors, vec!["MQTT malformed message".to_string()]);
    assert!(s2.msgs.is_empty());
    // A packet announcing 256 MB: refused at once.
    let s3 = hostile(b"\x20\x02\x00\x00\x30\xff\xff\xff\x7f\x00\x01a");
    assert_eq!(s3.errors, vec!["MQTT packet too large".to_string()]);
    // CONNACK refusing us: OPEN with the code, then the connection closes.
    let s4 = hostile(b"\x20\x02\x00\x05");
    assert_eq!((s4.open, s4.cmds.clone(), s4.errors.len()), (Some(5), vec![2], 0));
}

/// Lines a child prints, collected by a thread.
fn lines_of(child: &mut Child) -> std::sync::mpsc::Receiver<String> {
    let out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for l in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(l).is_err() {
                break;
            }
        }
    });
    rx
}

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn build_example(name: &str) -> std::path::PathBuf {
    let dir = util::repo().join("c-examples").join(name);
    let out = Command::new("make")
        .args(["-s", "-C"])
        .arg(&dir)
        .arg(format!("LIBDIR={}", util::target_dir().display()))
        .args(["-B", "example"])
        .output()
        .expect("make");
    assert!(out.status.success(), "building {name}: {}", String::from_utf8_lossy(&out.stderr));
    dir.join("example")
}

fn start_example_broker() -> (Kill, u16) {
    let exe = build_example("mqtt-server");
    let mut child = Command::new(exe).arg("mqtt://127.0.0.1:0").stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    let port = line.trim().rsplit(':').next().unwrap().parse().unwrap();
    (Kill(child), port)
}

#[test]
fn example_broker_delivers_in_order_to_every_mosquitto_sub() {
    let (_broker, port) = start_example_broker();
    let p = port.to_string();
    let mut subs: Vec<(Kill, std::sync::mpsc::Receiver<String>)> = ["4", "5", "4"]
        .iter()
        .map(|v| {
            let mut c = Command::new("mosquitto_sub")
                .args([
                    "-p",
                    &p,
                    "-h",
                    "127.0.0.1",
                    "-V",
                    if *v == "5" { "5" } else { "311" },
                    "-t",
                    "o/#",
                    "-v",
                ])
                .stdout(Stdio::piped())
                .spawn()
                .expect("mosquitto_sub");
            let rx = lines_of(&mut c);
            (Kill(c), rx)
        })
        .collect();
    // Subscribed once each one has seen a probe (mosquitto_sub has no "ready" signal).
    let end = Instant::now() + Duration::from_secs(10);
    let mut ready = vec![false; subs.len()];
    while !ready.iter().all(|&r| r) && Instant::now() < end {
        Command::new("mosquitto_pub")
            .args(["-p", &p, "-h", "127.0.0.1", "-t", "o/probe", "-m", "x"])
            .status()
            .unwrap();
        for (i, (_, rx)) in subs.iter().enumerate() {
            while let Ok(l) = rx.recv_timeout(Duration::from_millis(50)) {
                if l == "o/probe x" {
                    ready[i] = true;
                }
            }
        }
    }
    assert!(ready.iter().all(|&r| r), "subscribers not ready");
    let mut publisher = Command::new("mosquitto_pub")
        .args(["-p", &p, "-h", "127.0.0.1", "-t", "o/data", "-q", "1", "-l"])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut stdin = publisher.stdin.take().unwrap();
        for i in 0..200 {
            writeln!(stdin, "line {i}").unwrap();
        }
    }
    assert!(publisher.wait().unwrap().success());
    for (_, rx) in subs.iter_mut() {
        let mut got = Vec::new();
        while got.len() < 200 {
            match rx.recv_timeout(Duration::from_secs(10)) {
                Ok(l) if l.starts_with("o/data ") => got.push(l["o/data ".len()..].to_string()),
                Ok(_) => {}
                Err(_) => break,
            }
        }
        let want: Vec<String> = (0..200).map(|i| format!("line {i}")).collect();
        assert_eq!(got, want);
    }
}

#[test]
fn example_client_round_trips_through_mosquitto_and_our_broker() {
    let exe = build_example("mqtt-client");
    let b = mosquitto();
    let (_broker, port) = start_example_broker();
    for (p, v) in [(b.port, "4"), (b.port, "5"), (port, "4"), (port, "5")] {
        let out = Command::new(&exe)
            .args([&format!("mqtt://127.0.0.1:{p}"), "t/ex", "hello", "5", "1", v])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout), "t/ex hello\n".repeat(5));
    }
}

#[test]
fn keepalive_is_the_programs_job_as_in_mongoose() {
    // Keep-alive 1 s: Mosquitto drops a client silent for 1.5 s (it looks
    // every few seconds: about 5 s in practice). The
    // library never pings by itself (as Mongoose), so the silent client is
    // dropped, while one that pings every 400 ms stays connected.
    let b = mosquitto();
    let mut mgr = new_mgr();
    let (mut quiet, mut pinging) = (Seen::default(), Seen::default());
    let mut o = opts();
    o.keepalive = 1;
    connect(&mut mgr, b.port, &o, &mut quiet);
    let p = connect(&mut mgr, b.port, &o, &mut pinging);
    let start = Instant::now();
    let mut last_ping = Instant::now();
    poll_until(&mut mgr, 9000, || {
        if last_ping.elapsed() > Duration::from_millis(400) && !pinging.closed {
            // SAFETY: `p` is live until its CLOSE, checked above.
            unsafe { mg_mqtt_ping(p) };
            last_ping = Instant::now();
        }
        quiet.closed
    });
    assert!(start.elapsed() > Duration::from_millis(1500));
    assert!(quiet.closed, "the broker should drop a client that never pings");
    assert!(!pinging.closed);
    assert!(pinging.cmds.iter().filter(|&&x| x == 13).count() >= 3, "PINGRESPs: {:?}", pinging.cmds);
    // SAFETY: initialised manager.
    unsafe { mg_mgr_free(&mut *mgr) };
}
