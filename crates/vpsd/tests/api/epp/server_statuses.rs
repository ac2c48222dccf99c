//! The statuses a registry sets on a name by itself (RFC 5731 §2.3): R's
//! operator sets them (`vpsd registry status set|clear`), R's
//! `<domain:info>` shows them and its commands obey them (2304), and A
//! follows them from R's change poll message: its detail and RDAP show
//! them, the owner is mailed once about a hold, and a change R would refuse
//! is refused at A before anything is sent.

use instant_epp::domain::info::DomainInfo;
use instant_epp::domain::update::{DomainAdd, DomainUpdate};
use instant_epp::domain::{DomainDelete, DomainRenew, DomainTransfer, Status};

use super::registry::Remote;
use crate::cluster::vpsd;
use crate::helpers::Backend;

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
