//! Builds every example in `c-examples/` with its Makefile against this
//! build of the library, runs it, and checks what it does.
mod util;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `make -C c-examples/<name> example` against target/<profile>.
pub fn build_example(name: &str) -> PathBuf {
    let dir = util::repo().join("c-examples").join(name);
    let out = Command::new("make")
        .arg("-s")
        .arg("-C")
        .arg(&dir)
        .arg(format!("LIBDIR={}", util::target_dir().display()))
        .arg("-B")
        .arg("example")
        .output()
        .expect("make");
    assert!(out.status.success(), "building {name}: {}", String::from_utf8_lossy(&out.stderr));
    dir.join("example")
}

/// Start an example and read its "listening on HOST:PORT" line.
pub fn start_server(exe: &PathBuf, args: &[&str]) -> (Child, u16) {
    let mut child = Command::new(exe).args(args).stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    let port = line.trim().rsplit(':').next().and_then(|p| p.parse().ok()).unwrap_or_else(|| {
        let _ = child.kill();
        panic!("unexpected first line: {line:?}")
    });
    (child, port)
}

/// Wait for a child to exit, at most `ms`; returns its exit code.
pub fn wait_exit(child: &mut Child, ms: u64) -> Option<i32> {
    let deadline = Instant::now() + Duration::from_millis(ms);
    while Instant::now() < deadline {
        if let Some(st) = child.try_wait().unwrap() {
            return st.code();
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let _ = child.kill();
    None
}

pub fn sigterm(child: &Child) {
    // SAFETY: plain kill(2) on our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
}

#[test]
fn tcp_echo_echoes_and_stops_on_sigterm() {
    let exe = build_example("tcp-echo");
    let (mut child, port) = start_server(&exe, &["tcp://127.0.0.1:0"]);
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"hello, echo").unwrap();
    let mut buf = [0u8; 11];
    s.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"hello, echo");
    sigterm(&child);
    // The idle connection is closed once silent, then the loop ends.
    assert_eq!(wait_exit(&mut child, 3000), Some(0));
    let mut rest = Vec::new();
    assert_eq!(s.read_to_end(&mut rest).unwrap(), 0, "server closed the connection cleanly");
}

#[test]
fn timers_fire_in_order_and_stop() {
    let exe = build_example("timers");
    let out = Command::new(&exe).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "once at start");
    assert_eq!(lines[1], "tick 1");
    assert_eq!(lines[2], "tick 2");
    assert_eq!(lines[3], "once after 250 ms");
    assert_eq!(lines[4], "tick 3");
    let last = lines.last().unwrap();
    assert!(last == &"done after 9 ticks" || last == &"done after 10 ticks", "{text}");
}
