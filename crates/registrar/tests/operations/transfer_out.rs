//! Transfers away: another registrar asks with the auth code; the owner
//! approves or rejects, and silence approves after five days.

use chrono::Duration;
use vpsd_domain::lifecycle::{TransferOutStatus, TRANSFER_LOCK_DAYS};
use vpsd_registrar::SettingsUpdate;
use vpsd_registry::OUR_REGISTRAR;
use vpsd_storage::Domain;

use crate::{code, year_of, Ops, OPENING};

crate::both!(
    an_approved_transfer_out_hands_the_name_over,
    a_rejected_transfer_out_keeps_the_name,
    an_unanswered_transfer_out_is_approved_after_five_days,
    a_transfer_out_is_refused_when_locked_young_or_with_a_wrong_code,
    a_transfer_out_approved_twenty_times_at_once_is_approved_once,
);

const GAINING: &str = "Other Registrar";

/// Unlocks a domain (new registrations are locked).
async fn set_lock(ops: &Ops, domain: &Domain, locked: bool) {
    ops.registrar
        .update(
            &ops.actor,
            ops.account,
            domain.id,
            SettingsUpdate {
                locked: Some(locked),
                ..Default::default()
            },
        )
        .await
        .expect("lock or unlock");
}

/// An active, unlocked domain past its 60 days of transfer lock, and its
/// auth code.
async fn transferable(ops: &Ops, name: &str) -> (Domain, String) {
    let domain = ops.active(name).await;
    set_lock(ops, &domain, false).await;
    ops.advance(Duration::days(TRANSFER_LOCK_DAYS));
    let code = ops
        .registrar
        .auth_code(ops.account, domain.id)
        .await
        .expect("auth code");
    (domain, code)
}

async fn request(
    ops: &Ops,
    name: &str,
    code: &str,
) -> Result<Domain, vpsd_registrar::RegistrarError> {
    ops.registrar
        .request_transfer_out(&ops.registry, GAINING, name, code)
        .await
}

async fn an_approved_transfer_out_hands_the_name_over(ops: &Ops) {
    let (domain, auth) = transferable(ops, "leaving.com").await;
    let pending = request(ops, "leaving.com", &auth).await.expect("request");
    let out = pending.transfer_out.expect("a transfer out");
    assert_eq!(out.status, TransferOutStatus::Pending);
    assert_eq!(out.gaining_registrar, GAINING);
    assert_eq!(out.auto_approve_at, ops.now() + Duration::days(5));

    ops.registrar
        .approve_transfer_out(&ops.actor, ops.account, domain.id)
        .await
        .expect("approve");
    let gone = ops
        .registrar
        .domain(ops.account, domain.id)
        .await
        .expect_err("no longer the account's");
    assert_eq!(code(&gone), "NotFound");
    let record = ops.at_registry("leaving.com").await.expect("record");
    assert_eq!(record.sponsoring_registrar, GAINING);
    assert_eq!(record.pending_transfer_to, None);
    // A transfer away neither charges nor refunds.
    assert_eq!(ops.balance().await, OPENING - year_of("leaving.com"));
}

async fn a_rejected_transfer_out_keeps_the_name(ops: &Ops) {
    let (domain, auth) = transferable(ops, "staying.com").await;
    request(ops, "staying.com", &auth).await.expect("request");
    let (kept, transfer_out) = ops
        .registrar
        .reject_transfer_out(&ops.actor, ops.account, domain.id)
        .await
        .expect("reject");
    assert_eq!(kept.registrar, OUR_REGISTRAR);
    assert_eq!(transfer_out.status, TransferOutStatus::Rejected);
    let record = ops.at_registry("staying.com").await.expect("record");
    assert_eq!(record.sponsoring_registrar, OUR_REGISTRAR);
    assert_eq!(record.pending_transfer_to, None);
    // Nothing left to answer, and nothing for the worker to approve.
    let twice = ops
        .registrar
        .reject_transfer_out(&ops.actor, ops.account, domain.id)
        .await
        .expect_err("nothing pending");
    assert_eq!(code(&twice), "no_transfer_out");
    ops.advance(Duration::days(6));
    assert_eq!(ops.run_worker().await.transfers_out, 0);
    assert_eq!(ops.domain(domain.id).await.registrar, OUR_REGISTRAR);
}

async fn an_unanswered_transfer_out_is_approved_after_five_days(ops: &Ops) {
    let (domain, auth) = transferable(ops, "leaving.com").await;
    request(ops, "leaving.com", &auth).await.expect("request");
    ops.advance(Duration::days(5) - Duration::seconds(1));
    assert_eq!(ops.run_worker().await.transfers_out, 0);
    assert_eq!(ops.domain(domain.id).await.registrar, OUR_REGISTRAR);
    ops.advance(Duration::seconds(1));
    assert_eq!(ops.run_worker().await.transfers_out, 1);
    let gone = ops
        .registrar
        .domain(ops.account, domain.id)
        .await
        .expect_err("gone");
    assert_eq!(code(&gone), "NotFound");
    let record = ops.at_registry("leaving.com").await.expect("record");
    assert_eq!(record.sponsoring_registrar, GAINING);
}

async fn a_transfer_out_is_refused_when_locked_young_or_with_a_wrong_code(ops: &Ops) {
    let domain = ops.active("guarded.com").await;
    let auth = ops
        .registrar
        .auth_code(ops.account, domain.id)
        .await
        .expect("auth code");
    // New registrations are locked.
    let locked = request(ops, "guarded.com", &auth)
        .await
        .expect_err("locked");
    assert_eq!(code(&locked), "domain_locked");
    set_lock(ops, &domain, false).await;
    let young = request(ops, "guarded.com", &auth).await.expect_err("young");
    assert_eq!(code(&young), "transfer_too_soon");

    ops.advance(Duration::days(TRANSFER_LOCK_DAYS));
    let wrong = request(ops, "guarded.com", "not-the-code")
        .await
        .expect_err("wrong");
    assert_eq!(code(&wrong), "invalid_auth_code");

    // A regenerated code replaces the old one.
    let fresh = ops
        .registrar
        .regenerate_auth_code(&ops.actor, ops.account, domain.id)
        .await
        .expect("new code");
    assert_ne!(fresh, auth);
    let stale = request(ops, "guarded.com", &auth)
        .await
        .expect_err("old code");
    assert_eq!(code(&stale), "invalid_auth_code");
    request(ops, "guarded.com", &fresh)
        .await
        .expect("new code works");
    let twice = request(ops, "guarded.com", &fresh)
        .await
        .expect_err("pending");
    assert_eq!(code(&twice), "transfer_in_progress");
    assert_eq!(ops.domain(domain.id).await.registrar, OUR_REGISTRAR);
}

/// Twenty approvals of one transfer out at once: one answers the approval,
/// the others say no transfer is pending (or that the domain is gone), so
/// no client is told it approved what another request did.
async fn a_transfer_out_approved_twenty_times_at_once_is_approved_once(ops: &Ops) {
    let (domain, auth) = transferable(ops, "raced-out.com").await;
    request(ops, "raced-out.com", &auth).await.expect("request");
    let approvals = (0..20).map(|_| {
        ops.registrar
            .approve_transfer_out(&ops.actor, ops.account, domain.id)
    });
    let results = futures_util::future::join_all(approvals).await;
    let approved = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(approved, 1, "{results:?}");
    for e in results.iter().filter_map(|r| r.as_ref().err()) {
        assert!(matches!(code(e), "no_transfer_out" | "NotFound"), "{e:?}");
    }
}
