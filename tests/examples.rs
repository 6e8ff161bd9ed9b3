//! Builds every example in `c-examples/` with its Makefile against this
//! build of the library, runs it, and checks what it does.
mod util;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `make -C c-examples/<name> example` against target/<profile>, once per
/// test run: tests run in parallel threads and two of them may want the
/// same example (a second `make -B` would relink a binary in use).
pub fn build_example(name: &str) -> PathBuf {
    static BUILT: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    let dir = util::repo().join("c-examples").join(name);
    if built.iter().any(|n| n == name) {
        return dir.join("example");
    }
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
    built.push(name.to_string());
    dir.join("example")
}

/// Start an example and read its "listening on HOST:PORT" line.
pub fn start_server(exe: &PathBuf, args: &[&str]) -> (Child, u16) {
    let mut child =
        Command::new(exe).args(args).stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().unwrap();
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

/// One HTTP/1.1 response read off a stream: (status, headers, body).
pub fn read_response(s: &mut TcpStream) -> std::io::Result<(u16, String, Vec<u8>)> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte)? == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "EOF in head"));
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let status = head[9..12].parse().unwrap();
    let len: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length:"))
        .map(|v| v.trim().parse().unwrap())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    s.read_exact(&mut body)?;
    Ok((status, head, body))
}

fn get(port: u16, req: &str) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(req.as_bytes()).unwrap();
    read_response(&mut s).unwrap()
}

