//! Small shared value types: strings, addresses, buffers, timers, events.
use core::ffi::{c_char, c_int, c_uint, c_void};

/// Opaque stand-in for C's `va_list`; only ever used behind a pointer.
/// Never emitted into the header (the C side uses `<stdarg.h>`'s type).
#[repr(C)]
pub struct va_list {
    _opaque: [u8; 0],
}

/// A view of bytes: `buf` is not necessarily NUL-terminated.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct mg_str {
    pub buf: *mut c_char,
    pub len: usize,
}

impl mg_str {
    pub const NULL: mg_str = mg_str { buf: core::ptr::null_mut(), len: 0 };

    /// A view of a Rust slice (the caller keeps the slice alive).
    pub fn from_slice(s: &[u8]) -> mg_str {
        mg_str { buf: s.as_ptr() as *mut c_char, len: s.len() }
    }

    /// The viewed bytes; empty for a NULL view.
    ///
    /// # Safety
    /// `buf` must point at `len` readable bytes that outlive `'a`.
    pub unsafe fn as_bytes<'a>(&self) -> &'a [u8] {
        if self.buf.is_null() || self.len == 0 {
            &[]
        } else {
            // SAFETY: guaranteed by the caller.
            unsafe { core::slice::from_raw_parts(self.buf as *const u8, self.len) }
        }
    }
}

/// The IP part of an address: IPv4 in the first 4 bytes, IPv6 in all 16.
#[repr(C)]
#[derive(Clone, Copy)]
pub union mg_addr_ip {
    pub ip: [u8; 16],
    pub ip4: u32,
    pub ip6: [u64; 2],
}

/// An IPv4 or IPv6 address with a port, all in network byte order.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mg_addr {
    pub addr: mg_addr_ip,
    pub port: u16,
    pub scope_id: u8,
    pub is_ip6: bool,
}

impl Default for mg_addr {
    fn default() -> Self {
        mg_addr { addr: mg_addr_ip { ip: [0; 16] }, port: 0, scope_id: 0, is_ip6: false }
    }
}

impl mg_addr {
    /// The 16 address bytes.
    pub fn ip(&self) -> [u8; 16] {
        // SAFETY: every bit pattern of the union is a valid `[u8; 16]`.
        unsafe { self.addr.ip }
    }
}

/// A growable byte buffer allocated with the C allocator (see `abi::iobuf`).
#[repr(C)]
#[derive(Debug)]
pub struct mg_iobuf {
    pub buf: *mut u8,
    pub size: usize,
    pub len: usize,
    pub align: usize,
}

/// A timer; programs allocate these themselves for `mg_timer_init`.
/// cbindgen:field-names=[period_ms, expire, flags, fn, arg, next]
#[repr(C)]
pub struct mg_timer {
    pub period_ms: u64,
    pub expire: u64,
    pub flags: c_uint,
    pub fn_: Option<unsafe extern "C" fn(*mut c_void)>,
    pub arg: *mut c_void,
    pub next: *mut mg_timer,
}

/// Call the timer once.
pub const MG_TIMER_ONCE: c_uint = 0;
/// Call the timer every period.
pub const MG_TIMER_REPEAT: c_uint = 1;
/// Also call the timer at the first poll.
pub const MG_TIMER_RUN_NOW: c_uint = 2;
/// Set by the library after the first call.
pub const MG_TIMER_CALLED: c_uint = 4;
/// Free the timer with `mg_free` after its last call.
pub const MG_TIMER_AUTODELETE: c_uint = 8;

/// Event handler: `fn(c, ev, ev_data)`.
pub type mg_event_handler_t = Option<unsafe extern "C" fn(*mut mg_connection, c_int, *mut c_void)>;
/// Character sink used by the printf engine.
pub type mg_pfn_t = Option<unsafe extern "C" fn(c_char, *mut c_void)>;
/// Custom `%m`/`%M` printer: reads its own arguments from the `va_list`.
pub type mg_pm_t = Option<unsafe extern "C" fn(mg_pfn_t, *mut c_void, *mut va_list) -> usize>;

use super::mg_connection;

// Events, in Mongoose's numbering (ABI).
pub const MG_EV_ERROR: c_int = 0;
pub const MG_EV_OPEN: c_int = 1;
pub const MG_EV_POLL: c_int = 2;
pub const MG_EV_RESOLVE: c_int = 3;
pub const MG_EV_CONNECT: c_int = 4;
pub const MG_EV_ACCEPT: c_int = 5;
pub const MG_EV_TLS_HS: c_int = 6;
pub const MG_EV_READ: c_int = 7;
pub const MG_EV_WRITE: c_int = 8;
pub const MG_EV_CLOSE: c_int = 9;
pub const MG_EV_HTTP_HDRS: c_int = 10;
pub const MG_EV_HTTP_MSG: c_int = 11;
pub const MG_EV_WS_OPEN: c_int = 12;
pub const MG_EV_WS_MSG: c_int = 13;
pub const MG_EV_WS_CTL: c_int = 14;
pub const MG_EV_MQTT_CMD: c_int = 15;
pub const MG_EV_MQTT_MSG: c_int = 16;
pub const MG_EV_MQTT_OPEN: c_int = 17;
pub const MG_EV_SNTP_TIME: c_int = 18;
pub const MG_EV_WAKEUP: c_int = 19;
pub const MG_EV_MDNS_REQ: c_int = 20;
pub const MG_EV_MDNS_RESP: c_int = 21;
pub const MG_EV_MODBUS_REQ: c_int = 22;
pub const MG_EV_USER: c_int = 23;

// Log levels.
pub const MG_LL_NONE: c_int = 0;
pub const MG_LL_ERROR: c_int = 1;
pub const MG_LL_INFO: c_int = 2;
pub const MG_LL_DEBUG: c_int = 3;
pub const MG_LL_VERBOSE: c_int = 4;

// Raw I/O results.
pub const MG_IO_ERR: c_int = -1;
pub const MG_IO_WAIT: c_int = -2;

/// Marker for "no socket" in `c->fd`.
pub const MG_INVALID_SOCKET: c_int = -1;

/// A string constant in C form (NUL-terminated), for static tables.
pub type CStrPtr = *const c_char;
