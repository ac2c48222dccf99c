//! The SQL of the audit log. Compiled once per backend: `super` is the
//! backend's `queries` module (its `Db` and `ThisStore`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::ThisStore;
use crate::backend::Backend;
use crate::error::Result;
use crate::model::{Audit, AuditEntry};
use crate::stores::audit::AuditRow;

#[async_trait]
impl crate::stores::AuditLog for ThisStore {
    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id))]
    async fn audit_page(
        &self,
        account_id: vpsd_domain::AccountId,
        offset: i64,
        limit: i64,
    ) -> Result<(i64, Vec<AuditEntry>)> {
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE account_id = $1")
                .bind(account_id)
                .fetch_one(self.pool())
                .await?;
        let rows: Vec<AuditRow> = sqlx::query_as(
            "SELECT id, account_id, actor, token_id, action, domain_id, domain_name, \
             changes, request_id, created_at FROM audit_log \
             WHERE account_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3",
        )
        .bind(account_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(self.pool())
        .await?;
        Ok((count, rows.into_iter().map(Into::into).collect()))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id))]
    async fn append_audit(
        &self,
        account_id: vpsd_domain::AccountId,
        domain: Option<(vpsd_domain::DomainId, &str)>,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<()> {
        let (_guard, mut tx) = self.begin_write().await?;
        Self::audit_row(&mut tx, audit, account_id, domain, now).await?;
        tx.commit().await?;
        Ok(())
    }
}
