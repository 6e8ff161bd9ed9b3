//! `#[repr(C)]` mirrors of every struct that C code can see, laid out exactly
//! as Mongoose 7.23 lays them out on x86_64 (see `tests/data/abi-x86_64.tsv`).
//!
//! These structs are the state shared with C: C programs write flags and
//! buffers directly, so the event loop re-reads them after every callback.
#![allow(non_camel_case_types)]

mod config;
mod conn;
mod http;
pub mod iobuf;
mod misc;
mod types;

pub use config::*;
pub use conn::*;
pub use http::*;
pub use misc::*;
pub use types::*;
