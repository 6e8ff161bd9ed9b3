//! The MQTT protocol handler (`c->pfn` of `mg_mqtt_connect`/`mg_mqtt_listen`
//! connections) and the senders behind `mg_mqtt_*`. Packets come from
//! `core::mqtt`; this file frames `c->recv` into packets, answers the QoS
//! acks Mongoose answers by itself, and fires the MQTT events in its order:
//! CONNACK -> MQTT_OPEN; PUBLISH -> (PUBACK/PUBREC) MQTT_MSG; PUBREC ->
//! PUBREL; PUBREL -> PUBCOMP; then MQTT_CMD for every packet.
use super::{call, error, send};
use crate::abi::*;
use crate::core::mqtt::{self as q, Opts};
use core::ffi::{c_char, c_int, c_void};

/// Largest packet we wait for: one that cannot fit in `recv` (3 MiB, the
/// loop's MG_MAX_RECV_SIZE) is refused as soon as its header says so.
const MAX_PACKET: usize = 3 * 1024 * 1024;

fn version(c: &mg_connection) -> u8 {
    if c.flag(FLAG_IS_MQTT5) {
        5
    } else {
        4
    }
}

/// The protocol handler.
///
/// # Safety
/// Called by the loop with a live connection.
pub unsafe extern "C" fn handler(c: *mut mg_connection, ev: c_int, _ev_data: *mut c_void) {
    if ev != MG_EV_READ {
        return;
    }
    // SAFETY: `c` is live; `recv` is re-read after every callback, which may
    // consume, grow or close it.
    unsafe {
        while !(*c).flag(FLAG_IS_CLOSING) && (*c).recv.len > 0 {
            let v = version(&*c);
            let buf = (*c).recv.data();
            let p = q::parse(buf, v);
            match p.rc {
                q::MQTT_INCOMPLETE => {
                    if let Some((len, n)) = buf.get(1..).and_then(q::get_varint) {
                        if 1 + n + len as usize > MAX_PACKET {
                            error(c, "MQTT packet too large");
                        }
                    }
                    return;
                }
                q::MQTT_MALFORMED => {
                    // Mongoose closes silently; we also say why (departure).
                    error(c, "MQTT malformed message");
                    return;
                }
                _ => {}
            }
            let base = buf.as_ptr();
            let view = |r: Option<(usize, usize)>| match r {
                Some((o, l)) => mg_str { buf: base.add(o) as *mut c_char, len: l },
                None => mg_str::NULL,
            };
            let mut mm = mg_mqtt_message {
                topic: view(p.topic),
                data: view(p.data),
                dgram: mg_str { buf: base as *mut c_char, len: p.dgram },
                id: p.id,
                cmd: p.cmd,
                qos: p.qos,
                ack: p.ack,
                props_start: p.props_start,
                props_size: p.props_size,
            };
            let mmp = &mut mm as *mut mg_mqtt_message as *mut c_void;
            match p.cmd {
                q::CMD_CONNACK => {
                    // An int (not Mongoose's uint8_t) so readers of either width
                    // get the code (API.md §9.2).
                    let mut code: c_int = c_int::from(p.ack);
                    call(c, MG_EV_MQTT_OPEN, &mut code as *mut c_int as *mut c_void);
                    if p.ack != 0 {
                        crate::net::log_error(format_args!("{} MQTT auth failed, code {}", (*c).id, p.ack));
                        (*c).set_flag(FLAG_IS_CLOSING, true);
                    }
                }
                q::CMD_PUBLISH => {
                    match p.qos {
                        1 => ack(c, q::CMD_PUBACK, 0, p.id, v == 5),
                        2 => ack(c, q::CMD_PUBREC, 0, p.id, v == 5),
                        _ => {}
                    }
                    call(c, MG_EV_MQTT_MSG, mmp);
                }
                q::CMD_PUBREC => ack(c, q::CMD_PUBREL, 2, p.id, false),
                q::CMD_PUBREL => ack(c, q::CMD_PUBCOMP, 0, p.id, false),
                _ => {}
            }
            call(c, MG_EV_MQTT_CMD, mmp);
            (*c).recv.del(0, p.dgram);
        }
    }
}

