//! Encoding and hashing exports: `mg_base64_*`, `mg_base64url_*`,
//! `mg_md5_*`, `mg_sha1_*`, `mg_sha256*`, `mg_sha384*`, `mg_hmac_sha256`.
//!
//! NULL data reads as empty and a NULL output buffer as one of size 0 (where
//! Mongoose would crash); a NULL context or digest pointer makes the call a
//! no-op.
use super::guard::{guard, guard_unit};
use super::raw::{bytes, bytes_mut};
use crate::abi::{mg_md5_ctx, mg_sha1_ctx, mg_sha256_ctx, mg_sha384_ctx};
use crate::core::{base64, hash};
use core::ffi::{c_char, c_uchar};

/// `mg_base64_update`: append the encoding of `input_byte` to `buf`, whose
/// encoded length so far is `len` (0 to start); returns the new length.
/// Pending bits are kept in `buf[len]`, so feed the returned length back and
/// finish with `mg_base64_final`.
///
/// # Safety
/// `buf` NULL (then nothing happens and `len` is returned) or writable for
/// `len + 2` bytes.
#[no_mangle]
pub unsafe extern "C" fn mg_base64_update(input_byte: c_uchar, buf: *mut c_char, len: usize) -> usize {
    let Some(span) = base64::update_span(len) else { return len };
    // SAFETY: per the contract.
    let out = unsafe { bytes_mut(buf, span) };
    if out.is_empty() {
        return len;
    }
    guard(len, || base64::update(input_byte, out, len))
}

/// `mg_base64_final`: flush, pad with `=`, NUL-terminate; returns the final
/// length.
///
/// # Safety
/// `buf` NULL (then `len` is returned) or writable for `len + 4` bytes (or
/// up to the next multiple of 4, plus 1).
#[no_mangle]
pub unsafe extern "C" fn mg_base64_final(buf: *mut c_char, len: usize) -> usize {
    let Some(span) = base64::final_span(len) else { return len };
    // SAFETY: per the contract.
    let out = unsafe { bytes_mut(buf, span) };
    if out.is_empty() {
        return len;
    }
    guard(len, || base64::finish(out, len))
}

/// `mg_base64_encode`: the padded encoding of `p[0..n]` and a NUL into `buf`
/// (`len` bytes, at least `4*ceil(n/3)+1`); returns its length, or 0 with
/// `buf[0] = 0` when it does not fit.
///
/// # Safety
/// `p` NULL or `n` readable bytes; `buf` NULL or `len` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn mg_base64_encode(
    p: *const c_uchar,
    n: usize,
    buf: *mut c_char,
    len: usize,
) -> usize {
    // SAFETY: per the contract.
    let (src, out) = unsafe { (bytes(p, n), bytes_mut(buf, len)) };
    guard(0, || base64::encode(src, out))
}

/// `mg_base64_decode`: decode `src[0..n]` into `dst` (`len` bytes, at least
/// `n/4*3+1`), NUL-terminated; returns the byte count, 0 on invalid input.
///
/// # Safety
/// `src` NULL or `n` readable bytes; `dst` NULL or `len` writable bytes.
#[no_mangle]
pub unsafe extern "C" fn mg_base64_decode(
    src: *const c_char,
    n: usize,
    dst: *mut c_char,
    len: usize,
) -> usize {
    // SAFETY: per the contract.
    let (src, out) = unsafe { (bytes(src as *const u8, n), bytes_mut(dst, len)) };
    guard(0, || base64::decode(src, out))
}

/// `mg_base64url_encode`: URL-safe alphabet, no padding (same buffer rule
/// as `mg_base64_encode`); returns the length.
///
/// # Safety
/// As `mg_base64_encode`.
#[no_mangle]
pub unsafe extern "C" fn mg_base64url_encode(
    p: *const c_uchar,
    n: usize,
    buf: *mut c_char,
    len: usize,
) -> usize {
    // SAFETY: per the contract.
    let (src, out) = unsafe { (bytes(p, n), bytes_mut(buf, len)) };
    guard(0, || base64::encode_url(src, out))
}

