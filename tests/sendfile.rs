//! File bodies served by `mg_http_serve_dir` go from the file to the socket
//! with `sendfile` once the head is out: the bytes must be exactly those of
//! the file (whole and ranged), MG_EV_WRITE must still report every byte
//! sent, and a file that shrinks mid-body must end the connection. The
//! library's statistics counters (`net::fs::SENDFILE_BYTES`/`_CALLS`) prove
//! the body went by `sendfile` and not through `c->send`.
mod util;

use mongoose::abi::*;
use mongoose::ffi::fs::mg_http_serve_dir;
use mongoose::ffi::http::mg_http_listen;
use mongoose::ffi::net::*;
use std::ffi::{c_int, c_void, CString};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The counters are process-wide: the tests of this file run one at a time
/// so each sees only its own bytes.
static SERIAL: Mutex<()> = Mutex::new(());

fn sendfile_stats() -> (u64, u64) {
    use mongoose::net::fs::{SENDFILE_BYTES, SENDFILE_CALLS};
    (SENDFILE_BYTES.load(Relaxed), SENDFILE_CALLS.load(Relaxed))
}

struct Ctx {
    root: CString,
    written: u64,
}

unsafe extern "C" fn serve(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    // SAFETY: fn_data is the test's live Ctx; ev_data has the documented
    // type for each event.
    unsafe {
        let ctx = &mut *((*c).fn_data as *mut Ctx);
        match ev {
            MG_EV_HTTP_MSG => {
                let opts = mg_http_serve_opts {
                    root_dir: ctx.root.as_ptr(),
                    ssi_pattern: std::ptr::null(),
                    extra_headers: std::ptr::null(),
                    mime_types: std::ptr::null(),
                    page404: std::ptr::null(),
                    fs: std::ptr::null_mut(),
                };
                mg_http_serve_dir(c, ev_data as *mut mg_http_message, &opts);
            }
            MG_EV_WRITE if !(*c).flag(FLAG_IS_LISTENING) => ctx.written += *(ev_data as *const i64) as u64,
            _ => {}
        }
    }
}

fn pattern(i: usize) -> u8 {
    (i.wrapping_mul(131) ^ (i >> 9)) as u8
}

struct Server {
    mgr: Box<mg_mgr>,
    ctx: *mut Ctx,
    port: u16,
    dir: PathBuf,
}

