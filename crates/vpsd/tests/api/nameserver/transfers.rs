//! Zone transfers out (RFC 5936 AXFR, RFC 1995 IXFR) over TCP: the whole
//! zone, read by dnspython (an independent client), equal to the zone the
//! API exports; large zones in several messages; IXFR at the current serial
//! answered with the SOA alone; a peer outside `--transfer-allow` refused
//! (dig); a name that is no zone's apex NOTAUTH.

use reqwest::StatusCode;

use crate::helpers::{python, Backend, Package, TestApp};

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zones_transfer_to_allowed_peers_only_sqlite() {
    zones_transfer_to_allowed_peers_only(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zones_transfer_to_allowed_peers_only_postgres() {
    zones_transfer_to_allowed_peers_only(Backend::Postgres).await;
}

/// A client that asks and never reads its answers does not keep its TCP
/// connection (one of a bounded number): once the server cannot write for
/// 10 s it closes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_never_reads_loses_its_connection() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.transfer_allow = vec!["127.0.0.1/32".parse().expect("cidr")];
    })
    .await;
    let id = app.active("xfr-slow.com").await;
    let mut file = String::new();
    for i in 0..300 {
        file.push_str(&format!("t{i} TXT \"{}\"\n", "x".repeat(200)));
    }
    import_zone_file(&app, id, file).await;
    let ns = nameserver(&app).await;
    until(
        ns.port,
        "t1.xfr-slow.com",
        "TXT",
        Duration::from_secs(2),
        |d| d.status == "NOERROR",
    )
    .await;
    // 400 transfers of ~70 KB each asked at once, none read: far more than
    // the sockets' buffers hold.
    // id, flags 0, one question: xfr-slow.com. AXFR (252) IN (1).
    let mut wire = vec![0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    wire.extend_from_slice(b"\x08xfr-slow\x03com\x00");
    wire.extend_from_slice(&[0, 252, 0, 1]);
    let mut one = u16::try_from(wire.len())
        .expect("short")
        .to_be_bytes()
        .to_vec();
    one.extend_from_slice(&wire);
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", ns.port))
        .await
        .expect("connect");
    stream.write_all(&one.repeat(400)).await.expect("ask");
    tokio::time::sleep(Duration::from_secs(13)).await;
    // Drained now, the connection ends: the server gave up on it.
    let mut buf = vec![0u8; 1 << 16];
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(
        ended.is_ok(),
        "the server still holds a connection it cannot write to"
    );
    drop(ns);
    app.finish().await;
}

/// dnspython: the zone `origin` transferred from `127.0.0.1:port` with
/// source address `source` (`xfr`), or read from master file `text`
/// (`file`), printed one record a line, sorted.
fn dnspython(
    mode: &str,
    origin: &str,
    port: u16,
    source: &str,
    text: &str,
) -> Result<String, String> {
    let script = r#"
import sys, dns.zone, dns.query, dns.rdatatype
mode, origin, port, source = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
if mode == "xfr":
    z = dns.zone.from_xfr(dns.query.xfr("127.0.0.1", origin, port=port, source=source, lifetime=10, relativize=False), relativize=False)
else:
    z = dns.zone.from_text(sys.stdin.read(), origin=origin, relativize=False)
out = [f"{n} {ttl} {dns.rdatatype.to_text(r.rdtype)} {r.to_text()}" for n, ttl, r in z.iterate_rdatas()]
print("\n".join(sorted(out)))
"#;
    python(
        script,
        &[mode, origin, &port.to_string(), source],
        text,
        "dns.zone",
        Package::PyPi("dnspython"),
    )
}

/// Imports zone file `file` into domain `id`'s zone (merge), as a client
/// of the API would.
pub(super) async fn import_zone_file(app: &TestApp, id: i64, file: String) {
    let resp = app
        .http
        .post(format!(
            "{}/api/v1/domains/{id}/dns/zone/?mode=merge",
            app.base
        ))
        .bearer_auth(&app.token)
        .header("content-type", "text/dns")
        .body(file)
        .send()
        .await
        .expect("import");
    assert_eq!(resp.status(), StatusCode::OK);
}

