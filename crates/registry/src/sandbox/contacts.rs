//! The sandbox registry's contact objects (RFC 5733) and the contacts of
//! its names (RFC 5731 §2.2), as the [`Registry`] trait's contact
//! operations and as `vpsd-epp-server` serves them.
//!
//! A contact object is sponsored by the registrar that created it; only
//! its sponsor changes or deletes it, and a name links only contacts its
//! own sponsor holds here: an id this registry does not hold is refused
//! with 2303, another registrar's with 2201. Its authInfo is kept as a
//! SHA-256 hash (`vpsd_domain::token::hash`), compared in constant time.

use vpsd_domain::contact::ContactData;

use super::*;

impl SandboxRegistry {
    /// Each contact of `contacts` checked to be an object the registrar
    /// this acts for sponsors: `Refused` 2303 for an unknown id, 2201 for
    /// another registrar's (RFC 5731 §3.2.1: the contacts must exist).
    pub async fn check_contacts(
        &self,
        contacts: &RegistryDomainContacts,
    ) -> Result<(), RegistryError> {
        let mut checked: Vec<&str> = Vec::new();
        for (_, id) in contacts.roles() {
            let Some(id) = id else { continue };
            if checked.contains(&id) {
                continue;
            }
            checked.push(id);
            match self.store().registry_contact_get(id).await? {
                None => {
                    return Err(RegistryError::Refused {
                        code: 2303,
                        message: format!("contact {id} does not exist"),
                    })
                }
                Some(c) if c.sponsoring_registrar != self.client_id() => {
                    return Err(RegistryError::Refused {
                        code: 2201,
                        message: format!("contact {id} is another registrar's"),
                    })
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// A new contact object `id` sponsored by the registrar this acts for,
    /// with the SHA-256 of its authInfo. `Taken` when one with that id
    /// exists (EPP 2302).
    pub async fn contact_create(
        &self,
        id: &str,
        data: &ContactData,
        auth_info: &str,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        let object = RegistryContactObject {
            id: id.to_owned(),
            sponsoring_registrar: self.client_id().to_owned(),
            created_by: self.client_id().to_owned(),
            data: data.clone(),
            auth_info_hash: vpsd_domain::token::hash(auth_info),
            created_at: now,
            updated_at: now,
        };
        match self.store().registry_contact_insert(&object).await {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict { .. }) => {
                let sponsor = self
                    .store()
                    .registry_contact_get(id)
                    .await?
                    .map(|c| c.sponsoring_registrar)
                    .unwrap_or_default();
                Err(RegistryError::Taken {
                    sponsoring_registrar: sponsor,
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The data (and, when given, the authInfo) of the contact object `id`
    /// the registrar this acts for sponsors become `data` (RFC 5733
    /// §3.2.5). `NotFound` when there is none, `NotSponsored` when another
    /// registrar sponsors it.
    pub async fn contact_update(
        &self,
        id: &str,
        data: &ContactData,
        auth_info: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        let hash = auth_info.map(vpsd_domain::token::hash);
        if self
            .store()
            .registry_contact_update(id, self.client_id(), data, hash.as_deref(), now)
            .await?
        {
            return Ok(());
        }
        match self.store().registry_contact_get(id).await? {
            None => Err(RegistryError::NotFound),
            // Created by another command of ours since the update looked
            // (concurrent registrations naming one contact): once more.
            Some(c) if c.sponsoring_registrar == self.client_id() => {
                if self
                    .store()
                    .registry_contact_update(id, self.client_id(), data, hash.as_deref(), now)
                    .await?
                {
                    Ok(())
                } else {
                    Err(RegistryError::Unavailable(
                        format!("contact {id} changed hands during the update").into(),
                    ))
                }
            }
            Some(_) => Err(RegistryError::NotSponsored),
        }
    }

    /// Deletes the contact object `id` the registrar this acts for
    /// sponsors (RFC 5733 §3.2.2). `NotFound`, `NotSponsored`, or
    /// `Refused` with [`ASSOCIATION_PROHIBITS`] (2305) while a name links
    /// it.
    pub async fn contact_delete(&self, id: &str) -> Result<(), RegistryError> {
        let Some(c) = self.store().registry_contact_get(id).await? else {
            return Err(RegistryError::NotFound);
        };
        if c.sponsoring_registrar != self.client_id() {
            return Err(RegistryError::NotSponsored);
        }
        if self
            .store()
            .registry_contact_delete(id, self.client_id())
            .await?
        {
            return Ok(());
        }
        if self.store().registry_contact_linked(id).await? {
            return Err(RegistryError::Refused {
                code: ASSOCIATION_PROHIBITS,
                message: format!("contact {id} is linked to a domain"),
            });
        }
        // Gone or changed hands meanwhile.
        Err(RegistryError::NotFound)
    }

    /// The name's contacts become `contacts`, each checked first
    /// ([`SandboxRegistry::check_contacts`]); the caller checked that the
    /// registrar this acts for sponsors the name.
    pub async fn link_contacts(
        &self,
        name: &str,
        contacts: &RegistryDomainContacts,
    ) -> Result<(), RegistryError> {
        self.check_contacts(contacts).await?;
        match self
            .store()
            .registry_set_domain_contacts(name, contacts)
            .await?
        {
            None => Ok(()),
            Some(id) => Err(RegistryError::Refused {
                code: 2303,
                message: format!("contact {id} does not exist"),
            }),
        }
    }

    /// [`Registry::put_contact`] for the registrar this acts for: created
    /// with a new authInfo when there is no object `id`, else updated.
    pub(crate) async fn sandbox_put_contact(
        &self,
        id: &str,
        data: &ContactData,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        match self.contact_update(id, data, None, now).await {
            Err(RegistryError::NotFound) => {
                match self.contact_create(id, data, &new_auth_code(), now).await {
                    // Created meanwhile by another command of ours.
                    Err(RegistryError::Taken {
                        sponsoring_registrar,
                    }) if sponsoring_registrar == self.client_id() => {
                        self.contact_update(id, data, None, now).await
                    }
                    Err(RegistryError::Taken { .. }) => Err(RegistryError::NotSponsored),
                    other => other,
                }
            }
            other => other,
        }
    }

    /// [`Registry::set_contacts`] for the registrar this acts for.
    pub(crate) async fn sandbox_set_contacts(
        &self,
        name: &str,
        contacts: &RegistryDomainContacts,
    ) -> Result<(), RegistryError> {
        match self.info(name).await? {
            None => Err(RegistryError::NotFound),
            Some(r) if r.sponsoring_registrar != self.client_id() => {
                Err(RegistryError::NotSponsored)
            }
            Some(_) => self.link_contacts(name, contacts).await,
        }
    }
}
