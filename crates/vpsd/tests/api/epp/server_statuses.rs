//! The statuses a registry sets on a name by itself (RFC 5731 §2.3): R's
//! operator sets them (`vpsd registry status set|clear`), R's
//! `<domain:info>` shows them and its commands obey them (2304), and A
//! follows them from R's change poll message: its detail and RDAP show
//! them, the owner is mailed once about a hold, and a change R would refuse
//! is refused at A before anything is sent.

use instant_epp::domain::info::DomainInfo;
use instant_epp::domain::update::{DomainAdd, DomainUpdate};
use instant_epp::domain::{DomainDelete, DomainRenew, DomainTransfer, Status};
use reqwest::StatusCode;
use serde_json::json;

use super::registrar_at;
use super::registry::Remote;
use crate::cluster::vpsd;
use crate::helpers::{Backend, TestApp};

/// The owner's mails about a hold at the registry.
async fn hold_mails(a: &TestApp) -> usize {
    a.app
        .store
        .outbox()
        .await
        .expect("outbox")
        .iter()
        .filter(|m| m.subject.contains("put on hold by its registry"))
        .count()
}

/// A's RDAP statuses of `name`.
async fn rdap_statuses(a: &TestApp, name: &str) -> Vec<String> {
    let resp = a
        .http
        .get(format!("{}/rdap/domain/{name}", a.base))
        .header(reqwest::header::ACCEPT, "application/rdap+json")
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::OK);
    let d: serde_json::Value = resp.json().await.expect("JSON");
    d["status"]
        .as_array()
        .unwrap_or_else(|| panic!("no status in {d}"))
        .iter()
        .map(|s| s.as_str().expect("string").to_owned())
        .collect()
}

