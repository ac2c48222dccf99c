//! The account and its money trail.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::endpoints::api;
use crate::helpers::{cents, TestApp};
use vps_client::paths;

crate::both!(
    account_shows_balance,
    transactions_are_the_ledger_newest_first
);

async fn account_shows_balance(app: &TestApp) {
    let (status, body) = app.account().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Money is a JSON number with two decimals, as the contract writes it.
    let raw = app
        .http
        .get(app.url(paths::ACCOUNT))
        .bearer_auth(&app.token)
        .send()
        .await
        .expect("account")
        .text()
        .await
        .expect("text");
    assert!(raw.contains("\"balance\":1000.00"), "{raw}");
    assert_eq!(body["id"], app.account_id.get());
    assert_eq!(body["email"], "owner@example.com");
    assert_eq!(cents(&body["balance"]), 1000_00);
    assert_eq!(body["currency"], "USD");
    app.register("a.com").await;
    // Without the trailing slash too.
    let (_, body) = app.get("/api/v1/account").await;
    assert_eq!(cents(&body["balance"]), 987_01);
    let (_, other) = app.new_account("other@example.com", 5_00).await;
    let (_, body) = app
        .request_as(Some(&other), Method::GET, &api(paths::ACCOUNT), None)
        .await;
    assert_eq!(body["email"], "other@example.com");
    assert_eq!(cents(&body["balance"]), 5_00);
}

async fn transactions_are_the_ledger_newest_first(app: &TestApp) {
    let a = app.register("a.com").await;
    app.post_domain(json!({"domain_name": "b.io", "years": 2}))
        .await;
    app.held_elsewhere("c.net", "code", app.now() - Duration::days(90), false)
        .await;
    let c = app.import("c.net").await;
    app.transfer(c, json!({"auth_code": "code"})).await;
    let (status, body) = app.transactions("page_size=3").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["count"], 4);
    let r = &body["results"];
    assert_eq!(r[0]["type"], "transfer");
    assert_eq!(cents(&r[0]["amount"]), -14_99);
    assert_eq!(r[0]["domain"], "c.net");
    assert_eq!(r[0]["domain_id"], c);
    assert_eq!(cents(&r[0]["balance_after"]), 892_04);
    assert_eq!(cents(&r[1]["amount"]), -79_98);
    assert_eq!(r[2]["type"], "registration");
    assert_eq!(r[2]["domain_id"], a);
    assert_eq!(cents(&r[2]["balance_after"]), 987_01);
    assert!(r[2]["description"]
        .as_str()
        .is_some_and(|d| d.contains("a.com")));
    assert!(r[2]["created_at"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));
    let next = body["next"].as_str().expect("next");
    let page2: serde_json::Value = app
        .http
        .get(next)
        .bearer_auth(&app.token)
        .send()
        .await
        .expect("page 2")
        .json()
        .await
        .expect("json");
    assert_eq!(page2["results"][0]["type"], "credit");
    assert_eq!(cents(&page2["results"][0]["amount"]), 1000_00);
    // Another account sees only its own.
    let (_, other) = app.new_account("other@example.com", 0).await;
    let (_, body) = app
        .request_as(Some(&other), Method::GET, &api(paths::TRANSACTIONS), None)
        .await;
    assert_eq!(body["count"], 0);
}
