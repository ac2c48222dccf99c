//! Zone transfers out: AXFR (RFC 5936) over TCP, to the addresses the
//! operator allows (`--transfer-allow`; RFC 5936 §6 leaves access control
//! to the operator) and to requests signed (TSIG, RFC 8945) with one of
//! the zone's own keys or one of the operator's transfer keys
//! (`--transfer-key-file`, for secondaries), whose answers are signed with
//! it, every message
//! (RFC 8945 §5.3.1). A signature that does not verify is NOTAUTH with
//! its TSIG error, whatever the address. An IXFR (RFC 1995) is answered
//! with a single SOA when the client's serial is current (§2), with the
//! changes since the client's serial when the zone's history
//! (`journal.rs`) starts a change there (§4's incremental form), else with
//! the whole zone in AXFR form, which §4 allows.
//!
//! Each transfer is a sequence of messages on the connection, the zone's
//! SOA first and last (RFC 5936 §2.2), every message with the query's id
//! and AA set, the question in the first one only (§2.2.1). A peer not
//! allowed gets REFUSED (§2.2.1 lets the server refuse), and a name that
//! is not the apex of a zone we serve NOTAUTH.

use std::net::IpAddr;

use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::{DNSClass, RData, Record, RecordType};
use hickory_proto::serialize::binary::BinEncodable;

use crate::catalog::Catalog;
use crate::journal::Delta;
use crate::server::Access;
use crate::tsig::{self, Signer};
use crate::update::LookupFailed;

/// Records are packed into messages of about this many bytes (well under
/// the 65,535 a TCP message may take, so one large RRset still fits).
const MESSAGE_TARGET: usize = 16 * 1024;

/// Who may transfer zones: address ranges (CIDR). Empty: nobody.
#[derive(Debug, Clone, Default)]
pub struct TransferAcl {
    allowed: Vec<ipnet::IpNet>,
}

impl TransferAcl {
    /// The ranges allowed to transfer (`127.0.0.1/32`, `2001:db8::/64`).
    pub fn new(allowed: Vec<ipnet::IpNet>) -> Self {
        TransferAcl { allowed }
    }

    /// Whether `peer` may transfer zones. An IPv4 peer on an IPv6 socket
    /// (`::ffff:a.b.c.d`) is matched as IPv4.
    pub fn allows(&self, peer: IpAddr) -> bool {
        let peer = match peer {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(peer, IpAddr::V4),
            v4 => v4,
        };
        self.allowed.iter().any(|net| net.contains(&peer))
    }
}

/// Whether `request` asks a zone transfer (AXFR or IXFR, one question).
pub fn is_transfer(request: &Message) -> bool {
    request.op_code() == OpCode::Query
        && matches!(
            request.queries(),
            [q] if matches!(q.query_type(), RecordType::AXFR | RecordType::IXFR)
        )
}

/// A response to `request` with `rcode` and the question, nothing else.
fn bare(request: &Message, rcode: ResponseCode) -> Message {
    let mut m = Message::new();
    m.set_id(request.id())
        .set_message_type(MessageType::Response)
        .set_op_code(OpCode::Query)
        .set_response_code(rcode);
    m.add_queries(request.queries().iter().cloned());
    m
}

/// Where the messages of a transfer go, each as soon as it is made (a
/// large zone is never held whole as messages).
pub trait Out: Send {
    /// Sends `message` (serialized, without TCP's length prefix); `false`
    /// when it could not be sent, which ends the transfer.
    fn send(&mut self, message: Vec<u8>) -> impl std::future::Future<Output = bool> + Send;
}

/// Collects the messages (tests, and anything that wants them all).
impl Out for Vec<Vec<u8>> {
    async fn send(&mut self, message: Vec<u8>) -> bool {
        self.push(message);
        true
    }
}

