//! The battery's harness: each test runs on SQLite (a file in a temporary
//! directory) and on PostgreSQL (a database in a throwaway cluster this
//! process starts with initdb, as the API tests do), in process, against
//! the store itself.

use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use sqlx::Connection;
use vpsd_domain::Money;
use vpsd_storage::{Account, Actor, Audit, Store};

/// Writes each test once, as `async fn name(store: &Arc<dyn Store>)`, and
/// runs it on both backends.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::common::Db::sqlite().await;
                    super::$name(&db.store).await;
                    db.store.close().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::common::Db::postgres().await;
                    super::$name(&db.store).await;
                    db.store.close().await;
                }
            )*
        }
    };
}

/// A fresh, migrated database and its store.
pub struct Db {
    pub store: Arc<dyn Store>,
    /// The database's URL, for a test that writes behind the store's back.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl Db {
    pub async fn sqlite() -> Db {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("store.db").display());
        let store = vpsd_storage::connect(&url).await.expect("open SQLite");
        Db {
            store,
            url,
            _dir: Some(dir),
        }
    }

    pub async fn postgres() -> Db {
        let url = fresh_postgres_database().await;
        let store = vpsd_storage::connect(&url).await.expect("open PostgreSQL");
        Db {
            store,
            url,
            _dir: None,
        }
    }
}

/// A fixed instant, so tests do not depend on the real clock.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2030, 1, 1, 12, 0, 0)
        .single()
        .expect("a valid time")
}

/// An audit entry by the operator with `action` (its stored name, one of
/// `vpsd_domain::AuditAction`'s).
pub fn audit(action: &str) -> Audit<'static> {
    static OPERATOR: OnceLock<Actor> = OnceLock::new();
    Audit {
        actor: OPERATOR.get_or_init(Actor::operator),
        action: action.parse().expect("a catalogued audit action"),
        changes: "{}".to_owned(),
    }
}

/// A new account holding `cents`.
pub async fn account(store: &Arc<dyn Store>, email: &str, cents: i64) -> Account {
    store
        .create_account(
            email,
            Money::from_cents(cents),
            t0(),
            &audit("account.create"),
        )
        .await
        .expect("create account")
}

// ---------------------------------------------------------------- PostgreSQL

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
        "PostgreSQL's initdb and postgres are needed for the tests: install the postgresql package",
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

/// A fresh, empty database in the shared cluster.
pub async fn fresh_postgres_database() -> String {
    let cluster = CLUSTER.get_or_init(start_cluster);
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut admin = loop {
        match sqlx::PgConnection::connect(&admin_url(cluster, "postgres")).await {
            Ok(c) => break c,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
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

/// Records a pending registration of `name` for `account`, costing
/// `cents`, activating at `t0() + 1 minute`.
pub async fn register(
    store: &Arc<dyn Store>,
    account: i64,
    name: &str,
    cents: i64,
) -> vpsd_storage::Result<vpsd_storage::Domain> {
    store
        .insert_registration(
            &vpsd_storage::NewRegistration {
                account_id: account,
                domain_name: name.to_owned(),
                registration_date: t0(),
                expiration_date: t0() + chrono::Duration::days(365),
                activates_at: t0() + chrono::Duration::minutes(1),
                auto_renew: true,
                privacy_protection: true,
                nameservers: vec!["ns1.vps.org".into(), "ns2.vps.org".into()],
                registrar: vpsd_domain::OUR_REGISTRAR.to_owned(),
                cost: Money::from_cents(cents),
                description: format!("Registration of {name}"),
            },
            &audit("domain.register"),
        )
        .await
}

/// A registered and activated domain of `account`.
pub async fn active(store: &Arc<dyn Store>, account: i64, name: &str) -> vpsd_storage::Domain {
    let d = register(store, account, name, 0).await.expect("register");
    assert!(store
        .activate_registration(
            d.id,
            &mail(account, "active"),
            t0(),
            &audit("domain.activate")
        )
        .await
        .expect("activate"));
    store
        .domain(account, d.id)
        .await
        .expect("read")
        .expect("there")
}

/// A mail to the account.
pub fn mail(account: i64, subject: &str) -> vpsd_storage::NewMail {
    vpsd_storage::NewMail {
        account_id: account,
        subject: subject.to_owned(),
        body: format!("{subject}."),
    }
}

/// The account's balance in cents.
pub async fn balance(store: &Arc<dyn Store>, account: i64) -> i64 {
    store
        .account(account)
        .await
        .expect("read")
        .expect("account")
        .balance
        .cents()
}

/// A name held at another registrar, as the registry knows it.
pub fn held_elsewhere(name: &str) -> vpsd_storage::RegistryRecord {
    vpsd_storage::RegistryRecord {
        name: name.to_owned(),
        sponsoring_registrar: "Other Registrar".into(),
        auth_code: "secret-code-123".into(),
        created_at: t0() - chrono::Duration::days(400),
        ex_date: t0() + chrono::Duration::days(100),
        last_transferred_at: None,
        client_transfer_prohibited: false,
        nameservers: vec!["ns1.example.net".into(), "ns2.example.net".into()],
        pending_transfer_to: None,
    }
}
