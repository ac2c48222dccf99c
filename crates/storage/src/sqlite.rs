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
//!
//! A domain read that way is kept per thread with the database's wal-index
//! stamp (`wal_stamp.rs`): while the stamp is unchanged nothing committed,
//! in this process or another, so the kept domain is exactly what a read
//! would give, and a poll of the same domain costs one `pread`.
//!
//! The hottest writes (a registration's transaction, and the sandbox
//! registry's new name) likewise run on one `rusqlite` writer connection,
//! the whole transaction in one trip to the blocking pool, instead of a
//! hand-off per statement; they hold the same in-process write lock and
//! take SQLite's lock with `BEGIN IMMEDIATE`, so they order with every other
//! writer as before. The SQL is the same text the PostgreSQL path runs
//! (`stores/domains.rs`, `stores/tokens.rs`).
//!
//! Everything else is the shared SQL of `queries/`, included below as the
//! child module `queries` and compiled against `Db = Sqlite`; the hooks it
//! uses are this store's [`Backend`] implementation.

use std::cell::RefCell;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use thread_local::ThreadLocal;
use tokio::sync::{Mutex, MutexGuard};

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::OptionalExtension;

use crate::error::{Result, StoreError};
use crate::wal_stamp::WalIndex;
use vpsd_domain::lifecycle::DomainStatus;

use crate::backend::Backend;
use crate::codec::{join_hosts, like_pattern, rusqlite_time, unicode_form};
use crate::list_cache::ListCache;
use crate::model::{
    Audit, Domain, DomainFilter, DomainPage, NewRegistration, RegistryRecord, TokenOwner,
};
use crate::stores::accounts::{DEBIT, INSERT_LEDGER};
use crate::stores::audit::action_text;
use crate::stores::audit::INSERT_AUDIT;
use crate::stores::domains::{
    domains, DomainRow, DOMAIN_BY_ID, DOMAIN_COLUMNS, INSERT_REGISTRATION, LIST_VERSION, LIST_WHERE,
};
use crate::stores::registry::INSERT_REGISTRY_NAME;
use crate::stores::tokens::{token_owner_of, TOKEN_OWNER};

mod connections;

use connections::{open_reader, read_error, write_error, DomainCache, ListReaders};

/// The database the shared queries are compiled against here.
type Db = Sqlite;
/// The store the shared queries implement the traits for here.
type ThisStore = SqliteStore;

/// Shared SQL in rusqlite's `?N` parameters.
fn positional(sql: &str) -> String {
    sql.replace('$', "?")
}
static REGISTRATION_Q: LazyLock<String> = LazyLock::new(|| positional(&INSERT_REGISTRATION));
static DEBIT_Q: LazyLock<String> = LazyLock::new(|| positional(DEBIT));
static LEDGER_Q: LazyLock<String> = LazyLock::new(|| positional(INSERT_LEDGER));
static AUDIT_Q: LazyLock<String> = LazyLock::new(|| positional(INSERT_AUDIT));
static REGISTRY_Q: LazyLock<String> = LazyLock::new(|| positional(INSERT_REGISTRY_NAME));
static LIST_Q: LazyLock<String> = LazyLock::new(|| {
    positional(&format!(
        "SELECT {DOMAIN_COLUMNS} FROM domains {LIST_WHERE} ORDER BY id LIMIT $5 OFFSET $6"
    ))
});
static COUNT_Q: LazyLock<String> =
    LazyLock::new(|| positional(&format!("SELECT COUNT(*) FROM domains {LIST_WHERE}")));
static TOKEN_OWNER_Q: LazyLock<String> = LazyLock::new(|| positional(TOKEN_OWNER));
static LIST_VERSION_Q: LazyLock<String> =
    LazyLock::new(|| positional(&format!("SELECT {LIST_VERSION}")));

/// A time as sqlx writes it to SQLite (RFC 3339, `+00:00`), so text order
/// stays time order whichever path wrote the row.
fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// The audit row's values, owned, for a closure on the blocking pool.
struct AuditValues {
    kind: &'static str,
    token_id: Option<i64>,
    action: &'static str,
    changes: String,
    request_id: Option<String>,
}

