//! What `vps` refuses before asking the API (exit 2): an update without a
//! change, a new record missing flags, an API address without a scheme.

use std::time::Duration;

use crate::helpers::{server, vps_bare};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_without_a_change_names_the_flags_without_asking_the_api() {
    let s = server(Duration::from_secs(1)).await;
    // Nothing listens at this address: reaching it would exit 8.
    let nowhere = ["--api-url", "http://127.0.0.1:9", "--token", "vps_x"];
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["domains", "update", "cli-x.com"],
            &["--auto-renew", "--privacy", "--locked", "--nameserver"],
        ),
        (
            &["dns", "records", "update", "cli-x.com", "1"],
            &["--name", "--type", "--content", "--ttl", "--priority"],
        ),
        (
            &["email-forwards", "update", "cli-x.com", "1"],
            &["--alias", "--destination"],
        ),
        (
            &["url-forwards", "update", "cli-x.com", "1"],
            &["--host", "--target", "--status-code", "--keep-path"],
        ),
    ];
    for (args, flags) in cases {
        let all: Vec<&str> = nowhere.iter().chain(args.iter()).copied().collect();
        let r = vps_bare(&s, &all).await;
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        for flag in *flags {
            assert!(
                r.stderr.contains(flag),
                "{args:?} lacks {flag}: {}",
                r.stderr
            );
        }
        assert!(!r.stderr.contains("auto_renew"), "{}", r.stderr);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_record_names_every_missing_flag_at_once_without_asking_the_api() {
    let s = server(Duration::from_secs(1)).await;
    let nowhere = ["--api-url", "http://127.0.0.1:9", "--token", "vps_x"];
    let cases: &[(&[&str], &[&str])] = &[
        (&[], &["--type", "--content"]),
        (&["--type", "MX"], &["--content", "--priority"]),
        (
            &["--type", "srv", "--content", "5 5060 sip.example.net"],
            &["--priority"],
        ),
        (
            &["--type", "A", "--content", "192.0.2.1", "--priority", "10"],
            &["--priority"],
        ),
        (&["--type", "SPF", "--content", "x"], &["--type SPF"]),
    ];
    for (flags, missing) in cases {
        let mut all: Vec<&str> = nowhere.to_vec();
        all.extend(["dns", "records", "add", "cli-x.com"]);
        all.extend(flags.iter());
        let r = vps_bare(&s, &all).await;
        assert_eq!(r.code, 2, "{flags:?}: {}", r.stderr);
        for m in *missing {
            assert!(r.stderr.contains(m), "{flags:?} lacks {m}: {}", r.stderr);
        }
    }
    // The default name is said where the flag is described.
    let help = vps_bare(&s, &["dns", "records", "add", "--help"])
        .await
        .ok()
        .stdout;
    let name_line = help
        .lines()
        .find(|l| l.trim_start().starts_with("--name"))
        .expect("--name in help");
    assert!(
        name_line.contains("@ (the zone's apex) if not given"),
        "{help}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_url_without_a_scheme_gets_one_suggested() {
    let s = server(Duration::from_secs(1)).await;
    let bare = s.base.trim_start_matches("http://").to_owned();
    for given in [bare.as_str(), "localhost:8080"] {
        let r = vps_bare(&s, &["--api-url", given, "--token", "vps_x", "account"]).await;
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(
            r.stderr.contains(&format!("did you mean http://{given}")),
            "{}",
            r.stderr
        );
    }
}
