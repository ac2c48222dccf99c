//! Zone files (`/dns/zone/`): the zone exported in RFC 1035 §5 form, read
//! by an independent parser (dnspython); a zone file of another provider
//! and one written by dnspython imported; every fault answered by line
//! with nothing changed; merge and replace; isolation.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::endpoints::api;
use crate::helpers::{assert_error, python, Package, TestApp};
use vps_client::paths;

crate::both!(
    an_exported_zone_reads_elsewhere_and_imports_back_unchanged,
    a_bind_zone_of_another_provider_imports,
    faults_are_answered_by_line_and_change_nothing,
    replace_makes_the_zone_the_file,
    zone_files_are_the_owners_only,
);

fn zone(id: i64) -> String {
    api(&paths::zone_file(id))
}

/// `GET` the zone file with `token`: status, content type, text.
async fn export_as(app: &TestApp, token: &str, id: i64) -> (StatusCode, String, String) {
    let resp = app
        .http
        .get(format!("{}{}", app.base, zone(id)))
        .bearer_auth(token)
        .send()
        .await
        .expect("send");
    let status = resp.status();
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (status, ct, resp.text().await.expect("text"))
}

async fn export(app: &TestApp, id: i64) -> String {
    let (status, ct, text) = export_as(app, &app.token, id).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert_eq!(ct, "text/dns");
    text
}

/// `POST` `text` as a zone file with `mode` (query) and `content_type`.
async fn import_as(
    app: &TestApp,
    token: &str,
    id: i64,
    mode: Option<&str>,
    content_type: &str,
    text: &str,
) -> (StatusCode, Value) {
    let mut url = format!("{}{}", app.base, zone(id));
    if let Some(mode) = mode {
        url.push_str(&format!("?mode={mode}"));
    }
    let resp = app
        .http
        .post(url)
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(text.to_owned())
        .send()
        .await
        .expect("send");
    let status = resp.status();
    let body = resp.json().await.expect("json");
    (status, body)
}

async fn import(app: &TestApp, id: i64, mode: &str, text: &str) -> (StatusCode, Value) {
    import_as(app, &app.token, id, Some(mode), "text/dns", text).await
}

/// The zone's records as `name type content ttl priority`, sorted.
async fn records(app: &TestApp, id: i64) -> Vec<String> {
    let (status, page) = app
        .get(&format!("{}?page_size=500", api(&paths::records(id))))
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let mut out: Vec<String> = page["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            format!(
                "{} {} {} {} {}",
                r["name"].as_str().expect("name"),
                r["type"].as_str().expect("type"),
                r["content"].as_str().expect("content"),
                r["ttl"],
                r["priority"]
            )
        })
        .collect();
    out.sort();
    out
}

