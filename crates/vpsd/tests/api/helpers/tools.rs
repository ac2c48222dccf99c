//! External tools the tests run (dig, postfix, schemathesis, ...): found
//! on `PATH`, or a failure naming the package that provides them.

use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Where a package provides a tool: the package's name and whether it is a
/// Debian package or one of PyPI's, for the message of [`require_tool`].
#[derive(Debug, Clone, Copy)]
pub enum Package {
    Debian(&'static str),
    PyPi(&'static str),
    /// A crate's binaries, as `cargo install` takes it (name and flags).
    Cargo(&'static str),
}

impl std::fmt::Display for Package {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Package::Debian(name) => {
                write!(f, "the Debian package {name} (apt-get install {name})")
            }
            Package::PyPi(name) => write!(f, "the PyPI package {name} (pip install {name})"),
            Package::Cargo(name) => write!(f, "the crate's binaries (cargo install {name})"),
        }
    }
}

/// The path of `program` on `PATH`; panics, naming the package that
/// provides it, when it is not there (instead of an opaque "No such file"
/// from the spawn).
pub fn require_tool(program: &str, package: Package) -> PathBuf {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .map(|dir| dir.join(program))
        .find(|path| std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.mode() & 0o111 != 0))
        .unwrap_or_else(|| {
            panic!("this test needs `{program}`, which is not on PATH: install {package}")
        })
}

/// Checks that `python3` can import `module`; panics naming the package
/// that provides it otherwise.
pub fn require_python_module(module: &str, package: Package) {
    let python = require_tool("python3", Package::Debian("python3"));
    let ok = Command::new(python)
        .args(["-c", &format!("import {module}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "this test needs the Python module `{module}`, which python3 cannot import: install {package}"
    );
}

#[test]
#[should_panic(expected = "install the Debian package no-such-package")]
fn a_missing_tool_names_its_package() {
    require_tool(
        "no-such-tool-for-vpsd-tests",
        Package::Debian("no-such-package"),
    );
}

#[test]
#[should_panic(expected = "install the PyPI package no-such-module (pip install no-such-module)")]
fn a_missing_python_module_names_its_package() {
    require_python_module(
        "no_such_module_for_vpsd_tests",
        Package::PyPi("no-such-module"),
    );
}

#[test]
fn a_present_tool_is_found() {
    assert!(require_tool("sh", Package::Debian("dash")).is_absolute());
}

/// Runs the Python `script` with `args` and `stdin`, after checking that
/// `module` imports (`package` provides it): its standard output, or its
/// standard error when it fails.
pub fn python(
    script: &str,
    args: &[&str],
    stdin: &str,
    module: &str,
    package: Package,
) -> Result<String, String> {
    use std::io::Write;
    require_python_module(module, package);
    let mut child = Command::new(require_tool("python3", Package::Debian("python3")))
        .arg("-c")
        .arg(script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("python3");
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}
