//! The test server's frozen clock, moved only by the test.

use std::sync::Mutex;

use chrono::{DateTime, Utc};

/// The test server's clock: frozen at the time the server started, moved
/// only by [`FrozenClock::advance`] (so a test reads the same "now" twice
/// and nothing falls due behind its back). Whole seconds, as the
/// production clock.
#[derive(Debug)]
pub struct FrozenClock {
    now: Mutex<DateTime<Utc>>,
}

impl FrozenClock {
    /// A clock stopped at the system's present second.
    pub fn new() -> Self {
        use chrono::SubsecRound;
        Self {
            now: Mutex::new(Utc::now().trunc_subsecs(0)),
        }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Default for FrozenClock {
    fn default() -> Self {
        Self::new()
    }
}

impl vpsd_domain::Clock for FrozenClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}
