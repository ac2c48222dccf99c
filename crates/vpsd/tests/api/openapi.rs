//! The OpenAPI document against the server that serves it (the drift test).
//!
//! Every operation the document lists is called over HTTP: once as a
//! client following the document would (ids from earlier answers, bodies
//! with the documented fields), once for a domain that is not there, once
//! with a field the document does not list, and once without a token.
//! Each answer's status must be one the document gives for the operation,
//! and its body must validate against the schema documented for that
//! status. The test fails when the document lists an operation it did not
//! call, so a new route cannot go unchecked; routes are registered from the
//! same annotations as the document (`vpsd_api::openapi::Routes`).

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::TestApp;

crate::both!(
    request_schemas_say_what_the_server_accepts,
    every_operation_answers_as_documented,
    the_docs_page_needs_no_other_host,
    vpsd_openapi_prints_the_served_document,
);

/// `vpsd openapi` (no database) prints what the server serves.
async fn vpsd_openapi_prints_the_served_document(app: &TestApp) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpsd"))
        .arg("openapi")
        .output()
        .await
        .expect("vpsd openapi");
    assert!(out.status.success());
    let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let served = Document::fetch(app).await.doc;
    assert_eq!(printed, served);
}

/// `/api/docs/` renders the document with assets served by this server:
/// every script, style sheet and link it loads is a path here, each
/// answered, so the page works with no network at all.
async fn the_docs_page_needs_no_other_host(app: &TestApp) {
    let http = reqwest::Client::new();
    for page in ["/api/docs/", "/api/docs"] {
        let resp = http
            .get(format!("{}{page}", app.base))
            .send()
            .await
            .expect("page");
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(resp.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/html"));
        let csp = resp.headers()["content-security-policy"]
            .to_str()
            .expect("csp")
            .to_owned();
        assert!(csp.contains("default-src 'self'"), "{csp}");
        let html = resp.text().await.expect("html");
        assert!(html.contains("\"/api/v1/openapi.json\""), "{html}");
        let mut loaded = 0;
        for attr in ["src=\"", "href=\"", "url: \""] {
            for part in html.split(attr).skip(1) {
                let target = part.split('"').next().expect("quoted");
                assert!(
                    target.starts_with('/') && !target.starts_with("//"),
                    "{page} loads {target} from elsewhere"
                );
                let asset = http
                    .get(format!("{}{target}", app.base))
                    .send()
                    .await
                    .expect("asset");
                assert_eq!(asset.status(), StatusCode::OK, "{target}");
                assert!(asset.bytes().await.expect("bytes").len() > 1000, "{target}");
                loaded += 1;
            }
        }
        // The style sheet, the script and the document.
        assert_eq!(loaded, 3, "{html}");
    }
}

/// The served document, its operations by id, and what was called.
struct Document {
    doc: Value,
    called: BTreeSet<String>,
}

/// The `{host_name}` of the host operations' paths (a host of the test's
/// domain).
const HOST_NAME: &str = "ns1.documented.com";

impl Document {
    async fn fetch(app: &TestApp) -> Self {
        let (status, doc) = app
            .request_as(None, Method::GET, "/api/v1/openapi.json", None)
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(doc["openapi"], "3.1.0");
        Document {
            doc,
            called: BTreeSet::new(),
        }
    }

    /// Every operation: (operationId, method, path template).
    fn operations(&self) -> Vec<(String, Method, String)> {
        let mut ops = Vec::new();
        for (path, item) in self.doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("path item") {
                let Ok(m) = method.to_uppercase().parse::<Method>() else {
                    continue;
                };
                let id = op["operationId"].as_str().expect("operationId").to_owned();
                ops.push((id, m, path.clone()));
            }
        }
        ops
    }

    fn operation(&self, id: &str) -> (Method, String, Value) {
        let (_, method, path) = self
            .operations()
            .into_iter()
            .find(|(op, _, _)| op == id)
            .unwrap_or_else(|| panic!("the document has no operation {id}"));
        let op = self.doc["paths"][&path][method.as_str().to_lowercase()].clone();
        (method, path, op)
    }

    /// Whether `body` is valid against operation `id`'s request body schema.
    fn accepts_body(&self, id: &str, body: &Value) -> bool {
        let (_, _, op) = self.operation(id);
        let mut root = op["requestBody"]["content"]["application/json"]["schema"].clone();
        assert!(root.is_object(), "{id} documents no JSON body");
        if let Some(object) = root.as_object_mut() {
            object.insert("components".into(), self.doc["components"].clone());
        }
        jsonschema::validator_for(&root)
            .unwrap_or_else(|e| panic!("{id}: the request schema does not compile: {e}"))
            .is_valid(body)
    }

    /// Validates `body` against `schema`, whose `$ref`s point into this
    /// document's components.
    fn validate(&self, what: &str, schema: &Value, body: &Value) {
        let mut root = schema.clone();
        if let Some(object) = root.as_object_mut() {
            object.insert("components".into(), self.doc["components"].clone());
        }
        let validator = jsonschema::validator_for(&root)
            .unwrap_or_else(|e| panic!("{what}: the document's schema does not compile: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{what}: the answer does not match the document:\n{}\nbody: {body}",
            errors.join("\n")
        );
    }

    /// Calls operation `id` with `params` in its path template, and checks
    /// the answer against the document. Returns the status and body.
    async fn call(
        &mut self,
        app: &TestApp,
        token: Option<&str>,
        id: &str,
        params: &[(&str, i64)],
        query: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let (method, template, op) = self.operation(id);
        let mut path = template.clone();
        for (name, value) in params {
            path = path.replace(&format!("{{{name}}}"), &value.to_string());
        }
        path = path.replace("{host_name}", HOST_NAME);
        assert!(
            !path.contains('{'),
            "{id}: no value for a parameter of {path}"
        );
        if let (Some(_), true) = (&body, op["requestBody"].is_null()) {
            panic!("{id}: the document takes no body");
        }
        let url = format!("{path}{query}");
        let (status, answer) = app.request_as(token, method.clone(), &url, body).await;
        let what = format!("{id} ({method} {url}) answered {status}");
        let documented = &op["responses"][status.as_str()];
        assert!(
            documented.is_object(),
            "{what}, which the document does not list for it: {answer}"
        );
        match documented["content"]["application/json"]["schema"].as_object() {
            Some(_) => {
                let schema = &documented["content"]["application/json"]["schema"];
                self.validate(&what, schema, &answer);
            }
            None => assert_eq!(answer, Value::Null, "{what}: the document gives no body"),
        }
        self.called.insert(id.to_owned());
        (status, answer)
    }

    /// [`Document::call`] for an operation whose body or answer is not
    /// JSON (a zone file, `text/dns`): `body` sent as `text/dns`; a JSON
    /// answer checked against its schema, any other against its
    /// documented media type. The answer's text.
    async fn call_text(
        &mut self,
        app: &TestApp,
        id: &str,
        params: &[(&str, i64)],
        query: &str,
        body: Option<&str>,
    ) -> (StatusCode, String) {
        let (method, template, op) = self.operation(id);
        let mut path = template.clone();
        for (name, value) in params {
            path = path.replace(&format!("{{{name}}}"), &value.to_string());
        }
        let mut req = app
            .http
            .request(method.clone(), format!("{}{path}{query}", app.base))
            .bearer_auth(&app.token);
        if let Some(text) = body {
            assert!(
                op["requestBody"]["content"]["text/dns"].is_object(),
                "{id}: the document takes no text/dns body"
            );
            req = req.header("content-type", "text/dns").body(text.to_owned());
        }
        let resp = req.send().await.expect("send");
        let status = resp.status();
        let media = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let text = resp.text().await.expect("text");
        let what = format!("{id} ({method} {path}{query}) answered {status}");
        let documented = &op["responses"][status.as_str()];
        assert!(
            documented.is_object(),
            "{what}, which the document does not list for it: {text}"
        );
        match documented["content"]["application/json"]["schema"].as_object() {
            Some(_) => {
                let schema = documented["content"]["application/json"]["schema"].clone();
                let answer: Value = serde_json::from_str(&text).expect("JSON");
                self.validate(&what, &schema, &answer);
            }
            None => assert!(
                documented["content"][media.as_str()].is_object(),
                "{what} as {media}, which the document does not list"
            ),
        }
        self.called.insert(id.to_owned());
        (status, text)
    }
}

/// Bodies a fuzzer finds where the document and the server disagreed: the
/// document calls each valid exactly when the server takes it (create and
/// update schemas apart, `priority` only with MX and SRV, `years` any
/// integer JSON number, an update with at least one field).
async fn request_schemas_say_what_the_server_accepts(app: &TestApp) {
    let d = Document::fetch(app).await;
    let id = app.register("documented.com").await;
    app.wait_active(id).await;
    let domain = format!("/api/v1/domains/{id}");
    let (_, record) = app
        .post(
            &format!("{domain}/dns/records/"),
            json!({"name": "www", "type": "A", "content": "192.0.2.1"}),
        )
        .await;
    let (_, email) = app
        .post(
            &format!("{domain}/email-forwards/"),
            json!({"alias": "info", "destinations": ["a@example.net"]}),
        )
        .await;
    let (_, url) = app
        .post(
            &format!("{domain}/url-forwards/"),
            json!({"host": "go", "target": "https://example.net/"}),
        )
        .await;
    let record = format!("{domain}/dns/records/{}/", record["id"]);
    let email = format!("{domain}/email-forwards/{}/", email["id"]);
    let url = format!("{domain}/url-forwards/{}/", url["id"]);
    let cases: Vec<(&str, Method, String, Value)> = vec![
        (
            "createEmailForward",
            Method::POST,
            format!("{domain}/email-forwards/"),
            json!({"alias": "sales"}),
        ),
        (
            "createEmailForward",
            Method::POST,
            format!("{domain}/email-forwards/"),
            json!({"destinations": ["b@example.net"]}),
        ),
        (
            "createEmailForward",
            Method::POST,
            format!("{domain}/email-forwards/"),
            json!({"alias": "sales", "destinations": ["b@example.net"]}),
        ),
        ("updateEmailForward", Method::PUT, email.clone(), json!({})),
        (
            "updateEmailForward",
            Method::PUT,
            email.clone(),
            json!({"destinations": ["c@example.net"]}),
        ),
        (
            "createUrlForward",
            Method::POST,
            format!("{domain}/url-forwards/"),
            json!({"host": "shop"}),
        ),
        (
            "createUrlForward",
            Method::POST,
            format!("{domain}/url-forwards/"),
            json!({"host": "shop", "target": "https://example.net/shop"}),
        ),
        ("updateUrlForward", Method::PUT, url.clone(), json!({})),
        (
            "updateUrlForward",
            Method::PUT,
            url.clone(),
            json!({"status_code": 302}),
        ),
        (
            "createDnsRecord",
            Method::POST,
            format!("{domain}/dns/records/"),
            json!({"type": "A", "content": "192.0.2.7", "priority": 10}),
        ),
        (
            "createDnsRecord",
            Method::POST,
            format!("{domain}/dns/records/"),
            json!({"type": "MX", "content": "mx.example.net"}),
        ),
        (
            "createDnsRecord",
            Method::POST,
            format!("{domain}/dns/records/"),
            json!({"type": "MX", "content": "mx.example.net", "priority": 10}),
        ),
        (
            "createDnsRecord",
            Method::POST,
            format!("{domain}/dns/records/"),
            json!({"type": "A", "content": "192.0.2.7"}),
        ),
        (
            "updateDnsRecord",
            Method::PUT,
            record.clone(),
            json!({"type": "A", "priority": 5}),
        ),
        ("updateDnsRecord", Method::PUT, record.clone(), json!({})),
        (
            "updateDnsRecord",
            Method::PUT,
            record.clone(),
            json!({"ttl": 600}),
        ),
        ("updateDomain", Method::PUT, format!("{domain}/"), json!({})),
        (
            "updateDomain",
            Method::PUT,
            format!("{domain}/"),
            json!({"auto_renew": false}),
        ),
        (
            "renewDomain",
            Method::POST,
            format!("{domain}/renew/"),
            json!({"years": 1.5}),
        ),
        (
            "renewDomain",
            Method::POST,
            format!("{domain}/renew/"),
            json!({"years": 1.0}),
        ),
    ];
    for (op, method, path, body) in cases {
        let documented = d.accepts_body(op, &body);
        let (status, answer) = app
            .request_as(Some(&app.token), method, &path, Some(body.clone()))
            .await;
        assert_eq!(
            documented,
            status.is_success(),
            "{op} {body}: the document says {}, the server answered {status} {answer}",
            if documented { "valid" } else { "invalid" }
        );
    }
}

async fn every_operation_answers_as_documented(app: &TestApp) {
    // Every operation, several times each: more than the per-token rate's
    // burst, so a server of its own without it.
    let unlimited = TestApp::builder()
        .settings(|s| s.rate_limit = None)
        .spawn(app.backend)
        .await;
    let app = &unlimited;
    let mut d = Document::fetch(app).await;
    let token = app.token.clone();
    let t = Some(token.as_str());

    // The operation ids are unique, and every API operation takes the
    // bearer token.
    let ops = d.operations();
    let ids: BTreeSet<&String> = ops.iter().map(|(id, _, _)| id).collect();
    assert_eq!(ids.len(), ops.len(), "operation ids repeat");
    for (id, method, path) in &ops {
        let op = &d.doc["paths"][path][method.as_str().to_lowercase()];
        if path.starts_with("/api/v1/") {
            assert_eq!(op["security"], json!([{"bearer": []}]), "{id}");
        }
    }

    // Public operations.
    d.call(app, None, "healthz", &[], "", None).await;
    d.call(app, None, "readyz", &[], "", None).await;
    d.call(app, t, "getPricing", &[], "", None).await;
    let (s, _) = d
        .call(
            app,
            t,
            "checkAvailability",
            &[],
            "?domain_name=free-name.com&domain_name=nope.invalid",
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    d.call(app, t, "checkAvailability", &[], "", None).await;

    // A domain's life, with every documented field.
    let (s, reg) = d
        .call(
            app,
            t,
            "registerDomain",
            &[],
            "",
            Some(json!({
                "domain_name": "documented.com",
                "years": 2,
                "auto_renew": false,
                "privacy_protection": false,
                "nameservers": ["ns1.example.net", "ns2.example.net"],
            })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let id = reg["id"].as_i64().expect("id");
    let dom = [("domain_id", id)];
    app.wait_active(id).await;
    d.call(
        app,
        t,
        "listDomains",
        &[],
        "?status=active&search=doc&page=1&page_size=10",
        None,
    )
    .await;
    d.call(app, t, "listDomains", &[], "?status=bogus", None)
        .await;
    d.call(app, t, "getDomain", &dom, "", None).await;
    let (s, _) = d
        .call(
            app,
            t,
            "updateDomain",
            &dom,
            "",
            Some(json!({
                "auto_renew": true,
                "privacy_protection": true,
                "nameservers": ["ns1.vps.org", "ns2.vps.org"],
                "locked": false,
            })),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    d.call(app, t, "updateDomain", &dom, "", Some(json!({})))
        .await;
    let (s, _) = d
        .call(app, t, "renewDomain", &dom, "", Some(json!({"years": 1})))
        .await;
    assert_eq!(s, StatusCode::OK);
    // Not in redemption: a documented 400.
    d.call(app, t, "restoreDomain", &dom, "", Some(json!({})))
        .await;

    // The sandbox, and transfer-out with nothing pending.
    d.call(app, t, "getSandbox", &[], "", None).await;
    let (s, code) = d.call(app, t, "getAuthCode", &dom, "", None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, new_code) = d
        .call(app, t, "regenerateAuthCode", &dom, "", Some(json!({})))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_ne!(code["auth_code"], new_code["auth_code"]);
    d.call(app, t, "approveTransferOut", &dom, "", Some(json!({})))
        .await;
    d.call(app, t, "rejectTransferOut", &dom, "", Some(json!({})))
        .await;

    // Import and transfer.
    let long_ago = app.now() - chrono::Duration::days(400);
    app.held_elsewhere("documented-elsewhere.org", "Code-123", long_ago, false)
        .await;
    let (s, imported) = d
        .call(
            app,
            t,
            "importDomain",
            &[],
            "",
            Some(json!({"domain_name": "documented-elsewhere.org"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let other = [("domain_id", imported["id"].as_i64().expect("id"))];
    let (s, _) = d
        .call(
            app,
            t,
            "transferDomain",
            &other,
            "",
            Some(json!({"auth_code": "Code-123", "auto_renew": true})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // Cancelling: the transfer (then nothing pending: a 400), an
    // imported domain's registration (a 400), a new registration (200).
    let (s, _) = d
        .call(app, t, "cancelTransfer", &other, "", Some(json!({})))
        .await;
    assert_eq!(s, StatusCode::OK);
    d.call(app, t, "cancelTransfer", &other, "", Some(json!({})))
        .await;
    d.call(app, t, "cancelDomain", &other, "", Some(json!({})))
        .await;
    let (s, regret) = app
        .post_domain(json!({"domain_name": "documented-regret.com"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let regret = [("domain_id", regret["id"].as_i64().expect("id"))];
    let (s, _) = d
        .call(app, t, "cancelDomain", &regret, "", Some(json!({})))
        .await;
    assert_eq!(s, StatusCode::OK);

    // DNS records.
    let (s, record) = d
        .call(
            app,
            t,
            "createDnsRecord",
            &dom,
            "",
            Some(json!({"name": "www", "type": "MX", "content": "mail.example.net", "ttl": 300, "priority": 10})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let rec = [
        ("domain_id", id),
        ("record_id", record["id"].as_i64().expect("id")),
    ];
    d.call(app, t, "createDnsRecord", &dom, "", Some(json!({"name": "www", "type": "MX", "content": "mail.example.net", "ttl": 300, "priority": 10})))
        .await;
    d.call(
        app,
        t,
        "listDnsRecords",
        &dom,
        "?type=MX&name=www&page=1&page_size=5",
        None,
    )
    .await;
    d.call(app, t, "getDnsRecord", &rec, "", None).await;
    d.call(
        app,
        t,
        "updateDnsRecord",
        &rec,
        "",
        Some(json!({"ttl": 600})),
    )
    .await;
    d.call(app, t, "deleteDnsRecord", &rec, "", None).await;

    // The zone as a file, out and back in.
    let (s, file) = d.call_text(app, "exportZoneFile", &dom, "", None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = d
        .call_text(app, "importZoneFile", &dom, "?mode=merge", Some(&file))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = d
        .call_text(
            app,
            "importZoneFile",
            &dom,
            "?mode=merge",
            Some("www A 192.0.2.300\n"),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Forwarding.
    let (s, email) = d
        .call(
            app,
            t,
            "createEmailForward",
            &dom,
            "",
            Some(json!({"alias": "info", "destinations": ["owner@example.net"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let fwd = [
        ("domain_id", id),
        ("forward_id", email["id"].as_i64().expect("id")),
    ];
    d.call(app, t, "listEmailForwards", &dom, "", None).await;
    d.call(app, t, "getEmailForward", &fwd, "", None).await;
    d.call(
        app,
        t,
        "updateEmailForward",
        &fwd,
        "",
        Some(json!({"destinations": ["other@example.net"]})),
    )
    .await;
    d.call(app, t, "deleteEmailForward", &fwd, "", None).await;
    let (s, url) = d
        .call(
            app,
            t,
            "createUrlForward",
            &dom,
            "",
            Some(json!({"host": "go", "target": "https://example.net/", "status_code": 302, "keep_path": true})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let fwd = [
        ("domain_id", id),
        ("forward_id", url["id"].as_i64().expect("id")),
    ];
    d.call(app, t, "listUrlForwards", &dom, "", None).await;
    d.call(app, t, "getUrlForward", &fwd, "", None).await;
    d.call(
        app,
        t,
        "updateUrlForward",
        &fwd,
        "",
        Some(json!({"status_code": 301})),
    )
    .await;
    d.call(app, t, "deleteUrlForward", &fwd, "", None).await;

    // Hosts (child name servers with glue), named HOST_NAME.
    let (s, host) = d
        .call(
            app,
            t,
            "createHost",
            &dom,
            "",
            Some(json!({"host_name": HOST_NAME, "ip_addresses": ["93.184.216.34", "2606:2800:220:1::1"]})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{host}");
    d.call(app, t, "listHosts", &dom, "", None).await;
    d.call(app, t, "getHost", &dom, "", None).await;
    d.call(
        app,
        t,
        "updateHost",
        &dom,
        "",
        Some(json!({"ip_addresses": ["93.184.216.35"]})),
    )
    .await;
    let (s, _) = d.call(app, t, "deleteHost", &dom, "", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    // TSIG keys: made (the secret once), listed, shown, deleted.
    let (s, key) = d
        .call(
            app,
            t,
            "createTsigKey",
            &dom,
            "",
            Some(json!({"name": "acme", "algorithm": "hmac-sha512"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{key}");
    let tsig = [
        ("domain_id", id),
        ("key_id", key["id"].as_i64().expect("id")),
    ];
    d.call(app, t, "listTsigKeys", &dom, "", None).await;
    d.call(app, t, "getTsigKey", &tsig, "", None).await;
    let (s, _) = d.call(app, t, "deleteTsigKey", &tsig, "", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    // Contacts: a second one, changed and deleted (the first, the
    // default, is the domain's).
    let (s, contact) = d
        .call(
            app,
            t,
            "createContact",
            &[],
            "",
            Some(json!({
                "name": "Documented Person",
                "organisation": "Documented Ltd",
                "street": ["1 Main Street", "Suite 2"],
                "city": "Springfield",
                "state_province": "IL",
                "postal_code": "62701",
                "country_code": "us",
                "voice": "+1.2175550100",
                "fax": "+1.2175550199",
                "email": "documented@example.com",
                "default": false,
            })),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{contact}");
    let con = [("contact_id", contact["id"].as_i64().expect("id"))];
    d.call(app, t, "listContacts", &[], "?page_size=1", None)
        .await;
    d.call(app, t, "getContact", &con, "", None).await;
    d.call(
        app,
        t,
        "updateContact",
        &con,
        "",
        Some(json!({"organisation": null, "voice": "+44.2079460000"})),
    )
    .await;
    let (s, _) = d.call(app, t, "deleteContact", &con, "", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    // The money trail and the audit log, after all that.
    d.call(app, t, "getAccount", &[], "", None).await;
    d.call(app, t, "listTransactions", &[], "?page=1&page_size=3", None)
        .await;
    d.call(app, t, "listAuditEntries", &[], "?page=2&page_size=2", None)
        .await;
    d.call(app, t, "listAuditEntries", &[], "?page=99", None)
        .await;

    // Every operation again: for a domain that is not there, with a field
    // the document does not list, and without a token. With a second token
    // of the account: the first has spent its burst (the rate limit is
    // per token).
    let (_, second) = app
        .app
        .registrar
        .issue_token(
            &vpsd_storage::Actor::operator(),
            app.account_id,
            "second",
            false,
            None,
        )
        .await
        .expect("token");
    let t = Some(second.as_str());
    let missing = [
        ("domain_id", 999_999),
        ("record_id", 999_999),
        ("forward_id", 999_999),
        ("key_id", 999_999),
    ];
    for (op, method, path) in d.operations() {
        let request_body = &d.doc["paths"][&path][method.as_str().to_lowercase()]["requestBody"];
        let takes_body = !request_body.is_null();
        // A zone file is text: a JSON body is a 415, answered above.
        let takes_json = takes_body && request_body["content"]["application/json"].is_object();
        if path.contains("{domain_id}") {
            let body = takes_body.then(|| json!({}));
            let (s, _) = d.call(app, t, &op, &missing, "", body).await;
            assert!(
                s == StatusCode::NOT_FOUND
                    || s == StatusCode::BAD_REQUEST
                    || (s == StatusCode::UNSUPPORTED_MEDIA_TYPE && !takes_json),
                "{op} for a missing domain: {s}"
            );
        }
        if takes_json {
            let (s, e) = d
                .call(
                    app,
                    t,
                    &op,
                    &[
                        ("domain_id", id),
                        ("record_id", 1),
                        ("forward_id", 1),
                        ("key_id", 1),
                        ("contact_id", 1),
                    ],
                    "",
                    Some(json!({"not_a_field": 1})),
                )
                .await;
            if s == StatusCode::BAD_REQUEST {
                assert!(e["errors"]["not_a_field"].is_array(), "{op}: {e}");
            } else {
                assert_eq!(s, StatusCode::NOT_FOUND, "{op}: {e}");
            }
        }
        if path.starts_with("/api/v1/") {
            let params = [
                ("domain_id", id),
                ("record_id", 1),
                ("forward_id", 1),
                ("key_id", 1),
                ("contact_id", 1),
            ];
            let (s, _) = d.call(app, None, &op, &params, "", None).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{op}");
        }
    }

    // The last one: removing the domain.
    let (s, _) = d.call(app, t, "deleteDomain", &dom, "", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    let all: BTreeSet<String> = d.operations().into_iter().map(|(id, _, _)| id).collect();
    let missed: Vec<&String> = all.difference(&d.called).collect();
    assert!(
        missed.is_empty(),
        "operations the test did not call: {missed:?}"
    );
}

/// The document's `Error.code` is the catalogue of error codes: each code
/// of `ErrorCode` is in its enum, and nothing else.
#[test]
fn the_documented_error_codes_are_the_catalogue() {
    let doc = serde_json::to_value(vpsd_api::openapi_document()).expect("document");
    assert_eq!(
        doc["components"]["schemas"]["Error"]["properties"]["code"]["$ref"],
        "#/components/schemas/ErrorCode"
    );
    let documented: BTreeSet<&str> = doc["components"]["schemas"]["ErrorCode"]["enum"]
        .as_array()
        .expect("the codes")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let catalogue: BTreeSet<&str> = vpsd_domain::ErrorCode::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(documented, catalogue);
}

/// The audit entry's `action` is the catalogue of audit actions: each of
/// `AuditAction` is in the document's enum, and nothing else.
#[test]
fn the_documented_audit_actions_are_the_catalogue() {
    let doc = serde_json::to_value(vpsd_api::openapi_document()).expect("document");
    let schemas = &doc["components"]["schemas"];
    let action = schemas
        .as_object()
        .expect("schemas")
        .values()
        .find_map(|s| s["properties"]["action"].as_object())
        .expect("an audit entry's action");
    let enumerated = match action.get("$ref").and_then(Value::as_str) {
        Some(r) => &schemas[r.trim_start_matches("#/components/schemas/")]["enum"],
        None => &action["enum"],
    };
    let documented: BTreeSet<&str> = enumerated
        .as_array()
        .expect("the actions")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let catalogue: BTreeSet<&str> = vpsd_domain::AuditAction::ALL
        .iter()
        .map(|a| a.as_str())
        .collect();
    assert_eq!(documented, catalogue);
}
