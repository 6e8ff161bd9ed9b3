//! Static files over bytes: path sanity, document-root selection, MIME
//! types, `Range` parsing, response heads and the directory-listing page
//! (EVENT-LOOP.md §9.10, API.md §12). No I/O happens here; `net::fs` and
//! `ffi::fs` feed these functions what the filesystem returned.
use crate::abi::MG_PATH_MAX;

/// `mg_path_is_sane`: false for a leading `~` or `..`, any `/..` or `\..`,
/// or a NUL byte; true otherwise (also for the empty path). Deliberately
/// coarse, as Mongoose's: `/..x` and `a/...b` are refused too.
pub fn path_is_sane(path: &[u8]) -> bool {
    if path.starts_with(b"~") || path.starts_with(b"..") || path.contains(&0) {
        return false;
    }
    !path.windows(3).any(|w| (w[0] == b'/' || w[0] == b'\\') && w[1] == b'.' && w[2] == b'.')
}

/// Glob match with `mg_match`'s wildcards (no captures): `?` one byte, `*`
/// any run without `/`, `#` any run. The whole of `s` must match.
pub fn glob(s: &[u8], pat: &[u8]) -> bool {
    // next[i]: pat[j + 1..] matches s[i..]; cur[i]: pat[j..] matches s[i..].
    let n = s.len();
    let mut next: Vec<bool> = (0..=n).map(|i| i == n).collect();
    let mut cur = vec![false; n + 1];
    for &p in pat.iter().rev() {
        for i in (0..=n).rev() {
            cur[i] = match p {
                b'?' => i < n && next[i + 1],
                b'*' => next[i] || (i < n && s[i] != b'/' && cur[i + 1]),
                b'#' => next[i] || (i < n && cur[i + 1]),
                c => i < n && s[i] == c && next[i + 1],
            };
        }
        std::mem::swap(&mut next, &mut cur);
    }
    next[0]
}

/// Mongoose's built-in MIME table (case-sensitive extensions).
const MIME_TABLE: &[(&str, &str)] = &[
    ("html", "text/html; charset=utf-8"),
    ("htm", "text/html; charset=utf-8"),
    ("shtml", "text/html; charset=utf-8"),
    ("css", "text/css; charset=utf-8"),
    ("js", "text/javascript; charset=utf-8"),
    ("mjs", "text/javascript; charset=utf-8"),
    ("txt", "text/plain; charset=utf-8"),
    ("json", "application/json"),
    ("gif", "image/gif"),
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("svg", "image/svg+xml"),
    ("ico", "image/x-icon"),
    ("webp", "image/webp"),
    ("woff", "font/woff"),
    ("ttf", "font/ttf"),
    ("avi", "video/x-msvideo"),
    ("csv", "text/csv"),
    ("doc", "application/msword"),
    ("exe", "application/octet-stream"),
    ("gz", "application/gzip"),
    ("mov", "video/quicktime"),
    ("mp3", "audio/mpeg"),
    ("mp4", "video/mp4"),
    ("mpeg", "video/mpeg"),
    ("pdf", "application/pdf"),
    ("tgz", "application/tar-gz"),
    ("wav", "audio/wav"),
    ("zip", "application/zip"),
    ("3gp", "video/3gpp"),
];

/// The type served when nothing else matches.
pub const DEFAULT_MIME: &str = "text/plain; charset=utf-8";

/// The "extension" of a path: the text after the last `.`, or the whole
/// path when there is no `.` (which then matches nothing in the table).
pub fn extension(path: &[u8]) -> &[u8] {
    match path.iter().rposition(|&c| c == b'.') {
        Some(k) => &path[k + 1..],
        None => path,
    }
}

/// The MIME type for `path`: first the `ext=type,...` overrides (exact
/// extension or `*`; first match wins), then the built-in table, then
/// [`DEFAULT_MIME`].
pub fn mime_type<'a>(path: &[u8], overrides: &'a [u8]) -> &'a [u8] {
    let ext = extension(path);
    for entry in overrides.split(|&c| c == b',') {
        let (k, v) = match entry.iter().position(|&c| c == b'=') {
            Some(i) => (&entry[..i], &entry[i + 1..]),
            None => (entry, &entry[entry.len()..]),
        };
        if !k.is_empty() && (k == ext || k == b"*") {
            return v;
        }
    }
    MIME_TABLE
        .iter()
        .find(|(e, _)| e.as_bytes() == ext)
        .map_or(DEFAULT_MIME.as_bytes(), |(_, t)| t.as_bytes())
}

