//! The manager: `mg_mgr_init`, `mg_mgr_poll`, `mg_mgr_free`, and the
//! connection walk that fires events in Mongoose's order (EVENT-LOOP.md §4).
//!
//! Re-entrancy: handlers call back into the library (send, connect, close
//! other connections, add timers, even poll). So the loop keeps only a raw
//! pointer to the `Manager`, re-reads every connection field from memory
//! after each callback, and never frees a connection that a walk in progress
//! might still step on (`mg_close_conn` during a poll defers the free).
use super::conn::{self, state};
use super::log::{mg_debug, mg_verbose};
use super::wakeup::Shared;
use super::{call, fmt_addr, io, log_error, millis, timer};
use crate::abi::*;
use core::ffi::{c_long, c_uint, c_void};
use core::ptr;
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use std::sync::Arc;
use std::time::Duration;

const WAKE: Token = Token(usize::MAX);
/// How many connections a listener accepts per turn (Mongoose: one).
const ACCEPT_BATCH: usize = 32;
/// Back-off before accepting again after EMFILE/ENFILE.
const ACCEPT_RETRY_MS: u64 = 100;

pub struct Manager {
    pub poll: Poll,
    pub events: Option<Events>,
    pub shared: Arc<Shared>,
    /// Pending lookups: (connection id, deadline ms).
    pub dns_pending: Vec<(libc::c_ulong, u64)>,
    /// Nesting depth of `mg_mgr_poll` (a handler may poll).
    pub depth: u32,
    /// Connections closed by `mg_close_conn` during a poll, freed after it.
    pub graveyard: Vec<*mut mg_connection>,
    pub shutdown: super::shutdown::Shutdown,
    /// Registered signal actions (`mg_mgr_shutdown_on_signals`).
    pub sig_ids: Vec<signal_hook_registry::SigId>,
    /// `mg_http_set_header_timeout` (ms, 0 = off): how long a server
    /// connection may take to deliver a request head (see `net::http`).
    pub http_header_timeout: u64,
    /// The linked connections, oldest first (`mgr->conns` reversed), with
    /// NULL holes where connections were unlinked (see `conn::link`).
    pub order: Vec<*mut mg_connection>,
    /// The ids of `order`'s entries (kept for holes too): sorted unless
    /// `ids_unsorted`, for lookups by id (see `conn::find_id`).
    pub order_ids: Vec<libc::c_ulong>,
    pub ids_unsorted: bool,
    pub holes: usize,
    /// Listeners backing off after EMFILE (their `retry_at` is set).
    pub retrying: usize,
    /// `mg_mgr_set_poll_interval` (ms, 0 = MG_EV_POLL to every connection
    /// on every poll, Mongoose's contract).
    pub poll_interval: u64,
    /// When the last walk over every connection ran (interval mode).
    pub last_sweep: u64,
    /// Interval mode: the connections that get a turn in the next walk
    /// (I/O, events, queued data or pending work), each with `RS_QUEUED`.
    pub queue: Vec<*mut mg_connection>,
}

/// The Rust manager behind `mgr`, or NULL before `mg_mgr_init`/after free.
///
/// # Safety
/// `mgr` is NULL or points to a live (possibly zeroed) `struct mg_mgr`.
#[inline]
pub unsafe fn manager(mgr: *mut mg_mgr) -> *mut Manager {
    if mgr.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: `mgr` is a live manager struct; the field is ours.
    unsafe { (*mgr).active_dns_requests as *mut Manager }
}

/// `mg_mgr_init`.
///
/// # Safety
/// `mgr` must point at writable memory for an `mg_mgr`.
pub unsafe fn init(mgr: *mut mg_mgr) {
    // SAFETY: the caller hands us the struct to initialise; all-zero is valid.
    unsafe {
        ptr::write_bytes(mgr, 0, 1);
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        (*mgr).epoll_fd = -1;
        (*mgr).pipe.fd = -1;
        (*mgr).dnstimeout = 3000;
        (*mgr).dns4.url = c"udp://8.8.8.8:53".as_ptr();
        (*mgr).dns6.url = c"udp://[2001:4860:4860::8888]:53".as_ptr();
    }
    let Ok(poll) = Poll::new() else {
        log_error(format_args!("mg_mgr_init: cannot create the poller"));
        return;
    };
    let Ok(shared) = Shared::new() else {
        log_error(format_args!("mg_mgr_init: cannot create the wakeup eventfd"));
        return;
    };
    if poll.registry().register(&mut SourceFd(&shared.efd), WAKE, Interest::READABLE).is_err() {
        return;
    }
    use std::os::fd::AsRawFd;
    let epfd = poll.as_raw_fd();
    let m = Box::new(Manager {
        poll,
        events: Some(Events::with_capacity(1024)),
        shared: Arc::new(shared),
        dns_pending: Vec::new(),
        depth: 0,
        graveyard: Vec::new(),
        shutdown: Default::default(),
        sig_ids: Vec::new(),
        http_header_timeout: 0,
        order: Vec::new(),
        order_ids: Vec::new(),
        ids_unsorted: false,
        holes: 0,
        retrying: 0,
        poll_interval: 0,
        last_sweep: 0,
        queue: Vec::new(),
    });
    // SAFETY: see above; the box is owned by the struct until `free`.
    unsafe {
        (*mgr).epoll_fd = epfd;
        (*mgr).active_dns_requests = Box::into_raw(m) as *mut c_void;
        super::tls::ctx_init(mgr);
    }
    mg_debug!("mg_mgr_init", "MG_IO_SIZE: {MG_IO_SIZE}, TLS: rustls");
}

