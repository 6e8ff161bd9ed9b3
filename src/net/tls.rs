//! TLS on rustls (crypto provider `ring`) between the socket and
//! `c->recv`/`c->send` (API.md §19, EVENT-LOOP.md §4).
//!
//! `init` (`mg_tls_init`) builds a rustls session from `struct mg_tls_opts`
//! and keeps it in the connection's private state (`ConnState::tls`);
//! `c->tls` points at it so C code and the rest of the library can tell a
//! TLS connection (it is never dereferenced by C). The loop then calls
//! `turn` instead of its plain read/write steps: ciphertext is read from the
//! socket, decrypted into `c->recv` (`MG_EV_READ` with the plaintext count),
//! and `c->send` is encrypted once the handshake is over (`MG_EV_WRITE` with
//! the plaintext count rustls took). The bit `RS_TLS` marks a connection on
//! which TLS was requested: its `c->send` never goes to the socket in clear,
//! even when setting TLS up failed.
//!
//! Configurations are parsed once per manager and option set: `mgr->tls_ctx`
//! holds a cache keyed by the options' bytes (`mg_tls_ctx_init`).
use super::conn::state;
use super::{call, error};
use crate::abi::*;
use core::ffi::{c_long, c_void};
use core::ptr;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::server::WebPkiClientVerifier;
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig};
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::sync::{Arc, OnceLock};

/// How many distinct option sets a manager keeps parsed configurations for.
const CACHE_MAX: usize = 32;
/// Ciphertext rustls may hold before it stops taking plaintext from
/// `c->send` (back-pressure: the rest waits in `c->send`).
const BUFFER_LIMIT: usize = 64 * 1024;
/// Socket reads per turn (each up to one TLS record's worth).
const READS_PER_TURN: usize = 8;

/// Per-connection TLS state (owned by `ConnState::tls`).
pub struct Tls {
    conn: rustls::Connection,
    /// close_notify queued (drain, close) or a fatal alert sent: nothing
    /// more is encrypted.
    closed: bool,
    /// The socket reached end of stream or the peer sent close_notify.
    eof: bool,
    /// Decrypted bytes still inside rustls (not yet in `c->recv`).
    pending: usize,
}

/// The manager-wide context behind `mgr->tls_ctx`.
#[derive(Default)]
pub struct TlsCtx {
    servers: HashMap<Vec<u8>, Arc<ServerConfig>>,
    clients: HashMap<Vec<u8>, Arc<ClientConfig>>,
}

fn provider() -> Arc<CryptoProvider> {
    static P: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    P.get_or_init(|| Arc::new(rustls::crypto::ring::default_provider())).clone()
}

/// The options of `mg_tls_init`, borrowed for the call.
pub struct Opts<'a> {
    pub ca: &'a [u8],
    pub cert: &'a [u8],
    pub key: &'a [u8],
    pub name: &'a [u8],
    pub skip_verification: bool,
}

impl Opts<'_> {
    /// Cache key: role, ALPN and every option, length-prefixed.
    fn key(&self, client: bool, alpn: bool) -> Vec<u8> {
        let mut k = vec![client as u8, alpn as u8, self.skip_verification as u8];
        for f in [self.ca, self.cert, self.key, self.name] {
            k.extend_from_slice(&(f.len() as u64).to_le_bytes());
            k.extend_from_slice(f);
        }
        k
    }
}

/// `MG_IS_DER`: DER data starts with a SEQUENCE tag.
fn is_der(b: &[u8]) -> bool {
    b.first() == Some(&0x30)
}

/// Certificates from PEM (every CERTIFICATE block) or one DER certificate.
fn certs(b: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    if is_der(b) {
        return Ok(vec![CertificateDer::from(b.to_vec())]);
    }
    let v: Vec<_> = CertificateDer::pem_slice_iter(b).filter_map(|r| r.ok()).collect();
    if v.is_empty() {
        Err(format!("TLS: no certificate in {what}"))
    } else {
        Ok(v)
    }
}

