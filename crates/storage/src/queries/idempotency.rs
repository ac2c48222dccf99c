//! The SQL of idempotency keys of API requests. Compiled once per backend:
//! `super` is the backend's `queries` module (its `Db` and `ThisStore`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::ThisStore;
use crate::backend::Backend;
use crate::error::Result;
use crate::model::IdempotentRequest;

#[async_trait]
impl crate::stores::IdempotencyStore for ThisStore {
    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id))]
    async fn idempotency_claim(
        &self,
        account_id: vpsd_domain::AccountId,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
        expired_before: DateTime<Utc>,
    ) -> Result<bool> {
        let (_guard, mut tx) = self.begin_write().await?;
        sqlx::query(
            "DELETE FROM idempotency_keys \
             WHERE account_id = $1 AND key = $2 AND created_at < $3",
        )
        .bind(account_id)
        .bind(key)
        .bind(expired_before)
        .execute(&mut *tx)
        .await?;
        let claimed = sqlx::query(
            "INSERT INTO idempotency_keys (account_id, key, request_hash, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, key) DO NOTHING",
        )
        .bind(account_id)
        .bind(key)
        .bind(request_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        tx.commit().await?;
        Ok(claimed)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id))]
    async fn idempotency_get(
        &self,
        account_id: vpsd_domain::AccountId,
        key: &str,
    ) -> Result<Option<IdempotentRequest>> {
        let row: Option<(String, Option<i64>, Option<String>, DateTime<Utc>)> = sqlx::query_as(
            "SELECT request_hash, status_code, response_body, created_at \
                 FROM idempotency_keys WHERE account_id = $1 AND key = $2",
        )
        .bind(account_id)
        .bind(key)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(
            |(request_hash, status, body, created_at)| IdempotentRequest {
                request_hash,
                response: match (status, body) {
                    (Some(s), Some(b)) => Some((u16::try_from(s).unwrap_or(500), b)),
                    _ => None,
                },
                created_at,
            },
        ))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id))]
    async fn idempotency_complete(
        &self,
        account_id: vpsd_domain::AccountId,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<()> {
        self.write_one(
            sqlx::query(
                "UPDATE idempotency_keys SET status_code = $3, response_body = $4 \
                 WHERE account_id = $1 AND key = $2",
            )
            .bind(account_id)
            .bind(key)
            .bind(i64::from(status))
            .bind(body),
        )
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id))]
    async fn idempotency_release(
        &self,
        account_id: vpsd_domain::AccountId,
        key: &str,
    ) -> Result<()> {
        self.write_one(
            sqlx::query(
                "DELETE FROM idempotency_keys WHERE account_id = $1 AND key = $2 \
                 AND status_code IS NULL",
            )
            .bind(account_id)
            .bind(key),
        )
        .await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn idempotency_purge(&self, before: DateTime<Utc>) -> Result<u64> {
        let (_guard, mut tx) = self.begin_write().await?;
        let n = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(n)
    }
}
