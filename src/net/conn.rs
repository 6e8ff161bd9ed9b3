//! Connection allocation. Each `mg_connection` C sees is the last field of
//! a `ConnBox` whose state field right before it holds the Rust-private
//! state, so the state is one subtraction away from the C pointer and
//! `mgr->extraconnsize` bytes can follow the C struct exactly as in Mongoose.
use crate::abi::{mg_connection, mg_iobuf, mg_mgr, MG_IO_SIZE};
use core::ptr;

/// Rust-private per-connection state. An idle connection's turn in the
/// walk does not read it: the bits the loop needs on every turn live in
/// `mg_connection.rs` (`RS_*`), in the flag word's cache line.
#[derive(Default)]
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
    /// Protocol state owned by the WebSocket layer.
    pub ws: crate::net::ws::WsState,
    /// The TLS session (`mg_tls_init`); `c->tls` points at it.
    pub tls: Option<Box<crate::net::tls::Tls>>,
    /// Client connections: the URL's host, the default TLS server name.
    pub tls_host: String,
    /// Bytes between the start of the allocation and the box (see `alloc`).
    pad: usize,
}

/// The allocation behind every connection.
#[repr(C)]
pub struct ConnBox {
    pub rs: ConnState,
    pub c: mg_connection,
}

const C_OFFSET: usize = core::mem::offset_of!(ConnBox, c);

/// Where `alloc` puts the C struct within a 64-byte cache line. With
/// `c % 64 == 48`, an idle connection's turn reads three lines: `recv.len`
/// and `send.len` share one (c+80..c+144), `fn`..`pfn_data` fill the next
/// one it reads (c+208..c+272), and the flag word with the `RS_*` bits sits
/// in the last (c+272..c+336). At the allocator's 16-byte alignment half of
/// the connections would need four lines (the walk over 9,000 idle
/// connections measured ~20 % slower that way, see bench/README.md).
const C_LINE_PHASE: usize = 48;
/// Over-allocation that lets `alloc` reach that phase from any 16-byte
/// aligned block (what malloc guarantees on 64-bit Linux).
const SLACK: usize = 64 - 16 + C_OFFSET % 16;

/// Allocate a zeroed connection (+ `extra` bytes after the C struct), with
/// buffers aligned to `MG_IO_SIZE` and `id = ++mgr->nextid`. Not linked.
///
/// # Safety
/// `mgr` must be a live, initialised manager.
pub unsafe fn alloc(mgr: *mut mg_mgr) -> *mut mg_connection {
    // SAFETY: the caller passes a live manager.
    let extra = unsafe { (*mgr).extraconnsize };
    let size = core::mem::size_of::<ConnBox>() + extra + SLACK;
    // SAFETY: plain C allocation, zeroed; checked for NULL.
    let raw = unsafe { libc::calloc(1, size) } as *mut u8;
    if raw.is_null() {
        return ptr::null_mut();
    }
    let pad = C_LINE_PHASE.wrapping_sub(raw as usize + C_OFFSET) % 64;
    if pad > SLACK {
        // Only if malloc returned a block aligned to less than 16 bytes.
        // SAFETY: `raw` came from calloc just above.
        unsafe { libc::free(raw as *mut libc::c_void) };
        return ptr::null_mut();
    }
    // SAFETY: `pad <= SLACK`, so the box fits in the block; `pad` keeps the
    // 8-byte alignment a ConnBox needs (both addends are multiples of 8).
    let b = unsafe { raw.add(pad) } as *mut ConnBox;
    // SAFETY: `b` points at enough zeroed, aligned memory for a ConnBox; the
    // state is written in place before anyone reads it. All-zero is a valid
    // `mg_connection`.
    unsafe {
        ptr::write(ptr::addr_of_mut!((*b).rs), ConnState { pad, ..ConnState::default() });
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
        let pad = (*b).rs.pad;
        ptr::drop_in_place(ptr::addr_of_mut!((*b).rs));
        libc::free((b as *mut u8).sub(pad) as *mut libc::c_void);
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
    use core::mem::offset_of;

    #[test]
    fn an_idle_turn_reads_three_cache_lines() {
        let line = |field: usize| (C_LINE_PHASE + field) / 64;
        let recv_len = offset_of!(mg_connection, recv) + offset_of!(mg_iobuf, len);
        let send_len = offset_of!(mg_connection, send) + offset_of!(mg_iobuf, len);
        assert_eq!(line(recv_len), line(send_len));
        assert_eq!(line(offset_of!(mg_connection, fn_)), line(offset_of!(mg_connection, pfn)));
        assert_eq!(line(offset_of!(mg_connection, flags)), line(offset_of!(mg_connection, rs)));
    }

    #[test]
    fn alloc_places_the_struct_at_its_cache_line_phase() {
        // SAFETY: all-zero is a valid `mg_mgr` (integers and raw pointers).
        let mut mgr: mg_mgr = unsafe { core::mem::zeroed() };
        let mut conns = Vec::new();
        for extra in [0usize, 8, 24, 100] {
            mgr.extraconnsize = extra;
            for _ in 0..16 {
                // SAFETY: a zeroed manager is enough for `alloc`/`free`.
                let c = unsafe { alloc(&mut mgr) };
                assert!(!c.is_null());
                assert_eq!(c as usize % 64, C_LINE_PHASE);
                // The extra bytes follow the struct and are zeroed.
                // SAFETY: `alloc` reserved `extra` bytes after the struct.
                let tail = unsafe { core::slice::from_raw_parts((c as *const u8).add(288), extra) };
                assert!(tail.iter().all(|&b| b == 0));
                conns.push(c);
            }
        }
        for c in conns {
            // SAFETY: allocated above, never linked.
            unsafe { free(c) };
        }
    }
}
