//! Zone transfers out (RFC 5936 AXFR, RFC 1995 IXFR) over TCP: the whole
//! zone, read by dnspython (an independent client), equal to the zone the
//! API exports; large zones in several messages; IXFR at the current serial
//! answered with the SOA alone, from an older serial with the changes since
//! (RFC 1995 §4's incremental form, applied by dnspython to its copy); a
//! peer outside `--transfer-allow` refused (dig); a name that is no zone's
//! apex NOTAUTH.

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ixfr_sends_the_changes_since_the_clients_serial_sqlite() {
    ixfr_sends_the_changes_since_the_clients_serial(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ixfr_sends_the_changes_since_the_clients_serial_postgres() {
    ixfr_sends_the_changes_since_the_clients_serial(Backend::Postgres).await;
}

/// A secondary that holds the zone at serial S and asks IXFR=S gets what
/// changed since (added, deleted, a TTL changed), not the zone: dnspython
/// applies the answer to its copy and ends with the zone a fresh AXFR
/// gives; dig shows the incremental form.
async fn ixfr_sends_the_changes_since_the_clients_serial(backend: Backend) {
    let app = TestApp::spawn_with(backend, |s| {
        s.transfer_allow = vec!["127.0.0.2/32".parse().expect("cidr")];
    })
    .await;
    let id = app.active("ixfr-zone.com").await;
    let mut file = String::from("www 300 A 192.0.2.1\nold A 192.0.2.2\n");
    for i in 0..50 {
        file.push_str(&format!("keep{i} TXT \"unchanged {i}\"\n"));
    }
    import_zone_file(&app, id, file).await;
    let ns = nameserver(&app).await;
    until(
        ns.port,
        "old.ixfr-zone.com",
        "A",
        Duration::from_secs(2),
        |d| d.status == "NOERROR",
    )
    .await;
    // The secondary's copy at serial S.
    let copy = dnspython_zone("axfr", "ixfr-zone.com.", ns.port, "")
        .unwrap_or_else(|e| panic!("AXFR: {e}"));
    let s1 = soa_serial(&dig(ns.port, "ixfr-zone.com", "SOA", &[]).await);

    // Three changes through the API: one added, one deleted, a TTL.
    add(
        &app,
        id,
        serde_json::json!({"type": "A", "name": "new", "content": "192.0.2.3", "ttl": 600}),
    )
    .await;
    let (_, records) = app.records(id).await;
    let list = records["results"].as_array().expect("records");
    let id_of = |name: &str| {
        list.iter()
            .find(|r| r["name"] == name)
            .and_then(|r| r["id"].as_i64())
            .unwrap_or_else(|| panic!("{name} in {records}"))
    };
    let (status, body) = app.delete_record(id, id_of("old")).await;
    assert!(status.is_success(), "{body}");
    let (status, body) = app
        .put_record(id, id_of("www"), serde_json::json!({"ttl": 900}))
        .await;
    assert!(status.is_success(), "{body}");
    until(
        ns.port,
        "www.ixfr-zone.com",
        "A",
        Duration::from_secs(2),
        |d| d.raw.contains("\t900\tIN\tA\t"),
    )
    .await;
    until(
        ns.port,
        "old.ixfr-zone.com",
        "A",
        Duration::from_secs(2),
        |d| d.status == "NXDOMAIN",
    )
    .await;
    let s2 = soa_serial(&dig(ns.port, "ixfr-zone.com", "SOA", &[]).await);
    assert!(s2 > s1, "the serial rose: {s1} -> {s2}");

    // dig: the incremental form, SOA S2, SOA S1, what went, SOA, what
    // came, ..., SOA S2; none of the 50 records that did not change.
    let ixfr = dig(
        ns.port,
        "ixfr-zone.com",
        &format!("IXFR={s1}"),
        &["-b", "127.0.0.2"],
    )
    .await;
    let lines: Vec<&str> = ixfr
        .raw
        .lines()
        .filter(|l| !l.starts_with(';') && !l.trim().is_empty())
        .collect();
    assert!(
        !ixfr.raw.contains("keep"),
        "unchanged records sent: {}",
        ixfr.raw
    );
    let soas: Vec<u64> = lines
        .iter()
        .filter(|l| l.contains("\tSOA\t"))
        .filter_map(|l| l.split_whitespace().nth(6)?.parse().ok())
        .collect();
    assert!(soas.len() >= 4, "{}", ixfr.raw);
    assert_eq!(soas.first(), Some(&s2), "{}", ixfr.raw);
    assert_eq!(soas.last(), Some(&s2), "{}", ixfr.raw);
    assert_eq!(
        soas.get(1),
        Some(&s1),
        "the first change starts at S: {}",
        ixfr.raw
    );
    let with = |needle: &str| lines.iter().filter(|l| l.contains(needle)).count();
    assert_eq!(with("old.ixfr-zone.com."), 1, "deleted once: {}", ixfr.raw);
    assert_eq!(with("new.ixfr-zone.com."), 1, "added once: {}", ixfr.raw);
    assert_eq!(
        with("www.ixfr-zone.com."),
        2,
        "old and new TTL: {}",
        ixfr.raw
    );

    // dnspython applies it to the copy at S and ends where a fresh AXFR is.
    let updated = dnspython_zone("ixfr", "ixfr-zone.com.", ns.port, &copy)
        .unwrap_or_else(|e| panic!("IXFR: {e}"));
    let fresh = dnspython_zone("axfr", "ixfr-zone.com.", ns.port, "").expect("AXFR");
    assert_eq!(updated, fresh);
    assert!(
        fresh.contains("new.ixfr-zone.com. 600 IN A 192.0.2.3"),
        "{fresh}"
    );
    assert!(!fresh.contains("old.ixfr-zone.com."), "{fresh}");

    // Malformed IXFRs: without the zone's SOA (or with another zone's) in
    // the authority section, FORMERR (RFC 1995 §3); another class, REFUSED.
    let script = r#"
import sys, dns.message, dns.query, dns.rdatatype, dns.rdataclass, dns.rrset, dns.rcode
port = int(sys.argv[1])
def ask(q):
    return dns.rcode.to_text(dns.query.tcp(q, "127.0.0.1", port=port, source="127.0.0.2", timeout=5).rcode())
bare = dns.message.make_query("ixfr-zone.com.", dns.rdatatype.IXFR)
other = dns.message.make_query("ixfr-zone.com.", dns.rdatatype.IXFR)
other.authority.append(dns.rrset.from_text("example.com.", 0, "IN", "SOA", ". . 1 0 0 0 0"))
chaos = dns.message.make_query("ixfr-zone.com.", dns.rdatatype.AXFR, dns.rdataclass.CH)
print(ask(bare), ask(other), ask(chaos))
"#;
    let rcodes = python(
        script,
        &[&ns.port.to_string()],
        "",
        "dns.message",
        Package::PyPi("dnspython"),
    )
    .unwrap_or_else(|e| panic!("dnspython: {e}"));
    assert_eq!(rcodes.trim(), "FORMERR FORMERR REFUSED");

    // A serial the history never had: the whole zone, AXFR form.
    let unknown = dig(
        ns.port,
        "ixfr-zone.com",
        &format!("IXFR={}", s1 - 1),
        &["-b", "127.0.0.2"],
    )
    .await;
    assert_eq!(
        unknown
            .raw
            .lines()
            .filter(|l| l.contains("\tTXT\t"))
            .count(),
        50,
        "{}",
        unknown.raw
    );
    drop(ns);
    app.finish().await;
}

/// dnspython, from 127.0.0.2: `axfr` prints the zone `origin` transferred
/// whole; `ixfr` reads the zone from master file `copy`, brings it up to
/// date by IXFR from its serial and prints it. Printed as a master file,
/// names absolute, sorted.
fn dnspython_zone(mode: &str, origin: &str, port: u16, copy: &str) -> Result<String, String> {
    let script = r#"
import sys, dns.zone, dns.query, dns.xfr
mode, origin, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if mode == "axfr":
    z = dns.zone.Zone(origin, relativize=False)
    q, _ = dns.xfr.make_query(z, serial=None)
else:
    z = dns.zone.from_text(sys.stdin.read(), origin=origin, relativize=False)
    q, _ = dns.xfr.make_query(z)
dns.query.inbound_xfr("127.0.0.1", z, query=q, port=port, source="127.0.0.2", lifetime=10)
print("\n".join(sorted(l for l in z.to_text(relativize=False).splitlines() if l)))
"#;
    python(
        script,
        &[mode, origin, &port.to_string()],
        copy,
        "dns.zone",
        Package::PyPi("dnspython"),
    )
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
