//! The device dashboard (`mg_dash_ev_handler`, `mg_dash_send_change`,
//! `mg_dash_dir_read`), rebuilt from black-box observation of Mongoose
//! 7.23's Linux build (API.md §22 lists it as out of scope; the exports
//! and structs are in abi-x86_64.tsv). A JSON REST API over the program's
//! field sets, with login sessions (`session`) and change notifications
//! over WebSocket. Every request is first given a user (`session::user_of`),
//! then routed; JSON replies carry `Content-Type: application/json` and
//! `Cache-Control: no-cache`:
//! * `/api/hi` → `hi`; `/api/logout` → 401 clearing the cookie;
//! * the built-in routes need a user (else 403 `Not Authorised`):
//!   `/api/login` (session cookie and `{"user":..,"level":..}`),
//!   `/api/websocket`, `/api/get[/<set>[/<a>[/<b>]]]`, `/api/set`,
//!   `/api/add/<set>`, `/api/del/<set>/<a>[/<b>]`, `/api/ota`, and
//!   `/fs/<set>/<file>` (`files`);
//! * `/` → `404 Not found`;
//! * any other URI goes to the first custom handler whose pattern matches
//!   (called as `handler(c, MG_EV_HTTP_MSG, hm)`; under `/api/` only with
//!   a user), else JSON `404 Not Found` (403 under `/api/` without a user).
//!
//! Every event also stores the dashboard pointer (`c->fn_data`) in
//! `c->data[16..24]`, and a dashboard WebSocket has its user in
//! `c->data[8..16]`, as in Mongoose.
mod fields;
mod files;
pub mod session;

pub use fields::{dir_read, send_change};

use crate::abi::*;
use crate::core::dash as rules;
use crate::core::json;
use crate::net::http::reply_bytes;
use core::ffi::{c_int, c_void};
use fields::{apply, call, cstr_n, esc, find_set, print_fields};
use session::User;
use std::sync::Arc;

pub(super) const JSON_HDRS: &[u8] = b"Content-Type: application/json\r\nCache-Control: no-cache\r\n";
const NOT_AUTHORISED: &[u8] = b"Not Authorised\n";

/// # Safety
/// `hm` valid.
unsafe fn header<'a>(hm: &'a mg_http_message, name: &[u8]) -> Option<&'a [u8]> {
    // SAFETY: the message's views are readable.
    unsafe {
        hm.headers
            .iter()
            .take_while(|x| x.name.len > 0)
            .find(|x| x.name.as_bytes().eq_ignore_ascii_case(name))
            .map(|x| x.value.as_bytes())
    }
}

/// Whether `rest` (the URI after `/api/`) is one of the built-in routes
/// that need a user, as Mongoose matches them (`get` takes up to three
/// more segments, `add` exactly one, `del` two or three).
fn builtin(rest: &[u8]) -> bool {
    let segs: Vec<&[u8]> = rest.split(|&b| b == b'/').collect();
    match segs.as_slice() {
        [b"login" | b"websocket" | b"set" | b"ota"] => true,
        [b"get", more @ ..] => more.len() <= 3,
        [b"add", _] => true,
        [b"del", more @ ..] => matches!(more.len(), 2 | 3),
        _ => false,
    }
}

/// Store a pointer in `c->data` at byte `off` (where Mongoose keeps the
/// dashboard's pointers).
///
/// # Safety
/// `c` live; `off + 8 <= MG_DATA_SIZE`.
unsafe fn store_ptr(c: *mut mg_connection, off: usize, p: usize) {
    // SAFETY: per the contract; `data` is a byte array, hence unaligned.
    unsafe { core::ptr::write_unaligned((&raw mut (*c).data as *mut u8).add(off) as *mut usize, p) }
}

/// `mg_dash_ev_handler`.
///
/// # Safety
/// `c` live; `ev_data` the event's data; `c->fn_data` NULL or a valid
/// `struct mg_dash`.
pub unsafe fn handler(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    // SAFETY: per the contract.
    unsafe {
        let dash = (*c).fn_data as *mut mg_dash;
        store_ptr(c, 16, dash as usize);
        if ev == MG_EV_CLOSE {
            session::forget_conn(c);
        }
        if ev != MG_EV_HTTP_MSG || ev_data.is_null() {
            return;
        }
        let hm = &*(ev_data as *const mg_http_message);
        if dash.is_null() {
            return reply_bytes(c, 404, JSON_HDRS, b"Not Found");
        }
        let creds = session::Creds {
            authorization: header(hm, b"Authorization"),
            cookie: header(hm, b"Cookie"),
            query: hm.query.as_bytes(),
        };
        let user = session::user_of((*c).mgr, dash, &creds);
        route(c, dash, hm, user);
    }
}

