//! `mg_match` (`core::str::glob_caps`) with captures, plus the other `mg_str`
//! helpers of `core::str` on the same bytes.
//!
//! Input: `pattern NUL string`. Without a NUL the input is matched against
//! itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mongoose::core::str::{casecmp, glob, glob_caps, span, strcmp, to_num, to_size_t};

fn is_wild(c: u8) -> bool {
    matches!(c, b'?' | b'*' | b'#')
}

/// Plain dynamic-programming glob (`?` one byte, `*` a run without `/`, `#`
/// any run): the full-backtracking semantics Mongoose's single-back-track
/// scan approximates. With `slash_star`, `*` may span `/` too.
fn dp_match(s: &[u8], pat: &[u8], slash_star: bool) -> bool {
    let n = s.len();
    // ok[i] = s[i..] matches pat[j..] (for the current j, going backwards).
    let mut ok = vec![false; n + 1];
    ok[n] = true;
    for &p in pat.iter().rev() {
        let mut next = vec![false; n + 1];
        for i in (0..=n).rev() {
            next[i] = match p {
                b'#' => ok[i] || (i < n && next[i + 1]),
                b'*' => ok[i] || (i < n && (slash_star || s[i] != b'/') && next[i + 1]),
                b'?' => i < n && ok[i + 1],
                c => i < n && s[i] == c && ok[i + 1],
            };
        }
        ok = next;
    }
    ok[0]
}

fn check_match(s: &[u8], pat: &[u8]) {
    let nwild = pat.iter().filter(|&&c| is_wild(c)).count();
    // Sentinel: element never written by glob_caps.
    const UNTOUCHED: Option<Option<(usize, usize)>> = None;
    let mut caps = vec![UNTOUCHED; nwild + 1];
    let matched = glob_caps(s, pat, &mut |k, r| {
        // Callers size caps as wildcards + 1: that bound must hold.
        assert!(k <= nwild, "capture index {k} with {nwild} wildcards");
        if let Some((a, b)) = r {
            assert!(a <= b && b <= s.len(), "capture {k} = {a}..{b} outside 0..{}", s.len());
        }
        caps[k] = Some(r);
    });
    assert_eq!(matched, glob(s, pat));
    assert_eq!(caps[0].is_some(), true, "caps[0] not initialised");

    if matched {
        // The captures and the pattern's literals must spell out `s` exactly.
        let mut pos = 0;
        let mut k = 0;
        for &c in pat {
            if is_wild(c) {
                let (a, b) = caps[k]
                    .flatten()
                    .unwrap_or_else(|| panic!("capture {k} unset after a match: {caps:?}"));
                assert_eq!(a, pos, "capture {k} does not start where the previous part ended: {caps:?}");
                // A `*` capture may contain `/`: Mongoose tests the byte at
                // the mismatch, not the one the wildcard swallows (API.md §2,
                // `/api/x/y/z` matches `/api/*/z`), so only `?` is checked.
                if c == b'?' {
                    assert_eq!(b, a + 1, "? capture {k} not one byte");
                }
                pos = b;
                k += 1;
            } else {
                assert_eq!(s.get(pos), Some(&c), "literal {c:#x} not at {pos}");
                pos += 1;
            }
        }
        assert_eq!(pos, s.len(), "captures + literals do not cover the string");
    }

    // Full-backtracking reference: every Mongoose match is a match when `*`
    // may span `/`; without `*` the single back-track scan is exact; and with
    // `/`-free strings `*` and `#` mean the same, so it is exact there too.
    if s.len().saturating_mul(pat.len()) <= 1 << 16 {
        if matched {
            assert!(dp_match(s, pat, true));
        }
        if !pat.contains(&b'*') || !s.contains(&b'/') {
            assert_eq!(matched, dp_match(s, pat, false), "scan and reference disagree");
        }
    }
}

/// Reference `mg_str_to_num`.
fn ref_to_num(s: &[u8], base: u32, width: usize) -> Option<u64> {
    let max: u128 = match width {
        1 | 2 | 4 | 8 => (1u128 << (8 * width)) - 1,
        _ => return None,
    };
    let (base, d) = match base {
        0 if s.starts_with(b"0x") => (16, &s[2..]),
        0 if s.starts_with(b"0b") => (2, &s[2..]),
        // Auto-detection needs at least two bytes (API.md §2).
        0 if s.len() >= 2 => (10, s),
        2 | 10 | 16 => (base, s),
        _ => return None,
    };
    if d.is_empty() {
        return None;
    }
    let mut v: u128 = 0;
    for &c in d {
        v = v * u128::from(base) + u128::from((c as char).to_digit(base)?);
        if v > max {
            return None;
        }
    }
    u64::try_from(v).ok()
}

fn check_str(a: &[u8], b: &[u8]) {
    for fold in [false, true] {
        let x = strcmp(a, b, fold);
        assert!((-1..=1).contains(&x));
        assert_eq!(x, -strcmp(b, a, fold));
        if !fold {
            assert_eq!(x == 0, a == b);
        }
    }
    for limit in [0, 1, 3, usize::MAX] {
        assert_eq!(casecmp(a, b, limit), -casecmp(b, a, limit));
    }
    if let Some((x, y)) = span(a, b.first().copied().unwrap_or(b',')) {
        assert!(x.len() + y.len() <= a.len() && x.len() + y.len() + 1 >= a.len());
    }
    for base in [0, 2, 10, 16, 7] {
        for width in [1, 2, 4, 8, 3] {
            assert_eq!(to_num(a, base, width), ref_to_num(a, base, width), "to_num base {base} width {width}");
        }
    }
    if let Some(n) = to_size_t(a) {
        let t = std::str::from_utf8(a).unwrap().trim_matches(|c| c == ' ' || c == '\t');
        assert_eq!(t.parse::<usize>().ok(), Some(n));
    }
}

fuzz_target!(|data: &[u8]| {
    let (pat, s) = match data.iter().position(|&c| c == 0) {
        Some(k) => (&data[..k], &data[k + 1..]),
        None => (data, data),
    };
    check_match(s, pat);
    check_str(s, pat);
});
