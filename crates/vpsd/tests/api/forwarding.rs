//! Email and URL forwarding: the API, the DNS records they add, Postfix's
//! own lookups (`postmap -q`) through the shipped configuration against the
//! live database, and the forwarding listener's redirects and Caddy `ask`.

use std::path::Path;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::endpoints::api;
use crate::helpers::{assert_error, require_tool, Backend, Package, TestApp, FORWARD_ADDRESS};
use crate::nameserver::{dig, nameserver, until};
use vps_client::paths;

crate::both!(
    email_forwards_through_the_api,
    postfix_reads_the_forwards,
    postfix_forwards_the_privacy_address,
    url_forwards_redirect_and_ask,
);

fn email(id: i64) -> String {
    api(&paths::email_forwards(id))
}

fn urls(id: i64) -> String {
    api(&paths::url_forwards(id))
}

async fn created(app: &TestApp, path: &str, body: Value) -> Value {
    let (status, v) = app.post(path, body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body} → {v}");
    v
}

async fn email_forwards_through_the_api(app: &TestApp) {
    let id = app.active("fwd-mail.com").await;
    let info = created(
        app,
        &email(id),
        json!({"alias": "Info", "destinations": ["Me@Example.NET", "team@example.org"]}),
    )
    .await;
    assert_eq!(info["alias"], "info");
    assert_eq!(info["address"], "info@fwd-mail.com");
    assert_eq!(
        info["destinations"],
        json!(["me@example.net", "team@example.org"])
    );
    let all = created(
        app,
        &email(id),
        json!({"alias": "*", "destinations": ["catch@example.net"]}),
    )
    .await;
    assert_eq!(all["address"], "*@fwd-mail.com");

    for (body, field) in [
        (
            json!({"alias": "a b", "destinations": ["x@example.net"]}),
            "alias",
        ),
        (json!({"alias": "x", "destinations": []}), "destinations"),
        (
            json!({"alias": "x", "destinations": ["not-an-address"]}),
            "destinations",
        ),
        (
            json!({"alias": "x", "destinations": ["x@fwd-mail.com"]}),
            "destinations",
        ),
        (json!({"destinations": ["x@example.net"]}), "alias"),
        (json!({"alias": "x"}), "destinations"),
        (
            json!({"alias": "x", "destinations": ["x@example.net"], "extra": 1}),
            "extra",
        ),
    ] {
        let (status, err) = app.post(&email(id), body.clone()).await;
        assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_fields");
        assert!(err["errors"][field].is_array(), "{body} → {err}");
    }
    let (status, err) = app
        .post(
            &email(id),
            json!({"alias": "INFO", "destinations": ["x@example.net"]}),
        )
        .await;
    assert_error(status, &err, StatusCode::CONFLICT, "forward_exists");

    // PUT changes what it names; DELETE answers 204.
    let path = format!("{}{}/", email(id), info["id"]);
    let (status, changed) = app
        .put(&path, json!({"destinations": ["new@example.net"]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["alias"], "info");
    assert_eq!(changed["destinations"], json!(["new@example.net"]));
    let (_, list) = app.get(&email(id)).await;
    assert_eq!(list["count"], 2);

    // Another account sees nothing of it.
    let (_, other) = app.new_account("other@example.com", 0).await;
    for (method, p, body) in [
        (Method::GET, email(id), None),
        (
            Method::POST,
            email(id),
            Some(json!({"alias": "y", "destinations": ["y@example.net"]})),
        ),
        (Method::GET, path.clone(), None),
        (Method::PUT, path.clone(), Some(json!({"alias": "z"}))),
        (Method::DELETE, path.clone(), None),
    ] {
        let (status, _) = app.request_as(Some(&other), method.clone(), &p, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {p}");
    }

    // The zone gets an MX for the forwarding host (no MX of its own).
    let ns = nameserver(app).await;
    let mx = until(
        ns.port,
        "fwd-mail.com",
        "MX",
        std::time::Duration::from_secs(2),
        |d| !d.answer.is_empty(),
    )
    .await;
    assert_eq!(mx.data(), ["10 mx.vps.org."]);
    let (status, _) = app.delete(&path).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.delete(&format!("{}{}/", email(id), all["id"])).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    until(
        ns.port,
        "fwd-mail.com",
        "MX",
        std::time::Duration::from_secs(1),
        |d| d.status == "NOERROR" && d.answer.is_empty(),
    )
    .await;
    let (_, audit) = app.audit("page_size=100").await;
    let actions: Vec<&str> = audit["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in [
        "email_forward.create",
        "email_forward.update",
        "email_forward.delete",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

/// A Postfix lookup table file: the repository's, pointed at this test's
/// database.
fn table(app: &TestApp, dir: &Path, kind: &str) -> String {
    let (prefix, file) = match app.backend {
        Backend::Sqlite => ("sqlite", format!("sqlite-{kind}.cf")),
        Backend::Postgres => ("pgsql", format!("pgsql-{kind}.cf")),
    };
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../deploy/postfix")
        .join(&file);
    let text = std::fs::read_to_string(&shipped).expect("shipped Postfix table");
    let url = url::Url::parse(&app.database_url).expect("database URL");
    let ours: String = text
        .lines()
        .map(|line| {
            let key = line.split('=').next().unwrap_or("").trim();
            match (app.backend, key) {
                (Backend::Sqlite, "dbpath") => format!("dbpath = {}", url.path()),
                (Backend::Postgres, "hosts") => {
                    let socket_dir = url
                        .query_pairs()
                        .find(|(k, _)| k == "host")
                        .map(|(_, v)| v.into_owned())
                        .expect("socket dir");
                    format!("hosts = unix:{socket_dir}")
                }
                (Backend::Postgres, "user") => "user = postgres".to_owned(),
                (Backend::Postgres, "password") => "password =".to_owned(),
                (Backend::Postgres, "dbname") => {
                    format!("dbname = {}", url.path().trim_start_matches('/'))
                }
                _ => line.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let path = dir.join(&file);
    std::fs::write(&path, ours + "\n").expect("write table");
    format!("{prefix}:{}", path.display())
}

/// `postmap -q KEY TABLE` with a configuration directory of its own.
fn postmap(dir: &Path, key: &str, table: &str) -> Option<String> {
    let out = std::process::Command::new(require_tool("postmap", Package::Debian("postfix")))
        .args(["-c", &dir.display().to_string(), "-q", key, table])
        .output()
        .expect("postmap runs (install postfix, postfix-sqlite, postfix-pgsql)");
    match out.status.code() {
        Some(0) => Some(String::from_utf8_lossy(&out.stdout).trim().to_owned()),
        Some(1) => None,
        _ => panic!(
            "postmap failed (its sqlite: and pgsql: tables need the Debian packages \
             postfix-sqlite and postfix-pgsql): {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

async fn postfix_reads_the_forwards(app: &TestApp) {
    let id = app.active("fwd-postfix.com").await;
    let quiet = app.active("fwd-quiet.com").await;
    created(
        app,
        &email(id),
        json!({"alias": "info", "destinations": ["a@example.net", "b@example.org"]}),
    )
    .await;
    let all = created(
        app,
        &email(id),
        json!({"alias": "*", "destinations": ["all@example.net"]}),
    )
    .await;
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("main.cf"), "compatibility_level = 3.6\n").expect("main.cf");
    let domains = table(app, dir.path(), "domains");
    let aliases = table(app, dir.path(), "aliases");

    assert_eq!(
        postmap(dir.path(), "fwd-postfix.com", &domains).as_deref(),
        Some("fwd-postfix.com")
    );
    assert_eq!(postmap(dir.path(), "fwd-quiet.com", &domains), None);
    assert_eq!(postmap(dir.path(), "example.org", &domains), None);
    assert_eq!(
        postmap(dir.path(), "info@fwd-postfix.com", &aliases).as_deref(),
        Some("a@example.net,b@example.org")
    );
    assert_eq!(
        postmap(dir.path(), "someone@fwd-postfix.com", &aliases).as_deref(),
        Some("all@example.net")
    );
    assert_eq!(postmap(dir.path(), "info@fwd-quiet.com", &aliases), None);

    // Without the catch-all, unknown addresses have no forward; a change
    // through the API is what Postfix reads next.
    let (status, _) = app.delete(&format!("{}{}/", email(id), all["id"])).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        postmap(dir.path(), "someone@fwd-postfix.com", &aliases),
        None
    );
    // A domain no longer active is no longer a forwarding domain.
    let (status, _) = app.delete_domain(id).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(postmap(dir.path(), "fwd-postfix.com", &domains), None);
    assert_eq!(postmap(dir.path(), "info@fwd-postfix.com", &aliases), None);
    let _ = quiet;
}

/// With privacy protection on, `<domain>@<privacy mail domain>` (what
/// `whois_info.privacy_service.email` shows) reaches the registrant
/// contact's email through the shipped `*-privacy.cf` table; never for a
/// domain with privacy off, not active, or removed, nor at another domain.
async fn postfix_forwards_the_privacy_address(app: &TestApp) {
    let (status, body) = app
        .post_domain(json!({"domain_name": "priv-on.com", "privacy_protection": true}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let on = body["id"].as_i64().expect("id");
    let (status, body) = app
        .post_domain(json!({"domain_name": "priv-off.com", "privacy_protection": false}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let off = body["id"].as_i64().expect("id");
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("main.cf"), "compatibility_level = 3.6\n").expect("main.cf");
    let privacy = table(app, dir.path(), "privacy");
    let address = "priv-on.com@privacy.vps.org";

    // Pending: not forwarded yet.
    assert_eq!(postmap(dir.path(), address, &privacy), None);
    app.activate(on).await;
    app.activate(off).await;

    let (_, detail) = app.domain(on).await;
    assert_eq!(
        detail["whois_info"]["privacy_service"]["email"], address,
        "{detail}"
    );
    let registrant = detail["contacts"]["registrant"]
        .as_i64()
        .expect("registrant");
    let (_, contact) = app.contact(registrant).await;
    let email = contact["email"].as_str().expect("email").to_owned();
    assert_eq!(postmap(dir.path(), address, &privacy), Some(email));
    // The same domain at another mail domain, and the domain with privacy
    // off: unknown.
    assert_eq!(
        postmap(dir.path(), "priv-on.com@example.org", &privacy),
        None
    );
    assert_eq!(
        postmap(dir.path(), "priv-off.com@privacy.vps.org", &privacy),
        None
    );

    // The registrant's new email is where the next mail goes.
    let (status, _) = app
        .put_contact(registrant, json!({"email": "moved@example.net"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        postmap(dir.path(), address, &privacy).as_deref(),
        Some("moved@example.net")
    );
    // Privacy off: the address stops at once; removed: too.
    let (status, _) = app
        .put_domain(on, json!({"privacy_protection": false}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(postmap(dir.path(), address, &privacy), None);
    let (status, _) = app
        .put_domain(on, json!({"privacy_protection": true}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(postmap(dir.path(), address, &privacy).is_some());
    // Expired, in its grace period: still the registrant's name (they may
    // renew it), still reached; RDAP shows the address then too.
    let (status, _) = app.put_domain(on, json!({"auto_renew": false})).await;
    assert_eq!(status, StatusCode::OK);
    app.advance(chrono::Duration::days(370)).await;
    let (_, detail) = app.domain(on).await;
    assert_eq!(detail["status"], "expired", "{detail}");
    assert!(postmap(dir.path(), address, &privacy).is_some());
    let (status, _) = app.delete_domain(on).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(postmap(dir.path(), address, &privacy), None);
}

async fn url_forwards_redirect_and_ask(app: &TestApp) {
    let id = app.active("fwd-web.com").await;
    let apex = created(
        app,
        &urls(id),
        json!({"target": "https://new.example.net/base/", "keep_path": true}),
    )
    .await;
    assert_eq!(apex["host"], "@");
    assert_eq!(apex["status_code"], 301);
    created(
        app,
        &urls(id),
        json!({"host": "go", "target": "https://example.org/landing", "status_code": 302}),
    )
    .await;
    // A host with an address of its own keeps it in DNS.
    created(
        app,
        &urls(id),
        json!({"host": "own", "target": "https://example.org/"}),
    )
    .await;
    let (status, _) = app
        .add_record(
            id,
            json!({"name": "own", "type": "A", "content": "198.51.100.9"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    for (body, field) in [
        (json!({"target": "ftp://example.org/"}), "target"),
        (json!({"target": "example.org"}), "target"),
        (
            json!({"host": "*.x", "target": "https://example.org/"}),
            "host",
        ),
        (
            json!({"host": "x", "target": "https://example.org/", "status_code": 307}),
            "status_code",
        ),
        (json!({"host": "x"}), "target"),
    ] {
        let (status, err) = app.post(&urls(id), body.clone()).await;
        assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_fields");
        assert!(err["errors"][field].is_array(), "{body} → {err}");
    }
    let (status, err) = app
        .post(&urls(id), json!({"target": "https://x.example/"}))
        .await;
    assert_error(status, &err, StatusCode::CONFLICT, "forward_exists");

    // DNS: the forwarded hosts point at the forwarding listener.
    let ns = nameserver(app).await;
    let a = until(
        ns.port,
        "go.fwd-web.com",
        "A",
        std::time::Duration::from_secs(2),
        |d| !d.answer.is_empty(),
    )
    .await;
    assert_eq!(a.data(), [FORWARD_ADDRESS]);
    assert_eq!(
        dig(ns.port, "fwd-web.com", "A", &[]).await.data(),
        [FORWARD_ADDRESS]
    );
    assert_eq!(
        dig(ns.port, "own.fwd-web.com", "A", &[]).await.data(),
        ["198.51.100.9"]
    );

    // The listener, asked over HTTP by Host.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(vpsd_api::serve(
        listener,
        vpsd_api::redirects::router(app.app.registrar.clone()),
        std::future::pending(),
        std::time::Duration::from_secs(1),
    ));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let ask = |host: &str, path: &str| {
        http.get(format!("http://{addr}{path}"))
            .header("Host", host)
            .send()
    };
    let r = ask("fwd-web.com", "/a/b?x=1").await.expect("send");
    assert_eq!(r.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        r.headers()["location"],
        "https://new.example.net/base/a/b?x=1"
    );
    let r = ask("GO.fwd-web.com:80", "/ignored").await.expect("send");
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()["location"], "https://example.org/landing");
    let r = ask("nothing.fwd-web.com", "/").await.expect("send");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // A client that follows redirects lands on the target (a second
    // listener stands in for the target site).
    let target = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let target_addr = target.local_addr().expect("addr");
    let site = tokio::spawn(async move {
        let app = axum::Router::new().route(
            "/landing/{*rest}",
            axum::routing::get(|| async { "landed" }),
        );
        let _ = axum::serve(target, app).await;
    });
    created(
        app,
        &urls(id),
        json!({"host": "follow", "target": format!("http://{target_addr}/landing/"), "keep_path": true}),
    )
    .await;
    let following = reqwest::Client::new();
    let landed = following
        .get(format!("http://{addr}/page"))
        .header("Host", "follow.fwd-web.com")
        .send()
        .await
        .expect("send");
    assert_eq!(
        landed.url().as_str(),
        format!("http://{target_addr}/landing/page")
    );
    assert_eq!(landed.text().await.expect("body"), "landed");
    site.abort();
    for (host, want) in [("go.fwd-web.com", 200), ("other.example", 404)] {
        let r = http
            .get(format!("http://{addr}/.well-known/vpsd/ask?domain={host}"))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status().as_u16(), want, "ask {host}");
    }
    // PUT changes it; the next request follows the change.
    let (status, changed) = app
        .put(
            &format!("{}{}/", urls(id), apex["id"]),
            json!({"keep_path": false, "status_code": 302}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    let r = ask("fwd-web.com", "/a/b").await.expect("send");
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers()["location"], "https://new.example.net/base/");
    server.abort();
}
