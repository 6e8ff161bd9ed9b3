//! The panic boundary every export runs its body through; it lives in
//! `net::guard` (the filesystems' C callbacks there need it too).
pub use crate::net::guard::{guard, guard_unit};
