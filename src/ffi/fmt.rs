//! printf family: `mg_vxprintf`, `mg_vsnprintf`, `mg_vmprintf`, the output
//! functions (`mg_pfn_*`) and the built-in `%M`/`%m` printers (`mg_print_*`).
//! The variadic `mg_xprintf`/`mg_snprintf`/`mg_mprintf` live in variadic.c and
//! call the `v` versions here. The engine is `core::fmt`; this file only
//! reads C arguments and bridges C output functions.
use crate::abi::{mg_addr, mg_iobuf, mg_pfn_t, mg_pm_t, va_list};
use crate::core::fmt as engine;
use crate::ffi::guard::{guard, guard_unit};
use core::ffi::{c_char, c_int, c_long, c_longlong, c_void, CStr};
use core::{ptr, slice};

/// The `va_arg` helpers in variadic.c (internal, kept out of the header).
/// cbindgen:ignore
#[allow(unused_doc_comments)] // the annotation above is for cbindgen
extern "C" {
    fn mg_rs_va_int(ap: *mut va_list) -> c_int;
    fn mg_rs_va_long(ap: *mut va_list) -> c_long;
    fn mg_rs_va_llong(ap: *mut va_list) -> c_longlong;
    fn mg_rs_va_double(ap: *mut va_list) -> f64;
    fn mg_rs_va_ptr(ap: *mut va_list) -> *mut c_void;
}

/// Arguments read from a C `va_list` (NULL reads as zeros).
struct VaArgs {
    ap: *mut va_list,
}

impl VaArgs {
    /// # Safety
    /// `ap` is NULL or a live `va_list` whose remaining arguments match what
    /// the format string asks for, as in C.
    unsafe fn new(ap: *mut va_list) -> Self {
        VaArgs { ap }
    }

    fn cptr(&mut self) -> *mut c_void {
        if self.ap.is_null() {
            return ptr::null_mut();
        }
        // SAFETY: `new`'s contract: the next argument is a pointer.
        unsafe { mg_rs_va_ptr(self.ap) }
    }
}

impl engine::Args for VaArgs {
    fn int(&mut self) -> i32 {
        if self.ap.is_null() {
            return 0;
        }
        // SAFETY: `new`'s contract: the next argument is an int.
        unsafe { mg_rs_va_int(self.ap) }
    }
    #[allow(clippy::useless_conversion)] // c_long is i32 on some targets
    fn long(&mut self) -> i64 {
        if self.ap.is_null() {
            return 0;
        }
        // SAFETY: `new`'s contract: the next argument is a long.
        unsafe { mg_rs_va_long(self.ap) }.into()
    }
    fn llong(&mut self) -> i64 {
        if self.ap.is_null() {
            return 0;
        }
        // SAFETY: `new`'s contract: the next argument is a long long.
        unsafe { mg_rs_va_llong(self.ap) }
    }
    fn double(&mut self) -> f64 {
        if self.ap.is_null() {
            return 0.0;
        }
        // SAFETY: `new`'s contract: the next argument is a double.
        unsafe { mg_rs_va_double(self.ap) }
    }
    fn ptr(&mut self) -> usize {
        self.cptr() as usize
    }
    fn str(&mut self, prec: Option<usize>) -> &[u8] {
        let p = self.cptr() as *const c_char;
        if p.is_null() {
            return &[];
        }
        // SAFETY: C passed a string: NUL-terminated, or at least `prec`
        // readable bytes when a precision is given (Mongoose's contract). It
        // outlives this formatting call, which is all the slice is used for.
        unsafe {
            match prec {
                Some(n) => slice::from_raw_parts(p as *const u8, n),
                None => CStr::from_ptr(p).to_bytes(),
            }
        }
    }
    fn print(&mut self, out: &mut dyn FnMut(u8)) {
        let f = self.cptr();
        // SAFETY: C passed an `mg_pm_t` (or NULL) in this pointer slot;
        // function and data pointers have the same size on our targets.
        let f: mg_pm_t = unsafe { core::mem::transmute::<*mut c_void, mg_pm_t>(f) };
        if let Some(f) = f {
            let mut sink: &mut dyn FnMut(u8) = out;
            // SAFETY: the printer gets our trampoline with a pointer to `sink`,
            // which lives across the call, and the caller's `va_list`.
            unsafe { f(Some(pfn_closure), &mut sink as *mut &mut dyn FnMut(u8) as *mut c_void, self.ap) };
        }
    }
}

