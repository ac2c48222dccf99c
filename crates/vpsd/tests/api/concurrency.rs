//! Concurrency on both databases: one name raced by 20 requests, and one
//! balance spent by 20 requests at once.

use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::endpoints::{api, with_query};
use crate::helpers::TestApp;
use vps_client::paths;

crate::both!(
    one_name_twenty_racers,
    twenty_names_balance_for_five,
    a_change_from_another_connection_is_read_at_once,
    a_list_page_follows_changes_from_another_connection_at_once,
    records_raced_at_one_name_keep_the_rules,
    a_transfer_racing_a_delete_answers_what_is_true,
    forwards_raced_on_one_domain_keep_the_limit_and_their_names,
);

async fn one_name_twenty_racers(app: &TestApp) {
    let mut tokens = vec![app.token.clone()];
    for i in 0..3 {
        tokens.push(
            app.new_account(&format!("racer{i}@example.com"), 100_00)
                .await
                .1,
        );
    }
    let requests = (0..20).map(|i| {
        let token = tokens[i % tokens.len()].clone();
        async move {
            app.request_as(
                Some(&token),
                Method::POST,
                &api(paths::DOMAINS),
                Some(json!({"domain_name": "contested.com"})),
            )
            .await
        }
    });
    let results = join_all(requests).await;
    let created = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    let taken = results
        .iter()
        .filter(|(s, b)| *s == StatusCode::BAD_REQUEST && b["code"] == "domain_taken")
        .count();
    assert_eq!(created, 1, "{results:?}");
    assert_eq!(taken, 19, "{results:?}");
    // Exactly one account paid, once.
    let mut paid = 0;
    for id in 1..=4 {
        let ledger = app
            .app
            .store
            .ledger(vpsd_domain::AccountId::from(id))
            .await
            .expect("ledger");
        paid += ledger.iter().filter(|e| e.kind == "registration").count();
    }
    assert_eq!(paid, 1);
}

async fn twenty_names_balance_for_five(app: &TestApp) {
    let (account, token) = app.new_account("five@example.com", 5 * 12_99).await;
    let requests = (0..20).map(|i| {
        let token = token.clone();
        async move {
            app.request_as(
                Some(&token),
                Method::POST,
                &api(paths::DOMAINS),
                Some(json!({"domain_name": format!("name{i}.com")})),
            )
            .await
        }
    });
    let results = join_all(requests).await;
    let created = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    let short = results
        .iter()
        .filter(|(s, b)| *s == StatusCode::PAYMENT_REQUIRED && b["code"] == "insufficient_funds")
        .count();
    assert_eq!(created, 5, "{results:?}");
    assert_eq!(short, 15, "{results:?}");
    assert_eq!(app.balance(account).await, 0);
    let (_, list) = app
        .request_as(Some(&token), Method::GET, &api(paths::DOMAINS), None)
        .await;
    assert_eq!(list["count"], 5);
    // The refused names were not left at the registry.
    let mut registered = 0;
    for i in 0..20 {
        if app
            .app
            .store
            .registry_get(&format!("name{i}.com"))
            .await
            .expect("registry")
            .is_some()
        {
            registered += 1;
        }
    }
    assert_eq!(registered, 5);
}

/// The API reads what another connection (as another process, such as an
/// operator command) committed the moment it committed: the SQLite read
/// cache is checked against the database's wal-index on every read.
async fn a_change_from_another_connection_is_read_at_once(app: &TestApp) {
    let id = app.register("seen-at-once.com").await;
    let path = api(&paths::domain(id));
    for round in 0..20 {
        let want = round % 2 == 1;
        // Read it (and so cache it), then change it behind the API's back.
        let (_, before) = app.get(&path).await;
        assert_eq!(before["auto_renew"], !want, "round {round}");
        elsewhere(
            app,
            &format!("UPDATE domains SET auto_renew = {want} WHERE id = {id}"),
        )
        .await;
        let (_, after) = app.get(&path).await;
        assert_eq!(after["auto_renew"], want, "round {round}: {after}");
    }
}

/// Runs `sql` on a connection of its own (as another process would).
async fn elsewhere(app: &TestApp, sql: &str) {
    use sqlx::Connection;
    match app.backend {
        crate::helpers::Backend::Sqlite => {
            let mut other = sqlx::SqliteConnection::connect(&app.database_url)
                .await
                .expect("connect");
            sqlx::query(sql).execute(&mut other).await.expect(sql);
            other.close().await.expect("close");
        }
        crate::helpers::Backend::Postgres => {
            let mut other = sqlx::PgConnection::connect(&app.database_url)
                .await
                .expect("connect");
            sqlx::query(sql).execute(&mut other).await.expect(sql);
            other.close().await.expect("close");
        }
    }
}

