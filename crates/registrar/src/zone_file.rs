//! A zone file imported into a domain's zone (docs/api.md, "Zone files"):
//! every record checked as the records API checks it, then applied through
//! the same store write (`ZoneStore::apply_dns_changes`: the checks against
//! the zone, one serial rise, an audit entry per record), all or nothing.

use std::sync::Mutex;

use vpsd_domain::dns::zone_file::{self, LineError, Skipped};
use vpsd_domain::dns::{clash, Clash, RecordData};
use vpsd_domain::RecordId;
use vpsd_storage::{Actor, DnsChange, DnsChangeCounts, DnsChangeKind, DnsRecord, Written};

use crate::records::record_changes;
use crate::{Registrar, RegistrarError};

/// How an imported file meets the records already in the zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// The file's records are added; those already there (same name, type
    /// and data) are kept, with the file's TTL; nothing else goes.
    Merge,
    /// The zone's records become the file's: those not in it are deleted,
    /// those in it kept (with their ids), the rest added.
    Replace,
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ZoneImport {
    /// Records added, replaced (a new TTL) and deleted.
    pub counts: DnsChangeCounts,
    /// Records of the file the zone held already, as they were.
    pub unchanged: usize,
    /// Records of the file left out (the SOA, the apex's NS records).
    pub skipped: Vec<Skipped>,
}

/// A file that cannot be imported: every line at fault. Nothing changed.
#[derive(Debug, Clone)]
pub struct ZoneFileRefused {
    pub errors: Vec<LineError>,
}

/// Whether `a` and `b` are the same record by the records API's rule
/// (name, type and data: a second one would be a `duplicate_record`).
fn same_record(a: &RecordData, b: &RecordData) -> bool {
    let stand_in = RecordId::from(0);
    matches!(
        clash(&[(stand_in, a.clone())], b, None),
        Some(Clash::Duplicate { .. })
    )
}

/// The changes that take the zone's `records` to what `file` asks in
/// `mode`, each with the file's line (none for a deletion), and how many
/// of the file's records are there already.
fn plan(
    records: &[DnsRecord],
    file: &[(usize, RecordData)],
    mode: ImportMode,
) -> (Vec<(Option<usize>, DnsChange)>, usize) {
    let mut matched = vec![false; records.len()];
    let mut replaces = Vec::new();
    let mut adds = Vec::new();
    let mut unchanged = 0;
    for (line, data) in file {
        let found = records
            .iter()
            .enumerate()
            .find(|(i, r)| !matched[*i] && same_record(&r.data, data));
        match found {
            Some((i, r)) => {
                matched[i] = true;
                if r.data.ttl == data.ttl {
                    unchanged += 1;
                } else {
                    let mut kept = r.data.clone();
                    kept.ttl = data.ttl;
                    replaces.push((
                        Some(*line),
                        DnsChange {
                            audit_changes: record_changes(Some(&r.data), Some(&kept)),
                            kind: DnsChangeKind::Replace {
                                id: r.id,
                                data: kept,
                            },
                        },
                    ));
                }
            }
            None => adds.push((
                Some(*line),
                DnsChange {
                    audit_changes: record_changes(None, Some(data)),
                    kind: DnsChangeKind::Add(data.clone()),
                },
            )),
        }
    }
    let mut changes = Vec::new();
    if mode == ImportMode::Replace {
        // Deletions first: a CNAME may take the place of what goes.
        for (r, _) in records.iter().zip(&matched).filter(|(_, m)| !**m) {
            changes.push((
                None,
                DnsChange {
                    audit_changes: record_changes(Some(&r.data), None),
                    kind: DnsChangeKind::Delete(r.id),
                },
            ));
        }
    }
    changes.extend(replaces);
    changes.extend(adds);
    (changes, unchanged)
}

