//! Renewal and restore: the expiration moves by exact calendar years from
//! the old one; grace costs the normal price, redemption the restore fee
//! plus a year, and after that only a new registration helps.

use chrono::Duration;
use vpsd_domain::lifecycle::{DomainStatus, GRACE_DAYS, PENDING_DELETE_DAYS, REDEMPTION_DAYS};
use vpsd_domain::pricing::RESTORE_FEE;
use vpsd_domain::{DomainName, Money, Years};
use vpsd_registrar::SettingsUpdate;
use vpsd_registry::RgpStatus;
use vpsd_storage::Actor;

use crate::{at, code, year_of, Ops, OPENING};

crate::both!(
    a_renewal_moves_the_expiry_by_exact_years,
    a_renewal_in_grace_costs_the_normal_price,
    a_restore_in_redemption_costs_the_fee_plus_a_year,
    a_restore_the_registry_refuses_is_refunded,
    past_redemption_the_name_is_released,
    a_pending_or_imported_domain_is_not_renewed,
    a_leap_day_term_ends_on_the_28th_of_february,
    auto_renewal_charges_once_when_due_and_retries_a_short_balance,
);

fn years(n: i64) -> Years {
    Years::parse(n).expect("years")
}

async fn a_renewal_moves_the_expiry_by_exact_years(ops: &Ops) {
    let domain = ops.active("example.com").await;
    assert_eq!(domain.expiration_date, at(2031, 1, 1, 12));
    let (renewed, cost) = ops
        .registrar
        .renew(&ops.actor, ops.account, domain.id, years(3))
        .await
        .expect("renew");
    assert_eq!(renewed.expiration_date, at(2034, 1, 1, 12));
    assert_eq!(cost.cents(), 3 * year_of("example.com"));
    assert_eq!(ops.balance().await, OPENING - 4 * year_of("example.com"));
    let record = ops.at_registry("example.com").await.expect("record");
    assert_eq!(record.ex_date, at(2034, 1, 1, 12), "the registry agrees");

    // Ten years from now is the limit: 2034 + 7 is past 2040.
    let err = ops
        .registrar
        .renew(&ops.actor, ops.account, domain.id, years(7))
        .await
        .expect_err("too long");
    assert_eq!(code(&err), "renewal_too_long");
    assert!(err.to_string().contains("at most 6"), "{err}");
    assert_eq!(ops.balance().await, OPENING - 4 * year_of("example.com"));
    assert_eq!(
        ops.domain(domain.id).await.expiration_date,
        at(2034, 1, 1, 12)
    );
}

async fn a_renewal_in_grace_costs_the_normal_price(ops: &Ops) {
    let domain = ops.active("late.com").await;
    ops.clock.advance(at(2031, 1, 2, 12) - ops.now());
    assert_eq!(ops.run_worker().await.expired, 1);
    assert_eq!(ops.domain(domain.id).await.status, DomainStatus::Expired);

    let restore = ops
        .registrar
        .restore(&ops.actor, ops.account, domain.id)
        .await
        .expect_err("not in redemption");
    assert_eq!(code(&restore), "not_in_redemption");
    let (renewed, cost) = ops
        .registrar
        .renew(&ops.actor, ops.account, domain.id, years(1))
        .await
        .expect("renew in grace");
    assert_eq!(cost.cents(), year_of("late.com"), "the normal price");
    assert_eq!(renewed.status, DomainStatus::Active);
    assert_eq!(
        renewed.expiration_date,
        at(2032, 1, 1, 12),
        "a year from the old expiry, not from today"
    );
    assert_eq!(ops.balance().await, OPENING - 2 * year_of("late.com"));
}

