//! JSON lookups by path with Mongoose's results (`mg_json_*`, API.md §14).
//!
//! [`get`] is a single forward pass over the bytes that validates only what
//! it walks over and stops as soon as the value at the path is complete, so
//! input after it (even garbage) is never looked at. Nothing is allocated
//! except the strings the `get_str`/`get_hex`/`get_b64` helpers return.
//!
//! Path syntax: `$` then any sequence of `.key` and `[N]`. Keys are compared
//! with the raw bytes of the document's keys (escapes are not decoded), and a
//! key matches when the path continues with `.`, `[` or ends right after it,
//! so `$.a.b` finds the key `"a.b"` too.

/// Nesting deeper than [`MAX_DEPTH`].
pub const TOO_DEEP: i32 = -1;
/// A syntax error met while scanning.
pub const INVALID: i32 = -2;
/// The path does not exist (also when the input ends first).
pub const NOT_FOUND: i32 = -3;
/// Deepest nesting of objects and arrays the scanner accepts.
pub const MAX_DEPTH: usize = 30;

/// The whitespace the scanner skips between tokens.
pub fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// Path byte `k`, reading past the end (or a NUL) as NUL, as C would.
fn at(path: &[u8], k: usize) -> u8 {
    path.get(k).copied().unwrap_or(0)
}

/// Where the scanner is in the grammar.
#[derive(Clone, Copy, PartialEq)]
enum Want {
    Value,
    Key,
    Colon,
    CommaOrClose,
}

/// The number that starts at `s[0]`, as Mongoose's decimal reader sees it:
/// optional sign, digits, optional `.digits`, optional exponent (`e`/`E`,
/// then `-`, then `+`, each optional, then digits while the exponent is
/// below 308, the exponent's magnitude then capped at 308). Lenient:
/// `-`, `1.`, `1e` and `01` are numbers here.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Number {
    /// Bytes consumed.
    pub len: usize,
    negative: bool,
    int: (usize, usize),
    frac: (usize, usize),
    exp: i32,
}

/// Scan the number at the start of `s` (see [`Number`]).
pub fn scan_number(s: &[u8]) -> Number {
    let digit = |i: usize| s.get(i).is_some_and(u8::is_ascii_digit);
    let mut i = 0;
    let negative = s.first() == Some(&b'-');
    if matches!(s.first(), Some(b'-' | b'+')) {
        i = 1;
    }
    let int_start = i;
    while digit(i) {
        i += 1;
    }
    let int = (int_start, i);
    let mut frac = (i, i);
    if s.get(i) == Some(&b'.') {
        i += 1;
        let f = i;
        while digit(i) {
            i += 1;
        }
        frac = (f, i);
    }
    let mut exp = 0i32;
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1;
        let minus = s.get(i) == Some(&b'-');
        if minus {
            i += 1;
        }
        if s.get(i) == Some(&b'+') {
            i += 1;
        }
        while digit(i) && exp < 308 {
            exp = exp * 10 + i32::from(s[i] - b'0');
            i += 1;
        }
        // The value uses at most 10^308 either way (`1e-320` is 1e-308).
        exp = exp.min(308);
        if minus {
            exp = -exp;
        }
    }
    Number { len: i, negative, int, frac, exp }
}

impl Number {
    /// The value, correctly rounded. Mongoose accumulates digit by digit in
    /// a double and applies the exponent one factor of 10 at a time, so its
    /// results can be a few ULPs off (tens for tiny numbers such as 1e-32),
    /// and digits that overflow (or underflow) before the exponent is
    /// applied give inf (or 0) there: `1111...(400 ones)e-300` is inf in
    /// Mongoose, 1.1e99 here.
    pub fn value(&self, s: &[u8]) -> f64 {
        let mut text = Vec::with_capacity(self.len + 16);
        if self.negative {
            text.push(b'-');
        }
        text.push(b'0');
        text.extend_from_slice(&s[self.int.0..self.int.1]);
        text.push(b'.');
        text.extend_from_slice(&s[self.frac.0..self.frac.1]);
        text.push(b'0');
        text.extend_from_slice(format!("e{}", self.exp).as_bytes());
        // Only digits, one dot, a sign and an exponent: always parses.
        std::str::from_utf8(&text).ok().and_then(|t| t.parse().ok()).unwrap_or(0.0)
    }
}

