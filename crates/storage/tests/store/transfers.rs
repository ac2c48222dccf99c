//! Transfers in and out: each settles once, a failed one is refunded once.

use std::sync::Arc;

use chrono::Duration;
use vpsd_domain::lifecycle::{TransferOutStatus, TransferStatus};
use vpsd_domain::Money;
use vpsd_storage::{NewTransfer, Store, StoreError};

use crate::common::{account, active, audit, balance, held_elsewhere, mail, t0};

async fn a_transfer_is_charged_once_and_refunded_once(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 20_00).await;
    let d = store
        .insert_import(
            a.id,
            &held_elsewhere("move.com"),
            t0(),
            &audit("domain.import"),
        )
        .await
        .expect("import");
    let t = NewTransfer {
        account_id: a.id,
        domain_id: d.id,
        contacts: Default::default(),
        auto_renew: true,
        initiated_at: t0(),
        completes_at: t0() + Duration::days(5),
        cost: Money::from_cents(9_99),
        description: "Transfer of move.com".into(),
    };
    let m = mail(a.id, "transfer");
    let begun = store
        .begin_transfer(&t, &m, &audit("domain.transfer"))
        .await
        .expect("begin");
    assert_eq!(begun.transfer_status, Some(TransferStatus::Pending));
    assert_eq!(balance(store, a.id).await, 10_01);
    let twice = store
        .begin_transfer(&t, &m, &audit("domain.transfer"))
        .await;
    assert!(matches!(twice, Err(StoreError::StateChanged)), "{twice:?}");
    assert_eq!(balance(store, a.id).await, 10_01, "charged once");
    let due = store.due_transfers(t.completes_at, 10).await.expect("due");
    assert_eq!(due.len(), 1);
    let fail = audit("domain.transfer_failed");
    let failed = TransferStatus::Failed;
    assert!(store
        .fail_transfer(d.id, failed, "Refund", None, t0(), &fail)
        .await
        .expect("fail"));
    assert!(!store
        .fail_transfer(d.id, failed, "Refund", None, t0(), &fail)
        .await
        .expect("fail"));
    assert_eq!(balance(store, a.id).await, 20_00, "refunded once");
    assert_eq!(store.ledger_sum(a.id).await.expect("sum").cents(), 20_00);
}

async fn a_transfer_completes_once(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 20_00).await;
    let d = store
        .insert_import(
            a.id,
            &held_elsewhere("move.com"),
            t0(),
            &audit("domain.import"),
        )
        .await
        .expect("import");
    let t = NewTransfer {
        account_id: a.id,
        domain_id: d.id,
        contacts: Default::default(),
        auto_renew: false,
        initiated_at: t0(),
        completes_at: t0(),
        cost: Money::from_cents(0),
        description: "Transfer".into(),
    };
    let m = mail(a.id, "transfer");
    store
        .begin_transfer(&t, &m, &audit("domain.transfer"))
        .await
        .expect("begin");
    let exp = t0() + Duration::days(465);
    let done = audit("domain.transfer_complete");
    let ours = vpsd_domain::OUR_REGISTRAR;
    assert!(store
        .complete_transfer(d.id, ours, exp, &m, t0(), &done)
        .await
        .expect("complete"));
    assert!(!store
        .complete_transfer(d.id, ours, exp, &m, t0(), &done)
        .await
        .expect("complete"));
    let now = store
        .domain(a.id, d.id)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(now.registrar, ours);
    assert_eq!(now.transfer_status, Some(TransferStatus::Completed));
}

async fn a_transfer_out_is_pending_once_then_leaves(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    let d = active(store, a.id, "leaving.com").await;
    let m = mail(a.id, "transfer out");
    let approves = t0() + Duration::days(5);
    let out = audit("domain.transfer_out_request");
    assert!(store
        .begin_transfer_out(d.id, "Gainer", t0(), approves, &m, &out)
        .await
        .expect("begin"));
    assert!(!store
        .begin_transfer_out(d.id, "Gainer", t0(), approves, &m, &out)
        .await
        .expect("begin"));
    let pending = store
        .domain(a.id, d.id)
        .await
        .expect("read")
        .expect("there");
    let pending = pending.transfer_out.expect("a transfer out");
    assert_eq!(pending.status, TransferOutStatus::Pending);
    assert_eq!(pending.gaining_registrar, "Gainer");
    assert!(store
        .due_transfer_outs(t0(), 10)
        .await
        .expect("due")
        .is_empty());
    assert_eq!(
        store
            .due_transfer_outs(approves, 10)
            .await
            .expect("due")
            .len(),
        1
    );
    assert!(store
        .approve_transfer_out(d.id, approves, &m, &out)
        .await
        .expect("approve"));
    assert!(!store
        .reject_transfer_out(d.id, approves, None, &out)
        .await
        .expect("reject"));
    assert!(
        store.domain(a.id, d.id).await.expect("read").is_none(),
        "it left the account"
    );
}

crate::both!(
    a_transfer_is_charged_once_and_refunded_once,
    a_transfer_completes_once,
    a_transfer_out_is_pending_once_then_leaves,
);
