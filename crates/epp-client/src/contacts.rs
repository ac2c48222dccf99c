//! Contacts at a registry that wants them (`contacts = "required"`): RFC
//! 5733 contact objects (`<contact:check>`, `<contact:create>`,
//! `<contact:update>`, instant-epp's commands) and the links of a name to
//! them (RFC 5731 §2.2: `<domain:registrant>`, `<domain:contact type>` on
//! create and update).
//!
//! A contact's authInfo is made for its create with the same generator as
//! a domain's auth code, sent once, and neither kept nor logged (instant-
//! epp's commands are not logged; only their names are). instant-epp's
//! `<contact:update>` always carries an authInfo, so each update sends a
//! new one, kept no more than the first.

use instant_epp::contact::{
    Address, ContactCheck, ContactCreate, ContactUpdate, Country, Fax, InfoType, PostalInfo, Voice,
};
use instant_epp::domain::DomainContact;
use vpsd_domain::contact::ContactData;
use vpsd_registry::RegistryDomainContacts;

use super::*;
use crate::config::ContactPolicy;

/// `<contact:postalInfo type>` for `data`: `int` (RFC 5733 §2.3: 7-bit
/// ASCII only) when every field is ASCII, else `loc` (UTF-8).
fn info_type(data: &ContactData) -> InfoType {
    let fields = [
        Some(&data.name),
        data.organisation.as_ref(),
        Some(&data.city),
    ]
    .into_iter()
    .flatten()
    .chain(data.street.iter())
    .chain(data.state_province.iter())
    .chain(data.postal_code.iter());
    let ascii = fields.into_iter().all(|f| f.is_ascii());
    if ascii {
        InfoType::International
    } else {
        InfoType::Local
    }
}

/// `<domain:contact type>` of the admin, tech and billing roles given.
fn typed(contacts: &RegistryDomainContacts) -> Vec<(&'static str, String)> {
    contacts
        .roles()
        .into_iter()
        .filter(|(role, _)| *role != "registrant")
        .filter_map(|(role, id)| id.map(|id| (role, id.to_owned())))
        .collect()
}

