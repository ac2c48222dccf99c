//! The command line. These forms are relied on by scripts and tests; keep
//! them as they are (see README, "Operator commands").

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::bail;
use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};
use vpsd_domain::{lifecycle, Clock, DomainName, Money, Nameservers, SystemClock};
use vpsd_registry::RegistryRecord;
use vpsd_storage::Actor;

use crate::server::{App, ServerSettings};

/// Standard output was closed by its reader (`vpsd openapi | head -1`): the
/// command's output is no longer wanted, so `vpsd` ends quietly with 0, as
/// the `vps` client does (README, "The `vps` command-line client").
#[derive(Debug)]
pub struct StdoutClosed;

impl std::fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("standard output was closed")
    }
}

impl std::error::Error for StdoutClosed {}

/// Writes one line on standard output and flushes it, like `println!` but
/// returning the error instead of panicking: [`StdoutClosed`] when the
/// reader has gone, the I/O error otherwise.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, $($arg)*)
            .and_then(|()| stdout.flush())
            .map_err(|e| -> anyhow::Error {
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    StdoutClosed.into()
                } else {
                    anyhow::Error::new(e).context("writing to standard output")
                }
            })
    }};
}

/// The database every command uses without `--database` or
/// `VPSD_DATABASE_URL`: a SQLite file in the working directory.
pub const DEFAULT_DATABASE: &str = "sqlite://vpsd.db";

#[derive(Debug, Parser)]
#[command(
    name = "vpsd",
    version,
    about = "The VPS.org Domains API server and its operator commands"
)]
pub struct Cli {
    /// Database URL: sqlite://PATH (created if missing) or postgres://USER@HOST/DB.
    #[arg(
        long = "database",
        env = "VPSD_DATABASE_URL",
        default_value = DEFAULT_DATABASE,
        global = true,
        hide_env_values = true
    )]
    pub database: String,
    /// Address the API listens on.
    #[arg(
        long,
        env = "VPSD_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,
    /// Log lines for people (`human`) or for log collectors (`json`).
    #[arg(long, env = "VPSD_LOG_FORMAT", default_value = "human", global = true)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the API server and the background worker.
    Serve(ServeArgs),
    /// Run only the background worker (and mail delivery), no API.
    Worker(JobArgs),
    /// Run only the authoritative nameserver (UDP and TCP on --dns-listen).
    Dns {
        /// The nameserver's address, e.g. 0.0.0.0:53.
        #[arg(long, env = "VPSD_DNS_LISTEN", default_value = "127.0.0.1:5353")]
        dns_listen: SocketAddr,
        #[command(flatten)]
        zones: ZoneArgs,
    },
    /// Create accounts and add money to them.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Create API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Add names held at other registrars to the sandbox registry.
    #[command(subcommand)]
    Registry(RegistryCommand),
    /// Show an account's audit log, newest first.
    Audit {
        #[arg(long)]
        account: i64,
        /// How many entries.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// Show the mails waiting in the outbox.
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Print the API's OpenAPI 3.1 document (as /api/v1/openapi.json
    /// serves it); needs no database.
    Openapi,
    /// The sandbox: its test clock (only with the embedded registry).
    #[command(subcommand)]
    Sandbox(SandboxCommand),
}

/// What forwarding adds to the zones (in `serve` and in `dns`).
#[derive(Debug, Args)]
pub struct ZoneArgs {
    /// The MX put at the apex of zones with email forwards (the Postfix
    /// host that forwards them).
    #[arg(long, env = "VPSD_MAIL_EXCHANGER", default_value = crate::server::DEFAULT_MAIL_EXCHANGER)]
    pub mail_exchanger: String,
    /// A public address of the URL forwarding listener, put at forwarded
    /// hosts as an A or AAAA record; repeat for several.
    #[arg(
        long = "forward-address",
        env = "VPSD_FORWARD_ADDRESSES",
        value_delimiter = ','
    )]
    pub forward_addresses: Vec<std::net::IpAddr>,
}

impl ZoneArgs {
    fn apply(self, settings: &mut ServerSettings) {
        settings.mail_exchanger = self.mail_exchanger;
        settings.forward_addresses = self.forward_addresses;
    }
}

