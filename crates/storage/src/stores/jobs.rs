//! Job leases: one worker at a time per job.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;

/// Job leases: one worker at a time per job. Implemented for SQLite and PostgreSQL (`queries/jobs.rs`).
#[async_trait]
pub trait JobLeases: Send + Sync + std::fmt::Debug {
    /// Takes the lease on job `kind` for a domain until `until`, unless
    /// another holder's lease is still running: true when taken. A worker
    /// that dies lets go when its lease ends.
    async fn claim_job(
        &self,
        kind: &str,
        domain_id: i64,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool>;

    /// Gives a lease back once its job is done.
    async fn release_job(&self, kind: &str, domain_id: i64, holder: &str) -> Result<()>;

    /// How many leases are held at `now` (jobs being worked on).
    async fn held_job_leases(&self, now: DateTime<Utc>) -> Result<i64>;

    /// Forgets leases that ended before `before`.
    async fn purge_job_leases(&self, before: DateTime<Utc>) -> Result<u64>;
}
