//! Modbus-TCP frames: split a fuzzed receive buffer into frames as the
//! server does, decode each PDU, and build the reply or exception.
//!
//! Checks: a frame never exceeds the buffer and has the length its MBAP
//! header says; decoded requests respect the quantity limits and carry as
//! many values as they claim; replies carry the transaction and unit ids and
//! an MBAP length that matches their size; writes of multiple values
//! re-encode to the PDU they came from.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mongoose::core::modbus::{self as mb, Split};

fuzz_target!(|data: &[u8]| {
    let mut buf = data;
    while let Split::Frame { size, tid, unit, pdu } = mb::split(buf) {
        assert!(size <= buf.len() && size >= 12);
        assert_eq!(size, 6 + usize::from(u16::from_be_bytes([buf[4], buf[5]])));
        assert_eq!(pdu.len(), size - 7);
        let out = match mb::parse(pdu) {
            Ok(req) => {
                assert!(req.len >= 1);
                match req.func {
                    1 | 2 => assert!(req.len <= mb::MAX_READ_BITS),
                    3 | 4 => assert!(req.len <= mb::MAX_READ_REGS),
                    5 => assert_eq!(req.bits.len(), 1),
                    6 => assert_eq!(req.regs.len(), 1),
                    15 => {
                        assert_eq!(req.bits.len(), usize::from(req.len));
                        let mut packed = vec![0u8; req.bits.len().div_ceil(8)];
                        for (i, b) in req.bits.iter().enumerate() {
                            packed[i / 8] |= u8::from(*b) << (i % 8);
                        }
                        // Unused high bits of the last byte may be set on the wire.
                        let last = packed.len() - 1;
                        assert_eq!(&packed[..last], &pdu[6..6 + last]);
                    }
                    16 => {
                        let enc: Vec<u8> = req.regs.iter().flat_map(|r| r.to_be_bytes()).collect();
                        assert_eq!(&enc[..], &pdu[6..]);
                    }
                    f => panic!("function {f} accepted"),
                }
                let bits = vec![true; usize::from(req.len)];
                let regs = vec![0xabcd; usize::from(req.len)];
                mb::reply(tid, unit, &req, &bits, &regs)
            }
            Err(code) => {
                assert!(code == 1 || code == 3);
                mb::exception(tid, unit, pdu[0], code)
            }
        };
        assert_eq!(&out[..2], &tid.to_be_bytes());
        assert_eq!(out[6], unit);
        assert_eq!(usize::from(u16::from_be_bytes([out[4], out[5]])), out.len() - 6);
        assert!(out.len() <= 260);
        buf = &buf[size..];
    }
});