impl Registrar {
    /// Imports zone file `text` into the domain's zone in `mode`, all or
    /// nothing. `Ok(Err(_))` names every line at fault (syntax, a record the
    /// records API refuses, a record twice in the file, a record clashing
    /// with the zone); `NotFound` when the domain is not the account's.
    #[tracing::instrument(level = "info", skip_all, fields(account_id = %account_id, domain_id = %domain_id, request_id = actor.request_id.as_deref()))]
    pub async fn import_zone_file(
        &self,
        actor: &Actor,
        account_id: vpsd_domain::AccountId,
        domain_id: vpsd_domain::DomainId,
        text: &str,
        mode: ImportMode,
    ) -> Result<Result<ZoneImport, ZoneFileRefused>, RegistrarError> {
        let zone = self.domain(account_id, domain_id).await?.domain_name;
        let mut file = zone_file::parse(&zone, text);
        // Nothing at all (an empty body, only comments): most likely a file
        // that failed to read, which in `replace` would empty the zone.
        if file.errors.is_empty() && file.records.is_empty() && file.skipped.is_empty() {
            return Ok(Err(ZoneFileRefused {
                errors: vec![LineError {
                    line: 1,
                    message: "The zone file holds no record: nothing was changed. To delete every record, send mode=replace with a file holding only the zone's SOA line (as GET .../dns/zone/ exports it).".to_owned(),
                }],
            }));
        }
        // The same record twice in the file: the second is the fault.
        for (i, (line, data)) in file.records.iter().enumerate() {
            if let Some((first, _)) = file.records[..i]
                .iter()
                .find(|(_, earlier)| same_record(earlier, data))
            {
                file.errors.push(LineError {
                    line: *line,
                    message: format!("This record is the same as line {first}'s: remove one."),
                });
            }
        }
        if !file.errors.is_empty() {
            file.errors.sort_by_key(|e| e.line);
            return Ok(Err(ZoneFileRefused {
                errors: file.errors,
            }));
        }
        // The plan runs inside the store's transaction; what it decided is
        // read back from here.
        let decided: Mutex<(Vec<Option<usize>>, usize)> = Mutex::new((Vec::new(), 0));
        let make_plan = |records: &[DnsRecord]| {
            let (changes, unchanged) = plan(records, &file.records, mode);
            let (lines, changes): (Vec<_>, Vec<_>) = changes.into_iter().unzip();
            *decided.lock().unwrap_or_else(|e| e.into_inner()) = (lines, unchanged);
            changes
        };
        let written = self
            .store()
            .apply_dns_changes(account_id, domain_id, &make_plan, actor, None, self.now())
            .await?;
        let (lines, unchanged) = decided.into_inner().unwrap_or_else(|e| e.into_inner());
        match written {
            Written::Done(counts) => Ok(Ok(ZoneImport {
                counts,
                unchanged,
                skipped: file.skipped,
            })),
            Written::NotFound => Err(RegistrarError::NotFound),
            Written::Refused(refused) => Ok(Err(ZoneFileRefused {
                errors: refused
                    .into_iter()
                    .map(|(i, clash)| LineError {
                        line: lines.get(i).copied().flatten().unwrap_or(0),
                        message: clash_message(&clash, &lines),
                    })
                    .collect(),
            })),
        }
    }
}

/// What `clash` says, a record of the file itself named by its line (the
/// store gives a record the file adds a stand-in id `-1 - i`, `i` its
/// change's index).
fn clash_message(clash: &Clash, lines: &[Option<usize>]) -> String {
    let in_file = |id: RecordId| {
        let n = i64::from(id);
        (n < 0)
            .then(|| usize::try_from(-1 - n).ok())
            .flatten()
            .and_then(|i| lines.get(i).copied().flatten())
    };
    match clash {
        Clash::NullMx { id } => match in_file(*id) {
            Some(line) => format!(
                "A null MX (`.`, RFC 7505) says the domain takes no mail, so it stands alone among the name's MX records, and line {line} has another: remove one or the other."
            ),
            None => clash.to_string(),
        },
        Clash::Duplicate { id } => match in_file(*id) {
            Some(line) => format!("This record is the same as line {line}'s: remove one."),
            None => clash.to_string(),
        },
        _ => clash.to_string(),
    }
}
