//! Dynamic updates (RFC 2136), signed with one of the zone's TSIG keys
//! (RFC 8945): the message read and checked here (§3.1 zone section,
//! §3.2.1 and §3.4.1 the sections' forms, RCODEs FORMERR, NOTZONE,
//! NOTAUTH), its records turned into the records API's checked records,
//! then handed to the registrar's write path through [`Updater`], which
//! checks the prerequisites and applies the update in one transaction.
//!
//! An unsigned update is REFUSED (updates here need a key); a key of
//! another zone is REFUSED too, and so is a signed update sent again (its
//! MAC seen already: a replay within the fudge). Records are checked by the records API's
//! rules; a TTL outside its range (60 s to a day) is brought inside it
//! rather than refused, since ACME clients ask for 10 to 120 s. Updates
//! of the SOA and of the apex NS records (VPS.org's own) are ignored,
//! as RFC 2136 §3.4.2 ignores deleting them. Every refusal is logged
//! with the peer, the zone and the key's name, never the secret.

use std::net::SocketAddr;

use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use hickory_proto::serialize::binary::BinEncodable;
use vpsd_domain::dns::tsig::TsigAlgorithm;
use vpsd_domain::dns::update::{Operation, Prerequisite, PrerequisiteFailed, UpdateType};
use vpsd_domain::dns::zone_file::quote_bytes;
use vpsd_domain::dns::{self as rules, RecordInput, MAX_TTL, MIN_TTL};

use crate::catalog::Catalog;
use crate::tsig::{self, Signer};

/// A zone's TSIG key, as the nameserver needs it. `Debug` leaves the
/// secret out.
#[derive(Clone)]
pub struct ZoneKey {
    pub key_id: vpsd_domain::TsigKeyId,
    pub account_id: vpsd_domain::AccountId,
    pub domain_id: vpsd_domain::DomainId,
    /// The key's name, lower case, no final dot.
    pub name: String,
    /// The zone it may update and transfer; empty for an operator's
    /// transfer key (`--transfer-key-file`), which transfers every zone
    /// and updates none.
    pub zone: String,
    pub algorithm: TsigAlgorithm,
    /// The secret, raw bytes.
    pub secret: Vec<u8>,
}

impl std::fmt::Debug for ZoneKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZoneKey")
            .field("name", &self.name)
            .field("zone", &self.zone)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// What became of an update handed to the [`Updater`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Done (or nothing to change): NOERROR.
    Done,
    /// A prerequisite failed: its RCODE.
    PrerequisiteFailed(PrerequisiteFailed),
    /// The records API's rules refuse the zone it would leave: REFUSED.
    Refused,
    /// The key's zone is gone: NOTAUTH.
    NoZone,
    /// The database failed: SERVFAIL.
    Failed,
}

/// A key could not be looked up (the database failed; logged where it
/// failed): SERVFAIL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LookupFailed;

/// What the nameserver needs from the registrar for signed messages: the
/// zones' TSIG keys and the write path of updates.
#[async_trait::async_trait]
pub trait Updater: Send + Sync {
    /// The key named `name` (lower case, no final dot) with its secret;
    /// `None` when there is none. [`LookupFailed`] when it cannot be told
    /// (the database failed: SERVFAIL).
    async fn key(&self, name: &str) -> Result<Option<ZoneKey>, LookupFailed>;

    /// Applies an update to `key`'s zone, all or nothing.
    async fn apply(
        &self,
        key: &ZoneKey,
        prerequisites: &[Prerequisite],
        operations: &[Operation],
    ) -> Applied;
}

/// The response's skeleton: the request's id, opcode UPDATE and zone
/// section (RFC 2136 §3.8).
fn response_to(request: &Message, rcode: ResponseCode) -> Message {
    let mut m = Message::new();
    m.set_id(request.id())
        .set_message_type(MessageType::Response)
        .set_op_code(OpCode::Update)
        .set_response_code(rcode);
    m.add_queries(request.queries().iter().cloned());
    m
}