/// Register a connection's socket with the poller (both directions, edge
/// triggered; readiness is kept sticky in the `RS_*` bits).
///
/// # Safety
/// `mgr`, `c` live; `fd` is `c`'s socket.
pub unsafe fn register(mgr: *mut mg_mgr, c: *mut mg_connection, fd: libc::c_int) -> bool {
    // SAFETY: the caller passes a live manager (per this function's contract).
    let mp = unsafe { manager(mgr) };
    if mp.is_null() {
        return false;
    }
    // SAFETY: live manager; short borrow that does not span a callback.
    let ok = unsafe {
        (*mp)
            .poll
            .registry()
            .register(&mut SourceFd(&fd), Token(c as usize), Interest::READABLE | Interest::WRITABLE)
            .is_ok()
    };
    // SAFETY: `c` is a live connection of this manager.
    unsafe {
        (*c).fd = fd as isize as *mut c_void;
        (*c).set_rs(RS_REGISTERED, ok);
    }
    ok
}

/// Allocate a connection, link it at the head and index it by id.
///
/// # Safety
/// `mgr` live and initialised.
pub unsafe fn new_conn(mgr: *mut mg_mgr) -> *mut mg_connection {
    // SAFETY: the caller passes a live manager (per this function's contract).
    let mp = unsafe { manager(mgr) };
    if mp.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: live manager.
    let c = unsafe { conn::alloc(mgr) };
    if !c.is_null() {
        // SAFETY: `c` was just allocated for this manager.
        unsafe {
            // As if bytes had arrived at creation: during shutdown, a
            // connection accepted in a later millisecond than its start is
            // not closed early for being idle (see `shutdown::tick`).
            let sd = &(*mp).shutdown;
            if sd.active && millis() > sd.started {
                (*c).set_rs(RS_SPOKE, true);
            }
        }
    }
    c
}

/// Release the socket of `c`: deregister and close it.
unsafe fn release_socket(mp: *mut Manager, c: *mut mg_connection) {
    // SAFETY: `c` is live; `mp` is its manager.
    unsafe {
        let fd = (*c).sock();
        if (*c).rs(RS_REGISTERED) {
            let _ = (*mp).poll.registry().deregister(&mut SourceFd(&fd));
        }
        if fd >= 0 {
            io::close(fd);
        }
        (*c).set_rs(RS_REGISTERED, false);
        (*c).fd = usize::MAX as *mut c_void;
    }
}

/// Close `c` now: release its socket, unlink it, fire MG_EV_CLOSE, then free
/// it, or park it until the outermost poll ends if a walk may still see it.
///
/// # Safety
/// `c` live, owned by `mgr`.
pub unsafe fn close_conn(mgr: *mut mg_mgr, c: *mut mg_connection) {
    // SAFETY: the caller passes a live manager (per this function's contract).
    let mp = unsafe { manager(mgr) };
    // SAFETY: `c` is live; everything below uses short borrows only.
    unsafe {
        if (*c).rs(RS_DEAD) {
            return;
        }
        (*c).set_rs(RS_DEAD, true);
        mg_debug!("mg_close_conn", "{} {} closed", (*c).id, (*c).sock());
        if (*c).rs(RS_TLS) {
            super::tls::before_close(c); // close_notify, best effort
        }
        if !mp.is_null() {
            release_socket(mp, c);
            if let Some(st) = conn::try_state(c) {
                if st.retry_at != 0 {
                    st.retry_at = 0;
                    (*mp).retrying -= 1;
                }
            }
        }
        if (*c).rs(RS_QUEUED) && !mp.is_null() {
            (*c).set_rs(RS_QUEUED, false);
            (*mp).queue.retain(|&q| q != c);
        }
        conn::unlink(mgr, c);
        if (*mgr).dns4.c == c {
            (*mgr).dns4.c = ptr::null_mut();
        }
        if (*mgr).dns6.c == c {
            (*mgr).dns6.c = ptr::null_mut();
        }
        call(c, MG_EV_CLOSE, ptr::null_mut());
        if !mp.is_null() && (*mp).depth > 0 {
            (*mp).graveyard.push(c);
        } else {
            conn::free(c);
        }
    }
}

/// Whether anything is ready to be done without waiting. Runs only before
/// the loop would sleep, over every connection, so it goes through `order`
/// with prefetching and reads nothing outside the lines a turn reads.
unsafe fn prescan(mgr: *mut mg_mgr, now: u64, next_due: &mut u64) -> bool {
    let mut urgent = false;
    // SAFETY: the manager is live; `order` holds the linked (live)
    // connections and NULL holes; no callbacks are made here.
    unsafe {
        let mp = manager(mgr);
        if (*mp).retrying > 0 {
            retry_accepts(mp, now, next_due);
        }
        // Interval mode between sweeps: only queued connections have work.
        let order = if (*mp).poll_interval > 0 && !full_walk(mp, now) { &(*mp).queue } else { &(*mp).order };
        for (i, &c) in order.iter().enumerate() {
            if let Some(&ahead) = order.get(i + PREFETCH_AHEAD) {
                prefetch_conn(ahead);
            }
            if c.is_null() {
                continue;
            }
            let f = (*c).flags;
            if f & (FLAG_IS_READABLE | FLAG_IS_WRITABLE) != 0 {
                (*c).flags = f & !(FLAG_IS_READABLE | FLAG_IS_WRITABLE);
            }
            if (*c).rs(RS_TLS) && f & (FLAG_IS_CONNECTING | FLAG_IS_RESOLVING) == 0 {
                // The TLS step decides (handshake: `send` waits; ciphertext
                // or decrypted bytes may be pending).
                if f & FLAG_IS_CLOSING != 0
                    || (*c).rs(RS_ERROR)
                    || (f & FLAG_IS_DRAINING != 0
                        && (*c).send.len == 0
                        && ((*c).rs(RS_WRITABLE) || !super::tls::out_pending(c)))
                    || super::tls::wants_turn(c)
                {
                    urgent = true;
                }
                continue;
            }
            let writes = (*c).send.len > 0 || f & FLAG_IS_CONNECTING != 0 || (*c).rs(RS_STREAMING);
            if f & FLAG_IS_CLOSING != 0
                || (f & FLAG_IS_DRAINING != 0 && (*c).send.len == 0 && !(*c).rs(RS_STREAMING))
                || (*c).rs(RS_ERROR)
                || ((*c).rs(RS_READABLE) && f & (FLAG_IS_FULL | FLAG_IS_RESOLVING) == 0)
                || ((*c).rs(RS_WRITABLE) && writes)
            {
                urgent = true;
            }
        }
    }
    urgent
}

