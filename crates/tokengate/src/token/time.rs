//! The clock: seconds since the Unix epoch, as every numeric date in a token counts them.

/// Seconds since the Unix epoch.
///
/// On Linux this reads the kernel's coarse wall clock (`CLOCK_REALTIME_COARSE`): the time of
/// the last timer tick, at most a few milliseconds behind, in a few nanoseconds where the
/// precise clock takes twenty or more. Every verification and every issue reads the time,
/// and numeric dates count whole seconds, so the tick's lag only moves the moment a token
/// expires by those milliseconds. Elsewhere it is the standard library's clock.
pub fn unix_now() -> u64 {
    #[cfg(target_os = "linux")]
    {
        let now = rustix::time::clock_gettime(rustix::time::ClockId::RealtimeCoarse);
        u64::try_from(now.tv_sec).unwrap_or(0)
    }
    #[cfg(not(target_os = "linux"))]
    {
        use std::time::{SystemTime, UNIX_EPOCH};
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

#[cfg(test)]
mod tests {
    use super::unix_now;
    use std::time::{SystemTime, UNIX_EPOCH};

    #[test]
    fn agrees_with_the_precise_clock_to_the_second() {
        let precise = || {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs()
        };
        let (before, now, after) = (precise(), unix_now(), precise());
        // The coarse clock may still show the second that just ended.
        assert!(
            before.saturating_sub(1) <= now && now <= after,
            "{before} <= {now} <= {after}"
        );
    }
}
