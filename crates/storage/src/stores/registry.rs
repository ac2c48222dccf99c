//! The sandbox registry's own names.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::codec::split_hosts;
use crate::error::Result;
use crate::model::RegistryRecord;

/// The sandbox registry's own names.
///
/// Implemented for SQLite and PostgreSQL (`queries/registry.rs`).
///
/// Every method fails with `StoreError::Database` when the database
/// cannot be reached or refuses the statement; the other errors are named
/// on the method.
#[async_trait]
pub trait RegistryStore: Send + Sync + std::fmt::Debug {
    /// The name as the registry knows it; `None` when it is not registered.
    async fn registry_get(&self, name: &str) -> Result<Option<RegistryRecord>>;

    /// Registers a name. Errors: `Conflict` when it is registered already.
    async fn registry_insert(&self, record: &RegistryRecord, now: DateTime<Utc>) -> Result<()>;

    /// Deletes a name `sponsoring_registrar` sponsors. `true` when deleted;
    /// `false` when it is not registered or another registrar sponsors it.
    async fn registry_delete(&self, name: &str, sponsoring_registrar: &str) -> Result<bool>;

    /// Changes a name's nameservers and `clientTransferProhibited` (`None`
    /// leaves one as it is). `true` when changed; `false` when it is not
    /// registered.
    async fn registry_update(
        &self,
        name: &str,
        nameservers: Option<&[String]>,
        client_transfer_prohibited: Option<bool>,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Marks a transfer to `gaining` pending. `true` when marked; `false`
    /// when one is pending already or the name is not registered.
    async fn registry_request_transfer(
        &self,
        name: &str,
        gaining: &str,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Moves the name to `gaining` until `ex_date` if a transfer to it is
    /// pending. `true` when moved; `false` otherwise.
    async fn registry_complete_transfer(
        &self,
        name: &str,
        gaining: &str,
        ex_date: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Drops a pending transfer to `gaining`. `true` when dropped; `false`
    /// when no transfer to it is pending.
    async fn registry_cancel_transfer(&self, name: &str, gaining: &str) -> Result<bool>;

    /// Sets the auth code of a name `sponsoring_registrar` sponsors. `true`
    /// when set; `false` when it does not sponsor it.
    async fn registry_set_auth_code(
        &self,
        name: &str,
        sponsoring_registrar: &str,
        auth_code: &str,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Moves a name's `exDate` from `from` to `to` if `sponsoring_registrar`
    /// sponsors it and it is still `from`. `true` when moved; `false`
    /// otherwise.
    async fn registry_renew(
        &self,
        name: &str,
        sponsoring_registrar: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool>;
}

// ---- rows: how this aggregate is stored and decoded (both backends)

// The columns keep their first names (`registrar`, `expires_at`,
// `transfer_prohibited`); the code says `sponsoring_registrar`, `ex_date`
// and `client_transfer_prohibited` (EPP's `clID`, `exDate`, the status).

/// A new name of the sandbox registry (`$1`…`$10`).
pub(crate) const INSERT_REGISTRY_NAME: &str = "INSERT INTO registry_names (name, registrar, \
     auth_code, created_at, expires_at, last_transferred_at, transfer_prohibited, nameservers, \
     pending_transfer_to, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

pub(crate) const REGISTRY_COLUMNS: &str = "name, registrar, auth_code, created_at, expires_at, \
     last_transferred_at, transfer_prohibited, nameservers, pending_transfer_to";

#[derive(sqlx::FromRow)]
pub(crate) struct RegistryRow {
    pub(crate) name: String,
    pub(crate) registrar: String,
    pub(crate) auth_code: String,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) expires_at: DateTime<Utc>,
    pub(crate) last_transferred_at: Option<DateTime<Utc>>,
    pub(crate) transfer_prohibited: bool,
    pub(crate) nameservers: String,
    pub(crate) pending_transfer_to: Option<String>,
}

impl From<RegistryRow> for RegistryRecord {
    fn from(r: RegistryRow) -> Self {
        RegistryRecord {
            name: r.name,
            sponsoring_registrar: r.registrar,
            auth_code: r.auth_code,
            created_at: r.created_at,
            ex_date: r.expires_at,
            last_transferred_at: r.last_transferred_at,
            client_transfer_prohibited: r.transfer_prohibited,
            nameservers: split_hosts(&r.nameservers),
            pending_transfer_to: r.pending_transfer_to,
        }
    }
}
