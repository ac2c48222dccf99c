//! Two installations over EPP: R serves its sandbox registry over TLS with
//! client certificates (`vpsd registry serve-epp`); A is a registrar whose
//! .com and .net go to R (`--registries`). Everything is done through A's
//! HTTP API and checked at R's registry, on SQLite and PostgreSQL.

mod changes;
mod contacts;
mod namestore;
pub(crate) mod pki;
mod premium;
mod registry;
mod server_statuses;

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
    let (status, body) = a.check("domain_name=epp-first.com").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["results"][0]["available"], true, "{body}");
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
    // R confirmed it: active on the worker's next pass, without the
    // sandbox's registration delay (no time passes here).
    let pass = a.run_worker().await;
    assert_eq!(pass.registrations_completed, 1, "{pass:?}");
    let (_, detail) = a.domain(id).await;
    assert_eq!(detail["status"], "active", "{detail}");
    // A's RDAP answers what A holds: anonymous nameserver lookups under a
    // name at R send no command to R and write nothing in the customer's
    // audit log (they would spend A's EPP sessions and fill the log).
    let (_, audit_before) = a.audit("page_size=100").await;
    for i in 0..5 {
        let resp = a
            .http
            .get(format!("{}/rdap/nameserver/x{i}.epp-first.com", a.base))
            .send()
            .await
            .expect("rdap");
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    }
    let (_, audit_after) = a.audit("page_size=100").await;
    assert_eq!(audit_after["results"], audit_before["results"]);
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

    // A name server inside a name at R needs glue, which R refuses to
    // create without addresses: the registration is refused with R's
    // words, nothing charged, nothing left pending.
    let before = a.balance(a.account_id).await;
    let (status, body) = a
        .post_domain(json!({"domain_name": "needs-glue.com",
            "nameservers": ["ns1.epp-first.com", "ns2.epp-first.com"]}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "registry_refused", "{body}");
    assert!(
        body["detail"].as_str().expect("detail").contains("EPP 2"),
        "{body}"
    );
    assert_eq!(a.balance(a.account_id).await, before, "refunded");
    assert!(r.record("needs-glue.com").await.is_none());
    let (_, list) = a.domains().await;
    assert!(!list.to_string().contains("needs-glue.com"), "{list}");

    // Taken at R by another registrar: refused without a charge.
    r.hold("held-by-b.com", "registrar-b", "B-auth-code-1")
        .await;
    let (status, body) = a.check("domain_name=held-by-b.com").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["results"][0]["available"], false, "{body}");
    let before = a.balance(a.account_id).await;
    let (status, body) = a.post_domain(json!({"domain_name": "held-by-b.com"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "domain_taken", "{body}");
    assert!(
        body["detail"]
            .as_str()
            .expect("detail")
            .contains("registrar-b"),
        "{body}"
    );
    assert_eq!(a.balance(a.account_id).await, before);

    // Renew: the same expiry at A and R, two years on.
    let before = at_r.ex_date;
    let (status, body) = a.renew(id, json!({"years": 2})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let at_r = r.record("epp-first.com").await.expect("at R");
    assert_eq!(parse_time(&body["expiration_date"]), at_r.ex_date, "{body}");
    assert_eq!(at_r.ex_date, vpsd_domain::lifecycle::add_years(before, 2));

    // Nameservers and the lock reach R; the audit log keeps the EPP
    // commands with their transaction ids, the clTRID naming the request.
    let resp = a
        .http
        .put(format!("{}/api/v1/domains/{id}/", a.base))
        .bearer_auth(&a.token)
        .header("X-Request-Id", "req-epp-update")
        .json(&json!({"nameservers": ["ns1.example.net", "ns2.example.org"], "locked": false}))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::OK);
    let (status, body) = a.audit("page_size=100").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let commands: Vec<serde_json::Value> = body["results"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["action"] == "domain.registry_commands")
        .flat_map(|e| {
            e["changes"]["registry_transactions"][1]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    // The request's create (1000), and the worker's repeat before it
    // activated the domain (2302, object exists: ours, so activated).
    let create = commands
        .iter()
        .find(|c| c["command"] == "domain:create" && c["code"] == 1000)
        .unwrap_or_else(|| panic!("no domain:create in {commands:#?}"));
    assert!(commands
        .iter()
        .any(|c| c["command"] == "domain:create" && c["code"] == 2302));
    assert!(
        create["svTRID"].as_str().is_some_and(|s| !s.is_empty()),
        "{create}"
    );
    let update = commands
        .iter()
        .find(|c| c["command"] == "domain:update ns")
        .unwrap_or_else(|| panic!("no domain:update in {commands:#?}"));
    assert!(
        update["clTRID"]
            .as_str()
            .is_some_and(|s| s.starts_with("req-epp-update-")),
        "{update}"
    );
    assert_eq!(update["registry"], "r");
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

    // A name A holds that R no longer lists as A's: a clear 400, not a 500.
    r.forget("epp-first.com", "registrar-a").await;
    let (status, body) = a.auth_code(id).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "not_sponsored", "{body}");

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
    a.run_worker().await;
    let (_, detail) = a.domain(id).await;
    assert_eq!(detail["transfer_status"], "pending", "{detail}");

    // The losing registrar approves at R the same day; A's worker reads
    // R's poll message and completes it then, not at the end of the
    // transfer period.
    r.approve_as("registrar-b", "moving-in.net").await;
    let pass = a.run_worker().await;
    assert_eq!(pass.transfers_completed, 1, "{pass:?}");
    assert!(pass.registry_messages >= 1, "{pass:?}");
    let (_, detail) = a.domain(id).await;
    assert_eq!(detail["transfer_status"], "completed", "{detail}");
    let at_r = r.record("moving-in.net").await.expect("at R");
    assert_eq!(at_r.sponsoring_registrar, "registrar-a");
    assert_eq!(
        parse_time(&detail["expiration_date"]).timestamp(),
        at_r.ex_date.timestamp(),
        "R's exDate, to the second as EPP dates go"
    );

    // Another, rejected by the losing registrar at R: refunded at once.
    r.hold("refused-in.com", "registrar-b", "B-auth-code-4")
        .await;
    let before = a.balance(a.account_id).await;
    let id = a.import("refused-in.com").await;
    let (status, body) = a.transfer(id, json!({"auth_code": "B-auth-code-4"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(a.balance(a.account_id).await < before);
    r.reject_as("registrar-b", "refused-in.com").await;
    let pass = a.run_worker().await;
    assert_eq!(pass.transfers_failed, 1, "{pass:?}");
    let (_, detail) = a.domain(id).await;
    assert_eq!(detail["transfer_status"], "failed", "{detail}");
    assert_eq!(a.balance(a.account_id).await, before, "refunded");
    let at_r = r.record("refused-in.com").await.expect("at R");
    assert_eq!(at_r.sponsoring_registrar, "registrar-b");

    a.assert_ledgers_balance().await;
    r.stop().await;
    a.finish().await;
}

/// Cancellations reach R: a registration cancelled within its add grace
/// period is purged at R (free again, refunded at A; while R is down, a
/// 503 and nothing changed), a pending transfer
/// in withdrawn at R (the losing registrar told by a poll message, the fee
/// refunded at A), and one R completed first cannot be cancelled.
async fn cancellations_reach_the_registry(backend: Backend) {
    let mut r = Remote::start(backend).await;
    let a = registrar_at(&r, backend).await;

    // A registration, confirmed by R, cancelled the same day.
    let before = a.balance(a.account_id).await;
    let id = a.register("epp-regret.com").await;
    let detail = a.activate(id).await;
    assert_eq!(detail["registrar"], "VPS.org", "{detail}");
    assert!(r.record("epp-regret.com").await.is_some());
    assert_eq!(a.balance(a.account_id).await, before - 12_99);
    // R down: a 503, and nothing changed at A.
    r.kill().await;
    let (status, body) = a.cancel(id).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["code"], "registry_unavailable", "{body}");
    let (status, body) = a.domain(id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(a.balance(a.account_id).await, before - 12_99);
    r.restart().await;
    assert!(r.record("epp-regret.com").await.is_some(), "still at R");
    let (status, body) = a.cancel(id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(crate::helpers::cents(&body["refund"]), 12_99, "{body}");
    assert_eq!(crate::helpers::cents(&body["balance"]), before, "{body}");
    assert_eq!(a.balance(a.account_id).await, before);
    // Purged at R, not held for redemption: R's check says free.
    assert!(r.record("epp-regret.com").await.is_none(), "deleted at R");
    assert!(r.deleted("epp-regret.com").await.is_none(), "purged at R");
    let (status, body) = a.check("domain_name=epp-regret.com").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["results"][0]["available"], true, "{body}");
    let (status, _) = a.domain(id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, audit) = a.audit("page_size=100").await;
    assert!(
        audit.to_string().contains("\"domain:delete\""),
        "the delete's EPP transaction in the audit log: {audit}"
    );
    a.assert_ledgers_balance().await;

    // A transfer in of a name registrar-b holds at R, cancelled while
    // pending: R has no transfer pending, registrar-b is told, A refunded.
    r.hold("epp-not-moving.com", "registrar-b", "B-auth-code-6")
        .await;
    let id = a.import("epp-not-moving.com").await;
    let before = a.balance(a.account_id).await;
    let (status, body) = a.transfer(id, json!({"auth_code": "B-auth-code-6"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let at_r = r.record("epp-not-moving.com").await.expect("at R");
    assert_eq!(at_r.pending_transfer_to.as_deref(), Some("registrar-a"));
    let (status, body) = a.cancel_transfer(id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["transfer_status"], "cancelled", "{body}");
    assert_eq!(a.balance(a.account_id).await, before);
    let at_r = r.record("epp-not-moving.com").await.expect("at R");
    assert_eq!(at_r.pending_transfer_to, None, "no transfer pending at R");
    assert_eq!(at_r.sponsoring_registrar, "registrar-b");
    let told = r.poll_transfers_as("registrar-b").await;
    assert!(
        told.contains(&(
            "epp-not-moving.com".to_owned(),
            "clientCancelled".to_owned()
        )),
        "{told:?}"
    );
    let pass = a.run_worker().await;
    assert_eq!(
        pass.transfers_completed + pass.transfers_failed,
        0,
        "{pass:?}"
    );
    let (_, detail) = a.domain(id).await;
    assert_eq!(detail["transfer_status"], "cancelled", "{detail}");
    assert_eq!(a.balance(a.account_id).await, before);

    // One registrar-b approved at R before A heard of it: too late to
    // cancel, nothing refunded; A's worker completes it.
    r.hold("epp-gone-through.com", "registrar-b", "B-auth-code-7")
        .await;
    let id = a.import("epp-gone-through.com").await;
    let (status, body) = a.transfer(id, json!({"auth_code": "B-auth-code-7"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let charged = a.balance(a.account_id).await;
    r.approve_as("registrar-b", "epp-gone-through.com").await;
    let (status, body) = a.cancel_transfer(id).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "no_transfer_pending", "{body}");
    assert_eq!(a.balance(a.account_id).await, charged);
    a.run_worker().await;
    let (_, detail) = a.domain(id).await;
    assert_eq!(detail["transfer_status"], "completed", "{detail}");
    let at_r = r.record("epp-gone-through.com").await.expect("at R");
    assert_eq!(at_r.sponsoring_registrar, "registrar-a");

    a.assert_ledgers_balance().await;
    r.stop().await;
    a.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_cancellations_reach_the_registry() {
    cancellations_reach_the_registry(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_cancellations_reach_the_registry() {
    cancellations_reach_the_registry(Backend::Postgres).await;
}

/// pyepp (PyPI), an EPP client nobody here wrote, logs in to R and runs
/// check, create, info, renew, transfer and poll; each answer is what RFC
/// 5730/5731 say.
async fn an_independent_client_gets_what_the_rfcs_say(backend: Backend) {
    use crate::helpers::{require_python_module, Package};
    require_python_module("pyepp", Package::PyPi("pyepp"));
    let r = Remote::start(backend).await;
    r.hold("taken-at-r.com", "registrar-b", "B-auth-code-3")
        .await;
    let lines = r
        .run_pyepp("pyepp-one.com", "taken-at-r.com", "B-auth-code-3")
        .await;
    let step = |name: &str| -> serde_json::Value {
        lines
            .iter()
            .find(|l| l["step"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no step {name:?} in {lines:#?}"))
    };
    let code = |name: &str| step(name)["code"].as_i64().expect("code");
    assert_eq!(code("login b"), 1000);
    let check = step("check");
    assert_eq!(check["code"], 1000);
    assert_eq!(check["data"]["pyepp-one.com"]["avail"], true, "{check}");
    assert_eq!(check["data"]["taken-at-r.com"]["avail"], false, "{check}");
    assert_eq!(code("create"), 1000);
    assert_eq!(code("create again"), 2302, "object exists");
    let info = step("info");
    assert_eq!(info["code"], 1000);
    assert_eq!(
        info["data"]["sponsoring_client_id"], "registrar-b",
        "{info}"
    );
    assert_eq!(code("renew"), 1000);
    assert_eq!(
        code("renew with the old expiry"),
        2306,
        "curExpDate no longer matches"
    );
    assert_eq!(
        code("transfer wrong code"),
        2202,
        "invalid authorization information"
    );
    assert_eq!(
        code("transfer"),
        1001,
        "pending until the losing registrar acts"
    );
    let poll = step("poll");
    assert_eq!(
        poll["code"], 1301,
        "a message for the losing registrar: {poll}"
    );
    assert_eq!(code("ack"), 1000);
    assert_eq!(code("poll empty"), 1300);
    let at_r = r.record("pyepp-one.com").await.expect("at R");
    assert_eq!(at_r.sponsoring_registrar, "registrar-b");
    let at_r = r.record("taken-at-r.com").await.expect("at R");
    assert_eq!(at_r.pending_transfer_to.as_deref(), Some("registrar-a"));
    // The svTRIDs differ from one another.
    let mut sv: Vec<String> = lines
        .iter()
        .filter_map(|l| l["svTRID"].as_str().map(str::to_owned))
        .collect();
    let n = sv.len();
    sv.sort();
    sv.dedup();
    assert_eq!(sv.len(), n, "unique svTRIDs");
    let log = r.stop().await;
    for secret in [
        registry::PASSWORD_A,
        "pyepp-Auth-1",
        "B-auth-code-3",
        "not-the-code",
    ] {
        assert!(!log.contains(secret), "{secret} in R's log");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_an_independent_client_gets_what_the_rfcs_say() {
    an_independent_client_gets_what_the_rfcs_say(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_an_independent_client_gets_what_the_rfcs_say() {
    an_independent_client_gets_what_the_rfcs_say(Backend::Postgres).await;
}

/// R goes down after a registration was sent: the registration stays
/// pending and charged (never refunded on a guess), and completes with R's
/// dates once R is back; A and R agree and the ledger balances.
async fn a_registry_outage_leaves_registrations_pending_until_it_is_back(backend: Backend) {
    let mut r = Remote::start(backend).await;
    let a = registrar_at(&r, backend).await;
    let balance = a.balance(a.account_id).await;
    let id = a.register("outage.com").await;
    r.kill().await;
    a.clock.advance(a.registration_delay());
    let pass = vpsd_registrar::worker::run_once(&a.app.registrar)
        .await
        .expect("a pass");
    // The activation and the poll of R's queue fail for now.
    assert_eq!(pass.failed, 2, "{pass:?}");
    assert_eq!(pass.registrations_completed + pass.registrations_failed, 0);
    let (_, detail) = a.domain(id).await;
    assert_eq!(detail["status"], "pending", "{detail}");
    assert_eq!(
        a.balance(a.account_id).await,
        balance - 12_99,
        "still charged, not refunded"
    );

    // A registration asked for while R is down: the registry cannot say
    // whether the name is free, so nothing is charged.
    let (status, body) = a
        .post_domain(json!({"domain_name": "while-down.com"}))
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(a.balance(a.account_id).await, balance - 12_99);

    r.restart().await;
    // The failed job is taken again when its lease (two minutes) ends.
    a.advance(chrono::Duration::minutes(3)).await;
    let (_, detail) = a.domain(id).await;
    assert_eq!(detail["status"], "active", "{detail}");
    let at_r = r.record("outage.com").await.expect("at R");
    assert_eq!(at_r.sponsoring_registrar, "registrar-a");
    assert_eq!(parse_time(&detail["expiration_date"]), at_r.ex_date);
    assert!(r.record("while-down.com").await.is_none());
    a.assert_ledgers_balance().await;
    r.stop().await;
    a.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_registry_outage_leaves_registrations_pending_until_it_is_back() {
    a_registry_outage_leaves_registrations_pending_until_it_is_back(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_registry_outage_leaves_registrations_pending_until_it_is_back() {
    a_registry_outage_leaves_registrations_pending_until_it_is_back(Backend::Postgres).await;
}

/// Transfers out, driven by R's poll queue: another registrar asks at R,
/// A's worker reads the message and the owner answers through A's API (R
/// follows); a request withdrawn at R ends it at A; one the owner leaves
/// unanswered is approved by R and the domain leaves A. A message read
/// twice changes nothing twice.
async fn transfers_out_follow_the_registrys_poll_queue(backend: Backend) {
    let r = Remote::start(backend).await;
    let a = registrar_at(&r, backend).await;
    let mut codes = Vec::new();
    let mut ids = Vec::new();
    for name in ["leaving.com", "staying.com", "auto.com"] {
        let id = a.active(name).await;
        let (status, body) = a.put_domain(id, json!({"locked": false})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, body) = a.auth_code(id).await;
        codes.push(body["auth_code"].as_str().expect("code").to_owned());
        ids.push(id);
    }
    // At R, 61 days on: the names may move.
    r.advance("61d");

    // Asked, then rejected by the owner: R keeps it with registrar-a.
    assert_eq!(
        r.request_as("registrar-b", "leaving.com", &codes[0]).await,
        1001
    );
    let pass = a.run_worker().await;
    assert!(pass.registry_messages >= 1, "{pass:?}");
    let (_, d) = a.domain(ids[0]).await;
    assert_eq!(d["transfer_out"]["status"], "pending", "{d}");
    assert_eq!(d["transfer_out"]["gaining_registrar"], "registrar-b", "{d}");
    let (status, body) = a.reject_transfer_out(ids[0]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let at_r = r.record("leaving.com").await.expect("at R");
    assert_eq!(at_r.sponsoring_registrar, "registrar-a");
    assert_eq!(at_r.pending_transfer_to, None);

    // Asked again and approved by the owner: R gives it to registrar-b.
    assert_eq!(
        r.request_as("registrar-b", "leaving.com", &codes[0]).await,
        1001
    );
    a.run_worker().await;
    let (status, body) = a.approve_transfer_out(ids[0]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(a.domain(ids[0]).await.0, StatusCode::NOT_FOUND);
    let at_r = r.record("leaving.com").await.expect("at R");
    assert_eq!(at_r.sponsoring_registrar, "registrar-b");

    // Asked, then withdrawn at R: the message of the withdrawal ends it at
    // A. Read twice before its acknowledgement, it acts once.
    assert_eq!(
        r.request_as("registrar-b", "staying.com", &codes[1]).await,
        1001
    );
    a.run_worker().await;
    r.cancel_as("registrar-b", "staying.com").await;
    let file = r.registries_file("registrar-a");
    let config = vpsd_epp_client::config::load(&file)
        .expect("registries")
        .into_iter()
        .next()
        .expect("one");
    let queue = vpsd_epp_client::EppRegistry::new(config).expect("registry");
    let message = vpsd_registry::Registry::poll(&queue)
        .await
        .expect("poll")
        .expect("the withdrawal");
    let t = message.transfer.as_ref().expect("a transfer");
    assert_eq!(t.tr_status, vpsd_registry::TrStatus::ClientCancelled);
    let registrar = &a.app.registrar;
    assert_eq!(
        registrar
            .act_on_registry_message(&message)
            .await
            .expect("act"),
        vpsd_registrar::MessageOutcome::TransferOutCancelled
    );
    assert_eq!(
        registrar
            .act_on_registry_message(&message)
            .await
            .expect("act"),
        vpsd_registrar::MessageOutcome::Nothing,
        "seen twice, it changes nothing twice"
    );
    let (_, d) = a.domain(ids[1]).await;
    assert_ne!(d["transfer_out"]["status"], "pending", "{d}");
    vpsd_registry::Registry::ack(&queue, &message)
        .await
        .expect("ack");

    // Asked and left unanswered: R approves it after its transfer period
    // and A's worker lets the domain go.
    assert_eq!(
        r.request_as("registrar-b", "auto.com", &codes[2]).await,
        1001
    );
    a.run_worker().await;
    let (_, d) = a.domain(ids[2]).await;
    assert_eq!(d["transfer_out"]["status"], "pending", "{d}");
    r.advance("6d");
    let pass = a.run_worker().await;
    assert_eq!(pass.transfers_out, 1, "{pass:?}");
    assert_eq!(a.domain(ids[2]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        r.record("auto.com")
            .await
            .expect("at R")
            .sponsoring_registrar,
        "registrar-b"
    );
    assert_eq!(
        a.run_worker().await.registry_messages,
        0,
        "the queue is drained"
    );

    // With poll_seconds = 60, a queue found empty is not asked again for a
    // minute: a message queued meanwhile waits.
    let file = r.registries_file("registrar-a");
    let slow = file.with_file_name("slow.registries.toml");
    std::fs::write(
        &slow,
        std::fs::read_to_string(&file)
            .expect("read")
            .replace("poll_seconds = 0", "poll_seconds = 60"),
    )
    .expect("write");
    let config = vpsd_epp_client::config::load(&slow)
        .expect("registries")
        .into_iter()
        .next()
        .expect("one");
    let slow = vpsd_epp_client::EppRegistry::new(config).expect("registry");
    assert!(vpsd_registry::Registry::poll(&slow)
        .await
        .expect("poll")
        .is_none());
    assert_eq!(
        r.request_as("registrar-b", "staying.com", &codes[1]).await,
        1001
    );
    assert!(
        vpsd_registry::Registry::poll(&slow)
            .await
            .expect("poll")
            .is_none(),
        "not asked again within poll_seconds"
    );
    assert!(
        vpsd_registry::Registry::poll(&queue)
            .await
            .expect("poll")
            .is_some(),
        "the message is there"
    );

    a.assert_ledgers_balance().await;
    r.stop().await;
    a.finish().await;
}

/// RFC 3915 end to end: a domain A registered at R lapses; when its
/// redemption begins A's worker deletes it at R (R keeps it in
/// redemptionPeriod), and a restore through A's API restores it at R
/// (request and report) and renews it there, charged once.
async fn a_domain_in_redemption_is_restored_at_the_registry(backend: Backend) {
    use vpsd_domain::lifecycle::{RgpStatus, GRACE_DAYS};
    let r = Remote::start(backend).await;
    let a = registrar_at(&r, backend).await;
    let id = a.register("epp-lapse.com").await;
    let detail = a.activate(id).await;
    let expiry = parse_time(&detail["expiration_date"]);
    let (status, body) = a.put_domain(id, json!({"auto_renew": false})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // R's clock moves past the expiry and the grace period too (no longer
    // in the add grace period, where a delete would purge at once).
    r.advance("396d");
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let redemption = expiry + chrono::Duration::days(GRACE_DAYS) + chrono::Duration::hours(1);
    let pass = a.advance(redemption - a.now()).await;
    assert_eq!(pass.deleted_at_registry, 1, "{pass:?}");
    let (_, body) = a.domain(id).await;
    assert_eq!(body["phase"], "redemption", "{body}");
    assert!(r.record("epp-lapse.com").await.is_none(), "deleted at R");
    let deleted = r
        .deleted("epp-lapse.com")
        .await
        .expect("kept in redemption at R");
    assert_eq!(deleted.record.sponsoring_registrar, "registrar-a");
    assert_eq!(
        RgpStatus::at(
            deleted.deleted_at,
            deleted.restore_requested_at,
            deleted.deleted_at + chrono::Duration::days(1)
        ),
        Some(RgpStatus::RedemptionPeriod)
    );
    // Over EPP, R's info of the held name carries <rgp:infData>: A reads
    // it as registered to us, pending deletion, not as a failure.
    let config = vpsd_epp_client::config::load(&r.registries_file("registrar-a"))
        .expect("registries")
        .into_iter()
        .next()
        .expect("one");
    let at_r = vpsd_epp_client::EppRegistry::new(config).expect("registry");
    let held = vpsd_registry::Registry::info(&at_r, "epp-lapse.com")
        .await
        .expect("info of a name in redemption")
        .expect("registered");
    assert_eq!(held.sponsoring_registrar, vpsd_registry::OUR_REGISTRAR);
    let (status, body) = a.check("domain_name=epp-lapse.com").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["results"][0]["available"], false, "{body}");

    // Restore through A: R has it again, renewed a year from the expiry.
    let balance = a.balance(a.account_id).await;
    let (status, body) = a.restore(id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let renewed = vpsd_domain::lifecycle::add_years(expiry, 1);
    assert_eq!(parse_time(&body["expiration_date"]), renewed, "{body}");
    let at_r = r.record("epp-lapse.com").await.expect("restored at R");
    assert_eq!(at_r.sponsoring_registrar, "registrar-a");
    assert_eq!(at_r.ex_date, renewed, "the same term at A and R");
    assert!(r.deleted("epp-lapse.com").await.is_none());
    let fee = vpsd_domain::pricing::RESTORE_FEE.cents()
        + vpsd_domain::DomainName::parse("epp-lapse.com")
            .expect("name")
            .tld()
            .prices()
            .renew
            .cents();
    assert_eq!(a.balance(a.account_id).await, balance - fee, "charged once");
    // Again: nothing to restore, nothing charged.
    let (status, body) = a.restore(id).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(a.balance(a.account_id).await, balance - fee);

    a.assert_ledgers_balance().await;
    r.stop().await;
    a.finish().await;
}

/// A's hosts (child name servers with glue) are host objects at R: created
/// with their addresses (`<host:create>`), named by A's domain
/// (`<domain:update>`), their addresses changed (`<host:update>` add/rem),
/// listed from `<domain:info>`'s `<domain:host>`, and deleted only once no
/// domain delegates to them (2305 before: `host_in_use`).
async fn child_name_servers_live_at_the_registry(backend: Backend) {
    let r = Remote::start(backend).await;
    let a = registrar_at(&r, backend).await;
    let id = a.register("epp-glue.com").await;
    a.run_worker().await;
    let hosts = format!("/api/v1/domains/{id}/hosts/");
    let ns1 = format!("{hosts}ns1.epp-glue.com/");

    let (status, host) = a
        .post(
            &hosts,
            json!({"host_name": "ns1.epp-glue.com",
                "ip_addresses": ["93.184.216.34", "2606:2800:220:1::1"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{host}");
    let at_r = r.host("ns1.epp-glue.com").await.expect("created at R");
    assert_eq!(at_r.sponsoring_registrar, "registrar-a");
    assert_eq!(
        at_r.addresses,
        vec!["93.184.216.34".to_owned(), "2606:2800:220:1::1".to_owned()]
    );
    let (status, list) = a.get(&hosts).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["count"], 1, "{list}");
    assert_eq!(
        list["results"][0]["ip_addresses"],
        json!(["93.184.216.34", "2606:2800:220:1::1"]),
        "read back from R: {list}"
    );

    // A's domain delegates to it at R.
    let (status, body) = a
        .put_domain(
            id,
            json!({"nameservers": ["ns1.epp-glue.com", "ns1.example.net"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let record = r.record("epp-glue.com").await.expect("at R");
    assert!(
        record.nameservers.contains(&"ns1.epp-glue.com".to_owned()),
        "{:?}",
        record.nameservers
    );
    // A registration naming it is taken by R too.
    let (status, body) = a
        .post_domain(json!({"domain_name": "uses-glue.com",
            "nameservers": ["ns1.epp-glue.com", "ns1.example.net"]}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let uses_id = body["id"].as_i64().expect("id");
    let uses = r.record("uses-glue.com").await.expect("created at R");
    assert!(uses.nameservers.contains(&"ns1.epp-glue.com".to_owned()));

    // New addresses: R follows (one added, one removed).
    let (status, host) = a
        .put(
            &ns1,
            json!({"ip_addresses": ["93.184.216.34", "93.184.216.35"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{host}");
    assert_eq!(host["linked"], true, "{host}");
    let at_r = r.host("ns1.epp-glue.com").await.expect("at R");
    assert_eq!(
        at_r.addresses,
        vec!["93.184.216.34".to_owned(), "93.184.216.35".to_owned()]
    );

    // Linked: R refuses the delete, A says why.
    let (status, err) = a.delete(&ns1).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert_eq!(err["code"], "host_in_use", "{err}");
    assert!(r.host("ns1.epp-glue.com").await.is_some());
    // Unlinked from both domains, it goes.
    a.run_worker().await;
    for d in [id, uses_id] {
        let (status, body) = a
            .put_domain(
                d,
                json!({"nameservers": ["ns1.example.net", "ns2.example.org"]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, err) = a.delete(&ns1).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{err}");
    assert!(r.host("ns1.epp-glue.com").await.is_none());
    let (_, list) = a.get(&hosts).await;
    assert_eq!(list["count"], 0, "{list}");
    a.finish().await;
    r.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_child_name_servers_live_at_the_registry() {
    child_name_servers_live_at_the_registry(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_child_name_servers_live_at_the_registry() {
    child_name_servers_live_at_the_registry(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_domain_in_redemption_is_restored_at_the_registry() {
    a_domain_in_redemption_is_restored_at_the_registry(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_domain_in_redemption_is_restored_at_the_registry() {
    a_domain_in_redemption_is_restored_at_the_registry(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_transfers_out_follow_the_registrys_poll_queue() {
    transfers_out_follow_the_registrys_poll_queue(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_transfers_out_follow_the_registrys_poll_queue() {
    transfers_out_follow_the_registrys_poll_queue(Backend::Postgres).await;
}

/// R carries out a create, then a renewal, and crashes before answering
/// either (`--crash-after`): A never guesses. The registration stays
/// pending and the renewal stands unconfirmed, each charged once; after R
/// is back, A's worker (in a restarted A: a new process on the same
/// database) asks R, finds both done, and completes them without doing
/// either twice. Balances equal the ledger; A and R agree.
async fn lost_answers_are_reconciled_by_asking_the_registry(backend: Backend) {
    let mut r = Remote::start(backend).await;
    let a = registrar_at(&r, backend).await;
    let opening = a.balance(a.account_id).await;

    r.restart_with(&["--crash-after", "domain:create"]).await;
    let id = a.register("lost-create.com").await;
    r.wait_exit().await;
    let at_r = r
        .record("lost-create.com")
        .await
        .expect("R created it before crashing");
    assert_eq!(at_r.sponsoring_registrar, "registrar-a");
    let (_, d) = a.domain(id).await;
    assert_eq!(d["status"], "pending", "{d}");
    assert_eq!(a.balance(a.account_id).await, opening - 12_99);

    r.restart().await;
    a.advance(a.registration_delay()).await;
    let (_, d) = a.domain(id).await;
    assert_eq!(d["status"], "active", "{d}");
    assert_eq!(parse_time(&d["expiration_date"]), at_r.ex_date);

    r.restart_with(&["--crash-after", "domain:renew"]).await;
    let (status, body) = a.renew(id, json!({"years": 1})).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the renewal stands, to be confirmed: {body}"
    );
    r.wait_exit().await;
    let renewed_at_r = r.record("lost-create.com").await.expect("at R");
    assert_eq!(
        renewed_at_r.ex_date,
        vpsd_domain::lifecycle::add_years(at_r.ex_date, 1)
    );
    assert_eq!(parse_time(&body["expiration_date"]), renewed_at_r.ex_date);
    assert_eq!(
        a.balance(a.account_id).await,
        opening - 2 * 12_99,
        "charged once, kept"
    );

    // A restarts (another process on the same database) and R is back.
    r.restart().await;
    let restarted = vpsd::server::App::build(a.settings.clone(), a.clock.clone())
        .await
        .expect("A again");
    let pass = vpsd_registrar::worker::run_once(&restarted.registrar)
        .await
        .expect("a pass");
    assert_eq!(pass.renewals_confirmed, 1, "{pass:?}");
    let at_r = r.record("lost-create.com").await.expect("at R");
    assert_eq!(
        at_r.ex_date, renewed_at_r.ex_date,
        "renewed once, not twice"
    );
    let again = vpsd_registrar::worker::run_once(&restarted.registrar)
        .await
        .expect("a pass");
    assert_eq!(again.renewals_confirmed, 0, "confirmed once: {again:?}");
    assert_eq!(a.balance(a.account_id).await, opening - 2 * 12_99);
    a.assert_ledgers_balance().await;
    r.stop().await;
    a.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_lost_answers_are_reconciled_by_asking_the_registry() {
    lost_answers_are_reconciled_by_asking_the_registry(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_lost_answers_are_reconciled_by_asking_the_registry() {
    lost_answers_are_reconciled_by_asking_the_registry(Backend::Postgres).await;
}

/// Once A has sold .com through R, a process started on A's database
/// without the registries file refuses to serve .com from the sandbox, and
/// the sandbox clock does not move, until the operator says so.
async fn a_database_that_sells_through_a_registry_needs_its_file(backend: Backend) {
    let r = Remote::start(backend).await;
    let a = registrar_at(&r, backend).await;
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_vpsd"))
            .args(args)
            .env("VPSD_DATABASE_URL", &a.database_url)
            .env_remove("VPSD_REGISTRIES")
            .env("RUST_LOG", "warn")
            .output()
            .expect("run vpsd")
    };
    for args in [&["worker"][..], &["sandbox", "clock", "advance", "1d"][..]] {
        let out = run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} ran");
        assert!(
            stderr.contains(".com, .net through real registries"),
            "{args:?}: {stderr}"
        );
    }
    let out = run(&["registry", "forget-real-registries"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("forgot the real registries of .com, .net")
    );
    let out = run(&["sandbox", "clock", "advance", "1d"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    r.stop().await;
    a.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_database_that_sells_through_a_registry_needs_its_file() {
    a_database_that_sells_through_a_registry_needs_its_file(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_database_that_sells_through_a_registry_needs_its_file() {
    a_database_that_sells_through_a_registry_needs_its_file(Backend::Postgres).await;
}

/// R's operator gives a registrar a new password: the old one stops
/// logging in, the new one does; an unknown registrar is named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registrar_gets_a_new_password() {
    let r = Remote::start(Backend::Sqlite).await;
    assert_eq!(r.login_code("registrar-b", "pw-B-7h1m4q").await, 1000);
    let (ok, stderr) = r.set_password("registrar-b", "new-B-pw-42");
    assert!(ok, "{stderr}");
    assert_eq!(r.login_code("registrar-b", "pw-B-7h1m4q").await, 2200);
    assert_eq!(r.login_code("registrar-b", "new-B-pw-42").await, 1000);
    let (ok, stderr) = r.set_password("registrar-z", "new-Z-pw-42");
    assert!(
        !ok && stderr.contains("there is no registrar registrar-z"),
        "{stderr}"
    );
    let (ok, stderr) = r.set_password("registrar-b", "abc");
    assert!(!ok && stderr.contains("6 to 16 characters"), "{stderr}");
    r.stop().await;
}

/// `serve-epp --sessions-per-registrar 1`: a second session of one
/// registrar is refused with 2502, another registrar's is not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operator_sets_the_session_limit() {
    let mut r = Remote::start(Backend::Sqlite).await;
    r.restart_with(&["--sessions-per-registrar", "1"]).await;
    let _held = r.session("registrar-b").await;
    assert_eq!(r.login_code("registrar-b", "pw-B-7h1m4q").await, 2502);
    assert_eq!(
        r.login_code("registrar-a", registry::PASSWORD_A).await,
        1000
    );
    r.stop().await;
}

/// The start-up login says which key of the registries file is wrong: the
/// password, the CA, the port.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_start_up_login_names_the_key_at_fault() {
    let r = Remote::start(Backend::Sqlite).await;
    let file = r.registries_file("registrar-a");
    let good = std::fs::read_to_string(&file).expect("read");
    let dir = file.parent().expect("dir").to_owned();
    std::fs::write(dir.join("wrong.password"), "not-the-pw").expect("write");
    let other_ca = rcgen::KeyPair::generate().expect("key");
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let other = params.self_signed(&other_ca).expect("CA");
    std::fs::write(dir.join("other-ca.pem"), other.pem()).expect("write");
    let probe = |text: String| {
        let dir = dir.clone();
        async move {
            let path = dir.join("probe.registries.toml");
            std::fs::write(&path, text).expect("write");
            let config = vpsd_epp_client::config::load(&path)
                .expect("registries")
                .into_iter()
                .next()
                .expect("one");
            vpsd_epp_client::EppRegistry::new(config)
                .expect("registry")
                .probe()
                .await
        }
    };
    assert_eq!(probe(good.clone()).await, Ok(()));
    let wrong_password = good.replace("registrar-a.password", "wrong.password");
    let err = probe(wrong_password).await.expect_err("refused login");
    assert!(err.contains("`client_id` or the password"), "{err}");
    let err = probe(good.replace("ca.pem", "other-ca.pem"))
        .await
        .expect_err("unknown CA");
    assert!(err.contains("`ca`"), "{err}");
    let port = r.addr.port().to_string();
    let closed = crate::mail::free_port().to_string();
    let err = probe(good.replace(&format!("port = {port}"), &format!("port = {closed}")))
        .await
        .expect_err("nothing listens");
    assert!(err.contains("`host`/`port`"), "{err}");
    assert!(!err.contains("not-the-pw"), "{err}");
    r.stop().await;
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

/// `vpsd worker --registries` logs in to R with whatever `RUST_LOG` asks
/// for, the EPP library's own targets at `trace` included (it logs whole
/// commands, the login's password among them, at `debug`, and a whole
/// answer it cannot read at `error`): no password and no EPP XML reaches
/// the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_rust_log_setting_lets_the_epp_password_into_the_log() {
    let r = Remote::start(Backend::Sqlite).await;
    let file = r.registries_file("registrar-a");
    for rust_log in [
        "trace",
        "info,instant_epp=trace",
        "info,instant_epp::client=trace",
        "info,instant_epp::connection=trace",
    ] {
        let dir = tempfile::tempdir().expect("dir");
        let database_url = crate::helpers::fresh_database(Backend::Sqlite, dir.path()).await;
        let log_path = dir.path().join("worker.log");
        let log = std::fs::File::create(&log_path).expect("log");
        let mut worker = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpsd"))
            .args(["worker", "--registries", file.to_str().expect("path")])
            .env("VPSD_DATABASE_URL", &database_url)
            .env("RUST_LOG", rust_log)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::from(log))
            .kill_on_drop(true)
            .spawn()
            .expect("vpsd worker");
        // The worker polls R's queue at once: wait for its login.
        let mut logged = String::new();
        for _ in 0..300 {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            logged = std::fs::read_to_string(&log_path).unwrap_or_default();
            if logged.contains("EPP session logged in") && logged.contains("poll req") {
                break;
            }
        }
        let _ = worker.kill().await;
        let logged = std::fs::read_to_string(&log_path).unwrap_or(logged);
        assert!(
            logged.contains("EPP session logged in"),
            "RUST_LOG={rust_log}: the worker logged in to R: {logged}"
        );
        assert!(
            !logged.contains(registry::PASSWORD_A),
            "RUST_LOG={rust_log}: the EPP password is in the log"
        );
        assert!(
            !logged.contains("<login>") && !logged.contains("<pw>"),
            "RUST_LOG={rust_log}: EPP XML is in the log"
        );
    }
    r.stop().await;
}
