//! HTTP/1.x without connections: head parsing, chunked bodies, query and
//! header variables, URL coding, multipart bodies, credentials, and the exact
//! bytes of replies and chunks.
//!
//! Everything works on byte slices and reports positions as [`Span`]s
//! (offset + length into the caller's buffer), so the FFI layer and the
//! connection code can turn results into `mg_str` views of their own memory.
//!
//! The head parser is written by hand: Mongoose accepts things RFC 9112 (and
//! `httparse`) reject — UTF-8 in methods, URIs and header names, any visible
//! byte in a name, several spaces between request-line parts, more than 30
//! header lines — and rejects things they accept (duplicate framing or
//! credential headers). `httparse` serves as a cross-check in the tests.
//!
//! Use from the connection layer (EVENT-LOOP.md §9.3):
//! * [`parse`] the bytes at the current offset; `Err(Incomplete)` waits,
//!   `Err(Malformed)` drains; `Ok(head)` gives `head.head_len`.
//! * [`Head::framing`] decides how the body is delimited; for
//!   [`Framing::Chunked`] run [`dechunk`] on the bytes after the head, then
//!   set `head.body_len` to the de-chunked length.
//! * `crate::ffi::http::fill_message` turns a [`Head`] into `mg_http_message`.
//! * [`reply_head`], [`chunk_padded`], [`chunk_minimal`] build reply bytes.

use crate::abi::MG_MAX_HTTP_HEADERS;
use base64::Engine as _;

/// `body_len` of a response whose body runs until the connection closes.
pub const BODY_UNTIL_CLOSE: usize = usize::MAX;

/// A byte range `off .. off + len` of some buffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    pub off: usize,
    pub len: usize,
}

impl Span {
    pub const fn new(off: usize, len: usize) -> Span {
        Span { off, len }
    }

    /// One past the last byte (saturating, for "until close" bodies).
    pub const fn end(&self) -> usize {
        self.off.saturating_add(self.len)
    }

    /// The covered bytes of `buf`, clipped to its length.
    pub fn get<'a>(&self, buf: &'a [u8]) -> &'a [u8] {
        let start = self.off.min(buf.len());
        &buf[start..self.end().clamp(start, buf.len())]
    }

    /// The same range seen from a buffer that starts `by` bytes earlier.
    pub const fn shift(self, by: usize) -> Span {
        Span { off: self.off + by, len: self.len }
    }
}

/// One parsed header line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeaderSpan {
    pub name: Span,
    /// Leading and trailing spaces/tabs removed.
    pub value: Span,
}

/// Why [`parse`] produced no head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeadError {
    /// More bytes are needed (`mg_http_parse` returns 0).
    Incomplete,
    /// Not acceptable as an HTTP head (`mg_http_parse` returns -1).
    Malformed,
}

/// A parsed request or response head; all spans index the parsed buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    /// Request method, or the protocol of a response (`HTTP/1.1`).
    pub method: Span,
    /// Request path without the query, or a response's status code.
    pub uri: Span,
    /// Text after the first `?` of the URI; `None` without `?`.
    pub query: Option<Span>,
    /// Request protocol, or a response's reason phrase (may be empty).
    pub proto: Span,
    headers: [HeaderSpan; MG_MAX_HTTP_HEADERS],
    nheaders: usize,
    /// Request/status line + headers + blank line; the body starts here.
    pub head_len: usize,
    /// Content-Length, 0, or [`BODY_UNTIL_CLOSE`]. The connection code
    /// overwrites it after de-chunking or at connection close.
    pub body_len: usize,
    /// The first word starts with `HTTP/` (case-insensitive).
    pub is_response: bool,
}

/// How the body after a head is delimited (EVENT-LOOP.md §9.3 step 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// `Transfer-Encoding: chunked`: collect with [`dechunk`].
    Chunked,
    /// Any other `Transfer-Encoding`: "Invalid Transfer-Encoding".
    BadTransferEncoding,
    /// Exactly this many body bytes (Content-Length, or 0 for requests).
    Length(usize),
    /// A response without a length: the body ends when the peer closes.
    UntilClose,
}

impl Head {
    /// The parsed header lines (at most 30), in order.
    pub fn headers(&self) -> &[HeaderSpan] {
        &self.headers[..self.nheaders]
    }

    /// Span of the first header named `name` (ASCII case-insensitive).
    pub fn header_span(&self, buf: &[u8], name: &[u8]) -> Option<Span> {
        self.headers().iter().find(|h| h.name.get(buf).eq_ignore_ascii_case(name)).map(|h| h.value)
    }

    /// Value of the first header named `name` (ASCII case-insensitive).
    pub fn header<'a>(&self, buf: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
        self.header_span(buf, name).map(|s| s.get(buf))
    }

    /// The body range (its `len` may be [`BODY_UNTIL_CLOSE`]).
    pub fn body(&self) -> Span {
        Span::new(self.head_len, self.body_len)
    }

    /// Head + body length, [`BODY_UNTIL_CLOSE`] for "until close".
    pub fn message_len(&self) -> usize {
        self.head_len.saturating_add(self.body_len)
    }

    /// Numeric status of a response (`atoi` of the code), 0 otherwise.
    pub fn status(&self, buf: &[u8]) -> i32 {
        atoi(self.uri.get(buf))
    }

    /// The request carries `Connection: close` (value case-insensitive).
    pub fn wants_close(&self, buf: &[u8]) -> bool {
        self.header(buf, b"Connection").is_some_and(|v| v.eq_ignore_ascii_case(b"close"))
    }

    /// An HTTP/1.0 request carrying `Transfer-Encoding`: faulty framing
    /// (RFC 9112 §6.1) that a server must not serve, since proxies may
    /// disagree with it about where the body ends.
    pub fn te_on_http10(&self, buf: &[u8]) -> bool {
        !self.is_response
            && self.proto.get(buf).eq_ignore_ascii_case(b"HTTP/1.0")
            && self.header(buf, b"Transfer-Encoding").is_some()
    }

    /// Body delimitation: `Transfer-Encoding` counts unless the message is
    /// HTTP/1.0; otherwise the parsed `body_len` decides.
    pub fn framing(&self, buf: &[u8]) -> Framing {
        let version = if self.is_response { self.method } else { self.proto };
        if !version.get(buf).eq_ignore_ascii_case(b"HTTP/1.0") {
            if let Some(te) = self.header(buf, b"Transfer-Encoding") {
                return if te.eq_ignore_ascii_case(b"chunked") {
                    Framing::Chunked
                } else {
                    Framing::BadTransferEncoding
                };
            }
        }
        if self.body_len == BODY_UNTIL_CLOSE {
            Framing::UntilClose
        } else {
            Framing::Length(self.body_len)
        }
    }
}

/// Control bytes other than tab, CR and LF are never part of a head.
fn forbidden_in_head(c: u8) -> bool {
    (c < 0x20 && c != b'\t' && c != b'\r' && c != b'\n') || c == 0x7f
}

/// `mg_http_get_request_len`: the head length including the blank line that
/// ends it (`\n\n`, or `\n\r\n` past the fourth byte as Mongoose checks it).
pub fn request_len(buf: &[u8]) -> Result<usize, HeadError> {
    for (i, &c) in buf.iter().enumerate() {
        if forbidden_in_head(c) {
            return Err(HeadError::Malformed);
        }
        if c == b'\n'
            && i > 0
            && (buf[i - 1] == b'\n' || (i > 3 && buf[i - 1] == b'\r' && buf[i - 2] == b'\n'))
        {
            return Ok(i + 1);
        }
    }
    Err(HeadError::Incomplete)
}

/// Length of the "visible" character at `h[p]`: printable ASCII except
/// space, or a complete UTF-8 sequence (lead byte + continuation bytes).
/// 0 for anything else.
fn visible_len(h: &[u8], p: usize) -> usize {
    let cont = |k: usize| h.get(p + k).is_some_and(|&b| b & 0xc0 == 0x80);
    match h[p] {
        0x21..=0x7e => 1,
        c if c & 0xe0 == 0xc0 && cont(1) => 2,
        c if c & 0xf0 == 0xe0 && cont(1) && cont(2) => 3,
        c if c & 0xf8 == 0xf0 && cont(1) && cont(2) && cont(3) => 4,
        _ => 0,
    }
}

/// Advance over visible characters (stopping at `stop`, if given).
fn visible_run(h: &[u8], p: &mut usize, stop: Option<u8>) -> Span {
    let start = *p;
    while *p < h.len() && Some(h[*p]) != stop {
        match visible_len(h, *p) {
            0 => break,
            n => *p += n,
        }
    }
    Span::new(start, *p - start)
}

