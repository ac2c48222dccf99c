//! Job leases: one worker at a time per job.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;

/// Job leases: one worker at a time per job.
///
/// Implemented for SQLite and PostgreSQL (`queries/jobs.rs`).
///
/// Every method fails with `StoreError::Database` when the database
/// cannot be reached or refuses the statement; the other errors are named
/// on the method.
#[async_trait]
pub trait JobLeases: Send + Sync + std::fmt::Debug {
    /// Takes the lease on job `kind` for a domain until `until`, unless
    /// another holder's lease is still running at `now`. `true` when taken;
    /// `false` when someone else holds it. A worker that dies lets go when
    /// its lease ends.
    async fn claim_job(
        &self,
        kind: JobKind,
        domain_id: vpsd_domain::DomainId,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool>;

    /// Gives `holder`'s lease back once its job is done (another holder's
    /// lease is left alone).
    async fn release_job(
        &self,
        kind: JobKind,
        domain_id: vpsd_domain::DomainId,
        holder: &str,
    ) -> Result<()>;

    /// How many leases are held at `now` (jobs being worked on).
    async fn held_job_leases(&self, now: DateTime<Utc>) -> Result<i64>;

    /// Forgets leases that ended before `before`; how many.
    async fn purge_job_leases(&self, before: DateTime<Utc>) -> Result<u64>;
}

/// A job of the worker, leased one domain at a time (`job_leases.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    /// Activating a pending registration.
    Registration,
    /// Settling a pending transfer in.
    TransferIn,
    /// Approving a transfer out its owner did not answer.
    TransferOut,
    /// Renewing an auto-renew domain.
    AutoRenewal,
    /// Mailing an expiry warning.
    Warning,
    /// Marking an expired domain.
    Expiry,
    /// Releasing a name after its grace, redemption and pending delete.
    Release,
    /// Deleting a name at its registry when its redemption begins.
    RegistryDelete,
}

impl JobKind {
    /// How the lease table writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Registration => "registration",
            JobKind::TransferIn => "transfer",
            JobKind::TransferOut => "transfer_out",
            JobKind::AutoRenewal => "auto_renew",
            JobKind::Warning => "warning",
            JobKind::Expiry => "expiry",
            JobKind::Release => "release",
            JobKind::RegistryDelete => "registry_delete",
        }
    }
}