/// Listeners backing off after EMFILE: those whose time has come become
/// readable again (to try `accept`); the others bound the wait.
///
/// # Safety
/// `mp` live; its `order` entries live or NULL.
unsafe fn retry_accepts(mp: *mut Manager, now: u64, next_due: &mut u64) {
    // SAFETY: per the contract; no callbacks are made here.
    unsafe {
        for &c in (*mp).order.iter() {
            if c.is_null() || !(*c).flag(FLAG_IS_LISTENING) {
                continue;
            }
            let Some(st) = conn::try_state(c) else { continue };
            if st.retry_at == 0 {
                continue;
            }
            if now >= st.retry_at {
                st.retry_at = 0;
                (*mp).retrying -= 1;
                (*c).set_rs(RS_READABLE, true);
                touch(c);
            } else {
                *next_due = (*next_due).min(st.retry_at);
            }
        }
    }
}

/// `mg_mgr_poll`: one iteration of the event loop.
///
/// # Safety
/// `mgr` must be a manager initialised with `mg_mgr_init`.
pub unsafe fn poll(mgr: *mut mg_mgr, ms: libc::c_int) {
    // SAFETY: the caller passes a live manager (per this function's contract).
    let mp = unsafe { manager(mgr) };
    if mp.is_null() {
        if ms > 0 {
            std::thread::sleep(Duration::from_millis(ms as u64));
        }
        return;
    }
    // SAFETY: `mp` is live for the whole call (only `mg_mgr_free` frees it,
    // and it never runs inside a poll); borrows below are short.
    unsafe {
        (*mp).depth += 1;
        let start = millis();
        // Under load something is nearly always ready: look without waiting
        // first. Only when nothing is (and we may sleep) do we pay for the
        // pass over every connection that finds work needing no readiness
        // (closing, draining, sticky readiness) and decides how long to
        // sleep. Listeners backing off after EMFILE need that pass too.
        let ready = wait_for_events(mp, Some(0));
        if (!ready && ms != 0) || (*mp).retrying > 0 {
            let mut next_due = u64::MAX;
            let urgent = prescan(mgr, start, &mut next_due);
            let mut wait: Option<u64> = if urgent || ms == 0 || ready {
                Some(0)
            } else if ms < 0 {
                None
            } else {
                Some(ms as u64)
            };
            next_due = next_due.min(timer::next_due(ptr::addr_of_mut!((*mgr).timers), start));
            next_due = next_due.min(super::shutdown::next_due(mgr, start));
            for &(_, d) in &(*mp).dns_pending {
                next_due = next_due.min(d);
            }
            if next_due != u64::MAX {
                let left = next_due.saturating_sub(start);
                wait = Some(wait.map_or(left, |w| w.min(left)));
            }
            if wait != Some(0) {
                wait_for_events(mp, wait);
            }
        }

        let now = millis();
        super::shutdown::check_signals(mgr, now);
        finish_resolves(mgr, now);
        timer::poll(ptr::addr_of_mut!((*mgr).timers), now);
        deliver_wakeups(mgr);
        super::shutdown::tick(mgr, now);
        close_listeners_for_shutdown(mgr, now);
        walk(mgr, now);

        (*mp).depth -= 1;
        if (*mp).depth == 0 {
            for c in std::mem::take(&mut (*mp).graveyard) {
                conn::free(c);
            }
            conn::compact(&mut *mp);
            conn::maybe_trim(millis());
        }
    }
}

/// Wait for readiness and record it in the connections' sticky state.
/// Returns whether anything arrived.
unsafe fn wait_for_events(mp: *mut Manager, wait: Option<u64>) -> bool {
    // SAFETY: `mp` live; events are taken out of the manager so no borrow of
    // it is held while we touch connections.
    unsafe {
        let mut events = (*mp).events.take().unwrap_or_else(|| Events::with_capacity(1024));
        let timeout = wait.map(Duration::from_millis);
        // EINTR (a signal handler ran in this thread) simply ends the wait:
        // `while (!s_signo) mg_mgr_poll(&mgr, 5000)` then returns promptly.
        if (*mp).poll.poll(&mut events, timeout).is_err() {
            events.clear();
        }
        let any = !events.is_empty();
        for ev in events.iter() {
            if ev.token() == WAKE {
                (*mp).shared.drain();
                continue;
            }
            // The token is the connection pointer; it is registered, so live.
            let c = ev.token().0 as *mut mg_connection;
            if !(*c).rs(RS_REGISTERED) {
                continue;
            }
            let mut bits = 0;
            if ev.is_error() {
                bits |= RS_ERROR;
            }
            if ev.is_readable() || ev.is_read_closed() {
                bits |= RS_READABLE;
            }
            if ev.is_read_closed() {
                bits |= RS_READ_CLOSED;
            }
            if ev.is_writable() || ev.is_write_closed() {
                bits |= RS_WRITABLE;
            }
            (*c).rs |= bits;
            touch(c);
        }
        (*mp).events = Some(events);
        any
    }
}

/// Fire queued `mg_wakeup` messages on their target connections.
unsafe fn deliver_wakeups(mgr: *mut mg_mgr) {
    // SAFETY: the caller passes a live manager (per this function's contract).
    let mp = unsafe { manager(mgr) };
    // SAFETY: `mp` live; the map is re-read after every callback.
    unsafe {
        let queue = (*mp).shared.take_wakeups();
        for (id, data) in queue {
            let Some(c) = conn::find_id(mp, id) else { continue };
            let mut s = mg_str::from_slice(&data);
            touch(c);
            call(c, MG_EV_WAKEUP, &mut s as *mut mg_str as *mut c_void);
        }
    }
}

