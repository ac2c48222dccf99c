//! A real registry behind the [`Registry`] trait: [`EppRegistry`] speaks
//! EPP (RFC 5730 protocol, RFC 5731 domains, RFC 5732 hosts, RFC 5734 TCP
//! with TLS) to a registry's server, with the messages and framing of the
//! `instant-epp` crate.
//!
//! What this crate adds to `instant-epp`: the operator's configuration
//! ([`config`]), a pool of logged-in sessions with keepalive, reconnection
//! and a command rate ([`session`]), and the mapping of the registrar's
//! operations to EPP commands, including what to do when an answer never
//! comes (reconcile by asking the registry, never guess).
//!
//! Our own login (`clID`) is shown to the registrar as
//! [`vpsd_registry::OUR_REGISTRAR`], so "sponsored by us" reads the same
//! whichever registry holds the name.

pub mod config;
mod contacts;
mod fee;
mod mapping;
mod namestore;
mod raw;
mod records;
mod session;

use std::net::IpAddr;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use instant_epp::domain::update::{DomainAdd, DomainChangeInfo, DomainRemove};
use instant_epp::domain::{
    DomainAuthInfo, DomainCheck, DomainCreate, DomainDelete, DomainRenew, DomainTransfer,
    DomainUpdate, HostInfo, HostObj, NameServers, Period, PeriodLength, Status,
};
use instant_epp::extensions::rgp::report::{RgpRestoreReport, Update as ReportUpdate};
use instant_epp::extensions::rgp::request::{RgpRestoreRequest, Update as RequestUpdate};
use instant_epp::host::update::{HostAdd, HostRemove};
use instant_epp::host::{
    HostCheck, HostCreate, HostDelete, HostInfo as HostInfoCommand, HostUpdate,
    Status as HostStatus,
};
use instant_epp::poll::{Ack, PollData};
use rustls::ClientConfig;
use vpsd_domain::lifecycle::add_years;
use vpsd_registry::{
    format_cents, new_auth_code, AgreedFee, ChangeNotice, HostObject, Registry, RegistryError,
    RegistryFees, RegistryMessage, RegistryRecord, SandboxRegistry, TrStatus, TransferNotice,
    TransferRefusal, OUR_REGISTRAR,
};

pub use config::{ConfigError, ContactPolicy, RegistryConfig};

/// The domain mapping's namespace (RFC 5731).
pub(crate) const DOMAIN_NS: &str = "urn:ietf:params:xml:ns:domain-1.0";
/// The host mapping's namespace (RFC 5732).
pub(crate) const HOST_NS: &str = "urn:ietf:params:xml:ns:host-1.0";
pub use session::EppError;
use session::Sessions;

/// One real registry, spoken to over EPP.
#[derive(Debug, Clone)]
pub struct EppRegistry {
    config: Arc<RegistryConfig>,
    sessions: Arc<Sessions>,
    /// When the poll queue was last found empty (`None`: not since the
    /// last message), so an empty queue is asked at most every
    /// `poll_interval`.
    last_empty_poll: Arc<std::sync::Mutex<Option<std::time::Instant>>>,
}

/// The TLS client configuration for `config`: TLS 1.2 or 1.3 (RFC 5734
/// §9 asks for TLS; RFC 9325 for 1.2 at least), trusting only the
/// configured CA, with our client certificate.
///
/// # Errors
/// The certificate and key do not match, or a CA certificate is invalid.
fn tls_config(config: &RegistryConfig) -> Result<ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for ca in &config.ca {
        roots.add(ca.clone())?;
    }
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots);
    builder.with_client_auth_cert(
        config.identity.certificates.clone(),
        config.identity.key.clone_key(),
    )
}

impl EppRegistry {
    /// The registry of `config`; no session opens until the first command.
    ///
    /// # Errors
    /// A message naming the fault when the TLS identity cannot be used (a
    /// key that does not match the certificate, a bad CA certificate).
    pub fn new(config: RegistryConfig) -> Result<Self, String> {
        let tls = tls_config(&config).map_err(|e| {
            format!(
                "registry {}: `certificate`, `key` or `ca` cannot be used: {e} (certificates must be X.509 version 3, the key the certificate's own; docs/registries.md shows how to make them)",
                config.name
            )
        })?;
        let config = Arc::new(config);
        Ok(Self {
            sessions: Arc::new(Sessions::new(config.clone(), Arc::new(tls))),
            config,
            last_empty_poll: Arc::default(),
        })
    }

