//! Money: charges match the price table, a short balance changes nothing,
//! and the ledger always sums to the balance (checked after every test).

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::endpoints::api;
use crate::helpers::{assert_error, TestApp};
use vps_client::paths;

crate::both!(
    registration_charges_the_price_table,
    short_balance_changes_nothing,
    transfer_charges_the_transfer_price,
    short_balance_on_transfer_changes_nothing,
);

async fn registration_charges_the_price_table(app: &TestApp) {
    let mut expected = 1_000_00;
    for (name, years, cost) in [
        ("a.com", 1, 12_99),
        ("a.net", 2, 29_98),
        ("a.org", 3, 41_97),
        ("a.io", 1, 39_99),
        ("a.dev", 1, 14_99),
        ("a.app", 10, 149_90),
        ("a.co", 1, 24_99),
    ] {
        let (status, body) = app
            .post_domain(json!({"domain_name": name, "years": years}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let charged = (body["total_cost"].as_f64().expect("number") * 100.0).round() as i64;
        assert_eq!(charged, cost, "{name}");
        expected -= cost;
        assert_eq!(app.balance(app.account_id).await, expected, "{name}");
    }
    let ledger = app.app.store.ledger(app.account_id).await.expect("ledger");
    assert_eq!(ledger.len(), 8, "opening credit + 7 charges");
    assert_eq!(
        ledger.last().map(|e| e.balance_after.cents()),
        Some(expected)
    );
}

async fn short_balance_changes_nothing(app: &TestApp) {
    let (account, token) = app.new_account("poor@example.com", 20_00).await;
    let (status, body) = app
        .request_as(
            Some(&token),
            Method::POST,
            &api(paths::DOMAINS),
            Some(json!({"domain_name": "dear.io"})),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::PAYMENT_REQUIRED,
        "insufficient_funds",
    );
    assert!(body["detail"]
        .as_str()
        .is_some_and(|d| d.contains("39.99") && d.contains("20.00")));
    let (status, body) = app
        .request_as(
            Some(&token),
            Method::POST,
            &api(paths::DOMAINS),
            Some(json!({"domain_name": "dear.com", "years": 2})),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::PAYMENT_REQUIRED,
        "insufficient_funds",
    );
    assert_eq!(app.balance(account).await, 20_00);
    assert_eq!(
        app.app.store.ledger(account).await.expect("ledger").len(),
        1
    );
    let (_, list) = app
        .request_as(Some(&token), Method::GET, &api(paths::DOMAINS), None)
        .await;
    assert_eq!(list["count"], 0);
    assert!(app
        .app
        .store
        .registry_get("dear.io")
        .await
        .expect("registry")
        .is_none());
    assert!(app
        .app
        .store
        .registry_get("dear.com")
        .await
        .expect("registry")
        .is_none());
    // The name is still free for anyone.
    app.register("dear.io").await;
    // Exactly the balance is enough.
    let (status, _) = app
        .request_as(
            Some(&token),
            Method::POST,
            &api(paths::DOMAINS),
            Some(json!({"domain_name": "dear.co"})),
        )
        .await;
    assert_eq!(status, StatusCode::PAYMENT_REQUIRED);
    let (status, body) = app
        .request_as(
            Some(&token),
            Method::POST,
            &api(paths::DOMAINS),
            Some(json!({"domain_name": "cheap.com"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(app.balance(account).await, 20_00 - 12_99);
}

async fn transfer_charges_the_transfer_price(app: &TestApp) {
    app.held_elsewhere(
        "move.io",
        "secret-code",
        app.now() - Duration::days(90),
        false,
    )
    .await;
    let id = app.import("move.io").await;
    let (status, body) = app.transfer(id, json!({"auth_code": "secret-code"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["total_cost"].to_string(), "39.99");
    assert_eq!(app.balance(app.account_id).await, 1_000_00 - 39_99);
}

async fn short_balance_on_transfer_changes_nothing(app: &TestApp) {
    let (account, token) = app.new_account("poor@example.com", 10_00).await;
    app.held_elsewhere(
        "move.com",
        "secret-code",
        app.now() - Duration::days(90),
        false,
    )
    .await;
    let (status, body) = app
        .request_as(
            Some(&token),
            Method::POST,
            &api(paths::IMPORT),
            Some(json!({"domain_name": "move.com"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_i64().expect("id");
    let path = api(&paths::transfer(id));
    let (status, body) = app
        .request_as(
            Some(&token),
            Method::POST,
            &path,
            Some(json!({"auth_code": "secret-code"})),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::PAYMENT_REQUIRED,
        "insufficient_funds",
    );
    assert_eq!(app.balance(account).await, 10_00);
    let record = app
        .app
        .store
        .registry_get("move.com")
        .await
        .expect("r")
        .expect("r");
    assert_eq!(record.pending_transfer_to, None);
    assert_eq!(record.sponsoring_registrar, "Other Registrar LLC");
    let (_, detail) = app
        .request_as(Some(&token), Method::GET, &api(&paths::domain(id)), None)
        .await;
    assert_eq!(detail["transfer_status"], json!(null));
}
