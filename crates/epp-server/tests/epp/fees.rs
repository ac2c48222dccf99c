//! RFC 8748 fees: the greeting announces fee-1.0; `<fee:check>` tells a
//! premium name's fees (the operator's) and a standard name's; a premium
//! name is created, renewed or transferred only with a `<fee:fee>`
//! covering its fee (2004 otherwise, §3.8), and the answer tells the fee
//! charged.

use super::*;

const FEE_NS: &str = "urn:ietf:params:xml:ns:epp:fee-1.0";

/// A `<login>` selecting the fee extension (RFC 5730 §2.9.1.1).
fn login_with_fee(id: &str, pw: &str) -> String {
    format!(
        r#"<?xml version="1.0"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><login><clID>{id}</clID><pw>{pw}</pw><options><version>1.0</version><lang>en</lang></options><svcs><objURI>urn:ietf:params:xml:ns:domain-1.0</objURI><svcExtension><extURI>{FEE_NS}</extURI></svcExtension></svcs></login><clTRID>fee-login</clTRID></command></epp>"#
    )
}

/// `<command>` around a domain command `body` and its `extension`.
fn command(body: &str, extension: &str) -> String {
    let extension = if extension.is_empty() {
        String::new()
    } else {
        format!("<extension>{extension}</extension>")
    };
    format!(
        r#"<?xml version="1.0"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command>{body}{extension}<clTRID>fee-test</clTRID></command></epp>"#
    )
}

fn create(name: &str, years: u32) -> String {
    format!(
        r#"<create><domain:create xmlns:domain="urn:ietf:params:xml:ns:domain-1.0"><domain:name>{name}</domain:name><domain:period unit="y">{years}</domain:period><domain:authInfo><domain:pw>Secret-Code-42</domain:pw></domain:authInfo></domain:create></create>"#
    )
}

fn renew(name: &str, cur_exp: &str) -> String {
    format!(
        r#"<renew><domain:renew xmlns:domain="urn:ietf:params:xml:ns:domain-1.0"><domain:name>{name}</domain:name><domain:curExpDate>{cur_exp}</domain:curExpDate><domain:period unit="y">1</domain:period></domain:renew></renew>"#
    )
}

/// `<fee:create>`, `<fee:renew>`: the fee the client agrees to.
fn agree(command: &str, amount: &str) -> String {
    format!(
        r#"<fee:{command} xmlns:fee="{FEE_NS}"><fee:currency>USD</fee:currency><fee:fee>{amount}</fee:fee></fee:{command}>"#
    )
}

pub(crate) async fn ask(c: &mut Raw, xml: &str) -> String {
    send(c, xml.as_bytes()).await;
    read_answer(c).await.expect("an answer")
}

pub(crate) fn result_code(answer: &str) -> u16 {
    let doc = roxmltree::Document::parse(answer).expect("xml");
    doc.descendants()
        .find(|n| n.has_tag_name("result"))
        .and_then(|n| n.attribute("code"))
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no result code in {answer}"))
}

/// The `<fee:fee>` of `command` in `name`'s `<fee:cd>`, with its class and
/// whether it is `standard`.
fn fee_of(answer: &str, name: &str, command: &str) -> (String, String, bool) {
    let doc = roxmltree::Document::parse(answer).expect("xml");
    let cd = doc
        .descendants()
        .filter(|n| n.has_tag_name((FEE_NS, "cd")))
        .find(|cd| {
            cd.children()
                .any(|c| c.has_tag_name((FEE_NS, "objID")) && c.text() == Some(name))
        })
        .unwrap_or_else(|| panic!("no fee:cd for {name}: {answer}"));
    assert_eq!(cd.attribute("avail"), Some("1"), "{answer}");
    let class = cd
        .children()
        .find(|c| c.has_tag_name((FEE_NS, "class")))
        .and_then(|c| c.text())
        .expect("class")
        .to_owned();
    let cmd = cd
        .children()
        .find(|c| c.has_tag_name((FEE_NS, "command")) && c.attribute("name") == Some(command))
        .unwrap_or_else(|| panic!("no {command} for {name}: {answer}"));
    let fee = cmd
        .children()
        .find(|c| c.has_tag_name((FEE_NS, "fee")))
        .and_then(|c| c.text())
        .expect("fee")
        .to_owned();
    (fee, class, cmd.attribute("standard") == Some("1"))
}

