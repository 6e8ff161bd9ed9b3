//! HTTP head parsing, body framing / de-chunking, multipart iteration and the
//! variable/credential helpers that run on parsed heads.
//!
//! The input is a raw message as it would arrive on a connection. If it
//! parses, the bytes after the head are de-chunked and walked as a multipart
//! body; if not, the whole input is walked as a multipart body (so that the
//! multipart parser is fuzzed without first having to find a valid head).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mongoose::core::http::{self, Chunked, Framing, Head, HeadError, Span, BODY_UNTIL_CLOSE};
use mongoose::core::str::to_size_t;

/// `s` lies inside a buffer of `len` bytes.
fn within(s: Span, len: usize, what: &str) {
    assert!(s.off <= len && s.len <= len - s.off, "{what} {s:?} outside 0..{len}");
}

fn check_head(data: &[u8], head: &Head) {
    let hl = head.head_len;
    assert!(hl > 0 && hl <= data.len(), "head_len {hl} vs {}", data.len());
    assert_eq!(http::request_len(data), Ok(hl));
    let h = &data[..hl];
    // The head ends in a blank line.
    assert_eq!(h[hl - 1], b'\n');
    within(head.method, hl, "method");
    within(head.uri, hl, "uri");
    within(head.proto, hl, "proto");
    assert!(head.method.len > 0 && head.uri.len > 0);
    assert!(!head.uri.get(h).contains(&b'?'));
    if let Some(q) = head.query {
        within(q, hl, "query");
        assert_eq!(q.off, head.uri.end() + 1);
        assert_eq!(h[q.off - 1], b'?');
    }
    assert!(head.method.end() <= head.uri.off && head.uri.end() <= head.proto.off);
    let is_resp = head.method.len > 5 && head.method.get(h)[..5].eq_ignore_ascii_case(b"HTTP/");
    assert_eq!(head.is_response, is_resp);
    assert!(head.headers().len() <= 30);
    let mut prev_end = head.proto.end();
    for hd in head.headers() {
        within(hd.name, hl, "header name");
        within(hd.value, hl, "header value");
        assert!(hd.name.len > 0);
        assert!(prev_end <= hd.name.off && hd.name.end() < hd.value.off);
        assert_eq!(h[hd.name.end()], b':');
        let v = hd.value.get(h);
        assert!(!v.contains(&b'\r') && !v.contains(&b'\n'));
        assert!(!matches!(v.first(), Some(b' ' | b'\t')) && !matches!(v.last(), Some(b' ' | b'\t')));
        prev_end = hd.value.end();
    }
    // Content-Length / body_len agreement.
    match head.header(h, b"Content-Length") {
        Some(cl) => assert_eq!(Some(head.body_len), to_size_t(cl)),
        None if !head.is_response || head.uri.get(h) == b"204" => assert_eq!(head.body_len, 0),
        None => assert_eq!(head.body_len, BODY_UNTIL_CLOSE),
    }
    if head.body_len != BODY_UNTIL_CLOSE {
        assert!(hl.checked_add(head.body_len).is_some());
        assert_eq!(head.message_len(), hl + head.body_len);
    }
    let _ = head.status(h);
    let _ = head.wants_close(h);

    // The head alone parses the same; every proper prefix is incomplete.
    assert_eq!(http::parse(h).as_ref(), Ok(head));
    for k in [0, hl / 2, hl - 1] {
        assert_eq!(http::parse(&data[..k]).err(), Some(HeadError::Incomplete), "prefix {k}");
    }
}

/// Reference de-chunker, written independently of `core::http`.
fn ref_dechunk(buf: &[u8]) -> Option<(usize, Vec<u8>)> {
    let mut ofs = 0;
    let mut out = Vec::new();
    loop {
        let rest = &buf[ofs..];
        let digits = rest.iter().take_while(|c| c.is_ascii_hexdigit()).count();
        if digits == 0 || digits > 8 {
            return None;
        }
        let size = usize::from_str_radix(std::str::from_utf8(&rest[..digits]).ok()?, 16).ok()?;
        if size >= 1 << 31 || rest.get(digits..digits + 2)? != b"\r\n" {
            return None;
        }
        let data = rest.get(digits + 2..digits + 2 + size)?;
        if rest.get(digits + 2 + size..digits + 4 + size)? != b"\r\n" {
            return None;
        }
        out.extend_from_slice(data);
        ofs += digits + 4 + size;
        if size == 0 {
            return Some((ofs, out));
        }
    }
}

