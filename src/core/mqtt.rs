//! MQTT 3.1.1 / 5 packet codec: the builders behind `mg_mqtt_login`,
//! `mg_mqtt_pub`, `mg_mqtt_sub`, ... and the parser behind `mg_mqtt_parse`
//! and `mg_mqtt_next_prop`. Bytes and results follow Mongoose 7.23 as
//! observed with `scripts/mqtt_diff.py` (including its quirks, noted where
//! they show).

pub const CMD_CONNECT: u8 = 1;
pub const CMD_CONNACK: u8 = 2;
pub const CMD_PUBLISH: u8 = 3;
pub const CMD_PUBACK: u8 = 4;
pub const CMD_PUBREC: u8 = 5;
pub const CMD_PUBREL: u8 = 6;
pub const CMD_PUBCOMP: u8 = 7;
pub const CMD_SUBSCRIBE: u8 = 8;
pub const CMD_SUBACK: u8 = 9;
pub const CMD_UNSUBSCRIBE: u8 = 10;
pub const CMD_UNSUBACK: u8 = 11;
pub const CMD_PINGREQ: u8 = 12;
pub const CMD_PINGRESP: u8 = 13;
pub const CMD_DISCONNECT: u8 = 14;
pub const CMD_AUTH: u8 = 15;

/// `mg_mqtt_parse` results.
pub const MQTT_OK: i32 = 0;
pub const MQTT_INCOMPLETE: i32 = 1;
pub const MQTT_MALFORMED: i32 = 2;

/// How an MQTT5 property's value is encoded (`MQTT_PROP_TYPE_*`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PropType {
    Byte,
    String,
    StringPair,
    Binary,
    VarInt,
    Int,
    Short,
}

/// The value encoding of property `id`, `None` for ids MQTT 5 does not define.
pub fn prop_type(id: u8) -> Option<PropType> {
    use PropType::*;
    Some(match id {
        0x01 | 0x17 | 0x19 | 0x24 | 0x25 | 0x28 | 0x29 | 0x2A => Byte,
        0x02 | 0x11 | 0x18 | 0x27 => Int,
        0x03 | 0x08 | 0x12 | 0x15 | 0x1A | 0x1C | 0x1F => String,
        0x09 | 0x16 => Binary,
        0x0B => VarInt,
        0x13 | 0x21 | 0x22 | 0x23 => Short,
        0x26 => StringPair,
        _ => return None,
    })
}

/// A property to encode.
#[derive(Clone, Copy, Default, Debug)]
pub struct Prop<'a> {
    pub id: u8,
    pub iv: u32,
    pub key: &'a [u8],
    pub val: &'a [u8],
}

/// What the builders read from `struct mg_mqtt_opts`.
#[derive(Clone, Copy, Default, Debug)]
pub struct Opts<'a> {
    pub user: &'a [u8],
    pub pass: &'a [u8],
    pub client_id: &'a [u8],
    pub topic: &'a [u8],
    pub message: &'a [u8],
    pub qos: u8,
    pub version: u8,
    pub keepalive: u16,
    pub retransmit_id: u16,
    pub retain: bool,
    pub clean: bool,
    pub props: &'a [Prop<'a>],
    pub will_props: &'a [Prop<'a>],
}

/// Append a variable byte integer. Like Mongoose, at most 4 bytes are
/// written: larger values come out with the continuation bit on the 4th.
pub fn put_varint(out: &mut Vec<u8>, mut n: u32) {
    for i in 0..4 {
        let mut b = (n & 0x7f) as u8;
        n >>= 7;
        if n > 0 {
            b |= 0x80;
        }
        out.push(b);
        if n == 0 || i == 3 {
            break;
        }
    }
}

fn varint_len(n: u32) -> usize {
    match n {
        0..=0x7f => 1,
        0x80..=0x3fff => 2,
        0x4000..=0x1f_ffff => 3,
        _ => 4,
    }
}

