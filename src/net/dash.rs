//! The device dashboard (`mg_dash_ev_handler`, `mg_dash_send_change`,
//! `mg_dash_dir_read`), rebuilt from black-box observation of Mongoose
//! 7.23's Linux build (API.md §22 lists it as out of scope; the exports
//! and structs are in abi-x86_64.tsv). A JSON REST API over the program's
//! field sets, with login sessions and change notifications over
//! WebSocket. Routes (all JSON replies carry `Content-Type:
//! application/json` and `Cache-Control: no-cache`):
//! * `/api/hi` → `hi`; `/api/login` → session cookie and
//!   `{"user":..,"level":..}`; `/api/logout` → 401 clearing the cookie;
//! * everything else under `/api/` needs a user (403 `Not Authorised`):
//!   custom handlers, `/api/websocket`, `/api/get[/<set>[/<a>[/<b>]]]`,
//!   `/api/set`, `/api/add/<set>`, `/api/del/<set>/<a>[/<b>]`, `/api/ota`;
//! * `/fs/<set>/<file>`: files in the set's `get_dir` directory;
//! * `/` → `404 Not found`, any other path → JSON `404 Not Found`.
use super::http::reply_bytes;
use crate::abi::*;
use crate::core::dash as rules;
use crate::core::fmt::{self, Arg};
use crate::core::fs::path_is_sane;
use crate::core::{http as h, json};
use crate::net::fs::Fs;
use core::ffi::{c_char, c_int, c_void};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

const JSON_HDRS: &[u8] = b"Content-Type: application/json\r\nCache-Control: no-cache\r\n";
/// `Max-Age` of the session cookie (Mongoose sends it whatever the
/// dashboard's `session_auto_expiration_seconds`).
const COOKIE_MAX_AGE: i64 = 86400;
/// Size of the credential buffers handed to `authenticate`.
const CRED_LEN: usize = 100;
/// Size of the buffer handed to `get_dir`.
const DIR_LEN: usize = 256;

/// Sessions created by logins (`mg_dash_user`s the program's callbacks
/// see), leaked boxes kept as addresses so the list is `Send`.
static SESSIONS: Mutex<Vec<usize>> = Mutex::new(Vec::new());
/// The user of each dashboard WebSocket, by connection address.
static WS_USERS: Mutex<Option<HashMap<usize, usize>>> = Mutex::new(None);
/// The user every request runs as when `authenticate` is NULL.
static GUEST: OnceLock<usize> = OnceLock::new();

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn new_user(name: &[u8], token: &[u8], level: c_int, expire: u64, dash: *mut mg_dash) -> *mut mg_dash_user {
    let mut u = Box::new(mg_dash_user {
        next: core::ptr::null_mut(),
        name: [0; 32],
        token: [0; 21],
        level,
        expire,
        dash,
    });
    for (d, s) in u.name.iter_mut().zip(name.iter().take(31)) {
        *d = *s as c_char;
    }
    for (d, s) in u.token.iter_mut().zip(token.iter().take(20)) {
        *d = *s as c_char;
    }
    Box::into_raw(u)
}

fn guest() -> *mut mg_dash_user {
    *GUEST.get_or_init(|| new_user(b"guest", b"", 9, 0, core::ptr::null_mut()) as usize) as *mut mg_dash_user
}

fn cstr_n(p: *const c_char, max: usize) -> Vec<u8> {
    if p.is_null() {
        return Vec::new();
    }
    let mut out = Vec::new();
    // SAFETY: `p` readable up to its NUL or `max` bytes (callers pass C
    // strings or fixed arrays of that size).
    unsafe {
        while out.len() < max {
            let b = *p.add(out.len()) as u8;
            if b == 0 {
                break;
            }
            out.push(b);
        }
    }
    out
}

fn random_token() -> Vec<u8> {
    const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut raw = [0u8; 19];
    super::random_bytes(&mut raw);
    raw.iter().map(|b| ALNUM[usize::from(*b) % ALNUM.len()]).collect()
}

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

