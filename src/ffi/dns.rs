//! DNS packet parsing (`mongoose.h`: DNS). Name resolution itself goes
//! through the system resolver (see net/dns.rs).
use crate::abi::*;
use crate::core::dns;
use crate::ffi::guard::guard;
use core::ffi::c_char;

/// Parse a DNS reply: transaction id, the name of the last record read,
/// and the first IN A/AAAA answer (`resolved` set). False for packets
/// shorter than 12 or longer than 512 bytes, with more than one question,
/// or with a record that does not fit.
#[no_mangle]
pub unsafe extern "C" fn mg_dns_parse(buf: *const u8, len: usize, dm: *mut mg_dns_message) -> bool {
    if dm.is_null() {
        return false;
    }
    // SAFETY: `dm` writable; `buf` readable for `len` bytes when non-NULL.
    guard(false, || unsafe {
        core::ptr::write_bytes(dm, 0, 1);
        if buf.is_null() {
            return false;
        }
        let b = core::slice::from_raw_parts(buf, len);
        let (ok, m) = match dns::parse(b) {
            Ok(m) => (true, m),
            Err(m) => (false, m),
        };
        let d = &mut *dm;
        d.txnid = m.txnid;
        for (i, &ch) in m.name.iter().take(dns::NAME_SIZE - 1).enumerate() {
            d.name[i] = ch as c_char;
        }
        if let Some(ip) = m.addr {
            d.resolved = true;
            d.addr.is_ip6 = ip.len() == 16;
            let mut a = [0u8; 16];
            a[..ip.len()].copy_from_slice(&ip);
            d.addr.addr.ip = a;
        }
        ok
    })
}

/// Parse the resource record at offset `ofs` (a question when
/// `is_question`) into `*rr`; returns its encoded size, 0 if it does not fit.
#[no_mangle]
pub unsafe extern "C" fn mg_dns_parse_rr(
    buf: *const u8,
    len: usize,
    ofs: usize,
    is_question: bool,
    rr: *mut mg_dns_rr,
) -> usize {
    if buf.is_null() || rr.is_null() {
        return 0;
    }
    // SAFETY: `buf` readable for `len` bytes; `rr` writable.
    guard(0, || unsafe {
        let (n, r) = dns::parse_rr(core::slice::from_raw_parts(buf, len), ofs, is_question);
        *rr = mg_dns_rr { nlen: r.nlen, atype: r.atype, aclass: r.aclass, alen: r.alen };
        n
    })
}
