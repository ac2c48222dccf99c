//! Contacts (RFC 5733): an account's list, create, change, delete while no
//! domain names it, each audited; and the contacts a domain takes at
//! registration, transfer in or a change ([`Registrar::domain_contacts`]).
//!
//! The audit entries name the fields that changed, never their values: the
//! audit log outlives a deleted contact, and personal data should not.

use std::collections::BTreeMap;

use serde_json::{json, Value};
use vpsd_domain::contact::{new_handle, ContactData};
use vpsd_domain::{AccountId, AuditAction, ContactId, ErrorCode};
use vpsd_storage::{
    Actor, Audit, Contact, ContactDeletion, ContactPage, ContactWrite, DomainContacts,
    EmailVerification, StoreError,
};

use crate::{changes, Registrar, RegistrarError};

/// The names of the fields that differ between `before` and `after`.
fn changed_fields(before: Option<&ContactData>, after: Option<&ContactData>) -> Vec<&'static str> {
    let fields = |c: Option<&ContactData>| -> [Value; 10] {
        match c {
            Some(c) => [
                json!(c.name),
                json!(c.organisation),
                json!(c.street),
                json!(c.city),
                json!(c.state_province),
                json!(c.postal_code),
                json!(c.country_code),
                json!(c.voice),
                json!(c.fax),
                json!(c.email),
            ],
            None => Default::default(),
        }
    };
    const NAMES: [&str; 10] = [
        "name",
        "organisation",
        "street",
        "city",
        "state_province",
        "postal_code",
        "country_code",
        "voice",
        "fax",
        "email",
    ];
    let (b, a) = (fields(before), fields(after));
    NAMES
        .iter()
        .zip(b.iter().zip(a.iter()))
        .filter(|(_, (b, a))| b != a)
        .map(|(n, _)| *n)
        .collect()
}

/// An audit entry's changes: the handle, the fields changed (names only)
/// and the default flag.
fn contact_changes(
    handle: &str,
    before: Option<&Contact>,
    after: Option<(&ContactData, bool)>,
) -> String {
    let fields = changed_fields(before.map(|c| &c.data), after.map(|(d, _)| d));
    changes(&[
        (
            "handle",
            before.map_or(Value::Null, |_| json!(handle)),
            after.map_or(Value::Null, |_| json!(handle)),
        ),
        ("fields", Value::Null, json!(fields)),
        (
            "default",
            before.map_or(Value::Null, |c| json!(c.is_default)),
            after.map_or(Value::Null, |(_, d)| json!(d)),
        ),
    ])
}

impl Registrar {
    /// A verification mail for `data`'s email with a new token (only its
    /// hash is kept).
    fn verification(&self, data: &ContactData) -> EmailVerification {
        let (token, token_hash) = vpsd_domain::contact::new_verification_token();
        let days = chrono::Duration::from_std(self.settings.registrant_verification_period)
            .map(|d| d.num_days())
            .unwrap_or(15);
        let (subject, body) =
            crate::mail::email_verification(data, &self.settings.public_url, &token, days);
        EmailVerification {
            token_hash,
            subject,
            body,
        }
    }

    /// The verification page's `POST`: marks verified the email whose
    /// mail carried `token`. `NotFound` when no pending verification has
    /// it (used already, or the email changed since).
    #[tracing::instrument(level = "info", skip_all)]
    pub async fn verify_email(&self, token: &str) -> Result<Contact, RegistrarError> {
        let hash = vpsd_domain::token::hash(token.trim());
        self.store
            .verify_contact_email(&hash, self.now())
            .await?
            .ok_or(RegistrarError::NotFound)
    }

