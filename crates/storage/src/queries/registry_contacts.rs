//! The SQL of the sandbox registry's contact objects and the contacts of
//! its names. Compiled once per backend: `super` is the backend's `queries`
//! module.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use vpsd_domain::contact::ContactData;

use super::ThisStore;
use crate::backend::Backend;
use crate::error::Result;
use crate::model::{RegistryContactObject, RegistryDomainContacts};
use crate::stores::contacts::STREET_SEPARATOR;
use crate::stores::registry_contacts::RegistryContactRow;

const COLUMNS: &str = "id, sponsoring_registrar, created_by, name, organisation, street, city, \
     state_province, postal_code, country_code, voice, fax, email, auth_info_hash, \
     created_at, updated_at";

/// A name links a contact when a registered name (or one kept for its
/// redemption: `registry_names` keeps its row) names it.
const LINKED: &str = "EXISTS (SELECT 1 FROM registry_domain_contacts l \
     JOIN registry_names n ON n.name = l.name WHERE l.contact_id = $1)";

#[async_trait]
impl crate::stores::RegistryContactStore for ThisStore {
    #[tracing::instrument(level = "debug", skip_all, fields(id))]
    async fn registry_contact_get(&self, id: &str) -> Result<Option<RegistryContactObject>> {
        let row: Option<RegistryContactRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM registry_contacts WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(Into::into))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(id = %contact.id))]
    async fn registry_contact_insert(&self, contact: &RegistryContactObject) -> Result<()> {
        let d = &contact.data;
        let (_guard, mut tx) = self.begin_write().await?;
        sqlx::query(&format!(
            "INSERT INTO registry_contacts ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
        ))
        .bind(&contact.id)
        .bind(&contact.sponsoring_registrar)
        .bind(&contact.created_by)
        .bind(&d.name)
        .bind(d.organisation.as_deref())
        .bind(d.street.join(STREET_SEPARATOR))
        .bind(&d.city)
        .bind(d.state_province.as_deref())
        .bind(d.postal_code.as_deref())
        .bind(&d.country_code)
        .bind(&d.voice)
        .bind(d.fax.as_deref())
        .bind(&d.email)
        .bind(&contact.auth_info_hash)
        .bind(contact.created_at)
        .bind(contact.updated_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(id))]
    async fn registry_contact_update(
        &self,
        id: &str,
        sponsoring_registrar: &str,
        data: &ContactData,
        auth_info_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.write_one(
            sqlx::query(
                "UPDATE registry_contacts SET name = $3, organisation = $4, street = $5, \
                 city = $6, state_province = $7, postal_code = $8, country_code = $9, \
                 voice = $10, fax = $11, email = $12, \
                 auth_info_hash = COALESCE($13, auth_info_hash), updated_at = $14 \
                 WHERE id = $1 AND sponsoring_registrar = $2",
            )
            .bind(id)
            .bind(sponsoring_registrar)
            .bind(&data.name)
            .bind(data.organisation.as_deref())
            .bind(data.street.join(STREET_SEPARATOR))
            .bind(&data.city)
            .bind(data.state_province.as_deref())
            .bind(data.postal_code.as_deref())
            .bind(&data.country_code)
            .bind(&data.voice)
            .bind(data.fax.as_deref())
            .bind(&data.email)
            .bind(auth_info_hash)
            .bind(now),
        )
        .await
    }

    #[tracing::instrument(level = "debug", skip_all, fields(id))]
    async fn registry_contact_delete(&self, id: &str, sponsoring_registrar: &str) -> Result<bool> {
        let (_guard, mut tx) = self.begin_write().await?;
        // Links of names that are gone (purged) go with it.
        sqlx::query(&format!(
            "DELETE FROM registry_domain_contacts WHERE contact_id = $1 AND NOT {LINKED}"
        ))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let deleted = sqlx::query(&format!(
            "DELETE FROM registry_contacts WHERE id = $1 AND sponsoring_registrar = $2 \
             AND NOT {LINKED}"
        ))
        .bind(id)
        .bind(sponsoring_registrar)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(deleted == 1)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(id))]
    async fn registry_contact_linked(&self, id: &str) -> Result<bool> {
        let linked: bool = sqlx::query_scalar(&format!("SELECT {LINKED}"))
            .bind(id)
            .fetch_one(self.pool())
            .await?;
        Ok(linked)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name))]
    async fn registry_domain_contacts(&self, name: &str) -> Result<RegistryDomainContacts> {
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT role, contact_id FROM registry_domain_contacts WHERE name = $1")
                .bind(name)
                .fetch_all(self.pool())
                .await?;
        let mut contacts = RegistryDomainContacts::default();
        for (role, id) in rows {
            if let Some(slot) = contacts.slot(&role) {
                *slot = Some(id);
            }
        }
        Ok(contacts)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(name))]
    async fn registry_set_domain_contacts(
        &self,
        name: &str,
        contacts: &RegistryDomainContacts,
    ) -> Result<Option<String>> {
        let (_guard, mut tx) = self.begin_write().await?;
        for (_, id) in contacts.roles() {
            let Some(id) = id else { continue };
            // Read in the transaction (SQLite's writer holds the database;
            // PostgreSQL's row lock keeps a delete from slipping in).
            let found: Option<String> = sqlx::query_scalar(&format!(
                "SELECT id FROM registry_contacts WHERE id = $1{}",
                if Self::NAME == "postgres" {
                    " FOR SHARE"
                } else {
                    ""
                }
            ))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            if found.is_none() {
                return Ok(Some(id.to_owned()));
            }
        }
        sqlx::query("DELETE FROM registry_domain_contacts WHERE name = $1")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        for (role, id) in contacts.roles() {
            let Some(id) = id else { continue };
            sqlx::query(
                "INSERT INTO registry_domain_contacts (name, role, contact_id) VALUES ($1, $2, $3)",
            )
            .bind(name)
            .bind(role)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(None)
    }
}
