//! TSIG keys (RFC 8945) of zones: they sign dynamic updates and zone
//! transfers.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::codec::corrupt;
use crate::error::{Result, StoreError};
use crate::model::{Audit, NewTsigKey, TsigKey, TsigKeyInUse};

/// TSIG keys of zones.
///
/// Implemented for SQLite and PostgreSQL (`queries/tsig_keys.rs`).
///
/// Every method fails with `StoreError::Database` when the database
/// cannot be reached or refuses the statement; the other errors are named
/// on the method.
#[async_trait]
pub trait TsigKeyStore: Send + Sync + std::fmt::Debug {
    /// Adds a key to the domain's zone, with the audit entry. Errors:
    /// `NotFound` when the domain is not the account's; `Conflict` when a
    /// key of that name exists, or the zone has
    /// `vpsd_domain::dns::tsig::MAX_KEYS_PER_ZONE` keys. A key left by a
    /// removed domain of the same name is deleted first.
    async fn create_tsig_key(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        key: &NewTsigKey,
        audit: &Audit<'_>,
    ) -> Result<TsigKey>;

    /// The zone's keys, oldest first; `None` when the domain is not the
    /// account's.
    async fn tsig_keys(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<Option<Vec<TsigKey>>>;

    /// Deletes a key, with the audit entry. `true` when deleted; `false`
    /// when the domain or the key is not the account's.
    async fn delete_tsig_key(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        key_id: vpsd_domain::TsigKeyId,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<bool>;

    /// The key named `name` (absolute, lower case, no final dot), with its
    /// zone, owner and sealed secret; `None` when there is none or its
    /// domain is removed. Read for every signed message.
    async fn tsig_key_by_name(&self, name: &str) -> Result<Option<TsigKeyInUse>>;

    /// Notes when a key was last used. A missing key is ignored.
    async fn tsig_key_used(&self, key_id: vpsd_domain::TsigKeyId, now: DateTime<Utc>)
        -> Result<()>;
}

// ---- rows: how this aggregate is stored and decoded (both backends)

pub(crate) const TSIG_KEY_COLUMNS: &str =
    "k.id, k.domain_id, k.name, k.algorithm, k.created_at, k.last_used_at";

#[derive(sqlx::FromRow)]
pub(crate) struct TsigKeyRow {
    pub(crate) id: vpsd_domain::TsigKeyId,
    pub(crate) domain_id: vpsd_domain::DomainId,
    pub(crate) name: String,
    pub(crate) algorithm: String,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) last_used_at: Option<DateTime<Utc>>,
}

impl TryFrom<TsigKeyRow> for TsigKey {
    type Error = StoreError;

    fn try_from(r: TsigKeyRow) -> Result<TsigKey> {
        let algorithm = vpsd_domain::dns::tsig::TsigAlgorithm::parse(&r.algorithm)
            .ok_or_else(|| corrupt("TSIG algorithm", &r.algorithm))?;
        Ok(TsigKey {
            id: r.id,
            domain_id: r.domain_id,
            name: r.name,
            algorithm,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
        })
    }
}
