//! The SQL of the database's health and its connections. Compiled once per
//! backend: `super` is the backend's `queries` module (its `Db` and
//! `ThisStore`).

use async_trait::async_trait;

use super::ThisStore;
use crate::backend::Backend;
use crate::error::Result;

#[async_trait]
impl crate::stores::Health for ThisStore {
    fn backend(&self) -> &'static str {
        Self::NAME
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(self.pool()).await?;
        Ok(())
    }

    fn pool_stats(&self) -> (u32, u32) {
        (
            self.pool().size(),
            u32::try_from(self.pool().num_idle()).unwrap_or(u32::MAX),
        )
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn close(&self) {
        self.pool().close().await;
    }
}
