//! A domain's hosts (child name servers with glue) through the API, kept
//! at the embedded sandbox registry: create, list, show, change and delete;
//! the field errors; another account's domain; a linked host kept; the
//! domain's nameservers naming its own host. And the race of a domain
//! update naming a host with that host's deletion, at the registry.

use reqwest::{Method, StatusCode};
use serde_json::json;
use vps_client::paths;
use vpsd_registry::{Registry, RegistryError, SandboxRegistry};

use crate::endpoints::api;
use crate::helpers::{assert_error, Backend, TestApp};

crate::both!(hosts_through_the_api);

async fn hosts_through_the_api(app: &TestApp) {
    let id = app.active("glue-api.com").await;
    let hosts = api(&paths::hosts(id));
    let ns1 = api(&paths::host(id, "ns1.glue-api.com"));

    // None yet.
    let (status, list) = app.get(&hosts).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["count"], 0, "{list}");

    // Field errors: each names its field, nothing is created.
    for (body, field) in [
        (
            json!({"host_name": "ns1.elsewhere.net", "ip_addresses": ["93.184.216.34"]}),
            "host_name",
        ),
        (
            json!({"host_name": "glue-api.com", "ip_addresses": ["93.184.216.34"]}),
            "host_name",
        ),
        (
            json!({"host_name": "ns1.glue-api.com", "ip_addresses": ["300.1.2.3"]}),
            "ip_addresses",
        ),
        (
            json!({"host_name": "ns1.glue-api.com", "ip_addresses": ["192.168.1.10"]}),
            "ip_addresses",
        ),
        (
            json!({"host_name": "ns1.glue-api.com", "ip_addresses": ["fd00::53"]}),
            "ip_addresses",
        ),
        (
            json!({"host_name": "ns1.glue-api.com", "ip_addresses": []}),
            "ip_addresses",
        ),
        (
            json!({"host_name": "ns1.glue-api.com",
                "ip_addresses": (1..=14).map(|i| format!("93.184.216.{i}")).collect::<Vec<_>>()}),
            "ip_addresses",
        ),
        (json!({"ip_addresses": ["93.184.216.34"]}), "host_name"),
    ] {
        let (status, err) = app.post(&hosts, body.clone()).await;
        assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_fields");
        assert!(err["errors"][field].is_array(), "{body} → {err}");
    }
    let (_, err) = app
        .post(
            &hosts,
            json!({"host_name": "ns1.glue-api.com", "ip_addresses": ["127.0.0.1"]}),
        )
        .await;
    assert!(
        err["errors"]["ip_addresses"][0]
            .as_str()
            .is_some_and(|m| m.contains("loopback")),
        "says which range: {err}"
    );
    let (_, list) = app.get(&hosts).await;
    assert_eq!(list["count"], 0, "nothing created: {list}");

    // Create two; the list and one read back as the registry has them.
    let (status, host) = app
        .post(
            &hosts,
            json!({"host_name": "NS1.Glue-Api.com", "ip_addresses": ["93.184.216.34", "2606:2800:220:1::1"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{host}");
    assert_eq!(
        host,
        json!({"host_name": "ns1.glue-api.com",
            "ip_addresses": ["93.184.216.34", "2606:2800:220:1::1"], "linked": false})
    );
    let (status, _) = app
        .post(
            &hosts,
            json!({"host_name": "ns2.glue-api.com", "ip_addresses": ["93.184.216.35"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, again) = app
        .post(
            &hosts,
            json!({"host_name": "ns2.glue-api.com", "ip_addresses": ["93.184.216.36"]}),
        )
        .await;
    assert_error(status, &again, StatusCode::CONFLICT, "conflict");
    let (_, list) = app.get(&hosts).await;
    assert_eq!(list["count"], 2, "{list}");
    assert_eq!(list["results"][0]["host_name"], "ns1.glue-api.com");
    assert_eq!(list["results"][1]["ip_addresses"], json!(["93.184.216.35"]));
    let (status, one) = app.get(&ns1).await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["ip_addresses"][1], "2606:2800:220:1::1");
    let (status, _) = app.get(&api(&paths::host(id, "ns9.glue-api.com"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.get(&api(&paths::host(id, "ns1.elsewhere.net"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Change the addresses; a bad one changes nothing.
    let (status, err) = app.put(&ns1, json!({"ip_addresses": ["10.0.0.53"]})).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "invalid_fields");
    let (status, host) = app
        .put(&ns1, json!({"ip_addresses": ["93.184.216.40"]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{host}");
    assert_eq!(host["ip_addresses"], json!(["93.184.216.40"]));
    let (_, one) = app.get(&ns1).await;
    assert_eq!(one["ip_addresses"], json!(["93.184.216.40"]), "{one}");

    // Another account's domain is a 404 on every method, and changes
    // nothing.
    let (_, other) = app.new_account("other@example.com", 100_00).await;
    for (method, path, body) in [
        (Method::GET, hosts.clone(), None),
        (
            Method::POST,
            hosts.clone(),
            Some(json!({"host_name": "ns3.glue-api.com", "ip_addresses": ["93.184.216.37"]})),
        ),
        (Method::GET, ns1.clone(), None),
        (
            Method::PUT,
            ns1.clone(),
            Some(json!({"ip_addresses": ["93.184.216.38"]})),
        ),
        (Method::DELETE, ns1.clone(), None),
    ] {
        let (status, err) = app
            .request_as(Some(&other), method.clone(), &path, body)
            .await;
        assert_error(status, &err, StatusCode::NOT_FOUND, "not_found");
    }
    let (_, list) = app.get(&hosts).await;
    assert_eq!(list["count"], 2, "{list}");
    assert_eq!(list["results"][0]["ip_addresses"], json!(["93.184.216.40"]));

    // The domain's nameservers name its own hosts now.
    let (status, body) = app
        .put_domain(
            id,
            json!({"nameservers": ["ns1.glue-api.com", "ns2.glue-api.com"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, detail) = app.domain(id).await;
    assert_eq!(
        detail["nameservers"],
        json!(["ns1.glue-api.com", "ns2.glue-api.com"]),
        "{detail}"
    );
    let (_, one) = app.get(&ns1).await;
    assert_eq!(one["linked"], true, "{one}");

    // A linked host is kept; unlinked, it goes.
    let (status, err) = app.delete(&ns1).await;
    assert_error(status, &err, StatusCode::BAD_REQUEST, "host_in_use");
    let (status, _) = app.get(&ns1).await;
    assert_eq!(status, StatusCode::OK, "still there");
    let (status, body) = app
        .put_domain(
            id,
            json!({"nameservers": ["ns2.glue-api.com", "ns1.vps.org"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = app.delete(&ns1).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get(&ns1).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.delete(&ns1).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app.get(&hosts).await;
    assert_eq!(list["count"], 1, "{list}");

    // Each change of a host is in the account's audit log, with its
    // addresses before and after.
    let (_, log) = app
        .get(&format!("{}?page_size=100", api(paths::AUDIT)))
        .await;
    let entries: Vec<&serde_json::Value> = log["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|e| e["action"].as_str().is_some_and(|a| a.starts_with("host.")))
        .collect();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    assert!(actions.contains(&"host.create"), "{actions:?}");
    assert!(actions.contains(&"host.update"), "{actions:?}");
    assert_eq!(
        actions.first(),
        Some(&"host.delete"),
        "newest first: {actions:?}"
    );
    assert_eq!(
        entries[0]["changes"]["host_name"][0], "ns1.glue-api.com",
        "{}",
        entries[0]
    );
}

/// What the race ended with: the update's answer, and the host and the
/// name's nameservers as the registry has them after both.
struct Outcome {
    updated: bool,
    host_kept: bool,
    delegates: bool,
}

/// A registrar over EPP (what `serve-epp` acts as) changes a name to
/// delegate to its host while the same host is deleted. The update is
/// made to wait on a lock of the name's row taken by another connection
/// (a second process, on SQLite) after the update has started, and the
/// delete starts meanwhile. Whatever the order, a name never delegates to
/// a host that is gone: the update is refused, or the delete is.
async fn update_naming_a_host_races_its_delete(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let store = app.app.store.clone();
    let delay = chrono::Duration::days(5);
    let now = app.now();
    let sponsor = SandboxRegistry::acting_as(store.clone(), "registrar-x", delay);
    // A create naming a host that is not there is refused, nothing made
    // (the check and the insert one transaction too).
    let nowhere = ["ns1.nowhere-glue.net".to_owned()];
    match sponsor
        .create_with("race-create.com", 1, &nowhere, "Race-auth-1", false, now)
        .await
    {
        Err(RegistryError::Refused { code: 2303, .. }) => {}
        other => panic!("a missing host is refused (2303): {other:?}"),
    }
    assert!(store
        .registry_get("race-create.com")
        .await
        .expect("read")
        .is_none());
    sponsor
        .create_with("race-glue.com", 1, &[], "Race-auth-1", false, now)
        .await
        .expect("created");
    // A host that does not exist is refused outright, nothing changed.
    let missing = ["ns1.race-glue.com".to_owned()];
    match sponsor
        .update("race-glue.com", Some(&missing), None, now)
        .await
    {
        Err(RegistryError::Refused { code: 2303, .. }) => {}
        other => panic!("a missing host is refused (2303): {other:?}"),
    }
    let ips = ["93.184.216.34".parse().expect("ip")];
    let mut outcomes = Vec::new();
    for round in 0..4 {
        let host = format!("ns{round}.race-glue.com");
        sponsor
            .host_create(&host, &ips, now)
            .await
            .expect("host created");
        // The delete runs on its own store (its own process on SQLite).
        let other = vpsd_storage::connect(&app.database_url)
            .await
            .expect("second store");
        let deleter = SandboxRegistry::acting_as(other, "registrar-x", delay);
        let lock = hold_the_name(backend, &app.database_url, "race-glue.com").await;
        let updater = sponsor.clone();
        let ns = vec![host.clone()];
        let update =
            tokio::spawn(
                async move { updater.update("race-glue.com", Some(&ns), None, now).await },
            );
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let h = host.clone();
        let delete = tokio::spawn(async move { deleter.host_delete(&h, now).await });
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        release(lock).await;
        let updated = update.await.expect("update task");
        let deleted = delete.await.expect("delete task");
        let record = store
            .registry_get("race-glue.com")
            .await
            .expect("read")
            .expect("registered");
        let o = Outcome {
            updated: updated.is_ok(),
            host_kept: store
                .registry_host_get(&host)
                .await
                .expect("read")
                .is_some(),
            delegates: record.nameservers.contains(&host),
        };
        assert_eq!(o.host_kept, deleted.is_err(), "{deleted:?}");
        assert_eq!(o.delegates, o.updated, "{updated:?}");
        assert!(
            !o.delegates || o.host_kept,
            "round {round}: race-glue.com delegates to {host}, which is gone"
        );
        if o.delegates {
            // Unlink for the next round.
            sponsor
                .update("race-glue.com", Some(&[]), None, now)
                .await
                .expect("unlinked");
        }
        outcomes.push(o);
    }
    // On PostgreSQL the update waits on the name's row holding the host
    // already: the delete that came after it waits, then sees it linked.
    // (On SQLite whichever gets the database's lock first goes first.)
    if backend == Backend::Postgres {
        assert!(
            outcomes.iter().all(|o| o.updated && o.host_kept),
            "the update, first, wins every round"
        );
    }
    app.finish().await;
}

/// A lock that keeps every change of `name` waiting: on PostgreSQL its
/// row locked by another connection, on SQLite the database's write lock
/// taken by another connection (another process, as far as SQLite knows).
enum Held {
    Pg(sqlx::PgConnection),
    Sqlite(sqlx::SqliteConnection),
}

async fn hold_the_name(backend: Backend, url: &str, name: &str) -> Held {
    use sqlx::Connection;
    match backend {
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(url).await.expect("connect");
            sqlx::query("BEGIN").execute(&mut c).await.expect("begin");
            sqlx::query("SELECT name FROM registry_names WHERE name = $1 FOR UPDATE")
                .bind(name)
                .fetch_one(&mut c)
                .await
                .expect("lock");
            Held::Pg(c)
        }
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(url).await.expect("connect");
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut c)
                .await
                .expect("lock");
            Held::Sqlite(c)
        }
    }
}

async fn release(held: Held) {
    match held {
        Held::Pg(mut c) => {
            sqlx::query("COMMIT").execute(&mut c).await.expect("commit");
        }
        Held::Sqlite(mut c) => {
            sqlx::query("COMMIT").execute(&mut c).await.expect("commit");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_update_naming_a_host_races_its_delete() {
    update_naming_a_host_races_its_delete(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_update_naming_a_host_races_its_delete() {
    update_naming_a_host_races_its_delete(Backend::Postgres).await;
}
