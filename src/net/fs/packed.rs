//! `mg_fs_packed`: the exported read-only filesystem over the program's
//! `mg_mem_files` table (paths such as `/web_root/index.html`).
use super::vfs::c_path;
use crate::abi::*;
use crate::net::guard::{guard, guard_unit};
use core::ffi::{c_char, c_int, c_void, CStr};
use core::ptr;

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

/// `mg_unpacked`: the bytes of in-memory file `path`, if there is one.
pub fn unpacked(path: &[u8]) -> Option<(*const u8, usize)> {
    mem_files().into_iter().find(|f| f.path == path).map(|f| (f.data, f.size))
}
