//! The bookkeeping of Mongoose's lock-free message queue (`mg_queue_*`,
//! API.md §18): a single-producer/single-consumer ring of messages inside a
//! caller buffer, each stored as a 4-byte native-endian length followed by
//! the payload. A length of 0 at the read position means "the writer went
//! back to offset 0". The layout and every offset match Mongoose's, so a
//! buffer can be inspected (or shared) the same way.
//!
//! The memory itself lives behind [`Ring`]: the C shim implements it over
//! the caller's `struct mg_queue` with atomics; the tests over a `Vec`.
//! Offsets only: this module never touches a pointer.

/// Bytes of the length prefix in front of each message.
const PREFIX: usize = 4;
/// Room a message needs besides its payload: its own prefix, plus space for
/// the 4-byte marker that may later have to be written after it.
const OVERHEAD: usize = 2 * PREFIX;

/// The queue's storage and its two offsets, as the caller's struct holds
/// them. `head` is written only by the producer and `tail` only by the
/// consumer; implementations publish each store to the other side (release)
/// and see the other side's stores with what they published (acquire).
pub trait Ring {
    /// Size of the buffer in bytes.
    fn size(&self) -> usize;
    /// The write offset (producer side).
    fn head(&self) -> usize;
    /// The read offset (consumer side).
    fn tail(&self) -> usize;
    fn set_head(&self, at: usize);
    fn set_tail(&self, at: usize);
    /// The 4-byte length stored at `at` (`at + PREFIX <= size()`).
    fn read_len(&self, at: usize) -> u32;
    /// Store a 4-byte length at `at` (`at + PREFIX <= size()`).
    fn write_len(&self, at: usize, n: u32);
}

/// Producer: find room for a `len`-byte message. Returns the payload offset
/// and the bytes available there: at least `len` on success, 0 otherwise.
///
/// When the stretch up to the end of the buffer is too short and the reader
/// has moved past the first `OVERHEAD` bytes, the writer goes back to offset
/// 0 right away (leaving a 0 marker for the reader), whether or not the
/// message then fits. Room before the reader needs a gap that stays
/// non-empty, so a full queue never looks empty.
pub fn book(q: &impl Ring, len: usize) -> (usize, usize) {
    let size = q.size();
    let mut head = q.head();
    let tail = q.tail();
    let need = len.saturating_add(OVERHEAD);
    let mut space = 0;
    if head >= tail {
        if head.saturating_add(need) <= size {
            space = size - head - OVERHEAD;
        } else if tail > OVERHEAD && head + PREFIX <= size {
            q.write_len(head, 0);
            head = 0;
            q.set_head(0);
        }
    }
    if head < tail && head.saturating_add(need) < tail {
        space = tail - head - OVERHEAD;
    }
    (head + PREFIX, space)
}

/// Producer: commit the `len` payload bytes written at the booked offset.
/// A length that could never have been booked at the current position is
/// ignored (it would corrupt the ring), and so is 0, which on the wire
/// would read as a wrap marker.
pub fn add(q: &impl Ring, len: usize) {
    let head = q.head();
    let Ok(n) = u32::try_from(len) else { return };
    if n == 0 || head.saturating_add(len).saturating_add(OVERHEAD) > q.size() {
        return;
    }
    q.write_len(head, n);
    q.set_head(head + PREFIX + len);
}

/// Consumer: the oldest message, as (payload offset, length); length 0
/// when the queue is empty. Follows a wrap marker back to offset 0.
pub fn next(q: &impl Ring) -> (usize, usize) {
    let size = q.size();
    let head = q.head();
    let mut tail = q.tail();
    let mut len = 0;
    if tail != head && tail + PREFIX <= size {
        len = q.read_len(tail) as usize;
        if len == 0 {
            tail = 0;
            q.set_tail(0);
            if head > 0 && PREFIX <= size {
                len = q.read_len(0) as usize;
            }
        }
    }
    // A length running past the end can only come from a corrupted ring.
    if tail.saturating_add(PREFIX).saturating_add(len) > size {
        len = 0;
    }
    (tail + PREFIX, len)
}

