//! What users of registrar DNS trip on, asked of the live nameserver with
//! `dig` over UDP and TCP, and of Zonemaster: names in RDATA (RFC 2181 §11),
//! TXT in both forms (RFC 1035 §5.1), answers after CNAMEs (RFC 6604,
//! RFC 2308), EDNS (RFC 6891) and Zonemaster's whole undelegated test.

use std::process::Stdio;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::endpoints::api;
use crate::helpers::{assert_error, require_tool, Package, TestApp};
use crate::nameserver::{dig, nameserver, until, Dig};
use vps_client::paths;

crate::both!(
    names_in_rdata_are_domain_names,
    txt_pasted_in_zone_file_form,
    answers_after_cnames,
    edns_by_rfc_6891,
    zonemaster_finds_nothing_but_loopback,
);

async fn add(app: &TestApp, id: i64, body: Value) -> (StatusCode, Value) {
    app.add_record(id, body).await
}

async fn created(app: &TestApp, id: i64, body: Value) -> Value {
    let (status, record) = add(app, id, body).await;
    assert_eq!(status, StatusCode::CREATED, "{record}");
    record
}

/// Waits until `name` answers at all (the change feed carried the zone).
async fn served(port: u16, name: &str, rtype: &str) -> Dig {
    until(port, name, rtype, Duration::from_secs(3), |d| {
        !d.answer.is_empty()
    })
    .await
}