/// A private key from PEM (PKCS#8, PKCS#1 or SEC1) or DER (tried in that
/// order). `fallback` is searched when `b` is empty (key in the cert PEM).
fn private_key(b: &[u8], fallback: &[u8]) -> Result<PrivateKeyDer<'static>, String> {
    let src = if b.is_empty() { fallback } else { b };
    if is_der(src) {
        let p = provider();
        let candidates = [
            PrivateKeyDer::Pkcs8(src.to_vec().into()),
            PrivateKeyDer::Pkcs1(src.to_vec().into()),
            PrivateKeyDer::Sec1(src.to_vec().into()),
        ];
        for k in candidates {
            if p.key_provider.load_private_key(k.clone_key()).is_ok() {
                return Ok(k);
            }
        }
        return Err("TLS: invalid private key".into());
    }
    PrivateKeyDer::from_pem_slice(src).map_err(|_| "TLS: no private key in key".to_string())
}

fn roots(ca: &[u8]) -> Result<Arc<RootCertStore>, String> {
    let mut store = RootCertStore::empty();
    for c in certs(ca, "ca")? {
        store.add(c).map_err(|e| format!("TLS: bad CA certificate: {e}"))?;
    }
    Ok(Arc::new(store))
}

fn server_config(o: &Opts, alpn: bool) -> Result<ServerConfig, String> {
    if o.cert.is_empty() {
        return Err("TLS: server needs cert and key".into());
    }
    let chain = certs(o.cert, "cert")?;
    let key = private_key(o.key, o.cert)?;
    let b = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?;
    let b = if o.ca.is_empty() {
        b.with_no_client_auth()
    } else {
        let v = WebPkiClientVerifier::builder_with_provider(roots(o.ca)?, provider())
            .build()
            .map_err(|e| format!("TLS: bad CA: {e}"))?;
        b.with_client_cert_verifier(v)
    };
    let mut cfg = b.with_single_cert(chain, key).map_err(|e| format!("TLS: cert/key: {e}"))?;
    if alpn {
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    }
    Ok(cfg)
}

/// Server certificate check with Mongoose's rules: no CA (or
/// `skip_verification`) = no check; CA without `name` = chain only; CA and
/// `name` = chain and host name. Handshake signatures are always checked.
#[derive(Debug)]
struct Verifier {
    webpki: Option<Arc<WebPkiServerVerifier>>,
    check_name: bool,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(v) = &self.webpki else { return Ok(ServerCertVerified::assertion()) };
        match v.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            // The chain is checked before the name: a name mismatch means
            // the chain was good.
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if !self.check_name => Ok(ServerCertVerified::assertion()),
            r => r,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

fn client_config(o: &Opts, alpn: bool) -> Result<ClientConfig, String> {
    let webpki = if o.ca.is_empty() || o.skip_verification {
        None
    } else {
        Some(
            WebPkiServerVerifier::builder_with_provider(roots(o.ca)?, provider())
                .build()
                .map_err(|e| format!("TLS: bad CA: {e}"))?,
        )
    };
    let verifier = Verifier { webpki, check_name: !o.name.is_empty(), provider: provider() };
    let b = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier));
    let mut cfg = if o.cert.is_empty() {
        b.with_no_client_auth()
    } else {
        let chain = certs(o.cert, "cert")?;
        let key = private_key(o.key, o.cert)?;
        b.with_client_auth_cert(chain, key).map_err(|e| format!("TLS: cert/key: {e}"))?
    };
    if alpn {
        cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    }
    Ok(cfg)
}

/// The manager's context, created on first use.
///
/// # Safety
/// `mgr` live.
unsafe fn ctx<'a>(mgr: *mut mg_mgr) -> &'a mut TlsCtx {
    // SAFETY: `tls_ctx` is NULL or a box made here; nothing else owns it.
    unsafe {
        if (*mgr).tls_ctx.is_null() {
            ctx_init(mgr);
        }
        &mut *((*mgr).tls_ctx as *mut TlsCtx)
    }
}

