//! Health, readiness, metrics, request ids, timeouts, JSON logs, and the
//! worker in a process of its own.

use std::process::Stdio;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::AsyncBufReadExt;

use crate::endpoints::{api, url};
use crate::helpers::{assert_error, Backend, TestApp};
use crate::mail::free_port;
use vps_client::paths;

crate::both!(worker: health_ready_metrics_and_request_ids);

async fn health_ready_metrics_and_request_ids(app: &TestApp) {
    let mut ids = Vec::new();
    for path in ["/healthz", "/readyz", "/healthz"] {
        let resp = app
            .http
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let id = resp
            .headers()
            .get("x-request-id")
            .expect("request id")
            .to_str()
            .expect("ascii")
            .to_owned();
        assert!(id.len() >= 8, "{id}");
        ids.push(id);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "every request its own id");
    let resp = app
        .http
        .get(app.url(paths::DOMAINS))
        .bearer_auth(&app.token)
        .header("X-Request-Id", "client-chosen-42")
        .send()
        .await
        .expect("get");
    assert_eq!(
        resp.headers().get("x-request-id").map(|v| v.as_bytes()),
        Some(&b"client-chosen-42"[..])
    );
    let id = app.register("metered.com").await;
    app.domain(id).await;
    app.domain(999).await;
    // The server's own worker (on in this test) completes the registration
    // once it is due, and counts the pass's jobs when the pass ends: ask,
    // every 50 ms of real time, until the count is there.
    app.clock.advance(app.registration_delay());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let text = loop {
        let metrics = app
            .http
            .get(format!("{}/metrics", app.base))
            .send()
            .await
            .expect("metrics");
        assert_eq!(metrics.status(), StatusCode::OK);
        let text = metrics.text().await.expect("text");
        if text.contains(r#"vpsd_worker_jobs_total{kind="registration_completed"}"#)
            || std::time::Instant::now() > deadline
        {
            break text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let (_, body) = app.domain(id).await;
    assert_eq!(body["status"], "active", "{body}");
    assert!(text.contains(r#"vpsd_http_requests_total{method="GET",route="/api/v1/domains/{domain_id}/",status="200"}"#), "{text}");
    assert!(text.contains(r#"vpsd_http_requests_total{method="GET",route="/api/v1/domains/{domain_id}/",status="404"} 1"#), "{text}");
    assert!(text.contains(
        r#"vpsd_http_requests_total{method="POST",route="/api/v1/domains/",status="201"} 1"#
    ));
    assert!(text.contains("vpsd_http_request_duration_seconds_bucket"));
    assert!(
        text.contains(r#"vpsd_worker_jobs_total{kind="registration_completed"}"#),
        "{text}"
    );
    assert!(text.contains(r#"vpsd_db_pool_connections{state="open"}"#));
    assert!(
        !text.contains("/api/v1/domains/999"),
        "raw paths never become labels"
    );
    assert!(!text.contains(&app.token));
}

/// No worker in the test's server nor in the API process: only the
/// `vpsd worker` process can complete the registration.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_in_its_own_process() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = TestApp::builder().worker(false).spawn(backend).await;
        worker_apart(&app).await;
        app.finish().await;
    }
}

async fn worker_apart(app: &TestApp) {
    // An API process without a worker, with JSON logs and metrics apart.
    let port = free_port();
    let metrics_port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut api = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpsd"))
        .args([
            "--log-format",
            "json",
            "serve",
            "--no-worker",
            "--listen",
            &addr,
        ])
        .args(["--metrics-listen", &format!("127.0.0.1:{metrics_port}")])
        .args(["--registration-delay", "1s"])
        .env("VPSD_DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("vpsd serve");
    let mut logs = tokio::io::BufReader::new(api.stderr.take().expect("stderr")).lines();
    let started = tokio::time::timeout(Duration::from_secs(30), async {
        while let Ok(Some(line)) = logs.next_line().await {
            let v: Value =
                serde_json::from_str(&line).unwrap_or_else(|_| panic!("not JSON: {line}"));
            if v["message"] == "serving the Domains API" {
                return v;
            }
        }
        Value::Null
    })
    .await
    .expect("started");
    assert_eq!(started["addr"], addr);
    let http = reqwest::Client::new();
    let resp = http
        .post(url(&format!("http://{addr}"), paths::DOMAINS))
        .bearer_auth(&app.token)
        .json(&json!({"domain_name": "apart.com"}))
        .send()
        .await
        .expect("register");
    assert_eq!(resp.status(), StatusCode::CREATED);
    let id = resp.json::<Value>().await.expect("json")["id"]
        .as_i64()
        .expect("id");
    assert_eq!(
        http.get(format!("http://{addr}/metrics"))
            .send()
            .await
            .expect("m")
            .status(),
        StatusCode::NOT_FOUND,
        "metrics live on their own address"
    );
    let m = http
        .get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .send()
        .await
        .expect("m");
    assert_eq!(m.status(), StatusCode::OK);
    // The API process runs on the real clock: wait out its one-second
    // registration delay, so only a missing worker leaves it pending.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (_, pending) = app.domain(id).await;
    assert_eq!(pending["status"], "pending", "no worker has run yet");
    let mut worker = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpsd"))
        .args(["worker"])
        .env("VPSD_DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("vpsd worker");
    // The `vpsd worker` process completes it, in its own time.
    crate::helpers::poll_until("the worker process activates it", || async {
        let (_, body) = app.domain(id).await;
        body["status"] == "active"
    })
    .await;
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &worker.id().expect("pid").to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(10), worker.wait())
        .await
        .expect("worker stops on SIGTERM")
        .expect("status");
    assert!(status.success());
    let _ = api.kill().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_requests_are_stopped_with_a_json_503() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = TestApp::spawn_with(backend, |s| {
            s.request_timeout = Duration::from_nanos(1);
            s.rate_limit = None;
        })
        .await;
        let deadline = Instant::now() + Duration::from_secs(5);
        let mut n = 0;
        let (status, body) = loop {
            // A new search each time: a kept list page could answer before
            // the timeout is first looked at; the database cannot.
            n += 1;
            let (status, body) = app.domains_where(&format!("search=x{n}")).await;
            if status != StatusCode::OK || Instant::now() > deadline {
                break (status, body);
            }
        };
        assert_error(
            status,
            &body,
            StatusCode::SERVICE_UNAVAILABLE,
            "request_timeout",
        );
        app.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_answers_429_with_retry_after() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = TestApp::spawn_with(backend, |s| {
            s.rate_limit = vpsd_api::limits::RateLimit::parse("1/s,burst=3").expect("rate")
        })
        .await;
        // The harness's own set-up made no API calls with this token.
        for _ in 0..3 {
            let (status, _) = app.domains().await;
            assert_eq!(status, StatusCode::OK);
        }
        let resp = app
            .http
            .get(app.url(paths::DOMAINS))
            .bearer_auth(&app.token)
            .send()
            .await
            .expect("get");
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            resp.headers().get("retry-after").map(|v| v.as_bytes()),
            Some(&b"1"[..])
        );
        let body: Value = resp.json().await.expect("json");
        assert_eq!(body["code"], "rate_limited");
        let (_, other) = app.new_account("other@example.com", 0).await;
        let (status, _) = app
            .request_as(
                Some(&other),
                reqwest::Method::GET,
                &api(paths::DOMAINS),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "each token has its own bucket");
        // The rate limiter's buckets refill on real time, not the
        // server's clock.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let (status, _) = app.domains().await;
        assert_eq!(status, StatusCode::OK, "a second later it may go on");
        app.finish().await;
    }
}

/// Without ANSI colour codes (the human log format colours its fields).
fn plain(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// At the default log level (no RUST_LOG), `vpsd serve` logs one line per
/// request: method, route template, status, time in ms and the request id
/// the response carries; never the token, the raw path or the query.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_is_logged_at_the_default_level() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let addr = format!("127.0.0.1:{}", free_port());
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpsd"))
        .args(["serve", "--listen", &addr])
        .env("VPSD_DATABASE_URL", &app.database_url)
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("vpsd serve");
    let mut logs = tokio::io::BufReader::new(server.stderr.take().expect("stderr")).lines();
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while http
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "vpsd serve did not start");
        // A `vpsd serve` child process starting.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let resp = http
        .get(format!(
            "http://{addr}/api/v1/domains/424242/?search=secret-in-query"
        ))
        .bearer_auth(&app.token)
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let id = resp
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("request id")
        .to_owned();
    let line = tokio::time::timeout(Duration::from_secs(10), async {
        while let Ok(Some(line)) = logs.next_line().await {
            let line = plain(&line);
            if line.contains(&id) {
                return line;
            }
        }
        String::new()
    })
    .await
    .expect("a log line with the request id");
    for want in [
        "INFO",
        "method=GET",
        "route=/api/v1/domains/{domain_id}/",
        "status=404",
        "latency_ms=",
        &format!("request_id={id}"),
    ] {
        assert!(line.contains(want), "no {want} in: {line}");
    }
    for secret in [app.token.as_str(), "secret-in-query", "424242"] {
        assert!(!line.contains(secret), "{secret} logged: {line}");
    }
    let _ = server.kill().await;
    app.finish().await;
}
