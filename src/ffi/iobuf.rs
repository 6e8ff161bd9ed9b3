//! `mg_iobuf_*`: thin shims over `abi::iobuf` (Mongoose's growth rules).
use super::guard::{guard, guard_unit};
use crate::abi::mg_iobuf;
use core::ffi::c_void;

/// `mg_iobuf_init`: empty the buffer, set `align`, then resize to `size`.
///
/// # Safety
/// `io` NULL or writable (its old contents are not freed).
#[no_mangle]
pub unsafe extern "C" fn mg_iobuf_init(io: *mut mg_iobuf, size: usize, align: usize) -> bool {
    if io.is_null() {
        return false;
    }
    // SAFETY: per the contract.
    let io = unsafe {
        io.write(mg_iobuf::new(align));
        &mut *io
    };
    guard(false, || io.resize(size))
}

/// `mg_iobuf_resize`: grow or shrink to `new_size` rounded up to `align`.
///
/// # Safety
/// `io` NULL or a valid iobuf.
#[no_mangle]
pub unsafe extern "C" fn mg_iobuf_resize(io: *mut mg_iobuf, new_size: usize) -> bool {
    // SAFETY: per the contract.
    match unsafe { io.as_mut() } {
        Some(io) => guard(false, || io.resize(new_size)),
        None => false,
    }
}

/// `mg_iobuf_free`: release the memory (`align` kept).
///
/// # Safety
/// `io` NULL or a valid iobuf.
#[no_mangle]
pub unsafe extern "C" fn mg_iobuf_free(io: *mut mg_iobuf) {
    // SAFETY: per the contract.
    if let Some(io) = unsafe { io.as_mut() } {
        guard_unit(|| io.free());
    }
}

/// `mg_iobuf_add`: insert `len` bytes at `ofs` (`buf == NULL` reserves).
///
/// # Safety
/// `io` NULL or valid; `buf` NULL or readable for `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn mg_iobuf_add(
    io: *mut mg_iobuf,
    ofs: usize,
    buf: *const c_void,
    len: usize,
) -> usize {
    // SAFETY: per the contract.
    match unsafe { io.as_mut() } {
        // SAFETY: `buf` readable for `len` bytes per the contract.
        Some(io) => guard(0, || unsafe { io.add_raw(ofs, buf as *const u8, len) }),
        None => 0,
    }
}

/// `mg_iobuf_del`: remove `len` bytes at `ofs` (both clamped).
///
/// # Safety
/// `io` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn mg_iobuf_del(io: *mut mg_iobuf, ofs: usize, len: usize) -> usize {
    // SAFETY: per the contract.
    match unsafe { io.as_mut() } {
        Some(io) => guard(0, || io.del(ofs, len)),
        None => 0,
    }
}
