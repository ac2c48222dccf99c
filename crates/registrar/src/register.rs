//! Finding and registering names: check availability, list and read the
//! account's domains, register a new name (charge first, registry second,
//! refund if the registry refuses).

use serde_json::{json, Value};
use vpsd_domain::lifecycle::add_years;
use vpsd_domain::AuditAction;
use vpsd_domain::{DomainName, ErrorCode, Money, Nameservers, Years};
use vpsd_registry::{RegistryError, OUR_REGISTRAR};
use vpsd_storage::{
    Actor, Audit, Domain, DomainContacts, DomainFilter, DomainPage, NewRegistration, StoreError,
};

use crate::{changes, chrono_duration, ts, Registrar, RegistrarError};

/// A registration as the customer asked for it, already parsed.
#[derive(Debug, Clone)]
pub struct Registration {
    pub domain_name: DomainName,
    pub years: Years,
    pub auto_renew: bool,
    pub privacy_protection: bool,
    pub nameservers: Option<Nameservers>,
    /// The most the client accepts to pay (`max_cost`); `None`: the price
    /// as it stands.
    pub max_cost: Option<Money>,
    /// The contacts asked for; a role not asked takes the account's
    /// default contact.
    pub contacts: DomainContacts,
}

impl Registrar {
    /// Whether a name can be registered now: `Ok(())` when it can, else the
    /// error registration would give.
    #[tracing::instrument(level = "debug", skip_all, fields(domain = name.as_str()))]
    pub async fn check(&self, name: &DomainName) -> Result<(), RegistrarError> {
        if let Some(record) = self.registry.info(name.as_str()).await? {
            return Err(RegistrarError::taken(
                name.as_str(),
                &record.sponsoring_registrar,
            ));
        }
        if self.store.domain_by_name(name.as_str()).await?.is_some() {
            return Err(RegistrarError::taken(name.as_str(), OUR_REGISTRAR));
        }
        Ok(())
    }