/// The request's user: the built-in guest without `authenticate`, the
/// session named by the `access_token` cookie, or a new session when
/// `authenticate` gives the credentials a level above 0.
///
/// # Safety
/// `dash` valid; `hm`'s views readable.
unsafe fn user_of(dash: *mut mg_dash, hm: &mg_http_message) -> Option<*mut mg_dash_user> {
    // SAFETY: per the contract.
    unsafe {
        let Some(auth) = (*dash).authenticate else { return Some(guest()) };
        let mut user = [0u8; CRED_LEN];
        let mut pass = [0u8; CRED_LEN];
        let cookie = header(hm, b"Cookie");
        h::creds(header(hm, b"Authorization"), cookie, hm.query.as_bytes(), &mut user, &mut pass);
        if user[0] == 0 && pass[0] == 0 {
            return None;
        }
        let now = super::millis();
        let tok =
            cookie.and_then(|ck| h::header_var(ck, b"access_token").map(|sp| &ck[sp.off..sp.off + sp.len]));
        if let Some(tok) = tok {
            let mut list = lock(&SESSIONS);
            list.retain(|&p| {
                let u = p as *mut mg_dash_user;
                let live = (*u).expire > now;
                if !live {
                    drop(Box::from_raw(u));
                }
                live
            });
            if let Some(&p) = list.iter().find(|&&p| {
                let u = p as *const mg_dash_user;
                (*u).dash == dash && !tok.is_empty() && cstr_n((*u).token.as_ptr(), 21) == tok
            }) {
                return Some(p as *mut mg_dash_user);
            }
        }
        let level = auth(user.as_mut_ptr() as *mut c_char, CRED_LEN, pass.as_ptr() as *const c_char);
        if level <= 0 {
            return None;
        }
        let secs = match (*dash).session_auto_expiration_seconds {
            s if s > 0 => s as u64,
            _ => COOKIE_MAX_AGE as u64,
        };
        let name = cstr_n(user.as_ptr() as *const c_char, CRED_LEN);
        let u = new_user(&name, &random_token(), level, now + secs * 1000, dash);
        lock(&SESSIONS).push(u as usize);
        Some(u)
    }
}

fn esc(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    fmt::print_esc(&mut |b| out.push(b), s);
    out.push(b'"');
}

/// The set's fields as a JSON object.
///
/// # Safety
/// `set` valid, its field array terminated by a NULL name, each value
/// pointing at storage of its type.
unsafe fn print_fields(out: &mut Vec<u8>, set: *const mg_field_set) {
    out.push(b'{');
    // SAFETY: per the contract.
    unsafe {
        let mut f = (*set).fields;
        let mut first = true;
        while !f.is_null() && !(*f).name.is_null() {
            if !first {
                out.push(b',');
            }
            first = false;
            esc(out, &cstr_n((*f).name, usize::MAX));
            out.push(b':');
            let v = (*f).value;
            match (*f).type_ {
                _ if v.is_null() => out.extend_from_slice(b"null"),
                0 => out.extend_from_slice((*(v as *const c_int)).to_string().as_bytes()),
                1 => out.extend_from_slice((*(v as *const u64)).to_string().as_bytes()),
                2 => out.extend_from_slice(if *(v as *const bool) { b"true" } else { b"false" }),
                3 => out.extend_from_slice(&fmt::format(b"%.2f", &[Arg::Double(*(v as *const f64))])),
                4 => esc(out, &cstr_n(v as *const c_char, (*f).value_size)),
                _ => out.extend_from_slice(&cstr_n(v as *const c_char, (*f).value_size)),
            }
            f = f.add(1);
        }
    }
    out.push(b'}');
}

fn copy_cstr(dst: *mut c_void, size: usize, src: &[u8]) {
    if dst.is_null() || size == 0 {
        return;
    }
    let n = src.len().min(size - 1);
    // SAFETY: `dst` writable for `size` bytes (the field's value_size).
    unsafe {
        core::ptr::copy_nonoverlapping(src.as_ptr(), dst as *mut u8, n);
        *(dst as *mut u8).add(n) = 0;
    }
}

