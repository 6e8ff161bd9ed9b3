//! URL pieces and literal addresses (`mg_url_*`, `mg_aton`), over bytes.
//! A URL is `[scheme://][user[:pass]@]host[:port][/uri]`; IPv6 hosts are
//! bracketed and keep their brackets.
use crate::abi::{mg_addr, mg_addr_ip};
use std::ops::Range;

/// Where each part of a URL lies.
#[derive(Debug, Default, PartialEq)]
pub struct Parts {
    /// `user[:pass]` before `@`, if any.
    pub creds: Option<Range<usize>>,
    pub host: Range<usize>,
    /// The digits after the host's `:`, if any.
    pub port: Option<Range<usize>>,
    /// Offset of the first `/` after the host.
    pub uri: Option<usize>,
}

/// Split a URL into its parts.
pub fn parts(url: &[u8]) -> Parts {
    let start = url.windows(3).position(|w| w == b"://").map_or(0, |k| k + 3);
    let mut p = Parts { host: start..url.len(), ..Parts::default() };
    let mut host_start = start;
    let mut colon = None;
    let mut in_brackets = false;
    for (i, &c) in url.iter().enumerate().skip(start) {
        match c {
            b'@' if p.creds.is_none() => {
                p.creds = Some(start..i);
                host_start = i + 1;
                colon = None;
            }
            b'[' => in_brackets = true,
            b']' => in_brackets = false,
            b':' if !in_brackets => colon = Some(i),
            // Even inside brackets, as Mongoose: `[fe80::1/64]` ends at `/`.
            b'/' => {
                p.uri = Some(i);
                break;
            }
            _ => {}
        }
    }
    let end = p.uri.unwrap_or(url.len());
    match colon {
        Some(k) if k >= host_start => {
            p.host = host_start..k;
            p.port = Some(k + 1..end);
        }
        _ => p.host = host_start..end,
    }
    p
}

/// `mg_url_host`.
pub fn host(url: &[u8]) -> &[u8] {
    &url[parts(url).host]
}

/// `mg_url_user` and `mg_url_pass` (empty when absent).
pub fn user_pass(url: &[u8]) -> (&[u8], &[u8]) {
    match parts(url).creds {
        Some(r) => {
            let creds = &url[r];
            match creds.iter().position(|&c| c == b':') {
                Some(k) => (&creds[..k], &creds[k + 1..]),
                None => (creds, &creds[creds.len()..]),
            }
        }
        None => (&url[..0], &url[..0]),
    }
}

/// `mg_url_uri`: offset of the path, `None` meaning `"/"`.
pub fn uri(url: &[u8]) -> Option<usize> {
    parts(url).uri
}

/// C's `atoi` on bytes: optional blanks and sign, then digits.
fn atoi(s: &[u8]) -> i32 {
    let s = &s[s.iter().take_while(|c| c.is_ascii_whitespace()).count()..];
    let (neg, s) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let v = s
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .fold(0i32, |acc, &d| acc.wrapping_mul(10).wrapping_add(i32::from(d - b'0')));
    if neg {
        v.wrapping_neg()
    } else {
        v
    }
}

/// `mg_url_port`: the explicit port, else the scheme's default.
pub fn port(url: &[u8]) -> u16 {
    if let Some(r) = parts(url).port {
        return atoi(&url[r]) as u16;
    }
    const DEFAULTS: [(&[u8], u16); 6] =
        [(b"http:", 80), (b"ws:", 80), (b"https:", 443), (b"wss:", 443), (b"mqtt:", 1883), (b"mqtts:", 8883)];
    DEFAULTS.iter().find(|(s, _)| url.starts_with(s)).map_or(0, |&(_, p)| p)
}

