//! Contacts at a thick registry over EPP: A's registries file says R wants
//! contacts (`contacts = "required"`). Through A's HTTP API: a registration
//! creates A's contacts at R as RFC 5733 objects whose ids are the
//! contacts' handles, linked to the name (R's store and R's
//! `<domain:info>` show them); a changed contact is updated at R (by the
//! worker when R was down); privacy protection puts the privacy service's
//! object in the registrant, admin and tech places; a new registrant is
//! created and linked. No personal data or authInfo reaches R's log.

use instant_epp::domain::DomainInfo;
use reqwest::StatusCode;
use serde_json::{json, Value};

use super::registry::Remote;
use crate::helpers::{Backend, TestApp};

/// A with .com and .net at `r`, which wants contacts.
async fn registrar_with_contacts(r: &Remote, backend: Backend) -> TestApp {
    let file = r.registries_file_with("registrar-a", r#"contacts = "required""#);
    TestApp::builder()
        .settings(move |s| s.registries = Some(file))
        .spawn(backend)
        .await
}

/// The contact `id` of A's account.
async fn contact(a: &TestApp, id: &Value) -> Value {
    let (status, body) = a.contact(id.as_i64().expect("contact id")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn contacts_are_created_and_kept_at_the_registry(backend: Backend) {
    let mut r = Remote::start(backend).await;
    let a = registrar_with_contacts(&r, backend).await;

    let (status, body) = a
        .post_domain(json!({"domain_name": "thick-epp.com", "privacy_protection": false}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_i64().expect("id");
    let (_, detail) = a.domain(id).await;
    let registrant = contact(&a, &detail["contacts"]["registrant"]).await;
    let handle = registrant["handle"].as_str().expect("handle").to_owned();

    // R holds the contact as an object named by its handle, sponsored by
    // registrar-a, with the contact's data; the name links it in every
    // role (the account's default contact).
    assert!(handle.starts_with('C') && handle.len() == 16, "{handle}");
    let at_r = r.contacts("thick-epp.com").await;
    for (role, linked) in at_r.roles() {
        assert_eq!(linked, Some(handle.as_str()), "{role}: {at_r:?}");
    }
    let object = r.contact(&handle).await.expect("the contact at R");
    assert_eq!(object.sponsoring_registrar, "registrar-a");
    assert_eq!(object.data.name, "Jane Doe");
    assert_eq!(
        object.data.email,
        registrant["email"].as_str().expect("email")
    );
    // R's own <domain:info> names it, as another EPP client reads it.
    let mut session = r.session("registrar-a").await;
    let info = session
        .transact(&DomainInfo::new("thick-epp.com", None), "test-info")
        .await
        .expect("domain:info");
    let data = info.res_data().expect("infData");
    assert_eq!(data.registrant.as_deref(), Some(handle.as_str()));
    let typed: Vec<(String, String)> = data
        .contacts
        .iter()
        .flatten()
        .map(|c| (c.contact_type.to_string(), c.id.to_string()))
        .collect();
    for role in ["admin", "tech", "billing"] {
        assert!(
            typed.contains(&(role.to_owned(), handle.clone())),
            "{role}: {typed:?}"
        );
    }
    // Made once: a second registration reuses the object (no second
    // create, which R would refuse with 2302).
    let (status, body) = a
        .post_domain(json!({"domain_name": "thick-epp.net", "privacy_protection": false}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        r.contacts("thick-epp.net").await.registrant,
        Some(handle.clone())
    );
    let pass = a.run_worker().await;
    assert_eq!(pass.registrations_completed, 2, "{pass:?}");

    // A change of the contact is sent to R at once.
    let cid = detail["contacts"]["registrant"].as_i64().expect("id");
    let (status, body) = a
        .put_contact(
            cid,
            json!({"city": "Leeds", "email": "jane.roe@example.net"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let object = r.contact(&handle).await.expect("at R");
    assert_eq!(object.data.city, "Leeds");
    assert_eq!(object.data.email, "jane.roe@example.net");

    // R down: the change is kept here and sent by the worker once R is
    // back.
    r.kill().await;
    let (status, body) = a.put_contact(cid, json!({"city": "York"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    r.restart().await;
    assert_eq!(r.contact(&handle).await.expect("at R").data.city, "Leeds");
    let pass = a.run_worker().await;
    assert!(pass.contact_objects_sent >= 1, "{pass:?}");
    assert_eq!(r.contact(&handle).await.expect("at R").data.city, "York");

    // Privacy on: the registrant, admin and tech at R are the privacy
    // service's object (one, made from the operator's privacy contact);
    // billing stays the customer's. Off again: the customer's.
    let (status, body) = a.put_domain(id, json!({"privacy_protection": true})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let at_r = r.contacts("thick-epp.com").await;
    let privacy = at_r.registrant.clone().expect("a registrant");
    assert!(privacy.starts_with('P') && privacy.len() == 16, "{privacy}");
    assert_eq!(at_r.admin.as_deref(), Some(privacy.as_str()));
    assert_eq!(at_r.tech.as_deref(), Some(privacy.as_str()));
    assert_eq!(at_r.billing.as_deref(), Some(handle.as_str()));
    let service = r.contact(&privacy).await.expect("the privacy object at R");
    assert_eq!(service.data.name, "Privacy Protected");
    assert_eq!(service.sponsoring_registrar, "registrar-a");
    let (status, _) = a.put_domain(id, json!({"privacy_protection": false})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        r.contacts("thick-epp.com").await.registrant.as_deref(),
        Some(handle.as_str())
    );

    // A new registrant: created at R and linked in its place.
    let (status, body) = a
        .post_contact(
            json!({"name": "Sol Oh", "street": ["2 Low Road"], "city": "Hull",
            "country_code": "GB", "voice": "+44.1482000000", "email": "sol@example.org"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let sol = body["handle"].as_str().expect("handle").to_owned();
    let (status, body) = a.put_domain(id, json!({"registrant": body["id"]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let at_r = r.contacts("thick-epp.com").await;
    assert_eq!(at_r.registrant.as_deref(), Some(sol.as_str()));
    assert_eq!(at_r.admin.as_deref(), Some(handle.as_str()));
    assert_eq!(r.contact(&sol).await.expect("at R").data.city, "Hull");

    // A transfer in: R kept the losing registrar's contacts (none here);
    // once the transfer completes, A links its customer's.
    r.hold("moving-thick.com", "registrar-b", "B-auth-code-7")
        .await;
    let moving = a.import("moving-thick.com").await;
    let (status, body) = a
        .transfer(moving, json!({"auth_code": "B-auth-code-7"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(r.contacts("moving-thick.com").await.is_empty());
    r.approve_as("registrar-b", "moving-thick.com").await;
    let pass = a.run_worker().await;
    assert_eq!(pass.transfers_completed, 1, "{pass:?}");
    let (_, moved) = a.domain(moving).await;
    let at_r = r.contacts("moving-thick.com").await;
    let expected = if moved["privacy_protection"] == true {
        privacy.clone()
    } else {
        handle.clone()
    };
    assert_eq!(
        at_r.registrant.as_deref(),
        Some(expected.as_str()),
        "{moved}"
    );
    assert_eq!(at_r.billing.as_deref(), Some(handle.as_str()));

    // The audit log keeps the contact commands sent for the domain.
    let (_, audit) = a.audit("page_size=100").await;
    let text = audit.to_string();
    for command in ["contact:check", "contact:create", "domain:update contacts"] {
        assert!(text.contains(command), "{command} in {text}");
    }

    a.assert_ledgers_balance().await;
    let log = r.stop().await;
    for private in ["jane.roe@example.net", "sol@example.org", "Low Road"] {
        assert!(!log.contains(private), "{private} in R's log");
    }
    a.finish().await;
}

/// A thin registry (`contacts` left out, as for Verisign's .com): no
/// contact command is sent and R links nothing.
async fn a_thin_registry_gets_no_contacts(backend: Backend) {
    let r = Remote::start(backend).await;
    let file = r.registries_file("registrar-a");
    let a = TestApp::builder()
        .settings(move |s| s.registries = Some(file))
        .spawn(backend)
        .await;
    let id = a.register("thin-epp.com").await;
    assert!(r.record("thin-epp.com").await.is_some());
    assert!(r.contacts("thin-epp.com").await.is_empty());
    let (status, _) = a.put_domain(id, json!({"privacy_protection": false})).await;
    assert_eq!(status, StatusCode::OK);
    let (_, audit) = a.audit("page_size=100").await;
    assert!(!audit.to_string().contains("contact:"), "{audit}");
    r.stop().await;
    a.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_contacts_are_created_and_kept_at_the_registry() {
    contacts_are_created_and_kept_at_the_registry(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_contacts_are_created_and_kept_at_the_registry() {
    contacts_are_created_and_kept_at_the_registry(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_thin_registry_gets_no_contacts() {
    a_thin_registry_gets_no_contacts(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_thin_registry_gets_no_contacts() {
    a_thin_registry_gets_no_contacts(Backend::Postgres).await;
}
