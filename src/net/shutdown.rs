//! Graceful shutdown, built in (beyond Mongoose): `mg_mgr_shutdown` stops
//! accepting, lets requests in flight finish, answers what arrives later
//! with `Connection: close` (the HTTP layer reads `ConnShutdown`), closes
//! idle keep-alive connections once they stay silent for a short window, and
//! closes whatever is left when the grace period ends.
use super::conn::state;
use super::mgr::manager;
use crate::abi::*;
use std::sync::atomic::Ordering;

/// How long an idle keep-alive connection must stay silent before shutdown
/// closes it. A request arriving inside the window is still answered.
pub(crate) const IDLE_WINDOW_MS: u64 = 300;
/// How often the loop looks at shutdown state while it runs.
const TICK_MS: u64 = 20;

#[derive(Default)]
pub struct Shutdown {
    /// Shutdown has begun.
    pub active: bool,
    pub started: u64,
    /// When everything left is closed.
    pub deadline: u64,
    /// Grace period to use when a signal starts the shutdown.
    pub signal_grace: Option<u64>,
    /// Signals already acted on.
    pub signals_seen: usize,
}

/// Per-connection shutdown state.
#[derive(Default, Clone, Copy)]
pub struct ConnShutdown {
    /// Looked at since shutdown began.
    pub seen: bool,
    /// The connection was mid-request when shutdown began: that request is
    /// served normally (with `Connection: close`).
    pub in_flight: bool,
    /// Idle keep-alive connection: close once silent until this time.
    pub idle_until: u64,
}

impl ConnShutdown {
    /// Nothing stored (the connection's state may be dropped).
    pub fn is_default(&self) -> bool {
        !self.seen && !self.in_flight && self.idle_until == 0
    }
}

/// Whether shutdown has begun for the manager of `c`.
///
/// # Safety
/// `c` live.
pub unsafe fn active_for(c: *mut mg_connection) -> bool {
    // SAFETY: a live connection points at its live manager.
    let mp = unsafe { manager((*c).mgr) };
    // SAFETY: `mp` is NULL or live.
    !mp.is_null() && unsafe { (*mp).shutdown.active }
}

/// `mg_mgr_shutdown`: begin (or shorten) the shutdown.
///
/// # Safety
/// `mgr` live.
pub unsafe fn begin(mgr: *mut mg_mgr, grace_ms: u64) {
    // SAFETY: the caller passes a live manager (per this function's contract).
    let mp = unsafe { manager(mgr) };
    if mp.is_null() {
        return;
    }
    let now = super::millis();
    // SAFETY: `mp` live; no callbacks are made here.
    unsafe {
        let s = &mut (*mp).shutdown;
        let deadline = now.saturating_add(grace_ms);
        if s.active {
            s.deadline = s.deadline.min(deadline);
        } else {
            s.active = true;
            s.started = now;
            s.deadline = deadline;
            // `RS_SPOKE` now means "bytes arrived since shutdown began".
            let mut c = (*mgr).conns;
            while !c.is_null() {
                (*c).set_rs(RS_SPOKE, false);
                c = (*c).next;
            }
        }
        (*mp).shared.notify();
        // Called from a handler (mid-walk): stop listening before any later
        // turn of this walk sends a `Connection: close` response. Otherwise
        // the poll does it before its walk.
        if (*mp).depth > 0 {
            super::mgr::close_listeners_for_shutdown(mgr, now);
        }
    }
}

/// `mg_mgr_is_done`: shutdown has begun and every connection is gone.
///
/// # Safety
/// `mgr` live.
pub unsafe fn is_done(mgr: *mut mg_mgr) -> bool {
    // SAFETY: the caller passes a live manager (per this function's contract).
    let mp = unsafe { manager(mgr) };
    // SAFETY: `mgr` live, `mp` NULL or live.
    unsafe { !mp.is_null() && (*mp).shutdown.active && (*mgr).conns.is_null() }
}

/// Act on SIGINT/SIGTERM counted by the handler: the first begins the
/// shutdown, a second ends the grace period at once.
///
/// # Safety
/// `mgr` live.
pub unsafe fn check_signals(mgr: *mut mg_mgr, now: u64) {
    // SAFETY: the caller passes a live manager (per this function's contract).
    let mp = unsafe { manager(mgr) };
    // SAFETY: `mp` live (called from the poll).
    unsafe {
        let shared: &super::wakeup::Shared = &(*mp).shared;
        let n = shared.signals.load(Ordering::Acquire);
        if n == (*mp).shutdown.signals_seen {
            return;
        }
        (*mp).shutdown.signals_seen = n;
        let grace = (*mp).shutdown.signal_grace.unwrap_or(0);
        if !(*mp).shutdown.active {
            begin(mgr, grace);
            if n >= 2 {
                (*mp).shutdown.deadline = now;
            }
        } else {
            (*mp).shutdown.deadline = now;
        }
    }
}

