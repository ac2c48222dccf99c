//! The long-running commands: `serve` (the API, with the worker, nameserver
//! and forwarding it may also run), `dns` and `worker`, their options, and
//! what a failed bind says.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use vpsd_domain::Clock;

use crate::server::{App, ServerSettings};

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
    /// Addresses allowed to transfer zones (AXFR, IXFR over TCP) from the
    /// nameserver, as CIDR ranges (192.0.2.53/32, 2001:db8::/64); repeat or
    /// separate with commas. Nobody by default.
    #[arg(
        long = "transfer-allow",
        env = "VPSD_TRANSFER_ALLOW",
        value_delimiter = ',',
        value_name = "CIDR"
    )]
    pub transfer_allow: Vec<ipnet::IpNet>,
    /// A secondary told of every zone change by NOTIFY (RFC 1996), as
    /// ADDR:PORT (192.0.2.53:53); repeat or separate with commas. Allow its
    /// address with --transfer-allow so it can fetch the zone.
    #[arg(
        long = "notify",
        env = "VPSD_NOTIFY",
        value_delimiter = ',',
        value_name = "ADDR:PORT"
    )]
    pub notify: Vec<std::net::SocketAddr>,
    /// A file of TSIG keys for the secondaries, one a line as `nsupdate -y`
    /// takes them (hmac-sha256:NAME:BASE64SECRET): each may transfer every
    /// zone (and update none). Keep it readable by vpsd alone.
    #[arg(long, env = "VPSD_TRANSFER_KEY_FILE", value_name = "FILE")]
    pub transfer_key_file: Option<std::path::PathBuf>,
    /// Also serve a catalog zone (RFC 9432) of this name (e.g.
    /// catalog.invalid) listing every zone served, for secondaries that
    /// read catalogs (Knot DNS; BIND 9.18, PowerDNS 4.7, NSD 4.9 and
    /// later) to add and drop zones as they come and go. It goes by zone
    /// transfer to --transfer-allow peers and the transfer keys only.
    #[arg(long, env = "VPSD_CATALOG_ZONE", value_name = "NAME")]
    pub catalog_zone: Option<String>,
}

