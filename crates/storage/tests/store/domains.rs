//! Domains: a registration charges once or not at all; an account sees
//! only its own domains.

use std::sync::Arc;

use vpsd_domain::lifecycle::DomainStatus;
use vpsd_storage::{DomainFilter, SettingsChange, Store, StoreError};

use crate::common::{account, audit, balance, register, t0};

async fn a_short_balance_charges_nothing(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 5_00).await;
    let e = register(store, a.id, "short.com", 12_99).await;
    assert!(matches!(e, Err(StoreError::InsufficientFunds)), "{e:?}");
    assert_eq!(balance(store, a.id).await, 5_00);
    assert!(store
        .domain_by_name("short.com")
        .await
        .expect("read")
        .is_none());
    assert_eq!(store.ledger(a.id).await.expect("ledger").len(), 1);
}

async fn a_registration_charges_its_price_once(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 20_00).await;
    let d = register(store, a.id, "paid.com", 12_99)
        .await
        .expect("register");
    assert_eq!(d.status, DomainStatus::Pending);
    assert_eq!(balance(store, a.id).await, 7_01);
    assert_eq!(store.ledger_sum(a.id).await.expect("sum").cents(), 7_01);
    let again = register(store, a.id, "paid.com", 12_99).await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );
    assert_eq!(
        balance(store, a.id).await,
        7_01,
        "the taken name charged nothing"
    );
}

async fn another_accounts_domain_is_not_found(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    let b = account(store, "b@example.com", 0).await;
    let d = register(store, a.id, "mine.com", 0)
        .await
        .expect("register");
    assert!(store.domain(b.id, d.id).await.expect("read").is_none());
    let change = SettingsChange {
        locked: Some(false),
        ..Default::default()
    };
    let none = store
        .update_settings(b.id, d.id, &change, t0(), &audit("domain.update"))
        .await
        .expect("update");
    assert!(none.is_none());
    assert!(!store
        .remove_domain(b.id, d.id, t0(), &audit("domain.remove"))
        .await
        .expect("remove"));
    let page = store
        .list_domains(b.id, &DomainFilter::default(), 0, 10)
        .await
        .expect("list");
    assert_eq!(page.total, 0);
    assert!(
        store
            .domain(a.id, d.id)
            .await
            .expect("read")
            .expect("mine")
            .locked
    );
}

async fn the_list_filters_and_follows_changes(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    for name in ["alpha.com", "beta.com", "alphabet.org"] {
        register(store, a.id, name, 0).await.expect("register");
    }
    let search = DomainFilter {
        search: Some("alpha".into()),
        ..Default::default()
    };
    let page = store
        .list_domains(a.id, &search, 0, 10)
        .await
        .expect("list");
    assert_eq!(page.total, 2);
    let names: Vec<_> = page
        .domains
        .iter()
        .map(|d| d.domain_name.as_str())
        .collect();
    assert_eq!(names, ["alpha.com", "alphabet.org"], "ordered by id");
    // A kept page is not handed out once a domain changed.
    let beta = store
        .domain_by_name("beta.com")
        .await
        .expect("read")
        .expect("beta");
    let change = SettingsChange {
        locked: Some(false),
        ..Default::default()
    };
    store
        .update_settings(a.id, beta.id, &change, t0(), &audit("domain.update"))
        .await
        .expect("update")
        .expect("found");
    let locked = DomainFilter {
        locked_only: true,
        ..Default::default()
    };
    assert_eq!(
        store
            .list_domains(a.id, &locked, 0, 10)
            .await
            .expect("list")
            .total,
        2
    );
    let active = DomainFilter {
        status: Some(DomainStatus::Active),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_domains(a.id, &active, 0, 10)
            .await
            .expect("list")
            .total,
        0
    );
}

