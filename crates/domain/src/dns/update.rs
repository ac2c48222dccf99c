//! Dynamic updates (RFC 2136) over a zone's records, no I/O: the
//! prerequisites checked (§3.2) and the update section planned into the
//! records API's changes (§3.4.2), against the records as they stand in the
//! transaction that writes them.
//!
//! The zone's SOA and its apex NS records are VPS.org's, not the zone's
//! records: they always exist for a prerequisite, and an update of them is
//! ignored (as §3.4.2.3 and §3.4.2.4 ignore the deletion of the apex SOA and
//! NS RRsets). Records the nameserver adds for forwarding are not the
//! zone's records either and are not seen here.

use crate::RecordId;

use super::{Rdata, RecordData, RecordType};

/// A record type named in an update message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateType {
    /// A type the records API keeps.
    Served(RecordType),
    /// SOA (the zone's own, always present at the apex).
    Soa,
    /// NS at the apex (VPS.org's own, always present).
    ApexNs,
    /// A type neither kept nor served here (PTR, SSHFP, ...): no RRset of
    /// it exists.
    Other,
}

/// One prerequisite (RFC 2136 §2.4). Names are relative to the zone, `@`
/// for the apex, as a record's `name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prerequisite {
    /// §2.4.1, value-independent: an RRset of this name and type exists.
    RrsetExists { name: String, rtype: UpdateType },
    /// §2.4.2, value-dependent: the RRset holds exactly these data (the
    /// prerequisites of one name and type taken together, §3.2.3).
    RrsetEquals {
        name: String,
        rtype: UpdateType,
        rdatas: Vec<Rdata>,
    },
    /// §2.4.3: no RRset of this name and type exists.
    RrsetDoesNotExist { name: String, rtype: UpdateType },
    /// §2.4.4: some record has this name.
    NameInUse { name: String },
    /// §2.4.5: no record has this name.
    NameNotInUse { name: String },
}

/// Why the prerequisites failed: the RCODE of §3.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrerequisiteFailed {
    /// A name in use that should not be (YXDOMAIN).
    YxDomain,
    /// A name not in use that should be (NXDOMAIN).
    NxDomain,
    /// An RRset that should not exist does (YXRRSET).
    YxRrset,
    /// An RRset that should exist does not, or holds other data (NXRRSET).
    NxRrset,
}

/// One operation of the update section (RFC 2136 §2.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// §2.5.1: add to an RRset (a record checked by the records API's
    /// rules already).
    Add(RecordData),
    /// §2.5.2: delete an RRset.
    DeleteRrset { name: String, rtype: UpdateType },
    /// §2.5.3: delete every RRset of a name.
    DeleteName { name: String },
    /// §2.5.4: delete one record (by its data; the TTL is ignored).
    DeleteRecord { name: String, rdata: Rdata },
}

/// A change to the zone's records that an update comes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Planned {
    /// The record goes.
    Delete(RecordId),
    /// The record stays with a new TTL (an added duplicate, §3.4.2.2).
    Retime { id: RecordId, ttl: u32 },
    /// A new record.
    Add(RecordData),
}

fn rrset<'a>(
    records: &'a [(RecordId, RecordData)],
    name: &'a str,
    rtype: RecordType,
) -> impl Iterator<Item = &'a RecordData> + 'a {
    records
        .iter()
        .map(|(_, r)| r)
        .filter(move |r| r.name == name && r.rtype() == rtype)
}

/// Whether the zone holds an RRset of `name` and `rtype`.
fn rrset_exists(records: &[(RecordId, RecordData)], name: &str, rtype: UpdateType) -> bool {
    match rtype {
        UpdateType::Served(t) => rrset(records, name, t).next().is_some(),
        UpdateType::Soa | UpdateType::ApexNs => name == "@",
        UpdateType::Other => false,
    }
}