/// Output function that forwards to a Rust closure; `arg` points at a
/// `&mut dyn FnMut(u8)`. Lets C printers write into any Rust sink.
unsafe extern "C" fn pfn_closure(ch: c_char, arg: *mut c_void) {
    // SAFETY: only `VaArgs::print` passes this function, with such an `arg`.
    let sink = unsafe { &mut *(arg as *mut &mut dyn FnMut(u8)) };
    guard_unit(|| sink(ch as u8));
}

/// A Rust sink that calls C output function `fn_` (a NULL one drops bytes).
///
/// # Safety
/// `fn_` must be safe to call with `arg` for as long as the sink is used.
pub unsafe fn pfn_sink(fn_: mg_pfn_t, arg: *mut c_void) -> impl FnMut(u8) {
    move |b| {
        if let Some(f) = fn_ {
            // SAFETY: per this function's contract.
            unsafe { f(b as c_char, arg) }
        }
    }
}

/// Run the engine on a C format string and `va_list`, writing to `out`;
/// returns the number of bytes produced. A NULL `fmt` produces nothing.
///
/// # Safety
/// `fmt` is NULL or NUL-terminated; `ap` is NULL or a live `va_list` whose
/// arguments match `fmt`.
pub unsafe fn vxprintf_to(out: &mut dyn FnMut(u8), fmt: *const c_char, ap: *mut va_list) -> usize {
    if fmt.is_null() {
        return 0;
    }
    // SAFETY: per this function's contract.
    let (fmt, mut args) = unsafe { (CStr::from_ptr(fmt).to_bytes(), VaArgs::new(ap)) };
    engine::xprintf(out, fmt, &mut args)
}

/// Format a C format string and `va_list` into a vector.
///
/// # Safety
/// As [`vxprintf_to`].
pub unsafe fn format_va(fmt: *const c_char, ap: *mut va_list) -> Vec<u8> {
    let mut v = Vec::new();
    // SAFETY: per this function's contract.
    unsafe { vxprintf_to(&mut |b| v.push(b), fmt, ap) };
    v
}

/// Append formatted output to `io` the way `mg_pfn_iobuf` does (growing to
/// `len + 2` rounded to `align`, NUL kept after the data). Returns the bytes
/// appended, or `None` if the buffer could not grow (OOM).
///
/// # Safety
/// As [`vxprintf_to`]; `io` holds a C-heap buffer (or NULL).
pub unsafe fn vprintf_into_iobuf(io: &mut mg_iobuf, fmt: *const c_char, ap: *mut va_list) -> Option<usize> {
    let old = io.len;
    // SAFETY: per this function's contract.
    let n = unsafe { vxprintf_to(&mut |b| iobuf_putc(io, b, true), fmt, ap) };
    let added = io.len - old;
    (added == n).then_some(added)
}

/// One character into an iobuf, keeping a NUL after the data when there is
/// room. `grow == false` is `mg_pfn_iobuf_noresize`.
fn iobuf_putc(io: &mut mg_iobuf, ch: u8, grow: bool) {
    let need = io.len.saturating_add(2);
    if need > io.size && grow {
        io.resize(need); // on failure the checks below stop appending
    }
    if io.buf.is_null() {
        return;
    }
    if need <= io.size {
        // SAFETY: `len + 2 <= size` bytes are allocated at `buf`.
        unsafe {
            *io.buf.add(io.len) = ch;
            *io.buf.add(io.len + 1) = 0;
        }
        io.len += 1;
    } else if io.len < io.size {
        // SAFETY: `len < size`.
        unsafe { *io.buf.add(io.len) = 0 };
    }
}

