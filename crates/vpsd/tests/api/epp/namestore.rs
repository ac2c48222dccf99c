//! Verisign's namestore extension: R requires it (`serve-epp
//! --require-namestore`), as Verisign's .com/.net registry does. A
//! configured with `extensions = ["namestore"]` names the sub-product of
//! each command's TLD (dotCOM, dotNET) and works; A without it is refused
//! (2003) before anything is charged.

use reqwest::StatusCode;
use serde_json::json;

use super::registrar_at;
use super::registry::Remote;
use crate::helpers::{Backend, TestApp};

async fn a_namestore_registry_gets_the_sub_product_of_each_tld(backend: Backend) {
    let mut r = Remote::start(backend).await;
    r.restart_with(&["--require-namestore"]).await;

    // Without namestore: R refuses A's commands; nothing charged.
    let plain = registrar_at(&r, backend).await;
    let before = plain.balance(plain.account_id).await;
    let (status, body) = plain
        .post_domain(json!({"domain_name": "no-store.com"}))
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(plain.balance(plain.account_id).await, before);
    assert!(r.record("no-store.com").await.is_none());
    plain.finish().await;

    // With namestore: .com and .net each with their own sub-product, the
    // name servers (host objects) too.
    let file = r.registries_file("registrar-a");
    let text = std::fs::read_to_string(&file).expect("read") + "extensions = [\"namestore\"]\n";
    let file = file.with_file_name("registrar-a.namestore.toml");
    std::fs::write(&file, text).expect("write");
    let a = TestApp::builder()
        .settings(move |s| s.registries = Some(file))
        .spawn(backend)
        .await;
    let com = a.register("with-store.com").await;
    let net = a.register("with-store.net").await;
    a.run_worker().await;
    for (id, name) in [(com, "with-store.com"), (net, "with-store.net")] {
        let (_, d) = a.domain(id).await;
        assert_eq!(d["status"], "active", "{d}");
        let at_r = r.record(name).await.expect("created at R");
        assert_eq!(at_r.sponsoring_registrar, "registrar-a");
    }
    let (status, body) = a.renew(net, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = a
        .put_domain(
            net,
            json!({"nameservers": ["ns1.store-hosts.org", "ns2.store-hosts.org"], "locked": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let at_r = r.record("with-store.net").await.expect("at R");
    assert_eq!(
        at_r.nameservers,
        ["ns1.store-hosts.org", "ns2.store-hosts.org"]
    );
    assert!(!at_r.client_transfer_prohibited);
    a.assert_ledgers_balance().await;
    r.stop().await;
    a.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_namestore_registry_gets_the_sub_product_of_each_tld() {
    a_namestore_registry_gets_the_sub_product_of_each_tld(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_namestore_registry_gets_the_sub_product_of_each_tld() {
    a_namestore_registry_gets_the_sub_product_of_each_tld(Backend::Postgres).await;
}
