//! A Rust client for the VPS.org Domains API v1.
//!
//! ```no_run
//! # async fn run() -> Result<(), vps_client::Error> {
//! let api = vps_client::Client::new("https://api.example.com", "vps_...")?;
//! for domain in api.all_domains(&Default::default()).await? {
//!     println!("{} {} {}", domain.id, domain.domain_name, domain.status);
//! }
//! # Ok(()) }
//! ```
//!
//! Every call answers the API's JSON as typed values, or an [`Error`]
//! carrying the API's `detail`, `code` and field errors. The types follow
//! the server's OpenAPI document (`/api/v1/openapi.json`); fields the server
//! may add later are ignored.

use std::collections::BTreeMap;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

mod account;
mod contacts;
mod domains;
mod error;
mod forwards;
mod hosts;
mod models;
pub mod paths;
mod records;

pub use error::Error;
use error::{bad_base_url, transport_cause};
pub use models::*;

/// How long a call may take, in all, unless [`Client::with_timeout`] says
/// otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// How long an idle connection is kept for reuse: under the server's
/// header read timeout (10 s by default, after which it closes an idle
/// connection), so a request is never sent into a connection being closed.
const IDLE_REUSE: Duration = Duration::from_secs(5);

/// The error body of the API.
#[derive(Debug, Deserialize)]
struct ErrorBody {
    detail: String,
    code: String,
    #[serde(default)]
    errors: BTreeMap<String, Vec<String>>,
}

/// A client of one API with one token. Cheap to clone. Its `Debug` leaves
/// the token out.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: url::Url,
    token: String,
    timeout: Duration,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base.as_str())
            .field("token", &"(hidden)")
            .finish()
    }
}

