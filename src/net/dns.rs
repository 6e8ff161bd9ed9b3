//! Host-name resolution through the system resolver (departure from
//! Mongoose's own UDP DNS client: `/etc/hosts`, search domains and IPv6 work).
//! Each lookup runs on a short-lived thread; the result is queued in `Shared`
//! and the poller is woken, so the loop never blocks on DNS.
use super::wakeup::{Resolved, Shared};
use crate::abi::{mg_addr, mg_addr_ip};
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;

/// Convert a std socket address to an `mg_addr` (network byte order).
pub fn from_std(sa: &SocketAddr) -> mg_addr {
    let mut a = mg_addr::default();
    match sa {
        SocketAddr::V4(v4) => {
            let mut ip = [0u8; 16];
            ip[..4].copy_from_slice(&v4.ip().octets());
            a.addr = mg_addr_ip { ip };
        }
        SocketAddr::V6(v6) => {
            a.addr = mg_addr_ip { ip: v6.ip().octets() };
            a.scope_id = v6.scope_id() as u8;
            a.is_ip6 = true;
        }
    }
    a.port = sa.port().to_be();
    a
}

/// Resolve `host` in the background; `want_v6` prefers AAAA answers
/// (`mgr->use_dns6`), otherwise IPv4 answers come first.
pub fn start(shared: Arc<Shared>, id: libc::c_ulong, host: String, port: u16, want_v6: bool) {
    let spawned = std::thread::Builder::new().name("mg-resolve".into()).spawn({
        let shared = shared.clone();
        move || {
            let addrs: Vec<SocketAddr> =
                (host.as_str(), port).to_socket_addrs().map(|it| it.collect()).unwrap_or_default();
            let pick = addrs.iter().find(|a| a.is_ipv6() == want_v6).or_else(|| addrs.first()).map(from_std);
            shared.resolved.lock().unwrap_or_else(|e| e.into_inner()).push(Resolved { id, addr: pick });
            shared.notify();
        }
    });
    if spawned.is_err() {
        shared.resolved.lock().unwrap_or_else(|e| e.into_inner()).push(Resolved { id, addr: None });
        shared.notify();
    }
}