/// The port for opening a socket: like [`port`], but an explicit port that is
/// not a number in 0..=65535 is refused instead of wrapping the way `atoi`
/// into a `u16` would (a departure: Mongoose would bind the wrapped port).
pub fn socket_port(url: &[u8]) -> Option<u16> {
    match parts(url).port {
        Some(r) => {
            let digits = &url[r];
            if digits.is_empty() || digits.len() > 5 || !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            u16::try_from(atoi(digits)).ok()
        }
        None => Some(port(url)),
    }
}

/// `mg_url_is_ssl`.
pub fn is_ssl(url: &[u8]) -> bool {
    [&b"wss:"[..], b"https:", b"mqtts:", b"ssl:", b"tls:", b"tcps:"].iter().any(|s| url.starts_with(s))
}

/// Strict dotted IPv4: exactly four non-empty decimal octets 0-255. Leading
/// zeros are allowed in any number (`0001.2.3.4`), so octets are
/// accumulated with an overflow check rather than limited by length.
pub(crate) fn ipv4(s: &[u8]) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut n = 0;
    for part in s.split(|&c| c == b'.') {
        if n == 4 || part.is_empty() {
            return None;
        }
        out[n] = part.iter().try_fold(0u8, |acc, &c| {
            let d = (c as char).to_digit(10)? as u8;
            acc.checked_mul(10)?.checked_add(d)
        })?;
        n += 1;
    }
    (n == 4).then_some(out)
}

