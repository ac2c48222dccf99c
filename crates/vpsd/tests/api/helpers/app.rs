//! [`TestApp`]: a real server on a random port over a fresh database, how
//! it is started, its clock and worker, raw HTTP requests to it, and its
//! end (every ledger checked).

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use vpsd::server::{App, ServerSettings};

use super::*;

/// The URL forwarding listener's public address in the tests.
pub const FORWARD_ADDRESS: &str = "192.0.2.80";

pub struct TestApp {
    pub backend: Backend,
    pub base: String,
    pub database_url: String,
    pub app: App,
    pub http: reqwest::Client,
    /// The server's clock: frozen at its start, moved only by the test.
    pub clock: Arc<FrozenClock>,
    /// The settings the server was built with.
    pub settings: ServerSettings,
    /// The first account, with $1,000.00 and a token (the demo's account
    /// and token in [`TestApp::spawn_demo`]).
    pub account_id: vpsd_domain::AccountId,
    pub token: String,
    /// What `vpsd serve --demo` seeded, in [`TestApp::spawn_demo`].
    pub demo: Option<vpsd::demo::Demo>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _dir: tempfile::TempDir,
}

pub fn init_logs() {
    if std::env::var_os("TEST_LOG").is_some() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("info")
            .with_test_writer()
            .try_init();
    }
}

/// How a [`TestApp`] is started: `TestApp::builder().worker(true)
/// .settings(|s| ..).spawn(backend)`.
#[must_use]
pub struct TestAppBuilder {
    worker: bool,
    demo: bool,
    configure: Vec<Configure>,
}

/// A change to the server's settings, as [`TestAppBuilder::settings`] takes.
type Configure = Box<dyn FnOnce(&mut ServerSettings) + Send>;

impl TestAppBuilder {
    /// Runs the server's own worker (every 100 ms, on the frozen clock)
    /// beside the test; off by default.
    pub fn worker(mut self, on: bool) -> Self {
        self.worker = on;
        self
    }

    /// Seeds the demo data of `vpsd serve --demo` (its account, token and
    /// domains, example.com as 101) instead of the first account.
    pub fn demo(mut self) -> Self {
        self.demo = true;
        self
    }

    /// Changes the server's settings (after the harness's own).
    pub fn settings(
        mut self,
        configure: impl FnOnce(&mut ServerSettings) + Send + 'static,
    ) -> Self {
        self.configure.push(Box::new(configure));
        self
    }

    /// Starts the server on `backend`.
    pub async fn spawn(self, backend: Backend) -> TestApp {
        TestApp::start(backend, self).await
    }
}