/// instant-epp's `<domain:contact>` elements of `typed`.
pub(crate) fn domain_contacts(typed: &[(&'static str, String)]) -> Vec<DomainContact<'static>> {
    typed
        .iter()
        .map(|(role, id)| DomainContact {
            contact_type: (*role).into(),
            id: id.clone().into(),
        })
        .collect()
}

/// The admin, tech and billing contacts of `contacts` as `<domain:contact>`
/// elements of a create, and its registrant.
pub(crate) fn for_create(
    contacts: Option<&RegistryDomainContacts>,
) -> (Option<String>, Vec<DomainContact<'static>>) {
    match contacts {
        None => (None, Vec::new()),
        Some(c) => (c.registrant.clone(), domain_contacts(&typed(c))),
    }
}

impl EppRegistry {
    /// Whether this registry wants a domain's contacts.
    pub(crate) fn wants_contacts(&self) -> bool {
        self.config.contacts == ContactPolicy::Required
    }

    /// `<contact:check>` of `id`: whether it is free (no object has it).
    async fn contact_available(&self, id: &str) -> Result<bool, EppError> {
        let ids = [id];
        let rsp = self
            .sessions
            .run("contact:check", &ContactCheck { contact_ids: &ids })
            .await?;
        rsp.res_data()
            .and_then(|d| d.list.iter().find(|c| c.id.value == id))
            .map(|c| c.id.available)
            .ok_or_else(|| {
                EppError::Unknown("the registry's contact check did not name the contact".into())
            })
    }

    /// [`Registry::put_contact`] over EPP: check, then create or update;
    /// a lost answer is followed by a check and the command once more
    /// (either is harmless to repeat).
    pub(crate) async fn epp_put_contact(
        &self,
        id: &str,
        data: &ContactData,
    ) -> Result<(), RegistryError> {
        let country: Country = data
            .country_code
            .parse()
            .map_err(|_| RegistryError::Refused {
                code: 2005,
                message: format!(
                    "country code {} is not one the client knows",
                    data.country_code
                ),
            })?;
        let street: Vec<&str> = data.street.iter().map(String::as_str).collect();
        let address = Address::new(
            &street,
            &data.city,
            data.state_province.as_deref(),
            data.postal_code.as_deref(),
            country,
        );
        let postal = PostalInfo::new(
            info_type(data),
            &data.name,
            data.organisation.as_deref(),
            address,
        );
        let mut attempt = 0;
        loop {
            attempt += 1;
            let retry = attempt < 2;
            let available = match self.contact_available(id).await {
                Ok(a) => a,
                Err(EppError::Unknown(_) | EppError::NotSent(_)) if retry => continue,
                Err(e) => return Err(unavailable(e)),
            };
            let auth_info = new_auth_code();
            let sent = if available {
                let mut create = ContactCreate::new(
                    id,
                    &data.email,
                    postal.clone(),
                    Some(Voice::new(&data.voice)),
                    &auth_info,
                );
                if let Some(fax) = &data.fax {
                    create.set_fax(Fax::new(fax));
                }
                self.sessions.run("contact:create", &create).await.map(drop)
            } else {
                let mut update = ContactUpdate::new(id);
                update.set_info(
                    &data.email,
                    postal.clone(),
                    Voice::new(&data.voice),
                    &auth_info,
                );
                if let Some(fax) = &data.fax {
                    update.set_fax(Fax::new(fax));
                }
                self.sessions.run("contact:update", &update).await.map(drop)
            };
            match sent {
                Ok(()) => return Ok(()),
                // Made meanwhile (by a lost create of ours, or a race):
                // check again and update it.
                Err(EppError::Refused { code: 2302, .. }) if retry => {}
                Err(EppError::Unknown(_)) if retry => {}
                Err(EppError::Refused { code: 2201, .. }) => {
                    return Err(RegistryError::NotSponsored)
                }
                Err(e @ EppError::Refused { .. }) => return Err(refused(e)),
                Err(e) => return Err(unavailable(e)),
            }
        }
    }

    /// [`Registry::set_contacts`] over EPP: `<domain:info>` for the
    /// contacts the name has, then one `<domain:update>` with the
    /// registrant in `<domain:chg>` and the contacts that differ in
    /// `<domain:add>` and `<domain:rem>`; nothing when they agree. A lost
    /// answer is settled by asking again.
    pub(crate) async fn epp_set_contacts(
        &self,
        name: &str,
        wanted: &RegistryDomainContacts,
    ) -> Result<(), RegistryError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let Some(info) = self.domain_info(name, None).await.map_err(unavailable)? else {
                return Err(RegistryError::NotFound);
            };
            if info.record.sponsoring_registrar != OUR_REGISTRAR {
                return Err(RegistryError::NotSponsored);
            }
            let have = &info.contacts;
            let (have_typed, want_typed) = (typed(have), typed(wanted));
            let add: Vec<(&'static str, String)> = want_typed
                .iter()
                .filter(|c| !have_typed.contains(c))
                .cloned()
                .collect();
            let rem: Vec<(&'static str, String)> = have_typed
                .iter()
                .filter(|c| !want_typed.contains(c))
                .cloned()
                .collect();
            let registrant = wanted
                .registrant
                .as_deref()
                .filter(|r| have.registrant.as_deref() != Some(*r));
            if add.is_empty() && rem.is_empty() && registrant.is_none() {
                return Ok(());
            }
            if attempt > 2 {
                return Err(unavailable(
                    "the registry's contacts still differ after the update was sent twice",
                ));
            }
            let (add, rem) = (domain_contacts(&add), domain_contacts(&rem));
            let mut update = DomainUpdate::new(name);
            if !add.is_empty() {
                update.add(DomainAdd {
                    ns: None,
                    contacts: Some(&add),
                    statuses: None,
                });
            }
            if !rem.is_empty() {
                update.remove(DomainRemove {
                    ns: None,
                    contacts: Some(&rem),
                    statuses: None,
                });
            }
            if registrant.is_some() {
                update.info(DomainChangeInfo {
                    registrant,
                    auth_info: None,
                });
            }
            match self.sessions.run("domain:update contacts", &update).await {
                // Done: read back once to be sure (the loop ends on a match).
                Ok(_) => {}
                Err(EppError::Unknown(_)) => {}
                Err(EppError::Refused { code: 2201, .. }) => {
                    return Err(RegistryError::NotSponsored)
                }
                Err(e) => return Err(refused(e)),
            }
        }
    }
}
