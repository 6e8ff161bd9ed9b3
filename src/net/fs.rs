//! Static files on a connection (EVENT-LOOP.md §9.10): `mg_http_serve_dir`,
//! `mg_http_serve_file`, uploads. Heads are queued synchronously; a file
//! body is streamed by a temporary protocol handler that replaces `c->pfn`
//! and tops `c->send` up to its `MG_IO_SIZE` capacity on every
//! `MG_EV_POLL`/`MG_EV_WRITE`, reading straight from the file into the send
//! buffer (memory stays flat however large the file is). `c->pfn_data`
//! holds the open file (a `struct mg_fd *`, extended with the streaming
//! state), and the HTTP handler comes back once the body is queued.
//!
//! Departures from Mongoose, all on the safe side:
//! * the remaining byte count lives in that state, not in `c->data[24..31]`
//!   (the program keeps all of `c->data`);
//! * with `mg_fs_posix`, paths from a URI must resolve inside the document
//!   root: a symlink leading out of it gets `400 Invalid path`, and uploads
//!   do not follow symlinks out of their directory;
//! * a directory given to `mg_http_serve_file` (or as `page404`) is "not
//!   found" instead of a head whose body never comes;
//! * a file that shrinks while being sent closes the connection after what
//!   could be read, instead of leaving the client waiting;
//! * `Connection: close` is honoured after a streamed body too.
use super::http::reply_bytes;
use super::{cstr, error, shutdown};
use crate::abi::*;
use crate::core::fs::{self as cfs, DirEntry, FileHead, PathError};
use crate::core::http as h;
use core::ffi::{c_int, c_void};
use std::borrow::Cow;
use std::os::unix::ffi::OsStrExt;

// `posix` before `packed`: cbindgen emits the exported statics in this order.
pub mod posix;

pub mod packed;
pub mod vfs;
pub use vfs::{close_fd, open_fd, Fs, Stat};

/// `struct mg_http_serve_opts` as Rust slices (empty = NULL).
pub struct Opts<'a> {
    pub root_dir: &'a [u8],
    pub ssi_pattern: &'a [u8],
    pub extra_headers: &'a [u8],
    pub mime_types: &'a [u8],
    pub page404: &'a [u8],
    pub fs: *mut mg_fs,
}

impl<'a> Opts<'a> {
    /// Read C options; NULL gives the defaults.
    ///
    /// # Safety
    /// `o` NULL or valid, its strings NUL-terminated or NULL for `'a`.
    pub unsafe fn from_c(o: *const mg_http_serve_opts) -> Opts<'a> {
        // SAFETY: per the contract.
        unsafe {
            match o.as_ref() {
                None => Opts {
                    root_dir: b"",
                    ssi_pattern: b"",
                    extra_headers: b"",
                    mime_types: b"",
                    page404: b"",
                    fs: core::ptr::null_mut(),
                },
                Some(o) => Opts {
                    root_dir: cstr(o.root_dir),
                    ssi_pattern: cstr(o.ssi_pattern),
                    extra_headers: cstr(o.extra_headers),
                    mime_types: cstr(o.mime_types),
                    page404: cstr(o.page404),
                    fs: o.fs,
                },
            }
        }
    }
}

/// The value of header `name` (case-insensitive) in a message.
///
/// # Safety
/// `hm`'s views readable.
unsafe fn header<'a>(hm: &'a mg_http_message, name: &[u8]) -> Option<&'a [u8]> {
    for x in &hm.headers {
        if x.name.len == 0 {
            break;
        }
        // SAFETY: per the contract.
        let (k, v) = unsafe { (x.name.as_bytes(), x.value.as_bytes()) };
        if k.eq_ignore_ascii_case(name) {
            return Some(v);
        }
    }
    None
}

/// The canonical (symlink-free) form of a real path.
fn canonical(path: &[u8]) -> Option<Vec<u8>> {
    let p = std::fs::canonicalize(std::ffi::OsStr::from_bytes(path)).ok()?;
    Some(p.as_os_str().as_bytes().to_vec())
}

/// Where served files must stay: the canonical document root, when the
/// filesystem is the real one (symlinks leading out of it are refused).
struct Jail(Option<Vec<u8>>);

