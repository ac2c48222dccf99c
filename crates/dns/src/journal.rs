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

use std::collections::{HashSet, VecDeque};
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
    /// The history of the version of a zone with `new_serial` and records
    /// `new` (SOA included or not: it is left out), which follows the
    /// version with `old_serial`, records `old` and history `before`.
    ///
    /// A serial that did not rise (RFC 1982 arithmetic) with the records
    /// changed cannot be told apart by a secondary: the history is dropped
    /// (every IXFR is then answered in AXFR form). Equal serials and
    /// records keep the history as it was.
    pub fn after(
        before: &Journal,
        old_serial: u32,
        old: &[Record],
        new_serial: u32,
        new: &[Record],
    ) -> Journal {
        let key = |r: &Record| r.to_bytes().ok();
        let content = |records: &[Record]| -> Vec<(Option<Vec<u8>>, Record)> {
            records
                .iter()
                .filter(|r| r.record_type() != RecordType::SOA)
                .map(|r| (key(r), r.clone()))
                .collect()
        };
        let old = content(old);
        let new = content(new);
        let old_keys: HashSet<&Option<Vec<u8>>> = old.iter().map(|(k, _)| k).collect();
        let new_keys: HashSet<&Option<Vec<u8>>> = new.iter().map(|(k, _)| k).collect();
        // A record that does not encode cannot be compared: start afresh.
        if old_keys.contains(&None) || new_keys.contains(&None) {
            return Journal::default();
        }
        let removed: Vec<Record> = old
            .iter()
            .filter(|(k, _)| !new_keys.contains(k))
            .map(|(_, r)| r.clone())
            .collect();
        let added: Vec<Record> = new
            .iter()
            .filter(|(k, _)| !old_keys.contains(k))
            .map(|(_, r)| r.clone())
            .collect();
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
        let limit = new.len().max(MIN_KEPT);
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

    /// How many deltas are kept.
    pub fn len(&self) -> usize {
        self.deltas.len()
    }

    /// Whether no delta is kept.
    pub fn is_empty(&self) -> bool {
        self.deltas.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::rdata::{A, SOA, TXT};
    use hickory_proto::rr::{Name, RData};

    fn a(owner: &str, ttl: u32, last: u8) -> Record {
        let name = Name::from_ascii(owner).expect("name");
        Record::from_rdata(name, ttl, RData::A(A::new(192, 0, 2, last)))
    }

    fn soa(serial: u32) -> Record {
        let name = Name::from_ascii("example.com.").expect("name");
        let data = SOA::new(name.clone(), name.clone(), serial, 1, 1, 1, 1);
        Record::from_rdata(name, 3600, RData::SOA(data))
    }

    #[test]
    fn a_change_keeps_what_went_and_what_came() {
        let v1 = vec![
            soa(1),
            a("www.example.com.", 300, 1),
            a("m.example.com.", 300, 2),
        ];
        let v2 = vec![
            soa(2),
            a("www.example.com.", 600, 1),
            a("n.example.com.", 300, 3),
        ];
        let j = Journal::after(&Journal::default(), 1, &v1, 2, &v2);
        let deltas: Vec<&Delta> = j.since(1).expect("from 1").collect();
        assert_eq!(deltas.len(), 1);
        let d = deltas[0];
        assert_eq!((d.from, d.to), (1, 2));
        // The TTL change is a removal and an addition; the SOA is in neither.
        assert_eq!(d.removed.len(), 2);
        assert_eq!(d.added.len(), 2);
        assert!(d
            .removed
            .iter()
            .any(|r| r.ttl() == 300 && r.name().to_ascii() == "www.example.com."));
        assert!(d
            .added
            .iter()
            .any(|r| r.ttl() == 600 && r.name().to_ascii() == "www.example.com."));
        assert!(j.since(2).is_none(), "nothing starts at the newest serial");
        assert!(j.since(7).is_none());

        let v3 = vec![soa(3), a("www.example.com.", 600, 1)];
        let j = Journal::after(&j, 2, &v2, 3, &v3);
        assert_eq!(j.since(1).expect("from 1").count(), 2);
        assert_eq!(j.since(2).expect("from 2").count(), 1);
    }

    #[test]
    fn a_serial_that_does_not_rise_drops_the_history() {
        let v1 = vec![soa(5), a("www.example.com.", 300, 1)];
        let v2 = vec![soa(6), a("www.example.com.", 300, 2)];
        let j = Journal::after(&Journal::default(), 5, &v1, 6, &v2);
        assert_eq!(j.len(), 1);
        // The same serial and records (another field of the domain changed).
        assert_eq!(Journal::after(&j, 6, &v2, 6, &v2).len(), 1);
        // The same serial, other records; or a lower serial.
        let v3 = vec![soa(6), a("www.example.com.", 300, 3)];
        assert!(Journal::after(&j, 6, &v2, 6, &v3).is_empty());
        assert!(Journal::after(&j, 6, &v2, 4, &v3).is_empty());
        // Serial arithmetic wraps (RFC 1982): u32::MAX to 1 rises.
        let w = Journal::after(&Journal::default(), u32::MAX, &v1, 1, &v2);
        assert_eq!(w.since(u32::MAX).expect("wrapped").count(), 1);
    }

    #[test]
    fn the_oldest_deltas_go_once_they_outweigh_the_zone() {
        let big = |serial: u32, n: usize| {
            let mut v = vec![soa(serial)];
            let name = Name::from_ascii("t.example.com.").expect("name");
            for i in 0..n {
                let txt = TXT::new(vec![format!("{serial}-{i}")]);
                v.push(Record::from_rdata(name.clone(), 300, RData::TXT(txt)));
            }
            v
        };
        // Each version replaces all 600 records: 1,200 records a delta,
        // against a limit of max(600, MIN_KEPT) = 1,000.
        let mut j = Journal::default();
        let mut prev = big(1, 600);
        for serial in 2..5 {
            let next = big(serial, 600);
            j = Journal::after(&j, serial - 1, &prev, serial, &next);
            prev = next;
        }
        assert!(j.is_empty(), "a delta larger than the zone is not kept");
        // Small deltas are kept up to the limit.
        let mut j = Journal::default();
        let mut prev = big(10, 10);
        for serial in 11..200 {
            let mut next = prev.clone();
            next[0] = soa(serial);
            next.push(a("www.example.com.", 300, (serial % 250) as u8));
            j = Journal::after(&j, serial - 1, &prev, serial, &next);
            prev = next;
        }
        assert_eq!(j.len(), 189, "189 one-record deltas, under 1,000 records");
        assert!(j.since(10).is_some());
    }
}
