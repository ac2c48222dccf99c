//! How `vps` tells failures apart: exit codes, the API's field errors and
//! hints said in `vps` terms, an unreachable API.

use std::time::Duration;

use crate::helpers::{account, held_elsewhere, server, vps, vps_as, vps_bare};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_codes_tell_failures_apart() {
    // Registrations take an hour here, so --wait gives up.
    let s = server(Duration::from_secs(3600)).await;

    let r = vps(&s, &["domains", "get", "999"]).await;
    assert_eq!(r.code, 3, "{}", r.stderr);
    let r = vps(&s, &["domains", "get", "not-mine.com"]).await;
    assert_eq!(r.code, 3, "{}", r.stderr);

    // Refused, with the API's own sentence and each field's message.
    let r = vps(&s, &["domains", "register", "bad..name.com"]).await;
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("not a valid domain name"), "{}", r.stderr);
    let r = vps(
        &s,
        &[
            "domains",
            "register",
            "two-ns.com",
            "--nameserver",
            "ns1.example.net",
        ],
    )
    .await;
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(r.stderr.contains("--nameserver:"), "{}", r.stderr);

    let r = vps_as(&s, Some("vps_wrong"), &["account"]).await;
    assert_eq!(r.code, 5, "{}", r.stderr);
    let r = vps_as(&s, None, &["account"]).await;
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(r.stderr.contains("vps login"), "{}", r.stderr);

    let poor = account(&s.app, "poor@example.com", 5_00).await;
    let r = vps_as(&s, Some(&poor), &["domains", "register", "too-dear.com"]).await;
    assert_eq!(r.code, 6, "{}", r.stderr);
    assert!(r.stderr.contains("$12.99"), "{}", r.stderr);

    let r = vps(&s, &["domains", "register"]).await;
    assert_eq!(r.code, 2, "{}", r.stderr);

    let r = vps(
        &s,
        &[
            "domains",
            "register",
            "slow-one.com",
            "--wait",
            "--wait-timeout",
            "1",
        ],
    )
    .await;
    assert_eq!(r.code, 9, "{}", r.stderr);
    assert!(r.stderr.contains("still pending"), "{}", r.stderr);

    // Nothing answers here.
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_vps"));
    let out = cmd
        .args([
            "--api-url",
            "http://127.0.0.1:9",
            "--token",
            "vps_x",
            "account",
        ])
        .env("VPS_CONFIG", s.dir.path().join("none.toml"))
        .output()
        .await
        .expect("run");
    assert_eq!(out.status.code(), Some(8));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn field_errors_are_said_once_with_the_flags_that_set_them() {
    let s = server(Duration::from_secs(1)).await;
    // One field at fault: its message once, under its flag.
    let r = vps(
        &s,
        &[
            "domains",
            "register",
            "cli-one-ns.com",
            "--nameserver",
            "ns1.example.net",
        ],
    )
    .await;
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("Give between 2 and 4").count(),
        1,
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--nameserver:"), "{}", r.stderr);

    // Several: each once.
    vps(&s, &["domains", "register", "cli-fields.com", "--wait"])
        .await
        .ok();
    let r = vps(
        &s,
        &[
            "dns",
            "records",
            "add",
            "cli-fields.com",
            "--type",
            "A",
            "--content",
            "not-an-address",
            "--ttl",
            "5",
        ],
    )
    .await;
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert_eq!(r.stderr.matches("TTL must be").count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("--ttl:") && r.stderr.contains("--content:"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("See errors"), "{}", r.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hints_name_the_vps_command_not_the_http_request() {
    let s = server(Duration::from_secs(1)).await;
    vps(&s, &["domains", "register", "cli-hint.com", "--wait"])
        .await
        .ok();
    held_elsewhere(&s, "cli-held.org", "Held-1").await;
    let cases: &[(&[&str], Option<&str>, &str)] = &[
        // 401: the way to give a token.
        (&["account"], Some("vps_wrong"), "run `vps login`"),
        // Nothing to restore: renew instead.
        (
            &["domains", "restore", "cli-hint.com"],
            None,
            "`vps domains renew cli-hint.com`",
        ),
        // Held elsewhere: import it.
        (
            &["domains", "register", "cli-held.org"],
            None,
            "`vps domains import cli-held.org`",
        ),
        // Unknown ids: list them.
        (
            &["dns", "records", "get", "cli-hint.com", "999"],
            None,
            "`vps dns records list cli-hint.com`",
        ),
        (
            &["email-forwards", "get", "cli-hint.com", "999"],
            None,
            "(`vps email-forwards list cli-hint.com` lists them)",
        ),
        (&["domains", "get", "999"], None, "`vps domains list`"),
    ];
    for (args, token, hint) in cases {
        let r = vps_as(&s, Some(token.unwrap_or(&s.token)), args).await;
        assert_ne!(r.code, 0, "{args:?}");
        assert!(r.stderr.contains(hint), "{args:?}: {}", r.stderr);
        for http in ["/api/v1", "Authorization", "Bearer", "POST ", "GET "] {
            assert!(!r.stderr.contains(http), "{args:?}: {}", r.stderr);
        }
    }

    // A domain held elsewhere: its settings wait for the transfer, in flags.
    vps(&s, &["domains", "import", "cli-held.org"]).await.ok();
    let r = vps(
        &s,
        &["domains", "update", "cli-held.org", "--locked", "false"],
    )
    .await;
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(
        r.stderr.contains("only --auto-renew can change")
            && r.stderr
                .contains("`vps domains transfer cli-held.org --auth-code CODE`"),
        "{}",
        r.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_api_says_where_and_why() {
    let s = server(Duration::from_secs(1)).await;
    // A listener that never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let silent = format!("http://{}", silent.local_addr().expect("addr"));
    let tls_to_plain = s.base.replace("http://", "https://");
    let cases = [
        ("http://127.0.0.1:9", "connection refused"),
        ("http://no-such-host.invalid", "does not resolve"),
        (tls_to_plain.as_str(), "TLS handshake failed"),
        (silent.as_str(), "timed out"),
    ];
    for (url, why) in cases {
        let r = vps_bare(
            &s,
            &[
                "--api-url",
                url,
                "--token",
                "vps_x",
                "--timeout",
                "2",
                "account",
            ],
        )
        .await;
        assert_eq!(r.code, 8, "{url}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!("cannot reach the API at {url}")) && r.stderr.contains(why),
            "{url}: {}",
            r.stderr
        );
    }
}
