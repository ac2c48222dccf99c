//! Every example request of the original document, checking the status and
//! every field of its example response (fields that depend on the current
//! time are checked for form and consistency), and the demo data's domain
//! 101, which the document's examples name, against its domain object.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use crate::endpoints::api;
use crate::helpers::{assert_error, parse_time, Backend, TestApp};
use vps_client::paths;
use vpsd_domain::lifecycle::add_years;

crate::both!(
    list_domains,
    register_domain,
    domain_details,
    update_domain,
    delete_domain,
    transfer_domain,
    list_filters_search_and_pages,
);

async fn list_domains(app: &TestApp) {
    let example = app.register("example.com").await;
    app.activate(example).await;
    app.held_elsewhere(
        "myapp.io",
        "code-1234",
        app.now() - Duration::days(400),
        false,
    )
    .await;
    let myapp = app.import("myapp.io").await;

    let (status, body) = app.domains().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["count"], 2);
    assert_eq!(body["next"], json!(null));
    assert_eq!(body["previous"], json!(null));
    let results = body["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    let first = &results[0];
    assert_eq!(first["id"], example);
    assert_eq!(first["domain_name"], "example.com");
    assert_eq!(first["status"], "active");
    assert_eq!(first["auto_renew"], true);
    assert_eq!(first["locked"], true);
    assert_eq!(first["nameservers"], json!(["ns1.vps.org", "ns2.vps.org"]));
    assert_eq!(first["privacy_protection"], true);
    assert_eq!(first["dns_managed_by"], "vps.org");
    let reg = parse_time(&first["registration_date"]);
    assert_eq!(parse_time(&first["expiration_date"]), add_years(reg, 1));
    let second = &results[1];
    assert_eq!(second["id"], myapp);
    assert_eq!(second["domain_name"], "myapp.io");
    assert_eq!(second["status"], "active");
    assert_eq!(second["auto_renew"], false);
    assert_eq!(second["locked"], false);
    assert_eq!(
        second["nameservers"],
        json!(["ns1.other.net", "ns2.other.net"])
    );
    assert_eq!(second["privacy_protection"], false);
    assert_eq!(second["dns_managed_by"], "external");
    let keys: Vec<&String> = first.as_object().expect("object").keys().collect();
    for key in [
        "id",
        "domain_name",
        "status",
        "registration_date",
        "expiration_date",
        "auto_renew",
        "locked",
        "nameservers",
        "privacy_protection",
        "dns_managed_by",
    ] {
        assert!(keys.iter().any(|k| *k == key), "missing {key}");
    }
}