async fn zones_transfer_to_allowed_peers_only(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| {
        s.transfer_allow = vec!["127.0.0.2/32".parse().expect("cidr")];
    })
    .await;
    let started = chrono::Utc::now();
    let id = app.active("xfr-zone.com").await;
    // 300 records of 200 bytes: more than one message of the transfer.
    let mut file =
        String::from("www A 192.0.2.1\n@ MX 10 mail.example.net.\nsub NS ns1.example.net.\n");
    for i in 0..300 {
        file.push_str(&format!("t{i} TXT \"{}\"\n", "x".repeat(200)));
    }
    import_zone_file(&app, id, file).await;
    let ns = nameserver(&app).await;
    until(
        ns.port,
        "www.xfr-zone.com",
        "A",
        Duration::from_secs(2),
        |d| d.status == "NOERROR",
    )
    .await;

    // The allowed peer gets the zone: what the API exports, record for record.
    let transferred = dnspython("xfr", "xfr-zone.com.", ns.port, "127.0.0.2", "")
        .unwrap_or_else(|e| panic!("transfer from an allowed peer: {e}"));
    let export = app
        .http
        .get(format!("{}/api/v1/domains/{id}/dns/zone/", app.base))
        .bearer_auth(&app.token)
        .send()
        .await
        .expect("export")
        .text()
        .await
        .expect("text");
    let exported = dnspython("file", "xfr-zone.com.", 0, "", &export).expect("export reads");
    assert_eq!(
        transferred.lines().count(),
        1 + 2 + 303,
        "SOA, 2 NS, 303 records"
    );
    assert_eq!(transferred, exported);

    // dig shows the form: SOA first and last, over several messages.
    let axfr = dig(ns.port, "xfr-zone.com", "AXFR", &["-b", "127.0.0.2"]).await;
    let records: Vec<&str> = axfr
        .raw
        .lines()
        .filter(|l| !l.starts_with(';') && !l.trim().is_empty())
        .collect();
    assert!(
        records.first().is_some_and(|l| l.contains("\tSOA\t")),
        "{}",
        axfr.raw
    );
    assert!(
        records.last().is_some_and(|l| l.contains("\tSOA\t")),
        "{}",
        axfr.raw
    );
    let messages: u32 = axfr
        .raw
        .lines()
        .find_map(|l| l.split("(messages ").nth(1))
        .and_then(|s| s.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(
        messages > 1,
        "one large zone, several messages: {}",
        axfr.raw
    );

    // IXFR from the current serial: the SOA alone; from an older one, all.
    let soa = dig(ns.port, "xfr-zone.com", "SOA", &[]).await;
    let serial: u32 = soa.data()[0]
        .split_whitespace()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .expect("serial");
    // A new zone's serial starts at the time it was made, so a name that
    // comes back in a new domain (a cancel, a release) serves a zone newer
    // than the one secondaries keep of its former owner.
    let made = u32::try_from(started.timestamp()).expect("time");
    assert!(
        serial.wrapping_sub(made) < 1_000,
        "serial {serial} starts at the time the zone was made ({made})"
    );
    let current = dig(
        ns.port,
        "xfr-zone.com",
        &format!("IXFR={serial}"),
        &["-b", "127.0.0.2"],
    )
    .await;
    let lines: Vec<&str> = current
        .raw
        .lines()
        .filter(|l| !l.starts_with(';') && !l.trim().is_empty())
        .collect();
    assert_eq!(lines.len(), 1, "{}", current.raw);
    assert!(lines[0].contains("\tSOA\t"), "{}", current.raw);
    let older = dig(
        ns.port,
        "xfr-zone.com",
        &format!("IXFR={}", serial - 1),
        &["-b", "127.0.0.2"],
    )
    .await;
    assert!(
        older.raw.lines().filter(|l| l.contains("\tTXT\t")).count() == 300,
        "{}",
        older.raw
    );

    // Anyone else is refused; so is a transfer of a name that is no apex.
    let refused = dig(ns.port, "xfr-zone.com", "AXFR", &[]).await;
    assert!(refused.raw.contains("Transfer failed"), "{}", refused.raw);
    assert!(
        dnspython("xfr", "xfr-zone.com.", ns.port, "127.0.0.1", "").is_err(),
        "dnspython from a peer not allowed"
    );
    let below = dig(ns.port, "www.xfr-zone.com", "AXFR", &["-b", "127.0.0.2"]).await;
    assert!(below.raw.contains("Transfer failed"), "{}", below.raw);
    drop(ns);
    app.finish().await;
}
