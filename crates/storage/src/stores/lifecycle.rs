//! The worker's lifecycle queries: activation, renewal, warnings, expiry, release.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::*;
use vpsd_domain::lifecycle::DomainStatus;

/// The worker's lifecycle queries: activation, renewal, warnings, expiry, release. Implemented for SQLite and PostgreSQL (`queries/lifecycle.rs`).
#[async_trait]
pub trait LifecycleStore: Send + Sync + std::fmt::Debug {
    /// Pending registrations whose delay has passed.
    async fn due_registrations(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>>;

    /// Turns a pending registration active and queues its mail. False when
    /// it was no longer pending.
    async fn activate_registration(
        &self,
        domain_id: i64,
        mail: &NewMail,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// Marks an active domain whose expiration has passed expired, and
    /// queues its mail. False when it was not (any more).
    async fn expire_domain(
        &self,
        domain_id: i64,
        mail: Option<&NewMail>,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// Extends a term and charges it, with its mail, in one transaction:
    /// only if the expiration is still `old_expiration` (else
    /// `StateChanged`), `InsufficientFunds` when short. The domain becomes
    /// active; the warnings and the auto-renew retry start over.
    async fn renew_domain(&self, renewal: &Renewal, audit: &Audit<'_>) -> Result<Domain>;

    /// Takes back a renewal the registry refused: the old expiration and
    /// status return and the charge is refunded.
    async fn undo_renewal(
        &self,
        renewal: &Renewal,
        old_status: DomainStatus,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// Notes a failed auto-renewal (short balance): the next attempt not
    /// before `retry_at`, and its mail. False when another worker did.
    async fn renewal_failed(
        &self,
        domain_id: i64,
        expiration: DateTime<Utc>,
        retry_at: DateTime<Utc>,
        mail: &NewMail,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Our active auto-renew domains expiring by `until` (and not yet
    /// expired), whose retry time has come.
    async fn due_auto_renewals(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Domain>>;

    /// Our active domains expiring after `now` and by `until`, whose most
    /// urgent warning has not gone out, leaving out the `auto_renew` ones
    /// expiring by `renewing_until` (their auto-renewal is due: they are
    /// renewed, or the failed renewal's own mail goes out).
    async fn expiring(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        renewing_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Domain>>;

    /// Records that the `days` warning went out for this term, with its
    /// mail. False when it (or a more urgent one) already had.
    async fn mark_warned(
        &self,
        domain_id: i64,
        expiration: DateTime<Utc>,
        days: i64,
        mail: &NewMail,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Our active domains whose expiration has passed.
    async fn due_expirations(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>>;

    /// Our expired domains whose expiration is at or before `expired_by`.
    async fn due_releases(&self, expired_by: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>>;

    /// Deletes a released domain (still expired at `expiration`) and queues
    /// its mail. False when it was renewed or released meanwhile.
    async fn release_domain(
        &self,
        domain_id: i64,
        expiration: DateTime<Utc>,
        mail: &NewMail,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;
}