impl ZoneArgs {
    /// Puts these options in `settings`.
    ///
    /// # Errors
    /// The transfer key file cannot be read or holds a bad line (named);
    /// the catalog zone's name is not a DNS name.
    fn apply(self, settings: &mut ServerSettings) -> anyhow::Result<()> {
        if let Some(name) = &self.catalog_zone {
            if !vpsd_dns::catalog_zone::is_name(name) {
                anyhow::bail!(
                    "--catalog-zone {name:?} is not a DNS name: give one such as catalog.invalid (a name under .invalid no customer can register)"
                );
            }
            // Under a TLD sold here a customer's zone could be it or hold
            // it, and the two would be served as one.
            let tld = name
                .trim_end_matches('.')
                .rsplit('.')
                .next()
                .unwrap_or_default();
            if vpsd_domain::pricing::Tld::from_label(&tld.to_ascii_lowercase()).is_some() {
                anyhow::bail!(
                    "--catalog-zone {name:?} is under .{tld}, which this registrar sells: a customer's zone could be or hold it; give a name under .invalid such as catalog.invalid"
                );
            }
        }
        settings.catalog_zone = self.catalog_zone;
        settings.mail_exchanger = self.mail_exchanger;
        settings.forward_addresses = self.forward_addresses;
        settings.transfer_allow = self.transfer_allow;
        settings.notify = self.notify;
        if let Some(path) = self.transfer_key_file {
            settings.transfer_keys = crate::transfer_keys::load(&path)?;
        }
        Ok(())
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
    /// How much above the registry's fee a premium name sells, in percent
    /// (RFC 8748 fees; never below the TLD's list price).
    #[arg(long, env = "VPSD_PREMIUM_MARKUP_PERCENT",
        default_value_t = vpsd_domain::pricing::DEFAULT_PREMIUM_MARKUP_PERCENT,
        value_parser = clap::value_parser!(u32).range(0..=1000))]
    pub premium_markup_percent: u32,
    /// How long a registrant's email may stay unverified before its domains
    /// are flagged and the account warned (ICANN's RAA: 15 days; e.g. 15d).
    #[arg(long, env = "VPSD_REGISTRANT_VERIFICATION_PERIOD", default_value = "15d",
        value_parser = crate::duration::parse)]
    pub registrant_verification_period: Duration,
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
    /// The privacy service's contact, a JSON file with the fields of
    /// POST /api/v1/contacts/: what the public sees while a domain's privacy
    /// protection is on (default: VPS.org's privacy service).
    #[arg(long, env = "VPSD_PRIVACY_CONTACT")]
    pub privacy_contact: Option<std::path::PathBuf>,
    /// The RDAP server's settings, a JSON file: the registrar's IANA id,
    /// abuse contact, notices' links, privacy handle, registries' RDAP
    /// services (docs/api.md, "RDAP"; default: VPS.org's).
    #[arg(long, env = "VPSD_RDAP_SETTINGS", value_name = "FILE")]
    pub rdap_settings: Option<std::path::PathBuf>,
    /// RDAP queries per client address, per process: 5/s,burst=30, or off.
    #[arg(long, env = "VPSD_RDAP_RATE_LIMIT", default_value = "5/s,burst=30", value_parser = parse_rate)]
    pub rdap_rate_limit: RateLimitArg,
    /// A reverse proxy (TLS terminator) in front of the API, as a CIDR
    /// range; repeat or separate with commas. A request from one is
    /// counted against the client address it recorded in X-Forwarded-For
    /// (the RDAP rate, failed token lookups). None by default.
    #[arg(
        long = "trusted-proxy",
        env = "VPSD_TRUSTED_PROXIES",
        value_delimiter = ',',
        value_name = "CIDR"
    )]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The privacy mail domain: with privacy protection on, the public reaches a domain's
    /// registrant at DOMAIN@THIS, forwarded to the registrant's email by Postfix
    /// (docs/forwarding.md). Default: privacy. and the privacy contact's email domain
    /// (privacy.vps.org).
    #[arg(long, env = "VPSD_PRIVACY_MAIL_DOMAIN", value_parser = vpsd_domain::contact::privacy_mail_domain)]
    pub privacy_mail_domain: Option<String>,
}