#[test]
fn http_server_demo_serves_and_stops() {
    let exe = build_example("http-server");
    let (mut child, port) = start_server(&exe, &["http://127.0.0.1:0"]);
    let (st, head, body) = get(port, "GET / HTTP/1.1\r\n\r\n");
    assert_eq!(st, 200);
    assert_eq!(head, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 24         \r\n\r\n");
    assert_eq!(body, b"Hello from mongoose-rs!\n");
    let (st, _, body) = get(port, "GET /api/hello HTTP/1.1\r\n\r\n");
    assert_eq!(st, 200);
    assert_eq!(String::from_utf8_lossy(&body), "{\"hello\":\"world\",\"uri\":\"/api/hello\",\"n\":2}\n");
    let (st, _, body) = get(port, "POST /api/echo HTTP/1.1\r\nContent-Length: 4\r\n\r\nping");
    assert_eq!((st, &body[..]), (200, &b"ping"[..]));
    assert_eq!(get(port, "GET /nope HTTP/1.1\r\n\r\n").0, 404);
    sigterm(&child);
    assert_eq!(wait_exit(&mut child, 3000), Some(0));
}

#[test]
fn http_restful_server_crud() {
    let exe = build_example("http-restful-server");
    let (mut child, port) = start_server(&exe, &["http://127.0.0.1:0"]);
    let post = |name: &str| {
        let body = format!("{{\"name\":\"{name}\"}}");
        get(port, &format!("POST /api/items HTTP/1.1\r\nContent-Length: {}\r\n\r\n{body}", body.len()))
    };
    let (st, _, body) = post("apple");
    assert_eq!((st, String::from_utf8_lossy(&body).as_ref()), (201, "{\"id\":1,\"name\":\"apple\"}\n"));
    assert_eq!(post("pear").0, 201);
    let (st, _, body) = get(port, "GET /api/items HTTP/1.1\r\n\r\n");
    assert_eq!(st, 200);
    assert_eq!(
        String::from_utf8_lossy(&body),
        "[{\"id\":1,\"name\":\"apple\"},{\"id\":2,\"name\":\"pear\"}]\n"
    );
    assert_eq!(get(port, "GET /api/items/2 HTTP/1.1\r\n\r\n").2, b"{\"id\":2,\"name\":\"pear\"}\n");
    assert_eq!(get(port, "DELETE /api/items/1 HTTP/1.1\r\n\r\n").0, 204);
    assert_eq!(get(port, "GET /api/items/1 HTTP/1.1\r\n\r\n").0, 404);
    assert_eq!(post("\\").0, 201);
    assert_eq!(get(port, "POST /api/items HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}").0, 400);
    sigterm(&child);
    assert_eq!(wait_exit(&mut child, 3000), Some(0));
}

#[test]
fn http_client_fetches_from_http_server() {
    let server = build_example("http-server");
    let client = build_example("http-client");
    let (mut child, port) = start_server(&server, &["http://127.0.0.1:0"]);
    let out = Command::new(&client).arg(format!("http://127.0.0.1:{port}/api/hello")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "{\"hello\":\"world\",\"uri\":\"/api/hello\",\"n\":1}\n"
    );
    let out = Command::new(&client).arg("http://127.0.0.1:1/").output().unwrap();
    assert!(!out.status.success(), "connecting to a closed port fails");
    sigterm(&child);
    assert_eq!(wait_exit(&mut child, 3000), Some(0));
}

/// Requests handed to worker threads come back through mg_wakeup: 20
/// concurrent clients each get their own URI echoed by a worker.
#[test]
fn multi_threaded_answers_from_workers() {
    let exe = build_example("multi-threaded");
    let (mut child, port) = start_server(&exe, &["http://127.0.0.1:0"]);
    let threads: Vec<_> = (0..20)
        .map(|i| std::thread::spawn(move || get(port, &format!("GET /job/{i} HTTP/1.1\r\n\r\n"))))
        .collect();
    for (i, t) in threads.into_iter().enumerate() {
        let (st, head, body) = t.join().unwrap();
        assert_eq!(st, 200);
        assert!(head.contains("Content-Type: text/plain\r\n"), "{head}");
        assert_eq!(String::from_utf8_lossy(&body), format!("worker result for /job/{i}\n"));
    }
    sigterm(&child);
    assert_eq!(wait_exit(&mut child, 3000), Some(0));
}

/// The guide's "test shutdown under load", against the built-in shutdown:
/// 50 keep-alive clients hammer the server (half of the requests go to a
/// worker thread); SIGTERM arrives mid-load. Every request written on an
/// open connection must get a whole response: 200 before the signal, 503
/// only after it (and no 200 after a 503 on the same connection); none may
/// meet a reset or a silent close; new connections are refused afterwards;
/// the process exits cleanly.
#[test]
fn graceful_shutdown_under_load_loses_nothing() {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
    use std::sync::Arc;
    let exe = build_example("graceful-shutdown");
    let (mut child, port) = start_server(&exe, &["-b", "http://127.0.0.1:0"]);
    let signalled = Arc::new(AtomicBool::new(false));
    let (sent, answered, lost, after) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let clients: Vec<_> = (0..50)
        .map(|i| {
            let (signalled, sent, answered, lost, after) =
                (signalled.clone(), sent.clone(), answered.clone(), lost.clone(), after.clone());
            std::thread::spawn(move || {
                let mut n = 0usize;
                // Set by a 503 on the current connection: no 200 may follow it there.
                let mut refused;
                'conns: loop {
                    refused = false;
                    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
                        assert!(signalled.load(SeqCst), "connect refused before the signal");
                        return;
                    };
                    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                    loop {
                        n += 1;
                        let uri = if (n + i) % 2 == 0 { "/work" } else { "/" };
                        if s.write_all(format!("GET {uri} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()).is_err() {
                            lost.fetch_add(1, SeqCst);
                            return;
                        }
                        sent.fetch_add(1, SeqCst);
                        match read_response(&mut s) {
                            Ok((st, head, _)) => {
                                answered.fetch_add(1, SeqCst);
                                // Read after the response: the flag is set before the
                                // signal is sent, so any 503 must see it.
                                let after_signal = signalled.load(SeqCst);
                                match st {
                                    200 => assert!(!refused, "client {i}: 200 after a 503 on one connection"),
                                    503 => {
                                        assert!(after_signal, "client {i}: 503 before the signal");
                                        refused = true;
                                    }
                                    _ => panic!("client {i}: status {st}"),
                                }
                                if after_signal {
                                    after.fetch_add(1, SeqCst);
                                }
                                if head.contains("Connection: close") {
                                    // The server closes now: it must be a clean EOF.
                                    let mut rest = Vec::new();
                                    assert_eq!(s.read_to_end(&mut rest).map(|_| rest.len()).ok(), Some(0));
                                    continue 'conns;
                                }
                            }
                            Err(e) => {
                                eprintln!("client {i}: request {n} lost: {e}");
                                lost.fetch_add(1, SeqCst);
                                return;
                            }
                        }
                    }
                }
            })
        })
        .collect();
    // Let the load run, then signal.
    let deadline = Instant::now() + Duration::from_secs(10);
    while answered.load(SeqCst) < 500 && Instant::now() < deadline {
        std::thread::yield_now();
    }
    signalled.store(true, SeqCst);
    let t0 = Instant::now();
    sigterm(&child);
    for c in clients {
        c.join().unwrap();
    }
    let code = wait_exit(&mut child, 8000);
    eprintln!(
        "sent {} answered {} after-signal {} lost {} exit after {:?}",
        sent.load(SeqCst),
        answered.load(SeqCst),
        after.load(SeqCst),
        lost.load(SeqCst),
        t0.elapsed()
    );
    assert_eq!(code, Some(0));
    assert_eq!(lost.load(SeqCst), 0);
    assert_eq!(sent.load(SeqCst), answered.load(SeqCst));
    assert!(answered.load(SeqCst) >= 500);
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err(), "listener closed");
}

