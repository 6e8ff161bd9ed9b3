//! Connection allocation. Each `mg_connection` C sees is the last field of
//! a `ConnBox` whose one word before it points at the Rust-private state,
//! so the state is one subtraction away from the C pointer and
//! `mgr->extraconnsize` bytes can follow the C struct exactly as in Mongoose.
//!
//! Memory (issue 19): the box is 8 + 288 bytes, which glibc serves from a
//! 304-byte chunk, the same chunk as Mongoose's bare `mg_connection`. The
//! private state (`ConnState`, ~150 bytes) is allocated only when a layer
//! first needs to store something (a partial request head, a WebSocket, TLS,
//! a listener's back-off, shutdown bookkeeping) and released when it is back
//! to its default (see `release_if_default`), so an idle connection has none.
use crate::abi::{mg_connection, mg_iobuf, mg_mgr, MG_IO_SIZE};
use core::ptr;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Bytes of connections and their buffers freed since the last trim.
static FREED: AtomicUsize = AtomicUsize::new(0);
static LAST_TRIM: AtomicU64 = AtomicU64::new(0);
/// Trim once this much was freed ...
const TRIM_BYTES: usize = 1 << 20;
/// ... and at most this often (ms).
const TRIM_EVERY_MS: u64 = 1000;

/// Give freed memory back to the system after a burst of connections
/// (issue 17 item 8). Their 16 KiB buffers are freed into glibc's heap,
/// which keeps them: a few live allocations above them pin the heap's top,
/// so RSS stayed ~30 KiB per connection of the burst. `malloc_trim` returns
/// the free pages inside the heap too. Called at the end of the outermost
/// poll; at most once a second, so a server closing thousands of
/// connections per second pays for one trim a second.
pub fn maybe_trim(now: u64) {
    if FREED.load(Ordering::Relaxed) < TRIM_BYTES
        || now.saturating_sub(LAST_TRIM.load(Ordering::Relaxed)) < TRIM_EVERY_MS
    {
        return;
    }
    FREED.store(0, Ordering::Relaxed);
    LAST_TRIM.store(now, Ordering::Relaxed);
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: plain glibc call; safe at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Rust-private per-connection state, allocated on demand (`state`). The
/// bits the loop needs on every turn live in `mg_connection.rs` (`RS_*`).
#[derive(Default)]
pub struct ConnState {
    /// Host name being resolved (for the error message).
    pub host: String,
    /// Shutdown bookkeeping (see `net::shutdown`).
    pub shutdown: crate::net::shutdown::ConnShutdown,
    /// Retry accepting after this time (EMFILE back-off), 0 = none.
    pub retry_at: u64,
    /// Protocol state owned by the HTTP layer.
    pub http: crate::net::HttpConnState,
    /// Protocol state owned by the WebSocket layer.
    pub ws: crate::net::ws::WsState,
    /// The TLS session (`mg_tls_init`); `c->tls` points at it.
    pub tls: Option<Box<crate::net::tls::Tls>>,
    /// Client connections: the URL's host, the default TLS server name.
    pub tls_host: String,
}

impl ConnState {
    /// Whether nothing is stored here (the state can be dropped).
    fn is_default(&self) -> bool {
        self.host.is_empty()
            && self.shutdown.is_default()
            && self.retry_at == 0
            && self.http.is_default()
            && self.ws.is_default()
            && self.tls.is_none()
            && self.tls_host.is_empty()
    }
}

/// The allocation behind every connection.
#[repr(C)]
pub struct ConnBox {
    /// The private state, NULL until something is stored in it.
    pub ext: *mut ConnState,
    pub c: mg_connection,
}

const C_OFFSET: usize = core::mem::offset_of!(ConnBox, c);

/// Allocate a zeroed connection (+ `extra` bytes after the C struct), with
/// buffers aligned to `MG_IO_SIZE` and `id = ++mgr->nextid`. Not linked.
///
/// # Safety
/// `mgr` must be a live, initialised manager.
pub unsafe fn alloc(mgr: *mut mg_mgr) -> *mut mg_connection {
    // SAFETY: the caller passes a live manager.
    let extra = unsafe { (*mgr).extraconnsize };
    let size = core::mem::size_of::<ConnBox>() + extra;
    // SAFETY: plain C allocation, zeroed (a NULL `ext` and an all-zero
    // `mg_connection` are valid); checked for NULL.
    let b = unsafe { libc::calloc(1, size) } as *mut ConnBox;
    if b.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: `b` points at enough zeroed memory for a ConnBox (malloc
    // alignment suffices).
    unsafe {
        let c = ptr::addr_of_mut!((*b).c);
        (*c).mgr = mgr;
        (*c).fd = usize::MAX as *mut libc::c_void; // no socket: (void *) -1
        (*c).recv = mg_iobuf::new(MG_IO_SIZE);
        (*c).send = mg_iobuf::new(MG_IO_SIZE);
        (*c).rtls = mg_iobuf::new(MG_IO_SIZE);
        (*mgr).nextid += 1;
        (*c).id = (*mgr).nextid;
        c
    }
}

#[inline(always)]
unsafe fn boxed(c: *mut mg_connection) -> *mut ConnBox {
    // SAFETY (of callers): `c` is the `c` field of a ConnBox (see `alloc`).
    unsafe { (c as *mut u8).sub(C_OFFSET) as *mut ConnBox }
}

/// The private state of a connection made by `alloc`, allocated now if it
/// has none yet. Use `try_state` where only reading (or clearing) it.
///
/// # Safety
/// `c` must come from `alloc` and not be freed.
#[inline]
pub unsafe fn state<'a>(c: *mut mg_connection) -> &'a mut ConnState {
    // SAFETY: `c` is the `c` field of a ConnBox (see `alloc`); `ext` is NULL
    // or a box we leaked into it.
    unsafe {
        let b = boxed(c);
        if (*b).ext.is_null() {
            (*b).ext = Box::into_raw(Box::default());
        }
        &mut *(*b).ext
    }
}

/// The private state if the connection has one (no allocation).
///
/// # Safety
/// `c` must come from `alloc` and not be freed.
#[inline]
pub unsafe fn try_state<'a>(c: *mut mg_connection) -> Option<&'a mut ConnState> {
    // SAFETY: as in `state`.
    unsafe { (*boxed(c)).ext.as_mut() }
}

/// Drop the private state if it holds nothing (after a request completes,
/// a WebSocket closes...), so an idle connection goes back to 304 bytes.
///
/// # Safety
/// `c` must come from `alloc` and not be freed; no reference from `state`
/// may be alive.
pub unsafe fn release_if_default(c: *mut mg_connection) {
    // SAFETY: as in `state`; the caller holds no reference into it.
    unsafe {
        let b = boxed(c);
        if !(*b).ext.is_null() && (*(*b).ext).is_default() {
            drop(Box::from_raw((*b).ext));
            (*b).ext = ptr::null_mut();
        }
    }
}

/// Free buffers, drop the state and release the allocation.
///
/// # Safety
/// `c` must come from `alloc`, be unlinked, and never be used again.
pub unsafe fn free(c: *mut mg_connection) {
    // SAFETY: per the contract, we own `c` and its box exclusively now.
    unsafe {
        let bytes = (*c).recv.size + (*c).send.size + (*c).rtls.size + (*c).prof.size;
        FREED.fetch_add(bytes + core::mem::size_of::<ConnBox>(), Ordering::Relaxed);
        (*c).recv.free();
        (*c).send.free();
        (*c).rtls.free();
        (*c).prof.free();
        let b = boxed(c);
        if !(*b).ext.is_null() {
            drop(Box::from_raw((*b).ext));
        }
        libc::free(b as *mut libc::c_void);
    }
}

/// Insert at the head of `mgr->conns` (newest first), and at the end of the
/// manager's `order` array, which mirrors the list oldest first. The loop
/// walks that array rather than the list: loading the next connection does
/// not wait for the previous one's `next` field, so the CPU can fetch many
/// connections at once (it matters with thousands of idle connections).
/// `order_ids` holds the ids beside it: ids grow with allocation and
/// connections are nearly always linked right after it, so that array is
/// sorted and finds a connection by id (or its slot) by binary search,
/// with no per-connection map or slot field.
///
/// # Safety
/// Both pointers live; `c` not yet linked.
pub unsafe fn link(mgr: *mut mg_mgr, c: *mut mg_connection) {
    // SAFETY: the caller guarantees both are live.
    unsafe {
        (*c).next = (*mgr).conns;
        (*mgr).conns = c;
        let mp = crate::net::mgr::manager(mgr);
        if !mp.is_null() {
            let id = (*c).id;
            if (*mp).order_ids.last().is_some_and(|&last| last >= id) {
                (*mp).ids_unsorted = true;
            }
            (*mp).order.push(c);
            (*mp).order_ids.push(id);
            (*c).set_rs(crate::abi::RS_LINKED, true);
            crate::net::mgr::touch(c); // interval mode: its first turn comes next
        }
    }
}

/// The `order` slot holding `c`, if it is there.
///
/// # Safety
/// `mp` live; `c` live.
pub unsafe fn slot_of(mp: *mut crate::net::mgr::Manager, c: *mut mg_connection) -> Option<usize> {
    // SAFETY: per the contract.
    unsafe {
        let id = (*c).id;
        let m = &*mp;
        if !m.ids_unsorted {
            if let Ok(i) = m.order_ids.binary_search(&id) {
                if m.order[i] == c {
                    return Some(i);
                }
            }
        }
        m.order.iter().rposition(|&p| p == c)
    }
}

/// The linked connection with this id (wakeups, resolver results).
///
/// # Safety
/// `mp` live.
pub unsafe fn find_id(mp: *mut crate::net::mgr::Manager, id: libc::c_ulong) -> Option<*mut mg_connection> {
    // SAFETY: per the contract; non-NULL entries of `order` are live.
    unsafe {
        let m = &*mp;
        let i = if m.ids_unsorted {
            m.order_ids.iter().rposition(|&x| x == id)?
        } else {
            m.order_ids.binary_search(&id).ok()?
        };
        let c = m.order[i];
        (!c.is_null() && (*c).id == id).then_some(c)
    }
}

/// Remove `c` from `mgr->conns` if present. `c->next` is left untouched so a
/// walk that stands on `c` can still move on. Its `order` slot becomes a
/// hole (NULL), compacted between polls.
///
/// # Safety
/// Both pointers live.
pub unsafe fn unlink(mgr: *mut mg_mgr, c: *mut mg_connection) {
    // SAFETY: walking a list of live connections owned by `mgr`; `order`
    // holds exactly the linked connections, so its entries are live.
    unsafe {
        let mp = crate::net::mgr::manager(mgr);
        if (*c).rs(crate::abi::RS_LINKED) && !mp.is_null() {
            (*c).set_rs(crate::abi::RS_LINKED, false);
            if let Some(slot) = slot_of(mp, c) {
                let order = &mut (*mp).order;
                order[slot] = ptr::null_mut();
                (*mp).holes += 1;
                // The list predecessor is the nearest newer connection that
                // is still linked; fall back to a scan if the program has
                // rearranged the list itself.
                if (*mgr).conns == c {
                    (*mgr).conns = (*c).next;
                    return;
                }
                if let Some(&p) = order[slot + 1..].iter().find(|p| !p.is_null()) {
                    if (*p).next == c {
                        (*p).next = (*c).next;
                        return;
                    }
                }
            }
        }
        let mut pp: *mut *mut mg_connection = ptr::addr_of_mut!((*mgr).conns);
        while !(*pp).is_null() {
            if *pp == c {
                *pp = (*c).next;
                return;
            }
            pp = ptr::addr_of_mut!((**pp).next);
        }
    }
}

/// Squeeze the holes out of `order` (and `order_ids`) once they are a
/// quarter of it (so the work is constant per closed connection), and give
/// memory back once the arrays are mostly empty. Only between polls: a walk
/// in progress indexes the array.
pub fn compact(mp: &mut crate::net::mgr::Manager) {
    if mp.holes == 0 || mp.holes * 4 < mp.order.len() {
        return;
    }
    let mut j = 0;
    for i in 0..mp.order.len() {
        if !mp.order[i].is_null() {
            mp.order[j] = mp.order[i];
            mp.order_ids[j] = mp.order_ids[i];
            j += 1;
        }
    }
    mp.order.truncate(j);
    mp.order_ids.truncate(j);
    mp.ids_unsorted = mp.order_ids.windows(2).any(|w| w[0] >= w[1]);
    if mp.order.capacity() > 64 && mp.order.len() * 4 < mp.order.capacity() {
        mp.order.shrink_to(mp.order.len() * 2);
        mp.order_ids.shrink_to(mp.order.len() * 2);
    }
    mp.holes = 0;
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_fits_the_chunk_of_a_bare_mg_connection() {
        // glibc: a request of n bytes takes a chunk of (n + 8) rounded up to
        // 16; 296 and 288 both take 304 bytes.
        assert_eq!(core::mem::size_of::<ConnBox>(), 296);
    }

    #[test]
    fn state_is_allocated_on_demand_and_released_when_default() {
        // SAFETY: all-zero is a valid `mg_mgr` (integers and raw pointers).
        let mut mgr: mg_mgr = unsafe { core::mem::zeroed() };
        mgr.extraconnsize = 24;
        // SAFETY: a zeroed manager is enough for `alloc`/`free`.
        unsafe {
            let c = alloc(&mut mgr);
            assert!(!c.is_null());
            let tail = core::slice::from_raw_parts((c as *const u8).add(288), 24);
            assert!(tail.iter().all(|&b| b == 0));
            assert!(try_state(c).is_none());
            state(c).retry_at = 5;
            release_if_default(c);
            assert_eq!(try_state(c).map(|s| s.retry_at), Some(5));
            state(c).retry_at = 0;
            release_if_default(c);
            assert!(try_state(c).is_none());
            state(c).tls_host = "x".into();
            free(c);
        }
    }
}
