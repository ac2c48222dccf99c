//! The zones this nameserver serves, kept in memory and in step with the
//! database.
//!
//! At start every active domain is read; then the change feed
//! (`dns_changes`, written by triggers in the transaction of every change
//! that can alter a zone) is read every [`POLL`], and each domain named
//! there is read again. So an API change is served within a second, also by
//! a nameserver in another process on the same database.
//!
//! PostgreSQL hands out `seq` values when rows are inserted but they become
//! visible in commit order, so a late commit can show up below the highest
//! `seq` already read. The feed is therefore re-read from [`WINDOW`] entries
//! below the newest one seen, and entries already applied are skipped.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use vpsd_domain::lifecycle::DomainStatus;
use vpsd_domain::nameservers::dns_managed_by;
use vpsd_domain::Clock;
use vpsd_storage::{StoreError, ZoneFeed, ZoneSource};

use crate::catalog_zone::CatalogZone;
use crate::journal::Journal;
use crate::zone::{Apex, Zone, ZoneDefaults};

/// How often the change feed is read.
pub const POLL: Duration = Duration::from_millis(200);
/// How far below the newest entry seen the feed is read again.
pub const WINDOW: i64 = 256;
/// Entries read per poll at most.
const BATCH: i64 = 10_000;

#[derive(Debug, Default)]
struct Zones {
    by_name: HashMap<String, Arc<Zone>>,
    name_of: HashMap<vpsd_domain::DomainId, String>,
}

/// The served zones.
#[derive(Debug)]
pub struct Catalog {
    zones: RwLock<Zones>,
    defaults: ZoneDefaults,
    /// `None` when there is no nameserver to name (then nothing is served).
    apex: Option<Arc<Apex>>,
    clock: Arc<dyn Clock>,
    /// The catalog zone listing the served zones (RFC 9432), when the
    /// operator names one.
    catalog_zone: Option<Arc<CatalogZone>>,
}

impl Catalog {
    /// An empty catalog whose zones get `defaults`.
    pub fn new(defaults: ZoneDefaults, clock: Arc<dyn Clock>) -> Self {
        Catalog {
            zones: RwLock::default(),
            apex: defaults.apex(),
            defaults,
            clock,
            catalog_zone: None,
        }
    }

