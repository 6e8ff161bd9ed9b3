//! The mDNS responder/resolver behind `mg_mdns_listen`: one UDP socket on
//! 224.0.0.251:5353 (`mgr->mdns`). A question fires MG_EV_MDNS_REQ; if the
//! program sets `is_resp` the answer goes out at once (to the group, or to
//! the sender for a QU question). An answer fires MG_EV_MDNS_RESP. Either
//! way the datagram is consumed, so the program's MG_EV_READ sees an empty
//! `recv`, as with Mongoose.
//!
//! `.local` host names in `mg_connect` are resolved here when the manager
//! has an mDNS connection: an A question goes out, the first A answer for
//! the name connects, and 500 ms without one fails with "mDNS timeout".
//! The pending lookups live behind `mgr->active_mdns_requests`.
use super::{call, io, send};
use crate::abi::*;
use crate::core::mdns;
use core::ffi::{c_int, c_void};
use core::ptr;

/// The mDNS group and port.
const GROUP: [u8; 4] = [224, 0, 0, 251];
const PORT: u16 = 5353;
/// How long a `.local` lookup waits for its answer.
const RESOLVE_TIMEOUT_MS: u64 = 500;

/// A connection waiting for the address of `name`.
struct Pending {
    id: libc::c_ulong,
    name: Vec<u8>,
    deadline: u64,
}

/// The manager's pending lookups, created on first use.
///
/// # Safety
/// `mgr` initialised; the list is only touched from the loop's thread.
unsafe fn pending<'a>(mgr: *mut mg_mgr) -> &'a mut Vec<Pending> {
    // SAFETY: the pointer is NULL or a Box<Vec<Pending>> we leaked below.
    unsafe {
        if (*mgr).active_mdns_requests.is_null() {
            (*mgr).active_mdns_requests = Box::into_raw(Box::<Vec<Pending>>::default()) as *mut c_void;
        }
        &mut *((*mgr).active_mdns_requests as *mut Vec<Pending>)
    }
}

/// Start resolving `host` over mDNS if it is a `.local` name and the
/// manager has an mDNS connection; false leaves it to the system resolver.
///
/// # Safety
/// `c` live.
pub unsafe fn resolve(c: *mut mg_connection, host: &[u8]) -> bool {
    // SAFETY: `c` live, its manager initialised.
    unsafe {
        let mgr = (*c).mgr;
        if mgr.is_null() || (*mgr).mdns.is_null() || !host.to_ascii_lowercase().ends_with(b".local") {
            return false;
        }
        (*c).set_flag(FLAG_IS_RESOLVING, true);
        let deadline = super::millis() + RESOLVE_TIMEOUT_MS;
        pending(mgr).push(Pending { id: (*c).id, name: host.to_vec(), deadline });
        query((*mgr).mdns, host, crate::core::dns::RTYPE_A);
        true
    }
}

/// `mg_resolve_cancel`: forget `c`'s lookup.
///
/// # Safety
/// `c` live.
pub unsafe fn cancel(c: *mut mg_connection) {
    // SAFETY: `c` live.
    unsafe {
        let mgr = (*c).mgr;
        if !mgr.is_null() && !(*mgr).active_mdns_requests.is_null() {
            let id = (*c).id;
            pending(mgr).retain(|p| p.id != id);
        }
    }
}

/// Fail the lookups that are past `now` (all of them when `now` is None).
///
/// # Safety
/// `mgr` initialised.
unsafe fn expire(mgr: *mut mg_mgr, now: Option<u64>) {
    // SAFETY: `mgr` initialised; connections are looked up by id.
    unsafe {
        if (*mgr).active_mdns_requests.is_null() {
            return;
        }
        let list = pending(mgr);
        let late = |p: &Pending| now.is_none_or(|t| t >= p.deadline);
        let ids: Vec<_> = list.iter().filter(|p| late(p)).map(|p| p.id).collect();
        list.retain(|p| !late(p));
        let mp = super::mgr::manager(mgr);
        for id in ids {
            if let Some(c) = super::conn::find_id(mp, id) {
                (*c).set_flag(FLAG_IS_RESOLVING, false);
                super::error(c, "mDNS timeout");
            }
        }
    }
}

