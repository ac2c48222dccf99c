//! The registrar's operations: what a customer asks for, checked against the
//! rules, paid for, and carried to the registry.
//!
//! - [`Registrar`] holds the operations the HTTP layer calls (register,
//!   transfer, import, update, remove, list, detail) and returns
//!   [`RegistrarError`]s that say what to do.
//! - [`worker`] completes pending registrations and transfers when their
//!   delay has passed; each step is a public function tests can call.
//! - [`mail`] writes the confirmation mails that go into the outbox.
//!
//! Order of effects (why it is safe): the database transaction that charges
//! the account and records the domain runs first; the registry is asked
//! second. If the registry then refuses (another registrar won a race), a
//! compensating transaction refunds the charge. If the process dies between
//! the two, the worker repeats the registry call, which is idempotent, before
//! it completes anything. So no path charges without a domain, or gives a
//! domain without a charge.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use vpsd_domain::lifecycle::{
    add_years, phase, renewable_years, DomainStatus, Phase, TransferStatus,
};
use vpsd_domain::pricing::RESTORE_FEE;
use vpsd_domain::{Clock, DomainName, Money, Nameservers, Years};
use vpsd_registry::{Registry, RegistryError, TransferRefusal, OUR_REGISTRAR};
use vpsd_storage::{
    Account, Actor, Audit, Domain, DomainFilter, DomainPage, NewRegistration, NewTransfer, Renewal,
    SettingsChange, Store, StoreError,
};

mod error;
mod forwards;
pub mod mail;
mod records;
mod transfer_out;
pub mod worker;

pub use error::RegistrarError;

/// How long an `Idempotency-Key` is honoured (and kept).
pub const IDEMPOTENCY_KEY_LIFETIME: chrono::Duration = chrono::Duration::hours(24);

/// How the registrar behaves; the defaults are production's.
#[derive(Debug, Clone)]
pub struct RegistrarSettings {
    /// How long the registry takes to complete a registration.
    pub registration_delay: Duration,
    /// How long the losing registrar has before a transfer completes.
    pub transfer_delay: Duration,
    /// VPS.org's own nameservers (`dns_managed_by` is `vps.org` for these).
    pub own_nameservers: Vec<String>,
    /// How long before expiration the worker renews `auto_renew` domains.
    pub auto_renew_lead: Duration,
}

