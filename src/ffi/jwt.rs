//! `mg_jwt_*`: JSON Web Tokens signed with HS256 or ES256.
//!
//! A NULL `opts`, a NULL key where one is needed, or a NULL/zero-size
//! buffer gives 0 (Mongoose crashes on the NULL pointers).
use super::guard::guard;
use super::raw::bytes_mut;
use crate::abi::{mg_jwt_opts, mg_str};
use crate::core::jwt;
use core::ffi::c_char;

/// The fixed-size key at `p`.
///
/// # Safety
/// `p` NULL or `N` readable bytes.
unsafe fn key<const N: usize>(p: *const u8) -> Option<[u8; N]> {
    // SAFETY: per the contract.
    (!p.is_null()).then(|| unsafe { p.cast::<[u8; N]>().read_unaligned() })
}

/// `mg_jwt_sign_hs256`: write `header.claims.signature` (base64url, signed
/// with HMAC-SHA256 keyed by `opts->secret`) into `buf`, NUL-terminated.
/// The header is `{"alg":"HS256","typ":"JWT"}`, plus `"kid"` when
/// `opts->kid` is set, plus the members in `opts->header` (JSON members
/// without braces, e.g. `"x5t":"..."`). Returns the token's length, or 0
/// (empty claims, or `buf` too small: whatever parts fitted stay in `buf`).
///
/// # Safety
/// `opts` NULL or valid with its views readable; `buf` NULL or `len`
/// writable bytes.
#[no_mangle]
pub unsafe extern "C" fn mg_jwt_sign_hs256(opts: *const mg_jwt_opts, buf: *mut c_char, len: usize) -> usize {
    // SAFETY: per the contract.
    let Some(o) = (unsafe { opts.as_ref() }) else { return 0 };
    // SAFETY: per the contract.
    let (claims, header, kid, secret, out) = unsafe {
        (o.claims.as_bytes(), o.header.as_bytes(), o.kid.as_bytes(), o.secret.as_bytes(), bytes_mut(buf, len))
    };
    guard(0, || jwt::sign_hs256(claims, header, kid, secret, out))
}

/// `mg_jwt_verify_hs256`: if `jwt`'s header says `"alg":"HS256"` and its
/// signature matches `opts->secret`, decode its claims into `buf`
/// (NUL-terminated) and return their length; else 0. No claim (`exp`...)
/// is checked.
///
/// # Safety
/// `jwt` a readable view; `opts` NULL or valid; `buf` NULL or `len` writable
/// bytes.
#[no_mangle]
pub unsafe extern "C" fn mg_jwt_verify_hs256(
    jwt: mg_str,
    opts: *const mg_jwt_opts,
    buf: *mut c_char,
    len: usize,
) -> usize {
    // SAFETY: per the contract.
    let Some(o) = (unsafe { opts.as_ref() }) else { return 0 };
    // SAFETY: per the contract.
    let (token, secret, out) = unsafe { (jwt.as_bytes(), o.secret.as_bytes(), bytes_mut(buf, len)) };
    guard(0, || jwt::verify_hs256(token, secret, out))
}

/// `mg_jwt_sign_es256`: as `mg_jwt_sign_hs256`, signed with ECDSA P-256 /
/// SHA-256 by `opts->private_key` (32 bytes, big-endian). Signatures are
/// deterministic and identical to Mongoose's. A key not below the group
/// order is used modulo the order (as Mongoose does).
///
/// # Safety
/// As `mg_jwt_sign_hs256`; `opts->private_key` NULL or 32 readable bytes.
#[no_mangle]
pub unsafe extern "C" fn mg_jwt_sign_es256(opts: *const mg_jwt_opts, buf: *mut c_char, len: usize) -> usize {
    // SAFETY: per the contract.
    let Some(o) = (unsafe { opts.as_ref() }) else { return 0 };
    // SAFETY: per the contract.
    let Some(d) = (unsafe { key::<32>(o.private_key) }) else { return 0 };
    // SAFETY: per the contract.
    let (claims, header, kid, out) =
        unsafe { (o.claims.as_bytes(), o.header.as_bytes(), o.kid.as_bytes(), bytes_mut(buf, len)) };
    guard(0, || jwt::sign_es256(claims, header, kid, &d, out))
}

/// `mg_jwt_verify_es256`: as `mg_jwt_verify_hs256` for `"alg":"ES256"`,
/// checked with `opts->public_key` (64 bytes: X then Y, big-endian).
///
/// # Safety
/// As `mg_jwt_verify_hs256`; `opts->public_key` NULL or 64 readable bytes.
#[no_mangle]
pub unsafe extern "C" fn mg_jwt_verify_es256(
    jwt: mg_str,
    opts: *const mg_jwt_opts,
    buf: *mut c_char,
    len: usize,
) -> usize {
    // SAFETY: per the contract.
    let Some(o) = (unsafe { opts.as_ref() }) else { return 0 };
    // SAFETY: per the contract.
    let Some(q) = (unsafe { key::<64>(o.public_key) }) else { return 0 };
    // SAFETY: per the contract.
    let (token, out) = unsafe { (jwt.as_bytes(), bytes_mut(buf, len)) };
    guard(0, || jwt::verify_es256(token, &q, out))
}
