//! The command line: the top-level options, the commands, the log set-up and
//! [`run`], which hands each command to its group (`servers`, `accounts`,
//! `registry`). These forms are relied on by scripts and tests; keep
//! them as they are (see README, "Operator commands").

use std::net::SocketAddr;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use vpsd_domain::{Clock, SystemClock};

use crate::server::ServerSettings;

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
                    $crate::cli::StdoutClosed.into()
                } else {
                    anyhow::Error::new(e).context("writing to standard output")
                }
            })
    }};
}

mod accounts;
mod premium;
mod registry;
mod servers;

pub use accounts::{AccountCommand, OutboxCommand, TokenCommand};
pub use registry::{ClockCommand, RegistrarCommand, RegistryCommand, SandboxCommand};
pub use servers::{JobArgs, RateLimitArg, ServeArgs, ZoneArgs};

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
    /// The registries file: TLDs sold through real registries over EPP
    /// (docs/registries.md); without it every TLD is on the sandbox.
    #[arg(long, env = "VPSD_REGISTRIES", global = true)]
    pub registries: Option<std::path::PathBuf>,
    /// The secrets key file (64 hex digits, made if missing): TSIG keys'
    /// secrets are sealed with it in the database. Default with SQLite:
    /// the database's path plus `.secrets.key`; with PostgreSQL none (then
    /// no TSIG key can be made). Every process of an installation needs
    /// the same file.
    #[arg(long, env = "VPSD_SECRETS_KEY_FILE", global = true)]
    pub secrets_key_file: Option<std::path::PathBuf>,
    /// Log lines for people (`human`) or for log collectors (`json`).
    #[arg(long, env = "VPSD_LOG_FORMAT", default_value = "human", global = true)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

/// What `vpsd dns` does besides serving.
#[derive(Debug, Subcommand)]
pub enum DnsAction {
    /// Print the configuration of a secondary (NSD or Knot) taking every
    /// zone served now from this nameserver as its hidden primary, for the
    /// secondary's configuration to include; regenerate it as zones come
    /// and go.
    SecondariesConfig {
        /// nsd or knot.
        secondary: SecondaryArg,
        /// This nameserver's address as the secondary reaches it, e.g.
        /// 192.0.2.1:53.
        #[arg(long)]
        primary: SocketAddr,
        /// The name of an operator's transfer key (--transfer-key-file)
        /// the secondary signs its transfers with; its secret goes in the
        /// secondary's own configuration. Without it, transfers are
        /// unsigned (allow the secondary with --transfer-allow).
        #[arg(long, value_name = "NAME")]
        key: Option<String>,
    },
}

/// A secondary `vpsd dns secondaries-config` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SecondaryArg {
    Nsd,
    Knot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the API server and the background worker.
    Serve(Box<ServeArgs>),
    /// Run only the background worker (and mail delivery), no API.
    Worker(JobArgs),
    /// Run only the authoritative nameserver (UDP and TCP on --dns-listen).
    Dns {
        /// The nameserver's address, e.g. 0.0.0.0:53.
        #[arg(long, env = "VPSD_DNS_LISTEN", default_value = "127.0.0.1:5353")]
        dns_listen: SocketAddr,
        #[command(flatten)]
        zones: ZoneArgs,
        #[command(subcommand)]
        action: Option<DnsAction>,
    },
    /// Create accounts and add money to them.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Create API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The sandbox registry: names held at other registrars, their moves,
    /// and serving it over EPP to other registrars.
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

/// Sets up the log: lines to standard error, written by a thread of their
/// own, so a request's log line (one per request at `info`) costs the
/// request a copy into a queue, not a `write` to stderr (measured: GET
/// detail 39,000–46,000 req/s with the lines written in place, 52,000–62,000
/// without them). When the queue is full the caller waits: no line is
/// dropped. The guard flushes the queue when dropped: hold it until exit.
fn init_tracing(format: LogFormat) -> tracing_appender::non_blocking::WorkerGuard {
    use tracing_subscriber::filter::{FilterExt as _, LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    use tracing_subscriber::Layer as _;
    let env = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // The EPP library logs whole commands (the login's password, auth
    // codes) at `debug`, and a whole answer it cannot read at `error`:
    // none of its lines, whatever RUST_LOG says. A filter of its own, so
    // no RUST_LOG directive (a longer target such as
    // `instant_epp::client`, or a span's) can turn them back on; our own
    // EPP lines say what was sent and what came back.
    let no_epp_xml = Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_target("instant_epp", LevelFilter::OFF);
    let filter = env.and(no_epp_xml);
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("vpsd-log")
        .finish(std::io::stderr());
    let layer = tracing_subscriber::fmt::layer().with_writer(writer);
    let _ = match format {
        LogFormat::Human => tracing_subscriber::registry()
            .with(layer.with_filter(filter))
            .try_init(),
        LogFormat::Json => tracing_subscriber::registry()
            .with(layer.json().flatten_event(true).with_filter(filter))
            .try_init(),
    };
    guard
}

/// Runs one command: each group of commands has its module.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let _log = init_tracing(cli.log_format);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let mut settings = ServerSettings::new(cli.database.clone());
    settings.registries = cli.registries.clone();
    settings.secrets_key_file = cli.secrets_key_file.clone();
    match cli.command {
        Command::Serve(args) => {
            servers::serve(*args, settings, clock, cli.listen, &cli.database).await
        }
        Command::Dns {
            action:
                Some(DnsAction::SecondariesConfig {
                    secondary,
                    primary,
                    key,
                }),
            zones,
            ..
        } => servers::secondaries_config(secondary, primary, key, zones, settings, clock).await,
        Command::Dns {
            dns_listen,
            zones,
            action: None,
        } => servers::dns(dns_listen, zones, settings, clock, &cli.database).await,
        Command::Worker(jobs) => servers::worker(jobs, settings, clock, &cli.database).await,
        Command::Account(command) => accounts::account(command, settings, clock).await,
        Command::Token(command) => accounts::token(command, settings, clock).await,
        Command::Audit { account, limit } => accounts::audit(account, limit, settings, clock).await,
        Command::Outbox(command) => accounts::outbox(command, settings, clock).await,
        Command::Registry(command) => registry::registry(command, settings, clock).await,
        Command::Sandbox(command) => registry::sandbox(command, settings, clock).await,
        Command::Openapi => {
            out!("{}", vpsd_api::openapi_document().to_pretty_json()?)?;
            Ok(())
        }
    }
}
