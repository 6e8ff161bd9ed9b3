//! Memory, randomness, checksums, byte order and IP ACLs (API.md §6).
use super::guard::guard;
use super::raw::bytes;
use crate::abi::{mg_addr, mg_str};
use core::ffi::{c_char, c_int, c_void};

/// `mg_calloc`: libc `calloc` (the library's allocator for buffers it hands out).
#[no_mangle]
pub extern "C" fn mg_calloc(count: usize, size: usize) -> *mut c_void {
    // SAFETY: plain libc allocation.
    unsafe { libc::calloc(count, size) }
}

/// `mg_free`: libc `free`; NULL is fine.
///
/// # Safety
/// `ptr` NULL or from `mg_calloc`/the library.
#[no_mangle]
pub unsafe extern "C" fn mg_free(ptr: *mut c_void) {
    // SAFETY: per the contract.
    unsafe { libc::free(ptr) }
}

/// `mg_bzero`: zero `len` bytes without the compiler eliding it.
///
/// # Safety
/// `buf` NULL or writable for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn mg_bzero(buf: *mut u8, len: usize) {
    if !buf.is_null() {
        // SAFETY: per the contract.
        unsafe { crate::abi::iobuf::zero(buf, len) }
    }
}

/// `mg_memeq`: constant-time equality of `n` bytes.
///
/// # Safety
/// `a`, `b` readable for `n` bytes (or `n == 0`).
#[no_mangle]
pub unsafe extern "C" fn mg_memeq(a: *const c_void, b: *const c_void, n: usize) -> bool {
    if n == 0 {
        return true;
    }
    if a.is_null() || b.is_null() {
        return a == b;
    }
    // SAFETY: per the contract.
    let (x, y) = unsafe {
        (core::slice::from_raw_parts(a as *const u8, n), core::slice::from_raw_parts(b as *const u8, n))
    };
    let diff = x.iter().zip(y).fold(0u8, |acc, (p, q)| acc | (p ^ q));
    core::hint::black_box(diff) == 0
}

/// `mg_random`: fill from the kernel's generator (`getrandom`); on failure fall back to `rand()`
/// and return false.
///
/// # Safety
/// `buf` NULL or writable for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn mg_random(buf: *mut c_void, len: usize) -> bool {
    if buf.is_null() || len == 0 {
        return true;
    }
    // SAFETY: per the contract.
    let out = unsafe { core::slice::from_raw_parts_mut(buf as *mut u8, len) };
    if guard(false, || crate::net::random_fill(out)) {
        return true;
    }
    crate::ffi::log::error(format_args!("getrandom failed, using rand()"));
    for b in out.iter_mut() {
        // SAFETY: plain libc call.
        *b = unsafe { libc::rand() } as u8;
    }
    false
}

/// `mg_random_str`: `len - 1` random `[a-zA-Z0-9]` characters and a NUL.
///
/// # Safety
/// `buf` NULL or writable for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn mg_random_str(buf: *mut c_char, len: usize) -> *mut c_char {
    if buf.is_null() || len == 0 {
        return buf;
    }
    const SET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    // SAFETY: per the contract.
    let out = unsafe { core::slice::from_raw_parts_mut(buf as *mut u8, len) };
    // SAFETY: `out` is writable.
    unsafe { mg_random(out.as_mut_ptr() as *mut c_void, len - 1) };
    for b in &mut out[..len - 1] {
        *b = SET[usize::from(*b) % SET.len()];
    }
    out[len - 1] = 0;
    buf
}

/// Reflected CRC with polynomial `poly`, inverted in and out.
fn crc(crc: u32, data: &[u8], poly: u32, mask: u32) -> u32 {
    let mut c = !crc & mask;
    for &b in data {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 { (c >> 1) ^ poly } else { c >> 1 };
        }
    }
    !c & mask
}

/// `mg_crc32`: zlib's CRC-32, chainable (start with 0).
///
/// # Safety
/// `buf` NULL or readable for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn mg_crc32(crc32: u32, buf: *const c_char, len: usize) -> u32 {
    // SAFETY: per the contract.
    crc(crc32, unsafe { bytes(buf, len) }, 0xEDB8_8320, u32::MAX)
}

/// `mg_crc16`: CRC-16/X-25 style (poly 0x8408, reflected, inverted), chainable.
///
/// # Safety
/// `buf` NULL or readable for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn mg_crc16(crc16: u16, buf: *const c_char, len: usize) -> u16 {
    // SAFETY: per the contract.
    crc(u32::from(crc16), unsafe { bytes(buf, len) }, 0x8408, 0xffff) as u16
}

