//! SQLite: the embedded default. WAL, foreign keys, a busy timeout, and one
//! writer at a time.
//!
//! SQLite allows one writer. Write transactions start with `BEGIN IMMEDIATE`
//! (so a read-then-write transaction never fails to upgrade its lock) and
//! also take an in-process mutex, so writers of this process queue on a
//! cheap async lock instead of SQLite's sleeping busy handler; the busy
//! timeout still covers writers in other processes (the operator commands).
//!
//! The hottest read (one domain by id, on every GET detail) skips sqlx's
//! connection threads: `sqlx-sqlite` hands every statement to a thread of its
//! own and back, and those two context switches cost more than the read
//! (docs/benchmarks.md). Instead each runtime thread keeps a read-only
//! `rusqlite` connection and reads in place: in WAL mode a reader never
//! waits for the writer, and a primary-key read takes microseconds, short
//! enough to do on a runtime thread.

use std::cell::RefCell;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use thread_local::ThreadLocal;
use tokio::sync::{Mutex, MutexGuard};

use crate::error::{Result, StoreError};
use crate::model::Domain;
use crate::sql::{DomainRow, DOMAIN_BY_ID, DOMAIN_COLUMNS};

/// The read of one domain, in rusqlite's `?N` parameters; built once.
static DOMAIN_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT {DOMAIN_COLUMNS} FROM domains {}",
        DOMAIN_BY_ID.replace('$', "?")
    )
});

pub struct SqliteStore {
    pool: SqlitePool,
    write_lock: Mutex<()>,
    /// The database file, for the per-thread readers; `None` in memory.
    path: Option<PathBuf>,
    readers: ThreadLocal<RefCell<rusqlite::Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    pub async fn connect(url: &str) -> Result<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let filename = options.get_filename().to_path_buf();
        let path = (!filename.as_os_str().is_empty() && filename.as_os_str() != ":memory:")
            .then_some(filename);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Self {
            pool,
            write_lock: Mutex::new(()),
            path,
            readers: ThreadLocal::new(),
        })
    }

    async fn begin_write(&self) -> Result<(MutexGuard<'_, ()>, Transaction<'static, Sqlite>)> {
        let guard = self.write_lock.lock().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok((guard, tx))
    }

    fn reader(&self, path: &PathBuf) -> Result<&RefCell<rusqlite::Connection>> {
        self.readers.get_or_try(|| {
            let conn = rusqlite::Connection::open_with_flags(
                path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY
                    | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(read_error)?;
            conn.busy_timeout(Duration::from_secs(10))
                .map_err(read_error)?;
            Ok(RefCell::new(conn))
        })
    }

    async fn read_domain(&self, account_id: i64, domain_id: i64) -> Result<Option<Domain>> {
        let Some(path) = &self.path else {
            // An in-memory database has no file to open twice.
            let row: Option<DomainRow> = sqlx::query_as(&format!(
                "SELECT {DOMAIN_COLUMNS} FROM domains {DOMAIN_BY_ID}"
            ))
            .bind(domain_id)
            .bind(account_id)
            .fetch_optional(&self.pool)
            .await?;
            return row.map(Domain::try_from).transpose();
        };
        let reader = self.reader(path)?;
        // A runtime thread runs one task at a time and this borrow ends
        // before any await, so it is never taken twice.
        let conn = reader
            .try_borrow_mut()
            .map_err(|_| StoreError::Database(sqlx::Error::Protocol("reader busy".into())))?;
        let mut statement = conn.prepare_cached(&DOMAIN_SQL).map_err(read_error)?;
        let mut rows = statement
            .query(rusqlite::params![domain_id, account_id])
            .map_err(read_error)?;
        match rows.next().map_err(read_error)? {
            Some(row) => {
                Domain::try_from(DomainRow::from_rusqlite(row).map_err(read_error)?).map(Some)
            }
            None => Ok(None),
        }
    }
}

fn read_error(e: rusqlite::Error) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(Box::new(e)))
}

crate::sql::sql_store!(SqliteStore, Sqlite, "sqlite");
