//! C buffers as slices: every shim that takes `(pointer, length)` goes
//! through these, so NULL (or a zero length) reads as empty everywhere.

/// The `len` bytes at `p`; empty when `p` is NULL or `len` is 0.
///
/// # Safety
/// A non-NULL `p` must point at `len` readable bytes that outlive `'a`;
/// `T` is a byte type (`u8`, `c_char`, `c_void`).
pub unsafe fn bytes<'a, T>(p: *const T, len: usize) -> &'a [u8] {
    if p.is_null() || len == 0 {
        &[]
    } else {
        // SAFETY: guaranteed by the caller.
        unsafe { core::slice::from_raw_parts(p as *const u8, len) }
    }
}

/// The `len` writable bytes at `p`; empty when `p` is NULL or `len` is 0
/// (nothing is written then).
///
/// # Safety
/// A non-NULL `p` must point at `len` writable bytes, not otherwise
/// borrowed, that outlive `'a`; `T` is a byte type.
pub unsafe fn bytes_mut<'a, T>(p: *mut T, len: usize) -> &'a mut [u8] {
    if p.is_null() || len == 0 {
        &mut []
    } else {
        // SAFETY: guaranteed by the caller.
        unsafe { core::slice::from_raw_parts_mut(p as *mut u8, len) }
    }
}
