//! The operator's commands end to end, their refusals of bad input, and a
//! quiet end when their standard output is closed.

use std::process::{Command, Stdio};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::endpoints::api;
use crate::helpers::TestApp;
use vps_client::paths;

use super::*;

crate::both!(
    operator_commands_work_end_to_end,
    operator_commands_refuse_bad_input,
);

async fn operator_commands_work_end_to_end(app: &TestApp) {
    let (ok, out, err) = vpsd(
        app,
        &[
            "account",
            "create",
            "--email",
            "ops@example.com",
            "--balance",
            "20",
        ],
    );
    assert!(ok, "{err}");
    let id: i64 = out
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("id alone on stdout: {out:?}"));
    assert_eq!(out, format!("{id}\n"));
    let (ok, _, err) = vpsd(
        app,
        &[
            "account",
            "credit",
            "--account",
            &id.to_string(),
            "--amount",
            "5.50",
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(app.balance(id.into()).await, 25_50);
    let (ok, out, err) = vpsd(
        app,
        &[
            "token",
            "create",
            "--account",
            &id.to_string(),
            "--name",
            "ci",
        ],
    );
    assert!(ok, "{err}");
    let token = out.trim().to_owned();
    assert_eq!(out, format!("{token}\n"));
    assert!(token.starts_with("vps_") && token.len() == 68);
    let (ok, _, err) = vpsd(
        app,
        &[
            "--database",
            &app.database_url,
            "registry",
            "add",
            "held.com",
            "--registrar",
            "Other Registrar LLC",
            "--auth-code",
            "abc-123",
            "--created",
            "2024-01-15T10:30:00Z",
            "--nameservers",
            "ns1.other.net,ns2.other.net",
        ],
    );
    assert!(ok, "{err}");
    assert!(!err.contains("abc-123"), "auth code echoed: {err}");

    // The token works over HTTP; the registry name can be imported and moved.
    let (status, body) = app
        .request_as(
            Some(&token),
            Method::POST,
            &api(paths::IMPORT),
            Some(json!({"domain_name": "held.com"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["registration_date"], "2024-01-15T10:30:00Z");
    assert_eq!(
        body["nameservers"],
        json!(["ns1.other.net", "ns2.other.net"])
    );
    let domain = body["id"].as_i64().expect("id");
    // A transfer in needs a contact (the account's default, made here).
    let (status, body) = app
        .request_as(
            Some(&token),
            Method::POST,
            &api(paths::CONTACTS),
            Some(crate::contacts::jane()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = app
        .request_as(
            Some(&token),
            Method::POST,
            &api(&paths::transfer(domain)),
            Some(json!({"auth_code": "abc-123"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.balance(id.into()).await, 25_50 - 12_99);
    let ledger = app.app.store.ledger(id.into()).await.expect("ledger");
    assert_eq!(
        ledger.iter().map(|e| e.amount.cents()).collect::<Vec<_>>(),
        vec![20_00, 5_50, -12_99]
    );
}

async fn operator_commands_refuse_bad_input(app: &TestApp) {
    for args in [
        &["account", "create", "--email", "not-an-email"][..],
        &["account", "create", "--email", "a@b.com", "--balance", "-5"],
        &["account", "credit", "--account", "999", "--amount", "5"],
        &["token", "create", "--account", "999"],
        &[
            "registry",
            "add",
            "bad_name.com",
            "--registrar",
            "X",
            "--auth-code",
            "c",
        ],
        &[
            "registry",
            "add",
            "x.xyz",
            "--registrar",
            "X",
            "--auth-code",
            "c",
        ],
        &["serve", "--registration-delay", "5 minutes"],
    ] {
        let (ok, out, err) = vpsd(app, args);
        assert!(!ok, "{args:?} succeeded: {out}");
        assert!(!err.is_empty(), "{args:?}: no message");
    }
    let (ok, _, _) = vpsd(
        app,
        &[
            "registry",
            "add",
            "dup.com",
            "--registrar",
            "X",
            "--auth-code",
            "c",
        ],
    );
    assert!(ok);
    let (ok, _, err) = vpsd(
        app,
        &[
            "registry",
            "add",
            "dup.com",
            "--registrar",
            "Y",
            "--auth-code",
            "c",
        ],
    );
    assert!(!ok);
    assert!(err.contains("dup.com"), "{err}");
    assert_eq!(app.app.store.account_count().await.expect("count"), 1);
}

/// Runs `vpsd ARGS` with its standard output on a socket whose reader has
/// already gone, as `vpsd ... | head -1` leaves it once `head` is done.
fn vpsd_into_closed_stdout(args: &[&str]) -> std::process::Output {
    let (stdout, reader) = std::os::unix::net::UnixStream::pair().expect("socket pair");
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_vpsd"))
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::from(std::os::fd::OwnedFd::from(stdout)))
        .stderr(Stdio::piped())
        .output()
        .expect("run vpsd")
}

/// `vpsd openapi | head -1`, `vpsd token list ... | head -1`: once the reader
/// of standard output has gone, `vpsd` ends quietly with 0 (as `vps` does),
/// not with a panic, exit code 101 and a backtrace.
#[test]
fn closed_stdout_ends_vpsd_quietly() {
    let dir = tempfile::tempdir().expect("dir");
    let database = format!("sqlite://{}", dir.path().join("pipe.db").display());
    for args in [
        &["openapi"][..],
        &["sandbox", "clock", "show", "--database", &database],
    ] {
        let out = vpsd_into_closed_stdout(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {} {err}", out.status);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: {err}");
    }
}