impl Jail {
    fn new(fs: &Fs, dir: &[u8]) -> Jail {
        Jail(if fs.is_posix() && !dir.is_empty() { canonical(dir) } else { None })
    }

    /// False when `path` exists and resolves outside the root.
    fn allows(&self, path: &[u8]) -> bool {
        match (&self.0, canonical(path)) {
            (Some(root), Some(p)) => cfs::is_within(root, &p),
            _ => true,
        }
    }
}

/// Extra headers plus `Connection: close` while the manager shuts down
/// (as `mg_http_reply` does here), marking the connection to close after
/// this response.
///
/// # Safety
/// `c` live.
unsafe fn extra_for<'a>(c: *mut mg_connection, extra: &'a [u8]) -> Cow<'a, [u8]> {
    // SAFETY: `c` live.
    unsafe {
        if !(*c).flag(FLAG_IS_ACCEPTED) || !shutdown::active_for(c) {
            return Cow::Borrowed(extra);
        }
        (*c).set_rs(RS_HTTP_CLOSE_AFTER_RESP, true);
        let has = extra
            .split(|&b| b == b'\n')
            .any(|l| l.len() >= 11 && l[..11].eq_ignore_ascii_case(b"connection:"));
        if has {
            Cow::Borrowed(extra)
        } else {
            Cow::Owned([extra, b"Connection: close\r\n"].concat())
        }
    }
}

/// Queue bytes; OOM fails the connection.
///
/// # Safety
/// `c` live.
unsafe fn queue(c: *mut mg_connection, bytes: &[u8]) -> bool {
    // SAFETY: `c` live.
    unsafe {
        super::mgr::touch(c);
        if (*c).send.append(bytes) {
            true
        } else {
            error(c, "OOM");
            false
        }
    }
}

/// `mg_http_serve_dir` (§9.10.1).
///
/// # Safety
/// `c` live; `hm`'s views readable; `opts.fs` NULL or valid.
pub unsafe fn serve_dir(c: *mut mg_connection, hm: &mg_http_message, opts: &Opts) {
    // SAFETY: per the contract.
    unsafe {
        let uri = hm.uri.as_bytes();
        let root = cfs::pick_root(opts.root_dir, uri);
        let mut path = match cfs::request_path(&root, uri) {
            Ok(p) => p,
            Err(PathError::TooLong) => return reply_bytes(c, 400, b"", b"Exceeded path size"),
            Err(PathError::Insane) => return reply_bytes(c, 400, b"", b"Invalid path"),
        };
        let fs = Fs::new(opts.fs);
        let jail = Jail::new(&fs, root.dir);
        let mut flags = if uri == b"/" { MG_FS_DIR } else { fs.st(&path).map_or(0, |s| s.flags) };
        if flags != 0 && !jail.allows(&path) {
            return reply_bytes(c, 400, b"", b"Invalid path");
        }
        if flags & MG_FS_DIR != 0 {
            if !uri.ends_with(b"/") {
                (*c).set_flag(FLAG_IS_RESP, false);
                queue(c, &cfs::redirect_head(uri));
                return;
            }
            let index = [
                (cfs::join(&path, b"index.html"), cfs::join(&path, b"index.html")),
                (cfs::join(&path, b"index.shtml"), cfs::join(&path, b"index.shtml")),
                (cfs::join(&path, b"index.html.gz"), cfs::join(&path, b"index.html")),
            ];
            match index
                .into_iter()
                .find_map(|(probe, serve)| fs.st(&probe).filter(|s| !s.is_dir()).map(|s| (serve, s)))
            {
                Some((serve, st)) => {
                    path = serve;
                    flags = st.flags;
                }
                None => return listing(c, hm, &fs, &path, opts),
            }
        }
        if !opts.ssi_pattern.is_empty() && flags != 0 && cfs::glob(&path, opts.ssi_pattern) {
            return super::ssi::serve(c, opts.root_dir, &path, opts.fs);
        }
        serve_file_in(c, hm, &path, opts, &jail);
    }
}