/// `mg_tls_ctx_init`: create the manager's (empty) configuration cache.
///
/// # Safety
/// `mgr` live.
pub unsafe fn ctx_init(mgr: *mut mg_mgr) {
    // SAFETY: `mgr` live; a previous context is kept (init is idempotent).
    unsafe {
        if (*mgr).tls_ctx.is_null() {
            (*mgr).tls_ctx = Box::into_raw(Box::<TlsCtx>::default()) as *mut c_void;
        }
    }
}

/// `mg_tls_ctx_free`: drop the cache (sessions keep their own references).
///
/// # Safety
/// `mgr` live.
pub unsafe fn ctx_free(mgr: *mut mg_mgr) {
    // SAFETY: `tls_ctx` is NULL or a box made by `ctx_init`, taken once.
    unsafe {
        let p = core::mem::replace(&mut (*mgr).tls_ctx, ptr::null_mut());
        if !p.is_null() {
            drop(Box::from_raw(p as *mut TlsCtx));
        }
    }
}

/// The rustls session of `c`, if any.
///
/// # Safety
/// `c` live.
#[inline]
unsafe fn tls<'a>(c: *mut mg_connection) -> Option<&'a mut Tls> {
    // SAFETY: `c` live; the box lives in its private state.
    unsafe { state(c).tls.as_deref_mut() }
}

/// Whether the HTTP layer handles `c` (it gets ALPN `http/1.1`).
unsafe fn speaks_http(c: *mut mg_connection) -> bool {
    let http: unsafe extern "C" fn(*mut mg_connection, libc::c_int, *mut c_void) = super::http::handler;
    // SAFETY: `c` live.
    unsafe { (*c).pfn.map(|f| f as usize) == Some(http as usize) }
}

fn server_name(o: &Opts, host: &str, rem: &mg_addr) -> Result<ServerName<'static>, String> {
    let n = if o.name.is_empty() { host.as_bytes() } else { o.name };
    let s = String::from_utf8_lossy(n);
    let s = s.trim_start_matches('[').trim_end_matches(']');
    if !s.is_empty() {
        if let Ok(sn) = ServerName::try_from(s.to_string()) {
            return Ok(sn);
        }
        if !o.name.is_empty() {
            return Err(format!("TLS: invalid name {s}"));
        }
    }
    // No usable host name: the peer's address (no SNI is sent for it).
    let ip = rem.ip();
    let addr: std::net::IpAddr = if rem.is_ip6 {
        std::net::Ipv6Addr::from(<[u8; 16]>::try_from(&ip[..16]).unwrap_or([0; 16])).into()
    } else {
        std::net::Ipv4Addr::new(ip[0], ip[1], ip[2], ip[3]).into()
    };
    Ok(ServerName::IpAddress(addr.into()))
}

/// Build the session for `c`.
unsafe fn session(c: *mut mg_connection, o: &Opts) -> Result<rustls::Connection, String> {
    // SAFETY: `c` live, with a live manager.
    unsafe {
        let client = (*c).flag(FLAG_IS_CLIENT);
        let alpn = speaks_http(c);
        let key = o.key(client, alpn);
        let cx = ctx((*c).mgr);
        if client {
            let cfg = match cx.clients.get(&key) {
                Some(cfg) => cfg.clone(),
                None => {
                    let cfg = Arc::new(client_config(o, alpn)?);
                    if cx.clients.len() >= CACHE_MAX {
                        cx.clients.clear();
                    }
                    cx.clients.insert(key, cfg.clone());
                    cfg
                }
            };
            let name = server_name(o, &state(c).tls_host, &(*c).rem)?;
            let mut s = rustls::ClientConnection::new(cfg, name).map_err(|e| format!("TLS: {e}"))?;
            s.set_buffer_limit(Some(BUFFER_LIMIT));
            Ok(s.into())
        } else {
            let cfg = match cx.servers.get(&key) {
                Some(cfg) => cfg.clone(),
                None => {
                    let cfg = Arc::new(server_config(o, alpn)?);
                    if cx.servers.len() >= CACHE_MAX {
                        cx.servers.clear();
                    }
                    cx.servers.insert(key, cfg.clone());
                    cfg
                }
            };
            let mut s = rustls::ServerConnection::new(cfg).map_err(|e| format!("TLS: {e}"))?;
            s.set_buffer_limit(Some(BUFFER_LIMIT));
            Ok(s.into())
        }
    }
}

