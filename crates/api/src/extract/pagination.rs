//! Query strings and page-number pagination as Django REST Framework does it
//! (api-v1.md: `page` from 1, `page_size` default 50 and at most 500,
//! `count`/`next`/`previous`/`results`).

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::Serialize;
use vpsd_domain::ErrorCode;

use crate::error::ApiError;
use crate::AppState;

pub const DEFAULT_PAGE_SIZE: i64 = 50;
pub const MAX_PAGE_SIZE: i64 = 500;

/// One page of a list.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Page<T: Serialize> {
    /// How many match in all.
    pub count: i64,
    /// The next page's full URL, or null on the last.
    pub next: Option<String>,
    /// The previous page's full URL, or null on the first.
    pub previous: Option<String>,
    pub results: Vec<T>,
}

/// A request's query parameters, with `page` and `page_size` checked.
#[derive(Debug)]
pub struct ListQuery {
    params: Vec<(String, String)>,
    pub page: i64,
    pub page_size: i64,
    /// `scheme://host/path` of the request, for `next` and `previous`.
    base: String,
}

/// A parameter as a positive whole number; a clear 400 otherwise.
fn positive(params: &[(String, String)], key: &str) -> Result<Option<i64>, ApiError> {
    match params.iter().rev().find(|(k, _)| k == key) {
        None => Ok(None),
        Some((_, v)) => match v.parse::<i64>() {
            Ok(n) if n >= 1 => Ok(Some(n)),
            _ => Err(ApiError::field(
                ErrorCode::InvalidQuery,
                key,
                format!("`{v}` is not a positive whole number."),
            )),
        },
    }
}

/// Checks a public URL (`--public-url`): `http` or `https`, a host, an
/// optional port and path, no user, query or fragment. Gives it without a
/// trailing slash, ready to put a request's path after.
pub fn parse_public_url(s: &str) -> Result<String, String> {
    let err = |why: &str| {
        format!("`{s}` is not a public URL ({why}): write it like https://api.example.com")
    };
    let url = url::Url::parse(s).map_err(|e| err(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(err("the scheme must be http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(err("it has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(err("it may not hold a user or password"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(err("it may not have a query or fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Whether a `Host` header is a plain `host[:port]` (letters, digits, `.`,
/// `-`, `:`, and the brackets of an IPv6 address), fit to put in a link.
pub(crate) fn plain_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

impl FromRequestParts<AppState> for ListQuery {
    type Rejection = ApiError;

    /// The links' base is the configured public URL (`--public-url`) when
    /// there is one: a `Host` header is the client's to forge, and links
    /// built from it could point a client's next request elsewhere.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Query(params) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|_| {
                ApiError::bad_request(
                    ErrorCode::InvalidQuery,
                    "The query string could not be read.",
                )
            })?;
        let page = positive(&params, "page")?.unwrap_or(1);
        let page_size = positive(&params, "page_size")?
            .unwrap_or(DEFAULT_PAGE_SIZE)
            .min(MAX_PAGE_SIZE);
        let base = match &state.public_url {
            Some(url) => format!("{url}{}", parts.uri.path()),
            None => {
                let host = parts
                    .headers
                    .get(header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .filter(|h| plain_host(h))
                    .unwrap_or("localhost");
                let scheme = parts
                    .headers
                    .get("x-forwarded-proto")
                    .and_then(|h| h.to_str().ok())
                    .filter(|s| *s == "https" || *s == "http")
                    .unwrap_or("http");
                format!("{scheme}://{host}{}", parts.uri.path())
            }
        };
        Ok(ListQuery {
            base,
            params,
            page,
            page_size,
        })
    }
}

impl ListQuery {
    /// The last value given for `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value given for `key`, in order.
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.params
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.page_size)
    }

    pub fn limit(&self) -> i64 {
        self.page_size
    }

    fn url(&self, page: i64) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.params.iter().filter(|(k, _)| k != "page") {
            query.append_pair(k, v);
        }
        query.append_pair("page", &page.to_string());
        format!("{}?{}", self.base, query.finish())
    }

    /// The page for `count` matching items; a page past the end is a 404.
    pub fn page<T: Serialize>(&self, count: i64, results: Vec<T>) -> Result<Page<T>, ApiError> {
        if self.page > 1 && self.offset() >= count {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                ErrorCode::InvalidPage,
                format!(
                    "Invalid page: there are {count} matching items, so page {} is empty. Start again at page 1.",
                    self.page
                ),
            ));
        }
        Ok(Page {
            count,
            next: (self.offset() + self.page_size < count).then(|| self.url(self.page + 1)),
            previous: (self.page > 1).then(|| self.url(self.page - 1)),
            results,
        })
    }
}
