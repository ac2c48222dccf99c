//! Exit codes, so scripts can tell failures apart:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | done |
//! | 1 | any other failure |
//! | 2 | bad usage: clap's own, a missing flag found before calling the API, an API address that is not a URL |
//! | 3 | not found (404, or no domain of that name) |
//! | 4 | refused: bad input or not allowed now (400, 409, 413, 415, 422) |
//! | 5 | not authenticated or not permitted (401, 403, no token) |
//! | 6 | the balance is too low (402) |
//! | 7 | rate limited (429) |
//! | 8 | the server failed or could not be reached (5xx, network) |
//! | 9 | `--wait` gave up |
//! | 10 | the transfer failed or was rejected |

use std::process::ExitCode;

use vps_client::Error;

use crate::output::note;

/// Bad usage, found before anything was asked of the API.
pub const USAGE: u8 = 2;
/// Not found (404, or no domain of that name).
pub const NOT_FOUND: u8 = 3;
/// Refused: bad input or not allowed now (400, 409, 413, 415, 422).
pub const REFUSED: u8 = 4;
/// Not authenticated or not permitted (401, 403, no token).
pub const AUTH: u8 = 5;
/// The balance is too low (402).
pub const FUNDS: u8 = 6;
/// Rate limited (429).
pub const RATE_LIMITED: u8 = 7;
/// The server failed or could not be reached (5xx, network).
pub const SERVER: u8 = 8;
/// `--wait` gave up (the operation goes on).
pub const WAIT_TIMEOUT: u8 = 9;
/// The transfer failed or was rejected.
pub const TRANSFER_FAILED: u8 = 10;

