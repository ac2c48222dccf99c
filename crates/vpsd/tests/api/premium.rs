//! Premium names (RFC 8748 fees) on the embedded sandbox registry: the
//! operator prices a name apart from its TLD (`vpsd registry premium
//! set`), and customers pay the registry's fee with the operator's markup
//! (20 % by default), never less than it.

use reqwest::{Method, StatusCode};
use serde_json::json;
use vps_client::paths;

use crate::cluster::vpsd;
use crate::endpoints::api;
use crate::helpers::{assert_error, TestApp};

crate::both!(
    a_premium_name_costs_its_registry_fee_with_the_markup,
    a_short_balance_buys_no_premium_name
);

/// `vpsd registry premium set NAME --create C --renew R`.
fn set_premium(app: &TestApp, name: &str, create: &str, renew: &str) {
    vpsd(
        &app.database_url,
        &[
            "registry", "premium", "set", name, "--create", create, "--renew", renew,
        ],
    );
}

async fn a_premium_name_costs_its_registry_fee_with_the_markup(app: &TestApp) {
    set_premium(app, "gold.com", "250", "100");
    let listed = vpsd(&app.database_url, &["registry", "premium", "list"]);
    assert!(listed.contains("gold.com"), "{listed}");

    // Check: premium, its own prices (fee + 20 %); a standard name as before.
    let (status, body) = app
        .check("domain_name=gold.com&domain_name=plain.com")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let gold = &body["results"][0];
    assert_eq!(gold["available"], true, "{body}");
    assert_eq!(gold["premium"], true, "{body}");
    assert_eq!(gold["prices"]["register"].as_f64(), Some(300.0), "{body}");
    assert_eq!(gold["prices"]["renew"].as_f64(), Some(120.0), "{body}");
    assert_eq!(gold["prices"]["transfer"].as_f64(), Some(120.0), "{body}");
    assert_eq!(gold["prices"]["restore"].as_f64(), Some(200.0), "{body}");
    let plain = &body["results"][1];
    assert_eq!(plain["premium"], false, "{body}");
    assert_eq!(plain["prices"]["register"].as_f64(), Some(12.99), "{body}");

    // The fee rose after the client checked: its max_cost refuses the
    // registration rather than charging more (nothing charged); a bad
    // max_cost is a field error.
    let before = app.balance(app.account_id).await;
    set_premium(app, "gold.com", "260", "100");
    let (status, err) = app
        .post_domain(json!({"domain_name": "gold.com", "years": 2, "max_cost": 600.00}))
        .await;
    assert_error(
        status,
        &err,
        StatusCode::BAD_REQUEST,
        "price_above_max_cost",
    );
    assert!(
        err["detail"].as_str().is_some_and(|d| d.contains("624.00")),
        "{err}"
    );
    for bad in [json!(-1), json!("600"), json!(600.001)] {
        let (status, err) = app
            .post_domain(json!({"domain_name": "gold.com", "max_cost": bad}))
            .await;
        assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_fields");
        assert!(err["errors"]["max_cost"].is_array(), "{err}");
    }
    assert_eq!(app.balance(app.account_id).await, before, "nothing charged");
    set_premium(app, "gold.com", "250", "100");

    // Registering it for two years charges twice the premium price, within
    // the max_cost given.
    let (status, body) = app
        .post_domain(json!({"domain_name": "gold.com", "years": 2, "max_cost": 600.00}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_i64().expect("id");
    assert_eq!(app.balance(app.account_id).await, before - 600_00);
    app.assert_ledgers_balance().await;

    // Renewing it charges the premium renewal price, asked now.
    app.activate(id).await;
    let before = app.balance(app.account_id).await;
    let (status, body) = app.renew(id, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.balance(app.account_id).await, before - 120_00);
    // The operator raises it: the next renewal pays the new price.
    set_premium(app, "gold.com", "250", "150");
    let before = app.balance(app.account_id).await;
    let (status, body) = app.renew(id, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.balance(app.account_id).await, before - 180_00);
    app.assert_ledgers_balance().await;

    // A standard name is charged its TLD's price.
    let before = app.balance(app.account_id).await;
    app.register("plain.com").await;
    assert_eq!(app.balance(app.account_id).await, before - 12_99);

    // Removed: priced as its TLD again.
    vpsd(
        &app.database_url,
        &["registry", "premium", "remove", "gold.com"],
    );
    let (_, body) = app.check("domain_name=gold.com").await;
    assert_eq!(body["results"][0]["premium"], false, "{body}");
    assert_eq!(body["results"][0]["prices"]["renew"].as_f64(), Some(12.99));
    app.assert_ledgers_balance().await;
}

async fn a_short_balance_buys_no_premium_name(app: &TestApp) {
    set_premium(app, "costly.io", "1000", "500");
    let (account, token) = app.new_account("short@example.com", 500_00).await;
    let (status, body) = app
        .request_as(
            Some(&token),
            Method::POST,
            &api(paths::DOMAINS),
            Some(json!({"domain_name": "costly.io"})),
        )
        .await;
    assert_error(
        status,
        &body,
        StatusCode::PAYMENT_REQUIRED,
        "insufficient_funds",
    );
    assert!(
        body["detail"]
            .as_str()
            .expect("detail")
            .contains("$1200.00"),
        "the premium price is named: {body}"
    );
    // Nothing changed: the balance, the registry, the account's domains.
    assert_eq!(app.balance(account).await, 500_00);
    let record = app.app.store.registry_get("costly.io").await.expect("read");
    assert!(record.is_none(), "not created at the registry");
    let (_, list) = app
        .request_as(Some(&token), Method::GET, &api(paths::DOMAINS), None)
        .await;
    assert_eq!(list["count"], 0, "{list}");
    app.assert_ledgers_balance().await;
}
