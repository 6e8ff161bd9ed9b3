//! JSON Web Tokens as Mongoose 7.23 makes and checks them (`mg_jwt_*`):
//! HS256 (HMAC-SHA256) and ES256 (ECDSA P-256 with SHA-256).
//!
//! Signing writes the token into the caller's buffer in stages (header,
//! `.`, claims, `.`, signature), each with `mg_base64url_encode`'s size rule;
//! a stage that does not fit ends it with 0, leaving the stages before it in
//! the buffer, as Mongoose does. The header is
//! `{"alg":"..","typ":"JWT"[,"kid":"<kid, JSON-escaped>"][,<opts.header>]}`:
//! `opts.header` holds extra members, pasted as they are.
//!
//! Verifying checks the header's top-level `"alg"` and the signature, then
//! decodes the claims into the caller's buffer (`mg_base64url_decode`) and
//! returns their length; Mongoose checks no claim (`exp`, `nbf`...).
//!
//! ES256 signatures are deterministic in Mongoose: the nonce is RFC 6979's
//! first HMAC-DRBG candidate (HMAC-SHA256 keyed from the private key and the
//! message hash) read as a little-endian number. We derive it the same way,
//! so our tokens are byte-identical to Mongoose's.
use super::base64::{decode_url, encode_url};
use super::fmt::print_esc;
use super::hash::{hmac_sha256, sha256};
use p256::ecdsa::signature::hazmat::PrehashVerifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::elliptic_curve::ops::Reduce;
use p256::elliptic_curve::{Field, PrimeField};
use p256::U256;
use p256::{FieldBytes, NistP256, Scalar};

/// A token's signature algorithm.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Alg {
    /// HMAC-SHA256 with a shared secret.
    Hs256,
    /// ECDSA P-256 with SHA-256.
    Es256,
}

impl Alg {
    fn name(self) -> &'static [u8] {
        match self {
            Alg::Hs256 => b"HS256",
            Alg::Es256 => b"ES256",
        }
    }
}

/// Bytes before the first NUL (C string semantics of Mongoose's printf).
fn until_nul(s: &[u8]) -> &[u8] {
    s.split(|&c| c == 0).next().unwrap_or(s)
}

/// The token header's JSON.
pub fn header_json(alg: Alg, kid: &[u8], extra: &[u8]) -> Vec<u8> {
    let mut h = b"{\"alg\":\"".to_vec();
    h.extend_from_slice(alg.name());
    h.extend_from_slice(b"\",\"typ\":\"JWT\"");
    if !kid.is_empty() {
        h.extend_from_slice(b",\"kid\":\"");
        print_esc(&mut |c| h.push(c), kid);
        h.push(b'"');
    }
    if !extra.is_empty() {
        h.push(b',');
        h.extend_from_slice(until_nul(extra));
    }
    h.push(b'}');
    h
}

/// Append a `.` at `pos` if it and a NUL after it fit.
fn dot(out: &mut [u8], pos: usize) -> Option<usize> {
    if pos + 1 < out.len() {
        out[pos] = b'.';
        Some(pos + 1)
    } else {
        None
    }
}

fn stage(src: &[u8], out: &mut [u8], pos: usize) -> Option<usize> {
    match encode_url(src, &mut out[pos..]) {
        0 => None,
        n => Some(pos + n),
    }
}

/// Write `b64url(header).b64url(claims).b64url(sig(signing input))` into
/// `out`, NUL-terminated; returns its length, or 0 (see the module doc).
fn sign_with(
    header: &[u8],
    claims: &[u8],
    out: &mut [u8],
    sig: impl FnOnce(&[u8]) -> Option<Vec<u8>>,
) -> usize {
    let run = || {
        let pos = stage(header, out, 0)?;
        let pos = dot(out, pos)?;
        let pos = stage(claims, out, pos)?;
        let signing_input_end = pos;
        let pos = dot(out, pos)?;
        let sig = sig(&out[..signing_input_end])?;
        stage(&sig, out, pos)
    };
    run().unwrap_or(0)
}

/// `mg_jwt_sign_hs256`.
pub fn sign_hs256(claims: &[u8], header: &[u8], kid: &[u8], secret: &[u8], out: &mut [u8]) -> usize {
    let h = header_json(Alg::Hs256, kid, header);
    sign_with(&h, claims, out, |input| Some(hmac_sha256(secret, input).to_vec()))
}

/// HMAC-SHA256 helper for the nonce derivation.
fn hmac(key: &[u8; 32], parts: &[&[u8]]) -> [u8; 32] {
    hmac_sha256(key, &parts.concat())
}

