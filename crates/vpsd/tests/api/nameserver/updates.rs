//! Dynamic updates (RFC 2136) signed with a zone's TSIG key (RFC 8945),
//! by clients nobody here wrote: BIND's `nsupdate` adds and deletes
//! records the API then shows (same ids, audit entries by the key, TTLs
//! brought into the records API's range); dnspython sends prerequisites,
//! all-or-nothing updates and records the rules refuse, and transfers a
//! zone of several messages signed with the key, checking every
//! signature. Unsigned, wrongly signed, deleted and other zones' keys are
//! refused and change nothing.

use std::process::Stdio;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{python, require_tool, Backend, Package, TestApp};

use super::*;

/// A key made through the API: (name, secret).
async fn make_key(app: &TestApp, id: i64, label: &str, algorithm: &str) -> (String, String) {
    let (status, key) = app
        .post(
            &format!("/api/v1/domains/{id}/dns/tsig-keys/"),
            json!({"name": label, "algorithm": algorithm}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    (
        key["name"].as_str().expect("name").to_owned(),
        key["secret"].as_str().expect("secret").to_owned(),
    )
}

/// Runs `nsupdate` with `commands` (the `server` line added) signed with
/// `key` (`ALG:NAME:SECRET`, or none); its exit status and stderr.
async fn nsupdate(port: u16, key: Option<&str>, commands: &str) -> (bool, String) {
    use tokio::io::AsyncWriteExt;
    let mut cmd =
        tokio::process::Command::new(require_tool("nsupdate", Package::Debian("bind9-dnsutils")));
    if let Some(k) = key {
        cmd.args(["-y", k]);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nsupdate");
    let script = format!("server 127.0.0.1 {port}\n{commands}\nsend\n");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .await
        .expect("write");
    let out = child.wait_with_output().await.expect("nsupdate");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The zone's records as the API lists them: `name type content ttl`.
async fn api_records(app: &TestApp, id: i64) -> Vec<String> {
    let (status, page) = app
        .get(&format!("/api/v1/domains/{id}/dns/records/?page_size=100"))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let mut out: Vec<String> = page["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {}",
                r["name"].as_str().unwrap_or(""),
                r["type"].as_str().unwrap_or(""),
                r["content"].as_str().unwrap_or(""),
                r["ttl"]
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nsupdate_changes_the_zone_through_the_api_rules_sqlite() {
    nsupdate_changes_the_zone_through_the_api_rules(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nsupdate_changes_the_zone_through_the_api_rules_postgres() {
    nsupdate_changes_the_zone_through_the_api_rules(Backend::Postgres).await;
}

async fn nsupdate_changes_the_zone_through_the_api_rules(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = app.active("upd-ns.com").await;
    let other = app.active("upd-other.com").await;
    let (name, secret) = make_key(&app, id, "acme", "hmac-sha256").await;
    assert_eq!(name, "acme.upd-ns.com");
    let (other_name, other_secret) = make_key(&app, other, "acme", "hmac-sha512").await;
    let key = format!("hmac-sha256:{name}:{secret}");
    let ns = nameserver(&app).await;

    // Added by nsupdate: the API shows them, the TTL of 10 s (certbot's)
    // raised to the records API's 60, and the nameserver answers them.
    let (ok, err) = nsupdate(
        ns.port,
        Some(&key),
        "zone upd-ns.com\n\
         update add _acme-challenge.upd-ns.com. 10 TXT \"token-1\"\n\
         update add www.upd-ns.com. 300 A 192.0.2.10\n\
         update add www.upd-ns.com. 300 A 192.0.2.11",
    )
    .await;
    assert!(ok, "nsupdate: {err}");
    assert_eq!(
        api_records(&app, id).await,
        vec![
            "_acme-challenge TXT \"token-1\" 60",
            "www A 192.0.2.10 300",
            "www A 192.0.2.11 300",
        ]
    );
    until(
        ns.port,
        "_acme-challenge.upd-ns.com",
        "TXT",
        Duration::from_secs(2),
        |d| d.data() == ["\"token-1\""],
    )
    .await;
    // The audit log names the key as the actor of each record.
    let (_, audit) = app.get("/api/v1/account/audit/?page_size=100").await;
    let by_key: Vec<&Value> = audit["results"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["actor"] == "dns_update")
        .collect();
    assert_eq!(by_key.len(), 3, "{audit}");
    assert!(by_key
        .iter()
        .all(|e| e["request_id"] == name.as_str() && e["action"] == "dns_record.create"));
    let (_, key_view) = app
        .get(&format!("/api/v1/domains/{id}/dns/tsig-keys/"))
        .await;
    assert!(
        !key_view["results"][0]["last_used_at"].is_null(),
        "{key_view}"
    );

    // One record of an RRset deleted, then the whole RRset.
    let (ok, err) = nsupdate(
        ns.port,
        Some(&key),
        "zone upd-ns.com\nupdate delete www.upd-ns.com. A 192.0.2.10",
    )
    .await;
    assert!(ok, "nsupdate: {err}");
    assert_eq!(
        api_records(&app, id).await,
        vec!["_acme-challenge TXT \"token-1\" 60", "www A 192.0.2.11 300"]
    );
    let (ok, err) = nsupdate(
        ns.port,
        Some(&key),
        "zone upd-ns.com\nupdate delete _acme-challenge.upd-ns.com. TXT",
    )
    .await;
    assert!(ok, "nsupdate: {err}");
    assert_eq!(api_records(&app, id).await, vec!["www A 192.0.2.11 300"]);

    // Refused, and nothing changes: a wrong secret, no signature, a key
    // of another zone, a record the records API refuses (a CNAME beside
    // the A records).
    let before = api_records(&app, id).await;
    let wrong = format!("hmac-sha256:{name}:{}", "A".repeat(43) + "=");
    let add = "zone upd-ns.com\nupdate add x.upd-ns.com. 300 A 192.0.2.99";
    let (ok, err) = nsupdate(ns.port, Some(&wrong), add).await;
    assert!(!ok && err.contains("BADSIG"), "{err}");
    let (ok, err) = nsupdate(ns.port, None, add).await;
    assert!(!ok && err.contains("REFUSED"), "{err}");
    let (ok, err) = nsupdate(
        ns.port,
        Some(&format!("hmac-sha512:{other_name}:{other_secret}")),
        add,
    )
    .await;
    assert!(!ok && err.contains("REFUSED"), "{err}");
    // A rule broken (a CNAME beside the A records): REFUSED, and the key,
    // whose only update it was, shows no use.
    let (fresh_name, fresh_secret) = make_key(&app, id, "fresh", "hmac-sha256").await;
    let (ok, err) = nsupdate(
        ns.port,
        Some(&format!("hmac-sha256:{fresh_name}:{fresh_secret}")),
        "zone upd-ns.com\nupdate add www.upd-ns.com. 300 CNAME elsewhere.example.net.",
    )
    .await;
    assert!(!ok && err.contains("REFUSED"), "{err}");
    let (_, keys) = app
        .get(&format!("/api/v1/domains/{id}/dns/tsig-keys/"))
        .await;
    assert!(keys["results"][1]["last_used_at"].is_null(), "{keys}");
    assert_eq!(api_records(&app, id).await, before);

    // A deleted key signs nothing from then on.
    let (_, keys) = app
        .get(&format!("/api/v1/domains/{id}/dns/tsig-keys/"))
        .await;
    let key_id = keys["results"][0]["id"].as_i64().expect("id");
    let (status, _) = app
        .delete(&format!("/api/v1/domains/{id}/dns/tsig-keys/{key_id}/"))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (ok, err) = nsupdate(ns.port, Some(&key), add).await;
    assert!(!ok && err.contains("BADKEY"), "{err}");
    assert_eq!(api_records(&app, id).await, before);
    drop(ns);
    app.finish().await;
}

/// dnspython sends UPDATE messages built by `script_body` (which has
/// `zone`, `key` (a keyring), `keyname`, `alg`, `port` and `send(u)`,
/// printing each answer's RCODE); its output.
fn dnspython_update(port: u16, zone: &str, name: &str, secret: &str, body: &str) -> String {
    let script = format!(
        r#"
import sys, dns.update, dns.query, dns.tsigkeyring, dns.rcode, dns.tsig
zone, keyname, secret, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
key = dns.tsigkeyring.from_text({{keyname: secret}})
alg = dns.tsig.HMAC_SHA256
def update():
    return dns.update.UpdateMessage(zone, keyring=key, keyname=keyname, keyalgorithm=alg)
def send(u):
    r = dns.query.tcp(u, "127.0.0.1", port=port, timeout=5)
    print(dns.rcode.to_text(r.rcode()))
{body}
"#
    );
    python(
        &script,
        &[zone, name, secret, &port.to_string()],
        "",
        "dns.update",
        Package::PyPi("dnspython"),
    )
    .unwrap_or_else(|e| panic!("dnspython: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prerequisites_and_the_rules_hold_all_or_nothing_sqlite() {
    prerequisites_and_the_rules_hold_all_or_nothing(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prerequisites_and_the_rules_hold_all_or_nothing_postgres() {
    prerequisites_and_the_rules_hold_all_or_nothing(Backend::Postgres).await;
}

async fn prerequisites_and_the_rules_hold_all_or_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = app.active("upd-pre.com").await;
    let (name, secret) = make_key(&app, id, "ddns", "hmac-sha256").await;
    let ns = nameserver(&app).await;
    let out = dnspython_update(
        ns.port,
        "upd-pre.com",
        &name,
        &secret,
        r#"
u = update(); u.absent("host"); u.add("host", 300, "A", "192.0.2.1"); send(u)
# The name is in use now: the same update fails, and adds nothing.
u = update(); u.absent("host"); u.add("other", 300, "A", "192.0.2.2"); send(u)
u = update(); u.present("host", "A", "192.0.2.9"); u.add("other", 300, "A", "192.0.2.2"); send(u)
u = update(); u.present("nowhere"); send(u)
u = update(); u.present("host", "A"); u.replace("host", 600, "A", "192.0.2.5"); send(u)
u = update(); u.present("host", "A", "192.0.2.5"); u.add("mail", 300, "MX", "10 mx.upd-pre.com."); send(u)
# Outside the zone, the SOA left alone, a type not kept here.
u = update(); u.add("x.example.org.", 300, "A", "192.0.2.3"); send(u)
u = update(); u.delete("@", "SOA"); u.delete("@", "NS"); send(u)
u = update(); u.add("ptr", 300, "PTR", "host.upd-pre.com."); send(u)
# A CNAME at the apex breaks the rules: refused, with the add beside it.
u = update(); u.add("ok", 300, "A", "192.0.2.4"); u.add("@", 300, "CNAME", "x.example.net."); send(u)
"#,
    );
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        vec![
            "NOERROR", "YXDOMAIN", "NXRRSET", "NXDOMAIN", "NOERROR", "NOERROR", "NOTZONE",
            "NOERROR", "REFUSED", "REFUSED",
        ],
        "{out}"
    );
    assert_eq!(
        api_records(&app, id).await,
        vec!["host A 192.0.2.5 600", "mail MX mx.upd-pre.com 300"]
    );
    // The apex's SOA and NS are still served.
    let d = dig(ns.port, "upd-pre.com", "NS", &[]).await;
    assert_eq!(d.answer.len(), 2, "{d:?}");
    drop(ns);
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zone_key_transfers_its_zone_signed_sqlite() {
    a_zone_key_transfers_its_zone_signed(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zone_key_transfers_its_zone_signed_postgres() {
    a_zone_key_transfers_its_zone_signed(Backend::Postgres).await;
}

/// Without `--transfer-allow`, the zone's own key transfers it: every one
/// of the several messages signed and checked by dnspython; another
/// zone's key, or none, is refused.
async fn a_zone_key_transfers_its_zone_signed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = app.active("upd-xfr.com").await;
    let other = app.active("upd-xfr2.com").await;
    let mut file = String::new();
    for i in 0..300 {
        file.push_str(&format!("t{i} 300 TXT \"{}\"\n", "y".repeat(120)));
    }
    super::transfers::import_zone_file(&app, id, file).await;
    let (name, secret) = make_key(&app, id, "xfr", "hmac-sha256").await;
    let (other_name, other_secret) = make_key(&app, other, "xfr", "hmac-sha256").await;
    let ns = nameserver(&app).await;
    until(
        ns.port,
        "t299.upd-xfr.com",
        "TXT",
        Duration::from_secs(3),
        |d| d.status == "NOERROR",
    )
    .await;
    let script = r#"
import sys, dns.query, dns.zone, dns.tsigkeyring, dns.tsig, dns.message, dns.rcode
zone, keyname, secret, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
key = dns.tsigkeyring.from_text({keyname: secret})
try:
    z = dns.zone.from_xfr(dns.query.xfr("127.0.0.1", zone, port=port, keyring=key, keyname=keyname, keyalgorithm=dns.tsig.HMAC_SHA256, lifetime=10))
    print(len(list(z.iterate_rdatas())))
except Exception as e:
    print(type(e).__name__, e)
"#;
    let run = |zone: &str, key: &str, secret: &str| {
        python(
            script,
            &[zone, key, secret, &ns.port.to_string()],
            "",
            "dns.zone",
            Package::PyPi("dnspython"),
        )
        .unwrap_or_else(|e| panic!("dnspython: {e}"))
    };
    // 300 TXT, the SOA and the two NS records.
    assert_eq!(run("upd-xfr.com", &name, &secret).trim(), "303");
    let refused = run("upd-xfr.com", &other_name, &other_secret);
    assert!(refused.contains("REFUSED"), "{refused}");
    let d = dig(ns.port, "upd-xfr.com", "AXFR", &[]).await;
    assert!(d.raw.contains("Transfer failed"), "{}", d.raw);
    drop(ns);
    app.finish().await;
}

/// What the break-it review found, held: a MAC of the wrong size is
/// FORMERR whether its bytes are right or not (no answer tells how much of
/// a guessed MAC is right); a signed update sent again is taken once; a
/// key's name in capitals (dnspython signs it as written) is the key; a
/// CAA value is kept byte for byte, and one the records API cannot keep
/// is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signatures_give_nothing_away_and_are_taken_once() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let id = app.active("upd-sig.com").await;
    let (name, secret) = make_key(&app, id, "sig", "hmac-sha256").await;
    let ns = nameserver(&app).await;
    let out = dnspython_update(
        ns.port,
        "upd-sig.com",
        &name,
        &secret,
        r#"
import socket, struct
def raw(wire):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(struct.pack("!H", len(wire)) + wire)
    n = struct.unpack("!H", s.recv(2))[0]
    data = b""
    while len(data) < n:
        data += s.recv(n - len(data))
    s.close()
    rcode = data[3] & 0x0F
    return dns.rcode.to_text(rcode)
import dns.message
def cut(u, size, right):
    wire = u.to_wire()
    mac = u.mac
    i = wire.rindex(struct.pack("!H", len(mac)) + mac)
    part = mac[:size] if right else bytes(b ^ 0xFF for b in mac[:size])
    new = wire[:i] + struct.pack("!H", size) + part + wire[i + 2 + len(mac):]
    a = new.rindex(b"\x0bhmac-sha256\x00")
    (rdlen,) = struct.unpack("!H", new[a - 2:a])
    return new[:a - 2] + struct.pack("!H", rdlen - (len(mac) - size)) + new[a:]
for size in (1, 15):
    for right in (True, False):
        u = update(); u.add("cut", 300, "A", "192.0.2.1")
        print(raw(cut(u, size, right)))
u = update(); u.add("once", 300, "A", "192.0.2.2")
wire = u.to_wire()
print(raw(wire))
v = update(); v.delete("once"); send(v)
print(raw(wire))
key2 = dns.tsigkeyring.from_text({keyname.upper(): secret})
u = dns.update.UpdateMessage(zone, keyring=key2, keyname=keyname.upper(), keyalgorithm=alg)
u.add("upper", 300, "A", "192.0.2.3"); send(u)
u = update(); u.add("@", 300, "CAA", '0 issue "café.example"'); send(u)
u = update(); u.add("@", 300, "CAA", '0 issue "a\\"b"'); send(u)
"#,
    );
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        vec![
            "FORMERR", "FORMERR", "FORMERR", "FORMERR", "NOERROR", "NOERROR", "REFUSED", "NOERROR",
            "NOERROR", "REFUSED",
        ],
        "{out}"
    );
    assert_eq!(
        api_records(&app, id).await,
        vec![
            "@ CAA 0 issue \"café.example\" 300",
            "upper A 192.0.2.3 300",
        ]
    );
    drop(ns);
    app.finish().await;
}
