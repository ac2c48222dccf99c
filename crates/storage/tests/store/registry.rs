//! The sandbox registry's names: one holder per name, a transfer pending
//! once, a renewal only from the expiration read.

use std::sync::Arc;

use chrono::Duration;
use vpsd_storage::{
    ChangeNotice, LinkedUpdate, NewChangeMessage, NewPollMessage, RegistryHost, Store, StoreError,
    TrStatus, TransferNotice,
};

use crate::common::{held_elsewhere, t0};

async fn a_name_is_held_once(store: &Arc<dyn Store>) {
    let r = held_elsewhere("held.com");
    store.registry_insert(&r, t0()).await.expect("insert");
    let again = store.registry_insert(&r, t0()).await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );
    assert_eq!(
        store.registry_get("held.com").await.expect("get"),
        Some(r.clone())
    );
    assert!(!store
        .registry_delete("held.com", "Someone")
        .await
        .expect("delete"));
    assert!(store
        .registry_delete("held.com", &r.sponsoring_registrar)
        .await
        .expect("delete"));
    assert!(store.registry_get("held.com").await.expect("get").is_none());
}

async fn a_transfer_is_pending_once_and_completes_to_its_gainer(store: &Arc<dyn Store>) {
    let r = held_elsewhere("move.com");
    store.registry_insert(&r, t0()).await.expect("insert");
    assert!(store
        .registry_request_transfer("move.com", "Gainer", t0(), &[])
        .await
        .expect("ask"));
    assert!(!store
        .registry_request_transfer("move.com", "Other", t0(), &[])
        .await
        .expect("ask"));
    let exp = r.ex_date + Duration::days(365);
    assert!(!store
        .registry_complete_transfer("move.com", "Other", exp, t0(), &[])
        .await
        .expect("complete"));
    assert!(store
        .registry_complete_transfer("move.com", "Gainer", exp, t0(), &[])
        .await
        .expect("complete"));
    let now = store
        .registry_get("move.com")
        .await
        .expect("get")
        .expect("there");
    assert_eq!(
        (now.sponsoring_registrar.as_str(), now.ex_date),
        ("Gainer", exp)
    );
    assert!(now.pending_transfer_to.is_none());
}

/// Only the sponsor changes a name, and not while a transfer is pending
/// (RFC 5731 §2.3), decided by the statement itself: the losing
/// registrar's update that lands after the transfer changes nothing.
async fn only_the_sponsor_updates_and_not_during_a_transfer(store: &Arc<dyn Store>) {
    let r = held_elsewhere("kept.com");
    store.registry_insert(&r, t0()).await.expect("insert");
    let ns = vec!["ns1.new.net".to_owned(), "ns2.new.net".to_owned()];
    let sponsor = r.sponsoring_registrar.as_str();
    assert!(!store
        .registry_update("kept.com", "Stranger", Some(&ns), None, t0())
        .await
        .expect("update"));
    assert!(store
        .registry_update("kept.com", sponsor, Some(&ns), None, t0())
        .await
        .expect("update"));
    assert!(store
        .registry_request_transfer("kept.com", "Gainer", t0(), &[])
        .await
        .expect("ask"));
    assert!(
        !store
            .registry_update("kept.com", sponsor, None, Some(true), t0())
            .await
            .expect("update"),
        "pendingTransfer forbids it"
    );
    let now = store
        .registry_get("kept.com")
        .await
        .expect("get")
        .expect("there");
    assert_eq!(now.nameservers, ns);
    assert_eq!(now.client_transfer_prohibited, r.client_transfer_prohibited);
}

async fn a_renewal_applies_to_the_expiration_read(store: &Arc<dyn Store>) {
    let r = held_elsewhere("renew.com");
    store.registry_insert(&r, t0()).await.expect("insert");
    let to = r.ex_date + Duration::days(365);
    let reg = r.sponsoring_registrar.as_str();
    assert!(store
        .registry_renew("renew.com", reg, r.ex_date, to, t0())
        .await
        .expect("renew"));
    assert!(!store
        .registry_renew("renew.com", reg, r.ex_date, to, t0())
        .await
        .expect("renew"));
    assert!(store
        .registry_set_auth_code("renew.com", reg, "new-code", t0())
        .await
        .expect("code"));
    assert!(!store
        .registry_set_auth_code("renew.com", "Other", "x", t0())
        .await
        .expect("code"));
    let now = store
        .registry_get("renew.com")
        .await
        .expect("get")
        .expect("there");
    assert_eq!((now.ex_date, now.auth_code.as_str()), (to, "new-code"));
}

