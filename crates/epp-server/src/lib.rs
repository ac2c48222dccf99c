//! The embedded sandbox registry served to registrars over EPP.
//!
//! - Transport (RFC 5734): TLS 1.2 or later over TCP, a client certificate
//!   required and verified against the operator's CA ([`tls_config`]); each
//!   EPP data unit framed by a 4-byte big-endian total length (header
//!   included), at most [`MAX_FRAME`] bytes (`frame.rs`).
//! - Session (RFC 5730 §2): a `<greeting>` on connect, `<hello>`, `<login>`
//!   checked against the registrar's argon2 password hash
//!   (`registry_registrars`, `vpsd registry registrar add`), `<logout>`,
//!   `<poll>` (`session.rs`).
//! - Objects: domains (RFC 5731) and hosts (RFC 5732) of the
//!   [`SandboxRegistry`](vpsd_registry::SandboxRegistry), acting for the
//!   logged-in registrar (`domain.rs`, `host.rs`).
//! - Requests are parsed with roxmltree (no DTD, so no entity expansion);
//!   answers are written with every text escaped (`response.rs`).
//!
//! Transfers the losing registrar leaves unanswered are approved by the
//! registry lazily (`serverApproved`): before any command about a name, and
//! before a poll, due transfers are settled at the installation's clock.
//! Passwords and authInfo are never logged.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;

use tokio_rustls::TlsAcceptor;
use vpsd_domain::Clock;
use vpsd_storage::RegistryStore;

mod contact;
mod domain;
mod frame;
mod host;
mod password;
mod response;
mod session;

pub use frame::MAX_FRAME;
pub use password::{hash_password, valid_password};
/// The TLS library the server uses (its `ServerConfig` is what [`tls_config`] makes).
pub use tokio_rustls::rustls;

/// The EPP namespace (RFC 5730 §2).
pub const EPP_NS: &str = "urn:ietf:params:xml:ns:epp-1.0";
/// The domain mapping's namespace (RFC 5731).
pub const DOMAIN_NS: &str = "urn:ietf:params:xml:ns:domain-1.0";
/// The host mapping's namespace (RFC 5732).
pub const HOST_NS: &str = "urn:ietf:params:xml:ns:host-1.0";
/// The contact mapping's namespace (RFC 5733).
pub const CONTACT_NS: &str = "urn:ietf:params:xml:ns:contact-1.0";
/// The redemption grace period extension's namespace (RFC 3915).
pub const RGP_NS: &str = "urn:ietf:params:xml:ns:rgp-1.0";
/// The change poll extension (RFC 8590 §5): `<changePoll:changeData>` in
/// poll messages about changes the registry made by itself.
pub const CHANGE_POLL_NS: &str = "urn:ietf:params:xml:ns:changePoll-1.0";
/// Verisign's namestore extension (namestoreExt-1.1): the sub-product
/// (`dotCOM`, `dotNET`, ...) a domain or host command is for.
pub const NAMESTORE_NS: &str = "http://www.verisign-grs.com/epp/namestoreExt-1.1";
/// The fee extension's namespace (RFC 8748).
pub use vpsd_registry::FEE_NS;

/// What the server needs: the registry's store, the installation's clock
/// (the sandbox clock, so `vpsd sandbox clock advance` moves it), and how
/// long a transfer waits for the losing registrar.
#[derive(Debug, Clone)]
pub struct EppServer {
    /// The sandbox registry's tables.
    pub store: Arc<dyn RegistryStore>,
    /// The registry's time.
    pub clock: Arc<dyn Clock>,
    /// How long a transfer waits before the registry approves it
    /// (`serverApproved`, RFC 5731 §3.2.4).
    pub transfer_delay: chrono::Duration,
    /// The server's name in the greeting (`<svID>`).
    pub server_id: String,
    /// How long a session may stay silent before it is closed (RFC 5734
    /// §2 leaves it to the server).
    pub idle_timeout: Duration,
    /// A fault to play for registrars under test (`--crash-after`): the
    /// command named (`domain:create`, `domain:renew`, ...) is carried out
    /// and committed, then the process exits before answering it, as a
    /// registry that crashed mid-command would. `None` in normal service.
    pub crash_after: Option<String>,
    /// A fault to play for registrars under test (`--crash-before`): the
    /// process exits as soon as the command named arrives, before carrying
    /// it out, as a registry that crashed on receiving it would (the
    /// registrar's answer is lost; nothing changed). `None` in normal
    /// service.
    pub crash_before: Option<String>,
    /// Whether every domain and host command must carry Verisign's
    /// namestore extension with the sub-product of its name's TLD
    /// (`--require-namestore`), as Verisign's .com/.net registry does:
    /// without it 2003, with another sub-product 2306. Off by default (the
    /// extension is announced and checked when given).
    pub require_namestore: bool,
    /// How long a connection has, from its TCP accept, to log in; then it
    /// is closed (whatever it sent meanwhile, `<hello>` included).
    pub login_timeout: Duration,
    /// Connections served at once; one more is closed at accept, before
    /// its TLS handshake.
    pub max_connections: usize,
    /// Sessions one registrar (clID) may have at once; the login of one
    /// more is answered 2502 and its connection closed (RFC 5730 §3).
    pub sessions_per_registrar: usize,
    /// Failed logins of one clID, across connections, after which its
    /// logins are refused (2501) for [`EppServer::lockout`].
    pub max_login_failures: u32,
    /// How long a clID stays locked out after its last failed login.
    pub lockout: Duration,
    shared: Arc<session::Shared>,
}

