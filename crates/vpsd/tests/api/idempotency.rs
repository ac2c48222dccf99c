//! `Idempotency-Key`: replay, mismatch, races, expiry.

use chrono::Duration;
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::endpoints::api;
use crate::helpers::{assert_error, TestApp};
use vps_client::paths;

crate::both!(
    same_key_same_request_replays,
    same_key_other_request_is_422,
    ten_racers_one_key_one_charge,
    keys_expire_after_a_day,
);

async fn post_with_key(
    app: &TestApp,
    token: &str,
    path: &str,
    key: &str,
    body: Value,
) -> (StatusCode, Option<String>, Value) {
    let resp = app
        .http
        .post(format!("{}{}", app.base, path))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .expect("send");
    let status = resp.status();
    let replayed = resp
        .headers()
        .get("idempotent-replayed")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, replayed, resp.json().await.expect("json"))
}

async fn same_key_same_request_replays(app: &TestApp) {
    let body = json!({"domain_name": "once.com", "years": 2});
    let (s1, r1, b1) =
        post_with_key(app, &app.token, &api(paths::DOMAINS), "key-1", body.clone()).await;
    assert_eq!(s1, StatusCode::CREATED, "{b1}");
    assert_eq!(r1, None);
    let (s2, r2, b2) =
        post_with_key(app, &app.token, &api(paths::DOMAINS), "key-1", body.clone()).await;
    assert_eq!(s2, StatusCode::CREATED);
    assert_eq!(r2.as_deref(), Some("true"));
    assert_eq!(b1, b2, "the first answer, replayed");
    assert_eq!(
        app.balance(app.account_id).await,
        1_000_00 - 25_98,
        "charged once"
    );
    let (_, list) = app.domains().await;
    assert_eq!(list["count"], 1);
    // An error answer is replayed too.
    let bad = json!({"domain_name": "once.com"});
    let (s3, _, b3) =
        post_with_key(app, &app.token, &api(paths::DOMAINS), "key-2", bad.clone()).await;
    assert_eq!(s3, StatusCode::BAD_REQUEST);
    let (s4, r4, b4) = post_with_key(app, &app.token, &api(paths::DOMAINS), "key-2", bad).await;
    assert_eq!((s4, r4.as_deref(), b4), (s3, Some("true"), b3));
    // Keys belong to an account: another account's key-1 is its own.
    let (_, other) = app.new_account("other@example.com", 100_00).await;
    let (s5, r5, _) = post_with_key(
        app,
        &other,
        &api(paths::DOMAINS),
        "key-1",
        json!({"domain_name": "theirs.com", "years": 2}),
    )
    .await;
    assert_eq!((s5, r5), (StatusCode::CREATED, None));
}

async fn same_key_other_request_is_422(app: &TestApp) {
    let (s, _, _) = post_with_key(
        app,
        &app.token,
        &api(paths::DOMAINS),
        "k",
        json!({"domain_name": "a.com"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _, b) = post_with_key(
        app,
        &app.token,
        &api(paths::DOMAINS),
        "k",
        json!({"domain_name": "b.com"}),
    )
    .await;
    assert_error(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    );
    let (s, _, b) = post_with_key(
        app,
        &app.token,
        &api(paths::IMPORT),
        "k",
        json!({"domain_name": "a.com"}),
    )
    .await;
    assert_error(
        s,
        &b,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    );
    let (_, list) = app.domains().await;
    assert_eq!(list["count"], 1, "b.com was not registered");
    let (s, _, b) = post_with_key(
        app,
        &app.token,
        &api(paths::DOMAINS),
        &"x".repeat(256),
        json!({"domain_name": "c.com"}),
    )
    .await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid_idempotency_key");
}

async fn ten_racers_one_key_one_charge(app: &TestApp) {
    let body = json!({"domain_name": "race.io"});
    let domains = api(paths::DOMAINS);
    let results = join_all(
        (0..10).map(|_| post_with_key(app, &app.token, &domains, "race-key", body.clone())),
    )
    .await;
    for (status, _, body) in &results {
        assert_eq!(*status, StatusCode::CREATED, "{body}");
        assert_eq!(body, &results[0].2);
    }
    assert_eq!(
        results.iter().filter(|(_, r, _)| r.is_none()).count(),
        1,
        "one acted"
    );
    assert_eq!(app.balance(app.account_id).await, 1_000_00 - 39_99);
    let charges = app.app.store.ledger(app.account_id).await.expect("ledger");
    assert_eq!(
        charges.iter().filter(|e| e.kind == "registration").count(),
        1
    );
}

async fn keys_expire_after_a_day(app: &TestApp) {
    let id = app.register("keep.com").await;
    app.advance(Duration::seconds(2)).await;
    let path = api(&paths::renew(id));
    let (s, _, first) = post_with_key(app, &app.token, &path, "renew-key", json!({})).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    app.advance(Duration::hours(23)).await;
    let (_, replayed, again) = post_with_key(app, &app.token, &path, "renew-key", json!({})).await;
    assert_eq!(replayed.as_deref(), Some("true"));
    assert_eq!(again, first);
    app.advance(Duration::hours(2)).await;
    let (s, replayed, later) = post_with_key(app, &app.token, &path, "renew-key", json!({})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(replayed, None, "a day later the key is new again");
    assert_ne!(later["expiration_date"], first["expiration_date"]);
    assert_eq!(app.balance(app.account_id).await, 1_000_00 - 3 * 12_99);
}
