//! The registrar's operations: what a customer asks for, checked against the
//! rules, paid for, and carried to the registry.
//!
//! - [`Registrar`] holds the operations the HTTP layer calls and returns
//!   [`RegistrarError`]s that say what to do; each concern adds its own
//!   `impl Registrar` block in a file of its own:
//!   - `accounts`: accounts, credits, the ledger, API tokens;
//!   - `contacts`: contacts (RFC 5733) and the contacts a domain takes;
//!   - `register`: check, list, detail, register ([`Registration`]);
//!   - `update`: settings changes ([`SettingsUpdate`]) and remove;
//!   - `transfer_in`: import and transfer in;
//!   - `renew`: renew and restore;
//!   - `cancel`: a registration within its add grace period, a pending
//!     transfer in, each refunded;
//!   - `premium`: the prices of premium names ([`Quote`]);
//!   - `transfer_out`: auth codes and transfers away from VPS.org;
//!   - `records` and `forwards`: DNS records, email and URL forwards;
//!   - `error`: [`RegistrarError`]; its `Unavailable` and `Internal` keep
//!     the store's or the registry's error as their source, and
//!     [`ErrorChain`] prints the whole chain for the logs.
//! - [`worker`] runs the jobs nobody asks for, a file per kind: completes
//!   pending registrations and transfers when their delay has passed,
//!   approves unanswered transfers out, renews, warns, expires, releases,
//!   and purges its own bookkeeping. A job that fails is logged and counted
//!   and the pass goes on; [`worker::run_once`] is one pass, which tests
//!   call.
//! - [`mail`] writes the confirmation mails that go into the outbox.
//!
//! Every operation runs in a `tracing` span (`skip_all`; the account,
//! domain and request id as fields, never a token, an auth code or a
//! password), and so does each worker job.
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
use vpsd_domain::{Clock, Money, Nameservers};
use vpsd_registry::Registry;
use vpsd_storage::{Actor, Audit, Domain, Store};

mod accounts;
mod cancel;
mod contacts;
mod dns_update;
mod error;
mod forwards;
mod hosts;
pub mod mail;
mod premium;
mod records;
mod register;
mod registry_contacts;
mod registry_messages;
mod renew;
pub mod secrets;
mod transfer_in;
mod transfer_out;
mod tsig_keys;
mod update;
pub mod worker;
mod zone_file;
pub use dns_update::UpdateOutcome;
pub use tsig_keys::{NewKey, UsableKey};
pub use zone_file::{ImportMode, ZoneFileRefused, ZoneImport};

pub use cancel::CancelledTransfer;
pub use contacts::RegistrantVerification;
pub use error::{BoxError, Context, ErrorChain, RegistrarError};
pub use premium::Quote;
pub use register::Registration;
pub use registry_contacts::privacy_object_id;
pub use registry_messages::MessageOutcome;
pub use update::SettingsUpdate;
pub use vpsd_registry::HostObject;

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
    /// How much above the registry's fee a premium name sells, in percent
    /// (RFC 8748; never below the TLD's list price).
    pub premium_markup_percent: u32,
    /// The operator's secrets key, which TSIG secrets are sealed with
    /// (`--secrets-key-file`); without one no TSIG key can be made.
    pub secrets: Option<secrets::SecretsKey>,
    /// The privacy service's contact: what the public sees instead of the
    /// customer's contacts while a domain's privacy protection is on
    /// (`vpsd serve --privacy-contact`; docs/api.md, "WHOIS").
    pub privacy_contact: vpsd_domain::contact::ContactData,
    /// The privacy mail domain: with privacy protection on, the public
    /// reaches a domain's registrant at `<domain A-label>@<this>`, which
    /// Postfix forwards to the registrant's email (`vpsd serve
    /// --privacy-mail-domain`; default `privacy.` and the privacy
    /// contact's email domain, `vpsd_domain::contact::default_privacy_mail_domain`).
    pub privacy_mail_domain: String,
    /// How long a registrant's email may stay unverified before its
    /// domains are flagged and the account warned (ICANN's RAA, Whois
    /// Accuracy Program Specification: 15 days). Nothing is suspended.
    pub registrant_verification_period: Duration,
    /// Where the verification mails' links point: the server's public
    /// address (`--public-url`), ending without a slash.
    pub public_url: String,
}

