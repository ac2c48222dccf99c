//! `vps` in a shell: completions for the commands, a quiet end when its
//! standard output is closed.

use std::time::Duration;

use crate::helpers::{server, vps, Server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_cover_the_commands() {
    let s = server(Duration::from_secs(1)).await;
    for shell in ["bash", "zsh", "fish"] {
        let r = vps(&s, &["completions", shell]).await.ok();
        for word in [
            "domains",
            "email-forwards",
            "url-forwards",
            "register",
            "records",
        ] {
            assert!(r.stdout.contains(word), "{shell} lacks {word}");
        }
    }
}

/// Runs `vps` with its standard output a pipe nobody reads any more.
async fn vps_into_closed_pipe(s: &Server, args: &[&str]) -> std::process::Output {
    let (writer, reader) = tokio::net::unix::pipe::pipe().expect("pipe");
    drop(reader);
    let writer = writer.into_blocking_fd().expect("fd");
    tokio::process::Command::new(env!("CARGO_BIN_EXE_vps"))
        .args(args)
        .env("VPS_API_URL", &s.base)
        .env("VPS_API_TOKEN", &s.token)
        .env("VPS_CONFIG", s.dir.path().join("vps.toml"))
        .stdout(std::process::Stdio::from(writer))
        .stderr(std::process::Stdio::piped())
        .output()
        .await
        .expect("run vps")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_stdout_ends_any_command_quietly() {
    let s = server(Duration::from_secs(1)).await;
    vps(&s, &["domains", "register", "cli-pipe.com", "--wait"])
        .await
        .ok();
    for args in [
        &["completions", "bash"][..],
        &["completions", "zsh"],
        &["pricing"],
        &["--json", "pricing"],
        &["domains", "list"],
        &["domains", "get", "cli-pipe.com"],
        &["domains", "auth-code", "cli-pipe.com"],
        &["--json", "account", "transactions"],
        &["--help"],
    ] {
        let out = vps_into_closed_pipe(&s, args).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}
