//! The commands that play the registry and the sandbox: `registry` (add,
//! show, reject-transfer, request-transfer) and `sandbox clock` (show,
//! advance).

use std::sync::Arc;
use std::time::Duration;

use anyhow::bail;
use chrono::{DateTime, Utc};
use clap::Subcommand;
use vpsd_domain::{lifecycle, Clock, DomainName, ErrorChain, Nameservers};
use vpsd_registry::RegistryRecord;

use crate::server::{App, ServerSettings};

#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Add a name registered at another registrar.
    Add {
        name: String,
        /// The registrar that holds it, e.g. "Example Registrar, Inc.".
        #[arg(long)]
        registrar: String,
        /// Its EPP auth code.
        #[arg(long)]
        auth_code: String,
        /// When it was registered (RFC 3339); default now.
        #[arg(long, value_parser = parse_time)]
        created: Option<DateTime<Utc>>,
        /// Locked at its registrar (clientTransferProhibited).
        #[arg(long)]
        transfer_prohibited: bool,
        /// Its nameservers, comma-separated; default ns1/ns2 of the registrar's own.
        #[arg(long, value_delimiter = ',')]
        nameservers: Option<Vec<String>>,
    },
    /// The registry's record of a name: sponsor, dates, statuses,
    /// nameservers, a pending transfer.
    Show { name: String },
    /// Play the losing registrar refusing a pending transfer in: the fee is
    /// refunded and the customer mailed.
    RejectTransfer { name: String },
    /// Play another registrar asking to take a name a customer of ours
    /// holds, with the auth code the customer gave it.
    RequestTransfer {
        name: String,
        /// The gaining registrar, e.g. "Other Registrar LLC".
        #[arg(long)]
        registrar: String,
        #[arg(long)]
        auth_code: String,
    },
    /// The registry renews a registrar's name by itself (its operator, or
    /// its auto-renewal with --auto); the sponsoring registrar is told by a
    /// change poll message (RFC 8590) in its EPP poll queue.
    Renew {
        name: String,
        /// Years added to the current expiry (1 to 10).
        #[arg(long, default_value_t = 1)]
        years: u32,
        /// The registry's auto-renewal at expiry (operation autoRenew)
        /// rather than its operator's renewal (renew).
        #[arg(long)]
        auto: bool,
        /// Why, told to the registrar (`<changePoll:reason>`).
        #[arg(long)]
        reason: Option<String>,
    },
    /// The registry deletes a registrar's name by itself (into its
    /// redemption grace period); the sponsoring registrar is told by a
    /// change poll message (RFC 8590) in its EPP poll queue.
    Delete {
        name: String,
        /// The registry's own deletion at expiry (operation autoDelete)
        /// rather than its operator's (delete).
        #[arg(long)]
        auto: bool,
        /// Why, told to the registrar (`<changePoll:reason>`).
        #[arg(long)]
        reason: Option<String>,
    },
    /// The statuses the registry sets on a name by itself (RFC 5731 §2.3:
    /// serverHold, serverTransferProhibited, serverUpdateProhibited,
    /// serverDeleteProhibited, serverRenewProhibited): the registry refuses
    /// the commands they name (2304) and keeps a held name out of its zone;
    /// the sponsoring registrar is told by a change poll message (RFC 8590).
    #[command(subcommand)]
    Status(StatusCommand),
    /// Serve the sandbox registry to other registrars over EPP (RFC 5730,
    /// TLS with client certificates per RFC 5734) until killed. With port 0
    /// it prints `EPP listening on IP:PORT` on standard output.
    ServeEpp {
        /// The address to listen on, e.g. 127.0.0.1:700.
        #[arg(long)]
        listen: std::net::SocketAddr,
        /// The server's certificate chain (PEM).
        #[arg(long)]
        tls_cert: std::path::PathBuf,
        /// The server's private key (PEM).
        #[arg(long)]
        tls_key: std::path::PathBuf,
        /// The CA that signs the registrars' client certificates (PEM).
        #[arg(long)]
        client_ca: std::path::PathBuf,
        /// How long a transfer waits for the losing registrar before the
        /// registry approves it (e.g. 5d, 10s); default 5 days.
        #[arg(long, value_parser = crate::duration::parse)]
        transfer_delay: Option<Duration>,
        /// For testing a registrar: carry out this command (e.g.
        /// domain:renew), then exit before answering it, as a registry that
        /// crashed mid-command would.
        #[arg(long)]
        crash_after: Option<String>,
        /// For testing a registrar: exit as soon as this command (e.g.
        /// domain:create) arrives, before carrying it out, as a registry
        /// that crashed on receiving it would.
        #[arg(long)]
        crash_before: Option<String>,
        /// Refuse every domain and host command without Verisign's
        /// namestore extension naming the sub-product of its TLD (dotCOM,
        /// ...), as Verisign's .com/.net registry does: 2003 without it,
        /// 2306 with another (docs/registries.md).
        #[arg(long)]
        require_namestore: bool,
        /// Connections served at once; more are closed at accept.
        #[arg(long, default_value_t = 256)]
        max_connections: usize,
        /// Sessions one registrar may have at once; one more login gets
        /// 2502 (RFC 5730 §3).
        #[arg(long, default_value_t = 8)]
        sessions_per_registrar: usize,
        /// How long a connection has to log in (e.g. 60s).
        #[arg(long, value_parser = crate::duration::parse, default_value = "60s")]
        login_timeout: Duration,
    },
    /// The registrars that log in over EPP.
    #[command(subcommand)]
    Registrar(RegistrarCommand),
    /// Premium names: priced apart from their TLD (RFC 8748 fees).
    #[command(subcommand)]
    Premium(super::premium::PremiumCommand),
    /// Sell every TLD from the sandbox again: forgets the TLDs the last
    /// `--registries` file sent to real registries (names there stay there).
    ForgetRealRegistries,
}

