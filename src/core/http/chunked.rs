//! Chunked transfer coding: validating and de-chunking a received body.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