fn check_chunked(rest: &[u8]) {
    let scan = http::scan_chunked(rest);
    let mut copy = rest.to_vec();
    let d = http::dechunk(&mut copy);
    assert_eq!(scan, d);
    match d {
        Chunked::Complete { consumed, body_len } => {
            assert!(consumed <= rest.len() && body_len < consumed);
            assert_eq!(&copy[consumed..], &rest[consumed..], "bytes after the chunks changed");
            let (rc, rbody) = ref_dechunk(rest).expect("reference de-chunker rejects a complete body");
            assert_eq!(rc, consumed);
            assert_eq!(&copy[..body_len], &rbody[..]);
        }
        Chunked::Incomplete | Chunked::Invalid => {
            assert_eq!(copy, rest, "dechunk changed an unfinished/invalid body");
            // An invalid body never becomes valid by appending bytes, and an
            // incomplete one is never rejected by the reference before its end.
            if d == Chunked::Invalid {
                let mut more = rest.to_vec();
                more.extend_from_slice(b"0\r\n\r\n");
                assert_eq!(http::scan_chunked(&more), Chunked::Invalid);
            }
            assert!(ref_dechunk(rest).is_none());
        }
    }
}

fn check_multipart(body: &[u8]) {
    let mut ofs = 0;
    for _ in 0..64 {
        let Some((next, part)) = http::next_multipart(body, ofs) else { break };
        assert!(next > ofs && next <= body.len(), "next {next} after {ofs} of {}", body.len());
        within(part.body, body.len(), "part body");
        assert!(part.body.off > ofs && part.body.end() <= next);
        // Found or held back, the next boundary line starts after a CRLF.
        assert_eq!(part.body.end() + 2, next);
        if let Some(n) = part.name {
            within(n, body.len(), "part name");
            assert!(n.off > ofs && n.end() <= part.body.off);
        }
        if let Some(f) = part.filename {
            within(f, body.len(), "part filename");
            assert!(f.off > ofs && f.end() <= part.body.off);
        }
        ofs = next;
    }
}

fn check_vars(data: &[u8], head: &Head) {
    let h = &data[..head.head_len];
    let query = head.query.map_or(&h[..0], |q| q.get(h));
    // Every key of the query is found, and get_var agrees with http_var.
    for entry in query.split(|&c| c == b'&').take(8) {
        let key = entry.split(|&c| c == b'=').next().unwrap_or(entry);
        if let Some(v) = http::http_var(query, key) {
            within(v, query.len(), "http_var");
        }
        for cap in [0usize, 1, 4, 64] {
            let mut dst = vec![0xAAu8; cap];
            let r = http::get_var(query, key, &mut dst);
            assert!(r >= -4 && (r < 0 || (r as usize) < cap));
            if r >= 0 {
                assert_eq!(dst[r as usize], 0);
            }
        }
    }
    for hd in head.headers() {
        let v = hd.value.get(h);
        for name in [&b"name"[..], b"filename", b"boundary", b"charset"] {
            if let Some(s) = http::header_var(v, name) {
                within(s, v.len(), "header_var");
            }
        }
    }
    for (user_cap, pass_cap) in [(0usize, 0usize), (1, 1), (8, 3), (256, 256)] {
        let (mut user, mut pass) = (vec![0xAAu8; user_cap], vec![0xAAu8; pass_cap]);
        http::creds(head.header(h, b"Authorization"), head.header(h, b"Cookie"), query, &mut user, &mut pass);
        for b in [&user, &pass] {
            if !b.is_empty() {
                assert!(b.contains(&0), "creds output not NUL-terminated");
            }
        }
    }
    // URL coding round trip on the URI.
    let uri = head.uri.get(h);
    let mut dec = vec![0u8; uri.len() + 1];
    if let Some(n) = http::url_decode(uri, &mut dec, false) {
        assert!(n <= uri.len() && dec[n] == 0);
        let mut enc = vec![0u8; 3 * n + 5];
        let m = http::url_encode(&dec[..n], &mut enc);
        assert!(n == 0 || m > 0);
        let mut back = vec![0u8; m + 1];
        assert_eq!(http::url_decode(&enc[..m], &mut back, false), Some(n));
        assert_eq!(&back[..n], &dec[..n]);
    }
    for cap in [0usize, 1, 2, 7] {
        let mut small = vec![0xAAu8; cap];
        if let Some(n) = http::url_decode(uri, &mut small, true) {
            assert!(n < cap && small[n] == 0);
        }
        let _ = http::url_encode(uri, &mut small);
        if let Some(&last) = small.last() {
            assert_eq!(last, 0);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    match http::parse(data) {
        Ok(head) => {
            check_head(data, &head);
            check_vars(data, &head);
            let rest = &data[head.head_len..];
            let h = &data[..head.head_len];
            check_chunked(rest);
            match head.framing(h) {
                Framing::Chunked => {
                    assert!(head.header(h, b"Transfer-Encoding").unwrap().eq_ignore_ascii_case(b"chunked"))
                }
                Framing::BadTransferEncoding => assert!(head.header(h, b"Transfer-Encoding").is_some()),
                Framing::Length(n) => {
                    assert_eq!(n, head.body_len);
                    check_multipart(&rest[..n.min(rest.len())]);
                }
                Framing::UntilClose => {
                    assert!(head.is_response && head.body_len == BODY_UNTIL_CLOSE);
                    check_multipart(rest);
                }
            }
        }
        Err(e) => {
            if let Err(r) = http::request_len(data) {
                assert_eq!(e, r);
            }
            check_multipart(data);
            check_chunked(data);
        }
    }
});
