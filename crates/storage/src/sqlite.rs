//! SQLite: the embedded default. WAL, foreign keys, a busy timeout, and one
//! writer at a time.
//!
//! SQLite allows one writer. Write transactions start with `BEGIN IMMEDIATE`
//! (so a read-then-write transaction never fails to upgrade its lock) and
//! also take an in-process mutex, so writers of this process queue on a
//! cheap async lock instead of SQLite's sleeping busy handler; the busy
//! timeout still covers writers in other processes (the operator commands).

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use tokio::sync::{Mutex, MutexGuard};

use crate::error::Result;

#[derive(Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    write_lock: Mutex<()>,
}

impl SqliteStore {
    pub async fn connect(url: &str) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Self {
            pool,
            write_lock: Mutex::new(()),
        })
    }

    async fn begin_write(&self) -> Result<(MutexGuard<'_, ()>, Transaction<'static, Sqlite>)> {
        let guard = self.write_lock.lock().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok((guard, tx))
    }
}

crate::sql::sql_store!(SqliteStore, Sqlite, "sqlite");
