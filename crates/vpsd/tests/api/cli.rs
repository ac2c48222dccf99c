//! The operator's commands, run as the real binary against the test's
//! database (through VPSD_DATABASE_URL and --database).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::endpoints::{api, url};
use crate::helpers::{fresh_database, TestApp};
use vps_client::paths;

crate::both!(
    operator_commands_work_end_to_end,
    operator_commands_refuse_bad_input,
    sigterm_finishes_requests_in_flight,
    demo_serves_domains_in_every_state,
);

/// SIGTERM: `vpsd serve` closes its database, and SQLite removes the
/// `-wal` and `-shm` files it had while serving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_leaves_no_sqlite_wal_files() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("clean.db");
    let addr = format!("127.0.0.1:{}", crate::mail::free_port());
    let mut server = Command::new(env!("CARGO_BIN_EXE_vpsd"))
        .args(["serve", "--listen", &addr, "--demo"])
        .arg("--database")
        .arg(format!("sqlite://{}", db.display()))
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start vpsd serve");
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while http
        .get(format!("http://{addr}/readyz"))
        .send()
        .await
        .is_err()
    {
        assert!(Instant::now() < deadline, "vpsd serve did not start");
        // A `vpsd serve` child process starting.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let side = |ext: &str| {
        let mut name = db.as_os_str().to_owned();
        name.push(ext);
        std::path::PathBuf::from(name)
    };
    assert!(side("-wal").exists(), "WAL mode while serving");
    assert!(side("-shm").exists(), "WAL mode while serving");
    sigterm(&server);
    let status = stopped(&mut server).await;
    assert!(status.success(), "{status}");
    assert!(db.exists());
    for ext in ["-wal", "-shm"] {
        assert!(!side(ext).exists(), "{} left behind", side(ext).display());
    }
    // Nothing was lost: the demo's data is in the database file itself.
    let out = Command::new(env!("CARGO_BIN_EXE_vpsd"))
        .args(["token", "list", "--account", "1"])
        .arg("--database")
        .arg(format!("sqlite://{}", db.display()))
        .env("RUST_LOG", "warn")
        .output()
        .expect("token list");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("demo"));
}