/// Connect connections whose host names have resolved; time out the rest.
unsafe fn finish_resolves(mgr: *mut mg_mgr, now: u64) {
    // SAFETY: the caller passes a live manager (per this function's contract).
    let mp = unsafe { manager(mgr) };
    // SAFETY: `mp` live; connections are looked up by id after each callback.
    unsafe {
        for r in (*mp).shared.take_resolved() {
            let Some(pos) = (*mp).dns_pending.iter().position(|p| p.0 == r.id) else { continue };
            (*mp).dns_pending.swap_remove(pos);
            let Some(c) = conn::find_id(mp, r.id) else { continue };
            (*c).set_flag(FLAG_IS_RESOLVING, false);
            touch(c);
            match r.addr {
                Some(mut a) => {
                    a.port = (*c).rem.port;
                    (*c).rem = a;
                    super::connect_resolved(c);
                }
                None => {
                    let host = std::mem::take(&mut state(c).host);
                    super::error(c, &format!("{host} DNS lookup failed"));
                }
            }
        }
        let expired: Vec<_> = (*mp).dns_pending.iter().filter(|p| now >= p.1).map(|p| p.0).collect();
        (*mp).dns_pending.retain(|p| now < p.1);
        for id in expired {
            if let Some(c) = conn::find_id(mp, id) {
                touch(c);
                super::error(c, "DNS timeout");
            }
        }
    }
}

/// Service every connection once, in list order (newest first), walking
/// the manager's `order` array backwards. Connections linked during the
/// walk land past its start and wait for the next poll, as they would at
/// the head of the list; unlinked ones leave a hole, or stay allocated and
/// `dead` until the outermost poll ends.
unsafe fn walk(mgr: *mut mg_mgr, now: u64) {
    // SAFETY: `mgr` live for the poll.
    unsafe {
        let mp = manager(mgr);
        if (*mp).poll_interval > 0 {
            if !full_walk(mp, now) {
                return walk_queue(mgr, now);
            }
            (*mp).last_sweep = now;
            // Everyone gets a turn now; busy ones are queued again after it.
            for c in std::mem::take(&mut (*mp).queue) {
                (*c).set_rs(RS_QUEUED, false);
            }
        }
    }
    let mut now_v: u64 = now;
    // SAFETY: `mp` is live for the whole poll; the array is only appended to
    // (never compacted) while a poll runs, so indexes below its length at
    // the start stay valid, and non-NULL entries are allocated connections.
    unsafe {
        let mp = manager(mgr);
        let mut i = (*mp).order.len();
        while i > 0 {
            i -= 1;
            let c = *(*mp).order.as_ptr().add(i);
            if i >= PREFETCH_AHEAD {
                prefetch_conn(*(*mp).order.as_ptr().add(i - PREFETCH_AHEAD));
            }
            if c.is_null() || (*c).rs(RS_DEAD) {
                continue;
            }
            if (*mp).poll_interval > 0 {
                release_idle_buffers(c);
            }
            turn(mgr, c, now, &mut now_v);
            if (*mp).poll_interval > 0 && needs_turn(c) {
                touch(c);
            }
        }
    }
}

/// Interval mode: whether this poll's walk visits every connection (the
/// sweep that gives idle ones their MG_EV_POLL at most every interval; also
/// every poll during shutdown, whose bookkeeping looks at everyone).
///
/// # Safety
/// `mp` live.
unsafe fn full_walk(mp: *mut Manager, now: u64) -> bool {
    // SAFETY: per the contract.
    unsafe {
        (*mp).poll_interval == 0
            || (*mp).shutdown.active
            || now.saturating_sub((*mp).last_sweep) >= (*mp).poll_interval
    }
}

/// A connection got work from outside its own turn (readiness, a wakeup, a
/// resolver result, data queued by another handler or a timer): in interval
/// mode it gets a turn in the next walk. Nothing to do in the default mode.
///
/// # Safety
/// `c` live.
#[inline]
pub unsafe fn touch(c: *mut mg_connection) {
    // SAFETY: `c` live; its manager is live while it is linked.
    unsafe {
        if (*c).rs & (RS_QUEUED | RS_DEAD) != 0 || !(*c).rs(RS_LINKED) {
            return;
        }
        let mp = manager((*c).mgr);
        if mp.is_null() || (*mp).poll_interval == 0 {
            return;
        }
        (*c).set_rs(RS_QUEUED, true);
        (*mp).queue.push(c);
    }
}

/// Interval mode: whether `c` still has work for the next walk without new
/// readiness (unread or unsent data, a response in progress, closing...).
///
/// # Safety
/// `c` live.
unsafe fn needs_turn(c: *mut mg_connection) -> bool {
    const WORK_RS: c_uint =
        RS_ERROR | RS_STREAMING | RS_HTTP_REJECTED | RS_HTTP_CLOSE_AFTER_RESP | RS_HTTP_HEAD_PENDING;
    // SAFETY: per the contract.
    unsafe {
        if (*c).rs(RS_DEAD) {
            return false;
        }
        let f = (*c).flags;
        if f & (FLAG_IS_CLOSING | FLAG_IS_DRAINING | FLAG_IS_RESP) != 0 || (*c).rs & WORK_RS != 0 {
            return true;
        }
        if f & FLAG_IS_RESOLVING != 0 {
            return false;
        }
        if (*c).rs(RS_TLS) && f & FLAG_IS_CONNECTING == 0 {
            return super::tls::wants_turn(c);
        }
        ((*c).rs(RS_READABLE) && f & FLAG_IS_FULL == 0)
            || ((*c).rs(RS_WRITABLE) && (*c).send.len > 0 && f & FLAG_IS_CONNECTING == 0)
    }
}

