//! Filesystem (`mongoose.h`: FS, static files, uploads): the `mg_fs_*` /
//! `mg_file_*` helpers and the static-file entry points. The filesystems
//! themselves (`mg_fs_posix`, `mg_fs_packed`) and the [`Fs`] wrapper live in
//! `net::fs`; static files are served by `net::fs` too.
use crate::abi::*;
use crate::core::fs as core_fs;
use crate::ffi::guard::{guard, guard_unit};
use crate::net;
// Re-exported so Rust users keep their paths.
pub use crate::net::fs::packed::{mg_fs_packed, mg_mem_files};
pub use crate::net::fs::posix::mg_fs_posix;
pub use crate::net::fs::{close_fd, open_fd, Fs, Stat};
use core::ffi::{c_char, c_int, c_long, c_void, CStr};
use core::ptr;

/// The contents of in-memory file `path` from `mg_mem_files`, or
/// `{NULL, 0}` if there is no such file.
#[no_mangle]
pub unsafe extern "C" fn mg_unpacked(path: *const c_char) -> mg_str {
    if path.is_null() {
        return mg_str::NULL;
    }
    guard(mg_str::NULL, || {
        // SAFETY: NUL-terminated path.
        let p = unsafe { CStr::from_ptr(path) }.to_bytes();
        net::fs::packed::unpacked(p)
            .map_or(mg_str::NULL, |(data, len)| mg_str { buf: data as *mut c_char, len })
    })
}

// ---------------------------------------------------------------------------
// mg_fs_* and mg_file_* helpers

/// Open `path` on `fs` (NULL: `mg_fs_posix`) with `MG_FS_*` flags. Returns
/// a heap `struct mg_fd` to close with `mg_fs_close`, or NULL on failure.
#[no_mangle]
pub unsafe extern "C" fn mg_fs_open(fs: *mut mg_fs, path: *const c_char, flags: c_int) -> *mut mg_fd {
    if path.is_null() {
        return ptr::null_mut();
    }
    guard(ptr::null_mut(), || {
        // SAFETY: `fs` NULL or a valid filesystem; `path` NUL-terminated.
        let (fs, p) = unsafe { (Fs::new(fs), CStr::from_ptr(path).to_bytes()) };
        open_fd(&fs, p, flags)
    })
}

/// Close a file from `mg_fs_open` and free it; NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn mg_fs_close(fd: *mut mg_fd) {
    if fd.is_null() {
        return;
    }
    // SAFETY: `fd` came from `mg_fs_open` and is closed once.
    guard_unit(|| unsafe { close_fd(fd) })
}

/// Stateless directory iterator: start with `buf[0] = 0`; each call stores
/// the entry after the one in `buf` (truncated to `len`) and returns true,
/// or clears `buf` and returns false after the last one.
#[no_mangle]
pub unsafe extern "C" fn mg_fs_ls(fs: *mut mg_fs, path: *const c_char, buf: *mut c_char, len: usize) -> bool {
    if path.is_null() || buf.is_null() || len == 0 {
        return false;
    }
    guard(false, || {
        // SAFETY: `fs` NULL or valid; `path` NUL-terminated; `buf` holds a
        // NUL-terminated string within its `len` writable bytes.
        let (fs, p, out) = unsafe {
            (
                Fs::new(fs),
                CStr::from_ptr(path).to_bytes(),
                core::slice::from_raw_parts_mut(buf as *mut u8, len),
            )
        };
        let cur_len = out.iter().position(|&b| b == 0).unwrap_or(len);
        let current = out[..cur_len].to_vec();
        let names = fs.ls(p);
        match core_fs::ls_next(&names, &current) {
            Some(next) => {
                crate::core::http::write_truncated(out, next);
                true
            }
            None => {
                out[0] = 0;
                false
            }
        }
    })
}

/// Read a whole file into a NUL-terminated heap buffer (free with
/// `mg_free`). Returns `{buf, size}`, or `{NULL, 0}` on any failure.
#[no_mangle]
pub unsafe extern "C" fn mg_file_read(fs: *mut mg_fs, path: *const c_char) -> mg_str {
    if path.is_null() {
        return mg_str::NULL;
    }
    guard(mg_str::NULL, || {
        // SAFETY: `fs` NULL or valid; `path` NUL-terminated.
        let (fs, p) = unsafe { (Fs::new(fs), CStr::from_ptr(path).to_bytes()) };
        let Some(data) = fs.read_file(p) else {
            return mg_str::NULL;
        };
        // SAFETY: C allocation of `len + 1` zeroed bytes, filled below.
        unsafe {
            let out = libc::calloc(1, data.len() + 1) as *mut u8;
            if out.is_null() {
                return mg_str::NULL;
            }
            ptr::copy_nonoverlapping(data.as_ptr(), out, data.len());
            mg_str { buf: out as *mut c_char, len: data.len() }
        }
    })
}

/// Replace `path` with `len` bytes of `buf`, through a temporary file and a
/// rename. True iff everything was written and renamed.
#[no_mangle]
pub unsafe extern "C" fn mg_file_write(
    fs: *mut mg_fs,
    path: *const c_char,
    buf: *const c_void,
    len: usize,
) -> bool {
    if path.is_null() || (buf.is_null() && len > 0) {
        return false;
    }
    guard(false, || {
        // SAFETY: `fs` NULL or valid; `path` NUL-terminated; `buf` readable
        // for `len` bytes.
        let (fs, p, data) = unsafe {
            let data: &[u8] = if len == 0 { &[] } else { core::slice::from_raw_parts(buf as *const u8, len) };
            (Fs::new(fs), CStr::from_ptr(path).to_bytes(), data)
        };
        fs.write_file(p, data)
    })
}

