//! PostgreSQL, chosen by a `postgres://` URL. Row locks and conditional
//! updates under READ COMMITTED keep concurrent writers (also in several
//! processes) from acting twice.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};

use chrono::{DateTime, Utc};

use crate::backend::Backend;
use crate::error::Result;
use crate::list_cache::ListCache;
use crate::model::{
    Audit, Domain, DomainFilter, DomainPage, NewRegistration, RegistryRecord, TokenOwner,
};
use crate::stores::domains::{DomainRow, DOMAIN_BY_ID, DOMAIN_COLUMNS, LIST_VERSION};
use crate::stores::tokens::{token_owner_of, TOKEN_OWNER};

/// The database the shared queries are compiled against here.
type Db = Postgres;
/// The store the shared queries implement the traits for here.
type ThisStore = PgStore;

/// The list version's read, built once.
static LIST_VERSION_Q: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("SELECT {LIST_VERSION}"));

#[derive(Debug)]
pub struct PgStore {
    pool: PgPool,
    /// List pages kept with their list version (`list_cache.rs`).
    kept_lists: ListCache,
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
        Self::backfill_unicode_names(&pool).await?;
        Ok(Self {
            pool,
            kept_lists: ListCache::default(),
        })
    }
}

impl Backend for PgStore {
    type Db = Postgres;
    type WriteGuard<'a> = ();
    const NAME: &'static str = "postgres";

    fn pool(&self) -> &PgPool {
        &self.pool
    }

    fn kept_lists(&self) -> &ListCache {
        &self.kept_lists
    }

    async fn read_domain(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<Option<Domain>> {
        let row: Option<DomainRow> = sqlx::query_as(&format!(
            "SELECT {DOMAIN_COLUMNS} FROM domains {DOMAIN_BY_ID}"
        ))
        .bind(domain_id)
        .bind(account_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(Domain::try_from).transpose()
    }

    async fn read_list(
        &self,
        account_id: vpsd_domain::AccountId,
        filter: &DomainFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Option<i64>, DomainPage)> {
        self.list_domains_sqlx(account_id, filter, offset, limit)
            .await
    }

    /// A token's owner, read from the database every time: one
    /// unique-index read, as cheap as checking a kept copy would be
    /// (docs/benchmarks.md), and exact across processes.
    async fn read_token_owner(&self, token_hash: &str) -> Result<Option<TokenOwner>> {
        let row = sqlx::query_as(TOKEN_OWNER)
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(token_owner_of))
    }

    async fn read_list_version(&self, account_id: vpsd_domain::AccountId) -> Result<i64> {
        Ok(sqlx::query_scalar(&LIST_VERSION_Q)
            .bind(account_id)
            .fetch_one(&self.pool)
            .await?)
    }

    async fn write_registration(&self, reg: &NewRegistration, audit: &Audit<'_>) -> Result<Domain> {
        self.insert_registration_sqlx(reg, audit).await
    }

    async fn write_registry_name(&self, r: &RegistryRecord, now: DateTime<Utc>) -> Result<()> {
        self.registry_insert_sqlx(r, now).await
    }

    async fn begin_write(&self) -> Result<((), Transaction<'static, Postgres>)> {
        Ok(((), self.pool.begin().await?))
    }
}

// The shared queries (`queries/`), compiled for PostgreSQL against `Db`
// and `ThisStore`. `sqlite.rs` includes the same files: that is the point
// (one SQL text, both backends), so clippy's `duplicate_mod` does not apply.
#[allow(clippy::duplicate_mod)]
#[path = "queries/mod.rs"]
mod queries;