/// Format into `fn(ch, arg)`, one call per character; returns the count.
#[no_mangle]
pub unsafe extern "C" fn mg_vxprintf(
    fn_: mg_pfn_t,
    arg: *mut c_void,
    fmt: *const c_char,
    ap: *mut va_list,
) -> usize {
    // SAFETY: the caller's output function, format string and va_list.
    guard(0, || unsafe {
        let mut out = pfn_sink(fn_, arg);
        vxprintf_to(&mut out, fmt, ap)
    })
}

/// Format into `buf` of `len` bytes, always NUL-terminated when `len > 0`.
/// Returns the full length the output needs (not counting the NUL).
#[no_mangle]
pub unsafe extern "C" fn mg_vsnprintf(
    buf: *mut c_char,
    len: usize,
    fmt: *const c_char,
    ap: *mut va_list,
) -> usize {
    let len = if buf.is_null() { 0 } else { len };
    let mut pos = 0;
    // SAFETY: `buf` holds `len` writable bytes; only `pos + 1 < len` is written.
    let n = guard(0, || unsafe {
        let mut out = |b: u8| {
            if pos + 1 < len {
                *buf.add(pos) = b as c_char;
                pos += 1;
            }
        };
        vxprintf_to(&mut out, fmt, ap)
    });
    if len > 0 {
        // SAFETY: `pos < len`.
        unsafe { *buf.add(pos) = 0 };
    }
    n
}

/// Format into a new NUL-terminated buffer (free it with `mg_free`).
/// Returns NULL if the output is empty or on out-of-memory.
#[no_mangle]
pub unsafe extern "C" fn mg_vmprintf(fmt: *const c_char, ap: *mut va_list) -> *mut c_char {
    let mut io = mg_iobuf::new(256);
    // SAFETY: the caller's format string and va_list.
    let ok = guard(None, || unsafe { vprintf_into_iobuf(&mut io, fmt, ap) }).is_some();
    if !ok || io.len == 0 {
        io.free();
        return ptr::null_mut();
    }
    io.buf as *mut c_char
}

/// Output function appending to the `struct mg_iobuf *` in `param`, growing
/// it as needed and keeping a NUL after the data.
#[no_mangle]
pub unsafe extern "C" fn mg_pfn_iobuf(ch: c_char, param: *mut c_void) {
    if param.is_null() {
        return;
    }
    // SAFETY: `param` is the caller's live iobuf.
    let io = unsafe { &mut *(param as *mut mg_iobuf) };
    guard_unit(|| iobuf_putc(io, ch as u8, true));
}

/// Like `mg_pfn_iobuf`, but never grows the buffer.
#[no_mangle]
pub unsafe extern "C" fn mg_pfn_iobuf_noresize(ch: c_char, param: *mut c_void) {
    if param.is_null() {
        return;
    }
    // SAFETY: `param` is the caller's live iobuf.
    let io = unsafe { &mut *(param as *mut mg_iobuf) };
    guard_unit(|| iobuf_putc(io, ch as u8, false));
}

/// Output function writing to stdout (`putchar`); `param` is ignored.
#[no_mangle]
pub unsafe extern "C" fn mg_pfn_stdout(c: c_char, param: *mut c_void) {
    let _ = param;
    // SAFETY: plain libc call; shares C's stdout buffer with the program.
    unsafe { libc::putchar(c_int::from(c as u8)) };
}

/// Read an `int len, const void *buf` argument pair. A NULL `buf` or a
/// negative length reads as empty; `len == 0` is returned as is.
///
/// # Safety
/// The next arguments in `ap` are an int and a pointer.
unsafe fn len_ptr(ap: *mut va_list) -> (usize, *const u8) {
    // SAFETY: per this function's contract.
    let mut a = unsafe { VaArgs::new(ap) };
    let len = engine::Args::int(&mut a);
    let p = a.cptr() as *const u8;
    (if p.is_null() { 0 } else { usize::try_from(len).unwrap_or(0) }, p)
}

/// Read a pointer to `N` bytes; None if NULL.
///
/// # Safety
/// The next argument in `ap` is NULL or points at `N` readable bytes.
unsafe fn bytes_arg<const N: usize>(ap: *mut va_list) -> Option<[u8; N]> {
    // SAFETY: per this function's contract.
    let p = unsafe { VaArgs::new(ap) }.cptr() as *const [u8; N];
    // SAFETY: non-NULL means `N` readable bytes; read unaligned-safe by value.
    (!p.is_null()).then(|| unsafe { ptr::read_unaligned(p) })
}

