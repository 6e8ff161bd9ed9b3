//! TLS (rustls) against independent implementations: curl and
//! `openssl s_client` against our https server (TLS 1.3 and 1.2, mTLS),
//! Python `ssl` servers against our client (right CA, wrong CA, wrong name,
//! expired certificate, skip_verification), failures as MG_EV_ERROR, load
//! (1,000 sequential and 100 concurrent requests), a large static file, and
//! graceful shutdown under load. Certificates are made by the test (rcgen).
use mongoose::abi::*;
use mongoose::ffi::fs::mg_http_serve_dir;
use mongoose::ffi::http::{mg_http_connect, mg_http_listen};
use mongoose::ffi::net::*;
use mongoose::ffi::tls::mg_tls_init;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};
use std::ffi::{c_int, c_void, CString};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------- certificates

struct Pki {
    dir: PathBuf,
    ca: String,
    other_ca: String,
    server_cert: String,
    server_key: String,
    expired_cert: String,
    expired_key: String,
    client_cert: String,
    client_key: String,
}

fn ca_params(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p
}

fn leaf(names: &[&str], ca: &rcgen::Certificate, ca_key: &KeyPair, expired: bool) -> (String, String) {
    let mut p = CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
    p.distinguished_name.push(DnType::CommonName, names[0]);
    if expired {
        p.not_before = rcgen::date_time_ymd(2020, 1, 1);
        p.not_after = rcgen::date_time_ymd(2021, 1, 1);
    }
    let key = KeyPair::generate().unwrap();
    let cert = p.signed_by(&key, ca, ca_key).unwrap();
    (cert.pem(), key.serialize_pem())
}

fn pki() -> &'static Pki {
    static P: OnceLock<Pki> = OnceLock::new();
    P.get_or_init(|| {
        let ca_key = KeyPair::generate().unwrap();
        let ca = ca_params("mongoose-rs test CA").self_signed(&ca_key).unwrap();
        let other_key = KeyPair::generate().unwrap();
        let other = ca_params("another CA").self_signed(&other_key).unwrap();
        let (server_cert, server_key) = leaf(&["localhost", "127.0.0.1"], &ca, &ca_key, false);
        let (expired_cert, expired_key) = leaf(&["localhost", "127.0.0.1"], &ca, &ca_key, true);
        let (client_cert, client_key) = leaf(&["client"], &ca, &ca_key, false);
        let dir = std::env::temp_dir().join(format!("mongoose-rs-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = Pki {
            dir,
            ca: ca.pem(),
            other_ca: other.pem(),
            server_cert,
            server_key,
            expired_cert,
            expired_key,
            client_cert,
            client_key,
        };
        for (name, body) in [
            ("ca.pem", &p.ca),
            ("other_ca.pem", &p.other_ca),
            ("server.pem", &p.server_cert),
            ("server.key", &p.server_key),
            ("expired.pem", &p.expired_cert),
            ("expired.key", &p.expired_key),
            ("client.pem", &p.client_cert),
            ("client.key", &p.client_key),
        ] {
            std::fs::write(p.dir.join(name), body).unwrap();
        }
        p
    })
}

fn path(name: &str) -> String {
    pki().dir.join(name).to_string_lossy().into_owned()
}

// ---------------------------------------------------------------- our server

#[derive(Clone, Default)]
struct SrvOpts {
    ca: Vec<u8>,
    cert: Vec<u8>,
    key: Vec<u8>,
    /// Serve files from here for URIs under /files/.
    root: Option<PathBuf>,
}

#[derive(Default)]
struct SrvLog {
    errors: Vec<String>,
    handshakes: usize,
    requests: usize,
    /// Flags seen: is_tls during HTTP_MSG (all must be 1).
    plaintext_msgs: usize,
}

struct SrvState {
    opts: SrvOpts,
    root: Option<CString>,
    log: Arc<Mutex<SrvLog>>,
}

fn mgstr(b: &[u8]) -> mg_str {
    mg_str { buf: b.as_ptr() as *mut _, len: b.len() }
}

const BODY: &[u8] = b"hello over https\n";

fn response() -> Vec<u8> {
    let mut r =
        format!("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n", BODY.len())
            .into_bytes();
    r.extend_from_slice(BODY);
    r
}

