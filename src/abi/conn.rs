//! The manager and connection structs, and the connection flag word.
use super::{mg_addr, mg_event_handler_t, mg_iobuf, mg_timer, MG_DATA_SIZE};
use core::ffi::{c_char, c_int, c_uint, c_ulong, c_void};

/// A DNS resolver configuration.
#[repr(C)]
pub struct mg_dns {
    pub url: *const c_char,
    pub c: *mut mg_connection,
}

/// The wakeup channel: a socket number or a queue pointer.
#[repr(C)]
#[derive(Clone, Copy)]
pub union mg_pipe {
    pub fd: c_int,
    pub q: *mut c_void,
}

/// The event manager. Programs allocate it (usually on the stack); the library
/// keeps its own state behind `active_dns_requests`.
#[repr(C)]
pub struct mg_mgr {
    pub conns: *mut mg_connection,
    pub dns4: mg_dns,
    pub dns6: mg_dns,
    pub mdns: *mut mg_connection,
    pub dnstimeout: c_int,
    pub use_dns6: bool,
    pub nextid: c_ulong,
    pub userdata: *mut c_void,
    pub tls_ctx: *mut c_void,
    pub mqtt_id: u16,
    pub active_dns_requests: *mut c_void,
    pub active_mdns_requests: *mut c_void,
    pub timers: *mut mg_timer,
    pub epoll_fd: c_int,
    pub ifp: *mut c_void,
    pub extraconnsize: usize,
    pub pipe: mg_pipe,
}

/// A connection. The flags live in one 32-bit word at offset 280, declared in
/// the header as C bitfields (see `mg_connection_bitfields`); Rust code uses
/// the `FLAG_*` bit masks through `flag()`/`set_flag()`.
/// cbindgen:field-names=[next, mgr, loc, rem, fd, id, recv, send, prof, rtls, fn, fn_data, pfn, pfn_data, data, tls, flags]
#[repr(C)]
pub struct mg_connection {
    pub next: *mut mg_connection,
    pub mgr: *mut mg_mgr,
    pub loc: mg_addr,
    pub rem: mg_addr,
    pub fd: *mut c_void,
    pub id: c_ulong,
    pub recv: mg_iobuf,
    pub send: mg_iobuf,
    pub prof: mg_iobuf,
    pub rtls: mg_iobuf,
    pub fn_: mg_event_handler_t,
    pub fn_data: *mut c_void,
    pub pfn: mg_event_handler_t,
    pub pfn_data: *mut c_void,
    pub data: [c_char; MG_DATA_SIZE],
    pub tls: *mut c_void,
    pub flags: c_uint,
    /// Library-private (`RS_*` bits): the 4 bytes after the flag word are
    /// padding in Mongoose's struct, which C code cannot name. The loop keeps
    /// its per-connection readiness and protocol bits here, in the flags'
    /// cache line, so an idle connection's turn touches no other memory
    /// for them (see `net::conn`).
    pub rs: c_uint,
}

// Library-private bits of `mg_connection.rs`.
/// The socket is registered with the poller.
pub const RS_REGISTERED: c_uint = 1 << 0;
/// Edge-triggered readiness not yet consumed (sticky until EAGAIN).
pub const RS_READABLE: c_uint = 1 << 1;
pub const RS_WRITABLE: c_uint = 1 << 2;
/// The peer's FIN was reported: a short read no longer means "drained",
/// since no further edge will announce the end of stream.
pub const RS_READ_CLOSED: c_uint = 1 << 3;
/// The poller reported an error condition.
pub const RS_ERROR: c_uint = 1 << 4;
/// Closed by `mg_close_conn` during a poll; freed at the end of it.
pub const RS_DEAD: c_uint = 1 << 5;
/// A file body is going out by `sendfile` (see `net::fs`): the write step
/// has work even with `send` empty.
pub const RS_STREAMING: c_uint = 1 << 6;
/// HTTP: we answered 400/408 and discard whatever the peer sends next.
pub const RS_HTTP_REJECTED: c_uint = 1 << 7;
/// HTTP: a request was served during shutdown; close once its response ends.
pub const RS_HTTP_CLOSE_AFTER_RESP: c_uint = 1 << 8;
/// HTTP: a partial request head is buffered (`HttpConnState::head_started`
/// is set), which the opt-in header timeout watches.
pub const RS_HTTP_HEAD_PENDING: c_uint = 1 << 9;
/// TLS was requested (`mg_tls_init`): the loop's TLS step handles I/O
/// (see `net::tls`); `c->send` never goes to the socket in clear.
pub const RS_TLS: c_uint = 1 << 10;
/// In the manager's `order` array (see `net::conn::link`).
pub const RS_LINKED: c_uint = 1 << 11;
/// Bytes arrived since graceful shutdown began (see `net::shutdown`).
pub const RS_SPOKE: c_uint = 1 << 12;
/// In the manager's turn queue (poll interval mode, see `net::mgr`).
pub const RS_QUEUED: c_uint = 1 << 13;
/// Had a turn of its own since the last sweep (poll interval mode).
pub const RS_ACTIVE: c_uint = 1 << 14;

