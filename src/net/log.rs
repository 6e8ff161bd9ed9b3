//! Logging: the exported `mg_log_level` variable, the character sink, the
//! 40-column prefix and the hexdump text, plus the `error`/`info`/`debug`/
//! `verbose` helpers the library uses for its own messages. The C entry
//! points (`mg_log`, `mg_log_set_fn`, `mg_hexdump`...) are shims in
//! `ffi::log`.
use crate::abi::{mg_pfn_t, MG_LL_DEBUG, MG_LL_ERROR, MG_LL_INFO, MG_LL_VERBOSE};
use core::ffi::{c_char, c_int, c_void};
use std::sync::Mutex;

/// Current log level; programs assign it directly (`mg_log_set`).
#[no_mangle]
pub static mut mg_log_level: c_int = MG_LL_DEBUG;

/// The sink every log byte goes through.
struct Sink {
    fn_: mg_pfn_t,
    param: *mut c_void,
}

// SAFETY: the sink is a C function pointer and its argument; the program that
// installs it vouches for calling it from the threads that log.
unsafe impl Send for Sink {}

static SINK: Mutex<Sink> = Mutex::new(Sink { fn_: Some(putchar_sink), param: core::ptr::null_mut() });

/// The default sink: C's `putchar`, so log lines share the program's stdout
/// buffer (as `mg_pfn_stdout` does).
unsafe extern "C" fn putchar_sink(c: c_char, _param: *mut c_void) {
    // SAFETY: plain libc call.
    unsafe { libc::putchar(c_int::from(c as u8)) };
}

/// Write bytes through the sink. The sink is copied out and the lock
/// released before calling it, so a sink may itself log (e.g. forward lines
/// over a connection whose code logs) or call `mg_log_set_fn` without
/// deadlocking.
pub fn emit(bytes: &[u8]) {
    let (fn_, param) = {
        let sink = SINK.lock().unwrap_or_else(|e| e.into_inner());
        (sink.fn_, sink.param)
    };
    if let Some(f) = fn_ {
        for &b in bytes {
            // SAFETY: the function and argument installed by `mg_log_set_fn`
            // (or our own stdout writer).
            unsafe { f(b as c_char, param) };
        }
    }
}

/// The level in force.
pub fn level() -> c_int {
    // SAFETY: a plain int read; programs write it from the same thread.
    unsafe { core::ptr::read_volatile(core::ptr::addr_of!(mg_log_level)) }
}

/// The 40-column prefix (`mg_log_prefix`).
pub fn prefix(ll: c_int, file: &[u8], line: c_int, fname: &[u8]) -> Vec<u8> {
    let base = file.rsplit(|&c| c == b'/' || c == b'\\').next().unwrap_or(file);
    let mut v = format!("{:<6x} {ll} ", crate::net::millis()).into_bytes();
    v.extend_from_slice(base);
    v.extend_from_slice(format!(":{line}:").as_bytes());
    v.extend_from_slice(fname);
    v.truncate(39);
    v.resize(40, b' ');
    v
}

#[track_caller]
fn log_at(ll: c_int, args: std::fmt::Arguments) {
    if ll > level() {
        return;
    }
    let at = std::panic::Location::caller();
    let mut line = prefix(ll, at.file().as_bytes(), at.line() as c_int, b"");
    line.extend_from_slice(args.to_string().as_bytes());
    line.extend_from_slice(b"\r\n");
    emit(&line);
}

/// A library message at MG_LL_ERROR.
#[track_caller]
pub fn error(args: std::fmt::Arguments) {
    log_at(MG_LL_ERROR, args)
}

/// A library message at MG_LL_INFO.
#[track_caller]
pub fn info(args: std::fmt::Arguments) {
    log_at(MG_LL_INFO, args)
}

/// A library message at MG_LL_DEBUG.
#[track_caller]
pub fn debug(args: std::fmt::Arguments) {
    log_at(MG_LL_DEBUG, args)
}

/// A library message at MG_LL_VERBOSE.
#[track_caller]
pub fn verbose(args: std::fmt::Arguments) {
    log_at(MG_LL_VERBOSE, args)
}

/// Mongoose's hexdump text: offset, 16 hex bytes, ASCII, one line per 16.
pub fn hexdump_text(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for (n, row) in data.chunks(16).enumerate() {
        // Exactly 4 hex digits: past 64 KiB the offset wraps, as Mongoose
        // prints only its low 16 bits.
        out.extend_from_slice(format!("{:04x}   ", (n * 16) & 0xffff).as_bytes());
        for k in 0..16 {
            match row.get(k) {
                Some(b) => out.extend_from_slice(format!("{b:02x} ").as_bytes()),
                None => out.extend_from_slice(b"   "),
            }
        }
        out.extend_from_slice(b"  ");
        for k in 0..16 {
            out.push(match row.get(k) {
                Some(&b) if (0x20..0x7f).contains(&b) => b,
                Some(_) => b'.',
                None => b' ',
            });
        }
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Dump bytes through the sink whatever the level (as `mg_hexdump`).
pub fn hexdump(data: &[u8]) {
    emit(&hexdump_text(data));
}

/// Replace the log sink; `None` restores the default (stdout).
pub fn set_sink(fn_: mg_pfn_t, param: *mut c_void) {
    let mut sink = SINK.lock().unwrap_or_else(|e| e.into_inner());
    *sink = Sink { fn_: fn_.or(Some(putchar_sink)), param };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_40_columns() {
        let p = prefix(2, b"/src/dir/main.c", 7, b"main");
        assert_eq!(p.len(), 40);
        let s = String::from_utf8(p).unwrap();
        assert!(s.contains(" 2 main.c:7:main "), "{s:?}");
        let long = prefix(1, b"a_very_long_file_name_for_testing.c", 12345, b"some_function_name");
        assert_eq!(long.len(), 40);
        assert_eq!(long[39], b' ');
    }

    #[test]
    fn hexdump_layout() {
        let t = String::from_utf8(hexdump_text(b"GET / HTTP/1.1\r\nHost")).unwrap();
        let want = "0000   47 45 54 20 2f 20 48 54 54 50 2f 31 2e 31 0d 0a   GET / HTTP/1.1..\r\n\
                    0010   48 6f 73 74                                       Host            \r\n";
        assert_eq!(t, want);
        let big = hexdump_text(&[0u8; 0x10010]);
        assert_eq!(big.len(), 0x1001 * 75);
        assert!(big[0x1000 * 75..].starts_with(b"0000   00 "), "offset keeps 4 digits");
    }
}
