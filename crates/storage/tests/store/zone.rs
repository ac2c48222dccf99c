//! Zone content: records and forwards of the account's own domains, each
//! write checked against what the zone holds.

use std::sync::Arc;

use vpsd_domain::dns::{Clash, Rdata, RecordData, RecordType};
use vpsd_storage::{
    Actor, DnsChange, DnsChangeCounts, DnsChangeKind, EmailForwardData, ForwardClash, Store,
    UrlForwardData, Written,
};

use crate::common::{account, active, audit, t0, Db};

fn record(name: &str, rtype: RecordType, content: &str) -> RecordData {
    RecordData {
        name: name.into(),
        ttl: 3600,
        rdata: Rdata::from_stored(rtype, content, None).expect("record data"),
    }
}

async fn a_record_raises_the_serial_and_clashes_are_refused(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    let d = active(store, a.id, "zone.com").await;
    let www = record("www", RecordType::A, "192.0.2.1");
    let add = audit("dns_record.create");
    let Written::Done(r) = store
        .add_dns_record(a.id, d.id, &www, t0(), &add)
        .await
        .expect("add")
    else {
        panic!("not written");
    };
    assert_eq!(r.data, www);
    let after = store
        .domain(a.id, d.id)
        .await
        .expect("read")
        .expect("there");
    assert!(after.dns_serial > d.dns_serial);
    assert_eq!(after.dns_records_count, 1);
    let dup = store
        .add_dns_record(a.id, d.id, &www, t0(), &add)
        .await
        .expect("add");
    assert_eq!(dup, Written::Refused(Clash::Duplicate { id: r.id }));
    let cname = record("www", RecordType::Cname, "zone.com");
    let beside = store
        .add_dns_record(a.id, d.id, &cname, t0(), &add)
        .await
        .expect("add");
    assert!(
        matches!(beside, Written::Refused(Clash::Cname { .. })),
        "{beside:?}"
    );
    let records = store
        .dns_records(a.id, d.id)
        .await
        .expect("read")
        .expect("mine");
    assert_eq!(records.len(), 1, "refusals wrote nothing");
}

async fn another_accounts_zone_is_not_found(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    let b = account(store, "b@example.com", 0).await;
    let d = active(store, a.id, "zone.com").await;
    let www = record("www", RecordType::A, "192.0.2.1");
    let add = audit("dns_record.create");
    let theirs = store
        .add_dns_record(b.id, d.id, &www, t0(), &add)
        .await
        .expect("add");
    assert_eq!(theirs, Written::NotFound);
    assert!(store.dns_records(b.id, d.id).await.expect("read").is_none());
    let Written::Done(r) = store
        .add_dns_record(a.id, d.id, &www, t0(), &add)
        .await
        .expect("add")
    else {
        panic!("not written");
    };
    let other = record("www", RecordType::A, "192.0.2.2");
    let upd = audit("dns_record.update");
    let replaced = store
        .replace_dns_record(b.id, d.id, r.id, &other, t0(), &upd)
        .await;
    assert_eq!(replaced.expect("replace"), Written::NotFound);
    let del = audit("dns_record.delete");
    assert!(!store
        .delete_dns_record(b.id, d.id, r.id, t0(), &del)
        .await
        .expect("delete"));
    assert!(store
        .delete_dns_record(a.id, d.id, r.id, t0(), &del)
        .await
        .expect("delete"));
    assert!(!store
        .delete_dns_record(a.id, d.id, r.id, t0(), &del)
        .await
        .expect("delete"));
}

async fn a_forward_alias_or_host_is_taken_once(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    let d = active(store, a.id, "mail.com").await;
    let info = EmailForwardData {
        alias: "info".into(),
        destinations: vec!["me@example.net".into()],
    };
    let put = audit("email_forward.create");
    let first = store
        .put_email_forward(a.id, d.id, None, &info, t0(), &put)
        .await
        .expect("put");
    let Written::Done(f) = first else {
        panic!("not written: {first:?}");
    };
    let again = store
        .put_email_forward(a.id, d.id, None, &info, t0(), &put)
        .await
        .expect("put");
    assert_eq!(again, Written::Refused(ForwardClash::Taken { id: f.id }));
    let web = UrlForwardData {
        host: "@".into(),
        target: "https://example.net/".into(),
        status_code: 301,
        keep_path: true,
    };
    let put = audit("url_forward.create");
    let u = store
        .put_url_forward(a.id, d.id, None, &web, t0(), &put)
        .await
        .expect("put");
    assert!(matches!(u, Written::Done(_)), "{u:?}");
    let found = store
        .url_forward_for("mail.com", "@")
        .await
        .expect("read")
        .expect("there");
    assert_eq!(found.target, "https://example.net/");
    assert!(store
        .url_forward_for("mail.com", "www")
        .await
        .expect("read")
        .is_none());
    let del = audit("email_forward.delete");
    assert!(store
        .delete_email_forward(a.id, d.id, f.id, t0(), &del)
        .await
        .expect("delete"));
    assert!(store
        .email_forwards(a.id, d.id)
        .await
        .expect("read")
        .expect("mine")
        .is_empty());
}

