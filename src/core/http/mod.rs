//! HTTP/1.x without connections: head parsing, chunked bodies, query and
//! header variables, URL coding, multipart bodies, credentials, and the exact
//! bytes of replies and chunks.
//!
//! Everything works on byte slices and reports positions as [`Span`]s
//! (offset + length into the caller's buffer), so the FFI layer and the
//! connection code can turn results into `mg_str` views of their own memory.
//!
//! The head parser is written by hand: Mongoose accepts things RFC 9112 (and
//! `httparse`) reject — UTF-8 in methods, URIs and header names, any visible
//! byte in a name, several spaces between request-line parts, more than 30
//! header lines — and rejects things they accept (duplicate framing or
//! credential headers). `httparse` serves as a cross-check in the tests.
//!
//! Use from the connection layer (EVENT-LOOP.md §9.3):
//! * [`parse`] the bytes at the current offset; `Err(Incomplete)` waits,
//!   `Err(Malformed)` drains; `Ok(head)` gives `head.head_len`.
//! * [`Head::framing`] decides how the body is delimited; for
//!   [`Framing::Chunked`] run [`dechunk`] on the bytes after the head, then
//!   set `head.body_len` to the de-chunked length.
//! * `crate::net::http::fill_message` turns a [`Head`] into `mg_http_message`.
//! * [`reply_head`], [`chunk_padded`], [`chunk_minimal`] build reply bytes.
//!
//! Split by concern: [`head`] (request/response heads), [`chunked`]
//! (chunked bodies), [`vars`] (query/header variables, URL coding),
//! [`creds`] (credentials), [`multipart`] and [`reply`] (reply heads, chunk
//! framing, status texts, etags). Everything is re-exported here, so
//! `crate::core::http::X` names each item.

pub mod chunked;
pub mod creds;
pub mod head;
pub mod multipart;
pub mod reply;
pub mod vars;

pub use chunked::*;
pub use creds::*;
pub use head::*;
pub use multipart::*;
pub use reply::*;
pub use vars::*;

/// `body_len` of a response whose body runs until the connection closes.
pub const BODY_UNTIL_CLOSE: usize = usize::MAX;

/// A byte range `off .. off + len` of some buffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    pub off: usize,
    pub len: usize,
}

impl Span {
    pub const fn new(off: usize, len: usize) -> Span {
        Span { off, len }
    }

    /// One past the last byte (saturating, for "until close" bodies).
    pub const fn end(&self) -> usize {
        self.off.saturating_add(self.len)
    }

    /// The covered bytes of `buf`, clipped to its length.
    pub fn get<'a>(&self, buf: &'a [u8]) -> &'a [u8] {
        let start = self.off.min(buf.len());
        &buf[start..self.end().clamp(start, buf.len())]
    }

    /// The same range seen from a buffer that starts `by` bytes earlier.
    pub const fn shift(self, by: usize) -> Span {
        Span { off: self.off + by, len: self.len }
    }
}