/// Checks `prerequisites` against the zone's `records`, in order; the
/// first that fails gives the RCODE (RFC 2136 §3.2.5).
pub fn check_prerequisites(
    records: &[(RecordId, RecordData)],
    prerequisites: &[Prerequisite],
) -> Result<(), PrerequisiteFailed> {
    let in_use = |name: &str| name == "@" || records.iter().any(|(_, r)| r.name == name);
    for p in prerequisites {
        match p {
            Prerequisite::RrsetExists { name, rtype } => {
                if !rrset_exists(records, name, *rtype) {
                    return Err(PrerequisiteFailed::NxRrset);
                }
            }
            Prerequisite::RrsetDoesNotExist { name, rtype } => {
                if rrset_exists(records, name, *rtype) {
                    return Err(PrerequisiteFailed::YxRrset);
                }
            }
            Prerequisite::NameInUse { name } => {
                if !in_use(name) {
                    return Err(PrerequisiteFailed::NxDomain);
                }
            }
            Prerequisite::NameNotInUse { name } => {
                if in_use(name) {
                    return Err(PrerequisiteFailed::YxDomain);
                }
            }
            Prerequisite::RrsetEquals {
                name,
                rtype,
                rdatas,
            } => {
                // The SOA and the apex NS are compared by nobody here: a
                // client that asks for their exact data is told no.
                let UpdateType::Served(t) = rtype else {
                    return Err(PrerequisiteFailed::NxRrset);
                };
                let zone: Vec<&Rdata> = rrset(records, name, *t).map(|r| &r.rdata).collect();
                let covers =
                    |a: &[&Rdata], b: &[&Rdata]| a.iter().all(|x| b.iter().any(|y| x.same_data(y)));
                let given: Vec<&Rdata> = rdatas.iter().collect();
                if zone.is_empty() || !covers(&zone, &given) || !covers(&given, &zone) {
                    return Err(PrerequisiteFailed::NxRrset);
                }
            }
        }
    }
    Ok(())
}

/// A record of the zone as the update goes through its operations.
struct Slot {
    id: Option<RecordId>,
    data: RecordData,
    ttl_before: Option<u32>,
    gone: bool,
}

