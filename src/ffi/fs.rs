//! Filesystem (`mongoose.h`: FS, static files, uploads): the `mg_fs_posix`
//! and `mg_fs_packed` filesystems as real exported `struct mg_fs` objects,
//! the in-memory file table, the `mg_fs_*`/`mg_file_*` helpers, and the
//! static-file entry points (served by `net::fs`).
use crate::abi::*;
use crate::core::fs as core_fs;
use crate::ffi::guard::{guard, guard_unit};
use crate::net;
use core::ffi::{c_char, c_int, c_long, c_void, CStr};
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
fn c_path(path: &[u8]) -> Option<CString> {
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

// ---------------------------------------------------------------------------
// mg_fs_posix

unsafe extern "C" fn posix_st(path: *const c_char, size: *mut usize, mtime: *mut libc::time_t) -> c_int {
    if path.is_null() {
        return 0;
    }
    guard(0, || {
        // SAFETY: all-zero is a valid `stat`; `path` is NUL-terminated; the
        // out-parameters are valid when non-NULL.
        unsafe {
            let mut st: libc::stat = core::mem::zeroed();
            if libc::stat(path, &mut st) != 0 {
                return 0;
            }
            if !size.is_null() {
                *size = st.st_size as usize;
            }
            if !mtime.is_null() {
                *mtime = st.st_mtime;
            }
            let dir = if st.st_mode & libc::S_IFMT == libc::S_IFDIR { MG_FS_DIR } else { 0 };
            MG_FS_READ | MG_FS_WRITE | dir
        }
    })
}

unsafe extern "C" fn posix_ls(
    path: *const c_char,
    f: Option<unsafe extern "C" fn(*const c_char, *mut c_void)>,
    arg: *mut c_void,
) {
    let Some(f) = f else { return };
    if path.is_null() {
        return;
    }
    // SAFETY: `path` NUL-terminated; the directory stream is used only
    // between opendir and closedir; `d_name` is NUL-terminated.
    guard_unit(|| unsafe {
        let d = libc::opendir(path);
        if d.is_null() {
            return;
        }
        loop {
            let e = libc::readdir(d);
            if e.is_null() {
                break;
            }
            let name = (*e).d_name.as_ptr();
            let b = CStr::from_ptr(name).to_bytes();
            if b != b"." && b != b".." {
                f(name, arg);
            }
        }
        libc::closedir(d);
    })
}

unsafe extern "C" fn posix_op(path: *const c_char, flags: c_int) -> *mut c_void {
    if path.is_null() {
        return ptr::null_mut();
    }
    let mode: &CStr = if flags == MG_FS_READ {
        c"rbe"
    } else if flags & MG_FS_EXCL != 0 {
        c"wxbe"
    } else {
        c"a+be"
    };
    // SAFETY: two NUL-terminated strings.
    guard(ptr::null_mut(), || unsafe { libc::fopen(path, mode.as_ptr()) as *mut c_void })
}

unsafe extern "C" fn posix_cl(fd: *mut c_void) {
    if !fd.is_null() {
        // SAFETY: `fd` is a FILE * from `posix_op`.
        unsafe { libc::fclose(fd as *mut libc::FILE) };
    }
}

unsafe extern "C" fn posix_rd(fd: *mut c_void, buf: *mut c_void, len: usize) -> usize {
    if fd.is_null() || buf.is_null() {
        return 0;
    }
    // SAFETY: a FILE * from `posix_op`; `buf` writable for `len` bytes.
    unsafe { libc::fread(buf, 1, len, fd as *mut libc::FILE) }
}

unsafe extern "C" fn posix_wr(fd: *mut c_void, buf: *const c_void, len: usize) -> usize {
    if fd.is_null() || buf.is_null() {
        return 0;
    }
    // SAFETY: a FILE * from `posix_op`; `buf` readable for `len` bytes.
    unsafe { libc::fwrite(buf, 1, len, fd as *mut libc::FILE) }
}

unsafe extern "C" fn posix_sk(fd: *mut c_void, offset: usize) -> usize {
    if fd.is_null() {
        return 0;
    }
    // SAFETY: a FILE * from `posix_op`.
    unsafe {
        let fp = fd as *mut libc::FILE;
        libc::fseeko(fp, offset as libc::off_t, libc::SEEK_SET);
        libc::ftello(fp) as usize
    }
}

unsafe extern "C" fn posix_mv(from: *const c_char, to: *const c_char) -> bool {
    // SAFETY: NUL-terminated paths (checked for NULL).
    !from.is_null() && !to.is_null() && unsafe { libc::rename(from, to) } == 0
}

unsafe extern "C" fn posix_rm(path: *const c_char) -> bool {
    // SAFETY: a NUL-terminated path (checked for NULL).
    !path.is_null() && unsafe { libc::remove(path) } == 0
}

unsafe extern "C" fn posix_mkd(path: *const c_char) -> bool {
    // SAFETY: a NUL-terminated path (checked for NULL).
    !path.is_null() && unsafe { libc::mkdir(path, 0o775) } == 0
}

/// The POSIX filesystem (`stat`, `readdir`, `fopen`...). Programs take its
/// address (`opts.fs = &mg_fs_posix`), and may copy or modify it.
#[no_mangle]
pub static mut mg_fs_posix: mg_fs = mg_fs {
    st: Some(posix_st),
    ls: Some(posix_ls),
    op: Some(posix_op),
    cl: Some(posix_cl),
    rd: Some(posix_rd),
    wr: Some(posix_wr),
    sk: Some(posix_sk),
    mv: Some(posix_mv),
    rm: Some(posix_rm),
    mkd: Some(posix_mkd),
};

// ---------------------------------------------------------------------------
// mg_fs_packed over mg_mem_files

/// The in-memory files `mg_fs_packed` serves: an array terminated by an
/// entry whose `path` is NULL. NULL (the default) means no files.
#[no_mangle]
pub static mut mg_mem_files: *const mg_mem_file = ptr::null();

/// One in-memory file, as the packed filesystem sees it.
struct MemFile {
    path: &'static [u8],
    data: *const u8,
    size: usize,
    mtime: i64,
}

/// The entries of `mg_mem_files` (read afresh on every call).
fn mem_files() -> Vec<MemFile> {
    let mut out = Vec::new();
    // SAFETY: the program points `mg_mem_files` at a NULL-path-terminated
    // array of entries with NUL-terminated paths that live as long as the
    // program uses the packed filesystem (normally static data).
    unsafe {
        let base = ptr::addr_of!(mg_mem_files).read();
        if base.is_null() {
            return out;
        }
        let mut i = 0;
        loop {
            let e = &*base.add(i);
            if e.path.is_null() {
                break;
            }
            out.push(MemFile {
                path: CStr::from_ptr(e.path).to_bytes(),
                data: e.data,
                size: e.size,
                mtime: e.mtime,
            });
            i += 1;
        }
    }
    out
}

/// The part of `entry` below directory `dir`, if it is below it.
fn below<'a>(entry: &'a [u8], dir: &[u8]) -> Option<&'a [u8]> {
    let rest = entry.strip_prefix(dir)?;
    if dir.ends_with(b"/") {
        Some(rest)
    } else {
        rest.strip_prefix(b"/")
    }
}

