//! The SQL of the sandbox's test clock. Compiled once per backend: `super` is
//! the backend's `queries` module (its `Db` and `ThisStore`).

use async_trait::async_trait;

use super::ThisStore;
use crate::backend::Backend;
use crate::error::{Result, StoreError};

#[async_trait]
impl crate::stores::SandboxClockStore for ThisStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn sandbox_offset(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT offset_seconds FROM sandbox_clock WHERE id = 1")
                .fetch_one(self.pool())
                .await?,
        )
    }

    #[tracing::instrument(level = "debug", skip_all, fields(seconds))]
    async fn sandbox_advance(&self, seconds: i64) -> Result<i64> {
        if seconds <= 0 {
            return Err(StoreError::StateChanged);
        }
        let (_guard, mut tx) = self.begin_write().await?;
        let offset: i64 = sqlx::query_scalar(
            "UPDATE sandbox_clock SET offset_seconds = offset_seconds + $1 \
             WHERE id = 1 RETURNING offset_seconds",
        )
        .bind(seconds)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(offset)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn real_registry_tlds(&self) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("SELECT tld FROM real_registry_tlds ORDER BY tld")
                .fetch_all(self.pool())
                .await?,
        )
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_real_registry_tlds(&self, tlds: &[String]) -> Result<()> {
        let (_guard, mut tx) = self.begin_write().await?;
        sqlx::query("DELETE FROM real_registry_tlds")
            .execute(&mut *tx)
            .await?;
        for tld in tlds {
            sqlx::query("INSERT INTO real_registry_tlds (tld) VALUES ($1)")
                .bind(tld)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
