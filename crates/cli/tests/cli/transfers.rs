//! Transfers through `vps`: a rejected transfer in, the auth code, and
//! answering a transfer out.

use std::time::Duration;

use crate::helpers::{held_elsewhere, server, server_with, vps};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_transfer_ends_the_wait_with_its_own_code() {
    let s = server_with(Duration::from_secs(1), Duration::from_secs(3600)).await;
    held_elsewhere(&s, "cli-refused.org", "Code-9").await;
    vps(&s, &["domains", "import", "cli-refused.org"])
        .await
        .ok();
    let waiting = vps(
        &s,
        &[
            "domains",
            "transfer",
            "cli-refused.org",
            "--auth-code",
            "Code-9",
            "--wait",
        ],
    );
    let reject = async {
        // The losing registrar says no while vps waits.
        loop {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if s.app
                .registrar
                .transfer_in_rejected(&s.app.registry, "cli-refused.org")
                .await
                .is_ok()
            {
                break;
            }
        }
    };
    let (r, ()) = tokio::join!(waiting, reject);
    assert_eq!(r.code, 10, "{}", r.stderr);
    assert!(
        r.stderr.contains("ended rejected") && r.stderr.contains("refunded"),
        "{}",
        r.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_code_and_answering_a_transfer_out() {
    let s = server(Duration::from_secs(1)).await;
    vps(&s, &["domains", "register", "cli-out.com", "--wait"])
        .await
        .ok();
    vps(
        &s,
        &["domains", "update", "cli-out.com", "--locked", "false"],
    )
    .await
    .ok();
    let code = vps(&s, &["domains", "auth-code", "cli-out.com"])
        .await
        .ok()
        .stdout;
    let code = code.trim().to_owned();
    assert_eq!(code.len(), 16, "{code}");
    let fresh = vps(
        &s,
        &["--json", "domains", "auth-code", "cli-out.com", "--new"],
    )
    .await
    .ok()
    .json();
    let fresh = fresh["auth_code"].as_str().expect("code").to_owned();
    assert_ne!(fresh, code);

    // Nothing to answer yet.
    let r = vps(&s, &["domains", "transfer-out", "approve", "cli-out.com"]).await;
    assert_eq!(r.code, 4, "{}", r.stderr);

    // Another registrar asks, 61 days on; the owner sees it and refuses.
    s.clock.advance(chrono::Duration::days(61));
    s.app
        .registrar
        .request_transfer_out(
            &s.app.registry,
            "Gaining Registrar Ltd",
            "cli-out.com",
            &fresh,
        )
        .await
        .expect("asked");
    let shown = vps(&s, &["domains", "get", "cli-out.com"])
        .await
        .ok()
        .stdout;
    assert!(
        shown.contains("pending to Gaining Registrar Ltd"),
        "{shown}"
    );
    let answer = vps(
        &s,
        &["--json", "domains", "transfer-out", "reject", "cli-out.com"],
    )
    .await
    .ok()
    .json();
    assert_eq!(answer["transfer_out"]["status"], "rejected");

    // Asked again and let go: the domain leaves the account.
    s.app
        .registrar
        .request_transfer_out(
            &s.app.registry,
            "Gaining Registrar Ltd",
            "cli-out.com",
            &fresh,
        )
        .await
        .expect("asked again");
    let r = vps(&s, &["domains", "transfer-out", "approve", "cli-out.com"])
        .await
        .ok();
    assert!(r.stderr.contains("approved"), "{}", r.stderr);
    let r = vps(&s, &["domains", "get", "cli-out.com"]).await;
    assert_eq!(r.code, 3, "{}", r.stderr);
}
