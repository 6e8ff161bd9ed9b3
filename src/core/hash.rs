//! MD5, SHA-1, SHA-256, SHA-384 and HMAC-SHA256 over the C context structs.
//!
//! Programs allocate `mg_*_ctx` on the stack and may copy them mid-stream,
//! so the whole hash state lives in the struct's own fields (chaining
//! values, bit count, pending partial block); only the block compression
//! comes from RustCrypto (`sha1::compress`, `sha2::compress256/512`). The
//! `md-5` crate keeps its compression function private, so MD5's is written
//! here from RFC 1321.
use crate::abi::{mg_md5_ctx, mg_sha1_ctx, mg_sha256_ctx, mg_sha384_ctx};
use hmac::{Hmac, Mac};

/// Feed `data` through a `B`-byte block buffer holding `used` pending
/// bytes; every full block goes to `compress`. Returns the new pending count.
fn absorb<const B: usize>(
    buf: &mut [u8; B],
    used: usize,
    mut data: &[u8],
    mut compress: impl FnMut(&[u8; B]),
) -> usize {
    let used = used % B;
    if used > 0 {
        let take = data.len().min(B - used);
        buf[used..used + take].copy_from_slice(&data[..take]);
        data = &data[take..];
        if used + take < B {
            return used + take;
        }
        compress(buf);
    }
    let mut blocks = data.chunks_exact(B);
    for block in &mut blocks {
        compress(block.try_into().expect("chunks_exact yields B bytes"));
    }
    let rest = blocks.remainder();
    buf[..rest.len()].copy_from_slice(rest);
    rest.len()
}

/// Merkle-Damgard padding: 0x80, zeros, then the message length in bits
/// (`len`, already encoded in its width and byte order) ending the block.
fn pad<const B: usize>(buf: &mut [u8; B], used: usize, len: &[u8], mut compress: impl FnMut(&[u8; B])) {
    let mut used = used % B;
    buf[used] = 0x80;
    used += 1;
    if used > B - len.len() {
        buf[used..].fill(0);
        compress(buf);
        used = 0;
    }
    buf[used..B - len.len()].fill(0);
    buf[B - len.len()..].copy_from_slice(len);
    compress(buf);
}

fn split64(v: u64) -> [u32; 2] {
    [v as u32, (v >> 32) as u32]
}

fn join64(v: [u32; 2]) -> u64 {
    u64::from(v[0]) | (u64::from(v[1]) << 32)
}

// ---- MD5 (RFC 1321) ----

const MD5_K: [u32; 64] = [
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
];
const MD5_S: [[u32; 4]; 4] = [[7, 12, 17, 22], [5, 9, 14, 20], [4, 11, 16, 23], [6, 10, 15, 21]];

fn md5_compress(state: &mut [u32; 4], block: &[u8; 64]) {
    let m: [u32; 16] =
        core::array::from_fn(|i| u32::from_le_bytes(block[4 * i..4 * i + 4].try_into().unwrap()));
    let [mut a, mut b, mut c, mut d] = *state;
    for i in 0..64 {
        let (f, g) = match i / 16 {
            0 => ((b & c) | (!b & d), i),
            1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
            2 => (b ^ c ^ d, (3 * i + 5) % 16),
            _ => (c ^ (b | !d), (7 * i) % 16),
        };
        let t = a.wrapping_add(f).wrapping_add(MD5_K[i]).wrapping_add(m[g]);
        (a, d, c) = (d, c, b);
        b = b.wrapping_add(t.rotate_left(MD5_S[i / 16][i % 4]));
    }
    for (s, v) in state.iter_mut().zip([a, b, c, d]) {
        *s = s.wrapping_add(v);
    }
}

/// `mg_md5_init`.
pub fn md5_init(c: &mut mg_md5_ctx) {
    c.buf = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
    c.bits = [0, 0];
}

/// `mg_md5_update`.
pub fn md5_update(c: &mut mg_md5_ctx, data: &[u8]) {
    let bits = join64(c.bits);
    let state = &mut c.buf;
    absorb(&mut c.in_, (bits / 8) as usize, data, |b| md5_compress(state, b));
    c.bits = split64(bits.wrapping_add((data.len() as u64).wrapping_mul(8)));
}

/// `mg_md5_final`: the digest; the context must be re-initialised to reuse it.
pub fn md5_final(c: &mut mg_md5_ctx) -> [u8; 16] {
    let bits = join64(c.bits);
    let state = &mut c.buf;
    pad(&mut c.in_, (bits / 8) as usize, &bits.to_le_bytes(), |b| md5_compress(state, b));
    let mut out = [0u8; 16];
    for (o, s) in out.chunks_exact_mut(4).zip(c.buf) {
        o.copy_from_slice(&s.to_le_bytes());
    }
    out
}

// ---- SHA-1 ----

fn sha1_block(state: &mut [u32; 5], block: &[u8; 64]) {
    // (Block copied by value: naming the generic-array type is deprecated in
    // its later 0.14 releases.)
    sha1::compress(state, &[(*block).into()]);
}