impl TestApp {
    /// How to start a server other than [`TestApp::spawn`]'s.
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            worker: false,
            demo: false,
            configure: Vec::new(),
        }
    }

    /// Registration and transfer delays of one second, a frozen clock, no
    /// worker but the test's own [`TestApp::run_worker`].
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::builder().spawn(backend).await
    }

    /// [`TestApp::spawn`] with changed settings.
    pub async fn spawn_with(
        backend: Backend,
        configure: impl FnOnce(&mut ServerSettings) + Send + 'static,
    ) -> TestApp {
        Self::builder().settings(configure).spawn(backend).await
    }

    /// A server with the demo data of `vpsd serve --demo` (its account,
    /// token and domains, example.com as 101) instead of the first account.
    pub async fn spawn_demo(backend: Backend) -> TestApp {
        Self::builder().demo().spawn(backend).await
    }

    async fn start(backend: Backend, builder: TestAppBuilder) -> TestApp {
        init_logs();
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = fresh_database(backend, dir.path()).await;
        let mut settings = ServerSettings::new(database_url.clone());
        settings.registrar.registration_delay = Duration::from_secs(1);
        settings.registrar.transfer_delay = Duration::from_secs(1);
        settings.run_worker = builder.worker;
        settings.worker_interval = Duration::from_millis(100);
        settings.shutdown_grace = Duration::from_secs(5);
        // URL forwards' A records point here (a documentation address).
        settings.forward_addresses = vec![FORWARD_ADDRESS.parse().expect("address")];
        // TSIG secrets are sealed with it (beside a SQLite database by
        // default; PostgreSQL has no default).
        settings.secrets_key_file = Some(dir.path().join("secrets.key"));
        for configure in builder.configure {
            configure(&mut settings);
        }
        let demo = builder.demo;
        let clock = Arc::new(FrozenClock::new());
        let app = App::build(settings.clone(), clock.clone())
            .await
            .expect("build app");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let server = tokio::spawn(app.clone().serve(listener, async move {
            let _ = stopped.await;
        }));
        let mut test = TestApp {
            backend,
            base,
            database_url,
            app,
            http: test_http_client(),
            clock,
            settings,
            account_id: vpsd_domain::AccountId::from(0),
            token: String::new(),
            demo: None,
            stop: Some(stop),
            server: Some(server),
            _dir: dir,
        };
        if demo {
            let seeded = vpsd::demo::seed(&test.app)
                .await
                .expect("demo data")
                .expect("an empty database");
            test.account_id = seeded.account_id;
            test.token = seeded.token.clone();
            test.demo = Some(seeded);
        } else {
            let (id, token) = test.new_account("owner@example.com", 1_000_00).await;
            test.account_id = id;
            test.token = token;
        }
        test
    }

    /// Moves the server's clock forward and runs the due work at once (when
    /// the server's own worker is on, it runs beside, as a second worker
    /// would).
    pub async fn advance(&self, by: chrono::Duration) -> vpsd_registrar::worker::PassOutcome {
        self.clock.advance(by);
        self.run_worker().await
    }

    /// Runs worker passes until one finds nothing more due and no worker
    /// (the server's own, when on) holds a job.
    pub async fn run_worker(&self) -> vpsd_registrar::worker::PassOutcome {
        let mut total = vpsd_registrar::worker::PassOutcome::default();
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let pass = vpsd_registrar::worker::run_once(&self.app.registrar)
                .await
                .expect("worker pass");
            total.add(pass);
            if pass.more_due {
                continue;
            }
            let held = self
                .app
                .store
                .held_job_leases(self.now())
                .await
                .expect("leases");
            if held == 0 {
                return total;
            }
            assert!(Instant::now() < deadline, "{held} jobs held for too long");
            // The server's own worker (when on) finishing a job it holds.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The server's now.
    pub fn now(&self) -> DateTime<Utc> {
        use vpsd_domain::Clock;
        self.clock.now()
    }

    pub async fn request_as(
        &self,
        token: Option<&str>,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("send");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
        };
        (status, value)
    }

    /// The text column `sql` selects, read straight from the database (to
    /// see what is kept at rest).
    pub async fn column(&self, sql: &str) -> Vec<String> {
        use sqlx::Connection;
        match self.backend {
            Backend::Sqlite => {
                let mut c = sqlx::SqliteConnection::connect(&self.database_url)
                    .await
                    .expect("connect");
                sqlx::query_scalar(sql)
                    .fetch_all(&mut c)
                    .await
                    .expect("read")
            }
            Backend::Postgres => {
                let mut c = sqlx::PgConnection::connect(&self.database_url)
                    .await
                    .expect("connect");
                sqlx::query_scalar(sql)
                    .fetch_all(&mut c)
                    .await
                    .expect("read")
            }
        }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.request_as(Some(&self.token), Method::GET, path, None)
            .await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.request_as(Some(&self.token), Method::POST, path, Some(body))
            .await
    }

    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.request_as(Some(&self.token), Method::PUT, path, Some(body))
            .await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.request_as(Some(&self.token), Method::DELETE, path, None)
            .await
    }

    /// Every account's balance equals the sum of its ledger.
    pub async fn assert_ledgers_balance(&self) {
        let n = self.app.store.account_count().await.expect("count");
        for id in (1..=n).map(vpsd_domain::AccountId::from) {
            let balance = self.balance(id).await;
            let sum = self.app.store.ledger_sum(id).await.expect("sum").cents();
            assert_eq!(
                balance, sum,
                "account {id}: balance {balance} != ledger {sum}"
            );
            assert!(balance >= 0, "account {id} below zero");
        }
    }

    pub async fn finish(mut self) {
        self.assert_ledgers_balance().await;
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("join").expect("server stopped cleanly");
        }
    }
}

/// The tests' HTTP client. It never reuses a connection idle for 5 s or
/// more: the server closes one idle for its header read timeout (10 s), and
/// a test that blocks its runtime (running `vpsd` as a child process) would
/// otherwise send its next request into a connection the server is closing
/// at that very moment (docs/api.md, "Connections").
pub fn test_http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_idle_timeout(std::time::Duration::from_secs(5))
        .build()
        .expect("HTTP client")
}