/// Interval mode, at a sweep: a connection that had no turn of its own
/// since the previous sweep (idle for at least the interval) and has
/// nothing buffered gives its empty `recv`/`send` buffers back (16 KiB
/// each once used); the next I/O allocates them again. An idle keep-alive
/// or WebSocket connection then costs its 304 bytes, not ~33 KB. (Not in
/// the default mode: there a connection idle between two requests would
/// pay for a new pair of buffers per request.)
///
/// # Safety
/// `c` live, inside a poll.
unsafe fn release_idle_buffers(c: *mut mg_connection) {
    // SAFETY: per the contract; buffers are empty (`quiet`).
    unsafe {
        if (*c).rs(RS_ACTIVE) {
            (*c).set_rs(RS_ACTIVE, false);
        } else if ((*c).recv.size | (*c).send.size) != 0 && quiet(c) {
            (*c).recv.free();
            (*c).send.free();
        }
    }
}

/// Interval mode between sweeps: turns for the queued connections only,
/// newest first as in the full walk.
///
/// # Safety
/// `mgr` live, inside a poll.
unsafe fn walk_queue(mgr: *mut mg_mgr, now: u64) {
    // SAFETY: queued connections are live (closing one takes it out of the
    // queue) and stay allocated until the outermost poll ends.
    unsafe {
        let mp = manager(mgr);
        let mut batch = std::mem::take(&mut (*mp).queue);
        batch.sort_unstable_by_key(|&c| core::cmp::Reverse((*c).id));
        for c in batch.iter().copied() {
            (*c).set_rs(RS_QUEUED, false);
        }
        let mut now_v: u64 = now;
        for c in batch.iter().copied() {
            if (*c).rs(RS_DEAD) {
                continue;
            }
            (*c).set_rs(RS_ACTIVE, true);
            turn(mgr, c, now, &mut now_v);
            if !(*c).rs(RS_DEAD) && needs_turn(c) {
                touch(c);
            }
        }
        batch.clear();
        batch.append(&mut (*mp).queue);
        (*mp).queue = batch;
    }
}

/// One connection's turn: MG_EV_POLL (the short path when nothing is
/// pending), its I/O, then draining/closing.
///
/// # Safety
/// `mgr`, `c` live, inside a poll; `c` not dead.
#[inline(always)]
unsafe fn turn(mgr: *mut mg_mgr, c: *mut mg_connection, now: u64, now_v: &mut u64) {
    let now_v: *mut u64 = now_v;
    // SAFETY: per the contract; flags are re-read after every callback.
    unsafe {
        let was_busy = !quiet(c);
        if !was_busy {
            // Nothing to read, write, report or close and no protocol
            // work pending: the turn is MG_EV_POLL alone. The readiness
            // flags stay clear, and the HTTP handler would do nothing on
            // this POLL (no RS_HTTP_* bit, empty `recv`), so only a
            // foreign protocol handler and the user's are called.
            let pfn = (*c).pfn;
            let http: HandlerFn = super::http::handler;
            if pfn.map(|f| f as usize) != Some(http as usize) {
                if let Some(p) = pfn {
                    p(c, MG_EV_POLL, now_v as *mut c_void);
                }
            }
            if let Some(f) = (*c).fn_ {
                f(c, MG_EV_POLL, now_v as *mut c_void);
            }
        } else {
            if (*c).rs(RS_ERROR) && !(*c).flag(FLAG_IS_CLOSING) {
                (*c).set_rs(RS_ERROR, false);
                super::error(c, "socket error");
            }
            set_ready_flags(c);
            let was_resp = (*c).flag(FLAG_IS_RESP);
            call(c, MG_EV_POLL, now_v as *mut c_void);
            if was_resp && !(*c).flag(FLAG_IS_RESP) {
                let mut zero: c_long = 0;
                call(c, MG_EV_READ, &mut zero as *mut c_long as *mut c_void);
            }
        }
        mg_verbose!("mg_mgr_poll", "{}", poll_state(c));
        // The POLL handler may have queued data, set flags or closed.
        service(mgr, c, now);
        if (*c).flag(FLAG_IS_DRAINING)
            && (*c).send.len == 0
            && !super::fs::body_pending(c)
            && (!(*c).rs(RS_TLS) || super::tls::drained(c))
        {
            (*c).set_flag(FLAG_IS_CLOSING, true);
        }
        if (*c).flag(FLAG_IS_CLOSING) && !(*c).rs(RS_DEAD) {
            close_conn(mgr, c);
        } else if !(*c).rs(RS_DEAD) && was_busy {
            // A request or message just ended: drop its private state
            // if nothing is kept in it.
            conn::release_if_default(c);
        }
    }
}

type HandlerFn = unsafe extern "C" fn(*mut mg_connection, libc::c_int, *mut c_void);

/// Whether `c`'s turn can skip straight to MG_EV_POLL: the general path
/// (error report, readiness flags, the HTTP handler's POLL work, the
/// `is_resp` edge) would find nothing to do. Most connections of a busy
/// server with many keep-alive clients are like this on most turns.
///
/// # Safety
/// `c` live.
#[inline(always)]
unsafe fn quiet(c: *mut mg_connection) -> bool {
    const BUSY_RS: c_uint = RS_ERROR
        | RS_TLS
        | RS_READABLE
        | RS_STREAMING
        | RS_HTTP_REJECTED
        | RS_HTTP_CLOSE_AFTER_RESP
        | RS_HTTP_HEAD_PENDING;
    const BUSY_FLAGS: c_uint = FLAG_IS_READABLE
        | FLAG_IS_WRITABLE
        | FLAG_IS_RESP
        | FLAG_IS_CLOSING
        | FLAG_IS_DRAINING
        | FLAG_IS_CONNECTING
        | FLAG_IS_LISTENING
        | FLAG_IS_RESOLVING;
    // SAFETY: `c` live; the flag word may have been written by C.
    unsafe {
        (*c).rs & BUSY_RS == 0
            && core::ptr::read_volatile(&(*c).flags) & BUSY_FLAGS == 0
            && (*c).send.len == 0
            && (*c).recv.len == 0
    }
}

/// How many connections ahead of its turn the walk asks the CPU to fetch.
const PREFETCH_AHEAD: usize = 8;

