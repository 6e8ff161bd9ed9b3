//! mDNS packets (`core::mdns`): reading questions and answers from any
//! bytes, and building answers that read back.
//!
//! Input: a packet. Reported text stays inside the packet or within 255
//! bytes; an answer we build for a question (up to 512 bytes) parses as a response of the
//! question's type, and an A answer carries our name and address.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mongoose::core::mdns;

fuzz_target!(|data: &[u8]| {
    if let Some(r) = mdns::parse_response(data) {
        assert!(r.name.len() < 256 && r.srvcproto.len() < 256);
        if let Some((o, l)) = r.txt {
            assert!(o + l <= data.len());
        }
    }
    let Some(q) = mdns::parse_question(data) else { return };
    assert!(q.reqname.len() < 256);
    let name: Vec<u8> = data.iter().copied().filter(u8::is_ascii_alphanumeric).take(63).collect();
    if name.is_empty() {
        return;
    }
    let a = mdns::Answer {
        respname: &name,
        ip: [data[0], data[1], 7, 9],
        sd: Some((b"_svc._tcp", &data[..data.len().min(300)], u16::from(data[2]))),
    };
    // Readers (ours and Mongoose's) take classic DNS sizes only.
    if let Some(p) = mdns::answer(&q, &a).filter(|p| p.len() <= 512) {
        let r = mdns::parse_response(&p).expect("our answer reads back");
        assert_eq!(r.rr.atype, q.rr.atype);
        if q.rr.atype == 1 {
            assert_eq!(r.name, [&name[..], b".local"].concat());
            assert_eq!(r.ip, a.ip);
        }
    }
});