fn notice(to: &str, tr_status: TrStatus) -> NewPollMessage {
    NewPollMessage {
        client_id: to.to_owned(),
        message: format!("Transfer {}.", tr_status.as_str()),
        notice: TransferNotice {
            name: "queue.com".into(),
            tr_status,
            requesting_registrar: "Gainer".into(),
            requested_at: t0(),
            acting_registrar: "Other Registrar".into(),
            acted_at: t0() + Duration::days(5),
            ex_date: Some(t0() + Duration::days(465)),
        },
    }
}

async fn transfer_events_queue_poll_messages_with_the_change(store: &Arc<dyn Store>) {
    let r = held_elsewhere("queue.com");
    store.registry_insert(&r, t0()).await.expect("insert");
    let object = store.registry_object("queue.com").await.expect("object");
    let object = object.expect("there");
    assert_eq!(object.created_by, "Other Registrar", "crID is the creator");
    assert_eq!(object.transfer_requested_at, None);
    let pending = notice("Other Registrar", TrStatus::Pending);
    assert!(store
        .registry_request_transfer("queue.com", "Gainer", t0(), std::slice::from_ref(&pending))
        .await
        .expect("ask"));
    // A refused request queues nothing.
    assert!(!store
        .registry_request_transfer(
            "queue.com",
            "Third",
            t0(),
            &[notice("Third", TrStatus::Pending)]
        )
        .await
        .expect("ask"));
    assert_eq!(
        store.registry_poll_first("Third").await.expect("poll"),
        None
    );
    let object = store.registry_object("queue.com").await.expect("object");
    assert_eq!(object.expect("there").transfer_requested_at, Some(t0()));
    let due = |t| store.registry_transfers_due(t);
    assert!(due(t0() - Duration::seconds(1))
        .await
        .expect("due")
        .is_empty());
    assert_eq!(due(t0()).await.expect("due"), vec!["queue.com".to_owned()]);
    let (first, count) = store
        .registry_poll_first("Other Registrar")
        .await
        .expect("poll")
        .expect("a message");
    assert_eq!(count, 1);
    assert_eq!(
        (first.notice.clone(), first.message.as_str()),
        (pending.notice.clone(), "Transfer pending.")
    );
    assert_eq!(first.queued_at, t0());
    // Rejected: the gainer hears of it; the pending mark and its date go.
    let rejected = notice("Gainer", TrStatus::ClientRejected);
    assert!(store
        .registry_cancel_transfer("queue.com", "Gainer", std::slice::from_ref(&rejected))
        .await
        .expect("reject"));
    assert!(!store
        .registry_cancel_transfer(
            "queue.com",
            "Gainer",
            &[notice("Gainer", TrStatus::ClientRejected)]
        )
        .await
        .expect("reject"));
    let object = store
        .registry_object("queue.com")
        .await
        .expect("object")
        .expect("there");
    assert_eq!(
        (
            object.record.pending_transfer_to,
            object.transfer_requested_at
        ),
        (None, None)
    );
    // Asked again and approved by the registry: both sides are told.
    assert!(store
        .registry_request_transfer("queue.com", "Gainer", t0(), &[])
        .await
        .expect("ask"));
    let exp = r.ex_date + Duration::days(365);
    let both = [
        notice("Gainer", TrStatus::ServerApproved),
        notice("Other Registrar", TrStatus::ServerApproved),
    ];
    assert!(store
        .registry_complete_transfer("queue.com", "Gainer", exp, t0(), &both)
        .await
        .expect("complete"));
    let (g1, n) = store
        .registry_poll_first("Gainer")
        .await
        .expect("poll")
        .expect("one");
    assert_eq!((g1.notice.tr_status, n), (TrStatus::ClientRejected, 2));
    // An ack of another registrar's message, or of none, removes nothing.
    assert_eq!(
        store
            .registry_poll_ack("Other Registrar", g1.id)
            .await
            .expect("ack"),
        None
    );
    assert_eq!(
        store.registry_poll_ack("Gainer", g1.id).await.expect("ack"),
        Some(1)
    );
    assert_eq!(
        store.registry_poll_ack("Gainer", g1.id).await.expect("ack"),
        None
    );
    let (g2, n) = store
        .registry_poll_first("Gainer")
        .await
        .expect("poll")
        .expect("one");
    assert_eq!((g2.notice.tr_status, n), (TrStatus::ServerApproved, 1));
    assert!(g2.id > g1.id);
    assert_eq!(
        store.registry_poll_ack("Gainer", g2.id).await.expect("ack"),
        Some(0)
    );
    assert_eq!(
        store.registry_poll_first("Gainer").await.expect("poll"),
        None
    );
    let (o, n) = store
        .registry_poll_first("Other Registrar")
        .await
        .expect("poll")
        .expect("two");
    assert_eq!((o.notice.tr_status, n), (TrStatus::Pending, 2));
}

