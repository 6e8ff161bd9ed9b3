//! Bytes we send: reply heads, chunk framing, status texts, etags.

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
    use crate::core::http::*;

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
        let h = parse(&msg).unwrap();
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
}
