//! Build-configuration values of the default Linux Mongoose build. The header
//! prologue (`src/ffi/prologue.h`) defines the same macros for C; both are
//! checked against the ABI table by the test suite.

/// Growth step of connection buffers and the file streaming chunk size.
pub const MG_IO_SIZE: usize = 16384;
/// Largest `c->recv.len`; reaching it is a connection error.
pub const MG_MAX_RECV_SIZE: usize = 3 * 1024 * 1024;
/// Size of `c->data`.
pub const MG_DATA_SIZE: usize = 32;
/// Size of `mg_http_message.headers`.
pub const MG_MAX_HTTP_HEADERS: usize = 30;
/// `FILENAME_MAX` on glibc.
pub const MG_PATH_MAX: usize = 4096;
/// `listen()` backlog.
pub const MG_SOCK_LISTEN_BACKLOG_SIZE: i32 = 128;
/// JSON nesting limit.
pub const MG_JSON_MAX_DEPTH: usize = 30;
