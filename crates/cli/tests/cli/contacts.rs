//! `vps contacts ...`: the account's contacts from the command line.

use std::time::Duration;

use crate::helpers::{server, vps};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_through_vps() {
    let s = server(Duration::from_secs(1)).await;

    // The fixture's account has one contact, its default.
    let list = vps(&s, &["--json", "contacts", "list"]).await.ok().json();
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    let first = list[0]["id"].as_i64().expect("id");
    assert_eq!(list[0]["default"], true);

    let c = vps(
        &s,
        &[
            "--json",
            "contacts",
            "create",
            "--name",
            "Jane Roe",
            "--organisation",
            "Roe Widgets",
            "--street",
            "2 High Street",
            "--street",
            "Floor 3",
            "--city",
            "Bristol",
            "--postal-code",
            "BS1 4DJ",
            "--country-code",
            "gb",
            "--voice",
            "+44.1179460000",
            "--email",
            "jane@roe-widgets.example",
        ],
    )
    .await
    .ok()
    .json();
    let id = c["id"].as_i64().expect("id");
    assert_eq!(c["street"], serde_json::json!(["2 High Street", "Floor 3"]));
    assert_eq!(c["country_code"], "GB");
    assert_eq!(c["default"], false);
    let id_text = id.to_string();

    // People get a table and a field per line.
    let table = vps(&s, &["contacts", "list"]).await.ok().stdout;
    assert!(
        table.contains("HANDLE") && table.contains("Jane Roe") && table.contains("Roe Widgets"),
        "{table}"
    );
    let shown = vps(&s, &["contacts", "show", &id_text]).await.ok().stdout;
    assert!(
        shown.contains("2 High Street, Floor 3") && shown.contains("+44.1179460000"),
        "{shown}"
    );

    // Only the flags given change.
    let u = vps(
        &s,
        &["--json", "contacts", "update", &id_text, "--city", "Bath"],
    )
    .await
    .ok()
    .json();
    assert_eq!(u["city"], "Bath");
    assert_eq!(u["organisation"], "Roe Widgets");
    let r = vps(&s, &["contacts", "update", &id_text]).await;
    assert_eq!(r.code, 2, "no field given is bad usage: {}", r.stderr);

    // The API's field errors in flag terms, each.
    let r = vps(
        &s,
        &[
            "contacts",
            "update",
            &id_text,
            "--voice",
            "0117 946 0000",
            "--email",
            "nope",
        ],
    )
    .await;
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(
        r.stderr.contains("--voice") && r.stderr.contains("--email"),
        "{}",
        r.stderr
    );

    // The default moves.
    let out = vps(&s, &["contacts", "default", &id_text])
        .await
        .ok()
        .stdout;
    assert!(out.is_empty(), "the note goes to standard error: {out}");
    let again = vps(&s, &["--json", "contacts", "show", &first.to_string()])
        .await
        .ok()
        .json();
    assert_eq!(again["default"], false);

    // A contact a domain names stays; another can go.
    vps(&s, &["domains", "register", "cli-contacts.com"])
        .await
        .ok();
    let r = vps(&s, &["contacts", "delete", &id_text]).await;
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("cli-contacts.com"), "{}", r.stderr);
    let r = vps(&s, &["contacts", "delete", &first.to_string()])
        .await
        .ok();
    assert!(r.stderr.contains("Deleted contact"), "{}", r.stderr);
    let r = vps(&s, &["contacts", "show", &first.to_string()]).await;
    assert_eq!(r.code, 3, "{}", r.stderr);
}

/// `vps domains register|update|transfer --registrant|--admin|--tech|--billing`:
/// a domain's contacts by role; the detail shows them; a contact id that
/// is not the account's is the flag's error, and changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn domains_take_contacts_by_role() {
    let s = server(Duration::from_secs(1)).await;
    let list = vps(&s, &["--json", "contacts", "list"]).await.ok().json();
    let default = list[0]["id"].as_i64().expect("id");
    let other = vps(
        &s,
        &[
            "--json",
            "contacts",
            "create",
            "--name",
            "Ops Team",
            "--street",
            "1 Dock Road",
            "--city",
            "Leeds",
            "--country-code",
            "GB",
            "--voice",
            "+44.1130000000",
            "--email",
            "ops@example.net",
        ],
    )
    .await
    .ok()
    .json()["id"]
        .as_i64()
        .expect("id");
    let other_text = other.to_string();

    let r = vps(
        &s,
        &[
            "--json",
            "domains",
            "register",
            "cli-roles.com",
            "--registrant",
            &other_text,
            "--wait",
        ],
    )
    .await
    .ok()
    .json();
    assert_eq!(r["contacts"]["registrant"], other, "{r}");
    assert_eq!(r["contacts"]["admin"], default, "{r}");
    assert_eq!(r["contacts"]["billing"], default, "{r}");

    // Only the roles given change.
    vps(
        &s,
        &["domains", "update", "cli-roles.com", "--tech", &other_text],
    )
    .await
    .ok();
    let shown = vps(&s, &["domains", "get", "cli-roles.com"])
        .await
        .ok()
        .stdout;
    assert!(
        shown.contains(&format!(
            "registrant {other}, admin {default}, tech {other}, billing {default}"
        )),
        "{shown}"
    );

    // Not the account's contact: the flag's error, nothing changed.
    let r = vps(
        &s,
        &["domains", "update", "cli-roles.com", "--admin", "999999"],
    )
    .await;
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("--admin"), "{}", r.stderr);
    let after = vps(&s, &["--json", "domains", "get", "cli-roles.com"])
        .await
        .ok()
        .json();
    assert_eq!(after["contacts"]["admin"], default, "{after}");
    // --json prints the API's whole object, fields the client does not
    // name included.
    assert!(
        after["whois_info"]["privacy_service"]["email"]
            .as_str()
            .is_some_and(|e| e.starts_with("cli-roles.com@")),
        "{after}"
    );
    assert!(after.get("registrant_verified").is_some(), "{after}");
}
