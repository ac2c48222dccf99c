//! Builds the application and runs its parts: the HTTP API and the worker
//! run as tasks under one `select!`; when either stops, or the shutdown
//! signal comes, the other is told to stop too, and which one stopped first
//! is logged.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::watch;
use vpsd_api::AppState;
use vpsd_domain::{Clock, SandboxClock, SystemClock};
use vpsd_mailer::Mailer;
use vpsd_registrar::{Registrar, RegistrarSettings};
use vpsd_registry::SandboxRegistry;
use vpsd_storage::Store;

pub const DEFAULT_MAIL_FROM: &str = "VPS.org Domains <domains@vps.org>";

/// Everything `serve` needs to know.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    pub database_url: String,
    pub registrar: RegistrarSettings,
    /// How often the worker looks for due jobs.
    pub worker_interval: Duration,
    /// How long requests in flight may run on after a shutdown signal.
    pub shutdown_grace: Duration,
    /// The SMTP relay the outbox is delivered to; without one, mails stay
    /// in the outbox (`vpsd outbox list`).
    pub smtp_url: Option<String>,
    /// The sender of every mail.
    pub mail_from: String,
    /// How often the mailer looks for mails to send.
    pub mail_interval: Duration,
    /// Whether this process runs the background worker (`--no-worker`).
    pub run_worker: bool,
    /// Longer requests are stopped with a 503.
    pub request_timeout: Duration,
    /// How long a client may take to send a request's headers
    /// (`--header-read-timeout`); then the connection is closed.
    pub header_read_timeout: Duration,
    /// The API's public URL, the base of pagination links (`--public-url`,
    /// checked by `vpsd_api::pagination::parse_public_url`); `None`: from
    /// the request's `Host`.
    pub public_url: Option<String>,
    /// Per-token rate limit; `None` for none.
    pub rate_limit: Option<vpsd_api::limits::RateLimit>,
    /// The MX that email forwarding puts at a zone's apex.
    pub mail_exchanger: String,
    /// The URL forwarding listener's public addresses, put at forwarded
    /// hosts as A/AAAA records; none by default.
    pub forward_addresses: Vec<std::net::IpAddr>,
    /// Who may transfer zones (AXFR, IXFR) from the nameserver
    /// (`--transfer-allow`): address ranges; nobody by default.
    pub transfer_allow: Vec<ipnet::IpNet>,
    /// The secondaries told of each zone change by NOTIFY (`--notify`).
    pub notify: Vec<std::net::SocketAddr>,
    /// The operator's TSIG keys for zone transfers (`--transfer-key-file`):
    /// each transfers every zone.
    pub transfer_keys: Vec<vpsd_dns::update::ZoneKey>,
    /// The catalog zone's name (`--catalog-zone`, RFC 9432); `None`: no
    /// catalog zone.
    pub catalog_zone: Option<String>,
    /// The operator's registries file (`--registries`): TLDs sold through
    /// real registries over EPP; `None` keeps every TLD on the sandbox.
    pub registries: Option<std::path::PathBuf>,
    /// The secrets key file (`--secrets-key-file`); `None`: beside a
    /// SQLite database, none with PostgreSQL (`secrets_file.rs`).
    pub secrets_key_file: Option<std::path::PathBuf>,
    /// The RDAP server's settings (`--rdap-settings`).
    pub rdap: vpsd_api::rdap::RdapSettings,
    /// RDAP queries per client address (`--rdap-rate-limit`); `None` for
    /// none.
    pub rdap_rate_limit: Option<vpsd_api::limits::RateLimit>,
    /// The operator's reverse proxies (`--trusted-proxy`): the client of a
    /// request from them is the address they recorded in
    /// `X-Forwarded-For`, for the limits kept per client address.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

/// The default `mail_exchanger`.
pub const DEFAULT_MAIL_EXCHANGER: &str = "mx.vps.org";

