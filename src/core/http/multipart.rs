//! `mg_http_next_multipart`: iterating a multipart/form-data body.

use super::{header_var, Span};

/// One part of a multipart body; spans index the whole body.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Part {
    /// `name` of the `Content-Disposition` header, if any.
    pub name: Option<Span>,
    /// `filename` of the `Content-Disposition` header, if any.
    pub filename: Option<Span>,
    pub body: Span,
}

fn find_crlf(buf: &[u8], from: usize) -> Option<usize> {
    buf.get(from..)?.windows(2).position(|w| w == b"\r\n").map(|k| from + k)
}

/// `mg_http_next_multipart`: the part whose boundary line starts at `ofs`,
/// and the offset of the next boundary line. `None` (C: 0) at the closing
/// boundary and for a malformed body or incomplete part headers.
///
/// A part whose closing boundary has not arrived (a body still streaming
/// in) is yielded anyway, as Mongoose 7.23 does (observed with the oracle):
/// its data runs to the end of the buffer minus room for a boundary that may
/// be arriving (`CRLF boundary` plus 2 bytes, so the bytes held back are
/// never part of a split boundary), and the offset returned is 2 past that.
/// At least 3 bytes must follow the part headers.
pub fn next_multipart(body: &[u8], ofs: usize) -> Option<(usize, Part)> {
    const CD: &[u8] = b"Content-Disposition";
    let max = body.len();
    let b = find_crlf(body, ofs)?;
    if b == ofs || b + 2 >= max {
        return None;
    }
    // The end of the part is searched for with the boundary's length but the
    // bytes at the start of the body, as Mongoose 7.23 does (observed): the
    // same thing for a well-formed body, whose boundary lines are all alike,
    // but not for an `ofs` that does not start a boundary line.
    let boundary = &body[..b - ofs];
    let mut part = Part::default();
    let mut h1 = b + 2;
    loop {
        let h2 = find_crlf(body, h1)?;
        if h2 == h1 {
            break;
        }
        if h2 + 2 >= max {
            return None;
        }
        // Mongoose takes the value from one byte past the colon onwards.
        let line = &body[h1..h2];
        if line.len() > CD.len() + 2 && line[CD.len()] == b':' && line[..CD.len()].eq_ignore_ascii_case(CD) {
            let at = h1 + CD.len() + 2;
            let v = &body[at..h2];
            part.name = header_var(v, b"name").map(|s| s.shift(at));
            part.filename = header_var(v, b"filename").map(|s| s.shift(at));
        }
        h1 = h2 + 2;
    }
    let b1 = h1 + 2;
    // The data ends at CRLF + boundary, followed by at least 2 more bytes
    // (`--` or CRLF).
    let mut b2 = b1;
    while b2 + 2 + boundary.len() + 2 <= max {
        if &body[b2..b2 + 2] == b"\r\n" && &body[b2 + 2..b2 + 2 + boundary.len()] == boundary {
            part.body = Span::new(b1, b2 - b1);
            return Some((b2 + 2, part));
        }
        b2 += 1;
    }
    if b1 + 2 >= max {
        return None;
    }
    let len = (max - b1).saturating_sub(boundary.len() + 4);
    part.body = Span::new(b1, len);
    Some((b1 + len + 2, part))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::http::*;

    const MP: &[u8] = b"--XYZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nval1\r\n\
--XYZ\r\ncontent-disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\nContent-Type: text/plain\r\n\r\nhel\r\nlo\r\n\
--XYZ\r\nX-Other: 1\r\n\r\n\r\n--XYZ--\r\n";

    #[test]
    fn multipart_iterates() {
        let t = |s: Option<Span>| s.map(|x| std::str::from_utf8(x.get(MP)).unwrap());
        let (o1, p1) = next_multipart(MP, 0).unwrap();
        assert_eq!((t(p1.name), t(p1.filename), t(Some(p1.body))), (Some("a"), None, Some("val1")));
        assert_eq!(&MP[o1..o1 + 5], b"--XYZ");
        let (o2, p2) = next_multipart(MP, o1).unwrap();
        assert_eq!(
            (t(p2.name), t(p2.filename), t(Some(p2.body))),
            (Some("f"), Some("x.txt"), Some("hel\r\nlo"))
        );
        let (o3, p3) = next_multipart(MP, o2).unwrap();
        assert_eq!((p3.name, p3.filename, p3.body.len), (None, None, 0));
        assert_eq!(&MP[o3..], b"--XYZ--\r\n");
        assert_eq!(next_multipart(MP, o3), None);
    }

    /// A last part without its closing boundary (a body still arriving) is
    /// yielded, cut before the bytes that may be the start of a boundary:
    /// `(returned offset, body offset, body length)` from Mongoose 7.23.
    #[test]
    fn multipart_open_tail() {
        let r = |s: &[u8]| next_multipart(s, 0).map(|(o, p)| (o, p.body.off, p.body.len));
        // MP's first part "val1\r\n--XYZ\r\n..." starts at 51; "--XYZ" holds
        // back 9 bytes.
        let want = [(54, 53, 0), (60, 53, 0), (61, 54, 1), (62, 55, 2), (63, 56, 3)];
        for (n, o, len) in want {
            assert_eq!(r(&MP[..n]), Some((o, 51, len)), "prefix {n}");
        }
        // From 64 bytes on the real boundary is there.
        assert_eq!(r(&MP[..64]), Some((57, 51, 4)));
        assert_eq!(r(b"--B\r\nX: 1\r\n\r\nabc"), Some((15, 13, 0)));
        assert_eq!(r(b"--B\r\nX: 1\r\n\r\nabcdefghijklmnop"), Some((24, 13, 9)));
        assert_eq!(r(b"--B\r\n\r\nabcdefghij"), Some((12, 7, 3)));
        // A CRLF and boundary not followed by 2 more bytes is held back too.
        let s = b"--B\r\n\r\nabc\r\n--B";
        assert_eq!(r(s), Some((10, 7, 1)));
        // The name is kept; the next call starts inside the data and fails.
        let s = b"--B\r\nContent-Disposition: form-data; name=\"k\"\r\n\r\nabcdefghijkl";
        let (o, part) = next_multipart(s, 0).unwrap();
        assert_eq!((part.name.unwrap().get(s), part.body.get(s)), (&b"k"[..], &b"abcde"[..]));
        assert_eq!(next_multipart(s, o), None);
    }

    /// From an offset that does not start a boundary line ("YZ" here), the
    /// part's end is searched for with the first bytes of the body ("--"),
    /// as Mongoose 7.23 does: the data stops at the next "\r\n--".
    #[test]
    fn multipart_offset_inside_a_boundary() {
        let (o, p) = next_multipart(MP, 60).unwrap();
        assert_eq!((o, p.body.off, p.body.len), (161, 152, 7));
        assert_eq!((p.name.unwrap().off, p.filename.unwrap().off), (102, 116));
    }

    #[test]
    fn multipart_edges() {
        // The closing boundary without its CRLF still ends the last part.
        let s = b"--B\r\nContent-Disposition: form-data; name=\"k\"\r\n\r\nv\r\n--B--";
        let (o, part) = next_multipart(s, 0).unwrap();
        assert_eq!(part.body.get(s), b"v");
        assert_eq!(next_multipart(s, o), None);
        // `filename` listed first is also what `name` finds (substring search).
        let s =
            b"--B\r\nContent-Disposition: form-data; filename=\"f.txt\"; name=\"n\"\r\n\r\nv\r\n--B--\r\n";
        let (_, part) = next_multipart(s, 0).unwrap();
        assert_eq!(part.name.unwrap().get(s), b"f.txt");
        // Incomplete part headers end the iteration (prefixes up to the 3rd
        // byte after the blank line; values from Mongoose 7.23).
        for n in 0..54 {
            assert_eq!(next_multipart(&MP[..n], 0), None, "prefix {n}");
        }
        assert_eq!(next_multipart(b"", 0), None);
        assert_eq!(next_multipart(b"\r\nabc", 0), None);
        assert_eq!(next_multipart(b"--B\nX: 1\n\nv\n--B--\n", 0), None);
        assert_eq!(next_multipart(MP, MP.len() + 10), None);
        // The value is taken from one byte past the colon.
        let s = b"--B\r\nContent-Disposition:name=\"q\"\r\n\r\nv\r\n--B--";
        assert_eq!(next_multipart(s, 0).unwrap().1.name, None);
    }

    // Added for mutation testing (MUTANTS.md).
    #[test]
    fn multipart_short_boundaries_and_headers() {
        // A body that starts with CRLF has no boundary.
        assert_eq!(next_multipart(b"\r\nX: 1\r\n\r\nab\r\ncd", 0), None);
        assert_eq!(next_multipart(b"-\r\n", 0), None);
        // A one-byte boundary.
        let s = b"-\r\n\r\nab\r\n-\r\n";
        let (o, part) = next_multipart(s, 0).unwrap();
        assert_eq!((o, part.body.get(s)), (9, &b"ab"[..]));
        // The shortest Content-Disposition line that is looked at has 22
        // bytes; shorter ones (and other short headers) are skipped.
        let s = b"--B\r\nContent-Disposition: name=\"ab\"\r\nContent-Type: text\r\n\
Content-Type: texts\r\nContent-Disposition:\r\nContent-Disposition: \r\n\r\nv\r\n--B--";
        let (_, part) = next_multipart(s, 0).unwrap();
        assert_eq!((part.name.unwrap().get(s), part.body.get(s)), (&b"ab"[..], &b"v"[..]));
        let s = b"--B\r\nContent-Disposition: xname=\"q\"\r\nContent-Disposition: x\r\n\r\nv\r\n--B--";
        let (_, part) = next_multipart(s, 0).unwrap();
        assert_eq!(part.name, None);
    }
}
