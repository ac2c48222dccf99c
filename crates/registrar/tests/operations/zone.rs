//! DNS records and forwards: each change raises the zone's serial exactly
//! once (so secondaries and caches see it), a refused one changes nothing,
//! and a CNAME stands alone at its name (RFC 1034 §3.6.2).

use vpsd_domain::dns::{validate, Clash, RecordData, RecordInput};
use vpsd_storage::{EmailForwardData, ForwardClash, UrlForwardData};

use crate::Ops;

crate::both!(
    each_record_change_raises_the_serial_once,
    a_cname_stands_alone_and_a_refused_record_changes_nothing,
    email_forward_changes_raise_the_serial_once_each,
    url_forward_changes_raise_the_serial_once_each,
);

fn record(zone: &str, name: &str, rtype: &str, content: &str) -> RecordData {
    validate(
        zone,
        &RecordInput {
            name: Some(name.to_owned()),
            rtype: Some(rtype.to_owned()),
            content: Some(content.to_owned()),
            ttl: Some(3600),
            priority: (rtype == "MX").then_some(10),
        },
    )
    .expect("a valid record")
}

async fn serial(ops: &Ops, id: vpsd_domain::DomainId) -> i64 {
    ops.domain(id).await.dns_serial
}

async fn each_record_change_raises_the_serial_once(ops: &Ops) {
    let zone = "example.com";
    let domain = ops.active(zone).await;
    let start = domain.dns_serial;
    let r = &ops.registrar;
    let a = &ops.actor;

    let www = r
        .add_dns_record(
            a,
            ops.account,
            domain.id,
            &record(zone, "www", "A", "192.0.2.1"),
        )
        .await
        .expect("add")
        .expect("no clash");
    assert_eq!(serial(ops, domain.id).await, start + 1);
    r.add_dns_record(
        a,
        ops.account,
        domain.id,
        &record(zone, "@", "MX", "mail.example.net"),
    )
    .await
    .expect("add")
    .expect("no clash");
    assert_eq!(serial(ops, domain.id).await, start + 2);

    let moved = r
        .replace_dns_record(a, ops.account, &www, &record(zone, "www", "A", "192.0.2.2"))
        .await
        .expect("replace")
        .expect("no clash");
    assert_eq!(moved.id, www.id);
    assert_eq!(moved.data.rdata.to_string(), "192.0.2.2");
    assert_eq!(serial(ops, domain.id).await, start + 3);

    r.delete_dns_record(a, ops.account, domain.id, www.id)
        .await
        .expect("delete");
    assert_eq!(serial(ops, domain.id).await, start + 4);
    let records = r
        .dns_records(ops.account, domain.id)
        .await
        .expect("records");
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].data.rdata.to_string(), "mail.example.net");
    assert_eq!(ops.domain(domain.id).await.dns_records_count, 1);

    let missing = r
        .delete_dns_record(a, ops.account, domain.id, www.id)
        .await
        .expect_err("deleted already");
    assert_eq!(crate::code(&missing), "NotFound");
    assert_eq!(serial(ops, domain.id).await, start + 4, "unchanged");
}

async fn a_cname_stands_alone_and_a_refused_record_changes_nothing(ops: &Ops) {
    let zone = "example.com";
    let domain = ops.active(zone).await;
    let r = &ops.registrar;
    let a = &ops.actor;
    let add = |data: RecordData| async move {
        r.add_dns_record(a, ops.account, domain.id, &data)
            .await
            .expect("the domain is there")
    };
    add(record(zone, "www", "A", "192.0.2.1"))
        .await
        .expect("no clash");
    let before = serial(ops, domain.id).await;

    let beside = add(record(zone, "www", "CNAME", "example.net")).await;
    assert!(matches!(beside, Err(Clash::Cname { .. })), "{beside:?}");
    let twice = add(record(zone, "www", "A", "192.0.2.1")).await;
    assert!(matches!(twice, Err(Clash::Duplicate { .. })), "{twice:?}");
    assert_eq!(
        serial(ops, domain.id).await,
        before,
        "refusals change nothing"
    );

    add(record(zone, "blog", "CNAME", "example.net"))
        .await
        .expect("a CNAME alone");
    let under = add(record(zone, "blog", "TXT", "hello")).await;
    assert!(matches!(under, Err(Clash::Cname { .. })), "{under:?}");
    assert_eq!(serial(ops, domain.id).await, before + 1);
    let records = r
        .dns_records(ops.account, domain.id)
        .await
        .expect("records");
    assert_eq!(records.len(), 2);
}

