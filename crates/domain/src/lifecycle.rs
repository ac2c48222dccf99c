//! Domain statuses and the date arithmetic of terms and transfers.

use chrono::{DateTime, Duration, Months, Utc};

/// How long after registration or a transfer a name may not be transferred
/// again (ICANN Transfer Policy §I.A.3.7; api-v1.md transfer requirements).
pub const TRANSFER_LOCK_DAYS: i64 = 60;

/// The furthest a term may reach, counted from now (registries' 10-year cap).
pub const MAX_TERM_YEARS: u32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainStatus {
    Pending,
    Active,
    Expired,
}

impl DomainStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DomainStatus::Pending => "pending",
            DomainStatus::Active => "active",
            DomainStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(DomainStatus::Pending),
            "active" => Some(DomainStatus::Active),
            "expired" => Some(DomainStatus::Expired),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferStatus {
    Pending,
    Completed,
    Failed,
}

impl TransferStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TransferStatus::Pending => "pending",
            TransferStatus::Completed => "completed",
            TransferStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(TransferStatus::Pending),
            "completed" => Some(TransferStatus::Completed),
            "failed" => Some(TransferStatus::Failed),
            _ => None,
        }
    }
}

/// `at` plus whole years (calendar years: 29 February falls back to 28).
pub fn add_years(at: DateTime<Utc>, years: u32) -> DateTime<Utc> {
    at.checked_add_months(Months::new(12 * years))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The expiration after a completed transfer: one year more, but never past
/// ten years from now (api-v1.md, transfer).
pub fn expiration_after_transfer(current: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    add_years(current, 1).min(add_years(now, MAX_TERM_YEARS))
}

/// The expiration of a name at another registrar, seen from `now`: the first
/// anniversary of `created` that is still ahead (registries auto-renew).
pub fn next_anniversary(created: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    let mut years = 1;
    while add_years(created, years) <= now && years < 200 {
        years += 1;
    }
    add_years(created, years)
}

/// When a name registered or last transferred at `since` may be transferred.
pub fn transfer_eligible_at(since: DateTime<Utc>) -> DateTime<Utc> {
    since + Duration::days(TRANSFER_LOCK_DAYS)
}

/// Whole days from `now` to `at`, rounded down, so negative once past.
pub fn days_until(at: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (at - now).num_seconds().div_euclid(86_400)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 16, 0, 0).unwrap()
    }

    #[test]
    fn years_are_calendar_years() {
        assert_eq!(add_years(t(2026, 1, 16), 2), t(2028, 1, 16));
        assert_eq!(add_years(t(2028, 2, 29), 1), t(2029, 2, 28));
    }

    #[test]
    fn transfer_adds_a_year_capped_at_ten() {
        let now = t(2026, 1, 16);
        assert_eq!(expiration_after_transfer(t(2026, 6, 1), now), t(2027, 6, 1));
        assert_eq!(
            expiration_after_transfer(t(2035, 6, 1), now),
            t(2036, 1, 16)
        );
    }

    #[test]
    fn days_until_rounds_down() {
        let now = t(2026, 1, 16);
        assert_eq!(days_until(t(2028, 1, 16), now), 730);
        assert_eq!(days_until(now - Duration::hours(1), now), -1);
        assert_eq!(days_until(now + Duration::hours(23), now), 0);
    }

    #[test]
    fn anniversary_is_ahead_of_now() {
        let now = t(2026, 1, 16);
        assert_eq!(next_anniversary(t(2020, 3, 1), now), t(2026, 3, 1));
        assert_eq!(next_anniversary(t(2025, 12, 1), now), t(2026, 12, 1));
    }
}
