//! The original document's own examples, run as printed: its curl lines,
//! its Python (requests) and its JavaScript (fetch, Node 20) snippets, kept
//! verbatim in `tests/snippets/`, with only the base URL and the token
//! replaced. Each runs against a live server with the demo data of
//! `vpsd serve --demo`, whose domain 101 is the document's example.com,
//! and what it prints is checked.

use std::path::Path;
use std::process::Stdio;

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

    /// Checks that this language's interpreter (and what its snippets
    /// import) is installed, naming the package otherwise.
    fn require(self) {
        use crate::helpers::{require_python_module, require_tool, Package};
        match self {
            Lang::Curl => {
                require_tool("bash", Package::Debian("bash"));
                require_tool("curl", Package::Debian("curl"));
            }
            Lang::Python => {
                require_tool("python3", Package::Debian("python3"));
                require_python_module("requests", Package::PyPi("requests"));
            }
            Lang::Node => {
                require_tool("node", Package::Debian("nodejs"));
            }
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
    run_with(app, lang, name, &[]).await
}

/// As [`run`], with each `(from, to)` of `swaps` replaced in the snippet as
/// shipped, before the base URL and the token are put in.
async fn run_with(app: &TestApp, lang: Lang, name: &str, swaps: &[(&str, &str)]) -> String {
    let file = lang.file(name);
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snippets")
        .join(&file);
    let text = std::fs::read_to_string(&shipped).expect("snippet");
    // The swaps first: the token and the base URL are random, and may hold
    // what a swap replaces (`101` in a token or a port).
    let mut ours = text;
    for (from, to) in swaps {
        assert!(ours.contains(from), "{file} has no {from}");
        ours = ours.replace(from, to);
    }
    let ours = ours
        .replace("https://admin.vps.org", &app.base)
        .replace("YOUR_API_TOKEN", &app.token);
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join(&file);
    std::fs::write(&path, ours).expect("write snippet");
    lang.require();
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

async fn run_all(backend: Backend) {
    crate::helpers::init_logs();
    for lang in [Lang::Curl, Lang::Python, Lang::Node] {
        managing(backend, lang).await;
        transferring(backend, lang).await;
    }
}

/// List, details, update, register and delete, in the document's order,
/// as written, against the demo data (`vpsd serve --demo`), whose
/// example.com is domain 101.
async fn managing(backend: Backend, lang: Lang) {
    let app = TestApp::spawn_demo(backend).await;

    let list = run(&app, lang, "list").await;
    for want in [
        lang.field("count", "7"),
        lang.field("id", "101"),
        "example.com".into(),
        "demo-shop.com".into(),
    ] {
        assert!(list.contains(&want), "{lang:?} list: no {want} in {list}");
    }

    let detail = run(&app, lang, "detail").await;
    for want in [
        lang.field("id", "101"),
        lang.field("domain_name", "\"example.com\""),
        lang.field("status", "\"active\""),
        lang.field("registration_date", "\"2023-01-15T10:30:00Z\""),
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
    let (_, now) = app.domain(101).await;
    assert_eq!(now["nameservers"][0], "ns1.cloudflare.com");
    assert_eq!(now["auto_renew"], false);

    // mynewdomain.com is free on a fresh demo ($100.00 pays its $25.98).
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
    let (status, _) = app.domain(101).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.finish().await;
}

/// The transfer example: as written it names the demo's example.com,
/// which is VPS.org's already, and is refused saying so; with the id and
/// auth code of the demo's demo-transfer.org (held at another registrar,
/// as `serve --demo` prints them) it starts the transfer.
async fn transferring(backend: Backend, lang: Lang) {
    let app = TestApp::spawn_demo(backend).await;
    let refused = run(&app, lang, "transfer").await;
    assert!(
        refused.contains("already_sponsored"),
        "{lang:?} transfer of 101: {refused}"
    );
    let (id, record) = app
        .demo
        .as_ref()
        .and_then(|d| d.held.iter().find(|(_, r)| r.name == "demo-transfer.org"))
        .cloned()
        .expect("demo-transfer.org");
    let id = id.to_string();
    let transfer = run_with(
        &app,
        lang,
        "transfer",
        &[
            ("101", id.as_str()),
            ("Xy9Kl2Mn#4pQ", record.auth_code.as_str()),
        ],
    )
    .await;
    for want in [
        lang.field("id", &id),
        lang.field("domain_name", "\"demo-transfer.org\""),
        lang.field("transfer_status", "\"pending\""),
        "Check email for transfer authorization request".into(),
    ] {
        assert!(
            transfer.contains(&want),
            "{lang:?} transfer: no {want} in {transfer}"
        );
    }
    assert!(
        !transfer.contains(&record.auth_code),
        "the auth code is never echoed"
    );
    app.finish().await;
}
