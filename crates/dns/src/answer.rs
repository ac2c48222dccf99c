//! How the nameserver assembles the answer to one question from one zone:
//! RFC 1034 §4.3.2's algorithm for an authoritative server, as later RFCs
//! refine it, for what a zone here can hold (no DNSSEC, no DNAME). The rules,
//! each tested in this module's table:
//!
//! 1. **Delegations.** A name at or below a zone cut (NS records below the
//!    apex) gets a referral: the cut's NS records in the authority section,
//!    their addresses from this zone (glue) in the additional section, AA
//!    clear (RFC 1034 §4.3.2 step 3b). DS at the cut itself is the parent's
//!    to answer (RFC 4035 §3.1.4.1); none is held, so it is NODATA.
//! 2. **Matching.** A name's own records; a name that does not exist
//!    matches the wildcard at its closest encloser (RFC 4592 §3.3.1), and
//!    the records go out under the name asked (§3.3.1, "synthesis"). A
//!    name that exists only because names below it do (an empty
//!    non-terminal) exists (RFC 8020): NODATA, never NXDOMAIN, and it stops
//!    a wildcard above it.
//! 3. **CNAMEs.** A CNAME answers every question but CNAME and ANY, which
//!    get the CNAME itself (RFC 1034 §3.6.2). Its target is followed while
//!    it stays in this zone's authoritative data (§4.3.2 step 3a), each
//!    record once (RFC 2181 §5):
//!    - a target outside the zone ends the answer: NOERROR, the resolver
//!      goes on from there (RFC 1034 §5.3.3);
//!    - a target below a zone cut adds that referral (rule 1) after the
//!      CNAMEs; AA stays set, as it belongs to the answer's first owner
//!      name (RFC 1035 §4.1.1);
//!    - a target already in the chain (a loop), or a chain longer than
//!      [`MAX_CNAME_CHAIN`], ends it: NOERROR with the CNAMEs so far, each
//!      once (RFC 1034 §3.6.2: a resolver detects the loop);
//!    - a target matching a wildcard follows rule 2 under the target's name.
//! 4. **RCODE.** That of the last name of the chain (RFC 6604 §3): NXDOMAIN
//!    when it does not exist, else NOERROR, also when CNAMEs came first.
//! 5. **Negative answers.** NXDOMAIN and NODATA (a name without the type
//!    asked) carry the zone's SOA in the authority section, with the SOA's
//!    MINIMUM as its TTL (RFC 2308 §2.1, §2.2, §3, §5); a chain ending
//!    outside the zone or in a referral carries none.
//! 6. **AA** is set on every answer from the zone's data and clear only on
//!    a plain referral (rule 1 with no CNAME before it).

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::rdata::CNAME;
use hickory_proto::rr::{Name, RData, Record, RecordType};

use crate::zone::{Zone, NEGATIVE_TTL};

/// How many CNAMEs one answer follows inside the zone.
pub const MAX_CNAME_CHAIN: usize = 8;

/// The sections of one answer and its header's RCODE and AA bit.
#[derive(Debug, Default)]
pub struct Answer {
    pub rcode: ResponseCode,
    pub authoritative: bool,
    pub answers: Vec<Record>,
    pub authority: Vec<Record>,
    pub additional: Vec<Record>,
}

impl Zone {
    /// The answer to `qname`/`qtype` by the module's rules; `qname_lc` is
    /// `qname` in lower case without the final dot. A name outside this
    /// zone is REFUSED (the catalog hands over only names inside it).
    pub fn answer(&self, qname: &Name, qname_lc: &str, qtype: RecordType) -> Answer {
        let mut answer = Answer {
            authoritative: true,
            ..Answer::default()
        };
        let Some(first) = self.relative(qname_lc) else {
            answer.rcode = ResponseCode::Refused;
            answer.authoritative = false;
            return answer;
        };
        // Rule 1.
        if let Some(cut) = self.cut_above(first) {
            if !(first == cut && qtype == RecordType::DS) {
                self.referral(cut, &mut answer);
                answer.authoritative = false;
                return answer;
            }
        }
        let mut rel = first.to_owned();
        let mut owner = qname.clone();
        let mut chain: Vec<String> = Vec::new();
        loop {
            chain.push(rel.clone());
            // Rules 2, 4 and 5: a name that does not exist.
            let Some(records) = self.node(&rel) else {
                answer.rcode = ResponseCode::NXDomain;
                answer.authority.push(self.soa(NEGATIVE_TTL));
                return answer;
            };
            let apex = if rel == "@" {
                self.apex_records()
            } else {
                Vec::new()
            };
            let all = || apex.iter().chain(records.iter());
            let cname = all().find(|r| r.record_type() == RecordType::CNAME);
            // Rule 3.
            if let (Some(cname), false) =
                (cname, matches!(qtype, RecordType::CNAME | RecordType::ANY))
            {
                answer.answers.push(renamed(cname, &owner));
                let RData::CNAME(CNAME(target)) = cname.data() else {
                    return answer;
                };
                let target_lc = target.to_lowercase().to_ascii();
                let Some(next) = self.relative(target_lc.trim_end_matches('.')) else {
                    return answer;
                };
                if chain.iter().any(|seen| seen == next) || chain.len() >= MAX_CNAME_CHAIN {
                    return answer;
                }
                if let Some(cut) = self.cut_above(next) {
                    self.referral(cut, &mut answer);
                    return answer;
                }
                rel = next.to_owned();
                owner = target.clone();
                continue;
            }
            let before = answer.answers.len();
            answer.answers.extend(
                all()
                    .filter(|r| qtype == RecordType::ANY || r.record_type() == qtype)
                    .map(|r| renamed(r, &owner)),
            );
            if answer.answers.len() == before {
                // Rule 5: NODATA.
                answer.authority.push(self.soa(NEGATIVE_TTL));
            }
            return answer;
        }
    }
}