/// The ECDSA nonce Mongoose uses: RFC 6979 section 3.2's HMAC-DRBG over the
/// private key and the (unreduced) message hash, each candidate read as a
/// little-endian integer; candidates that are 0 or not below the group order
/// are skipped as step h.3 says.
fn nonce(d: &[u8; 32], h: &[u8; 32]) -> Scalar {
    let mut v = [1u8; 32];
    let mut k = [0u8; 32];
    k = hmac(&k, &[&v, &[0], d, h]);
    v = hmac(&k, &[&v]);
    k = hmac(&k, &[&v, &[1], d, h]);
    v = hmac(&k, &[&v]);
    loop {
        v = hmac(&k, &[&v]);
        let mut be = v;
        be.reverse();
        let cand: Option<Scalar> = Scalar::from_repr(FieldBytes::from(be)).into();
        if let Some(s) = cand.filter(|s| !bool::from(s.is_zero())) {
            return s;
        }
        k = hmac(&k, &[&v, &[0]]);
        v = hmac(&k, &[&v]);
    }
}

/// ES256 signature (`r || s`, 64 bytes) of `input` with private key `d`
/// (32 bytes, big-endian). As in Mongoose, a key not below the group order
/// is used reduced modulo the order, and even 0 signs (the result verifies
/// with no public key).
pub fn es256_sign(d: &[u8; 32], input: &[u8]) -> Option<[u8; 64]> {
    let scalar = <Scalar as Reduce<U256>>::reduce_bytes(&FieldBytes::from(*d));
    let h = sha256(input);
    let k = nonce(d, &h);
    let (sig, _) =
        ecdsa::hazmat::sign_prehashed::<NistP256, Scalar>(&scalar, k, &FieldBytes::from(h)).ok()?;
    Some(sig.to_bytes().into())
}

/// ES256 check of `sig` (`r || s`) over `input` with public key `q`
/// (`X || Y`, 64 bytes, big-endian).
pub fn es256_verify(q: &[u8; 64], input: &[u8], sig: &[u8]) -> bool {
    let mut sec1 = [0u8; 65];
    sec1[0] = 4;
    sec1[1..].copy_from_slice(q);
    let Ok(vk) = VerifyingKey::from_sec1_bytes(&sec1) else { return false };
    let Ok(sig) = Signature::from_slice(sig) else { return false };
    vk.verify_prehash(&sha256(input), &sig).is_ok()
}

/// `mg_jwt_sign_es256`.
pub fn sign_es256(claims: &[u8], header: &[u8], kid: &[u8], private_key: &[u8; 32], out: &mut [u8]) -> usize {
    let h = header_json(Alg::Es256, kid, header);
    sign_with(&h, claims, out, |input| es256_sign(private_key, input).map(|s| s.to_vec()))
}

/// Verify `token`'s header alg and signature (`check(signing input, sig)`,
/// the signature being `sig_len` bytes), then decode its claims into `out`.
fn verify_with(
    token: &[u8],
    alg: Alg,
    sig_len: usize,
    out: &mut [u8],
    check: impl FnOnce(&[u8], &[u8]) -> bool,
) -> usize {
    let Some(d1) = token.iter().position(|&c| c == b'.') else { return 0 };
    let Some(d2) = token[d1 + 1..].iter().position(|&c| c == b'.').map(|p| p + d1 + 1) else { return 0 };
    let (header, claims, sig) = (&token[..d1], &token[d1 + 1..d2], &token[d2 + 1..]);
    let mut h = vec![0u8; header.len() + 1];
    let n = decode_url(header, &mut h);
    if n == 0 || crate::core::json::get_str(&h[..n], b"$.alg").as_deref().map(until_nul) != Some(alg.name()) {
        return 0;
    }
    let mut s = vec![0u8; sig_len + 1];
    if decode_url(sig, &mut s) != sig_len || !check(&token[..d2], &s[..sig_len]) {
        return 0;
    }
    decode_url(claims, out)
}

/// `mg_jwt_verify_hs256`: the claims' length (written NUL-terminated to
/// `out`), or 0.
pub fn verify_hs256(token: &[u8], secret: &[u8], out: &mut [u8]) -> usize {
    verify_with(token, Alg::Hs256, 32, out, |input, sig| {
        let want = hmac_sha256(secret, input);
        // Constant-time comparison: no early exit on the first differing byte.
        want.iter().zip(sig).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    })
}

