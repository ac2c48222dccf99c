//! A domain's contacts at its registry (RFC 5733 contact objects, RFC 5731
//! §2.2 links), for a registry that wants them
//! ([`vpsd_registry::Registry::contacts_required`]).
//!
//! - Each of our contacts is one object per registry, its id the contact's
//!   handle (`C` and 15 random characters: nothing about the person). It
//!   is made there the first time a domain at that registry names it
//!   ([`vpsd_registry::Registry::put_contact`]), and the registrar records
//!   that it is (`contact_registry_objects`), so it is not asked again.
//!   Its authInfo is generated for the create and never kept or logged.
//! - A change of the contact (`PUT /api/v1/contacts/{id}/`) marks every
//!   registry's object pending in the transaction of the change; the
//!   registrar sends it at once, and the worker again until it is taken.
//! - With privacy protection on, the registrant, admin and tech at the
//!   registry are the privacy service's object (one per registry, from the
//!   operator's privacy contact, `--privacy-contact`): ICANN's Registration
//!   Data Policy lets a registrar give a privacy service's data as the
//!   registered name holder's. The billing contact stays the customer's
//!   (registries do not publish it). docs/registries.md, "Contacts".

use std::collections::HashSet;

use vpsd_registry::{RegistryDomainContacts, RegistryError};
use vpsd_storage::{Actor, Contact, ContactObjectRecord, Domain};

use crate::{ErrorChain, Registrar, RegistrarError};

/// How many pending contact objects one worker pass sends.
const PENDING_BATCH: i64 = 50;

/// The privacy service's object id at the registry `label` for the
/// installation at `public_url`: `P` and the first 15 hex digits of the
/// SHA-256 of both (16 characters, an EPP `clIDType`). Stable, so each
/// registry holds one; it differs between installations, whose privacy
/// objects at one registry must not collide; and unlike our contacts'
/// handles (`C...`) it can never name a customer's contact.
pub fn privacy_object_id(label: &str, public_url: &str) -> String {
    let digest = vpsd_domain::token::hash(&format!("vpsd privacy service\n{label}\n{public_url}"));
    format!("P{}", digest[..15].to_ascii_uppercase())
}

impl Registrar {
    /// The contacts `domain` takes at its registry, each object made there
    /// first; `None` when the registry wants none (a thin registry).
    ///
    /// # Errors
    /// The registry's (`Unavailable`: ask again later) or the store's, as
    /// `RegistryError`s, so a create or an update treats them as its own.
    pub(crate) async fn registry_contacts(
        &self,
        domain: &Domain,
    ) -> Result<Option<RegistryDomainContacts>, RegistryError> {
        let name = domain.domain_name.as_str();
        if !self.registry.contacts_required(name) {
            return Ok(None);
        }
        let label = self.registry.label_for(name).to_owned();
        let privacy = if domain.privacy_protection {
            Some(self.privacy_object(&label, name).await?)
        } else {
            None
        };
        let mut out = RegistryDomainContacts::default();
        // One contact often fills every role: read and sent once.
        let mut seen: Vec<(vpsd_domain::ContactId, String)> = Vec::new();
        for (role, id) in domain.contacts.roles() {
            let handle = match (&privacy, role) {
                (Some(p), "registrant" | "admin" | "tech") => p.clone(),
                _ => {
                    let Some(id) = id else { continue };
                    if let Some((_, h)) = seen.iter().find(|(s, _)| *s == id) {
                        h.clone()
                    } else {
                        let Some(contact) = self.store.contact(domain.account_id, id).await? else {
                            continue;
                        };
                        self.contact_object(&contact, &label, name).await?;
                        seen.push((id, contact.handle.clone()));
                        contact.handle
                    }
                }
            };
            if let Some(slot) = out.slot(role) {
                *slot = Some(handle);
            }
        }
        Ok(Some(out))
    }

