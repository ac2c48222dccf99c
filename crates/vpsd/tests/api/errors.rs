//! Every error the contract lists, each with its `code`.

use chrono::{Duration, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_error, TestApp};

crate::both!(
    missing_or_bad_token_is_401_everywhere,
    another_accounts_domain_is_404_everywhere,
    transport_errors_are_json,
    field_validation,
    name_validation_and_normalisation,
    taken_names,
    settings_rules,
    import_rules,
    every_body_answers_all_its_faults_at_once,
);

async fn missing_or_bad_token_is_401_everywhere(app: &TestApp) {
    let id = app.register("example.com").await;
    let endpoints = [
        (Method::GET, "/api/v1/domains/".to_owned()),
        (Method::POST, "/api/v1/domains/".to_owned()),
        (Method::POST, "/api/v1/domains/import/".to_owned()),
        (Method::GET, format!("/api/v1/domains/{id}/")),
        (Method::PUT, format!("/api/v1/domains/{id}/")),
        (Method::DELETE, format!("/api/v1/domains/{id}/")),
        (Method::POST, format!("/api/v1/domains/{id}/transfer/")),
    ];
    let wrong = format!("vps_{}", "0".repeat(64));
    for (method, path) in &endpoints {
        for token in [None, Some("garbage"), Some(wrong.as_str())] {
            let resp = app
                .http
                .request(method.clone(), format!("{}{}", app.base, path))
                .header(
                    "Authorization",
                    token.map(|t| format!("Bearer {t}")).unwrap_or_default(),
                )
                .json(&json!({"domain_name": "x.com"}))
                .send()
                .await
                .expect("send");
            assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
            assert_eq!(
                resp.headers().get("www-authenticate").map(|v| v.as_bytes()),
                Some(&b"Bearer"[..])
            );
            let body: Value = resp.json().await.expect("json");
            assert_eq!(body["code"], "not_authenticated");
        }
    }
    // Nothing changed.
    let (_, list) = app.get("/api/v1/domains/").await;
    assert_eq!(list["count"], 1);
}

async fn another_accounts_domain_is_404_everywhere(app: &TestApp) {
    let (_, other_token) = app.new_account("other@example.com", 100_00).await;
    let id = app.register("example.com").await;
    app.wait_active(id).await;
    let t = Some(other_token.as_str());
    let checks = [
        (Method::GET, format!("/api/v1/domains/{id}/"), None),
        (
            Method::PUT,
            format!("/api/v1/domains/{id}/"),
            Some(json!({"auto_renew": false})),
        ),
        (Method::DELETE, format!("/api/v1/domains/{id}/"), None),
        (
            Method::POST,
            format!("/api/v1/domains/{id}/transfer/"),
            Some(json!({"auth_code": "abc"})),
        ),
    ];
    let (_, missing) = app.get("/api/v1/domains/999999/").await;
    for (method, path, body) in checks {
        let (status, resp) = app.request_as(t, method.clone(), &path, body).await;
        assert_error(status, &resp, StatusCode::NOT_FOUND, "not_found");
        // Exactly like a domain that does not exist.
        assert_eq!(resp, missing, "{method} {path}");
    }
    let (_, list) = app
        .request_as(t, Method::GET, "/api/v1/domains/", None)
        .await;
    assert_eq!(list["count"], 0);
    let (_, list) = app
        .request_as(t, Method::GET, "/api/v1/domains/?search=example", None)
        .await;
    assert_eq!(list["count"], 0);
    // Untouched for its owner.
    let (_, mine) = app.get(&format!("/api/v1/domains/{id}/")).await;
    assert_eq!(mine["auto_renew"], true);
}

async fn raw(
    app: &TestApp,
    method: Method,
    path: &str,
    ctype: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut req = app
        .http
        .request(method, format!("{}{}", app.base, path))
        .bearer_auth(&app.token)
        .body(body);
    if let Some(ct) = ctype {
        req = req.header("Content-Type", ct);
    }
    let resp = req.send().await.expect("send");
    let status = resp.status();
    assert_eq!(
        resp.headers().get("content-type").map(|v| v.as_bytes()),
        Some(&b"application/json"[..]),
        "{status}"
    );
    (status, resp.json().await.expect("json body"))
}

