//! DNS message parsing as `mg_dns_parse` / `mg_dns_parse_rr` do it in
//! Mongoose 7.23 (observed with `scripts/dns_diff.py`): the size of one
//! resource record, and the first A/AAAA answer of a reply. Host names are
//! resolved by the system resolver (net/dns.rs); this is for programs that
//! read DNS packets themselves.

/// Longest packet `parse` accepts (classic UDP DNS).
pub const MAX_PACKET: usize = 512;
/// Answers `parse` looks at, at most.
pub const MAX_ANSWERS: usize = 10;
/// Pointer chains deeper than this make a name invalid.
const MAX_DEPTH: usize = 5;
/// Size of `mg_dns_message.name` (NUL included).
pub const NAME_SIZE: usize = 256;

pub const RTYPE_A: u16 = 1;
pub const RTYPE_AAAA: u16 = 28;

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

/// Writes a dotted name the way Mongoose fills its 256-byte buffer: a label
/// is copied only if it fits whole (the dot before it still goes in), and
/// the text stops at 255 bytes.
struct NameOut {
    buf: [u8; NAME_SIZE],
    /// Write position; may run past the buffer (later labels are dropped).
    j: usize,
}

impl NameOut {
    fn label(&mut self, l: &[u8]) {
        if self.j > 0 {
            if self.j < NAME_SIZE {
                self.buf[self.j] = b'.';
            }
            self.j += 1;
        }
        if self.j + l.len() < NAME_SIZE {
            self.buf[self.j..self.j + l.len()].copy_from_slice(l);
        }
        self.j += l.len();
        if self.j < NAME_SIZE {
            self.buf[self.j] = 0;
        }
    }
}

/// Length of the (possibly compressed) name at `ofs`, decoding it into
/// `out`; `None` when it is invalid (a label running to the end of the
/// packet, or a pointer chain that does). A byte with either of its top two
/// bits set is a pointer; pointers to pointers are not followed.
fn name_at(b: &[u8], ofs: usize, out: &mut NameOut, depth: usize) -> Option<usize> {
    if depth > MAX_DEPTH {
        return None;
    }
    let mut i = 0;
    while ofs + i + 1 < b.len() {
        let n = usize::from(b[ofs + i]);
        if n == 0 {
            i += 1;
            break;
        }
        if n & 0xc0 != 0 {
            let target = ((n & 0x3f) << 8) | usize::from(b[ofs + i + 1]);
            if target + 1 < b.len() && b[target] & 0xc0 == 0 {
                let saved = out.j;
                name_at(b, target, out, depth + 1)?;
                out.j = saved; // the rest of this name ends here anyway
            }
            i += 2;
            break;
        }
        if ofs + i + n + 1 >= b.len() {
            return None;
        }
        out.label(&b[ofs + i + 1..ofs + i + 1 + n]);
        i += n + 1;
    }
    Some(i)
}

/// The fixed part of a record (`struct mg_dns_rr`).
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct Rr {
    pub nlen: u16,
    pub atype: u16,
    pub aclass: u16,
    pub alen: u16,
}

/// Decode the name at `ofs` (its text, and its encoded length or 0).
pub fn name(b: &[u8], ofs: usize) -> (Vec<u8>, usize) {
    let mut out = NameOut { buf: [0; NAME_SIZE], j: 0 };
    let n = name_at(b, ofs, &mut out, 0).unwrap_or(0);
    out.buf[NAME_SIZE - 1] = 0;
    let end = out.buf.iter().position(|&c| c == 0).unwrap_or(NAME_SIZE - 1);
    (out.buf[..end].to_vec(), n)
}

/// `mg_dns_parse_rr`: the record at `ofs` (a question: name, type, class;
/// an answer: also TTL, data length and data). Returns its encoded size,
/// 0 when it does not fit in `b`.
pub fn parse_rr(b: &[u8], ofs: usize, is_question: bool) -> (usize, Rr) {
    let mut rr = Rr::default();
    if b.len() < 12 || b.len() > MAX_PACKET {
        return (0, rr); // not a UDP DNS packet: Mongoose reads nothing
    }
    let mut sink = NameOut { buf: [0; NAME_SIZE], j: 0 };
    let nlen = match name_at(b, ofs, &mut sink, 0) {
        Some(n) if n > 0 => n,
        _ => return (0, rr),
    };
    rr.nlen = nlen as u16;
    let p = ofs + nlen;
    let fixed = if is_question { 4 } else { 10 };
    if p + fixed > b.len() {
        return (0, rr);
    }
    rr.atype = be16(b, p);
    rr.aclass = be16(b, p + 2);
    if is_question {
        return (nlen + 4, rr);
    }
    rr.alen = be16(b, p + 8);
    if p + 10 + usize::from(rr.alen) > b.len() {
        return (0, rr);
    }
    (nlen + 10 + usize::from(rr.alen), rr)
}

/// `mg_dns_parse`'s result.
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct Message {
    pub txnid: u16,
    /// The first IN A (4 bytes) or IN AAAA (16 bytes) answer's data.
    pub addr: Option<Vec<u8>>,
    /// The name of the last record read.
    pub name: Vec<u8>,
}

