//! The database's health and its connections.

use async_trait::async_trait;

use crate::error::Result;

/// The database's health and its connections. Implemented for SQLite and PostgreSQL (`queries/health.rs`).
#[async_trait]
pub trait Health: Send + Sync + std::fmt::Debug {
    /// `"sqlite"` or `"postgres"`.
    fn backend(&self) -> &'static str;

    /// Whether the database answers.
    async fn ping(&self) -> Result<()>;

    /// Connections in the pool: (open, idle).
    fn pool_stats(&self) -> (u32, u32);

    /// Closes the pool's connections, waiting for each to close; later
    /// queries fail. For a clean shutdown: once the store's last handle is
    /// dropped too, SQLite's last connection checkpoints the WAL and removes
    /// the `-wal` and `-shm` files (sqlite.org/wal.html, "Persistence of WAL
    /// mode").
    async fn close(&self);
}