/// `mg_jwt_verify_es256`: as `verify_hs256` with a P-256 public key.
pub fn verify_es256(token: &[u8], public_key: &[u8; 64], out: &mut [u8]) -> usize {
    verify_with(token, Alg::Es256, 64, out, |input, sig| es256_verify(public_key, input, sig))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64u(b: &[u8]) -> String {
        let mut out = vec![0u8; 4 * b.len().div_ceil(3) + 1];
        let n = encode_url(b, &mut out);
        String::from_utf8(out[..n].to_vec()).unwrap()
    }

    fn sign_str(claims: &str, header: &str, kid: &str, secret: &str) -> (usize, String) {
        let mut out = vec![0u8; 1000];
        let n = sign_hs256(claims.as_bytes(), header.as_bytes(), kid.as_bytes(), secret.as_bytes(), &mut out);
        (n, String::from_utf8_lossy(&out[..n]).into_owned())
    }

    #[test]
    fn jwt_io_example() {
        // Token observed from Mongoose 7.23 (same as the jwt.io example).
        let (n, t) = sign_str(
            r#"{"sub":"1234567890","name":"John Doe","iat":1516239022}"#,
            "",
            "",
            "your-256-bit-secret",
        );
        assert_eq!(n, 155);
        assert_eq!(
            t,
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
        );
        let mut out = [0xAAu8; 100];
        assert_eq!(verify_hs256(t.as_bytes(), b"your-256-bit-secret", &mut out), 55);
        assert_eq!(&out[..56], b"{\"sub\":\"1234567890\",\"name\":\"John Doe\",\"iat\":1516239022}\0");
    }

    #[test]
    fn header_layout() {
        assert_eq!(header_json(Alg::Hs256, b"", b""), br#"{"alg":"HS256","typ":"JWT"}"#);
        assert_eq!(
            header_json(Alg::Es256, b"K", br#""x":2"#),
            br#"{"alg":"ES256","typ":"JWT","kid":"K","x":2}"#
        );
        assert_eq!(header_json(Alg::Hs256, b"a\"b\n", b""), br#"{"alg":"HS256","typ":"JWT","kid":"a\"b\n"}"#);
        assert_eq!(header_json(Alg::Hs256, b"a\0b", b"c\0d"), br#"{"alg":"HS256","typ":"JWT","kid":"a",c}"#);
        // Observed from Mongoose: kid + extra members.
        let (n, t) = sign_str(r#"{"a":1}"#, r#""x":2"#, "K", "k");
        assert_eq!(n, 113);
        assert!(t.ends_with(".eyJhIjoxfQ.1WG_U6BY42FJE-kgFpmdT8gVyS7_WZdtYwm0QD0jI9E"), "{t}");
    }

    #[test]
    fn sign_stages_fill_the_buffer() {
        let run = |dl: usize| {
            let mut out = vec![0xAAu8; dl];
            let n = sign_hs256(b"{}", b"", b"", b"k", &mut out);
            (n, out)
        };
        let h = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
        assert_eq!(run(0), (0, vec![]));
        assert_eq!(run(36).1[0], 0);
        assert_eq!(&run(37).1[..], format!("{h}\0").as_bytes());
        assert_eq!(&run(38).1[..], format!("{h}.\0").as_bytes());
        assert_eq!(&run(42).1[..], format!("{h}.e30.\0").as_bytes());
        assert_eq!(&run(85).1[..42], format!("{h}.e30.\0").as_bytes());
        let (n, out) = run(86);
        assert_eq!(n, 84);
        assert_eq!(&out[..], format!("{h}.e30.sdq8hlcnGupCQofW8T3WXS8lMHPKjY78f7plDHoTsoI\0\0").as_bytes());
        // Empty claims: 0, the header and dot left in the buffer.
        let mut out = vec![0xAAu8; 60];
        assert_eq!(sign_hs256(b"", b"", b"", b"k", &mut out), 0);
        assert_eq!(&out[..38], format!("{h}.\0").as_bytes());
    }

    fn token(header: &[u8], claims: &[u8], secret: &[u8]) -> Vec<u8> {
        let si = format!("{}.{}", b64u(header), b64u(claims));
        format!("{si}.{}", b64u(&hmac_sha256(secret, si.as_bytes()))).into_bytes()
    }

    fn verify(t: &[u8]) -> usize {
        verify_hs256(t, b"k", &mut [0u8; 100])
    }

    #[test]
    fn verify_rules() {
        let c = br#"{"a":1}"#;
        assert_eq!(verify(&token(br#"{"alg":"HS256"}"#, c, b"k")), 7);
        assert_eq!(verify(&token(br#"{"alg":"HS256"}"#, c, b"x")), 0);
        for bad in [
            &br#"{"typ":"JWT"}"#[..],
            br#"{"alg":"none"}"#,
            br#"{"alg":"ES256"}"#,
            br#"{"alg":"hs256"}"#,
            br#"{"x":{"alg":"HS256"}}"#,
            br#"{"alg":"none","alg":"HS256"}"#,
            br#"{"x":,"alg":"HS256"}"#,
            br#"{"x":1 "alg":"HS256"}"#,
            br#"[{"alg":"HS256"}]"#,
            br#"{"a\u006cg":"HS256"}"#,
            br#"{"alg":"HS\/256"}"#,
            b"",
        ] {
            assert_eq!(verify(&token(bad, c, b"k")), 0, "{}", String::from_utf8_lossy(bad));
        }
        for good in [
            &br#"{"alg" : "HS256"}"#[..],
            br#"{"alg":"HS256","alg":"none"}"#,
            br#"{"alg":"HS256",x}"#,
            br#"{"alg":"HS256""#,
            br#"{"x":[1,{"alg":"no"}],"alg":"HS256"}"#,
            br#"{"alg":"HS\u003256"}"#,
            br#"{"alg":"HS256\u0000x"}"#,
        ] {
            assert_eq!(verify(&token(good, c, b"k")), 7, "{}", String::from_utf8_lossy(good));
        }
        let t = token(br#"{"alg":"HS256"}"#, c, b"k");
        assert_eq!(verify(&[&t[..], b"="].concat()), 7);
        assert_eq!(verify(&[&t[..], b"=**"].concat()), 7);
        assert_eq!(verify(&[&t[..], b"=*"].concat()), 0);
        assert_eq!(verify(&[&t[..], b"A"].concat()), 0);
        assert_eq!(verify(&[&t[..], b".x"].concat()), 0);
        assert_eq!(verify(&t[..t.len() - 1]), 0);
        let two = &t[..t.iter().rposition(|&x| x == b'.').unwrap()];
        assert_eq!(verify(two), 0);
        // Claims decoded into a small buffer: streaming writes then 0.
        let mut out = [0xAAu8; 7];
        assert_eq!(verify_hs256(&t, b"k", &mut out), 0);
        assert_eq!(&out, b"\0\"a\":1\xaa");
        assert_eq!(verify_hs256(&t, b"k", &mut []), 0);
        // Mongoose checks no claim.
        assert_eq!(verify(&token(br#"{"alg":"HS256"}"#, br#"{"exp":1}"#, b"k")), 9);
    }

    #[test]
    fn es256_matches_mongoose() {
        // Key: P-256 private scalar 12345; token observed from Mongoose 7.23.
        let mut d = [0u8; 32];
        d[30..].copy_from_slice(&12345u16.to_be_bytes());
        let mut out = [0u8; 200];
        let n = sign_es256(br#"{"a":1}"#, b"", b"", &d, &mut out);
        assert_eq!(n, 134);
        assert_eq!(
            &out[..n],
            &b"eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJhIjoxfQ.876RsrpwTmZYsSirK2JyXIp44NCqbmWXzj0QkZiblUX3QxS0MFLWN7oNmk2xFABS0e5pm_mtyaf72LEgPzO4CQ"[..]
        );
        let sk = p256::SecretKey::from_bytes(&FieldBytes::from(d)).unwrap();
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        let q: [u8; 64] = sk.public_key().to_encoded_point(false).as_bytes()[1..].try_into().unwrap();
        let mut claims = [0u8; 20];
        assert_eq!(verify_es256(&out[..n], &q, &mut claims), 7);
        assert_eq!(&claims[..8], b"{\"a\":1}\0");
        let mut t = out[..n].to_vec();
        let last = t.len() - 2;
        t[last] ^= 1;
        assert_eq!(verify_es256(&t, &q, &mut claims), 0);
        assert_eq!(verify_hs256(&out[..n], b"k", &mut claims), 0);
        // Keys out of range sign as Mongoose signs with them (reduced).
        let n = sign_es256(b"{}", b"", b"", &[0xff; 32], &mut out);
        assert_eq!(
            &out[..n],
            &b"eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.e30.b7oNpKbdJlTYiiM8rI-7Q58k5--M1imtQQcmAdx4Rd-T_qoK6Y8q2n83Mn0bJaOJRaxpI3jqTTFakCWJM0EAwQ"[..]
        );
    }
}
