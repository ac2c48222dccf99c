//! Real secondaries: NSD (NLnet Labs, Debian's `nsd`) and Knot DNS (CZ.NIC,
//! Debian's `knot`) each take our zone by zone transfer, are told of each
//! API change by NOTIFY (RFC 1996), fetch it again (IXFR, RFC 1995: the
//! changes since their serial) and answer the change within two seconds,
//! and a set of questions the same as our nameserver does. Their zones are what `vpsd dns secondaries-config`
//! generates: every zone served, none other.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{require_tool, Backend, Package, TestApp};
use crate::mail::free_port;

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nsd_follows_by_notify_and_transfer_sqlite() {
    follows_by_notify_and_transfer(Kind::Nsd, Backend::Sqlite, false).await;
}

/// With the operator's transfer key and no address allowed: the
/// secondaries' transfers are signed, an unsigned one is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nsd_follows_with_a_transfer_key() {
    follows_by_notify_and_transfer(Kind::Nsd, Backend::Sqlite, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn knot_follows_with_a_transfer_key() {
    follows_by_notify_and_transfer(Kind::Knot, Backend::Sqlite, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nsd_follows_by_notify_and_transfer_postgres() {
    follows_by_notify_and_transfer(Kind::Nsd, Backend::Postgres, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn knot_follows_by_notify_and_transfer_sqlite() {
    follows_by_notify_and_transfer(Kind::Knot, Backend::Sqlite, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn knot_follows_by_notify_and_transfer_postgres() {
    follows_by_notify_and_transfer(Kind::Knot, Backend::Postgres, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn knot_follows_the_catalog_zone_sqlite() {
    knot_follows_the_catalog_zone(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn knot_follows_the_catalog_zone_postgres() {
    knot_follows_the_catalog_zone(Backend::Postgres).await;
}

/// Knot configured with our catalog zone alone (RFC 9432, what
/// `secondaries-config knot` writes with `--catalog-zone`) serves every
/// zone of ours, takes a new domain's zone when it is made and drops a
/// zone once it is no longer served, with no configuration touched; the
/// catalog goes to allowed peers only.
async fn knot_follows_the_catalog_zone(backend: Backend) {
    const CATALOG: &str = "catalog.invalid";
    let knot_port = free_port();
    let app = TestApp::spawn_with(backend, move |s| {
        s.transfer_allow = vec!["127.0.0.1/32".parse().expect("cidr")];
        s.notify = vec![format!("127.0.0.1:{knot_port}").parse().expect("addr")];
        s.catalog_zone = Some(CATALOG.to_owned());
    })
    .await;
    let one = app.active("cat-one.com").await;
    let (status, _) = app
        .post(
            &format!("/api/v1/domains/{one}/dns/records/"),
            json!({"name": "www", "type": "A", "content": "192.0.2.10"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let ours = nameserver(&app).await;
    let config = crate::cluster::vpsd(
        &app.database_url,
        &[
            "dns",
            "--catalog-zone",
            CATALOG,
            "secondaries-config",
            "knot",
            "--primary",
            &format!("127.0.0.1:{}", ours.port),
        ],
    );
    assert!(config.contains("catalog-role: interpret"), "{config}");
    assert!(
        !config.contains("cat-one.com"),
        "the catalog lists it: {config}"
    );
    // The catalog answers its SOA to anyone (secondaries ask it first),
    // its list only by transfer, and only to allowed peers.
    let soa = dig(ours.port, CATALOG, "SOA", &[]).await;
    assert_eq!(soa.status, "NOERROR", "{}", soa.raw);
    let ptr = dig(ours.port, &format!("zones.{CATALOG}"), "PTR", &[]).await;
    assert_eq!(ptr.status, "REFUSED", "{}", ptr.raw);
    let outsider = dig(ours.port, CATALOG, "AXFR", &["-b", "127.0.0.2"]).await;
    assert!(outsider.raw.contains("Transfer failed"), "{}", outsider.raw);
    let axfr = dig(ours.port, CATALOG, "AXFR", &[]).await;
    assert!(
        axfr.raw.lines().any(|l| l.contains("\tPTR\tcat-one.com.")),
        "{}",
        axfr.raw
    );

    // deploy/knot's snippet with the generated file is a configuration
    // Knot accepts.
    let checked = tempfile::tempdir().expect("dir");
    let zones_file = checked.path().join("vpsd-zones.conf");
    std::fs::write(&zones_file, &config).expect("zones file");
    let snippet = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/knot/knot.conf.snippet"
    ))
    .expect("snippet")
    .replace(
        "/etc/knot/vpsd-zones.conf",
        &zones_file.display().to_string(),
    );
    let conf = checked.path().join("knot.conf");
    std::fs::write(&conf, snippet).expect("knot.conf");
    let knotc = require_tool("knotc", Package::Debian("knot"));
    let check = std::process::Command::new(knotc)
        .args(["-c", &conf.display().to_string(), "conf-check"])
        .output()
        .expect("knotc");
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );

    let knot = Secondary::start(Kind::Knot, &config, knot_port, None);
    let wait = |name: &'static str, rtype: &'static str, want: &'static str, what: &'static str| {
        let port = knot.port;
        let log = || knot.log();
        async move {
            let start = Instant::now();
            loop {
                let d = dig(port, name, rtype, &[]).await;
                if d.status == want {
                    return start.elapsed();
                }
                assert!(
                    start.elapsed() < Duration::from_secs(20),
                    "Knot: {what}: {name} {rtype} still {d:?}\n{}",
                    log()
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    wait("www.cat-one.com", "A", "NOERROR", "never took the zone").await;

    // A new domain: its zone joins the catalog and Knot serves it.
    let two = app.active("cat-two.com").await;
    let (status, _) = app
        .post(
            &format!("/api/v1/domains/{two}/dns/records/"),
            json!({"name": "www", "type": "A", "content": "192.0.2.20"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let took = wait("www.cat-two.com", "A", "NOERROR", "never took the new zone").await;
    // A zone no longer served (delegated elsewhere) leaves it.
    let (status, _) = app
        .put(
            &format!("/api/v1/domains/{one}/"),
            json!({"nameservers": ["ns1.example.net", "ns2.example.net"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    wait(
        "www.cat-one.com",
        "A",
        "REFUSED",
        "kept a zone no longer served",
    )
    .await;
    let log = knot.log();
    assert!(
        log.lines()
            .any(|l| l.contains(CATALOG) && l.contains("IXFR, incoming") && l.contains("finished")),
        "Knot followed the catalog by IXFR:\n{log}"
    );
    eprintln!("new zone served by Knot {took:?} after it was asked for");
    drop(knot);
    drop(ours);
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nsd_zone_list_kept_by_the_sync_script_sqlite() {
    nsd_zone_list_kept_by_the_sync_script(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nsd_zone_list_kept_by_the_sync_script_postgres() {
    nsd_zone_list_kept_by_the_sync_script(Backend::Postgres).await;
}

/// deploy/nsd/vpsd-nsd-sync, as its timer runs it: NSD (which reads no
/// catalog zones) serves a new domain's zone after the next run and drops
/// one no longer served; a run with nothing changed leaves the file and
/// NSD alone; a database that cannot be read leaves the file as it was.
async fn nsd_zone_list_kept_by_the_sync_script(backend: Backend) {
    let nsd_port = free_port();
    let app = TestApp::spawn_with(backend, move |s| {
        s.transfer_allow = vec!["127.0.0.1/32".parse().expect("cidr")];
        s.notify = vec![format!("127.0.0.1:{nsd_port}").parse().expect("addr")];
    })
    .await;
    let one = app.active("sync-one.com").await;
    let ours = nameserver(&app).await;
    until(
        ours.port,
        "sync-one.com",
        "SOA",
        Duration::from_secs(2),
        |d| d.status == "NOERROR",
    )
    .await;
    let primary = format!("127.0.0.1:{}", ours.port);
    let nsd = Secondary::start(Kind::Nsd, "", nsd_port, None);
    let d = nsd.dir.path().to_owned();
    let conf = d.join("vpsd-zones.conf");
    let nsd_control = require_tool("nsd-control", Package::Debian("nsd"));
    // NSD up (its control socket answers) before the first run.
    let started = Instant::now();
    while !std::process::Command::new(&nsd_control)
        .args(["-c", &d.join("nsd.conf").display().to_string(), "status"])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "NSD did not start:\n{}",
            nsd.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let sync = |database: &str| {
        std::process::Command::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../deploy/nsd/vpsd-nsd-sync"
        ))
        .env("VPSD", env!("CARGO_BIN_EXE_vpsd"))
        .env("VPSD_DATABASE_URL", database)
        .env("VPSD_PRIMARY", &primary)
        .env("NSD_ZONES_CONF", &conf)
        .env(
            "NSD_CONTROL",
            format!(
                "{} -c {}",
                nsd_control.display(),
                d.join("nsd.conf").display()
            ),
        )
        .env("RUST_LOG", "warn")
        .output()
        .expect("run vpsd-nsd-sync")
    };
    let answers = |name: &'static str, want: &'static str, what: &'static str| {
        let port = nsd.port;
        let log = || nsd.log();
        async move {
            let start = Instant::now();
            loop {
                let got = dig(port, name, "SOA", &[]).await;
                if got.status == want {
                    return;
                }
                assert!(
                    start.elapsed() < Duration::from_secs(20),
                    "NSD {what}: {name} SOA still {got:?}\n{}",
                    log()
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };
    let out = sync(&app.database_url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    answers("sync-one.com", "NOERROR", "never took the zone").await;

    // A new domain: served by NSD after the next run.
    app.active("sync-two.com").await;
    let out = sync(&app.database_url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    answers("sync-two.com", "NOERROR", "never took the new zone").await;
    // Nothing changed: the file is not rewritten.
    let before = std::fs::metadata(&conf)
        .and_then(|m| m.modified())
        .expect("mtime");
    std::thread::sleep(Duration::from_millis(20));
    let out = sync(&app.database_url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = std::fs::metadata(&conf)
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(before, after, "rewritten with nothing changed");
    // A database that cannot be read: an error, the list kept.
    let kept = std::fs::read_to_string(&conf).expect("conf");
    let out = sync(&format!("sqlite://{}/missing.db", d.display()));
    assert!(!out.status.success());
    assert_eq!(std::fs::read_to_string(&conf).expect("conf"), kept);
    // NSD unreachable at the run (its control socket wrong): an error,
    // the list left as NSD has it, so the next run brings the change.
    app.active("sync-three.com").await;
    let kept = std::fs::read_to_string(&conf).expect("conf");
    let failed = std::process::Command::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/nsd/vpsd-nsd-sync"
    ))
    .env("VPSD", env!("CARGO_BIN_EXE_vpsd"))
    .env("VPSD_DATABASE_URL", &app.database_url)
    .env("VPSD_PRIMARY", &primary)
    .env("NSD_ZONES_CONF", &conf)
    .env("NSD_CONTROL", "false")
    .env("RUST_LOG", "warn")
    .output()
    .expect("run vpsd-nsd-sync");
    assert!(!failed.status.success());
    assert_eq!(std::fs::read_to_string(&conf).expect("conf"), kept);
    let out = sync(&app.database_url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    answers(
        "sync-three.com",
        "NOERROR",
        "never took the zone after a failed run",
    )
    .await;

    // A zone no longer served: NSD drops it after the next run.
    let (status, _) = app
        .put(
            &format!("/api/v1/domains/{one}/"),
            json!({"nameservers": ["ns1.example.net", "ns2.example.net"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let out = sync(&app.database_url);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    answers("sync-one.com", "REFUSED", "kept a zone no longer served").await;
    answers("sync-two.com", "NOERROR", "lost a zone still served").await;
    drop(nsd);
    drop(ours);
    app.finish().await;
}

/// Which secondary.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Nsd,
    Knot,
}

/// A secondary in the foreground on 127.0.0.1:`port` with its state in a
/// temporary directory, a secondary of `zone` from `primary` (our port on
/// 127.0.0.1), killed when dropped.
struct Secondary {
    _child: tokio::process::Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl Secondary {
    /// Starts the secondary with `zones`, the configuration fragment
    /// `vpsd dns secondaries-config` made for it.
    fn start(kind: Kind, zones: &str, port: u16, key: Option<&str>) -> Secondary {
        match kind {
            Kind::Nsd => Self::nsd(zones, port, key),
            Kind::Knot => Self::knot(zones, port, key),
        }
    }

    /// Knot's server part; its zones are the generated fragment.
    fn knot(zones: &str, port: u16, secret: Option<&str>) -> Secondary {
        let key = secret
            .map(|s| {
                format!("key:\n  - id: {XFR_KEY}\n    algorithm: hmac-sha256\n    secret: {s}\n")
            })
            .unwrap_or_default();
        let knotd = require_tool("knotd", Package::Debian("knot"));
        let dir = tempfile::tempdir().expect("dir");
        let d = dir.path().display();
        let conf = format!(
            "server:
  rundir: \"{d}\"
  listen: 127.0.0.1@{port}
database:
  storage: \"{d}\"
log:
  - target: \"{d}/knot.log\"
    any: info
template:
  - id: default
    storage: \"{d}\"
{key}{zones}
"
        );
        // The catalog's member template keeps its zones here too.
        let conf = conf.replace(
            "  - id: vpsd-member\n",
            &format!("  - id: vpsd-member\n    storage: \"{d}\"\n"),
        );
        let path = dir.path().join("knot.conf");
        std::fs::write(&path, conf).expect("knot.conf");
        let child = tokio::process::Command::new(knotd)
            .arg("-c")
            .arg(&path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start knotd");
        Secondary {
            _child: child,
            dir,
            port,
        }
    }

    fn nsd(zones: &str, port: u16, secret: Option<&str>) -> Secondary {
        let key = secret
            .map(|s| {
                format!(
                    "key:\n  name: \"{XFR_KEY}\"\n  algorithm: hmac-sha256\n  secret: \"{s}\"\n"
                )
            })
            .unwrap_or_default();
        let nsd = require_tool("nsd", Package::Debian("nsd"));
        let dir = tempfile::tempdir().expect("dir");
        let d = dir.path().display();
        let conf = format!(
            "server:
  ip-address: 127.0.0.1@{port}
  port: {port}
  username: \"\"
  chroot: \"\"
  zonesdir: \"{d}\"
  zonelistfile: \"{d}/zone.list\"
  database: \"\"
  xfrdfile: \"{d}/xfrd.state\"
  xfrdir: \"{d}\"
  pidfile: \"{d}/nsd.pid\"
  logfile: \"{d}/nsd.log\"
  do-ip6: no
  verbosity: 2
remote-control:
  control-enable: yes
  control-interface: \"{d}/nsd.ctl\"
{key}include: \"{d}/vpsd-zones.conf\"
"
        );
        // The zones in their own file, as deploy/nsd has it: what
        // vpsd-nsd-sync rewrites.
        std::fs::write(dir.path().join("vpsd-zones.conf"), zones).expect("zones");
        let path = dir.path().join("nsd.conf");
        std::fs::write(&path, conf).expect("nsd.conf");
        let child = tokio::process::Command::new(nsd)
            .arg("-d")
            .arg("-c")
            .arg(&path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start nsd");
        Secondary {
            _child: child,
            dir,
            port,
        }
    }

    fn log(&self) -> String {
        ["nsd.log", "knot.log"]
            .iter()
            .map(|f| std::fs::read_to_string(self.dir.path().join(f)).unwrap_or_default())
            .collect()
    }
}

/// The operator's transfer key of the signed variant.
const XFR_KEY: &str = "xfr.secondaries";

async fn follows_by_notify_and_transfer(kind: Kind, backend: Backend, signed: bool) {
    let zone = "ns-follow.com";
    // NSD's port first: our nameserver NOTIFYs it.
    let nsd_port = free_port();
    // The transfer key file, as the operator writes it.
    let secret = "c2Vjb25kYXJpZXMtdHJhbnNmZXIta2V5LWZvci10ZXN0cw==";
    let keys = tempfile::NamedTempFile::new().expect("key file");
    std::fs::write(keys.path(), format!("hmac-sha256:{XFR_KEY}:{secret}\n")).expect("write");
    let transfer_keys = vpsd::transfer_keys::load(keys.path()).expect("keys");
    let app = TestApp::spawn_with(backend, move |s| {
        if signed {
            s.transfer_keys = transfer_keys;
        } else {
            s.transfer_allow = vec!["127.0.0.1/32".parse().expect("cidr")];
        }
        s.notify = vec![format!("127.0.0.1:{nsd_port}").parse().expect("addr")];
    })
    .await;
    let id = app.active(zone).await;
    let (status, _) = app
        .post(
            &format!("/api/v1/domains/{id}/dns/records/"),
            json!({"name": "www", "type": "A", "content": "192.0.2.10"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // Something of every kind the questions below ask about.
    super::transfers::import_zone_file(
        &app,
        id,
        "@ MX 10 mail.ns-follow.com.\nmail A 192.0.2.25\nmail AAAA 2001:db8::25\n\
         @ TXT \"v=spf1 mx -all\"\nalias CNAME www\n*.wild TXT \"wildcard\"\n\
         sub NS ns1.sub.ns-follow.com.\nns1.sub A 192.0.2.53\n"
            .to_owned(),
    )
    .await;
    let ours = nameserver(&app).await;
    until(
        ours.port,
        "www.ns-follow.com",
        "A",
        Duration::from_secs(2),
        |d| d.status == "NOERROR",
    )
    .await;
    // A second zone served, and a domain whose zone is not (delegated
    // elsewhere): the generated configuration names the two served.
    app.active("ns-follow2.com").await;
    let away = app.active("ns-away.com").await;
    let (status, _) = app
        .put(
            &format!("/api/v1/domains/{away}/"),
            json!({"nameservers": ["ns1.example.net", "ns2.example.net"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let name = match kind {
        Kind::Nsd => "nsd",
        Kind::Knot => "knot",
    };
    let zones = crate::cluster::vpsd(
        &app.database_url,
        &[
            "dns",
            "secondaries-config",
            name,
            "--primary",
            &format!("127.0.0.1:{}", ours.port),
            "--key",
            if signed { XFR_KEY } else { "" },
        ][..if signed { 7 } else { 5 }],
    );
    assert!(
        zones.contains("ns-follow.com") && zones.contains("ns-follow2.com"),
        "{zones}"
    );
    assert!(!zones.contains("ns-away.com"), "{zones}");
    if signed {
        // Not from this address unsigned: only with the key.
        let d = dig(ours.port, zone, "AXFR", &[]).await;
        assert!(d.raw.contains("Transfer failed"), "{}", d.raw);
    }
    let nsd = Secondary::start(kind, &zones, nsd_port, signed.then_some(secret));
    // NSD asks for the zone when it starts.
    let first = Instant::now();
    while dig(nsd.port, "www.ns-follow.com", "A", &[]).await.data() != ["192.0.2.10"] {
        assert!(
            first.elapsed() < Duration::from_secs(20),
            "{kind:?} never took the zone:\n{}",
            nsd.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    while dig(nsd.port, "ns-follow2.com", "SOA", &[]).await.status != "NOERROR" {
        assert!(
            first.elapsed() < Duration::from_secs(20),
            "{kind:?} never took the second zone:\n{}",
            nsd.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Each API change reaches NSD by NOTIFY and a transfer within 2 s.
    for (i, content) in ["192.0.2.11", "192.0.2.12"].iter().enumerate() {
        let (status, _) = app
            .post(
                &format!("/api/v1/domains/{id}/dns/records/"),
                json!({"name": format!("new{i}"), "type": "A", "content": content}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let changed = Instant::now();
        let name = format!("new{i}.ns-follow.com");
        loop {
            let d = dig(nsd.port, &name, "A", &[]).await;
            if d.data() == [content.to_string()] {
                break;
            }
            assert!(
                changed.elapsed() < Duration::from_secs(2),
                "{kind:?} did not follow within 2 s: {d:?}\n{}",
                nsd.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // NSD answers as ours does, the SOA serial included.
        let theirs = dig(nsd.port, zone, "SOA", &[]).await;
        let mine = dig(ours.port, zone, "SOA", &[]).await;
        assert_eq!(theirs.data(), mine.data());
    }
    // A set of questions of every kind, answered the same: the RCODE and
    // the answer section (the authority and additional sections may
    // differ where the RFCs leave a choice).
    let questions = [
        (zone, "SOA"),
        (zone, "NS"),
        (zone, "MX"),
        (zone, "TXT"),
        ("www.ns-follow.com", "A"),
        ("www.ns-follow.com", "AAAA"),
        ("mail.ns-follow.com", "AAAA"),
        ("alias.ns-follow.com", "A"),
        ("x.wild.ns-follow.com", "TXT"),
        ("new0.ns-follow.com", "A"),
        ("new1.ns-follow.com", "A"),
        ("nothing.ns-follow.com", "A"),
        ("host.sub.ns-follow.com", "A"),
        ("ns-follow2.com", "SOA"),
    ];
    for (name, rtype) in questions {
        let theirs = dig(nsd.port, name, rtype, &[]).await;
        let mine = dig(ours.port, name, rtype, &[]).await;
        let sorted = |d: &Dig| {
            let mut v = d.data();
            v.sort();
            v
        };
        assert_eq!(
            (theirs.status.as_str(), sorted(&theirs)),
            (mine.status.as_str(), sorted(&mine)),
            "{kind:?} and ours differ on {name} {rtype}"
        );
    }
    // Knot says how it took each change: incrementally (NSD's log at its
    // default verbosity does not say).
    if kind == Kind::Knot {
        let log = nsd.log();
        assert!(
            log.lines()
                .any(|l| l.contains("IXFR, incoming") && l.contains("finished")),
            "Knot took no IXFR:\n{log}"
        );
    }
    drop(nsd);
    drop(ours);
    app.finish().await;
}

/// Run where the database is not (cron's directory), the command fails and
/// makes nothing, rather than print a configuration without zones.
#[test]
fn secondaries_config_refuses_a_database_that_is_not_there() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("vpsd.db");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vpsd"))
        .args([
            "dns",
            "secondaries-config",
            "nsd",
            "--primary",
            "192.0.2.1:53",
        ])
        .env("VPSD_DATABASE_URL", format!("sqlite://{}", db.display()))
        .output()
        .expect("vpsd");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--database"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
}

/// A catalog zone name a customer's zone could be or hold (under a TLD
/// sold here), or that is no host-style name, stops the start, named.
#[test]
fn a_catalog_zone_name_customers_could_take_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("vpsd.db");
    for (name, says) in [
        ("cat.example.com", ".com"),
        ("catalog.com", ".com"),
        ("_cat.invalid", "not a DNS name"),
        ("*.cat.invalid", "not a DNS name"),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_vpsd"))
            .args([
                "dns",
                "--catalog-zone",
                name,
                "secondaries-config",
                "knot",
                "--primary",
                "192.0.2.1:53",
            ])
            .env("VPSD_DATABASE_URL", format!("sqlite://{}", db.display()))
            .output()
            .expect("vpsd");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name}");
        assert!(
            err.contains("--catalog-zone") && err.contains(says) && err.contains("catalog.invalid"),
            "{name}: {err}"
        );
    }
}
