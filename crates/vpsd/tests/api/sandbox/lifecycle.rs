//! A domain's life as the clock moves: auto-renewal, warnings, expiry,
//! grace, redemption and release.

use reqwest::StatusCode;
use serde_json::json;

use crate::endpoints::api;
use crate::helpers::TestApp;
use vps_client::paths;

use super::*;

crate::both!(
    auto_renewal_at_the_lead_time_charged_once,
    warnings_expiry_and_a_grace_renewal,
    redemption_restores_with_the_fee,
    release_lets_another_account_register_it,
);

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