async fn registrars_keep_a_password_hash(store: &Arc<dyn Store>) {
    store
        .registry_registrar_add(
            "ClientX",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
            t0(),
        )
        .await
        .expect("add");
    let again = store.registry_registrar_add("ClientX", "other", t0()).await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );
    assert_eq!(
        store
            .registry_registrar_password_hash("ClientX")
            .await
            .expect("read")
            .as_deref(),
        Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA")
    );
    assert_eq!(
        store
            .registry_registrar_password_hash("Nobody")
            .await
            .expect("read"),
        None
    );
    assert!(store
        .registry_registrar_set_password("ClientX", "new", t0())
        .await
        .expect("set"));
    assert!(!store
        .registry_registrar_set_password("Nobody", "new", t0())
        .await
        .expect("set"));
    assert_eq!(
        store
            .registry_registrar_password_hash("ClientX")
            .await
            .expect("read")
            .as_deref(),
        Some("new")
    );
}

async fn host_objects_are_held_once_and_found_in_use(store: &Arc<dyn Store>) {
    let host = RegistryHost {
        name: "ns1.example.net".into(),
        sponsoring_registrar: "Other Registrar".into(),
        addresses: vec!["192.0.2.1".into(), "2001:db8::1".into()],
        created_at: t0(),
    };
    store.registry_host_insert(&host).await.expect("insert");
    let again = store.registry_host_insert(&host).await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );
    assert_eq!(
        store
            .registry_host_get("ns1.example.net")
            .await
            .expect("get"),
        Some(host.clone())
    );
    assert_eq!(
        store
            .registry_host_get("ns9.example.net")
            .await
            .expect("get"),
        None
    );
    assert_eq!(
        store
            .registry_hosts_under("example.net")
            .await
            .expect("under"),
        vec!["ns1.example.net".to_owned()]
    );
    assert!(store
        .registry_hosts_under("ample.net")
        .await
        .expect("under")
        .is_empty());
    assert!(!store
        .registry_host_in_use("ns1.example.net")
        .await
        .expect("in use"));
    // held_elsewhere delegates to ns1.example.net and ns2.example.net.
    store
        .registry_insert(&held_elsewhere("uses.com"), t0())
        .await
        .expect("insert");
    assert!(store
        .registry_host_in_use("ns1.example.net")
        .await
        .expect("in use"));
    assert!(store
        .registry_host_in_use("ns2.example.net")
        .await
        .expect("in use"));
    assert!(!store
        .registry_host_in_use("s1.example.net")
        .await
        .expect("in use"));
    assert!(!store
        .registry_host_delete("ns1.example.net", "Someone")
        .await
        .expect("delete"));
    assert!(
        !store
            .registry_host_delete("ns1.example.net", "Other Registrar")
            .await
            .expect("delete"),
        "uses.com names it"
    );
    let sponsor = held_elsewhere("uses.com").sponsoring_registrar;
    assert!(store
        .registry_delete("uses.com", &sponsor)
        .await
        .expect("delete"));
    assert!(store
        .registry_host_delete("ns1.example.net", "Other Registrar")
        .await
        .expect("delete"));
    assert_eq!(
        store
            .registry_host_get("ns1.example.net")
            .await
            .expect("get"),
        None
    );
}

