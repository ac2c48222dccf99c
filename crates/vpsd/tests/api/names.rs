//! Names by RFC 5891–5893 and UTS #39, nameservers as host names (RFC 1123
//! §2.1), on every path that takes them.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_error, Backend, TestApp};

crate::both!(
    idn_names_refused_with_the_reason_everywhere,
    nameservers_are_host_names_not_addresses,
    search_finds_idns_by_what_the_user_sees,
    names_stored_before_the_unicode_column_are_filled_on_start,
    a_name_held_under_older_rules_still_renews,
);

/// The `domain_name` field error of a refused request.
fn field_message(body: &serde_json::Value) -> String {
    body["errors"]["domain_name"][0]
        .as_str()
        .unwrap_or_else(|| panic!("no domain_name error: {body}"))
        .to_owned()
}

async fn idn_names_refused_with_the_reason_everywhere(app: &TestApp) {
    // (name, what the reason must name)
    let cases = [
        ("😀smile.com", "U+1F600"),
        ("abc・def.com", "U+30FB"),
        ("аpple.com", "U+0430"),
        ("аpple.com", "Cyrillic"),
    ];
    for (name, why) in cases {
        // Register: a field error, nothing charged.
        let (status, body) = app.post_domain(json!({"domain_name": name})).await;
        assert_error(
            status,
            &body,
            StatusCode::BAD_REQUEST,
            "invalid_domain_name",
        );
        let message = field_message(&body);
        assert!(message.contains(why), "{name}: {message}");
        // Check: not available, with the same reason.
        let (status, body) = app.check(&format!("domain_name={name}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let result = &body["results"][0];
        assert_eq!(result["available"], false, "{body}");
        assert_eq!(result["reason"], "invalid_domain_name", "{body}");
        assert!(
            result["detail"].as_str().is_some_and(|d| d.contains(why)),
            "{body}"
        );
    }
    // Import: the same name held elsewhere is refused, whatever the registry says.
    app.held_elsewhere(
        "xn--pple-43d.com",
        "code",
        app.now() - Duration::days(100),
        false,
    )
    .await;
    let (status, body) = app.post_import(json!({"domain_name": "аpple.com"})).await;
    assert_error(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        "invalid_domain_name",
    );
    assert!(field_message(&body).contains("mixes scripts"), "{body}");
    let (status, body) = app
        .post_import(json!({"domain_name": "xn--pple-43d.com"}))
        .await;
    assert_error(
        status,
        &body,
        StatusCode::BAD_REQUEST,
        "invalid_domain_name",
    );
    // Nothing was added or charged; a good IDN still registers.
    let (_, list) = app.domains().await;
    assert_eq!(list["count"], 0, "{list}");
    assert_eq!(app.balance(app.account_id).await, 1_000_00);
    app.register("bücher-shop.com").await;
    app.register("日本のカメラ.com").await;
}

async fn nameservers_are_host_names_not_addresses(app: &TestApp) {
    let addresses = json!(["192.0.2.1", "192.0.2.2"]);
    // Register.
    let (status, body) = app
        .post_domain(json!({"domain_name": "example.com", "nameservers": addresses}))
        .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_fields");
    let message = body["errors"]["nameservers"][0]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains("192.0.2.1") && message.contains("IP address") && message.contains("glue"),
        "{body}"
    );
    assert_eq!(app.balance(app.account_id).await, 1_000_00);
    // Update: refused, the nameservers stay.
    let id = app.register("example.com").await;
    let before = app.domain(id).await.1["nameservers"].clone();
    for bad in [
        addresses.clone(),
        json!(["ns1.example.net", "2001:db8::53"]),
        json!(["ns1.example.net", "ns2.example.123"]),
    ] {
        let (status, body) = app.put_domain(id, json!({"nameservers": bad})).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_fields");
        assert!(
            body["errors"]["nameservers"][0]
                .as_str()
                .is_some_and(|m| m.contains("IP address")),
            "{bad}: {body}"
        );
    }
    let (_, after) = app.domain(id).await;
    assert_eq!(after["nameservers"], before);
    // A host name whose lower labels are digits is a host name.
    app.activate(id).await;
    let (status, body) = app
        .put_domain(
            id,
            json!({"nameservers": ["1.2.example.net", "ns2.example.net"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn search_finds_idns_by_what_the_user_sees(app: &TestApp) {
    // A search that finds nothing is kept like any page, and still sees
    // the next change at once.
    let (_, empty) = app.domains_where("search=bücher").await;
    assert_eq!(empty["count"], 0, "{empty}");
    let shop = app.register("bücher-shop.com").await;
    let (_, found) = app.domains_where("search=bücher").await;
    assert_eq!(found["count"], 1, "{found}");
    let other = app.register("example.com").await;
    // Imported names get the Unicode form too.
    app.held_elsewhere(
        "xn--mnchen-3ya.net",
        "code",
        app.now() - Duration::days(100),
        false,
    )
    .await;
    let munich = app.import("münchen.net").await;
    let ids = |body: &serde_json::Value| -> Vec<i64> {
        body["results"]
            .as_array()
            .unwrap_or_else(|| panic!("{body}"))
            .iter()
            .map(|d| d["id"].as_i64().expect("id"))
            .collect()
    };
    for (search, want) in [
        // What the user sees, in any case and width.
        ("bücher", vec![shop]),
        ("BÜCHER", vec![shop]),
        ("ücher-sh", vec![shop]),
        ("bücher-shop.com", vec![shop]),
        ("ü", vec![shop, munich]),
        ("münchen", vec![munich]),
        // The A-label form still finds it.
        ("xn--bcher", vec![shop]),
        ("xn--", vec![shop, munich]),
        // Plain names as before.
        ("exam", vec![other]),
        ("shop", vec![shop]),
        ("nothing-like-it", vec![]),
    ] {
        let (status, body) = app
            .domains_where(&format!("search={}", urlencode(search)))
            .await;
        assert_eq!(status, StatusCode::OK, "{search}: {body}");
        assert_eq!(ids(&body), want, "{search}: {body}");
        assert_eq!(body["count"], want.len(), "{search}");
    }
    // The list carries the Unicode form beside the A-label one.
    let (_, body) = app.domains_where("search=bücher").await;
    let found = &body["results"][0];
    assert_eq!(found["domain_name"], "xn--bcher-shop-9db.com");
    assert_eq!(found["domain_name_unicode"], "bücher-shop.com");
    let (_, body) = app.domain(other).await;
    assert_eq!(body["domain_name_unicode"], "example.com");
}

/// Percent-encodes a query value (UTF-8 bytes).
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'.' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Runs one statement on the test's database, through a connection of its own.
async fn execute(app: &TestApp, sql: &str) {
    use sqlx::Connection;
    match app.backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&app.database_url)
                .await
                .expect("connect");
            sqlx::query(sql).execute(&mut c).await.expect(sql);
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&app.database_url)
                .await
                .expect("connect");
            sqlx::query(sql).execute(&mut c).await.expect(sql);
        }
    }
}

async fn names_stored_before_the_unicode_column_are_filled_on_start(app: &TestApp) {
    let id = app.register("bücher-shop.com").await;
    // As a row written before migration 0013: no Unicode form, no backfill
    // run yet.
    execute(app, "UPDATE domains SET domain_name_unicode = NULL").await;
    execute(app, "DELETE FROM backfills").await;
    let (_, body) = app.domains_where("search=bücher").await;
    assert_eq!(body["count"], 0, "{body}");
    // A process starting on the database fills it in.
    let store = vpsd_storage::connect(&app.database_url)
        .await
        .expect("connect");
    drop(store);
    let (_, body) = app.domains_where("search=bücher").await;
    assert_eq!(body["count"], 1, "{body}");
    assert_eq!(body["results"][0]["id"], id);
    // Once per database: a later start does not scan the domains again.
    execute(app, "UPDATE domains SET domain_name_unicode = NULL").await;
    drop(
        vpsd_storage::connect(&app.database_url)
            .await
            .expect("connect"),
    );
    let (_, body) = app.domains_where("search=bücher").await;
    assert_eq!(body["count"], 0, "{body}");
}

async fn a_name_held_under_older_rules_still_renews(app: &TestApp) {
    // A mixed-script name registered before the script rule: the rules
    // apply to new names, not to the renewal of one held.
    let id = app.register("bücher.com").await;
    app.activate(id).await;
    for sql in [
        "UPDATE domains SET domain_name = 'xn--pple-43d.com', domain_name_unicode = 'аpple.com' WHERE domain_name = 'xn--bcher-kva.com'",
        "UPDATE registry_names SET name = 'xn--pple-43d.com' WHERE name = 'xn--bcher-kva.com'",
    ] {
        execute(app, sql).await;
    }
    let (status, body) = app.renew(id, json!({"years": 1})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["domain_name"], "xn--pple-43d.com", "{body}");
}
