//! What went wrong with a call: [`Error`], and the words for a failed
//! connection or a bad API address.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::StatusCode;

/// What went wrong with a call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The API answered with an error body.
    #[error("{detail} ({code}, HTTP {status})")]
    Api {
        status: StatusCode,
        code: String,
        detail: String,
        /// Each field at fault and what is wrong with it.
        errors: BTreeMap<String, Vec<String>>,
    },
    /// The server could not be reached or did not answer: `address` is
    /// where it was asked (`scheme://host:port`), `cause` why it failed, in
    /// words (connection refused, the name does not resolve, TLS, timed
    /// out, ...).
    #[error("cannot reach the API at {address}: {cause}")]
    Transport {
        address: String,
        cause: String,
        #[source]
        source: reqwest::Error,
    },
    /// The answer was not what the API describes.
    #[error("unexpected answer (HTTP {status}): {message}")]
    Unexpected { status: StatusCode, message: String },
    /// The base URL is not a URL.
    #[error("not an API URL: {0}")]
    Url(String),
}

impl Error {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. } | Error::Unexpected { status, .. } => Some(*status),
            Error::Transport { source, .. } => source.status(),
            Error::Url(_) => None,
        }
    }
}

/// Why `e` (a failed call to `url`'s server) failed, in words: the first
/// cause found along its chain of sources that a person can act on.
pub(crate) fn transport_cause(e: &reqwest::Error, timeout: Duration) -> String {
    let host = e
        .url()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    if e.is_timeout() {
        return format!(
            "timed out: no answer within {} s (is the server overloaded, or a firewall dropping packets?)",
            timeout.as_secs_f64()
        );
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut last = e.to_string();
    while let Some(s) = source {
        if let Some(tls) = s.downcast_ref::<rustls::Error>() {
            return format!(
                "the TLS handshake failed ({tls}): is it an https server, with a certificate for {host}?"
            );
        }
        let text = s.to_string();
        if text.starts_with("dns error") || text.contains("failed to lookup address") {
            let inner = s.source().map(|i| i.to_string()).unwrap_or(text);
            return format!("DNS failure: the name {host} does not resolve ({inner})");
        }
        if let Some(outer) = s.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind as K;
            // I/O errors may wrap I/O errors (their `source` skips a level).
            let mut io = outer;
            loop {
                let inner = io.get_ref();
                if let Some(tls) = inner.and_then(|i| i.downcast_ref::<rustls::Error>()) {
                    return format!(
                        "the TLS handshake failed ({tls}): is it an https server, with a certificate for {host}?"
                    );
                }
                match inner.and_then(|i| i.downcast_ref::<std::io::Error>()) {
                    Some(next) => io = next,
                    None => break,
                }
            }
            match io.kind() {
                K::ConnectionRefused => {
                    return "connection refused: nothing listens there (is the server running, and is the port right?)".to_owned();
                }
                K::TimedOut => return format!("timed out connecting ({io})"),
                K::ConnectionReset | K::ConnectionAborted | K::UnexpectedEof => {
                    return format!("the connection was closed by the other side ({io})");
                }
                _ => {}
            }
        }
        last = text;
        source = s.source();
    }
    last
}

/// `base_url` is not a usable API address: why, and what to write instead
/// when the scheme was left out (`127.0.0.1:8080` → `http://127.0.0.1:8080`).
pub(crate) fn bad_base_url(base_url: &str, why: &str) -> Error {
    let given = base_url.trim();
    if !given.contains("://") && !given.is_empty() && !given.contains(char::is_whitespace) {
        return Error::Url(format!(
            "{given} has no scheme: did you mean http://{given} (or https://{given})?"
        ));
    }
    Error::Url(format!("{given}: {why}"))
}