unsafe extern "C" fn srv_fn(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    // SAFETY: fn_data is the SrvState owned by the server thread; ev_data
    // has the documented type for each event.
    unsafe {
        let st = &*((*c).fn_data as *const SrvState);
        match ev {
            MG_EV_ACCEPT => {
                let o = &st.opts;
                let opts = mg_tls_opts {
                    ca: mgstr(&o.ca),
                    cert: mgstr(&o.cert),
                    key: mgstr(&o.key),
                    name: mg_str::NULL,
                    skip_verification: false,
                };
                mg_tls_init(c, &opts);
            }
            MG_EV_TLS_HS => st.log.lock().unwrap().handshakes += 1,
            MG_EV_ERROR => {
                let msg = std::ffi::CStr::from_ptr(ev_data as *const i8).to_string_lossy().into_owned();
                st.log.lock().unwrap().errors.push(msg);
            }
            MG_EV_HTTP_MSG => {
                let hm = &mut *(ev_data as *mut mg_http_message);
                {
                    let mut l = st.log.lock().unwrap();
                    l.requests += 1;
                    if !(*c).flag(FLAG_IS_TLS) || (*c).flag(FLAG_IS_TLS_HS) {
                        l.plaintext_msgs += 1;
                    }
                }
                if hm.uri.as_bytes().starts_with(b"/files/") {
                    let root = st.root.as_ref().unwrap();
                    let so = mg_http_serve_opts {
                        root_dir: root.as_ptr(),
                        ssi_pattern: std::ptr::null(),
                        extra_headers: std::ptr::null(),
                        mime_types: std::ptr::null(),
                        page404: std::ptr::null(),
                        fs: std::ptr::null_mut(),
                    };
                    mg_http_serve_dir(c, hm, &so);
                } else {
                    let r = response();
                    mg_send(c, r.as_ptr() as *const c_void, r.len());
                    // A raw response: tell the HTTP layer it is complete
                    // (what mg_http_reply does).
                    (*c).set_flag(FLAG_IS_RESP, false);
                }
            }
            _ => {}
        }
    }
}

struct Server {
    port: u16,
    stop: Arc<AtomicBool>,
    /// Begin a graceful shutdown (grace ms) instead of a plain stop.
    shutdown: Arc<Mutex<Option<u64>>>,
    log: Arc<Mutex<SrvLog>>,
    handle: Option<thread::JoinHandle<()>>,
}

impl Server {
    fn start(opts: SrvOpts) -> Server {
        let stop = Arc::new(AtomicBool::new(false));
        let shutdown = Arc::new(Mutex::new(None::<u64>));
        let log = Arc::new(Mutex::new(SrvLog::default()));
        let (tx, rx) = mpsc::channel();
        let (stop2, shutdown2, log2) = (stop.clone(), shutdown.clone(), log.clone());
        let handle = thread::spawn(move || {
            let root = opts.root.as_ref().map(|p| CString::new(p.to_string_lossy().as_bytes()).unwrap());
            let st = Box::new(SrvState { opts, root, log: log2 });
            // SAFETY: the manager and state live on this thread until the end.
            unsafe {
                let mut mgr: Box<mg_mgr> = Box::new(std::mem::zeroed());
                mg_mgr_init(&mut *mgr);
                let url = CString::new("https://127.0.0.1:0").unwrap();
                let lsn = mg_http_listen(
                    &mut *mgr,
                    url.as_ptr(),
                    Some(srv_fn),
                    &*st as *const SrvState as *mut c_void,
                );
                assert!(!lsn.is_null());
                tx.send(u16::from_be((*lsn).loc.port)).unwrap();
                let mut shutting = false;
                while !stop2.load(Ordering::Acquire) {
                    if let Some(g) = shutdown2.lock().unwrap().take() {
                        mg_mgr_shutdown(&mut *mgr, g as _);
                        shutting = true;
                    }
                    if shutting && mg_mgr_is_done(&mut *mgr) {
                        break;
                    }
                    mg_mgr_poll(&mut *mgr, 10);
                }
                mg_mgr_free(&mut *mgr);
            }
        });
        let port = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        Server { port, stop, shutdown, log, handle: Some(handle) }
    }

