//! Query and header variables, URL coding and small C-string helpers.

use super::Span;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::http::*;

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

    #[test]
    fn write_truncated_copies() {
        let mut d = [9u8; 4];
        assert_eq!(write_truncated(&mut d, b"abcdef"), 3);
        assert_eq!(&d, b"abc\0");
        assert_eq!(write_truncated(&mut [], b"x"), 0);
    }
}
