//! The audit log: every change, who made it, before/after, request id;
//! append-only; no secrets.

use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Connection;

use crate::helpers::{Backend, TestApp};

crate::both!(
    every_change_is_audited_without_secrets,
    the_audit_log_is_append_only
);

async fn post_as(app: &TestApp, path: &str, request_id: &str, body: Value) -> (StatusCode, Value) {
    let resp = app
        .http
        .post(format!("{}{}", app.base, path))
        .bearer_auth(&app.token)
        .header("X-Request-Id", request_id)
        .json(&body)
        .send()
        .await
        .expect("send");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn every_change_is_audited_without_secrets(app: &TestApp) {
    let (status, body) = post_as(
        app,
        "/api/v1/domains/",
        "req-register",
        json!({"domain_name": "audited.com"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = body["id"].as_i64().expect("id");
    app.wait_active(id).await;
    let resp = app
        .http
        .put(format!("{}/api/v1/domains/{id}/", app.base))
        .bearer_auth(&app.token)
        .header("X-Request-Id", "req-update")
        .json(&json!({"auto_renew": false, "locked": false}))
        .send()
        .await
        .expect("put");
    assert_eq!(resp.status(), StatusCode::OK);
    let (status, _) = post_as(
        app,
        &format!("/api/v1/domains/{id}/renew/"),
        "req-renew",
        json!({"years": 2}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    app.held_elsewhere(
        "moving.io",
        "S3cret-Auth-Code",
        Utc::now() - Duration::days(90),
        false,
    )
    .await;
    let moving = app.import("moving.io").await;
    let (status, _) = post_as(
        app,
        &format!("/api/v1/domains/{moving}/transfer/"),
        "req-transfer",
        json!({"auth_code": "S3cret-Auth-Code"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let (status, page) = app.get("/api/v1/account/audit/?page_size=100").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let entries = page["results"].as_array().expect("results").clone();
    let find = |action: &str| {
        entries
            .iter()
            .find(|e| e["action"] == action)
            .unwrap_or_else(|| panic!("no {action} in {entries:#?}"))
            .clone()
    };
    let register = find("domain.register");
    assert_eq!(register["actor"], "api");
    assert!(register["token_id"].as_i64().is_some());
    assert_eq!(register["request_id"], "req-register");
    assert_eq!(register["domain"], "audited.com");
    assert_eq!(register["domain_id"], id);
    assert_eq!(register["changes"]["status"], json!([null, "pending"]));
    let activate = find("domain.activate");
    assert_eq!(activate["actor"], "worker");
    assert_eq!(activate["changes"]["status"], json!(["pending", "active"]));
    let update = find("domain.update");
    assert_eq!(update["request_id"], "req-update");
    assert_eq!(update["changes"]["auto_renew"], json!([true, false]));
    assert_eq!(update["changes"]["locked"], json!([true, false]));
    assert!(
        update["changes"].get("nameservers").is_none(),
        "only changed fields"
    );
    let renew = find("domain.renew");
    assert_eq!(renew["changes"]["cost"], json!([null, "25.98"]));
    let transfer = find("domain.transfer");
    assert_eq!(transfer["request_id"], "req-transfer");
    assert_eq!(transfer["domain"], "moving.io");
    find("domain.import");
    // Newest first.
    let ids: Vec<i64> = entries.iter().filter_map(|e| e["id"].as_i64()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]));
    // Secrets never appear.
    let text = page.to_string();
    assert!(!text.contains("S3cret-Auth-Code"));
    assert!(!text.contains(&app.token));

    // Another account sees only its own.
    let (_, other) = app.new_account("other@example.com", 0).await;
    let (_, theirs) = app
        .request_as(Some(&other), Method::GET, "/api/v1/account/audit/", None)
        .await;
    let actions: Vec<&str> = theirs["results"]
        .as_array()
        .expect("r")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(
        actions,
        vec!["token.create", "contact.create", "account.create"]
    );

    // The operator's view.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vpsd"))
        .args(["audit", "--account", &app.account_id.to_string()])
        .env("VPSD_DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("vpsd audit");
    assert!(out.status.success());
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        printed.contains("domain.update") && printed.contains("request req-update"),
        "{printed}"
    );
    assert!(!printed.contains("S3cret-Auth-Code"));
}

async fn the_audit_log_is_append_only(app: &TestApp) {
    app.register("kept.com").await;
    let attempts = [
        "UPDATE audit_log SET action = 'nothing'",
        "DELETE FROM audit_log",
    ];
    for sql in attempts {
        let refused = match app.backend {
            Backend::Sqlite => {
                let mut c = sqlx::SqliteConnection::connect(&app.database_url)
                    .await
                    .expect("connect");
                sqlx::query(sql).execute(&mut c).await.is_err()
            }
            Backend::Postgres => {
                let mut c = sqlx::PgConnection::connect(&app.database_url)
                    .await
                    .expect("connect");
                sqlx::query(sql).execute(&mut c).await.is_err()
            }
        };
        assert!(refused, "{sql} was allowed");
    }
    let (_, page) = app.get("/api/v1/account/audit/").await;
    assert!(page["results"]
        .as_array()
        .is_some_and(|r| r.iter().any(|e| e["action"] == "domain.register")));
}