fn vpsd(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpsd"))
        .args(args)
        .env("VPSD_DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run vpsd");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn operator_commands_work_end_to_end(app: &TestApp) {
    let (ok, out, err) = vpsd(
        app,
        &[
            "account",
            "create",
            "--email",
            "ops@example.com",
            "--balance",
            "20",
        ],
    );
    assert!(ok, "{err}");
    let id: i64 = out
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("id alone on stdout: {out:?}"));
    assert_eq!(out, format!("{id}\n"));
    let (ok, _, err) = vpsd(
        app,
        &[
            "account",
            "credit",
            "--account",
            &id.to_string(),
            "--amount",
            "5.50",
        ],
    );
    assert!(ok, "{err}");
    assert_eq!(app.balance(id).await, 25_50);
    let (ok, out, err) = vpsd(
        app,
        &[
            "token",
            "create",
            "--account",
            &id.to_string(),
            "--name",
            "ci",
        ],
    );
    assert!(ok, "{err}");
    let token = out.trim().to_owned();
    assert_eq!(out, format!("{token}\n"));
    assert!(token.starts_with("vps_") && token.len() == 68);
    let (ok, _, err) = vpsd(
        app,
        &[
            "--database",
            &app.database_url,
            "registry",
            "add",
            "held.com",
            "--registrar",
            "Other Registrar LLC",
            "--auth-code",
            "abc-123",
            "--created",
            "2024-01-15T10:30:00Z",
            "--nameservers",
            "ns1.other.net,ns2.other.net",
        ],
    );
    assert!(ok, "{err}");
    assert!(!err.contains("abc-123"), "auth code echoed: {err}");

    // The token works over HTTP; the registry name can be imported and moved.
    let (status, body) = app
        .request_as(
            Some(&token),
            Method::POST,
            &api(paths::IMPORT),
            Some(json!({"domain_name": "held.com"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["registration_date"], "2024-01-15T10:30:00Z");
    assert_eq!(
        body["nameservers"],
        json!(["ns1.other.net", "ns2.other.net"])
    );
    let domain = body["id"].as_i64().expect("id");
    let (status, body) = app
        .request_as(
            Some(&token),
            Method::POST,
            &api(&paths::transfer(domain)),
            Some(json!({"auth_code": "abc-123"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.balance(id).await, 25_50 - 12_99);
    let ledger = app.app.store.ledger(id).await.expect("ledger");
    assert_eq!(
        ledger.iter().map(|e| e.amount.cents()).collect::<Vec<_>>(),
        vec![20_00, 5_50, -12_99]
    );
}

async fn operator_commands_refuse_bad_input(app: &TestApp) {
    for args in [
        &["account", "create", "--email", "not-an-email"][..],
        &["account", "create", "--email", "a@b.com", "--balance", "-5"],
        &["account", "credit", "--account", "999", "--amount", "5"],
        &["token", "create", "--account", "999"],
        &[
            "registry",
            "add",
            "bad_name.com",
            "--registrar",
            "X",
            "--auth-code",
            "c",
        ],
        &[
            "registry",
            "add",
            "x.xyz",
            "--registrar",
            "X",
            "--auth-code",
            "c",
        ],
        &["serve", "--registration-delay", "5 minutes"],
    ] {
        let (ok, out, err) = vpsd(app, args);
        assert!(!ok, "{args:?} succeeded: {out}");
        assert!(!err.is_empty(), "{args:?}: no message");
    }
    let (ok, _, _) = vpsd(
        app,
        &[
            "registry",
            "add",
            "dup.com",
            "--registrar",
            "X",
            "--auth-code",
            "c",
        ],
    );
    assert!(ok);
    let (ok, _, err) = vpsd(
        app,
        &[
            "registry",
            "add",
            "dup.com",
            "--registrar",
            "Y",
            "--auth-code",
            "c",
        ],
    );
    assert!(!ok);
    assert!(err.contains("dup.com"), "{err}");
    assert_eq!(app.app.store.account_count().await.expect("count"), 1);
}

/// `vpsd serve` as a process: SIGTERM while a request is half sent; the
/// request still gets its answer, then the process exits cleanly.
async fn sigterm_finishes_requests_in_flight(app: &TestApp) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut server = Command::new(env!("CARGO_BIN_EXE_vpsd"))
        .args(["serve", "--listen", &addr])
        .env("VPSD_DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start vpsd serve");
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut stream = loop {
        match tokio::net::TcpStream::connect(&addr).await {
            Ok(s) => break s,
            Err(_) if Instant::now() < deadline => {
                // A `vpsd serve` child process starting.
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            Err(e) => panic!("vpsd serve did not start: {e}"),
        }
    };
    let body = r#"{"domain_name": "graceful.com"}"#;
    let head = format!(
        "POST /api/v1/domains/ HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        app.token,
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    stream
        .write_all(&body.as_bytes()[..10])
        .await
        .expect("part");
    // Give the child process time to read the partial request, then to
    // act on SIGTERM (both real time in another process).
    tokio::time::sleep(Duration::from_millis(300)).await;
    sigterm(&server);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        server.try_wait().expect("try_wait").is_none(),
        "exited with a request in flight"
    );
    stream
        .write_all(&body.as_bytes()[10..])
        .await
        .expect("rest");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .await
        .expect("response");
    assert!(response.starts_with("HTTP/1.1 201"), "{response}");
    let status = stopped(&mut server).await;
    assert!(status.success(), "{status}");
    assert_eq!(app.balance(app.account_id).await, 1_000_00 - 12_99);
}

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
    let deadline = Instant::now() + Duration::from_secs(10);
    while sink.messages().len() < 6 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mails = sink.messages();
    assert!(mails.len() >= 6, "{} mails", mails.len());
    let subjects: Vec<String> = mails.iter().map(|m| crate::mail::subject(m)).collect();
    for want in [
        "demo-shop.com is registered",
        "The transfer of demo-transfer.org to VPS.org has started",
    ] {
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

/// Runs `vpsd ARGS` with its standard output on a socket whose reader has
/// already gone, as `vpsd ... | head -1` leaves it once `head` is done.
fn vpsd_into_closed_stdout(args: &[&str]) -> std::process::Output {
    let (stdout, reader) = std::os::unix::net::UnixStream::pair().expect("socket pair");
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_vpsd"))
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::from(std::os::fd::OwnedFd::from(stdout)))
        .stderr(Stdio::piped())
        .output()
        .expect("run vpsd")
}

/// `vpsd openapi | head -1`, `vpsd token list ... | head -1`: once the reader
/// of standard output has gone, `vpsd` ends quietly with 0 (as `vps` does),
/// not with a panic, exit code 101 and a backtrace.
#[test]
fn closed_stdout_ends_vpsd_quietly() {
    let dir = tempfile::tempdir().expect("dir");
    let database = format!("sqlite://{}", dir.path().join("pipe.db").display());
    for args in [
        &["openapi"][..],
        &["sandbox", "clock", "show", "--database", &database],
    ] {
        let out = vpsd_into_closed_stdout(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {} {err}", out.status);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: {err}");
    }
}

/// A port another program holds: `vpsd serve` and `vpsd dns` say which
/// flag chooses another address, and touch no database (no file made).
#[test]
fn busy_port_says_which_flag_to_change() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("busy.db");
    let database = format!("sqlite://{}", db.display());
    let tcp = std::net::TcpListener::bind("127.0.0.1:0").expect("bind tcp");
    let taken_tcp = tcp.local_addr().expect("addr").to_string();
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind udp");
    let taken_udp = udp.local_addr().expect("addr").to_string();
    let free = format!("127.0.0.1:{}", crate::mail::free_port());
    for (args, flag) in [
        (
            vec!["serve", "--demo", "--listen", &taken_tcp],
            "--listen ADDR",
        ),
        (
            vec!["serve", "--listen", &free, "--dns-listen", &taken_udp],
            "--dns-listen ADDR",
        ),
        (vec!["dns", "--dns-listen", &taken_udp], "--dns-listen ADDR"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_vpsd"))
            .args(&args)
            .arg("--database")
            .arg(&database)
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .output()
            .expect("run vpsd");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} started");
        assert!(
            err.contains("cannot listen on 127.0.0.1:"),
            "{args:?}: {err}"
        );
        assert!(err.contains("another program"), "{args:?}: {err}");
        assert!(err.contains(flag), "{args:?}: {err}");
        assert!(!db.exists(), "{args:?} opened the database");
    }
}

/// Sends SIGTERM to `server`, as a service manager stops it.
fn sigterm(server: &std::process::Child) {
    let killed = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
}

/// How `server` exited, waiting for it up to 15 s.
async fn stopped(server: &mut std::process::Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = server.try_wait().expect("try_wait") {
            return status;
        }
        assert!(Instant::now() < deadline, "vpsd serve did not stop");
        // The child process shutting down.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
