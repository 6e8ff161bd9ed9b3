//! JSON-RPC exports (API.md §22): the handler list (`mg_rpc_add`,
//! `mg_rpc_del`), dispatch (`mg_rpc_process`) and responses (`mg_rpc_vok`,
//! `mg_rpc_verr`, `mg_rpc_list`; the variadic `mg_rpc_ok`/`mg_rpc_err` are
//! in variadic.c). Responses go out through the request's `pfn`, one
//! character at a time, as Mongoose streams them; the framing bytes come
//! from `core::rpc`.
use super::fmt::{pfn_sink, vxprintf_to};
use super::guard::guard_unit;
use super::str::heap_copy;
use crate::abi::{mg_rpc, mg_rpc_req, mg_str, va_list};
use crate::core::rpc::{self, Route};
use crate::core::str as core_str;
use core::ffi::{c_char, c_int, c_void};
use core::ptr;

/// A handler, as stored in `struct mg_rpc`.
type Handler = Option<unsafe extern "C" fn(*mut mg_rpc_req)>;

/// Register `handler` for the methods matching `method_pattern` (an
/// `mg_match` glob, copied to the heap), in front of the list at `*head`.
/// Nodes are `calloc`ed and freed by `mg_rpc_del`. An empty pattern makes
/// a handler for response frames (`"result"`/`"error"` without a method).
///
/// # Safety
/// `head` NULL or a valid list head; `method_pattern` a valid view.
#[no_mangle]
pub unsafe extern "C" fn mg_rpc_add(
    head: *mut *mut mg_rpc,
    method_pattern: mg_str,
    handler: Handler,
    handler_data: *mut c_void,
) {
    if head.is_null() {
        return;
    }
    // SAFETY: per the contract; the node is zeroed C memory we own until
    // linked in.
    guard_unit(|| unsafe {
        let node = libc::calloc(1, core::mem::size_of::<mg_rpc>()) as *mut mg_rpc;
        if node.is_null() {
            return;
        }
        (*node).method = heap_copy(method_pattern.as_bytes());
        (*node).fn_ = handler;
        (*node).fn_data = handler_data;
        (*node).next = *head;
        *head = node;
    })
}

/// Remove (and free) every handler whose function is `handler`; a NULL
/// `handler` removes them all.
///
/// # Safety
/// `head` NULL or a valid list head built by `mg_rpc_add`.
#[no_mangle]
pub unsafe extern "C" fn mg_rpc_del(head: *mut *mut mg_rpc, handler: Handler) {
    if head.is_null() {
        return;
    }
    // SAFETY: per the contract: every node and method buffer came from calloc.
    guard_unit(|| unsafe {
        let mut link = head;
        while !(*link).is_null() {
            let node = *link;
            // Compare function addresses: handlers are identified by pointer.
            let same = handler.is_none() || (*node).fn_.map(|f| f as usize) == handler.map(|f| f as usize);
            if same {
                *link = (*node).next;
                libc::free((*node).method.buf as *mut c_void);
                libc::free(node as *mut c_void);
            } else {
                link = ptr::addr_of_mut!((*node).next);
            }
        }
    })
}

/// The request's frame.
///
/// # Safety
/// `r` valid, its frame a valid view.
unsafe fn frame<'a>(r: *const mg_rpc_req) -> &'a [u8] {
    // SAFETY: per the contract.
    unsafe { (*r).frame.as_bytes() }
}

/// Send `head`, the caller's formatted text (`null` for a NULL format),
/// then `tail`, through the request's output function.
///
/// # Safety
/// `r` valid; `fmt` NULL or NUL-terminated; `ap` NULL or a `va_list`
/// matching `fmt`.
unsafe fn send(r: *mut mg_rpc_req, head: &[u8], fmt: *const c_char, ap: *mut va_list, tail: &[u8]) {
    // SAFETY: per the contract; the output function and its data are the
    // caller's.
    unsafe {
        let mut out = pfn_sink((*r).pfn, (*r).pfn_data);
        head.iter().for_each(|&b| out(b));
        let fmt = if fmt.is_null() { c"null".as_ptr() } else { fmt };
        vxprintf_to(&mut out, fmt, ap);
        tail.iter().for_each(|&b| out(b));
    }
}