async fn ids(app: &TestApp, id: i64) -> Vec<i64> {
    let (_, page) = app
        .get(&format!("{}?page_size=500", api(&paths::records(id))))
        .await;
    let mut ids: Vec<i64> = page["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["id"].as_i64().expect("id"))
        .collect();
    ids.sort_unstable();
    ids
}

/// dnspython (an independent implementation) reads `text` as the zone
/// `origin` and prints each record as `owner ttl type rdata`, sorted; or
/// it writes its own zone file of `text`'s records (`to_text`).
fn dnspython(mode: &str, origin: &str, text: &str) -> String {
    let script = r#"
import sys, dns.zone, dns.rdatatype
mode, origin = sys.argv[1], sys.argv[2]
z = dns.zone.from_text(sys.stdin.read(), origin=origin, relativize=False, check_origin=True)
if mode == "read":
    out = []
    for name, ttl, rdata in z.iterate_rdatas():
        out.append(f"{name} {ttl} {dns.rdatatype.to_text(rdata.rdtype)} {rdata.to_text()}")
    print("\n".join(sorted(out)))
else:
    print(z.to_text(relativize=True))
"#;
    python(
        script,
        &[mode, origin],
        text,
        "dns.zone",
        Package::PyPi("dnspython"),
    )
    .unwrap_or_else(|e| panic!("dnspython refused it: {e}\n{text}"))
}

async fn an_exported_zone_reads_elsewhere_and_imports_back_unchanged(app: &TestApp) {
    let id = app.register("zone-export.com").await;
    for body in [
        json!({"name": "@", "type": "A", "content": "192.0.2.1"}),
        json!({"name": "www", "type": "AAAA", "content": "2001:db8::1"}),
        json!({"name": "blog", "type": "CNAME", "content": "www.zone-export.com"}),
        json!({"name": "@", "type": "MX", "content": "mail.example.net", "priority": 10}),
        json!({"name": "@", "type": "TXT", "content": "v=spf1 include:_spf.example.net -all"}),
        json!({"name": "k._domainkey", "type": "TXT", "content": "\"v=DKIM1; p=MIIB\" \"IDAQAB\""}),
        json!({"name": "q", "type": "TXT", "content": "\"say \\\"hi\\\" \\\\ café\""}),
        json!({"name": "_sip._tcp", "type": "SRV", "content": "5 5060 sip.example.net", "priority": 10}),
        json!({"name": "@", "type": "CAA", "content": "0 issue \"letsencrypt.org\""}),
        json!({"name": "sub", "type": "NS", "content": "ns1.example.net", "ttl": 86400}),
    ] {
        let (status, rec) = app.post(&api(&paths::records(id)), body.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{body} → {rec}");
    }
    let text = export(app, id).await;
    assert!(text.starts_with("$ORIGIN zone-export.com.\n"), "{text}");
    assert!(
        text.lines().any(
            |l| l.starts_with("zone-export.com. 3600 IN SOA ns1.vps.org. hostmaster.vps.org. ")
        ),
        "{text}"
    );
    assert!(
        text.contains("zone-export.com. 3600 IN NS ns1.vps.org."),
        "{text}"
    );
    // An independent parser reads every record, the data as we serve it.
    let read = dnspython("read", "zone-export.com.", &text);
    for expected in [
        "zone-export.com. 3600 A 192.0.2.1",
        "www.zone-export.com. 3600 AAAA 2001:db8::1",
        "blog.zone-export.com. 3600 CNAME www.zone-export.com.",
        "zone-export.com. 3600 MX 10 mail.example.net.",
        "zone-export.com. 3600 TXT \"v=spf1 include:_spf.example.net -all\"",
        "k._domainkey.zone-export.com. 3600 TXT \"v=DKIM1; p=MIIB\" \"IDAQAB\"",
        "q.zone-export.com. 3600 TXT \"say \\\"hi\\\" \\\\ caf\\195\\169\"",
        "_sip._tcp.zone-export.com. 3600 SRV 10 5 5060 sip.example.net.",
        "zone-export.com. 3600 CAA 0 issue \"letsencrypt.org\"",
        "sub.zone-export.com. 86400 NS ns1.example.net.",
    ] {
        assert!(
            read.lines().any(|l| l == expected),
            "{expected} not in\n{read}"
        );
    }
    // Imported back, in either mode: nothing changes, ids stay.
    let before = (records(app, id).await, ids(app, id).await);
    let (_, domain) = app.domain(id).await;
    for mode in ["merge", "replace"] {
        let (status, done) = import(app, id, mode, &text).await;
        assert_eq!(status, StatusCode::OK, "{done}");
        assert_eq!(
            (
                &done["added"],
                &done["updated"],
                &done["deleted"],
                &done["unchanged"]
            ),
            (&json!(0), &json!(0), &json!(0), &json!(10)),
            "{done}"
        );
        let skipped: Vec<&str> = done["skipped"]
            .as_array()
            .expect("skipped")
            .iter()
            .map(|s| s["type"].as_str().expect("type"))
            .collect();
        assert_eq!(
            skipped,
            ["SOA", "NS", "NS"],
            "the SOA and the apex NS are ours"
        );
    }
    assert_eq!((records(app, id).await, ids(app, id).await), before);
    let (_, after) = app.domain(id).await;
    assert_eq!(after["dns_records_count"], domain["dns_records_count"]);
    // dnspython's own writing of it imports into a fresh zone the same.
    let theirs = dnspython("write", "zone-export.com.", &text);
    let other = app.register("zone-copy.com").await;
    let copied = theirs.replace("zone-export.com", "zone-copy.com");
    let (status, done) = import(app, other, "merge", &copied).await;
    assert_eq!(status, StatusCode::OK, "{done}\n{copied}");
    assert_eq!(done["added"], 10, "{done}");
    // Both zones as dnspython reads them, the SOA (its serial) aside.
    let without_soa = |read: String, name: &str| -> Vec<String> {
        read.lines()
            .filter(|l| !l.contains(" SOA "))
            .map(|l| l.replace(name, "zone-export.com"))
            .collect()
    };
    assert_eq!(
        without_soa(
            dnspython("read", "zone-copy.com.", &export(app, other).await),
            "zone-copy.com"
        ),
        without_soa(read, "zone-export.com")
    );
}

const BIND_ZONE: &str = "\
; exported from another provider
$ORIGIN zone-bind.com.
$TTL 1h
@       IN SOA  ns1.otherdns.net. hostmaster.otherdns.net. (
                2024010101 ; serial
                7200       ; refresh
                3600 1209600 300 )
        IN NS   ns1.otherdns.net.
        IN NS   ns2.otherdns.net.
        IN MX   10 mx1
        IN MX   20 mx2.mailhost.net.
        IN TXT  \"v=spf1 mx -all\"
mx1     IN A    198.51.100.5
www  300 IN A  198.51.100.10
     300 IN AAAA 2001:db8::10
shop    IN CNAME www
_dmarc  IN TXT  ( \"v=DMARC1; p=none; \"
                  \"rua=mailto:dmarc@zone-bind.com\" )
";

async fn a_bind_zone_of_another_provider_imports(app: &TestApp) {
    let id = app.register("zone-bind.com").await;
    let (status, done) = import(app, id, "merge", BIND_ZONE).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["added"], 8, "{done}");
    assert_eq!(done["mode"], "merge");
    let skipped: Vec<Value> = done["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| json!([s["line"], s["type"]]))
        .collect();
    assert_eq!(
        skipped,
        [json!([4, "SOA"]), json!([8, "NS"]), json!([9, "NS"])]
    );
    assert_eq!(
        records(app, id).await,
        [
            "@ MX mx1.zone-bind.com 3600 10",
            "@ MX mx2.mailhost.net 3600 20",
            "@ TXT \"v=spf1 mx -all\" 3600 null",
            "_dmarc TXT \"v=DMARC1; p=none; \" \"rua=mailto:dmarc@zone-bind.com\" 3600 null",
            "mx1 A 198.51.100.5 3600 null",
            "shop CNAME www.zone-bind.com 3600 null",
            "www A 198.51.100.10 300 null",
            "www AAAA 2001:db8::10 300 null",
        ]
    );
    let (_, d) = app.domain(id).await;
    assert_eq!(d["dns_records_count"], 8);
    // Each record has its audit entry, as through the records API.
    let (_, log) = app
        .get(&format!("{}?page_size=50", api(paths::AUDIT)))
        .await;
    let creates = log["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|e| e["action"] == "dns_record.create")
        .count();
    assert_eq!(creates, 8);
    // The same file again in merge mode: nothing to do.
    let (status, again) = import(app, id, "merge", BIND_ZONE).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (&again["added"], &again["unchanged"]),
        (&json!(0), &json!(8))
    );
}

async fn faults_are_answered_by_line_and_change_nothing(app: &TestApp) {
    let id = app.register("zone-faults.com").await;
    let (status, _) = app
        .post(
            &api(&paths::records(id)),
            json!({"name": "taken", "type": "A", "content": "192.0.2.1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let before = records(app, id).await;
    let file = "\
ok      A     192.0.2.2
bad     A     192.0.2.300
$INCLUDE /etc/passwd
ptr     PTR   host.example.net.
mx      MX    mail.example.net.
ok      A     192.0.2.2
far.example.org. A 192.0.2.3
taken   CNAME www.example.net.
";
    let (status, err) = import(app, id, "merge", file).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_zone_file");
    let errors = err["errors"].as_object().expect("errors by line");
    let mut lines: Vec<&str> = errors.keys().map(String::as_str).collect();
    lines.sort_by_key(|l| l[5..].parse::<u32>().unwrap_or(0));
    assert_eq!(
        lines,
        ["line 2", "line 3", "line 4", "line 5", "line 6", "line 7"],
        "{err}"
    );
    assert!(
        errors["line 6"][0]
            .as_str()
            .expect("msg")
            .contains("line 1"),
        "{err}"
    );
    assert_eq!(records(app, id).await, before, "nothing changed");
    // The records parse; the clash with the zone is found, by its line.
    let (status, err) = import(
        app,
        id,
        "merge",
        "ok A 192.0.2.2\ntaken CNAME www.example.net.\n",
    )
    .await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_zone_file");
    assert!(
        err["errors"]["line 2"][0]
            .as_str()
            .expect("msg")
            .contains("CNAME"),
        "{err}"
    );
    assert_eq!(records(app, id).await, before, "nothing changed");
    // The mode is the caller's to say; the body is a zone file.
    let (status, err) = import_as(app, &app.token, id, None, "text/dns", "ok A 192.0.2.2\n").await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_query");
    assert!(err["errors"]["mode"].is_array(), "{err}");
    let (status, err) =
        import_as(app, &app.token, id, Some("merge"), "application/json", "{}").await;
    assert_error(
        status,
        &err,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    );
    assert_eq!(records(app, id).await, before);
}

async fn replace_makes_the_zone_the_file(app: &TestApp) {
    let id = app.register("zone-replace.com").await;
    for body in [
        json!({"name": "www", "type": "A", "content": "192.0.2.1"}),
        json!({"name": "old", "type": "A", "content": "192.0.2.9"}),
        json!({"name": "@", "type": "TXT", "content": "keep me", "ttl": 600}),
    ] {
        let (status, _) = app.post(&api(&paths::records(id)), body).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let www_id = ids(app, id).await[0];
    let file = "\
www 3600 A 192.0.2.1
old CNAME www
@ 60 TXT \"keep me\"
";
    let (status, done) = import(app, id, "replace", file).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(
        (
            &done["added"],
            &done["updated"],
            &done["deleted"],
            &done["unchanged"]
        ),
        (&json!(1), &json!(1), &json!(1), &json!(1)),
        "{done}"
    );
    assert_eq!(
        records(app, id).await,
        [
            "@ TXT keep me 60 null",
            "old CNAME www.zone-replace.com 3600 null",
            "www A 192.0.2.1 3600 null",
        ]
    );
    assert!(
        ids(app, id).await.contains(&www_id),
        "a kept record keeps its id"
    );
    let (_, log) = app
        .get(&format!("{}?page_size=50", api(paths::AUDIT)))
        .await;
    let actions: Vec<&str> = log["results"]
        .as_array()
        .expect("results")
        .iter()
        .take(3)
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    let mut sorted = actions.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "dns_record.create",
            "dns_record.delete",
            "dns_record.update"
        ],
        "{actions:?}"
    );
    // An empty file (a read that failed?) changes nothing, in either mode;
    // a file of only the SOA, in replace mode, empties the zone.
    for body in ["", "; nothing\n"] {
        let (status, err) = import(app, id, "replace", body).await;
        assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_zone_file");
    }
    assert_eq!(records(app, id).await.len(), 3);
    let soa_only = export(app, id)
        .await
        .lines()
        .filter(|l| l.starts_with('$') || l.contains(" SOA "))
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    let (status, done) = import(app, id, "replace", &soa_only).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["deleted"], 3);
    assert!(records(app, id).await.is_empty());
}

async fn zone_files_are_the_owners_only(app: &TestApp) {
    let id = app.register("zone-owner.com").await;
    let (_, other) = app.new_account("other@example.com", 0).await;
    let (status, _, _) = export_as(app, &other, id).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, err) = import_as(
        app,
        &other,
        id,
        Some("merge"),
        "text/dns",
        "www A 192.0.2.1\n",
    )
    .await;
    assert_error(status, &err, StatusCode::NOT_FOUND, "not_found");
    assert!(records(app, id).await.is_empty());
    let (status, _) = app
        .request_as(Some(&other), Method::GET, &zone(id), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
