//! Premium names over EPP (RFC 8748): R's operator prices a .com name
//! apart; A, which announced nothing of it, reads R's fee with
//! `<fee:check>`, sells the name at that fee plus A's own markup, and
//! agrees to R's fee with `<fee:fee>` when it creates, renews and transfers
//! it in.

use reqwest::StatusCode;
use serde_json::json;

use super::registry::Remote;
use crate::cluster::vpsd;
use crate::helpers::{parse_time, Backend, TestApp};

async fn a_premium_name_at_the_registry_sells_at_its_fee_with_our_markup(backend: Backend) {
    let r = Remote::start(backend).await;
    vpsd(
        &r.database_url,
        &[
            "registry",
            "premium",
            "set",
            "gold-epp.com",
            "--create",
            "250",
            "--renew",
            "100",
        ],
    );
    let file = r.registries_file("registrar-a");
    // A sells premium names 10 % above the registry's fee.
    let a = TestApp::builder()
        .settings(move |s| {
            s.registries = Some(file);
            s.registrar.premium_markup_percent = 10;
        })
        .spawn(backend)
        .await;

    // Check: R's fee with A's markup; a standard name at the list price.
    let (status, body) = a
        .check("domain_name=gold-epp.com&domain_name=plain-epp.com")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let gold = &body["results"][0];
    assert_eq!(gold["available"], true, "{body}");
    assert_eq!(gold["premium"], true, "{body}");
    assert_eq!(gold["prices"]["register"].as_f64(), Some(275.0), "{body}");
    assert_eq!(gold["prices"]["renew"].as_f64(), Some(110.0), "{body}");
    assert_eq!(body["results"][1]["premium"], false, "{body}");
    assert_eq!(
        body["results"][1]["prices"]["register"].as_f64(),
        Some(12.99)
    );

    // Register: charged that; R has it, created at R's fee.
    let before = a.balance(a.account_id).await;
    let id = a.register("gold-epp.com").await;
    assert_eq!(a.balance(a.account_id).await, before - 275_00);
    let at_r = r.record("gold-epp.com").await.expect("created at R");
    assert_eq!(at_r.sponsoring_registrar, "registrar-a");
    a.run_worker().await;
    let (_, detail) = a.domain(id).await;
    assert_eq!(detail["status"], "active", "{detail}");

    // Renew: the premium renewal, at R too.
    let before = a.balance(a.account_id).await;
    let (status, body) = a.renew(id, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(a.balance(a.account_id).await, before - 110_00);
    let at_r = r.record("gold-epp.com").await.expect("at R");
    assert_eq!(parse_time(&body["expiration_date"]), at_r.ex_date, "{body}");

    // A standard name is created without a fee, at the list price.
    let before = a.balance(a.account_id).await;
    a.register("plain-epp.com").await;
    assert_eq!(a.balance(a.account_id).await, before - 12_99);
    assert!(r.record("plain-epp.com").await.is_some());

    // Transfer in of a premium name registrar-b holds at R: charged R's
    // transfer fee with A's markup; R has the request, made at its fee.
    r.hold("silver-epp.com", "registrar-b", "B-auth-code-7")
        .await;
    vpsd(
        &r.database_url,
        &[
            "registry",
            "premium",
            "set",
            "silver-epp.com",
            "--create",
            "300",
            "--renew",
            "90",
            "--transfer",
            "80",
        ],
    );
    let id = a.import("silver-epp.com").await;
    let before = a.balance(a.account_id).await;
    let (status, body) = a.transfer(id, json!({"auth_code": "B-auth-code-7"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(a.balance(a.account_id).await, before - 88_00);
    let at_r = r.record("silver-epp.com").await.expect("at R");
    assert_eq!(at_r.pending_transfer_to.as_deref(), Some("registrar-a"));
    a.assert_ledgers_balance().await;
    r.stop().await;
    a.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_premium_name_at_the_registry_sells_at_its_fee_with_our_markup() {
    a_premium_name_at_the_registry_sells_at_its_fee_with_our_markup(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_premium_name_at_the_registry_sells_at_its_fee_with_our_markup() {
    a_premium_name_at_the_registry_sells_at_its_fee_with_our_markup(Backend::Postgres).await;
}