/// # Safety
/// As `handler`; `dash` valid.
unsafe fn route(c: *mut mg_connection, dash: *mut mg_dash, hm: &mg_http_message, user: Option<Arc<User>>) {
    // SAFETY: per the contract.
    unsafe {
        let uri = hm.uri.as_bytes();
        let api_rest = uri.strip_prefix(b"/api/");
        if uri == b"/api/hi" {
            return reply_bytes(c, 200, JSON_HDRS, b"hi\n");
        }
        if uri == b"/api/logout" {
            let mut hdrs =
                b"Set-Cookie: access_token=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 UTC; ".to_vec();
            if (*c).flag(FLAG_IS_TLS) {
                hdrs.extend_from_slice(b"Secure; ");
            }
            hdrs.extend_from_slice(b"HttpOnly; Max-Age=0; \r\n");
            reply_bytes(c, 401, &hdrs, b"Unauthorized\n");
            crate::net::ws::send(c, b"{\"method\":\"logout\"}", WEBSOCKET_OP_TEXT);
            return;
        }
        if let Some(rest) = api_rest.filter(|r| builtin(r)) {
            return match user {
                Some(u) => api(c, dash, hm, u, rest),
                None => reply_bytes(c, 403, JSON_HDRS, NOT_AUTHORISED),
            };
        }
        if let Some(rest) = uri.strip_prefix(b"/fs/") {
            if let [set, file] = rest.split(|&b| b == b'/').collect::<Vec<_>>()[..] {
                return match user {
                    Some(u) => files::files(c, dash, hm, u.ptr(), set, file),
                    None => reply_bytes(c, 403, JSON_HDRS, NOT_AUTHORISED),
                };
            }
        }
        if uri == b"/" {
            return reply_bytes(c, 404, b"", b"Not found\n");
        }
        if api_rest.is_some() && user.is_none() {
            return reply_bytes(c, 403, JSON_HDRS, NOT_AUTHORISED);
        }
        let mut ch = (*dash).custom_handlers;
        while !ch.is_null() {
            if let Some(f) = (*ch).handler {
                if crate::core::str::glob(uri, (*ch).uri_pattern.as_bytes()) {
                    return f(c, MG_EV_HTTP_MSG, hm as *const _ as *mut c_void);
                }
            }
            ch = (*ch).next;
        }
        reply_bytes(c, 404, JSON_HDRS, b"Not Found");
    }
}

