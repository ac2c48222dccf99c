//! The worker's queries: what is due, and conditional changes that happen
//! once.

use std::sync::Arc;

use chrono::Duration;
use vpsd_domain::lifecycle::{DomainStatus, WARNING_DAYS};
use vpsd_domain::Money;
use vpsd_storage::{AgreedFee, Renewal, Store, StoreError};

use crate::common::{account, active, audit, balance, held_elsewhere, mail, register, t0};

async fn an_activation_happens_once(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    let d = register(store, a.id, "new.com", 0).await.expect("register");
    assert!(
        store
            .due_registrations(t0(), 10)
            .await
            .expect("due")
            .is_empty(),
        "not yet"
    );
    let later = t0() + Duration::minutes(1);
    let due = store.due_registrations(later, 10).await.expect("due");
    assert_eq!(due.iter().map(|d| d.id).collect::<Vec<_>>(), [d.id]);
    let m = mail(a.id, "active");
    let act = audit("domain.activate");
    // The registry's dates replace the ones the registration guessed.
    let registry_dates = (later, later + Duration::days(365));
    assert!(store
        .activate_registration(d.id, registry_dates, &m, later, &act)
        .await
        .expect("activate"));
    assert!(!store
        .activate_registration(d.id, registry_dates, &m, later, &act)
        .await
        .expect("activate"));
    let activated = store
        .domain(a.id, d.id)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(
        (activated.registration_date, activated.expiration_date),
        registry_dates,
        "the registry's crDate and exDate"
    );
    assert_eq!(store.outbox().await.expect("outbox").len(), 1, "one mail");
    assert!(store
        .due_registrations(later, 10)
        .await
        .expect("due")
        .is_empty());
}

async fn warnings_go_out_until_the_last_one(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    let d = active(store, a.id, "warn.com").await;
    store
        .insert_import(
            a.id,
            &held_elsewhere("elsewhere.com"),
            t0(),
            &audit("domain.import"),
        )
        .await
        .expect("import");
    // Five days before the expiration, nothing renewing.
    let now = d.expiration_date - Duration::days(5);
    let horizon = now + Duration::days(WARNING_DAYS[0]);
    let expiring = |store: Arc<dyn Store>| async move {
        store
            .expiring(now, horizon, now, 10)
            .await
            .expect("expiring")
    };
    let listed = expiring(store.clone()).await;
    assert_eq!(
        listed.iter().map(|d| d.id).collect::<Vec<_>>(),
        [d.id],
        "ours only"
    );
    let m = mail(a.id, "warning");
    assert!(store
        .mark_warned(d.id, d.expiration_date, 7, &m, now)
        .await
        .expect("warn"));
    assert!(!store
        .mark_warned(d.id, d.expiration_date, 7, &m, now)
        .await
        .expect("warn"));
    assert_eq!(
        expiring(store.clone()).await.len(),
        1,
        "a more urgent warning is due later"
    );
    let last = *WARNING_DAYS.last().expect("a warning day");
    assert!(store
        .mark_warned(d.id, d.expiration_date, last, &m, now)
        .await
        .expect("warn"));
    assert!(
        expiring(store.clone()).await.is_empty(),
        "the last warning went out"
    );
    // An auto-renew domain whose renewal is due gets no warning.
    let d2 = active(store, a.id, "renewing.com").await;
    let listed = store
        .expiring(now, horizon, d2.expiration_date, 10)
        .await
        .expect("expiring");
    assert!(listed.iter().all(|x| x.id != d2.id));
}

