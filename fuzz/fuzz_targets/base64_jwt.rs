//! base64/base64url decoding into small buffers, the incremental encoder,
//! and JWT verification of fuzzed tokens.
//!
//! Input: byte 0 picks the output buffer size, the rest is the data. Checks:
//! results fit the buffer and are NUL-terminated; decoders agree with the
//! `base64` crate where Mongoose's rules and RFC 4648 coincide; encode/decode
//! and sign/verify round-trip; verify never accepts a token whose signature
//! does not match.
#![no_main]

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use mongoose::core::base64::{decode, decode_url, encode, encode_url, finish, update};
use mongoose::core::hash::hmac_sha256;
use mongoose::core::jwt::{sign_hs256, verify_es256, verify_hs256};

/// RFC 4648 URL-safe decoding, padding optional, non-zero trailing bits
/// allowed (as Mongoose accepts them).
const URL_LAX: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

fn check_decoded(n: usize, out: &[u8]) {
    if n > 0 {
        assert!(n < out.len());
        assert_eq!(out[n], 0);
    }
}

fn b64u(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; 4 * data.len().div_ceil(3) + 1];
    let n = encode_url(data, &mut out);
    out.truncate(n);
    out
}

fuzz_target!(|input: &[u8]| {
    let Some((&size, data)) = input.split_first() else { return };
    let mut out = vec![0xAAu8; usize::from(size)];

    // Decoders with a buffer of any size.
    let n = decode(data, &mut out);
    check_decoded(n, &out);
    assert!(n <= data.len() / 4 * 3);
    let n = decode_url(data, &mut out);
    check_decoded(n, &out);
    if data.len() % 4 != 1 && data.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_') {
        let want = URL_LAX.decode(data).expect("valid URL-safe base64");
        if want.len() < out.len() {
            assert_eq!(&out[..n], &want[..]);
        } else {
            assert_eq!(n, 0);
        }
    }
    // Padded standard base64 of whole groups decodes as RFC 4648 says.
    if let Ok(want) = base64::engine::general_purpose::STANDARD.decode(data) {
        let mut big = vec![0u8; data.len() + 1];
        let n = decode(data, &mut big);
        assert_eq!(&big[..n], &want[..]);
    }

    // Encoders: size rule, round trip, incremental == one-shot.
    let n = encode(data, &mut out);
    let need = 4 * data.len().div_ceil(3) + 1;
    if out.len() >= need {
        assert_eq!(n, need - 1);
        assert_eq!(&out[..n], base64::engine::general_purpose::STANDARD.encode(data).as_bytes());
        let mut back = vec![0u8; n + 1];
        assert_eq!(decode(&out[..n], &mut back), data.len());
        assert_eq!(&back[..data.len()], data);
    } else {
        assert_eq!(n, 0);
    }
    let enc = b64u(data);
    let mut back = vec![0u8; data.len() + 1];
    assert_eq!(decode_url(&enc, &mut back), data.len());
    assert_eq!(&back[..data.len()], data);
    let mut inc = vec![0u8; need + 3];
    let mut len = 0;
    for &b in data {
        len = update(b, &mut inc, len);
    }
    let len = finish(&mut inc, len);
    assert_eq!(len, need - 1);
    assert_eq!(&inc[..len], base64::engine::general_purpose::STANDARD.encode(data).as_bytes());

    // JWT verification of the input as a token.
    let n = verify_hs256(data, b"k", &mut out);
    check_decoded(n, &out);
    if n > 0 {
        let d2 = data.iter().enumerate().filter(|(_, &c)| c == b'.').nth(1).unwrap().0;
        let mut sig = [0u8; 33];
        assert_eq!(decode_url(&data[d2 + 1..], &mut sig), 32);
        assert_eq!(sig[..32], hmac_sha256(b"k", &data[..d2]));
    }
    let q = [7u8; 64];
    assert_eq!(verify_es256(data, &q, &mut out), 0, "point not on the curve");

    // Sign/verify round trip with the data as claims, kid and header.
    if !data.is_empty() {
        let cut = data.len() / 2;
        let mut tok = vec![0u8; 4 * data.len() + 200];
        let t = sign_hs256(data, &data[cut..], &data[..cut], b"k", &mut tok);
        assert!(t > 0);
        let mut claims = vec![0u8; data.len() + 1];
        assert_eq!(verify_hs256(&tok[..t], b"k", &mut claims), data.len());
        assert_eq!(&claims[..data.len()], data);
        assert_eq!(verify_hs256(&tok[..t], b"j", &mut claims), 0);
    }
});
