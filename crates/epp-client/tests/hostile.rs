//! A registry that misbehaves: a tiny TLS server made here (rustls, rcgen)
//! that stays silent after the handshake, answers garbage, closes in the
//! middle of an answer, announces an absurd frame length, or shows a
//! certificate the configured CA did not sign. Every command must fail
//! within the configured timeout, as "not sent" or "unknown" (never a
//! panic, never a hang), and the pool must still serve the next command.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use vpsd_epp_client::EppRegistry;
use vpsd_registry::{Registry, RegistryError};

const PASSWORD: &str = "hostile-pw-1";

/// What the hostile registry does with each connection.
#[derive(Clone, Copy, Debug)]
enum Behaviour {
    /// The TLS handshake, then nothing at all.
    Silent,
    /// A frame that is not XML instead of a greeting.
    Garbage,
    /// A greeting and a login answer, then half of the next answer and
    /// the connection closed.
    ClosesMidAnswer,
    /// A greeting, then a header announcing a 4 GiB answer.
    HugeLength,
    /// A greeting, then a header announcing 3 bytes (less than itself).
    ShortLength,
}

fn new_ca() -> (rcgen::Certificate, KeyPair) {
    let key = KeyPair::generate().expect("key");
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    (params.self_signed(&key).expect("ca"), key)
}

fn leaf(names: &[&str], ca: &rcgen::Certificate, ca_key: &KeyPair) -> (String, String) {
    let key = KeyPair::generate().expect("key");
    let params = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
        .expect("params");
    let cert = params.signed_by(&key, ca, ca_key).expect("sign");
    (cert.pem(), key.serialize_pem())
}

const GREETING: &str = r#"<?xml version="1.0" encoding="UTF-8"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><greeting><svID>hostile</svID><svDate>2030-01-01T00:00:00Z</svDate><svcMenu><version>1.0</version><lang>en</lang><objURI>urn:ietf:params:xml:ns:domain-1.0</objURI><objURI>urn:ietf:params:xml:ns:host-1.0</objURI></svcMenu><dcp><access><all/></access><statement><purpose><admin/><prov/></purpose><recipient><ours/></recipient><retention><stated/></retention></statement></dcp></greeting></epp>"#;

const LOGIN_OK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><response><result code="1000"><msg>ok</msg></result><trID><clTRID>x</clTRID><svTRID>hostile-1</svTRID></trID></response></epp>"#;

async fn frame<S: tokio::io::AsyncWrite + Unpin>(s: &mut S, xml: &str) -> std::io::Result<()> {
    let len = u32::try_from(xml.len() + 4).expect("small");
    s.write_all(&len.to_be_bytes()).await?;
    s.write_all(xml.as_bytes()).await?;
    s.flush().await
}

async fn read_frame<S: tokio::io::AsyncRead + Unpin>(s: &mut S) -> std::io::Result<Vec<u8>> {
    let mut h = [0u8; 4];
    s.read_exact(&mut h).await?;
    let mut data = vec![0u8; (u32::from_be_bytes(h) as usize).saturating_sub(4)];
    s.read_exact(&mut data).await?;
    Ok(data)
}

/// Serves `behaviour` on a loopback port with `server` as its TLS
/// identity; the port.
async fn hostile(behaviour: Behaviour, server: (String, String)) -> u16 {
    let certs = vec![CertificateDer::from_pem_slice(server.0.as_bytes()).expect("cert")];
    let key = PrivateKeyDer::from_pem_slice(server.1.as_bytes()).expect("key");
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .expect("server config");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let _ = play(behaviour, &mut tls).await;
                // Keep the connection open a while (the silent case).
                tokio::time::sleep(Duration::from_secs(60)).await;
            });
        }
    });
    port
}

async fn play<S>(behaviour: Behaviour, s: &mut S) -> std::io::Result<()>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    match behaviour {
        Behaviour::Silent => Ok(()),
        Behaviour::Garbage => frame(s, "\u{1}\u{2} not EPP at all <<<").await,
        Behaviour::ClosesMidAnswer => {
            frame(s, GREETING).await?;
            read_frame(s).await?;
            frame(s, LOGIN_OK).await?;
            read_frame(s).await?;
            s.write_all(&500u32.to_be_bytes()).await?;
            s.write_all(b"<?xml version=").await?;
            s.shutdown().await
        }
        Behaviour::HugeLength => {
            frame(s, GREETING).await?;
            read_frame(s).await?;
            frame(s, LOGIN_OK).await?;
            read_frame(s).await?;
            s.write_all(&u32::MAX.to_be_bytes()).await?;
            s.write_all(b"<epp>").await?;
            s.flush().await
        }
        Behaviour::ShortLength => {
            frame(s, GREETING).await?;
            read_frame(s).await?;
            frame(s, LOGIN_OK).await?;
            read_frame(s).await?;
            s.write_all(&3u32.to_be_bytes()).await?;
            s.write_all(b"<epp/>").await?;
            s.flush().await
        }
    }
}