/// The answer to UPDATE `request` (as read from `bytes`) from `peer`,
/// serialized; `None` when nothing can be written.
pub async fn answer(
    catalog: &Catalog,
    updater: Option<&dyn Updater>,
    request: &Message,
    bytes: &[u8],
    peer: SocketAddr,
) -> Option<Vec<u8>> {
    let zone_name = request
        .queries()
        .first()
        .map(|q| lower(q.name()))
        .unwrap_or_default();
    let Some(updater) = updater else {
        tracing::info!(%peer, zone = %zone_name, "update refused: this nameserver takes no updates");
        return response_to(request, ResponseCode::Refused).to_vec().ok();
    };
    let signature = match tsig::signature(request, bytes) {
        Ok(Some(s)) => s,
        Ok(None) => {
            tracing::info!(%peer, zone = %zone_name, "update refused: not signed (updates need one of the zone's TSIG keys)");
            return response_to(request, ResponseCode::Refused).to_vec().ok();
        }
        Err(tsig::Unreadable) => return response_to(request, ResponseCode::FormErr).to_vec().ok(),
    };
    let key = match updater.key(&signature.key_name).await {
        Ok(k) => k,
        Err(LookupFailed) => return response_to(request, ResponseCode::ServFail).to_vec().ok(),
    };
    let now = tsig::now();
    let verified = match tsig::check(&signature, key.as_ref(), now) {
        Ok(v) => v,
        Err(refusal) => {
            tracing::info!(%peer, zone = %zone_name, key = %signature.key_name, ?refusal, "update refused: its TSIG signature does not verify");
            let mut response = response_to(request, ResponseCode::NotAuth);
            tsig::refuse(&mut response, &signature, key.as_ref(), refusal, now)?;
            return response.to_vec().ok();
        }
    };
    let key = key?;
    let rcode = if first_use(&signature.mac, signature.time, now) {
        update(catalog, updater, &key, request, peer).await
    } else {
        tracing::info!(%peer, zone = %zone_name, key = %key.name, "update refused: the same signed message was taken already (a replay)");
        ResponseCode::Refused
    };
    let mut response = response_to(request, rcode);
    Signer::new(&key, &signature, verified).sign(&mut response, now, 0)?;
    response.to_vec().ok()
}

/// The MACs of the updates taken in the last fudge windows, with their
/// signing times: a signed UPDATE sent again (RFC 8945 §5.2.3 lets one be
/// replayed within the fudge) is taken once. Per process; a MAC is as
/// unique as the message and time it covers.
#[allow(clippy::type_complexity)]
static SEEN: std::sync::Mutex<Option<(std::collections::HashMap<Vec<u8>, u64>, u64)>> =
    std::sync::Mutex::new(None);

/// Whether the update signed with `mac` at `time` is seen for the first
/// time (and notes it); entries older than twice the fudge are forgotten.
fn first_use(mac: &[u8], time: u64, now: u64) -> bool {
    let mut guard = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    let (seen, purged) = guard.get_or_insert_with(|| (Default::default(), now));
    // Forgotten once a minute at most: the cost stays per message.
    if now >= *purged + 60 {
        let horizon = now.saturating_sub(2 * u64::from(tsig::FUDGE));
        seen.retain(|_, t| *t >= horizon);
        *purged = now;
    }
    seen.insert(mac.to_vec(), time).is_none()
}

/// The name, lower case, without the final dot.
fn lower(name: &Name) -> String {
    name.to_lowercase()
        .to_ascii()
        .trim_end_matches('.')
        .to_owned()
}

/// Why a record cannot be taken: the RCODE.
type Fault = ResponseCode;

/// `name` relative to `zone` (`@` for the apex); NOTZONE outside it.
fn relative(zone: &str, name: &Name) -> Result<String, Fault> {
    let name = lower(name);
    if name == zone {
        return Ok("@".to_owned());
    }
    match name.strip_suffix(zone) {
        Some(rest) if rest.ends_with('.') => Ok(rest.trim_end_matches('.').to_owned()),
        _ => Err(ResponseCode::NotZone),
    }
}

/// The type of `rtype` at `name`, as the update rules see it.
fn update_type(rtype: RecordType, name: &str) -> UpdateType {
    match rtype {
        RecordType::SOA => UpdateType::Soa,
        RecordType::NS if name == "@" => UpdateType::ApexNs,
        other => match rules::RecordType::parse(&other.to_string()) {
            Some(t) => UpdateType::Served(t),
            None => UpdateType::Other,
        },
    }
}

/// A name in RDATA as the records API takes it: absolute, `.` for the root.
fn rdata_name(name: &Name) -> String {
    if name.is_root() {
        ".".to_owned()
    } else {
        let mut s = name.to_ascii();
        if !s.ends_with('.') {
            s.push('.');
        }
        s
    }
}