/// Is `c` a character that may follow a backslash without ending the
/// string early, as the scanner sees it (the JSON escapes minus `/`, `u`)?
fn is_escape(c: u8) -> bool {
    matches!(c, b'b' | b'f' | b'n' | b'r' | b't' | b'\\' | b'"')
}

/// Index of the quote closing the string whose opening quote is at `open`.
/// A NUL byte or the end of input first is [`INVALID`].
fn string_end(s: &[u8], open: usize) -> Result<usize, i32> {
    let mut i = open + 1;
    while i < s.len() {
        match s[i] {
            b'\\' if i + 1 < s.len() && is_escape(s[i + 1]) => i += 1,
            0 => return Err(INVALID),
            b'"' => return Ok(i),
            _ => {}
        }
        i += 1;
    }
    Err(INVALID)
}

/// The scanner's state while looking for one path.
struct Scan<'a> {
    path: &'a [u8],
    /// Path position: the next path byte to satisfy.
    pos: usize,
    /// Open containers, by opening byte.
    stack: [u8; MAX_DEPTH],
    depth: usize,
    /// Depth at which the next path element's value lives.
    want_depth: usize,
    /// Index of the current element in the array the path walks into, and
    /// the index the path asks for (-1 outside arrays). `want_idx` is the
    /// path's digits read the way C would (non-digits and overflow included).
    idx: i32,
    want_idx: i32,
    /// Start of the latest value at `want_depth`.
    start: usize,
}

impl Scan<'_> {
    fn found(&self) -> bool {
        self.depth == self.want_depth && at(self.path, self.pos) == 0 && self.idx == self.want_idx
    }

    /// After a value (or a container) ends at the path's depth inside the
    /// array being walked, count it.
    fn next_index(&mut self) {
        if self.depth == self.want_depth && self.want_idx >= 0 {
            self.idx += 1;
        }
    }

    /// Close the innermost container with `c` (`]` or `}`); Some(result)
    /// ends the scan.
    fn close(&mut self, c: u8, i: usize) -> Option<Result<(usize, usize), i32>> {
        if self.depth == self.want_depth && self.idx != self.want_idx {
            return Some(Err(NOT_FOUND)); // the array ran out before the index
        }
        // `[`+2 is `]` and `{`+2 is `}`.
        if c != self.stack[self.depth - 1] + 2 {
            return Some(Err(INVALID));
        }
        self.depth -= 1;
        self.found().then_some(Ok((self.start, i - self.start + 1)))
    }

    /// Entering `[` at the path's depth when the path asks for an index:
    /// read the index (C-style, digit by digit) and step past it.
    fn enter_array(&mut self) {
        self.want_depth += 1;
        self.pos += 1;
        self.idx = 0;
        self.want_idx = 0;
        loop {
            let c = at(self.path, self.pos);
            if c == b']' || c == 0 {
                break;
            }
            // The byte as a signed C char minus '0', wrapping like C ints.
            let d = i32::from(c as i8) - i32::from(b'0');
            self.want_idx = self.want_idx.wrapping_mul(10).wrapping_add(d);
            self.pos += 1;
        }
        if at(self.path, self.pos) != 0 {
            self.pos += 1;
        }
    }

    /// A key `key` at the current depth: when it is the path's next key,
    /// step the path past it.
    fn key(&mut self, key: &[u8]) -> Result<(), i32> {
        if self.depth < self.want_depth {
            return Err(NOT_FOUND);
        }
        if self.depth == self.want_depth {
            if self.pos == 0 || at(self.path, self.pos - 1) != b'.' {
                return Err(NOT_FOUND); // the previous key's value was not an object
            }
            let n = key.len();
            let same = key.iter().enumerate().all(|(k, &c)| at(self.path, self.pos + k) == c);
            if same && matches!(at(self.path, self.pos + n), 0 | b'.' | b'[') {
                self.pos += n;
            }
        }
        Ok(())
    }
}

