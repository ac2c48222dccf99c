//! PostgreSQL, chosen by a `postgres://` URL. Row locks and conditional
//! updates under READ COMMITTED keep concurrent writers (also in several
//! processes) from acting twice.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};

use crate::error::Result;

#[derive(Debug)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    pub async fn connect(url: &str) -> Result<Self> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self { pool })
    }

    async fn begin_write(&self) -> Result<((), Transaction<'static, Postgres>)> {
        Ok(((), self.pool.begin().await?))
    }
}

crate::sql::sql_store!(PgStore, Postgres, "postgres");
