//! The SQL of API tokens. Compiled once per backend: `super` is the backend's
//! `queries` module (its `Db` and `ThisStore`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tracing::Instrument;

use super::ThisStore;
use crate::backend::Backend;
use crate::error::{Result, StoreError};
use crate::model::{Audit, NewToken, TokenInfo, TokenOwner};

#[async_trait]
impl crate::stores::TokenStore for ThisStore {
    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %t.account_id))]
    async fn create_token(&self, t: &NewToken, audit: &Audit<'_>) -> Result<vpsd_domain::TokenId> {
        let (_guard, mut tx) = self.begin_write().await?;
        let row: Option<(vpsd_domain::TokenId,)> = sqlx::query_as(
            "INSERT INTO api_tokens (account_id, name, token_hash, prefix, scope, \
             expires_at, created_at) \
             SELECT id, $2, $3, $4, $5, $6, $7 FROM accounts WHERE id = $1 RETURNING id",
        )
        .bind(t.account_id)
        .bind(&t.name)
        .bind(&t.token_hash)
        .bind(&t.prefix)
        .bind(if t.read_only {
            "read_only"
        } else {
            "read_write"
        })
        .bind(t.expires_at)
        .bind(t.created_at)
        .fetch_optional(&mut *tx)
        .await?;
        if row.is_some() {
            Self::audit_row(&mut tx, audit, t.account_id, None, t.created_at).await?;
        }
        tx.commit().await?;
        row.map(|r| r.0).ok_or(StoreError::NotFound)
    }

    async fn token_owner(&self, token_hash: &str) -> Result<Option<TokenOwner>> {
        // Read on every request; each backend answers it its fastest exact
        // way. As `domain`: a span only when debug is on, and never with
        // the hash.
        if tracing::enabled!(tracing::Level::DEBUG) {
            let span = tracing::debug_span!("token_owner");
            return self.read_token_owner(token_hash).instrument(span).await;
        }
        self.read_token_owner(token_hash).await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id))]
    async fn tokens(&self, account_id: vpsd_domain::AccountId) -> Result<Vec<TokenInfo>> {
        #[allow(clippy::type_complexity)]
        let rows: Vec<(
            i64,
            String,
            String,
            String,
            DateTime<Utc>,
            Option<DateTime<Utc>>,
            Option<DateTime<Utc>>,
            Option<DateTime<Utc>>,
        )> = sqlx::query_as(
            "SELECT id, name, prefix, scope, created_at, expires_at, revoked_at, \
             last_used_at FROM api_tokens WHERE account_id = $1 ORDER BY id",
        )
        .bind(account_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, name, prefix, scope, created_at, expires_at, revoked_at, last_used_at)| {
                    TokenInfo {
                        id: vpsd_domain::TokenId::from(id),
                        name,
                        prefix,
                        read_only: scope != "read_write",
                        created_at,
                        expires_at,
                        revoked_at,
                        last_used_at,
                    }
                },
            )
            .collect())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(token_id))]
    async fn revoke_token(
        &self,
        token_id: vpsd_domain::TokenId,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool> {
        let (_guard, mut tx) = self.begin_write().await?;
        let row: Option<(vpsd_domain::AccountId,)> = sqlx::query_as(
            "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL \
             RETURNING account_id",
        )
        .bind(token_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((account_id,)) = row else {
            return Ok(false);
        };
        Self::audit_row(&mut tx, audit, account_id, None, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(token_id))]
    async fn token_used(&self, token_id: vpsd_domain::TokenId, now: DateTime<Utc>) -> Result<()> {
        self.write_one(
            sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
                .bind(token_id)
                .bind(now),
        )
        .await?;
        Ok(())
    }
}
