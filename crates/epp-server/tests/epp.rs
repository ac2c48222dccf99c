//! The EPP server against an independent client (instant-epp) over real TLS
//! with client certificates made here, on SQLite and PostgreSQL.

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use chrono::Duration as Days;
use instant_epp::domain::update::{DomainAdd, DomainChangeInfo, DomainRemove};
use instant_epp::domain::{
    DomainAuthInfo, DomainCheck, DomainCreate, DomainDelete, DomainInfo, DomainRenew,
    DomainTransfer, DomainUpdate, HostInfo, HostObj, NameServers, Period, PeriodLength, Status,
};
use instant_epp::extensions::rgp::report::{RgpRestoreReport, Update as ReportUpdate};
use instant_epp::extensions::rgp::request::{
    RgpRequestResponse, RgpRestoreRequest, Update as RequestUpdate,
};
use instant_epp::extensions::rgp::RgpStatus;
use instant_epp::host::update::{HostAdd, HostChangeInfo, HostRemove};
use instant_epp::host::{HostCreate, HostInfo as HostInfoCommand, HostUpdate};
use instant_epp::login::Login;
use instant_epp::poll::{Ack, Poll, PollData};
use instant_epp::response::ResultCode;
use instant_epp::{EppClient, Error as EppError};
use rcgen::{BasicConstraints, CertificateParams, ExtendedKeyUsagePurpose, IsCa, KeyPair};
use vpsd_domain::ManualClock;
use vpsd_epp_server::rustls;
use vpsd_epp_server::{hash_password, tls_config, EppServer};
use vpsd_test_support::{fresh_database, Backend};

type Client = EppClient<instant_epp::client::RustlsConnector>;

#[path = "epp/contacts.rs"]
mod contacts;
#[path = "epp/fees.rs"]
mod fees;

/// The log lines every test writes (the EPP server's, storage's and the
/// registry's, at every level).
fn log() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let writer = buf.clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter("vpsd_epp_server=trace,vpsd_storage=trace,vpsd_registry=trace")
            .with_writer(move || LogWriter(writer.clone()))
            .try_init();
        buf
    })
}