    fn simple() -> Server {
        let p = pki();
        Server::start(SrvOpts {
            cert: p.server_cert.clone().into_bytes(),
            key: p.server_key.clone().into_bytes(),
            ..Default::default()
        })
    }

    fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn curl(args: &[&str]) -> (bool, Vec<u8>, String) {
    let out = Command::new("curl").args(["-s", "-S", "--max-time", "10"]).args(args).output().unwrap();
    (out.status.success(), out.stdout, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn wait_for(mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + Duration::from_secs(5);
    while Instant::now() < end {
        if f() {
            return true;
        }
        thread::sleep(Duration::from_millis(5));
    }
    f()
}

// ---------------------------------------------------------------- server tests

#[test]
fn curl_gets_exact_bytes_over_tls13_and_tls12() {
    let s = Server::simple();
    let ca = path("ca.pem");
    for ver in [&["--tlsv1.3"][..], &["--tlsv1.2", "--tls-max", "1.2"][..]] {
        let mut args = vec!["-i", "--cacert", ca.as_str()];
        args.extend_from_slice(ver);
        let url = s.url("/");
        args.push(&url);
        let (ok, out, err) = curl(&args);
        assert!(ok, "curl {ver:?}: {err}");
        assert_eq!(out, response(), "{}", String::from_utf8_lossy(&out));
    }
    // Keep-alive: three requests on one connection, one handshake.
    let before = s.log.lock().unwrap().handshakes;
    let (u1, u2, u3) = (s.url("/a"), s.url("/b"), s.url("/c"));
    let (ok, out, err) = curl(&["--cacert", &ca, &u1, &u2, &u3]);
    assert!(ok, "{err}");
    assert_eq!(out, [BODY, BODY, BODY].concat());
    let l = s.log.lock().unwrap();
    assert_eq!(l.handshakes - before, 1);
    assert_eq!(l.plaintext_msgs, 0);
    assert!(l.errors.is_empty(), "{:?}", l.errors);
}

fn s_client(port: u16, extra: &[&str]) -> (bool, Vec<u8>, String) {
    let ca = path("ca.pem");
    let connect = format!("127.0.0.1:{port}");
    let mut child = Command::new("openssl")
        .args(["s_client", "-quiet", "-connect", &connect, "-servername", "localhost", "-CAfile", &ca])
        .args(["-verify_return_error", "-verify_hostname", "localhost"])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The request asks for the connection to be closed: our server drains,
    // sends close_notify and closes, and s_client exits on its own.
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.success(), out.stdout, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn openssl_s_client_tls13_and_tls12_with_close_notify() {
    let s = Server::simple();
    for v in ["-tls1_3", "-tls1_2"] {
        let (_ok, out, err) = s_client(s.port, &[v]);
        assert_eq!(out, response(), "{v}: {err}");
        assert!(!err.contains("unexpected eof"), "{v}: no close_notify? {err}");
        assert!(err.contains("verify return:1"), "{err}");
    }
    assert!(s.log.lock().unwrap().errors.is_empty());
}

#[test]
fn mtls_requires_a_client_certificate() {
    let p = pki();
    let s = Server::start(SrvOpts {
        ca: p.ca.clone().into_bytes(),
        cert: p.server_cert.clone().into_bytes(),
        key: p.server_key.clone().into_bytes(),
        ..Default::default()
    });
    let (ca, cc, ck) = (path("ca.pem"), path("client.pem"), path("client.key"));
    let url = s.url("/");
    let (ok, out, err) = curl(&["--cacert", &ca, "--cert", &cc, "--key", &ck, &url]);
    assert!(ok, "{err}");
    assert_eq!(out, BODY);
    let (ok, out, _) = curl(&["--cacert", &ca, &url]);
    assert!(!ok && out.is_empty());
    // A certificate from an unknown CA is refused too.
    assert!(wait_for(|| s.log.lock().unwrap().errors.len() == 1));
    let l = s.log.lock().unwrap();
    assert!(l.errors[0].starts_with("TLS: ") && l.errors[0].contains("certificate"), "{:?}", l.errors);
    assert_eq!(l.requests, 1);
}

#[test]
fn plaintext_client_on_tls_port_is_an_error_event() {
    let s = Server::simple();
    let mut t = std::net::TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    t.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    t.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = Vec::new();
    let _ = t.read_to_end(&mut buf);
    // Whatever came back is a TLS alert record (content type 21), never HTTP.
    assert!(buf.is_empty() || buf[0] == 21, "{buf:?}");
    assert!(wait_for(|| !s.log.lock().unwrap().errors.is_empty()));
    let l = s.log.lock().unwrap();
    assert!(l.errors[0].starts_with("TLS: "), "{:?}", l.errors);
    assert_eq!(l.requests, 0);
}

#[test]
fn bad_pem_and_wrong_key_fail_as_events_and_send_nothing() {
    let p = pki();
    for (cert, key, want) in [
        (b"garbage".to_vec(), p.server_key.clone().into_bytes(), "TLS: no certificate in cert"),
        (p.server_cert.clone().into_bytes(), b"nonsense".to_vec(), "TLS: no private key in key"),
        (p.server_cert.clone().into_bytes(), p.client_key.clone().into_bytes(), "TLS: cert/key"),
        (Vec::new(), Vec::new(), "TLS: server needs cert and key"),
    ] {
        let s = Server::start(SrvOpts { cert, key, ..Default::default() });
        let mut t = std::net::TcpStream::connect(("127.0.0.1", s.port)).unwrap();
        t.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = Vec::new();
        let _ = t.read_to_end(&mut buf);
        assert!(buf.is_empty(), "{buf:?}");
        assert!(wait_for(|| !s.log.lock().unwrap().errors.is_empty()));
        let l = s.log.lock().unwrap();
        assert!(l.errors[0].starts_with(want), "{:?} vs {want}", l.errors);
    }
}

#[test]
fn key_in_the_cert_pem_and_der_are_accepted() {
    let p = pki();
    // cert + key in one PEM, key empty.
    let both = format!("{}{}", p.server_cert, p.server_key).into_bytes();
    let s = Server::start(SrvOpts { cert: both, ..Default::default() });
    let (ca, url) = (path("ca.pem"), s.url("/"));
    let (ok, out, err) = curl(&["--cacert", &ca, &url]);
    assert!(ok, "{err}");
    assert_eq!(out, BODY);
    drop(s);
    // DER certificate and key (MG_IS_DER: first byte 0x30).
    let der_cert = rustls_pki_types::CertificateDer::from_pem_slice_der(&p.server_cert);
    let der_key = rustls_pki_types::PrivateKeyDer::from_pem_slice_der(&p.server_key);
    let s = Server::start(SrvOpts { cert: der_cert, key: der_key, ..Default::default() });
    let url = s.url("/");
    let (ok, out, err) = curl(&["--cacert", &ca, &url]);
    assert!(ok, "{err}");
    assert_eq!(out, BODY);
}

trait DerOf {
    fn from_pem_slice_der(pem: &str) -> Vec<u8>;
}
impl DerOf for rustls_pki_types::CertificateDer<'static> {
    fn from_pem_slice_der(pem: &str) -> Vec<u8> {
        use rustls_pki_types::pem::PemObject;
        rustls_pki_types::CertificateDer::from_pem_slice(pem.as_bytes()).unwrap().to_vec()
    }
}
impl DerOf for rustls_pki_types::PrivateKeyDer<'static> {
    fn from_pem_slice_der(pem: &str) -> Vec<u8> {
        use rustls_pki_types::pem::PemObject;
        rustls_pki_types::PrivateKeyDer::from_pem_slice(pem.as_bytes()).unwrap().secret_der().to_vec()
    }
}

#[test]
fn large_static_file_over_https() {
    let dir = pki().dir.join("www");
    std::fs::create_dir_all(dir.join("files")).unwrap();
    let data: Vec<u8> = (0..6_000_000u32).map(|i| (i.wrapping_mul(2654435761) >> 24) as u8).collect();
    std::fs::write(dir.join("files/big.bin"), &data).unwrap();
    let p = pki();
    let s = Server::start(SrvOpts {
        cert: p.server_cert.clone().into_bytes(),
        key: p.server_key.clone().into_bytes(),
        root: Some(dir.clone()),
        ..Default::default()
    });
    let (ca, url) = (path("ca.pem"), s.url("/files/big.bin"));
    let (ok, out, err) = curl(&["--cacert", &ca, &url]);
    assert!(ok, "{err}");
    assert_eq!(out.len(), data.len());
    assert!(out == data);
}

const LOAD_PY: &str = r#"
import http.client, ssl, sys, threading
port, ca, mode, n = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
ctx = ssl.create_default_context(cafile=ca)
def one(results, i):
    try:
        c = http.client.HTTPSConnection("localhost", port, context=ctx, timeout=10)
        c.request("GET", "/r%d" % i)
        r = c.getresponse()
        results.append((r.status, r.read()))
        c.close()
    except Exception as e:
        results.append(("error", repr(e)))
results = []
if mode == "seq":
    for i in range(n):
        one(results, i)
else:
    ts = [threading.Thread(target=one, args=(results, i)) for i in range(n)]
    for t in ts: t.start()
    for t in ts: t.join()
ok = sum(1 for s, b in results if s == 200 and b == b"hello over https\n")
print(ok)
for s, b in results:
    if s != 200: print(s, b); break
"#;

fn load(port: u16, mode: &str, n: usize) -> String {
    let out = Command::new("python3")
        .args(["-c", LOAD_PY, &port.to_string(), &path("ca.pem"), mode, &n.to_string()])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

#[test]
fn thousand_sequential_and_hundred_concurrent_requests() {
    let s = Server::simple();
    let out = load(s.port, "seq", 1000);
    assert_eq!(out.lines().next(), Some("1000"), "{out}");
    let out = load(s.port, "par", 100);
    assert_eq!(out.lines().next(), Some("100"), "{out}");
    let l = s.log.lock().unwrap();
    assert_eq!(l.requests, 1100);
    assert_eq!(l.handshakes, 1100);
    assert!(l.errors.is_empty(), "{:?}", &l.errors[..l.errors.len().min(5)]);
}

const SHUTDOWN_PY: &str = r#"
import socket, ssl, sys, threading
port, ca, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
ctx = ssl.create_default_context(cafile=ca)
ready = threading.Barrier(n + 1)
res = []
def one(i):
    try:
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                            server_hostname="localhost", suppress_ragged_eofs=False)
    except Exception as e:
        res.append("connect " + repr(e)); ready.wait(); return
    s.sendall(b"GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n")
    ready.wait()
    data = b""
    try:
        while True:
            d = s.recv(65536)
            if not d: break
            data += d
        full = data.endswith(b"hello over https\n") or data.endswith(b"\r\n\r\nServer shutting down\n")
        res.append("ok" if full else "bad " + repr(data))
    except Exception as e:
        res.append("err " + repr(e) + repr(data))
ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
for t in ts: t.start()
ready.wait()
print("sent", flush=True)
for t in ts: t.join()
print(sum(1 for r in res if r == "ok"))
for r in res:
    if r != "ok": print(r); break
"#;

#[test]
fn graceful_shutdown_under_https_load_loses_nothing() {
    let s = Server::simple();
    let mut child = Command::new("python3")
        .args(["-c", SHUTDOWN_PY, &s.port.to_string(), &path("ca.pem"), "40"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "sent");
    // Every client has finished its handshake and sent its request: some
    // are answered already, the rest are in flight or just arriving (those
    // get 503 + Connection: close, README "Graceful shutdown").
    *s.shutdown.lock().unwrap() = Some(3000);
    let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
    child.wait().unwrap();
    // Each request in flight is answered, then the connection ends with
    // close_notify (Python raises on a ragged EOF with
    // suppress_ragged_eofs=False).
    assert_eq!(rest.first().map(String::as_str), Some("40"), "{rest:?}");
}

// ---------------------------------------------------------------- our client

const PY_SERVER: &str = r#"
import socket, ssl, sys
cert, key = sys.argv[1], sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
if len(sys.argv) > 3 and sys.argv[3] == "tls12":
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(16)
print(srv.getsockname()[1], flush=True)
while True:
    conn, _ = srv.accept()
    try:
        s = ctx.wrap_socket(conn, server_side=True)
        data = b""
        while b"\r\n\r\n" not in data:
            d = s.recv(4096)
            if not d: break
            data += d
        body = b"python says hi: " + data.split(b"\r\n")[0]
        s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        s.unwrap()
    except Exception as e:
        pass
    finally:
        conn.close()
"#;

struct PyServer {
    child: std::process::Child,
    port: u16,
}

impl PyServer {
    fn start(cert: &str, key: &str, extra: &[&str]) -> PyServer {
        let mut child = Command::new("python3")
            .args(["-c", PY_SERVER, &path(cert), &path(key)])
            .args(extra)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        PyServer { child, port: line.trim().parse().unwrap() }
    }
}

impl Drop for PyServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Default)]
struct Cli {
    ca: Vec<u8>,
    cert: Vec<u8>,
    key: Vec<u8>,
    name: Vec<u8>,
    skip: bool,
    events: Vec<String>,
    body: Option<Vec<u8>>,
    error: Option<String>,
    closed: bool,
}

unsafe extern "C" fn cli_fn(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    // SAFETY: fn_data is the test's Cli; ev_data typed per event.
    unsafe {
        let cli = &mut *((*c).fn_data as *mut Cli);
        let flags = format!("{}{}", (*c).flag(FLAG_IS_TLS) as u8, (*c).flag(FLAG_IS_TLS_HS) as u8);
        match ev {
            MG_EV_CONNECT => {
                cli.events.push(format!("CONNECT {flags}"));
                let opts = mg_tls_opts {
                    ca: mgstr(&cli.ca),
                    cert: mgstr(&cli.cert),
                    key: mgstr(&cli.key),
                    name: mgstr(&cli.name),
                    skip_verification: cli.skip,
                };
                mg_tls_init(c, &opts);
                cli.events.push(format!(
                    "init {}{}",
                    (*c).flag(FLAG_IS_TLS) as u8,
                    (*c).flag(FLAG_IS_TLS_HS) as u8
                ));
                let req = b"GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n";
                mg_send(c, req.as_ptr() as *const c_void, req.len());
            }
            MG_EV_TLS_HS => {
                cli.events.push(format!("TLS_HS {flags}"));
                assert!(ev_data.is_null());
            }
            MG_EV_HTTP_MSG => {
                let hm = &*(ev_data as *const mg_http_message);
                cli.body = Some(hm.body.as_bytes().to_vec());
                (*c).set_flag(FLAG_IS_DRAINING, true);
            }
            MG_EV_ERROR => {
                cli.error =
                    Some(std::ffi::CStr::from_ptr(ev_data as *const i8).to_string_lossy().into_owned());
            }
            MG_EV_CLOSE => cli.closed = true,
            _ => {}
        }
    }
}

fn run_client(url: &str, cli: &mut Cli) {
    // SAFETY: manager and Cli live for the whole function.
    unsafe {
        let mut mgr: Box<mg_mgr> = Box::new(std::mem::zeroed());
        mg_mgr_init(&mut *mgr);
        let u = CString::new(url).unwrap();
        let c = mg_http_connect(&mut *mgr, u.as_ptr(), Some(cli_fn), cli as *mut Cli as *mut c_void);
        assert!(!c.is_null());
        let end = Instant::now() + Duration::from_secs(10);
        while !cli.closed && Instant::now() < end {
            mg_mgr_poll(&mut *mgr, 10);
        }
        mg_mgr_free(&mut *mgr);
    }
    assert!(cli.closed, "client did not finish");
}

fn client_case(srv: &PyServer, ca: &str, name: &str, skip: bool) -> Cli {
    let mut cli =
        Cli { ca: ca.as_bytes().to_vec(), name: name.as_bytes().to_vec(), skip, ..Default::default() };
    run_client(&format!("https://localhost:{}/", srv.port), &mut cli);
    cli
}

const PY_BODY: &[u8] = b"python says hi: GET /hello HTTP/1.1";

#[test]
fn client_verifies_python_ssl_servers() {
    let p = pki();
    let good = PyServer::start("server.pem", "server.key", &[]);
    // Right CA and name: event order and flags as in Mongoose.
    let cli = client_case(&good, &p.ca, "localhost", false);
    assert_eq!(cli.error, None);
    assert_eq!(cli.body.as_deref(), Some(PY_BODY));
    assert_eq!(cli.events, ["CONNECT 10", "init 11", "TLS_HS 10"]);
    // Right CA, no name: chain checked, SNI from the URL.
    let cli = client_case(&good, &p.ca, "", false);
    assert_eq!((cli.error, cli.body.as_deref()), (None, Some(PY_BODY)));
    // Wrong CA.
    let cli = client_case(&good, &p.other_ca, "localhost", false);
    assert_eq!(cli.body, None);
    let e = cli.error.unwrap();
    assert!(e.starts_with("TLS: invalid peer certificate: UnknownIssuer"), "{e}");
    // Wrong name.
    let cli = client_case(&good, &p.ca, "example.org", false);
    let e = cli.error.unwrap();
    assert!(e.starts_with("TLS: invalid peer certificate: certificate not valid for name"), "{e}");
    // Wrong CA but skip_verification; and no CA at all (Mongoose: no check).
    let cli = client_case(&good, &p.other_ca, "localhost", true);
    assert_eq!((cli.error, cli.body.as_deref()), (None, Some(PY_BODY)));
    let cli = client_case(&good, "", "", false);
    assert_eq!((cli.error, cli.body.as_deref()), (None, Some(PY_BODY)));
    // Expired certificate.
    let expired = PyServer::start("expired.pem", "expired.key", &[]);
    let cli = client_case(&expired, &p.ca, "localhost", false);
    let e = cli.error.unwrap();
    assert!(e.starts_with("TLS: invalid peer certificate: certificate expired"), "{e}");
    // TLS 1.2 server.
    let tls12 = PyServer::start("server.pem", "server.key", &["tls12"]);
    let cli = client_case(&tls12, &p.ca, "localhost", false);
    assert_eq!((cli.error, cli.body.as_deref()), (None, Some(PY_BODY)));
}

#[test]
fn our_client_against_our_server_with_mtls() {
    let p = pki();
    let s = Server::start(SrvOpts {
        ca: p.ca.clone().into_bytes(),
        cert: p.server_cert.clone().into_bytes(),
        key: p.server_key.clone().into_bytes(),
        ..Default::default()
    });
    // Without a client certificate: the server refuses.
    let mut cli = Cli { ca: p.ca.clone().into_bytes(), name: b"localhost".to_vec(), ..Default::default() };
    run_client(&format!("https://127.0.0.1:{}/", s.port), &mut cli);
    assert_eq!(cli.body, None);
    // Usually rustls reports the server's CertificateRequired alert; under
    // load the client has been seen to fail on that record instead
    // ("received corrupt message of type InvalidContentType"). Either way
    // the handshake is refused and nothing is served.
    let e = cli.error.unwrap_or_default();
    assert!(
        e.starts_with("TLS: received fatal alert") || e.starts_with("TLS: received corrupt message"),
        "{e}"
    );
    assert!(wait_for(|| !s.log.lock().unwrap().errors.is_empty()));
    // With one (cert and key in one PEM): served.
    let mut cli = Cli {
        ca: p.ca.clone().into_bytes(),
        cert: format!("{}{}", p.client_cert, p.client_key).into_bytes(),
        name: b"localhost".to_vec(),
        ..Default::default()
    };
    run_client(&format!("https://127.0.0.1:{}/", s.port), &mut cli);
    assert_eq!(cli.error, None);
    assert_eq!(cli.body.as_deref(), Some(BODY));
}

// ---------------------------------------------------------------- back-pressure

#[derive(Default)]
struct Bp {
    cert: Vec<u8>,
    key: Vec<u8>,
    ca: Vec<u8>,
    hold: bool,
    got: Vec<u8>,
    reads: usize,
    srv_closed: bool,
    cli_closed: bool,
    errors: Vec<String>,
}

unsafe extern "C" fn bp_fn(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    // SAFETY: fn_data is the test's Bp; ev_data typed per event.
    unsafe {
        if (*c).flag(FLAG_IS_LISTENING) {
            return;
        }
        let b = &mut *((*c).fn_data as *mut Bp);
        let client = (*c).flag(FLAG_IS_CLIENT);
        match ev {
            MG_EV_ACCEPT => {
                let opts = mg_tls_opts {
                    ca: mg_str::NULL,
                    cert: mgstr(&b.cert),
                    key: mgstr(&b.key),
                    name: mg_str::NULL,
                    skip_verification: false,
                };
                mg_tls_init(c, &opts);
            }
            MG_EV_CONNECT => {
                let opts = mg_tls_opts {
                    ca: mgstr(&b.ca),
                    cert: mg_str::NULL,
                    key: mg_str::NULL,
                    name: mgstr(b"localhost"),
                    skip_verification: false,
                };
                mg_tls_init(c, &opts);
                let data: Vec<u8> = (0..BP_LEN).map(|i| (i % 251) as u8).collect();
                mg_send(c, data.as_ptr() as *const c_void, data.len());
                (*c).set_flag(FLAG_IS_DRAINING, true); // close once all is out
            }
            MG_EV_READ if !client => {
                b.reads += 1;
                b.got.extend_from_slice((*c).recv.data());
                (*c).recv.len = 0;
                if b.hold {
                    (*c).set_flag(FLAG_IS_FULL, true);
                }
            }
            MG_EV_POLL if !client && !b.hold => (*c).set_flag(FLAG_IS_FULL, false),
            MG_EV_ERROR => {
                b.errors.push(std::ffi::CStr::from_ptr(ev_data as *const i8).to_string_lossy().into_owned())
            }
            MG_EV_CLOSE if client => b.cli_closed = true,
            MG_EV_CLOSE => b.srv_closed = true,
            _ => {}
        }
    }
}

const BP_LEN: usize = 8 << 20;

/// `is_full` stops reading (the sender's `c->send` stays queued), clearing
/// it resumes; a draining client sends every byte, then close_notify.
#[test]
fn is_full_back_pressure_and_draining_client() {
    let p = pki();
    let mut b = Box::new(Bp {
        cert: p.server_cert.clone().into_bytes(),
        key: p.server_key.clone().into_bytes(),
        ca: p.ca.clone().into_bytes(),
        hold: true,
        ..Default::default()
    });
    // SAFETY: manager and Bp live for the whole test; one thread.
    unsafe {
        let mut mgr: Box<mg_mgr> = Box::new(std::mem::zeroed());
        mg_mgr_init(&mut *mgr);
        let bp = &mut *b as *mut Bp as *mut c_void;
        let url = CString::new("https://127.0.0.1:0").unwrap();
        let lsn = mongoose::ffi::net::mg_listen(&mut *mgr, url.as_ptr(), Some(bp_fn), bp);
        let curl = CString::new(format!("https://localhost:{}", u16::from_be((*lsn).loc.port))).unwrap();
        let cli = mongoose::ffi::net::mg_connect(&mut *mgr, curl.as_ptr(), Some(bp_fn), bp);
        let end = Instant::now() + Duration::from_secs(10);
        while b.reads == 0 && Instant::now() < end {
            mg_mgr_poll(&mut *mgr, 5);
        }
        let end = Instant::now() + Duration::from_millis(300);
        while Instant::now() < end {
            mg_mgr_poll(&mut *mgr, 5);
        }
        // One read, then nothing while is_full is set.
        assert_eq!(b.reads, 1);
        assert!(b.got.len() < 256 * 1024, "{}", b.got.len());
        assert!((*cli).send.len > 1 << 20, "sender not held back: {}", (*cli).send.len);
        b.hold = false;
        let end = Instant::now() + Duration::from_secs(20);
        while !(b.srv_closed && b.cli_closed) && Instant::now() < end {
            mg_mgr_poll(&mut *mgr, 5);
        }
        mg_mgr_free(&mut *mgr);
    }
    assert!(b.errors.is_empty(), "{:?}", b.errors);
    assert!(b.srv_closed && b.cli_closed);
    assert_eq!(b.got.len(), BP_LEN);
    assert!(b.got.iter().enumerate().all(|(i, &x)| x == (i % 251) as u8));
}
