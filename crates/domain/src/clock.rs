//! One clock for every rule that reads the time.
//!
//! Production uses [`SystemClock`]; tests use [`FrozenClock`] (stopped,
//! moved only when told) or [`ManualClock`] (real time plus an offset) and
//! move them forward. Time stamps are whole seconds (the contract's RFC 3339
//! form has no fraction), so every clock truncates.

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

/// A clock that stands still: it reads the same instant until
/// [`FrozenClock::advance`] moves it, so a test reads the same "now" twice
/// and nothing falls due behind its back. Whole seconds, as
/// [`SystemClock`].
#[derive(Debug)]
pub struct FrozenClock {
    now: Mutex<DateTime<Utc>>,
}

impl FrozenClock {
    /// A clock stopped at the system's present second.
    pub fn new() -> Self {
        Self::at(Utc::now())
    }

    /// A clock stopped at `t` (truncated to the second).
    pub fn at(t: DateTime<Utc>) -> Self {
        Self {
            now: Mutex::new(t.trunc_subsecs(0)),
        }
    }

    /// Moves the clock forward by `by` (whole seconds are kept).
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now = (*now + by).trunc_subsecs(0);
    }
}

impl Default for FrozenClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for FrozenClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The sandbox's test clock: another clock plus an offset that only grows.
///
/// The offset lives in the database (`vpsd sandbox clock advance` raises
/// it), so every process of one installation runs on the same sandbox time;
/// each process copies it here ([`SandboxClock::set_offset`]).
#[derive(Debug)]
pub struct SandboxClock {
    base: std::sync::Arc<dyn Clock>,
    offset_seconds: std::sync::atomic::AtomicI64,
}

impl SandboxClock {
    pub fn new(base: std::sync::Arc<dyn Clock>) -> Self {
        Self {
            base,
            offset_seconds: std::sync::atomic::AtomicI64::new(0),
        }
    }

    /// Takes the installation's offset; never moves the clock backwards.
    pub fn set_offset(&self, seconds: i64) {
        self.offset_seconds
            .fetch_max(seconds, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn offset(&self) -> Duration {
        Duration::seconds(
            self.offset_seconds
                .load(std::sync::atomic::Ordering::SeqCst),
        )
    }

    /// The real (or test) time underneath.
    pub fn base_now(&self) -> DateTime<Utc> {
        self.base.now()
    }
}

impl Clock for SandboxClock {
    fn now(&self) -> DateTime<Utc> {
        self.base.now() + self.offset()
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

    #[test]
    fn a_frozen_clock_moves_only_when_told() {
        let t = DateTime::parse_from_rfc3339("2030-01-01T12:00:00.750Z")
            .expect("a time")
            .with_timezone(&Utc);
        let clock = FrozenClock::at(t);
        assert_eq!(clock.now().to_rfc3339(), "2030-01-01T12:00:00+00:00");
        assert_eq!(clock.now(), clock.now());
        clock.advance(Duration::days(3));
        assert_eq!(clock.now().to_rfc3339(), "2030-01-04T12:00:00+00:00");
    }

    #[test]
    fn the_sandbox_clock_only_moves_forward() {
        let clock = SandboxClock::new(std::sync::Arc::new(ManualClock::new()));
        clock.set_offset(86_400);
        let ahead = clock.now() - clock.base_now();
        assert_eq!(ahead, Duration::days(1));
        // An older offset (another process's stale read) changes nothing.
        clock.set_offset(3_600);
        assert_eq!(clock.offset(), Duration::days(1));
    }
}
