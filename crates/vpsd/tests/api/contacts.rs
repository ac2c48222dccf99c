//! Contacts (RFC 5733) and a domain's contacts: the API on both databases —
//! every field's fault in one answer, another account's contact a 404, the
//! default, a contact in use kept — and the contacts a domain takes at
//! registration, transfer in and `PUT`.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::endpoints::api;
use crate::helpers::{assert_error, TestApp};
use vps_client::paths;

crate::both!(
    contacts_are_created_read_changed_and_deleted,
    every_field_at_fault_is_named_at_once,
    another_accounts_contact_is_not_found,
    the_default_contact_moves_and_is_never_lost,
    a_domain_takes_the_default_or_the_contacts_named,
    a_registration_without_any_contact_is_refused,
    a_contact_in_use_cannot_be_deleted,
    a_transfer_in_sets_the_contacts,
    domains_from_before_contacts_keep_working,
    whois_info_shows_the_contacts_or_the_privacy_service,
    the_privacy_service_is_the_operators,
    a_registrant_email_is_verified_through_its_mail,
    an_unverified_registrant_is_flagged_and_the_owner_warned_once,
    the_sandbox_registry_keeps_the_contacts,
);

/// A contact's body with every field.
pub fn jane() -> Value {
    json!({
        "name": "Jane Roe",
        "organisation": "Roe Widgets",
        "street": ["2 High Street", "Floor 3"],
        "city": "Bristol",
        "state_province": "Bristol",
        "postal_code": "BS1 4DJ",
        "country_code": "gb",
        "voice": "+44.1179460000",
        "fax": "+44.1179460001",
        "email": "jane@roe-widgets.example",
    })
}

async fn create(app: &TestApp, body: Value) -> Value {
    let (status, v) = app.post_contact(body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body} → {v}");
    v
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("no id: {v}"))
}

/// The first account's default contact (the fixture's).
async fn default_id(app: &TestApp) -> i64 {
    let (_, page) = app.contacts("").await;
    let results = page["results"].as_array().expect("results");
    id(results
        .iter()
        .find(|c| c["default"] == true)
        .expect("a default contact"))
}

async fn contacts_are_created_read_changed_and_deleted(app: &TestApp) {
    let jane = create(app, jane()).await;
    assert_eq!(jane["name"], "Jane Roe");
    assert_eq!(jane["street"], json!(["2 High Street", "Floor 3"]));
    assert_eq!(jane["country_code"], "GB", "upper case");
    assert_eq!(
        jane["default"], false,
        "the fixture's contact is the default"
    );
    let handle = jane["handle"].as_str().expect("handle");
    assert!(
        handle.len() == 16 && handle.starts_with('C') && !handle.contains("Roe"),
        "{handle}"
    );
    let jid = id(&jane);

    let (status, read) = app.contact(jid).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read, jane);

    // Only the fields given change; null removes an optional one.
    let (status, changed) = app
        .put_contact(
            jid,
            json!({"city": "Bath", "organisation": null, "voice": "+44.1225000000"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["city"], "Bath");
    assert_eq!(changed["organisation"], Value::Null);
    assert_eq!(changed["voice"], "+44.1225000000");
    assert_eq!(changed["street"], jane["street"]);
    assert_eq!(changed["email"], jane["email"]);
    assert_eq!(
        changed["handle"], jane["handle"],
        "the handle never changes"
    );
    let (status, e) = app.put_contact(jid, json!({})).await;
    assert_error(status, &e, StatusCode::BAD_REQUEST, "empty_update");

    // Listed, paged like the domains.
    let (status, page) = app.contacts("page_size=1").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["count"], 2);
    assert_eq!(page["results"].as_array().map(Vec::len), Some(1));
    assert!(page["next"].as_str().is_some_and(|n| n.contains("page=2")));
    let (status, e) = app.contacts("page=9").await;
    assert_error(status, &e, StatusCode::NOT_FOUND, "invalid_page");

    let (status, _) = app.delete_contact(jid).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, e) = app.contact(jid).await;
    assert_error(status, &e, StatusCode::NOT_FOUND, "not_found");

    // Audited by action, naming the fields changed but not their values.
    let (_, audit) = app.get(&api(paths::AUDIT)).await;
    let entries = audit["results"].as_array().expect("entries");
    let actions: Vec<&str> = entries
        .iter()
        .filter_map(|e| e["action"].as_str())
        .filter(|a| a.starts_with("contact."))
        .collect();
    assert_eq!(
        actions,
        vec![
            "contact.delete",
            "contact.update",
            "contact.create",
            "contact.create"
        ]
    );
    let text = audit.to_string();
    assert!(text.contains(handle), "entries name the handle");
    for personal in [
        "Jane Roe",
        "Bath",
        "jane@roe-widgets.example",
        "+44.1225000000",
    ] {
        assert!(!text.contains(personal), "{personal} in the audit log");
    }
    let update = entries
        .iter()
        .find(|e| e["action"] == "contact.update")
        .expect("update");
    assert_eq!(
        update["changes"]["fields"][1],
        json!(["organisation", "city", "voice"])
    );
}

