//! The zone change feed the nameserver follows.

use async_trait::async_trait;

use crate::error::Result;
use crate::model::ZoneSource;

/// The zone change feed the nameserver follows.
///
/// Implemented for SQLite and PostgreSQL (`queries/feed.rs`).
///
/// Every method fails with `StoreError::Database` when the database
/// cannot be reached or refuses the statement; the other errors are named
/// on the method.
#[async_trait]
pub trait ZoneFeed: Send + Sync + std::fmt::Debug {
    /// Every active, not removed domain with its records and what its
    /// forwards add (the nameserver's start); which of them are served is
    /// the nameserver's rule.
    async fn dns_zones(&self) -> Result<Vec<ZoneSource>>;

    /// One domain's zone source; `None` when the domain no longer exists or
    /// was removed (the nameserver then drops the zone).
    async fn dns_zone(&self, domain_id: vpsd_domain::DomainId) -> Result<Option<ZoneSource>>;

    /// The newest entry of the change feed; 0 when it is empty.
    async fn dns_change_head(&self) -> Result<i64>;

    /// At most `limit` entries of the change feed after `after`, oldest
    /// first: `(seq, domain_id)`.
    async fn dns_changes(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<(i64, vpsd_domain::DomainId)>>;

    /// Drops all but the newest `keep` entries of the change feed (at most
    /// 10,000 a call, so the writer is never held long); how many it
    /// dropped.
    async fn purge_dns_changes(&self, keep: i64) -> Result<u64>;
}
