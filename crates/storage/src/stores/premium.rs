//! The sandbox registry's premium names (RFC 8748 fees), set by its
//! operator (`vpsd registry premium`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::PremiumName;

/// The sandbox registry's premium names: names priced apart from their
/// TLD, what the registry charges a registrar for them.
///
/// Implemented for SQLite and PostgreSQL (`queries/premium.rs`); a part of
/// [`crate::RegistryStore`]. Every method fails with `StoreError::Database`
/// when the database cannot be reached or refuses the statement.
#[async_trait]
pub trait PremiumNameStore: Send + Sync + std::fmt::Debug {
    /// Sets (adds or replaces) the premium prices of `premium.name`.
    /// Errors: `Database` when a price is not positive (the table's check).
    async fn registry_premium_set(&self, premium: &PremiumName) -> Result<()>;

    /// The premium prices of `name`; `None` when it is priced as its TLD.
    async fn registry_premium_get(&self, name: &str) -> Result<Option<PremiumName>>;

    /// Every premium name, by name.
    async fn registry_premium_list(&self) -> Result<Vec<PremiumName>>;

    /// Makes `name` a standard name again. `true` when it was premium.
    async fn registry_premium_remove(&self, name: &str) -> Result<bool>;
}

#[derive(sqlx::FromRow)]
pub(crate) struct PremiumRow {
    pub(crate) name: String,
    pub(crate) create_cents: i64,
    pub(crate) renew_cents: i64,
    pub(crate) transfer_cents: i64,
    pub(crate) updated_at: DateTime<Utc>,
}

impl From<PremiumRow> for PremiumName {
    fn from(r: PremiumRow) -> Self {
        PremiumName {
            name: r.name,
            create_cents: r.create_cents,
            renew_cents: r.renew_cents,
            transfer_cents: r.transfer_cents,
            updated_at: r.updated_at,
        }
    }
}
