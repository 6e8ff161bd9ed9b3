//! URL helpers (`mg_url_host/port/user/pass/uri/is_ssl`) and `mg_aton`.
//!
//! Input: a URL. Its host (and the whole input) also go through `aton`,
//! whose results are checked against std's address parsers and round-tripped
//! through the `%M` address printers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mongoose::core::fmt::{print_ip, print_ip4};
use mongoose::core::url::{aton, host, is_ssl, parts, port, socket_port, uri, user_pass};

/// Is `sub` a sub-slice of `whole` (same memory)?
fn inside(sub: &[u8], whole: &[u8]) -> bool {
    let (a, b) = (sub.as_ptr() as usize, whole.as_ptr() as usize);
    a >= b && a + sub.len() <= b + whole.len()
}

/// Dotted quad of decimal parts each <= 255 (any number of leading zeros,
/// as Mongoose's `mg_aton4` accepts them).
fn ref_ipv4(s: &[u8]) -> Option<[u8; 4]> {
    let parts: Vec<&[u8]> = s.split(|&c| c == b'.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut out = [0u8; 4];
    for (o, p) in out.iter_mut().zip(parts) {
        if p.is_empty() || !p.iter().all(u8::is_ascii_digit) {
            return None;
        }
        *o = std::str::from_utf8(p).ok()?.parse().ok()?;
    }
    Some(out)
}

fn check_aton(s: &[u8]) {
    let a = aton(s);
    if let Ok(text) = std::str::from_utf8(s) {
        if let Ok(v4) = text.parse::<std::net::Ipv4Addr>() {
            let a = a.expect("std parses an IPv4 address aton rejects");
            assert!(!a.is_ip6);
            assert_eq!(a.ip()[..4], v4.octets());
        }
        if let Ok(v6) = text.parse::<std::net::Ipv6Addr>() {
            let a = a.expect("std parses an IPv6 address aton rejects");
            assert!(a.is_ip6);
            assert_eq!(a.ip(), v6.octets());
            assert_eq!(a.scope_id, 0);
        }
    }
    let Some(a) = a else { return };
    assert_eq!(a.port, 0);
    let ip = a.ip();
    if !a.is_ip6 {
        assert!(ip[4..].iter().all(|&b| b == 0));
        assert_eq!(a.scope_id, 0);
        if !s.is_empty() && !s.eq_ignore_ascii_case(b"localhost") {
            assert_eq!(ref_ipv4(s), Some([ip[0], ip[1], ip[2], ip[3]]));
        }
    }
    // Round trip through the address printers.
    let mut text = Vec::new();
    let n = print_ip(&mut |b| text.push(b), &ip, a.is_ip6);
    assert_eq!(n, text.len());
    let b = aton(&text).unwrap_or_else(|| panic!("aton rejects printed {:?}", String::from_utf8_lossy(&text)));
    assert_eq!((b.ip(), b.is_ip6), (ip, a.is_ip6));
    if !a.is_ip6 {
        let mut t4 = Vec::new();
        print_ip4(&mut |b| t4.push(b), &[ip[0], ip[1], ip[2], ip[3]]);
        assert_eq!(t4, text);
    }
}

fuzz_target!(|url: &[u8]| {
    let p = parts(url);
    let len = url.len();
    let h = p.host.clone();
    assert!(h.start <= h.end && h.end <= len, "host {h:?} of {len}");
    let scheme_end = url.windows(3).position(|w| w == b"://").map_or(0, |k| k + 3);
    assert!(h.start >= scheme_end);
    if let Some(c) = &p.creds {
        assert!(c.start == scheme_end && c.start <= c.end);
        assert_eq!(url[c.end], b'@');
        assert_eq!(h.start, c.end + 1);
    }
    if let Some(r) = &p.port {
        assert_eq!(url[h.end], b':');
        assert_eq!(r.start, h.end + 1);
        assert!(r.start <= r.end && r.end <= len);
        assert_eq!(r.end, p.uri.unwrap_or(len));
    } else {
        assert_eq!(h.end, p.uri.unwrap_or(len));
    }
    if let Some(u) = p.uri {
        assert!(u < len && u >= h.end);
        assert_eq!(url[u], b'/');
        assert_eq!(uri(url), Some(u));
    } else {
        assert_eq!(uri(url), None);
    }

    let hs = host(url);
    assert!(inside(hs, url));
    assert_eq!(hs, &url[h.clone()]);

    let (user, pass) = user_pass(url);
    assert!(inside(user, url) && inside(pass, url));
    match &p.creds {
        Some(c) => {
            let creds = &url[c.clone()];
            assert!(!user.contains(&b':'));
            if user.len() == creds.len() {
                assert!(pass.is_empty() && user == creds);
            } else {
                assert_eq!(creds[user.len()], b':');
                assert_eq!(&creds[user.len() + 1..], pass);
            }
        }
        None => assert!(user.is_empty() && pass.is_empty()),
    }

    let pt = port(url);
    match socket_port(url) {
        Some(sp) if p.port.is_some() => assert_eq!(sp, pt),
        Some(sp) => assert_eq!(sp, pt),
        None => {
            let digits = &url[p.port.clone().expect("socket_port refused an implicit port")];
            let ok = !digits.is_empty()
                && digits.len() <= 5
                && digits.iter().all(u8::is_ascii_digit)
                && std::str::from_utf8(digits).unwrap().parse::<u16>().is_ok();
            assert!(!ok, "socket_port refused a valid port");
        }
    }
    if let Some(r) = &p.port {
        let digits = &url[r.clone()];
        if !digits.is_empty() && digits.len() <= 5 && digits.iter().all(u8::is_ascii_digit) {
            if let Ok(v) = std::str::from_utf8(digits).unwrap().parse::<u16>() {
                assert_eq!(socket_port(url), Some(v));
            }
        }
    }
    let _ = is_ssl(url);

    check_aton(url);
    check_aton(hs);
});