/// Connect the connections waiting for `name`; returns the port of the
/// last one (network order), which Mongoose reports in the answer event.
///
/// # Safety
/// `mgr` initialised.
unsafe fn resolved(mgr: *mut mg_mgr, name: &[u8], ip: [u8; 4]) -> Option<u16> {
    // SAFETY: `mgr` initialised; connections are looked up by id.
    unsafe {
        if (*mgr).active_mdns_requests.is_null() {
            return None;
        }
        let list = pending(mgr);
        let ids: Vec<_> = list.iter().filter(|p| p.name.eq_ignore_ascii_case(name)).map(|p| p.id).collect();
        list.retain(|p| !p.name.eq_ignore_ascii_case(name));
        let mp = super::mgr::manager(mgr);
        let mut port = None;
        for id in ids {
            let Some(c) = super::conn::find_id(mp, id) else { continue };
            (*c).set_flag(FLAG_IS_RESOLVING, false);
            let mut a = mg_addr::default();
            a.addr.ip[..4].copy_from_slice(&ip);
            a.port = (*c).rem.port;
            port = Some(a.port);
            (*c).rem = a;
            super::connect_resolved(c);
        }
        port
    }
}

fn group_addr() -> mg_addr {
    let mut a = mg_addr::default();
    // SAFETY: writing the bytes of a plain-data union.
    unsafe { a.addr.ip[..4].copy_from_slice(&GROUP) };
    a.port = PORT.to_be();
    a
}

/// `mg_multicast_add`: join `group` (dotted IPv4 text) on `c`'s socket.
///
/// # Safety
/// `c` live.
pub unsafe fn multicast_add(c: *mut mg_connection, group: &[u8]) -> bool {
    let Some(a) = crate::core::url::aton(group).filter(|a| !a.is_ip6) else {
        return false;
    };
    let ip = a.ip();
    // SAFETY: `c` live.
    io::join_group(unsafe { (*c).sock() }, [ip[0], ip[1], ip[2], ip[3]])
}

/// `mg_mdns_listen`.
///
/// # Safety
/// `mgr` initialised.
pub unsafe fn listen(mgr: *mut mg_mgr, fn_: mg_event_handler_t, fn_data: *mut c_void) -> *mut mg_connection {
    // SAFETY: `mgr` initialised; the URL is a literal.
    unsafe {
        let c = super::listen(mgr, c"udp://224.0.0.251:5353".as_ptr(), fn_, fn_data, Some(handler));
        if c.is_null() {
            return c;
        }
        if !multicast_add(c, b"224.0.0.251") {
            super::log_error(format_args!("{} mDNS: cannot join 224.0.0.251", (*c).id));
        }
        (*mgr).mdns = c;
        c
    }
}

/// `mg_mdns_query`: send a question for `name` to the group.
///
/// # Safety
/// `c` live.
pub unsafe fn query(c: *mut mg_connection, name: &[u8], rtype: u16) -> bool {
    let Some(p) = mdns::query(name, rtype) else {
        return false;
    };
    // SAFETY: `c` live.
    unsafe {
        (*c).rem = group_addr();
        send(c, &p)
    }
}

