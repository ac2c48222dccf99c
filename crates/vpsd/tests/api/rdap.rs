//! The RDAP server under `/rdap/` on both databases: the answers' shape
//! and content with privacy protection on and off (what shows, what is
//! redacted), entity and nameserver lookups, IDNs by U-label and A-label,
//! the RFC 9083 error objects, CORS, the rate limit per address; and real
//! clients: `whoisit` (PyPI) and ICANN's conformance tool `rdap-test`
//! (crate icann-rdap-cli).

use std::collections::BTreeSet;
use std::process::{Command, Stdio};

use reqwest::{header, StatusCode};
use serde_json::{json, Value};

use crate::contacts::jane;
use crate::helpers::{require_python_module, require_tool, Package, TestApp};

crate::both!(
    privacy_off_shows_what_the_policy_allows,
    privacy_on_shows_the_privacy_service,
    the_registrar_and_its_abuse_contact,
    an_idn_by_u_label_and_a_label,
    errors_are_rfc_9083_objects,
    nameservers_are_looked_up,
    whoisit_reads_the_registrant_statuses_and_dates,
    the_conformance_tool_finds_no_errors,
);

/// With the registry's RDAP service named (`registry_rdap` in
/// `--rdap-settings`), a domain answer links to the registry's record of
/// it (`related`, ICANN's Response Profile §2.1); a TLD not named gets
/// none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_registrys_record_is_related() {
    let settings = vpsd_api::rdap::RdapSettings::from_json(
        r#"{"registry_rdap": {"com": "https://rdap.registry.example/com/v1/"}}"#,
    )
    .expect("settings");
    let app = TestApp::spawn_with(crate::helpers::Backend::Sqlite, move |s| {
        s.rdap = settings;
    })
    .await;
    registered(&app, json!({"domain_name": "rdap-related.com"})).await;
    registered(&app, json!({"domain_name": "rdap-related.net"})).await;
    let (status, _, d) = rdap(&app, "/rdap/domain/rdap-related.com").await;
    assert_eq!(status, StatusCode::OK, "{d}");
    let related: Vec<&Value> = d["links"]
        .as_array()
        .expect("links")
        .iter()
        .filter(|l| l["rel"] == "related")
        .collect();
    assert_eq!(related.len(), 1, "{d}");
    assert_eq!(
        related[0]["href"],
        "https://rdap.registry.example/com/v1/domain/rdap-related.com"
    );
    assert_eq!(related[0]["type"], "application/rdap+json");
    let (_, _, net) = rdap(&app, "/rdap/domain/rdap-related.net").await;
    assert!(
        !net["links"]
            .as_array()
            .expect("links")
            .iter()
            .any(|l| l["rel"] == "related"),
        "no registry named for .net: {net}"
    );
    app.finish().await;
}

mod limited {
    use super::*;

    /// A server whose RDAP rate is 1/s in bursts of 3.
    async fn spawn(backend: crate::helpers::Backend) -> TestApp {
        TestApp::spawn_with(backend, |s| {
            s.rdap_rate_limit = vpsd_api::limits::RateLimit::parse("1/s,burst=3").expect("rate")
        })
        .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite_the_rate_is_limited_per_address() {
        let app = spawn(crate::helpers::Backend::Sqlite).await;
        super::the_rate_is_limited_per_address(&app).await;
        app.finish().await;
    }

    /// Behind the operator's reverse proxy (`--trusted-proxy`), each
    /// client has its own bucket, by the address the proxy recorded;
    /// what a client writes in X-Forwarded-For itself changes nothing.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn behind_a_trusted_proxy_the_rate_is_per_client() {
        let app = TestApp::spawn_with(crate::helpers::Backend::Sqlite, |s| {
            s.rdap_rate_limit = vpsd_api::limits::RateLimit::parse("1/s,burst=3").expect("rate");
            s.trusted_proxies = vec!["127.0.0.1/32".parse().expect("cidr")];
        })
        .await;
        let ask = |forwarded: &'static str| {
            let app = &app;
            async move {
                app.http
                    .get(format!("{}/rdap/help", app.base))
                    .header("x-forwarded-for", forwarded)
                    .send()
                    .await
                    .expect("send")
                    .status()
            }
        };
        for _ in 0..3 {
            assert_eq!(ask("192.0.2.1").await, StatusCode::OK);
        }
        assert_eq!(ask("192.0.2.1").await, StatusCode::TOO_MANY_REQUESTS);
        // Another client behind the same proxy: its own bucket.
        assert_eq!(ask("192.0.2.2").await, StatusCode::OK);
        // The first client putting a false address before its own: the
        // proxy appended the real one, which is what counts.
        assert_eq!(
            ask("198.51.100.9, 192.0.2.1").await,
            StatusCode::TOO_MANY_REQUESTS
        );
        app.finish().await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres_the_rate_is_limited_per_address() {
        let app = spawn(crate::helpers::Backend::Postgres).await;
        super::the_rate_is_limited_per_address(&app).await;
        app.finish().await;
    }
}

