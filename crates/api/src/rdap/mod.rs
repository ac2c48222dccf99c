//! The RDAP server under `/rdap/` (RFC 7480–7484, RFC 9082 queries,
//! RFC 9083 answers, RFC 9537 redaction, ICANN's gTLD RDAP Response
//! Profile for registrars): `domain/{name}`, `entity/{handle}`,
//! `nameserver/{name}` and `help`, on the API's listener, without a token.
//!
//! - Every answer is `application/rdap+json` (a client asking for
//!   `application/json` gets it too, RFC 7480 §4.2) and carries
//!   `Access-Control-Allow-Origin: *` (RFC 7480 §5.6).
//! - Errors are RFC 9083 §6 objects: 400 for a malformed name, 404 for a
//!   name this registrar does not sponsor (or that is pending, released or
//!   removed from its account), 501 for searches and number queries, 429
//!   with `Retry-After` past the rate per client address (RFC 7480 §5.5).
//! - Requests are logged by route template only (`observe::track`): no
//!   name, handle or personal data reaches the logs.
//!
//! What is shown of a contact is decided in [`objects`]; the operator's
//! settings are [`RdapSettings`].

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::Serialize;
use vpsd_domain::name::HostName;
use vpsd_domain::OUR_REGISTRAR;

use crate::limits::RateLimit;
use crate::AppState;

pub mod objects;
pub mod settings;

pub use objects::RDAP_JSON;
pub use settings::RdapSettings;

/// Where the RDAP service is: its base URL is the API's plus this and `/`.
pub const PREFIX: &str = "/rdap";

/// The default rate per client address: 5 queries a second, in bursts of
/// up to 30 (a person or a conformance test is far below; a bulk
/// harvester is not).
pub const DEFAULT_RATE: RateLimit = RateLimit {
    per_second: NonZeroU32::new(5).expect("5 > 0"),
    burst: NonZeroU32::new(30).expect("30 > 0"),
};

/// The buckets of this process, by client address (GCRA, `governor`).
#[derive(Debug, Clone)]
pub struct AddressLimiter {
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
}

impl AddressLimiter {
    /// Buckets of `limit` per client address.
    pub fn new(limit: RateLimit) -> Self {
        let quota = Quota::per_second(limit.per_second).allow_burst(limit.burst);
        Self {
            limiter: Arc::new(RateLimiter::keyed(quota)),
        }
    }

    /// `Ok` when `address` may ask now, else the whole seconds to wait
    /// (at least 1).
    fn check(&self, address: IpAddr) -> Result<(), u64> {
        if self.limiter.len() > 100_000 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&address).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
        })
    }
}

/// The RDAP routes, with their rate limit and headers.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/rdap/domain/{name}", get(domain))
        .route("/rdap/entity/{handle}", get(entity))
        .route("/rdap/nameserver/{name}", get(nameserver))
        .route("/rdap/help", get(help))
        .route("/rdap/{*query}", get(unsupported))
        .route("/rdap", get(unsupported_root))
        .route("/rdap/", get(unsupported_root))
        .method_not_allowed_fallback(not_allowed)
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// The rate limit per client address, then the headers every answer
/// carries: the RDAP media type and `Access-Control-Allow-Origin: *`.
async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| {
        crate::extract::client::client_address(c.0.ip(), req.headers(), &state.trusted_proxies)
    });
    let limited = match (&state.rdap_limiter, peer) {
        // An IPv6 client by its /64, as failed token lookups are counted.
        (Some(limiter), Some(ip)) => limiter.check(crate::extract::auth::client_key(ip)).err(),
        _ => None,
    };
    let mut response = match limited {
        Some(seconds) => {
            let mut r = error(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests",
                &format!("Too many queries from this address: wait {seconds} second(s) (Retry-After) and slow down."),
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            r
        }
        None => next.run(req).await,
    };
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(RDAP_JSON));
    response
}

/// Any method but GET and HEAD: 405 as an RFC 9083 error object; a CORS
/// preflight (`OPTIONS`) gets 204 with the methods and headers allowed.
async fn not_allowed(req: Request) -> Response {
    let allow = HeaderValue::from_static("GET, HEAD");
    if req.method() == axum::http::Method::OPTIONS {
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        h.insert(header::ALLOW, allow.clone());
        h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, allow);
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Accept"),
        );
        h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from(86_400));
        return r;
    }
    let mut r = error(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method not allowed",
        "RDAP is read with GET (or HEAD).",
    );
    r.headers_mut().insert(header::ALLOW, allow);
    r
}

/// `value` as an RDAP answer with `status`.
fn answer<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => (status, [(header::CONTENT_TYPE, RDAP_JSON)], body).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "an RDAP answer could not be written");
            internal()
        }
    }
}

