//! Pure, safe Rust over bytes: everything here is testable without C.
#![forbid(unsafe_code)]

pub mod base64;
pub mod dash;
pub mod dns;
pub mod fmt;
pub mod fs;
pub mod hash;
pub mod http;
pub mod json;
pub mod jwt;
pub mod mdns;
pub mod modbus;
pub mod mqtt;
pub mod ota;
pub mod queue;
pub mod rpc;
pub mod sntp;
pub mod ssi;
pub mod str;
pub mod timer;
pub mod url;
pub mod ws;