async fn premium_names_are_priced_and_need_their_fee(backend: Backend) {
    let r = start(backend).await;
    r.store
        .registry_premium_set(&vpsd_storage::PremiumName {
            name: "gold.com".into(),
            create_cents: 250_00,
            renew_cents: 100_00,
            transfer_cents: 90_00,
            updated_at: chrono::Utc::now(),
        })
        .await
        .expect("premium");

    // The greeting announces fee-1.0 (RFC 8748 §2).
    let client = r.connect_as(&r.pki.client).await.expect("connect");
    let greeting = client.greeting().expect("greeting");
    let ext: Vec<String> = greeting
        .svc_menu
        .services
        .svc_ext
        .map(|e| e.ext_uris.iter().map(|u| u.to_string()).collect())
        .unwrap_or_default();
    assert!(ext.iter().any(|u| u == FEE_NS), "{ext:?}");

    let mut c = r.raw().await.expect("connect");
    assert_eq!(
        result_code(&ask(&mut c, &login_with_fee("ClientA", PW_A)).await),
        1000
    );

    // <fee:check>: the premium name's fees for 2 years, the standard
    // name's list price.
    let check = command(
        r#"<check><domain:check xmlns:domain="urn:ietf:params:xml:ns:domain-1.0"><domain:name>gold.com</domain:name><domain:name>plain.com</domain:name></domain:check></check>"#,
        &format!(
            r#"<fee:check xmlns:fee="{FEE_NS}"><fee:currency>USD</fee:currency><fee:command name="create"><fee:period unit="y">2</fee:period></fee:command><fee:command name="renew"/><fee:command name="transfer"/><fee:command name="restore"/></fee:check>"#
        ),
    );
    let answer = ask(&mut c, &check).await;
    assert_eq!(result_code(&answer), 1000, "{answer}");
    assert_eq!(
        fee_of(&answer, "gold.com", "create"),
        ("500.00".into(), "premium".into(), false)
    );
    assert_eq!(fee_of(&answer, "gold.com", "renew").0, "100.00");
    assert_eq!(fee_of(&answer, "gold.com", "transfer").0, "90.00");
    assert_eq!(
        fee_of(&answer, "plain.com", "create"),
        ("25.98".into(), "standard".into(), true)
    );
    // Another currency is refused (§3.4).
    let euros = check.replace("<fee:currency>USD", "<fee:currency>EUR");
    assert_eq!(result_code(&ask(&mut c, &euros).await), 2306);

    // Create without a fee, or with too little: 2004, nothing created.
    let answer = ask(&mut c, &command(&create("gold.com", 2), "")).await;
    assert_eq!(result_code(&answer), 2004, "{answer}");
    assert!(answer.contains("500.00"), "the fee is told: {answer}");
    let answer = ask(
        &mut c,
        &command(&create("gold.com", 2), &agree("create", "499.99")),
    )
    .await;
    assert_eq!(result_code(&answer), 2004, "{answer}");
    assert!(r
        .store
        .registry_get("gold.com")
        .await
        .expect("read")
        .is_none());
    // With enough: created, and the answer tells the fee charged.
    let answer = ask(
        &mut c,
        &command(&create("gold.com", 2), &agree("create", "500.00")),
    )
    .await;
    assert_eq!(result_code(&answer), 1000, "{answer}");
    assert!(answer.contains("<fee:creData"), "{answer}");
    assert!(answer.contains("<fee:fee>500.00</fee:fee>"), "{answer}");
    let record = r
        .store
        .registry_get("gold.com")
        .await
        .expect("read")
        .expect("created");
    assert_eq!(record.sponsoring_registrar, "ClientA");

    // Renew: the premium renewal fee, the same way.
    let cur = record.ex_date.format("%Y-%m-%d").to_string();
    let answer = ask(&mut c, &command(&renew("gold.com", &cur), "")).await;
    assert_eq!(result_code(&answer), 2004, "{answer}");
    let answer = ask(
        &mut c,
        &command(&renew("gold.com", &cur), &agree("renew", "100")),
    )
    .await;
    assert_eq!(result_code(&answer), 1000, "{answer}");
    assert!(answer.contains("<fee:renData"), "{answer}");

    // A standard name needs no fee.
    let answer = ask(&mut c, &command(&create("plain.com", 1), "")).await;
    assert_eq!(result_code(&answer), 1000, "{answer}");

    // Another registrar's transfer request of the premium name: 2004
    // without its transfer fee, pending with it.
    r.clock.advance(Days::days(61));
    let mut b = r.raw().await.expect("connect");
    assert_eq!(
        result_code(&ask(&mut b, &login_with_fee("ClientB", PW_B)).await),
        1000
    );
    let transfer = r#"<transfer op="request"><domain:transfer xmlns:domain="urn:ietf:params:xml:ns:domain-1.0"><domain:name>gold.com</domain:name><domain:authInfo><domain:pw>Secret-Code-42</domain:pw></domain:authInfo></domain:transfer></transfer>"#;
    let answer = ask(&mut b, &command(transfer, "")).await;
    assert_eq!(result_code(&answer), 2004, "{answer}");
    assert!(answer.contains("90.00"), "the fee is told: {answer}");
    let answer = ask(&mut b, &command(transfer, &agree("transfer", "90.00"))).await;
    assert_eq!(result_code(&answer), 1001, "{answer}");
    assert!(answer.contains("<fee:trnData"), "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_premium_names_are_priced_and_need_their_fee() {
    premium_names_are_priced_and_need_their_fee(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_premium_names_are_priced_and_need_their_fee() {
    premium_names_are_priced_and_need_their_fee(Backend::Postgres).await;
}

/// Verisign's namestore extension, required (`require_namestore`): a
/// domain command without it is 2003, with another TLD's sub-product 2306
/// (with `<namestoreExt:nsExtErrData>` code 1), with its own it is served.
async fn namestore_is_required_with_the_tlds_sub_product(backend: Backend) {
    const NS: &str = "http://www.verisign-grs.com/epp/namestoreExt-1.1";
    let r = start_with(backend, |s| s.require_namestore = true).await;
    let mut c = r.raw().await.expect("connect");
    assert_eq!(
        result_code(&ask(&mut c, &login_with_fee("ClientA", PW_A)).await),
        1000
    );
    let info = r#"<info><domain:info xmlns:domain="urn:ietf:params:xml:ns:domain-1.0"><domain:name>store.com</domain:name></domain:info></info>"#;
    let store = |sub: &str| {
        format!(
            r#"<namestoreExt:namestoreExt xmlns:namestoreExt="{NS}"><namestoreExt:subProduct>{sub}</namestoreExt:subProduct></namestoreExt:namestoreExt>"#
        )
    };
    let answer = ask(&mut c, &command(info, "")).await;
    assert_eq!(result_code(&answer), 2003, "{answer}");
    let answer = ask(&mut c, &command(info, &store("dotNET"))).await;
    assert_eq!(result_code(&answer), 2306, "{answer}");
    assert!(answer.contains("nsExtErrData"), "{answer}");
    let answer = ask(&mut c, &command(info, &store("dotCOM"))).await;
    assert_eq!(
        result_code(&answer),
        2303,
        "served: not registered: {answer}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_namestore_is_required_with_the_tlds_sub_product() {
    namestore_is_required_with_the_tlds_sub_product(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_namestore_is_required_with_the_tlds_sub_product() {
    namestore_is_required_with_the_tlds_sub_product(Backend::Postgres).await;
}