    /// The registry's settings (never shows the password).
    pub fn config(&self) -> &RegistryConfig {
        &self.config
    }

    /// Logs in once to check the configuration (at start, in the
    /// background: a registry that is down must not stop the API). `Err`
    /// says which key is most likely at fault: `host`/`port` for a
    /// connection refused, `ca` for a server certificate the CA did not
    /// sign, `host` for one made for another name, `client_id` or the
    /// password for a refused login.
    pub async fn probe(&self) -> Result<(), String> {
        let c = &self.config;
        let Err(e) = self.sessions.probe().await else {
            return Ok(());
        };
        let chain = vpsd_domain::ErrorChain(&e).to_string();
        let hint = if chain.contains("UnknownIssuer") || chain.contains("unknown issuer") {
            "`ca`: the registry's certificate is not signed by the CA given".to_owned()
        } else if chain.contains("NotValidForName") || chain.contains("not valid for name") {
            format!(
                "`host`: the registry's certificate is not made for {}",
                c.host
            )
        } else if chain.contains("refused") && chain.contains("os error") {
            format!("`host`/`port`: nothing answers at {}:{}", c.host, c.port)
        } else if chain.contains("uthentication")
            || chain.contains("2200")
            || chain.contains("2501")
        {
            "`client_id` or the password: the registry refused the login".to_owned()
        } else if chain.contains("CertificateRequired") || chain.contains("certificate") {
            "`certificate`/`key`: the registry did not accept our client certificate".to_owned()
        } else {
            format!("`host`/`port`: no EPP session with {}:{}", c.host, c.port)
        };
        Err(format!("registry {}: {hint} ({chain})", c.name))
    }

    /// Keeps idle sessions alive with `<hello>` until the task is dropped;
    /// spawn it once per registry.
    pub async fn keep_alive(self) {
        let every = self.sessions.keepalive_every();
        loop {
            tokio::time::sleep(every).await;
            self.sessions.keep_alive().await;
        }
    }

    /// Our login shown as [`OUR_REGISTRAR`]; another registrar's as it is.
    fn sponsor(&self, cl_id: &str) -> String {
        if cl_id == self.config.client_id {
            OUR_REGISTRAR.to_owned()
        } else {
            cl_id.to_owned()
        }
    }

