//! Property-based testing of the API against its own OpenAPI document with
//! schemathesis (PyPI; `.ci/run` installs it): generated requests, valid and
//! not, for every operation, with a fixed seed and a bounded number of
//! examples. Every answer must be no 5xx, a status the document lists for
//! the operation, of the documented content type, and valid against the
//! documented schema.

use serde_json::json;

use crate::endpoints::api;
use crate::helpers::{Backend, TestApp};
use vps_client::paths;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_answers_schemathesis_as_documented() {
    run(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_answers_schemathesis_as_documented() {
    run(Backend::Postgres).await;
}

async fn run(backend: Backend) {
    // Thousands of requests from one token: no rate limit here (its 429 is
    // documented and tested elsewhere).
    let app = TestApp::spawn_with(backend, |s| s.rate_limit = None).await;
    // Something for the ids in paths to find: a domain with a record and
    // a forward of each kind.
    let id = app.register("fuzzed.com").await;
    app.activate(id).await;
    let (_, record) = app
        .add_record(
            id,
            json!({"name": "www", "type": "A", "content": "192.0.2.1"}),
        )
        .await;
    let (_, email) = app
        .add_email_forward(
            id,
            json!({"alias": "info", "destinations": ["a@example.net"]}),
        )
        .await;
    let (_, url) = app
        .add_url_forward(id, json!({"host": "go", "target": "https://example.net/"}))
        .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("schemathesis.toml");
    std::fs::write(
        &config,
        format!(
            "[parameters]\ndomain_id = {id}\nrecord_id = {}\nforward_id = {}\n",
            record["id"],
            email["id"].as_i64().or(url["id"].as_i64()).unwrap_or(1)
        ),
    )
    .expect("config");
    let out = tokio::process::Command::new(crate::helpers::require_tool(
        "st",
        crate::helpers::Package::PyPi("schemathesis"),
    ))
        .current_dir(dir.path())
        .arg("--config-file")
        .arg(&config)
        .args(["run", &app.url(paths::OPENAPI)])
        .args(["-H", &format!("Authorization: Bearer {}", app.token)])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            "--seed",
            "20261127",
            "--max-examples",
            "25",
            "--phases",
            "examples,coverage,fuzzing",
            // One worker: with two, hypothesis parses lambdas' source in
            // two threads at once, which CPython 3.11 (before 3.11.8)
            // turns into "SystemError: AST constructor recursion depth
            // mismatch" now and then (CPython gh-106905), an error of the
            // tool, not a finding.
            "--workers",
            "1",
            "--no-color",
        ])
        .output()
        .await
        .expect("run `st` (schemathesis: pip install schemathesis)");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis found answers that break the document:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Every operation of the document was tried.
    let (_, doc) = app
        .request_as(None, reqwest::Method::GET, &api(paths::OPENAPI), None)
        .await;
    let operations: usize = doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .map(|item| item.as_object().map_or(0, |ops| ops.len()))
        .sum();
    assert!(
        report.contains(&format!("Tested: {operations}")),
        "{operations} operations: {report}"
    );
    app.finish().await;
}
