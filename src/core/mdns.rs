//! mDNS packets as Mongoose 7.23's responder and resolver build and read
//! them (observed on loopback with the cymongoose oracle): the question a
//! responder hands to the program, the answer it sends back for A, PTR,
//! SRV and TXT, the query `mg_mdns_query` sends, and the fields of
//! `struct mg_mdns_resp` read from an answer. Names go through `dns.rs`.
use super::dns::{self, Rr};

use super::dns::RTYPE_A;
const RTYPE_PTR: u16 = 12;
const RTYPE_TXT: u16 = 16;
const RTYPE_SRV: u16 = 33;
/// TTL of every record we answer with, seconds.
const TTL: u32 = 120;
/// The DNS-SD meta-query that lists services.
const LISTING: &[u8] = b"_services._dns-sd._udp";
const LOCAL: &[u8] = b".local";

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

/// Append `name` as labels (split at dots; empty labels skipped) and the
/// root label. `None` if a label is longer than 63 bytes.
fn put_name(out: &mut Vec<u8>, name: &[u8]) -> Option<()> {
    put_labels(out, name)?;
    out.push(0);
    Some(())
}

fn put_labels(out: &mut Vec<u8>, name: &[u8]) -> Option<()> {
    for l in name.split(|&c| c == b'.').filter(|l| !l.is_empty()) {
        if l.len() > 63 {
            return None;
        }
        out.push(l.len() as u8);
        out.extend_from_slice(l);
    }
    Some(())
}

/// The query `mg_mdns_query` sends: id 0, no flags, one question for `name`
/// (as given: `.local` is not added), class IN. `None` for a name that
/// cannot be encoded.
pub fn query(name: &[u8], rtype: u16) -> Option<Vec<u8>> {
    let mut p = vec![0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    put_name(&mut p, name)?;
    p.extend_from_slice(&rtype.to_be_bytes());
    p.extend_from_slice(&1u16.to_be_bytes());
    Some(p)
}

/// A question a responder passes to the program (`struct mg_mdns_req`).
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct Question {
    pub txid: u16,
    /// The question's fixed part; `aclass` without the unicast bit.
    pub rr: Rr,
    /// The name without its `.local` suffix.
    pub reqname: Vec<u8>,
    /// The QU bit: answer the sender directly.
    pub is_unicast: bool,
    /// A DNS-SD service listing query.
    pub is_listing: bool,
}

/// The first question of a query packet, if it is one a Mongoose responder
/// reports: type A, PTR, SRV or TXT, for a name ending in `.local`.
pub fn parse_question(b: &[u8]) -> Option<Question> {
    if b.len() < 12 || be16(b, 2) & 0x8000 != 0 || be16(b, 4) == 0 {
        return None;
    }
    let (n, mut rr) = dns::parse_rr(b, 12, true);
    if n == 0 || ![RTYPE_A, RTYPE_PTR, RTYPE_SRV, RTYPE_TXT].contains(&rr.atype) {
        return None;
    }
    let (name, _) = dns::name(b, 12);
    let reqname = name.strip_suffix(LOCAL)?.to_vec();
    let is_unicast = rr.aclass & 0x8000 != 0;
    rr.aclass &= 0x7fff;
    let is_listing = rr.atype == RTYPE_PTR && reqname == LISTING;
    Some(Question { txid: be16(b, 0), rr, reqname, is_unicast, is_listing })
}

/// What the program filled in to answer.
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct Answer<'a> {
    /// Host (instance) name, without `.local`; written as one label (at
    /// most 63 bytes), even if it holds dots.
    pub respname: &'a [u8],
    /// IPv4 address for A records (zeros when the program gave none).
    pub ip: [u8; 4],
    /// The DNS-SD record `(srvcproto, txt, port)`, needed for PTR/SRV/TXT.
    pub sd: Option<(&'a [u8], &'a [u8], u16)>,
}

fn put_rr(p: &mut Vec<u8>, rtype: u16, rdlen: usize) {
    p.extend_from_slice(&rtype.to_be_bytes());
    p.extend_from_slice(&1u16.to_be_bytes());
    p.extend_from_slice(&TTL.to_be_bytes());
    p.extend_from_slice(&(rdlen as u16).to_be_bytes());
}