struct LogWriter(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogWriter {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A CA, a server certificate for localhost/127.0.0.1, a client
/// certificate it signed, and one signed by another CA.
struct Pki {
    ca_pem: String,
    server: (String, String),
    client: (String, String),
    stranger: (String, String),
}

fn leaf(
    names: Vec<String>,
    client: bool,
    ca: &rcgen::Certificate,
    ca_key: &KeyPair,
) -> (String, String) {
    let key = KeyPair::generate().expect("key");
    let mut params = CertificateParams::new(names).expect("params");
    if client {
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    }
    let cert = params.signed_by(&key, ca, ca_key).expect("sign");
    (cert.pem(), key.serialize_pem())
}

fn new_ca() -> (rcgen::Certificate, KeyPair) {
    let key = KeyPair::generate().expect("key");
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    (params.self_signed(&key).expect("ca"), key)
}

fn pki() -> Pki {
    let (ca, ca_key) = new_ca();
    let (other, other_key) = new_ca();
    Pki {
        ca_pem: ca.pem(),
        server: leaf(
            vec!["localhost".into(), "127.0.0.1".into()],
            false,
            &ca,
            &ca_key,
        ),
        client: leaf(vec!["registrar".into()], true, &ca, &ca_key),
        stranger: leaf(vec!["stranger".into()], true, &other, &other_key),
    }
}

struct Registry {
    addr: SocketAddr,
    pki: Pki,
    /// The registry's database (the operator's premium names).
    store: Arc<dyn vpsd_storage::Store>,
    clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

const PW_A: &str = "alpha-Pass-1";
const PW_B: &str = "bravo-Pass-2";

async fn start(backend: Backend) -> Registry {
    start_with(backend, |_| {}).await
}

/// [`start`] with the server's limits changed by `limits`.
async fn start_with(backend: Backend, limits: impl FnOnce(&mut EppServer)) -> Registry {
    log();
    let dir = tempfile::tempdir().expect("dir");
    let url = fresh_database(backend, dir.path()).await;
    let store = vpsd_storage::connect(&url).await.expect("store");
    for (id, pw) in [("ClientA", PW_A), ("ClientB", PW_B)] {
        store
            .registry_registrar_add(id, &hash_password(pw).expect("hash"), chrono::Utc::now())
            .await
            .expect("registrar");
    }
    let pki = pki();
    let tls = tls_config(
        pki.server.0.as_bytes(),
        pki.server.1.as_bytes(),
        pki.ca_pem.as_bytes(),
    )
    .expect("tls");
    let clock = Arc::new(ManualClock::new());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let mut server = EppServer::new(store.clone(), clock.clone(), Days::days(5));
    limits(&mut server);
    tokio::spawn(server.serve(listener, Arc::new(tls)));
    Registry {
        addr,
        pki,
        store,
        clock,
        _dir: dir,
    }
}

impl Registry {
    async fn connect_as(&self, identity: &(String, String)) -> Result<Client, EppError> {
        let mut roots = rustls::RootCertStore::empty();
        let ca = rustls::pki_types::CertificateDer::from_pem_slice(self.pki.ca_pem.as_bytes())
            .expect("ca");
        roots.add(ca).expect("root");
        let certs = vec![
            rustls::pki_types::CertificateDer::from_pem_slice(identity.0.as_bytes()).expect("cert"),
        ];
        let key =
            rustls::pki_types::PrivateKeyDer::from_pem_slice(identity.1.as_bytes()).expect("key");
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_client_auth_cert(certs, key)
        .expect("client auth");
        let connector =
            instant_epp::client::RustlsConnector::builder(("localhost".into(), self.addr.port()))
                .expect("name")
                .build_with_config(Arc::new(config));
        EppClient::new(connector, "R".into(), Duration::from_secs(10)).await
    }

    async fn login(&self, id: &str, pw: &str) -> Client {
        self.login_with(id, pw, &[]).await
    }

    /// Logs in selecting the extensions `ext` (RFC 5730 §2.9.1.1).
    async fn login_with(&self, id: &str, pw: &str, ext: &[&str]) -> Client {
        let mut c = self.connect_as(&self.pki.client).await.expect("connect");
        let ext = (!ext.is_empty()).then_some(ext);
        c.transact(&Login::new(id, pw, None, ext), "login-1")
            .await
            .expect("login");
        c
    }
}

use rustls::pki_types::pem::PemObject as _;

/// The result code of a refused command.
fn code<T: std::fmt::Debug>(r: Result<T, EppError>) -> ResultCode {
    match r {
        Err(EppError::Command(status)) => status.result.code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn years(n: u8) -> Period {
    Period::Years(PeriodLength::new(n).expect("period"))
}

async fn a_session_covers_domains_hosts_transfers_and_polls(backend: Backend) {
    let r = start(backend).await;
    let mut a = r.login("ClientA", PW_A).await;
    let mut b = r.login("ClientB", PW_B).await;

    // Hosts: outside the registry's names, none needs an address.
    let host = a
        .transact(&HostCreate::new("ns1.example.net", None), "host-1")
        .await
        .expect("host");
    assert_eq!(host.result.code, ResultCode::CommandCompletedSuccessfully);

    let check = a
        .transact(
            &DomainCheck {
                domains: &["epp-one.com"],
            },
            "check-1",
        )
        .await
        .expect("check");
    let cd = &check.res_data().expect("chkData").list[0];
    assert!(cd.name.available, "{cd:?}");

    let ns = [HostInfo::Obj(HostObj {
        name: "ns1.example.net".into(),
    })];
    let missing = [HostInfo::Obj(HostObj {
        name: "ns9.nowhere.net".into(),
    })];
    let refused = a
        .transact(
            &DomainCreate::new(
                "epp-one.com",
                years(1),
                Some(&missing),
                None,
                "Auth-1x-8",
                None,
            ),
            "create-0",
        )
        .await;
    assert_eq!(code(refused), ResultCode::ObjectDoesNotExist);
    let created = a
        .transact(
            &DomainCreate::new("epp-one.com", years(2), Some(&ns), None, "Auth-1x-8", None),
            "create-1",
        )
        .await
        .expect("create");
    assert_eq!(created.tr_ids.client_tr_id.as_deref(), Some("create-1"));
    let created = created.res_data().expect("creData");
    let ex_date = created.expiring_at.expect("exDate");
    let again = a
        .transact(
            &DomainCreate::new("epp-one.com", years(1), None, None, "Auth-1x-8", None),
            "create-2",
        )
        .await;
    assert_eq!(code(again), ResultCode::ObjectExists);
    // An authInfo another registrar could guess is refused (policy).
    let guessable = a
        .transact(
            &DomainCreate::new("epp-short.com", years(1), None, None, "abc", None),
            "create-3",
        )
        .await;
    assert_eq!(code(guessable), ResultCode::ParameterValuePolicyError);
    // At most 50 names per check.
    let many: Vec<String> = (0..51).map(|i| format!("n{i}.com")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let too_many = b
        .transact(&DomainCheck { domains: &many }, "check-many")
        .await;
    assert_eq!(code(too_many), ResultCode::ParameterValuePolicyError);
    let check = b
        .transact(
            &DomainCheck {
                domains: &["epp-one.com"],
            },
            "check-2",
        )
        .await
        .expect("check");
    assert!(!check.res_data().expect("chkData").list[0].name.available);

    // Info: the sponsor sees the authInfo, another registrar does not.
    let info = a
        .transact(&DomainInfo::new("epp-one.com", None), "info-1")
        .await
        .expect("info");
    let info = info.res_data().expect("infData");
    assert_eq!(info.client_id, "ClientA");
    assert_eq!(info.creator_id.as_deref(), Some("ClientA"));
    assert_eq!(info.expiring_at, Some(ex_date));
    assert_eq!(
        info.auth_info.as_ref().map(|a| a.password.to_string()),
        Some("Auth-1x-8".to_owned())
    );
    assert_eq!(format!("{:?}", info.statuses), "Some([Ok])");
    let theirs = b
        .transact(&DomainInfo::new("epp-one.com", None), "info-2")
        .await
        .expect("info");
    assert!(theirs.res_data().expect("infData").auth_info.is_none());
    let wrong = b
        .transact(&DomainInfo::new("epp-one.com", Some("guess")), "info-3")
        .await;
    assert_eq!(code(wrong), ResultCode::InvalidAuthorizationInformation);

    // Renew: only from the current expiry date.
    let stale = ex_date.date_naive() - Days::days(1);
    let refused = a
        .transact(&DomainRenew::new("epp-one.com", stale, years(1)), "renew-0")
        .await;
    assert_eq!(code(refused), ResultCode::ParameterValuePolicyError);
    let renewed = a
        .transact(
            &DomainRenew::new("epp-one.com", ex_date.date_naive(), years(1)),
            "renew-1",
        )
        .await
        .expect("renew");
    let ex_date = renewed
        .res_data()
        .expect("renData")
        .expiring_at
        .expect("exDate");
    let refused = a
        .transact(&DomainRenew::new("epp-one.com", stale, years(1)), "renew-2")
        .await;
    assert_eq!(code(refused), ResultCode::ParameterValuePolicyError);

    // Update: the lock, the name servers, the authInfo.
    let mut lock = DomainUpdate::new("epp-one.com");
    lock.add(DomainAdd {
        ns: None,
        contacts: None,
        statuses: Some(&[Status::ClientTransferProhibited]),
    });
    a.transact(&lock, "update-1").await.expect("lock");
    r.clock.advance(Days::days(61));
    let refused = b
        .transact(
            &DomainTransfer::new("epp-one.com", None, "Auth-1x-8"),
            "tr-0",
        )
        .await;
    assert_eq!(code(refused), ResultCode::ObjectStatusProhibitsOperation);
    let mut unlock = DomainUpdate::new("epp-one.com");
    unlock.remove(DomainRemove {
        ns: Some(NameServers { ns: ns[..].into() }),
        contacts: None,
        statuses: Some(&[Status::ClientTransferProhibited]),
    });
    unlock.info(DomainChangeInfo {
        registrant: None,
        auth_info: Some(DomainAuthInfo::new("Auth-2y-8")),
    });
    a.transact(&unlock, "update-2").await.expect("unlock");
    let info = a
        .transact(&DomainInfo::new("epp-one.com", None), "info-4")
        .await
        .expect("info");
    let info = info.res_data().expect("infData");
    assert!(info.ns.is_none(), "{:?}", info.ns);
    assert_eq!(format!("{:?}", info.statuses), "Some([Ok])");

    // A transfer: the wrong authInfo, then the right one; the loser hears.
    let refused = b
        .transact(
            &DomainTransfer::new("epp-one.com", None, "Auth-1x-8"),
            "tr-1",
        )
        .await;
    assert_eq!(code(refused), ResultCode::InvalidAuthorizationInformation);
    let asked = b
        .transact(
            &DomainTransfer::new("epp-one.com", None, "Auth-2y-8"),
            "tr-2",
        )
        .await
        .expect("request");
    assert_eq!(
        asked.result.code,
        ResultCode::CommandCompletedSuccessfullyActionPending
    );
    let trn = asked.res_data().expect("trnData");
    assert_eq!(
        (
            trn.transfer_status.as_str(),
            trn.requester_id.as_str(),
            trn.ack_id.as_str()
        ),
        ("pending", "ClientB", "ClientA")
    );
    assert_eq!(trn.ack_by - trn.requested_at, Days::days(5));
    let msg = a.transact(&Poll, "poll-1").await.expect("poll");
    assert_eq!(
        msg.result.code,
        ResultCode::CommandCompletedSuccessfullyAckToDequeue
    );
    let q = msg.message_queue().expect("msgQ");
    assert_eq!(q.count, 1);
    let id = q.id.clone();
    match msg.res_data() {
        Some(PollData::DomainTransfer(t)) => {
            assert_eq!(
                (t.name.as_str(), t.transfer_status.as_str()),
                ("epp-one.com", "pending")
            )
        }
        other => panic!("{other:?}"),
    }
    let acked = a
        .transact(&Ack { message_id: &id }, "ack-1")
        .await
        .expect("ack");
    assert_eq!(acked.message_queue().expect("msgQ").count, 0);
    let empty = a.transact(&Poll, "poll-2").await.expect("poll");
    assert_eq!(
        empty.result.code,
        ResultCode::CommandCompletedSuccessfullyNoMessages
    );
    let query = a
        .transact(&DomainTransfer::query("epp-one.com", "Auth-2y-8"), "tr-3")
        .await
        .expect("query");
    assert_eq!(
        query.res_data().expect("trnData").transfer_status,
        "pending"
    );

    // Rejected: the gainer hears; asked again and approved.
    a.transact(&DomainTransfer::reject("epp-one.com"), "tr-4")
        .await
        .expect("reject");
    let heard = b.transact(&Poll, "poll-3").await.expect("poll");
    match heard.res_data() {
        Some(PollData::DomainTransfer(t)) => assert_eq!(t.transfer_status, "clientRejected"),
        other => panic!("{other:?}"),
    }
    let id = heard.message_queue().expect("msgQ").id.clone();
    b.transact(&Ack { message_id: &id }, "ack-2")
        .await
        .expect("ack");
    let not_pending = a
        .transact(&DomainTransfer::approve("epp-one.com"), "tr-5")
        .await;
    assert_eq!(code(not_pending), ResultCode::ObjectNotPendingTransfer);
    b.transact(
        &DomainTransfer::new("epp-one.com", None, "Auth-2y-8"),
        "tr-6",
    )
    .await
    .expect("request");
    let not_theirs = b
        .transact(&DomainTransfer::approve("epp-one.com"), "tr-7")
        .await;
    assert_eq!(code(not_theirs), ResultCode::AuthorizationError);
    let approved = a
        .transact(&DomainTransfer::approve("epp-one.com"), "tr-8")
        .await
        .expect("approve");
    let trn = approved.res_data().expect("trnData");
    assert_eq!(trn.transfer_status, "clientApproved");
    assert_eq!(trn.expiring_at, Some(ex_date + Days::days(365)));
    let info = b
        .transact(&DomainInfo::new("epp-one.com", None), "info-5")
        .await
        .expect("info");
    assert_eq!(info.res_data().expect("infData").client_id, "ClientB");

    // Unanswered: the registry approves it after the delay (serverApproved).
    a.transact(
        &DomainCreate::new("epp-two.com", years(1), None, None, "Auth-3z-8", None),
        "create-3",
    )
    .await
    .expect("create");
    r.clock.advance(Days::days(61));
    b.transact(
        &DomainTransfer::new("epp-two.com", None, "Auth-3z-8"),
        "tr-9",
    )
    .await
    .expect("request");
    r.clock.advance(Days::days(5) + Days::seconds(1));
    let mut statuses = Vec::new();
    loop {
        let m = a.transact(&Poll, "poll-4").await.expect("poll");
        let Some(q) = m.message_queue() else { break };
        if let Some(PollData::DomainTransfer(t)) = m.res_data() {
            statuses.push(format!("{} {}", t.name, t.transfer_status));
        }
        let id = q.id.clone();
        a.transact(&Ack { message_id: &id }, "ack-3")
            .await
            .expect("ack");
    }
    assert_eq!(
        statuses,
        [
            // The second request for epp-one.com, approved above.
            "epp-one.com pending",
            "epp-two.com pending",
            "epp-two.com serverApproved"
        ]
    );
    let info = a
        .transact(&DomainInfo::new("epp-two.com", None), "info-6")
        .await
        .expect("info");
    assert_eq!(info.res_data().expect("infData").client_id, "ClientB");

    // Delete by the sponsor only.
    let refused = a.transact(&DomainDelete::new("epp-one.com"), "del-0").await;
    assert_eq!(code(refused), ResultCode::AuthorizationError);
    b.transact(&DomainDelete::new("epp-one.com"), "del-1")
        .await
        .expect("delete");
    // Deleted after its add grace period: held in redemption (RFC 3915).
    let gone = b
        .transact(&DomainInfo::new("epp-one.com", None), "info-7")
        .await
        .expect("info in redemption");
    assert_eq!(
        format!("{:?}", gone.res_data().expect("infData").statuses),
        "Some([PendingDelete])"
    );

    // A malformed frame is answered with 2001 and the session goes on.
    let bad = a
        .transact_xml("<epp><command><check>")
        .await
        .expect("answer");
    assert!(bad.contains("code=\"2001\""), "{bad}");
    let still = a
        .transact(
            &DomainCheck {
                domains: &["epp-one.com"],
            },
            "check-3",
        )
        .await
        .expect("check");
    // In redemption, so not available yet (RFC 3915).
    assert!(!still.res_data().expect("chkData").list[0].name.available);

    // A wrong password is refused; the third failure closes (2501).
    let mut c = r.connect_as(&r.pki.client).await.expect("connect");
    let bad = c
        .transact(&Login::new("ClientA", "wrong-pass", None, None), "l-1")
        .await;
    assert_eq!(code(bad), ResultCode::AuthenticationError);
    let bad = c
        .transact(&Login::new("Nobody1", PW_A, None, None), "l-2")
        .await;
    assert_eq!(code(bad), ResultCode::AuthenticationError);
    let bad = c
        .transact(&Login::new("ClientA", "wrong-pass", None, None), "l-3")
        .await;
    assert_eq!(
        code(bad),
        ResultCode::AuthenticationErrorServerClosingConnection
    );

    // No password or authInfo reached the log.
    let logged =
        String::from_utf8_lossy(&log().lock().unwrap_or_else(|e| e.into_inner())).into_owned();
    assert!(logged.contains("EPP command"), "the log is captured");
    for secret in [
        PW_A,
        PW_B,
        "wrong-pass",
        "Auth-1x-8",
        "Auth-2y-8",
        "Auth-3z-8",
    ] {
        assert!(!logged.contains(secret), "{secret} is in the log");
    }
}

async fn a_client_certificate_from_another_ca_is_refused(backend: Backend) {
    let r = start(backend).await;
    let refused = r.connect_as(&r.pki.stranger).await;
    assert!(refused.is_err(), "the handshake must fail");
    let commands_first = {
        let mut c = r.connect_as(&r.pki.client).await.expect("connect");
        c.transact(
            &DomainCheck {
                domains: &["x-y.com"],
            },
            "check-0",
        )
        .await
    };
    assert_eq!(code(commands_first), ResultCode::CommandUseError);
    let _ = std::io::stderr().flush();
}

type Raw = tokio_rustls::client::TlsStream<tokio::net::TcpStream>;

impl Registry {
    /// A TLS connection with the registrar's certificate and no EPP
    /// client: the test writes whatever bytes it likes. The greeting is
    /// read already.
    async fn raw(&self) -> std::io::Result<Raw> {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(
                rustls::pki_types::CertificateDer::from_pem_slice(self.pki.ca_pem.as_bytes())
                    .expect("ca"),
            )
            .expect("root");
        let certs =
            vec![
                rustls::pki_types::CertificateDer::from_pem_slice(self.pki.client.0.as_bytes())
                    .expect("cert"),
            ];
        let key = rustls::pki_types::PrivateKeyDer::from_pem_slice(self.pki.client.1.as_bytes())
            .expect("key");
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_client_auth_cert(certs, key)
        .expect("client auth");
        let tcp = tokio::net::TcpStream::connect(self.addr).await?;
        let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
        let mut tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(name, tcp)
            .await?;
        let greeting = read_answer(&mut tls).await?;
        assert!(greeting.contains("<greeting>"), "{greeting}");
        Ok(tls)
    }
}

/// Writes `data` as one RFC 5734 frame.
async fn send(s: &mut Raw, data: &[u8]) {
    try_send(s, data).await.expect("write");
}

/// [`send`], failing when the server has closed the connection.
async fn try_send(s: &mut Raw, data: &[u8]) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let len = u32::try_from(data.len() + 4).expect("small");
    s.write_all(&len.to_be_bytes()).await?;
    s.write_all(data).await?;
    s.flush().await
}

/// Reads one frame (within 10 seconds, else the server hung).
async fn read_answer(s: &mut Raw) -> std::io::Result<String> {
    use tokio::io::AsyncReadExt;
    tokio::time::timeout(Duration::from_secs(10), async {
        let mut h = [0u8; 4];
        s.read_exact(&mut h).await?;
        let mut data = vec![0u8; (u32::from_be_bytes(h) as usize).saturating_sub(4)];
        s.read_exact(&mut data).await?;
        Ok(String::from_utf8_lossy(&data).into_owned())
    })
    .await
    .unwrap_or_else(|_| panic!("the server did not answer within 10 seconds"))
}

/// Whether the server closed `s` (within 10 seconds).
async fn closed(s: &mut Raw) -> bool {
    use tokio::io::AsyncReadExt;
    let mut b = [0u8; 1];
    match tokio::time::timeout(Duration::from_secs(10), s.read(&mut b)).await {
        Ok(Ok(0)) | Ok(Err(_)) => true,
        Ok(Ok(_)) => false,
        Err(_) => panic!("the connection is neither closed nor answering"),
    }
}

fn login_xml(id: &str, pw: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><login><clID>{id}</clID><pw>{pw}</pw><options><version>1.0</version><lang>en</lang></options><svcs><objURI>urn:ietf:params:xml:ns:domain-1.0</objURI></svcs></login><clTRID>raw-login</clTRID></command></epp>"#
    )
}

const HELLO: &[u8] =
    br#"<?xml version="1.0"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><hello/></epp>"#;

/// Frames and documents a careless or hostile peer sends: each gets the
/// RFC's result code (2001 and a close when the stream cannot be framed
/// any more, 2001 and the session goes on when only the document is bad),
/// and the server neither panics nor hangs.
async fn hostile_frames_get_rfc_answers(backend: Backend) {
    use tokio::io::AsyncWriteExt;
    let r = start(backend).await;
    // Lengths below the header's own 4 bytes plus one, and above the limit.
    for length in [0u32, 3, 4, vpsd_epp_server::MAX_FRAME + 1, u32::MAX] {
        let mut c = r.raw().await.expect("connect");
        c.write_all(&length.to_be_bytes()).await.expect("write");
        c.flush().await.expect("flush");
        let answer = read_answer(&mut c).await.expect("an answer");
        assert!(answer.contains(r#"code="2001""#), "{length}: {answer}");
        assert!(closed(&mut c).await, "{length}: closed after it");
    }

    let mut c = r.raw().await.expect("connect");
    send(&mut c, login_xml("ClientA", PW_A).as_bytes()).await;
    let answer = read_answer(&mut c).await.expect("login");
    assert!(answer.contains(r#"code="1000""#), "{answer}");
    let laughs = concat!(
        r#"<?xml version="1.0"?><!DOCTYPE epp [<!ENTITY a "aaaaaaaaaa">"#,
        r#"<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">"#,
        r#"<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>"#,
        r#"<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><check><domain:check "#,
        r#"xmlns:domain="urn:ietf:params:xml:ns:domain-1.0"><domain:name>&e;.com</domain:name>"#,
        r#"</domain:check></check><clTRID>laughs-1</clTRID></command></epp>"#
    );
    let deep = format!(
        r#"<epp xmlns="urn:ietf:params:xml:ns:epp-1.0">{}{}</epp>"#,
        "<a>".repeat(8_000),
        "</a>".repeat(8_000)
    );
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("a DTD with entities", laughs.as_bytes().to_vec(), "2001"),
        ("8,000 nested elements", deep.into_bytes(), "2001"),
        ("not UTF-8", b"<epp>\xff\xfe</epp>".to_vec(), "2001"),
        ("another namespace", br#"<epp xmlns="urn:example"><hello/></epp>"#.to_vec(), "2001"),
        (
            "a command in no namespace",
            br#"<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><check xmlns=""/></command></epp>"#.to_vec(),
            "2001",
        ),
        ("a second login", login_xml("ClientB", PW_B).into_bytes(), "2002"),
        (
            "a poll ack of no message",
            br#"<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><poll op="ack" msgID="999999"/><clTRID>ack-x</clTRID></command></epp>"#.to_vec(),
            "2303",
        ),
        (
            "a poll ack of a non-number",
            br#"<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><poll op="ack" msgID="1 OR 1=1"/><clTRID>ack-y</clTRID></command></epp>"#.to_vec(),
            "2005",
        ),
    ];
    for (what, data, code) in cases {
        send(&mut c, &data).await;
        let answer = read_answer(&mut c).await.expect(what);
        assert!(
            answer.contains(&format!(r#"code="{code}"#)),
            "{what}: {answer}"
        );
    }
    // The session is still good.
    send(&mut c, HELLO).await;
    let answer = read_answer(&mut c).await.expect("hello");
    assert!(answer.contains("<greeting>"), "{answer}");
}

/// A connection that does not log in within the login time is closed,
/// whether it sends nothing, half a frame (a header and then silence), or
/// `<hello>` after `<hello>` (each of which would reset an idle timer).
async fn a_connection_that_does_not_log_in_is_closed(backend: Backend) {
    use tokio::io::AsyncWriteExt;
    let r = start_with(backend, |s| s.login_timeout = Duration::from_secs(2)).await;

    let mut silent = r.raw().await.expect("connect");
    let mut half = r.raw().await.expect("connect");
    half.write_all(&100u32.to_be_bytes()).await.expect("header");
    half.write_all(b"<epp").await.expect("part");
    half.flush().await.expect("flush");
    let mut hellos = r.raw().await.expect("connect");
    let started = std::time::Instant::now();
    let mut closed_after = None;
    while started.elapsed() < Duration::from_secs(8) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if try_send(&mut hellos, HELLO).await.is_err() {
            closed_after = Some(started.elapsed());
            break;
        }
        match read_answer(&mut hellos).await {
            Ok(a) if a.contains("<greeting>") => {}
            _ => {
                closed_after = Some(started.elapsed());
                break;
            }
        }
    }
    let closed_after = closed_after.expect("the hello-only connection was closed");
    assert!(closed_after < Duration::from_secs(4), "{closed_after:?}");
    assert!(closed(&mut silent).await, "the silent one is closed");
    assert!(closed(&mut half).await, "the half frame is closed");

    // Logged in in time, the session stays past the login time.
    let mut c = r.raw().await.expect("connect");
    send(&mut c, login_xml("ClientA", PW_A).as_bytes()).await;
    assert!(read_answer(&mut c)
        .await
        .expect("login")
        .contains(r#"code="1000""#));
    tokio::time::sleep(Duration::from_secs(3)).await;
    send(&mut c, HELLO).await;
    assert!(read_answer(&mut c)
        .await
        .expect("hello")
        .contains("<greeting>"));
}

/// One registrar may have `sessions_per_registrar` sessions at once: the
/// login of one more is answered 2502 and closed (RFC 5730 §3); another
/// registrar is not affected, and a session ending frees its place.
async fn a_registrar_past_its_session_limit_gets_2502(backend: Backend) {
    let r = start_with(backend, |s| s.sessions_per_registrar = 2).await;
    let mut first = r.login("ClientA", PW_A).await;
    let _second = r.login("ClientA", PW_A).await;
    let mut third = r.connect_as(&r.pki.client).await.expect("connect");
    let refused = third
        .transact(&Login::new("ClientA", PW_A, None, None), "login-3")
        .await;
    assert_eq!(
        code(refused),
        ResultCode::SessionLimitExceededServerClosingConnection
    );
    let _b = r.login("ClientB", PW_B).await;
    first
        .transact(&instant_epp::logout::Logout, "logout-1")
        .await
        .expect("logout");
    // The server notices the end of the session at once.
    let mut again = None;
    for _ in 0..50 {
        let mut c = r.connect_as(&r.pki.client).await.expect("connect");
        if c.transact(&Login::new("ClientA", PW_A, None, None), "login-4")
            .await
            .is_ok()
        {
            again = Some(c);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(again.is_some(), "a place is free after a logout");
}

/// Connections beyond `max_connections` are closed at once; a closed one
/// frees its place.
async fn connections_past_the_limit_are_closed(backend: Backend) {
    let r = start_with(backend, |s| s.max_connections = 3).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(r.raw().await.expect("within the limit"));
    }
    let refused = tokio::time::timeout(Duration::from_secs(10), r.raw())
        .await
        .expect("no hang");
    assert!(refused.is_err(), "a fourth connection is refused");
    drop(held.pop());
    let mut admitted = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if r.raw().await.is_ok() {
            admitted = true;
            break;
        }
    }
    assert!(admitted, "a place is free after a close");
}

/// Wrong passwords for one clID on many connections (each under the
/// per-connection limit) lock that clID out, its right password included,
/// while another registrar logs in as before.
async fn failed_logins_across_connections_lock_the_clid_out(backend: Backend) {
    let r = start(backend).await;
    for round in 0..3 {
        let mut c = r.connect_as(&r.pki.client).await.expect("connect");
        for attempt in 0..2 {
            let bad = c
                .transact(
                    &Login::new("ClientA", "guess-pw-9", None, None),
                    &format!("guess-{round}-{attempt}"),
                )
                .await;
            assert!(bad.is_err(), "a wrong password is refused");
            if round * 2 + attempt + 1 >= 5 {
                break;
            }
        }
    }
    let mut c = r.connect_as(&r.pki.client).await.expect("connect");
    let locked = c
        .transact(&Login::new("ClientA", PW_A, None, None), "right-pw")
        .await;
    assert_eq!(
        code(locked),
        ResultCode::AuthenticationErrorServerClosingConnection
    );
    let _b = r.login("ClientB", PW_B).await;
}

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(vpsd_test_support::Backend::Sqlite).await })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(vpsd_test_support::Backend::Postgres).await })*
        }
    };
}

/// RFC 3915 over EPP: the greeting offers rgp; a deleted name is held in
/// redemptionPeriod (info says so in `<rgp:infData>`, check says it is not
/// available, create is refused); only its sponsor restores it, with a
/// request (pendingRestore) then a report; outside redemptionPeriod a
/// restore is refused with 2304, a renewal with 2105; 35 days after the
/// delete the name is purged and free.
async fn a_deleted_name_is_restored_in_redemption_only(backend: Backend) {
    let r = start(backend).await;
    let mut a = r
        .login_with("ClientA", PW_A, &["urn:ietf:params:xml:ns:rgp-1.0"])
        .await;
    let mut b = r.login("ClientB", PW_B).await;
    let greeting = a.greeting().expect("greeting");
    let ext = greeting.svc_menu.services.svc_ext.expect("svcExtension");
    assert!(
        ext.ext_uris
            .iter()
            .any(|u| u == "urn:ietf:params:xml:ns:rgp-1.0"),
        "{ext:?}"
    );

    let created = a
        .transact(
            &DomainCreate::new("rgp-one.com", years(1), None, None, "Auth-4w-8", None),
            "create-1",
        )
        .await
        .expect("create");
    let ex_date = created
        .res_data()
        .expect("creData")
        .expiring_at
        .expect("exDate");
    let chg = || {
        let mut u = DomainUpdate::new("rgp-one.com");
        u.info(DomainChangeInfo {
            registrant: None,
            auth_info: None,
        });
        u
    };
    let request = RequestUpdate {
        data: RgpRestoreRequest::default(),
    };
    let statements = ["not for itself", "true to its knowledge"];
    let report = |now: chrono::DateTime<chrono::Utc>| ReportUpdate {
        data: RgpRestoreReport::new("pre", "post", now, now, "error", &statements, ""),
    };
    // Not deleted: nothing to restore.
    let refused = a.transact((&chg(), &request), "restore-0").await;
    assert_eq!(code(refused), ResultCode::ObjectStatusProhibitsOperation);

    r.clock.advance(Days::days(10));
    a.transact(&DomainDelete::new("rgp-one.com"), "del-1")
        .await
        .expect("delete");
    let raw = a
        .transact_xml(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><epp xmlns=\"urn:ietf:params:xml:ns:epp-1.0\"><command><info><domain:info xmlns:domain=\"urn:ietf:params:xml:ns:domain-1.0\"><domain:name>rgp-one.com</domain:name></domain:info></info><clTRID>info-raw</clTRID></command></epp>",
        )
        .await
        .expect("info");
    assert!(
        raw.contains("<domain:status s=\"pendingDelete\"/>"),
        "{raw}"
    );
    assert!(
        raw.contains("<extension><rgp:infData xmlns:rgp=\"urn:ietf:params:xml:ns:rgp-1.0\"><rgp:rgpStatus s=\"redemptionPeriod\"/></rgp:infData></extension>"),
        "{raw}"
    );
    // A client that did not select rgp gets no <extension>.
    let plain = b
        .transact(&DomainInfo::new("rgp-one.com", None), "info-plain")
        .await
        .expect("info without the extension");
    assert_eq!(
        format!("{:?}", plain.res_data().expect("infData").statuses),
        "Some([PendingDelete])"
    );
    let check = b
        .transact(
            &DomainCheck {
                domains: &["rgp-one.com"],
            },
            "check-1",
        )
        .await
        .expect("check");
    assert!(!check.res_data().expect("chkData").list[0].name.available);
    let taken = b
        .transact(
            &DomainCreate::new("rgp-one.com", years(1), None, None, "Auth-5v-8", None),
            "create-2",
        )
        .await;
    assert_eq!(code(taken), ResultCode::ObjectExists);

    // Only the sponsor; a report needs its request first.
    let refused = b.transact((&chg(), &request), "restore-1").await;
    assert_eq!(code(refused), ResultCode::AuthorizationError);
    let now = vpsd_domain::Clock::now(&*r.clock);
    let early = a.transact((&chg(), &report(now)), "report-0").await;
    assert_eq!(code(early), ResultCode::ObjectStatusProhibitsOperation);
    let requested = a
        .transact((&chg(), &request), "restore-2")
        .await
        .expect("restore request");
    match requested.extension() {
        Some(RgpRequestResponse::Update(data)) => {
            assert_eq!(data.rgp_status, [RgpStatus::PendingRestore]);
        }
        other => panic!("expected rgp:upData, got {other:?}"),
    }
    a.transact((&chg(), &report(now)), "report-1")
        .await
        .expect("restore report");
    let info = a
        .transact(&DomainInfo::new("rgp-one.com", None), "info-1")
        .await
        .expect("info");
    let info = info.res_data().expect("infData");
    assert_eq!(format!("{:?}", info.statuses), "Some([Ok])");
    assert_eq!(info.expiring_at, Some(ex_date), "restored as it was");
    let refused = a.transact((&chg(), &request), "restore-3").await;
    assert_eq!(code(refused), ResultCode::ObjectStatusProhibitsOperation);

    // Deleted again and left: after 30 days pendingDelete, then purged.
    a.transact(&DomainDelete::new("rgp-one.com"), "del-2")
        .await
        .expect("delete");
    r.clock.advance(Days::days(31));
    let late = a.transact((&chg(), &request), "restore-4").await;
    assert_eq!(code(late), ResultCode::ObjectStatusProhibitsOperation);
    let renew = a
        .transact(
            &DomainRenew::new("rgp-one.com", ex_date.date_naive(), years(1)),
            "renew-1",
        )
        .await;
    assert_eq!(code(renew), ResultCode::ObjectIsNotEligibleForRenewal);
    r.clock.advance(Days::days(5));
    let check = b
        .transact(
            &DomainCheck {
                domains: &["rgp-one.com"],
            },
            "check-2",
        )
        .await
        .expect("check");
    assert!(check.res_data().expect("chkData").list[0].name.available);
    b.transact(
        &DomainCreate::new("rgp-one.com", years(1), None, None, "Auth-5v-8", None),
        "create-3",
    )
    .await
    .expect("free once purged");
}

/// A registrar guessing other registrars' authInfo is stopped after 20
/// wrong answers in ten minutes, even with the right code then; another
/// registrar is not.
async fn guessing_auth_info_is_stopped(backend: Backend) {
    let r = start(backend).await;
    let mut a = r.login("ClientA", PW_A).await;
    let created = a
        .transact(
            &DomainCreate::new("guarded.com", years(1), None, None, "Right-Code-8", None),
            "create-g",
        )
        .await;
    assert!(created.is_ok(), "{created:?}");
    let mut b = r.login("ClientB", PW_B).await;
    for i in 0..20 {
        let wrong = b
            .transact(
                &DomainInfo::new("guarded.com", Some(&format!("guess-{i:04}"))),
                &format!("guess-{i}"),
            )
            .await;
        assert_eq!(code(wrong), ResultCode::InvalidAuthorizationInformation);
    }
    let stopped = b
        .transact(
            &DomainInfo::new("guarded.com", Some("Right-Code-8")),
            "guess-right",
        )
        .await;
    assert_eq!(code(stopped), ResultCode::ParameterValuePolicyError);
    let plain = b
        .transact(&DomainInfo::new("guarded.com", None), "no-code")
        .await;
    assert!(plain.is_ok(), "commands without an authInfo go on");
    let sponsor = a
        .transact(
            &DomainInfo::new("guarded.com", Some("Right-Code-8")),
            "a-info",
        )
        .await;
    assert!(sponsor.is_ok(), "another registrar is not stopped");
}

/// RFC 5732 §3.2.5 `<host:update>`: only the host's sponsoring registrar
/// changes its addresses (2201 for another); an internal host keeps at
/// least one (2306); renaming is not served (2102). The sponsor's
/// `<domain:info>` lists the name's hosts (`<domain:host>`, RFC 5731
/// §3.1.2).
async fn host_addresses_change_by_their_sponsor_only(backend: Backend) {
    let r = start(backend).await;
    let mut a = r.login("ClientA", PW_A).await;
    let mut b = r.login("ClientB", PW_B).await;
    let created = a
        .transact(
            &DomainCreate::new("glue-srv.com", years(1), None, None, "Auth-1x-8", None),
            "create",
        )
        .await;
    assert!(created.is_ok(), "{created:?}");
    let v4: std::net::IpAddr = "93.184.216.34".parse().expect("ip");
    let v6: std::net::IpAddr = "2606:2800:220:1::1".parse().expect("ip");
    let other: std::net::IpAddr = "93.184.216.35".parse().expect("ip");
    let host = a
        .transact(
            &HostCreate::new("ns1.glue-srv.com", Some(&[v4, v6])),
            "host",
        )
        .await;
    assert!(host.is_ok(), "{host:?}");

    let swap = |add: &'static [std::net::IpAddr], rem: &'static [std::net::IpAddr]| {
        let mut u = HostUpdate::new("ns1.glue-srv.com");
        u.add(HostAdd {
            addresses: Some(add),
            statuses: None,
        });
        u.remove(HostRemove {
            addresses: Some(rem),
            statuses: None,
        });
        u
    };
    static OTHER: [std::net::IpAddr; 1] = [std::net::IpAddr::V4(std::net::Ipv4Addr::new(
        93, 184, 216, 35,
    ))];
    static V4: [std::net::IpAddr; 1] = [std::net::IpAddr::V4(std::net::Ipv4Addr::new(
        93, 184, 216, 34,
    ))];
    let theirs = b.transact(&swap(&OTHER, &V4), "b-update").await;
    assert_eq!(code(theirs), ResultCode::AuthorizationError);
    let ours = a.transact(&swap(&OTHER, &V4), "a-update").await;
    assert!(ours.is_ok(), "{ours:?}");
    let info = a
        .transact(&HostInfoCommand::new("ns1.glue-srv.com"), "info")
        .await
        .expect("info");
    let mut addresses = info.res_data().expect("infData").addresses.clone();
    addresses.sort();
    let mut want = vec![other, v6];
    want.sort();
    assert_eq!(addresses, want);

    // Every address removed: an internal host keeps one.
    let mut bare = HostUpdate::new("ns1.glue-srv.com");
    let all = [other, v6];
    bare.remove(HostRemove {
        addresses: Some(&all),
        statuses: None,
    });
    assert_eq!(
        code(a.transact(&bare, "bare").await),
        ResultCode::ParameterValuePolicyError
    );
    let mut rename = HostUpdate::new("ns1.glue-srv.com");
    rename.info(HostChangeInfo {
        name: "ns2.glue-srv.com",
    });
    assert_eq!(
        code(a.transact(&rename, "rename").await),
        ResultCode::UnimplementedOption
    );
    let mut gone = HostUpdate::new("ns9.glue-srv.com");
    gone.add(HostAdd {
        addresses: Some(&OTHER),
        statuses: None,
    });
    assert_eq!(
        code(a.transact(&gone, "gone").await),
        ResultCode::ObjectDoesNotExist
    );

    let info = a
        .transact(&DomainInfo::new("glue-srv.com", None), "domain-info")
        .await
        .expect("info");
    assert_eq!(
        info.res_data().expect("infData").hosts,
        Some(vec!["ns1.glue-srv.com".to_owned()])
    );
}

both!(
    host_addresses_change_by_their_sponsor_only,
    guessing_auth_info_is_stopped,
    a_session_covers_domains_hosts_transfers_and_polls,
    a_deleted_name_is_restored_in_redemption_only,
    a_client_certificate_from_another_ca_is_refused,
    hostile_frames_get_rfc_answers,
    a_connection_that_does_not_log_in_is_closed,
    a_registrar_past_its_session_limit_gets_2502,
    connections_past_the_limit_are_closed,
    failed_logins_across_connections_lock_the_clid_out,
);
