//! The life of a domain with one-second delays: pending → active, and
//! transfers in, with each transfer requirement refused by its own code.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_error, parse_time, TestApp};
use vpsd_domain::lifecycle::add_years;

crate::both!(
    registration_becomes_active_and_mails_once,
    transfer_completes_with_one_more_year,
    transfer_requirements_each_have_a_code,
    rejected_transfer_is_refunded,
    worker_finishes_what_a_crash_left,
    registry_refusal_at_completion_is_refunded,
    a_job_of_a_dead_worker_is_taken_again,
);
crate::both!(worker: worker_passes_never_complete_twice);

async fn registration_becomes_active_and_mails_once(app: &TestApp) {
    let id = app.register("example.com").await;
    let (_, pending) = app.domain(id).await;
    assert_eq!(pending["status"], "pending");
    let active = app.activate(id).await;
    assert_eq!(active["registrar"], "VPS.org");
    let record = app
        .app
        .store
        .registry_get("example.com")
        .await
        .expect("r")
        .expect("r");
    assert_eq!(record.sponsoring_registrar, "VPS.org");
    assert!(record.client_transfer_prohibited);
    assert_eq!(record.ex_date, parse_time(&active["expiration_date"]));
    // More passes, a day later: still one mail.
    app.run_worker().await;
    app.advance(Duration::days(1)).await;
    let mails = domain_mails(app).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].recipient, "owner@example.com");
    assert!(mails[0].subject.contains("example.com is registered"));
}

async fn transfer_completes_with_one_more_year(app: &TestApp) {
    app.held_elsewhere(
        "example.com",
        "Xy9Kl2Mn#4pQ",
        app.now() - Duration::days(365),
        false,
    )
    .await;
    let id = app.import("example.com").await;
    let (_, before) = app.domain(id).await;
    let old_expiry = parse_time(&before["expiration_date"]);
    let (status, body) = app.transfer(id, json!({"auth_code": "Xy9Kl2Mn#4pQ"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, pending) = app.domain(id).await;
    assert_eq!(pending["transfer_status"], "pending");
    app.advance(app.transfer_delay()).await;
    let (_, done) = app.domain(id).await;
    assert_eq!(done["transfer_status"], "completed", "{done}");
    assert_eq!(done["registrar"], "VPS.org");
    assert_eq!(
        parse_time(&done["expiration_date"]),
        add_years(old_expiry, 1)
    );
    assert_eq!(done["auto_renew"], true);
    assert_eq!(done["locked"], true);
    let record = app
        .app
        .store
        .registry_get("example.com")
        .await
        .expect("r")
        .expect("r");
    assert_eq!(record.sponsoring_registrar, "VPS.org");
    assert!(record.last_transferred_at.is_some());
    // A new 60-day lock: transferring again is refused.
    let (status, body) = app.transfer(id, json!({"auth_code": "Xy9Kl2Mn#4pQ"})).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "already_sponsored");
    let mails = domain_mails(app).await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(mails[0]
        .subject
        .contains("transfer of example.com to VPS.org has started"));
    assert!(mails[0].body.contains("completes by"));
    assert!(mails[1].subject.contains("transferred"));
    // Now ours: settings reach the registry.
    let (status, _) = app
        .put_domain(id, json!({"nameservers": ["ns1.vps.org", "ns2.vps.org"]}))
        .await;
    assert_eq!(status, StatusCode::OK);
}

async fn transfer_requirements_each_have_a_code(app: &TestApp) {
    let old = app.now() - Duration::days(365);
    app.held_elsewhere("locked.com", "code-1", old, true).await;
    app.held_elsewhere("young.com", "code-2", app.now() - Duration::days(59), false)
        .await;
    app.held_elsewhere("fine.com", "code-3", old, false).await;
    let locked = app.import("locked.com").await;
    let young = app.import("young.com").await;
    let fine = app.import("fine.com").await;
    let transfer = |id: i64, code: &str| {
        let code = code.to_owned();
        async move { app.transfer(id, json!({"auth_code": code})).await }
    };
    let (s, b) = transfer(locked, "code-1").await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "domain_locked");
    let (s, b) = transfer(young, "code-2").await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "transfer_too_soon");
    let (s, b) = transfer(fine, "code-wrong").await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid_auth_code");
    assert!(!b.to_string().contains("code-3") && !b.to_string().contains("code-wrong"));
    let (s, b) = app.transfer(fine, json!({})).await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "invalid_fields");
    assert!(b["errors"]["auth_code"].is_array());
    assert_eq!(
        app.balance(app.account_id).await,
        1_000_00,
        "refusals cost nothing"
    );
    let (s, _) = transfer(fine, "code-3").await;
    assert_eq!(s, StatusCode::OK);
    let (s, b) = transfer(fine, "code-3").await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "transfer_in_progress");
    let ours = app.register("ours.com").await;
    let (s, b) = transfer(ours, "anything").await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "already_sponsored");
    assert_eq!(app.balance(app.account_id).await, 1_000_00 - 12_99 - 12_99);
}