/// The operator's premium names: set (again: replaced), read, listed,
/// removed; a price that is not positive is refused by the table.
async fn premium_names_are_set_replaced_and_removed(store: &Arc<dyn Store>) {
    let mut gold = vpsd_storage::PremiumName {
        name: "gold.com".into(),
        create_cents: 250_00,
        renew_cents: 100_00,
        transfer_cents: 100_00,
        updated_at: t0(),
    };
    store.registry_premium_set(&gold).await.expect("set");
    gold.renew_cents = 150_00;
    store.registry_premium_set(&gold).await.expect("replace");
    assert_eq!(
        store.registry_premium_get("gold.com").await.expect("get"),
        Some(gold.clone())
    );
    assert_eq!(
        store.registry_premium_get("plain.com").await.expect("get"),
        None
    );
    let free = vpsd_storage::PremiumName {
        name: "free.com".into(),
        create_cents: 0,
        ..gold.clone()
    };
    assert!(store.registry_premium_set(&free).await.is_err());
    assert_eq!(
        store.registry_premium_list().await.expect("list"),
        vec![gold]
    );
    assert!(store
        .registry_premium_remove("gold.com")
        .await
        .expect("remove"));
    assert!(!store
        .registry_premium_remove("gold.com")
        .await
        .expect("remove"));
    assert!(store
        .registry_premium_list()
        .await
        .expect("list")
        .is_empty());
}

/// A name delegates to hosts that must be host objects only while they
/// are (checked in the update's transaction); a host's addresses change
/// by its sponsor only; a linked host is not deleted.
async fn a_linked_update_needs_its_hosts(store: &Arc<dyn Store>) {
    let r = held_elsewhere("linked.com");
    let sponsor = r.sponsoring_registrar.clone();
    store.registry_insert(&r, t0()).await.expect("insert");
    let ns = vec!["ns1.linked.com".to_owned(), "ns1.outside.net".to_owned()];
    let linked = ["ns1.linked.com".to_owned()];
    assert_eq!(
        store
            .registry_update_linked("linked.com", &sponsor, Some(&ns), None, &linked, t0())
            .await
            .expect("update"),
        LinkedUpdate::NoHost("ns1.linked.com".to_owned())
    );
    assert_eq!(
        store
            .registry_get("linked.com")
            .await
            .expect("get")
            .expect("there")
            .nameservers,
        r.nameservers,
        "nothing changed"
    );
    let mut fresh = held_elsewhere("uses-linked.com");
    fresh.nameservers = vec!["ns1.linked.com".to_owned()];
    assert_eq!(
        store
            .registry_insert_linked(&fresh, &linked, t0())
            .await
            .expect("insert"),
        LinkedUpdate::NoHost("ns1.linked.com".to_owned())
    );
    assert!(store
        .registry_get("uses-linked.com")
        .await
        .expect("get")
        .is_none());
    let host = RegistryHost {
        name: "ns1.linked.com".to_owned(),
        sponsoring_registrar: sponsor.clone(),
        addresses: vec!["93.184.216.34".to_owned()],
        created_at: t0(),
    };
    store.registry_host_insert(&host).await.expect("host");
    assert_eq!(
        store
            .registry_update_linked("linked.com", "Stranger", Some(&ns), None, &linked, t0())
            .await
            .expect("update"),
        LinkedUpdate::NotUpdated
    );
    assert_eq!(
        store
            .registry_update_linked("linked.com", &sponsor, Some(&ns), None, &linked, t0())
            .await
            .expect("update"),
        LinkedUpdate::Updated
    );
    assert_eq!(
        store
            .registry_insert_linked(&fresh, &linked, t0())
            .await
            .expect("insert"),
        LinkedUpdate::Updated
    );
    assert!(matches!(
        store.registry_insert_linked(&fresh, &linked, t0()).await,
        Err(StoreError::Conflict { .. })
    ));
    assert!(!store
        .registry_host_delete("ns1.linked.com", &sponsor)
        .await
        .expect("delete"));
    let two = vec!["93.184.216.35".to_owned(), "2606:2800:220:1::1".to_owned()];
    assert!(!store
        .registry_host_set_addresses("ns1.linked.com", "Stranger", &two)
        .await
        .expect("set"));
    assert!(store
        .registry_host_set_addresses("ns1.linked.com", &sponsor, &two)
        .await
        .expect("set"));
    assert_eq!(
        store
            .registry_host_get("ns1.linked.com")
            .await
            .expect("get")
            .expect("there")
            .addresses,
        two
    );
}

