//! The SQL of contacts. Compiled once per backend: `super` is the backend's
//! `queries` module (its `Db` and `ThisStore`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::common::Tx;
use super::ThisStore;
use crate::backend::Backend;
use crate::error::Result;
use crate::model::{
    Audit, Contact, ContactDeletion, ContactObjectRecord, ContactPage, ContactWrite,
    EmailVerification, NewMail, UnverifiedRegistrant,
};
use crate::stores::contacts::{ContactRow, CONTACT_COLUMNS, STREET_SEPARATOR};
use vpsd_domain::{AccountId, ContactId};

impl ThisStore {
    /// In a write transaction: makes `contact_id` the account's only
    /// default contact.
    async fn make_default(tx: &mut Tx, account_id: AccountId, contact_id: ContactId) -> Result<()> {
        // The old default first: the partial unique index allows one.
        sqlx::query(
            "UPDATE contacts SET is_default = FALSE \
             WHERE account_id = $1 AND is_default AND id <> $2",
        )
        .bind(account_id)
        .bind(contact_id)
        .execute(&mut **tx)
        .await?;
        sqlx::query("UPDATE contacts SET is_default = TRUE WHERE id = $1 AND account_id = $2")
            .bind(contact_id)
            .bind(account_id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// In a write transaction: the contact's email unverified, with
    /// `v`'s token pending and its mail queued to `email`.
    async fn start_verification(
        tx: &mut Tx,
        account_id: AccountId,
        contact_id: ContactId,
        email: &str,
        v: &EmailVerification,
        now: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE contacts SET email_verified_at = NULL, email_verification_hash = $2, \
             email_verification_sent_at = $3, unverified_warned_at = NULL WHERE id = $1",
        )
        .bind(contact_id)
        .bind(&v.token_hash)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO outbox (account_id, recipient, subject, body, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(account_id)
        .bind(email)
        .bind(&v.subject)
        .bind(&v.body)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// In a write transaction: the contact as it is now.
    async fn contact_in(
        tx: &mut Tx,
        account_id: AccountId,
        contact_id: ContactId,
    ) -> Result<Option<Contact>> {
        let row: Option<ContactRow> = sqlx::query_as(&format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = $1 AND account_id = $2"
        ))
        .bind(contact_id)
        .bind(account_id)
        .fetch_optional(&mut **tx)
        .await?;
        Ok(row.map(Contact::from))
    }
}

#[async_trait]
impl crate::stores::ContactStore for ThisStore {
    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id))]
    async fn list_contacts(
        &self,
        account_id: AccountId,
        offset: i64,
        limit: i64,
    ) -> Result<ContactPage> {
        let mut tx = self.pool().begin().await?;
        let (total,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM contacts WHERE account_id = $1")
                .bind(account_id)
                .fetch_one(&mut *tx)
                .await?;
        let rows: Vec<ContactRow> = sqlx::query_as(&format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE account_id = $1 \
             ORDER BY id LIMIT $2 OFFSET $3"
        ))
        .bind(account_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(ContactPage {
            total,
            contacts: rows.into_iter().map(Contact::from).collect(),
        })
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, contact_id = %contact_id))]
    async fn contact(
        &self,
        account_id: AccountId,
        contact_id: ContactId,
    ) -> Result<Option<Contact>> {
        let row: Option<ContactRow> = sqlx::query_as(&format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE id = $1 AND account_id = $2"
        ))
        .bind(contact_id)
        .bind(account_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(Contact::from))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn contact_by_handle(&self, handle: &str) -> Result<Option<Contact>> {
        let row: Option<ContactRow> = sqlx::query_as(&format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE handle = $1"
        ))
        .bind(handle)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(Contact::from))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id))]
    async fn default_contact(&self, account_id: AccountId) -> Result<Option<Contact>> {
        let row: Option<ContactRow> = sqlx::query_as(&format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts WHERE account_id = $1 AND is_default"
        ))
        .bind(account_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(Contact::from))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(handle, registry))]
    async fn contact_object(
        &self,
        handle: &str,
        registry: &str,
    ) -> Result<Option<ContactObjectRecord>> {
        let row: Option<(String, String, String, bool)> = sqlx::query_as(
            "SELECT handle, registry, domain_name, pending FROM contact_registry_objects \
             WHERE handle = $1 AND registry = $2",
        )
        .bind(handle)
        .bind(registry)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(object_record))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(handle))]
    async fn contact_objects(&self, handle: &str) -> Result<Vec<ContactObjectRecord>> {
        let rows: Vec<(String, String, String, bool)> = sqlx::query_as(
            "SELECT handle, registry, domain_name, pending FROM contact_registry_objects \
             WHERE handle = $1 ORDER BY registry",
        )
        .bind(handle)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(object_record).collect())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(handle = %record.handle, registry = %record.registry))]
    async fn contact_object_synced(
        &self,
        record: &ContactObjectRecord,
        sent_version: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (_guard, mut tx) = self.begin_write().await?;
        // Changed again since the data sent was read: still pending.
        let newer: Option<String> = match sent_version {
            Some(v) => {
                sqlx::query_scalar(
                    "SELECT handle FROM contacts WHERE handle = $1 AND updated_at > $2",
                )
                .bind(&record.handle)
                .bind(v)
                .fetch_optional(&mut *tx)
                .await?
            }
            None => None,
        };
        sqlx::query(
            "INSERT INTO contact_registry_objects (handle, registry, domain_name, pending, synced_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (handle, registry) DO UPDATE SET pending = excluded.pending, \
             synced_at = excluded.synced_at",
        )
        .bind(&record.handle)
        .bind(&record.registry)
        .bind(&record.domain_name)
        .bind(newer.is_some())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn contact_objects_pending(&self, limit: i64) -> Result<Vec<ContactObjectRecord>> {
        let rows: Vec<(String, String, String, bool)> = sqlx::query_as(
            "SELECT handle, registry, domain_name, pending FROM contact_registry_objects \
             WHERE pending ORDER BY synced_at, handle, registry LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(object_record).collect())
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id))]
    async fn create_contact(
        &self,
        account_id: AccountId,
        handle: &str,
        write: ContactWrite<'_>,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Contact> {
        let ContactWrite {
            data,
            make_default,
            verification,
        } = write;
        let (_guard, mut tx) = self.begin_write().await?;
        let (id,): (ContactId,) = sqlx::query_as(
            "INSERT INTO contacts (account_id, handle, name, organisation, street, city, \
             state_province, postal_code, country_code, voice, fax, email, is_default, \
             created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, FALSE, $13, $13) \
             RETURNING id",
        )
        .bind(account_id)
        .bind(handle)
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
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        // The account's first contact is its default, asked or not.
        let (defaults,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM contacts WHERE account_id = $1 AND is_default")
                .bind(account_id)
                .fetch_one(&mut *tx)
                .await?;
        if make_default || defaults == 0 {
            Self::make_default(&mut tx, account_id, id).await?;
        }
        if let Some(v) = verification {
            Self::start_verification(&mut tx, account_id, id, &data.email, v, now).await?;
        }
        Self::audit_row(&mut tx, audit, account_id, None, now).await?;
        let contact = Self::contact_in(&mut tx, account_id, id)
            .await?
            .ok_or(crate::StoreError::NotFound)?;
        tx.commit().await?;
        Ok(contact)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, contact_id = %contact_id))]
    async fn update_contact(
        &self,
        account_id: AccountId,
        contact_id: ContactId,
        write: ContactWrite<'_>,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Option<Contact>> {
        let ContactWrite {
            data,
            make_default,
            verification,
        } = write;
        let (_guard, mut tx) = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE contacts SET name = $3, organisation = $4, street = $5, city = $6, \
             state_province = $7, postal_code = $8, country_code = $9, voice = $10, fax = $11, \
             email = $12, updated_at = $13 \
             WHERE id = $1 AND account_id = $2",
        )
        .bind(contact_id)
        .bind(account_id)
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
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return Ok(None);
        }
        // Every registry holding it is sent the change (the registrar at
        // once, the worker until it is taken).
        sqlx::query(
            "UPDATE contact_registry_objects SET pending = TRUE \
             WHERE handle = (SELECT handle FROM contacts WHERE id = $1)",
        )
        .bind(contact_id)
        .execute(&mut *tx)
        .await?;
        if make_default {
            Self::make_default(&mut tx, account_id, contact_id).await?;
        }
        if let Some(v) = verification {
            Self::start_verification(&mut tx, account_id, contact_id, &data.email, v, now).await?;
        }
        Self::audit_row(&mut tx, audit, account_id, None, now).await?;
        let contact = Self::contact_in(&mut tx, account_id, contact_id).await?;
        tx.commit().await?;
        Ok(contact)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, contact_id = %contact_id))]
    async fn delete_contact(
        &self,
        account_id: AccountId,
        contact_id: ContactId,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<ContactDeletion> {
        let (_guard, mut tx) = self.begin_write().await?;
        // The contact's row first, locked (PostgreSQL), so a domain
        // naming it cannot commit between the check and the delete; a
        // domain committed before is seen by the check, and the foreign
        // keys refuse the rest.
        let found: Option<(bool,)> = sqlx::query_as(&format!(
            "SELECT is_default FROM contacts WHERE id = $1 AND account_id = $2{}",
            if Self::NAME == "postgres" {
                " FOR UPDATE"
            } else {
                ""
            }
        ))
        .bind(contact_id)
        .bind(account_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((was_default,)) = found else {
            return Ok(ContactDeletion::NotFound);
        };
        let users: Vec<(String,)> = sqlx::query_as(
            "SELECT domain_name FROM domains WHERE registrant_contact_id = $1 \
             OR admin_contact_id = $1 OR tech_contact_id = $1 OR billing_contact_id = $1 \
             ORDER BY domain_name",
        )
        .bind(contact_id)
        .fetch_all(&mut *tx)
        .await?;
        if !users.is_empty() {
            return Ok(ContactDeletion::InUse(
                users.into_iter().map(|(n,)| n).collect(),
            ));
        }
        sqlx::query("DELETE FROM contacts WHERE id = $1")
            .bind(contact_id)
            .execute(&mut *tx)
            .await?;
        if was_default {
            let next: Option<(ContactId,)> =
                sqlx::query_as("SELECT id FROM contacts WHERE account_id = $1 ORDER BY id LIMIT 1")
                    .bind(account_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some((next,)) = next {
                Self::make_default(&mut tx, account_id, next).await?;
            }
        }
        Self::audit_row(&mut tx, audit, account_id, None, now).await?;
        tx.commit().await?;
        Ok(ContactDeletion::Deleted)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn verify_contact_email(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Contact>> {
        let (_guard, mut tx) = self.begin_write().await?;
        let found: Option<(ContactId, AccountId)> = sqlx::query_as(
            "UPDATE contacts SET email_verified_at = $2, email_verification_hash = NULL \
             WHERE email_verification_hash = $1 RETURNING id, account_id",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let contact = match found {
            Some((id, account_id)) => Self::contact_in(&mut tx, account_id, id).await?,
            None => None,
        };
        tx.commit().await?;
        Ok(contact)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn unverified_registrants(
        &self,
        sent_before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<UnverifiedRegistrant>> {
        let rows: Vec<ContactRow> = sqlx::query_as(&format!(
            "SELECT {CONTACT_COLUMNS} FROM contacts c WHERE email_verified_at IS NULL \
             AND email_verification_sent_at <= $1 AND unverified_warned_at IS NULL \
             AND EXISTS (SELECT 1 FROM domains d WHERE d.registrant_contact_id = c.id \
             AND d.removed_at IS NULL) ORDER BY id LIMIT $2"
        ))
        .bind(sent_before)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let contact = Contact::from(row);
            let names: Vec<(String,)> = sqlx::query_as(
                "SELECT domain_name FROM domains WHERE registrant_contact_id = $1 \
                 AND removed_at IS NULL ORDER BY domain_name",
            )
            .bind(contact.id)
            .fetch_all(self.pool())
            .await?;
            out.push(UnverifiedRegistrant {
                contact,
                domains: names.into_iter().map(|(n,)| n).collect(),
            });
        }
        Ok(out)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(contact_id = %contact_id))]
    async fn warn_unverified(
        &self,
        contact_id: ContactId,
        sent_at: DateTime<Utc>,
        mail: &NewMail,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let (_guard, mut tx) = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE contacts SET unverified_warned_at = $3 WHERE id = $1 \
             AND email_verified_at IS NULL AND unverified_warned_at IS NULL \
             AND email_verification_sent_at = $2",
        )
        .bind(contact_id)
        .bind(sent_at)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return Ok(false);
        }
        Self::queue_mail(&mut tx, mail, now).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// A `contact_registry_objects` row as its record.
fn object_record(
    (handle, registry, domain_name, pending): (String, String, String, bool),
) -> ContactObjectRecord {
    ContactObjectRecord {
        handle,
        registry,
        domain_name,
        pending,
    }
}
