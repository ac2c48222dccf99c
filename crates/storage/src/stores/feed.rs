//! The zone change feed the nameserver follows.

use async_trait::async_trait;

use crate::error::Result;
use crate::model::*;

/// The zone change feed the nameserver follows. Implemented for SQLite and PostgreSQL (`queries/feed.rs`).
#[async_trait]
pub trait ZoneFeed: Send + Sync + std::fmt::Debug {
    /// Every active, not removed domain with its records (the nameserver's
    /// start); which of them are served is the nameserver's rule.
    async fn dns_zones(&self) -> Result<Vec<ZoneSource>>;

    /// One domain with its records, if it exists and is not removed.
    async fn dns_zone(&self, domain_id: i64) -> Result<Option<ZoneSource>>;

    /// The newest entry of the change feed (0 when empty).
    async fn dns_change_head(&self) -> Result<i64>;

    /// Entries of the change feed after `after`, oldest first: `(seq,
    /// domain_id)`.
    async fn dns_changes(&self, after: i64, limit: i64) -> Result<Vec<(i64, i64)>>;

    /// Drops all but the newest `keep` entries of the change feed.
    async fn purge_dns_changes(&self, keep: i64) -> Result<u64>;
}