async fn every_field_at_fault_is_named_at_once(app: &TestApp) {
    let before = app.contacts("").await.1["count"].clone();
    let (status, e) = app
        .post_contact(json!({
            "name": "",
            "street": ["1", "2", "3", "4"],
            "city": 7,
            "postal_code": "12345678901234567",
            "country_code": "XX",
            "voice": "0171 555 0100",
            "fax": "+1-555",
            "email": "not-an-address",
            "default": "yes",
        }))
        .await;
    assert_error(status, &e, StatusCode::BAD_REQUEST, "invalid_fields");
    let named: Vec<&String> = e["errors"].as_object().expect("errors").keys().collect();
    assert_eq!(
        named,
        vec![
            "city",
            "country_code",
            "default",
            "email",
            "fax",
            "name",
            "postal_code",
            "street",
            "voice"
        ],
        "{e}"
    );
    assert!(e["errors"]["voice"][0]
        .as_str()
        .is_some_and(|m| m.contains("+CC.NUMBER")));
    // Required fields missing, and an unknown one.
    let (status, e) = app.post_contact(json!({"nickname": "J"})).await;
    assert_error(status, &e, StatusCode::BAD_REQUEST, "invalid_fields");
    for field in [
        "name",
        "street",
        "city",
        "country_code",
        "voice",
        "email",
        "nickname",
    ] {
        assert!(e["errors"][field].is_array(), "{field}: {e}");
    }
    // A bad change names its fields and changes nothing.
    let jid = id(&create(app, jane()).await);
    let (status, e) = app
        .put_contact(jid, json!({"email": "a@", "street": [], "city": "Bath"}))
        .await;
    assert_error(status, &e, StatusCode::BAD_REQUEST, "invalid_fields");
    assert!(e["errors"]["email"].is_array() && e["errors"]["street"].is_array());
    assert!(e["errors"].get("city").is_none());
    assert_eq!(app.contact(jid).await.1["city"], "Bristol");
    let after = app.contacts("").await.1["count"].clone();
    assert_eq!(after.as_i64(), before.as_i64().map(|n| n + 1));
}

