//! MQTT (`mongoose.h`: MQTT): client, listener, packet builders and parser.
use crate::abi::*;
use crate::core::mqtt::{self as q, Opts, Prop};
use crate::ffi::guard::{guard, guard_unit};
use crate::net::mqtt as n;
use core::ffi::{c_char, c_int, c_void};
use core::ptr;

/// The properties of a C array (empty for NULL).
///
/// # Safety
/// `p` NULL or `len` readable elements whose strings stay valid for `'a`.
unsafe fn props<'a>(p: *const mg_mqtt_prop, len: usize) -> Vec<Prop<'a>> {
    if p.is_null() {
        return Vec::new();
    }
    // SAFETY: per the contract.
    unsafe {
        core::slice::from_raw_parts(p, len)
            .iter()
            .map(|x| Prop { id: x.id, iv: x.iv, key: x.key.as_bytes(), val: x.val.as_bytes() })
            .collect()
    }
}

/// Run `f` on the Rust view of `*o` (all defaults for NULL).
///
/// # Safety
/// `o` NULL or a valid `mg_mqtt_opts` whose strings and arrays are readable.
unsafe fn with_opts<R>(o: *const mg_mqtt_opts, f: impl FnOnce(&Opts) -> R) -> R {
    if o.is_null() {
        return f(&Opts::default());
    }
    // SAFETY: per the contract.
    unsafe {
        let o = &*o;
        let pr = props(o.props, o.num_props);
        let wp = props(o.will_props, o.num_will_props);
        let v = Opts {
            user: o.user.as_bytes(),
            pass: o.pass.as_bytes(),
            client_id: o.client_id.as_bytes(),
            topic: o.topic.as_bytes(),
            message: o.message.as_bytes(),
            qos: o.qos,
            version: o.version,
            keepalive: o.keepalive,
            retransmit_id: o.retransmit_id,
            retain: o.retain,
            clean: o.clean,
            props: &pr,
            will_props: &wp,
        };
        f(&v)
    }
}

/// Connect to an MQTT broker (`mqtt://host:1883`) and queue a CONNECT
/// built from `opts` (NULL: MQTT 3.1.1, random client id). CONNACK fires
/// `MG_EV_MQTT_OPEN`, every packet `MG_EV_MQTT_CMD`, PUBLISH `MG_EV_MQTT_MSG`.
#[no_mangle]
pub unsafe extern "C" fn mg_mqtt_connect(
    mgr: *mut mg_mgr,
    url: *const c_char,
    opts: *const mg_mqtt_opts,
    fn_: mg_event_handler_t,
    fn_data: *mut c_void,
) -> *mut mg_connection {
    if mgr.is_null() || url.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: initialised manager, NUL-terminated URL, readable options.
    guard(ptr::null_mut(), || unsafe { with_opts(opts, |o| n::connect(mgr, url, o, fn_, fn_data)) })
}

/// Listen for MQTT clients: accepted connections parse MQTT packets and
/// fire `MG_EV_MQTT_CMD`/`MG_EV_MQTT_MSG`; the program answers (not a broker).
#[no_mangle]
pub unsafe extern "C" fn mg_mqtt_listen(
    mgr: *mut mg_mgr,
    url: *const c_char,
    fn_: mg_event_handler_t,
    fn_data: *mut c_void,
) -> *mut mg_connection {
    if mgr.is_null() || url.is_null() {
        return ptr::null_mut();
    }
    // SAFETY: initialised manager, NUL-terminated URL.
    guard(ptr::null_mut(), || unsafe { n::listen(mgr, url, fn_, fn_data) })
}

/// Queue a CONNECT built from `opts`; version 5 sets `c->is_mqtt5`.
#[no_mangle]
pub unsafe extern "C" fn mg_mqtt_login(c: *mut mg_connection, opts: *const mg_mqtt_opts) {
    if c.is_null() {
        return;
    }
    // SAFETY: live connection, readable options.
    guard_unit(|| unsafe { with_opts(opts, |o| n::login(c, o)) })
}

/// Queue a PUBLISH of `opts->message` to `opts->topic`; returns its packet
/// id (0 for QoS 0 unless `retransmit_id` is set).
#[no_mangle]
pub unsafe extern "C" fn mg_mqtt_pub(c: *mut mg_connection, opts: *const mg_mqtt_opts) -> u16 {
    if c.is_null() || opts.is_null() {
        return 0;
    }
    // SAFETY: live connection, readable options.
    guard(0, || unsafe { with_opts(opts, |o| n::publish(c, o)) })
}

/// Queue a SUBSCRIBE to `opts->topic` with QoS `opts->qos`.
#[no_mangle]
pub unsafe extern "C" fn mg_mqtt_sub(c: *mut mg_connection, opts: *const mg_mqtt_opts) {
    if c.is_null() || opts.is_null() {
        return;
    }
    // SAFETY: live connection, readable options.
    guard_unit(|| unsafe { with_opts(opts, |o| n::subscribe(c, o, true)) })
}