/// `mg_ntohs`.
#[no_mangle]
pub extern "C" fn mg_ntohs(net: u16) -> u16 {
    u16::from_be(net)
}

/// `mg_ntohl`.
#[no_mangle]
pub extern "C" fn mg_ntohl(net: u32) -> u32 {
    u32::from_be(net)
}

/// `mg_ntohll`.
#[no_mangle]
pub extern "C" fn mg_ntohll(net: u64) -> u64 {
    u64::from_be(net)
}

/// One ACL decision (API.md §6): 1 allow, 0 deny, -1 IPv6 or bad sign,
/// -2 bad network.
pub fn ip_acl(acl: &[u8], remote: &mg_addr) -> c_int {
    if remote.is_ip6 {
        return -1;
    }
    let ip = remote.ip();
    let remote = u32::from_be_bytes([ip[0], ip[1], ip[2], ip[3]]);
    // An empty list allows everything; any list denies by default.
    let mut allowed = if acl.is_empty() { b'+' } else { b'-' };
    // Walk entries the way `mg_span` does, so a trailing comma ends the list
    // instead of forming an empty (malformed) entry.
    let mut rest = acl;
    while let Some((entry, tail)) = crate::core::str::span(rest, b',') {
        rest = tail;
        let Some((&sign, net)) = entry.split_first() else { return -1 };
        if sign != b'+' && sign != b'-' {
            return -1;
        }
        let (addr, bits) = match net.iter().position(|&c| c == b'/') {
            Some(k) => (&net[..k], crate::core::str::to_num(&net[k + 1..], 10, 1)),
            None => (net, Some(32)),
        };
        let bits = match bits {
            Some(b) if b <= 32 => b as u32,
            _ => return -2,
        };
        // Only a dotted quad is a network (`localhost` or `` are not).
        let Some(a) = crate::core::url::ipv4(addr) else { return -2 };
        let net = u32::from_be_bytes(a);
        let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
        if net & mask == remote & mask {
            allowed = sign;
        }
    }
    c_int::from(allowed == b'+')
}

/// `mg_check_ip_acl`: `+`/`-` prefixed IPv4 `a.b.c.d[/bits]` entries, the
/// last match wins.
///
/// # Safety
/// `acl` valid; `remote_ip` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn mg_check_ip_acl(acl: mg_str, remote_ip: *mut mg_addr) -> c_int {
    if remote_ip.is_null() {
        return -1;
    }
    // SAFETY: per the contract.
    let (acl, remote) = unsafe { (acl.as_bytes(), *remote_ip) };
    guard(-1, || ip_acl(acl, &remote))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(s: &str) -> mg_addr {
        crate::core::url::aton(s.as_bytes()).unwrap()
    }

    #[test]
    fn crc_vectors() {
        assert_eq!(crc(0, b"abc", 0xEDB8_8320, u32::MAX), 0x3524_41c2);
        let chained = crc(crc(0, b"ab", 0xEDB8_8320, u32::MAX), b"c", 0xEDB8_8320, u32::MAX);
        assert_eq!(chained, 0x3524_41c2);
        assert_eq!(crc(0, b"123456789", 0x8408, 0xffff), 0x906e);
    }

    #[test]
    fn acl() {
        assert_eq!(ip_acl(b"", &v4("1.2.3.4")), 1);
        assert_eq!(ip_acl(b"+1.2.3.0/24", &v4("1.2.3.4")), 1);
        assert_eq!(ip_acl(b"+1.2.3.0/24", &v4("1.2.4.4")), 0);
        assert_eq!(ip_acl(b"+0.0.0.0/0,-1.2.3.4", &v4("1.2.3.4")), 0);
        assert_eq!(ip_acl(b"+0.0.0.0/0,-1.2.3.4", &v4("1.2.3.5")), 1);
        assert_eq!(ip_acl(b"*1.2.3.4", &v4("1.2.3.4")), -1);
        assert_eq!(ip_acl(b"+1.2.3", &v4("1.2.3.4")), -2);
        assert_eq!(ip_acl(b"+1.2.3.4/33", &v4("1.2.3.4")), -2);
        assert_eq!(ip_acl(b"+1.2.3.4", &v4("::1")), -1);
        assert_eq!(ip_acl(b"+1.2.3.4,", &v4("1.2.3.4")), 1, "trailing comma ends the list");
        assert_eq!(ip_acl(b"+1.2.3.4,,+5.6.7.8", &v4("1.2.3.4")), -1);
        assert_eq!(ip_acl(b"+localhost", &v4("127.0.0.1")), -2);
        assert_eq!(ip_acl(b"+", &v4("1.2.3.4")), -2);
    }
}
