//! Mail delivery over real SMTP: an aiosmtpd server started by the test.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::json;
use tokio::io::AsyncBufReadExt;
use vpsd_mailer::Mailer;

use crate::endpoints::api;
use crate::helpers::TestApp;
use vps_client::paths;

crate::both!(every_mail_type_arrives_once, relay_down_then_delivered_once);

/// A running SMTP sink; stops when dropped.
pub struct SmtpSink {
    _child: tokio::process::Child,
    pub dir: tempfile::TempDir,
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

impl SmtpSink {
    pub async fn start(port: u16) -> SmtpSink {
        let dir = tempfile::tempdir().expect("dir");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp_sink.py");
        crate::helpers::require_python_module(
            "aiosmtpd",
            crate::helpers::Package::PyPi("aiosmtpd"),
        );
        let mut child = tokio::process::Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 with aiosmtpd (pip install aiosmtpd)");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(StdDuration::from_secs(20), lines.next_line())
            .await
            .expect("SMTP sink start");
        assert_eq!(
            ready.expect("line").as_deref(),
            Some("ready"),
            "aiosmtpd missing?"
        );
        SmtpSink { _child: child, dir }
    }

    /// The messages received so far, oldest first.
    pub fn messages(&self) -> Vec<String> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("read dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|p| std::fs::read_to_string(p).expect("eml"))
            .collect()
    }
}

pub fn subject(message: &str) -> String {
    // Unfold folded header lines (RFC 5322 §2.2.3) before reading.
    let headers = message
        .split("\r\n\r\n")
        .next()
        .unwrap_or("")
        .replace("\r\n ", " ");
    headers
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .unwrap_or("")
        .to_owned()
}

pub fn mailer(app: &TestApp, port: u16) -> Mailer {
    Mailer::new(
        app.app.store.clone(),
        app.clock.clone(),
        &format!("smtp://127.0.0.1:{port}"),
        "VPS.org Domains <domains@vps.org>",
    )
    .expect("mailer")
}

pub async fn deliver_all(mailer: &Mailer) -> usize {
    let mut sent = 0;
    loop {
        let outcome = mailer.deliver_due().await.expect("deliver");
        sent += outcome.sent;
        if !outcome.more_due {
            return sent;
        }
    }
}

async fn every_mail_type_arrives_once(app: &TestApp) {
    let port = free_port();
    let sink = SmtpSink::start(port).await;
    let mailer = mailer(app, port);
    let old = app.now() - Duration::days(365);

    // Registration; renewal by hand.
    let a = app.register("alpha.com").await;
    app.advance(Duration::seconds(2)).await;
    let (status, _) = app.renew(a, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    // A transfer that completes and one the losing registrar rejects.
    app.held_elsewhere("moved.net", "c1", old, false).await;
    app.held_elsewhere("stuck.org", "c2", old, false).await;
    let moved = app.import("moved.net").await;
    let stuck = app.import("stuck.org").await;
    app.transfer(moved, json!({"auth_code": "c1"})).await;
    app.transfer(stuck, json!({"auth_code": "c2"})).await;
    app.app
        .store
        .registry_cancel_transfer("stuck.org", "VPS.org", &[])
        .await
        .expect("reject");
    app.advance(Duration::seconds(2)).await;
    // An auto-renewal without funds.
    let (_, thin) = app.new_account("thin@example.com", 12_99).await;
    let (status, _) = app
        .request_as(
            Some(&thin),
            Method::POST,
            &api(paths::DOMAINS),
            Some(json!({"domain_name": "thin.io", "auto_renew": true})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::PAYMENT_REQUIRED,
        "thin.io costs more: use .com"
    );
    let (status, body) = app
        .request_as(
            Some(&thin),
            Method::POST,
            &api(paths::DOMAINS),
            Some(json!({"domain_name": "thin.com"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // A domain left to lapse: warnings, expiry, release.
    let (status, body) = app
        .post_domain(json!({"domain_name": "lapse.dev", "auto_renew": false}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let expiry = crate::helpers::parse_time(&body["expiration_date"]);
    app.advance(Duration::seconds(2)).await;
    for at in [
        expiry - Duration::days(30) + Duration::hours(1),
        expiry - Duration::days(7) + Duration::hours(1),
        expiry - Duration::hours(12),
        expiry + Duration::hours(1),
        expiry + Duration::days(66),
    ] {
        let by = at - app.now();
        app.advance(by).await;
    }
    let queued = app.app.store.outbox().await.expect("outbox").len();
    let sent = deliver_all(&mailer).await;
    assert_eq!(sent, queued);
    assert_eq!(deliver_all(&mailer).await, 0, "nothing sent twice");

    let messages = sink.messages();
    assert_eq!(messages.len(), queued);
    let subjects: Vec<String> = messages.iter().map(|m| subject(m)).collect();
    let once = |want: &str| {
        let n = subjects.iter().filter(|s| s.as_str() == want).count();
        assert_eq!(n, 1, "{want:?} arrived {n} times: {subjects:#?}");
        messages
            .iter()
            .find(|m| subject(m) == want)
            .cloned()
            .unwrap_or_default()
    };
    let registered = once("alpha.com is registered");
    assert!(registered.contains("To: owner@example.com"));
    assert!(
        registered.contains("From: \"VPS.org Domains\" <domains@vps.org>")
            || registered.contains("From: VPS.org Domains <domains@vps.org>"),
        "{registered}"
    );
    assert!(registered.contains("Message-ID: <outbox-"));
    once("alpha.com has been renewed");
    once("The transfer of moved.net to VPS.org has started");
    once("moved.net has been transferred to VPS.org");
    once("The transfer of stuck.org failed");
    // Retried on each of the three days the clock stopped at before expiry,
    // and mailed each time.
    let failed: Vec<&String> = messages
        .iter()
        .filter(|m| subject(m) == "Action needed: thin.com could not be renewed")
        .collect();
    assert_eq!(failed.len(), 3, "{subjects:#?}");
    assert!(failed[0].contains("To: thin@example.com"));
    let w30 = once("lapse.dev expires in 30 days");
    assert!(
        w30.contains(&expiry.format("%Y-%m-%d").to_string()),
        "{w30}"
    );
    once("lapse.dev expires in 7 days");
    once("lapse.dev expires in 1 day");
    let expired = once("lapse.dev has expired");
    assert!(expired.contains(&(expiry + Duration::days(30)).format("%Y-%m-%d").to_string()));
    once("lapse.dev has been released");
    let outbox = app.app.store.outbox().await.expect("outbox");
    assert!(outbox.iter().all(|m| m.sent_at.is_some()));
}

async fn relay_down_then_delivered_once(app: &TestApp) {
    let port = free_port();
    let mailer = mailer(app, port);
    app.register("patient.com").await;
    app.advance(Duration::seconds(2)).await;
    // Nothing listens: the attempts (the registration's mail, and the
    // fixture contact's email verification) fail and are retried later.
    let outcome = mailer.deliver_due().await.expect("pass");
    assert_eq!((outcome.sent, outcome.retrying), (0, 2));
    let sink = SmtpSink::start(port).await;
    let outcome = mailer.deliver_due().await.expect("pass");
    assert_eq!(outcome.sent, 0, "backing off");
    let outbox = app.app.store.outbox().await.expect("outbox");
    assert!(outbox
        .iter()
        .all(|m| m.attempts == 1 && m.last_error.is_some()));
    app.clock.advance(Duration::seconds(31));
    assert_eq!(deliver_all(&mailer).await, 2);
    assert_eq!(deliver_all(&mailer).await, 0);
    app.clock.advance(Duration::hours(2));
    assert_eq!(deliver_all(&mailer).await, 0);
    // The SMTP sink receives on its own task, over a real socket.
    let deadline = Instant::now() + StdDuration::from_secs(5);
    while sink.messages().len() < 2 && Instant::now() < deadline {
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    let messages = sink.messages();
    assert_eq!(messages.len(), 2);
    assert!(messages
        .iter()
        .any(|m| subject(m) == "patient.com is registered"));
}
