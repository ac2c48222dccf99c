//! Contacts: one account's only, one default at most (the first, or the
//! one made so), a contact a domain names kept, read by handle.

use std::sync::Arc;

use vpsd_domain::contact::ContactData;
use vpsd_storage::{
    ContactDeletion, ContactWrite, DomainContacts, EmailVerification, SettingsChange, Store,
};

use crate::common::{account, audit, register, t0};

fn mail(hash: &str) -> EmailVerification {
    EmailVerification {
        token_hash: hash.to_owned(),
        subject: "Please verify".to_owned(),
        body: "Follow the link.".to_owned(),
    }
}

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
            ContactWrite {
                data: &data("First"),
                make_default: false,
                verification: Some(&mail("create-1")),
            },
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
            ContactWrite {
                data: &data("Second"),
                make_default: false,
                verification: Some(&mail("create-2")),
            },
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
            ContactWrite {
                data: &data("Clash"),
                make_default: false,
                verification: Some(&mail("create-3")),
            },
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
            ContactWrite {
                data: &data("Theirs"),
                make_default: true,
                verification: None,
            },
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
            ContactWrite {
                data: &data("Second"),
                make_default: true,
                verification: None,
            },
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
            ContactWrite {
                data: &data("Used"),
                make_default: false,
                verification: Some(&mail("create-4")),
            },
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

/// A new email's verification: its mail queued to the contact's address,
/// its token good once, the account warned once past the period and only
/// for a registrant.
async fn an_email_is_verified_once_and_warned_about_once(store: &Arc<dyn Store>) {
    let a = account(store, "a@example.com", 0).await;
    let c = store
        .create_contact(
            a.id,
            "CDDDDDDDDDDDDDDD",
            ContactWrite {
                data: &data("Unverified"),
                make_default: false,
                verification: Some(&mail("h-1")),
            },
            t0(),
            &audit("contact.create"),
        )
        .await
        .expect("create");
    assert_eq!(
        (c.email_verified_at, c.email_verification_sent_at),
        (None, Some(t0()))
    );
    let outbox = store.outbox().await.expect("outbox");
    assert_eq!(outbox.len(), 1);
    assert_eq!(
        outbox[0].recipient, "jane@example.com",
        "the contact's address"
    );
    let later = t0() + chrono::Duration::days(16);
    // Not a registrant yet: nobody to warn.
    assert!(store
        .unverified_registrants(later, 10)
        .await
        .expect("read")
        .is_empty());
    let d = register(store, a.id, "unverified.com", 0)
        .await
        .expect("register");
    let change = SettingsChange {
        contacts: DomainContacts {
            registrant: Some(c.id),
            ..Default::default()
        },
        ..Default::default()
    };
    store
        .update_settings(a.id, d.id, &change, t0(), &audit("domain.update"))
        .await
        .expect("update");
    assert!(
        store
            .unverified_registrants(t0() - chrono::Duration::seconds(1), 10)
            .await
            .expect("read")
            .is_empty(),
        "not yet due"
    );
    let due = store.unverified_registrants(later, 10).await.expect("read");
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].domains, vec!["unverified.com".to_owned()]);
    let warn = vpsd_storage::NewMail {
        account_id: a.id,
        subject: "Action needed".into(),
        body: "verify".into(),
    };
    assert!(store
        .warn_unverified(c.id, t0(), &warn, later)
        .await
        .expect("warn"));
    assert!(
        !store
            .warn_unverified(c.id, t0(), &warn, later)
            .await
            .expect("warn"),
        "once"
    );
    assert!(store
        .unverified_registrants(later, 10)
        .await
        .expect("read")
        .is_empty());

    assert!(store
        .verify_contact_email("h-2", later)
        .await
        .expect("verify")
        .is_none());
    let verified = store
        .verify_contact_email("h-1", later)
        .await
        .expect("verify")
        .expect("found");
    assert_eq!(verified.email_verified_at, Some(later));
    assert!(
        store
            .verify_contact_email("h-1", later)
            .await
            .expect("verify")
            .is_none(),
        "used once"
    );
    // A new email starts over.
    let mut moved = data("Unverified");
    moved.email = "new@example.com".into();
    let after = store
        .update_contact(
            a.id,
            c.id,
            ContactWrite {
                data: &moved,
                make_default: false,
                verification: Some(&mail("h-3")),
            },
            later,
            &audit("contact.update"),
        )
        .await
        .expect("update")
        .expect("found");
    assert_eq!(
        (after.email_verified_at, after.email_verification_sent_at),
        (None, Some(later))
    );
    assert_eq!(store.outbox().await.expect("outbox").len(), 3);
}

/// Which registry holds which contact: recorded when sent, marked pending
/// by the contact's change in its own transaction, no longer pending once
/// sent again (unless it changed again after the data sent was read).
async fn a_changed_contact_is_pending_at_every_registry_holding_it(store: &Arc<dyn Store>) {
    let a = account(store, "objects@example.com", 0).await;
    fn write(d: &ContactData) -> ContactWrite<'_> {
        ContactWrite {
            data: d,
            make_default: false,
            verification: None,
        }
    }
    let c = store
        .create_contact(
            a.id,
            "COBJECTSAAAAAAAA",
            write(&data("Jane")),
            t0(),
            &audit("contact.create"),
        )
        .await
        .expect("create");
    assert!(store
        .contact_object(&c.handle, "r")
        .await
        .expect("read")
        .is_none());
    for registry in ["r", "s"] {
        let record = vpsd_storage::ContactObjectRecord {
            handle: c.handle.clone(),
            registry: registry.to_owned(),
            domain_name: "example.org".to_owned(),
            pending: false,
        };
        store
            .contact_object_synced(&record, Some(c.updated_at), t0())
            .await
            .expect("synced");
    }
    assert!(store
        .contact_objects_pending(10)
        .await
        .expect("pending")
        .is_empty());
    let later = t0() + chrono::Duration::seconds(5);
    let changed = store
        .update_contact(
            a.id,
            c.id,
            write(&data("Jane Roe")),
            later,
            &audit("contact.update"),
        )
        .await
        .expect("update")
        .expect("changed");
    let pending = store.contact_objects_pending(10).await.expect("pending");
    assert_eq!(pending.len(), 2, "{pending:?}");
    assert!(pending.iter().all(|p| p.pending && p.handle == c.handle));
    // Sent with the data read before the change: still pending.
    store
        .contact_object_synced(&pending[0], Some(c.updated_at), later)
        .await
        .expect("synced");
    assert!(
        store
            .contact_object(&c.handle, &pending[0].registry)
            .await
            .expect("read")
            .expect("kept")
            .pending
    );
    // Sent with the data as changed: done.
    store
        .contact_object_synced(&pending[0], Some(changed.updated_at), later)
        .await
        .expect("synced");
    assert!(
        !store
            .contact_object(&c.handle, &pending[0].registry)
            .await
            .expect("read")
            .expect("kept")
            .pending
    );
    assert_eq!(
        store.contact_objects(&c.handle).await.expect("all").len(),
        2
    );
    assert_eq!(
        store
            .contact_objects_pending(10)
            .await
            .expect("pending")
            .len(),
        1
    );
}

crate::both!(
    a_changed_contact_is_pending_at_every_registry_holding_it,
    contacts_belong_to_one_account_and_keep_one_default,
    a_contact_a_domain_names_is_kept,
    an_email_is_verified_once_and_warned_about_once,
);
