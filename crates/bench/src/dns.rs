//! The DNS benchmark's data (bench/dns.sh): zones seeded into vpsd's
//! database, the same zones exported as zone files for NSD, and a query file
//! for dnsperf.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use hickory_proto::rr::RData;
use vpsd_dns::zone::{Zone, ZoneDefaults};
use vpsd_domain::nameservers::Nameservers;

/// The zones' names: `zone-N.com`, N from 1.
pub fn zone_name(n: i64) -> String {
    format!("zone-{n}.com")
}

/// Gives `account` `zones` active domains on VPS.org's nameservers, each
/// with five records (apex A, MX and TXT; www and mail A).
pub async fn seed(database: &str, account: i64, zones: i64) -> anyhow::Result<()> {
    let store = vpsd_storage::connect(database).await?;
    store
        .account(account.into())
        .await?
        .with_context(|| format!("no account {account}: create it with vpsd account create"))?;
    drop(store);
    let postgres = database.starts_with("postgres");
    let mut statements = vec![crate::domains_sql(postgres, "zone-", zones, account, 1)];
    let now = if postgres {
        "now()"
    } else {
        "strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')"
    };
    let zone_of = "d.domain_name";
    for (name, rtype, content, priority) in [
        ("'@'", "A", "'192.0.2.1'", "NULL"),
        ("'www'", "A", "'192.0.2.2'", "NULL"),
        ("'mail'", "A", "'192.0.2.3'", "NULL"),
        ("'@'", "MX", &format!("'mail.' || {zone_of}") as &str, "10"),
        ("'@'", "TXT", "'v=spf1 mx -all'", "NULL"),
    ] {
        statements.push(format!(
            "INSERT INTO dns_records (domain_id, name, type, content, ttl, priority, created_at, updated_at) \
             SELECT d.id, {name}, '{rtype}', {content}, 3600, {priority}, {now}, {now} \
             FROM domains d WHERE d.domain_name LIKE 'zone-%'"
        ));
    }
    statements.push(
        "UPDATE domains SET dns_records_count = 5, dns_serial = 6 WHERE domain_name LIKE 'zone-%'"
            .to_owned(),
    );
    statements.push("DELETE FROM dns_changes".to_owned());
    crate::execute(database, &statements).await
}

/// Adds `records` TXT records (`r1` ... `rN`, 40 octets of text each) to
/// the seeded zone `zone-N.com`, and counts them in the domain's row.
pub async fn seed_records(database: &str, zone: i64, records: i64) -> anyhow::Result<()> {
    let postgres = database.starts_with("postgres");
    let (series, now) = if postgres {
        (
            format!("SELECT generate_series(1, {records}) AS i"),
            "now()",
        )
    } else {
        (
            format!(
                "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {records}) SELECT i FROM s"
            ),
            "strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')",
        )
    };
    let name = zone_name(zone);
    let statements = vec![
        format!(
            "INSERT INTO dns_records (domain_id, name, type, content, ttl, priority, created_at, updated_at) \
             SELECT d.id, 'r' || s.i, 'TXT', 'benchmark-record-' || s.i || '-padding-to-40-octets', 3600, NULL, {now}, {now} \
             FROM domains d, ({series}) s WHERE d.domain_name = '{name}'"
        ),
        format!(
            "UPDATE domains SET dns_records_count = dns_records_count + {records}, dns_serial = dns_serial + 1 \
             WHERE domain_name = '{name}'"
        ),
        "DELETE FROM dns_changes".to_owned(),
    ];
    crate::execute(database, &statements).await
}

/// Writes every zone vpsd serves from `database` as a zone file under
/// `dir`, and `nsd.conf` for NSD listening on `port`: one server process
/// per core, and minimal responses (no NS records added to the authority
/// section of positive answers), so NSD's answers are byte for byte the
/// size of vpsd's.
pub async fn export_nsd(database: &str, dir: &Path, port: u16) -> anyhow::Result<()> {
    let store = vpsd_storage::connect(database).await?;
    let defaults = ZoneDefaults {
        nameservers: Nameservers::vps_default().to_strings(),
        mail_exchanger: "mx.vps.org".to_owned(),
        forward_addresses: Vec::new(),
    };
    let apex = defaults.apex().context("no nameservers")?;
    let sources = store.dns_zones().await?;
    std::fs::create_dir_all(dir.join("zones"))?;
    let mut conf = format!(
        "server:\n  ip-address: 127.0.0.1@{port}\n  username: \"\"\n  zonesdir: \"{dir}\"\n  \
         database: \"\"\n  zonelistfile: \"{dir}/zone.list\"\n  pidfile: \"{dir}/nsd.pid\"\n  \
         xfrdfile: \"{dir}/xfrd.state\"\n  xfrdir: \"{dir}\"\n  logfile: \"{dir}/nsd.log\"\n  \
         server-count: {cores}\n  verbosity: 0\n  hide-version: yes\n  \
         minimal-responses: yes\n\nremote-control:\n  control-enable: no\n\n",
        dir = dir.display(),
        cores = std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let mut written = 0;
    for source in &sources {
        let Some(zone) = Zone::build(source, &defaults, &apex) else {
            continue;
        };
        let mut text = String::new();
        for record in &zone.records() {
            match record.data() {
                // Zone files need TXT strings quoted (hickory prints them bare).
                RData::TXT(txt) => {
                    let strings: Vec<String> = txt
                        .iter()
                        .map(|s| {
                            let s = String::from_utf8_lossy(s);
                            format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
                        })
                        .collect();
                    writeln!(
                        text,
                        "{} {} IN TXT {}",
                        record.name(),
                        record.ttl(),
                        strings.join(" ")
                    )?;
                }
                _ => writeln!(text, "{record}")?,
            }
        }
        std::fs::write(dir.join("zones").join(format!("{}.zone", zone.name)), text)?;
        writeln!(
            conf,
            "zone:\n  name: \"{}\"\n  zonefile: \"zones/{}.zone\"\n",
            zone.name, zone.name
        )?;
        written += 1;
    }
    std::fs::write(dir.join("nsd.conf"), conf)?;
    eprintln!("exported {written} zones");
    Ok(())
}

/// Writes `count` questions for dnsperf: names and types across `zones`
/// zones, some of them names that do not exist (NXDOMAIN), in a fixed
/// pseudo-random order (the same file every run).
pub fn queries(path: &Path, zones: i64, count: usize) -> anyhow::Result<()> {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        // xorshift64*: enough to spread questions, and reproducible.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let mut out = String::with_capacity(count * 24);
    for _ in 0..count {
        let n = i64::try_from(next() % u64::try_from(zones.max(1))?)? + 1;
        let zone = zone_name(n);
        let line = match next() % 6 {
            0 => format!("www.{zone} A"),
            1 => format!("{zone} A"),
            2 => format!("{zone} MX"),
            3 => format!("{zone} TXT"),
            4 => format!("{zone} SOA"),
            _ => format!("nothing-{}.{zone} A", next() % 1000),
        };
        out.push_str(&line);
        out.push('\n');
    }
    std::fs::write(path, out)?;
    Ok(())
}
