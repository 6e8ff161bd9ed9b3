//! Lock-free message queue (`mongoose.h`: `mg_queue_*`): one producer
//! thread and one consumer thread share a `struct mg_queue` over a caller
//! buffer, laid out byte for byte as Mongoose lays it out. The ring logic is
//! in `core::queue`; this file maps it onto the C struct.
//!
//! `head` and `tail` are plain `volatile size_t` in C. Here every access goes
//! through an atomic on the field: the producer publishes `head` (release)
//! after writing a message and its length, the consumer publishes `tail`
//! after it is done reading; each side loads the other's offset with
//! acquire, so what lies between the offsets is fully written when seen.
use crate::abi::*;
use crate::core::queue::{self, Ring};
use crate::ffi::guard::{guard, guard_unit};
use core::ffi::c_char;
use core::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A live `struct mg_queue` seen as a [`Ring`].
struct CRing {
    q: *mut mg_queue,
    buf: *mut u8,
    size: usize,
}

impl CRing {
    /// # Safety
    /// `q` is a live, 8-byte aligned `struct mg_queue` whose `buf` holds
    /// `size` bytes (or is NULL: then the ring has no room at all).
    unsafe fn new(q: *mut mg_queue) -> CRing {
        // SAFETY: per the contract; `buf`/`size` do not change after init.
        let (buf, size) = unsafe { ((*q).buf as *mut u8, (*q).size) };
        CRing { q, buf, size: if buf.is_null() { 0 } else { size } }
    }

    fn head_atomic(&self) -> &AtomicUsize {
        // SAFETY: `q` is live and aligned (see `new`); both threads access
        // the field only atomically (or, in C, as a single volatile word).
        unsafe { AtomicUsize::from_ptr(ptr::addr_of_mut!((*self.q).head)) }
    }

    fn tail_atomic(&self) -> &AtomicUsize {
        // SAFETY: as `head_atomic`.
        unsafe { AtomicUsize::from_ptr(ptr::addr_of_mut!((*self.q).tail)) }
    }

    /// Pointer to offset `at` (for the caller; never dereferenced here).
    fn at(&self, at: usize) -> *mut c_char {
        if self.buf.is_null() {
            ptr::null_mut()
        } else {
            self.buf.wrapping_add(at) as *mut c_char
        }
    }
}

impl Ring for CRing {
    fn size(&self) -> usize {
        self.size
    }
    fn head(&self) -> usize {
        self.head_atomic().load(Ordering::Acquire)
    }
    fn tail(&self) -> usize {
        self.tail_atomic().load(Ordering::Acquire)
    }
    fn set_head(&self, at: usize) {
        self.head_atomic().store(at, Ordering::Release)
    }
    fn set_tail(&self, at: usize) {
        self.tail_atomic().store(at, Ordering::Release)
    }
    fn read_len(&self, at: usize) -> u32 {
        // SAFETY: `core::queue` reads only at `at + 4 <= size`, inside `buf`;
        // the length was written before the head store that made it visible.
        unsafe { ptr::read_unaligned(self.buf.add(at) as *const u32) }
    }
    fn write_len(&self, at: usize, n: u32) {
        // SAFETY: `core::queue` writes only at `at + 4 <= size`, in the free
        // part of the ring that the consumer does not read.
        unsafe { ptr::write_unaligned(self.buf.add(at) as *mut u32, n) }
    }
}

/// Set up `q` over `buf` (`size` bytes, owned by the caller; its contents
/// are not touched). The queue starts empty.
#[no_mangle]
pub unsafe extern "C" fn mg_queue_init(q: *mut mg_queue, buf: *mut c_char, size: usize) {
    if q.is_null() {
        return;
    }
    // SAFETY: writable queue struct from the caller, not yet shared.
    unsafe {
        (*q).buf = buf;
        (*q).size = size;
        (*q).head = 0;
        (*q).tail = 0;
    }
}

/// Producer: reserve room for a message of `len` bytes. Sets `*buf` to where
/// the payload goes and returns the bytes available there: `>= len` on
/// success, 0 if the queue has no room (each message costs `len + 4` bytes,
/// plus 4 kept free for a wrap marker).
#[no_mangle]
pub unsafe extern "C" fn mg_queue_book(q: *mut mg_queue, buf: *mut *mut c_char, len: usize) -> usize {
    if q.is_null() {
        return 0;
    }
    // SAFETY: live queue from the caller; `buf` NULL or writable.
    guard(0, || unsafe {
        let r = CRing::new(q);
        let (at, space) = queue::book(&r, len);
        if !buf.is_null() {
            *buf = r.at(at);
        }
        space
    })
}

/// Producer: commit the `len` bytes written at the booked position, making
/// the message visible to the consumer. A `len` of 0, or one larger than
/// what could be booked, is ignored.
#[no_mangle]
pub unsafe extern "C" fn mg_queue_add(q: *mut mg_queue, len: usize) {
    if q.is_null() {
        return;
    }
    // SAFETY: live queue from the caller.
    guard_unit(|| unsafe { queue::add(&CRing::new(q), len) })
}

/// Consumer: the oldest message. Sets `*buf` to its payload and returns its
/// length; 0 when the queue is empty.
#[no_mangle]
pub unsafe extern "C" fn mg_queue_next(q: *mut mg_queue, buf: *mut *mut c_char) -> usize {
    if q.is_null() {
        return 0;
    }
    // SAFETY: live queue from the caller; `buf` NULL or writable.
    guard(0, || unsafe {
        let r = CRing::new(q);
        let (at, len) = queue::next(&r);
        if !buf.is_null() {
            *buf = r.at(at);
        }
        len
    })
}

/// Consumer: remove the message of `len` bytes that `mg_queue_next` returned.
#[no_mangle]
pub unsafe extern "C" fn mg_queue_del(q: *mut mg_queue, len: usize) {
    if q.is_null() {
        return;
    }
    // SAFETY: live queue from the caller.
    guard_unit(|| unsafe { queue::del(&CRing::new(q), len) })
}

/// Body of the variadic `mg_queue_printf` (see variadic.c): format, then
/// book `len + 1` bytes (the text and a NUL), commit `len` and return it;
/// 0 when the text is empty or does not fit (nothing is committed).
/// cbindgen:ignore
#[no_mangle]
pub unsafe extern "C" fn mg_rs_queue_vprintf(
    q: *mut mg_queue,
    fmt: *const c_char,
    ap: *mut va_list,
) -> usize {
    if q.is_null() || fmt.is_null() {
        return 0;
    }
    // SAFETY: live queue; C format string and va_list from the caller.
    guard(0, || unsafe {
        let text = crate::ffi::fmt::format_va(fmt, ap);
        let len = text.len();
        if len == 0 {
            return 0;
        }
        let r = CRing::new(q);
        let (at, space) = queue::book(&r, len + 1);
        if space < len + 1 {
            return 0;
        }
        let dst = r.at(at) as *mut u8;
        ptr::copy_nonoverlapping(text.as_ptr(), dst, len);
        *dst.add(len) = 0;
        queue::add(&r, len);
        len
    })
}