/// The rest of the line up to CR/LF, then past every following CR/LF byte.
/// `None` for a CR that is not followed by LF (or a missing line end).
fn rest_of_line(h: &[u8], p: &mut usize) -> Option<Span> {
    let start = *p;
    while *p < h.len() && h[*p] != b'\n' && h[*p] != b'\r' {
        *p += 1;
    }
    let line = Span::new(start, *p - start);
    if *p >= h.len() || (h[*p] == b'\r' && h.get(*p + 1) != Some(&b'\n')) {
        return None;
    }
    while *p < h.len() && (h[*p] == b'\n' || h[*p] == b'\r') {
        *p += 1;
    }
    Some(line)
}

/// `HTTP/d.d`, the prefix compared case-insensitively.
fn is_version(p: &[u8]) -> bool {
    p.len() == 8
        && p[..5].eq_ignore_ascii_case(b"HTTP/")
        && p[5].is_ascii_digit()
        && p[6] == b'.'
        && p[7].is_ascii_digit()
}

use crate::core::str::to_size_t;

/// Headers that may appear only once in a head.
const SINGLETONS: [&[u8]; 5] =
    [b"Content-Length", b"Transfer-Encoding", b"Authorization", b"Cookie", b"Connection"];

/// `mg_http_parse`: parse the request or response head at the start of
/// `buf` (API.md §11.3). The body need not be present.
pub fn parse(buf: &[u8]) -> Result<Head, HeadError> {
    let head_len = request_len(buf)?;
    let h = &buf[..head_len];
    let mut p = 0;

    // Request/status line. A stray CR here means "wait" in Mongoose.
    let method = visible_run(h, &mut p, None);
    while p < h.len() && h[p] == b' ' {
        p += 1;
    }
    let mut uri = visible_run(h, &mut p, None);
    while p < h.len() && h[p] == b' ' {
        p += 1;
    }
    let proto = rest_of_line(h, &mut p).ok_or(HeadError::Incomplete)?;
    let is_response = method.len > 5 && method.get(h)[..5].eq_ignore_ascii_case(b"HTTP/");
    if !is_response && !is_version(proto.get(h)) {
        return Err(HeadError::Malformed);
    }
    let mut query = None;
    if let Some(q) = uri.get(h).iter().position(|&c| c == b'?') {
        query = Some(Span::new(uri.off + q + 1, uri.len - q - 1));
        uri.len = q;
    }
    if method.len == 0 || uri.len == 0 {
        return Err(HeadError::Malformed);
    }

    // Header lines; those after the 30th are not looked at.
    let mut headers = [HeaderSpan::default(); MG_MAX_HTTP_HEADERS];
    let mut nheaders = 0;
    while p < h.len() && nheaders < MG_MAX_HTTP_HEADERS {
        let name = visible_run(h, &mut p, Some(b':'));
        if name.len == 0 || p >= h.len() || h[p] != b':' {
            return Err(HeadError::Malformed);
        }
        p += 1;
        while p < h.len() && (h[p] == b' ' || h[p] == b'\t') {
            p += 1;
        }
        let mut value = rest_of_line(h, &mut p).ok_or(HeadError::Malformed)?;
        while value.len > 0 && matches!(h[value.end() - 1], b' ' | b'\t') {
            value.len -= 1;
        }
        headers[nheaders] = HeaderSpan { name, value };
        nheaders += 1;
    }

    let mut head = Head {
        method,
        uri,
        query,
        proto,
        headers,
        nheaders,
        head_len,
        body_len: BODY_UNTIL_CLOSE,
        is_response,
    };
    for name in SINGLETONS {
        let n = head.headers().iter().filter(|x| x.name.get(h).eq_ignore_ascii_case(name)).count();
        if n > 1 {
            return Err(HeadError::Malformed);
        }
    }
    let te = head.header(h, b"Transfer-Encoding").is_some();
    match head.header(h, b"Content-Length") {
        Some(_) if te => return Err(HeadError::Malformed),
        Some(cl) => {
            let n = to_size_t(cl).ok_or(HeadError::Malformed)?;
            // The message length must be representable.
            head_len.checked_add(n).ok_or(HeadError::Malformed)?;
            head.body_len = n;
        }
        None if !is_response || uri.get(h) == b"204" => head.body_len = 0,
        None => {}
    }
    Ok(head)
}

/// Outcome of scanning a chunked body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chunked {
    /// The terminating zero-size chunk is not buffered yet.
    Incomplete,
    /// Bad framing: Mongoose's "Invalid chunk" error.
    Invalid,
    /// Every chunk up to and including `0\r\n\r\n` is present: `consumed`
    /// raw bytes make up the chunked body, `body_len` payload bytes in total.
    Complete { consumed: usize, body_len: usize },
}

/// One chunk at the start of `buf`.
enum OneChunk {
    Incomplete,
    Invalid,
    /// Payload at `data_off`, `data_len` bytes; the chunk spans `total` bytes.
    Chunk {
        data_off: usize,
        data_len: usize,
        total: usize,
    },
}

/// Parse `<hex>\r\n<data>\r\n`. At most 8 hex digits and a size below 2^31
/// (Mongoose keeps it in an `int`); no extensions, no trailers.
fn one_chunk(buf: &[u8]) -> OneChunk {
    let digits = buf.iter().take_while(|c| c.is_ascii_hexdigit()).count();
    if digits > 8 {
        return OneChunk::Invalid;
    }
    if digits == buf.len() {
        return OneChunk::Incomplete;
    }
    if digits == 0 {
        return OneChunk::Invalid;
    }
    let size = buf[..digits]
        .iter()
        .fold(0usize, |acc, &c| acc * 16 + (c as char).to_digit(16).unwrap_or(0) as usize);
    if size >= 1 << 31 || buf[digits] != b'\r' {
        return OneChunk::Invalid;
    }
    match buf.get(digits + 1) {
        None => return OneChunk::Incomplete,
        Some(b'\n') => {}
        Some(_) => return OneChunk::Invalid,
    }
    let data_off = digits + 2;
    let total = data_off + size + 2;
    if total > buf.len() {
        return OneChunk::Incomplete;
    }
    if &buf[total - 2..total] != b"\r\n" {
        return OneChunk::Invalid;
    }
    OneChunk::Chunk { data_off, data_len: size, total }
}

/// Check a chunked body (the bytes after the head) without changing it.
pub fn scan_chunked(buf: &[u8]) -> Chunked {
    let (mut ofs, mut body_len) = (0, 0);
    loop {
        match one_chunk(&buf[ofs..]) {
            OneChunk::Incomplete => return Chunked::Incomplete,
            OneChunk::Invalid => return Chunked::Invalid,
            OneChunk::Chunk { data_len, total, .. } => {
                ofs += total;
                body_len += data_len;
                if data_len == 0 {
                    return Chunked::Complete { consumed: ofs, body_len };
                }
            }
        }
    }
}

/// Like [`scan_chunked`]; when complete, also moves the payloads together to
/// the front of `buf` (so the de-chunked body directly follows the head).
/// `buf` is untouched unless the result is `Complete`.
pub fn dechunk(buf: &mut [u8]) -> Chunked {
    let result = scan_chunked(buf);
    if let Chunked::Complete { consumed, .. } = result {
        let (mut ofs, mut out) = (0, 0);
        while ofs < consumed {
            if let OneChunk::Chunk { data_off, data_len, total } = one_chunk(&buf[ofs..consumed]) {
                buf.copy_within(ofs + data_off..ofs + data_off + data_len, out);
                out += data_len;
                ofs += total;
            } else {
                unreachable!("chunks were validated by scan_chunked");
            }
        }
    }
    result
}

/// `mg_http_get_header_var`: the value of `v=` found anywhere in `s` (plain
/// case-sensitive substring search; a match at `i` counts only when
/// `i + v.len() + 2 < s.len()`). A quoted value loses its quotes (an
/// unterminated one is returned with its opening quote); an unquoted one
/// ends at `;`, space or `,`.
pub fn header_var(s: &[u8], v: &[u8]) -> Option<Span> {
    if v.is_empty() {
        return None;
    }
    let mut i = 0;
    while i + v.len() + 2 < s.len() {
        if s[i + v.len()] == b'=' && &s[i..i + v.len()] == v {
            let b = i + v.len() + 1;
            return Some(if s[b] == b'"' {
                match s[b + 1..].iter().position(|&c| c == b'"') {
                    Some(k) => Span::new(b + 1, k),
                    None => Span::new(b, s.len() - b),
                }
            } else {
                let k = s[b..].iter().position(|c| matches!(c, b';' | b' ' | b',')).unwrap_or(s.len() - b);
                Span::new(b, k)
            });
        }
        i += 1;
    }
    None
}