/// The directory listing (§9.10.3), sent in one piece.
///
/// # Safety
/// `c` live; `hm`'s views readable.
unsafe fn listing(c: *mut mg_connection, hm: &mg_http_message, fs: &Fs, dir: &[u8], opts: &Opts) {
    let mut entries = Vec::new();
    for name in fs.ls(dir) {
        let full = cfs::join(dir, &name);
        if full.len() + 1 > MG_PATH_MAX {
            continue;
        }
        if let Some(st) = fs.st(&full) {
            entries.push(DirEntry { name, is_dir: st.is_dir(), size: st.size as u64, mtime: st.mtime });
        }
    }
    // SAFETY: per the contract.
    unsafe {
        let page = cfs::listing_page(hm.uri.as_bytes(), &entries);
        let extra = extra_for(c, opts.extra_headers);
        let mut out = cfs::listing_head(&extra, page.len());
        out.extend_from_slice(&page);
        (*c).set_flag(FLAG_IS_RESP, false);
        queue(c, &out);
    }
}

/// Open a file for serving: it must open and `st` must report a file.
fn open_file(fs: &Fs, path: &[u8]) -> Option<(*mut c_void, Stat)> {
    let fd = fs.open(path, MG_FS_READ)?;
    match fs.st(path) {
        Some(st) if !st.is_dir() => Some((fd, st)),
        _ => {
            // SAFETY: `fd` was just opened and is not used again.
            unsafe { fs.close(fd) };
            None
        }
    }
}

/// `mg_http_serve_file` (§9.10.2), for a program-chosen path.
///
/// # Safety
/// `c` live; `hm`'s views readable; `opts.fs` NULL or valid.
pub unsafe fn serve_file(c: *mut mg_connection, hm: &mg_http_message, path: &[u8], opts: &Opts) {
    // SAFETY: per the contract.
    unsafe { serve_file_in(c, hm, path, opts, &Jail(None)) }
}

/// `mg_http_serve_file` with a jail for paths that came from a URI.
///
/// # Safety
/// As [`serve_file`].
unsafe fn serve_file_in(c: *mut mg_connection, hm: &mg_http_message, path: &[u8], opts: &Opts, jail: &Jail) {
    // SAFETY: per the contract.
    unsafe {
        let fs = Fs::new(opts.fs);
        let mut mime_of: &[u8] = path;
        let mut gzip = false;
        let mut opened = None;
        if header(hm, b"Accept-Encoding").is_some_and(|v| cfs::glob(v, b"*gzip*")) {
            let gz = [path, b".gz"].concat();
            if jail.allows(&gz) {
                opened = open_file(&fs, &gz);
                gzip = opened.is_some();
            }
        }
        if opened.is_none() {
            if !jail.allows(path) {
                return reply_bytes(c, 400, b"", b"Invalid path");
            }
            opened = open_file(&fs, path);
        }
        if opened.is_none() && !opts.page404.is_empty() {
            opened = open_file(&fs, opts.page404);
            mime_of = opts.page404;
        }
        let Some((fd, st)) = opened else {
            return reply_bytes(c, 404, opts.extra_headers, b"Not found\n");
        };
        let etag = h::etag(st.size, st.mtime);
        if header(hm, b"If-None-Match").is_some_and(|v| cfs::etag_matches(v, etag.as_bytes())) {
            fs.close(fd);
            return reply_bytes(c, 304, opts.extra_headers, b"");
        }
        let size = st.size as u64;
        let (status, start, length, content_range) = match header(hm, b"Range").and_then(cfs::parse_range) {
            None => (200, 0, size, None),
            Some(spec) => match cfs::resolve_range(spec, size) {
                Some((a, b)) => (206, a, b - a + 1, Some(format!("bytes {a}-{b}/{size}"))),
                None => (416, 0, 0, Some(format!("bytes */{size}"))),
            },
        };
        let extra = extra_for(c, opts.extra_headers);
        let head = cfs::file_head(&FileHead {
            status,
            mime: cfs::mime_type(mime_of, opts.mime_types),
            etag: etag.as_bytes(),
            length,
            gzip,
            content_range,
            extra: &extra,
        });
        if !queue(c, &head) {
            fs.close(fd);
            return;
        }
        let head_only = hm.method.as_bytes().eq_ignore_ascii_case(b"HEAD") || (*c).flag(FLAG_IS_CLOSING);
        if head_only || length == 0 {
            fs.close(fd);
            (*c).set_flag(FLAG_IS_RESP, false);
            return;
        }
        if start > 0 {
            fs.seek(fd, start as usize);
        }
        let close = header(hm, b"Connection").is_some_and(|v| v.eq_ignore_ascii_case(b"close"));
        start_stream(c, fs, fd, length, close);
    }
}

