//! WebSocket framing (RFC 6455 as Mongoose speaks it) and the handshake
//! key, over bytes. The connection-level logic (fragment reassembly in
//! `c->recv`, events, automatic replies) is in `net::ws`.
use base64::Engine as _;
use sha1::{Digest, Sha1};

/// Appended to the client's key before hashing (RFC 6455 §1.3).
pub(crate) const GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

pub(crate) const OP_CONTINUE: u8 = 0;
pub(crate) const OP_TEXT: u8 = 1;
pub(crate) const OP_BINARY: u8 = 2;
pub(crate) const OP_CLOSE: u8 = 8;
pub(crate) const OP_PING: u8 = 9;
pub(crate) const OP_PONG: u8 = 10;
/// The FIN bit of the first header byte.
pub(crate) const FIN: u8 = 0x80;

/// Close codes the library sends on its own.
pub(crate) const CLOSE_GOING_AWAY: u16 = 1001;
pub(crate) const CLOSE_PROTOCOL_ERROR: u16 = 1002;
pub(crate) const CLOSE_TOO_BIG: u16 = 1009;

/// The longest frame header: 2 + 8 (64-bit length) + 4 (mask).
pub(crate) const MAX_HEADER: usize = 14;

/// `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`: base64(SHA-1(key + GUID)).
pub fn accept_key(key: &[u8]) -> String {
    let mut h = Sha1::new();
    h.update(key);
    h.update(GUID);
    base64::engine::general_purpose::STANDARD.encode(h.finalize())
}

/// A new `Sec-WebSocket-Key` from 16 random bytes.
pub fn client_key(random: &[u8; 16]) -> String {
    base64::engine::general_purpose::STANDARD.encode(random)
}

/// A parsed frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHead {
    /// The first byte as sent: FIN, RSV1-3 and the opcode (Mongoose hands
    /// it to the program unchanged as `mg_ws_message.flags`).
    pub flags: u8,
    /// The masking key, if the MASK bit was set.
    pub mask: Option<[u8; 4]>,
    /// Header bytes, mask included.
    pub header_len: usize,
    /// The length field, as claimed (up to 2^64 - 1).
    pub payload_len: u64,
}

impl FrameHead {
    pub fn fin(&self) -> bool {
        self.flags & FIN != 0
    }

    pub fn op(&self) -> u8 {
        self.flags & 0x0f
    }

    /// Header + payload, saturating (a claimed length near 2^64 cannot
    /// be buffered anyway).
    pub fn total_len(&self) -> u64 {
        self.payload_len.saturating_add(self.header_len as u64)
    }
}

/// Parse the header at the start of `buf`; `None` until all of it is
/// there. Any bit pattern is a header: RSV bits and opcodes are the
/// caller's business, as is the length's top bit (Mongoose ignores both).
pub fn parse_header(buf: &[u8]) -> Option<FrameHead> {
    if buf.len() < 2 {
        return None;
    }
    let masked = buf[1] & 0x80 != 0;
    let (len_bytes, payload_len) = match buf[1] & 0x7f {
        126 => (2, u64::from(u16::from_be_bytes(buf.get(2..4)?.try_into().ok()?))),
        127 => (8, u64::from_be_bytes(buf.get(2..10)?.try_into().ok()?)),
        n => (0, u64::from(n)),
    };
    let mut header_len = 2 + len_bytes;
    let mask = if masked {
        let m: [u8; 4] = buf.get(header_len..header_len + 4)?.try_into().ok()?;
        header_len += 4;
        Some(m)
    } else {
        None
    };
    Some(FrameHead { flags: buf[0], mask, header_len, payload_len })
}

/// XOR `data` with the 4-byte `mask`, starting at mask index `phase`
/// (masking and unmasking are the same operation).
pub fn apply_mask(data: &mut [u8], mask: [u8; 4], phase: usize) {
    let mut k = phase % 4;
    for b in data {
        *b ^= mask[k];
        k = (k + 1) & 3;
    }
}

/// Encode a frame header into `out`, returning its length: first byte
/// `flags` (Mongoose sends `op | FIN`), the shortest length form (7, 16 or
/// 64 bits), and the mask when given.
pub fn encode_header(flags: u8, len: usize, mask: Option<[u8; 4]>, out: &mut [u8; MAX_HEADER]) -> usize {
    out[0] = flags;
    let mbit = if mask.is_some() { 0x80 } else { 0 };
    let mut n = if len < 126 {
        out[1] = mbit | len as u8;
        2
    } else if len < 65536 {
        out[1] = mbit | 126;
        out[2..4].copy_from_slice(&(len as u16).to_be_bytes());
        4
    } else {
        out[1] = mbit | 127;
        out[2..10].copy_from_slice(&(len as u64).to_be_bytes());
        10
    };
    if let Some(m) = mask {
        out[n..n + 4].copy_from_slice(&m);
        n += 4;
    }
    n
}

