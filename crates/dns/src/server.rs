//! The nameserver's sockets: UDP and TCP on one address (RFC 1035 §4.2,
//! RFC 7766), EDNS (RFC 6891), truncation of UDP answers that do not fit.
//!
//! EDNS, as RFC 6891 and the EDNS compliance tests (ISC's, Zonemaster's
//! NAMESERVER02/10–14) check it, over UDP and TCP alike:
//! - a request with an OPT record gets one back (§6.1.1), version 0, our
//!   payload size, and none of the request's options or unknown flags
//!   (§6.1.2, §6.1.4: what we do not understand is ignored, never echoed,
//!   as RFC 7873 §5.2 asks of a server without cookies too);
//! - the DO bit is copied (RFC 3225 §3), though nothing here is signed;
//! - a version above 0 gets BADVERS, an OPT of version 0 and no answer
//!   (§6.1.3);
//! - more than one OPT, or an OPT outside the additional section, is
//!   FORMERR (§6.1.1);
//! - a requestor's payload below 512 is read as 512 (§6.2.5); a UDP answer
//!   larger than the smaller of its payload and ours is truncated (TC).
//!
//! A message with QR set is never answered, not even with FORMERR.
//!
//! An UPDATE (RFC 2136) goes to `update.rs`; a query signed with TSIG (RFC
//! 8945) is answered signed with the same key once its signature checks
//! (`tsig.rs`), as certbot's rfc2136 plugin asks its SOA questions. Both
//! wait on the database, so over UDP they are answered in tasks of their
//! own.
//!
//! Zone transfers (AXFR, IXFR) are served over TCP to the addresses the
//! operator allows (`transfer.rs`); over UDP they are REFUSED (RFC 5936
//! §4.2: AXFR is TCP only).

use std::net::SocketAddr;
use std::sync::Arc;

use hickory_proto::op::{Edns, Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::{DNSClass, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};

use crate::catalog::Catalog;
use crate::transfer::{self, TransferAcl};
use crate::tsig;
use crate::update::{self, Updater};

/// Who may change zones and take them: the transfer ACL, and the
/// registrar's side of signed messages (none: every UPDATE is REFUSED and
/// only the ACL's peers transfer).
#[derive(Clone, Default)]
pub struct Access {
    pub acl: TransferAcl,
    pub updater: Option<Arc<dyn Updater>>,
    /// The operator's transfer keys (`--transfer-key-file`): each may
    /// transfer every zone, and update none.
    pub transfer_keys: Vec<crate::update::ZoneKey>,
}

impl std::fmt::Debug for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Access")
            .field("acl", &self.acl)
            .field("updater", &self.updater.is_some())
            .field("transfer_keys", &self.transfer_keys.len())
            .finish()
    }
}

impl Access {
    /// The key named `name` for a transfer or a query: the operator's
    /// transfer key of that name, else the zone key (through the updater).
    ///
    /// # Errors
    /// [`LookupFailed`](crate::update::LookupFailed) when the zone keys
    /// cannot be read.
    pub async fn key(
        &self,
        name: &str,
    ) -> Result<Option<crate::update::ZoneKey>, crate::update::LookupFailed> {
        if let Some(k) = self.transfer_keys.iter().find(|k| k.name == name) {
            return Ok(Some(k.clone()));
        }
        match &self.updater {
            Some(updater) => updater.key(name).await,
            None => Ok(None),
        }
    }
}

/// Whether `m` is an UPDATE request (RFC 2136), answered by `update.rs`.
fn is_update(m: &Message) -> bool {
    m.message_type() == MessageType::Query && m.op_code() == OpCode::Update
}

/// The EDNS payload size we offer and accept at most (the DNS Flag Day 2020
/// value, which avoids IP fragmentation).
pub const EDNS_PAYLOAD: u16 = 1_232;
/// Without EDNS a UDP answer is at most 512 bytes (RFC 1035 §2.3.4).
const CLASSIC_UDP: usize = 512;
/// TCP connections served at once; more wait to be accepted (RFC 7766
/// §6.2.2). Each costs a 64 KiB buffer, so at most 64 MiB in all.
pub const MAX_TCP_CONNECTIONS: usize = 1_024;
/// A TCP connection idle this long is closed (RFC 7766 §6.2.3), as is one
/// whose peer takes longer than this to read an answer.
const TCP_IDLE: std::time::Duration = std::time::Duration::from_secs(10);