/// A record row whose content does not parse (written behind the store's
/// back) is corrupt data: the API's read of the zone is an error, not a
/// panic; the nameserver's loads leave that record out and serve the rest.
async fn a_record_that_does_not_parse_is_corrupt_data(db: &Db) {
    use sqlx::Connection;
    let store = &db.store;
    let a = account(store, "a@example.com", 0).await;
    let d = active(store, a.id, "zone.com").await;
    let www = record("www", RecordType::A, "192.0.2.1");
    let add = audit("dns_record.create");
    let written = store
        .add_dns_record(a.id, d.id, &www, t0(), &add)
        .await
        .expect("add");
    assert!(matches!(written, Written::Done(_)));
    let mail = record("mail", RecordType::A, "192.0.2.2");
    store
        .add_dns_record(a.id, d.id, &mail, t0(), &add)
        .await
        .expect("add");
    let corrupt = "UPDATE dns_records SET content = 'not an address' WHERE name = 'www'";
    if db.url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&db.url)
            .await
            .expect("open");
        sqlx::query(corrupt).execute(&mut c).await.expect("corrupt");
    } else {
        let mut c = sqlx::PgConnection::connect(&db.url).await.expect("open");
        sqlx::query(corrupt).execute(&mut c).await.expect("corrupt");
    }
    let read = store.dns_records(a.id, d.id).await;
    let err = read.expect_err("corrupt data");
    let err = vpsd_domain::ErrorChain(&err).to_string();
    assert!(err.contains("not an address"), "{err}");
    let zone = store.dns_zone(d.id).await.expect("load").expect("served");
    let names: Vec<&str> = zone.records.iter().map(|r| r.data.name.as_str()).collect();
    assert_eq!(
        names,
        ["mail"],
        "the bad record is left out, the rest served"
    );
    let zones = store.dns_zones().await.expect("load all");
    assert_eq!(zones.len(), 1);
    assert_eq!(zones[0].records.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_that_does_not_parse_is_corrupt_data_sqlite() {
    let db = Db::sqlite().await;
    a_record_that_does_not_parse_is_corrupt_data(&db).await;
    db.store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_that_does_not_parse_is_corrupt_data_postgres() {
    let db = Db::postgres().await;
    a_record_that_does_not_parse_is_corrupt_data(&db).await;
    db.store.close().await;
}

async fn changes_apply_all_or_nothing(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    let d = active(store, a.id, "zone.com").await;
    let add = audit("dns_record.create");
    let Written::Done(old) = store
        .add_dns_record(
            a.id,
            d.id,
            &record("old", RecordType::A, "192.0.2.1"),
            t0(),
            &add,
        )
        .await
        .expect("add")
    else {
        panic!("not written");
    };
    let before = store
        .domain(a.id, d.id)
        .await
        .expect("read")
        .expect("there");
    let change = |kind| DnsChange {
        kind,
        audit_changes: "{}".to_owned(),
    };
    // Delete `old`, then put a CNAME where it was: fine in this order only.
    let plan = |records: &[vpsd_storage::DnsRecord]| {
        assert_eq!(records.len(), 1, "the plan sees the zone as it stands");
        vec![
            change(DnsChangeKind::Delete(records[0].id)),
            change(DnsChangeKind::Add(record(
                "old",
                RecordType::Cname,
                "zone.com",
            ))),
            change(DnsChangeKind::Add(record(
                "www",
                RecordType::A,
                "192.0.2.2",
            ))),
        ]
    };
    let done = store
        .apply_dns_changes(a.id, d.id, &plan, &Actor::operator(), None, t0())
        .await
        .expect("apply");
    assert_eq!(
        done,
        Written::Done(DnsChangeCounts {
            added: 2,
            replaced: 0,
            deleted: 1
        })
    );
    let after = store
        .domain(a.id, d.id)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(after.dns_serial, before.dns_serial + 1, "one serial rise");
    assert_eq!(after.dns_records_count, 2);
    let records = store
        .dns_records(a.id, d.id)
        .await
        .expect("read")
        .expect("mine");
    assert!(records.iter().all(|r| r.id != old.id));
    // A clash in the third change: nothing of the first two is written.
    let bad = |records: &[vpsd_storage::DnsRecord]| {
        vec![
            change(DnsChangeKind::Delete(records[1].id)),
            change(DnsChangeKind::Add(record(
                "new",
                RecordType::A,
                "192.0.2.3",
            ))),
            change(DnsChangeKind::Add(record(
                "old",
                RecordType::A,
                "192.0.2.4",
            ))),
        ]
    };
    let refused = store
        .apply_dns_changes(a.id, d.id, &bad, &Actor::operator(), None, t0())
        .await
        .expect("apply");
    assert!(
        matches!(&refused, Written::Refused(r) if matches!(r[..], [(2, Clash::Cname { .. })])),
        "{refused:?}"
    );
    assert_eq!(
        store
            .dns_records(a.id, d.id)
            .await
            .expect("read")
            .expect("mine"),
        records,
        "all or nothing"
    );
    let same = store
        .domain(a.id, d.id)
        .await
        .expect("read")
        .expect("there");
    assert_eq!(
        same.dns_serial, after.dns_serial,
        "no serial rise when refused"
    );
    // Another account: not found, nothing planned.
    let b = account(store, "b@example.com", 0).await;
    let theirs = store
        .apply_dns_changes(
            b.id,
            d.id,
            &|_: &[vpsd_storage::DnsRecord]| panic!("never planned"),
            &Actor::operator(),
            None,
            t0(),
        )
        .await
        .expect("apply");
    assert_eq!(theirs, Written::NotFound);
    let (_, log) = store.audit_page(a.id, 0, 100).await.expect("audit");
    let actions: Vec<String> = log.iter().take(3).map(|e| e.action.to_string()).collect();
    assert_eq!(
        actions.iter().filter(|a| *a == "dns_record.create").count(),
        2,
        "an audit entry per change: {actions:?}"
    );
    assert!(
        actions.iter().any(|a| a == "dns_record.delete"),
        "{actions:?}"
    );
}

crate::both!(
    a_record_raises_the_serial_and_clashes_are_refused,
    another_accounts_zone_is_not_found,
    a_forward_alias_or_host_is_taken_once,
    changes_apply_all_or_nothing,
);