/// Consumer: release the message of `len` bytes that `next` returned.
pub fn del(q: &impl Ring, len: usize) {
    let tail = q.tail().saturating_add(PREFIX).saturating_add(len);
    // A valid message always ends at least one prefix before the end.
    if tail.saturating_add(PREFIX) <= q.size() {
        q.set_tail(tail);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::{Cell, RefCell};

    /// A ring over a Vec, prefilled with 0xee like the oracle runs.
    struct VecRing {
        buf: RefCell<Vec<u8>>,
        head: Cell<usize>,
        tail: Cell<usize>,
    }

    impl VecRing {
        fn new(size: usize) -> Self {
            VecRing { buf: RefCell::new(vec![0xee; size]), head: Cell::new(0), tail: Cell::new(0) }
        }
        fn put(&self, at: usize, data: &[u8]) {
            self.buf.borrow_mut()[at..at + data.len()].copy_from_slice(data);
        }
        fn hex(&self) -> String {
            self.buf.borrow().iter().map(|b| format!("{b:02x}")).collect()
        }
        fn state(&self) -> (usize, usize) {
            (self.tail.get(), self.head.get())
        }
    }

    impl Ring for VecRing {
        fn size(&self) -> usize {
            self.buf.borrow().len()
        }
        fn head(&self) -> usize {
            self.head.get()
        }
        fn tail(&self) -> usize {
            self.tail.get()
        }
        fn set_head(&self, at: usize) {
            self.head.set(at)
        }
        fn set_tail(&self, at: usize) {
            self.tail.set(at)
        }
        fn read_len(&self, at: usize) -> u32 {
            u32::from_ne_bytes(self.buf.borrow()[at..at + 4].try_into().unwrap())
        }
        fn write_len(&self, at: usize, n: u32) {
            self.put(at, &n.to_ne_bytes())
        }
    }

    // Expected values below were observed on Mongoose 7.23 with the same
    // sequence of calls on a 32-byte buffer filled with 0xee.
    #[test]
    fn sequence_matches_mongoose() {
        let q = VecRing::new(32);
        assert_eq!(book(&q, 4), (4, 24));
        assert_eq!(q.state(), (0, 0));
        q.put(4, b"abcd");
        add(&q, 4);
        assert_eq!(q.state(), (0, 8));
        assert_eq!(q.hex(), format!("0400000061626364{}", "ee".repeat(24)));
        assert_eq!(book(&q, 100), (12, 0));
        assert_eq!(book(&q, 0), (12, 16));
        assert_eq!(book(&q, 20), (12, 0));
        assert_eq!(book(&q, 16), (12, 16));
        assert_eq!(next(&q), (4, 4));
        del(&q, 4);
        assert_eq!(q.state(), (8, 8));
        assert_eq!(next(&q), (12, 0));
        assert_eq!(book(&q, 10), (12, 16));
        add(&q, 10);
        assert_eq!(q.state(), (8, 22));
        // Too long for the end, and the reader is not past offset 8: no wrap.
        assert_eq!(book(&q, 10), (26, 0));
        assert_eq!(q.state(), (8, 22));
        assert_eq!(next(&q), (12, 10));
        del(&q, 10);
        assert_eq!(q.state(), (22, 22));
        // Now the writer wraps, leaving a 0 marker at 22.
        assert_eq!(book(&q, 10), (4, 14));
        assert_eq!(q.state(), (22, 0));
        add(&q, 10);
        assert_eq!(q.state(), (22, 14));
        assert_eq!(q.hex(), format!("0a000000616263640a000000{}00000000{}", "ee".repeat(10), "ee".repeat(6)));
        assert_eq!(next(&q), (4, 10));
        assert_eq!(q.state(), (0, 14));
    }

    #[test]
    fn wrap_even_when_the_message_does_not_fit_after_it() {
        let q = VecRing::new(32);
        assert_eq!(book(&q, 10).1, 24);
        add(&q, 10);
        assert_eq!(book(&q, 6).1, 10);
        add(&q, 6);
        assert_eq!(q.state(), (0, 24));
        assert_eq!(next(&q), (4, 10));
        del(&q, 10);
        assert_eq!(book(&q, 12), (4, 0));
        assert_eq!(q.state(), (14, 0));
        assert_eq!(&q.hex()[48..56], "00000000");
        assert_eq!(book(&q, 2), (4, 6));
        assert_eq!(book(&q, 6), (4, 0)); // 0 + 8 + 6 is not < 14
        assert_eq!(next(&q), (18, 6));
    }

    #[test]
    fn tiny_buffers() {
        for size in [0, 4, 7, 8] {
            let q = VecRing::new(size);
            assert_eq!(book(&q, 1), (4, 0), "size {size}");
            assert_eq!(book(&q, 0), (4, 0), "size {size}");
            assert_eq!(next(&q), (4, 0));
        }
        let q = VecRing::new(9);
        assert_eq!(book(&q, 1), (4, 1));
        add(&q, 1);
        assert_eq!(next(&q), (4, 1));
    }

    #[test]
    fn zero_and_oversized_commits_are_ignored() {
        let q = VecRing::new(32);
        add(&q, 0);
        assert_eq!(q.state(), (0, 0));
        add(&q, 25); // 0 + 25 + 8 > 32
        assert_eq!(q.state(), (0, 0));
        add(&q, 24);
        assert_eq!(q.state(), (0, 28));
        assert_eq!(next(&q), (4, 24));
        del(&q, 100); // past the end: ignored
        assert_eq!(q.state(), (0, 28));
        assert_eq!(book(&q, usize::MAX), (32, 0));
    }

    #[test]
    fn corrupt_length_reads_as_empty() {
        let q = VecRing::new(16);
        q.write_len(0, 1000);
        q.set_head(8);
        assert_eq!(next(&q), (4, 0));
    }

    /// Many messages of varying sizes through a small ring, in FIFO order.
    #[test]
    fn fifo_through_many_wraps() {
        let q = VecRing::new(64);
        let mut pending = std::collections::VecDeque::new();
        let (mut sent, mut got) = (0usize, 0usize);
        for round in 0..5000usize {
            let len = (round * 7) % 23 + 1;
            let (at, space) = book(&q, len);
            if space >= len {
                for i in 0..len {
                    q.put(at + i, &[(sent + i) as u8]);
                }
                add(&q, len);
                pending.push_back((sent, len));
                sent += 1;
            }
            if round % 3 != 0 {
                let (at, n) = next(&q);
                if let Some((id, want)) = pending.pop_front() {
                    assert_eq!(n, want, "message {id}");
                    let b = q.buf.borrow()[at..at + n].to_vec();
                    for (i, x) in b.iter().enumerate() {
                        assert_eq!(*x, (id + i) as u8);
                    }
                    del(&q, n);
                    got += 1;
                } else {
                    assert_eq!(n, 0);
                }
            }
        }
        assert!(sent > 1000 && got > 1000, "{sent} {got}");
    }
}