/// The streaming state behind `c->pfn_data`: starts with the `mg_fd` that
/// the spec says `pfn_data` holds.
#[repr(C)]
struct Stream {
    fd: mg_fd,
    remaining: u64,
    saved_pfn: mg_event_handler_t,
    saved_pfn_data: *mut c_void,
    /// The request said `Connection: close`: honour it once the body is
    /// queued (Mongoose forgets it for streamed responses).
    close_when_done: bool,
    /// Once the head has left `c->send`, a `mg_fs_posix` body goes from the
    /// file to the socket with `sendfile` (kernel fd, next offset) instead
    /// of through `c->send`: same bytes, no copies, far fewer system calls.
    file: Option<(c_int, i64)>,
    /// `sendfile` hit the end of the file before `remaining` reached 0.
    short: bool,
}

/// Statistics, process-wide: bytes that left by `sendfile(2)` and the
/// write turns (one or more calls each) that moved them. Tests read them to prove a file body took the
/// zero-copy path, not the read-into-`send` one.
pub static SENDFILE_BYTES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
pub static SENDFILE_CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A file body is still going out on `c` (by `sendfile` or through
/// `c->send`): a draining connection waits for it before closing.
///
/// # Safety
/// `c` live.
pub(crate) unsafe fn body_pending(c: *mut mg_connection) -> bool {
    // SAFETY: `c` live.
    unsafe { is_stream((*c).pfn) }
}

fn is_stream(pfn: mg_event_handler_t) -> bool {
    pfn.map(|f| f as usize) == Some(stream as *const () as usize)
}

/// Install the streaming handler for `length` bytes of `fd`.
///
/// # Safety
/// `c` live; `fd` open on `fs`.
unsafe fn start_stream(c: *mut mg_connection, fs: Fs, fd: *mut c_void, length: u64, close: bool) {
    // SAFETY: `c` live.
    unsafe {
        if is_stream((*c).pfn) {
            finish(c); // a second file on the same connection replaces the first
        }
        let s = Box::new(Stream {
            fd: mg_fd { fd, fs: fs.ptr() },
            remaining: length,
            saved_pfn: (*c).pfn,
            saved_pfn_data: (*c).pfn_data,
            close_when_done: close,
            file: None,
            short: false,
        });
        (*c).pfn_data = Box::into_raw(s) as *mut c_void;
        (*c).pfn = Some(stream);
    }
}

/// The temporary protocol handler while a file body is sent.
///
/// # Safety
/// Called by the loop with a live connection whose `pfn_data` is a
/// `Stream` made by `start_stream`.
unsafe extern "C" fn stream(c: *mut mg_connection, ev: c_int, _ev_data: *mut c_void) {
    // SAFETY: per the contract; no callback happens while `s` is borrowed.
    unsafe {
        match ev {
            MG_EV_POLL | MG_EV_WRITE => pump(c),
            MG_EV_CLOSE => finish(c),
            _ => {}
        }
    }
}

/// Top `c->send` up from the file; when a read yields nothing, finish.
///
/// # Safety
/// As [`stream`].
unsafe fn pump(c: *mut mg_connection) {
    // SAFETY: `pfn_data` is our Stream; `send.buf` has `size` bytes of which
    // the tail after `len` is free.
    unsafe {
        let s = (*c).pfn_data as *mut Stream;
        if s.is_null() {
            return finish(c);
        }
        if (*s).file.is_some() {
            // The loop's write step sends (see `sendfile_turn`).
            if (*s).remaining == 0 || (*s).short {
                if (*s).short {
                    (*c).set_flag(FLAG_IS_DRAINING, true); // the file shrank
                }
                return finish(c);
            }
            (*c).set_rs(RS_STREAMING, true);
            return;
        }
        if (*c).send.len == 0
            && (*c).tls.is_null()
            && !(*c).rs(RS_TLS)
            && (*c).flags & (FLAG_IS_HEXDUMPING | FLAG_IS_UDP) == 0
            && (*s).remaining > 0
        {
            if let Some(f) = Fs::new((*s).fd.fs).posix_fd((*s).fd.fd) {
                (*s).file = Some(f);
                (*c).set_rs(RS_STREAMING, true);
                return;
            }
        }
        let io = &mut (*c).send;
        if io.size < MG_IO_SIZE && !io.resize(MG_IO_SIZE) {
            return error(c, "OOM");
        }
        let free = io.size - io.len;
        if free == 0 {
            return;
        }
        let want = (free as u64).min((*s).remaining) as usize;
        let n =
            if want == 0 { 0 } else { Fs::new((*s).fd.fs).read_raw((*s).fd.fd, io.buf.add(io.len), want) };
        io.len += n;
        (*s).remaining -= n as u64;
        if n == 0 {
            if (*s).remaining > 0 {
                // The file shrank: close rather than leave the client
                // waiting for bytes that will never come.
                (*c).set_flag(FLAG_IS_DRAINING, true);
            }
            finish(c);
        }
    }
}

/// The loop's write step for a connection whose file body goes by
/// `sendfile` (`RS_STREAMING`): hand file bytes to the socket until it
/// is full (then wait for writability like any other write) or the body is
/// done. Returns the bytes sent; `Err` on a socket error.
///
/// # Safety
/// `c` live with a registered socket.
pub(crate) unsafe fn sendfile_turn(c: *mut mg_connection) -> Result<usize, ()> {
    // SAFETY: `pfn_data` is our Stream while `pfn` is `stream`; no callback
    // runs while it is borrowed.
    unsafe {
        let s = (*c).pfn_data as *mut Stream;
        let Some((kfd, mut off)) = (if is_stream((*c).pfn) && !s.is_null() { (*s).file } else { None })
        else {
            (*c).set_rs(RS_STREAMING, false);
            return Ok(0);
        };
        let sock = (*c).sock();
        let mut total = 0usize;
        let mut failed = false;
        while (*s).remaining > 0 {
            let want = (*s).remaining.min(1 << 30) as usize;
            let n = libc::sendfile(sock, kfd, &mut off, want);
            if n > 0 {
                total += n as usize;
                (*s).remaining -= n as u64;
                continue;
            }
            if n == 0 {
                (*s).short = true;
                break;
            }
            match std::io::Error::last_os_error().raw_os_error() {
                Some(libc::EINTR) => continue,
                Some(libc::EAGAIN) => {
                    (*c).set_rs(RS_WRITABLE, false);
                    break;
                }
                _ => {
                    failed = true;
                    break;
                }
            }
        }
        (*s).file = Some((kfd, off));
        if total > 0 {
            use std::sync::atomic::Ordering::Relaxed;
            SENDFILE_BYTES.fetch_add(total as u64, Relaxed);
            SENDFILE_CALLS.fetch_add(1, Relaxed);
        }
        if failed {
            return Err(());
        }
        if (*s).remaining == 0 || (*s).short {
            (*c).set_rs(RS_STREAMING, false); // the pump finishes at the WRITE/POLL
        }
        Ok(total)
    }
}

/// Close the file, put the previous protocol handler back, end the
/// response.
///
/// # Safety
/// `c` live, its `pfn_data` NULL or our Stream.
unsafe fn finish(c: *mut mg_connection) {
    // SAFETY: the Stream was made by `Box::into_raw` and is taken once.
    unsafe {
        (*c).set_rs(RS_STREAMING, false);
        let s = (*c).pfn_data as *mut Stream;
        if s.is_null() {
            (*c).pfn = Some(super::http::handler);
        } else {
            let s = Box::from_raw(s);
            Fs::new(s.fd.fs).close(s.fd.fd);
            (*c).pfn = s.saved_pfn;
            (*c).pfn_data = s.saved_pfn_data;
            if s.close_when_done {
                (*c).set_flag(FLAG_IS_DRAINING, true);
            }
        }
        if (*c).flag(FLAG_IS_ACCEPTED) && shutdown::active_for(c) {
            // Shutdown began while the body was streaming: this response
            // was the one in flight; close once it is flushed.
            (*c).set_rs(RS_HTTP_CLOSE_AFTER_RESP, true);
        }
        (*c).set_flag(FLAG_IS_RESP, false);
    }
}

/// Decoded query variable `name`, as far as it decodes, cut at a NUL and at
/// `cap - 1` bytes (the C buffer sizes).
fn query_var(query: &[u8], name: &[u8], cap: usize) -> Vec<u8> {
    let mut buf = vec![0u8; cap];
    h::get_var(query, name, &mut buf);
    let n = buf.iter().position(|&b| b == 0).unwrap_or(cap);
    buf.truncate(n);
    buf
}

/// `mg_http_upload` (API.md §11.5).
///
/// # Safety
/// `c` live; `hm`'s views readable.
pub unsafe fn upload(
    c: *mut mg_connection,
    hm: &mg_http_message,
    fs: Fs,
    dir: &[u8],
    max_size: usize,
) -> i64 {
    // SAFETY: per the contract.
    unsafe {
        let query = hm.query.as_bytes();
        let body = hm.body.as_bytes();
        let file = query_var(query, b"file", MG_PATH_MAX);
        let mut raw = vec![0u8; 21];
        let offset = match h::get_var(query, b"offset", &mut raw) {
            -4 | -1 => cfs::upload_offset(None),   // no such variable
            n if n < 0 => cfs::UploadOffset::Junk, // overlong or bad escape
            n => cfs::upload_offset(Some(&raw[..n as usize])),
        };
        let junk = offset == cfs::UploadOffset::Junk;
        let offset = match offset {
            cfs::UploadOffset::Value(v) => v,
            cfs::UploadOffset::Junk => 0, // the other checks still come first
        };
        let (path, offset) = match cfs::upload_check(&file, offset, dir, body.len(), max_size) {
            cfs::UploadCheck::Empty => {
                reply_bytes(c, 200, b"", b"0");
                return 0;
            }
            cfs::UploadCheck::Refuse(msg, rc) => {
                reply_bytes(c, 400, b"", msg.as_bytes());
                return rc;
            }
            cfs::UploadCheck::Write { path, offset } => (path, offset),
        };
        if !upload_allowed(&fs, dir, &path) {
            let msg = format!("{}: invalid file", String::from_utf8_lossy(&file));
            reply_bytes(c, 400, b"", msg.as_bytes());
            return -2;
        }
        let shown = String::from_utf8_lossy(&path).into_owned();
        if junk {
            // Mongoose's reply whenever such an offset is not the size.
            reply_bytes(c, 400, b"", format!("{shown}: offset mismatch").as_bytes());
            return -5;
        }
        if offset == 0 {
            fs.remove(&path);
        }
        let have = fs.st(&path).map_or(0, |s| s.size as u64);
        if have != offset {
            reply_bytes(c, 400, b"", format!("{shown}: offset mismatch").as_bytes());
            return -5;
        }
        let Some(fd) = fs.open(&path, MG_FS_WRITE) else {
            reply_bytes(c, 400, b"", format!("open({shown})").as_bytes());
            return -6;
        };
        // `fd` is open; closed once.
        fs.write(fd, body);
        fs.close(fd);
        let total = offset.saturating_add(body.len() as u64) as i64;
        reply_bytes(c, 200, b"", total.to_string().as_bytes());
        total
    }
}

/// On the real filesystem, the target (if it exists) and its directory must
/// resolve inside `dir`: no writing through symlinks that lead out.
fn upload_allowed(fs: &Fs, dir: &[u8], path: &[u8]) -> bool {
    let Some(root) = (fs.is_posix()).then(|| canonical(dir)).flatten() else {
        return true;
    };
    let parent = &path[..path.iter().rposition(|&b| b == b'/').unwrap_or(0)];
    let inside = |p: &[u8]| canonical(p).is_none_or(|cp| cfs::is_within(&root, &cp));
    inside(parent) && inside(path)
}
