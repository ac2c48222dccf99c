//! The DNS records API: every type, the RFCs' checks with a 400 naming the
//! field, record sets that grow (ACME's two TXT values), CNAME rules,
//! stable ids, the real `dns_records_count`, isolation, audit.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::endpoints::api;
use crate::helpers::{assert_error, TestApp};
use vps_client::paths;

crate::both!(
    records_of_every_type_round_trip,
    refusals_name_the_field_and_change_nothing,
    acme_values_side_by_side_and_cname_alone,
    records_are_the_owners_only,
    a_released_name_leaves_no_records,
);

fn records(id: i64) -> String {
    api(&paths::records(id))
}

async fn add(app: &TestApp, id: i64, body: Value) -> Value {
    let (status, rec) = app.post(&records(id), body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body} → {rec}");
    rec
}

async fn count(app: &TestApp, id: i64) -> i64 {
    let (_, d) = app.domain(id).await;
    d["dns_records_count"].as_i64().expect("count")
}

async fn records_of_every_type_round_trip(app: &TestApp) {
    let id = app.register("zone-types.com").await;
    let cases = [
        (
            json!({"name": "@", "type": "A", "content": "192.0.2.1"}),
            "192.0.2.1",
            Value::Null,
        ),
        (
            json!({"name": "www", "type": "aaaa", "content": "2001:DB8::1", "ttl": 300}),
            "2001:db8::1",
            Value::Null,
        ),
        (
            json!({"name": "blog.zone-types.com.", "type": "CNAME", "content": "Host.Example.NET."}),
            "host.example.net",
            Value::Null,
        ),
        (
            json!({"name": "@", "type": "MX", "content": "mail.zone-types.com", "priority": 10}),
            "mail.zone-types.com",
            json!(10),
        ),
        (
            json!({"name": "@", "type": "TXT", "content": "v=spf1 -all"}),
            "v=spf1 -all",
            Value::Null,
        ),
        (
            json!({"name": "dev", "type": "NS", "content": "ns1.elsewhere.net"}),
            "ns1.elsewhere.net",
            Value::Null,
        ),
        (
            json!({"name": "_sip._tcp", "type": "SRV", "content": "5 5060 sip.zone-types.com", "priority": 1}),
            "5 5060 sip.zone-types.com",
            json!(1),
        ),
        (
            json!({"name": "@", "type": "CAA", "content": "0 issue letsencrypt.org"}),
            "0 issue \"letsencrypt.org\"",
            Value::Null,
        ),
    ];
    let mut ids = Vec::new();
    for (body, content, priority) in &cases {
        let rec = add(app, id, body.clone()).await;
        assert_eq!(rec["content"], *content, "{rec}");
        assert_eq!(rec["priority"], *priority, "{rec}");
        assert_eq!(
            rec["type"],
            body["type"].as_str().expect("type").to_uppercase()
        );
        ids.push(rec["id"].as_i64().expect("id"));
    }
    assert_eq!(count(app, id).await, 8);
    let (_, page) = app.get(&records(id)).await;
    assert_eq!(page["count"], 8);
    // Ordered by id (the order they were added), not by name: `@`, `www`,
    // `blog`, `@`... and the pages follow that order.
    let listed: Vec<i64> = page["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(listed, ids, "the records list is ordered by id");
    let (_, second) = app
        .get(&format!("{}?page=2&page_size=3", records(id)))
        .await;
    assert_eq!(second["results"][0]["id"], ids[3], "{second}");
    let (_, blog) = app.get(&format!("{}{}/", records(id), ids[2])).await;
    assert_eq!(blog["name"], "blog");
    assert_eq!(blog["fqdn"], "blog.zone-types.com");
    assert_eq!(blog["ttl"], 3600);
    let (_, www) = app.get(&format!("{}?type=AAAA", records(id))).await;
    assert_eq!(www["count"], 1);
    assert_eq!(www["results"][0]["ttl"], 300);

    // PUT changes what it names and keeps the id.
    let (status, changed) = app
        .put(
            &format!("{}{}/", records(id), ids[0]),
            json!({"content": "192.0.2.99", "ttl": 60}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["id"], ids[0]);
    assert_eq!(changed["content"], "192.0.2.99");
    assert_eq!(changed["name"], "@");
    let (status, gone) = app.delete(&format!("{}{}/", records(id), ids[4])).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{gone}");
    let (status, _) = app.get(&format!("{}{}/", records(id), ids[4])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(count(app, id).await, 7);
    app.assert_ledgers_balance().await;
}

async fn refusals_name_the_field_and_change_nothing(app: &TestApp) {
    let id = app.register("zone-refusals.com").await;
    let cases = [
        (json!({"type": "A", "content": "300.1.2.3"}), "content"),
        (json!({"type": "AAAA", "content": "192.0.2.1"}), "content"),
        (
            json!({"type": "A", "content": "192.0.2.1", "ttl": 59}),
            "ttl",
        ),
        (
            json!({"type": "A", "content": "192.0.2.1", "ttl": 86401}),
            "ttl",
        ),
        (
            json!({"type": "A", "content": "192.0.2.1", "priority": 5}),
            "priority",
        ),
        (
            json!({"type": "MX", "content": "mail.example.com"}),
            "priority",
        ),
        (json!({"type": "CNAME", "content": "x.example.net"}), "name"),
        (json!({"type": "NS", "content": "ns.example.net"}), "name"),
        (
            json!({"name": "www.other.org.", "type": "A", "content": "192.0.2.1"}),
            "name",
        ),
        (
            json!({"name": "a..b", "type": "A", "content": "192.0.2.1"}),
            "name",
        ),
        (json!({"type": "SPF", "content": "x"}), "type"),
        (json!({"content": "192.0.2.1"}), "type"),
        (json!({"type": "A"}), "content"),
        (
            json!({"type": "TXT", "content": "x".repeat(4001)}),
            "content",
        ),
        (
            json!({"type": "MX", "content": "not a host", "priority": 1}),
            "content",
        ),
        (
            json!({"name": "sip", "type": "SRV", "content": "1 1 a.example.com", "priority": 1}),
            "name",
        ),
        (json!({"type": "CAA", "content": "0 bogus x"}), "content"),
        (json!({"type": "A", "content": 12}), "content"),
        (
            json!({"type": "A", "content": "192.0.2.1", "colour": "red"}),
            "colour",
        ),
    ];
    for (body, field) in cases {
        let (status, err) = app.post(&records(id), body.clone()).await;
        assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_fields");
        assert!(err["errors"][field].is_array(), "{body} → {err}");
        assert!(!err["detail"].as_str().unwrap_or("").is_empty());
    }
    let (status, err) = app
        .put(&format!("{}1/", records(id)), json!({"ttl": 60}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{err}");
    assert_eq!(count(app, id).await, 0);
    let (_, page) = app.get(&records(id)).await;
    assert_eq!(page["count"], 0);
    let (status, err) = app.get(&format!("{}?type=SPF", records(id))).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_query");
}

async fn acme_values_side_by_side_and_cname_alone(app: &TestApp) {
    let id = app.register("zone-acme.com").await;
    let one = add(
        app,
        id,
        json!({"name": "_acme-challenge", "type": "TXT", "content": "token-for-wildcard"}),
    )
    .await;
    let two = add(app, id, json!({"name": "_acme-challenge.zone-acme.com", "type": "TXT", "content": "token-for-apex"})).await;
    assert_ne!(one["id"], two["id"]);
    let (_, page) = app
        .get(&format!("{}?name=_acme-challenge&type=TXT", records(id)))
        .await;
    assert_eq!(page["count"], 2, "{page}");

    // The same record twice is a 409 naming the first.
    let (status, err) = app
        .post(
            &records(id),
            json!({"name": "_acme-challenge", "type": "TXT", "content": "token-for-apex"}),
        )
        .await;
    assert_error(status, &err, StatusCode::CONFLICT, "duplicate_record");
    assert!(
        err["detail"]
            .as_str()
            .expect("detail")
            .contains(&two["id"].to_string()),
        "{err}"
    );

    // A CNAME never beside other data, nor other data beside a CNAME.
    let (status, err) = app
        .post(
            &records(id),
            json!({"name": "_acme-challenge", "type": "CNAME", "content": "acme.example.net"}),
        )
        .await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "cname_conflict");
    assert!(err["errors"]["type"].is_array());
    add(
        app,
        id,
        json!({"name": "shop", "type": "CNAME", "content": "shops.example.net"}),
    )
    .await;
    let (status, err) = app
        .post(
            &records(id),
            json!({"name": "shop", "type": "A", "content": "192.0.2.1"}),
        )
        .await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "cname_conflict");
    // Turning the only record at a name into a CNAME is allowed.
    let (status, changed) = app
        .put(
            &format!("{}{}/", records(id), one["id"]),
            json!({"name": "alone", "type": "CNAME", "content": "x.example.net"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(count(app, id).await, 3);
}

async fn records_are_the_owners_only(app: &TestApp) {
    let id = app.register("zone-mine.com").await;
    let rec = add(app, id, json!({"type": "A", "content": "192.0.2.1"})).await;
    let (_, other) = app.new_account("other@example.com", 0).await;
    let rec_path = format!("{}{}/", records(id), rec["id"]);
    for (method, path, body) in [
        (Method::GET, records(id), None),
        (
            Method::POST,
            records(id),
            Some(json!({"type": "A", "content": "192.0.2.2"})),
        ),
        (Method::GET, rec_path.clone(), None),
        (Method::PUT, rec_path.clone(), Some(json!({"ttl": 60}))),
        (Method::DELETE, rec_path.clone(), None),
    ] {
        let (status, err) = app
            .request_as(Some(&other), method.clone(), &path, body)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {err}");
    }
    let (status, _) = app.get(&rec_path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(count(app, id).await, 1);
    let (status, _) = app.get(&format!("{}abc/", records(id))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Each change is in the audit log with before and after.
    let (_, page) = app.audit("page_size=100").await;
    let entry = page["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|e| e["action"] == "dns_record.create")
        .cloned()
        .expect("audited");
    assert_eq!(entry["domain"], "zone-mine.com");
    assert_eq!(
        entry["changes"]["content"],
        json!([null, "192.0.2.1"]),
        "{entry}"
    );
}

async fn a_released_name_leaves_no_records(app: &TestApp) {
    let id = app.register("zone-released.com").await;
    add(app, id, json!({"type": "A", "content": "192.0.2.1"})).await;
    // Expire and release it: past expiry and grace (the worker deletes it
    // at the registry as redemption begins, as a running worker would),
    // then past redemption and pending delete.
    app.advance(chrono::Duration::days(366 + 30 + 1)).await;
    app.advance(chrono::Duration::days(29 + 6)).await;
    app.advance(chrono::Duration::hours(1)).await;
    let (status, _) = app.domain(id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let new_id = app.register("zone-released.com").await;
    app.advance(chrono::Duration::seconds(2)).await;
    let (_, page) = app.get(&records(new_id)).await;
    assert_eq!(page["count"], 0, "{page}");
    assert_eq!(count(app, new_id).await, 0);
}