// Bit positions of the flags within `mg_connection.flags` (Mongoose 7.23 layout).
pub const FLAG_DSCP_MASK: c_uint = 0x3f;
pub const FLAG_IS_LISTENING: c_uint = 1 << 6;
pub const FLAG_IS_CLIENT: c_uint = 1 << 7;
pub const FLAG_IS_ACCEPTED: c_uint = 1 << 8;
pub const FLAG_IS_RESOLVING: c_uint = 1 << 9;
pub const FLAG_IS_ARPLOOKING: c_uint = 1 << 10;
pub const FLAG_IS_CONNECTING: c_uint = 1 << 11;
pub const FLAG_IS_TLS: c_uint = 1 << 12;
pub const FLAG_IS_TLS_HS: c_uint = 1 << 13;
pub const FLAG_IS_UDP: c_uint = 1 << 14;
pub const FLAG_IS_WEBSOCKET: c_uint = 1 << 15;
pub const FLAG_IS_MQTT5: c_uint = 1 << 16;
pub const FLAG_IS_HEXDUMPING: c_uint = 1 << 17;
pub const FLAG_IS_DRAINING: c_uint = 1 << 18;
pub const FLAG_IS_CLOSING: c_uint = 1 << 19;
pub const FLAG_IS_FULL: c_uint = 1 << 20;
pub const FLAG_IS_TLS_THROTTLED: c_uint = 1 << 21;
pub const FLAG_IS_RESP: c_uint = 1 << 22;
pub const FLAG_IS_READABLE: c_uint = 1 << 23;
pub const FLAG_IS_WRITABLE: c_uint = 1 << 24;

impl mg_connection {
    /// Whether flag `bit` is set. Reads memory each time: C may have changed it.
    #[inline]
    pub fn flag(&self, bit: c_uint) -> bool {
        // Volatile read: the word may have been written by C through a bitfield.
        // SAFETY: `&self.flags` is a valid, aligned reference.
        (unsafe { core::ptr::read_volatile(&self.flags) }) & bit != 0
    }

    /// Set or clear flag `bit`.
    #[inline]
    pub fn set_flag(&mut self, bit: c_uint, on: bool) {
        if on {
            self.flags |= bit;
        } else {
            self.flags &= !bit;
        }
    }

    /// Whether library-private bit `bit` (`RS_*`) is set.
    #[inline]
    pub fn rs(&self, bit: c_uint) -> bool {
        self.rs & bit != 0
    }

    /// Set or clear library-private bit `bit` (`RS_*`).
    #[inline]
    pub fn set_rs(&mut self, bit: c_uint, on: bool) {
        if on {
            self.rs |= bit;
        } else {
            self.rs &= !bit;
        }
    }

    /// The socket number stored in `fd`, or -1.
    #[inline]
    pub fn sock(&self) -> c_int {
        self.fd as isize as c_int
    }
}

/// Header-only twin of `mg_connection` that spells the flag word as the C
/// bitfields Mongoose declares. It is renamed to `mg_connection` in the
/// generated header (cbindgen.toml) and never used from Rust.
/// cbindgen:field-names=[next, mgr, loc, rem, fd, id, recv, send, prof, rtls, fn, fn_data, pfn, pfn_data, data, tls, dscp, is_listening, is_client, is_accepted, is_resolving, is_arplooking, is_connecting, is_tls, is_tls_hs, is_udp, is_websocket, is_mqtt5, is_hexdumping, is_draining, is_closing, is_full, is_tls_throttled, is_resp, is_readable, is_writable]
#[repr(C)]
#[allow(dead_code)]
pub struct mg_connection_bitfields {
    pub next: *mut mg_connection,
    pub mgr: *mut mg_mgr,
    pub loc: mg_addr,
    pub rem: mg_addr,
    pub fd: *mut c_void,
    pub id: c_ulong,
    pub recv: mg_iobuf,
    pub send: mg_iobuf,
    pub prof: mg_iobuf,
    pub rtls: mg_iobuf,
    pub fn_: mg_event_handler_t,
    pub fn_data: *mut c_void,
    pub pfn: mg_event_handler_t,
    pub pfn_data: *mut c_void,
    pub data: [c_char; MG_DATA_SIZE],
    pub tls: *mut c_void,
    /// cbindgen:bitfield=6
    pub dscp: c_uint,
    /// cbindgen:bitfield=1
    pub is_listening: c_uint,
    /// cbindgen:bitfield=1
    pub is_client: c_uint,
    /// cbindgen:bitfield=1
    pub is_accepted: c_uint,
    /// cbindgen:bitfield=1
    pub is_resolving: c_uint,
    /// cbindgen:bitfield=1
    pub is_arplooking: c_uint,
    /// cbindgen:bitfield=1
    pub is_connecting: c_uint,
    /// cbindgen:bitfield=1
    pub is_tls: c_uint,
    /// cbindgen:bitfield=1
    pub is_tls_hs: c_uint,
    /// cbindgen:bitfield=1
    pub is_udp: c_uint,
    /// cbindgen:bitfield=1
    pub is_websocket: c_uint,
    /// cbindgen:bitfield=1
    pub is_mqtt5: c_uint,
    /// cbindgen:bitfield=1
    pub is_hexdumping: c_uint,
    /// cbindgen:bitfield=1
    pub is_draining: c_uint,
    /// cbindgen:bitfield=1
    pub is_closing: c_uint,
    /// cbindgen:bitfield=1
    pub is_full: c_uint,
    /// cbindgen:bitfield=1
    pub is_tls_throttled: c_uint,
    /// cbindgen:bitfield=1
    pub is_resp: c_uint,
    /// cbindgen:bitfield=1
    pub is_readable: c_uint,
    /// cbindgen:bitfield=1
    pub is_writable: c_uint,
}

const _: () = assert!(core::mem::size_of::<mg_connection>() == 288);
const _: () = assert!(core::mem::offset_of!(mg_connection, flags) == 280);
const _: () = assert!(core::mem::offset_of!(mg_connection, rs) == 284);
const _: () = assert!(core::mem::size_of::<mg_mgr>() == 144);
const _: () = assert!(core::mem::offset_of!(mg_mgr, pipe) == 136);
