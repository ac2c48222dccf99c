//! The sandbox, black-box: the operator's commands (`vpsd sandbox clock`,
//! `vpsd registry ...`, `vpsd outbox list`, run as their own processes on
//! the test's database) and the API over HTTP, on both databases. The
//! server follows the clock the commands move.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::TestApp;

mod clock;
mod lifecycle;
mod statuses;
mod transfers;

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
