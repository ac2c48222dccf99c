//! Accounts and the ledger: the balance is always the ledger's sum.

use std::sync::Arc;

use vpsd_domain::Money;
use vpsd_storage::{Store, StoreError};

use crate::common::{account, audit, t0};

async fn an_opening_balance_is_a_ledger_credit(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 500_00).await;
    assert_eq!(a.balance.cents(), 500_00);
    let ledger = store.ledger(a.id).await.expect("ledger");
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].kind, "credit");
    assert_eq!(store.ledger_sum(a.id).await.expect("sum").cents(), 500_00);
    let empty = account(store, "b@example.com", 0).await;
    assert!(store.ledger(empty.id).await.expect("ledger").is_empty());
}

async fn a_credit_adds_to_the_balance_and_the_ledger(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 1_00).await;
    let after = store
        .credit_account(
            a.id,
            Money::from_cents(2_50),
            "Top-up",
            t0(),
            &audit("account.credit"),
        )
        .await
        .expect("credit");
    assert_eq!(after.balance.cents(), 3_50);
    assert_eq!(store.ledger_sum(a.id).await.expect("sum").cents(), 3_50);
    let (total, page) = store.ledger_page(a.id, 0, 1).await.expect("page");
    assert_eq!(total, 2);
    assert_eq!(page[0].description, "Top-up", "newest first");
    assert_eq!(page[0].balance_after.cents(), 3_50);
}

async fn an_unknown_account_is_not_found(store: &Arc<dyn Store>) {
    let e = store
        .credit_account(
            vpsd_domain::AccountId::from(999),
            Money::from_cents(1),
            "x",
            t0(),
            &audit("account.credit"),
        )
        .await;
    assert!(matches!(e, Err(StoreError::NotFound)), "{e:?}");
    assert!(store
        .account(vpsd_domain::AccountId::from(999))
        .await
        .expect("read")
        .is_none());
    assert_eq!(store.account_count().await.expect("count"), 0);
}

crate::both!(
    an_opening_balance_is_a_ledger_credit,
    a_credit_adds_to_the_balance_and_the_ledger,
    an_unknown_account_is_not_found,
);