/// A GET of `path` under the server, without a token: the status, the
/// headers and the body as JSON.
async fn rdap(app: &TestApp, path: &str) -> (StatusCode, header::HeaderMap, Value) {
    let resp = app
        .http
        .get(format!("{}{path}", app.base))
        .header(header::ACCEPT, "application/rdap+json")
        .send()
        .await
        .expect("send");
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, headers, body)
}

/// Every answer's headers: the RDAP media type and CORS `*`.
fn assert_rdap_headers(headers: &header::HeaderMap) {
    assert_eq!(headers[header::CONTENT_TYPE], "application/rdap+json");
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
}

/// A domain registered for the first account with `body`'s fields, made
/// active; its id.
async fn registered(app: &TestApp, body: Value) -> i64 {
    let (status, reg) = app.post_domain(body).await;
    assert_eq!(status, StatusCode::CREATED, "{reg}");
    let id = reg["id"].as_i64().expect("id");
    app.activate(id).await;
    id
}

/// Jane's contact (every field) in the first account; its id and handle.
async fn jane_contact(app: &TestApp) -> (i64, String) {
    let (status, c) = app.post_contact(jane()).await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    (
        c["id"].as_i64().expect("id"),
        c["handle"].as_str().expect("handle").to_owned(),
    )
}

fn entity<'a>(answer: &'a Value, role: &str) -> &'a Value {
    answer["entities"]
        .as_array()
        .expect("entities")
        .iter()
        .find(|e| {
            e["roles"]
                .as_array()
                .is_some_and(|r| r.contains(&json!(role)))
        })
        .unwrap_or_else(|| panic!("no {role} entity: {answer}"))
}

/// The jCard property `name`'s value, if there is one.
fn vcard<'a>(entity: &'a Value, name: &str) -> Option<&'a Value> {
    entity["vcardArray"][1]
        .as_array()
        .expect("jCard")
        .iter()
        .find(|p| p[0] == name)
        .map(|p| &p[3])
}

