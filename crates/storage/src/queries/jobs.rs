//! The SQL of job leases: one worker at a time per job. Compiled once per
//! backend: `super` is the backend's `queries` module (its `Db` and
//! `ThisStore`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::ThisStore;
use crate::backend::Backend;
use crate::error::Result;
use crate::stores::jobs::JobKind;

#[async_trait]
impl crate::stores::JobLeases for ThisStore {
    #[tracing::instrument(
        level = "debug",
        skip_all,
        fields(kind = kind.as_str(), domain_id = %domain_id, holder)
    )]
    async fn claim_job(
        &self,
        kind: JobKind,
        domain_id: vpsd_domain::DomainId,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool> {
        // Under PostgreSQL a second claimer waits for the first's
        // insert to commit, then the WHERE sees its running lease.
        self.write_one(
            sqlx::query(
                "INSERT INTO job_leases (kind, domain_id, holder, until) \
                 VALUES ($1, $2, $3, $5) \
                 ON CONFLICT (kind, domain_id) DO UPDATE \
                 SET holder = excluded.holder, until = excluded.until \
                 WHERE job_leases.until <= $4",
            )
            .bind(kind.as_str())
            .bind(domain_id)
            .bind(holder)
            .bind(now)
            .bind(until),
        )
        .await
    }

    #[tracing::instrument(
        level = "debug",
        skip_all,
        fields(kind = kind.as_str(), domain_id = %domain_id, holder)
    )]
    async fn release_job(
        &self,
        kind: JobKind,
        domain_id: vpsd_domain::DomainId,
        holder: &str,
    ) -> Result<()> {
        self.write_one(
            sqlx::query(
                "DELETE FROM job_leases WHERE kind = $1 AND domain_id = $2 AND holder = $3",
            )
            .bind(kind.as_str())
            .bind(domain_id)
            .bind(holder),
        )
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn held_job_leases(&self, now: DateTime<Utc>) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM job_leases WHERE until > $1")
            .bind(now)
            .fetch_one(self.pool())
            .await?;
        Ok(n)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn purge_job_leases(&self, before: DateTime<Utc>) -> Result<u64> {
        let (_guard, mut tx) = self.begin_write().await?;
        let n = sqlx::query("DELETE FROM job_leases WHERE until < $1")
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(n)
    }
}
