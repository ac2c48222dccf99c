//! SQLite's own connections beside sqlx's pool (see `sqlite.rs`): the
//! per-thread cache of reads at a wal-index stamp, the list readers, and
//! rusqlite's errors as the store's.

use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Result, StoreError};
use crate::model::{Domain, TokenOwner};
use crate::wal_stamp::Stamp;

/// Domains read at one wal-index stamp, by (account, id), and tokens'
/// owners read at it, by the token's hash.
#[derive(Default)]
pub(super) struct DomainCache {
    pub(super) stamp: Option<Stamp>,
    pub(super) domains:
        std::collections::HashMap<(vpsd_domain::AccountId, vpsd_domain::DomainId), Domain>,
    pub(super) tokens: std::collections::HashMap<String, TokenOwner>,
}

impl DomainCache {
    /// Entries of each kind kept per thread at most (then the cache starts
    /// over).
    const MAX: usize = 10_000;

    /// Empties the cache unless it holds reads made at `stamp` and has
    /// room, and marks it as holding reads made at `stamp`.
    pub(super) fn start_at(&mut self, stamp: Stamp) {
        if self.stamp != Some(stamp)
            || self.domains.len() >= Self::MAX
            || self.tokens.len() >= Self::MAX
        {
            self.domains.clear();
            self.tokens.clear();
            self.stamp = Some(stamp);
        }
    }
}

/// Read-only connections for list pages, used on the blocking pool: at
/// most [`ListReaders::MAX`] at once (each holds a page cache).
pub(super) struct ListReaders {
    path: PathBuf,
    idle: std::sync::Mutex<Vec<rusqlite::Connection>>,
    pub(super) permits: tokio::sync::Semaphore,
}

impl ListReaders {
    const MAX: usize = 8;

    pub(super) fn new(path: PathBuf) -> Self {
        ListReaders {
            path,
            idle: std::sync::Mutex::new(Vec::new()),
            permits: tokio::sync::Semaphore::new(Self::MAX),
        }
    }

    pub(super) fn take(&self) -> Result<rusqlite::Connection> {
        if let Some(conn) = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop() {
            return Ok(conn);
        }
        open_reader(&self.path)
    }

    pub(super) fn give_back(&self, conn: rusqlite::Connection) {
        self.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(conn);
    }
}

/// A read-only connection to the database file.
pub(super) fn open_reader(path: &PathBuf) -> Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(read_error)?;
    conn.busy_timeout(Duration::from_secs(10))
        .map_err(read_error)?;
    Ok(conn)
}

/// A rusqlite write's error as the store's: a unique violation is a
/// conflict, as on the sqlx path.
pub(super) fn write_error(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(code, message) = &e {
        let unique = code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || code.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY;
        if unique {
            return StoreError::Conflict {
                constraint: message.clone().unwrap_or_else(|| "unique".to_owned()),
            };
        }
    }
    StoreError::Database(sqlx::Error::Decode(Box::new(e)))
}

pub(super) fn read_error(e: rusqlite::Error) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(Box::new(e)))
}