impl AuditValues {
    fn of(audit: &Audit<'_>) -> Self {
        AuditValues {
            kind: audit.actor.kind,
            token_id: audit.actor.token_id.map(vpsd_domain::TokenId::get),
            action: action_text(audit),
            changes: audit.changes.clone(),
            request_id: audit.actor.request_id.clone(),
        }
    }
}

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
    /// Readers for list pages; `None` in memory.
    lists: Option<Arc<ListReaders>>,
    /// The in-place writer (see the module's notes); `None` in memory.
    /// Declared after every read-only connection, so it is dropped after
    /// them: the last connection to close checkpoints the WAL and removes
    /// the `-wal` and `-shm` files, which a read-only one cannot do.
    writer: Option<Arc<std::sync::Mutex<rusqlite::Connection>>>,
    /// The wal-index, to tell whether anything committed since a read.
    wal: Option<WalIndex>,
    /// Domains read by this runtime thread, valid while the database's
    /// stamp is the one they were read at (see `read_domain`).
    cached: ThreadLocal<RefCell<DomainCache>>,
    /// List pages kept with their list version (`list_cache.rs`).
    kept_lists: ListCache,
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
        Self::backfill_unicode_names(&pool).await?;
        let writer = match &path {
            Some(p) => {
                let conn = rusqlite::Connection::open(p).map_err(write_error)?;
                conn.busy_timeout(Duration::from_secs(10))
                    .map_err(write_error)?;
                conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")
                    .map_err(write_error)?;
                Some(Arc::new(std::sync::Mutex::new(conn)))
            }
            None => None,
        };
        let lists = path.clone().map(|p| Arc::new(ListReaders::new(p)));
        // The pool's connections have put the database in WAL mode, so its
        // -shm file is there now.
        let wal = path.as_deref().and_then(WalIndex::open);
        Ok(Self {
            pool,
            write_lock: Mutex::new(()),
            path,
            readers: ThreadLocal::new(),
            writer,
            lists,
            wal,
            cached: ThreadLocal::new(),
            kept_lists: ListCache::default(),
        })
    }

    fn reader(&self, path: &PathBuf) -> Result<&RefCell<rusqlite::Connection>> {
        self.readers
            .get_or_try(|| open_reader(path).map(RefCell::new))
    }

    /// One domain through this thread's reader.
    fn read_domain_row(
        &self,
        path: &PathBuf,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<Option<Domain>> {
        let reader = self.reader(path)?;
        // A runtime thread runs one task at a time and this borrow ends
        // before any await, so it is never taken twice.
        let conn = reader
            .try_borrow_mut()
            .map_err(|_| StoreError::Database(sqlx::Error::Protocol("reader busy".into())))?;
        let mut statement = conn.prepare_cached(&DOMAIN_SQL).map_err(read_error)?;
        let mut rows = statement
            .query(rusqlite::params![domain_id.get(), account_id])
            .map_err(read_error)?;
        match rows.next().map_err(read_error)? {
            Some(row) => {
                Domain::try_from(DomainRow::from_rusqlite(row).map_err(read_error)?).map(Some)
            }
            None => Ok(None),
        }
    }
}

impl SqliteStore {
    /// Runs `f` as one `BEGIN IMMEDIATE` transaction on the writer
    /// connection, on the blocking pool, under the write lock; commits when
    /// it returns `Ok`.
    async fn write_in_place<T: Send + 'static>(
        &self,
        writer: &Arc<std::sync::Mutex<rusqlite::Connection>>,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let _guard = self.write_lock.lock().await;
        let writer = writer.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = writer.lock().unwrap_or_else(|e| e.into_inner());
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(write_error)?;
            let out = f(&tx)?;
            tx.commit().map_err(write_error)?;
            Ok(out)
        })
        .await
        .map_err(|e| StoreError::Database(sqlx::Error::Protocol(format!("writer task: {e}"))))?
    }
}

impl Backend for SqliteStore {
    type Db = Sqlite;
    type WriteGuard<'a> = MutexGuard<'a, ()>;
    const NAME: &'static str = "sqlite";

    fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    fn kept_lists(&self) -> &ListCache {
        &self.kept_lists
    }

    async fn begin_write(&self) -> Result<(MutexGuard<'_, ()>, Transaction<'static, Sqlite>)> {
        let guard = self.write_lock.lock().await;
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok((guard, tx))
    }

