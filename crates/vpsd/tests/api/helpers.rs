//! The test harness: a real server on a random port, a fresh database for
//! each test (a SQLite file, or a database in a throwaway PostgreSQL
//! cluster that this process starts), and typed helpers to drive it.

use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use sqlx::Connection;
use vpsd::server::{App, ServerSettings};
use vpsd_domain::Money;
use vpsd_registry::RegistryRecord;
use vpsd_storage::Actor;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Writes each behavioural test once and runs it on both backends; after
/// each, every account's balance must equal the sum of its ledger.
///
/// The server's clock is frozen and its own worker off: a test moves time
/// with [`TestApp::advance`] and runs due work with [`TestApp::run_worker`].
/// `both!(worker: ...)` runs the tests against a server whose own worker
/// runs beside them (every 100 ms), for the tests about racing it; they sit
/// in a `with_worker` module, so one file may hold both kinds.
#[macro_export]
macro_rules! both {
    (worker: $($name:ident),* $(,)?) => {
        mod with_worker {
            mod sqlite {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $name() {
                        let app = $crate::helpers::TestApp::builder()
                            .worker(true)
                            .spawn($crate::helpers::Backend::Sqlite)
                            .await;
                        super::super::$name(&app).await;
                        app.finish().await;
                    }
                )*
            }
            mod postgres {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $name() {
                        let app = $crate::helpers::TestApp::builder()
                            .worker(true)
                            .spawn($crate::helpers::Backend::Postgres)
                            .await;
                        super::super::$name(&app).await;
                        app.finish().await;
                    }
                )*
            }
        }
    };
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite).await;
                    super::$name(&app).await;
                    app.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Postgres).await;
                    super::$name(&app).await;
                    app.finish().await;
                }
            )*
        }
    };
}

/// The test server's clock: frozen at the time the server started, moved
/// only by [`FrozenClock::advance`] (so a test reads the same "now" twice
/// and nothing falls due behind its back). Whole seconds, as the
/// production clock.
#[derive(Debug)]
pub struct FrozenClock {
    now: Mutex<DateTime<Utc>>,
}

impl FrozenClock {
    /// A clock stopped at the system's present second.
    pub fn new() -> Self {
        use chrono::SubsecRound;
        Self {
            now: Mutex::new(Utc::now().trunc_subsecs(0)),
        }
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now += by;
    }
}

impl Default for FrozenClock {
    fn default() -> Self {
        Self::new()
    }
}

impl vpsd_domain::Clock for FrozenClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}

// ---------------------------------------------------------------- PostgreSQL

