//! One zone as the nameserver holds it: the records of the API in wire
//! form (written from their typed data by [`crate::rdata`]) by owner name, the names that exist only because names below them
//! do (empty non-terminals), the delegations, and the SOA and NS records
//! every apex gets. How a question is answered from it is [`crate::answer`].
//!
//! - The apex has the SOA and VPS.org's NS records (synthesized), besides
//!   the customer's records.
//! - NS records below the apex are delegations (zone cuts).
//! - What forwarding needs is added where the zone has nothing of its own:
//!   the apex MX of email forwarding, the A/AAAA of URL-forwarded hosts.

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use hickory_proto::rr::rdata::{A, AAAA, MX, NS, SOA};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use vpsd_domain::dns;
use vpsd_storage::ZoneSource;

use crate::answer::Answer;
use crate::journal::Journal;
use crate::rdata::rdata;

/// The SOA's timers (RFC 1912 §2.2 values for a zone served by one
/// primary from a database).
pub(crate) const SOA_TTL: u32 = 3_600;
const SOA_REFRESH: i32 = 3_600;
const SOA_RETRY: i32 = 600;
const SOA_EXPIRE: i32 = 1_209_600;
/// The SOA's MINIMUM, which is the TTL of negative answers (RFC 2308 §4,
/// §5: the smaller of it and the SOA's own TTL).
pub(crate) const NEGATIVE_TTL: u32 = 300;

/// What every zone gets besides its own records.
#[derive(Debug, Clone)]
pub struct ZoneDefaults {
    /// VPS.org's nameservers: the apex's NS records, the SOA's primary.
    pub nameservers: Vec<String>,
    /// The host that receives mail for forwarded addresses: the apex's MX
    /// when the domain has email forwards and no MX of its own.
    pub mail_exchanger: String,
    /// The URL forwarding listener's public addresses: A/AAAA records of a
    /// forwarded host that has no A, AAAA or CNAME of its own.
    pub forward_addresses: Vec<IpAddr>,
}

impl ZoneDefaults {
    /// What every apex holds, built once: `None` without a nameserver.
    pub fn apex(&self) -> Option<Arc<Apex>> {
        let ns: Vec<Name> = self
            .nameservers
            .iter()
            .filter_map(|n| absolute(n))
            .collect();
        let primary = ns.first()?.clone();
        // hostmaster at the parent of the primary nameserver (vps.org).
        let rname = Name::from_ascii("hostmaster")
            .ok()?
            .append_domain(&primary.base_name())
            .ok()?;
        Some(Arc::new(Apex { primary, rname, ns }))
    }
}

/// The SOA's names and the NS records' targets, shared by every zone; a
/// zone's SOA and NS records are made from them when asked, so a zone
/// without records of its own costs little memory.
#[derive(Debug)]
pub struct Apex {
    primary: Name,
    rname: Name,
    ns: Vec<Name>,
}

impl Apex {
    /// The SOA of the zone at `apex` with `serial`, and `ttl` seconds
    /// (RFC 1035 §3.3.13; the timers of RFC 1912 §2.2, the MINIMUM the
    /// negative-answer TTL of RFC 2308 §4).
    pub fn soa(&self, apex: &Name, serial: u32, ttl: u32) -> Record {
        let soa = SOA::new(
            self.primary.clone(),
            self.rname.clone(),
            serial,
            SOA_REFRESH,
            SOA_RETRY,
            SOA_EXPIRE,
            NEGATIVE_TTL,
        );
        Record::from_rdata(apex.clone(), ttl, RData::SOA(soa))
    }

    /// What every zone serves at its apex `apex`: the SOA (with `serial`)
    /// and VPS.org's NS records, with the SOA's TTL.
    pub fn records(&self, apex: &Name, serial: u32) -> Vec<Record> {
        let mut out = Vec::with_capacity(1 + self.ns.len());
        out.push(self.soa(apex, serial, SOA_TTL));
        out.extend(
            self.ns
                .iter()
                .map(|ns| Record::from_rdata(apex.clone(), SOA_TTL, RData::NS(NS(ns.clone())))),
        );
        out
    }
}

/// A zone's SOA serial from its domain's `dns_serial` (RFC 1982 serial
/// arithmetic wraps at 2^32).
pub fn serial(dns_serial: i64) -> u32 {
    u32::try_from(dns_serial.rem_euclid(1 << 32)).unwrap_or(1)
}

/// Preference of the MX added for email forwarding.
const FORWARD_MX_PREFERENCE: u16 = 10;
/// TTL of the records forwarding adds.
const FORWARD_TTL: u32 = 3_600;