async fn a_renewal_needs_the_expiration_it_read(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 20_00).await;
    let d = active(store, a.id, "renew.com").await;
    let renewal = |old_expiration| Renewal {
        domain_id: d.id,
        account_id: a.id,
        old_expiration,
        new_expiration: d.expiration_date + Duration::days(365),
        cost: Money::from_cents(12_99),
        kind: "renewal",
        description: "Renewal of renew.com".into(),
        mail: mail(a.id, "renewed"),
        now: t0(),
    };
    let stale = store
        .renew_domain(
            &renewal(d.expiration_date - Duration::days(1)),
            &audit("domain.renew"),
        )
        .await;
    assert!(matches!(stale, Err(StoreError::StateChanged)), "{stale:?}");
    assert_eq!(balance(store, a.id).await, 20_00);
    let r = renewal(d.expiration_date);
    let renewed = store
        .renew_domain(&r, &audit("domain.renew"))
        .await
        .expect("renew");
    assert_eq!(renewed.expiration_date, r.new_expiration);
    assert_eq!(balance(store, a.id).await, 7_01);
    let undo = audit("domain.renew_refused");
    assert!(store
        .undo_renewal(&r, DomainStatus::Active, &undo)
        .await
        .expect("undo"));
    assert!(!store
        .undo_renewal(&r, DomainStatus::Active, &undo)
        .await
        .expect("undo"));
    assert_eq!(balance(store, a.id).await, 20_00, "refunded once");
    let back = store
        .domain(a.id, d.id)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(back.expiration_date, d.expiration_date);
    assert_eq!(back.status, DomainStatus::Active);
}

async fn an_expired_domain_is_expired_then_released_once(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    let d = active(store, a.id, "old.com").await;
    let after = d.expiration_date + Duration::seconds(1);
    let due = store.due_expirations(after, 10).await.expect("due");
    assert_eq!(due.iter().map(|d| d.id).collect::<Vec<_>>(), [d.id]);
    let exp = audit("domain.expire");
    assert!(store
        .expire_domain(d.id, None, after, &exp)
        .await
        .expect("expire"));
    assert!(!store
        .expire_domain(d.id, None, after, &exp)
        .await
        .expect("expire"));
    let due = store
        .due_releases(d.expiration_date, 10)
        .await
        .expect("due");
    assert_eq!(due.len(), 1);
    let m = mail(a.id, "released");
    let rel = audit("domain.release");
    assert!(store
        .release_domain(d.id, d.expiration_date, &m, after, &rel)
        .await
        .expect("release"));
    assert!(!store
        .release_domain(d.id, d.expiration_date, &m, after, &rel)
        .await
        .expect("release"));
    assert!(store.domain(a.id, d.id).await.expect("read").is_none());
}

async fn a_failed_auto_renewal_waits_for_its_retry(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    let d = active(store, a.id, "auto.com").await;
    let mut elsewhere = held_elsewhere("elsewhere.com");
    elsewhere.ex_date = d.expiration_date;
    store
        .insert_import(a.id, &elsewhere, t0(), &audit("domain.import"))
        .await
        .expect("import");
    let now = d.expiration_date - Duration::days(3);
    let until = d.expiration_date;
    let due = store.due_auto_renewals(now, until, 10).await.expect("due");
    assert_eq!(
        due.iter().map(|d| d.id).collect::<Vec<_>>(),
        [d.id],
        "ours only"
    );
    let retry = now + Duration::days(1);
    let m = mail(a.id, "renewal failed");
    let exp = d.expiration_date;
    assert!(store
        .renewal_failed(d.id, exp, retry, &m, now)
        .await
        .expect("noted"));
    assert!(!store
        .renewal_failed(d.id, exp, retry, &m, now)
        .await
        .expect("noted"));
    assert!(store
        .due_auto_renewals(now, until, 10)
        .await
        .expect("due")
        .is_empty());
    assert_eq!(
        store
            .due_auto_renewals(retry, until, 10)
            .await
            .expect("due")
            .len(),
        1
    );
}