/// When the loop must look at shutdown state next (u64::MAX = never).
///
/// # Safety
/// `mgr` live.
pub unsafe fn next_due(mgr: *mut mg_mgr, now: u64) -> u64 {
    // SAFETY: the caller passes a live manager (per this function's contract).
    let mp = unsafe { manager(mgr) };
    // SAFETY: `mp` live.
    unsafe {
        if (*mp).shutdown.active {
            (now + TICK_MS).min((*mp).shutdown.deadline)
        } else {
            u64::MAX
        }
    }
}

/// Classify a connection the first time shutdown sees it.
unsafe fn classify(c: *mut mg_connection, now: u64) {
    // SAFETY: `c` live.
    unsafe {
        let f = (*c).flags;
        let st = state(c);
        st.shutdown.seen = true;
        if f & FLAG_IS_WEBSOCKET != 0 {
            // Open WebSockets get a CLOSE 1001 after whatever is queued and
            // stay until the peer answers it or the grace period ends; they
            // are never closed early for being idle.
            super::ws::going_away(c);
        } else if f & FLAG_IS_LISTENING != 0 {
            // TCP listeners: `mgr::close_listeners_for_shutdown` drains them.
            if f & FLAG_IS_UDP != 0 {
                (*c).set_flag(FLAG_IS_CLOSING, true);
            }
        } else if f & FLAG_IS_ACCEPTED != 0 {
            // Mid-request: bytes of a request buffered, or a response being
            // produced. Otherwise idle (perhaps still flushing a response).
            st.shutdown.in_flight = (*c).recv.len > 0 || f & FLAG_IS_RESP != 0;
            if !st.shutdown.in_flight {
                st.shutdown.idle_until = now + IDLE_WINDOW_MS;
            }
        }
    }
}

/// Per-poll shutdown work, before the connection walk.
///
/// # Safety
/// `mgr` live.
pub unsafe fn tick(mgr: *mut mg_mgr, now: u64) {
    // SAFETY: the caller passes a live manager (per this function's contract).
    let mp = unsafe { manager(mgr) };
    // SAFETY: `mp`/connections live; no callbacks are made here.
    unsafe {
        if !(*mp).shutdown.active {
            return;
        }
        let over = now >= (*mp).shutdown.deadline;
        let mut c = (*mgr).conns;
        while !c.is_null() {
            let st = state(c);
            if !st.shutdown.seen {
                classify(c, now);
            }
            if over {
                (*c).set_flag(FLAG_IS_CLOSING, true);
            } else if st.shutdown.idle_until != 0 {
                let quiet = (*c).recv.len == 0 && (*c).send.len == 0 && !(*c).flag(FLAG_IS_RESP);
                if (*c).rs(RS_SPOKE) {
                    st.shutdown.idle_until = 0; // it spoke: the HTTP layer answers and drains
                } else if !quiet {
                    st.shutdown.idle_until = now + IDLE_WINDOW_MS; // silence starts when it is quiet
                } else if now >= st.shutdown.idle_until {
                    (*c).set_flag(FLAG_IS_CLOSING, true);
                }
            }
            c = (*c).next;
        }
    }
}

/// A connection accepted after shutdown began (already queued by the
/// kernel before the listener closed): treat it like an idle one.
///
/// # Safety
/// `mgr`, `c` live.
pub unsafe fn on_accept(mgr: *mut mg_mgr, c: *mut mg_connection) {
    // SAFETY: the caller passes a live manager (per this function's contract).
    let mp = unsafe { manager(mgr) };
    // SAFETY: both live.
    unsafe {
        if (*mp).shutdown.active {
            let st = state(c);
            st.shutdown.seen = true;
            st.shutdown.idle_until = super::millis() + IDLE_WINDOW_MS;
        }
    }
}

/// `mg_mgr_shutdown_on_signals`: SIGINT and SIGTERM start the shutdown with
/// `grace_ms` and wake the loop; a second signal ends the grace period.
///
/// # Safety
/// `mgr` live.
pub unsafe fn on_signals(mgr: *mut mg_mgr, grace_ms: u64) -> bool {
    // SAFETY: the caller passes a live manager (per this function's contract).
    let mp = unsafe { manager(mgr) };
    if mp.is_null() {
        return false;
    }
    // SAFETY: `mp` live. The action only touches an atomic counter and
    // writes to an eventfd, both async-signal-safe.
    unsafe {
        (*mp).shutdown.signal_grace = Some(grace_ms);
        if !(*mp).sig_ids.is_empty() {
            return true;
        }
        for sig in [libc::SIGINT, libc::SIGTERM] {
            let shared = (*mp).shared.clone();
            let action = move || {
                shared.signals.fetch_add(1, Ordering::AcqRel);
                shared.notify();
            };
            match signal_hook_registry::register(sig, action) {
                Ok(id) => (*mp).sig_ids.push(id),
                Err(_) => return false,
            }
        }
    }
    true
}
