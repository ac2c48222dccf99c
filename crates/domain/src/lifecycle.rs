//! Domain statuses and the date arithmetic of terms and transfers.

use chrono::{DateTime, Duration, Months, Utc};

/// Declares a fixed set of words (a status) from one list of
/// `Variant = "word"` pairs: the enum, serialized and documented (serde,
/// utoipa) as its words, with `ALL`, `as_str` (for SQL binding and logs)
/// and `parse` (for stored text and query strings). `$schema` is the
/// description the OpenAPI document gives it.
macro_rules! words {
    (
        $(#[$meta:meta])*
        schema = $schema:literal;
        pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $word:literal,)* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        #[schema(description = $schema)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The word, as serialized and stored.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)*
                }
            }

            /// The value whose word is `s`, if any.
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// How long after registration or a transfer a name may not be transferred
/// again (ICANN Transfer Policy §I.A.3.7; api-v1.md transfer requirements).
pub const TRANSFER_LOCK_DAYS: i64 = 60;

/// The furthest a term may reach, counted from now (registries' 10-year cap).
pub const MAX_TERM_YEARS: u32 = 10;

/// After expiration: renewable at the normal price (the registries' auto-renew
/// grace period, RFC 3915 §1; Nomulus's default).
pub const GRACE_DAYS: i64 = 30;
/// Then: restorable for a fee plus one year (RFC 3915 §3.1, redemption).
pub const REDEMPTION_DAYS: i64 = 30;
/// Then: nothing can be done until the name is released (RFC 3915 §3.1).
pub const PENDING_DELETE_DAYS: i64 = 5;

/// A registry's own periods after a `<domain:delete>` (RFC 3915 §3.1),
/// counted from the deletion: restorable ([`REDEMPTION_DAYS`]), then
/// pending deletion ([`PENDING_DELETE_DAYS`]), then purged (free to
/// register). A restore request waits this long for its report (RFC 3915
/// §3.2, `pendingRestore`), then the name is back in `redemptionPeriod`.
pub const PENDING_RESTORE_DAYS: i64 = 7;
/// A delete within this long of the create is not held for redemption:
/// the name is purged at once (RFC 3915 §3.1, the add grace period).
pub const ADD_GRACE_DAYS: i64 = 5;

/// Where a name deleted at the registry stands (RFC 3915 §2, the
/// `<rgp:rgpStatus>` values of a deleted name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RgpStatus {
    /// `redemptionPeriod`: its sponsoring registrar may restore it.
    RedemptionPeriod,
    /// `pendingRestore`: a restore was requested; the report is awaited.
    PendingRestore,
    /// `pendingDelete`: nothing can be done; it is purged at the end.
    PendingDelete,
}

impl RgpStatus {
    /// The RFC 3915 word (`<rgp:rgpStatus s="...">`).
    pub fn as_str(self) -> &'static str {
        match self {
            RgpStatus::RedemptionPeriod => "redemptionPeriod",
            RgpStatus::PendingRestore => "pendingRestore",
            RgpStatus::PendingDelete => "pendingDelete",
        }
    }

    /// The status at `now` of a name deleted at `deleted_at`, whose restore
    /// was requested at `restore_requested_at` (if it was); `None` once it
    /// is purged. Decided from the dates alone, so a registry keeps no
    /// timer: a `pendingRestore` without its report within
    /// [`PENDING_RESTORE_DAYS`] reads as the deletion's dates say.
    pub fn at(
        deleted_at: DateTime<Utc>,
        restore_requested_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Option<Self> {
        if let Some(at) = restore_requested_at {
            if now < at + Duration::days(PENDING_RESTORE_DAYS) {
                return Some(RgpStatus::PendingRestore);
            }
        }
        let redemption_ends = deleted_at + Duration::days(REDEMPTION_DAYS);
        if now < redemption_ends {
            Some(RgpStatus::RedemptionPeriod)
        } else if now < redemption_ends + Duration::days(PENDING_DELETE_DAYS) {
            Some(RgpStatus::PendingDelete)
        } else {
            None
        }
    }
}

/// Days before expiration when a warning mail goes out, most urgent last.
pub const WARNING_DAYS: [i64; 3] = [30, 7, 1];
/// The most urgent warning: once it went out, a term needs no other.
pub const LAST_WARNING_DAYS: i64 = WARNING_DAYS[WARNING_DAYS.len() - 1];

words! {
    /// Where a domain is in its life, derived from its status, its expiration
    /// and now.
    schema = "Where a domain stands in its life (docs/api.md, \"Expiry\").";
    pub enum Phase {
        Pending = "pending",
        Active = "active",
        /// Expired, renewable at the normal price.
        Grace = "grace",
        /// Restorable with the restore fee plus one year.
        Redemption = "redemption",
        /// Waiting to be released; nothing can be done.
        PendingDelete = "pending_delete",
    }
}

/// The dates of the periods after an expiration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpiryDates {
    pub grace_ends_at: DateTime<Utc>,
    pub redemption_ends_at: DateTime<Utc>,
    /// When the name is released in the registry for anyone to register.
    pub release_at: DateTime<Utc>,
}

impl ExpiryDates {
    pub fn after(expiration: DateTime<Utc>) -> Self {
        let grace_ends_at = expiration + Duration::days(GRACE_DAYS);
        let redemption_ends_at = grace_ends_at + Duration::days(REDEMPTION_DAYS);
        ExpiryDates {
            grace_ends_at,
            redemption_ends_at,
            release_at: redemption_ends_at + Duration::days(PENDING_DELETE_DAYS),
        }
    }
}

