//! One clock for every rule that reads the time.
//!
//! Production uses [`SystemClock`]; tests use [`ManualClock`] and move it
//! forward. Time stamps are whole seconds (the contract's RFC 3339 form has no
//! fraction), so both clocks truncate.

use std::sync::Mutex;

use chrono::{DateTime, Duration, SubsecRound, Utc};

/// The source of "now" for every rule.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

/// The system's wall clock, truncated to whole seconds.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(0)
    }
}

/// A clock that starts at the system time plus an offset that tests move.
///
/// It keeps following real time (so delays measured in seconds still pass),
/// shifted by whatever `advance` added.
#[derive(Debug, Default)]
pub struct ManualClock {
    offset: Mutex<Duration>,
}

impl ManualClock {
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut offset = self.offset.lock().unwrap_or_else(|e| e.into_inner());
        *offset += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        let offset = *self.offset.lock().unwrap_or_else(|e| e.into_inner());
        (Utc::now() + offset).trunc_subsecs(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_forward() {
        let clock = ManualClock::new();
        let before = clock.now();
        clock.advance(Duration::days(3));
        let after = clock.now();
        assert!(after - before >= Duration::days(3));
        assert!(after - before < Duration::days(3) + Duration::seconds(5));
        assert_eq!(after.timestamp_subsec_nanos(), 0);
    }
}
