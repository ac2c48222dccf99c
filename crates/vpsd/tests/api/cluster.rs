//! Several `vpsd serve` processes on one PostgreSQL (issue: horizontal
//! scale). These run on PostgreSQL only: sharing one database between
//! processes behind a load balancer is what the PostgreSQL backend is for.

use std::process::Stdio;
use std::time::{Duration, Instant};

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{fresh_database, Backend};
use crate::mail::free_port;

struct Node {
    child: tokio::process::Child,
    base: String,
}

struct Cluster {
    nodes: Vec<Node>,
    database_url: String,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// Runs a `vpsd` operator command on `database_url`; its standard output.
pub(crate) fn vpsd(database_url: &str, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vpsd"))
        .args(args)
        .env("VPSD_DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run vpsd");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

impl Cluster {
    async fn start(n: usize) -> Cluster {
        let dir = tempfile::tempdir().expect("dir");
        let database_url = fresh_database(Backend::Postgres, dir.path()).await;
        // Migrate once before the nodes race to.
        vpsd(&database_url, &["outbox", "list"]);
        let mut nodes = Vec::new();
        for _ in 0..n {
            let port = free_port();
            let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpsd"))
                .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
                .args(["--registration-delay", "2s", "--rate-limit", "off"])
                .env("VPSD_DATABASE_URL", &database_url)
                .env("RUST_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .expect("vpsd serve");
            nodes.push(Node {
                child,
                base: format!("http://127.0.0.1:{port}"),
            });
        }
        let http = reqwest::Client::new();
        for node in &nodes {
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                if let Ok(r) = http.get(format!("{}/readyz", node.base)).send().await {
                    if r.status() == StatusCode::OK {
                        break;
                    }
                }
                assert!(Instant::now() < deadline, "node did not start");
                // A node (a `vpsd serve` child process) starting.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        Cluster {
            nodes,
            database_url,
            http,
            _dir: dir,
        }
    }

    /// A new account with `dollars`, a default contact (made through the
    /// API) and its token.
    async fn account(&self, email: &str, dollars: &str) -> (i64, String) {
        let id = vpsd(
            &self.database_url,
            &["account", "create", "--email", email, "--balance", dollars],
        );
        let token = vpsd(&self.database_url, &["token", "create", "--account", &id]);
        let status = self
            .http
            .post(format!("{}/api/v1/contacts/", self.nodes[0].base))
            .bearer_auth(&token)
            .json(&crate::contacts::jane())
            .send()
            .await
            .expect("send")
            .status();
        assert_eq!(status, StatusCode::CREATED);
        (id.parse().expect("id"), token)
    }

    async fn register(
        &self,
        node: usize,
        token: &str,
        name: &str,
    ) -> Result<(StatusCode, Value), reqwest::Error> {
        let resp = self
            .http
            .post(format!(
                "{}/api/v1/domains/",
                self.nodes[node % self.nodes.len()].base
            ))
            .bearer_auth(token)
            .json(&json!({"domain_name": name}))
            .send()
            .await?;
        let status = resp.status();
        Ok((status, resp.json().await.unwrap_or(Value::Null)))
    }

    async fn store(&self) -> std::sync::Arc<dyn vpsd_storage::Store> {
        vpsd_storage::connect(&self.database_url)
            .await
            .expect("store")
    }
}

async fn assert_books_balance(store: &dyn vpsd_storage::Store) {
    let n = store.account_count().await.expect("count");
    for id in 1..=n {
        let balance = store
            .account(id.into())
            .await
            .expect("a")
            .expect("a")
            .balance
            .cents();
        let sum = store.ledger_sum(id.into()).await.expect("sum").cents();
        assert_eq!(balance, sum, "account {id}");
        assert!(balance >= 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_one_name_one_winner_and_one_balance() {
    let cluster = Cluster::start(3).await;
    let (_, a) = cluster.account("a@example.com", "100").await;
    let (_, b) = cluster.account("b@example.com", "100").await;
    let tokens = [a.clone(), b.clone()];
    let results = join_all((0..30).map(|i| {
        let token = tokens[i % 2].clone();
        let cluster = &cluster;
        async move {
            cluster
                .register(i, &token, "contested.com")
                .await
                .expect("request")
        }
    }))
    .await;
    let created = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    let taken = results
        .iter()
        .filter(|(s, b)| *s == StatusCode::BAD_REQUEST && b["code"] == "domain_taken")
        .count();
    assert_eq!((created, taken), (1, 29), "{results:?}");

    let (poor, token) = cluster.account("poor@example.com", "64.95").await;
    let results = join_all((0..30).map(|i| {
        let token = token.clone();
        let cluster = &cluster;
        async move {
            cluster
                .register(i, &token, &format!("spend{i}.com"))
                .await
                .expect("request")
        }
    }))
    .await;
    let created = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    let short = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::PAYMENT_REQUIRED)
        .count();
    assert_eq!((created, short), (5, 25), "{results:?}");
    let store = cluster.store().await;
    assert_eq!(
        store
            .account(poor.into())
            .await
            .expect("a")
            .expect("a")
            .balance
            .cents(),
        0
    );
    assert_books_balance(store.as_ref()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_killed_under_load_leaves_nothing_half_done() {
    let mut cluster = Cluster::start(3).await;
    let (account, token) = cluster.account("load@example.com", "10000").await;
    let results = join_all((0..60).map(|i| {
        let token = token.clone();
        let cluster = &cluster;
        async move {
            if i == 20 {
                // Mid-load: no warning, no graceful shutdown.
                let _ = std::process::Command::new("kill")
                    .args([
                        "-KILL",
                        &cluster.nodes[0].child.id().unwrap_or(0).to_string(),
                    ])
                    .status();
            }
            cluster.register(i, &token, &format!("load{i}.com")).await
        }
    }))
    .await;
    let _ = cluster.nodes[0].child.wait().await;
    let created: Vec<i64> = results
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .filter_map(|(_, b)| b["id"].as_i64())
        .collect();
    assert!(
        created.len() >= 30,
        "the other nodes kept serving: {}",
        created.len()
    );

    // Every domain that exists was paid for exactly once, and the other
    // processes complete every registration, each once.
    let store = cluster.store().await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let vpsd_storage::DomainPage {
            total: count,
            domains,
        } = store
            .list_domains(account.into(), &Default::default(), 0, 500)
            .await
            .expect("list");
        let pending = domains
            .iter()
            .filter(|d| d.status.as_str() == "pending")
            .count();
        if pending == 0 {
            let ledger = store.ledger(account.into()).await.expect("ledger");
            let charges = ledger.iter().filter(|e| e.kind == "registration").count() as i64;
            let refunds = ledger.iter().filter(|e| e.kind == "refund").count() as i64;
            assert_eq!(
                count,
                charges - refunds,
                "a domain for every charge, a charge for every domain"
            );
            for id in &created {
                assert!(
                    domains.iter().any(|d| d.id.get() == *id),
                    "domain {id} answered 201 and exists"
                );
            }
            let mails = store.outbox().await.expect("outbox");
            for d in domains.iter() {
                let n = mails
                    .iter()
                    .filter(|m| m.subject == format!("{} is registered", d.domain_name))
                    .count();
                assert_eq!(n, 1, "{} completed once", d.domain_name);
                let record = store.registry_get(&d.domain_name).await.expect("r");
                assert!(record.is_some(), "{} at the registry", d.domain_name);
            }
            break;
        }
        assert!(Instant::now() < deadline, "{pending} still pending");
        // The nodes' own workers (child processes on the real clock).
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_books_balance(store.as_ref()).await;
    for node in &mut cluster.nodes {
        let _ = node.child.kill().await;
    }
}
