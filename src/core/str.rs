//! `mg_str` helpers over byte slices: comparisons, glob matching with
//! captures, splitting and number parsing, with Mongoose's exact results.

/// ASCII lower-casing of `A`-`Z` only, as a signed C `char`.
fn fold(c: u8) -> i32 {
    i32::from(c.to_ascii_lowercase() as i8)
}

/// `mg_casecmp` / `mg_ncasecmp` over NUL-terminated bytes (the slices may
/// omit the NUL: the end reads as NUL). Difference of the first differing
/// folded characters, `limit` bounding the bytes compared.
pub fn casecmp(a: &[u8], b: &[u8], limit: usize) -> i32 {
    for i in 0..limit {
        let (x, y) = (fold(*a.get(i).unwrap_or(&0)), fold(*b.get(i).unwrap_or(&0)));
        if x != y || x == 0 {
            return x - y;
        }
    }
    0
}

/// `mg_strcmp` (`fold == false`) and `mg_strcasecmp`: bytes compared as
/// signed chars, a prefix sorts first; the result is exactly -1, 0 or 1.
pub fn strcmp(a: &[u8], b: &[u8], fold_case: bool) -> i32 {
    let key = |c: u8| if fold_case { fold(c) } else { i32::from(c as i8) };
    let ord = a.iter().map(|&c| key(c)).cmp(b.iter().map(|&c| key(c)));
    ord as i32
}

/// `mg_match`: glob match of all of `s` against `pat` (`?` one byte, `*` a
/// run without `/`, `#` any run), greedy with a single back-track point, as
/// Mongoose scans. `cap(k, range)` records capture `k` (`None` resets it);
/// captures follow Mongoose's rules (see API.md §2).
pub fn glob_caps(s: &[u8], pat: &[u8], cap: &mut dyn FnMut(usize, Option<(usize, usize)>)) -> bool {
    let is_wild = |c: u8| c == b'*' || c == b'#';
    // Ordinal of the capture a pattern position belongs to.
    let ordinal = |j: usize| pat[..j].iter().filter(|&&c| c == b'?' || is_wild(c)).count();
    cap(0, None);
    // Record capture k = s[a..b]; reset the next one unless the pattern ended.
    let mut put = |k: usize, a: usize, b: usize, more: bool| {
        cap(k, Some((a, b)));
        if more {
            cap(k + 1, None);
        }
    };
    let (mut i, mut j) = (0usize, 0usize);
    // Back-track point: (string position to resume at, wildcard position,
    // where that wildcard's capture began).
    let mut back: Option<(usize, usize, usize)> = None;
    // (start, wildcard position) of the capture still open.
    let mut open: Option<(usize, usize)> = None;
    while i < s.len() || j < pat.len() {
        let p = pat.get(j).copied();
        if p.is_some_and(is_wild) {
            if let Some((a, wj)) = open.take() {
                put(ordinal(wj), a, i, true);
            }
            let start = match back {
                Some((_, bj, a)) if bj == j => a,
                _ => i,
            };
            open = Some((start, j));
            back = Some((i + 1, j, start));
            j += 1;
        } else if i < s.len() && (p == Some(b'?') || p == Some(s[i])) {
            if let Some((a, wj)) = open.take() {
                put(ordinal(wj), a, i, true);
            }
            if p == Some(b'?') {
                // Completed on the spot, so the next element is reset even
                // when this `?` ends the pattern (Mongoose does).
                put(ordinal(j), i, i + 1, true);
            }
            i += 1;
            j += 1;
        } else {
            match back {
                // As Mongoose does it: the byte tested is the one at the
                // mismatch, not the one the wildcard would swallow, so after
                // a partial literal match `*` can end up spanning a `/`
                // (`/api/x/y/z` matches `/api/*/z`); API.md §2 asks for this
                // algorithm exactly. Past the end counts as "not `/`".
                Some((ni, nj, _)) if ni <= s.len() && (pat[nj] == b'#' || s.get(i) != Some(&b'/')) => {
                    open = None;
                    i = ni;
                    j = nj;
                }
                _ => return false,
            }
        }
    }
    if let Some((a, wj)) = open {
        put(ordinal(wj), a, s.len(), false);
    }
    true
}

