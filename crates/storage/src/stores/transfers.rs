//! Transfers in (to us) and out (to another registrar).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::*;
use vpsd_domain::lifecycle::TransferStatus;

/// Transfers in (to us) and out (to another registrar). Implemented for SQLite and PostgreSQL (`queries/transfers.rs`).
#[async_trait]
pub trait TransferStore: Send + Sync + std::fmt::Debug {
    /// Marks a transfer pending and charges it, with its mail, in one
    /// transaction. `StateChanged` when one is already pending, `NotFound`
    /// when the domain is gone (removed meanwhile), `InsufficientFunds`.
    async fn begin_transfer(
        &self,
        transfer: &NewTransfer,
        mail: &NewMail,
        audit: &Audit<'_>,
    ) -> Result<Domain>;

    /// Marks a pending transfer `status` (failed by the registry, or
    /// rejected by the losing registrar) and refunds it. Returns false when
    /// it was no longer pending (someone else settled it).
    async fn fail_transfer(
        &self,
        domain_id: i64,
        status: TransferStatus,
        description: &str,
        mail: Option<&NewMail>,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// Marks a pending transfer completed. False when no longer pending.
    async fn complete_transfer(
        &self,
        domain_id: i64,
        registrar: &str,
        expiration_date: DateTime<Utc>,
        mail: &NewMail,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// Pending transfers whose delay has passed.
    async fn due_transfers(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>>;

    /// Records a transfer out that `gaining` asked for, approved by itself
    /// at `approves_at`, with its mail (also of a domain removed from the
    /// account view: its registration continues). False when one is pending
    /// already.
    async fn begin_transfer_out(
        &self,
        domain_id: i64,
        gaining: &str,
        now: DateTime<Utc>,
        approves_at: DateTime<Utc>,
        mail: &NewMail,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// Rejects a pending transfer out. False when none is pending.
    async fn reject_transfer_out(
        &self,
        domain_id: i64,
        now: DateTime<Utc>,
        mail: Option<&NewMail>,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// Completes a pending transfer out: the domain leaves the account (its
    /// ledger and audit entries stay). False when none is pending.
    async fn approve_transfer_out(
        &self,
        domain_id: i64,
        now: DateTime<Utc>,
        mail: &NewMail,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// Pending transfers out whose owner did not answer in time.
    async fn due_transfer_outs(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<Domain>>;
}