/// The answer to one request's bytes, or `None` when it cannot be answered
/// at all (not even its header reads). `udp` says whether the answer must
/// fit a UDP datagram.
pub fn respond(catalog: &Catalog, request: &[u8], udp: bool) -> Option<Vec<u8>> {
    match Message::from_vec(request) {
        Ok(m) => respond_to(catalog, &m, udp),
        Err(_) => {
            // A header we can read gets FORMERR; anything shorter, nothing,
            // and nor does a message with QR set: a response is never
            // answered (RFC 1035 §4.1.1), or two servers could answer each
            // other's errors, or a forged source be sent ours, forever.
            if request.len() < 12 || request[2] & 0x80 != 0 {
                return None;
            }
            let id = u16::from_be_bytes([request[0], request[1]]);
            Message::error_msg(id, OpCode::Query, ResponseCode::FormErr)
                .to_vec()
                .ok()
        }
    }
}

/// The answer to `request`, read already; `None` when it is not answered
/// (a response). `udp` as in [`respond`].
fn respond_to(catalog: &Catalog, request: &Message, udp: bool) -> Option<Vec<u8>> {
    let (response, limit) = response_to(catalog, request)?;
    let bytes = response.to_vec().ok()?;
    if udp && bytes.len() > limit {
        return response.truncate().to_vec().ok();
    }
    Some(bytes)
}

/// The response to `request` (a query) and the most a UDP answer to it may
/// take, in bytes; `None` when it is not answered (a response).
fn response_to(catalog: &Catalog, request: &Message) -> Option<(Message, usize)> {
    if request.message_type() != MessageType::Query {
        return None;
    }
    let mut response = Message::new();
    response
        .set_id(request.id())
        .set_message_type(MessageType::Response)
        .set_op_code(request.op_code())
        .set_recursion_desired(request.recursion_desired())
        .set_checking_disabled(request.checking_disabled());
    response.add_queries(request.queries().iter().cloned());
    let misplaced_opt = request
        .answers()
        .iter()
        .chain(request.name_servers())
        .any(|r| r.record_type() == RecordType::OPT);
    if misplaced_opt {
        response.set_response_code(ResponseCode::FormErr);
        return Some((response, CLASSIC_UDP));
    }
    let limit = match request.extensions() {
        Some(edns) => {
            let mut ours = Edns::new();
            ours.set_max_payload(EDNS_PAYLOAD);
            ours.set_dnssec_ok(edns.flags().dnssec_ok);
            response.set_edns(ours);
            if edns.version() > 0 {
                response.set_response_code(ResponseCode::BADVERS);
                return Some((response, CLASSIC_UDP));
            }
            usize::from(edns.max_payload().clamp(512, EDNS_PAYLOAD))
        }
        None => CLASSIC_UDP,
    };
    let rcode = answer(catalog, request, &mut response);
    response.set_response_code(rcode);
    Some((response, limit))
}

/// The answer to a query signed with TSIG (RFC 8945 §5.3: a signed
/// request gets a signed answer): the signature checked against the key
/// it names, then the usual answer, signed with that key. A query for any
/// zone is answered (the data is public); the key only proves who asks.
async fn respond_signed(
    catalog: &Catalog,
    access: &Access,
    request: &Message,
    bytes: &[u8],
    udp: bool,
) -> Option<Vec<u8>> {
    let signature = tsig::signature(request, bytes).ok()??;
    let key = access.key(&signature.key_name).await.ok()?;
    let now = tsig::now();
    let (mut response, limit) = response_to(catalog, request)?;
    let verified = match tsig::check(&signature, key.as_ref(), now) {
        Ok(v) => v,
        Err(refusal) => {
            let mut refused = Message::new();
            refused
                .set_id(request.id())
                .set_message_type(MessageType::Response)
                .set_op_code(request.op_code());
            refused.add_queries(request.queries().iter().cloned());
            tsig::refuse(&mut refused, &signature, key.as_ref(), refusal, now)?;
            return refused.to_vec().ok();
        }
    };
    let key = key?;
    if udp && response.to_vec().ok()?.len() + 100 + signature.key_name.len() > limit {
        response = response.truncate();
    }
    tsig::Signer::new(&key, &signature, verified).sign(&mut response, now, 0)?;
    response.to_vec().ok()
}

/// Whether `m` is signed (a TSIG record ends it), and so answered by
/// [`respond_signed`].
fn is_signed(m: &Message) -> bool {
    m.signature()
        .last()
        .is_some_and(|r| r.record_type() == RecordType::TSIG)
}