/// Store the members of JSON object `obj` into the set's fields; returns
/// how many were stored. A field takes `obj`'s member of its name when the
/// JSON type fits (see `core::dash`); a RAW field always takes the whole
/// `obj` text.
///
/// # Safety
/// As `print_fields`, values writable.
unsafe fn apply(set: *const mg_field_set, obj: &[u8]) -> usize {
    let mut count = 0;
    // SAFETY: per the contract.
    unsafe {
        let mut f = (*set).fields;
        while !f.is_null() && !(*f).name.is_null() {
            let v = (*f).value;
            let mut path = b"$.".to_vec();
            path.extend_from_slice(&cstr_n((*f).name, usize::MAX));
            let tok = json::get_tok(obj, &path);
            let num =
                || tok.filter(|t| matches!(t[0], b'-' | b'0'..=b'9')).and_then(|_| json::get_num(obj, &path));
            let stored = match (*f).type_ {
                _ if v.is_null() => false,
                0 => num().and_then(rules::int_value).map(|n| *(v as *mut c_int) = n).is_some(),
                1 => num().and_then(rules::u64_value).map(|n| *(v as *mut u64) = n).is_some(),
                2 => match tok {
                    Some(b"true") => {
                        *(v as *mut bool) = true;
                        true
                    }
                    Some(b"false") => {
                        *(v as *mut bool) = false;
                        true
                    }
                    _ => false,
                },
                3 => num().map(|d| *(v as *mut f64) = d).is_some(),
                4 => match tok.filter(|t| t[0] == b'"' && t.len() >= 2) {
                    Some(t) => {
                        let mut buf = vec![0u8; t.len()];
                        let n = json::unescape_into(&t[1..t.len() - 1], &mut buf);
                        copy_cstr(v, (*f).value_size, &buf[..n.min(buf.len())]);
                        true
                    }
                    None => false,
                },
                _ => {
                    copy_cstr(v, (*f).value_size, obj);
                    true
                }
            };
            count += usize::from(stored);
            f = f.add(1);
        }
    }
    count
}

/// # Safety
/// `dash` valid.
unsafe fn find_set(dash: *mut mg_dash, name: &[u8]) -> Option<*mut mg_field_set> {
    // SAFETY: a valid, NULL-terminated list.
    unsafe {
        let mut s = (*dash).sets;
        while !s.is_null() {
            if cstr_n((*s).name, usize::MAX) == name {
                return Some(s);
            }
            s = (*s).next;
        }
    }
    None
}

/// # Safety
/// `set` valid.
unsafe fn call(set: *mut mg_field_set, op: c_int, u: *mut mg_dash_user) -> bool {
    // SAFETY: the program's callback with its own set.
    unsafe { (*set).fn_.is_some_and(|f| f(op, u)) }
}

/// The change notification for `set` as `u` sees it (None when `fn`
/// refuses the read).
///
/// # Safety
/// `set` valid.
unsafe fn change_frame(set: *mut mg_field_set, u: *mut mg_dash_user) -> Option<Vec<u8>> {
    // SAFETY: per the contract.
    unsafe {
        if !call(set, MG_DASH_READ, u) {
            return None;
        }
        let mut key = cstr_n((*set).name, usize::MAX);
        if !(*set).index.is_null() {
            key.extend_from_slice(format!("/{}", *(*set).index).as_bytes());
        }
        let mut out = b"{\"method\":\"change\",\"params\":{".to_vec();
        esc(&mut out, &key);
        out.push(b':');
        print_fields(&mut out, set);
        out.extend_from_slice(b"}}");
        Some(out)
    }
}

/// `mg_dash_send_change`: every dashboard WebSocket of `mgr` whose user
/// may read `set` gets `{"method":"change","params":{"<set>[/<index>]":{..}}}`.
///
/// # Safety
/// `mgr` NULL or valid; `set` NULL or valid.
pub unsafe fn send_change(mgr: *mut mg_mgr, set: *mut mg_field_set) {
    if mgr.is_null() || set.is_null() {
        return;
    }
    // SAFETY: walking the manager's live connections.
    unsafe {
        let mut c = (*mgr).conns;
        while !c.is_null() {
            let u = lock(&WS_USERS).as_ref().and_then(|m| m.get(&(c as usize)).copied());
            if let Some(u) = u.filter(|_| (*c).flag(FLAG_IS_WEBSOCKET) && !(*c).flag(FLAG_IS_CLOSING)) {
                if let Some(frame) = change_frame(set, u as *mut mg_dash_user) {
                    super::ws::send(c, &frame, WEBSOCKET_OP_TEXT);
                }
            }
            c = (*c).next;
        }
    }
}

