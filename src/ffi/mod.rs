//! Thin `extern "C"` shims, one file per `mongoose.h` section. Each export
//! checks its pointers, converts, calls into `core`/`net`, and converts back;
//! `guard` keeps panics from crossing the boundary.

pub mod fmt;
pub mod fs;
pub mod guard;
pub mod hash;
pub mod http;
pub mod iobuf;
pub mod jwt;
pub mod log;
pub mod mem;
pub mod net;
pub mod str;
pub mod timer;
pub mod url;