/// `record` with `owner` as its name (a wildcard's answer carries the name
/// asked; a plain one keeps the asker's spelling).
fn renamed(record: &Record, owner: &Name) -> Record {
    let mut r = record.clone();
    r.set_name(owner.clone());
    r
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{TimeZone, Utc};
    use vpsd_domain::dns::{validate, RecordInput};
    use vpsd_domain::lifecycle::DomainStatus;
    use vpsd_storage::{DnsRecord, Domain, ZoneSource};

    use super::*;
    use crate::zone::ZoneDefaults;

    const ZONE: &str = "ex.com";

    /// The zone of the table: every path of the module's rules has a name.
    fn zone() -> Zone {
        let mut records = vec![
            ("www", "A", "192.0.2.80", None),
            ("shop", "CNAME", "www.ex.com", None),
            ("dangling", "CNAME", "missing.ex.com", None),
            ("out", "CNAME", "www.example.net", None),
            ("loop1", "CNAME", "loop2.ex.com", None),
            ("loop2", "CNAME", "loop1.ex.com", None),
            ("self", "CNAME", "self.ex.com", None),
            ("*.apps", "A", "192.0.2.7", None),
            ("viawild", "CNAME", "foo.apps.ex.com", None),
            ("*.w", "CNAME", "www.ex.com", None),
            ("*.spin", "CNAME", "again.spin.ex.com", None),
            ("team", "NS", "ns1.team.ex.com", None),
            ("ns1.team", "A", "192.0.2.53", None),
            ("intoteam", "CNAME", "host.team.ex.com", None),
            ("a.b.deep", "TXT", "x", None),
            ("*.deep", "A", "192.0.2.9", None),
            ("toapex", "CNAME", "ex.com", None),
            ("mail", "MX", "mx.ex.com", Some(10)),
            ("mixed", "A", "192.0.2.21", None),
            ("mixed", "A", "192.0.2.22", None),
            ("mixed", "TXT", "own TTL", None),
        ];
        let chain: Vec<(String, String)> = (0..10)
            .map(|i| (format!("c{i}"), format!("c{}.ex.com", i + 1)))
            .collect();
        for (name, target) in &chain {
            records.push((name.as_str(), "CNAME", target.as_str(), None));
        }
        records.push(("c10", "A", "192.0.2.10", None));
        let time = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("time");
        let records = records
            .into_iter()
            .enumerate()
            .map(|(i, (name, rtype, content, priority))| {
                let data = validate(
                    ZONE,
                    &RecordInput {
                        name: Some(name.into()),
                        rtype: Some(rtype.into()),
                        content: Some(content.into()),
                        ttl: Some(300),
                        priority,
                    },
                )
                .unwrap_or_else(|e| panic!("{name} {rtype}: {e:?}"));
                DnsRecord {
                    id: vpsd_domain::RecordId::from(i64::try_from(i).expect("id")),
                    domain_id: vpsd_domain::DomainId::from(1),
                    data,
                    created_at: time,
                    updated_at: time,
                }
            })
            .collect::<Vec<DnsRecord>>();
        // One A record of `mixed` added with a TTL of its own (60 s).
        let mut records = records;
        if let Some(r) = records
            .iter_mut()
            .find(|r| r.data.name == "mixed" && r.data.rdata.to_string() == "192.0.2.22")
        {
            r.data.ttl = 60;
        }
        let source = ZoneSource {
            domain: Domain {
                id: vpsd_domain::DomainId::from(1),
                account_id: vpsd_domain::AccountId::from(1),
                domain_name: ZONE.into(),
                status: DomainStatus::Active,
                registration_date: time,
                expiration_date: time + chrono::Duration::days(365),
                auto_renew: true,
                locked: true,
                privacy_protection: true,
                nameservers: vec!["ns1.vps.org".into(), "ns2.vps.org".into()],
                registrar: "VPS.org".into(),
                transfer_status: None,
                transfer_initiated_at: None,
                transfer_completes_at: None,
                transfer_cost: None,
                warned_days: None,
                updated_at: time,
                dns_serial: 7,
                dns_records_count: 0,
                transfer_out: None,
                contacts: Default::default(),
                registry_statuses: Vec::new(),
            },
            records,
            email_forwarding: false,
            url_forward_hosts: Vec::new(),
        };
        let defaults = ZoneDefaults {
            nameservers: vec!["ns1.vps.org".into(), "ns2.vps.org".into()],
            mail_exchanger: "mx.vps.org".into(),
            forward_addresses: Vec::new(),
        };
        let apex = defaults.apex().expect("apex");
        Zone::build(&source, &defaults, &Arc::clone(&apex)).expect("zone")
    }

    /// What the table checks of an answer.
    #[derive(Debug, PartialEq)]
    struct Seen {
        rcode: ResponseCode,
        aa: bool,
        /// `owner TYPE data` per answer record.
        answer: Vec<String>,
        /// Types in the authority section.
        authority: Vec<RecordType>,
        /// How many additional records.
        additional: usize,
    }

    fn ask(zone: &Zone, name: &str, qtype: RecordType) -> Seen {
        let qname = Name::from_ascii(format!("{name}.")).expect("name");
        let a = zone.answer(&qname, &name.to_ascii_lowercase(), qtype);
        Seen {
            rcode: a.rcode,
            aa: a.authoritative,
            answer: a
                .answers
                .iter()
                .map(|r| format!("{} {} {}", r.name(), r.record_type(), r.data()))
                .collect(),
            authority: a.authority.iter().map(Record::record_type).collect(),
            additional: a.additional.len(),
        }
    }

    fn seen(rcode: ResponseCode, aa: bool, answer: &[&str], authority: &[RecordType]) -> Seen {
        Seen {
            rcode,
            aa,
            answer: answer.iter().map(|s| (*s).to_owned()).collect(),
            authority: authority.to_vec(),
            additional: 0,
        }
    }

    use RecordType::{A, ANY, CNAME as C, DS, NS, SOA, TXT};
    const NOERROR: ResponseCode = ResponseCode::NoError;
    const NX: ResponseCode = ResponseCode::NXDomain;

    #[test]
    fn each_rule_by_its_rfc() {
        let z = zone();
        let cases: Vec<(&str, RecordType, Seen)> = vec![
            // Plain data, NODATA and NXDOMAIN with the SOA (RFC 2308).
            (
                "www.ex.com",
                A,
                seen(NOERROR, true, &["www.ex.com. A 192.0.2.80"], &[]),
            ),
            ("www.ex.com", TXT, seen(NOERROR, true, &[], &[SOA])),
            ("nope.ex.com", A, seen(NX, true, &[], &[SOA])),
            // An empty non-terminal exists (RFC 8020) and stops the wildcard.
            ("b.deep.ex.com", A, seen(NOERROR, true, &[], &[SOA])),
            (
                "z.deep.ex.com",
                A,
                seen(NOERROR, true, &["z.deep.ex.com. A 192.0.2.9"], &[]),
            ),
            // CNAME followed in the zone; CNAME and ANY get the CNAME itself.
            (
                "shop.ex.com",
                A,
                seen(
                    NOERROR,
                    true,
                    &["shop.ex.com. CNAME www.ex.com.", "www.ex.com. A 192.0.2.80"],
                    &[],
                ),
            ),
            (
                "shop.ex.com",
                C,
                seen(NOERROR, true, &["shop.ex.com. CNAME www.ex.com."], &[]),
            ),
            (
                "shop.ex.com",
                ANY,
                seen(NOERROR, true, &["shop.ex.com. CNAME www.ex.com."], &[]),
            ),
            // The chain ends in NODATA: NOERROR, the CNAME, the SOA.
            (
                "shop.ex.com",
                TXT,
                seen(NOERROR, true, &["shop.ex.com. CNAME www.ex.com."], &[SOA]),
            ),
            // ... in NXDOMAIN: the RCODE of the last name (RFC 6604 §3).
            (
                "dangling.ex.com",
                A,
                seen(
                    NX,
                    true,
                    &["dangling.ex.com. CNAME missing.ex.com."],
                    &[SOA],
                ),
            ),
            // ... outside the zone: NOERROR, no SOA; the resolver goes on.
            (
                "out.ex.com",
                A,
                seen(NOERROR, true, &["out.ex.com. CNAME www.example.net."], &[]),
            ),
            // Loops: each record once, NOERROR.
            (
                "loop1.ex.com",
                A,
                seen(
                    NOERROR,
                    true,
                    &[
                        "loop1.ex.com. CNAME loop2.ex.com.",
                        "loop2.ex.com. CNAME loop1.ex.com.",
                    ],
                    &[],
                ),
            ),
            (
                "self.ex.com",
                A,
                seen(NOERROR, true, &["self.ex.com. CNAME self.ex.com."], &[]),
            ),
            // A chain reaching a wildcard: synthesized under the target's name.
            (
                "viawild.ex.com",
                A,
                seen(
                    NOERROR,
                    true,
                    &[
                        "viawild.ex.com. CNAME foo.apps.ex.com.",
                        "foo.apps.ex.com. A 192.0.2.7",
                    ],
                    &[],
                ),
            ),
            // A wildcard CNAME, and one that points back into itself.
            (
                "x.w.ex.com",
                A,
                seen(
                    NOERROR,
                    true,
                    &["x.w.ex.com. CNAME www.ex.com.", "www.ex.com. A 192.0.2.80"],
                    &[],
                ),
            ),
            (
                "x.spin.ex.com",
                A,
                seen(
                    NOERROR,
                    true,
                    &[
                        "x.spin.ex.com. CNAME again.spin.ex.com.",
                        "again.spin.ex.com. CNAME again.spin.ex.com.",
                    ],
                    &[],
                ),
            ),
            // Into the apex, whose SOA and NS are synthesized.
            (
                "toapex.ex.com",
                SOA,
                seen(
                    NOERROR,
                    true,
                    &[
                        "toapex.ex.com. CNAME ex.com.",
                        "ex.com. SOA ns1.vps.org. hostmaster.vps.org. 7 3600 600 1209600 300",
                    ],
                    &[],
                ),
            ),
            // A referral (AA clear, glue); DS at the cut is ours: NODATA.
            (
                "host.team.ex.com",
                A,
                Seen {
                    additional: 1,
                    ..seen(NOERROR, false, &[], &[NS])
                },
            ),
            ("team.ex.com", DS, seen(NOERROR, true, &[], &[SOA])),
            // A chain into a delegation: the CNAME, then the referral, AA set.
            (
                "intoteam.ex.com",
                A,
                Seen {
                    additional: 1,
                    ..seen(
                        NOERROR,
                        true,
                        &["intoteam.ex.com. CNAME host.team.ex.com."],
                        &[NS],
                    )
                },
            ),
            // The case of the question is kept in the answer.
            (
                "WWW.Ex.Com",
                A,
                seen(NOERROR, true, &["WWW.Ex.Com. A 192.0.2.80"], &[]),
            ),
        ];
        for (name, qtype, want) in cases {
            assert_eq!(ask(&z, name, qtype), want, "{name} {qtype}");
        }
    }

    /// RFC 2181 §5.2: an RRset has one TTL; records given different TTLs
    /// are served with the lowest, and another type at the name keeps its own.
    #[test]
    fn an_rrset_is_served_with_one_ttl() {
        let z = zone();
        let qname = Name::from_ascii("mixed.ex.com.").expect("name");
        let a = z.answer(&qname, "mixed.ex.com", A);
        let ttls: Vec<u32> = a.answers.iter().map(Record::ttl).collect();
        assert_eq!(ttls, [60, 60]);
        let txt = z.answer(&qname, "mixed.ex.com", TXT);
        let ttls: Vec<u32> = txt.answers.iter().map(Record::ttl).collect();
        assert_eq!(ttls, [300]);
    }

    #[test]
    fn a_long_chain_stops_at_the_limit_each_record_once() {
        let z = zone();
        let got = ask(&z, "c0.ex.com", A);
        assert_eq!(got.rcode, NOERROR);
        assert_eq!(got.answer.len(), MAX_CNAME_CHAIN);
        assert!(got.answer.iter().all(|l| l.contains(" CNAME ")), "{got:?}");
        let mut unique = got.answer.clone();
        unique.dedup();
        assert_eq!(unique.len(), got.answer.len());
        // Started within reach of the end, the chain is followed to it.
        let near = ask(&z, "c5.ex.com", A);
        assert_eq!(
            near.answer.last().map(String::as_str),
            Some("c10.ex.com. A 192.0.2.10")
        );
    }
}