/// Change poll messages (RFC 8590) queue per registrar, oldest first, and
/// leave the queue once acknowledged by their registrar only.
async fn change_messages_queue_per_registrar(store: &Arc<dyn Store>) {
    let message = |name: &str| NewChangeMessage {
        client_id: "Sponsor".to_owned(),
        message: format!("The registry renewed {name}"),
        notice: ChangeNotice {
            name: name.to_owned(),
            operation: "autoRenew".to_owned(),
            who: "registry operator".to_owned(),
            reason: Some("at expiry".to_owned()),
            sv_trid: "OP-1".to_owned(),
        },
    };
    assert_eq!(
        store.registry_change_first("Sponsor").await.expect("first"),
        (None, 0)
    );
    let one = store
        .registry_change_queue(&message("one.com"), t0())
        .await
        .expect("queue");
    store
        .registry_change_queue(&message("two.com"), t0() + Duration::seconds(1))
        .await
        .expect("queue");
    let (first, count) = store.registry_change_first("Sponsor").await.expect("first");
    let first = first.expect("a message");
    assert_eq!((first.id, count), (one, 2));
    assert_eq!(first.notice, message("one.com").notice);
    assert_eq!(first.queued_at, t0());
    assert_eq!(
        store.registry_change_first("Other").await.expect("first"),
        (None, 0)
    );
    assert!(!store.registry_change_ack("Other", one).await.expect("ack"));
    assert!(store
        .registry_change_ack("Sponsor", one)
        .await
        .expect("ack"));
    assert!(!store
        .registry_change_ack("Sponsor", one)
        .await
        .expect("ack"));
    let (next, count) = store.registry_change_first("Sponsor").await.expect("first");
    assert_eq!(next.expect("the second").notice.name, "two.com");
    assert_eq!(count, 1);
}

