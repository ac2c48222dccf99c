//! Changing a domain's settings (auto-renew, privacy, nameservers, lock)
//! and removing it from the account.

use serde_json::json;
use vpsd_domain::lifecycle::{DomainStatus, TransferStatus};
use vpsd_domain::AuditAction;
use vpsd_domain::ErrorCode;
use vpsd_domain::Nameservers;
use vpsd_registry::OUR_REGISTRAR;
use vpsd_storage::{Actor, Audit, Domain, DomainContacts, SettingsChange};

use crate::{changes, Registrar, RegistrarError};

/// The settings a PUT changes, already parsed.
#[derive(Debug, Clone, Default)]
pub struct SettingsUpdate {
    pub auto_renew: Option<bool>,
    pub privacy_protection: Option<bool>,
    pub nameservers: Option<Nameservers>,
    pub locked: Option<bool>,
    /// The contact roles to change (each the account's contact).
    pub contacts: DomainContacts,
}

impl SettingsUpdate {
    pub fn is_empty(&self) -> bool {
        self.auto_renew.is_none()
            && self.privacy_protection.is_none()
            && self.nameservers.is_none()
            && self.locked.is_none()
            && self.contacts == DomainContacts::default()
    }
}

impl Registrar {
    /// PUT /api/v1/domains/{id}/.
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, domain_id = %domain_id, request_id = actor.request_id.as_deref()))]
    pub async fn update(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        update: SettingsUpdate,
    ) -> Result<Domain, RegistrarError> {
        if update.is_empty() {
            return Err(RegistrarError::invalid(
                ErrorCode::EmptyUpdate,
                "Give at least one of auto_renew, privacy_protection, nameservers, locked, registrant, admin, tech, billing.",
            ));
        }
        let domain = self.domain(account_id, domain_id).await?;
        let touches_registry = update.nameservers.is_some() || update.locked.is_some();
        let touches_contacts = update.contacts != DomainContacts::default();
        if (touches_registry || update.privacy_protection.is_some() || touches_contacts)
            && domain.registrar != OUR_REGISTRAR
        {
            return Err(RegistrarError::invalid(
                    ErrorCode::NotSponsored,
                    format!(
                        "{} is registered at {}: only auto_renew can change until it is transferred to VPS.org (POST /api/v1/domains/{}/transfer/).",
                        domain.domain_name, domain.registrar, domain.id
                    ),
                ));
        }
        if touches_registry {
            RegistrarError::registry_allows(
                &domain,
                vpsd_registry::SERVER_UPDATE_PROHIBITED,
                "change its nameservers or lock",
            )?;
            if domain.status == DomainStatus::Pending {
                return Err(RegistrarError::invalid(
                    ErrorCode::DomainPending,
                    format!(
                        "{} is still being registered: change nameservers or the lock once its status is active.",
                        domain.domain_name
                    ),
                ));
            }
            if domain.transfer_status == Some(TransferStatus::Pending) {
                return Err(RegistrarError::invalid(
                    ErrorCode::TransferInProgress,
                    format!(
                        "A transfer of {} is in progress: change nameservers or the lock after it completes.",
                        domain.domain_name
                    ),
                ));
            }
        }
        let contacts = self
            .domain_contacts(account_id, update.contacts, domain.contacts, false)
            .await?;
        let nameservers = update.nameservers.as_ref().map(Nameservers::to_strings);
        let now = self.now();
        if touches_registry {
            self.at_registry(
                actor,
                &domain,
                self.registry.update(
                    &domain.domain_name,
                    nameservers.as_deref(),
                    update.locked,
                    now,
                ),
            )
            .await?;
        }
        // The contacts at the registry follow a change of the contacts or
        // of privacy protection, sent before the change is kept (as the
        // nameservers are): refused there, nothing changes here. A pending
        // registration's create, or a transfer's completion, carries them
        // instead.
        let privacy_changes = update
            .privacy_protection
            .is_some_and(|p| p != domain.privacy_protection);
        if (touches_contacts || privacy_changes)
            && domain.status != DomainStatus::Pending
            && domain.transfer_status != Some(TransferStatus::Pending)
            && self.registry.contacts_required(&domain.domain_name)
        {
            let mut after = domain.clone();
            after.privacy_protection = update
                .privacy_protection
                .unwrap_or(domain.privacy_protection);
            after.contacts = DomainContacts {
                registrant: contacts.registrant.or(domain.contacts.registrant),
                admin: contacts.admin.or(domain.contacts.admin),
                tech: contacts.tech.or(domain.contacts.tech),
                billing: contacts.billing.or(domain.contacts.billing),
            };
            self.relink_contacts(actor, &after).await?;
        }
        let change = SettingsChange {
            auto_renew: update.auto_renew,
            privacy_protection: update.privacy_protection,
            nameservers,
            locked: update.locked,
            contacts,
        };
        self.store
            .update_settings(
                account_id,
                domain_id,
                &change,
                now,
                &Audit {
                    actor,
                    action: AuditAction::DomainUpdate,
                    changes: changes(&[
                        (
                            "auto_renew",
                            json!(domain.auto_renew),
                            json!(change.auto_renew.unwrap_or(domain.auto_renew)),
                        ),
                        (
                            "privacy_protection",
                            json!(domain.privacy_protection),
                            json!(change
                                .privacy_protection
                                .unwrap_or(domain.privacy_protection)),
                        ),
                        (
                            "nameservers",
                            json!(domain.nameservers),
                            json!(change
                                .nameservers
                                .clone()
                                .unwrap_or_else(|| domain.nameservers.clone())),
                        ),
                        (
                            "locked",
                            json!(domain.locked),
                            json!(change.locked.unwrap_or(domain.locked)),
                        ),
                        (
                            "contacts",
                            crate::register::contacts_json(&domain.contacts),
                            crate::register::contacts_json(&DomainContacts {
                                registrant: contacts.registrant.or(domain.contacts.registrant),
                                admin: contacts.admin.or(domain.contacts.admin),
                                tech: contacts.tech.or(domain.contacts.tech),
                                billing: contacts.billing.or(domain.contacts.billing),
                            }),
                        ),
                    ]),
                },
            )
            .await?
            .ok_or(RegistrarError::NotFound)
    }

    /// DELETE /api/v1/domains/{id}/: off the account, still registered.
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, domain_id = %domain_id, request_id = actor.request_id.as_deref()))]
    pub async fn remove(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<(), RegistrarError> {
        if self
            .store
            .remove_domain(
                account_id,
                domain_id,
                self.now(),
                &Audit {
                    actor,
                    action: AuditAction::DomainRemove,
                    changes: changes(&[("in_account", json!(true), json!(false))]),
                },
            )
            .await?
        {
            Ok(())
        } else {
            Err(RegistrarError::NotFound)
        }
    }
}
