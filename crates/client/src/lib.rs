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

mod models;
pub mod paths;
pub use models::*;

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

/// How long a call may take, in all, unless [`Client::with_timeout`] says
/// otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// Why `e` (a failed call to `url`'s server) failed, in words: the first
/// cause found along its chain of sources that a person can act on.
fn transport_cause(e: &reqwest::Error, timeout: Duration) -> String {
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
fn bad_base_url(base_url: &str, why: &str) -> Error {
    let given = base_url.trim();
    if !given.contains("://") && !given.is_empty() && !given.contains(char::is_whitespace) {
        return Error::Url(format!(
            "{given} has no scheme: did you mean http://{given} (or https://{given})?"
        ));
    }
    Error::Url(format!("{given}: {why}"))
}

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
        match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(e) => Err(Error::Api {
                status,
                code: e.code,
                detail: e.detail,
                errors: e.errors,
            }),
            Err(_) => Err(Error::Unexpected {
                status,
                message: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
            }),
        }
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

    // ---- domains

    /// One page of the account's domains.
    pub async fn domains(
        &self,
        filter: &DomainFilter,
        page: PageRequest,
    ) -> Result<Page<Domain>, Error> {
        let mut query = page.query();
        if let Some(status) = &filter.status {
            query.push(("status", status.clone()));
        }
        if let Some(search) = &filter.search {
            query.push(("search", search.clone()));
        }
        self.get(paths::DOMAINS, &query).await
    }

    /// Every domain matching `filter`, page after page.
    pub async fn all_domains(&self, filter: &DomainFilter) -> Result<Vec<Domain>, Error> {
        let mut all = Vec::new();
        let mut page = PageRequest {
            page: 1,
            page_size: 500,
        };
        loop {
            let got = self.domains(filter, page).await?;
            let more = got.next.is_some();
            all.extend(got.results);
            if !more {
                return Ok(all);
            }
            page.page += 1;
        }
    }

    pub async fn domain(&self, id: i64) -> Result<DomainDetail, Error> {
        self.get(&paths::domain(id), &[]).await
    }

    /// The account's domain of this name (case and a final dot ignored).
    pub async fn domain_named(&self, name: &str) -> Result<Option<Domain>, Error> {
        let want = name.trim().trim_end_matches('.').to_lowercase();
        let filter = DomainFilter {
            status: None,
            search: Some(want.clone()),
        };
        Ok(self
            .all_domains(&filter)
            .await?
            .into_iter()
            .find(|d| d.domain_name == want))
    }

    pub async fn register(&self, request: &RegisterRequest) -> Result<Registered, Error> {
        self.post(paths::DOMAINS, request).await
    }

    pub async fn update_domain(&self, id: i64, request: &UpdateRequest) -> Result<Updated, Error> {
        self.put(&paths::domain(id), request).await
    }

    /// Removes the domain from the account (the registration continues).
    pub async fn delete_domain(&self, id: i64) -> Result<(), Error> {
        self.delete(&paths::domain(id)).await
    }

    pub async fn import(&self, domain_name: &str) -> Result<Imported, Error> {
        self.post(
            paths::IMPORT,
            &serde_json::json!({ "domain_name": domain_name }),
        )
        .await
    }

    pub async fn transfer(&self, id: i64, request: &TransferRequest) -> Result<Transfer, Error> {
        self.post(&paths::transfer(id), request).await
    }

    pub async fn renew(&self, id: i64, years: u8) -> Result<Renewed, Error> {
        self.post(&paths::renew(id), &serde_json::json!({ "years": years }))
            .await
    }

    pub async fn restore(&self, id: i64) -> Result<Renewed, Error> {
        self.post(&paths::restore(id), &serde_json::json!({})).await
    }

    // ---- transfer out

    /// The EPP auth code to give the gaining registrar.
    pub async fn auth_code(&self, id: i64) -> Result<AuthCode, Error> {
        self.get(&paths::auth_code(id), &[]).await
    }

    /// A new auth code; the old one stops working.
    pub async fn regenerate_auth_code(&self, id: i64) -> Result<AuthCode, Error> {
        self.post(&paths::auth_code(id), &serde_json::json!({}))
            .await
    }

    /// Lets a pending transfer out go now: the domain leaves the account.
    pub async fn approve_transfer_out(&self, id: i64) -> Result<TransferOutAnswer, Error> {
        self.post(&paths::approve_transfer_out(id), &serde_json::json!({}))
            .await
    }

    /// Refuses a pending transfer out: the domain stays.
    pub async fn reject_transfer_out(&self, id: i64) -> Result<TransferOutAnswer, Error> {
        self.post(&paths::reject_transfer_out(id), &serde_json::json!({}))
            .await
    }

    // ---- availability, prices, account

    pub async fn check(&self, names: &[String]) -> Result<Check, Error> {
        let query: Vec<(&str, String)> = names.iter().map(|n| ("domain_name", n.clone())).collect();
        self.get(paths::CHECK, &query).await
    }

    pub async fn pricing(&self) -> Result<Pricing, Error> {
        self.get(paths::PRICING, &[]).await
    }

    pub async fn account(&self) -> Result<Account, Error> {
        self.get(paths::ACCOUNT, &[]).await
    }

    pub async fn transactions(&self, page: PageRequest) -> Result<Page<Transaction>, Error> {
        self.get(paths::TRANSACTIONS, &page.query()).await
    }

    // ---- DNS records

    pub async fn dns_records(
        &self,
        domain_id: i64,
        rtype: Option<&str>,
        name: Option<&str>,
    ) -> Result<Vec<DnsRecord>, Error> {
        let mut all = Vec::new();
        let mut page = PageRequest {
            page: 1,
            page_size: 500,
        };
        loop {
            let mut query = page.query();
            if let Some(t) = rtype {
                query.push(("type", t.to_owned()));
            }
            if let Some(n) = name {
                query.push(("name", n.to_owned()));
            }
            let got: Page<DnsRecord> = self.get(&paths::records(domain_id), &query).await?;
            let more = got.next.is_some();
            all.extend(got.results);
            if !more {
                return Ok(all);
            }
            page.page += 1;
        }
    }

    pub async fn dns_record(&self, domain_id: i64, record_id: i64) -> Result<DnsRecord, Error> {
        self.get(&paths::record(domain_id, record_id), &[]).await
    }

    pub async fn add_dns_record(
        &self,
        domain_id: i64,
        record: &RecordRequest,
    ) -> Result<DnsRecord, Error> {
        self.post(&paths::records(domain_id), record).await
    }

    pub async fn update_dns_record(
        &self,
        domain_id: i64,
        record_id: i64,
        record: &RecordRequest,
    ) -> Result<DnsRecord, Error> {
        self.put(&paths::record(domain_id, record_id), record).await
    }

    pub async fn delete_dns_record(&self, domain_id: i64, record_id: i64) -> Result<(), Error> {
        self.delete(&paths::record(domain_id, record_id)).await
    }

    // ---- forwarding

    pub async fn email_forwards(&self, domain_id: i64) -> Result<Vec<EmailForward>, Error> {
        let page: Page<EmailForward> = self.get(&paths::email_forwards(domain_id), &[]).await?;
        Ok(page.results)
    }

    pub async fn email_forward(&self, domain_id: i64, id: i64) -> Result<EmailForward, Error> {
        self.get(&paths::email_forward(domain_id, id), &[]).await
    }

    pub async fn add_email_forward(
        &self,
        domain_id: i64,
        forward: &EmailForwardRequest,
    ) -> Result<EmailForward, Error> {
        self.post(&paths::email_forwards(domain_id), forward).await
    }

    pub async fn update_email_forward(
        &self,
        domain_id: i64,
        id: i64,
        forward: &EmailForwardRequest,
    ) -> Result<EmailForward, Error> {
        self.put(&paths::email_forward(domain_id, id), forward)
            .await
    }

    pub async fn delete_email_forward(&self, domain_id: i64, id: i64) -> Result<(), Error> {
        self.delete(&paths::email_forward(domain_id, id)).await
    }

    pub async fn url_forwards(&self, domain_id: i64) -> Result<Vec<UrlForward>, Error> {
        let page: Page<UrlForward> = self.get(&paths::url_forwards(domain_id), &[]).await?;
        Ok(page.results)
    }

    pub async fn url_forward(&self, domain_id: i64, id: i64) -> Result<UrlForward, Error> {
        self.get(&paths::url_forward(domain_id, id), &[]).await
    }

    pub async fn add_url_forward(
        &self,
        domain_id: i64,
        forward: &UrlForwardRequest,
    ) -> Result<UrlForward, Error> {
        self.post(&paths::url_forwards(domain_id), forward).await
    }

    pub async fn update_url_forward(
        &self,
        domain_id: i64,
        id: i64,
        forward: &UrlForwardRequest,
    ) -> Result<UrlForward, Error> {
        self.put(&paths::url_forward(domain_id, id), forward).await
    }

    pub async fn delete_url_forward(&self, domain_id: i64, id: i64) -> Result<(), Error> {
        self.delete(&paths::url_forward(domain_id, id)).await
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