/// A whole frame with FIN set: header + (masked) payload.
pub fn encode_frame(op: u8, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
    let mut h = [0u8; MAX_HEADER];
    let n = encode_header(op | FIN, payload.len(), mask, &mut h);
    let mut v = Vec::with_capacity(n + payload.len());
    v.extend_from_slice(&h[..n]);
    v.extend_from_slice(payload);
    if let Some(m) = mask {
        apply_mask(&mut v[n..], m, 0);
    }
    v
}

/// The payload of a CLOSE frame carrying only a status code.
pub fn close_payload(code: u16) -> [u8; 2] {
    code.to_be_bytes()
}

/// The status code of a CLOSE payload, if it carries one.
pub fn close_code(payload: &[u8]) -> Option<u16> {
    Some(u16::from_be_bytes(payload.get(..2)?.try_into().ok()?))
}

/// Whether an HTTP response head answers a WebSocket handshake: Mongoose
/// only looks at the status digits (bytes 9-11), not at the accept key.
pub fn is_switching_protocols(head: &[u8]) -> bool {
    head.get(9..12) == Some(b"101")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_key_matches_rfc_example() {
        assert_eq!(accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assert_eq!(client_key(&[0; 16]), "AAAAAAAAAAAAAAAAAAAAAA==");
    }

    #[test]
    fn header_lengths_at_every_boundary() {
        // (payload length, expected header without mask) as Mongoose sends.
        let cases: [(usize, &[u8]); 6] = [
            (0, &[0x82, 0]),
            (125, &[0x82, 125]),
            (126, &[0x82, 126, 0, 126]),
            (65535, &[0x82, 126, 0xff, 0xff]),
            (65536, &[0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]),
            (1 << 20, &[0x82, 127, 0, 0, 0, 0, 0, 0x10, 0, 0]),
        ];
        for (len, want) in cases {
            let mut h = [0u8; MAX_HEADER];
            let n = encode_header(0x82, len, None, &mut h);
            assert_eq!(&h[..n], want, "len {len}");
            let p = parse_header(&h[..n]).unwrap();
            assert_eq!((p.payload_len, p.header_len, p.mask), (len as u64, n, None));
            // One byte short of the header is incomplete.
            assert_eq!(parse_header(&h[..n - 1]), None);
            let n = encode_header(0x82, len, Some([1, 2, 3, 4]), &mut h);
            assert_eq!(&h[n - 4..n], &[1, 2, 3, 4]);
            let p = parse_header(&h[..n]).unwrap();
            assert_eq!((p.payload_len, p.header_len, p.mask), (len as u64, n, Some([1, 2, 3, 4])));
            assert_eq!(parse_header(&h[..n - 1]), None);
        }
    }

    #[test]
    fn frames_as_mongoose_sends_them() {
        assert_eq!(encode_frame(OP_TEXT, b"hi", None), [0x81, 2, b'h', b'i']);
        assert_eq!(encode_frame(OP_BINARY, &[0; 300], None)[..4], [0x82, 0x7e, 0x01, 0x2c]);
        let f = encode_frame(OP_TEXT, b"hello", Some([1, 2, 3, 4]));
        assert_eq!(f, [0x81, 0x85, 1, 2, 3, 4, 0x69, 0x67, 0x6f, 0x68, 0x6e]);
        let p = parse_header(&f).unwrap();
        let mut body = f[p.header_len..].to_vec();
        apply_mask(&mut body, p.mask.unwrap(), 0);
        assert_eq!(body, b"hello");
        assert!(p.fin());
        assert_eq!(p.op(), OP_TEXT);
    }

    #[test]
    fn flags_byte_is_kept_whole() {
        let p = parse_header(&[0x71, 0x00]).unwrap();
        assert_eq!((p.flags, p.fin(), p.op()), (0x71, false, 1));
        let p = parse_header(&[0x8b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).unwrap();
        assert_eq!(p.payload_len, u64::MAX);
        assert_eq!(p.total_len(), u64::MAX);
    }

    #[test]
    fn mask_phase_continues_across_calls() {
        let mut a = *b"abcdefg";
        apply_mask(&mut a[..3], [9, 8, 7, 6], 0);
        apply_mask(&mut a[3..], [9, 8, 7, 6], 3);
        let mut b = *b"abcdefg";
        apply_mask(&mut b, [9, 8, 7, 6], 0);
        assert_eq!(a, b);
    }

    #[test]
    fn close_codes_and_handshake_status() {
        assert_eq!(close_payload(1001), [0x03, 0xe9]);
        assert_eq!(close_code(&[0x03, 0xf1, b'x']), Some(1009));
        assert_eq!(close_code(&[0x03]), None);
        assert!(is_switching_protocols(b"HTTP/1.1 101 Switching Protocols\r\n\r\n"));
        assert!(!is_switching_protocols(b"HTTP/1.1 200 OK\r\n\r\n"));
        assert!(!is_switching_protocols(b"HTTP/1.1"));
    }
}
