//! Findings of a break-it pass: secrets and their permission, secrets kept
//! out of the replay store, duplicate JSON keys, connection handling, the
//! request id and the public URL.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use vpsd_storage::Actor;

use crate::endpoints::api;
use crate::helpers::{assert_error, Backend, TestApp};
use vps_client::paths;

crate::both!(secrets_need_a_read_write_token_and_stay_out_of_the_replay_store);

/// What the replay store holds for `key`: the stored answers' text.
async fn stored_answers(app: &TestApp) -> Vec<String> {
    app.column("SELECT response_body FROM idempotency_keys WHERE response_body IS NOT NULL")
        .await
}

async fn post_keyed(app: &TestApp, path: &str, key: &str) -> (StatusCode, bool, Value) {
    let resp = app
        .http
        .post(format!("{}{}", app.base, path))
        .bearer_auth(&app.token)
        .header("Idempotency-Key", key)
        .json(&json!({}))
        .send()
        .await
        .expect("send");
    let status = resp.status();
    let replayed = resp.headers().contains_key("idempotent-replayed");
    (status, replayed, resp.json().await.expect("json"))
}

async fn secrets_need_a_read_write_token_and_stay_out_of_the_replay_store(app: &TestApp) {
    let id = app.register("secret-keeper.com").await;
    app.activate(id).await;
    let path = api(&paths::auth_code(id));
    let (_, reader) = app
        .app
        .registrar
        .issue_token(&Actor::operator(), app.account_id, "dashboard", true, None)
        .await
        .expect("token");

    // A read-only token reads the domain, not its auth code.
    let (status, _) = app
        .request_as(Some(&reader), Method::GET, &api(&paths::domain(id)), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .request_as(Some(&reader), Method::GET, &path, None)
        .await;
    assert_error(
        status,
        &body,
        StatusCode::FORBIDDEN,
        "secret_needs_read_write_token",
    );
    assert!(body.get("auth_code").is_none(), "{body}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("read-write token")),
        "{body}"
    );
    // A read-write token does.
    let (status, shown) = app.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{shown}");

    // A new code with an Idempotency-Key: the replay answers the same code,
    // and the stored answer does not hold it.
    let (status, replayed, first) = post_keyed(app, &path, "new-code-1").await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert!(!replayed);
    let code = first["auth_code"].as_str().expect("code").to_owned();
    assert_ne!(Some(code.as_str()), shown["auth_code"].as_str());
    let (status, replayed, again) = post_keyed(app, &path, "new-code-1").await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert!(replayed, "answered from the replay store");
    assert_eq!(
        again, first,
        "the replay answers what the first answer said"
    );
    let stored = stored_answers(app).await;
    assert!(!stored.is_empty(), "the answer was stored");
    for text in &stored {
        assert!(!text.contains(&code), "the code is kept at rest: {text}");
    }
    // The code in force is the one answered.
    let (_, now) = app.get(&path).await;
    assert_eq!(now["auth_code"], first["auth_code"]);
}

/// Tests whose subject involves no storage run on SQLite alone.
async fn sqlite_app() -> TestApp {
    TestApp::spawn(Backend::Sqlite).await
}

async fn post_raw(app: &TestApp, path: &str, body: &str) -> (StatusCode, Value) {
    let resp = app
        .http
        .post(format!("{}{}", app.base, path))
        .bearer_auth(&app.token)
        .header("Content-Type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("send");
    let status = resp.status();
    (status, resp.json().await.expect("json"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_twice_in_a_body_is_refused_naming_it() {
    let app = sqlite_app().await;
    let (status, body) = post_raw(
        &app,
        &api(paths::DOMAINS),
        r#"{"domain_name": "a.com", "domain_name": "b.com"}"#,
    )
    .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "duplicate_key");
    assert!(body["errors"]["domain_name"].is_array(), "{body}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("\"domain_name\"")),
        "{body}"
    );
    let (_, list) = app.domains().await;
    assert_eq!(list["count"], 0, "nothing registered: {list}");
    // Nested objects too, named by their path; a key once per object is
    // fine.
    let (status, body) = post_raw(
        &app,
        &api(paths::DOMAINS),
        r#"{"domain_name": "a.com", "x": [{"k": 1}, {"k": 1, "k": 2}]}"#,
    )
    .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "duplicate_key");
    assert!(body["errors"]["x[1].k"].is_array(), "{body}");
    let (status, body) = post_raw(&app, &api(paths::DOMAINS), r#"{"domain_name": "a.com"}"#).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.finish().await;
}

/// Reads from `stream` until the end of the answer's head; the head, and
/// whether the server closed the connection afterwards (within `wait`).
async fn read_head_then_close(
    stream: &mut tokio::net::TcpStream,
    wait: std::time::Duration,
) -> (String, bool) {
    use tokio::io::AsyncReadExt;
    let mut seen = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let deadline = tokio::time::Instant::now() + wait;
    let mut closed = false;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                closed = true;
                break;
            }
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
            Err(_) => break,
        }
    }
    let text = String::from_utf8_lossy(&seen).into_owned();
    let head = text.split("\r\n\r\n").next().unwrap_or("").to_owned();
    (head, closed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_before_the_connection_closes_says_connection_close() {
    use tokio::io::AsyncWriteExt;
    let app = sqlite_app().await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    // A body over 64 KiB on a kept-alive connection: 413, and the server
    // closes the connection, so it says so.
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let body = format!("{{\"domain_name\": \"{}.com\"}}", "a".repeat(70 * 1024));
    let request = format!(
        "POST /api/v1/domains/ HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        app.token,
        body.len()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let (head, closed) = read_head_then_close(&mut stream, std::time::Duration::from_secs(5)).await;
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    assert!(
        head.to_ascii_lowercase().contains("connection: close"),
        "the 413 says the connection closes: {head}"
    );
    assert!(closed, "and the server closes it");
    // Announced with `Expect: 100-continue`, the body is refused before it
    // is sent: a 413, never `100 Continue`.
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let request = format!(
        "POST /api/v1/domains/ HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n",
        app.token
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let (head, closed) = read_head_then_close(&mut stream, std::time::Duration::from_secs(5)).await;
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    assert!(closed, "{head}");
    // A request read to its end keeps the connection.
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    stream
        .write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await
        .expect("write");
    let (head, closed) =
        read_head_then_close(&mut stream, std::time::Duration::from_millis(500)).await;
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        !head.to_ascii_lowercase().contains("connection: close"),
        "{head}"
    );
    assert!(!closed);
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_trickling_its_headers_is_disconnected() {
    use tokio::io::AsyncWriteExt;
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.header_read_timeout = std::time::Duration::from_secs(1);
    })
    .await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let started = std::time::Instant::now();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\n")
        .await
        .expect("write");
    // A header line every 300 ms, for up to 6 s: the server must hang up
    // about a second after the request began.
    let mut cut_off = None;
    for i in 0..20 {
        // The header read timeout runs on real time, in the HTTP server.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let line = format!("X-Slow-{i}: x\r\n");
        if stream.write_all(line.as_bytes()).await.is_err() {
            cut_off = Some(started.elapsed());
            break;
        }
        let mut probe = [0u8; 1];
        if let Ok(Ok(0) | Err(_)) = tokio::time::timeout(
            std::time::Duration::from_millis(1),
            tokio::io::AsyncReadExt::read(&mut stream, &mut probe),
        )
        .await
        {
            cut_off = Some(started.elapsed());
            break;
        }
    }
    let cut_off = cut_off.expect("the server kept a trickling client for 6 s");
    assert!(
        cut_off < std::time::Duration::from_secs(3),
        "disconnected after {cut_off:?}"
    );
    app.finish().await;
}

/// A client that opens a connection and sends nothing, or only the start
/// of HTTP/2's preface, is disconnected after the header read timeout too
/// (it used to be held for good: hyper's timeout starts only once the
/// HTTP version is known).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_client_is_disconnected() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.header_read_timeout = std::time::Duration::from_secs(1);
    })
    .await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    for first in [&b""[..], b"PRI * HTTP/2.0\r\n"] {
        let mut stream = tokio::net::TcpStream::connect(&addr)
            .await
            .expect("connect");
        stream.write_all(first).await.expect("write");
        let mut buf = [0u8; 64];
        let read =
            tokio::time::timeout(std::time::Duration::from_secs(5), stream.read(&mut buf)).await;
        assert!(
            matches!(read, Ok(Ok(0) | Err(_))),
            "a client sending {first:?} was still connected after 5 s: {read:?}"
        );
    }
    // A client that speaks is served as before, HTTP/1 and HTTP/2 alike.
    let (status, _) = app.domains().await;
    assert_eq!(status, StatusCode::OK);
    let mut h2 = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    h2.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        .await
        .expect("write");
    let mut frame = [0u8; 9];
    tokio::time::timeout(std::time::Duration::from_secs(5), h2.read_exact(&mut frame))
        .await
        .expect("an answer to the preface")
        .expect("read");
    assert_eq!(frame[3], 0x4, "the server's SETTINGS frame: {frame:?}");
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_token_lookups_are_throttled_per_address() {
    let app = sqlite_app().await;
    let unknown = format!("vps_{}", "0".repeat(64));
    let burst = vpsd_api::auth::FAILED_LOOKUP_BURST;
    // The burst, then a refusal (a slow machine may earn a lookup or two
    // back meanwhile: one a second).
    let mut failed = 0;
    let resp = loop {
        let resp = app
            .http
            .get(app.url(paths::DOMAINS))
            .bearer_auth(&unknown)
            .send()
            .await
            .expect("send");
        if resp.status() != StatusCode::UNAUTHORIZED {
            break resp;
        }
        failed += 1;
        assert!(failed <= burst + 10, "never throttled");
    };
    assert!(failed >= burst, "throttled after {failed} failures");
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = resp
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["code"], "too_many_failed_lookups", "{body}");
    // While refused, no token from this address is looked up, right or not.
    let (status, _) = app.domains().await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // Requests without a token are not guesses: still a 401.
    let (status, _) = app
        .request_as(None, Method::GET, &api(paths::DOMAINS), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // The failed-lookup throttle counts real time, not the server's clock.
    tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    let (status, _) = app.domains().await;
    assert_eq!(
        status,
        StatusCode::OK,
        "after Retry-After a valid token works"
    );
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_short_plain_request_ids_are_kept() {
    let app = sqlite_app().await;
    let long = "a".repeat(65);
    for (given, kept) in [
        ("deploy-42.retry_1", true),
        (long.as_str(), false),
        ("two words", false),
        ("<script>", false),
        ("", false),
    ] {
        let resp = app
            .http
            .get(app.url(paths::ACCOUNT))
            .bearer_auth(&app.token)
            .header("X-Request-Id", given)
            .send()
            .await
            .expect("send");
        let echoed = resp
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .expect("an id")
            .to_owned();
        assert_eq!(echoed == given, kept, "{given:?} answered as {echoed:?}");
        assert!(vpsd_api::is_safe_request_id(echoed.as_bytes()), "{echoed}");
    }
    // The audit log holds no unsafe id.
    let id = app.register("request-ids.com").await;
    let resp = app
        .http
        .put(app.url(&paths::domain(id)))
        .bearer_auth(&app.token)
        .header("X-Request-Id", "x".repeat(500))
        .json(&json!({"auto_renew": false}))
        .send()
        .await
        .expect("put");
    assert_eq!(resp.status(), StatusCode::OK);
    let (_, log) = app.audit("").await;
    let ids: Vec<&str> = log["results"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["request_id"].as_str())
        .collect();
    assert!(!ids.is_empty(), "{log}");
    for id in ids {
        assert!(vpsd_api::is_safe_request_id(id.as_bytes()), "{id}");
    }
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pagination_links_use_the_public_url_not_the_host_header() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.public_url = Some("https://api.example.com".to_owned());
    })
    .await;
    app.register("first-page.com").await;
    app.register("second-page.com").await;
    let page = |host: &'static str| {
        let app = &app;
        async move {
            app.http
                .get(format!("{}?page_size=1", app.url(paths::DOMAINS)))
                .bearer_auth(&app.token)
                .header("Host", host)
                .send()
                .await
                .expect("send")
                .json::<Value>()
                .await
                .expect("json")
        }
    };
    let body = page("evil.example").await;
    let next = body["next"].as_str().expect("next");
    assert!(
        next.starts_with("https://api.example.com/api/v1/domains/?"),
        "{next}"
    );
    app.finish().await;

    // Without one, a Host that is not a plain host[:port] is not echoed.
    let app = sqlite_app().await;
    app.register("first-page.com").await;
    app.register("second-page.com").await;
    let resp = app
        .http
        .get(format!("{}?page_size=1", app.url(paths::DOMAINS)))
        .bearer_auth(&app.token)
        .header("Host", "evil.example/phish?x=")
        .send()
        .await
        .expect("send");
    let body: Value = resp.json().await.expect("json");
    let next = body["next"].as_str().expect("next");
    assert!(!next.contains("evil"), "{next}");
    assert!(
        next.starts_with("http://localhost/api/v1/domains/?"),
        "{next}"
    );
    app.finish().await;
}
