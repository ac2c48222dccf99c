//! Zone transfers out: AXFR (RFC 5936) over TCP, to the addresses the
//! operator allows (`--transfer-allow`; RFC 5936 §6 leaves access control
//! to the operator) and to requests signed (TSIG, RFC 8945) with one of
//! the zone's own keys or one of the operator's transfer keys
//! (`--transfer-key-file`, for secondaries), whose answers are signed with
//! it, every message
//! (RFC 8945 §5.3.1). A signature that does not verify is NOTAUTH with
//! its TSIG error, whatever the address. An IXFR (RFC 1995) is answered from the zone as it
//! stands: a single SOA when the client's serial is current (§2), else the
//! whole zone in AXFR form, which §4 allows a server without the history.
//!
//! Each transfer is a sequence of messages on the connection, the zone's
//! SOA first and last (RFC 5936 §2.2), every message with the query's id
//! and AA set, the question in the first one only (§2.2.1). A peer not
//! allowed gets REFUSED (§2.2.1 lets the server refuse), and a name that
//! is not the apex of a zone we serve NOTAUTH.

use std::net::IpAddr;

use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::{RData, Record, RecordType};
use hickory_proto::serialize::binary::BinEncodable;

use crate::catalog::Catalog;
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

/// The messages answering transfer request `request` (read from `bytes`)
/// from `peer`, each serialized (without TCP's length prefix).
pub async fn answer(
    catalog: &Catalog,
    access: &Access,
    request: &Message,
    bytes: &[u8],
    peer: IpAddr,
) -> Vec<Vec<u8>> {
    let Some(query) = request.queries().first() else {
        return Vec::new();
    };
    let qname = query.name().to_lowercase().to_ascii();
    let qname = qname.trim_end_matches('.');
    let now = tsig::now();
    // A signed request: its key decides, and every answer is signed.
    let signature = match tsig::signature(request, bytes) {
        Ok(s) => s,
        Err(tsig::Unreadable) => return one(bare(request, ResponseCode::FormErr), None, now),
    };
    let mut signer = None;
    let mut key = None;
    if let Some(signature) = &signature {
        key = match access.key(&signature.key_name).await {
            Ok(k) => k,
            Err(LookupFailed) => return one(bare(request, ResponseCode::ServFail), None, now),
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
                    return Vec::new();
                }
                return m.to_vec().ok().into_iter().collect();
            }
        }
    }
    // A zone's own key transfers that zone; an operator's key, any.
    let key_allows = key
        .as_ref()
        .is_some_and(|k| k.zone == qname || k.zone.is_empty());
    if !key_allows && !access.acl.allows(peer) {
        tracing::info!(%peer, zone = qname, "zone transfer refused: neither the peer is in --transfer-allow nor the request signed with a key of the zone");
        return one(bare(request, ResponseCode::Refused), signer, now);
    }
    let Some(zone) = catalog.find(qname).filter(|z| z.name == qname) else {
        return one(bare(request, ResponseCode::NotAuth), signer, now);
    };
    let mut serialize = |mut m: Message| {
        if let Some(s) = signer.as_mut() {
            s.sign(&mut m, now, 0)?;
        }
        m.to_vec().ok()
    };
    let soa = zone.soa(crate::zone::SOA_TTL);
    // IXFR with the client's SOA at our serial or newer: nothing to send
    // but the SOA (RFC 1995 §2; serial arithmetic, RFC 1982).
    if query.query_type() == RecordType::IXFR {
        let theirs = request.name_servers().iter().find_map(|r| match r.data() {
            RData::SOA(s) => Some(s.serial()),
            _ => None,
        });
        if theirs.is_some_and(|s| zone.serial.wrapping_sub(s) as i32 <= 0) {
            let mut m = bare(request, ResponseCode::NoError);
            m.set_authoritative(true);
            m.add_answer(soa);
            return serialize(m).into_iter().collect();
        }
    }
    let mut records = zone.records();
    records.push(soa);
    let mut out = Vec::new();
    let mut message = bare(request, ResponseCode::NoError);
    message.set_authoritative(true);
    let mut size = 0;
    for record in records {
        let len = record_len(&record);
        if size > 0 && size + len > MESSAGE_TARGET {
            out.extend(serialize(std::mem::replace(&mut message, {
                let mut next = bare(request, ResponseCode::NoError);
                next.take_queries();
                next.set_authoritative(true);
                next
            })));
            size = 0;
        }
        size += len;
        message.add_answer(record);
    }
    out.extend(serialize(message));
    tracing::info!(%peer, zone = qname, serial = zone.serial, messages = out.len(), "zone transferred");
    out
}

/// One message, signed when `signer` is given.
fn one(mut m: Message, signer: Option<Signer<'_>>, now: u64) -> Vec<Vec<u8>> {
    if let Some(mut s) = signer {
        if s.sign(&mut m, now, 0).is_none() {
            return Vec::new();
        }
    }
    m.to_vec().ok().into_iter().collect()
}

/// A record's size on the wire, without name compression (an upper bound).
fn record_len(record: &Record) -> usize {
    record.to_bytes().map_or(512, |b| b.len())
}
