//! HTTP, filesystem, WebSocket and TLS option structs.
use super::{mg_str, MG_MAX_HTTP_HEADERS};
use core::ffi::{c_char, c_int, c_void};

/// One parsed header: name as received, value trimmed of spaces and tabs.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mg_http_header {
    pub name: mg_str,
    pub value: mg_str,
}

/// A parsed HTTP request or response; every view points into the receive
/// buffer it was parsed from.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mg_http_message {
    pub method: mg_str,
    pub uri: mg_str,
    pub query: mg_str,
    pub proto: mg_str,
    pub headers: [mg_http_header; MG_MAX_HTTP_HEADERS],
    pub body: mg_str,
    pub head: mg_str,
    pub message: mg_str,
}

impl mg_http_message {
    /// An all-empty message.
    pub const fn zeroed() -> Self {
        const H: mg_http_header = mg_http_header { name: mg_str::NULL, value: mg_str::NULL };
        mg_http_message {
            method: mg_str::NULL,
            uri: mg_str::NULL,
            query: mg_str::NULL,
            proto: mg_str::NULL,
            headers: [H; MG_MAX_HTTP_HEADERS],
            body: mg_str::NULL,
            head: mg_str::NULL,
            message: mg_str::NULL,
        }
    }
}

/// Options of `mg_http_serve_dir` / `mg_http_serve_file`.
#[repr(C)]
pub struct mg_http_serve_opts {
    pub root_dir: *const c_char,
    pub ssi_pattern: *const c_char,
    pub extra_headers: *const c_char,
    pub mime_types: *const c_char,
    pub page404: *const c_char,
    pub fs: *mut mg_fs,
}

/// One part of a multipart body.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct mg_http_part {
    pub name: mg_str,
    pub filename: mg_str,
    pub body: mg_str,
}

/// A filesystem: ten function pointers the library calls through.
#[repr(C)]
pub struct mg_fs {
    pub st: Option<unsafe extern "C" fn(*const c_char, *mut usize, *mut libc::time_t) -> c_int>,
    pub ls: Option<
        unsafe extern "C" fn(
            *const c_char,
            Option<unsafe extern "C" fn(*const c_char, *mut c_void)>,
            *mut c_void,
        ),
    >,
    pub op: Option<unsafe extern "C" fn(*const c_char, c_int) -> *mut c_void>,
    pub cl: Option<unsafe extern "C" fn(*mut c_void)>,
    pub rd: Option<unsafe extern "C" fn(*mut c_void, *mut c_void, usize) -> usize>,
    pub wr: Option<unsafe extern "C" fn(*mut c_void, *const c_void, usize) -> usize>,
    pub sk: Option<unsafe extern "C" fn(*mut c_void, usize) -> usize>,
    pub mv: Option<unsafe extern "C" fn(*const c_char, *const c_char) -> bool>,
    pub rm: Option<unsafe extern "C" fn(*const c_char) -> bool>,
    pub mkd: Option<unsafe extern "C" fn(*const c_char) -> bool>,
}

/// An open file of some `mg_fs`.
#[repr(C)]
pub struct mg_fd {
    pub fd: *mut c_void,
    pub fs: *mut mg_fs,
}

/// One file of the in-memory (packed) filesystem.
#[repr(C)]
pub struct mg_mem_file {
    pub path: *const c_char,
    pub data: *const u8,
    pub size: usize,
    pub mtime: libc::time_t,
}

pub const MG_FS_READ: c_int = 1;
pub const MG_FS_WRITE: c_int = 2;
pub const MG_FS_DIR: c_int = 4;
pub const MG_FS_EXCL: c_int = 8;

/// A received WebSocket frame or message.
#[repr(C)]
pub struct mg_ws_message {
    pub data: mg_str,
    pub flags: u8,
}

pub const WEBSOCKET_OP_CONTINUE: c_int = 0;
pub const WEBSOCKET_OP_TEXT: c_int = 1;
pub const WEBSOCKET_OP_BINARY: c_int = 2;
pub const WEBSOCKET_OP_CLOSE: c_int = 8;
pub const WEBSOCKET_OP_PING: c_int = 9;
pub const WEBSOCKET_OP_PONG: c_int = 10;

/// TLS options (PEM or DER).
#[repr(C)]
pub struct mg_tls_opts {
    pub ca: mg_str,
    pub cert: mg_str,
    pub key: mg_str,
    pub name: mg_str,
    pub skip_verification: bool,
}
