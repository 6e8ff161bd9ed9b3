//! The JSON scanner (`core::json`): `get` with a fuzzed path, the typed
//! getters, unescaping into small buffers, and `next` iteration.
//!
//! Input: `path NUL json`. Without a NUL the whole input is the document and
//! the path is `$`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mongoose::core::json::{
    get, get_b64, get_bool, get_hex, get_num, get_str, next, scan_number, unescape, INVALID, NOT_FOUND, TOO_DEEP,
};

fuzz_target!(|data: &[u8]| {
    let (path, json) = match data.iter().position(|&c| c == 0) {
        Some(k) => (&data[..k], &data[k + 1..]),
        None => (&b"$"[..], data),
    };
    match get(json, path) {
        Ok((o, n)) => {
            assert!(n >= 1 && o + n <= json.len(), "{o}+{n} of {}", json.len());
            let tok = &json[o..o + n];
            assert!(matches!(tok[0], b'{' | b'[' | b'"' | b't' | b'f' | b'n' | b'-' | b'0'..=b'9'));
            // A token is a complete value on its own.
            assert_eq!(get(tok, b"$"), Ok((0, n)), "{:?}", String::from_utf8_lossy(tok));
            if matches!(tok[0], b'-' | b'0'..=b'9') {
                assert_eq!(scan_number(tok).len, n);
                assert!(!get_num(json, path).expect("a number").is_nan());
            } else {
                assert_eq!(get_num(json, path), None);
            }
            assert_eq!(get_bool(json, path).is_some(), matches!(tok[0], b't' | b'f'));
        }
        Err(e) => {
            assert!([TOO_DEEP, INVALID, NOT_FOUND].contains(&e));
            assert_eq!(get_num(json, path), None);
            assert_eq!(get_str(json, path), None);
        }
    }
    let _ = (get_hex(json, path), get_b64(json, path));

    // Unescaping: never past the buffer, NUL-terminated when it says so,
    // and every size agrees with the roomiest one.
    let full = get_str(json, path);
    let mut big = vec![0xaau8; json.len() + 2];
    let all = unescape(json, path, &mut big);
    for n in 0..8usize.min(json.len() + 2) {
        let mut out = vec![0xaau8; n + 1];
        let r = unescape(json, path, &mut out[..n]);
        assert_eq!(out[n], 0xaa, "wrote past {n}");
        assert!(r == 0 || r < n);
        if r > 0 {
            assert_eq!(out[r], 0);
            assert_eq!(r, all);
            assert_eq!(out[..r], big[..r]);
        }
    }
    if let Some(s) = &full {
        assert!(all <= s.len());
        assert_eq!(s[..all], big[..all]);
    }

    // Iteration makes progress and stays inside the document.
    let mut ofs = 0;
    for _ in 0..=json.len() {
        let (n, k, v) = next(json, ofs);
        for (a, l) in k.into_iter().chain(v) {
            assert!(a + l <= json.len());
        }
        if n == 0 {
            break;
        }
        assert!(n > ofs && n <= json.len(), "{ofs} -> {n}");
        ofs = n;
    }
});
