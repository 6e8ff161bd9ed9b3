//! SNTP (RFC 4330) request and reply, as `mg_sntp_request`/`mg_sntp_parse`
//! build and read them (byte layout and arithmetic observed on Mongoose
//! 7.23). Times are milliseconds; `now` is the caller's `mg_millis()`.

/// Seconds between the NTP era (1900) and the Unix epoch (1970).
const NTP_UNIX_DELTA: i64 = 2_208_988_800;

/// Size of an SNTP packet without extensions.
pub const PACKET_LEN: usize = 48;

/// The 48-byte client request: version 4, client mode, every field zero
/// except the transmit timestamp, which carries `now_ms` as if it were a
/// Unix time (Mongoose sends `mg_millis()`; the server echoes it back as
/// the origin timestamp and `parse` subtracts it again).
pub fn request(now_ms: u64) -> [u8; PACKET_LEN] {
    let mut b = [0u8; PACKET_LEN];
    b[0] = (4 << 3) | 3;
    let secs = (now_ms / 1000) as i64 + NTP_UNIX_DELTA;
    let frac = ((now_ms % 1000) << 32) / 1000;
    b[40..44].copy_from_slice(&(secs as u32).to_be_bytes());
    b[44..48].copy_from_slice(&(frac as u32).to_be_bytes());
    b
}

/// An NTP timestamp as Unix milliseconds; a zero seconds field stays 0
/// (only the fraction counts), as in Mongoose.
fn stamp_ms(b: &[u8]) -> i64 {
    let secs = i64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    let frac = u64::from(u32::from_be_bytes([b[4], b[5], b[6], b[7]]));
    let secs = if secs > 0 { secs - NTP_UNIX_DELTA } else { 0 };
    secs * 1000 + ((frac * 1000) >> 32) as i64
}

/// `mg_sntp_parse`: Unix milliseconds from a server reply, corrected by
/// half the round trip: `T + ((now - O) - (T - R)) / 2` with O, R, T the
/// origin, receive and transmit timestamps. -1 when the packet is shorter
/// than 48 bytes, not from a server (mode 4 or 5), a kiss of death
/// (stratum 0), or not version 3 or 4.
pub fn parse(b: &[u8], now_ms: u64) -> i64 {
    if b.len() < PACKET_LEN {
        return -1;
    }
    let mode = b[0] & 7;
    let version = (b[0] >> 3) & 7;
    if (mode != 4 && mode != 5) || b[1] == 0 || (version != 3 && version != 4) {
        return -1;
    }
    let origin = stamp_ms(&b[24..32]);
    let receive = stamp_ms(&b[32..40]);
    let transmit = stamp_ms(&b[40..48]);
    let now = now_ms as i64;
    transmit.wrapping_add(now.wrapping_sub(origin).wrapping_sub(transmit.wrapping_sub(receive)) / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn request_bytes() {
        // Mongoose 7.23 at mg_millis() == 4798313.
        let want = hex("23000000000000000000000000000000000000000000000000000000000000000000000000000000\
                        83aa913e5020c49b");
        assert_eq!(request(4_798_313).to_vec(), want);
    }

    fn reply(first: u8, stratum: u8, o: (u32, u32), r: (u32, u32), t: (u32, u32)) -> Vec<u8> {
        let mut b = vec![0u8; 48];
        b[0] = first;
        b[1] = stratum;
        for (at, (s, f)) in [(24, o), (32, r), (40, t)] {
            b[at..at + 4].copy_from_slice(&s.to_be_bytes());
            b[at + 4..at + 8].copy_from_slice(&f.to_be_bytes());
        }
        b
    }

    #[test]
    fn parse_corrects_half_the_round_trip() {
        let t0 = 2_208_988_800u32 + 1_700_000_000;
        // Sent at millis 1000, answered at 1100; server spent 10 ms.
        let b = reply(0x24, 1, (2_208_988_801, 0), (t0, 0), (t0, 0x028f_5c29 /* 10 ms */));
        assert_eq!(parse(&b, 1100), 1_700_000_000_000 + 10 + (100 - 10) / 2);
        // Zero timestamps count as 0, not 1900.
        let b = reply(0x24, 1, (0, 0), (0, 0), (0, 0));
        assert_eq!(parse(&b, 500), 250);
        assert_eq!(parse(&b[..47], 0), -1);
        for bad in [0x23, 0x14, 0x0c, 0x3c] {
            assert_eq!(parse(&reply(bad, 1, (0, 0), (0, 0), (0, 0)), 0), -1, "{bad:#x}");
        }
        assert_eq!(parse(&reply(0x24, 0, (0, 0), (0, 0), (0, 0)), 0), -1);
        assert_eq!(parse(&reply(0x1c, 1, (0, 0), (0, 0), (0, 0)), 0), 0); // version 3
        assert_eq!(parse(&reply(0x25, 1, (0, 0), (0, 0), (0, 0)), 2), 1); // broadcast mode
    }
}