/// Find `path` in `json`: `(offset, length)` of the value's token, or
/// [`TOO_DEEP`], [`INVALID`] or [`NOT_FOUND`]. A path not starting with `$`
/// is [`INVALID`]. A NUL byte in `path` ends it, as in C.
pub fn get(json: &[u8], path: &[u8]) -> Result<(usize, usize), i32> {
    let path = match path.iter().position(|&c| c == 0) {
        Some(n) => &path[..n],
        None => path,
    };
    if path.first() != Some(&b'$') {
        return Err(INVALID);
    }
    // Offsets are C ints in Mongoose: look at most at i32::MAX bytes.
    let s = &json[..json.len().min(i32::MAX as usize)];
    let mut st = Scan {
        path,
        pos: 1,
        stack: [0; MAX_DEPTH],
        depth: 0,
        want_depth: 0,
        idx: -1,
        want_idx: -1,
        start: 0,
    };
    let mut want = Want::Value;
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if is_space(c) {
            i += 1;
            continue;
        }
        match want {
            Want::Value => {
                if st.depth == st.want_depth {
                    st.start = i;
                }
                match c {
                    b'{' | b'[' => {
                        if st.depth >= MAX_DEPTH {
                            return Err(TOO_DEEP);
                        }
                        let here = st.depth == st.want_depth && st.idx == st.want_idx;
                        if c == b'{' {
                            if here && at(path, st.pos) == b'.' {
                                st.want_depth += 1;
                                st.pos += 1;
                                st.idx = -1;
                                st.want_idx = -1;
                            }
                            want = Want::Key;
                        } else if here && at(path, st.pos) == b'[' {
                            st.enter_array();
                        }
                        st.stack[st.depth] = c;
                        st.depth += 1;
                        i += 1;
                        continue;
                    }
                    b']' if st.depth > 0 => {
                        // `[]`, or a trailing comma before `]`.
                        if let Some(r) = st.close(c, i) {
                            return r;
                        }
                    }
                    b't' if s[i..].starts_with(b"true") => i += 3,
                    b'n' if s[i..].starts_with(b"null") => i += 3,
                    b'f' if s[i..].starts_with(b"false") => i += 4,
                    b'-' | b'0'..=b'9' => i += scan_number(&s[i..]).len - 1,
                    b'"' => i = string_end(s, i)?,
                    _ => return Err(INVALID),
                }
                if st.found() {
                    return Ok((st.start, i - st.start + 1));
                }
                st.next_index();
                want = Want::CommaOrClose;
            }
            Want::Key => match c {
                b'"' => {
                    let end = string_end(s, i)?;
                    st.key(&s[i + 1..end])?;
                    i = end;
                    want = Want::Colon;
                }
                b'}' => {
                    if let Some(r) = st.close(c, i) {
                        return r;
                    }
                    want = Want::CommaOrClose;
                    st.next_index();
                }
                _ => return Err(INVALID),
            },
            Want::Colon => {
                if c != b':' {
                    return Err(INVALID);
                }
                want = Want::Value;
            }
            Want::CommaOrClose => {
                if st.depth == 0 {
                    return Err(INVALID); // a second top-level value
                }
                match c {
                    b',' => want = if st.stack[st.depth - 1] == b'{' { Want::Key } else { Want::Value },
                    b']' | b'}' => {
                        if st.depth == st.want_depth {
                            let prev = if st.pos > 0 { at(path, st.pos - 1) } else { 0 };
                            if (c == b'}' && prev == b'.') || (c == b']' && prev == b',') {
                                return Err(NOT_FOUND);
                            }
                        }
                        if let Some(r) = st.close(c, i) {
                            return r;
                        }
                        st.next_index();
                    }
                    _ => return Err(INVALID),
                }
            }
        }
        i += 1;
    }
    Err(NOT_FOUND)
}

/// The token at `path` (strings keep their quotes and escapes).
pub fn get_tok<'a>(json: &'a [u8], path: &[u8]) -> Option<&'a [u8]> {
    get(json, path).ok().map(|(o, n)| &json[o..o + n])
}

