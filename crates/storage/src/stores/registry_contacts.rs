//! The sandbox registry's contact objects (RFC 5733) and the contacts of
//! its names (RFC 5731 §2.2).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use vpsd_domain::contact::ContactData;

use crate::error::Result;
use crate::model::{RegistryContactObject, RegistryDomainContacts};

/// The sandbox registry's contact objects and the contacts its names link.
///
/// Implemented for SQLite and PostgreSQL (`queries/registry_contacts.rs`);
/// a part of [`crate::RegistryStore`]. Every method fails with
/// `StoreError::Database` when the database cannot be reached or refuses
/// the statement; the other errors are named on the method.
#[async_trait]
pub trait RegistryContactStore: Send + Sync + std::fmt::Debug {
    /// The contact object `id`; `None` when there is none.
    async fn registry_contact_get(&self, id: &str) -> Result<Option<RegistryContactObject>>;

    /// Creates a contact object (RFC 5733 §3.2.1). Errors: `Conflict` when
    /// one with its id exists.
    async fn registry_contact_insert(&self, contact: &RegistryContactObject) -> Result<()>;

    /// Replaces the data (and, when given, the authInfo hash) of the
    /// contact object `id` that `sponsoring_registrar` sponsors (RFC 5733
    /// §3.2.5). `true` when changed; `false` when there is no such object,
    /// or another registrar sponsors it.
    async fn registry_contact_update(
        &self,
        id: &str,
        sponsoring_registrar: &str,
        data: &ContactData,
        auth_info_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Deletes the contact object `id` that `sponsoring_registrar` sponsors
    /// while no name links it (RFC 5733 §3.2.2), in one statement. `true`
    /// when deleted; `false` when there is no such object, another
    /// registrar sponsors it, or a name links it.
    async fn registry_contact_delete(&self, id: &str, sponsoring_registrar: &str) -> Result<bool>;

    /// Whether a registered name (or one kept for its redemption) links the
    /// contact object `id` (RFC 5733 §2.3 status `linked`).
    async fn registry_contact_linked(&self, id: &str) -> Result<bool>;

    /// The contacts the name links; empty when it links none.
    async fn registry_domain_contacts(&self, name: &str) -> Result<RegistryDomainContacts>;

    /// Makes `contacts` the name's contacts (the roles with `None` are
    /// left without one), in one transaction, each id checked to name a
    /// contact object in it: `Some(id)`, nothing changed, names the first
    /// that does not; `None` when done.
    async fn registry_set_domain_contacts(
        &self,
        name: &str,
        contacts: &RegistryDomainContacts,
    ) -> Result<Option<String>>;
}

#[derive(sqlx::FromRow)]
pub(crate) struct RegistryContactRow {
    pub(crate) id: String,
    pub(crate) sponsoring_registrar: String,
    pub(crate) created_by: String,
    #[sqlx(flatten)]
    pub(crate) data: crate::stores::contacts::ContactDataColumns,
    pub(crate) auth_info_hash: String,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

impl From<RegistryContactRow> for RegistryContactObject {
    fn from(r: RegistryContactRow) -> Self {
        RegistryContactObject {
            id: r.id,
            sponsoring_registrar: r.sponsoring_registrar,
            created_by: r.created_by,
            data: r.data.into(),
            auth_info_hash: r.auth_info_hash,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}