async fn the_registrys_statuses_reach_the_registrar(backend: Backend) {
    let r = Remote::start(backend).await;
    let a = registrar_at(&r, backend).await;
    let id = a.register("held-by-r.com").await;
    a.run_worker().await;
    let (_, d) = a.domain(id).await;
    assert_eq!(d["status"], "active", "{d}");
    assert_eq!(d["registry_statuses"], json!([]), "none yet: {d}");
    let ns_at_r = r.record("held-by-r.com").await.expect("at R").nameservers;

    vpsd(
        &r.database_url,
        &[
            "registry",
            "status",
            "set",
            "held-by-r.com",
            "serverHold",
            "serverUpdateProhibited",
            "--reason",
            "abuse report",
        ],
    );
    let at_r = r.record("held-by-r.com").await.expect("at R");
    assert_eq!(
        at_r.server_statuses,
        ["serverHold", "serverUpdateProhibited"]
    );
    let (_, d) = a.domain(id).await;
    assert_eq!(
        d["registry_statuses"],
        json!([]),
        "not before the poll: {d}"
    );

    let pass = a.run_worker().await;
    assert_eq!(pass.registry_messages, 1, "{pass:?}");
    let (_, d) = a.domain(id).await;
    assert_eq!(
        d["registry_statuses"],
        json!(["serverHold", "serverUpdateProhibited"]),
        "{d}"
    );
    let rdap = rdap_statuses(&a, "held-by-r.com").await;
    assert!(rdap.contains(&"server hold".to_owned()), "{rdap:?}");
    assert!(
        rdap.contains(&"server update prohibited".to_owned()),
        "{rdap:?}"
    );
    assert_eq!(hold_mails(&a).await, 1, "the owner is told of the hold");

    // A refuses what R would refuse, and sends nothing.
    let balance = a.balance(a.account_id).await;
    let (status, e) = a
        .put_domain(
            id,
            json!({"nameservers": ["ns1.elsewhere.net", "ns2.elsewhere.net"]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["code"], "registry_prohibits", "{e}");
    let detail = e["detail"].as_str().expect("detail");
    assert!(detail.contains("serverUpdateProhibited"), "{detail}");
    assert!(detail.contains("support"), "{detail}");
    let (status, e) = a.put_domain(id, json!({"locked": false})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["code"], "registry_prohibits", "{e}");
    assert_eq!(
        r.record("held-by-r.com").await.expect("at R").nameservers,
        ns_at_r,
        "R's name unchanged"
    );
    assert_eq!(a.balance(a.account_id).await, balance, "nothing charged");

    // The same change message again changes nothing and mails nobody.
    let again = vpsd_registry::RegistryMessage {
        registry: "r".to_owned(),
        id: "c1".to_owned(),
        queued_at: chrono::Utc::now(),
        text: "seen again".to_owned(),
        transfer: None,
        change: Some(vpsd_registry::ChangeNotice {
            name: "held-by-r.com".to_owned(),
            operation: "update".to_owned(),
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
    assert_eq!(outcome, vpsd_registrar::MessageOutcome::Nothing);
    assert_eq!(hold_mails(&a).await, 1, "mailed once");

    // Cleared at R: A follows, and the change goes through.
    vpsd(
        &r.database_url,
        &[
            "registry",
            "status",
            "clear",
            "held-by-r.com",
            "serverHold",
            "serverUpdateProhibited",
        ],
    );
    let pass = a.run_worker().await;
    assert_eq!(pass.registry_messages, 1, "{pass:?}");
    let (_, d) = a.domain(id).await;
    assert_eq!(d["registry_statuses"], json!([]), "{d}");
    let rdap = rdap_statuses(&a, "held-by-r.com").await;
    assert!(!rdap.contains(&"server hold".to_owned()), "{rdap:?}");
    let (status, d) = a
        .put_domain(
            id,
            json!({"nameservers": ["ns1.elsewhere.net", "ns2.elsewhere.net"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(
        r.record("held-by-r.com").await.expect("at R").nameservers,
        ["ns1.elsewhere.net", "ns2.elsewhere.net"]
    );
    assert_eq!(hold_mails(&a).await, 1);
    a.assert_ledgers_balance().await;
    r.stop().await;
    a.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_the_registrys_statuses_reach_the_registrar() {
    the_registrys_statuses_reach_the_registrar(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_the_registrys_statuses_reach_the_registrar() {
    the_registrys_statuses_reach_the_registrar(Backend::Postgres).await;
}

/// R's serverRenewProhibited and serverTransferProhibited reach A: a
/// renewal and the owner's approval of a transfer out are refused at A
/// (nothing charged, nothing sent); cleared, the approval goes through.
async fn a_renewal_and_a_transfer_out_wait_for_the_registry(backend: Backend) {
    let r = Remote::start(backend).await;
    let a = registrar_at(&r, backend).await;
    let id = a.active("frozen-by-r.com").await;
    let (status, body) = a.put_domain(id, json!({"locked": false})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, body) = a.auth_code(id).await;
    let code = body["auth_code"].as_str().expect("code").to_owned();
    r.advance("61d");
    assert_eq!(
        r.request_as("registrar-b", "frozen-by-r.com", &code).await,
        1001
    );
    a.run_worker().await;
    let (_, d) = a.domain(id).await;
    assert_eq!(d["transfer_out"]["status"], "pending", "{d}");

    vpsd(
        &r.database_url,
        &[
            "registry",
            "status",
            "set",
            "frozen-by-r.com",
            "serverRenewProhibited",
            "serverTransferProhibited",
        ],
    );
    a.run_worker().await;
    let (_, d) = a.domain(id).await;
    assert_eq!(
        d["registry_statuses"],
        json!(["serverTransferProhibited", "serverRenewProhibited"]),
        "{d}"
    );
    let expiry_at_r = r.record("frozen-by-r.com").await.expect("at R").ex_date;
    let balance = a.balance(a.account_id).await;
    let (status, e) = a.renew(id, json!({"years": 1})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["code"], "registry_prohibits", "{e}");
    assert!(
        e["detail"]
            .as_str()
            .expect("detail")
            .contains("serverRenewProhibited"),
        "{e}"
    );
    let (status, e) = a.approve_transfer_out(id).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["code"], "registry_prohibits", "{e}");
    assert_eq!(a.balance(a.account_id).await, balance, "nothing charged");
    let at_r = r.record("frozen-by-r.com").await.expect("at R");
    assert_eq!(at_r.ex_date, expiry_at_r, "not renewed at R");
    assert_eq!(at_r.sponsoring_registrar, "registrar-a");
    assert_eq!(at_r.pending_transfer_to.as_deref(), Some("registrar-b"));
    assert_eq!(hold_mails(&a).await, 0, "no hold, no mail");

    vpsd(
        &r.database_url,
        &[
            "registry",
            "status",
            "clear",
            "frozen-by-r.com",
            "serverTransferProhibited",
        ],
    );
    a.run_worker().await;
    let (status, body) = a.approve_transfer_out(id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let at_r = r.record("frozen-by-r.com").await.expect("at R");
    assert_eq!(at_r.sponsoring_registrar, "registrar-b");
    a.assert_ledgers_balance().await;
    r.stop().await;
    a.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_renewal_and_a_transfer_out_wait_for_the_registry() {
    a_renewal_and_a_transfer_out_wait_for_the_registry(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_renewal_and_a_transfer_out_wait_for_the_registry() {
    a_renewal_and_a_transfer_out_wait_for_the_registry(Backend::Postgres).await;
}

/// The result code of an instant-epp command's answer.
fn code<T, E>(answer: Result<instant_epp::response::Response<T, E>, instant_epp::Error>) -> u16 {
    match answer {
        Ok(rsp) => rsp.result.code as u16,
        Err(instant_epp::Error::Command(status)) => {
            eprintln!("EPP refused: {}", status.result.message);
            status.result.code as u16
        }
        Err(e) => panic!("EPP: {e}"),
    }
}

/// `vpsd registry status set|clear` on R.
fn status(r: &Remote, op: &str, name: &str, statuses: &[&str]) {
    let mut args = vec!["registry", "status", op, name];
    args.extend_from_slice(statuses);
    vpsd(&r.database_url, &args);
}

async fn the_registry_obeys_its_statuses(backend: Backend) {
    let r = Remote::start(backend).await;
    let name = "statuses-at-r.com";
    r.hold(name, "registrar-b", "code-B-1234").await;
    let ex_date = r.record(name).await.expect("at R").ex_date.date_naive();
    let mut b = r.session("registrar-b").await;
    let mut a = r.session("registrar-a").await;
    let update = || {
        let mut u = DomainUpdate::new(name);
        u.add(DomainAdd {
            ns: None,
            contacts: None,
            statuses: Some(&[Status::ClientTransferProhibited]),
        });
        u
    };

    status(&r, "set", name, &["serverUpdateProhibited"]);
    assert_eq!(code(b.transact(&update(), "test-u1").await), 2304);
    status(&r, "set", name, &["serverRenewProhibited"]);
    let renew = DomainRenew::new(name, ex_date, instant_epp::domain::ONE_YEAR);
    assert_eq!(code(b.transact(&renew, "test-r1").await), 2304);
    status(&r, "set", name, &["serverTransferProhibited"]);
    let request = DomainTransfer::new(name, None, "code-B-1234");
    assert_eq!(code(a.transact(&request, "test-t1").await), 2304);
    status(&r, "set", name, &["serverDeleteProhibited", "serverHold"]);
    assert_eq!(
        code(b.transact(&DomainDelete::new(name), "test-d1").await),
        2304
    );

    // <domain:info> shows every one.
    let info = b
        .transact(&DomainInfo::new(name, None), "test-i1")
        .await
        .expect("info");
    let shown: Vec<&str> = info
        .res_data()
        .expect("infData")
        .statuses
        .iter()
        .flatten()
        .map(|s| s.as_str())
        .collect();
    for s in [
        "serverHold",
        "serverTransferProhibited",
        "serverUpdateProhibited",
        "serverDeleteProhibited",
        "serverRenewProhibited",
    ] {
        assert!(shown.contains(&s), "{s} in {shown:?}");
    }
    // Nothing changed at R.
    let at_r = r.record(name).await.expect("at R");
    assert_eq!(at_r.sponsoring_registrar, "registrar-b");
    assert_eq!(at_r.ex_date.date_naive(), ex_date);
    assert!(!at_r.client_transfer_prohibited, "the update was refused");

    // A change poll message for each change, to the sponsor alone.
    let queued = r.change_messages("registrar-b").await;
    assert_eq!(queued, 4, "one per change");
    assert_eq!(r.change_messages("registrar-a").await, 0);

    // Cleared: each command goes through.
    status(
        &r,
        "clear",
        name,
        &[
            "serverUpdateProhibited",
            "serverRenewProhibited",
            "serverTransferProhibited",
            "serverDeleteProhibited",
            "serverHold",
        ],
    );
    assert_eq!(code(a.transact(&request, "test-t2").await), 1001);
    assert_eq!(
        code(a.transact(&DomainTransfer::cancel(name), "test-c2").await),
        1000
    );
    assert_eq!(code(b.transact(&renew, "test-r2").await), 1000);
    assert_eq!(code(b.transact(&update(), "test-u2").await), 1000);
    assert!(
        r.record(name)
            .await
            .expect("at R")
            .client_transfer_prohibited
    );
    r.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_the_registry_obeys_its_statuses() {
    the_registry_obeys_its_statuses(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_the_registry_obeys_its_statuses() {
    the_registry_obeys_its_statuses(Backend::Postgres).await;
}