fn redacted_names(answer: &Value) -> BTreeSet<String> {
    answer["redacted"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r["name"]["type"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn event_actions(answer: &Value) -> Vec<&str> {
    answer["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["eventAction"].as_str())
        .collect()
}

async fn privacy_off_shows_what_the_policy_allows(app: &TestApp) {
    let (jid, handle) = jane_contact(app).await;
    let id = registered(
        app,
        json!({"domain_name": "rdap-open.com", "privacy_protection": false, "registrant": jid}),
    )
    .await;
    let (status, headers, d) = rdap(app, "/rdap/domain/RDAP-Open.com").await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_rdap_headers(&headers);

    // The conformance, notices, links, events and statuses.
    for ext in [
        "rdap_level_0",
        "icann_rdap_response_profile_1",
        "icann_rdap_technical_implementation_guide_1",
        "redacted",
    ] {
        assert!(
            d["rdapConformance"]
                .as_array()
                .expect("conformance")
                .contains(&json!(ext)),
            "{ext}"
        );
    }
    let titles: Vec<&str> = d["notices"]
        .as_array()
        .expect("notices")
        .iter()
        .filter_map(|n| n["title"].as_str())
        .collect();
    assert_eq!(
        titles,
        [
            "Terms of Service",
            "Status Codes",
            "RDDS Inaccuracy Complaint Form"
        ]
    );
    assert!(d.to_string().contains("https://icann.org/wicf"));
    assert_eq!(d["objectClassName"], "domain");
    assert_eq!(d["ldhName"], "rdap-open.com");
    assert_eq!(
        d["unicodeName"],
        Value::Null,
        "an ASCII name has no other form"
    );
    let self_link = &d["links"][0];
    assert_eq!(self_link["rel"], "self");
    assert_eq!(self_link["type"], "application/rdap+json");
    assert_eq!(
        self_link["href"],
        format!("{}/rdap/domain/rdap-open.com", app.base)
    );
    assert_eq!(
        event_actions(&d),
        [
            "registration",
            "expiration",
            "last changed",
            "last update of RDAP database"
        ]
    );
    let (_, detail) = app.domain(id).await;
    let expiration = d["events"][1]["eventDate"].as_str().expect("date");
    assert_eq!(
        expiration,
        detail["expiration_date"].as_str().expect("date")
    );
    assert_eq!(
        d["status"],
        json!(["active", "add period", "client transfer prohibited"]),
        "a new, locked domain"
    );
    assert_eq!(d["secureDNS"]["delegationSigned"], false);
    let ns: Vec<&str> = d["nameservers"]
        .as_array()
        .expect("nameservers")
        .iter()
        .filter_map(|n| n["ldhName"].as_str())
        .collect();
    assert_eq!(ns, ["ns1.vps.org", "ns2.vps.org"]);

    // The registrant: name, organisation, state and country, under its
    // handle; the rest redacted, and nowhere in the answer.
    let registrant = entity(&d, "registrant");
    assert_eq!(registrant["handle"], handle.as_str());
    assert_eq!(vcard(registrant, "fn"), Some(&json!("Jane Roe")));
    assert_eq!(vcard(registrant, "org"), Some(&json!("Roe Widgets")));
    let adr = registrant["vcardArray"][1]
        .as_array()
        .expect("jCard")
        .iter()
        .find(|p| p[0] == "adr")
        .expect("adr");
    assert_eq!(adr[1]["cc"], "GB");
    assert_eq!(adr[3], json!(["", "", "", "", "Bristol", "", ""]));
    assert_eq!(vcard(registrant, "tel"), None);
    assert_eq!(vcard(registrant, "email"), None);
    let text = d.to_string();
    for private in ["High Street", "Floor 3", "BS1", "+44", "jane@roe-widgets"] {
        assert!(!text.contains(private), "{private} shown");
    }
    let names = redacted_names(&d);
    for name in [
        "Registrant Street",
        "Registrant City",
        "Registrant Postal Code",
        "Registrant Phone",
        "Registrant Email",
        "Tech Email",
    ] {
        assert!(names.contains(name), "{name} not marked: {names:?}");
    }
    assert!(!names.contains("Registrant Name"), "the name is shown");
    let phone = d["redacted"]
        .as_array()
        .expect("redacted")
        .iter()
        .find(|r| r["name"]["type"] == "Registrant Phone")
        .expect("phone");
    assert_eq!(phone["method"], "removal");
    assert!(phone["prePath"]
        .as_str()
        .is_some_and(|p| p.starts_with("$.entities")));
    // The admin and tech contacts are the account's default (Jane Doe).
    assert_eq!(
        vcard(entity(&d, "technical"), "fn"),
        Some(&json!("Jane Doe"))
    );

    // The entity lookup shows the same, and nothing more.
    let (status, headers, e) = rdap(app, &format!("/rdap/entity/{handle}")).await;
    assert_eq!(status, StatusCode::OK, "{e}");
    assert_rdap_headers(&headers);
    assert_eq!(e["objectClassName"], "entity");
    assert_eq!(vcard(&e, "fn"), Some(&json!("Jane Roe")));
    assert!(e["rdapConformance"]
        .as_array()
        .is_some_and(|c| c.contains(&json!("rdap_level_0"))));
    let text = e.to_string();
    for private in ["High Street", "BS1", "+44", "jane@roe-widgets"] {
        assert!(!text.contains(private), "{private} shown");
    }

    // Privacy on: the handle no longer answers.
    let (status, _) = app
        .put_domain(id, json!({"privacy_protection": true}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, e) = rdap(app, &format!("/rdap/entity/{handle}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{e}");
}

async fn privacy_on_shows_the_privacy_service(app: &TestApp) {
    let (jid, handle) = jane_contact(app).await;
    registered(
        app,
        json!({"domain_name": "rdap-private.com", "registrant": jid, "admin": jid, "tech": jid}),
    )
    .await;
    let (status, _, d) = rdap(app, "/rdap/domain/rdap-private.com").await;
    assert_eq!(status, StatusCode::OK, "{d}");
    for role in ["registrant", "administrative", "technical"] {
        let e = entity(&d, role);
        assert_eq!(e["handle"], "PRIVACY-SERVICE", "{role}");
        assert_eq!(vcard(e, "fn"), Some(&json!("Privacy Protected")));
        assert_eq!(vcard(e, "org"), Some(&json!("VPS.org Privacy Service")));
        // The address that reaches the registrant without revealing them
        // (forwarded by Postfix while privacy is on; docs/forwarding.md).
        assert_eq!(
            vcard(e, "email"),
            Some(&json!("rdap-private.com@privacy.vps.org"))
        );
    }
    let text = d.to_string();
    for private in [
        "Jane Roe",
        "Roe Widgets",
        "High Street",
        "Bristol",
        "+44",
        "jane@",
        &handle,
    ] {
        assert!(!text.contains(private), "{private} shown");
    }
    let names = redacted_names(&d);
    for name in [
        "Registrant Name",
        "Registrant Organization",
        "Registrant Street",
        "Registrant Phone",
        "Registrant Email",
        "Admin Email",
        "Tech Name",
    ] {
        assert!(names.contains(name), "{name} not marked: {names:?}");
    }
    assert!(d["redacted"]
        .as_array()
        .expect("redacted")
        .iter()
        .all(|r| r["method"] == "replacementValue" && r["postPath"].is_string()));

    // The privacy service answers by its handle; the customer's does not.
    let (status, _, p) = rdap(app, "/rdap/entity/PRIVACY-SERVICE").await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(vcard(&p, "email"), Some(&json!("privacy@vps.org")));
    let (status, _, e) = rdap(app, &format!("/rdap/entity/{handle}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{e}");
    assert_eq!(e["errorCode"], 404);
}

async fn the_registrar_and_its_abuse_contact(app: &TestApp) {
    registered(app, json!({"domain_name": "rdap-registrar.net"})).await;
    let (_, _, d) = rdap(app, "/rdap/domain/rdap-registrar.net").await;
    let registrar = entity(&d, "registrar");
    assert_eq!(registrar["handle"], "9999");
    assert_eq!(
        registrar["publicIds"],
        json!([{"type": "IANA Registrar ID", "identifier": "9999"}])
    );
    assert_eq!(vcard(registrar, "fn"), Some(&json!("VPS.org")));
    let abuse = &registrar["entities"][0];
    assert_eq!(abuse["roles"], json!(["abuse"]));
    assert_eq!(vcard(abuse, "email"), Some(&json!("abuse@vps.org")));
    assert_eq!(vcard(abuse, "tel"), Some(&json!("tel:+1.3025550199")));
    for handle in ["9999", "9999-ABUSE"] {
        let (status, headers, e) = rdap(app, &format!("/rdap/entity/{handle}")).await;
        assert_eq!(status, StatusCode::OK, "{e}");
        assert_rdap_headers(&headers);
        assert_eq!(e["handle"], handle);
    }
}

async fn an_idn_by_u_label_and_a_label(app: &TestApp) {
    registered(app, json!({"domain_name": "bücher-rdap.com"})).await;
    for path in [
        "/rdap/domain/b%C3%BCcher-rdap.com",
        "/rdap/domain/B%C3%9CCHER-RDAP.COM",
        "/rdap/domain/xn--bcher-rdap-9db.com",
        "/rdap/domain/XN--BCHER-RDAP-9DB.COM",
    ] {
        let (status, _, d) = rdap(app, path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {d}");
        assert_eq!(d["ldhName"], "xn--bcher-rdap-9db.com", "{path}");
        assert_eq!(d["unicodeName"], "bücher-rdap.com", "{path}");
    }
}

fn assert_rfc_9083_error(status: StatusCode, headers: &header::HeaderMap, e: &Value, want: u16) {
    assert_eq!(status.as_u16(), want, "{e}");
    assert_rdap_headers(headers);
    assert_eq!(e["errorCode"], want, "{e}");
    assert!(e["title"].as_str().is_some_and(|t| !t.is_empty()), "{e}");
    assert!(
        e["description"][0].as_str().is_some_and(|d| d.len() > 10),
        "{e}"
    );
    assert!(e["rdapConformance"]
        .as_array()
        .is_some_and(|c| c.contains(&json!("rdap_level_0"))));
}

async fn errors_are_rfc_9083_objects(app: &TestApp) {
    // Not sponsored here, pending, removed from its account: 404.
    let removed = registered(app, json!({"domain_name": "rdap-removed.com"})).await;
    let (status, _) = app.delete_domain(removed).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let pending = app.register("rdap-pending.com").await;
    for name in ["nobody-here.com", "rdap-pending.com", "rdap-removed.com"] {
        let (status, headers, e) = rdap(app, &format!("/rdap/domain/{name}")).await;
        assert_rfc_9083_error(status, &headers, &e, 404);
    }
    // Held at another registrar (imported, not transferred): 404.
    let created = app.now() - chrono::Duration::days(400);
    app.held_elsewhere("rdap-elsewhere.com", "Code-1234-abcd", created, false)
        .await;
    app.import("rdap-elsewhere.com").await;
    let (status, headers, e) = rdap(app, "/rdap/domain/rdap-elsewhere.com").await;
    assert_rfc_9083_error(status, &headers, &e, 404);
    // Once active, the pending one answers.
    app.activate(pending).await;
    let (status, _, _) = rdap(app, "/rdap/domain/rdap-pending.com").await;
    assert_eq!(status, StatusCode::OK);

    // Malformed names: 400.
    for path in [
        "/rdap/domain/bad..name.com",
        "/rdap/domain/-dash-.com",
        "/rdap/domain/192.0.2.1",
        "/rdap/nameserver/a%20b.com",
    ] {
        let (status, headers, e) = rdap(app, path).await;
        assert_rfc_9083_error(status, &headers, &e, 400);
    }
    // Searches and number queries: 501; anything else: 400.
    for (path, want) in [
        ("/rdap/domains?name=rdap*", 501),
        ("/rdap/entities?fn=Jane*", 501),
        ("/rdap/ip/192.0.2.1", 501),
        ("/rdap/autnum/64496", 501),
        ("/rdap/whatever", 400),
    ] {
        let (status, headers, e) = rdap(app, path).await;
        assert_rfc_9083_error(status, &headers, &e, want);
    }
    // An unknown handle: 404.
    let (status, headers, e) = rdap(app, "/rdap/entity/CNOSUCHHANDLE234").await;
    assert_rfc_9083_error(status, &headers, &e, 404);
    // A path that does not decode: 400, an error object too.
    for path in [
        "/rdap/domain/%FF%FE",
        "/rdap/entity/%FF",
        "/rdap/nameserver/%FF",
    ] {
        let (status, headers, e) = rdap(app, path).await;
        assert_rfc_9083_error(status, &headers, &e, 400);
    }
    // Any method but GET: 405 as an error object; a CORS preflight: 204
    // with the methods allowed.
    let resp = app
        .http
        .post(format!("{}/rdap/domain/example.com", app.base))
        .send()
        .await
        .expect("send");
    let status = resp.status();
    let headers = resp.headers().clone();
    let e: Value = resp.json().await.expect("json");
    assert_rfc_9083_error(status, &headers, &e, 405);
    assert_eq!(headers[header::ALLOW], "GET, HEAD");
    let resp = app
        .http
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/rdap/domain/example.com", app.base),
        )
        .header(header::ORIGIN, "https://lookup.example")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    assert_eq!(resp.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert_eq!(
        resp.headers()[header::ACCESS_CONTROL_ALLOW_METHODS],
        "GET, HEAD"
    );

    // Help, asked for as application/json (RFC 7480 §4.2).
    let resp = app
        .http
        .get(format!("{}/rdap/help", app.base))
        .header(header::ACCEPT, "application/json")
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_rdap_headers(resp.headers());
    let help: Value = resp.json().await.expect("json");
    assert!(help["notices"][0]["description"]
        .to_string()
        .contains("domain/{name}"));
}

async fn nameservers_are_looked_up(app: &TestApp) {
    let id = registered(app, json!({"domain_name": "rdap-glue.com"})).await;
    let (status, h) = app
        .post(
            &crate::endpoints::api(&vps_client::paths::hosts(id)),
            json!({"host_name": "ns1.rdap-glue.com", "ip_addresses": ["93.184.216.34", "2606:2800:220:1::53"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{h}");
    let (_, before) = app.audit("page_size=100").await;
    let (status, headers, ns) = rdap(app, "/rdap/nameserver/NS1.rdap-glue.com").await;
    assert_eq!(status, StatusCode::OK, "{ns}");
    assert_rdap_headers(&headers);
    assert_eq!(ns["objectClassName"], "nameserver");
    assert_eq!(ns["ldhName"], "ns1.rdap-glue.com");
    assert_eq!(ns["ipAddresses"]["v4"], json!(["93.184.216.34"]));
    assert_eq!(ns["ipAddresses"]["v6"], json!(["2606:2800:220:1::53"]));
    // Our own; a host of a domain not sponsored here; one never made.
    let (status, _, own) = rdap(app, "/rdap/nameserver/ns1.vps.org").await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert_eq!(own["ldhName"], "ns1.vps.org");
    for name in ["ns1.nobody-here.com", "ns9.rdap-glue.com"] {
        let (status, headers, e) = rdap(app, &format!("/rdap/nameserver/{name}")).await;
        assert_rfc_9083_error(status, &headers, &e, 404);
    }
    // Anonymous lookups send nothing to the registry and leave nothing in
    // the customer's audit log.
    let (_, after) = app.audit("page_size=100").await;
    assert_eq!(after["results"], before["results"]);
}

async fn the_rate_is_limited_per_address(app: &TestApp) {
    for _ in 0..3 {
        let (status, _, _) = rdap(app, "/rdap/help").await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, headers, e) = rdap(app, "/rdap/help").await;
    assert_rfc_9083_error(status, &headers, &e, 429);
    let wait: u64 = headers[header::RETRY_AFTER]
        .to_str()
        .ok()
        .and_then(|s| s.parse().ok())
        .expect("Retry-After");
    assert!((1..=2).contains(&wait), "{wait}");
    // The API's own limit is per token and untouched.
    let (status, _) = app.account().await;
    assert_eq!(status, StatusCode::OK);
    tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
    let (status, _, _) = rdap(app, "/rdap/help").await;
    assert_eq!(status, StatusCode::OK, "a token came back");
}

/// whoisit's domain query against this server, its bootstrap pointing
/// `.com` here (over HTTP on loopback); the parsed answer.
fn whoisit(app: &TestApp, name: &str) -> Value {
    require_python_module("whoisit", Package::PyPi("whoisit"));
    let python = require_tool("python3", Package::Debian("python3"));
    let script = r#"
import json, sys, time, warnings
import whoisit
base, name = sys.argv[1], sys.argv[2]
services = lambda sel: {"services": [[sel, [base]]]}
whoisit.load_bootstrap_data(json.dumps({
    "timestamp": int(time.time()),
    "asn": services(["64496-64511"]),
    "dns": services(["com"]),
    "ipv4": services(["192.0.2.0/24"]),
    "ipv6": services(["2001:db8::/32"]),
    "object": services(["TEST"]),
}), allow_insecure=True)
warnings.simplefilter("error")
print(json.dumps(whoisit.domain(name, follow_related=False), default=str))
"#;
    let out = Command::new(python)
        .args(["-c", script, &format!("{}/rdap/", app.base), name])
        .stdin(Stdio::null())
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "whoisit failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("whoisit's JSON")
}

async fn whoisit_reads_the_registrant_statuses_and_dates(app: &TestApp) {
    let (jid, _) = jane_contact(app).await;
    let id = registered(
        app,
        json!({"domain_name": "whoisit-open.com", "privacy_protection": false, "registrant": jid}),
    )
    .await;
    registered(
        app,
        json!({"domain_name": "whoisit-private.com", "registrant": jid}),
    )
    .await;
    let (_, detail) = app.domain(id).await;

    let open = whoisit(app, "whoisit-open.com");
    assert_eq!(open["name"], "whoisit-open.com", "{open}");
    assert_eq!(
        open["status"],
        json!(["active", "add period", "client transfer prohibited"]),
        "{open}"
    );
    let reg_date = open["registration_date"]
        .as_str()
        .expect("registration date");
    let exp_date = open["expiration_date"].as_str().expect("expiration date");
    let want_exp = detail["expiration_date"].as_str().expect("expiration");
    assert!(
        exp_date.starts_with(&want_exp[..10]),
        "{exp_date} vs {want_exp}"
    );
    assert!(reg_date.starts_with(&detail["registration_date"].as_str().expect("reg")[..10]));
    assert!(open["last_changed_date"].is_string(), "{open}");
    let registrant = &open["entities"]["registrant"][0];
    assert_eq!(registrant["person"], "Jane Roe", "{open}");
    assert_eq!(registrant["organisation"], "Roe Widgets", "{open}");
    assert_eq!(registrant["address"]["region"], "Bristol", "{open}");
    assert_eq!(registrant["address"]["street_address"], "", "{open}");
    assert!(
        registrant.get("email").is_none_or(|e| e == ""),
        "{registrant}"
    );
    assert_eq!(open["entities"]["registrar"][0]["name"], "VPS.org");
    assert_eq!(
        open["nameservers"],
        json!(["ns1.vps.org", "ns2.vps.org"]),
        "{open}"
    );

    let private = whoisit(app, "whoisit-private.com");
    let registrant = &private["entities"]["registrant"][0];
    assert_eq!(registrant["person"], "Privacy Protected", "{private}");
    assert_eq!(
        registrant["organisation"], "VPS.org Privacy Service",
        "{private}"
    );
    assert_eq!(
        registrant["email"], "whoisit-private.com@privacy.vps.org",
        "{private}"
    );
    assert!(!private.to_string().contains("Jane Roe"));
}

/// What `rdap-test` may report for this setup, each with its reason; any
/// other check of any class fails the test.
const EXPECTED_CHECKS: [(&str, &str); 2] = [
    // The test server is plain HTTP on loopback; production runs behind
    // TLS (README, "Production").
    ("must_use_https", "gtld_profile_error"),
    // Loopback has an IPv4 address only; the tool notes the missing AAAA.
    ("no_a_a_a_a_records", "specification_note"),
];

/// Every (check, class) in `rdap-test`'s JSON report.
fn checks_in(report: &Value, found: &mut BTreeSet<(String, String)>) {
    match report {
        Value::Object(o) => {
            if let (Some(check), Some(class)) = (o.get("check"), o.get("check_class")) {
                if let (Some(c), Some(k)) = (check.as_str(), class.as_str()) {
                    found.insert((c.to_owned(), k.to_owned()));
                }
            }
            o.values().for_each(|v| checks_in(v, found));
        }
        Value::Array(a) => a.iter().for_each(|v| checks_in(v, found)),
        _ => {}
    }
}

async fn the_conformance_tool_finds_no_errors(app: &TestApp) {
    let tool = require_tool(
        "rdap-test",
        Package::Cargo("icann-rdap-cli --version 0.0.30 --locked"),
    );
    let (jid, _) = jane_contact(app).await;
    registered(
        app,
        json!({"domain_name": "conformance-open.com", "privacy_protection": false, "registrant": jid}),
    )
    .await;
    registered(app, json!({"domain_name": "conformance-private.com"})).await;
    let home = tempfile::tempdir().expect("home");
    for name in ["conformance-open.com", "conformance-private.com"] {
        let url = format!("{}/rdap/domain/{name}", app.base);
        let out = Command::new(&tool)
            // Plain HTTP on loopback; no IPv6 there; no DNS asked (the
            // host is an address, and the resolver is a closed port).
            .args(["-T", "--skip-v6", "--dns-resolver", "127.0.0.1:9"])
            .args(["-O", "json", "--log-level", "off", &url])
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .stdin(Stdio::null())
            .output()
            .expect("run rdap-test");
        let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "rdap-test gave no JSON ({e}): {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let runs = report["Http"]["test_runs"].as_array().expect("test runs");
        assert_eq!(runs.len(), 3, "plain, Origin, exts_list: {report}");
        for run in runs {
            assert_eq!(run["outcome"], "Tested", "{run}");
        }
        let mut found = BTreeSet::new();
        checks_in(&report, &mut found);
        let unexpected: Vec<_> = found
            .iter()
            .filter(|(c, k)| !EXPECTED_CHECKS.contains(&(c.as_str(), k.as_str())))
            .collect();
        assert!(unexpected.is_empty(), "{name}: {unexpected:?}");
    }
}
