//! `vpsd serve` as a process: SIGTERM (requests in flight answered, no
//! SQLite WAL files left) and a busy port.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::TestApp;

crate::both!(sigterm_finishes_requests_in_flight);

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