/// Fills `response` and gives its response code.
fn answer(catalog: &Catalog, request: &Message, response: &mut Message) -> ResponseCode {
    if request.op_code() != OpCode::Query {
        return ResponseCode::NotImp;
    }
    let [query] = request.queries() else {
        return ResponseCode::FormErr;
    };
    if query.query_class() != DNSClass::IN {
        return ResponseCode::Refused;
    }
    if matches!(query.query_type(), RecordType::AXFR | RecordType::IXFR) {
        return ResponseCode::Refused;
    }
    let qname = query.name();
    let lower = qname.to_lowercase().to_ascii();
    let lower = lower.trim_end_matches('.');
    let Some(zone) = catalog.find(lower) else {
        // The catalog zone (RFC 9432) answers its SOA, which secondaries
        // ask before a transfer, and nothing else: its list of zones goes
        // by zone transfer to those allowed (§7).
        if let Some(cz) = catalog.catalog_zone().filter(|c| c.name == lower) {
            if query.query_type() == RecordType::SOA {
                response.set_authoritative(true);
                response.add_answer(cz.soa_at(cz.serial()));
                return ResponseCode::NoError;
            }
        }
        return ResponseCode::Refused;
    };
    let answer = zone.answer(qname, lower, query.query_type());
    response.set_authoritative(answer.authoritative);
    response.insert_answers(answer.answers);
    response.insert_name_servers(answer.authority);
    response.insert_additionals(answer.additional);
    answer.rcode
}

/// Serves UDP on `socket` with `tasks` receivers until the task is dropped.
/// An UPDATE is answered in a task of its own (it waits on the database).
pub async fn serve_udp(catalog: Arc<Catalog>, socket: UdpSocket, tasks: usize, access: Access) {
    let socket = Arc::new(socket);
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..tasks.max(1) {
        let socket = socket.clone();
        let catalog = catalog.clone();
        let access = access.clone();
        set.spawn(async move {
            let mut buf = vec![0u8; 4_096];
            loop {
                let (n, peer) = match socket.recv_from(&mut buf).await {
                    Ok(r) => r,
                    Err(e) => {
                        tracing::debug!(error = %e, "UDP receive");
                        continue;
                    }
                };
                let bytes = &buf[..n];
                // Read once: a plain query is answered here, an UPDATE or
                // a signed message in a task of its own.
                let answer = match Message::from_vec(bytes) {
                    Ok(m) if is_update(&m) || is_signed(&m) => {
                        let (socket, catalog, access) =
                            (socket.clone(), catalog.clone(), access.clone());
                        let bytes = bytes.to_vec();
                        tokio::spawn(async move {
                            let answer = if is_update(&m) {
                                update::answer(
                                    &catalog,
                                    access.updater.as_deref(),
                                    &m,
                                    &bytes,
                                    peer,
                                )
                                .await
                            } else {
                                respond_signed(&catalog, &access, &m, &bytes, true).await
                            };
                            if let Some(answer) = answer {
                                if let Err(e) = socket.send_to(&answer, peer).await {
                                    tracing::debug!(error = %e, %peer, "UDP send");
                                }
                            }
                        });
                        continue;
                    }
                    Ok(m) => respond_to(&catalog, &m, true),
                    Err(_) => respond(&catalog, bytes, true),
                };
                if let Some(answer) = answer {
                    if let Err(e) = socket.send_to(&answer, peer).await {
                        tracing::debug!(error = %e, %peer, "UDP send");
                    }
                }
            }
        });
    }
    while set.join_next().await.is_some() {}
}

/// Serves DNS over TCP on `listener` until the task is dropped.
/// Zone transfers go to the peers and keys `access` allows.
pub async fn serve_tcp(catalog: Arc<Catalog>, listener: TcpListener, access: Arc<Access>) {
    let slots = Arc::new(tokio::sync::Semaphore::new(MAX_TCP_CONNECTIONS));
    loop {
        // At the limit, the next connection waits in the listen queue
        // until one closes (RFC 7766 §6.2.2: bound concurrent connections).
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let (stream, peer) = match listener.accept().await {
            Ok(s) => s,
            Err(e) => {
                tracing::debug!(error = %e, "TCP accept");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let catalog = catalog.clone();
        let access = access.clone();
        tokio::spawn(async move {
            if let Err(e) = tcp_connection(&catalog, &access, stream, peer).await {
                tracing::debug!(error = %e, %peer, "TCP connection");
            }
            drop(slot);
        });
    }
}

/// Answers length-prefixed messages on one connection until it closes or
/// idles.
async fn tcp_connection(
    catalog: &Catalog,
    access: &Access,
    mut stream: TcpStream,
    peer: SocketAddr,
) -> std::io::Result<()> {
    let mut buf = vec![0u8; 65_535];
    loop {
        let mut len = [0u8; 2];
        match tokio::time::timeout(TCP_IDLE, stream.read_exact(&mut len)).await {
            Ok(Ok(_)) => {}
            _ => return Ok(()),
        }
        let len = usize::from(u16::from_be_bytes(len));
        tokio::time::timeout(TCP_IDLE, stream.read_exact(&mut buf[..len]))
            .await
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))??;
        let answers: Vec<Vec<u8>> = match Message::from_vec(&buf[..len]) {
            Ok(m) if m.message_type() == MessageType::Query && transfer::is_transfer(&m) => {
                let mut out = TcpOut {
                    stream: &mut stream,
                    open: true,
                };
                transfer::answer(catalog, access, &m, &buf[..len], peer.ip(), &mut out).await;
                if !out.open {
                    return Ok(());
                }
                continue;
            }
            Ok(m) if is_update(&m) => {
                update::answer(catalog, access.updater.as_deref(), &m, &buf[..len], peer)
                    .await
                    .into_iter()
                    .collect()
            }
            Ok(m) if is_signed(&m) && m.message_type() == MessageType::Query => {
                respond_signed(catalog, access, &m, &buf[..len], false)
                    .await
                    .into_iter()
                    .collect()
            }
            Ok(m) => respond_to(catalog, &m, false).into_iter().collect(),
            Err(_) => respond(catalog, &buf[..len], false).into_iter().collect(),
        };
        if answers.is_empty() {
            return Ok(());
        }
        for answer in answers {
            if !write_message(&mut stream, &answer).await {
                return Ok(());
            }
        }
    }
}

