//! octoDNS (PyPI `octodns` with `octodns-bind`'s `Rfc2136Provider`), a
//! tool nobody here wrote, keeps a zone as its YAML says: it reads the zone
//! over AXFR signed with the zone's TSIG key, pushes the difference as
//! RFC 2136 updates, and a second run plans no change; an edited YAML is
//! followed, deletions included.

use std::path::Path;
use std::process::Stdio;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{require_tool, Backend, Package, TestApp};

use super::*;

/// Runs `octodns-sync` on `dir/config.yaml` (applying with `doit`): its
/// output, and whether it succeeded.
async fn sync(dir: &Path, doit: bool) -> (bool, String) {
    let mut cmd =
        tokio::process::Command::new(require_tool("octodns-sync", Package::PyPi("octodns-bind")));
    cmd.arg("--config-file=config.yaml").current_dir(dir);
    if doit {
        cmd.arg("--doit");
    }
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .await
        .expect("octodns-sync runs");
    (
        out.status.success(),
        format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The zone's records as the API lists them: `name type content ttl`.
async fn records(app: &TestApp, id: i64) -> Vec<String> {
    let (_, page) = app
        .get(&format!("/api/v1/domains/{id}/dns/records/?page_size=100"))
        .await;
    let mut out: Vec<String> = page["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            let content = match r["priority"].as_i64() {
                Some(p) => format!("{p} {}", r["content"].as_str().unwrap_or("")),
                None => r["content"].as_str().unwrap_or("").to_owned(),
            };
            format!(
                "{} {} {content} {}",
                r["name"].as_str().unwrap_or(""),
                r["type"].as_str().unwrap_or(""),
                r["ttl"]
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn octodns_keeps_the_zone_as_its_yaml_says_sqlite() {
    octodns_keeps_the_zone_as_its_yaml_says(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn octodns_keeps_the_zone_as_its_yaml_says_postgres() {
    octodns_keeps_the_zone_as_its_yaml_says(Backend::Postgres).await;
}

async fn octodns_keeps_the_zone_as_its_yaml_says(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = app.active("octo-zone.com").await;
    let (status, key) = app
        .post(
            &format!("/api/v1/domains/{id}/dns/tsig-keys/"),
            json!({"name": "octodns"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    // A record octoDNS does not know of: its run deletes it.
    let (status, _) = app
        .add_record(
            id,
            json!({"name": "old", "type": "A", "content": "192.0.2.99"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let ns = nameserver(&app).await;
    let dir = tempfile::tempdir().expect("dir");
    std::fs::create_dir(dir.path().join("zones")).expect("dir");
    std::fs::write(
        dir.path().join("config.yaml"),
        format!(
            "providers:\n  config:\n    class: octodns.provider.yaml.YamlProvider\n    directory: ./zones\n  ours:\n    class: octodns_bind.Rfc2136Provider\n    host: 127.0.0.1\n    port: {}\n    key_name: {}.\n    key_secret: {}\n    key_algorithm: hmac-sha256\nzones:\n  octo-zone.com.:\n    sources: [config]\n    targets: [ours]\n",
            ns.port,
            key["name"].as_str().expect("name"),
            key["secret"].as_str().expect("secret"),
        ),
    )
    .expect("config");
    let yaml = dir.path().join("zones/octo-zone.com.yaml");
    std::fs::write(
        &yaml,
        "---\n'':\n  - ttl: 300\n    type: A\n    values: [192.0.2.20, 192.0.2.21]\n  - type: MX\n    values:\n      - exchange: mx1.example.net.\n        preference: 10\n  - type: TXT\n    value: v=spf1 -all\n_sip._tcp:\n  type: SRV\n  value: {port: 5060, priority: 10, target: sip.example.net., weight: 5}\nwww:\n  type: CNAME\n  value: web.example.net.\n",
    )
    .expect("yaml");

    let (ok, out) = sync(dir.path(), true).await;
    assert!(ok, "{out}");
    assert_eq!(
        records(&app, id).await,
        vec![
            "@ A 192.0.2.20 300",
            "@ A 192.0.2.21 300",
            "@ MX 10 mx1.example.net 3600",
            "@ TXT \"v=spf1 -all\" 3600",
            "_sip._tcp SRV 10 5 5060 sip.example.net 3600",
            "www CNAME web.example.net 3600",
        ],
        "{out}"
    );
    until(
        ns.port,
        "www.octo-zone.com",
        "CNAME",
        Duration::from_secs(2),
        |d| d.data() == ["web.example.net."],
    )
    .await;
    // Read back over AXFR: nothing left to do.
    let (ok, out) = sync(dir.path(), false).await;
    assert!(ok && out.contains("No changes were planned"), "{out}");

    // The YAML edited: an address changed, the TXT gone.
    std::fs::write(
        &yaml,
        "---\n'':\n  - ttl: 300\n    type: A\n    values: [192.0.2.20, 192.0.2.22]\n  - type: MX\n    values:\n      - exchange: mx1.example.net.\n        preference: 10\n_sip._tcp:\n  type: SRV\n  value: {port: 5060, priority: 10, target: sip.example.net., weight: 5}\nwww:\n  type: CNAME\n  value: web.example.net.\n",
    )
    .expect("yaml");
    let (ok, out) = sync(dir.path(), true).await;
    assert!(ok, "{out}");
    assert_eq!(
        records(&app, id).await,
        vec![
            "@ A 192.0.2.20 300",
            "@ A 192.0.2.22 300",
            "@ MX 10 mx1.example.net 3600",
            "_sip._tcp SRV 10 5 5060 sip.example.net 3600",
            "www CNAME web.example.net 3600",
        ],
        "{out}"
    );
    let (ok, out) = sync(dir.path(), false).await;
    assert!(ok && out.contains("No changes were planned"), "{out}");
    drop(ns);
    app.finish().await;
}