/// The records API's input for a record of the update: content and
/// priority from its RDATA. `None` for a type it does not keep.
fn input(name: &str, record: &Record, ttl: u32) -> Option<RecordInput> {
    let (rtype, content, priority) = match record.data() {
        RData::A(a) => ("A", a.0.to_string(), None),
        RData::AAAA(a) => ("AAAA", a.0.to_string(), None),
        RData::CNAME(c) => ("CNAME", rdata_name(&c.0), None),
        RData::NS(n) => ("NS", rdata_name(&n.0), None),
        RData::MX(mx) => (
            "MX",
            rdata_name(mx.exchange()),
            Some(i64::from(mx.preference())),
        ),
        RData::SRV(srv) => (
            "SRV",
            format!(
                "{} {} {}",
                srv.weight(),
                srv.port(),
                rdata_name(srv.target())
            ),
            Some(i64::from(srv.priority())),
        ),
        RData::TXT(txt) => (
            "TXT",
            txt.txt_data()
                .iter()
                .map(|s| quote_bytes(s))
                .collect::<Vec<_>>()
                .join(" "),
            None,
        ),
        data if record.record_type() == RecordType::CAA => {
            // Flags, tag length, tag, value (RFC 8659 §4.1), from the
            // wire form, so no value is lost to a reader's idea of it.
            let wire = data.to_bytes().ok()?;
            let (&flags, rest) = wire.split_first()?;
            let (&len, rest) = rest.split_first()?;
            let tag = rest.get(..usize::from(len))?;
            // The records API keeps a value as UTF-8 text between quotes,
            // served back byte for byte; one it cannot keep so (a `"`, a
            // control character, bytes that are not UTF-8) is not taken.
            let value = std::str::from_utf8(rest.get(usize::from(len)..)?).ok()?;
            if value.contains('"') || value.chars().any(char::is_control) {
                return None;
            }
            (
                "CAA",
                format!("{flags} {} \"{value}\"", String::from_utf8_lossy(tag)),
                None,
            )
        }
        _ => return None,
    };
    Some(RecordInput {
        name: Some(if name == "@" {
            "@".to_owned()
        } else {
            name.to_owned()
        }),
        rtype: Some(rtype.to_owned()),
        content: Some(content),
        // A TTL with the top bit set is 0 (RFC 2181 §8), then raised.
        ttl: Some(i64::from(
            if ttl > i32::MAX as u32 { 0 } else { ttl }.clamp(MIN_TTL, MAX_TTL),
        )),
        priority,
    })
}

/// Whether `rtype` is a query-only type, never a record's (RFC 2136
/// §3.4.1.3: FORMERR in an update).
fn meta(rtype: RecordType) -> bool {
    matches!(
        rtype,
        RecordType::ANY | RecordType::AXFR | RecordType::IXFR | RecordType::OPT
    ) || matches!(u16::from(rtype), 253 | 254)
}

/// Reads and applies the update; its RCODE.
async fn update(
    catalog: &Catalog,
    updater: &dyn Updater,
    key: &ZoneKey,
    request: &Message,
    peer: SocketAddr,
) -> ResponseCode {
    // §3.1.1: one zone, of type SOA.
    let [zone] = request.queries() else {
        return ResponseCode::FormErr;
    };
    if zone.query_type() != RecordType::SOA {
        return ResponseCode::FormErr;
    }
    let zone_name = lower(zone.name());
    if zone.query_class() != DNSClass::IN
        || catalog
            .find(&zone_name)
            .filter(|z| z.name == zone_name)
            .is_none()
    {
        tracing::info!(%peer, zone = %zone_name, key = %key.name, "update refused: not a zone served here (NOTAUTH)");
        return ResponseCode::NotAuth;
    }
    if key.zone != zone_name {
        tracing::info!(%peer, zone = %zone_name, key = %key.name, "update refused: the key is another zone's");
        return ResponseCode::Refused;
    }
    let prerequisites = match prerequisites(&zone_name, request.answers()) {
        Ok(p) => p,
        Err(rcode) => return rcode,
    };
    let operations = match operations(&zone_name, request.name_servers()) {
        Ok(o) => o,
        Err(rcode) => {
            if rcode == ResponseCode::Refused {
                tracing::info!(%peer, zone = %zone_name, key = %key.name, "update refused: a record the records API does not take");
            }
            return rcode;
        }
    };
    let applied = updater.apply(key, &prerequisites, &operations).await;
    match applied {
        Applied::Done => {
            // The key's `last_used_at` was set with the change (docs/api.md).
            tracing::info!(%peer, zone = %zone_name, key = %key.name, operations = operations.len(), "update applied");
            ResponseCode::NoError
        }
        Applied::PrerequisiteFailed(f) => match f {
            PrerequisiteFailed::YxDomain => ResponseCode::YXDomain,
            PrerequisiteFailed::NxDomain => ResponseCode::NXDomain,
            PrerequisiteFailed::YxRrset => ResponseCode::YXRRSet,
            PrerequisiteFailed::NxRrset => ResponseCode::NXRRSet,
        },
        Applied::Refused => {
            tracing::info!(%peer, zone = %zone_name, key = %key.name, "update refused: the zone it leaves breaks the records API's rules");
            ResponseCode::Refused
        }
        Applied::NoZone => ResponseCode::NotAuth,
        Applied::Failed => ResponseCode::ServFail,
    }
}