/// Read a variable byte integer from the front of `b`: `(value, bytes)`;
/// `None` when `b` ends first or 4 bytes all carry the continuation bit.
pub fn get_varint(b: &[u8]) -> Option<(u32, usize)> {
    let mut v = 0u32;
    for i in 0..4 {
        let x = *b.get(i)?;
        v |= u32::from(x & 0x7f) << (7 * i);
        if x & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

/// The fixed header: `cmd << 4 | flags`, then the remaining length.
pub fn header(cmd: u8, flags: u8, len: u32) -> Vec<u8> {
    let mut v = Vec::with_capacity(5 + len.min(1 << 16) as usize);
    v.push(cmd << 4 | flags);
    put_varint(&mut v, len);
    v
}

fn put_str(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u16).to_be_bytes());
    out.extend_from_slice(s);
}

/// Encoded size of a property list. Mongoose stops counting at the first
/// unknown id (after counting that id's byte), while the writer still
/// writes every property; we keep both halves of that quirk so the bytes
/// match.
pub fn props_size(props: &[Prop]) -> usize {
    let mut n = 0;
    for p in props {
        n += 1;
        n += match prop_type(p.id) {
            Some(PropType::Byte) => 1,
            Some(PropType::Short) => 2,
            Some(PropType::Int) => 4,
            Some(PropType::VarInt) => varint_len(p.iv),
            Some(PropType::String) | Some(PropType::Binary) => 2 + p.val.len(),
            Some(PropType::StringPair) => 4 + p.key.len() + p.val.len(),
            None => return n,
        };
    }
    n
}

/// The property block: its length, then each property (unknown ids are
/// written as the id byte alone).
fn put_props(out: &mut Vec<u8>, props: &[Prop]) {
    put_varint(out, props_size(props) as u32);
    for p in props {
        out.push(p.id);
        match prop_type(p.id) {
            Some(PropType::Byte) => out.push(p.iv as u8),
            Some(PropType::Short) => out.extend_from_slice(&(p.iv as u16).to_be_bytes()),
            Some(PropType::Int) => out.extend_from_slice(&p.iv.to_be_bytes()),
            Some(PropType::VarInt) => put_varint(out, p.iv),
            Some(PropType::String) | Some(PropType::Binary) => put_str(out, p.val),
            Some(PropType::StringPair) => {
                put_str(out, p.key);
                put_str(out, p.val);
            }
            None => {}
        }
    }
}

/// Size of a property block with its length prefix.
fn props_block(props: &[Prop]) -> usize {
    let n = props_size(props);
    varint_len(n as u32) + n
}

/// CONNECT. `client_id` replaces an empty `o.client_id` (the caller makes
/// the random one). Flags: user 0x80, password 0x40, will retain 0x20,
/// will QoS << 3, will 0x04, clean 0x02.
pub fn connect(o: &Opts, client_id: &[u8]) -> Vec<u8> {
    let version = if o.version == 0 { 4 } else { o.version };
    let v5 = version == 5;
    let cid = if o.client_id.is_empty() { client_id } else { o.client_id };
    let mut flags = 0u8;
    let mut len = 10 + 2 + cid.len();
    if v5 {
        len += props_block(o.props);
    }
    if !o.topic.is_empty() {
        flags |= 0x04 | (o.qos & 3) << 3;
        if o.retain {
            flags |= 0x20;
        }
        len += 4 + o.topic.len() + o.message.len();
        if v5 {
            len += props_block(o.will_props);
        }
    }
    if !o.user.is_empty() {
        flags |= 0x80;
        len += 2 + o.user.len();
    }
    if !o.pass.is_empty() {
        flags |= 0x40;
        len += 2 + o.pass.len();
    }
    if o.clean || cid.is_empty() {
        flags |= 0x02;
    }
    let mut v = header(CMD_CONNECT, 0, len as u32);
    v.reserve(len);
    v.extend_from_slice(b"\x00\x04MQTT");
    v.push(version);
    v.push(flags);
    v.extend_from_slice(&o.keepalive.to_be_bytes());
    if v5 {
        put_props(&mut v, o.props);
    }
    put_str(&mut v, cid);
    if !o.topic.is_empty() {
        if v5 {
            put_props(&mut v, o.will_props);
        }
        put_str(&mut v, o.topic);
        put_str(&mut v, o.message);
    }
    if !o.user.is_empty() {
        put_str(&mut v, o.user);
    }
    if !o.pass.is_empty() {
        put_str(&mut v, o.pass);
    }
    v
}