/// The document root chosen for a URI from a `root_dir` list
/// (EVENT-LOOP.md §9.10.1 step 1).
#[derive(Debug, PartialEq, Eq)]
pub struct Root<'a> {
    /// Bytes of the URI replaced by `dir` (1 for a plain entry: the `/`).
    pub prefix_len: usize,
    /// The directory (empty: no root, the URI is a filesystem path).
    pub dir: &'a [u8],
}

/// Walk `root_dir` (`dir` or `/prefix=dir` entries, comma-separated): a
/// plain entry always matches, a prefixed one when the URI starts with the
/// prefix; the last match wins. Empty `root_dir`: no directory at all.
pub fn pick_root<'a>(root_dir: &'a [u8], uri: &[u8]) -> Root<'a> {
    let mut root = Root { prefix_len: 0, dir: b"" };
    if root_dir.is_empty() {
        return root;
    }
    for entry in root_dir.split(|&c| c == b',') {
        let (k, v) = match entry.iter().position(|&c| c == b'=') {
            Some(i) => (&entry[..i], &entry[i + 1..]),
            None => (entry, &entry[entry.len()..]),
        };
        if v.is_empty() {
            root = Root { prefix_len: 1, dir: k };
        } else if uri.starts_with(k) {
            root = Root { prefix_len: k.len(), dir: v };
        }
    }
    root
}

/// `%XX`-decode `src` (`+` stays `+`), stopping quietly at the first bad
/// escape, keeping at most `max` output bytes.
pub fn url_decode_prefix(src: &[u8], max: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(src.len().min(max));
    let mut i = 0;
    while i < src.len() && out.len() < max {
        if src[i] == b'%' {
            match src.get(i + 1..i + 3) {
                Some(h) if h.iter().all(u8::is_ascii_hexdigit) => {
                    let v = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
                    out.push(v(h[0]) << 4 | v(h[1]));
                    i += 3;
                }
                _ => break,
            }
        } else {
            out.push(src[i]);
            i += 1;
        }
    }
    out
}

/// Why a request path could not be built.
#[derive(Debug, PartialEq, Eq)]
pub enum PathError {
    /// The directory leaves no room (`400 Exceeded path size`).
    TooLong,
    /// `path_is_sane` refused it (`400 Invalid path`).
    Insane,
}

/// Steps 2-4 of §9.10.1: directory + `/` + decoded rest of the URI, checked
/// for sanity, trailing slashes stripped (keeping one byte). The result is
/// shorter than `MG_PATH_MAX` (the decoded part is truncated, as in C).
pub fn request_path(root: &Root, uri: &[u8]) -> Result<Vec<u8>, PathError> {
    let rest = uri.get(root.prefix_len..).unwrap_or(b"");
    let mut path = Vec::with_capacity(root.dir.len() + rest.len() + 1);
    if !root.dir.is_empty() {
        if root.dir.len() + 2 >= MG_PATH_MAX {
            return Err(PathError::TooLong);
        }
        path.extend_from_slice(root.dir);
        if !root.dir.ends_with(b"/") {
            path.push(b'/');
        }
    }
    let room = (MG_PATH_MAX - 1).saturating_sub(path.len());
    path.extend_from_slice(&url_decode_prefix(rest, room));
    if !path_is_sane(&path) {
        return Err(PathError::Insane);
    }
    while path.len() > 1 && path.ends_with(b"/") {
        path.pop();
    }
    Ok(path)
}

/// `a/b` joined with one `/` (the directory listing's and upload's rule:
/// always a separator, even after a trailing one).
pub fn join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    [dir, b"/", name].concat()
}

/// Whether the canonical `path` lies inside the canonical directory `root`.
pub fn is_within(root: &[u8], path: &[u8]) -> bool {
    if root == b"/" {
        return path.starts_with(b"/");
    }
    path.starts_with(root) && (path.len() == root.len() || path[root.len()] == b'/')
}

