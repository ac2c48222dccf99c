//! Exit codes, so scripts can tell failures apart:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | done |
//! | 1 | any other failure |
//! | 2 | bad usage (clap's own) |
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

pub const NOT_FOUND: u8 = 3;
pub const REFUSED: u8 = 4;
pub const AUTH: u8 = 5;
pub const FUNDS: u8 = 6;
pub const RATE_LIMITED: u8 = 7;
pub const SERVER: u8 = 8;
pub const WAIT_TIMEOUT: u8 = 9;
pub const TRANSFER_FAILED: u8 = 10;

/// A failure of `vps` itself, with its exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

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
            Error::Url(_) => 1,
            _ => SERVER,
        },
    }
}

/// Prints the failure on standard error (the API's `detail`, and each
/// field's messages) and gives its exit code.
pub fn report(e: &anyhow::Error) -> ExitCode {
    let code = if let Some(f) = e.downcast_ref::<Failure>() {
        eprintln!("error: {f}");
        f.code
    } else if let Some(api) = e.downcast_ref::<Error>() {
        match api {
            Error::Api { detail, errors, .. } => {
                eprintln!("error: {detail}");
                for (field, messages) in errors {
                    for m in messages {
                        eprintln!("  {field}: {m}");
                    }
                }
            }
            other => eprintln!("error: {other}"),
        }
        code_of(api)
    } else {
        eprintln!("error: {e:#}");
        1
    };
    ExitCode::from(code)
}