/// Queue an UNSUBSCRIBE from `opts->topic`.
#[no_mangle]
pub unsafe extern "C" fn mg_mqtt_unsub(c: *mut mg_connection, opts: *const mg_mqtt_opts) {
    if c.is_null() || opts.is_null() {
        return;
    }
    // SAFETY: live connection, readable options.
    guard_unit(|| unsafe { with_opts(opts, |o| n::subscribe(c, o, false)) })
}

/// Queue a fixed header: `cmd << 4 | flags` and the remaining length `len`
/// (the program sends the rest with `mg_send`).
#[no_mangle]
pub unsafe extern "C" fn mg_mqtt_send_header(c: *mut mg_connection, cmd: u8, flags: u8, len: u32) {
    if c.is_null() {
        return;
    }
    // SAFETY: live connection.
    guard_unit(|| unsafe { n::send_header(c, cmd, flags, len) })
}

/// Queue a PINGREQ.
#[no_mangle]
pub unsafe extern "C" fn mg_mqtt_ping(c: *mut mg_connection) {
    // SAFETY: live connection (or NULL: nothing).
    unsafe { mg_mqtt_send_header(c, q::CMD_PINGREQ, 0, 0) }
}

/// Queue a PINGRESP.
#[no_mangle]
pub unsafe extern "C" fn mg_mqtt_pong(c: *mut mg_connection) {
    // SAFETY: live connection (or NULL: nothing).
    unsafe { mg_mqtt_send_header(c, q::CMD_PINGRESP, 0, 0) }
}

/// Queue a DISCONNECT (MQTT 5: reason 0 and `opts->props`).
#[no_mangle]
pub unsafe extern "C" fn mg_mqtt_disconnect(c: *mut mg_connection, opts: *const mg_mqtt_opts) {
    if c.is_null() {
        return;
    }
    // SAFETY: live connection, readable options.
    guard_unit(|| unsafe { with_opts(opts, |o| n::disconnect(c, o.props)) })
}

/// Parse the MQTT packet at the front of `buf` into `*m` (views into
/// `buf`). Returns `MQTT_OK`, `MQTT_INCOMPLETE` (need more bytes) or
/// `MQTT_MALFORMED`. `version` 5 reads PUBLISH properties.
#[no_mangle]
pub unsafe extern "C" fn mg_mqtt_parse(
    buf: *const u8,
    len: usize,
    version: u8,
    m: *mut mg_mqtt_message,
) -> c_int {
    if m.is_null() || (buf.is_null() && len > 0) {
        return q::MQTT_MALFORMED;
    }
    // SAFETY: `buf` readable for `len` bytes; `m` writable.
    guard(q::MQTT_MALFORMED, || unsafe {
        let b = super::raw::bytes(buf, len);
        let p = q::parse(b, version);
        let view = |r: Option<(usize, usize)>| match r {
            Some((o, l)) => mg_str { buf: buf.add(o) as *mut c_char, len: l },
            None => mg_str::NULL,
        };
        *m = mg_mqtt_message {
            topic: view(p.topic),
            data: view(p.data),
            dgram: mg_str { buf: buf as *mut c_char, len: p.dgram },
            id: p.id,
            cmd: p.cmd,
            qos: p.qos,
            ack: p.ack,
            props_start: p.props_start,
            props_size: p.props_size,
        };
        p.rc
    })
}

/// Decode the MQTT 5 property at offset `ofs` (start with 0) of a parsed
/// message into `*prop`; returns the next offset, or 0 when there is none.
#[no_mangle]
pub unsafe extern "C" fn mg_mqtt_next_prop(
    m: *mut mg_mqtt_message,
    prop: *mut mg_mqtt_prop,
    ofs: usize,
) -> usize {
    if m.is_null() || prop.is_null() {
        return 0;
    }
    // SAFETY: `m` describes a live packet; `prop` writable.
    guard(0, || unsafe {
        let d = (*m).dgram.as_bytes();
        let base = (*m).dgram.buf;
        // SAFETY of `write_bytes`: `prop` is writable (checked non-NULL).
        ptr::write_bytes(prop, 0, 1);
        let Some((p, next)) = q::next_prop(d, (*m).props_start, (*m).props_size, ofs) else {
            return 0;
        };
        let view = |r: Option<(usize, usize)>| match r {
            Some((o, l)) => mg_str { buf: base.add(o), len: l },
            None => mg_str::NULL,
        };
        (*prop).id = p.id;
        (*prop).iv = p.iv;
        (*prop).key = view(p.key);
        (*prop).val = view(p.val);
        next
    })
}
