//! A pool of logged-in EPP sessions with one registry (RFC 5730 §2, RFC
//! 5734): at most `sessions` at once, opened on demand over TLS with the
//! client certificate, logged in with the extensions both sides know,
//! kept alive with `<hello>`, dropped and reopened after any fault, and
//! every command paced by the configured rate.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use instant_epp::client::{RequestData, RustlsConnector};
use instant_epp::login::Login;
use instant_epp::request::{Command, Extension, Transaction};
use instant_epp::response::Response;
use instant_epp::EppClient;
use rustls::ClientConfig;
use tokio::sync::Semaphore;

use crate::config::{RegistryConfig, KNOWN_EXTENSIONS};

/// Whether `what` only reads (checks, infos, queries, polls): logged at
/// `debug`, the commands that change something at `info`. Every command is
/// in the audit entry of the change it served either way.
fn is_read(what: &str) -> bool {
    what.ends_with("check")
        || what.ends_with("info")
        || what.ends_with("query")
        || what == "poll req"
}

/// Why a command has no answer to act on.
#[derive(Debug, thiserror::Error)]
pub enum EppError {
    /// The registry answered with an error result (RFC 5730 §3: 2000 to
    /// 2502). The command did not take effect.
    #[error("the registry answered {code}: {message}")]
    Refused {
        /// The EPP result code.
        code: u16,
        /// The registry's `<msg>`.
        message: String,
    },
    /// The command was never sent: no session could be opened (connect,
    /// TLS, greeting or login failed). Nothing changed at the registry.
    #[error("no session with the registry")]
    NotSent(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// The command was sent and its answer never came or could not be read
    /// (timeout, dropped connection). It may or may not have taken effect:
    /// ask the registry before acting on it.
    #[error("the registry's answer never came")]
    Unknown(#[source] Box<dyn std::error::Error + Send + Sync>),
}

type Client = EppClient<RustlsConnector>;

struct Idle {
    client: Client,
    since: Instant,
}

/// The pool of sessions with one registry.
pub(crate) struct Sessions {
    config: Arc<RegistryConfig>,
    tls: Arc<ClientConfig>,
    permits: Semaphore,
    idle: Mutex<Vec<Idle>>,
    limiter: DefaultDirectRateLimiter,
    counter: AtomicU64,
    /// Whether the registry's last greeting announced the fee extension
    /// (RFC 8748): 0 not known yet (no session opened), 1 no, 2 yes.
    fee_announced: AtomicU8,
    /// Whether domain and host commands carry Verisign's namestore
    /// extension: named under `extensions` and announced by the registry.
    namestore: std::sync::atomic::AtomicBool,
}

/// A command and its extension, as [`Sessions::run`] takes them (the
/// same forms as instant-epp's `RequestData`: `&command` or
/// `(&command, &extension)`), so a namestore registry's commands can be
/// written with one more extension (`namestore.rs`).
pub(crate) struct Req<'c, 'e, C, E> {
    command: &'c C,
    extension: Option<&'e E>,
}

impl<'c, C: Command> From<&'c C> for Req<'c, 'static, C, instant_epp::common::NoExtension> {
    fn from(command: &'c C) -> Self {
        Self {
            command,
            extension: None,
        }
    }
}

impl<'c, 'e, C: Command, E: Extension> From<(&'c C, &'e E)> for Req<'c, 'e, C, E> {
    fn from((command, extension): (&'c C, &'e E)) -> Self {
        Self {
            command,
            extension: Some(extension),
        }
    }
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("registry", &self.config.name)
            .finish_non_exhaustive()
    }
}

/// A session taken from the pool; goes back when dropped unless broken.
struct Lease<'a> {
    pool: &'a Sessions,
    client: Option<Client>,
    _permit: tokio::sync::SemaphorePermit<'a>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            if let Ok(mut idle) = self.pool.idle.lock() {
                idle.push(Idle {
                    client,
                    since: Instant::now(),
                });
            }
        }
    }
}

impl Sessions {
    /// A pool for `config`; nothing is opened until the first command.
    pub(crate) fn new(config: Arc<RegistryConfig>, tls: Arc<ClientConfig>) -> Self {
        let rate = NonZeroU32::new(config.commands_per_second).unwrap_or(NonZeroU32::MIN);
        Self {
            permits: Semaphore::new(config.sessions as usize),
            limiter: RateLimiter::direct(Quota::per_second(rate)),
            idle: Mutex::new(Vec::new()),
            counter: AtomicU64::new(0),
            fee_announced: AtomicU8::new(0),
            namestore: std::sync::atomic::AtomicBool::new(false),
            config,
            tls,
        }
    }

