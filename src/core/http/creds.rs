//! `mg_http_creds`: credentials from Authorization, Cookie or the query.

use super::{get_var, header_var, write_truncated};
use base64::Engine as _;

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

#[cfg(test)]
mod tests {
    use super::*;

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
        // A bare scheme word is not a `Basic` header: the search goes on.
        assert_eq!(cr(Some("Basic "), None, "access_token=q", 64, 64), b("", "q"));
        assert_eq!(cr(Some("Bearer "), None, "access_token=q", 64, 64), b("", "q"));
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
}