/// Answers transfer request `request` (read from `bytes`) from `peer`,
/// its messages sent to `out` one by one.
pub async fn answer(
    catalog: &Catalog,
    access: &Access,
    request: &Message,
    bytes: &[u8],
    peer: IpAddr,
    out: &mut impl Out,
) {
    let Some(query) = request.queries().first() else {
        return;
    };
    let qname = query.name().to_lowercase().to_ascii();
    let qname = qname.trim_end_matches('.');
    let now = tsig::now();
    // A signed request: its key decides, and every answer is signed.
    let signature = match tsig::signature(request, bytes) {
        Ok(s) => s,
        Err(tsig::Unreadable) => {
            return one(bare(request, ResponseCode::FormErr), None, now, out).await
        }
    };
    let mut signer = None;
    let mut key = None;
    if let Some(signature) = &signature {
        key = match access.key(&signature.key_name).await {
            Ok(k) => k,
            Err(LookupFailed) => {
                return one(bare(request, ResponseCode::ServFail), None, now, out).await
            }
        };
        match tsig::check(signature, key.as_ref(), now) {
            Ok(verified) => {
                if let Some(k) = &key {
                    signer = Some(Signer::new(k, signature, verified));
                }
            }
            Err(refusal) => {
                tracing::info!(%peer, zone = qname, key = %signature.key_name, ?refusal, "zone transfer refused: its TSIG signature does not verify");
                let mut m = bare(request, ResponseCode::NotAuth);
                if tsig::refuse(&mut m, signature, key.as_ref(), refusal, now).is_none() {
                    return;
                }
                if let Ok(bytes) = m.to_vec() {
                    out.send(bytes).await;
                }
                return;
            }
        }
    }
    // A zone's own key transfers that zone; an operator's key, any.
    let key_allows = key
        .as_ref()
        .is_some_and(|k| k.zone == qname || k.zone.is_empty());
    if !key_allows && !access.acl.allows(peer) {
        tracing::info!(%peer, zone = qname, "zone transfer refused: neither the peer is in --transfer-allow nor the request signed with a key of the zone");
        return one(bare(request, ResponseCode::Refused), signer, now, out).await;
    }
    if query.query_class() != DNSClass::IN {
        return one(bare(request, ResponseCode::Refused), signer, now, out).await;
    }
    // The client's serial, for IXFR: the zone's SOA in the authority
    // section (RFC 1995 §3); an IXFR without it is malformed.
    let theirs = if query.query_type() == RecordType::IXFR {
        let soa = request.name_servers().iter().find_map(|r| match r.data() {
            RData::SOA(s) if r.name().to_lowercase() == query.name().to_lowercase() => {
                Some(s.serial())
            }
            _ => None,
        });
        if soa.is_none() {
            return one(bare(request, ResponseCode::FormErr), signer, now, out).await;
        }
        soa
    } else {
        None
    };
    if let Some(cz) = catalog.catalog_zone().filter(|c| c.name == qname) {
        // The list of every zone: only to those that may transfer every
        // zone (RFC 9432 §7), not to a zone's own key.
        if !key.as_ref().is_some_and(|k| k.zone.is_empty()) && !access.acl.allows(peer) {
            tracing::info!(%peer, zone = qname, "catalog zone transfer refused: only --transfer-allow peers and the operator's transfer keys take it");
            return one(bare(request, ResponseCode::Refused), signer, now, out).await;
        }
        if let Some((serial, deltas)) = theirs.and_then(|s| cz.since(s)) {
            let soa = cz.soa_at(serial);
            let records = incremental(soa, deltas.iter().map(|d| &**d), |s| cz.soa_at(s));
            let sent = stream(request, records, signer, now, out).await;
            tracing::info!(%peer, zone = qname, from = theirs, serial, messages = sent, "catalog zone transferred, incremental");
            return;
        }
        let current = cz.serial();
        if theirs.is_some_and(|s| current.wrapping_sub(s) as i32 <= 0) {
            let mut m = bare(request, ResponseCode::NoError);
            m.set_authoritative(true);
            m.add_answer(cz.soa_at(current));
            return one(m, signer, now, out).await;
        }
        let (serial, records) = cz.records();
        let records = records
            .into_iter()
            .chain(std::iter::once(cz.soa_at(serial)));
        let sent = stream(request, records, signer, now, out).await;
        tracing::info!(%peer, zone = qname, serial, messages = sent, "catalog zone transferred");
        return;
    }
    let Some(zone) = catalog.find(qname).filter(|z| z.name == qname) else {
        return one(bare(request, ResponseCode::NotAuth), signer, now, out).await;
    };
    let soa = zone.soa(crate::zone::SOA_TTL);
    // The client's SOA at our serial or newer: nothing to send but the
    // SOA (RFC 1995 §2; serial arithmetic, RFC 1982).
    if theirs.is_some_and(|s| zone.serial.wrapping_sub(s) as i32 <= 0) {
        let mut m = bare(request, ResponseCode::NoError);
        m.set_authoritative(true);
        m.add_answer(soa);
        return one(m, signer, now, out).await;
    }
    if let Some(deltas) = theirs.and_then(|s| zone.journal.since(s)) {
        let records = incremental(soa, deltas, |s| zone.soa_at(s));
        let sent = stream(request, records, signer, now, out).await;
        tracing::info!(%peer, zone = qname, from = theirs, serial = zone.serial, messages = sent, "zone transferred, incremental");
        return;
    }
    // AXFR, or IXFR from a serial the history does not have: the whole
    // zone, SOA first and last (RFC 5936 §2.2; RFC 1995 §4).
    let records = zone.each_record().chain(std::iter::once(soa));
    let sent = stream(request, records, signer, now, out).await;
    tracing::info!(%peer, zone = qname, serial = zone.serial, messages = sent, "zone transferred");
}

