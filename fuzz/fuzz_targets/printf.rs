//! The Mongoose printf engine (`core::fmt::xprintf` over `SliceArgs`) and
//! the built-in `%M` printers.
//!
//! Input: `format NUL material`. The format string is fuzzed against a fixed
//! list of 24 arguments (ints, doubles, strings, NULL strings, pointers and
//! `%M` printers) whose kinds and values are taken from `material` (a default
//! list is used when there is none). Running out of arguments is defined
//! behaviour of `SliceArgs` (missing ones read as 0 / empty) and is exercised
//! too.
#![no_main]

use base64::Engine as _;
use libfuzzer_sys::fuzz_target;
use mongoose::core::fmt::{
    format, print_base64, print_esc, print_hex, print_html_esc, snprintf, xprintf, Arg, Printer, SliceArgs,
};

const NARGS: usize = 24;

/// Field widths are honoured however large they are (as in Mongoose:
/// `%999999999d` prints a billion spaces), so digit runs in the format are
/// bounded here to keep each run fast; this is a harness limit, not a bug.
fn widths_ok(fmt: &[u8]) -> bool {
    let mut total = 0usize;
    for run in fmt.split(|c| !c.is_ascii_digit()) {
        if run.len() > 6 {
            return false;
        }
        total += run.iter().fold(0usize, |a, &d| a * 10 + usize::from(d - b'0'));
    }
    total <= 200_000
}

fn word(mat: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    for (i, x) in b.iter_mut().enumerate() {
        *x = mat[(at + i) % mat.len()];
    }
    u64::from_le_bytes(b)
}

fn build_args<'a>(mat: &'a [u8], printers: &[Printer<'a>; 4]) -> Vec<Arg<'a>> {
    if mat.is_empty() {
        let defaults: [Arg<'a>; 12] = [
            Arg::Int(-42),
            Arg::Str(Some(b"hello")),
            Arg::Double(3.25),
            Arg::Int(i64::MIN),
            Arg::Double(1e300),
            Arg::Str(None),
            Arg::Ptr(0xdead_beef),
            Arg::Print(printers[0]),
            Arg::Double(f64::NAN),
            Arg::Int(7),
            Arg::Double(-5e-324),
            Arg::Str(Some(b"a\0b")),
        ];
        return (0..NARGS).map(|k| defaults[k % defaults.len()]).collect();
    }
    (0..NARGS)
        .map(|k| {
            let v = word(mat, 8 * k + 1);
            match mat[k % mat.len()] % 9 {
                0 => Arg::Int(v as i64),
                1 => Arg::Int(i64::from(v as i16)),
                2 => Arg::Double(f64::from_bits(v)),
                3 => Arg::Double((v as i32) as f64 / 1000.0),
                4 => {
                    let start = (v as usize) % mat.len();
                    let len = ((v >> 32) as usize) % (mat.len() - start + 1);
                    Arg::Str(Some(&mat[start..start + len]))
                }
                5 => Arg::Str(None),
                6 => Arg::Ptr(v as usize),
                7 => Arg::Print(printers[(v % 4) as usize]),
                _ => Arg::Int(i64::from(v as i32)),
            }
        })
        .collect()
}

fn run(fmt: &[u8], args: &[Arg]) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let mut src = SliceArgs::new(args);
    let n = xprintf(&mut |b| out.push(b), fmt, &mut src);
    assert_eq!(n, out.len(), "xprintf's count differs from the bytes it emitted");
    (out, src.consumed())
}

fn check_printers(mat: &[u8]) {
    let mut v = Vec::new();
    let n = print_hex(&mut |b| v.push(b), mat);
    assert_eq!((n, v.len()), (2 * mat.len(), 2 * mat.len()));

    v.clear();
    let n = print_base64(&mut |b| v.push(b), mat);
    assert_eq!(n, v.len());
    assert_eq!(v, base64::engine::general_purpose::STANDARD.encode(mat).as_bytes());

    // JSON escaping stops at the first NUL and is reversible.
    v.clear();
    let n = print_esc(&mut |b| v.push(b), mat);
    assert_eq!(n, v.len());
    let upto = mat.split(|&c| c == 0).next().unwrap();
    let mut back = Vec::new();
    let mut it = v.iter();
    while let Some(&c) = it.next() {
        if c == b'\\' {
            back.push(match *it.next().expect("dangling backslash") {
                b'b' => 8,
                b'f' => 12,
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                e => e,
            });
        } else {
            assert!(!matches!(c, b'"' | b'\n' | b'\r' | b'\t' | 8 | 12), "unescaped {c:#x}");
            back.push(c);
        }
    }
    assert_eq!(back, upto);

    v.clear();
    let n = print_html_esc(&mut |b| v.push(b), mat);
    assert_eq!(n, v.len());
    assert!(!v.iter().any(|c| matches!(c, b'<' | b'>' | b'"')));
    let s = String::from_utf8_lossy(&v)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    assert_eq!(s, String::from_utf8_lossy(mat));
}

fuzz_target!(|data: &[u8]| {
    let (fmt, mat) = match data.iter().position(|&c| c == 0) {
        Some(k) => (&data[..k], &data[k + 1..]),
        None => (data, &data[..0]),
    };
    if mat.len() <= 64 {
        check_printers(mat);
    }
    if !widths_ok(fmt) {
        return;
    }
    let esc = |out: &mut dyn FnMut(u8)| {
        print_esc(out, mat);
    };
    let hex = |out: &mut dyn FnMut(u8)| {
        print_hex(out, &mat[..mat.len().min(16)]);
    };
    let b64 = |out: &mut dyn FnMut(u8)| {
        print_base64(out, &mat[..mat.len().min(16)]);
    };
    let nothing = |_: &mut dyn FnMut(u8)| {};
    let printers: [Printer; 4] = [&esc, &hex, &b64, &nothing];
    let args = build_args(mat, &printers);

    let (out, used) = run(fmt, &args);
    assert_eq!(format(fmt, &args), out);

    // How many arguments are consumed depends on the format alone, and the
    // arguments past that count are never looked at.
    let (_, used_none) = run(fmt, &[]);
    assert_eq!(used, used_none, "argument count depends on the argument values");
    assert!(used <= 2 * fmt.iter().filter(|&&c| c == b'%').count());
    let (out_prefix, _) = run(fmt, &args[..used.min(args.len())]);
    assert_eq!(out_prefix, out, "output depends on arguments past the consumed ones");

    // A format is cut at its first NUL (there is none in `fmt` here).
    let mut with_nul = fmt.to_vec();
    with_nul.extend_from_slice(b"\0%d%s");
    assert_eq!(run(&with_nul, &args).0, out);

    // mg_snprintf: full length returned, truncated NUL-terminated copy.
    for cap in [0usize, 1, 2, 7, out.len(), out.len() + 1, out.len() + 8] {
        let mut buf = vec![0xAAu8; cap];
        let n = snprintf(&mut buf, fmt, &args);
        assert_eq!(n, out.len());
        if cap > 0 {
            let k = out.len().min(cap - 1);
            assert_eq!(&buf[..k], &out[..k]);
            assert_eq!(buf[k], 0);
            assert!(buf[k + 1..].iter().all(|&b| b == 0xAA), "snprintf wrote past its output");
        }
    }
});
