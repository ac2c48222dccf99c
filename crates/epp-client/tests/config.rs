//! The registries file: a good one loads, and each fault is refused at
//! start with a message naming the key and the fix.

use std::path::{Path, PathBuf};

use vpsd_epp_client::config::{load, parse};

/// A folder with a client certificate, its key, a CA and a password file.
fn files() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("dir");
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = rcgen::CertificateParams::new(vec!["registrar.test".to_owned()])
        .expect("params")
        .self_signed(&key)
        .expect("cert");
    std::fs::write(dir.path().join("client.pem"), cert.pem()).expect("write");
    std::fs::write(dir.path().join("client.key"), key.serialize_pem()).expect("write");
    std::fs::write(dir.path().join("ca.pem"), cert.pem()).expect("write");
    std::fs::write(dir.path().join("password"), "s3cret-pw\n").expect("write");
    std::fs::write(dir.path().join("two-lines"), "s3cret-pw\n\n").expect("write");
    dir
}

fn good(tlds: &str) -> String {
    format!(
        r#"
[[registry]]
name = "r"
tlds = {tlds}
host = "127.0.0.1"
port = 7700
client_id = "registrar-a"
password_file = "password"
certificate = "client.pem"
key = "client.key"
ca = "ca.pem"
sessions = 2
commands_per_second = 5
"#
    )
}

fn file_in(dir: &Path) -> PathBuf {
    dir.join("registries.toml")
}

#[test]
fn a_good_file_loads_with_its_defaults_and_hides_the_password() {
    let dir = files();
    let path = file_in(dir.path());
    std::fs::write(&path, good(r#"["com", ".NET"]"#)).expect("write");
    let registries = load(&path).expect("loads");
    assert_eq!(registries.len(), 1);
    let r = &registries[0];
    assert_eq!(
        r.tlds.iter().map(|t| t.label()).collect::<Vec<_>>(),
        ["com", "net"]
    );
    assert_eq!((r.port, r.sessions, r.commands_per_second), (7700, 2, 5));
    assert_eq!(r.timeout.as_secs(), 30);
    assert_eq!(
        r.poll_interval.as_secs(),
        60,
        "an empty queue is asked every minute"
    );
    assert_eq!(
        r.password.expose(),
        "s3cret-pw",
        "the file's newline is dropped"
    );
    let shown = format!("{r:?}");
    assert!(
        !shown.contains("s3cret-pw"),
        "Debug shows no password: {shown}"
    );
    assert!(vpsd_epp_client::EppRegistry::new(registries.into_iter().next().expect("one")).is_ok());
}

#[test]
fn each_fault_names_its_key_and_the_fix() {
    let dir = files();
    let path = file_in(dir.path());
    let cases: Vec<(String, &str)> = vec![
        (
            good(r#"["com", "xyz"]"#),
            "`tlds`: .xyz is not a TLD this installation sells",
        ),
        (good("[]"), "`tlds` is empty"),
        (
            format!(
                "{}{}",
                good(r#"["com"]"#),
                good(r#"["com"]"#).replace("name = \"r\"", "name = \"s\"")
            ),
            "given to registry r already",
        ),
        (
            good(r#"["com"]"#).replace("sessions = 2", "sessions = 0"),
            "`sessions` must be 1 to 64",
        ),
        (
            good(r#"["com"]"#).replace(
                "password_file = \"password\"",
                "password_file = \"missing\"",
            ),
            "`password_file`: cannot read",
        ),
        (
            good(r#"["com"]"#).replace(
                "password_file = \"password\"",
                "password_env = \"VPSD_TEST_NO_SUCH_VAR\"",
            ),
            "VPSD_TEST_NO_SUCH_VAR is not set",
        ),
        (
            good(r#"["com"]"#).replace("key = \"client.key\"", "key = \"client.pem\""),
            "`key`: cannot read a PEM private key",
        ),
        (
            good(r#"["com"]"#).replace("sessions = 2", "sesions = 2"),
            "unknown field `sesions`",
        ),
        (
            good(r#"["com"]"#).replace("sessions = 2", "extensions = [\"launch\"]"),
            "`extensions`: launch is not one this client uses",
        ),
        (
            good(r#"["com"]"#).replace("sessions = 2", "extensions = [\"secDNS\"]"),
            "`extensions`: secDNS is not carried by this client yet",
        ),
        (
            good(r#"["com"]"#).replace("client_id = \"registrar-a\"", "client_id = \"ab\""),
            "`client_id` must be",
        ),
        (
            good(r#"["com"]"#)
                .replace("client_id = \"registrar-a\"", "client_id = \"registrar a\""),
            "`client_id` must be",
        ),
        (String::new(), "names no registry"),
        (
            good(r#"["com"]"#).replace(
                "password_file = \"password\"",
                "password_file = \"two-lines\"",
            ),
            "holds a line break",
        ),
        (
            good(r#"["com"]"#).replace("sessions = 2", "poll_seconds = 86400"),
            "`poll_seconds` must be at most 3600",
        ),
        ("[[registry]\n".to_owned(), "not a valid registries file"),
        (
            good(r#"["com"]"#).replace("ca = \"ca.pem\"", ""),
            "`ca` is missing",
        ),
    ];
    for (text, expected) in cases {
        let err = parse(&path, &text).expect_err(expected).to_string();
        assert!(err.contains(expected), "{expected:?} not in {err:?}");
        assert!(
            err.starts_with(&path.display().to_string()),
            "names the file: {err}"
        );
        assert!(!err.contains("s3cret-pw"), "no password in {err}");
    }
}

#[test]
fn a_short_password_is_refused_as_rfc_5730_says() {
    let dir = files();
    std::fs::write(dir.path().join("password"), "abc").expect("write");
    let path = file_in(dir.path());
    let err = parse(&path, &good(r#"["com"]"#))
        .expect_err("short")
        .to_string();
    assert!(err.contains("6 to 16 characters"), "{err}");
}

/// `contacts`: "none" by default (a thin registry), "required" for a thick
/// one; anything else is refused naming the key and both values.
#[test]
fn contacts_are_none_required_or_refused() {
    use vpsd_epp_client::ContactPolicy;
    let dir = files();
    let path = file_in(dir.path());
    std::fs::write(&path, good(r#"["com"]"#)).expect("write");
    assert_eq!(load(&path).expect("loads")[0].contacts, ContactPolicy::None);
    let with = |value: &str| format!("{}contacts = {value}\n", good(r#"["org"]"#));
    std::fs::write(&path, with(r#""required""#)).expect("write");
    assert_eq!(
        load(&path).expect("loads")[0].contacts,
        ContactPolicy::Required
    );
    std::fs::write(&path, with(r#""thick""#)).expect("write");
    let err = load(&path).expect_err("refused").to_string();
    assert!(
        err.contains("`contacts`") && err.contains("required") && err.contains("none"),
        "{err}"
    );
}
