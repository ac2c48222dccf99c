//! Names held at another registrar: import one into the account, and
//! transfer it in to VPS.org (the worker completes the transfer).

use serde_json::{json, Value};
use vpsd_domain::lifecycle::TransferStatus;
use vpsd_domain::AuditAction;
use vpsd_domain::DomainName;
use vpsd_domain::ErrorCode;
use vpsd_registry::{TransferRefusal, OUR_REGISTRAR};
use vpsd_storage::{Actor, Audit, Domain, DomainContacts, NewTransfer, StoreError};

use crate::{changes, chrono_duration, mail, Registrar, RegistrarError};

impl Registrar {
    /// POST /api/v1/domains/import/: adds a name held at another registrar.
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, domain = name.as_str(), request_id = actor.request_id.as_deref()))]
    pub async fn import(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        name: &DomainName,
    ) -> Result<Domain, RegistrarError> {
        let name = name.as_str();
        // A domain this account removed comes back with its settings.
        if let Some(domain) = self
            .store
            .restore_domain(
                account_id,
                name,
                self.now(),
                &Audit {
                    actor,
                    action: AuditAction::DomainImport,
                    changes: changes(&[("in_account", json!(false), json!(true))]),
                },
            )
            .await?
        {
            return Ok(domain);
        }
        let Some(record) = self.registry.info(name).await? else {
            return Err(RegistrarError::invalid(
                ErrorCode::NotRegistered,
                format!("{name} is not registered anywhere: register it with POST /api/v1/domains/ instead."),
            ));
        };
        if record.sponsoring_registrar == OUR_REGISTRAR {
            return Err(RegistrarError::invalid(
                ErrorCode::AlreadySponsored,
                format!(
                    "{name} is already registered with VPS.org, so there is nothing to import."
                ),
            ));
        }
        match self
            .store
            .insert_import(
                account_id,
                &record,
                self.now(),
                &Audit {
                    actor,
                    action: AuditAction::DomainImport,
                    changes: changes(&[
                        ("in_account", json!(false), json!(true)),
                        ("registrar", Value::Null, json!(record.sponsoring_registrar)),
                    ]),
                },
            )
            .await
        {
            Ok(d) => Ok(d),
            Err(StoreError::Conflict { .. }) => Err(RegistrarError::invalid(
                ErrorCode::AlreadyInAccount,
                format!("{name} is already managed in a VPS.org account."),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// POST /api/v1/domains/{id}/transfer/.
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, domain_id = %domain_id, request_id = actor.request_id.as_deref()))]
    pub async fn transfer(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        auth_code: &str,
        auto_renew: bool,
        contacts: DomainContacts,
    ) -> Result<Domain, RegistrarError> {
        let domain = self.domain(account_id, domain_id).await?;
        let name = domain.domain_name.clone();
        if domain.transfer_status == Some(TransferStatus::Pending) {
            return Err(RegistrarError::from_refusal(
                &name,
                TransferRefusal::InProgress,
            ));
        }
        let contacts = self
            .domain_contacts(account_id, contacts, domain.contacts, true)
            .await?;
        let now = self.now();
        self.registry
            .check_transfer(&name, auth_code, now)
            .await
            .map_err(|r| RegistrarError::from_refusal(&name, r))?;
        let parsed = DomainName::parse_stored(&name)
            .map_err(|e| RegistrarError::internal(format!("stored name {name}"), e))?;
        // A premium name's transfer costs its registry's fee (RFC 8748).
        let quote = self.quote(&parsed, vpsd_domain::Years::ONE).await?;
        let cost = quote.transfer;
        // The transfer request carries the registry's fee the customer is
        // charged for (RFC 8748 §5.2.4), never asked again.
        let agreed = quote.agreed("transfer");
        let transfer = NewTransfer {
            account_id,
            domain_id,
            contacts,
            auto_renew,
            initiated_at: now,
            completes_at: now + chrono_duration(self.settings.transfer_delay),
            cost,
            description: format!("Transfer of {name} to VPS.org (includes 1 year)"),
        };
        let mail = mail::transfer_initiated(&domain, transfer.completes_at);
        let audit = Audit {
            actor,
            action: AuditAction::DomainTransfer,
            changes: changes(&[
                (
                    "transfer_status",
                    json!(domain.transfer_status.map(|t| t.as_str())),
                    json!("pending"),
                ),
                ("auto_renew", json!(domain.auto_renew), json!(auto_renew)),
                ("cost", Value::Null, json!(cost.to_string())),
            ]),
        };
        let domain = match self.store.begin_transfer(&transfer, &mail, &audit).await {
            Ok(d) => d,
            Err(StoreError::StateChanged) => {
                return Err(RegistrarError::from_refusal(
                    &name,
                    TransferRefusal::InProgress,
                ))
            }
            Err(StoreError::InsufficientFunds) => {
                return Err(self
                    .short_of_funds(account_id, cost, &format!("Transferring {name}"))
                    .await)
            }
            Err(e) => return Err(e.into()),
        };
        let requested = self.at_registry(
            actor,
            &domain,
            self.registry
                .request_transfer(&name, auth_code, agreed.as_ref(), now),
        );
        if let Err(refusal) = requested.await {
            self.store
                .fail_transfer(
                    domain.id,
                    TransferStatus::Failed,
                    &format!("Refund: transfer of {name} refused"),
                    None,
                    self.now(),
                    &Audit {
                        actor,
                        action: AuditAction::DomainTransferRefused,
                        changes: changes(&[("transfer_status", json!("pending"), json!("failed"))]),
                    },
                )
                .await?;
            return Err(RegistrarError::from_refusal(&name, refusal));
        }
        Ok(domain)
    }
}
