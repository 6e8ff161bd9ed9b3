//! The only raw-buffer code: `mg_iobuf` operations on C-heap memory, with
//! Mongoose's exact growth, shrink and zeroing rules.
use super::mg_iobuf;
use core::ptr;

fn round_up(n: usize, align: usize) -> Option<usize> {
    if align == 0 {
        Some(n)
    } else {
        n.checked_add(align - 1).map(|v| v / align * align)
    }
}

/// Zero `n` bytes at `p` in a way the compiler may not drop.
///
/// # Safety
/// `p` must be valid for `n` byte writes (or `n == 0`).
pub unsafe fn zero(p: *mut u8, n: usize) {
    if n == 0 {
        return;
    }
    // libc's explicit_bzero runs at memset speed (a volatile byte loop made
    // a 3 MiB request cost hundreds of MB of single-byte stores) and, unlike
    // memset, is never optimised away before a free.
    // SAFETY: `p` is valid for `n` byte writes per the caller's contract.
    unsafe { libc::explicit_bzero(p.cast(), n) };
}

impl mg_iobuf {
    /// An empty buffer with the given growth granularity.
    pub const fn new(align: usize) -> mg_iobuf {
        mg_iobuf { buf: ptr::null_mut(), size: 0, len: 0, align }
    }

    /// The used bytes.
    pub fn data(&self) -> &[u8] {
        if self.buf.is_null() || self.len == 0 {
            &[]
        } else {
            // SAFETY: `buf` holds `size >= len` initialised bytes (calloc).
            unsafe { core::slice::from_raw_parts(self.buf, self.len) }
        }
    }

    /// `mg_iobuf_resize`: round up to `align`, reallocate by copy (never
    /// `realloc`), zero and free the old block. Size 0 frees. False on OOM.
    pub fn resize(&mut self, new_size: usize) -> bool {
        let Some(new_size) = round_up(new_size, self.align) else { return false };
        if new_size > isize::MAX as usize {
            return false; // no allocation can be that large; don't ask calloc
        }
        if new_size == 0 {
            if !self.buf.is_null() {
                // SAFETY: `buf` was allocated with calloc for `size` bytes.
                unsafe {
                    zero(self.buf, self.size);
                    libc::free(self.buf as *mut libc::c_void);
                }
            }
            self.buf = ptr::null_mut();
            self.len = 0;
            self.size = 0;
            return true;
        }
        if new_size == self.size {
            return true;
        }
        // SAFETY: plain C allocation; checked for NULL below.
        let p = unsafe { libc::calloc(1, new_size) } as *mut u8;
        if p.is_null() {
            return false;
        }
        let keep = self.len.min(new_size);
        if !self.buf.is_null() {
            // SAFETY: both blocks hold at least `keep` bytes and do not overlap;
            // the old block is ours to zero and free.
            unsafe {
                ptr::copy_nonoverlapping(self.buf, p, keep);
                zero(self.buf, self.size);
                libc::free(self.buf as *mut libc::c_void);
            }
        }
        self.buf = p;
        self.size = new_size;
        self.len = keep;
        true
    }

    /// `mg_iobuf_add`: insert `len` bytes at `ofs` (clamped to `self.len`);
    /// `src == None` reserves space. Resizes to exactly
    /// `roundup(self.len + len, align)` first (which may shrink). Returns
    /// `len`, or 0 when the resize failed.
    ///
    /// # Safety
    /// `src`, when given, must point at `len` readable bytes (it may point
    /// into this buffer only if the caller accepts Mongoose's semantics).
    pub unsafe fn add_raw(&mut self, ofs: usize, src: *const u8, len: usize) -> usize {
        let ofs = ofs.min(self.len);
        let Some(total) = self.len.checked_add(len) else { return 0 };
        let Some(want) = round_up(total, self.align) else { return 0 };
        if !self.resize(want) {
            return 0;
        }
        if len == 0 {
            return 0;
        }
        // SAFETY: after the resize `size >= self.len + len`, so both the tail
        // move and the copy stay inside the block.
        unsafe {
            if ofs < self.len {
                ptr::copy(self.buf.add(ofs), self.buf.add(ofs + len), self.len - ofs);
            }
            if !src.is_null() {
                ptr::copy(src, self.buf.add(ofs), len);
            }
        }
        self.len += len;
        len
    }

    /// Append a slice at the end. Returns false on OOM.
    pub fn append(&mut self, data: &[u8]) -> bool {
        if data.is_empty() {
            return true;
        }
        // SAFETY: `data` is a live slice of `data.len()` bytes.
        unsafe { self.add_raw(self.len, data.as_ptr(), data.len()) == data.len() }
    }

    /// `mg_iobuf_del`: remove up to `len` bytes at `ofs`, zero the vacated tail.
    pub fn del(&mut self, ofs: usize, len: usize) -> usize {
        let ofs = ofs.min(self.len);
        let len = len.min(self.len - ofs);
        if len == 0 || self.buf.is_null() {
            return 0;
        }
        // SAFETY: ranges are within `[0, self.len)` of a live block.
        unsafe {
            ptr::copy(self.buf.add(ofs + len), self.buf.add(ofs), self.len - ofs - len);
            zero(self.buf.add(self.len - len), len);
        }
        self.len -= len;
        len
    }

    /// `mg_iobuf_free`: release memory, keep `align`.
    pub fn free(&mut self) {
        self.resize(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_rounds_up_and_add_shrinks() {
        let mut io = mg_iobuf::new(16);
        assert!(io.resize(1000));
        assert_eq!(io.size, 1008);
        assert!(io.append(b"hello"));
        assert_eq!(io.size, 16);
        assert_eq!(io.data(), b"hello");
        io.free();
        assert_eq!((io.size, io.len, io.align), (0, 0, 16));
    }

    #[test]
    fn insert_and_delete_in_the_middle() {
        let mut io = mg_iobuf::new(0);
        assert!(io.append(b"ad"));
        // SAFETY: a live 2-byte literal.
        assert_eq!(unsafe { io.add_raw(1, b"bc".as_ptr(), 2) }, 2);
        assert_eq!(io.data(), b"abcd");
        assert_eq!(io.del(1, 100), 3);
        assert_eq!(io.data(), b"a");
        assert_eq!(io.size, 4, "del never changes capacity");
        io.free();
    }
}