/// `mg_match` without captures.
pub fn glob(s: &[u8], pat: &[u8]) -> bool {
    glob_caps(s, pat, &mut |_, _| {})
}

/// `mg_span`: split at the first `sep`; `None` for an empty input.
pub fn span(s: &[u8], sep: u8) -> Option<(&[u8], &[u8])> {
    if s.is_empty() {
        return None;
    }
    Some(match s.iter().position(|&c| c == sep) {
        Some(k) => (&s[..k], &s[k + 1..]),
        None => (s, &s[s.len()..]),
    })
}

/// `mg_str_to_num`: an unsigned integer in `base` (0 = auto: `0x`, `0b`,
/// else 10) that fits in `width` bytes (1, 2, 4 or 8). Auto-detection only
/// happens for inputs of at least two bytes (API.md §2); a shorter input
/// with base 0 has no valid base and is refused, as in Mongoose.
pub fn to_num(s: &[u8], base: u32, width: usize) -> Option<u64> {
    let max = match width {
        1 => u64::from(u8::MAX),
        2 => u64::from(u16::MAX),
        4 => u64::from(u32::MAX),
        8 => u64::MAX,
        _ => return None,
    };
    let (base, digits) = match base {
        0 if s.len() >= 2 && s[0] == b'0' && s[1] == b'x' => (16, &s[2..]),
        0 if s.len() >= 2 && s[0] == b'0' && s[1] == b'b' => (2, &s[2..]),
        0 if s.len() >= 2 => (10, s),
        2 | 10 | 16 => (base, s),
        _ => return None,
    };
    if digits.is_empty() {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        let d = (c as char).to_digit(base)?;
        v = v.checked_mul(u64::from(base))?.checked_add(u64::from(d))?;
        if v > max {
            return None;
        }
    }
    Some(v)
}