async fn rejected_transfer_is_refunded(app: &TestApp) {
    app.held_elsewhere("reject.com", "code", app.now() - Duration::days(365), false)
        .await;
    let id = app.import("reject.com").await;
    let (status, _) = app.transfer(id, json!({"auth_code": "code"})).await;
    assert_eq!(status, StatusCode::OK);
    // The losing registrar rejects: the registry drops the pending transfer.
    assert!(app
        .app
        .store
        .registry_cancel_transfer("reject.com", "VPS.org", &[])
        .await
        .expect("cancel"));
    app.advance(app.transfer_delay()).await;
    let (_, failed) = app.domain(id).await;
    assert_eq!(failed["transfer_status"], "failed", "{failed}");
    assert_eq!(failed["registrar"], "Other Registrar LLC");
    assert_eq!(app.balance(app.account_id).await, 1_000_00, "fee refunded");
    let mails = domain_mails(app).await;
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(mails[0].subject.contains("has started"));
    assert!(mails[1].subject.contains("failed"));
}

async fn worker_passes_never_complete_twice(app: &TestApp) {
    let ids = [app.register("one.com").await, app.register("two.com").await];
    app.clock.advance(app.registration_delay());
    // Extra passes racing the server's own worker (on in this test).
    let r = &app.app.registrar;
    let (a, b, c) = tokio::join!(
        vpsd_registrar::worker::run_once(r),
        vpsd_registrar::worker::run_once(r),
        vpsd_registrar::worker::run_once(r),
    );
    let total = [a, b, c]
        .into_iter()
        .map(|o| o.expect("pass").registrations_completed)
        .sum::<usize>();
    assert!(total <= 2);
    app.run_worker().await;
    for id in ids {
        let (_, body) = app.domain(id).await;
        assert_eq!(body["status"], "active", "{body}");
    }
    let mails = domain_mails(app).await;
    assert_eq!(mails.len(), 2, "one mail per registration: {mails:?}");
}

/// A registration recorded and charged, as if the process died before it
/// reached the registry.
async fn crashed_registration(app: &TestApp, name: &str) -> i64 {
    let now = app.now();
    let domain = app
        .app
        .store
        .insert_registration(
            &vpsd_storage::NewRegistration {
                account_id: app.account_id,
                domain_name: name.to_owned(),
                registration_date: now,
                expiration_date: add_years(now, 1),
                activates_at: now,
                auto_renew: true,
                privacy_protection: true,
                nameservers: vec!["ns1.vps.org".into(), "ns2.vps.org".into()],
                registrar: "VPS.org".into(),
                cost: vpsd_domain::Money::from_cents(12_99),
                description: format!("Registration of {name}"),
                contacts: Default::default(),
                agreed_fee: None,
            },
            &vpsd_storage::Audit {
                actor: &vpsd_storage::Actor::worker(),
                action: vpsd_domain::AuditAction::DomainRegister,
                changes: "{}".to_owned(),
            },
        )
        .await
        .expect("insert");
    domain.id.get()
}

async fn worker_finishes_what_a_crash_left(app: &TestApp) {
    let id = crashed_registration(app, "crashed.com").await;
    app.run_worker().await;
    let (_, body) = app.domain(id).await;
    assert_eq!(body["status"], "active", "{body}");
    let record = app
        .app
        .store
        .registry_get("crashed.com")
        .await
        .expect("r")
        .expect("r");
    assert_eq!(record.sponsoring_registrar, "VPS.org");
    assert_eq!(app.balance(app.account_id).await, 1_000_00 - 12_99);
    assert_eq!(domain_mails(app).await.len(), 1);
}

async fn registry_refusal_at_completion_is_refunded(app: &TestApp) {
    // Another registrar got the name between our charge and our create.
    app.held_elsewhere("raced.com", "code", app.now(), false)
        .await;
    let id = crashed_registration(app, "raced.com").await;
    app.run_worker().await;
    let (status, body) = app.domain(id).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "cancelled: {body}");
    assert_eq!(app.balance(app.account_id).await, 1_000_00, "refunded");
    let ledger = app.app.store.ledger(app.account_id).await.expect("ledger");
    assert_eq!(ledger.last().map(|e| e.kind.as_str()), Some("refund"));
    let mails = domain_mails(app).await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].subject.contains("could not be registered"));
    let record = app
        .app
        .store
        .registry_get("raced.com")
        .await
        .expect("r")
        .expect("r");
    assert_eq!(record.sponsoring_registrar, "Other Registrar LLC");
}

async fn a_job_of_a_dead_worker_is_taken_again(app: &TestApp) {
    let id = app.register("orphan.com").await;
    // Another worker took the job and died holding its lease.
    let now = app.now();
    let store = &app.app.store;
    assert!(store
        .claim_job(
            vpsd_storage::JobKind::Registration,
            id.into(),
            "pid 999999",
            now,
            now + Duration::minutes(2)
        )
        .await
        .expect("claim"));
    assert!(
        !store
            .claim_job(
                vpsd_storage::JobKind::Registration,
                id.into(),
                "pid 1",
                now,
                now + Duration::minutes(2)
            )
            .await
            .expect("claim"),
        "one lease at a time"
    );
    app.clock.advance(app.registration_delay());
    vpsd_registrar::worker::run_once(&app.app.registrar)
        .await
        .expect("pass");
    let (_, body) = app.domain(id).await;
    assert_eq!(body["status"], "pending", "left to the lease holder");
    // Its lease ends: the job is taken again, and done once.
    app.advance(Duration::minutes(3)).await;
    let (_, body) = app.domain(id).await;
    assert_eq!(body["status"], "active", "{body}");
    let mails = domain_mails(app).await;
    assert_eq!(mails.len(), 1);
}

/// The outbox without the contacts' email verification mails (the
/// fixture's contact has one): the mails about domains.
async fn domain_mails(app: &TestApp) -> Vec<vpsd_storage::OutboxMail> {
    app.app
        .store
        .outbox()
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.subject != "Please verify your email address for your domains")
        .collect()
}
