//! MQTT packet parser (`mg_mqtt_parse`, `mg_mqtt_next_prop`) and builders.
//!
//! Input: byte 0 picks the protocol version (odd: 5), the rest is a packet
//! stream. Every range the parser reports must lie inside the packet, the
//! property walk must end, and a parsed PUBLISH rebuilt by the builder must
//! parse back to the same topic, payload, QoS and id.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mongoose::core::mqtt::{self as q, Opts};

fuzz_target!(|data: &[u8]| {
    let Some((&sel, mut buf)) = data.split_first() else { return };
    let v = if sel & 1 == 1 { 5 } else { 4 };
    loop {
        let m = q::parse(buf, v);
        assert!(m.dgram <= buf.len());
        for r in [m.topic, m.data].into_iter().flatten() {
            if m.rc == q::MQTT_OK {
                assert!(r.0 + r.1 <= m.dgram, "{r:?} outside {}", m.dgram);
            }
        }
        if m.rc != q::MQTT_OK {
            break;
        }
        assert!(m.dgram >= 2);
        let pkt = &buf[..m.dgram];
        let mut ofs = 0;
        let mut steps = 0;
        while let Some((p, next)) = q::next_prop(pkt, m.props_start, m.props_size, ofs) {
            assert!(next > ofs && next <= m.props_size);
            for r in [p.key, p.val].into_iter().flatten() {
                assert!(r.0 + r.1 <= m.props_start + m.props_size);
            }
            ofs = next;
            steps += 1;
            assert!(steps <= m.props_size);
        }
        if m.cmd == q::CMD_PUBLISH && m.qos < 3 {
            let (t, d) = (m.topic.unwrap(), m.data.unwrap());
            let o = Opts {
                topic: &pkt[t.0..t.0 + t.1],
                message: &pkt[d.0..d.0 + d.1],
                qos: m.qos,
                ..Default::default()
            };
            let again = q::publish(&o, m.id, false);
            let n = q::parse(&again, 4);
            assert_eq!(n.rc, q::MQTT_OK);
            assert_eq!(n.dgram, again.len());
            let (t2, d2) = (n.topic.unwrap(), n.data.unwrap());
            assert_eq!(&again[t2.0..t2.0 + t2.1], o.topic);
            assert_eq!(&again[d2.0..d2.0 + d2.1], o.message);
            assert_eq!((n.qos, n.id), (m.qos, if m.qos > 0 { m.id } else { 0 }));
        }
        buf = &buf[m.dgram..];
    }
    // Builders: a CONNECT made of the input's bytes parses as one packet.
    let half = data.len() / 2;
    let o = Opts {
        client_id: &data[..half.min(300)],
        topic: &data[half..],
        message: data,
        user: &data[..half / 2],
        version: v,
        ..Default::default()
    };
    let c = q::connect(&o, b"id");
    let m = q::parse(&c, v);
    assert_eq!((m.rc, m.cmd, m.dgram), (q::MQTT_OK, q::CMD_CONNECT, c.len()));
});