/// The number at `path`, if its token starts with `-` or a digit.
pub fn get_num(json: &[u8], path: &[u8]) -> Option<f64> {
    let tok = get_tok(json, path)?;
    if !matches!(tok.first(), Some(b'-' | b'0'..=b'9')) {
        return None;
    }
    Some(scan_number(tok).value(tok))
}

/// The boolean at `path`: true/false by the token's first letter.
pub fn get_bool(json: &[u8], path: &[u8]) -> Option<bool> {
    match get_tok(json, path)?.first() {
        Some(b't') => Some(true),
        Some(b'f') => Some(false),
        _ => None,
    }
}

/// C's `(long) d` on x86_64: out-of-range values (and NaN) become
/// `LONG_MIN`, the "integer indefinite" value the conversion yields
/// (`contains` is false for NaN too).
pub fn double_to_long(d: f64) -> i64 {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63
    if !(-LIMIT..LIMIT).contains(&d) {
        i64::MIN
    } else {
        d as i64
    }
}

/// The number at `path` truncated to an integer, or `dflt`.
pub fn get_long(json: &[u8], path: &[u8], dflt: i64) -> i64 {
    get_num(json, path).map_or(dflt, double_to_long)
}

/// The contents of the string token at `path` (without the quotes, still
/// escaped), or None when the token is not a string.
fn string_body<'a>(json: &'a [u8], path: &[u8]) -> Option<&'a [u8]> {
    let tok = get_tok(json, path)?;
    (tok.len() > 1 && tok[0] == b'"').then(|| &tok[1..tok.len() - 1])
}

/// The value of hex digit `c`.
fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Unescape the body of a JSON string into `out` as Mongoose does, writing
/// exactly the bytes it writes, and return what it returns:
/// - the decoded length, with a NUL after it, when everything fits;
/// - 0 with a NUL-terminated prefix when it does not fit (room for the NUL
///   is needed);
/// - 0 and no NUL after an unsupported escape (only `\b \f \n \r \t \\ \"`
///   and `\uXXXX` are known; `\/` is not);
/// - on a `\u` escape above `\u00ff` or with a non-hex digit: the length
///   decoded so far, NUL-terminated (decoding just stops);
/// - 0 and nothing written when `out` is empty.
///
/// `\u00XX` becomes the single byte 0xXX (not UTF-8).
pub fn unescape_into(body: &[u8], out: &mut [u8]) -> usize {
    if out.is_empty() {
        return 0;
    }
    let (mut i, mut j) = (0, 0);
    while i < body.len() {
        let mut b = body[i];
        if b == b'\\' {
            if i + 5 < body.len() && body[i + 1] == b'u' {
                let v = body[i + 2..i + 6]
                    .iter()
                    .try_fold(0u32, |v, &c| hex_digit(c).map(|d| v << 4 | u32::from(d)));
                match v {
                    Some(v) if v <= 0xff => b = v as u8,
                    _ => {
                        out[j] = 0;
                        return j;
                    }
                }
                i += 5;
            } else {
                b = match body.get(i + 1) {
                    Some(b'b') => 8,
                    Some(b'f') => 12,
                    Some(b'n') => b'\n',
                    Some(b'r') => b'\r',
                    Some(b't') => b'\t',
                    Some(b'\\') => b'\\',
                    Some(b'"') => b'"',
                    _ => return 0,
                };
                i += 1;
            }
        }
        if j + 1 >= out.len() {
            out[j] = 0;
            return 0;
        }
        out[j] = b;
        j += 1;
        i += 1;
    }
    out[j] = 0;
    j
}

/// `mg_json_unescape`: unescape the string at `path` into `out` (see
/// [`unescape_into`]); 0 when it is not found or not a string.
pub fn unescape(json: &[u8], path: &[u8], out: &mut [u8]) -> usize {
    match string_body(json, path) {
        Some(body) => unescape_into(body, out),
        None => 0,
    }
}

