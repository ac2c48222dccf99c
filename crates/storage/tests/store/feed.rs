//! The zone change feed: every change of a zone, in order, for the
//! nameserver to follow.

use std::sync::Arc;

use vpsd_domain::dns::{Rdata, RecordData};
use vpsd_storage::{Store, Written};

use crate::common::{account, active, audit, t0};

async fn the_feed_lists_changes_in_order(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    let one = active(store, a.id, "one.com").await;
    let two = active(store, a.id, "two.com").await;
    let head = store.dns_change_head().await.expect("head");
    let www = RecordData {
        name: "www".into(),
        ttl: 300,
        rdata: Rdata::A(std::net::Ipv4Addr::new(192, 0, 2, 1)),
    };
    let add = audit("dns_record.create");
    for d in [&two, &one] {
        let w = store
            .add_dns_record(a.id, d.id, &www, t0(), &add)
            .await
            .expect("add");
        assert!(matches!(w, Written::Done(_)));
    }
    let changes = store.dns_changes(head, 100).await.expect("changes");
    let domains: Vec<vpsd_domain::DomainId> = changes.iter().map(|c| c.1).collect();
    assert_eq!(domains, [two.id, one.id], "in the order they were made");
    assert!(changes.windows(2).all(|w| w[0].0 < w[1].0));
    assert_eq!(store.dns_change_head().await.expect("head"), changes[1].0);
    let zone = store.dns_zone(one.id).await.expect("read").expect("zone");
    assert_eq!(zone.records.len(), 1);
    let zones = store.dns_zones().await.expect("zones");
    assert_eq!(zones.len(), 2, "the active domains");
}

async fn a_purge_keeps_the_newest(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    for name in ["a.com", "b.com", "c.com"] {
        active(store, a.id, name).await;
    }
    let head = store.dns_change_head().await.expect("head");
    let all = store.dns_changes(0, 100).await.expect("changes").len();
    assert!(all >= 3);
    let purged = store.purge_dns_changes(1).await.expect("purge");
    assert_eq!(purged as usize, all - 1);
    let left = store.dns_changes(0, 100).await.expect("changes");
    assert_eq!(left.iter().map(|c| c.0).collect::<Vec<_>>(), [head]);
}

crate::both!(the_feed_lists_changes_in_order, a_purge_keeps_the_newest);
