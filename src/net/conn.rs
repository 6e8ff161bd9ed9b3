//! Connection allocation. Each `mg_connection` C sees is the second field of a
//! `ConnBox` whose first field holds the Rust-private state, so the state is
//! one subtraction away from the C pointer and `mgr->extraconnsize` bytes can
//! follow the C struct exactly as in Mongoose.
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
#[derive(Default)]
pub struct ConnState {
    pub sock: Sock,
    /// Edge-triggered readiness not yet consumed (sticky until EAGAIN).
    pub readable: bool,
    pub writable: bool,
    /// The peer's FIN was reported: a short read no longer means "drained",
    /// since no further edge will announce the end of stream.
    pub read_closed: bool,
    /// The poller reported an error condition.
    pub error: bool,
    /// Retry accepting after this time (EMFILE back-off), 0 = none.
    pub retry_at: u64,
    /// Closed by `mg_close_conn` during a poll; freed at the end of it.
    pub dead: bool,
    /// Last time bytes arrived (ms), for shutdown's idle window.
    pub last_rx: u64,
    /// Host name being resolved (for the error message).
    pub host: String,
    /// Shutdown bookkeeping (see `net::shutdown`).
    pub shutdown: crate::net::shutdown::ConnShutdown,
    /// Protocol state owned by the HTTP layer.
    pub http: crate::net::HttpConnState,
}

/// The allocation behind every connection.
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

/// Insert at the head of `mgr->conns` (newest first).
///
/// # Safety
/// Both pointers live; `c` not yet linked.
pub unsafe fn link(mgr: *mut mg_mgr, c: *mut mg_connection) {
    // SAFETY: the caller guarantees both are live.
    unsafe {
        (*c).next = (*mgr).conns;
        (*mgr).conns = c;
    }
}

/// Remove `c` from `mgr->conns` if present. `c->next` is left untouched so a
/// walk that stands on `c` can still move on.
///
/// # Safety
/// Both pointers live.
pub unsafe fn unlink(mgr: *mut mg_mgr, c: *mut mg_connection) {
    // SAFETY: walking a list of live connections owned by `mgr`.
    unsafe {
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