/// `mg_tls_init`: start TLS on `c` (call on MG_EV_ACCEPT / MG_EV_CONNECT).
/// Failures fire MG_EV_ERROR (the connection closes, nothing goes out in
/// clear).
///
/// # Safety
/// `c` live.
pub unsafe fn init(c: *mut mg_connection, o: &Opts) {
    // SAFETY: `c` live.
    unsafe {
        if (*c).flag(FLAG_IS_LISTENING) {
            return; // accepted connections call it themselves
        }
        (*c).set_rs(RS_TLS, true);
        (*c).set_flag(FLAG_IS_TLS, true);
        if (*c).flag(FLAG_IS_UDP) {
            return error(c, "TLS: not supported over UDP");
        }
        let st = state(c);
        st.tls = None;
        (*c).tls = ptr::null_mut();
        match session(c, o) {
            Ok(conn) => {
                let st = state(c);
                st.tls = Some(Box::new(Tls { conn, closed: false, eof: false, pending: 0 }));
                (*c).tls = st.tls.as_deref_mut().map_or(ptr::null_mut(), |t| t as *mut Tls as *mut c_void);
                (*c).set_flag(FLAG_IS_TLS_HS, true);
            }
            Err(msg) => error(c, &msg),
        }
    }
}

/// `mg_tls_free`: drop `c`'s session; the connection goes on in plaintext.
///
/// # Safety
/// `c` live.
pub unsafe fn free(c: *mut mg_connection) {
    // SAFETY: `c` live.
    unsafe {
        state(c).tls = None;
        (*c).tls = ptr::null_mut();
        (*c).set_rs(RS_TLS, false);
        (*c).set_flag(FLAG_IS_TLS, false);
        (*c).set_flag(FLAG_IS_TLS_HS, false);
    }
}

/// The socket as a byte stream for rustls.
struct Sock(libc::c_int);

impl Read for Sock {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        // SAFETY: `buf` is writable for its length.
        let n = unsafe { libc::recv(self.0, buf.as_mut_ptr() as *mut c_void, buf.len(), 0) };
        if n < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(n as usize)
        }
    }
}

impl Write for Sock {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // SAFETY: `buf` is readable for its length; MSG_NOSIGNAL avoids SIGPIPE.
        let n = unsafe { libc::send(self.0, buf.as_ptr() as *const c_void, buf.len(), libc::MSG_NOSIGNAL) };
        if n < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(n as usize)
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn would_block(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted)
}

/// Write queued ciphertext until rustls has none or the socket is full.
/// Err on a socket error.
///
/// # Safety
/// `c` live.
unsafe fn flush_out(c: *mut mg_connection) -> Result<(), ()> {
    // SAFETY: `c` live; no callback while `t` is borrowed.
    unsafe {
        let fd = (*c).sock();
        let Some(t) = tls(c) else { return Ok(()) };
        if fd < 0 {
            return Ok(());
        }
        while t.conn.wants_write() {
            match t.conn.write_tls(&mut Sock(fd)) {
                Ok(_) => {}
                Err(e) if would_block(&e) => {
                    (*c).set_rs(RS_WRITABLE, false);
                    break;
                }
                Err(_) => return Err(()),
            }
        }
        Ok(())
    }
}

/// Ciphertext queued in rustls, waiting for the socket.
///
/// # Safety
/// `c` live.
pub unsafe fn out_pending(c: *mut mg_connection) -> bool {
    // SAFETY: `c` live.
    unsafe { tls(c).is_some_and(|t| t.conn.wants_write()) }
}

