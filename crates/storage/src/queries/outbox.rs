//! The SQL of the outbox of mails to send. Compiled once per backend: `super`
//! is the backend's `queries` module (its `Db` and `ThisStore`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::ThisStore;
use crate::backend::Backend;
use crate::error::Result;
use crate::model::OutboxMail;
use crate::stores::outbox::OutboxRow;

#[async_trait]
impl crate::stores::Outbox for ThisStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn outbox(&self) -> Result<Vec<OutboxMail>> {
        let rows: Vec<OutboxRow> = sqlx::query_as(
            "SELECT id, account_id, recipient, subject, body, created_at, sent_at, \
             attempts, last_error, gave_up_at FROM outbox ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<OutboxMail>> {
        // The conditions stand in the outer WHERE too, so that under
        // PostgreSQL's READ COMMITTED a second sender that waited for
        // the row lock re-checks them and claims nothing.
        const DUE: &str = "sent_at IS NULL AND gave_up_at IS NULL \
             AND (next_attempt_at IS NULL OR next_attempt_at <= $1) \
             AND (claimed_until IS NULL OR claimed_until <= $1)";
        let (_guard, mut tx) = self.begin_write().await?;
        let rows: Vec<OutboxRow> = sqlx::query_as(&format!(
            "UPDATE outbox SET claimed_until = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM outbox WHERE {DUE} ORDER BY id LIMIT $3) \
             AND {DUE} \
             RETURNING id, account_id, recipient, subject, body, created_at, sent_at, \
             attempts, last_error, gave_up_at"
        ))
        .bind(now)
        .bind(lease_until)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        let mut mails: Vec<OutboxMail> = rows.into_iter().map(Into::into).collect();
        mails.sort_by_key(|m| m.id);
        Ok(mails)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(id))]
    async fn mail_sent(&self, id: i64, now: DateTime<Utc>) -> Result<bool> {
        self.write_one(
            sqlx::query(
                "UPDATE outbox SET sent_at = $2, claimed_until = NULL, last_error = NULL \
                 WHERE id = $1 AND sent_at IS NULL",
            )
            .bind(id)
            .bind(now),
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(id))]
    async fn mail_failed(
        &self,
        id: i64,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write_one(
            sqlx::query(
                "UPDATE outbox SET claimed_until = NULL, last_error = $2, \
                 next_attempt_at = $3, \
                 gave_up_at = CASE WHEN $3 IS NULL THEN $4 ELSE NULL END \
                 WHERE id = $1 AND sent_at IS NULL",
            )
            .bind(id)
            .bind(error)
            .bind(retry_at)
            .bind(now),
        )
        .await
    }
}