/// Read a `struct mg_addr *` as (ip bytes, is_ip6, port in host order);
/// None if NULL. `is_ip6` is read as a byte so a stray value is not UB.
///
/// # Safety
/// The next argument in `ap` is NULL or points at a live `mg_addr`.
unsafe fn addr_arg(ap: *mut va_list) -> Option<([u8; 16], bool, u16)> {
    // SAFETY: per this function's contract.
    let p = unsafe { VaArgs::new(ap) }.cptr() as *const mg_addr;
    if p.is_null() {
        return None;
    }
    // SAFETY: non-NULL means a live `mg_addr`; fields are read in place.
    unsafe {
        let ip = ptr::read_unaligned(ptr::addr_of!((*p).addr) as *const [u8; 16]);
        let v6 = ptr::read_unaligned(ptr::addr_of!((*p).is_ip6) as *const u8) != 0;
        let port = ptr::read_unaligned(ptr::addr_of!((*p).port));
        Some((ip, v6, u16::from_be(port)))
    }
}

/// `%M` printer: `int len, const char *s`, JSON-escaped (`len == 0`: up to
/// the NUL). Use as `MG_ESC(str)`.
#[no_mangle]
pub unsafe extern "C" fn mg_print_esc(out: mg_pfn_t, arg: *mut c_void, ap: *mut va_list) -> usize {
    // SAFETY: `ap` holds `int len, const char *s`; the string is read up to
    // `len` bytes or its NUL, whichever comes first, one byte at a time.
    guard(0, || unsafe {
        let mut a = VaArgs::new(ap);
        let len = engine::Args::int(&mut a);
        let p = a.cptr() as *const u8;
        if p.is_null() {
            return 0;
        }
        // 0 means strlen; a negative int becomes a huge size_t in Mongoose.
        let max = if len == 0 { usize::MAX } else { usize::try_from(len).unwrap_or(usize::MAX) };
        let mut n = 0;
        while n < max && *p.add(n) != 0 {
            n += 1;
        }
        engine::print_esc(&mut pfn_sink(out, arg), slice::from_raw_parts(p, n))
    })
}

/// `%M` printer: `int len, const void *buf` as lowercase hex.
#[no_mangle]
pub unsafe extern "C" fn mg_print_hex(out: mg_pfn_t, arg: *mut c_void, ap: *mut va_list) -> usize {
    // SAFETY: `ap` holds `int len, const void *buf` with `len` readable bytes.
    guard(0, || unsafe {
        let (len, p) = len_ptr(ap);
        let bytes = if len == 0 { &[][..] } else { slice::from_raw_parts(p, len) };
        engine::print_hex(&mut pfn_sink(out, arg), bytes)
    })
}

/// `%M` printer: `int len, const void *buf` as base64 with padding.
#[no_mangle]
pub unsafe extern "C" fn mg_print_base64(out: mg_pfn_t, arg: *mut c_void, ap: *mut va_list) -> usize {
    // SAFETY: `ap` holds `int len, const void *buf` with `len` readable bytes.
    guard(0, || unsafe {
        let (len, p) = len_ptr(ap);
        let bytes = if len == 0 { &[][..] } else { slice::from_raw_parts(p, len) };
        engine::print_base64(&mut pfn_sink(out, arg), bytes)
    })
}

/// `%M` printer: `int len, const char *s` with `& < > "` HTML-escaped.
#[no_mangle]
pub unsafe extern "C" fn mg_print_html_esc(out: mg_pfn_t, arg: *mut c_void, ap: *mut va_list) -> usize {
    // SAFETY: `ap` holds `int len, const char *s` with `len` readable bytes.
    guard(0, || unsafe {
        let (len, p) = len_ptr(ap);
        let bytes = if len == 0 { &[][..] } else { slice::from_raw_parts(p, len) };
        engine::print_html_esc(&mut pfn_sink(out, arg), bytes)
    })
}