async fn a_restore_in_redemption_costs_the_fee_plus_a_year(ops: &Ops) {
    let domain = ops.active("later.com").await;
    ops.advance(at(2031, 1, 1, 12) + Duration::days(GRACE_DAYS) - ops.now());
    let pass = ops.run_worker().await;
    assert_eq!(pass.deleted_at_registry, 1, "{pass:?}");
    // Deleted at the registry as its redemption began (RFC 3915): no longer
    // registered there, held in redemptionPeriod for us to restore.
    assert!(ops.at_registry("later.com").await.is_none());
    let (deleted, status) = ops
        .registry
        .deleted("later.com", ops.now())
        .await
        .expect("registry")
        .expect("kept for redemption");
    assert_eq!(status, RgpStatus::RedemptionPeriod);
    assert_eq!(deleted.deleted_at, ops.now());
    assert_eq!(deleted.record.ex_date, at(2031, 1, 1, 12));
    assert_eq!(ops.run_worker().await.deleted_at_registry, 0, "once a term");
    let err = ops
        .registrar
        .renew(&ops.actor, ops.account, domain.id, years(1))
        .await
        .expect_err("in redemption");
    assert_eq!(code(&err), "in_redemption");
    assert_eq!(ops.balance().await, OPENING - year_of("later.com"));

    let (restored, cost) = ops
        .registrar
        .restore(&ops.actor, ops.account, domain.id)
        .await
        .expect("restore");
    assert_eq!(cost.cents(), RESTORE_FEE.cents() + year_of("later.com"));
    assert_eq!(restored.status, DomainStatus::Active);
    assert_eq!(restored.expiration_date, at(2032, 1, 1, 12));
    assert_eq!(
        ops.balance().await,
        OPENING - 2 * year_of("later.com") - RESTORE_FEE.cents()
    );
    let record = ops.at_registry("later.com").await.expect("restored");
    assert_eq!(record.ex_date, at(2032, 1, 1, 12), "the registry agrees");
    assert!(ops
        .registry
        .deleted("later.com", ops.now())
        .await
        .expect("registry")
        .is_none());
    // Nothing to release any more.
    ops.advance(Duration::days(REDEMPTION_DAYS + PENDING_DELETE_DAYS));
    assert_eq!(ops.run_worker().await.released, 0);
    assert_eq!(ops.domain(domain.id).await.status, DomainStatus::Active);
}

/// The registry no longer has the name for us (here: purged and taken by
/// another registrar behind our back): the restore is refused and its
/// charge comes back; the domain stays in redemption.
async fn a_restore_the_registry_refuses_is_refunded(ops: &Ops) {
    let domain = ops.active("lost.com").await;
    ops.advance(at(2031, 1, 1, 12) + Duration::days(GRACE_DAYS + 1) - ops.now());
    assert_eq!(ops.run_worker().await.deleted_at_registry, 1);
    let (deleted, _) = ops
        .registry
        .deleted("lost.com", ops.now())
        .await
        .expect("registry")
        .expect("deleted");
    assert!(ops
        .store
        .registry_purge("lost.com", deleted.deleted_at)
        .await
        .expect("purge"));
    ops.held_elsewhere("lost.com").await;

    let err = ops
        .registrar
        .restore(&ops.actor, ops.account, domain.id)
        .await
        .expect_err("refused");
    assert_eq!(code(&err), "not_sponsored", "{err}");
    assert_eq!(
        ops.balance().await,
        OPENING - year_of("lost.com"),
        "refunded"
    );
    let after = ops.domain(domain.id).await;
    assert_eq!(after.status, DomainStatus::Expired);
    assert_eq!(after.expiration_date, at(2031, 1, 1, 12));
}

async fn past_redemption_the_name_is_released(ops: &Ops) {
    let domain = ops.active("gone.com").await;
    let expiry = at(2031, 1, 1, 12);
    ops.advance(expiry + Duration::days(GRACE_DAYS + REDEMPTION_DAYS) - ops.now());
    ops.run_worker().await;
    for err in [
        ops.registrar
            .renew(&ops.actor, ops.account, domain.id, years(1))
            .await
            .map(drop),
        ops.registrar
            .restore(&ops.actor, ops.account, domain.id)
            .await
            .map(drop),
    ] {
        assert_eq!(code(&err.expect_err("too late")), "pending_delete");
    }
    let release = expiry + Duration::days(GRACE_DAYS + REDEMPTION_DAYS + PENDING_DELETE_DAYS);
    ops.advance(release - Duration::seconds(1) - ops.now());
    assert_eq!(ops.run_worker().await.released, 0);
    ops.advance(Duration::seconds(1));
    assert_eq!(ops.run_worker().await.released, 1);
    assert!(ops.at_registry("gone.com").await.is_none());
    ops.registrar
        .check(&DomainName::parse("gone.com").expect("name"))
        .await
        .expect("free for anyone again");
    assert_eq!(ops.balance().await, OPENING - year_of("gone.com"));
    // The worker first ran 60 days after the expiry, so the registry holds
    // the name for 35 days from then (RFC 3915): a registration is refused
    // (and refunded) until it purges the name, and goes through after.
    let err = ops
        .register_in(ops.account, "gone.com", 1)
        .await
        .expect_err("still held by the registry");
    assert_eq!(code(&err), "domain_taken", "{err}");
    assert_eq!(ops.balance().await, OPENING - year_of("gone.com"));
    let deleted_at = expiry + Duration::days(GRACE_DAYS + REDEMPTION_DAYS);
    ops.advance(deleted_at + Duration::days(REDEMPTION_DAYS + PENDING_DELETE_DAYS) - ops.now());
    ops.register_in(ops.account, "gone.com", 1)
        .await
        .expect("registered again once purged");
    assert!(ops.at_registry("gone.com").await.is_some());
}

