//! Field sets: printing them as JSON, storing JSON into them, change
//! notifications and directory listings (`mg_dash_send_change`,
//! `mg_dash_dir_read`).
use super::session;
use crate::abi::*;
use crate::core::dash as rules;
use crate::core::fmt::{self, Arg};
use crate::core::json;
use crate::net::fs::Fs;
use core::ffi::{c_char, c_int, c_void};

/// Size of the buffer handed to `get_dir`.
pub(super) const DIR_LEN: usize = 256;

pub fn cstr_n(p: *const c_char, max: usize) -> Vec<u8> {
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

pub fn esc(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    fmt::print_esc(&mut |b| out.push(b), s);
    out.push(b'"');
}

/// The set's fields as a JSON object.
///
/// # Safety
/// `set` valid, its field array terminated by a NULL name, each value
/// pointing at storage of its type.
pub unsafe fn print_fields(out: &mut Vec<u8>, set: *const mg_field_set) {
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
pub unsafe fn apply(set: *const mg_field_set, obj: &[u8]) -> usize {
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
pub unsafe fn find_set(dash: *mut mg_dash, name: &[u8]) -> Option<*mut mg_field_set> {
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
pub unsafe fn call(set: *mut mg_field_set, op: c_int, u: *mut mg_dash_user) -> bool {
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
    // The users stay alive in `ws` while the program's `fn` runs, whatever
    // it does to the sessions.
    let ws = session::websockets(mgr);
    // SAFETY: walking the manager's live connections.
    unsafe {
        let mut c = (*mgr).conns;
        while !c.is_null() {
            let next = (*c).next;
            if let Some((_, u)) = ws.iter().find(|(k, _)| *k == c as usize) {
                if (*c).flag(FLAG_IS_WEBSOCKET) && !(*c).flag(FLAG_IS_CLOSING) {
                    if let Some(frame) = change_frame(set, u.ptr()) {
                        super::super::ws::send(c, &frame, WEBSOCKET_OP_TEXT);
                    }
                }
            }
            c = next;
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