impl Client {
    /// `base_url` is the server (`https://api.example.com`) or its API root
    /// (`.../api/v1`); `token` an API token (`vps_...`).
    ///
    /// # Errors
    /// [`Error::Url`] when `base_url` is not an `http://` or `https://` URL
    /// (saying what to write when only the scheme is missing).
    pub fn new(base_url: &str, token: &str) -> Result<Self, Error> {
        let mut base =
            url::Url::parse(base_url.trim()).map_err(|e| bad_base_url(base_url, &e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
            return Err(bad_base_url(base_url, "use http:// or https://"));
        }
        let path = base.path().trim_end_matches('/').to_owned();
        let root = path.strip_suffix("/api/v1").unwrap_or(&path).to_owned();
        base.set_path(&format!("{root}/"));
        Ok(Self {
            http: Self::http(DEFAULT_TIMEOUT)?,
            base,
            token: token.trim().to_owned(),
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// The same client, giving each call at most `timeout` in all
    /// (connecting, sending, reading the answer).
    ///
    /// # Errors
    /// [`Error::Transport`] when the HTTP client cannot be built (no TLS
    /// roots).
    pub fn with_timeout(self, timeout: Duration) -> Result<Self, Error> {
        Ok(Self {
            http: Self::http(timeout)?,
            timeout,
            ..self
        })
    }

    fn http(timeout: Duration) -> Result<reqwest::Client, Error> {
        reqwest::Client::builder()
            .timeout(timeout)
            // The server closes a connection idle for its header read
            // timeout (10 s by default): never send into one that old.
            .pool_idle_timeout(IDLE_REUSE)
            .user_agent(concat!("vps-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Transport {
                address: String::new(),
                cause: transport_cause(&e, timeout),
                source: e,
            })
    }

    /// A failed exchange with the server, with where and why.
    fn transport(&self, e: reqwest::Error) -> Error {
        let mut address = self.base.clone();
        address.set_path("");
        let address = address.as_str().trim_end_matches('/').to_owned();
        Error::Transport {
            address,
            cause: transport_cause(&e, self.timeout),
            source: e,
        }
    }

    /// The server's root URL (without `/api/v1`).
    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    fn url(&self, path: &str) -> Result<url::Url, Error> {
        self.base
            .join(path.trim_start_matches('/'))
            .map_err(|e| Error::Url(e.to_string()))
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<T, Error> {
        let mut req = self
            .http
            .request(method, self.url(path)?)
            .bearer_auth(&self.token)
            .query(query);
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req.send().await.map_err(|e| self.transport(e))?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| self.transport(e))?;
        if status.is_success() {
            let text: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
            return serde_json::from_slice(text).map_err(|e| Error::Unexpected {
                status,
                message: e.to_string(),
            });
        }
        Err(api_error(status, &bytes))
    }

    /// A request whose body (if any) and successful answer are text, not
    /// JSON (a zone file, `text/dns`); an error answer is JSON as always.
    async fn send_text(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<(&'static str, String)>,
    ) -> Result<String, Error> {
        let mut req = self
            .http
            .request(method, self.url(path)?)
            .bearer_auth(&self.token)
            .query(query);
        if let Some((content_type, text)) = body {
            req = req
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(text);
        }
        let resp = req.send().await.map_err(|e| self.transport(e))?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| self.transport(e))?;
        if status.is_success() {
            return String::from_utf8(bytes.to_vec()).map_err(|e| Error::Unexpected {
                status,
                message: e.to_string(),
            });
        }
        Err(api_error(status, &bytes))
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, Error> {
        self.send(Method::GET, path, query, None).await
    }

    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, Error> {
        let body = serde_json::to_value(body).map_err(|e| Error::Unexpected {
            status: StatusCode::OK,
            message: e.to_string(),
        })?;
        self.send(Method::POST, path, &[], Some(&body)).await
    }

    async fn put<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> Result<T, Error> {
        let body = serde_json::to_value(body).map_err(|e| Error::Unexpected {
            status: StatusCode::OK,
            message: e.to_string(),
        })?;
        self.send(Method::PUT, path, &[], Some(&body)).await
    }

    async fn delete(&self, path: &str) -> Result<(), Error> {
        self.send::<Value>(Method::DELETE, path, &[], None).await?;
        Ok(())
    }
}

/// The error of a failed answer: the API's JSON error, or what came.
fn api_error(status: StatusCode, bytes: &[u8]) -> Error {
    match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(e) => Error::Api {
            status,
            code: e.code,
            detail: e.detail,
            errors: e.errors,
        },
        Err(_) => Error::Unexpected {
            status,
            message: String::from_utf8_lossy(bytes).chars().take(200).collect(),
        },
    }
}

/// Which page of a list.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    /// From 1.
    pub page: u32,
    /// 1–500.
    pub page_size: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            page: 1,
            page_size: 50,
        }
    }
}

impl PageRequest {
    fn query(self) -> Vec<(&'static str, String)> {
        vec![
            ("page", self.page.to_string()),
            ("page_size", self.page_size.to_string()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_url_may_name_the_server_or_its_api_root() {
        for given in [
            "http://api.test",
            "http://api.test/",
            "http://api.test/api/v1",
            "http://api.test/api/v1/",
        ] {
            let c = Client::new(given, " vps_x ").expect("client");
            assert_eq!(c.base_url(), "http://api.test/", "{given}");
            assert_eq!(
                c.url("api/v1/domains/").expect("url").as_str(),
                "http://api.test/api/v1/domains/"
            );
        }
        let behind_a_prefix = Client::new("https://h.test/registrar/api/v1", "t").expect("client");
        let secret = Client::new("https://h.test", "vps_secret123").expect("client");
        assert!(!format!("{secret:?}").contains("secret123"));
        assert_eq!(behind_a_prefix.base_url(), "https://h.test/registrar/");
        assert!(matches!(
            Client::new("ftp://h.test", "t"),
            Err(Error::Url(_))
        ));
        assert!(matches!(Client::new("not a url", "t"), Err(Error::Url(_))));
    }
}