/// `mg_base64url_decode`: URL-safe alphabet, padding optional; returns the
/// byte count (NUL-terminated in `dst`), 0 on invalid input or short `dst`.
///
/// # Safety
/// As `mg_base64_decode`.
#[no_mangle]
pub unsafe extern "C" fn mg_base64url_decode(
    src: *const c_char,
    n: usize,
    dst: *mut c_char,
    len: usize,
) -> usize {
    // SAFETY: per the contract.
    let (src, out) = unsafe { (bytes(src as *const u8, n), bytes_mut(dst, len)) };
    guard(0, || base64::decode_url(src, out))
}

/// Copy `digest` to `out` (NULL: nothing).
///
/// # Safety
/// `out` NULL or writable for `digest.len()` bytes.
unsafe fn put(out: *mut u8, digest: &[u8]) {
    if !out.is_null() {
        // SAFETY: per the contract.
        unsafe { core::ptr::copy_nonoverlapping(digest.as_ptr(), out, digest.len()) };
    }
}

/// `mg_md5_init`.
///
/// # Safety
/// `c` NULL or a writable context.
#[no_mangle]
pub unsafe extern "C" fn mg_md5_init(c: *mut mg_md5_ctx) {
    // SAFETY: per the contract.
    if let Some(c) = unsafe { c.as_mut() } {
        guard_unit(|| hash::md5_init(c));
    }
}

/// `mg_md5_update`: hash `len` more bytes.
///
/// # Safety
/// `c` NULL or an initialised context; `data` NULL or `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn mg_md5_update(c: *mut mg_md5_ctx, data: *const c_uchar, len: usize) {
    // SAFETY: per the contract.
    if let (Some(c), data) = unsafe { (c.as_mut(), bytes(data, len)) } {
        guard_unit(|| hash::md5_update(c, data));
    }
}

/// `mg_md5_final`: write the 16-byte digest (note: context first).
///
/// # Safety
/// `c` NULL or an initialised context; `digest` NULL or 16 writable bytes.
#[no_mangle]
pub unsafe extern "C" fn mg_md5_final(c: *mut mg_md5_ctx, digest: *mut c_uchar) {
    // SAFETY: per the contract.
    if let Some(c) = unsafe { c.as_mut() } {
        // SAFETY: per the contract.
        guard_unit(|| unsafe { put(digest, &hash::md5_final(c)) });
    }
}

/// `mg_sha1_init`.
///
/// # Safety
/// `c` NULL or a writable context.
#[no_mangle]
pub unsafe extern "C" fn mg_sha1_init(c: *mut mg_sha1_ctx) {
    // SAFETY: per the contract.
    if let Some(c) = unsafe { c.as_mut() } {
        guard_unit(|| hash::sha1_init(c));
    }
}

/// `mg_sha1_update`: hash `len` more bytes.
///
/// # Safety
/// `c` NULL or an initialised context; `data` NULL or `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn mg_sha1_update(c: *mut mg_sha1_ctx, data: *const c_uchar, len: usize) {
    // SAFETY: per the contract.
    if let (Some(c), data) = unsafe { (c.as_mut(), bytes(data, len)) } {
        guard_unit(|| hash::sha1_update(c, data));
    }
}

/// `mg_sha1_final`: write the 20-byte digest (note: digest first).
///
/// # Safety
/// `digest` NULL or 20 writable bytes; `c` NULL or an initialised context.
#[no_mangle]
pub unsafe extern "C" fn mg_sha1_final(digest: *mut c_uchar, c: *mut mg_sha1_ctx) {
    // SAFETY: per the contract.
    if let Some(c) = unsafe { c.as_mut() } {
        // SAFETY: per the contract.
        guard_unit(|| unsafe { put(digest, &hash::sha1_final(c)) });
    }
}

/// `mg_sha256_init`.
///
/// # Safety
/// `c` NULL or a writable context.
#[no_mangle]
pub unsafe extern "C" fn mg_sha256_init(c: *mut mg_sha256_ctx) {
    // SAFETY: per the contract.
    if let Some(c) = unsafe { c.as_mut() } {
        guard_unit(|| hash::sha256_init(c));
    }
}