/// What the background jobs need (in `serve` and in `worker`).
#[derive(Debug, Args)]
pub struct JobArgs {
    /// How long before expiration auto-renew domains are renewed (e.g. 30d).
    #[arg(long, value_parser = crate::duration::parse)]
    pub auto_renew_lead: Option<Duration>,
    /// SMTP relay for the outbox: smtp://HOST:PORT, smtp://USER:PASS@HOST:587?tls=required,
    /// smtps://HOST:465. Without it, mails stay in the outbox (`vpsd outbox list`).
    #[arg(long, env = "VPSD_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The sender of every mail.
    #[arg(long, env = "VPSD_MAIL_FROM", default_value = crate::server::DEFAULT_MAIL_FROM)]
    pub mail_from: String,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub jobs: JobArgs,
    /// Run no background worker in this process (run `vpsd worker` apart).
    #[arg(long)]
    pub no_worker: bool,
    /// Serve /metrics on this address instead of on the API's.
    #[arg(long, env = "VPSD_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Also run the authoritative nameserver on this address (UDP and TCP),
    /// e.g. 0.0.0.0:53.
    #[arg(long, env = "VPSD_DNS_LISTEN")]
    pub dns_listen: Option<SocketAddr>,
    #[command(flatten)]
    pub zones: ZoneArgs,
    /// Also answer URL forwards (by Host) on this address, e.g. 0.0.0.0:80.
    #[arg(long, env = "VPSD_FORWARD_LISTEN")]
    pub forward_listen: Option<SocketAddr>,
    /// Requests per API token, per process: 20/s, 600/min, 20/s,burst=100, or off.
    #[arg(long, env = "VPSD_RATE_LIMIT", default_value = "20/s,burst=100", value_parser = parse_rate)]
    pub rate_limit: RateLimitArg,
    /// Requests running longer are stopped with 503 (e.g. 30s).
    #[arg(long, default_value = "30s", value_parser = crate::duration::parse)]
    pub request_timeout: Duration,
    /// A client taking longer to send a request's headers is disconnected (e.g. 10s).
    #[arg(long, env = "VPSD_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = crate::duration::parse)]
    pub header_read_timeout: Duration,
    /// The API's public URL, e.g. https://api.example.com: the base of `next`/`previous` links
    /// (else they are built from the request's Host header).
    #[arg(long, env = "VPSD_PUBLIC_URL", value_parser = vpsd_api::pagination::parse_public_url)]
    pub public_url: Option<String>,
    /// How long a registration stays pending (e.g. 5m, 10s).
    #[arg(long, value_parser = crate::duration::parse)]
    pub registration_delay: Option<Duration>,
    /// How long a transfer stays pending (e.g. 5d, 10s).
    #[arg(long, value_parser = crate::duration::parse)]
    pub transfer_delay: Option<Duration>,
    /// On an empty database, create a demo account with domains in every
    /// state, print its token, and shorten both delays to 10s.
    #[arg(long)]
    pub demo: bool,
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account; prints its id alone on stdout.
    Create {
        #[arg(long)]
        email: String,
        /// Opening balance in dollars, e.g. 100 or 25.50.
        #[arg(long, default_value = "0", value_parser = parse_money)]
        balance: Money,
    },
    /// Add money to an account (a ledger credit).
    Credit {
        #[arg(long)]
        account: i64,
        /// Dollars, e.g. 50 or 12.99.
        #[arg(long, value_parser = parse_money)]
        amount: Money,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token; prints the token alone on stdout. It is shown
    /// only this once.
    Create {
        #[arg(long)]
        account: i64,
        #[arg(long, default_value = "default")]
        name: String,
        /// The token may only read (GET); anything else is refused with 403.
        #[arg(long)]
        read_only: bool,
        /// The token stops working after this long (e.g. 90d).
        #[arg(long, value_parser = crate::duration::parse)]
        expires_in: Option<Duration>,
    },
    /// List an account's tokens (never the tokens themselves).
    List {
        #[arg(long)]
        account: i64,
    },
    /// Revoke a token by its id (from `vpsd token list`); it stops working at once.
    Revoke { token_id: i64 },
}

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

#[derive(Debug, Subcommand)]
pub enum OutboxCommand {
    /// List every mail in the outbox, oldest first.
    List,
}

impl JobArgs {
    fn apply(self, settings: &mut ServerSettings) {
        settings.smtp_url = self.smtp_url;
        settings.mail_from = self.mail_from;
        if let Some(lead) = self.auto_renew_lead {
            settings.registrar.auto_renew_lead = lead;
        }
    }
}

/// A rate limit, or none (`off`).
#[derive(Debug, Clone, Copy)]
pub struct RateLimitArg(pub Option<vpsd_api::limits::RateLimit>);

fn parse_rate(s: &str) -> Result<RateLimitArg, String> {
    vpsd_api::limits::RateLimit::parse(s).map(RateLimitArg)
}

fn parse_money(s: &str) -> Result<Money, String> {
    Money::parse_dollars(s).map_err(|e| e.to_string())
}

fn parse_time(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("`{s}` is not an RFC 3339 time such as 2025-01-15T10:30:00Z"))
}