/// `mg_to_size_t`: decimal digits with optional surrounding spaces/tabs.
pub fn to_size_t(s: &[u8]) -> Option<usize> {
    let blank = |c: &u8| *c == b' ' || *c == b'\t';
    let start = s.iter().position(|c| !blank(c))?;
    let end = s.iter().rposition(|c| !blank(c))? + 1;
    let digits = &s[start..end];
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    digits.iter().try_fold(0usize, |acc, &d| acc.checked_mul(10)?.checked_add(usize::from(d - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(s: &str, p: &str) -> Option<Vec<Option<String>>> {
        let mut v: Vec<Option<String>> = vec![Some("untouched".into()); 6];
        let ok = glob_caps(s.as_bytes(), p.as_bytes(), &mut |k, r| {
            v[k] = r.map(|(a, b)| s[a..b].to_string());
        });
        ok.then_some(v)
    }

    #[test]
    fn match_reference_table() {
        for (s, p, want) in [
            ("", "", true),
            ("a", "", false),
            ("/foo", "/", false),
            ("/x/foo", "/*/foo", true),
            ("/x/foox", "/*/foo", false),
            ("/abc", "/*", true),
            ("/ab/", "/*", false),
            ("/", "/*", true),
            ("/api/log/static", "/api/*", false),
            ("/api/log/static", "/api/#", true),
            ("/ssi/index.shtml", "#.shtml", true),
            ("caabba", "#aa#bb#", true),
            ("caabxa", "#aa#bb#", false),
            ("abc", "a?c", true),
            ("ac", "a?c", false),
        ] {
            assert_eq!(glob(s.as_bytes(), p.as_bytes()), want, "{s:?} ~ {p:?}");
        }
    }

    #[test]
    fn match_captures() {
        let s = |x: &str| Some(x.to_string());
        assert_eq!(caps("a__b_c", "a*b*c").unwrap()[..3], [s("__"), s("_"), None]);
        assert_eq!(caps("a_b_c__c", "a*b*c").unwrap()[..2], [s("_"), s("_c__")]);
        assert_eq!(caps(".aa..b...b", "#a#b").unwrap()[..3], [s("."), s("a..b..."), None]);
        assert_eq!(caps("/foo/bar", "/*/*").unwrap()[..3], [s("foo"), s("bar"), s("untouched")]);
        assert_eq!(caps("/foo/", "/*/*").unwrap()[..2], [s("foo"), s("")]);
        assert_eq!(caps("abc", "a?c").unwrap()[..2], [s("b"), None]);
        assert_eq!(caps("a", "#a").unwrap()[..2], [s(""), None]);
        assert_eq!(caps("x", "x").unwrap()[..2], [None, s("untouched")]);
    }

    #[test]
    fn comparisons() {
        assert_eq!(strcmp(b"a", b"b", false), -1);
        assert_eq!(strcmp(b"b", b"a", false), 1);
        assert_eq!(strcmp(b"ab", b"a", false), 1);
        assert_eq!(strcmp(b"", b"", false), 0);
        assert_eq!(strcmp(b"\xff", b"a", false), -1);
        assert_eq!(strcmp(b"ABC", b"abc", true), 0);
        assert_eq!(casecmp(b"Hello", b"hELLO", usize::MAX), 0);
        assert_eq!(casecmp(b"a", b"c", usize::MAX), -2);
        assert_eq!(casecmp(b"abX", b"abY", 2), 0);
    }

    #[test]
    fn numbers_and_span() {
        assert_eq!(to_num(b"0x1F", 0, 4), Some(31));
        assert_eq!(to_num(b"0b101", 0, 4), Some(5));
        assert_eq!(to_num(b"256", 10, 1), None);
        assert_eq!(to_num(b"255", 10, 1), Some(255));
        assert_eq!(to_num(b"-1", 10, 4), None);
        assert_eq!(to_num(b"", 10, 4), None);
        assert_eq!(to_num(b"12a", 10, 4), None);
        assert_eq!(to_num(b"ff", 16, 2), Some(255));
        assert_eq!(to_num(b"1", 10, 3), None);
        assert_eq!(to_num(b"5", 0, 4), None, "base 0 needs two bytes to detect");
        assert_eq!(to_num(b"05", 0, 4), Some(5));
        assert_eq!(to_num(b"0x", 0, 4), None);
        assert_eq!(to_num(b"18446744073709551616", 10, 8), None);
        assert_eq!(to_size_t(b" 42\t"), Some(42));
        assert_eq!(to_size_t(b"-1"), None);
        assert_eq!(to_size_t(b""), None);
        assert_eq!(span(b"a,b,c", b','), Some((&b"a"[..], &b"b,c"[..])));
        assert_eq!(span(b"abc", b','), Some((&b"abc"[..], &b""[..])));
        assert_eq!(span(b"", b','), None);
    }

    // Cases added for mutation testing (MUTANTS.md); expected values are
    // Mongoose 7.23's (mg_match with every element pre-set to a sentinel).
    #[test]
    fn match_captures_question_mark_edges() {
        let s = |x: &str| Some(x.to_string());
        let u = s("untouched");
        // A `?` ending the pattern still resets the element after it.
        assert_eq!(caps("abc", "ab?").unwrap()[..3], [s("c"), None, u.clone()]);
        assert_eq!(caps("xy", "x?").unwrap()[..3], [s("y"), None, u.clone()]);
        assert_eq!(caps("abc", "?bc").unwrap()[..3], [s("a"), None, u.clone()]);
        assert_eq!(caps("ab", "??").unwrap()[..4], [s("a"), s("b"), None, u.clone()]);
        assert_eq!(caps("abc", "a?*").unwrap()[..3], [s("b"), s("c"), u.clone()]);
        assert_eq!(caps("ab", "a*").unwrap()[..2], [s("b"), u.clone()]);
        assert_eq!(caps("ab", "a#").unwrap()[..2], [s("b"), u]);
    }

    #[test]
    fn casecmp_continues_past_equal_bytes() {
        assert_eq!(casecmp(b"ab", b"ac", usize::MAX), -1);
        assert_eq!(casecmp(b"aB", b"Ab", usize::MAX), 0);
        assert_eq!(casecmp(b"ab", b"a", usize::MAX), 98);
    }

    #[test]
    fn to_num_width_8() {
        assert_eq!(to_num(b"18446744073709551615", 10, 8), Some(u64::MAX));
        assert_eq!(to_num(b"1", 10, 8), Some(1));
    }
}