async fn a_pending_or_imported_domain_is_not_renewed(ops: &Ops) {
    let (pending, _) = ops
        .register_in(ops.account, "pending.com", 1)
        .await
        .expect("register");
    let err = ops
        .registrar
        .renew(&ops.actor, ops.account, pending.id, years(1))
        .await
        .expect_err("pending");
    assert_eq!(code(&err), "domain_pending");

    ops.held_elsewhere("elsewhere.com").await;
    let imported = ops
        .registrar
        .import(
            &ops.actor,
            ops.account,
            &DomainName::parse("elsewhere.com").expect("name"),
        )
        .await
        .expect("import");
    let err = ops
        .registrar
        .renew(&ops.actor, ops.account, imported.id, years(1))
        .await
        .expect_err("not ours");
    assert_eq!(code(&err), "not_sponsored");
    assert_eq!(ops.balance().await, OPENING - year_of("pending.com"));
}

/// Calendar years: a term from 29 February ends on 28 February of a
/// common year, and a renewal counts from that date.
async fn a_leap_day_term_ends_on_the_28th_of_february(ops: &Ops) {
    ops.advance(at(2032, 2, 29, 12) - ops.now());
    let domain = ops.active("leap.com").await;
    assert_eq!(domain.registration_date, at(2032, 2, 29, 12));
    assert_eq!(domain.expiration_date, at(2033, 2, 28, 12));
    let (renewed, _) = ops
        .registrar
        .renew(&ops.actor, ops.account, domain.id, years(3))
        .await
        .expect("renew");
    assert_eq!(renewed.expiration_date, at(2036, 2, 28, 12));
}

async fn auto_renewal_charges_once_when_due_and_retries_a_short_balance(ops: &Ops) {
    let year = year_of("auto.com");
    // One account that can pay, one left with nothing after registering.
    let poor = ops.other_account("poor@example.com", year).await;
    let (rich_domain, _) = ops
        .register_in(ops.account, "auto.com", 1)
        .await
        .expect("register");
    let (poor_domain, _) = ops
        .register_in(poor, "broke.com", 1)
        .await
        .expect("register");
    ops.advance(ops.registration_delay());
    assert_eq!(ops.run_worker().await.registrations_completed, 2);
    for (account, id) in [(ops.account, rich_domain.id), (poor, poor_domain.id)] {
        ops.registrar
            .update(
                &ops.actor,
                account,
                id,
                SettingsUpdate {
                    auto_renew: Some(true),
                    ..Default::default()
                },
            )
            .await
            .expect("auto_renew on");
    }

    // Thirty days before the expiration, not a second earlier.
    let due = at(2031, 1, 1, 12) - Duration::days(30);
    ops.advance(due - Duration::seconds(1) - ops.now());
    let pass = ops.run_worker().await;
    assert_eq!((pass.renewed, pass.renewals_failed), (0, 0), "{pass:?}");
    ops.advance(Duration::seconds(1));
    let pass = ops.run_worker().await;
    assert_eq!((pass.renewed, pass.renewals_failed), (1, 1), "{pass:?}");
    assert_eq!(
        ops.domain(rich_domain.id).await.expiration_date,
        at(2032, 1, 1, 12)
    );
    assert_eq!(ops.balance().await, OPENING - 2 * year);
    assert_eq!(ops.balance_of(poor).await, 0);
    let outbox = ops.store.outbox().await.expect("outbox");
    assert!(
        outbox
            .iter()
            .any(|m| m.account_id == poor && m.body.contains("broke.com")),
        "the poor owner is told: {outbox:?}"
    );
    // Nothing more in the same day: no second charge, no second mail.
    let pass = ops.run_worker().await;
    assert_eq!((pass.renewed, pass.renewals_failed), (0, 0), "{pass:?}");

    // Funds arrive; the next day's try renews.
    ops.registrar
        .credit(&Actor::operator(), poor, Money::from_cents(year), "Top-up")
        .await
        .expect("credit");
    ops.advance(Duration::days(1));
    let pass = ops.run_worker().await;
    assert_eq!((pass.renewed, pass.renewals_failed), (1, 0), "{pass:?}");
    assert_eq!(ops.balance_of(poor).await, 0);
    assert_eq!(ops.balance().await, OPENING - 2 * year, "charged once");
    let renewed = ops
        .registrar
        .domain(poor, poor_domain.id)
        .await
        .expect("domain");
    assert_eq!(renewed.expiration_date, at(2032, 1, 1, 12));
}
