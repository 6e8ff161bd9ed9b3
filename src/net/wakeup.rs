//! State shared with other threads and with signal handlers: an eventfd that
//! interrupts the poller, the `mg_wakeup` queue, and results of background
//! name resolution. Everything here is safe to touch from any thread; the
//! signal-handler path only uses atomics and `write(2)`.
use crate::abi::mg_addr;
use libc::c_int;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// A finished host-name lookup for connection `id`.
pub struct Resolved {
    pub id: libc::c_ulong,
    pub addr: Option<mg_addr>,
}

pub struct Shared {
    /// Non-blocking eventfd registered with the poller.
    pub efd: c_int,
    /// `mg_wakeup_init` was called.
    pub wakeup_enabled: AtomicBool,
    /// Pending `mg_wakeup` messages, in send order.
    pub queue: Mutex<VecDeque<(libc::c_ulong, Vec<u8>)>>,
    /// Finished DNS lookups.
    pub resolved: Mutex<Vec<Resolved>>,
    /// Shutdown signals received (SIGINT/SIGTERM), counted by the handler.
    pub signals: AtomicUsize,
}

impl Shared {
    pub fn new() -> std::io::Result<Shared> {
        // SAFETY: plain eventfd(2) call.
        let efd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
        if efd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Shared {
            efd,
            wakeup_enabled: AtomicBool::new(false),
            queue: Mutex::new(VecDeque::new()),
            resolved: Mutex::new(Vec::new()),
            signals: AtomicUsize::new(0),
        })
    }

    /// Interrupt the poller. Async-signal-safe.
    pub fn notify(&self) {
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a live u64 to our eventfd; a full
        // counter (EAGAIN) already means "wake up", so the result is ignored.
        unsafe { libc::write(self.efd, &one as *const u64 as *const libc::c_void, 8) };
    }

    /// Reset the eventfd counter after a wakeup.
    pub fn drain(&self) {
        let mut v: u64 = 0;
        // SAFETY: reads 8 bytes into a live u64; EAGAIN just means "empty".
        unsafe { libc::read(self.efd, &mut v as *mut u64 as *mut libc::c_void, 8) };
    }

    /// Queue one wakeup message (any thread). False if wakeup is not enabled.
    pub fn wakeup(&self, id: libc::c_ulong, data: &[u8]) -> bool {
        if id == 0 || !self.wakeup_enabled.load(Ordering::Acquire) {
            return false;
        }
        self.queue.lock().unwrap_or_else(|e| e.into_inner()).push_back((id, data.to_vec()));
        self.notify();
        true
    }

    pub fn take_wakeups(&self) -> VecDeque<(libc::c_ulong, Vec<u8>)> {
        std::mem::take(&mut *self.queue.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn take_resolved(&self) -> Vec<Resolved> {
        std::mem::take(&mut *self.resolved.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        // SAFETY: we own the eventfd.
        unsafe { libc::close(self.efd) };
    }
}