/// `mg_http_var`: the raw value of `name` (case-insensitive, exact length)
/// in `k=v&k=v` text. An entry without `=` has an empty value.
pub fn http_var(buf: &[u8], name: &[u8]) -> Option<Span> {
    let mut pos = 0;
    while pos < buf.len() {
        let rest = &buf[pos..];
        let (entry_len, next) = match rest.iter().position(|&c| c == b'&') {
            Some(k) => (k, pos + k + 1),
            None => (rest.len(), buf.len()),
        };
        let entry = &rest[..entry_len];
        if !entry.is_empty() {
            let (key_len, value) = match entry.iter().position(|&c| c == b'=') {
                Some(k) => (k, Span::new(pos + k + 1, entry_len - k - 1)),
                None => (entry_len, Span::new(pos + entry_len, 0)),
            };
            if entry[..key_len].eq_ignore_ascii_case(name) {
                return Some(value);
            }
        }
        pos = next;
    }
    None
}

/// `mg_http_get_var`: find `name` in `buf` and URL-decode it (form mode)
/// into `dst` with a terminating NUL. Returns the decoded length, -1 for an
/// empty source, -2 for an empty `dst`, -3 when decoding fails (invalid `%`
/// escape or `dst` too small; `dst` keeps the partial result), -4 when the
/// variable is absent.
pub fn get_var(buf: &[u8], name: &[u8], dst: &mut [u8]) -> i32 {
    if dst.is_empty() {
        return -2;
    }
    dst[0] = 0;
    if buf.is_empty() {
        return -1;
    }
    match http_var(buf, name) {
        None => -4,
        Some(v) => match url_decode(v.get(buf), dst, true) {
            Some(n) => i32::try_from(n).unwrap_or(i32::MAX),
            None => -3,
        },
    }
}

fn hex_value(c: u8) -> u8 {
    (c as char).to_digit(16).unwrap_or(0) as u8
}

/// `mg_url_decode`: decode `%XX` (and `+` as space when `form`) into `dst`,
/// which always receives a NUL after the output when it has room. `None`
/// (C: -1) for a bad escape, or when the output plus NUL does not fit.
pub fn url_decode(src: &[u8], dst: &mut [u8], form: bool) -> Option<usize> {
    let (mut i, mut j) = (0, 0);
    while i < src.len() && j + 1 < dst.len() {
        dst[j] = match src[i] {
            b'%' => {
                let escape = src.get(i + 1..i + 3).filter(|x| x.iter().all(u8::is_ascii_hexdigit));
                let Some(x) = escape else {
                    dst[j] = 0;
                    return None;
                };
                i += 2;
                hex_value(x[0]) << 4 | hex_value(x[1])
            }
            b'+' if form => b' ',
            c => c,
        };
        i += 1;
        j += 1;
    }
    if j < dst.len() {
        dst[j] = 0;
    }
    (i >= src.len() && j < dst.len()).then_some(j)
}

/// `mg_url_encode`: percent-encode (lowercase hex) everything except
/// `[A-Za-z0-9._~-]` into `dst`. Returns the output length, or 0 (leaving a
/// partial, NUL-terminated output) once fewer than 5 bytes of room remain
/// before an input byte. `dst[len-1]` is always set to NUL.
pub fn url_encode(src: &[u8], dst: &mut [u8]) -> usize {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut n = 0;
    for &c in src {
        if n + 4 >= dst.len() {
            if let Some(x) = dst.get_mut(n) {
                *x = 0;
            }
            if let Some(x) = dst.last_mut() {
                *x = 0;
            }
            return 0;
        }
        if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~') {
            dst[n] = c;
            n += 1;
        } else {
            dst[n..n + 3].copy_from_slice(&[b'%', HEX[usize::from(c >> 4)], HEX[usize::from(c & 15)]]);
            n += 3;
        }
    }
    if n + 1 < dst.len() {
        dst[n] = 0;
    }
    if let Some(x) = dst.last_mut() {
        *x = 0;
    }
    n
}

/// `atoi`: optional leading whitespace and sign, then digits (wrapping).
pub fn atoi(s: &[u8]) -> i32 {
    let mut p = s.iter().take_while(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)).count();
    let negative = s.get(p) == Some(&b'-');
    if matches!(s.get(p), Some(b'-' | b'+')) {
        p += 1;
    }
    let n = s[p..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .fold(0i32, |acc, &d| acc.wrapping_mul(10).wrapping_add(i32::from(d - b'0')));
    if negative {
        n.wrapping_neg()
    } else {
        n
    }
}

/// Copy `src` into `dst` like `snprintf("%.*s")`: truncated to
/// `dst.len() - 1` bytes and NUL-terminated; nothing for an empty `dst`.
/// Returns the number of bytes copied.
pub fn write_truncated(dst: &mut [u8], src: &[u8]) -> usize {
    let Some(room) = dst.len().checked_sub(1) else {
        return 0;
    };
    let n = src.len().min(room);
    dst[..n].copy_from_slice(&src[..n]);
    dst[n] = 0;
    n
}

/// Base64 as Mongoose decodes credentials: only whole 4-character groups,
/// padding optional, output limited to 255 bytes.
fn decode_basic(src: &[u8]) -> Option<Vec<u8>> {
    use base64::engine::{general_purpose::GeneralPurpose, DecodePaddingMode, GeneralPurposeConfig};
    const ENGINE: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    if src.len() / 4 * 3 + 1 > 256 {
        return None;
    }
    ENGINE.decode(&src[..src.len() / 4 * 4]).ok()
}

/// `mg_http_creds` over already located inputs: the first `Authorization`
/// and `Cookie` header values and the query string. Both outputs are set to
/// `""` first, then filled (truncated, NUL-terminated) from, in order:
/// `Basic` credentials split at the first `:`; a `Bearer` token (as the
/// password); the cookie's `access_token` (a cookie header without it still
/// stops the search); the decoded `access_token` query variable.
pub fn creds(auth: Option<&[u8]>, cookie: Option<&[u8]>, query: &[u8], user: &mut [u8], pass: &mut [u8]) {
    write_truncated(user, b"");
    write_truncated(pass, b"");
    match auth {
        Some(v) if v.len() > 6 && v.starts_with(b"Basic ") => {
            if let Some(dec) = decode_basic(&v[6..]) {
                if let Some(k) = dec.iter().position(|&c| c == b':') {
                    write_truncated(user, &dec[..k]);
                    write_truncated(pass, &dec[k + 1..]);
                }
            }
        }
        Some(v) if v.len() > 7 && v.starts_with(b"Bearer ") => {
            write_truncated(pass, &v[7..]);
        }
        _ => match cookie {
            Some(c) => {
                if let Some(t) = header_var(c, b"access_token").filter(|t| t.len > 0) {
                    write_truncated(pass, t.get(c));
                }
            }
            None => {
                get_var(query, b"access_token", pass);
            }
        },
    }
}

/// One part of a multipart body; spans index the whole body.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Part {
    /// `name` of the `Content-Disposition` header, if any.
    pub name: Option<Span>,
    /// `filename` of the `Content-Disposition` header, if any.
    pub filename: Option<Span>,
    pub body: Span,
}

fn find_crlf(buf: &[u8], from: usize) -> Option<usize> {
    buf.get(from..)?.windows(2).position(|w| w == b"\r\n").map(|k| from + k)
}

