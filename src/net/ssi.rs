//! `mg_http_serve_ssi` at run time: a prebuilt library cannot see a
//! program's `-DMG_ENABLE_SSI=1`, so SSI is always on (the expansion itself
//! is `core::ssi`). Files are read through the connection's filesystem.
//!
//! On the POSIX filesystem includes are jailed: an included file must
//! resolve (symlinks followed) inside one of the document roots of
//! `root` (every directory of a `dir,/prefix=dir` list), or inside the
//! top-level file's directory when `root` is empty; others expand to
//! nothing.
use super::http::reply_bytes;
use crate::abi::*;
use crate::core::ssi;
use crate::net::fs::Fs;
use core::ffi::c_void;

/// Includes stop once an expanded page reaches this size (64 MiB).
const MAX_OUTPUT: usize = 64 << 20;

/// Read a whole file through `fs`; `None` when it cannot be opened or is a
/// directory.
fn read_all(fs: &Fs, path: &[u8]) -> Option<Vec<u8>> {
    if fs.st(path).is_none_or(|st| st.is_dir()) {
        return None;
    }
    let fd: *mut c_void = fs.open(path, MG_FS_READ)?;
    let mut out = Vec::new();
    let mut buf = vec![0u8; 8192];
    loop {
        // SAFETY: `fd` open on `fs`; `buf` writable for its length.
        let n = unsafe { fs.read_raw(fd, buf.as_mut_ptr(), buf.len()) };
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    // SAFETY: `fd` open and not used again.
    unsafe { fs.close(fd) };
    Some(out)
}

/// The canonical (symlink-free) form of a real path.
fn canonical(path: &[u8]) -> Option<Vec<u8>> {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    std::fs::canonicalize(std::ffi::OsStr::from_bytes(path)).ok().map(|p| p.into_os_string().into_vec())
}

/// The canonical directories includes must stay in.
fn jail_roots(root: &[u8], fullpath: &[u8]) -> Vec<Vec<u8>> {
    if root.is_empty() {
        let dir = fullpath.iter().rposition(|&c| c == b'/').map_or(&b"."[..], |i| &fullpath[..i.max(1)]);
        return canonical(dir).into_iter().collect();
    }
    root.split(|&c| c == b',')
        .map(|e| e.iter().position(|&c| c == b'=').map_or(e, |i| &e[i + 1..]))
        .filter_map(canonical)
        .collect()
}

/// Reply with `fullpath` expanded: `200` `text/html; charset=utf-8`, or
/// `404 Not found` when the file cannot be read.
///
/// # Safety
/// `c` live; `fs` NULL (POSIX) or a valid filesystem.
pub unsafe fn serve(c: *mut mg_connection, root: &[u8], fullpath: &[u8], fs: *mut mg_fs) {
    // SAFETY: per the contract.
    unsafe {
        let fs = Fs::new(fs);
        match read_all(&fs, fullpath) {
            Some(text) => {
                let jail = fs.is_posix().then(|| jail_roots(root, fullpath));
                let mut read = |p: &[u8]| {
                    let inside = |p: &[u8]| {
                        jail.as_ref().is_none_or(|roots| {
                            canonical(p)
                                .is_some_and(|p| roots.iter().any(|r| crate::core::fs::is_within(r, &p)))
                        })
                    };
                    if inside(p) {
                        read_all(&fs, p)
                    } else {
                        None
                    }
                };
                let body = ssi::expand(&text, fullpath, root, MAX_OUTPUT, &mut read);
                reply_bytes(c, 200, b"Content-Type: text/html; charset=utf-8\r\n", &body);
            }
            None => reply_bytes(c, 404, b"", b"Not found\n"),
        }
    }
}
