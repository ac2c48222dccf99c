//! Small assertions and readers for answers: error bodies, time stamps,
//! money; and [`poll_until`] for what happens outside the test's control.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::Value;

/// Asks `check` every 50 ms until it holds, for up to 15 s of real time,
/// then panics naming `what`. Only for what happens outside the test's
/// control and on real time: another process (a `vpsd` child, an SMTP
/// relay), never the server's clock or worker, which a test drives with
/// [`TestApp::advance`] and [`TestApp::run_worker`].
pub async fn poll_until<F, Fut>(what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(15);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Asserts an error body: status, `code`, and a non-empty `detail`.
pub fn assert_error(status: StatusCode, body: &Value, want: StatusCode, code: &str) {
    assert_eq!(status, want, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| d.len() > 10),
        "detail missing: {body}"
    );
}

/// An RFC 3339 UTC time stamp with whole seconds and `Z`.
pub fn parse_time(v: &Value) -> DateTime<Utc> {
    let s = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
    assert!(
        s.len() == 20 && s.ends_with('Z'),
        "not whole-second RFC 3339 UTC: {s}"
    );
    DateTime::parse_from_rfc3339(s)
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

/// A money field in cents.
pub fn cents(v: &Value) -> i64 {
    (v.as_f64().unwrap_or_else(|| panic!("not a number: {v}")) * 100.0).round() as i64
}
