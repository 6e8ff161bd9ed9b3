//! Base64 as Mongoose 7.23 does it (`mg_base64_*`, `mg_base64url_*`):
//! standard and URL-safe alphabets, with Mongoose's exact buffer-size rules,
//! NUL termination, partial-group handling and what is left in the output
//! buffer on failure (programs may look at it, so it is reproduced too).
//!
//! The `base64` crate is not used here: none of its modes reproduces these
//! rules (group-wise `=` handling in the middle of the input, partial writes
//! before a failure, NUL-filled padding positions of the URL encoder).

const STD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The incremental encoder's digit for a 6-bit value `v`. The carry that
/// `update` parks in the buffer is read back as a C `char` (signed), so a
/// buffer holding garbage maps the way Mongoose maps it: negative values are
/// offset from `'A'`, anything past 62 is `'/'`.
fn digit(v: i32) -> u8 {
    let c = match v {
        ..=25 => v + i32::from(b'A'),
        26..=51 => v - 26 + i32::from(b'a'),
        52..=61 => v - 52 + i32::from(b'0'),
        62 => i32::from(b'+'),
        _ => i32::from(b'/'),
    };
    c as u8
}

/// The carry byte at `buf[i]` as a signed `char` widened to `int`.
fn carry(buf: &[u8], i: usize) -> i32 {
    i32::from(buf[i] as i8)
}

/// How many bytes of `buf`, from its start, `update(_, buf, len)` reads or
/// writes (the C shim builds a slice of exactly this size).
pub fn update_span(len: usize) -> Option<usize> {
    len.checked_add(2)
}

/// `mg_base64_update`: append the encoding of one byte. `len` is the output
/// length so far (start at 0). While a group of three input bytes is
/// incomplete, the pending bits are parked raw in `buf[len]`, past the
/// returned length. `buf` must hold `update_span(len)` bytes.
pub fn update(byte: u8, buf: &mut [u8], len: usize) -> usize {
    let b = i32::from(byte);
    match len % 4 {
        1 => {
            buf[len] = digit(carry(buf, len) | (b >> 4));
            buf[len + 1] = ((b & 0x0f) << 2) as u8;
            len + 1
        }
        2 => {
            buf[len] = digit(carry(buf, len) | (b >> 6));
            buf[len + 1] = digit(b & 0x3f);
            len + 2
        }
        // 0, and 3 (never reached from a zero start) starts a new group.
        _ => {
            buf[len] = digit(b >> 2);
            buf[len + 1] = ((b & 0x03) << 4) as u8;
            len + 1
        }
    }
}

/// How many bytes of `buf` `finish(buf, len)` touches.
pub fn final_span(len: usize) -> Option<usize> {
    len.checked_add(match len % 4 {
        0 => 1,
        1 => 4,
        2 => 3,
        _ => 2,
    })
}

/// `mg_base64_final`: flush the parked bits, pad with `=` and NUL-terminate;
/// returns the final length. `buf` must hold `final_span(len)` bytes.
pub fn finish(buf: &mut [u8], len: usize) -> usize {
    let start = len;
    let mut n = len;
    // Feed zero bytes until the group is complete, then turn the digits
    // that only zero bits produced into padding.
    while n % 4 != 0 {
        n = update(0, buf, n);
    }
    let pad = match start % 4 {
        1 => 2,
        2 => 1,
        _ => 0,
    };
    for c in &mut buf[n - pad..n] {
        *c = b'=';
    }
    buf[n] = 0;
    n
}

/// Encoded size of `n` bytes with padding, plus the NUL.
fn padded_size(n: usize) -> Option<usize> {
    n.div_ceil(3).checked_mul(4)?.checked_add(1)
}

fn encode_with(src: &[u8], out: &mut [u8], alphabet: &[u8; 64], pad: u8) -> usize {
    let fits = matches!(padded_size(src.len()), Some(need) if out.len() >= need);
    if !fits {
        if let Some(first) = out.first_mut() {
            *first = 0;
        }
        return 0;
    }
    let mut n = 0;
    for chunk in src.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let v = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            out[n + i] = if i <= chunk.len() { alphabet[((v >> (18 - 6 * i)) & 63) as usize] } else { pad };
        }
        n += 4;
    }
    out[n] = 0;
    let digits = src.len() / 3 * 4 + [0, 2, 3][src.len() % 3];
    if pad == 0 {
        digits
    } else {
        n
    }
}

/// `mg_base64_encode`: needs `4*ceil(n/3) + 1` bytes, else writes `out[0] =
/// 0` (when there is room) and returns 0. Writes the padded encoding and a
/// NUL, returns its length.
pub fn encode(src: &[u8], out: &mut [u8]) -> usize {
    encode_with(src, out, STD, b'=')
}

/// `mg_base64url_encode`: URL-safe alphabet, no padding in the returned
/// length, but the same buffer rule as `encode`: where `=` would go, NULs go.
pub fn encode_url(src: &[u8], out: &mut [u8]) -> usize {
    encode_with(src, out, URL, 0)
}