/// `mg_json_get_str`: the unescaped string at `path`, as the bytes of
/// Mongoose's result buffer up to its NUL (excluded). None when not a
/// string, or when unescaping produced nothing from a non-empty body.
/// The buffer may hold bytes after an embedded NUL (`\u0000`): `full`
/// returns all the bytes the C buffer holds, NUL padding included.
pub fn get_str(json: &[u8], path: &[u8]) -> Option<Vec<u8>> {
    let body = string_body(json, path)?;
    // Mongoose's buffer: the token's length (body + 2), zeroed.
    let mut buf = vec![0u8; body.len() + 2];
    if unescape_into(body, &mut buf) == 0 && !body.is_empty() {
        return None;
    }
    Some(buf)
}

/// `mg_json_get_hex`: the string at `path` decoded from hex pairs (either
/// case). None when not a string, of odd length, or with a non-hex digit.
pub fn get_hex(json: &[u8], path: &[u8]) -> Option<Vec<u8>> {
    let body = string_body(json, path)?;
    if body.len() % 2 != 0 {
        return None;
    }
    body.chunks(2).map(|p| Some(hex_digit(p[0])? << 4 | hex_digit(p[1])?)).collect()
}

/// Base64 decoding as `mg_json_get_b64` does it, which is `mg_base64_decode`
/// (see [`crate::core::base64::decode`]); a failure gives an empty result.
fn b64_decode(src: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; src.len() / 4 * 3 + 1];
    let n = crate::core::base64::decode(src, &mut out);
    out.truncate(n);
    out
}

/// `mg_json_get_b64`: the string at `path` base64-decoded (see
/// [`b64_decode`]; undecodable input gives an empty result, not None).
/// None only when the token is not a string.
pub fn get_b64(json: &[u8], path: &[u8]) -> Option<Vec<u8>> {
    string_body(json, path).map(b64_decode)
}

/// A `(start, length)` range of a document.
pub type Range = (usize, usize);

