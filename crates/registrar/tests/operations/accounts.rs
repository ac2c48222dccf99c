//! Accounts, credits and API tokens.

use chrono::Duration;
use vpsd_domain::Money;
use vpsd_storage::Actor;

use crate::{code, Ops};

crate::both!(
    a_credit_adds_to_the_balance_and_the_ledger,
    a_token_authenticates_until_it_is_revoked,
);

async fn a_credit_adds_to_the_balance_and_the_ledger(ops: &Ops) {
    let operator = Actor::operator();
    let account = ops
        .registrar
        .create_account(&operator, "new@example.com", Money::from_cents(10_00))
        .await
        .expect("account");
    assert_eq!(account.email, "new@example.com");
    assert_eq!(account.created_at, ops.now());
    let credited = ops
        .registrar
        .credit(&operator, account.id, Money::from_cents(25_50), "Top-up")
        .await
        .expect("credit");
    assert_eq!(credited.balance.cents(), 35_50);
    assert_eq!(ops.balance_of(account.id).await, 35_50);

    let (total, page) = ops
        .registrar
        .transactions(account.id, 0, 10)
        .await
        .expect("ledger");
    assert_eq!(total, 2);
    // Newest first (the same second: the later id first).
    assert_eq!(page[0].amount.cents(), 25_50);
    assert_eq!(page[0].balance_after.cents(), 35_50);
    assert_eq!(page[0].description, "Top-up");
    assert_eq!(page[1].amount.cents(), 10_00);

    let missing = ops
        .registrar
        .credit(
            &operator,
            vpsd_domain::AccountId::from(account.id.get() + 100),
            Money::from_cents(1_00),
            "Nobody",
        )
        .await
        .expect_err("no such account");
    assert_eq!(code(&missing), "NotFound");
}

async fn a_token_authenticates_until_it_is_revoked(ops: &Ops) {
    let operator = Actor::operator();
    let expires = ops.now() + Duration::days(30);
    let (id, token) = ops
        .registrar
        .issue_token(&operator, ops.account, "deploy", true, Some(expires))
        .await
        .expect("token");
    let hash = vpsd_domain::token::hash(&token);
    let owner = ops
        .store
        .token_owner(&hash)
        .await
        .expect("lookup")
        .expect("the token is known");
    assert_eq!(owner.token_id, id);
    assert_eq!(owner.account_id, ops.account);
    assert!(owner.read_only);
    assert_eq!(owner.expires_at, Some(expires));
    assert_eq!(owner.revoked_at, None);
    let listed = ops.store.tokens(ops.account).await.expect("tokens");
    assert!(listed.iter().any(|t| t.id == id && t.name == "deploy"));
    assert!(
        listed
            .iter()
            .all(|t| !token.ends_with(&t.prefix) || t.prefix.len() < token.len()),
        "only a prefix of the token is kept"
    );

    ops.advance(Duration::hours(1));
    assert!(ops
        .registrar
        .revoke_token(&operator, id)
        .await
        .expect("revoke"));
    let owner = ops
        .store
        .token_owner(&hash)
        .await
        .expect("lookup")
        .expect("still known");
    assert_eq!(owner.revoked_at, Some(ops.now()));
    assert!(
        !ops.registrar
            .revoke_token(&operator, id)
            .await
            .expect("revoke again"),
        "revoked already"
    );
}
