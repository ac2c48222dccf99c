//! The sandbox's test clock.

use async_trait::async_trait;

use crate::error::Result;

/// The sandbox's test clock. Implemented for SQLite and PostgreSQL (`queries/clock.rs`).
#[async_trait]
pub trait SandboxClockStore: Send + Sync + std::fmt::Debug {
    /// How far the sandbox clock runs ahead of the real one, in seconds.
    async fn sandbox_offset(&self) -> Result<i64>;

    /// Moves the sandbox clock forward by `seconds` (more than 0); the new
    /// offset.
    async fn sandbox_advance(&self, seconds: i64) -> Result<i64>;
}
