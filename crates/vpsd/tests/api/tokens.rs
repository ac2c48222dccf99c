//! Token scopes and life: read-only, revoked, expired, listed.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::endpoints::api;
use crate::helpers::{assert_error, TestApp};
use vps_client::paths;

crate::both!(
    read_only_tokens_only_read,
    revoked_and_expired_tokens_stop_working,
    last_use_is_recorded,
);

/// `last_used_at`: empty until the token is used, then the time of use
/// (written when the token is looked up, at most once a minute).
async fn last_use_is_recorded(app: &TestApp) {
    let (account, token) = app.new_account("user@example.com", 0).await;
    let info = |tokens: Vec<vpsd_storage::TokenInfo>| {
        tokens.into_iter().next().expect("one token").last_used_at
    };
    let tokens = app.app.store.tokens(account).await.expect("tokens");
    assert_eq!(info(tokens), None);
    let (status, _) = app
        .request_as(
            Some(&token),
            reqwest::Method::GET,
            &api(paths::ACCOUNT),
            None,
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::OK);
    let used = info(app.app.store.tokens(account).await.expect("tokens")).expect("recorded");
    assert!((app.now() - used).num_seconds().abs() <= 2, "{used}");
    let (ok, out, _) = vpsd(app, &["token", "list", "--account", &account.to_string()]);
    assert!(ok);
    assert!(!out.contains("never"), "{out}");
}

fn vpsd(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vpsd"))
        .args(args)
        .env("VPSD_DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run vpsd");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn read_only_tokens_only_read(app: &TestApp) {
    let id = app.register("mine.com").await;
    let account = app.account_id.to_string();
    let (ok, out, err) = vpsd(
        app,
        &[
            "token",
            "create",
            "--account",
            &account,
            "--name",
            "dashboard",
            "--read-only",
        ],
    );
    assert!(ok, "{err}");
    let reader = out.trim().to_owned();
    let t = Some(reader.as_str());
    let (status, list) = app
        .request_as(t, Method::GET, &api(paths::DOMAINS), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["count"], 1);
    let (status, _) = app
        .request_as(t, Method::GET, &api(paths::ACCOUNT), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let writes = [
        (
            Method::POST,
            api(paths::DOMAINS),
            Some(json!({"domain_name": "new.com"})),
        ),
        (
            Method::PUT,
            api(&paths::domain(id)),
            Some(json!({"auto_renew": false})),
        ),
        (Method::DELETE, api(&paths::domain(id)), None),
        (Method::POST, api(&paths::renew(id)), Some(json!({}))),
    ];
    for (method, path, body) in writes {
        let (status, body) = app.request_as(t, method.clone(), &path, body).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "read_only_token");
    }
    let (_, list) = app.domains().await;
    assert_eq!(list["count"], 1);
    assert_eq!(list["results"][0]["auto_renew"], true);
    assert_eq!(app.balance(app.account_id).await, 1_000_00 - 12_99);

    let (ok, out, _) = vpsd(app, &["token", "list", "--account", &account]);
    assert!(ok);
    assert!(out.contains("dashboard") && out.contains("read "), "{out}");
    assert!(out.contains(&reader[..10]), "prefix shown: {out}");
    assert!(!out.contains(&reader), "the token itself is never shown");
    assert!(!out.contains(&app.token));
}

async fn revoked_and_expired_tokens_stop_working(app: &TestApp) {
    let (id, token) = app
        .app
        .registrar
        .issue_token(
            &vpsd_storage::Actor::operator(),
            app.account_id,
            "ci",
            false,
            Some(app.now() + Duration::hours(1)),
        )
        .await
        .expect("token");
    let t = Some(token.as_str());
    let (status, _) = app
        .request_as(t, Method::GET, &api(paths::DOMAINS), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    app.clock.advance(Duration::hours(2));
    let (status, body) = app
        .request_as(t, Method::GET, &api(paths::DOMAINS), None)
        .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "not_authenticated");
    assert!(body["detail"]
        .as_str()
        .is_some_and(|d| d.contains("expired")));

    let (_, other) = app
        .app
        .registrar
        .issue_token(
            &vpsd_storage::Actor::operator(),
            app.account_id,
            "laptop",
            false,
            None,
        )
        .await
        .expect("token");
    let (status, _) = app
        .request_as(Some(&other), Method::GET, &api(paths::DOMAINS), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (ok, out, _) = vpsd(
        app,
        &["token", "list", "--account", &app.account_id.to_string()],
    );
    assert!(ok);
    let laptop_line = out.lines().find(|l| l.ends_with("laptop")).expect("listed");
    assert!(
        !laptop_line.contains("never"),
        "last use recorded: {laptop_line}"
    );
    let laptop_id = laptop_line
        .split_whitespace()
        .next()
        .expect("id")
        .to_owned();
    let (ok, _, err) = vpsd(app, &["token", "revoke", &laptop_id]);
    assert!(ok, "{err}");
    // The revocation (made by another process) holds from the very next
    // request: no server trusts a token it has not checked anew.
    let (status, body) = app
        .request_as(Some(&other), Method::GET, &api(paths::DOMAINS), None)
        .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "not_authenticated");
    assert!(body["detail"]
        .as_str()
        .is_some_and(|d| d.contains("revoked")));
    let (ok, _, _) = vpsd(app, &["token", "revoke", &laptop_id]);
    assert!(!ok, "revoking twice says so");
    let (ok, out, _) = vpsd(
        app,
        &["token", "list", "--account", &app.account_id.to_string()],
    );
    assert!(ok);
    assert!(out
        .lines()
        .any(|l| l.ends_with("laptop") && l.contains("revoked")));
    let ci = out.lines().find(|l| l.ends_with(" ci")).expect("ci listed");
    assert!(ci.starts_with(&id.to_string()), "{ci}");
    // The other tokens still work.
    let (status, _) = app.domains().await;
    assert_eq!(status, StatusCode::OK);
}
