//! The sandbox registry's names: one holder per name, a transfer pending
//! once, a renewal only from the expiration read.

use std::sync::Arc;

use chrono::Duration;
use vpsd_storage::{Store, StoreError};

use crate::common::{held_elsewhere, t0};

async fn a_name_is_held_once(store: &Arc<dyn Store>) {
    let r = held_elsewhere("held.com");
    store.registry_insert(&r, t0()).await.expect("insert");
    let again = store.registry_insert(&r, t0()).await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );
    assert_eq!(
        store.registry_get("held.com").await.expect("get"),
        Some(r.clone())
    );
    assert!(!store
        .registry_delete("held.com", "Someone")
        .await
        .expect("delete"));
    assert!(store
        .registry_delete("held.com", &r.sponsoring_registrar)
        .await
        .expect("delete"));
    assert!(store.registry_get("held.com").await.expect("get").is_none());
}

async fn a_transfer_is_pending_once_and_completes_to_its_gainer(store: &Arc<dyn Store>) {
    let r = held_elsewhere("move.com");
    store.registry_insert(&r, t0()).await.expect("insert");
    assert!(store
        .registry_request_transfer("move.com", "Gainer", t0())
        .await
        .expect("ask"));
    assert!(!store
        .registry_request_transfer("move.com", "Other", t0())
        .await
        .expect("ask"));
    let exp = r.ex_date + Duration::days(365);
    assert!(!store
        .registry_complete_transfer("move.com", "Other", exp, t0())
        .await
        .expect("complete"));
    assert!(store
        .registry_complete_transfer("move.com", "Gainer", exp, t0())
        .await
        .expect("complete"));
    let now = store
        .registry_get("move.com")
        .await
        .expect("get")
        .expect("there");
    assert_eq!(
        (now.sponsoring_registrar.as_str(), now.ex_date),
        ("Gainer", exp)
    );
    assert!(now.pending_transfer_to.is_none());
}

async fn a_renewal_applies_to_the_expiration_read(store: &Arc<dyn Store>) {
    let r = held_elsewhere("renew.com");
    store.registry_insert(&r, t0()).await.expect("insert");
    let to = r.ex_date + Duration::days(365);
    let reg = r.sponsoring_registrar.as_str();
    assert!(store
        .registry_renew("renew.com", reg, r.ex_date, to, t0())
        .await
        .expect("renew"));
    assert!(!store
        .registry_renew("renew.com", reg, r.ex_date, to, t0())
        .await
        .expect("renew"));
    assert!(store
        .registry_set_auth_code("renew.com", reg, "new-code", t0())
        .await
        .expect("code"));
    assert!(!store
        .registry_set_auth_code("renew.com", "Other", "x", t0())
        .await
        .expect("code"));
    let now = store
        .registry_get("renew.com")
        .await
        .expect("get")
        .expect("there");
    assert_eq!((now.ex_date, now.auth_code.as_str()), (to, "new-code"));
}

crate::both!(
    a_name_is_held_once,
    a_transfer_is_pending_once_and_completes_to_its_gainer,
    a_renewal_applies_to_the_expiration_read,
);