impl ServerSettings {
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            registrar: RegistrarSettings::default(),
            worker_interval: Duration::from_secs(1),
            shutdown_grace: Duration::from_secs(30),
            smtp_url: None,
            mail_from: DEFAULT_MAIL_FROM.to_owned(),
            mail_interval: Duration::from_secs(1),
            run_worker: true,
            request_timeout: Duration::from_secs(30),
            header_read_timeout: vpsd_api::HEADER_READ_TIMEOUT,
            public_url: None,
            rate_limit: Some(vpsd_api::limits::RateLimit::DEFAULT),
            mail_exchanger: DEFAULT_MAIL_EXCHANGER.to_owned(),
            forward_addresses: Vec::new(),
            transfer_allow: Vec::new(),
            catalog_zone: None,
            notify: Vec::new(),
            transfer_keys: Vec::new(),
            registries: None,
            secrets_key_file: None,
            rdap: vpsd_api::rdap::RdapSettings::default(),
            rdap_rate_limit: Some(vpsd_api::rdap::DEFAULT_RATE),
            trusted_proxies: Vec::new(),
        }
    }
}

/// The sockets `serve_all` runs besides the API's.
#[derive(Debug, Default)]
pub struct Listeners {
    /// `/metrics` on its own address instead of on the API's.
    pub metrics: Option<TcpListener>,
    /// The nameserver: UDP and TCP on one address.
    pub dns: Option<(tokio::net::UdpSocket, TcpListener)>,
    /// The URL forwarding listener.
    pub forward: Option<TcpListener>,
}

/// The assembled application: storage, the sandbox registry, the registrar.
#[derive(Debug, Clone)]
pub struct App {
    pub registrar: Registrar,
    pub registry: SandboxRegistry,
    pub store: Arc<dyn Store>,
    /// Delivers the outbox, when an SMTP relay is configured.
    pub mailer: Option<Mailer>,
    settings: ServerSettings,
    clock: Arc<dyn Clock>,
    /// The same clock, with the sandbox's offset (`sandbox_clock` table).
    sandbox_clock: Arc<SandboxClock>,
}

/// How often a process copies the sandbox clock's offset from the
/// database; `vpsd sandbox clock advance` waits twice this before it
/// returns, so every process shows the new time by then.
pub const SANDBOX_CLOCK_POLL: Duration = Duration::from_millis(100);

/// What `vpsd sandbox clock advance` did.
#[derive(Debug, Default)]
pub struct Advanced {
    /// The sandbox time now.
    pub now: chrono::DateTime<chrono::Utc>,
    /// The due work it ran (other workers may have run some too).
    pub work: vpsd_registrar::worker::PassOutcome,
}

impl App {
    /// Opens the database (applying migrations) and wires the parts, with
    /// the embedded sandbox registry.
    /// With a registries file (`settings.registries`), the TLDs it names go
    /// to those registries over EPP and the rest stay on the sandbox.
    ///
    /// # Errors
    /// The database cannot be opened, or the registries file is wrong (the
    /// message names the key and the fix).
    pub async fn build(settings: ServerSettings, clock: Arc<dyn Clock>) -> anyhow::Result<App> {
        let Some(path) = settings.registries.clone() else {
            return Self::build_with_registry(settings, clock, |sandbox| Arc::new(sandbox)).await;
        };
        let mut by_tld: HashMap<String, Arc<dyn vpsd_registry::Registry>> = HashMap::new();
        let mut real_tlds: Vec<String> = Vec::new();
        for config in vpsd_epp_client::config::load(&path)? {
            let tlds: Vec<&'static str> = config.tlds.iter().map(|t| t.label()).collect();
            let registry = vpsd_epp_client::EppRegistry::new(config).map_err(anyhow::Error::msg)?;
            tokio::spawn(registry.clone().keep_alive());
            let probed = registry.clone();
            tokio::spawn(async move {
                match probed.probe().await {
                    Ok(()) => {
                        tracing::info!(registry = %probed.config().name, "logged in to the registry")
                    }
                    Err(why) => tracing::error!("{why}"),
                }
            });
            let registry: Arc<dyn vpsd_registry::Registry> = Arc::new(registry);
            for tld in tlds {
                by_tld.insert(tld.to_owned(), registry.clone());
                real_tlds.push(tld.to_owned());
            }
        }
        real_tlds.sort();
        let app = Self::build_with_registry(settings, clock, move |sandbox| {
            Arc::new(vpsd_registry::RegistryRouter::new(
                Arc::new(sandbox),
                by_tld,
            ))
        })
        .await?;
        app.store.set_real_registry_tlds(&real_tlds).await?;
        Ok(app)
    }