async fn another_accounts_contact_is_not_found(app: &TestApp) {
    let (_, other) = app.new_account("other@example.com", 100_00).await;
    let (status, theirs) = app
        .request_as(
            Some(&other),
            Method::POST,
            &api(paths::CONTACTS),
            Some(jane()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let tid = id(&theirs);
    let (status, e) = app.contact(tid).await;
    assert_error(status, &e, StatusCode::NOT_FOUND, "not_found");
    let (status, e) = app.put_contact(tid, json!({"city": "Leeds"})).await;
    assert_error(status, &e, StatusCode::NOT_FOUND, "not_found");
    let (status, e) = app.delete_contact(tid).await;
    assert_error(status, &e, StatusCode::NOT_FOUND, "not_found");
    let (status, e) = app.get("/api/v1/contacts/abc/").await;
    assert_error(status, &e, StatusCode::NOT_FOUND, "not_found");
    let (_, mine) = app.contacts("").await;
    assert!(mine["results"]
        .as_array()
        .expect("results")
        .iter()
        .all(|c| id(c) != tid));
    // Theirs is unchanged and still theirs.
    let (status, still) = app
        .request_as(Some(&other), Method::GET, &api(&paths::contact(tid)), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(still["city"], "Bristol");

    // Naming it for a domain is that field's 400 (its existence is not
    // told), and nothing is charged.
    let balance = app.balance(app.account_id).await;
    let (status, e) = app
        .post_domain(json!({"domain_name": "not-theirs.com", "admin": tid}))
        .await;
    assert_error(status, &e, StatusCode::BAD_REQUEST, "invalid_fields");
    assert!(e["errors"]["admin"][0]
        .as_str()
        .is_some_and(|m| m.contains("No contact")));
    assert_eq!(app.balance(app.account_id).await, balance);
    let (status, e) = app
        .post_domain(json!({"domain_name": "not-theirs.com", "tech": 0}))
        .await;
    assert_error(status, &e, StatusCode::BAD_REQUEST, "invalid_fields");
    assert!(e["errors"]["tech"].is_array());
}

async fn the_default_contact_moves_and_is_never_lost(app: &TestApp) {
    let first = default_id(app).await;
    let jid = id(&create(app, jane()).await);
    // Making another the default takes it from the first.
    let (status, j) = app.put_contact(jid, json!({"default": true})).await;
    assert_eq!(status, StatusCode::OK, "{j}");
    assert_eq!(j["default"], true);
    assert_eq!(app.contact(first).await.1["default"], false);
    assert_eq!(default_id(app).await, jid);
    // The default cannot be unset, only moved.
    let (status, e) = app.put_contact(jid, json!({"default": false})).await;
    assert_error(status, &e, StatusCode::BAD_REQUEST, "invalid_fields");
    assert!(e["errors"]["default"].is_array());
    // A new contact may take it at once.
    let mut body = jane();
    body["default"] = json!(true);
    let third = id(&create(app, body).await);
    assert_eq!(default_id(app).await, third);
    // Deleting the default hands it to the oldest other contact.
    let (status, _) = app.delete_contact(third).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(default_id(app).await, first);

    // An account's first contact is its default, asked or not.
    let (_, token) = app
        .new_account_without_contact("fresh@example.com", 0)
        .await;
    let (status, c) = app
        .request_as(
            Some(&token),
            Method::POST,
            &api(paths::CONTACTS),
            Some(jane()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(c["default"], true);
}

async fn a_domain_takes_the_default_or_the_contacts_named(app: &TestApp) {
    let first = default_id(app).await;
    let jid = id(&create(app, jane()).await);
    let (status, reg) = app
        .post_domain(json!({"domain_name": "contacts-default.com"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reg}");
    let dom = id(&reg);
    let (_, detail) = app.domain(dom).await;
    assert_eq!(
        detail["contacts"],
        json!({"registrant": first, "admin": first, "tech": first, "billing": first})
    );

    let (status, reg) = app
        .post_domain(json!({"domain_name": "contacts-named.com", "registrant": jid, "tech": jid}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reg}");
    let named = id(&reg);
    let (_, detail) = app.domain(named).await;
    assert_eq!(
        detail["contacts"],
        json!({"registrant": jid, "admin": first, "tech": jid, "billing": first})
    );

    // PUT changes only the roles given (once active, as the contract's
    // other registry settings).
    app.activate(dom).await;
    let (status, updated) = app.put_domain(dom, json!({"billing": jid})).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    let (_, detail) = app.domain(dom).await;
    assert_eq!(
        detail["contacts"],
        json!({"registrant": first, "admin": first, "tech": first, "billing": jid})
    );
    let (status, e) = app.put_domain(dom, json!({"registrant": 999_999})).await;
    assert_error(status, &e, StatusCode::BAD_REQUEST, "invalid_fields");
    assert!(e["errors"]["registrant"].is_array());
    assert_eq!(app.domain(dom).await.1["contacts"]["registrant"], first);
    let (status, e) = app.put_domain(dom, json!({"admin": null})).await;
    assert_error(status, &e, StatusCode::BAD_REQUEST, "invalid_fields");
    // The domain's audit entry says which roles moved.
    let (_, audit) = app.get(&api(paths::AUDIT)).await;
    let update = audit["results"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["action"] == "domain.update")
        .expect("domain.update")
        .clone();
    assert_eq!(update["changes"]["contacts"][1]["billing"], jid);
}

async fn a_registration_without_any_contact_is_refused(app: &TestApp) {
    let (account, token) = app
        .new_account_without_contact("nocontact@example.com", 100_00)
        .await;
    let (status, e) = app
        .request_as(
            Some(&token),
            Method::POST,
            &api(paths::DOMAINS),
            Some(json!({"domain_name": "no-contact.com"})),
        )
        .await;
    assert_error(status, &e, StatusCode::BAD_REQUEST, "contact_required");
    assert!(e["detail"]
        .as_str()
        .is_some_and(|d| d.contains("POST /api/v1/contacts/")));
    assert_eq!(app.balance(account).await, 100_00, "nothing charged");
    let (_, list) = app
        .request_as(Some(&token), Method::GET, &api(paths::DOMAINS), None)
        .await;
    assert_eq!(list["count"], 0);
    // With a contact, the same registration goes through.
    let (status, _) = app
        .request_as(
            Some(&token),
            Method::POST,
            &api(paths::CONTACTS),
            Some(jane()),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, reg) = app
        .request_as(
            Some(&token),
            Method::POST,
            &api(paths::DOMAINS),
            Some(json!({"domain_name": "no-contact.com"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reg}");
}

async fn a_contact_in_use_cannot_be_deleted(app: &TestApp) {
    let jid = id(&create(app, jane()).await);
    let dom = app
        .post_domain(json!({"domain_name": "in-use.com", "admin": jid}))
        .await
        .1;
    let dom = id(&dom);
    let (status, e) = app.delete_contact(jid).await;
    assert_error(status, &e, StatusCode::CONFLICT, "contact_in_use");
    assert!(e["detail"]
        .as_str()
        .is_some_and(|d| d.contains("in-use.com")));
    assert_eq!(app.contact(jid).await.0, StatusCode::OK, "still there");
    // Removed from the account's management, the registration goes on
    // with its contacts: still in use.
    assert_eq!(app.delete_domain(dom).await.0, StatusCode::NO_CONTENT);
    let (status, e) = app.delete_contact(jid).await;
    assert_error(status, &e, StatusCode::CONFLICT, "contact_in_use");
}

async fn a_transfer_in_sets_the_contacts(app: &TestApp) {
    let first = default_id(app).await;
    let jid = id(&create(app, jane()).await);
    let long_ago = app.now() - chrono::Duration::days(400);
    app.held_elsewhere("coming-in.org", "Auth-Code-1", long_ago, false)
        .await;
    let dom = app.import("coming-in.org").await;
    let (_, detail) = app.domain(dom).await;
    assert_eq!(detail["contacts"]["registrant"], Value::Null, "{detail}");
    // Held elsewhere, its contacts are not ours to change yet.
    let (status, e) = app.put_domain(dom, json!({"registrant": jid})).await;
    assert_error(status, &e, StatusCode::BAD_REQUEST, "not_sponsored");
    let (status, e) = app
        .transfer(
            dom,
            json!({"auth_code": "Auth-Code-1", "registrant": 999_999}),
        )
        .await;
    assert_error(status, &e, StatusCode::BAD_REQUEST, "invalid_fields");
    let (status, t) = app
        .transfer(dom, json!({"auth_code": "Auth-Code-1", "registrant": jid}))
        .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    let (_, detail) = app.domain(dom).await;
    assert_eq!(
        detail["contacts"],
        json!({"registrant": jid, "admin": first, "tech": first, "billing": first})
    );
}

async fn domains_from_before_contacts_keep_working(app: &TestApp) {
    // A domain row as the migration leaves it: no contacts.
    let now = app.now();
    let domain = app
        .app
        .store
        .insert_registration(
            &vpsd_storage::NewRegistration {
                account_id: app.account_id,
                domain_name: "from-before.com".to_owned(),
                registration_date: now,
                expiration_date: vpsd_domain::lifecycle::add_years(now, 1),
                activates_at: now,
                auto_renew: true,
                privacy_protection: false,
                nameservers: vec!["ns1.vps.org".into(), "ns2.vps.org".into()],
                registrar: "VPS.org".into(),
                cost: vpsd_domain::Money::ZERO,
                description: "old".into(),
                contacts: Default::default(),
                agreed_fee: None,
            },
            &vpsd_storage::Audit {
                actor: &vpsd_storage::Actor::operator(),
                action: vpsd_domain::AuditAction::DomainRegister,
                changes: "{}".to_owned(),
            },
        )
        .await
        .expect("insert");
    let dom = domain.id.get();
    let (status, detail) = app.domain(dom).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    assert_eq!(
        detail["contacts"],
        json!({"registrant": null, "admin": null, "tech": null, "billing": null})
    );
    let (status, list) = app.domains().await;
    assert_eq!(status, StatusCode::OK);
    assert!(list["results"]
        .as_array()
        .expect("results")
        .iter()
        .any(|d| d["domain_name"] == "from-before.com"));
    app.run_worker().await;
    let (status, body) = app.put_domain(dom, json!({"auto_renew": false})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Setting one role leaves the others unset.
    let first = default_id(app).await;
    let (status, body) = app.put_domain(dom, json!({"registrant": first})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        app.domain(dom).await.1["contacts"],
        json!({"registrant": first, "admin": null, "tech": null, "billing": null})
    );
}

async fn whois_info_shows_the_contacts_or_the_privacy_service(app: &TestApp) {
    let jid = id(&create(app, jane()).await);
    let mut solo = jane();
    solo["name"] = json!("Sol Oh");
    solo.as_object_mut().expect("object").remove("organisation");
    let sid = id(&create(app, solo).await);
    let (status, reg) = app
        .post_domain(json!({
            "domain_name": "whois-truth.com",
            "privacy_protection": false,
            "registrant": jid,
            "tech": sid,
        }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reg}");
    let dom = id(&reg);

    // Off: each contact's public form, name and organisation only.
    let (_, detail) = app.domain(dom).await;
    let whois = &detail["whois_info"];
    assert_eq!(whois["registrant"], "Jane Roe, Roe Widgets", "{whois}");
    assert_eq!(
        whois["admin_contact"], "Jane Doe, Example Ltd",
        "the default"
    );
    assert_eq!(whois["tech_contact"], "Sol Oh", "no organisation, no comma");
    assert_eq!(whois["privacy_service"], Value::Null);
    let text = whois.to_string();
    for private in ["High Street", "BS1", "+44", "@", "Bristol"] {
        assert!(!text.contains(private), "{private} shown: {text}");
    }
    // A change of the contact shows at once.
    let (status, _) = app
        .put_contact(jid, json!({"organisation": "Roe Gadgets"}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.domain(dom).await.1["whois_info"]["registrant"],
        "Jane Roe, Roe Gadgets"
    );

    // On: the contract's words, and the privacy service instead.
    let (status, _) = app
        .put_domain(dom, json!({"privacy_protection": true}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, detail) = app.domain(dom).await;
    let whois = &detail["whois_info"];
    for role in ["registrant", "admin_contact", "tech_contact"] {
        assert_eq!(whois[role], "Privacy Protected", "{whois}");
    }
    assert_eq!(
        whois["privacy_service"]["organisation"],
        "VPS.org Privacy Service"
    );
    // The registrant is reached through the privacy service's forwarding
    // address for this domain, not at their own email.
    assert_eq!(
        whois["privacy_service"]["email"],
        "whois-truth.com@privacy.vps.org"
    );
    let text = whois.to_string();
    for private in ["Roe", "Sol Oh", "Jane"] {
        assert!(!text.contains(private), "{private} shown: {text}");
    }
}

/// `--privacy-contact` (here its setting): the operator's privacy service
/// is what the public sees; a file at fault stops `vpsd serve` naming the
/// field.
async fn the_privacy_service_is_the_operators(app: &TestApp) {
    let operators = TestApp::builder()
        .settings(|s| {
            s.registrar.privacy_contact = vpsd_domain::contact::from_json(
                r#"{"name": "Whois Shield", "organisation": "Shield GmbH",
                    "street": ["Hauptstrasse 1"], "city": "Berlin", "country_code": "de",
                    "voice": "+49.301234567", "email": "shield@example.org"}"#,
            )
            .expect("a sound contact");
            s.registrar.privacy_mail_domain = "privacy.example.org".to_owned();
        })
        .spawn(app.backend)
        .await;
    let dom = operators.register("shielded.com").await;
    let (_, detail) = operators.domain(dom).await;
    let service = &detail["whois_info"]["privacy_service"];
    assert_eq!(service["name"], "Whois Shield", "{detail}");
    assert_eq!(service["organisation"], "Shield GmbH");
    assert_eq!(service["country_code"], "DE");
    assert_eq!(service["email"], "shielded.com@privacy.example.org");
    assert_eq!(detail["whois_info"]["registrant"], "Privacy Protected");

    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("privacy.json");
    std::fs::write(
        &file,
        r#"{"name": "Shield", "street": ["1 Road"], "city": "Town", "country_code": "DE",
            "voice": "030 1234", "email": "shield@example.org"}"#,
    )
    .expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vpsd"))
        .args(["serve", "--listen", "127.0.0.1:0", "--privacy-contact"])
        .arg(&file)
        .args([
            "--database",
            &format!("sqlite://{}", dir.path().join("db").display()),
        ])
        .env("RUST_LOG", "warn")
        .output()
        .expect("run vpsd serve");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--privacy-contact") && err.contains("voice"),
        "{err}"
    );
    assert!(
        !dir.path().join("db").exists(),
        "stopped before the database"
    );
}

/// The text of a received message's body: quoted-printable decoded (RFC
/// 2045 §6.7: soft line breaks, `=XX`), or as is when sent 7bit.
fn body_text(message: &str) -> String {
    let (headers, body) = message.split_once("\r\n\r\n").unwrap_or((message, ""));
    if !headers
        .to_ascii_lowercase()
        .contains("content-transfer-encoding: quoted-printable")
    {
        return body.to_owned();
    }
    let joined = body.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Some(b) = std::str::from_utf8(&bytes[i + 1..(i + 3).min(bytes.len())])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The token of the verification link in `text`.
fn link_token(text: &str) -> String {
    let at = text
        .find("/verify-email/?token=")
        .expect("a verification link");
    text[at + "/verify-email/?token=".len()..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect()
}

async fn verification_mail_for(sink: &crate::mail::SmtpSink, to: &str) -> Option<String> {
    sink.messages().into_iter().find(|m| {
        m.contains(&format!("To: {to}"))
            && crate::mail::subject(m) == "Please verify your email address for your domains"
    })
}

async fn a_registrant_email_is_verified_through_its_mail(app: &TestApp) {
    let port = crate::mail::free_port();
    let sink = crate::mail::SmtpSink::start(port).await;
    let mailer = crate::mail::mailer(app, port);
    let jid = id(&create(app, jane()).await);
    assert_eq!(app.contact(jid).await.1["email_verified"], false);
    let dom = id(&app
        .post_domain(json!({"domain_name": "verify-me.com", "registrant": jid}))
        .await
        .1);
    assert_eq!(app.domain(dom).await.1["registrant_verified"], false);

    // The mail goes to the contact's own address, over real SMTP.
    crate::mail::deliver_all(&mailer).await;
    let mail = verification_mail_for(&sink, "jane@roe-widgets.example")
        .await
        .expect("the verification mail arrived");
    let token = link_token(&body_text(&mail));
    assert_eq!(token.len(), 64, "{mail}");

    // The link's page changes nothing until its button is pressed.
    let http = reqwest::Client::new();
    let page = http
        .get(format!("{}/verify-email/?token={token}", app.base))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("<form method=\"post\""), "{html}");
    assert_eq!(app.contact(jid).await.1["email_verified"], false);
    let done = http
        .post(format!("{}/verify-email/", app.base))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .expect("verify");
    assert_eq!(done.status(), StatusCode::OK);
    assert!(done.text().await.expect("html").contains("verified"));
    assert_eq!(app.contact(jid).await.1["email_verified"], true);
    let (_, detail) = app.domain(dom).await;
    assert_eq!(detail["registrant_verified"], true);
    assert_eq!(detail["warnings"], json!([]));
    // Used once; a made-up token names nothing.
    let again = http
        .post(format!("{}/verify-email/", app.base))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .expect("again");
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    let bogus = http
        .get(format!("{}/verify-email/?token=<script>", app.base))
        .send()
        .await
        .expect("bogus");
    assert_eq!(bogus.status(), StatusCode::NOT_FOUND);
    assert!(!bogus.text().await.expect("html").contains("<script>"));

    // A changed email is unverified again, with a mail of its own.
    let (_, changed) = app
        .put_contact(jid, json!({"email": "jane@new-widgets.example"}))
        .await;
    assert_eq!(changed["email_verified"], false);
    assert_eq!(app.domain(dom).await.1["registrant_verified"], false);
    crate::mail::deliver_all(&mailer).await;
    assert!(verification_mail_for(&sink, "jane@new-widgets.example")
        .await
        .is_some());
    // Another change (not the email) sends nothing new.
    let before = sink.messages().len();
    app.put_contact(jid, json!({"city": "Bath"})).await;
    crate::mail::deliver_all(&mailer).await;
    assert_eq!(sink.messages().len(), before);
}

async fn an_unverified_registrant_is_flagged_and_the_owner_warned_once(app: &TestApp) {
    let port = crate::mail::free_port();
    let sink = crate::mail::SmtpSink::start(port).await;
    let mailer = crate::mail::mailer(app, port);
    let jid = id(&create(app, jane()).await);
    let dom = id(&app
        .post_domain(json!({"domain_name": "unverified.com", "registrant": jid}))
        .await
        .1);
    app.activate(dom).await;
    let (_, detail) = app.domain(dom).await;
    assert_eq!(detail["registrant_verified"], false);
    assert_eq!(detail["warnings"], json!([]), "within the 15 days");

    app.advance(chrono::Duration::days(15)).await;
    let (_, detail) = app.domain(dom).await;
    assert_eq!(detail["registrant_verified"], false);
    let warning = detail["warnings"][0].as_str().expect("a warning");
    assert!(warning.contains("not verified"), "{warning}");
    assert_eq!(detail["status"], "active", "not suspended");
    // The owner is warned by mail, once.
    app.advance(chrono::Duration::days(1)).await;
    crate::mail::deliver_all(&mailer).await;
    let warned: Vec<String> = sink
        .messages()
        .into_iter()
        .filter(|m| {
            crate::mail::subject(m)
                == "Action needed: the registrant email of unverified.com is not verified"
        })
        .collect();
    assert_eq!(warned.len(), 1);
    assert!(warned[0].contains("To: owner@example.com"), "{}", warned[0]);
    let handle = app.contact(jid).await.1["handle"]
        .as_str()
        .expect("h")
        .to_owned();
    assert!(body_text(&warned[0]).contains(&handle));
}

/// The embedded sandbox registry keeps a domain's contacts as a thick
/// registry does: objects named by the contacts' handles, linked to the
/// name; a changed contact is changed there; with privacy on, the privacy
/// service's object stands for the registrant, admin and tech.
async fn the_sandbox_registry_keeps_the_contacts(app: &TestApp) {
    let jid = id(&create(app, jane()).await);
    let (_, jane_now) = app.contact(jid).await;
    let handle = jane_now["handle"].as_str().expect("handle").to_owned();
    let (status, reg) = app
        .post_domain(
            json!({"domain_name": "kept-contacts.com", "privacy_protection": false,
            "registrant": jid}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{reg}");
    let dom = id(&reg);
    let store = app.app.registrar.store();
    let at_registry = store
        .registry_domain_contacts("kept-contacts.com")
        .await
        .expect("registry");
    assert_eq!(at_registry.registrant.as_deref(), Some(handle.as_str()));
    assert!(
        at_registry.admin.is_some(),
        "the default contact: {at_registry:?}"
    );
    let object = store
        .registry_contact_get(&handle)
        .await
        .expect("registry")
        .expect("the object");
    assert_eq!(object.data.city, "Bristol");
    assert_eq!(object.sponsoring_registrar, vpsd_domain::OUR_REGISTRAR);

    app.activate(dom).await;
    let (status, _) = app.put_contact(jid, json!({"city": "Bath"})).await;
    assert_eq!(status, StatusCode::OK);
    let object = store
        .registry_contact_get(&handle)
        .await
        .expect("registry")
        .expect("the object");
    assert_eq!(object.data.city, "Bath");

    let (status, _) = app
        .put_domain(dom, json!({"privacy_protection": true}))
        .await;
    assert_eq!(status, StatusCode::OK);
    let at_registry = store
        .registry_domain_contacts("kept-contacts.com")
        .await
        .expect("registry");
    let privacy = at_registry.registrant.clone().expect("registrant");
    assert!(privacy.starts_with('P'), "{privacy}");
    assert_eq!(at_registry.tech.as_deref(), Some(privacy.as_str()));
    let service = store
        .registry_contact_get(&privacy)
        .await
        .expect("registry")
        .expect("the privacy object");
    assert_eq!(service.data.name, "Privacy Protected");
}

/// No personal data in the logs: a `vpsd serve` process at its most
/// talkative (`RUST_LOG=debug`) takes a contact, a registration naming it,
/// a change of its email (a verification mail queued), RDAP lookups of
/// the domain and the contact, and a field error; its log never holds the
/// contact's name, street, city, phone or either email.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_personal_data_reaches_the_logs() {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().expect("dir");
    let database_url = format!("sqlite://{}/vpsd.db", dir.path().display());
    let vpsd = |args: &[&str]| crate::cluster::vpsd(&database_url, args);
    let account = vpsd(&[
        "account",
        "create",
        "--email",
        "owner@example.com",
        "--balance",
        "100",
    ]);
    let token = vpsd(&["token", "create", "--account", &account]);
    let port = crate::mail::free_port();
    let log_path = dir.path().join("vpsd.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpsd"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .args(["--registration-delay", "1s", "--rate-limit", "off"])
        .env("VPSD_DATABASE_URL", &database_url)
        .env("RUST_LOG", "debug")
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("vpsd serve");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !http
        .get(format!("{base}/readyz"))
        .send()
        .await
        .is_ok_and(|r| r.status() == StatusCode::OK)
    {
        assert!(Instant::now() < deadline, "vpsd did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let personal = [
        "Zelda Quixote",
        "77 Unlikely Lane",
        "Xanadu",
        "2079460999",
        "zelda.q@secret.example",
        "zelda.new@secret.example",
    ];
    let contact: Value = http
        .post(format!("{base}/api/v1/contacts/"))
        .bearer_auth(&token)
        .json(&json!({
            "name": "Zelda Quixote", "street": ["77 Unlikely Lane"], "city": "Xanadu",
            "country_code": "GB", "voice": "+44.2079460999", "email": "zelda.q@secret.example",
            "default": true
        }))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let id = contact["id"].as_i64().expect("id");
    let handle = contact["handle"].as_str().expect("handle").to_owned();
    let status = http
        .post(format!("{base}/api/v1/domains/"))
        .bearer_auth(&token)
        .json(&json!({"domain_name": "logs-private.com", "privacy_protection": false}))
        .send()
        .await
        .expect("send")
        .status();
    assert_eq!(status, StatusCode::CREATED);
    // Active after the registration delay: RDAP answers it.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let r = http
            .get(format!("{base}/rdap/domain/logs-private.com"))
            .send()
            .await
            .expect("rdap");
        if r.status() == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "never active");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let entity = http
        .get(format!("{base}/rdap/entity/{handle}"))
        .send()
        .await
        .expect("rdap");
    assert_eq!(entity.status(), StatusCode::OK);
    let status = http
        .put(format!("{base}/api/v1/contacts/{id}/"))
        .bearer_auth(&token)
        .json(&json!({"email": "zelda.new@secret.example"}))
        .send()
        .await
        .expect("send")
        .status();
    assert_eq!(status, StatusCode::OK);
    let status = http
        .put(format!("{base}/api/v1/contacts/{id}/"))
        .bearer_auth(&token)
        .json(&json!({"voice": "Zelda Quixote 2079460999"}))
        .send()
        .await
        .expect("send")
        .status();
    assert_eq!(status, StatusCode::BAD_REQUEST);
    child.kill().await.expect("stop");
    let logged = std::fs::read_to_string(&log_path).expect("log");
    assert!(
        logged.contains("/api/v1/contacts/") && logged.contains("/rdap/entity/"),
        "the requests were logged: {logged}"
    );
    for p in personal {
        assert!(!logged.contains(p), "{p} in the log:\n{logged}");
    }
}
