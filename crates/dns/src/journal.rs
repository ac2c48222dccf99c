//! A zone's recent history, for incremental zone transfer (IXFR, RFC 1995).
//!
//! Each time the follower replaces a zone by a newer version, the records
//! the change removed and added (the SOA aside) are kept as a [`Delta`]
//! from the old serial to the new one, after the deltas the old version
//! kept. An IXFR from a serial a delta starts at is answered with the
//! deltas from there on (RFC 1995 §4's incremental form); from any other
//! serial, in AXFR form, which §4 allows.
//!
//! The history is what this process saw: it lives in memory beside the
//! zone, starts empty when the zones are loaded (at start, or when the
//! follower reloads everything after falling far behind the change feed),
//! and forgets its oldest deltas once they hold more records than the
//! zone itself (a transfer of them would be larger than the zone's; BIND's
//! `max-journal-size` default rests on the same reasoning), keeping at
//! least [`MIN_KEPT`] records' worth. Changes that follow one another
//! quickly may reach the follower as one (it reads the zone as it stands
//! when it sees the feed entry), so a serial in between is not in the
//! history and its holder gets the whole zone.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use hickory_proto::rr::{Record, RecordType};
use hickory_proto::serialize::binary::BinEncodable;

/// Records of history kept at least, whatever the zone's size.
pub const MIN_KEPT: usize = 1_000;

/// One change of a zone: the version with SOA serial `from` became the one
/// with serial `to` by deleting `removed` and adding `added` (neither holds
/// the SOA). A record whose TTL changed is in both, with its old and new
/// TTL, as a secondary must replace it.
#[derive(Debug)]
pub struct Delta {
    pub from: u32,
    pub to: u32,
    pub removed: Vec<Record>,
    pub added: Vec<Record>,
}

impl Delta {
    /// Records the delta holds.
    fn len(&self) -> usize {
        self.removed.len() + self.added.len()
    }
}

/// A zone's deltas, oldest first, each one's `to` the next one's `from`.
#[derive(Debug, Clone, Default)]
pub struct Journal {
    deltas: VecDeque<Arc<Delta>>,
    /// Records in all the deltas.
    records: usize,
}

impl Journal {
    /// The history of a zone's version with `new_serial`, which follows the
    /// version with `old_serial` and history `before`, the change between
    /// them removing `removed` and adding `added` (no SOA in either;
    /// [`changes`] finds them). `zone_len` is the new version's record
    /// count, which bounds the records kept.
    ///
    /// A serial that did not rise (RFC 1982 arithmetic) with the records
    /// changed cannot be told apart by a secondary: the history is dropped
    /// (every IXFR is then answered in AXFR form). Equal serials and
    /// records keep the history as it was.
    pub fn after(
        before: &Journal,
        old_serial: u32,
        new_serial: u32,
        removed: Vec<Record>,
        added: Vec<Record>,
        zone_len: usize,
    ) -> Journal {
        let rose = new_serial.wrapping_sub(old_serial) as i32 > 0;
        if !rose {
            return if removed.is_empty() && added.is_empty() && new_serial == old_serial {
                before.clone()
            } else {
                Journal::default()
            };
        }
        let mut journal = before.clone();
        let delta = Delta {
            from: old_serial,
            to: new_serial,
            removed,
            added,
        };
        journal.records += delta.len();
        journal.deltas.push_back(Arc::new(delta));
        let limit = zone_len.max(MIN_KEPT);
        while journal.records > limit {
            match journal.deltas.pop_front() {
                Some(oldest) => journal.records -= oldest.len(),
                None => break,
            }
        }
        journal
    }

    /// The deltas that take a zone at `serial` to the newest version,
    /// oldest first; `None` when no kept delta starts at `serial`.
    pub fn since(&self, serial: u32) -> Option<impl Iterator<Item = &Delta>> {
        let start = self.deltas.iter().position(|d| d.from == serial)?;
        Some(self.deltas.iter().skip(start).map(|d| &**d))
    }

    /// [`Journal::since`], the deltas shared (to be read after a lock on
    /// their owner is let go).
    pub fn since_shared(&self, serial: u32) -> Option<Vec<Arc<Delta>>> {
        let start = self.deltas.iter().position(|d| d.from == serial)?;
        Some(self.deltas.iter().skip(start).cloned().collect())
    }

    /// How many deltas are kept.
    pub fn len(&self) -> usize {
        self.deltas.len()
    }

    /// Whether no delta is kept.
    pub fn is_empty(&self) -> bool {
        self.deltas.is_empty()
    }
}