/// An open in-memory file.
struct PackedFd {
    data: *const u8,
    size: usize,
    pos: usize,
}

unsafe extern "C" fn packed_st(path: *const c_char, size: *mut usize, mtime: *mut libc::time_t) -> c_int {
    if path.is_null() {
        return 0;
    }
    guard(0, || {
        // SAFETY: NUL-terminated path.
        let p = unsafe { CStr::from_ptr(path) }.to_bytes();
        let files = mem_files();
        let (flags, sz, mt) = if let Some(f) = files.iter().find(|f| f.path == p) {
            (MG_FS_READ, f.size, f.mtime)
        } else if files.iter().any(|f| below(f.path, p).is_some_and(|r| !r.is_empty())) {
            (MG_FS_DIR, 0, 0)
        } else {
            return 0;
        };
        // SAFETY: out-parameters valid when non-NULL.
        unsafe {
            if !size.is_null() {
                *size = sz;
            }
            if !mtime.is_null() {
                *mtime = mt;
            }
        }
        flags
    })
}

unsafe extern "C" fn packed_ls(
    path: *const c_char,
    f: Option<unsafe extern "C" fn(*const c_char, *mut c_void)>,
    arg: *mut c_void,
) {
    let Some(f) = f else { return };
    if path.is_null() {
        return;
    }
    guard_unit(|| {
        // SAFETY: NUL-terminated path.
        let p = unsafe { CStr::from_ptr(path) }.to_bytes();
        let mut seen: Vec<&[u8]> = Vec::new();
        let files = mem_files();
        for file in &files {
            let Some(rest) = below(file.path, p) else {
                continue;
            };
            let name = rest.split(|&c| c == b'/').next().unwrap_or(b"");
            if name.is_empty() || seen.contains(&name) {
                continue;
            }
            seen.push(name);
            if let Some(c) = c_path(name) {
                // SAFETY: the program's callback with a NUL-terminated name.
                unsafe { f(c.as_ptr(), arg) };
            }
        }
    })
}

