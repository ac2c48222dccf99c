//! The sandbox's test clock, and which TLDs have left the sandbox for real
//! registries.

use async_trait::async_trait;

use crate::error::Result;

/// The sandbox's test clock.
///
/// Implemented for SQLite and PostgreSQL (`queries/clock.rs`).
///
/// Every method fails with `StoreError::Database` when the database
/// cannot be reached or refuses the statement; the other errors are named
/// on the method.
#[async_trait]
pub trait SandboxClockStore: Send + Sync + std::fmt::Debug {
    /// How far the sandbox clock runs ahead of the real one, in seconds.
    async fn sandbox_offset(&self) -> Result<i64>;

    /// Moves the sandbox clock forward by `seconds`; the new offset.
    /// Errors: `StateChanged` when `seconds` is not more than 0 (nothing
    /// changes).
    async fn sandbox_advance(&self, seconds: i64) -> Result<i64>;

    /// The TLDs sold through real registries, as the last process started
    /// with a registries file recorded them (sorted; empty: all sandbox).
    async fn real_registry_tlds(&self) -> Result<Vec<String>>;

    /// Records the TLDs sold through real registries (replacing the list).
    async fn set_real_registry_tlds(&self, tlds: &[String]) -> Result<()>;
}
