//! Two installations over EPP: R serves its sandbox registry over TLS with
//! client certificates (`vpsd registry serve-epp`); A is a registrar whose
//! .com and .net go to R (`--registries`). Everything is done through A's
//! HTTP API and checked at R's registry, on SQLite and PostgreSQL.

mod pki;
mod registry;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{parse_time, Backend, TestApp};
use registry::Remote;

/// A with .com and .net at `r`, logged in as registrar-a.
async fn registrar_at(r: &Remote, backend: Backend) -> TestApp {
    let file = r.registries_file("registrar-a");
    TestApp::builder()
        .settings(move |s| s.registries = Some(file))
        .spawn(backend)
        .await
}

async fn names_live_at_the_registry_and_agree(backend: Backend) {
    let r = Remote::start(backend).await;
    let a = registrar_at(&r, backend).await;

    // Check: free at R.
    let (status, body) = a.check("domain=epp-first.com").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["available"], true, "{body}");
    let (_, body) = a.sandbox().await;
    assert_eq!(
        body["sandbox"], false,
        "a real registry: no sandbox: {body}"
    );

    // Register: R has it, sponsored by registrar-a; A activates it with
    // R's dates.
    let balance = a.balance(a.account_id).await;
    let id = a.register("epp-first.com").await;
    let at_r = r.record("epp-first.com").await.expect("created at R");
    assert_eq!(at_r.sponsoring_registrar, "registrar-a");
    assert!(at_r.client_transfer_prohibited, "created locked");
    let detail = a.activate(id).await;
    assert_eq!(
        parse_time(&detail["expiration_date"]),
        at_r.ex_date,
        "R's exDate"
    );
    assert_eq!(
        parse_time(&detail["registration_date"]),
        at_r.created_at,
        "R's crDate"
    );
    assert_eq!(a.balance(a.account_id).await, balance - 12_99);

    // Taken at R by another registrar: refused without a charge.
    r.hold("held-by-b.com", "registrar-b", "B-auth-code-1")
        .await;
    let (status, body) = a.check("domain=held-by-b.com").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["available"], false, "{body}");
    let before = a.balance(a.account_id).await;
    let (status, body) = a.post_domain(json!({"domain_name": "held-by-b.com"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(a.balance(a.account_id).await, before);

    // Renew: the same expiry at A and R, two years on.
    let before = at_r.ex_date;
    let (status, body) = a.renew(id, json!({"years": 2})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let at_r = r.record("epp-first.com").await.expect("at R");
    assert_eq!(parse_time(&body["expiration_date"]), at_r.ex_date, "{body}");
    assert_eq!(at_r.ex_date, vpsd_domain::lifecycle::add_years(before, 2));

    // Nameservers and the lock reach R.
    let (status, body) = a
        .put_domain(
            id,
            json!({"nameservers": ["ns1.example.net", "ns2.example.org"], "locked": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let at_r = r.record("epp-first.com").await.expect("at R");
    assert_eq!(at_r.nameservers, ["ns1.example.net", "ns2.example.org"]);
    assert!(!at_r.client_transfer_prohibited, "unlocked at R");

    // The auth code the customer sees is R's.
    let (status, body) = a.auth_code(id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["auth_code"], at_r.auth_code.as_str(), "{body}");
    let (status, body) = a.regenerate_auth_code(id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let at_r = r.record("epp-first.com").await.expect("at R");
    assert_eq!(
        body["auth_code"],
        at_r.auth_code.as_str(),
        "a new code at R: {body}"
    );

    a.assert_ledgers_balance().await;
    let log = r.stop().await;
    assert!(
        !log.contains(registry::PASSWORD_A),
        "no password in R's log"
    );
    assert!(!log.contains(&at_r.auth_code), "no auth code in R's log");
    a.finish().await;
}

async fn a_transfer_in_completes_when_the_registry_approves(backend: Backend) {
    let r = Remote::start(backend).await;
    let a = registrar_at(&r, backend).await;
    r.hold("moving-in.net", "registrar-b", "B-auth-code-2")
        .await;

    let id = a.import("moving-in.net").await;
    let (status, body) = a.transfer(id, json!({"auth_code": "wrong-code-99"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "invalid_auth_code", "{body}");

    let (status, body) = a.transfer(id, json!({"auth_code": "B-auth-code-2"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let at_r = r.record("moving-in.net").await.expect("at R");
    assert_eq!(at_r.pending_transfer_to.as_deref(), Some("registrar-a"));

    // Not approved yet: A's worker leaves it pending.
    a.advance(a.transfer_delay()).await;
    let (_, detail) = a.domain(id).await;
    assert_eq!(detail["transfer_status"], "pending", "{detail}");

    // The losing registrar approves at R; A's worker completes it.
    r.approve_as("registrar-b", "moving-in.net").await;
    a.run_worker().await;
    let (_, detail) = a.domain(id).await;
    assert_eq!(detail["transfer_status"], "completed", "{detail}");
    let at_r = r.record("moving-in.net").await.expect("at R");
    assert_eq!(at_r.sponsoring_registrar, "registrar-a");
    assert_eq!(parse_time(&detail["expiration_date"]), at_r.ex_date);

    a.assert_ledgers_balance().await;
    r.stop().await;
    a.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_names_live_at_the_registry_and_agree() {
    names_live_at_the_registry_and_agree(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_names_live_at_the_registry_and_agree() {
    names_live_at_the_registry_and_agree(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_transfer_in_completes_when_the_registry_approves() {
    a_transfer_in_completes_when_the_registry_approves(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_transfer_in_completes_when_the_registry_approves() {
    a_transfer_in_completes_when_the_registry_approves(Backend::Postgres).await;
}