unsafe extern "C" fn packed_op(path: *const c_char, flags: c_int) -> *mut c_void {
    if path.is_null() || flags & (MG_FS_WRITE | MG_FS_EXCL) != 0 {
        return ptr::null_mut();
    }
    guard(ptr::null_mut(), || {
        // SAFETY: NUL-terminated path.
        let p = unsafe { CStr::from_ptr(path) }.to_bytes();
        match mem_files().into_iter().find(|f| f.path == p) {
            Some(f) => {
                Box::into_raw(Box::new(PackedFd { data: f.data, size: f.size, pos: 0 })) as *mut c_void
            }
            None => ptr::null_mut(),
        }
    })
}

unsafe extern "C" fn packed_cl(fd: *mut c_void) {
    if !fd.is_null() {
        // SAFETY: a handle made by `packed_op`, closed once.
        drop(unsafe { Box::from_raw(fd as *mut PackedFd) });
    }
}

unsafe extern "C" fn packed_rd(fd: *mut c_void, buf: *mut c_void, len: usize) -> usize {
    if fd.is_null() || buf.is_null() {
        return 0;
    }
    // SAFETY: a handle from `packed_op` over `size` readable bytes; `buf`
    // writable for `len` bytes.
    unsafe {
        let h = &mut *(fd as *mut PackedFd);
        let n = len.min(h.size.saturating_sub(h.pos));
        if n > 0 && !h.data.is_null() {
            ptr::copy_nonoverlapping(h.data.add(h.pos), buf as *mut u8, n);
            h.pos += n;
            return n;
        }
        0
    }
}

unsafe extern "C" fn packed_wr(_fd: *mut c_void, _buf: *const c_void, _len: usize) -> usize {
    0
}

unsafe extern "C" fn packed_sk(fd: *mut c_void, offset: usize) -> usize {
    if fd.is_null() {
        return 0;
    }
    // SAFETY: a handle from `packed_op`.
    let h = unsafe { &mut *(fd as *mut PackedFd) };
    h.pos = offset.min(h.size);
    h.pos
}

unsafe extern "C" fn packed_mv(_from: *const c_char, _to: *const c_char) -> bool {
    false
}

unsafe extern "C" fn packed_rm(_path: *const c_char) -> bool {
    false
}

unsafe extern "C" fn packed_mkd(_path: *const c_char) -> bool {
    false
}

/// Read-only filesystem over `mg_mem_files` (paths such as
/// `/web_root/index.html`; directories are implied by the paths).
#[no_mangle]
pub static mut mg_fs_packed: mg_fs = mg_fs {
    st: Some(packed_st),
    ls: Some(packed_ls),
    op: Some(packed_op),
    cl: Some(packed_cl),
    rd: Some(packed_rd),
    wr: Some(packed_wr),
    sk: Some(packed_sk),
    mv: Some(packed_mv),
    rm: Some(packed_rm),
    mkd: Some(packed_mkd),
};

/// The contents of in-memory file `path` from `mg_mem_files`, or
/// `{NULL, 0}` if there is no such file.
#[no_mangle]
pub unsafe extern "C" fn mg_unpacked(path: *const c_char) -> mg_str {
    if path.is_null() {
        return mg_str::NULL;
    }
    guard(mg_str::NULL, || {
        // SAFETY: NUL-terminated path.
        let p = unsafe { CStr::from_ptr(path) }.to_bytes();
        mem_files()
            .into_iter()
            .find(|f| f.path == p)
            .map_or(mg_str::NULL, |f| mg_str { buf: f.data as *mut c_char, len: f.size })
    })
}

// ---------------------------------------------------------------------------
// mg_fs_* and mg_file_* helpers

