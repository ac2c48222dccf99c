//! Installation R: a `vpsd registry serve-epp` process over its own
//! database, with two registrars (registrar-a, registrar-b), read back
//! through its store and driven as registrar-b with an independent EPP
//! client (instant-epp).

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use instant_epp::client::RustlsConnector;
use instant_epp::domain::DomainTransfer;
use instant_epp::login::Login;
use instant_epp::EppClient;
use tokio::io::AsyncBufReadExt;
use vpsd_registry::RegistryRecord;
use vpsd_storage::Store;

use crate::cluster::vpsd;
use crate::helpers::{fresh_database, Backend};

/// registrar-a's EPP password at R (checked to be absent from every log).
pub const PASSWORD_A: &str = "pw-A-9f3k2x";
const PASSWORD_B: &str = "pw-B-7h1m4q";

pub struct Remote {
    child: tokio::process::Child,
    pub addr: std::net::SocketAddr,
    pub database_url: String,
    store: Arc<dyn Store>,
    dir: tempfile::TempDir,
}

impl Remote {
    /// R on a fresh database of `backend`, serving EPP on a free port.
    pub async fn start(backend: Backend) -> Remote {
        let dir = tempfile::tempdir().expect("dir");
        let database_url = fresh_database(backend, dir.path()).await;
        super::pki::write(dir.path(), &["registrar-a", "registrar-b"]);
        for (name, pw) in [("registrar-a", PASSWORD_A), ("registrar-b", PASSWORD_B)] {
            let file = dir.path().join(format!("{name}.password"));
            std::fs::write(&file, pw).expect("write");
            vpsd(
                &database_url,
                &[
                    "registry",
                    "registrar",
                    "add",
                    name,
                    "--password-file",
                    file.to_str().expect("path"),
                ],
            );
        }
        let (child, addr) = Self::serve(dir.path(), &database_url, "127.0.0.1:0", &[]).await;
        let store = vpsd_storage::connect(&database_url)
            .await
            .expect("R's store");
        Remote {
            child,
            addr,
            database_url,
            store,
            dir,
        }
    }

    /// Kills R at once (SIGKILL: no goodbye to its sessions).
    pub async fn kill(&mut self) {
        let _ = self.child.kill().await;
    }

    /// Starts R again on the same address and database.
    pub async fn restart(&mut self) {
        self.restart_with(&[]).await;
    }

    /// Starts R again with `serve-epp`'s extra `args` (`--crash-after X`).
    pub async fn restart_with(&mut self, args: &[&str]) {
        let _ = self.child.kill().await;
        let listen = self.addr.to_string();
        let (child, _) = Self::serve(self.dir.path(), &self.database_url, &listen, args).await;
        self.child = child;
    }

    /// Waits until R's process has ended (a `--crash-after` exit).
    pub async fn wait_exit(&mut self) {
        tokio::time::timeout(Duration::from_secs(10), self.child.wait())
            .await
            .expect("R exited in time")
            .expect("wait");
    }

