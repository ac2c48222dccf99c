//! The audit log: each account sees its own entries, newest first.

use std::sync::Arc;

use vpsd_storage::Store;

use crate::common::{account, audit, t0};

async fn each_account_reads_its_own_log_newest_first(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    let b = account(store, "b@example.com", 0).await;
    store
        .append_audit(
            a.id,
            Some((vpsd_domain::DomainId::from(7), "example.com")),
            t0(),
            &audit("domain.auth_code_regenerate"),
        )
        .await
        .expect("append");
    let (total, page) = store.audit_page(a.id, 0, 10).await.expect("page");
    assert_eq!(total, 2, "the account's creation and the new entry");
    assert_eq!(page[0].action, "domain.auth_code_regenerate");
    assert_eq!(page[0].domain_name.as_deref(), Some("example.com"));
    assert_eq!(page[0].actor, "operator");
    assert_eq!(page[1].action, "account.create");
    let (total_b, page_b) = store.audit_page(b.id, 0, 10).await.expect("page");
    assert_eq!(total_b, 1);
    assert!(page_b.iter().all(|e| e.account_id == b.id));
}

crate::both!(each_account_reads_its_own_log_newest_first);