/// `vpsd registry status ...`.
#[derive(Debug, Subcommand)]
pub enum StatusCommand {
    /// Set server statuses on a name (those set already stay).
    Set {
        name: String,
        /// One or more of serverHold, serverTransferProhibited,
        /// serverUpdateProhibited, serverDeleteProhibited,
        /// serverRenewProhibited.
        #[arg(required = true)]
        statuses: Vec<String>,
        /// Why, told to the registrar (`<changePoll:reason>`).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Clear server statuses from a name.
    Clear {
        name: String,
        /// One or more of the statuses `set` takes.
        #[arg(required = true)]
        statuses: Vec<String>,
        /// Why, told to the registrar (`<changePoll:reason>`).
        #[arg(long)]
        reason: Option<String>,
    },
}

/// `vpsd registry registrar ...`.
#[derive(Debug, Subcommand)]
pub enum RegistrarCommand {
    /// Add a registrar (its EPP clID) with the password in a file (6 to 16
    /// characters, RFC 5730; one trailing newline is ignored).
    Add {
        name: String,
        #[arg(long)]
        password_file: std::path::PathBuf,
    },
    /// Give a registrar a new password (from a file, as for `add`); its
    /// old one stops working at its next login.
    Password {
        name: String,
        #[arg(long)]
        password_file: std::path::PathBuf,
    },
}

/// The sandbox's test clock.
#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    #[command(subcommand)]
    Clock(ClockCommand),
}

#[derive(Debug, Subcommand)]
pub enum ClockCommand {
    /// Print the sandbox time.
    Show,
    /// Move the sandbox time forward (never back) and run everything that
    /// falls due, each once, before returning.
    Advance {
        /// How far: 30s, 5m, 12h, 45d.
        #[arg(value_parser = crate::duration::parse)]
        by: Duration,
    },
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("`{s}` is not an RFC 3339 time such as 2025-01-15T10:30:00Z"))
}

