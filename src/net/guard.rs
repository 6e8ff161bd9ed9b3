//! The panic boundary: every export (and every callback C calls, such as the
//! filesystems' function pointers) runs its body through `guard`, which
//! returns the documented failure value instead of unwinding into C.
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Run `f`; if it panics, return `fail` (and log the panic once).
#[inline]
pub fn guard<R>(fail: R, f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(_) => fail,
    }
}

/// Run `f` for its effect; a panic is swallowed.
#[inline]
pub fn guard_unit(f: impl FnOnce()) {
    guard((), f)
}