    /// Refuses to run the registrar (serve, worker, the sandbox clock) on a
    /// database whose TLDs were last sold through real registries when this
    /// process has no registries file: it would serve them from the sandbox
    /// (renew, transfer and delete names the real registry holds).
    ///
    /// # Errors
    /// A message naming the TLDs and the fix.
    pub async fn check_registries(&self) -> anyhow::Result<()> {
        if self.settings.registries.is_some() {
            return Ok(());
        }
        let real = self.store.real_registry_tlds().await?;
        if real.is_empty() {
            return Ok(());
        }
        anyhow::bail!(
            "this database sells .{} through real registries (it was last started with --registries): \
             start with --registries FILE (or VPSD_REGISTRIES) naming them, or run \
             `vpsd registry forget-real-registries` to sell every TLD from the sandbox again",
            real.join(", .")
        )
    }

    /// As [`App::build`], with the registry the registrar speaks to made
    /// from the embedded one by `registry` (a real registry takes its place
    /// here). The embedded one stays at hand for the operator's scenarios.
    pub async fn build_with_registry(
        settings: ServerSettings,
        clock: Arc<dyn Clock>,
        registry_of: impl FnOnce(SandboxRegistry) -> Arc<dyn vpsd_registry::Registry>,
    ) -> anyhow::Result<App> {
        let store = vpsd_storage::connect(&settings.database_url)
            .await
            .with_context(|| {
                format!(
                    "opening the database {}",
                    vpsd_storage::redact(&settings.database_url)
                )
            })?;
        let registry = SandboxRegistry::new(store.clone());
        // Every rule reads the sandbox time: the given clock plus the
        // installation's offset.
        let sandbox_clock = Arc::new(SandboxClock::new(clock));
        sandbox_clock.set_offset(store.sandbox_offset().await?);
        let clock: Arc<dyn Clock> = sandbox_clock.clone();
        let mailer = match &settings.smtp_url {
            Some(url) => Some(
                Mailer::new(store.clone(), clock.clone(), url, &settings.mail_from)
                    .context("configuring mail delivery")?,
            ),
            None => None,
        };
        let mut registrar_settings = settings.registrar.clone();
        if let Some(path) =
            crate::secrets_file::path(settings.secrets_key_file.as_deref(), &settings.database_url)
        {
            registrar_settings.secrets = Some(crate::secrets_file::load_or_create(&path)?);
        }
        let registrar = Registrar::new(
            store.clone(),
            registry_of(registry.clone()),
            clock.clone(),
            registrar_settings,
        );
        Ok(App {
            registrar,
            registry,
            store,
            mailer,
            settings,
            clock,
            sandbox_clock,
        })
    }

