//! Contacts: one account's only, one default at most (the first, or the
//! one made so), a contact a domain names kept, read by handle.

use std::sync::Arc;

use vpsd_domain::contact::ContactData;
use vpsd_storage::{ContactDeletion, DomainContacts, SettingsChange, Store};

use crate::common::{account, audit, register, t0};

fn data(name: &str) -> ContactData {
    ContactData {
        name: name.to_owned(),
        organisation: None,
        street: vec!["1 Main Street".into(), "Suite 2".into()],
        city: "Springfield".into(),
        state_province: Some("IL".into()),
        postal_code: None,
        country_code: "US".into(),
        voice: "+1.2175550100".into(),
        fax: None,
        email: "jane@example.com".into(),
    }
}

async fn contacts_belong_to_one_account_and_keep_one_default(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    let b = account(store, "b@example.com", 0).await;
    let first = store
        .create_contact(
            a.id,
            "CAAAAAAAAAAAAAAA",
            &data("First"),
            false,
            t0(),
            &audit("contact.create"),
        )
        .await
        .expect("create");
    assert!(first.is_default, "the first is the default");
    assert_eq!(first.data, data("First"), "street lines round-trip");
    let second = store
        .create_contact(
            a.id,
            "CBBBBBBBBBBBBBBB",
            &data("Second"),
            false,
            t0(),
            &audit("contact.create"),
        )
        .await
        .expect("create");
    assert!(!second.is_default);
    // A handle is unique across accounts.
    let clash = store
        .create_contact(
            b.id,
            "CBBBBBBBBBBBBBBB",
            &data("Clash"),
            false,
            t0(),
            &audit("contact.create"),
        )
        .await;
    assert!(
        matches!(clash, Err(vpsd_storage::StoreError::Conflict { .. })),
        "{clash:?}"
    );
    assert!(store.contact(b.id, first.id).await.expect("read").is_none());
    assert!(store.default_contact(b.id).await.expect("read").is_none());
    let found = store
        .contact_by_handle("CBBBBBBBBBBBBBBB")
        .await
        .expect("read");
    assert_eq!(found.map(|c| c.id), Some(second.id));

    // Another account cannot change or delete it.
    let changed = store
        .update_contact(
            b.id,
            first.id,
            &data("Theirs"),
            true,
            t0(),
            &audit("contact.update"),
        )
        .await
        .expect("update");
    assert!(changed.is_none());
    let deleted = store
        .delete_contact(b.id, first.id, t0(), &audit("contact.delete"))
        .await
        .expect("delete");
    assert_eq!(deleted, ContactDeletion::NotFound);

    // The default moves; only one at a time.
    let now_default = store
        .update_contact(
            a.id,
            second.id,
            &data("Second"),
            true,
            t0(),
            &audit("contact.update"),
        )
        .await
        .expect("update")
        .expect("found");
    assert!(now_default.is_default);
    let page = store.list_contacts(a.id, 0, 10).await.expect("list");
    assert_eq!(page.total, 2);
    assert_eq!(
        page.contacts
            .iter()
            .filter(|c| c.is_default)
            .map(|c| c.id)
            .collect::<Vec<_>>(),
        vec![second.id]
    );
    // Deleting the default hands it on.
    let deleted = store
        .delete_contact(a.id, second.id, t0(), &audit("contact.delete"))
        .await
        .expect("delete");
    assert_eq!(deleted, ContactDeletion::Deleted);
    let default = store
        .default_contact(a.id)
        .await
        .expect("read")
        .expect("one");
    assert_eq!(default.id, first.id);
    let page = store.list_contacts(a.id, 1, 10).await.expect("list");
    assert_eq!(
        (page.total, page.contacts.len()),
        (1, 0),
        "offset past the end"
    );
}

async fn a_contact_a_domain_names_is_kept(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    let c = store
        .create_contact(
            a.id,
            "CCCCCCCCCCCCCCCC",
            &data("Used"),
            false,
            t0(),
            &audit("contact.create"),
        )
        .await
        .expect("create");
    let d = register(store, a.id, "named.com", 0)
        .await
        .expect("register");
    assert_eq!(d.contacts, DomainContacts::default(), "none given");
    let change = SettingsChange {
        contacts: DomainContacts {
            tech: Some(c.id),
            ..Default::default()
        },
        ..Default::default()
    };
    let after = store
        .update_settings(a.id, d.id, &change, t0(), &audit("domain.update"))
        .await
        .expect("update")
        .expect("found");
    assert_eq!(after.contacts.tech, Some(c.id));
    assert_eq!(after.contacts.registrant, None, "the others stay");
    let refused = store
        .delete_contact(a.id, c.id, t0(), &audit("contact.delete"))
        .await
        .expect("delete");
    assert_eq!(
        refused,
        ContactDeletion::InUse(vec!["named.com".to_owned()])
    );
    assert!(store.contact(a.id, c.id).await.expect("read").is_some());
    // Read back through the domain reads too (both SQLite paths).
    let read = store
        .domain(a.id, d.id)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(read.contacts.tech, Some(c.id));
    let page = store
        .list_domains(a.id, &Default::default(), 0, 10)
        .await
        .expect("list");
    assert_eq!(page.domains[0].contacts.tech, Some(c.id));
}

crate::both!(
    contacts_belong_to_one_account_and_keep_one_default,
    a_contact_a_domain_names_is_kept,
);