impl JobArgs {
    fn apply(self, settings: &mut ServerSettings) {
        settings.smtp_url = self.smtp_url;
        settings.mail_from = self.mail_from;
        settings.registrar.premium_markup_percent = self.premium_markup_percent;
        settings.registrar.registrant_verification_period = self.registrant_verification_period;
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

/// `vpsd serve`: the API, and whatever else its flags ask for.
pub(super) async fn serve(
    args: ServeArgs,
    mut settings: ServerSettings,
    clock: Arc<dyn Clock>,
    listen: SocketAddr,
    database: &str,
) -> anyhow::Result<()> {
    let demo_delay = Duration::from_secs(10);
    settings.registrar.registration_delay = args
        .registration_delay
        .or(args.demo.then_some(demo_delay))
        .unwrap_or(settings.registrar.registration_delay);
    settings.registrar.transfer_delay = args
        .transfer_delay
        .or(args.demo.then_some(demo_delay))
        .unwrap_or(settings.registrar.transfer_delay);
    if let Some(path) = &args.privacy_contact {
        let text = std::fs::read_to_string(path).map_err(|e| {
            anyhow::anyhow!("cannot read --privacy-contact {}: {e}", path.display())
        })?;
        settings.registrar.privacy_contact =
            vpsd_domain::contact::from_json(&text).map_err(|e| {
                anyhow::anyhow!(
                    "--privacy-contact {}: {e} (the fields of POST /api/v1/contacts/, docs/api.md)",
                    path.display()
                )
            })?;
    }
    if let Some(path) = &args.rdap_settings {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read --rdap-settings {}: {e}", path.display()))?;
        settings.rdap = vpsd_api::rdap::RdapSettings::from_json(&text).map_err(|e| {
            anyhow::anyhow!(
                "--rdap-settings {}: {e} (the fields of docs/api.md, \"RDAP\")",
                path.display()
            )
        })?;
    }
    settings.rdap_rate_limit = args.rdap_rate_limit.0;
    settings.trusted_proxies = args.trusted_proxies;
    settings.registrar.privacy_mail_domain = match &args.privacy_mail_domain {
        Some(domain) => domain.clone(),
        None => vpsd_domain::contact::default_privacy_mail_domain(
            &settings.registrar.privacy_contact.email,
        ),
    };
    args.jobs.apply(&mut settings);
    args.zones.apply(&mut settings)?;
    settings.run_worker = !args.no_worker;
    settings.request_timeout = args.request_timeout;
    settings.header_read_timeout = args.header_read_timeout;
    // The verification mails' links: the public URL, else this address.
    settings.registrar.public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{listen}"));
    settings.public_url = args.public_url;
    settings.rate_limit = args.rate_limit.0;
    // Every address is taken before the database is opened, so a
    // busy port changes nothing and leaves no SQLite side files.
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| bind_error(e, listen, "--listen", "for the API"))?;
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
    app.check_registries().await?;
    if let Some(a) = args.dns_listen {
        tracing::info!(addr = %a, "serving DNS");
    }
    let addr = listener.local_addr()?;
    if args.demo {
        crate::demo::seed_and_print(&app, addr, database).await?;
    }
    tracing::info!(%addr, database = %vpsd_storage::redact(database), "serving the Domains API");
    let extra = crate::server::Listeners {
        metrics: metrics_listener,
        dns,
        forward,
    };
    app.serve_all(listener, extra, crate::server::shutdown_signal())
        .await
}

/// `vpsd dns`: only the authoritative nameserver.
pub(super) async fn dns(
    dns_listen: SocketAddr,
    zones: ZoneArgs,
    mut settings: ServerSettings,
    clock: Arc<dyn Clock>,
    database: &str,
) -> anyhow::Result<()> {
    zones.apply(&mut settings)?;
    let (udp, tcp) = vpsd_dns::server::bind(dns_listen)
        .await
        .map_err(|e| bind_error(e, dns_listen, "--dns-listen", "for DNS"))?;
    let app = App::build(settings, clock).await?;
    tracing::info!(addr = %dns_listen, database = %vpsd_storage::redact(database), "serving DNS");
    app.run_dns(udp, tcp, crate::server::shutdown_signal())
        .await;
    app.store.close().await;
    Ok(())
}

/// `vpsd dns secondaries-config nsd|knot --primary ADDR`: the secondary's
/// configuration for every zone served now, on stdout.
pub(super) async fn secondaries_config(
    secondary: super::SecondaryArg,
    primary: SocketAddr,
    key: Option<String>,
    zones: ZoneArgs,
    mut settings: ServerSettings,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<()> {
    zones.apply(&mut settings)?;
    let settings_catalog = settings.catalog_zone.clone();
    // Read-only: a SQLite database that is not there is a mistake (a
    // relative path from another directory, as cron runs it), not an
    // empty installation whose secondaries should drop every zone.
    if let Some(path) = settings
        .database_url
        .strip_prefix("sqlite:")
        .map(|p| p.trim_start_matches("//"))
        .map(|p| p.split('?').next().unwrap_or(p))
    {
        if !std::path::Path::new(path).exists() {
            anyhow::bail!(
                "there is no database at {path}: give the installation's with --database (or VPSD_DATABASE_URL), an absolute path when run from cron"
            );
        }
    }
    let app = App::build(settings, clock).await?;
    let names = app.served_zones().await?;
    app.store.close().await;
    let kind = match secondary {
        super::SecondaryArg::Nsd => vpsd_dns::secondaries::Secondary::Nsd,
        super::SecondaryArg::Knot => vpsd_dns::secondaries::Secondary::Knot,
    };
    let text = vpsd_dns::secondaries::config(
        kind,
        primary,
        key.as_deref(),
        &names,
        settings_catalog.as_deref(),
    );
    out!("{}", text.trim_end())?;
    Ok(())
}

/// `vpsd worker`: only the background worker.
pub(super) async fn worker(
    jobs: JobArgs,
    mut settings: ServerSettings,
    clock: Arc<dyn Clock>,
    database: &str,
) -> anyhow::Result<()> {
    jobs.apply(&mut settings);
    let app = App::build(settings, clock).await?;
    app.check_registries().await?;
    tracing::info!(database = %vpsd_storage::redact(database), "running the worker");
    app.work(crate::server::shutdown_signal()).await
}