/// One step of `mg_json_next` over the members of the object or the
/// elements of the array `obj`, from `ofs` (0 to start): `(next_ofs, key,
/// value)`, `next_ofs == 0` when done or on error. `key` is the member's key
/// token with its quotes (None for arrays); Mongoose stores the key before
/// looking for the value, so a key can come with `value == None` and 0.
pub fn next(obj: &[u8], ofs: usize) -> (usize, Option<Range>, Option<Range>) {
    const DONE: (usize, Option<Range>, Option<Range>) = (0, None, None);
    if ofs >= obj.len() || obj.len() < 2 || !matches!(obj[0], b'{' | b'[') {
        return DONE;
    }
    let mut from = if ofs == 0 { 1 } else { ofs };
    // A value at the start of obj[from..]: its absolute range.
    let token = |from: usize| match get(&obj[from..], b"$") {
        Ok((o, n)) if o + n <= obj.len() - from => Some((from + o, n)),
        _ => None,
    };
    let mut key = None;
    if obj[0] == b'{' {
        let Some(k) = token(from) else { return DONE };
        key = Some(k);
        // Whatever follows the key up to a colon is skipped.
        from = k.0 + k.1;
        while from < obj.len() && obj[from] != b':' {
            from += 1;
        }
        if from < obj.len() {
            from += 1;
        }
    }
    let Some(v) = token(from) else { return (0, key, None) };
    let mut end = v.0 + v.1;
    while end < obj.len() && is_space(obj[end]) {
        end += 1;
    }
    if end < obj.len() && obj[end] == b',' {
        end += 1;
    }
    (end, key, Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    const J: &[u8] = br#"{"a":1,"b":[1,2,{"c":true}]}"#;

    #[test]
    fn spec_table() {
        assert_eq!(get(J, b"$"), Ok((0, 28)));
        assert_eq!(get(J, b"$.a"), Ok((5, 1)));
        assert_eq!(get(J, b"$.b"), Ok((11, 16)));
        assert_eq!(get(J, b"$.b[2].c"), Ok((21, 4)));
        assert_eq!(get(J, b"$.b[5]"), Err(NOT_FOUND));
        assert_eq!(get(br#"{"a":1}"#, b"$.x"), Err(NOT_FOUND));
        assert_eq!(get(br#"{"a":1"#, b"$.a"), Ok((5, 1)));
        assert_eq!(get(br#"{"a":}"#, b"$.a"), Err(INVALID));
        assert_eq!(get(br#"[1,"x\"y",null]"#, b"$[1]"), Ok((3, 6)));
        assert_eq!(get(b" 12.5e3 ", b"$"), Ok((1, 6)));
        assert_eq!(get(br#"{"a":{"b":2}}"#, b"a.b"), Err(INVALID));
        assert_eq!(get(br#"{"a.b":1}"#, b"$.a.b"), Ok((7, 1)));
    }
    type Case = (&'static [u8], &'static [u8], Result<(usize, usize), i32>);
    /// One `next` step: (next offset, key, value).
    type Step<'a> = (usize, Option<&'a [u8]>, Option<&'a [u8]>);

    /// Observed with Mongoose 7.23: (json, path, result).
    const GET: &[Case] = &[
        (b"", b"$", Err(NOT_FOUND)),
        (b"   ", b"$", Err(NOT_FOUND)),
        (b"1 2", b"$", Ok((0, 1))),
        (b"1 2", b"$.a", Err(INVALID)),
        (b"[[1,2],[3,4]]", b"$[1][0]", Ok((8, 1))),
        (b"[[1,2],[3,4]]", b"$[1]", Ok((7, 5))),
        (b"[1,2]", b"$[-1]", Err(NOT_FOUND)),
        (b"[1,2]", b"$[99999999999]", Err(NOT_FOUND)),
        (b"[1,2]", b"$[a]", Err(NOT_FOUND)),
        (b"[1,2]", b"$[", Ok((1, 1))),
        (b"[1,2]", b"$[1", Ok((3, 1))),
        (br#"{"a":[1]}"#, b"$.a[", Ok((6, 1))),
        (br#"{"a":1}"#, b"$..a", Err(NOT_FOUND)),
        (br#"{"a":1}"#, b"$.", Ok((5, 1))),
        (br#"{"":1}"#, b"$.", Ok((4, 1))),
        (br#"{"a":1,"a":2}"#, b"$.a", Ok((5, 1))),
        (br#"{"a":1}"#, b"$a", Err(NOT_FOUND)),
        (b"[1]", b"$.a", Err(NOT_FOUND)),
        (br#"{"a":1}"#, b"$[0]", Err(NOT_FOUND)),
        (b"01", b"$", Ok((0, 2))),
        (b"+1", b"$", Err(INVALID)),
        (b".5", b"$", Err(INVALID)),
        (b"1.", b"$", Ok((0, 2))),
        (b"-", b"$", Ok((0, 1))),
        (b"1e+", b"$", Ok((0, 3))),
        (b"1e4000", b"$", Ok((0, 5))),
        (b"[1.5.5,2]", b"$[1]", Err(INVALID)),
        (b"[- ,2]", b"$[1]", Ok((4, 1))),
        (b"tru", b"$", Err(INVALID)),
        (b"truex", b"$", Ok((0, 4))),
        (b"fals", b"$", Err(INVALID)),
        (br#""abc"#, b"$", Err(INVALID)),
        (br#""a\/b""#, b"$", Ok((0, 6))),
        (br#""a\q""#, b"$", Ok((0, 5))),
        (b"\"a\0b\"", b"$", Err(INVALID)),
        (br#""a\""#, b"$", Err(INVALID)),
        (br#"{"a":1}x"#, b"$", Ok((0, 7))),
        (br#"{"a":1}}"#, b"$", Ok((0, 7))),
        (b"[1,]", b"$[1]", Err(NOT_FOUND)),
        (b"[1,]", b"$", Ok((0, 4))),
        (br#"{"a":1,}"#, b"$", Ok((0, 8))),
        (br#"{"a" 1}"#, b"$.a", Err(INVALID)),
        (b"{a:1}", b"$.a", Err(INVALID)),
        (b"[}", b"$", Err(INVALID)),
        (br#"{"a":1]"#, b"$", Err(INVALID)),
        (br#"{"a":{"b":1}}"#, b"$.a.c", Err(NOT_FOUND)),
        (br#"{"a":{"b":1},"c":2}"#, b"$.c", Ok((17, 1))),
        (br#"{"ab":1,"a":2}"#, b"$.a", Ok((12, 1))),
        (br#"{"a":1}"#, b"$.ab", Err(NOT_FOUND)),
    ];

    #[test]
    fn get_matches_mongoose() {
        for (j, p, want) in GET {
            assert_eq!(get(j, p), *want, "{:?} {:?}", String::from_utf8_lossy(j), String::from_utf8_lossy(p));
        }
    }

    #[test]
    fn depth_limit_is_30() {
        let deep = |n: usize| [vec![b'['; n], vec![b']'; n]].concat();
        assert_eq!(get(&deep(30), b"$"), Ok((0, 60)));
        assert_eq!(get(&deep(31), b"$"), Err(TOO_DEEP));
        assert_eq!(get(&deep(31), b"$[0]"), Err(TOO_DEEP));
    }

    #[test]
    fn path_ends_at_nul_and_needs_dollar() {
        assert_eq!(get(b"[1,2]", b"$[1]\0junk"), Ok((3, 1)));
        assert_eq!(get(b"[1,2]", b""), Err(INVALID));
        assert_eq!(get(b"[1,2]", b"\0$"), Err(INVALID));
    }

    #[test]
    fn typed_getters() {
        let j = br#"{"n":-12.5e1,"i":12345678901,"t":true,"f":false,"s":"x","z":null}"#;
        assert_eq!(get_num(j, b"$.n"), Some(-125.0));
        assert_eq!(get_num(j, b"$.s"), None);
        assert_eq!(get_long(j, b"$.i", 0), 12345678901);
        assert_eq!(get_long(j, b"$.s", 7), 7);
        assert_eq!(get_bool(j, b"$.t"), Some(true));
        assert_eq!(get_bool(j, b"$.f"), Some(false));
        assert_eq!(get_bool(j, b"$.z"), None);
        // Lenient numbers and Mongoose's 308 exponent cap.
        assert_eq!(get_num(b"-", b"$").map(f64::to_bits), Some((-0.0f64).to_bits()));
        assert_eq!(get_num(b"1e-320", b"$"), Some(1e-308));
        assert_eq!(get_num(b"1e309", b"$"), Some(1e308));
        assert_eq!(get_num(b"0.001e310", b"$"), Some(1e305));
        assert_eq!(get_num(b"0.1", b"$"), Some(0.1));
        assert_eq!(get_long(b"1e400", b"$", 0), i64::MIN);
        assert_eq!(get_long(b"9007199254740993", b"$", 0), 9007199254740992);
    }

    fn unesc(s: &[u8], n: usize) -> (usize, Vec<u8>) {
        let mut out = vec![0xaa; n + 1];
        let r = unescape(s, b"$", &mut out[..n]);
        (r, out)
    }

    #[test]
    fn unescape_writes_what_mongoose_writes() {
        assert_eq!(unesc(br#""abc""#, 0), (0, vec![0xaa]));
        assert_eq!(unesc(br#""abc""#, 3), (0, b"ab\0\xaa".to_vec()));
        assert_eq!(unesc(br#""abc""#, 4), (3, b"abc\0\xaa".to_vec()));
        assert_eq!(unesc(br#""""#, 2), (0, b"\0\xaa\xaa".to_vec()));
        assert_eq!(unesc(br#""a\/b""#, 1), (0, b"\0\xaa".to_vec()));
        assert_eq!(unesc(br#""a\/b""#, 4), (0, b"a\xaa\xaa\xaa\xaa".to_vec()));
        assert_eq!(unesc(br#""\u00e9x""#, 4), (2, b"\xe9x\0\xaa\xaa".to_vec()));
        assert_eq!(unesc(br#""a\u20acb""#, 6), (1, b"a\0\xaa\xaa\xaa\xaa\xaa".to_vec()));
        assert_eq!(unesc(br#""x\u00zz""#, 4), (1, b"x\0\xaa\xaa\xaa".to_vec()));
        assert_eq!(unesc(br#""\u00""#, 4), (0, vec![0xaa; 5]));
        assert_eq!(unesc(br#""\u0000x""#, 4), (2, b"\0x\0\xaa\xaa".to_vec()));
        assert_eq!(unesc(br#""\b\f\n\r\t\\\"""#, 8), (7, b"\x08\x0c\n\r\t\\\"\0\xaa".to_vec()));
        assert_eq!(unesc(b"12", 4), (0, vec![0xaa; 5]));
    }

    #[test]
    fn heap_strings() {
        let s = |j: &[u8]| get_str(j, b"$").map(|v| v[..v.iter().position(|&c| c == 0).unwrap()].to_vec());
        assert_eq!(s(br#""a\nb""#), Some(b"a\nb".to_vec()));
        assert_eq!(s(br#""""#), Some(vec![]));
        assert_eq!(s(br#""\u0000x""#), Some(vec![]));
        assert_eq!(s(br#""a\u20acb""#), Some(b"a".to_vec()));
        assert_eq!(s(br#""\u0100x""#), None);
        assert_eq!(s(br#""a\/b""#), None);
        assert_eq!(s(b"1"), None);
        assert_eq!(get_hex(br#""0aFF""#, b"$"), Some(vec![10, 255]));
        assert_eq!(get_hex(br#""""#, b"$"), Some(vec![]));
        assert_eq!(get_hex(br#""0a1""#, b"$"), None);
        assert_eq!(get_hex(br#""0g""#, b"$"), None);
        assert_eq!(get_b64(br#""aGVsbG8=""#, b"$"), Some(b"hello".to_vec()));
        assert_eq!(get_b64(br#""aGVsbG8""#, b"$"), Some(b"hel".to_vec()));
        assert_eq!(get_b64(br#""aGVsbG8=aGVs""#, b"$"), Some(b"hellohel".to_vec()));
        assert_eq!(get_b64(br#""ab=c""#, b"$"), Some(b"i".to_vec()));
        assert_eq!(get_b64(br#""a=bc""#, b"$"), Some(vec![]));
        assert_eq!(get_b64(br#""aGV!bG8=""#, b"$"), Some(vec![]));
        assert_eq!(get_b64(br#""a+/b""#, b"$"), Some(b"k\xef\xdb".to_vec()));
        assert_eq!(get_b64(b"1", b"$"), None);
    }

    fn walk(j: &[u8]) -> Vec<Step<'_>> {
        let mut v = Vec::new();
        let mut ofs = 0;
        loop {
            let (n, k, val) = next(j, ofs);
            v.push((n, k.map(|(o, l)| &j[o..o + l]), val.map(|(o, l)| &j[o..o + l])));
            if n == 0 || v.len() > 10 {
                return v;
            }
            ofs = n;
        }
    }

    #[test]
    fn next_iterates_like_mongoose() {
        let j = br#"{"a": 1, "b" : [2,3], "c":"x"}"#;
        let want: Vec<Step> = vec![
            (8, Some(br#""a""#), Some(b"1")),
            (21, Some(br#""b""#), Some(b"[2,3]")),
            (29, Some(br#""c""#), Some(br#""x""#)),
            (0, None, None),
        ];
        assert_eq!(walk(j), want);
        let a = br#"[ 1, {"x":2} ,"s"]"#;
        let want: Vec<Step> = vec![
            (4, None, Some(b"1")),
            (14, None, Some(br#"{"x":2}"#)),
            (17, None, Some(br#""s""#)),
            (0, None, None),
        ];
        assert_eq!(walk(a), want);
        assert_eq!(walk(b"{}"), vec![(0, None, None)]);
        assert_eq!(walk(b" {\"a\":1}"), vec![(0, None, None)]);
        assert_eq!(walk(b"[1,,2]"), vec![(3, None, Some(&b"1"[..])), (0, None, None)]);
        assert_eq!(walk(b"[1\x0b,2]"), vec![(2, None, Some(&b"1"[..])), (0, None, None)]);
        assert_eq!(walk(br#"{"a"}"#), vec![(0, Some(&br#""a""#[..]), None)]);
        assert_eq!(
            walk(br#"{"a" x : 1}"#),
            vec![(10, Some(&br#""a""#[..]), Some(&b"1"[..])), (0, None, None)]
        );
        // A mid-member offset: the next string is taken as the key.
        assert_eq!(next(br#"{"a":1,"b":2}"#, 3), (12, Some((3, 5)), Some((11, 1))));
    }
}