/// A `Range` request (§9.10.2 step 9), before the file size is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeSpec {
    /// A last position without a usable first one (`bytes=-N`, N > 0):
    /// the whole file, as a 206, as Mongoose answers it.
    Whole,
    /// `bytes=-0`: a zero-length suffix, never satisfiable (416).
    Empty,
    /// `bytes=A-`, or `bytes=A` / `bytes=A-junk` as Mongoose reads them.
    From(u64),
    /// `bytes=A-B`.
    Span(u64, u64),
}

/// A decimal position, surrounding blanks allowed (Mongoose trims them).
fn decimal(s: &[u8]) -> Option<u64> {
    let s = s.trim_ascii();
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.iter().try_fold(0u64, |acc, &d| acc.checked_mul(10)?.checked_add(u64::from(d - b'0')))
}

/// Parse a `Range` header value. `None` means "ignore it, send a plain
/// 200": no `bytes=`, or nothing parsable after it (RFC 9110 §14.2).
/// The text after `bytes=` splits at its first `-`; as in Mongoose, a
/// good first position with a bad last one reads as `A-`.
pub fn parse_range(value: &[u8]) -> Option<RangeSpec> {
    let at = value.windows(6).position(|w| w == b"bytes=")?;
    let spec = &value[at + 6..];
    let (first, last) = match spec.iter().position(|&c| c == b'-') {
        Some(dash) => (&spec[..dash], Some(&spec[dash + 1..])),
        None => (spec, None),
    };
    let last_pos = last.and_then(decimal);
    match (decimal(first), last_pos) {
        (Some(a), Some(b)) => Some(RangeSpec::Span(a, b)),
        (Some(a), None) => Some(RangeSpec::From(a)),
        // Only a suffix length: an empty one can never be satisfied.
        (None, Some(0)) if first.trim_ascii().is_empty() => Some(RangeSpec::Empty),
        (None, Some(_)) if first.trim_ascii().is_empty() => Some(RangeSpec::Whole),
        // A first position that does not parse (`x-3`, `+2-4`): the
        // header is unparsable, so it is ignored.
        _ => None,
    }
}

/// The inclusive byte range to send for a file of `size` bytes, or `None`
/// when it cannot be satisfied (416).
pub fn resolve_range(spec: RangeSpec, size: u64) -> Option<(u64, u64)> {
    let (a, b) = match spec {
        RangeSpec::Whole => (0, size.checked_sub(1)?),
        RangeSpec::Empty => return None,
        RangeSpec::From(a) => (a, size.checked_sub(1)?),
        RangeSpec::Span(a, b) => (a, b),
    };
    (a <= b && b < size).then_some((a, b))
}

/// Everything that decides a file response's head.
#[derive(Debug)]
pub struct FileHead<'a> {
    pub status: i32,
    pub mime: &'a [u8],
    pub etag: &'a [u8],
    pub length: u64,
    pub gzip: bool,
    /// The `Content-Range` value, if any.
    pub content_range: Option<String>,
    pub extra: &'a [u8],
}

/// The head of a file response, in Mongoose's order (§9.10.2 step 10).
pub fn file_head(h: &FileHead) -> Vec<u8> {
    let mut out = Vec::with_capacity(160 + h.mime.len() + h.extra.len());
    let reason = crate::core::http::status_text(h.status);
    out.extend_from_slice(format!("HTTP/1.1 {} {reason}\r\nContent-Type: ", h.status).as_bytes());
    out.extend_from_slice(h.mime);
    out.extend_from_slice(b"\r\nEtag: ");
    out.extend_from_slice(h.etag);
    out.extend_from_slice(format!("\r\nContent-Length: {}\r\n", h.length).as_bytes());
    if h.gzip {
        out.extend_from_slice(b"Content-Encoding: gzip\r\n");
    }
    if let Some(r) = &h.content_range {
        out.extend_from_slice(format!("Content-Range: {r}\r\n").as_bytes());
    }
    out.extend_from_slice(h.extra);
    out.extend_from_slice(b"\r\n");
    out
}

/// The redirect for a directory requested without its trailing slash.
pub fn redirect_head(uri: &[u8]) -> Vec<u8> {
    [b"HTTP/1.1 301 Moved\r\nLocation: " as &[u8], uri, b"/\r\nContent-Length: 0\r\n\r\n"].concat()
}