    /// `<domain:info>`, retried once on a fresh session when the answer is
    /// lost (a read changes nothing). `None` when the name is not
    /// registered (2303). Sent and read by `raw.rs`, since the answer may
    /// carry `<rgp:infData>`.
    async fn domain_info(
        &self,
        name: &str,
        auth_code: Option<&str>,
    ) -> Result<Option<records::Info>, EppError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent = self
                .sessions
                .run_raw("domain:info", |id| raw::info_command(name, auth_code, id))
                .await;
            let text = match sent {
                Ok(text) => text,
                Err(EppError::Unknown(_)) | Err(EppError::NotSent(_)) if attempt < 2 => continue,
                Err(e) => return Err(e),
            };
            let answer = raw::info_answer(&text).map_err(|e| {
                EppError::Unknown(format!("an info answer that cannot be read: {e}").into())
            })?;
            let code = answer.result.code as u16;
            if code == 2303 {
                return Ok(None);
            }
            if !answer.result.code.is_success() {
                return Err(EppError::Refused {
                    code,
                    message: answer.result.message,
                });
            }
            let Some(data) = answer.res_data() else {
                return Err(EppError::Unknown(
                    "the registry's info answer had no <resData>".into(),
                ));
            };
            if !data.name.trim_end_matches('.').eq_ignore_ascii_case(name) {
                return Err(EppError::Unknown(
                    format!(
                        "the registry's info answer is about {}, not {name}",
                        data.name
                    )
                    .into(),
                ));
            }
            let mut info = records::Info::from_epp(data, |c| self.sponsor(c));
            if answer.extension.is_some() {
                // An RGP status: the name was deleted and waits in the
                // redemption grace period (RFC 3915 §3).
                info.pending_delete = true;
            }
            return Ok(Some(info));
        }
    }

    /// The record of `name` with the pending transfer's gaining registrar
    /// read by a transfer query when the status says one is pending.
    async fn record(&self, name: &str) -> Result<Option<RegistryRecord>, EppError> {
        let Some(info) = self.domain_info(name, None).await? else {
            return Ok(None);
        };
        let mut record = info.record;
        if info.pending_transfer && record.sponsoring_registrar == OUR_REGISTRAR {
            let query = DomainTransfer::query(name, &record.auth_code);
            if let Ok(rsp) = self.sessions.run("domain:transfer query", &query).await {
                if let Some(t) = rsp.res_data() {
                    if t.transfer_status == "pending" {
                        record.pending_transfer_to = Some(self.sponsor(&t.requester_id));
                    }
                }
            }
        }
        Ok(Some(record))
    }

    /// RFC 5732: every name server of a domain is a host object at the
    /// registry; the ones not there yet are created without addresses (an
    /// external host). A name server inside a domain of this registry needs
    /// its addresses (glue): it is created first with
    /// [`Registry::host_create`] (the API's `hosts/`), else the registry
    /// refuses it here.
    async fn ensure_hosts(&self, nameservers: &[String]) -> Result<(), RegistryError> {
        if nameservers.is_empty() {
            return Ok(());
        }
        let names: Vec<&str> = nameservers.iter().map(String::as_str).collect();
        let rsp = self
            .sessions
            .run("host:check", &HostCheck { hosts: &names })
            .await
            .map_err(unavailable)?;
        let Some(data) = rsp.res_data() else {
            return Err(unavailable("the registry's host check had no <resData>"));
        };
        for host in data.list.iter().filter(|h| h.name.available) {
            let none: Option<&[IpAddr]> = None;
            match self
                .sessions
                .run("host:create", &HostCreate::new(&host.name.value, none))
                .await
            {
                Ok(_) | Err(EppError::Refused { code: 2302, .. }) => {}
                Err(e) => return Err(refused(e)),
            }
        }
        Ok(())
    }

    async fn set_statuses(
        &self,
        name: &str,
        client_transfer_prohibited: bool,
    ) -> Result<(), EppError> {
        let status = [Status::ClientTransferProhibited];
        let mut update = DomainUpdate::new(name);
        if client_transfer_prohibited {
            update.add(DomainAdd {
                ns: None,
                contacts: None,
                statuses: Some(&status),
            });
        } else {
            update.remove(DomainRemove {
                ns: None,
                contacts: None,
                statuses: Some(&status),
            });
        }
        match self.sessions.run("domain:update status", &update).await {
            // Adding a status the name has, or removing one it has not,
            // is refused by some registries; the result is what we asked.
            Ok(_) | Err(EppError::Refused { code: 2306, .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Creates the name, or finds it ours when an earlier attempt made it.
    async fn create_or_find(
        &self,
        name: &str,
        years: u32,
        nameservers: &[String],
        contacts: Option<&vpsd_registry::RegistryDomainContacts>,
        fee: Option<&AgreedFee>,
    ) -> Result<RegistryRecord, RegistryError> {
        namestore::for_domain(name, self.ensure_hosts(nameservers)).await?;
        let period = Period::Years(
            PeriodLength::new(u8::try_from(years).unwrap_or(u8::MAX))
                .map_err(|e| unavailable(format!("period of {years} years: {e}")))?,
        );
        let hosts: Vec<HostInfo<'_>> = nameservers
            .iter()
            .map(|n| {
                HostInfo::Obj(HostObj {
                    name: n.as_str().into(),
                })
            })
            .collect();
        let auth_code = new_auth_code();
        let ns = (!hosts.is_empty()).then_some(hosts.as_slice());
        // A thick registry's contacts (RFC 5731 §3.2.1), objects there
        // already (`contacts.rs`); none for a thin one.
        let (registrant, typed) = contacts::for_create(contacts);
        let typed = (!typed.is_empty()).then_some(typed.as_slice());
        let create = DomainCreate::new(name, period, ns, registrant.as_deref(), &auth_code, typed);
        // A premium name is created at the fee the customer was charged
        // for, not asked again: a fee the registry raised since is refused
        // there (RFC 8748 §3.8: 2004) rather than paid.
        let agreed = fee.map(|f| fee::FeeCreate {
            currency: f.currency.clone(),
            fee: format_cents(f.cents),
        });
        let mut tried_again = false;
        loop {
            let sent = match &agreed {
                Some(fee) => self
                    .sessions
                    .run("domain:create", (&create, fee))
                    .await
                    .map(|rsp| {
                        if let Some(charged) = rsp.extension() {
                            tracing::info!(domain = %name, fee = %fee.fee,
                                currency = charged.currency.as_deref().unwrap_or("-"),
                                "premium name created at its fee (RFC 8748)");
                        }
                        let data = rsp.res_data().map(|d| (d.created_at, d.expiring_at));
                        (rsp.result.code as u16, data)
                    }),
                None => self
                    .sessions
                    .run("domain:create", &create)
                    .await
                    .map(|rsp| {
                        let data = rsp.res_data().map(|d| (d.created_at, d.expiring_at));
                        (rsp.result.code as u16, data)
                    }),
            };
            match sent {
                Ok((1001, _)) => return Err(RegistryError::Pending),
                Ok((_, data)) => {
                    let Some((created_at, expiring_at)) = data else {
                        return Err(unavailable("the registry's create answer had no <resData>"));
                    };
                    return Ok(RegistryRecord {
                        name: name.to_owned(),
                        sponsoring_registrar: OUR_REGISTRAR.to_owned(),
                        auth_code,
                        created_at,
                        ex_date: expiring_at.unwrap_or_else(|| add_years(created_at, years)),
                        last_transferred_at: None,
                        client_transfer_prohibited: false,
                        nameservers: nameservers.to_vec(),
                        pending_transfer_to: None,
                        server_statuses: Vec::new(),
                    });
                }
                // Exists (2302), or the answer was lost: ask before anything
                // else. Ours means an earlier attempt made it.
                Err(e @ (EppError::Refused { code: 2302, .. } | EppError::Unknown(_))) => {
                    let lost = matches!(e, EppError::Unknown(_));
                    let info = match self.domain_info(name, None).await {
                        Ok(info) => info,
                        Err(asked) if lost => return Err(RegistryError::Unknown(Box::new(asked))),
                        Err(asked) => return Err(unavailable(asked)),
                    };
                    match info {
                        Some(info) if info.record.sponsoring_registrar == OUR_REGISTRAR => {
                            if info.pending_create {
                                return Err(RegistryError::Pending);
                            }
                            return Ok(info.record);
                        }
                        Some(info) => {
                            return Err(RegistryError::Taken {
                                sponsoring_registrar: info.record.sponsoring_registrar,
                            })
                        }
                        // Not there: the lost create did not happen; send it
                        // once more.
                        None if !tried_again && matches!(e, EppError::Unknown(_)) => {
                            tried_again = true;
                        }
                        None => return Err(unavailable(e)),
                    }
                }
                Err(e) => return Err(refused(e)),
            }
        }
    }
}

impl EppRegistry {
    /// RFC 8748 `<fee:check>` of `name` for `years` years, when the
    /// registry announced fee-1.0; `None` when it did not, or prices the
    /// name as standard. Retried once on a fresh session when the answer
    /// is lost (a check changes nothing).
    async fn registry_fees(
        &self,
        name: &str,
        years: u32,
    ) -> Result<Option<RegistryFees>, EppError> {
        if !self.sessions.announces_fee().await? {
            return Ok(None);
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent = self
                .sessions
                .run_raw("domain:check fee", |id| fee::check_command(name, years, id))
                .await;
            let text = match sent {
                Ok(text) => text,
                Err(EppError::Unknown(_)) | Err(EppError::NotSent(_)) if attempt < 2 => continue,
                Err(e) => return Err(e),
            };
            return fee::check_answer(&text, name, years).map_err(|e| EppError::Unknown(e.into()));
        }
    }
}

impl EppRegistry {
    /// The RGP restore request of `name` with `<fee:update>` agreeing to
    /// `fee` (RFC 8748 §5.2.5), written by `fee.rs`: instant-epp carries
    /// one extension per command.
    async fn restore_request_with_fee(&self, name: &str, fee: &AgreedFee) -> Result<(), EppError> {
        let text = self
            .sessions
            .run_raw("domain:update rgp restore request", |id| {
                fee::restore_request_command(name, fee, id)
            })
            .await?;
        let (code, message) = fee::result_of(&text).map_err(|e| {
            EppError::Unknown(format!("a restore answer that cannot be read: {e}").into())
        })?;
        if code < 2000 {
            tracing::info!(domain = %name, fee = %format_cents(fee.cents), currency = %fee.currency,
                "premium name's restore requested at its fee (RFC 8748)");
            Ok(())
        } else {
            Err(EppError::Refused { code, message })
        }
    }
}

/// The restore report's reason (RFC 3915 §4.3 `resReason`).
const RESTORE_REASON: &str = "The registrant asked for the name back during its redemption period.";

/// The two statements RFC 3915 §4.3 asks of the registrar, in its words.
const RESTORE_STATEMENTS: [&str; 2] = [
    "This registrar has not restored the Registered Name in order to assume the rights to use or sell the Registered Name for itself or for any third party.",
    "The information in this report is true to best of this registrar's knowledge, and this registrar acknowledges that intentionally supplying false information in this report shall constitute an incurable material breach of the Registry-Registrar Agreement.",
];

/// A name's registration data as a restore report gives it (RFC 3915
/// §4.3 preData/postData: free text): the name, its sponsoring registrar
/// and when it was deleted; restored unchanged.
fn registration_data(name: &str, client_id: &str, deleted_at: DateTime<Utc>) -> String {
    format!(
        "Domain Name: {name}\nSponsoring Registrar: {client_id}\nDeleted: {}\nRestored unchanged.",
        deleted_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
}

/// A refused restore request or report as the trait says it.
fn restore_refused(e: EppError) -> RegistryError {
    match e {
        EppError::Refused {
            code: 2304,
            message,
        } => RegistryError::StatusProhibits(message),
        EppError::Refused { code: 2201, .. } => RegistryError::NotSponsored,
        EppError::Refused { code: 2303, .. } => RegistryError::NotFound,
        e => unavailable(e),
    }
}

fn unavailable(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> RegistryError {
    RegistryError::Unavailable(e.into())
}

/// A refusal as the registrar reads it: definite ([`RegistryError::Refused`])
/// for a result code, unavailable when no answer could be had.
fn refused(e: EppError) -> RegistryError {
    match e {
        EppError::Refused { code, message } => RegistryError::Refused { code, message },
        other => unavailable(other),
    }
}

fn transfer_unavailable(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> TransferRefusal {
    TransferRefusal::Unavailable(e.into())
}

impl EppRegistry {
    /// `<domain:trnData>` of a poll message, with our clID shown as
    /// [`OUR_REGISTRAR`].
    fn transfer_notice(
        &self,
        t: &instant_epp::domain::transfer::TransferData,
    ) -> Option<TransferNotice> {
        Some(TransferNotice {
            name: t.name.to_ascii_lowercase(),
            tr_status: TrStatus::parse(&t.transfer_status)?,
            requesting_registrar: self.sponsor(&t.requester_id),
            requested_at: t.requested_at,
            acting_registrar: self.sponsor(&t.ack_id),
            acted_at: t.ack_by,
            ex_date: t.expiring_at,
        })
    }

    /// Whether `name` is ours and registered, not deleted: EPP status
    /// `pendingDelete`, which the registry sets throughout the redemption
    /// grace period (`redemptionPeriod`, `pendingRestore`, `pendingDelete`,
    /// RFC 3915 §3.1), is gone. The status is read rather than
    /// `<rgp:infData>`: instant-epp's `<domain:info>` takes the RGP answer
    /// only with a restore request attached to the command.
    async fn restored(&self, name: &str) -> Result<bool, EppError> {
        Ok(matches!(
            self.domain_info(name, None).await?,
            Some(info) if info.record.sponsoring_registrar == OUR_REGISTRAR && !info.pending_delete
        ))
    }

    /// `<domain:transfer op="query">`: the transfer's status and
    /// requesting registrar (as [`EppRegistry::sponsor`] shows it).
    async fn transfer_status(
        &self,
        name: &str,
        auth_code: &str,
    ) -> Result<Option<(String, String)>, EppError> {
        match self
            .sessions
            .run(
                "domain:transfer query",
                &DomainTransfer::query(name, auth_code),
            )
            .await
        {
            Ok(rsp) => Ok(rsp
                .res_data()
                .map(|t| (t.transfer_status.clone(), self.sponsor(&t.requester_id)))),
            Err(EppError::Refused {
                code: 2301 | 2303, ..
            }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