/// An RFC 9083 §6 error object with `status`.
fn error(status: StatusCode, title: &str, description: &str) -> Response {
    answer(status, &objects::error(status.as_u16(), title, description))
}

fn internal() -> Response {
    let body = objects::error(
        500,
        "Internal error",
        "The answer could not be made just now; try again in a moment.",
    );
    let text = serde_json::to_string(&body).unwrap_or_default();
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, RDAP_JSON)],
        text,
    )
        .into_response()
}

/// A store or registry failure: logged with its chain (no personal data
/// is in it), answered 500.
fn failed(e: &(dyn std::error::Error + 'static)) -> Response {
    tracing::error!(error = %vpsd_domain::ErrorChain(e), "an RDAP query failed");
    internal()
}

fn not_found(what: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "Not found",
        &format!("{what} is not sponsored by this registrar: ask the registry's RDAP service (IANA's bootstrap registry, RFC 9224)."),
    )
}

/// The RDAP base URL: the public URL (`--public-url`) when set, else from
/// the request's `Host` (a plain one) and `X-Forwarded-Proto`.
fn base(state: &AppState, headers: &HeaderMap) -> String {
    match &state.public_url {
        Some(url) => format!("{url}{PREFIX}/"),
        None => {
            let host = headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .filter(|h| crate::pagination::plain_host(h))
                .unwrap_or("localhost");
            let scheme = headers
                .get("x-forwarded-proto")
                .and_then(|h| h.to_str().ok())
                .filter(|s| *s == "https" || *s == "http")
                .unwrap_or("http");
            format!("{scheme}://{host}{PREFIX}/")
        }
    }
}

/// A name as RDAP takes it (RFC 9082 §3.1.3–3.1.4): U-label or A-label,
/// any case, one trailing dot; answered in lower-case A-label form, or a
/// 400 for a path that does not decode (percent-escapes that are not
/// UTF-8).
fn unreadable_path() -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "Malformed query",
        "The query's path does not decode to UTF-8 text: percent-encode the name's UTF-8 bytes, or give its A-label.",
    )
}

/// The name in a query's path, checked: 400 naming the fault, or for a
/// path that does not decode (boxed: a response is large).
fn parse_name(
    raw: Result<Path<String>, PathRejection>,
    what: &str,
) -> Result<String, Box<Response>> {
    let Ok(Path(raw)) = raw else {
        return Err(Box::new(unreadable_path()));
    };
    HostName::parse(&raw)
        .map(|h| h.as_str().to_owned())
        .map_err(|e| {
            Box::new(error(
                StatusCode::BAD_REQUEST,
                "Malformed query",
                &format!("Not a {what} name: {e}"),
            ))
        })
}

/// `domain/{name}` (RFC 9082 §3.1.3).
async fn domain(
    State(state): State<AppState>,
    headers: HeaderMap,
    raw: Result<Path<String>, PathRejection>,
) -> Response {
    let name = match parse_name(raw, "domain") {
        Ok(n) => n,
        Err(r) => return *r,
    };
    let store = state.registrar.store();
    let found = match store.rdap_domain(&name).await {
        Ok(d) => d,
        Err(e) => return failed(&e),
    };
    let now = state.registrar.now();
    let Some((d, statuses)) = found
        .filter(|d| d.registrar == OUR_REGISTRAR)
        .and_then(|d| objects::statuses(&d, now).map(|s| (d, s)))
    else {
        return not_found("This domain");
    };
    let mut contacts = objects::DomainContacts::default();
    let c = d.contacts;
    for (slot, id) in [
        (&mut contacts.registrant, c.registrant),
        (&mut contacts.admin, c.admin),
        (&mut contacts.tech, c.tech),
    ] {
        if let Some(id) = id {
            match store.contact(d.account_id, id).await {
                Ok(found) => *slot = found,
                Err(e) => return failed(&e),
            }
        }
    }
    let base = base(&state, &headers);
    let ctx = ctx(&state, &base, now);
    match objects::domain(&ctx, &d, statuses, &contacts) {
        Ok(body) => answer(StatusCode::OK, &body),
        Err(e) => failed(&e),
    }
}

fn ctx<'a>(
    state: &'a AppState,
    base: &'a str,
    now: chrono::DateTime<chrono::Utc>,
) -> objects::Ctx<'a> {
    objects::Ctx {
        settings: &state.rdap,
        privacy: &state.registrar.settings().privacy_contact,
        privacy_mail_domain: &state.registrar.settings().privacy_mail_domain,
        base,
        now,
    }
}