/// PUBLISH with packet id `id` (written only when QoS > 0). DUP is set
/// when QoS > 0 and the caller asked to retransmit `o.retransmit_id`.
pub fn publish(o: &Opts, id: u16, v5: bool) -> Vec<u8> {
    let mut flags = (o.qos & 3) << 1;
    if o.retain {
        flags |= 1;
    }
    if o.qos > 0 && o.retransmit_id != 0 {
        flags |= 8;
    }
    let mut len = 2 + o.topic.len() + o.message.len();
    if o.qos > 0 {
        len += 2;
    }
    if v5 {
        len += props_block(o.props);
    }
    let mut v = header(CMD_PUBLISH, flags, len as u32);
    v.reserve(len);
    put_str(&mut v, o.topic);
    if o.qos > 0 {
        v.extend_from_slice(&id.to_be_bytes());
    }
    if v5 {
        put_props(&mut v, o.props);
    }
    v.extend_from_slice(o.message);
    v
}

/// SUBSCRIBE (one topic; the options byte is the QoS) or, with
/// `subscribe == false`, UNSUBSCRIBE.
pub fn subscribe(o: &Opts, id: u16, v5: bool, subscribe: bool) -> Vec<u8> {
    let mut len = 2 + 2 + o.topic.len() + usize::from(subscribe);
    if v5 {
        len += props_block(o.props);
    }
    let cmd = if subscribe { CMD_SUBSCRIBE } else { CMD_UNSUBSCRIBE };
    let mut v = header(cmd, 2, len as u32);
    v.extend_from_slice(&id.to_be_bytes());
    if v5 {
        put_props(&mut v, o.props);
    }
    put_str(&mut v, o.topic);
    if subscribe {
        v.push(o.qos);
    }
    v
}

/// DISCONNECT: empty for 3.1.1; reason 0 and the properties for MQTT 5.
pub fn disconnect(props: &[Prop], v5: bool) -> Vec<u8> {
    if !v5 {
        return header(CMD_DISCONNECT, 0, 0);
    }
    let mut v = header(CMD_DISCONNECT, 0, (1 + props_block(props)) as u32);
    v.push(0);
    put_props(&mut v, props);
    v
}

/// `mg_mqtt_parse`'s result; ranges are `(offset, len)` into the buffer.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct Parsed {
    pub rc: i32,
    pub cmd: u8,
    pub qos: u8,
    pub ack: u8,
    pub id: u16,
    pub topic: Option<(usize, usize)>,
    pub data: Option<(usize, usize)>,
    /// Length of the packet (0 until its length is known and all there).
    pub dgram: usize,
    pub props_start: usize,
    pub props_size: usize,
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