async fn email_forward_changes_raise_the_serial_once_each(ops: &Ops) {
    let domain = ops.active("example.com").await;
    let start = domain.dns_serial;
    let r = &ops.registrar;
    let a = &ops.actor;
    let data = |alias: &str, to: &str| EmailForwardData {
        alias: alias.to_owned(),
        destinations: vec![to.to_owned()],
    };

    let info = r
        .put_email_forward(
            a,
            ops.account,
            domain.id,
            None,
            &data("info", "me@example.net"),
        )
        .await
        .expect("put")
        .expect("no clash");
    assert_eq!(serial(ops, domain.id).await, start + 1);
    let sales = r
        .put_email_forward(
            a,
            ops.account,
            domain.id,
            None,
            &data("sales", "me@example.net"),
        )
        .await
        .expect("put")
        .expect("no clash");
    assert_eq!(serial(ops, domain.id).await, start + 2);

    let taken = r
        .put_email_forward(
            a,
            ops.account,
            domain.id,
            None,
            &data("info", "you@example.net"),
        )
        .await
        .expect("put");
    assert_eq!(taken, Err(ForwardClash::Taken { id: info.id }));
    assert_eq!(serial(ops, domain.id).await, start + 2, "unchanged");

    let changed = r
        .put_email_forward(
            a,
            ops.account,
            domain.id,
            Some(&info),
            &data("info", "you@example.net"),
        )
        .await
        .expect("put")
        .expect("no clash");
    assert_eq!(changed.id, info.id);
    assert_eq!(changed.destinations, ["you@example.net"]);
    assert_eq!(serial(ops, domain.id).await, start + 3);

    r.delete_email_forward(a, ops.account, domain.id, sales.id)
        .await
        .expect("delete");
    assert_eq!(serial(ops, domain.id).await, start + 4);
    let left = r
        .email_forwards(ops.account, domain.id)
        .await
        .expect("list");
    assert_eq!(left, [changed]);
}

async fn url_forward_changes_raise_the_serial_once_each(ops: &Ops) {
    let domain = ops.active("example.com").await;
    let start = domain.dns_serial;
    let r = &ops.registrar;
    let a = &ops.actor;
    let data = |host: &str, target: &str| UrlForwardData {
        host: host.to_owned(),
        target: target.to_owned(),
        status_code: 301,
        keep_path: false,
    };

    let go = r
        .put_url_forward(
            a,
            ops.account,
            domain.id,
            None,
            &data("go", "https://example.net/"),
        )
        .await
        .expect("put")
        .expect("no clash");
    assert_eq!(serial(ops, domain.id).await, start + 1);
    let taken = r
        .put_url_forward(
            a,
            ops.account,
            domain.id,
            None,
            &data("go", "https://example.org/"),
        )
        .await
        .expect("put");
    assert_eq!(taken, Err(ForwardClash::Taken { id: go.id }));
    assert_eq!(serial(ops, domain.id).await, start + 1, "unchanged");

    let changed = r
        .put_url_forward(
            a,
            ops.account,
            domain.id,
            Some(&go),
            &data("go", "https://example.org/"),
        )
        .await
        .expect("put")
        .expect("no clash");
    assert_eq!(changed.target, "https://example.org/");
    assert_eq!(serial(ops, domain.id).await, start + 2);

    r.delete_url_forward(a, ops.account, domain.id, go.id)
        .await
        .expect("delete");
    assert_eq!(serial(ops, domain.id).await, start + 3);
    assert!(r
        .url_forwards(ops.account, domain.id)
        .await
        .expect("list")
        .is_empty());
}