/// `%M` printer: `struct mg_addr *` as `1.2.3.4` or `[0:0:0:0:0:0:0:1]`.
#[no_mangle]
pub unsafe extern "C" fn mg_print_ip(out: mg_pfn_t, arg: *mut c_void, ap: *mut va_list) -> usize {
    // SAFETY: `ap` holds a `struct mg_addr *`.
    guard(0, || unsafe {
        match addr_arg(ap) {
            Some((ip, v6, _)) => engine::print_ip(&mut pfn_sink(out, arg), &ip, v6),
            None => 0,
        }
    })
}

/// `%M` printer: `struct mg_addr *` as `1.2.3.4:80` or `[...]:80`.
#[no_mangle]
pub unsafe extern "C" fn mg_print_ip_port(out: mg_pfn_t, arg: *mut c_void, ap: *mut va_list) -> usize {
    // SAFETY: `ap` holds a `struct mg_addr *`.
    guard(0, || unsafe {
        match addr_arg(ap) {
            Some((ip, v6, port)) => engine::print_ip_port(&mut pfn_sink(out, arg), &ip, v6, port),
            None => 0,
        }
    })
}

/// `%M` printer: `const uint8_t *` (4 bytes) as `a.b.c.d`.
#[no_mangle]
pub unsafe extern "C" fn mg_print_ip4(out: mg_pfn_t, arg: *mut c_void, ap: *mut va_list) -> usize {
    // SAFETY: `ap` holds a pointer to 4 bytes.
    guard(0, || unsafe {
        match bytes_arg::<4>(ap) {
            Some(ip) => engine::print_ip4(&mut pfn_sink(out, arg), &ip),
            None => 0,
        }
    })
}

/// `%M` printer: `const uint8_t *` (16 bytes) as `[x:x:x:x:x:x:x:x]`.
#[no_mangle]
pub unsafe extern "C" fn mg_print_ip6(out: mg_pfn_t, arg: *mut c_void, ap: *mut va_list) -> usize {
    // SAFETY: `ap` holds a pointer to 16 bytes.
    guard(0, || unsafe {
        match bytes_arg::<16>(ap) {
            Some(ip) => engine::print_ip6(&mut pfn_sink(out, arg), &ip),
            None => 0,
        }
    })
}

/// `%M` printer: `const uint8_t *` (6 bytes) as `01:02:03:aa:bb:cc`.
#[no_mangle]
pub unsafe extern "C" fn mg_print_mac(out: mg_pfn_t, arg: *mut c_void, ap: *mut va_list) -> usize {
    // SAFETY: `ap` holds a pointer to 6 bytes.
    guard(0, || unsafe {
        match bytes_arg::<6>(ap) {
            Some(mac) => engine::print_hex_groups(&mut pfn_sink(out, arg), &mac),
            None => 0,
        }
    })
}

