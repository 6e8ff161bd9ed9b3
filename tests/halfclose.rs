//! Output that is still pending when a connection stops reading must reach
//! the peer before the close:
//! - a draining connection (`c->is_draining`) flushes a multi-megabyte
//!   `send` buffer to a slow reader before closing;
//! - a client that half-closes (`shutdown(SHUT_WR)`) right after its request
//!   still gets the whole response: a small reply, a multi-megabyte reply
//!   queued in `send`, and a multi-megabyte static file sent by `sendfile`.
//!
//! - the same over TLS, whether the client sends close_notify before its
//!   FIN or only the FIN: the response, then our close_notify, then the
//!   close.
//!
//! The clients read slowly through a small receive buffer, so the server's
//! socket fills and the response leaves in many writes: a close that came
//! before the flush would cut the body short.
mod util;

use mongoose::abi::*;
use mongoose::ffi::fs::mg_http_serve_dir;
use mongoose::ffi::http::mg_http_listen;
use mongoose::ffi::net::*;
use mongoose::ffi::tls::mg_tls_init;
use std::ffi::{c_int, c_void, CString};
use std::io::{Read, Write};
use std::net::Shutdown;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const BIG: usize = 6 * 1024 * 1024 + 17;

fn pattern(i: usize) -> u8 {
    (i.wrapping_mul(167) ^ (i >> 11)) as u8
}

struct Ctx {
    root: CString,
    body: Vec<u8>,
    /// `is_draining` was set and the connection was still open afterwards
    /// with bytes left in `send` (so the drain had something to flush).
    drained_with_pending: bool,
    /// Serve TLS with this certificate and key (PEM).
    tls: Option<(String, String)>,
}

unsafe extern "C" fn handler(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    // SAFETY: fn_data is the test's live Ctx; ev_data has the documented
    // type for each event.
    unsafe {
        let ctx = &mut *((*c).fn_data as *mut Ctx);
        if ev == MG_EV_ACCEPT {
            if let Some((cert, key)) = &ctx.tls {
                let s = |v: &String| mg_str { buf: v.as_ptr() as *mut _, len: v.len() };
                let opts = mg_tls_opts {
                    ca: mg_str::NULL,
                    cert: s(cert),
                    key: s(key),
                    name: mg_str::NULL,
                    skip_verification: false,
                };
                mg_tls_init(c, &opts);
            }
        }
        if ev != MG_EV_HTTP_MSG {
            return;
        }
        let hm = ev_data as *mut mg_http_message;
        let uri = std::slice::from_raw_parts((*hm).uri.buf as *const u8, (*hm).uri.len);
        match uri {
            b"/small" => {
                let r = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
                assert!(mg_send(c, r.as_ptr() as *const c_void, r.len()));
            }
            b"/big" | b"/big-drain" => {
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", ctx.body.len());
                assert!(mg_send(c, head.as_ptr() as *const c_void, head.len()));
                assert!(mg_send(c, ctx.body.as_ptr() as *const c_void, ctx.body.len()));
                if uri == b"/big-drain" {
                    (*c).set_flag(FLAG_IS_DRAINING, true);
                    ctx.drained_with_pending = (*c).send.len > 0;
                }
            }
            _ => {
                let opts = mg_http_serve_opts {
                    root_dir: ctx.root.as_ptr(),
                    ssi_pattern: std::ptr::null(),
                    extra_headers: std::ptr::null(),
                    mime_types: std::ptr::null(),
                    page404: std::ptr::null(),
                    fs: std::ptr::null_mut(),
                };
                mg_http_serve_dir(c, hm, &opts);
            }
        }
    }
}

struct Server {
    mgr: Box<mg_mgr>,
    ctx: *mut Ctx,
    port: u16,
    dir: PathBuf,
}

impl Server {
    fn new(tag: &str) -> Server {
        Server::start(tag, None)
    }

    /// An https server with a certificate for "localhost" signed by `ca`.
    fn new_tls(tag: &str, ca: &TestCa) -> Server {
        Server::start(tag, Some(ca.leaf.clone()))
    }