/// A renewal whose outcome at the registry is unknown is kept until the
/// note of that very renewal is forgotten; a newer note replaces an older
/// one, and a deleted domain takes its note with it.
async fn an_unconfirmed_renewal_is_kept_until_forgotten(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    let d = active(store, a.id, "unsure.com").await;
    let note = |to: chrono::DateTime<chrono::Utc>| vpsd_storage::UnconfirmedRenewal {
        domain_id: d.id,
        account_id: a.id,
        old_expiration: d.expiration_date,
        new_expiration: to,
        years: 1,
        cost: Money::from_cents(12_99),
        kind: "renewal".to_owned(),
        old_status: DomainStatus::Active,
        noted_at: t0(),
    };
    let first = note(d.expiration_date + Duration::days(365));
    store.note_unconfirmed_renewal(&first).await.expect("note");
    assert_eq!(
        store.unconfirmed_renewals(10).await.expect("read"),
        std::slice::from_ref(&first)
    );
    let second = note(d.expiration_date + Duration::days(730));
    store.note_unconfirmed_renewal(&second).await.expect("note");
    assert_eq!(
        store.unconfirmed_renewals(10).await.expect("read"),
        std::slice::from_ref(&second),
        "one note per domain, the newest"
    );
    store
        .forget_unconfirmed_renewal(d.id, first.new_expiration)
        .await
        .expect("forget");
    assert_eq!(
        store.unconfirmed_renewals(10).await.expect("read").len(),
        1,
        "forgetting an older renewal keeps the newer note"
    );
    store
        .forget_unconfirmed_renewal(d.id, second.new_expiration)
        .await
        .expect("forget");
    assert!(store
        .unconfirmed_renewals(10)
        .await
        .expect("read")
        .is_empty());
}

/// The registry fee agreed for a command (RFC 8748) is kept per domain and
/// command, replaced, forgotten, and refused for an unknown domain or
/// command.
async fn an_agreed_fee_is_kept_per_domain_and_command(store: &Arc<dyn Store>) {
    let a = account(store, "fee@example.com", 0).await;
    let d = register(store, a.id, "gold.com", 0)
        .await
        .expect("register");
    let fee = |cents| AgreedFee {
        currency: "USD".to_owned(),
        cents,
    };
    assert_eq!(store.agreed_fee(d.id, "create").await.expect("read"), None);
    store
        .note_agreed_fee(d.id, "create", &fee(250_00), t0())
        .await
        .expect("note");
    store
        .note_agreed_fee(d.id, "create", &fee(260_00), t0())
        .await
        .expect("replace");
    store
        .note_agreed_fee(d.id, "renew", &fee(100_00), t0())
        .await
        .expect("note");
    assert_eq!(
        store.agreed_fee(d.id, "create").await.expect("read"),
        Some(fee(260_00))
    );
    store
        .forget_agreed_fee(d.id, "create")
        .await
        .expect("forget");
    assert_eq!(store.agreed_fee(d.id, "create").await.expect("read"), None);
    assert_eq!(
        store.agreed_fee(d.id, "renew").await.expect("read"),
        Some(fee(100_00))
    );
    for (domain, command) in [
        (d.id, "delete"),
        (vpsd_domain::DomainId::from(999_999), "create"),
    ] {
        let refused = store.note_agreed_fee(domain, command, &fee(1), t0()).await;
        assert!(matches!(refused, Err(StoreError::NotFound)), "{refused:?}");
    }
}

/// A registration carrying the registry's create fee keeps it in its own
/// transaction: the fee is there as soon as the domain is, and a
/// registration refused (the name taken) keeps none.
async fn a_registration_keeps_its_agreed_fee(store: &Arc<dyn Store>) {
    let a = account(store, "fee-reg@example.com", 1_000_00).await;
    let fee = AgreedFee {
        currency: "USD".to_owned(),
        cents: 300_00,
    };
    let new = |name: &str| vpsd_storage::NewRegistration {
        account_id: a.id,
        domain_name: name.to_owned(),
        registration_date: t0(),
        expiration_date: t0() + chrono::Duration::days(365),
        activates_at: t0(),
        auto_renew: true,
        privacy_protection: true,
        nameservers: vec!["ns1.vps.org".into(), "ns2.vps.org".into()],
        registrar: vpsd_domain::OUR_REGISTRAR.to_owned(),
        cost: Money::from_cents(360_00),
        description: format!("Registration of {name}"),
        contacts: Default::default(),
        agreed_fee: Some(fee.clone()),
    };
    let d = store
        .insert_registration(&new("premium-fee.com"), &audit("domain.register"))
        .await
        .expect("register");
    assert_eq!(
        store.agreed_fee(d.id, "create").await.expect("read"),
        Some(fee.clone())
    );
    let taken = store
        .insert_registration(&new("premium-fee.com"), &audit("domain.register"))
        .await;
    assert!(
        matches!(taken, Err(StoreError::Conflict { .. })),
        "{taken:?}"
    );
    // Short of funds: nothing written, no fee kept for a domain not there.
    let poor = account(store, "fee-poor@example.com", 0).await;
    let refused = store
        .insert_registration(
            &vpsd_storage::NewRegistration {
                account_id: poor.id,
                ..new("premium-poor.com")
            },
            &audit("domain.register"),
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::InsufficientFunds)),
        "{refused:?}"
    );
    assert!(store
        .domain_by_name("premium-poor.com")
        .await
        .expect("read")
        .is_none());
}