/// Hint the cache lines a connection's turn reads when nothing happens on
/// it: `recv.len` and `send.len` (an idle socket stays writable), `fn`/`pfn`,
/// and the flag word with the `RS_*` bits (three or four lines, depending
/// on where malloc put the struct). With thousands of idle connections these are
/// cache misses; fetching them a few turns early overlaps the misses
/// instead of paying them one by one.
#[inline(always)]
fn prefetch_conn(c: *mut mg_connection) {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        if c.is_null() {
            return;
        }
        let b = c as *const i8;
        // SAFETY: prefetching is a hint and never faults, whatever the
        // address; `wrapping_*` keeps the address arithmetic defined.
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(b.wrapping_add(core::mem::offset_of!(mg_connection, recv) + 16));
            _mm_prefetch::<_MM_HINT_T0>(b.wrapping_add(core::mem::offset_of!(mg_connection, send) + 16));
            _mm_prefetch::<_MM_HINT_T0>(b.wrapping_add(core::mem::offset_of!(mg_connection, fn_)));
            _mm_prefetch::<_MM_HINT_T0>(b.wrapping_add(core::mem::offset_of!(mg_connection, flags)));
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = c;
}

unsafe fn set_ready_flags(c: *mut mg_connection) {
    // SAFETY: `c` live.
    unsafe {
        let f = (*c).flags;
        let io_ok = (*c).rs(RS_REGISTERED) && f & FLAG_IS_RESOLVING == 0;
        let r = io_ok && (*c).rs(RS_READABLE) && f & FLAG_IS_FULL == 0;
        // No plaintext goes out during a TLS handshake.
        let w = io_ok
            && (*c).rs(RS_WRITABLE)
            && (((*c).send.len > 0 && f & FLAG_IS_TLS_HS == 0) || f & FLAG_IS_CONNECTING != 0);
        let mut nf = f & !(FLAG_IS_READABLE | FLAG_IS_WRITABLE);
        if r {
            nf |= FLAG_IS_READABLE;
        }
        if w {
            nf |= FLAG_IS_WRITABLE;
        }
        // Store only on change: an idle connection's cache line stays clean.
        if nf != f {
            (*c).flags = nf;
        }
    }
}

/// The I/O branch of one connection's turn.
unsafe fn service(mgr: *mut mg_mgr, c: *mut mg_connection, now: u64) {
    // SAFETY: `c` live; flags are re-read after every callback.
    unsafe {
        let f = (*c).flags;
        if f & (FLAG_IS_RESOLVING | FLAG_IS_CLOSING) != 0 || (*c).rs(RS_DEAD) {
            return;
        }
        if f & FLAG_IS_LISTENING != 0 && f & FLAG_IS_UDP == 0 {
            if f & FLAG_IS_READABLE != 0 {
                accept_some(mgr, c, now);
            }
        } else if f & FLAG_IS_CONNECTING != 0 {
            if f & (FLAG_IS_READABLE | FLAG_IS_WRITABLE) != 0 {
                finish_connect(c);
            }
        } else if (*c).rs(RS_TLS) {
            super::tls::turn(c);
        } else {
            if (*c).flag(FLAG_IS_READABLE) {
                read_once(c);
            }
            if (*c).rs(RS_WRITABLE) && (*c).rs(RS_REGISTERED) && !(*c).flag(FLAG_IS_CLOSING) {
                if (*c).send.len > 0 {
                    (*c).set_flag(FLAG_IS_WRITABLE, true);
                    write_once(c);
                } else if (*c).rs(RS_STREAMING) {
                    (*c).set_flag(FLAG_IS_WRITABLE, true);
                    match super::fs::sendfile_turn(c) {
                        Ok(0) => {}
                        Ok(n) => {
                            let mut v: c_long = n as c_long;
                            call(c, MG_EV_WRITE, &mut v as *mut c_long as *mut c_void);
                        }
                        Err(()) => (*c).set_flag(FLAG_IS_CLOSING, true),
                    }
                }
            }
        }
    }
}

unsafe fn finish_connect(c: *mut mg_connection) {
    // SAFETY: `c` live.
    unsafe {
        let err = io::so_error((*c).sock());
        if err == 0 {
            (*c).set_flag(FLAG_IS_CONNECTING, false);
            (*c).loc = io::local_addr((*c).sock());
            call(c, MG_EV_CONNECT, ptr::null_mut());
            super::end_tls_hint(c);
        } else {
            super::error(c, "socket error");
        }
    }
}

/// Shutdown is on: accept every connection the kernel completed on each TCP
/// listener (they get answered and closed), then close the listener, before
/// the walk writes any response carrying `Connection: close`. Runs on every
/// poll during shutdown, so listeners opened after it began go the same way. A client that
/// reconnects on seeing that header then finds the port closed (refused);
/// closing the listener at its own turn, after those responses went out,
/// let a fast client's handshake complete in the kernel just before the
/// close, which then reset it with its request unanswered.
///
/// # Safety
/// `mgr` live; inside a poll (handlers may run).
pub(super) unsafe fn close_listeners_for_shutdown(mgr: *mut mg_mgr, now: u64) {
    // SAFETY: the caller passes a live manager (per this function's contract).
    let mp = unsafe { manager(mgr) };
    // SAFETY: `mp` live for the poll; the listeners are collected first (the
    // callbacks below may link new connections), and each is re-checked.
    unsafe {
        if mp.is_null() || !(*mp).shutdown.active {
            return;
        }
        let lsns: Vec<*mut mg_connection> = (*mp)
            .order
            .iter()
            .copied()
            .filter(|&c| !c.is_null() && (*c).flags & (FLAG_IS_LISTENING | FLAG_IS_UDP) == FLAG_IS_LISTENING)
            .collect();
        for lsn in lsns {
            if (*lsn).rs(RS_DEAD) || (*lsn).flag(FLAG_IS_CLOSING) {
                continue;
            }
            (*lsn).set_rs(RS_READABLE, true);
            while (*lsn).rs(RS_READABLE) && !(*lsn).flag(FLAG_IS_CLOSING) && !(*lsn).rs(RS_DEAD) {
                accept_some(mgr, lsn, now);
            }
            if !(*lsn).rs(RS_DEAD) {
                close_conn(mgr, lsn);
            }
        }
    }
}