async fn register_domain(app: &TestApp) {
    let (status, body) = app
        .post_domain(json!({
            "domain_name": "mynewdomain.com",
            "years": 2,
            "auto_renew": true,
            "privacy_protection": true
        }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(body["id"].as_i64().is_some_and(|id| id > 0));
    assert_eq!(body["domain_name"], "mynewdomain.com");
    assert_eq!(body["status"], "pending");
    let reg = parse_time(&body["registration_date"]);
    assert_eq!(reg, app.now(), "registration_date is now");
    assert_eq!(parse_time(&body["expiration_date"]), add_years(reg, 2));
    assert_eq!(body["auto_renew"], true);
    assert_eq!(body["locked"], true);
    assert_eq!(body["nameservers"], json!(["ns1.vps.org", "ns2.vps.org"]));
    assert_eq!(body["privacy_protection"], true);
    assert_eq!(body["dns_managed_by"], "vps.org");
    // years × price (the original's 24.98 is a typo; api-v1.md).
    assert_eq!(body["total_cost"].to_string(), "25.98");
    assert_eq!(
        body["message"],
        "Domain registration initiated. Processing may take 5-10 minutes."
    );
    assert_eq!(app.balance(app.account_id).await, 1_000_00 - 25_98);
}

async fn domain_details(app: &TestApp) {
    let (status, body) = app
        .post_domain(json!({"domain_name": "example.com", "years": 2}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = body["id"].as_i64().expect("id");
    let body = app.activate(id).await;
    assert_eq!(body["id"], id);
    assert_eq!(body["domain_name"], "example.com");
    assert_eq!(body["status"], "active");
    assert_eq!(body["auto_renew"], true);
    assert_eq!(body["locked"], true);
    assert_eq!(body["nameservers"], json!(["ns1.vps.org", "ns2.vps.org"]));
    assert_eq!(body["privacy_protection"], true);
    assert_eq!(body["dns_managed_by"], "vps.org");
    assert_eq!(body["registrar"], "VPS.org");
    let reg = parse_time(&body["registration_date"]);
    let exp = parse_time(&body["expiration_date"]);
    assert_eq!(exp, add_years(reg, 2));
    let days = body["days_until_expiration"].as_i64().expect("days");
    assert_eq!(days, (exp - app.now()).num_seconds().div_euclid(86_400));
    assert!((729..=731).contains(&days));
    let whois = &body["whois_info"];
    assert_eq!(whois["registrant"], "Privacy Protected");
    assert_eq!(whois["admin_contact"], "Privacy Protected");
    assert_eq!(whois["tech_contact"], "Privacy Protected");
    assert_eq!(whois["created_date"], reg.format("%Y-%m-%d").to_string());
    assert_eq!(
        whois["updated_date"],
        app.now().format("%Y-%m-%d").to_string()
    );
    assert_eq!(body["dns_records_count"], 0);

    // Without privacy the contacts are the domain's, in their public form
    // (the account's default contact: name, organisation).
    let (status, _) = app
        .put_domain(id, json!({"privacy_protection": false}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, body) = app.domain(id).await;
    assert_eq!(body["whois_info"]["registrant"], "Jane Doe, Example Ltd");
}

async fn update_domain(app: &TestApp) {
    let id = app.register("example.com").await;
    app.activate(id).await;
    let (status, body) = app
        .put_domain(
            id,
            json!({
                "auto_renew": false,
                "nameservers": ["ns1.cloudflare.com", "ns2.cloudflare.com"]
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], id);
    assert_eq!(body["domain_name"], "example.com");
    assert_eq!(body["status"], "active");
    assert_eq!(body["auto_renew"], false);
    assert_eq!(
        body["nameservers"],
        json!(["ns1.cloudflare.com", "ns2.cloudflare.com"])
    );
    assert_eq!(body["privacy_protection"], true);
    assert_eq!(body["locked"], true);
    assert_eq!(
        body["message"],
        "Domain settings updated successfully. Nameserver changes may take up to 24 hours to propagate."
    );
    // The change is kept, and reaches the registry of record.
    let (_, detail) = app.domain(id).await;
    assert_eq!(detail["dns_managed_by"], "external");
    assert_eq!(detail["auto_renew"], false);
    let record = app
        .app
        .store
        .registry_get("example.com")
        .await
        .expect("registry")
        .expect("registered");
    assert_eq!(
        record.nameservers,
        vec!["ns1.cloudflare.com", "ns2.cloudflare.com"]
    );

    // Unlocking clears the registry's transfer prohibition.
    let (status, body) = app.put_domain(id, json!({"locked": false})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["locked"], false);
    let record = app
        .app
        .store
        .registry_get("example.com")
        .await
        .expect("r")
        .expect("r");
    assert!(!record.client_transfer_prohibited);
}

async fn delete_domain(app: &TestApp) {
    let id = app.register("example.com").await;
    let (status, body) = app.delete_domain(id).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(body, json!(null));
    let (status, _) = app.domain(id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app.domains().await;
    assert_eq!(list["count"], 0);
    // The registration continues: the name stays taken.
    let (status, body) = app.post_domain(json!({"domain_name": "example.com"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "domain_taken");
    let (status, _) = app.delete_domain(id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Another account cannot take it over; the owner can bring it back.
    let (_, other) = app.new_account("other@example.com", 0).await;
    let (status, body) = app
        .request_as(
            Some(&other),
            reqwest::Method::POST,
            &api(paths::IMPORT),
            Some(json!({"domain_name": "example.com"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(app.import("example.com").await, id);
    let (status, _) = app.domain(id).await;
    assert_eq!(status, StatusCode::OK);
}

async fn transfer_domain(app: &TestApp) {
    app.held_elsewhere(
        "example.com",
        "Xy9Kl2Mn#4pQ",
        app.now() - Duration::days(365),
        false,
    )
    .await;
    let id = app.import("example.com").await;
    let (status, body) = app
        .transfer(id, json!({"auth_code": "Xy9Kl2Mn#4pQ", "auto_renew": true}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], id);
    assert_eq!(body["domain_name"], "example.com");
    assert_eq!(body["transfer_status"], "pending");
    let initiated = parse_time(&body["transfer_initiated_at"]);
    assert_eq!(initiated, app.now());
    // The test server's transfer delay is one second.
    assert_eq!(
        parse_time(&body["estimated_completion"]),
        initiated + Duration::seconds(1)
    );
    assert_eq!(
        body["message"],
        "Domain transfer initiated. You should receive a confirmation email from your current registrar. Transfer typically completes within 5-7 days."
    );
    assert_eq!(
        body["next_steps"],
        json!([
            "Check email for transfer authorization request",
            "Approve transfer with current registrar",
            "Wait for transfer to complete (5-7 days)",
            "Domain will be automatically renewed for 1 year upon completion"
        ])
    );
    assert!(!body.to_string().contains("Xy9Kl2Mn"), "auth code echoed");
    assert_eq!(app.balance(app.account_id).await, 1_000_00 - 12_99);
}

async fn list_filters_search_and_pages(app: &TestApp) {
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(app.register(&format!("shop{i}.com")).await);
    }
    app.register("blog.net").await;
    let (_, body) = app.domains_where("search=SHOP").await;
    assert_eq!(body["count"], 5);
    let (_, body) = app.domains_where("search=100%25").await;
    assert_eq!(body["count"], 0, "% is literal in search");
    // A NUL (which PostgreSQL refuses in text) or another control
    // character: a clear 400 on both databases, not a 500.
    for query in ["search=%00", "search=x%00y", "search=shop%0A"] {
        let (status, body) = app.domains_where(query).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_query");
        assert!(body["errors"]["search"].is_array(), "{query}: {body}");
    }
    let (_, body) = app.domains_where("status=pending").await;
    assert_eq!(body["count"], 6);
    let (_, body) = app.domains_where("status=active").await;
    assert_eq!(body["count"], 0);
    let (_, body) = app.domains_where("status=locked").await;
    assert_eq!(body["count"], 6);

    let (status, body) = app.domains_where("search=shop&page_size=2").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["count"], 5);
    assert_eq!(body["results"].as_array().map(Vec::len), Some(2));
    assert_eq!(body["results"][0]["id"], ids[0]);
    assert_eq!(body["previous"], json!(null));
    let next = body["next"].as_str().expect("next").to_owned();
    assert!(next.starts_with(&app.base), "{next}");
    assert!(
        next.contains("page=2") && next.contains("search=shop"),
        "{next}"
    );
    let resp = app
        .http
        .get(&next)
        .bearer_auth(&app.token)
        .send()
        .await
        .expect("next");
    let page2: serde_json::Value = resp.json().await.expect("json");
    assert_eq!(page2["results"][0]["id"], ids[2]);
    assert!(page2["previous"]
        .as_str()
        .is_some_and(|p| p.contains("page=1")));
    let (_, page3) = app.domains_where("search=shop&page_size=2&page=3").await;
    assert_eq!(page3["results"].as_array().map(Vec::len), Some(1));
    assert_eq!(page3["next"], json!(null));
    let (status, body) = app.domains_where("page=9").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "invalid_page");
}

/// The document's domain object (docs/api-v1.md, "The domain object").
fn documented_domain() -> serde_json::Value {
    let doc = include_str!("../../../../docs/api-v1.md");
    let start = doc
        .find("## The domain object")
        .and_then(|at| doc[at..].find("```json").map(|i| at + i + "```json".len()))
        .expect("the domain object's example");
    let end = doc[start..].find("```").expect("end of the example") + start;
    serde_json::from_str(&doc[start..end]).expect("the example is JSON")
}

/// `vpsd serve --demo`'s example.com is the document's domain 101, field
/// for field (but `expiration_date`: the document's has passed, so it
/// expires on a later anniversary), in the list and in the details.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_holds_the_documents_example_domain() {
    let documented = documented_domain();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = TestApp::spawn_demo(backend).await;
        let (status, detail) = app.domain(101).await;
        assert_eq!(status, StatusCode::OK, "{detail}");
        let (_, list) = app.domains_where("search=example.com").await;
        assert_eq!(list["count"], 1, "{list}");
        for body in [&detail, &list["results"][0]] {
            for (key, want) in documented.as_object().expect("object") {
                if key == "expiration_date" {
                    let reg = parse_time(&body["registration_date"]);
                    let exp = parse_time(&body[key.as_str()]);
                    assert!(exp > app.now(), "not expired: {body}");
                    assert_eq!(exp.format("%m-%dT%H:%M:%S").to_string(), "01-15T10:30:00");
                    assert!(exp > reg, "{body}");
                } else {
                    assert_eq!(&body[key.as_str()], want, "{key}: {body}");
                }
            }
        }
        assert_eq!(detail["registrar"], "VPS.org");
        assert_eq!(detail["phase"], "active");
        app.finish().await;
    }
}