/// Plans `operations`, in order (RFC 2136 §3.4.2), against the zone's
/// `records`: what goes, what gets a new TTL, what is added. A record added
/// and deleted by the same message comes to nothing; an added record equal
/// to one there (name, type, data) replaces its TTL (§3.4.2.2); an added
/// CNAME replaces the CNAME at its name. Deletions come first in the plan,
/// so a CNAME may take the place of what goes. Whether what is left obeys
/// the records API's rules (CNAME alone at its name, the zone's size) is
/// the store's check, as for every write.
pub fn plan(records: &[(RecordId, RecordData)], operations: &[Operation]) -> Vec<Planned> {
    let mut slots: Vec<Slot> = records
        .iter()
        .map(|(id, data)| Slot {
            id: Some(*id),
            data: data.clone(),
            ttl_before: Some(data.ttl),
            gone: false,
        })
        .collect();
    for op in operations {
        match op {
            Operation::Add(data) => {
                if data.rtype() == RecordType::Cname {
                    for s in slots.iter_mut().filter(|s| {
                        !s.gone && s.data.name == data.name && s.data.rtype() == RecordType::Cname
                    }) {
                        if !s.data.rdata.same_data(&data.rdata) {
                            s.gone = true;
                        }
                    }
                }
                match slots.iter_mut().find(|s| {
                    !s.gone && s.data.name == data.name && s.data.rdata.same_data(&data.rdata)
                }) {
                    Some(s) => s.data.ttl = data.ttl,
                    None => slots.push(Slot {
                        id: None,
                        data: data.clone(),
                        ttl_before: None,
                        gone: false,
                    }),
                }
            }
            Operation::DeleteRrset { name, rtype } => {
                if let UpdateType::Served(t) = rtype {
                    for s in slots
                        .iter_mut()
                        .filter(|s| s.data.name == *name && s.data.rtype() == *t)
                    {
                        s.gone = true;
                    }
                }
            }
            Operation::DeleteName { name } => {
                for s in slots.iter_mut().filter(|s| s.data.name == *name) {
                    s.gone = true;
                }
            }
            Operation::DeleteRecord { name, rdata } => {
                for s in slots
                    .iter_mut()
                    .filter(|s| s.data.name == *name && s.data.rdata.same_data(rdata))
                {
                    s.gone = true;
                }
            }
        }
    }
    let mut deletes = Vec::new();
    let mut retimes = Vec::new();
    let mut adds = Vec::new();
    for s in slots {
        match (s.id, s.gone) {
            (Some(id), true) => deletes.push(Planned::Delete(id)),
            (Some(id), false) if s.ttl_before != Some(s.data.ttl) => {
                retimes.push(Planned::Retime {
                    id,
                    ttl: s.data.ttl,
                })
            }
            (None, false) => adds.push(Planned::Add(s.data)),
            _ => {}
        }
    }
    deletes.extend(retimes);
    deletes.extend(adds);
    deletes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::{validate, RecordInput};

    fn rec(name: &str, t: &str, content: &str, ttl: i64) -> RecordData {
        validate(
            "example.com",
            &RecordInput {
                name: Some(name.into()),
                rtype: Some(t.into()),
                content: Some(content.into()),
                ttl: Some(ttl),
                priority: None,
            },
        )
        .expect("valid")
    }

    fn zone() -> Vec<(RecordId, RecordData)> {
        vec![
            (RecordId::from(1), rec("www", "A", "192.0.2.1", 300)),
            (RecordId::from(2), rec("www", "A", "192.0.2.2", 300)),
            (RecordId::from(3), rec("mail", "TXT", "hello", 300)),
        ]
    }

    #[test]
    fn prerequisites_give_the_rcodes_of_rfc_2136() {
        let z = zone();
        let a = UpdateType::Served(RecordType::A);
        let ok = |p: Prerequisite| check_prerequisites(&z, &[p]);
        assert_eq!(
            ok(Prerequisite::RrsetExists {
                name: "www".into(),
                rtype: a
            }),
            Ok(())
        );
        assert_eq!(
            ok(Prerequisite::RrsetExists {
                name: "ftp".into(),
                rtype: a
            }),
            Err(PrerequisiteFailed::NxRrset)
        );
        assert_eq!(
            ok(Prerequisite::RrsetDoesNotExist {
                name: "www".into(),
                rtype: a
            }),
            Err(PrerequisiteFailed::YxRrset)
        );
        assert_eq!(
            ok(Prerequisite::NameInUse { name: "ftp".into() }),
            Err(PrerequisiteFailed::NxDomain)
        );
        assert_eq!(
            ok(Prerequisite::NameNotInUse {
                name: "mail".into()
            }),
            Err(PrerequisiteFailed::YxDomain)
        );
        assert_eq!(
            ok(Prerequisite::RrsetExists {
                name: "@".into(),
                rtype: UpdateType::Soa
            }),
            Ok(())
        );
        let www = |ips: &[&str]| Prerequisite::RrsetEquals {
            name: "www".into(),
            rtype: a,
            rdatas: ips.iter().map(|ip| rec("www", "A", ip, 60).rdata).collect(),
        };
        assert_eq!(ok(www(&["192.0.2.2", "192.0.2.1"])), Ok(()));
        assert_eq!(ok(www(&["192.0.2.1"])), Err(PrerequisiteFailed::NxRrset));
    }

    #[test]
    fn an_update_plans_deletions_first_and_nothing_for_what_comes_and_goes() {
        let z = zone();
        let ops = vec![
            Operation::Add(rec("_acme-challenge", "TXT", "token", 120)),
            Operation::Add(rec("www", "A", "192.0.2.1", 600)),
            Operation::DeleteRrset {
                name: "mail".into(),
                rtype: UpdateType::Served(RecordType::Txt),
            },
            Operation::Add(rec("tmp", "A", "192.0.2.9", 60)),
            Operation::DeleteName { name: "tmp".into() },
            Operation::DeleteRecord {
                name: "www".into(),
                rdata: rec("www", "A", "192.0.2.2", 60).rdata,
            },
        ];
        assert_eq!(
            plan(&z, &ops),
            vec![
                Planned::Delete(RecordId::from(2)),
                Planned::Delete(RecordId::from(3)),
                Planned::Retime {
                    id: RecordId::from(1),
                    ttl: 600
                },
                Planned::Add(rec("_acme-challenge", "TXT", "token", 120)),
            ]
        );
    }

    #[test]
    fn an_added_cname_replaces_the_cname_there() {
        let z = vec![(
            RecordId::from(7),
            rec("shop", "CNAME", "a.example.net", 300),
        )];
        let ops = vec![Operation::Add(rec("shop", "CNAME", "b.example.net", 300))];
        assert_eq!(
            plan(&z, &ops),
            vec![
                Planned::Delete(RecordId::from(7)),
                Planned::Add(rec("shop", "CNAME", "b.example.net", 300)),
            ]
        );
    }
}
