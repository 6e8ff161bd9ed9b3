//! Calling through a `struct mg_fs` from Rust: the [`Fs`] wrapper (a
//! missing function pointer is a failing call), whole-file read/write, and
//! `mg_fd` allocation for `mg_fs_open`/`mg_fs_close`.
use super::posix::{mg_fs_posix, posix_op, posix_rd, posix_st};
use crate::abi::*;
use crate::core::fs as core_fs;
use crate::net::guard::guard_unit;
use core::ffi::{c_char, c_int, c_void, CStr};
use core::ptr;
use std::ffi::CString;

// ---------------------------------------------------------------------------
// Calling through a `struct mg_fs`.

/// What `fs->st` reported for a path that exists.
#[derive(Clone, Copy, Debug)]
pub struct Stat {
    /// `MG_FS_*` bits (never 0).
    pub flags: c_int,
    pub size: usize,
    pub mtime: i64,
}

impl Stat {
    pub fn is_dir(&self) -> bool {
        self.flags & MG_FS_DIR != 0
    }
}

/// A filesystem the library calls only through its function pointers
/// (programs supply their own `struct mg_fs`, or modify ours). A missing
/// function pointer behaves as a failing call.
#[derive(Clone, Copy)]
pub struct Fs {
    p: *const mg_fs,
}

/// A path as C wants it; `None` when it contains a NUL byte.
pub(super) fn c_path(path: &[u8]) -> Option<CString> {
    CString::new(path).ok()
}

impl Fs {
    /// Wrap `p`, or `&mg_fs_posix` when `p` is NULL.
    ///
    /// # Safety
    /// A non-NULL `p` must point at a `struct mg_fs` whose non-NULL members
    /// behave as documented, for as long as the `Fs` (or any file opened
    /// through it) is used.
    pub unsafe fn new(p: *const mg_fs) -> Fs {
        if p.is_null() {
            Fs { p: ptr::addr_of!(mg_fs_posix) }
        } else {
            Fs { p }
        }
    }

    /// The wrapped pointer (what an `mg_fd` records as its filesystem).
    pub fn ptr(&self) -> *mut mg_fs {
        self.p as *mut mg_fs
    }

    fn get(&self) -> &mg_fs {
        // SAFETY: `new`'s contract: `p` points at a live `mg_fs`.
        unsafe { &*self.p }
    }

    /// Whether this is the POSIX filesystem (by its `st` function), so paths
    /// are real paths the OS can canonicalise.
    pub fn is_posix(&self) -> bool {
        self.get().st.map(|f| f as usize) == Some(posix_st as *const () as usize)
    }

    /// The kernel file descriptor behind `fd` when this filesystem opens
    /// and reads files with the POSIX functions (so `fd` is a `FILE *`),
    /// with the stream's logical position; else `None`.
    ///
    /// # Safety
    /// `fd` from this filesystem's `op`.
    #[allow(clippy::useless_conversion)] // `ftell`'s c_long is 32-bit on some targets
    pub unsafe fn posix_fd(&self, fd: *mut c_void) -> Option<(c_int, i64)> {
        let f = self.get();
        let ours = f.op.map(|x| x as usize) == Some(posix_op as *const () as usize)
            && f.rd.map(|x| x as usize) == Some(posix_rd as *const () as usize);
        if !ours || fd.is_null() {
            return None;
        }
        // SAFETY: `posix_op` returned `fd`, a live `FILE *`.
        let (n, pos) = unsafe { (libc::fileno(fd as *mut libc::FILE), libc::ftell(fd as *mut libc::FILE)) };
        (n >= 0 && pos >= 0).then_some((n, i64::from(pos)))
    }

    /// `fs->st`; `None` when it reports 0 (absent).
    pub fn st(&self, path: &[u8]) -> Option<Stat> {
        let f = self.get().st?;
        let p = c_path(path)?;
        let (mut size, mut mtime): (usize, libc::time_t) = (0, 0);
        // SAFETY: a NUL-terminated path and two valid out-parameters.
        let flags = unsafe { f(p.as_ptr(), &mut size, &mut mtime) };
        (flags != 0).then_some(Stat { flags, size, mtime })
    }