impl Server {
    fn new(tag: &str) -> Server {
        let dir = std::env::temp_dir().join(format!("mg-sendfile-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // SAFETY: zeroed memory is what mg_mgr_init overwrites.
        let mut mgr: Box<mg_mgr> = Box::new(unsafe { std::mem::zeroed() });
        // SAFETY: valid manager memory.
        unsafe { mg_mgr_init(&mut *mgr) };
        let ctx =
            Box::into_raw(Box::new(Ctx { root: CString::new(dir.to_str().unwrap()).unwrap(), written: 0 }));
        let url = CString::new("http://127.0.0.1:0").unwrap();
        // SAFETY: live manager; `ctx` outlives it (freed in Drop after it).
        let lsn = unsafe { mg_http_listen(&mut *mgr, url.as_ptr(), Some(serve), ctx as *mut c_void) };
        assert!(!lsn.is_null());
        // SAFETY: a live listener.
        let port = u16::from_be(unsafe { (*lsn).loc.port });
        Server { mgr, ctx, port, dir }
    }

    /// Poll until `done` or 20 s.
    fn poll_until(&mut self, done: impl Fn() -> bool) {
        let end = Instant::now() + Duration::from_secs(20);
        while !done() && Instant::now() < end {
            // SAFETY: an initialised manager.
            unsafe { mg_mgr_poll(&mut *self.mgr, 10) };
        }
        assert!(done(), "timed out");
    }

    fn written(&self) -> u64 {
        // SAFETY: only the loop (this thread, inside polls) writes it.
        unsafe { (*self.ctx).written }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SAFETY: the manager is freed before the context it points at.
        unsafe {
            mg_mgr_free(&mut *self.mgr);
            drop(Box::from_raw(self.ctx));
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A client on its own thread: send `req`, read until EOF (slowly at first,
/// so the server's socket fills and sendfile meets EAGAIN), return the bytes.
fn fetch(port: u16, req: String, done: Arc<AtomicBool>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut s = util::connect_small(port);
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s.write_all(req.as_bytes()).unwrap();
        let mut out = Vec::new();
        let mut buf = vec![0u8; 4096];
        loop {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
            if out.len() < 256 * 1024 {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        done.store(true, Ordering::SeqCst);
        out
    })
}

fn split(resp: &[u8]) -> (String, &[u8]) {
    let end = resp.windows(4).position(|w| w == b"\r\n\r\n").expect("a head") + 4;
    (String::from_utf8_lossy(&resp[..end]).into_owned(), &resp[end..])
}

#[test]
fn whole_and_ranged_bodies_are_the_file_and_every_byte_is_reported() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut srv = Server::new("whole");
    let n = 12 * 1024 * 1024 + 123;
    let data: Vec<u8> = (0..n).map(pattern).collect();
    std::fs::write(srv.dir.join("f.bin"), &data).unwrap();

    let (bytes0, calls0) = sendfile_stats();
    let done = Arc::new(AtomicBool::new(false));
    let h = fetch(srv.port, "GET /f.bin HTTP/1.1\r\nConnection: close\r\n\r\n".into(), done.clone());
    srv.poll_until(|| done.load(Ordering::SeqCst));
    let resp = h.join().unwrap();
    let (head, body) = split(&resp);
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains(&format!("Content-Length: {n}\r\n")), "{head}");
    assert!(body == &data[..], "body differs from the file (len {} vs {n})", body.len());
    assert_eq!(srv.written(), resp.len() as u64, "MG_EV_WRITE reports every byte");
    // The whole body (not the head, which goes through `send`) left by
    // sendfile, in many turns since the slow reader's window is small.
    let (bytes1, calls1) = sendfile_stats();
    assert_eq!(bytes1 - bytes0, n as u64, "the body went by sendfile");
    assert!(calls1 - calls0 >= 2, "sendfile met a full socket and resumed ({} turns)", calls1 - calls0);

    let (a, b) = (1_000_003usize, 9_500_000usize);
    let done = Arc::new(AtomicBool::new(false));
    let req = format!("GET /f.bin HTTP/1.1\r\nRange: bytes={a}-{b}\r\nConnection: close\r\n\r\n");
    let h = fetch(srv.port, req, done.clone());
    srv.poll_until(|| done.load(Ordering::SeqCst));
    let resp = h.join().unwrap();
    let (head, body) = split(&resp);
    assert!(head.starts_with("HTTP/1.1 206 Partial Content\r\n"), "{head}");
    assert!(body == &data[a..=b], "ranged body differs (len {})", body.len());
    assert_eq!(sendfile_stats().0 - bytes1, (b - a + 1) as u64, "the range went by sendfile");
}

#[test]
fn a_file_that_shrinks_mid_body_ends_the_connection() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut srv = Server::new("shrink");
    let (bytes0, _) = sendfile_stats();
    let n = 8 * 1024 * 1024;
    let data: Vec<u8> = (0..n).map(pattern).collect();
    let path = srv.dir.join("s.bin");
    std::fs::write(&path, &data).unwrap();
    // A client that reads nothing until the file has been cut short.
    let mut s = util::connect_small(srv.port);
    s.write_all(b"GET /s.bin HTTP/1.1\r\n\r\n").unwrap();
    let ctx = srv.ctx;
    srv.poll_until(|| srv_written_nonzero(ctx));
    std::fs::OpenOptions::new().write(true).open(&path).unwrap().set_len(1024 * 1024).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(10))).unwrap();
    let mut got = Vec::new();
    let mut buf = vec![0u8; 65536];
    let end = Instant::now() + Duration::from_secs(20);
    let mut eof = false;
    while Instant::now() < end && !eof {
        // SAFETY: an initialised manager.
        unsafe { mg_mgr_poll(&mut *srv.mgr, 1) };
        loop {
            match s.read(&mut buf) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(k) => got.extend_from_slice(&buf[..k]),
                Err(_) => break,
            }
        }
    }
    assert!(eof, "the server closed the connection");
    let (head, body) = split(&got);
    assert!(head.contains(&format!("Content-Length: {n}\r\n")), "{head}");
    assert!(body.len() < n, "a short body ({} bytes)", body.len());
    assert!(body == &data[..body.len()], "what was sent is the file's prefix");
    assert_eq!(sendfile_stats().0 - bytes0, body.len() as u64, "the prefix went by sendfile");
}

fn srv_written_nonzero(ctx: *mut Ctx) -> bool {
    // SAFETY: the test's live context, written only inside polls.
    unsafe { (*ctx).written > 0 }
}
