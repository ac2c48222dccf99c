//! Idempotency keys of API requests.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::IdempotentRequest;

/// Idempotency keys of API requests.
///
/// Implemented for SQLite and PostgreSQL (`queries/idempotency.rs`).
///
/// Every method fails with `StoreError::Database` when the database
/// cannot be reached or refuses the statement; the other errors are named
/// on the method.
#[async_trait]
pub trait IdempotencyStore: Send + Sync + std::fmt::Debug {
    /// Claims `key` for a request: `true` when this call created it (the
    /// caller then runs the request), `false` when it exists already. A key
    /// created before `expired_before` is replaced.
    async fn idempotency_claim(
        &self,
        account_id: vpsd_domain::AccountId,
        key: &str,
        request_hash: &str,
        now: DateTime<Utc>,
        expired_before: DateTime<Utc>,
    ) -> Result<bool>;

    /// What the account's `key` holds; `None` when there is no such key.
    async fn idempotency_get(
        &self,
        account_id: vpsd_domain::AccountId,
        key: &str,
    ) -> Result<Option<IdempotentRequest>>;

    /// Stores the answer (`status`, `body`) of the request that claimed the
    /// key.
    async fn idempotency_complete(
        &self,
        account_id: vpsd_domain::AccountId,
        key: &str,
        status: u16,
        body: &str,
    ) -> Result<()>;

    /// Lets an unanswered key go (the request failed on our side, so a
    /// retry may run); an answered key stays.
    async fn idempotency_release(
        &self,
        account_id: vpsd_domain::AccountId,
        key: &str,
    ) -> Result<()>;

    /// Forgets keys created before `before`; how many.
    async fn idempotency_purge(&self, before: DateTime<Utc>) -> Result<u64>;
}
