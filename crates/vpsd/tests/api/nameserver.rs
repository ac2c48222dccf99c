//! The authoritative nameserver, asked over real sockets with `dig` (BIND's
//! client, from Debian's dnsutils): every record type, SOA and NS at the
//! apex, NXDOMAIN versus NODATA, REFUSED, wildcards, delegations with glue,
//! EDNS and truncation with the TCP retry, an ACME DNS-01 round, and a
//! nameserver in another process following the API within a second.

use std::process::Stdio;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{require_tool, Package, TestApp};

crate::both!(
    every_type_and_the_apex,
    negative_answers_and_refusals,
    wildcards_delegations_and_cnames,
    truncation_and_tcp,
    acme_dns01_round_within_a_second,
    a_nameserver_in_another_process_follows,
    the_change_feed_is_purged_in_batches,
);

/// The nameserver of a test, run in the test's process until dropped.
pub(crate) struct Nameserver {
    pub(crate) port: u16,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Nameserver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) async fn nameserver(app: &TestApp) -> Nameserver {
    let (udp, tcp) = vpsd_dns::server::bind("127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("bind DNS");
    let port = udp.local_addr().expect("addr").port();
    let server = app.app.clone();
    let task = tokio::spawn(async move {
        server.run_dns(udp, tcp, std::future::pending()).await;
    });
    // Wait until the zones are loaded: a SOA for a name we do not serve
    // answers (REFUSED) once the sockets run.
    let deadline = Instant::now() + Duration::from_secs(10);
    while dig(port, "nothing.example", "SOA", &[])
        .await
        .status
        .is_empty()
    {
        assert!(Instant::now() < deadline, "nameserver did not start");
        // The nameserver's sockets and first zone load, on its own task.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Nameserver { port, task }
}

/// What `dig` printed, by section.
#[derive(Debug, Default)]
pub(crate) struct Dig {
    pub(crate) status: String,
    pub(crate) flags: Vec<String>,
    pub(crate) answer: Vec<String>,
    pub(crate) authority: Vec<String>,
    pub(crate) additional: Vec<String>,
    pub(crate) edns: bool,
    /// Everything dig printed, for what the sections above leave out (the
    /// OPT pseudo-section's version, flags and options).
    pub(crate) raw: String,
}

impl Dig {
    pub(crate) fn aa(&self) -> bool {
        self.flags.iter().any(|f| f == "aa")
    }

    /// The answer's data fields (after name, TTL, class, type).
    pub(crate) fn data(&self) -> Vec<String> {
        self.answer
            .iter()
            .map(|l| l.split_whitespace().skip(4).collect::<Vec<_>>().join(" "))
            .collect()
    }
}

pub(crate) async fn dig(port: u16, name: &str, rtype: &str, extra: &[&str]) -> Dig {
    let out = tokio::process::Command::new(require_tool("dig", Package::Debian("bind9-dnsutils")))
        .args([
            "@127.0.0.1",
            "-p",
            &port.to_string(),
            "+norec",
            "+time=2",
            "+tries=1",
        ])
        .args(extra)
        .args([name, rtype])
        .stdin(Stdio::null())
        .output()
        .await
        .expect("dig runs (install dnsutils)");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut d = Dig {
        raw: text.to_string(),
        ..Dig::default()
    };
    let mut section: Option<&mut Vec<String>> = None;
    for line in text.lines() {
        if let Some(rest) = line.split("status: ").nth(1) {
            d.status = rest.split(',').next().unwrap_or("").to_owned();
        }
        if let Some(rest) = line.strip_prefix(";; flags: ") {
            d.flags = rest
                .split(';')
                .next()
                .unwrap_or("")
                .split_whitespace()
                .map(str::to_owned)
                .collect();
        }
        if line.starts_with("; EDNS:") {
            d.edns = true;
        }
        section = match line {
            ";; ANSWER SECTION:" => Some(&mut d.answer),
            ";; AUTHORITY SECTION:" => Some(&mut d.authority),
            ";; ADDITIONAL SECTION:" => Some(&mut d.additional),
            "" => None,
            l if l.starts_with(';') => section,
            l => {
                if let Some(s) = section.as_mut() {
                    s.push(l.split_whitespace().collect::<Vec<_>>().join(" "));
                }
                section
            }
        };
    }
    d
}

async fn add(app: &TestApp, id: i64, body: Value) -> i64 {
    let (status, rec) = app.add_record(id, body).await;
    assert_eq!(status, StatusCode::CREATED, "{rec}");
    rec["id"].as_i64().expect("id")
}

/// Asks until `check` holds; panics after `within`. The nameserver reads
/// the zone change feed every 200 ms of real time, on its own task: this
/// waits for that, not for the server's clock.
pub(crate) async fn until(
    port: u16,
    name: &str,
    rtype: &str,
    within: Duration,
    check: impl Fn(&Dig) -> bool,
) -> Dig {
    let deadline = Instant::now() + within;
    loop {
        let d = dig(port, name, rtype, &[]).await;
        if check(&d) {
            return d;
        }
        assert!(Instant::now() < deadline, "{name} {rtype}: still {d:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn soa_serial(d: &Dig) -> u64 {
    d.data()
        .first()
        .and_then(|soa| soa.split_whitespace().nth(2).map(str::to_owned))
        .and_then(|s| s.parse().ok())
        .expect("SOA serial")
}

async fn every_type_and_the_apex(app: &TestApp) {
    let id = app.active("dns-types.com").await;
    let ns = nameserver(app).await;
    let before = until(
        ns.port,
        "dns-types.com",
        "SOA",
        Duration::from_secs(2),
        |d| d.status == "NOERROR",
    )
    .await;
    assert!(before.aa(), "{before:?}");
    assert_eq!(
        before.data()[0],
        format!(
            "ns1.vps.org. hostmaster.vps.org. {} 3600 600 1209600 300",
            soa_serial(&before)
        )
    );
    let apex_ns = dig(ns.port, "dns-types.com", "NS", &[]).await;
    assert_eq!(apex_ns.data(), ["ns1.vps.org.", "ns2.vps.org."]);

    for body in [
        json!({"name": "@", "type": "A", "content": "192.0.2.1"}),
        json!({"name": "@", "type": "AAAA", "content": "2001:db8::1"}),
        json!({"name": "www", "type": "CNAME", "content": "dns-types.com"}),
        json!({"name": "@", "type": "MX", "content": "mail.dns-types.com", "priority": 10}),
        json!({"name": "@", "type": "TXT", "content": "v=spf1 -all"}),
        json!({"name": "_sip._tcp", "type": "SRV", "content": "5 5060 sip.dns-types.com", "priority": 1}),
        json!({"name": "@", "type": "CAA", "content": "0 issue \"letsencrypt.org\""}),
    ] {
        add(app, id, body).await;
    }
    let cases = [
        ("dns-types.com", "A", "192.0.2.1"),
        ("dns-types.com", "AAAA", "2001:db8::1"),
        ("www.dns-types.com", "CNAME", "dns-types.com."),
        ("dns-types.com", "MX", "10 mail.dns-types.com."),
        ("dns-types.com", "TXT", "\"v=spf1 -all\""),
        (
            "_sip._tcp.dns-types.com",
            "SRV",
            "1 5 5060 sip.dns-types.com.",
        ),
        ("dns-types.com", "CAA", "0 issue \"letsencrypt.org\""),
    ];
    for (name, rtype, want) in cases {
        let d = until(ns.port, name, rtype, Duration::from_secs(1), |d| {
            d.data().iter().any(|x| x == want)
        })
        .await;
        assert_eq!(d.status, "NOERROR");
        assert!(d.aa(), "{name} {rtype}: {d:?}");
    }
    // A wildcard at the apex answers names that do not exist, never the
    // apex itself.
    add(
        app,
        id,
        json!({"name": "*", "type": "TXT", "content": "wild"}),
    )
    .await;
    until(
        ns.port,
        "random.dns-types.com",
        "TXT",
        Duration::from_secs(1),
        |d| d.data() == ["\"wild\""],
    )
    .await;
    let apex_txt = dig(ns.port, "dns-types.com", "TXT", &[]).await;
    assert_eq!(apex_txt.data(), ["\"v=spf1 -all\""]);
    // Upper case in the question is answered alike.
    let upper = dig(ns.port, "DNS-TYPES.COM", "A", &[]).await;
    assert_eq!(upper.data(), ["192.0.2.1"]);
    // The serial went up with the changes.
    let after = dig(ns.port, "dns-types.com", "SOA", &[]).await;
    assert!(soa_serial(&after) >= soa_serial(&before) + 8, "{after:?}");
}

async fn negative_answers_and_refusals(app: &TestApp) {
    let id = app.active("dns-negative.com").await;
    add(
        app,
        id,
        json!({"name": "a.b", "type": "A", "content": "192.0.2.1"}),
    )
    .await;
    let external = app.active("dns-external.com").await;
    let (status, body) = app
        .put_domain(
            external,
            json!({"nameservers": ["ns1.elsewhere.net", "ns2.elsewhere.net"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ns = nameserver(app).await;
    until(
        ns.port,
        "a.b.dns-negative.com",
        "A",
        Duration::from_secs(2),
        |d| d.status == "NOERROR" && !d.answer.is_empty(),
    )
    .await;

    // NXDOMAIN: the name does not exist; the SOA rides in the authority.
    let nx = dig(ns.port, "nothing.dns-negative.com", "A", &[]).await;
    assert_eq!(nx.status, "NXDOMAIN");
    assert!(nx.aa());
    assert!(nx.answer.is_empty());
    assert!(nx.authority[0].contains("SOA"), "{nx:?}");
    assert!(nx.authority[0].split_whitespace().nth(1) == Some("300"));
    // NODATA: the name exists, not with this type; also an empty
    // non-terminal (b exists because a.b does).
    for name in ["a.b.dns-negative.com", "b.dns-negative.com"] {
        let nodata = dig(ns.port, name, "TXT", &[]).await;
        assert_eq!(nodata.status, "NOERROR", "{name}");
        assert!(nodata.answer.is_empty());
        assert!(nodata.authority[0].contains("SOA"), "{nodata:?}");
    }
    // Not ours, delegated elsewhere: REFUSED, not authoritative.
    for name in ["example.org", "dns-external.com"] {
        let refused = dig(ns.port, name, "SOA", &[]).await;
        assert_eq!(refused.status, "REFUSED", "{name}: {refused:?}");
        assert!(!refused.aa());
    }
    // Registered, not yet active: REFUSED too. On a server of its own
    // whose registrations take an hour, so a slow machine cannot let it
    // become active meanwhile.
    let slow = TestApp::spawn_with(app.backend, |s| {
        s.registrar.registration_delay = Duration::from_secs(3600)
    })
    .await;
    let pending = slow.register("dns-pending.com").await;
    let slow_ns = nameserver(&slow).await;
    let (_, detail) = slow.domain(pending).await;
    assert_eq!(detail["status"], "pending");
    let refused = dig(slow_ns.port, "dns-pending.com", "SOA", &[]).await;
    assert_eq!(refused.status, "REFUSED", "{refused:?}");
    assert!(!refused.aa());
    drop(slow_ns);
    slow.finish().await;
    // Removed from the account: no longer served.
    let removed = app.active("dns-removed.com").await;
    until(
        ns.port,
        "dns-removed.com",
        "SOA",
        Duration::from_secs(2),
        |d| d.status == "NOERROR",
    )
    .await;
    let (status, _) = app.delete_domain(removed).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    until(
        ns.port,
        "dns-removed.com",
        "SOA",
        Duration::from_secs(1),
        |d| d.status == "REFUSED",
    )
    .await;
    // Expired: past its expiration date the zone goes away (the worker
    // marks it expired).
    app.advance(chrono::Duration::days(366)).await;
    until(
        ns.port,
        "dns-negative.com",
        "SOA",
        Duration::from_secs(2),
        |d| d.status == "REFUSED",
    )
    .await;
}

async fn wildcards_delegations_and_cnames(app: &TestApp) {
    let id = app.active("dns-wild.com").await;
    add(
        app,
        id,
        json!({"name": "*.apps", "type": "A", "content": "192.0.2.7"}),
    )
    .await;
    add(
        app,
        id,
        json!({"name": "exact.apps", "type": "TXT", "content": "here"}),
    )
    .await;
    add(
        app,
        id,
        json!({"name": "team", "type": "NS", "content": "ns1.team.dns-wild.com"}),
    )
    .await;
    add(
        app,
        id,
        json!({"name": "ns1.team", "type": "A", "content": "192.0.2.53"}),
    )
    .await;
    add(
        app,
        id,
        json!({"name": "www", "type": "A", "content": "192.0.2.80"}),
    )
    .await;
    add(
        app,
        id,
        json!({"name": "shop", "type": "CNAME", "content": "www.dns-wild.com"}),
    )
    .await;
    let ns = nameserver(app).await;
    until(
        ns.port,
        "www.dns-wild.com",
        "A",
        Duration::from_secs(2),
        |d| !d.answer.is_empty(),
    )
    .await;

    // A wildcard answers names that do not exist, with the name asked.
    let wild = dig(ns.port, "anything.apps.dns-wild.com", "A", &[]).await;
    assert_eq!(wild.data(), ["192.0.2.7"]);
    assert!(
        wild.answer[0].starts_with("anything.apps.dns-wild.com."),
        "{wild:?}"
    );
    let deeper = dig(ns.port, "x.y.apps.dns-wild.com", "A", &[]).await;
    assert_eq!(deeper.data(), ["192.0.2.7"]);
    // ... but not a name that exists (NODATA there), nor another branch.
    let exact = dig(ns.port, "exact.apps.dns-wild.com", "A", &[]).await;
    assert_eq!(exact.status, "NOERROR");
    assert!(exact.answer.is_empty());
    let other = dig(ns.port, "anything.dns-wild.com", "A", &[]).await;
    assert_eq!(other.status, "NXDOMAIN");

    // A delegation: a referral, not authoritative, with glue.
    let referral = dig(ns.port, "host.team.dns-wild.com", "A", &[]).await;
    assert_eq!(referral.status, "NOERROR");
    assert!(!referral.aa());
    assert!(referral.answer.is_empty());
    assert_eq!(
        referral.authority,
        ["team.dns-wild.com. 3600 IN NS ns1.team.dns-wild.com."]
    );
    assert!(
        referral
            .additional
            .iter()
            .any(|l| l == "ns1.team.dns-wild.com. 3600 IN A 192.0.2.53"),
        "{referral:?}"
    );

    // A CNAME answers, and is followed inside the zone.
    let cname = dig(ns.port, "shop.dns-wild.com", "A", &[]).await;
    assert_eq!(cname.data(), ["www.dns-wild.com.", "192.0.2.80"]);
    assert!(cname.aa());
}

async fn truncation_and_tcp(app: &TestApp) {
    let id = app.active("dns-big.com").await;
    // Nine strings of 100 bytes: over 512 bytes, under EDNS's 1232.
    for i in 0..9 {
        add(
            app,
            id,
            json!({"name": "big", "type": "TXT", "content": format!("{i:02}-{}", "x".repeat(97))}),
        )
        .await;
    }
    add(
        app,
        id,
        json!({"name": "long", "type": "TXT", "content": "y".repeat(600)}),
    )
    .await;
    let ns = nameserver(app).await;
    until(ns.port, "dns-big.com", "SOA", Duration::from_secs(2), |d| {
        d.status == "NOERROR"
    })
    .await;

    // Without EDNS, 512 bytes: truncated, and dig's retry over TCP gets it all.
    let truncated = dig(ns.port, "big.dns-big.com", "TXT", &["+noedns", "+ignore"]).await;
    assert!(truncated.flags.iter().any(|f| f == "tc"), "{truncated:?}");
    assert!(truncated.answer.is_empty());
    let retried = dig(ns.port, "big.dns-big.com", "TXT", &["+noedns"]).await;
    assert_eq!(retried.answer.len(), 9, "{retried:?}");
    // With EDNS (1232 bytes) it fits over UDP, and our OPT comes back.
    let edns = dig(ns.port, "big.dns-big.com", "TXT", &["+ignore"]).await;
    assert!(edns.edns);
    assert!(!edns.flags.iter().any(|f| f == "tc"));
    assert_eq!(edns.answer.len(), 9);
    // Over TCP from the start.
    let tcp = dig(ns.port, "big.dns-big.com", "TXT", &["+tcp"]).await;
    assert_eq!(tcp.answer.len(), 9);
    // TXT content over 255 bytes is served as several strings.
    let long = dig(ns.port, "long.dns-big.com", "TXT", &[]).await;
    let strings = long.data()[0].matches('"').count() / 2;
    assert_eq!(strings, 3, "{long:?}");
}

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