struct Cluster {
    socket_dir: PathBuf,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();
static DB_COUNTER: AtomicU32 = AtomicU32::new(0);

fn postgres_bindir() -> PathBuf {
    let in_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|d| d.join("initdb").is_file() && d.join("postgres").is_file());
    if let Some(dir) = in_path {
        return dir;
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    versions
        .pop()
        .filter(|d| d.join("initdb").is_file())
        .unwrap_or_else(|| {
            panic!(
                "PostgreSQL's initdb and postgres are needed for the tests: install {}",
                Package::Debian("postgresql")
            )
        })
}

fn command_output(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd).args(args).output().expect(cmd);
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Starts a throwaway cluster: initdb into a temporary directory, postgres
/// on a Unix socket only. initdb and postgres refuse to run as root, so as
/// root they run as the `postgres` user. A watchdog shell stops the cluster
/// and removes its directory when this test process is gone.
fn start_cluster() -> Cluster {
    let bindir = postgres_bindir();
    let dir = tempfile::Builder::new()
        .prefix("vpsd-pg-")
        .tempdir()
        .expect("temp dir")
        .keep();
    let as_root = std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(1)
        == 0;
    let mut cmd = Command::new("sh");
    if as_root {
        let uid: u32 = command_output("id", &["-u", "postgres"])
            .parse()
            .expect("as root the tests need a `postgres` user to run PostgreSQL");
        let gid: u32 = command_output("id", &["-g", "postgres"])
            .parse()
            .expect("gid");
        let status = Command::new("chown")
            .arg(format!("{uid}:{gid}"))
            .arg(&dir)
            .status()
            .expect("chown");
        assert!(status.success());
        cmd.uid(uid).gid(gid);
    }
    let script = r#"
        set -e
        "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C >"$DIR/initdb.log" 2>&1
        "$BIN/postgres" -D "$DIR/data" -k "$DIR" -c listen_addresses= -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 \
            >"$DIR/postgres.log" 2>&1 &
        PG=$!
        while [ -d "/proc/$PARENT" ] && kill -0 "$PG" 2>/dev/null; do sleep 0.5; done
        kill -QUIT "$PG" 2>/dev/null || true
        wait "$PG" 2>/dev/null || true
        rm -rf "$DIR"
    "#;
    let mut watchdog = cmd
        .arg("-c")
        .arg(script)
        .env("BIN", &bindir)
        .env("DIR", &dir)
        .env("PARENT", std::process::id().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the PostgreSQL watchdog");
    // Reap it when it ends (after this process, normally).
    std::thread::spawn(move || watchdog.wait());
    Cluster { socket_dir: dir }
}

fn admin_url(cluster: &Cluster, db: &str) -> String {
    format!(
        "postgres://postgres@localhost/{db}?host={}",
        cluster.socket_dir.display()
    )
}

/// A fresh, empty database in the shared cluster.
async fn fresh_postgres_database() -> String {
    let cluster = CLUSTER.get_or_init(start_cluster);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut admin = loop {
        match sqlx::PgConnection::connect(&admin_url(cluster, "postgres")).await {
            Ok(c) => break c,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                // The PostgreSQL cluster (another process) starting.
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!(
                "PostgreSQL did not start in {}: {e}",
                cluster.socket_dir.display()
            ),
        }
    };
    let name = format!(
        "t{}_{}",
        std::process::id(),
        DB_COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create database");
    admin_url(cluster, &name)
}

/// The URL of a new, empty database of `backend` (a file under `dir` for
/// SQLite).
pub async fn fresh_database(backend: Backend, dir: &std::path::Path) -> String {
    match backend {
        Backend::Sqlite => format!(
            "sqlite://{}",
            dir.join(format!(
                "test{}.db",
                DB_COUNTER.fetch_add(1, Ordering::SeqCst)
            ))
            .display()
        ),
        Backend::Postgres => fresh_postgres_database().await,
    }
}

// ------------------------------------------------------------------ the app

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
    pub account_id: i64,
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
            http: reqwest::Client::new(),
            clock,
            settings,
            account_id: 0,
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

    /// A new account with `cents` and a token for it.
    pub async fn new_account(&self, email: &str, cents: i64) -> (i64, String) {
        let account = self
            .app
            .registrar
            .create_account(&Actor::operator(), email, Money::from_cents(cents))
            .await
            .expect("create account");
        let (_, token) = self
            .app
            .registrar
            .issue_token(&Actor::operator(), account.id, "test", false, None)
            .await
            .expect("create token");
        (account.id, token)
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

    /// Registers `name` for the first account; returns its id.
    pub async fn register(&self, name: &str) -> i64 {
        let (status, body) = self
            .post_domain(serde_json::json!({ "domain_name": name }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_i64().expect("id")
    }

    /// Moves the clock past the registration delay and runs the due work:
    /// `id`, just registered, is then active; returns its detail.
    pub async fn activate(&self, id: i64) -> Value {
        self.advance(self.registration_delay()).await;
        let (status, body) = self.domain(id).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "active", "{body}");
        body
    }

    /// Registers `name` (one year, auto-renewing) for the first account and
    /// makes it active ([`TestApp::activate`]); returns its id.
    pub async fn active(&self, name: &str) -> i64 {
        self.active_with(name, true).await.0
    }

    /// Registers `name` (one year, `auto_renew` as given) for the first
    /// account and makes it active; returns its id and expiration date.
    pub async fn active_with(&self, name: &str, auto_renew: bool) -> (i64, DateTime<Utc>) {
        let (status, body) = self
            .post_domain(serde_json::json!({"domain_name": name, "auto_renew": auto_renew}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let id = body["id"].as_i64().expect("id");
        let detail = self.activate(id).await;
        (id, parse_time(&detail["expiration_date"]))
    }

    /// The same as [`TestApp::activate`] (its older name).
    pub async fn wait_active(&self, id: i64) -> Value {
        self.activate(id).await
    }

    /// The registration delay, as the clock's duration.
    pub fn registration_delay(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.settings.registrar.registration_delay).expect("delay")
    }

    /// The transfer delay, as the clock's duration.
    pub fn transfer_delay(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.settings.registrar.transfer_delay).expect("delay")
    }

    /// Puts a name at another registrar in the sandbox registry.
    pub async fn held_elsewhere(
        &self,
        name: &str,
        auth_code: &str,
        created: DateTime<Utc>,
        prohibited: bool,
    ) {
        let now = self.now();
        self.app
            .registry
            .add(
                &RegistryRecord {
                    name: name.to_owned(),
                    sponsoring_registrar: "Other Registrar LLC".to_owned(),
                    auth_code: auth_code.to_owned(),
                    created_at: created,
                    ex_date: vpsd_domain::lifecycle::next_anniversary(created, now),
                    last_transferred_at: None,
                    client_transfer_prohibited: prohibited,
                    nameservers: vec!["ns1.other.net".into(), "ns2.other.net".into()],
                    pending_transfer_to: None,
                },
                now,
            )
            .await
            .expect("registry add");
    }

    /// Imports a name held elsewhere into the first account; returns its id.
    pub async fn import(&self, name: &str) -> i64 {
        let (status, body) = self
            .post_import(serde_json::json!({ "domain_name": name }))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_i64().expect("id")
    }

    pub async fn balance(&self, account_id: i64) -> i64 {
        self.app
            .store
            .account(account_id)
            .await
            .expect("account")
            .expect("exists")
            .balance
            .cents()
    }

    /// Every account's balance equals the sum of its ledger.
    pub async fn assert_ledgers_balance(&self) {
        let n = self.app.store.account_count().await.expect("count");
        for id in 1..=n {
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

/// Where a package provides a tool: the package's name and whether it is a
/// Debian package or one of PyPI's, for the message of [`require_tool`].
#[derive(Debug, Clone, Copy)]
pub enum Package {
    Debian(&'static str),
    PyPi(&'static str),
}

impl std::fmt::Display for Package {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Package::Debian(name) => {
                write!(f, "the Debian package {name} (apt-get install {name})")
            }
            Package::PyPi(name) => write!(f, "the PyPI package {name} (pip install {name})"),
        }
    }
}

/// The path of `program` on `PATH`; panics, naming the package that
/// provides it, when it is not there (instead of an opaque "No such file"
/// from the spawn).
pub fn require_tool(program: &str, package: Package) -> PathBuf {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|dir| dir.join(program))
        .find(|path| std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.mode() & 0o111 != 0))
        .unwrap_or_else(|| {
            panic!("this test needs `{program}`, which is not on PATH: install {package}")
        })
}

/// Checks that `python3` can import `module`; panics naming the package
/// that provides it otherwise.
pub fn require_python_module(module: &str, package: Package) {
    let python = require_tool("python3", Package::Debian("python3"));
    let ok = Command::new(python)
        .args(["-c", &format!("import {module}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "this test needs the Python module `{module}`, which python3 cannot import: install {package}"
    );
}

#[test]
#[should_panic(expected = "install the Debian package no-such-package")]
fn a_missing_tool_names_its_package() {
    require_tool(
        "no-such-tool-for-vpsd-tests",
        Package::Debian("no-such-package"),
    );
}

#[test]
#[should_panic(expected = "install the PyPI package no-such-module (pip install no-such-module)")]
fn a_missing_python_module_names_its_package() {
    require_python_module(
        "no_such_module_for_vpsd_tests",
        Package::PyPi("no-such-module"),
    );
}

#[test]
fn a_present_tool_is_found() {
    assert!(require_tool("sh", Package::Debian("dash")).is_absolute());
}

/// Asks `check` every 50 ms until it holds, for up to 15 s of real time,
/// then panics naming `what`. Only for what happens outside the test's
/// control and on real time: another process (a `vpsd` child, an SMTP
/// relay), never the server's clock or worker, which a test drives with
/// [`TestApp::advance`] and [`TestApp::run_worker`].
pub async fn poll_until<F, Fut>(what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(15);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Asserts an error body: status, `code`, and a non-empty `detail`.
pub fn assert_error(status: StatusCode, body: &Value, want: StatusCode, code: &str) {
    assert_eq!(status, want, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| d.len() > 10),
        "detail missing: {body}"
    );
}

/// An RFC 3339 UTC time stamp with whole seconds and `Z`.
pub fn parse_time(v: &Value) -> DateTime<Utc> {
    let s = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
    assert!(
        s.len() == 20 && s.ends_with('Z'),
        "not whole-second RFC 3339 UTC: {s}"
    );
    DateTime::parse_from_rfc3339(s)
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

/// A money field in cents.
pub fn cents(v: &Value) -> i64 {
    (v.as_f64().unwrap_or_else(|| panic!("not a number: {v}")) * 100.0).round() as i64
}