/// `mg_dash_dir_read`: fill the set's `name` (STR) and `size` (INT or
/// UINT64) fields from entry `*index` of the directory `get_dir` names
/// (`*index == -1` asks for the count, stored in `*index`; past the end
/// `*index` becomes -1). False without `get_dir`, an index or a `name`
/// field, or when `get_dir` fails.
///
/// # Safety
/// `set` NULL or valid; `u` NULL or valid.
pub unsafe fn dir_read(set: *mut mg_field_set, u: *mut mg_dash_user) -> bool {
    // SAFETY: per the contract.
    unsafe {
        let Some(get_dir) = set.as_ref().and_then(|s| s.get_dir) else { return false };
        let idx = (*set).index;
        let mut name_f = None;
        let mut size_f = None;
        let mut f = (*set).fields;
        while !f.is_null() && !(*f).name.is_null() {
            match (cstr_n((*f).name, 8).as_slice(), (*f).type_) {
                (b"name", 4) => name_f = Some(f),
                (b"size", 0 | 1) => size_f = Some(f),
                _ => {}
            }
            f = f.add(1);
        }
        let mut dir = [0 as c_char; DIR_LEN];
        if !get_dir(u, dir.as_mut_ptr(), DIR_LEN) {
            return false;
        }
        let (Some(nf), false) = (name_f, idx.is_null()) else { return false };
        let dir = cstr_n(dir.as_ptr(), DIR_LEN);
        let fs =
            Fs::new(u.as_ref().and_then(|u| u.dash.as_ref()).map_or(core::ptr::null_mut(), |d| d.upload_fs));
        let names = fs.ls(&dir);
        let i = *idx;
        if i == -1 {
            *idx = names.len() as c_int;
        } else if i >= 0 && (i as usize) < names.len() {
            let name = &names[i as usize];
            copy_cstr((*nf).value, (*nf).value_size, name);
            if let Some(sf) = size_f.filter(|sf| !(*(*sf)).value.is_null()) {
                let size = fs.st(&crate::core::fs::join(&dir, name)).map_or(0, |s| s.size);
                match (*sf).type_ {
                    0 => *((*sf).value as *mut c_int) = size as c_int,
                    _ => *((*sf).value as *mut u64) = size as u64,
                }
            }
        } else {
            *idx = -1;
        }
        true
    }
}

/// Forget a closing connection's WebSocket user.
fn forget(c: *mut mg_connection) {
    if let Some(m) = lock(&WS_USERS).as_mut() {
        m.remove(&(c as usize));
    }
}

/// `mg_dash_ev_handler`.
///
/// # Safety
/// `c` live; `ev_data` the event's data; `c->fn_data` NULL or a valid
/// `struct mg_dash`.
pub unsafe fn handler(c: *mut mg_connection, ev: c_int, ev_data: *mut c_void) {
    if ev == MG_EV_CLOSE {
        forget(c);
    }
    if ev != MG_EV_HTTP_MSG || ev_data.is_null() {
        return;
    }
    // SAFETY: per the contract.
    unsafe {
        let dash = (*c).fn_data as *mut mg_dash;
        let hm = &*(ev_data as *const mg_http_message);
        let uri = hm.uri.as_bytes();
        if dash.is_null() {
            return reply_bytes(c, 404, JSON_HDRS, b"Not Found");
        }
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
            super::ws::send(c, b"{\"method\":\"logout\"}", WEBSOCKET_OP_TEXT);
            return;
        }
        let user = user_of(dash, hm);
        if let Some(rest) = uri.strip_prefix(b"/api/") {
            let Some(u) = user else {
                return reply_bytes(c, 403, JSON_HDRS, b"Not Authorised\n");
            };
            return api(c, dash, hm, u, rest);
        }
        if let (Some(rest), Some(u)) = (uri.strip_prefix(b"/fs/"), user) {
            if let [set, file] = rest.split(|&b| b == b'/').collect::<Vec<_>>()[..] {
                return files(c, dash, hm, u, set, file);
            }
        }
        if uri == b"/" {
            return reply_bytes(c, 404, b"", b"Not found\n");
        }
        reply_bytes(c, 404, JSON_HDRS, b"Not Found");
    }
}

