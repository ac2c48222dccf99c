//! Transfers in (to us) and out (to another registrar).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::{Audit, Domain, NewMail, NewTransfer};
use vpsd_domain::lifecycle::TransferStatus;

/// Transfers in (to us) and out (to another registrar).
///
/// Implemented for SQLite and PostgreSQL (`queries/transfers.rs`).
///
/// Every method fails with `StoreError::Database` when the database
/// cannot be reached or refuses the statement; the other errors are named
/// on the method.
#[async_trait]
pub trait TransferStore: Send + Sync + std::fmt::Debug {
    /// Marks a transfer in pending and charges it, with its mail, in one
    /// transaction; the domain after. Errors: `StateChanged` when one is
    /// pending already, `NotFound` when the domain is gone (removed
    /// meanwhile), `InsufficientFunds` when short; nothing is written then.
    async fn begin_transfer(
        &self,
        transfer: &NewTransfer,
        mail: &NewMail,
        audit: &Audit<'_>,
    ) -> Result<Domain>;

    /// Marks a pending transfer `status` (failed by the registry, or
    /// rejected by the losing registrar), refunds what it charged and queues
    /// the mail if any. `true` when this call settled it; `false` when it
    /// was no longer pending (someone else settled it; nothing is written).
    async fn fail_transfer(
        &self,
        domain_id: vpsd_domain::DomainId,
        status: TransferStatus,
        description: &str,
        mail: Option<&NewMail>,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// Marks a pending transfer completed: the domain is sponsored by
    /// `registrar` until `expiration_date`, locked. `true` when this call
    /// completed it; `false` when it was no longer pending.
    async fn complete_transfer(
        &self,
        domain_id: vpsd_domain::DomainId,
        registrar: &str,
        expiration_date: DateTime<Utc>,
        mail: &NewMail,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// Pending transfers in whose completion time has come at `now`, soonest
    /// first, at most `limit`.
    async fn due_transfers(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>>;

    /// Records a transfer out that `gaining` asked for, approved by itself
    /// at `approves_at`, with its mail (also of a domain removed from the
    /// account view: its registration continues). `true` when recorded;
    /// `false` when one is pending already.
    async fn begin_transfer_out(
        &self,
        domain_id: vpsd_domain::DomainId,
        gaining: &str,
        now: DateTime<Utc>,
        approves_at: DateTime<Utc>,
        mail: &NewMail,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// Rejects a pending transfer out, with the mail if any. `true` when this
    /// call rejected it; `false` when none is pending.
    async fn reject_transfer_out(
        &self,
        domain_id: vpsd_domain::DomainId,
        now: DateTime<Utc>,
        mail: Option<&NewMail>,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// Completes a pending transfer out: the domain leaves the account (its
    /// ledger and audit entries stay). `true` when this call completed it;
    /// `false` when none is pending.
    async fn approve_transfer_out(
        &self,
        domain_id: vpsd_domain::DomainId,
        now: DateTime<Utc>,
        mail: &NewMail,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// Pending transfers out whose owner did not answer by `now`, soonest
    /// first, at most `limit`.
    async fn due_transfer_outs(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>>;
}