/// Parse the packet at the front of `buf`.
pub fn parse(buf: &[u8], version: u8) -> Parsed {
    let mut m = Parsed { rc: MQTT_INCOMPLETE, ..Default::default() };
    if buf.len() < 2 {
        return m;
    }
    m.cmd = buf[0] >> 4;
    m.qos = (buf[0] >> 1) & 3;
    let (len, n) = match get_varint(&buf[1..]) {
        Some(x) => x,
        None if buf.len() >= 5 => {
            m.rc = MQTT_MALFORMED;
            return m;
        }
        None => return m,
    };
    let end = 1 + n + len as usize;
    if end > buf.len() {
        return m;
    }
    m.dgram = end;
    m.rc = MQTT_MALFORMED;
    let mut p = 1 + n;
    match m.cmd {
        CMD_CONNACK => {
            if end - p < 2 {
                return m;
            }
            m.ack = buf[p + 1];
        }
        CMD_PUBACK | CMD_PUBREC | CMD_PUBREL | CMD_PUBCOMP | CMD_SUBSCRIBE | CMD_SUBACK | CMD_UNSUBSCRIBE
        | CMD_UNSUBACK => {
            if end - p < 2 {
                return m;
            }
            m.id = be16(buf, p);
        }
        CMD_PUBLISH => {
            if end - p < 2 {
                return m;
            }
            let tlen = usize::from(be16(buf, p));
            m.topic = Some((p + 2, tlen));
            p += 2 + tlen;
            if p > end {
                return m;
            }
            if m.qos > 0 {
                if end - p < 2 {
                    return m;
                }
                m.id = be16(buf, p);
                p += 2;
            }
            // Mongoose looks for properties only when more than 2 bytes
            // follow; shorter tails are all payload.
            if version == 5 && p + 2 < end {
                let (plen, pn) = match get_varint(&buf[p..end]) {
                    Some(x) => x,
                    None => return m,
                };
                m.props_start = p + pn;
                m.props_size = plen as usize;
                p += pn + plen as usize;
                if p > end {
                    return m;
                }
            }
            m.data = Some((p, end - p));
        }
        _ => {}
    }
    m.rc = MQTT_OK;
    m
}

/// A property decoded by `next_prop`; ranges index the packet.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct PropAt {
    pub id: u8,
    pub iv: u32,
    pub key: Option<(usize, usize)>,
    pub val: Option<(usize, usize)>,
}

