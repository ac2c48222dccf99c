//! The operator's registries file (`vpsd serve --registries FILE`): which
//! TLDs go to which real registry over EPP, and how to reach and log in to
//! it.
//!
//! ```toml
//! [[registry]]
//! name = "verisign"                 # a label for logs and messages
//! tlds = ["com", "net"]
//! host = "epp.example-registry.net"
//! port = 700                        # RFC 5734's port, the default
//! client_id = "myregistrar"         # EPP clID
//! password_file = "/etc/vpsd/verisign.password"   # or password_env = "VAR"
//! certificate = "/etc/vpsd/client.pem"            # client certificate chain (PEM)
//! key = "/etc/vpsd/client.key"                    # its private key (PEM)
//! ca = "/etc/vpsd/registry-ca.pem"  # the CA(s) that sign the server's certificate
//! sessions = 2                      # at most this many EPP sessions at once
//! commands_per_second = 10
//! timeout_seconds = 30              # one command's answer
//! keepalive_seconds = 600           # <hello> on a session idle this long
//! poll_seconds = 60                 # ask for poll messages this often when the queue was empty
//! extensions = []                   # rgp, fee and changePoll are used whenever announced
//! contacts = "none"                 # "required" for a thick registry (.org): contacts sent
//! ```
//!
//! Every fault is found at start, before anything is served, and named by
//! its key with the fix ([`ConfigError`]).

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde::Deserialize;
use vpsd_domain::Tld;

/// RFC 5734 §2: the port assigned to EPP over TCP.
pub const EPP_PORT: u16 = 700;

/// A fault in the registries file, naming the key and what to do.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ConfigError {
    file: String,
    message: String,
}