    /// The names `fs->ls` reports for a directory, in its order.
    pub fn ls(&self, path: &[u8]) -> Vec<Vec<u8>> {
        let mut names: Vec<Vec<u8>> = Vec::new();
        let (Some(f), Some(p)) = (self.get().ls, c_path(path)) else {
            return names;
        };
        // SAFETY: `collect_name` receives `&mut names` back as its argument,
        // only during this call.
        unsafe { f(p.as_ptr(), Some(collect_name), &mut names as *mut Vec<Vec<u8>> as *mut c_void) };
        names
    }

    /// `fs->op`; `None` on failure.
    pub fn open(&self, path: &[u8], flags: c_int) -> Option<*mut c_void> {
        let f = self.get().op?;
        let p = c_path(path)?;
        // SAFETY: a NUL-terminated path.
        let fd = unsafe { f(p.as_ptr(), flags) };
        (!fd.is_null()).then_some(fd)
    }

    /// `fs->cl`.
    ///
    /// # Safety
    /// `fd` from this filesystem's `op`, not used afterwards.
    pub unsafe fn close(&self, fd: *mut c_void) {
        if let Some(f) = self.get().cl {
            // SAFETY: per the contract.
            unsafe { f(fd) }
        }
    }

    /// `fs->rd` into raw memory; never reports more than `len`.
    ///
    /// # Safety
    /// `fd` from this filesystem's `op`; `buf` writable for `len` bytes.
    pub unsafe fn read_raw(&self, fd: *mut c_void, buf: *mut u8, len: usize) -> usize {
        match self.get().rd {
            // SAFETY: per the contract.
            Some(f) => unsafe { f(fd, buf as *mut c_void, len) }.min(len),
            None => 0,
        }
    }

    /// `fs->wr`; never reports more than `data.len()`.
    ///
    /// # Safety
    /// `fd` from this filesystem's `op`.
    pub unsafe fn write(&self, fd: *mut c_void, data: &[u8]) -> usize {
        match self.get().wr {
            // SAFETY: per the contract; `data` is a live slice.
            Some(f) => unsafe { f(fd, data.as_ptr() as *const c_void, data.len()) }.min(data.len()),
            None => 0,
        }
    }

    /// `fs->sk`: position the file at `offset`; returns the new position.
    ///
    /// # Safety
    /// `fd` from this filesystem's `op`.
    pub unsafe fn seek(&self, fd: *mut c_void, offset: usize) -> usize {
        match self.get().sk {
            // SAFETY: per the contract.
            Some(f) => unsafe { f(fd, offset) },
            None => 0,
        }
    }

    /// `fs->mv`.
    pub fn rename(&self, from: &[u8], to: &[u8]) -> bool {
        let (Some(f), Some(a), Some(b)) = (self.get().mv, c_path(from), c_path(to)) else {
            return false;
        };
        // SAFETY: two NUL-terminated paths.
        unsafe { f(a.as_ptr(), b.as_ptr()) }
    }

    /// `fs->rm`.
    pub fn remove(&self, path: &[u8]) -> bool {
        let (Some(f), Some(p)) = (self.get().rm, c_path(path)) else {
            return false;
        };
        // SAFETY: a NUL-terminated path.
        unsafe { f(p.as_ptr()) }
    }

    /// Read a whole file (size from `st`) into a vector; `None` on failure.
    pub fn read_file(&self, path: &[u8]) -> Option<Vec<u8>> {
        let st = self.st(path)?;
        let fd = self.open(path, MG_FS_READ)?;
        let mut buf = vec![0u8; st.size];
        let mut got = 0;
        while got < st.size {
            // SAFETY: `fd` is open; the tail of `buf` is writable for
            // `size - got` bytes.
            let n = unsafe { self.read_raw(fd, buf.as_mut_ptr().add(got), st.size - got) };
            if n == 0 {
                break;
            }
            got += n;
        }
        // SAFETY: `fd` is open and not used again.
        unsafe { self.close(fd) };
        (got == st.size).then_some(buf)
    }

