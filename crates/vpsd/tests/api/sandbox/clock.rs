//! The sandbox clock: every answer tells its time, it never moves back,
//! many small advances equal one large one; and a server whose registry is
//! not the sandbox refuses it.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::TestApp;
use vps_client::paths;

use super::*;

crate::both!(
    the_sandbox_says_so_and_its_time_is_every_answers,
    four_hundred_days_at_once_equal_four_hundred_single_days,
    the_clock_never_moves_back_and_two_advances_add_up,
);

async fn the_sandbox_says_so_and_its_time_is_every_answers(app: &TestApp) {
    let (status, body) = app.sandbox().await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["sandbox"], true);
    assert_eq!(body["ahead_by_seconds"], 0);
    let before = sandbox_now(app).await;

    let op = advance(app, "45d").await;
    let printed = chrono::DateTime::parse_from_rfc3339(op.stdout.trim())
        .expect("the command prints the new time")
        .with_timezone(&chrono::Utc);
    let shown = vpsd(app, &["sandbox", "clock", "show"]).await;
    assert!(shown.ok);
    let (_, body) = app.sandbox().await;
    assert_eq!(body["ahead_by_seconds"], 45 * 86_400);
    let after = sandbox_now(app).await;
    assert!(
        after - before >= chrono::Duration::days(45),
        "{before} → {after}"
    );
    assert!(after - printed < chrono::Duration::seconds(5));
    let shown = chrono::DateTime::parse_from_rfc3339(shown.stdout.trim())
        .expect("show prints the time")
        .with_timezone(&chrono::Utc);
    assert!(shown >= printed && shown - printed < chrono::Duration::seconds(5));

    // A registration made now is dated in sandbox time, and so is its
    // charge.
    let (status, reg) = app
        .post_domain(json!({"domain_name": "sandbox-dated.com"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let registered = crate::helpers::parse_time(&reg["registration_date"]);
    assert!(
        (registered - after).num_seconds().abs() < 5,
        "{registered} vs {after}"
    );
    let (_, page) = app.transactions("").await;
    let charged = crate::helpers::parse_time(&page["results"][0]["created_at"]);
    assert!((charged - after).num_seconds().abs() < 5);
}

/// What the account looks like: each domain's state and term (relative to
/// its registration, since the two installations started a moment apart),
/// the ledger, and the mails' subjects.
async fn end_state(app: &TestApp) -> Value {
    let (_, list) = app.domains_where("page_size=500").await;
    let mut domains = Vec::new();
    for d in list["results"].as_array().expect("results") {
        let d = detail(app, d["id"].as_i64().expect("id")).await;
        let term = crate::helpers::parse_time(&d["expiration_date"])
            - crate::helpers::parse_time(&d["registration_date"]);
        domains.push(json!({
            "name": d["domain_name"],
            "status": d["status"],
            "phase": d["phase"],
            "term_days": term.num_days(),
            "transfer_out": d["transfer_out"]["status"],
        }));
    }
    // `vpsd outbox list` prints each subject indented under its mail.
    let mut mails: Vec<String> = outbox(app)
        .await
        .lines()
        .filter(|l| l.starts_with("  "))
        .map(|l| l.trim().to_owned())
        .collect();
    mails.sort();
    let mut entries = ledger(app).await;
    entries.sort();
    json!({
        "domains": domains,
        "ledger": entries,
        "balance": balance(app).await,
        "mails": mails,
    })
}

async fn four_hundred_days_at_once_equal_four_hundred_single_days(app: &TestApp) {
    // The same account twice: once moved 400 days by one command, once by
    // 400 one-day steps.
    let other = TestApp::spawn(app.backend).await;
    for a in [app, &other] {
        a.active_with("keeps-renewing.com", true).await;
        a.active_with("runs-out.com", false).await;
        let moving = a.active_with("moves-away.com", false).await.0;
        unlock(a, moving).await;
        advance(a, "70d").await;
        let code = auth_code(a, moving).await;
        assert!(request_out(a, "moves-away.com", &code).await.ok);
    }
    advance(app, "400d").await;
    for _ in 0..400 {
        other
            .app
            .advance_sandbox_unsettled(chrono::Duration::days(1))
            .await
            .expect("one day");
    }
    let once = end_state(app).await;
    let stepped = end_state(&other).await;
    assert_eq!(once, stepped);
    assert!(
        once["domains"].as_array().expect("domains").len() == 1,
        "{once}"
    );
    other.finish().await;
}

async fn the_clock_never_moves_back_and_two_advances_add_up(app: &TestApp) {
    let before = sandbox_now(app).await;
    for bad in ["-1d", "0s", "yesterday"] {
        let op = vpsd(app, &["sandbox", "clock", "advance", "--", bad]).await;
        assert!(!op.ok, "{bad} was accepted");
    }
    assert!(sandbox_now(app).await - before < chrono::Duration::seconds(5));

    // Two at once: the same end state as one after the other (both moves
    // count; the renewal that fell due happened once).
    app.active_with("raced-renewal.com", true).await;
    advance(app, "330d").await;
    let start = balance(app).await;
    let (a, b) = tokio::join!(
        vpsd(app, &["sandbox", "clock", "advance", "10d"]),
        vpsd(app, &["sandbox", "clock", "advance", "10d"])
    );
    assert!(a.ok && b.ok, "{} {}", a.stderr, b.stderr);
    let (_, body) = app.sandbox().await;
    assert_eq!(body["ahead_by_seconds"], (330 + 20) * 86_400);
    assert_eq!(balance(app).await, start - 12_99);
}

/// A registry that is not the sandbox (as a real one behind EPP would be):
/// the embedded one underneath, saying so.
#[derive(Debug)]
struct NotASandbox(vpsd_registry::SandboxRegistry);

#[async_trait::async_trait]
impl vpsd_registry::Registry for NotASandbox {
    async fn info(
        &self,
        name: &str,
    ) -> Result<Option<vpsd_registry::RegistryRecord>, vpsd_registry::RegistryError> {
        self.0.info(name).await
    }
    async fn create(
        &self,
        name: &str,
        years: u32,
        nameservers: &[String],
        contacts: Option<&vpsd_registry::RegistryDomainContacts>,
        fee: Option<&vpsd_registry::AgreedFee>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<vpsd_registry::RegistryRecord, vpsd_registry::RegistryError> {
        self.0
            .create(name, years, nameservers, contacts, fee, now)
            .await
    }
    async fn delete(
        &self,
        name: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), vpsd_registry::RegistryError> {
        self.0.delete(name, now).await
    }
    async fn restore(
        &self,
        name: &str,
        deleted_at: chrono::DateTime<chrono::Utc>,
        fee: Option<&vpsd_registry::AgreedFee>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), vpsd_registry::RegistryError> {
        self.0.restore(name, deleted_at, fee, now).await
    }
    async fn update(
        &self,
        name: &str,
        nameservers: Option<&[String]>,
        client_transfer_prohibited: Option<bool>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), vpsd_registry::RegistryError> {
        self.0
            .update(name, nameservers, client_transfer_prohibited, now)
            .await
    }
    async fn renew(
        &self,
        name: &str,
        cur_exp_date: chrono::DateTime<chrono::Utc>,
        years: u32,
        fee: Option<&vpsd_registry::AgreedFee>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<vpsd_registry::RegistryRecord, vpsd_registry::RegistryError> {
        self.0.renew(name, cur_exp_date, years, fee, now).await
    }
    async fn check_transfer(
        &self,
        name: &str,
        auth_code: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), vpsd_registry::TransferRefusal> {
        self.0.check_transfer(name, auth_code, now).await
    }
    async fn request_transfer(
        &self,
        name: &str,
        auth_code: &str,
        fee: Option<&vpsd_registry::AgreedFee>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), vpsd_registry::TransferRefusal> {
        self.0.request_transfer(name, auth_code, fee, now).await
    }
    async fn complete_transfer(
        &self,
        name: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<vpsd_registry::RegistryRecord, vpsd_registry::TransferRefusal> {
        self.0.complete_transfer(name, now).await
    }
    async fn cancel_transfer(&self, name: &str) -> Result<(), vpsd_registry::TransferRefusal> {
        self.0.cancel_transfer(name).await
    }
    async fn approve_transfer(
        &self,
        name: &str,
        gaining: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), vpsd_registry::TransferRefusal> {
        self.0.approve_transfer(name, gaining, now).await
    }
    async fn reject_transfer(
        &self,
        name: &str,
        gaining: &str,
    ) -> Result<(), vpsd_registry::TransferRefusal> {
        self.0.reject_transfer(name, gaining).await
    }
    async fn set_auth_code(
        &self,
        name: &str,
        auth_code: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), vpsd_registry::RegistryError> {
        self.0.set_auth_code(name, auth_code, now).await
    }
}

/// With a registry that is not the sandbox, the server says so and its
/// clock cannot be moved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_is_not_a_sandbox_refuses_the_clock() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = crate::helpers::fresh_database(crate::helpers::Backend::Sqlite, dir.path()).await;
    let app = vpsd::server::App::build_with_registry(
        vpsd::server::ServerSettings::new(url),
        std::sync::Arc::new(vpsd_domain::ManualClock::new()),
        |sandbox| std::sync::Arc::new(NotASandbox(sandbox)),
    )
    .await
    .expect("app");
    assert!(!app.is_sandbox());
    let before = app.now();
    let refused = app
        .advance_sandbox(chrono::Duration::days(1))
        .await
        .expect_err("a real registry's clock cannot move");
    assert!(refused.to_string().contains("not the sandbox"), "{refused}");
    assert!(app.now() - before < chrono::Duration::seconds(5));

    // The API says so.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let account = app
        .registrar
        .create_account(
            &vpsd_storage::Actor::operator(),
            "real@example.com",
            vpsd_domain::Money::from_cents(0),
        )
        .await
        .expect("account");
    let (_, token) = app
        .registrar
        .issue_token(
            &vpsd_storage::Actor::operator(),
            account.id,
            "t",
            false,
            None,
        )
        .await
        .expect("token");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.clone().serve(listener, async move {
        let _ = stopped.await;
    }));
    let body: Value = reqwest::Client::new()
        .get(crate::endpoints::url(&base, paths::SANDBOX))
        .bearer_auth(&token)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(body["sandbox"], false);
    assert_eq!(body["ahead_by_seconds"], 0);
    let _ = stop.send(());
    server.await.expect("join").expect("stopped");
}