/// Decrypted bytes inside rustls not yet moved to `c->recv`.
///
/// # Safety
/// `c` live.
pub unsafe fn plain_pending(c: *mut mg_connection) -> usize {
    // SAFETY: `c` live.
    unsafe { tls(c).map_or(0, |t| t.pending) }
}

/// Whether a TLS connection has work this turn without new readiness
/// (for the loop's sleep decision).
///
/// # Safety
/// `c` live.
pub unsafe fn wants_turn(c: *mut mg_connection) -> bool {
    // SAFETY: `c` live.
    unsafe {
        let f = (*c).flags;
        let Some(t) = tls(c) else { return false };
        let readable = ((*c).rs(RS_READABLE) || t.pending > 0) && f & FLAG_IS_FULL == 0;
        let writes = t.conn.wants_write() || ((*c).send.len > 0 && f & FLAG_IS_TLS_HS == 0 && !t.closed);
        readable || ((*c).rs(RS_WRITABLE) && writes)
    }
}

/// Fail the session: send rustls's alert if any, report, close.
unsafe fn fail(c: *mut mg_connection, msg: &str) {
    // SAFETY: `c` live.
    unsafe {
        let _ = flush_out(c);
        if let Some(t) = tls(c) {
            t.closed = true;
        }
        error(c, msg);
    }
}

/// Read ciphertext, advance the handshake (MG_EV_TLS_HS when it ends) and
/// move plaintext to `c->recv` (MG_EV_READ with the count).
///
/// # Safety
/// `c` live.
unsafe fn read_step(c: *mut mg_connection) {
    // SAFETY: `c` live; `tls(c)` is re-fetched after every callback.
    unsafe {
        let fd = (*c).sock();
        for _ in 0..READS_PER_TURN {
            let Some(t) = tls(c) else { return };
            let mut got = 0;
            if t.pending == 0 && !t.eof && (*c).rs(RS_READABLE) {
                match t.conn.read_tls(&mut Sock(fd)) {
                    Ok(0) => t.eof = true,
                    Ok(n) => {
                        got = n;
                        (*c).set_rs(RS_SPOKE, true);
                    }
                    Err(e) if would_block(&e) => (*c).set_rs(RS_READABLE, false),
                    Err(_) => {
                        (*c).set_flag(FLAG_IS_CLOSING, true);
                        return;
                    }
                }
            }
            let Some(t) = tls(c) else { return };
            match t.conn.process_new_packets() {
                Ok(st) => {
                    t.pending = st.plaintext_bytes_to_read();
                    if st.peer_has_closed() {
                        t.eof = true;
                    }
                }
                Err(e) => return fail(c, &format!("TLS: {e}")),
            }
            if (*c).flag(FLAG_IS_TLS_HS) && !t.conn.is_handshaking() {
                // Our last handshake flight goes out before the program
                // hears about it.
                if flush_out(c).is_err() {
                    (*c).set_flag(FLAG_IS_CLOSING, true);
                    return;
                }
                (*c).set_flag(FLAG_IS_TLS_HS, false);
                call(c, MG_EV_TLS_HS, ptr::null_mut());
                if (*c).flag(FLAG_IS_CLOSING) || (*c).rs(RS_DEAD) {
                    return;
                }
            }
            if !move_plaintext(c) {
                return;
            }
            let Some(t) = tls(c) else { return };
            if t.eof && (*c).flag(FLAG_IS_TLS_HS) {
                return fail(c, "TLS: peer closed during handshake");
            }
            if t.eof {
                if t.pending == 0 {
                    // As on a plain socket: what is pending still goes out
                    // (TLS 1.3 and 1.2 allow writing after the peer's
                    // close_notify), then our close_notify, then the close.
                    super::mgr::peer_closed(c);
                }
                return;
            }
            if got == 0 || (*c).flag(FLAG_IS_FULL) || (*c).flag(FLAG_IS_CLOSING) {
                return;
            }
        }
    }
}

