//! A domain's life through `vps`, and the `--wait` spinner on a terminal.

use std::time::Duration;

use crate::helpers::{held_elsewhere, server, server_with, vps};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_domain_life_through_vps() {
    let s = server(Duration::from_secs(1)).await;

    // Register and wait: the command returns when the domain is active.
    let d = vps(
        &s,
        &[
            "--json",
            "domains",
            "register",
            "cli-life.com",
            "--years",
            "2",
            "--wait",
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(d["domain_name"], "cli-life.com");
    assert_eq!(d["status"], "active");
    let id = d["id"].as_i64().expect("id");

    // People get a table; scripts get JSON.
    let table = vps(&s, &["domains", "list"]).await.ok().stdout;
    assert!(
        table.contains("cli-life.com") && table.contains("NAME"),
        "{table}"
    );
    let list = vps(&s, &["--json", "domains", "list", "--search", "life"])
        .await
        .ok()
        .json();
    assert_eq!(list[0]["id"], id);
    let shown = vps(&s, &["domains", "get", "cli-life.com"])
        .await
        .ok()
        .stdout;
    assert!(
        shown.contains("registrar") && shown.contains("VPS.org"),
        "{shown}"
    );

    // Settings, by name or by id.
    let u = vps(
        &s,
        &[
            "--json",
            "domains",
            "update",
            "cli-life.com",
            "--auto-renew",
            "false",
            "--locked",
            "false",
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(u["auto_renew"], false);
    assert_eq!(u["locked"], false);

    // DNS records and forwards.
    let r = vps(
        &s,
        &[
            "--json",
            "dns",
            "records",
            "add",
            "cli-life.com",
            "--type",
            "A",
            "--name",
            "www",
            "--content",
            "192.0.2.5",
            "--ttl",
            "300",
        ],
    )
    .await
    .ok()
    .json();
    let record = r["id"].as_i64().expect("record id").to_string();
    let records = vps(&s, &["dns", "records", "list", &id.to_string()])
        .await
        .ok()
        .stdout;
    assert!(records.contains("192.0.2.5"), "{records}");
    let r = vps(
        &s,
        &[
            "--json",
            "dns",
            "records",
            "update",
            "cli-life.com",
            &record,
            "--content",
            "192.0.2.6",
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(r["content"], "192.0.2.6");
    // TSIG keys: made (the secret once, with nsupdate's -y), listed
    // without it, a bad algorithm named by its flag, deleted.
    let made = vps(&s, &["dns", "keys", "create", "cli-life.com", "acme"])
        .await
        .ok()
        .stdout;
    assert!(
        made.contains("nsupdate  -y hmac-sha256:acme.cli-life.com:"),
        "{made}"
    );
    let secret = made
        .lines()
        .find_map(|l| l.strip_prefix("secret    "))
        .expect("secret line")
        .to_owned();
    let listed = vps(&s, &["--json", "dns", "keys", "list", "cli-life.com"])
        .await
        .ok();
    assert!(!listed.stdout.contains(&secret), "{}", listed.stdout);
    let key_id = listed.json()[0]["id"].as_i64().expect("id").to_string();
    let bad = vps(
        &s,
        &[
            "dns",
            "keys",
            "create",
            "cli-life.com",
            "k2",
            "--algorithm",
            "hmac-md5",
        ],
    )
    .await;
    assert_ne!(bad.code, 0);
    assert!(bad.stderr.contains("--algorithm"), "{}", bad.stderr);
    vps(&s, &["dns", "keys", "delete", "cli-life.com", &key_id])
        .await
        .ok();
    let listed = vps(&s, &["--json", "dns", "keys", "list", "cli-life.com"])
        .await
        .ok()
        .json();
    assert_eq!(listed.as_array().map(Vec::len), Some(0));
    // The zone as a file: out, then a file in (faults by line, then good).
    let zone = vps(&s, &["dns", "zone", "export", "cli-life.com"])
        .await
        .ok()
        .stdout;
    assert!(
        zone.contains("www.cli-life.com. 300 IN A 192.0.2.6"),
        "{zone}"
    );
    assert!(zone.contains(" IN SOA "), "{zone}");
    let file = s.dir.path().join("cli-life.zone");
    std::fs::write(&file, "mail A 192.0.2.7\nbad A 192.0.2.999\n").expect("write");
    let path = file.to_str().expect("path");
    let refused = vps(&s, &["dns", "zone", "import", "cli-life.com", path]).await;
    assert_ne!(refused.code, 0);
    assert!(refused.stderr.contains("line 2"), "{}", refused.stderr);
    std::fs::write(&file, format!("{zone}mail A 192.0.2.7\n")).expect("write");
    let done = vps(
        &s,
        &["--json", "dns", "zone", "import", "cli-life.com", path],
    )
    .await
    .ok()
    .json();
    assert_eq!(
        (&done["added"], &done["unchanged"]),
        (&serde_json::json!(1), &serde_json::json!(1)),
        "{done}"
    );
    let done = vps(
        &s,
        &["dns", "zone", "import", "cli-life.com", path, "--replace"],
    )
    .await
    .ok();
    assert!(
        done.stdout
            .contains("added 0, updated 0, deleted 0, unchanged 2"),
        "{}",
        done.stdout
    );
    let mail = vps(
        &s,
        &[
            "--json",
            "dns",
            "records",
            "list",
            "cli-life.com",
            "--name",
            "mail",
        ],
    )
    .await
    .ok()
    .json();
    let mail_id = mail[0]["id"].as_i64().expect("id").to_string();
    vps(&s, &["dns", "records", "delete", "cli-life.com", &mail_id])
        .await
        .ok();
    vps(&s, &["dns", "records", "delete", "cli-life.com", &record])
        .await
        .ok();
    let e = vps(
        &s,
        &[
            "--json",
            "email-forwards",
            "add",
            "cli-life.com",
            "info",
            "me@example.net",
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(e["address"], "info@cli-life.com");
    let emails = vps(&s, &["email-forwards", "list", "cli-life.com"])
        .await
        .ok()
        .stdout;
    assert!(emails.contains("me@example.net"), "{emails}");
    let u = vps(
        &s,
        &[
            "--json",
            "url-forwards",
            "add",
            "cli-life.com",
            "https://example.net/",
            "--host",
            "go",
            "--status-code",
            "302",
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(u["fqdn"], "go.cli-life.com");
    assert_eq!(u["status_code"], 302);

    // Its own name server, with glue at the registry.
    let h = vps(
        &s,
        &[
            "--json",
            "hosts",
            "create",
            "cli-life.com",
            "ns1.cli-life.com",
            "93.184.216.34",
            "2606:2800:220:1::1",
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(h["host_name"], "ns1.cli-life.com");
    let hosts = vps(&s, &["hosts", "list", "cli-life.com"])
        .await
        .ok()
        .stdout;
    assert!(
        hosts.contains("93.184.216.34, 2606:2800:220:1::1"),
        "{hosts}"
    );
    let h = vps(
        &s,
        &[
            "--json",
            "hosts",
            "update",
            "cli-life.com",
            "ns1.cli-life.com",
            "93.184.216.35",
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(h["ip_addresses"], serde_json::json!(["93.184.216.35"]));
    vps(&s, &["hosts", "delete", "cli-life.com", "ns1.cli-life.com"])
        .await
        .ok();
    let hosts = vps(&s, &["--json", "hosts", "list", "cli-life.com"])
        .await
        .ok()
        .json();
    assert_eq!(hosts, serde_json::json!([]));

    // Money: two years, then one more.
    let renewed = vps(&s, &["--json", "domains", "renew", "cli-life.com"])
        .await
        .ok()
        .json();
    assert_eq!(renewed["total_cost"], 12.99);
    let account = vps(&s, &["--json", "account"]).await.ok().json();
    let cents = (account["balance"].as_f64().expect("balance") * 100.0).round();
    assert_eq!(cents, 1_000_00.0 - 3.0 * 12_99.0);
    let ledger = vps(&s, &["--json", "account", "transactions"])
        .await
        .ok()
        .json();
    assert_eq!(ledger["results"][0]["type"], "renewal");
    let prices = vps(&s, &["--json", "pricing"]).await.ok().json();
    assert_eq!(prices["results"][0]["tld"], ".com");
    let check = vps(&s, &["--json", "check", "cli-life.com", "cli-free.net"])
        .await
        .ok()
        .json();
    assert_eq!(check["results"][0]["available"], false);
    assert_eq!(check["results"][1]["available"], true);

    // A name held at another registrar: import it, transfer it in, wait.
    held_elsewhere(&s, "cli-moving.org", "Move-Me-42").await;
    let imported = vps(&s, &["--json", "domains", "import", "cli-moving.org"])
        .await
        .ok()
        .json();
    assert_eq!(imported["registrar"], "Other Registrar LLC");
    let r = vps(
        &s,
        &[
            "domains",
            "transfer",
            "cli-moving.org",
            "--auth-code",
            "wrong",
        ],
    )
    .await;
    assert_eq!(r.code, 4, "{}", r.stderr);
    let moved = vps(
        &s,
        &[
            "--json",
            "domains",
            "transfer",
            "cli-moving.org",
            "--auth-code",
            "Move-Me-42",
            "--wait",
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(moved["transfer_status"], "completed");
    assert_eq!(moved["registrar"], "VPS.org");

    vps(&s, &["domains", "delete", "cli-life.com"]).await.ok();
    vps(&s, &["domains", "delete", "cli-moving.org"]).await.ok();
    let list = vps(&s, &["--json", "domains", "list"]).await.ok().json();
    assert_eq!(list, serde_json::json!([]));
}

/// `vps domains cancel` (a registration in its first 5 days) and `vps
/// domains transfer-cancel` (a pending transfer in), each refunded.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_through_vps() {
    let hour = Duration::from_secs(3600);
    let s = server_with(hour, hour).await;
    vps(&s, &["domains", "register", "cli-regret.com"])
        .await
        .ok();
    let r = vps(&s, &["domains", "cancel", "cli-regret.com"]).await.ok();
    assert!(r.stderr.contains("$12.99 refunded"), "{}", r.stderr);
    assert!(r.stderr.contains("Balance now $1000.00"), "{}", r.stderr);
    let list = vps(&s, &["--json", "domains", "list"]).await.ok().json();
    assert_eq!(list, serde_json::json!([]));

    held_elsewhere(&s, "cli-not-moving.org", "Stay-Put-7").await;
    vps(&s, &["domains", "import", "cli-not-moving.org"])
        .await
        .ok();
    vps(
        &s,
        &[
            "domains",
            "transfer",
            "cli-not-moving.org",
            "--auth-code",
            "Stay-Put-7",
        ],
    )
    .await
    .ok();
    let c = vps(
        &s,
        &["--json", "domains", "transfer-cancel", "cli-not-moving.org"],
    )
    .await
    .ok()
    .json();
    assert_eq!(c["transfer_status"], "cancelled");
    assert_eq!(c["refund"], 13.99);
    assert_eq!(c["balance"], 1000.0);
    // Nothing pending now: a 400, said in vps terms.
    let again = vps(&s, &["domains", "transfer-cancel", "cli-not-moving.org"]).await;
    assert_ne!(again.code, 0);
    assert!(
        again.stderr.contains("nothing to cancel"),
        "{}",
        again.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wait_spinner_shows_the_time_so_far() {
    let s = server(Duration::from_secs(2)).await;
    // On a terminal (`script` gives it one), as a person sees it.
    let command = format!(
        "{} domains register cli-spin.com --wait",
        env!("CARGO_BIN_EXE_vps")
    );
    let out = tokio::process::Command::new("script")
        .args(["-qefc", &command, "/dev/null"])
        .env("VPS_API_URL", &s.base)
        .env("VPS_API_TOKEN", &s.token)
        .env("VPS_CONFIG", s.dir.path().join("vps.toml"))
        .env("TERM", "xterm")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("script");
    let seen = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{seen}");
    assert!(
        seen.contains("cli-spin.com registering: pending (1s so far)"),
        "{seen}"
    );
}
