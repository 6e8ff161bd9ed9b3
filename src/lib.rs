//! mongoose-rs: the Mongoose embedded networking library's C API, in Rust.
//!
//! * `core`: safe Rust over bytes (strings, URLs, printf, HTTP, timers).
//! * `abi`: the `#[repr(C)]` structs C programs see, laid out as Mongoose's.
//! * `net`: the event loop on `mio`, connections, wakeup, signals, shutdown.
//! * `ffi`: thin `extern "C"` shims, one file per `mongoose.h` section.
#![deny(unsafe_op_in_unsafe_fn)]
#![allow(clippy::missing_safety_doc)]

pub mod abi;
pub mod core;
pub mod ffi;
pub mod net;

/// The header cbindgen generated for this build (compared with the committed
/// `include/mongoose.h` by the test suite).
pub const GENERATED_HEADER: &str = include_str!(concat!(env!("OUT_DIR"), "/mongoose.h"));