/// Move decrypted bytes into `c->recv` and fire MG_EV_READ. False when
/// the turn must stop (error, closed, session gone).
unsafe fn move_plaintext(c: *mut mg_connection) -> bool {
    // SAFETY: `c` live; `recv`'s free tail is writable; no callback while
    // `t` is borrowed.
    unsafe {
        let mut total = 0usize;
        let start = (*c).recv.len;
        loop {
            let Some(t) = tls(c) else { return false };
            if t.pending == 0 || (*c).flag(FLAG_IS_FULL) {
                break;
            }
            if (*c).recv.len >= MG_MAX_RECV_SIZE {
                error(c, "MG_MAX_RECV_SIZE");
                return false;
            }
            if (*c).recv.size <= (*c).recv.len && !(*c).recv.resize((*c).recv.size + MG_IO_SIZE) {
                error(c, "OOM");
                return false;
            }
            let len = (*c).recv.len;
            let room = ((*c).recv.size - len).min(MG_MAX_RECV_SIZE - len);
            let buf = core::slice::from_raw_parts_mut((*c).recv.buf.add(len), room);
            match t.conn.reader().read(buf) {
                Ok(0) => {
                    t.eof = true;
                    t.pending = 0;
                    break;
                }
                Ok(n) => {
                    t.pending = t.pending.saturating_sub(n);
                    (*c).recv.len += n;
                    total += n;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    t.pending = 0;
                    break;
                }
                Err(_) => {
                    t.eof = true;
                    t.pending = 0;
                    break;
                }
            }
        }
        if total > 0 {
            if (*c).flag(FLAG_IS_HEXDUMPING) {
                super::hexdump_io(c, "<-", &(*c).recv.data()[start..start + total]);
            }
            let mut v: c_long = total as c_long;
            call(c, MG_EV_READ, &mut v as *mut c_long as *mut c_void);
            if (*c).rs(RS_DEAD) || (*c).flag(FLAG_IS_CLOSING) {
                return false;
            }
        }
        true
    }
}

/// Encrypt `c->send` (after the handshake) and write ciphertext.
///
/// # Safety
/// `c` live.
unsafe fn write_step(c: *mut mg_connection) {
    // SAFETY: `c` live; no callback while `t` is borrowed.
    unsafe {
        if !(*c).rs(RS_WRITABLE) || !(*c).rs(RS_REGISTERED) {
            return;
        }
        let mut took = 0usize;
        if let Some(t) = tls(c) {
            if !t.closed && (*c).send.len > 0 && !(*c).flag(FLAG_IS_TLS_HS) {
                took = t.conn.writer().write((*c).send.data()).unwrap_or(0);
            }
        }
        if flush_out(c).is_err() {
            (*c).set_flag(FLAG_IS_CLOSING, true);
            return;
        }
        if took > 0 {
            if (*c).flag(FLAG_IS_HEXDUMPING) {
                super::hexdump_io(c, "->", &(*c).send.data()[..took]);
            }
            (*c).send.del(0, took);
            (*c).set_flag(FLAG_IS_WRITABLE, true);
            let mut v: c_long = took as c_long;
            call(c, MG_EV_WRITE, &mut v as *mut c_long as *mut c_void);
        }
    }
}

/// The I/O branch of a TLS connection's turn (replaces the plain read and
/// write steps).
///
/// # Safety
/// `c` live, not closing.
pub unsafe fn turn(c: *mut mg_connection) {
    // SAFETY: `c` live.
    unsafe {
        let Some(t) = tls(c) else { return }; // setup failed: never plaintext
        let full = (*c).flag(FLAG_IS_FULL);
        if !full && ((*c).rs(RS_READABLE) || t.pending > 0) {
            read_step(c);
        }
        if (*c).rs(RS_DEAD) || (*c).flag(FLAG_IS_CLOSING) {
            return;
        }
        write_step(c);
    }
}

