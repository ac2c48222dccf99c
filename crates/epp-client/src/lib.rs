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
use instant_epp::host::{HostCheck, HostCreate};
use instant_epp::poll::{Ack, Poll, PollData};
use rustls::ClientConfig;
use vpsd_domain::lifecycle::add_years;
use vpsd_registry::{
    new_auth_code, Registry, RegistryError, RegistryMessage, RegistryRecord, SandboxRegistry,
    TrStatus, TransferNotice, TransferRefusal, OUR_REGISTRAR,
};

pub use config::{ConfigError, RegistryConfig};
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
    /// registry; the ones not there yet are created (without addresses:
    /// glue for a name server inside a domain of this registry is not
    /// carried by the API yet, and the registry refuses such a host).
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
    ) -> Result<RegistryRecord, RegistryError> {
        self.ensure_hosts(nameservers).await?;
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
        let create = DomainCreate::new(name, period, ns, None, &auth_code, None);
        let mut tried_again = false;
        loop {
            match self.sessions.run("domain:create", &create).await {
                Ok(rsp) if rsp.result.code as u16 == 1001 => return Err(RegistryError::Pending),
                Ok(rsp) => {
                    let Some(data) = rsp.res_data() else {
                        return Err(unavailable("the registry's create answer had no <resData>"));
                    };
                    return Ok(RegistryRecord {
                        name: name.to_owned(),
                        sponsoring_registrar: OUR_REGISTRAR.to_owned(),
                        auth_code,
                        created_at: data.created_at,
                        ex_date: data
                            .expiring_at
                            .unwrap_or_else(|| add_years(data.created_at, years)),
                        last_transferred_at: None,
                        client_transfer_prohibited: false,
                        nameservers: nameservers.to_vec(),
                        pending_transfer_to: None,
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

#[async_trait]
impl Registry for EppRegistry {
    async fn info(&self, name: &str) -> Result<Option<RegistryRecord>, RegistryError> {
        self.record(name).await.map_err(unavailable)
    }

    async fn check(&self, name: &str) -> Result<bool, RegistryError> {
        let names = [name];
        let rsp = self
            .sessions
            .run("domain:check", &DomainCheck { domains: &names })
            .await
            .map_err(unavailable)?;
        rsp.res_data()
            .and_then(|d| {
                d.list
                    .iter()
                    .find(|c| c.name.value.eq_ignore_ascii_case(name))
            })
            .map(|c| c.name.available)
            .ok_or_else(|| unavailable("the registry's check answer did not name the domain"))
    }

    async fn create(
        &self,
        name: &str,
        years: u32,
        nameservers: &[String],
        _now: DateTime<Utc>,
    ) -> Result<RegistryRecord, RegistryError> {
        let mut record = self.create_or_find(name, years, nameservers).await?;
        // Names are created locked (the API's `locked` starts true), as the
        // sandbox registry does.
        if !record.client_transfer_prohibited {
            self.set_statuses(name, true).await.map_err(unavailable)?;
            record.client_transfer_prohibited = true;
        }
        Ok(record)
    }

    async fn delete(&self, name: &str, _now: DateTime<Utc>) -> Result<(), RegistryError> {
        match self
            .sessions
            .run("domain:delete", &DomainDelete::new(name))
            .await
        {
            Ok(_) => Ok(()),
            Err(EppError::Refused { code: 2303, .. }) => Ok(()),
            Err(EppError::Refused { code: 2201, .. }) => Err(RegistryError::NotSponsored),
            // Lost, or refused for the name's status (2304: deleted already,
            // in its redemption grace period): the name says.
            Err(e @ (EppError::Unknown(_) | EppError::Refused { code: 2304, .. })) => {
                match self.domain_info(name, None).await {
                    // Gone, or pending deletion: the delete took effect.
                    Ok(None) => Ok(()),
                    Ok(Some(info)) if info.pending_delete => Ok(()),
                    _ => Err(unavailable(e)),
                }
            }
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn restore(
        &self,
        name: &str,
        deleted_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        // The registration data the report gives (RFC 3915 §4.3 preData,
        // postData, free text): the name restored as it was. Not read with
        // <domain:info> first: a deleted name's info answer carries
        // <rgp:infData>, which instant-epp 0.5 cannot take with a plain info.
        let data = registration_data(name, &self.config.client_id, deleted_at);
        let mut update = DomainUpdate::new(name);
        update.info(DomainChangeInfo {
            registrant: None,
            auth_info: None,
        });
        let request = RequestUpdate {
            data: RgpRestoreRequest::default(),
        };
        match self
            .sessions
            .run("domain:update rgp restore request", (&update, &request))
            .await
        {
            Ok(_) => {}
            // Lost: the name says whether it took. Restored already (some
            // registries restore on the request) or still deleted, in which
            // case the report below tells redemptionPeriod (2304: the
            // request did not take) from pendingRestore.
            Err(EppError::Unknown(e)) => {
                if self.restored(name).await.map_err(unavailable)? {
                    return Ok(());
                }
                tracing::info!(domain = %name, error = %e,
                    "restore request's answer lost; the name is still deleted, reporting");
            }
            Err(e) => return Err(restore_refused(e)),
        }
        let report = ReportUpdate {
            data: RgpRestoreReport::new(
                &data,
                &data,
                deleted_at,
                now,
                RESTORE_REASON,
                &RESTORE_STATEMENTS,
                "",
            ),
        };
        match self
            .sessions
            .run("domain:update rgp restore report", (&update, &report))
            .await
        {
            Ok(_) => Ok(()),
            Err(EppError::Unknown(e)) => match self.restored(name).await {
                Ok(true) => Ok(()),
                _ => Err(RegistryError::Unavailable(e)),
            },
            Err(e) => Err(restore_refused(e)),
        }
    }

    async fn update(
        &self,
        name: &str,
        nameservers: Option<&[String]>,
        client_transfer_prohibited: Option<bool>,
        _now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        let Some(current) = self.record(name).await.map_err(unavailable)? else {
            return Err(RegistryError::NotFound);
        };
        if current.sponsoring_registrar != OUR_REGISTRAR {
            return Err(RegistryError::NotSponsored);
        }
        if let Some(wanted) = nameservers {
            self.ensure_hosts(wanted).await?;
            let lower = |v: &[String]| -> Vec<String> {
                v.iter().map(|n| n.to_ascii_lowercase()).collect()
            };
            let have = lower(&current.nameservers);
            let want = lower(wanted);
            let add: Vec<HostInfo<'_>> = want
                .iter()
                .filter(|n| !have.contains(n))
                .map(|n| {
                    HostInfo::Obj(HostObj {
                        name: n.clone().into(),
                    })
                })
                .collect();
            let rem: Vec<HostInfo<'_>> = have
                .iter()
                .filter(|n| !want.contains(n))
                .map(|n| {
                    HostInfo::Obj(HostObj {
                        name: n.clone().into(),
                    })
                })
                .collect();
            if !add.is_empty() || !rem.is_empty() {
                let mut update = DomainUpdate::new(name);
                if !add.is_empty() {
                    update.add(DomainAdd {
                        ns: Some(NameServers { ns: add.into() }),
                        contacts: None,
                        statuses: None,
                    });
                }
                if !rem.is_empty() {
                    update.remove(DomainRemove {
                        ns: Some(NameServers { ns: rem.into() }),
                        contacts: None,
                        statuses: None,
                    });
                }
                self.sessions
                    .run("domain:update ns", &update)
                    .await
                    .map_err(refused)?;
            }
        }
        if let Some(prohibited) = client_transfer_prohibited {
            if prohibited != current.client_transfer_prohibited {
                self.set_statuses(name, prohibited)
                    .await
                    .map_err(unavailable)?;
            }
        }
        Ok(())
    }

    async fn renew(
        &self,
        name: &str,
        cur_exp_date: DateTime<Utc>,
        years: u32,
        _now: DateTime<Utc>,
    ) -> Result<RegistryRecord, RegistryError> {
        let to = add_years(cur_exp_date, years);
        let period = Period::Years(
            PeriodLength::new(u8::try_from(years).unwrap_or(u8::MAX))
                .map_err(|e| unavailable(format!("period of {years} years: {e}")))?,
        );
        let renew = DomainRenew::new(name, cur_exp_date.date_naive(), period);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent = self.sessions.run("domain:renew", &renew).await;
            // Whatever the answer (taken, refused as already done, or lost),
            // the registry's record says where the term ends; `curExpDate`
            // makes a repeated renewal harmless (RFC 5731 §3.2.3).
            let refused = match sent {
                Ok(_) => None,
                Err(e @ (EppError::Unknown(_) | EppError::Refused { code: 2306, .. })) => Some(e),
                Err(EppError::Refused { code: 2303, .. }) => return Err(RegistryError::NotFound),
                Err(EppError::Refused { code: 2201, .. }) => {
                    return Err(RegistryError::NotSponsored)
                }
                Err(e) => return Err(refused(e)),
            };
            let lost = matches!(refused, Some(EppError::Unknown(_)));
            let record = match self.record(name).await {
                Ok(record) => record,
                // Sent, no answer, and no way to ask now: the outcome is
                // unknown.
                Err(e) if lost => return Err(RegistryError::Unknown(Box::new(e))),
                Err(e) => return Err(unavailable(e)),
            };
            match record {
                Some(r) if r.sponsoring_registrar != OUR_REGISTRAR => {
                    return Err(RegistryError::NotSponsored)
                }
                Some(r) if r.ex_date.date_naive() == to.date_naive() => return Ok(r),
                // The lost renewal did not take effect (a session the
                // registry had closed, say): send it once more.
                Some(r)
                    if lost
                        && attempt < 2
                        && r.ex_date.date_naive() == cur_exp_date.date_naive() => {}
                Some(r) => {
                    return Err(unavailable(match refused {
                        Some(e) => format!(
                            "renewal not applied ({e}); the registry has {name} expiring at {}",
                            r.ex_date
                        ),
                        None => format!(
                            "the registry has {name} expiring at {}, not {to}",
                            r.ex_date
                        ),
                    }))
                }
                None => return Err(RegistryError::NotFound),
            }
        }
    }

    async fn check_transfer(
        &self,
        name: &str,
        auth_code: &str,
        now: DateTime<Utc>,
    ) -> Result<(), TransferRefusal> {
        match self.domain_info(name, Some(auth_code)).await {
            Ok(None) => Err(TransferRefusal::NotRegistered),
            Ok(Some(info)) => {
                let mut record = info.record;
                if info.pending_transfer {
                    return Err(TransferRefusal::InProgress);
                }
                // The registry accepted the code for the info: it is right.
                record.auth_code = auth_code.to_owned();
                record.client_transfer_prohibited |= info.server_transfer_prohibited;
                SandboxRegistry::judge(Some(&record), OUR_REGISTRAR, auth_code, now)
            }
            Err(EppError::Refused { code: 2202, .. }) => Err(TransferRefusal::InvalidAuthCode),
            Err(e) => Err(transfer_unavailable(e)),
        }
    }

    async fn request_transfer(
        &self,
        name: &str,
        auth_code: &str,
        now: DateTime<Utc>,
    ) -> Result<(), TransferRefusal> {
        let request = DomainTransfer::new(name, None, auth_code);
        match self.sessions.run("domain:transfer request", &request).await {
            Ok(_) => Ok(()),
            Err(EppError::Refused { code, message }) => Err(match code {
                2202 => TransferRefusal::InvalidAuthCode,
                2300 => TransferRefusal::InProgress,
                2303 => TransferRefusal::NotRegistered,
                2304 => TransferRefusal::Prohibited,
                2002 | 2106 | 2201 => match self.check_transfer(name, auth_code, now).await {
                    Err(refusal) => refusal,
                    Ok(()) => transfer_unavailable(format!("{code}: {message}")),
                },
                _ => transfer_unavailable(format!("{code}: {message}")),
            }),
            // Lost answer: the query says whether our request stands.
            Err(EppError::Unknown(e)) => match self.transfer_status(name, auth_code).await {
                Ok(Some((status, requester)))
                    if status == "pending" && requester == OUR_REGISTRAR =>
                {
                    Ok(())
                }
                _ => Err(TransferRefusal::Unavailable(e)),
            },
            Err(e) => Err(transfer_unavailable(e)),
        }
    }

    async fn complete_transfer(
        &self,
        name: &str,
        _now: DateTime<Utc>,
    ) -> Result<RegistryRecord, TransferRefusal> {
        // At a real registry the losing registrar or the registry settles
        // the transfer; we read how it stands.
        let record = self
            .record(name)
            .await
            .map_err(transfer_unavailable)?
            .ok_or(TransferRefusal::NotRegistered)?;
        if record.sponsoring_registrar == OUR_REGISTRAR {
            return Ok(record);
        }
        match self.transfer_status(name, "").await {
            Ok(Some((status, requester))) if status == "pending" && requester == OUR_REGISTRAR => {
                Err(TransferRefusal::StillPending)
            }
            Ok(_) | Err(EppError::Refused { .. }) => Err(TransferRefusal::NotPending),
            Err(e) => Err(transfer_unavailable(e)),
        }
    }

    async fn cancel_transfer(&self, name: &str) -> Result<(), TransferRefusal> {
        match self
            .sessions
            .run("domain:transfer cancel", &DomainTransfer::cancel(name))
            .await
        {
            Ok(_) | Err(EppError::Refused { code: 2301, .. }) => Ok(()),
            Err(e) => Err(transfer_unavailable(e)),
        }
    }

    async fn approve_transfer(
        &self,
        name: &str,
        gaining: &str,
        _now: DateTime<Utc>,
    ) -> Result<(), TransferRefusal> {
        match self
            .sessions
            .run("domain:transfer approve", &DomainTransfer::approve(name))
            .await
        {
            Ok(_) => Ok(()),
            Err(EppError::Refused { code: 2301, .. }) | Err(EppError::Unknown(_)) => {
                // Approved already (a retried job), or not pending.
                match self.record(name).await {
                    Ok(Some(r)) if r.sponsoring_registrar == gaining => Ok(()),
                    Ok(_) => Err(TransferRefusal::NotPending),
                    Err(e) => Err(transfer_unavailable(e)),
                }
            }
            Err(EppError::Refused { code: 2201, .. }) => Err(TransferRefusal::SponsoredElsewhere),
            Err(e) => Err(transfer_unavailable(e)),
        }
    }

    async fn reject_transfer(&self, name: &str, _gaining: &str) -> Result<(), TransferRefusal> {
        match self
            .sessions
            .run("domain:transfer reject", &DomainTransfer::reject(name))
            .await
        {
            Ok(_) => Ok(()),
            Err(EppError::Refused { code: 2301, .. }) => Err(TransferRefusal::NotPending),
            Err(e) => Err(transfer_unavailable(e)),
        }
    }

    async fn poll(&self) -> Result<Option<RegistryMessage>, RegistryError> {
        let recently_empty = self
            .last_empty_poll
            .lock()
            .ok()
            .and_then(|t| *t)
            .is_some_and(|t| t.elapsed() < self.config.poll_interval);
        if recently_empty {
            return Ok(None);
        }
        let rsp = self
            .sessions
            .run("poll req", &Poll)
            .await
            .map_err(unavailable)?;
        let empty = rsp.result.code as u16 == 1300;
        if let Ok(mut last) = self.last_empty_poll.lock() {
            *last = empty.then(std::time::Instant::now);
        }
        if empty {
            return Ok(None);
        }
        let Some(queue) = rsp.message_queue.as_ref() else {
            return Err(unavailable("a poll answer without <msgQ>"));
        };
        let transfer = match rsp.res_data() {
            Some(PollData::DomainTransfer(t)) => self.transfer_notice(t),
            _ => None,
        };
        Ok(Some(RegistryMessage {
            registry: self.config.name.clone(),
            id: queue.id.clone(),
            queued_at: queue.date.unwrap_or(DateTime::UNIX_EPOCH),
            text: queue
                .message
                .as_ref()
                .map(|m| m.text.clone())
                .unwrap_or_else(|| rsp.result.message.clone()),
            transfer,
        }))
    }

    async fn ack(&self, message: &RegistryMessage) -> Result<(), RegistryError> {
        match self
            .sessions
            .run(
                "poll ack",
                &Ack {
                    message_id: &message.id,
                },
            )
            .await
        {
            // 2303: acknowledged already (by another worker).
            Ok(_) | Err(EppError::Refused { code: 2303, .. }) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }

    fn label(&self) -> &str {
        &self.config.name
    }

    async fn set_auth_code(
        &self,
        name: &str,
        auth_code: &str,
        _now: DateTime<Utc>,
    ) -> Result<(), RegistryError> {
        let mut update = DomainUpdate::new(name);
        update.info(DomainChangeInfo {
            registrant: None,
            auth_info: Some(DomainAuthInfo::new(auth_code)),
        });
        match self.sessions.run("domain:update authInfo", &update).await {
            Ok(_) => Ok(()),
            Err(EppError::Refused { code: 2201, .. }) => Err(RegistryError::NotSponsored),
            Err(EppError::Refused { code: 2303, .. }) => Err(RegistryError::NotFound),
            Err(e) => Err(unavailable(e)),
        }
    }
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