/// Writes `message` with TCP's length prefix (RFC 1035 §4.2.2); `false`
/// when it could not be written in time or is too long for the prefix.
async fn write_message(stream: &mut TcpStream, message: &[u8]) -> bool {
    let Ok(prefix) = u16::try_from(message.len()) else {
        return false;
    };
    let mut out = Vec::with_capacity(message.len() + 2);
    out.extend_from_slice(&prefix.to_be_bytes());
    out.extend_from_slice(message);
    // A client that does not read its answers would hold the connection,
    // one of MAX_TCP_CONNECTIONS, for ever: it gets as long to take an
    // answer as to send a query.
    matches!(
        tokio::time::timeout(TCP_IDLE, stream.write_all(&out)).await,
        Ok(Ok(()))
    )
}

/// A zone transfer's messages written to the connection as they are made.
struct TcpOut<'a> {
    stream: &'a mut TcpStream,
    /// Whether every message so far was written.
    open: bool,
}

impl transfer::Out for TcpOut<'_> {
    async fn send(&mut self, message: Vec<u8>) -> bool {
        self.open = self.open && write_message(self.stream, &message).await;
        self.open
    }
}

/// Binds UDP and TCP on `addr` (the same port for both).
pub async fn bind(addr: SocketAddr) -> std::io::Result<(UdpSocket, TcpListener)> {
    // With port 0 the system picks a free UDP port, which may be taken for
    // TCP: then pick again (a few times).
    let tries = if addr.port() == 0 { 20 } else { 1 };
    let mut last = None;
    for _ in 0..tries {
        let udp = UdpSocket::bind(addr).await?;
        match TcpListener::bind(udp.local_addr()?).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no port for both UDP and TCP")))
}

/// Serves UDP and TCP until the returned future is dropped; zone
/// transfers and updates as `access` allows.
pub async fn serve(catalog: Arc<Catalog>, udp: UdpSocket, tcp: TcpListener, access: Access) {
    let tasks = std::thread::available_parallelism().map_or(2, |n| n.get());
    tokio::join!(
        serve_udp(catalog.clone(), udp, tasks, access.clone()),
        serve_tcp(catalog, tcp, Arc::new(access))
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zone::ZoneDefaults;

    fn catalog() -> Catalog {
        let defaults = ZoneDefaults {
            nameservers: vec!["ns1.vps.org".into(), "ns2.vps.org".into()],
            mail_exchanger: "mx.vps.org".into(),
            forward_addresses: Vec::new(),
        };
        Catalog::new(defaults, Arc::new(vpsd_domain::clock::SystemClock))
    }

    #[test]
    fn an_unreadable_query_gets_formerr_an_unreadable_response_nothing() {
        let catalog = catalog();
        // A header, then a question whose name points at itself.
        let query = [
            0x12, 0x34, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c, 0, 1, 0, 1,
        ];
        for udp in [true, false] {
            let answer = respond(&catalog, &query, udp).expect("FORMERR");
            let answer = Message::from_vec(&answer).expect("reads");
            assert_eq!(answer.response_code(), ResponseCode::FormErr);
            assert_eq!(answer.id(), 0x1234);
        }
        // The same with QR set is a response: never answered.
        let mut response = query;
        response[2] |= 0x80;
        assert_eq!(respond(&catalog, &response, true), None);
        assert_eq!(respond(&catalog, &response, false), None);
    }
}