impl Default for RegistrarSettings {
    fn default() -> Self {
        Self {
            registration_delay: Duration::from_secs(5 * 60),
            transfer_delay: Duration::from_secs(5 * 24 * 3600),
            own_nameservers: Nameservers::vps_default().to_strings(),
            auto_renew_lead: Duration::from_secs(30 * 24 * 3600),
            premium_markup_percent: vpsd_domain::pricing::DEFAULT_PREMIUM_MARKUP_PERCENT,
            secrets: None,
            privacy_contact: vpsd_domain::contact::default_privacy_contact(),
            privacy_mail_domain: vpsd_domain::contact::default_privacy_mail_domain(
                &vpsd_domain::contact::default_privacy_contact().email,
            ),
            registrant_verification_period: Duration::from_secs(15 * 24 * 3600),
            public_url: "http://127.0.0.1:8080".to_owned(),
        }
    }
}

/// The registrar's operations on one store, registry and clock; cheap to
/// clone (shared parts).
#[derive(Debug, Clone)]
pub struct Registrar {
    store: Arc<dyn Store>,
    registry: Arc<dyn Registry>,
    clock: Arc<dyn Clock>,
    /// Shared: a `Registrar` is cloned into every request.
    settings: Arc<RegistrarSettings>,
    /// The registries whose privacy service object this process has sent
    /// (`registry_contacts.rs`).
    privacy_objects: Arc<registry_contacts::PrivacyObjectsSent>,
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
    /// A registrar on `store`, speaking to `registry`, reading time from
    /// `clock`.
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
            privacy_objects: Arc::default(),
        }
    }

    /// Now, by the registrar's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// How this registrar behaves.
    pub fn settings(&self) -> &RegistrarSettings {
        &self.settings
    }

    /// Whether the registry is the embedded sandbox.
    pub fn is_sandbox(&self) -> bool {
        self.registry.is_sandbox()
    }

    /// Runs `call`, commands to the registry about `domain`, with the
    /// actor's request id as their clTRIDs' origin, and records
    /// the EPP transactions it made (a real registry's: command, `clTRID`,
    /// `svTRID`, result code; the sandbox makes none) in the domain's audit
    /// log as one `domain.registry_commands` entry by `actor`. A failure to
    /// write that entry is logged, not returned: the registry's answer
    /// stands either way.
    pub(crate) async fn at_registry<T>(
        &self,
        actor: &Actor,
        domain: &Domain,
        call: impl std::future::Future<Output = T>,
    ) -> T {
        // The commands' clTRIDs name what they were sent for: the API
        // request's X-Request-Id, or `worker` / `operator`.
        let origin = actor
            .request_id
            .clone()
            .unwrap_or_else(|| actor.kind.to_owned());
        let (out, trail) =
            vpsd_registry::with_request_id(origin, vpsd_registry::recording(call)).await;
        if trail.is_empty() {
            return out;
        }
        let transactions: Vec<serde_json::Value> = trail
            .iter()
            .map(|t| {
                serde_json::json!({
                    "registry": t.registry,
                    "command": t.command,
                    "clTRID": t.cl_trid,
                    "svTRID": t.sv_trid,
                    "code": t.code,
                })
            })
            .collect();
        let audit = Audit {
            actor,
            action: vpsd_domain::AuditAction::DomainRegistryCommands,
            changes: changes(&[(
                "registry_transactions",
                serde_json::Value::Null,
                serde_json::Value::Array(transactions),
            )]),
        };
        if let Err(e) = self
            .store
            .append_audit(
                domain.account_id,
                Some((domain.id, &domain.domain_name)),
                self.now(),
                &audit,
            )
            .await
        {
            tracing::warn!(domain = %domain.domain_name, error = %ErrorChain(&e), "the registry commands could not be written to the audit log");
        }
        out
    }

    /// The store the operations read and write.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    async fn short_of_funds(
        &self,
        account_id: vpsd_domain::AccountId,
        cost: Money,
        what: &str,
    ) -> RegistrarError {
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
}
