//! `mg_fs_posix`: the exported POSIX filesystem (`stat`, `readdir`,
//! `fopen`...), a real `struct mg_fs` programs can copy or modify.
use crate::abi::*;
use crate::net::guard::{guard, guard_unit};
use core::ffi::{c_char, c_int, c_void, CStr};
use core::ptr;

pub(super) unsafe extern "C" fn posix_st(
    path: *const c_char,
    size: *mut usize,
    mtime: *mut libc::time_t,
) -> c_int {
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

pub(super) unsafe extern "C" fn posix_op(path: *const c_char, flags: c_int) -> *mut c_void {
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

pub(super) unsafe extern "C" fn posix_rd(fd: *mut c_void, buf: *mut c_void, len: usize) -> usize {
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
