//! The Modbus-TCP server handler: the `pfn` that `mg_modbus_listen`
//! installs. Each whole request frame in `c->recv` becomes one
//! `MG_EV_MODBUS_REQ` (a `struct mg_modbus_req` whose `u.bits`/`u.regs`
//! the program reads or fills, or whose `error` it sets); the reply is
//! framed here. Malformed PDUs get their exception without an event; a
//! frame that is not Modbus-TCP closes the connection.
use super::call;
use crate::abi::*;
use crate::core::modbus::{self as mb, Split};
use core::ffi::{c_char, c_int, c_void};

/// Answer every complete frame at the front of `c->recv`.
///
/// # Safety
/// `c` live.
unsafe fn serve(c: *mut mg_connection) {
    // SAFETY: `c` is live for the whole call; `recv` is re-read after the
    // user's callback, which may have changed it.
    unsafe {
        while (*c).flags & FLAG_IS_CLOSING == 0 {
            let (size, tid, unit, parsed) = match mb::split((*c).recv.data()) {
                Split::Incomplete => return,
                Split::Bad => {
                    (*c).set_flag(FLAG_IS_CLOSING, true);
                    return;
                }
                Split::Frame { size, tid, unit, pdu } => (size, tid, unit, (pdu[0], mb::parse(pdu))),
            };
            // The frame leaves `recv` before the handler runs, so what it
            // does to `recv` cannot confuse the next turn of this loop.
            (*c).recv.del(0, size);
            let out = match parsed {
                (func, Err(code)) => mb::exception(tid, unit, func, code),
                (_, Ok(req)) => {
                    let mut bits = req.bits.clone();
                    let mut regs = req.regs.clone();
                    let n = usize::from(req.len);
                    let data = match req.func {
                        mb::READ_COILS | mb::READ_DISCRETE_INPUTS => {
                            bits = vec![false; n];
                            mg_modbus_data { bits: bits.as_mut_ptr() }
                        }
                        mb::READ_HOLDING_REGISTERS | mb::READ_INPUT_REGISTERS => {
                            regs = vec![0; n];
                            mg_modbus_data { regs: regs.as_mut_ptr() }
                        }
                        mb::WRITE_SINGLE_COIL | mb::WRITE_MULTIPLE_COILS => {
                            mg_modbus_data { bits: bits.as_mut_ptr() }
                        }
                        _ => mg_modbus_data { regs: regs.as_mut_ptr() },
                    };
                    let mut r =
                        mg_modbus_req { func: req.func, error: 0, addr: req.addr, u: data, len: req.len };
                    call(c, MG_EV_MODBUS_REQ, &mut r as *mut mg_modbus_req as *mut c_void);
                    if r.error != 0 {
                        mb::exception(tid, unit, req.func, r.error)
                    } else {
                        mb::reply(tid, unit, &req, &bits, &regs)
                    }
                }
            };
            super::send(c, &out);
        }
    }
}

/// The protocol handler (`c->pfn`).
///
/// # Safety
/// Called by the loop with a live connection.
pub unsafe extern "C" fn handler(c: *mut mg_connection, ev: c_int, _ev_data: *mut c_void) {
    if ev == MG_EV_READ {
        // SAFETY: `c` live (the loop's contract).
        unsafe { serve(c) }
    }
}

/// `mg_modbus_listen`.
///
/// # Safety
/// `mgr` initialised; `url` NUL-terminated.
pub unsafe fn listen(
    mgr: *mut mg_mgr,
    url: *const c_char,
    fn_: mg_event_handler_t,
    fn_data: *mut c_void,
) -> *mut mg_connection {
    // SAFETY: per the contract.
    unsafe { super::listen(mgr, url, fn_, fn_data, Some(handler)) }
}