    /// `mg_file_write`: write to a fresh temporary file next to `path`,
    /// then replace `path` with it. True iff everything was written and the
    /// rename worked.
    pub fn write_file(&self, path: &[u8], data: &[u8]) -> bool {
        let tmp = core_fs::temp_name(path, &random9());
        let Some(fd) = self.open(&tmp, MG_FS_WRITE | MG_FS_EXCL) else {
            return false;
        };
        // SAFETY: `fd` is open, then closed and not used again.
        let n = unsafe {
            let n = self.write(fd, data);
            self.close(fd);
            n
        };
        let mut ok = false;
        if n == data.len() {
            self.remove(path);
            ok = self.rename(&tmp, path);
        }
        self.remove(&tmp);
        ok
    }
}

/// The `fs->ls` callback behind [`Fs::ls`]: append the name to the vector.
unsafe extern "C" fn collect_name(name: *const c_char, arg: *mut c_void) {
    if name.is_null() || arg.is_null() {
        return;
    }
    guard_unit(|| {
        // SAFETY: `arg` is the `&mut Vec` passed by `Fs::ls` for this call;
        // `name` is NUL-terminated.
        unsafe { (*(arg as *mut Vec<Vec<u8>>)).push(CStr::from_ptr(name).to_bytes().to_vec()) }
    })
}

/// Nine random bytes for temporary names (the clock if the kernel refuses).
fn random9() -> [u8; 9] {
    let mut b = [0u8; 9];
    // SAFETY: `b` is writable for 9 bytes.
    let n = unsafe { libc::getrandom(b.as_mut_ptr() as *mut c_void, b.len(), 0) };
    if n != b.len() as isize {
        let t =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let x = t ^ (std::process::id() as u128) << 64;
        for (i, v) in b.iter_mut().enumerate() {
            *v = (x >> (i * 8)) as u8;
        }
    }
    b
}

/// `mg_fs_open` from Rust: allocate the `mg_fd` with the C allocator (so
/// `mg_free` works too) and open the file.
pub fn open_fd(fs: &Fs, path: &[u8], flags: c_int) -> *mut mg_fd {
    let Some(h) = fs.open(path, flags) else {
        return ptr::null_mut();
    };
    // SAFETY: plain C allocation, checked for NULL before use.
    let fd = unsafe { libc::calloc(1, core::mem::size_of::<mg_fd>()) } as *mut mg_fd;
    if fd.is_null() {
        // SAFETY: `h` is open and not used again.
        unsafe { fs.close(h) };
        return ptr::null_mut();
    }
    // SAFETY: `fd` is a fresh, zeroed, aligned allocation of an `mg_fd`.
    unsafe { fd.write(mg_fd { fd: h, fs: fs.ptr() }) };
    fd
}

/// `mg_fs_close` from Rust.
///
/// # Safety
/// `fd` from [`open_fd`] / `mg_fs_open`, not used afterwards.
pub unsafe fn close_fd(fd: *mut mg_fd) {
    // SAFETY: per the contract; the filesystem outlives its files.
    unsafe {
        Fs::new((*fd).fs).close((*fd).fd);
        libc::free(fd as *mut c_void);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn posix_round_trip() {
        let dir = std::env::temp_dir().join(format!("mgfs-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = format!("{}/f.txt", dir.display());
        // SAFETY: NULL selects mg_fs_posix.
        let fs = unsafe { Fs::new(ptr::null()) };
        assert!(fs.is_posix());
        assert!(fs.write_file(p.as_bytes(), b"hello"));
        assert!(fs.write_file(p.as_bytes(), b"bye"));
        assert_eq!(fs.read_file(p.as_bytes()).unwrap(), b"bye");
        let st = fs.st(p.as_bytes()).unwrap();
        assert_eq!((st.flags, st.size), (MG_FS_READ | MG_FS_WRITE, 3));
        assert!(fs.st(dir.to_str().unwrap().as_bytes()).unwrap().is_dir());
        assert_eq!(fs.ls(dir.to_str().unwrap().as_bytes()), vec![b"f.txt".to_vec()]);
        assert!(fs.remove(p.as_bytes()));
        assert!(fs.st(p.as_bytes()).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
