//! What the test suites share: a fresh, empty database on either backend.
//!
//! SQLite is a file in a directory the caller owns; PostgreSQL is a new
//! database in a throwaway cluster that the test process starts once (with
//! `initdb` and `postgres` on a Unix socket, no TCP) and that stops and
//! disappears when the process ends. Used by the store's battery, the
//! registrar's operation tests and the HTTP tests; a dev-dependency only.

use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sqlx::Connection;

/// The database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The URL of a new, empty database of `backend` (a file under `dir` for
/// SQLite; `dir` is unused for PostgreSQL).
///
/// Panics (it is for tests) when PostgreSQL is not installed, naming the
/// package, or when the cluster does not start within a minute.
pub async fn fresh_database(backend: Backend, dir: &Path) -> String {
    match backend {
        Backend::Sqlite => format!(
            "sqlite://{}",
            dir.join(format!(
                "test{}.db",
                DB_COUNTER.fetch_add(1, Ordering::SeqCst)
            ))
            .display()
        ),
        Backend::Postgres => fresh_postgres_database().await,
    }
}

struct Cluster {
    socket_dir: PathBuf,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();
static DB_COUNTER: AtomicU32 = AtomicU32::new(0);

fn postgres_bindir() -> PathBuf {
    let in_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|d| d.join("initdb").is_file() && d.join("postgres").is_file());
    if let Some(dir) = in_path {
        return dir;
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path().join("bin"))
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    versions
        .pop()
        .filter(|d| d.join("initdb").is_file())
        .expect(
            "PostgreSQL's initdb and postgres are needed for the tests: install the Debian package postgresql (apt-get install postgresql)",
        )
}

fn command_output(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd).args(args).output().expect(cmd);
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Starts a throwaway cluster: initdb into a temporary directory, postgres
/// on a Unix socket only. initdb and postgres refuse to run as root, so as
/// root they run as the `postgres` user. A watchdog shell stops the cluster
/// and removes its directory when this test process is gone.
fn start_cluster() -> Cluster {
    let bindir = postgres_bindir();
    let dir = tempfile::Builder::new()
        .prefix("vpsd-pg-")
        .tempdir()
        .expect("temp dir")
        .keep();
    let as_root = std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(1)
        == 0;
    let mut cmd = Command::new("sh");
    if as_root {
        let uid: u32 = command_output("id", &["-u", "postgres"])
            .parse()
            .expect("as root the tests need a `postgres` user to run PostgreSQL");
        let gid: u32 = command_output("id", &["-g", "postgres"])
            .parse()
            .expect("gid");
        let status = Command::new("chown")
            .arg(format!("{uid}:{gid}"))
            .arg(&dir)
            .status()
            .expect("chown");
        assert!(status.success());
        cmd.uid(uid).gid(gid);
    }
    let script = r#"
        set -e
        "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C >"$DIR/initdb.log" 2>&1
        "$BIN/postgres" -D "$DIR/data" -k "$DIR" -c listen_addresses= -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 \
            >"$DIR/postgres.log" 2>&1 &
        PG=$!
        while [ -d "/proc/$PARENT" ] && kill -0 "$PG" 2>/dev/null; do sleep 0.5; done
        kill -QUIT "$PG" 2>/dev/null || true
        wait "$PG" 2>/dev/null || true
        rm -rf "$DIR"
    "#;
    let mut watchdog = cmd
        .arg("-c")
        .arg(script)
        .env("BIN", &bindir)
        .env("DIR", &dir)
        .env("PARENT", std::process::id().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the PostgreSQL watchdog");
    // Reap it when it ends (after this process, normally).
    std::thread::spawn(move || watchdog.wait());
    Cluster { socket_dir: dir }
}

fn admin_url(cluster: &Cluster, db: &str) -> String {
    format!(
        "postgres://postgres@localhost/{db}?host={}",
        cluster.socket_dir.display()
    )
}

/// The URL of a fresh, empty database in this process's throwaway cluster
/// (started on first use).
///
/// Panics (it is for tests) when PostgreSQL is not installed, naming the
/// package, or when the cluster does not start within a minute.
pub async fn fresh_postgres_database() -> String {
    let cluster = CLUSTER.get_or_init(start_cluster);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut admin = loop {
        match sqlx::PgConnection::connect(&admin_url(cluster, "postgres")).await {
            Ok(c) => break c,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                // The PostgreSQL cluster (another process) starting.
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!(
                "PostgreSQL did not start in {}: {e}",
                cluster.socket_dir.display()
            ),
        }
    };
    let name = format!(
        "t{}_{}",
        std::process::id(),
        DB_COUNTER.fetch_add(1, Ordering::SeqCst)
    );
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create database");
    admin_url(cluster, &name)
}
