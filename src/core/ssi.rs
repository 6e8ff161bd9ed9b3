//! Server-side includes (API.md §11.4, §17): expand
//! `<!--#include file="x" -->` (relative to the including file's
//! directory) and `<!--#include virtual="x" -->` (a URI, mapped through
//! the document root list as `mg_http_serve_dir` maps requests, so
//! `/uri=/path` entries apply) recursively. Pure: the caller supplies a
//! reader (which may refuse paths, e.g. outside a jail), so no I/O here.
//!
//! Rules (Mongoose's documented behaviour; the oracle library is built
//! without SSI, so the details where the spec is silent are ours):
//! * nesting stops at [`MAX_DEPTH`] levels: a deeper include expands to
//!   nothing;
//! * an include naming an insane path (`..`, leading `~`) or a file that
//!   cannot be read expands to nothing;
//! * once the output reaches the caller's limit, further includes expand to
//!   nothing (a file including itself many times would otherwise grow
//!   exponentially with the depth);
//! * any other `<!--#...-->` directive, an unterminated one, or an include
//!   without a quoted `file=`/`virtual=` argument is copied verbatim.
use super::fs::{path_is_sane, pick_root, request_path};

/// Deepest include nesting expanded (the top-level file is depth 0).
pub const MAX_DEPTH: usize = 5;

const OPEN: &[u8] = b"<!--#";
const CLOSE: &[u8] = b"-->";

/// What an include directive refers to.
#[derive(Debug, PartialEq, Eq)]
pub enum Include<'a> {
    /// `file="x"`: relative to the including file's directory.
    File(&'a [u8]),
    /// `virtual="x"`: relative to the document root.
    Virtual(&'a [u8]),
}

/// Parse the inside of a directive (between `<!--#` and `-->`) as an
/// include; `None` for anything else.
pub fn parse_include(body: &[u8]) -> Option<Include<'_>> {
    let rest = body.strip_prefix(b"include")?;
    if !rest.first().is_some_and(|c| c.is_ascii_whitespace()) {
        return None;
    }
    let rest = trim_start(rest);
    let (is_file, rest) = if let Some(r) = rest.strip_prefix(b"file=") {
        (true, r)
    } else if let Some(r) = rest.strip_prefix(b"virtual=") {
        (false, r)
    } else {
        return None;
    };
    let rest = rest.strip_prefix(b"\"")?;
    let end = rest.iter().position(|&c| c == b'"')?;
    if !trim_start(&rest[end + 1..]).is_empty() || end == 0 {
        return None;
    }
    let name = &rest[..end];
    Some(if is_file { Include::File(name) } else { Include::Virtual(name) })
}

fn trim_start(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &s[n..]
}

/// The directory part of `path` (up to, not including, the last `/`;
/// empty when there is none).
fn dir_of(path: &[u8]) -> &[u8] {
    path.iter().rposition(|&c| c == b'/').map_or(&path[..0], |i| &path[..i])
}

fn join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    let name = name.strip_prefix(b"/").unwrap_or(name);
    if dir.is_empty() {
        return name.to_vec();
    }
    let mut p = dir.to_vec();
    if !p.ends_with(b"/") {
        p.push(b'/');
    }
    p.extend_from_slice(name);
    p
}

/// The file a `virtual="v"` include names under `root_dir` (a directory,
/// or `dir,/prefix=dir,...` as `mg_http_serve_dir` takes it): `v` read as
/// a URI (a missing leading `/` added). An empty `root_dir` leaves `v`
/// relative to the working directory. `None` when the path is refused.
pub fn virtual_path(root_dir: &[u8], v: &[u8]) -> Option<Vec<u8>> {
    if root_dir.is_empty() {
        return path_is_sane(v).then(|| join(b"", v));
    }
    let uri = if v.starts_with(b"/") { v.to_vec() } else { [b"/", v].concat() };
    request_path(&pick_root(root_dir, &uri), &uri).ok()
}

/// Expand the includes of `text`, the content of the file at `path`, with
/// `root` the document root list; `read` returns a file's content or `None`.
/// Includes starting once the output holds `limit` bytes are dropped.
pub fn expand(
    text: &[u8],
    path: &[u8],
    root: &[u8],
    limit: usize,
    read: &mut dyn FnMut(&[u8]) -> Option<Vec<u8>>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    expand_into(&mut out, text, path, root, read, 0, limit);
    out
}