/// Authenticated `/api/...` routes (`rest` follows `/api/`).
///
/// # Safety
/// As `handler`; `u` a valid user.
unsafe fn api(
    c: *mut mg_connection,
    dash: *mut mg_dash,
    hm: &mg_http_message,
    u: *mut mg_dash_user,
    rest: &[u8],
) {
    // SAFETY: per the contract.
    unsafe {
        let mut ch = (*dash).custom_handlers;
        while !ch.is_null() {
            if let Some(f) = (*ch).handler {
                if crate::core::str::glob(hm.uri.as_bytes(), (*ch).uri_pattern.as_bytes()) {
                    return f(c, MG_EV_HTTP_MSG, hm as *const _ as *mut c_void);
                }
            }
            ch = (*ch).next;
        }
        let segs: Vec<&[u8]> = rest.split(|&b| b == b'/').collect();
        match segs.as_slice() {
            [b"login"] => {
                let token = cstr_n((*u).token.as_ptr(), 21);
                let mut hdrs = b"Set-Cookie: access_token=".to_vec();
                hdrs.extend_from_slice(&token);
                hdrs.extend_from_slice(b"; Path=/; ");
                if (*c).flag(FLAG_IS_TLS) {
                    hdrs.extend_from_slice(b"Secure; ");
                }
                hdrs.extend_from_slice(
                    format!("HttpOnly; SameSite=Lax; Max-Age={COOKIE_MAX_AGE}\r\n").as_bytes(),
                );
                hdrs.extend_from_slice(JSON_HDRS);
                let mut body = b"{\"user\":".to_vec();
                esc(&mut body, &cstr_n((*u).name.as_ptr(), 32));
                body.extend_from_slice(format!(",\"level\":{}}}\n", (*u).level).as_bytes());
                reply_bytes(c, 200, &hdrs, &body);
            }
            [b"websocket"] => {
                super::ws::upgrade(c, hm as *const _ as *mut mg_http_message, b"");
                if (*c).flag(FLAG_IS_WEBSOCKET) {
                    lock(&WS_USERS).get_or_insert_with(HashMap::new).insert(c as usize, u as usize);
                }
            }
            [b"ota"] => {
                // Mongoose's Linux build has no OTA backend: the image is
                // acknowledged and dropped, as mg_ota_* do there.
                if !hm.body.as_bytes().is_empty() {
                    reply_bytes(c, 200, b"", b"ok\n");
                }
            }
            [b"get"] => {
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

/// `/fs/<set>/<file>`: GET serves, POST stores (`?offset=0` starts the
/// file, otherwise the body is appended), DELETE removes a file of the
/// set's `get_dir` directory.
///
/// # Safety
/// As `api`.
unsafe fn files(
    c: *mut mg_connection,
    dash: *mut mg_dash,
    hm: &mg_http_message,
    u: *mut mg_dash_user,
    set: &[u8],
    file: &[u8],
) {
    // SAFETY: per the contract.
    unsafe {
        let method = hm.method.as_bytes();
        let Some(s) = find_set(dash, set).filter(|&s| (*s).get_dir.is_some()) else {
            // As observed: an upload gets its own message, other methods
            // the generic 404.
            let body: &[u8] = if method == b"POST" { b"Not Found\n" } else { b"Not Found" };
            return reply_bytes(c, 404, JSON_HDRS, body);
        };
        let name = crate::core::fs::url_decode_prefix(file, usize::MAX);
        if name.is_empty() || !path_is_sane(&name) || name.contains(&b'/') {
            return reply_bytes(c, 400, JSON_HDRS, b"Bad file name\n");
        }
        if method == b"POST" {
            // Called as Mongoose does, its answer ignored.
            call(s, MG_DASH_WRITE, u);
        }
        let mut dir = [0 as c_char; DIR_LEN];
        if !((*s).get_dir.unwrap())(u, dir.as_mut_ptr(), DIR_LEN) {
            return reply_bytes(c, 500, JSON_HDRS, b"Upload dir error\n");
        }
        let path = crate::core::fs::join(&cstr_n(dir.as_ptr(), DIR_LEN), &name);
        let os = <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(&path);
        match method {
            b"POST" => {
                let mut off = [0u8; 21];
                let start = h::get_var(hm.query.as_bytes(), b"offset", &mut off) == 1 && off[0] == b'0';
                let mut opts = std::fs::OpenOptions::new();
                opts.create(true);
                if start {
                    opts.write(true).truncate(true);
                } else {
                    opts.append(true);
                }
                let ok =
                    opts.open(os).and_then(|mut f| std::io::Write::write_all(&mut f, hm.body.as_bytes()));
                match ok {
                    Ok(()) => {
                        if !(*s).index.is_null() {
                            *(*s).index = -1;
                        }
                        reply_bytes(c, 200, b"", b"ok\n")
                    }
                    Err(_) => reply_bytes(c, 500, b"", b"open failed\n"),
                }
            }
            b"DELETE" => {
                let ok = call(s, MG_DASH_DELETE, u) && std::fs::remove_file(os).is_ok();
                reply_bytes(c, 200, b"", if ok { b"true" } else { b"false" });
            }
            _ => super::fs::serve_file(c, hm, &path, &super::fs::Opts::from_c(core::ptr::null())),
        }
    }
}
