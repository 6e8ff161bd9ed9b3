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
/// boundary and for a malformed or incomplete body.
pub fn next_multipart(body: &[u8], ofs: usize) -> Option<(usize, Part)> {
    const CD: &[u8] = b"Content-Disposition";
    let max = body.len();
    let b = find_crlf(body, ofs)?;
    if b == ofs || b + 2 >= max {
        return None;
    }
    let boundary = &body[ofs..b];
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
    None
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
        // Incomplete or malformed bodies end the iteration.
        for n in 0..MP.iter().position(|&c| c == b'v').unwrap() + 6 {
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
}
