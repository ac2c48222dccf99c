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
