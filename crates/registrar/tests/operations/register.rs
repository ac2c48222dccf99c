//! Registering a name: charged once, pending until the registration delay
//! has passed, refused (and charged nothing, or refunded) when it cannot be
//! had.

use chrono::Duration;
use vpsd_domain::lifecycle::DomainStatus;
use vpsd_domain::DomainName;
use vpsd_registry::{Registry, OUR_REGISTRAR};
use vpsd_storage::DomainFilter;

use crate::{at, code, year_of, Ops, OPENING};

crate::both!(
    a_registration_is_charged_once_and_activates_after_the_delay,
    a_short_balance_charges_nothing,
    a_name_held_elsewhere_is_refused_without_a_charge,
    a_name_lost_at_the_registry_before_completion_is_refunded,
    a_name_in_another_account_is_taken,
);

async fn a_registration_is_charged_once_and_activates_after_the_delay(ops: &Ops) {
    let (domain, cost) = ops
        .register_in(ops.account, "example.com", 2)
        .await
        .expect("register");
    assert_eq!(cost.cents(), 2 * year_of("example.com"));
    assert_eq!(domain.status, DomainStatus::Pending);
    assert_eq!(domain.expiration_date, at(2032, 1, 1, 12), "two years on");
    assert_eq!(ops.balance().await, OPENING - cost.cents());
    let record = ops
        .at_registry("example.com")
        .await
        .expect("at the registry");
    assert_eq!(record.sponsoring_registrar, OUR_REGISTRAR);

    // One second short of the delay: still pending.
    ops.advance(ops.registration_delay() - Duration::seconds(1));
    assert_eq!(ops.run_worker().await.registrations_completed, 0);
    assert_eq!(ops.domain(domain.id).await.status, DomainStatus::Pending);

    ops.advance(Duration::seconds(1));
    assert_eq!(ops.run_worker().await.registrations_completed, 1);
    let active = ops.domain(domain.id).await;
    assert_eq!(active.status, DomainStatus::Active);
    assert_eq!(active.expiration_date, at(2032, 1, 1, 12));
    // Activation charges nothing more, and a second pass does nothing.
    assert_eq!(ops.balance().await, OPENING - cost.cents());
    assert_eq!(ops.run_worker().await.registrations_completed, 0);
    let (total, ledger) = ops
        .registrar
        .transactions(ops.account, 0, 50)
        .await
        .expect("ledger");
    assert_eq!(total, 2, "the opening credit and one charge: {ledger:?}");
    assert_eq!(ledger[0].amount.cents(), -cost.cents());
    assert_eq!(ledger[0].domain_id, Some(domain.id));

    let again = ops
        .registrar
        .check(&DomainName::parse("example.com").expect("name"))
        .await
        .expect_err("taken now");
    assert_eq!(code(&again), "domain_taken");
}

async fn a_short_balance_charges_nothing(ops: &Ops) {
    let poor = ops.other_account("poor@example.com", 5_00).await;
    let err = ops
        .register_in(poor, "example.com", 1)
        .await
        .expect_err("short of funds");
    assert_eq!(code(&err), "InsufficientFunds");
    assert!(err.to_string().contains("add funds"), "{err}");
    assert_eq!(ops.balance_of(poor).await, 5_00);
    let page = ops
        .registrar
        .list(poor, &DomainFilter::default(), 0, 10)
        .await
        .expect("list");
    assert_eq!(page.total, 0);
    assert!(ops.at_registry("example.com").await.is_none());
    // The name is still free for someone who can pay.
    ops.registrar
        .check(&DomainName::parse("example.com").expect("name"))
        .await
        .expect("still available");
}

async fn a_name_held_elsewhere_is_refused_without_a_charge(ops: &Ops) {
    ops.held_elsewhere("taken.com").await;
    let err = ops
        .register_in(ops.account, "taken.com", 1)
        .await
        .expect_err("taken");
    assert_eq!(code(&err), "domain_taken");
    assert!(err.to_string().contains("Other Registrar"), "{err}");
    assert_eq!(ops.balance().await, OPENING);
    let page = ops
        .registrar
        .list(ops.account, &DomainFilter::default(), 0, 10)
        .await
        .expect("list");
    assert_eq!(page.total, 0);
}

/// The registry gives the name to another registrar between our order and
/// its completion: the worker's completion is refused, the domain goes and
/// the charge comes back.
async fn a_name_lost_at_the_registry_before_completion_is_refunded(ops: &Ops) {
    let (domain, _) = ops
        .register_in(ops.account, "raced.com", 1)
        .await
        .expect("register");
    assert_eq!(ops.balance().await, OPENING - year_of("raced.com"));
    ops.registry
        .delete("raced.com", ops.registrar.now())
        .await
        .expect("delete");
    ops.held_elsewhere("raced.com").await;

    ops.advance(ops.registration_delay());
    let pass = ops.run_worker().await;
    assert_eq!(pass.registrations_failed, 1, "{pass:?}");
    assert_eq!(pass.registrations_completed, 0, "{pass:?}");
    assert_eq!(ops.balance().await, OPENING, "refunded");
    let gone = ops
        .registrar
        .domain(ops.account, domain.id)
        .await
        .expect_err("no longer in the account");
    assert_eq!(code(&gone), "NotFound");
    let outbox = ops.store.outbox().await.expect("outbox");
    assert!(
        outbox
            .iter()
            .any(|m| m.account_id == ops.account && m.body.contains("raced.com")),
        "the owner is told: {outbox:?}"
    );
}

async fn a_name_in_another_account_is_taken(ops: &Ops) {
    let other = ops.other_account("other@example.com", 100_00).await;
    ops.register_in(other, "shared.com", 1)
        .await
        .expect("register");
    let err = ops
        .register_in(ops.account, "shared.com", 1)
        .await
        .expect_err("taken");
    assert_eq!(code(&err), "domain_taken");
    assert_eq!(ops.balance().await, OPENING);
    assert_eq!(
        ops.balance_of(other).await,
        100_00 - year_of("shared.com"),
        "charged once, to the first"
    );
}