/// A failure of `vps` itself, with its exit code.
#[derive(Debug)]
pub struct Failure {
    /// The exit code (this module's constants).
    pub code: u8,
    /// What went wrong and what to do, for a person.
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// A [`Failure`] with `code` and `message`, as an error to return.
pub fn fail(code: u8, message: impl Into<String>) -> anyhow::Error {
    Failure {
        code,
        message: message.into(),
    }
    .into()
}

fn code_of(e: &Error) -> u8 {
    match e.status().map(|s| s.as_u16()) {
        Some(404) => NOT_FOUND,
        Some(401 | 403) => AUTH,
        Some(402) => FUNDS,
        Some(429) => RATE_LIMITED,
        Some(400..=499) => REFUSED,
        Some(_) => SERVER,
        None => match e {
            Error::Url(_) => USAGE,
            _ => SERVER,
        },
    }
}

/// What the failing command was about, to put the API's words in `vps`
/// terms.
#[derive(Debug, Default)]
pub struct Context {
    /// The domain as the user gave it (a name or an id).
    pub domain: Option<String>,
    /// Each API field the command sets, and the flag or argument that sets
    /// it.
    pub fields: &'static [(&'static str, &'static str)],
}

/// The flag or argument that sets each API field, per command.
pub mod fields {
    /// A command that sets no field.
    pub const NONE: &[(&str, &str)] = &[];
    /// `vps domains list`, `vps account transactions`.
    pub const LIST: &[(&str, &str)] = &[
        ("status", "--status"),
        ("search", "--search"),
        ("page", "--page"),
        ("page_size", "--page-size"),
    ];
    /// `vps domains register` and `import`.
    pub const REGISTER: &[(&str, &str)] = &[
        ("domain_name", "NAME"),
        ("years", "--years"),
        ("auto_renew", "--no-auto-renew"),
        ("privacy_protection", "--no-privacy"),
        ("nameservers", "--nameserver"),
        ("registrant", "--registrant"),
        ("admin", "--admin"),
        ("tech", "--tech"),
        ("billing", "--billing"),
    ];
    /// `vps domains update`.
    pub const UPDATE: &[(&str, &str)] = &[
        ("auto_renew", "--auto-renew"),
        ("privacy_protection", "--privacy"),
        ("locked", "--locked"),
        ("nameservers", "--nameserver"),
        ("registrant", "--registrant"),
        ("admin", "--admin"),
        ("tech", "--tech"),
        ("billing", "--billing"),
    ];
    /// `vps domains transfer`.
    pub const TRANSFER: &[(&str, &str)] = &[
        ("auth_code", "--auth-code"),
        ("auto_renew", "--no-auto-renew"),
        ("registrant", "--registrant"),
        ("admin", "--admin"),
        ("tech", "--tech"),
        ("billing", "--billing"),
    ];
    /// `vps domains renew`.
    pub const RENEW: &[(&str, &str)] = &[("years", "--years")];
    /// `vps check`.
    pub const CHECK: &[(&str, &str)] = &[("domain_name", "NAMES")];
    /// `vps dns records ...`.
    pub const RECORD: &[(&str, &str)] = &[
        ("name", "--name"),
        ("type", "--type"),
        ("content", "--content"),
        ("ttl", "--ttl"),
        ("priority", "--priority"),
    ];
    /// `vps email-forwards add`.
    pub const EMAIL_ADD: &[(&str, &str)] = &[("alias", "ALIAS"), ("destinations", "DESTINATIONS")];
    /// `vps email-forwards update`.
    pub const EMAIL_UPDATE: &[(&str, &str)] =
        &[("alias", "--alias"), ("destinations", "--destination")];
    /// `vps dns keys create`.
    pub const KEYS: &[(&str, &str)] = &[("name", "NAME"), ("algorithm", "--algorithm")];
    /// `vps contacts ...`.
    pub const CONTACT: &[(&str, &str)] = &[
        ("name", "--name"),
        ("organisation", "--organisation"),
        ("street", "--street"),
        ("city", "--city"),
        ("state_province", "--state-province"),
        ("postal_code", "--postal-code"),
        ("country_code", "--country-code"),
        ("voice", "--voice"),
        ("fax", "--fax"),
        ("email", "--email"),
        ("page", "--page"),
        ("page_size", "--page-size"),
    ];
    /// `vps hosts ...`.
    pub const HOSTS: &[(&str, &str)] =
        &[("host_name", "HOST_NAME"), ("ip_addresses", "IP_ADDRESSES")];
    /// `vps url-forwards add`.
    pub const URL_ADD: &[(&str, &str)] = &[
        ("host", "--host"),
        ("target", "TARGET"),
        ("status_code", "--status-code"),
        ("keep_path", "--keep-path"),
    ];
    /// `vps url-forwards update`.
    pub const URL_UPDATE: &[(&str, &str)] = &[
        ("host", "--host"),
        ("target", "--target"),
        ("status_code", "--status-code"),
        ("keep_path", "--keep-path"),
    ];
}

impl Context {
    /// The flag or argument for an API field; the field's own name when
    /// this command has none for it.
    fn flag<'a>(&self, field: &'a str) -> &'a str {
        self.fields
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(field, |(_, flag)| flag)
    }

    /// The domain to put in a suggested command: as given, else the id in
    /// the API's path, else a placeholder.
    fn domain(&self, id_in_path: &str) -> String {
        match &self.domain {
            Some(d) => d.clone(),
            None if id_in_path.parse::<i64>().is_ok() => id_in_path.to_owned(),
            None => "DOMAIN".to_owned(),
        }
    }

    /// The `vps` command that does what `method path` does (`path` from
    /// `/api/v1/` on), if there is one.
    fn command_for(&self, method: &str, path: &str) -> Option<String> {
        let segments: Vec<&str> = path
            .trim_start_matches("/api/v1/")
            .split('/')
            .filter(|s| !s.is_empty())
            .collect();
        let name = || self.domain.clone().unwrap_or_else(|| "NAME".to_owned());
        let command = match (method, segments.as_slice()) {
            ("GET", ["domains"]) => "vps domains list".to_owned(),
            ("POST", ["domains"]) => format!("vps domains register {}", name()),
            ("POST", ["domains", "import"]) => format!("vps domains import {}", name()),
            ("GET", ["domains", "check"]) => format!("vps check {}", name()),
            ("GET", ["pricing"]) => "vps pricing".to_owned(),
            ("GET", ["account"]) => "vps account".to_owned(),
            ("GET", ["account", "transactions"]) => "vps account transactions".to_owned(),
            ("GET", ["domains", id]) => format!("vps domains get {}", self.domain(id)),
            ("PUT", ["domains", id]) => format!("vps domains update {}", self.domain(id)),
            ("DELETE", ["domains", id]) => format!("vps domains delete {}", self.domain(id)),
            ("POST", ["domains", id, "renew"]) => {
                format!("vps domains renew {}", self.domain(id))
            }
            ("POST", ["domains", id, "restore"]) => {
                format!("vps domains restore {}", self.domain(id))
            }
            ("POST", ["domains", id, "transfer"]) => {
                format!("vps domains transfer {} --auth-code CODE", self.domain(id))
            }
            ("GET", ["domains", id, "auth-code"]) => {
                format!("vps domains auth-code {}", self.domain(id))
            }
            ("POST", ["domains", id, "auth-code"]) => {
                format!("vps domains auth-code {} --new", self.domain(id))
            }
            ("POST", ["domains", id, "transfer-out", answer @ ("approve" | "reject")]) => {
                format!("vps domains transfer-out {answer} {}", self.domain(id))
            }
            ("GET", ["domains", id, "dns", "records"]) => {
                format!("vps dns records list {}", self.domain(id))
            }
            ("POST", ["domains", id, "dns", "records"]) => {
                format!("vps dns records add {}", self.domain(id))
            }
            ("GET", ["domains", id, kind @ ("email-forwards" | "url-forwards")]) => {
                format!("vps {kind} list {}", self.domain(id))
            }
            _ => return None,
        };
        Some(command)
    }

    /// The command that lists the forwards this command is about (both
    /// kinds when it is about neither).
    fn forward_lists(&self) -> String {
        let d = self.domain("");
        let has = |field: &str| self.fields.iter().any(|(f, _)| *f == field);
        if has("alias") {
            format!("`vps email-forwards list {d}` lists them")
        } else if has("keep_path") {
            format!("`vps url-forwards list {d}` lists them")
        } else {
            format!("`vps email-forwards list {d}` or `vps url-forwards list {d}` lists them")
        }
    }

    /// The API's sentence with its HTTP hints (`renew it with POST
    /// /api/v1/domains/7/renew/`, `send Authorization: Bearer ...`) turned
    /// into the `vps` commands that do the same, and its field names into
    /// this command's flags.
    pub fn translate(&self, detail: &str) -> String {
        let mut text = detail
            .replace(
                "send Authorization: Bearer <your API token>",
                "run `vps login`, or pass --token, or set VPS_API_TOKEN",
            )
            .replace(
                "GET the domain's email-forwards/ or url-forwards/ to list them",
                &self.forward_lists(),
            )
            .replace(" See errors for each.", "");
        for method in ["GET", "POST", "PUT", "DELETE"] {
            let needle = format!("{method} /api/v1/");
            let mut from = 0;
            while let Some(at) = text[from..].find(&needle).map(|i| i + from) {
                let path_start = at + method.len() + 1;
                let path_len = text[path_start..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || "/_-{}".contains(c)))
                    .unwrap_or(text.len() - path_start);
                let path = &text[path_start..path_start + path_len];
                match self.command_for(method, path) {
                    Some(command) => {
                        let command = format!("`{command}`");
                        text.replace_range(at..path_start + path_len, &command);
                        from = at + command.len();
                    }
                    None => from = path_start + path_len,
                }
            }
        }
        // Field names (`auto_renew`) as this command's flags (`--auto-renew`).
        for (field, flag) in self.fields {
            if field.contains('_') {
                text = text.replace(field, flag);
            }
        }
        if let Some(names) = text.strip_prefix("Invalid fields: ") {
            let names = names.trim_end_matches('.');
            let flags: Vec<&str> = names.split(", ").map(|f| self.flag(f)).collect();
            return format!("Invalid values: {}.", flags.join(", "));
        }
        if let Some((field, rest)) = text.split_once(": ") {
            if let Some((_, flag)) = self.fields.iter().find(|(f, _)| *f == field) {
                text = format!("{flag}: {rest}");
            }
        }
        text
    }
}

/// Whether `e` is a write to a closed pipe (`vps ... | head -1`).
fn broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Prints the failure on standard error (the API's `detail` in `vps` terms,
/// then each field's messages the detail does not already say) and gives
/// its exit code. A closed standard output is no failure: nothing is
/// printed and the code is 0, as `head` and `grep -q` expect.
pub fn report(e: &anyhow::Error, context: &Context) -> ExitCode {
    if broken_pipe(e) {
        return ExitCode::SUCCESS;
    }
    let code = if let Some(f) = e.downcast_ref::<Failure>() {
        note(format!("error: {f}"));
        f.code
    } else if let Some(api) = e.downcast_ref::<Error>() {
        match api {
            Error::Api { detail, errors, .. } => {
                note(format!("error: {}", context.translate(detail)));
                for (field, messages) in errors {
                    for m in messages.iter().filter(|m| !detail.contains(m.as_str())) {
                        note(format!(
                            "  {}: {}",
                            context.flag(field),
                            context.translate(m)
                        ));
                    }
                }
            }
            other => note(format!("error: {other}")),
        }
        code_of(api)
    } else {
        note(format!("error: {e:#}"));
        1
    };
    ExitCode::from(code)
}