/// `If-None-Match` matches the Etag: whole value, ASCII case-insensitive.
pub fn etag_matches(if_none_match: &[u8], etag: &[u8]) -> bool {
    if_none_match.eq_ignore_ascii_case(etag)
}

/// HTML-escape `&`, `<`, `>` and, when `quotes`, `"` (`mg_print_html_esc`).
pub fn html_escape(s: &[u8], quotes: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for &c in s {
        match c {
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            b'"' if quotes => out.extend_from_slice(b"&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Percent-encode all but `[A-Za-z0-9._~-]`, lowercase hex.
pub fn url_encode(s: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(s.len());
    for &c in s {
        if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~') {
            out.push(c);
        } else {
            out.extend_from_slice(&[b'%', HEX[usize::from(c >> 4)], HEX[usize::from(c & 15)]]);
        }
    }
    out
}

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    pub name: Vec<u8>,
    pub is_dir: bool,
    pub size: u64,
    pub mtime: i64,
}

/// Client-side sorting for the listing (our own; not part of the contract):
/// a click on a column header sorts the rows after `..` by that column,
/// toggling the direction.
const LISTING_SCRIPT: &str = "<script>var dir=[1,1,1];\
function sortBy(k){var tb=document.getElementById('tb');\
var rows=Array.prototype.slice.call(tb.rows,1);var d=dir[k]=-dir[k];\
rows.sort(function(a,b){var x=a.cells[k],y=b.cells[k];\
var p=k?Number(x.getAttribute('name')):x.textContent;\
var q=k?Number(y.getAttribute('name')):y.textContent;\
return p<q?-d:p>q?d:0;});\
rows.forEach(function(r){tb.appendChild(r);});}\
window.onload=function(){var a=document.querySelectorAll('thead a');\
for(var i=0;i<a.length;i++){a[i].onclick=function(){\
sortBy(Number(this.getAttribute('rel')));return false;};}};</script>";

/// The directory-listing page (§9.10.3) for the request URI `uri` (raw,
/// still URL-encoded) and the entries in `fs->ls` order.
pub fn listing_page(uri: &[u8], entries: &[DirEntry]) -> Vec<u8> {
    let title = html_escape(&url_decode_prefix(uri, usize::MAX), true);
    let mut out = Vec::with_capacity(1024 + entries.len() * 128);
    out.extend_from_slice(b"<!DOCTYPE html><html><head><title>Index of ");
    out.extend_from_slice(&title);
    out.extend_from_slice(b"</title>");
    out.extend_from_slice(LISTING_SCRIPT.as_bytes());
    out.extend_from_slice(b"<style>th,td{text-align:left;padding-right:1em;font-family:monospace;}</style>");
    out.extend_from_slice(b"</head><body><h1>Index of ");
    out.extend_from_slice(&title);
    out.extend_from_slice(
        b"</h1><table cellpadding=\"0\"><thead><tr>\
<th><a href=\"#\" rel=\"0\">Name</a></th>\
<th><a href=\"#\" rel=\"1\">Modified</a></th>\
<th><a href=\"#\" rel=\"2\">Size</a></th></tr>\
<tr><td colspan=\"3\"><hr></td></tr></thead><tbody id=\"tb\">\n",
    );
    out.extend_from_slice(
        b"  <tr><td><a href=\"..\">..</a></td><td name=-1></td><td name=-1>[DIR]</td></tr>\n",
    );
    for e in entries {
        let slash: &[u8] = if e.is_dir { b"/" } else { b"" };
        let (sort_size, shown) = if e.is_dir {
            ("-1".to_string(), "[DIR]".to_string())
        } else {
            (e.size.to_string(), e.size.to_string())
        };
        out.extend_from_slice(b"  <tr><td><a href=\"");
        out.extend_from_slice(&url_encode(&e.name));
        out.extend_from_slice(slash);
        out.extend_from_slice(b"\">");
        out.extend_from_slice(&html_escape(&e.name, false));
        out.extend_from_slice(slash);
        out.extend_from_slice(
            format!("</a></td><td name={0}>{0}</td><td name={sort_size}>{shown}</td></tr>\n", e.mtime)
                .as_bytes(),
        );
    }
    out.extend_from_slice(
        b"</tbody><tfoot><tr><td colspan=\"3\"><hr></td></tr></tfoot></table>\
<address>Mongoose v.7.23</address></body></html>\n",
    );
    out
}

/// The listing's head: `Content-Length` padded to 8 columns.
pub fn listing_head(extra: &[u8], len: usize) -> Vec<u8> {
    let mut out = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n".to_vec();
    out.extend_from_slice(extra);
    out.extend_from_slice(format!("Content-Length: {len:<8}\r\n\r\n").as_bytes());
    out
}

/// `mg_fs_ls`'s step: the name after `current` (the first one when
/// `current` is empty); `None` after the last one or when `current` is not
/// a listed name.
pub fn ls_next<'a>(names: &'a [Vec<u8>], current: &[u8]) -> Option<&'a [u8]> {
    if current.is_empty() {
        return names.first().map(Vec::as_slice);
    }
    let k = names.iter().position(|n| n.as_slice() == current)?;
    names.get(k + 1).map(Vec::as_slice)
}

