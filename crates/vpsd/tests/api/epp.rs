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
    assert_eq!(
        parse_time(&detail["expiration_date"]).timestamp(),
        at_r.ex_date.timestamp(),
        "R's exDate, to the second as EPP dates go"
    );

    a.assert_ledgers_balance().await;
    r.stop().await;
    a.finish().await;
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

    a.assert_ledgers_balance().await;
    r.stop().await;
    a.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_transfers_out_follow_the_registrys_poll_queue() {
    transfers_out_follow_the_registrys_poll_queue(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_transfers_out_follow_the_registrys_poll_queue() {
    transfers_out_follow_the_registrys_poll_queue(Backend::Postgres).await;
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
