//! RFC 5733 contact objects and RFC 5731 §2.2 domain contacts, by a raw
//! client: the greeting announces contact-1.0; check, create, info (the
//! sponsor; another registrar only with the authInfo: 2201 without, 2202
//! with a wrong one), update (sponsor only), delete (2305 while a name
//! links it); `<domain:registrant>` and `<domain:contact>` on create and
//! update, 2303 for an unknown id, shown by `<domain:info>`.

use super::fees::{ask, result_code};
use super::*;

const CONTACT: &str = "urn:ietf:params:xml:ns:contact-1.0";
const DOMAIN: &str = "urn:ietf:params:xml:ns:domain-1.0";

fn cmd(body: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command>{body}<clTRID>contact-test</clTRID></command></epp>"#
    )
}

fn contact_create(id: &str, email: &str, pw: &str) -> String {
    cmd(&format!(
        r#"<create><contact:create xmlns:contact="{CONTACT}"><contact:id>{id}</contact:id><contact:postalInfo type="int"><contact:name>Jane Roe</contact:name><contact:org>Roe Widgets</contact:org><contact:addr><contact:street>1 High Street</contact:street><contact:city>Bristol</contact:city><contact:pc>BS1 1AA</contact:pc><contact:cc>GB</contact:cc></contact:addr></contact:postalInfo><contact:voice>+44.1170000000</contact:voice><contact:email>{email}</contact:email><contact:authInfo><contact:pw>{pw}</contact:pw></contact:authInfo></contact:create></create>"#
    ))
}

fn contact_info(id: &str, pw: Option<&str>) -> String {
    let auth = pw
        .map(|pw| format!("<contact:authInfo><contact:pw>{pw}</contact:pw></contact:authInfo>"))
        .unwrap_or_default();
    cmd(&format!(
        r#"<info><contact:info xmlns:contact="{CONTACT}"><contact:id>{id}</contact:id>{auth}</contact:info></info>"#
    ))
}

fn contact_simple(verb: &str, id: &str) -> String {
    cmd(&format!(
        r#"<{verb}><contact:{verb} xmlns:contact="{CONTACT}"><contact:id>{id}</contact:id></contact:{verb}></{verb}>"#
    ))
}

fn contact_update_email(id: &str, email: &str) -> String {
    cmd(&format!(
        r#"<update><contact:update xmlns:contact="{CONTACT}"><contact:id>{id}</contact:id><contact:chg><contact:email>{email}</contact:email></contact:chg></contact:update></update>"#
    ))
}

fn domain_create(name: &str, contacts: &str) -> String {
    cmd(&format!(
        r#"<create><domain:create xmlns:domain="{DOMAIN}"><domain:name>{name}</domain:name><domain:period unit="y">1</domain:period>{contacts}<domain:authInfo><domain:pw>Secret-Code-42</domain:pw></domain:authInfo></domain:create></create>"#
    ))
}

fn domain_info(name: &str) -> String {
    cmd(&format!(
        r#"<info><domain:info xmlns:domain="{DOMAIN}"><domain:name>{name}</domain:name></domain:info></info>"#
    ))
}