    /// Copies the sandbox clock's offset from the database every
    /// [`SANDBOX_CLOCK_POLL`] until `stop` turns true.
    async fn follow_sandbox_clock(&self, mut stop: watch::Receiver<bool>) {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(SANDBOX_CLOCK_POLL) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            match self.store.sandbox_offset().await {
                Ok(offset) => self.sandbox_clock.set_offset(offset),
                Err(e) => {
                    tracing::warn!(error = %vpsd_domain::ErrorChain(&e), "reading the sandbox clock")
                }
            }
        }
    }

    /// The installation's clock (the sandbox clock: the system's plus the
    /// offset `vpsd sandbox clock advance` sets, followed while
    /// [`App::serve_epp`] runs).
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    /// Serves the sandbox registry over EPP on `listener` (`vpsd registry
    /// serve-epp`), following the sandbox clock, until the listener fails.
    pub async fn serve_epp(
        &self,
        server: vpsd_epp_server::EppServer,
        listener: tokio::net::TcpListener,
        tls: Arc<vpsd_epp_server::rustls::ServerConfig>,
    ) -> std::io::Result<()> {
        let (_keep, never) = watch::channel(false);
        tokio::select! {
            _ = self.follow_sandbox_clock(never) => Ok(()),
            r = server.serve(listener, tls) => r,
        }
    }

    /// Whether the registry is the embedded sandbox.
    pub fn is_sandbox(&self) -> bool {
        self.registrar.is_sandbox()
    }

    /// The sandbox time.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Moves the sandbox clock forward by `by`, a day at most at a time,
    /// running the work that falls due at each step before the next (so a
    /// long jump does what as many short ones would: an auto-renewal is not
    /// skipped for an expiry). Returns once every process shows the new
    /// time. Refused unless the registry is the sandbox.
    pub async fn advance_sandbox(&self, by: chrono::Duration) -> anyhow::Result<Advanced> {
        let mut work = self.advance_sandbox_unsettled(by).await?;
        tokio::time::sleep(SANDBOX_CLOCK_POLL * 2).await;
        // Whatever fell due while the other processes caught up.
        work.add(self.run_due_work().await?);
        Ok(Advanced {
            now: self.now(),
            work,
        })
    }

    /// [`App::advance_sandbox`] without waiting for the other processes to
    /// follow: the steps and their due work only.
    pub async fn advance_sandbox_unsettled(
        &self,
        by: chrono::Duration,
    ) -> anyhow::Result<vpsd_registrar::worker::PassOutcome> {
        anyhow::ensure!(
            self.is_sandbox(),
            "the registry is not the sandbox: its clock is the real one and cannot be moved"
        );
        let real = self.store.real_registry_tlds().await?;
        anyhow::ensure!(
            real.is_empty(),
            "this database sells .{} through real registries: their clock is the real one and cannot be moved",
            real.join(", .")
        );
        anyhow::ensure!(
            by > chrono::Duration::zero(),
            "the sandbox clock only moves forward: give a positive duration such as 45d"
        );
        let mut work = vpsd_registrar::worker::PassOutcome::default();
        let mut left = by;
        while left > chrono::Duration::zero() {
            let step = left.min(chrono::Duration::days(1));
            left -= step;
            let offset = self
                .store
                .sandbox_advance(step.num_seconds().max(1))
                .await?;
            self.sandbox_clock.set_offset(offset);
            work.add(self.run_due_work().await?);
        }
        Ok(work)
    }

    /// Worker passes until one finds nothing due.
    pub async fn run_due_work(&self) -> anyhow::Result<vpsd_registrar::worker::PassOutcome> {
        let mut total = vpsd_registrar::worker::PassOutcome::default();
        for _ in 0..100 {
            let pass = vpsd_registrar::worker::run_once(&self.registrar).await?;
            let idle = pass.is_idle();
            total.add(pass);
            if idle {
                break;
            }
        }
        Ok(total)
    }

    pub async fn build_default(settings: ServerSettings) -> anyhow::Result<App> {
        Self::build(settings, Arc::new(SystemClock)).await
    }

    /// Runs the API on `listener` and the worker until `shutdown` resolves.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        self.serve_all(listener, Listeners::default(), shutdown)
            .await
    }

    /// Runs the API on `listener` (and `/metrics` on `metrics_listener`
    /// when given, instead of on the API's address), the worker unless
    /// disabled, and the mailer when configured, until `shutdown` resolves.
    pub async fn serve_all(
        self,
        listener: TcpListener,
        extra: Listeners,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let metrics_listener = extra.metrics;
        let (stop_tx, stop_rx) = watch::channel(false);
        let clock_follower = {
            let app = self.clone();
            let stop = stop_rx.clone();
            tokio::spawn(async move { app.follow_sandbox_clock(stop).await })
        };
        let dns = match extra.dns {
            Some((udp, tcp)) => {
                let app = self.clone();
                let mut stop = stop_rx.clone();
                tokio::spawn(async move {
                    app.run_dns(udp, tcp, async move {
                        let _ = stop.wait_for(|s| *s).await;
                    })
                    .await
                })
            }
            None => tokio::spawn(async {}),
        };
        let forward = match extra.forward {
            Some(l) => {
                let mut stop = stop_rx.clone();
                tokio::spawn(vpsd_api::serve(
                    l,
                    vpsd_api::redirects::router(self.registrar.clone()),
                    async move {
                        let _ = stop.wait_for(|s| *s).await;
                    },
                    self.settings.shutdown_grace,
                ))
            }
            None => tokio::spawn(async { Ok(()) }),
        };
        let mut shared = vpsd_api::Shared::new(self.registrar.clone());
        shared.request_timeout = self.settings.request_timeout;
        shared.public_url = self.settings.public_url.clone();
        shared.metrics_on_api = metrics_listener.is_none();
        shared.limiter = self
            .settings
            .rate_limit
            .map(vpsd_api::limits::TokenLimiter::new);
        shared.rdap = self.settings.rdap.clone();
        shared.rdap_limiter = self
            .settings
            .rdap_rate_limit
            .map(vpsd_api::rdap::AddressLimiter::new);
        shared.trusted_proxies = self.settings.trusted_proxies.clone();
        let state = AppState::from(shared);
        let metrics = state.metrics.clone();
        let worker = if self.settings.run_worker {
            tokio::spawn(vpsd_registrar::worker::run(
                self.registrar.clone(),
                self.settings.worker_interval,
                stop_rx.clone(),
                move |pass| record_pass(&metrics, pass),
            ))
        } else {
            tracing::info!("no worker in this process (--no-worker)");
            let mut stop = stop_rx.clone();
            tokio::spawn(async move {
                let _ = stop.wait_for(|s| *s).await;
            })
        };
        let metrics_server = match metrics_listener {
            Some(l) => {
                let mut stop = stop_rx.clone();
                tokio::spawn(vpsd_api::serve(
                    l,
                    vpsd_api::metrics_app(state.clone()),
                    async move {
                        let _ = stop.wait_for(|s| *s).await;
                    },
                    self.settings.shutdown_grace,
                ))
            }
            None => tokio::spawn(async { Ok(()) }),
        };
        let mailer = match self.mailer.clone() {
            Some(m) => tokio::spawn(vpsd_mailer::run(
                m,
                self.settings.mail_interval,
                stop_rx.clone(),
            )),
            None => tokio::spawn(async {}),
        };
        let mut api_stop = stop_rx;
        let api = tokio::spawn(vpsd_api::serve_with(
            listener,
            vpsd_api::router(state),
            async move {
                let _ = api_stop.wait_for(|s| *s).await;
            },
            self.settings.shutdown_grace,
            self.settings.header_read_timeout,
        ));
        tokio::pin!(shutdown);
        tokio::pin!(worker);
        tokio::pin!(api);
        tokio::select! {
            _ = &mut shutdown => tracing::info!("shutdown requested; finishing requests in flight"),
            r = &mut worker => tracing::error!(result = ?r, "the worker stopped"),
            r = &mut api => {
                tracing::error!(result = ?r, "the API server stopped");
                let _ = stop_tx.send(true);
                let _ = worker.await;
                return r.context("API task")?.context("API server");
            }
        }
        let _ = stop_tx.send(true);
        let _ = (&mut worker).await;
        let _ = mailer.await;
        let _ = metrics_server.await;
        let _ = dns.await;
        let _ = forward.await;
        let _ = clock_follower.await;
        let served = api.await;
        // Every part has stopped: close the database's connections, so
        // SQLite removes its -wal and -shm files when this App is dropped.
        self.store.close().await;
        served.context("API task")?.context("API server")?;
        tracing::info!("stopped");
        Ok(())
    }
}

