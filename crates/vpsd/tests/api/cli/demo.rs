//! `vpsd serve --demo`: the README's first command.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::endpoints::url;
use crate::helpers::{fresh_database, TestApp};
use vps_client::paths;

crate::both!(demo_serves_domains_in_every_state);

/// The README's first command: `vpsd serve --demo` on an empty database.
async fn demo_serves_domains_in_every_state(app: &TestApp) {
    use tokio::io::AsyncBufReadExt;

    let dir = tempfile::tempdir().expect("dir");
    let database_url = fresh_database(app.backend, dir.path()).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let smtp_port = crate::mail::free_port();
    let sink = crate::mail::SmtpSink::start(smtp_port).await;
    let smtp_url = format!("smtp://127.0.0.1:{smtp_port}");
    let mut server = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpsd"))
        .args([
            "serve",
            "--demo",
            "--database",
            &database_url,
            "--listen",
            &addr,
        ])
        .args(["--smtp-url", &smtp_url])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start vpsd serve --demo");
    let stdout = server.stdout.take().expect("stdout");
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let mut printed = Vec::new();
    let read_all = async {
        while let Ok(Some(line)) = lines.next_line().await {
            let done = line.starts_with("Registrations and transfers complete");
            printed.push(line);
            if done {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(30), read_all)
        .await
        .expect("demo output");
    let token = printed
        .iter()
        .find_map(|l| l.strip_prefix("API token (shown once): "))
        .expect("token printed")
        .to_owned();
    assert!(printed.iter().any(|l| l.contains(&format!(
        "curl -H \"Authorization: Bearer {token}\" http://{addr}/api/v1/domains/"
    ))));
    let code_of = |name: &str| {
        printed
            .iter()
            .find(|l| l.contains(name))
            .and_then(|l| l.rsplit("auth code ").next())
            .expect("auth code printed")
            .to_owned()
    };
    let transferable = code_of("demo-transfer.org");

    let http = reqwest::Client::new();
    let list: serde_json::Value = http
        .get(url(&format!("http://{addr}"), paths::DOMAINS))
        .bearer_auth(&token)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    assert_eq!(list["count"], 7, "{list}");
    let status_of = |name: &str| {
        list["results"]
            .as_array()
            .and_then(|r| r.iter().find(|d| d["domain_name"] == name))
            .map(|d| {
                (
                    d["id"].as_i64().unwrap_or(0),
                    d["status"].as_str().unwrap_or("").to_owned(),
                )
            })
            .expect(name)
    };
    assert_eq!(status_of("demo-shop.com").1, "active");
    assert_eq!(status_of("demo-launch.dev").1, "pending");
    assert_eq!(status_of("demo-old.net").1, "expired");
    // The contract's example domain, as its examples name it.
    assert_eq!(status_of("example.com"), (101, "active".to_owned()));
    let (transfer_id, _) = status_of("demo-transfer.org");
    let (locked_id, _) = status_of("demo-locked.co");
    let refused: serde_json::Value = http
        .post(url(&format!("http://{addr}"), &paths::transfer(locked_id)))
        .bearer_auth(&token)
        .json(&json!({"auth_code": code_of("demo-locked.co")}))
        .send()
        .await
        .expect("transfer")
        .json()
        .await
        .expect("json");
    assert_eq!(refused["code"], "domain_locked");
    let resp = http
        .post(url(
            &format!("http://{addr}"),
            &paths::transfer(transfer_id),
        ))
        .bearer_auth(&token)
        .json(&json!({"auth_code": transferable}))
        .send()
        .await
        .expect("transfer");
    assert_eq!(resp.status(), StatusCode::OK);
    // The README's import example: the name the demo holds elsewhere and
    // in no account is added, then transferred with its printed code.
    let imported: serde_json::Value = http
        .post(url(&format!("http://{addr}"), paths::IMPORT))
        .bearer_auth(&token)
        .json(&json!({"domain_name": "demo-moving.net"}))
        .send()
        .await
        .expect("import")
        .json()
        .await
        .expect("json");
    assert_eq!(
        imported["registrar"], "Example Registrar, Inc.",
        "{imported}"
    );
    let moving = imported["id"].as_i64().expect("id");
    assert_eq!(
        moving, 102,
        "new domains' ids follow the demo's 101 (README)"
    );
    let resp = http
        .post(url(&format!("http://{addr}"), &paths::transfer(moving)))
        .bearer_auth(&token)
        .json(&json!({"auth_code": code_of("demo-moving.net")}))
        .send()
        .await
        .expect("transfer");
    assert_eq!(resp.status(), StatusCode::OK);
    // The demo's registrations (example.com's too) and the transfer
    // were mailed through the relay.
    // The child's mailer delivers to the SMTP relay on its own schedule.
    // (and the demo contact's email verification mail).
    let wanted = [
        "demo-shop.com is registered",
        "The transfer of demo-transfer.org to VPS.org has started",
        "Please verify your email address for your domains",
    ];
    let deadline = Instant::now() + Duration::from_secs(10);
    let arrived = |mails: &[String]| {
        let subjects: Vec<String> = mails.iter().map(|m| crate::mail::subject(m)).collect();
        wanted.iter().all(|w| subjects.iter().any(|s| s == w))
    };
    while !arrived(&sink.messages()) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mails = sink.messages();
    assert!(mails.len() >= 7, "{} mails", mails.len());
    let subjects: Vec<String> = mails.iter().map(|m| crate::mail::subject(m)).collect();
    for want in wanted {
        assert!(subjects.iter().any(|s| s == want), "{want}: {subjects:?}");
    }
    let _ = server.kill().await;
    let _ = server.wait().await;

    // A second `serve --demo` on the same database adds nothing, and says
    // how to make a token; the command it prints works as printed.
    let mut again = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpsd"))
        .args([
            "serve",
            "--demo",
            "--database",
            &database_url,
            "--listen",
            &addr,
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start vpsd serve --demo again");
    let stderr = again.stderr.take().expect("stderr");
    let mut lines = tokio::io::BufReader::new(stderr).lines();
    let command = tokio::time::timeout(Duration::from_secs(30), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(cmd) = line.trim().strip_prefix("vpsd token create") {
                return cmd.to_owned();
            }
        }
        String::new()
    })
    .await
    .expect("the token command printed");
    assert!(
        command.starts_with(" --account 1 --database '"),
        "{command}"
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "\"$VPSD\" token create{command} --name second-demo"
        ))
        .env("VPSD", env!("CARGO_BIN_EXE_vpsd"))
        .env("RUST_LOG", "warn")
        .output()
        .expect("run the printed command");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let resp = http
        .get(url(&format!("http://{addr}"), &paths::domain(101)))
        .bearer_auth(&token)
        .send()
        .await
        .expect("detail");
    assert_eq!(resp.status(), StatusCode::OK);
    let _ = again.kill().await;
}