/// An `EppRegistry` for .com at 127.0.0.1:`port`, trusting `ca_pem`,
/// with a one-second timeout.
fn registry_at(dir: &Path, port: u16, ca_pem: &str, client: &(String, String)) -> EppRegistry {
    std::fs::write(dir.join("ca.pem"), ca_pem).expect("write");
    std::fs::write(dir.join("client.pem"), &client.0).expect("write");
    std::fs::write(dir.join("client.key"), &client.1).expect("write");
    std::fs::write(dir.join("password"), PASSWORD).expect("write");
    let path = dir.join("registries.toml");
    let text = format!(
        r#"[[registry]]
name = "hostile"
tlds = ["com"]
host = "127.0.0.1"
port = {port}
client_id = "registrar-a"
password_file = "password"
certificate = "client.pem"
key = "client.key"
ca = "ca.pem"
sessions = 1
commands_per_second = 1000
timeout_seconds = 1
"#
    );
    std::fs::write(&path, text).expect("write");
    let config = vpsd_epp_client::config::load(&path)
        .expect("config")
        .pop()
        .expect("one");
    EppRegistry::new(config).expect("registry")
}

/// Runs `check` twice against `behaviour` (the second time on a fresh
/// session, so a hung first one would block it): each must fail as the
/// registry being unavailable, within a few timeouts.
async fn each_command_fails_in_time(behaviour: Behaviour) {
    let dir = tempfile::tempdir().expect("dir");
    let (ca, ca_key) = new_ca();
    let server = leaf(&["127.0.0.1", "localhost"], &ca, &ca_key);
    let client = leaf(&["registrar-a.test"], &ca, &ca_key);
    let port = hostile(behaviour, server).await;
    let registry = registry_at(dir.path(), port, &ca.pem(), &client);
    for attempt in 1..=2 {
        let started = Instant::now();
        let answer = tokio::time::timeout(Duration::from_secs(10), registry.check("x-y.com"))
            .await
            .unwrap_or_else(|_| panic!("{behaviour:?}: attempt {attempt} hung"));
        assert!(
            matches!(answer, Err(RegistryError::Unavailable(_))),
            "{behaviour:?}: attempt {attempt}: {answer:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{behaviour:?}: attempt {attempt} took {:?}",
            started.elapsed()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_silent_after_the_handshake_times_out() {
    each_command_fails_in_time(Behaviour::Silent).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_answering_garbage_is_unavailable() {
    each_command_fails_in_time(Behaviour::Garbage).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_closing_mid_answer_is_unavailable() {
    each_command_fails_in_time(Behaviour::ClosesMidAnswer).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_announcing_a_4_gib_answer_is_unavailable() {
    each_command_fails_in_time(Behaviour::HugeLength).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_announcing_a_frame_shorter_than_its_header_is_unavailable() {
    each_command_fails_in_time(Behaviour::ShortLength).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_certificate_from_another_ca_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let (ca, ca_key) = new_ca();
    let (other, other_key) = new_ca();
    // The server's certificate is signed by a CA the file does not name.
    let server = leaf(&["127.0.0.1", "localhost"], &other, &other_key);
    let client = leaf(&["registrar-a.test"], &ca, &ca_key);
    let port = hostile(Behaviour::ClosesMidAnswer, server).await;
    let registry = registry_at(dir.path(), port, &ca.pem(), &client);
    let answer = tokio::time::timeout(Duration::from_secs(10), registry.check("x-y.com"))
        .await
        .expect("no hang");
    let Err(RegistryError::Unavailable(e)) = answer else {
        panic!("refused: {answer:?}");
    };
    let mut chain = format!("{e}");
    let mut source = e.source();
    while let Some(s) = source {
        chain.push_str(&format!(": {s}"));
        source = s.source();
    }
    assert!(
        chain.contains("certificate"),
        "the certificate is what failed: {chain}"
    );
}