fn ptr_to(p: &mut Vec<u8>, ofs: usize) {
    p.extend_from_slice(&(0xc000 | ofs as u16).to_be_bytes());
}

/// The answer packet for question `q`, or `None` when there is nothing to
/// send (a listing query, a service query without a DNS-SD record, a
/// name that cannot be encoded). The id is the query's for a unicast
/// answer, 0 otherwise. Service records are owned by `<srvcproto>.local`
/// (as Mongoose does, also for SRV and TXT); PTR brings SRV, TXT and A as
/// additional records, SRV brings A.
pub fn answer(q: &Question, a: &Answer) -> Option<Vec<u8>> {
    if q.is_listing || a.respname.is_empty() || a.respname.len() > 63 {
        return None;
    }
    let id = if q.is_unicast { q.txid } else { 0 };
    let mut p = id.to_be_bytes().to_vec();
    p.extend_from_slice(&[0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
    let arcount_at = 11;
    let host_len = a.respname.len() + 1; // its label, before a pointer
    if q.rr.atype == RTYPE_A {
        // The name is one label, dots and all, as Mongoose writes it.
        p.push(a.respname.len() as u8);
        p.extend_from_slice(a.respname);
        put_name(&mut p, b"local")?;
        put_rr(&mut p, RTYPE_A, 4);
        p.extend_from_slice(&a.ip);
        return Some(p);
    }
    let (srvcproto, txt, port) = a.sd?;
    if txt.len() > usize::from(u16::MAX) {
        return None;
    }
    put_labels(&mut p, srvcproto)?;
    let local_at = p.len();
    put_name(&mut p, b"local")?;
    if p.len() > 0x3fff {
        return None;
    }
    let srv = |p: &mut Vec<u8>| {
        put_rr(p, RTYPE_SRV, 6 + host_len + 2);
        p.extend_from_slice(&[0, 0, 0, 0]);
        p.extend_from_slice(&port.to_be_bytes());
        let host_at = p.len();
        p.push(a.respname.len() as u8);
        p.extend_from_slice(a.respname);
        ptr_to(p, local_at);
        host_at
    };
    let addr = |p: &mut Vec<u8>, host_at: usize| {
        ptr_to(p, host_at);
        put_rr(p, RTYPE_A, 4);
        p.extend_from_slice(&a.ip);
    };
    match q.rr.atype {
        RTYPE_PTR => {
            put_rr(&mut p, RTYPE_PTR, host_len + 2);
            let inst_at = p.len();
            p.push(a.respname.len() as u8);
            p.extend_from_slice(a.respname);
            ptr_to(&mut p, 12);
            ptr_to(&mut p, inst_at);
            let host_at = srv(&mut p);
            ptr_to(&mut p, inst_at);
            put_rr(&mut p, RTYPE_TXT, txt.len());
            p.extend_from_slice(txt);
            addr(&mut p, host_at);
            p[arcount_at] = 3;
        }
        RTYPE_SRV => {
            let host_at = srv(&mut p);
            addr(&mut p, host_at);
            p[arcount_at] = 1;
        }
        RTYPE_TXT => {
            put_rr(&mut p, RTYPE_TXT, txt.len());
            p.extend_from_slice(txt);
        }
        _ => return None,
    }
    Some(p)
}

/// The fields of `struct mg_mdns_resp` read from an answer.
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub struct Response {
    /// The first answer's fixed part (class as sent, cache-flush bit kept).
    pub rr: Rr,
    pub name: Vec<u8>,
    pub ip: [u8; 4],
    pub srvcproto: Vec<u8>,
    pub txt: Option<(usize, usize)>,
    /// SRV port (host order); 0 when there is none.
    pub port: u16,
}

/// Split `inst.<srvcproto>.local` at its first dot.
fn split_service(owner: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let owner = owner.strip_suffix(LOCAL).unwrap_or(owner);
    match owner.iter().position(|&c| c == b'.') {
        Some(i) => (owner[..i].to_vec(), owner[i + 1..].to_vec()),
        None => (owner.to_vec(), Vec::new()),
    }
}

/// Read an answer packet (response flag, no questions, at least one
/// answer whose type is A, PTR, SRV or TXT). A: `name` is the owner and
/// `ip` the address. PTR: `srvcproto` is the owner without `.local`, the
/// host name, port, TXT and address come from the additional SRV, TXT and
/// A records. SRV/TXT: the owner splits into `name` (first label) and
/// `srvcproto`; SRV takes its address from an additional A record.
/// `txt` is the TXT data's `(offset, length)` in the packet.
pub fn parse_response(b: &[u8]) -> Option<Response> {
    if b.len() < 12 || be16(b, 2) & 0x8000 == 0 || be16(b, 4) != 0 || be16(b, 6) == 0 {
        return None;
    }
    let (n, rr) = dns::parse_rr(b, 12, false);
    if n == 0 {
        return None;
    }
    let data = 12 + usize::from(rr.nlen) + 10;
    let (owner, _) = dns::name(b, 12);
    let mut r = Response { rr, ..Response::default() };
    let records = usize::from(be16(b, 6)) + usize::from(be16(b, 8)) + usize::from(be16(b, 10));
    match rr.atype {
        RTYPE_A => {
            if rr.alen != 4 {
                return None;
            }
            r.name = owner;
            r.ip.copy_from_slice(&b[data..data + 4]);
            return Some(r);
        }
        RTYPE_PTR => r.srvcproto = owner.strip_suffix(LOCAL).unwrap_or(&owner).to_vec(),
        RTYPE_SRV | RTYPE_TXT => (r.name, r.srvcproto) = split_service(&owner),
        _ => return None,
    }
    let mut ofs = 12;
    for i in 0..records.min(dns::MAX_ANSWERS) {
        let (n, x) = dns::parse_rr(b, ofs, false);
        if n == 0 {
            break;
        }
        let d = ofs + usize::from(x.nlen) + 10;
        match x.atype {
            RTYPE_SRV if x.alen >= 7 => {
                r.port = be16(b, d + 4);
                if rr.atype == RTYPE_PTR {
                    r.name = dns::name(b, d + 6).0;
                }
            }
            RTYPE_TXT => r.txt = Some((d, usize::from(x.alen))),
            RTYPE_A if x.alen == 4 && i > 0 => r.ip.copy_from_slice(&b[d..d + 4]),
            _ => {}
        }
        ofs += n;
    }
    Some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    // Answers the oracle sent on loopback for respname "devname", address
    // 10.1.2.3, DNS-SD record ("_http._tcp", "\x05a=b=c\x03k=v", 8080).
    const A: &str = "000084000000000100000000076465766e616d65056c6f63616c00000100010000007800040a010203";
    const PTR: &str = "000084000000000100000003055f68747470045f746370056c6f63616c00000c000100000078000a076465766e616d65c00cc02800210001000000780010000000001f90076465766e616d65c017c0280010000100000078000a05613d623d63036b3d76c044000100010000007800040a010203";
    const SRV: &str = "000084000000000100000001055f68747470045f746370056c6f63616c0000210001000000780010000000001f90076465766e616d65c017c02e000100010000007800040a010203";
    const TXT: &str = "000084000000000100000000055f68747470045f746370056c6f63616c000010000100000078000a05613d623d63036b3d76";
    const UNICAST_A: &str =
        "123484000000000100000000076465766e616d65056c6f63616c00000100010000007800040a010203";

    fn q(name: &str, t: u16, class: u16) -> Question {
        let mut p = query(name.as_bytes(), t).unwrap();
        p[0] = 0x12;
        p[1] = 0x34;
        let n = p.len();
        p[n - 2..].copy_from_slice(&class.to_be_bytes());
        parse_question(&p).unwrap()
    }

    fn ans() -> Answer<'static> {
        Answer {
            respname: b"devname",
            ip: [10, 1, 2, 3],
            sd: Some((b"_http._tcp", b"\x05a=b=c\x03k=v", 8080)),
        }
    }

    #[test]
    fn query_bytes() {
        assert_eq!(
            query(b"devname.local", 1).unwrap(),
            hex("000000000001000000000000076465766e616d65056c6f63616c0000010001")
        );
        assert_eq!(query(b"devname", 1).unwrap(), hex("000000000001000000000000076465766e616d650000010001"));
        assert!(query(&[b'x'; 64], 1).is_none());
    }

    #[test]
    fn questions() {
        let x = q("myhost.local", 1, 1);
        assert_eq!(
            (x.txid, x.rr, x.reqname.as_slice()),
            (0x1234, Rr { nlen: 14, atype: 1, aclass: 1, alen: 0 }, &b"myhost"[..])
        );
        assert!(!x.is_unicast && !x.is_listing);
        let x = q("devname.local", 1, 0x8001);
        assert!(x.is_unicast);
        assert_eq!(x.rr.aclass, 1);
        assert!(q("_services._dns-sd._udp.local", 12, 1).is_listing);
        assert_eq!(q("devname._http._tcp.local", 33, 1).reqname, b"devname._http._tcp");
        // AAAA, ANY and names outside .local are not reported.
        for (n, t) in [("devname.local", 28), ("devname.local", 255), ("devname", 1)] {
            assert!(parse_question(&query(n.as_bytes(), t).unwrap()).is_none());
        }
        assert!(parse_question(&hex(A)).is_none()); // a response
        assert!(parse_question(&[]).is_none());
    }

    #[test]
    fn answers_match_mongoose() {
        assert_eq!(answer(&q("myhost.local", 1, 1), &ans()).unwrap(), hex(A));
        assert_eq!(answer(&q("devname.local", 1, 0x8001), &ans()).unwrap(), hex(UNICAST_A));
        assert_eq!(answer(&q("_http._tcp.local", 12, 1), &ans()).unwrap(), hex(PTR));
        assert_eq!(answer(&q("devname._http._tcp.local", 33, 1), &ans()).unwrap(), hex(SRV));
        assert_eq!(answer(&q("devname._http._tcp.local", 16, 1), &ans()).unwrap(), hex(TXT));
        assert!(answer(&q("_services._dns-sd._udp.local", 12, 1), &ans()).is_none());
        let dotted = Answer { respname: b"dev.name", ..ans() };
        let want = "000084000000000100000000086465762e6e616d65056c6f63616c00000100010000007800040a010203";
        assert_eq!(answer(&q("x.local", 1, 1), &dotted).unwrap(), hex(want));
        let no_sd = Answer { sd: None, ..ans() };
        assert!(answer(&q("_http._tcp.local", 12, 1), &no_sd).is_none());
        let no_name = Answer { respname: b"", ..ans() };
        assert!(answer(&q("myhost.local", 1, 1), &no_name).is_none());
    }

    #[test]
    fn responses() {
        let r = parse_response(&hex(A)).unwrap();
        assert_eq!(
            (r.rr, r.name.as_slice(), r.ip),
            (Rr { nlen: 15, atype: 1, aclass: 1, alen: 4 }, &b"devname.local"[..], [10, 1, 2, 3])
        );
        let p = hex(PTR);
        let r = parse_response(&p).unwrap();
        assert_eq!(
            (r.name.as_slice(), r.srvcproto.as_slice(), r.port, r.ip),
            (&b"devname.local"[..], &b"_http._tcp"[..], 8080, [10, 1, 2, 3])
        );
        let (o, l) = r.txt.unwrap();
        assert_eq!(&p[o..o + l], b"\x05a=b=c\x03k=v");
        let r = parse_response(&hex(SRV)).unwrap();
        assert_eq!(
            (r.name.as_slice(), r.srvcproto.as_slice(), r.port, r.ip, r.txt),
            (&b"_http"[..], &b"_tcp"[..], 8080, [10, 1, 2, 3], None)
        );
        let r = parse_response(&hex(TXT)).unwrap();
        assert_eq!(
            (r.name.as_slice(), r.srvcproto.as_slice(), r.port, r.ip),
            (&b"_http"[..], &b"_tcp"[..], 0, [0; 4])
        );
        assert!(r.txt.is_some());
        // Cache-flush class is reported as sent; answers after an echoed
        // question are not read.
        let mut p = hex("000084000000000100000000056f74686572056c6f63616c0000018001000000780004c0a80107");
        let r = parse_response(&p).unwrap();
        assert_eq!((r.rr.aclass, r.name.as_slice(), r.ip), (0x8001, &b"other.local"[..], [192, 168, 1, 7]));
        p[5] = 1;
        assert!(parse_response(&p).is_none());
        assert!(parse_response(&query(b"a.local", 1).unwrap()).is_none());
        for n in 0..hex(PTR).len() {
            let _ = parse_response(&hex(PTR)[..n]);
        }
    }
}