unsafe fn accept_some(mgr: *mut mg_mgr, lsn: *mut mg_connection, now: u64) {
    // SAFETY: `lsn` live; new connections are fully set up before callbacks.
    unsafe {
        for _ in 0..ACCEPT_BATCH {
            match io::accept((*lsn).sock()) {
                Ok(Some((fd, peer))) => {
                    let c = new_conn(mgr);
                    if c.is_null() {
                        io::close(fd);
                        break;
                    }
                    if !io::NODELAY_INHERITED {
                        io::set_nodelay(fd);
                    }
                    (*c).rem = peer;
                    // A listener bound to one address: that is the local
                    // address of what it accepts (saves a getsockname).
                    let l = (*lsn).loc;
                    (*c).loc = if l.addr.ip == [0; 16] { io::local_addr(fd) } else { l };
                    (*c).fn_ = (*lsn).fn_;
                    (*c).fn_data = (*lsn).fn_data;
                    (*c).pfn = (*lsn).pfn;
                    (*c).pfn_data = (*lsn).pfn_data;
                    let inherit = (*lsn).flags & (FLAG_IS_TLS | FLAG_IS_HEXDUMPING);
                    (*c).flags |= inherit | FLAG_IS_ACCEPTED;
                    register(mgr, c, fd);
                    conn::link(mgr, c);
                    mg_debug!(
                        "accept_conn",
                        "{} {fd} accepted {} -> {}",
                        (*c).id,
                        fmt_addr(&peer),
                        fmt_addr(&(*c).loc)
                    );
                    super::shutdown::on_accept(mgr, c);
                    call(c, MG_EV_OPEN, ptr::null_mut());
                    call(c, MG_EV_ACCEPT, ptr::null_mut());
                    super::end_tls_hint(c);
                    if (*lsn).flag(FLAG_IS_CLOSING) || (*lsn).rs(RS_DEAD) {
                        break;
                    }
                }
                Ok(None) => {
                    (*lsn).set_rs(RS_READABLE, false);
                    break;
                }
                Err(e) => {
                    // Out of descriptors: back off instead of spinning on a
                    // listener that stays readable.
                    log_error(format_args!("accept: {e}"));
                    (*lsn).set_rs(RS_READABLE, false);
                    if state(lsn).retry_at == 0 {
                        (*manager(mgr)).retrying += 1;
                    }
                    state(lsn).retry_at = now + ACCEPT_RETRY_MS;
                    break;
                }
            }
        }
    }
}

/// One receive (§4.1): grow `recv` by MG_IO_SIZE when full, read once.
unsafe fn read_once(c: *mut mg_connection) {
    // SAFETY: `c` live; the slice covers the free tail of `recv`.
    unsafe {
        if (*c).recv.len >= MG_MAX_RECV_SIZE {
            super::error(c, "MG_MAX_RECV_SIZE");
            return;
        }
        if (*c).recv.size <= (*c).recv.len && !(*c).recv.resize((*c).recv.size + MG_IO_SIZE) {
            super::error(c, "OOM");
            return;
        }
        let len = (*c).recv.len;
        let room = (*c).recv.size - len;
        let buf = core::slice::from_raw_parts_mut((*c).recv.buf.add(len), room);
        let udp = (*c).flag(FLAG_IS_UDP);
        let mut from = mg_addr::default();
        let r = io::recv((*c).sock(), buf, if udp { Some(&mut from) } else { None });
        log_io(c, "recv_raw", "read_conn", &r);
        match r {
            io::Io::Done(n) => {
                if udp {
                    (*c).rem = from;
                } else if n < room {
                    // Short stream read: the socket is drained, a new edge
                    // will come with new data, unless the FIN was already
                    // announced: then read again to see the end of stream.
                    (*c).set_rs(RS_READABLE, (*c).rs(RS_READ_CLOSED));
                }
                if n == 0 {
                    return;
                }
                (*c).recv.len += n;
                (*c).set_rs(RS_SPOKE, true);
                if (*c).flag(FLAG_IS_HEXDUMPING) {
                    super::hexdump_io(c, "<-", &(*c).recv.data()[len..]);
                }
                let mut v: c_long = n as c_long;
                call(c, MG_EV_READ, &mut v as *mut c_long as *mut c_void);
            }
            io::Io::WouldBlock => (*c).set_rs(RS_READABLE, false),
            io::Io::Closed => peer_closed(c),
        }
    }
}

/// The peer ended its side of a stream (or the read failed). Output still
/// pending (a reply in `send`, a file body being streamed) is drained
/// first, so a client that half-closes right after its request still gets
/// the whole response; with nothing pending the connection closes now.
/// (Mongoose drains `send` but drops the rest of a file body, and closes a
/// TLS connection at once.) TLS connections come here too, on the peer's
/// close_notify or FIN: ciphertext still in rustls counts as pending. A
/// reset peer makes the next write fail, which closes the connection.
pub(super) unsafe fn peer_closed(c: *mut mg_connection) {
    // SAFETY: `c` live.
    unsafe {
        let pending = (*c).send.len > 0 || super::fs::body_pending(c) || super::tls::out_pending(c);
        if !(*c).flag(FLAG_IS_UDP) && pending {
            (*c).set_flag(FLAG_IS_DRAINING, true);
            (*c).set_rs(RS_READABLE, false); // nothing more to read
        } else {
            (*c).set_flag(FLAG_IS_CLOSING, true);
        }
    }
}

