//! `vps login`: where the token comes from, and how it is kept.

use std::time::Duration;

use serde_json::Value;

use crate::helpers::{server, vps_as};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_keeps_a_checked_token_for_its_owner_only() {
    let s = server(Duration::from_secs(1)).await;
    let config = s.dir.path().join("vps.toml");

    // A wrong token is refused and not kept.
    let r = vps_as(&s, None, &["login", "--with-token", "vps_wrong"]).await;
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(!config.exists());

    // The token from standard input, as `echo $T | vps login` gives it.
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_vps"));
    cmd.args(["login", "--api-url", &s.base])
        .env("VPS_CONFIG", &config)
        .env_remove("VPS_API_TOKEN")
        .env_remove("VPS_API_URL")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    {
        use tokio::io::AsyncWriteExt;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(format!("{}\n", s.token).as_bytes())
            .await
            .expect("write");
    }
    let out = child.wait_with_output().await.expect("login");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&config)
            .expect("config")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Later commands need nothing else.
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_vps"));
    let out = cmd
        .args(["--json", "account"])
        .env("VPS_CONFIG", &config)
        .env_remove("VPS_API_TOKEN")
        .env_remove("VPS_API_URL")
        .output()
        .await
        .expect("account");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let account: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(account["email"], "cli@example.com");

    // Logged out: the token is gone from the file.
    let r = vps_as(&s, None, &["logout"]).await.ok();
    assert!(r.stderr.contains("Forgot"));
    let text = std::fs::read_to_string(&config).expect("config");
    assert!(!text.contains(&s.token), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_takes_the_token_from_the_flag_then_the_environment_then_stdin() {
    let s = server(Duration::from_secs(1)).await;
    let config = s.dir.path().join("vps.toml");

    // --token, as for every other command.
    let r = vps_as(&s, None, &["login", "--token", &s.token]).await.ok();
    assert!(r.stderr.contains("Logged in"), "{}", r.stderr);
    let text = std::fs::read_to_string(&config).expect("config");
    assert!(text.contains(&s.token), "{text}");
    vps_as(&s, None, &["logout"]).await.ok();

    // VPS_API_TOKEN (standard input is empty here).
    let r = vps_as(&s, Some(&s.token), &["login"]).await.ok();
    assert!(r.stderr.contains("Logged in"), "{}", r.stderr);
    let text = std::fs::read_to_string(&config).expect("config");
    assert!(text.contains(&s.token), "{text}");
    vps_as(&s, None, &["logout"]).await.ok();

    // None of the three: the message names them all.
    let r = vps_as(&s, None, &["login"]).await;
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(
        r.stderr.contains("--token") && r.stderr.contains("VPS_API_TOKEN"),
        "{}",
        r.stderr
    );
    let text = std::fs::read_to_string(&config).expect("config");
    assert!(!text.contains(&s.token), "{text}");
}