/// `mg_http_next_multipart`: the part whose boundary line starts at `ofs`,
/// and the offset of the next boundary line. `None` (C: 0) at the closing
/// boundary and for a malformed or incomplete body.
pub fn next_multipart(body: &[u8], ofs: usize) -> Option<(usize, Part)> {
    const CD: &[u8] = b"Content-Disposition";
    let max = body.len();
    let b = find_crlf(body, ofs)?;
    if b == ofs || b + 2 >= max {
        return None;
    }
    let boundary = &body[ofs..b];
    let mut part = Part::default();
    let mut h1 = b + 2;
    loop {
        let h2 = find_crlf(body, h1)?;
        if h2 == h1 {
            break;
        }
        if h2 + 2 >= max {
            return None;
        }
        // Mongoose takes the value from one byte past the colon onwards.
        let line = &body[h1..h2];
        if line.len() > CD.len() + 2 && line[CD.len()] == b':' && line[..CD.len()].eq_ignore_ascii_case(CD) {
            let at = h1 + CD.len() + 2;
            let v = &body[at..h2];
            part.name = header_var(v, b"name").map(|s| s.shift(at));
            part.filename = header_var(v, b"filename").map(|s| s.shift(at));
        }
        h1 = h2 + 2;
    }
    let b1 = h1 + 2;
    // The data ends at CRLF + boundary, followed by at least 2 more bytes
    // (`--` or CRLF).
    let mut b2 = b1;
    while b2 + 2 + boundary.len() + 2 <= max {
        if &body[b2..b2 + 2] == b"\r\n" && &body[b2 + 2..b2 + 2 + boundary.len()] == boundary {
            part.body = Span::new(b1, b2 - b1);
            return Some((b2 + 2, part));
        }
        b2 += 1;
    }
    None
}

/// Reason phrase of a status code (API.md §11.4); `""` when unknown.
pub fn status_text(code: i32) -> &'static str {
    match code {
        100 => "Continue",
        101 => "Switching Protocols",
        102 => "Processing",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi-Status",
        208 => "Already Reported",
        226 => "IM Used",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        305 => "Use Proxy",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        414 => "Request-URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Requested Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "I'm a teapot",
        421 => "Misdirected Request",
        422 => "Unprocessable Entity",
        423 => "Locked",
        424 => "Failed Dependency",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        444 => "Connection Closed Without Response",
        451 => "Unavailable For Legal Reasons",
        499 => "Client Closed Request",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        599 => "Network Connect Timeout Error",
        _ => "",
    }
}

/// The Content-Length value as [`reply_head`] writes it (11 bytes for
/// lengths of up to 10 digits), for patching a placeholder in place.
pub fn content_length_field(n: usize) -> Vec<u8> {
    format!("{n:<10} ").into_bytes()
}

/// Append the head `mg_http_reply` sends (EVENT-LOOP.md §9.8):
/// `HTTP/1.1 <code> <reason>\r\n<headers>Content-Length: <field>\r\n\r\n`.
/// `headers` is inserted verbatim.
pub fn reply_head_into(out: &mut Vec<u8>, code: i32, headers: &[u8], body_len: usize) {
    out.extend_from_slice(format!("HTTP/1.1 {code} {}\r\n", status_text(code)).as_bytes());
    out.extend_from_slice(headers);
    out.extend_from_slice(b"Content-Length: ");
    out.extend_from_slice(&content_length_field(body_len));
    out.extend_from_slice(b"\r\n\r\n");
}

/// [`reply_head_into`] into a new vector.
pub fn reply_head(code: i32, headers: &[u8], body_len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + headers.len());
    reply_head_into(&mut out, code, headers, body_len);
    out
}

/// Size line of `mg_http_printf_chunk`: 8 zero-padded lowercase hex digits
/// and CRLF.
pub fn chunk_size_padded(n: usize) -> Vec<u8> {
    format!("{n:08x}\r\n").into_bytes()
}

/// Size line of `mg_http_write_chunk`: minimal lowercase hex and CRLF.
pub fn chunk_size_minimal(n: usize) -> Vec<u8> {
    format!("{n:x}\r\n").into_bytes()
}

/// A whole `mg_http_printf_chunk` chunk (`00000000\r\n\r\n` for no data).
pub fn chunk_padded(data: &[u8]) -> Vec<u8> {
    [&chunk_size_padded(data.len())[..], data, b"\r\n"].concat()
}

/// A whole `mg_http_write_chunk` chunk (`0\r\n\r\n` for no data).
pub fn chunk_minimal(data: &[u8]) -> Vec<u8> {
    [&chunk_size_minimal(data.len())[..], data, b"\r\n"].concat()
}