/// The records of an IXFR answer in RFC 1995 §4's incremental form: the
/// new SOA `soa`, then per change the old SOA, what went, the newer SOA,
/// what came (`soa_at` makes the SOA of a serial); the new SOA last.
fn incremental<'a>(
    soa: Record,
    deltas: impl Iterator<Item = &'a Delta> + Send + 'a,
    soa_at: impl Fn(u32) -> Record + Send + 'a,
) -> impl Iterator<Item = Record> + Send + 'a {
    std::iter::once(soa.clone())
        .chain(deltas.flat_map(move |d| {
            std::iter::once(soa_at(d.from))
                .chain(d.removed.iter().cloned())
                .chain(std::iter::once(soa_at(d.to)))
                .chain(d.added.iter().cloned())
        }))
        .chain(std::iter::once(soa))
}

/// Sends `records` as the answers of messages of about [`MESSAGE_TARGET`]
/// bytes, the question in the first only, each signed when `signer` is
/// given; how many messages were sent (it stops at the first `out`
/// refuses).
async fn stream(
    request: &Message,
    records: impl Iterator<Item = Record>,
    mut signer: Option<Signer<'_>>,
    now: u64,
    out: &mut impl Out,
) -> usize {
    let mut sent = 0;
    let mut message = bare(request, ResponseCode::NoError);
    message.set_authoritative(true);
    let mut size = 0;
    for record in records {
        let len = record_len(&record);
        if size > 0 && size + len > MESSAGE_TARGET {
            let mut next = bare(request, ResponseCode::NoError);
            next.take_queries();
            next.set_authoritative(true);
            let full = std::mem::replace(&mut message, next);
            if !send(full, signer.as_mut(), now, out).await {
                return sent;
            }
            sent += 1;
            size = 0;
        }
        size += len;
        message.add_answer(record);
    }
    if send(message, signer.as_mut(), now, out).await {
        sent += 1;
    }
    sent
}

/// Signs (when `signer` is given), serializes and sends `m`; whether it
/// went.
async fn send(
    mut m: Message,
    signer: Option<&mut Signer<'_>>,
    now: u64,
    out: &mut impl Out,
) -> bool {
    if let Some(s) = signer {
        if s.sign(&mut m, now, 0).is_none() {
            return false;
        }
    }
    match m.to_vec() {
        Ok(bytes) => out.send(bytes).await,
        Err(_) => false,
    }
}

/// Sends one message, signed when `signer` is given.
async fn one(m: Message, mut signer: Option<Signer<'_>>, now: u64, out: &mut impl Out) {
    send(m, signer.as_mut(), now, out).await;
}

/// A record's size on the wire, without name compression (an upper bound).
fn record_len(record: &Record) -> usize {
    record.to_bytes().map_or(512, |b| b.len())
}
