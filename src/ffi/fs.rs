//! TODO (static files)
use crate::abi::*;
use core::ffi::c_char;

/// Body of the variadic `mg_file_printf` (see variadic.c).
/// cbindgen:ignore
#[no_mangle]
pub unsafe extern "C" fn mg_rs_file_vprintf(_fs: *mut mg_fs, _path: *const c_char, _fmt: *const c_char, _ap: *mut va_list) -> bool {
    false
}
