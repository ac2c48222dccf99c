//! ACME DNS-01 through dynamic updates, with clients and a CA nobody here
//! wrote: Pebble (Let's Encrypt's test CA) validates by asking our
//! nameserver; lego (its `rfc2136` provider) and certbot (with
//! `certbot-dns-rfc2136`) put their challenge records with a zone's TSIG
//! key and take them away. Each obtains a certificate for a name and its
//! wildcard (two TXT records at one name at once), and afterwards the zone
//! holds no challenge record.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{require_tool, Backend, Package, TestApp};

use super::*;

/// A Pebble CA, run until dropped: its directory URL and its TLS
/// certificate's CA file.
struct Pebble {
    directory: String,
    ca: std::path::PathBuf,
    child: tokio::process::Child,
}

impl Drop for Pebble {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// A free loopback TCP port (bound, then let go).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port()
}

/// Starts Pebble in `dir`, validating DNS-01 by asking `127.0.0.1:dns_port`.
async fn pebble(dir: &Path, dns_port: u16) -> Pebble {
    crate::epp::pki::write(dir, &[]);
    let port = free_port();
    let config = json!({"pebble": {
        "listenAddress": format!("127.0.0.1:{port}"),
        "managementListenAddress": format!("127.0.0.1:{}", free_port()),
        "certificate": dir.join("server.pem"),
        "privateKey": dir.join("server.key"),
        "httpPort": free_port(),
        "tlsPort": free_port(),
        "ocspResponderURL": "",
        "externalAccountBindingRequired": false,
    }});
    let config_file = dir.join("pebble.json");
    std::fs::write(&config_file, config.to_string()).expect("config");
    let child = tokio::process::Command::new(require_tool("pebble", Package::Debian("pebble")))
        .arg("-config")
        .arg(&config_file)
        .args(["-dnsserver", &format!("127.0.0.1:{dns_port}")])
        // No random waits before validating, no nonces refused at random.
        .env("PEBBLE_VA_NOSLEEP", "1")
        .env("PEBBLE_WFE_NONCEREJECT", "0")
        .env("PEBBLE_AUTHZREUSE", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("pebble");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(std::time::Instant::now() < deadline, "pebble did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Pebble {
        directory: format!("https://127.0.0.1:{port}/dir"),
        ca: dir.join("ca.pem"),
        child,
    }
}

/// A domain served by our nameserver, its TSIG key (name, secret), the
/// nameserver, and Pebble asking it.
async fn setup(app: &TestApp, name: &str, dir: &Path) -> (i64, String, String, Nameserver, Pebble) {
    let id = app.active(name).await;
    let (status, key) = app
        .post(
            &format!("/api/v1/domains/{id}/dns/tsig-keys/"),
            json!({"name": "acme"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    let ns = nameserver(app).await;
    let pebble = pebble(dir, ns.port).await;
    (
        id,
        key["name"].as_str().expect("name").to_owned(),
        key["secret"].as_str().expect("secret").to_owned(),
        ns,
        pebble,
    )
}

/// The zone's records named `_acme-challenge`, as the API lists them.
async fn challenges(app: &TestApp, id: i64) -> serde_json::Value {
    let (_, page) = app
        .get(&format!(
            "/api/v1/domains/{id}/dns/records/?name=_acme-challenge"
        ))
        .await;
    page["results"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lego_gets_a_wildcard_certificate_by_dns_01_sqlite() {
    lego_gets_a_wildcard_certificate_by_dns_01(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lego_gets_a_wildcard_certificate_by_dns_01_postgres() {
    lego_gets_a_wildcard_certificate_by_dns_01(Backend::Postgres).await;
}

async fn lego_gets_a_wildcard_certificate_by_dns_01(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let dir = tempfile::tempdir().expect("dir");
    let (id, key, secret, ns, pebble) = setup(&app, "acme-lego.com", dir.path()).await;
    let out = tokio::process::Command::new(require_tool("lego", Package::Debian("lego")))
        .args([
            "--accept-tos",
            "--email",
            "hostmaster@acme-lego.com",
            "--server",
            &pebble.directory,
            "--dns",
            "rfc2136",
            "--dns.disable-cp",
            "--dns.resolvers",
            &format!("127.0.0.1:{}", ns.port),
            "--domains",
            "acme-lego.com",
            "--domains",
            "*.acme-lego.com",
            "--path",
        ])
        .arg(dir.path().join("lego"))
        .arg("run")
        .env("LEGO_CA_CERTIFICATES", &pebble.ca)
        .env("RFC2136_NAMESERVER", format!("127.0.0.1:{}", ns.port))
        .env("RFC2136_TSIG_KEY", format!("{key}."))
        .env("RFC2136_TSIG_SECRET", &secret)
        .env("RFC2136_TSIG_ALGORITHM", "hmac-sha256.")
        .env("RFC2136_PROPAGATION_TIMEOUT", "30")
        .env("RFC2136_POLLING_INTERVAL", "1")
        // The wildcard and the name share one challenge name: lego solves
        // them one after another, 60 s apart unless told.
        .env("RFC2136_SEQUENCE_INTERVAL", "1")
        .stdin(Stdio::null())
        .output();
    let out = tokio::time::timeout(Duration::from_secs(120), out)
        .await
        .expect("lego finishes")
        .expect("lego runs");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "lego failed:\n{log}");
    let cert = std::fs::read_to_string(dir.path().join("lego/certificates/acme-lego.com.crt"))
        .expect("the certificate");
    assert!(cert.contains("BEGIN CERTIFICATE"), "{cert}");
    assert_eq!(challenges(&app, id).await, json!([]), "{log}");
    drop((ns, pebble));
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certbot_gets_a_wildcard_certificate_by_dns_01_sqlite() {
    certbot_gets_a_wildcard_certificate_by_dns_01(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certbot_gets_a_wildcard_certificate_by_dns_01_postgres() {
    certbot_gets_a_wildcard_certificate_by_dns_01(Backend::Postgres).await;
}

async fn certbot_gets_a_wildcard_certificate_by_dns_01(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let dir = tempfile::tempdir().expect("dir");
    let (id, key, secret, ns, pebble) = setup(&app, "acme-certbot.com", dir.path()).await;
    let credentials = dir.path().join("rfc2136.ini");
    std::fs::write(
        &credentials,
        format!(
            "dns_rfc2136_server = 127.0.0.1\ndns_rfc2136_port = {}\ndns_rfc2136_name = {key}.\ndns_rfc2136_secret = {secret}\ndns_rfc2136_algorithm = HMAC-SHA256\n",
            ns.port
        ),
    )
    .expect("credentials");
    // certbot refuses credentials others may read.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&credentials, std::fs::Permissions::from_mode(0o600))
            .expect("chmod");
    }
    let work = dir.path().join("certbot");
    let out = tokio::process::Command::new(require_tool(
        "certbot",
        Package::Debian("certbot python3-certbot-dns-rfc2136"),
    ))
    .args([
        "certonly",
        "--non-interactive",
        "--agree-tos",
        "--email",
        "hostmaster@acme-certbot.com",
        "--no-eff-email",
        "--server",
        &pebble.directory,
        "--dns-rfc2136",
        "--dns-rfc2136-propagation-seconds",
        "1",
        "-d",
        "acme-certbot.com",
        "-d",
        "*.acme-certbot.com",
        "--dns-rfc2136-credentials",
    ])
    .arg(&credentials)
    .arg("--config-dir")
    .arg(work.join("config"))
    .arg("--work-dir")
    .arg(work.join("work"))
    .arg("--logs-dir")
    .arg(work.join("logs"))
    .env("REQUESTS_CA_BUNDLE", &pebble.ca)
    .stdin(Stdio::null())
    .output();
    let out = tokio::time::timeout(Duration::from_secs(180), out)
        .await
        .expect("certbot finishes")
        .expect("certbot runs");
    let log = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "certbot failed:\n{log}");
    let cert = std::fs::read_to_string(work.join("config/live/acme-certbot.com/fullchain.pem"))
        .expect("the certificate");
    assert!(cert.contains("BEGIN CERTIFICATE"));
    assert_eq!(challenges(&app, id).await, json!([]), "{log}");
    drop((ns, pebble));
    app.finish().await;
}