/// List pages are kept per process with the account's list version; a
/// change committed anywhere (here: another connection, as an operator
/// command or another `vpsd` would) shows in the very next page, whether
/// it edits a domain, removes it, moves it to another account, or deletes
/// the row.
async fn a_list_page_follows_changes_from_another_connection_at_once(app: &TestApp) {
    let (other_account, other_token) = app.new_account("other-list@example.com", 100_00).await;
    let mut ids = Vec::new();
    for name in ["kept-a.com", "kept-b.com", "kept-c.com", "kept-d.com"] {
        ids.push(app.register(name).await);
    }
    let page = &with_query(paths::DOMAINS, "search=kept-");
    let names = |body: &serde_json::Value| -> Vec<String> {
        body["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|d| d["domain_name"].as_str().expect("name").to_owned())
            .collect()
    };
    let (_, before) = app.get(page).await;
    assert_eq!(before["count"], 4);
    for round in 0..10 {
        let want = round % 2 == 1;
        elsewhere(
            app,
            &format!(
                "UPDATE domains SET auto_renew = {want} WHERE id = {}",
                ids[0]
            ),
        )
        .await;
        let (_, after) = app.get(page).await;
        assert_eq!(
            after["results"][0]["auto_renew"], want,
            "round {round}: {after}"
        );
    }
    elsewhere(
        app,
        &format!(
            "UPDATE domains SET removed_at = updated_at WHERE id = {}",
            ids[1]
        ),
    )
    .await;
    let (_, after) = app.get(page).await;
    assert_eq!(names(&after), ["kept-a.com", "kept-c.com", "kept-d.com"]);
    assert_eq!(after["count"], 3);

    // The other account's page, kept before the move, sees it arrive.
    let (_, theirs) = app
        .request_as(Some(&other_token), Method::GET, page, None)
        .await;
    assert_eq!(theirs["count"], 0);
    elsewhere(
        app,
        &format!(
            "UPDATE domains SET account_id = {other_account} WHERE id = {}",
            ids[2]
        ),
    )
    .await;
    let (_, after) = app.get(page).await;
    assert_eq!(names(&after), ["kept-a.com", "kept-d.com"]);
    let (_, theirs) = app
        .request_as(Some(&other_token), Method::GET, page, None)
        .await;
    assert_eq!(names(&theirs), ["kept-c.com"]);

    elsewhere(app, &format!("DELETE FROM domains WHERE id = {}", ids[3])).await;
    let (_, after) = app.get(page).await;
    assert_eq!(names(&after), ["kept-a.com"]);
    assert_eq!(after["count"], 1);
}

/// 20 requests at once add records at one name: the checks against the
/// records already there (RFC 2181 §5 duplicates, RFC 1034 §3.6.2 a CNAME
/// alone) hold as if they came one after another, on both databases.
async fn records_raced_at_one_name_keep_the_rules(app: &TestApp) {
    let id = app.register("racing-records.com").await;
    let path = api(&paths::records(id));
    // The same TXT record 20 times: one is added, 19 are duplicates.
    let same = (0..20).map(|_| {
        app.post(
            &path,
            json!({"name": "_acme-challenge", "type": "TXT", "content": "token-1"}),
        )
    });
    let results = join_all(same).await;
    let created = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "{results:?}");
    assert!(
        results.iter().all(|(s, b)| *s == StatusCode::CREATED
            || (*s == StatusCode::CONFLICT && b["code"] == "duplicate_record")),
        "{results:?}"
    );
    // CNAMEs and A records at one name: either one CNAME, or A records only.
    let mixed = (0..20).map(|i| {
        let body = if i % 2 == 0 {
            json!({"name": "raced", "type": "CNAME", "content": format!("t{i}.example.net")})
        } else {
            json!({"name": "raced", "type": "A", "content": format!("192.0.2.{i}")})
        };
        app.post(&path, body)
    });
    join_all(mixed).await;
    let (_, list) = app.get(&format!("{path}?page_size=100")).await;
    let at_name: Vec<&str> = list["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["name"] == "raced")
        .filter_map(|r| r["type"].as_str())
        .collect();
    let cnames = at_name.iter().filter(|t| **t == "CNAME").count();
    assert!(
        (cnames == 1 && at_name.len() == 1) || (cnames == 0 && !at_name.is_empty()),
        "{at_name:?}"
    );
    let (_, domain) = app.domain(id).await;
    assert_eq!(
        domain["dns_records_count"].as_u64(),
        Some(1 + at_name.len() as u64)
    );
}

/// A transfer and a delete of the same domain at once: whichever wins, the
/// transfer's answer is true (200, or 404 when the domain went first),
/// never `transfer_in_progress` where no transfer exists.
async fn a_transfer_racing_a_delete_answers_what_is_true(app: &TestApp) {
    let created = app.now() - chrono::Duration::days(100);
    for round in 0..12 {
        let name = format!("raced{round}.com");
        app.held_elsewhere(&name, "code", created, false).await;
        let id = app.import(&name).await;
        let (transfer_path, delete_path) = (api(&paths::transfer(id)), api(&paths::domain(id)));
        let transfer = app.post(&transfer_path, json!({"auth_code": "code"}));
        let delete = app.delete(&delete_path);
        let ((t_status, t_body), (d_status, d_body)) = tokio::join!(transfer, delete);
        assert_eq!(d_status, StatusCode::NO_CONTENT, "{d_body}");
        match t_status {
            StatusCode::OK => assert_eq!(t_body["transfer_status"], "pending", "{t_body}"),
            StatusCode::NOT_FOUND => assert_eq!(t_body["code"], "not_found", "{t_body}"),
            other => panic!("round {round}: transfer answered {other} {t_body}"),
        }
    }
    // The store's own answer when the domain went between the read and the
    // change (the window above, made certain): not found, not "a transfer
    // is pending".
    let name = "gone-before.com";
    app.held_elsewhere(name, "code", created, false).await;
    let id = app.import(name).await;
    let (status, _) = app.delete_domain(id).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let now = app.now();
    let actor = vpsd_storage::Actor {
        kind: "api",
        token_id: None,
        request_id: None,
    };
    let result = app
        .app
        .store
        .begin_transfer(
            &vpsd_storage::NewTransfer {
                account_id: app.account_id,
                domain_id: id.into(),
                contacts: Default::default(),
                auto_renew: true,
                initiated_at: now,
                completes_at: now,
                cost: vpsd_domain::Money::from_cents(9_99),
                description: "test".into(),
            },
            &vpsd_storage::NewMail {
                account_id: app.account_id,
                subject: "s".into(),
                body: "b".into(),
            },
            &vpsd_storage::Audit {
                actor: &actor,
                action: vpsd_domain::AuditAction::DomainTransfer,
                changes: "{}".into(),
            },
        )
        .await;
    assert!(
        matches!(result, Err(vpsd_storage::StoreError::NotFound)),
        "{result:?}"
    );
}

/// Forwards of one domain raced: the limit of 100 holds (30 new ones at
/// once on a domain with 95 leave 100), and 20 forwards of one alias or
/// host at once give one 201 and 409 `forward_exists` to the others, never
/// a 500 (on PostgreSQL, checks made side by side saw the same count and
/// the same free name before each change took the domain's row lock).
async fn forwards_raced_on_one_domain_keep_the_limit_and_their_names(app: &TestApp) {
    // 140 requests in a few seconds: a server of its own without the
    // per-token rate limit.
    let unlimited = TestApp::builder()
        .settings(|s| s.rate_limit = None)
        .spawn(app.backend)
        .await;
    let app = &unlimited;
    let id = app.register("racing-forwards.com").await;
    for i in 0..95 {
        let (status, body) = app
            .add_email_forward(
                id,
                json!({"alias": format!("a{i}"), "destinations": ["x@example.net"]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let new = (0..30).map(|i| {
        app.add_email_forward(
            id,
            json!({"alias": format!("b{i}"), "destinations": ["x@example.net"]}),
        )
    });
    let results = join_all(new).await;
    assert!(
        results.iter().all(|(s, b)| *s == StatusCode::CREATED
            || (*s == StatusCode::BAD_REQUEST && b["code"] == "too_many_forwards")),
        "{results:?}"
    );
    let (_, list) = app.email_forwards(id).await;
    assert_eq!(list["count"].as_u64(), Some(100), "{list}");

    let id = app.register("racing-hosts.com").await;
    let same = (0..20).map(|_| {
        app.add_url_forward(
            id,
            json!({"host": "racer", "target": "https://example.net/"}),
        )
    });
    let results = join_all(same).await;
    let created = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "{results:?}");
    assert!(
        results.iter().all(|(s, b)| *s == StatusCode::CREATED
            || (*s == StatusCode::CONFLICT && b["code"] == "forward_exists")),
        "{results:?}"
    );
    unlimited.finish().await;
}