impl ConfigError {
    fn new(file: &Path, message: impl Into<String>) -> Self {
        Self {
            file: file.display().to_string(),
            message: message.into(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistriesToml {
    #[serde(default)]
    registry: Vec<RegistryToml>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryToml {
    name: String,
    tlds: Vec<String>,
    host: String,
    port: Option<u16>,
    client_id: String,
    password_file: Option<PathBuf>,
    password_env: Option<String>,
    certificate: PathBuf,
    key: PathBuf,
    ca: Option<PathBuf>,
    sessions: Option<u32>,
    commands_per_second: Option<u32>,
    timeout_seconds: Option<u64>,
    keepalive_seconds: Option<u64>,
    poll_seconds: Option<u64>,
    #[serde(default)]
    extensions: Vec<String>,
    contacts: Option<String>,
}

/// Whether a registry wants a domain's contacts (RFC 5733 objects linked by
/// RFC 5731 §2.2): the registries file's `contacts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContactPolicy {
    /// `"none"` (the default): a thin registry, sent no contacts (Verisign's
    /// .com and .net since 2024, when they stopped taking registrant data).
    #[default]
    None,
    /// `"required"`: a thick registry (PIR's .org, most gTLDs and many
    /// ccTLDs) that wants the registrant, admin, tech and billing contacts
    /// on create and update; each is a contact object made there first.
    Required,
}

/// The EPP password (RFC 5730 `<pw>`): read once, never logged, never
/// shown by `Debug`.
#[derive(Clone)]
pub struct Password(Arc<str>);

impl Password {
    /// The password itself, for the `<login>` command only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// The client's TLS identity: its certificate chain and private key.
pub struct Identity {
    /// The certificate chain, leaf first.
    pub certificates: Vec<CertificateDer<'static>>,
    /// The private key of the leaf certificate.
    pub key: PrivateKeyDer<'static>,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("certificates", &self.certificates.len())
            .field("key", &"<redacted>")
            .finish()
    }
}

/// One real registry, as the operator configured it.
#[derive(Debug)]
pub struct RegistryConfig {
    /// A label for logs and messages.
    pub name: String,
    /// The TLDs sold through it (lowercase, no dot).
    pub tlds: Vec<Tld>,
    /// Host name (or address) and port of its EPP server (RFC 5734); the
    /// server's certificate must carry this name.
    pub host: String,
    /// Its TCP port (700 by default, RFC 5734 §2).
    pub port: u16,
    /// Our login (EPP `clID`).
    pub client_id: String,
    /// Our EPP password (`<pw>`), never shown.
    pub password: Password,
    /// Our client certificate and key for the TLS handshake.
    pub identity: Identity,
    /// The CA certificates trusted to sign the registry's server
    /// certificate (required: a registry's EPP server is often signed by
    /// its own CA).
    pub ca: Vec<CertificateDer<'static>>,
    /// At most this many sessions at once (registries cap it per registrar).
    pub sessions: u32,
    /// Commands per second across all sessions.
    pub commands_per_second: u32,
    /// How long one command may take before its outcome is unknown, and
    /// opening a session.
    pub timeout: Duration,
    /// A session idle this long gets a `<hello>` so the server keeps it.
    pub keepalive: Duration,
    /// After the poll queue was found empty, how long before it is asked
    /// again (a queue with messages is drained at once).
    pub poll_interval: Duration,
    /// Extensions named in the file (`rgp` and `fee`, which are used
    /// whenever the greeting announces them anyway).
    pub extensions: Vec<String>,
    /// Whether the registry wants a domain's contacts (`contacts`).
    pub contacts: ContactPolicy,
}

/// The extensions this client knows how to use, by the names the file uses.
pub const KNOWN_EXTENSIONS: &[(&str, &str)] = &[
    ("rgp", "urn:ietf:params:xml:ns:rgp-1.0"),
    ("fee", "urn:ietf:params:xml:ns:epp:fee-1.0"),
    ("changePoll", "urn:ietf:params:xml:ns:changePoll-1.0"),
    ("namestore", instant_epp::extensions::namestore::XMLNS),
];

/// Extensions registries use that this client does not carry yet: named in
/// the file, they are refused at start rather than announced at login and
/// then left out of the commands (docs/registries.md, "Not yet done"):
/// DNSSEC data (RFC 5910), since the product signs no zones.
const NOT_YET: &[&str] = &["secDNS"];

/// Reads and checks the registries file at `path`.
///
/// # Errors
/// [`ConfigError`] naming the key at fault and the fix: unreadable file,
/// TOML syntax (with line), unknown key, a TLD this product does not sell
/// or named twice, a missing or unreadable password, certificate or key,
/// a zero session count or rate, an unknown extension.
pub fn load(path: &Path) -> Result<Vec<RegistryConfig>, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new(path, format!("cannot read the registries file: {e}")))?;
    parse(path, &text)
}

/// Parses registries file text; `path` is for messages and for resolving
/// relative file names (relative to the file's folder).
///
/// # Errors
/// As [`load`].
pub fn parse(path: &Path, text: &str) -> Result<Vec<RegistryConfig>, ConfigError> {
    let parsed: RegistriesToml = toml::from_str(text)
        .map_err(|e| ConfigError::new(path, format!("not a valid registries file: {e}")))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let mut seen: HashMap<Tld, String> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (i, r) in parsed.registry.into_iter().enumerate() {
        let at = format!("registry[{i}] ({})", r.name);
        let fail = |m: String| ConfigError::new(path, format!("{at}: {m}"));
        if r.name.trim().is_empty() {
            return Err(fail("`name` is empty: give the registry a label".into()));
        }
        if names.contains(&r.name) {
            return Err(fail(
                "`name` is used twice: give each registry its own".into(),
            ));
        }
        names.push(r.name.clone());
        if r.tlds.is_empty() {
            return Err(fail(
                "`tlds` is empty: list the TLDs this registry sells, e.g. [\"com\"]".into(),
            ));
        }
        let mut tlds = Vec::new();
        for t in &r.tlds {
            let label = t.trim().trim_start_matches('.').to_ascii_lowercase();
            let tld = Tld::from_label(&label).ok_or_else(|| {
                fail(format!(
                    "`tlds`: .{label} is not a TLD this installation sells: remove it"
                ))
            })?;
            if let Some(other) = seen.insert(tld, r.name.clone()) {
                return Err(fail(format!(
                    "`tlds`: .{label} is given to registry {other} already: name each TLD once"
                )));
            }
            tlds.push(tld);
        }
        if r.host.trim().is_empty() {
            return Err(fail(
                "`host` is empty: give the EPP server's host name".into(),
            ));
        }
        let id_len = r.client_id.chars().count();
        if !(3..=16).contains(&id_len) || r.client_id.chars().any(char::is_whitespace) {
            return Err(fail(
                "`client_id` must be the registry's login for you, 3 to 16 characters without spaces (RFC 5730 clIDType)".into(),
            ));
        }
        let password = match (&r.password_file, &r.password_env) {
            (Some(file), None) => {
                let file = base.join(file);
                let text = std::fs::read_to_string(&file).map_err(|e| {
                    fail(format!(
                        "`password_file`: cannot read {}: {e}",
                        file.display()
                    ))
                })?;
                // One trailing newline, as editors leave it; nothing else.
                let text = text.strip_suffix('\n').unwrap_or(&text);
                text.strip_suffix('\r').unwrap_or(text).to_owned()
            }
            (None, Some(var)) => std::env::var(var).map_err(|_| {
                fail(format!(
                    "`password_env`: the environment variable {var} is not set: set it to the EPP password"
                ))
            })?,
            _ => {
                return Err(fail(
                    "give exactly one of `password_file` and `password_env`".into(),
                ))
            }
        };
        if password.chars().any(char::is_control) || password.trim() != password {
            return Err(fail(
                "the EPP password holds a line break, tab or surrounding space (RFC 5730 pwType is a token): the password file must hold the password alone, with at most one trailing newline".into(),
            ));
        }
        if !(6..=16).contains(&password.chars().count()) {
            return Err(fail(
                "the EPP password must be 6 to 16 characters (RFC 5730 pwType)".into(),
            ));
        }
        let certificate = base.join(&r.certificate);
        let certificates: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(&certificate)
                .and_then(|it| it.collect::<Result<_, _>>())
                .map_err(|e| {
                    fail(format!(
                        "`certificate`: cannot read a PEM certificate from {}: {e}",
                        certificate.display()
                    ))
                })?;
        if certificates.is_empty() {
            return Err(fail(format!(
                "`certificate`: {} holds no certificate",
                certificate.display()
            )));
        }
        let key_path = base.join(&r.key);
        let key = PrivateKeyDer::from_pem_file(&key_path).map_err(|e| {
            fail(format!(
                "`key`: cannot read a PEM private key from {}: {e}",
                key_path.display()
            ))
        })?;
        let ca = match &r.ca {
            None => {
                return Err(fail(
                    "`ca` is missing: give the CA certificates (PEM) that sign the registry's server certificate; for a public CA, the system bundle such as /etc/ssl/certs/ca-certificates.crt".into(),
                ))
            }
            Some(ca) => {
                let ca = base.join(ca);
                let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&ca)
                    .and_then(|it| it.collect::<Result<_, _>>())
                    .map_err(|e| {
                        fail(format!(
                            "`ca`: cannot read PEM certificates from {}: {e}",
                            ca.display()
                        ))
                    })?;
                if certs.is_empty() {
                    return Err(fail(format!("`ca`: {} holds no certificate", ca.display())));
                }
                certs
            }
        };
        let sessions = r.sessions.unwrap_or(1);
        if sessions == 0 || sessions > 64 {
            return Err(fail(
                "`sessions` must be 1 to 64 (and no more than the registry allows you)".into(),
            ));
        }
        let commands_per_second = r.commands_per_second.unwrap_or(10);
        if commands_per_second == 0 {
            return Err(fail("`commands_per_second` must be at least 1".into()));
        }
        let timeout = r.timeout_seconds.unwrap_or(30);
        if timeout == 0 || timeout > 600 {
            return Err(fail("`timeout_seconds` must be 1 to 600".into()));
        }
        let poll = r.poll_seconds.unwrap_or(60);
        if poll > 3600 {
            return Err(fail(
                "`poll_seconds` must be at most 3600: transfers wait on the poll queue".into(),
            ));
        }
        let keepalive = r.keepalive_seconds.unwrap_or(600);
        if keepalive == 0 {
            return Err(fail("`keepalive_seconds` must be at least 1".into()));
        }
        for e in &r.extensions {
            if NOT_YET.contains(&e.as_str()) {
                return Err(fail(format!(
                    "`extensions`: {e} is not carried by this client yet (docs/registries.md, \"Not yet done\"): remove it; a registry that requires it refuses our commands until it is"
                )));
            }
            if !KNOWN_EXTENSIONS.iter().any(|(n, _)| n == e) {
                let known: Vec<&str> = KNOWN_EXTENSIONS.iter().map(|(n, _)| *n).collect();
                return Err(fail(format!(
                    "`extensions`: {e} is not one this client uses; known: {}",
                    known.join(", ")
                )));
            }
        }
        let contacts = match r.contacts.as_deref() {
            None | Some("none") => ContactPolicy::None,
            Some("required") => ContactPolicy::Required,
            Some(other) => {
                return Err(fail(format!(
                    "`contacts` is \"{other}\": give \"required\" for a registry that wants a domain's contacts (a thick registry such as .org) or \"none\" (a thin one such as .com)"
                )))
            }
        };
        out.push(RegistryConfig {
            name: r.name,
            tlds,
            host: r.host,
            port: r.port.unwrap_or(EPP_PORT),
            client_id: r.client_id,
            password: Password(password.into()),
            identity: Identity { certificates, key },
            ca,
            sessions,
            commands_per_second,
            timeout: Duration::from_secs(timeout),
            keepalive: Duration::from_secs(keepalive),
            poll_interval: Duration::from_secs(poll),
            extensions: r.extensions,
            contacts,
        });
    }
    if out.is_empty() {
        return Err(ConfigError::new(
            path,
            "names no registry: add a [[registry]] table, or leave out --registries",
        ));
    }
    Ok(out)
}
