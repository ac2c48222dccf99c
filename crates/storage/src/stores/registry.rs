//! The sandbox registry's own names.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::codec::*;
use crate::error::Result;
use crate::model::*;

/// The sandbox registry's own names. Implemented for SQLite and PostgreSQL (`queries/registry.rs`).
#[async_trait]
pub trait RegistryStore: Send + Sync + std::fmt::Debug {
    async fn registry_get(&self, name: &str) -> Result<Option<RegistryRecord>>;

    /// `Conflict` when the name is already registered.
    async fn registry_insert(&self, record: &RegistryRecord, now: DateTime<Utc>) -> Result<()>;

    async fn registry_delete(&self, name: &str, registrar: &str) -> Result<bool>;

    async fn registry_update(
        &self,
        name: &str,
        nameservers: Option<&[String]>,
        transfer_prohibited: Option<bool>,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Marks a transfer pending unless one already is.
    async fn registry_request_transfer(
        &self,
        name: &str,
        gaining: &str,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Moves the name to `gaining` if a transfer to it is pending.
    async fn registry_complete_transfer(
        &self,
        name: &str,
        gaining: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    async fn registry_cancel_transfer(&self, name: &str, gaining: &str) -> Result<bool>;

    /// Sets the auth code of a name `registrar` sponsors.
    async fn registry_set_auth_code(
        &self,
        name: &str,
        registrar: &str,
        auth_code: &str,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Moves a name's expiration from `from` to `to` if it is still `from`.
    async fn registry_renew(
        &self,
        name: &str,
        registrar: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool>;
}

// ---- rows: how this aggregate is stored and decoded (both backends)

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
            registrar: r.registrar,
            auth_code: r.auth_code,
            created_at: r.created_at,
            expires_at: r.expires_at,
            last_transferred_at: r.last_transferred_at,
            transfer_prohibited: r.transfer_prohibited,
            nameservers: split_hosts(&r.nameservers),
            pending_transfer_to: r.pending_transfer_to,
        }
    }
}