/// `mg_aton`: a literal address (empty = 0.0.0.0, `localhost`, dotted IPv4,
/// IPv6 with optional brackets and `%scope`). The port is left at 0.
/// Unlike Mongoose, a scoped IPv6 address is parsed in full (`fe80::1%3`).
pub fn aton(s: &[u8]) -> Option<mg_addr> {
    let mut a = mg_addr::default();
    if s.is_empty() {
        return Some(a);
    }
    if s.eq_ignore_ascii_case(b"localhost") {
        a.addr = mg_addr_ip { ip: [127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] };
        return Some(a);
    }
    if let Some(v4) = ipv4(s) {
        let mut ip = [0u8; 16];
        ip[..4].copy_from_slice(&v4);
        a.addr = mg_addr_ip { ip };
        return Some(a);
    }
    let s = if s.len() > 2 && s[0] == b'[' && s[s.len() - 1] == b']' { &s[1..s.len() - 1] } else { s };
    let (s, scope) = match s.iter().position(|&c| c == b'%') {
        // The scope must be decimal digits fitting 8 bits: `%`, `%x` and
        // `%256` are refused rather than read as atoi would.
        Some(k) => (&s[..k], Some(crate::core::str::to_num(&s[k + 1..], 10, 1)? as u8)),
        None => (s, None),
    };
    if scope.is_some() && !s.contains(&b':') {
        return None;
    }
    let v6: std::net::Ipv6Addr = std::str::from_utf8(s).ok()?.parse().ok()?;
    a.addr = mg_addr_ip { ip: v6.octets() };
    a.is_ip6 = true;
    a.scope_id = scope.unwrap_or(0);
    Some(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_table() {
        // url, host, port, user, pass, uri, ssl
        for (url, h, p, u, pw, uri_s, ssl) in [
            ("http://a.com", "a.com", 80, "", "", "/", false),
            ("https://user:pw@a.com:8443/x/y?q=1#f", "a.com", 8443, "user", "pw", "/x/y?q=1#f", true),
            ("ws://[::1]:9000/ws", "[::1]", 9000, "", "", "/ws", false),
            ("tcp://1.2.3.4", "1.2.3.4", 0, "", "", "/", false),
            ("udp://8.8.8.8:53", "8.8.8.8", 53, "", "", "/", false),
            ("mqtts://b", "b", 8883, "", "", "/", true),
            ("a.com:99", "a.com", 99, "", "", "/", false),
            ("http://u@h/", "h", 80, "u", "", "/", false),
            ("tls://x:1", "x", 1, "", "", "/", true),
            (":8000", "", 8000, "", "", "/", false),
        ] {
            let b = url.as_bytes();
            assert_eq!(host(b), h.as_bytes(), "{url}");
            assert_eq!(port(b), p, "{url}");
            assert_eq!(user_pass(b), (u.as_bytes(), pw.as_bytes()), "{url}");
            assert_eq!(uri(b).map_or("/", |k| &url[k..]), uri_s, "{url}");
            assert_eq!(is_ssl(b), ssl, "{url}");
        }
    }

    #[test]
    fn aton_cases() {
        let ip = |s: &str| aton(s.as_bytes()).map(|a| (a.ip(), a.is_ip6, a.scope_id));
        assert_eq!(ip("").unwrap().0, [0; 16]);
        assert_eq!(ip("LocalHost").unwrap().0[..4], [127, 0, 0, 1]);
        assert_eq!(ip("01.2.3.4").unwrap().0[..4], [1, 2, 3, 4]);
        assert_eq!(ip("0001.002.3.4").unwrap().0[..4], [1, 2, 3, 4]);
        for bad in [
            "1.2.3",
            "256.1.1.1",
            "1.2.3.4.5",
            "1::2::3",
            "x",
            "1.2.3.4:80",
            "1000.1.1.1",
            "4294967297.1.1.1",
            "fe80::1%",
            "fe80::1%x",
            "fe80::1%256",
        ] {
            assert!(ip(bad).is_none(), "{bad}");
        }
        let (v6, is6, _) = ip("[::1]").unwrap();
        assert!(is6);
        assert_eq!(v6[15], 1);
        let (m, _, _) = ip("::FFFF:1.2.3.4").unwrap();
        assert_eq!(m[10..], [0xff, 0xff, 1, 2, 3, 4]);
        let (s, _, scope) = ip("fe80::1%3").unwrap();
        assert_eq!((s[0], s[1], s[15], scope), (0xfe, 0x80, 1, 3));
    }

    // Added for mutation testing (MUTANTS.md): Mongoose 7.23's mg_url_* results.
    #[test]
    fn url_brackets_at_signs_and_signed_ports() {
        // url, host, port, user, pass, uri
        for (url, h, p, u, pw, uri_s) in [
            ("http://[::1]/x", "[::1]", 80, "", "", "/x"),
            ("[::1]", "[::1]", 0, "", "", "/"),
            ("ws://[::1]", "[::1]", 80, "", "", "/"),
            ("http://a@b@c/", "b@c", 80, "a", "", "/"),
            ("http://[fe80::1/64]:80/x", "[fe80::1", 80, "", "", "/64]:80/x"),
            ("x:-1", "x", 65535, "", "", "/"),
            ("x:+80", "x", 80, "", "", "/"),
        ] {
            let b = url.as_bytes();
            assert_eq!(host(b), h.as_bytes(), "{url}");
            assert_eq!(port(b), p, "{url}");
            assert_eq!(user_pass(b), (u.as_bytes(), pw.as_bytes()), "{url}");
            assert_eq!(uri(b).map_or("/", |k| &url[k..]), uri_s, "{url}");
        }
    }

    /// Our own rule (a departure, see `socket_port`): 0..=65535 in at most
    /// five digits, else refused.
    #[test]
    fn socket_port_is_strict() {
        for (url, want) in [
            ("http://h", Some(80)),
            ("h", Some(0)),
            ("h:1", Some(1)),
            ("h:8080", Some(8080)),
            ("h:12345", Some(12345)),
            ("h:65535", Some(65535)),
            ("h:00080", Some(80)),
            ("h:65536", None),
            ("h:000080", None),
            ("h:", None),
            ("h:-1", None),
            ("h:8o", None),
            ("h:+80", None),
        ] {
            assert_eq!(socket_port(url.as_bytes()), want, "{url}");
        }
    }

    #[test]
    fn aton_brackets_must_pair() {
        let ok = |s: &str| aton(s.as_bytes()).is_some();
        assert!(ok("[::1]"));
        assert!(!ok("1::2]"));
        assert!(!ok("::1]"));
        assert!(!ok("[]"));
    }
}