/// Contact objects (RFC 5733): one per id, changed by their sponsor only,
/// deleted only while no name links them; a name's contacts replaced
/// whole, an unknown id refused with nothing changed.
async fn contact_objects_are_held_once_and_linked(store: &Arc<dyn Store>) {
    let object = vpsd_storage::RegistryContactObject {
        id: "CSTORE1".to_owned(),
        sponsoring_registrar: "Holder".to_owned(),
        created_by: "Holder".to_owned(),
        data: vpsd_domain::contact::ContactData {
            name: "Jane Roe".to_owned(),
            organisation: None,
            street: vec!["1 Road".to_owned(), "Floor 2".to_owned()],
            city: "Town".to_owned(),
            state_province: None,
            postal_code: Some("12345".to_owned()),
            country_code: "DE".to_owned(),
            voice: "+49.301234".to_owned(),
            fax: None,
            email: "jane@example.org".to_owned(),
        },
        auth_info_hash: vpsd_domain::token::hash("Contact-Pw-1"),
        created_at: t0(),
        updated_at: t0(),
    };
    store
        .registry_contact_insert(&object)
        .await
        .expect("insert");
    let again = store.registry_contact_insert(&object).await;
    assert!(
        matches!(again, Err(StoreError::Conflict { .. })),
        "{again:?}"
    );
    let read = store.registry_contact_get("CSTORE1").await.expect("get");
    assert!(read == Some(object.clone()), "{read:?}");

    let mut data = object.data.clone();
    data.city = "City".to_owned();
    assert!(!store
        .registry_contact_update("CSTORE1", "Other", &data, None, t0())
        .await
        .expect("update"));
    assert!(store
        .registry_contact_update("CSTORE1", "Holder", &data, None, t0())
        .await
        .expect("update"));
    let read = store
        .registry_contact_get("CSTORE1")
        .await
        .expect("get")
        .expect("kept");
    assert_eq!(read.data.city, "City");
    assert_eq!(
        read.auth_info_hash, object.auth_info_hash,
        "kept when not given"
    );

    let r = held_elsewhere("linked-contact.com");
    store.registry_insert(&r, t0()).await.expect("insert");
    let wanted = vpsd_storage::RegistryDomainContacts {
        registrant: Some("CSTORE1".to_owned()),
        tech: Some("CSTORE1".to_owned()),
        ..Default::default()
    };
    let unknown = vpsd_storage::RegistryDomainContacts {
        admin: Some("CNOPE".to_owned()),
        ..wanted.clone()
    };
    assert_eq!(
        store
            .registry_set_domain_contacts("linked-contact.com", &unknown)
            .await
            .expect("set")
            .as_deref(),
        Some("CNOPE")
    );
    assert!(store
        .registry_domain_contacts("linked-contact.com")
        .await
        .expect("read")
        .is_empty());
    assert_eq!(
        store
            .registry_set_domain_contacts("linked-contact.com", &wanted)
            .await
            .expect("set"),
        None
    );
    assert_eq!(
        store
            .registry_domain_contacts("linked-contact.com")
            .await
            .expect("read"),
        wanted
    );
    assert!(store
        .registry_contact_linked("CSTORE1")
        .await
        .expect("linked"));
    assert!(!store
        .registry_contact_delete("CSTORE1", "Holder")
        .await
        .expect("delete"));
    // Unlinked (the name's contacts replaced by none): deleted, by its
    // sponsor only.
    store
        .registry_set_domain_contacts("linked-contact.com", &Default::default())
        .await
        .expect("set");
    assert!(!store
        .registry_contact_delete("CSTORE1", "Other")
        .await
        .expect("delete"));
    assert!(store
        .registry_contact_delete("CSTORE1", "Holder")
        .await
        .expect("delete"));
    assert!(store
        .registry_contact_get("CSTORE1")
        .await
        .expect("get")
        .is_none());
}

/// The operator's server statuses (RFC 5731 §2.3) are kept with the name,
/// changed only from the statuses read (two operators do not undo each
/// other), and a new registration of the name starts with none.
async fn server_statuses_change_from_those_read(store: &Arc<dyn Store>) {
    let r = held_elsewhere("statuses.com");
    store.registry_insert(&r, t0()).await.expect("insert");
    let none: Vec<String> = Vec::new();
    let hold = vec!["serverHold".to_owned(), "serverUpdateProhibited".to_owned()];
    assert!(store
        .registry_set_server_statuses("statuses.com", &none, &hold, t0())
        .await
        .expect("set"));
    assert!(!store
        .registry_set_server_statuses("statuses.com", &none, &none, t0())
        .await
        .expect("not from what was read"));
    assert!(!store
        .registry_set_server_statuses("nowhere.com", &none, &hold, t0())
        .await
        .expect("not registered"));
    let now = store.registry_get("statuses.com").await.expect("get");
    assert_eq!(now.expect("there").server_statuses, hold);
    assert!(store
        .registry_delete("statuses.com", &r.sponsoring_registrar)
        .await
        .expect("delete"));
    store.registry_insert(&r, t0()).await.expect("again");
    let fresh = store.registry_get("statuses.com").await.expect("get");
    assert!(fresh.expect("there").server_statuses.is_empty());
}

crate::both!(
    contact_objects_are_held_once_and_linked,
    server_statuses_change_from_those_read,
    change_messages_queue_per_registrar,
    premium_names_are_set_replaced_and_removed,
    a_linked_update_needs_its_hosts,
    transfer_events_queue_poll_messages_with_the_change,
    registrars_keep_a_password_hash,
    host_objects_are_held_once_and_found_in_use,
    a_name_is_held_once,
    a_transfer_is_pending_once_and_completes_to_its_gainer,
    a_renewal_applies_to_the_expiration_read,
    only_the_sponsor_updates_and_not_during_a_transfer,
);
