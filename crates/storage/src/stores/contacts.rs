//! Contacts (RFC 5733) of accounts: the list, one by id or by handle, the
//! default, create, update, delete while no domain names it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::{
    Audit, Contact, ContactDeletion, ContactObjectRecord, ContactPage, ContactWrite, NewMail,
    UnverifiedRegistrant,
};
use vpsd_domain::contact::ContactData;
use vpsd_domain::{AccountId, ContactId};

/// Contacts of accounts.
///
/// Implemented for SQLite and PostgreSQL (`queries/contacts.rs`).
///
/// Every method fails with `StoreError::Database` when the database
/// cannot be reached or refuses the statement; the other errors are named
/// on the method.
#[async_trait]
pub trait ContactStore: Send + Sync + std::fmt::Debug {
    /// One page of the account's contacts, ordered by id, with how many it
    /// has in all.
    async fn list_contacts(
        &self,
        account_id: AccountId,
        offset: i64,
        limit: i64,
    ) -> Result<ContactPage>;

    /// The contact `contact_id` of the account; `None` when there is none
    /// or it is another account's.
    async fn contact(
        &self,
        account_id: AccountId,
        contact_id: ContactId,
    ) -> Result<Option<Contact>>;

    /// The contact with `handle` (any account's): the read an RDAP entity
    /// query or a registry's contact object makes. `None` when none has it.
    async fn contact_by_handle(&self, handle: &str) -> Result<Option<Contact>>;

    /// The account's default contact, if it has any contact.
    async fn default_contact(&self, account_id: AccountId) -> Result<Option<Contact>>;

    /// Our record of the object `registry` holds for `handle`; `None` when
    /// it holds none we know of.
    async fn contact_object(
        &self,
        handle: &str,
        registry: &str,
    ) -> Result<Option<ContactObjectRecord>>;

    /// Every registry's object for `handle` that we know of.
    async fn contact_objects(&self, handle: &str) -> Result<Vec<ContactObjectRecord>>;

    /// Records that `record.registry` holds `record.handle` as of the
    /// contact's data changed at `sent_version` (its `updated_at` when
    /// read; `None` for the privacy service's object): the record is
    /// added, or no longer pending, unless the contact changed again after
    /// `sent_version` (then it stays pending for the next send).
    async fn contact_object_synced(
        &self,
        record: &ContactObjectRecord,
        sent_version: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// Up to `limit` objects whose contact changed since it was last sent
    /// (the worker sends them again), oldest first.
    async fn contact_objects_pending(&self, limit: i64) -> Result<Vec<ContactObjectRecord>>;

    /// Creates a contact with `handle` and `write.data`, its email
    /// unverified with `write.verification` queued in the outbox to it, and
    /// the audit entry, in one transaction. It becomes the account's
    /// default when `write.make_default`
    /// or when it is the account's first contact (the former default, if
    /// any, is no longer). Errors: `Conflict` when the handle is taken
    /// (one chance in 2^75; make a new one and retry).
    async fn create_contact(
        &self,
        account_id: AccountId,
        handle: &str,
        write: ContactWrite<'_>,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Contact>;

    /// Replaces the fields of contact `contact_id` with `write.data`, and
    /// makes it the default when `write.make_default` (the former default
    /// is no longer), with the audit entry. With `write.verification` (a
    /// new email),
    /// the email is unverified again and the mail is queued to it. `None`
    /// when it is not the account's.
    async fn update_contact(
        &self,
        account_id: AccountId,
        contact_id: ContactId,
        write: ContactWrite<'_>,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<Option<Contact>>;

    /// Deletes a contact that no domain of the account names (removed from
    /// the account's management or not: the registration goes on with its
    /// contacts), with the audit entry. When it was the default, the
    /// account's oldest other contact becomes the default. See
    /// [`ContactDeletion`] for the outcomes; nothing is written unless
    /// `Deleted`.
    async fn delete_contact(
        &self,
        account_id: AccountId,
        contact_id: ContactId,
        now: DateTime<Utc>,
        audit: &Audit<'_>,
    ) -> Result<ContactDeletion>;

    /// Marks verified the contact email whose pending verification token
    /// hashes to `token_hash`; the contact after, or `None` when no
    /// pending verification has it (already used, or replaced by a newer
    /// email's).
    async fn verify_contact_email(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Contact>>;

    /// Up to `limit` contacts whose email is unverified, whose
    /// verification mail was queued at or before `sent_before`, whose
    /// account was not warned yet, and that some domain (not removed)
    /// names as its registrant.
    async fn unverified_registrants(
        &self,
        sent_before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<UnverifiedRegistrant>>;

    /// Queues `mail` to the account and notes the warning, once: `false`
    /// (nothing written) when the contact was warned already, verified
    /// meanwhile, or given a new email since `sent_at` (its verification
    /// mail's time as read).
    async fn warn_unverified(
        &self,
        contact_id: ContactId,
        sent_at: DateTime<Utc>,
        mail: &NewMail,
        now: DateTime<Utc>,
    ) -> Result<bool>;
}

// ---- rows: how this aggregate is stored and decoded (both backends)

pub(crate) const CONTACT_COLUMNS: &str = "id, account_id, handle, name, organisation, street, \
     city, state_province, postal_code, country_code, voice, fax, email, is_default, \
     email_verified_at, email_verification_sent_at, created_at, updated_at";

/// The separator of the street lines in `contacts.street` (a line holds no
/// control character, `vpsd_domain::contact::line`).
pub(crate) const STREET_SEPARATOR: &str = "\n";

/// A contact's fields as every contact table keeps them (`contacts`, the
/// sandbox registry's `registry_contacts`): the street lines in one
/// column, joined by [`STREET_SEPARATOR`].
#[derive(sqlx::FromRow)]
pub(crate) struct ContactDataColumns {
    pub(crate) name: String,
    pub(crate) organisation: Option<String>,
    pub(crate) street: String,
    pub(crate) city: String,
    pub(crate) state_province: Option<String>,
    pub(crate) postal_code: Option<String>,
    pub(crate) country_code: String,
    pub(crate) voice: String,
    pub(crate) fax: Option<String>,
    pub(crate) email: String,
}

impl From<ContactDataColumns> for ContactData {
    fn from(r: ContactDataColumns) -> Self {
        ContactData {
            name: r.name,
            organisation: r.organisation,
            street: r
                .street
                .split(STREET_SEPARATOR)
                .map(str::to_owned)
                .collect(),
            city: r.city,
            state_province: r.state_province,
            postal_code: r.postal_code,
            country_code: r.country_code,
            voice: r.voice,
            fax: r.fax,
            email: r.email,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ContactRow {
    pub(crate) id: ContactId,
    pub(crate) account_id: AccountId,
    pub(crate) handle: String,
    #[sqlx(flatten)]
    pub(crate) data: ContactDataColumns,
    pub(crate) is_default: bool,
    pub(crate) email_verified_at: Option<DateTime<Utc>>,
    pub(crate) email_verification_sent_at: Option<DateTime<Utc>>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

impl From<ContactRow> for Contact {
    fn from(r: ContactRow) -> Self {
        Contact {
            id: r.id,
            account_id: r.account_id,
            handle: r.handle,
            data: r.data.into(),
            is_default: r.is_default,
            email_verified_at: r.email_verified_at,
            email_verification_sent_at: r.email_verification_sent_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}