async fn a_removed_domain_comes_back_once(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    let d = register(store, a.id, "gone.com", 0)
        .await
        .expect("register");
    assert!(store
        .remove_domain(a.id, d.id, t0(), &audit("domain.remove"))
        .await
        .expect("remove"));
    assert!(store.domain(a.id, d.id).await.expect("read").is_none());
    let back = store
        .restore_domain(a.id, "gone.com", t0(), &audit("domain.restore"))
        .await
        .expect("restore");
    assert_eq!(back.map(|d| d.id), Some(d.id));
    let twice = store
        .restore_domain(a.id, "gone.com", t0(), &audit("domain.restore"))
        .await
        .expect("restore");
    assert!(twice.is_none(), "it is there already");
}

async fn a_refused_registration_is_refunded_once(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 20_00).await;
    let d = register(store, a.id, "refused.com", 12_99)
        .await
        .expect("register");
    store
        .cancel_registration(
            d.id,
            "Refund",
            None,
            t0(),
            &audit("domain.register_refused"),
        )
        .await
        .expect("cancel");
    assert_eq!(balance(store, a.id).await, 20_00);
    let again = store
        .cancel_registration(
            d.id,
            "Refund",
            None,
            t0(),
            &audit("domain.register_refused"),
        )
        .await;
    assert!(matches!(again, Err(StoreError::StateChanged)), "{again:?}");
    assert_eq!(balance(store, a.id).await, 20_00);
}

/// A registration undone in its add grace period: gone, everything it cost
/// back once; an import, or one whose renewal is unconfirmed, is refused
/// with nothing written.
async fn a_cancelled_registration_is_refunded_once(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 50_00).await;
    let d = register(store, a.id, "regret.com", 12_99)
        .await
        .expect("register");
    let note = vpsd_storage::UnconfirmedRenewal {
        domain_id: d.id,
        account_id: a.id,
        old_expiration: d.expiration_date,
        new_expiration: d.expiration_date + chrono::Duration::days(365),
        years: 1,
        cost: vpsd_domain::Money::from_cents(12_99),
        kind: "renewal".to_owned(),
        old_status: DomainStatus::Pending,
        noted_at: t0(),
    };
    store.note_unconfirmed_renewal(&note).await.expect("note");
    assert!(store.has_unconfirmed_renewal(d.id).await.expect("read"));
    let cancel = |id| {
        let store = store.clone();
        async move {
            store
                .cancel_in_add_grace(a.id, id, "Refund", t0(), &audit("domain.cancel"))
                .await
        }
    };
    let refused = cancel(d.id).await;
    assert!(
        matches!(refused, Err(StoreError::StateChanged)),
        "{refused:?}"
    );
    assert_eq!(balance(store, a.id).await, 50_00 - 12_99);
    store
        .forget_unconfirmed_renewal(d.id, note.new_expiration)
        .await
        .expect("forget");
    assert!(!store.has_unconfirmed_renewal(d.id).await.expect("read"));

    let done = cancel(d.id).await.expect("cancel");
    assert_eq!(done.refund.cents(), 12_99);
    assert_eq!(done.balance.cents(), 50_00);
    assert_eq!(balance(store, a.id).await, 50_00);
    assert_eq!(store.ledger_sum(a.id).await.expect("sum").cents(), 50_00);
    assert!(store.domain(a.id, d.id).await.expect("read").is_none());
    let again = cancel(d.id).await;
    assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");
    assert_eq!(balance(store, a.id).await, 50_00);

    let imported = store
        .insert_import(
            a.id,
            &crate::common::held_elsewhere("theirs.com"),
            t0(),
            &audit("domain.import"),
        )
        .await
        .expect("import");
    let refused = cancel(imported.id).await;
    assert!(
        matches!(refused, Err(StoreError::StateChanged)),
        "{refused:?}"
    );
    assert!(store
        .domain(a.id, imported.id)
        .await
        .expect("read")
        .is_some());
}

crate::both!(
    a_cancelled_registration_is_refunded_once,
    a_short_balance_charges_nothing,
    a_registration_charges_its_price_once,
    another_accounts_domain_is_not_found,
    the_list_filters_and_follows_changes,
    a_removed_domain_comes_back_once,
    a_refused_registration_is_refunded_once,
);