/// Value of a base64 digit in `alphabet`.
fn value(c: u8, url: bool) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' if !url => Some(62),
        b'/' if !url => Some(63),
        b'-' if url => Some(62),
        b'_' if url => Some(63),
        _ => None,
    }
}

fn fail(out: &mut [u8]) -> usize {
    if let Some(first) = out.first_mut() {
        *first = 0;
    }
    0
}

/// `mg_base64_decode`: needs `n/4*3 + 1` bytes of output. Decodes whole
/// groups of four (a trailing partial group is ignored); in a group the
/// first two must be digits, a `=` third ends it after one byte, a `=`
/// fourth after two, and every character of the group must be a digit or
/// `=`. Any other character fails: `out[0] = 0`, return 0 (the groups
/// decoded before it stay in `out`). On success writes a NUL, returns the
/// byte count.
pub fn decode(src: &[u8], out: &mut [u8]) -> usize {
    if out.len() < src.len() / 4 * 3 + 1 {
        return fail(out);
    }
    let mut n = 0;
    for g in src.chunks_exact(4) {
        let mut v = [0u8; 4];
        for (d, &c) in v.iter_mut().zip(g) {
            *d = match (c, value(c, false)) {
                (_, Some(x)) => x,
                (b'=', None) => 64,
                _ => return fail(out),
            };
        }
        if v[0] == 64 || v[1] == 64 {
            return fail(out);
        }
        out[n] = (v[0] << 2) | (v[1] >> 4);
        n += 1;
        if v[2] != 64 {
            out[n] = (v[1] << 4) | (v[2] >> 2);
            n += 1;
            if v[3] != 64 {
                out[n] = (v[2] << 6) | v[3];
                n += 1;
            }
        }
    }
    out[n] = 0;
    n
}