/// What taking the records of an owner name from `old` to `new` removes
/// and adds, the SOA left out: records compared with their TTL (their wire
/// form), so a TTL changed is a removal and an addition. Names whose
/// records are equal one by one (the usual case: a change touches few
/// names) cost a comparison, nothing more.
pub fn changes(
    old: &HashMap<String, Vec<Record>>,
    new: &HashMap<String, Vec<Record>>,
) -> (Vec<Record>, Vec<Record>) {
    let same = |a: &[Record], b: &[Record]| {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y && x.ttl() == y.ttl())
    };
    let content = |records: &[Record]| -> Vec<(Vec<u8>, Record)> {
        records
            .iter()
            .filter(|r| r.record_type() != RecordType::SOA)
            .map(|r| (r.to_bytes().unwrap_or_default(), r.clone()))
            .collect()
    };
    let mut removed = Vec::new();
    let mut added = Vec::new();
    for (name, before) in old {
        let after = new.get(name).map_or(&[][..], Vec::as_slice);
        if same(before, after) {
            continue;
        }
        let before = content(before);
        let after = content(after);
        let kept_before: HashSet<&Vec<u8>> = before.iter().map(|(k, _)| k).collect();
        let kept_after: HashSet<&Vec<u8>> = after.iter().map(|(k, _)| k).collect();
        removed.extend(
            before
                .iter()
                .filter(|(k, _)| !kept_after.contains(k))
                .map(|(_, r)| r.clone()),
        );
        added.extend(
            after
                .iter()
                .filter(|(k, _)| !kept_before.contains(k))
                .map(|(_, r)| r.clone()),
        );
    }
    for (name, after) in new {
        if !old.contains_key(name) {
            added.extend(
                after
                    .iter()
                    .filter(|r| r.record_type() != RecordType::SOA)
                    .cloned(),
            );
        }
    }
    (removed, added)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::rdata::{A, TXT};
    use hickory_proto::rr::{Name, RData};

    fn a(owner: &str, ttl: u32, last: u8) -> Record {
        let name = Name::from_ascii(owner).expect("name");
        Record::from_rdata(name, ttl, RData::A(A::new(192, 0, 2, last)))
    }

    fn zone(records: Vec<Record>) -> HashMap<String, Vec<Record>> {
        let mut nodes: HashMap<String, Vec<Record>> = HashMap::new();
        for r in records {
            nodes.entry(r.name().to_ascii()).or_default().push(r);
        }
        nodes
    }

    fn step(j: &Journal, from: u32, old: &[Record], to: u32, new: &[Record]) -> Journal {
        let (removed, added) = changes(&zone(old.to_vec()), &zone(new.to_vec()));
        Journal::after(j, from, to, removed, added, new.len())
    }

    #[test]
    fn a_change_keeps_what_went_and_what_came() {
        let v1 = vec![a("www.example.com.", 300, 1), a("m.example.com.", 300, 2)];
        let v2 = vec![a("www.example.com.", 600, 1), a("n.example.com.", 300, 3)];
        let j = step(&Journal::default(), 1, &v1, 2, &v2);
        let deltas: Vec<&Delta> = j.since(1).expect("from 1").collect();
        assert_eq!(deltas.len(), 1);
        let d = deltas[0];
        assert_eq!((d.from, d.to), (1, 2));
        // The TTL change is a removal and an addition.
        assert_eq!(d.removed.len(), 2);
        assert_eq!(d.added.len(), 2);
        let www = |rs: &[Record], ttl: u32| {
            rs.iter()
                .any(|r| r.ttl() == ttl && r.name().to_ascii() == "www.example.com.")
        };
        assert!(www(&d.removed, 300) && www(&d.added, 600));
        assert!(j.since(2).is_none(), "nothing starts at the newest serial");
        assert!(j.since(7).is_none());

        let v3 = vec![a("www.example.com.", 600, 1)];
        let j = step(&j, 2, &v2, 3, &v3);
        assert_eq!(j.since(1).expect("from 1").count(), 2);
        assert_eq!(j.since(2).expect("from 2").count(), 1);
        // A record moved within its name's set is no change.
        let (removed, added) = changes(
            &zone(vec![
                a("x.example.com.", 300, 1),
                a("x.example.com.", 300, 2),
            ]),
            &zone(vec![
                a("x.example.com.", 300, 2),
                a("x.example.com.", 300, 1),
            ]),
        );
        assert!(removed.is_empty() && added.is_empty());
    }

    #[test]
    fn a_serial_that_does_not_rise_drops_the_history() {
        let v1 = vec![a("www.example.com.", 300, 1)];
        let v2 = vec![a("www.example.com.", 300, 2)];
        let j = step(&Journal::default(), 5, &v1, 6, &v2);
        assert_eq!(j.len(), 1);
        // The same serial and records (another field of the domain changed).
        assert_eq!(step(&j, 6, &v2, 6, &v2).len(), 1);
        // The same serial, other records; or a lower serial.
        let v3 = vec![a("www.example.com.", 300, 3)];
        assert!(step(&j, 6, &v2, 6, &v3).is_empty());
        assert!(step(&j, 6, &v2, 4, &v3).is_empty());
        // Serial arithmetic wraps (RFC 1982): u32::MAX to 1 rises.
        let w = step(&Journal::default(), u32::MAX, &v1, 1, &v2);
        assert_eq!(w.since(u32::MAX).expect("wrapped").count(), 1);
    }

    #[test]
    fn the_oldest_deltas_go_once_they_outweigh_the_zone() {
        let big = |serial: u32, n: usize| {
            let name = Name::from_ascii("t.example.com.").expect("name");
            (0..n)
                .map(|i| {
                    let txt = TXT::new(vec![format!("{serial}-{i}")]);
                    Record::from_rdata(name.clone(), 300, RData::TXT(txt))
                })
                .collect::<Vec<_>>()
        };
        // Each version replaces all 600 records: 1,200 records a delta,
        // against a limit of max(600, MIN_KEPT) = 1,000.
        let mut j = Journal::default();
        let mut prev = big(1, 600);
        for serial in 2..5 {
            let next = big(serial, 600);
            j = step(&j, serial - 1, &prev, serial, &next);
            prev = next;
        }
        assert!(j.is_empty(), "a delta larger than the zone is not kept");
        // Small deltas are kept up to the limit.
        let mut j = Journal::default();
        let mut prev = big(10, 10);
        for serial in 11..200 {
            let mut next = prev.clone();
            next.push(a("www.example.com.", 300, (serial % 250) as u8));
            j = step(&j, serial - 1, &prev, serial, &next);
            prev = next;
        }
        assert_eq!(j.len(), 189, "189 one-record deltas, under 1,000 records");
        assert!(j.since(10).is_some());
    }
}
