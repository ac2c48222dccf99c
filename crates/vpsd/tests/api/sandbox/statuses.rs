//! The embedded sandbox registry's server statuses (RFC 5731 §2.3), set by
//! its operator (`vpsd registry status set|clear`) on a name of this
//! installation's own registrar: the domain follows at once (no poll queue
//! to read), the detail shows them, the owner is mailed about a hold, a
//! change the registry would refuse is refused, and the registry itself
//! refuses it too (2304).

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

use super::*;

crate::both!(the_embedded_registrys_statuses_are_followed);

async fn the_embedded_registrys_statuses_are_followed(app: &TestApp) {
    let id = app.active("held-here.com").await;

    let op = vpsd(
        app,
        &["registry", "status", "set", "held-here.com", "clientHold"],
    )
    .await;
    assert!(!op.ok, "not a server status");
    assert!(op.stderr.contains("serverHold"), "{}", op.stderr);

    let op = vpsd(
        app,
        &[
            "registry",
            "status",
            "set",
            "held-here.com",
            "serverHold",
            "serverUpdateProhibited",
        ],
    )
    .await;
    assert!(op.ok, "{}", op.stderr);
    let d = detail(app, id).await;
    assert_eq!(
        d["registry_statuses"],
        json!(["serverHold", "serverUpdateProhibited"]),
        "{d}"
    );
    assert!(
        outbox(app).await.contains("put on hold by its registry"),
        "the owner is mailed"
    );
    let op = vpsd(app, &["registry", "show", "held-here.com"]).await;
    assert!(op.stdout.contains("serverHold"), "{}", op.stdout);

    let (status, e) = app
        .put_domain(
            id,
            json!({"nameservers": ["ns1.elsewhere.net", "ns2.elsewhere.net"]}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["code"], "registry_prohibits", "{e}");
    // The registry itself refuses it too (EPP 2304).
    let refused = vpsd_registry::Registry::update(
        &app.app.registry,
        "held-here.com",
        Some(&[
            "ns1.elsewhere.net".to_owned(),
            "ns2.elsewhere.net".to_owned(),
        ]),
        None,
        chrono::Utc::now(),
    )
    .await;
    assert!(
        matches!(
            refused,
            Err(vpsd_registry::RegistryError::StatusProhibits(_))
        ),
        "{refused:?}"
    );

    let op = vpsd(
        app,
        &[
            "registry",
            "status",
            "clear",
            "held-here.com",
            "serverHold",
            "serverUpdateProhibited",
        ],
    )
    .await;
    assert!(op.ok, "{}", op.stderr);
    assert_eq!(detail(app, id).await["registry_statuses"], json!([]));
    let (status, d) = app
        .put_domain(
            id,
            json!({"nameservers": ["ns1.elsewhere.net", "ns2.elsewhere.net"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
}