/// `%M` printer: `const uint8_t *` (8 bytes) as eight `%02x` joined by `:`.
#[no_mangle]
pub unsafe extern "C" fn mg_print_ieee64(out: mg_pfn_t, arg: *mut c_void, ap: *mut va_list) -> usize {
    // SAFETY: `ap` holds a pointer to 8 bytes.
    guard(0, || unsafe {
        match bytes_arg::<8>(ap) {
            Some(eui) => engine::print_hex_groups(&mut pfn_sink(out, arg), &eui),
            None => 0,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::mg_addr_ip;
    use core::ffi::c_uint;

    /// The C variadic entry points from variadic.c, callable from Rust.
    /// cbindgen:ignore
    #[allow(unused_doc_comments)] // the annotation above is for cbindgen
    extern "C" {
        fn mg_snprintf(buf: *mut c_char, len: usize, fmt: *const c_char, ...) -> usize;
        fn mg_mprintf(fmt: *const c_char, ...) -> *mut c_char;
        fn mg_xprintf(fn_: mg_pfn_t, arg: *mut c_void, fmt: *const c_char, ...) -> usize;
    }

    type Pm = unsafe extern "C" fn(mg_pfn_t, *mut c_void, *mut va_list) -> usize;

    /// `mg_snprintf` into a roomy buffer; checks the count matches.
    macro_rules! sn {
        ($fmt:expr $(, $a:expr)*) => {{
            let mut buf = [0u8; 256];
            // SAFETY: arguments match the format, as a C caller would pass them.
            let n = unsafe { mg_snprintf(buf.as_mut_ptr() as *mut c_char, buf.len(), $fmt.as_ptr() $(, $a)*) };
            let s = CStr::from_bytes_until_nul(&buf).unwrap().to_str().unwrap().to_string();
            assert_eq!(n, s.len());
            s
        }};
    }

    #[test]
    fn c_varargs_reach_the_engine() {
        assert_eq!(sn!(c"%d|%5s|%c", -42 as c_int, c"ab".as_ptr(), b'x' as c_int), "-42|   ab|x");
        assert_eq!(
            sn!(c"%ld %lld %lu", -1 as c_long, -9_000_000_000 as c_longlong, u64::MAX),
            "-1 -9000000000 18446744073709551615"
        );
        assert_eq!(sn!(c"%u %x %X", u32::MAX, 255 as c_uint, 0xAB as c_uint), "4294967295 ff ab");
        assert_eq!(sn!(c"%g %f %.2f", 1234567.0f64, 0.05f64, 1.23456f64), "1.23457e+06 0.050000 1.23");
        assert_eq!(sn!(c"%p %s|", 0x1234usize as *const c_void, ptr::null::<c_char>()), "0x1234 |");
        // Precision means exactly that many bytes, NULs included (Mongoose).
        let mut buf = [0x55u8; 16];
        // SAFETY: int precision and a 5-byte buffer, as the format asks.
        let n = unsafe {
            mg_snprintf(
                buf.as_mut_ptr() as *mut c_char,
                16,
                c"%.*s|%i".as_ptr(),
                3 as c_int,
                b"ab\0cd".as_ptr(),
            )
        };
        assert_eq!((n, &buf[..7]), (6, &b"ab\0|%i\0"[..]));
    }

    #[test]
    fn snprintf_truncates_and_terminates() {
        let mut buf = [0x55u8; 5];
        // SAFETY: no conversions; `buf` has 5 bytes.
        let n = unsafe { mg_snprintf(buf.as_mut_ptr() as *mut c_char, 5, c"hello world".as_ptr()) };
        assert_eq!((n, &buf), (11, b"hell\0"));
        // SAFETY: measuring only.
        assert_eq!(unsafe { mg_snprintf(ptr::null_mut(), 0, c"%d".as_ptr(), 12345 as c_int) }, 5);
    }

    #[test]
    fn builtin_printers_via_m() {
        let mut v4 = [0u8; 16];
        v4[..4].copy_from_slice(&[1, 2, 3, 4]);
        let addr = mg_addr { addr: mg_addr_ip { ip: v4 }, port: 80u16.to_be(), scope_id: 0, is_ip6: false };
        let mut v6 = [0u8; 16];
        v6[15] = 1;
        let a6 = mg_addr { addr: mg_addr_ip { ip: v6 }, port: 8080u16.to_be(), scope_id: 0, is_ip6: true };
        let mac = [1u8, 2, 3, 0xaa, 0xbb, 0xcc];
        let (esc, hex, b64, html): (Pm, Pm, Pm, Pm) =
            (mg_print_esc, mg_print_hex, mg_print_base64, mg_print_html_esc);
        let (ip, ipp, ip4, ip6, pmac): (Pm, Pm, Pm, Pm, Pm) =
            (mg_print_ip, mg_print_ip_port, mg_print_ip4, mg_print_ip6, mg_print_mac);
        assert_eq!(sn!(c"%m", esc, 0 as c_int, c"a\"b\n".as_ptr()), r#""a\"b\n""#);
        assert_eq!(sn!(c"%M|", esc, 2 as c_int, c"a\"b".as_ptr()), r#"a\"|"#);
        assert_eq!(sn!(c"%M", hex, 3 as c_int, b"\x01\xab\xff".as_ptr()), "01abff");
        assert_eq!(sn!(c"%M", b64, 5 as c_int, b"hello".as_ptr()), "aGVsbG8=");
        assert_eq!(sn!(c"%M", html, 4 as c_int, b"<&\">".as_ptr()), "&lt;&amp;&quot;&gt;");
        assert_eq!(
            sn!(c"%M %M", ip, &addr as *const mg_addr, ipp, &addr as *const mg_addr),
            "1.2.3.4 1.2.3.4:80"
        );
        assert_eq!(sn!(c"%M", ipp, &a6 as *const mg_addr), "[0:0:0:0:0:0:0:1]:8080");
        assert_eq!(
            sn!(c"%M-%M", ip4, b"\x7f\0\0\x01".as_ptr(), ip6, v6.as_ptr()),
            "127.0.0.1-[0:0:0:0:0:0:0:1]"
        );
        assert_eq!(sn!(c"%m%d", pmac, mac.as_ptr(), 7 as c_int), "\"01:02:03:aa:bb:cc\"7");
    }

    #[test]
    fn mprintf_allocates_and_returns_null_when_empty() {
        // SAFETY: arguments match the formats; the result is C-heap memory.
        unsafe {
            let p = mg_mprintf(c"%s-%d".as_ptr(), c"x".as_ptr(), 5 as c_int);
            assert_eq!(CStr::from_ptr(p).to_bytes(), b"x-5");
            libc::free(p as *mut c_void);
            assert!(mg_mprintf(c"%s".as_ptr(), c"".as_ptr()).is_null());
            let long = [b'z'; 1000];
            let p = mg_mprintf(c"%.*s".as_ptr(), 1000 as c_int, long.as_ptr());
            assert_eq!(CStr::from_ptr(p).to_bytes(), &long[..]);
            libc::free(p as *mut c_void);
        }
    }

    #[test]
    fn pfn_iobuf_grows_and_keeps_a_nul() {
        let mut io = mg_iobuf::new(0);
        // SAFETY: `io` is a live iobuf; formats match their arguments.
        unsafe {
            let n = mg_xprintf(
                Some(mg_pfn_iobuf),
                &mut io as *mut _ as *mut c_void,
                c"%s=%d".as_ptr(),
                c"a".as_ptr(),
                1 as c_int,
            );
            assert_eq!((n, io.data(), io.size), (3, &b"a=1"[..], 4));
            assert_eq!(*io.buf.add(3), 0);
            io.free();
            let mut io = mg_iobuf::new(16);
            mg_xprintf(Some(mg_pfn_iobuf), &mut io as *mut _ as *mut c_void, c"hello".as_ptr());
            assert_eq!((io.data(), io.size), (&b"hello"[..], 16));
            io.free();
        }
    }

    #[test]
    fn pfn_iobuf_noresize_stops_at_capacity() {
        let mut io = mg_iobuf::new(0);
        assert!(io.resize(4));
        // SAFETY: `io` is a live iobuf.
        unsafe {
            let n =
                mg_xprintf(Some(mg_pfn_iobuf_noresize), &mut io as *mut _ as *mut c_void, c"abcdef".as_ptr());
            assert_eq!((n, io.data(), io.size), (6, &b"abc"[..], 4));
            assert_eq!(*io.buf.add(3), 0);
        }
        io.free();
    }

    #[test]
    fn vprintf_into_iobuf_appends() {
        let mut io = mg_iobuf::new(16);
        assert!(io.append(b"x"));
        // SAFETY: no conversions, so the NULL va_list is never read.
        let n = unsafe { vprintf_into_iobuf(&mut io, c"yz".as_ptr(), ptr::null_mut()) };
        assert_eq!((n, io.data()), (Some(2), &b"xyz"[..]));
        io.free();
    }

    #[test]
    fn null_arguments_are_harmless() {
        // SAFETY: NULL format / NULL va_list are tolerated.
        unsafe {
            assert_eq!(mg_vxprintf(None, ptr::null_mut(), ptr::null(), ptr::null_mut()), 0);
            assert_eq!(format_va(c"%d%s|".as_ptr(), ptr::null_mut()), b"0|");
        }
        assert_eq!(sn!(c"[%M]", ptr::null::<c_void>()), "[]");
        let ip: Pm = mg_print_ip;
        assert_eq!(sn!(c"[%M]", ip, ptr::null::<mg_addr>()), "[]");
    }
}
