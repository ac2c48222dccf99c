//! Settings: the lock and nameservers reach the registry, auto-renew stays
//! in the account; another account's domain does not exist for a customer.

use vpsd_domain::lifecycle::DomainStatus;
use vpsd_domain::{DomainName, Nameservers, Years};
use vpsd_registrar::SettingsUpdate;
use vpsd_registry::OUR_REGISTRAR;

use crate::{code, year_of, Ops, OPENING};

crate::both!(
    lock_auto_renew_and_nameservers_change,
    another_accounts_domain_is_not_found,
    a_pending_domain_keeps_its_nameservers_and_lock,
    a_removed_domain_comes_back_by_import,
);

fn nameservers(hosts: &[&str]) -> Nameservers {
    Nameservers::parse(hosts).expect("nameservers")
}

async fn lock_auto_renew_and_nameservers_change(ops: &Ops) {
    let domain = ops.active("example.com").await;
    assert!(
        domain.locked,
        "a new registration is locked against transfers"
    );
    let record = ops.at_registry("example.com").await.expect("record");
    assert!(record.client_transfer_prohibited);
    let updated = ops
        .registrar
        .update(
            &ops.actor,
            ops.account,
            domain.id,
            SettingsUpdate {
                auto_renew: Some(true),
                locked: Some(false),
                nameservers: Some(nameservers(&["ns1.example.net", "ns2.example.net"])),
                ..Default::default()
            },
        )
        .await
        .expect("update");
    assert!(!updated.locked && updated.auto_renew);
    assert_eq!(updated.nameservers, ["ns1.example.net", "ns2.example.net"]);
    assert_eq!(ops.domain(domain.id).await, updated, "as stored");
    let record = ops.at_registry("example.com").await.expect("record");
    assert!(
        !record.client_transfer_prohibited,
        "the unlock reached the registry"
    );
    assert_eq!(record.nameservers, ["ns1.example.net", "ns2.example.net"]);

    let locked = ops
        .registrar
        .update(
            &ops.actor,
            ops.account,
            domain.id,
            SettingsUpdate {
                locked: Some(true),
                ..Default::default()
            },
        )
        .await
        .expect("lock");
    assert!(locked.locked);
    assert!(locked.auto_renew, "untouched fields stay");
    assert_eq!(locked.nameservers, ["ns1.example.net", "ns2.example.net"]);
    let record = ops.at_registry("example.com").await.expect("record");
    assert!(
        record.client_transfer_prohibited,
        "the lock reached the registry"
    );
    // Settings cost nothing.
    assert_eq!(ops.balance().await, OPENING - year_of("example.com"));
}

async fn another_accounts_domain_is_not_found(ops: &Ops) {
    let domain = ops.active("mine.com").await;
    let stranger = ops.other_account("stranger@example.com", 100_00).await;
    let r = &ops.registrar;
    let a = &ops.actor;
    let lock = SettingsUpdate {
        locked: Some(true),
        ..Default::default()
    };
    let errors = [
        r.domain(stranger, domain.id).await.map(drop),
        r.update(a, stranger, domain.id, lock).await.map(drop),
        r.renew(a, stranger, domain.id, Years::ONE).await.map(drop),
        r.restore(a, stranger, domain.id).await.map(drop),
        r.auth_code(stranger, domain.id).await.map(drop),
        r.regenerate_auth_code(a, stranger, domain.id)
            .await
            .map(drop),
        r.transfer(a, stranger, domain.id, "code", true, Default::default())
            .await
            .map(drop),
        r.approve_transfer_out(a, stranger, domain.id)
            .await
            .map(drop),
        r.dns_records(stranger, domain.id).await.map(drop),
        r.email_forwards(stranger, domain.id).await.map(drop),
        r.url_forwards(stranger, domain.id).await.map(drop),
        r.remove(a, stranger, domain.id).await,
    ];
    for (i, e) in errors.into_iter().enumerate() {
        let e = e.expect_err("not the stranger's");
        assert_eq!(code(&e), "NotFound", "operation {i}: {e}");
    }
    let after = ops.domain(domain.id).await;
    assert_eq!(after, domain, "unchanged");
    assert_eq!(ops.balance_of(stranger).await, 100_00);
}

async fn a_pending_domain_keeps_its_nameservers_and_lock(ops: &Ops) {
    let (domain, _) = ops
        .register_in(ops.account, "pending.com", 1)
        .await
        .expect("register");
    let err = ops
        .registrar
        .update(
            &ops.actor,
            ops.account,
            domain.id,
            SettingsUpdate {
                nameservers: Some(nameservers(&["ns1.example.net", "ns2.example.net"])),
                ..Default::default()
            },
        )
        .await
        .expect_err("pending");
    assert_eq!(code(&err), "domain_pending");
    let empty = ops
        .registrar
        .update(
            &ops.actor,
            ops.account,
            domain.id,
            SettingsUpdate::default(),
        )
        .await
        .expect_err("nothing to change");
    assert_eq!(code(&empty), "empty_update");
    // Auto-renew is the account's own business: it may change at once.
    let updated = ops
        .registrar
        .update(
            &ops.actor,
            ops.account,
            domain.id,
            SettingsUpdate {
                auto_renew: Some(true),
                ..Default::default()
            },
        )
        .await
        .expect("auto_renew");
    assert!(updated.auto_renew);
    assert_eq!(updated.status, DomainStatus::Pending);
    assert_eq!(updated.nameservers, domain.nameservers);
}

async fn a_removed_domain_comes_back_by_import(ops: &Ops) {
    let domain = ops.active("example.com").await;
    ops.registrar
        .remove(&ops.actor, ops.account, domain.id)
        .await
        .expect("remove");
    let gone = ops
        .registrar
        .domain(ops.account, domain.id)
        .await
        .expect_err("off the account");
    assert_eq!(code(&gone), "NotFound");
    let record = ops
        .at_registry("example.com")
        .await
        .expect("still registered");
    assert_eq!(record.sponsoring_registrar, OUR_REGISTRAR);

    let back = ops
        .registrar
        .import(
            &ops.actor,
            ops.account,
            &DomainName::parse("example.com").expect("name"),
        )
        .await
        .expect("import");
    assert_eq!(back.id, domain.id);
    assert_eq!(back.expiration_date, domain.expiration_date);
    assert_eq!(ops.balance().await, OPENING - year_of("example.com"));
}