    /// Makes sure the registry `label` (that of `name`) holds `contact`:
    /// sent unless our record says it holds it as it is.
    async fn contact_object(
        &self,
        contact: &Contact,
        label: &str,
        name: &str,
    ) -> Result<(), RegistryError> {
        if let Some(r) = self.store.contact_object(&contact.handle, label).await? {
            if !r.pending {
                return Ok(());
            }
        }
        let now = self.now();
        self.registry
            .put_contact(name, &contact.handle, &contact.data, now)
            .await?;
        let record = ContactObjectRecord {
            handle: contact.handle.clone(),
            registry: label.to_owned(),
            domain_name: name.to_owned(),
            pending: false,
        };
        self.store
            .contact_object_synced(&record, Some(contact.updated_at), now)
            .await?;
        Ok(())
    }

    /// The privacy service's object at the registry `label` (that of
    /// `name`), sent once per process (so a changed `--privacy-contact`
    /// reaches every registry after a restart); its id.
    async fn privacy_object(&self, label: &str, name: &str) -> Result<String, RegistryError> {
        let id = privacy_object_id(label, &self.settings.public_url);
        let sent = self
            .privacy_objects
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(label);
        if !sent {
            let now = self.now();
            self.registry
                .put_contact(name, &id, &self.settings.privacy_contact, now)
                .await?;
            let record = ContactObjectRecord {
                handle: id.clone(),
                registry: label.to_owned(),
                domain_name: name.to_owned(),
                pending: false,
            };
            self.store.contact_object_synced(&record, None, now).await?;
            self.privacy_objects
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(label.to_owned());
        }
        Ok(id)
    }

    /// Sends `domain`'s contacts to its registry (`<domain:update>`), after
    /// they or its privacy protection changed, or it came to us by a
    /// transfer; nothing for a registry that wants none. A failure is
    /// logged and returned; the domain's contacts here stand either way.
    pub(crate) async fn relink_contacts(
        &self,
        actor: &Actor,
        domain: &Domain,
    ) -> Result<(), RegistryError> {
        let linked = self.at_registry(actor, domain, async {
            let Some(contacts) = self.registry_contacts(domain).await? else {
                return Ok(());
            };
            self.registry
                .set_contacts(&domain.domain_name, &contacts, self.now())
                .await
        });
        let result = linked.await;
        if let Err(e) = &result {
            tracing::warn!(domain = %domain.domain_name, error = %ErrorChain(e), "the domain's contacts did not reach its registry");
        }
        result
    }

    /// Sends `contact`, just changed, to every registry holding it; one
    /// that cannot be reached is left pending for the worker.
    pub(crate) async fn propagate_contact(&self, contact: &Contact) {
        let records = match self.store.contact_objects(&contact.handle).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %ErrorChain(&e), "the contact's registries could not be read; the worker sends the change");
                return;
            }
        };
        for record in records.into_iter().filter(|r| r.pending) {
            if let Err(e) = self.send_object(&record, contact).await {
                tracing::warn!(registry = %record.registry, contact = %contact.handle, error = %ErrorChain(&e), "a contact's change did not reach its registry; the worker sends it again");
            }
        }
    }

    /// Sends `contact` as `record` says, and records it sent.
    async fn send_object(
        &self,
        record: &ContactObjectRecord,
        contact: &Contact,
    ) -> Result<(), RegistrarError> {
        let now = self.now();
        self.registry
            .put_contact(&record.domain_name, &record.handle, &contact.data, now)
            .await?;
        self.store
            .contact_object_synced(record, Some(contact.updated_at), now)
            .await?;
        Ok(())
    }

    /// The worker's job: every contact object changed since it was sent
    /// (up to a batch) sent again. The number sent, and the number that
    /// failed (left pending, logged).
    pub(crate) async fn send_pending_contacts(&self) -> Result<(usize, usize), RegistrarError> {
        let pending = self.store.contact_objects_pending(PENDING_BATCH).await?;
        let (mut sent, mut failed) = (0, 0);
        for record in pending {
            let Some(contact) = self.store.contact_by_handle(&record.handle).await? else {
                continue;
            };
            match self.send_object(&record, &contact).await {
                Ok(()) => sent += 1,
                Err(e) => {
                    failed += 1;
                    tracing::warn!(registry = %record.registry, contact = %record.handle, error = %ErrorChain(&e), "a contact's change did not reach its registry; sent again on the next pass");
                }
            }
        }
        Ok((sent, failed))
    }
}

/// The set of registry labels whose privacy object this process sent.
pub(crate) type PrivacyObjectsSent = std::sync::Mutex<HashSet<String>>;