    async fn serve(
        dir: &std::path::Path,
        database_url: &str,
        listen: &str,
        args: &[&str],
    ) -> (tokio::process::Child, std::net::SocketAddr) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("r.log"))
            .expect("log");
        let path = |f: &str| dir.join(f).to_str().expect("path").to_owned();
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpsd"))
            .args(["registry", "serve-epp", "--listen", listen])
            .args([
                "--tls-cert",
                &path("server.pem"),
                "--tls-key",
                &path("server.key"),
            ])
            .args(["--client-ca", &path("ca.pem")])
            .args(args)
            .env("VPSD_DATABASE_URL", database_url)
            .env("RUST_LOG", "debug")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .kill_on_drop(true)
            .spawn()
            .expect("vpsd registry serve-epp");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
            .await
            .expect("R printed its address in time")
            .expect("read")
            .expect("a line");
        let addr = line
            .strip_prefix("EPP listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .parse()
            .expect("address");
        (child, addr)
    }

    /// A registries file sending .com and .net to R as `client` (whose
    /// certificate and password R knows).
    pub fn registries_file(&self, client: &str) -> PathBuf {
        self.registries_file_with(client, "")
    }

    /// [`Remote::registries_file`] with `extra` lines in the registry's
    /// table (`contacts = "required"`).
    pub fn registries_file_with(&self, client: &str, extra: &str) -> PathBuf {
        let file = self.dir.path().join(format!("{client}.registries.toml"));
        std::fs::write(
            &file,
            format!(
                r#"[[registry]]
name = "r"
tlds = ["com", "net"]
host = "127.0.0.1"
port = {port}
client_id = "{client}"
password_file = "{client}.password"
certificate = "{client}.pem"
key = "{client}.key"
ca = "ca.pem"
sessions = 2
commands_per_second = 1000
timeout_seconds = 10
poll_seconds = 0
{extra}
"#,
                port = self.addr.port()
            ),
        )
        .expect("write");
        file
    }

    /// Removes `name` from R's registry behind everyone's back (R's
    /// operator, or a database that never matched).
    pub async fn forget(&self, name: &str, sponsor: &str) {
        assert!(self
            .store
            .registry_delete(name, sponsor)
            .await
            .expect("R's registry"));
    }

    /// The name as R's registry has it.
    pub async fn record(&self, name: &str) -> Option<RegistryRecord> {
        self.store.registry_get(name).await.expect("R's registry")
    }

    /// The contacts `name` links at R (RFC 5731 §2.2).
    pub async fn contacts(&self, name: &str) -> vpsd_registry::RegistryDomainContacts {
        self.store
            .registry_domain_contacts(name)
            .await
            .expect("R's registry")
    }

    /// The contact object `id` as R's registry has it (RFC 5733).
    pub async fn contact(&self, id: &str) -> Option<vpsd_registry::RegistryContactObject> {
        self.store
            .registry_contact_get(id)
            .await
            .expect("R's registry")
    }

    /// The host object as R's registry has it (RFC 5732).
    pub async fn host(&self, name: &str) -> Option<vpsd_storage::RegistryHost> {
        self.store
            .registry_host_get(name)
            .await
            .expect("R's registry")
    }

    /// The name as deleted and kept by R's registry (RFC 3915), if it is.
    pub async fn deleted(&self, name: &str) -> Option<vpsd_storage::DeletedName> {
        self.store
            .registry_deleted(name)
            .await
            .expect("R's registry")
    }

    /// How many change poll messages (RFC 8590) R holds for `client`.
    pub async fn change_messages(&self, client: &str) -> i64 {
        self.store
            .registry_change_first(client)
            .await
            .expect("R's change queue")
            .1
    }

    /// Puts `name` at R, sponsored by `registrar`, created 90 days ago (so
    /// it may be transferred).
    pub async fn hold(&self, name: &str, registrar: &str, auth_code: &str) {
        let created = (chrono::Utc::now() - chrono::Duration::days(90)).to_rfc3339();
        vpsd(
            &self.database_url,
            &[
                "registry",
                "add",
                name,
                "--registrar",
                registrar,
                "--auth-code",
                auth_code,
                "--created",
                &created,
            ],
        );
    }

    /// A TLS connection to R as `client` (its certificate), greeted, not
    /// logged in.
    async fn connect(&self, client: &str) -> EppClient<RustlsConnector> {
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let file = |f: String| self.dir.path().join(f);
        let mut roots = rustls::RootCertStore::empty();
        for ca in CertificateDer::pem_file_iter(file("ca.pem".into())).expect("ca") {
            roots.add(ca.expect("ca")).expect("root");
        }
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(file(format!("{client}.pem")))
                .expect("cert")
                .collect::<Result<_, _>>()
                .expect("cert");
        let key = PrivateKeyDer::from_pem_file(file(format!("{client}.key"))).expect("key");
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_client_auth_cert(certs, key)
        .expect("identity");
        let connector = RustlsConnector::builder(("127.0.0.1".to_owned(), self.addr.port()))
            .expect("name")
            .build_with_config(Arc::new(config));
        EppClient::new(connector, client.to_owned(), Duration::from_secs(10))
            .await
            .expect("connect to R")
    }

    /// An EPP session at R as `client`, over TLS with its certificate,
    /// logged in with its password.
    pub async fn session(&self, client: &str) -> EppClient<RustlsConnector> {
        let password = if client == "registrar-a" {
            PASSWORD_A
        } else {
            PASSWORD_B
        };
        let mut session = self.connect(client).await;
        session
            .transact(&Login::new(client, password, None, None), "test-login")
            .await
            .expect("login");
        session
    }

    /// The result code of `client`'s login at R with `password`.
    pub async fn login_code(&self, client: &str, password: &str) -> u16 {
        let mut c = self.connect(client).await;
        match c
            .transact(&Login::new(client, password, None, None), "test-login")
            .await
        {
            Ok(rsp) => rsp.result.code as u16,
            Err(instant_epp::Error::Command(status)) => status.result.code as u16,
            Err(e) => panic!("login: {e}"),
        }
    }

    /// `vpsd registry registrar password` on R; its exit status and stderr.
    pub fn set_password(&self, client: &str, password: &str) -> (bool, String) {
        let file = self.dir.path().join(format!("{client}.new-password"));
        std::fs::write(&file, format!("{password}\n")).expect("write");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_vpsd"))
            .args([
                "registry",
                "registrar",
                "password",
                client,
                "--password-file",
            ])
            .arg(&file)
            .env("VPSD_DATABASE_URL", &self.database_url)
            .env("RUST_LOG", "warn")
            .output()
            .expect("run vpsd");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// `client`, the losing registrar, rejects the pending transfer.
    pub async fn reject_as(&self, client: &str, name: &str) {
        let mut session = self.session(client).await;
        session
            .transact(&DomainTransfer::reject(name), "test-reject")
            .await
            .expect("reject");
    }

    /// `client`, the losing registrar, approves the pending transfer.
    pub async fn approve_as(&self, client: &str, name: &str) {
        let mut session = self.session(client).await;
        session
            .transact(&DomainTransfer::approve(name), "test-approve")
            .await
            .expect("approve");
    }

    /// `client` asks R for `name` with `auth_code` (RFC 5731 §3.2.4): the
    /// result code.
    pub async fn request_as(&self, client: &str, name: &str, auth_code: &str) -> u16 {
        let mut session = self.session(client).await;
        match session
            .transact(&DomainTransfer::new(name, None, auth_code), "test-request")
            .await
        {
            Ok(rsp) => rsp.result.code as u16,
            Err(instant_epp::Error::Command(status)) => status.result.code as u16,
            Err(e) => panic!("transfer request: {e}"),
        }
    }

    /// `client`, the gaining registrar, withdraws its request.
    pub async fn cancel_as(&self, client: &str, name: &str) {
        let mut session = self.session(client).await;
        session
            .transact(&DomainTransfer::cancel(name), "test-cancel")
            .await
            .expect("cancel");
    }

    /// Drains `client`'s poll queue at R over EPP (`<poll op="req">`, then
    /// `op="ack"` of each, RFC 5730 §2.9.2.3): each transfer message's name
    /// and trStatus, oldest first.
    pub async fn poll_transfers_as(&self, client: &str) -> Vec<(String, String)> {
        use instant_epp::poll::{Ack, Poll, PollData};
        let mut session = self.session(client).await;
        let mut seen = Vec::new();
        for _ in 0..100 {
            let rsp = session.transact(&Poll, "test-poll").await.expect("poll");
            let Some(queue) = rsp.message_queue() else {
                return seen;
            };
            let id = queue.id.clone();
            if let Some(PollData::DomainTransfer(t)) = rsp.res_data() {
                seen.push((t.name.clone(), t.transfer_status.clone()));
            }
            session
                .transact(&Ack { message_id: &id }, "test-ack")
                .await
                .expect("ack");
        }
        panic!("{client}'s queue at R does not drain: {seen:?}");
    }

    /// Moves R's clock (its sandbox clock) forward by `by` (`61d`).
    pub fn advance(&self, by: &str) {
        vpsd(&self.database_url, &["sandbox", "clock", "advance", by]);
        // R's server copies the offset every 100 ms.
        std::thread::sleep(Duration::from_millis(300));
    }

    /// Runs `pyepp_session.py` against R (as registrar-b, then registrar-a)
    /// for `name`, with `taken` held by registrar-b for 90 days already
    /// under `taken_code` (registrar-a asks for it); its JSON lines.
    pub async fn run_pyepp(
        &self,
        name: &str,
        taken: &str,
        taken_code: &str,
    ) -> Vec<serde_json::Value> {
        let file = |f: &str| self.dir.path().join(f).to_str().expect("path").to_owned();
        let who = |login: &str, password: &str| {
            serde_json::json!({
                "cert": file(&format!("{login}.pem")),
                "key": file(&format!("{login}.key")),
                "login": login,
                "password": password,
            })
        };
        let config = serde_json::json!({
            "host": "127.0.0.1",
            "port": self.addr.port(),
            "name": name,
            "taken": taken,
            "taken_code": taken_code,
            "a": who("registrar-a", PASSWORD_A),
            "b": who("registrar-b", PASSWORD_B),
        });
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/api/epp/pyepp_session.py"
        );
        let out = tokio::process::Command::new("python3")
            .arg(script)
            .arg(config.to_string())
            // Python's ssl trusts the CA of this test only.
            .env("SSL_CERT_FILE", file("ca.pem"))
            .env_remove("SSL_CERT_DIR")
            .output()
            .await
            .expect("python3");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "pyepp session failed: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    }

    /// Stops R and returns its log.
    pub async fn stop(mut self) -> String {
        let _ = self.child.kill().await;
        std::fs::read_to_string(self.dir.path().join("r.log")).expect("log")
    }
}
