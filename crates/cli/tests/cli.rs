//! `vps` against a real server (in this process, SQLite, a random port),
//! run as a user would run it: the binary, its arguments, its environment.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use vpsd::server::{App, ServerSettings};
use vpsd_domain::{ManualClock, Money};
use vpsd_storage::Actor;

struct Server {
    base: String,
    token: String,
    app: App,
    clock: Arc<ManualClock>,
    dir: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn server(registration_delay: Duration) -> Server {
    server_with(registration_delay, Duration::from_secs(1)).await
}

async fn server_with(registration_delay: Duration, transfer_delay: Duration) -> Server {
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

/// A new account with `cents`; its token.
async fn account(app: &App, email: &str, cents: i64) -> String {
    let a = app
        .registrar
        .create_account(&Actor::operator(), email, Money::from_cents(cents))
        .await
        .expect("account");
    app.registrar
        .issue_token(&Actor::operator(), a.id, "cli", false, None)
        .await
        .expect("token")
        .1
}

/// Puts `name` at another registrar, registered 400 days ago.
async fn held_elsewhere(s: &Server, name: &str, auth_code: &str) {
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
            },
            now,
        )
        .await
        .expect("held elsewhere");
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", self.stdout, self.stderr))
    }

    #[track_caller]
    fn ok(self) -> Self {
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
async fn vps_as(s: &Server, token: Option<&str>, args: &[&str]) -> Run {
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

async fn vps(s: &Server, args: &[&str]) -> Run {
    vps_as(s, Some(&s.token), args).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_domain_life_through_vps() {
    let s = server(Duration::from_secs(1)).await;

    // Register and wait: the command returns when the domain is active.
    let d = vps(
        &s,
        &[
            "--json",
            "domains",
            "register",
            "cli-life.com",
            "--years",
            "2",
            "--wait",
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(d["domain_name"], "cli-life.com");
    assert_eq!(d["status"], "active");
    let id = d["id"].as_i64().expect("id");

    // People get a table; scripts get JSON.
    let table = vps(&s, &["domains", "list"]).await.ok().stdout;
    assert!(
        table.contains("cli-life.com") && table.contains("NAME"),
        "{table}"
    );
    let list = vps(&s, &["--json", "domains", "list", "--search", "life"])
        .await
        .ok()
        .json();
    assert_eq!(list[0]["id"], id);
    let shown = vps(&s, &["domains", "get", "cli-life.com"])
        .await
        .ok()
        .stdout;
    assert!(
        shown.contains("registrar") && shown.contains("VPS.org"),
        "{shown}"
    );

    // Settings, by name or by id.
    let u = vps(
        &s,
        &[
            "--json",
            "domains",
            "update",
            "cli-life.com",
            "--auto-renew",
            "false",
            "--locked",
            "false",
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(u["auto_renew"], false);
    assert_eq!(u["locked"], false);

    // DNS records and forwards.
    let r = vps(
        &s,
        &[
            "--json",
            "dns",
            "records",
            "add",
            "cli-life.com",
            "--type",
            "A",
            "--name",
            "www",
            "--content",
            "192.0.2.5",
            "--ttl",
            "300",
        ],
    )
    .await
    .ok()
    .json();
    let record = r["id"].as_i64().expect("record id").to_string();
    let records = vps(&s, &["dns", "records", "list", &id.to_string()])
        .await
        .ok()
        .stdout;
    assert!(records.contains("192.0.2.5"), "{records}");
    let r = vps(
        &s,
        &[
            "--json",
            "dns",
            "records",
            "update",
            "cli-life.com",
            &record,
            "--content",
            "192.0.2.6",
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(r["content"], "192.0.2.6");
    vps(&s, &["dns", "records", "delete", "cli-life.com", &record])
        .await
        .ok();
    let e = vps(
        &s,
        &[
            "--json",
            "email-forwards",
            "add",
            "cli-life.com",
            "info",
            "me@example.net",
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(e["address"], "info@cli-life.com");
    let emails = vps(&s, &["email-forwards", "list", "cli-life.com"])
        .await
        .ok()
        .stdout;
    assert!(emails.contains("me@example.net"), "{emails}");
    let u = vps(
        &s,
        &[
            "--json",
            "url-forwards",
            "add",
            "cli-life.com",
            "https://example.net/",
            "--host",
            "go",
            "--status-code",
            "302",
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(u["fqdn"], "go.cli-life.com");
    assert_eq!(u["status_code"], 302);

    // Money: two years, then one more.
    let renewed = vps(&s, &["--json", "domains", "renew", "cli-life.com"])
        .await
        .ok()
        .json();
    assert_eq!(renewed["total_cost"], 12.99);
    let account = vps(&s, &["--json", "account"]).await.ok().json();
    let cents = (account["balance"].as_f64().expect("balance") * 100.0).round();
    assert_eq!(cents, 1_000_00.0 - 3.0 * 12_99.0);
    let ledger = vps(&s, &["--json", "account", "transactions"])
        .await
        .ok()
        .json();
    assert_eq!(ledger["results"][0]["type"], "renewal");
    let prices = vps(&s, &["--json", "pricing"]).await.ok().json();
    assert_eq!(prices["results"][0]["tld"], ".com");
    let check = vps(&s, &["--json", "check", "cli-life.com", "cli-free.net"])
        .await
        .ok()
        .json();
    assert_eq!(check["results"][0]["available"], false);
    assert_eq!(check["results"][1]["available"], true);

    // A name held at another registrar: import it, transfer it in, wait.
    held_elsewhere(&s, "cli-moving.org", "Move-Me-42").await;
    let imported = vps(&s, &["--json", "domains", "import", "cli-moving.org"])
        .await
        .ok()
        .json();
    assert_eq!(imported["registrar"], "Other Registrar LLC");
    let r = vps(
        &s,
        &[
            "domains",
            "transfer",
            "cli-moving.org",
            "--auth-code",
            "wrong",
        ],
    )
    .await;
    assert_eq!(r.code, 4, "{}", r.stderr);
    let moved = vps(
        &s,
        &[
            "--json",
            "domains",
            "transfer",
            "cli-moving.org",
            "--auth-code",
            "Move-Me-42",
            "--wait",
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(moved["transfer_status"], "completed");
    assert_eq!(moved["registrar"], "VPS.org");

    vps(&s, &["domains", "delete", "cli-life.com"]).await.ok();
    vps(&s, &["domains", "delete", "cli-moving.org"]).await.ok();
    let list = vps(&s, &["--json", "domains", "list"]).await.ok().json();
    assert_eq!(list, serde_json::json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_tell_failures_apart() {
    // Registrations take an hour here, so --wait gives up.
    let s = server(Duration::from_secs(3600)).await;

    let r = vps(&s, &["domains", "get", "999"]).await;
    assert_eq!(r.code, 3, "{}", r.stderr);
    let r = vps(&s, &["domains", "get", "not-mine.com"]).await;
    assert_eq!(r.code, 3, "{}", r.stderr);

    // Refused, with the API's own sentence and each field's message.
    let r = vps(&s, &["domains", "register", "bad..name.com"]).await;
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("not a valid domain name"), "{}", r.stderr);
    let r = vps(
        &s,
        &[
            "domains",
            "register",
            "two-ns.com",
            "--nameserver",
            "ns1.example.net",
        ],
    )
    .await;
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("--nameserver:"), "{}", r.stderr);

    let r = vps_as(&s, Some("vps_wrong"), &["account"]).await;
    assert_eq!(r.code, 5, "{}", r.stderr);
    let r = vps_as(&s, None, &["account"]).await;
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(r.stderr.contains("vps login"), "{}", r.stderr);

    let poor = account(&s.app, "poor@example.com", 5_00).await;
    let r = vps_as(&s, Some(&poor), &["domains", "register", "too-dear.com"]).await;
    assert_eq!(r.code, 6, "{}", r.stderr);
    assert!(r.stderr.contains("$12.99"), "{}", r.stderr);

    let r = vps(&s, &["domains", "register"]).await;
    assert_eq!(r.code, 2, "{}", r.stderr);

    let r = vps(
        &s,
        &[
            "domains",
            "register",
            "slow-one.com",
            "--wait",
            "--wait-timeout",
            "1",
        ],
    )
    .await;
    assert_eq!(r.code, 9, "{}", r.stderr);
    assert!(r.stderr.contains("still pending"), "{}", r.stderr);

    // Nothing answers here.
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_vps"));
    let out = cmd
        .args([
            "--api-url",
            "http://127.0.0.1:9",
            "--token",
            "vps_x",
            "account",
        ])
        .env("VPS_CONFIG", s.dir.path().join("none.toml"))
        .output()
        .await
        .expect("run");
    assert_eq!(out.status.code(), Some(8));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_keeps_a_checked_token_for_its_owner_only() {
    let s = server(Duration::from_secs(1)).await;
    let config = s.dir.path().join("vps.toml");

    // A wrong token is refused and not kept.
    let r = vps_as(&s, None, &["login", "--with-token", "vps_wrong"]).await;
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(!config.exists());

    // The token from standard input, as `echo $T | vps login` gives it.
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_vps"));
    cmd.args(["login", "--api-url", &s.base])
        .env("VPS_CONFIG", &config)
        .env_remove("VPS_API_TOKEN")
        .env_remove("VPS_API_URL")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    {
        use tokio::io::AsyncWriteExt;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(format!("{}\n", s.token).as_bytes())
            .await
            .expect("write");
    }
    let out = child.wait_with_output().await.expect("login");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&config)
            .expect("config")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Later commands need nothing else.
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_vps"));
    let out = cmd
        .args(["--json", "account"])
        .env("VPS_CONFIG", &config)
        .env_remove("VPS_API_TOKEN")
        .env_remove("VPS_API_URL")
        .output()
        .await
        .expect("account");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let account: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(account["email"], "cli@example.com");

    // Logged out: the token is gone from the file.
    let r = vps_as(&s, None, &["logout"]).await.ok();
    assert!(r.stderr.contains("Forgot"));
    let text = std::fs::read_to_string(&config).expect("config");
    assert!(!text.contains(&s.token), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_cover_the_commands() {
    let s = server(Duration::from_secs(1)).await;
    for shell in ["bash", "zsh", "fish"] {
        let r = vps(&s, &["completions", shell]).await.ok();
        for word in [
            "domains",
            "email-forwards",
            "url-forwards",
            "register",
            "records",
        ] {
            assert!(r.stdout.contains(word), "{shell} lacks {word}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_transfer_ends_the_wait_with_its_own_code() {
    let s = server_with(Duration::from_secs(1), Duration::from_secs(3600)).await;
    held_elsewhere(&s, "cli-refused.org", "Code-9").await;
    vps(&s, &["domains", "import", "cli-refused.org"])
        .await
        .ok();
    let waiting = vps(
        &s,
        &[
            "domains",
            "transfer",
            "cli-refused.org",
            "--auth-code",
            "Code-9",
            "--wait",
        ],
    );
    let reject = async {
        // The losing registrar says no while vps waits.
        loop {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if s.app
                .registrar
                .transfer_in_rejected(&s.app.registry, "cli-refused.org")
                .await
                .is_ok()
            {
                break;
            }
        }
    };
    let (r, ()) = tokio::join!(waiting, reject);
    assert_eq!(r.code, 10, "{}", r.stderr);
    assert!(
        r.stderr.contains("ended rejected") && r.stderr.contains("refunded"),
        "{}",
        r.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_code_and_answering_a_transfer_out() {
    let s = server(Duration::from_secs(1)).await;
    vps(&s, &["domains", "register", "cli-out.com", "--wait"])
        .await
        .ok();
    vps(
        &s,
        &["domains", "update", "cli-out.com", "--locked", "false"],
    )
    .await
    .ok();
    let code = vps(&s, &["domains", "auth-code", "cli-out.com"])
        .await
        .ok()
        .stdout;
    let code = code.trim().to_owned();
    assert_eq!(code.len(), 16, "{code}");
    let fresh = vps(
        &s,
        &["--json", "domains", "auth-code", "cli-out.com", "--new"],
    )
    .await
    .ok()
    .json();
    let fresh = fresh["auth_code"].as_str().expect("code").to_owned();
    assert_ne!(fresh, code);

    // Nothing to answer yet.
    let r = vps(&s, &["domains", "transfer-out", "approve", "cli-out.com"]).await;
    assert_eq!(r.code, 4, "{}", r.stderr);

    // Another registrar asks, 61 days on; the owner sees it and refuses.
    s.clock.advance(chrono::Duration::days(61));
    s.app
        .registrar
        .request_transfer_out(
            &s.app.registry,
            "Gaining Registrar Ltd",
            "cli-out.com",
            &fresh,
        )
        .await
        .expect("asked");
    let shown = vps(&s, &["domains", "get", "cli-out.com"])
        .await
        .ok()
        .stdout;
    assert!(
        shown.contains("pending to Gaining Registrar Ltd"),
        "{shown}"
    );
    let answer = vps(
        &s,
        &["--json", "domains", "transfer-out", "reject", "cli-out.com"],
    )
    .await
    .ok()
    .json();
    assert_eq!(answer["transfer_out"]["status"], "rejected");

    // Asked again and let go: the domain leaves the account.
    s.app
        .registrar
        .request_transfer_out(
            &s.app.registry,
            "Gaining Registrar Ltd",
            "cli-out.com",
            &fresh,
        )
        .await
        .expect("asked again");
    let r = vps(&s, &["domains", "transfer-out", "approve", "cli-out.com"])
        .await
        .ok();
    assert!(r.stderr.contains("approved"), "{}", r.stderr);
    let r = vps(&s, &["domains", "get", "cli-out.com"]).await;
    assert_eq!(r.code, 3, "{}", r.stderr);
}

/// Runs `vps` with `args` and nothing from the environment but a config
/// file of its own (no API address, no token).
async fn vps_bare(s: &Server, args: &[&str]) -> Run {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_takes_the_token_from_the_flag_then_the_environment_then_stdin() {
    let s = server(Duration::from_secs(1)).await;
    let config = s.dir.path().join("vps.toml");

    // --token, as for every other command.
    let r = vps_as(&s, None, &["login", "--token", &s.token]).await.ok();
    assert!(r.stderr.contains("Logged in"), "{}", r.stderr);
    let text = std::fs::read_to_string(&config).expect("config");
    assert!(text.contains(&s.token), "{text}");
    vps_as(&s, None, &["logout"]).await.ok();

    // VPS_API_TOKEN (standard input is empty here).
    let r = vps_as(&s, Some(&s.token), &["login"]).await.ok();
    assert!(r.stderr.contains("Logged in"), "{}", r.stderr);
    let text = std::fs::read_to_string(&config).expect("config");
    assert!(text.contains(&s.token), "{text}");
    vps_as(&s, None, &["logout"]).await.ok();

    // None of the three: the message names them all.
    let r = vps_as(&s, None, &["login"]).await;
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(
        r.stderr.contains("--token") && r.stderr.contains("VPS_API_TOKEN"),
        "{}",
        r.stderr
    );
    let text = std::fs::read_to_string(&config).expect("config");
    assert!(!text.contains(&s.token), "{text}");
}

/// Runs `vps` with its standard output a pipe nobody reads any more.
async fn vps_into_closed_pipe(s: &Server, args: &[&str]) -> std::process::Output {
    let (writer, reader) = tokio::net::unix::pipe::pipe().expect("pipe");
    drop(reader);
    let writer = writer.into_blocking_fd().expect("fd");
    tokio::process::Command::new(env!("CARGO_BIN_EXE_vps"))
        .args(args)
        .env("VPS_API_URL", &s.base)
        .env("VPS_API_TOKEN", &s.token)
        .env("VPS_CONFIG", s.dir.path().join("vps.toml"))
        .stdout(std::process::Stdio::from(writer))
        .stderr(std::process::Stdio::piped())
        .output()
        .await
        .expect("run vps")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_stdout_ends_any_command_quietly() {
    let s = server(Duration::from_secs(1)).await;
    vps(&s, &["domains", "register", "cli-pipe.com", "--wait"])
        .await
        .ok();
    for args in [
        &["completions", "bash"][..],
        &["completions", "zsh"],
        &["pricing"],
        &["--json", "pricing"],
        &["domains", "list"],
        &["domains", "get", "cli-pipe.com"],
        &["domains", "auth-code", "cli-pipe.com"],
        &["--json", "account", "transactions"],
        &["--help"],
    ] {
        let out = vps_into_closed_pipe(&s, args).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn field_errors_are_said_once_with_the_flags_that_set_them() {
    let s = server(Duration::from_secs(1)).await;
    // One field at fault: its message once, under its flag.
    let r = vps(
        &s,
        &[
            "domains",
            "register",
            "cli-one-ns.com",
            "--nameserver",
            "ns1.example.net",
        ],
    )
    .await;
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("Give between 2 and 4").count(),
        1,
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--nameserver:"), "{}", r.stderr);

    // Several: each once.
    vps(&s, &["domains", "register", "cli-fields.com", "--wait"])
        .await
        .ok();
    let r = vps(
        &s,
        &[
            "dns",
            "records",
            "add",
            "cli-fields.com",
            "--type",
            "A",
            "--content",
            "not-an-address",
            "--ttl",
            "5",
        ],
    )
    .await;
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert_eq!(r.stderr.matches("TTL must be").count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("--ttl:") && r.stderr.contains("--content:"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("See errors"), "{}", r.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hints_name_the_vps_command_not_the_http_request() {
    let s = server(Duration::from_secs(1)).await;
    vps(&s, &["domains", "register", "cli-hint.com", "--wait"])
        .await
        .ok();
    held_elsewhere(&s, "cli-held.org", "Held-1").await;
    let cases: &[(&[&str], Option<&str>, &str)] = &[
        // 401: the way to give a token.
        (&["account"], Some("vps_wrong"), "run `vps login`"),
        // Nothing to restore: renew instead.
        (
            &["domains", "restore", "cli-hint.com"],
            None,
            "`vps domains renew cli-hint.com`",
        ),
        // Held elsewhere: import it.
        (
            &["domains", "register", "cli-held.org"],
            None,
            "`vps domains import cli-held.org`",
        ),
        // Unknown ids: list them.
        (
            &["dns", "records", "get", "cli-hint.com", "999"],
            None,
            "`vps dns records list cli-hint.com`",
        ),
        (
            &["email-forwards", "get", "cli-hint.com", "999"],
            None,
            "(`vps email-forwards list cli-hint.com` lists them)",
        ),
        (&["domains", "get", "999"], None, "`vps domains list`"),
    ];
    for (args, token, hint) in cases {
        let r = vps_as(&s, Some(token.unwrap_or(&s.token)), args).await;
        assert_ne!(r.code, 0, "{args:?}");
        assert!(r.stderr.contains(hint), "{args:?}: {}", r.stderr);
        for http in ["/api/v1", "Authorization", "Bearer", "POST ", "GET "] {
            assert!(!r.stderr.contains(http), "{args:?}: {}", r.stderr);
        }
    }

    // A domain held elsewhere: its settings wait for the transfer, in flags.
    vps(&s, &["domains", "import", "cli-held.org"]).await.ok();
    let r = vps(
        &s,
        &["domains", "update", "cli-held.org", "--locked", "false"],
    )
    .await;
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(
        r.stderr.contains("only --auto-renew can change")
            && r.stderr
                .contains("`vps domains transfer cli-held.org --auth-code CODE`"),
        "{}",
        r.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_without_a_change_names_the_flags_without_asking_the_api() {
    let s = server(Duration::from_secs(1)).await;
    // Nothing listens at this address: reaching it would exit 8.
    let nowhere = ["--api-url", "http://127.0.0.1:9", "--token", "vps_x"];
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["domains", "update", "cli-x.com"],
            &["--auto-renew", "--privacy", "--locked", "--nameserver"],
        ),
        (
            &["dns", "records", "update", "cli-x.com", "1"],
            &["--name", "--type", "--content", "--ttl", "--priority"],
        ),
        (
            &["email-forwards", "update", "cli-x.com", "1"],
            &["--alias", "--destination"],
        ),
        (
            &["url-forwards", "update", "cli-x.com", "1"],
            &["--host", "--target", "--status-code", "--keep-path"],
        ),
    ];
    for (args, flags) in cases {
        let all: Vec<&str> = nowhere.iter().chain(args.iter()).copied().collect();
        let r = vps_bare(&s, &all).await;
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        for flag in *flags {
            assert!(
                r.stderr.contains(flag),
                "{args:?} lacks {flag}: {}",
                r.stderr
            );
        }
        assert!(!r.stderr.contains("auto_renew"), "{}", r.stderr);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_record_names_every_missing_flag_at_once_without_asking_the_api() {
    let s = server(Duration::from_secs(1)).await;
    let nowhere = ["--api-url", "http://127.0.0.1:9", "--token", "vps_x"];
    let cases: &[(&[&str], &[&str])] = &[
        (&[], &["--type", "--content"]),
        (&["--type", "MX"], &["--content", "--priority"]),
        (
            &["--type", "srv", "--content", "5 5060 sip.example.net"],
            &["--priority"],
        ),
        (
            &["--type", "A", "--content", "192.0.2.1", "--priority", "10"],
            &["--priority"],
        ),
        (&["--type", "SPF", "--content", "x"], &["--type SPF"]),
    ];
    for (flags, missing) in cases {
        let mut all: Vec<&str> = nowhere.to_vec();
        all.extend(["dns", "records", "add", "cli-x.com"]);
        all.extend(flags.iter());
        let r = vps_bare(&s, &all).await;
        assert_eq!(r.code, 2, "{flags:?}: {}", r.stderr);
        for m in *missing {
            assert!(r.stderr.contains(m), "{flags:?} lacks {m}: {}", r.stderr);
        }
    }
    // The default name is said where the flag is described.
    let help = vps_bare(&s, &["dns", "records", "add", "--help"])
        .await
        .ok()
        .stdout;
    let name_line = help
        .lines()
        .find(|l| l.trim_start().starts_with("--name"))
        .expect("--name in help");
    assert!(
        name_line.contains("@ (the zone's apex) if not given"),
        "{help}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_api_says_where_and_why() {
    let s = server(Duration::from_secs(1)).await;
    // A listener that never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let silent = format!("http://{}", silent.local_addr().expect("addr"));
    let tls_to_plain = s.base.replace("http://", "https://");
    let cases = [
        ("http://127.0.0.1:9", "connection refused"),
        ("http://no-such-host.invalid", "does not resolve"),
        (tls_to_plain.as_str(), "TLS handshake failed"),
        (silent.as_str(), "timed out"),
    ];
    for (url, why) in cases {
        let r = vps_bare(
            &s,
            &[
                "--api-url",
                url,
                "--token",
                "vps_x",
                "--timeout",
                "2",
                "account",
            ],
        )
        .await;
        assert_eq!(r.code, 8, "{url}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!("cannot reach the API at {url}")) && r.stderr.contains(why),
            "{url}: {}",
            r.stderr
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_url_without_a_scheme_gets_one_suggested() {
    let s = server(Duration::from_secs(1)).await;
    let bare = s.base.trim_start_matches("http://").to_owned();
    for given in [bare.as_str(), "localhost:8080"] {
        let r = vps_bare(&s, &["--api-url", given, "--token", "vps_x", "account"]).await;
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains(&format!("did you mean http://{given}")),
            "{}",
            r.stderr
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wait_spinner_shows_the_time_so_far() {
    let s = server(Duration::from_secs(2)).await;
    // On a terminal (`script` gives it one), as a person sees it.
    let command = format!(
        "{} domains register cli-spin.com --wait",
        env!("CARGO_BIN_EXE_vps")
    );
    let out = tokio::process::Command::new("script")
        .args(["-qefc", &command, "/dev/null"])
        .env("VPS_API_URL", &s.base)
        .env("VPS_API_TOKEN", &s.token)
        .env("VPS_CONFIG", s.dir.path().join("vps.toml"))
        .env("TERM", "xterm")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("script");
    let seen = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{seen}");
    assert!(
        seen.contains("cli-spin.com registering: pending (1s so far)"),
        "{seen}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_uses_the_right_article() {
    let s = server(Duration::from_secs(1)).await;
    let doc: Value = reqwest::get(format!("{}/api/v1/openapi.json", s.base))
        .await
        .expect("document")
        .json()
        .await
        .expect("JSON");
    let mut texts = Vec::new();
    fn collect(v: &Value, into: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    match (k.as_str(), v) {
                        ("summary" | "description", Value::String(s)) => into.push(s.clone()),
                        _ => collect(v, into),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|v| collect(v, into)),
            _ => {}
        }
    }
    collect(&doc, &mut texts);
    assert!(texts.iter().any(|t| t.contains("Add an email forward")));
    // Words after "a" that start with a vowel letter but a consonant sound.
    let fine = [
        "URL", "UTF", "UUID", "Unix", "unique", "user", "usual", "use", "one", "once",
    ];
    for text in &texts {
        let words: Vec<&str> = text.split_whitespace().collect();
        for pair in words.windows(2) {
            let next = pair[1].trim_start_matches(['`', '(', '"']);
            if matches!(pair[0], "a" | "A")
                && next.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U'])
                && !fine.iter().any(|f| next.starts_with(f))
            {
                panic!("\"a {next}\" in: {text}");
            }
        }
    }
}