/// Queue an ack carrying packet id `id`; MQTT 5 PUBACK/PUBREC add reason 0
/// and an empty property block, as Mongoose does.
///
/// # Safety
/// `c` live.
unsafe fn ack(c: *mut mg_connection, cmd: u8, flags: u8, id: u16, v5: bool) {
    let mut v = q::header(cmd, flags, if v5 { 4 } else { 2 });
    v.extend_from_slice(&id.to_be_bytes());
    if v5 {
        v.extend_from_slice(&[0, 0]);
    }
    // SAFETY: `c` live.
    unsafe { send(c, &v) };
}

/// `mg_mqtt_connect`: connect and queue CONNECT.
///
/// # Safety
/// `mgr` initialised; `url` NUL-terminated.
pub unsafe fn connect(
    mgr: *mut mg_mgr,
    url: *const c_char,
    opts: &Opts,
    fn_: mg_event_handler_t,
    fn_data: *mut c_void,
) -> *mut mg_connection {
    // SAFETY: per the contract.
    unsafe {
        let c = super::connect(mgr, url, fn_, fn_data, Some(handler), core::ptr::null_mut());
        if !c.is_null() && !(*c).flag(FLAG_IS_CLOSING) {
            login(c, opts);
        }
        c
    }
}

/// `mg_mqtt_listen`.
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

/// A random client id as Mongoose makes one: 19 letters and digits.
fn random_id() -> [u8; 19] {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut r = [0u8; 19];
    super::random_bytes(&mut r);
    r.map(|b| ALNUM[usize::from(b) % ALNUM.len()])
}

/// `mg_mqtt_login`: queue CONNECT; version 5 turns on `is_mqtt5`.
///
/// # Safety
/// `c` live.
pub unsafe fn login(c: *mut mg_connection, o: &Opts) {
    let id = random_id();
    // SAFETY: `c` live.
    unsafe {
        (*c).set_flag(FLAG_IS_MQTT5, o.version == 5);
        send(c, &q::connect(o, &id));
    }
}

/// The next packet id from `mgr->mqtt_id`, never 0.
///
/// # Safety
/// `c` live.
unsafe fn next_id(c: *mut mg_connection) -> u16 {
    // SAFETY: `c` live; its manager outlives it.
    unsafe {
        let mgr = (*c).mgr;
        if mgr.is_null() {
            return 1;
        }
        (*mgr).mqtt_id = (*mgr).mqtt_id.wrapping_add(1);
        if (*mgr).mqtt_id == 0 {
            (*mgr).mqtt_id = 1;
        }
        (*mgr).mqtt_id
    }
}

/// `mg_mqtt_pub`: returns the packet id (`retransmit_id` when given, a new
/// one for QoS > 0, else 0).
///
/// # Safety
/// `c` live.
pub unsafe fn publish(c: *mut mg_connection, o: &Opts) -> u16 {
    // SAFETY: `c` live.
    unsafe {
        let mut id = o.retransmit_id;
        if o.qos > 0 && id == 0 {
            id = next_id(c);
        }
        send(c, &q::publish(o, id, version(&*c) == 5));
        id
    }
}

/// `mg_mqtt_sub` (`sub == true`) / `mg_mqtt_unsub`.
///
/// # Safety
/// `c` live.
pub unsafe fn subscribe(c: *mut mg_connection, o: &Opts, sub: bool) {
    // SAFETY: `c` live.
    unsafe {
        let id = next_id(c);
        send(c, &q::subscribe(o, id, version(&*c) == 5, sub));
    }
}

/// `mg_mqtt_send_header`.
///
/// # Safety
/// `c` live.
pub unsafe fn send_header(c: *mut mg_connection, cmd: u8, flags: u8, len: u32) {
    // SAFETY: `c` live.
    unsafe { send(c, &q::header(cmd, flags, len)) };
}

/// `mg_mqtt_disconnect`.
///
/// # Safety
/// `c` live.
pub unsafe fn disconnect(c: *mut mg_connection, props: &[q::Prop]) {
    // SAFETY: `c` live.
    unsafe { send(c, &q::disconnect(props, version(&*c) == 5)) };
}
