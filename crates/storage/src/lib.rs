//! Storage: accounts, tokens, domains, the ledger, the outbox and the sandbox
//! registry's names, on SQLite (embedded default) or PostgreSQL.
//!
//! - [`stores`]: one trait per aggregate ([`AccountStore`], [`AuditLog`],
//!   [`TokenStore`], [`ContactStore`], [`DomainStore`], [`TransferStore`], [`LifecycleStore`],
//!   [`ZoneStore`], [`ZoneFeed`], [`JobLeases`], [`IdempotencyStore`],
//!   [`Outbox`], [`RegistryStore`], [`SandboxClockStore`], [`Health`]), each
//!   file with the row types its queries decode. [`Store`] is their sum, for
//!   the places that need everything; `Arc<dyn Store>` upcasts to any one of
//!   them, so a component takes only what it uses. [`connect`] picks the
//!   backend from the URL scheme and applies the migrations built into the
//!   binary.
//! - `queries/`: the SQL of each aggregate, one ordinary file each, written
//!   once in the subset both databases share (`$n` parameters, `RETURNING`,
//!   partial indexes). `sqlite.rs` and `postgres.rs` each include the whole
//!   directory as a child module (`#[path]`), so every file is compiled once
//!   per backend against that backend's `Db` and store type, and the two
//!   cannot drift apart.
//! - `backend.rs`: the `Backend` trait, what a backend gives the queries
//!   (its pool, how a write transaction starts, its fast paths).
//! - `sqlite.rs` (with `sqlite/`), `wal_stamp.rs`, `list_cache.rs`: SQLite's
//!   in-place readers and writer, and the kept domains and list pages.
//! - `codec.rs`: how values are stored (host lists, times through rusqlite,
//!   `LIKE` patterns, Unicode forms of names).
//! - `migrations/sqlite` and `migrations/postgres` are parallel, file for
//!   file.
//!
//! Money moves only by conditional updates (`... WHERE balance_cents >= $1`)
//! inside the transaction of the change it pays for, with a ledger row in the
//! same transaction: the balance always equals the sum of the ledger.

use std::sync::Arc;

mod backend;
mod codec;
mod error;
mod list_cache;
pub mod model;
mod postgres;
mod sqlite;
pub mod stores;
mod wal_stamp;

pub use stores::jobs::JobKind;
pub use stores::RdapStore;
pub use stores::{
    AccountStore, AuditLog, ContactStore, DomainStore, Health, IdempotencyStore, JobLeases,
    LifecycleStore, Outbox, PremiumNameStore, RegistryContactStore, RegistryStore,
    SandboxClockStore, TokenStore, TransferStore, TsigKeyStore, ZoneFeed, ZoneStore,
};

pub use error::{Result, StoreError};

/// How many entries of the DNS change feed (`dns_changes`) the worker keeps;
/// a nameserver further behind than this reloads every zone (vpsd-dns).
pub const DNS_CHANGES_KEPT: i64 = 100_000;
pub use model::*;
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// Everything the registrar keeps: the sum of the aggregates' traits, for
/// the places that need all of it (the registrar, the API, the operator
/// commands). Implemented for every type that implements them all.
///
/// `Arc<dyn Store>` coerces to `Arc<dyn ZoneFeed>` (or any other of its
/// traits), so a component is handed only what it uses.
pub trait Store:
    Health
    + AccountStore
    + AuditLog
    + TokenStore
    + ContactStore
    + DomainStore
    + TransferStore
    + LifecycleStore
    + ZoneStore
    + ZoneFeed
    + JobLeases
    + IdempotencyStore
    + Outbox
    + RegistryStore
    + SandboxClockStore
    + TsigKeyStore
    + RdapStore
{
}

impl<T> Store for T where
    T: Health
        + AccountStore
        + AuditLog
        + TokenStore
        + ContactStore
        + DomainStore
        + TransferStore
        + LifecycleStore
        + ZoneStore
        + ZoneFeed
        + JobLeases
        + IdempotencyStore
        + Outbox
        + RegistryStore
        + SandboxClockStore
        + TsigKeyStore
        + RdapStore
{
}

/// Opens the database the URL names (`sqlite://PATH` or `postgres://...`),
/// creating a SQLite file if missing, and applies the migrations.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(redact(url)))
    }
}

/// A database URL fit for logs and errors: the password replaced by `***`.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(super::redact("sqlite://vpsd.db"), "sqlite://vpsd.db");
    }
}
