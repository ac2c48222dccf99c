//! Premium names over EPP (RFC 8748): R's operator prices a .com name
//! apart; A, which announced nothing of it, reads R's fee with
//! `<fee:check>`, sells the name at that fee plus A's own markup, and
//! agrees to R's fee with `<fee:fee>` when it creates, renews and transfers
//! it in: the fee the customer was charged for, never asked again, so a fee
//! R raised since is refused by R rather than paid.

use reqwest::StatusCode;
use serde_json::json;

use super::registrar_at;
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

/// The fee A's customer was charged for is the one A's create carries,
/// also in the worker's retry: R crashes as A's create arrives (nothing
/// done at R, the answer lost, the registration pending and charged), R's
/// operator raises the premium fee, and the worker's create with the
/// agreed, now stale fee is refused by R (2004, RFC 8748 §3.8): the
/// customer is refunded and nobody holds the name. A new registration is
/// quoted and created at the raised fee.
async fn a_fee_raised_after_the_charge_is_refused_not_paid(backend: Backend) {
    let mut r = Remote::start(backend).await;
    let r_database = r.database_url.clone();
    let premium = |create: &str| {
        vpsd(
            &r_database,
            &[
                "registry",
                "premium",
                "set",
                "raised-epp.com",
                "--create",
                create,
                "--renew",
                "100",
            ],
        )
    };
    premium("250");
    // A's markup: 20 % (the default).
    let a = registrar_at(&r, backend).await;
    let opening = a.balance(a.account_id).await;

    r.restart_with(&["--crash-before", "domain:create"]).await;
    let id = a.register("raised-epp.com").await;
    r.wait_exit().await;
    let (_, d) = a.domain(id).await;
    assert_eq!(d["status"], "pending", "{d}");
    assert_eq!(a.balance(a.account_id).await, opening - 300_00);
    assert!(r.record("raised-epp.com").await.is_none(), "R did nothing");

    premium("400");
    r.restart().await;
    a.run_worker().await;
    assert!(
        r.record("raised-epp.com").await.is_none(),
        "R refused the create at the agreed $250: A did not pay the raised fee"
    );
    let (status, d) = a.domain(id).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{d}");
    assert_eq!(a.balance(a.account_id).await, opening, "refunded");
    a.assert_ledgers_balance().await;

    // Asked again, the name costs R's new fee with A's markup, and is
    // created at it.
    let (_, body) = a.check("domain_name=raised-epp.com").await;
    assert_eq!(
        body["results"][0]["prices"]["register"].as_f64(),
        Some(480.0),
        "{body}"
    );
    a.register("raised-epp.com").await;
    assert_eq!(a.balance(a.account_id).await, opening - 480_00);
    let at_r = r.record("raised-epp.com").await.expect("created at R");
    assert_eq!(at_r.sponsoring_registrar, "registrar-a");
    a.assert_ledgers_balance().await;
    r.stop().await;
    a.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_fee_raised_after_the_charge_is_refused_not_paid() {
    a_fee_raised_after_the_charge_is_refused_not_paid(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_fee_raised_after_the_charge_is_refused_not_paid() {
    a_fee_raised_after_the_charge_is_refused_not_paid(Backend::Postgres).await;
}

/// RFC 8748 §5.2.5 with RFC 3915: R prices the restore of a premium name
/// and requests it only with `<fee:update>` agreeing to that fee (2004
/// otherwise); A's restore through its API carries the fee it quoted, so
/// the name comes back at R, charged once.
async fn a_premium_name_is_restored_with_its_fee(backend: Backend) {
    use vpsd_domain::lifecycle::GRACE_DAYS;
    let r = Remote::start(backend).await;
    vpsd(
        &r.database_url,
        &[
            "registry",
            "premium",
            "set",
            "phoenix-epp.com",
            "--create",
            "250",
            "--renew",
            "100",
        ],
    );
    let a = registrar_at(&r, backend).await;
    let id = a.register("phoenix-epp.com").await;
    let detail = a.activate(id).await;
    let expiry = parse_time(&detail["expiration_date"]);
    let (status, body) = a.put_domain(id, json!({"auto_renew": false})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    r.advance("396d");
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let redemption = expiry + chrono::Duration::days(GRACE_DAYS) + chrono::Duration::hours(1);
    let pass = a.advance(redemption - a.now()).await;
    assert_eq!(pass.deleted_at_registry, 1, "{pass:?}");
    let deleted = r
        .deleted("phoenix-epp.com")
        .await
        .expect("kept in redemption at R");

    // A restore request without the fee: R refuses it (2004), the name
    // stays deleted.
    let config = vpsd_epp_client::config::load(&r.registries_file("registrar-a"))
        .expect("registries")
        .into_iter()
        .next()
        .expect("one");
    let at_r = vpsd_epp_client::EppRegistry::new(config).expect("registry");
    let refused = vpsd_registry::Registry::restore(
        &at_r,
        "phoenix-epp.com",
        deleted.deleted_at,
        None,
        chrono::Utc::now(),
    )
    .await
    .expect_err("no fee, no restore");
    let why = vpsd_domain::ErrorChain(&refused).to_string();
    assert!(why.contains("2004"), "{why}");
    assert!(r.record("phoenix-epp.com").await.is_none(), "still deleted");

    // Through A: R's restore fee ($80) and a premium year ($100), each
    // with A's 20 % (never below what R charges): $96 + $120. The check
    // shows the same price first.
    let (status, check) = a.check("domain_name=phoenix-epp.com").await;
    assert_eq!(status, StatusCode::OK, "{check}");
    assert_eq!(
        check["results"][0]["prices"]["restore"].as_f64(),
        Some(216.0),
        "{check}"
    );
    let balance = a.balance(a.account_id).await;
    let (status, body) = a.restore(id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let at_r = r.record("phoenix-epp.com").await.expect("restored at R");
    assert_eq!(at_r.sponsoring_registrar, "registrar-a");
    assert_eq!(parse_time(&body["expiration_date"]), at_r.ex_date, "{body}");
    assert_eq!(a.balance(a.account_id).await, balance - (96_00 + 120_00));
    a.assert_ledgers_balance().await;
    r.stop().await;
    a.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_premium_name_is_restored_with_its_fee() {
    a_premium_name_is_restored_with_its_fee(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_premium_name_is_restored_with_its_fee() {
    a_premium_name_is_restored_with_its_fee(Backend::Postgres).await;
}
