//! Tokens: found by their hash, revoked once, never for a missing account.

use std::sync::Arc;

use vpsd_storage::{NewToken, Store, StoreError};

use crate::common::{account, audit, t0};

fn token(account_id: vpsd_domain::AccountId, hash: &str, read_only: bool) -> NewToken {
    NewToken {
        account_id,
        name: "ci".into(),
        token_hash: hash.into(),
        prefix: "vps_1a2b".into(),
        read_only,
        expires_at: None,
        created_at: t0(),
    }
}

async fn a_token_is_found_by_its_hash_and_revoked_once(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    let id = store
        .create_token(&token(a.id, "hash-1", true), &audit("token.create"))
        .await
        .expect("create");
    let owner = store
        .token_owner("hash-1")
        .await
        .expect("read")
        .expect("owner");
    assert_eq!((owner.token_id, owner.account_id), (id, a.id));
    assert!(owner.read_only);
    assert!(owner.revoked_at.is_none());
    assert!(store.token_owner("hash-2").await.expect("read").is_none());
    assert!(store
        .revoke_token(id, t0(), &audit("token.revoke"))
        .await
        .expect("revoke"));
    assert!(!store
        .revoke_token(id, t0(), &audit("token.revoke"))
        .await
        .expect("revoke"));
    let owner = store
        .token_owner("hash-1")
        .await
        .expect("read")
        .expect("owner");
    assert_eq!(
        owner.revoked_at,
        Some(t0()),
        "the next request sees the revocation"
    );
}

async fn the_list_shows_use_and_never_a_missing_account(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    let id = store
        .create_token(&token(a.id, "hash-1", false), &audit("token.create"))
        .await
        .expect("create");
    store.token_used(id, t0()).await.expect("used");
    let list = store.tokens(a.id).await.expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].last_used_at, Some(t0()));
    assert!(!list[0].read_only);
    let e = store
        .create_token(
            &token(vpsd_domain::AccountId::from(999), "hash-2", false),
            &audit("token.create"),
        )
        .await;
    assert!(matches!(e, Err(StoreError::NotFound)), "{e:?}");
}

crate::both!(
    a_token_is_found_by_its_hash_and_revoked_once,
    the_list_shows_use_and_never_a_missing_account,
);
