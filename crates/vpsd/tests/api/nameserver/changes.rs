//! The nameserver following changes: an ACME DNS-01 round within a second,
//! a nameserver in another process, and the change feed's purge.

use std::process::Stdio;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

use super::*;

crate::both!(
    acme_dns01_round_within_a_second,
    a_nameserver_in_another_process_follows,
    the_change_feed_is_purged_in_batches,
);

async fn acme_dns01_round_within_a_second(app: &TestApp) {
    let id = app.active("dns-acme.com").await;
    let ns = nameserver(app).await;
    until(
        ns.port,
        "dns-acme.com",
        "SOA",
        Duration::from_secs(2),
        |d| d.status == "NOERROR",
    )
    .await;
    let name = "_acme-challenge.dns-acme.com";
    // Two values side by side (a wildcard and its apex), as ACME clients do.
    let mut ids = Vec::new();
    let started = Instant::now();
    for value in ["token-one", "token-two"] {
        ids.push(
            add(
                app,
                id,
                json!({"name": "_acme-challenge", "type": "TXT", "content": value, "ttl": 60}),
            )
            .await,
        );
    }
    let seen = until(ns.port, name, "TXT", Duration::from_secs(1), |d| {
        d.answer.len() == 2
    })
    .await;
    assert!(started.elapsed() < Duration::from_secs(1));
    let mut data = seen.data();
    data.sort();
    assert_eq!(data, ["\"token-one\"", "\"token-two\""]);
    assert!(seen.answer[0].contains(" 60 IN TXT "), "{seen:?}");
    for record in ids {
        let (status, _) = app.delete_record(id, record).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    let started = Instant::now();
    until(ns.port, name, "TXT", Duration::from_secs(1), |d| {
        d.status == "NXDOMAIN"
    })
    .await;
    assert!(started.elapsed() < Duration::from_secs(1));
}

async fn a_nameserver_in_another_process_follows(app: &TestApp) {
    let id = app.active("dns-apart.com").await;
    // A free port for both UDP and TCP.
    let port = {
        let (udp, _tcp) = vpsd_dns::server::bind("127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("bind");
        udp.local_addr().expect("addr").port()
    };
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpsd"))
        .args(["--database", &app.database_url, "dns", "--dns-listen"])
        .arg(format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start vpsd dns");
    until(port, "dns-apart.com", "SOA", Duration::from_secs(10), |d| {
        d.status == "NOERROR"
    })
    .await;
    let started = Instant::now();
    add(
        app,
        id,
        json!({"name": "api", "type": "A", "content": "192.0.2.44"}),
    )
    .await;
    let d = until(
        port,
        "api.dns-apart.com",
        "A",
        Duration::from_secs(1),
        |d| !d.answer.is_empty(),
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(d.data(), ["192.0.2.44"]);
    // Pointing the domain elsewhere takes the zone away just as fast.
    let (status, body) = app
        .put_domain(
            id,
            json!({"nameservers": ["ns1.elsewhere.net", "ns2.elsewhere.net"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    until(port, "dns-apart.com", "SOA", Duration::from_secs(1), |d| {
        d.status == "REFUSED"
    })
    .await;
    let _ = child.kill().await;
}

/// The worker keeps the newest entries of the change feed and deletes the
/// rest at most 10,000 at a time (a bulk load never holds the writer long).
async fn the_change_feed_is_purged_in_batches(app: &TestApp) {
    use sqlx::Connection;
    let fill = match app.backend {
        crate::helpers::Backend::Sqlite => {
            "INSERT INTO dns_changes (domain_id) WITH RECURSIVE s(i) AS \
             (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 25000) SELECT i FROM s"
        }
        crate::helpers::Backend::Postgres => {
            "INSERT INTO dns_changes (domain_id) SELECT i FROM generate_series(1, 25000) AS i"
        }
    };
    match app.backend {
        crate::helpers::Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&app.database_url)
                .await
                .expect("connect");
            sqlx::query(fill).execute(&mut c).await.expect("fill");
        }
        crate::helpers::Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&app.database_url)
                .await
                .expect("connect");
            sqlx::query(fill).execute(&mut c).await.expect("fill");
        }
    }
    let store = &app.app.store;
    let head = store.dns_change_head().await.expect("head");
    let mut purged = Vec::new();
    loop {
        let n = store.purge_dns_changes(1_000).await.expect("purge");
        if n == 0 {
            break;
        }
        purged.push(n);
    }
    assert_eq!(purged, [10_000, 10_000, 4_000], "at most 10,000 a call");
    // The newest 1,000 stay, the follower's window among them.
    let left = store.dns_changes(0, 100_000).await.expect("feed");
    assert_eq!(left.len(), 1_000);
    assert_eq!(left.first().map(|c| c.0), Some(head - 999));
    assert_eq!(left.last().map(|c| c.0), Some(head));
}
