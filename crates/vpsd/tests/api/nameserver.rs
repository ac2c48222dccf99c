//! The authoritative nameserver, asked over real sockets with `dig` (BIND's
//! client, from Debian's dnsutils): every record type, SOA and NS at the
//! apex, NXDOMAIN versus NODATA, REFUSED, wildcards, delegations with glue,
//! EDNS and truncation with the TCP retry, an ACME DNS-01 round, and a
//! nameserver in another process following the API within a second.

use std::process::Stdio;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{require_tool, Package, TestApp};

mod acme;
mod answers;
mod changes;
mod octodns;
mod secondaries;
mod transfers;
mod updates;

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