/// `mg_base64url_decode`: URL-safe alphabet, padding optional. Fails (0,
/// `out[0] = 0`) when `n % 4 == 1`, on a character outside the alphabet, or
/// when a byte and the NUL after it do not fit (bytes are written as they
/// are decoded, so a failure leaves the ones before it). Input ends at the
/// first `=`; leftover bits of a last partial group are dropped.
pub fn decode_url(src: &[u8], out: &mut [u8]) -> usize {
    if src.len() % 4 == 1 {
        return fail(out);
    }
    let (mut acc, mut bits, mut n) = (0u32, 0u32, 0usize);
    for &c in src.iter().take_while(|&&c| c != b'=') {
        let Some(v) = value(c, true) else { return fail(out) };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            if n + 1 >= out.len() {
                return fail(out);
            }
            out[n] = (acc >> bits) as u8;
            acc &= (1 << bits) - 1;
            n += 1;
        }
    }
    if n >= out.len() {
        return fail(out);
    }
    out[n] = 0;
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `f` on a buffer of `dl` bytes filled with 0xAA, returns the
    /// result and the buffer.
    fn run(dl: usize, f: impl FnOnce(&mut [u8]) -> usize) -> (usize, Vec<u8>) {
        let mut buf = vec![0xAA; dl];
        let r = f(&mut buf);
        (r, buf)
    }

    #[test]
    fn rfc4648_vectors() {
        let v: &[(&[u8], &str)] = &[
            (b"", ""),
            (b"f", "Zg=="),
            (b"fo", "Zm8="),
            (b"foo", "Zm9v"),
            (b"foob", "Zm9vYg=="),
            (b"fooba", "Zm9vYmE="),
            (b"foobar", "Zm9vYmFy"),
        ];
        for &(plain, enc) in v {
            let (n, buf) = run(20, |b| encode(plain, b));
            assert_eq!(&buf[..n + 1], format!("{enc}\0").as_bytes());
            let (n, buf) = run(20, |b| decode(enc.as_bytes(), b));
            assert_eq!(&buf[..n + 1], [plain, b"\0"].concat());
            // URL flavour: same digits here, no padding.
            let t = enc.trim_end_matches('=');
            let (n, buf) = run(20, |b| encode_url(plain, b));
            assert_eq!(&buf[..n], t.as_bytes());
            let (n, buf) = run(20, |b| decode_url(t.as_bytes(), b));
            assert_eq!(&buf[..n + 1], [plain, b"\0"].concat());
        }
    }

    #[test]
    fn encode_buffer_rule() {
        // "abcd" needs 4*2+1 = 9 bytes.
        assert_eq!(run(8, |b| encode(b"abcd", b)), (0, [&[0u8][..], &[0xAA; 7]].concat()));
        assert_eq!(run(9, |b| encode(b"abcd", b)), (8, b"YWJjZA==\0".to_vec()));
        assert_eq!(run(0, |b| encode(b"abcd", b)), (0, vec![]));
        assert_eq!(run(1, |b| encode(b"", b)), (0, vec![0]));
        // URL: NULs where the padding would be, same size rule.
        assert_eq!(run(5, |b| encode_url(&[0xfb], b)), (2, b"-w\0\0\0".to_vec()));
        assert_eq!(run(4, |b| encode_url(&[0xfb], b)), (0, vec![0, 0xAA, 0xAA, 0xAA]));
        assert_eq!(
            run(13, |b| encode_url(&[0xfb, 0xff, 0xfe, 0xfa, 0xf0, 0x3e, 0x3f], b)).1,
            b"-__--vA-Pw\0\0\0"
        );
    }

    #[test]
    fn decode_quirks() {
        let ok = |s: &[u8], dl: usize| run(dl, |b| decode(s, b));
        assert_eq!(ok(b"aGVsbG8", 20).0, 3); // partial group ignored
        assert_eq!(&ok(b"aGVsbG8", 20).1[..4], b"hel\0");
        assert_eq!(ok(b"aGVs*", 20).0, 3); // even an invalid one
        assert_eq!(&ok(b"aG==aGVs", 20).1[..5], b"hhel\0");
        assert_eq!(&ok(b"aG=sbA==", 20).1[..3], b"hl\0");
        assert_eq!(&ok(b"aGVsbA=x", 20).1[..5], b"hell\0");
        assert_eq!(ok(b"aG=*bA==", 20).0, 0);
        assert_eq!(ok(b"aGVsb===", 20).0, 0);
        assert_eq!(ok(b"====", 20).0, 0);
        assert_eq!(ok(b"YW-_", 20).0, 0);
        assert_eq!(&ok(b"YW+/", 20).1[..4], b"ao\xbf\0");
        // Failure after a good group leaves its bytes, minus the first.
        assert_eq!(&ok(b"aGVs\nbA==", 8).1[..], b"\0el\xaa\xaa\xaa\xaa\xaa");
        // Size rule n/4*3+1, checked first.
        assert_eq!(ok(b"aGVsbG8=", 6), (0, [&[0u8][..], &[0xAA; 5]].concat()));
        assert_eq!(ok(b"aGVsbG8=", 7).0, 5);
        assert_eq!(ok(b"aGVsbB==", 7).0, 4); // non-zero leftover bits accepted
        assert_eq!(ok(b"", 3), (0, vec![0, 0xAA, 0xAA]));
        assert_eq!(ok(b"aGVs", 0), (0, vec![]));
    }

    #[test]
    fn decode_url_quirks() {
        let ok = |s: &[u8], dl: usize| run(dl, |b| decode_url(s, b));
        assert_eq!(ok(b"aG", 2), (1, b"h\0".to_vec()));
        assert_eq!(ok(b"aGVsb", 20).0, 0); // n % 4 == 1
        assert_eq!(ok(b"aGVsb=", 20).0, 3);
        assert_eq!(ok(b"aGVsbG8==", 20).0, 0);
        assert_eq!(ok(b"a=", 20), (0, [&[0u8][..], &[0xAA; 19]].concat()));
        assert_eq!(&ok(b"aG=sbA", 20).1[..2], b"h\0");
        assert_eq!(ok(b"YW+/", 20).0, 0);
        assert_eq!(&ok(b"YW-_", 20).1[..4], b"ao\xbf\0");
        // Streaming writes: "hello" with room for 4 bytes + NUL.
        assert_eq!(ok(b"aGVsbG8", 5), (0, b"\0ell\xaa".to_vec()));
        assert_eq!(ok(b"aGVsbG8", 6), (5, b"hello\0".to_vec()));
        assert_eq!(ok(b"aGVs", 3), (0, b"\0e\xaa".to_vec()));
        assert_eq!(ok(b"aGVs*bA", 8), (0, b"\0el\xaa\xaa\xaa\xaa\xaa".to_vec()));
        assert_eq!(ok(b"", 1), (0, vec![0]));
        assert_eq!(ok(b"", 0), (0, vec![]));
    }

    fn incremental(src: &[u8]) -> (usize, Vec<u8>) {
        let mut buf = vec![0xAA; 4 * src.len().div_ceil(3) + 4];
        let mut n = 0;
        for &b in src {
            n = update(b, &mut buf, n);
        }
        let n = finish(&mut buf, n);
        (n, buf)
    }

    #[test]
    fn update_and_final() {
        for src in [&b""[..], b"a", b"ab", b"abc", b"abcd", b"\xff\xfe\xfd\xfc\xfb", b"hello world!"] {
            let (n, buf) = incremental(src);
            let (m, want) = run(40, |b| encode(src, b));
            assert_eq!(&buf[..=n], &want[..=m]);
        }
        // The raw carry parked past the length.
        let mut buf = [0xAAu8; 8];
        assert_eq!(update(b'a', &mut buf, 0), 1);
        assert_eq!(&buf[..2], b"Y\x10");
        assert_eq!(update(b'b', &mut buf, 1), 2);
        assert_eq!(&buf[..3], b"YW\x08");
        // Garbage state reads the carry as a signed char.
        let mut buf = *b"Y\xff\xaa\xaa\xaa";
        assert_eq!(finish(&mut buf, 1), 4);
        assert_eq!(&buf, b"Y@==\0");
        let mut buf = *b"YW?\xaa\xaa";
        assert_eq!(finish(&mut buf, 3), 4);
        assert_eq!(&buf, b"YW?A\0");
        let mut buf = *b"Y?\xaa\xaa";
        assert_eq!(update(0xff, &mut buf, 2), 4);
        assert_eq!(&buf, b"Y?\xec/");
    }
}