async fn names_in_rdata_are_domain_names(app: &TestApp) {
    let id = app.active("rdata-names.com").await;
    // Microsoft 365 DKIM: a CNAME to a name with underscores.
    let dkim = created(
        app,
        id,
        json!({"name": "selector1._domainkey", "type": "CNAME",
               "content": "selector1-shop-example._domainkey.tenant.example.net"}),
    )
    .await;
    assert_eq!(
        dkim["content"],
        "selector1-shop-example._domainkey.tenant.example.net"
    );
    // ACME alias mode: _acme-challenge delegated by CNAME.
    created(
        app,
        id,
        json!({"name": "_acme-challenge", "type": "CNAME",
               "content": "_acme-challenge.validation.example.org."}),
    )
    .await;
    // The root where an RFC gives it a meaning: a null MX, an SRV "no service".
    created(
        app,
        id,
        json!({"name": "nomail", "type": "MX", "content": ".", "priority": 0}),
    )
    .await;
    created(
        app,
        id,
        json!({"name": "_imaps._tcp", "type": "SRV", "content": "0 0 .", "priority": 0}),
    )
    .await;
    // Refused, each with the field and a reason; nothing is added.
    for (body, field) in [
        (
            json!({"name": "sub", "type": "NS", "content": "192.0.2.1"}),
            "content",
        ),
        (
            json!({"name": "www", "type": "CNAME", "content": "."}),
            "content",
        ),
        (
            json!({"name": "nomail", "type": "MX", "content": "mx.example.net", "priority": 10}),
            "content",
        ),
        (
            json!({"name": "x", "type": "MX", "content": ".", "priority": 5}),
            "priority",
        ),
    ] {
        let (status, err) = add(app, id, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {err}");
        assert!(err["errors"][field].is_array(), "{body}: {err}");
    }
    let (_, list) = app.records(id).await;
    assert_eq!(list["count"], 4, "{list}");

    let ns = nameserver(app).await;
    let cname = served(ns.port, "selector1._domainkey.rdata-names.com", "CNAME").await;
    assert_eq!(
        cname.data(),
        ["selector1-shop-example._domainkey.tenant.example.net."]
    );
    let alias = dig(ns.port, "_acme-challenge.rdata-names.com", "TXT", &[]).await;
    assert_eq!(alias.data(), ["_acme-challenge.validation.example.org."]);
    let null_mx = dig(ns.port, "nomail.rdata-names.com", "MX", &[]).await;
    assert_eq!(null_mx.data(), ["0 ."]);
    let srv = dig(ns.port, "_imaps._tcp.rdata-names.com", "SRV", &["+tcp"]).await;
    assert_eq!(srv.data(), ["0 0 0 ."]);
}

async fn txt_pasted_in_zone_file_form(app: &TestApp) {
    let id = app.active("txt-forms.com").await;
    let key = "B".repeat(300);
    let pasted = format!(r#""v=DKIM1; k=rsa; p=AAAA"   "{key}""#);
    let record = created(
        app,
        id,
        json!({"name": "mail._domainkey", "type": "TXT", "content": pasted}),
    )
    .await;
    // Shown back normalized, one space between strings.
    assert_eq!(
        record["content"],
        format!(r#""v=DKIM1; k=rsa; p=AAAA" "{key}""#)
    );
    let bare = created(
        app,
        id,
        json!({"name": "@", "type": "TXT", "content": "v=spf1 include:_spf.example.net -all"}),
    )
    .await;
    assert_eq!(bare["content"], "v=spf1 include:_spf.example.net -all");
    created(
        app,
        id,
        json!({"name": "esc", "type": "TXT", "content": r#""say \"hi\"" "a\\b" "tab\009end""#}),
    )
    .await;
    // The same data in the other form is the same record.
    let (status, err) = add(
        app,
        id,
        json!({"name": "@", "type": "TXT", "content": "\"v=spf1 include:_spf.example.net -all\""}),
    )
    .await;
    assert_error(status, &err, StatusCode::CONFLICT, "duplicate_record");
    let (status, err) = add(
        app,
        id,
        json!({"name": "bad", "type": "TXT", "content": "\"v=DKIM1; p=unclosed"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert!(
        err["errors"]["content"][0]
            .as_str()
            .is_some_and(|m| m.contains("not closed")),
        "{err}"
    );

    // A quote inside an unquoted string is ambiguous; empty strings count.
    for bad in [r#""a" b"c""#.to_owned(), "\"\" ".repeat(4_100)] {
        let (status, err) = add(
            app,
            id,
            json!({"name": "bad", "type": "TXT", "content": bad}),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
        assert!(err["errors"]["content"].is_array(), "{err}");
    }
    // One name and type fits a DNS message over TCP: four 4,000-byte
    // values do, a fifth is refused.
    for i in 0..4 {
        created(
            app,
            id,
            json!({"name": "big", "type": "TXT", "content": format!("{i}{}", "k".repeat(3_999))}),
        )
        .await;
    }
    let (status, err) = add(
        app,
        id,
        json!({"name": "big", "type": "TXT", "content": format!("4{}", "k".repeat(3_999))}),
    )
    .await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "rrset_too_large");
    // A new type needs its content: the MX's host is no TXT.
    let mx = created(
        app,
        id,
        json!({"name": "retype", "type": "MX", "content": "mx.example.net", "priority": 10}),
    )
    .await;
    let path = api(&paths::record(id, mx["id"].as_i64().expect("id")));
    let (status, err) = app.put(&path, json!({"type": "TXT"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{err}");
    assert!(
        err["errors"]["content"][0]
            .as_str()
            .is_some_and(|m| m.contains("from MX to TXT")),
        "{err}"
    );
    let (status, txt) = app
        .put(&path, json!({"type": "TXT", "content": "now text"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{txt}");
    assert_eq!(
        (txt["content"].as_str(), txt["priority"].is_null()),
        (Some("now text"), true)
    );

    let ns = nameserver(app).await;
    let big = dig(ns.port, "big.txt-forms.com", "TXT", &["+tcp"]).await;
    assert_eq!(big.answer.len(), 4, "{}", big.raw);
    assert!(!big.flags.iter().any(|f| f == "tc"), "{}", big.raw);
    // No quotes inside the data: the strings a DKIM verifier joins.
    let dkim = served(ns.port, "mail._domainkey.txt-forms.com", "TXT").await;
    let data = &dkim.data()[0];
    let strings: Vec<&str> = data.split('"').filter(|s| !s.trim().is_empty()).collect();
    let (long, rest) = ("B".repeat(255), "B".repeat(45));
    assert_eq!(
        strings,
        ["v=DKIM1; k=rsa; p=AAAA", long.as_str(), rest.as_str()]
    );
    let esc = dig(ns.port, "esc.txt-forms.com", "TXT", &[]).await;
    assert_eq!(esc.data(), [r#""say \"hi\"" "a\\b" "tab\009end""#]);
    let spf = dig(ns.port, "txt-forms.com", "TXT", &["+tcp"]).await;
    assert_eq!(spf.data(), [r#""v=spf1 include:_spf.example.net -all""#]);
}

async fn answers_after_cnames(app: &TestApp) {
    let id = app.active("cname-chains.com").await;
    for (name, target) in [
        ("dangling", "missing.cname-chains.com"),
        ("www", "web.cname-chains.com"),
        ("loop1", "loop2.cname-chains.com"),
        ("loop2", "loop1.cname-chains.com"),
        ("out", "www.example.net"),
        ("viawild", "anything.apps.cname-chains.com"),
    ] {
        created(
            app,
            id,
            json!({"name": name, "type": "CNAME", "content": target}),
        )
        .await;
    }
    created(
        app,
        id,
        json!({"name": "web", "type": "A", "content": "192.0.2.80"}),
    )
    .await;
    created(
        app,
        id,
        json!({"name": "*.apps", "type": "A", "content": "192.0.2.7"}),
    )
    .await;
    let ns = nameserver(app).await;
    served(ns.port, "web.cname-chains.com", "A").await;

    // RFC 6604 §3: the RCODE of the last name; the SOA with the NXDOMAIN.
    for extra in [&[][..], &["+tcp"][..]] {
        let d = dig(ns.port, "dangling.cname-chains.com", "A", extra).await;
        assert_eq!(d.status, "NXDOMAIN", "{d:?}");
        assert!(d.aa());
        assert_eq!(d.data(), ["missing.cname-chains.com."]);
        assert_eq!(d.authority.len(), 1);
        assert!(d.authority[0].contains(" SOA "), "{d:?}");
    }
    // Followed in the zone, NOERROR; NODATA at the end carries the SOA.
    let www = dig(ns.port, "www.cname-chains.com", "A", &[]).await;
    assert_eq!(
        (www.status.as_str(), www.data()),
        (
            "NOERROR",
            vec!["web.cname-chains.com.".to_owned(), "192.0.2.80".to_owned()]
        )
    );
    let nodata = dig(ns.port, "www.cname-chains.com", "AAAA", &[]).await;
    assert_eq!(nodata.status, "NOERROR");
    assert_eq!(nodata.data(), ["web.cname-chains.com."]);
    assert!(nodata.authority[0].contains(" SOA "), "{nodata:?}");
    // A loop: each record once (RFC 2181 §5), NOERROR.
    let looped = dig(ns.port, "loop1.cname-chains.com", "A", &[]).await;
    assert_eq!(looped.status, "NOERROR");
    assert_eq!(
        looped.data(),
        ["loop2.cname-chains.com.", "loop1.cname-chains.com."]
    );
    // Leaving the zone: NOERROR, no SOA; the resolver goes on.
    let out = dig(ns.port, "out.cname-chains.com", "A", &[]).await;
    assert_eq!(out.status, "NOERROR");
    assert_eq!(out.data(), ["www.example.net."]);
    assert!(out.authority.is_empty(), "{out:?}");
    // Reaching a wildcard: synthesized under the target's name.
    let wild = dig(ns.port, "viawild.cname-chains.com", "A", &[]).await;
    assert_eq!(
        wild.answer.last().map(String::as_str),
        Some("anything.apps.cname-chains.com. 3600 IN A 192.0.2.7")
    );
}

/// The OPT pseudo-section line dig prints: `; EDNS: version: 0, flags: do; udp: 1232`.
fn edns_line(d: &Dig) -> &str {
    d.raw
        .lines()
        .find(|l| l.starts_with("; EDNS:"))
        .unwrap_or("")
}

async fn edns_by_rfc_6891(app: &TestApp) {
    app.active("edns-check.com").await;
    let ns = nameserver(app).await;
    until(
        ns.port,
        "edns-check.com",
        "SOA",
        Duration::from_secs(3),
        |d| d.status == "NOERROR",
    )
    .await;
    for transport in [&[][..], &["+tcp"][..]] {
        let ask = |extra: &[&str]| {
            let mut args: Vec<&str> = transport.to_vec();
            args.extend_from_slice(extra);
            args.push("+noednsneg");
            let args: Vec<String> = args.into_iter().map(str::to_owned).collect();
            async move {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                dig(ns.port, "edns-check.com", "SOA", &args).await
            }
        };
        // §6.1.3: an unknown version gets BADVERS, OPT version 0, no answer.
        for extra in [&["+edns=1"][..], &["+edns=1", "+ednsopt=100:01"][..]] {
            let d = ask(extra).await;
            assert_eq!(d.status, "BADVERS", "{transport:?} {extra:?}: {}", d.raw);
            assert!(d.answer.is_empty(), "{}", d.raw);
            assert!(edns_line(&d).contains("version: 0"), "{}", d.raw);
        }
        // Plain EDNS 0: data, our payload, version 0.
        let plain = ask(&["+edns=0"]).await;
        assert_eq!(plain.status, "NOERROR");
        assert_eq!(plain.answer.len(), 1);
        assert!(edns_line(&plain).contains("udp: 1232"), "{}", plain.raw);
        // Unknown options and flags are ignored, never echoed (§6.1.2,
        // RFC 7873 §5.2 for a cookie we do not implement).
        let opts = ask(&["+ednsopt=100:deadbeef", "+ednsflags=0x40", "+cookie"]).await;
        assert_eq!(opts.status, "NOERROR", "{}", opts.raw);
        assert_eq!(opts.answer.len(), 1);
        assert!(!opts.raw.contains("OPT=100"), "{}", opts.raw);
        assert!(!opts.raw.contains("COOKIE"), "{}", opts.raw);
        assert!(!edns_line(&opts).contains("MBZ"), "{}", opts.raw);
        // The DO bit is copied (RFC 3225 §3).
        let dnssec = ask(&["+dnssec"]).await;
        assert_eq!(dnssec.status, "NOERROR");
        assert!(edns_line(&dnssec).contains("flags: do"), "{}", dnssec.raw);
        // A payload below 512 is read as 512; without EDNS, no OPT comes back.
        let small = ask(&["+bufsize=100"]).await;
        assert_eq!(small.status, "NOERROR");
        let none = ask(&["+noedns"]).await;
        assert_eq!(none.status, "NOERROR");
        assert!(!none.edns, "{}", none.raw);
    }
    // Zone transfers are not offered.
    let axfr = dig(ns.port, "edns-check.com", "AXFR", &[]).await;
    assert!(axfr.raw.contains("Transfer failed"), "{}", axfr.raw);
}

/// Zonemaster (Debian's `zonemaster-cli`) runs its whole undelegated test
/// of a zone against our nameserver on two loopback addresses, port 53 (it
/// asks nowhere else). Its root hints name our nameserver, which serves
/// `vps.org`, so the nameservers' names resolve. What a loopback address
/// itself causes is expected, named here; anything else at WARNING or
/// above fails the test.
async fn zonemaster_finds_nothing_but_loopback(app: &TestApp) {
    // Loopback addresses of this backend's own (both run at once).
    let net = match app.backend {
        crate::helpers::Backend::Sqlite => "127.0.53",
        crate::helpers::Backend::Postgres => "127.0.54",
    };
    let vps = app.active("vps.org").await;
    for (n, host) in [(1, "ns1"), (2, "ns2")] {
        created(
            app,
            vps,
            json!({"name": host, "type": "A", "content": format!("{net}.{n}")}),
        )
        .await;
    }
    let zone = app.active("zonemaster-check.com").await;
    for body in [
        json!({"name": "@", "type": "A", "content": "192.0.2.10"}),
        json!({"name": "www", "type": "CNAME", "content": "zonemaster-check.com"}),
        json!({"name": "@", "type": "MX", "content": "mail.zonemaster-check.com", "priority": 10}),
        json!({"name": "mail", "type": "A", "content": "192.0.2.25"}),
        json!({"name": "@", "type": "TXT", "content": "v=spf1 mx -all"}),
        json!({"name": "selector1._domainkey", "type": "CNAME", "content": "selector1._domainkey.tenant.example.net"}),
    ] {
        created(app, zone, body).await;
    }
    let mut servers = Vec::new();
    for n in [1, 2] {
        let addr: std::net::SocketAddr = format!("{net}.{n}:53").parse().expect("addr");
        let (udp, tcp) = vpsd_dns::server::bind(addr).await.unwrap_or_else(|e| {
            panic!("binding {addr} (port 53, as Zonemaster asks nowhere else) needs root or CAP_NET_BIND_SERVICE: {e}")
        });
        let server = app.app.clone();
        servers.push(Running(tokio::spawn(async move {
            server.run_dns(udp, tcp, std::future::pending()).await;
        })));
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let hints = dir.path().join("hints");
    std::fs::write(
        &hints,
        format!(". 3600000 IN NS a.root-servers.net.\na.root-servers.net. 3600000 IN A {net}.1\n"),
    )
    .expect("hints");
    // Both nameservers serve both zones before Zonemaster starts.
    for n in [1, 2] {
        for name in ["ns2.vps.org", "mail.zonemaster-check.com"] {
            let deadline = std::time::Instant::now() + Duration::from_secs(5);
            loop {
                let out = tokio::process::Command::new(require_tool(
                    "dig",
                    Package::Debian("bind9-dnsutils"),
                ))
                .args([&format!("@{net}.{n}"), "+short", "+norec", name, "A"])
                .stdin(Stdio::null())
                .output()
                .await
                .expect("dig runs (Debian package bind9-dnsutils)");
                if !out.stdout.is_empty() {
                    break;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "{name} not served at {net}.{n}"
                );
                // The nameserver's feed (200 ms) and dig, in real time.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    let out = tokio::process::Command::new(require_tool(
        "zonemaster-cli",
        Package::Debian("zonemaster-cli"),
    ))
    .args([
        "--no-ipv6",
        "--no-progress",
        "--json",
        "--level",
        "DEBUG",
        "--hints",
    ])
    .arg(&hints)
    .args([
        "--ns",
        &format!("ns1.vps.org/{net}.1"),
        "--ns",
        &format!("ns2.vps.org/{net}.2"),
        "zonemaster-check.com",
    ])
    .stdin(Stdio::null())
    .output()
    .await
    .expect("zonemaster-cli runs (Debian package zonemaster-cli)");
    drop(servers);
    let report: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "zonemaster-cli printed no JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    // What the loopback addresses themselves cause: 127/8 is no public
    // address (ADDRESS01), and nobody serves its reverse zone (ADDRESS02).
    let loopback = [
        "NAMESERVER_IP_PRIVATE_NETWORK",
        "NAMESERVER_IP_WITHOUT_REVERSE",
    ];
    let serious: Vec<&Value> = report
        .iter()
        .filter(|m| matches!(m["level"].as_str(), Some("WARNING" | "ERROR" | "CRITICAL")))
        .filter(|m| !m["tag"].as_str().is_some_and(|t| loopback.contains(&t)))
        .collect();
    assert!(serious.is_empty(), "Zonemaster found: {serious:#?}");
    // It did run the EDNS tests against us: support (NAMESERVER02), an
    // unknown version (10), option (11) and flag (12), truncation (13).
    let tags: Vec<&str> = report.iter().filter_map(|m| m["tag"].as_str()).collect();
    assert!(tags.contains(&"EDNS0_SUPPORT"), "{tags:?}");
    for case in [
        "NAMESERVER10",
        "NAMESERVER11",
        "NAMESERVER12",
        "NAMESERVER13",
    ] {
        assert!(
            report.iter().any(|m| m["testcase"].as_str() == Some(case)
                && m["tag"].as_str() == Some("TEST_CASE_END")),
            "{case} did not run"
        );
    }
}

/// A nameserver task of a test, stopped when dropped.
struct Running(tokio::task::JoinHandle<()>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.abort();
    }
}