    /// A page of the account's domains that match `filter`.
    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id))]
    pub async fn list(
        &self,
        account_id: vpsd_domain::AccountId,
        filter: &DomainFilter,
        offset: i64,
        limit: i64,
    ) -> Result<DomainPage, RegistrarError> {
        Ok(self
            .store
            .list_domains(account_id, filter, offset, limit)
            .await?)
    }

    /// One domain of the account; `NotFound` when it is not the account's.
    #[tracing::instrument(level = "debug", skip_all, fields(account_id = %account_id, domain_id = %domain_id))]
    pub async fn domain(
        &self,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
    ) -> Result<Domain, RegistrarError> {
        self.store
            .domain(account_id, domain_id)
            .await?
            .ok_or(RegistrarError::NotFound)
    }

    /// POST /api/v1/domains/: records a pending registration, charges it,
    /// and creates the name at the registry.
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, domain = reg.domain_name.as_str(), request_id = actor.request_id.as_deref()))]
    pub async fn register(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        reg: Registration,
    ) -> Result<(Domain, Money), RegistrarError> {
        let name = reg.domain_name.as_str().to_owned();
        if let Some(record) = self.registry.info(&name).await? {
            return Err(RegistrarError::taken(&name, &record.sponsoring_registrar));
        }
        let contacts = self
            .domain_contacts(account_id, reg.contacts, DomainContacts::default(), true)
            .await?;
        let now = self.now();
        // A premium name costs what its registry's fee says (RFC 8748),
        // asked now; nothing is charged when the registry cannot tell.
        let quote = self.quote(&reg.domain_name, reg.years).await?;
        let cost = quote.register;
        // The registry's create fee the customer is charged for, carried
        // by the create (and the worker's retry), never asked again.
        let agreed = quote.agreed("create");
        if let Some(max) = reg.max_cost.filter(|max| cost > *max) {
            return Err(RegistrarError::invalid(
                ErrorCode::PriceAboveMaxCost,
                format!(
                    "Registering {name} for {} year(s) costs {cost} US dollars now, above the max_cost of {max} you gave: check the price (GET /api/v1/domains/check/) and send again. Nothing was charged.",
                    reg.years.get()
                ),
            ));
        }
        let nameservers = reg
            .nameservers
            .map(|n| n.to_strings())
            .unwrap_or_else(|| self.settings.own_nameservers.clone());
        let new = NewRegistration {
            account_id,
            domain_name: name.clone(),
            registration_date: now,
            expiration_date: add_years(now, reg.years.get()),
            // The registration delay plays a registry's processing time in
            // the sandbox; a real registry says itself when it is done (the
            // worker activates the name on its next pass once it has).
            activates_at: if self.registry.is_sandbox_name(&name) {
                now + chrono_duration(self.settings.registration_delay)
            } else {
                now
            },
            auto_renew: reg.auto_renew,
            privacy_protection: reg.privacy_protection,
            nameservers: nameservers.clone(),
            registrar: OUR_REGISTRAR.to_owned(),
            cost,
            description: format!("Registration of {name} for {} year(s)", reg.years.get()),
            contacts,
            // Kept with the registration, before the create is sent: a
            // worker that finishes it after a crash or a lost answer sends
            // the same fee.
            agreed_fee: agreed.clone(),
        };
        let audit = Audit {
            actor,
            action: AuditAction::DomainRegister,
            changes: changes(&[
                ("status", Value::Null, json!("pending")),
                ("expiration_date", Value::Null, ts(new.expiration_date)),
                ("auto_renew", Value::Null, json!(new.auto_renew)),
                (
                    "privacy_protection",
                    Value::Null,
                    json!(new.privacy_protection),
                ),
                ("nameservers", Value::Null, json!(new.nameservers)),
                ("cost", Value::Null, json!(cost.to_string())),
                ("contacts", Value::Null, contacts_json(&contacts)),
            ]),
        };
        let domain = match self.store.insert_registration(&new, &audit).await {
            Ok(d) => d,
            Err(StoreError::Conflict { .. }) => {
                return Err(RegistrarError::taken(&name, OUR_REGISTRAR))
            }
            Err(StoreError::InsufficientFunds) => {
                return Err(self
                    .short_of_funds(account_id, cost, &format!("Registering {name}"))
                    .await)
            }
            Err(e) => return Err(e.into()),
        };
        // A registry that wants contacts gets them as objects first, then
        // linked by the create (registry_contacts.rs).
        let created = self.at_registry(actor, &domain, async {
            let contacts = self.registry_contacts(&domain).await?;
            self.registry
                .create(
                    &name,
                    reg.years.get(),
                    &nameservers,
                    contacts.as_ref(),
                    agreed.as_ref(),
                    now,
                )
                .await
        });
        match created.await {
            Ok(_) => Ok((domain, cost)),
            // Not refused: pending at the registry (EPP 1001), or the answer
            // was lost. The registration stays pending and the worker asks
            // the registry again before completing or refunding it; never
            // guess (a lost create may have taken effect).
            Err(RegistryError::Pending) => Ok((domain, cost)),
            Err(RegistryError::Unavailable(e) | RegistryError::Unknown(e)) => {
                tracing::warn!(domain = %name, error = %crate::ErrorChain(&*e), "the registry's answer to a create is unknown; the worker will ask again");
                Ok((domain, cost))
            }
            Err(e) => {
                // The registry refused after we charged: undo and refund.
                self.store
                    .cancel_registration(
                        domain.id,
                        &format!("Refund: the registry refused {name}"),
                        None,
                        self.now(),
                        &Audit {
                            actor,
                            action: AuditAction::DomainRegisterRefused,
                            changes: changes(&[("status", json!("pending"), Value::Null)]),
                        },
                    )
                    .await?;
                match e {
                    RegistryError::Taken {
                        sponsoring_registrar,
                    } => Err(RegistrarError::taken(&name, &sponsoring_registrar)),
                    other => Err(other.into()),
                }
            }
        }
    }
}

/// The contact ids of a domain as an audit entry shows them.
pub(crate) fn contacts_json(c: &DomainContacts) -> Value {
    json!({
        "registrant": c.registrant,
        "admin": c.admin,
        "tech": c.tech,
        "billing": c.billing,
    })
}