fn expand_into(
    out: &mut Vec<u8>,
    text: &[u8],
    path: &[u8],
    root: &[u8],
    read: &mut dyn FnMut(&[u8]) -> Option<Vec<u8>>,
    depth: usize,
    limit: usize,
) {
    let mut i = 0;
    while i < text.len() {
        let Some(start) = find(&text[i..], OPEN).map(|p| p + i) else {
            out.extend_from_slice(&text[i..]);
            return;
        };
        out.extend_from_slice(&text[i..start]);
        let body_at = start + OPEN.len();
        let Some(end) = find(&text[body_at..], CLOSE).map(|p| p + body_at) else {
            out.extend_from_slice(&text[start..]);
            return;
        };
        let body = &text[body_at..end];
        let trimmed = &body[..body.len() - body.iter().rev().take_while(|c| c.is_ascii_whitespace()).count()];
        match parse_include(trimmed) {
            Some(inc) => {
                let target = match inc {
                    Include::File(f) => (path_is_sane(f)).then(|| join(dir_of(path), f)),
                    Include::Virtual(v) => virtual_path(root, v),
                };
                if let Some(target) = target.filter(|_| depth < MAX_DEPTH && out.len() < limit) {
                    if let Some(content) = read(&target) {
                        expand_into(out, &content, &target, root, read, depth + 1, limit);
                    }
                }
            }
            None => out.extend_from_slice(&text[start..end + CLOSE.len()]),
        }
        i = end + CLOSE.len();
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn run(files: &[(&str, &str)], top: &str) -> String {
        let map: HashMap<Vec<u8>, Vec<u8>> =
            files.iter().map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec())).collect();
        let text = map[top.as_bytes()].clone();
        let mut read = |p: &[u8]| map.get(p).cloned();
        String::from_utf8(expand(&text, top.as_bytes(), b"www", 1000, &mut read)).unwrap()
    }

    #[test]
    fn parses_directives() {
        assert_eq!(parse_include(b"include file=\"a.txt\""), Some(Include::File(b"a.txt")));
        assert_eq!(parse_include(b"include   virtual=\"/x/y\""), Some(Include::Virtual(b"/x/y")));
        assert_eq!(parse_include(b"include file=a.txt"), None);
        assert_eq!(parse_include(b"include file=\"\""), None);
        assert_eq!(parse_include(b"include file=\"a\" junk"), None);
        assert_eq!(parse_include(b"includefile=\"a\""), None);
        assert_eq!(parse_include(b"echo var=\"x\""), None);
        assert_eq!(parse_include(b"include file=\"a"), None);
    }

    #[test]
    fn file_and_virtual() {
        let files = [
            ("www/sub/i.shtml", "A<!--#include file=\"p.txt\" -->B<!--#include virtual=\"/top.txt\"-->C"),
            ("www/sub/p.txt", "[p]"),
            ("www/top.txt", "[t]"),
        ];
        assert_eq!(run(&files, "www/sub/i.shtml"), "A[p]B[t]C");
    }

    #[test]
    fn virtual_through_a_root_list() {
        let files = [
            ("www/i.shtml", "<!--#include virtual=\"/data/d.txt\" -->|<!--#include virtual=\"t.txt\" -->"),
            ("/srv/files//d.txt", "[d]"),
            ("www/t.txt", "[t]"),
        ];
        let map: HashMap<Vec<u8>, Vec<u8>> =
            files.iter().map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec())).collect();
        let mut read = |p: &[u8]| map.get(p).cloned();
        let out =
            expand(&map[&b"www/i.shtml"[..]], b"www/i.shtml", b"www,/data=/srv/files/", 1000, &mut read);
        assert_eq!(out, b"[d]|[t]");
        assert_eq!(virtual_path(b"www,/data=/srv", b"/data/../x"), None);
        assert_eq!(virtual_path(b"", b"/a/b"), Some(b"a/b".to_vec()));
        assert_eq!(virtual_path(b"", b"../b"), None);
    }

    #[test]
    fn nested_and_depth_limit() {
        // a includes itself: depth 0 plus 5 nested levels, then nothing.
        let files = [("www/a.shtml", "x<!--#include file=\"a.shtml\" -->y")];
        assert_eq!(run(&files, "www/a.shtml"), "xxxxxxyyyyyy");
        let files = [
            ("www/a", "1<!--#include file=\"b\" -->"),
            ("www/b", "2<!--#include virtual=\"c\"-->"),
            ("www/c", "3"),
        ];
        assert_eq!(run(&files, "www/a"), "123");
    }

    #[test]
    fn missing_insane_and_unknown() {
        let files = [(
            "www/i",
            "a<!--#include file=\"nope\" -->b<!--#include file=\"../etc/passwd\" -->c<!--#echo var=\"x\" -->d<!-- plain -->e<!--#include",
        )];
        assert_eq!(run(&files, "www/i"), "abc<!--#echo var=\"x\" -->d<!-- plain -->e<!--#include");
    }

    #[test]
    fn output_limit_stops_includes() {
        let files =
            [("www/a", "<!--#include file=\"b\"--><!--#include file=\"b\"-->"), ("www/b", "0123456789")];
        let map: HashMap<&[u8], &[u8]> = files.iter().map(|(k, v)| (k.as_bytes(), v.as_bytes())).collect();
        let mut read = |p: &[u8]| map.get(p).map(|v| v.to_vec());
        assert_eq!(expand(map[&b"www/a"[..]], b"www/a", b"www", 5, &mut read), b"0123456789");
    }

    #[test]
    fn no_directory_and_empty() {
        let files = [("i", "<!--#include file=\"j\"-->"), ("j", "J")];
        assert_eq!(run(&files, "i"), "J");
        let files = [("e", "")];
        assert_eq!(run(&files, "e"), "");
    }
}