/// Body of the variadic `mg_file_printf` (see variadic.c).
/// cbindgen:ignore
#[no_mangle]
pub unsafe extern "C" fn mg_rs_file_vprintf(
    fs: *mut mg_fs,
    path: *const c_char,
    fmt: *const c_char,
    ap: *mut va_list,
) -> bool {
    if path.is_null() || fmt.is_null() {
        return false;
    }
    guard(false, || {
        // SAFETY: a C format string and the caller's matching va_list;
        // `fs` NULL or valid; `path` NUL-terminated.
        unsafe {
            let text = crate::ffi::fmt::format_va(fmt, ap);
            Fs::new(fs).write_file(CStr::from_ptr(path).to_bytes(), &text)
        }
    })
}

/// Whether a path is safe to serve: false for a leading `~` or `..`, any
/// `/..` or `\..`, or a NUL byte.
#[no_mangle]
pub unsafe extern "C" fn mg_path_is_sane(path: mg_str) -> bool {
    // SAFETY: the view is readable by contract.
    guard(false, || core_fs::path_is_sane(unsafe { path.as_bytes() }))
}

// ---------------------------------------------------------------------------
// Static files and uploads

/// Serve a request from a document root (call on `MG_EV_HTTP_MSG`): files,
/// `index.html`, directory listings, 301 to add a slash, 304, 206/416,
/// `.gz` variants, 404 or `page404`. `400 Invalid path` for traversal
/// attempts (`..`, encoded or with backslashes, NUL bytes) and, with
/// `mg_fs_posix`, for symlinks leading out of the root. A NULL or empty
/// `root_dir` serves the URI as a filesystem path (the whole filesystem, as
/// in Mongoose). The head is queued now, file bodies stream on later polls.
/// NULL `c`, `hm` or `opts` does nothing.
#[no_mangle]
pub unsafe extern "C" fn mg_http_serve_dir(
    c: *mut mg_connection,
    hm: *mut mg_http_message,
    opts: *const mg_http_serve_opts,
) {
    if c.is_null() || hm.is_null() || opts.is_null() {
        return;
    }
    // SAFETY: live connection, a message whose views are readable, options
    // whose strings are NUL-terminated or NULL.
    guard_unit(|| unsafe { net::fs::serve_dir(c, &*hm, &net::fs::Opts::from_c(opts)) })
}

/// Serve one file (Etag/304, Range, `.gz`, `page404`, 404). `opts` may be
/// NULL. NULL `c`, `hm` or `path` does nothing.
#[no_mangle]
pub unsafe extern "C" fn mg_http_serve_file(
    c: *mut mg_connection,
    hm: *mut mg_http_message,
    path: *const c_char,
    opts: *const mg_http_serve_opts,
) {
    if c.is_null() || hm.is_null() || path.is_null() {
        return;
    }
    // SAFETY: as for `mg_http_serve_dir`; `path` NUL-terminated.
    guard_unit(|| unsafe {
        net::fs::serve_file(c, &*hm, CStr::from_ptr(path).to_bytes(), &net::fs::Opts::from_c(opts))
    })
}

/// Server-side includes (always on in mongoose-rs): reply `200`
/// `text/html; charset=utf-8` with `fullpath` expanded, `<!--#include
/// file="x" -->` relative to its directory and `<!--#include virtual="x" -->`
/// a URI mapped through `root` (a directory or a `dir,/uri=dir` list),
/// nested up to 5 levels; on the POSIX filesystem an include resolving
/// (through symlinks) outside the root(s) expands to nothing. `404` if
/// `fullpath` cannot be read.
#[no_mangle]
pub unsafe extern "C" fn mg_http_serve_ssi(
    c: *mut mg_connection,
    root: *const c_char,
    fullpath: *const c_char,
) {
    if c.is_null() || fullpath.is_null() {
        return;
    }
    // SAFETY: live connection; NUL-terminated strings (root may be NULL).
    guard_unit(|| unsafe {
        let root = if root.is_null() { &b""[..] } else { CStr::from_ptr(root).to_bytes() };
        net::ssi::serve(c, root, CStr::from_ptr(fullpath).to_bytes(), core::ptr::null_mut())
    })
}

/// Store the request body in `dir/<file>` at `<offset>` (query variables),
/// replying itself. Returns the new file size, 0 for an empty body, or
/// -1 no file, -2 bad name, -3 bad offset, -4 over `max_size`, -5 offset
/// mismatch, -6 open failure (each with a 400). NULL `c`/`hm`/`dir` → -1
/// (nothing sent).
#[no_mangle]
pub unsafe extern "C" fn mg_http_upload(
    c: *mut mg_connection,
    hm: *mut mg_http_message,
    fs: *mut mg_fs,
    dir: *const c_char,
    max_size: usize,
) -> c_long {
    if c.is_null() || hm.is_null() || dir.is_null() {
        return -1;
    }
    // SAFETY: live connection, readable message, `fs` NULL or valid, `dir`
    // NUL-terminated.
    guard(-1, || unsafe {
        net::fs::upload(c, &*hm, Fs::new(fs), CStr::from_ptr(dir).to_bytes(), max_size) as c_long
    })
}