/// Sets up the log: lines to standard error, written by a thread of their
/// own, so a request's log line (one per request at `info`) costs the
/// request a copy into a queue, not a `write` to stderr (measured: GET
/// detail 39,000–46,000 req/s with the lines written in place, 52,000–62,000
/// without them). When the queue is full the caller waits: no line is
/// dropped. The guard flushes the queue when dropped: hold it until exit.
fn init_tracing(format: LogFormat) -> tracing_appender::non_blocking::WorkerGuard {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("vpsd-log")
        .finish(std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    let _ = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    guard
}

/// The error of binding `addr` (given with `flag`, used `what` for), with what
/// to do about it: another program holds the address, the port needs
/// privileges, or the address is not this machine's.
fn bind_error(err: std::io::Error, addr: SocketAddr, flag: &str, what: &str) -> anyhow::Error {
    use std::io::ErrorKind;
    let hint = match err.kind() {
        ErrorKind::AddrInUse => format!(
            "another program (another vpsd?) uses it: stop that one, or choose a free address with {flag} ADDR"
        ),
        ErrorKind::PermissionDenied => format!(
            "ports below 1024 need root or the CAP_NET_BIND_SERVICE capability; or choose a port above 1023 with {flag} ADDR"
        ),
        ErrorKind::AddrNotAvailable => format!(
            "{} is not an address of this machine: choose one with {flag} ADDR (127.0.0.1:PORT, or 0.0.0.0:PORT for every interface)",
            addr.ip()
        ),
        _ => format!("choose another address with {flag} ADDR"),
    };
    anyhow::anyhow!("cannot listen on {addr} {what}: {err}; {hint}")
}

fn valid_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let _log = init_tracing(cli.log_format);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let mut settings = ServerSettings::new(cli.database.clone());
    match cli.command {
        Command::Serve(args) => {
            let demo_delay = Duration::from_secs(10);
            settings.registrar.registration_delay = args
                .registration_delay
                .or(args.demo.then_some(demo_delay))
                .unwrap_or(settings.registrar.registration_delay);
            settings.registrar.transfer_delay = args
                .transfer_delay
                .or(args.demo.then_some(demo_delay))
                .unwrap_or(settings.registrar.transfer_delay);
            args.jobs.apply(&mut settings);
            args.zones.apply(&mut settings);
            settings.run_worker = !args.no_worker;
            settings.request_timeout = args.request_timeout;
            settings.header_read_timeout = args.header_read_timeout;
            settings.public_url = args.public_url;
            settings.rate_limit = args.rate_limit.0;
            // Every address is taken before the database is opened, so a
            // busy port changes nothing and leaves no SQLite side files.
            let listener = tokio::net::TcpListener::bind(cli.listen)
                .await
                .map_err(|e| bind_error(e, cli.listen, "--listen", "for the API"))?;
            let metrics_listener = match args.metrics_listen {
                Some(a) => Some(
                    tokio::net::TcpListener::bind(a)
                        .await
                        .map_err(|e| bind_error(e, a, "--metrics-listen", "for metrics"))?,
                ),
                None => None,
            };
            let dns = match args.dns_listen {
                Some(a) => Some(
                    vpsd_dns::server::bind(a)
                        .await
                        .map_err(|e| bind_error(e, a, "--dns-listen", "for DNS"))?,
                ),
                None => None,
            };
            let forward = match args.forward_listen {
                Some(a) => Some(
                    tokio::net::TcpListener::bind(a)
                        .await
                        .map_err(|e| bind_error(e, a, "--forward-listen", "for URL forwarding"))?,
                ),
                None => None,
            };
            let app = App::build(settings, clock).await?;
            if let Some(a) = args.dns_listen {
                tracing::info!(addr = %a, "serving DNS");
            }
            let addr = listener.local_addr()?;
            if args.demo {
                crate::demo::seed_and_print(&app, addr, &cli.database).await?;
            }
            tracing::info!(%addr, database = %vpsd_storage::redact(&cli.database), "serving the Domains API");
            let extra = crate::server::Listeners {
                metrics: metrics_listener,
                dns,
                forward,
            };
            app.serve_all(listener, extra, crate::server::shutdown_signal())
                .await
        }
        Command::Dns { dns_listen, zones } => {
            zones.apply(&mut settings);
            let (udp, tcp) = vpsd_dns::server::bind(dns_listen)
                .await
                .map_err(|e| bind_error(e, dns_listen, "--dns-listen", "for DNS"))?;
            let app = App::build(settings, clock).await?;
            tracing::info!(addr = %dns_listen, database = %vpsd_storage::redact(&cli.database), "serving DNS");
            app.run_dns(udp, tcp, crate::server::shutdown_signal())
                .await;
            app.store.close().await;
            Ok(())
        }
        Command::Worker(jobs) => {
            jobs.apply(&mut settings);
            let app = App::build(settings, clock).await?;
            tracing::info!(database = %vpsd_storage::redact(&cli.database), "running the worker");
            app.work(crate::server::shutdown_signal()).await
        }
        Command::Account(AccountCommand::Create { email, balance }) => {
            if !valid_email(&email) {
                bail!("`{email}` is not an email address such as ops@example.com");
            }
            let app = App::build(settings, clock.clone()).await?;
            let account = app
                .registrar
                .create_account(&Actor::operator(), &email, balance)
                .await?;
            out!("{}", account.id)?;
            Ok(())
        }
        Command::Account(AccountCommand::Credit { account, amount }) => {
            if amount.cents() <= 0 {
                bail!("the amount must be more than 0");
            }
            let app = App::build(settings, clock.clone()).await?;
            let updated = app
                .registrar
                .credit(&Actor::operator(), account, amount, "Credit by operator")
                .await
                .map_err(|e| match e {
                    vpsd_registrar::RegistrarError::NotFound => {
                        anyhow::anyhow!("there is no account {account}")
                    }
                    other => other.into(),
                })?;
            eprintln!("account {account}: balance is now ${}", updated.balance);
            Ok(())
        }
        Command::Token(TokenCommand::Create {
            account,
            name,
            read_only,
            expires_in,
        }) => {
            let app = App::build(settings, clock.clone()).await?;
            if app.store.account(account).await?.is_none() {
                bail!("there is no account {account}");
            }
            let expires_at = match expires_in {
                Some(d) => Some(app.now() + chrono::Duration::from_std(d)?),
                None => None,
            };
            let (id, token) = app
                .registrar
                .issue_token(&Actor::operator(), account, &name, read_only, expires_at)
                .await?;
            eprintln!("token {id} created; it is shown only this once");
            out!("{token}")?;
            Ok(())
        }
        Command::Token(TokenCommand::List { account }) => {
            let app = App::build(settings, clock.clone()).await?;
            if app.store.account(account).await?.is_none() {
                bail!("there is no account {account}");
            }
            let now = app.now();
            out!(
                "{:<6} {:<12} {:<10} {:<10} {:<22} {:<22} NAME",
                "ID",
                "PREFIX",
                "SCOPE",
                "STATE",
                "CREATED",
                "LAST USED"
            )?;
            for t in app.store.tokens(account).await? {
                let state = if t.revoked_at.is_some() {
                    "revoked"
                } else if t.expires_at.is_some_and(|e| e <= now) {
                    "expired"
                } else {
                    "active"
                };
                let when = |t: Option<DateTime<Utc>>| {
                    t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                        .unwrap_or_else(|| "never".to_owned())
                };
                out!(
                    "{:<6} {:<12} {:<10} {:<10} {:<22} {:<22} {}",
                    t.id,
                    format!("{}…", t.prefix),
                    if t.read_only { "read" } else { "read-write" },
                    state,
                    when(Some(t.created_at)),
                    when(t.last_used_at),
                    t.name
                )?;
            }
            Ok(())
        }
        Command::Token(TokenCommand::Revoke { token_id }) => {
            let app = App::build(settings, clock.clone()).await?;
            if !app
                .registrar
                .revoke_token(&Actor::operator(), token_id)
                .await?
            {
                bail!("there is no active token {token_id}");
            }
            eprintln!("token {token_id} revoked");
            Ok(())
        }
        Command::Registry(RegistryCommand::Add {
            name,
            registrar,
            auth_code,
            created,
            transfer_prohibited,
            nameservers,
        }) => {
            let name = DomainName::parse(&name).map_err(|e| anyhow::anyhow!("{e}"))?;
            if registrar.trim().is_empty() {
                bail!("--registrar may not be empty");
            }
            if auth_code.is_empty() {
                bail!("--auth-code may not be empty");
            }
            let app = App::build(settings, clock.clone()).await?;
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
                registrar: registrar.trim().to_owned(),
                auth_code,
                created_at: created,
                expires_at: lifecycle::next_anniversary(created, now),
                last_transferred_at: None,
                transfer_prohibited,
                nameservers,
                pending_transfer_to: None,
            };
            app.registry
                .add(&record, now)
                .await
                .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            eprintln!("{name} is now registered at {}", record.registrar);
            Ok(())
        }
        Command::Registry(RegistryCommand::Show { name }) => {
            let app = App::build(settings, clock).await?;
            let name = DomainName::parse_stored(&name).map_err(|e| anyhow::anyhow!("{e}"))?;
            let Some(r) = vpsd_registry::Registry::info(&app.registry, name.as_str()).await? else {
                bail!("{name} is not registered at the registry");
            };
            let mut statuses = Vec::new();
            if r.transfer_prohibited {
                statuses.push("clientTransferProhibited".to_owned());
            }
            if let Some(to) = &r.pending_transfer_to {
                statuses.push(format!("pendingTransfer (to {to})"));
            }
            if statuses.is_empty() {
                statuses.push("ok".to_owned());
            }
            let stamp = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            out!("name:        {}", r.name)?;
            out!("sponsor:     {}", r.registrar)?;
            out!("created:     {}", stamp(r.created_at))?;
            out!("expires:     {}", stamp(r.expires_at))?;
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
        Command::Registry(RegistryCommand::RejectTransfer { name }) => {
            let app = App::build(settings, clock).await?;
            let d = app
                .registrar
                .transfer_in_rejected(&app.registry, name.trim())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            eprintln!(
                "The losing registrar rejected the transfer of {}: transfer_status {}, the fee refunded to account {}.",
                d.domain_name,
                d.transfer_status.map(|t| t.as_str()).unwrap_or("none"),
                d.account_id
            );
            Ok(())
        }
        Command::Registry(RegistryCommand::RequestTransfer {
            name,
            registrar,
            auth_code,
        }) => {
            let app = App::build(settings, clock).await?;
            if registrar.trim().is_empty() {
                bail!("--registrar may not be empty");
            }
            let d = app
                .registrar
                .request_transfer_out(&app.registry, registrar.trim(), name.trim(), &auth_code)
                .await
                .map_err(|e| anyhow::anyhow!("refused: {e}"))?;
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
        Command::Sandbox(SandboxCommand::Clock(ClockCommand::Show)) => {
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
        Command::Sandbox(SandboxCommand::Clock(ClockCommand::Advance { by })) => {
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
        Command::Audit { account, limit } => {
            let app = App::build(settings, clock).await?;
            let (count, entries) = app.store.audit_page(account, 0, limit.max(1)).await?;
            eprintln!("{count} entries for account {account}; newest first");
            for e in entries {
                let who = match (e.actor.as_str(), e.token_id) {
                    ("api", Some(t)) => format!("api token {t}"),
                    (actor, _) => actor.to_owned(),
                };
                out!(
                    "{} {:<24} {:<22} {:<18} {} {}",
                    e.created_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    e.action,
                    e.domain_name.as_deref().unwrap_or("-"),
                    who,
                    e.changes,
                    e.request_id
                        .map(|r| format!("request {r}"))
                        .unwrap_or_default()
                )?;
            }
            Ok(())
        }
        Command::Openapi => {
            out!("{}", vpsd_api::openapi_document().to_pretty_json()?)?;
            Ok(())
        }
        Command::Outbox(OutboxCommand::List) => {
            let app = App::build(settings, clock).await?;
            for mail in app.store.outbox().await? {
                let state = match (mail.sent_at, mail.gave_up_at) {
                    (Some(t), _) => format!("sent {}", t.to_rfc3339()),
                    (None, Some(t)) => format!(
                        "refused for good {} after {} attempt(s): {}",
                        t.to_rfc3339(),
                        mail.attempts,
                        mail.last_error.as_deref().unwrap_or("")
                    ),
                    (None, None) if mail.attempts > 0 => format!(
                        "queued, {} failed attempt(s): {}",
                        mail.attempts,
                        mail.last_error.as_deref().unwrap_or("")
                    ),
                    (None, None) => "queued".to_owned(),
                };
                out!(
                    "#{} {} to {} [{}]\n  {}\n",
                    mail.id,
                    mail.created_at.to_rfc3339(),
                    mail.recipient,
                    state,
                    mail.subject
                )?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn emails_need_a_domain() {
        assert!(super::valid_email("ops@example.com"));
        assert!(!super::valid_email("ops"));
        assert!(!super::valid_email("ops@localhost"));
        assert!(!super::valid_email("a b@example.com"));
    }
}
