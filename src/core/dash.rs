//! Pure rules of the device dashboard (`mg_dash_*`), as observed on
//! Mongoose 7.23's Linux build: how JSON values are accepted into typed
//! fields and how index segments of `/api/get|del/<set>/<a>/<b>` parse.
#![forbid(unsafe_code)]

/// An `MG_VAL_INT` field accepts a JSON number that is integral and fits
/// an `int` (`1e2` is 100, `3.7` and `2147483648` are refused).
pub fn int_value(d: f64) -> Option<i32> {
    (d.fract() == 0.0 && (-2147483648.0..=2147483647.0).contains(&d)).then_some(d as i32)
}

/// An `MG_VAL_UINT64` field accepts an integral JSON number in the range
/// of a signed 64-bit integer (negative values wrap, `-1` is
/// 18446744073709551615; beyond 2^63 is refused). The value goes through
/// a double, so 9007199254740993 becomes 9007199254740992.
pub fn u64_value(d: f64) -> Option<u64> {
    (d.fract() == 0.0 && (-9223372036854775808.0..9223372036854775808.0).contains(&d))
        .then_some(d as i64 as u64)
}

/// An index segment: decimal digits fitting an `int`; anything else
/// (sign, junk, overflow, `%31`) is `None`.
pub fn index(seg: &[u8]) -> Option<i32> {
    if seg.is_empty() || !seg.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(seg).ok()?.parse::<i32>().ok()
}

/// The `[first, last]` range of `/api/get/<set>/<a>/<b>` (and `del`):
/// `a` defaults to 0, `b` to `a` when it does not parse.
pub fn range(a: &[u8], b: Option<&[u8]>) -> (i32, i32) {
    let first = index(a).unwrap_or(0);
    let last = b.and_then(index).unwrap_or(first);
    (first, last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints() {
        assert_eq!(int_value(5.0), Some(5));
        assert_eq!(int_value(100.0), Some(100));
        assert_eq!(int_value(-0.0), Some(0));
        assert_eq!(int_value(2147483647.0), Some(i32::MAX));
        assert_eq!(int_value(-2147483648.0), Some(i32::MIN));
        assert_eq!(int_value(2147483648.0), None);
        assert_eq!(int_value(-2147483649.0), None);
        assert_eq!(int_value(3.7), None);
        assert_eq!(int_value(f64::NAN), None);
    }

    #[test]
    fn u64s() {
        assert_eq!(u64_value(5.0), Some(5));
        assert_eq!(u64_value(-1.0), Some(u64::MAX));
        assert_eq!(u64_value(9007199254740993.0), Some(9007199254740992));
        assert_eq!(u64_value(9223372036854775807.0), None); // 2^63 as a double
        assert_eq!(u64_value(-9.3e18), None);
        assert_eq!(u64_value(1e19), None);
        assert_eq!(u64_value(5.5), None);
        assert_eq!(u64_value(f64::INFINITY), None);
    }

    #[test]
    fn indexes() {
        assert_eq!(index(b"7"), Some(7));
        assert_eq!(index(b"-5"), None);
        assert_eq!(index(b"+1"), None);
        assert_eq!(index(b"5abc"), None);
        assert_eq!(index(b"99999999999"), None);
        assert_eq!(index(b""), None);
        assert_eq!(range(b"1", Some(b"5")), (1, 5));
        assert_eq!(range(b"1", Some(b"-1")), (1, 1));
        assert_eq!(range(b"x", None), (0, 0));
        assert_eq!(range(b"2", Some(b"1")), (2, 1));
    }
}