/// `entity/{handle}` (RFC 9082 §3.1.5): the registrar by its IANA id, the
/// privacy service by its handle, or a contact that a domain sponsored
/// here shows (privacy protection off); any other handle is a 404, so a
/// privacy-protected contact's handle reveals nothing.
async fn entity(
    State(state): State<AppState>,
    headers: HeaderMap,
    handle: Result<Path<String>, PathRejection>,
) -> Response {
    let handle = match handle {
        Ok(Path(handle)) => handle,
        Err(_) => return unreadable_path(),
    };
    let now = state.registrar.now();
    let base = base(&state, &headers);
    let ctx = ctx(&state, &base, now);
    let built = if handle == state.rdap.iana_id {
        objects::registrar(&ctx)
    } else if handle == objects::abuse_handle(&state.rdap) {
        objects::abuse(&ctx)
    } else if handle == state.rdap.privacy_handle {
        objects::privacy_service(&ctx)
    } else {
        let store = state.registrar.store();
        let contact = match store.contact_by_handle(&handle).await {
            Ok(c) => c,
            Err(e) => return failed(&e),
        };
        let Some(contact) = contact else {
            return not_found("This entity");
        };
        match store.rdap_contact_shown(contact.id, OUR_REGISTRAR).await {
            Ok(true) => objects::contact(&ctx, &contact),
            Ok(false) => return not_found("This entity"),
            Err(e) => return failed(&e),
        }
    };
    match built {
        Ok(body) => answer(StatusCode::OK, &body),
        Err(e) => failed(&e),
    }
}

/// `nameserver/{name}` (RFC 9082 §3.1.4): one of this registrar's own
/// name servers, or a child name server of a domain it sponsors (its
/// addresses as the registry has them, or the name alone when the domain
/// names it without a host object).
async fn nameserver(
    State(state): State<AppState>,
    headers: HeaderMap,
    raw: Result<Path<String>, PathRejection>,
) -> Response {
    let name = match parse_name(raw, "name server") {
        Ok(n) => n,
        Err(r) => return *r,
    };
    let now = state.registrar.now();
    let base = base(&state, &headers);
    let ctx = ctx(&state, &base, now);
    let own = &state.registrar.settings().own_nameservers;
    if own.iter().any(|ns| ns.eq_ignore_ascii_case(&name)) {
        return answer(StatusCode::OK, &objects::nameserver(&ctx, &name, &[]));
    }
    // The domain it is under, if this registrar sponsors it.
    let store = state.registrar.store();
    let mut parent = None;
    let mut rest = name.as_str();
    while let Some((_, up)) = rest.split_once('.') {
        rest = up;
        if !rest.contains('.') {
            break;
        }
        match store.rdap_domain(rest).await {
            Ok(Some(d)) => {
                if d.registrar == OUR_REGISTRAR && objects::statuses(&d, now).is_some() {
                    parent = Some(d);
                }
                break;
            }
            Ok(None) => continue,
            Err(e) => return failed(&e),
        }
    }
    let Some(d) = parent else {
        return not_found("This name server");
    };
    // What this installation holds, never a command to a registry (a
    // public, anonymous query must not spend the registrar's EPP sessions
    // or write to the customer's audit log): a child host on the sandbox
    // registry with its addresses; a name the domain uses as a name
    // server without them (a real registry's RDAP has its host objects).
    let addresses = match state.registrar.public_host(&name).await {
        Ok(host) => host.map(|h| {
            h.addresses
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<String>>()
        }),
        Err(e) => return failed(&e),
    };
    match addresses {
        Some(a) => answer(StatusCode::OK, &objects::nameserver(&ctx, &name, &a)),
        None if d.nameservers.contains(&name) => {
            answer(StatusCode::OK, &objects::nameserver(&ctx, &name, &[]))
        }
        None => not_found("This name server"),
    }
}

/// `help` (RFC 9082 §3.1.6).
async fn help(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let base = base(&state, &headers);
    let ctx = ctx(&state, &base, state.registrar.now());
    answer(StatusCode::OK, &objects::help(&ctx))
}

/// Any other path under `/rdap/`: searches (`domains`, `nameservers`,
/// `entities`, RFC 9082 §3.2) and number queries (`ip`, `autnum`) are
/// 501; anything else is not an RDAP query (400).
async fn unsupported(Path(query): Path<String>) -> Response {
    let first = query.split('/').next().unwrap_or("");
    match first {
        "domains" | "nameservers" | "entities" => error(
            StatusCode::NOT_IMPLEMENTED,
            "Not implemented",
            "Searches are not supported here: look a domain, name server or entity up by its name or handle.",
        ),
        "ip" | "autnum" => error(
            StatusCode::NOT_IMPLEMENTED,
            "Not implemented",
            "This is a domain registrar's RDAP service: ask a regional Internet registry about addresses and AS numbers.",
        ),
        _ => error(
            StatusCode::BAD_REQUEST,
            "Malformed query",
            "Not an RDAP query: this service answers domain/{name}, entity/{handle}, nameserver/{name} and help.",
        ),
    }
}

async fn unsupported_root() -> Response {
    unsupported(Path(String::new())).await
}
