//! The whole life of a domain with the clock moved forward: auto-renewal,
//! expiry warnings, expiry, grace, redemption, release; and renewal limits.

use chrono::{DateTime, Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::endpoints::api;
use crate::helpers::{assert_error, cents, parse_time, TestApp};
use vps_client::paths;
use vpsd_domain::lifecycle::add_years;

crate::both!(
    auto_renewal_happens_once_at_the_lead_time,
    warnings_expiry_and_renewal_in_grace,
    redemption_restores_with_the_fee,
    release_frees_the_name_for_anyone,
    auto_renewal_short_of_funds_mails_and_retries_daily,
    renewal_limits_and_refusals,
);

async fn detail(app: &TestApp, id: i64) -> Value {
    let (status, body) = app.domain(id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn subjects(mails: &[vpsd_storage::OutboxMail]) -> Vec<String> {
    mails.iter().map(|m| m.subject.clone()).collect()
}

/// How often `action` was done to domain `id`: by the test's worker pass or
/// by the server's own worker racing it, so the audit log, not a pass's
/// count, tells.
async fn audited(app: &TestApp, action: &str, id: i64) -> usize {
    let (_, audit) = app.audit("page_size=500").await;
    audit["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|e| e["action"] == action && e["domain_id"] == id)
        .count()
}

/// Moves the clock so that it reads `at` (plus a little).
async fn advance_to(app: &TestApp, at: DateTime<Utc>) -> vpsd_registrar::worker::PassOutcome {
    let by = at - app.now();
    app.advance(by.max(Duration::zero())).await
}

async fn renewal_charges(app: &TestApp, account: vpsd_domain::AccountId) -> Vec<i64> {
    app.app
        .store
        .ledger(account)
        .await
        .expect("ledger")
        .iter()
        .filter(|e| e.kind == "renewal")
        .map(|e| e.amount.cents())
        .collect()
}

async fn auto_renewal_happens_once_at_the_lead_time(app: &TestApp) {
    let (id, expiry) = app.active_with("renewme.com", true).await;
    advance_to(app, expiry - Duration::days(31)).await;
    assert!(
        renewal_charges(app, app.account_id).await.is_empty(),
        "too early"
    );
    app.clock.advance(Duration::days(2));
    // Three workers at once: the server's own and two more.
    let r = &app.app.registrar;
    let (a, b) = tokio::join!(
        vpsd_registrar::worker::run_once(r),
        vpsd_registrar::worker::run_once(r)
    );
    let renewed = a.expect("a").renewed + b.expect("b").renewed;
    assert!(renewed <= 1);
    app.run_worker().await;
    let body = detail(app, id).await;
    assert_eq!(parse_time(&body["expiration_date"]), add_years(expiry, 1));
    assert_eq!(body["status"], "active");
    assert_eq!(renewal_charges(app, app.account_id).await, vec![-12_99]);
    // Days later, more passes: still one renewal for this term.
    app.advance(Duration::days(3)).await;
    app.advance(Duration::days(3)).await;
    assert_eq!(renewal_charges(app, app.account_id).await, vec![-12_99]);
    let record = app
        .app
        .store
        .registry_get("renewme.com")
        .await
        .expect("r")
        .expect("r");
    assert_eq!(record.ex_date, add_years(expiry, 1));
    let mails = subjects(&app.app.store.outbox().await.expect("outbox"));
    assert_eq!(
        mails.iter().filter(|s| s.contains("renewed")).count(),
        1,
        "{mails:?}"
    );
    // The next term renews again, once.
    advance_to(app, add_years(expiry, 1) - Duration::days(29)).await;
    assert_eq!(
        renewal_charges(app, app.account_id).await,
        vec![-12_99, -12_99]
    );
}

async fn warnings_expiry_and_renewal_in_grace(app: &TestApp) {
    let (id, expiry) = app.active_with("lapse.com", false).await;
    advance_to(app, expiry - Duration::days(31)).await;
    let warned = |n: usize| async move {
        let mails = subjects(&app.app.store.outbox().await.expect("outbox"));
        let w: Vec<_> = mails
            .into_iter()
            .filter(|s| s.contains("expires in"))
            .collect();
        assert_eq!(w.len(), n, "{w:?}");
        w
    };
    warned(0).await;
    advance_to(app, expiry - Duration::days(30) + Duration::hours(1)).await;
    assert!(warned(1).await[0].contains("30 days"));
    advance_to(app, expiry - Duration::days(20)).await;
    warned(1).await;
    advance_to(app, expiry - Duration::days(7) + Duration::hours(1)).await;
    assert!(warned(2).await[1].contains("7 days"));
    advance_to(app, expiry - Duration::hours(23)).await;
    let w = warned(3).await;
    assert!(w[2].contains("1 day"));
    let body = detail(app, id).await;
    assert_eq!(body["status"], "active");
    assert_eq!(body["phase"], "active");

    advance_to(app, expiry + Duration::hours(1)).await;
    assert_eq!(audited(app, "domain.expire", id).await, 1);
    let body = detail(app, id).await;
    assert_eq!(body["status"], "expired");
    assert_eq!(body["phase"], "grace");
    assert_eq!(
        parse_time(&body["grace_period_ends"]),
        expiry + Duration::days(30)
    );
    assert_eq!(
        parse_time(&body["redemption_period_ends"]),
        expiry + Duration::days(60)
    );
    assert_eq!(
        parse_time(&body["release_date"]),
        expiry + Duration::days(65)
    );
    assert!(body["days_until_expiration"]
        .as_i64()
        .is_some_and(|d| d < 0));
    let (_, list) = app.domains_where("status=expired").await;
    assert_eq!(list["count"], 1);
    let mails = app.app.store.outbox().await.expect("outbox");
    let expired = mails
        .iter()
        .find(|m| m.subject.contains("has expired"))
        .expect("expired mail");
    assert!(expired.body.contains("lapse.com"));
    assert!(expired
        .body
        .contains(&(expiry + Duration::days(30)).format("%Y-%m-%d").to_string()));

    advance_to(app, expiry + Duration::days(10)).await;
    let before = app.balance(app.account_id).await;
    let (status, body) = app.renew(id, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        cents(&body["total_cost"]),
        12_99,
        "grace renewal at the normal price"
    );
    assert_eq!(body["status"], "active");
    assert_eq!(parse_time(&body["expiration_date"]), add_years(expiry, 1));
    assert!(body["message"]
        .as_str()
        .is_some_and(|m| m.contains("renewed")));
    assert_eq!(app.balance(app.account_id).await, before - 12_99);
    let body = detail(app, id).await;
    assert_eq!(body["phase"], "active");
}

async fn redemption_restores_with_the_fee(app: &TestApp) {
    let (id, expiry) = app.active_with("redeem.io", false).await;
    advance_to(app, expiry + Duration::days(31)).await;
    let body = detail(app, id).await;
    assert_eq!(body["phase"], "redemption");
    let (status, body) = app.renew(id, json!({})).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "in_redemption");
    assert!(body["detail"]
        .as_str()
        .is_some_and(|d| d.contains("/restore/")));
    let before = app.balance(app.account_id).await;
    let resp = app
        .http
        .post(app.url(&paths::restore(id)))
        .bearer_auth(&app.token)
        .send()
        .await
        .expect("restore");
    assert_eq!(resp.status(), StatusCode::OK);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(cents(&body["total_cost"]), 80_00 + 39_99);
    assert_eq!(parse_time(&body["expiration_date"]), add_years(expiry, 1));
    assert_eq!(body["status"], "active");
    assert_eq!(app.balance(app.account_id).await, before - 119_99);
    let ledger = app.app.store.ledger(app.account_id).await.expect("ledger");
    assert_eq!(ledger.last().map(|e| e.kind.as_str()), Some("restore"));
    // Restoring what is not in redemption is refused.
    let (status, body) = app.restore(id).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "not_in_redemption");
}

async fn release_frees_the_name_for_anyone(app: &TestApp) {
    let (id, expiry) = app.active_with("gone.net", false).await;
    // As a running worker does, the name is deleted at the registry when its
    // redemption begins (RFC 3915): the registry purges it 35 days later,
    // when the registrar releases it.
    let pass = advance_to(app, expiry + Duration::days(30) + Duration::minutes(1)).await;
    assert_eq!(pass.deleted_at_registry, 1, "{pass:?}");
    assert!(app
        .app
        .store
        .registry_deleted("gone.net")
        .await
        .expect("r")
        .is_some());
    advance_to(app, expiry + Duration::days(61)).await;
    assert_eq!(detail(app, id).await["phase"], "pending_delete");
    for (status, body) in [app.renew(id, json!({})).await, app.restore(id).await] {
        assert_error(status, &body, StatusCode::BAD_REQUEST, "pending_delete");
    }
    let (_, other) = app.new_account("next@example.com", 100_00).await;
    let domains = api(paths::DOMAINS);
    let register = || {
        app.request_as(
            Some(&other),
            Method::POST,
            &domains,
            Some(json!({"domain_name": "gone.net"})),
        )
    };
    let (status, body) = register().await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "domain_taken");
    advance_to(app, expiry + Duration::days(65) + Duration::hours(1)).await;
    assert_eq!(audited(app, "domain.release", id).await, 1);
    let (status, _) = app.domain(id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(app
        .app
        .store
        .registry_get("gone.net")
        .await
        .expect("r")
        .is_none());
    let mails = app.app.store.outbox().await.expect("outbox");
    assert!(mails
        .iter()
        .any(|m| m.subject == "gone.net has been released"));
    let (status, body) = register().await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // The first owner's money trail keeps the history.
    let ledger = app.app.store.ledger(app.account_id).await.expect("ledger");
    assert!(ledger
        .iter()
        .any(|e| e.domain_name.as_deref() == Some("gone.net")));
}

async fn auto_renewal_short_of_funds_mails_and_retries_daily(app: &TestApp) {
    let (account, token) = app.new_account("thin@example.com", 12_99).await;
    let (status, body) = app
        .request_as(
            Some(&token),
            Method::POST,
            &api(paths::DOMAINS),
            Some(json!({"domain_name": "thin.com"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_i64().expect("id");
    let expiry = parse_time(&body["expiration_date"]);
    app.advance(Duration::seconds(2)).await;
    advance_to(app, expiry - Duration::days(29)).await;
    let failures = || async {
        app.app
            .store
            .outbox()
            .await
            .expect("outbox")
            .iter()
            .filter(|m| m.account_id == account && m.subject.contains("could not be renewed"))
            .count()
    };
    assert_eq!(failures().await, 1);
    app.advance(Duration::hours(2)).await;
    assert_eq!(failures().await, 1, "one mail a day");
    app.advance(Duration::hours(23)).await;
    assert_eq!(failures().await, 2, "retried the next day");
    assert_eq!(app.balance(account).await, 0);
    app.app
        .store
        .credit_account(
            account,
            vpsd_domain::Money::from_cents(20_00),
            "top-up",
            app.now(),
            &vpsd_storage::Audit {
                actor: &vpsd_storage::Actor::operator(),
                action: vpsd_domain::AuditAction::AccountCredit,
                changes: "{}".to_owned(),
            },
        )
        .await
        .expect("credit");
    app.advance(Duration::days(1)).await;
    let body = app
        .request_as(Some(&token), Method::GET, &api(&paths::domain(id)), None)
        .await
        .1;
    assert_eq!(parse_time(&body["expiration_date"]), add_years(expiry, 1));
    assert_eq!(app.balance(account).await, 20_00 - 12_99);
    assert_eq!(failures().await, 2);
}

async fn renewal_limits_and_refusals(app: &TestApp) {
    let (status, body) = app.post_domain(json!({"domain_name": "pending.com"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let pending = body["id"].as_i64().expect("id");
    let (status, body) = app.renew(pending, json!({})).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "domain_pending");

    let (id, expiry) = app.active_with("long.com", false).await;
    for years in [json!(0), json!(11), json!("2")] {
        let (status, body) = app.renew(id, json!({"years": years})).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_fields");
    }
    let (status, body) = app.renew(id, json!({"years": 10})).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "renewal_too_long");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("at most 9")),
        "{body}"
    );
    let before = app.balance(app.account_id).await;
    let (status, body) = app.renew(id, json!({"years": 9})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(cents(&body["total_cost"]), 9 * 12_99);
    assert_eq!(parse_time(&body["expiration_date"]), add_years(expiry, 9));
    assert_eq!(app.balance(app.account_id).await, before - 9 * 12_99);
    let (status, body) = app.renew(id, json!({"years": 1})).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "renewal_too_long");

    // Short balance: 402, nothing changed.
    let (poor, token) = app.new_account("poor@example.com", 12_99).await;
    let (_, body) = app
        .request_as(
            Some(&token),
            Method::POST,
            &api(paths::DOMAINS),
            Some(json!({"domain_name": "poor.com"})),
        )
        .await;
    let poor_id = body["id"].as_i64().expect("id");
    app.advance(Duration::seconds(2)).await;
    let path = api(&paths::renew(poor_id));
    let (status, body) = app
        .request_as(Some(&token), Method::POST, &path, Some(json!({})))
        .await;
    assert_error(
        status,
        &body,
        StatusCode::PAYMENT_REQUIRED,
        "insufficient_funds",
    );
    assert_eq!(app.balance(poor).await, 0);
    let (_, after) = app
        .request_as(
            Some(&token),
            Method::GET,
            &api(&paths::domain(poor_id)),
            None,
        )
        .await;
    assert_eq!(after["expiration_date"], body_expiry(app, "poor.com").await);
    // Another account's domain: 404; a domain held elsewhere: not ours.
    let (status, body) = app
        .request_as(Some(&token), Method::POST, &api(&paths::renew(id)), None)
        .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    app.held_elsewhere("held.com", "c", app.now() - Duration::days(90), false)
        .await;
    let held = app.import("held.com").await;
    let (status, body) = app.renew(held, json!({})).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "not_sponsored");
}

async fn body_expiry(app: &TestApp, name: &str) -> Value {
    let record = app
        .app
        .store
        .registry_get(name)
        .await
        .expect("r")
        .expect("r");
    json!(record
        .ex_date
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}
