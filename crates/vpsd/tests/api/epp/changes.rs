//! RFC 8590 change poll: R's operator renews and deletes names A sponsors
//! (`vpsd registry renew`, `vpsd registry delete`); R queues a change poll
//! message to A, A's worker reads each name again with `<domain:info>` and
//! follows R: the renewed name's expiry moves, the deleted one leaves the
//! account. A message seen twice changes nothing twice.

use reqwest::StatusCode;

use super::registrar_at;
use super::registry::Remote;
use crate::cluster::vpsd;
use crate::helpers::{parse_time, Backend};

async fn the_registrys_own_changes_reach_the_registrar(backend: Backend) {
    let r = Remote::start(backend).await;
    let a = registrar_at(&r, backend).await;
    let kept = a.register("renewed-by-r.com").await;
    let gone = a.register("deleted-by-r.com").await;
    a.run_worker().await;
    let (_, d) = a.domain(kept).await;
    assert_eq!(d["status"], "active", "{d}");
    let before = parse_time(&d["expiration_date"]);
    let balance = a.balance(a.account_id).await;

    // R's operator acts; A sees nothing until its worker drains the queue.
    vpsd(
        &r.database_url,
        &[
            "registry",
            "renew",
            "renewed-by-r.com",
            "--years",
            "2",
            "--auto",
            "--reason",
            "auto-renewal at the registry",
        ],
    );
    vpsd(
        &r.database_url,
        &[
            "registry",
            "delete",
            "deleted-by-r.com",
            "--reason",
            "court order",
        ],
    );
    let at_r = r.record("renewed-by-r.com").await.expect("at R");
    assert_eq!(at_r.ex_date, vpsd_domain::lifecycle::add_years(before, 2));
    let (_, d) = a.domain(kept).await;
    assert_eq!(parse_time(&d["expiration_date"]), before, "not yet: {d}");

    let pass = a.run_worker().await;
    assert_eq!(pass.registry_messages, 2, "{pass:?}");
    let (_, d) = a.domain(kept).await;
    assert_eq!(
        parse_time(&d["expiration_date"]),
        at_r.ex_date,
        "R's expiry: {d}"
    );
    assert_eq!(d["status"], "active", "{d}");
    let (status, d) = a.domain(gone).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "left the account: {d}");
    assert_eq!(a.balance(a.account_id).await, balance, "no money moved");

    // The audit log names R's messages; the same message acted on again
    // (a crash before its acknowledgement) changes nothing.
    let (_, log) = a.audit("page_size=100").await;
    let entries = log["results"].as_array().expect("entries");
    let change = entries
        .iter()
        .find(|e| e["action"] == "domain.registry_change")
        .unwrap_or_else(|| panic!("no domain.registry_change in {log}"));
    assert_eq!(
        change["changes"]["registry_message"][1]["operation"], "autoRenew",
        "{change}"
    );
    let delete = entries
        .iter()
        .find(|e| e["action"] == "domain.registry_delete")
        .unwrap_or_else(|| panic!("no domain.registry_delete in {log}"));
    assert_eq!(
        delete["changes"]["registry_message"][1]["reason"], "court order",
        "{delete}"
    );
    for (name, operation) in [
        ("renewed-by-r.com", "autoRenew"),
        ("deleted-by-r.com", "delete"),
    ] {
        let again = vpsd_registry::RegistryMessage {
            registry: "r".to_owned(),
            id: "c1".to_owned(),
            queued_at: chrono::Utc::now(),
            text: "seen again".to_owned(),
            transfer: None,
            change: Some(vpsd_registry::ChangeNotice {
                name: name.to_owned(),
                operation: operation.to_owned(),
                who: "registry operator".to_owned(),
                reason: None,
                sv_trid: "OP-1".to_owned(),
            }),
        };
        let outcome = a
            .app
            .registrar
            .act_on_registry_message(&again)
            .await
            .expect("acted");
        assert_eq!(
            outcome,
            vpsd_registrar::MessageOutcome::Nothing,
            "{name} changed twice"
        );
    }
    let (_, d) = a.domain(kept).await;
    assert_eq!(parse_time(&d["expiration_date"]), at_r.ex_date, "{d}");
    a.assert_ledgers_balance().await;
    r.stop().await;
    a.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_the_registrys_own_changes_reach_the_registrar() {
    the_registrys_own_changes_reach_the_registrar(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_the_registrys_own_changes_reach_the_registrar() {
    the_registrys_own_changes_reach_the_registrar(Backend::Postgres).await;
}