    /// Also keeps the catalog zone `name` (RFC 9432, `catalog_zone.rs`)
    /// listing the served zones, its first serial the time now. `false`
    /// (and no catalog zone) when `name` is not a DNS name or there is no
    /// nameserver to name.
    pub fn set_catalog_zone(&mut self, name: &str) -> bool {
        let started = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_secs());
        let serial = crate::zone::serial(i64::try_from(started).unwrap_or(1));
        self.catalog_zone = self
            .apex
            .clone()
            .and_then(|apex| CatalogZone::new(name, apex, serial))
            .map(Arc::new);
        self.catalog_zone.is_some()
    }

    /// The catalog zone, when there is one.
    pub fn catalog_zone(&self) -> Option<&Arc<CatalogZone>> {
        self.catalog_zone.as_ref()
    }

    /// Whether a domain's zone is served: active, not yet expired, and
    /// delegated to VPS.org's nameservers.
    fn served(&self, source: &ZoneSource) -> bool {
        let d = &source.domain;
        d.status == DomainStatus::Active
            && dns_managed_by(&d.nameservers, &self.defaults.nameservers) == "vps.org"
    }

    fn build(&self, source: &ZoneSource) -> Option<Zone> {
        Zone::build(source, &self.defaults, self.apex.as_ref()?)
    }

    /// Puts (or removes) the zone of domain `domain_id` as `source` says.
    pub fn apply(&self, domain_id: vpsd_domain::DomainId, source: Option<&ZoneSource>) {
        let mut zone = source
            .filter(|s| self.served(s))
            .and_then(|s| self.build(s));
        // The history carries over from the version this one replaces
        // (the same domain under the same name), with the change between.
        if let Some(zone) = zone.as_mut() {
            let old = {
                let zones = self.zones.read().unwrap_or_else(|e| e.into_inner());
                zones.by_name.get(&zone.name).cloned()
            };
            if let Some(old) = old.filter(|o| o.domain_id == domain_id) {
                let (removed, added) = zone.changes_from(&old);
                zone.journal = Journal::after(
                    &old.journal,
                    old.serial,
                    zone.serial,
                    removed,
                    added,
                    zone.record_count(),
                );
            }
        }
        let mut zones = self.zones.write().unwrap_or_else(|e| e.into_inner());
        if let Some(old) = zones.name_of.remove(&domain_id) {
            zones.by_name.remove(&old);
        }
        let member = zone.as_ref().map(|z| z.name.clone());
        if let Some(zone) = zone {
            zones.name_of.insert(domain_id, zone.name.clone());
            zones.by_name.insert(zone.name.clone(), Arc::new(zone));
        }
        drop(zones);
        if let Some(cz) = &self.catalog_zone {
            cz.apply(&[(domain_id, member)]);
        }
    }

    /// Replaces every zone by what `sources` say. Their histories start
    /// afresh (IXFR from an older serial is then answered in AXFR form).
    pub fn replace_all(&self, sources: &[ZoneSource]) {
        let mut fresh = Zones::default();
        for source in sources.iter().filter(|s| self.served(s)) {
            if let Some(zone) = self.build(source) {
                fresh.name_of.insert(zone.domain_id, zone.name.clone());
                fresh.by_name.insert(zone.name.clone(), Arc::new(zone));
            }
        }
        let members: Vec<(vpsd_domain::DomainId, String)> = fresh
            .name_of
            .iter()
            .map(|(id, name)| (*id, name.clone()))
            .collect();
        *self.zones.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        if let Some(cz) = &self.catalog_zone {
            cz.replace(&members);
        }
    }

    /// The zone `qname` (lower case, no final dot) falls in, if served now.
    pub fn find(&self, qname: &str) -> Option<Arc<Zone>> {
        let zones = self.zones.read().unwrap_or_else(|e| e.into_inner());
        let mut candidate = qname;
        loop {
            if let Some(zone) = zones.by_name.get(candidate) {
                return (zone.expires > self.clock.now()).then(|| zone.clone());
            }
            candidate = candidate.split_once('.')?.1;
        }
    }

    /// The names of the zones served now (not expired), sorted.
    pub fn names(&self) -> Vec<String> {
        let zones = self.zones.read().unwrap_or_else(|e| e.into_inner());
        let now = self.clock.now();
        let mut names: Vec<String> = zones
            .by_name
            .values()
            .filter(|z| z.expires > now)
            .map(|z| z.name.clone())
            .collect();
        names.sort();
        names
    }

    /// How many zones are served.
    pub fn len(&self) -> usize {
        self.zones
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .by_name
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Follows the database: loads every zone, then applies the change feed
/// until `shutdown` resolves. Errors (the database away) are logged and
/// retried at the next poll.
pub struct Follower {
    catalog: Arc<Catalog>,
    store: Arc<dyn ZoneFeed>,
    /// The newest feed entry seen.
    last: i64,
    /// Entries applied within the window below `last`.
    applied: BTreeSet<i64>,
    /// Where the name of each zone changed goes (NOTIFY, `notify.rs`).
    notify: Option<tokio::sync::mpsc::UnboundedSender<String>>,
}

impl Follower {
    /// Follows `store`'s zone change feed into `catalog` (it needs nothing
    /// else of the store; an `Arc<dyn Store>` upcasts to it).
    pub fn new(catalog: Arc<Catalog>, store: Arc<dyn ZoneFeed>) -> Self {
        Follower {
            catalog,
            store,
            last: 0,
            applied: BTreeSet::new(),
            notify: None,
        }
    }

    /// Also sends the name of each zone that changes and is served after
    /// the change to `changes`, for NOTIFY (`notify::run`).
    pub fn notify_to(mut self, changes: tokio::sync::mpsc::UnboundedSender<String>) -> Self {
        self.notify = Some(changes);
        self
    }

    /// Reads every zone. The feed's head is taken first, so a change made
    /// while loading is applied again by the next poll.
    pub async fn load_all(&mut self) -> Result<(), StoreError> {
        let head = self.store.dns_change_head().await?;
        let sources = self.store.dns_zones().await?;
        self.catalog.replace_all(&sources);
        self.last = head;
        self.applied.clear();
        tracing::info!(zones = self.catalog.len(), "DNS zones loaded");
        Ok(())
    }

    /// Applies the feed's new entries; how many zones were read again.
    pub async fn poll(&mut self) -> Result<usize, StoreError> {
        let head = self.store.dns_change_head().await?;
        if head - self.last > vpsd_storage::DNS_CHANGES_KEPT / 2 {
            self.load_all().await?;
            return Ok(self.catalog.len());
        }
        let from = (self.last - WINDOW).max(0);
        let changes = self.store.dns_changes(from, BATCH).await?;
        let mut domains = BTreeSet::new();
        for (seq, domain_id) in changes {
            if self.applied.insert(seq) {
                domains.insert(domain_id);
            }
            self.last = self.last.max(seq);
        }
        let catalog_serial = self.catalog.catalog_zone().map(|cz| cz.serial());
        for &domain_id in &domains {
            let source = self.store.dns_zone(domain_id).await?;
            self.catalog.apply(domain_id, source.as_ref());
            // Only a zone we serve now is worth a secondary's transfer (one
            // pending, expired or delegated elsewhere would be REFUSED).
            if let (Some(notify), Some(source)) = (&self.notify, &source) {
                let name = source.domain.domain_name.to_ascii_lowercase();
                if self.catalog.find(&name).is_some_and(|z| z.name == name) {
                    let _ = notify.send(name);
                }
            }
        }
        // Members came or went: the catalog zone's secondaries are told.
        if let (Some(notify), Some(cz)) = (&self.notify, self.catalog.catalog_zone()) {
            if catalog_serial != Some(cz.serial()) {
                let _ = notify.send(cz.name.clone());
            }
        }
        let floor = self.last - WINDOW;
        self.applied = self.applied.split_off(&floor);
        Ok(domains.len())
    }

    /// Loads, then polls every [`POLL`] until `shutdown` resolves.
    pub async fn run(mut self, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        while let Err(e) = self.load_all().await {
            tracing::error!(error = %vpsd_domain::ErrorChain(&e), "could not load the DNS zones; retrying");
            tokio::select! {
                _ = &mut shutdown => return,
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
        loop {
            tokio::select! {
                _ = &mut shutdown => return,
                _ = tokio::time::sleep(POLL) => {}
            }
            if let Err(e) = self.poll().await {
                tracing::warn!(error = %vpsd_domain::ErrorChain(&e), "could not read the DNS change feed; retrying");
            }
        }
    }
}
