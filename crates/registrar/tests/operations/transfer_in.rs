//! Import (a name held elsewhere, free) and transfer in (paid, pending for
//! the transfer delay, then one year added; refused or rejected ones cost
//! nothing in the end).

use chrono::Duration;
use vpsd_domain::lifecycle::TransferStatus;
use vpsd_domain::DomainName;
use vpsd_registrar::SettingsUpdate;
use vpsd_registry::{RegistryRecord, OUR_REGISTRAR};
use vpsd_storage::Domain;

use crate::{at, code, year_of, Ops, OPENING};

crate::both!(
    import_adds_a_name_held_elsewhere_for_free,
    a_transfer_completes_after_the_delay_with_a_year_added,
    a_wrong_code_charges_nothing_and_a_rejected_transfer_is_refunded,
    a_locked_or_young_name_is_not_transferred,
);

async fn import(ops: &Ops, name: &str) -> Result<Domain, vpsd_registrar::RegistrarError> {
    ops.registrar
        .import(
            &ops.actor,
            ops.account,
            &DomainName::parse(name).expect("name"),
        )
        .await
}

async fn import_adds_a_name_held_elsewhere_for_free(ops: &Ops) {
    let record = ops.held_elsewhere("elsewhere.com").await;
    let domain = import(ops, "elsewhere.com").await.expect("import");
    assert_eq!(domain.registrar, "Other Registrar");
    assert_eq!(domain.expiration_date, record.ex_date);
    assert_eq!(ops.balance().await, OPENING, "an import is free");

    let twice = import(ops, "elsewhere.com").await.expect_err("twice");
    assert_eq!(code(&twice), "already_in_account");
    let nowhere = import(ops, "nowhere.com").await.expect_err("unregistered");
    assert_eq!(code(&nowhere), "not_registered");
    ops.active("ours.com").await;
    let ours = ops
        .registrar
        .import(
            &ops.actor,
            ops.other_account("b@example.com", 0).await,
            &DomainName::parse("ours.com").expect("name"),
        )
        .await
        .expect_err("ours already");
    assert_eq!(code(&ours), "already_sponsored");

    // Until it is transferred, only auto_renew can change.
    let lock = ops
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
        .expect_err("not ours to lock");
    assert_eq!(code(&lock), "not_sponsored");
}

async fn a_transfer_completes_after_the_delay_with_a_year_added(ops: &Ops) {
    ops.held_elsewhere("moving.com").await;
    let domain = import(ops, "moving.com").await.expect("import");
    let pending = ops
        .registrar
        .transfer(
            &ops.actor,
            ops.account,
            domain.id,
            "secret-code-123",
            true,
            Default::default(),
        )
        .await
        .expect("transfer");
    assert_eq!(pending.transfer_status, Some(TransferStatus::Pending));
    assert_eq!(pending.registrar, "Other Registrar");
    assert_eq!(ops.balance().await, OPENING - year_of("moving.com"));
    let again = ops
        .registrar
        .transfer(
            &ops.actor,
            ops.account,
            domain.id,
            "secret-code-123",
            true,
            Default::default(),
        )
        .await
        .expect_err("one at a time");
    assert_eq!(code(&again), "transfer_in_progress");

    ops.advance(ops.transfer_delay() - Duration::seconds(1));
    assert_eq!(ops.run_worker().await.transfers_completed, 0);
    assert_eq!(
        ops.domain(domain.id).await.transfer_status,
        Some(TransferStatus::Pending)
    );
    ops.advance(Duration::seconds(1));
    assert_eq!(ops.run_worker().await.transfers_completed, 1);
    let moved = ops.domain(domain.id).await;
    assert_eq!(moved.registrar, OUR_REGISTRAR);
    assert_eq!(moved.transfer_status, Some(TransferStatus::Completed));
    assert_eq!(moved.expiration_date, at(2031, 6, 1, 12), "one year added");
    assert!(moved.auto_renew);
    let record = ops.at_registry("moving.com").await.expect("record");
    assert_eq!(record.sponsoring_registrar, OUR_REGISTRAR);
    assert_eq!(record.ex_date, at(2031, 6, 1, 12));
    assert_eq!(
        ops.balance().await,
        OPENING - year_of("moving.com"),
        "charged once"
    );
}

async fn a_wrong_code_charges_nothing_and_a_rejected_transfer_is_refunded(ops: &Ops) {
    ops.held_elsewhere("moving.com").await;
    let domain = import(ops, "moving.com").await.expect("import");
    let wrong = ops
        .registrar
        .transfer(
            &ops.actor,
            ops.account,
            domain.id,
            "wrong-code",
            false,
            Default::default(),
        )
        .await
        .expect_err("wrong code");
    assert_eq!(code(&wrong), "invalid_auth_code");
    assert_eq!(ops.balance().await, OPENING);
    assert_eq!(ops.domain(domain.id).await.transfer_status, None);

    ops.registrar
        .transfer(
            &ops.actor,
            ops.account,
            domain.id,
            "secret-code-123",
            false,
            Default::default(),
        )
        .await
        .expect("transfer");
    assert_eq!(ops.balance().await, OPENING - year_of("moving.com"));
    // The losing registrar says no.
    let rejected = ops
        .registrar
        .transfer_in_rejected(&ops.registry, "moving.com")
        .await
        .expect("rejected");
    assert_eq!(rejected.transfer_status, Some(TransferStatus::Rejected));
    assert_eq!(rejected.registrar, "Other Registrar");
    assert_eq!(ops.balance().await, OPENING, "refunded");
    // The worker has nothing left to complete, later either.
    ops.advance(ops.transfer_delay());
    let pass = ops.run_worker().await;
    assert_eq!(pass.transfers_completed + pass.transfers_failed, 0);
    assert_eq!(ops.balance().await, OPENING);
}

async fn a_locked_or_young_name_is_not_transferred(ops: &Ops) {
    let base = RegistryRecord {
        name: String::new(),
        sponsoring_registrar: "Other Registrar".into(),
        auth_code: "secret-code-123".into(),
        created_at: ops.now() - Duration::days(400),
        ex_date: at(2030, 6, 1, 12),
        last_transferred_at: None,
        client_transfer_prohibited: false,
        nameservers: vec!["ns1.example.net".into(), "ns2.example.net".into()],
        pending_transfer_to: None,
        server_statuses: Vec::new(),
    };
    let cases = [
        (
            RegistryRecord {
                name: "locked.com".into(),
                client_transfer_prohibited: true,
                ..base.clone()
            },
            "domain_locked",
        ),
        (
            RegistryRecord {
                name: "young.com".into(),
                created_at: ops.now() - Duration::days(10),
                ..base.clone()
            },
            "transfer_too_soon",
        ),
        (
            RegistryRecord {
                name: "moved.com".into(),
                last_transferred_at: Some(ops.now() - Duration::days(59)),
                ..base
            },
            "transfer_too_soon",
        ),
    ];
    for (record, expected) in cases {
        ops.registry.add(&record, ops.now()).await.expect("add");
        let domain = import(ops, &record.name).await.expect("import");
        let err = ops
            .registrar
            .transfer(
                &ops.actor,
                ops.account,
                domain.id,
                "secret-code-123",
                false,
                Default::default(),
            )
            .await
            .expect_err("refused");
        assert_eq!(code(&err), expected, "{}: {err}", record.name);
        assert_eq!(ops.domain(domain.id).await.transfer_status, None);
    }
    assert_eq!(ops.balance().await, OPENING);
}
