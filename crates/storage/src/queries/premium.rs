//! The SQL of the sandbox registry's premium names. Compiled once per
//! backend: `super` is the backend's `queries` module.

use async_trait::async_trait;

use super::ThisStore;
use crate::backend::Backend;
use crate::error::Result;
use crate::model::PremiumName;
use crate::stores::premium::PremiumRow;

const COLUMNS: &str = "name, create_cents, renew_cents, transfer_cents, updated_at";

#[async_trait]
impl crate::stores::PremiumNameStore for ThisStore {
    #[tracing::instrument(level = "debug", skip_all, fields(name = %premium.name))]
    async fn registry_premium_set(&self, premium: &PremiumName) -> Result<()> {
        let (_guard, mut tx) = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO registry_premium_names \
             (name, create_cents, renew_cents, transfer_cents, updated_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (name) DO UPDATE SET create_cents = excluded.create_cents, \
             renew_cents = excluded.renew_cents, transfer_cents = excluded.transfer_cents, \
             updated_at = excluded.updated_at",
        )
        .bind(&premium.name)
        .bind(premium.create_cents)
        .bind(premium.renew_cents)
        .bind(premium.transfer_cents)
        .bind(premium.updated_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name))]
    async fn registry_premium_get(&self, name: &str) -> Result<Option<PremiumName>> {
        let row: Option<PremiumRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM registry_premium_names WHERE name = $1"
        ))
        .bind(name)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(Into::into))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn registry_premium_list(&self) -> Result<Vec<PremiumName>> {
        let rows: Vec<PremiumRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM registry_premium_names ORDER BY name"
        ))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name))]
    async fn registry_premium_remove(&self, name: &str) -> Result<bool> {
        self.write_one(sqlx::query("DELETE FROM registry_premium_names WHERE name = $1").bind(name))
            .await
    }
}