impl EppServer {
    /// A server of `store`'s registry at `clock`'s time.
    pub fn new(
        store: Arc<dyn RegistryStore>,
        clock: Arc<dyn Clock>,
        transfer_delay: chrono::Duration,
    ) -> Self {
        Self {
            store,
            clock,
            transfer_delay,
            server_id: "vpsd sandbox registry".to_owned(),
            idle_timeout: Duration::from_secs(600),
            crash_after: None,
            crash_before: None,
            require_namestore: false,
            login_timeout: Duration::from_secs(60),
            max_connections: 256,
            sessions_per_registrar: 8,
            max_login_failures: 5,
            lockout: Duration::from_secs(300),
            shared: Arc::default(),
        }
    }

    /// Accepts connections on `listener` until the task is dropped: each one
    /// a TLS handshake with a client certificate (`tls`), then an EPP
    /// session of its own. A refused handshake is logged and closed.
    ///
    /// Errors: only when accepting fails for good (the listener's I/O error).
    pub async fn serve(
        self,
        listener: TcpListener,
        tls: Arc<rustls::ServerConfig>,
    ) -> std::io::Result<()> {
        let acceptor = TlsAcceptor::from(tls);
        let slots = Arc::new(tokio::sync::Semaphore::new(self.max_connections));
        let server = Arc::new(self);
        loop {
            let (tcp, peer) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) if is_transient(&e) => {
                    tracing::warn!(error = %e, "accepting an EPP connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
                Err(e) => return Err(e),
            };
            let Ok(slot) = slots.clone().try_acquire_owned() else {
                tracing::warn!(%peer, limit = server.max_connections,
                    "EPP connection refused: too many connections");
                drop(tcp);
                continue;
            };
            let acceptor = acceptor.clone();
            let server = server.clone();
            tokio::spawn(async move {
                server.connection(acceptor, tcp, peer).await;
                drop(slot);
            });
        }
    }

    async fn connection(
        self: Arc<Self>,
        acceptor: TlsAcceptor,
        tcp: tokio::net::TcpStream,
        peer: SocketAddr,
    ) {
        let accepted = tokio::time::Instant::now();
        let handshake = tokio::time::timeout(
            self.login_timeout.min(Duration::from_secs(30)),
            acceptor.accept(tcp),
        )
        .await;
        let stream = match handshake {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => {
                tracing::info!(%peer, error = %e, "EPP TLS handshake refused");
                return;
            }
            Err(_) => {
                tracing::info!(%peer, "EPP TLS handshake timed out");
                return;
            }
        };
        if let Err(e) = session::run(&self, stream, peer, accepted).await {
            tracing::info!(%peer, error = %e, "EPP session ended with an error");
        }
    }
}

/// Whether an accept error concerns only one connection (the loop goes on).
fn is_transient(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionAborted | ConnectionReset | Interrupted | WouldBlock
    ) || e.raw_os_error() == Some(24) // EMFILE: out of descriptors for now
}

/// The TLS configuration RFC 5734 §9 asks for: TLS 1.2 or 1.3, the server's
/// certificate chain and key, and a client certificate required and
/// verified against `client_ca` (each a PEM text).
///
/// Errors: a PEM without a certificate or key, or one rustls refuses (the
/// error says which file's content).
pub fn tls_config(
    cert_pem: &[u8],
    key_pem: &[u8],
    client_ca_pem: &[u8],
) -> anyhow::Result<rustls::ServerConfig> {
    let certs = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .context("the server certificate file is not PEM certificates")?;
    if certs.is_empty() {
        anyhow::bail!("the server certificate file holds no certificate");
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem)
        .context("the server key file holds no PEM private key")?;
    let mut roots = rustls::RootCertStore::empty();
    let mut cas = 0;
    for ca in CertificateDer::pem_slice_iter(client_ca_pem) {
        let ca = ca.context("the client CA file is not PEM certificates")?;
        roots
            .add(ca)
            .context("the client CA file holds a certificate rustls refuses")?;
        cas += 1;
    }
    if cas == 0 {
        anyhow::bail!("the client CA file holds no certificate");
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .context("the client CA cannot verify client certificates")?;
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .context("TLS 1.2 and 1.3")?
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs, key)
        .context("the server certificate and key do not go together")?;
    Ok(config)
}
