//! JSON-RPC framing with Mongoose's bytes (`mg_rpc_*`, API.md §22): which
//! handler a frame goes to, and the fixed parts of the responses. The
//! handler list and the caller's printf arguments live in `ffi::rpc`.
use super::fmt::print_esc;
use super::json;

/// Error code for a frame whose method has no handler.
pub const METHOD_NOT_FOUND: i32 = -32601;
/// Error code for a frame that is neither a call nor a response.
pub const PARSE_ERROR: i32 = -32700;

/// Where a frame goes.
#[derive(Debug, PartialEq)]
pub enum Route<'a> {
    /// Dispatch on this method name: the raw bytes between the quotes of
    /// `"method"` (escapes not decoded). A response frame (no string
    /// `"method"`, but a `"result"` or an `"error"`) routes to the empty
    /// name, which only an empty pattern (or `*`, `#`) matches.
    Method(&'a [u8]),
    /// Reply `-32700` with the frame as the message.
    ParseError,
}

/// Route `frame` (see [`Route`]).
pub fn route(frame: &[u8]) -> Route<'_> {
    if let Some(tok) = json::get_tok(frame, b"$.method") {
        if tok.len() > 1 && tok[0] == b'"' {
            return Route::Method(&tok[1..tok.len() - 1]);
        }
    }
    let present = |p: &[u8]| json::get(frame, p).is_ok();
    if present(b"$.result") || present(b"$.error") {
        Route::Method(b"")
    } else {
        Route::ParseError
    }
}

/// The raw `"id"` token of `frame`, if any (any JSON type, copied as is).
pub fn id(frame: &[u8]) -> Option<&[u8]> {
    json::get_tok(frame, b"$.id")
}

/// What precedes the caller's result text: `{"id":ID,"result":`. None when
/// the frame has no id: a notification gets no success response at all.
pub fn ok_head(frame: &[u8]) -> Option<Vec<u8>> {
    let id = id(frame)?;
    let mut v = Vec::with_capacity(id.len() + 20);
    v.extend_from_slice(b"{\"id\":");
    v.extend_from_slice(id);
    v.extend_from_slice(b",\"result\":");
    Some(v)
}

/// Closes a success response.
pub const OK_TAIL: &[u8] = b"}";

/// What precedes the caller's error message:
/// `{"id":ID,"error":{"code":CODE,"message":` (without `"id":ID,` when the
/// frame has none; errors are sent even for notifications).
pub fn err_head(frame: &[u8], code: i32) -> Vec<u8> {
    let mut v = b"{".to_vec();
    if let Some(id) = id(frame) {
        v.extend_from_slice(b"\"id\":");
        v.extend_from_slice(id);
        v.push(b',');
    }
    v.extend_from_slice(format!("\"error\":{{\"code\":{code},\"message\":").as_bytes());
    v
}

/// Closes an error response.
pub const ERR_TAIL: &[u8] = b"}}";

/// The message of a method-not-found error: `"NAME not found"`, the raw
/// name in quotes (not escaped again).
pub fn not_found_message(method: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(method.len() + 12);
    v.push(b'"');
    v.extend_from_slice(method);
    v.extend_from_slice(b" not found\"");
    v
}

/// The message of a parse error: the whole frame as a JSON string.
pub fn parse_error_message(frame: &[u8]) -> Vec<u8> {
    let mut v = vec![b'"'];
    print_esc(&mut |b| v.push(b), frame);
    v.push(b'"');
    v
}

/// The result of `mg_rpc_list`: the registered patterns as a JSON array of
/// strings, in list order. Empty patterns (response handlers) are left out
/// but, as in Mongoose, every entry other than the list's first is preceded
/// by a comma, so an empty first pattern yields `[,"a"]`.
pub fn list<'a>(patterns: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut v = vec![b'['];
    for (k, p) in patterns.into_iter().enumerate() {
        if p.is_empty() {
            continue;
        }
        if k > 0 {
            v.push(b',');
        }
        v.push(b'"');
        print_esc(&mut |b| v.push(b), p);
        v.push(b'"');
    }
    v.push(b']');
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(route(br#"{"id":1,"method":"sum"}"#), Route::Method(b"sum"));
        assert_eq!(route(br#"{"method":"s\"um"}"#), Route::Method(br#"s\"um"#));
        assert_eq!(route(br#"{"id":1,"method":""}"#), Route::Method(b""));
        assert_eq!(route(br#"{"id":1,"result":5}"#), Route::Method(b""));
        assert_eq!(route(br#"{"id":1,"method":null,"error":1}"#), Route::Method(b""));
        assert_eq!(route(br#"{"id":1,"method":1}"#), Route::ParseError);
        assert_eq!(route(br#"{"id":1,"error":}"#), Route::ParseError);
        assert_eq!(route(b"not json"), Route::ParseError);
        assert_eq!(route(b""), Route::ParseError);
    }

    #[test]
    fn responses() {
        assert_eq!(ok_head(br#"{"id":"a","method":"x"}"#).unwrap(), br#"{"id":"a","result":"#);
        assert_eq!(ok_head(br#"{"method":"x"}"#), None);
        assert_eq!(
            err_head(br#"{"id":[1],"method":"x"}"#, -1),
            br#"{"id":[1],"error":{"code":-1,"message":"#
        );
        assert_eq!(err_head(br#"{"method":"x"}"#, 5), br#"{"error":{"code":5,"message":"#);
        assert_eq!(not_found_message(br#"a\"b"#), br#""a\"b not found""#);
        assert_eq!(parse_error_message(br#"{"id":1}"#), br#""{\"id\":1}""#);
        let pats: [&[u8]; 3] = [b"", b"a\"b\\c\n", b"rpc.list"];
        assert_eq!(list(pats), br#"[,"a\"b\\c\n","rpc.list"]"#);
        assert_eq!(list([]), b"[]");
    }
}