/// A change the registry made by itself (RFC 8590) is followed once: the
/// expiry and lock move when they still read as before; a domain the
/// registry deleted leaves the account once.
async fn a_registry_change_is_followed_once(store: &Arc<dyn Store>) {
    let a = account(store, "change@example.com", 0).await;
    let d = active(store, a.id, "moved.com").await;
    let later = d.expiration_date + Duration::days(730);
    let change = audit("domain.registry_change");
    assert!(store
        .follow_registry(d.id, d.expiration_date, later, false, t0(), &change)
        .await
        .expect("follow"));
    assert!(!store
        .follow_registry(d.id, d.expiration_date, later, false, t0(), &change)
        .await
        .expect("again"));
    assert!(!store
        .follow_registry(d.id, later, later, false, t0(), &change)
        .await
        .expect("nothing to change"));
    let now = store
        .domain(a.id, d.id)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(now.expiration_date, later);
    assert!(!now.locked);
    let m = mail(a.id, "deleted");
    let gone = audit("domain.registry_delete");
    assert!(store
        .remove_deleted_at_registry(d.id, &m, t0(), &gone)
        .await
        .expect("remove"));
    assert!(!store
        .remove_deleted_at_registry(d.id, &m, t0(), &gone)
        .await
        .expect("again"));
    assert!(store.domain(a.id, d.id).await.expect("read").is_none());
}

/// The statuses a registry set by itself are kept per domain from those
/// read, their mail queued with them: a record read twice mails once.
async fn registry_statuses_are_kept_once(store: &Arc<dyn Store>) {
    let a = account(store, "held@example.com", 0).await;
    let d = active(store, a.id, "held.com").await;
    assert!(d.registry_statuses.is_empty());
    let hold = vec!["serverHold".to_owned()];
    let m = mail(a.id, "on hold");
    let change = audit("domain.registry_change");
    let before = store.outbox().await.expect("outbox").len();
    assert!(store
        .follow_registry_statuses(d.id, &[], &hold, Some(&m), t0(), &change)
        .await
        .expect("follow"));
    assert!(!store
        .follow_registry_statuses(d.id, &[], &hold, Some(&m), t0(), &change)
        .await
        .expect("again"));
    assert_eq!(store.outbox().await.expect("outbox").len(), before + 1);
    let now = store
        .domain(a.id, d.id)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(now.registry_statuses, hold);
    assert!(store
        .follow_registry_statuses(d.id, &hold, &[], None, t0(), &change)
        .await
        .expect("cleared"));
    let now = store
        .domain(a.id, d.id)
        .await
        .expect("read")
        .expect("there");
    assert!(now.registry_statuses.is_empty());
}

crate::both!(
    registry_statuses_are_kept_once,
    an_agreed_fee_is_kept_per_domain_and_command,
    a_registration_keeps_its_agreed_fee,
    a_registry_change_is_followed_once,
    an_unconfirmed_renewal_is_kept_until_forgotten,
    an_activation_happens_once,
    a_failed_auto_renewal_waits_for_its_retry,
    warnings_go_out_until_the_last_one,
    a_renewal_needs_the_expiration_it_read,
    an_expired_domain_is_expired_then_released_once,
);
