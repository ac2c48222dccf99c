//! A zone's TSIG keys through the API (docs/api.md, "TSIG keys and dynamic
//! updates"): the secret shown once and never again, sealed in the
//! database (the secrets key file), field errors that change nothing,
//! another account's domain a 404, 20 keys a zone, read-only tokens
//! refused. What the keys sign is `nameserver/updates.rs`.

use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_error, Backend, TestApp};

crate::both!(
    a_key_secret_is_shown_once_and_kept_sealed,
    bad_keys_and_other_accounts_change_nothing,
    an_idempotent_creation_keeps_no_secret_at_rest,
);

/// With an `Idempotency-Key`, the stored answer has no secret; its replay
/// reads it anew, the same one.
async fn an_idempotent_creation_keeps_no_secret_at_rest(app: &TestApp) {
    let id = app.active("keys-idem.com").await;
    let path = format!("{}/api/v1/domains/{id}/dns/tsig-keys/", app.base);
    let post = || {
        app.http
            .post(&path)
            .bearer_auth(&app.token)
            .header("Idempotency-Key", "tsig-once")
            .json(&json!({"name": "idem"}))
            .send()
    };
    let first: Value = post().await.expect("send").json().await.expect("json");
    let secret = first["secret"].as_str().expect("secret").to_owned();
    let again = post().await.expect("send");
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.expect("json");
    assert_eq!(again, first);
    let stored = app
        .column("SELECT response_body FROM idempotency_keys WHERE response_body IS NOT NULL")
        .await;
    assert!(!stored.is_empty());
    assert!(stored.iter().all(|b| !b.contains(&secret)), "{stored:?}");
}

async fn a_key_secret_is_shown_once_and_kept_sealed(app: &TestApp) {
    let id = app.active("keys-once.com").await;
    let path = format!("/api/v1/domains/{id}/dns/tsig-keys/");
    let (status, key) = app.post(&path, json!({"name": "Acme"})).await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    assert_eq!(key["name"], "acme.keys-once.com");
    assert_eq!(key["algorithm"], "hmac-sha256");
    let secret = key["secret"].as_str().expect("secret").to_owned();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(&secret)
        .expect("base64");
    assert_eq!(raw.len(), 32, "as long as SHA-256's output");
    let (_, long) = app
        .post(&path, json!({"name": "big", "algorithm": "HMAC-SHA512"}))
        .await;
    assert_eq!(long["algorithm"], "hmac-sha512");
    let long_secret = long["secret"].as_str().expect("secret").to_owned();
    let long_raw = base64::engine::general_purpose::STANDARD
        .decode(&long_secret)
        .expect("base64");
    assert_eq!(long_raw.len(), 64);

    // Listed and shown without it.
    let (status, list) = app.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["count"], 2);
    let key_id = key["id"].as_i64().expect("id");
    let (status, one) = app.get(&format!("{path}{key_id}/")).await;
    assert_eq!(status, StatusCode::OK);
    for v in [&list, &one] {
        let text = v.to_string();
        assert!(
            !text.contains(&secret) && !text.contains("secret"),
            "{text}"
        );
    }
    // Neither the audit log nor the database holds it.
    let (_, audit) = app.get("/api/v1/account/audit/?page_size=100").await;
    assert!(!audit.to_string().contains(&secret));
    assert!(audit.to_string().contains("tsig_key.create"));
    let stored = app
        .column("SELECT secret_sealed FROM tsig_keys ORDER BY id")
        .await;
    assert_eq!(stored.len(), 2);
    for (sealed, (shown, bytes)) in stored
        .iter()
        .zip([(&secret, &raw), (&long_secret, &long_raw)])
    {
        assert!(sealed.starts_with("v1:"), "{sealed}");
        assert!(!sealed.contains(shown.as_str()));
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert!(!sealed.contains(&hex));
    }

    // Deleted: gone from the list, a 404 after.
    let (status, _) = app.delete(&format!("{path}{key_id}/")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app.delete(&format!("{path}{key_id}/")).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (_, list) = app.get(&path).await;
    assert_eq!(list["count"], 1);
}

async fn bad_keys_and_other_accounts_change_nothing(app: &TestApp) {
    let id = app.active("keys-bad.com").await;
    let path = format!("/api/v1/domains/{id}/dns/tsig-keys/");
    for (body, field) in [
        (json!({}), "name"),
        (json!({"name": "two.labels"}), "name"),
        (json!({"name": "-x"}), "name"),
        (json!({"name": "ok", "algorithm": "hmac-md5"}), "algorithm"),
        (json!({"name": "ok", "algorithm": 5}), "algorithm"),
        (json!({"name": "ok", "secret": "mine"}), "secret"),
    ] {
        let (status, err) = app.post(&path, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {err}");
        assert!(err["errors"][field].is_array(), "{body}: {err}");
    }
    let (_, list) = app.get(&path).await;
    assert_eq!(list["count"], 0);

    // Names are unique; 20 keys a zone.
    let (status, _) = app.post(&path, json!({"name": "k0"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, err) = app.post(&path, json!({"name": "K0"})).await;
    assert_error(status, &err, StatusCode::CONFLICT, "conflict");
    for i in 1..20 {
        let (status, err) = app.post(&path, json!({"name": format!("k{i}")})).await;
        assert_eq!(status, StatusCode::CREATED, "{err}");
    }
    let (status, err) = app.post(&path, json!({"name": "k20"})).await;
    assert_error(status, &err, StatusCode::CONFLICT, "conflict");

    // Another account sees none of it.
    let (_, other) = app.new_account("keys-other@example.net", 0).await;
    let (_, list) = app.get(&path).await;
    let key_id = list["results"][0]["id"].as_i64().expect("id");
    for (method, p, body) in [
        (Method::GET, path.clone(), None),
        (Method::POST, path.clone(), Some(json!({"name": "mine"}))),
        (Method::GET, format!("{path}{key_id}/"), None),
        (Method::DELETE, format!("{path}{key_id}/"), None),
    ] {
        let (status, err) = app.request_as(Some(&other), method, &p, body).await;
        assert_error(status, &err, StatusCode::NOT_FOUND, "not_found");
    }
    let (_, list) = app.get(&path).await;
    assert_eq!(list["count"], 20);
}

/// PostgreSQL has no default secrets key file: without one, no key is made.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_secrets_key_no_key_is_made() {
    let app = TestApp::spawn_with(Backend::Postgres, |s| s.secrets_key_file = None).await;
    let id = app.active("keys-none.com").await;
    let path = format!("/api/v1/domains/{id}/dns/tsig-keys/");
    let (status, err) = app.post(&path, json!({"name": "acme"})).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "secrets_key_missing");
    let (_, list): (StatusCode, Value) = app.get(&path).await;
    assert_eq!(list["count"], 0);
    app.finish().await;
}