/// Send already formatted text as the message or result.
///
/// # Safety
/// `r` valid.
unsafe fn send_bytes(r: *mut mg_rpc_req, head: &[u8], body: &[u8], tail: &[u8]) {
    // SAFETY: per the contract.
    let mut out = unsafe { pfn_sink((*r).pfn, (*r).pfn_data) };
    head.iter().chain(body).chain(tail).for_each(|&b| out(b));
}

/// Dispatch `r->frame`: a frame whose `"method"` string matches a
/// pattern (first match in list order) runs that handler with `r->rpc`
/// set to its node; an unmatched method gets error -32601 `"NAME not
/// found"`; a frame that is neither a call nor a response gets -32700 with
/// the frame as the message.
///
/// # Safety
/// `r` NULL or valid: `head` NULL or a list, `frame` a valid view.
#[no_mangle]
pub unsafe extern "C" fn mg_rpc_process(r: *mut mg_rpc_req) {
    if r.is_null() {
        return;
    }
    // SAFETY: per the contract. No borrow is held across the handler call,
    // which may change the request or the list.
    guard_unit(|| unsafe {
        let frame = frame(r);
        match rpc::route(frame) {
            Route::Method(name) => {
                let mut h = if (*r).head.is_null() { ptr::null_mut() } else { *(*r).head };
                while !h.is_null() && !core_str::glob(name, (*h).method.as_bytes()) {
                    h = (*h).next;
                }
                if h.is_null() {
                    let head = rpc::err_head(frame, rpc::METHOD_NOT_FOUND);
                    send_bytes(r, &head, &rpc::not_found_message(name), rpc::ERR_TAIL);
                } else {
                    (*r).rpc = h;
                    if let Some(f) = (*h).fn_ {
                        f(r);
                    }
                }
            }
            Route::ParseError => {
                let head = rpc::err_head(frame, rpc::PARSE_ERROR);
                send_bytes(r, &head, &rpc::parse_error_message(frame), rpc::ERR_TAIL);
            }
        }
    })
}

/// Success response `{"id":ID,"result":...}` with the result formatted
/// from `fmt` (printf family; NULL gives `null`). Nothing is sent when the
/// frame has no `"id"` (a notification).
///
/// # Safety
/// `r` NULL or valid; `fmt` NULL or NUL-terminated; `ap` NULL or a
/// `va_list` matching `fmt`.
#[no_mangle]
pub unsafe extern "C" fn mg_rpc_vok(r: *mut mg_rpc_req, fmt: *const c_char, ap: *mut va_list) {
    if r.is_null() {
        return;
    }
    // SAFETY: per the contract.
    guard_unit(|| unsafe {
        if let Some(head) = rpc::ok_head(frame(r)) {
            send(r, &head, fmt, ap, rpc::OK_TAIL);
        }
    })
}

/// Error response `{"id":ID,"error":{"code":CODE,"message":...}}` with the
/// message formatted from `fmt` (NULL gives `null`; a string needs its
/// quotes in the format, e.g. `"%m", MG_ESC(s)`). Sent even when the frame
/// has no `"id"` (then without it).
///
/// # Safety
/// As `mg_rpc_vok`.
#[no_mangle]
pub unsafe extern "C" fn mg_rpc_verr(r: *mut mg_rpc_req, code: c_int, fmt: *const c_char, ap: *mut va_list) {
    if r.is_null() {
        return;
    }
    // SAFETY: per the contract.
    guard_unit(|| unsafe { send(r, &rpc::err_head(frame(r), code), fmt, ap, rpc::ERR_TAIL) })
}

/// Success response whose result is the array of registered method
/// patterns (`*r->head`, in list order; empty patterns left out).
///
/// # Safety
/// `r` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn mg_rpc_list(r: *mut mg_rpc_req) {
    if r.is_null() {
        return;
    }
    // SAFETY: per the contract: the list's nodes and their views are valid.
    guard_unit(|| unsafe {
        let Some(head) = rpc::ok_head(frame(r)) else { return };
        let mut pats: Vec<&[u8]> = Vec::new();
        let mut h = if (*r).head.is_null() { ptr::null_mut() } else { *(*r).head };
        while !h.is_null() {
            pats.push((*h).method.as_bytes());
            h = (*h).next;
        }
        send_bytes(r, &head, &rpc::list(pats), rpc::OK_TAIL);
    })
}