impl Default for RegistrarSettings {
    fn default() -> Self {
        Self {
            registration_delay: Duration::from_secs(5 * 60),
            transfer_delay: Duration::from_secs(5 * 24 * 3600),
            own_nameservers: Nameservers::vps_default().to_strings(),
            auto_renew_lead: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

/// A registration as the customer asked for it, already parsed.
#[derive(Debug, Clone)]
pub struct Registration {
    pub domain_name: DomainName,
    pub years: Years,
    pub auto_renew: bool,
    pub privacy_protection: bool,
    pub nameservers: Option<Nameservers>,
}

/// The settings a PUT changes, already parsed.
#[derive(Debug, Clone, Default)]
pub struct SettingsUpdate {
    pub auto_renew: Option<bool>,
    pub privacy_protection: Option<bool>,
    pub nameservers: Option<Nameservers>,
    pub locked: Option<bool>,
}

impl SettingsUpdate {
    pub fn is_empty(&self) -> bool {
        self.auto_renew.is_none()
            && self.privacy_protection.is_none()
            && self.nameservers.is_none()
            && self.locked.is_none()
    }
}

#[derive(Debug, Clone)]
pub struct Registrar {
    store: Arc<dyn Store>,
    registry: Arc<dyn Registry>,
    clock: Arc<dyn Clock>,
    /// Shared: a `Registrar` is cloned into every request.
    settings: Arc<RegistrarSettings>,
}

/// The changed fields of an audit entry: `{"field": [before, after]}`.
pub(crate) fn changes(fields: &[(&str, serde_json::Value, serde_json::Value)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = fields
        .iter()
        .filter(|(_, before, after)| before != after)
        .map(|(k, b, a)| ((*k).to_owned(), serde_json::json!([b, a])))
        .collect();
    serde_json::Value::Object(map).to_string()
}

fn ts(t: DateTime<Utc>) -> serde_json::Value {
    serde_json::Value::String(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

impl Registrar {
    pub fn new(
        store: Arc<dyn Store>,
        registry: Arc<dyn Registry>,
        clock: Arc<dyn Clock>,
        settings: RegistrarSettings,
    ) -> Self {
        Self {
            store,
            registry,
            clock,
            settings: Arc::new(settings),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn settings(&self) -> &RegistrarSettings {
        &self.settings
    }

    /// Whether the registry is the embedded sandbox.
    pub fn is_sandbox(&self) -> bool {
        self.registry.is_sandbox()
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub async fn account(&self, account_id: i64) -> Result<Account, RegistrarError> {
        self.store
            .account(account_id)
            .await?
            .ok_or(RegistrarError::NotFound)
    }

    /// Opens an account; an opening balance is a ledger credit.
    pub async fn create_account(
        &self,
        actor: &Actor,
        email: &str,
        balance: Money,
    ) -> Result<Account, RegistrarError> {
        Ok(self
            .store
            .create_account(
                email,
                balance,
                self.now(),
                &Audit {
                    actor,
                    action: "account.create",
                    changes: changes(&[
                        ("email", Value::Null, json!(email)),
                        ("balance", Value::Null, json!(balance.to_string())),
                    ]),
                },
            )
            .await?)
    }

    /// Adds money to an account (a ledger credit).
    pub async fn credit(
        &self,
        actor: &Actor,
        account_id: i64,
        amount: Money,
        description: &str,
    ) -> Result<Account, RegistrarError> {
        Ok(self
            .store
            .credit_account(
                account_id,
                amount,
                description,
                self.now(),
                &Audit {
                    actor,
                    action: "account.credit",
                    changes: changes(&[("credit", Value::Null, json!(amount.to_string()))]),
                },
            )
            .await?)
    }

    /// Revokes a token; false when there is no such active token.
    pub async fn revoke_token(&self, actor: &Actor, token_id: i64) -> Result<bool, RegistrarError> {
        Ok(self
            .store
            .revoke_token(
                token_id,
                self.now(),
                &Audit {
                    actor,
                    action: "token.revoke",
                    changes: changes(&[("token_id", Value::Null, json!(token_id))]),
                },
            )
            .await?)
    }

    /// Creates an API token for an account: returns its id and the token,
    /// which is shown this once (only its hash is kept).
    pub async fn issue_token(
        &self,
        actor: &Actor,
        account_id: i64,
        name: &str,
        read_only: bool,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<(i64, String), RegistrarError> {
        let (token, hash) = vpsd_domain::token::generate();
        let id = self
            .store
            .create_token(
                &vpsd_storage::NewToken {
                    account_id,
                    name: name.to_owned(),
                    token_hash: hash,
                    prefix: vpsd_domain::token::display_prefix(&token),
                    read_only,
                    expires_at,
                    created_at: self.now(),
                },
                &Audit {
                    actor,
                    action: "token.create",
                    changes: changes(&[
                        ("name", Value::Null, json!(name)),
                        ("read_only", Value::Null, json!(read_only)),
                        ("expires_at", Value::Null, json!(expires_at.map(ts))),
                    ]),
                },
            )
            .await?;
        Ok((id, token))
    }

    /// One page of the account's ledger, newest first.
    pub async fn transactions(
        &self,
        account_id: i64,
        offset: i64,
        limit: i64,
    ) -> Result<(i64, Vec<vpsd_storage::LedgerEntry>), RegistrarError> {
        Ok(self.store.ledger_page(account_id, offset, limit).await?)
    }

    /// Whether a name can be registered now: `Ok(())` when it can, else the
    /// error registration would give.
    pub async fn check(&self, name: &DomainName) -> Result<(), RegistrarError> {
        if let Some(record) = self.registry.info(name.as_str()).await? {
            return Err(RegistrarError::taken(name.as_str(), &record.registrar));
        }
        if self.store.domain_by_name(name.as_str()).await?.is_some() {
            return Err(RegistrarError::taken(name.as_str(), OUR_REGISTRAR));
        }
        Ok(())
    }

    pub async fn list(
        &self,
        account_id: i64,
        filter: &DomainFilter,
        offset: i64,
        limit: i64,
    ) -> Result<DomainPage, RegistrarError> {
        Ok(self
            .store
            .list_domains(account_id, filter, offset, limit)
            .await?)
    }

    pub async fn domain(&self, account_id: i64, domain_id: i64) -> Result<Domain, RegistrarError> {
        self.store
            .domain(account_id, domain_id)
            .await?
            .ok_or(RegistrarError::NotFound)
    }

    async fn short_of_funds(&self, account_id: i64, cost: Money, what: &str) -> RegistrarError {
        let balance = match self.store.account(account_id).await {
            Ok(Some(a)) => a.balance,
            _ => Money::ZERO,
        };
        RegistrarError::InsufficientFunds {
            detail: format!(
                "{what} costs ${cost} and the account balance is ${balance}: add funds and try again."
            ),
        }
    }

    /// POST /api/v1/domains/: records a pending registration, charges it,
    /// and creates the name at the registry.
    pub async fn register(
        &self,
        actor: &Actor,
        account_id: i64,
        reg: Registration,
    ) -> Result<(Domain, Money), RegistrarError> {
        let name = reg.domain_name.as_str().to_owned();
        if let Some(record) = self.registry.info(&name).await? {
            return Err(RegistrarError::taken(&name, &record.registrar));
        }
        let now = self.now();
        let cost = reg.years.times(reg.domain_name.tld().prices().register);
        let nameservers = reg
            .nameservers
            .map(|n| n.to_strings())
            .unwrap_or_else(|| self.settings.own_nameservers.clone());
        let new = NewRegistration {
            account_id,
            domain_name: name.clone(),
            registration_date: now,
            expiration_date: add_years(now, reg.years.get()),
            activates_at: now + chrono_duration(self.settings.registration_delay),
            auto_renew: reg.auto_renew,
            privacy_protection: reg.privacy_protection,
            nameservers: nameservers.clone(),
            registrar: OUR_REGISTRAR.to_owned(),
            cost,
            description: format!("Registration of {name} for {} year(s)", reg.years.get()),
        };
        let audit = Audit {
            actor,
            action: "domain.register",
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
        match self
            .registry
            .create(&name, reg.years.get(), &nameservers, now)
            .await
        {
            Ok(_) => Ok((domain, cost)),
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
                            action: "domain.register_refused",
                            changes: changes(&[("status", json!("pending"), Value::Null)]),
                        },
                    )
                    .await?;
                match e {
                    RegistryError::Taken { registrar } => {
                        Err(RegistrarError::taken(&name, &registrar))
                    }
                    other => Err(other.into()),
                }
            }
        }
    }

    /// PUT /api/v1/domains/{id}/.
    pub async fn update(
        &self,
        actor: &Actor,
        account_id: i64,
        domain_id: i64,
        update: SettingsUpdate,
    ) -> Result<Domain, RegistrarError> {
        if update.is_empty() {
            return Err(RegistrarError::invalid(
                "empty_update",
                "Give at least one of auto_renew, privacy_protection, nameservers, locked.",
            ));
        }
        let domain = self.domain(account_id, domain_id).await?;
        let touches_registry = update.nameservers.is_some() || update.locked.is_some();
        if (touches_registry || update.privacy_protection.is_some())
            && domain.registrar != OUR_REGISTRAR
        {
            return Err(RegistrarError::invalid(
                    "not_sponsored",
                    format!(
                        "{} is registered at {}: only auto_renew can change until it is transferred to VPS.org (POST /api/v1/domains/{}/transfer/).",
                        domain.domain_name, domain.registrar, domain.id
                    ),
                ));
        }
        if touches_registry {
            if domain.status == DomainStatus::Pending {
                return Err(RegistrarError::invalid(
                    "domain_pending",
                    format!(
                        "{} is still being registered: change nameservers or the lock once its status is active.",
                        domain.domain_name
                    ),
                ));
            }
            if domain.transfer_status == Some(TransferStatus::Pending) {
                return Err(RegistrarError::invalid(
                    "transfer_in_progress",
                    format!(
                        "A transfer of {} is in progress: change nameservers or the lock after it completes.",
                        domain.domain_name
                    ),
                ));
            }
        }
        let nameservers = update.nameservers.as_ref().map(Nameservers::to_strings);
        let now = self.now();
        if touches_registry {
            self.registry
                .update(
                    &domain.domain_name,
                    nameservers.as_deref(),
                    update.locked,
                    now,
                )
                .await?;
        }
        let change = SettingsChange {
            auto_renew: update.auto_renew,
            privacy_protection: update.privacy_protection,
            nameservers,
            locked: update.locked,
        };
        self.store
            .update_settings(
                account_id,
                domain_id,
                &change,
                now,
                &Audit {
                    actor,
                    action: "domain.update",
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
                    ]),
                },
            )
            .await?
            .ok_or(RegistrarError::NotFound)
    }

    /// DELETE /api/v1/domains/{id}/: off the account, still registered.
    pub async fn remove(
        &self,
        actor: &Actor,
        account_id: i64,
        domain_id: i64,
    ) -> Result<(), RegistrarError> {
        if self
            .store
            .remove_domain(
                account_id,
                domain_id,
                self.now(),
                &Audit {
                    actor,
                    action: "domain.remove",
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

    /// POST /api/v1/domains/import/: adds a name held at another registrar.
    pub async fn import(
        &self,
        actor: &Actor,
        account_id: i64,
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
                    action: "domain.import",
                    changes: changes(&[("in_account", json!(false), json!(true))]),
                },
            )
            .await?
        {
            return Ok(domain);
        }
        let Some(record) = self.registry.info(name).await? else {
            return Err(RegistrarError::invalid(
                "not_registered",
                format!("{name} is not registered anywhere: register it with POST /api/v1/domains/ instead."),
            ));
        };
        if record.registrar == OUR_REGISTRAR {
            return Err(RegistrarError::invalid(
                "already_sponsored",
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
                    action: "domain.import",
                    changes: changes(&[
                        ("in_account", json!(false), json!(true)),
                        ("registrar", Value::Null, json!(record.registrar)),
                    ]),
                },
            )
            .await
        {
            Ok(d) => Ok(d),
            Err(StoreError::Conflict { .. }) => Err(RegistrarError::invalid(
                "already_in_account",
                format!("{name} is already managed in a VPS.org account."),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// POST /api/v1/domains/{id}/transfer/.
    pub async fn transfer(
        &self,
        actor: &Actor,
        account_id: i64,
        domain_id: i64,
        auth_code: &str,
        auto_renew: bool,
    ) -> Result<Domain, RegistrarError> {
        let domain = self.domain(account_id, domain_id).await?;
        let name = domain.domain_name.clone();
        if domain.transfer_status == Some(TransferStatus::Pending) {
            return Err(RegistrarError::from_refusal(
                &name,
                TransferRefusal::InProgress,
            ));
        }
        let now = self.now();
        self.registry
            .check_transfer(&name, auth_code, now)
            .await
            .map_err(|r| RegistrarError::from_refusal(&name, r))?;
        let tld = DomainName::parse_stored(&name)
            .map_err(|e| RegistrarError::Internal(format!("stored name {name}: {e}")))?
            .tld();
        let cost = tld.prices().transfer;
        let transfer = NewTransfer {
            account_id,
            domain_id,
            auto_renew,
            initiated_at: now,
            completes_at: now + chrono_duration(self.settings.transfer_delay),
            cost,
            description: format!("Transfer of {name} to VPS.org (includes 1 year)"),
        };
        let mail = mail::transfer_initiated(&domain, transfer.completes_at);
        let audit = Audit {
            actor,
            action: "domain.transfer",
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
        if let Err(refusal) = self.registry.request_transfer(&name, auth_code, now).await {
            self.store
                .fail_transfer(
                    domain.id,
                    TransferStatus::Failed,
                    &format!("Refund: transfer of {name} refused"),
                    None,
                    self.now(),
                    &Audit {
                        actor,
                        action: "domain.transfer_refused",
                        changes: changes(&[("transfer_status", json!("pending"), json!("failed"))]),
                    },
                )
                .await?;
            return Err(RegistrarError::from_refusal(&name, refusal));
        }
        Ok(domain)
    }
    fn tld_of(domain: &Domain) -> Result<vpsd_domain::Tld, RegistrarError> {
        DomainName::parse_stored(&domain.domain_name)
            .map(|n| n.tld())
            .map_err(|e| {
                RegistrarError::Internal(format!("stored name {}: {e}", domain.domain_name))
            })
    }

    fn require_sponsored(domain: &Domain, what: &str) -> Result<(), RegistrarError> {
        if domain.registrar == OUR_REGISTRAR {
            return Ok(());
        }
        Err(RegistrarError::invalid(
            "not_sponsored",
            format!(
                "{} is registered at {}: {what} it there, or transfer it to VPS.org first (POST /api/v1/domains/{}/transfer/).",
                domain.domain_name, domain.registrar, domain.id
            ),
        ))
    }

    /// POST /api/v1/domains/{id}/renew/: `years` more from the current
    /// expiration, at the renewal price; also during the grace period.
    pub async fn renew(
        &self,
        actor: &Actor,
        account_id: i64,
        domain_id: i64,
        years: Years,
    ) -> Result<(Domain, Money), RegistrarError> {
        let domain = self.domain(account_id, domain_id).await?;
        Self::require_sponsored(&domain, "renew")?;
        let now = self.now();
        let name = &domain.domain_name;
        match phase(domain.status, domain.expiration_date, now) {
            Phase::Pending => {
                return Err(RegistrarError::invalid(
                    "domain_pending",
                    format!("{name} is still being registered: renew it once its status is active."),
                ))
            }
            Phase::Redemption => {
                return Err(RegistrarError::invalid(
                    "in_redemption",
                    format!(
                        "{name} is past its grace period: restore it with POST /api/v1/domains/{domain_id}/restore/ (the restore fee of ${RESTORE_FEE} plus one year)."
                    ),
                ))
            }
            Phase::PendingDelete => return Err(Self::too_late(&domain)),
            Phase::Active | Phase::Grace => {}
        }
        let allowed = renewable_years(domain.expiration_date, now);
        if years.get() > allowed {
            let detail = if allowed == 0 {
                format!("{name} already runs close to the ten-year maximum: it cannot be renewed now; try again when less than nine years remain.")
            } else {
                format!("A renewal may not carry {name} more than ten years ahead: at most {allowed} more year(s) are allowed now.")
            };
            return Err(RegistrarError::invalid("renewal_too_long", detail));
        }
        let cost = years.times(Self::tld_of(&domain)?.prices().renew);
        let renewed = self
            .apply_renewal(actor, &domain, years.get(), cost, "renewal", "renewed")
            .await?;
        Ok((renewed, cost))
    }

    fn too_late(domain: &Domain) -> RegistrarError {
        let release = vpsd_domain::lifecycle::ExpiryDates::after(domain.expiration_date).release_at;
        RegistrarError::invalid(
            "pending_delete",
            format!(
                "{} is pending deletion: it can no longer be renewed or restored, and is released on {}; register it again after that.",
                domain.domain_name,
                release.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ),
        )
    }

    /// POST /api/v1/domains/{id}/restore/: a domain in its redemption period
    /// comes back for the restore fee plus one year (RFC 3915).
    pub async fn restore(
        &self,
        actor: &Actor,
        account_id: i64,
        domain_id: i64,
    ) -> Result<(Domain, Money), RegistrarError> {
        let domain = self.domain(account_id, domain_id).await?;
        Self::require_sponsored(&domain, "restore")?;
        let name = &domain.domain_name;
        match phase(domain.status, domain.expiration_date, self.now()) {
            Phase::Redemption => {}
            Phase::PendingDelete => return Err(Self::too_late(&domain)),
            Phase::Grace | Phase::Active => {
                return Err(RegistrarError::invalid(
                    "not_in_redemption",
                    format!("{name} is not in its redemption period, so there is nothing to restore: renew it with POST /api/v1/domains/{domain_id}/renew/ at the normal price."),
                ))
            }
            Phase::Pending => {
                return Err(RegistrarError::invalid(
                    "domain_pending",
                    format!("{name} is still being registered."),
                ))
            }
        }
        let cost =
            Money::from_cents(RESTORE_FEE.cents() + Self::tld_of(&domain)?.prices().renew.cents());
        let restored = self
            .apply_renewal(
                actor,
                &domain,
                1,
                cost,
                "restore",
                "restored (restore fee plus one year)",
            )
            .await?;
        Ok((restored, cost))
    }

    /// Charges and records a renewal, then extends the term at the registry;
    /// a registry refusal is undone and refunded.
    pub(crate) async fn apply_renewal(
        &self,
        actor: &Actor,
        domain: &Domain,
        years: u32,
        cost: Money,
        kind: &'static str,
        how: &str,
    ) -> Result<Domain, RegistrarError> {
        let now = self.now();
        let new_expiration = add_years(domain.expiration_date, years);
        let what = if kind == "restore" {
            "Restore"
        } else {
            "Renewal"
        };
        let renewal = Renewal {
            domain_id: domain.id,
            account_id: domain.account_id,
            old_expiration: domain.expiration_date,
            new_expiration,
            cost,
            kind,
            description: format!("{what} of {} for {years} year(s)", domain.domain_name),
            mail: mail::renewed(domain, new_expiration, cost, how),
            now,
        };
        let audit = Audit {
            actor,
            action: if kind == "restore" {
                "domain.restore"
            } else {
                "domain.renew"
            },
            changes: changes(&[
                (
                    "expiration_date",
                    ts(domain.expiration_date),
                    ts(new_expiration),
                ),
                ("status", json!(domain.status.as_str()), json!("active")),
                ("cost", Value::Null, json!(cost.to_string())),
            ]),
        };
        let renewed = match self.store.renew_domain(&renewal, &audit).await {
            Ok(d) => d,
            Err(StoreError::InsufficientFunds) => {
                return Err(self
                    .short_of_funds(
                        domain.account_id,
                        cost,
                        &format!("Renewing {}", domain.domain_name),
                    )
                    .await)
            }
            Err(StoreError::StateChanged) => {
                return Err(RegistrarError::Conflict(format!(
                    "{} changed while this request ran (another renewal?): fetch it and try again.",
                    domain.domain_name
                )))
            }
            Err(e) => return Err(e.into()),
        };
        if let Err(e) = self
            .registry
            .renew(&domain.domain_name, domain.expiration_date, years, now)
            .await
        {
            tracing::error!(domain = %domain.domain_name, error = %e, "registry refused a renewal; refunding");
            self.store
                .undo_renewal(
                    &renewal,
                    domain.status.as_str(),
                    &Audit {
                        actor,
                        action: "domain.renew_refused",
                        changes: changes(&[(
                            "expiration_date",
                            ts(new_expiration),
                            ts(domain.expiration_date),
                        )]),
                    },
                )
                .await?;
            return Err(e.into());
        }
        Ok(renewed)
    }
}
