//! The server the tests run `vps` against, and running `vps` as a user
//! would: its arguments, its environment, a config file of its own.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use vpsd::server::{App, ServerSettings};
use vpsd_domain::{ManualClock, Money};
use vpsd_storage::Actor;

pub struct Server {
    pub base: String,
    pub token: String,
    pub app: App,
    pub clock: Arc<ManualClock>,
    pub dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

pub async fn server(registration_delay: Duration) -> Server {
    server_with(registration_delay, Duration::from_secs(1)).await
}

pub async fn server_with(registration_delay: Duration, transfer_delay: Duration) -> Server {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("vpsd.db").display());
    let mut settings = ServerSettings::new(url);
    settings.registrar.registration_delay = registration_delay;
    settings.registrar.transfer_delay = transfer_delay;
    settings.worker_interval = Duration::from_millis(100);
    let clock = Arc::new(ManualClock::new());
    let app = App::build(settings, clock.clone()).await.expect("app");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.clone().serve(listener, async move {
        let _ = stopped.await;
    }));
    let token = account(&app, "cli@example.com", 1_000_00).await;
    Server {
        base,
        token,
        app,
        clock,
        dir,
        _stop: stop,
    }
}

/// A new account with `cents` and a default contact (the demo's, with the
/// account's email); its token.
pub async fn account(app: &App, email: &str, cents: i64) -> String {
    let a = app
        .registrar
        .create_account(&Actor::operator(), email, Money::from_cents(cents))
        .await
        .expect("account");
    let mut contact = vpsd::demo::demo_contact();
    contact.email = email.to_owned();
    app.registrar
        .create_contact(&Actor::operator(), a.id, &contact, true)
        .await
        .expect("contact");
    app.registrar
        .issue_token(&Actor::operator(), a.id, "cli", false, None)
        .await
        .expect("token")
        .1
}

/// Puts `name` at another registrar, registered 400 days ago.
pub async fn held_elsewhere(s: &Server, name: &str, auth_code: &str) {
    let now = chrono::Utc::now();
    let created = now - chrono::Duration::days(400);
    s.app
        .registry
        .add(
            &vpsd_registry::RegistryRecord {
                name: name.to_owned(),
                sponsoring_registrar: "Other Registrar LLC".to_owned(),
                auth_code: auth_code.to_owned(),
                created_at: created,
                ex_date: vpsd_domain::lifecycle::next_anniversary(created, now),
                last_transferred_at: None,
                client_transfer_prohibited: false,
                nameservers: vec!["ns1.other.net".into(), "ns2.other.net".into()],
                pending_transfer_to: None,
                server_statuses: Vec::new(),
            },
            now,
        )
        .await
        .expect("held elsewhere");
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", self.stdout, self.stderr))
    }

    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Runs `vps` with the server's address and `token` in its environment
/// and a config file of its own.
pub async fn vps_as(s: &Server, token: Option<&str>, args: &[&str]) -> Run {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_vps"));
    cmd.args(args)
        .env("VPS_API_URL", &s.base)
        .env("VPS_CONFIG", s.dir.path().join("vps.toml"))
        .env_remove("VPS_API_TOKEN");
    if let Some(t) = token {
        cmd.env("VPS_API_TOKEN", t);
    }
    let out = cmd.output().await.expect("run vps");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub async fn vps(s: &Server, args: &[&str]) -> Run {
    vps_as(s, Some(&s.token), args).await
}

/// Runs `vps` with `args` and nothing from the environment but a config
/// file of its own (no API address, no token).
pub async fn vps_bare(s: &Server, args: &[&str]) -> Run {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_vps"))
        .args(args)
        .env("VPS_CONFIG", s.dir.path().join("bare.toml"))
        .env_remove("VPS_API_URL")
        .env_remove("VPS_API_TOKEN")
        .env_remove("VPS_TIMEOUT")
        .output()
        .await
        .expect("run vps");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