/// `vpsd registry ...`.
pub(super) async fn registry(
    command: RegistryCommand,
    settings: ServerSettings,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<()> {
    match command {
        RegistryCommand::ServeEpp {
            listen,
            tls_cert,
            tls_key,
            client_ca,
            transfer_delay,
            crash_after,
            crash_before,
            require_namestore,
            max_connections,
            sessions_per_registrar,
            login_timeout,
        } => {
            let limits = EppLimits {
                require_namestore,
                max_connections,
                sessions_per_registrar,
                login_timeout,
            };
            serve_epp(
                settings,
                clock,
                listen,
                [&tls_cert, &tls_key, &client_ca],
                transfer_delay,
                [crash_after, crash_before],
                limits,
            )
            .await
        }
        RegistryCommand::ForgetRealRegistries => {
            let app = App::build(settings, clock).await?;
            let real = app.store.real_registry_tlds().await?;
            app.store.set_real_registry_tlds(&[]).await?;
            if real.is_empty() {
                out!("every TLD is on the sandbox already")?;
            } else {
                out!(
                    "forgot the real registries of .{}: every TLD is on the sandbox",
                    real.join(", .")
                )?;
            }
            Ok(())
        }
        RegistryCommand::Premium(command) => {
            super::premium::premium(command, settings, clock).await
        }
        RegistryCommand::Registrar(RegistrarCommand::Add {
            name,
            password_file,
        }) => add_registrar(settings, clock, &name, &password_file).await,
        RegistryCommand::Registrar(RegistrarCommand::Password {
            name,
            password_file,
        }) => set_registrar_password(settings, clock, &name, &password_file).await,
        RegistryCommand::Add {
            name,
            registrar,
            auth_code,
            created,
            transfer_prohibited,
            nameservers,
        } => {
            let name = DomainName::parse(&name).map_err(|e| anyhow::anyhow!("{e}"))?;
            if registrar.trim().is_empty() {
                bail!("--registrar may not be empty");
            }
            if auth_code.is_empty() {
                bail!("--auth-code may not be empty");
            }
            let app = App::build(settings, clock).await?;
            let now = app.now();
            let created = created.unwrap_or(now);
            let nameservers = match nameservers {
                Some(list) => Nameservers::parse(&list)
                    .map_err(|e| anyhow::anyhow!("--nameservers: {e}"))?
                    .to_strings(),
                None => vec![
                    "ns1.registrar-servers.com".to_owned(),
                    "ns2.registrar-servers.com".to_owned(),
                ],
            };
            let record = RegistryRecord {
                name: name.as_str().to_owned(),
                sponsoring_registrar: registrar.trim().to_owned(),
                auth_code,
                created_at: created,
                ex_date: lifecycle::next_anniversary(created, now),
                last_transferred_at: None,
                client_transfer_prohibited: transfer_prohibited,
                nameservers,
                pending_transfer_to: None,
                server_statuses: Vec::new(),
            };
            app.registry
                .add(&record, now)
                .await
                .map_err(|e| anyhow::anyhow!("{name}: {}", ErrorChain(&e)))?;
            eprintln!(
                "{name} is now registered at {}",
                record.sponsoring_registrar
            );
            Ok(())
        }
        RegistryCommand::Show { name } => {
            let app = App::build(settings, clock).await?;
            let name = DomainName::parse_stored(&name).map_err(|e| anyhow::anyhow!("{e}"))?;
            let Some(r) = vpsd_registry::Registry::info(&app.registry, name.as_str()).await? else {
                bail!("{name} is not registered at the registry");
            };
            let mut statuses = Vec::new();
            if r.client_transfer_prohibited {
                statuses.push("clientTransferProhibited".to_owned());
            }
            if let Some(to) = &r.pending_transfer_to {
                statuses.push(format!("pendingTransfer (to {to})"));
            }
            statuses.extend(r.server_statuses.iter().cloned());
            if statuses.is_empty() {
                statuses.push("ok".to_owned());
            }
            let stamp = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            out!("name:        {}", r.name)?;
            out!("sponsor:     {}", r.sponsoring_registrar)?;
            out!("created:     {}", stamp(r.created_at))?;
            out!("expires:     {}", stamp(r.ex_date))?;
            out!(
                "transferred: {}",
                r.last_transferred_at
                    .map(stamp)
                    .unwrap_or_else(|| "never".into())
            )?;
            out!("statuses:    {}", statuses.join(", "))?;
            out!("nameservers: {}", r.nameservers.join(", "))?;
            Ok(())
        }
        RegistryCommand::Renew {
            name,
            years,
            auto,
            reason,
        } => {
            if !(1..=10).contains(&years) {
                bail!("--years is 1 to 10");
            }
            let name = DomainName::parse_stored(&name).map_err(|e| anyhow::anyhow!("{e}"))?;
            let app = App::build(settings, clock).await?;
            let now = app.now();
            let r = app
                .registry
                .operator_renew(name.as_str(), years, auto, reason.as_deref(), now)
                .await
                .map_err(|e| operator_refused(&name, e))?;
            eprintln!(
                "{name} renewed for {} to {}; the registrar is told in its poll queue",
                r.sponsoring_registrar,
                r.ex_date.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
            Ok(())
        }
        RegistryCommand::Status(command) => {
            let (name, statuses, reason, set) = match command {
                StatusCommand::Set {
                    name,
                    statuses,
                    reason,
                } => (name, statuses, reason, true),
                StatusCommand::Clear {
                    name,
                    statuses,
                    reason,
                } => (name, statuses, reason, false),
            };
            let name = DomainName::parse_stored(&name).map_err(|e| anyhow::anyhow!("{e}"))?;
            let app = App::build(settings, clock).await?;
            let now = app.now();
            let r = app
                .registry
                .operator_set_statuses(name.as_str(), &statuses, set, reason.as_deref(), now)
                .await
                .map_err(|e| operator_refused(&name, e))?;
            if r.sponsoring_registrar == vpsd_registry::OUR_REGISTRAR {
                // The embedded sandbox's own registrar reads no poll queue:
                // its domain follows at once.
                if let Some(d) = app.store.domain_by_name(name.as_str()).await? {
                    let note = serde_json::json!({
                        "registry": "sandbox",
                        "operation": "update",
                        "reason": reason,
                    });
                    app.registrar
                        .follow_registry_statuses(&d, &r.server_statuses, note)
                        .await
                        .map_err(|e| anyhow::anyhow!("{name}: {}", ErrorChain(&e)))?;
                }
            }
            let shown = if r.server_statuses.is_empty() {
                "none".to_owned()
            } else {
                r.server_statuses.join(", ")
            };
            eprintln!(
                "{name}: server statuses now {shown}; the registrar is told in its poll queue"
            );
            Ok(())
        }
        RegistryCommand::Delete { name, auto, reason } => {
            let name = DomainName::parse_stored(&name).map_err(|e| anyhow::anyhow!("{e}"))?;
            let app = App::build(settings, clock).await?;
            let now = app.now();
            app.registry
                .operator_delete(name.as_str(), auto, reason.as_deref(), now)
                .await
                .map_err(|e| operator_refused(&name, e))?;
            eprintln!("{name} deleted; the registrar is told in its poll queue");
            Ok(())
        }
        RegistryCommand::RejectTransfer { name } => {
            let app = App::build(settings, clock).await?;
            let d = app
                .registrar
                .transfer_in_rejected(&app.registry, name.trim())
                .await
                .map_err(|e| anyhow::anyhow!("{}", ErrorChain(&e)))?;
            eprintln!(
                "The losing registrar rejected the transfer of {}: transfer_status {}, the fee refunded to account {}.",
                d.domain_name,
                d.transfer_status.map(|t| t.as_str()).unwrap_or("none"),
                d.account_id
            );
            Ok(())
        }
        RegistryCommand::RequestTransfer {
            name,
            registrar,
            auth_code,
        } => {
            let app = App::build(settings, clock).await?;
            if registrar.trim().is_empty() {
                bail!("--registrar may not be empty");
            }
            let d = app
                .registrar
                .request_transfer_out(&app.registry, registrar.trim(), name.trim(), &auth_code)
                .await
                .map_err(|e| anyhow::anyhow!("refused: {}", ErrorChain(&e)))?;
            let when = d
                .transfer_out
                .as_ref()
                .map(|t| {
                    t.auto_approve_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                })
                .unwrap_or_default();
            eprintln!(
                "{} asked for {}: the owner (account {}) is mailed; approved by itself at {when} unless the owner rejects it.",
                registrar.trim(),
                d.domain_name,
                d.account_id
            );
            Ok(())
        }
    }
}

/// A refused operator change, in the operator's words.
fn operator_refused(name: &DomainName, e: vpsd_registry::RegistryError) -> anyhow::Error {
    match e {
        vpsd_registry::RegistryError::NotFound => {
            anyhow::anyhow!("{name} is not registered at the registry")
        }
        vpsd_registry::RegistryError::NotSponsored => {
            anyhow::anyhow!("{name} is this installation's own: renew or delete it through the API")
        }
        other => anyhow::anyhow!("{name}: {}", ErrorChain(&other)),
    }
}

/// `vpsd registry serve-epp`.
async fn serve_epp(
    settings: ServerSettings,
    clock: Arc<dyn Clock>,
    listen: std::net::SocketAddr,
    files: [&std::path::Path; 3],
    transfer_delay: Option<Duration>,
    [crash_after, crash_before]: [Option<String>; 2],
    limits: EppLimits,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        limits.max_connections > 0 && limits.sessions_per_registrar > 0,
        "--max-connections and --sessions-per-registrar must be at least 1"
    );
    let read = |p: &std::path::Path, flag: &str| {
        std::fs::read(p).map_err(|e| anyhow::anyhow!("{flag} {}: {e}", p.display()))
    };
    let [cert, key, ca] = files;
    let tls = vpsd_epp_server::tls_config(
        &read(cert, "--tls-cert")?,
        &read(key, "--tls-key")?,
        &read(ca, "--client-ca")?,
    )?;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen} for EPP: {e}"))?;
    let app = App::build(settings, clock).await?;
    let delay = match transfer_delay {
        Some(d) => chrono::Duration::from_std(d)
            .map_err(|_| anyhow::anyhow!("--transfer-delay is too long"))?,
        None => vpsd_registry::DEFAULT_TRANSFER_DELAY,
    };
    let addr = listener.local_addr()?;
    let mut server = vpsd_epp_server::EppServer::new(app.store.clone(), app.clock(), delay);
    server.crash_after = crash_after;
    server.crash_before = crash_before;
    server.require_namestore = limits.require_namestore;
    server.max_connections = limits.max_connections;
    server.sessions_per_registrar = limits.sessions_per_registrar;
    server.login_timeout = limits.login_timeout;
    tracing::info!(%addr, "serving the sandbox registry over EPP");
    out!("EPP listening on {addr}")?;
    app.serve_epp(server, listener, Arc::new(tls)).await?;
    Ok(())
}

