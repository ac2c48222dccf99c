//! The database's health and its connections.

use async_trait::async_trait;

use crate::error::Result;

/// The database's health and its connections.
///
/// Implemented for SQLite and PostgreSQL (`queries/health.rs`).
///
/// Every method fails with `StoreError::Database` when the database
/// cannot be reached or refuses the statement; the other errors are named
/// on the method.
#[async_trait]
pub trait Health: Send + Sync + std::fmt::Debug {
    /// Which backend this is: `"sqlite"` or `"postgres"`. Never fails.
    fn backend(&self) -> &'static str;

    /// Whether the database answers (`GET /health`): `Ok(())` when a trivial
    /// query ran; `Database` otherwise.
    async fn ping(&self) -> Result<()>;

    /// Connections in the pool now: (open, idle), for the metrics. Never
    /// fails.
    fn pool_stats(&self) -> (u32, u32);

    /// Closes the pool's connections, waiting for each to close; later
    /// queries fail. For a clean shutdown: once the store's last handle is
    /// dropped too, SQLite's last connection checkpoints the WAL and removes
    /// the `-wal` and `-shm` files (sqlite.org/wal.html, "Persistence of WAL
    /// mode").
    async fn close(&self);
}