async fn transport_errors_are_json(app: &TestApp) {
    let (s, b) = raw(
        app,
        Method::POST,
        "/api/v1/domains/",
        Some("application/json"),
        b"{\"domain_name\": ".to_vec(),
    )
    .await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "malformed_json");
    let (s, b) = raw(
        app,
        Method::POST,
        "/api/v1/domains/",
        Some("application/json"),
        b"[1,2]".to_vec(),
    )
    .await;
    assert_error(s, &b, StatusCode::BAD_REQUEST, "malformed_json");
    let (s, b) = raw(
        app,
        Method::POST,
        "/api/v1/domains/",
        Some("text/plain"),
        b"{\"domain_name\":\"a.com\"}".to_vec(),
    )
    .await;
    assert_error(
        s,
        &b,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    let big = format!("{{\"domain_name\": \"{}\"}}", "a".repeat(70 * 1024));
    let (s, b) = raw(
        app,
        Method::POST,
        "/api/v1/domains/",
        Some("application/json"),
        big.into_bytes(),
    )
    .await;
    assert_error(s, &b, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    let (s, b) = raw(app, Method::GET, "/api/v1/nothing-here/", None, vec![]).await;
    assert_error(s, &b, StatusCode::NOT_FOUND, "not_found");
    let (s, b) = raw(app, Method::PATCH, "/api/v1/domains/", None, vec![]).await;
    assert_error(s, &b, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    let (s, b) = raw(app, Method::GET, "/api/v1/domains/abc/", None, vec![]).await;
    assert_error(s, &b, StatusCode::NOT_FOUND, "not_found");
    // Without the trailing slash too, no redirect.
    let (s, _) = raw(app, Method::GET, "/api/v1/domains", None, vec![]).await;
    assert_eq!(s, StatusCode::OK);
    let (_, list) = app.get("/api/v1/domains/").await;
    assert_eq!(list["count"], 0, "nothing was registered by bad requests");
}

async fn field_validation(app: &TestApp) {
    let cases = [
        (json!({"domain_name": "a.com", "years": "2"}), "years"),
        (json!({"domain_name": "a.com", "years": 0}), "years"),
        (json!({"domain_name": "a.com", "years": 11}), "years"),
        (json!({"domain_name": "a.com", "years": 1.5}), "years"),
        (
            json!({"domain_name": "a.com", "auto_renwe": false}),
            "auto_renwe",
        ),
        (
            json!({"domain_name": "a.com", "auto_renew": "yes"}),
            "auto_renew",
        ),
        (json!({"domain_name": 5}), "domain_name"),
        (json!({"years": 1}), "domain_name"),
        (json!({"domain_name": null}), "domain_name"),
        (
            json!({"domain_name": "a.com", "nameservers": ["ns1.a.net"]}),
            "nameservers",
        ),
        (
            json!({"domain_name": "a.com", "nameservers": ["a.net", "b.net", "c.net", "d.net", "e.net"]}),
            "nameservers",
        ),
        (
            json!({"domain_name": "a.com", "nameservers": ["ns1.a.net", "NS1.a.net."]}),
            "nameservers",
        ),
        (
            json!({"domain_name": "a.com", "nameservers": ["ns1.a.net", "bad_host!"]}),
            "nameservers",
        ),
        (
            json!({"domain_name": "a.com", "nameservers": "ns1.a.net"}),
            "nameservers",
        ),
    ];
    for (body, field) in cases {
        let (status, resp) = app.post("/api/v1/domains/", body.clone()).await;
        assert_error(status, &resp, StatusCode::BAD_REQUEST, "invalid_fields");
        assert!(
            resp["errors"][field]
                .as_array()
                .is_some_and(|m| !m.is_empty()),
            "{body} → {resp}"
        );
    }
    let (_, list) = app.get("/api/v1/domains/").await;
    assert_eq!(list["count"], 0);
    assert_eq!(app.balance(app.account_id).await, 1_000_00);
    let (status, resp) = app.get("/api/v1/domains/?status=gone").await;
    assert_error(status, &resp, StatusCode::BAD_REQUEST, "invalid_query");
    let (status, resp) = app.get("/api/v1/domains/?page_size=zero").await;
    assert_error(status, &resp, StatusCode::BAD_REQUEST, "invalid_query");
}

async fn name_validation_and_normalisation(app: &TestApp) {
    for (input, stored) in [
        ("bücher.com", "xn--bcher-kva.com"),
        ("UPPER-Case.NET", "upper-case.net"),
        ("trailing.org.", "trailing.org"),
        ("xn--mnchen-3ya.io", "xn--mnchen-3ya.io"),
    ] {
        let (status, body) = app
            .post("/api/v1/domains/", json!({"domain_name": input}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{input}: {body}");
        assert_eq!(body["domain_name"], stored);
    }
    // The same name in another spelling is the same name.
    let (status, body) = app
        .post("/api/v1/domains/", json!({"domain_name": "BÜCHER.com."}))
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "domain_taken");

    let (status, body) = app
        .post("/api/v1/domains/", json!({"domain_name": "example.xyz"}))
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "unsupported_tld");
    assert!(body["detail"].as_str().is_some_and(|d| d.contains(".com")));
    for bad in [
        "www.example.com",
        "a.b.example.com",
        "-bad.com",
        "bad-.com",
        "ex ample.com",
        "",
        "com",
        "a..com",
        &format!("{}.com", "a".repeat(64)),
    ] {
        let (status, body) = app
            .post("/api/v1/domains/", json!({"domain_name": bad}))
            .await;
        assert_error(
            status,
            &body,
            StatusCode::BAD_REQUEST,
            "invalid_domain_name",
        );
        assert!(body["errors"]["domain_name"].is_array(), "{bad}: {body}");
    }
    let (_, list) = app.get("/api/v1/domains/").await;
    assert_eq!(list["count"], 4);
}

async fn taken_names(app: &TestApp) {
    app.register("example.com").await;
    let (status, body) = app
        .post("/api/v1/domains/", json!({"domain_name": "example.com"}))
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "domain_taken");
    let (_, other) = app.new_account("other@example.com", 100_00).await;
    let (status, body) = app
        .request_as(
            Some(&other),
            Method::POST,
            "/api/v1/domains/",
            Some(json!({"domain_name": "example.com"})),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "domain_taken");
    app.held_elsewhere(
        "elsewhere.com",
        "code",
        Utc::now() - Duration::days(100),
        false,
    )
    .await;
    let (status, body) = app
        .post("/api/v1/domains/", json!({"domain_name": "elsewhere.com"}))
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "domain_taken");
    assert!(body["detail"]
        .as_str()
        .is_some_and(|d| d.contains("Other Registrar LLC")));
    assert_eq!(app.balance(app.account_id).await, 1_000_00 - 12_99);
}