#[derive(Debug)]
pub struct Zone {
    pub domain_id: vpsd_domain::DomainId,
    /// The zone's name, lower case, without the final dot.
    pub name: String,
    pub serial: u32,
    /// The domain is served until it expires (the worker's `expired` may
    /// come a moment later).
    pub expires: DateTime<Utc>,
    apex: Name,
    shared: Arc<Apex>,
    /// Records by owner name relative to the zone (`@`, `www`, `*.dev`).
    nodes: HashMap<String, Vec<Record>>,
    /// Names that exist only because names below them do.
    nonterminals: HashSet<String>,
    /// Names below the apex with NS records: delegations.
    cuts: Vec<String>,
    /// The changes that led here, for IXFR (`journal.rs`); empty when
    /// built, filled by the catalog from the version this one replaces.
    pub journal: Journal,
}

/// `name` (no final dot) as an absolute wire name.
fn absolute(name: &str) -> Option<Name> {
    Name::from_ascii(format!("{name}.")).ok()
}

impl Zone {
    /// Builds the zone of `source`: `apex` (from `defaults.apex()`) at its
    /// apex and what its forwards need. `None` if the domain's name is not
    /// a valid DNS name.
    pub fn build(
        source: &ZoneSource,
        defaults: &ZoneDefaults,
        apex_data: &Arc<Apex>,
    ) -> Option<Zone> {
        let domain = &source.domain;
        let name = domain.domain_name.to_ascii_lowercase();
        let apex = absolute(&name)?;
        let serial = serial(domain.dns_serial);
        let mut nodes: HashMap<String, Vec<Record>> = HashMap::new();
        let mut cuts = Vec::new();
        for record in &source.records {
            let r = &record.data;
            let Some(data) = rdata(&r.rdata) else {
                tracing::warn!(zone = %name, record = %record.id, "record data does not encode; not served");
                continue;
            };
            let Some(owner) = absolute(&r.fqdn(&name)) else {
                continue;
            };
            let ttl = r.ttl;
            if r.rtype() == dns::RecordType::Ns && r.name != "@" && !cuts.contains(&r.name) {
                cuts.push(r.name.clone());
            }
            nodes
                .entry(r.name.clone())
                .or_default()
                .push(Record::from_rdata(owner, ttl, data));
        }
        // RFC 2181 §5.2: the records of an RRset have one TTL. Records
        // added one by one may differ; the set is served with the lowest
        // (what §5.2 tells a resolver to use when they differ).
        for records in nodes.values_mut() {
            let mut lowest: HashMap<RecordType, u32> = HashMap::new();
            for r in records.iter() {
                let t = lowest.entry(r.record_type()).or_insert(r.ttl());
                *t = (*t).min(r.ttl());
            }
            for r in records.iter_mut() {
                if let Some(t) = lowest.get(&r.record_type()) {
                    r.set_ttl(*t);
                }
            }
        }
        // What forwarding needs, where the zone has nothing of its own.
        let has = |nodes: &HashMap<String, Vec<Record>>, name: &str, types: &[RecordType]| {
            nodes
                .get(name)
                .is_some_and(|rs| rs.iter().any(|r| types.contains(&r.record_type())))
        };
        if source.email_forwarding && !has(&nodes, "@", &[RecordType::MX]) {
            if let Some(mx) = absolute(&defaults.mail_exchanger) {
                nodes
                    .entry("@".to_owned())
                    .or_default()
                    .push(Record::from_rdata(
                        apex.clone(),
                        FORWARD_TTL,
                        RData::MX(MX::new(FORWARD_MX_PREFERENCE, mx)),
                    ));
            }
        }
        for host in &source.url_forward_hosts {
            let taken = [RecordType::A, RecordType::AAAA, RecordType::CNAME];
            if has(&nodes, host, &taken) || cuts.iter().any(|c| c == host) {
                continue;
            }
            let Some(owner) = absolute(&dns::owner(host, &name)) else {
                continue;
            };
            for address in &defaults.forward_addresses {
                let data = match address {
                    IpAddr::V4(a) => RData::A(A(*a)),
                    IpAddr::V6(a) => RData::AAAA(AAAA(*a)),
                };
                nodes
                    .entry(host.clone())
                    .or_default()
                    .push(Record::from_rdata(owner.clone(), FORWARD_TTL, data));
            }
        }
        let mut nonterminals = HashSet::new();
        for owner in nodes.keys().filter(|n| *n != "@") {
            let mut rest = owner.as_str();
            while let Some((_, parent)) = rest.split_once('.') {
                if !nodes.contains_key(parent) {
                    nonterminals.insert(parent.to_owned());
                }
                rest = parent;
            }
        }
        Some(Zone {
            domain_id: domain.id,
            serial,
            expires: domain.expiration_date,
            shared: apex_data.clone(),
            apex,
            name,
            nodes,
            nonterminals,
            cuts,
            journal: Journal::default(),
        })
    }