/// The WebSocket examples: the client's messages come back, the server's
/// greeting and timer pushes arrive, the close handshake completes; then a
/// raw WebSocket client sees SIGTERM turn into a CLOSE 1001, answers it,
/// and the server exits at once (not at the end of the grace period).
#[test]
fn websocket_server_and_client() {
    let server = build_example("websocket-server");
    let client = build_example("websocket-client");
    let (mut child, port) = start_server(&server, &["http://127.0.0.1:0", "50"]);
    let out = Command::new(&client)
        .args([format!("ws://127.0.0.1:{port}/websocket"), "hello".into(), "world".into()])
        .env("PUSHES", "3")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("hello, client "), "{text}");
    assert!(lines.contains(&"hello") && lines.contains(&"world"), "{text}");
    assert!(lines.iter().filter(|l| l.starts_with("{\"time\":")).count() >= 2, "{text}");

    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(
        b"GET /websocket HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
          Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
    )
    .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0);
        got.extend_from_slice(&buf[..n]);
    }
    let t0 = Instant::now();
    sigterm(&child);
    while !got.ends_with(&[0x88, 0x02, 0x03, 0xe9]) {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "EOF before the CLOSE 1001");
        got.extend_from_slice(&buf[..n]);
    }
    s.write_all(&[0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe9]).unwrap(); // our CLOSE (zero mask)
    assert_eq!(s.read(&mut buf).unwrap(), 0, "closed after our CLOSE, no echo");
    assert_eq!(wait_exit(&mut child, 2500), Some(0));
    assert!(t0.elapsed() < Duration::from_millis(2500));
}

/// The C programs of `bench/` keep building (-Wall -Wextra -Werror) and
/// doing what the benchmark relies on.
#[test]
fn bench_programs_build_and_run() {
    let bench = util::repo().join("bench");
    let hello = util::compile_c(&[&bench.join("servers/hello.c")], util::Link::Shared, &[]).unwrap();
    let (mut child, port) = start_server(&hello, &["http://127.0.0.1:0"]);
    let (st, head, body) = get(port, "GET / HTTP/1.1\r\n\r\n");
    assert_eq!((st, &body[..]), (200, &b"hello\n"[..]), "{head}");
    sigterm(&child);
    assert_eq!(wait_exit(&mut child, 3000), Some(0));

    let walk = util::compile_c(&[&bench.join("walk_idle.c")], util::Link::Shared, &[]).unwrap();
    let out = Command::new(&walk).args(["40", "100"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    // 40 accepted connections plus the listener.
    assert!(text.starts_with("connections=41 ns/connection/iteration="), "{text}");
}

/// https-server with a certificate made here (openssl CLI), fetched by the
/// http-client example (verifying with that certificate as CA, then
/// without a CA) and by curl; a CA that does not match fails. Then its
/// wss:// echo with the websocket-client example, and SIGTERM with a
/// WebSocket open (CLOSE 1001 over TLS).
#[test]
fn https_server_and_client() {
    let dir = util::target_dir().join("https-example");
    std::fs::create_dir_all(&dir).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let st = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
        ])
        .args(["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl");
    assert!(st.status.success(), "{}", String::from_utf8_lossy(&st.stderr));
    let server = build_example("https-server");
    let client = build_example("http-client");
    let (cs, ks) = (cert.to_string_lossy().into_owned(), key.to_string_lossy().into_owned());
    let (mut child, port) = start_server(&server, &["https://127.0.0.1:0", &cs, &ks]);
    let url = format!("https://localhost:{port}/");
    for args in [vec![url.clone(), cs.clone()], vec![url.clone()]] {
        let out = Command::new(&client).args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout), "Hello over TLS!\n");
    }
    let out = Command::new("curl").args(["-s", "--cacert", &cs, &url]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Hello over TLS!\n");
    // The server's own certificate is not a CA for a different one.
    let other = dir.join("other.pem");
    let st = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
        ])
        .args(["-subj", "/CN=other", "-keyout"])
        .arg(dir.join("other.key"))
        .arg("-out")
        .arg(&other)
        .output()
        .unwrap();
    assert!(st.status.success());
    let out = Command::new(&client).arg(&url).arg(&other).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: TLS: invalid peer certificate"));

    // wss:// on the same server: the websocket-client example, verifying
    // with the certificate, gets its messages echoed and closes cleanly.
    let ws = build_example("websocket-client");
    let wss = format!("wss://localhost:{port}/websocket");
    let out = Command::new(&ws).args([&wss, "hello", "wss"]).env("CA", &cs).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello\nwss\n");
    // A wrong CA fails the handshake before any frame.
    let out = Command::new(&ws).args([&wss, "x"]).env("CA", &other).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: TLS: invalid peer certificate"));

    // A client that waits for a push that never comes: SIGTERM turns into a
    // CLOSE 1001 over TLS, the client answers it and exits cleanly (exit 0:
    // it saw the CLOSE, no error event), and the server exits before its
    // 3 s grace period ends (tests/python/test_py_wss.py checks the
    // close_notify that follows the CLOSE).
    let mut waiting = Command::new(&ws)
        .args([&wss, "waiting"])
        .env("CA", &cs)
        .env("PUSHES", "1")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(waiting.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    assert_eq!(line, "waiting\n");
    let t0 = Instant::now();
    sigterm(&child);
    assert_eq!(wait_exit(&mut waiting, 2500), Some(0), "client after CLOSE 1001");
    assert_eq!(wait_exit(&mut child, 2500), Some(0));
    assert!(t0.elapsed() < Duration::from_millis(2500));
}
