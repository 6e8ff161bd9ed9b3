//! DNS parsing (`mg_dns_parse`, `mg_dns_parse_rr`).
//!
//! Input: a packet. Record sizes must stay inside the packet, names within
//! 255 bytes, and a resolved address must be bytes of the packet.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mongoose::core::dns;

fuzz_target!(|data: &[u8]| {
    for ofs in 0..data.len().min(600) {
        for q in [true, false] {
            let (n, rr) = dns::parse_rr(data, ofs, q);
            if n > 0 {
                assert!(ofs + n <= data.len());
                assert!(usize::from(rr.nlen) < n);
            }
        }
        let (name, nlen) = dns::name(data, ofs);
        assert!(name.len() < dns::NAME_SIZE && nlen <= data.len());
    }
    let m = match dns::parse(data) {
        Ok(m) => m,
        Err(m) => {
            assert!(m.addr.is_none());
            m
        }
    };
    assert!(m.name.len() < dns::NAME_SIZE);
    if let Some(a) = m.addr {
        assert!(a.len() == 4 || a.len() == 16);
        assert!(data.windows(a.len()).any(|w| w == a.as_slice()));
    }
});
