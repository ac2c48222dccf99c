//! The outbox: a mail is taken by one sender at a time, and settles once.

use std::sync::Arc;

use chrono::Duration;
use vpsd_storage::Store;

use crate::common::{account, active, t0};

async fn a_mail_is_taken_once_until_its_lease_ends(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    active(store, a.id, "mail.com").await; // queues the activation mail
    let lease = t0() + Duration::minutes(5);
    let taken = store.claim_mail(t0(), lease, 10).await.expect("claim");
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].recipient, "a@example.com");
    assert_eq!(taken[0].attempts, 1);
    assert!(store
        .claim_mail(t0(), lease, 10)
        .await
        .expect("claim")
        .is_empty());
    let again = store
        .claim_mail(lease, lease + Duration::minutes(5), 10)
        .await
        .expect("claim");
    assert_eq!(again.len(), 1, "a dead sender's lease ends");
    assert!(store.mail_sent(taken[0].id, lease).await.expect("sent"));
    assert!(!store.mail_sent(taken[0].id, lease).await.expect("sent"));
    let later = lease + Duration::hours(1);
    assert!(store
        .claim_mail(later, later, 10)
        .await
        .expect("claim")
        .is_empty());
}

async fn a_failed_mail_is_retried_or_given_up(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    active(store, a.id, "mail.com").await;
    let lease = t0() + Duration::minutes(5);
    let m = store
        .claim_mail(t0(), lease, 10)
        .await
        .expect("claim")
        .remove(0);
    let retry = t0() + Duration::minutes(1);
    assert!(store
        .mail_failed(m.id, "421 busy", Some(retry), t0())
        .await
        .expect("failed"));
    assert!(
        store
            .claim_mail(t0(), lease, 10)
            .await
            .expect("claim")
            .is_empty(),
        "not yet"
    );
    let m = store
        .claim_mail(retry, lease, 10)
        .await
        .expect("claim")
        .remove(0);
    assert_eq!(m.attempts, 2);
    assert!(store
        .mail_failed(m.id, "550 no such user", None, retry)
        .await
        .expect("failed"));
    let later = t0() + Duration::days(1);
    assert!(store
        .claim_mail(later, later, 10)
        .await
        .expect("claim")
        .is_empty());
    let kept = store.outbox().await.expect("outbox").remove(0);
    assert_eq!(kept.gave_up_at, Some(retry));
    assert_eq!(kept.last_error.as_deref(), Some("550 no such user"));
}

crate::both!(
    a_mail_is_taken_once_until_its_lease_ends,
    a_failed_mail_is_retried_or_given_up,
);
