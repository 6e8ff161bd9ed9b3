//! `/fs/<set>/<file>`: the files of a set's `get_dir` directory.
use super::fields::{call, cstr_n, find_set, DIR_LEN};
use super::JSON_HDRS;
use crate::abi::*;
use crate::core::fs::path_is_sane;
use crate::core::http as h;
use crate::net::fs::Fs;
use crate::net::http::reply_bytes;
use core::ffi::c_char;

/// `/fs/<set>/<file>` for user `u` (the caller checked there is one):
/// * POST or PUT: `fn(MG_DASH_WRITE)` may refuse (`403`), then the body is
///   appended to the file through `dash->upload_fs` (`?offset=0` first
///   removes the file, a departure: Mongoose appends to what was there);
/// * DELETE: `fn(MG_DASH_DELETE)` may refuse (`403`), then the file is
///   removed through `upload_fs`; the reply is `true` whether or not it
///   existed, as Mongoose's;
/// * any other method serves the file, through `upload_fs` too (Mongoose
///   serves from the POSIX filesystem whatever `upload_fs` is).
///
/// An empty or unsafe name is `400 Bad file name` (Mongoose serves the
/// directory itself for an empty name), and a failed upload gets one `500`
/// (Mongoose follows its `500` with a second response).
///
/// # Safety
/// `c` live; `dash` valid; `u` a valid user.
pub unsafe fn files(
    c: *mut mg_connection,
    dash: *mut mg_dash,
    hm: &mg_http_message,
    u: *mut mg_dash_user,
    set: &[u8],
    file: &[u8],
) {
    // SAFETY: per the contract.
    unsafe {
        let method = hm.method.as_bytes();
        let upload = matches!(method, b"POST" | b"PUT");
        let Some(s) = find_set(dash, set).filter(|&s| (*s).get_dir.is_some()) else {
            // As observed: an upload gets its own message, other methods
            // the generic 404.
            let body: &[u8] = if method == b"POST" { b"Not Found\n" } else { b"Not Found" };
            return reply_bytes(c, 404, JSON_HDRS, body);
        };
        let name = crate::core::fs::url_decode_prefix(file, usize::MAX);
        if name.is_empty() || !path_is_sane(&name) || name.contains(&b'/') {
            return reply_bytes(c, 400, JSON_HDRS, b"Bad file name\n");
        }
        if upload && !call(s, MG_DASH_WRITE, u) {
            return reply_bytes(c, 403, JSON_HDRS, b"Not Authorised\n");
        }
        let mut dir = [0 as c_char; DIR_LEN];
        if !((*s).get_dir.unwrap())(u, dir.as_mut_ptr(), DIR_LEN) {
            return reply_bytes(c, 500, JSON_HDRS, b"Upload dir error\n");
        }
        let path = crate::core::fs::join(&cstr_n(dir.as_ptr(), DIR_LEN), &name);
        let fs = Fs::new((*dash).upload_fs);
        match method {
            _ if upload => {
                let mut off = [0u8; 21];
                if h::get_var(hm.query.as_bytes(), b"offset", &mut off) == 1 && off[0] == b'0' {
                    fs.remove(&path);
                }
                let body = hm.body.as_bytes();
                let Some(fd) = fs.open(&path, MG_FS_WRITE) else {
                    return reply_bytes(c, 500, b"", b"open failed\n");
                };
                let n = fs.write(fd, body);
                fs.close(fd);
                if n != body.len() {
                    return reply_bytes(c, 500, b"", b"write failed\n");
                }
                if !(*s).index.is_null() {
                    *(*s).index = -1;
                }
                reply_bytes(c, 200, b"", b"ok\n")
            }
            b"DELETE" => {
                if !call(s, MG_DASH_DELETE, u) {
                    return reply_bytes(c, 403, JSON_HDRS, b"Not Authorised\n");
                }
                fs.remove(&path);
                reply_bytes(c, 200, b"", b"true")
            }
            _ => {
                let mut opts = crate::net::fs::Opts::from_c(core::ptr::null());
                opts.fs = (*dash).upload_fs;
                crate::net::fs::serve_file(c, hm, &path, &opts)
            }
        }
    }
}
