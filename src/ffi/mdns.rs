//! mDNS (`mongoose.h`: DNS): a responder and resolver on 224.0.0.251:5353.
use crate::abi::*;
use crate::ffi::guard::guard;
use crate::net::{cstr, mdns as n};
use core::ffi::{c_char, c_uint, c_void};
use core::ptr;

/// Open the mDNS socket (224.0.0.251:5353, group joined) as `mgr->mdns`.
/// A question for a `.local` name (type A, PTR, SRV or TXT) fires
/// `MG_EV_MDNS_REQ` (ev_data: `struct mg_mdns_req *`): to answer, set
/// `is_resp`, `respname` (the name without `.local`), `addr` (for A) and
/// `r` (the DNS-SD record, for PTR/SRV/TXT). An answer from the network
/// fires `MG_EV_MDNS_RESP` (ev_data: `struct mg_mdns_resp *`).
#[no_mangle]
pub unsafe extern "C" fn mg_mdns_listen(
    mgr: *mut mg_mgr,
    fn_: mg_event_handler_t,
    fn_data: *mut c_void,
) -> *mut mg_connection {
    if mgr.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: initialised manager.
    guard(ptr::null_mut(), || unsafe { n::listen(mgr, fn_, fn_data) })
}

/// Send an mDNS question for `name` (sent as given: include `.local`) and
/// record type `rtype` to the group on `c` (the `mg_mdns_listen`
/// connection). Answers arrive as `MG_EV_MDNS_RESP`. False if nothing
/// was sent.
#[no_mangle]
pub unsafe extern "C" fn mg_mdns_query(c: *mut mg_connection, name: *const c_char, rtype: c_uint) -> bool {
    if c.is_null() || name.is_null() {
        return false;
    }
    // SAFETY: live connection; NUL-terminated name.
    guard(false, || unsafe { n::query(c, cstr(name), rtype as u16) })
}

/// Join the IPv4 multicast group `ip` (dotted text) on `c`'s socket, on
/// the default interface. Not declared in Mongoose's header; exported for
/// relinking.
#[no_mangle]
pub unsafe extern "C" fn mg_multicast_add(c: *mut mg_connection, ip: *mut c_char) {
    if c.is_null() || ip.is_null() {
        return;
    }
    // SAFETY: live connection; NUL-terminated address.
    guard((), || unsafe {
        n::multicast_add(c, cstr(ip));
    })
}