async fn settings_rules(app: &TestApp) {
    let id = app.register("example.com").await;
    // Still pending: nameservers and the lock cannot change.
    let (status, body) = app
        .put(
            &format!("/api/v1/domains/{id}/"),
            json!({"nameservers": ["ns1.x.com", "ns2.x.com"]}),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "domain_pending");
    let (status, body) = app
        .put(&format!("/api/v1/domains/{id}/"), json!({"locked": false}))
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "domain_pending");
    // auto_renew can.
    let (status, body) = app
        .put(
            &format!("/api/v1/domains/{id}/"),
            json!({"auto_renew": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.put(&format!("/api/v1/domains/{id}/"), json!({})).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "empty_update");
    let (status, body) = app
        .put(&format!("/api/v1/domains/{id}/"), json!({"lokced": true}))
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_fields");
    assert!(body["errors"]["lokced"].is_array());
    let (status, body) = app
        .put(
            &format!("/api/v1/domains/{id}/"),
            json!({"nameservers": ["ns1.x.com"]}),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_fields");
    let (_, detail) = app.get(&format!("/api/v1/domains/{id}/")).await;
    assert_eq!(detail["nameservers"], json!(["ns1.vps.org", "ns2.vps.org"]));
    assert_eq!(detail["locked"], true);

    // A domain at another registrar: only auto_renew until transferred.
    app.held_elsewhere("held.com", "code", Utc::now() - Duration::days(100), false)
        .await;
    let held = app.import("held.com").await;
    let (status, body) = app
        .put(
            &format!("/api/v1/domains/{held}/"),
            json!({"nameservers": ["ns1.x.com", "ns2.x.com"]}),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "not_sponsored");
}

async fn import_rules(app: &TestApp) {
    let (status, body) = app
        .post(
            "/api/v1/domains/import/",
            json!({"domain_name": "free.com"}),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "not_registered");
    app.register("ours.com").await;
    let (status, body) = app
        .post(
            "/api/v1/domains/import/",
            json!({"domain_name": "ours.com"}),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "already_sponsored");
    app.held_elsewhere("held.com", "code", Utc::now() - Duration::days(100), false)
        .await;
    let id = app.import("held.com").await;
    let (_, detail) = app.get(&format!("/api/v1/domains/{id}/")).await;
    assert_eq!(detail["registrar"], "Other Registrar LLC");
    let (_, other) = app.new_account("other@example.com", 0).await;
    let (status, body) = app
        .request_as(
            Some(&other),
            Method::POST,
            "/api/v1/domains/import/",
            Some(json!({"domain_name": "held.com"})),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "already_in_account");
    let (status, body) = app
        .post(
            "/api/v1/domains/import/",
            json!({"domain_name": "held.xyz"}),
        )
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "unsupported_tld");
}

/// The fields at fault in an error body, by name.
fn faulted(body: &Value) -> Vec<String> {
    body["errors"]
        .as_object()
        .map(|e| e.keys().cloned().collect())
        .unwrap_or_default()
}

/// Each request body, sent with two faults (a domain rule and a wrong
/// type, a bad value and an unknown field, ...), answers one 400 that
/// names both, and changes nothing.
async fn every_body_answers_all_its_faults_at_once(app: &TestApp) {
    let id = app.register("example.com").await;
    app.wait_active(id).await;
    let records = format!("/api/v1/domains/{id}/dns/records/");
    let (status, mx) = app
        .post(
            &records,
            json!({"type": "MX", "content": "mx.example.net", "priority": 10}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{mx}");
    let record = format!("{records}{}/", mx["id"]);
    let emails = format!("/api/v1/domains/{id}/email-forwards/");
    let (status, email) = app
        .post(
            &emails,
            json!({"alias": "info", "destinations": ["me@example.net"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{email}");
    let email = format!("{emails}{}/", email["id"]);
    let urls = format!("/api/v1/domains/{id}/url-forwards/");
    let (status, url) = app
        .post(&urls, json!({"target": "https://example.net/"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{url}");
    let url = format!("{urls}{}/", url["id"]);
    let domain = format!("/api/v1/domains/{id}/");
    let cases: Vec<(Method, String, Value, &[&str])> = vec![
        // A name the domain crate refuses and a wrong type: one answer.
        (
            Method::POST,
            "/api/v1/domains/".into(),
            json!({"domain_name": "bad_name!.com", "years": "two"}),
            &["domain_name", "years"],
        ),
        (
            Method::POST,
            "/api/v1/domains/".into(),
            json!({"domain_name": "a.xyz", "years": 11, "nameservers": ["ns1.a.net"]}),
            &["domain_name", "nameservers", "years"],
        ),
        (
            Method::PUT,
            domain.clone(),
            json!({"nameservers": ["ns1.a.net"], "locked": "yes"}),
            &["locked", "nameservers"],
        ),
        (
            Method::POST,
            format!("{domain}transfer/"),
            json!({"auth_code": " ", "auto_renew": "no"}),
            &["auth_code", "auto_renew"],
        ),
        (
            Method::POST,
            "/api/v1/domains/import/".into(),
            json!({"domain_name": "-x-.com", "years": 1}),
            &["domain_name", "years"],
        ),
        (
            Method::POST,
            format!("{domain}renew/"),
            json!({"years": 0, "yaers": 2}),
            &["yaers", "years"],
        ),
        (
            Method::POST,
            format!("{domain}restore/"),
            json!({"years": 1, "force": true}),
            &["force", "years"],
        ),
        // A TTL out of range and content that is no address.
        (
            Method::POST,
            records.clone(),
            json!({"type": "A", "content": "not-an-ip", "ttl": 10}),
            &["content", "ttl"],
        ),
        // A TTL of the wrong type and bad content: still one answer.
        (
            Method::POST,
            records.clone(),
            json!({"type": "A", "content": "999.1.1.1", "ttl": "an hour"}),
            &["content", "ttl"],
        ),
        (
            Method::PUT,
            record.clone(),
            json!({"content": "not a host!", "ttl": "60", "priority": 70000}),
            &["content", "priority", "ttl"],
        ),
        (
            Method::POST,
            emails.clone(),
            json!({"alias": "in fo", "destinations": "me@example.net"}),
            &["alias", "destinations"],
        ),
        // No type: what can be checked without one still is.
        (
            Method::POST,
            records.clone(),
            json!({}),
            &["content", "type"],
        ),
        (
            Method::POST,
            records.clone(),
            json!({"type": "BOGUS", "content": "x", "priority": 70000, "ttl": 5, "name": "a b"}),
            &["name", "priority", "ttl", "type"],
        ),
        // A bad alias and bad destinations: both named.
        (
            Method::POST,
            emails.clone(),
            json!({"alias": "bad alias!", "destinations": ["", "x"]}),
            &["alias", "destinations"],
        ),
        (
            Method::PUT,
            email.clone(),
            json!({"alias": "a@b", "destinations": []}),
            &["alias", "destinations"],
        ),
        (
            Method::POST,
            urls.clone(),
            json!({"target": "ftp://example.net/", "status_code": 303}),
            &["status_code", "target"],
        ),
        (
            Method::PUT,
            url.clone(),
            json!({"host": "*.www", "keep_path": "yes"}),
            &["host", "keep_path"],
        ),
    ];
    for (method, path, body, fields) in cases {
        let (status, resp) = app
            .request_as(Some(&app.token), method.clone(), &path, Some(body.clone()))
            .await;
        assert_error(status, &resp, StatusCode::BAD_REQUEST, "invalid_fields");
        assert_eq!(faulted(&resp), fields, "{method} {path} {body} → {resp}");
        for field in fields {
            assert!(
                resp["errors"][field][0]
                    .as_str()
                    .is_some_and(|m| m.len() > 10),
                "{field}: {resp}"
            );
        }
        assert!(
            resp["detail"]
                .as_str()
                .is_some_and(|d| fields.iter().all(|f| d.contains(f))),
            "{resp}"
        );
    }
    // The messages say what to send.
    let (_, resp) = app
        .post(
            "/api/v1/domains/",
            json!({"domain_name": "bad_name!.com", "years": "two"}),
        )
        .await;
    assert_eq!(resp["errors"]["years"], json!(["Must be a whole number."]));
    // One fault alone keeps its own code.
    let (status, resp) = app
        .post("/api/v1/domains/", json!({"domain_name": "bad_name!.com"}))
        .await;
    assert_error(
        status,
        &resp,
        StatusCode::BAD_REQUEST,
        "invalid_domain_name",
    );
    assert!(resp["errors"]["domain_name"].is_array(), "{resp}");
    // Nothing changed.
    let (_, list) = app.get("/api/v1/domains/").await;
    assert_eq!(list["count"], 1);
    let (_, zone) = app.get(&records).await;
    assert_eq!(zone["count"], 1, "{zone}");
    let (_, now) = app.get(&record).await;
    assert_eq!(now["content"], "mx.example.net");
    let (_, now) = app.get(&email).await;
    assert_eq!(now["alias"], "info");
    let (_, now) = app.get(&url).await;
    assert_eq!(now["host"], "@");
}

/// The error codes docs/api.md lists (its table's second column).
fn documented_codes() -> std::collections::BTreeSet<String> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/api.md"))
        .expect("docs/api.md");
    doc.lines()
        .filter_map(|line| {
            let mut cells = line.split('|').map(str::trim);
            let (_, status, code) = (cells.next()?, cells.next()?, cells.next()?);
            (status.len() == 3 && status.bytes().all(|b| b.is_ascii_digit()))
                .then(|| code.trim_matches('`').to_owned())
        })
        .collect()
}

/// docs/api.md's table lists every code of the catalogue the server's
/// errors are built from (`ErrorCode`), and no other.
#[test]
fn docs_list_every_error_code_and_no_other() {
    let documented = documented_codes();
    let catalogue: std::collections::BTreeSet<String> = vpsd_domain::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    assert!(catalogue.len() > 40, "{catalogue:?}");
    let undocumented: Vec<&String> = catalogue.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "the server sends codes docs/api.md does not list: {undocumented:?}"
    );
    let unknown: Vec<&String> = documented.difference(&catalogue).collect();
    assert!(
        unknown.is_empty(),
        "docs/api.md lists codes the server never sends: {unknown:?}"
    );
}
