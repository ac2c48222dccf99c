//! `bench/run.sh` stops the PostgreSQL server it started on every way out:
//! its end, SIGTERM and SIGINT. Runs the script's setup part (`--setup-only`:
//! the throwaway cluster) for real and looks for what is left.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/run.sh")
}

/// Processes whose command line mentions `dir`, with theirs.
fn processes_under(dir: &Path) -> Vec<String> {
    let needle = dir.to_string_lossy().into_owned();
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if let Ok(cmd) = std::fs::read(entry.path().join("cmdline")) {
            let cmd = String::from_utf8_lossy(&cmd).replace('\0', " ");
            if cmd.contains(&needle) {
                found.push(format!("{}: {cmd}", name.to_string_lossy()));
            }
        }
    }
    found
}

fn alive(pid: u32) -> bool {
    // A zombie is gone for our purpose: it holds nothing.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| !s.contains(") Z "))
        .unwrap_or(false)
}

/// Starts the setup part holding for `hold` seconds, waits for `ready`, and
/// returns the script, its temporary directory's parent and the postmaster's pid.
fn start(hold: u32) -> (Child, tempfile::TempDir, u32) {
    let parent = tempfile::tempdir().expect("tempdir");
    // The cluster's owner (`postgres` when run as root) must reach it.
    std::fs::set_permissions(parent.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let mut child = Command::new("bash")
        .arg(script())
        .arg("--setup-only")
        .env("TMPDIR", parent.path())
        .env("BENCH_HOLD", hold.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run bench/run.sh");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("read");
    assert_eq!(line.trim(), "ready", "the setup did not come up");
    let work = std::fs::read_dir(parent.path())
        .expect("read tempdir")
        .flatten()
        .next()
        .expect("the script's work directory")
        .path();
    let pid = std::fs::read_to_string(work.join("pg/postmaster.pid"))
        .expect("postmaster.pid")
        .lines()
        .next()
        .and_then(|l| l.trim().parse().ok())
        .expect("a pid");
    assert!(alive(pid), "postmaster {pid} is not running");
    (child, parent, pid)
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(Instant::now() < deadline, "bench/run.sh did not exit");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn assert_nothing_left(parent: &Path, postmaster: u32) {
    if alive(postmaster) {
        // Stop it (immediate shutdown) so a failure leaves nothing behind.
        let _ = Command::new("kill")
            .args(["-QUIT", &postmaster.to_string()])
            .status();
        panic!("postmaster {postmaster} still ran after bench/run.sh exited");
    }
    let left = processes_under(parent);
    assert!(left.is_empty(), "left running: {left:?}");
    let files: Vec<_> = std::fs::read_dir(parent).expect("read").flatten().collect();
    assert!(files.is_empty(), "work directory left: {files:?}");
}

#[test]
fn stops_its_postgres_on_every_exit() {
    // Its own end.
    let (mut child, parent, pm) = start(1);
    assert!(wait_exit(&mut child).success());
    assert_nothing_left(parent.path(), pm);
    // A signal to the script alone (as `kill` sends it), while it waits.
    for (signal, code) in [("TERM", 143), ("INT", 130), ("HUP", 129)] {
        let (mut child, parent, pm) = start(300);
        let sent = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .expect("kill");
        assert!(sent.success());
        let status = wait_exit(&mut child);
        assert_eq!(status.code(), Some(code), "{signal}");
        assert_nothing_left(parent.path(), pm);
    }
}
