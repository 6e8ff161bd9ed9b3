//! Modbus-TCP framing: split `c->recv` into MBAP frames, decode a request
//! PDU, and build replies and exceptions byte for byte as Mongoose 7.23's
//! server does (observed with the oracle; rules below).
//!
//! Framing: nothing is looked at until 12 bytes (an MBAP header and the
//! shortest request) are buffered. A protocol id other than 0 or a length
//! field below 6 closes the connection; otherwise the frame is the 6-byte
//! prefix plus `length` bytes (unit id + PDU), waited for in full. There is
//! no upper bound on `length` (Mongoose has none either): a frame whose PDU
//! is longer than its function needs is answered with exception 3.

/// Read coils.
pub const READ_COILS: u8 = 1;
/// Read discrete inputs.
pub const READ_DISCRETE_INPUTS: u8 = 2;
/// Read holding registers.
pub const READ_HOLDING_REGISTERS: u8 = 3;
/// Read input registers.
pub const READ_INPUT_REGISTERS: u8 = 4;
/// Write single coil.
pub const WRITE_SINGLE_COIL: u8 = 5;
/// Write single register.
pub const WRITE_SINGLE_REGISTER: u8 = 6;
/// Write multiple coils.
pub const WRITE_MULTIPLE_COILS: u8 = 15;
/// Write multiple registers.
pub const WRITE_MULTIPLE_REGISTERS: u8 = 16;

/// Exception: function not supported.
pub const ERR_ILLEGAL_FUNCTION: u8 = 1;
/// Exception: bad quantity, byte count, value or PDU length.
pub const ERR_ILLEGAL_VALUE: u8 = 3;

/// Most bits one read may ask for (Modbus spec: 2000).
pub const MAX_READ_BITS: u16 = 2000;
/// Most registers one read may ask for (125).
pub const MAX_READ_REGS: u16 = 125;
/// Most coils one write may carry (1968).
pub const MAX_WRITE_BITS: u16 = 1968;
/// Most registers one write may carry (123).
pub const MAX_WRITE_REGS: u16 = 123;

/// What the front of a receive buffer holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Split<'a> {
    /// Not enough bytes yet.
    Incomplete,
    /// Not Modbus-TCP: close the connection.
    Bad,
    /// One whole frame of `size` bytes.
    Frame { size: usize, tid: u16, unit: u8, pdu: &'a [u8] },
}

fn be16(b: &[u8], i: usize) -> u16 {
    u16::from_be_bytes([b[i], b[i + 1]])
}

/// Look at the front of `buf` for one MBAP frame.
pub fn split(buf: &[u8]) -> Split<'_> {
    if buf.len() < 12 {
        return Split::Incomplete;
    }
    let (proto, len) = (be16(buf, 2), usize::from(be16(buf, 4)));
    if proto != 0 || len < 6 {
        return Split::Bad;
    }
    if buf.len() < 6 + len {
        return Split::Incomplete;
    }
    Split::Frame { size: 6 + len, tid: be16(buf, 0), unit: buf[6], pdu: &buf[7..6 + len] }
}

/// A decoded request: the fields of `struct mg_modbus_req` plus, for
/// writes, the values carried (`bits` for 5/15, `regs` for 6/16).
#[derive(Debug, Default, PartialEq, Eq, Clone)]
pub struct Request {
    pub func: u8,
    pub addr: u16,
    pub len: u16,
    pub bits: Vec<bool>,
    pub regs: Vec<u16>,
}

/// Decode a request PDU (function code first). `Err(code)` is the
/// exception to answer with, without calling the handler.
pub fn parse(pdu: &[u8]) -> Result<Request, u8> {
    let Some(&func) = pdu.first() else { return Err(ERR_ILLEGAL_FUNCTION) };
    let bad = Err(ERR_ILLEGAL_VALUE);
    match func {
        READ_COILS | READ_DISCRETE_INPUTS | READ_HOLDING_REGISTERS | READ_INPUT_REGISTERS => {
            if pdu.len() != 5 {
                return bad;
            }
            let (addr, len) = (be16(pdu, 1), be16(pdu, 3));
            let max = if func <= READ_DISCRETE_INPUTS { MAX_READ_BITS } else { MAX_READ_REGS };
            if len == 0 || len > max {
                return bad;
            }
            Ok(Request { func, addr, len, ..Request::default() })
        }
        WRITE_SINGLE_COIL => {
            if pdu.len() != 5 {
                return bad;
            }
            let on = match be16(pdu, 3) {
                0xff00 => true,
                0 => false,
                _ => return bad,
            };
            Ok(Request { func, addr: be16(pdu, 1), len: 1, bits: vec![on], regs: vec![] })
        }
        WRITE_SINGLE_REGISTER => {
            if pdu.len() != 5 {
                return bad;
            }
            Ok(Request { func, addr: be16(pdu, 1), len: 1, bits: vec![], regs: vec![be16(pdu, 3)] })
        }
        WRITE_MULTIPLE_COILS | WRITE_MULTIPLE_REGISTERS => {
            if pdu.len() < 6 {
                return bad;
            }
            let (addr, len, count) = (be16(pdu, 1), be16(pdu, 3), usize::from(pdu[5]));
            let (max, need) = if func == WRITE_MULTIPLE_COILS {
                (MAX_WRITE_BITS, usize::from(len).div_ceil(8))
            } else {
                (MAX_WRITE_REGS, usize::from(len) * 2)
            };
            if len == 0 || len > max || count != need || pdu.len() != 6 + count {
                return bad;
            }
            let data = &pdu[6..];
            let mut r = Request { func, addr, len, ..Request::default() };
            if func == WRITE_MULTIPLE_COILS {
                r.bits = (0..usize::from(len)).map(|i| data[i / 8] & (1 << (i % 8)) != 0).collect();
            } else {
                r.regs = data.chunks_exact(2).map(|p| u16::from_be_bytes([p[0], p[1]])).collect();
            }
            Ok(r)
        }
        _ => Err(ERR_ILLEGAL_FUNCTION),
    }
}

