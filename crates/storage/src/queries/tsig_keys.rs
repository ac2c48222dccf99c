//! The SQL of zones' TSIG keys. Compiled once per backend: `super` is the
//! backend's `queries` module.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::ThisStore;
use crate::backend::Backend;
use crate::error::{Result, StoreError};
use crate::model::{Audit, NewTsigKey, TsigKey, TsigKeyInUse};
use crate::stores::domains::DOMAIN_BY_ID;
use crate::stores::tsig_keys::{TsigKeyRow, TSIG_KEY_COLUMNS};

#[async_trait]
impl crate::stores::TsigKeyStore for ThisStore {
    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id, name = %key.name))]
    async fn create_tsig_key(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        key: &NewTsigKey,
        audit: &Audit<'_>,
    ) -> Result<TsigKey> {
        let (_guard, mut tx) = self.begin_write().await?;
        // The domain's row is locked first (PostgreSQL; SQLite has one
        // writer), so two creations for one zone count its keys in turn.
        let domain: Option<(String,)> = sqlx::query_as(&format!(
            "UPDATE domains SET updated_at = updated_at {DOMAIN_BY_ID} RETURNING domain_name"
        ))
        .bind(domain_id)
        .bind(account_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((domain_name,)) = domain else {
            return Err(StoreError::NotFound);
        };
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM tsig_keys WHERE domain_id = $1")
                .bind(domain_id)
                .fetch_one(&mut *tx)
                .await?;
        if count >= vpsd_domain::dns::tsig::MAX_KEYS_PER_ZONE as i64 {
            return Err(StoreError::Conflict {
                constraint: "tsig_keys_per_zone".to_owned(),
            });
        }
        // A key of a removed domain of the same name would hold the name.
        sqlx::query(
            "DELETE FROM tsig_keys WHERE name = $1 AND domain_id IN \
             (SELECT id FROM domains WHERE removed_at IS NOT NULL)",
        )
        .bind(&key.name)
        .execute(&mut *tx)
        .await?;
        let row: TsigKeyRow = sqlx::query_as(
            "INSERT INTO tsig_keys (domain_id, name, algorithm, secret_sealed, created_at) \
             VALUES ($1, $2, $3, $4, $5) \
             RETURNING id, domain_id, name, algorithm, created_at, last_used_at",
        )
        .bind(domain_id)
        .bind(&key.name)
        .bind(key.algorithm.as_str())
        .bind(&key.secret_sealed)
        .bind(key.created_at)
        .fetch_one(&mut *tx)
        .await?;
        Self::audit_row(
            &mut tx,
            audit,
            account_id,
            Some((domain_id, &domain_name)),
            key.created_at,
        )
        .await?;
        tx.commit().await?;
        TsigKey::try_from(row)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id))]
    async fn tsig_keys(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<Option<Vec<TsigKey>>> {
        let mut tx = self.pool().begin().await?;
        let owned: Option<(i64,)> =
            sqlx::query_as(&format!("SELECT id FROM domains {DOMAIN_BY_ID}"))
                .bind(domain_id)
                .bind(account_id)
                .fetch_optional(&mut *tx)
                .await?;
        if owned.is_none() {
            return Ok(None);
        }
        let rows: Vec<TsigKeyRow> = sqlx::query_as(&format!(
            "SELECT {TSIG_KEY_COLUMNS} FROM tsig_keys k WHERE k.domain_id = $1 ORDER BY k.id"
        ))
        .bind(domain_id)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.into_iter()
            .map(TsigKey::try_from)
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain_id, key_id = %key_id))]
    async fn delete_tsig_key(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        key_id: vpsd_domain::TsigKeyId,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool> {
        let (_guard, mut tx) = self.begin_write().await?;
        let deleted: Option<(String,)> = sqlx::query_as(
            "DELETE FROM tsig_keys WHERE id = $1 AND domain_id = \
             (SELECT id FROM domains WHERE id = $2 AND account_id = $3 AND removed_at IS NULL) \
             RETURNING name",
        )
        .bind(key_id)
        .bind(domain_id)
        .bind(account_id)
        .fetch_optional(&mut *tx)
        .await?;
        if deleted.is_none() {
            return Ok(false);
        }
        let (domain_name,): (String,) =
            sqlx::query_as("SELECT domain_name FROM domains WHERE id = $1")
                .bind(domain_id)
                .fetch_one(&mut *tx)
                .await?;
        Self::audit_row(
            &mut tx,
            audit,
            account_id,
            Some((domain_id, &domain_name)),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn tsig_key_by_name(&self, name: &str) -> Result<Option<TsigKeyInUse>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            key: TsigKeyRow,
            account_id: vpsd_domain::AccountId,
            domain_name: String,
            secret_sealed: String,
        }
        let row: Option<Row> = sqlx::query_as(&format!(
            "SELECT {TSIG_KEY_COLUMNS}, d.account_id, d.domain_name, k.secret_sealed \
             FROM tsig_keys k JOIN domains d ON d.id = k.domain_id \
             WHERE k.name = $1 AND d.removed_at IS NULL"
        ))
        .bind(name)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(TsigKeyInUse {
                key: TsigKey::try_from(r.key)?,
                account_id: r.account_id,
                zone: r.domain_name,
                secret_sealed: r.secret_sealed,
            })
        })
        .transpose()
    }

    #[tracing::instrument(level = "debug", skip_all, fields(key_id = %key_id))]
    async fn tsig_key_used(
        &self,
        key_id: vpsd_domain::TsigKeyId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.write_one(
            sqlx::query("UPDATE tsig_keys SET last_used_at = $2 WHERE id = $1")
                .bind(key_id)
                .bind(now),
        )
        .await?;
        Ok(())
    }
}