    fn start(tag: &str, tls: Option<(String, String)>) -> Server {
        let dir = std::env::temp_dir().join(format!("mg-halfclose-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let body: Vec<u8> = (0..BIG).map(pattern).collect();
        std::fs::write(dir.join("f.bin"), &body).unwrap();
        // SAFETY: zeroed memory is what mg_mgr_init overwrites.
        let mut mgr: Box<mg_mgr> = Box::new(unsafe { std::mem::zeroed() });
        // SAFETY: valid manager memory.
        unsafe { mg_mgr_init(&mut *mgr) };
        let ctx = Box::into_raw(Box::new(Ctx {
            root: CString::new(dir.to_str().unwrap()).unwrap(),
            body,
            drained_with_pending: false,
            tls: tls.clone(),
        }));
        let scheme = if tls.is_some() { "https" } else { "http" };
        let url = CString::new(format!("{scheme}://127.0.0.1:0")).unwrap();
        // SAFETY: live manager; `ctx` outlives it (freed in Drop after it).
        let lsn = unsafe { mg_http_listen(&mut *mgr, url.as_ptr(), Some(handler), ctx as *mut c_void) };
        assert!(!lsn.is_null());
        // SAFETY: a live listener.
        let port = u16::from_be(unsafe { (*lsn).loc.port });
        Server { mgr, ctx, port, dir }
    }

    fn body(&self) -> &[u8] {
        // SAFETY: the test's live context; `body` is never written after new().
        unsafe { &(*self.ctx).body }
    }

    /// Poll until `done` or 30 s.
    fn poll_until(&mut self, done: impl Fn() -> bool) {
        let end = Instant::now() + Duration::from_secs(30);
        while !done() && Instant::now() < end {
            // SAFETY: an initialised manager.
            unsafe { mg_mgr_poll(&mut *self.mgr, 10) };
        }
        assert!(done(), "timed out");
    }

    /// Run `req` from a slow client thread (optionally half-closing after
    /// the request) while polling; return everything it read before EOF.
    fn exchange(&mut self, req: &str, half_close: bool) -> Vec<u8> {
        let done = Arc::new(AtomicBool::new(false));
        let (port, req, d) = (self.port, req.to_string(), done.clone());
        let h = std::thread::spawn(move || {
            let mut s = util::connect_small(port);
            s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            s.write_all(req.as_bytes()).unwrap();
            if half_close {
                s.shutdown(Shutdown::Write).unwrap();
            }
            let mut out = Vec::new();
            let mut buf = vec![0u8; 4096];
            loop {
                match s.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => out.extend_from_slice(&buf[..n]),
                    Err(e) => panic!("read after {} bytes: {e}", out.len()),
                }
                // Slow at first: the server's socket fills and the
                // response goes out in many writes.
                if out.len() < 512 * 1024 {
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
            d.store(true, Ordering::SeqCst);
            out
        });
        self.poll_until(|| done.load(Ordering::SeqCst));
        h.join().unwrap()
    }

    /// `exchange` over TLS (rustls client): after the request, optionally
    /// close_notify, then the FIN. Returns the plaintext read and whether
    /// the server's close_notify came before its FIN.
    fn tls_exchange(&mut self, req: &str, ca: &TestCa, notify: bool) -> (Vec<u8>, bool) {
        let done = Arc::new(AtomicBool::new(false));
        let (port, req, d) = (self.port, req.to_string(), done.clone());
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca.der.clone()).unwrap();
        let cfg =
            Arc::new(rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth());
        let h = std::thread::spawn(move || {
            let mut s = util::connect_small(port);
            s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
            let mut tls = rustls::ClientConnection::new(cfg, name).unwrap();
            tls.writer().write_all(req.as_bytes()).unwrap();
            while tls.is_handshaking() || tls.wants_write() {
                tls.complete_io(&mut s).unwrap();
            }
            if notify {
                tls.send_close_notify();
                while tls.wants_write() {
                    tls.write_tls(&mut s).unwrap();
                }
            }
            s.shutdown(Shutdown::Write).unwrap();
            let (mut out, mut notified) = (Vec::new(), false);
            let mut buf = vec![0u8; 4096];
            loop {
                let n =
                    tls.read_tls(&mut s).unwrap_or_else(|e| panic!("read after {} bytes: {e}", out.len()));
                let st = tls.process_new_packets().expect("valid TLS records");
                notified |= st.peer_has_closed();
                loop {
                    match tls.reader().read(&mut buf) {
                        Ok(0) => break,
                        Ok(k) => out.extend_from_slice(&buf[..k]),
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                        // The FIN without a close_notify.
                        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                        Err(e) => panic!("{e}"),
                    }
                }
                if n == 0 {
                    break;
                }
                if out.len() < 512 * 1024 {
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
            d.store(true, Ordering::SeqCst);
            (out, notified)
        });
        self.poll_until(|| done.load(Ordering::SeqCst));
        h.join().unwrap()
    }
}

/// A CA and a "localhost" leaf it signed (rcgen).
struct TestCa {
    der: rustls::pki_types::CertificateDer<'static>,
    leaf: (String, String),
}

impl TestCa {
    fn new() -> TestCa {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
        let ca_key = KeyPair::generate().unwrap();
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name.push(DnType::CommonName, "half-close test CA");
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = p.self_signed(&ca_key).unwrap();
        let key = KeyPair::generate().unwrap();
        let leaf = CertificateParams::new(vec!["localhost".to_string()])
            .unwrap()
            .signed_by(&key, &ca, &ca_key)
            .unwrap();
        TestCa { der: ca.der().clone(), leaf: (leaf.pem(), key.serialize_pem()) }
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

/// Split a response into head and body; the head's Content-Length must be
/// `n` and the body exactly `want`.
fn check(resp: &[u8], status: &str, want: &[u8]) {
    let end = resp.windows(4).position(|w| w == b"\r\n\r\n").expect("a head") + 4;
    let head = String::from_utf8_lossy(&resp[..end]);
    assert!(head.starts_with(status), "{head}");
    assert!(head.contains(&format!("Content-Length: {}\r\n", want.len())), "{head}");
    let body = &resp[end..];
    assert_eq!(body.len(), want.len(), "every body byte arrives before the close");
    assert!(body == want, "the body is the one sent");
}

#[test]
fn a_draining_connection_flushes_megabytes_to_a_slow_reader_then_closes() {
    let mut srv = Server::new("drain");
    // No `Connection: close` and no half-close: only the drain ends it, so
    // the EOF the client waits for proves the close came, after the body.
    let resp = srv.exchange("GET /big-drain HTTP/1.1\r\n\r\n", false);
    // SAFETY: the test's live context, written only inside polls.
    assert!(unsafe { (*srv.ctx).drained_with_pending }, "the drain began with megabytes queued");
    let body = srv.body().to_vec();
    check(&resp, "HTTP/1.1 200 OK\r\n", &body);
}

#[test]
fn half_close_after_the_request_still_gets_a_small_reply() {
    let mut srv = Server::new("small");
    let resp = srv.exchange("GET /small HTTP/1.1\r\n\r\n", true);
    assert_eq!(resp, b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
}

#[test]
fn half_close_after_the_request_gets_a_multi_megabyte_reply_from_send() {
    let mut srv = Server::new("big");
    let resp = srv.exchange("GET /big HTTP/1.1\r\n\r\n", true);
    let body = srv.body().to_vec();
    check(&resp, "HTTP/1.1 200 OK\r\n", &body);
}

#[test]
fn half_close_after_the_request_gets_a_whole_static_file() {
    use mongoose::net::fs::SENDFILE_BYTES;
    use std::sync::atomic::Ordering::Relaxed;
    let mut srv = Server::new("file");
    // Only this test of the file serves files: the process-wide counter
    // moves by exactly its bodies.
    let sent0 = SENDFILE_BYTES.load(Relaxed);
    let resp = srv.exchange("GET /f.bin HTTP/1.1\r\n\r\n", true);
    let body = srv.body().to_vec();
    check(&resp, "HTTP/1.1 200 OK\r\n", &body);
    // A ranged request too: the range, whole, then the close.
    let (a, b) = (123_457usize, 5_000_001usize);
    let resp = srv.exchange(&format!("GET /f.bin HTTP/1.1\r\nRange: bytes={a}-{b}\r\n\r\n"), true);
    check(&resp, "HTTP/1.1 206 Partial Content\r\n", &body[a..=b]);
    assert_eq!(SENDFILE_BYTES.load(Relaxed) - sent0, (BIG + b - a + 1) as u64, "the bodies went by sendfile");
}

#[test]
fn tls_half_close_after_the_request_gets_a_whole_static_file() {
    let ca = TestCa::new();
    let mut srv = Server::new_tls("tls", &ca);
    let body = srv.body().to_vec();
    for notify in [true, false] {
        let (resp, notified) = srv.tls_exchange("GET /f.bin HTTP/1.1\r\n\r\n", &ca, notify);
        check(&resp, "HTTP/1.1 200 OK\r\n", &body);
        assert!(notified, "our close_notify ends the stream (client close_notify: {notify})");
        let (resp, _) = srv.tls_exchange("GET /big HTTP/1.1\r\n\r\n", &ca, notify);
        check(&resp, "HTTP/1.1 200 OK\r\n", &body);
        let (resp, _) = srv.tls_exchange("GET /small HTTP/1.1\r\n\r\n", &ca, notify);
        assert_eq!(resp, b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
    }
}
