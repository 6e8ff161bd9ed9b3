//! The request/response head parser (`mg_http_parse`,
//! `mg_http_get_request_len`) and the [`Head`] it yields.

use super::{atoi, Span, BODY_UNTIL_CLOSE};
use crate::abi::MG_MAX_HTTP_HEADERS;
use crate::core::str::to_size_t;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::http::*;

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

    // Added for mutation testing (MUTANTS.md).
    #[test]
    fn transfer_encoding_on_http10_requests_only() {
        for (msg, want) in [
            (&b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"[..], true),
            (b"POST / http/1.0\r\ntransfer-encoding: chunked\r\n\r\n", true),
            (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", false),
            (b"POST / HTTP/1.0\r\nContent-Length: 0\r\n\r\n", false),
            (b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false),
        ] {
            let h = parse(msg).unwrap();
            assert_eq!(h.te_on_http10(msg), want, "{:?}", String::from_utf8_lossy(msg));
        }
    }

    // Added for mutation testing (MUTANTS.md).
    #[test]
    fn blank_only_header_value_is_empty() {
        let s = b"GET / HTTP/1.1\r\nA: \t \r\nB:\t\nC: c\r\n\r\n";
        let h = p(s);
        assert_eq!(h.header(s, b"A"), Some(&b""[..]));
        assert_eq!(h.header(s, b"B"), Some(&b""[..]));
        assert_eq!(h.header(s, b"C"), Some(&b"c"[..]));
    }

    // Added for mutation testing (MUTANTS.md).
    #[test]
    fn request_len_leading_newline() {
        // A '\n' at offset 0 has no byte before it to pair with.
        assert_eq!(request_len(b"\n\n"), Ok(2));
        assert_eq!(request_len(b"\nx"), Err(HeadError::Incomplete));
    }

    // Added for mutation testing (MUTANTS.md).
    #[test]
    fn utf8_sequences_of_every_length() {
        // 2-, 3- and 4-byte sequences are visible characters in the URI
        // and in header names.
        for uri in ["/\u{e9}", "/\u{20ac}", "/\u{1f600}", "/a\u{1f600}\u{20ac}\u{e9}b"] {
            let s = format!("GET {uri} HTTP/1.1\r\n{uri}: v\r\n\r\n");
            let h = p(s.as_bytes());
            assert_eq!(text(s.as_bytes(), h.uri), uri);
            assert_eq!(text(s.as_bytes(), h.headers()[0].name), uri);
        }
        // A lead byte without all its continuation bytes ends the URI, and
        // the rest is not a protocol.
        let bads: [&[u8]; 8] = [
            b"/\xc3x",
            b"/\xe2\x82x",
            b"/\xe0x\x80",
            b"/\xf0\x9f\x98x",
            b"/\xf0x\x80\x80",
            b"/\x80\x80\x80\x80",
            b"/\xff\x80",
            b"/\xc0",
        ];
        for bad in bads {
            let mut s = b"GET ".to_vec();
            s.extend_from_slice(bad);
            s.extend_from_slice(b" HTTP/1.1\r\n\r\n");
            assert_eq!(parse(&s), Err(HeadError::Malformed), "{:?}", String::from_utf8_lossy(&s));
        }
    }
}
