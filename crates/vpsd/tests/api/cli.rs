//! The operator's commands, run as the real binary against the test's
//! database (through VPSD_DATABASE_URL and --database).

use std::process::Command;

use crate::helpers::TestApp;

mod commands;
mod demo;
mod serve;

fn vpsd(app: &TestApp, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpsd"))
        .args(args)
        .env("VPSD_DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run vpsd");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
