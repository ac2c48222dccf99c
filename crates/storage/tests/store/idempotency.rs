//! Idempotency keys: a key runs its request once; its answer is kept.

use std::sync::Arc;

use chrono::Duration;
use vpsd_storage::Store;

use crate::common::{account, t0};

async fn a_key_runs_once_and_keeps_its_answer(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    let old = t0() - Duration::hours(24);
    assert!(store
        .idempotency_claim(a.id, "k", "h1", t0(), old)
        .await
        .expect("claim"));
    assert!(!store
        .idempotency_claim(a.id, "k", "h1", t0(), old)
        .await
        .expect("claim"));
    let pending = store
        .idempotency_get(a.id, "k")
        .await
        .expect("get")
        .expect("key");
    assert_eq!(pending.request_hash, "h1");
    assert!(pending.response.is_none(), "no answer yet");
    store
        .idempotency_complete(a.id, "k", 201, "{}")
        .await
        .expect("complete");
    let done = store
        .idempotency_get(a.id, "k")
        .await
        .expect("get")
        .expect("key");
    assert_eq!(done.response, Some((201, "{}".to_owned())));
    store.idempotency_release(a.id, "k").await.expect("release");
    assert!(
        store
            .idempotency_get(a.id, "k")
            .await
            .expect("get")
            .is_some(),
        "an answered key is not let go"
    );
    let b = account(store, "b@example.com", 0).await;
    assert!(store
        .idempotency_get(b.id, "k")
        .await
        .expect("get")
        .is_none());
}

async fn a_failed_or_expired_key_is_claimed_again(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    let old = t0() - Duration::hours(24);
    assert!(store
        .idempotency_claim(a.id, "k", "h1", t0(), old)
        .await
        .expect("claim"));
    store.idempotency_release(a.id, "k").await.expect("release");
    assert!(store
        .idempotency_claim(a.id, "k", "h2", t0(), old)
        .await
        .expect("claim"));
    let later = t0() + Duration::hours(25);
    assert!(
        store
            .idempotency_claim(a.id, "k", "h3", later, later - Duration::hours(24))
            .await
            .expect("claim"),
        "an expired key is replaced"
    );
    assert_eq!(
        store
            .idempotency_purge(later + Duration::seconds(1))
            .await
            .expect("purge"),
        1
    );
}

crate::both!(
    a_key_runs_once_and_keeps_its_answer,
    a_failed_or_expired_key_is_claimed_again,
);