/// The prerequisite section read (RFC 2136 §3.2.1, §2.4); value-dependent
/// ones gathered by name and type (§3.2.3).
fn prerequisites(zone: &str, records: &[Record]) -> Result<Vec<Prerequisite>, Fault> {
    let mut out = Vec::new();
    // Name, type, data, and whether every datum could be read.
    let mut values: Vec<(String, UpdateType, Vec<rules::Rdata>, bool)> = Vec::new();
    for r in records {
        if r.ttl() != 0 {
            return Err(ResponseCode::FormErr);
        }
        let name = relative(zone, r.name())?;
        let empty = matches!(r.data(), RData::Update0(_));
        match r.dns_class() {
            DNSClass::ANY | DNSClass::NONE if !empty => return Err(ResponseCode::FormErr),
            DNSClass::ANY if r.record_type() == RecordType::ANY => {
                out.push(Prerequisite::NameInUse { name });
            }
            DNSClass::ANY => out.push(Prerequisite::RrsetExists {
                rtype: update_type(r.record_type(), &name),
                name,
            }),
            DNSClass::NONE if r.record_type() == RecordType::ANY => {
                out.push(Prerequisite::NameNotInUse { name });
            }
            DNSClass::NONE => out.push(Prerequisite::RrsetDoesNotExist {
                rtype: update_type(r.record_type(), &name),
                name,
            }),
            DNSClass::IN if !empty && !meta(r.record_type()) => {
                let rtype = update_type(r.record_type(), &name);
                let rdata = input(&name, r, MIN_TTL)
                    .and_then(|i| rules::validate(zone, &i).ok())
                    .map(|d| d.rdata);
                let i = match values
                    .iter()
                    .position(|(n, t, _, _)| *n == name && *t == rtype)
                {
                    Some(i) => i,
                    None => {
                        values.push((name, rtype, Vec::new(), true));
                        values.len() - 1
                    }
                };
                match rdata {
                    Some(d) => values[i].2.push(d),
                    // Data the records API cannot read is in no RRset here.
                    None => values[i].3 = false,
                }
            }
            _ => return Err(ResponseCode::FormErr),
        }
    }
    out.extend(values.into_iter().map(|(name, rtype, rdatas, readable)| {
        Prerequisite::RrsetEquals {
            name,
            rtype: if readable { rtype } else { UpdateType::Other },
            rdatas,
        }
    }));
    Ok(out)
}

/// The update section read (RFC 2136 §3.4.1, §2.5) into operations, each
/// added record checked by the records API's rules.
fn operations(zone: &str, records: &[Record]) -> Result<Vec<Operation>, Fault> {
    let mut out = Vec::new();
    for r in records {
        let name = relative(zone, r.name())?;
        let rtype = r.record_type();
        let empty = matches!(r.data(), RData::Update0(_));
        match r.dns_class() {
            DNSClass::IN => {
                if meta(rtype) || empty {
                    return Err(ResponseCode::FormErr);
                }
                match update_type(rtype, &name) {
                    // VPS.org's own records: left as they are.
                    UpdateType::Soa | UpdateType::ApexNs => {}
                    UpdateType::Other => return Err(ResponseCode::Refused),
                    UpdateType::Served(_) => {
                        let input = input(&name, r, r.ttl()).ok_or(ResponseCode::Refused)?;
                        let data =
                            rules::validate(zone, &input).map_err(|_| ResponseCode::Refused)?;
                        out.push(Operation::Add(data));
                    }
                }
            }
            DNSClass::ANY => {
                if r.ttl() != 0 || !empty || (meta(rtype) && rtype != RecordType::ANY) {
                    return Err(ResponseCode::FormErr);
                }
                if rtype == RecordType::ANY {
                    out.push(Operation::DeleteName { name });
                } else {
                    out.push(Operation::DeleteRrset {
                        rtype: update_type(rtype, &name),
                        name,
                    });
                }
            }
            DNSClass::NONE => {
                if r.ttl() != 0 || meta(rtype) || empty {
                    return Err(ResponseCode::FormErr);
                }
                if let UpdateType::Served(_) = update_type(rtype, &name) {
                    // Data the records API cannot read is not in the zone.
                    if let Some(data) =
                        input(&name, r, MIN_TTL).and_then(|i| rules::validate(zone, &i).ok())
                    {
                        out.push(Operation::DeleteRecord {
                            name,
                            rdata: data.rdata,
                        });
                    }
                }
            }
            _ => return Err(ResponseCode::FormErr),
        }
    }
    Ok(out)
}