/// `serve-epp`'s limits on its peers (`EppServer`'s fields of the same
/// names).
struct EppLimits {
    /// `--require-namestore`.
    require_namestore: bool,
    max_connections: usize,
    sessions_per_registrar: usize,
    login_timeout: Duration,
}

/// `vpsd registry registrar add`.
async fn add_registrar(
    settings: ServerSettings,
    clock: Arc<dyn Clock>,
    name: &str,
    password_file: &std::path::Path,
) -> anyhow::Result<()> {
    let client_id = name.trim();
    // RFC 5730 clIDType: 3 to 16 characters.
    if !(3..=16).contains(&client_id.chars().count()) {
        bail!("a registrar's clID is 3 to 16 characters (RFC 5730)");
    }
    let hash = password_hash_from(password_file)?;
    let app = App::build(settings, clock).await?;
    match app
        .store
        .registry_registrar_add(client_id, &hash, app.now())
        .await
    {
        Ok(()) => {
            eprintln!("Registrar {client_id} may now log in over EPP.");
            Ok(())
        }
        Err(vpsd_storage::StoreError::Conflict { .. }) => {
            bail!("registrar {client_id} exists already")
        }
        Err(e) => Err(e.into()),
    }
}

/// The argon2 hash of the password in `file` (one trailing newline
/// ignored), checked against RFC 5730's pwType.
fn password_hash_from(file: &std::path::Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("--password-file {}: {e}", file.display()))?;
    let pw = text.strip_suffix('\n').unwrap_or(&text);
    let pw = pw.strip_suffix('\r').unwrap_or(pw);
    if !vpsd_epp_server::valid_password(pw) {
        bail!(
            "--password-file {}: the password must be 6 to 16 characters, no control characters (one trailing newline is ignored), no leading, trailing or doubled spaces (RFC 5730 pwType)",
            file.display()
        );
    }
    vpsd_epp_server::hash_password(pw)
}