/// The static-file Etag, quotes included: `"<mtime>.<size>"`.
pub fn etag(size: usize, mtime: i64) -> String {
    format!("\"{mtime}.{size}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &[u8]) -> Head {
        parse(s).unwrap_or_else(|e| panic!("{e:?} for {:?}", String::from_utf8_lossy(s)))
    }

    fn code(s: &[u8]) -> i64 {
        match parse(s) {
            Ok(h) => h.head_len as i64,
            Err(HeadError::Incomplete) => 0,
            Err(HeadError::Malformed) => -1,
        }
    }

    fn text(buf: &[u8], s: Span) -> &str {
        std::str::from_utf8(s.get(buf)).unwrap()
    }

    // ---- request length ----

    #[test]
    fn request_len_examples() {
        assert_eq!(request_len(b"GET / HTTP/1.1\r\n\r\nXX"), Ok(18));
        assert_eq!(request_len(b"GET /"), Err(HeadError::Incomplete));
        assert_eq!(request_len(b"a\x01"), Err(HeadError::Malformed));
        assert_eq!(request_len(b"a\n\nb"), Ok(3));
        assert_eq!(request_len(b""), Err(HeadError::Incomplete));
        assert_eq!(request_len(b"a\tb\r\n\r\n"), Ok(7));
        assert_eq!(request_len(b"\xc3\xa9\xff\n\n"), Ok(5));
        assert_eq!(request_len(b"a\x7f"), Err(HeadError::Malformed));
        assert_eq!(request_len(b"a\0\n\n"), Err(HeadError::Malformed));
        // A control byte after the end of the head does not matter.
        assert_eq!(request_len(b"a\n\n\x01"), Ok(3));
        assert_eq!(request_len(b"GET / HTTP/1.1\r\nA: b\r\n"), Err(HeadError::Incomplete));
        assert_eq!(request_len(b"GET / HTTP/1.1\r\nA: b\n\r\n"), Ok(23));
        assert_eq!(request_len(b"\r\n\r\n"), Err(HeadError::Incomplete));
    }

    // ---- head parsing: measured examples ----

    #[test]
    fn parse_measured_request() {
        let s = b"GET /a?b=1&c HTTP/1.0\r\nA:  b  \r\n\r\n";
        let h = p(s);
        assert_eq!(h.head_len, 34);
        assert_eq!(text(s, h.method), "GET");
        assert_eq!(text(s, h.uri), "/a");
        assert_eq!(text(s, h.query.unwrap()), "b=1&c");
        assert_eq!(text(s, h.proto), "HTTP/1.0");
        assert_eq!(h.headers().len(), 1);
        assert_eq!(text(s, h.headers()[0].name), "A");
        assert_eq!(text(s, h.headers()[0].value), "b");
        assert_eq!(h.body(), Span::new(34, 0));
        assert_eq!(h.message_len(), 34);
        assert!(!h.is_response);
    }

    #[test]
    fn parse_measured_responses() {
        let s = b"HTTP/1.1 200 OK\r\n\r\nabc";
        let h = p(s);
        assert_eq!(h.head_len, 19);
        assert_eq!(h.body_len, BODY_UNTIL_CLOSE);
        assert_eq!(h.message_len(), BODY_UNTIL_CLOSE);
        assert_eq!(text(s, h.method), "HTTP/1.1");
        assert_eq!(text(s, h.uri), "200");
        assert_eq!(text(s, h.proto), "OK");
        assert_eq!(h.query, None);
        assert_eq!(h.status(s), 200);
        assert!(h.is_response);

        let s = b"HTTP/1.1 404\r\n\r\n";
        let h = p(s);
        assert_eq!(h.head_len, 16);
        assert_eq!(h.proto.len, 0);
        assert_eq!(h.status(s), 404);

        let h = p(b"GET / HTTP/1.1\n\n");
        assert_eq!(h.head_len, 16);
    }

    #[test]
    fn parse_response_bodies() {
        assert_eq!(p(b"HTTP/1.1 204 No Content\r\n\r\n").body_len, 0);
        assert_eq!(p(b"HTTP/1.1 304 Not Modified\r\n\r\n").body_len, BODY_UNTIL_CLOSE);
        assert_eq!(p(b"HTTP/1.1 100 Continue\r\n\r\n").body_len, BODY_UNTIL_CLOSE);
        let h = p(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
        assert_eq!(h.body(), Span::new(38, 3));
        assert_eq!(h.message_len(), 41);
        assert!(p(b"http/1.0 200 OK\r\n\r\n").is_response);
        // "HTTP/" alone is a request method (needs > 5 chars for a response).
        assert_eq!(code(b"HTTP/ 200 OK\r\n\r\n"), -1);
        assert_eq!(code(b"HTTP/ / HTTP/1.1\r\n\r\n"), 20);
        // Responses: the reason phrase is free text, spaces kept.
        let s = b"HTTP/1.1 500 Internal  Error  \r\n\r\n";
        assert_eq!(text(s, p(s).proto), "Internal  Error  ");
        // A response without status code is malformed.
        assert_eq!(code(b"HTTP/1.1\r\n\r\n"), -1);
    }

    #[test]
    fn parse_request_line_variants() {
        let s = b"GET   /x   HTTP/1.1\r\n\r\n";
        let h = p(s);
        assert_eq!((text(s, h.method), text(s, h.uri), text(s, h.proto)), ("GET", "/x", "HTTP/1.1"));
        let s = "GËT /é?q=ü HTTP/1.1\r\n\r\n".as_bytes();
        let h = p(s);
        assert_eq!(text(s, h.method), "GËT");
        assert_eq!(text(s, h.uri), "/é");
        assert_eq!(text(s, h.query.unwrap()), "q=ü");
        // '?' at the end: an empty but present query.
        let s = b"GET /a? HTTP/1.1\r\n\r\n";
        let h = p(s);
        assert_eq!(h.query, Some(Span::new(7, 0)));
        assert_eq!(text(s, h.uri), "/a");
        // Only the first '?' splits.
        let s = b"GET /a?b?c HTTP/1.1\r\n\r\n";
        assert_eq!(text(s, p(s).query.unwrap()), "b?c");
        assert_eq!(code(b"GET / http/1.1\r\n\r\n"), 18);
        assert_eq!(code(b"GET / HTTP/2.0\r\n\r\n"), 18);
        assert_eq!(code(b"M-SEARCH * HTTP/1.1\r\n\r\n"), 23);
        // The body is not needed.
        assert_eq!(code(b"POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n"), 40);
    }

    #[test]
    fn parse_incomplete() {
        for s in [
            &b""[..],
            b"GET",
            b"GET / HTTP/1.1\r\n",
            b"GET / HTTP/1.1\r\nHost: x\r\n",
            b"GET / HTTP/1.1\r\nHost: x\r\n\r",
            // A stray CR in the first line: Mongoose keeps waiting.
            b"GET / HTTP/1.1\rX\r\n\r\n",
            b"GET /\r HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\r\n\r\n",
        ] {
            assert_eq!(parse(s), Err(HeadError::Incomplete), "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn parse_malformed() {
        let cases: &[&[u8]] = &[
            b"GET / FOO\r\n\r\n",
            b"GET / HTTP/2\r\n\r\n",
            b"GET /\r\n\r\n",
            b"GET / FOO/1.1\r\n\r\n",
            b"GET / HTTP/1.1 \r\n\r\n",
            b"GET / HTTP/1.10\r\n\r\n",
            b"GET / HTTP/a.1\r\n\r\n",
            b"GET / HTTP/1-1\r\n\r\n",
            b"GET / HTTP/1.x\r\n\r\n",
            b"GET / HTTPS1.1\r\n\r\n",
            b" GET / HTTP/1.1\r\n\r\n",
            b"GET ?a=1 HTTP/1.1\r\n\r\n",
            b"GET\t/ HTTP/1.1\r\n\r\n",
            b"GET /\x80 HTTP/1.1\r\n\r\n",
            b"\xc3 / HTTP/1.1\r\n\r\n",
            b"\x01GET / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nA\x02: b\r\n\r\n",
            b"GET / HTTP/1.1\r\nA b: c\r\n\r\n",
            b"GET / HTTP/1.1\r\nA : c\r\n\r\n",
            b"GET / HTTP/1.1\r\n: c\r\n\r\n",
            b"GET / HTTP/1.1\r\nNoColon\r\n\r\n",
            b"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
            b"GET / HTTP/1.1\r\nA: b\r\n\tfolded\r\n\r\n",
            b"GET / HTTP/1.1\r\nA: b\rc\r\n\r\n",
            b"GET / HTTP/1.1\r\nA\xff: b\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: 1\r\ncontent-length: 2\r\n\r\n",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"GET / HTTP/1.1\r\nAuthorization: a\r\nAUTHORIZATION: b\r\n\r\n",
            b"GET / HTTP/1.1\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n",
            b"GET / HTTP/1.1\r\nConnection: close\r\nconnection: close\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length:\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
            b"POST / HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nBad Name: 5\r\n\r\n",
        ];
        assert!(cases.len() >= 30);
        for s in cases {
            assert_eq!(parse(s), Err(HeadError::Malformed), "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn parse_headers() {
        let s = b"GET / HTTP/1.1\r\nHost:x\r\nA:\r\nB: \t v a l \t\r\n\xc3\xa9(x): \xff\xfe\r\n\r\n";
        let h = p(s);
        let hs: Vec<(&[u8], &[u8])> = h.headers().iter().map(|x| (x.name.get(s), x.value.get(s))).collect();
        assert_eq!(
            hs,
            vec![(&b"Host"[..], &b"x"[..]), (b"A", b""), (b"B", b"v a l"), (b"\xc3\xa9(x)", b"\xff\xfe"),]
        );
        assert_eq!(h.header(s, b"host"), Some(&b"x"[..]));
        assert_eq!(h.header(s, b"Nope"), None);
        // Colons in values are kept; tabs inside values too.
        let s = b"GET / HTTP/1.1\r\nX: a:b\tc\r\n\r\n";
        assert_eq!(p(s).header(s, b"x"), Some(&b"a:b\tc"[..]));
        // Content-Length with surrounding blanks.
        let s = b"POST / HTTP/1.1\r\nContent-Length: \t 12 \t\r\n\r\n";
        assert_eq!(p(s).body_len, 12);
        // Bare LF line ends.
        let s = b"GET / HTTP/1.1\nA: 1\nB: 2\n\n";
        let h = p(s);
        assert_eq!(h.headers().len(), 2);
        assert_eq!(h.header(s, b"B"), Some(&b"2"[..]));
        // First match wins for ordinary duplicates.
        let s = b"GET / HTTP/1.1\r\nX: 1\r\nx: 2\r\n\r\n";
        let h = p(s);
        assert_eq!(h.header(s, b"X"), Some(&b"1"[..]));
        assert_eq!(h.headers().len(), 2);
    }

    #[test]
    fn parse_30_header_limit() {
        let mut s = b"POST / HTTP/1.1\r\n".to_vec();
        for i in 0..30 {
            s.extend_from_slice(format!("H{i}: {i}\r\n").as_bytes());
        }
        // Ignored after the 30th: lines that would otherwise be errors.
        s.extend_from_slice(b"Content-Length: 5\r\n bad folded line\r\nBad Name: x\r\nH0: dup\r\n\r\n");
        let h = p(&s);
        assert_eq!(h.head_len, s.len());
        assert_eq!(h.headers().len(), 30);
        assert_eq!(h.header(&s, b"H29"), Some(&b"29"[..]));
        assert_eq!(h.header(&s, b"Content-Length"), None);
        assert_eq!(h.body_len, 0);
        // Exactly 30 headers and a duplicate Content-Length among them.
        let mut s = b"POST / HTTP/1.1\r\nContent-Length: 1\r\n".to_vec();
        for i in 0..28 {
            s.extend_from_slice(format!("H{i}: {i}\r\n").as_bytes());
        }
        let mut bad = s.clone();
        bad.extend_from_slice(b"Content-Length: 1\r\n\r\n");
        assert_eq!(parse(&bad), Err(HeadError::Malformed));
        s.extend_from_slice(b"H28: x\r\nContent-Length: 1\r\n\r\n");
        assert_eq!(p(&s).body_len, 1);
    }

    #[test]
    fn parse_pipelined_and_split() {
        let all = b"GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyzGET /c?d HTTP/1.0\r\nX: y\r\n\r\n";
        let mut ofs = 0;
        let mut seen = Vec::new();
        while ofs < all.len() {
            let buf = &all[ofs..];
            let h = p(buf);
            seen.push((text(buf, h.uri).to_string(), text(buf, h.body()).to_string()));
            ofs += h.message_len();
        }
        assert_eq!(ofs, all.len());
        assert_eq!(
            seen,
            vec![("/a".into(), "".into()), ("/b".into(), "xyz".into()), ("/c".into(), "".into())]
        );
        // Every proper prefix of a head is incomplete; the whole is complete.
        let one = b"POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n";
        for n in 0..one.len() {
            assert_eq!(parse(&one[..n]), Err(HeadError::Incomplete), "prefix {n}");
        }
        assert_eq!(code(one), one.len() as i64);
    }

    #[test]
    fn framing_and_helpers() {
        let s = b"POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n";
        let h = p(s);
        assert_eq!(h.body_len, 0);
        assert_eq!(h.framing(s), Framing::Chunked);
        let s = b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n";
        assert_eq!(p(s).framing(s), Framing::BadTransferEncoding);
        let s = b"POST / HTTP/1.0\r\nTransfer-Encoding: gzip\r\n\r\n";
        assert_eq!(p(s).framing(s), Framing::Length(0));
        let s = b"POST / HTTP/1.1\r\nContent-Length: 7\r\n\r\n";
        assert_eq!(p(s).framing(s), Framing::Length(7));
        let s = b"HTTP/1.1 200 OK\r\n\r\n";
        assert_eq!(p(s).framing(s), Framing::UntilClose);
        let s = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
        assert_eq!(p(s).framing(s), Framing::Chunked);
        let s = b"GET / HTTP/1.1\r\nConnection: Close\r\n\r\n";
        assert!(p(s).wants_close(s));
        let s = b"GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n";
        assert!(!p(s).wants_close(s));
        assert_eq!(p(b"GET / HTTP/1.1\r\n\r\n").status(b"GET / HTTP/1.1\r\n\r\n"), 0);
    }

    /// Well-formed requests: the hand-written parser agrees with httparse.
    #[test]
    fn agrees_with_httparse() {
        let reqs: &[&[u8]] = &[
            b"GET / HTTP/1.1\r\n\r\n",
            b"GET /a/b?c=d&e HTTP/1.0\r\nHost: example.com\r\nAccept: */*\r\n\r\n",
            b"POST /up HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n\r\nbody",
            b"DELETE /x HTTP/1.1\r\nX-Empty:\r\nX-Spaces:   v   \r\n\r\n",
            b"OPTIONS * HTTP/1.1\nHost: a\n\n",
        ];
        for s in reqs {
            let ours = p(s);
            let mut hs = [httparse::EMPTY_HEADER; 16];
            let mut theirs = httparse::Request::new(&mut hs);
            let n = match theirs.parse(s).unwrap() {
                httparse::Status::Complete(n) => n,
                httparse::Status::Partial => panic!("partial"),
            };
            assert_eq!(ours.head_len, n);
            assert_eq!(text(s, ours.method), theirs.method.unwrap());
            let mut path = text(s, ours.uri).to_string();
            if let Some(q) = ours.query {
                path = format!("{path}?{}", text(s, q));
            }
            assert_eq!(path, theirs.path.unwrap());
            assert_eq!(text(s, ours.proto), format!("HTTP/1.{}", theirs.version.unwrap()));
            assert_eq!(ours.headers().len(), theirs.headers.len());
            for (a, b) in ours.headers().iter().zip(theirs.headers.iter()) {
                assert_eq!(text(s, a.name), b.name);
                assert_eq!(a.value.get(s), b.value);
            }
        }
    }

    // ---- chunked ----

    fn dechunked(raw: &[u8]) -> (Chunked, Vec<u8>) {
        let mut buf = raw.to_vec();
        let r = dechunk(&mut buf);
        (r, buf)
    }

    #[test]
    fn chunked_complete() {
        let raw = b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\nGET /next";
        let (r, buf) = dechunked(raw);
        assert_eq!(r, Chunked::Complete { consumed: 20, body_len: 5 });
        assert_eq!(&buf[..5], b"abcde");
        assert_eq!(&buf[20..], b"GET /next");
        let (r, buf) = dechunked(b"0\r\n\r\n");
        assert_eq!(r, Chunked::Complete { consumed: 5, body_len: 0 });
        assert_eq!(buf, b"0\r\n\r\n");
        let (r, buf) = dechunked(b"A\r\n0123456789\r\nf\r\nabcdefghijklmno\r\n00000000\r\n\r\n");
        assert_eq!(r, Chunked::Complete { consumed: 47, body_len: 25 });
        assert_eq!(&buf[..25], b"0123456789abcdefghijklmno");
        // Payloads may contain CRLF.
        let (r, buf) = dechunked(b"4\r\n\r\n\r\n\r\n0\r\n\r\n");
        assert_eq!(r, Chunked::Complete { consumed: 14, body_len: 4 });
        assert_eq!(&buf[..4], b"\r\n\r\n");
        assert_eq!(scan_chunked(b"7fffffff\r\n"), Chunked::Incomplete);
    }

    #[test]
    fn chunked_incomplete_at_every_split() {
        let raw = b"3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n";
        for n in 0..raw.len() {
            let mut buf = raw[..n].to_vec();
            assert_eq!(dechunk(&mut buf), Chunked::Incomplete, "split at {n}");
            assert_eq!(&buf[..], &raw[..n], "untouched at {n}");
        }
        assert_eq!(scan_chunked(raw), Chunked::Complete { consumed: raw.len(), body_len: 19 });
        // The trace of EVENT-LOOP.md §9.11: first packet, then the rest.
        assert_eq!(scan_chunked(b"3\r\nabc\r\n"), Chunked::Incomplete);
        assert_eq!(
            scan_chunked(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"),
            Chunked::Complete { consumed: 20, body_len: 5 }
        );
    }

    #[test]
    fn chunked_invalid() {
        for raw in [
            &b"x\r\n"[..],
            b"\r\n",
            b"3 \r\nabc\r\n0\r\n\r\n",
            b"3;ext=1\r\nabc\r\n0\r\n\r\n",
            b"3\nabc\r\n0\r\n\r\n",
            b"3\r\rabc\r\n0\r\n\r\n",
            b"3\r\nabcd\r\n0\r\n\r\n",
            b"3\r\nabc\n0\r\n\r\n",
            b"3\r\nabcXY",
            b"80000000\r\n",
            b"ffffffff\r\n",
            b"000000001\r\nx\r\n",
            b"123456789",
            b"0\r\nFoo: bar\r\n\r\n",
            b"0\r\nXY",
            b"3\r\nabc\r\n-1\r\n",
            b"+3\r\nabc\r\n",
        ] {
            let mut buf = raw.to_vec();
            assert_eq!(dechunk(&mut buf), Chunked::Invalid, "{:?}", String::from_utf8_lossy(raw));
            assert_eq!(&buf[..], raw);
        }
    }

    // ---- variables ----

    fn hv<'a>(s: &'a str, v: &str) -> Option<&'a str> {
        header_var(s.as_bytes(), v.as_bytes()).map(|x| &s[x.off..x.end()])
    }

    #[test]
    fn header_var_examples() {
        assert_eq!(hv("multipart/form-data; boundary=abc", "boundary"), Some("abc"));
        assert_eq!(hv("token=xyz", "token"), Some("xyz"));
        assert_eq!(hv("filename=\"a\"; name=\"b\"", "name"), Some("a"));
        assert_eq!(hv("a=1", "a"), None);
        assert_eq!(hv("a=1,b=2", "b"), None);
        assert_eq!(hv("a=12", "a"), Some("12"));
        assert_eq!(hv("a=1,b=22", "b"), Some("22"));
        assert_eq!(hv("a=12;b=3", "a"), Some("12"));
        assert_eq!(hv("a=1 2", "a"), Some("1"));
        assert_eq!(hv("a=\"x y\";z", "a"), Some("x y"));
        assert_eq!(hv("a=\"x y", "a"), Some("\"x y"));
        assert_eq!(hv("a=\"\"x", "a"), Some(""));
        assert_eq!(hv("a=;xx", "a"), Some(""));
        assert_eq!(hv("A=12", "a"), None);
        assert_eq!(hv("xa=12", "a"), Some("12"));
        assert_eq!(hv("abc", ""), None);
        assert_eq!(hv("", "a"), None);
        assert_eq!(
            hv("Content-Disposition: form-data; name=\"f\"; filename=\"x.txt\"", "filename"),
            Some("x.txt")
        );
    }

    fn var<'a>(s: &'a str, n: &str) -> Option<&'a str> {
        http_var(s.as_bytes(), n.as_bytes()).map(|x| &s[x.off..x.end()])
    }

    #[test]
    fn http_var_examples() {
        assert_eq!(var("a=1&b=hello%20world&B=x", "b"), Some("hello%20world"));
        assert_eq!(var("a=1&b=hello%20world&B=x", "B"), Some("hello%20world"));
        assert_eq!(var("a=1", "A"), Some("1"));
        assert_eq!(var("a", "a"), Some(""));
        assert_eq!(var("a&b=2", "b"), Some("2"));
        assert_eq!(var("a=1&&b=2&", "b"), Some("2"));
        assert_eq!(var("ab=1", "a"), None);
        assert_eq!(var("a=1", "ab"), None);
        assert_eq!(var("a==1", "a"), Some("=1"));
        assert_eq!(var("=x", ""), Some("x"));
        assert_eq!(var("", "a"), None);
        let s = b"x=1&a";
        assert_eq!(http_var(s, b"a"), Some(Span::new(5, 0)));
    }

    fn gv(buf: &str, name: &str, cap: usize) -> (i32, String) {
        let mut dst = vec![0xAAu8; cap];
        let r = get_var(buf.as_bytes(), name.as_bytes(), &mut dst);
        let end = dst.iter().position(|&c| c == 0).unwrap_or(dst.len());
        (r, String::from_utf8_lossy(&dst[..end]).into_owned())
    }

    #[test]
    fn get_var_examples() {
        assert_eq!(gv("a=1&b=hello%20world&B=x", "b", 64), (11, "hello world".into()));
        assert_eq!(gv("a=1&b=x+y", "b", 64), (3, "x y".into()));
        assert_eq!(gv("a=1&b=xyz", "b", 3), (-3, "xy".into()));
        assert_eq!(gv("a=1&b=xyz", "b", 4), (3, "xyz".into()));
        assert_eq!(gv("", "a", 8), (-1, "".into()));
        assert_eq!(gv("a=%zz", "a", 8), (-3, "".into()));
        assert_eq!(gv("a=b%zz", "a", 8), (-3, "b".into()));
        assert_eq!(gv("a", "a", 8), (0, "".into()));
        assert_eq!(gv("a=1", "A", 8), (1, "1".into()));
        assert_eq!(gv("a=1", "c", 8), (-4, "".into()));
        assert_eq!(gv("a=1", "a", 0), (-2, "".into()));
    }

    fn ud(s: &str, cap: usize, form: bool) -> (Option<usize>, Vec<u8>) {
        let mut dst = vec![0xAAu8; cap];
        let r = url_decode(s.as_bytes(), &mut dst, form);
        (r, dst)
    }

    #[test]
    fn url_decode_examples() {
        assert_eq!(ud("abc", 3, false), (None, b"ab\0".to_vec()));
        assert_eq!(ud("abc", 4, false), (Some(3), b"abc\0".to_vec()));
        assert_eq!(ud("%4", 8, false).0, None);
        assert_eq!(ud("%41", 2, false), (Some(1), b"A\0".to_vec()));
        assert_eq!(ud("%4a%4A%4", 8, false).0, None);
        assert_eq!(ud("%4a%4A", 8, false).0, Some(2));
        assert_eq!(ud("a+b", 8, true).1[..4], *b"a b\0");
        assert_eq!(ud("a+b", 8, false).1[..4], *b"a+b\0");
        assert_eq!(ud("%2B%25%00x", 8, true), (Some(4), b"+%\0x\0\xAA\xAA\xAA".to_vec()));
        assert_eq!(ud("", 1, false), (Some(0), b"\0".to_vec()));
        assert_eq!(ud("", 0, false), (None, vec![]));
        assert_eq!(ud("a", 0, false), (None, vec![]));
        assert_eq!(ud("%g1", 8, false).0, None);
        // Decoding stops when the output is full, even before a bad escape.
        assert_eq!(ud("ab%zz", 2, false), (None, b"a\0".to_vec()));
    }

    fn ue(s: &[u8], cap: usize) -> (usize, Vec<u8>) {
        let mut dst = vec![0xAAu8; cap];
        let r = url_encode(s, &mut dst);
        (r, dst)
    }

    #[test]
    fn url_encode_examples() {
        let (n, d) = ue(b"/a b", 32);
        assert_eq!(n, 8);
        assert_eq!(&d[..9], b"%2fa%20b\0");
        assert_eq!(d[31], 0);
        let (n, d) = ue("é".as_bytes(), 16);
        assert_eq!((n, &d[..7]), (6, &b"%c3%a9\0"[..]));
        let (n, d) = ue(b"AZaz09-_.~", 15);
        assert_eq!((n, &d[..11]), (10, &b"AZaz09-_.~\0"[..]));
        // Room rule: `len` must exceed the output by at least 4 before each byte.
        assert_eq!(ue(b"a", 5).0, 1);
        assert_eq!(ue(b"a", 4), (0, b"\0\xAA\xAA\0".to_vec()));
        assert_eq!(ue(b"abc", 7).0, 3);
        assert_eq!(ue(b"abc", 6), (0, b"ab\0\xAA\xAA\0".to_vec()));
        assert_eq!(ue(b"/", 5), (3, b"%2f\0\0".to_vec()));
        assert_eq!(ue(b"", 0), (0, vec![]));
        assert_eq!(ue(b"", 1), (0, vec![0]));
        assert_eq!(ue(b"x", 0), (0, vec![]));
    }

    #[test]
    fn atoi_examples() {
        assert_eq!(atoi(b"200"), 200);
        assert_eq!(atoi(b" -42x"), -42);
        assert_eq!(atoi(b"+7"), 7);
        assert_eq!(atoi(b"/a"), 0);
        assert_eq!(atoi(b""), 0);
    }

    // ---- credentials ----

    fn cr(auth: Option<&str>, cookie: Option<&str>, query: &str, ul: usize, pl: usize) -> (String, String) {
        let (mut u, mut p) = (vec![0xAAu8; ul], vec![0xAAu8; pl]);
        creds(auth.map(str::as_bytes), cookie.map(str::as_bytes), query.as_bytes(), &mut u, &mut p);
        let s =
            |b: &[u8]| String::from_utf8_lossy(&b[..b.iter().position(|&c| c == 0).unwrap()]).into_owned();
        (s(&u), s(&p))
    }

    #[test]
    fn creds_examples() {
        let b = |u: &str, p: &str| (u.to_string(), p.to_string());
        assert_eq!(cr(Some("Basic dXNlcjpwYXNz"), None, "", 64, 64), b("user", "pass"));
        assert_eq!(cr(Some("Basic dXNlcjpwYXNz"), None, "", 3, 2), b("us", "p"));
        assert_eq!(cr(Some("Basic dXNlcg=="), None, "", 64, 64), b("", ""));
        assert_eq!(cr(Some("Basic OmE6Yg=="), None, "", 64, 64), b("", "a:b"));
        assert_eq!(cr(Some("Basic OmE6Yg"), None, "", 64, 64), b("", "a:"));
        assert_eq!(cr(Some("Basic !!!!"), Some("access_token=zz"), "", 64, 64), b("", ""));
        assert_eq!(cr(Some("Bearer tok123"), None, "access_token=q", 64, 64), b("", "tok123"));
        assert_eq!(cr(Some("Bearer "), Some("access_token=ck"), "", 64, 64), b("", "ck"));
        assert_eq!(cr(Some("Digest x"), Some("a=1; access_token=ck"), "", 64, 64), b("", "ck"));
        assert_eq!(cr(None, Some("x=1; y=2"), "access_token=q", 64, 64), b("", ""));
        assert_eq!(cr(None, None, "a=1&access_token=q%20r", 64, 64), b("", "q r"));
        assert_eq!(cr(None, None, "access_token=abcdef", 64, 4), b("", "abc"));
        assert_eq!(cr(None, None, "", 64, 64), b("", ""));
        assert_eq!(cr(Some("basic dXNlcjpwYXNz"), None, "", 64, 64), b("", ""));
        // 255 decoded bytes are fine, 256 are not.
        let long = |n: usize| {
            use base64::Engine as _;
            let plain = format!("u:{}", "p".repeat(n - 2));
            format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(plain))
        };
        assert_eq!(cr(Some(&long(255)), None, "", 300, 300).1.len(), 253);
        assert_eq!(cr(Some(&long(256)), None, "", 300, 300), b("", ""));
        // Empty outputs are left alone.
        let mut none: [u8; 0] = [];
        let mut p = [1u8; 8];
        creds(Some(b"Basic dXNlcjpwYXNz"), None, b"", &mut none, &mut p);
        assert_eq!(&p[..5], b"pass\0");
    }

    // ---- multipart ----

    const MP: &[u8] = b"--XYZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nval1\r\n\
--XYZ\r\ncontent-disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\nContent-Type: text/plain\r\n\r\nhel\r\nlo\r\n\
--XYZ\r\nX-Other: 1\r\n\r\n\r\n--XYZ--\r\n";

    #[test]
    fn multipart_iterates() {
        let t = |s: Option<Span>| s.map(|x| std::str::from_utf8(x.get(MP)).unwrap());
        let (o1, p1) = next_multipart(MP, 0).unwrap();
        assert_eq!((t(p1.name), t(p1.filename), t(Some(p1.body))), (Some("a"), None, Some("val1")));
        assert_eq!(&MP[o1..o1 + 5], b"--XYZ");
        let (o2, p2) = next_multipart(MP, o1).unwrap();
        assert_eq!(
            (t(p2.name), t(p2.filename), t(Some(p2.body))),
            (Some("f"), Some("x.txt"), Some("hel\r\nlo"))
        );
        let (o3, p3) = next_multipart(MP, o2).unwrap();
        assert_eq!((p3.name, p3.filename, p3.body.len), (None, None, 0));
        assert_eq!(&MP[o3..], b"--XYZ--\r\n");
        assert_eq!(next_multipart(MP, o3), None);
    }

    #[test]
    fn multipart_edges() {
        // The closing boundary without its CRLF still ends the last part.
        let s = b"--B\r\nContent-Disposition: form-data; name=\"k\"\r\n\r\nv\r\n--B--";
        let (o, part) = next_multipart(s, 0).unwrap();
        assert_eq!(part.body.get(s), b"v");
        assert_eq!(next_multipart(s, o), None);
        // `filename` listed first is also what `name` finds (substring search).
        let s =
            b"--B\r\nContent-Disposition: form-data; filename=\"f.txt\"; name=\"n\"\r\n\r\nv\r\n--B--\r\n";
        let (_, part) = next_multipart(s, 0).unwrap();
        assert_eq!(part.name.unwrap().get(s), b"f.txt");
        // Incomplete or malformed bodies end the iteration.
        for n in 0..MP.iter().position(|&c| c == b'v').unwrap() + 6 {
            assert_eq!(next_multipart(&MP[..n], 0), None, "prefix {n}");
        }
        assert_eq!(next_multipart(b"", 0), None);
        assert_eq!(next_multipart(b"\r\nabc", 0), None);
        assert_eq!(next_multipart(b"--B\nX: 1\n\nv\n--B--\n", 0), None);
        assert_eq!(next_multipart(MP, MP.len() + 10), None);
        // The value is taken from one byte past the colon.
        let s = b"--B\r\nContent-Disposition:name=\"q\"\r\n\r\nv\r\n--B--";
        assert_eq!(next_multipart(s, 0).unwrap().1.name, None);
    }

    // ---- replies and chunks ----

    #[test]
    fn status_table() {
        let all = [
            (100, "Continue"),
            (101, "Switching Protocols"),
            (102, "Processing"),
            (200, "OK"),
            (201, "Created"),
            (202, "Accepted"),
            (203, "Non-authoritative Information"),
            (204, "No Content"),
            (205, "Reset Content"),
            (206, "Partial Content"),
            (207, "Multi-Status"),
            (208, "Already Reported"),
            (226, "IM Used"),
            (300, "Multiple Choices"),
            (301, "Moved Permanently"),
            (302, "Found"),
            (303, "See Other"),
            (304, "Not Modified"),
            (305, "Use Proxy"),
            (307, "Temporary Redirect"),
            (308, "Permanent Redirect"),
            (400, "Bad Request"),
            (401, "Unauthorized"),
            (402, "Payment Required"),
            (403, "Forbidden"),
            (404, "Not Found"),
            (405, "Method Not Allowed"),
            (406, "Not Acceptable"),
            (407, "Proxy Authentication Required"),
            (408, "Request Timeout"),
            (409, "Conflict"),
            (410, "Gone"),
            (411, "Length Required"),
            (412, "Precondition Failed"),
            (413, "Payload Too Large"),
            (414, "Request-URI Too Long"),
            (415, "Unsupported Media Type"),
            (416, "Requested Range Not Satisfiable"),
            (417, "Expectation Failed"),
            (418, "I'm a teapot"),
            (421, "Misdirected Request"),
            (422, "Unprocessable Entity"),
            (423, "Locked"),
            (424, "Failed Dependency"),
            (426, "Upgrade Required"),
            (428, "Precondition Required"),
            (429, "Too Many Requests"),
            (431, "Request Header Fields Too Large"),
            (444, "Connection Closed Without Response"),
            (451, "Unavailable For Legal Reasons"),
            (499, "Client Closed Request"),
            (500, "Internal Server Error"),
            (501, "Not Implemented"),
            (502, "Bad Gateway"),
            (503, "Service Unavailable"),
            (504, "Gateway Timeout"),
            (505, "HTTP Version Not Supported"),
            (506, "Variant Also Negotiates"),
            (507, "Insufficient Storage"),
            (508, "Loop Detected"),
            (510, "Not Extended"),
            (511, "Network Authentication Required"),
            (599, "Network Connect Timeout Error"),
        ];
        for (c, t) in all {
            assert_eq!(status_text(c), t, "{c}");
        }
        let known = (-1000..1000).filter(|&c| !status_text(c).is_empty()).count();
        assert_eq!(known, all.len());
    }

    #[test]
    fn reply_heads() {
        let r = |c, h: &str, n| String::from_utf8(reply_head(c, h.as_bytes(), n)).unwrap();
        assert_eq!(r(200, "", 5), "HTTP/1.1 200 OK\r\nContent-Length: 5          \r\n\r\n");
        assert_eq!(r(404, "", 0), "HTTP/1.1 404 Not Found\r\nContent-Length: 0          \r\n\r\n");
        assert_eq!(
            r(299, "X-A: 1\r\nContent-Type: text/plain\r\n", 8),
            "HTTP/1.1 299 \r\nX-A: 1\r\nContent-Type: text/plain\r\nContent-Length: 8          \r\n\r\n"
        );
        assert_eq!(r(200, "", 19999), "HTTP/1.1 200 OK\r\nContent-Length: 19999      \r\n\r\n");
        assert_eq!(r(-1, "", 1234567890), "HTTP/1.1 -1 \r\nContent-Length: 1234567890 \r\n\r\n");
        assert_eq!(content_length_field(42).len(), 11); // 10 columns + a space
                                                        // What Mongoose sends parses back with the same length.
        let mut msg = reply_head(200, b"X: y\r\n", 5);
        msg.extend_from_slice(b"hello");
        let h = p(&msg);
        assert_eq!(h.body().get(&msg), b"hello");
        assert_eq!(h.header(&msg, b"Content-Length"), Some(&b"5"[..]));
    }

    #[test]
    fn chunk_framing() {
        assert_eq!(chunk_padded(b"hello 5"), b"00000007\r\nhello 5\r\n");
        assert_eq!(chunk_padded(b""), b"00000000\r\n\r\n");
        assert_eq!(chunk_minimal(b"abc"), b"3\r\nabc\r\n");
        assert_eq!(chunk_minimal(&[b'z'; 17])[..4], *b"11\r\n");
        assert_eq!(chunk_minimal(b""), b"0\r\n\r\n");
        assert_eq!(chunk_size_padded(0xabcdef), b"00abcdef\r\n");
        // Both framings de-chunk.
        let raw = [chunk_padded(b"ab"), chunk_minimal(&[b'c'; 26]), chunk_padded(b"")].concat();
        let mut buf = raw.clone();
        assert_eq!(dechunk(&mut buf), Chunked::Complete { consumed: raw.len(), body_len: 28 });
    }

    #[test]
    fn etags() {
        assert_eq!(etag(10, 1704164645), "\"1704164645.10\"");
        assert_eq!(etag(0, -5), "\"-5.0\"");
    }

    #[test]
    fn write_truncated_copies() {
        let mut d = [9u8; 4];
        assert_eq!(write_truncated(&mut d, b"abcdef"), 3);
        assert_eq!(&d, b"abc\0");
        assert_eq!(write_truncated(&mut [], b"x"), 0);
    }

    /// A request read in pieces: before the blank line every prefix is
    /// incomplete; from it on, every prefix (the body still arriving) parses
    /// to the same head, whose body length comes from Content-Length.
    #[test]
    fn request_prefixes_incomplete_then_same_head() {
        let req = b"POST /echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde";
        let hl = req.len() - 5;
        let whole = p(req);
        assert_eq!((whole.head_len, whole.body_len, whole.message_len()), (hl, 5, req.len()));
        for n in 0..hl {
            assert_eq!(parse(&req[..n]), Err(HeadError::Incomplete), "prefix {n}");
        }
        for n in hl..=req.len() {
            assert_eq!(parse(&req[..n]).as_ref(), Ok(&whole), "prefix {n}");
        }
    }
}
