//! Thin `extern "C"` shims, one file per `mongoose.h` section. Each export
//! checks its pointers, converts, calls into `core`/`net`, and converts back;
//! `guard` keeps panics from crossing the boundary.

pub mod dash;
pub mod dns;
pub mod fmt;
pub mod fs;
pub mod guard;
pub mod hash;
pub mod http;
pub mod internals;
pub mod iobuf;
pub mod json;
pub mod jwt;
pub mod log;
pub mod mdns;
pub mod mem;
pub mod modbus;
pub mod mqtt;
pub mod net;
pub mod ota;
pub mod queue;
pub mod raw;
pub mod rpc;
pub mod sntp;
pub mod str;
pub mod timer;
pub mod tls;
pub mod upload;
pub mod url;
pub mod ws;
