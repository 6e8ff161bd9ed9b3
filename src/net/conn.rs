//! Connection allocation. Each `mg_connection` C sees is the last field of
//! a `ConnBox` whose state field right before it holds the Rust-private
//! state, so the state is one subtraction away from the C pointer and
//! `mgr->extraconnsize` bytes can follow the C struct exactly as in Mongoose.
use crate::abi::{mg_connection, mg_iobuf, mg_mgr, MG_IO_SIZE};
use core::ptr;

/// What kind of socket a connection owns.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum Sock {
    /// No socket (resolving, or closed).
    #[default]
    None,
    /// A socket registered with the poller.
    Registered,
}

/// Rust-private per-connection state.
///
/// `repr(C)`, cold fields first: the loop visits every connection on every
/// poll (MG_EV_POLL), and for an idle one it reads only the fields at the
/// end (the HTTP handler's `head_started`/flags, then the loop's flags),
/// which then sit together, right before the C struct.
#[derive(Default)]
#[repr(C)]
pub struct ConnState {
    /// Host name being resolved (for the error message).
    pub host: String,
    /// Shutdown bookkeeping (see `net::shutdown`).
    pub shutdown: crate::net::shutdown::ConnShutdown,
    /// Index in the manager's `order` while linked (see `link`).
    pub slot: Option<usize>,
    /// Last time bytes arrived (ms), for shutdown's idle window.
    pub last_rx: u64,
    /// Retry accepting after this time (EMFILE back-off), 0 = none.
    pub retry_at: u64,
    /// Protocol state owned by the HTTP layer.
    pub http: crate::net::HttpConnState,
    pub sock: Sock,
    /// Edge-triggered readiness not yet consumed (sticky until EAGAIN).
    pub readable: bool,
    pub writable: bool,
    /// The peer's FIN was reported: a short read no longer means "drained",
    /// since no further edge will announce the end of stream.
    pub read_closed: bool,
    /// The poller reported an error condition.
    pub error: bool,
    /// Closed by `mg_close_conn` during a poll; freed at the end of it.
    pub dead: bool,
    /// A file body is going out by `sendfile` (see `net::fs`): the write
    /// step has work even with `send` empty.
    pub streaming: bool,
}

/// The allocation behind every connection. (Aligning `c` on a cache line
/// would save one line per idle connection's turn but costs ~250 bytes of
/// RSS per connection in allocator padding; the walk prefetches instead.)
#[repr(C)]
pub struct ConnBox {
    pub rs: ConnState,
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
    // SAFETY: plain C allocation, zeroed; checked for NULL.
    let b = unsafe { libc::calloc(1, size) } as *mut ConnBox;
    if b.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: `b` points at enough zeroed, aligned memory for a ConnBox; the
    // state is written in place before anyone reads it. All-zero is a valid
    // `mg_connection`.
    unsafe {
        ptr::write(ptr::addr_of_mut!((*b).rs), ConnState::default());
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

/// The private state of a connection made by `alloc`.
///
/// # Safety
/// `c` must come from `alloc` and not be freed.
#[inline]
pub unsafe fn state<'a>(c: *mut mg_connection) -> &'a mut ConnState {
    // SAFETY: `c` is the `c` field of a ConnBox (see `alloc`).
    unsafe { &mut (*((c as *mut u8).sub(C_OFFSET) as *mut ConnBox)).rs }
}

/// Free buffers, drop the state and release the allocation.
///
/// # Safety
/// `c` must come from `alloc`, be unlinked, and never be used again.
pub unsafe fn free(c: *mut mg_connection) {
    // SAFETY: per the contract, we own `c` and its box exclusively now.
    unsafe {
        (*c).recv.free();
        (*c).send.free();
        (*c).rtls.free();
        (*c).prof.free();
        let b = (c as *mut u8).sub(C_OFFSET) as *mut ConnBox;
        ptr::drop_in_place(ptr::addr_of_mut!((*b).rs));
        libc::free(b as *mut libc::c_void);
    }
}

/// Insert at the head of `mgr->conns` (newest first), and at the end of the
/// manager's `order` array, which mirrors the list oldest first. The loop
/// walks that array rather than the list: loading the next connection does
/// not wait for the previous one's `next` field, so the CPU can fetch many
/// connections at once (it matters with thousands of idle connections).
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
            state(c).slot = Some((*mp).order.len());
            (*mp).order.push(c);
        }
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
        if let (Some(slot), false) = (state(c).slot.take(), mp.is_null()) {
            let order = &mut (*mp).order;
            if order.get(slot) == Some(&c) {
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

/// Squeeze the holes out of `order` once they are a quarter of it (so the
/// work is constant per closed connection). Only between polls: a walk in
/// progress indexes the array.
///
/// # Safety
/// `order` entries live (it holds the linked connections).
pub unsafe fn compact(order: &mut Vec<*mut mg_connection>, holes: &mut usize) {
    if *holes == 0 || *holes * 4 < order.len() {
        return;
    }
    order.retain(|c| !c.is_null());
    for (i, &c) in order.iter().enumerate() {
        // SAFETY: linked, hence live, connections.
        unsafe { state(c).slot = Some(i) };
    }
    *holes = 0;
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hot_state_sits_together_right_before_the_c_struct() {
        let hot_start = C_OFFSET - core::mem::size_of::<ConnState>()
            + core::mem::offset_of!(ConnState, http)
            + core::mem::offset_of!(crate::net::HttpConnState, head_started);
        // One prefetch at c - 16 and one at c - 48 cover it wherever the
        // allocator puts the box.
        assert!(C_OFFSET - hot_start <= 48, "hot fields span {} bytes", C_OFFSET - hot_start);
    }
}