    async fn read_domain(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<Option<Domain>> {
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
        // A domain read at the stamp the database still has is what a
        // read now would give: nothing committed since, in any process.
        let before = self.wal.as_ref().and_then(WalIndex::stamp);
        let key = (account_id, domain_id);
        if let Some(stamp) = before {
            let cache = self.cached.get_or_default().borrow();
            if cache.stamp == Some(stamp) {
                if let Some(d) = cache.domains.get(&key) {
                    return Ok(Some(d.clone()));
                }
            }
        }
        let domain = self.read_domain_row(path, account_id, domain_id)?;
        // Kept only when nothing committed during the read either, so the
        // read's snapshot is the stamp's.
        if let (Some(stamp), Some(d)) = (before, &domain) {
            if self.wal.as_ref().and_then(WalIndex::stamp) == Some(stamp) {
                let mut cache = self.cached.get_or_default().borrow_mut();
                cache.start_at(stamp);
                cache.domains.insert(key, d.clone());
            }
        }
        Ok(domain)
    }

    /// A token's owner, exact on every call: kept per thread with the
    /// wal-index stamp it was read at, like a domain (`read_domain`), so a
    /// revocation, expiry or scope change committed by any process is seen
    /// by the next request, and an unchanged database costs one `pread`.
    async fn read_token_owner(&self, token_hash: &str) -> Result<Option<TokenOwner>> {
        let Some(path) = &self.path else {
            let row = sqlx::query_as(TOKEN_OWNER)
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
            return Ok(row.map(token_owner_of));
        };
        let before = self.wal.as_ref().and_then(WalIndex::stamp);
        if let Some(stamp) = before {
            let cache = self.cached.get_or_default().borrow();
            if cache.stamp == Some(stamp) {
                if let Some(owner) = cache.tokens.get(token_hash) {
                    return Ok(Some(owner.clone()));
                }
            }
        }
        let owner = {
            let reader = self.reader(path)?;
            // As in `read_domain_row`: no await while borrowed.
            let conn = reader
                .try_borrow_mut()
                .map_err(|_| StoreError::Database(sqlx::Error::Protocol("reader busy".into())))?;
            let mut statement = conn.prepare_cached(&TOKEN_OWNER_Q).map_err(read_error)?;
            statement
                .query_row(rusqlite::params![token_hash], |r| {
                    Ok(token_owner_of((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        rusqlite_time(r, 3)?,
                        rusqlite_time(r, 4)?,
                    )))
                })
                .optional()
                .map_err(read_error)?
        };
        // Kept only when nothing committed during the read (as domains).
        if let (Some(stamp), Some(o)) = (before, &owner) {
            if self.wal.as_ref().and_then(WalIndex::stamp) == Some(stamp) {
                let mut cache = self.cached.get_or_default().borrow_mut();
                cache.start_at(stamp);
                cache.tokens.insert(token_hash.to_owned(), o.clone());
            }
        }
        Ok(owner)
    }

    /// A page of the account's domains and their total, in one read
    /// transaction on a reader of the list pool, on the blocking pool: one
    /// trip instead of sqlx's hand-off per row, and a long scan (a large
    /// account with a search) never holds a runtime thread.
    async fn read_list(
        &self,
        account_id: vpsd_domain::AccountId,
        filter: &DomainFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Option<i64>, DomainPage)> {
        let Some(lists) = &self.lists else {
            return self
                .list_domains_sqlx(account_id, filter, offset, limit)
                .await;
        };
        let status = filter.status.map(DomainStatus::as_str);
        let locked_only = filter.locked_only;
        let pattern = filter.search.as_deref().map(like_pattern);
        let _permit = lists
            .permits
            .acquire()
            .await
            .map_err(|_| StoreError::Database(sqlx::Error::PoolClosed))?;
        let lists = lists.clone();
        let (version, count, rows) = tokio::task::spawn_blocking(move || {
            let mut conn = lists.take()?;
            let read = (|| {
                let tx = conn.transaction()?;
                let version: i64 = tx
                    .prepare_cached(&LIST_VERSION_Q)?
                    .query_row(rusqlite::params![account_id], |r| r.get(0))?;
                let count: i64 = tx.prepare_cached(&COUNT_Q)?.query_row(
                    rusqlite::params![account_id, status, locked_only, pattern],
                    |r| r.get(0),
                )?;
                let rows = tx
                    .prepare_cached(&LIST_Q)?
                    .query_map(
                        rusqlite::params![account_id, status, locked_only, pattern, limit, offset],
                        DomainRow::from_rusqlite,
                    )?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                tx.finish()?;
                Ok((version, count, rows))
            })()
            .map_err(read_error);
            lists.give_back(conn);
            read
        })
        .await
        .map_err(|e| StoreError::Database(sqlx::Error::Protocol(format!("list task: {e}"))))??;
        let page = DomainPage {
            total: count,
            domains: domains(rows)?.into(),
        };
        Ok((Some(version), page))
    }

    /// The account's list version (`list_cache.rs`), read in place.
    async fn read_list_version(&self, account_id: vpsd_domain::AccountId) -> Result<i64> {
        let Some(path) = &self.path else {
            return Ok(sqlx::query_scalar(&LIST_VERSION_Q)
                .bind(account_id)
                .fetch_one(&self.pool)
                .await?);
        };
        let reader = self.reader(path)?;
        // As in `read_domain_row`: no await while borrowed.
        let conn = reader
            .try_borrow_mut()
            .map_err(|_| StoreError::Database(sqlx::Error::Protocol("reader busy".into())))?;
        let mut statement = conn.prepare_cached(&LIST_VERSION_Q).map_err(read_error)?;
        statement
            .query_row(rusqlite::params![account_id], |r| r.get(0))
            .map_err(read_error)
    }

    async fn write_registration(&self, reg: &NewRegistration, audit: &Audit<'_>) -> Result<Domain> {
        // A premium name's registration, which keeps the registry's agreed
        // fee too, is rare enough to take the general path.
        let Some(writer) = self.writer.as_ref().filter(|_| reg.agreed_fee.is_none()) else {
            return self.insert_registration_sqlx(reg, audit).await;
        };
        let reg = reg.clone();
        let audit = AuditValues::of(audit);
        let row = self
            .write_in_place(writer, move |tx| {
                // The name first: its unique index settles a race for it
                // before any money moves.
                let row = tx
                    .prepare_cached(&REGISTRATION_Q)
                    .and_then(|mut st| {
                        st.query_row(
                            rusqlite::params![
                                reg.account_id,
                                reg.domain_name,
                                ts(reg.registration_date),
                                ts(reg.expiration_date),
                                reg.auto_renew,
                                reg.privacy_protection,
                                join_hosts(&reg.nameservers),
                                reg.registrar,
                                ts(reg.activates_at),
                                reg.cost.cents(),
                                unicode_form(&reg.domain_name),
                                crate::stores::domains::first_dns_serial(),
                                reg.contacts.registrant,
                                reg.contacts.admin,
                                reg.contacts.tech,
                                reg.contacts.billing,
                            ],
                            DomainRow::from_rusqlite,
                        )
                    })
                    .map_err(write_error)?;
                let after: i64 = tx
                    .prepare_cached(&DEBIT_Q)
                    .and_then(|mut st| {
                        st.query_row(rusqlite::params![reg.cost.cents(), reg.account_id], |r| {
                            r.get(0)
                        })
                        .optional()
                    })
                    .map_err(write_error)?
                    .ok_or(StoreError::InsufficientFunds)?;
                let now = ts(reg.registration_date);
                if reg.cost.cents() != 0 {
                    tx.prepare_cached(&LEDGER_Q)
                        .and_then(|mut st| {
                            st.execute(rusqlite::params![
                                reg.account_id,
                                "registration",
                                -reg.cost.cents(),
                                after,
                                row.id.get(),
                                reg.domain_name,
                                reg.description,
                                now,
                            ])
                        })
                        .map_err(write_error)?;
                }
                tx.prepare_cached(&AUDIT_Q)
                    .and_then(|mut st| {
                        st.execute(rusqlite::params![
                            reg.account_id,
                            audit.kind,
                            audit.token_id,
                            audit.action,
                            row.id.get(),
                            reg.domain_name,
                            audit.changes,
                            audit.request_id,
                            now,
                        ])
                    })
                    .map_err(write_error)?;
                Ok(row)
            })
            .await?;
        Domain::try_from(row)
    }

    async fn write_registry_name(&self, r: &RegistryRecord, now: DateTime<Utc>) -> Result<()> {
        let Some(writer) = &self.writer else {
            return self.registry_insert_sqlx(r, now).await;
        };
        let r = r.clone();
        self.write_in_place(writer, move |tx| {
            tx.prepare_cached(&REGISTRY_Q)
                .and_then(|mut st| {
                    st.execute(rusqlite::params![
                        r.name,
                        r.sponsoring_registrar,
                        r.auth_code,
                        ts(r.created_at),
                        ts(r.ex_date),
                        r.last_transferred_at.map(ts),
                        r.client_transfer_prohibited,
                        join_hosts(&r.nameservers),
                        r.pending_transfer_to,
                        ts(now),
                    ])
                })
                .map_err(write_error)?;
            Ok(())
        })
        .await
    }
}

// The shared queries (`queries/`), compiled for SQLite against `Db` and
// `ThisStore`. `postgres.rs` includes the same files: that is the point
// (one SQL text, both backends), so clippy's `duplicate_mod` does not apply.
#[allow(clippy::duplicate_mod)]
#[path = "queries/mod.rs"]
mod queries;