    /// `qname` (lower case, no final dot) relative to this zone, if in it.
    pub fn relative<'a>(&self, qname: &'a str) -> Option<&'a str> {
        if qname == self.name {
            return Some("@");
        }
        qname
            .strip_suffix(self.name.as_str())
            .and_then(|rest| rest.strip_suffix('.'))
            .filter(|rest| !rest.is_empty())
    }

    pub(crate) fn exists(&self, rel: &str) -> bool {
        rel == "@" || self.nodes.contains_key(rel) || self.nonterminals.contains(rel)
    }

    /// The delegation `rel` is at or below, if any.
    pub(crate) fn cut_above(&self, rel: &str) -> Option<&str> {
        if rel == "@" {
            return None;
        }
        self.cuts
            .iter()
            .find(|cut| {
                rel == cut.as_str()
                    || rel
                        .strip_suffix(cut.as_str())
                        .is_some_and(|r| r.ends_with('.'))
            })
            .map(String::as_str)
    }

    /// The records that answer for `rel`: its own, or a wildcard's when the
    /// name does not exist (RFC 4592's closest encloser). `None` for a name
    /// that does not exist at all; an empty slice for one that exists
    /// without records.
    pub(crate) fn node(&self, rel: &str) -> Option<&[Record]> {
        if let Some(records) = self.nodes.get(rel) {
            return Some(records);
        }
        if rel == "@" || self.nonterminals.contains(rel) {
            // The apex always exists (its SOA and NS are made when asked).
            return Some(&[]);
        }
        let mut encloser = rel;
        loop {
            encloser = match encloser.split_once('.') {
                Some((_, parent)) => parent,
                None => "@",
            };
            if self.exists(encloser) {
                break;
            }
        }
        let wildcard = if encloser == "@" {
            "*".to_owned()
        } else {
            format!("*.{encloser}")
        };
        self.nodes.get(&wildcard).map(Vec::as_slice)
    }

    /// Adds the referral to the delegation at `cut` (RFC 1034 §4.3.2 step
    /// 3b): its NS records to the authority section and their addresses
    /// from this zone (glue) to the additional section. The AA bit is the
    /// caller's to set.
    pub(crate) fn referral(&self, cut: &str, answer: &mut Answer) {
        let Some(records) = self.nodes.get(cut) else {
            return;
        };
        for ns in records.iter().filter(|r| r.record_type() == RecordType::NS) {
            answer.authority.push(ns.clone());
            let RData::NS(NS(target)) = ns.data() else {
                continue;
            };
            let target_lc = target.to_lowercase().to_ascii();
            if let Some(glue) = self
                .relative(target_lc.trim_end_matches('.'))
                .and_then(|rel| self.nodes.get(rel))
            {
                answer.additional.extend(
                    glue.iter()
                        .filter(|r| matches!(r.record_type(), RecordType::A | RecordType::AAAA))
                        .cloned(),
                );
            }
        }
    }

    /// The zone's apex name.
    pub fn apex(&self) -> &Name {
        &self.apex
    }

    /// The zone's SOA record, with `ttl`.
    pub(crate) fn soa(&self, ttl: u32) -> Record {
        self.shared.soa(&self.apex, self.serial, ttl)
    }

    /// What taking `old`, an earlier version of this zone, to this one
    /// removes and adds (the SOA and the apex's NS, the same in every
    /// version, aside): the change [`Journal`] keeps.
    pub(crate) fn changes_from(&self, old: &Zone) -> (Vec<Record>, Vec<Record>) {
        crate::journal::changes(&old.nodes, &self.nodes)
    }

    /// How many records the zone serves, SOA and apex NS included.
    pub fn record_count(&self) -> usize {
        self.shared.ns.len() + 1 + self.nodes.values().map(Vec::len).sum::<usize>()
    }

    /// The zone's SOA as it was (or is) at `serial`, with the SOA's TTL:
    /// what delimits the versions of an IXFR answer (RFC 1995 §4).
    pub(crate) fn soa_at(&self, serial: u32) -> Record {
        self.shared.soa(&self.apex, serial, SOA_TTL)
    }

    /// The SOA and VPS.org's NS records at the apex.
    pub(crate) fn apex_records(&self) -> Vec<Record> {
        self.shared.records(&self.apex, self.serial)
    }

    /// Every record the zone serves (SOA and NS first), as written to a
    /// zone file (the benchmark exports the zones for NSD with it).
    pub fn records(&self) -> Vec<Record> {
        self.each_record().collect()
    }

    /// [`Zone::records`] one at a time, each cloned as it is taken (a
    /// transfer of a large zone holds one message's worth, not the zone).
    pub fn each_record(&self) -> impl Iterator<Item = Record> + Send + '_ {
        self.apex_records()
            .into_iter()
            .chain(self.nodes.get("@").into_iter().flatten().cloned())
            .chain(
                self.nodes
                    .iter()
                    .filter(|(name, _)| name.as_str() != "@")
                    .flat_map(|(_, records)| records.iter().cloned()),
            )
    }
}