/// The protocol handler.
///
/// # Safety
/// Called by the loop with a live connection.
pub unsafe extern "C" fn handler(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    // SAFETY: `c` live; on READ, ev_data is the `long` byte count and the
    // datagram is the tail of `recv`.
    unsafe {
        match ev {
            MG_EV_READ => {
                let n = if ev_data.is_null() { 0 } else { *(ev_data as *const libc::c_long) as usize };
                let data = (*c).recv.data();
                let pkt = data[data.len().saturating_sub(n)..].to_vec();
                if let Some(q) = mdns::parse_question(&pkt) {
                    request(c, &q);
                } else if let Some(r) = mdns::parse_response(&pkt) {
                    response(c, &pkt, &r);
                }
                (*c).recv.len = 0;
            }
            MG_EV_POLL => {
                let mgr = (*c).mgr;
                if !mgr.is_null() && (*mgr).mdns == c {
                    let now = if ev_data.is_null() { super::millis() } else { *(ev_data as *const u64) };
                    expire(mgr, Some(now));
                }
            }
            MG_EV_CLOSE => {
                let mgr = (*c).mgr;
                if !mgr.is_null() && (*mgr).mdns == c {
                    (*mgr).mdns = ptr::null_mut();
                    // Nothing can answer now: fail the waiting lookups.
                    expire(mgr, None);
                    let list = (*mgr).active_mdns_requests as *mut Vec<Pending>;
                    if !list.is_null() {
                        drop(Box::from_raw(list));
                    }
                    (*mgr).active_mdns_requests = ptr::null_mut();
                }
            }
            _ => {}
        }
    }
}

/// Fire MG_EV_MDNS_REQ and send what the program filled in.
///
/// # Safety
/// `c` live.
unsafe fn request(c: *mut mg_connection, q: &mdns::Question) {
    let mut rr = mg_dns_rr { nlen: q.rr.nlen, atype: q.rr.atype, aclass: q.rr.aclass, alen: q.rr.alen };
    let mut req = mg_mdns_req {
        rr: &mut rr,
        r: ptr::null_mut(),
        reqname: mg_str::from_slice(&q.reqname),
        respname: mg_str::NULL,
        addr: ptr::null_mut(),
        is_listing: q.is_listing,
        is_resp: false,
        is_unicast: q.is_unicast,
    };
    // SAFETY: `c` live; what the program stored in `req` points at memory
    // it keeps alive during the event (as Mongoose requires).
    unsafe {
        call(c, MG_EV_MDNS_REQ, &mut req as *mut mg_mdns_req as *mut c_void);
        if !req.is_resp {
            return;
        }
        let mut ip = [0u8; 4];
        if !req.addr.is_null() {
            ip.copy_from_slice(&(*req.addr).ip()[..4]);
        }
        let sd = if req.r.is_null() {
            None
        } else {
            let r = &*req.r;
            Some((r.srvcproto.as_bytes(), r.txt.as_bytes(), r.port))
        };
        let a = mdns::Answer { respname: req.respname.as_bytes(), ip, sd };
        if let Some(p) = mdns::answer(q, &a) {
            if !q.is_unicast {
                (*c).rem = group_addr();
            }
            send(c, &p);
        }
    }
}

/// Fire MG_EV_MDNS_RESP for an answer.
///
/// # Safety
/// `c` live.
unsafe fn response(c: *mut mg_connection, pkt: &[u8], r: &mdns::Response) {
    let mut rr = mg_dns_rr { nlen: r.rr.nlen, atype: r.rr.atype, aclass: r.rr.aclass, alen: r.rr.alen };
    let mut addr = mg_addr::default();
    // SAFETY: plain-data union write.
    unsafe { addr.addr.ip[..4].copy_from_slice(&r.ip) };
    addr.port = r.port.to_be();
    if r.rr.atype == crate::core::dns::RTYPE_A {
        // SAFETY: `c` live, its manager initialised.
        if let Some(port) = unsafe { resolved((*c).mgr, &r.name, r.ip) } {
            addr.port = port;
        }
    }
    let txt = match r.txt {
        Some((o, l)) => mg_str::from_slice(&pkt[o..o + l]),
        None => mg_str::NULL,
    };
    let srvcproto = if r.srvcproto.is_empty() { mg_str::NULL } else { mg_str::from_slice(&r.srvcproto) };
    let mut resp = mg_mdns_resp {
        rr: &mut rr,
        name: mg_str::from_slice(&r.name),
        addr,
        sd: mg_dnssd_record { srvcproto, txt, port: r.port },
    };
    // SAFETY: `c` live; `resp` and what it points at outlive the call.
    unsafe { call(c, MG_EV_MDNS_RESP, &mut resp as *mut mg_mdns_resp as *mut c_void) };
}