/// Open `path` on `fs` (NULL: `mg_fs_posix`) with `MG_FS_*` flags. Returns
/// a heap `struct mg_fd` to close with `mg_fs_close`, or NULL on failure.
#[no_mangle]
pub unsafe extern "C" fn mg_fs_open(fs: *mut mg_fs, path: *const c_char, flags: c_int) -> *mut mg_fd {
    if path.is_null() {
        return ptr::null_mut();
    }
    guard(ptr::null_mut(), || {
        // SAFETY: `fs` NULL or a valid filesystem; `path` NUL-terminated.
        let (fs, p) = unsafe { (Fs::new(fs), CStr::from_ptr(path).to_bytes()) };
        open_fd(&fs, p, flags)
    })
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

/// Close a file from `mg_fs_open` and free it; NULL is a no-op.
#[no_mangle]
pub unsafe extern "C" fn mg_fs_close(fd: *mut mg_fd) {
    if fd.is_null() {
        return;
    }
    // SAFETY: `fd` came from `mg_fs_open` and is closed once.
    guard_unit(|| unsafe { close_fd(fd) })
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

/// Stateless directory iterator: start with `buf[0] = 0`; each call stores
/// the entry after the one in `buf` (truncated to `len`) and returns true,
/// or clears `buf` and returns false after the last one.
#[no_mangle]
pub unsafe extern "C" fn mg_fs_ls(fs: *mut mg_fs, path: *const c_char, buf: *mut c_char, len: usize) -> bool {
    if path.is_null() || buf.is_null() || len == 0 {
        return false;
    }
    guard(false, || {
        // SAFETY: `fs` NULL or valid; `path` NUL-terminated; `buf` holds a
        // NUL-terminated string within its `len` writable bytes.
        let (fs, p, out) = unsafe {
            (
                Fs::new(fs),
                CStr::from_ptr(path).to_bytes(),
                core::slice::from_raw_parts_mut(buf as *mut u8, len),
            )
        };
        let cur_len = out.iter().position(|&b| b == 0).unwrap_or(len);
        let current = out[..cur_len].to_vec();
        let names = fs.ls(p);
        match core_fs::ls_next(&names, &current) {
            Some(next) => {
                crate::core::http::write_truncated(out, next);
                true
            }
            None => {
                out[0] = 0;
                false
            }
        }
    })
}

/// Read a whole file into a NUL-terminated heap buffer (free with
/// `mg_free`). Returns `{buf, size}`, or `{NULL, 0}` on any failure.
#[no_mangle]
pub unsafe extern "C" fn mg_file_read(fs: *mut mg_fs, path: *const c_char) -> mg_str {
    if path.is_null() {
        return mg_str::NULL;
    }
    guard(mg_str::NULL, || {
        // SAFETY: `fs` NULL or valid; `path` NUL-terminated.
        let (fs, p) = unsafe { (Fs::new(fs), CStr::from_ptr(path).to_bytes()) };
        let Some(data) = fs.read_file(p) else {
            return mg_str::NULL;
        };
        // SAFETY: C allocation of `len + 1` zeroed bytes, filled below.
        unsafe {
            let out = libc::calloc(1, data.len() + 1) as *mut u8;
            if out.is_null() {
                return mg_str::NULL;
            }
            ptr::copy_nonoverlapping(data.as_ptr(), out, data.len());
            mg_str { buf: out as *mut c_char, len: data.len() }
        }
    })
}

/// Replace `path` with `len` bytes of `buf`, through a temporary file and a
/// rename. True iff everything was written and renamed.
#[no_mangle]
pub unsafe extern "C" fn mg_file_write(
    fs: *mut mg_fs,
    path: *const c_char,
    buf: *const c_void,
    len: usize,
) -> bool {
    if path.is_null() || (buf.is_null() && len > 0) {
        return false;
    }
    guard(false, || {
        // SAFETY: `fs` NULL or valid; `path` NUL-terminated; `buf` readable
        // for `len` bytes.
        let (fs, p, data) = unsafe {
            let data: &[u8] = if len == 0 { &[] } else { core::slice::from_raw_parts(buf as *const u8, len) };
            (Fs::new(fs), CStr::from_ptr(path).to_bytes(), data)
        };
        fs.write_file(p, data)
    })
}

/// Body of the variadic `mg_file_printf` (see variadic.c).
/// cbindgen:ignore
#[no_mangle]
pub unsafe extern "C" fn mg_rs_file_vprintf(
    fs: *mut mg_fs,
    path: *const c_char,
    fmt: *const c_char,
    ap: *mut va_list,
) -> bool {
    if path.is_null() || fmt.is_null() {
        return false;
    }
    guard(false, || {
        // SAFETY: a C format string and the caller's matching va_list;
        // `fs` NULL or valid; `path` NUL-terminated.
        unsafe {
            let text = crate::ffi::fmt::format_va(fmt, ap);
            Fs::new(fs).write_file(CStr::from_ptr(path).to_bytes(), &text)
        }
    })
}

/// Whether a path is safe to serve: false for a leading `~` or `..`, any
/// `/..` or `\..`, or a NUL byte.
#[no_mangle]
pub unsafe extern "C" fn mg_path_is_sane(path: mg_str) -> bool {
    // SAFETY: the view is readable by contract.
    guard(false, || core_fs::path_is_sane(unsafe { path.as_bytes() }))
}

// ---------------------------------------------------------------------------
// Static files and uploads

/// Serve a request from a document root (call on `MG_EV_HTTP_MSG`): files,
/// `index.html`, directory listings, 301 to add a slash, 304, 206/416,
/// `.gz` variants, 404 or `page404`. `400 Invalid path` for traversal
/// attempts (`..`, encoded or with backslashes, NUL bytes) and, with
/// `mg_fs_posix`, for symlinks leading out of the root. A NULL or empty
/// `root_dir` serves the URI as a filesystem path (the whole filesystem, as
/// in Mongoose). The head is queued now, file bodies stream on later polls.
/// NULL `c`, `hm` or `opts` does nothing.
#[no_mangle]
pub unsafe extern "C" fn mg_http_serve_dir(
    c: *mut mg_connection,
    hm: *mut mg_http_message,
    opts: *const mg_http_serve_opts,
) {
    if c.is_null() || hm.is_null() || opts.is_null() {
        return;
    }
    // SAFETY: live connection, a message whose views are readable, options
    // whose strings are NUL-terminated or NULL.
    guard_unit(|| unsafe { net::fs::serve_dir(c, &*hm, &net::fs::Opts::from_c(opts)) })
}

/// Serve one file (Etag/304, Range, `.gz`, `page404`, 404). `opts` may be
/// NULL. NULL `c`, `hm` or `path` does nothing.
#[no_mangle]
pub unsafe extern "C" fn mg_http_serve_file(
    c: *mut mg_connection,
    hm: *mut mg_http_message,
    path: *const c_char,
    opts: *const mg_http_serve_opts,
) {
    if c.is_null() || hm.is_null() || path.is_null() {
        return;
    }
    // SAFETY: as for `mg_http_serve_dir`; `path` NUL-terminated.
    guard_unit(|| unsafe {
        net::fs::serve_file(c, &*hm, CStr::from_ptr(path).to_bytes(), &net::fs::Opts::from_c(opts))
    })
}

/// Server-side includes (always on in mongoose-rs): reply `200`
/// `text/html; charset=utf-8` with `fullpath` expanded, `<!--#include
/// file="x" -->` relative to its directory and `<!--#include virtual="x" -->`
/// relative to `root`, nested up to 5 levels; `404` if it cannot be read.
#[no_mangle]
pub unsafe extern "C" fn mg_http_serve_ssi(
    c: *mut mg_connection,
    root: *const c_char,
    fullpath: *const c_char,
) {
    if c.is_null() || fullpath.is_null() {
        return;
    }
    // SAFETY: live connection; NUL-terminated strings (root may be NULL).
    guard_unit(|| unsafe {
        let root = if root.is_null() { &b""[..] } else { CStr::from_ptr(root).to_bytes() };
        net::ssi::serve(c, root, CStr::from_ptr(fullpath).to_bytes(), core::ptr::null_mut())
    })
}

/// Store the request body in `dir/<file>` at `<offset>` (query variables),
/// replying itself. Returns the new file size, 0 for an empty body, or
/// -1 no file, -2 bad name, -3 bad offset, -4 over `max_size`, -5 offset
/// mismatch, -6 open failure (each with a 400). NULL `c`/`hm`/`dir` → -1
/// (nothing sent).
#[no_mangle]
pub unsafe extern "C" fn mg_http_upload(
    c: *mut mg_connection,
    hm: *mut mg_http_message,
    fs: *mut mg_fs,
    dir: *const c_char,
    max_size: usize,
) -> c_long {
    if c.is_null() || hm.is_null() || dir.is_null() {
        return -1;
    }
    // SAFETY: live connection, readable message, `fs` NULL or valid, `dir`
    // NUL-terminated.
    guard(-1, || unsafe {
        net::fs::upload(c, &*hm, Fs::new(fs), CStr::from_ptr(dir).to_bytes(), max_size) as c_long
    })
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