impl App {
    /// What every served zone gets besides its records: VPS.org's
    /// nameservers, the forwarding MX and addresses.
    fn zone_defaults(&self) -> vpsd_dns::ZoneDefaults {
        vpsd_dns::ZoneDefaults {
            nameservers: self.registrar.settings().own_nameservers.clone(),
            mail_exchanger: self.settings.mail_exchanger.clone(),
            forward_addresses: self.settings.forward_addresses.clone(),
        }
    }

    /// The names of the zones the nameserver serves now, sorted (for
    /// `vpsd dns secondaries-config`).
    ///
    /// # Errors
    /// The database cannot be read.
    pub async fn served_zones(&self) -> anyhow::Result<Vec<String>> {
        let catalog = vpsd_dns::Catalog::new(self.zone_defaults(), self.clock.clone());
        catalog.replace_all(&self.store.dns_zones().await?);
        Ok(catalog.names())
    }

    /// Runs the authoritative nameserver on `udp` and `tcp` (one address)
    /// until `shutdown` resolves: the zones are read from the database and
    /// kept in step with it (vpsd-dns).
    pub async fn run_dns(
        &self,
        udp: tokio::net::UdpSocket,
        tcp: TcpListener,
        shutdown: impl Future<Output = ()>,
    ) {
        let mut catalog = vpsd_dns::Catalog::new(self.zone_defaults(), self.clock.clone());
        if let Some(name) = &self.settings.catalog_zone {
            // The name was checked at start; without a nameserver to name
            // nothing is served at all.
            if !catalog.set_catalog_zone(name) {
                tracing::error!(name, "the catalog zone cannot be served");
            }
        }
        let catalog = Arc::new(catalog);
        let mut follower = vpsd_dns::Follower::new(catalog.clone(), self.store.clone());
        let (changed, changes) = tokio::sync::mpsc::unbounded_channel();
        if !self.settings.notify.is_empty() {
            follower = follower.notify_to(changed);
        }
        let (_keep, never) = watch::channel(false);
        tokio::select! {
            _ = vpsd_dns::notify::run(catalog.clone(), self.settings.notify.clone(), changes) => {}
            _ = self.follow_sandbox_clock(never) => {}
            _ = follower.run(std::future::pending()) => {}
            _ = vpsd_dns::server::serve(
                catalog,
                udp,
                tcp,
                vpsd_dns::server::Access {
                    acl: vpsd_dns::transfer::TransferAcl::new(self.settings.transfer_allow.clone()),
                    updater: Some(Arc::new(crate::dns_updates::RegistrarUpdates(self.registrar.clone()))),
                    transfer_keys: self.settings.transfer_keys.clone(),
                },
            ) => {}
            _ = shutdown => {}
        }
    }