    /// A client transaction id (RFC 5730 §2.5 `clTRID`, 3 to 64
    /// characters): the request id of the API call being served (or
    /// `worker`/`operator`, for the commands of a change) or `vpsd` (reads),
    /// and a per-process sequence number.
    pub(crate) fn cl_trid(&self) -> String {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let origin = vpsd_registry::request_id().unwrap_or_else(|| "vpsd".to_owned());
        let origin: String = origin
            .chars()
            .filter(|c| c.is_ascii_graphic())
            .take(40)
            .collect();
        format!("{origin}-{n}")
    }

    async fn lease(&self) -> Result<Lease<'_>, EppError> {
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| EppError::NotSent(Box::new(e)))?;
        let kept = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let client = match kept {
            Some(idle) => idle.client,
            None => self.open().await?,
        };
        Ok(Lease {
            pool: self,
            client: Some(client),
            _permit: permit,
        })
    }

    /// Opens a session: TCP, TLS with our certificate, the greeting, and
    /// `<login>` with the object and extension URIs both sides know.
    async fn open(&self) -> Result<Client, EppError> {
        let c = &self.config;
        let connector = RustlsConnector::builder((c.host.clone(), c.port))
            .map_err(|e| EppError::NotSent(Box::new(e)))?;
        let connector = connector.build_with_config(self.tls.clone());
        // instant-epp bounds the TLS handshake by the timeout but neither
        // the TCP connect nor the wait for the greeting: a registry that
        // accepts and stays silent would hold this session's permit for
        // ever. The whole opening gets the command timeout.
        let mut client =
            tokio::time::timeout(c.timeout, Client::new(connector, c.name.clone(), c.timeout))
                .await
                .map_err(|e| EppError::NotSent(Box::new(e)))?
                .map_err(|e| EppError::NotSent(Box::new(e)))?;
        let greeting = client
            .greeting()
            .map_err(|e| EppError::NotSent(Box::new(e)))?;
        let announced: Vec<String> = greeting
            .svc_menu
            .services
            .svc_ext
            .map(|ext| ext.ext_uris.iter().map(|u| u.to_string()).collect())
            .unwrap_or_default();
        let fee = announced.iter().any(|a| a == vpsd_registry::FEE_NS);
        self.fee_announced
            .store(if fee { 2 } else { 1 }, Ordering::Relaxed);
        if c.extensions.iter().any(|e| e == "namestore") {
            let on = announced
                .iter()
                .any(|a| a == instant_epp::extensions::namestore::XMLNS);
            if !on {
                tracing::warn!(registry = %c.name, "`extensions` names namestore, which the registry does not announce: commands go without it");
            }
            self.namestore.store(on, Ordering::Relaxed);
        }
        // RGP, fees and change poll are used wherever announced (a premium
        // name must be priced by its fee; the registry's own changes to
        // our names must be heard); the others when the operator names them.
        let ext_uris: Vec<&str> = KNOWN_EXTENSIONS
            .iter()
            .filter(|(name, uri)| {
                (matches!(*name, "rgp" | "fee" | "changePoll")
                    || c.extensions.iter().any(|e| e == name))
                    && announced.iter().any(|a| a == uri)
            })
            .map(|(_, uri)| *uri)
            .collect();
        let login = Login::new(&c.client_id, c.password.expose(), None, Some(&ext_uris));
        let id = self.cl_trid();
        match tokio::time::timeout(c.timeout, client.transact(&login, &id)).await {
            Ok(Ok(rsp)) => {
                tracing::info!(registry = %c.name, clTRID = %id, svTRID = %rsp.tr_ids.server_tr_id,
                    extensions = ?ext_uris, "EPP session logged in");
                Ok(client)
            }
            Ok(Err(e)) => Err(EppError::NotSent(Box::new(e))),
            Err(e) => Err(EppError::NotSent(Box::new(e))),
        }
    }

    /// Whether the registry announced the fee extension (RFC 8748) in its
    /// greeting; a session is opened to know, when none was yet.
    ///
    /// # Errors
    /// `NotSent` when no session could be opened.
    pub(crate) async fn announces_fee(&self) -> Result<bool, EppError> {
        if self.fee_announced.load(Ordering::Relaxed) == 0 {
            drop(self.lease().await?);
        }
        Ok(self.fee_announced.load(Ordering::Relaxed) == 2)
    }

    /// Sends one command on a session of the pool and returns the
    /// registry's successful answer (result 1000 to 1500).
    ///
    /// # Errors
    /// [`EppError`]: `Refused` with the registry's result code, `NotSent`
    /// when no session could be had, `Unknown` when the answer never came
    /// (the session is dropped; the next command opens a new one).
    pub(crate) async fn run<'c, 'e, Cmd, Ext, D>(
        &self,
        what: &'static str,
        data: D,
    ) -> Result<Response<Cmd::Response, Ext::Response>, EppError>
    where
        Cmd: Transaction<Ext> + Command + Sync + 'c,
        Ext: Extension + Sync + 'e,
        D: Into<RequestData<'c, 'e, Cmd, Ext>> + Into<Req<'c, 'e, Cmd, Ext>> + Copy,
    {
        self.limiter.until_ready().await;
        let mut lease = self.lease().await?;
        let id = self.cl_trid();
        let Some(client) = lease.client.as_mut() else {
            return Err(EppError::NotSent("the session was lost".into()));
        };
        let started = Instant::now();
        let req: Req<'c, 'e, Cmd, Ext> = data.into();
        let sub_product = if self.namestore.load(Ordering::Relaxed) {
            instant_xml::to_string(req.command)
                .ok()
                .and_then(|xml| crate::namestore::sub_product(&xml, &self.config.tlds))
        } else {
            None
        };
        let answer = match sub_product {
            None => {
                let data: RequestData<'c, 'e, Cmd, Ext> = data.into();
                tokio::time::timeout(self.config.timeout, client.transact(data, &id)).await
            }
            Some(sub) => {
                let sent = async {
                    let xml = crate::namestore::command_xml(req.command, req.extension, &sub, &id)?;
                    let text = client.transact_xml(&xml).await?;
                    crate::namestore::answer::<Cmd, Ext>(&text)
                };
                tokio::time::timeout(self.config.timeout, sent).await
            }
        };
        let registry = &self.config.name;
        let (sv_trid, code) = match &answer {
            Ok(Ok(rsp)) => (
                Some(rsp.tr_ids.server_tr_id.clone()),
                Some(rsp.result.code as u16),
            ),
            Ok(Err(instant_epp::Error::Command(status))) => (
                Some(status.tr_ids.server_tr_id.clone()),
                Some(status.result.code as u16),
            ),
            _ => (None, None),
        };
        vpsd_registry::record(vpsd_registry::RegistryTransaction {
            registry: registry.clone(),
            command: what,
            cl_trid: id.clone(),
            sv_trid,
            code,
        });
        match answer {
            Ok(Ok(rsp)) => {
                let code = rsp.result.code as u16;
                let ms = started.elapsed().as_millis() as u64;
                let sv_trid = &rsp.tr_ids.server_tr_id;
                if is_read(what) {
                    tracing::debug!(%registry, command = what, clTRID = %id, svTRID = %sv_trid, code, ms, "EPP command");
                } else {
                    tracing::info!(%registry, command = what, clTRID = %id, svTRID = %sv_trid, code, ms, "EPP command");
                }
                Ok(rsp)
            }
            Ok(Err(instant_epp::Error::Command(status))) => {
                let code = status.result.code as u16;
                let ms = started.elapsed().as_millis() as u64;
                let sv_trid = &status.tr_ids.server_tr_id;
                if is_read(what) {
                    tracing::debug!(%registry, command = what, clTRID = %id, svTRID = %sv_trid, code, ms, "EPP command refused");
                } else {
                    tracing::info!(%registry, command = what, clTRID = %id, svTRID = %sv_trid, code, ms, "EPP command refused");
                }
                if code >= 2500 {
                    // RFC 5730 §3: 25xx codes end the session.
                    lease.client = None;
                }
                Err(EppError::Refused {
                    code,
                    message: status.result.message.clone(),
                })
            }
            Ok(Err(e)) => {
                lease.client = None;
                tracing::warn!(%registry, command = what, clTRID = %id, error = %e,
                    "EPP command's answer was lost; the session is dropped");
                Err(EppError::Unknown(Box::new(e)))
            }
            Err(elapsed) => {
                lease.client = None;
                tracing::warn!(%registry, command = what, clTRID = %id,
                    "EPP command timed out; the session is dropped");
                Err(EppError::Unknown(Box::new(elapsed)))
            }
        }
    }

    /// Sends a command this module writes itself (`xml`, given the
    /// `clTRID` to put in it) and returns the registry's answer as it came,
    /// for the answers `instant-epp` cannot read (see `raw.rs`). Paced,
    /// logged and recorded like [`Sessions::run`]; the result code is the
    /// caller's to read.
    ///
    /// # Errors
    /// `NotSent` when no session could be had, `Unknown` when the answer
    /// never came (the session is dropped).
    pub(crate) async fn run_raw(
        &self,
        what: &'static str,
        xml: impl Fn(&str) -> String,
    ) -> Result<String, EppError> {
        self.limiter.until_ready().await;
        let mut lease = self.lease().await?;
        let id = self.cl_trid();
        let Some(client) = lease.client.as_mut() else {
            return Err(EppError::NotSent("the session was lost".into()));
        };
        let started = Instant::now();
        let mut text = xml(&id);
        if self.namestore.load(Ordering::Relaxed) {
            if let Some(sub) = crate::namestore::sub_product(&text, &self.config.tlds) {
                text = crate::namestore::add_to(&text, &sub)
                    .map_err(|e| EppError::NotSent(Box::new(e)))?;
            }
        }
        let answer = tokio::time::timeout(self.config.timeout, client.transact_xml(&text)).await;
        let registry = &self.config.name;
        let answer = match answer {
            Ok(Ok(text)) => Ok(text),
            Ok(Err(e)) => Err(EppError::Unknown(Box::new(e))),
            Err(elapsed) => Err(EppError::Unknown(Box::new(elapsed))),
        };
        let (sv_trid, code) = match &answer {
            Ok(text) => crate::raw::trid_and_code(text),
            Err(_) => (None, None),
        };
        vpsd_registry::record(vpsd_registry::RegistryTransaction {
            registry: registry.clone(),
            command: what,
            cl_trid: id.clone(),
            sv_trid: sv_trid.clone(),
            code,
        });
        match &answer {
            Ok(_) => tracing::debug!(%registry, command = what, clTRID = %id,
                svTRID = sv_trid.as_deref().unwrap_or("-"), code = code.unwrap_or(0),
                ms = started.elapsed().as_millis() as u64, "EPP command"),
            Err(e) => {
                lease.client = None;
                tracing::warn!(%registry, command = what, clTRID = %id, error = %e,
                    "EPP command's answer was lost; the session is dropped");
            }
        }
        answer
    }

    /// Sends `<hello>` on every session idle longer than the keepalive,
    /// dropping those that do not answer (RFC 5730 §2.3: servers close idle
    /// sessions).
    pub(crate) async fn keep_alive(&self) {
        let stale: Vec<Idle> = match self.idle.lock() {
            Ok(mut idle) => {
                let (stale, fresh): (Vec<Idle>, Vec<Idle>) = idle
                    .drain(..)
                    .partition(|i| i.since.elapsed() >= self.config.keepalive);
                *idle = fresh;
                stale
            }
            Err(_) => return,
        };
        for mut s in stale {
            match tokio::time::timeout(self.config.timeout, s.client.hello()).await {
                Ok(Ok(_)) => {
                    if let Ok(mut idle) = self.idle.lock() {
                        idle.push(Idle {
                            client: s.client,
                            since: Instant::now(),
                        });
                    }
                }
                _ => {
                    tracing::info!(registry = %self.config.name, "idle EPP session lost; a new one opens when needed");
                }
            }
        }
    }

    /// Opens (or takes) a session and says `<hello>`: whether the registry
    /// can be reached, trusts us and lets us log in.
    ///
    /// # Errors
    /// The session's fault, as [`Sessions::run`] gives it.
    pub(crate) async fn probe(&self) -> Result<(), EppError> {
        let mut lease = self.lease().await?;
        let Some(client) = lease.client.as_mut() else {
            return Err(EppError::NotSent("the session was lost".into()));
        };
        match tokio::time::timeout(self.config.timeout, client.hello()).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => {
                lease.client = None;
                Err(EppError::Unknown(Box::new(e)))
            }
            Err(e) => {
                lease.client = None;
                Err(EppError::Unknown(Box::new(e)))
            }
        }
    }

    /// How often [`Sessions::keep_alive`] should run.
    pub(crate) fn keepalive_every(&self) -> Duration {
        (self.config.keepalive / 2).max(Duration::from_secs(1))
    }
}