/// One send (§4.2) of the whole `send` buffer.
pub(super) unsafe fn write_once(c: *mut mg_connection) {
    // SAFETY: `c` live; `send.data()` borrows the buffer only for the call.
    unsafe {
        let udp = (*c).flag(FLAG_IS_UDP);
        let rem = (*c).rem;
        let r = io::send((*c).sock(), (*c).send.data(), if udp { Some(&rem) } else { None });
        log_io(c, "mg_io_send", "write_conn", &r);
        match r {
            io::Io::Done(n) => {
                if (*c).flag(FLAG_IS_HEXDUMPING) {
                    super::hexdump_io(c, "->", &(*c).send.data()[..n]);
                }
                (*c).send.del(0, n);
                let mut v: c_long = n as c_long;
                call(c, MG_EV_WRITE, &mut v as *mut c_long as *mut c_void);
            }
            io::Io::WouldBlock => (*c).set_rs(RS_WRITABLE, false),
            io::Io::Closed => (*c).set_flag(FLAG_IS_CLOSING, true),
        }
    }
}

/// `mg_mgr_set_poll_interval` (see the export for the contract).
///
/// # Safety
/// `mgr` initialised or zeroed.
pub unsafe fn set_poll_interval(mgr: *mut mg_mgr, ms: u64) {
    // SAFETY: per the contract; queued connections are live.
    unsafe {
        let mp = manager(mgr);
        if mp.is_null() {
            return;
        }
        if ms == 0 {
            for c in std::mem::take(&mut (*mp).queue) {
                (*c).set_rs(RS_QUEUED, false);
            }
        } else if (*mp).poll_interval == 0 {
            (*mp).last_sweep = 0; // the next poll visits everyone and fills the queue
        }
        (*mp).poll_interval = ms;
    }
}

/// `mg_mgr_free`.
///
/// # Safety
/// `mgr` initialised (or zeroed); not called from inside its own poll.
pub unsafe fn free(mgr: *mut mg_mgr) {
    // SAFETY: the caller passes a live manager (per this function's contract).
    let mp = unsafe { manager(mgr) };
    if mp.is_null() {
        return;
    }
    // SAFETY: `mgr`/`mp` live; timers on the list belong to the library.
    unsafe {
        let mut t = (*mgr).timers;
        (*mgr).timers = ptr::null_mut();
        while !t.is_null() {
            let next = (*t).next;
            libc::free(t as *mut c_void);
            t = next;
        }
        // Handlers may open connections while closing; close those too
        // (Mongoose leaks them), a bounded number of rounds.
        (*mp).poll_interval = 0; // every connection's turn now
        for _ in 0..8 {
            if (*mgr).conns.is_null() {
                break;
            }
            let mut c = (*mgr).conns;
            while !c.is_null() {
                (*c).set_flag(FLAG_IS_CLOSING, true);
                c = (*c).next;
            }
            poll(mgr, 0);
        }
        super::dash::session::forget_mgr(mgr);
        for id in std::mem::take(&mut (*mp).sig_ids) {
            signal_hook_registry::unregister(id);
        }
        (*mgr).active_dns_requests = ptr::null_mut();
        (*mgr).pipe.fd = -1;
        super::tls::ctx_free(mgr);
        drop(Box::from_raw(mp));
    }
    mg_debug!("mg_mgr_free", "All connections closed");
}

/// The debug story of one receive or send, as Mongoose tells it: the raw
/// call at MG_LL_VERBOSE (`<id> <n> <errno>`), then the connection's view at
/// MG_LL_DEBUG (`-1` for a closed or blocked socket).
///
/// # Safety
/// `c` live.
#[track_caller]
#[inline]
unsafe fn log_io(c: *mut mg_connection, raw: &str, step: &str, r: &io::Io) {
    if super::log::level() < MG_LL_DEBUG {
        return;
    }
    let (n, err): (i64, i32) = match *r {
        io::Io::Done(n) => (n as i64, 0),
        io::Io::WouldBlock => (-1, libc::EAGAIN),
        io::Io::Closed => (0, 0),
    };
    // SAFETY: `c` live.
    unsafe {
        let (id, fd) = ((*c).id, (*c).sock());
        mg_verbose!(raw, "{id} {n} {err}");
        let n = if n == 0 { -1 } else { n };
        if step == "read_conn" {
            mg_debug!(step, "{id} {fd} {} {n} err {err}", tls_state(c));
        } else {
            let (s, r) = (&(*c).send, &(*c).recv);
            mg_debug!(step, "{id} {fd} snd {}/{} rcv {}/{} n={n} err={err}", s.len, s.size, r.len, r.size);
        }
    }
}

/// `<is_tls>:<is_tls_hs>:<rtls.len>`, where Mongoose's read line shows the
/// TLS state of the connection.
///
/// # Safety
/// `c` live.
unsafe fn tls_state(c: *mut mg_connection) -> String {
    // SAFETY: `c` live.
    unsafe {
        let b = |f: c_uint| u8::from((*c).flag(f));
        format!("{}:{}:{}", b(FLAG_IS_TLS), b(FLAG_IS_TLS_HS), (*c).rtls.len)
    }
}

/// The per-connection MG_LL_VERBOSE line of a poll turn: id, readable and
/// writable (`r`/`w` or `-`), then TLS, connecting, handshake, resolving
/// and closing (upper case when set), then two TLS buffer counters.
///
/// # Safety
/// `c` live.
unsafe fn poll_state(c: *mut mg_connection) -> String {
    // SAFETY: `c` live.
    unsafe {
        let f = |flag: c_uint, ch: char| if (*c).flag(flag) { ch.to_ascii_uppercase() } else { ch };
        format!(
            "{} {}{} {}{}{}{}{} 0 {}",
            (*c).id,
            if (*c).flag(FLAG_IS_READABLE) { 'r' } else { '-' },
            if (*c).flag(FLAG_IS_WRITABLE) { 'w' } else { '-' },
            f(FLAG_IS_TLS, 't'),
            f(FLAG_IS_CONNECTING, 'c'),
            f(FLAG_IS_TLS_HS, 'h'),
            f(FLAG_IS_RESOLVING, 'r'),
            f(FLAG_IS_CLOSING, 'c'),
            (*c).rtls.len
        )
    }
}