/// Draining: once `c->send` is empty, queue close_notify and report
/// whether every byte (close_notify included) has left. Plain
/// connections are always done.
///
/// # Safety
/// `c` live.
pub unsafe fn drained(c: *mut mg_connection) -> bool {
    // SAFETY: `c` live.
    unsafe {
        let Some(t) = tls(c) else { return true };
        if !t.closed {
            t.closed = true;
            t.conn.send_close_notify();
        }
        if t.conn.wants_write() && (*c).rs(RS_WRITABLE) && flush_out(c).is_err() {
            return true;
        }
        !out_pending(c)
    }
}

/// Before the socket closes: a best-effort close_notify (graceful
/// shutdown, `is_closing`), unless the session already ended.
///
/// # Safety
/// `c` live.
pub unsafe fn before_close(c: *mut mg_connection) {
    // SAFETY: `c` live.
    unsafe {
        let Some(t) = tls(c) else { return };
        if !t.closed && !t.eof && !(*c).flag(FLAG_IS_TLS_HS) {
            t.closed = true;
            t.conn.send_close_notify();
        }
        let _ = flush_out(c);
    }
}

/// `mg_tls_send`: encrypt `data` and write what the socket takes.
///
/// # Safety
/// `c` live.
pub unsafe fn send(c: *mut mg_connection, data: &[u8]) -> c_long {
    // SAFETY: `c` live.
    unsafe {
        let Some(t) = tls(c) else { return MG_IO_ERR as c_long };
        if t.closed || t.conn.is_handshaking() {
            return MG_IO_WAIT as c_long;
        }
        let n = t.conn.writer().write(data).unwrap_or(0);
        if flush_out(c).is_err() {
            return MG_IO_ERR as c_long;
        }
        if n == 0 {
            MG_IO_WAIT as c_long
        } else {
            n as c_long
        }
    }
}

/// `mg_tls_recv`: decrypted bytes into `buf` (reading the socket once when
/// none are buffered).
///
/// # Safety
/// `c` live.
pub unsafe fn recv(c: *mut mg_connection, buf: &mut [u8]) -> c_long {
    // SAFETY: `c` live.
    unsafe {
        let fd = (*c).sock();
        let Some(t) = tls(c) else { return MG_IO_ERR as c_long };
        if t.pending == 0 && !t.eof {
            match t.conn.read_tls(&mut Sock(fd)) {
                Ok(0) => t.eof = true,
                Ok(_) => {}
                Err(e) if would_block(&e) => {}
                Err(_) => return MG_IO_ERR as c_long,
            }
            match t.conn.process_new_packets() {
                Ok(st) => t.pending = st.plaintext_bytes_to_read(),
                Err(_) => {
                    let _ = flush_out(c);
                    return MG_IO_ERR as c_long;
                }
            }
        }
        let Some(t) = tls(c) else { return MG_IO_ERR as c_long };
        match t.conn.reader().read(buf) {
            Ok(0) => MG_IO_ERR as c_long,
            Ok(n) => {
                t.pending = t.pending.saturating_sub(n);
                n as c_long
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => MG_IO_WAIT as c_long,
            Err(_) => MG_IO_ERR as c_long,
        }
    }
}

/// `mg_tls_flush`: write queued ciphertext.
///
/// # Safety
/// `c` live.
pub unsafe fn flush(c: *mut mg_connection) {
    // SAFETY: `c` live.
    unsafe {
        if flush_out(c).is_err() {
            (*c).set_flag(FLAG_IS_CLOSING, true);
        }
    }
}

/// `mg_tls_handshake`: one handshake step (read, process, write).
///
/// # Safety
/// `c` live.
pub unsafe fn handshake(c: *mut mg_connection) {
    // SAFETY: `c` live.
    unsafe {
        if tls(c).is_none() || !(*c).flag(FLAG_IS_TLS_HS) {
            return;
        }
        (*c).set_rs(RS_READABLE, true);
        read_step(c);
        if !(*c).flag(FLAG_IS_CLOSING) && !(*c).rs(RS_DEAD) {
            flush(c);
        }
    }
}
