//! Job leases: a lease is taken once until it ends or is given back.

use std::sync::Arc;
use vpsd_domain::DomainId;

use chrono::Duration;
use vpsd_storage::{JobKind, Store};

use crate::common::t0;

async fn a_lease_is_taken_once_until_it_ends(store: &Arc<dyn Store>) {
    let (now, until) = (t0(), t0() + Duration::minutes(2));
    let kind = JobKind::Registration;
    assert!(store
        .claim_job(kind, DomainId::from(1), "a", now, until)
        .await
        .expect("claim"));
    assert!(!store
        .claim_job(kind, DomainId::from(1), "b", now, until)
        .await
        .expect("claim"));
    assert!(
        store
            .claim_job(JobKind::Release, DomainId::from(1), "b", now, until)
            .await
            .expect("claim"),
        "another job of the domain is another lease"
    );
    assert_eq!(store.held_job_leases(now).await.expect("held"), 2);
    let later = until + Duration::seconds(1);
    assert!(
        store
            .claim_job(
                kind,
                DomainId::from(1),
                "b",
                later,
                later + Duration::minutes(2)
            )
            .await
            .expect("claim"),
        "a dead holder's lease ends"
    );
}

async fn a_lease_given_back_is_free(store: &Arc<dyn Store>) {
    let (now, until) = (t0(), t0() + Duration::minutes(2));
    let kind = JobKind::Warning;
    assert!(store
        .claim_job(kind, DomainId::from(7), "a", now, until)
        .await
        .expect("claim"));
    store
        .release_job(kind, DomainId::from(7), "b")
        .await
        .expect("not b's to give");
    assert!(!store
        .claim_job(kind, DomainId::from(7), "b", now, until)
        .await
        .expect("claim"));
    store
        .release_job(kind, DomainId::from(7), "a")
        .await
        .expect("release");
    assert!(store
        .claim_job(kind, DomainId::from(7), "b", now, until)
        .await
        .expect("claim"));
    assert_eq!(
        store
            .purge_job_leases(until + Duration::seconds(1))
            .await
            .expect("purge"),
        1
    );
    assert_eq!(store.held_job_leases(now).await.expect("held"), 0);
}

crate::both!(
    a_lease_is_taken_once_until_it_ends,
    a_lease_given_back_is_free
);
