//! Availability and prices.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use crate::endpoints::with_query;
use crate::helpers::{assert_error, TestApp};
use vps_client::paths;

crate::both!(
    check_tells_free_taken_held_and_invalid,
    check_limits,
    price_table
);

async fn check_tells_free_taken_held_and_invalid(app: &TestApp) {
    app.register("taken.com").await;
    app.held_elsewhere("held.io", "code", app.now() - Duration::days(90), false)
        .await;
    let (status, body) = app
        .check("domain_name=free.com&domain_name=TAKEN.com.&domain_name=held.io&domain_name=bad_name.com&domain_name=x.xyz&domain_name=b%C3%BCcher.dev")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["count"], 6);
    let r = &body["results"];
    assert_eq!(r[0]["domain_name"], "free.com");
    assert_eq!(r[0]["available"], true);
    assert_eq!(r[0]["reason"], json!(null));
    assert_eq!(r[0]["prices"]["register"].as_f64(), Some(12.99));
    assert_eq!(r[0]["prices"]["renew"].as_f64(), Some(12.99));
    assert_eq!(r[0]["prices"]["transfer"].as_f64(), Some(12.99));
    assert_eq!(r[1]["domain_name"], "taken.com");
    assert_eq!(r[1]["available"], false);
    assert_eq!(r[1]["reason"], "domain_taken");
    assert_eq!(r[2]["domain_name"], "held.io");
    assert_eq!(r[2]["available"], false);
    assert_eq!(r[2]["reason"], "domain_taken");
    assert_eq!(r[2]["prices"]["transfer"].as_f64(), Some(39.99));
    assert_eq!(r[3]["available"], false);
    assert_eq!(r[3]["reason"], "invalid_domain_name");
    assert_eq!(r[3]["prices"], json!(null));
    assert_eq!(r[4]["reason"], "unsupported_tld");
    assert_eq!(r[5]["domain_name"], "xn--bcher-kva.dev");
    assert_eq!(r[5]["available"], true);
    // What check says free, registration accepts.
    let (status, _) = app.post_domain(json!({"domain_name": "free.com"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, body) = app.check("domain_name=free.com").await;
    assert_eq!(body["results"][0]["available"], false);
}

async fn check_limits(app: &TestApp) {
    let fifty: String = (0..50).map(|i| format!("domain_name=n{i}.com&")).collect();
    let (status, body) = app.check(&fifty).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["count"], 50);
    let (status, body) = app.check(&format!("{fifty}domain_name=n50.com")).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_query");
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("51")));
    let (status, body) = app.check("").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid_query");
    let (status, _) = app
        .request_as(
            None,
            reqwest::Method::GET,
            &with_query(paths::CHECK, "domain_name=a.com"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn price_table(app: &TestApp) {
    let (status, body) = app.pricing().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["currency"], "USD");
    assert_eq!(body["restore_fee"].as_f64(), Some(80.0));
    let rows = body["results"].as_array().expect("rows");
    let want = [
        (".com", 12.99),
        (".net", 14.99),
        (".org", 13.99),
        (".io", 39.99),
        (".dev", 14.99),
        (".app", 14.99),
        (".co", 24.99),
    ];
    assert_eq!(rows.len(), want.len());
    for (row, (tld, price)) in rows.iter().zip(want) {
        assert_eq!(row["tld"], tld);
        for op in ["register", "renew", "transfer"] {
            assert_eq!(row[op].as_f64(), Some(price), "{tld} {op}");
        }
    }
}