    /// A page of the account's contacts, by id.
    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id))]
    pub async fn contacts(
        &self,
        account_id: AccountId,
        offset: i64,
        limit: i64,
    ) -> Result<ContactPage, RegistrarError> {
        Ok(self.store.list_contacts(account_id, offset, limit).await?)
    }

    /// One contact of the account; `NotFound` when it is not the account's.
    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, contact_id = %contact_id))]
    pub async fn contact(
        &self,
        account_id: AccountId,
        contact_id: ContactId,
    ) -> Result<Contact, RegistrarError> {
        self.store
            .contact(account_id, contact_id)
            .await?
            .ok_or(RegistrarError::NotFound)
    }

    /// POST /api/v1/contacts/: a new contact with a new handle; the
    /// default when `make_default` or when it is the account's first.
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, request_id = actor.request_id.as_deref()))]
    pub async fn create_contact(
        &self,
        actor: &Actor,
        account_id: AccountId,
        data: &ContactData,
        make_default: bool,
    ) -> Result<Contact, RegistrarError> {
        // A handle clash is one chance in 2^75; a second is not expected.
        let mut tries = 0;
        loop {
            let handle = new_handle();
            let verification = self.verification(data);
            let audit = Audit {
                actor,
                action: AuditAction::ContactCreate,
                changes: contact_changes(&handle, None, Some((data, make_default))),
            };
            match self
                .store
                .create_contact(
                    account_id,
                    &handle,
                    ContactWrite {
                        data,
                        make_default,
                        verification: Some(&verification),
                    },
                    self.now(),
                    &audit,
                )
                .await
            {
                Err(StoreError::Conflict { .. }) if tries < 3 => tries += 1,
                other => return Ok(other?),
            }
        }
    }

    /// PUT /api/v1/contacts/{id}/: `data` replaces the fields (the caller
    /// merged the ones given into `current`, the contact as it read it);
    /// `make_default` makes it the account's default.
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, contact_id = %current.id, request_id = actor.request_id.as_deref()))]
    pub async fn update_contact(
        &self,
        actor: &Actor,
        account_id: AccountId,
        current: &Contact,
        data: &ContactData,
        make_default: bool,
    ) -> Result<Contact, RegistrarError> {
        let audit = Audit {
            actor,
            action: AuditAction::ContactUpdate,
            changes: contact_changes(
                &current.handle,
                Some(current),
                Some((data, make_default || current.is_default)),
            ),
        };
        // A new email is unverified until its own mail's link is followed.
        let verification = (data.email != current.data.email).then(|| self.verification(data));
        let updated = self
            .store
            .update_contact(
                account_id,
                current.id,
                ContactWrite {
                    data,
                    make_default,
                    verification: verification.as_ref(),
                },
                self.now(),
                &audit,
            )
            .await?
            .ok_or(RegistrarError::NotFound)?;
        // Every registry holding it gets the change (marked pending in the
        // update's transaction: the worker sends what fails here).
        self.propagate_contact(&updated).await;
        Ok(updated)
    }

    /// DELETE /api/v1/contacts/{id}/: `Err(names)` (nothing changed) while
    /// domains of the account name it.
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, contact_id = %contact_id, request_id = actor.request_id.as_deref()))]
    pub async fn delete_contact(
        &self,
        actor: &Actor,
        account_id: AccountId,
        contact_id: ContactId,
    ) -> Result<Result<(), Vec<String>>, RegistrarError> {
        let before = self.contact(account_id, contact_id).await?;
        let audit = Audit {
            actor,
            action: AuditAction::ContactDelete,
            changes: contact_changes(&before.handle, Some(&before), None),
        };
        match self
            .store
            .delete_contact(account_id, contact_id, self.now(), &audit)
            .await?
        {
            ContactDeletion::Deleted => Ok(Ok(())),
            ContactDeletion::NotFound => Err(RegistrarError::NotFound),
            ContactDeletion::InUse(names) => Ok(Err(names)),
        }
    }

    /// What the public sees of a domain's registrant, admin and tech
    /// contacts with privacy protection off, in that order: each one's
    /// public form (`Name` or `Name, Organisation`,
    /// `vpsd_domain::contact::public_form`); a domain from before contacts
    /// shows the account's email for a role it has none for, as before.
    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain.id))]
    pub async fn public_contacts(
        &self,
        domain: &vpsd_storage::Domain,
    ) -> Result<[String; 3], RegistrarError> {
        let c = &domain.contacts;
        let mut shown: [String; 3] = Default::default();
        let mut account_email: Option<String> = None;
        for (slot, id) in shown.iter_mut().zip([c.registrant, c.admin, c.tech]) {
            let found = match id {
                Some(id) => self.store.contact(domain.account_id, id).await?,
                None => None,
            };
            let text = match found {
                Some(contact) => vpsd_domain::contact::public_form(
                    &contact.data.name,
                    contact.data.organisation.as_deref(),
                ),
                None => match &account_email {
                    Some(e) => e.clone(),
                    None => {
                        let e = self
                            .store
                            .account(domain.account_id)
                            .await?
                            .map(|a| a.email)
                            .unwrap_or_default();
                        account_email = Some(e.clone());
                        e
                    }
                },
            };
            *slot = text;
        }
        Ok(shown)
    }

    /// Whether the domain's registrant's email is verified, and whether it
    /// is overdue (unverified past the verification period since its mail);
    /// `None` for a domain without a registrant.
    #[tracing::instrument(level = "debug", skip_all, fields(domain_id = %domain.id))]
    pub async fn registrant_verification(
        &self,
        domain: &vpsd_storage::Domain,
    ) -> Result<Option<RegistrantVerification>, RegistrarError> {
        let Some(id) = domain.contacts.registrant else {
            return Ok(None);
        };
        let Some(contact) = self.store.contact(domain.account_id, id).await? else {
            return Ok(None);
        };
        let period = chrono::Duration::from_std(self.settings.registrant_verification_period)
            .unwrap_or(chrono::Duration::days(15));
        let verified = contact.email_verified_at.is_some();
        let deadline = contact.email_verification_sent_at.map(|t| t + period);
        Ok(Some(RegistrantVerification {
            verified,
            overdue: !verified && deadline.is_some_and(|d| self.now() >= d),
            deadline,
        }))
    }

    /// The contacts a domain takes: each role `asked` checked to be a
    /// contact of the account (a role naming another account's contact, or
    /// none, is that field's 400, `invalid_fields`: the id is not
    /// revealed to exist). With `fill`, the roles neither asked nor in
    /// `current` take the account's default contact, else the registrant
    /// asked; and then a domain left without a registrant is a 400
    /// `contact_required`. Without `fill` (a change of settings) only the
    /// roles asked change.
    pub(crate) async fn domain_contacts(
        &self,
        account_id: AccountId,
        asked: DomainContacts,
        current: DomainContacts,
        fill: bool,
    ) -> Result<DomainContacts, RegistrarError> {
        let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (role, id) in asked.roles() {
            let Some(id) = id else { continue };
            if self.store.contact(account_id, id).await?.is_none() {
                errors.insert(
                    role.to_owned(),
                    vec![format!(
                        "No contact {id} in this account: GET /api/v1/contacts/ lists yours."
                    )],
                );
            }
        }
        if !errors.is_empty() {
            return Err(RegistrarError::InvalidFields(errors));
        }
        if !fill {
            return Ok(asked);
        }
        let fallback = match self.store.default_contact(account_id).await? {
            Some(c) => Some(c.id),
            None => asked.registrant,
        };
        let pick = |a: Option<ContactId>, c: Option<ContactId>| a.or(c).or(fallback);
        let chosen = DomainContacts {
            registrant: pick(asked.registrant, current.registrant),
            admin: pick(asked.admin, current.admin),
            tech: pick(asked.tech, current.tech),
            billing: pick(asked.billing, current.billing),
        };
        if chosen.registrant.is_none() {
            return Err(RegistrarError::invalid(
                ErrorCode::ContactRequired,
                "The account has no contact to register the domain to: create one (POST /api/v1/contacts/; the first becomes the default) or name one in `registrant`, then send again. Nothing was charged.",
            ));
        }
        Ok(chosen)
    }
}

/// Where a domain's registrant's email verification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegistrantVerification {
    /// Its current email was verified.
    pub verified: bool,
    /// Unverified past the verification period since its mail.
    pub overdue: bool,
    /// When the period ends (or ended), from its verification mail.
    pub deadline: Option<chrono::DateTime<chrono::Utc>>,
}
