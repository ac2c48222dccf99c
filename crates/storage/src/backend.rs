//! What a backend provides to the shared queries (`queries/*.rs`).
//!
//! Each backend module (`sqlite.rs`, `postgres.rs`) declares `type Db` (its
//! sqlx database) and `type ThisStore` (its store type), implements
//! [`Backend`] for the store, and includes every file of `queries/` as a
//! child module, so each query file is compiled once per backend against
//! the concrete types. The queries reach the database only through these
//! hooks.

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::list_cache::ListCache;
use crate::model::TokenOwner;
use crate::model::{Audit, Domain, DomainFilter, DomainPage, NewRegistration, RegistryRecord};

/// A write transaction of backend `B` and the guard it holds until it ends.
pub(crate) type WriteTx<'a, B> = (
    <B as Backend>::WriteGuard<'a>,
    sqlx::Transaction<'static, <B as Backend>::Db>,
);

/// The hooks a backend gives the shared queries: its pool, how a write
/// transaction starts, and its fast paths for the hottest reads and writes.
pub(crate) trait Backend: Send + Sync + Sized {
    /// The sqlx database (`Sqlite` or `Postgres`).
    type Db: sqlx::Database;
    /// Held for as long as a write transaction runs: SQLite's in-process
    /// write lock (one writer at a time), nothing for PostgreSQL.
    type WriteGuard<'a>: Send
    where
        Self: 'a;

    /// `"sqlite"` or `"postgres"`, for the few statements that differ.
    const NAME: &'static str;

    /// The connection pool for reads and for `begin_write`.
    fn pool(&self) -> &sqlx::Pool<Self::Db>;

    /// List pages kept with their list version (`list_cache.rs`).
    fn kept_lists(&self) -> &ListCache;

    /// Starts a write transaction (SQLite: `BEGIN IMMEDIATE` under the
    /// write lock, so writers queue instead of failing to upgrade a lock).
    /// Errors: the database's.
    fn begin_write(&self) -> impl Future<Output = Result<WriteTx<'_, Self>>> + Send;

    /// One domain of an account by id (the hottest read): `None` when it is
    /// not the account's, or removed.
    fn read_domain(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> impl Future<Output = Result<Option<Domain>>> + Send;

    /// A token's owner by the token's hash, exact on every call (read on
    /// every authenticated request); `None` for an unknown token.
    fn read_token_owner(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<TokenOwner>>> + Send;

    /// A page of the account's domains with the list version it was read at
    /// (`None`: do not keep the page).
    fn read_list(
        &self,
        account_id: vpsd_domain::AccountId,
        filter: &DomainFilter,
        offset: i64,
        limit: i64,
    ) -> impl Future<Output = Result<(Option<i64>, DomainPage)>> + Send;

    /// The account's list version (`list_cache.rs`), 0 before any change.
    fn read_list_version(
        &self,
        account_id: vpsd_domain::AccountId,
    ) -> impl Future<Output = Result<i64>> + Send;

    /// A registration's transaction (the hottest write); the same errors as
    /// `DomainStore::insert_registration`.
    fn write_registration(
        &self,
        reg: &NewRegistration,
        audit: &Audit<'_>,
    ) -> impl Future<Output = Result<Domain>> + Send;

    /// The sandbox registry's new name; `Conflict` when it is taken.
    fn write_registry_name(
        &self,
        record: &RegistryRecord,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;
}