fn frame(tid: u16, unit: u8, pdu: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(7 + pdu.len());
    out.extend_from_slice(&tid.to_be_bytes());
    out.extend_from_slice(&[0, 0]);
    // PDUs we build are at most 253 bytes, so this never truncates.
    out.extend_from_slice(&((pdu.len() + 1) as u16).to_be_bytes());
    out.push(unit);
    out.extend_from_slice(pdu);
    out
}

/// An exception reply: function code with the high bit set, then `code`.
pub fn exception(tid: u16, unit: u8, func: u8, code: u8) -> Vec<u8> {
    frame(tid, unit, &[func | 0x80, code])
}

/// The normal reply to `req` once the handler has run: for reads, `bits`
/// (1/2) or `regs` (3/4) hold what it filled in; writes echo address and
/// quantity (5/6 echo the written value).
pub fn reply(tid: u16, unit: u8, req: &Request, bits: &[bool], regs: &[u16]) -> Vec<u8> {
    let mut pdu = vec![req.func];
    match req.func {
        READ_COILS | READ_DISCRETE_INPUTS => {
            let mut packed = vec![0u8; usize::from(req.len).div_ceil(8)];
            for (i, _) in bits.iter().enumerate().take(usize::from(req.len)).filter(|(_, b)| **b) {
                packed[i / 8] |= 1 << (i % 8);
            }
            pdu.push(packed.len() as u8);
            pdu.extend_from_slice(&packed);
        }
        READ_HOLDING_REGISTERS | READ_INPUT_REGISTERS => {
            pdu.push((usize::from(req.len) * 2) as u8);
            for r in regs.iter().take(usize::from(req.len)) {
                pdu.extend_from_slice(&r.to_be_bytes());
            }
        }
        WRITE_SINGLE_COIL => {
            pdu.extend_from_slice(&req.addr.to_be_bytes());
            let on = req.bits.first().copied().unwrap_or(false);
            pdu.extend_from_slice(if on { &[0xff, 0] } else { &[0, 0] });
        }
        WRITE_SINGLE_REGISTER => {
            pdu.extend_from_slice(&req.addr.to_be_bytes());
            pdu.extend_from_slice(&req.regs.first().copied().unwrap_or(0).to_be_bytes());
        }
        _ => {
            pdu.extend_from_slice(&req.addr.to_be_bytes());
            pdu.extend_from_slice(&req.len.to_be_bytes());
        }
    }
    frame(tid, unit, &pdu)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn framing() {
        let f = hex("000100000006010300020003");
        assert_eq!(split(&f[..11]), Split::Incomplete);
        assert_eq!(split(&f), Split::Frame { size: 12, tid: 1, unit: 1, pdu: &f[7..] });
        assert_eq!(split(&hex("000100010006010300020003")), Split::Bad, "protocol id 1");
        assert_eq!(split(&hex("000100000005010300020003")), Split::Bad, "length 5");
        assert_eq!(split(&hex("00010000012c010300000001")), Split::Incomplete, "waits for 300");
    }

    #[test]
    fn requests_and_replies_match_the_oracle() {
        let r = parse(&hex("0300020003")).unwrap();
        assert_eq!((r.func, r.addr, r.len), (3, 2, 3));
        assert_eq!(reply(2, 1, &r, &[], &[0x1236, 0x1237, 0x1238]), hex("000200000009010306123612371238"));
        let r = parse(&hex("010000000a")).unwrap();
        let bits = [true, false, true, false, false, false, false, false, true, true];
        assert_eq!(reply(1, 1, &r, &bits, &[]), hex("0001000000050101020503"));
        let r = parse(&hex("0f0001000a021503")).unwrap();
        assert_eq!(r.bits, [true, false, true, false, true, false, false, false, true, true]);
        assert_eq!(reply(7, 1, &r, &[], &[]), hex("000700000006010f0001000a"));
        let r = parse(&hex("10000100020401020304")).unwrap();
        assert_eq!(r.regs, [0x0102, 0x0304]);
        assert_eq!(reply(8, 1, &r, &[], &[]), hex("000800000006011000010002"));
        let r = parse(&hex("050003ff00")).unwrap();
        assert_eq!(reply(5, 1, &r, &[], &[]), hex("00050000000601050003ff00"));
        let r = parse(&hex("060007abcd")).unwrap();
        assert_eq!(reply(6, 1, &r, &[], &[]), hex("00060000000601060007abcd"));
        assert_eq!(exception(9, 1, 3, 2), hex("000900000003018302"));
    }

    #[test]
    fn bad_requests() {
        for (pdu, code) in [
            ("07", 1),
            ("0700000001", 1),
            ("8300000001", 1),
            ("0000000001", 1),
            ("0500031234", 3),
            ("0300000000", 3),
            ("030000007e", 3),
            ("01000007d1", 3),
            ("030000000100", 3),
            ("0f0001000a0115", 3),
            ("0f00010000", 3),
            ("100001000203010203", 3),
            ("1000010000", 3),
        ] {
            assert_eq!(parse(&hex(pdu)), Err(code), "{pdu}");
        }
        assert!(parse(&hex("010000 07d0".replace(' ', "").as_str())).is_ok());
    }
}
