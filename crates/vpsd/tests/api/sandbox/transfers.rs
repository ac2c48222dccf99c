//! Transfers through the sandbox registry: a transfer in the losing
//! registrar rejects, and transfers out refused, rejected, approved and
//! approved by themselves.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

use super::*;

crate::both!(
    a_transfer_in_the_losing_registrar_rejects_is_refunded,
    transfers_out_refused_rejected_approved_and_auto_approved,
);

async fn a_transfer_in_the_losing_registrar_rejects_is_refunded(app: &TestApp) {
    // On a server whose transfers take an hour, so its worker cannot
    // complete this one before the losing registrar says no.
    let slow = TestApp::spawn_with(app.backend, |s| {
        s.registrar.transfer_delay = std::time::Duration::from_secs(3600)
    })
    .await;
    rejected_and_refunded(&slow).await;
    slow.finish().await;
}

async fn rejected_and_refunded(app: &TestApp) {
    let op = vpsd(
        app,
        &[
            "registry",
            "add",
            "coming-over.org",
            "--registrar",
            "Other Registrar LLC",
            "--auth-code",
            "Code-77",
            "--created",
            "2020-01-01T00:00:00Z",
        ],
    )
    .await;
    assert!(op.ok, "{}", op.stderr);
    let start = balance(app).await;
    let id = app.import("coming-over.org").await;
    let (status, body) = app.transfer(id, json!({"auth_code": "Code-77"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(balance(app).await, start - 13_99);

    let op = vpsd(app, &["registry", "reject-transfer", "coming-over.org"]).await;
    assert!(op.ok, "{}", op.stderr);
    let d = detail(app, id).await;
    assert_eq!(d["transfer_status"], "rejected");
    assert_eq!(d["registrar"], "Other Registrar LLC");
    assert_eq!(balance(app).await, start);
    assert_eq!(
        ledger(app).await.last(),
        Some(&("refund".to_owned(), 13_99))
    );
    assert!(outbox(app).await.contains("was rejected"));
    // Nothing left to reject; the registry still has it at the other one.
    let again = vpsd(app, &["registry", "reject-transfer", "coming-over.org"]).await;
    assert!(!again.ok);
    let shown = vpsd(app, &["registry", "show", "coming-over.org"]).await;
    assert!(
        shown.stdout.contains("sponsor:     Other Registrar LLC"),
        "{}",
        shown.stdout
    );
    // The clock moving on changes nothing about it.
    advance(app, "10d").await;
    assert_eq!(balance(app).await, start);
}

async fn transfers_out_refused_rejected_approved_and_auto_approved(app: &TestApp) {
    let id = app.active_with("moving-out.com", true).await.0;
    let code = auth_code(app, id).await;

    // Refused at once: locked (the default), then within 60 days of
    // registration, then with a wrong code.
    let op = request_out(app, "moving-out.com", &code).await;
    assert!(!op.ok && op.stderr.contains("locked"), "{}", op.stderr);
    unlock(app, id).await;
    let op = request_out(app, "moving-out.com", &code).await;
    assert!(!op.ok && op.stderr.contains("60 days"), "{}", op.stderr);
    advance(app, "61d").await;
    let op = request_out(app, "moving-out.com", "not-the-code").await;
    assert!(!op.ok && op.stderr.contains("auth code"), "{}", op.stderr);
    // A regenerated code replaces the old one.
    let (status, fresh) = app.regenerate_auth_code(id).await;
    assert_eq!(status, StatusCode::OK);
    let fresh = fresh["auth_code"].as_str().expect("code").to_owned();
    assert_ne!(fresh, code);
    let op = request_out(app, "moving-out.com", &code).await;
    assert!(!op.ok && op.stderr.contains("auth code"), "{}", op.stderr);

    // Asked with the right code: the owner sees it and is mailed; rejecting
    // keeps the domain.
    let op = request_out(app, "moving-out.com", &fresh).await;
    assert!(op.ok, "{}", op.stderr);
    let d = detail(app, id).await;
    let out = &d["transfer_out"];
    assert_eq!(out["status"], "pending");
    assert_eq!(out["gaining_registrar"], "Gaining Registrar Ltd");
    let asked = crate::helpers::parse_time(&out["requested_at"]);
    assert_eq!(
        crate::helpers::parse_time(&out["auto_approve_at"]) - asked,
        chrono::Duration::days(5)
    );
    assert!(outbox(app)
        .await
        .contains("Gaining Registrar Ltd asked to take moving-out.com"));
    let (status, body) = app.reject_transfer_out(id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["transfer_out"]["status"], "rejected");
    assert_eq!(detail(app, id).await["transfer_out"]["status"], "rejected");
    let shown = vpsd(app, &["registry", "show", "moving-out.com"]).await;
    assert!(
        shown.stdout.contains("sponsor:     VPS.org"),
        "{}",
        shown.stdout
    );

    // Asked again and approved early: the domain leaves the account and
    // its zone is no longer served; its history stays.
    let ns = crate::nameserver::nameserver(app).await;
    crate::nameserver::until(
        ns.port,
        "moving-out.com",
        "SOA",
        Duration::from_secs(2),
        |d| d.status == "NOERROR",
    )
    .await;
    let op = request_out(app, "moving-out.com", &fresh).await;
    assert!(op.ok, "{}", op.stderr);
    let (status, body) = app.approve_transfer_out(id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["transfer_out"]["status"], "approved");
    let (status, _) = app.domain(id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let shown = vpsd(app, &["registry", "show", "moving-out.com"]).await;
    assert!(
        shown.stdout.contains("sponsor:     Gaining Registrar Ltd"),
        "{}",
        shown.stdout
    );
    crate::nameserver::until(
        ns.port,
        "moving-out.com",
        "SOA",
        Duration::from_secs(2),
        |d| d.status == "REFUSED",
    )
    .await;
    assert!(ledger(app)
        .await
        .iter()
        .any(|(kind, _)| kind == "registration"));
    let (_, audit) = app.audit("page_size=500").await;
    let actions: Vec<&str> = audit["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|e| e["domain_id"] == id)
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in [
        "domain.register",
        "domain.auth_code_regenerate",
        "domain.transfer_out_request",
        "domain.transfer_out_reject",
        "domain.transfer_out_approve",
    ] {
        assert!(actions.contains(&action), "{action} not in {actions:?}");
    }
    // The auth code never appears in the audit log.
    assert!(!audit.to_string().contains(&fresh));
    assert!(outbox(app)
        .await
        .contains("has been transferred to Gaining Registrar Ltd"));

    // Another, not answered: approved by itself five days on.
    let other = app.active_with("left-alone.com", true).await.0;
    unlock(app, other).await;
    advance(app, "61d").await;
    let code = auth_code(app, other).await;
    let op = request_out(app, "left-alone.com", &code).await;
    assert!(op.ok, "{}", op.stderr);
    let again = request_out(app, "left-alone.com", &code).await;
    assert!(
        !again.ok && again.stderr.contains("in progress"),
        "{}",
        again.stderr
    );
    advance(app, "4d").await;
    assert_eq!(
        detail(app, other).await["transfer_out"]["status"],
        "pending"
    );
    advance(app, "1d").await;
    let (status, _) = app.domain(other).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let shown = vpsd(app, &["registry", "show", "left-alone.com"]).await;
    assert!(
        shown.stdout.contains("sponsor:     Gaining Registrar Ltd"),
        "{}",
        shown.stdout
    );
}