/// `mg_dns_parse`: `Err` carries what Mongoose leaves filled in on failure.
pub fn parse(b: &[u8]) -> Result<Message, Message> {
    let mut m = Message::default();
    if b.len() < 12 {
        return Err(m);
    }
    let questions = be16(b, 4);
    let answers = usize::from(be16(b, 6)).min(MAX_ANSWERS);
    if questions > 1 {
        return Err(m);
    }
    m.txnid = be16(b, 0);
    if b.len() > MAX_PACKET {
        return Err(m);
    }
    let mut ofs = 12;
    for _ in 0..questions {
        let (n, _) = parse_rr(b, ofs, true);
        if n == 0 {
            return Err(m);
        }
        m.name = name(b, ofs).0;
        ofs += n;
    }
    if be16(b, 2) & 0x8000 == 0 {
        return Ok(m); // a query: Mongoose does not look for answers
    }
    for _ in 0..answers {
        let (n, rr) = parse_rr(b, ofs, false);
        if n == 0 {
            return Err(m);
        }
        m.name = name(b, ofs).0;
        let data = &b[ofs + n - usize::from(rr.alen)..ofs + n];
        if rr.aclass == 1
            && ((rr.atype == RTYPE_A && rr.alen == 4) || (rr.atype == RTYPE_AAAA && rr.alen == 16))
        {
            m.addr = Some(data.to_vec());
            return Ok(m);
        }
        ofs += n;
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(name: &[u8]) -> Vec<u8> {
        let mut v = name.to_vec();
        v.extend_from_slice(&[0, 1, 0, 1]);
        v
    }

    fn answer(name: &[u8], t: u16, data: &[u8]) -> Vec<u8> {
        let mut v = name.to_vec();
        v.extend_from_slice(&t.to_be_bytes());
        v.extend_from_slice(&[0, 1, 0, 0, 1, 44]);
        v.extend_from_slice(&(data.len() as u16).to_be_bytes());
        v.extend_from_slice(data);
        v
    }

    const HDR: &[u8] = b"\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00";

    #[test]
    fn a_record_with_compression() {
        let mut p = HDR.to_vec();
        p.extend(q(b"\x07example\x03com\x00"));
        p.extend(answer(b"\xc0\x0c", 1, &[93, 184, 216, 34]));
        let m = parse(&p).unwrap();
        assert_eq!(
            (m.txnid, m.addr, m.name.as_slice()),
            (0x1234, Some(vec![93, 184, 216, 34]), &b"example.com"[..])
        );
        assert_eq!(parse_rr(&p, 12, true), (17, Rr { nlen: 13, atype: 1, aclass: 1, alen: 0 }));
        assert_eq!(parse_rr(&p, 29, false), (16, Rr { nlen: 2, atype: 1, aclass: 1, alen: 4 }));
        // Observed on Mongoose: a byte with a top bit set ends the name as a pointer.
        assert_eq!(parse_rr(&p, 0, true), (25, Rr { nlen: 21, atype: 0x636f, aclass: 0x6d00, alen: 0 }));
        assert_eq!(parse_rr(&p, 29, false).0, 16);
        assert_eq!(parse_rr(&p[..44], 29, false).0, 0);
    }

    #[test]
    fn rejects_and_limits() {
        assert!(parse(&[0; 11]).is_err());
        let mut p = HDR.to_vec();
        p[5] = 2; // two questions
        assert_eq!(parse(&p).unwrap_err().txnid, 0);
        let mut p = HDR.to_vec();
        p.extend(q(b"\x03abc\xc0\x0c")); // a pointer loop
        p.extend(answer(b"\xc0\x0c", 1, &[1, 2, 3, 4]));
        assert!(parse(&p).is_err());
        let mut p = HDR.to_vec();
        p.extend(q(b"\x01a\x00"));
        p.extend(answer(b"\xc0\x0c", 1, &[1, 2, 3, 4]));
        p.resize(513, 0);
        assert_eq!(parse(&p).unwrap_err().txnid, 0x1234);
        p.truncate(512);
        assert!(parse(&p).unwrap().addr.is_some());
    }

    #[test]
    fn queries_are_not_searched_for_answers() {
        let mut p = HDR.to_vec();
        p[2] = 0x01; // QR clear: a query
        p.extend(q(b"\x01a\x00"));
        p.extend(answer(b"\xc0\x0c", 1, &[1, 2, 3, 4]));
        let m = parse(&p).unwrap();
        assert_eq!((m.addr, m.name.as_slice()), (None, &b"a"[..]));
    }

    #[test]
    fn long_names_are_cut_at_255() {
        let mut n = Vec::new();
        for _ in 0..6 {
            n.push(50);
            n.extend_from_slice(&[b'x'; 50]);
        }
        n.push(0);
        // The terminator is only consumed when a byte follows it.
        assert_eq!(name(&n, 0).1, n.len() - 1);
        n.extend_from_slice(&[0, 1]);
        let (text, len) = name(&n, 0);
        assert_eq!(len, n.len() - 2);
        assert_eq!(text.len(), 255);
        assert_eq!(text[254], b'.');
    }
}