async fn contacts_follow_rfc_5733(backend: Backend) {
    let r = start(backend).await;
    let mut a = r.raw().await.expect("connect");
    send(&mut a, HELLO).await;
    let greeting = read_answer(&mut a).await.expect("greeting");
    assert!(
        greeting.contains(&format!("<objURI>{CONTACT}</objURI>")),
        "{greeting}"
    );
    assert_eq!(
        result_code(&ask(&mut a, &login_xml("ClientA", PW_A)).await),
        1000
    );
    let mut b = r.raw().await.expect("connect");
    assert_eq!(
        result_code(&ask(&mut b, &login_xml("ClientB", PW_B)).await),
        1000
    );

    // Check, create (twice: 2302), check again.
    let check = cmd(&format!(
        r#"<check><contact:check xmlns:contact="{CONTACT}"><contact:id>CAAAA1</contact:id><contact:id>x</contact:id></contact:check></check>"#
    ));
    let answer = ask(&mut a, &check).await;
    assert_eq!(result_code(&answer), 1000, "{answer}");
    assert!(answer.contains(r#"avail="1">CAAAA1<"#), "{answer}");
    assert!(
        answer.contains(r#"avail="0">x<"#),
        "a malformed id: {answer}"
    );
    let answer = ask(
        &mut a,
        &contact_create("CAAAA1", "jane@example.org", "Contact-Pw-1"),
    )
    .await;
    assert_eq!(result_code(&answer), 1000, "{answer}");
    assert!(
        answer.contains("<contact:id>CAAAA1</contact:id>"),
        "{answer}"
    );
    let answer = ask(
        &mut b,
        &contact_create("CAAAA1", "b@example.org", "Contact-Pw-2"),
    )
    .await;
    assert_eq!(result_code(&answer), 2302, "{answer}");
    assert!(ask(&mut a, &check).await.contains(r#"avail="0">CAAAA1<"#));
    // Field rules: a phone not in +CC.NUMBER form is 2005; no voice 2306.
    let bad = contact_create("CBAD01", "jane@example.org", "Contact-Pw-1")
        .replace("+44.1170000000", "0117 000");
    assert_eq!(result_code(&ask(&mut a, &bad).await), 2005);
    let no_voice = contact_create("CBAD02", "jane@example.org", "Contact-Pw-1")
        .replace("<contact:voice>+44.1170000000</contact:voice>", "");
    assert_eq!(result_code(&ask(&mut a, &no_voice).await), 2306);

    // Info: the sponsor sees it, with no authInfo shown; another registrar
    // needs its authInfo.
    let answer = ask(&mut a, &contact_info("CAAAA1", None)).await;
    assert_eq!(result_code(&answer), 1000, "{answer}");
    assert!(
        answer.contains("<contact:email>jane@example.org</contact:email>"),
        "{answer}"
    );
    assert!(
        answer.contains("<contact:clID>ClientA</contact:clID>"),
        "{answer}"
    );
    assert!(
        !answer.contains("Contact-Pw-1"),
        "the authInfo is never shown: {answer}"
    );
    assert_eq!(
        result_code(&ask(&mut b, &contact_info("CAAAA1", None)).await),
        2201
    );
    assert_eq!(
        result_code(&ask(&mut b, &contact_info("CAAAA1", Some("Wrong-Pw-9"))).await),
        2202
    );
    let answer = ask(&mut b, &contact_info("CAAAA1", Some("Contact-Pw-1"))).await;
    assert_eq!(result_code(&answer), 1000, "{answer}");
    assert_eq!(
        result_code(&ask(&mut a, &contact_info("CNONE1", None)).await),
        2303
    );

    // Update: the sponsor only.
    assert_eq!(
        result_code(&ask(&mut b, &contact_update_email("CAAAA1", "b@example.org")).await),
        2201
    );
    assert_eq!(
        result_code(&ask(&mut a, &contact_update_email("CAAAA1", "new@example.org")).await),
        1000
    );
    assert!(ask(&mut a, &contact_info("CAAAA1", None))
        .await
        .contains("<contact:email>new@example.org</contact:email>"));

    // A domain with contacts: an unknown id is 2303 and nothing is created;
    // another registrar's contact is 2201; known ones are linked.
    let links = "<domain:registrant>CAAAA1</domain:registrant>\
                 <domain:contact type=\"admin\">CAAAA1</domain:contact>\
                 <domain:contact type=\"tech\">CAAAA1</domain:contact>";
    let unknown = links.replace("type=\"tech\">CAAAA1", "type=\"tech\">CNONE1");
    assert_eq!(
        result_code(&ask(&mut a, &domain_create("linked.com", &unknown)).await),
        2303
    );
    assert_eq!(
        result_code(&ask(&mut a, &domain_info("linked.com")).await),
        2303
    );
    assert_eq!(
        result_code(&ask(&mut b, &domain_create("linked.com", links)).await),
        2201
    );
    let answer = ask(&mut a, &domain_create("linked.com", links)).await;
    assert_eq!(result_code(&answer), 1000, "{answer}");
    let answer = ask(&mut a, &domain_info("linked.com")).await;
    assert!(
        answer.contains("<domain:registrant>CAAAA1</domain:registrant>"),
        "{answer}"
    );
    assert!(
        answer.contains(r#"<domain:contact type="admin">CAAAA1</domain:contact>"#),
        "{answer}"
    );
    let answer = ask(&mut a, &contact_info("CAAAA1", None)).await;
    assert!(
        answer.contains(r#"<contact:status s="linked"/>"#),
        "{answer}"
    );

    // Linked: not deleted (2305). A new tech contact by update, the old
    // one removed; then the first one is unlinked from tech but still the
    // registrant.
    assert_eq!(
        result_code(&ask(&mut a, &contact_simple("delete", "CAAAA1")).await),
        2305
    );
    let answer = ask(
        &mut a,
        &contact_create("CTECH1", "tech@example.org", "Contact-Pw-3"),
    )
    .await;
    assert_eq!(result_code(&answer), 1000, "{answer}");
    let update = |add: &str, rem: &str| {
        cmd(&format!(
            r#"<update><domain:update xmlns:domain="{DOMAIN}"><domain:name>linked.com</domain:name><domain:add><domain:contact type="tech">{add}</domain:contact></domain:add><domain:rem><domain:contact type="tech">{rem}</domain:contact></domain:rem></domain:update></update>"#
        ))
    };
    assert_eq!(
        result_code(&ask(&mut a, &update("CNONE1", "CAAAA1")).await),
        2303
    );
    let answer = ask(&mut a, &update("CTECH1", "CAAAA1")).await;
    assert_eq!(result_code(&answer), 1000, "{answer}");
    let answer = ask(&mut a, &domain_info("linked.com")).await;
    assert!(
        answer.contains(r#"<domain:contact type="tech">CTECH1</domain:contact>"#),
        "{answer}"
    );
    assert!(
        !answer.contains(r#"<domain:contact type="tech">CAAAA1"#),
        "{answer}"
    );
    let store = r.store.clone();
    let at_r = store
        .registry_domain_contacts("linked.com")
        .await
        .expect("store");
    assert_eq!(at_r.registrant.as_deref(), Some("CAAAA1"));
    assert_eq!(at_r.tech.as_deref(), Some("CTECH1"));

    // An unlinked contact is deleted; another registrar's is not (2201).
    let answer = ask(
        &mut a,
        &contact_create("CFREE1", "free@example.org", "Contact-Pw-4"),
    )
    .await;
    assert_eq!(result_code(&answer), 1000, "{answer}");
    assert_eq!(
        result_code(&ask(&mut b, &contact_simple("delete", "CFREE1")).await),
        2201
    );
    assert_eq!(
        result_code(&ask(&mut a, &contact_simple("delete", "CFREE1")).await),
        1000
    );
    assert_eq!(
        result_code(&ask(&mut a, &contact_info("CFREE1", None)).await),
        2303
    );
    assert!(
        store
            .registry_contact_get("CFREE1")
            .await
            .expect("store")
            .is_none(),
        "gone from the store"
    );
    // The authInfo is kept hashed only.
    let kept = store
        .registry_contact_get("CAAAA1")
        .await
        .expect("store")
        .expect("kept");
    assert_ne!(kept.auth_info_hash, "Contact-Pw-1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_contacts_follow_rfc_5733() {
    contacts_follow_rfc_5733(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_contacts_follow_rfc_5733() {
    contacts_follow_rfc_5733(Backend::Postgres).await;
}