/// `mg_mqtt_next_prop`: decode the property at offset `ofs` of the block
/// `dgram[start .. start + size]`; returns it and the next offset, or
/// `None` at the end, on an unknown id, or when it would overrun the block.
pub fn next_prop(dgram: &[u8], start: usize, size: usize, ofs: usize) -> Option<(PropAt, usize)> {
    let block = dgram.get(start..start.checked_add(size)?)?;
    let mut i = ofs;
    let id = *block.get(i)?;
    i += 1;
    let mut p = PropAt { id, ..Default::default() };
    let str_at = |i: usize| -> Option<((usize, usize), usize)> {
        let l = usize::from(u16::from_be_bytes([*block.get(i)?, *block.get(i + 1)?]));
        Some(((start + i + 2, l), i + 2 + l))
    };
    match prop_type(id)? {
        PropType::Byte => {
            p.iv = u32::from(*block.get(i)?);
            i += 1;
        }
        PropType::Short => {
            p.iv = u32::from(u16::from_be_bytes([*block.get(i)?, *block.get(i + 1)?]));
            i += 2;
        }
        PropType::Int => {
            let b = block.get(i..i + 4)?;
            p.iv = u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
            i += 4;
        }
        PropType::VarInt => {
            let (v, n) = get_varint(block.get(i..)?)?;
            p.iv = v;
            i += n;
        }
        PropType::String | PropType::Binary => {
            let (r, j) = str_at(i)?;
            p.val = Some(r);
            i = j;
        }
        PropType::StringPair => {
            let (k, j) = str_at(i)?;
            let (v, j) = str_at(j)?;
            p.key = Some(k);
            p.val = Some(v);
            i = j;
        }
    }
    if i > size {
        return None;
    }
    Some((p, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    // Expected bytes below were produced by Mongoose 7.23 (scripts/mqtt_diff.py --print).
    #[test]
    fn connect_bytes() {
        let o = Opts { client_id: b"cid", ..Default::default() };
        assert_eq!(connect(&o, b""), hex("100f00044d515454040000000003636964"));
        let o = Opts { client_id: b"c", user: b"u", pass: b"p", keepalive: 10, ..Default::default() };
        assert_eq!(connect(&o, b""), hex("101300044d51545404c0000a000163000175000170"));
        let o = Opts {
            client_id: b"w",
            topic: b"will/t",
            message: b"bye",
            qos: 1,
            retain: true,
            ..Default::default()
        };
        assert_eq!(connect(&o, b""), hex("101a00044d515454042c0000000177000677696c6c2f740003627965"));
        let props = [
            Prop { id: 0x11, iv: 3600, ..Default::default() },
            Prop { id: 0x21, iv: 20, ..Default::default() },
            Prop { id: 0x26, key: b"k", val: b"v", ..Default::default() },
            Prop { id: 0x15, val: b"meth", ..Default::default() },
            Prop { id: 0x16, val: b"\x00\x01", ..Default::default() },
        ];
        let o = Opts { client_id: b"v5", version: 5, props: &props, ..Default::default() };
        assert_eq!(
            connect(&o, b""),
            hex("102a00044d515454050000001b1100000e102100142600016b0001761500046d657468160002000100027635")
        );
    }

    #[test]
    fn publish_subscribe_bytes() {
        let o = Opts { topic: b"a/b", message: b"m2", qos: 2, retain: true, ..Default::default() };
        assert_eq!(publish(&o, 2, false), hex("35090003612f6200026d32"));
        let o = Opts { topic: b"a", message: b"m3", qos: 1, retransmit_id: 77, ..Default::default() };
        assert_eq!(publish(&o, 77, false), hex("3a07000161004d6d33"));
        let props = [Prop { id: 0x0B, iv: 7, ..Default::default() }];
        let o = Opts { topic: b"a/+", props: &props, ..Default::default() };
        assert_eq!(subscribe(&o, 1, true, true), hex("820b0001020b070003612f2b00"));
        assert_eq!(
            subscribe(&Opts { topic: b"a/#", ..Default::default() }, 1, false, false),
            hex("a20700010003612f23")
        );
        assert_eq!(disconnect(&[], true), hex("e0020000"));
        assert_eq!(disconnect(&[], false), hex("e000"));
        assert_eq!(header(4, 0, 0x7fff_ffff), hex("40ffffffff"));
        assert_eq!(header(9, 15, 16384), hex("9f808001"));
    }

    #[test]
    fn parse_results() {
        let m = parse(&hex("320c0003612f62123468656c6c6f"), 4);
        assert_eq!(
            (m.rc, m.cmd, m.qos, m.id, m.topic, m.data, m.dgram),
            (0, 3, 1, 0x1234, Some((4, 3)), Some((9, 5)), 14)
        );
        assert_eq!(parse(&hex("30ffffffff01"), 4).rc, MQTT_MALFORMED);
        assert_eq!(parse(&hex("3080808080"), 4).rc, MQTT_MALFORMED);
        assert_eq!(parse(&hex("30ffffff7f"), 4).rc, MQTT_INCOMPLETE);
        assert_eq!(parse(&hex("30"), 4).cmd, 0);
        let m = parse(&hex("300400056162"), 4);
        assert_eq!((m.rc, m.topic, m.dgram), (MQTT_MALFORMED, Some((4, 5)), 6));
        let d = hex("30100001610501012300027061796c6f6164");
        let m = parse(&d, 5);
        assert_eq!((m.props_start, m.props_size, m.data), (6, 5, Some((11, 7))));
        let (p, o) = next_prop(&d, 6, 5, 0).unwrap();
        assert_eq!((p.id, p.iv, o), (1, 1, 2));
        let (p, o) = next_prop(&d, 6, 5, o).unwrap();
        assert_eq!((p.id, p.iv, o), (0x23, 2, 5));
        assert!(next_prop(&d, 6, 5, o).is_none());
    }

    #[test]
    fn parse_never_panics_on_prefixes() {
        let d = hex(
            "322d000161000920020000000708000272740900016317011800000001110000000212000169130005270000010050",
        );
        for n in 0..=d.len() {
            for v in [4, 5] {
                let m = parse(&d[..n], v);
                let mut ofs = 0;
                while let Some((_, o)) = next_prop(&d[..n], m.props_start, m.props_size, ofs) {
                    ofs = o;
                }
            }
        }
    }
}
