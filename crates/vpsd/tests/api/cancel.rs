//! Cancelling: a registration within its add grace period (RFC 3915 §3.1,
//! `POST .../cancel/`) and a pending transfer in (`POST
//! .../transfer/cancel/`), each refunded once, on the embedded sandbox.

use std::time::Duration as StdDuration;

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{assert_error, cents, TestApp};

crate::both!(
    a_registration_cancelled_in_its_first_days_is_refunded_and_freed,
    a_pending_registration_is_cancelled_too,
    after_five_days_a_registration_cannot_be_cancelled,
    only_the_accounts_own_registrations_can_be_cancelled,
    a_pending_transfer_in_is_cancelled_and_refunded,
);

async fn a_registration_cancelled_in_its_first_days_is_refunded_and_freed(app: &TestApp) {
    let before = app.balance(app.account_id).await;
    let id = app.active("cancel-me.com").await;
    // Renewed in the same days: the registry credits that too (RFC 3915
    // §3.2), so the refund is everything the domain cost.
    let (status, body) = app.renew(id, json!({"years": 1})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.balance(app.account_id).await, before - 2 * 12_99);
    let ns = crate::nameserver::nameserver(app).await;
    crate::nameserver::until(
        ns.port,
        "cancel-me.com",
        "SOA",
        StdDuration::from_secs(2),
        |d| d.status == "NOERROR",
    )
    .await;

    app.advance(Duration::days(4)).await;
    let (status, body) = app.cancel(id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], id, "{body}");
    assert_eq!(body["domain_name"], "cancel-me.com", "{body}");
    assert_eq!(cents(&body["refund"]), 2 * 12_99, "{body}");
    assert_eq!(cents(&body["balance"]), before, "{body}");
    assert_eq!(app.balance(app.account_id).await, before);
    app.assert_ledgers_balance().await;

    // Gone from the account and from the registry; its zone is no longer
    // served; its ledger and audit entries stay.
    let (status, body) = app.domain(id).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (_, list) = app.domains().await;
    assert!(!list.to_string().contains("cancel-me.com"), "{list}");
    let at_registry = app.app.store.registry_get("cancel-me.com").await;
    assert!(at_registry.expect("registry").is_none(), "purged");
    let deleted = app.app.store.registry_deleted("cancel-me.com").await;
    assert!(deleted.expect("registry").is_none(), "not in redemption");
    crate::nameserver::until(
        ns.port,
        "cancel-me.com",
        "SOA",
        StdDuration::from_secs(2),
        |d| d.status == "REFUSED",
    )
    .await;
    let (_, ledger) = app.transactions("page_size=100").await;
    let refunds: Vec<_> = ledger["results"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["type"] == "refund" && e["domain"] == "cancel-me.com")
        .collect();
    assert_eq!(refunds.len(), 1, "{ledger}");
    let (_, audit) = app.audit("page_size=100").await;
    let cancel = audit["results"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["action"] == "domain.cancel")
        .unwrap_or_else(|| panic!("no domain.cancel in {audit}"));
    assert_eq!(cancel["domain"], "cancel-me.com");
    assert_eq!(cancel["domain_id"], id);

    // Twice: a 404, never a second refund.
    let (status, body) = app.cancel(id).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(app.balance(app.account_id).await, before);

    // Free again: another account registers it.
    let (_, other) = app.new_account("other@example.com", 100_00).await;
    let (status, body) = app
        .request_as(
            Some(&other),
            Method::POST,
            "/api/v1/domains/",
            Some(json!({"domain_name": "cancel-me.com"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn a_pending_registration_is_cancelled_too(app: &TestApp) {
    let before = app.balance(app.account_id).await;
    let id = app.register("still-pending.com").await;
    let (_, body) = app.domain(id).await;
    assert_eq!(body["status"], "pending", "{body}");
    let (status, body) = app.cancel(id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(cents(&body["refund"]), 12_99, "{body}");
    assert_eq!(app.balance(app.account_id).await, before);
    assert!(app
        .app
        .store
        .registry_get("still-pending.com")
        .await
        .expect("registry")
        .is_none());
    // The worker finds nothing left to activate or refund.
    let pass = app.advance(app.registration_delay()).await;
    assert_eq!(pass.registrations_completed, 0, "{pass:?}");
    assert_eq!(pass.registrations_failed, 0, "{pass:?}");
    assert_eq!(app.balance(app.account_id).await, before);
    let (status, _) = app.domain(id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn after_five_days_a_registration_cannot_be_cancelled(app: &TestApp) {
    let id = app.active("kept.com").await;
    app.advance(Duration::days(5)).await;
    let balance = app.balance(app.account_id).await;
    let (status, body) = app.cancel(id).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "cancel_period_over");
    let detail = body["detail"].as_str().expect("detail");
    assert!(detail.contains("DELETE"), "{body}");
    assert!(detail.contains("expire"), "{body}");
    // Nothing changed: the domain, the balance, the registry.
    let (status, body) = app.domain(id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "active", "{body}");
    assert_eq!(app.balance(app.account_id).await, balance);
    let record = app.app.store.registry_get("kept.com").await;
    assert_eq!(
        record
            .expect("registry")
            .expect("kept")
            .sponsoring_registrar,
        "VPS.org"
    );
}

async fn only_the_accounts_own_registrations_can_be_cancelled(app: &TestApp) {
    // Another account's domain: a 404, as if it did not exist.
    let (other_id, other) = app.new_account("other@example.com", 100_00).await;
    let (status, body) = app
        .request_as(
            Some(&other),
            Method::POST,
            "/api/v1/domains/",
            Some(json!({"domain_name": "not-yours.com"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let theirs = body["id"].as_i64().expect("id");
    let (status, body) = app.cancel(theirs).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    assert_eq!(app.balance(other_id).await, 100_00 - 12_99);

    // Imported from another registrar: not a registration made here.
    app.held_elsewhere(
        "imported.com",
        "Xy9Kl2Mn#4pQ",
        app.now() - Duration::days(400),
        false,
    )
    .await;
    let imported = app.import("imported.com").await;
    let (status, body) = app.cancel(imported).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "not_cancellable");

    // Transferred in: neither, though it became ours moments ago.
    app.held_elsewhere(
        "moved-in.com",
        "Ab3Cd4Ef#5gH",
        app.now() - Duration::days(400),
        false,
    )
    .await;
    let moved = app.import("moved-in.com").await;
    let (status, body) = app
        .transfer(moved, json!({"auth_code": "Ab3Cd4Ef#5gH"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // While pending: not cancellable as a registration either.
    let (status, body) = app.cancel(moved).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "not_cancellable");
    app.advance(app.transfer_delay()).await;
    let (_, detail) = app.domain(moved).await;
    assert_eq!(detail["transfer_status"], "completed", "{detail}");
    let balance = app.balance(app.account_id).await;
    let (status, body) = app.cancel(moved).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "not_cancellable");
    assert_eq!(app.balance(app.account_id).await, balance);
    let (status, _) = app.domain(moved).await;
    assert_eq!(status, StatusCode::OK);
}

async fn a_pending_transfer_in_is_cancelled_and_refunded(app: &TestApp) {
    app.held_elsewhere(
        "coming-in.com",
        "Xy9Kl2Mn#4pQ",
        app.now() - Duration::days(400),
        false,
    )
    .await;
    let id = app.import("coming-in.com").await;
    // No transfer yet: nothing to cancel.
    let (status, body) = app.cancel_transfer(id).await;
    assert_error(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        "no_transfer_pending",
    );

    let before = app.balance(app.account_id).await;
    let (status, body) = app.transfer(id, json!({"auth_code": "Xy9Kl2Mn#4pQ"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.balance(app.account_id).await, before - 12_99);

    let (status, body) = app.cancel_transfer(id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["transfer_status"], "cancelled", "{body}");
    assert_eq!(cents(&body["refund"]), 12_99, "{body}");
    assert_eq!(cents(&body["balance"]), before, "{body}");
    assert_eq!(app.balance(app.account_id).await, before);
    let (_, detail) = app.domain(id).await;
    assert_eq!(detail["transfer_status"], "cancelled", "{detail}");
    assert_eq!(detail["registrar"], "Other Registrar LLC", "{detail}");
    let record = app
        .app
        .store
        .registry_get("coming-in.com")
        .await
        .expect("registry")
        .expect("held");
    assert_eq!(
        record.pending_transfer_to, None,
        "withdrawn at the registry"
    );
    assert_eq!(record.sponsoring_registrar, "Other Registrar LLC");
    let (_, audit) = app.audit("page_size=100").await;
    assert!(
        audit["results"]
            .as_array()
            .expect("entries")
            .iter()
            .any(|e| e["action"] == "domain.transfer_cancel" && e["domain_id"] == id),
        "{audit}"
    );

    // Again: nothing pending, nothing refunded twice; and the transfer
    // period passing completes nothing.
    let (status, body) = app.cancel_transfer(id).await;
    assert_error(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        "no_transfer_pending",
    );
    let pass = app.advance(app.transfer_delay()).await;
    assert_eq!(pass.transfers_completed, 0, "{pass:?}");
    let (_, detail) = app.domain(id).await;
    assert_eq!(detail["transfer_status"], "cancelled", "{detail}");
    assert_eq!(app.balance(app.account_id).await, before);

    // It may be asked for again, and then completes as usual.
    let (status, body) = app.transfer(id, json!({"auth_code": "Xy9Kl2Mn#4pQ"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.advance(app.transfer_delay()).await;
    let (_, detail) = app.domain(id).await;
    assert_eq!(detail["transfer_status"], "completed", "{detail}");
    assert_eq!(app.balance(app.account_id).await, before - 12_99);
}