/// `mg_sha1_init`.
pub fn sha1_init(c: &mut mg_sha1_ctx) {
    c.state = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
    c.count = [0, 0];
}

/// `mg_sha1_update`.
pub fn sha1_update(c: &mut mg_sha1_ctx, data: &[u8]) {
    let bits = join64(c.count);
    let state = &mut c.state;
    absorb(&mut c.buffer, (bits / 8) as usize, data, |b| sha1_block(state, b));
    c.count = split64(bits.wrapping_add((data.len() as u64).wrapping_mul(8)));
}

/// `mg_sha1_final`.
pub fn sha1_final(c: &mut mg_sha1_ctx) -> [u8; 20] {
    let bits = join64(c.count);
    let state = &mut c.state;
    pad(&mut c.buffer, (bits / 8) as usize, &bits.to_be_bytes(), |b| sha1_block(state, b));
    let mut out = [0u8; 20];
    for (o, s) in out.chunks_exact_mut(4).zip(c.state) {
        o.copy_from_slice(&s.to_be_bytes());
    }
    out
}

// ---- SHA-256 ----

fn sha256_block(state: &mut [u32; 8], block: &[u8; 64]) {
    sha2::compress256(state, &[(*block).into()]);
}

/// `mg_sha256_init`.
pub fn sha256_init(c: &mut mg_sha256_ctx) {
    c.state =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    c.bits = 0;
    c.len = 0;
}

/// `mg_sha256_update`. `bits` counts the message so far, `len` the bytes
/// pending in `buffer`.
pub fn sha256_update(c: &mut mg_sha256_ctx, data: &[u8]) {
    let state = &mut c.state;
    c.len = absorb(&mut c.buffer, c.len as usize, data, |b| sha256_block(state, b)) as u32;
    c.bits = c.bits.wrapping_add((data.len() as u64).wrapping_mul(8));
}

/// `mg_sha256_final`.
pub fn sha256_final(c: &mut mg_sha256_ctx) -> [u8; 32] {
    let state = &mut c.state;
    pad(&mut c.buffer, c.len as usize, &c.bits.to_be_bytes(), |b| sha256_block(state, b));
    let mut out = [0u8; 32];
    for (o, s) in out.chunks_exact_mut(4).zip(c.state) {
        o.copy_from_slice(&s.to_be_bytes());
    }
    out
}

// ---- SHA-384 ----

fn sha512_block(state: &mut [u64; 8], block: &[u8; 128]) {
    sha2::compress512(state, &[(*block).into()]);
}

/// `mg_sha384_init`.
pub fn sha384_init(c: &mut mg_sha384_ctx) {
    c.state = [
        0xcbbb9d5dc1059ed8,
        0x629a292a367cd507,
        0x9159015a3070dd17,
        0x152fecd8f70e5939,
        0x67332667ffc00b31,
        0x8eb44a8768581511,
        0xdb0c2e0d64f98fa7,
        0x47b5481dbefa4fa4,
    ];
    c.bitlen = [0, 0];
    c.datalen = 0;
}

fn bitlen384(c: &mg_sha384_ctx) -> u128 {
    u128::from(c.bitlen[0]) | (u128::from(c.bitlen[1]) << 64)
}

/// `mg_sha384_update`. `bitlen` is the 128-bit message length (low word
/// first), `datalen` the bytes pending in `buffer`.
pub fn sha384_update(c: &mut mg_sha384_ctx, data: &[u8]) {
    let state = &mut c.state;
    c.datalen = absorb(&mut c.buffer, c.datalen as usize, data, |b| sha512_block(state, b)) as u32;
    let bits = bitlen384(c).wrapping_add((data.len() as u128).wrapping_mul(8));
    c.bitlen = [bits as u64, (bits >> 64) as u64];
}

/// `mg_sha384_final`.
pub fn sha384_final(c: &mut mg_sha384_ctx) -> [u8; 48] {
    let bits = bitlen384(c);
    let state = &mut c.state;
    pad(&mut c.buffer, c.datalen as usize, &bits.to_be_bytes(), |b| sha512_block(state, b));
    let mut out = [0u8; 48];
    for (o, s) in out.chunks_exact_mut(8).zip(c.state) {
        o.copy_from_slice(&s.to_be_bytes());
    }
    out
}

// ---- one-shot helpers ----

/// A zeroed context (what a C program gets from `= {0}` before `init`).
pub trait Zeroed {
    /// All fields zero.
    fn zeroed() -> Self;
}

impl Zeroed for mg_md5_ctx {
    fn zeroed() -> Self {
        mg_md5_ctx { buf: [0; 4], bits: [0; 2], in_: [0; 64] }
    }
}
impl Zeroed for mg_sha1_ctx {
    fn zeroed() -> Self {
        mg_sha1_ctx { state: [0; 5], count: [0; 2], buffer: [0; 64] }
    }
}
impl Zeroed for mg_sha256_ctx {
    fn zeroed() -> Self {
        mg_sha256_ctx { state: [0; 8], bits: 0, len: 0, buffer: [0; 64] }
    }
}
impl Zeroed for mg_sha384_ctx {
    fn zeroed() -> Self {
        mg_sha384_ctx { state: [0; 8], buffer: [0; 128], bitlen: [0; 2], datalen: 0 }
    }
}

