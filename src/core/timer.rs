//! Timer arithmetic shared by `mg_timer_expired` and the timer walk.

/// `mg_timer_expired`: arm an unarmed timer, report expiry, and schedule the
/// next expiry without drift, skipping (not bursting) missed periods.
pub fn expired(expire: &mut u64, period: u64, now: u64) -> bool {
    if now.wrapping_add(period) < *expire {
        *expire = 0; // the clock went backwards: re-arm from now
    }
    if *expire == 0 {
        *expire = now.wrapping_add(period);
    }
    if *expire > now {
        return false;
    }
    if now - *expire > period {
        *expire = now + period; // late by more than a period: no catch-up
    } else {
        *expire += period;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::expired;

    #[test]
    fn arms_then_fires_on_cadence() {
        let mut e = 0;
        assert!(!expired(&mut e, 10, 100));
        assert_eq!(e, 110);
        assert!(!expired(&mut e, 10, 109));
        assert!(expired(&mut e, 10, 112));
        assert_eq!(e, 120, "drift-free: next expiry is a whole period later");
    }

    #[test]
    fn a_long_stall_fires_once() {
        let mut e = 110;
        assert!(expired(&mut e, 10, 200));
        assert_eq!(e, 210);
        assert!(!expired(&mut e, 10, 205));
    }

    #[test]
    fn clock_going_backwards_rearms() {
        let mut e = 1000;
        assert!(!expired(&mut e, 10, 5));
        assert_eq!(e, 15);
    }
}
