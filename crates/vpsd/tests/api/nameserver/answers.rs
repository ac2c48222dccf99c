//! What the nameserver answers, asked with `dig`: every record type, the
//! apex, negative answers and refusals, wildcards, delegations, CNAMEs,
//! truncation and the TCP retry.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

use super::*;

crate::both!(
    every_type_and_the_apex,
    negative_answers_and_refusals,
    wildcards_delegations_and_cnames,
    truncation_and_tcp,
);

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
