//! The sandbox, black-box: the operator's commands (`vpsd sandbox clock`,
//! `vpsd registry ...`, `vpsd outbox list`, run as their own processes on
//! the test's database) and the API over HTTP, on both databases. The
//! server follows the clock the commands move.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::endpoints::api;
use crate::helpers::TestApp;
use vps_client::paths;

crate::both!(
    the_sandbox_says_so_and_its_time_is_every_answers,
    auto_renewal_at_the_lead_time_charged_once,
    warnings_expiry_and_a_grace_renewal,
    redemption_restores_with_the_fee,
    release_lets_another_account_register_it,
    a_transfer_in_the_losing_registrar_rejects_is_refunded,
    transfers_out_refused_rejected_approved_and_auto_approved,
    four_hundred_days_at_once_equal_four_hundred_single_days,
    the_clock_never_moves_back_and_two_advances_add_up,
);

struct Op {
    ok: bool,
    stdout: String,
    stderr: String,
}

/// Runs an operator command on the test's database.
async fn vpsd(app: &TestApp, args: &[&str]) -> Op {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpsd"))
        .args(args)
        .env("VPSD_DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("run vpsd");
    Op {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

async fn advance(app: &TestApp, by: &str) -> Op {
    let op = vpsd(app, &["sandbox", "clock", "advance", by]).await;
    assert!(op.ok, "advance {by}: {}", op.stderr);
    op
}

/// The sandbox time, as the API tells it.
async fn sandbox_now(app: &TestApp) -> chrono::DateTime<chrono::Utc> {
    let (status, body) = app.sandbox().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    crate::helpers::parse_time(&body["time"])
}

async fn detail(app: &TestApp, id: i64) -> Value {
    let (status, body) = app.domain(id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The ledger, oldest first: (type, cents).
async fn ledger(app: &TestApp) -> Vec<(String, i64)> {
    let (_, page) = app.transactions("page_size=500").await;
    let mut entries: Vec<(String, i64)> = page["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|e| {
            (
                e["type"].as_str().expect("type").to_owned(),
                crate::helpers::cents(&e["amount"]),
            )
        })
        .collect();
    entries.reverse();
    entries
}

async fn balance(app: &TestApp) -> i64 {
    let (_, account) = app.account().await;
    crate::helpers::cents(&account["balance"])
}

/// Every mail's subject, as `vpsd outbox list` prints them.
async fn outbox(app: &TestApp) -> String {
    let op = vpsd(app, &["outbox", "list"]).await;
    assert!(op.ok, "{}", op.stderr);
    op.stdout
}

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

async fn auto_renewal_at_the_lead_time_charged_once(app: &TestApp) {
    let id = app.active_with("renews-itself.com", true).await.0;
    let first = detail(app, id).await;
    let expires = crate::helpers::parse_time(&first["expiration_date"]);
    let start = balance(app).await;

    // 30 days before expiry: still 36 days to go after 330 days.
    advance(app, "330d").await;
    assert_eq!(balance(app).await, start);
    // Past the lead time: renewed once, charged once.
    advance(app, "10d").await;
    let renewed = detail(app, id).await;
    assert_eq!(
        crate::helpers::parse_time(&renewed["expiration_date"]),
        vpsd_domain::lifecycle::add_years(expires, 1)
    );
    assert_eq!(balance(app).await, start - 12_99);
    advance(app, "20d").await;
    assert_eq!(balance(app).await, start - 12_99);
    let renewals = ledger(app)
        .await
        .iter()
        .filter(|(kind, _)| kind == "renewal")
        .count();
    assert_eq!(renewals, 1);
    let mails = outbox(app).await;
    assert!(
        mails.contains("renews-itself.com has been renewed"),
        "{mails}"
    );
    // No "expires in 30 days" for a domain that renews itself then.
    assert!(!mails.contains("renews-itself.com expires"), "{mails}");
}

async fn warnings_expiry_and_a_grace_renewal(app: &TestApp) {
    let id = app.active_with("lapses.com", false).await.0;
    advance(app, "366d").await;
    let d = detail(app, id).await;
    assert_eq!(d["status"], "expired");
    assert_eq!(d["phase"], "grace");
    let mails = outbox(app).await;
    for days in ["30 days", "7 days", "1 day"] {
        assert!(mails.contains(days), "no {days} warning: {mails}");
    }
    assert!(mails.contains("has expired"), "{mails}");
    // Renewed in the grace period at the normal price.
    let start = balance(app).await;
    let (status, body) = app.renew(id, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "active");
    assert_eq!(balance(app).await, start - 12_99);
}

async fn redemption_restores_with_the_fee(app: &TestApp) {
    let id = app.active_with("redeemed.com", false).await.0;
    advance(app, "400d").await;
    let d = detail(app, id).await;
    assert_eq!(d["phase"], "redemption", "{d}");
    let (status, body) = app.renew(id, json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let start = balance(app).await;
    let (status, body) = app.restore(id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "active");
    assert_eq!(balance(app).await, start - 80_00 - 12_99);
    assert_eq!(
        ledger(app).await.last(),
        Some(&("restore".to_owned(), -(80_00 + 12_99)))
    );
}

async fn release_lets_another_account_register_it(app: &TestApp) {
    let id = app.active_with("let-go.com", false).await.0;
    advance(app, "440d").await;
    let (status, _) = app.domain(id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(outbox(app).await.contains("released"));
    let (_, token) = app.new_account("next-owner@example.com", 100_00).await;
    let (status, body) = app
        .request_as(
            Some(&token),
            reqwest::Method::POST,
            &api(paths::DOMAINS),
            Some(json!({"domain_name": "let-go.com"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn a_transfer_in_the_losing_registrar_rejects_is_refunded(app: &TestApp) {
    // On a server whose transfers take an hour, so its worker cannot
    // complete this one before the losing registrar says no.
    let slow = TestApp::spawn_with(app.backend, |s| {
        s.registrar.transfer_delay = std::time::Duration::from_secs(3600)
    })
    .await;
    rejected_and_refunded(&slow).await;
    slow.finish().await;
}

async fn rejected_and_refunded(app: &TestApp) {
    let op = vpsd(
        app,
        &[
            "registry",
            "add",
            "coming-over.org",
            "--registrar",
            "Other Registrar LLC",
            "--auth-code",
            "Code-77",
            "--created",
            "2020-01-01T00:00:00Z",
        ],
    )
    .await;
    assert!(op.ok, "{}", op.stderr);
    let start = balance(app).await;
    let id = app.import("coming-over.org").await;
    let (status, body) = app.transfer(id, json!({"auth_code": "Code-77"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(balance(app).await, start - 13_99);

    let op = vpsd(app, &["registry", "reject-transfer", "coming-over.org"]).await;
    assert!(op.ok, "{}", op.stderr);
    let d = detail(app, id).await;
    assert_eq!(d["transfer_status"], "rejected");
    assert_eq!(d["registrar"], "Other Registrar LLC");
    assert_eq!(balance(app).await, start);
    assert_eq!(
        ledger(app).await.last(),
        Some(&("refund".to_owned(), 13_99))
    );
    assert!(outbox(app).await.contains("was rejected"));
    // Nothing left to reject; the registry still has it at the other one.
    let again = vpsd(app, &["registry", "reject-transfer", "coming-over.org"]).await;
    assert!(!again.ok);
    let shown = vpsd(app, &["registry", "show", "coming-over.org"]).await;
    assert!(
        shown.stdout.contains("sponsor:     Other Registrar LLC"),
        "{}",
        shown.stdout
    );
    // The clock moving on changes nothing about it.
    advance(app, "10d").await;
    assert_eq!(balance(app).await, start);
}

async fn request_out(app: &TestApp, name: &str, code: &str) -> Op {
    vpsd(
        app,
        &[
            "registry",
            "request-transfer",
            name,
            "--registrar",
            "Gaining Registrar Ltd",
            "--auth-code",
            code,
        ],
    )
    .await
}

async fn auth_code(app: &TestApp, id: i64) -> String {
    let (status, body) = app.auth_code(id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["auth_code"].as_str().expect("code").to_owned()
}

async fn unlock(app: &TestApp, id: i64) {
    let (status, body) = app.put_domain(id, json!({"locked": false})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn transfers_out_refused_rejected_approved_and_auto_approved(app: &TestApp) {
    let id = app.active_with("moving-out.com", true).await.0;
    let code = auth_code(app, id).await;

    // Refused at once: locked (the default), then within 60 days of
    // registration, then with a wrong code.
    let op = request_out(app, "moving-out.com", &code).await;
    assert!(!op.ok && op.stderr.contains("locked"), "{}", op.stderr);
    unlock(app, id).await;
    let op = request_out(app, "moving-out.com", &code).await;
    assert!(!op.ok && op.stderr.contains("60 days"), "{}", op.stderr);
    advance(app, "61d").await;
    let op = request_out(app, "moving-out.com", "not-the-code").await;
    assert!(!op.ok && op.stderr.contains("auth code"), "{}", op.stderr);
    // A regenerated code replaces the old one.
    let (status, fresh) = app.regenerate_auth_code(id).await;
    assert_eq!(status, StatusCode::OK);
    let fresh = fresh["auth_code"].as_str().expect("code").to_owned();
    assert_ne!(fresh, code);
    let op = request_out(app, "moving-out.com", &code).await;
    assert!(!op.ok && op.stderr.contains("auth code"), "{}", op.stderr);

    // Asked with the right code: the owner sees it and is mailed; rejecting
    // keeps the domain.
    let op = request_out(app, "moving-out.com", &fresh).await;
    assert!(op.ok, "{}", op.stderr);
    let d = detail(app, id).await;
    let out = &d["transfer_out"];
    assert_eq!(out["status"], "pending");
    assert_eq!(out["gaining_registrar"], "Gaining Registrar Ltd");
    let asked = crate::helpers::parse_time(&out["requested_at"]);
    assert_eq!(
        crate::helpers::parse_time(&out["auto_approve_at"]) - asked,
        chrono::Duration::days(5)
    );
    assert!(outbox(app)
        .await
        .contains("Gaining Registrar Ltd asked to take moving-out.com"));
    let (status, body) = app.reject_transfer_out(id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["transfer_out"]["status"], "rejected");
    assert_eq!(detail(app, id).await["transfer_out"]["status"], "rejected");
    let shown = vpsd(app, &["registry", "show", "moving-out.com"]).await;
    assert!(
        shown.stdout.contains("sponsor:     VPS.org"),
        "{}",
        shown.stdout
    );

    // Asked again and approved early: the domain leaves the account and
    // its zone is no longer served; its history stays.
    let ns = crate::nameserver::nameserver(app).await;
    crate::nameserver::until(
        ns.port,
        "moving-out.com",
        "SOA",
        Duration::from_secs(2),
        |d| d.status == "NOERROR",
    )
    .await;
    let op = request_out(app, "moving-out.com", &fresh).await;
    assert!(op.ok, "{}", op.stderr);
    let (status, body) = app.approve_transfer_out(id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["transfer_out"]["status"], "approved");
    let (status, _) = app.domain(id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let shown = vpsd(app, &["registry", "show", "moving-out.com"]).await;
    assert!(
        shown.stdout.contains("sponsor:     Gaining Registrar Ltd"),
        "{}",
        shown.stdout
    );
    crate::nameserver::until(
        ns.port,
        "moving-out.com",
        "SOA",
        Duration::from_secs(2),
        |d| d.status == "REFUSED",
    )
    .await;
    assert!(ledger(app)
        .await
        .iter()
        .any(|(kind, _)| kind == "registration"));
    let (_, audit) = app.audit("page_size=500").await;
    let actions: Vec<&str> = audit["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|e| e["domain_id"] == id)
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in [
        "domain.register",
        "domain.auth_code_regenerate",
        "domain.transfer_out_request",
        "domain.transfer_out_reject",
        "domain.transfer_out_approve",
    ] {
        assert!(actions.contains(&action), "{action} not in {actions:?}");
    }
    // The auth code never appears in the audit log.
    assert!(!audit.to_string().contains(&fresh));
    assert!(outbox(app)
        .await
        .contains("has been transferred to Gaining Registrar Ltd"));

    // Another, not answered: approved by itself five days on.
    let other = app.active_with("left-alone.com", true).await.0;
    unlock(app, other).await;
    advance(app, "61d").await;
    let code = auth_code(app, other).await;
    let op = request_out(app, "left-alone.com", &code).await;
    assert!(op.ok, "{}", op.stderr);
    let again = request_out(app, "left-alone.com", &code).await;
    assert!(
        !again.ok && again.stderr.contains("in progress"),
        "{}",
        again.stderr
    );
    advance(app, "4d").await;
    assert_eq!(
        detail(app, other).await["transfer_out"]["status"],
        "pending"
    );
    advance(app, "1d").await;
    let (status, _) = app.domain(other).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let shown = vpsd(app, &["registry", "show", "left-alone.com"]).await;
    assert!(
        shown.stdout.contains("sponsor:     Gaining Registrar Ltd"),
        "{}",
        shown.stdout
    );
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
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<vpsd_registry::RegistryRecord, vpsd_registry::RegistryError> {
        self.0.create(name, years, nameservers, now).await
    }
    async fn delete(&self, name: &str) -> Result<(), vpsd_registry::RegistryError> {
        self.0.delete(name).await
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
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<vpsd_registry::RegistryRecord, vpsd_registry::RegistryError> {
        self.0.renew(name, cur_exp_date, years, now).await
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
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), vpsd_registry::TransferRefusal> {
        self.0.request_transfer(name, auth_code, now).await
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