    /// Runs only the worker and the mailer until `shutdown` resolves
    /// (`vpsd worker`, beside API processes started with `--no-worker`).
    pub async fn work(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let clock_follower = {
            let app = self.clone();
            let stop = stop_rx.clone();
            tokio::spawn(async move { app.follow_sandbox_clock(stop).await })
        };
        let metrics = std::sync::Arc::new(vpsd_api::observe::Metrics::new());
        let worker = tokio::spawn(vpsd_registrar::worker::run(
            self.registrar.clone(),
            self.settings.worker_interval,
            stop_rx.clone(),
            move |pass| record_pass(&metrics, pass),
        ));
        let mailer = self
            .mailer
            .clone()
            .map(|m| tokio::spawn(vpsd_mailer::run(m, self.settings.mail_interval, stop_rx)));
        shutdown.await;
        tracing::info!("shutdown requested; finishing the current pass");
        let _ = stop_tx.send(true);
        let _ = worker.await;
        let _ = clock_follower.await;
        if let Some(m) = mailer {
            let _ = m.await;
        }
        self.store.close().await;
        Ok(())
    }
}

/// Counts a worker pass's jobs in the metrics.
fn record_pass(metrics: &vpsd_api::observe::Metrics, pass: &vpsd_registrar::worker::PassOutcome) {
    for (kind, n) in [
        ("registration_completed", pass.registrations_completed),
        ("registration_failed", pass.registrations_failed),
        ("transfer_completed", pass.transfers_completed),
        ("transfer_failed", pass.transfers_failed),
        ("renewed", pass.renewed),
        ("renewal_failed", pass.renewals_failed),
        ("expiry_warning", pass.warnings),
        ("expired", pass.expired),
        ("released", pass.released),
    ] {
        metrics.record_jobs(kind, n);
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