/// `vpsd registry registrar password`.
async fn set_registrar_password(
    settings: ServerSettings,
    clock: Arc<dyn Clock>,
    name: &str,
    password_file: &std::path::Path,
) -> anyhow::Result<()> {
    let client_id = name.trim();
    let hash = password_hash_from(password_file)?;
    let app = App::build(settings, clock).await?;
    if !app
        .store
        .registry_registrar_set_password(client_id, &hash, app.now())
        .await?
    {
        bail!("there is no registrar {client_id}: add it with `vpsd registry registrar add`");
    }
    eprintln!("Registrar {client_id} has a new password.");
    Ok(())
}

/// `vpsd sandbox ...`.
pub(super) async fn sandbox(
    command: SandboxCommand,
    settings: ServerSettings,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<()> {
    match command {
        SandboxCommand::Clock(ClockCommand::Show) => {
            let app = App::build(settings, clock).await?;
            if !app.is_sandbox() {
                bail!("the registry is not the sandbox: there is no test clock");
            }
            out!(
                "{}",
                app.now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            )?;
            Ok(())
        }
        SandboxCommand::Clock(ClockCommand::Advance { by }) => {
            let app = App::build(settings, clock).await?;
            let by = chrono::Duration::from_std(by)
                .map_err(|_| anyhow::anyhow!("that is further than the clock can go"))?;
            let done = app.advance_sandbox(by).await?;
            out!(
                "{}",
                done.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            )?;
            let w = done.work;
            eprintln!(
                "Ran what fell due: registrations completed {}, transfers completed {}, transfers out {}, renewed {} (short of funds {}), warnings {}, expired {}, released {}.",
                w.registrations_completed,
                w.transfers_completed,
                w.transfers_out,
                w.renewed,
                w.renewals_failed,
                w.warnings,
                w.expired,
                w.released
            );
            Ok(())
        }
    }
}
