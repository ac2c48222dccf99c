//! The worker's lifecycle queries: activation, renewal, warnings, expiry, release.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::{AgreedFee, Audit, Domain, NewMail, Renewal, UnconfirmedRenewal};
use vpsd_domain::lifecycle::DomainStatus;

/// The worker's lifecycle queries: activation, renewal, warnings, expiry, release.
///
/// Implemented for SQLite and PostgreSQL (`queries/lifecycle.rs`).
///
/// Every method fails with `StoreError::Database` when the database
/// cannot be reached or refuses the statement; the other errors are named
/// on the method.
#[async_trait]
pub trait LifecycleStore: Send + Sync + std::fmt::Debug {
    /// Pending registrations whose delay has passed at `now`, oldest first,
    /// at most `limit`.
    async fn due_registrations(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>>;

    /// Turns a pending registration active with the registry's dates
    /// (`registered`: EPP `crDate` and `exDate`) and queues its mail. `true`
    /// when this call activated it; `false` when it was no longer pending.
    async fn activate_registration(
        &self,
        domain_id: vpsd_domain::DomainId,
        registered: (DateTime<Utc>, DateTime<Utc>),
        mail: &NewMail,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// Marks an active domain whose expiration has passed expired, and
    /// queues its mail if any. `true` when this call expired it; `false`
    /// when it was not active and past its expiration (any more).
    async fn expire_domain(
        &self,
        domain_id: vpsd_domain::DomainId,
        mail: Option<&NewMail>,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// Extends a term and charges it, with its mail, in one transaction,
    /// only if the expiration is still `old_expiration`; the domain after.
    /// The domain becomes active; the warnings and the auto-renew retry
    /// start over. Errors: `StateChanged` when the expiration moved,
    /// `InsufficientFunds` when short; nothing is written then.
    async fn renew_domain(&self, renewal: &Renewal, audit: &Audit<'_>) -> Result<Domain>;

    /// Takes back a renewal the registry refused: the old expiration and
    /// `old_status` return and the charge is refunded. `true` when this call
    /// took it back; `false` when the expiration is no longer the renewal's
    /// (nothing is written).
    async fn undo_renewal(
        &self,
        renewal: &Renewal,
        old_status: DomainStatus,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// Notes a renewal whose outcome at the registry is unknown, for the
    /// worker to confirm (replacing an earlier note of the domain's).
    async fn note_unconfirmed_renewal(&self, renewal: &UnconfirmedRenewal) -> Result<()>;

    /// Whether a renewal of `domain_id` is noted unconfirmed (its outcome
    /// at the registry still unknown).
    async fn has_unconfirmed_renewal(&self, domain_id: vpsd_domain::DomainId) -> Result<bool>;

    /// The renewals noted unconfirmed, oldest first, at most `limit`.
    async fn unconfirmed_renewals(&self, limit: i64) -> Result<Vec<UnconfirmedRenewal>>;

    /// Forgets the note of `domain_id`'s renewal to `new_expiration` (the
    /// registry confirmed it, or it was refunded); a later note stays.
    async fn forget_unconfirmed_renewal(
        &self,
        domain_id: vpsd_domain::DomainId,
        new_expiration: DateTime<Utc>,
    ) -> Result<()>;

    /// Keeps the registry fee agreed for `command` (`create`, `renew`,
    /// `transfer`, `restore`) on `domain_id` (a premium name's, RFC 8748),
    /// replacing an earlier one, so the worker's retry of the command
    /// carries the same fee. Errors: `NotFound` for an unknown domain or
    /// command.
    async fn note_agreed_fee(
        &self,
        domain_id: vpsd_domain::DomainId,
        command: &str,
        fee: &AgreedFee,
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// The registry fee agreed for `command` on `domain_id`
    /// ([`LifecycleStore::note_agreed_fee`]); `None` when none was (a
    /// standard name: the command carries no fee).
    async fn agreed_fee(
        &self,
        domain_id: vpsd_domain::DomainId,
        command: &str,
    ) -> Result<Option<AgreedFee>>;

    /// Forgets the fee agreed for `command` on `domain_id`, once the
    /// registry has carried the command out or refused it.
    async fn forget_agreed_fee(
        &self,
        domain_id: vpsd_domain::DomainId,
        command: &str,
    ) -> Result<()>;

    /// Brings an active or expired domain in line with its registry's
    /// record after a change the registry made by itself (RFC 8590): the
    /// expiration becomes `expiration` and `locked` the record's
    /// `clientTransferProhibited`; an expired domain whose new expiration
    /// is after `now` is active again. Conditional on the expiration still
    /// being `old_expiration`, with the audit entry in the same
    /// transaction: `true` when this call changed it; `false` when it had
    /// changed (or is pending, or gone), so a message seen twice changes
    /// nothing twice.
    async fn follow_registry(
        &self,
        domain_id: vpsd_domain::DomainId,
        old_expiration: DateTime<Utc>,
        expiration: DateTime<Utc>,
        locked: bool,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// Keeps the statuses the registry set on a domain by itself (RFC 5731
    /// §2.3 `server*`, [`Domain::registry_statuses`]) as read from its
    /// `<domain:info>`: they become `statuses` if they are still `old`, with
    /// the audit entry and `mail` (the owner's notice of a `serverHold`
    /// that appeared, if any) in the same transaction. `true` when this
    /// call changed them; `false` when they had changed meanwhile or the
    /// domain is gone, so a record read twice mails once.
    ///
    /// [`Domain::registry_statuses`]: crate::model::Domain::registry_statuses
    async fn follow_registry_statuses(
        &self,
        domain_id: vpsd_domain::DomainId,
        old: &[String],
        statuses: &[String],
        mail: Option<&NewMail>,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// Takes out of the account a domain its registry deleted by itself
    /// (RFC 8590), with its mail and audit entry in one transaction. `true`
    /// when this call removed it; `false` when it was gone (or pending).
    async fn remove_deleted_at_registry(
        &self,
        domain_id: vpsd_domain::DomainId,
        mail: &NewMail,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// Notes a failed auto-renewal (short balance): the next attempt not
    /// before `retry_at`, and its mail. `true` when this call noted it;
    /// `false` when another worker did, or the term changed.
    async fn renewal_failed(
        &self,
        domain_id: vpsd_domain::DomainId,
        expiration: DateTime<Utc>,
        retry_at: DateTime<Utc>,
        mail: &NewMail,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Our active auto-renew domains expiring after `now` and by `until`,
    /// whose retry time has come, soonest first, at most `limit`.
    async fn due_auto_renewals(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Domain>>;

    /// Our active domains expiring after `now` and by `until` whose last
    /// warning (`vpsd_domain::lifecycle::LAST_WARNING_DAYS`) has not gone
    /// out, leaving out the `auto_renew` ones expiring by `renewing_until`
    /// (their auto-renewal is due: they are renewed, or the failed renewal's
    /// own mail goes out). Soonest first, at most `limit`.
    async fn expiring(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        renewing_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Domain>>;

    /// Records that the `days` warning went out for this term (expiring at
    /// `expiration`), with its mail. `true` when this call recorded it;
    /// `false` when it (or a more urgent one) already had, or the term
    /// changed.
    async fn mark_warned(
        &self,
        domain_id: vpsd_domain::DomainId,
        expiration: DateTime<Utc>,
        days: i64,
        mail: &NewMail,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Our active domains whose expiration has passed at `now`, oldest
    /// expiration first, at most `limit`.
    async fn due_expirations(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>>;

    /// Our expired domains whose expiration is at or before `grace_ended_by`
    /// (their grace period is over) and that were not deleted at the
    /// registry for this term yet, oldest first, at most `limit`.
    async fn due_registry_deletions(
        &self,
        grace_ended_by: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Domain>>;

    /// Records that the domain, still expired at `expiration`, was deleted
    /// at its registry at `deleted_at` (its redemption began, RFC 3915).
    /// Bookkeeping, not audited. `true` when recorded; `false` when it was
    /// renewed, restored or released meanwhile.
    async fn mark_registry_deleted(
        &self,
        domain_id: vpsd_domain::DomainId,
        expiration: DateTime<Utc>,
        deleted_at: DateTime<Utc>,
    ) -> Result<bool>;

    /// When the domain was last deleted at its registry, if it was (a time
    /// before its expiration belongs to an earlier term).
    async fn registry_deleted_at(
        &self,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<Option<DateTime<Utc>>>;

    /// Our expired domains whose expiration is at or before `expired_by`,
    /// oldest first, at most `limit`.
    async fn due_releases(&self, expired_by: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>>;

    /// Deletes a released domain (still expired at `expiration`) and queues
    /// its mail. `true` when this call deleted it; `false` when it was
    /// renewed or released meanwhile.
    async fn release_domain(
        &self,
        domain_id: vpsd_domain::DomainId,
        expiration: DateTime<Utc>,
        mail: &NewMail,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;
}