/// `mg_sha256_update`: hash `len` more bytes.
///
/// # Safety
/// `c` NULL or an initialised context; `data` NULL or `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn mg_sha256_update(c: *mut mg_sha256_ctx, data: *const c_uchar, len: usize) {
    // SAFETY: per the contract.
    if let (Some(c), data) = unsafe { (c.as_mut(), bytes(data, len)) } {
        guard_unit(|| hash::sha256_update(c, data));
    }
}

/// `mg_sha256_final`: write the 32-byte digest.
///
/// # Safety
/// `digest` NULL or 32 writable bytes; `c` NULL or an initialised context.
#[no_mangle]
pub unsafe extern "C" fn mg_sha256_final(digest: *mut c_uchar, c: *mut mg_sha256_ctx) {
    // SAFETY: per the contract.
    if let Some(c) = unsafe { c.as_mut() } {
        // SAFETY: per the contract.
        guard_unit(|| unsafe { put(digest, &hash::sha256_final(c)) });
    }
}

/// `mg_sha256`: one-shot SHA-256 of `data[0..datasz]` into `dst`.
///
/// # Safety
/// `dst` NULL or 32 writable bytes; `data` NULL or `datasz` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn mg_sha256(dst: *mut u8, data: *mut u8, datasz: usize) {
    // SAFETY: per the contract.
    let data = unsafe { bytes(data, datasz) };
    // SAFETY: per the contract.
    guard_unit(|| unsafe { put(dst, &hash::sha256(data)) });
}

/// `mg_sha384_init`.
///
/// # Safety
/// `ctx` NULL or a writable context.
#[no_mangle]
pub unsafe extern "C" fn mg_sha384_init(ctx: *mut mg_sha384_ctx) {
    // SAFETY: per the contract.
    if let Some(c) = unsafe { ctx.as_mut() } {
        guard_unit(|| hash::sha384_init(c));
    }
}

/// `mg_sha384_update`: hash `len` more bytes.
///
/// # Safety
/// `ctx` NULL or an initialised context; `data` NULL or `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn mg_sha384_update(ctx: *mut mg_sha384_ctx, data: *const u8, len: usize) {
    // SAFETY: per the contract.
    if let (Some(c), data) = unsafe { (ctx.as_mut(), bytes(data, len)) } {
        guard_unit(|| hash::sha384_update(c, data));
    }
}

/// `mg_sha384_final`: write the 48-byte digest.
///
/// # Safety
/// `digest` NULL or 48 writable bytes; `ctx` NULL or an initialised context.
#[no_mangle]
pub unsafe extern "C" fn mg_sha384_final(digest: *mut u8, ctx: *mut mg_sha384_ctx) {
    // SAFETY: per the contract.
    if let Some(c) = unsafe { ctx.as_mut() } {
        // SAFETY: per the contract.
        guard_unit(|| unsafe { put(digest, &hash::sha384_final(c)) });
    }
}

/// `mg_sha384`: one-shot SHA-384 of `data[0..datasz]` into `dst`.
///
/// # Safety
/// `dst` NULL or 48 writable bytes; `data` NULL or `datasz` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn mg_sha384(dst: *mut u8, data: *mut u8, datasz: usize) {
    // SAFETY: per the contract.
    let data = unsafe { bytes(data, datasz) };
    // SAFETY: per the contract.
    guard_unit(|| unsafe { put(dst, &hash::sha384(data)) });
}

/// `mg_hmac_sha256`: HMAC-SHA256 (RFC 2104) of `data` with `key` into `dst`.
/// A key of exactly 64 bytes is used as is, as the RFC says (Mongoose 7.23
/// hashes it first, so its MAC differs for that one key length).
///
/// # Safety
/// `dst` NULL or 32 writable bytes; `key`/`data` NULL or readable for their
/// sizes.
#[no_mangle]
pub unsafe extern "C" fn mg_hmac_sha256(
    dst: *mut u8,
    key: *mut u8,
    keysz: usize,
    data: *mut u8,
    datasz: usize,
) {
    // SAFETY: per the contract.
    let (key, data) = unsafe { (bytes(key, keysz), bytes(data, datasz)) };
    // SAFETY: per the contract.
    guard_unit(|| unsafe { put(dst, &hash::hmac_sha256(key, data)) });
}