/// The phase of a domain with `status` and `expiration` at `now`.
pub fn phase(status: DomainStatus, expiration: DateTime<Utc>, now: DateTime<Utc>) -> Phase {
    if status == DomainStatus::Pending {
        return Phase::Pending;
    }
    if now < expiration {
        return Phase::Active;
    }
    let dates = ExpiryDates::after(expiration);
    if now < dates.grace_ends_at {
        Phase::Grace
    } else if now < dates.redemption_ends_at {
        Phase::Redemption
    } else {
        Phase::PendingDelete
    }
}

/// The most urgent warning due for a domain expiring at `expiration`, if
/// any (30, 7 or 1 days before).
pub fn warning_due(expiration: DateTime<Utc>, now: DateTime<Utc>) -> Option<i64> {
    if now >= expiration {
        return None;
    }
    WARNING_DAYS
        .iter()
        .rev()
        .find(|d| expiration - now <= Duration::days(**d))
        .copied()
}

/// How many more whole years a term ending at `expiration` may be renewed
/// without reaching past ten years from now.
pub fn renewable_years(expiration: DateTime<Utc>, now: DateTime<Utc>) -> u32 {
    let cap = add_years(now, MAX_TERM_YEARS);
    (1..=MAX_TERM_YEARS)
        .take_while(|y| add_years(expiration, *y) <= cap)
        .last()
        .unwrap_or(0)
}

words! {
    /// A domain's status as stored: `pending` until the registry has it.
    schema = "A domain's status.";
    pub enum DomainStatus {
        Pending = "pending",
        Active = "active",
        Expired = "expired",
    }
}

words! {
    /// A transfer in: `rejected` when the losing registrar refused it,
    /// `failed` when the registry did, `cancelled` when our customer
    /// withdrew it while it was pending (EPP `<domain:transfer
    /// op="cancel">`, RFC 5731 §3.2.4; trStatus `clientCancelled`).
    schema = "A transfer's state.";
    pub enum TransferStatus {
        Pending = "pending",
        Completed = "completed",
        Failed = "failed",
        Rejected = "rejected",
        Cancelled = "cancelled",
    }
}

words! {
    /// A transfer out, asked for by another registrar: `pending` until the
    /// owner approves or rejects it, or it is approved by itself
    /// ([`TRANSFER_OUT_AUTO_APPROVE_DAYS`] later).
    schema = "A transfer out's state.";
    pub enum TransferOutStatus {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
    }
}

/// Days after which a transfer out the owner did not answer is approved
/// (ICANN Transfer Policy §I.A.3.4: five calendar days).
pub const TRANSFER_OUT_AUTO_APPROVE_DAYS: i64 = 5;

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

    #[test]
    fn each_status_serializes_and_parses_as_its_word() {
        fn check<T: serde::Serialize + PartialEq + std::fmt::Debug + Copy>(
            all: &[T],
            word: fn(T) -> &'static str,
            parse: fn(&str) -> Option<T>,
        ) {
            for v in all {
                assert_eq!(
                    serde_json::to_value(v).ok(),
                    Some(serde_json::Value::from(word(*v)))
                );
                assert_eq!(parse(word(*v)), Some(*v));
            }
        }
        check(DomainStatus::ALL, DomainStatus::as_str, DomainStatus::parse);
        check(
            TransferStatus::ALL,
            TransferStatus::as_str,
            TransferStatus::parse,
        );
        check(
            TransferOutStatus::ALL,
            TransferOutStatus::as_str,
            TransferOutStatus::parse,
        );
        check(Phase::ALL, Phase::as_str, Phase::parse);
        assert_eq!(DomainStatus::parse("locked"), None);
    }

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
    fn phases_follow_the_registry_periods() {
        let exp = t(2026, 1, 16);
        let p = |now| phase(DomainStatus::Expired, exp, now);
        assert_eq!(
            phase(DomainStatus::Active, exp, exp - Duration::seconds(1)),
            Phase::Active
        );
        assert_eq!(p(exp), Phase::Grace);
        assert_eq!(
            p(exp + Duration::days(30) - Duration::seconds(1)),
            Phase::Grace
        );
        assert_eq!(p(exp + Duration::days(30)), Phase::Redemption);
        assert_eq!(p(exp + Duration::days(60)), Phase::PendingDelete);
        assert_eq!(ExpiryDates::after(exp).release_at, exp + Duration::days(65));
        assert_eq!(phase(DomainStatus::Pending, exp, exp), Phase::Pending);
    }

    #[test]
    fn warnings_and_renewal_cap() {
        let now = t(2026, 1, 16);
        assert_eq!(warning_due(now + Duration::days(31), now), None);
        assert_eq!(warning_due(now + Duration::days(30), now), Some(30));
        assert_eq!(warning_due(now + Duration::days(5), now), Some(7));
        assert_eq!(warning_due(now + Duration::hours(3), now), Some(1));
        assert_eq!(warning_due(now, now), None);
        assert_eq!(renewable_years(now + Duration::days(10), now), 9);
        assert_eq!(renewable_years(add_years(now, 1), now), 9);
        assert_eq!(renewable_years(add_years(now, 10), now), 0);
        assert_eq!(renewable_years(now - Duration::days(10), now), 10);
    }

    #[test]
    fn anniversary_is_ahead_of_now() {
        let now = t(2026, 1, 16);
        assert_eq!(next_anniversary(t(2020, 3, 1), now), t(2026, 3, 1));
        assert_eq!(next_anniversary(t(2025, 12, 1), now), t(2026, 12, 1));
    }
}