/// The temporary name `mg_file_write` writes to: `<path>..<9 alphanumerics>`,
/// the letters chosen by `random` bytes.
pub fn temp_name(path: &[u8], random: &[u8; 9]) -> Vec<u8> {
    const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut out = path.to_vec();
    out.extend_from_slice(b"..");
    out.extend(random.iter().map(|&r| ALNUM[usize::from(r) % ALNUM.len()]));
    out
}

/// `strtol(s, NULL, 10)` as far as it goes: leading whitespace, a sign,
/// digits (saturating).
pub fn strtol(s: &[u8]) -> i64 {
    let mut i = s.iter().take_while(|c| c.is_ascii_whitespace()).count();
    let neg = s.get(i) == Some(&b'-');
    if matches!(s.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let mut n: i64 = 0;
    for &d in s[i..].iter().take_while(|c| c.is_ascii_digit()) {
        let d = i64::from(d - b'0');
        n = if neg { n.saturating_mul(10).saturating_sub(d) } else { n.saturating_mul(10).saturating_add(d) };
    }
    n
}

/// The `offset` query variable of an upload, as [`upload_offset`] reads it.
#[derive(Debug, PartialEq, Eq)]
pub enum UploadOffset {
    /// A usable value for [`upload_check`]: absent reads as 0 (as in
    /// Mongoose), a negative one is refused there ("offset required").
    Value(i64),
    /// Not a plain decimal (`0x10`, `1e3`, `+5`, `-0`, `5x`): never a
    /// reason to truncate or overwrite, so the upload is refused as an
    /// offset mismatch before the file is touched.
    Junk,
}

/// Read the raw `offset` variable (`None` when the query has none).
/// Mongoose runs it through a base-0 `strtol`, so `0x0`, `-0` or an empty
/// value meant "start over" and truncated the file; here only digits do.
pub fn upload_offset(raw: Option<&[u8]>) -> UploadOffset {
    let Some(raw) = raw else { return UploadOffset::Value(0) };
    if raw.is_empty() {
        return UploadOffset::Value(-1); // "offset required"
    }
    let (neg, digits) = match raw.strip_prefix(b"-") {
        Some(d) => (true, d),
        None => (false, raw),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return UploadOffset::Junk;
    }
    let v = strtol(raw);
    if neg && v == 0 {
        UploadOffset::Junk
    } else {
        UploadOffset::Value(v)
    }
}

/// The outcome of an `mg_http_upload` request, before any I/O.
#[derive(Debug, PartialEq, Eq)]
pub enum UploadCheck {
    /// Empty body: `200 0`.
    Empty,
    /// Refused: status 400 with this body, and this return value.
    Refuse(String, i64),
    /// Write `body` at `offset` into `path`.
    Write { path: Vec<u8>, offset: u64 },
}

/// The checks of `mg_http_upload` (API.md §11.5) that need no filesystem.
pub fn upload_check(file: &[u8], offset: i64, dir: &[u8], body_len: usize, max_size: usize) -> UploadCheck {
    let path = join(dir, file);
    let shown = String::from_utf8_lossy(&path).into_owned();
    if body_len == 0 {
        UploadCheck::Empty
    } else if file.is_empty() {
        UploadCheck::Refuse("file required".into(), -1)
    } else if !path_is_sane(file) {
        UploadCheck::Refuse(format!("{}: invalid file", String::from_utf8_lossy(file)), -2)
    } else if offset < 0 {
        UploadCheck::Refuse("offset required".into(), -3)
    } else if (offset as u64).saturating_add(body_len as u64) > max_size as u64 {
        UploadCheck::Refuse(format!("{shown}: over max size of {max_size}"), -4)
    } else {
        UploadCheck::Write { path, offset: offset as u64 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanity_matches_the_measured_table() {
        for (p, ok) in [
            ("", true),
            ("a/b", true),
            (".", true),
            ("a/.b", true),
            ("a..b", true),
            ("../a", false),
            ("a/../b", false),
            ("~x", false),
            ("a/..", false),
            ("..", false),
            ("a\\..\\b", false),
            ("/..", false),
            ("a/...b", false),
            ("/..x", false),
        ] {
            assert_eq!(path_is_sane(p.as_bytes()), ok, "{p}");
        }
        assert!(!path_is_sane(b"a\0b"));
    }

    #[test]
    fn glob_wildcards() {
        assert!(glob(b"gzip, deflate", b"*gzip*"));
        assert!(!glob(b"deflate", b"*gzip*"));
        assert!(glob(b"www/x.shtml", b"#.shtml"));
        assert!(!glob(b"www/x.shtml", b"*.shtml"));
        assert!(glob(b"x.shtml", b"*.shtml"));
        assert!(glob(b"a/b/x.c", b"#/*.c"));
        assert!(glob(b"abc", b"a?c"));
        assert!(!glob(b"ac", b"a?c"));
        assert!(glob(b"", b""));
        assert!(glob(b"", b"#"));
    }

    #[test]
    fn mime_types() {
        assert_eq!(mime_type(b"a.html", b""), b"text/html; charset=utf-8");
        assert_eq!(mime_type(b"X.HTML", b""), b"text/plain; charset=utf-8");
        assert_eq!(mime_type(b"a.json", b""), b"application/json");
        assert_eq!(mime_type(b"a.tar.gz", b""), b"application/gzip");
        assert_eq!(mime_type(b"noext", b""), b"text/plain; charset=utf-8");
        assert_eq!(mime_type(b"a.json", b"json=text/x-custom"), b"text/x-custom");
        assert_eq!(mime_type(b"a.png", b"json=x,png=y/z"), b"y/z");
        assert_eq!(mime_type(b"a.png", b"*=a/b,png=y/z"), b"a/b");
        assert_eq!(mime_type(b"a.JSON", b"json=x"), b"text/plain; charset=utf-8");
    }

    #[test]
    fn roots() {
        let r = pick_root(b"www,/static=www/sub", b"/static/a.json");
        assert_eq!(r, Root { prefix_len: 7, dir: b"www/sub" });
        assert_eq!(request_path(&r, b"/static/a.json").unwrap(), b"www/sub//a.json");
        let r = pick_root(b"/static=www/sub,www", b"/static/a.json");
        assert_eq!(request_path(&r, b"/static/a.json").unwrap(), b"www/static/a.json");
        let r = pick_root(b"/static=www/sub", b"/staticky");
        assert_eq!(request_path(&r, b"/staticky").unwrap(), b"www/sub/ky");
        let r = pick_root(b"", b"/etc/hosts");
        assert_eq!(request_path(&r, b"/etc/hosts").unwrap(), b"/etc/hosts");
        let r = pick_root(b"www/", b"/");
        assert_eq!(request_path(&r, b"/").unwrap(), b"www");
        let r = pick_root(b"/", b"/");
        assert_eq!(request_path(&r, b"/").unwrap(), b"/");
    }

    #[test]
    fn request_paths() {
        let r = Root { prefix_len: 1, dir: b"www" };
        let p = |u: &str| request_path(&r, u.as_bytes());
        assert_eq!(p("/dir2/f%20%3C1%3E.txt").unwrap(), b"www/dir2/f <1>.txt");
        assert_eq!(p("/a+b").unwrap(), b"www/a+b");
        assert_eq!(p("/a%zzb").unwrap(), b"www/a");
        assert_eq!(p("/sub///").unwrap(), b"www/sub");
        assert_eq!(p("/../etc/passwd"), Err(PathError::Insane));
        assert_eq!(p("/%2e%2e/x"), Err(PathError::Insane));
        assert_eq!(p("/%2E%2E%2Fx"), Err(PathError::Insane));
        assert_eq!(p("/..x"), Err(PathError::Insane));
        assert_eq!(p("/a%00b"), Err(PathError::Insane));
        assert_eq!(p("/a%5c..%5cb"), Err(PathError::Insane));
        assert!(p("/a..b").is_ok());
        let long = vec![b'd'; MG_PATH_MAX - 2];
        let r = Root { prefix_len: 1, dir: &long };
        assert_eq!(request_path(&r, b"/x"), Err(PathError::TooLong));
        let r = Root { prefix_len: 1, dir: b"www" };
        let huge = format!("/{}", "a".repeat(3 * MG_PATH_MAX));
        assert_eq!(request_path(&r, huge.as_bytes()).unwrap().len(), MG_PATH_MAX - 1);
    }

    #[test]
    fn ranges() {
        let r = |v: &str, size| parse_range(v.as_bytes()).map(|s| resolve_range(s, size));
        assert_eq!(r("bytes=2-4", 10), Some(Some((2, 4))));
        assert_eq!(r("bytes=7-", 10), Some(Some((7, 9))));
        assert_eq!(r("bytes=20-30", 10), Some(None));
        assert_eq!(r("bytes=5-3", 10), Some(None));
        assert_eq!(r("bytes=0-10", 10), Some(None));
        assert_eq!(r("bytes=-3", 10), Some(Some((0, 9))));
        assert_eq!(r("bytes=0-1,3-4", 10), Some(Some((0, 9))));
        assert_eq!(r("bytes=0-", 0), Some(None));
        // Observed from Mongoose 7.23 (the oracle): first position good,
        // last one bad reads as `A-`; blanks around numbers are trimmed.
        assert_eq!(r("bytes=2-4,6-7", 10), Some(Some((2, 9))));
        assert_eq!(r("bytes=1-2-3", 10), Some(Some((1, 9))));
        assert_eq!(r("bytes=2-x", 10), Some(Some((2, 9))));
        assert_eq!(r("bytes=3", 10), Some(Some((3, 9))));
        assert_eq!(r("bytes= 2-4", 10), Some(Some((2, 4))));
        assert_eq!(r("bytes=2 -4 ", 10), Some(Some((2, 4))));
        assert_eq!(r("bytes=2-99999999999999999999999", 10), Some(Some((2, 9))));
        // Unparsable: ignored, a plain 200 (Mongoose too for these).
        for v in
            ["bytes=", "bytes=abc", "bytes=-", "bytes=x-", "bytes=-x", "bytes=3x", "bytes=3,4", "bytes=-5-6"]
        {
            assert_eq!(r(v, 10), None, "{v}");
        }
        assert_eq!(r("bytes=99999999999999999999999-", 10), None);
        // Departures (RFC 9110 §14.1.2, §14.2): a bad first position is
        // unparsable (Mongoose: 206 whole file); a zero suffix is 416
        // (Mongoose: 206 whole file).
        assert_eq!(r("bytes=x-3", 10), None);
        assert_eq!(r("bytes=+2-4", 10), None);
        assert_eq!(r("bytes=-0", 10), Some(None));
        assert_eq!(r("bytes= -0", 10), Some(None));
        assert_eq!(r("items=0-1", 10), None);
        assert_eq!(r("", 10), None);
    }

    #[test]
    fn heads() {
        let h = FileHead {
            status: 206,
            mime: b"text/plain; charset=utf-8",
            etag: b"\"1704164645.10\"",
            length: 3,
            gzip: false,
            content_range: Some("bytes 2-4/10".into()),
            extra: b"X-A: 1\r\n",
        };
        assert_eq!(
            file_head(&h),
            b"HTTP/1.1 206 Partial Content\r\nContent-Type: text/plain; charset=utf-8\r\n\
Etag: \"1704164645.10\"\r\nContent-Length: 3\r\nContent-Range: bytes 2-4/10\r\nX-A: 1\r\n\r\n"
        );
        assert_eq!(
            redirect_head(b"/sub"),
            b"HTTP/1.1 301 Moved\r\nLocation: /sub/\r\nContent-Length: 0\r\n\r\n"
        );
        assert_eq!(
            listing_head(b"", 1605),
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 1605    \r\n\r\n"
        );
        assert!(etag_matches(b"\"1.2\"", b"\"1.2\""));
        assert!(!etag_matches(b"\"1.2\" ", b"\"1.2\""));
    }

    #[test]
    fn listing_rows() {
        let page = listing_page(
            b"/d%20x/",
            &[
                DirEntry { name: b"f <1>.txt".to_vec(), is_dir: false, size: 4, mtime: 1795530200 },
                DirEntry { name: b"sub".to_vec(), is_dir: true, size: 4096, mtime: 7 },
            ],
        );
        let s = String::from_utf8(page).unwrap();
        assert!(s.starts_with("<!DOCTYPE html><html><head><title>Index of /d x/</title>"));
        assert!(s.contains("<h1>Index of /d x/</h1>"));
        assert!(s.contains(
            "<tbody id=\"tb\">\n  <tr><td><a href=\"..\">..</a></td><td name=-1></td><td name=-1>[DIR]</td></tr>\n"
        ));
        assert!(s.contains(
            "  <tr><td><a href=\"f%20%3c1%3e.txt\">f &lt;1&gt;.txt</a></td><td name=1795530200>1795530200</td><td name=4>4</td></tr>\n"
        ));
        assert!(s.contains(
            "  <tr><td><a href=\"sub/\">sub/</a></td><td name=7>7</td><td name=-1>[DIR]</td></tr>\n"
        ));
        assert!(s.ends_with(
            "</tbody><tfoot><tr><td colspan=\"3\"><hr></td></tr></tfoot></table><address>Mongoose v.7.23</address></body></html>\n"
        ));
    }

    #[test]
    fn ls_iteration_and_temp_names() {
        let names = vec![b"a".to_vec(), b"b".to_vec()];
        assert_eq!(ls_next(&names, b""), Some(&b"a"[..]));
        assert_eq!(ls_next(&names, b"a"), Some(&b"b"[..]));
        assert_eq!(ls_next(&names, b"b"), None);
        assert_eq!(ls_next(&names, b"zz"), None);
        let t = temp_name(b"x/f", &[0, 1, 2, 25, 26, 51, 52, 61, 62]);
        assert_eq!(t, b"x/f..abczAZ09a");
        assert!(is_within(b"/srv/www", b"/srv/www"));
        assert!(is_within(b"/srv/www", b"/srv/www/a"));
        assert!(!is_within(b"/srv/www", b"/srv/wwwx"));
        assert!(!is_within(b"/srv/www", b"/etc"));
        assert!(is_within(b"/", b"/etc"));
    }

    #[test]
    fn upload_offsets() {
        use UploadOffset::*;
        assert_eq!(upload_offset(None), Value(0));
        assert_eq!(upload_offset(Some(b"0")), Value(0));
        assert_eq!(upload_offset(Some(b"19")), Value(19));
        assert_eq!(upload_offset(Some(b"010")), Value(10));
        assert_eq!(upload_offset(Some(b"-1")), Value(-1));
        assert_eq!(upload_offset(Some(b"")), Value(-1));
        assert_eq!(upload_offset(Some(b"99999999999999999999")), Value(i64::MAX));
        for junk in ["0x10", "0x0", "1e3", "+5", "-0", "5x", " 5", "-", "-x"] {
            assert_eq!(upload_offset(Some(junk.as_bytes())), Junk, "{junk}");
        }
    }

    #[test]
    fn upload_checks() {
        assert_eq!(upload_check(b"", 0, b"d", 0, 10), UploadCheck::Empty);
        assert_eq!(upload_check(b"", 0, b"d", 1, 10), UploadCheck::Refuse("file required".into(), -1));
        assert_eq!(
            upload_check(b"../x", 0, b"d", 1, 10),
            UploadCheck::Refuse("../x: invalid file".into(), -2)
        );
        assert_eq!(upload_check(b"x", -1, b"d", 1, 10), UploadCheck::Refuse("offset required".into(), -3));
        assert_eq!(
            upload_check(b"x", 5, b"d", 6, 10),
            UploadCheck::Refuse("d/x: over max size of 10".into(), -4)
        );
        assert_eq!(
            upload_check(b"x", 4, b"d", 6, 10),
            UploadCheck::Write { path: b"d/x".to_vec(), offset: 4 }
        );
        assert_eq!(strtol(b" 42x"), 42);
        assert_eq!(strtol(b"-7"), -7);
        assert_eq!(strtol(b""), 0);
    }
}
