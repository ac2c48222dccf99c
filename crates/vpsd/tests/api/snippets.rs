//! The original document's own examples, run as printed: its curl lines,
//! its Python (requests) and its JavaScript (fetch, Node 20) snippets, kept
//! verbatim in `tests/snippets/`, with only the base URL and the token
//! replaced. Each runs against a live server whose domain 101 is what the
//! example expects, and what it prints is checked.

use std::path::Path;
use std::process::Stdio;

use chrono::{Duration, Utc};
use reqwest::StatusCode;

use crate::helpers::{Backend, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn original_examples_sqlite() {
    run_all(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn original_examples_postgres() {
    run_all(Backend::Postgres).await;
}

/// How a snippet is run, and how it prints a JSON `key: value`.
#[derive(Clone, Copy, Debug)]
enum Lang {
    Curl,
    Python,
    Node,
}

impl Lang {
    fn file(self, name: &str) -> String {
        let ext = match self {
            Lang::Curl => "sh",
            Lang::Python => "py",
            Lang::Node => "mjs",
        };
        format!("{name}.{ext}")
    }

    fn program(self) -> &'static str {
        match self {
            Lang::Curl => "bash",
            Lang::Python => "python3",
            Lang::Node => "node",
        }
    }

    /// `key` with `value` as this language prints it (curl prints the raw
    /// JSON; Python a dict; Node `util.inspect`).
    fn field(self, key: &str, value: &str) -> String {
        match self {
            Lang::Curl => format!("\"{key}\":{value}"),
            Lang::Python => format!(
                "'{key}': {}",
                match value {
                    "true" => "True".to_owned(),
                    "false" => "False".to_owned(),
                    v => v.replace('"', "'"),
                }
            ),
            Lang::Node => format!("{key}: {}", value.replace('"', "'")),
        }
    }
}

/// Runs snippet `name` in `lang` against `app`; what it printed.
async fn run(app: &TestApp, lang: Lang, name: &str) -> String {
    let file = lang.file(name);
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snippets")
        .join(&file);
    let text = std::fs::read_to_string(&shipped).expect("snippet");
    let ours = text
        .replace("https://admin.vps.org", &app.base)
        .replace("YOUR_API_TOKEN", &app.token);
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join(&file);
    std::fs::write(&path, ours).expect("write snippet");
    let out = tokio::process::Command::new(lang.program())
        .arg(&path)
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap_or_else(|e| panic!("{} runs: {e}", lang.program()));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{file}: {}\n{stdout}{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// A server whose next domain gets id 101, as in the examples.
async fn app_at_101(backend: Backend) -> TestApp {
    use sqlx::Connection;
    let app = TestApp::spawn(backend).await;
    match backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&app.database_url)
                .await
                .expect("connect");
            sqlx::query(
                "INSERT OR REPLACE INTO sqlite_sequence (name, seq) VALUES ('domains', 100)",
            )
            .execute(&mut c)
            .await
            .expect("sequence");
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&app.database_url)
                .await
                .expect("connect");
            sqlx::query("SELECT setval('domains_id_seq', 100)")
                .execute(&mut c)
                .await
                .expect("sequence");
        }
    }
    app
}

async fn run_all(backend: Backend) {
    crate::helpers::init_logs();
    for lang in [Lang::Curl, Lang::Python, Lang::Node] {
        managing(backend, lang).await;
        transferring(backend, lang).await;
    }
}

/// List, details, update, register and delete, in the document's order,
/// with example.com as domain 101.
async fn managing(backend: Backend, lang: Lang) {
    let app = app_at_101(backend).await;
    let id = app.register("example.com").await;
    assert_eq!(id, 101);
    app.wait_active(id).await;
    app.held_elsewhere(
        "myapp.io",
        "code-1234",
        Utc::now() - Duration::days(400),
        false,
    )
    .await;
    app.import("myapp.io").await;

    let list = run(&app, lang, "list").await;
    for want in [
        lang.field("count", "2"),
        "example.com".into(),
        "myapp.io".into(),
    ] {
        assert!(list.contains(&want), "{lang:?} list: no {want} in {list}");
    }

    let detail = run(&app, lang, "detail").await;
    for want in [
        lang.field("id", "101"),
        lang.field("domain_name", "\"example.com\""),
        lang.field("registrar", "\"VPS.org\""),
        "whois_info".into(),
    ] {
        assert!(
            detail.contains(&want),
            "{lang:?} detail: no {want} in {detail}"
        );
    }

    let update = run(&app, lang, "update").await;
    for want in [
        lang.field("auto_renew", "false"),
        "ns1.cloudflare.com".into(),
    ] {
        assert!(
            update.contains(&want),
            "{lang:?} update: no {want} in {update}"
        );
    }
    let (_, now) = app.get("/api/v1/domains/101/").await;
    assert_eq!(now["nameservers"][0], "ns1.cloudflare.com");
    assert_eq!(now["auto_renew"], false);

    let register = run(&app, lang, "register").await;
    for want in [
        lang.field("domain_name", "\"mynewdomain.com\""),
        lang.field("status", "\"pending\""),
        lang.field("total_cost", "25.98"),
    ] {
        assert!(
            register.contains(&want),
            "{lang:?} register: no {want} in {register}"
        );
    }

    let delete = run(&app, lang, "delete").await;
    match lang {
        Lang::Curl => assert_eq!(delete.trim(), "", "curl prints the empty 204 body"),
        _ => assert_eq!(delete.trim(), "204", "{lang:?} delete"),
    }
    let (status, _) = app.get("/api/v1/domains/101/").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.finish().await;
}

/// The transfer of example.com (101), held at another registrar.
async fn transferring(backend: Backend, lang: Lang) {
    let app = app_at_101(backend).await;
    app.held_elsewhere(
        "example.com",
        "Xy9Kl2Mn#4pQ",
        Utc::now() - Duration::days(365),
        false,
    )
    .await;
    assert_eq!(app.import("example.com").await, 101);
    let transfer = run(&app, lang, "transfer").await;
    for want in [
        lang.field("id", "101"),
        lang.field("transfer_status", "\"pending\""),
        "Check email for transfer authorization request".into(),
    ] {
        assert!(
            transfer.contains(&want),
            "{lang:?} transfer: no {want} in {transfer}"
        );
    }
    assert!(
        !transfer.contains("Xy9Kl2Mn"),
        "the auth code is never echoed"
    );
    app.finish().await;
}