/// Authenticated `/api/...` routes (`rest` follows `/api/`).
///
/// # Safety
/// As `handler`; `rest` one of the `builtin` routes.
unsafe fn api(c: *mut mg_connection, dash: *mut mg_dash, hm: &mg_http_message, user: Arc<User>, rest: &[u8]) {
    // SAFETY: per the contract.
    unsafe {
        let u = user.ptr();
        let segs: Vec<&[u8]> = rest.split(|&b| b == b'/').collect();
        match segs.as_slice() {
            [b"login"] => {
                let token = user.token();
                let mut hdrs = b"Set-Cookie: access_token=".to_vec();
                hdrs.extend_from_slice(&token);
                hdrs.extend_from_slice(b"; Path=/; ");
                if (*c).flag(FLAG_IS_TLS) {
                    hdrs.extend_from_slice(b"Secure; ");
                }
                hdrs.extend_from_slice(
                    format!("HttpOnly; SameSite=Lax; Max-Age={}\r\n", session::COOKIE_MAX_AGE_SECS)
                        .as_bytes(),
                );
                hdrs.extend_from_slice(JSON_HDRS);
                let mut body = b"{\"user\":".to_vec();
                esc(&mut body, &user.name());
                body.extend_from_slice(format!(",\"level\":{}}}\n", user.level()).as_bytes());
                reply_bytes(c, 200, &hdrs, &body);
            }
            [b"websocket"] => {
                crate::net::ws::upgrade(c, hm as *const _ as *mut mg_http_message, b"");
                if (*c).flag(FLAG_IS_WEBSOCKET) {
                    // As Mongoose: the WebSocket's user in c->data[8..16];
                    // it lives as long as the connection (add_ws keeps it).
                    store_ptr(c, 8, user.ptr() as usize);
                    session::add_ws((*c).mgr, dash, c, user.clone());
                }
            }
            [b"ota"] => {
                // Mongoose's Linux build has no OTA backend: the image is
                // acknowledged and dropped, as mg_ota_* do there.
                if !hm.body.as_bytes().is_empty() {
                    reply_bytes(c, 200, b"", b"ok\n");
                }
            }
            [b"get"] | [b"get", b""] => {
                let mut out = b"{".to_vec();
                let mut s = (*dash).sets;
                let mut first = true;
                while !s.is_null() {
                    let mut item = Vec::new();
                    esc(&mut item, &cstr_n((*s).name, usize::MAX));
                    item.push(b':');
                    let ok = if (*s).index.is_null() {
                        call(s, MG_DASH_READ, u) && {
                            print_fields(&mut item, s);
                            true
                        }
                    } else {
                        let saved = *(*s).index;
                        *(*s).index = -1;
                        // A set whose fn leaves the count negative is left out.
                        let ok = call(s, MG_DASH_READ, u) && *(*s).index >= 0;
                        item.extend_from_slice((*(*s).index).to_string().as_bytes());
                        *(*s).index = saved;
                        ok
                    };
                    if ok {
                        if !first {
                            out.push(b',');
                        }
                        first = false;
                        out.extend_from_slice(&item);
                    }
                    s = (*s).next;
                }
                out.extend_from_slice(b"}\n");
                reply_bytes(c, 200, JSON_HDRS, &out);
            }
            [b"get", name, more @ ..] if more.len() <= 2 => {
                let Some(s) = find_set(dash, name).filter(|&s| call(s, MG_DASH_READ, u)) else {
                    return reply_bytes(c, 200, JSON_HDRS, b"null\n");
                };
                let mut out = Vec::new();
                if (*s).index.is_null() {
                    print_fields(&mut out, s);
                } else {
                    let idx = (*s).index;
                    let saved = *idx;
                    match more {
                        [] | [b""] => {
                            *idx = -1;
                            call(s, MG_DASH_READ, u);
                            out.extend_from_slice((*idx).to_string().as_bytes());
                        }
                        _ => {
                            let (first, last) = rules::range(more[0], more.get(1).copied());
                            out.push(b'[');
                            for i in first..=last {
                                *idx = i;
                                call(s, MG_DASH_READ, u);
                                if i > first {
                                    out.push(b',');
                                }
                                print_fields(&mut out, s);
                            }
                            out.push(b']');
                        }
                    }
                    *idx = saved;
                }
                out.push(b'\n');
                reply_bytes(c, 200, JSON_HDRS, &out);
            }
            [b"set"] => {
                let body = hm.body.as_bytes();
                let mut count = 0;
                let mut ofs = 0;
                let mut changed = Vec::new();
                if body.first() == Some(&b'{') {
                    loop {
                        let (next, key, val) = json::next(body, ofs);
                        if next == 0 {
                            break;
                        }
                        ofs = next;
                        let (Some((ko, kn)), Some((vo, vn))) = (key, val) else { continue };
                        let name = &body[ko + 1..ko + kn - 1];
                        let Some(s) = find_set(dash, name) else { continue };
                        if !call(s, MG_DASH_WRITE, u) {
                            continue;
                        }
                        count += apply(s, &body[vo..vo + vn]);
                        call(s, MG_DASH_WRITE, u);
                        changed.push(s);
                    }
                }
                reply_bytes(c, 200, JSON_HDRS, format!("{count}\n").as_bytes());
                for s in changed {
                    send_change((*c).mgr, s);
                }
            }
            [b"add", name] => match find_set(dash, name).filter(|&s| !(*s).index.is_null()) {
                None => reply_bytes(c, 404, JSON_HDRS, b"null\n"),
                Some(s) => {
                    let ok = apply(s, hm.body.as_bytes()) > 0 && call(s, MG_DASH_ADD, u);
                    if ok {
                        *(*s).index = -1;
                    }
                    let (code, body): (c_int, &[u8]) = if ok { (200, b"true\n") } else { (403, b"false\n") };
                    reply_bytes(c, code, JSON_HDRS, body);
                }
            },
            [b"del", name, a, b @ ..] if b.len() <= 1 => {
                match find_set(dash, name).filter(|&s| !(*s).index.is_null()) {
                    None => reply_bytes(c, 404, JSON_HDRS, b"null\n"),
                    Some(s) => {
                        let (first, last) = rules::range(a, b.first().copied());
                        let mut count = 0;
                        for i in first..=last {
                            *(*s).index = i;
                            if !call(s, MG_DASH_DELETE, u) {
                                break;
                            }
                            count += 1;
                        }
                        if count == 0 {
                            reply_bytes(c, 403, JSON_HDRS, b"false\n");
                        } else {
                            *(*s).index = -1;
                            reply_bytes(c, 200, JSON_HDRS, format!("{count}\n").as_bytes());
                        }
                    }
                }
            }
            _ => reply_bytes(c, 404, JSON_HDRS, b"Not Found"),
        }
    }
}