/// MD5 of `data`.
pub fn md5(data: &[u8]) -> [u8; 16] {
    let mut c = mg_md5_ctx::zeroed();
    md5_init(&mut c);
    md5_update(&mut c, data);
    md5_final(&mut c)
}

/// SHA-1 of `data`.
pub fn sha1(data: &[u8]) -> [u8; 20] {
    let mut c = mg_sha1_ctx::zeroed();
    sha1_init(&mut c);
    sha1_update(&mut c, data);
    sha1_final(&mut c)
}

/// `mg_sha256`: SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let mut c = mg_sha256_ctx::zeroed();
    sha256_init(&mut c);
    sha256_update(&mut c, data);
    sha256_final(&mut c)
}

/// `mg_sha384`: SHA-384 of `data`.
pub fn sha384(data: &[u8]) -> [u8; 48] {
    let mut c = mg_sha384_ctx::zeroed();
    sha384_init(&mut c);
    sha384_update(&mut c, data);
    sha384_final(&mut c)
}

/// `mg_hmac_sha256`, per RFC 2104: a key longer than the 64-byte block is
/// hashed first, a key of up to 64 bytes is used as is. (Mongoose 7.23 also
/// hashes a key of exactly 64 bytes; see the README's departures.)
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    const MILLION_A: usize = 1_000_000;

    #[test]
    fn md5_rfc1321() {
        let v: &[(&[u8], &str)] = &[
            (b"", "d41d8cd98f00b204e9800998ecf8427e"),
            (b"a", "0cc175b9c0f1b6a831c399e269772661"),
            (b"abc", "900150983cd24fb0d6963f7d28e17f72"),
            (b"message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            (b"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            (
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                "d174ab98d277d9f5a5611c2c9f419d9f",
            ),
            (
                b"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
                "57edf4a22be3c955ac49da2e2107b67a",
            ),
        ];
        for &(m, d) in v {
            assert_eq!(hex(&md5(m)), d);
        }
    }

    #[test]
    fn sha_vectors() {
        assert_eq!(hex(&sha1(b"abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(hex(&sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(
            hex(&sha1(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        assert_eq!(hex(&sha1(&[b'a'; MILLION_A])), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
        assert_eq!(hex(&sha256(b"abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(
            hex(&sha256(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(
            hex(&sha256(&[b'a'; MILLION_A])),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        );
        assert_eq!(
            hex(&sha384(b"abc")),
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"
        );
        assert_eq!(
            hex(&sha384(b"")),
            "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b"
        );
        assert_eq!(
            hex(&sha384(
                b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
            )),
            "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039"
        );
    }

    /// Every split of a message into two updates gives the one-shot digest,
    /// across block boundaries and padding edges (55/56/63/64 bytes etc.).
    #[test]
    fn split_updates_match() {
        let msg: Vec<u8> = (0..300u32).map(|i| (i * 31 + 7) as u8).collect();
        for len in [0, 1, 55, 56, 57, 63, 64, 65, 111, 112, 113, 127, 128, 129, 300] {
            let m = &msg[..len];
            for cut in [0, 1, len / 2, len.saturating_sub(1), len] {
                let (x, y) = m.split_at(cut.min(len));
                let mut c = mg_md5_ctx::zeroed();
                md5_init(&mut c);
                md5_update(&mut c, x);
                md5_update(&mut c, y);
                assert_eq!(md5_final(&mut c), md5(m));
                let mut c = mg_sha1_ctx::zeroed();
                sha1_init(&mut c);
                sha1_update(&mut c, x);
                sha1_update(&mut c, y);
                assert_eq!(sha1_final(&mut c), sha1(m));
                let mut c = mg_sha256_ctx::zeroed();
                sha256_init(&mut c);
                sha256_update(&mut c, x);
                sha256_update(&mut c, y);
                assert_eq!(sha256_final(&mut c), sha256(m));
                let mut c = mg_sha384_ctx::zeroed();
                sha384_init(&mut c);
                sha384_update(&mut c, x);
                sha384_update(&mut c, y);
                assert_eq!(sha384_final(&mut c), sha384(m));
            }
            // Against the RustCrypto one-shot digests.
            use sha2::Digest;
            assert_eq!(sha256(m)[..], sha2::Sha256::digest(m)[..]);
            assert_eq!(sha384(m)[..], sha2::Sha384::digest(m)[..]);
            assert_eq!(sha1(m)[..], sha1::Sha1::digest(m)[..]);
        }
    }

    #[test]
    fn hmac_rfc4231() {
        let k20 = [0x0b; 20];
        assert_eq!(
            hex(&hmac_sha256(&k20, b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let k131 = [0xaa; 131];
        assert_eq!(
            hex(&hmac_sha256(&k131, b"Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
        // A 64-byte key is used as is (RFC 2104).
        let k64 = [0x61; 64];
        assert_ne!(hmac_sha256(&k64, b"x"), hmac_sha256(&sha256(&k64), b"x"));
    }
}
